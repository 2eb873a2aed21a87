/* rd-referral-list.c — the worklist as a paged GListModel of RdReferral
 *
 * How it stays fast with hundreds of thousands of rows and never loads them
 * all:
 *
 * - The model is an array of slots, one per position. A slot is either a
 *   loaded row (an RdReferral plus its sort key) or a hole (NULL, or a
 *   placeholder RdReferral with id 0 once someone asked for it). The number of
 *   slots starts as the count of matching rows; holes are an estimate and are
 *   corrected as pages arrive (the key of the rows, not their position, is the
 *   truth).
 * - Asking for a hole (get_item) schedules one fetch: keyset pagination
 *   forward from the loaded row before the hole (or from the start), or
 *   backward from the loaded row after it (or from the end: the last rows of
 *   200,000 come from one reversed index scan). Only a jump far into the middle
 *   uses OFFSET once, to find a place to start from; the rows around it then
 *   come by key again.
 * - A keyset condition on a mixed-direction key (priority DESC, due ASC, id
 *   ASC) is sent as a UNION ALL of index ranges, one per key column, each with
 *   its own LIMIT: every branch is an index range scan on the schema's
 *   worklist index instead of one OR that the planner cannot use. The
 *   branches read ids and keys only (from rd.referral itself unless a search
 *   or the patient sort needs the patient); the view's joins run for the
 *   page's rows alone, one primary-key lookup each.
 * - Fetched rows are merged by key: holes are filled, a row that is already
 *   loaded is updated in place, rows the hole had no room for are inserted,
 *   and loaded rows inside a fetched range that the server no longer returns
 *   are removed. An id is never in two slots.
 * - Live: rd_referral_list_row_changed() refetches one row with the filter;
 *   it is updated in place (same object, so the selection stays), removed when
 *   it no longer matches, or inserted at its sorted place. resync() refetches
 *   every loaded run by key without touching the positions before it.
 * - Sort keys are compared on the client too (to place a changed row), so
 *   they are fetched in forms that compare the same on both sides: integers,
 *   timestamps as microseconds since the epoch, and names lower-cased with
 *   the "C" collation (code point order).
 * - The count is exact up to 10,000 rows; above that the planner's estimate
 *   is used (cheap, possibly off), and the holes at the end shrink or grow when
 *   the list is scrolled there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-lifecycle.h"
#include "rd-priority.h"
#include "rd-referral-list.h"
#include "rd-store-error.h"

#define DEFAULT_PAGE_SIZE  100
#define EXACT_COUNT_LIMIT  10000
#define MAX_KEYS           4
#define FAR_PAGES          3
#define RETRY_SECONDS      2
/* Memory stays flat however far one scrolls: above MAX_LOADED rows, rows
 * farther than KEEP_AROUND from where the reader is become holes again. */
#define MAX_LOADED         4000
#define KEEP_AROUND        1500

/* The statuses the partial worklist index covers (rd.status_is_open()). */
#define OPEN_STATUSES "('new', 'triage', 'pending_info', 'pending_auth', " \
                      "'accepted', 'scheduled', 'no_show', 'seen')"

/* ------------------------------------------------------------------------ */
/* Filter                                                                   */

G_DEFINE_BOXED_TYPE (RdReferralQuery, rd_referral_query,
                     rd_referral_query_copy, rd_referral_query_free)

G_DEFINE_ENUM_TYPE (RdReferralListState, rd_referral_list_state,
  G_DEFINE_ENUM_VALUE (RD_REFERRAL_LIST_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (RD_REFERRAL_LIST_STATE_LOADING, "loading"),
  G_DEFINE_ENUM_VALUE (RD_REFERRAL_LIST_STATE_READY, "ready"),
  G_DEFINE_ENUM_VALUE (RD_REFERRAL_LIST_STATE_ERROR, "error"))

/**
 * rd_referral_query_new:
 *
 * Returns: (transfer full): a filter for every open referral one may see,
 *   most urgent first
 */
RdReferralQuery *
rd_referral_query_new (void)
{
  RdReferralQuery *filter = g_new0 (RdReferralQuery, 1);

  filter->direction = -1;
  return filter;
}

/**
 * rd_referral_query_copy:
 * @filter: a filter
 *
 * Returns: (transfer full): a deep copy
 */
RdReferralQuery *
rd_referral_query_copy (const RdReferralQuery *filter)
{
  RdReferralQuery *copy;

  g_return_val_if_fail (filter != NULL, NULL);

  copy = g_memdup2 (filter, sizeof *filter);
  copy->assignee_login = g_strdup (filter->assignee_login);
  copy->channel = g_strdup (filter->channel);
  copy->search = g_strdup (filter->search);
  copy->received_from = filter->received_from ? g_date_time_ref (filter->received_from) : NULL;
  copy->received_to = filter->received_to ? g_date_time_ref (filter->received_to) : NULL;
  return copy;
}

/**
 * rd_referral_query_free:
 * @filter: (nullable): a filter
 */
void
rd_referral_query_free (RdReferralQuery *filter)
{
  if (filter == NULL)
    return;
  g_free (filter->assignee_login);
  g_free (filter->channel);
  g_free (filter->search);
  g_clear_pointer (&filter->received_from, g_date_time_unref);
  g_clear_pointer (&filter->received_to, g_date_time_unref);
  g_free (filter);
}

static gboolean
dt_equal (GDateTime *a,
          GDateTime *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_date_time_equal (a, b);
}

/**
 * rd_referral_query_equal:
 * @a: a filter
 * @b: another
 *
 * Returns: whether both select and order the same rows
 */
gboolean
rd_referral_query_equal (const RdReferralQuery *a,
                          const RdReferralQuery *b)
{
  return a->queue_id == b->queue_id &&
         a->closed_recently == b->closed_recently &&
         a->overdue == b->overdue &&
         a->urgent == b->urgent &&
         a->status_mask == b->status_mask &&
         a->priority_mask == b->priority_mask &&
         a->assignee == b->assignee &&
         g_strcmp0 (a->assignee_login, b->assignee_login) == 0 &&
         a->payer_id == b->payer_id &&
         g_strcmp0 (a->channel, b->channel) == 0 &&
         a->direction == b->direction &&
         dt_equal (a->received_from, b->received_from) &&
         dt_equal (a->received_to, b->received_to) &&
         g_strcmp0 (a->search, b->search) == 0 &&
         a->sort == b->sort;
}

static GDateTime *
start_of_day (const GDate *date,
              GTimeZone   *tz)
{
  return g_date_time_new (tz, g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date), 0, 0, 0);
}

/**
 * rd_referral_query_set_received_days:
 * @filter: a filter
 * @first: (nullable): the first day of the range, or %NULL for no start
 * @last: (nullable): the last day of the range (all of it), or %NULL for
 *   no end
 * @tz: (nullable): the time zone the days are in; %NULL for local time
 *
 * Sets @filter's received_from to the start of @first and received_to to
 * the start of the day after @last, both in @tz, so that a referral
 * received at any time of the last day matches and one received at
 * midnight after it does not, whatever the length of the days (daylight
 * saving time).
 */
void
rd_referral_query_set_received_days (RdReferralQuery *filter,
                                     const GDate     *first,
                                     const GDate     *last,
                                     GTimeZone       *tz)
{
  g_autoptr(GTimeZone) local = NULL;

  g_return_if_fail (filter != NULL);

  if (tz == NULL)
    tz = local = g_time_zone_new_local ();
  g_clear_pointer (&filter->received_from, g_date_time_unref);
  g_clear_pointer (&filter->received_to, g_date_time_unref);
  if (first != NULL && g_date_valid (first))
    filter->received_from = start_of_day (first, tz);
  if (last != NULL && g_date_valid (last))
    {
      GDate next = *last;

      g_date_add_days (&next, 1);
      filter->received_to = start_of_day (&next, tz);
    }
}

/* ------------------------------------------------------------------------ */
/* Sort keys                                                                */

typedef enum {
  KEY_INT,        /* compared as a number; sent as is */
  KEY_TIME,       /* timestamptz; fetched and sent as microseconds */
  KEY_TEXT,       /* compared byte-wise ("C" collation) */
} KeyType;

/* A nullable key must be ascending: NULLs then sort last (PostgreSQL's
 * default for ASC, which the indexes use), and the keyset and compare code
 * below rely on it. */
typedef struct {
  const char *col;        /* the expression the index is on */
  KeyType     type;
  gboolean    asc;        /* in the list's own order */
  gboolean    nullable;   /* NULLs sort last when ascending, first when descending */
} KeySpec;

typedef struct {
  const KeySpec *keys;
  guint          n_keys;
} SortSpec;

#define STATUS_ORD "array_position(ARRAY['new', 'triage', 'pending_info', 'pending_auth', " \
                   "'accepted', 'scheduled', 'no_show', 'seen', 'completed', 'declined', " \
                   "'cancelled', 'expired']::text[], w.status)"

static const KeySpec priority_keys[] = {
  { "w.priority_rank", KEY_INT, FALSE, FALSE },
  { "w.due_at", KEY_TIME, TRUE, TRUE },
  { "w.id", KEY_INT, TRUE, FALSE },
};
static const KeySpec received_keys[] = {
  { "w.received_at", KEY_TIME, FALSE, FALSE },
  { "w.id", KEY_INT, FALSE, FALSE },
};
static const KeySpec patient_keys[] = {
  { "lower(w.patient_name) COLLATE \"C\"", KEY_TEXT, TRUE, TRUE },
  { "w.id", KEY_INT, TRUE, FALSE },
};
static const KeySpec status_keys[] = {
  { STATUS_ORD, KEY_INT, TRUE, FALSE },
  { "w.priority_rank", KEY_INT, FALSE, FALSE },
  { "w.due_at", KEY_TIME, TRUE, TRUE },
  { "w.id", KEY_INT, TRUE, FALSE },
};

