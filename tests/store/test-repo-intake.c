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

/* Saves and, on a conflict, takes every stale row as it is now. */
static gint64
save_theirs (RdConnection       *conn,
             const RdIntakeSave *what,
             RdIntakeConflict   *conflict,
             RdPatient         **their_patient,
             RdCoverage        **their_coverage,
             RdReferral        **their_referral,
             GError            **error)
{
  Waiter w = { NULL };
  gint64 id;

  rd_repo_intake_save_async (conn, what, NULL, on_done, &w);
  wait_for (&w);
  id = rd_repo_intake_save_finish (conn, w.result, NULL, NULL, conflict, error);
  rd_repo_intake_save_get_theirs (conn, w.result, their_patient, their_coverage, their_referral);
  g_object_unref (w.result);
  return id;
}

static gboolean
strv_has (char       **strv,
          const char  *name)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, name);
}

/* Someone else changes the patient and the coverage (and, later, the
 * referral) under an open page: every stale row comes back at once, with
 * the fields that differ, and a save at their versions merges in one
 * transaction. */
static void
test_conflict_every_row (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *bob = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdPatient) patient = NULL;
  g_autoptr(RdCoverage) coverage = NULL;
  g_autoptr(RdReferral) referral = NULL;
  g_autoptr(RdPatient) their_patient = NULL;
  g_autoptr(RdCoverage) their_coverage = NULL;
  g_autoptr(RdReferral) their_referral = NULL;
  g_autoptr(PGconn) as_bob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *id_text = NULL;
  g_autofree char *patient_text = NULL;
  g_autofree char *coverage_text = NULL;
  RdIntakeSave what = { 0 };
  RdIntakeConflict conflict = RD_INTAKE_CONFLICT_NONE;
  gint64 id, coverage_id;

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
  rd_patient_set_family_name (patient, "Marchetti");
  rd_patient_set_given_name (patient, "Lucia");
  rd_patient_set_dob (patient, "1958-06-30");
  rd_patient_set_phone_home (patient, "+15552014400");
  coverage = rd_coverage_new ();
  rd_coverage_set_member_id (coverage, "MBR 100200");
  rd_coverage_set_group_number (coverage, "G-77");
  referral = rd_referral_new ();
  rd_referral_set_queue_id (referral, g_ascii_strtoll (queue, NULL, 10));
  rd_referral_set_reason (referral, "Knee pain");
  rd_referral_set_idempotency_key (referral, key);
  what.patient = patient;
  what.coverage = coverage;
  what.referral = referral;
  id = save_theirs (conn, &what, &conflict, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  patient_text = g_strdup_printf ("%" G_GINT64_FORMAT, count (db, "SELECT patient_id FROM rd.referral WHERE id = $1::bigint", id_text));
  coverage_id = count (db, "SELECT coverage_id FROM rd.referral WHERE id = $1::bigint", id_text);
  coverage_text = g_strdup_printf ("%" G_GINT64_FORMAT, coverage_id);

  /* What the page holds after opening the referral. */
  rd_patient_set_id (patient, g_ascii_strtoll (patient_text, NULL, 10));
  rd_patient_set_version (patient, count (db, "SELECT version FROM rd.patient WHERE id = $1::bigint", patient_text));
  rd_coverage_set_id (coverage, coverage_id);
  rd_coverage_set_version (coverage, count (db, "SELECT version FROM rd.coverage WHERE id = $1::bigint", coverage_text));
  rd_referral_set_id (referral, id);
  rd_referral_set_version (referral, count (db, "SELECT version FROM rd.referral WHERE id = $1::bigint", id_text));

  /* Bob changes the patient's phone and the member id. */
  as_bob = fx_connect (db, bob);
  {
    g_autoptr(PGresult) r1 = fx_exec (as_bob, "UPDATE rd.patient SET phone_home = '+15552019999' WHERE id = $1::bigint",
                                      patient_text, NULL);
    g_autoptr(PGresult) r2 = fx_exec (as_bob, "UPDATE rd.coverage SET member_id = 'MBR 999' WHERE id = $1::bigint",
                                      coverage_text, NULL);
  }

  /* Alice edits the patient's city, the group and the reason. */
  {
    g_autoptr(RdPatient) mine = rd_patient_copy (patient);
    g_autoptr(RdCoverage) my_coverage = rd_coverage_copy (coverage);
    g_autoptr(RdReferral) my_referral = rd_referral_copy (referral);
    g_auto(GStrv) patient_fields = NULL;
    g_auto(GStrv) coverage_fields = NULL;

    rd_patient_set_city (mine, "Springfield");
    rd_coverage_set_group_number (my_coverage, "G-78");
    rd_referral_set_reason (my_referral, "Knee pain, both sides");
    what.patient = mine;
    what.patient_changed = TRUE;
    what.coverage = my_coverage;
    what.referral = my_referral;
    g_assert_cmpint (save_theirs (conn, &what, &conflict, &their_patient, &their_coverage, &their_referral, &error), ==, 0);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
    g_clear_error (&error);
    g_assert_cmpint (conflict, ==, RD_INTAKE_CONFLICT_PATIENT);

    /* Both stale rows, the referral (untouched by Bob) not. */
    g_assert_nonnull (their_patient);
    g_assert_nonnull (their_coverage);
    g_assert_null (their_referral);
    g_assert_cmpstr (rd_patient_get_updated_by (their_patient), ==, bob);
    patient_fields = rd_patient_diff (patient, their_patient);
    coverage_fields = rd_coverage_diff (coverage, their_coverage);
    g_assert_true (strv_has (patient_fields, "phone-home"));
    g_assert_false (strv_has (patient_fields, "city"));
    g_assert_true (strv_has (coverage_fields, "member-id"));
    g_assert_false (strv_has (coverage_fields, "group-number"));
    /* Nothing of Alice's was written. */
    g_assert_cmpint (count (db, "SELECT count(*) FROM rd.coverage WHERE id = $1::bigint AND group_number = 'G-77'",
                            coverage_text), ==, 1);
    g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral WHERE id = $1::bigint AND reason = 'Knee pain'",
                            id_text), ==, 1);

    /* Merged field by field: Bob's phone and member id, Alice's city,
     * group and reason, at the versions just read, in one save. */
    rd_patient_set_version (mine, rd_patient_get_version (their_patient));
    rd_patient_set_phone_home (mine, rd_patient_get_phone_home (their_patient));
    rd_coverage_set_version (my_coverage, rd_coverage_get_version (their_coverage));
    rd_coverage_set_member_id (my_coverage, rd_coverage_get_member_id (their_coverage));
    g_assert_cmpint (save_theirs (conn, &what, &conflict, NULL, NULL, NULL, &error), ==, id);
    g_assert_no_error (error);
    g_assert_cmpint (count (db, "SELECT count(*) FROM rd.patient WHERE id = $1::bigint"
                                " AND phone_home = '+15552019999' AND city = 'Springfield'", patient_text), ==, 1);
    g_assert_cmpint (count (db, "SELECT count(*) FROM rd.coverage WHERE id = $1::bigint"
                                " AND member_id = 'MBR 999' AND group_number = 'G-78'", coverage_text), ==, 1);
    g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral WHERE id = $1::bigint"
                                " AND reason = 'Knee pain, both sides'", id_text), ==, 1);

    /* Next, Bob changes the coverage and the referral; Alice's unchanged
     * patient is only linked: both of the others come back. */
    g_clear_object (&their_patient);
    g_clear_object (&their_coverage);
    rd_coverage_set_version (my_coverage, count (db, "SELECT version FROM rd.coverage WHERE id = $1::bigint", coverage_text));
    rd_referral_set_version (my_referral, count (db, "SELECT version FROM rd.referral WHERE id = $1::bigint", id_text));
    {
      g_autoptr(PGresult) r1 = fx_exec (as_bob, "UPDATE rd.coverage SET group_number = 'G-90' WHERE id = $1::bigint",
                                        coverage_text, NULL);
      g_autoptr(PGresult) r2 = fx_exec (as_bob, "UPDATE rd.referral SET reason = 'Bob again' WHERE id = $1::bigint",
                                        id_text, NULL);
    }
    what.patient_changed = FALSE;
    rd_coverage_set_member_id (my_coverage, "MBR 1000");
    g_assert_cmpint (save_theirs (conn, &what, &conflict, &their_patient, &their_coverage, &their_referral, &error), ==, 0);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
    g_assert_cmpint (conflict, ==, RD_INTAKE_CONFLICT_COVERAGE);
    g_assert_null (their_patient);
    g_assert_cmpstr (rd_coverage_get_group_number (their_coverage), ==, "G-90");
    g_assert_nonnull (their_referral);
    g_assert_cmpstr (rd_referral_get_reason (their_referral), ==, "Bob again");
    g_assert_cmpint (rd_referral_get_version (their_referral), >, rd_referral_get_version (my_referral));
    g_assert_cmpint (count (db, "SELECT count(*) FROM rd.coverage WHERE id = $1::bigint AND member_id = 'MBR 999'",
                            coverage_text), ==, 1);
  }
}

