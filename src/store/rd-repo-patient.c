/* rd-repo-patient.c — patients: search, duplicates, create, save, coverage
 *
 * Searching reads only the patients the user may see (row-level security:
 * those of their referrals, and those they registered themselves).
 * Looking for a duplicate before registering someone goes through the
 * schema's audited rd.find_patient_candidates(), which shows a few facts
 * about matching patients the user may not otherwise see.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-repo-patient.h"
#include "rd-repo-common.h"
#include "rd-store-error.h"

#define PATIENT_SELECT \
  "SELECT p.*, su.display_name AS updated_by_name FROM rd.patient p " \
  "LEFT JOIN rd.staff su ON su.login_name = p.updated_by "

typedef struct
{
  gint64     id;
  RdPatient *current;
} CallData;

static void
call_data_free (CallData *data)
{
  g_clear_object (&data->current);
  g_free (data);
}

static GTask *
new_task (RdConnection        *conn,
          GCancellable        *cancellable,
          gpointer             source_tag,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (conn, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_new0 (CallData, 1), (GDestroyNotify) call_data_free);
  return task;
}

static RdPatient *
patient_from_row (RdResult *res,
                  int       row)
{
  RdPatient *p = rd_patient_new ();

  rd_repo_fill_record (G_OBJECT (p), res, row);
  return p;
}

static void
on_patient_rows (GObject      *source,
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
    g_ptr_array_add (rows, patient_from_row (res, i));
  g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

static guint
count_digits (const char *s)
{
  guint n = 0;

  for (; *s; s++)
    if (g_ascii_isdigit (*s))
      n++;
  return n;
}

/**
 * rd_repo_patient_search_async:
 * @conn: a connection
 * @query: what the user typed: a date of birth, a phone number, an MRN or
 *   a part of the name
 * @limit: at most this many patients (up to 200)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the patients found
 * @user_data: data for @callback
 *
 * Searches the patients the user may see, through the schema's
 * rd.match_patients() (0004, 0007), the same search as the worklist's. A
 * date (as the user writes it, e.g. 04/23/1961) finds by date of birth, a
 * phone number by home or mobile phone; anything else finds the exact MRN
 * and names: one or two letters match the start of the family name, three
 * or more match anywhere in the name or, tolerating typos, a family or
 * given name similar to one word ("Tohmpson" finds Thompson) or a full name
 * nearly containing several words ("Margret Thompson"). Exact family name
 * or MRN first, then substring matches, then the most similar.
 */
