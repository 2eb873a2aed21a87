/* test-referral-list.c — the paged worklist model against a real PostgreSQL
 *
 * The model runs as a specialist on an RdConnection (row-level security
 * applies); a second, blocking libpq connection plays the colleagues who
 * insert, update and delete while the list is paged through.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-connection.h"
#include "rd-listener.h"
#include "rd-priority.h"
#include "rd-queue-counts.h"
#include "rd-referral-list.h"
#include "schema-fixture.h"

#define N_ROWS 2000

typedef struct {
  FxDb  *db;
  char  *queue;
  char  *other_queue;
  char  *maria;
  char  *olga;      /* in another team */
} Fixture;

static gboolean
on_deadline (gpointer user_data)
{
  g_error ("test timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

#define SPIN_UNTIL(cond, what)                                              \
  G_STMT_START {                                                            \
    guint deadline_ = g_timeout_add_seconds (60, on_deadline, what);        \
    while (!(cond))                                                         \
      g_main_context_iteration (NULL, TRUE);                                \
    g_source_remove (deadline_);                                            \
  } G_STMT_END

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static RdConnection *
open_as (Fixture    *fx,
         const char *login)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (fx->db->dbname, login);
  g_autoptr(RdConnection) conn = rd_connection_new (conninfo);
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  rd_connection_open_async (conn, NULL, on_done, &result);
  SPIN_UNTIL (result != NULL, "a connection");
  rd_connection_open_finish (conn, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  return g_steal_pointer (&conn);
}

static RdListener *
listen_as (Fixture    *fx,
           const char *login)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (fx->db->dbname, login);
  g_autoptr(RdListener) listener = rd_listener_new (conninfo);
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  rd_listener_start_async (listener, NULL, on_done, &result);
  SPIN_UNTIL (result != NULL, "the listener");
  rd_listener_start_finish (listener, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  return g_steal_pointer (&listener);
}

/* 2,000 open referrals in maria's queue with every priority, due times
 * (some NULL, many equal, so the id decides) and patient names; 20 in
 * another team's queue. */
static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *n = g_strdup_printf ("%d", N_ROWS);

  fx->db = fx_db_new ();
  if (fx->db == NULL)
    return;
  fx->queue = fx_team (fx->db, "Cardiology");
  fx->other_queue = fx_team (fx->db, "Imaging");
  fx->maria = fx_staff (fx->db, "Maria", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  fx->olga = fx_staff (fx->db, "Olga", RD_STAFF_ROLE_SPECIALIST, "Imaging");

  PQclear (PQexec (fx->db->admin, "SET client_min_messages = warning"));
  PQclear (fx_exec (fx->db->admin,
                    "WITH p AS ("
                    "  INSERT INTO rd.patient (family_name, given_name, dob, mrn, phone_mobile)"
                    "  SELECT (ARRAY['Smith','Smyth','Garcia','Nguyen','Okafor','Ivanova','Schmidt',"
                    "                'Zylberstein','Ng','Li'])[1 + g % 10],"
                    "         'Pat' || g, DATE '1950-01-01' + g, 'MRN' || lpad(g::text, 6, '0'),"
                    "         '+1555' || lpad(g::text, 7, '0')"
                    "  FROM generate_series(1, $1::int) AS g RETURNING id, dob - DATE '1950-01-01' AS g)"
                    "INSERT INTO rd.referral (channel, queue_id, priority, due_at, patient_id, received_at)"
                    "SELECT 'fax', $2::bigint,"
                    "       (ARRAY['routine','routine','routine','urgent','asap','stat'])[1 + p.g % 6],"
                    "       CASE WHEN p.g % 13 = 0 THEN NULL"
                    "            ELSE TIMESTAMPTZ '2026-01-01' + (p.g % 50) * interval '1 hour' END,"
                    "       p.id, TIMESTAMPTZ '2025-12-01' + p.g * interval '1 minute'"
                    "FROM p",
                    n, fx->queue, NULL));
  PQclear (fx_exec (fx->db->admin,
                    "WITH p AS (INSERT INTO rd.patient (family_name, given_name, dob)"
                    "  SELECT 'Hidden', 'Other' || g, DATE '1980-01-01' FROM generate_series(1, 20) g"
                    "  RETURNING id)"
                    "INSERT INTO rd.referral (channel, queue_id, patient_id) SELECT 'hl7', $1::bigint, id FROM p",
                    fx->other_queue, NULL));
  PQclear (fx_exec (fx->db->admin, "ANALYZE", NULL));
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_pointer (&fx->db, fx_db_free);
  g_free (fx->queue);
  g_free (fx->other_queue);
  g_free (fx->maria);
  g_free (fx->olga);
}

static RdReferralQuery *
queue_filter (Fixture *fx)
{
  RdReferralQuery *f = rd_referral_query_new ();

  f->queue_id = g_ascii_strtoll (fx->queue, NULL, 10);
  return f;
}

static void
wait_ready (RdReferralList *list)
{
  SPIN_UNTIL (rd_referral_list_get_state (list) != RD_REFERRAL_LIST_STATE_LOADING &&
              !rd_referral_list_get_busy (list), "the list to load");
  g_assert_cmpint (rd_referral_list_get_state (list), ==, RD_REFERRAL_LIST_STATE_READY);
}

/* The item at @pos, waiting for its page when it is a placeholder. */
static RdReferral *
get_loaded (RdReferralList *list,
            guint           pos)
{
  for (;;)
    {
      g_autoptr(RdReferral) r = g_list_model_get_item (G_LIST_MODEL (list), pos);

      g_assert_nonnull (r);
      if (!rd_referral_is_placeholder (r))
        return g_steal_pointer (&r);
      SPIN_UNTIL (!rd_referral_list_get_busy (list), "a page");
      g_assert_cmpuint (pos, <, g_list_model_get_n_items (G_LIST_MODEL (list)));
    }
}

/* Ids of the queue's open referrals in worklist order, as the server has them. */
static GArray *
server_order (Fixture *fx)
{
  g_autoptr(PGresult) res = fx_exec (fx->db->admin,
                                     "SELECT id FROM rd.referral WHERE queue_id = $1::bigint"
                                     " AND rd.status_is_open(status)"
                                     " ORDER BY priority_rank DESC, due_at ASC NULLS LAST, id",
                                     fx->queue, NULL);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (int i = 0; i < PQntuples (res); i++)
    {
      gint64 id = g_ascii_strtoll (PQgetvalue (res, i, 0), NULL, 10);
      g_array_append_val (ids, id);
    }
  return ids;
}

static GArray *
model_ids (RdReferralList *list)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RdReferral) r = g_list_model_get_item (G_LIST_MODEL (list), i);
      gint64 id = rd_referral_get_id (r);
      g_array_append_val (ids, id);
    }
  return ids;
}

