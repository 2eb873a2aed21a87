/* test-referral-page.c — the referral page against a real database, in a
 * real window: a faxed document filed into a referral, validation, the
 * referring provider found by the fax's practice number and the receiving
 * provider by specialty in the directory, an unknown provider added to the
 * directory (a wrong NPI refused in the model's words), the
 * duplicate-patient question, status changes, conflicting saves by someone
 * else (the referral, then the patient and the insurance, merged field by
 * field), and a draft that survives the page (tests/ui/test-draft-crash.c
 * kills the whole process)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "../store/schema-fixture.h"
#include "rd-connection.h"
#include "rd-document-view.h"
#include "rd-draft-store.h"
#include "rd-fax-synth.h"
#include "rd-model.h"
#include "rd-referral-page.h"
#include "rd-test-ui.h"

#define WAIT_MS 30000

typedef struct {
  FxDb         *db;
  char         *queue;
  char         *alice;
  char         *bob;
  RdConnection *conn;
  char         *draft_dir;
  RdDraftStore *drafts;
} World;

static World *world;

static gboolean
conn_ready (gpointer data)
{
  return rd_connection_get_state (data) == RD_CONNECTION_STATE_READY ||
         rd_connection_get_error (data) != NULL;
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  rd_connection_open_finish (RD_CONNECTION (source), result, &error);
  g_assert_no_error (error);
}

static char *
one_value (const char *sql,
           ...)
{
  const char *params[8];
  int n = 0;
  const char *p;
  va_list ap;
  g_autoptr(PGresult) res = NULL;

  va_start (ap, sql);
  while ((p = va_arg (ap, const char *)) != NULL && n < 8)
    params[n++] = p;
  va_end (ap);
  res = PQexecParams (world->db->admin, sql, n, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("SQL failed: %s", PQresultErrorMessage (res));
  if (PQntuples (res) == 0 || PQgetisnull (res, 0, 0))
    return NULL;
  return g_strdup (PQgetvalue (res, 0, 0));
}

static World *
get_world (void)
{
  g_autofree char *conninfo = NULL;
  g_autoptr(GError) error = NULL;

  if (world != NULL)
    return world;

  world = g_new0 (World, 1);
  world->db = fx_db_new ();
  if (world->db == NULL)
    {
      g_clear_pointer (&world, g_free);
      return NULL;
    }
  world->queue = fx_team (world->db, "Intake");
  world->alice = fx_staff (world->db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  world->bob = fx_staff (world->db, "Bob Brown", RD_STAFF_ROLE_SPECIALIST, "Intake");

  conninfo = rd_test_pg_conninfo (world->db->dbname, world->alice);
  world->conn = rd_connection_new (conninfo);
  rd_connection_open_async (world->conn, NULL, on_opened, NULL);
  g_assert_true (rd_test_ui_wait_until (conn_ready, world->conn, WAIT_MS));
  g_assert_cmpint (rd_connection_get_state (world->conn), ==, RD_CONNECTION_STATE_READY);

  world->draft_dir = g_dir_make_tmp ("rd-drafts-XXXXXX", &error);
  g_assert_no_error (error);
  world->drafts = rd_draft_store_new (world->draft_dir);
  return world;
}

/* An unfiled fax in the Intake inbox, stored as the importer would. */
static char *
add_unfiled_fax (const RdFaxSynthValues *values)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = rd_fax_synth_render (values, &error);
  g_autofree char *sha = NULL;
  g_autofree char *size = NULL;
  g_autofree char *pages = g_strdup_printf ("%u", values->n_pages);
  g_autoptr(PGresult) res = NULL;
  char *id;

  g_assert_no_error (error);
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  size = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (bytes));
  res = fx_exec (world->db->admin,
                 "INSERT INTO rd.document (kind, file_name, media_type, pages, sha256, size_bytes,"
                 " received_via, queue_id) VALUES ('fax', 'fax-0001.pdf', 'application/pdf', $1::int, $2,"
                 " $3::bigint, 'fax', $4::bigint) RETURNING id",
                 pages, sha, size, world->queue, NULL);
  id = g_strdup (PQgetvalue (res, 0, 0));
  {
    const char *params[] = { id, g_bytes_get_data (bytes, NULL) };
    int lengths[] = { 0, (int) g_bytes_get_size (bytes) };
    int formats[] = { 0, 1 };
    g_autoptr(PGresult) blob = PQexecParams (world->db->admin,
                                             "INSERT INTO rd.document_blob (document_id, data) VALUES ($1::bigint, $2)",
                                             2, NULL, params, lengths, formats, 0);

    g_assert_cmpint (PQresultStatus (blob), ==, PGRES_COMMAND_OK);
  }
  return id;
}

static GtkWidget *
show_page (GtkWidget **out_window)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = rd_referral_page_new (world->conn);

  rd_referral_page_set_draft_store (RD_REFERRAL_PAGE (page), world->drafts);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1000);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_drawn (window, 10000));
  *out_window = window;
  return page;
}

