/* test-sign-in.c — welcome, sign-in errors, the keyring, and the idle lock,
 * driven through the real window against a real PostgreSQL server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <adwaita.h>

#include "rd-application.h"
#include "rd-credentials.h"
#include "rd-profile.h"
#include "rd-test-cluster.h"
#include "rd-test-ui.h"
#include "rd-test-util.h"
#include "rd-window-private.h"

#define PASSWORD "correct horse 7"

static RdApplication *app;
static RdTestCluster *cluster;

static void
set_text (GtkWidget  *root,
          const char *id,
          const char *text)
{
  GtkWidget *w = rd_test_ui_find_by_id (root, id);

  g_assert_nonnull (w);
  gtk_editable_set_text (GTK_EDITABLE (w), text);
}

static const char *
get_label (GtkWidget  *root,
           const char *id)
{
  GtkWidget *w = rd_test_ui_find_by_id (root, id);

  g_assert_nonnull (w);
  return gtk_widget_get_visible (w) ? gtk_label_get_label (GTK_LABEL (w)) : NULL;
}

static RdWindow *
new_window (void)
{
  RdWindow *window = rd_window_new (app);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (window), 10000));
  return window;
}

typedef struct {
  RdWindow   *window;
  const char *page;
  GtkWidget  *label_root;
  const char *label_id;
} PageWait;

static gboolean
page_is (gpointer data)
{
  PageWait *w = data;

  return g_strcmp0 (rd_window_get_page (w->window), w->page) == 0;
}

static gboolean
error_shown (gpointer data)
{
  PageWait *w = data;

  return get_label (w->label_root, w->label_id) != NULL;
}

static void
fill_sign_in (RdWindow   *window,
              const char *hosts,
              int         port,
              const char *tls_ca,
              const char *password)
{
  GtkWidget *page = GTK_WIDGET (rd_window_get_sign_in_page (window));
  g_autofree char *port_text = g_strdup_printf ("%d", port);

  set_text (page, "name_row", "Test server");
  set_text (page, "hosts_row", hosts);
  set_text (page, "port_row", port_text);
  set_text (page, "database_row", "postgres");
  set_text (page, "user_row", "alice");
  set_text (page, "ca_row", tls_ca ? tls_ca : "");
  set_text (page, "password_row", password);
  /* Item 1 of the encryption row: verify certificate and host name. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (rd_test_ui_find_by_id (page, "tls_row")), tls_ca ? 1 : 0);
}

static char *
sign_in_expecting_error (RdWindow *window)
{
  GtkWidget *page = GTK_WIDGET (rd_window_get_sign_in_page (window));
  PageWait wait = { window, NULL, page, "error_label" };

  g_signal_emit_by_name (page, "sign-in-requested");
  g_assert_true (rd_test_ui_wait_until (error_shown, &wait, 20000));
  return g_strdup (get_label (page, "error_label"));
}

static void
test_welcome (void)
{
  g_autoptr(GdkTexture) shot = NULL;
  RdWindow *window = new_window ();

  g_assert_cmpstr (rd_window_get_page (window), ==, "welcome");
  shot = rd_test_ui_screenshot (GTK_WIDGET (window), "welcome");
  g_assert_true (rd_test_ui_texture_has_content (shot));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_sign_in_errors (void)
{
  RdWindow *window;
  GtkWidget *page;
  g_autofree char *wrong = NULL;
  g_autofree char *unreachable = NULL;
  g_autofree char *tls = NULL;
  g_autofree char *other_ca = NULL;
  g_autoptr(GdkTexture) shot = NULL;
  PageWait to_desk;

  if (cluster == NULL)
    return;

  window = new_window ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.use-server", NULL);
  g_assert_cmpstr (rd_window_get_page (window), ==, "sign-in");
  page = GTK_WIDGET (rd_window_get_sign_in_page (window));

  /* Wrong password: its own message, and the form keeps what was typed. */
  fill_sign_in (window, rd_test_cluster_get_socket_dir (cluster),
                rd_test_cluster_get_port (cluster), NULL, "not the password");
  wrong = sign_in_expecting_error (window);
  g_test_message ("wrong password: %s", wrong);
  g_assert_nonnull (strstr (wrong, "password"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "user_row"))), ==, "alice");
  g_assert_cmpstr (rd_window_get_page (window), ==, "sign-in");
  shot = rd_test_ui_screenshot (GTK_WIDGET (window), "sign-in-wrong-password");

  /* Nobody listening on that port. */
  fill_sign_in (window, "127.0.0.1", 1, NULL, PASSWORD);
  unreachable = sign_in_expecting_error (window);
  g_test_message ("unreachable: %s", unreachable);
  g_assert_cmpstr (unreachable, !=, wrong);

  /* verify-full against a CA that did not sign the server's certificate. */
  other_ca = g_build_filename (g_get_tmp_dir (), "rd-test-other-ca.crt", NULL);
  {
    g_autoptr(RdTestCluster) other = rd_test_cluster_start (RD_TEST_CLUSTER_TCP | RD_TEST_CLUSTER_SSL);
    g_autofree char *pem = NULL;

    g_assert_true (g_file_get_contents (rd_test_cluster_get_ca_file (other), &pem, NULL, NULL));
    g_assert_true (g_file_set_contents (other_ca, pem, -1, NULL));
  }
  fill_sign_in (window, "localhost", rd_test_cluster_get_port (cluster), other_ca, PASSWORD);
  tls = sign_in_expecting_error (window);
  g_test_message ("tls: %s", tls);
  g_assert_cmpstr (tls, !=, wrong);
  g_assert_cmpstr (tls, !=, unreachable);

  /* And the right details sign in. */
  fill_sign_in (window, "localhost", rd_test_cluster_get_port (cluster),
                rd_test_cluster_get_ca_file (cluster), PASSWORD);
  to_desk = (PageWait) { window, "desk", NULL, NULL };
  g_signal_emit_by_name (page, "sign-in-requested");
  if (!rd_test_ui_wait_until (page_is, &to_desk, 20000))
    g_error ("did not sign in: %s", get_label (page, "error_label"));
  g_assert_cmpstr (rd_session_get_login (rd_window_get_session (window)), ==, "alice");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