static void
assert_no_duplicates (GArray *ids)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 *id = &g_array_index (ids, gint64, i);
      if (*id == 0)
        continue;
      if (g_hash_table_contains (seen, id))
        g_error ("referral %" G_GINT64_FORMAT " is in the list twice (position %u)", *id, i);
      g_hash_table_add (seen, id);
    }
}

typedef struct {
  guint cursor;
} Cursor;

/* Keeps the reader's place when rows before it are inserted or removed. */
static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Cursor     *c)
{
  if (position + removed <= c->cursor)
    c->cursor = c->cursor + added - removed;
  else if (position < c->cursor)
    c->cursor = position + added;
}

/* Every items-changed must describe the model exactly as it is when the
 * signal runs: the count it implies is the model's count, and the rows it
 * says are new are there. */
static void
on_items_changed_check (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        guint      *n_items)
{
  g_assert_cmpuint (position + removed, <=, *n_items);
  *n_items = *n_items - removed + added;
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, *n_items);
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      g_assert_nonnull (item);
    }
}

static void
test_paging_concurrent (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdReferralList) list = NULL;
  g_autoptr(RdReferralQuery) filter = NULL;
  g_autoptr(PGconn) other = NULL;
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  g_autoptr(GArray) final_ids = NULL;
  g_autoptr(GHashTable) stable = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) visited = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) changed = g_hash_table_new (g_int64_hash, g_int64_equal);
  Cursor c = { 0 };
  guint n_told = 0;
  guint round = 0, stable_seen = 0;
  gint64 last_stable_pos = -1;

  if (fx->db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev test)");
      return;
    }

  other = rd_test_pg_connect (fx->db->dbname, NULL);
  before = server_order (fx);
  g_assert_cmpuint (before->len, ==, N_ROWS);
  /* Every tenth row may be changed or deleted by "colleagues"; the rest
   * must each be seen exactly once. */
  for (guint i = 0; i < before->len; i++)
    if (g_array_index (before, gint64, i) % 10 != 0)
      g_hash_table_add (stable, &g_array_index (before, gint64, i));
    else
      g_hash_table_add (changed, &g_array_index (before, gint64, i));

  conn = open_as (fx, fx->maria);
  list = rd_referral_list_new (conn);
  rd_referral_list_set_page_size (list, 50);
  filter = queue_filter (fx);
  rd_referral_list_set_filter (list, filter);
  wait_ready (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_ROWS);
  g_assert_true (rd_referral_list_get_count_exact (list));
  /* Only what was asked for is in memory. */
  g_assert_cmpuint (rd_referral_list_get_n_loaded (list), <=, 200);

  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), &c);
  n_told = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed_check), &n_told);

  for (c.cursor = 0; c.cursor < g_list_model_get_n_items (G_LIST_MODEL (list)); c.cursor++)
    {
      g_autoptr(RdReferral) r = g_list_model_get_item (G_LIST_MODEL (list), c.cursor);
      gint64 id;

      /* Rows before the cursor may come and go while the page loads: the
       * items-changed handler moves the cursor, so read it again. */
      while (rd_referral_is_placeholder (r))
        {
          SPIN_UNTIL (!rd_referral_list_get_busy (list), "a page");
          g_clear_object (&r);
          if (c.cursor >= g_list_model_get_n_items (G_LIST_MODEL (list)))
            break;
          r = g_list_model_get_item (G_LIST_MODEL (list), c.cursor);
        }
      if (r == NULL)
        break;
      id = rd_referral_get_id (r);

      if (g_hash_table_contains (stable, &id))
        {
          if (g_hash_table_contains (visited, &id))
            g_error ("referral %" G_GINT64_FORMAT " came twice while paging", id);
          g_hash_table_add (visited, g_memdup2 (&id, sizeof id));
          stable_seen++;
          /* Stable rows keep their relative order. */
          for (guint k = last_stable_pos + 1; k < before->len; k++)
            if (g_array_index (before, gint64, k) == id)
              {
                last_stable_pos = k;
                break;
              }
            else if (g_hash_table_contains (stable, &g_array_index (before, gint64, k)))
              {
                if (g_getenv ("RD_TEST_DEBUG"))
                  {
                    g_autoptr(GArray) m = model_ids (list);
                    for (guint q = 0; q < m->len; q++)
                      g_printerr ("%u:%" G_GINT64_FORMAT " ", q, g_array_index (m, gint64, q));
                    g_printerr ("\ncursor %u id %" G_GINT64_FORMAT " k %u\n", c.cursor, id, k);
                    for (guint q = 0; q < before->len; q++)
                      g_printerr ("%" G_GINT64_FORMAT " ", g_array_index (before, gint64, q));
                  }
                g_error ("referral %" G_GINT64_FORMAT " went missing while paging",
                         g_array_index (before, gint64, k));
              }
        }

      /* Between pages, colleagues change things before and after the
       * reader's place: new STAT work on top, changed priorities, deletions. */
      if (c.cursor % 50 == 25)
        {
          g_autofree char *seq = g_strdup_printf ("%u", round++);
          PQclear (fx_exec (other,
                            "INSERT INTO rd.referral (channel, queue_id, priority, due_at)"
                            " SELECT 'phone', $1::bigint, 'stat', TIMESTAMPTZ '2025-06-01' + $2::int * interval '1 s'"
                            " FROM generate_series(1, 3)",
                            fx->queue, seq, NULL));
          PQclear (fx_exec (other,
                            "UPDATE rd.referral SET priority = CASE priority WHEN 'stat' THEN 'routine' ELSE 'stat' END"
                            " WHERE id IN (SELECT id FROM rd.referral WHERE queue_id = $1::bigint AND id % 10 = 0"
                            "              AND rd.status_is_open(status) ORDER BY random() LIMIT 3)",
                            fx->queue, NULL));
          PQclear (fx_exec (other,
                            "DELETE FROM rd.referral WHERE id IN (SELECT id FROM rd.referral"
                            " WHERE queue_id = $1::bigint AND id % 10 = 0 ORDER BY random() LIMIT 2)",
                            fx->queue, NULL));
        }
    }

  g_assert_cmpuint (stable_seen, ==, g_hash_table_size (stable));
  g_assert_cmpuint (round, >, 30);

  final_ids = model_ids (list);
  assert_no_duplicates (final_ids);

  /* Every stable row is in the model, in the server's current order. */
  after = server_order (fx);
  {
    guint j = 0;
    for (guint i = 0; i < after->len; i++)
      {
        gint64 id = g_array_index (after, gint64, i);

        if (!g_hash_table_contains (stable, &id))
          continue;
        while (j < final_ids->len && g_array_index (final_ids, gint64, j) != id)
          j++;
        if (j == final_ids->len)
          g_error ("stable referral %" G_GINT64_FORMAT " missing or out of order in the model", id);
      }
  }
}

