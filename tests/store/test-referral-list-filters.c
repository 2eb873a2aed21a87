/* test-referral-list-filters.c — the worklist's stage set, colleague and
 * received-date filters against a real PostgreSQL
 *
 * The list runs as a specialist on an RdConnection (row-level security
 * applies); each test compares what the model holds, walked page by page
 * with a small page size so that the keyset pagination runs under the
 * filter, with what the server has when asked plainly as the superuser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-connection.h"
#include "rd-lifecycle.h"
#include "rd-referral-list.h"
#include "rd-repo-staff.h"
#include "schema-fixture.h"

#define PAGE_SIZE 7

typedef struct {
  FxDb *db;
  char *queue;
  char *other_queue;
  char *maria;      /* specialist, Cardiology */
  char *olga;       /* specialist, Cardiology: Maria's colleague */
  char *paul;       /* specialist, Imaging: not a colleague */
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

/* In Maria's queue, 12 referrals in each stage, every fifth one assigned to
 * Olga and every fifth (shifted) to Maria; in Paul's queue 10 of Olga's
 * that Maria must never see. Priorities and due times vary, so the pages
 * need every branch of the keyset. */
static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->db = fx_db_new ();
  if (fx->db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  fx->queue = fx_team (fx->db, "Cardiology");
  fx->other_queue = fx_team (fx->db, "Imaging");
  fx->maria = fx_staff (fx->db, "Maria", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  fx->olga = fx_staff (fx->db, "Olga", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  fx->paul = fx_staff (fx->db, "Paul", RD_STAFF_ROLE_SPECIALIST, "Imaging");

  PQclear (PQexec (fx->db->admin, "SET client_min_messages = warning"));
  PQclear (fx_exec (fx->db->admin,
                    "WITH s (status, n) AS (SELECT s, row_number () OVER () FROM unnest (ARRAY["
                    "  'new', 'triage', 'pending_info', 'pending_auth', 'accepted', 'scheduled',"
                    "  'no_show', 'seen', 'completed', 'declined', 'cancelled', 'expired']) AS s),"
                    " g AS (SELECT s.status, s.n, i FROM s, generate_series (1, 12) AS i),"
                    " p AS (INSERT INTO rd.patient (family_name, given_name, dob)"
                    "  SELECT 'Filter', g.status || g.i, DATE '1960-01-01' + (g.n * 12 + g.i)::int FROM g"
                    "  RETURNING id, given_name)"
                    " INSERT INTO rd.referral (channel, queue_id, status, close_reason, priority, due_at,"
                    "   patient_id, assignee, received_at)"
                    " SELECT 'fax', $1::bigint, g.status,"
                    "   CASE WHEN g.status IN ('declined', 'cancelled') THEN 'set up by the test' END,"
                    "   (ARRAY['routine', 'urgent', 'asap', 'stat'])[1 + g.i % 4],"
                    "   CASE WHEN g.i % 5 = 0 THEN NULL"
                    "        ELSE TIMESTAMPTZ '2026-06-01' + (g.i % 3) * interval '1 day' END,"
                    "   p.id,"
                    "   CASE g.i % 5 WHEN 1 THEN $2 WHEN 2 THEN $3 END,"
                    "   TIMESTAMPTZ '2026-05-10' + g.n * interval '1 hour'"
                    " FROM g JOIN p ON p.given_name = g.status || g.i",
                    fx->queue, fx->olga, fx->maria, NULL));
  PQclear (fx_exec (fx->db->admin,
                    "WITH p AS (INSERT INTO rd.patient (family_name, given_name, dob)"
                    "  SELECT 'Hidden', 'Other' || g, DATE '1980-01-01' FROM generate_series (1, 10) g"
                    "  RETURNING id)"
                    " INSERT INTO rd.referral (channel, queue_id, status, patient_id, assignee)"
                    " SELECT 'hl7', $1::bigint, 'pending_info', id, $2 FROM p",
                    fx->other_queue, fx->olga, NULL));
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
  g_free (fx->paul);
}

static void
wait_ready (RdReferralList *list)
{
  SPIN_UNTIL (rd_referral_list_get_state (list) != RD_REFERRAL_LIST_STATE_LOADING &&
              !rd_referral_list_get_busy (list), "the list to load");
  g_assert_cmpint (rd_referral_list_get_state (list), ==, RD_REFERRAL_LIST_STATE_READY);
}

/* Every row of the list, asking for each position as a view scrolling
 * down does, and waiting for its page. */
static GPtrArray *
walk (RdReferralList *list)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  wait_ready (list);
  for (guint pos = 0; pos < g_list_model_get_n_items (G_LIST_MODEL (list)); pos++)
    {
      for (;;)
        {
          g_autoptr(RdReferral) r = g_list_model_get_item (G_LIST_MODEL (list), pos);

          g_assert_nonnull (r);
          if (!rd_referral_is_placeholder (r))
            {
              g_ptr_array_add (items, g_steal_pointer (&r));
              break;
            }
          SPIN_UNTIL (!rd_referral_list_get_busy (list), "a page");
          if (pos >= g_list_model_get_n_items (G_LIST_MODEL (list)))
            break;
        }
    }
  return items;
}

/* The ids @sql returns (first column), in order, as a list of strings. */
static GPtrArray *
server_ids (Fixture    *fx,
            const char *sql,
            ...)
{
  const char *params[8];
  int n = 0;
  const char *p;
  va_list ap;
  g_autoptr(PGresult) res = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  va_start (ap, sql);
  while ((p = va_arg (ap, const char *)) != NULL && n < 8)
    params[n++] = p;
  va_end (ap);
  res = PQexecParams (fx->db->admin, sql, n, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (ids, g_strdup (PQgetvalue (res, i, 0)));
  return ids;
}

static void
assert_same_ids (GPtrArray *items,
                 GPtrArray *ids)
{
  g_assert_cmpuint (items->len, ==, ids->len);
  for (guint i = 0; i < items->len; i++)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                             rd_referral_get_id (g_ptr_array_index (items, i)));
      g_assert_cmpstr (id, ==, g_ptr_array_index (ids, i));
    }
}

