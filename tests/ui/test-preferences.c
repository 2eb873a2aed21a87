/* test-preferences.c — the fax and scanner folder chosen in Preferences is
 * watched while someone is signed in: a PDF dropped into it appears in the
 * Inbox; a missing folder says so; locking stops the watching; a server
 * profile's own folder wins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "rd-application.h"
#include "rd-fax-synth.h"
#include "rd-inbox-view.h"
#include "rd-preferences-window.h"
#include "rd-profile.h"
#include "rd-test-ui.h"
#include "rd-test-util.h"
#include "rd-window-private.h"

static RdApplication *app;
static char *dbname;

static gboolean
seed_database (void)
{
  g_autofree char *tool = g_build_filename (g_getenv ("RD_BUILD_ROOT"), "src", "admin", "referral-desk-admin", NULL);
  g_autofree char *conninfo = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  dbname = rd_test_pg_create_database ();
  if (dbname == NULL)
    return FALSE;

  conninfo = rd_test_pg_conninfo (dbname, NULL);
  {
    const char *argv[] = { tool, "init-db", "--db", conninfo, NULL };
    g_autofree char *err = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("init-db failed: %s", err);
  }
  {
    const char *argv[] = { tool, "seed-demo", "--db", conninfo, "--referrals", "20",
                           "--faxes", "2", "--seed", "11", NULL };
    g_autofree char *err = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err, &status, &error));
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
  gtk_editable_set_text (GTK_EDITABLE (rd_test_ui_find_by_id (page, "database_row")), dbname);
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
chooser_shown (gpointer data)
{
  return find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL;
}

typedef struct {
  RdSession     *session;
  RdInboxStatus  status;
} StatusWait;

static gboolean
status_is (gpointer data)
{
  StatusWait *w = data;

  return rd_session_get_inbox_status (w->session) == w->status;
}

static gboolean
status_title_is (GtkWidget  *prefs,
                 const char *title)
{
  GtkWidget *row = rd_test_ui_find_by_id (prefs, "status_row");

  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0;
}

typedef struct {
  RdInboxView *inbox;
  guint        n;
} InboxWait;

static gboolean
inbox_has (gpointer data)
{
  InboxWait *w = data;

  return rd_inbox_view_get_n_items (w->inbox) >= w->n;
}

static gboolean
inbox_loaded (gpointer data)
{
  return rd_inbox_view_get_n_items (RD_INBOX_VIEW (data)) > 0;
}

/* Writes as a fax server does: a hidden temporary name, then a rename. */
static void
drop_fax (const char *dir,
          const char *name,
          guint       seed,
          guint       pages)
{
  g_autoptr(GBytes) pdf = rd_fax_synth_generate (seed, pages);
  g_autofree char *tmp = g_build_filename (dir, ".incoming", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (tmp, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), NULL));
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
  g_test_message ("dropped a fax of %u pages, %zu bytes", pages, g_bytes_get_size (pdf));
}

/* The longest the main loop went without running a 2 ms timer: a figure
 * for the report, not a verdict (timings belong to benchmarks). */
typedef struct {
  gint64 last;
  gint64 max_gap;
} Stall;

static gboolean
on_stall_tick (gpointer data)
{
  Stall *stall = data;
  gint64 now = g_get_monotonic_time ();

  if (stall->last != 0)
    stall->max_gap = MAX (stall->max_gap, now - stall->last);
  stall->last = now;
  return G_SOURCE_CONTINUE;
}

static void
on_inbox_error (RdSession  *session,
                GParamSpec *pspec,
                guint      *lost_seen)
{
  const char *error = rd_session_get_inbox_error (session);

  if (error != NULL && strstr (error, "connection to the database was lost") != NULL)
    (*lost_seen)++;
}

typedef struct {
  RdSession *session;
  guint     *lost_seen;
} BackWait;

static gboolean
inbox_back (gpointer data)
{
  BackWait *w = data;

  return *w->lost_seen > 0 && rd_session_get_inbox_error (w->session) == NULL
         && rd_session_get_inbox_status (w->session) == RD_INBOX_STATUS_WATCHING;
}

typedef struct {
  RdSession *session;
  guint      n;
} ImportedWait;

static gboolean
imported_at_least (gpointer data)
{
  ImportedWait *w = data;

  return rd_session_get_inbox_imported_today (w->session) >= w->n;
}

/* "file-done" reaches the session just after the worker moved the file:
 * wait for the count, not only for the file in processed/. */
