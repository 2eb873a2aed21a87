/* test-local-cluster.c — the private cluster: create, reuse, share, stop, recover
 *
 * Runs real PostgreSQL server programs in directories of its own
 * ($XDG_DATA_HOME and $XDG_RUNTIME_DIR point into a temporary folder). As root
 * the server runs as the postgres account, as the application does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "rd-init-db.h"
#include "rd-local-cluster.h"
#include "rd-store-error.h"
#include "rd-test-util.h"

static char *test_root;

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
start_cluster (RdLocalCluster             *cluster,
               RdLocalClusterStartResult  *out_result,
               GError                    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rd_local_cluster_start_async (cluster, NULL, store_result, &result);
  return rd_local_cluster_start_finish (cluster, wait_result (&result), out_result, error);
}

static gboolean
stop_cluster (RdLocalCluster  *cluster,
              gboolean        *out_stopped,
              GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rd_local_cluster_stop_async (cluster, NULL, store_result, &result);
  return rd_local_cluster_stop_finish (cluster, wait_result (&result), out_stopped, error);
}

static gboolean
server_programs_available (void)
{
  const char *bin = g_getenv ("RD_TEST_PGBIN");
  g_autofree char *initdb = g_build_filename (bin != NULL ? bin : PG_BINDIR, "initdb", NULL);

  return g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE);
}

static char *
admin_conninfo (RdLocalCluster *cluster)
{
  return g_strdup_printf ("host='%s' port=%u dbname=postgres user='%s'",
                          rd_local_cluster_get_socket_dir (cluster),
                          rd_local_cluster_get_port (cluster),
                          rd_local_cluster_get_user (cluster));
}

static int
postmaster_pid (RdLocalCluster *cluster)
{
  g_autofree char *path = g_build_filename (rd_local_cluster_get_data_dir (cluster),
                                            "postmaster.pid", NULL);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  return atoi (contents);
}

/* Gone, or a zombie nobody has reaped yet. */
static gboolean
process_gone (int pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *close_paren;

  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return TRUE;
  close_paren = strrchr (stat, ')');
  return close_paren != NULL && close_paren[1] == ' ' && close_paren[2] == 'Z';
}

static void
assert_usable (RdLocalCluster *cluster)
{
  g_autofree char *conninfo = rd_local_cluster_get_conninfo (cluster);
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  g_autoptr(PGresult) res = NULL;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, "SELECT current_user, current_database(), "
                      "current_setting('listen_addresses'), "
                      "current_setting('unix_socket_permissions'), "
                      "to_regclass('rd.referral') IS NOT NULL, "
                      "pg_has_role('rd_admin', 'USAGE')");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  /* The role is named after the system user: peer authentication, no password. */
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, g_get_user_name ());
  g_assert_cmpstr (PQgetvalue (res, 0, 1), ==, RD_LOCAL_CLUSTER_DATABASE);
  /* No TCP at all. */
  g_assert_cmpstr (PQgetvalue (res, 0, 2), ==, "");
  g_assert_cmpstr (PQgetvalue (res, 0, 3), ==, "0700");
  /* init-db ran: the schema and the group roles exist. */
  g_assert_cmpstr (PQgetvalue (res, 0, 4), ==, "t");
  g_assert_cmpstr (PQgetvalue (res, 0, 5), ==, "t");
}

static void
assert_not_answering (RdLocalCluster *cluster)
{
  g_autofree char *conninfo = admin_conninfo (cluster);

  g_assert_cmpint (PQping (conninfo), ==, PQPING_NO_RESPONSE);
}

static ConnStatusType
connect_as (RdLocalCluster *cluster,
            const char     *user,
            const char     *password)
{
  g_autofree char *port = g_strdup_printf ("%u", rd_local_cluster_get_port (cluster));
  const char *keys[] = { "host", "port", "dbname", "user", "password", NULL };
  const char *values[] = { rd_local_cluster_get_socket_dir (cluster), port,
                           RD_LOCAL_CLUSTER_DATABASE, user, password, NULL };
  g_autoptr(PGconn) conn = PQconnectdbParams (keys, values, FALSE);

  return PQstatus (conn);
}

/* The owner signs in by peer authentication; a staff login, as the person
 * works, only with its password. */