static gboolean
model_has (RdReferralList *list,
           gint64          id,
           gint64         *out_pos)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RdReferral) r = g_list_model_get_item (G_LIST_MODEL (list), i);
      if (rd_referral_get_id (r) == id)
        {
          if (out_pos)
            *out_pos = i;
          return TRUE;
        }
    }
  return FALSE;
}

static gint64
first_id (RdReferralList *list)
{
  g_autoptr(RdReferral) r = g_list_model_get_item (G_LIST_MODEL (list), 0);
  return r ? rd_referral_get_id (r) : 0;
}

static void
test_live (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdListener) listener = NULL;
  g_autoptr(RdReferralList) list = NULL;
  g_autoptr(RdReferralQuery) filter = NULL;
  g_autoptr(PGconn) other = NULL;
  g_autoptr(RdReferral) third = NULL;
  g_autoptr(RdReferral) first = NULL;
  g_autofree char *third_id = NULL;
  g_autofree char *new_id = NULL;
  gint64 pos = -1, id;

  if (fx->db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev test)");
      return;
    }

  other = rd_test_pg_connect (fx->db->dbname, NULL);
  conn = open_as (fx, fx->maria);
  listener = listen_as (fx, fx->maria);
  list = rd_referral_list_new (conn);
  rd_referral_list_follow (list, listener);
  filter = queue_filter (fx);
  rd_referral_list_set_filter (list, filter);
  wait_ready (list);
  g_object_unref (get_loaded (list, 0));

  /* A change that keeps the place: the same object, updated in place. */
  third = get_loaded (list, 2);
  third_id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_referral_get_id (third));
  PQclear (fx_exec (other, "UPDATE rd.referral SET specialty = 'Cardiology' WHERE id = $1::bigint",
                    third_id, NULL));
  SPIN_UNTIL (g_strcmp0 (rd_referral_get_specialty (third), "Cardiology") == 0, "an update in place");
  {
    g_autoptr(RdReferral) again = g_list_model_get_item (G_LIST_MODEL (list), 2);
    g_assert_true (again == third);
  }

  /* A new STAT referral due before all others appears on top. */
  {
    g_autoptr(PGresult) res =
      fx_exec (other,
               "INSERT INTO rd.referral (channel, queue_id, priority, due_at)"
               " VALUES ('phone', $1::bigint, 'stat', TIMESTAMPTZ '2020-01-01') RETURNING id",
               fx->queue, NULL);
    new_id = g_strdup (PQgetvalue (res, 0, 0));
  }
  id = g_ascii_strtoll (new_id, NULL, 10);
  SPIN_UNTIL (model_has (list, id, &pos), "an inserted referral");
  g_assert_cmpint (pos, ==, 0);

  /* Lowered to routine with no due time: it leaves the top (its new place
   * is past the loaded rows, so it waits in the unloaded part). */
  PQclear (fx_exec (other, "UPDATE rd.referral SET priority = 'routine', due_at = NULL WHERE id = $1::bigint",
                    new_id, NULL));
  SPIN_UNTIL (first_id (list) != id, "a moved referral");
  first = get_loaded (list, 0);
  g_assert_cmpint (rd_referral_get_id (first), !=, id);

  /* Cancelled: no longer open, so it leaves the list. */
  PQclear (fx_exec (other,
                    "UPDATE rd.referral SET status = 'cancelled', close_reason = 'duplicate' WHERE id = $1::bigint",
                    third_id, NULL));
  SPIN_UNTIL (!model_has (list, rd_referral_get_id (third), NULL), "a cancelled referral to leave");

  /* Resync (as after a reconnect) keeps the loaded rows, same objects. */
  {
    g_autoptr(RdReferral) top = get_loaded (list, 0);
    g_autoptr(RdReferral) top_again = NULL;
    guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

    rd_referral_list_resync (list);
    SPIN_UNTIL (!rd_referral_list_get_busy (list), "a resync");
    top_again = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_assert_true (top == top_again);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
  }
}