static void
screenshot (GtkWidget  *window,
            const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;

  rd_test_ui_wait_drawn (window, 5000);
  texture = rd_test_ui_screenshot (window, name);
  g_assert_true (rd_test_ui_texture_has_content (texture));
}

static gboolean
has_name_suggestion (gpointer page)
{
  return rd_referral_page_get_suggestion (page, "family_name") != NULL;
}

static gboolean
first_page_rendered (gpointer page)
{
  GtkWidget *view = rd_referral_page_get_document_view (page);

  return rd_document_view_get_n_pages (RD_DOCUMENT_VIEW (view)) > 0 &&
         rd_document_view_page_is_rendered (RD_DOCUMENT_VIEW (view), 0, FALSE);
}

static gboolean
not_busy_and_saved (gpointer page)
{
  return !rd_referral_page_get_busy (page) && rd_referral_page_get_referral (page) != NULL &&
         !rd_referral_page_get_dirty (page);
}

typedef struct {
  RdReferralPage *page;
  gint64          id;
} ReferralWait;

static gboolean
shows_referral (gpointer data)
{
  ReferralWait *w = data;
  RdReferral *r = rd_referral_page_get_referral (w->page);

  return r != NULL && rd_referral_get_id (r) == w->id && !rd_referral_page_get_busy (w->page);
}

static gboolean
has_two_work_items (gpointer page)
{
  return rd_referral_page_get_n_work_items (page) == 2;
}

static gboolean
has_providers (gpointer page)
{
  return rd_referral_page_get_n_providers (page) > 0;
}

/* Scrolls the form to a field (the form scrolls to the focus). */
static void
show_field (RdReferralPage *page,
            const char     *key)
{
  gtk_widget_grab_focus (rd_referral_page_get_field_widget (page, key));
  rd_test_ui_spin (300);
}

static gboolean
has_receiving (gpointer page)
{
  return rd_referral_page_get_n_providers_for (page, "receiving") > 0;
}

static gboolean
has_referring_id (gpointer page)
{
  return rd_referral_page_get_provider_id (page, "referring") > 0;
}

typedef struct {
  RdReferralPage *page;
  const char     *name;
} FaxWait;

/* The suggested practice fax is named as the directory's provider. */
static gboolean
fax_names_provider (gpointer data)
{
  FaxWait *w = data;
  const char *label = rd_referral_page_get_suggestion_label (w->page, "referring_fax");

  return label != NULL && strstr (label, w->name) != NULL;
}

static gboolean
referring_not_found (gpointer page)
{
  const char *info = rd_referral_page_get_provider_info (page, "referring");

  return info != NULL && strstr (info, "Nobody in the directory") != NULL;
}

static gboolean
has_matches (gpointer page)
{
  return rd_referral_page_get_n_matches (page) > 0;
}

static gboolean
conflict_shown (gpointer page)
{
  return rd_referral_page_get_conflict_shown (page);
}

static gboolean
draft_offered (gpointer page)
{
  return rd_referral_page_get_draft_offered (page);
}

typedef struct {
  RdReferralPage *page;
  RdStatus        status;
} StatusWait;

static gboolean
has_status (gpointer data)
{
  StatusWait *w = data;
  RdReferral *r = rd_referral_page_get_referral (w->page);

  return !rd_referral_page_get_busy (w->page) && r != NULL && (RdStatus) rd_referral_get_status (r) == w->status;
}

static void
assert_model_message (RdReferralPage *page,
                      const char     *key,
                      const char     *typed,
                      char         *(*validator) (const char *, GError **))
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = validator (typed, &error);

  g_assert_null (value);
  g_assert_nonnull (error);
  rd_referral_page_set_field_text (page, key, typed);
  g_assert_cmpstr (rd_referral_page_get_field_error (page, key), ==, error->message);
}

static char *
validate_dob_today (const char *text,
                    GError    **error)
{
  return rd_validate_dob (text, NULL, error);
}

