/* rd-repo-hl7.c — HL7 v2 follow-ups: find, change, cancel the referral a
 * sender's REF^I12 made
 *
 * Each call is one statement on a function of 0009_hl7_followups.sql, so
 * that a change is one transaction, one audit entry and one referral event.
 * Row-level security applies: a sender's message reaches only referrals the
 * person (or service role) filing it may see.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-repo-hl7.h"

static void
on_rows (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  RdResult *res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);

  if (res == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, res, (GDestroyNotify) rd_result_unref);
}

static void
run_rows (RdConnection        *conn,
          const char          *sql,
          const char * const  *params,
          int                  n_params,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (conn, cancellable, callback, user_data);

  g_task_set_source_tag (task, rd_repo_hl7_rows_finish);
  rd_connection_query_async (conn, sql, params, n_params, RD_CONNECTION_TIMEOUT_DEFAULT,
                             cancellable, on_rows, task);
}

/**
 * rd_repo_hl7_rows_finish:
 * @conn: a connection
 * @result: the result of one of the rd_repo_hl7_*_async() calls
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the rows
 */
RdResult *
rd_repo_hl7_rows_finish (RdConnection  *conn,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_hl7_rows_finish, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rd_repo_hl7_link_async:
 * @conn: a connection
 * @referral_id: the referral a REF^I12 made
 * @sender: the sending facility
 * @external_id: the sender's id of the referral
 * @cancellable: (nullable): a cancellable
 * @callback: called with one row, column linked (boolean: %FALSE when the
 *   sender's id was linked before)
 * @user_data: data for @callback
 *
 * Remembers which referral the sender's id names, with the values stored,
 * for the sender's later changes.
 */
void
rd_repo_hl7_link_async (RdConnection        *conn,
                        gint64               referral_id,
                        const char          *sender,
                        const char          *external_id,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, referral_id);
  const char *params[] = { id, sender, external_id };

  g_return_if_fail (sender != NULL && external_id != NULL);
  run_rows (conn, "SELECT rd.hl7_link_referral($1::bigint, $2, $3) AS linked",
            params, 3, cancellable, callback, user_data);
}

/**
 * rd_repo_hl7_find_async:
 * @conn: a connection
 * @sender: the sending facility
 * @external_id: the sender's id of the referral
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows: none when unknown, else one with
 *   columns id, number, status, priority, version, closed_at, close_reason,
 *   updated_at
 * @user_data: data for @callback
 */
void
rd_repo_hl7_find_async (RdConnection        *conn,
                        const char          *sender,
                        const char          *external_id,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  const char *params[] = { sender, external_id };

  run_rows (conn, "SELECT * FROM rd.hl7_find_referral($1, $2)",
            params, 2, cancellable, callback, user_data);
}

/**
 * rd_repo_hl7_change_async:
 * @conn: a connection
 * @change: the change (copied before this returns)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows: none when the referral is unknown, else
 *   one with columns referral_id, status, outcome ("updated", "unchanged",
 *   "duplicate", "closed"), changed and kept (text arrays of labels)
 * @user_data: data for @callback
 *
 * Applies a REF^I13 to an open referral: a field still as the sender last
 * sent it takes the new value; one changed here since is kept and the
 * incoming value written into the notes.
 */
void
rd_repo_hl7_change_async (RdConnection        *conn,
                          const RdHl7Change   *change,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autofree char *diagnoses = NULL;
  g_autofree char *procedures = NULL;
  g_autofree char *labels = NULL;

  g_return_if_fail (change != NULL);
  g_return_if_fail (change->labels != NULL && g_strv_length ((GStrv) change->labels) == 7);

  diagnoses = change->diagnoses != NULL ? rd_pg_format_array (change->diagnoses) : NULL;
  procedures = change->procedures != NULL ? rd_pg_format_array (change->procedures) : NULL;
  labels = rd_pg_format_array (change->labels);
  {
    const char *params[] = {
      change->sender, change->external_id, change->message_id,
      change->priority, change->specialty, change->reason,
      diagnoses, procedures,
      change->referring_npi, change->referring_text,
      change->receiving_npi, change->receiving_text,
      change->note, labels, change->kept_format, change->event_reason,
    };

    run_rows (conn,
              "SELECT * FROM rd.hl7_update_referral($1, $2, $3, $4, $5, $6, $7::text[], $8::text[],"
              " $9, $10, $11, $12, $13, $14::text[], $15, $16)",
              params, G_N_ELEMENTS (params), cancellable, callback, user_data);
  }
}

/**
 * rd_repo_hl7_cancel_async:
 * @conn: a connection
 * @sender: the sending facility
 * @external_id: the sender's id of the referral
 * @reason: the close reason
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows: none when the referral is unknown, else
 *   one with columns referral_id, status (the status now, or the one that
 *   forbids cancelling), outcome ("cancelled", "already", "refused")
 * @user_data: data for @callback
 *
 * Cancels through the lifecycle (rd.set_referral_status()), as one
 * audited change with its referral event.
 */
void
rd_repo_hl7_cancel_async (RdConnection        *conn,
                          const char          *sender,
                          const char          *external_id,
                          const char          *reason,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  const char *params[] = { sender, external_id, reason };

  g_return_if_fail (reason != NULL && *reason != '\0');
  run_rows (conn, "SELECT * FROM rd.hl7_cancel_referral($1, $2, $3)",
            params, 3, cancellable, callback, user_data);
}