static SortSpec
sort_spec (RdReferralSort sort)
{
  switch (sort)
    {
    case RD_REFERRAL_SORT_RECEIVED:
      return (SortSpec) { received_keys, G_N_ELEMENTS (received_keys) };
    case RD_REFERRAL_SORT_PATIENT:
      return (SortSpec) { patient_keys, G_N_ELEMENTS (patient_keys) };
    case RD_REFERRAL_SORT_STATUS:
      return (SortSpec) { status_keys, G_N_ELEMENTS (status_keys) };
    case RD_REFERRAL_SORT_PRIORITY:
    default:
      return (SortSpec) { priority_keys, G_N_ELEMENTS (priority_keys) };
    }
}

/* ------------------------------------------------------------------------ */
/* Slots                                                                    */

typedef struct {
  RdReferral *item;              /* the row, or a placeholder when !loaded */
  char       *key[MAX_KEYS];     /* text as fetched; NULL for SQL NULL */
  gint64      ikey[MAX_KEYS];    /* parsed KEY_INT / KEY_TIME values */
  guint       loaded : 1;
} Row;

static void
row_free (Row *row)
{
  if (row == NULL)
    return;
  g_clear_object (&row->item);
  for (guint i = 0; i < MAX_KEYS; i++)
    g_free (row->key[i]);
  g_free (row);
}

typedef enum {
  FETCH_FORWARD,     /* after an anchor row (or from the start) */
  FETCH_BACKWARD,    /* before an anchor row (or from the end) */
  FETCH_OFFSET,      /* a jump: rows at an offset */
  FETCH_RESYNC,      /* a loaded run again, from its first row inclusive */
  FETCH_ROW,         /* one row by id */
  FETCH_COUNT,
} FetchKind;

struct _RdReferralList
{
  GObject           parent_instance;

  RdConnection     *connection;
  RdReferralQuery *filter;
  SortSpec          spec;
  guint             page_size;

  GPtrArray        *slots;        /* Row* or NULL */
  GHashTable       *by_id;        /* gint64* id → Row* (loaded rows only) */

  RdReferralListState state;
  GError           *error;
  guint             generation;
  GCancellable     *cancellable;
  guint             n_pending;
  gboolean          count_exact;
  gboolean          fetch_in_flight;
  guint             fetch_idle_id;
  gint64            want_lo;       /* positions asked for since the last fetch; -1 none */
  gint64            want_hi;
  gint64            last_fetch_pos;
  gboolean          end_known;     /* the first page held every row */
  guint             retry_id;

  RdListener       *listener;
  gulong            changed_id;
  gulong            resync_id;

  /* While a page is merged, adjacent changes are told as one
   * items-changed: a list view pays for each signal, and a page told row
   * by row held the main loop for over 100 ms. */
  gboolean          batching;
  guint             batch_pos;
  guint             batch_removed;
  guint             batch_added;
};

typedef struct {
  RdReferralList *self;
  guint           generation;
  FetchKind       kind;
  Row            *anchor;        /* a loaded row (borrowed; checked still present) */
  gint64          anchor_id;
  guint           limit;
  guint           start_hint;    /* FETCH_OFFSET: the position asked for */
  gint64          row_id;        /* FETCH_ROW */
  gboolean        estimate;      /* FETCH_COUNT: an EXPLAIN, not a count */
  gboolean        first_page;    /* FETCH_FORWARD sent by reload() */
} Fetch;


static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RdReferralList, rd_referral_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_STATE,
  PROP_BUSY,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule_fetch (RdReferralList *self);

/* ------------------------------------------------------------------------ */
/* Comparing                                                                */

static int
compare_keys (RdReferralList *self,
              const Row      *a,
              const Row      *b)
{
  for (guint i = 0; i < self->spec.n_keys; i++)
    {
      const KeySpec *k = &self->spec.keys[i];
      gboolean an = a->key[i] == NULL, bn = b->key[i] == NULL;
      int c;

      if (an || bn)
        {
          if (an && bn)
            continue;
          /* PostgreSQL's defaults: NULLS LAST for ASC, NULLS FIRST for DESC,
           * which in the list's own order is always "after". */
          c = an ? 1 : -1;
          return c;
        }
      if (k->type == KEY_TEXT)
        c = strcmp (a->key[i], b->key[i]);
      else
        c = a->ikey[i] < b->ikey[i] ? -1 : a->ikey[i] > b->ikey[i] ? 1 : 0;
      if (c != 0)
        return k->asc ? (c < 0 ? -1 : 1) : (c < 0 ? 1 : -1);
    }
  return 0;
}

static inline Row *
slot_at (RdReferralList *self,
         guint           pos)
{
  return g_ptr_array_index (self->slots, pos);
}

static inline gboolean
slot_loaded (RdReferralList *self,
             guint           pos)
{
  Row *row = slot_at (self, pos);
  return row != NULL && row->loaded;
}

static gint64
find_row (RdReferralList *self,
          Row            *row)
{
  for (guint i = 0; i < self->slots->len; i++)
    if (g_ptr_array_index (self->slots, i) == row)
      return i;
  return -1;
}

/* ------------------------------------------------------------------------ */
/* Reading rows                                                             */

static const char *select_columns =
  "w.id, w.version, w.number, w.direction, w.channel, w.received_at, w.patient_id, "
  "w.referring_provider_id, w.receiving_provider_id, w.specialty, w.priority, w.status, "
  "w.queue_id, w.assignee, w.due_at, w.claimed_by, w.claimed_until, w.closed_at, "
  "w.updated_at, w.updated_by, w.patient_name, w.patient_dob, w.patient_mrn, "
  "w.referring_name, w.receiving_name, w.payer_name, w.assignee_name, w.claimed_by_name, "
  "w.queue_name";
#define N_SELECT_COLUMNS 29

static void
set_string (RdReferral *r,
            const char *prop,
            RdResult   *res,
            int         row,
            int         col)
{
  g_object_set (r, prop, rd_result_get_string (res, row, col), NULL);
}

static void
set_time (RdReferral *r,
          const char *prop,
          RdResult   *res,
          int         row,
          int         col)
{
  g_autoptr(GDateTime) dt = rd_result_dup_datetime (res, row, col);
  g_object_set (r, prop, dt, NULL);
}

static gint64
get_int64_or_0 (RdResult *res,
                int       row,
                int       col)
{
  return rd_result_is_null (res, row, col) ? 0 : rd_result_get_int64 (res, row, col);
}

static RdReferral *
referral_from_result (RdResult *res,
                      int       row)
{
  RdReferral *r = rd_referral_new ();
  RdStatus status = RD_STATUS_NEW;
  RdPriority priority = RD_PRIORITY_ROUTINE;
  RdDirection direction = RD_DIRECTION_INCOMING;

  rd_status_from_string (rd_result_get_string (res, row, 11), &status);
  rd_priority_from_string (rd_result_get_string (res, row, 10), &priority);
  rd_direction_from_string (rd_result_get_string (res, row, 3), &direction);

  g_object_freeze_notify (G_OBJECT (r));
  g_object_set (r,
                "id", rd_result_get_int64 (res, row, 0),
                "version", rd_result_get_int64 (res, row, 1),
                "direction", (int) direction,
                "patient-id", get_int64_or_0 (res, row, 6),
                "referring-provider-id", get_int64_or_0 (res, row, 7),
                "receiving-provider-id", get_int64_or_0 (res, row, 8),
                "priority", (int) priority,
                "status", (int) status,
                "queue-id", get_int64_or_0 (res, row, 12),
                NULL);
  set_string (r, "number", res, row, 2);
  set_string (r, "channel", res, row, 4);
  set_time (r, "received-at", res, row, 5);
  set_string (r, "specialty", res, row, 9);
  set_string (r, "assignee", res, row, 13);
  set_time (r, "due-at", res, row, 14);
  set_string (r, "claimed-by", res, row, 15);
  set_time (r, "claimed-until", res, row, 16);
  set_time (r, "closed-at", res, row, 17);
  set_time (r, "updated-at", res, row, 18);
  set_string (r, "updated-by", res, row, 19);
  set_string (r, "patient-name", res, row, 20);
  set_string (r, "patient-dob", res, row, 21);
  set_string (r, "patient-mrn", res, row, 22);
  set_string (r, "referring-name", res, row, 23);
  set_string (r, "receiving-name", res, row, 24);
  set_string (r, "payer-name", res, row, 25);
  set_string (r, "assignee-name", res, row, 26);
  set_string (r, "claimed-by-name", res, row, 27);
  set_string (r, "queue-name", res, row, 28);
  g_object_thaw_notify (G_OBJECT (r));
  return r;
}

static Row *
row_from_result (RdReferralList *self,
                 RdResult       *res,
                 int             i)
{
  Row *row = g_new0 (Row, 1);

  row->item = referral_from_result (res, i);
  row->loaded = TRUE;
  for (guint k = 0; k < self->spec.n_keys; k++)
    {
      int col = N_SELECT_COLUMNS + k;

      if (rd_result_is_null (res, i, col))
        continue;
      row->key[k] = g_strdup (rd_result_get_string (res, i, col));
      if (self->spec.keys[k].type != KEY_TEXT)
        row->ikey[k] = g_ascii_strtoll (row->key[k], NULL, 10);
    }
  return row;
}

