/* test-listener.c — RdListener against a real PostgreSQL server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-connection.h"
#include "rd-listener.h"
#include "rd-store-error.h"
#include "rd-repo-referral.h"
#include "schema-fixture.h"

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

#define SPIN_UNTIL(cond, what)                                              \
  G_STMT_START {                                                            \
    guint deadline_ = g_timeout_add_seconds (60, on_test_deadline, what);   \
    while (!(cond))                                                         \
      g_main_context_iteration (NULL, TRUE);                                \
    g_source_remove (deadline_);                                            \
  } G_STMT_END

static RdResult *
query_sync (RdConnection       *conn,
            const char         *sql,
            const char * const *params,
            int                 n_params,
            GError            **error)
{
  Waiter w = { NULL };
  RdResult *res;

  rd_connection_query_async (conn, sql, params, n_params, 20000, NULL, on_done, &w);
  SPIN_UNTIL (w.result != NULL, "a query");
  res = rd_connection_query_finish (conn, w.result, error);
  g_object_unref (w.result);
  return res;
}

typedef struct
{
  char   *table;
  gint64  id;
  gint64  version;
  char   *op;
} Change;

static void
change_free (Change *c)
{
  g_free (c->table);
  g_free (c->op);
  g_free (c);
}

typedef struct
{
  GPtrArray *changes;
  guint      resyncs;
  gboolean   on_main_thread;
} Seen;

static void
on_changed (RdListener *listener,
            const char *table,
            gint64      id,
            gint64      version,
            const char *op,
            Seen       *seen)
{
  Change *c = g_new0 (Change, 1);

  c->table = g_strdup (table);
  c->id = id;
  c->version = version;
  c->op = g_strdup (op);
  g_ptr_array_add (seen->changes, c);
  seen->on_main_thread = g_main_context_is_owner (g_main_context_default ());
}

static void
on_resync (RdListener *listener,
           Seen       *seen)
{
  seen->resyncs++;
}

static RdListener *
start_listener (const char *db,
                Seen       *seen)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (db, NULL);
  g_autoptr(RdListener) listener = rd_listener_new (conninfo);
  g_autoptr(GError) error = NULL;
  Waiter w = { NULL };

  rd_connection_set_backoff (rd_listener_get_connection (listener), 100, 2000);
  g_signal_connect (listener, "changed", G_CALLBACK (on_changed), seen);
  g_signal_connect (listener, "resync", G_CALLBACK (on_resync), seen);
  rd_listener_start_async (listener, NULL, on_done, &w);
  SPIN_UNTIL (w.result != NULL, "the listener to start");
  rd_listener_start_finish (listener, w.result, &error);
  g_object_unref (w.result);
  g_assert_no_error (error);
  return g_steal_pointer (&listener);
}

static RdConnection *
open_connection (const char *db)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (db, NULL);
  g_autoptr(RdConnection) conn = rd_connection_new (conninfo);
  g_autoptr(GError) error = NULL;
  Waiter w = { NULL };

  rd_connection_set_backoff (conn, 100, 2000);
  rd_connection_open_async (conn, NULL, on_done, &w);
  SPIN_UNTIL (w.result != NULL, "a connection");
  rd_connection_open_finish (conn, w.result, &error);
  g_object_unref (w.result);
  g_assert_no_error (error);
  return g_steal_pointer (&conn);
}

static void
notify (RdConnection *conn,
        const char   *payload)
{
  const char *p[] = { payload };
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = query_sync (conn, "SELECT pg_notify('rd_changes', $1)", p, 1, &error);

  g_assert_no_error (error);
}

static void
test_parse (void)
{
  g_autofree char *table = NULL;
  g_autofree char *op = NULL;
  gint64 id = -1, version = -1;

  /* What json_build_object() writes. */
  g_assert_true (rd_listener_parse_payload ("{\"table\" : \"referral\", \"id\" : 42, \"version\" : 7, \"op\" : \"UPDATE\"}",
                                            &table, &id, &version, &op));
  g_assert_cmpstr (table, ==, "referral");
  g_assert_cmpint (id, ==, 42);
  g_assert_cmpint (version, ==, 7);
  g_assert_cmpstr (op, ==, "UPDATE");
  g_clear_pointer (&table, g_free);
  g_clear_pointer (&op, g_free);

  g_assert_true (rd_listener_parse_payload ("{\"table\":\"patient\",\"op\":\"BULK\",\"rows\":5000}",
                                            &table, &id, &version, &op));
  g_assert_cmpstr (op, ==, "BULK");
  g_assert_cmpint (id, ==, 0);

  g_assert_false (rd_listener_parse_payload ("", NULL, NULL, NULL, NULL));
  g_assert_false (rd_listener_parse_payload ("hello", NULL, NULL, NULL, NULL));
  g_assert_false (rd_listener_parse_payload ("{\"table\":\"x\",\"op\":\"UPDATE\"}", NULL, NULL, NULL, NULL));
  g_assert_false (rd_listener_parse_payload ("{\"table\":\"x\",\"id\":1,\"op\":\"DROP\"}", NULL, NULL, NULL, NULL));
  g_assert_false (rd_listener_parse_payload ("{\"table\":\"x\",\"id\":1.5,\"op\":\"UPDATE\"}", NULL, NULL, NULL, NULL));
  g_assert_false (rd_listener_parse_payload ("{\"table\":\"x\",\"id\":1,\"op\":\"UPDATE\"} trailing", NULL, NULL, NULL, NULL));
  g_assert_false (rd_listener_parse_payload ("{\"table\":\"x\",\"id\":1,\"op\":\"UPDATE\"", NULL, NULL, NULL, NULL));
  g_assert_false (rd_listener_parse_payload ("{\"table\":\"x\\u0000\",\"id\":1,\"op\":\"UPDATE\"}", NULL, NULL, NULL, NULL));
}