static guint
count_with (Fixture        *fx,
            RdConnection   *conn,
            const char     *search)
{
  g_autoptr(RdReferralList) list = rd_referral_list_new (conn);
  g_autoptr(RdReferralQuery) f = queue_filter (fx);

  f->search = g_strdup (search);
  rd_referral_list_set_filter (list, f);
  wait_ready (list);
  return g_list_model_get_n_items (G_LIST_MODEL (list));
}

static void
test_search (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(RdConnection) conn = NULL;

  if (fx->db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev test)");
      return;
    }
  conn = open_as (fx, fx->maria);

  /* Two letters: family name prefix ("Ng" and "Nguyen", not "Li"). */
  g_assert_cmpuint (count_with (fx, conn, "ng"), ==, N_ROWS / 10 * 2);
  /* Three letters or more: substring of the name. */
  g_assert_cmpuint (count_with (fx, conn, "Zylber"), ==, N_ROWS / 10);
  /* Case does not matter; a fragment inside the name is found. */
  g_assert_cmpuint (count_with (fx, conn, "ylbers"), ==, N_ROWS / 10);
  /* MRN, date of birth, phone, referral number: exactly one. */
  g_assert_cmpuint (count_with (fx, conn, "MRN000042"), ==, 1);
  g_assert_cmpuint (count_with (fx, conn, "1950-02-12"), ==, 1);
  g_assert_cmpuint (count_with (fx, conn, "(555) 000-0042"), ==, 1);
  g_assert_cmpuint (count_with (fx, conn, "+1 555 000 0042"), ==, 1);
  g_assert_cmpuint (count_with (fx, conn, "nothing like it"), ==, 0);
}

