/* rd-repo-referral.c — referrals: the worklist, one referral, saving, claims
 *
 * Reads go through the schema's rd.worklist view (a referral with the
 * names lists show; the reader's row-level security applies). Changes go
 * through plain UPDATEs guarded by the row version, or through the
 * schema's functions (rd.set_referral_status, rd.claim_referral,
 * rd.release_referral, rd.next_referral), which return no row when the
 * version is stale or someone else holds the claim; the current row is
 * then read back and handed to the caller with RD_STORE_ERROR_CONFLICT.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-repo-referral.h"
#include "rd-repo-common.h"
#include "rd-store-error.h"

#define WORKLIST_SELECT \
  "SELECT w.*, su.display_name AS updated_by_name " \
  "FROM rd.worklist w LEFT JOIN rd.staff su ON su.login_name = w.updated_by "

typedef enum {
  CONFLICT_VERSION,
  CONFLICT_CLAIM,
} ConflictKind;

typedef struct
{
  RdReferral   *current;        /* the row as it is now, on conflict */
  char         *key;            /* create: the idempotency key */
  ConflictKind  conflict;
} CallData;

static void
call_data_free (CallData *data)
{
  g_clear_object (&data->current);
  g_free (data->key);
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

/* ------------------------------------------------------------------------ */
/* Rows                                                                      */
/* ------------------------------------------------------------------------ */

static RdReferral *
referral_from_row (RdResult *res,
                   int       row)
{
  RdReferral *r = rd_referral_new ();
  g_autoptr(GDateTime) received_at = rd_repo_dup_datetime (res, row, "received_at");
  g_autoptr(GDateTime) due_at = rd_repo_dup_datetime (res, row, "due_at");
  g_autoptr(GDateTime) claimed_until = rd_repo_dup_datetime (res, row, "claimed_until");
  g_autoptr(GDateTime) closed_at = rd_repo_dup_datetime (res, row, "closed_at");
  g_autoptr(GDateTime) updated_at = rd_repo_dup_datetime (res, row, "updated_at");
  g_auto(GStrv) diagnoses = rd_repo_dup_strv (res, row, "diagnoses");
  g_auto(GStrv) procedures = rd_repo_dup_strv (res, row, "procedures");
  RdDirection direction = RD_DIRECTION_INCOMING;
  RdPriority priority = RD_PRIORITY_ROUTINE;
  RdStatus status = RD_STATUS_NEW;

  rd_direction_from_string (rd_repo_get_string (res, row, "direction"), &direction);
  rd_priority_from_string (rd_repo_get_string (res, row, "priority"), &priority);
  rd_status_from_string (rd_repo_get_string (res, row, "status"), &status);

  g_object_freeze_notify (G_OBJECT (r));
  rd_referral_set_id (r, rd_repo_get_int64 (res, row, "id"));
  rd_referral_set_version (r, rd_repo_get_int64 (res, row, "version"));
  rd_referral_set_number (r, rd_repo_get_string (res, row, "number"));
  rd_referral_set_direction (r, direction);
  rd_referral_set_channel (r, rd_repo_get_string (res, row, "channel"));
  rd_referral_set_received_at (r, received_at);
  rd_referral_set_patient_id (r, rd_repo_get_int64 (res, row, "patient_id"));
  rd_referral_set_referring_provider_id (r, rd_repo_get_int64 (res, row, "referring_provider_id"));
  rd_referral_set_receiving_provider_id (r, rd_repo_get_int64 (res, row, "receiving_provider_id"));
  rd_referral_set_specialty (r, rd_repo_get_string (res, row, "specialty"));
  rd_referral_set_reason (r, rd_repo_get_string (res, row, "reason"));
  rd_referral_set_diagnoses (r, (const char * const *) diagnoses);
  rd_referral_set_procedures (r, (const char * const *) procedures);
  rd_referral_set_priority (r, priority);
  rd_referral_set_status (r, status);
  rd_referral_set_queue_id (r, rd_repo_get_int64 (res, row, "queue_id"));
  rd_referral_set_assignee (r, rd_repo_get_string (res, row, "assignee"));
  rd_referral_set_due_at (r, due_at);
  rd_referral_set_claimed_by (r, rd_repo_get_string (res, row, "claimed_by"));
  rd_referral_set_claimed_until (r, claimed_until);
  rd_referral_set_idempotency_key (r, rd_repo_get_string (res, row, "idempotency_key"));
  rd_referral_set_closed_at (r, closed_at);
  rd_referral_set_close_reason (r, rd_repo_get_string (res, row, "close_reason"));
  rd_referral_set_notes (r, rd_repo_get_string (res, row, "notes"));
  rd_referral_set_updated_at (r, updated_at);
  rd_referral_set_updated_by (r, rd_repo_get_string (res, row, "updated_by"));
  rd_referral_set_patient_name (r, rd_repo_get_string (res, row, "patient_name"));
  rd_referral_set_patient_dob (r, rd_repo_get_string (res, row, "patient_dob"));
  rd_referral_set_patient_mrn (r, rd_repo_get_string (res, row, "patient_mrn"));
  rd_referral_set_referring_name (r, rd_repo_get_string (res, row, "referring_name"));
  rd_referral_set_receiving_name (r, rd_repo_get_string (res, row, "receiving_name"));
  rd_referral_set_payer_name (r, rd_repo_get_string (res, row, "payer_name"));
  rd_referral_set_assignee_name (r, rd_repo_get_string (res, row, "assignee_name"));
  rd_referral_set_claimed_by_name (r, rd_repo_get_string (res, row, "claimed_by_name"));
  rd_referral_set_queue_name (r, rd_repo_get_string (res, row, "queue_name"));
  g_object_thaw_notify (G_OBJECT (r));

  return r;
}

/* ------------------------------------------------------------------------ */
/* Filters and cursors                                                       */
/* ------------------------------------------------------------------------ */

/**
 * rd_referral_filter_init:
 * @filter: a filter
 *
 * Sets @filter to "every open referral of every visible queue".
 */
void
rd_referral_filter_init (RdReferralFilter *filter)
{
  memset (filter, 0, sizeof *filter);
  filter->priority = -1;
  filter->direction = -1;
}

/**
 * rd_referral_cursor_set_from:
 * @cursor: a cursor
 * @last: the last referral of the page shown
 *
 * Makes @cursor point after @last, for the next page.
 */
void
rd_referral_cursor_set_from (RdReferralCursor *cursor,
                             RdReferral       *last)
{
  GDateTime *due = rd_referral_get_due_at (last);

  g_clear_pointer (&cursor->due_at, g_date_time_unref);
  cursor->priority = rd_referral_get_priority (last);
  cursor->due_at = due ? g_date_time_ref (due) : NULL;
  cursor->id = rd_referral_get_id (last);
}

/**
 * rd_referral_cursor_clear:
 * @cursor: a cursor
 *
 * Frees what @cursor holds and points it at the first page.
 */
void
rd_referral_cursor_clear (RdReferralCursor *cursor)
{
  g_clear_pointer (&cursor->due_at, g_date_time_unref);
  cursor->priority = 0;
  cursor->id = 0;
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
    g_ptr_array_add (rows, referral_from_row (res, i));
  g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * rd_repo_referral_list_async:
 * @conn: a connection
 * @filter: what to show
 * @after: (nullable): where the previous page ended, or %NULL for the first
 * @limit: the page size (at most 1000)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the page
 * @user_data: data for @callback
 *
 * Reads one page of the worklist, ordered by priority (STAT first), due
 * time (soonest first, none last) and id — the order of the schema's
 * partial worklist index, so pages are cheap at any depth.
 */
void
rd_repo_referral_list_async (RdConnection           *conn,
                             const RdReferralFilter *filter,
                             const RdReferralCursor *after,
                             guint                   limit,
                             GCancellable           *cancellable,
                             GAsyncReadyCallback     callback,
                             gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(RdParams) p = rd_params_new ();
  g_autoptr(GString) sql = g_string_new (WORKLIST_SELECT "WHERE true");
  RdReferralFilter any;

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_referral_list_async, callback, user_data);
  if (filter == NULL)
    {
      rd_referral_filter_init (&any);
      filter = &any;
    }

  if (filter->queue_id > 0)
    g_string_append_printf (sql, " AND w.queue_id = $%u::bigint",
                            rd_params_add_int64 (p, filter->queue_id));

  if (filter->statuses != NULL && filter->n_statuses > 0)
    {
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      g_auto(GStrv) names = NULL;
      g_autofree char *array = NULL;

      for (guint i = 0; i < filter->n_statuses; i++)
        g_strv_builder_add (b, rd_status_to_string (filter->statuses[i]));
      names = g_strv_builder_end (b);
      array = rd_pg_format_array ((const char * const *) names);
      g_string_append_printf (sql, " AND w.status = ANY ($%u::text[])", rd_params_add (p, array));
    }
  else
    /* Spelled out as in the partial index, so the planner can use it. */
    g_string_append (sql, " AND w.status IN ('new', 'triage', 'pending_info', 'pending_auth',"
                          " 'accepted', 'scheduled', 'no_show', 'seen')");

  if (filter->priority >= 0 && filter->priority < RD_N_PRIORITIES)
    g_string_append_printf (sql, " AND w.priority = $%u",
                            rd_params_add (p, rd_priority_to_string (filter->priority)));
  if (filter->assignee != NULL && filter->assignee[0] == '\0')
    g_string_append (sql, " AND w.assignee IS NULL");
  else if (filter->assignee != NULL)
    g_string_append_printf (sql, " AND w.assignee = $%u", rd_params_add (p, filter->assignee));
  if (filter->direction >= 0)
    g_string_append_printf (sql, " AND w.direction = $%u",
                            rd_params_add (p, rd_direction_to_string (filter->direction)));
  if (filter->channel != NULL)
    g_string_append_printf (sql, " AND w.channel = $%u", rd_params_add (p, filter->channel));
  if (filter->payer_id > 0)
    g_string_append_printf (sql, " AND w.coverage_id IN (SELECT cv.id FROM rd.coverage cv"
                                 " JOIN rd.payer_plan pp ON pp.id = cv.payer_plan_id"
                                 " WHERE pp.payer_id = $%u::bigint)",
                            rd_params_add_int64 (p, filter->payer_id));
  if (filter->received_from != NULL)
    g_string_append_printf (sql, " AND w.received_at >= $%u::timestamptz",
                            rd_params_add_datetime (p, filter->received_from));
  if (filter->received_to != NULL)
    g_string_append_printf (sql, " AND w.received_at < $%u::timestamptz",
                            rd_params_add_datetime (p, filter->received_to));
  if (filter->search != NULL && *filter->search != '\0')
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (filter->search));
      g_autofree char *like = rd_repo_escape_like (trimmed);
      guint n_exact = rd_params_add (p, trimmed);
      guint n_like = rd_params_add (p, like);

      g_string_append_printf (sql, " AND (w.number = $%u OR w.patient_mrn = $%u"
                                   " OR w.patient_name ILIKE '%%' || $%u || '%%')",
                              n_exact, n_exact, n_like);
    }

  if (after != NULL && after->id > 0)
    {
      guint n_rank = rd_params_add_int64 (p, CLAMP (after->priority, 0, RD_N_PRIORITIES - 1));
      guint n_due = rd_params_add_datetime (p, after->due_at);
      guint n_id = rd_params_add_int64 (p, after->id);

      /* (priority_rank DESC, due_at ASC NULLS LAST, id ASC) after the cursor. */
      g_string_append_printf (sql,
        " AND (w.priority_rank < $%u::smallint OR (w.priority_rank = $%u::smallint AND ("
        "($%u::timestamptz IS NOT NULL AND (w.due_at > $%u::timestamptz OR w.due_at IS NULL"
        " OR (w.due_at = $%u::timestamptz AND w.id > $%u::bigint)))"
        " OR ($%u::timestamptz IS NULL AND w.due_at IS NULL AND w.id > $%u::bigint))))",
        n_rank, n_rank, n_due, n_due, n_due, n_id, n_due, n_id);
    }

  g_string_append_printf (sql, " ORDER BY w.priority_rank DESC, w.due_at, w.id LIMIT $%u::int",
                          rd_params_add_int64 (p, CLAMP (limit, 1, 1000)));

  rd_connection_query_async (conn, sql->str, rd_params_values (p), rd_params_count (p),
                             RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_rows,
                             g_steal_pointer (&task));
}

