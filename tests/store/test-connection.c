/* test-connection.c — RdConnection against a real PostgreSQL server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <gio/gunixsocketaddress.h>

#include "rd-connection.h"
#include "rd-store-error.h"
#include "rd-test-cluster.h"
#include "rd-test-util.h"

/* ------------------------------------------------------------------------ */
/* Helpers: spin the main context until an async call is done                */
/* ------------------------------------------------------------------------ */

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *w = user_data;

  w->result = g_object_ref (result);
}

static gboolean
on_test_deadline (gpointer user_data)
{
  g_error ("test timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

static GAsyncResult *
wait_result (Waiter *w)
{
  guint deadline = g_timeout_add_seconds (60, on_test_deadline, (gpointer) "an async result");

  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (deadline);
  return w->result;
}

static RdResult *
query_sync (RdConnection       *conn,
            const char         *sql,
            const char * const *params,
            int                 n_params,
            int                 timeout_ms,
            GCancellable       *cancellable,
            GError            **error)
{
  Waiter w = { NULL };
  RdResult *res;

  rd_connection_query_async (conn, sql, params, n_params, timeout_ms, cancellable, on_done, &w);
  res = rd_connection_query_finish (conn, wait_result (&w), error);
  g_object_unref (w.result);
  return res;
}

static gboolean
open_sync (RdConnection  *conn,
           GError       **error)
{
  Waiter w = { NULL };
  gboolean ok;

  rd_connection_open_async (conn, NULL, on_done, &w);
  ok = rd_connection_open_finish (conn, wait_result (&w), error);
  g_object_unref (w.result);
  return ok;
}

static RdConnection *
open_test_connection (const char *dbname,
                      const char *user)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (dbname, user);
  g_autoptr(RdConnection) conn = rd_connection_new (conninfo);
  g_autoptr(GError) error = NULL;

  rd_connection_set_backoff (conn, 100, 2000);
  open_sync (conn, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_connection_get_state (conn), ==, RD_CONNECTION_STATE_READY);
  return g_steal_pointer (&conn);
}

/* Measures the longest time the main loop went without running a 1 ms
 * timer: a blocking call on the main thread shows up as a long gap. */
typedef struct
{
  gint64 last;
  gint64 max_gap;
  guint  id;
} Latency;

static gboolean
on_latency_tick (gpointer user_data)
{
  Latency *l = user_data;
  gint64 now = g_get_monotonic_time ();

  if (l->last != 0)
    l->max_gap = MAX (l->max_gap, now - l->last);
  l->last = now;
  return G_SOURCE_CONTINUE;
}

static void
latency_start (Latency *l)
{
  memset (l, 0, sizeof *l);
  l->id = g_timeout_add (1, on_latency_tick, l);
}

static gint64
latency_stop (Latency *l)
{
  g_clear_handle_id (&l->id, g_source_remove);
  return l->max_gap / 1000;
}

static void
admin_exec_params (const char         *dbname,
                   const char         *sql,
                   const char * const *params,
                   int                 n_params)
{
  g_autoptr(PGconn) admin = rd_test_pg_connect (dbname, NULL);
  g_autoptr(PGresult) res = PQexecParams (admin, sql, n_params, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (res) != PGRES_TUPLES_OK && PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("admin SQL failed: %s", PQresultErrorMessage (res));
}

static void
terminate_backend (const char *dbname,
                   int         pid)
{
  g_autofree char *pid_str = g_strdup_printf ("%d", pid);
  const char *params[] = { pid_str };

  admin_exec_params (dbname, "SELECT pg_terminate_backend($1::int)", params, 1);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                     */
/* ------------------------------------------------------------------------ */

static void
on_notify_state (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  GPtrArray *states = user_data;

  g_ptr_array_add (states, GINT_TO_POINTER (rd_connection_get_state (RD_CONNECTION (object))));
}

static void
test_open (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autofree char *conninfo = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GPtrArray) states = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;
  Latency lat;
  gint64 gap;

  if (db == NULL)
    return;

  conninfo = rd_test_pg_conninfo (db, NULL);
  conn = rd_connection_new (conninfo);
  g_assert_cmpint (rd_connection_get_state (conn), ==, RD_CONNECTION_STATE_CLOSED);
  g_signal_connect (conn, "notify::state", G_CALLBACK (on_notify_state), states);

  latency_start (&lat);
  open_sync (conn, &error);
  gap = latency_stop (&lat);
  g_assert_no_error (error);
  g_test_message ("longest main-loop stall while connecting: %" G_GINT64_FORMAT " ms", gap);

  g_assert_cmpint (rd_connection_get_state (conn), ==, RD_CONNECTION_STATE_READY);
  g_assert_cmpuint (states->len, ==, 2);
  g_assert_cmpint (GPOINTER_TO_INT (states->pdata[0]), ==, RD_CONNECTION_STATE_CONNECTING);
  g_assert_cmpint (GPOINTER_TO_INT (states->pdata[1]), ==, RD_CONNECTION_STATE_READY);
  g_assert_cmpint (rd_connection_get_server_version (conn), >=, 130000);
  g_assert_cmpint (rd_connection_get_backend_pid (conn), >, 0);

  /* The session speaks ISO dates whatever the server's default. */
  res = query_sync (conn, "SELECT current_setting('datestyle'), "
                    "'2026-11-27 02:28:32.5+00'::timestamptz, ARRAY['a b', 'c\"d', NULL]::text[]",
                    NULL, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rd_result_get_string (res, 0, 0), ==, "ISO, YMD");
  {
    g_autoptr(GDateTime) dt = rd_result_dup_datetime (res, 0, 1);
    g_auto(GStrv) strv = rd_result_dup_strv (res, 0, 2);

    g_assert_nonnull (dt);
    g_assert_cmpint (g_date_time_to_unix (dt), ==, 1795746512);
    g_assert_cmpint (g_date_time_get_microsecond (dt), ==, 500000);
    g_assert_cmpuint (g_strv_length (strv), ==, 3);
    g_assert_cmpstr (strv[0], ==, "a b");
    g_assert_cmpstr (strv[1], ==, "c\"d");
    g_assert_cmpstr (strv[2], ==, "");
  }
}

static void
test_params_verbatim (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  const char *tricky[] = {
    "Robert'); DROP TABLE students;--",
    "$1 $2 \\ \\\\ \" '' ; -- /* */",
    "O'Brien \"Jr\" \\x00 %s %n",
    "Ünïcödé — 東京 — 🙂",
    "E'\\047' || chr(39)",
    "",
  };

  if (db == NULL)
    return;

  conn = open_test_connection (db, NULL);

  {
    g_autoptr(RdResult) res = query_sync (conn, "CREATE TABLE t (id serial PRIMARY KEY, v text)",
                                          NULL, 0, -1, NULL, &error);
    g_assert_no_error (error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (tricky); i++)
    {
      const char *p[] = { tricky[i] };
      g_autoptr(RdResult) ins = query_sync (conn, "INSERT INTO t (v) VALUES ($1) RETURNING id, v",
                                            p, 1, -1, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (rd_result_get_affected_rows (ins), ==, 1);
      g_assert_cmpstr (rd_result_get_string (ins, 0, rd_result_get_column (ins, "v")), ==, tricky[i]);
    }

  {
    g_autoptr(RdResult) res = query_sync (conn, "SELECT v FROM t ORDER BY id", NULL, 0, -1, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (rd_result_get_n_rows (res), ==, G_N_ELEMENTS (tricky));
    for (guint i = 0; i < G_N_ELEMENTS (tricky); i++)
      g_assert_cmpstr (rd_result_get_string (res, i, 0), ==, tricky[i]);
  }

  /* NULL parameters are SQL NULL. */
  {
    const char *p[] = { NULL, "x" };
    g_autoptr(RdResult) res = query_sync (conn, "SELECT $1::text IS NULL, $2::text", p, 2, -1, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (rd_result_get_boolean (res, 0, 0));
    g_assert_true (rd_result_is_null (res, 0, 0) == FALSE);
    g_assert_cmpstr (rd_result_get_string (res, 0, 1), ==, "x");
  }

  /* A 1 MB string goes out and comes back byte for byte. */
  for (guint i = 0; big->len < 1024 * 1024; i++)
    g_string_append_printf (big, "%u'\";\\-- ", i);
  {
    const char *p[] = { big->str };
    g_autoptr(RdResult) res = query_sync (conn, "SELECT $1::text, octet_length($1::text)",
                                          p, 1, -1, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (rd_result_get_int64 (res, 0, 1), ==, big->len);
    g_assert_cmpuint (rd_result_get_length (res, 0, 0), ==, big->len);
    g_assert_true (memcmp (rd_result_get_string (res, 0, 0), big->str, big->len) == 0);
  }

  /* Binary parameters and results (document bytes) keep every byte. */
  {
    guint8 bytes[512];
    const char *p[1];
    int lengths[1] = { sizeof bytes };
    int formats[1] = { 1 };
    Waiter w = { NULL };
    g_autoptr(RdResult) res = NULL;
    g_autoptr(GBytes) back = NULL;

    for (guint i = 0; i < sizeof bytes; i++)
      bytes[i] = (guint8) (i * 7);
    p[0] = (const char *) bytes;
    rd_connection_query_full_async (conn, "SELECT $1::bytea", p, lengths, formats, 1, 1,
                                    -1, NULL, on_done, &w);
    res = rd_connection_query_finish (conn, wait_result (&w), &error);
    g_object_unref (w.result);
    g_assert_no_error (error);
    back = rd_result_dup_bytes (res, 0, 0);
    g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), bytes, sizeof bytes);
  }
}

static void
test_errors (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autofree char *role = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdConnection) limited = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;
  const char *secret = "MRN-5551234-Smith";

  if (db == NULL)
    return;

  conn = open_test_connection (db, NULL);

  res = query_sync (conn, "SELEKT 1", NULL, 0, -1, NULL, &error);
  g_assert_null (res);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED);
  g_clear_error (&error);

  res = query_sync (conn, "CREATE TABLE p (mrn text UNIQUE, born date, CHECK (mrn <> 'x'))",
                    NULL, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&res, rd_result_unref);

  {
    const char *p[] = { secret };

    res = query_sync (conn, "INSERT INTO p (mrn) VALUES ($1)", p, 1, -1, NULL, &error);
    g_assert_no_error (error);
    g_clear_pointer (&res, rd_result_unref);

    /* Unique violation: mapped, and the value never shows in the message. */
    res = query_sync (conn, "INSERT INTO p (mrn) VALUES ($1)", p, 1, -1, NULL, &error);
    g_assert_null (res);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
    g_assert_null (strstr (error->message, secret));
    g_assert_nonnull (strstr (error->message, "p_mrn_key"));
    g_clear_error (&error);

    /* A malformed value: the server quotes it, we do not. */
    res = query_sync (conn, "INSERT INTO p (born) VALUES ($1::date)", p, 1, -1, NULL, &error);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
    g_assert_null (strstr (error->message, secret));
    g_clear_error (&error);
  }

  {
    const char *p[] = { "x" };

    res = query_sync (conn, "INSERT INTO p (mrn) VALUES ($1)", p, 1, -1, NULL, &error);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
    g_clear_error (&error);
  }

  /* A RAISE from our own functions keeps its message. */
  res = query_sync (conn, "DO $$ BEGIN RAISE EXCEPTION 'transition not allowed'; END $$",
                    NULL, 0, -1, NULL, &error);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "transition not allowed"));
  g_clear_error (&error);

  /* A role that may log in but not read the table. */
  role = g_strdup_printf ("rd_conn_test_%d", (int) getpid ());
  {
    g_autoptr(PGconn) admin = rd_test_pg_connect (db, NULL);
    g_autofree char *sql = g_strdup_printf ("CREATE ROLE %s LOGIN; GRANT CONNECT ON DATABASE %s TO %s",
                                            role, db, role);
    g_autoptr(PGresult) r = rd_test_pg_exec (admin, sql);
  }
  limited = open_test_connection (db, role);
  res = query_sync (limited, "SELECT * FROM p", NULL, 0, -1, NULL, &error);
  g_assert_null (res);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* The connection stays usable after errors. */
  res = query_sync (limited, "SELECT 42", NULL, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int (res, 0, 0), ==, 42);
  g_clear_pointer (&res, rd_result_unref);
  g_clear_object (&limited);

  /* Connect failures. */
  {
    g_autofree char *ci = rd_test_pg_conninfo (db, "rd_no_such_role_here");
    g_autoptr(RdConnection) c = rd_connection_new (ci);

    g_assert_false (open_sync (c, &error));
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_AUTH_FAILED);
    g_assert_cmpint (rd_connection_get_state (c), ==, RD_CONNECTION_STATE_CLOSED);
    g_clear_error (&error);

    /* Calls on a closed connection fail at once. */
    res = query_sync (c, "SELECT 1", NULL, 0, -1, NULL, &error);
    g_assert_null (res);
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  {
    g_autofree char *ci = rd_test_pg_conninfo ("rd_no_such_database", NULL);
    g_autoptr(RdConnection) c = rd_connection_new (ci);

    g_assert_false (open_sync (c, &error));
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA_MISSING);
    g_clear_error (&error);
  }
  {
    g_autoptr(RdConnection) c = rd_connection_new ("host=/nonexistent-rd-socket-dir port=1 connect_timeout=2");

    g_assert_false (open_sync (c, &error));
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_UNREACHABLE);
    g_clear_error (&error);
  }
  {
    g_autoptr(RdConnection) c = rd_connection_new ("host='unterminated");

    g_assert_false (open_sync (c, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  {
    g_autoptr(PGconn) admin = rd_test_pg_connect (db, NULL);
    g_autofree char *sql = g_strdup_printf ("REVOKE CONNECT ON DATABASE %s FROM %s; DROP ROLE %s",
                                            db, role, role);
    g_autoptr(PGresult) r = rd_test_pg_exec (admin, sql);
  }
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
assert_backend_idle (RdConnection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;

  /* Runs only after the previous statement has drained. */
  res = query_sync (conn,
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' "
                    "AND state = 'active' AND pid <> pg_backend_pid()",
                    NULL, 0, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int (res, 0, 0), ==, 0);
}

static void
test_cancel (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;
  gint64 start, elapsed;
  int pid;

  if (db == NULL)
    return;

  conn = open_test_connection (db, NULL);
  pid = rd_connection_get_backend_pid (conn);

  g_timeout_add (200, cancel_later, cancellable);
  start = g_get_monotonic_time ();
  res = query_sync (conn, "SELECT pg_sleep(30)", NULL, 0, RD_CONNECTION_TIMEOUT_NONE,
                    cancellable, &error);
  elapsed = (g_get_monotonic_time () - start) / 1000;
  g_assert_null (res);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_test_message ("cancelled after %" G_GINT64_FORMAT " ms", elapsed);
  g_assert_cmpint (elapsed, <, 10000);

  /* Same session, still usable, and the sleep really stopped. */
  res = query_sync (conn, "SELECT pg_backend_pid()", NULL, 0, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int (res, 0, 0), ==, pid);
  assert_backend_idle (conn);

  /* An already cancelled cancellable fails at once. */
  g_clear_pointer (&res, rd_result_unref);
  res = query_sync (conn, "SELECT 1", NULL, 0, -1, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_timeout (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;
  gint64 start, elapsed;
  Waiter w1 = { NULL }, w2 = { NULL };

  if (db == NULL)
    return;

  conn = open_test_connection (db, NULL);

  start = g_get_monotonic_time ();
  res = query_sync (conn, "SELECT pg_sleep(30)", NULL, 0, 300, NULL, &error);
  elapsed = (g_get_monotonic_time () - start) / 1000;
  g_assert_null (res);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_assert_cmpint (elapsed, >=, 290);
  g_assert_cmpint (elapsed, <, 10000);

  res = query_sync (conn, "SELECT 'still here'", NULL, 0, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rd_result_get_string (res, 0, 0), ==, "still here");
  g_clear_pointer (&res, rd_result_unref);
  assert_backend_idle (conn);

  /* The timeout counts from the call: waiting in the queue behind a slow
   * statement uses it up. */
  rd_connection_query_async (conn, "SELECT pg_sleep(1)", NULL, 0, RD_CONNECTION_TIMEOUT_NONE,
                             NULL, on_done, &w1);
  rd_connection_query_async (conn, "SELECT 2", NULL, 0, 200, NULL, on_done, &w2);
  res = rd_connection_query_finish (conn, wait_result (&w2), &error);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_assert_null (w1.result);
  res = rd_connection_query_finish (conn, wait_result (&w1), &error);
  g_assert_no_error (error);
  g_object_unref (w1.result);
  g_object_unref (w2.result);
}

static void
on_fifo_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GPtrArray *order = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);

  g_assert_no_error (error);
  g_ptr_array_add (order, GINT_TO_POINTER (rd_result_get_int (res, 0, 0)));
}

#define N_FIFO 2000

static void
test_fifo (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  gboolean done = FALSE;
  gint64 start, elapsed;

  if (db == NULL)
    return;

  conn = open_test_connection (db, NULL);
  start = g_get_monotonic_time ();
  for (int i = 0; i < N_FIFO; i++)
    {
      g_autofree char *s = g_strdup_printf ("%d", i);
      const char *p[] = { s };

      rd_connection_query_async (conn, "SELECT $1::int", p, 1, -1, NULL, on_fifo_done, order);
    }
  while (!done)
    {
      g_main_context_iteration (NULL, TRUE);
      done = order->len == N_FIFO;
    }
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("%d queued statements answered in order in %.0f ms (%.0f statements/s, one at a time)",
                  N_FIFO, elapsed / 1000.0, N_FIFO / (elapsed / 1e6));
  for (int i = 0; i < N_FIFO; i++)
    g_assert_cmpint (GPOINTER_TO_INT (order->pdata[i]), ==, i);
}

static RdTransaction *
begin_sync (RdConnection  *conn,
            GError       **error)
{
  Waiter w = { NULL };
  RdTransaction *tx;

  rd_connection_begin_async (conn, -1, NULL, on_done, &w);
  tx = rd_connection_begin_finish (conn, wait_result (&w), error);
  g_object_unref (w.result);
  return tx;
}

static RdResult *
tx_query_sync (RdTransaction      *tx,
               const char         *sql,
               const char * const *params,
               int                 n_params,
               GError            **error)
{
  Waiter w = { NULL };
  RdResult *res;

  rd_transaction_query_async (tx, sql, params, n_params, -1, NULL, on_done, &w);
  res = rd_transaction_query_finish (tx, wait_result (&w), error);
  g_object_unref (w.result);
  return res;
}

static gboolean
commit_sync (RdTransaction  *tx,
             GError        **error)
{
  Waiter w = { NULL };
  gboolean ok;

  rd_transaction_commit_async (tx, NULL, on_done, &w);
  ok = rd_transaction_commit_finish (tx, wait_result (&w), error);
  g_object_unref (w.result);
  return ok;
}

static void
test_transaction (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;
  Waiter outside = { NULL };

  if (db == NULL)
    return;

  conn = open_test_connection (db, NULL);
  res = query_sync (conn, "CREATE TABLE t (v int)", NULL, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&res, rd_result_unref);

  /* A call queued while the transaction is open runs after it, never in
   * the middle (it would see the SET LOCAL). */
  {
    g_autoptr(RdTransaction) tx = begin_sync (conn, &error);

    g_assert_no_error (error);
    rd_connection_query_async (conn, "SELECT current_setting('application_name'), count(*) FROM t",
                               NULL, 0, -1, NULL, on_done, &outside);
    res = tx_query_sync (tx, "SET LOCAL application_name = 'inside-tx'", NULL, 0, &error);
    g_assert_no_error (error);
    g_clear_pointer (&res, rd_result_unref);
    res = tx_query_sync (tx, "INSERT INTO t VALUES (1)", NULL, 0, &error);
    g_assert_no_error (error);
    g_clear_pointer (&res, rd_result_unref);
    g_assert_null (outside.result);
    g_assert_true (commit_sync (tx, &error));
    g_assert_no_error (error);
    g_assert_true (rd_transaction_is_finished (tx));

    res = rd_connection_query_finish (conn, wait_result (&outside), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (rd_result_get_string (res, 0, 0), !=, "inside-tx");
    g_assert_cmpint (rd_result_get_int (res, 0, 1), ==, 1);
    g_clear_pointer (&res, rd_result_unref);
    g_clear_object (&outside.result);

    /* Finished: further statements fail at once. */
    res = tx_query_sync (tx, "SELECT 1", NULL, 0, &error);
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  /* Dropping an unfinished transaction rolls it back. */
  {
    RdTransaction *tx = begin_sync (conn, &error);

    g_assert_no_error (error);
    res = tx_query_sync (tx, "INSERT INTO t VALUES (2)", NULL, 0, &error);
    g_assert_no_error (error);
    g_clear_pointer (&res, rd_result_unref);
    g_object_unref (tx);
  }
  res = query_sync (conn, "SELECT count(*) FROM t", NULL, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int (res, 0, 0), ==, 1);
  g_clear_pointer (&res, rd_result_unref);

  /* A failed step makes COMMIT fail instead of pretending. */
  {
    g_autoptr(RdTransaction) tx = begin_sync (conn, &error);

    g_assert_no_error (error);
    res = tx_query_sync (tx, "INSERT INTO t VALUES ('not a number')", NULL, 0, &error);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
    g_clear_error (&error);
    g_assert_false (commit_sync (tx, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  res = query_sync (conn, "SELECT count(*) FROM t", NULL, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int (res, 0, 0), ==, 1);
  g_clear_pointer (&res, rd_result_unref);
  /* Not inside a leftover transaction: SAVEPOINT needs one. */
  res = query_sync (conn, "SAVEPOINT s", NULL, 0, -1, NULL, &error);
  g_assert_null (res);
  g_assert_nonnull (error);
}

typedef struct
{
  guint   disconnected;
  guint   reconnected;
  GError *error;
} Events;

static void
on_disconnected (RdConnection *conn,
                 const GError *error,
                 Events       *ev)
{
  ev->disconnected++;
  g_clear_error (&ev->error);
  ev->error = g_error_copy (error);
}

static void
on_reconnected (RdConnection *conn,
                Events       *ev)
{
  ev->reconnected++;
}

static void
test_reconnect (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;
  Events ev = { 0 };
  Waiter in_flight = { NULL }, queued = { NULL };
  int pid1, pid2;

  if (db == NULL)
    return;

  conn = open_test_connection (db, NULL);
  g_signal_connect (conn, "disconnected", G_CALLBACK (on_disconnected), &ev);
  g_signal_connect (conn, "reconnected", G_CALLBACK (on_reconnected), &ev);
  pid1 = rd_connection_get_backend_pid (conn);

  /* Killed while idle. */
  terminate_backend (db, pid1);
  while (ev.disconnected == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (ev.error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST);
  g_assert_cmpint (rd_connection_get_state (conn), !=, RD_CONNECTION_STATE_READY);

  /* A call made while reconnecting waits and then runs. */
  res = query_sync (conn, "SELECT pg_backend_pid()", NULL, 0, 20000, NULL, &error);
  g_assert_no_error (error);
  pid2 = rd_result_get_int (res, 0, 0);
  g_assert_cmpint (pid2, !=, pid1);
  g_assert_cmpint (ev.reconnected, ==, 1);
  g_assert_cmpint (rd_connection_get_state (conn), ==, RD_CONNECTION_STATE_READY);
  g_clear_pointer (&res, rd_result_unref);

  /* Killed in the middle of a statement: that call fails (it may or may not
   * have run), the one queued behind it runs on the new session. */
  rd_connection_query_async (conn, "SELECT pg_sleep(30)", NULL, 0, RD_CONNECTION_TIMEOUT_NONE,
                             NULL, on_done, &in_flight);
  rd_connection_query_async (conn, "SELECT 'after'", NULL, 0, 20000, NULL, on_done, &queued);
  {
    /* Let the sleep start. */
    gboolean started = FALSE;
    while (!started)
      {
        g_autoptr(PGconn) admin = rd_test_pg_connect (db, NULL);
        g_autofree char *pid_s = g_strdup_printf ("%d", pid2);
        const char *p[] = { pid_s };
        g_autoptr(PGresult) r = PQexecParams (admin, "SELECT 1 FROM pg_stat_activity WHERE pid = $1::int "
                                              "AND query LIKE '%pg_sleep%' AND state = 'active'",
                                              1, NULL, p, NULL, NULL, 0);
        started = PQntuples (r) == 1;
        g_main_context_iteration (NULL, FALSE);
      }
  }
  terminate_backend (db, pid2);
  res = rd_connection_query_finish (conn, wait_result (&in_flight), &error);
  g_assert_null (res);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST);
  g_clear_error (&error);
  res = rd_connection_query_finish (conn, wait_result (&queued), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rd_result_get_string (res, 0, 0), ==, "after");
  g_assert_cmpint (ev.disconnected, ==, 2);
  g_assert_cmpint (ev.reconnected, ==, 2);
  g_object_unref (in_flight.result);
  g_object_unref (queued.result);
  g_clear_error (&ev.error);
}

static void
test_transaction_lost (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdTransaction) tx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;
  Waiter outside = { NULL };

  if (db == NULL)
    return;

  conn = open_test_connection (db, NULL);
  res = query_sync (conn, "CREATE TABLE t (v int)", NULL, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&res, rd_result_unref);

  tx = begin_sync (conn, &error);
  g_assert_no_error (error);
  res = tx_query_sync (tx, "INSERT INTO t VALUES (1)", NULL, 0, &error);
  g_assert_no_error (error);
  g_clear_pointer (&res, rd_result_unref);

  /* Someone else's call waits for the transaction ... */
  rd_connection_query_async (conn, "SELECT count(*) FROM t", NULL, 0, 20000, NULL, on_done, &outside);

  /* ... which is lost with its session. */
  terminate_backend (db, rd_connection_get_backend_pid (conn));
  res = tx_query_sync (tx, "SELECT pg_sleep(0.01)", NULL, 0, &error);
  g_assert_null (res);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST);
  g_clear_error (&error);
  g_assert_true (rd_transaction_is_finished (tx));
  g_assert_false (commit_sync (tx, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST);
  g_clear_error (&error);

  /* The waiting call runs on the new session; the insert never happened. */
  res = rd_connection_query_finish (conn, wait_result (&outside), &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int (res, 0, 0), ==, 0);
  g_object_unref (outside.result);
}

static void
test_cancel_queued_and_close (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;
  Waiter slow = { NULL }, queued = { NULL }, behind = { NULL };

  if (db == NULL)
    return;

  conn = open_test_connection (db, NULL);

  /* A call still waiting in the queue is cancelled without being sent. */
  rd_connection_query_async (conn, "SELECT pg_sleep(0.5)", NULL, 0, -1, NULL, on_done, &slow);
  rd_connection_query_async (conn, "CREATE TABLE never (v int)", NULL, 0, -1, cancellable, on_done, &queued);
  rd_connection_query_async (conn, "SELECT 'behind'", NULL, 0, -1, NULL, on_done, &behind);
  g_cancellable_cancel (cancellable);
  res = rd_connection_query_finish (conn, wait_result (&queued), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (slow.result);

  res = rd_connection_query_finish (conn, wait_result (&slow), &error);
  g_assert_no_error (error);
  g_clear_pointer (&res, rd_result_unref);
  res = rd_connection_query_finish (conn, wait_result (&behind), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rd_result_get_string (res, 0, 0), ==, "behind");
  g_clear_pointer (&res, rd_result_unref);
  res = query_sync (conn, "SELECT to_regclass('never') IS NULL", NULL, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (rd_result_get_boolean (res, 0, 0));
  g_clear_pointer (&res, rd_result_unref);
  g_clear_object (&slow.result);
  g_clear_object (&queued.result);
  g_clear_object (&behind.result);

  /* Signing out: what is pending fails at once, the state is closed. */
  rd_connection_query_async (conn, "SELECT pg_sleep(10)", NULL, 0, -1, NULL, on_done, &slow);
  rd_connection_query_async (conn, "SELECT 1", NULL, 0, -1, NULL, on_done, &queued);
  rd_connection_close (conn);
  g_assert_cmpint (rd_connection_get_state (conn), ==, RD_CONNECTION_STATE_CLOSED);
  res = rd_connection_query_finish (conn, wait_result (&slow), &error);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CANCELLED);
  g_clear_error (&error);
  res = rd_connection_query_finish (conn, wait_result (&queued), &error);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CANCELLED);
  g_clear_error (&error);
  g_object_unref (slow.result);
  g_object_unref (queued.result);

  /* And it can be opened again. */
  g_assert_true (open_sync (conn, &error));
  g_assert_no_error (error);
  res = query_sync (conn, "SELECT 1", NULL, 0, -1, NULL, &error);
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------------ */
/* TLS and passwords, on a private cluster                                   */
/* ------------------------------------------------------------------------ */

static void
test_tls_and_password (void)
{
  g_autoptr(RdTestCluster) cluster = rd_test_cluster_start (RD_TEST_CLUSTER_TCP | RD_TEST_CLUSTER_SSL);
  g_autoptr(GError) error = NULL;
  int port;

  if (cluster == NULL)
    return;
  port = rd_test_cluster_get_port (cluster);
  rd_test_cluster_exec (cluster, "CREATE ROLE alice LOGIN PASSWORD 'right horse battery'");

  /* verify-full against the server's CA, by name: works, encrypted. */
  {
    g_autofree char *ci = g_strdup_printf ("host=localhost port=%d dbname=postgres user=alice "
                                           "password='right horse battery' sslmode=verify-full "
                                           "sslrootcert='%s' connect_timeout=10",
                                           port, rd_test_cluster_get_ca_file (cluster));
    g_autoptr(RdConnection) conn = rd_connection_new (ci);
    g_autoptr(RdResult) res = NULL;
    Latency lat;
    gint64 gap;

    latency_start (&lat);
    g_assert_true (open_sync (conn, &error));
    gap = latency_stop (&lat);
    g_assert_no_error (error);
    g_test_message ("longest main-loop stall during a TLS + SCRAM connect: %" G_GINT64_FORMAT " ms", gap);
    res = query_sync (conn, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                      NULL, 0, -1, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (rd_result_get_boolean (res, 0, 0));
  }

  /* A wrong password. */
  {
    g_autofree char *ci = g_strdup_printf ("host=localhost port=%d dbname=postgres user=alice "
                                           "password='wrong horse' sslmode=verify-full "
                                           "sslrootcert='%s' connect_timeout=10",
                                           port, rd_test_cluster_get_ca_file (cluster));
    g_autoptr(RdConnection) conn = rd_connection_new (ci);

    g_assert_false (open_sync (conn, &error));
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_AUTH_FAILED);
    g_assert_null (strstr (error->message, "wrong horse"));
    g_clear_error (&error);
  }

  /* The certificate names "localhost", not the address. */
  {
    g_autofree char *ci = g_strdup_printf ("host=127.0.0.1 port=%d dbname=postgres user=alice "
                                           "password='right horse battery' sslmode=verify-full "
                                           "sslrootcert='%s' connect_timeout=10",
                                           port, rd_test_cluster_get_ca_file (cluster));
    g_autoptr(RdConnection) conn = rd_connection_new (ci);

    g_assert_false (open_sync (conn, &error));
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_TLS);
    g_clear_error (&error);
  }

  /* A CA that did not sign the server's certificate. */
  {
    g_autofree char *dir = g_dir_make_tmp ("rd-ca-XXXXXX", NULL);
    g_autofree char *other_ca = g_build_filename (dir, "other.crt", NULL);
    g_autofree char *ci = NULL;
    const char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-subj", "/CN=localhost", "-keyout", "/dev/null", "-out", other_ca, NULL };
    int status = -1;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                                 G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                 NULL, NULL, NULL, NULL, &status, NULL));
    g_assert_true (g_file_test (other_ca, G_FILE_TEST_EXISTS));
    ci = g_strdup_printf ("host=localhost port=%d dbname=postgres user=alice "
                          "password='right horse battery' sslmode=verify-full "
                          "sslrootcert='%s' connect_timeout=10", port, other_ca);
    {
      g_autoptr(RdConnection) conn = rd_connection_new (ci);

      g_assert_false (open_sync (conn, &error));
      g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_TLS);
      g_clear_error (&error);
    }
    g_unlink (other_ca);
    g_rmdir (dir);
  }
}

/* ------------------------------------------------------------------------ */
/* Outages: a TCP proxy in front of the test server that we can pull        */
/* ------------------------------------------------------------------------ */

typedef struct
{
  GSocketService *service;
  GPtrArray      *streams;   /* GIOStream, both ends of live connections */
  guint16         port;
  gboolean        up;
} Proxy;

static void
on_spliced (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_io_stream_splice_finish (result, NULL);
}

static gboolean
on_proxy_incoming (GSocketService    *service,
                   GSocketConnection *incoming,
                   GObject           *source,
                   gpointer           user_data)
{
  Proxy *proxy = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autofree char *path = g_strdup_printf ("%s/.s.PGSQL.%s", g_getenv ("RD_TEST_PGHOST"),
                                           g_getenv ("RD_TEST_PGPORT"));
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (path);
  g_autoptr(GSocketConnection) upstream = NULL;

  /* A local socket: connecting is immediate. */
  upstream = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, NULL);
  if (upstream == NULL)
    return TRUE;

  g_ptr_array_add (proxy->streams, g_object_ref (incoming));
  g_ptr_array_add (proxy->streams, g_object_ref (upstream));
  g_io_stream_splice_async (G_IO_STREAM (incoming), G_IO_STREAM (upstream),
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, NULL, on_spliced, NULL);
  return TRUE;
}

static void
proxy_up (Proxy *proxy)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (loopback, proxy->port);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  proxy->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (proxy->service), addr, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (proxy->service, "incoming", G_CALLBACK (on_proxy_incoming), proxy);
  g_socket_service_start (proxy->service);
  proxy->up = TRUE;
}

/* The server "goes away": no new connections, live ones cut. */
static void
proxy_down (Proxy *proxy)
{
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  g_clear_object (&proxy->service);
  for (guint i = 0; i < proxy->streams->len; i++)
    g_io_stream_close (proxy->streams->pdata[i], NULL, NULL);
  g_ptr_array_set_size (proxy->streams, 0);
  proxy->up = FALSE;
}

static void
proxy_init (Proxy *proxy)
{
  memset (proxy, 0, sizeof *proxy);
  proxy->streams = g_ptr_array_new_with_free_func (g_object_unref);
  proxy_up (proxy);
}

static void
proxy_clear (Proxy *proxy)
{
  if (proxy->up)
    proxy_down (proxy);
  g_ptr_array_unref (proxy->streams);
}

typedef struct
{
  guint attempts;
  guint disconnected;
  guint reconnected;
} Outage;

static void
on_outage_state (GObject    *object,
                 GParamSpec *pspec,
                 Outage     *o)
{
  if (rd_connection_get_state (RD_CONNECTION (object)) == RD_CONNECTION_STATE_CONNECTING)
    o->attempts++;
}

static void
on_outage_disconnected (RdConnection *conn,
                        const GError *error,
                        Outage       *o)
{
  o->disconnected++;
}

static void
on_outage_reconnected (RdConnection *conn,
                       Outage       *o)
{
  o->reconnected++;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_outage_backoff (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autofree char *conninfo = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;
  Proxy proxy;
  Outage o = { 0 };
  Waiter patient = { NULL };
  guint attempts_during;

  if (db == NULL)
    return;

  proxy_init (&proxy);
  conninfo = g_strdup_printf ("host=127.0.0.1 port=%u dbname=%s user=%s sslmode=disable connect_timeout=5",
                              proxy.port, db, g_getenv ("RD_TEST_PGUSER"));
  conn = rd_connection_new (conninfo);
  rd_connection_set_backoff (conn, 100, 800);
  g_assert_true (open_sync (conn, &error));
  g_assert_no_error (error);
  g_signal_connect (conn, "notify::state", G_CALLBACK (on_outage_state), &o);
  g_signal_connect (conn, "disconnected", G_CALLBACK (on_outage_disconnected), &o);
  g_signal_connect (conn, "reconnected", G_CALLBACK (on_outage_reconnected), &o);

  /* The server goes away for two and a half seconds. */
  proxy_down (&proxy);
  while (o.disconnected == 0)
    g_main_context_iteration (NULL, TRUE);

  /* A call with a short timeout gives up; a patient one waits it out. */
  res = query_sync (conn, "SELECT 1", NULL, 0, 500, NULL, &error);
  g_assert_null (res);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_TIMEOUT);
  g_clear_error (&error);
  rd_connection_query_async (conn, "SELECT 'waited'", NULL, 0, 30000, NULL, on_done, &patient);

  spin_for (2000);
  attempts_during = o.attempts;
  g_test_message ("%u reconnect attempts in 2.5 s of outage (backoff 100 ms doubling to 800 ms)",
                  attempts_during);
  /* 0.1 + 0.2 + 0.4 + 0.8 + 0.8 s (±20 %): about five; never a busy loop. */
  g_assert_cmpuint (attempts_during, >=, 3);
  g_assert_cmpuint (attempts_during, <=, 9);
  g_assert_cmpint (rd_connection_get_state (conn), !=, RD_CONNECTION_STATE_READY);
  g_assert_null (patient.result);

  /* Back: the next attempt connects, and the waiting call runs. */
  proxy_up (&proxy);
  res = rd_connection_query_finish (conn, wait_result (&patient), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rd_result_get_string (res, 0, 0), ==, "waited");
  g_assert_cmpuint (o.disconnected, ==, 1);
  g_assert_cmpuint (o.reconnected, ==, 1);
  g_assert_cmpint (rd_connection_get_state (conn), ==, RD_CONNECTION_STATE_READY);
  g_object_unref (patient.result);

  g_clear_object (&conn);
  proxy_clear (&proxy);
}

/* Two servers named in the conninfo: when the first goes away, the
 * connection comes back through the second. */
static void
test_failover (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autofree char *conninfo = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;
  Proxy first, second;
  Outage o = { 0 };

  if (db == NULL)
    return;

  proxy_init (&first);
  proxy_init (&second);
  conninfo = g_strdup_printf ("host=127.0.0.1,127.0.0.1 port=%u,%u dbname=%s user=%s sslmode=disable "
                              "target_session_attrs=read-write connect_timeout=5",
                              first.port, second.port, db, g_getenv ("RD_TEST_PGUSER"));
  conn = rd_connection_new (conninfo);
  rd_connection_set_backoff (conn, 100, 800);
  g_assert_true (open_sync (conn, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (first.streams->len, ==, 2);
  g_assert_cmpuint (second.streams->len, ==, 0);
  g_signal_connect (conn, "reconnected", G_CALLBACK (on_outage_reconnected), &o);
  g_signal_connect (conn, "disconnected", G_CALLBACK (on_outage_disconnected), &o);

  /* (A statement sent before the drop is noticed would fail with
   * CONNECTION_LOST: it may not have run. Wait for the drop.) */
  proxy_down (&first);
  while (o.disconnected == 0)
    g_main_context_iteration (NULL, TRUE);
  res = query_sync (conn, "SELECT 'via the second'", NULL, 0, 20000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rd_result_get_string (res, 0, 0), ==, "via the second");
  g_assert_cmpuint (o.reconnected, ==, 1);
  g_assert_cmpuint (second.streams->len, ==, 2);

  g_clear_object (&conn);
  proxy_clear (&first);
  proxy_clear (&second);
}

static void
test_multi_host (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autofree char *conninfo = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;

  if (db == NULL)
    return;

  /* The first host is not there; libpq moves on to the second. */
  conninfo = g_strdup_printf ("host=/nonexistent-rd-socket-dir,%s port=%s dbname=%s user=%s "
                              "target_session_attrs=read-write connect_timeout=5",
                              g_getenv ("RD_TEST_PGHOST"), g_getenv ("RD_TEST_PGPORT"),
                              db, g_getenv ("RD_TEST_PGUSER"));
  conn = rd_connection_new (conninfo);
  open_sync (conn, &error);
  g_assert_no_error (error);

  res = query_sync (conn, "SELECT current_database()", NULL, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rd_result_get_string (res, 0, 0), ==, db);
}

/* A server that accepts TCP connections and never says a word: a blocking
 * client would freeze for the whole connect timeout. */
static void
test_unresponsive_server (void)
{
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  gint64 start, elapsed, gap;
  Latency lat;
  int fd;

  fd = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 8), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);

  /* "localhost" goes through the asynchronous resolver. */
  conninfo = g_strdup_printf ("host=localhost port=%d dbname=x user=x connect_timeout=2 sslmode=disable",
                              ntohs (addr.sin_port));
  conn = rd_connection_new (conninfo);

  latency_start (&lat);
  start = g_get_monotonic_time ();
  g_assert_false (open_sync (conn, &error));
  elapsed = (g_get_monotonic_time () - start) / 1000;
  gap = latency_stop (&lat);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_UNREACHABLE);
  g_test_message ("gave up after %" G_GINT64_FORMAT " ms; longest main-loop stall %" G_GINT64_FORMAT " ms",
                  elapsed, gap);
  g_assert_cmpint (elapsed, >=, 1500);
  /* A blocking connect would stall for the full two seconds or more. */
  g_assert_cmpint (gap, <, 1000);
  close (fd);
}

/* Giving up on a connect (the user pressed Cancel while it hangs). */
static void
test_open_cancel (void)
{
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  Waiter w = { NULL };
  gint64 start, elapsed;
  int fd;

  fd = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 8), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);

  conninfo = g_strdup_printf ("host=127.0.0.1 port=%d dbname=x user=x connect_timeout=30 sslmode=disable",
                              ntohs (addr.sin_port));
  conn = rd_connection_new (conninfo);
  g_timeout_add (200, cancel_later, cancellable);
  start = g_get_monotonic_time ();
  rd_connection_open_async (conn, cancellable, on_done, &w);
  g_assert_false (rd_connection_open_finish (conn, wait_result (&w), &error));
  elapsed = (g_get_monotonic_time () - start) / 1000;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (elapsed, <, 5000);
  g_assert_cmpint (rd_connection_get_state (conn), ==, RD_CONNECTION_STATE_CLOSED);
  g_object_unref (w.result);
  close (fd);
}