/* The worklist's name search forgives typos (rd.match_patients(), 0007),
 * keeps one or two letters to the family name's start, and shows no
 * other team's patients however close the name. */
static void
test_search_typos (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(RdConnection) maria = NULL;
  g_autoptr(RdConnection) olga = NULL;

  if (fx->db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev test)");
      return;
    }
  maria = open_as (fx, fx->maria);
  olga = open_as (fx, fx->olga);

  /* Two letters swapped, one letter swapped: every Zylberstein, every
   * Okafor, every Smith (but no Smyth: one letter more is different). */
  g_assert_cmpuint (count_with (fx, maria, "Zylbrestein"), ==, N_ROWS / 10);
  g_assert_cmpuint (count_with (fx, maria, "okafro"), ==, N_ROWS / 10);
  g_assert_cmpuint (count_with (fx, maria, "Smiht"), ==, N_ROWS / 10);
  /* Several words: the full name, nearly; not everyone who shares one of
   * the words (no other Margaret, no Thompson but her). */
  PQclear (fx_exec (fx->db->admin,
                    "WITH p AS (INSERT INTO rd.patient (family_name, given_name, dob)"
                    "  VALUES ('Thompson', 'Margaret', DATE '1961-04-23'), ('Okafor', 'Margaret', NULL)"
                    "  RETURNING id)"
                    "INSERT INTO rd.referral (channel, queue_id, patient_id) SELECT 'fax', $1::bigint, id FROM p",
                    fx->queue, NULL));
  g_assert_cmpuint (count_with (fx, maria, "Margret Thompson"), ==, 1);
  g_assert_cmpuint (count_with (fx, maria, "Tohmpson"), ==, 1);
  /* One or two letters: the start of the family name, never inside it. */
  g_assert_cmpuint (count_with (fx, maria, "zy"), ==, N_ROWS / 10);
  g_assert_cmpuint (count_with (fx, maria, "yl"), ==, 0);
  g_assert_cmpuint (count_with (fx, maria, "z"), ==, N_ROWS / 10);

  /* "Hidden" is Imaging's: olga finds it misspelled, maria never does. */
  {
    g_autoptr(RdReferralList) list = rd_referral_list_new (maria);
    g_autoptr(RdReferralQuery) f = rd_referral_query_new ();

    f->search = g_strdup ("Hiddne");
    rd_referral_list_set_filter (list, f);
    wait_ready (list);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

    rd_referral_list_set_connection (list, olga);
    wait_ready (list);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 20);
  }
}

/* A lead moves a referral from maria to a colleague: it leaves maria's
 * "My work" and appears in the colleague's, each list following its own
 * listener on its own connection. */
