/* test-repo-referral.c — the referral repository against the real schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-connection.h"
#include "rd-repo-referral.h"
#include "rd-store-error.h"
#include "schema-fixture.h"

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *w = user_data;

  w->result = g_object_ref (result);
}

static gboolean
on_deadline (gpointer user_data)
{
  g_error ("test timed out");
  return G_SOURCE_REMOVE;
}

static GAsyncResult *
wait_for (Waiter *w)
{
  guint id = g_timeout_add_seconds (60, on_deadline, NULL);

  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return w->result;
}

/* Each call: start, wait, finish, drop the result. */
#define SYNC(finish_expr, start_expr)                 \
  ({                                                  \
    Waiter w_ = { NULL };                             \
    Waiter *w = &w_;                                  \
    start_expr;                                       \
    wait_for (w);                                     \
    __auto_type r_ = (finish_expr);                   \
    g_clear_object (&w_.result);                      \
    r_;                                               \
  })

typedef struct
{
  FxDb         *db;
  char         *queue;
  char         *alice;
  char         *bob;
  RdConnection *as_alice;
  RdConnection *as_bob;
} Fixture;

static RdConnection *
connect_as (FxDb       *db,
            const char *login)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (db->dbname, login);
  g_autoptr(RdConnection) conn = rd_connection_new (conninfo);
  g_autoptr(GError) error = NULL;

  SYNC (rd_connection_open_finish (conn, w->result, &error),
        rd_connection_open_async (conn, NULL, on_done, w));
  g_assert_no_error (error);
  return g_steal_pointer (&conn);
}