/**
 * rd_repo_referral_list_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (element-type RdReferral): the page (fewer rows
 *   than the limit: the last page)
 */
GPtrArray *
rd_repo_referral_list_finish (RdConnection  *conn,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_referral_list_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* One referral                                                              */
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
                             _("The referral was not found. It may have been removed, or moved to a queue you do not work on."));
  else
    g_task_return_pointer (task, referral_from_row (res, 0), g_object_unref);
}

/* Reads the row @id and completes @task with it. */
static void
fetch (GTask  *task,
       gint64  id)
{
  RdConnection *conn = g_task_get_source_object (task);
  g_autofree char *id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  const char *params[] = { id_s };

  rd_connection_query_async (conn, WORKLIST_SELECT "WHERE w.id = $1::bigint", params, 1,
                             RD_CONNECTION_TIMEOUT_DEFAULT, g_task_get_cancellable (task),
                             on_fetched, task);
}

/**
 * rd_repo_referral_get_async:
 * @conn: a connection
 * @id: a referral id
 * @cancellable: (nullable): a cancellable
 * @callback: called with the referral
 * @user_data: data for @callback
 *
 * Reads one referral. Fails with %RD_STORE_ERROR_NOT_FOUND when it does
 * not exist or is not visible to the user.
 */
void
rd_repo_referral_get_async (RdConnection        *conn,
                            gint64               id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_referral_get_async, callback, user_data);
  fetch (task, id);
}