static void
assert_staff_sign_in (RdLocalCluster *cluster)
{
  g_autofree char *conninfo = rd_local_cluster_get_conninfo (cluster);
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  ok = rd_init_db_add_staff (conn, "lc_staff", "Test Staff", RD_STAFF_ROLE_SPECIALIST,
                             NULL, "correct horse battery", &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  g_assert_cmpint (connect_as (cluster, "lc_staff", "correct horse battery"), ==,
                   CONNECTION_OK);
  g_assert_cmpint (connect_as (cluster, "lc_staff", "wrong horse"), ==, CONNECTION_BAD);
  g_assert_cmpint (connect_as (cluster, "lc_staff", NULL), ==, CONNECTION_BAD);
}

static void
test_missing_server (void)
{
  g_autofree char *empty = g_build_filename (test_root, "no-bin", NULL);
  g_autofree char *data = g_build_filename (test_root, "missing", "db", NULL);
  g_autoptr(RdLocalCluster) cluster = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (g_mkdir_with_parents (empty, 0755));
  cluster = g_object_new (RD_TYPE_LOCAL_CLUSTER, "bindir", empty, "data-dir", data, NULL);

  g_assert_false (start_cluster (cluster, NULL, &error));
  g_assert_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_SERVER_MISSING);
  /* The message names what to install. */
  g_assert_nonnull (strstr (error->message, "“postgresql”"));
  g_assert_false (rd_local_cluster_get_running (cluster));
  g_assert_false (g_file_test (data, G_FILE_TEST_EXISTS));
}

/* A socket path longer than a unix socket address can hold is refused up
 * front, with the folder named, before anything is created for the cluster. */
static void
test_socket_path_too_long (void)
{
  g_autofree char *data = g_build_filename (test_root, "long", "db", NULL);
  g_autofree char *version_file = g_build_filename (data, "PG_VERSION", NULL);
  g_autofree char *long_name = g_strnfill (120, 's');
  g_autofree char *socket_dir = g_build_filename (test_root, long_name, NULL);
  g_autoptr(RdLocalCluster) cluster = NULL;
  g_autoptr(GError) error = NULL;

  if (!server_programs_available ())
    {
      g_test_skip ("the PostgreSQL server programs are not installed");
      return;
    }

  cluster = g_object_new (RD_TYPE_LOCAL_CLUSTER, "data-dir", data, "socket-dir", socket_dir,
                          NULL);
  g_assert_false (start_cluster (cluster, NULL, &error));
  g_assert_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_DIRECTORY);
  g_assert_nonnull (strstr (error->message, socket_dir));
  g_assert_false (g_file_test (version_file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (socket_dir, G_FILE_TEST_EXISTS));
}

/* A recycled PID: the crash-left postmaster.pid (and socket lock) names a live
 * process that is not a postmaster. PostgreSQL alone refuses to start then. */
static GSubprocess *
plant_foreign_lock (RdLocalCluster *cluster)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *sleeper;
  g_autofree char *pid_path = NULL;
  g_autofree char *sock_lock = NULL;
  g_autofree char *contents = NULL;
  int pid;

  sleeper = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "300", NULL);
  g_assert_no_error (error);
  pid = atoi (g_subprocess_get_identifier (sleeper));

  pid_path = g_build_filename (rd_local_cluster_get_data_dir (cluster), "postmaster.pid", NULL);
  contents = g_strdup_printf ("%d\n%s\n%ld\n%u\n%s\n\n  5432001    98304\nready   \n",
                              pid, rd_local_cluster_get_data_dir (cluster),
                              (long) (g_get_real_time () / G_USEC_PER_SEC),
                              rd_local_cluster_get_port (cluster),
                              rd_local_cluster_get_socket_dir (cluster));
  g_assert_true (g_file_set_contents_full (pid_path, contents, -1, G_FILE_SET_CONTENTS_NONE,
                                           0600, &error));
  g_assert_no_error (error);

  sock_lock = g_strdup_printf ("%s/.s.PGSQL.%u.lock", rd_local_cluster_get_socket_dir (cluster),
                               rd_local_cluster_get_port (cluster));
  g_assert_true (g_file_set_contents_full (sock_lock, contents, -1, G_FILE_SET_CONTENTS_NONE,
                                           0600, &error));
  g_assert_no_error (error);

  if (geteuid () == 0)
    {
      struct stat st;

      /* The files of a real postmaster belong to the postgres account. */
      g_assert_no_errno (g_stat (rd_local_cluster_get_data_dir (cluster), &st));
      g_assert_no_errno (chown (pid_path, st.st_uid, st.st_gid));
      g_assert_no_errno (chown (sock_lock, st.st_uid, st.st_gid));
    }

  return sleeper;
}

