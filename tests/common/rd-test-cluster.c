/* rd-test-cluster.c — a private PostgreSQL cluster for one test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <pwd.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "rd-test-cluster.h"
#include "rd-test-util.h"

struct _RdTestCluster
{
  char *dir;
  char *data;
  char *socket_dir;
  char *ca_file;
  int   port;
};

static const char *
pg_bindir (void)
{
  const char *env = g_getenv ("RD_TEST_PGBIN");

  return env ? env : PG_BINDIR;
}

/* initdb and postgres refuse to run as root: use the postgres account. */
static gboolean
run (const char * const *argv,
     GError            **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (getuid () == 0)
    {
      g_ptr_array_add (args, (gpointer) "runuser");
      g_ptr_array_add (args, (gpointer) "-u");
      g_ptr_array_add (args, (gpointer) "postgres");
      g_ptr_array_add (args, (gpointer) "--");
    }
  for (guint i = 0; argv[i]; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  if (!g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, &out, &err, &status, error))
    return FALSE;

  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: %s", argv[0], err);
      return FALSE;
    }

  return TRUE;
}

static void
give_to_postgres (const char *path)
{
  struct passwd *pw;

  if (getuid () != 0)
    return;

  pw = getpwnam ("postgres");
  g_assert_nonnull (pw);
  g_assert_cmpint (chown (path, pw->pw_uid, pw->pw_gid), ==, 0);
}

static void
make_certificate (RdTestCluster *c)
{
  g_autofree char *key = g_build_filename (c->data, "server.key", NULL);
  g_autofree char *crt = g_build_filename (c->data, "server.crt", NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
    "-subj", "/CN=localhost", "-keyout", key, "-out", crt, NULL
  };

  g_assert_true (run (argv, &error));
  g_assert_no_error (error);
  /* A self-signed certificate is its own CA; tests that want a failing
   * verification point the client at some other CA file instead. */
  c->ca_file = g_build_filename (c->dir, "server-ca.crt", NULL);
  {
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (crt, &contents, &len, NULL));
    g_assert_true (g_file_set_contents (c->ca_file, contents, len, NULL));
  }
}

RdTestCluster *
rd_test_cluster_start (RdTestClusterFlags flags)
{
  g_autofree char *initdb = g_build_filename (pg_bindir (), "initdb", NULL);
  g_autofree char *pg_ctl = g_build_filename (pg_bindir (), "pg_ctl", NULL);
  g_autofree char *hba_path = NULL;
  g_autofree char *log = NULL;
  g_autofree char *options = NULL;
  g_autoptr(GError) error = NULL;
  RdTestCluster *c;
  GString *hba;

  if (!g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("PostgreSQL server binaries not installed");
      return NULL;
    }

  c = g_new0 (RdTestCluster, 1);
  c->dir = g_dir_make_tmp ("rd-cluster-XXXXXX", &error);
  g_assert_no_error (error);
  g_chmod (c->dir, 0755);
  give_to_postgres (c->dir);
  c->data = g_build_filename (c->dir, "data", NULL);
  c->socket_dir = g_strdup (c->dir);
  c->port = 20000 + g_random_int_range (0, 20000);

  {
    const char *argv[] = { initdb, "-D", c->data, "-U", "rdtest", "-E", "UTF8",
                           "--locale=C.UTF-8", "--no-sync", "--auth=scram-sha-256",
                           "--auth-local=trust", NULL };
    g_assert_true (run (argv, &error));
    g_assert_no_error (error);
  }

  hba = g_string_new ("local all rdtest trust\n"
                      "local all all scram-sha-256\n");
  if (flags & RD_TEST_CLUSTER_TCP)
    g_string_append (hba, (flags & RD_TEST_CLUSTER_SSL)
                     ? "hostssl all all 127.0.0.1/32 scram-sha-256\n"
                     : "host all all 127.0.0.1/32 scram-sha-256\n");
  hba_path = g_build_filename (c->data, "pg_hba.conf", NULL);
  g_assert_true (g_file_set_contents (hba_path, hba->str, -1, NULL));
  g_string_free (hba, TRUE);
  give_to_postgres (hba_path);

  if (flags & RD_TEST_CLUSTER_SSL)
    make_certificate (c);

  options = g_strdup_printf ("-k %s -p %d -c listen_addresses=%s -c fsync=off %s",
                             c->socket_dir, c->port,
                             (flags & RD_TEST_CLUSTER_TCP) ? "127.0.0.1" : "''",
                             (flags & RD_TEST_CLUSTER_SSL) ? "-c ssl=on" : "");
  log = g_build_filename (c->dir, "server.log", NULL);
  {
    const char *argv[] = { pg_ctl, "-D", c->data, "-w", "-t", "60", "-l", log,
                           "-o", options, "start", NULL };
    if (!run (argv, &error))
      {
        g_autofree char *text = NULL;

        g_file_get_contents (log, &text, NULL, NULL);
        g_error ("test cluster did not start: %s\n%s", error->message, text);
      }
  }

  return c;
}

void
rd_test_cluster_stop (RdTestCluster *c)
{
  g_autofree char *pg_ctl = NULL;
  g_autofree char *rm = NULL;

  if (c == NULL)
    return;

  pg_ctl = g_build_filename (pg_bindir (), "pg_ctl", NULL);
  {
    const char *argv[] = { pg_ctl, "-D", c->data, "-m", "immediate", "-w", "stop", NULL };
    run (argv, NULL);
  }
  {
    const char *argv[] = { "rm", "-rf", c->dir, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, NULL, NULL);
  }

  g_free (c->dir);
  g_free (c->data);
  g_free (c->socket_dir);
  g_free (c->ca_file);
  g_free (c);
}

const char *
rd_test_cluster_get_socket_dir (RdTestCluster *c)
{
  return c->socket_dir;
}

int
rd_test_cluster_get_port (RdTestCluster *c)
{
  return c->port;
}

const char *
rd_test_cluster_get_ca_file (RdTestCluster *c)
{
  return c->ca_file;
}

void
rd_test_cluster_exec (RdTestCluster *c,
                      const char    *sql)
{
  g_autofree char *conninfo = g_strdup_printf ("host='%s' port=%d dbname=postgres user=rdtest",
                                               c->socket_dir, c->port);
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  g_autoptr(PGresult) res = NULL;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("test cluster connection failed: %s", PQerrorMessage (conn));

  res = rd_test_pg_exec (conn, sql);
}