static void
test_fax_to_accepted (void)
{
  g_autoptr(RdFaxSynthValues) v = NULL;
  g_autofree char *doc = NULL;
  g_autofree char *referral_id = NULL;
  g_autofree char *filed = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *specialty = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *fax = NULL;
  g_autofree char *family = NULL;
  g_autofree char *given = NULL;
  g_autofree char *receiving_id = NULL;
  GtkWidget *window = NULL;
  RdReferralPage *page;
  StatusWait sw;

  if (!rd_test_ui_init () || get_world () == NULL)
    {
      g_test_skip ("needs a display and PostgreSQL (run through ./dev env)");
      return;
    }

  v = rd_fax_synth_values_new (7, 2);
  doc = add_unfiled_fax (v);
  fax = rd_validate_phone (v->practice_fax, NULL);
  {
    g_autoptr(PGresult) res = NULL;

    res = fx_exec (world->db->admin,
                   "INSERT INTO rd.provider (npi, name, specialty, fax) VALUES ($1, $2, 'Family medicine', $3)",
                   v->npi, v->referring_provider, fax, NULL);
  }
  {
    g_autoptr(PGresult) res = NULL;

    res = fx_exec (world->db->admin,
                   "WITH o AS (INSERT INTO rd.organization (name, fax) VALUES ('Northside Endocrine Associates',"
                   " '+15552016000') RETURNING id)"
                   " INSERT INTO rd.provider (npi, name, organization_id, specialty, fax)"
                   " SELECT '1588667638', 'Okafor, Grace', o.id, 'Endocrinology', '+15552016001' FROM o RETURNING id",
                   NULL);
    receiving_id = g_strdup (PQgetvalue (res, 0, 0));
  }

  page = RD_REFERRAL_PAGE (show_page (&window));
  rd_referral_page_open_document (page, g_ascii_strtoll (doc, NULL, 10));
  g_assert_true (rd_test_ui_wait_until (has_name_suggestion, page, WAIT_MS));
  g_assert_true (rd_test_ui_wait_until (first_page_rendered, page, WAIT_MS));
  screenshot (window, "referral-page-1-document-opened");

  /* Nothing is applied until the person accepts. */
  family = rd_referral_page_get_field_text (page, "family_name");
  g_assert_cmpstr (family, ==, "");
  g_clear_pointer (&family, g_free);
  g_assert_true (rd_referral_page_apply_suggestion (page, "family_name"));
  family = rd_referral_page_get_field_text (page, "family_name");
  given = rd_referral_page_get_field_text (page, "given_name");
  g_assert_cmpstr (family, ==, v->patient_family);
  g_assert_cmpstr (given, ==, v->patient_given);

  /* Wrong values get the model's own words, as the person types. */
  assert_model_message (page, "referring_npi", "1234567890", rd_validate_npi);
  assert_model_message (page, "diagnoses", "J4", rd_validate_icd10);
  assert_model_message (page, "dob", "02/30/1980", validate_dob_today);
  assert_model_message (page, "phone_home", "555-12", rd_validate_phone);
  screenshot (window, "referral-page-2-validation");

  rd_referral_page_set_field_text (page, "dob", v->dob);
  g_assert_null (rd_referral_page_get_field_error (page, "dob"));
  rd_referral_page_set_field_text (page, "phone_home", v->phone);
  g_assert_null (rd_referral_page_get_field_error (page, "phone_home"));
  rd_referral_page_set_field_text (page, "mrn", v->mrn);
  rd_referral_page_set_field_text (page, "member_id", v->member_id);
  rd_referral_page_set_field_text (page, "diagnoses", "");
  g_assert_true (rd_referral_page_apply_suggestion (page, "diagnoses"));
  g_assert_null (rd_referral_page_get_field_error (page, "diagnoses"));
  rd_referral_page_set_field_text (page, "reason", v->reason);

  /* The practice fax the document shows is in the directory: the
   * suggestion names the provider, and applying it chooses them. */
  {
    FaxWait fw = { page, v->referring_provider };
    g_autofree char *npi = NULL;
    g_autofree char *name = NULL;

    g_assert_true (rd_test_ui_wait_until (fax_names_provider, &fw, WAIT_MS));
    show_field (page, "referring_fax");
    screenshot (window, "referral-page-2b-fax-in-directory");
    g_assert_cmpint (rd_referral_page_get_provider_id (page, "referring"), ==, 0);
    g_assert_true (rd_referral_page_apply_suggestion (page, "referring_fax"));
    g_assert_cmpint (rd_referral_page_get_provider_id (page, "referring"), >, 0);
    name = rd_referral_page_get_field_text (page, "referring");
    npi = rd_referral_page_get_field_text (page, "referring_npi");
    g_assert_cmpstr (name, ==, v->referring_provider);
    g_assert_cmpstr (npi, ==, v->npi);
  }

  /* The receiving provider, found in the directory by specialty. */
  rd_referral_page_set_field_text (page, "specialty", "");
  rd_referral_page_set_field_text (page, "receiving", "endocrin");
  g_assert_true (rd_test_ui_wait_until (has_receiving, page, WAIT_MS));
  g_assert_cmpuint (rd_referral_page_get_n_providers_for (page, "receiving"), ==, 1);
  show_field (page, "specialty");
  screenshot (window, "referral-page-2c-receiving-provider-search");
  g_assert_true (rd_referral_page_choose_provider_for (page, "receiving", 0));
  {
    g_autofree char *receiving = rd_referral_page_get_field_text (page, "receiving");
    g_autofree char *specialty_now = rd_referral_page_get_field_text (page, "specialty");

    const char *info = rd_referral_page_get_provider_info (page, "receiving");

    g_assert_cmpstr (receiving, ==, "Okafor, Grace");
    g_assert_cmpstr (specialty_now, ==, "Endocrinology");
    /* NPI, specialty, organisation and fax under the field. */
    g_assert_nonnull (info);
    g_assert_nonnull (strstr (info, "1588667638"));
    g_assert_nonnull (strstr (info, "Endocrinology"));
    g_assert_nonnull (strstr (info, "Northside Endocrine Associates"));
    g_assert_nonnull (strstr (info, "(555) 201-6001"));
    g_assert_cmpint (rd_referral_page_get_provider_id (page, "receiving"), ==, g_ascii_strtoll (receiving_id, NULL, 10));
  }

  /* The referring provider from the directory, found by the fax's NPI. */
  rd_referral_page_set_field_text (page, "referring_npi", v->npi);
  g_assert_null (rd_referral_page_get_field_error (page, "referring_npi"));
  g_assert_true (rd_test_ui_wait_until (has_providers, page, WAIT_MS));
  g_assert_true (rd_referral_page_choose_provider (page, 0));
  screenshot (window, "referral-page-3-filled");

  /* The same action Ctrl+S triggers. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.save", NULL));
  g_assert_true (rd_test_ui_wait_until (not_busy_and_saved, page, WAIT_MS));
  screenshot (window, "referral-page-4-saved");

  referral_id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_referral_get_id (rd_referral_page_get_referral (page)));
  filed = one_value ("SELECT status || ':' || referral_id FROM rd.document WHERE id = $1::bigint", doc, NULL);
  {
    g_autofree char *expected = g_strconcat ("filed:", referral_id, NULL);

    g_assert_cmpstr (filed, ==, expected);
  }
  patient = one_value ("SELECT p.family_name || '|' || p.dob || '|' || p.mrn || '|' || c.member_id"
                       " || '|' || (r.referring_provider_id IS NOT NULL)::text || '|' || array_to_string(r.diagnoses, ',')"
                       " || '|' || r.receiving_provider_id || '|' || r.specialty"
                       " FROM rd.referral r JOIN rd.patient p ON p.id = r.patient_id"
                       " JOIN rd.coverage c ON c.id = r.coverage_id WHERE r.id = $1::bigint",
                       referral_id, NULL);
  {
    g_autofree char *dob = rd_validate_dob (v->dob, NULL, NULL);
    g_autofree char *codes = g_strjoinv (",", v->icd10);
    g_autofree char *expected = g_strdup_printf ("%s|%s|%s|%s|true|%s|%s|Endocrinology", v->patient_family, dob,
                                                 v->mrn, v->member_id, codes, receiving_id);

    g_assert_cmpstr (patient, ==, expected);
  }

  /* TRIAGE, then ACCEPTED, each recorded in the history. */
  g_assert_cmpuint (rd_referral_page_get_n_transitions (page), >, 0);
  sw.page = page;
  sw.status = RD_STATUS_TRIAGE;
  g_assert_true (rd_referral_page_transition (page, RD_STATUS_TRIAGE, NULL));
  g_assert_true (rd_test_ui_wait_until (has_status, &sw, WAIT_MS));
  screenshot (window, "referral-page-5-triage");
  sw.status = RD_STATUS_ACCEPTED;
  g_assert_true (rd_referral_page_transition (page, RD_STATUS_ACCEPTED, NULL));
  g_assert_true (rd_test_ui_wait_until (has_status, &sw, WAIT_MS));
  rd_test_ui_spin (500);
  g_assert_cmpuint (rd_referral_page_get_n_events (page), >=, 3);
  screenshot (window, "referral-page-6-accepted");

  /* Missing items and a follow-up task. */
  rd_referral_page_add_missing (page, "Insurance card");
  rd_referral_page_add_task (page, "Call the practice for the last office note", "2030-01-15 10:00");
  g_assert_true (rd_test_ui_wait_until (has_two_work_items, page, WAIT_MS));
  {
    g_autofree char *missing = one_value ("SELECT what FROM rd.missing_item WHERE referral_id = $1::bigint",
                                          referral_id, NULL);
    g_autofree char *due = one_value ("SELECT to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM rd.task"
                                      " WHERE referral_id = $1::bigint", referral_id, NULL);

    g_assert_cmpstr (missing, ==, "Insurance card");
    g_assert_cmpstr (due, ==, "2030-01-15 10:00");
  }
  gtk_stack_set_visible_child_name (GTK_STACK (gtk_widget_get_ancestor (gtk_widget_get_parent (rd_referral_page_get_field_widget (page, "reason")), GTK_TYPE_STACK)), "work");
  screenshot (window, "referral-page-6b-missing-and-tasks");
  gtk_stack_set_visible_child_name (GTK_STACK (gtk_widget_get_ancestor (gtk_widget_get_parent (rd_referral_page_get_field_widget (page, "reason")), GTK_TYPE_STACK)), "history");
  screenshot (window, "referral-page-6c-history");
  gtk_stack_set_visible_child_name (GTK_STACK (gtk_widget_get_ancestor (gtk_widget_get_parent (rd_referral_page_get_field_widget (page, "reason")), GTK_TYPE_STACK)), "form");
  /* Only what ACCEPTED allows is offered: SCHEDULED, CANCELLED, EXPIRED. */
  g_assert_cmpuint (rd_referral_page_get_n_transitions (page), ==, 3);

  /* Bob saves a change from his own connection; Alice's next save sees it. */
  {
    g_autoptr(PGconn) bob = rd_test_pg_connect (world->db->dbname, world->bob);
    g_autoptr(PGresult) res = fx_exec (bob, "UPDATE rd.referral SET reason = 'Changed by Bob' WHERE id = $1::bigint",
                                       referral_id, NULL);
  }
  rd_referral_page_set_field_text (page, "specialty", "Pulmonary medicine");
  rd_referral_page_save (page);
  g_assert_true (rd_test_ui_wait_until (conflict_shown, page, WAIT_MS));
  g_assert_cmpuint (rd_referral_page_get_n_conflicts (page), >=, 1);
  screenshot (window, "referral-page-7-conflict");

  /* Merge: Bob's reason (Alice did not touch it), Alice's specialty. */
  rd_referral_page_resolve_conflict (page, "merge");
  g_assert_true (rd_test_ui_wait_until (not_busy_and_saved, page, WAIT_MS));
  g_assert_false (rd_referral_page_get_conflict_shown (page));
  reason = one_value ("SELECT reason FROM rd.referral WHERE id = $1::bigint", referral_id, NULL);
  specialty = one_value ("SELECT specialty FROM rd.referral WHERE id = $1::bigint", referral_id, NULL);
  g_assert_cmpstr (reason, ==, "Changed by Bob");
  g_assert_cmpstr (specialty, ==, "Pulmonary medicine");

  /* Bob changes the patient's phone and the member id; Alice, who edited
   * the city and the group number, gets both rows field by field. */
  rd_test_ui_spin (500);
  {
    g_autoptr(PGconn) bob = rd_test_pg_connect (world->db->dbname, world->bob);
    g_autoptr(PGresult) r1 = fx_exec (bob, "UPDATE rd.patient SET phone_home = '+15552017777'"
                                      " WHERE id = (SELECT patient_id FROM rd.referral WHERE id = $1::bigint)",
                                      referral_id, NULL);
    g_autoptr(PGresult) r2 = fx_exec (bob, "UPDATE rd.coverage SET member_id = 'BOB-4455'"
                                      " WHERE id = (SELECT coverage_id FROM rd.referral WHERE id = $1::bigint)",
                                      referral_id, NULL);
    g_autofree char *row = NULL;

    rd_referral_page_set_field_text (page, "city", "Springfield");
    rd_referral_page_set_field_text (page, "group_number", "GRP-ALICE");
    rd_referral_page_save (page);
    g_assert_true (rd_test_ui_wait_until (conflict_shown, page, WAIT_MS));
    g_assert_true (rd_referral_page_get_conflict_has_field (page, "phone_home"));
    g_assert_true (rd_referral_page_get_conflict_has_field (page, "member_id"));
    g_assert_false (rd_referral_page_get_conflict_has_field (page, "city"));
    g_assert_false (rd_referral_page_get_conflict_has_field (page, "group_number"));
    g_assert_false (rd_referral_page_get_conflict_has_field (page, "reason"));
    screenshot (window, "referral-page-7b-patient-and-coverage-conflict");
    /* Nothing was written. */
    row = one_value ("SELECT coalesce(p.city, '') || '|' || coalesce(c.group_number, '') FROM rd.referral r"
                     " JOIN rd.patient p ON p.id = r.patient_id JOIN rd.coverage c ON c.id = r.coverage_id"
                     " WHERE r.id = $1::bigint", referral_id, NULL);
    g_assert_cmpstr (row, ==, "|");
    g_clear_pointer (&row, g_free);

    rd_referral_page_resolve_conflict (page, "merge");
    g_assert_true (rd_test_ui_wait_until (not_busy_and_saved, page, WAIT_MS));
    g_assert_false (rd_referral_page_get_conflict_shown (page));
    row = one_value ("SELECT p.phone_home || '|' || p.city || '|' || c.member_id || '|' || c.group_number"
                     " FROM rd.referral r JOIN rd.patient p ON p.id = r.patient_id"
                     " JOIN rd.coverage c ON c.id = r.coverage_id WHERE r.id = $1::bigint", referral_id, NULL);
    g_assert_cmpstr (row, ==, "+15552017777|Springfield|BOB-4455|GRP-ALICE");
    rd_test_ui_spin (500);
  }

  /* A second fax for the same referral: attached instead of a new referral. */
  {
    g_autoptr(RdFaxSynthValues) v2 = rd_fax_synth_values_new (8, 1);
    g_autofree char *doc2 = add_unfiled_fax (v2);
    g_autofree char *filed2 = NULL;
    g_autofree char *expected = g_strconcat ("filed:", referral_id, NULL);
    ReferralWait rw = { page, g_ascii_strtoll (referral_id, NULL, 10) };

    rd_referral_page_open_document (page, g_ascii_strtoll (doc2, NULL, 10));
    g_assert_true (rd_test_ui_wait_until (first_page_rendered, page, WAIT_MS));
    g_assert_null (rd_referral_page_get_referral (page));
    rd_referral_page_attach_to_referral (page, rw.id);
    g_assert_true (rd_test_ui_wait_until (shows_referral, &rw, WAIT_MS));
    filed2 = one_value ("SELECT status || ':' || referral_id FROM rd.document WHERE id = $1::bigint", doc2, NULL);
    g_assert_cmpstr (filed2, ==, expected);
    rd_test_ui_spin (500);
    screenshot (window, "referral-page-8-second-document-attached");
  }

  /* The claim is held while open and released with the page. */
  {
    g_autofree char *claimed = one_value ("SELECT claimed_by FROM rd.referral WHERE id = $1::bigint", referral_id, NULL);

    g_assert_cmpstr (claimed, ==, world->alice);
  }
  gtk_window_destroy (GTK_WINDOW (window));
  rd_test_ui_spin (1000);
  {
    g_autofree char *claimed = one_value ("SELECT claimed_by FROM rd.referral WHERE id = $1::bigint", referral_id, NULL);

    g_assert_null (claimed);
  }
}

