/* rd-repo-directory.c — the provider directory
 *
 * Everyone may read the directory (it holds no PHI). Searching by name
 * uses the schema's lower(name) text_pattern_ops index for prefixes; a ten
 * digit query is taken as an NPI.
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

/**
 * rd_repo_directory_search_providers_async:
 * @conn: a connection
 * @query: an NPI (ten digits) or a part of the provider's name
 * @specialty: (nullable): only this specialty
 * @limit: at most this many (up to 200)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the providers
 * @user_data: data for @callback
 *
 * Finds active providers; names that start with @query come first.
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
  g_autoptr(GTask) task = NULL;
  g_autofree char *q = g_strstrip (g_strdup (query ? query : ""));
  g_autofree char *like = rd_repo_escape_like (q);
  g_autofree char *limit_s = g_strdup_printf ("%u", CLAMP (limit, 1, 200));
  gboolean by_npi = is_npi_like (q);
  const char *params[] = { by_npi ? q : NULL, like, specialty, limit_s };

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = g_task_new (conn, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_repo_directory_search_providers_async);

  /* Every parameter appears (typed) in both statements, as the server
   * needs to know the type of each one. */
  rd_connection_query_async (conn,
                             by_npi
                             ? PROVIDER_SELECT "WHERE p.npi = $1::text AND ($3::text IS NULL OR p.specialty = $3)"
                               " AND $2::text IS NOT NULL ORDER BY p.name, p.id LIMIT $4::int"
                             : PROVIDER_SELECT "WHERE p.active AND $1::text IS NULL"
                               " AND ($3::text IS NULL OR p.specialty = $3)"
                               " AND (lower(p.name) LIKE lower($2::text) || '%' OR p.name ILIKE '%' || $2 || '%')"
                               " ORDER BY (lower(p.name) LIKE lower($2) || '%') DESC, p.name, p.id"
                               " LIMIT $4::int",
                             params, 4, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_rows,
                             g_steal_pointer (&task));
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