static void
test_notify (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autoptr(RdListener) listener = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  Seen seen = { changes, 0, FALSE };
  Change *c;

  if (db == NULL)
    return;

  listener = start_listener (db, &seen);
  conn = open_connection (db);

  notify (conn, "{\"table\" : \"referral\", \"id\" : 12, \"version\" : 3, \"op\" : \"UPDATE\"}");
  SPIN_UNTIL (changes->len == 1, "a notification");
  c = changes->pdata[0];
  g_assert_cmpstr (c->table, ==, "referral");
  g_assert_cmpint (c->id, ==, 12);
  g_assert_cmpint (c->version, ==, 3);
  g_assert_cmpstr (c->op, ==, "UPDATE");
  g_assert_true (seen.on_main_thread);

  /* Junk from some other session is ignored; the next real one arrives. */
  notify (conn, "'; DROP TABLE referral; --");
  notify (conn, "{\"table\":\"patient\",\"id\":5,\"version\":1,\"op\":\"INSERT\"}");
  SPIN_UNTIL (changes->len == 2, "a second notification");
  c = changes->pdata[1];
  g_assert_cmpstr (c->table, ==, "patient");
  g_assert_cmpstr (c->op, ==, "INSERT");

  /* Notifications of a transaction arrive once it commits. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RdResult) res = NULL;

    res = query_sync (conn, "CREATE TABLE demo (id bigint PRIMARY KEY, version bigint NOT NULL DEFAULT 1)",
                      NULL, 0, &error);
    g_assert_no_error (error);
    g_clear_pointer (&res, rd_result_unref);
    res = query_sync (conn,
                      "WITH ins AS (INSERT INTO demo (id) VALUES (77) RETURNING id, version) "
                      "SELECT pg_notify('rd_changes', json_build_object('table', 'demo', 'id', id, "
                      "'version', version, 'op', 'INSERT')::text) FROM ins",
                      NULL, 0, &error);
    g_assert_no_error (error);
  }
  SPIN_UNTIL (changes->len == 3, "a notification from json_build_object");
  c = changes->pdata[2];
  g_assert_cmpstr (c->table, ==, "demo");
  g_assert_cmpint (c->id, ==, 77);
  g_assert_cmpint (c->version, ==, 1);
  g_assert_cmpuint (seen.resyncs, ==, 0);
}

static void
terminate_backend (const char *db,
                   int         pid)
{
  g_autoptr(PGconn) admin = rd_test_pg_connect (db, NULL);
  g_autofree char *pid_s = g_strdup_printf ("%d", pid);
  const char *p[] = { pid_s };
  g_autoptr(PGresult) res = PQexecParams (admin, "SELECT pg_terminate_backend($1::int)",
                                          1, NULL, p, NULL, NULL, 0);

  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
}

static void
on_disconnected (RdConnection *conn,
                 const GError *error,
                 guint        *count)
{
  (*count)++;
}

static void
test_reconnect_resync (void)
{
  g_autofree char *db = rd_test_pg_create_database ();
  g_autoptr(RdListener) listener = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  Seen seen = { changes, 0, FALSE };
  guint listener_drops = 0, conn_drops = 0;
  int listener_pid, conn_pid;

  if (db == NULL)
    return;

  listener = start_listener (db, &seen);
  conn = open_connection (db);
  g_signal_connect (rd_listener_get_connection (listener), "disconnected",
                    G_CALLBACK (on_disconnected), &listener_drops);
  g_signal_connect (conn, "disconnected", G_CALLBACK (on_disconnected), &conn_drops);
  listener_pid = rd_connection_get_backend_pid (rd_listener_get_connection (listener));
  conn_pid = rd_connection_get_backend_pid (conn);

  /* Both sessions are thrown out at once. */
  terminate_backend (db, listener_pid);
  terminate_backend (db, conn_pid);

  SPIN_UNTIL (seen.resyncs == 1, "resync after the listener reconnected");
  g_assert_cmpuint (listener_drops, ==, 1);
  g_assert_cmpint (rd_connection_get_state (rd_listener_get_connection (listener)), ==,
                   RD_CONNECTION_STATE_READY);
  g_assert_cmpint (rd_connection_get_backend_pid (rd_listener_get_connection (listener)), !=,
                   listener_pid);

  /* The other connection comes back too and serves queries again; and the
   * listener LISTENs again on its new session. */
  notify (conn, "{\"table\":\"referral\",\"id\":99,\"version\":4,\"op\":\"DELETE\"}");
  g_assert_cmpuint (conn_drops, ==, 1);
  g_assert_cmpint (rd_connection_get_backend_pid (conn), !=, conn_pid);
  SPIN_UNTIL (changes->len == 1, "a notification after reconnecting");
  g_assert_cmpint (((Change *) changes->pdata[0])->id, ==, 99);
  g_assert_cmpstr (((Change *) changes->pdata[0])->op, ==, "DELETE");

  /* Once more, to see that it was not a one-off. */
  terminate_backend (db, rd_connection_get_backend_pid (rd_listener_get_connection (listener)));
  SPIN_UNTIL (seen.resyncs == 2, "a second resync");
  notify (conn, "{\"table\":\"referral\",\"id\":100,\"version\":1,\"op\":\"INSERT\"}");
  SPIN_UNTIL (changes->len == 2, "a notification after the second reconnect");
}