static void
test_duplicate_warning (void)
{
  GtkWidget *window = NULL;
  RdReferralPage *page;
  GtkWidget *dialog;
  g_autofree char *mrn = NULL;

  if (!rd_test_ui_init () || get_world () == NULL)
    {
      g_test_skip ("needs a display and PostgreSQL (run through ./dev env)");
      return;
    }

  {
    g_autoptr(PGresult) res = fx_exec (world->db->admin,
                                       "INSERT INTO rd.patient (family_name, given_name, dob, mrn)"
                                       " VALUES ('Okonkwo-Lind', 'Priyanka', DATE '1979-11-23', 'DUP-4411')",
                                       NULL);
  }

  page = RD_REFERRAL_PAGE (show_page (&window));
  rd_referral_page_new_referral (page);
  rd_test_ui_spin (300);
  if (rd_referral_page_get_draft_offered (page))
    g_error ("no new-referral draft was left by earlier tests");

  /* A typo in the family name, the same date of birth. */
  rd_referral_page_set_field_text (page, "family_name", "Okonkwo-Lynd");
  rd_referral_page_set_field_text (page, "given_name", "Priyanka");
  rd_referral_page_set_field_text (page, "dob", "11/23/1979");
  g_assert_true (rd_test_ui_wait_until (has_matches, page, WAIT_MS));
  g_assert_cmpuint (rd_referral_page_get_n_matches (page), ==, 1);
  screenshot (window, "referral-page-duplicate-candidates");

  rd_referral_page_save (page);
  dialog = rd_referral_page_get_dialog (page);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_true (rd_test_ui_wait_drawn (dialog, 10000));
  screenshot (dialog, "referral-page-duplicate-question");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "back");
  g_assert_null (rd_referral_page_get_dialog (page));
  g_assert_false (rd_referral_page_get_busy (page));
  g_assert_null (rd_referral_page_get_referral (page));

  /* Choosing the existing patient fills the section. */
  g_assert_true (rd_referral_page_choose_match (page, 0));
  mrn = rd_referral_page_get_field_text (page, "mrn");
  g_assert_cmpstr (mrn, ==, "DUP-4411");

  /* Saved for that patient, no new patient row, no question asked. */
  rd_referral_page_set_field_text (page, "reason", "Follow-up of palpitations");
  rd_referral_page_save (page);
  g_assert_null (rd_referral_page_get_dialog (page));
  g_assert_true (rd_test_ui_wait_until (not_busy_and_saved, page, WAIT_MS));
  {
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_referral_get_id (rd_referral_page_get_referral (page)));
    g_autofree char *linked = one_value ("SELECT p.mrn FROM rd.referral r JOIN rd.patient p ON p.id = r.patient_id"
                                         " WHERE r.id = $1::bigint", id, NULL);
    g_autofree char *patients = one_value ("SELECT count(*) FROM rd.patient WHERE dob = DATE '1979-11-23'", NULL);
    g_autofree char *status = NULL;
    g_autofree char *why = NULL;
    StatusWait sw = { page, RD_STATUS_CANCELLED };
    GtkWidget *reason;

    g_assert_cmpstr (linked, ==, "DUP-4411");
    g_assert_cmpstr (patients, ==, "1");

    /* Cancelling asks for a reason first. */
    g_assert_true (rd_referral_page_transition (page, RD_STATUS_CANCELLED, NULL));
    dialog = rd_referral_page_get_dialog (page);
    g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
    reason = g_object_get_data (G_OBJECT (dialog), "reason");
    g_assert_true (GTK_IS_EDITABLE (reason));
    gtk_editable_set_text (GTK_EDITABLE (reason), "Patient moved out of state");
    g_assert_true (rd_test_ui_wait_drawn (dialog, 10000));
    screenshot (dialog, "referral-page-cancel-reason");
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "go");
    g_assert_true (rd_test_ui_wait_until (has_status, &sw, WAIT_MS));
    status = one_value ("SELECT status FROM rd.referral WHERE id = $1::bigint", id, NULL);
    why = one_value ("SELECT reason FROM rd.referral_event WHERE referral_id = $1::bigint AND to_status = 'cancelled'",
                     id, NULL);
    g_assert_cmpstr (status, ==, "cancelled");
    g_assert_cmpstr (why, ==, "Patient moved out of state");
    /* A cancelled referral offers no status change. */
    g_assert_cmpuint (rd_referral_page_get_n_transitions (page), ==, 0);
  }

  /* Leaves no draft behind for the draft test. */
  rd_referral_page_close (page);
  gtk_window_destroy (GTK_WINDOW (window));
  rd_test_ui_spin (300);
  {
    g_autoptr(GDir) dir = g_dir_open (world->draft_dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (world->draft_dir, name, NULL);

        g_unlink (path);
      }
  }
}