void
rd_repo_patient_search_async (RdConnection        *conn,
                              const char          *query,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  g_autofree char *q = g_strstrip (g_strdup (query ? query : ""));
  g_autofree char *dob = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *n_limit = NULL;
  const char *params[2];

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_patient_search_async, callback, user_data);

  if (*q == '\0')
    {
      g_task_return_pointer (task, g_ptr_array_new_with_free_func (g_object_unref),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  /* rd.match_patients() knows dates only as YYYY-MM-DD; a phone it reads
   * itself, but the validated E.164 form is what is stored. Querying
   * rd.patient directly would not use the name indexes under row-level
   * security (0004 measured 1.4 s for a two-letter prefix). */
  if (count_digits (q) >= 6 && (dob = rd_validate_dob (q, NULL, NULL)) != NULL)
    params[0] = dob;
  else if (count_digits (q) >= 7 && (phone = rd_validate_phone (q, NULL)) != NULL)
    params[0] = phone;
  else
    params[0] = q;
  n_limit = g_strdup_printf ("%u", CLAMP (limit, 1, 200));
  params[1] = n_limit;

  /* WITH ORDINALITY keeps the function's order (best match first). */
  rd_connection_query_async (conn,
                             "SELECT p.*, su.display_name AS updated_by_name"
                             " FROM rd.match_patients($1, $2::int) WITH ORDINALITY AS p"
                             " LEFT JOIN rd.staff su ON su.login_name = p.updated_by"
                             " ORDER BY p.ordinality",
                             params, 2, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable,
                             on_patient_rows, task);
}

/**
 * rd_repo_patient_search_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (element-type RdPatient): the patients found
 */
GPtrArray *
rd_repo_patient_search_finish (RdConnection  *conn,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_patient_search_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rd_repo_patient_find_candidates_async:
 * @conn: a connection
 * @family_name: the family name being registered
 * @given_name: (nullable): the given name
 * @dob: the date of birth, `YYYY-MM-DD`
 * @cancellable: (nullable): a cancellable
 * @callback: called with the possible duplicates
 * @user_data: data for @callback
 *
 * Before registering a patient: finds people already on file with the same
 * date of birth and a similar name, also those the user cannot otherwise
 * see. Only id, MRN, names and date of birth are filled in; the search is
 * audited.
 */
void
rd_repo_patient_find_candidates_async (RdConnection        *conn,
                                       const char          *family_name,
                                       const char          *given_name,
                                       const char          *dob,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task;
  const char *params[] = { family_name, given_name, dob };

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_patient_find_candidates_async, callback, user_data);
  rd_connection_query_async (conn,
                             "SELECT id, mrn, family_name, given_name, dob::text AS dob"
                             " FROM rd.find_patient_candidates($1, $2, $3::date)",
                             params, 3, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable,
                             on_patient_rows, task);
}

/**
 * rd_repo_patient_find_candidates_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (element-type RdPatient): at most ten possible
 *   duplicates, most similar first
 */
GPtrArray *
rd_repo_patient_find_candidates_finish (RdConnection  *conn,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_patient_find_candidates_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */

static void
on_fetched (GObject      *source,
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
                             _("The patient was not found, or is not on any referral you work on."));
  else
    {
      g_object_set_data_full (G_OBJECT (task), "rd-who",
                              g_strdup (rd_repo_get_string (res, 0, "updated_by_name")), g_free);
      g_task_return_pointer (task, patient_from_row (res, 0), g_object_unref);
    }
}

static void
fetch (GTask  *task,
       gint64  id)
{
  RdConnection *conn = g_task_get_source_object (task);
  g_autofree char *id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  const char *params[] = { id_s };

  rd_connection_query_async (conn, PATIENT_SELECT "WHERE p.id = $1::bigint", params, 1,
                             RD_CONNECTION_TIMEOUT_DEFAULT, g_task_get_cancellable (task),
                             on_fetched, task);
}

/**
 * rd_repo_patient_get_async:
 * @conn: a connection
 * @id: a patient
 * @cancellable: (nullable): a cancellable
 * @callback: called with the patient
 * @user_data: data for @callback
 *
 * Reads one patient (%RD_STORE_ERROR_NOT_FOUND when not visible).
 */
void
rd_repo_patient_get_async (RdConnection        *conn,
                           gint64               id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (RD_IS_CONNECTION (conn));

  fetch (new_task (conn, cancellable, rd_repo_patient_get_async, callback, user_data), id);
}

/**
 * rd_repo_patient_get_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the patient
 */
RdPatient *
rd_repo_patient_get_finish (RdConnection  *conn,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_patient_get_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
    }
  else if (rd_result_get_n_rows (res) == 0)
    {
      /* Stale version, or gone: look at the row as it is now. */
      CallData *data = g_task_get_task_data (task);
      g_autofree char *id_s = g_strdup_printf ("%" G_GINT64_FORMAT, data->id);
      const char *params[] = { id_s };

      g_object_set_data (G_OBJECT (task), "rd-conflict", GINT_TO_POINTER (1));
      rd_connection_query_async (RD_CONNECTION (source), PATIENT_SELECT "WHERE p.id = $1::bigint",
                                 params, 1, RD_CONNECTION_TIMEOUT_DEFAULT,
                                 g_task_get_cancellable (task), on_fetched, task);
    }
  else
    fetch (task, rd_result_get_int64 (res, 0, 0));
}

#define PATIENT_VALUES(patient)                                   \
  rd_patient_get_mrn (patient),                                   \
  rd_patient_get_family_name (patient),                           \
  rd_patient_get_given_name (patient) ? rd_patient_get_given_name (patient) : "", \
  rd_patient_get_middle_name (patient),                           \
  rd_patient_get_dob (patient),                                   \
  rd_patient_get_sex (patient) ? rd_patient_get_sex (patient) : "unknown", \
  rd_patient_get_phone_home (patient),                            \
  rd_patient_get_phone_mobile (patient),                          \
  rd_patient_get_email (patient),                                 \
  rd_patient_get_address_line1 (patient),                         \
  rd_patient_get_address_line2 (patient),                         \
  rd_patient_get_city (patient),                                  \
  rd_patient_get_state (patient),                                 \
  rd_patient_get_zip (patient),                                   \
  rd_patient_get_language (patient),                              \
  rd_patient_get_contact_preference (patient) ? rd_patient_get_contact_preference (patient) : "phone"

/**
 * rd_repo_patient_create_async:
 * @conn: a connection
 * @patient: the new patient (family name required)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the stored patient
 * @user_data: data for @callback
 *
 * Registers a patient. Look for duplicates first
 * (rd_repo_patient_find_candidates_async()); an MRN already on file fails
 * with %RD_STORE_ERROR_INVALID_INPUT.
 */
void
rd_repo_patient_create_async (RdConnection        *conn,
                              RdPatient           *patient,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  const char *params[] = { PATIENT_VALUES (patient) };

  g_return_if_fail (RD_IS_CONNECTION (conn));
  g_return_if_fail (RD_IS_PATIENT (patient));

  task = new_task (conn, cancellable, rd_repo_patient_create_async, callback, user_data);
  rd_connection_query_async (conn,
    "INSERT INTO rd.patient (mrn, family_name, given_name, middle_name, dob, sex, phone_home,"
    " phone_mobile, email, address_line1, address_line2, city, state, zip, language,"
    " contact_preference) VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9, $10, $11, $12,"
    " $13, $14, $15, $16) RETURNING id",
    params, G_N_ELEMENTS (params), RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_written, task);
}