static void
wait_imported (RdSession *session,
               guint      n)
{
  ImportedWait w = { session, n };

  g_assert_true (rd_test_ui_wait_until (imported_at_least, &w, 30000));
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

static void
remove_tree (const char *dir)
{
  const char *subs[] = { "processed", "rejected", "", NULL };

  for (guint i = 0; subs[i] != NULL; i++)
    {
      g_autofree char *sub = g_build_filename (dir, subs[i], NULL);
      g_autoptr(GDir) d = g_dir_open (sub, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (sub, name, NULL);

          if (!g_file_test (path, G_FILE_TEST_IS_DIR))
            g_unlink (path);
        }
      if (*subs[i] != '\0')
        g_rmdir (sub);
    }
  g_rmdir (dir);
}

static void
test_folder (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = g_dir_make_tmp ("rd-fax-folder-XXXXXX", NULL);
  g_autofree char *other = g_dir_make_tmp ("rd-fax-other-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "not-mounted", NULL);
  g_autofree char *processed_1 = g_build_filename (dir, "processed", "fax-0001.pdf", NULL);
  g_autofree char *processed_2 = g_build_filename (dir, "processed", "fax-0002.pdf", NULL);
  g_autofree char *waiting_2 = g_build_filename (dir, "fax-0002.pdf", NULL);
  g_autoptr(GdkTexture) shot = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFile) missing_folder = NULL;
  g_autoptr(GFile) other_folder = NULL;
  RdWindow *window;
  RdSession *session;
  GtkWidget *prefs;
  GtkWidget *chooser;
  GtkWidget *inbox;
  GtkWidget *error_row;
  StatusWait wait;
  InboxWait inbox_wait;
  PageWait page_wait;
  guint before;

  if (dbname == NULL && !seed_database ())
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  g_settings_reset (settings, "inbox-folder");
  g_settings_reset (settings, "inbox-watch");
  g_settings_reset (settings, "profiles");
  g_settings_set_uint (settings, "inbox-settle-seconds", 1);

  window = rd_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (window), 10000));
  sign_in_as (window, "demo_maria");
  session = rd_window_get_session (window);
  wait.session = session;
  g_assert_cmpint (rd_session_get_inbox_status (session), ==, RD_INBOX_STATUS_OFF);

  inbox = rd_test_ui_find_by_type (rd_window_get_desk (window), RD_TYPE_INBOX_VIEW);
  g_signal_emit_by_name (rd_test_ui_find_by_id (rd_window_get_desk (window), "sidebar"), "inbox-selected");
  g_assert_true (rd_test_ui_wait_until (inbox_loaded, inbox, 20000));
  before = rd_inbox_view_get_n_items (RD_INBOX_VIEW (inbox));

  /* Ctrl+comma's action opens Preferences for this window's session. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = GTK_WIDGET (find_toplevel (RD_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (prefs);
  g_assert_true (rd_test_ui_wait_drawn (prefs, 10000));
  g_assert_true (status_title_is (prefs, "Not watching"));
  {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.preferences");

    g_assert_cmpstr (accels[0], ==, "<Control>comma");
  }

  /* A folder that is not there: a plain message, no crash, no watching. */
  missing_folder = g_file_new_for_path (missing);
  rd_preferences_window_set_folder (RD_PREFERENCES_WINDOW (prefs), missing_folder);
  wait.status = RD_INBOX_STATUS_FAILED;
  g_assert_true (rd_test_ui_wait_until (status_is, &wait, 10000));
  error_row = rd_test_ui_find_by_id (prefs, "error_row");
  g_assert_true (gtk_widget_get_visible (error_row));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)), "is not there"));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  rd_test_ui_spin (300);
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (prefs, "preferences-folder-missing");

  /* A file chosen instead of a folder. */
  {
    g_autofree char *plain = g_build_filename (dir, "notes.txt", NULL);
    g_autoptr(GFile) plain_file = g_file_new_for_path (plain);

    g_assert_true (g_file_set_contents (plain, "not a folder\n", -1, NULL));
    rd_preferences_window_set_folder (RD_PREFERENCES_WINDOW (prefs), plain_file);
    g_assert_true (rd_test_ui_wait_until (status_is, &wait, 10000));
    rd_test_ui_spin (100);
    g_assert_cmpint (rd_session_get_inbox_status (session), ==, RD_INBOX_STATUS_FAILED);
    g_assert_nonnull (strstr (rd_session_get_inbox_error (session), "is a file, not a folder"));
    g_unlink (plain);
  }

  /* The real folder, chosen with the file chooser. */
  gtk_widget_activate (rd_test_ui_find_by_id (prefs, "folder_choose_button"));
  g_assert_true (rd_test_ui_wait_until (chooser_shown, NULL, 10000));
  chooser = GTK_WIDGET (find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)), ==,
                   GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
  folder = g_file_new_for_path (dir);
  g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL));
  rd_test_ui_spin (300);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  rd_test_ui_spin (100);
  {
    g_autofree char *saved = g_settings_get_string (settings, "inbox-folder");

    g_assert_cmpstr (saved, ==, dir);
  }
  wait.status = RD_INBOX_STATUS_WATCHING;
  g_assert_true (rd_test_ui_wait_until (status_is, &wait, 20000));
  g_assert_cmpstr (rd_session_get_inbox_folder (session), ==, dir);
  g_assert_true (status_title_is (prefs, "Watching"));
  g_assert_false (gtk_widget_get_visible (error_row));

  /* A fax arrives: imported once, moved to processed/, shown in the Inbox. */
  {
    Stall stall = { 0, 0 };
    guint tick = g_timeout_add (2, on_stall_tick, &stall);

    drop_fax (dir, "fax-0001.pdf", 777001, 20);
    g_assert_true (rd_test_ui_wait_until (file_exists, processed_1, 30000));
    g_source_remove (tick);
    g_test_message ("longest main-loop stall while the folder's fax was taken: %.1f ms",
                    stall.max_gap / 1000.0);
  }
  inbox_wait.inbox = RD_INBOX_VIEW (inbox);
  inbox_wait.n = before + 1;
  g_assert_true (rd_test_ui_wait_until (inbox_has, &inbox_wait, 20000));
  wait_imported (session, 1);
  g_assert_cmpuint (rd_session_get_inbox_imported_today (session), ==, 1);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (rd_test_ui_find_by_id (prefs, "count_label"))), ==, "1");
  rd_test_ui_spin (300);
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (prefs, "preferences-watching");
  g_assert_true (rd_test_ui_texture_has_content (shot));
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (window), "preferences-inbox-after-fax");

  /* The database drops every connection of this person: the watcher says
   * so, then carries on by itself. */
  {
    g_autoptr(PGconn) admin = rd_test_pg_connect (dbname, NULL);
    g_autoptr(PGresult) res = NULL;
    guint lost_seen = 0;
    BackWait back = { session, &lost_seen };
    gulong handler = g_signal_connect (session, "notify::inbox-error", G_CALLBACK (on_inbox_error),
                                       &lost_seen);

    res = rd_test_pg_exec (admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE usename = 'demo_maria' AND datname = current_database()");
    g_assert_true (rd_test_ui_wait_until (inbox_back, &back, 30000));
    g_signal_handler_disconnect (session, handler);
  }

  /* Locked: nothing is imported for someone who is not there. */
  gtk_window_destroy (GTK_WINDOW (prefs));
  rd_window_lock (window);
  g_assert_cmpint (rd_session_get_inbox_status (session), ==, RD_INBOX_STATUS_OFF);
  drop_fax (dir, "fax-0002.pdf", 777002, 1);
  rd_test_ui_spin (2500);
  g_assert_true (g_file_test (waiting_2, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (rd_inbox_view_get_n_items (RD_INBOX_VIEW (inbox)), ==, before + 1);

  /* Unlocked (the test server trusts the socket): the waiting fax is taken. */
  page_wait.window = window;
  page_wait.page = "desk";
  g_signal_emit_by_name (rd_window_get_lock_screen (window), "unlock-requested", "any password");
  g_assert_true (rd_test_ui_wait_until (page_is, &page_wait, 20000));
  g_assert_true (rd_test_ui_wait_until (file_exists, processed_2, 30000));
  wait_imported (session, 2);
  g_assert_cmpuint (rd_session_get_inbox_imported_today (session), ==, 2);

  /* The server profile's own folder wins over the workstation's, and
   * survives signing in again from the form, which does not show it. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = GTK_WIDGET (find_toplevel (RD_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (prefs);
  g_assert_true (gtk_widget_get_visible (rd_test_ui_find_by_id (prefs, "profile_row")));
  other_folder = g_file_new_for_path (other);
  rd_preferences_window_set_profile_folder (RD_PREFERENCES_WINDOW (prefs), other_folder);
  wait.status = RD_INBOX_STATUS_WATCHING;
  g_assert_true (rd_test_ui_wait_until (status_is, &wait, 20000));
  g_assert_cmpstr (rd_session_get_inbox_folder (session), ==, other);
  rd_test_ui_spin (300);
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (prefs, "preferences-profile-folder");
  gtk_window_destroy (GTK_WINDOW (prefs));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  g_assert_cmpint (rd_session_get_inbox_status (session), ==, RD_INBOX_STATUS_OFF);
  sign_in_as (window, "demo_maria");
  g_assert_true (rd_test_ui_wait_until (status_is, &wait, 20000));
  g_assert_cmpstr (rd_session_get_inbox_folder (session), ==, other);
  {
    g_autoptr(GPtrArray) profiles = rd_profile_list_load (settings);

    g_assert_cmpuint (profiles->len, ==, 1);
    g_assert_cmpstr (rd_profile_get_inbox_folder (g_ptr_array_index (profiles, 0)), ==, other);
  }

  /* Watching turned off on this computer. */
  g_settings_set_boolean (settings, "inbox-watch", FALSE);
  g_assert_cmpint (rd_session_get_inbox_status (session), ==, RD_INBOX_STATUS_OFF);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "inbox-folder");
  g_settings_reset (settings, "inbox-watch");
  g_settings_reset (settings, "profiles");
  g_settings_reset (settings, "inbox-settle-seconds");
  remove_tree (dir);
  remove_tree (other);
}

static gboolean
run_quietly (const char * const *argv)
{
  int status = 0;

  return g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                       | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL)
         && g_spawn_check_wait_status (status, NULL);
}