/**
 * rd_repo_referral_get_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the referral
 */
RdReferral *
rd_repo_referral_get_finish (RdConnection  *conn,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_referral_get_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Conflicts                                                                 */
/* ------------------------------------------------------------------------ */

static void
on_conflict_fetched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;
  const char *who;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (rd_result_get_n_rows (res) == 0)
    {
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                               _("The referral was not found. It may have been removed, or moved to a queue you do not work on."));
      return;
    }

  data->current = referral_from_row (res, 0);
  if (data->conflict == CONFLICT_CLAIM)
    {
      who = rd_referral_get_claimed_by_name (data->current);
      if (who == NULL)
        who = rd_referral_get_claimed_by (data->current);
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT,
                               _("%s is working on this referral. Open it read-only, or ask them to release it."),
                               who ? who : _("Someone else"));
    }
  else
    {
      who = rd_repo_get_string (res, 0, "updated_by_name");
      if (who == NULL)
        who = rd_referral_get_updated_by (data->current);
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT,
                               _("%s changed this referral in the meantime. Review their changes, then save yours again."),
                               who ? who : _("Someone else"));
    }
}

/* The statement changed no row: read the row as it is now to tell
 * "someone else was first" (conflict) from "gone" (not found). */
static void
fail_with_current (GTask        *task,
                   gint64        id,
                   ConflictKind  kind)
{
  RdConnection *conn = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  g_autofree char *id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  const char *params[] = { id_s };

  data->conflict = kind;
  rd_connection_query_async (conn, WORKLIST_SELECT "WHERE w.id = $1::bigint", params, 1,
                             RD_CONNECTION_TIMEOUT_DEFAULT, g_task_get_cancellable (task),
                             on_conflict_fetched, task);
}