static gboolean
fixture_setup (Fixture *f)
{
  memset (f, 0, sizeof *f);
  f->db = fx_db_new ();
  if (f->db == NULL)
    return FALSE;
  f->queue = fx_team (f->db, "Cardiology");
  f->alice = fx_staff (f->db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  f->bob = fx_staff (f->db, "Bob Brown", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  f->as_alice = connect_as (f->db, f->alice);
  f->as_bob = connect_as (f->db, f->bob);
  return TRUE;
}

static void
fixture_teardown (Fixture *f)
{
  g_clear_object (&f->as_alice);
  g_clear_object (&f->as_bob);
  g_free (f->queue);
  g_free (f->alice);
  g_free (f->bob);
  fx_db_free (f->db);
}

static RdReferral *
new_referral (Fixture    *f,
              const char *reason)
{
  RdReferral *r = rd_referral_new ();

  rd_referral_set_queue_id (r, g_ascii_strtoll (f->queue, NULL, 10));
  rd_referral_set_channel (r, "fax");
  rd_referral_set_reason (r, reason);
  rd_referral_set_specialty (r, "Cardiology");
  return r;
}

static void
test_create_idempotent (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) draft = NULL;
  g_autoptr(RdReferral) first = NULL;
  g_autoptr(RdReferral) again = NULL;
  g_autofree char *long_text = NULL;
  const char *tricky = "Chest pain'); DELETE FROM rd.referral; -- \"quoted\" \\ 100% _x_ 東京";
  const char *dx[] = { "I20.9", "R07.4", NULL };

  if (!fixture_setup (&f))
    return;

  draft = new_referral (&f, tricky);
  rd_referral_set_diagnoses (draft, dx);
  rd_referral_set_priority (draft, RD_PRIORITY_URGENT);
  long_text = g_strnfill (20000, 'n');
  rd_referral_set_notes (draft, long_text);

  first = SYNC (rd_repo_referral_create_finish (f.as_alice, w->result, &error),
                rd_repo_referral_create_async (f.as_alice, draft, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_nonnull (rd_referral_get_idempotency_key (draft));
  g_assert_cmpint (rd_referral_get_id (first), >, 0);
  g_assert_cmpint (rd_referral_get_version (first), ==, 1);
  g_assert_nonnull (rd_referral_get_number (first));
  g_assert_cmpstr (rd_referral_get_reason (first), ==, tricky);
  g_assert_cmpstr (rd_referral_get_notes (first), ==, long_text);
  g_assert_true (g_strv_equal (rd_referral_get_diagnoses (first), dx));
  g_assert_cmpint (rd_referral_get_priority (first), ==, RD_PRIORITY_URGENT);
  g_assert_cmpint (rd_referral_get_status (first), ==, RD_STATUS_NEW);
  g_assert_cmpstr (rd_referral_get_queue_name (first), ==, "Cardiology queue");
  g_assert_nonnull (rd_referral_get_received_at (first));

  /* The same create again (a retry after a lost answer): the same row. */
  again = SYNC (rd_repo_referral_create_finish (f.as_alice, w->result, &error),
                rd_repo_referral_create_async (f.as_alice, draft, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_cmpint (rd_referral_get_id (again), ==, rd_referral_get_id (first));
  g_assert_cmpint (fx_int (f.db->admin, "SELECT count(*) FROM rd.referral", NULL), ==, 1);

  /* A value the schema refuses: a clear error, nothing stored. */
  {
    g_autoptr(RdReferral) bad = new_referral (&f, "x");
    g_autoptr(RdReferral) none = NULL;
    const char *bad_dx[] = { "not a code", NULL };

    rd_referral_set_diagnoses (bad, bad_dx);
    none = SYNC (rd_repo_referral_create_finish (f.as_alice, w->result, &error),
                 rd_repo_referral_create_async (f.as_alice, bad, NULL, on_done, w));
    g_assert_null (none);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
    g_assert_null (strstr (error->message, "not a code"));
    g_clear_error (&error);
  }

  fixture_teardown (&f);
}

static void
test_get_not_found (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) r = NULL;

  if (!fixture_setup (&f))
    return;

  r = SYNC (rd_repo_referral_get_finish (f.as_alice, w->result, &error),
            rd_repo_referral_get_async (f.as_alice, 987654321, NULL, on_done, w));
  g_assert_null (r);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);

  fixture_teardown (&f);
}

static void
test_list_keyset (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  RdReferralFilter filter;
  RdReferralCursor cursor = { 0 };
  const char *priorities[] = { "routine", "urgent", "asap", "stat" };

  if (!fixture_setup (&f))
    return;

  /* 41 open referrals, priorities and due times mixed, some without due
   * time, plus closed ones the default filter leaves out. */
  for (int i = 0; i < 41; i++)
    {
      g_autofree char *family = g_strdup_printf ("Family%02d", i);
      g_autofree char *id = fx_referral (f.db->admin, f.queue, "new", family);
      g_autofree char *due = i % 5 == 0 ? g_strdup ("") : g_strdup_printf ("2026-12-%02d 10:00+00", 1 + (i * 7) % 20);
      g_autoptr(PGresult) res = fx_exec (f.db->admin,
                                         "UPDATE rd.referral SET priority = $2, due_at = nullif($3, '')::timestamptz "
                                         "WHERE id = $1::bigint",
                                         id, priorities[(i * 3) % 4], due, NULL);
    }
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *id = fx_referral (f.db->admin, f.queue, "cancelled", "Closed");
    }

  {
    g_autoptr(PGresult) res = fx_exec (f.db->admin,
                                       "SELECT id FROM rd.referral WHERE rd.status_is_open(status) "
                                       "ORDER BY priority_rank DESC, due_at, id", NULL);
    for (int i = 0; i < PQntuples (res); i++)
      {
        gint64 id = g_ascii_strtoll (PQgetvalue (res, i, 0), NULL, 10);
        g_array_append_val (expected, id);
      }
  }

  rd_referral_filter_init (&filter);
  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;

      page = SYNC (rd_repo_referral_list_finish (f.as_alice, w->result, &error),
                   rd_repo_referral_list_async (f.as_alice, &filter, &cursor, 6, NULL, on_done, w));
      g_assert_no_error (error);
      for (guint i = 0; i < page->len; i++)
        {
          gint64 id = rd_referral_get_id (page->pdata[i]);
          g_array_append_val (seen, id);
        }
      if (page->len < 6)
        break;
      rd_referral_cursor_set_from (&cursor, page->pdata[page->len - 1]);
    }
  rd_referral_cursor_clear (&cursor);

  g_assert_cmpuint (seen->len, ==, 41);
  g_assert_cmpmem (seen->data, seen->len * sizeof (gint64), expected->data, expected->len * sizeof (gint64));

  /* Filters. */
  {
    g_autoptr(GPtrArray) page = NULL;
    RdStatus closed[] = { RD_STATUS_CANCELLED };

    filter.priority = RD_PRIORITY_STAT;
    page = SYNC (rd_repo_referral_list_finish (f.as_alice, w->result, &error),
                 rd_repo_referral_list_async (f.as_alice, &filter, NULL, 100, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, fx_int (f.db->admin, "SELECT count(*) FROM rd.referral "
                                             "WHERE priority = 'stat' AND rd.status_is_open(status)", NULL));
    for (guint i = 0; i < page->len; i++)
      g_assert_cmpint (rd_referral_get_priority (page->pdata[i]), ==, RD_PRIORITY_STAT);
    g_clear_pointer (&page, g_ptr_array_unref);

    rd_referral_filter_init (&filter);
    filter.statuses = closed;
    filter.n_statuses = 1;
    page = SYNC (rd_repo_referral_list_finish (f.as_alice, w->result, &error),
                 rd_repo_referral_list_async (f.as_alice, &filter, NULL, 100, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 3);
    g_clear_pointer (&page, g_ptr_array_unref);

    /* Search by a fragment of the name; LIKE wildcards match literally. */
    rd_referral_filter_init (&filter);
    filter.search = "ily07";
    page = SYNC (rd_repo_referral_list_finish (f.as_alice, w->result, &error),
                 rd_repo_referral_list_async (f.as_alice, &filter, NULL, 100, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 1);
    g_assert_cmpstr (rd_referral_get_patient_name (page->pdata[0]), ==, "Pat Family07");
    g_clear_pointer (&page, g_ptr_array_unref);

    filter.search = "%";
    page = SYNC (rd_repo_referral_list_finish (f.as_alice, w->result, &error),
                 rd_repo_referral_list_async (f.as_alice, &filter, NULL, 100, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 0);
    g_clear_pointer (&page, g_ptr_array_unref);

    rd_referral_filter_init (&filter);
    filter.assignee = "";
    filter.channel = "fax";
    filter.direction = RD_DIRECTION_INCOMING;
    page = SYNC (rd_repo_referral_list_finish (f.as_alice, w->result, &error),
                 rd_repo_referral_list_async (f.as_alice, &filter, NULL, 100, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 41);
    g_clear_pointer (&page, g_ptr_array_unref);

    filter.channel = "email";
    page = SYNC (rd_repo_referral_list_finish (f.as_alice, w->result, &error),
                 rd_repo_referral_list_async (f.as_alice, &filter, NULL, 100, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 0);
    g_clear_pointer (&page, g_ptr_array_unref);
  }

  /* Queue, received range, payer. */
  {
    g_autoptr(GPtrArray) page = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) hour_ago = g_date_time_add_hours (now, -1);
    g_autoptr(GDateTime) in_an_hour = g_date_time_add_hours (now, 1);
    g_autofree char *family = g_strdup ("Insured");
    g_autofree char *insured = fx_referral (f.db->admin, f.queue, "new", family);
    gint64 payer;

    rd_referral_filter_init (&filter);
    filter.queue_id = g_ascii_strtoll (f.queue, NULL, 10);
    filter.received_from = hour_ago;
    filter.received_to = in_an_hour;
    page = SYNC (rd_repo_referral_list_finish (f.as_alice, w->result, &error),
                 rd_repo_referral_list_async (f.as_alice, &filter, NULL, 100, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 42);
    g_clear_pointer (&page, g_ptr_array_unref);

    filter.received_from = in_an_hour;
    filter.received_to = NULL;
    page = SYNC (rd_repo_referral_list_finish (f.as_alice, w->result, &error),
                 rd_repo_referral_list_async (f.as_alice, &filter, NULL, 100, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 0);
    g_clear_pointer (&page, g_ptr_array_unref);

    rd_referral_filter_init (&filter);
    filter.queue_id = g_ascii_strtoll (f.queue, NULL, 10) + 1000;
    page = SYNC (rd_repo_referral_list_finish (f.as_alice, w->result, &error),
                 rd_repo_referral_list_async (f.as_alice, &filter, NULL, 100, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 0);
    g_clear_pointer (&page, g_ptr_array_unref);

    payer = fx_int (f.db->admin,
                    "WITH py AS (INSERT INTO rd.payer (name) VALUES ('Acme Health') RETURNING id),"
                    " pl AS (INSERT INTO rd.payer_plan (payer_id, name, kind) SELECT id, 'Gold', 'commercial' FROM py RETURNING id),"
                    " cv AS (INSERT INTO rd.coverage (patient_id, payer_plan_id)"
                    "        SELECT r.patient_id, pl.id FROM rd.referral r, pl WHERE r.id = $1::bigint RETURNING id),"
                    " up AS (UPDATE rd.referral SET coverage_id = (SELECT id FROM cv) WHERE id = $1::bigint)"
                    " SELECT id FROM py", insured, NULL);
    rd_referral_filter_init (&filter);
    filter.payer_id = payer;
    page = SYNC (rd_repo_referral_list_finish (f.as_alice, w->result, &error),
                 rd_repo_referral_list_async (f.as_alice, &filter, NULL, 100, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 1);
    g_assert_cmpstr (rd_referral_get_payer_name (page->pdata[0]), ==, "Acme Health");
    g_assert_cmpstr (rd_referral_get_patient_name (page->pdata[0]), ==, "Pat Insured");
  }

  fixture_teardown (&f);
}

static void
test_conflict (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) draft = NULL;
  g_autoptr(RdReferral) mine = NULL;
  g_autoptr(RdReferral) theirs = NULL;
  g_autoptr(RdReferral) saved = NULL;
  g_autoptr(RdReferral) stale = NULL;
  g_autoptr(RdReferral) current = NULL;

  if (!fixture_setup (&f))
    return;

  draft = new_referral (&f, "first reason");
  mine = SYNC (rd_repo_referral_create_finish (f.as_alice, w->result, &error),
               rd_repo_referral_create_async (f.as_alice, draft, NULL, on_done, w));
  g_assert_no_error (error);

  /* Bob reads and saves first. */
  theirs = SYNC (rd_repo_referral_get_finish (f.as_bob, w->result, &error),
                 rd_repo_referral_get_async (f.as_bob, rd_referral_get_id (mine), NULL, on_done, w));
  g_assert_no_error (error);
  rd_referral_set_reason (theirs, "Bob's reason");
  saved = SYNC (rd_repo_referral_save_finish (f.as_bob, w->result, NULL, &error),
                rd_repo_referral_save_async (f.as_bob, theirs, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_cmpint (rd_referral_get_version (saved), ==, 2);
  g_assert_cmpstr (rd_referral_get_updated_by (saved), ==, f.bob);

  /* Alice saves the copy she read at version 1: refused, with Bob's row. */
  rd_referral_set_reason (mine, "Alice's reason");
  stale = SYNC (rd_repo_referral_save_finish (f.as_alice, w->result, &current, &error),
                rd_repo_referral_save_async (f.as_alice, mine, NULL, on_done, w));
  g_assert_null (stale);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "Bob Brown"));
  g_clear_error (&error);
  g_assert_nonnull (current);
  g_assert_cmpint (rd_referral_get_version (current), ==, 2);
  g_assert_cmpstr (rd_referral_get_reason (current), ==, "Bob's reason");
  {
    g_auto(GStrv) diff = rd_referral_diff (mine, current);
    g_assert_true (g_strv_contains ((const char * const *) diff, "reason"));
  }

  /* Having seen it, she saves on top of version 2. */
  g_clear_object (&saved);
  rd_referral_set_version (mine, rd_referral_get_version (current));
  saved = SYNC (rd_repo_referral_save_finish (f.as_alice, w->result, NULL, &error),
                rd_repo_referral_save_async (f.as_alice, mine, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_cmpint (rd_referral_get_version (saved), ==, 3);
  g_assert_cmpstr (rd_referral_get_reason (saved), ==, "Alice's reason");

  fixture_teardown (&f);
}

static void
test_transition (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) draft = NULL;
  g_autoptr(RdReferral) r = NULL;
  g_autoptr(RdReferral) triage = NULL;
  g_autoptr(RdReferral) bad = NULL;
  g_autoptr(RdReferral) current = NULL;

  if (!fixture_setup (&f))
    return;

  draft = new_referral (&f, "reason");
  r = SYNC (rd_repo_referral_create_finish (f.as_alice, w->result, &error),
            rd_repo_referral_create_async (f.as_alice, draft, NULL, on_done, w));
  g_assert_no_error (error);

  triage = SYNC (rd_repo_referral_transition_finish (f.as_alice, w->result, NULL, &error),
                 rd_repo_referral_transition_async (f.as_alice, rd_referral_get_id (r), 1,
                                                    RD_STATUS_TRIAGE, "looking at it", NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_cmpint (rd_referral_get_status (triage), ==, RD_STATUS_TRIAGE);
  g_assert_cmpint (rd_referral_get_version (triage), ==, 2);

  /* Stale version. */
  bad = SYNC (rd_repo_referral_transition_finish (f.as_alice, w->result, &current, &error),
              rd_repo_referral_transition_async (f.as_alice, rd_referral_get_id (r), 1,
                                                 RD_STATUS_ACCEPTED, NULL, NULL, on_done, w));
  g_assert_null (bad);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
  g_assert_cmpint (rd_referral_get_status (current), ==, RD_STATUS_TRIAGE);
  g_clear_error (&error);
  g_clear_object (&current);

  /* Not allowed by the lifecycle. */
  bad = SYNC (rd_repo_referral_transition_finish (f.as_alice, w->result, &current, &error),
              rd_repo_referral_transition_async (f.as_alice, rd_referral_get_id (r), 2,
                                                 RD_STATUS_COMPLETED, NULL, NULL, on_done, w));
  g_assert_null (bad);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
  g_assert_null (current);
  g_clear_error (&error);

  /* Declining needs a reason. */
  bad = SYNC (rd_repo_referral_transition_finish (f.as_alice, w->result, NULL, &error),
              rd_repo_referral_transition_async (f.as_alice, rd_referral_get_id (r), 2,
                                                 RD_STATUS_DECLINED, NULL, NULL, on_done, w));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  bad = SYNC (rd_repo_referral_transition_finish (f.as_alice, w->result, NULL, &error),
              rd_repo_referral_transition_async (f.as_alice, rd_referral_get_id (r), 2,
                                                 RD_STATUS_DECLINED, "out of network", NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_cmpint (rd_referral_get_status (bad), ==, RD_STATUS_DECLINED);
  g_assert_cmpstr (rd_referral_get_close_reason (bad), ==, "out of network");
  g_assert_nonnull (rd_referral_get_closed_at (bad));

  fixture_teardown (&f);
}

static void
test_claim_and_next (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) a = NULL;
  g_autoptr(RdReferral) b = NULL;
  g_autoptr(RdReferral) c = NULL;
  g_autoptr(RdReferral) current = NULL;
  g_autofree char *urgent = NULL;
  g_autofree char *routine = NULL;
  gint64 queue;
  gboolean released;

  if (!fixture_setup (&f))
    return;
  queue = g_ascii_strtoll (f.queue, NULL, 10);

  routine = fx_referral (f.db->admin, f.queue, "new", "Routine");
  urgent = fx_referral (f.db->admin, f.queue, "new", "Urgent");
  {
    g_autoptr(PGresult) res = fx_exec (f.db->admin, "UPDATE rd.referral SET priority = 'stat' "
                                       "WHERE id = $1::bigint", urgent, NULL);
  }

  /* Next hands out the STAT one first, claimed for Alice. */
  a = SYNC (rd_repo_referral_next_finish (f.as_alice, w->result, &error),
            rd_repo_referral_next_async (f.as_alice, queue, 600, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_cmpint (rd_referral_get_id (a), ==, g_ascii_strtoll (urgent, NULL, 10));
  g_assert_cmpstr (rd_referral_get_claimed_by (a), ==, f.alice);
  g_assert_cmpstr (rd_referral_get_claimed_by_name (a), ==, "Alice Adams");

  /* Bob cannot claim it; he is told who has it. */
  b = SYNC (rd_repo_referral_claim_finish (f.as_bob, w->result, &current, &error),
            rd_repo_referral_claim_async (f.as_bob, rd_referral_get_id (a), 600, NULL, on_done, w));
  g_assert_null (b);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "Alice Adams"));
  g_assert_cmpstr (rd_referral_get_claimed_by (current), ==, f.alice);
  g_clear_error (&error);

  /* Bob's next gets the other one; then nothing is left. */
  b = SYNC (rd_repo_referral_next_finish (f.as_bob, w->result, &error),
            rd_repo_referral_next_async (f.as_bob, 0, 600, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_cmpint (rd_referral_get_id (b), ==, g_ascii_strtoll (routine, NULL, 10));
  c = SYNC (rd_repo_referral_next_finish (f.as_bob, w->result, &error),
            rd_repo_referral_next_async (f.as_bob, queue, 600, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_null (c);

  /* Renewing one's own claim works; releasing frees it for Bob. */
  c = SYNC (rd_repo_referral_claim_finish (f.as_alice, w->result, NULL, &error),
            rd_repo_referral_claim_async (f.as_alice, rd_referral_get_id (a), 900, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_true (g_date_time_compare (rd_referral_get_claimed_until (c),
                                      rd_referral_get_claimed_until (a)) > 0);
  released = SYNC (rd_repo_referral_release_finish (f.as_alice, w->result, &error),
                   rd_repo_referral_release_async (f.as_alice, rd_referral_get_id (a), NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_true (released);
  released = SYNC (rd_repo_referral_release_finish (f.as_alice, w->result, &error),
                   rd_repo_referral_release_async (f.as_alice, rd_referral_get_id (a), NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_false (released);
  g_clear_object (&c);
  c = SYNC (rd_repo_referral_claim_finish (f.as_bob, w->result, NULL, &error),
            rd_repo_referral_claim_async (f.as_bob, rd_referral_get_id (a), 600, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_cmpstr (rd_referral_get_claimed_by (c), ==, f.bob);

  fixture_teardown (&f);
}

static void
test_assign (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) draft = NULL;
  g_autoptr(RdReferral) r = NULL;
  g_autoptr(RdReferral) taken = NULL;
  g_autoptr(RdReferral) refused = NULL;
  g_autoptr(RdReferral) given = NULL;
  g_autoptr(RdReferral) current = NULL;
  g_autoptr(RdConnection) as_lead = NULL;
  g_autofree char *lead = NULL;

  if (!fixture_setup (&f))
    return;
  lead = fx_staff (f.db, "Lena Lead", RD_STAFF_ROLE_LEAD, "Cardiology");
  as_lead = connect_as (f.db, lead);

  draft = new_referral (&f, "reason");
  r = SYNC (rd_repo_referral_create_finish (f.as_alice, w->result, &error),
            rd_repo_referral_create_async (f.as_alice, draft, NULL, on_done, w));
  g_assert_no_error (error);

  /* Alice takes it for herself. */
  taken = SYNC (rd_repo_referral_assign_finish (f.as_alice, w->result, NULL, &error),
                rd_repo_referral_assign_async (f.as_alice, rd_referral_get_id (r), 1, f.alice, 0,
                                               NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_cmpstr (rd_referral_get_assignee (taken), ==, f.alice);
  g_assert_cmpstr (rd_referral_get_assignee_name (taken), ==, "Alice Adams");

  /* She may not hand it to Bob: that is for a lead. */
  refused = SYNC (rd_repo_referral_assign_finish (f.as_alice, w->result, NULL, &error),
                  rd_repo_referral_assign_async (f.as_alice, rd_referral_get_id (r),
                                                 rd_referral_get_version (taken), f.bob, 0,
                                                 NULL, on_done, w));
  g_assert_null (refused);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* The lead can; a stale version is a conflict. */
  given = SYNC (rd_repo_referral_assign_finish (as_lead, w->result, NULL, &error),
                rd_repo_referral_assign_async (as_lead, rd_referral_get_id (r),
                                               rd_referral_get_version (taken), f.bob, 0,
                                               NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_cmpstr (rd_referral_get_assignee (given), ==, f.bob);
  refused = SYNC (rd_repo_referral_assign_finish (as_lead, w->result, &current, &error),
                  rd_repo_referral_assign_async (as_lead, rd_referral_get_id (r),
                                                 rd_referral_get_version (taken), NULL, 0,
                                                 NULL, on_done, w));
  g_assert_null (refused);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "Lena Lead"));
  g_assert_cmpstr (rd_referral_get_assignee (current), ==, f.bob);

  g_clear_object (&as_lead);
  fixture_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/referral/create-idempotent", test_create_idempotent);
  g_test_add_func ("/store/referral/not-found", test_get_not_found);
  g_test_add_func ("/store/referral/list-keyset", test_list_keyset);
  g_test_add_func ("/store/referral/conflict", test_conflict);
  g_test_add_func ("/store/referral/transition", test_transition);
  g_test_add_func ("/store/referral/claim-next", test_claim_and_next);
  g_test_add_func ("/store/referral/assign", test_assign);

  return g_test_run ();
}
