/* test-repo-intake.c — the referral page's save: one transaction, exactly once,
 * and nothing written when someone else was first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-connection.h"
#include "rd-repo-intake.h"
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
  ((Waiter *) user_data)->result = g_object_ref (result);
}

static void
wait_for (Waiter *w)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (w->result == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      if (g_get_monotonic_time () > deadline)
        g_error ("test timed out");
    }
}

static RdConnection *
connect_as (FxDb       *db,
            const char *login)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (db->dbname, login);
  RdConnection *conn = rd_connection_new (conninfo);
  g_autoptr(GError) error = NULL;
  Waiter w = { NULL };

  rd_connection_open_async (conn, NULL, on_done, &w);
  wait_for (&w);
  rd_connection_open_finish (conn, w.result, &error);
  g_assert_no_error (error);
  g_object_unref (w.result);
  return conn;
}

static gint64
save (RdConnection       *conn,
      const RdIntakeSave *what,
      gint64             *patient_id,
      RdIntakeConflict   *conflict,
      GError            **error)
{
  Waiter w = { NULL };
  gint64 id;

  rd_repo_intake_save_async (conn, what, NULL, on_done, &w);
  wait_for (&w);
  id = rd_repo_intake_save_finish (conn, w.result, patient_id, NULL, conflict, error);
  g_object_unref (w.result);
  return id;
}

static gint64
count (FxDb       *db,
       const char *sql,
       const char *param)
{
  return fx_int (db->admin, sql, param, NULL);
}

static void
test_save_once_and_conflict (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *bob = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdPatient) patient = NULL;
  g_autoptr(RdCoverage) coverage = NULL;
  g_autoptr(RdReferral) referral = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *id_text = NULL;
  const char *dx[] = { "I10", "E11.9", NULL };
  RdIntakeSave what = { 0 };
  RdIntakeConflict conflict = RD_INTAKE_CONFLICT_NONE;
  gint64 patient_id = 0, again_patient = 0, id, again;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  bob = fx_staff (db, "Bob Brown", RD_STAFF_ROLE_SPECIALIST, "Intake");
  conn = connect_as (db, alice);

  patient = rd_patient_new ();
  rd_patient_set_family_name (patient, "Quennell");
  rd_patient_set_given_name (patient, "Ingrid");
  rd_patient_set_dob (patient, "1961-03-07");
  rd_patient_set_phone_home (patient, "+15552013344");
  coverage = rd_coverage_new ();
  rd_coverage_set_member_id (coverage, "XKZ 99812");
  referral = rd_referral_new ();
  rd_referral_set_queue_id (referral, g_ascii_strtoll (queue, NULL, 10));
  rd_referral_set_channel (referral, "fax");
  rd_referral_set_reason (referral, "Chest pain'); DROP TABLE rd.referral; --");
  rd_referral_set_diagnoses (referral, dx);
  rd_referral_set_idempotency_key (referral, key);

  what.patient = patient;
  what.coverage = coverage;
  what.referral = referral;
  id = save (conn, &what, &patient_id, &conflict, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (patient_id, >, 0);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral r JOIN rd.coverage c ON c.id = r.coverage_id"
                              " WHERE r.id = $1::bigint AND c.member_id = 'XKZ 99812'"
                              " AND r.reason LIKE 'Chest pain%'", id_text), ==, 1);

  /* A retry with the same key (the answer was lost, the page still thinks
   * everything is new): the same referral and patient, nothing twice. */
  again = save (conn, &what, &again_patient, &conflict, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, id);
  g_assert_cmpint (again_patient, ==, patient_id);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral WHERE idempotency_key = $1", key), ==, 1);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.patient WHERE family_name = $1", "Quennell"), ==, 1);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.coverage WHERE member_id = $1", "XKZ 99812"), ==, 1);

  /* Bob saves first; Alice's save at the old version changes nothing. */
  {
    g_autoptr(PGconn) as_bob = fx_connect (db, bob);
    g_autoptr(PGresult) res = fx_exec (as_bob, "UPDATE rd.referral SET reason = 'Bob was here' WHERE id = $1::bigint",
                                       id_text, NULL);
    g_autofree char *patient_text = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
    gint64 version;

    version = count (db, "SELECT version FROM rd.patient WHERE id = $1::bigint", patient_text);
    rd_referral_set_id (referral, id);
    rd_referral_set_version (referral, 1);
    rd_referral_set_reason (referral, "Alice's reason");
    rd_patient_set_id (patient, patient_id);
    rd_patient_set_version (patient, version);
    rd_patient_set_given_name (patient, "Ingrid Maria");
    what.patient_changed = TRUE;
    what.coverage = NULL;
    g_assert_cmpint (save (conn, &what, NULL, &conflict, &error), ==, 0);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
    g_assert_cmpint (conflict, ==, RD_INTAKE_CONFLICT_REFERRAL);
    g_clear_error (&error);

    /* Rolled back: the patient edit made before the referral's stale
     * update is not there either. */
    g_assert_cmpint (count (db, "SELECT count(*) FROM rd.patient WHERE id = $1::bigint AND given_name = 'Ingrid'",
                            patient_text), ==, 1);
    g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral WHERE id = $1::bigint AND reason = 'Bob was here'",
                            id_text), ==, 1);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/intake/save-once-and-conflict", test_save_once_and_conflict);

  return g_test_run ();
}