static RdReferral *
finish_with_current (RdConnection  *conn,
                     GAsyncResult  *result,
                     gpointer       source_tag,
                     RdReferral   **out_current,
                     GError       **error)
{
  CallData *data;
  RdReferral *ret;
  GError *local = NULL;

  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  data = g_task_get_task_data (G_TASK (result));
  ret = g_task_propagate_pointer (G_TASK (result), &local);
  if (out_current != NULL)
    *out_current = local != NULL && data->current != NULL ? g_object_ref (data->current) : NULL;
  if (local != NULL)
    g_propagate_error (error, local);
  return ret;
}

/* For statements that return the changed row's id, or nothing. */
static void
on_changed_or_conflict (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  CallData *data = g_task_get_task_data (task);
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
    }
  else if (rd_result_get_n_rows (res) == 0)
    fail_with_current (task, GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "rd-id")),
                       data->conflict);
  else
    fetch (task, rd_result_get_int64 (res, 0, 0));
}

static void
run_change (GTask              *task,
            gint64              id,
            ConflictKind        kind,
            const char         *sql,
            const char * const *params,
            int                 n_params)
{
  RdConnection *conn = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);

  data->conflict = kind;
  /* Ids fit in a pointer on every platform we build for (64-bit). */
  g_object_set_data (G_OBJECT (task), "rd-id", GSIZE_TO_POINTER ((gsize) id));
  rd_connection_query_async (conn, sql, params, n_params, RD_CONNECTION_TIMEOUT_DEFAULT,
                             g_task_get_cancellable (task), on_changed_or_conflict, task);
}