any_mapped (GtkWidget *w)
{
  if (gtk_widget_get_mapped (w))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    if (any_mapped (c))
      return TRUE;
  return FALSE;
}

static void
test_idle_lock (void)
{
  RdWindow *window;
  GtkWidget *page;
  GtkWidget *lock;
  PageWait wait;
  g_autoptr(GdkTexture) shot = NULL;

  if (cluster == NULL)
    return;

  window = new_window ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.use-server", NULL);
  page = GTK_WIDGET (rd_window_get_sign_in_page (window));
  fill_sign_in (window, rd_test_cluster_get_socket_dir (cluster),
                rd_test_cluster_get_port (cluster), NULL, PASSWORD);
  wait = (PageWait) { window, "desk", NULL, NULL };
  g_signal_emit_by_name (page, "sign-in-requested");
  g_assert_true (rd_test_ui_wait_until (page_is, &wait, 20000));

  /* Walk away. */
  rd_window_set_idle_timeout_ms (window, 300);
  wait.page = "locked";
  g_assert_true (rd_test_ui_wait_until (page_is, &wait, 5000));
  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (window), 5000));

  /* Nothing of the desk is drawn or reachable by assistive technologies. */
  g_assert_false (gtk_widget_get_visible (rd_window_get_desk (window)));
  g_assert_false (any_mapped (rd_window_get_desk (window)));
  shot = rd_test_ui_screenshot (GTK_WIDGET (window), "lock-screen");

  lock = GTK_WIDGET (rd_window_get_lock_screen (window));
  g_signal_emit_by_name (lock, "unlock-requested", "wrong one");
  {
    PageWait err = { window, NULL, lock, "error_label" };
    g_assert_true (rd_test_ui_wait_until (error_shown, &err, 20000));
  }
  g_assert_cmpstr (rd_window_get_page (window), ==, "locked");

  rd_window_set_idle_timeout_ms (window, 600000);
  g_signal_emit_by_name (lock, "unlock-requested", PASSWORD);
  wait.page = "desk";
  g_assert_true (rd_test_ui_wait_until (page_is, &wait, 20000));
  g_assert_true (gtk_widget_get_visible (rd_window_get_desk (window)));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