static gboolean
strv_equal0 (const char * const *a,
             const char * const *b)
{
  if (a == NULL || b == NULL)
    return (a == NULL || !*a) && (b == NULL || !*b);
  return g_strv_equal (a, b);
}

/* Copies every property that differs, so that the same object (and the
 * selection on it) stays, and bound cells hear "notify". */
static void
update_referral_in_place (RdReferral *dest,
                          RdReferral *src)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n = 0;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (src), &n);
  g_object_freeze_notify (G_OBJECT (dest));
  for (guint i = 0; i < n; i++)
    {
      g_auto(GValue) a = G_VALUE_INIT;
      g_auto(GValue) b = G_VALUE_INIT;
      gboolean differ;

      if (!(pspecs[i]->flags & G_PARAM_WRITABLE))
        continue;
      g_value_init (&a, pspecs[i]->value_type);
      g_value_init (&b, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (src), pspecs[i]->name, &a);
      g_object_get_property (G_OBJECT (dest), pspecs[i]->name, &b);
      if (G_VALUE_HOLDS (&a, G_TYPE_DATE_TIME))
        differ = !dt_equal (g_value_get_boxed (&a), g_value_get_boxed (&b));
      else if (G_VALUE_HOLDS (&a, G_TYPE_STRV))
        differ = !strv_equal0 (g_value_get_boxed (&a), g_value_get_boxed (&b));
      else
        differ = g_param_values_cmp (pspecs[i], &a, &b) != 0;
      if (differ)
        g_object_set_property (G_OBJECT (dest), pspecs[i]->name, &a);
    }
  g_object_thaw_notify (G_OBJECT (dest));
}

/* ------------------------------------------------------------------------ */
/* Changing slots (each emits items-changed at once, or at the end of a     */
/* batch of adjacent changes)                                               */