/* ------------------------------------------------------------------------ */
/* Create                                                                    */
/* ------------------------------------------------------------------------ */

static void
on_created_lookup (GObject      *source,
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
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                               _("The referral was created, but it is in a queue you do not work on."));
      g_object_unref (task);
    }
  else
    fetch (task, rd_result_get_int64 (res, 0, 0));
}

static void
on_inserted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  CallData *data = g_task_get_task_data (task);
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
      /* A retry: the first attempt was stored. A new statement sees it. */
      const char *params[] = { data->key };

      rd_connection_query_async (RD_CONNECTION (source),
                                 "SELECT id FROM rd.referral WHERE idempotency_key = $1",
                                 params, 1, RD_CONNECTION_TIMEOUT_DEFAULT,
                                 g_task_get_cancellable (task), on_created_lookup, task);
    }
  else
    fetch (task, rd_result_get_int64 (res, 0, 0));
}

static char *
id_or_null (gint64 id)
{
  return id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, id) : NULL;
}

/**
 * rd_repo_referral_create_async:
 * @conn: a connection
 * @referral: the new referral (queue, channel and the clinical fields)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the stored referral
 * @user_data: data for @callback
 *
 * Stores a new referral exactly once: it carries an idempotency key (one is
 * made and set on @referral if it has none), and repeating the call with
 * the same key — after a lost answer, say — returns the row stored the
 * first time instead of a second referral.
 */
void
rd_repo_referral_create_async (RdConnection        *conn,
                               RdReferral          *referral,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  CallData *data;
  g_autofree char *direction = NULL;
  g_autofree char *received = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *referring = NULL;
  g_autofree char *receiving = NULL;
  g_autofree char *diagnoses = NULL;
  g_autofree char *procedures = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *due = NULL;

  g_return_if_fail (RD_IS_CONNECTION (conn));
  g_return_if_fail (RD_IS_REFERRAL (referral));

  task = new_task (conn, cancellable, rd_repo_referral_create_async, callback, user_data);
  data = g_task_get_task_data (task);

  if (rd_referral_get_idempotency_key (referral) == NULL)
    {
      g_autofree char *key = g_uuid_string_random ();
      rd_referral_set_idempotency_key (referral, key);
    }
  data->key = g_strdup (rd_referral_get_idempotency_key (referral));

  direction = g_strdup (rd_direction_to_string (rd_referral_get_direction (referral)));
  received = rd_pg_format_timestamp (rd_referral_get_received_at (referral));
  patient = id_or_null (rd_referral_get_patient_id (referral));
  referring = id_or_null (rd_referral_get_referring_provider_id (referral));
  receiving = id_or_null (rd_referral_get_receiving_provider_id (referral));
  diagnoses = rd_pg_format_array (rd_referral_get_diagnoses (referral));
  procedures = rd_pg_format_array (rd_referral_get_procedures (referral));
  queue = id_or_null (rd_referral_get_queue_id (referral));
  due = rd_pg_format_timestamp (rd_referral_get_due_at (referral));

  {
    const char *params[] = {
      data->key,
      rd_referral_get_number (referral),
      direction,
      rd_referral_get_channel (referral) ? rd_referral_get_channel (referral) : "manual",
      received,
      patient,
      referring,
      receiving,
      rd_referral_get_specialty (referral),
      rd_referral_get_reason (referral),
      diagnoses ? diagnoses : "{}",
      procedures ? procedures : "{}",
      rd_priority_to_string (rd_referral_get_priority (referral)),
      queue,
      rd_referral_get_assignee (referral),
      due,
      rd_referral_get_notes (referral),
    };

    rd_connection_query_async (conn,
      "INSERT INTO rd.referral (idempotency_key, number, direction, channel, received_at,"
      " patient_id, referring_provider_id, receiving_provider_id, specialty, reason,"
      " diagnoses, procedures, priority, queue_id, assignee, due_at, notes)"
      " VALUES ($1, coalesce($2, 'R' || lpad(nextval('rd.referral_number_seq')::text, 8, '0')),"
      " $3, $4, coalesce($5::timestamptz, now()), $6::bigint, $7::bigint, $8::bigint, $9, $10,"
      " $11::text[], $12::text[], $13, $14::bigint, $15, $16::timestamptz, $17)"
      " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
      params, G_N_ELEMENTS (params), RD_CONNECTION_TIMEOUT_DEFAULT, cancellable,
      on_inserted, task);
  }
}