static void
test_reassign_between_my_work (Fixture       *fx,
                               gconstpointer  data)
{
  g_autofree char *nora = NULL;
  g_autofree char *lena = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *version = NULL;
  g_autoptr(RdConnection) maria_conn = NULL;
  g_autoptr(RdConnection) nora_conn = NULL;
  g_autoptr(RdListener) maria_listener = NULL;
  g_autoptr(RdListener) nora_listener = NULL;
  g_autoptr(RdReferralList) maria_list = NULL;
  g_autoptr(RdReferralList) nora_list = NULL;
  g_autoptr(RdReferralQuery) my_work = rd_referral_query_new ();
  g_autoptr(PGconn) lead = NULL;
  gint64 id;

  if (fx->db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev test)");
      return;
    }
  nora = fx_staff (fx->db, "Nora", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  lena = fx_staff (fx->db, "Lena", RD_STAFF_ROLE_LEAD, "Cardiology");

  /* Three referrals are maria's. */
  {
    g_autoptr(PGresult) res =
      fx_exec (fx->db->admin,
               "UPDATE rd.referral SET assignee = $2 WHERE id IN (SELECT id FROM rd.referral"
               " WHERE queue_id = $1::bigint ORDER BY id LIMIT 3) RETURNING id, version",
               fx->queue, fx->maria, NULL);

    g_assert_cmpint (PQntuples (res), ==, 3);
    moved = g_strdup (PQgetvalue (res, 1, 0));
    version = g_strdup (PQgetvalue (res, 1, 1));
  }
  id = g_ascii_strtoll (moved, NULL, 10);

  maria_conn = open_as (fx, fx->maria);
  nora_conn = open_as (fx, nora);
  maria_listener = listen_as (fx, fx->maria);
  nora_listener = listen_as (fx, nora);

  my_work->assignee = RD_ASSIGNEE_ME;
  maria_list = rd_referral_list_new (maria_conn);
  rd_referral_list_follow (maria_list, maria_listener);
  rd_referral_list_set_filter (maria_list, my_work);
  nora_list = rd_referral_list_new (nora_conn);
  rd_referral_list_follow (nora_list, nora_listener);
  rd_referral_list_set_filter (nora_list, my_work);
  wait_ready (maria_list);
  wait_ready (nora_list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (maria_list)), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (nora_list)), ==, 0);
  g_object_unref (get_loaded (maria_list, 0));
  g_assert_true (model_has (maria_list, id, NULL));

  /* The lead, on a third connection. */
  lead = fx_connect (fx->db, lena);
  {
    g_autoptr(PGresult) res =
      fx_exec (lead, "SELECT assignee FROM rd.reassign_referral($1::bigint, $2::bigint, $3)",
               moved, version, nora, NULL);

    g_assert_cmpint (PQntuples (res), ==, 1);
    g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, nora);
  }

  SPIN_UNTIL (!model_has (maria_list, id, NULL), "the referral to leave maria's work");
  SPIN_UNTIL (model_has (nora_list, id, NULL), "the referral to reach nora's work");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (maria_list)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (nora_list)), ==, 1);
  {
    g_autoptr(RdReferral) r = get_loaded (nora_list, 0);

    g_assert_cmpint (rd_referral_get_id (r), ==, id);
    g_assert_cmpstr (rd_referral_get_assignee (r), ==, nora);
  }
}

