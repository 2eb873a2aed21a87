/* test-credentials.c — passwords in a real gnome-keyring, and no keyring at all
 *
 * Needs a session bus with a Secret Service (./dev env starts gnome-keyring on a
 * private bus with HOME in a temporary folder); skips without one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "rd-credentials.h"
#include "rd-test-util.h"

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
store_password (RdProfile   *profile,
                const char  *password,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rd_credentials_store_async (profile, password, NULL, store_result, &result);
  return rd_credentials_store_finish (wait_result (&result), error);
}

static char *
lookup_password (RdProfile  *profile,
                 GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  char *password;
  char *copy;

  rd_credentials_lookup_async (profile, NULL, store_result, &result);
  password = rd_credentials_lookup_finish (wait_result (&result), error);
  copy = g_strdup (password);
  rd_credentials_password_free (password);
  return copy;
}

static gboolean
forget_password (RdProfile  *profile,
                 gboolean   *out_removed,
                 GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rd_credentials_forget_async (profile, NULL, store_result, &result);
  return rd_credentials_forget_finish (wait_result (&result), out_removed, error);
}

static char *
make_password (void)
{
  return g_strdup_printf ("rd-test-%08x%08x-secret", g_random_int (), g_random_int ());
}

static RdProfile *
make_profile (const char *user)
{
  const char *hosts[] = { "db1.clinic.example", "db2.clinic.example", NULL };
  RdProfile *profile = rd_profile_new ("Main clinic");

  rd_profile_set_hosts (profile, hosts);
  rd_profile_set_port (profile, 5433);
  rd_profile_set_user (profile, user);
  return profile;
}

/* Every regular file below @dir whose bytes contain @needle, as paths. */
static void
find_files_containing (const char *dir,
                       const char *needle,
                       GPtrArray  *found)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);

  for (const char *name; d != NULL && (name = g_dir_read_name (d)) != NULL;)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      struct stat st;
      gsize len;

      if (g_lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        find_files_containing (path, needle, found);
      else if (S_ISREG (st.st_mode) && st.st_size < 64 * 1024 * 1024
               && g_file_get_contents (path, &contents, &len, NULL)
               && memmem (contents, len, needle, strlen (needle)) != NULL)
        g_ptr_array_add (found, g_steal_pointer (&path));
    }
}

