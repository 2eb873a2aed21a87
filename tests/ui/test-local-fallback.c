/* test-local-fallback.c — "Use this computer only" as root when the data
 * folder is closed to the postgres account (root's home is mode 700)
 *
 * The private server then moves to a fallback folder when it starts. The
 * profile made before the start used to keep the first socket folder, so the
 * new desk ended on the sign-in page with "No database server answered"
 * (reported from a build installed under a custom prefix and run as root),
 * and on the next start the saved profile was not recognised as this
 * computer's. Runs as root only; the fallback folder is a private one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "rd-application.h"
#include "rd-local-cluster.h"
#include "rd-local-setup.h"
#include "rd-profile.h"
#include "rd-test-ui.h"
#include "rd-test-util.h"
#include "rd-window-private.h"

#define PASSWORD "a long local password"

static RdApplication *app;
static char *fallback;

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
page_settled (gpointer data)
{
  RdWindow *window = data;
  const char *page = rd_window_get_page (window);

  return g_strcmp0 (page, "desk") == 0 || g_strcmp0 (page, "sign-in") == 0
         || g_strcmp0 (page, "failed") == 0;
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
test_closed_home (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(RdLocalCluster) next_start = NULL;
  g_autofree char *login = rd_local_setup_login_for_user (g_get_user_name ());
  g_autofree char *expected_socket = g_build_filename (fallback, "run", NULL);
  GtkWidget *root;
  RdWindow *window;
  RdLocalCluster *cluster;
  PageWait wait;
  gboolean stopped = FALSE;
  const char * const *hosts;

  g_settings_reset (settings, "profiles");
  window = rd_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (window), 10000));
  root = GTK_WIDGET (window);

  gtk_widget_activate_action (root, "win.use-local", NULL);
  g_assert_cmpstr (rd_window_get_page (window), ==, "local-setup");
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (root, "local_password_row")), PASSWORD);
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (root, "local_confirm_row")), PASSWORD);
  g_signal_emit_by_name (rd_test_ui_find_by_id (root, "local_confirm_row"), "entry-activated");

  /* The desk, not the sign-in page with "No database server answered". */
  rd_test_ui_wait_until (page_settled, window, 120000);
  rd_test_ui_spin (200);
  if (!g_str_equal (rd_window_get_page (window), "desk"))
    {
      g_autoptr(GdkTexture) shot = rd_test_ui_screenshot (root, "local-fallback-failed");
      g_autofree char *page = g_strdup (rd_window_get_page (window));

      /* Leave no server running behind a failed test. */
      rd_local_cluster_stop_async (rd_application_get_local_cluster (app), NULL, on_stopped, &stopped);
      rd_test_ui_wait_until (is_true, &stopped, 60000);
      g_error ("the local desk did not open; page is %s", page);
    }
  g_assert_cmpstr (rd_session_get_login (rd_window_get_session (window)), ==, login);

  /* The server really moved, and the saved profile says where. */
  cluster = rd_application_get_local_cluster (app);
  g_assert_cmpstr (rd_local_cluster_get_socket_dir (cluster), ==, expected_socket);
  profiles = rd_profile_list_load (settings);
  g_assert_cmpuint (profiles->len, ==, 1);
  hosts = rd_profile_get_hosts (g_ptr_array_index (profiles, 0));
  g_assert_cmpstr (hosts[0], ==, expected_socket);

  /* The next start of the application has not looked at the disk yet, and
   * must still know that profile as this computer's. */
  next_start = rd_local_cluster_new ();
  g_assert_false (rd_local_cluster_get_running (next_start));
  g_assert_cmpstr (rd_local_cluster_get_socket_dir (next_start), !=, expected_socket);
  g_assert_true (rd_local_cluster_is_own_host (next_start, hosts[0]));
  g_assert_false (rd_local_cluster_is_own_host (next_start, "/run/postgresql"));

  /* Sign out and back in through the sign-in page. */
  gtk_widget_activate_action (root, "win.sign-out", NULL);
  g_assert_cmpstr (rd_window_get_page (window), ==, "sign-in");
  {
    GtkWidget *page = GTK_WIDGET (rd_window_get_sign_in_page (window));

    gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "password_row")), PASSWORD);
    g_signal_emit_by_name (page, "sign-in-requested");
  }
  wait = (PageWait) { window, "desk" };
  g_assert_true (rd_test_ui_wait_until (page_is, &wait, 30000));

  gtk_widget_activate_action (root, "win.sign-out", NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  rd_local_cluster_stop_async (cluster, NULL, on_stopped, &stopped);
  g_assert_true (rd_test_ui_wait_until (is_true, &stopped, 60000));
  g_settings_reset (settings, "profiles");
}

static void
skip_not_root (void)
{
  g_test_skip ("the fallback folder is used only when running as root");
}

static void
remove_all (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *data = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *fallback_parent = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  if (geteuid () != 0)
    {
      g_test_add_func ("/ui/local-fallback/closed-home", skip_not_root);
      return g_test_run ();
    }

  /* A home closed to everyone else, as /root is. */
  base = g_dir_make_tmp ("rd-local-closed-XXXXXX", &error);
  g_assert_no_error (error);
  g_chmod (base, 0700);
  data = g_build_filename (base, "data", NULL);
  runtime = g_build_filename (base, "run", NULL);
  g_mkdir_with_parents (data, 0755);
  g_mkdir_with_parents (runtime, 0700);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);

  /* A private fallback instead of /var/tmp/referral-desk-0, which a real
   * desk on this machine may be using. */
  fallback_parent = g_dir_make_tmp ("rd-local-fallback-XXXXXX", &error);
  g_assert_no_error (error);
  g_chmod (fallback_parent, 0755);
  fallback = g_build_filename (fallback_parent, "desk", NULL);
  g_setenv ("RD_LOCAL_CLUSTER_FALLBACK_DIR", fallback, TRUE);

  if (!rd_test_ui_init ())
    {
      status = g_test_run ();
      remove_all (base);
      remove_all (fallback_parent);
      return status;
    }

  app = rd_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/local-fallback/closed-home", test_closed_home);

  status = g_test_run ();
  g_clear_object (&app);
  remove_all (base);
  remove_all (fallback_parent);
  g_free (fallback);
  return status;
}
