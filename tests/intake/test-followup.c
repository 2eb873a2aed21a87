/* test-followup.c — HL7 v2 follow-ups in a real database: REF^I13 changes
 * an open referral without overwriting what was changed here, REF^I14
 * cancels it (refused once closed), REF^I15 answers its status, and an id
 * no sender's referral has is an unknown referral
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

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

/* A referral message of this test's sender (facility NORTHCLINIC). */
static char *
message (const char *facility,
         const char *trigger,
         const char *control_id,
         const char *rf1,
         const char *tail)
{
  return g_strdup_printf ("MSH|^~\\&|EHRAPP|%s|RD|DESK|20260110093000||REF^%s^REF_I12|%s|P|2.5.1\r"
                          "%s\r"
                          "PID|1||MRN4711^^^NORTH^MR||WESTBROOK^ALMA||19580304|F\r"
                          "%s",
                          facility, trigger, control_id, rf1, tail != NULL ? tail : "");
}

static RdIntakeSummary *
file_message (RdConnection  *conn,
              const char    *text,
              RdHl7Message **out_message)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) result = NULL;
  g_autofree char *key = rd_intake_file_source_key (bytes);
  RdIntakeSummary *summary;
  Waiter w = { NULL };

  result = rd_hl7_import (bytes, out_message, &error);
  g_assert_no_error (error);
  rd_intake_file_async (conn, result, key, NULL, NULL, on_done, &w);
  wait_for (&w);
  summary = rd_intake_file_finish (conn, w.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);
  g_object_unref (w.result);
  g_test_message ("%s %s", rd_intake_outcome_to_string (summary->outcome),
                  summary->reason != NULL ? summary->reason
                  : summary->message != NULL ? summary->message : "");
  return summary;
}

static char *
text_of (FxDb       *db,
         const char *sql,
         const char *param)
{
  PGresult *res = fx_exec (db->admin, sql, param, NULL);
  char *value;

  g_assert_cmpint (PQntuples (res), ==, 1);
  value = PQgetisnull (res, 0, 0) ? NULL : g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  return value;
}

#define RF1_42 "RF1|P^Pending^HL70283|R^Routine^HL70280|Cardiology||O|EXT-42^NORTH||||Chest pain"

typedef struct {
  FxDb         *db;
  RdConnection *conn;
  char         *queue;
  char         *alice;
} Desk;