static void
tell_changed (RdReferralList *self,
              guint           pos,
              guint           removed,
              guint           added)
{
  if (removed == 0 && added == 0)
    return;
  g_list_model_items_changed (G_LIST_MODEL (self), pos, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
batch_flush (RdReferralList *self)
{
  guint pos = self->batch_pos, removed = self->batch_removed, added = self->batch_added;

  self->batch_removed = self->batch_added = 0;
  tell_changed (self, pos, removed, added);
}

/* Starts collecting changes; batch_end() tells them. No handler runs in
 * between, so nothing may read the model from outside meanwhile. */
static void
batch_begin (RdReferralList *self)
{
  g_assert (!self->batching);
  self->batching = TRUE;
  self->batch_removed = self->batch_added = 0;
}

static void
batch_end (RdReferralList *self)
{
  g_assert (self->batching);
  self->batching = FALSE;
  batch_flush (self);
}

static void
emit_changed (RdReferralList *self,
              guint           pos,
              guint           removed,
              guint           added)
{
  if (removed == 0 && added == 0)
    return;
  if (!self->batching)
    {
      tell_changed (self, pos, removed, added);
      return;
    }
  /* batch_before() made sure that a pending change is right before this
   * one: its removed rows are the old rows that followed the pending
   * removed ones. */
  if (self->batch_removed > 0 || self->batch_added > 0)
    {
      g_assert (pos == self->batch_pos + self->batch_added);
      self->batch_removed += removed;
      self->batch_added += added;
      return;
    }
  self->batch_pos = pos;
  self->batch_removed = removed;
  self->batch_added = added;
}

/* Called before the slots change at @pos: a pending change that the new
 * one does not directly follow is told first, while the slots are still
 * exactly what it describes. */
static void
batch_before (RdReferralList *self,
              guint           pos)
{
  if (self->batching && (self->batch_removed > 0 || self->batch_added > 0) &&
      pos != self->batch_pos + self->batch_added)
    batch_flush (self);
}

static void
forget_row (RdReferralList *self,
            Row            *row)
{
  if (row != NULL && row->loaded)
    {
      gint64 id = rd_referral_get_id (row->item);
      if (g_hash_table_lookup (self->by_id, &id) == row)
        g_hash_table_remove (self->by_id, &id);
    }
}

static void
remember_row (RdReferralList *self,
              Row            *row)
{
  gint64 *id = g_new (gint64, 1);

  *id = rd_referral_get_id (row->item);
  g_hash_table_replace (self->by_id, id, row);
}

static void
remove_range (RdReferralList *self,
              guint           pos,
              guint           n)
{
  if (n == 0)
    return;
  batch_before (self, pos);
  for (guint i = pos; i < pos + n; i++)
    forget_row (self, slot_at (self, i));
  g_ptr_array_remove_range (self->slots, pos, n);
  emit_changed (self, pos, n, 0);
}

static void
insert_holes (RdReferralList *self,
              guint           pos,
              guint           n)
{
  if (n == 0)
    return;
  batch_before (self, pos);
  g_ptr_array_set_size (self->slots, self->slots->len + n);
  memmove (&self->slots->pdata[pos + n], &self->slots->pdata[pos],
           (self->slots->len - n - pos) * sizeof (gpointer));
  for (guint i = pos; i < pos + n; i++)
    self->slots->pdata[i] = NULL;
  emit_changed (self, pos, 0, n);
}

static void
insert_row (RdReferralList *self,
            guint           pos,
            Row            *row)
{
  batch_before (self, pos);
  g_ptr_array_insert (self->slots, pos, row);
  remember_row (self, row);
  emit_changed (self, pos, 0, 1);
}

/* @old stays (the same object, heard by whoever holds it); its data and
 * sort key become @fresh's. */
static void
take_row (Row *old,
          Row *fresh)
{
  update_referral_in_place (old->item, fresh->item);
  for (guint i = 0; i < MAX_KEYS; i++)
    {
      g_free (old->key[i]);
      old->key[i] = g_steal_pointer (&fresh->key[i]);
      old->ikey[i] = fresh->ikey[i];
    }
}

static void
fill_slot (RdReferralList *self,
           guint           pos,
           Row            *row)
{
  Row *old = slot_at (self, pos);

  g_assert (old == NULL || !old->loaded);

  /* A placeholder someone holds (a list view's row widget, a selection)
   * becomes the row in place: its holder hears "notify" on the same
   * object, and a list view keeps its row widget instead of building a
   * new one (it keeps up to 200 of them, so a page told as new rows
   * rebuilt a hundred rows of cells: 38 ms here). */
  if (old != NULL && g_atomic_int_get (&G_OBJECT (old->item)->ref_count) > 1)
    {
      take_row (old, row);
      old->loaded = TRUE;
      remember_row (self, old);
      row_free (row);
      return;
    }

  batch_before (self, pos);
  self->slots->pdata[pos] = row;
  remember_row (self, row);
  row_free (old);
  emit_changed (self, pos, 1, 1);
}

/* A row read again: taken unless it is older than what is shown. */
static void
update_row (Row *old,
            Row *fresh)
{
  if (rd_referral_get_version (fresh->item) >= rd_referral_get_version (old->item))
    take_row (old, fresh);
}

/* Index of the first loaded slot at or after @pos, or the length. */
static guint
next_loaded (RdReferralList *self,
             guint           pos)
{
  while (pos < self->slots->len && !slot_loaded (self, pos))
    pos++;
  return pos;
}

static gint64
prev_loaded (RdReferralList *self,
             gint64          pos)
{
  while (pos >= 0 && !slot_loaded (self, pos))
    pos--;
  return pos;
}

/* ------------------------------------------------------------------------ */
/* Merging fetched rows                                                     */

/*
 * @rows are in list order and contiguous: no matching row lies between two
 * of them. @start is where the first one belongs as far as is known.
 * @lower: the row just before the first one (an anchor), or NULL when not
 * known. @from_start_pos: the rows are complete from the row at @start on
 * (inclusive), so a loaded row there that they skip is gone. @at_start: no row precedes the first; @at_end: none follows the
 * last. Takes the rows.
 */
static void
merge_rows_batched (RdReferralList *self,
                    guint           start,
                    GPtrArray      *rows,
                    Row            *lower,
                    gboolean        from_start_pos,
                    gboolean        at_start,
                    gboolean        at_end)
{
  guint pos = MIN (start, self->slots->len);
  gboolean lower_known = lower != NULL || at_start || from_start_pos;
  guint nl;

  /* A row that is loaded elsewhere with another key moved: drop the old
   * slot first so that no id is ever in two places. */
  for (guint i = 0; i < rows->len; i++)
    {
      Row *r = g_ptr_array_index (rows, i);
      gint64 id = rd_referral_get_id (r->item);
      Row *old = g_hash_table_lookup (self->by_id, &id);

      if (old != NULL && old != lower && compare_keys (self, old, r) != 0)
        {
          gint64 at = find_row (self, old);
          if (at >= 0)
            {
              remove_range (self, at, 1);
              if (at < pos)
                pos--;
            }
        }
    }

  if (at_start)
    {
      /* Nothing exists before the first row: whatever is before @pos is
       * gone (holes, or stale rows). */
      lower = NULL;
      remove_range (self, 0, pos);
      pos = 0;
    }

  /* The next loaded slot at or after @pos, kept up to date below rather
   * than searched for each row: walking deep into a long list, everything
   * after the anchor is a hole, and a search per row went through every
   * hole to the end of the list (a page x 100,000 slots). */
  nl = next_loaded (self, pos);
  for (guint i = 0; i < rows->len; i++)
    {
      Row *r = g_ptr_array_index (rows, i);

      if (lower != NULL && compare_keys (self, r, lower) <= 0)
        {
          row_free (r);
          rows->pdata[i] = NULL;
          continue;
        }

      for (;;)
        {
          int c = nl < self->slots->len ? compare_keys (self, r, slot_at (self, nl)) : -1;

          if (c < 0)
            {
              if (pos < nl)
                fill_slot (self, pos, r);
              else
                {
                  insert_row (self, pos, r);
                  nl++;
                }
              pos++;
              break;
            }
          else if (c == 0)
            {
              Row *old = slot_at (self, nl);

              if (lower_known)
                {
                  remove_range (self, pos, nl - pos);
                  nl = pos;
                }
              update_row (old, r);
              row_free (r);
              pos = nl + 1;
              nl = next_loaded (self, pos);
              break;
            }
          else if (lower_known)
            {
              /* A loaded row inside the fetched range that the server did
               * not return: it no longer matches. */
              remove_range (self, pos, nl - pos + 1);
              nl = next_loaded (self, pos);
            }
          else
            {
              /* Before this (offset) range: keep it, go on after it. */
              pos = nl + 1;
              nl = next_loaded (self, pos);
            }
        }
      rows->pdata[i] = NULL;
      lower = slot_at (self, pos - 1);
      lower_known = TRUE;
    }

  if (at_end && pos < self->slots->len)
    remove_range (self, pos, self->slots->len - pos);
}

static void
merge_rows (RdReferralList *self,
            guint           start,
            GPtrArray      *rows,
            Row            *lower,
            gboolean        from_start_pos,
            gboolean        at_start,
            gboolean        at_end)
{
  batch_begin (self);
  merge_rows_batched (self, start, rows, lower, from_start_pos, at_start, at_end);
  batch_end (self);
}

/* ------------------------------------------------------------------------ */
/* SQL                                                                      */

typedef struct {
  GString   *sql;
  GPtrArray *params;
} Query;

static void
query_clear (Query *q)
{
  if (q->sql)
    g_string_free (q->sql, TRUE);
  g_clear_pointer (&q->params, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Query, query_clear)

static void
query_init (Query *q)
{
  q->sql = g_string_new (NULL);
  q->params = g_ptr_array_new_with_free_func (g_free);
}

/* Adds a parameter and returns its number. */
static guint
add_param (Query *q,
           char  *value)
{
  g_ptr_array_add (q->params, value);
  return q->params->len;
}

static char *
status_array (guint mask,
              gboolean *all_open)
{
  GString *s = g_string_new ("{");
  gboolean first = TRUE;

  *all_open = TRUE;
  for (int i = 0; i < RD_N_STATUSES; i++)
    if (mask & (1u << i))
      {
        if (!rd_status_is_open (i))
          *all_open = FALSE;
        if (!first)
          g_string_append_c (s, ',');
        g_string_append (s, rd_status_to_string (i));
        first = FALSE;
      }
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

static char *
priority_array (guint mask)
{
  GString *s = g_string_new ("{");
  gboolean first = TRUE;

  for (int i = 0; i < RD_N_PRIORITIES; i++)
    if (mask & (1u << i))
      {
        if (!first)
          g_string_append_c (s, ',');
        g_string_append (s, rd_priority_to_string (i));
        first = FALSE;
      }
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

static gboolean
parse_search_date (const char *text,
                   char      **out_iso)
{
  int y, m, d;
  char tail;

  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 ||
      (sscanf (text, "%2d/%2d/%4d%c", &m, &d, &y, &tail) == 3 && y > 1000))
    {
      if (g_date_valid_dmy (d, m, y))
        {
          *out_iso = g_strdup_printf ("%04d-%02d-%02d", y, m, d);
          return TRUE;
        }
    }
  return FALSE;
}

/* The phone as stored (E.164), for North American numbers typed loosely. */
static char *
search_phone (const char *text)
{
  GString *digits = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (!strchr (" ()-.+", *p))
        {
          g_string_free (digits, TRUE);
          return NULL;
        }
    }
  if (digits->len == 10)
    g_string_prepend (digits, "+1");
  else if (digits->len >= 11 && digits->len <= 15)
    g_string_prepend_c (digits, '+');
  else
    {
      g_string_free (digits, TRUE);
      return NULL;
    }
  return g_string_free (digits, FALSE);
}

static void
append_search (Query      *q,
               const char *raw)
{
  g_autofree char *text = g_strstrip (g_strdup (raw));
  g_autofree char *iso = NULL;
  g_autofree char *phone = NULL;
  gboolean has_digit = FALSE, letters_only = TRUE;

  if (*text == '\0')
    return;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isdigit (c))
        has_digit = TRUE;
      if (!g_unichar_isalpha (c) && c != ' ' && c != '-' && c != '\'')
        letters_only = FALSE;
    }

  if (parse_search_date (text, &iso))
    {
      g_string_append_printf (q->sql, " AND w.patient_dob = $%u::date", add_param (q, g_steal_pointer (&iso)));
    }
  else if (has_digit && (phone = search_phone (text)) != NULL)
    {
      guint p = add_param (q, g_steal_pointer (&phone));
      guint t = add_param (q, g_strdup (text));
      g_string_append_printf (q->sql,
                              " AND (w.patient_id IN (SELECT p.id FROM rd.patient p"
                              " WHERE p.phone_home = $%u OR p.phone_mobile = $%u)"
                              " OR w.patient_mrn = $%u OR w.number = upper($%u))",
                              p, p, t, t);
    }
  else if (has_digit || !letters_only)
    {
      /* An MRN or a referral number, exactly (both are indexed). */
      guint t = add_param (q, g_strdup (text));
      g_string_append_printf (q->sql,
                              " AND (w.patient_mrn = $%u OR w.number = upper($%u))", t, t);
    }
  else
    {
      /* A name: rd.match_patients() (0004) runs the prefix index for one
       * or two letters (a trigram index cannot help there: issue 5
       * measured 525 ms on 1M rows) and the trigram index for more, as
       * the owner with the patient policy applied explicitly. Querying
       * rd.patient directly would not use either index: under row-level
       * security ILIKE is applied after the policy, row by row (measured
       * 2.1 s p50 on 333,000 patients). At most 1,000 patients. */
      guint t = add_param (q, g_strdup (text));
      g_string_append_printf (q->sql,
                              " AND w.patient_id = ANY (ARRAY (SELECT m.id FROM"
                              " rd.match_patients($%u, 1000) AS m))", t);
    }
}

/* " WHERE …" for the filter (never empty). */
static void
append_filter (RdReferralList *self,
               Query          *q)
{
  const RdReferralQuery *f = self->filter;

  g_string_append (q->sql, " WHERE TRUE");

  if (f->queue_id > 0)
    g_string_append_printf (q->sql, " AND w.queue_id = $%u",
                            add_param (q, g_strdup_printf ("%" G_GINT64_FORMAT, f->queue_id)));

  if (f->closed_recently)
    {
      g_string_append (q->sql, " AND w.closed_at >= now() - interval '7 days'");
      if (f->status_mask != 0)
        {
          gboolean all_open;
          g_string_append_printf (q->sql, " AND w.status = ANY ($%u::text[])",
                                  add_param (q, status_array (f->status_mask, &all_open)));
        }
    }
  else
    {
      /* The literal list (constants of this file, no user input) lets the
       * planner prove the partial worklist indexes apply. */
      gboolean all_open = TRUE;
      g_autofree char *wanted = f->status_mask ? status_array (f->status_mask, &all_open) : NULL;

      if (all_open)
        g_string_append (q->sql, " AND w.status IN " OPEN_STATUSES);
      if (wanted != NULL)
        g_string_append_printf (q->sql, " AND w.status = ANY ($%u::text[])",
                                add_param (q, g_steal_pointer (&wanted)));
    }

  if (f->overdue)
    g_string_append (q->sql, " AND w.due_at < now()");
  if (f->urgent)
    g_string_append (q->sql, " AND w.priority_rank >= 1");
  if (f->priority_mask != 0)
    g_string_append_printf (q->sql, " AND w.priority = ANY ($%u::text[])",
                            add_param (q, priority_array (f->priority_mask)));

  switch (f->assignee)
    {
    case RD_ASSIGNEE_ME:
      g_string_append (q->sql, " AND w.assignee = session_user");
      break;
    case RD_ASSIGNEE_UNASSIGNED:
      g_string_append (q->sql, " AND w.assignee IS NULL");
      break;
    case RD_ASSIGNEE_PERSON:
      g_string_append_printf (q->sql, " AND w.assignee = $%u",
                              add_param (q, g_strdup (f->assignee_login ? f->assignee_login : "")));
      break;
    case RD_ASSIGNEE_ANY:
    default:
      break;
    }

  if (f->payer_id > 0)
    g_string_append_printf (q->sql,
                            " AND w.coverage_id IN (SELECT c.id FROM rd.coverage c"
                            " JOIN rd.payer_plan pp ON pp.id = c.payer_plan_id"
                            " WHERE pp.payer_id = $%u)",
                            add_param (q, g_strdup_printf ("%" G_GINT64_FORMAT, f->payer_id)));
  if (f->channel != NULL && *f->channel)
    g_string_append_printf (q->sql, " AND w.channel = $%u", add_param (q, g_strdup (f->channel)));
  if (f->direction >= 0)
    g_string_append_printf (q->sql, " AND w.direction = $%u",
                            add_param (q, g_strdup (rd_direction_to_string (f->direction))));
  if (f->received_from != NULL)
    g_string_append_printf (q->sql, " AND w.received_at >= $%u::timestamptz",
                            add_param (q, g_date_time_format_iso8601 (f->received_from)));
  if (f->received_to != NULL)
    g_string_append_printf (q->sql, " AND w.received_at < $%u::timestamptz",
                            add_param (q, g_date_time_format_iso8601 (f->received_to)));
  if (f->search != NULL)
    append_search (q, f->search);
}

static void
append_key_columns (RdReferralList *self,
                    Query          *q)
{
  for (guint k = 0; k < self->spec.n_keys; k++)
    {
      const KeySpec *ks = &self->spec.keys[k];

      if (ks->type == KEY_TIME)
        g_string_append_printf (q->sql, ", (extract(epoch FROM %s) * 1000000)::bigint AS k%u",
                                ks->col, k);
      else
        g_string_append_printf (q->sql, ", %s AS k%u", ks->col, k);
    }
}

/* ORDER BY in the list's order, or reversed; on the view's columns, or on
 * the k0… output columns of a union. */
static void
append_order (RdReferralList *self,
              Query          *q,
              gboolean        reversed,
              gboolean        on_output)
{
  g_string_append (q->sql, " ORDER BY ");
  for (guint k = 0; k < self->spec.n_keys; k++)
    {
      const KeySpec *ks = &self->spec.keys[k];
      gboolean asc = ks->asc != reversed;

      if (k > 0)
        g_string_append (q->sql, ", ");
      if (on_output)
        g_string_append_printf (q->sql, "k%u%s", k, ks->type == KEY_TEXT ? " COLLATE \"C\"" : "");
      else
        g_string_append (q->sql, ks->col);
      /* Explicit, and the same as PostgreSQL's defaults, which the indexes
       * use: NULLS LAST ascending, NULLS FIRST descending. */
      g_string_append (q->sql, asc ? " ASC NULLS LAST" : " DESC NULLS FIRST");
    }
}

static char *
key_param_sql (const KeySpec *ks,
               guint          n)
{
  switch (ks->type)
    {
    case KEY_TIME:
      return g_strdup_printf ("(TIMESTAMPTZ 'epoch' + ($%u::text || ' microseconds')::interval)", n);
    case KEY_INT:
      return g_strdup_printf ("$%u::bigint", n);
    case KEY_TEXT:
    default:
      return g_strdup_printf ("$%u::text COLLATE \"C\"", n);
    }
}

/*
 * The branches of "after @bound in this direction": for each key column j,
 * equal on the columns before it and strictly after on j (with the NULL
 * rules); with @inclusive also the row equal on every column. Each branch is
 * one index range.
 */
static GPtrArray *
keyset_branches (RdReferralList *self,
                 Query          *q,
                 const Row      *bound,
                 gboolean        reversed,
                 gboolean        inclusive)
{
  GPtrArray *branches = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) prefix = g_string_new ("TRUE");
  guint pnum[MAX_KEYS];

  for (guint k = 0; k < self->spec.n_keys; k++)
    pnum[k] = bound->key[k] ? add_param (q, g_strdup (bound->key[k])) : 0;

  for (guint k = 0; k < self->spec.n_keys; k++)
    {
      const KeySpec *ks = &self->spec.keys[k];
      gboolean asc = ks->asc != reversed;
      /* NULLs come last in the list's order; first when reversed. */
      gboolean nulls_last = !reversed;
      g_autofree char *val = bound->key[k] ? key_param_sql (ks, pnum[k]) : NULL;

      if (val == NULL)
        {
          if (!nulls_last)
            g_ptr_array_add (branches, g_strdup_printf ("%s AND %s IS NOT NULL", prefix->str, ks->col));
          g_string_append_printf (prefix, " AND %s IS NULL", ks->col);
        }
      else
        {
          g_ptr_array_add (branches, g_strdup_printf ("%s AND %s %s %s", prefix->str, ks->col,
                                                      asc ? ">" : "<", val));
          if (ks->nullable && nulls_last)
            g_ptr_array_add (branches, g_strdup_printf ("%s AND %s IS NULL", prefix->str, ks->col));
          g_string_append_printf (prefix, " AND %s = %s", ks->col, val);
        }
    }
  if (inclusive)
    g_ptr_array_add (branches, g_strdup (prefix->str));
  return branches;
}