static void
test_add_to_directory (void)
{
  GtkWidget *window = NULL;
  RdReferralPage *page;
  GtkWidget *dialog;
  GtkWidget *npi_entry, *npi_error;
  g_autoptr(GError) model_error = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *row = NULL;
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;

  if (!rd_test_ui_init () || get_world () == NULL)
    {
      g_test_skip ("needs a display and PostgreSQL (run through ./dev env)");
      return;
    }

  page = RD_REFERRAL_PAGE (show_page (&window));
  rd_referral_page_new_referral (page);
  rd_test_ui_spin (300);
  rd_referral_page_set_field_text (page, "referring", "Feldman, Rosa");
  rd_referral_page_set_field_text (page, "referring_fax", "(555) 201-8888");
  /* Unknown to the directory, by name and by fax. */
  g_assert_true (rd_test_ui_wait_until (referring_not_found, page, WAIT_MS));
  g_assert_cmpuint (rd_referral_page_get_n_providers (page), ==, 0);

  dialog = rd_referral_page_add_to_directory (page, "referring");
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_true (rd_referral_page_get_dialog (page) == dialog);
  /* What the form had is there already. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (dialog), "name"))), ==,
                   "Feldman, Rosa");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (dialog), "fax"))), ==,
                   "(555) 201-8888");

  /* A wrong NPI: the model's words under it, and no way to add. */
  bad = rd_validate_npi ("1234567890", &model_error);
  g_assert_null (bad);
  npi_entry = g_object_get_data (G_OBJECT (dialog), "npi");
  npi_error = g_object_get_data (G_OBJECT (dialog), "npi-error");
  gtk_editable_set_text (GTK_EDITABLE (npi_entry), "1234567890");
  g_assert_true (gtk_widget_get_visible (npi_error));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (npi_error)), ==, model_error->message);
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "add"));
  gtk_editable_set_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (dialog), "phone")), "555-12");
  g_assert_true (gtk_widget_get_visible (g_object_get_data (G_OBJECT (dialog), "phone-error")));
  g_assert_true (rd_test_ui_wait_drawn (dialog, 10000));
  screenshot (dialog, "referral-page-add-to-directory-invalid");

  gtk_editable_set_text (GTK_EDITABLE (npi_entry), "1134567894");
  gtk_editable_set_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (dialog), "phone")), "(555) 201-8880");
  gtk_editable_set_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (dialog), "organization")), "Eastside Clinic");
  g_assert_false (gtk_widget_get_visible (npi_error));
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "add"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "add");
  g_assert_null (rd_referral_page_get_dialog (page));

  /* In the directory, and chosen in the form. */
  g_assert_true (rd_test_ui_wait_until (has_referring_id, page, WAIT_MS));
  id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_referral_page_get_provider_id (page, "referring"));
  row = one_value ("SELECT p.name || '|' || p.npi || '|' || p.fax || '|' || p.phone || '|' || o.name"
                   " FROM rd.provider p JOIN rd.organization o ON o.id = p.organization_id WHERE p.id = $1::bigint",
                   id, NULL);
  g_assert_cmpstr (row, ==, "Feldman, Rosa|1134567894|+15552018888|+15552018880|Eastside Clinic");
  name = rd_referral_page_get_field_text (page, "referring");
  g_assert_cmpstr (name, ==, "Feldman, Rosa");
  show_field (page, "referring_fax");
  screenshot (window, "referral-page-added-to-directory");

  rd_referral_page_close (page);
  gtk_window_destroy (GTK_WINDOW (window));
  rd_test_ui_spin (300);
  {
    g_autoptr(GDir) dir = g_dir_open (world->draft_dir, 0, NULL);
    const char *entry;

    while ((entry = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (world->draft_dir, entry, NULL);

        g_unlink (path);
      }
  }
}