static RdReferralList *
new_list (RdConnection          *conn,
          const RdReferralQuery *query)
{
  RdReferralList *list = rd_referral_list_new (NULL);

  rd_referral_list_set_page_size (list, PAGE_SIZE);
  rd_referral_list_set_filter (list, query);
  rd_referral_list_set_connection (list, conn);
  return list;
}

#define PRIORITY_ORDER " ORDER BY priority_rank DESC, due_at ASC NULLS LAST, id"

static void
test_stage_set (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdReferralQuery) query = rd_referral_query_new ();
  g_autoptr(RdReferralList) list = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) ids = NULL;

  if (fx->db == NULL)
    return;
  conn = open_as (fx, fx->maria);

  /* Two stages at once: "Pending info" and "Pending authorization", in
   * every queue Maria sees (Paul's pending_info rows are not hers). */
  query->status_mask = (1u << RD_STATUS_PENDING_INFO) | (1u << RD_STATUS_PENDING_AUTH);
  list = new_list (conn, query);
  items = walk (list);
  ids = server_ids (fx, "SELECT id FROM rd.referral WHERE queue_id = $1::bigint"
                        " AND status IN ('pending_info', 'pending_auth')" PRIORITY_ORDER,
                    fx->queue, NULL);
  g_assert_cmpuint (ids->len, ==, 24);
  assert_same_ids (items, ids);
  for (guint i = 0; i < items->len; i++)
    {
      RdStatus s = rd_referral_get_status (g_ptr_array_index (items, i));
      g_assert_true (s == RD_STATUS_PENDING_INFO || s == RD_STATUS_PENDING_AUTH);
    }
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&ids, g_ptr_array_unref);

  /* An open and a closed stage together: the closed one is not dropped
   * for being outside the open worklist. */
  query->status_mask = (1u << RD_STATUS_TRIAGE) | (1u << RD_STATUS_DECLINED);
  query->queue_id = g_ascii_strtoll (fx->queue, NULL, 10);
  rd_referral_list_set_filter (list, query);
  items = walk (list);
  ids = server_ids (fx, "SELECT id FROM rd.referral WHERE queue_id = $1::bigint"
                        " AND status IN ('triage', 'declined')" PRIORITY_ORDER,
                    fx->queue, NULL);
  g_assert_cmpuint (ids->len, ==, 24);
  assert_same_ids (items, ids);
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&ids, g_ptr_array_unref);

  /* One stage, and no stage (every open one). */
  query->status_mask = 1u << RD_STATUS_NO_SHOW;
  rd_referral_list_set_filter (list, query);
  items = walk (list);
  g_assert_cmpuint (items->len, ==, 12);
  g_clear_pointer (&items, g_ptr_array_unref);
  query->status_mask = 0;
  rd_referral_list_set_filter (list, query);
  items = walk (list);
  g_assert_cmpuint (items->len, ==, 8 * 12);
}