static void
test_main_loop_latency (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = NULL;
  g_autofree char *big = NULL;
  gint64 gap;
  Latency lat;

  if (db == NULL)
    return;

  latency_start (&lat);
  conn = open_test_connection (db, NULL);
  res = query_sync (conn, "SELECT pg_sleep(2)", NULL, 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&res, rd_result_unref);
  big = g_strnfill (1024 * 1024, 'x');
  {
    const char *p[] = { big };
    res = query_sync (conn, "SELECT $1::text", p, 1, -1, NULL, &error);
    g_assert_no_error (error);
  }
  gap = latency_stop (&lat);
  g_test_message ("longest main-loop stall during connect, pg_sleep(2) and a 1 MB round trip: %"
                  G_GINT64_FORMAT " ms", gap);
  /* Generous: only a call that blocks for the sleep would reach it. */
  g_assert_cmpint (gap, <, 1000);
}

static void
test_result_parsing (void)
{
  struct { const char *text; gint64 secs; int usec; int offset; } stamps[] = {
    { "2026-11-27 02:28:32+00", 1795746512, 0, 0 },
    { "2026-11-27 07:58:32.25+05:30", 1795746512, 250000, 19800 },
    { "2026-11-26 21:28:32.000001-05", 1795746512, 1, -18000 },
    { "1961-04-23", -274320000, 0, 0 },
  };
  const char *bad_stamps[] = { "infinity", "-infinity", "2026-13", "", "2026-11-27 02:28", "0044-03-15 BC" };
  char **strv;
  char *s;

  for (guint i = 0; i < G_N_ELEMENTS (stamps); i++)
    {
      g_autoptr(GDateTime) dt = rd_pg_parse_timestamp (stamps[i].text);

      g_assert_nonnull (dt);
      g_assert_cmpint (g_date_time_to_unix (dt), ==, stamps[i].secs);
      g_assert_cmpint (g_date_time_get_microsecond (dt), ==, stamps[i].usec);
      g_assert_cmpint (g_date_time_get_utc_offset (dt) / G_USEC_PER_SEC, ==, stamps[i].offset);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_stamps); i++)
    g_assert_null (rd_pg_parse_timestamp (bad_stamps[i]));

  /* Arrays: quoting, escapes, NULL, empty, explicit bounds; junk refused. */
  strv = rd_pg_parse_array ("{a,\"b c\",\"d\\\"e\",\"f\\\\g\",NULL,\"NULL\",\"\"}");
  g_assert_nonnull (strv);
  g_assert_cmpuint (g_strv_length (strv), ==, 7);
  g_assert_cmpstr (strv[1], ==, "b c");
  g_assert_cmpstr (strv[2], ==, "d\"e");
  g_assert_cmpstr (strv[3], ==, "f\\g");
  g_assert_cmpstr (strv[4], ==, "");
  g_assert_cmpstr (strv[5], ==, "NULL");
  g_strfreev (strv);
  strv = rd_pg_parse_array ("{}");
  g_assert_cmpuint (g_strv_length (strv), ==, 0);
  g_strfreev (strv);
  strv = rd_pg_parse_array ("[0:1]={x,y}");
  g_assert_cmpuint (g_strv_length (strv), ==, 2);
  g_strfreev (strv);
  g_assert_null (rd_pg_parse_array ("{a,b"));
  g_assert_null (rd_pg_parse_array ("{\"a}"));
  g_assert_null (rd_pg_parse_array ("a,b"));
  g_assert_null (rd_pg_parse_array ("{{a},{b}}"));

  /* Formatting round-trips what parsing reads. */
  {
    const char *in[] = { "plain", "with \"quotes\"", "back\\slash", "comma,brace}", "", NULL };
    g_auto(GStrv) back = NULL;

    s = rd_pg_format_array (in);
    back = rd_pg_parse_array (s);
    g_assert_true (g_strv_equal ((const char * const *) back, in));
    g_free (s);
  }
  {
    g_autoptr(GDateTime) dt = rd_pg_parse_timestamp ("2026-11-27 07:58:32.25+05:30");
    g_autoptr(GDateTime) back = NULL;

    s = rd_pg_format_timestamp (dt);
    back = rd_pg_parse_timestamp (s);
    g_assert_true (g_date_time_equal (dt, back));
    g_free (s);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/result/parsing", test_result_parsing);
  g_test_add_func ("/store/connection/open", test_open);
  g_test_add_func ("/store/connection/params-verbatim", test_params_verbatim);
  g_test_add_func ("/store/connection/errors", test_errors);
  g_test_add_func ("/store/connection/cancel", test_cancel);
  g_test_add_func ("/store/connection/timeout", test_timeout);
  g_test_add_func ("/store/connection/fifo", test_fifo);
  g_test_add_func ("/store/connection/transaction", test_transaction);
  g_test_add_func ("/store/connection/reconnect", test_reconnect);
  g_test_add_func ("/store/connection/transaction-lost", test_transaction_lost);
  g_test_add_func ("/store/connection/cancel-queued-close", test_cancel_queued_and_close);
  g_test_add_func ("/store/connection/multi-host", test_multi_host);
  g_test_add_func ("/store/connection/tls-and-password", test_tls_and_password);
  g_test_add_func ("/store/connection/outage-backoff", test_outage_backoff);
  g_test_add_func ("/store/connection/failover", test_failover);
  g_test_add_func ("/store/connection/unresponsive-server", test_unresponsive_server);
  g_test_add_func ("/store/connection/open-cancel", test_open_cancel);
  g_test_add_func ("/store/connection/main-loop-latency", test_main_loop_latency);

  return g_test_run ();
}