/**
 * rd_repo_referral_create_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the stored referral, with its id, number and
 *   version
 */
RdReferral *
rd_repo_referral_create_finish (RdConnection  *conn,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_referral_create_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Save, transition                                                          */
/* ------------------------------------------------------------------------ */

/**
 * rd_repo_referral_save_async:
 * @conn: a connection
 * @referral: the referral as edited, with the version it was read at
 * @cancellable: (nullable): a cancellable
 * @callback: called with the saved referral
 * @user_data: data for @callback
 *
 * Saves the clinical fields (patient, providers, specialty, reason,
 * diagnoses, procedures, priority, due time, notes, channel, direction,
 * received time) if nobody saved the referral since it was read. Status,
 * assignee, queue and claim have their own calls.
 *
 * When someone else was first, fails with %RD_STORE_ERROR_CONFLICT naming
 * them, and rd_repo_referral_save_finish() hands out the current row so the
 * user can compare (rd_referral_diff()) and choose.
 */
void
rd_repo_referral_save_async (RdConnection        *conn,
                             RdReferral          *referral,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *referring = NULL;
  g_autofree char *receiving = NULL;
  g_autofree char *diagnoses = NULL;
  g_autofree char *procedures = NULL;
  g_autofree char *due = NULL;
  g_autofree char *received = NULL;

  g_return_if_fail (RD_IS_CONNECTION (conn));
  g_return_if_fail (RD_IS_REFERRAL (referral));

  task = new_task (conn, cancellable, rd_repo_referral_save_async, callback, user_data);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_referral_get_id (referral));
  version = g_strdup_printf ("%" G_GINT64_FORMAT, rd_referral_get_version (referral));
  patient = id_or_null (rd_referral_get_patient_id (referral));
  referring = id_or_null (rd_referral_get_referring_provider_id (referral));
  receiving = id_or_null (rd_referral_get_receiving_provider_id (referral));
  diagnoses = rd_pg_format_array (rd_referral_get_diagnoses (referral));
  procedures = rd_pg_format_array (rd_referral_get_procedures (referral));
  due = rd_pg_format_timestamp (rd_referral_get_due_at (referral));
  received = rd_pg_format_timestamp (rd_referral_get_received_at (referral));

  {
    const char *params[] = {
      id, version, patient, referring, receiving,
      rd_referral_get_specialty (referral),
      rd_referral_get_reason (referral),
      diagnoses ? diagnoses : "{}",
      procedures ? procedures : "{}",
      rd_priority_to_string (rd_referral_get_priority (referral)),
      due,
      rd_referral_get_notes (referral),
      rd_referral_get_channel (referral),
      rd_direction_to_string (rd_referral_get_direction (referral)),
      received,
    };

    run_change (task, rd_referral_get_id (referral), CONFLICT_VERSION,
                "UPDATE rd.referral SET patient_id = $3::bigint, referring_provider_id = $4::bigint,"
                " receiving_provider_id = $5::bigint, specialty = $6, reason = $7,"
                " diagnoses = $8::text[], procedures = $9::text[], priority = $10,"
                " due_at = $11::timestamptz, notes = $12, channel = coalesce($13, channel),"
                " direction = $14, received_at = coalesce($15::timestamptz, received_at)"
                " WHERE id = $1::bigint AND version = $2::bigint RETURNING id",
                params, G_N_ELEMENTS (params));
  }
}

