/* test-import-folder.c — folders dropped on the desk or chosen in Import…:
 * a folder of faxes, a Maildir, a folder of HL7 messages whose second one
 * cancels the referral the first made, an empty folder and a path that is
 * not there, in a real window against a real database
 *
 * The summary must count what came in, give each folder a line (a Maildir
 * its number of messages, an empty folder a plain sentence), show what a
 * follow-up did, and the documents must be in the database once. Choosing
 * the fax folder again through the file chooser finds both faxes already
 * there. Screenshots go to the test's artefacts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "../store/schema-fixture.h"
#include "rd-application.h"
#include "rd-fax-synth.h"
#include "rd-import-dialog.h"
#include "rd-intake-file.h"
#include "rd-test-ui.h"
#include "rd-test-util.h"
#include "rd-window-private.h"

#define WAIT_MS 60000
#define MANY_FAXES 12

static RdApplication *app;
static FxDb *db;
static char *login;

/* A fresh database and a specialist of the Intake team to sign in as.
 * Their own role, named after this process, so that UI tests running side
 * by side never make the same role. */
static gboolean
set_up_database (void)
{
  g_autofree char *queue = NULL;

  db = fx_db_new ();
  if (db == NULL)
    return FALSE;
  queue = fx_team (db, "Intake");
  login = fx_staff (db, "Sam Specialist", RD_STAFF_ROLE_SPECIALIST, "Intake");
  return TRUE;
}

typedef struct {
  RdWindow   *window;
  const char *page;
} PageWait;

static gboolean
page_is (gpointer data)
{
  PageWait *w = data;

  return g_strcmp0 (rd_window_get_page (w->window), w->page) == 0;
}

static void
sign_in_as (RdWindow   *window,
            const char *login)
{
  GtkWidget *page = GTK_WIDGET (rd_window_get_sign_in_page (window));
  PageWait wait = { window, "desk" };

  gtk_widget_activate_action (GTK_WIDGET (window), "win.use-server", NULL);
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "name_row")), "Clinic server");
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "hosts_row")), g_getenv ("RD_TEST_PGHOST"));
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "port_row")), g_getenv ("RD_TEST_PGPORT"));
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "database_row")), db->dbname);
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "user_row")), login);
  g_signal_emit_by_name (page, "sign-in-requested");
  g_assert_true (rd_test_ui_wait_until (page_is, &wait, 20000));
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      /* GTK keeps its own reference to every toplevel. */
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static gboolean
dialog_finished (gpointer data)
{
  return rd_import_dialog_get_finished (data);
}

static gboolean
chooser_shown (gpointer data)
{
  return find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL;
}

/* The subtitle of the summary's line titled @title, or NULL. */
static const char *
line_for (RdImportDialog *dialog,
          const char     *title)
{
  GtkWidget *results = rd_test_ui_find_by_id (GTK_WIDGET (dialog), "results");

  for (GtkWidget *row = gtk_widget_get_first_child (results); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row) &&
        g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  return NULL;
}

static guint
n_lines (RdImportDialog *dialog)
{
  GtkWidget *results = rd_test_ui_find_by_id (GTK_WIDGET (dialog), "results");
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (results); row != NULL; row = gtk_widget_get_next_sibling (row))
    n++;
  return n;
}

static void
write_bytes (const char *dir,
             const char *name,
             GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}

static void
write_text (const char *dir,
            const char *name,
            const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  write_bytes (dir, name, bytes);
}

static char *
make_dir (const char *parent,
          const char *name)
{
  char *path = g_build_filename (parent, name, NULL);

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  return path;
}

/* An e-mail as a referring office's mail program writes it: a short text
 * and the referral fax as a base64 PDF attachment. */
