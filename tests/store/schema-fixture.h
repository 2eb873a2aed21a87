/* schema-fixture.h — a fresh Referral Desk database and people to act in it
 *
 * Shared by test-schema.c, test-security.c and test-concurrency.c. Staff
 * log in as their own roles (trust authentication on the test cluster's
 * socket), because the rules use session_user; role names carry the pid so
 * that tests sharing the cluster never meet.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <libpq-fe.h>

#include "rd-init-db.h"
#include "rd-migrations.h"
#include "rd-test-util.h"

typedef struct {
  char   *dbname;
  PGconn *admin;   /* the cluster's superuser */
} FxDb;

static inline void
fx_db_free (FxDb *db)
{
  if (db == NULL)
    return;
  g_clear_pointer (&db->admin, PQfinish);
  g_free (db->dbname);
  g_free (db);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FxDb, fx_db_free)

/* A new database with the whole schema; NULL (test skipped) without a server. */
static inline FxDb *
fx_db_new (void)
{
  g_autoptr(GError) error = NULL;
  FxDb *db;
  char *name = rd_test_pg_create_database ();

  if (name == NULL)
    return NULL;

  db = g_new0 (FxDb, 1);
  db->dbname = name;
  db->admin = rd_test_pg_connect (name, NULL);
  rd_init_db (db->admin, NULL, &error);
  g_assert_no_error (error);
  return db;
}

/* Runs @sql with text parameters (NULL-terminated list) and asserts success. */
static inline PGresult *
fx_exec (PGconn     *conn,
         const char *sql,
         ...)
{
  const char *params[16];
  int n = 0;
  const char *p;
  va_list ap;
  PGresult *res;
  ExecStatusType st;

  va_start (ap, sql);
  while ((p = va_arg (ap, const char *)) != NULL && n < 16)
    params[n++] = p;
  va_end (ap);

  res = PQexecParams (conn, sql, n, NULL, params, NULL, NULL, 0);
  st = PQresultStatus (res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    g_error ("SQL failed: %s\n%s", PQresultErrorMessage (res), sql);
  return res;
}

/* Runs @sql with @n params; returns the SQLSTATE of a failure ("" on success),
 * and the result in @out_res when asked. */
static inline char *
fx_try (PGconn             *conn,
        const char         *sql,
        int                 n,
        const char * const *params,
        PGresult          **out_res)
{
  PGresult *res = PQexecParams (conn, sql, n, NULL, params, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus (res);
  char *state;

  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
    state = g_strdup ("");
  else
    state = g_strdup (PQresultErrorField (res, PG_DIAG_SQLSTATE));

  if (out_res)
    *out_res = res;
  else
    PQclear (res);
  return state;
}

/* The first column of the first row as a number. */
static inline gint64
fx_int (PGconn     *conn,
        const char *sql,
        ...)
{
  const char *params[16];
  int n = 0;
  const char *p;
  va_list ap;
  PGresult *res;
  gint64 v;

  va_start (ap, sql);
  while ((p = va_arg (ap, const char *)) != NULL && n < 16)
    params[n++] = p;
  va_end (ap);

  res = PQexecParams (conn, sql, n, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_TUPLES_OK || PQntuples (res) < 1)
    g_error ("SQL failed or no row: %s\n%s", PQresultErrorMessage (res), sql);
  v = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  PQclear (res);
  return v;
}

/* A unique login name for this process. */
static inline char *
fx_login (const char *what)
{
  static guint counter;

  return g_strdup_printf ("t%d_%s_%u_%u", (int) getpid (), what, counter++,
                          g_random_int_range (0, 100000));
}

/* A team with one queue; returns the queue id as text (g_free). */
static inline char *
fx_team (FxDb       *db,
         const char *team)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *queue = g_strconcat (team, " queue", NULL);
  gint64 id = 0;

  rd_init_db_add_team (db->admin, team, NULL, &error);
  g_assert_no_error (error);
  rd_init_db_add_queue (db->admin, team, queue, &id, &error);
  g_assert_no_error (error);
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

/* A staff member of @team (NULL: none) in @role; returns the login name. */
static inline char *
fx_staff (FxDb        *db,
          const char  *what,
          RdStaffRole  role,
          const char  *team)
{
  g_autoptr(GError) error = NULL;
  const char *teams[] = { team, NULL };
  char *login = fx_login (what);

  rd_init_db_add_staff (db->admin, login, what, role, teams, NULL, &error);
  g_assert_no_error (error);
  return login;
}

static inline PGconn *
fx_connect (FxDb       *db,
            const char *login)
{
  return rd_test_pg_connect (db->dbname, login);
}

/* A referral in @queue (and a patient), inserted by the superuser; returns its id. */
static inline char *
fx_referral (PGconn     *conn,
             const char *queue,
             const char *status,
             const char *family_name)
{
  g_autoptr(PGresult) res = NULL;

  res = fx_exec (conn,
                 "WITH p AS (INSERT INTO rd.patient (family_name, given_name, dob) "
                 "           VALUES ($3, 'Pat', DATE '1970-01-01') RETURNING id) "
                 "INSERT INTO rd.referral (channel, queue_id, status, close_reason, patient_id) "
                 "SELECT 'fax', $1::bigint, $2, "
                 "       CASE WHEN $2 IN ('declined', 'cancelled') THEN 'set up by the test' END, "
                 "       p.id FROM p RETURNING id",
                 queue, status, family_name, NULL);
  return g_strdup (PQgetvalue (res, 0, 0));
}
