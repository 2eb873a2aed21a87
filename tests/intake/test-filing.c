/* test-filing.c — filing parsed messages into a real database: a referral
 * once, a document once, routed to the right queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/wait.h>
#include <glib/gstdio.h>

#include "rd-connection.h"
#include "rd-fax-synth.h"
#include "rd-hl7.h"
#include "rd-intake-file.h"
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

static RdIntakeSummary *
file (RdConnection   *conn,
      RdIntakeResult *result,
      const char     *source_key)
{
  g_autoptr(GError) error = NULL;
  RdIntakeSummary *summary;
  Waiter w = { NULL };

  rd_intake_file_async (conn, result, source_key, NULL, NULL, on_done, &w);
  wait_for (&w);
  summary = rd_intake_file_finish (conn, w.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);
  g_object_unref (w.result);
  return summary;
}

static gint64
count (FxDb       *db,
       const char *sql)
{
  return fx_int (db->admin, sql, NULL);
}

static void
test_hl7_referral_once (void)
{
  g_autoptr(FxDb) db = NULL;
  g_autofree char *dir = rd_test_corpus_dir ("hl7v2");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *intake_queue = NULL;
  g_autofree char *alice = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RdIntakeResult) result = NULL;
  g_autoptr(RdIntakeSummary) first = NULL;
  g_autoptr(RdIntakeSummary) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  gsize len = 0;

  if (dir == NULL)
    return;
  db = fx_db_new ();
  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  intake_queue = fx_team (db, "Intake");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  conn = connect_as (db, alice);

  path = g_build_filename (dir, "REF-I12-01.hl7", NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  result = rd_hl7_import (bytes, NULL, &error);
  g_assert_no_error (error);
  key = rd_intake_file_source_key (bytes);

  first = file (conn, result, key);
  g_assert_cmpstr (first->reason, ==, NULL);
  g_assert_cmpint (first->outcome, ==, RD_INTAKE_OUTCOME_IMPORTED);
  g_assert_cmpint (first->referral_id, >, 0);
  g_assert_cmpint (first->queue_id, ==, g_ascii_strtoll (intake_queue, NULL, 10));
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral WHERE channel = 'hl7' AND patient_id IS NOT NULL"), ==, 1);

  /* The same message again (an engine resending after a lost ACK). */
  second = file (conn, result, key);
  g_assert_cmpint (second->outcome, ==, RD_INTAKE_OUTCOME_DUPLICATE);
  g_assert_cmpint (second->referral_id, ==, first->referral_id);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral"), ==, 1);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.patient"), ==, 1);
}

static void
test_routing_by_specialty (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *intake_queue = NULL;
  g_autofree char *cardio_queue = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdIntakeResult) result = NULL;
  g_autoptr(RdIntakeSummary) summary = NULL;
  g_autoptr(RdIntakeSummary) summary2 = NULL;
  g_autoptr(RdReferral) referral = rd_referral_new ();
  g_autoptr(RdPatient) patient = rd_patient_new ();
  g_autoptr(GError) error = NULL;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  intake_queue = fx_team (db, "Intake");
  cardio_queue = fx_team (db, "Cardiology");
  /* The superuser files here, as the admin tool may. */
  conn = connect_as (db, NULL);

  rd_patient_set_family_name (patient, "Oyelaran");
  rd_patient_set_given_name (patient, "Tomi");
  rd_patient_set_dob (patient, "1980-02-02");
  /* Values the database refuses: kept in the notes, not a lost referral. */
  rd_patient_set_zip (patient, "K1A 0B1");
  rd_patient_set_phone_home (patient, "555-0199");
  rd_referral_set_specialty (referral, "CARDIOLOGY");
  rd_referral_set_reason (referral, "Palpitations");
  result = rd_intake_result_new ("fhir");
  rd_intake_result_set_event (result, RD_INTAKE_EVENT_NEW);
  rd_intake_result_set_message_id (result, "sr-1");
  rd_intake_result_set_referral (result, referral);
  rd_intake_result_set_patient (result, patient);

  summary = file (conn, result, NULL);
  g_assert_cmpint (summary->outcome, ==, RD_INTAKE_OUTCOME_IMPORTED);
  g_assert_cmpint (summary->queue_id, ==, g_ascii_strtoll (cardio_queue, NULL, 10));
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral WHERE notes LIKE '%K1A 0B1%'"
                              " AND notes LIKE '%555-0199%'"), ==, 1);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.patient WHERE zip IS NULL AND phone_home IS NULL"), ==, 1);

  /* No matching queue: the intake queue. */
  rd_referral_set_specialty (referral, "Dermatology");
  rd_intake_result_set_message_id (result, "sr-2");
  summary2 = file (conn, result, NULL);
  g_assert_cmpint (summary2->outcome, ==, RD_INTAKE_OUTCOME_IMPORTED);
  g_assert_cmpint (summary2->queue_id, ==, g_ascii_strtoll (intake_queue, NULL, 10));
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral"), ==, 2);
}