done (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_lookup (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;

  char *password = rd_credentials_lookup_finish (result, &error);

  *out = g_strdup (password ? password : "");
  rd_credentials_password_free (password);
}

static gboolean
have_string (gpointer data)
{
  return *(char **) data != NULL;
}

static void
test_remember_password (void)
{
  RdWindow *window;
  GtkWidget *page;
  PageWait wait;
  g_autoptr(RdProfile) profile = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  gboolean unused = FALSE;

  if (cluster == NULL)
    return;

  window = new_window ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.use-server", NULL);
  page = GTK_WIDGET (rd_window_get_sign_in_page (window));
  fill_sign_in (window, rd_test_cluster_get_socket_dir (cluster),
                rd_test_cluster_get_port (cluster), NULL, PASSWORD);
  gtk_switch_set_active (GTK_SWITCH (rd_test_ui_find_by_id (page, "remember_switch")), TRUE);
  wait = (PageWait) { window, "desk", NULL, NULL };
  g_signal_emit_by_name (page, "sign-in-requested");
  g_assert_true (rd_test_ui_wait_until (page_is, &wait, 20000));
  (void) done (&unused);

  /* The keyring now holds it, for exactly this profile. */
  {
    g_autoptr(GPtrArray) profiles = rd_profile_list_load (settings);
    g_assert_cmpuint (profiles->len, >=, 1);
    profile = g_object_ref (g_ptr_array_index (profiles, 0));
  }
  rd_test_ui_spin (500);
  rd_credentials_lookup_async (profile, NULL, on_lookup, &stored);
  g_assert_true (rd_test_ui_wait_until (have_string, &stored, 10000));
  g_assert_cmpstr (stored, ==, PASSWORD);

  /* Signing out and coming back: the form is filled from the keyring. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  g_assert_cmpstr (rd_window_get_page (window), ==, "sign-in");
  {
    GtkWidget *pw = rd_test_ui_find_by_id (page, "password_row");
    g_autofree char *filled = NULL;

    for (int i = 0; i < 100 && *gtk_editable_get_text (GTK_EDITABLE (pw)) == '\0'; i++)
      rd_test_ui_spin (50);
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (pw)), ==, PASSWORD);
    (void) filled;
  }

  /* Removing the profile removes its saved password too. */
  g_signal_emit_by_name (page, "profile-removed", rd_profile_get_name (profile));
  {
    g_autoptr(GPtrArray) profiles = rd_profile_list_load (settings);

    for (guint i = 0; i < profiles->len; i++)
      g_assert_cmpstr (rd_profile_get_name (g_ptr_array_index (profiles, i)), !=,
                       rd_profile_get_name (profile));
  }
  g_clear_pointer (&stored, g_free);
  for (int i = 0; i < 50; i++)
    {
      rd_test_ui_spin (100);
      g_clear_pointer (&stored, g_free);
      rd_credentials_lookup_async (profile, NULL, on_lookup, &stored);
      g_assert_true (rd_test_ui_wait_until (have_string, &stored, 10000));
      if (g_str_equal (stored, ""))
        break;
    }
  g_assert_cmpstr (stored, ==, "");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_schema_too_new (void)
{
  RdWindow *window;
  g_autofree char *message = NULL;

  if (cluster == NULL)
    return;

  /* A database migrated by a newer Referral Desk. */
  rd_test_cluster_exec (cluster,
                        "CREATE SCHEMA rd;"
                        "CREATE TABLE rd.staff (login_name text, display_name text);"
                        "CREATE TABLE rd.schema_version (version integer);"
                        "INSERT INTO rd.schema_version VALUES (9999);"
                        "GRANT USAGE ON SCHEMA rd TO alice;"
                        "GRANT SELECT ON ALL TABLES IN SCHEMA rd TO alice;");

  window = new_window ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.use-server", NULL);
  fill_sign_in (window, rd_test_cluster_get_socket_dir (cluster),
                rd_test_cluster_get_port (cluster), NULL, PASSWORD);
  message = sign_in_expecting_error (window);
  g_test_message ("schema too new: %s", message);
  g_assert_nonnull (strstr (message, "9999"));
  g_assert_cmpstr (rd_window_get_page (window), ==, "sign-in");
  g_assert_cmpint (rd_session_get_state (rd_window_get_session (window)), ==, RD_SESSION_SIGNED_OUT);

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

  cluster = rd_test_cluster_start (RD_TEST_CLUSTER_TCP | RD_TEST_CLUSTER_SSL);
  if (cluster != NULL)
    rd_test_cluster_exec (cluster, "CREATE ROLE alice LOGIN PASSWORD '" PASSWORD "'");

  app = rd_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/sign-in/welcome", test_welcome);
  g_test_add_func ("/ui/sign-in/errors", test_sign_in_errors);
  g_test_add_func ("/ui/sign-in/idle-lock", test_idle_lock);
  g_test_add_func ("/ui/sign-in/remember-password", test_remember_password);
  /* Last: it leaves a foreign schema in the test database. */
  g_test_add_func ("/ui/sign-in/schema-too-new", test_schema_too_new);

  status = g_test_run ();

  g_clear_object (&app);
  g_clear_pointer (&cluster, rd_test_cluster_stop);
  return status;
}