/**
 * rd_repo_patient_create_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the stored patient with id and version
 */
RdPatient *
rd_repo_patient_create_finish (RdConnection  *conn,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_patient_create_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rd_repo_patient_save_async:
 * @conn: a connection
 * @patient: the patient as edited, with the version it was read at
 * @cancellable: (nullable): a cancellable
 * @callback: called with the saved patient
 * @user_data: data for @callback
 *
 * Saves demographics and contact details if nobody saved the patient since
 * it was read; otherwise fails with %RD_STORE_ERROR_CONFLICT and
 * rd_repo_patient_save_finish() hands out the current row.
 */
void
rd_repo_patient_save_async (RdConnection        *conn,
                            RdPatient           *patient,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  CallData *data;
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;

  g_return_if_fail (RD_IS_CONNECTION (conn));
  g_return_if_fail (RD_IS_PATIENT (patient));

  task = new_task (conn, cancellable, rd_repo_patient_save_async, callback, user_data);
  data = g_task_get_task_data (task);
  data->id = rd_patient_get_id (patient);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_patient_get_id (patient));
  version = g_strdup_printf ("%" G_GINT64_FORMAT, rd_patient_get_version (patient));
  {
    const char *params[] = { PATIENT_VALUES (patient), id, version };

    rd_connection_query_async (conn,
      "UPDATE rd.patient SET mrn = $1, family_name = $2, given_name = $3, middle_name = $4,"
      " dob = $5::date, sex = $6, phone_home = $7, phone_mobile = $8, email = $9,"
      " address_line1 = $10, address_line2 = $11, city = $12, state = $13, zip = $14,"
      " language = $15, contact_preference = $16"
      " WHERE id = $17::bigint AND version = $18::bigint RETURNING id",
      params, G_N_ELEMENTS (params), RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_written, task);
  }
}

/**
 * rd_repo_patient_save_finish:
 * @conn: a connection
 * @result: the result
 * @out_current: (out) (optional) (nullable) (transfer full): on
 *   %RD_STORE_ERROR_CONFLICT, the patient as someone else saved them
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the saved patient with the new version
 */
RdPatient *
rd_repo_patient_save_finish (RdConnection  *conn,
                             GAsyncResult  *result,
                             RdPatient    **out_current,
                             GError       **error)
{
  g_autoptr(RdPatient) ret = NULL;
  GError *local = NULL;

  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_patient_save_async, NULL);

  if (out_current != NULL)
    *out_current = NULL;
  ret = g_task_propagate_pointer (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }

  /* The row was re-read after a stale save: hand it out as a conflict. */
  if (g_object_get_data (G_OBJECT (result), "rd-conflict") != NULL)
    {
      const char *who = g_object_get_data (G_OBJECT (result), "rd-who");

      if (who == NULL)
        who = rd_patient_get_updated_by (ret);

      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT,
                   _("%s changed this patient in the meantime. Review their changes, then save yours again."),
                   who ? who : _("Someone else"));
      if (out_current != NULL)
        *out_current = g_steal_pointer (&ret);
      return NULL;
    }

  return g_steal_pointer (&ret);
}

static void
on_coverage_rows (GObject      *source,
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
    {
      RdCoverage *c = rd_coverage_new ();

      rd_repo_fill_record (G_OBJECT (c), res, i);
      g_ptr_array_add (rows, c);
    }
  g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * rd_repo_patient_list_coverage_async:
 * @conn: a connection
 * @patient_id: a patient
 * @cancellable: (nullable): a cancellable
 * @callback: called with the coverages
 * @user_data: data for @callback
 *
 * Reads a patient's insurance, primary first, with payer and plan names.
 */
void
rd_repo_patient_list_coverage_async (RdConnection        *conn,
                                     gint64               patient_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;
  g_autofree char *id_s = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
  const char *params[] = { id_s };

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_patient_list_coverage_async, callback, user_data);
  rd_connection_query_async (conn,
                             "SELECT c.*, pp.name AS plan_name, py.name AS payer_name"
                             " FROM rd.coverage c"
                             " LEFT JOIN rd.payer_plan pp ON pp.id = c.payer_plan_id"
                             " LEFT JOIN rd.payer py ON py.id = pp.payer_id"
                             " WHERE c.patient_id = $1::bigint ORDER BY c.rank, c.id",
                             params, 1, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable,
                             on_coverage_rows, task);
}

/**
 * rd_repo_patient_list_coverage_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (element-type RdCoverage): the coverages
 */
GPtrArray *
rd_repo_patient_list_coverage_finish (RdConnection  *conn,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_patient_list_coverage_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