static void
test_lifecycle (void)
{
  g_autoptr(RdLocalCluster) first = NULL;
  g_autoptr(RdLocalCluster) second = NULL;
  g_autoptr(RdLocalCluster) third = NULL;
  g_autoptr(RdLocalCluster) fourth = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) sleeper = NULL;
  g_autofree char *expected_data = NULL;
  g_autofree char *expected_socket = NULL;
  g_autofree char *version_file = NULL;
  RdLocalClusterStartResult result = 0;
  gboolean stopped = FALSE;
  int pid;

  if (!server_programs_available ())
    {
      g_test_skip ("the PostgreSQL server programs are not installed");
      return;
    }

  /* First start: creates the cluster in the user's data directory and starts it. */
  first = rd_local_cluster_new ();
  g_assert_true (start_cluster (first, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, RD_LOCAL_CLUSTER_CREATED | RD_LOCAL_CLUSTER_STARTED);
  g_assert_true (rd_local_cluster_get_running (first));

  expected_data = g_build_filename (test_root, "data", "referral-desk", "db", NULL);
  g_assert_cmpstr (rd_local_cluster_get_data_dir (first), ==, expected_data);
  if (geteuid () == 0)
    expected_socket = g_build_filename (test_root, "data", "referral-desk", "run", NULL);
  else
    expected_socket = g_build_filename (test_root, "run", "referral-desk", NULL);
  g_assert_cmpstr (rd_local_cluster_get_socket_dir (first), ==, expected_socket);
  version_file = g_build_filename (expected_data, "PG_VERSION", NULL);
  g_assert_true (g_file_test (version_file, G_FILE_TEST_IS_REGULAR));
  assert_usable (first);
  assert_staff_sign_in (first);
  pid = postmaster_pid (first);
  g_assert_cmpint (pid, >, 0);

  /* Second instance: joins the running server. */
  second = rd_local_cluster_new ();
  g_assert_true (start_cluster (second, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, RD_LOCAL_CLUSTER_REUSED);
  g_assert_cmpint (postmaster_pid (second), ==, pid);
  assert_usable (second);

  /* The first to leave leaves the server to the other … */
  g_assert_true (stop_cluster (first, &stopped, &error));
  g_assert_no_error (error);
  g_assert_false (stopped);
  g_assert_false (rd_local_cluster_get_running (first));
  assert_usable (second);

  /* … and the last one stops it. */
  g_assert_true (stop_cluster (second, &stopped, &error));
  g_assert_no_error (error);
  g_assert_true (stopped);
  assert_not_answering (second);
  g_assert_cmpint (postmaster_pid (second), ==, 0);

  /* Start again: no initdb this time, the same data. */
  third = rd_local_cluster_new ();
  g_assert_true (start_cluster (third, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, RD_LOCAL_CLUSTER_STARTED);
  assert_usable (third);

  /* A crash: the server is killed and leaves postmaster.pid behind; so does the
   * application (its share lock goes with the object here). */
  pid = postmaster_pid (third);
  g_assert_cmpint (pid, >, 0);
  g_assert_no_errno (kill (pid, SIGKILL));
  g_clear_object (&third);
  for (guint i = 0; i < 100 && !process_gone (pid); i++)
    g_usleep (50 * 1000);
  g_assert_true (process_gone (pid));
  g_assert_cmpint (postmaster_pid (first), ==, pid);

  fourth = rd_local_cluster_new ();
  g_assert_true (start_cluster (fourth, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, RD_LOCAL_CLUSTER_STARTED | RD_LOCAL_CLUSTER_RECOVERED);
  g_assert_cmpint (postmaster_pid (fourth), !=, pid);
  assert_usable (fourth);
  g_assert_true (stop_cluster (fourth, &stopped, &error));
  g_assert_no_error (error);
  g_assert_true (stopped);

  /* A crash-left lock whose PID now belongs to another live process. */
  sleeper = plant_foreign_lock (fourth);
  g_assert_true (start_cluster (fourth, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, RD_LOCAL_CLUSTER_STARTED | RD_LOCAL_CLUSTER_RECOVERED);
  g_assert_cmpstr (g_subprocess_get_identifier (sleeper), !=, NULL);
  g_assert_cmpint (postmaster_pid (fourth), !=, atoi (g_subprocess_get_identifier (sleeper)));
  assert_usable (fourth);
  g_subprocess_force_exit (sleeper);

  g_assert_true (stop_cluster (fourth, &stopped, &error));
  g_assert_no_error (error);
  g_assert_true (stopped);
  assert_not_answering (fourth);

  /* A database migrated by a newer Referral Desk: the start fails with that
   * reason and does not leave a server running that nobody would stop. */
  g_assert_true (start_cluster (fourth, &result, &error));
  g_assert_no_error (error);
  {
    g_autofree char *conninfo = rd_local_cluster_get_conninfo (fourth);
    g_autoptr(PGconn) conn = PQconnectdb (conninfo);
    g_autoptr(PGresult) res = NULL;

    g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
    res = PQexec (conn, "INSERT INTO rd.schema_version (version, name, checksum) "
                        "VALUES (9999, 'from a newer Referral Desk', 'x')");
    g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  }
  g_assert_true (stop_cluster (fourth, &stopped, &error));
  g_assert_no_error (error);
  g_assert_true (stopped);
  g_assert_false (start_cluster (fourth, &result, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA_TOO_NEW);
  g_clear_error (&error);
  g_assert_false (rd_local_cluster_get_running (fourth));
  assert_not_answering (fourth);
  g_assert_cmpint (postmaster_pid (fourth), ==, 0);

  /* Stopping what is not running is harmless and says so. */
  g_assert_true (stop_cluster (fourth, &stopped, &error));
  g_assert_no_error (error);
  g_assert_false (stopped);
}

/* Runs @argv and returns its exit status, with its output in @out_output. */
static int
run_command (const char * const  *argv,
             char               **out_output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out_output, NULL, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

/* The same lifecycle for an ordinary user: as root (CI, containers) a
 * throwaway system account runs a copy of this program. */
static void
test_ordinary_user (void)
{
  g_autofree char *useradd = g_find_program_in_path ("useradd");
  g_autofree char *userdel = g_find_program_in_path ("userdel");
  g_autofree char *runuser = g_find_program_in_path ("runuser");
  g_autofree char *user = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *home = NULL;
  g_autofree char *home_env = NULL;
  g_autofree char *output = NULL;
  g_autofree char *ignored = NULL;
  g_autoptr(GFile) self_exe = NULL;
  g_autoptr(GFile) copy_file = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (geteuid () != 0)
    {
      g_test_skip ("already an ordinary user: /store/local-cluster/lifecycle covered it");
      return;
    }
  if (!server_programs_available ())
    {
      g_test_skip ("the PostgreSQL server programs are not installed");
      return;
    }
  if (useradd == NULL || userdel == NULL || runuser == NULL)
    {
      g_test_skip ("useradd, userdel or runuser is missing");
      return;
    }

  /* The build tree may sit below a folder the account cannot enter (/root). */
  dir = g_build_filename (test_root, "as-user", NULL);
  home = g_build_filename (dir, "home", NULL);
  g_assert_no_errno (g_mkdir_with_parents (home, 0755));
  copy = g_build_filename (dir, "test-local-cluster", NULL);
  self_exe = g_file_new_for_path ("/proc/self/exe");
  copy_file = g_file_new_for_path (copy);
  g_assert_true (g_file_copy (self_exe, copy_file, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (copy, 0755));

  user = g_strdup_printf ("rdtest%u", (guint) getpid ());
  {
    const char *argv[] = { useradd, "--system", "--no-create-home", "--home-dir", home,
                           "--shell", "/usr/sbin/nologin", user, NULL };
    status = run_command (argv, &ignored);
    g_assert_cmpint (status, ==, 0);
  }
  {
    const char *argv[] = { "chown", "-R", user, home, NULL };
    g_clear_pointer (&ignored, g_free);
    g_assert_cmpint (run_command (argv, &ignored), ==, 0);
  }

  home_env = g_strdup_printf ("HOME=%s", home);
  {
    /* LSan's suppressions may sit where the account cannot read them. */
    const char *argv[] = { runuser, "-u", user, "--", "env", "-u", "XDG_DATA_HOME",
                           "-u", "XDG_RUNTIME_DIR", "-u", "LSAN_OPTIONS", home_env,
                           copy, "--tap", "-p", "/store/local-cluster/lifecycle", NULL };
    status = run_command (argv, &output);
  }
  {
    const char *argv[] = { userdel, user, NULL };
    g_clear_pointer (&ignored, g_free);
    run_command (argv, &ignored);
  }

  g_test_message ("as %s:\n%s", user, output);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (output, "\nok 1 /store/local-cluster/lifecycle\n"));
}

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_home = NULL;
  g_autofree char *runtime = NULL;
  int status;

  /* Before GLib caches the XDG directories. A short path under /tmp keeps the
   * socket path short; mode 755 lets the postgres account in when we are root. */
  test_root = g_dir_make_tmp ("rd-lc-XXXXXX", NULL);
  g_assert_nonnull (test_root);
  g_chmod (test_root, 0755);
  data_home = g_build_filename (test_root, "data", NULL);
  runtime = g_build_filename (test_root, "run", NULL);
  g_mkdir (data_home, 0755);
  g_mkdir (runtime, 0700);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);

  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/local-cluster/missing-server", test_missing_server);
  g_test_add_func ("/store/local-cluster/socket-path-too-long", test_socket_path_too_long);
  g_test_add_func ("/store/local-cluster/lifecycle", test_lifecycle);
  g_test_add_func ("/store/local-cluster/ordinary-user", test_ordinary_user);

  status = g_test_run ();
  remove_tree (test_root);
  g_free (test_root);
  return status;
}