/**
 * rd_repo_referral_save_finish:
 * @conn: a connection
 * @result: the result
 * @out_current: (out) (optional) (nullable) (transfer full): on
 *   %RD_STORE_ERROR_CONFLICT, the referral as someone else saved it
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the saved referral with its new version
 */
RdReferral *
rd_repo_referral_save_finish (RdConnection  *conn,
                              GAsyncResult  *result,
                              RdReferral   **out_current,
                              GError       **error)
{
  return finish_with_current (conn, result, rd_repo_referral_save_async, out_current, error);
}

/**
 * rd_repo_referral_transition_async:
 * @conn: a connection
 * @id: a referral
 * @version: the version the user saw
 * @status: the new state
 * @reason: (nullable): why (required when declining or cancelling)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the changed referral
 * @user_data: data for @callback
 *
 * Moves the referral to @status; the database records the event and
 * refuses changes DESIGN.md §5 does not allow (%RD_STORE_ERROR_INVALID_INPUT).
 * A stale @version fails with %RD_STORE_ERROR_CONFLICT and the current row.
 */
void
rd_repo_referral_transition_async (RdConnection        *conn,
                                   gint64               id,
                                   gint64               version,
                                   RdStatus             status,
                                   const char          *reason,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  g_autofree char *id_s = NULL;
  g_autofree char *version_s = NULL;

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_referral_transition_async, callback, user_data);
  id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  version_s = g_strdup_printf ("%" G_GINT64_FORMAT, version);
  {
    const char *params[] = { id_s, version_s, rd_status_to_string (status), reason };

    run_change (task, id, CONFLICT_VERSION,
                "SELECT id FROM rd.set_referral_status($1::bigint, $2::bigint, $3, $4)",
                params, G_N_ELEMENTS (params));
  }
}

/**
 * rd_repo_referral_transition_finish:
 * @conn: a connection
 * @result: the result
 * @out_current: (out) (optional) (nullable) (transfer full): on conflict,
 *   the current referral
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the referral in its new state
 */
RdReferral *
rd_repo_referral_transition_finish (RdConnection  *conn,
                                    GAsyncResult  *result,
                                    RdReferral   **out_current,
                                    GError       **error)
{
  return finish_with_current (conn, result, rd_repo_referral_transition_async, out_current, error);
}

/**
 * rd_repo_referral_assign_async:
 * @conn: a connection
 * @id: a referral
 * @version: the version the user saw
 * @assignee: (nullable): a login name, or %NULL for nobody
 * @queue_id: a work queue to move it to, or 0 to leave it
 * @cancellable: (nullable): a cancellable
 * @callback: called with the changed referral
 * @user_data: data for @callback
 *
 * Gives the referral to someone (or takes it back). Anyone may take
 * unassigned work for themselves or give their own back; giving work to
 * someone else or moving it between queues is for the team's leads — the
 * database refuses others with %RD_STORE_ERROR_PERMISSION_DENIED. A stale
 * @version fails with %RD_STORE_ERROR_CONFLICT and the current row.
 */
void
rd_repo_referral_assign_async (RdConnection        *conn,
                               gint64               id,
                               gint64               version,
                               const char          *assignee,
                               gint64               queue_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  g_autofree char *id_s = NULL;
  g_autofree char *version_s = NULL;
  g_autofree char *queue_s = NULL;

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_referral_assign_async, callback, user_data);
  id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  version_s = g_strdup_printf ("%" G_GINT64_FORMAT, version);
  queue_s = id_or_null (queue_id);
  {
    const char *params[] = { id_s, version_s, assignee, queue_s };

    run_change (task, id, CONFLICT_VERSION,
                "UPDATE rd.referral SET assignee = $3, queue_id = coalesce($4::bigint, queue_id)"
                " WHERE id = $1::bigint AND version = $2::bigint RETURNING id",
                params, G_N_ELEMENTS (params));
  }
}

/**
 * rd_repo_referral_assign_finish:
 * @conn: a connection
 * @result: the result
 * @out_current: (out) (optional) (nullable) (transfer full): on conflict,
 *   the current referral
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the referral with its new assignee
 */
