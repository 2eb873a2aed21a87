/* test-desk.c — the whole desk in the real window: sign in, the worklist
 * with demo data, a referral opened beside its fax, the inbox, the board
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "rd-application.h"
#include "rd-fax-synth.h"
#include "rd-import-dialog.h"
#include "rd-intake-file.h"
#include "rd-inbox-view.h"
#include "rd-init-db.h"
#include "rd-referral-list.h"
#include "rd-test-ui.h"
#include "rd-test-util.h"
#include "rd-window-private.h"
#include "rd-worklist-view.h"

static RdApplication *app;
static char *dbname;

static gboolean
seed_database (void)
{
  g_autofree char *tool = g_build_filename (g_getenv ("RD_BUILD_ROOT"), "src", "admin", "referral-desk-admin", NULL);
  g_autofree char *conninfo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  dbname = rd_test_pg_create_database ();
  if (dbname == NULL)
    return FALSE;

  conninfo = rd_test_pg_conninfo (dbname, NULL);
  {
    const char *argv[] = { tool, "init-db", "--db", conninfo, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("init-db failed: %s", err);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *argv[] = { tool, "seed-demo", "--db", conninfo, "--referrals", "300",
                           "--faxes", "20", "--seed", "7", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("seed-demo failed: %s", err);
  }

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

static gboolean
list_has_rows (gpointer data)
{
  RdReferralList *list = rd_worklist_view_get_model (RD_WORKLIST_VIEW (data));
  g_autoptr(RdReferral) first = NULL;

  if (list == NULL || g_list_model_get_n_items (G_LIST_MODEL (list)) == 0)
    return FALSE;

  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  return rd_referral_get_id (first) != 0;
}

static gboolean
inbox_has_rows (gpointer data)
{
  return rd_inbox_view_get_n_items (RD_INBOX_VIEW (data)) > 0;
}

static void
sign_in_as (RdWindow   *window,
            const char *login)
{
  GtkWidget *page = GTK_WIDGET (rd_window_get_sign_in_page (window));
  PageWait wait = { window, "desk" };

  gtk_widget_activate_action (GTK_WIDGET (window), "win.use-server", NULL);
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "name_row")), "Test server");
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "hosts_row")), g_getenv ("RD_TEST_PGHOST"));
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "port_row")), g_getenv ("RD_TEST_PGPORT"));
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "database_row")), dbname);
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "user_row")), login);
  g_signal_emit_by_name (page, "sign-in-requested");
  g_assert_true (rd_test_ui_wait_until (page_is, &wait, 20000));
}

static void
test_desk (void)
{
  RdWindow *window;
  GtkWidget *worklist;
  GtkWidget *inbox;
  GtkWidget *main_stack;
  g_autoptr(RdReferral) first = NULL;
  g_autoptr(GdkTexture) shot = NULL;

  if (!seed_database ())
    return;

  window = rd_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (window), 10000));

  /* A lead of the Intake team. */
  sign_in_as (window, "demo_maria");
  worklist = rd_test_ui_find_by_type (rd_window_get_desk (window), RD_TYPE_WORKLIST_VIEW);
  g_assert_nonnull (worklist);
  g_assert_true (rd_test_ui_wait_until (list_has_rows, worklist, 20000));
  rd_test_ui_spin (500);
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (window), "desk-worklist");

  /* Open the first referral beside its documents. */
  main_stack = rd_test_ui_find_by_id (rd_window_get_desk (window), "main_stack");
  first = g_list_model_get_item (G_LIST_MODEL (rd_worklist_view_get_model (RD_WORKLIST_VIEW (worklist))), 0);
  g_signal_emit_by_name (worklist, "referral-activated", first);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (main_stack)), ==, "referral");
  rd_test_ui_spin (2000);
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (window), "desk-referral");

  /* Back to the list, then the inbox of unfiled faxes. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.back-to-list", NULL);
  rd_test_ui_spin (1000);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (main_stack)), !=, "referral");

  inbox = rd_test_ui_find_by_type (rd_window_get_desk (window), RD_TYPE_INBOX_VIEW);
  g_signal_emit_by_name (rd_test_ui_find_by_id (rd_window_get_desk (window), "sidebar"), "inbox-selected");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (main_stack)), ==, "inbox");
  g_assert_true (rd_test_ui_wait_until (inbox_has_rows, inbox, 20000));
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (window), "desk-inbox");

  /* A lead sees the team board. */
  g_assert_true (gtk_widget_get_visible (rd_test_ui_find_by_id (rd_window_get_desk (window), "board_button")));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.team-board", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (main_stack)), ==, "board");
  rd_test_ui_spin (1500);
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (window), "desk-team-board");

  /* Import: a new fax, the same fax again, and a broken PDF. */
  {
    g_autofree char *dir = g_dir_make_tmp ("rd-import-XXXXXX", NULL);
    g_autofree char *fax = g_build_filename (dir, "fax-from-clinic.pdf", NULL);
    g_autofree char *again = g_build_filename (dir, "same-fax-again.pdf", NULL);
    g_autofree char *broken = g_build_filename (dir, "broken.pdf", NULL);
    g_autoptr(GBytes) pdf = rd_fax_synth_generate (424242, 3);
    g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);
    RdImportDialog *dialog;
    const char *paths[] = { fax, again, broken };

    g_assert_true (g_file_set_contents (fax, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), NULL));
    g_assert_true (g_file_set_contents (again, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), NULL));
    g_assert_true (g_file_set_contents (broken, "%PDF-1.4\n1 0 obj <<\n", -1, NULL));
    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autoptr(GFile) f = g_file_new_for_path (paths[i]);
        g_list_store_append (files, f);
      }

    dialog = rd_import_dialog_new (GTK_WINDOW (window),
                                   rd_session_get_connection (rd_window_get_session (window)));
    gtk_window_present (GTK_WINDOW (dialog));
    rd_import_dialog_import_files (dialog, G_LIST_MODEL (files));
    for (int i = 0; i < 600 && !rd_import_dialog_get_finished (dialog); i++)
      rd_test_ui_spin (50);
    g_assert_true (rd_import_dialog_get_finished (dialog));
    g_clear_object (&shot);
    shot = rd_test_ui_screenshot (GTK_WIDGET (dialog), "import-summary");
    g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_IMPORTED), ==, 1);
    g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_DUPLICATE), ==, 1);
    g_assert_cmpuint (rd_import_dialog_get_count (dialog, RD_INTAKE_OUTCOME_REJECTED), ==, 1);
    gtk_window_destroy (GTK_WINDOW (dialog));

    /* The broken file was reported, and it is still where it was. */
    g_assert_true (g_file_test (broken, G_FILE_TEST_EXISTS));
    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      g_unlink (paths[i]);
    g_rmdir (dir);
  }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  g_assert_cmpstr (rd_window_get_page (window), ==, "sign-in");
  gtk_window_destroy (GTK_WINDOW (window));
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

  g_test_add_func ("/ui/desk/worklist-referral-inbox-board", test_desk);

  status = g_test_run ();
  g_clear_object (&app);
  g_free (dbname);
  return status;
}