/* A fax someone else filed (or split) while the page had it open is not
 * taken from its new home: the save fails and writes nothing. */
static void
test_document_taken_meanwhile (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *other = NULL;
  g_autofree char *doc_text = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdPatient) patient = NULL;
  g_autoptr(RdReferral) referral = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_uuid_string_random ();
  RdIntakeSave what = { 0 };
  RdIntakeConflict conflict = RD_INTAKE_CONFLICT_NONE;
  gint64 doc_id, patient_id = 0;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  conn = connect_as (db, alice);
  other = fx_referral (db->admin, queue, "new", "Elsewhere");
  doc_id = fx_int (db->admin,
                   "INSERT INTO rd.document (kind, media_type, sha256, size_bytes, received_via, queue_id)"
                   " VALUES ('fax', 'application/pdf', repeat('ab', 32), 10, 'fax', $1::bigint) RETURNING id",
                   queue, NULL);
  doc_text = g_strdup_printf ("%" G_GINT64_FORMAT, doc_id);

  /* While Alice types, a colleague files the fax under another referral. */
  {
    g_autoptr(PGresult) r = fx_exec (db->admin,
                                     "UPDATE rd.document SET status = 'filed', referral_id = $2::bigint"
                                     " WHERE id = $1::bigint", doc_text, other, NULL);
  }

  patient = rd_patient_new ();
  rd_patient_set_family_name (patient, "Quennell");
  rd_patient_set_given_name (patient, "Ingrid");
  rd_patient_set_dob (patient, "1961-03-07");
  referral = rd_referral_new ();
  rd_referral_set_queue_id (referral, g_ascii_strtoll (queue, NULL, 10));
  rd_referral_set_channel (referral, "fax");
  rd_referral_set_idempotency_key (referral, key);
  what.patient = patient;
  what.referral = referral;
  what.document_ids = &doc_id;
  what.n_document_ids = 1;

  g_assert_cmpint (save (conn, &what, &patient_id, &conflict, &error), ==, 0);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
  g_assert_cmpint (conflict, ==, RD_INTAKE_CONFLICT_NONE);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral WHERE idempotency_key = $1", key), ==, 0);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.patient WHERE family_name = $1", "Quennell"), ==, 0);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.document WHERE id = $1::bigint AND referral_id = "
                              " (SELECT id FROM rd.referral WHERE patient_id ="
                              "  (SELECT id FROM rd.patient WHERE family_name = 'Elsewhere'))", doc_text), ==, 1);

  /* Unfiled again, the same save files it. */
  {
    g_autoptr(PGresult) r = fx_exec (db->admin,
                                     "UPDATE rd.document SET status = 'unfiled', referral_id = NULL"
                                     " WHERE id = $1::bigint", doc_text, NULL);
  }
  g_clear_error (&error);
  g_assert_cmpint (save (conn, &what, &patient_id, &conflict, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document d JOIN rd.referral r ON r.id = d.referral_id"
                                     " WHERE d.id = $1::bigint AND d.status = 'filed' AND r.idempotency_key = $2",
                          doc_text, key, NULL), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/intake/save-once-and-conflict", test_save_once_and_conflict);
  g_test_add_func ("/store/intake/conflict-every-row", test_conflict_every_row);
  g_test_add_func ("/store/intake/document-taken-meanwhile", test_document_taken_meanwhile);

  return g_test_run ();
}
