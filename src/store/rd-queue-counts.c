/* rd-queue-counts.c — the sidebar's live counts, in one query, as the signed-in person
 *
 * One statement counts everything the sidebar shows, so the numbers agree
 * with each other. It runs as the person on their own connection: row-level
 * security decides what is counted, never this code. Change notifications
 * for referrals and documents schedule a refresh after a short quiet time
 * (debounced), so a burst of changes costs one query; a refresh requested
 * while one runs is run once after it.
 *
 * Cost: one pass over the open referrals of the person's queues (partial
 * worklist index) plus the recently closed ones; that grows with the open
 * work, not with history.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-queue-counts.h"

#define DEFAULT_DEBOUNCE_MS 300

#define OPEN_STATUSES "('new', 'triage', 'pending_info', 'pending_auth', " \
                      "'accepted', 'scheduled', 'no_show', 'seen')"

static const char counts_sql[] =
  "WITH mine AS (SELECT rd.my_queue_ids() AS ids),"
  " open AS (SELECT r.queue_id, r.assignee, r.due_at < now() AS overdue,"
  "                 r.priority_rank >= 1 AS urgent"
  "          FROM rd.referral r"
  "          WHERE r.status IN " OPEN_STATUSES " AND r.queue_id = ANY ((SELECT ids FROM mine)::bigint[]))"
  " SELECT 2 AS kind, q.id, q.name, t.name,"
  "        count(o.queue_id), count(o.queue_id) FILTER (WHERE o.overdue),"
  "        count(o.queue_id) FILTER (WHERE o.urgent)"
  " FROM rd.work_queue q JOIN rd.team t ON t.id = q.team_id"
  " LEFT JOIN open o ON o.queue_id = q.id"
  " WHERE q.id = ANY ((SELECT ids FROM mine)::bigint[]) AND q.active"
  " GROUP BY q.id, q.name, t.name"
  " UNION ALL"
  " SELECT 0, 0, NULL, NULL, count(*), count(*) FILTER (WHERE overdue), count(*) FILTER (WHERE urgent)"
  " FROM open WHERE assignee = session_user"
  " UNION ALL"
  " SELECT 3, 0, NULL, NULL, count(*), count(*), count(*) FILTER (WHERE urgent) FROM open WHERE overdue"
  " UNION ALL"
  " SELECT 4, 0, NULL, NULL, count(*), count(*) FILTER (WHERE overdue), count(*) FROM open WHERE urgent"
  " UNION ALL"
  " SELECT 5, 0, NULL, NULL, count(*), 0, 0 FROM rd.referral r"
  " WHERE r.closed_at >= now() - interval '7 days' AND r.queue_id = ANY ((SELECT ids FROM mine)::bigint[])"
  " UNION ALL"
  " SELECT 1, 0, NULL, NULL, count(*), 0, 0 FROM rd.document d"
  " WHERE d.status = 'unfiled' AND d.queue_id = ANY ((SELECT ids FROM mine)::bigint[])"
  " ORDER BY 1, 4, 3, 2";

struct _RdQueueCounts
{
  GObject       parent_instance;

  RdConnection *connection;
  RdListener   *listener;
  gulong        changed_id;
  gulong        resync_id;
  GCancellable *cancellable;
  GArray       *entries;       /* RdCountEntry */
  GError       *error;
  guint         debounce_ms;
  guint         debounce_id;
  guint         n_refreshes;
  gboolean      running;
  gboolean      again;
  gboolean      loaded;
};

G_DEFINE_FINAL_TYPE (RdQueueCounts, rd_queue_counts, G_TYPE_OBJECT)