static void
on_colleagues (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray **out = user_data;

  *out = rd_repo_staff_colleagues_finish (RD_CONNECTION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
has_login (GPtrArray  *people,
           const char *login)
{
  for (guint i = 0; i < people->len; i++)
    if (g_strcmp0 (((RdStaffMember *) g_ptr_array_index (people, i))->login_name, login) == 0)
      return TRUE;
  return FALSE;
}

static void
test_colleague (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdReferralQuery) query = rd_referral_query_new ();
  g_autoptr(RdReferralList) list = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  GPtrArray *people = NULL;

  if (fx->db == NULL)
    return;
  conn = open_as (fx, fx->maria);

  /* Whom the filter offers: the members of Maria's teams, not Paul. */
  rd_repo_staff_colleagues_async (conn, 0, NULL, on_colleagues, &people);
  SPIN_UNTIL (people != NULL, "the colleagues");
  g_assert_true (has_login (people, fx->olga));
  g_assert_true (has_login (people, fx->maria));
  g_assert_false (has_login (people, fx->paul));
  g_ptr_array_unref (people);

  /* Olga's open work that Maria may see: her rows in Paul's queue stay
   * out (row-level security), whatever the filter says. */
  query->assignee = RD_ASSIGNEE_PERSON;
  query->assignee_login = g_strdup (fx->olga);
  list = new_list (conn, query);
  items = walk (list);
  ids = server_ids (fx, "SELECT id FROM rd.referral WHERE queue_id = $1::bigint AND assignee = $2"
                        " AND rd.status_is_open(status)" PRIORITY_ORDER,
                    fx->queue, fx->olga, NULL);
  g_assert_cmpuint (ids->len, ==, 8 * 3);
  assert_same_ids (items, ids);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpstr (rd_referral_get_assignee (g_ptr_array_index (items, i)), ==, fx->olga);
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&ids, g_ptr_array_unref);

  /* With a stage set too, in the queue. */
  query->queue_id = g_ascii_strtoll (fx->queue, NULL, 10);
  query->status_mask = (1u << RD_STATUS_PENDING_INFO) | (1u << RD_STATUS_SEEN);
  rd_referral_list_set_filter (list, query);
  items = walk (list);
  g_assert_cmpuint (items->len, ==, 2 * 3);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Paul, seen by Maria: nothing (he has no work in her queues). */
  g_free (query->assignee_login);
  query->assignee_login = g_strdup (fx->paul);
  query->status_mask = 0;
  query->queue_id = 0;
  rd_referral_list_set_filter (list, query);
  items = walk (list);
  g_assert_cmpuint (items->len, ==, 0);
}

/* A day boundary in local time, the day daylight saving time starts
 * included (2026-03-08 has 23 hours in New York). */