static gboolean
desk_init (Desk *desk)
{
  desk->db = fx_db_new ();
  if (desk->db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return FALSE;
    }
  desk->queue = fx_team (desk->db, "Intake");
  desk->alice = fx_staff (desk->db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  /* A specialist's own login: row-level security applies to follow-ups too. */
  desk->conn = connect_as (desk->db, desk->alice);
  return TRUE;
}

static void
desk_clear (Desk *desk)
{
  g_clear_object (&desk->conn);
  g_clear_pointer (&desk->db, fx_db_free);
  g_clear_pointer (&desk->queue, g_free);
  g_clear_pointer (&desk->alice, g_free);
}

/* Files the original referral EXT-42; returns its id as text. */
static char *
file_original (Desk *desk)
{
  g_autofree char *i12 = message ("NORTHCLINIC", "I12", "C1", RF1_42,
                                  "DG1|1||I10^Essential hypertension^I10\r"
                                  "NTE|||Referred after an abnormal ECG\r");
  g_autoptr(RdIntakeSummary) summary = file_message (desk->conn, i12, NULL);

  g_assert_cmpint (summary->outcome, ==, RD_INTAKE_OUTCOME_IMPORTED);
  g_assert_cmpint (summary->referral_id, >, 0);
  g_assert_cmpint (fx_int (desk->db->admin, "SELECT count(*) FROM rd.hl7_referral_link"
                                            " WHERE sender = 'NORTHCLINIC' AND external_id = 'EXT-42'",
                           NULL), ==, 1);
  return g_strdup_printf ("%" G_GINT64_FORMAT, summary->referral_id);
}

static void
test_modify (void)
{
  Desk desk = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *i13 = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *priority = NULL;
  g_autofree char *diagnoses = NULL;
  g_autoptr(RdIntakeSummary) changed = NULL;
  g_autoptr(RdIntakeSummary) again = NULL;
  gint64 audit_before;

  if (!desk_init (&desk))
    return;
  id = file_original (&desk);

  /* A specialist corrects the reason after the referral arrived. */
  PQclear (fx_exec (desk.db->admin, "UPDATE rd.referral SET reason = 'Exertional chest pain' WHERE id = $1::bigint",
                    id, NULL));
  audit_before = fx_int (desk.db->admin, "SELECT count(*) FROM audit.log WHERE table_name = 'referral'"
                                         " AND operation = 'UPDATE' AND row_id = $1::bigint", id, NULL);

  /* The sender changes priority, reason and diagnoses, and adds a note. */
  i13 = message ("NORTHCLINIC", "I13", "C2",
                 "RF1|P^Pending^HL70283|S^STAT^HL70280|Cardiology||O|EXT-42^NORTH||||Syncope",
                 "DG1|1||I10^Essential hypertension^I10\r"
                 "DG1|2||R55^Syncope and collapse^I10\r"
                 "NTE|||Fainted at home this morning\r");
  changed = file_message (desk.conn, i13, NULL);
  g_assert_cmpint (changed->outcome, ==, RD_INTAKE_OUTCOME_IMPORTED);
  g_assert_cmpint (changed->referral_id, ==, g_ascii_strtoll (id, NULL, 10));
  g_assert_cmpstr (changed->status, ==, "new");
  /* The words say what was applied and what was kept. */
  g_assert_nonnull (changed->message);
  g_assert_nonnull (strstr (changed->message, "priority"));
  g_assert_nonnull (strstr (changed->message, "diagnoses"));
  g_assert_nonnull (strstr (strstr (changed->message, "Kept"), "reason"));

  priority = text_of (desk.db, "SELECT priority FROM rd.referral WHERE id = $1::bigint", id);
  g_assert_cmpstr (priority, ==, "stat");
  diagnoses = text_of (desk.db, "SELECT diagnoses::text FROM rd.referral WHERE id = $1::bigint", id);
  g_assert_cmpstr (diagnoses, ==, "{I10,R55}");
  /* The specialist's reason stands; the sender's is in the notes, with
   * the note the message carried. */
  reason = text_of (desk.db, "SELECT reason FROM rd.referral WHERE id = $1::bigint", id);
  g_assert_cmpstr (reason, ==, "Exertional chest pain");
  notes = text_of (desk.db, "SELECT notes FROM rd.referral WHERE id = $1::bigint", id);
  g_assert_nonnull (strstr (notes, "Referred after an abnormal ECG"));
  g_assert_nonnull (strstr (notes, "Fainted at home this morning"));
  g_assert_nonnull (strstr (notes, "Syncope"));

  /* One audited change, one referral event naming the sender. */
  g_assert_cmpint (fx_int (desk.db->admin, "SELECT count(*) FROM audit.log WHERE table_name = 'referral'"
                                           " AND operation = 'UPDATE' AND row_id = $1::bigint", id, NULL),
                   ==, audit_before + 1);
  g_assert_cmpint (fx_int (desk.db->admin, "SELECT count(*) FROM rd.referral_event WHERE referral_id = $1::bigint"
                                           " AND reason LIKE 'Changed by the referring system EHRAPP (NORTHCLINIC)%'"
                                           " AND from_status = 'new' AND to_status = 'new'", id, NULL), ==, 1);

  /* The same message resent after a lost ACK: applied once. */
  again = file_message (desk.conn, i13, NULL);
  g_assert_cmpint (again->outcome, ==, RD_INTAKE_OUTCOME_DUPLICATE);
  g_assert_cmpint (fx_int (desk.db->admin, "SELECT count(*) FROM rd.referral_event WHERE referral_id = $1::bigint"
                                           " AND reason LIKE 'Changed by the referring system%'", id, NULL), ==, 1);
  g_assert_cmpint (fx_int (desk.db->admin, "SELECT count(*) FROM rd.referral", NULL), ==, 1);
  desk_clear (&desk);
}

static void
test_modify_with_document (void)
{
  Desk desk = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *i13 = NULL;
  g_autofree char *obx = NULL;
  g_autofree char *encoded = NULL;
  g_autoptr(GBytes) pdf = rd_fax_synth_generate (31, 1);
  g_autoptr(RdIntakeSummary) changed = NULL;
  g_autoptr(RdIntakeSummary) again = NULL;

  if (!desk_init (&desk))
    return;
  id = file_original (&desk);

  /* The sender adds the consult letter, embedded as base64 PDF. */
  encoded = g_base64_encode (g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf));
  obx = g_strdup_printf ("OBX|1|ED|11488-4^Consult note^LN||RD^application^pdf^Base64^%s\r", encoded);
  i13 = message ("NORTHCLINIC", "I13", "C20", RF1_42, obx);
  changed = file_message (desk.conn, i13, NULL);
  g_assert_cmpint (changed->outcome, ==, RD_INTAKE_OUTCOME_IMPORTED);
  g_assert_cmpuint (changed->n_documents, ==, 1);
  g_assert_nonnull (strstr (changed->message, "filed with the referral"));
  g_assert_cmpint (fx_int (desk.db->admin, "SELECT count(*) FROM rd.document WHERE referral_id = $1::bigint"
                                           " AND status = 'filed' AND media_type = 'application/pdf'", id, NULL),
                   ==, 1);

  /* Resent: nothing twice. */
  again = file_message (desk.conn, i13, NULL);
  g_assert_cmpint (again->outcome, ==, RD_INTAKE_OUTCOME_DUPLICATE);
  g_assert_cmpint (fx_int (desk.db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 1);
  desk_clear (&desk);
}

static void
test_cancel (void)
{
  Desk desk = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *i14 = NULL;
  g_autofree char *i14b = NULL;
  g_autofree char *close_reason = NULL;
  g_autoptr(RdIntakeSummary) cancelled = NULL;
  g_autoptr(RdIntakeSummary) resent = NULL;

  if (!desk_init (&desk))
    return;
  id = file_original (&desk);

  i14 = message ("NORTHCLINIC", "I14", "C3", RF1_42, "NTE|||Patient chose another clinic\r");
  cancelled = file_message (desk.conn, i14, NULL);
  g_assert_cmpint (cancelled->outcome, ==, RD_INTAKE_OUTCOME_IMPORTED);
  g_assert_cmpstr (cancelled->status, ==, "cancelled");
  close_reason = text_of (desk.db, "SELECT close_reason FROM rd.referral WHERE id = $1::bigint"
                                   " AND status = 'cancelled' AND closed_at IS NOT NULL", id);
  g_assert_cmpstr (close_reason, ==, "Patient chose another clinic");
  g_assert_cmpint (fx_int (desk.db->admin, "SELECT count(*) FROM rd.referral_event WHERE referral_id = $1::bigint"
                                           " AND from_status = 'new' AND to_status = 'cancelled'", id, NULL), ==, 1);

  /* Again with another control id: cancelled before, nothing more. */
  i14b = message ("NORTHCLINIC", "I14", "C4", RF1_42, NULL);
  resent = file_message (desk.conn, i14b, NULL);
  g_assert_cmpint (resent->outcome, ==, RD_INTAKE_OUTCOME_DUPLICATE);
  g_assert_cmpint (fx_int (desk.db->admin, "SELECT count(*) FROM rd.referral_event WHERE referral_id = $1::bigint"
                                           " AND to_status = 'cancelled'", id, NULL), ==, 1);
  desk_clear (&desk);
}

static void
test_refused_after_closure (void)
{
  Desk desk = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *i14 = NULL;
  g_autofree char *i13 = NULL;
  g_autofree char *status = NULL;
  g_autofree char *priority = NULL;
  g_autoptr(RdIntakeSummary) refused = NULL;
  g_autoptr(RdIntakeSummary) not_changed = NULL;
  const char *steps[] = { "triage", "accepted", "scheduled", "seen", NULL };

  if (!desk_init (&desk))
    return;
  id = file_original (&desk);
  /* The visit happened: the lifecycle no longer allows cancelling. */
  for (guint i = 0; steps[i] != NULL; i++)
    PQclear (fx_exec (desk.db->admin, "UPDATE rd.referral SET status = $2 WHERE id = $1::bigint", id, steps[i], NULL));

  i14 = message ("NORTHCLINIC", "I14", "C5", RF1_42, NULL);
  refused = file_message (desk.conn, i14, NULL);
  g_assert_cmpint (refused->outcome, ==, RD_INTAKE_OUTCOME_REJECTED);
  g_assert_nonnull (refused->reason);
  g_assert_nonnull (strstr (refused->reason, "can no longer be cancelled"));
  status = text_of (desk.db, "SELECT status FROM rd.referral WHERE id = $1::bigint", id);
  g_assert_cmpstr (status, ==, "seen");

  /* Closed (completed): a change is refused, nothing is written. */
  PQclear (fx_exec (desk.db->admin, "UPDATE rd.referral SET status = 'completed' WHERE id = $1::bigint", id, NULL));
  i13 = message ("NORTHCLINIC", "I13", "C6",
                 "RF1|P|S|Cardiology||O|EXT-42^NORTH||||Chest pain", NULL);
  not_changed = file_message (desk.conn, i13, NULL);
  g_assert_cmpint (not_changed->outcome, ==, RD_INTAKE_OUTCOME_REJECTED);
  g_assert_nonnull (strstr (not_changed->reason, "closed"));
  priority = text_of (desk.db, "SELECT priority FROM rd.referral WHERE id = $1::bigint", id);
  g_assert_cmpstr (priority, ==, "routine");
  desk_clear (&desk);
}

static void
test_status_query (void)
{
  Desk desk = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *number = NULL;
  g_autofree char *i15 = NULL;
  g_autofree char *response = NULL;
  g_autofree char *rf1 = NULL;
  g_autoptr(RdHl7Message) query = NULL;
  g_autoptr(RdIntakeSummary) answer = NULL;

  if (!desk_init (&desk))
    return;
  id = file_original (&desk);
  PQclear (fx_exec (desk.db->admin, "UPDATE rd.referral SET status = 'triage' WHERE id = $1::bigint", id, NULL));
  number = text_of (desk.db, "SELECT number FROM rd.referral WHERE id = $1::bigint", id);

  i15 = message ("NORTHCLINIC", "I15", "C7", "RF1||||||EXT-42^NORTH", NULL);
  answer = file_message (desk.conn, i15, &query);
  g_assert_cmpint (answer->outcome, ==, RD_INTAKE_OUTCOME_DUPLICATE);
  g_assert_cmpstr (answer->status, ==, "triage");
  g_assert_cmpstr (answer->number, ==, number);
  g_assert_cmpint (fx_int (desk.db->admin, "SELECT count(*) FROM rd.referral_event WHERE referral_id = $1::bigint",
                           id, NULL), ==, 2);

  /* The answer: RRI^I15, AA, the status in table 0283 and our own word. */
  response = rd_hl7_build_status_response (query, answer->status, answer->number, answer->message,
                                           "R1", NULL);
  g_test_message ("%s", response);
  g_assert_true (g_str_has_prefix (response, "MSH|^~\\&|RD|DESK|EHRAPP|NORTHCLINIC|"));
  g_assert_nonnull (strstr (response, "|RRI^I15^RRI_I12|R1|P|2.5.1\r"));
  g_assert_nonnull (strstr (response, "\rMSA|AA|C7|"));
  rf1 = g_strdup_printf ("\rRF1|P^Pending^HL70283^triage^triage^L|||||EXT-42^NORTH|||||%s^ReferralDesk\r",
                         number);
  g_assert_nonnull (strstr (response, rf1));
  g_assert_nonnull (strstr (response, "\rPID|1||MRN4711^^^NORTH^MR||WESTBROOK^ALMA||19580304|F\r"));
  desk_clear (&desk);
}

static void
test_unknown (void)
{
  Desk desk = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *i14 = NULL;
  g_autofree char *i15 = NULL;
  g_autofree char *i13 = NULL;
  g_autoptr(RdIntakeSummary) a = NULL;
  g_autoptr(RdIntakeSummary) b = NULL;
  g_autoptr(RdIntakeSummary) c = NULL;

  if (!desk_init (&desk))
    return;
  id = file_original (&desk);

  /* An id nobody sent. */
  i14 = message ("NORTHCLINIC", "I14", "C8", "RF1|P|R|Cardiology||O|EXT-999", NULL);
  a = file_message (desk.conn, i14, NULL);
  g_assert_cmpint (a->outcome, ==, RD_INTAKE_OUTCOME_REJECTED);
  g_assert_true (g_str_has_prefix (a->reason, "Unknown referral"));

  /* The right id from another facility: not this sender's referral. */
  i15 = message ("SOUTHCLINIC", "I15", "C9", "RF1||||||EXT-42^NORTH", NULL);
  b = file_message (desk.conn, i15, NULL);
  g_assert_cmpint (b->outcome, ==, RD_INTAKE_OUTCOME_REJECTED);
  g_assert_true (g_str_has_prefix (b->reason, "Unknown referral"));
  i13 = message ("SOUTHCLINIC", "I13", "C10", "RF1|P|S|Cardiology||O|EXT-42", NULL);
  c = file_message (desk.conn, i13, NULL);
  g_assert_cmpint (c->outcome, ==, RD_INTAKE_OUTCOME_REJECTED);
  g_assert_cmpint (fx_int (desk.db->admin, "SELECT count(*) FROM rd.referral WHERE priority = 'routine'"
                                           " AND status = 'new'", NULL), ==, 1);
  desk_clear (&desk);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/intake/followup/modify", test_modify);
  g_test_add_func ("/intake/followup/modify-with-document", test_modify_with_document);
  g_test_add_func ("/intake/followup/cancel", test_cancel);
  g_test_add_func ("/intake/followup/refused-after-closure", test_refused_after_closure);
  g_test_add_func ("/intake/followup/status-query", test_status_query);
  g_test_add_func ("/intake/followup/unknown-referral", test_unknown);

  return g_test_run ();
}