enum {
  UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
entry_clear (gpointer data)
{
  RdCountEntry *e = data;

  g_clear_pointer (&e->queue_name, g_free);
  g_clear_pointer (&e->team_name, g_free);
}

static void run_refresh (RdQueueCounts *self);

static void
on_counts_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RdQueueCounts) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);

  self->running = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_error (&self->error);
  if (res == NULL)
    {
      g_debug ("sidebar counts failed: %s %d", g_quark_to_string (error->domain), error->code);
      self->error = g_steal_pointer (&error);
    }
  else
    {
      int n = rd_result_get_n_rows (res);

      g_array_set_size (self->entries, 0);
      for (int i = 0; i < n; i++)
        {
          RdCountEntry e = { 0 };

          e.kind = rd_result_get_int (res, i, 0);
          e.queue_id = rd_result_get_int64 (res, i, 1);
          e.queue_name = g_strdup (rd_result_get_string (res, i, 2));
          e.team_name = g_strdup (rd_result_get_string (res, i, 3));
          e.total = rd_result_get_int64 (res, i, 4);
          e.overdue = rd_result_get_int64 (res, i, 5);
          e.urgent = rd_result_get_int64 (res, i, 6);
          g_array_append_val (self->entries, e);
        }
      self->loaded = TRUE;
      self->n_refreshes++;
    }

  g_signal_emit (self, signals[UPDATED], 0);

  if (self->again)
    {
      self->again = FALSE;
      run_refresh (self);
    }
}

static void
run_refresh (RdQueueCounts *self)
{
  if (self->connection == NULL)
    return;
  if (self->running)
    {
      self->again = TRUE;
      return;
    }
  self->running = TRUE;
  rd_connection_query_async (self->connection, counts_sql, NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT,
                             self->cancellable, on_counts_done, g_object_ref (self));
}

static gboolean
on_debounce (gpointer user_data)
{
  RdQueueCounts *self = user_data;

  self->debounce_id = 0;
  run_refresh (self);
  return G_SOURCE_REMOVE;
}

/**
 * rd_queue_counts_refresh:
 * @self: counts
 *
 * Counts again after the debounce time; requests within it are merged.
 */
void
rd_queue_counts_refresh (RdQueueCounts *self)
{
  g_return_if_fail (RD_IS_QUEUE_COUNTS (self));

  if (self->debounce_id == 0)
    self->debounce_id = g_timeout_add (self->debounce_ms, on_debounce, self);
}

static void
on_listener_changed (RdListener *listener,
                     const char *table,
                     gint64      id,
                     gint64      version,
                     const char *op,
                     gpointer    user_data)
{
  if (g_strcmp0 (table, "referral") == 0 || g_strcmp0 (table, "document") == 0 ||
      g_strcmp0 (table, "work_queue") == 0 || g_strcmp0 (table, "team") == 0)
    rd_queue_counts_refresh (RD_QUEUE_COUNTS (user_data));
}

static void
on_listener_resync (RdListener *listener,
                    gpointer    user_data)
{
  rd_queue_counts_refresh (RD_QUEUE_COUNTS (user_data));
}