RdReferral *
rd_repo_referral_assign_finish (RdConnection  *conn,
                                GAsyncResult  *result,
                                RdReferral   **out_current,
                                GError       **error)
{
  return finish_with_current (conn, result, rd_repo_referral_assign_async, out_current, error);
}

/* ------------------------------------------------------------------------ */
/* Claims                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * rd_repo_referral_claim_async:
 * @conn: a connection
 * @id: a referral
 * @lease_seconds: how long the claim lasts (30 s to 8 h; renew before)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the claimed referral
 * @user_data: data for @callback
 *
 * Takes the claim ("I am working on this"), or renews one's own. When
 * someone else holds a live claim, fails with %RD_STORE_ERROR_CONFLICT
 * naming them (and hands out the current row).
 */
void
rd_repo_referral_claim_async (RdConnection        *conn,
                              gint64               id,
                              guint                lease_seconds,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  g_autofree char *id_s = NULL;
  g_autofree char *lease_s = NULL;

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_referral_claim_async, callback, user_data);
  id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  lease_s = g_strdup_printf ("%u", lease_seconds);
  {
    const char *params[] = { id_s, lease_s };

    run_change (task, id, CONFLICT_CLAIM,
                "SELECT id FROM rd.claim_referral($1::bigint, make_interval(secs => $2::int))",
                params, G_N_ELEMENTS (params));
  }
}

/**
 * rd_repo_referral_claim_finish:
 * @conn: a connection
 * @result: the result
 * @out_current: (out) (optional) (nullable) (transfer full): on conflict,
 *   the referral with the other person's claim
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the referral with one's claim
 */
RdReferral *
rd_repo_referral_claim_finish (RdConnection  *conn,
                               GAsyncResult  *result,
                               RdReferral   **out_current,
                               GError       **error)
{
  return finish_with_current (conn, result, rd_repo_referral_claim_async, out_current, error);
}

static void
on_released (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, rd_result_get_n_rows (res) == 1 && rd_result_get_boolean (res, 0, 0));
}

/**
 * rd_repo_referral_release_async:
 * @conn: a connection
 * @id: a referral
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Releases one's own claim (when closing the referral).
 */
void
rd_repo_referral_release_async (RdConnection        *conn,
                                gint64               id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  g_autofree char *id_s = NULL;

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_referral_release_async, callback, user_data);
  id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  {
    const char *params[] = { id_s };

    rd_connection_query_async (conn, "SELECT rd.release_referral($1::bigint)", params, 1,
                               RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_released, task);
  }
}

/**
 * rd_repo_referral_release_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: %TRUE when one held the claim and it is released; %FALSE
 *   (without error) when there was none to release
 */
gboolean
rd_repo_referral_release_finish (RdConnection  *conn,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_referral_release_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_next (GObject      *source,
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
      g_task_return_pointer (task, NULL, NULL);
      g_object_unref (task);
    }
  else
    fetch (task, rd_result_get_int64 (res, 0, 0));
}

/**
 * rd_repo_referral_next_async:
 * @conn: a connection
 * @queue_id: a work queue, or 0 for all of one's queues
 * @lease_seconds: the claim's lease
 * @cancellable: (nullable): a cancellable
 * @callback: called with the referral to work on
 * @user_data: data for @callback
 *
 * Hands out and claims the most urgent unclaimed new referral; two people
 * asking at once never get the same one.
 */
void
rd_repo_referral_next_async (RdConnection        *conn,
                             gint64               queue_id,
                             guint                lease_seconds,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  g_autofree char *queue_s = NULL;
  g_autofree char *lease_s = NULL;

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_referral_next_async, callback, user_data);
  queue_s = id_or_null (queue_id);
  lease_s = g_strdup_printf ("%u", lease_seconds);
  {
    const char *params[] = { queue_s, lease_s };

    rd_connection_query_async (conn,
                               "SELECT id FROM rd.next_referral($1::bigint, make_interval(secs => $2::int))",
                               params, 2, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_next, task);
  }
}

/**
 * rd_repo_referral_next_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (nullable): the claimed referral, or %NULL
 *   (without error) when there is nothing to hand out
 */
RdReferral *
rd_repo_referral_next_finish (RdConnection  *conn,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_referral_next_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