static void
assert_no_file_contains (const char *needle)
{
  const char *roots[] = {
    g_get_home_dir (), g_get_user_data_dir (), g_get_user_config_dir (),
    g_get_user_cache_dir (), g_get_user_runtime_dir (),
    g_getenv ("RD_TEST_KEYRING_DIR"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (roots) && roots[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

      find_files_containing (roots[i], needle, found);
      for (guint j = 0; j < found->len; j++)
        g_test_message ("password found in %s", (char *) g_ptr_array_index (found, j));
      g_assert_cmpuint (found->len, ==, 0);
    }
}

/* The search itself must be able to fail, or the checks above prove nothing. */
static void
test_grep_finds_planted_file (void)
{
  g_autofree char *password = make_password ();
  g_autofree char *dir = g_build_filename (g_get_home_dir (), "rd-grep-check", NULL);
  g_autofree char *file = g_build_filename (dir, "note.txt", NULL);
  g_autofree char *contents = g_strdup_printf ("prefix %s suffix", password);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_assert_true (g_file_set_contents (file, contents, -1, NULL));
  find_files_containing (g_get_home_dir (), password, found);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (found, 0), ==, file);
  g_unlink (file);
  g_rmdir (dir);
}

static gboolean
secret_service_running (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    return FALSE;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, 5000,
                                       NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  return has_owner;
}

/* The keyring items of our schema that match @profile, straight from the service. */
static GList *
find_items (RdProfile *profile)
{
  g_autoptr(GHashTable) attributes = rd_credentials_dup_attributes (profile);
  g_autoptr(GError) error = NULL;
  GList *items;

  items = secret_service_search_sync (NULL, rd_credentials_get_schema (), attributes,
                                      SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK, NULL, &error);
  g_assert_no_error (error);
  return items;
}

static void
test_store_lookup_replace_forget (void)
{
  g_autoptr(RdProfile) profile = make_profile ("maria");
  g_autoptr(RdProfile) other_user = make_profile ("tomas");
  g_autoptr(GError) error = NULL;
  g_autofree char *first = make_password ();
  g_autofree char *second = make_password ();
  g_autofree char *found = NULL;
  GList *items;
  gboolean removed = FALSE;

  if (!secret_service_running ())
    {
      g_test_skip ("no Secret Service on the session bus (run through ./dev env or ./dev test)");
      return;
    }

  /* Nothing stored yet: no password and no error. */
  forget_password (profile, NULL, NULL);
  found = lookup_password (profile, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  g_assert_true (store_password (profile, first, &error));
  g_assert_no_error (error);
  found = lookup_password (profile, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, first);
  g_clear_pointer (&found, g_free);

  /* The item: our schema, the profile's attributes, the password nowhere but the secret. */
  items = find_items (profile);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  {
    SecretItem *item = items->data;
    g_autoptr(GHashTable) attributes = secret_item_get_attributes (item);
    g_autofree char *label = secret_item_get_label (item);
    GHashTableIter iter;
    const char *key, *value;

    g_assert_cmpstr (g_hash_table_lookup (attributes, "xdg:schema"), ==,
                     BASE_APP_ID ".Password");
    g_assert_cmpstr (g_hash_table_lookup (attributes, "profile"), ==, "Main clinic");
    g_assert_cmpstr (g_hash_table_lookup (attributes, "host"), ==,
                     "db1.clinic.example,db2.clinic.example");
    g_assert_cmpstr (g_hash_table_lookup (attributes, "port"), ==, "5433");
    g_assert_cmpstr (g_hash_table_lookup (attributes, "database"), ==, "referral_desk");
    g_assert_cmpstr (g_hash_table_lookup (attributes, "user"), ==, "maria");
    g_hash_table_iter_init (&iter, attributes);
    while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &value))
      g_assert_null (strstr (value, first));
    g_assert_null (strstr (label, first));
  }
  g_list_free_full (items, g_object_unref);

  /* Another user of the same server has no password. */
  found = lookup_password (other_user, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  /* Replace: one item, the new password. */
  g_assert_true (store_password (profile, second, &error));
  g_assert_no_error (error);
  found = lookup_password (profile, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, second);
  g_clear_pointer (&found, g_free);
  items = find_items (profile);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  g_list_free_full (items, g_object_unref);

  /* The keyring's own file is encrypted: no file under HOME has either password. */
  assert_no_file_contains (first);
  assert_no_file_contains (second);

  /* Forget. */
  g_assert_true (forget_password (profile, &removed, &error));
  g_assert_no_error (error);
  g_assert_true (removed);
  found = lookup_password (profile, &error);
  g_assert_no_error (error);
  g_assert_null (found);
  g_assert_true (forget_password (profile, &removed, &error));
  g_assert_no_error (error);
  g_assert_false (removed);
}

static gboolean
forget_profile (const char  *name,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rd_credentials_forget_profile_async (name, NULL, store_result, &result);
  return rd_credentials_forget_profile_finish (wait_result (&result), error);
}

/* Deleting a profile removes its passwords for every user and server it had,
 * and nothing of another profile. */
static void
test_forget_profile (void)
{
  g_autoptr(RdProfile) maria = make_profile ("maria");
  g_autoptr(RdProfile) tomas = make_profile ("tomas");
  g_autoptr(RdProfile) other = make_profile ("maria");
  g_autoptr(GError) error = NULL;
  g_autofree char *password = make_password ();
  g_autofree char *found = NULL;

  if (!secret_service_running ())
    {
      g_test_skip ("no Secret Service on the session bus (run through ./dev env or ./dev test)");
      return;
    }

  rd_profile_set_name (other, "Satellite office");
  g_assert_true (store_password (maria, password, &error));
  g_assert_true (store_password (tomas, password, &error));
  g_assert_true (store_password (other, password, &error));
  g_assert_no_error (error);

  g_assert_true (forget_profile ("Main clinic", &error));
  g_assert_no_error (error);

  found = lookup_password (maria, &error);
  g_assert_no_error (error);
  g_assert_null (found);
  found = lookup_password (tomas, &error);
  g_assert_no_error (error);
  g_assert_null (found);
  found = lookup_password (other, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, password);
  g_clear_pointer (&found, g_free);

  g_assert_true (forget_profile ("Satellite office", &error));
  g_assert_no_error (error);
}

/* Runs in a child process whose session bus has no Secret Service. */
static void
check_unavailable (void)
{
  g_autoptr(RdProfile) profile = make_profile ("maria");
  g_autoptr(GError) error = NULL;
  g_autofree char *password = make_password ();
  g_autofree char *found = NULL;

  g_assert_false (store_password (profile, password, &error));
  g_assert_error (error, RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_UNAVAILABLE);
  /* The message says what it means for the person. */
  g_assert_nonnull (strstr (error->message, "each time"));
  g_clear_error (&error);

  found = lookup_password (profile, &error);
  g_assert_error (error, RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_UNAVAILABLE);
  g_assert_null (found);
  g_clear_error (&error);

  g_assert_false (forget_password (profile, NULL, &error));
  g_assert_error (error, RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  /* Nothing fell back to a file. */
  assert_no_file_contains (password);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
start_bare_bus (char **out_address)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  GSubprocess *daemon;
  int fd;

  /* A session bus with no service directories: nothing can be activated, so
   * there is no Secret Service on it. */
  config = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus "
                            "Configuration 1.0//EN\" "
                            "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                            "<busconfig><type>session</type>"
                            "<listen>unix:tmpdir=%s</listen><auth>EXTERNAL</auth>"
                            "<policy context=\"default\">"
                            "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
                            "<allow eavesdrop=\"true\"/><allow own=\"*\"/>"
                            "</policy></busconfig>\n",
                            g_get_tmp_dir ());
  fd = g_file_open_tmp ("rd-bus-XXXXXX.conf", &config_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (config_path, config, -1, &error));

  /* The bus dies with the test, even when an assertion aborts it. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  daemon = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork",
                                        "--print-address=1", "--config-file", config_path,
                                        NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_unlink (config_path);

  *out_address = g_strdup (g_strstrip (line));
  return daemon;
}

static void
run_child_on_bus (const char *address)
{
  g_autofree char *saved = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (saved != NULL)
    g_setenv ("DBUS_SESSION_BUS_ADDRESS", saved, TRUE);
  else
    g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_test_trap_assert_passed ();
}

static void
test_unavailable_bare_bus (void)
{
  g_autoptr(GSubprocess) daemon = NULL;
  g_autofree char *address = NULL;
  g_autofree char *dbus_daemon = NULL;

  if (g_test_subprocess ())
    {
      check_unavailable ();
      return;
    }

  dbus_daemon = g_find_program_in_path ("dbus-daemon");
  if (dbus_daemon == NULL)
    {
      g_test_skip ("dbus-daemon is not installed");
      return;
    }

  daemon = start_bare_bus (&address);
  run_child_on_bus (address);
  g_subprocess_force_exit (daemon);
  g_subprocess_wait (daemon, NULL, NULL);
}

/* Runs in a child process on a bus whose keyring the test locks. */
static void
check_locked (void)
{
  g_autoptr(RdProfile) profile = make_profile ("maria");
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autofree char *password = make_password ();
  g_autofree char *found = NULL;
  GList *to_lock;
  int locked;

  g_assert_true (store_password (profile, password, &error));
  g_assert_no_error (error);
  found = lookup_password (profile, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, password);
  g_clear_pointer (&found, g_free);

  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  to_lock = g_list_append (NULL, collection);
  locked = secret_service_lock_sync (service, to_lock, NULL, NULL, &error);
  g_list_free (to_lock);
  g_assert_no_error (error);
  g_assert_cmpint (locked, ==, 1);

  /* No one can answer the unlock prompt on this bus: as if the person declined. */
  found = lookup_password (profile, &error);
  g_assert_error (error, RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_LOCKED);
  g_assert_null (found);
  g_clear_error (&error);

  g_assert_false (store_password (profile, password, &error));
  g_assert_error (error, RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_LOCKED);
  g_clear_error (&error);

  assert_no_file_contains (password);
}

static gboolean
bus_name_has_owner (const char *address,
                    const char *name)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, NULL);
  if (bus == NULL)
    return FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  g_dbus_connection_close_sync (bus, NULL, NULL);
  return has_owner;
}

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                NULL, NULL);
}