static void
rd_queue_counts_dispose (GObject *object)
{
  RdQueueCounts *self = RD_QUEUE_COUNTS (object);

  rd_queue_counts_follow (self, NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (rd_queue_counts_parent_class)->dispose (object);
}

static void
rd_queue_counts_finalize (GObject *object)
{
  RdQueueCounts *self = RD_QUEUE_COUNTS (object);

  g_clear_object (&self->cancellable);
  g_array_unref (self->entries);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (rd_queue_counts_parent_class)->finalize (object);
}

static void
rd_queue_counts_class_init (RdQueueCountsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_queue_counts_dispose;
  object_class->finalize = rd_queue_counts_finalize;

  /**
   * RdQueueCounts::updated:
   * @self: the counts
   *
   * New numbers arrived (or the refresh failed: see rd_queue_counts_get_error()).
   */
  signals[UPDATED] =
    g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rd_queue_counts_init (RdQueueCounts *self)
{
  self->entries = g_array_new (FALSE, TRUE, sizeof (RdCountEntry));
  g_array_set_clear_func (self->entries, entry_clear);
  self->cancellable = g_cancellable_new ();
  self->debounce_ms = DEFAULT_DEBOUNCE_MS;
}

/**
 * rd_queue_counts_new:
 * @connection: (nullable): the signed-in person's connection
 *
 * Returns: (transfer full): counts; the first refresh starts at once
 */
RdQueueCounts *
rd_queue_counts_new (RdConnection *connection)
{
  RdQueueCounts *self = g_object_new (RD_TYPE_QUEUE_COUNTS, NULL);

  rd_queue_counts_set_connection (self, connection);
  return self;
}

/**
 * rd_queue_counts_set_connection:
 * @self: counts
 * @connection: (nullable): the connection to count on
 */
void
rd_queue_counts_set_connection (RdQueueCounts *self,
                                RdConnection  *connection)
{
  g_return_if_fail (RD_IS_QUEUE_COUNTS (self));

  if (!g_set_object (&self->connection, connection))
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->running = FALSE;
  self->loaded = FALSE;
  g_array_set_size (self->entries, 0);
  run_refresh (self);
}

/**
 * rd_queue_counts_follow:
 * @self: counts
 * @listener: (nullable): change notifications that trigger a refresh
 */
void
rd_queue_counts_follow (RdQueueCounts *self,
                        RdListener    *listener)
{
  g_return_if_fail (RD_IS_QUEUE_COUNTS (self));

  if (self->listener != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->listener);
      g_clear_signal_handler (&self->resync_id, self->listener);
      g_clear_object (&self->listener);
    }
  if (listener == NULL)
    return;
  self->listener = g_object_ref (listener);
  self->changed_id = g_signal_connect_object (listener, "changed",
                                              G_CALLBACK (on_listener_changed), self, 0);
  self->resync_id = g_signal_connect_object (listener, "resync",
                                             G_CALLBACK (on_listener_resync), self, 0);
}

/**
 * rd_queue_counts_set_debounce:
 * @self: counts
 * @ms: quiet time before counting again after a change
 */
void
rd_queue_counts_set_debounce (RdQueueCounts *self,
                              guint          ms)
{
  g_return_if_fail (RD_IS_QUEUE_COUNTS (self));
  self->debounce_ms = ms;
}

/**
 * rd_queue_counts_is_loaded:
 * @self: counts
 *
 * Returns: whether numbers have arrived
 */
gboolean
rd_queue_counts_is_loaded (RdQueueCounts *self)
{
  g_return_val_if_fail (RD_IS_QUEUE_COUNTS (self), FALSE);
  return self->loaded;
}

/**
 * rd_queue_counts_get_error:
 * @self: counts
 *
 * Returns: (nullable): why the last refresh failed
 */
const GError *
rd_queue_counts_get_error (RdQueueCounts *self)
{
  g_return_val_if_fail (RD_IS_QUEUE_COUNTS (self), NULL);
  return self->error;
}

/**
 * rd_queue_counts_get_n_entries:
 * @self: counts
 *
 * Returns: how many entries: my work, inbox, one per queue (by team and
 *   name), overdue, urgent, closed recently
 */
guint
rd_queue_counts_get_n_entries (RdQueueCounts *self)
{
  g_return_val_if_fail (RD_IS_QUEUE_COUNTS (self), 0);
  return self->entries->len;
}

/**
 * rd_queue_counts_get_entry:
 * @self: counts
 * @index: below rd_queue_counts_get_n_entries()
 *
 * Returns: (transfer none): the entry, valid until the next "updated"
 */
const RdCountEntry *
rd_queue_counts_get_entry (RdQueueCounts *self,
                           guint          index)
{
  g_return_val_if_fail (RD_IS_QUEUE_COUNTS (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);
  return &g_array_index (self->entries, RdCountEntry, index);
}

/**
 * rd_queue_counts_lookup:
 * @self: counts
 * @kind: what
 * @queue_id: the queue for %RD_COUNT_QUEUE, else 0
 *
 * Returns: (transfer none) (nullable): the entry, valid until the next "updated"
 */
const RdCountEntry *
rd_queue_counts_lookup (RdQueueCounts *self,
                        RdCountKind    kind,
                        gint64         queue_id)
{
  g_return_val_if_fail (RD_IS_QUEUE_COUNTS (self), NULL);

  for (guint i = 0; i < self->entries->len; i++)
    {
      const RdCountEntry *e = &g_array_index (self->entries, RdCountEntry, i);
      if (e->kind == kind && (kind != RD_COUNT_QUEUE || e->queue_id == queue_id))
        return e;
    }
  return NULL;
}

/**
 * rd_queue_counts_get_n_refreshes:
 * @self: counts
 *
 * Returns: how many refreshes have completed (for tests and benchmarks)
 */
guint
rd_queue_counts_get_n_refreshes (RdQueueCounts *self)
{
  g_return_val_if_fail (RD_IS_QUEUE_COUNTS (self), 0);
  return self->n_refreshes;
}