/* The folder on a share: a FUSE mount of another folder (bindfs) stands for
 * a network drive, whose server-side writes this computer is never told of. */
static void
test_network_share (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *bindfs = g_find_program_in_path ("bindfs");
  g_autofree char *server = NULL;
  g_autofree char *share = NULL;
  g_autofree char *taken_a = NULL;
  g_autofree char *taken_b = NULL;
  g_autofree char *waiting_a = NULL;
  RdWindow *window;
  RdSession *session;
  StatusWait wait;

  if (bindfs == NULL || geteuid () != 0 || !g_file_test ("/dev/fuse", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("a network share is stood in for by bindfs over FUSE, as root; not available here");
      return;
    }
  if (dbname == NULL && !seed_database ())
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  server = g_dir_make_tmp ("rd-fax-server-XXXXXX", NULL);
  share = g_dir_make_tmp ("rd-fax-share-XXXXXX", NULL);
  {
    const char *argv[] = { bindfs, server, share, NULL };

    if (!run_quietly (argv))
      {
        g_rmdir (server);
        g_rmdir (share);
        g_test_skip ("bindfs could not mount here");
        return;
      }
  }
  taken_a = g_build_filename (server, "processed", "share-a.pdf", NULL);
  taken_b = g_build_filename (server, "processed", "share-b.pdf", NULL);
  waiting_a = g_build_filename (server, "share-a.pdf", NULL);

  g_settings_set_uint (settings, "inbox-settle-seconds", 1);
  g_settings_set_uint (settings, "inbox-rescan-seconds", 0);
  g_settings_set_string (settings, "inbox-folder", share);
  window = rd_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (window), 10000));
  sign_in_as (window, "demo_maria");
  session = rd_window_get_session (window);
  wait.session = session;
  wait.status = RD_INBOX_STATUS_WATCHING;
  g_assert_true (rd_test_ui_wait_until (status_is, &wait, 20000));

  /* Written on the server: with change notices alone, nothing happens. */
  drop_fax (server, "share-a.pdf", 778001, 1);
  rd_test_ui_spin (4000);
  g_assert_true (g_file_test (waiting_a, G_FILE_TEST_IS_REGULAR));

  /* Listing the folder every second finds it, and the next one too. */
  g_settings_set_uint (settings, "inbox-rescan-seconds", 1);
  g_assert_true (rd_test_ui_wait_until (file_exists, taken_a, 30000));
  rd_test_ui_spin (1500);
  drop_fax (server, "share-b.pdf", 778002, 1);
  g_assert_true (rd_test_ui_wait_until (file_exists, taken_b, 30000));
  wait_imported (session, 2);
  g_assert_cmpuint (rd_session_get_inbox_imported_today (session), >=, 2);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  {
    const char *argv[] = { "fusermount", "-u", share, NULL };

    g_assert_true (run_quietly (argv));
  }
  g_settings_reset (settings, "inbox-folder");
  g_settings_reset (settings, "inbox-settle-seconds");
  g_settings_reset (settings, "inbox-rescan-seconds");
  remove_tree (server);
  g_rmdir (share);
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

  g_test_add_func ("/ui/preferences/fax-folder", test_folder);
  g_test_add_func ("/ui/preferences/network-share", test_network_share);

  status = g_test_run ();
  g_clear_object (&app);
  g_free (dbname);
  return status;
}
