/* rd-repo-directory.c — the provider directory
 *
 * Everyone may read the directory (it holds no PHI). One search takes
 * what a person types in a provider field: a ten digit query is tried as
 * an NPI, a phone number as the fax of a provider or of their
 * organisation (the number a referral came from), anything else as part of
 * a name, specialty or organisation. A specialist may add a provider met
 * on a referral (0003 grants the inserts); the organisation is found by
 * name or created beside it, in the same statement.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-repo-directory.h"
#include "rd-repo-common.h"
#include "rd-store-error.h"

#define PROVIDER_SELECT \
  "SELECT p.id, p.version, p.npi, p.name, p.organization_id, o.name AS organization_name," \
  " p.specialty, p.phone, p.fax, p.address, p.network_status" \
  " FROM rd.provider p LEFT JOIN rd.organization o ON o.id = p.organization_id "

static RdProvider *
provider_from_row (RdResult *res,
                   int       row)
{
  RdProvider *p = rd_provider_new ();

  rd_repo_fill_record (G_OBJECT (p), res, row);
  return p;
}

static void
on_rows (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  GPtrArray *rows;
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  rows = g_ptr_array_new_full (rd_result_get_n_rows (res), g_object_unref);
  for (int i = 0; i < rd_result_get_n_rows (res); i++)
    g_ptr_array_add (rows, provider_from_row (res, i));
  g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

static gboolean
is_npi_like (const char *q)
{
  guint n = 0;

  for (; *q; q++)
    {
      if (!g_ascii_isdigit (*q))
        return FALSE;
      n++;
    }
  return n == 10;
}

/* A query made only of what people write phone numbers with, with enough
 * digits for one: the number in E.164, else NULL. */
static char *
fax_of_query (const char *q)
{
  guint digits = 0;

  for (const char *c = q; *c; c++)
    {
      if (g_ascii_isdigit (*c))
        digits++;
      else if (strchr ("+ -.()/", *c) == NULL)
        return NULL;
    }
  if (digits < 10)
    return NULL;
  return rd_validate_phone (q, NULL);
}

/* The one search statement. $1 an NPI, $2 a name, specialty or
 * organisation fragment (LIKE-escaped), $5 a fax in E.164: each NULL when
 * the query is not of that kind, which switches its branches off. Each
 * branch is shaped for an index (0011: fax, trigram names, the
 * organisation's providers, specialty prefix; 0001: NPI, name prefix), so
 * that no search reads the whole directory (20,000 providers: 0.2 to
 * 1.3 ms, against 7 to 49 ms as one statement of ORs). Inactive providers
 * are found only by their NPI (old faxes name them). Matches of the NPI
 * come first, then of the provider's own fax, of their organisation's fax,
 * names starting with the fragment, then the rest. The branches stream in
 * that order and stop after 400 rows, so a fragment that matches a quarter
 * of the directory (a specialty) costs 400 rows, not all of them. */
#define SEARCH_SQL \
  "SELECT p.id, p.version, p.npi, p.name, p.organization_id, o.name AS organization_name," \
  " p.specialty, p.phone, p.fax, p.address, p.network_status" \
  " FROM (SELECT m.id, min(m.rank) AS rank FROM (" \
  "   SELECT id, 0 AS rank FROM rd.provider WHERE npi = $1::text" \
  "   UNION ALL SELECT id, 1 FROM rd.provider WHERE active AND fax = $5::text" \
  "   UNION ALL SELECT pp.id, 2 FROM rd.organization oo JOIN rd.provider pp ON pp.organization_id = oo.id" \
  "     WHERE oo.fax = $5::text AND pp.active" \
  "   UNION ALL SELECT id, 3 FROM rd.provider" \
  "     WHERE active AND $2::text IS NOT NULL AND lower(name) LIKE lower($2) || '%'" \
  "   UNION ALL SELECT id, 4 FROM rd.provider" \
  "     WHERE active AND $2::text IS NOT NULL AND name ILIKE '%' || $2 || '%'" \
  "   UNION ALL SELECT id, 4 FROM rd.provider" \
  "     WHERE active AND $2::text IS NOT NULL AND lower(specialty) LIKE lower($2) || '%'" \
  "   UNION ALL SELECT pp.id, 4 FROM rd.organization oo JOIN rd.provider pp ON pp.organization_id = oo.id" \
  "     WHERE $2::text IS NOT NULL AND oo.name ILIKE '%' || $2 || '%' AND pp.active" \
  "   LIMIT 400" \
  "  ) m GROUP BY m.id) f" \
  " JOIN rd.provider p ON p.id = f.id LEFT JOIN rd.organization o ON o.id = p.organization_id" \
  " WHERE ($3::text IS NULL OR p.specialty = $3)" \
  " ORDER BY f.rank, p.name, p.id LIMIT $4::int"

