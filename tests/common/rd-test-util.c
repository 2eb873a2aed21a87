/* rd-test-util.c — shared test fixtures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "rd-test-util.h"

static GPtrArray *created_databases;

void
rd_test_init_env (void)
{
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
}

gboolean
rd_test_pg_available (void)
{
  return g_getenv ("RD_TEST_PGHOST") != NULL && g_getenv ("RD_TEST_PGPORT") != NULL;
}

static void
append_param (GString    *s,
              const char *key,
              const char *value)
{
  if (value == NULL)
    return;

  g_string_append_printf (s, "%s%s='", s->len ? " " : "", key);
  for (const char *p = value; *p; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '\'');
}

char *
rd_test_pg_conninfo (const char *dbname,
                     const char *user)
{
  GString *s = g_string_new (NULL);

  append_param (s, "host", g_getenv ("RD_TEST_PGHOST"));
  append_param (s, "port", g_getenv ("RD_TEST_PGPORT"));
  append_param (s, "dbname", dbname);
  append_param (s, "user", user ? user : g_getenv ("RD_TEST_PGUSER"));
  append_param (s, "connect_timeout", "10");
  return g_string_free (s, FALSE);
}

char *
rd_test_pg_admin_conninfo (const char *dbname)
{
  return rd_test_pg_conninfo (dbname ? dbname : "postgres", NULL);
}

PGconn *
rd_test_pg_connect (const char *dbname,
                    const char *user)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (dbname, user);
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("test database connection failed: %s", PQerrorMessage (conn));

  return conn;
}

PGresult *
rd_test_pg_exec (PGconn     *conn,
                 const char *sql)
{
  PGresult *res = PQexec (conn, sql);
  ExecStatusType st = PQresultStatus (res);

  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    g_error ("test SQL failed: %s\n%s", PQresultErrorMessage (res), sql);

  return res;
}

static void
drop_databases (void)
{
  g_autoptr(PGconn) conn = NULL;

  if (created_databases == NULL || created_databases->len == 0)
    return;

  {
    g_autofree char *conninfo = rd_test_pg_admin_conninfo (NULL);

    conn = PQconnectdb (conninfo);
  }
  if (PQstatus (conn) != CONNECTION_OK)
    return;

  for (guint i = 0; i < created_databases->len; i++)
    {
      const char *name = g_ptr_array_index (created_databases, i);
      const char *params[1] = { name };
      g_autofree char *quoted = NULL;
      char *q;

      /* Throw every session out of the database first. */
      PQclear (PQexecParams (conn,
                             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = $1 AND pid <> pg_backend_pid()",
                             1, NULL, params, NULL, NULL, 0));
      q = PQescapeIdentifier (conn, name, strlen (name));
      quoted = g_strdup (q);
      PQfreemem (q);
      {
        g_autofree char *sql = g_strdup_printf ("DROP DATABASE IF EXISTS %s", quoted);
        PQclear (PQexec (conn, sql));
      }
    }
}

char *
rd_test_pg_create_database (void)
{
  static guint counter;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;

  if (!rd_test_pg_available ())
    {
      g_test_skip ("no PostgreSQL server for tests (run through ./dev test)");
      return NULL;
    }

  /* Identifiers made only of our own digits and letters: safe to splice. */
  name = g_strdup_printf ("rdt_%d_%u_%u", (int) getpid (), counter++,
                          g_random_int_range (0, 1000000));
  conn = rd_test_pg_connect ("postgres", NULL);
  sql = g_strdup_printf ("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'", name);
  res = rd_test_pg_exec (conn, sql);

  if (created_databases == NULL)
    {
      created_databases = g_ptr_array_new_with_free_func (g_free);
      atexit (drop_databases);
    }
  g_ptr_array_add (created_databases, g_strdup (name));

  return g_steal_pointer (&name);
}

char *
rd_test_corpus_dir (const char *subdir)
{
  const char *root = g_getenv ("RD_CORPUS_DIR");
  g_autofree char *path = NULL;

  if (root == NULL)
    root = RD_SOURCE_ROOT "/../shared/corpus";

  path = g_build_filename (root, subdir, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *msg = g_strdup_printf ("corpus folder %s is absent; skipping", path);
      g_test_skip (msg);
      return NULL;
    }

  return g_steal_pointer (&path);
}

char *
rd_test_artifact_dir (void)
{
  const char *base = g_getenv ("RD_TEST_ARTIFACTS");
  char *dir;

  if (base == NULL)
    base = RD_BUILD_ROOT "/meson-logs/artifacts";

  dir = g_strdup (base);
  g_mkdir_with_parents (dir, 0700);
  return dir;
}