static gboolean
claim_names_bob (gpointer page)
{
  const char *text = rd_referral_page_get_claim_text (page);

  return text != NULL && strstr (text, "Bob Brown") != NULL;
}

static void
test_claimed_by_someone_else (void)
{
  GtkWidget *window = NULL;
  RdReferralPage *page;
  g_autofree char *id = NULL;
  g_autofree char *holder = NULL;
  ReferralWait rw;

  if (!rd_test_ui_init () || get_world () == NULL)
    {
      g_test_skip ("needs a display and PostgreSQL (run through ./dev env)");
      return;
    }

  id = fx_referral (world->db->admin, world->queue, "new", "Claimtest");
  {
    g_autoptr(PGconn) bob = rd_test_pg_connect (world->db->dbname, world->bob);
    g_autoptr(PGresult) res = fx_exec (bob, "SELECT id FROM rd.claim_referral($1::bigint, '10 minutes')", id, NULL);

    g_assert_cmpint (PQntuples (res), ==, 1);
  }

  page = RD_REFERRAL_PAGE (show_page (&window));
  rw.page = page;
  rw.id = g_ascii_strtoll (id, NULL, 10);
  rd_referral_page_open_referral (page, rw.id);
  g_assert_true (rd_test_ui_wait_until (shows_referral, &rw, WAIT_MS));
  g_assert_true (rd_test_ui_wait_until (claim_names_bob, page, WAIT_MS));
  screenshot (window, "referral-page-claimed-by-someone-else");

  /* Closing the page leaves Bob's claim alone. */
  gtk_window_destroy (GTK_WINDOW (window));
  rd_test_ui_spin (500);
  holder = one_value ("SELECT claimed_by FROM rd.referral WHERE id = $1::bigint", id, NULL);
  g_assert_cmpstr (holder, ==, world->bob);
}