static void
search (RdConnection        *conn,
        gpointer             source_tag,
        const char          *npi,
        const char          *fragment,
        const char          *fax,
        const char          *specialty,
        guint                limit,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (conn, cancellable, callback, user_data);
  g_autofree char *like = fragment ? rd_repo_escape_like (fragment) : NULL;
  g_autofree char *limit_s = g_strdup_printf ("%u", CLAMP (limit, 1, 200));
  const char *params[] = { npi, like, specialty, limit_s, fax };

  g_task_set_source_tag (task, source_tag);
  if (npi == NULL && like == NULL && fax == NULL)
    {
      g_task_return_pointer (task, g_ptr_array_new_with_free_func (g_object_unref),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  rd_connection_query_async (conn, SEARCH_SQL, params, G_N_ELEMENTS (params),
                             RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_rows,
                             g_steal_pointer (&task));
}

/**
 * rd_repo_directory_search_providers_async:
 * @conn: a connection
 * @query: an NPI (ten digits), a phone or fax number, or a part of the
 *   provider's name, specialty or organisation
 * @specialty: (nullable): only this specialty
 * @limit: at most this many (up to 200)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the providers
 * @user_data: data for @callback
 *
 * Finds active providers. A number written like a phone number finds the
 * providers with that fax, or whose organisation has it; ten digits are
 * tried as an NPI too. Otherwise names that start with @query come first,
 * then names, specialties and organisations containing it.
 */
void
rd_repo_directory_search_providers_async (RdConnection        *conn,
                                          const char          *query,
                                          const char          *specialty,
                                          guint                limit,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autofree char *q = g_strstrip (g_strdup (query ? query : ""));
  g_autofree char *fax = fax_of_query (q);
  gboolean by_npi = is_npi_like (q);

  g_return_if_fail (RD_IS_CONNECTION (conn));

  search (conn, rd_repo_directory_search_providers_async, by_npi ? q : NULL,
          by_npi || fax != NULL || *q == '\0' ? NULL : q, fax, specialty, limit,
          cancellable, callback, user_data);
}

/**
 * rd_repo_directory_search_providers_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (element-type RdProvider): the providers
 */
GPtrArray *
rd_repo_directory_search_providers_finish (RdConnection  *conn,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_directory_search_providers_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rd_repo_directory_find_by_fax_async:
 * @conn: a connection
 * @fax: a fax number as people write it, or in E.164
 * @cancellable: (nullable): a cancellable
 * @callback: called with the providers
 * @user_data: data for @callback
 *
 * Finds the active providers whose fax is @fax, or whose organisation's
 * fax is; the provider's own number first. A number that is not a valid
 * phone number finds nobody.
 */
void
rd_repo_directory_find_by_fax_async (RdConnection        *conn,
                                     const char          *fax,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autofree char *e164 = fax ? rd_validate_phone (fax, NULL) : NULL;

  g_return_if_fail (RD_IS_CONNECTION (conn));

  search (conn, rd_repo_directory_find_by_fax_async, NULL, NULL, e164, NULL, 20,
          cancellable, callback, user_data);
}

/**
 * rd_repo_directory_find_by_fax_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (element-type RdProvider): the providers
 */
GPtrArray *
rd_repo_directory_find_by_fax_finish (RdConnection  *conn,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_directory_find_by_fax_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_one (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    g_task_return_error (task, error);
  else if (rd_result_get_n_rows (res) == 0)
    g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                             _("The provider is not in the directory."));
  else
    g_task_return_pointer (task, provider_from_row (res, 0), g_object_unref);
}

/**
 * rd_repo_directory_get_provider_async:
 * @conn: a connection
 * @id: a provider
 * @cancellable: (nullable): a cancellable
 * @callback: called with the provider
 * @user_data: data for @callback
 *
 * Reads one provider, also an inactive one (old referrals name them).
 */
void
rd_repo_directory_get_provider_async (RdConnection        *conn,
                                      gint64               id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  const char *params[] = { id_s };

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = g_task_new (conn, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_repo_directory_get_provider_async);
  rd_connection_query_async (conn, PROVIDER_SELECT "WHERE p.id = $1::bigint", params, 1,
                             RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_one,
                             g_steal_pointer (&task));
}

/**
 * rd_repo_directory_get_provider_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the provider
 */
RdProvider *
rd_repo_directory_get_provider_finish (RdConnection  *conn,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_directory_get_provider_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  gboolean *existed = g_task_get_task_data (task);
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (rd_result_get_n_rows (res) == 0)
    {
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                               _("The provider could not be added to the directory. Try again."));
      return;
    }
  *existed = rd_repo_get_boolean (res, 0, "existed");
  g_debug ("directory: provider %" G_GINT64_FORMAT " %s", rd_repo_get_int64 (res, 0, "id"),
           *existed ? "was there already" : "added");
  g_task_return_pointer (task, provider_from_row (res, 0), g_object_unref);
}

/* One statement, so that nothing is half added: the provider with the
 * same NPI when there is one (nothing inserted), else the organisation
 * found by name or inserted, and the new provider. */
#define ADD_SQL \
  "WITH old AS (SELECT id FROM rd.provider WHERE $2::text IS NOT NULL AND npi = $2)," \
  " org_found AS (SELECT id, name FROM rd.organization" \
  "   WHERE $3::text IS NOT NULL AND lower(name) = lower($3) ORDER BY id LIMIT 1)," \
  " org_new AS (INSERT INTO rd.organization (name, phone, fax)" \
  "   SELECT $3, $5::text, $6::text WHERE $3::text IS NOT NULL" \
  "   AND NOT EXISTS (SELECT 1 FROM org_found) AND NOT EXISTS (SELECT 1 FROM old)" \
  "   RETURNING id, name)," \
  " org AS (SELECT id, name FROM org_found UNION ALL SELECT id, name FROM org_new)," \
  " ins AS (INSERT INTO rd.provider (npi, name, organization_id, specialty, phone, fax)" \
  "   SELECT $2, $1::text, (SELECT id FROM org), $4::text, $5, $6" \
  "   WHERE NOT EXISTS (SELECT 1 FROM old) RETURNING *)" \
  " SELECT ins.id, ins.version, ins.npi, ins.name, ins.organization_id," \
  "  (SELECT name FROM org) AS organization_name, ins.specialty, ins.phone, ins.fax," \
  "  ins.address, ins.network_status, false AS existed FROM ins" \
  " UNION ALL" \
  " SELECT p.id, p.version, p.npi, p.name, p.organization_id, o.name, p.specialty, p.phone," \
  "  p.fax, p.address, p.network_status, true FROM old JOIN rd.provider p ON p.id = old.id" \
  "  LEFT JOIN rd.organization o ON o.id = p.organization_id"

static const char *
blank_to_null (const char *s)
{
  return s != NULL && *s != '\0' ? s : NULL;
}

/**
 * rd_repo_directory_add_provider_async:
 * @conn: a connection
 * @provider: the new provider: its name (required), NPI, organisation
 *   name, specialty, phone and fax (E.164), already validated
 * @cancellable: (nullable): a cancellable
 * @callback: called with the provider as stored
 * @user_data: data for @callback
 *
 * Adds a provider to the directory. The organisation is the one with the
 * same name (case-insensitive), or a new one with the provider's phone and
 * fax. When the NPI is in the directory already, nothing is added and that
 * provider is the answer (see @out_existed of
 * rd_repo_directory_add_provider_finish()).
 */
void
rd_repo_directory_add_provider_async (RdConnection        *conn,
                                      RdProvider          *provider,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = NULL;
  g_autofree char *organization = NULL;
  g_autofree char *specialty = NULL;
  const char *params[6];

  g_return_if_fail (RD_IS_CONNECTION (conn));
  g_return_if_fail (RD_IS_PROVIDER (provider));

  task = g_task_new (conn, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_repo_directory_add_provider_async);
  g_task_set_task_data (task, g_new0 (gboolean, 1), g_free);

  name = g_strstrip (g_strdup (rd_provider_get_name (provider) ? rd_provider_get_name (provider) : ""));
  organization = g_strstrip (g_strdup (rd_provider_get_organization_name (provider)
                                       ? rd_provider_get_organization_name (provider) : ""));
  specialty = g_strstrip (g_strdup (rd_provider_get_specialty (provider) ? rd_provider_get_specialty (provider) : ""));
  if (*name == '\0')
    {
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                               _("Enter the provider’s name."));
      return;
    }

  params[0] = name;
  params[1] = blank_to_null (rd_provider_get_npi (provider));
  params[2] = blank_to_null (organization);
  params[3] = blank_to_null (specialty);
  params[4] = blank_to_null (rd_provider_get_phone (provider));
  params[5] = blank_to_null (rd_provider_get_fax (provider));
  rd_connection_query_async (conn, ADD_SQL, params, G_N_ELEMENTS (params), RD_CONNECTION_TIMEOUT_DEFAULT,
                             cancellable, on_added, g_steal_pointer (&task));
}

/**
 * rd_repo_directory_add_provider_finish:
 * @conn: a connection
 * @result: the result
 * @out_existed: (out) (optional): whether a provider with the NPI was
 *   there already (and nothing was added)
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the provider as stored, with its id
 */
RdProvider *
rd_repo_directory_add_provider_finish (RdConnection  *conn,
                                       GAsyncResult  *result,
                                       gboolean      *out_existed,
                                       GError       **error)
{
  RdProvider *provider;

  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_directory_add_provider_async, NULL);

  provider = g_task_propagate_pointer (G_TASK (result), error);
  if (out_existed)
    *out_existed = provider != NULL && *(gboolean *) g_task_get_task_data (G_TASK (result));
  return provider;
}