/* The schema's own triggers: a referral saved through the repository is
 * announced with its table, id, new version and operation; a statement
 * touching many rows is announced once as BULK. */
static void
test_schema_triggers (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *login = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(RdListener) listener = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) draft = NULL;
  g_autoptr(RdReferral) created = NULL;
  Seen seen = { changes, 0, FALSE };
  Change *c = NULL;

  if (db == NULL)
    return;

  queue = fx_team (db, "Cardiology");
  login = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  listener = start_listener (db->dbname, &seen);
  conninfo = rd_test_pg_conninfo (db->dbname, login);
  conn = rd_connection_new (conninfo);
  {
    Waiter w = { NULL };

    rd_connection_open_async (conn, NULL, on_done, &w);
    SPIN_UNTIL (w.result != NULL, "a connection");
    rd_connection_open_finish (conn, w.result, &error);
    g_object_unref (w.result);
    g_assert_no_error (error);
  }

  draft = rd_referral_new ();
  rd_referral_set_queue_id (draft, g_ascii_strtoll (queue, NULL, 10));
  rd_referral_set_channel (draft, "fax");
  {
    Waiter w = { NULL };

    rd_repo_referral_create_async (conn, draft, NULL, on_done, &w);
    SPIN_UNTIL (w.result != NULL, "a create");
    created = rd_repo_referral_create_finish (conn, w.result, &error);
    g_object_unref (w.result);
    g_assert_no_error (error);
  }

  SPIN_UNTIL (changes->len >= 1, "the INSERT notification");
  for (guint i = 0; i < changes->len; i++)
    if (g_str_equal (((Change *) changes->pdata[i])->table, "referral"))
      c = changes->pdata[i];
  g_assert_nonnull (c);
  g_assert_cmpint (c->id, ==, rd_referral_get_id (created));
  g_assert_cmpint (c->version, ==, 1);
  g_assert_cmpstr (c->op, ==, "INSERT");

  {
    Waiter w = { NULL };
    g_autoptr(RdReferral) moved = NULL;
    guint before = changes->len;

    rd_repo_referral_transition_async (conn, rd_referral_get_id (created), 1, RD_STATUS_TRIAGE,
                                       NULL, NULL, on_done, &w);
    SPIN_UNTIL (w.result != NULL, "a transition");
    moved = rd_repo_referral_transition_finish (conn, w.result, NULL, &error);
    g_object_unref (w.result);
    g_assert_no_error (error);

    c = NULL;
    while (c == NULL)
      {
        SPIN_UNTIL (changes->len > before, "the UPDATE notification");
        for (; before < changes->len && c == NULL; before++)
          {
            Change *x = changes->pdata[before];
            if (g_str_equal (x->table, "referral") && g_str_equal (x->op, "UPDATE"))
              c = x;
          }
      }
    g_assert_cmpint (c->id, ==, rd_referral_get_id (created));
    g_assert_cmpint (c->version, ==, rd_referral_get_version (moved));
  }

  /* Many rows at once: one BULK message, not hundreds. */
  {
    guint before = changes->len;
    g_autoptr(PGresult) r = fx_exec (db->admin,
                                     "INSERT INTO rd.patient (family_name) SELECT 'P' || g FROM generate_series(1, 150) g",
                                     NULL);
    c = NULL;
    while (c == NULL)
      {
        SPIN_UNTIL (changes->len > before, "the BULK notification");
        for (; before < changes->len && c == NULL; before++)
          if (g_str_equal (((Change *) changes->pdata[before])->table, "patient"))
            c = changes->pdata[before];
      }
    g_assert_cmpstr (c->op, ==, "BULK");
    g_assert_cmpint (c->id, ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/listener/parse", test_parse);
  g_test_add_func ("/store/listener/notify", test_notify);
  g_test_add_func ("/store/listener/reconnect-resync", test_reconnect_resync);
  g_test_add_func ("/store/listener/schema-triggers", test_schema_triggers);

  return g_test_run ();
}
