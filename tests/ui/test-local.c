/* test-local.c — "Use this computer only": the private database is created,
 * the person chooses a password, works, signs out and back in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "rd-application.h"
#include "rd-local-cluster.h"
#include "rd-local-setup.h"
#include "rd-test-ui.h"
#include "rd-test-util.h"
#include "rd-window-private.h"

#define PASSWORD "a long local password"

static RdApplication *app;

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
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rd_local_cluster_stop_finish (RD_LOCAL_CLUSTER (source), result, NULL, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
test_local_first_run (void)
{
  RdWindow *window;
  GtkWidget *desk_root;
  PageWait wait;
  g_autofree char *login = rd_local_setup_login_for_user (g_get_user_name ());
  g_autoptr(GdkTexture) shot = NULL;
  gboolean stopped = FALSE;

  window = rd_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (window), 10000));
  desk_root = GTK_WIDGET (window);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.use-local", NULL);
  g_assert_cmpstr (rd_window_get_page (window), ==, "local-setup");

  /* Too short, then not the same twice: said plainly, nothing created. */
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (desk_root, "local_password_row")), "short");
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (desk_root, "local_confirm_row")), "short");
  g_signal_emit_by_name (rd_test_ui_find_by_id (desk_root, "local_confirm_row"), "entry-activated");
  g_assert_true (gtk_widget_get_visible (rd_test_ui_find_by_id (desk_root, "local_error_label")));
  g_assert_cmpstr (rd_window_get_page (window), ==, "local-setup");

  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (desk_root, "local_password_row")), PASSWORD);
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (desk_root, "local_confirm_row")), PASSWORD "x");
  g_signal_emit_by_name (rd_test_ui_find_by_id (desk_root, "local_confirm_row"), "entry-activated");
  g_assert_cmpstr (rd_window_get_page (window), ==, "local-setup");

  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (desk_root, "local_password_row")), PASSWORD);
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (desk_root, "local_confirm_row")), PASSWORD);
  g_signal_emit_by_name (rd_test_ui_find_by_id (desk_root, "local_confirm_row"), "entry-activated");

  wait = (PageWait) { window, "desk" };
  if (!rd_test_ui_wait_until (page_is, &wait, 120000))
    g_error ("the local desk did not open; page is %s", rd_window_get_page (window));
  g_assert_cmpstr (rd_session_get_login (rd_window_get_session (window)), ==, login);
  shot = rd_test_ui_screenshot (GTK_WIDGET (window), "local-first-run");

  /* Sign out and back in with the chosen password. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  g_assert_cmpstr (rd_window_get_page (window), ==, "sign-in");
  {
    GtkWidget *page = GTK_WIDGET (rd_window_get_sign_in_page (window));

    gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "password_row")), PASSWORD);
    g_signal_emit_by_name (page, "sign-in-requested");
  }
  g_assert_true (rd_test_ui_wait_until (page_is, &wait, 30000));

  gtk_window_destroy (GTK_WINDOW (window));

  rd_local_cluster_stop_async (rd_application_get_local_cluster (app), NULL, on_stopped, &stopped);
  g_assert_true (rd_test_ui_wait_until (is_true, &stopped, 60000));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *data = NULL;
  g_autofree char *runtime = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  /* A private cluster of our own, in folders nobody else uses. */
  base = g_dir_make_tmp ("rd-local-ui-XXXXXX", &error);
  g_assert_no_error (error);
  g_chmod (base, 0755);
  data = g_build_filename (base, "data", NULL);
  runtime = g_build_filename (base, "run", NULL);
  g_mkdir_with_parents (data, 0755);
  g_mkdir_with_parents (runtime, 0700);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);

  if (!rd_test_ui_init ())
    return g_test_run ();

  app = rd_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/local/first-run", test_local_first_run);

  status = g_test_run ();
  g_clear_object (&app);

  {
    const char *argv_rm[] = { "rm", "-rf", base, NULL };
    g_spawn_sync (NULL, (char **) argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return status;
}