typedef struct {
  const char *path;
} FileWait;

static gboolean
file_exists (gpointer data)
{
  return g_file_test (((FileWait *) data)->path, G_FILE_TEST_EXISTS);
}

static void
test_draft_survives (void)
{
  GtkWidget *window = NULL;
  RdReferralPage *page;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *draft_name = NULL;
  FileWait fw;
  GStatBuf st;

  if (!rd_test_ui_init () || get_world () == NULL)
    {
      g_test_skip ("needs a display and PostgreSQL (run through ./dev env)");
      return;
    }

  page = RD_REFERRAL_PAGE (show_page (&window));
  rd_referral_page_new_referral (page);
  rd_test_ui_spin (300);
  rd_referral_page_set_field_text (page, "family_name", "Thistlewaite");
  rd_referral_page_set_field_text (page, "reason", "Typed before the crash");

  draft_name = g_strconcat (rd_referral_page_get_draft_key (page), ".draft", NULL);
  path = g_build_filename (world->draft_dir, draft_name, NULL);
  fw.path = path;
  g_assert_true (rd_test_ui_wait_until (file_exists, &fw, WAIT_MS));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* The page goes away without saving (as in a crash after the draft). */
  gtk_window_destroy (GTK_WINDOW (window));
  rd_test_ui_spin (300);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  page = RD_REFERRAL_PAGE (show_page (&window));
  rd_referral_page_new_referral (page);
  g_assert_true (rd_test_ui_wait_until (draft_offered, page, WAIT_MS));
  screenshot (window, "referral-page-draft-offered");
  name = rd_referral_page_get_field_text (page, "family_name");
  g_assert_cmpstr (name, ==, "");
  rd_referral_page_restore_draft (page);
  g_clear_pointer (&name, g_free);
  name = rd_referral_page_get_field_text (page, "family_name");
  reason = rd_referral_page_get_field_text (page, "reason");
  g_assert_cmpstr (name, ==, "Thistlewaite");
  g_assert_cmpstr (reason, ==, "Typed before the crash");
  gtk_window_destroy (GTK_WINDOW (window));
  rd_test_ui_spin (300);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/ui/referral-page/fax-to-accepted", test_fax_to_accepted);
  g_test_add_func ("/ui/referral-page/duplicate-warning", test_duplicate_warning);
  g_test_add_func ("/ui/referral-page/add-to-directory", test_add_to_directory);
  g_test_add_func ("/ui/referral-page/draft-survives", test_draft_survives);
  g_test_add_func ("/ui/referral-page/claimed-by-someone-else", test_claimed_by_someone_else);

  status = g_test_run ();

  if (world != NULL)
    {
      g_clear_object (&world->conn);
      g_clear_object (&world->drafts);
      if (world->draft_dir)
        {
          g_autoptr(GDir) dir = g_dir_open (world->draft_dir, 0, NULL);
          const char *entry;

          while (dir && (entry = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *p = g_build_filename (world->draft_dir, entry, NULL);

              g_unlink (p);
            }
          g_rmdir (world->draft_dir);
        }
      g_free (world->draft_dir);
      g_free (world->queue);
      g_free (world->alice);
      g_free (world->bob);
      fx_db_free (world->db);
      g_free (world);
    }
  return status;
}