static void
test_filters_and_rls (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(RdConnection) maria = NULL;
  g_autoptr(RdConnection) olga = NULL;
  g_autoptr(RdReferralList) list = NULL;
  g_autoptr(RdReferralQuery) f = rd_referral_query_new ();

  if (fx->db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev test)");
      return;
    }
  maria = open_as (fx, fx->maria);
  olga = open_as (fx, fx->olga);

  /* Every queue one may see: maria sees her team's 2,000, never Imaging's. */
  list = rd_referral_list_new (maria);
  rd_referral_list_set_filter (list, f);
  wait_ready (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_ROWS);

  rd_referral_list_set_connection (list, olga);
  wait_ready (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 20);
  /* Even when asking for maria's queue by id. */
  f->queue_id = g_ascii_strtoll (fx->queue, NULL, 10);
  rd_referral_list_set_filter (list, f);
  wait_ready (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

  rd_referral_list_set_connection (list, maria);
  wait_ready (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_ROWS);

  /* STAT / urgent: priorities urgent, asap, stat are 3 of every 6. */
  f->urgent = TRUE;
  rd_referral_list_set_filter (list, f);
  wait_ready (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 999);
  f->urgent = FALSE;
  f->priority_mask = 1u << RD_PRIORITY_STAT;
  rd_referral_list_set_filter (list, f);
  wait_ready (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 333);
  f->priority_mask = 0;

  /* Overdue: every due time is in the past, except the NULL ones. */
  f->overdue = TRUE;
  rd_referral_list_set_filter (list, f);
  wait_ready (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_ROWS - N_ROWS / 13);
  f->overdue = FALSE;

  /* My work: nothing assigned yet. */
  f->assignee = RD_ASSIGNEE_ME;
  rd_referral_list_set_filter (list, f);
  wait_ready (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  f->assignee = RD_ASSIGNEE_ANY;

  /* Each sort, each way in: the first and the last item agree with SQL;
   * for one queue, and for all of one's queues (one index range per queue). */
  for (int k = 0; k < 2 * (RD_REFERRAL_SORT_STATUS + 1); k++)
    {
      RdReferralSort s = k % (RD_REFERRAL_SORT_STATUS + 1);
      gboolean all_queues = k > RD_REFERRAL_SORT_STATUS;
      static const char *orders[] = {
        "priority_rank DESC, due_at ASC NULLS LAST, r.id",
        "received_at DESC, r.id DESC",
        "lower(p.full_name) COLLATE \"C\" ASC NULLS LAST, r.id",
        "array_position(ARRAY['new','triage','pending_info','pending_auth','accepted','scheduled',"
        "'no_show','seen','completed','declined','cancelled','expired']::text[], status),"
        " priority_rank DESC, due_at ASC NULLS LAST, r.id",
      };
      g_autofree char *sql = g_strdup_printf ("SELECT r.id FROM rd.referral r LEFT JOIN rd.patient p"
                                              " ON p.id = r.patient_id WHERE queue_id = $1::bigint"
                                              " AND rd.status_is_open(status) ORDER BY %s", orders[s]);
      g_autoptr(PGresult) res = fx_exec (fx->db->admin, sql, fx->queue, NULL);
      g_autoptr(RdReferral) last = NULL;
      g_autoptr(RdReferral) mid = NULL;
      g_autoptr(RdReferral) head = NULL;
      guint n;

      f->sort = s;
      f->queue_id = all_queues ? 0 : g_ascii_strtoll (fx->queue, NULL, 10);
      rd_referral_list_set_filter (list, f);
      wait_ready (list);
      n = g_list_model_get_n_items (G_LIST_MODEL (list));
      g_assert_cmpuint (n, ==, PQntuples (res));
      /* The end first (reversed keyset), then the middle (one OFFSET),
       * then the head. */
      last = get_loaded (list, n - 1);
      g_assert_cmpint (rd_referral_get_id (last), ==, g_ascii_strtoll (PQgetvalue (res, n - 1, 0), NULL, 10));
      mid = get_loaded (list, n / 2);
      g_assert_cmpint (rd_referral_get_id (mid), ==, g_ascii_strtoll (PQgetvalue (res, n / 2, 0), NULL, 10));
      head = get_loaded (list, 1);
      g_assert_cmpint (rd_referral_get_id (head), ==, g_ascii_strtoll (PQgetvalue (res, 1, 0), NULL, 10));
      g_assert_cmpuint (rd_referral_list_get_n_loaded (list), <, n);
    }
}

/* More rows than are counted exactly: the planner's estimate sizes the
 * list, the end comes from a reversed scan, and reading it all gives exactly
 * the server's order, the holes having grown or shrunk to fit. */
static void
test_estimate (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdReferralList) list = NULL;
  g_autoptr(RdReferralQuery) filter = NULL;
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GArray) got = NULL;
  g_autoptr(RdReferral) last = NULL;
  g_autoptr(RdReferral) held = NULL;
  g_autoptr(GObject) again = NULL;
  guint n;

  if (fx->db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev test)");
      return;
    }
  PQclear (fx_exec (fx->db->admin,
                    "INSERT INTO rd.referral (channel, queue_id, priority, due_at)"
                    " SELECT 'fax', $1::bigint, 'urgent', TIMESTAMPTZ '2026-03-01' + g * interval '1 min'"
                    " FROM generate_series(1, 10500) g",
                    fx->queue, NULL));
  PQclear (fx_exec (fx->db->admin, "ANALYZE rd.referral", NULL));
  expected = server_order (fx);
  g_assert_cmpuint (expected->len, ==, N_ROWS + 10500);

  conn = open_as (fx, fx->maria);
  list = rd_referral_list_new (conn);
  filter = queue_filter (fx);
  rd_referral_list_set_filter (list, filter);
  wait_ready (list);
  g_assert_false (rd_referral_list_get_count_exact (list));
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (n, >, 10000);

  last = get_loaded (list, g_list_model_get_n_items (G_LIST_MODEL (list)) - 1);
  g_assert_cmpint (rd_referral_get_id (last), ==, g_array_index (expected, gint64, expected->len - 1));

  /* The first row stays held, as a list view's selection holds it. */
  held = get_loaded (list, 0);

  /* A placeholder someone holds (a row widget) becomes its row in place:
   * the same object, now with its data. */
  {
    guint far = g_list_model_get_n_items (G_LIST_MODEL (list)) / 2;
    g_autoptr(GObject) waiting = g_list_model_get_item (G_LIST_MODEL (list), far);
    g_autoptr(GObject) filled = NULL;

    g_assert_true (rd_referral_is_placeholder (RD_REFERRAL (waiting)));
    SPIN_UNTIL (!rd_referral_is_placeholder (RD_REFERRAL (waiting)), "the held placeholder");
    filled = g_list_model_get_item (G_LIST_MODEL (list), far);
    g_assert_true (filled == waiting);
    g_assert_cmpint (rd_referral_get_id (RD_REFERRAL (filled)), ==, g_array_index (expected, gint64, far));
  }

  got = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(RdReferral) r = get_loaded (list, i);
      gint64 id = rd_referral_get_id (r);
      g_array_append_val (got, id);
    }
  g_assert_cmpuint (got->len, ==, expected->len);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, expected->len);
  /* Rows far behind the reader were let go: memory does not grow with
   * the distance scrolled. */
  g_assert_cmpuint (rd_referral_list_get_n_loaded (list), <=, 4500);
  /* …except a row someone holds: it is still the same object there. */
  again = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (again == G_OBJECT (held));
  g_assert_false (rd_referral_is_placeholder (held));
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpint (g_array_index (got, gint64, i), ==, g_array_index (expected, gint64, i));
}