/* One index range, as a parenthesised SELECT. Without a queue the worklist
 * indexes (which lead with queue_id) cannot give the order directly, so the
 * range is taken per queue of the person (LATERAL over rd.my_queue_ids())
 * and the few rows merged: an index scan per queue instead of sorting
 * every open referral. */
/* A search narrows the rows to a few patients' referrals: sorting those is
 * cheaper than walking each queue's index, and the patient match is then
 * evaluated once rather than once per queue. */
static gboolean
pages_per_queue (RdReferralList *self)
{
  const char *search = self->filter->search;

  return self->filter->queue_id <= 0 && self->filter->sort != RD_REFERRAL_SORT_PATIENT &&
         (search == NULL || *search == '\0');
}

/* Whether the filter and the sort key name only rd.referral's own columns. */
static gboolean
keys_from_table (RdReferralList *self)
{
  const char *search = self->filter->search;

  return self->filter->sort != RD_REFERRAL_SORT_PATIENT && (search == NULL || *search == '\0');
}

static void
append_branch (RdReferralList *self,
               Query          *q,
               const char     *columns,
               const char     *where,
               const char     *branch,
               gboolean        reversed,
               guint           lim)
{
  gboolean per_queue = pages_per_queue (self);

  if (per_queue)
    g_string_append (q->sql, "(SELECT x.* FROM unnest ((SELECT rd.my_queue_ids())::bigint[]) AS mq (qid)"
                             " CROSS JOIN LATERAL ");
  g_string_append_printf (q->sql, "(SELECT %s", columns);
  append_key_columns (self, q);
  /* Only the ids and keys are read here. Unless a search or the patient
   * sort names the patient, every column of the filter and the key is the
   * referral's own, so the table itself is read: planning the view's eight
   * joins (only to remove them) in each branch cost more than running the
   * page (issue 5: 8 ms of planning for a 10 ms page). */
  g_string_append_printf (q->sql, " FROM %s w%s AND %s",
                          keys_from_table (self) ? "rd.referral" : "rd.worklist", where, branch);
  if (per_queue)
    g_string_append (q->sql, " AND w.queue_id = mq.qid");
  append_order (self, q, reversed, FALSE);
  g_string_append_printf (q->sql, " LIMIT $%u)", lim);
  if (per_queue)
    {
      g_string_append (q->sql, " AS x");
      append_order (self, q, reversed, TRUE);
      g_string_append_printf (q->sql, " LIMIT $%u)", lim);
    }
}

static void
build_page_query (RdReferralList *self,
                  Query          *q,
                  const Row      *bound,
                  gboolean        reversed,
                  gboolean        inclusive,
                  guint           limit)
{
  guint lim = add_param (q, g_strdup_printf ("%u", limit));
  g_autoptr(GPtrArray) branches = NULL;
  g_autoptr(GString) where = NULL;
  Query fq = { .sql = g_string_new (NULL), .params = q->params };

  if (bound != NULL)
    branches = keyset_branches (self, q, bound, reversed, inclusive);
  else
    {
      branches = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (branches, g_strdup ("TRUE"));
    }

  /* The filter shares the parameter list, so write it once and repeat the
   * text in every branch. */
  append_filter (self, &fq);
  where = g_steal_pointer (&fq.sql);

  /* The page's ids and keys first, from the index alone, and the names
   * (the view's eight joins, with the row-level security of each joined
   * table) for the page's rows only, one primary-key lookup each. Joining
   * inside the branches joined every row a branch read before its sort and
   * LIMIT: a branch such as "same priority, later due" that the planner
   * runs as a bitmap scan plus sort joined all of its rows in each queue,
   * and the middle of a walk across queues took 4-8 times the first page
   * (issue 5). OFFSET 0 keeps the lookup a per-row subquery, so the
   * planner cannot turn it into a join over the whole view. */
  g_string_append_printf (q->sql, "SELECT %s", select_columns);
  for (guint k = 0; k < self->spec.n_keys; k++)
    g_string_append_printf (q->sql, ", u.k%u", k);
  g_string_append (q->sql, " FROM (SELECT * FROM (");
  for (guint b = 0; b < branches->len; b++)
    {
      if (b > 0)
        g_string_append (q->sql, " UNION ALL ");
      append_branch (self, q, "w.id AS kid", where->str,
                     g_ptr_array_index (branches, b), reversed, lim);
    }
  g_string_append (q->sql, ") AS b");
  append_order (self, q, reversed, TRUE);
  g_string_append_printf (q->sql, " LIMIT $%u) AS u CROSS JOIN LATERAL (SELECT %s"
                                  " FROM rd.worklist w WHERE w.id = u.kid OFFSET 0) AS w",
                          lim, select_columns);
  append_order (self, q, reversed, TRUE);
}