static void
test_received_range (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdReferralQuery) query = rd_referral_query_new ();
  g_autoptr(RdReferralList) list = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("America/New_York");
  g_autoptr(GDate) first = g_date_new_dmy (8, G_DATE_MARCH, 2026);
  g_autoptr(GDate) last = g_date_new_dmy (9, G_DATE_MARCH, 2026);
  g_autoptr(GDateTime) to_utc = NULL;

  if (fx->db == NULL)
    return;
  if (tz == NULL)
    {
      g_test_skip ("no time zone data for America/New_York");
      return;
    }
  conn = open_as (fx, fx->maria);

  /* Rows on either side of each boundary, on the portal channel only. */
  PQclear (fx_exec (fx->db->admin,
                    "WITH t (at) AS (VALUES (TIMESTAMPTZ '2026-03-07 23:59:59-05'),"
                    "   (TIMESTAMPTZ '2026-03-08 00:00:00-05'), (TIMESTAMPTZ '2026-03-08 12:00:00-04'),"
                    "   (TIMESTAMPTZ '2026-03-09 23:59:59.5-04'), (TIMESTAMPTZ '2026-03-10 00:00:00-04')),"
                    " p AS (INSERT INTO rd.patient (family_name, given_name, dob)"
                    "  SELECT 'Range', 'Pat', DATE '1970-01-01' FROM t RETURNING id),"
                    " n AS (SELECT id, row_number () OVER (ORDER BY id) AS k FROM p),"
                    " tn AS (SELECT at, row_number () OVER (ORDER BY at) AS k FROM t)"
                    " INSERT INTO rd.referral (channel, queue_id, patient_id, received_at)"
                    " SELECT 'portal', $1::bigint, n.id, tn.at FROM n JOIN tn USING (k)",
                    fx->queue, NULL));

  rd_referral_query_set_received_days (query, first, last, tz);
  g_assert_nonnull (query->received_from);
  g_assert_nonnull (query->received_to);
  /* The end is the start of the day after, in New York (EDT by then). */
  to_utc = g_date_time_to_utc (query->received_to);
  g_assert_cmpint (g_date_time_get_day_of_month (to_utc), ==, 10);
  g_assert_cmpint (g_date_time_get_hour (to_utc), ==, 4);
  g_assert_cmpint (g_date_time_get_hour (query->received_from), ==, 0);

  query->channel = g_strdup ("portal");
  query->sort = RD_REFERRAL_SORT_RECEIVED;
  list = new_list (conn, query);
  items = walk (list);
  ids = server_ids (fx, "SELECT id FROM rd.referral WHERE channel = 'portal'"
                        " AND received_at >= TIMESTAMPTZ '2026-03-08 00:00:00-05'"
                        " AND received_at < TIMESTAMPTZ '2026-03-10 00:00:00-04'"
                        " ORDER BY received_at DESC, id DESC", NULL);
  g_assert_cmpuint (ids->len, ==, 3);
  assert_same_ids (items, ids);
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&ids, g_ptr_array_unref);

  /* One day: the 23-hour one. */
  rd_referral_query_set_received_days (query, first, first, tz);
  rd_referral_list_set_filter (list, query);
  items = walk (list);
  g_assert_cmpuint (items->len, ==, 2);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Open-ended: from the 9th on. */
  rd_referral_query_set_received_days (query, last, NULL, tz);
  g_assert_null (query->received_to);
  rd_referral_list_set_filter (list, query);
  items = walk (list);
  g_assert_cmpuint (items->len, ==, 2);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* The range with the rest of the filter bar: received in May, two
   * stages, Olga's: the seed's rows, counted by the server. */
  g_clear_pointer (&query->channel, g_free);
  {
    g_autoptr(GDate) may1 = g_date_new_dmy (1, G_DATE_MAY, 2026);
    g_autoptr(GDate) may31 = g_date_new_dmy (31, G_DATE_MAY, 2026);

    rd_referral_query_set_received_days (query, may1, may31, tz);
  }
  query->status_mask = (1u << RD_STATUS_NEW) | (1u << RD_STATUS_SCHEDULED);
  query->assignee = RD_ASSIGNEE_PERSON;
  query->assignee_login = g_strdup (fx->olga);
  rd_referral_list_set_filter (list, query);
  items = walk (list);
  ids = server_ids (fx, "SELECT id FROM rd.referral WHERE queue_id = $1::bigint AND assignee = $2"
                        " AND status IN ('new', 'scheduled')"
                        " ORDER BY received_at DESC, id DESC", fx->queue, fx->olga, NULL);
  g_assert_cmpuint (ids->len, ==, 2 * 3);
  assert_same_ids (items, ids);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add ("/store/referral-list/filters/stage-set", Fixture, NULL,
              fixture_setup, test_stage_set, fixture_teardown);
  g_test_add ("/store/referral-list/filters/colleague", Fixture, NULL,
              fixture_setup, test_colleague, fixture_teardown);
  g_test_add ("/store/referral-list/filters/received-range", Fixture, NULL,
              fixture_setup, test_received_range, fixture_teardown);
  return g_test_run ();
}