static void
test_pdf_once (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *alice = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(RdIntakeResult) result = NULL;
  g_autoptr(RdIntakeDocument) doc = NULL;
  g_autoptr(RdIntakeSummary) first = NULL;
  g_autoptr(RdIntakeSummary) second = NULL;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  conn = connect_as (db, alice);

  pdf = rd_fax_synth_generate (7, 1);
  g_assert_nonnull (pdf);
  result = rd_intake_result_new ("fax");
  rd_intake_result_set_event (result, RD_INTAKE_EVENT_DOCUMENTS);
  doc = rd_intake_document_new (pdf, "fax.pdf", "application/pdf", "fax");
  rd_intake_result_add_document (result, doc);

  first = file (conn, result, NULL);
  g_assert_cmpint (first->outcome, ==, RD_INTAKE_OUTCOME_IMPORTED);
  g_assert_cmpuint (first->n_documents, ==, 1);
  g_assert_cmpuint (first->n_document_ids, ==, 1);
  second = file (conn, result, NULL);
  g_assert_cmpint (second->outcome, ==, RD_INTAKE_OUTCOME_DUPLICATE);
  g_assert_cmpuint (second->n_duplicate_documents, ==, 1);
  g_assert_cmpint (second->document_ids[0], ==, first->document_ids[0]);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.document"), ==, 1);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.document_blob"), ==, 1);
}

static void
test_rejected (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdIntakeResult) result = NULL;
  g_autoptr(RdIntakeSummary) summary = NULL;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  conn = connect_as (db, NULL);
  result = rd_intake_result_new ("email");
  rd_intake_result_set_event (result, RD_INTAKE_EVENT_DOCUMENTS);
  summary = file (conn, result, NULL);
  g_assert_cmpint (summary->outcome, ==, RD_INTAKE_OUTCOME_REJECTED);
  g_assert_nonnull (summary->reason);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.document"), ==, 0);
}

static char *
run_import (const char * const *args,
            int                *out_status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (gpointer) RD_ADMIN_EXE);
  g_ptr_array_add (argv, (gpointer) "import");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  *out_status = WEXITSTATUS (wait_status);
  g_test_message ("import said: %s%s", out, err);
  return g_steal_pointer (&out);
}

static void
test_admin_import (void)
{
  g_autoptr(FxDb) db = NULL;
  g_autofree char *dir = rd_test_corpus_dir ("hl7v2");
  g_autofree char *queue = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *db_arg = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *fax = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *adt = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (dir == NULL)
    return;
  db = fx_db_new ();
  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  conninfo = rd_test_pg_conninfo (db->dbname, NULL);
  db_arg = g_strconcat ("--db=", conninfo, NULL);

  tmp = g_dir_make_tmp ("rd-import-XXXXXX", &error);
  g_assert_no_error (error);
  fax = g_build_filename (tmp, "incoming fax.pdf", NULL);
  pdf = rd_fax_synth_generate (21, 2);
  g_file_set_contents (fax, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), &error);
  g_assert_no_error (error);
  ref = g_build_filename (dir, "REF-I12-01.hl7", NULL);
  adt = g_build_filename (dir, "ADT-A01-01.hl7", NULL);

  {
    const char *args[] = { db_arg, fax, ref, adt, NULL };

    first = run_import (args, &status);
  }
  g_assert_cmpint (status, ==, 1);
  line = g_strconcat (fax, ": imported", NULL);
  g_assert_nonnull (strstr (first, line));
  g_clear_pointer (&line, g_free);
  line = g_strconcat (ref, ": imported (referral", NULL);
  g_assert_nonnull (strstr (first, line));
  g_clear_pointer (&line, g_free);
  line = g_strconcat (adt, ": rejected: ", NULL);
  g_assert_nonnull (strstr (first, line));
  /* The line says why: the message type is named. */
  g_assert_nonnull (strstr (strstr (first, line), "ADT"));
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral"), ==, 1);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.document WHERE media_type = 'application/pdf'"), ==, 1);

  /* Again: both recognised, nothing new, exit status 0. */
  {
    const char *args[] = { db_arg, fax, ref, NULL };

    second = run_import (args, &status);
  }
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&line, g_free);
  line = g_strconcat (fax, ": duplicate", NULL);
  g_assert_nonnull (strstr (second, line));
  g_clear_pointer (&line, g_free);
  line = g_strconcat (ref, ": duplicate", NULL);
  g_assert_nonnull (strstr (second, line));
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.referral"), ==, 1);
  g_assert_cmpint (count (db, "SELECT count(*) FROM rd.document"), ==, 1);

  g_unlink (fax);
  g_rmdir (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/intake/filing/hl7-referral-once", test_hl7_referral_once);
  g_test_add_func ("/intake/filing/routing-by-specialty", test_routing_by_specialty);
  g_test_add_func ("/intake/filing/pdf-once", test_pdf_once);
  g_test_add_func ("/intake/filing/rejected", test_rejected);
  g_test_add_func ("/intake/filing/admin-import", test_admin_import);

  return g_test_run ();
}