/* A keyring of its own on a bus of its own, so locking it disturbs no one. */
static void
test_locked (void)
{
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GSubprocess) keyring = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *dbus_daemon = NULL;
  g_autofree char *keyring_daemon = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *home = NULL;
  g_autofree char *data = NULL;
  g_autofree char *run = NULL;
  g_autofree char *control = NULL;
  g_autofree char *saved_asan = NULL;
  g_autofree char *child_asan = NULL;
  GOutputStream *in;

  if (g_test_subprocess ())
    {
      check_locked ();
      return;
    }

  dbus_daemon = g_find_program_in_path ("dbus-daemon");
  keyring_daemon = g_find_program_in_path ("gnome-keyring-daemon");
  if (dbus_daemon == NULL || keyring_daemon == NULL)
    {
      g_test_skip ("dbus-daemon or gnome-keyring-daemon is not installed");
      return;
    }

  daemon = start_bare_bus (&address);

  dir = g_dir_make_tmp ("rd-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  home = g_build_filename (dir, "home", NULL);
  data = g_build_filename (home, ".local", "share", NULL);
  run = g_build_filename (dir, "run", NULL);
  control = g_build_filename (run, "keyring", NULL);
  g_assert_no_errno (g_mkdir_with_parents (data, 0700));
  g_assert_no_errno (g_mkdir_with_parents (run, 0700));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", run, TRUE);
  {
    g_autofree char *control_opt = g_strdup_printf ("--control-directory=%s", control);

    keyring = g_subprocess_launcher_spawn (launcher, &error, keyring_daemon, "--foreground",
                                           "--unlock", "--components=secrets", control_opt,
                                           NULL);
  }
  g_assert_no_error (error);
  /* A non-empty password: an empty one makes the daemon ask through a prompt. */
  in = g_subprocess_get_stdin_pipe (keyring);
  g_assert_true (g_output_stream_write_all (in, "rd-test-keyring", 15, NULL, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (in, NULL, NULL);

  for (guint i = 0; i < 100 && !bus_name_has_owner (address, "org.freedesktop.secrets"); i++)
    g_usleep (100 * 1000);
  g_assert_true (bus_name_has_owner (address, "org.freedesktop.secrets"));

  /* libsecret 0.20.5 leaks a D-Bus reply and a closure when an unlock prompt
   * fails (LeakSanitizer with full stacks shows only libsecret and GDBus
   * frames); leak checking is off for this one child, not for our code
   * elsewhere. */
  saved_asan = g_strdup (g_getenv ("ASAN_OPTIONS"));
  child_asan = g_strconcat (saved_asan != NULL ? saved_asan : "", saved_asan != NULL ? ":" : "",
                            "detect_leaks=0", NULL);
  g_setenv ("ASAN_OPTIONS", child_asan, TRUE);
  g_setenv ("RD_TEST_KEYRING_DIR", dir, TRUE);
  run_child_on_bus (address);
  g_unsetenv ("RD_TEST_KEYRING_DIR");
  if (saved_asan != NULL)
    g_setenv ("ASAN_OPTIONS", saved_asan, TRUE);
  else
    g_unsetenv ("ASAN_OPTIONS");

  g_subprocess_force_exit (keyring);
  g_subprocess_wait (keyring, NULL, NULL);
  g_subprocess_force_exit (daemon);
  g_subprocess_wait (daemon, NULL, NULL);
  remove_tree (dir);
}

static void
test_unavailable_no_bus (void)
{
  g_autofree char *address = NULL;

  if (g_test_subprocess ())
    {
      check_unavailable ();
      return;
    }

  address = g_strdup_printf ("unix:path=%s/rd-no-such-bus-%u", g_get_tmp_dir (), g_random_int ());
  run_child_on_bus (address);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/credentials/grep-finds-planted-file", test_grep_finds_planted_file);
  g_test_add_func ("/store/credentials/store-lookup-replace-forget",
                   test_store_lookup_replace_forget);
  g_test_add_func ("/store/credentials/forget-profile", test_forget_profile);
  g_test_add_func ("/store/credentials/locked", test_locked);
  g_test_add_func ("/store/credentials/unavailable/bare-bus", test_unavailable_bare_bus);
  g_test_add_func ("/store/credentials/unavailable/no-bus", test_unavailable_no_bus);

  status = g_test_run ();

  /* Let messages already queued for the (now unused) service proxy be
   * dispatched and freed, then drop the cached service. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  secret_service_disconnect ();
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return status;
}