static char *
mail_with_pdf (const char *message_id,
               GBytes     *pdf)
{
  g_autofree char *encoded = g_base64_encode (g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf));
  GString *mail = g_string_new (NULL);
  gsize len = strlen (encoded);

  g_string_append_printf (mail,
                          "From: North Clinic Referrals <referrals@north-clinic.example>\n"
                          "To: intake@referral-desk.example\n"
                          "Subject: New referral\n"
                          "Date: Tue, 10 Nov 2026 09:30:00 +0000\n"
                          "Message-ID: <%s@north-clinic.example>\n"
                          "MIME-Version: 1.0\n"
                          "Content-Type: multipart/mixed; boundary=\"rd-test-boundary\"\n"
                          "\n"
                          "This is a message in MIME format.\n"
                          "\n"
                          "--rd-test-boundary\n"
                          "Content-Type: text/plain; charset=utf-8\n"
                          "Content-Transfer-Encoding: 7bit\n"
                          "\n"
                          "Please see the attached referral.\n"
                          "\n"
                          "--rd-test-boundary\n"
                          "Content-Type: application/pdf; name=\"referral.pdf\"\n"
                          "Content-Disposition: attachment; filename=\"referral.pdf\"\n"
                          "Content-Transfer-Encoding: base64\n"
                          "\n",
                          message_id);
  for (gsize i = 0; i < len; i += 76)
    {
      g_string_append_len (mail, encoded + i, MIN (76, len - i));
      g_string_append_c (mail, '\n');
    }
  g_string_append (mail, "--rd-test-boundary--\n");
  return g_string_free (mail, FALSE);
}

/* An HL7 v2 REF message of the sending facility NORTHCLINIC. No specialty
 * is given, so the referral goes to the intake queue. */
static char *
hl7_message (const char *trigger,
             const char *control_id)
{
  return g_strdup_printf ("MSH|^~\\&|EHRAPP|NORTHCLINIC|RD|DESK|20261110093000||REF^%s^REF_I12|%s|P|2.5.1\r"
                          "RF1|P^Pending^HL70283|R^Routine^HL70280|||O|EXT-9107^NORTH||||Shortness of breath\r"
                          "PID|1||MRN9107^^^NORTH^MR||TESTPERSON^SYNTHETIC||19600101|F\r",
                          trigger, control_id);
}

static gint64
documents_with_sha256 (GBytes *bytes)
{
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  const char *params[] = { sha };
  g_autoptr(PGresult) res = PQexecParams (db->admin, "SELECT count(*) FROM rd.document WHERE sha256 = $1",
                                          1, NULL, params, NULL, NULL, 0);

  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  return g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
}

static char *
referral_status (const char *external_id)
{
  const char *params[] = { external_id };
  g_autoptr(PGresult) res = PQexecParams (db->admin,
                                          "SELECT r.status::text FROM rd.referral r"
                                          " JOIN rd.hl7_referral_link l ON l.referral_id = r.id"
                                          " WHERE l.sender = 'NORTHCLINIC' AND l.external_id = $1",
                                          1, NULL, params, NULL, NULL, 0);

  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  g_assert_cmpint (PQntuples (res), ==, 1);
  return g_strdup (PQgetvalue (res, 0, 0));
}

static gboolean
drop_on_desk (RdWindow  *window,
              GFile    **files,
              gsize      n_files)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (rd_window_get_desk (window));
  GtkDropTarget *target = NULL;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (files, n_files));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  return accepted;
}

/* The longest time the main loop went without running a 5 ms timer. */
typedef struct {
  gint64 last;
  gint64 worst;
} Gap;

static gboolean
on_gap_tick (gpointer data)
{
  Gap *gap = data;
  gint64 now = g_get_monotonic_time ();

  if (gap->last != 0 && now - gap->last > gap->worst)
    gap->worst = now - gap->last;
  gap->last = now;
  return G_SOURCE_CONTINUE;
}

typedef struct {
  RdImportDialog *dialog;
  guint           n;
} LinesWait;

static gboolean
has_lines (gpointer data)
{
  LinesWait *w = data;

  return n_lines (w->dialog) >= w->n || rd_import_dialog_get_finished (w->dialog);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        remove_tree (child);
      }
  g_remove (path);
}