static void
build_offset_query (RdReferralList *self,
                    Query          *q,
                    guint           offset,
                    guint           limit)
{
  g_autoptr(GString) where = NULL;
  guint off = add_param (q, g_strdup_printf ("%u", offset));
  guint lim = add_param (q, g_strdup_printf ("%u", limit));
  Query fq = { .sql = g_string_new (NULL), .params = q->params };

  append_filter (self, &fq);
  where = g_steal_pointer (&fq.sql);

  /* The inner query names no joined column, so the planner drops the view's
   * outer joins and walks the index; only the page's rows are joined. */
  g_string_append_printf (q->sql, "SELECT %s", select_columns);
  append_key_columns (self, q);
  g_string_append_printf (q->sql, " FROM rd.worklist w WHERE w.id IN (SELECT w.id FROM rd.worklist w%s",
                          where->str);
  append_order (self, q, FALSE, FALSE);
  g_string_append_printf (q->sql, " OFFSET $%u LIMIT $%u)", off, lim);
  append_order (self, q, FALSE, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Running fetches                                                          */

static void
set_state (RdReferralList      *self,
           RdReferralListState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
pending_inc (RdReferralList *self)
{
  if (self->n_pending++ == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
pending_dec (RdReferralList *self)
{
  g_assert (self->n_pending > 0);
  if (--self->n_pending == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void on_fetch_done (GObject *source, GAsyncResult *result, gpointer user_data);

static void
run_query (RdReferralList *self,
           Query          *q,
           Fetch          *fetch)
{
  pending_inc (self);
  g_ptr_array_add (q->params, NULL);
  rd_connection_query_async (self->connection, q->sql->str,
                             (const char * const *) q->params->pdata, q->params->len - 1,
                             RD_CONNECTION_TIMEOUT_DEFAULT, self->cancellable,
                             on_fetch_done, fetch);
  g_ptr_array_remove_index (q->params, q->params->len - 1);
}

static Fetch *
fetch_new (RdReferralList *self,
           FetchKind       kind)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  fetch->self = g_object_ref (self);
  fetch->generation = self->generation;
  fetch->kind = kind;
  return fetch;
}

static void
fetch_release (Fetch *fetch)
{
  g_object_unref (fetch->self);
  g_free (fetch);
}

static void
report_error (RdReferralList *self,
              const GError   *error)
{
  /* Ids only: the message can name a value, so keep it out of the log. */
  g_debug ("worklist query failed: %s %d", g_quark_to_string (error->domain), error->code);
  if (self->state == RD_REFERRAL_LIST_STATE_LOADING ||
      self->state == RD_REFERRAL_LIST_STATE_IDLE)
    {
      g_clear_error (&self->error);
      self->error = g_error_copy (error);
      set_state (self, RD_REFERRAL_LIST_STATE_ERROR);
    }
}

static Row *
anchor_if_present (RdReferralList *self,
                   Fetch          *fetch,
                   gint64         *out_pos)
{
  Row *row;

  *out_pos = -1;
  if (fetch->anchor_id == 0)
    return NULL;
  row = g_hash_table_lookup (self->by_id, &fetch->anchor_id);
  if (row != fetch->anchor)
    return NULL;
  *out_pos = find_row (self, row);
  return *out_pos >= 0 ? row : NULL;
}

static void
apply_count (RdReferralList *self,
             RdResult       *res,
             gboolean        estimate)
{
  gint64 n = 0;

  if (!estimate)
    {
      n = rd_result_get_int64 (res, 0, 0);
      self->count_exact = n <= EXACT_COUNT_LIMIT;
    }
  else
    {
      /* EXPLAIN (FORMAT JSON): the top node's "Plan Rows". */
      const char *plan = rd_result_get_string (res, 0, 0);
      const char *p = plan ? strstr (plan, "\"Plan Rows\":") : NULL;

      n = p ? g_ascii_strtoll (p + strlen ("\"Plan Rows\":"), NULL, 10) : EXACT_COUNT_LIMIT + 1;
      n = MAX (n, EXACT_COUNT_LIMIT + 1);
      self->count_exact = FALSE;
    }

  /* The first page is in already: holes stand for the rest. */
  if (self->end_known)
    self->count_exact = TRUE;
  else if (n > (gint64) self->slots->len)
    insert_holes (self, self->slots->len, n - self->slots->len);
}

static void
apply_rows (RdReferralList *self,
            Fetch          *fetch,
            RdResult       *res)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  int n = rd_result_get_n_rows (res);
  gint64 apos = -1;
  Row *anchor;

  for (int i = 0; i < n; i++)
    g_ptr_array_add (rows, row_from_result (self, res, i));

  switch (fetch->kind)
    {
    case FETCH_FORWARD:
      if (fetch->first_page)
        {
          self->end_known = (guint) n < fetch->limit;
          merge_rows (self, 0, rows, NULL, FALSE, TRUE, self->end_known);
          set_state (self, RD_REFERRAL_LIST_STATE_READY);
          break;
        }
      anchor = anchor_if_present (self, fetch, &apos);
      if (fetch->anchor_id != 0 && anchor == NULL)
        return;   /* the anchor went away meanwhile; the next request retries */
      merge_rows (self, apos + 1, rows, anchor, FALSE, anchor == NULL, (guint) n < fetch->limit);
      break;

    case FETCH_BACKWARD:
      {
        guint end;
        gint64 before;

        anchor = anchor_if_present (self, fetch, &apos);
        if (fetch->anchor_id != 0 && anchor == NULL)
          return;
        end = anchor ? (guint) apos : self->slots->len;
        before = prev_loaded (self, (gint64) end - 1);
        for (guint i = 0, j = rows->len; i + 1 < j; i++, j--)
          {
            gpointer t = rows->pdata[i];
            rows->pdata[i] = rows->pdata[j - 1];
            rows->pdata[j - 1] = t;
          }
        merge_rows (self, MAX (before + 1, (gint64) end - n), rows,
                    before >= 0 ? slot_at (self, before) : NULL, FALSE,
                    (guint) n < fetch->limit,
                    anchor == NULL);
      }
      break;

    case FETCH_OFFSET:
      {
        gint64 before = prev_loaded (self, MIN ((gint64) fetch->start_hint, (gint64) self->slots->len - 1));
        merge_rows (self, MAX ((gint64) fetch->start_hint, before + 1), rows, NULL,
                    FALSE, FALSE, (guint) n < fetch->limit);
      }
      break;

    case FETCH_RESYNC:
      anchor = anchor_if_present (self, fetch, &apos);
      if (anchor == NULL)
        return;
      /* The anchor itself is in the rows (inclusive) unless it stopped
       * matching; merging from it removes it then. */
      merge_rows (self, apos, rows, NULL, TRUE, FALSE, (guint) n < fetch->limit);
      break;

    case FETCH_ROW:
    case FETCH_COUNT:
    default:
      g_assert_not_reached ();
    }
}

/* A row whose item someone else holds (a selection, a bound cell, an open
 * page) is kept: turning it into a hole would hand them a different object
 * for the same position. A list view's selection then searches every
 * position of the change for its item, asking for each — which loaded
 * the evicted rows again and held the main loop. */
static gboolean
row_evictable (Row *row)
{
  return row != NULL && g_atomic_int_get (&G_OBJECT (row->item)->ref_count) == 1;
}

/* Turns the slots in [from, to) back into holes, one items-changed per run. */
static void
evict_range (RdReferralList *self,
             guint           from,
             guint           to)
{
  guint i = from;

  while (i < to)
    {
      guint start;

      if (!row_evictable (slot_at (self, i)))
        {
          i++;
          continue;
        }
      start = i;
      while (i < to && row_evictable (slot_at (self, i)))
        {
          Row *row = slot_at (self, i);

          forget_row (self, row);
          row_free (row);
          self->slots->pdata[i] = NULL;
          i++;
        }
      g_list_model_items_changed (G_LIST_MODEL (self), start, i - start, i - start);
    }
}

static void
maybe_evict (RdReferralList *self)
{
  guint len = self->slots->len;
  gint64 center = CLAMP (self->last_fetch_pos, 0, (gint64) len);
  guint lo, hi;

  if (g_hash_table_size (self->by_id) <= MAX_LOADED)
    return;
  lo = center > KEEP_AROUND ? center - KEEP_AROUND : 0;
  hi = MIN (center + KEEP_AROUND, (gint64) len);
  evict_range (self, hi, len);
  evict_range (self, 0, lo);
}

static gint64
first_unloaded_slot (RdReferralList *self,
                     gint64          pos)
{
  if (pos < 0 || pos >= (gint64) self->slots->len)
    return -1;
  return slot_loaded (self, pos) ? -1 : pos;
}

/* Where a changed row goes: the position before the first loaded row that
 * sorts after it. Returns -1 when its place is inside a hole (then the hole
 * just grows by one). */
static gint64
place_for (RdReferralList *self,
           Row            *row)
{
  guint len = self->slots->len;
  gint64 before = -1;

  for (guint i = 0; i < len; i++)
    {
      Row *s = slot_at (self, i);

      if (s == NULL || !s->loaded)
        continue;
      if (compare_keys (self, row, s) < 0)
        return (before == (gint64) i - 1) ? (gint64) i : -1 - (gint64) i;
      before = i;
    }
  /* After every loaded row: at the end when the end is loaded. */
  if (before == (gint64) len - 1)
    return len;
  return -1 - (gint64) len;
}

static void
apply_row (RdReferralList *self,
           Fetch          *fetch,
           RdResult       *res)
{
  Row *old = g_hash_table_lookup (self->by_id, &fetch->row_id);
  gint64 old_pos = old ? find_row (self, old) : -1;
  Row *fresh;
  gint64 at;

  if (rd_result_get_n_rows (res) == 0)
    {
      if (old_pos >= 0)
        remove_range (self, old_pos, 1);
      return;
    }

  fresh = row_from_result (self, res, 0);
  if (old_pos >= 0)
    {
      gint64 p = prev_loaded (self, old_pos - 1);
      guint nx = next_loaded (self, old_pos + 1);

      if ((p < 0 || compare_keys (self, slot_at (self, p), fresh) < 0) &&
          (nx >= self->slots->len || compare_keys (self, fresh, slot_at (self, nx)) < 0))
        {
          update_row (old, fresh);
          row_free (fresh);
          return;
        }
      remove_range (self, old_pos, 1);
    }

  at = place_for (self, fresh);
  if (at >= 0)
    insert_row (self, at, fresh);
  else
    {
      /* Somewhere in a hole: one more unknown row there. */
      insert_holes (self, -1 - at, 1);
      row_free (fresh);
    }
}

/* After a failed page: ask again for every placeholder still out there. */
static gboolean
on_retry (gpointer user_data)
{
  RdReferralList *self = user_data;

  self->retry_id = 0;
  for (guint i = 0; i < self->slots->len; i++)
    {
      Row *row = slot_at (self, i);
      if (row != NULL && !row->loaded)
        {
          self->want_lo = self->want_hi = i;
          schedule_fetch (self);
          break;
        }
    }
  return G_SOURCE_REMOVE;
}

static void
on_fetch_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fetch *fetch = user_data;
  RdReferralList *self = fetch->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  gboolean current = fetch->generation == self->generation;

  pending_dec (self);

  if (current && (fetch->kind == FETCH_FORWARD || fetch->kind == FETCH_BACKWARD ||
                  fetch->kind == FETCH_OFFSET))
    self->fetch_in_flight = FALSE;

  if (!current || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fetch_release (fetch);
      return;
    }

  if (res == NULL)
    {
      report_error (self, error);
      if (fetch->kind != FETCH_ROW && fetch->kind != FETCH_COUNT)
        {
          /* Try the page again later rather than at once, over and over. */
          self->want_lo = self->want_hi = -1;
          if (self->retry_id == 0)
            self->retry_id = g_timeout_add_seconds (RETRY_SECONDS, on_retry, self);
        }
      fetch_release (fetch);
      return;
    }
  else if (fetch->kind == FETCH_COUNT)
    {
      if (self->state == RD_REFERRAL_LIST_STATE_ERROR || self->end_known)
        ;   /* the first page failed, or held every row */
      else if (!fetch->estimate && rd_result_get_n_rows (res) == 1 &&
          rd_result_get_int64 (res, 0, 0) > EXACT_COUNT_LIMIT)
        {
          /* More than we count exactly: ask the planner instead. */
          g_auto(Query) q = { 0 };
          Fetch *explain = fetch_new (self, FETCH_COUNT);

          explain->estimate = TRUE;
          query_init (&q);
          g_string_append (q.sql, "EXPLAIN (FORMAT JSON) SELECT 1 FROM rd.worklist w");
          append_filter (self, &q);
          run_query (self, &q, explain);
        }
      else
        {
          apply_count (self, res, fetch->estimate);
          set_state (self, RD_REFERRAL_LIST_STATE_READY);
          if (self->want_lo < 0 && self->slots->len > 0)
            self->want_lo = self->want_hi = 0;
          schedule_fetch (self);
        }
    }
  else if (fetch->kind == FETCH_ROW)
    apply_row (self, fetch, res);
  else
    {
      apply_rows (self, fetch, res);
      maybe_evict (self);
    }

  if (fetch->kind != FETCH_ROW && fetch->kind != FETCH_COUNT)
    schedule_fetch (self);
  fetch_release (fetch);
}

/* Chooses and sends one page fetch for the hole around @pos. */
static void
fetch_around (RdReferralList *self,
              guint           pos)
{
  g_auto(Query) q = { 0 };
  gint64 before = prev_loaded (self, (gint64) pos - 1);
  guint after = next_loaded (self, pos);
  guint d_front = pos - (before + 1);
  guint d_back = after - 1 - pos;
  guint page = self->page_size;
  Fetch *fetch;

  query_init (&q);
  if (d_front <= d_back && d_front < FAR_PAGES * page)
    {
      fetch = fetch_new (self, FETCH_FORWARD);
      fetch->limit = MIN (d_front + page, FAR_PAGES * page);
      if (before >= 0)
        {
          fetch->anchor = slot_at (self, before);
          fetch->anchor_id = rd_referral_get_id (fetch->anchor->item);
        }
      build_page_query (self, &q, fetch->anchor, FALSE, FALSE, fetch->limit);
    }
  else if (d_back < FAR_PAGES * page)
    {
      fetch = fetch_new (self, FETCH_BACKWARD);
      fetch->limit = MIN (d_back + page, FAR_PAGES * page);
      if (after < self->slots->len)
        {
          fetch->anchor = slot_at (self, after);
          fetch->anchor_id = rd_referral_get_id (fetch->anchor->item);
        }
      build_page_query (self, &q, fetch->anchor, TRUE, FALSE, fetch->limit);
    }
  else
    {
      fetch = fetch_new (self, FETCH_OFFSET);
      fetch->limit = page;
      fetch->start_hint = MAX ((gint64) pos - page / 2, before + 1);
      build_offset_query (self, &q, fetch->start_hint, page);
    }

  self->fetch_in_flight = TRUE;
  self->last_fetch_pos = pos;
  run_query (self, &q, fetch);
}

static gboolean
on_fetch_idle (gpointer user_data)
{
  RdReferralList *self = user_data;
  gint64 hi;

  self->fetch_idle_id = 0;
  if (self->fetch_in_flight || self->connection == NULL || self->want_lo < 0 ||
      self->state != RD_REFERRAL_LIST_STATE_READY)
    return G_SOURCE_REMOVE;

  hi = MIN (self->want_hi, (gint64) self->slots->len - 1);
  for (gint64 p = MAX (self->want_lo, 0); p <= hi; p++)
    if (first_unloaded_slot (self, p) >= 0)
      {
        self->want_lo = p;
        fetch_around (self, p);
        return G_SOURCE_REMOVE;
      }

  self->want_lo = self->want_hi = -1;
  return G_SOURCE_REMOVE;
}

static void
schedule_fetch (RdReferralList *self)
{
  if (self->fetch_idle_id == 0 && !self->fetch_in_flight && self->want_lo >= 0)
    self->fetch_idle_id = g_idle_add_full (G_PRIORITY_DEFAULT, on_fetch_idle, self, NULL);
}

static void
want_position (RdReferralList *self,
               guint           pos)
{
  gint64 far = FAR_PAGES * (gint64) self->page_size;

  if (self->want_lo < 0 || pos + far < self->want_lo || pos > self->want_hi + far)
    self->want_lo = self->want_hi = pos;
  else
    {
      self->want_lo = MIN (self->want_lo, (gint64) pos);
      self->want_hi = MAX (self->want_hi, (gint64) pos);
    }
  schedule_fetch (self);
}

/* ------------------------------------------------------------------------ */
/* GListModel                                                               */

static GType
list_get_item_type (GListModel *model)
{
  return RD_TYPE_REFERRAL;
}

static guint
list_get_n_items (GListModel *model)
{
  return RD_REFERRAL_LIST (model)->slots->len;
}

static gpointer
list_get_item (GListModel *model,
               guint       position)
{
  RdReferralList *self = RD_REFERRAL_LIST (model);
  Row *row;

  if (position >= self->slots->len)
    return NULL;

  row = slot_at (self, position);
  if (row == NULL)
    {
      row = g_new0 (Row, 1);
      row->item = rd_referral_new ();
      self->slots->pdata[position] = row;
    }
  if (!row->loaded)
    want_position (self, position);
  return g_object_ref (row->item);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

/* ------------------------------------------------------------------------ */
/* Life cycle                                                               */

static void
clear_all (RdReferralList *self)
{
  guint old = self->slots->len;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  self->fetch_in_flight = FALSE;
  g_clear_handle_id (&self->fetch_idle_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->want_lo = self->want_hi = -1;
  self->end_known = FALSE;
  g_hash_table_remove_all (self->by_id);
  g_ptr_array_set_size (self->slots, 0);
  if (old > 0)
    emit_changed (self, 0, old, 0);
}

/**
 * rd_referral_list_reload:
 * @self: a list
 *
 * Forgets every row and loads again from the count and the first page; the
 * list shows the loading state meanwhile. Use rd_referral_list_resync() to
 * refresh in place instead.
 */
void
rd_referral_list_reload (RdReferralList *self)
{
  g_auto(Query) q = { 0 };
  g_auto(Query) page = { 0 };
  Fetch *first;

  g_return_if_fail (RD_IS_REFERRAL_LIST (self));

  clear_all (self);
  g_clear_error (&self->error);
  self->count_exact = TRUE;
  if (self->connection == NULL)
    {
      set_state (self, RD_REFERRAL_LIST_STATE_IDLE);
      return;
    }
  set_state (self, RD_REFERRAL_LIST_STATE_LOADING);

  /* The first page goes first, so rows show after one round trip; the
   * count that sizes the rest follows on the same connection. */
  first = fetch_new (self, FETCH_FORWARD);
  first->limit = self->page_size;
  first->first_page = TRUE;
  query_init (&page);
  build_page_query (self, &page, NULL, FALSE, FALSE, first->limit);
  self->fetch_in_flight = TRUE;
  self->last_fetch_pos = 0;
  run_query (self, &page, first);

  query_init (&q);
  g_string_append (q.sql, "SELECT count(*) FROM (SELECT 1 FROM rd.worklist w");
  append_filter (self, &q);
  g_string_append_printf (q.sql, " LIMIT %d) AS s", EXACT_COUNT_LIMIT + 1);
  run_query (self, &q, fetch_new (self, FETCH_COUNT));
}

/**
 * rd_referral_list_resync:
 * @self: a list
 *
 * Refreshes the rows that are loaded, after a reconnect (notifications may
 * have been missed): each run of loaded rows is fetched again by key from its
 * first row, so rows update in place, appear and disappear without moving
 * the rows before them. A list that has not loaded anything reloads.
 */
void
rd_referral_list_resync (RdReferralList *self)
{
  g_return_if_fail (RD_IS_REFERRAL_LIST (self));

  if (self->connection == NULL)
    return;
  if (self->state != RD_REFERRAL_LIST_STATE_READY || g_hash_table_size (self->by_id) == 0)
    {
      rd_referral_list_reload (self);
      return;
    }

  for (guint i = 0; i < self->slots->len;)
    {
      guint end;
      g_auto(Query) q = { 0 };
      Fetch *fetch;

      if (!slot_loaded (self, i))
        {
          i++;
          continue;
        }
      end = i;
      while (end < self->slots->len && slot_loaded (self, end))
        end++;

      fetch = fetch_new (self, FETCH_RESYNC);
      fetch->anchor = slot_at (self, i);
      fetch->anchor_id = rd_referral_get_id (fetch->anchor->item);
      fetch->limit = end - i + self->page_size / 4 + 1;
      query_init (&q);
      build_page_query (self, &q, fetch->anchor, FALSE, TRUE, fetch->limit);
      run_query (self, &q, fetch);
      i = end;
    }
}

/**
 * rd_referral_list_row_changed:
 * @self: a list
 * @referral_id: a referral that was inserted, updated or deleted
 *
 * Fetches the referral again with the list's filter and updates it in
 * place, removes it, or inserts it at its sorted position.
 */
void
rd_referral_list_row_changed (RdReferralList *self,
                              gint64          referral_id)
{
  g_auto(Query) q = { 0 };
  Fetch *fetch;
  guint idp;

  g_return_if_fail (RD_IS_REFERRAL_LIST (self));

  if (self->connection == NULL || self->state != RD_REFERRAL_LIST_STATE_READY)
    return;

  query_init (&q);
  idp = add_param (&q, g_strdup_printf ("%" G_GINT64_FORMAT, referral_id));
  g_string_append_printf (q.sql, "SELECT %s", select_columns);
  append_key_columns (self, &q);
  g_string_append (q.sql, " FROM rd.worklist w");
  append_filter (self, &q);
  g_string_append_printf (q.sql, " AND w.id = $%u", idp);

  fetch = fetch_new (self, FETCH_ROW);
  fetch->row_id = referral_id;
  run_query (self, &q, fetch);
}

/* A BULK change carries id 0: refresh what is loaded instead. */
static void
on_listener_changed (RdListener *listener,
                     const char *table,
                     gint64      id,
                     gint64      version,
                     const char *op,
                     gpointer    user_data)
{
  RdReferralList *self = user_data;

  if (g_strcmp0 (table, "referral") != 0)
    return;
  if (id <= 0)
    rd_referral_list_resync (self);
  else
    rd_referral_list_row_changed (self, id);
}

static void
on_listener_resync (RdListener *listener,
                    gpointer    user_data)
{
  rd_referral_list_resync (RD_REFERRAL_LIST (user_data));
}

/**
 * rd_referral_list_follow:
 * @self: a list
 * @listener: (nullable): an RdListener, or %NULL to stop following
 *
 * Keeps the list live: every referral change the listener reports is
 * applied with rd_referral_list_row_changed(), and "resync" (after a
 * reconnect) refreshes the loaded rows.
 */
void
rd_referral_list_follow (RdReferralList *self,
                         RdListener     *listener)
{
  g_return_if_fail (RD_IS_REFERRAL_LIST (self));

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

static void
rd_referral_list_dispose (GObject *object)
{
  RdReferralList *self = RD_REFERRAL_LIST (object);

  rd_referral_list_follow (self, NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->fetch_idle_id, g_source_remove);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (rd_referral_list_parent_class)->dispose (object);
}

static void
rd_referral_list_finalize (GObject *object)
{
  RdReferralList *self = RD_REFERRAL_LIST (object);

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->by_id);
  g_ptr_array_unref (self->slots);
  rd_referral_query_free (self->filter);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (rd_referral_list_parent_class)->finalize (object);
}

static void
rd_referral_list_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RdReferralList *self = RD_REFERRAL_LIST (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->n_pending > 0);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->slots->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_referral_list_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RdReferralList *self = RD_REFERRAL_LIST (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      rd_referral_list_set_connection (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_referral_list_class_init (RdReferralListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_referral_list_dispose;
  object_class->finalize = rd_referral_list_finalize;
  object_class->get_property = rd_referral_list_get_property;
  object_class->set_property = rd_referral_list_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, RD_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, RD_TYPE_REFERRAL_LIST_STATE,
                       RD_REFERRAL_LIST_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_referral_list_init (RdReferralList *self)
{
  self->filter = rd_referral_query_new ();
  self->spec = sort_spec (self->filter->sort);
  self->page_size = DEFAULT_PAGE_SIZE;
  self->slots = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->want_lo = self->want_hi = -1;
}

/**
 * rd_referral_list_new:
 * @connection: (nullable): the signed-in person's connection
 *
 * Returns: (transfer full): a list of every open referral the person may
 *   see, most urgent first; it starts loading at once
 */
RdReferralList *
rd_referral_list_new (RdConnection *connection)
{
  return g_object_new (RD_TYPE_REFERRAL_LIST, "connection", connection, NULL);
}

/**
 * rd_referral_list_get_connection:
 * @self: a list
 *
 * Returns: (transfer none) (nullable): the connection
 */
RdConnection *
rd_referral_list_get_connection (RdReferralList *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_LIST (self), NULL);
  return self->connection;
}

/**
 * rd_referral_list_set_connection:
 * @self: a list
 * @connection: (nullable): the connection to query on
 *
 * Queries run as the person the connection signed in (row-level security
 * decides what the list contains). Setting it reloads.
 */
void
rd_referral_list_set_connection (RdReferralList *self,
                                 RdConnection   *connection)
{
  g_return_if_fail (RD_IS_REFERRAL_LIST (self));

  if (!g_set_object (&self->connection, connection))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
  rd_referral_list_reload (self);
}

/**
 * rd_referral_list_get_filter:
 * @self: a list
 *
 * Returns: (transfer none): what the list shows
 */
const RdReferralQuery *
rd_referral_list_get_filter (RdReferralList *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_LIST (self), NULL);
  return self->filter;
}

/**
 * rd_referral_list_set_filter:
 * @self: a list
 * @filter: what to show (copied)
 *
 * Reloads when the filter differs from the current one.
 */
void
rd_referral_list_set_filter (RdReferralList         *self,
                             const RdReferralQuery *filter)
{
  g_return_if_fail (RD_IS_REFERRAL_LIST (self));
  g_return_if_fail (filter != NULL);

  if (rd_referral_query_equal (self->filter, filter))
    return;
  rd_referral_query_free (self->filter);
  self->filter = rd_referral_query_copy (filter);
  self->spec = sort_spec (self->filter->sort);
  rd_referral_list_reload (self);
}

/**
 * rd_referral_list_set_page_size:
 * @self: a list
 * @page_size: rows per fetch (at least 2; 100 by default)
 */
void
rd_referral_list_set_page_size (RdReferralList *self,
                                guint           page_size)
{
  g_return_if_fail (RD_IS_REFERRAL_LIST (self));
  self->page_size = MAX (page_size, 2);
}

/**
 * rd_referral_list_get_state:
 * @self: a list
 *
 * Returns: whether it is loading, ready or failed
 */
RdReferralListState
rd_referral_list_get_state (RdReferralList *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_LIST (self), RD_REFERRAL_LIST_STATE_IDLE);
  return self->state;
}

/**
 * rd_referral_list_get_error:
 * @self: a list
 *
 * Returns: (nullable): why the last load failed (a message for people)
 */
const GError *
rd_referral_list_get_error (RdReferralList *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_LIST (self), NULL);
  return self->error;
}

/**
 * rd_referral_list_get_busy:
 * @self: a list
 *
 * Returns: whether a query of the list is running
 */
gboolean
rd_referral_list_get_busy (RdReferralList *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_LIST (self), FALSE);
  return self->n_pending > 0 || self->fetch_idle_id != 0;
}

/**
 * rd_referral_list_get_count_exact:
 * @self: a list
 *
 * Returns: %FALSE when the number of items is the planner's estimate (more
 *   than 10,000 matches); it is corrected at the end once scrolled there
 */
gboolean
rd_referral_list_get_count_exact (RdReferralList *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_LIST (self), TRUE);
  return self->count_exact;
}

/**
 * rd_referral_list_get_n_loaded:
 * @self: a list
 *
 * Returns: how many rows are held in memory
 */
guint
rd_referral_list_get_n_loaded (RdReferralList *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_LIST (self), 0);
  return g_hash_table_size (self->by_id);
}

/**
 * rd_referral_is_placeholder:
 * @referral: an item of an #RdReferralList
 *
 * Returns: whether it stands for a row that is still being fetched
 */
gboolean
rd_referral_is_placeholder (RdReferral *referral)
{
  return referral == NULL || rd_referral_get_id (referral) == 0;
}