static guint
count_of (RdQueueCounts *counts,
          RdCountKind    kind,
          gint64         queue_id)
{
  const RdCountEntry *e = rd_queue_counts_lookup (counts, kind, queue_id);

  g_assert_nonnull (e);
  return e->total;
}

static void
test_counts (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(RdConnection) maria = NULL;
  g_autoptr(RdConnection) olga = NULL;
  g_autoptr(RdListener) listener = NULL;
  g_autoptr(RdQueueCounts) counts = NULL;
  g_autoptr(RdQueueCounts) olga_counts = NULL;
  g_autoptr(PGconn) other = NULL;
  gint64 queue, other_queue;
  guint before;

  if (fx->db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev test)");
      return;
    }
  queue = g_ascii_strtoll (fx->queue, NULL, 10);
  other_queue = g_ascii_strtoll (fx->other_queue, NULL, 10);
  other = rd_test_pg_connect (fx->db->dbname, NULL);
  maria = open_as (fx, fx->maria);
  olga = open_as (fx, fx->olga);
  listener = listen_as (fx, fx->maria);

  counts = rd_queue_counts_new (maria);
  rd_queue_counts_set_debounce (counts, 50);
  rd_queue_counts_follow (counts, listener);
  olga_counts = rd_queue_counts_new (olga);
  SPIN_UNTIL (rd_queue_counts_is_loaded (counts) && rd_queue_counts_is_loaded (olga_counts), "counts");

  g_assert_cmpuint (count_of (counts, RD_COUNT_QUEUE, queue), ==, N_ROWS);
  g_assert_cmpuint (count_of (counts, RD_COUNT_URGENT, 0), ==, 999);
  g_assert_cmpuint (count_of (counts, RD_COUNT_OVERDUE, 0), ==, N_ROWS - N_ROWS / 13);
  g_assert_cmpuint (count_of (counts, RD_COUNT_MY_WORK, 0), ==, 0);
  g_assert_cmpuint (count_of (counts, RD_COUNT_CLOSED_RECENTLY, 0), ==, 0);
  g_assert_cmpuint (count_of (counts, RD_COUNT_INBOX, 0), ==, 0);
  /* Row-level security: maria has no entry for Imaging, olga none for
   * Cardiology, and olga's totals count only her 20. */
  g_assert_null (rd_queue_counts_lookup (counts, RD_COUNT_QUEUE, other_queue));
  g_assert_null (rd_queue_counts_lookup (olga_counts, RD_COUNT_QUEUE, queue));
  g_assert_cmpuint (count_of (olga_counts, RD_COUNT_QUEUE, other_queue), ==, 20);
  g_assert_cmpuint (count_of (olga_counts, RD_COUNT_OVERDUE, 0), ==, 0);

  /* A burst of changes from elsewhere: the counts follow, in few queries. */
  before = rd_queue_counts_get_n_refreshes (counts);
  for (int i = 0; i < 10; i++)
    PQclear (fx_exec (other,
                      "UPDATE rd.referral SET status = 'cancelled', close_reason = 'test'"
                      " WHERE id = (SELECT min(id) FROM rd.referral WHERE queue_id = $1::bigint"
                      "             AND status = 'new')",
                      fx->queue, NULL));
  SPIN_UNTIL (count_of (counts, RD_COUNT_CLOSED_RECENTLY, 0) == 10, "counts to follow");
  g_assert_cmpuint (count_of (counts, RD_COUNT_QUEUE, queue), ==, N_ROWS - 10);
  g_assert_cmpuint (rd_queue_counts_get_n_refreshes (counts) - before, <, 10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add ("/store/referral-list/paging-concurrent", Fixture, NULL,
              fixture_setup, test_paging_concurrent, fixture_teardown);
  g_test_add ("/store/referral-list/live", Fixture, NULL,
              fixture_setup, test_live, fixture_teardown);
  g_test_add ("/store/referral-list/search", Fixture, NULL,
              fixture_setup, test_search, fixture_teardown);
  g_test_add ("/store/referral-list/search-typos", Fixture, NULL,
              fixture_setup, test_search_typos, fixture_teardown);
  g_test_add ("/store/referral-list/reassign-between-my-work", Fixture, NULL,
              fixture_setup, test_reassign_between_my_work, fixture_teardown);
  g_test_add ("/store/referral-list/filters-rls-sorts", Fixture, NULL,
              fixture_setup, test_filters_and_rls, fixture_teardown);
  g_test_add ("/store/referral-list/estimated-count", Fixture, NULL,
              fixture_setup, test_estimate, fixture_teardown);
  g_test_add ("/store/queue-counts/live-rls", Fixture, NULL,
              fixture_setup, test_counts, fixture_teardown);
  return g_test_run ();
}