static void
test_import_folders (void)
{
  g_autofree char *root = NULL;
  g_autofree char *faxes = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *hl7 = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *fresh = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *message = NULL;
  g_autofree char *unfinished = NULL;
  g_autofree char *i12 = NULL;
  g_autofree char *i14 = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GBytes) fax_a = rd_fax_synth_generate (913001, 2);
  g_autoptr(GBytes) fax_b = rd_fax_synth_generate (913002, 1);
  g_autoptr(GBytes) mailed = rd_fax_synth_generate (913003, 1);
  g_autoptr(GBytes) delivering = rd_fax_synth_generate (913004, 1);
  g_autoptr(GdkTexture) shot = NULL;
  GFile *dropped[5];
  RdWindow *window;
  RdImportDialog *dialog;
  GtkWidget *chooser;
  const char *line;

  if (!set_up_database ())
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }

  /* A folder of two faxes; a Maildir holding one message in new/ and one
   * still being delivered in tmp/ (not to be taken); two HL7 messages;
   * an empty folder; and a path that is not there. */
  root = g_dir_make_tmp ("rd-import-folder-XXXXXX", NULL);
  g_assert_nonnull (root);
  faxes = make_dir (root, "faxes");
  write_bytes (faxes, "fax-a.pdf", fax_a);
  write_bytes (faxes, "fax-b.pdf", fax_b);
  mail = make_dir (root, "mail");
  fresh = make_dir (mail, "new");
  seen = make_dir (mail, "cur");
  tmp = make_dir (mail, "tmp");
  message = mail_with_pdf ("import-folder-1", mailed);
  write_text (fresh, "1794300000.M1P4242.desk", message);
  unfinished = mail_with_pdf ("import-folder-2", delivering);
  write_text (tmp, "1794300001.M2P4242.desk", unfinished);
  hl7 = make_dir (root, "hl7");
  i12 = hl7_message ("I12", "IMPFOLDER-1");
  i14 = hl7_message ("I14", "IMPFOLDER-2");
  write_text (hl7, "1-referral.hl7", i12);
  write_text (hl7, "2-cancel.hl7", i14);
  empty = make_dir (root, "empty");
  gone = g_build_filename (root, "gone", NULL);

  window = rd_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (window), 10000));
  sign_in_as (window, login);

  /* Everything dropped on the desk at once. */
  dropped[0] = g_file_new_for_path (faxes);
  dropped[1] = g_file_new_for_path (mail);
  dropped[2] = g_file_new_for_path (hl7);
  dropped[3] = g_file_new_for_path (empty);
  dropped[4] = g_file_new_for_path (gone);
  {
    Gap gap = { 0 };
    guint ticker = g_timeout_add (5, on_gap_tick, &gap);
    gint64 start = g_get_monotonic_time ();

    g_assert_true (drop_on_desk (window, dropped, G_N_ELEMENTS (dropped)));
    dialog = RD_IMPORT_DIALOG (find_toplevel (RD_TYPE_IMPORT_DIALOG));
    g_assert_nonnull (dialog);
    g_assert_true (rd_test_ui_wait_until (dialog_finished, dialog, WAIT_MS));
    g_source_remove (ticker);
    /* Figures, not verdicts. */
    g_test_message ("5 folders/paths dropped (5 files): finished in %.0f ms; longest main-loop gap %.1f ms",
                    (g_get_monotonic_time () - start) / 1000.0, gap.worst / 1000.0);
  }
  for (guint i = 0; i < G_N_ELEMENTS (dropped); i++)
    g_object_unref (dropped[i]);
  rd_test_ui_spin (300);
  shot = rd_test_ui_screenshot (GTK_WIDGET (dialog), "import-folder-summary");
  {
    /* The end of the list too: the follow-ups and the problems. */
    GtkWidget *results = rd_test_ui_find_by_id (GTK_WIDGET (dialog), "results");
    GtkWidget *scroller = gtk_widget_get_ancestor (results, GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
    rd_test_ui_spin (300);
    g_clear_object (&shot);
    shot = rd_test_ui_screenshot (GTK_WIDGET (dialog), "import-folder-summary-end");
  }

  /* Two faxes, one e-mail, the referral and its cancellation; the path
   * that is not there is the one line not imported. */
  g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_IMPORTED), ==, 5);
  g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_DUPLICATE), ==, 0);
  g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_REJECTED), ==, 1);
  /* Four folder lines, five files, one missing path. */
  g_assert_cmpuint (n_lines (dialog), ==, 10);
  g_assert_cmpstr (line_for (dialog, "faxes"), ==, "Folder: 2 files");
  g_assert_cmpstr (line_for (dialog, "mail"), ==, "Mail folder: 1 message");
  g_assert_cmpstr (line_for (dialog, "hl7"), ==, "Folder: 2 files");
  g_assert_true (g_str_has_prefix (line_for (dialog, "empty"), "The folder is empty, so there was nothing to import."));
  g_assert_cmpstr (line_for (dialog, "gone"), ==,
                   "Not imported — It is no longer there: it was moved or deleted before it could be imported.");
  g_assert_cmpstr (line_for (dialog, "fax-a.pdf"), ==, "Imported");
  g_assert_cmpstr (line_for (dialog, "fax-b.pdf"), ==, "Imported");
  g_assert_nonnull (line_for (dialog, "1794300000.M1P4242.desk"));
  g_assert_true (g_str_has_prefix (line_for (dialog, "1794300000.M1P4242.desk"), "Imported"));
  g_assert_null (line_for (dialog, "1794300001.M2P4242.desk"));
  /* The follow-up says what it did to which referral. */
  line = line_for (dialog, "2-cancel.hl7");
  g_test_message ("cancellation line: %s", line);
  g_assert_true (g_str_has_prefix (line, "Imported — REF^I14 for referral "));
  g_assert_true (g_str_has_suffix (line, ": The referral was cancelled."));
  {
    GtkWidget *status_label = rd_test_ui_find_by_id (GTK_WIDGET (dialog), "status_label");

    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (status_label)), ==,
                     "5 imported, 0 already there, 1 not imported");
  }

  /* In the database, once each; tmp/ was left alone; the referral the
   * first message made was cancelled by the second. */
  g_assert_cmpint (documents_with_sha256 (fax_a), ==, 1);
  g_assert_cmpint (documents_with_sha256 (fax_b), ==, 1);
  g_assert_cmpint (documents_with_sha256 (mailed), ==, 1);
  g_assert_cmpint (documents_with_sha256 (delivering), ==, 0);
  status = referral_status ("EXT-9107");
  g_assert_cmpstr (status, ==, "cancelled");
  /* Nothing in the folders was moved or changed. */
  g_assert_true (g_file_test (faxes, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *kept = g_build_filename (fresh, "1794300000.M1P4242.desk", NULL);

    g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  }
  gtk_window_destroy (GTK_WINDOW (dialog));
  rd_test_ui_spin (100);

  /* Import… (Ctrl+I) asks for files or a folder; the fax folder chosen
   * again brings nothing new. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.import", NULL);
  dialog = RD_IMPORT_DIALOG (find_toplevel (RD_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (dialog), 10000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (rd_test_ui_find_by_id (GTK_WIDGET (dialog), "stack"))),
                   ==, "start");
  g_assert_false (gtk_widget_get_visible (rd_test_ui_find_by_id (GTK_WIDGET (dialog), "cancel_button")));
  rd_test_ui_spin (300);
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (dialog), "import-folder-start");

  gtk_widget_activate (rd_test_ui_find_by_id (GTK_WIDGET (dialog), "choose_folder_button"));
  g_assert_true (rd_test_ui_wait_until (chooser_shown, NULL, 10000));
  chooser = GTK_WIDGET (find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)), ==,
                   GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
  {
    g_autoptr(GFile) folder = g_file_new_for_path (faxes);

    g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL));
  }
  rd_test_ui_spin (300);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  g_assert_true (rd_test_ui_wait_until (dialog_finished, dialog, WAIT_MS));
  rd_test_ui_spin (300);
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (dialog), "import-folder-again");
  g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_IMPORTED), ==, 0);
  g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_DUPLICATE), ==, 2);
  g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_REJECTED), ==, 0);
  g_assert_cmpstr (line_for (dialog, "faxes"), ==, "Folder: 2 files");
  g_assert_true (g_str_has_prefix (line_for (dialog, "fax-a.pdf"), "Already there"));
  g_assert_cmpint (documents_with_sha256 (fax_a), ==, 1);
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* A folder that may not be read (only an ordinary user can be kept
   * out: root reads every folder). */
  if (geteuid () != 0)
    {
      g_autofree char *locked = make_dir (root, "locked");
      g_autoptr(GFile) folder = g_file_new_for_path (locked);
      GFile *one[1] = { folder };

      write_bytes (locked, "fax-a.pdf", fax_a);
      g_assert_cmpint (g_chmod (locked, 0), ==, 0);
      g_assert_true (drop_on_desk (window, one, 1));
      dialog = RD_IMPORT_DIALOG (find_toplevel (RD_TYPE_IMPORT_DIALOG));
      g_assert_nonnull (dialog);
      g_assert_true (rd_test_ui_wait_until (dialog_finished, dialog, WAIT_MS));
      g_test_message ("locked folder: %s", line_for (dialog, "locked"));
      g_assert_true (g_str_has_prefix (line_for (dialog, "locked"),
                                       "Not imported — The folder could not be read, so nothing in it was imported: "));
      g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_REJECTED), ==, 1);
      g_assert_cmpuint (n_lines (dialog), ==, 1);
      gtk_window_destroy (GTK_WINDOW (dialog));
      g_assert_cmpint (g_chmod (locked, 0700), ==, 0);
    }
  else
    g_test_message ("running as root, which reads every folder: the unreadable folder is not tried");

  /* Stop in the middle of a big folder: the file being filed finishes;
   * each file with a line is in the database, and none without one is. */
  {
    g_autofree char *many = make_dir (root, "many");
    g_autoptr(GPtrArray) pdfs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    g_autoptr(GFile) folder = g_file_new_for_path (many);
    GFile *one[1] = { folder };
    LinesWait first = { NULL, 2 };
    const char *label;
    guint with_line = 0;

    for (guint i = 0; i < MANY_FAXES; i++)
      {
        g_autofree char *name = g_strdup_printf ("fax-%02u.pdf", i);
        GBytes *pdf = rd_fax_synth_generate (913100 + i, 1);

        write_bytes (many, name, pdf);
        g_ptr_array_add (pdfs, pdf);
      }

    g_assert_true (drop_on_desk (window, one, 1));
    dialog = RD_IMPORT_DIALOG (find_toplevel (RD_TYPE_IMPORT_DIALOG));
    g_assert_nonnull (dialog);
    /* The folder's line and the first file's. */
    first.dialog = dialog;
    g_assert_true (rd_test_ui_wait_until (has_lines, &first, WAIT_MS));
    g_assert_false (rd_import_dialog_get_finished (dialog));
    /* Clicked now (activating a button clicks it only 250 ms later). */
    g_signal_emit_by_name (rd_test_ui_find_by_id (GTK_WIDGET (dialog), "cancel_button"), "clicked");
    g_assert_true (rd_test_ui_wait_until (dialog_finished, dialog, WAIT_MS));
    rd_test_ui_spin (300);
    g_clear_object (&shot);
    shot = rd_test_ui_screenshot (GTK_WIDGET (dialog), "import-folder-stopped");

    label = gtk_label_get_label (GTK_LABEL (rd_test_ui_find_by_id (GTK_WIDGET (dialog), "status_label")));
    g_test_message ("stopped: %s", label);
    g_assert_true (g_str_has_suffix (label, " — stopped before the end"));
    g_assert_cmpstr (line_for (dialog, "many"), ==, "Folder: 12 files");
    g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_IMPORTED), >=, 1);
    g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_IMPORTED), <, MANY_FAXES);
    g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_REJECTED), ==, 0);
    for (guint i = 0; i < MANY_FAXES; i++)
      {
        g_autofree char *name = g_strdup_printf ("fax-%02u.pdf", i);
        const char *subtitle = line_for (dialog, name);

        if (subtitle != NULL)
          {
            g_assert_cmpstr (subtitle, ==, "Imported");
            g_assert_cmpint (documents_with_sha256 (pdfs->pdata[i]), ==, 1);
            with_line++;
          }
        else
          g_assert_cmpint (documents_with_sha256 (pdfs->pdata[i]), ==, 0);
      }
    g_assert_cmpuint (with_line, ==, rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_IMPORTED));
    gtk_window_destroy (GTK_WINDOW (dialog));
  }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  remove_tree (root);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  if (!rd_test_ui_init ())
    return g_test_run ();

  app = rd_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/import/folders", test_import_folders);

  status = g_test_run ();
  g_clear_object (&app);
  g_clear_pointer (&db, fx_db_free);
  g_free (login);
  return status;
}
