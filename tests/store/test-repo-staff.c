/* test-repo-staff.c — me, my teams, my queues, my colleagues
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-connection.h"
#include "rd-repo-staff.h"
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

static void
test_me_teams_queues (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *cardio = NULL;
  g_autofree char *imaging = NULL;
  g_autofree char *lead = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *outsider = NULL;
  g_autoptr(RdConnection) as_lead = NULL;
  g_autoptr(RdConnection) as_spec = NULL;
  g_autoptr(GError) error = NULL;

  if (db == NULL)
    return;

  cardio = fx_team (db, "Cardiology");
  imaging = fx_team (db, "Imaging");
  lead = fx_staff (db, "Lena Lead", RD_STAFF_ROLE_LEAD, "Cardiology");
  spec = fx_staff (db, "Sam Specialist", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  outsider = fx_staff (db, "Ola Other", RD_STAFF_ROLE_SPECIALIST, "Imaging");
  as_lead = connect_as (db, lead);
  as_spec = connect_as (db, spec);

  {
    g_autofree char *a = fx_referral (db->admin, cardio, "new", "One");
    g_autofree char *b = fx_referral (db->admin, cardio, "triage", "Two");
    g_autofree char *c = fx_referral (db->admin, cardio, "cancelled", "Closed");
    g_autofree char *d = fx_referral (db->admin, imaging, "new", "Elsewhere");
    g_autoptr(PGresult) r = fx_exec (db->admin, "UPDATE rd.referral SET due_at = now() - interval '1 day'"
                                     " WHERE id = $1::bigint", a, NULL);
  }

  {
    g_autoptr(RdStaffMember) me = NULL;

    me = SYNC (rd_repo_staff_me_finish (as_lead, w->result, &error),
               rd_repo_staff_me_async (as_lead, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpstr (me->login_name, ==, lead);
    g_assert_cmpstr (me->display_name, ==, "Lena Lead");
    g_assert_true (me->is_lead);
    g_assert_false (me->is_admin);
  }
  {
    g_autoptr(RdStaffMember) me = NULL;

    me = SYNC (rd_repo_staff_me_finish (as_spec, w->result, &error),
               rd_repo_staff_me_async (as_spec, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_false (me->is_lead);
  }
  {
    g_autoptr(GPtrArray) teams = NULL;

    teams = SYNC (rd_repo_staff_teams_finish (as_lead, w->result, &error),
                  rd_repo_staff_teams_async (as_lead, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (teams->len, ==, 1);
    g_assert_cmpstr (((RdTeam *) teams->pdata[0])->name, ==, "Cardiology");
  }
  {
    g_autoptr(GPtrArray) queues = NULL;
    RdWorkQueue *q;

    queues = SYNC (rd_repo_staff_queues_finish (as_spec, w->result, &error),
                   rd_repo_staff_queues_async (as_spec, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (queues->len, ==, 1);
    q = queues->pdata[0];
    g_assert_cmpint (q->id, ==, g_ascii_strtoll (cardio, NULL, 10));
    g_assert_cmpstr (q->team_name, ==, "Cardiology");
    g_assert_cmpstr (q->name, ==, "Cardiology queue");
    g_assert_cmpint (q->open_count, ==, 2);
    g_assert_cmpint (q->overdue_count, ==, 1);
  }
  {
    g_autoptr(GPtrArray) people = NULL;

    people = SYNC (rd_repo_staff_colleagues_finish (as_spec, w->result, &error),
                   rd_repo_staff_colleagues_async (as_spec, 0, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (people->len, ==, 2);
    g_assert_cmpstr (((RdStaffMember *) people->pdata[0])->display_name, ==, "Lena Lead");
    g_assert_cmpstr (((RdStaffMember *) people->pdata[1])->display_name, ==, "Sam Specialist");
  }

  /* A login that is not staff. */
  {
    g_autofree char *role = fx_login ("nostaff");
    g_autofree char *sql = g_strdup_printf ("CREATE ROLE %s LOGIN", role);
    g_autoptr(PGresult) r = fx_exec (db->admin, sql, NULL);
    g_autoptr(RdConnection) as_nobody = connect_as (db, role);
    g_autoptr(RdStaffMember) none = NULL;

    none = SYNC (rd_repo_staff_me_finish (as_nobody, w->result, &error),
                 rd_repo_staff_me_async (as_nobody, NULL, on_done, w));
    g_assert_null (none);
    g_assert_nonnull (error);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/staff/me-teams-queues", test_me_teams_queues);

  return g_test_run ();
}
