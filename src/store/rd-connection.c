/* rd-connection.c — an asynchronous PostgreSQL connection on the main context
 *
 * How it works, so the main thread never waits on the network:
 *
 * - Host names in the conninfo are resolved first with GResolver (libpq
 *   would call getaddrinfo() and block); each address becomes one entry of
 *   libpq's multi-host list (host=name hostaddr=address), so TLS still checks
 *   the name and target_session_attrs still picks the primary.
 * - PQconnectStartParams()/PQconnectPoll() are driven by a GSource watching
 *   the socket on the thread-default main context of the creator. libpq's
 *   connect_timeout is not honoured by PQconnectPoll, so the attempt has its
 *   own timer (connect_timeout seconds per address, 10 s by default).
 * - Queries go through PQsendQueryParams() in non-blocking mode, one at a
 *   time, from a FIFO queue (no pipeline mode: one statement in flight keeps
 *   errors, cancels and transactions simple to reason about).
 * - A cancelled or timed-out call completes at once with an error; the
 *   statement still running on the server is cancelled with PQcancel() from a
 *   worker thread (PQcancel blocks in libpq 15). The next queued statement is
 *   sent only once the old one has drained and the cancel request is done, so
 *   a late cancel can never hit it. If the server does not answer within a
 *   grace period, the connection is reset.
 * - A transaction (rd_connection_begin_async()) holds the connection: while
 *   it is open, only its own statements run; other queued calls wait.
 * - When the connection drops, the statement in flight fails with
 *   RD_STORE_ERROR_CONNECTION_LOST (it may or may not have run), queued calls
 *   wait (until their own timeout), "disconnected" is emitted, and reconnect
 *   attempts follow with exponential backoff and jitter; "reconnected" is
 *   emitted when one succeeds. Authentication failures and too old servers
 *   stop the retries (state CLOSED) rather than hammer the server.
 *
 * An RdConnection is used from one thread (the one whose main context was
 * thread-default when it was created).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "rd-connection.h"
#include "rd-store-error.h"

#define MIN_SERVER_VERSION         130000
#define DEFAULT_QUERY_TIMEOUT_MS   30000
#define DEFAULT_CONNECT_TIMEOUT_S  10
#define MAX_CONNECT_TIMEOUT_S      120
#define DEFAULT_BACKOFF_INITIAL_MS 500
#define DEFAULT_BACKOFF_MAX_MS     30000
#define CANCEL_GRACE_MS            10000

G_DEFINE_ENUM_TYPE (RdConnectionState, rd_connection_state,
  G_DEFINE_ENUM_VALUE (RD_CONNECTION_STATE_CLOSED, "closed"),
  G_DEFINE_ENUM_VALUE (RD_CONNECTION_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (RD_CONNECTION_STATE_READY, "ready"),
  G_DEFINE_ENUM_VALUE (RD_CONNECTION_STATE_BROKEN, "broken"))

typedef enum {
  PHASE_CLOSED,
  PHASE_RESOLVING,
  PHASE_POLLING,
  PHASE_SETUP,
  PHASE_READY,
  PHASE_WAITING,
} Phase;

typedef enum {
  OP_QUERY,
  OP_SETUP,
  OP_BEGIN,
  OP_COMMIT,
  OP_ROLLBACK,
} OpKind;

typedef struct
{
  RdConnection  *self;
  OpKind         kind;
  GTask         *task;           /* NULL when no one waits any more */
  guint64        tx_id;
  RdTransaction *tx;             /* OP_BEGIN only: the transaction it opens */
  char          *sql;
  int            n_params;
  char         **values;
  int           *lengths;
  int           *formats;
  int            result_format;
  GSource       *timeout_source;
  GSource       *cancel_source;
  PGresult      *result;
  guint          sent : 1;
  guint          abandoned : 1;
  guint          cancelled : 1;
  guint          timed_out : 1;
} Op;

typedef struct
{
  char  *host;
  char  *hostaddr;
  char  *port;
  GList *addresses;              /* GInetAddress, after resolving */
  guint  resolve : 1;
} HostEntry;

struct _RdConnection
{
  GObject        parent_instance;

  char          *conninfo;
  GMainContext  *context;
  PGconn        *conn;
  Phase          phase;
  GError        *error;
  GPtrArray     *session_sql;

  /* Socket watch */
  GSource       *socket_source;
  gpointer       socket_tag;
  int            socket_fd;
  GIOCondition   socket_cond;

  /* Connecting */
  GPtrArray     *hosts;          /* HostEntry */
  guint          pending_resolves;
  GCancellable  *resolve_cancellable;
  GSource       *connect_timer;
  GSource       *retry_timer;
  GTask         *open_task;
  GSource       *open_cancel_source;
  gboolean       ever_ready;
  guint          backoff_initial_ms;
  guint          backoff_max_ms;
  guint          next_backoff_ms;
  guint          attempts;

  /* Queries */
  guint          default_timeout_ms;
  GQueue         queue;          /* Op */
  GQueue         setup_queue;    /* Op */
  Op            *current;
  guint          cancels_in_flight;
  guint          generation;
  GSource       *grace_timer;

  /* Transactions */
  guint64        next_tx_id;
  guint64        active_tx_id;
  RdTransaction *active_tx;      /* not a reference; cleared by its dispose */
};

struct _RdTransaction
{
  GObject       parent_instance;
  RdConnection *connection;
  guint64       id;
  gboolean      finished;
};

G_DEFINE_FINAL_TYPE (RdConnection, rd_connection, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (RdTransaction, rd_transaction, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNINFO,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  DISCONNECTED,
  RECONNECTED,
  NOTIFICATION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_connect       (RdConnection *self);
static void start_next          (RdConnection *self);
static void connection_lost     (RdConnection *self,
                                 GError       *error);
static void attempt_failed      (RdConnection *self,
                                 GError       *error);
static void watch_socket        (RdConnection *self,
                                 GIOCondition  cond);

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

static gboolean
sqlstate_class_is (const char *state,
                   const char *klass)
{
  return state != NULL && strncmp (state, klass, 2) == 0;
}

/**
 * rd_store_error_from_pg_result:
 * @res: a result with an error status
 * @cancelled: whether the caller cancelled the statement (gives
 *   %G_IO_ERROR_CANCELLED)
 * @timed_out: whether the statement ran past its timeout
 *
 * Maps the server's SQLSTATE to an #RdStoreError with a translated message.
 * Parameter values are never echoed: only server messages that cannot
 * contain them (constraint and column names, our own RAISE messages) are
 * included.
 *
 * Returns: (transfer full): a new error
 */
GError *
rd_store_error_from_pg_result (const PGresult *res,
                               gboolean        cancelled,
                               gboolean        timed_out)
{
  const char *state = PQresultErrorField (res, PG_DIAG_SQLSTATE);
  const char *primary = PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY);
  const char *constraint = PQresultErrorField (res, PG_DIAG_CONSTRAINT_NAME);
  const char *column = PQresultErrorField (res, PG_DIAG_COLUMN_NAME);
  const char *what = constraint ? constraint : column ? column : "?";

  if (state != NULL)
    g_debug ("statement failed with SQLSTATE %s", state);

  if (cancelled)
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                _("The request was cancelled."));
  if (timed_out || g_strcmp0 (state, "57014") == 0)
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_TIMEOUT,
                                _("The database did not answer in time. Try again; if it keeps happening, tell your administrator."));

  if (state == NULL || sqlstate_class_is (state, "08") ||
      g_strcmp0 (state, "57P01") == 0 || g_strcmp0 (state, "57P02") == 0 ||
      g_strcmp0 (state, "57P03") == 0)
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST,
                                _("The connection to the database was lost. Referral Desk reconnects by itself; check whether your last change was saved, then try again."));

  if (sqlstate_class_is (state, "28"))
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_AUTH_FAILED,
                                _("The database did not accept your user name or password. Check them and sign in again."));

  if (g_strcmp0 (state, "42501") == 0)
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION_DENIED,
                                _("You are not allowed to do this. Ask your administrator if you need access."));

  if (g_strcmp0 (state, "23505") == 0)
    return g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                        _("A record with the same value already exists (%s). Look for the existing record instead of adding a new one."),
                        what);
  if (g_strcmp0 (state, "23503") == 0)
    return g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                        _("The change refers to a record that does not exist, or removes one that others still refer to (%s)."),
                        what);
  if (g_strcmp0 (state, "23502") == 0)
    return g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                        _("A required value is missing (%s). Fill it in and try again."),
                        what);
  if (g_strcmp0 (state, "23514") == 0 || g_strcmp0 (state, "23P01") == 0)
    return g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                        _("A value is not allowed here (rule “%s”). Correct it and try again."),
                        what);
  if (sqlstate_class_is (state, "23"))
    return g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                        _("The database rejected the change: %s"),
                        primary ? primary : state);
  if (g_strcmp0 (state, "22001") == 0)
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                                _("A value is too long. Shorten it and try again."));
  /* Data exceptions often quote the offending value: never show it. */
  if (sqlstate_class_is (state, "22"))
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                                _("A value has the wrong format or is out of range. Check what you entered and try again."));
  /* Our own functions and triggers raise these with messages free of PHI. */
  if (g_strcmp0 (state, "P0001") == 0 || sqlstate_class_is (state, "RD"))
    return g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                        _("The database rejected the change: %s"),
                        primary ? primary : state);
  if (g_strcmp0 (state, "P0002") == 0 || g_strcmp0 (state, "02000") == 0)
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                                _("The record was not found. It may have been removed, or you may not have access to it."));
  if (sqlstate_class_is (state, "40"))
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT,
                                _("Someone else changed the same records at the same moment. Try again."));
  if (g_strcmp0 (state, "25006") == 0)
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                                _("The database is read-only at the moment. Try again in a minute."));
  if (sqlstate_class_is (state, "53"))
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                                _("The database server is out of resources. Try again later, and tell your administrator if it keeps happening."));
  if (g_strcmp0 (state, "42P01") == 0 || g_strcmp0 (state, "42883") == 0 ||
      g_strcmp0 (state, "42703") == 0 || g_strcmp0 (state, "3F000") == 0)
    return g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                        _("The database does not have what this version of Referral Desk expects (%s). Ask your administrator to update the database."),
                        state);

  return g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                      _("The database reported an error (%s). Try again; if it keeps happening, tell your administrator."),
                      state);
}

/* Connection failures carry no SQLSTATE in libpq 15: read libpq's (English,
 * unless translated) message. Its text may name hosts or roles, never PHI,
 * but we still only log it at debug level and show our own words. */
static GError *
connect_error (PGconn     *conn,
               const char *fallback_detail)
{
  const char *msg = conn ? PQerrorMessage (conn) : fallback_detail;
  g_autofree char *lower = g_ascii_strdown (msg ? msg : "", -1);

  g_debug ("connect failed: %s", msg ? msg : "");

  if ((conn != NULL && PQconnectionNeedsPassword (conn)) ||
      strstr (lower, "password authentication failed") != NULL ||
      strstr (lower, "authentication failed") != NULL ||
      strstr (lower, "no password supplied") != NULL ||
      strstr (lower, "no pg_hba.conf entry") != NULL ||
      (strstr (lower, "role \"") != NULL && strstr (lower, "does not exist") != NULL))
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_AUTH_FAILED,
                                _("The database did not accept your user name or password. Check them and sign in again."));

  if (strstr (lower, "ssl") != NULL || strstr (lower, "certificate") != NULL ||
      strstr (lower, "tls") != NULL || strstr (lower, "gssapi") != NULL)
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_TLS,
                                _("A secure connection to the database server could not be set up, or its certificate could not be verified. Tell your administrator."));

  if (strstr (lower, "database \"") != NULL && strstr (lower, "does not exist") != NULL)
    return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA_MISSING,
                                _("The database named in the connection settings does not exist. Check the settings or ask your administrator."));

  return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_UNREACHABLE,
                              _("No database server answered. Check the network and the server address; Referral Desk keeps trying."));
}

/* A working session broke (for "disconnected" and the call in flight). */
static GError *
lost_error (RdConnection *self)
{
  g_debug ("connection lost: %s", self->conn ? PQerrorMessage (self->conn) : "");
  return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST,
                              _("The connection to the database was lost. Referral Desk reconnects by itself; check whether your last change was saved, then try again."));
}

static GError *
not_connected_error (RdConnection *self)
{
  if (self->error != NULL)
    return g_error_copy (self->error);

  return g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST,
                              _("Not connected to the database. Sign in again."));
}

/* ------------------------------------------------------------------------ */
/* Operations                                                                */
/* ------------------------------------------------------------------------ */

static void
op_clear_sources (Op *op)
{
  if (op->timeout_source != NULL)
    {
      g_source_destroy (op->timeout_source);
      g_clear_pointer (&op->timeout_source, g_source_unref);
    }
  if (op->cancel_source != NULL)
    {
      g_source_destroy (op->cancel_source);
      g_clear_pointer (&op->cancel_source, g_source_unref);
    }
}

static void
op_free (Op *op)
{
  op_clear_sources (op);
  g_clear_object (&op->task);
  g_clear_object (&op->tx);
  g_clear_pointer (&op->result, PQclear);
  g_free (op->sql);
  if (op->values != NULL)
    for (int i = 0; i < op->n_params; i++)
      g_free (op->values[i]);
  g_free (op->values);
  g_free (op->lengths);
  g_free (op->formats);
  g_free (op);
}

/* Hands @error to whoever waits for @op (if anyone) and forgets the task. */
static void
op_fail (Op     *op,
         GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&op->task);

  op_clear_sources (op);
  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

static void
on_cancel_sent (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = G_TASK (result);
  GWeakRef *weak = g_task_get_task_data (task);
  g_autoptr(RdConnection) self = g_weak_ref_get (weak);
  guint generation = GPOINTER_TO_UINT (user_data);

  if (self == NULL || generation != self->generation)
    return;

  g_assert (self->cancels_in_flight > 0);
  self->cancels_in_flight--;
  start_next (self);
}

static void
send_cancel_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  PGcancel *cancel = g_object_get_data (G_OBJECT (task), "rd-pg-cancel");
  char errbuf[256];

  /* Blocks until the server has taken the request; fine on a worker. */
  if (!PQcancel (cancel, errbuf, sizeof errbuf))
    g_debug ("cancel request failed: %s", errbuf);

  g_task_return_boolean (task, TRUE);
}

static void
weak_ref_free (GWeakRef *weak)
{
  g_weak_ref_clear (weak);
  g_free (weak);
}

static void
send_cancel (RdConnection *self)
{
  g_autoptr(GTask) task = NULL;
  PGcancel *cancel;
  GWeakRef *weak;

  if (self->conn == NULL || (cancel = PQgetCancel (self->conn)) == NULL)
    return;

  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, NULL, on_cancel_sent, GUINT_TO_POINTER (self->generation));
  g_task_set_source_tag (task, send_cancel);
  g_task_set_task_data (task, weak, (GDestroyNotify) weak_ref_free);
  g_object_set_data_full (G_OBJECT (task), "rd-pg-cancel", cancel,
                          (GDestroyNotify) PQfreeCancel);
  self->cancels_in_flight++;
  g_task_run_in_thread (task, send_cancel_thread);
}

static gboolean
on_cancel_grace_expired (gpointer user_data)
{
  RdConnection *self = user_data;

  g_clear_pointer (&self->grace_timer, g_source_unref);
  g_debug ("server did not answer a cancel request; resetting the connection");
  connection_lost (self, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST,
                                              _("The database stopped answering. Referral Desk reconnects by itself.")));
  return G_SOURCE_REMOVE;
}

/* The caller gave up on @op (cancel or timeout): answer now, clean up later. */
static void
op_abandon (Op     *op,
            GError *error)
{
  RdConnection *self = op->self;

  if (!op->sent)
    {
      g_queue_remove (&self->queue, op);
      op_fail (op, error);
      op_free (op);
      return;
    }

  op_fail (op, error);
  op->abandoned = TRUE;
  send_cancel (self);

  if (self->grace_timer == NULL)
    {
      self->grace_timer = g_timeout_source_new (CANCEL_GRACE_MS);
      g_source_set_callback (self->grace_timer, on_cancel_grace_expired, self, NULL);
      g_source_set_static_name (self->grace_timer, "[rd] cancel grace");
      g_source_attach (self->grace_timer, self->context);
    }
}

static gboolean
on_op_timeout (gpointer user_data)
{
  Op *op = user_data;
  g_autoptr(RdConnection) hold G_GNUC_UNUSED = g_object_ref (op->self);

  op->timed_out = TRUE;
  op_abandon (op, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_TIMEOUT,
                                       _("The database did not answer in time. Try again; if it keeps happening, tell your administrator.")));
  return G_SOURCE_REMOVE;
}

static gboolean
on_op_cancelled (GCancellable *cancellable,
                 gpointer      user_data)
{
  Op *op = user_data;
  g_autoptr(RdConnection) hold G_GNUC_UNUSED = g_object_ref (op->self);

  op->cancelled = TRUE;
  op_abandon (op, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       _("The request was cancelled.")));
  return G_SOURCE_REMOVE;
}

static Op *
op_new (RdConnection       *self,
        OpKind              kind,
        const char         *sql,
        const char * const *params,
        const int          *lengths,
        const int          *formats,
        int                 n_params,
        int                 result_format)
{
  Op *op = g_new0 (Op, 1);

  op->self = self;
  op->kind = kind;
  op->sql = g_strdup (sql);
  op->n_params = n_params;
  op->result_format = result_format;

  if (n_params > 0)
    {
      op->values = g_new0 (char *, n_params);
      for (int i = 0; i < n_params; i++)
        {
          if (params[i] == NULL)
            continue;
          if (formats != NULL && formats[i] == 1)
            {
              op->values[i] = g_malloc (lengths[i] + 1);
              memcpy (op->values[i], params[i], lengths[i]);
              op->values[i][lengths[i]] = '\0';
            }
          else
            op->values[i] = g_strdup (params[i]);
        }
      if (lengths != NULL)
        op->lengths = g_memdup2 (lengths, sizeof (int) * n_params);
      if (formats != NULL)
        op->formats = g_memdup2 (formats, sizeof (int) * n_params);
    }

  return op;
}

static void
op_arm (Op           *op,
        int           timeout_ms,
        GCancellable *cancellable)
{
  RdConnection *self = op->self;

  if (timeout_ms < 0)
    timeout_ms = self->default_timeout_ms;

  if (timeout_ms > 0)
    {
      op->timeout_source = g_timeout_source_new (timeout_ms);
      g_source_set_callback (op->timeout_source, on_op_timeout, op, NULL);
      g_source_set_static_name (op->timeout_source, "[rd] query timeout");
      g_source_attach (op->timeout_source, self->context);
    }

  if (cancellable != NULL)
    {
      /* A GCancellableSource calls us on our own context, whichever thread
       * cancels. */
      op->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (op->cancel_source, G_SOURCE_FUNC (on_op_cancelled), op, NULL);
      g_source_set_static_name (op->cancel_source, "[rd] query cancellable");
      g_source_attach (op->cancel_source, self->context);
    }
}

static void
submit (RdConnection *self,
        Op           *op,
        int           timeout_ms,
        GCancellable *cancellable)
{
  if (op->task != NULL && g_cancellable_is_cancelled (cancellable))
    {
      op_fail (op, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                        _("The request was cancelled.")));
      op_free (op);
      return;
    }

  if (self->phase == PHASE_CLOSED)
    {
      op_fail (op, not_connected_error (self));
      op_free (op);
      return;
    }

  op_arm (op, timeout_ms, cancellable);
  g_queue_push_tail (&self->queue, op);
  start_next (self);
}

/* ------------------------------------------------------------------------ */
/* Sending and receiving                                                     */
/* ------------------------------------------------------------------------ */

static Op *
pick_next (RdConnection *self)
{
  if (self->phase == PHASE_SETUP)
    return g_queue_pop_head (&self->setup_queue);

  if (self->phase != PHASE_READY)
    return NULL;

  for (GList *l = self->queue.head; l != NULL; l = l->next)
    {
      Op *op = l->data;

      if (self->active_tx_id != 0)
        {
          if (op->tx_id == self->active_tx_id && op->kind != OP_BEGIN)
            {
              g_queue_delete_link (&self->queue, l);
              return op;
            }
          continue;
        }

      g_queue_delete_link (&self->queue, l);
      return op;
    }

  return NULL;
}

static GTask *
take_open_task (RdConnection *self)
{
  if (self->open_cancel_source != NULL)
    {
      g_source_destroy (self->open_cancel_source);
      g_clear_pointer (&self->open_cancel_source, g_source_unref);
    }
  return g_steal_pointer (&self->open_task);
}

static void
become_ready (RdConnection *self)
{
  gboolean reconnected = self->ever_ready;
  g_autoptr(GTask) open_task = take_open_task (self);

  self->phase = PHASE_READY;
  self->ever_ready = TRUE;
  self->attempts = 0;
  self->next_backoff_ms = self->backoff_initial_ms;
  g_clear_error (&self->error);
  g_debug ("connected to backend %d", PQbackendPID (self->conn));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (reconnected)
    g_signal_emit (self, signals[RECONNECTED], 0);
  if (open_task != NULL)
    g_task_return_boolean (open_task, TRUE);
}

static void
start_next (RdConnection *self)
{
  while (self->current == NULL && self->cancels_in_flight == 0 && self->conn != NULL)
    {
      Op *op = pick_next (self);
      int flushed;

      if (op == NULL)
        {
          /* Set-up done: calls that waited for the connection go now. */
          if (self->phase == PHASE_SETUP)
            {
              become_ready (self);
              continue;
            }
          return;
        }

      /* A statement of a transaction that ended with the old connection. */
      if (op->tx_id != 0 && op->kind != OP_BEGIN && self->active_tx_id != op->tx_id)
        {
          op_fail (op, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST,
                                            _("The connection to the database was lost during the change, so it was not saved. Try again.")));
          op_free (op);
          continue;
        }

      if (!PQsendQueryParams (self->conn, op->sql, op->n_params, NULL,
                              (const char * const *) op->values, op->lengths,
                              op->formats, op->result_format))
        {
          if (PQstatus (self->conn) == CONNECTION_BAD)
            {
              g_queue_push_head (self->phase == PHASE_SETUP ? &self->setup_queue : &self->queue, op);
              connection_lost (self, lost_error (self));
              return;
            }

          g_debug ("could not send a statement: %s", PQerrorMessage (self->conn));
          op_fail (op, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                                            _("The request could not be sent to the database.")));
          op_free (op);
          continue;
        }

      op->sent = TRUE;
      self->current = op;

      if (op->kind == OP_BEGIN)
        {
          self->active_tx_id = op->tx_id;
          self->active_tx = op->tx;
        }

      flushed = PQflush (self->conn);
      if (flushed < 0)
        {
          connection_lost (self, lost_error (self));
          return;
        }
      watch_socket (self, flushed == 1 ? G_IO_IN | G_IO_OUT : G_IO_IN);
    }
}

static void
finish_current (RdConnection *self)
{
  Op *op = g_steal_pointer (&self->current);
  g_autoptr(GError) error = NULL;
  ExecStatusType status = op->result ? PQresultStatus (op->result) : PGRES_FATAL_ERROR;

  if (op->abandoned && self->grace_timer != NULL)
    {
      g_source_destroy (self->grace_timer);
      g_clear_pointer (&self->grace_timer, g_source_unref);
    }

  if (op->result == NULL)
    error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                                 _("The database sent no answer to the request."));
  else if (status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR ||
           status == PGRES_BAD_RESPONSE)
    error = rd_store_error_from_pg_result (op->result, op->cancelled, op->timed_out);
  else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                                 _("The database answered in a way Referral Desk does not understand."));
  else if (op->kind == OP_COMMIT && g_strcmp0 (PQcmdStatus (op->result), "ROLLBACK") == 0)
    error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                                 _("The change was not saved because an earlier step of it failed."));

  switch (op->kind)
    {
    case OP_BEGIN:
      if (error != NULL)
        {
          self->active_tx_id = 0;
          self->active_tx = NULL;
          op->tx->finished = TRUE;
        }
      break;
    case OP_COMMIT:
    case OP_ROLLBACK:
      if (self->active_tx_id == op->tx_id)
        {
          self->active_tx_id = 0;
          if (self->active_tx != NULL)
            self->active_tx->finished = TRUE;
          self->active_tx = NULL;
        }
      break;
    case OP_SETUP:
      if (error != NULL)
        {
          g_debug ("session set-up statement failed");
          op_free (op);
          attempt_failed (self, g_steal_pointer (&error));
          return;
        }
      break;
    case OP_QUERY:
    default:
      break;
    }

  if (op->task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&op->task);

      op_clear_sources (op);
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else if (op->kind == OP_BEGIN)
        g_task_return_pointer (task, g_steal_pointer (&op->tx), g_object_unref);
      else if (op->kind == OP_COMMIT || op->kind == OP_ROLLBACK)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_pointer (task, rd_result_new_take (g_steal_pointer (&op->result)),
                               (GDestroyNotify) rd_result_unref);
    }

  /* An abandoned BEGIN leaves an open transaction: its RdTransaction,
   * dropped with the op, queues the ROLLBACK. */
  op_free (op);
  start_next (self);
}

static void
read_input (RdConnection *self)
{
  PGnotify *notify;

  if (!PQconsumeInput (self->conn))
    {
      GError *error = NULL;

      if (self->current != NULL && self->current->result != NULL &&
          PQresultStatus (self->current->result) == PGRES_FATAL_ERROR)
        error = rd_store_error_from_pg_result (self->current->result, FALSE, FALSE);
      if (error == NULL || error->code != RD_STORE_ERROR_CONNECTION_LOST)
        {
          g_clear_error (&error);
          error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST,
                                       _("The connection to the database was lost. Referral Desk reconnects by itself; check whether your last change was saved, then try again."));
        }
      g_debug ("connection lost: %s", PQerrorMessage (self->conn));
      connection_lost (self, error);
      return;
    }

  while (self->conn != NULL && (notify = PQnotifies (self->conn)) != NULL)
    {
      g_signal_emit (self, signals[NOTIFICATION], 0,
                     notify->relname, notify->extra, notify->be_pid);
      PQfreemem (notify);
    }

  while (self->conn != NULL && self->current != NULL && !PQisBusy (self->conn))
    {
      PGresult *res = PQgetResult (self->conn);
      Op *op = self->current;

      if (res == NULL)
        {
          finish_current (self);
          break;
        }

      switch (PQresultStatus (res))
        {
        case PGRES_COPY_IN:
        case PGRES_COPY_OUT:
        case PGRES_COPY_BOTH:
          /* COPY is not for this API; leaving it would wedge the session. */
          PQclear (res);
          connection_lost (self, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                                                      _("The request could not be completed.")));
          return;
        case PGRES_FATAL_ERROR:
        case PGRES_NONFATAL_ERROR:
        case PGRES_BAD_RESPONSE:
          /* Keep the first error: it says what went wrong. */
          if (op->result != NULL && PQresultStatus (op->result) == PGRES_FATAL_ERROR)
            PQclear (res);
          else
            {
              g_clear_pointer (&op->result, PQclear);
              op->result = res;
            }
          break;
        default:
          if (op->result != NULL && PQresultStatus (op->result) == PGRES_FATAL_ERROR)
            PQclear (res);
          else
            {
              g_clear_pointer (&op->result, PQclear);
              op->result = res;
            }
          break;
        }
    }

  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_BAD)
    connection_lost (self, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST,
                                                _("The connection to the database was lost. Referral Desk reconnects by itself; check whether your last change was saved, then try again.")));
}

/* ------------------------------------------------------------------------ */
/* The socket                                                                */
/* ------------------------------------------------------------------------ */

typedef gboolean (*SocketFunc) (RdConnection *self,
                                GIOCondition  cond);

typedef struct
{
  GSource  source;
  gpointer tag;
} SocketSource;

static gboolean
socket_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  SocketSource *s = (SocketSource *) source;
  GIOCondition cond = g_source_query_unix_fd (source, s->tag);

  return ((SocketFunc) (void (*) (void)) callback) (user_data, cond);
}

static GSourceFuncs socket_source_funcs = {
  NULL, NULL, socket_source_dispatch, NULL, NULL, NULL,
};

static void poll_connect (RdConnection *self);

static gboolean
on_socket_ready (RdConnection *self,
                 GIOCondition  cond)
{
  g_autoptr(RdConnection) hold G_GNUC_UNUSED = g_object_ref (self);

  if (self->phase == PHASE_POLLING)
    {
      poll_connect (self);
      return G_SOURCE_CONTINUE;
    }

  if (self->conn == NULL)
    return G_SOURCE_CONTINUE;

  if (cond & G_IO_OUT)
    {
      int flushed = PQflush (self->conn);

      if (flushed < 0)
        {
          connection_lost (self, lost_error (self));
          return G_SOURCE_CONTINUE;
        }
      if (flushed == 0)
        watch_socket (self, G_IO_IN);
    }

  if (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    read_input (self);

  return G_SOURCE_CONTINUE;
}

static void
unwatch_socket (RdConnection *self)
{
  if (self->socket_source != NULL)
    {
      g_source_destroy (self->socket_source);
      g_clear_pointer (&self->socket_source, g_source_unref);
    }
  self->socket_tag = NULL;
  self->socket_fd = -1;
  self->socket_cond = 0;
}

static void
watch_socket (RdConnection *self,
              GIOCondition  cond)
{
  int fd = self->conn ? PQsocket (self->conn) : -1;

  cond |= G_IO_HUP | G_IO_ERR;

  if (fd < 0)
    {
      unwatch_socket (self);
      return;
    }

  if (self->socket_source != NULL && fd == self->socket_fd)
    {
      if (cond != self->socket_cond)
        g_source_modify_unix_fd (self->socket_source, self->socket_tag, cond);
      self->socket_cond = cond;
      return;
    }

  unwatch_socket (self);
  self->socket_source = g_source_new (&socket_source_funcs, sizeof (SocketSource));
  ((SocketSource *) self->socket_source)->tag =
    self->socket_tag = g_source_add_unix_fd (self->socket_source, fd, cond);
  g_source_set_callback (self->socket_source, (GSourceFunc) (void (*) (void)) on_socket_ready,
                         self, NULL);
  g_source_set_static_name (self->socket_source, "[rd] database socket");
  g_source_attach (self->socket_source, self->context);
  self->socket_fd = fd;
  self->socket_cond = cond;
}

/* ------------------------------------------------------------------------ */
/* Connecting                                                                */
/* ------------------------------------------------------------------------ */

static void
host_entry_free (HostEntry *e)
{
  g_free (e->host);
  g_free (e->hostaddr);
  g_free (e->port);
  g_list_free_full (e->addresses, g_object_unref);
  g_free (e);
}

static void
set_phase (RdConnection *self,
           Phase         phase)
{
  RdConnectionState before = rd_connection_get_state (self);

  self->phase = phase;
  if (rd_connection_get_state (self) != before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
clear_timer (GSource **timer)
{
  if (*timer != NULL)
    {
      g_source_destroy (*timer);
      g_clear_pointer (timer, g_source_unref);
    }
}

/* Drops the libpq connection and everything tied to it. */
static void
teardown (RdConnection *self)
{
  unwatch_socket (self);
  clear_timer (&self->connect_timer);
  clear_timer (&self->grace_timer);
  if (self->resolve_cancellable != NULL)
    {
      g_cancellable_cancel (self->resolve_cancellable);
      g_clear_object (&self->resolve_cancellable);
    }
  g_clear_pointer (&self->hosts, g_ptr_array_unref);
  g_clear_pointer (&self->conn, PQfinish);
  self->pending_resolves = 0;
  self->cancels_in_flight = 0;
  self->generation++;
}

static void
fail_ops_of_tx (RdConnection *self,
                guint64       tx_id)
{
  GList *l = self->queue.head;

  while (l != NULL)
    {
      GList *next = l->next;
      Op *op = l->data;

      if (op->tx_id == tx_id && op->kind != OP_BEGIN)
        {
          g_queue_delete_link (&self->queue, l);
          op_fail (op, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST,
                                            _("The connection to the database was lost during the change, so it was not saved. Try again.")));
          op_free (op);
        }
      l = next;
    }
}

static void
fail_all_queued (RdConnection *self,
                 const GError *error)
{
  Op *op;

  while ((op = g_queue_pop_head (&self->queue)) != NULL)
    {
      op_fail (op, g_error_copy (error));
      op_free (op);
    }
}

static void
drop_session (RdConnection *self,
              GError       *error)
{
  Op *op;

  if ((op = g_steal_pointer (&self->current)) != NULL)
    {
      if (op->kind == OP_BEGIN && op->tx != NULL)
        op->tx->finished = TRUE;
      op_fail (op, g_error_copy (error));
      op_free (op);
    }

  while ((op = g_queue_pop_head (&self->setup_queue)) != NULL)
    op_free (op);

  if (self->active_tx_id != 0)
    {
      fail_ops_of_tx (self, self->active_tx_id);
      if (self->active_tx != NULL)
        self->active_tx->finished = TRUE;
      self->active_tx = NULL;
      self->active_tx_id = 0;
    }

  teardown (self);
}

static gboolean
on_retry_timer (gpointer user_data)
{
  RdConnection *self = user_data;

  g_clear_pointer (&self->retry_timer, g_source_unref);
  start_connect (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (RdConnection *self)
{
  guint delay = self->next_backoff_ms;
  guint jitter = delay / 5;

  /* ±20 % so that a room full of workstations does not knock at once. */
  if (jitter > 0)
    delay = delay - jitter + g_random_int_range (0, 2 * jitter + 1);

  self->next_backoff_ms = MIN (self->next_backoff_ms * 2, self->backoff_max_ms);
  clear_timer (&self->retry_timer);
  self->retry_timer = g_timeout_source_new (delay);
  g_source_set_callback (self->retry_timer, on_retry_timer, self, NULL);
  g_source_set_static_name (self->retry_timer, "[rd] reconnect");
  g_source_attach (self->retry_timer, self->context);
  g_debug ("reconnecting in %u ms", delay);
  set_phase (self, PHASE_WAITING);
}

static gboolean
error_is_final (const GError *error)
{
  return g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_AUTH_FAILED) ||
         g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_SERVER_TOO_OLD) ||
         g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA_MISSING);
}

/* A connect attempt (first or later) did not reach READY. */
static void
attempt_failed (RdConnection *self,
                GError       *error)
{
  g_autoptr(RdConnection) hold G_GNUC_UNUSED = g_object_ref (self);
  g_autoptr(GTask) open_task = take_open_task (self);

  drop_session (self, error);
  g_clear_error (&self->error);
  self->error = error;

  if (open_task != NULL || !self->ever_ready || error_is_final (error))
    {
      set_phase (self, PHASE_CLOSED);
      fail_all_queued (self, error);
      if (open_task != NULL)
        g_task_return_error (open_task, g_error_copy (error));
      return;
    }

  schedule_retry (self);
}

/* A working connection dropped. */
static void
connection_lost (RdConnection *self,
                 GError       *error)
{
  g_autoptr(RdConnection) hold G_GNUC_UNUSED = g_object_ref (self);

  if (self->phase != PHASE_READY)
    {
      attempt_failed (self, error);
      return;
    }

  drop_session (self, error);
  g_clear_error (&self->error);
  self->error = error;
  self->next_backoff_ms = self->backoff_initial_ms;
  schedule_retry (self);
  g_signal_emit (self, signals[DISCONNECTED], 0, error);
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  RdConnection *self = user_data;

  g_clear_pointer (&self->connect_timer, g_source_unref);
  attempt_failed (self, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_UNREACHABLE,
                                             _("The database server did not answer in time. Check the network and the server address; Referral Desk keeps trying.")));
  return G_SOURCE_REMOVE;
}

static void
connected (RdConnection *self)
{
  static const char *datestyle_sql =
    "SELECT pg_catalog.set_config('datestyle', 'ISO, YMD', false), "
    "pg_catalog.set_config('intervalstyle', 'iso_8601', false)";

  clear_timer (&self->connect_timer);

  if (PQserverVersion (self->conn) < MIN_SERVER_VERSION)
    {
      attempt_failed (self, g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_SERVER_TOO_OLD,
                                         _("The database server runs PostgreSQL %d, which is too old. Referral Desk needs PostgreSQL 13 or newer; ask your administrator to upgrade."),
                                         PQserverVersion (self->conn) / 10000));
      return;
    }

  if (PQsetnonblocking (self->conn, 1) != 0)
    {
      attempt_failed (self, connect_error (self->conn, NULL));
      return;
    }

  set_phase (self, PHASE_SETUP);
  g_queue_push_tail (&self->setup_queue, op_new (self, OP_SETUP, datestyle_sql, NULL, NULL, NULL, 0, 0));
  for (guint i = 0; i < self->session_sql->len; i++)
    g_queue_push_tail (&self->setup_queue,
                       op_new (self, OP_SETUP, g_ptr_array_index (self->session_sql, i),
                               NULL, NULL, NULL, 0, 0));
  watch_socket (self, G_IO_IN);
  start_next (self);
}

static void
poll_connect (RdConnection *self)
{
  PostgresPollingStatusType st = PQconnectPoll (self->conn);

  switch (st)
    {
    case PGRES_POLLING_READING:
      watch_socket (self, G_IO_IN);
      break;
    case PGRES_POLLING_WRITING:
      watch_socket (self, G_IO_OUT);
      break;
    case PGRES_POLLING_OK:
      connected (self);
      break;
    case PGRES_POLLING_FAILED:
    default:
      attempt_failed (self, connect_error (self->conn, NULL));
      break;
    }
}

static void
notice_receiver (void           *arg,
                 const PGresult *res)
{
  /* Notices may quote values: log only their code. */
  g_debug ("server notice %s", PQresultErrorField (res, PG_DIAG_SQLSTATE));
}

static const char *
option_value (PQconninfoOption *opts,
              const char       *keyword)
{
  for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
    if (strcmp (o->keyword, keyword) == 0)
      return o->val;
  return NULL;
}

static void
start_libpq (RdConnection     *self,
             PQconninfoOption *opts)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GPtrArray) vals = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) hosts = g_string_new (NULL);
  g_autoptr(GString) addrs = g_string_new (NULL);
  g_autoptr(GString) ports = g_string_new (NULL);
  const char *timeout_s = option_value (opts, "connect_timeout");
  guint n_entries = 0;
  int per_host_s;

  for (guint i = 0; i < self->hosts->len; i++)
    {
      HostEntry *e = g_ptr_array_index (self->hosts, i);

      if (e->resolve)
        {
          for (GList *l = e->addresses; l != NULL; l = l->next)
            {
              g_autofree char *a = g_inet_address_to_string (l->data);

              g_string_append_printf (hosts, "%s%s", n_entries ? "," : "", e->host);
              g_string_append_printf (addrs, "%s%s", n_entries ? "," : "", a);
              g_string_append_printf (ports, "%s%s", n_entries ? "," : "", e->port ? e->port : "");
              n_entries++;
            }
        }
      else
        {
          g_string_append_printf (hosts, "%s%s", n_entries ? "," : "", e->host ? e->host : "");
          g_string_append_printf (addrs, "%s%s", n_entries ? "," : "", e->hostaddr ? e->hostaddr : "");
          g_string_append_printf (ports, "%s%s", n_entries ? "," : "", e->port ? e->port : "");
          n_entries++;
        }
    }

  if (n_entries == 0)
    {
      attempt_failed (self, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_UNREACHABLE,
                                                 _("The database server’s name could not be found. Check the server address and the network.")));
      return;
    }

  for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
    {
      if (o->val == NULL || strcmp (o->keyword, "host") == 0 ||
          strcmp (o->keyword, "hostaddr") == 0 || strcmp (o->keyword, "port") == 0 ||
          strcmp (o->keyword, "client_encoding") == 0)
        continue;
      g_ptr_array_add (keys, o->keyword);
      g_ptr_array_add (vals, g_strdup (o->val));
    }

  g_ptr_array_add (keys, (gpointer) "host");
  g_ptr_array_add (vals, g_strdup (hosts->str));
  g_ptr_array_add (keys, (gpointer) "hostaddr");
  g_ptr_array_add (vals, g_strdup (addrs->str));
  g_ptr_array_add (keys, (gpointer) "port");
  g_ptr_array_add (vals, g_strdup (ports->str));
  g_ptr_array_add (keys, (gpointer) "client_encoding");
  g_ptr_array_add (vals, g_strdup ("UTF8"));
  g_ptr_array_add (keys, (gpointer) "fallback_application_name");
  g_ptr_array_add (vals, g_strdup ("referral-desk"));

  /* Notice a dead peer in about a minute rather than hours. */
  if (option_value (opts, "keepalives_idle") == NULL)
    {
      g_ptr_array_add (keys, (gpointer) "keepalives_idle");
      g_ptr_array_add (vals, g_strdup ("30"));
    }
  if (option_value (opts, "keepalives_interval") == NULL)
    {
      g_ptr_array_add (keys, (gpointer) "keepalives_interval");
      g_ptr_array_add (vals, g_strdup ("10"));
    }
  if (option_value (opts, "keepalives_count") == NULL)
    {
      g_ptr_array_add (keys, (gpointer) "keepalives_count");
      g_ptr_array_add (vals, g_strdup ("3"));
    }

  g_ptr_array_add (keys, NULL);
  g_ptr_array_add (vals, NULL);

  per_host_s = timeout_s ? atoi (timeout_s) : DEFAULT_CONNECT_TIMEOUT_S;
  if (per_host_s <= 0)
    per_host_s = DEFAULT_CONNECT_TIMEOUT_S;
  per_host_s = MAX (per_host_s, 2);

  set_phase (self, PHASE_POLLING);
  self->conn = PQconnectStartParams ((const char * const *) keys->pdata,
                                     (const char * const *) vals->pdata, 0);
  if (self->conn == NULL)
    {
      attempt_failed (self, connect_error (NULL, "out of memory"));
      return;
    }
  if (PQstatus (self->conn) == CONNECTION_BAD)
    {
      attempt_failed (self, connect_error (self->conn, NULL));
      return;
    }
  PQsetNoticeReceiver (self->conn, notice_receiver, NULL);

  self->connect_timer = g_timeout_source_new_seconds (MIN ((guint) per_host_s * n_entries,
                                                           MAX_CONNECT_TIMEOUT_S));
  g_source_set_callback (self->connect_timer, on_connect_timeout, self, NULL);
  g_source_set_static_name (self->connect_timer, "[rd] connect timeout");
  g_source_attach (self->connect_timer, self->context);

  /* libpq's rule: after PQconnectStart, behave as if PQconnectPoll had
   * asked to wait for writing. */
  watch_socket (self, G_IO_OUT);
  if (self->socket_source == NULL)
    poll_connect (self);
}

typedef struct
{
  GWeakRef   self;
  HostEntry *entry;
  guint      generation;
} ResolveData;

static void
finish_resolving (RdConnection *self)
{
  PQconninfoOption *opts;
  char *errmsg = NULL;

  opts = PQconninfoParse (self->conninfo, &errmsg);
  g_clear_pointer (&errmsg, PQfreemem);
  if (opts == NULL)
    {
      attempt_failed (self, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                                                 _("The connection settings are not valid. Check the server profile.")));
      return;
    }
  start_libpq (self, opts);
  PQconninfoFree (opts);
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ResolveData *data = user_data;
  g_autoptr(RdConnection) self = g_weak_ref_get (&data->self);
  g_autoptr(GError) error = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);

  if (self != NULL && data->generation == self->generation && self->phase == PHASE_RESOLVING)
    {
      if (error != NULL)
        g_debug ("a database host name did not resolve: %s", error->message);
      data->entry->addresses = g_steal_pointer (&addresses);
      if (--self->pending_resolves == 0)
        finish_resolving (self);
    }

  g_resolver_free_addresses (addresses);
  g_weak_ref_clear (&data->self);
  g_free (data);
}

static void
start_connect (RdConnection *self)
{
  PQconninfoOption *opts;
  char *errmsg = NULL;
  const char *host, *hostaddr, *port;
  g_auto(GStrv) host_list = NULL;
  g_auto(GStrv) port_list = NULL;
  g_auto(GStrv) addr_list = NULL;
  guint n;

  clear_timer (&self->retry_timer);
  teardown (self);
  self->attempts++;
  set_phase (self, PHASE_RESOLVING);

  opts = PQconninfoParse (self->conninfo, &errmsg);
  g_clear_pointer (&errmsg, PQfreemem);
  if (opts == NULL)
    {
      /* The message may quote the conninfo, password included: not shown. */
      attempt_failed (self, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                                                 _("The connection settings are not valid. Check the server profile.")));
      return;
    }

  host = option_value (opts, "host");
  hostaddr = option_value (opts, "hostaddr");
  port = option_value (opts, "port");
  if (host == NULL || *host == '\0')
    host = g_getenv ("PGHOST");
  if (hostaddr == NULL || *hostaddr == '\0')
    hostaddr = g_getenv ("PGHOSTADDR");
  if (port == NULL || *port == '\0')
    port = g_getenv ("PGPORT");

  host_list = g_strsplit (host ? host : "", ",", -1);
  addr_list = g_strsplit (hostaddr ? hostaddr : "", ",", -1);
  port_list = g_strsplit (port ? port : "", ",", -1);
  n = MAX (MAX (g_strv_length (host_list), g_strv_length (addr_list)), 1);

  self->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) host_entry_free);
  for (guint i = 0; i < n; i++)
    {
      HostEntry *e = g_new0 (HostEntry, 1);
      const char *h = i < g_strv_length (host_list) ? host_list[i] : NULL;
      const char *a = i < g_strv_length (addr_list) ? addr_list[i] : NULL;
      const char *p = g_strv_length (port_list) == 1 ? port_list[0] :
                      i < g_strv_length (port_list) ? port_list[i] : NULL;

      e->host = g_strdup (h && *h ? h : NULL);
      e->hostaddr = g_strdup (a && *a ? a : NULL);
      e->port = g_strdup (p && *p ? p : NULL);
      /* Sockets, literal addresses and explicit hostaddr need no lookup. */
      e->resolve = e->hostaddr == NULL && e->host != NULL &&
                   e->host[0] != '/' && e->host[0] != '@' &&
                   !g_hostname_is_ip_address (e->host);
      g_ptr_array_add (self->hosts, e);
    }
  PQconninfoFree (opts);

  self->resolve_cancellable = g_cancellable_new ();
  for (guint i = 0; i < self->hosts->len; i++)
    {
      HostEntry *e = g_ptr_array_index (self->hosts, i);
      g_autoptr(GResolver) resolver = NULL;
      ResolveData *data;

      if (!e->resolve)
        continue;

      resolver = g_resolver_get_default ();
      data = g_new0 (ResolveData, 1);
      g_weak_ref_init (&data->self, self);
      data->entry = e;
      data->generation = self->generation;
      self->pending_resolves++;
      g_main_context_push_thread_default (self->context);
      g_resolver_lookup_by_name_async (resolver, e->host, self->resolve_cancellable,
                                       on_resolved, data);
      g_main_context_pop_thread_default (self->context);
    }

  if (self->pending_resolves == 0)
    finish_resolving (self);
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                   */
/* ------------------------------------------------------------------------ */

static void
rd_connection_dispose (GObject *object)
{
  RdConnection *self = (RdConnection *) object;
  g_autoptr(GError) error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CANCELLED,
                                                 _("The connection was closed."));
  g_autoptr(GTask) open_task = take_open_task (self);

  clear_timer (&self->retry_timer);
  drop_session (self, error);
  fail_all_queued (self, error);
  if (open_task != NULL)
    g_task_return_error (open_task, g_error_copy (error));
  self->phase = PHASE_CLOSED;

  G_OBJECT_CLASS (rd_connection_parent_class)->dispose (object);
}

static void
rd_connection_finalize (GObject *object)
{
  RdConnection *self = (RdConnection *) object;

  g_free (self->conninfo);
  g_clear_error (&self->error);
  g_clear_pointer (&self->session_sql, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (rd_connection_parent_class)->finalize (object);
}

static void
rd_connection_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RdConnection *self = RD_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_CONNINFO:
      /* Never handed out: it may carry a password. */
      g_value_set_string (value, NULL);
      break;
    case PROP_STATE:
      g_value_set_enum (value, rd_connection_get_state (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_connection_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  RdConnection *self = RD_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_CONNINFO:
      g_free (self->conninfo);
      self->conninfo = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_connection_class_init (RdConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_connection_dispose;
  object_class->finalize = rd_connection_finalize;
  object_class->get_property = rd_connection_get_property;
  object_class->set_property = rd_connection_set_property;

  /**
   * RdConnection:conninfo:
   *
   * The libpq connection string or URI (write-only: it may hold a password).
   */
  properties[PROP_CONNINFO] =
    g_param_spec_string ("conninfo", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RdConnection:state:
   *
   * Whether the connection is usable now.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       RD_TYPE_CONNECTION_STATE, RD_CONNECTION_STATE_CLOSED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RdConnection::disconnected:
   * @self: the connection
   * @error: why
   *
   * A working connection dropped; reconnecting has started.
   */
  signals[DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * RdConnection::reconnected:
   * @self: the connection
   *
   * The connection is back after a drop. Whatever the session missed (for
   * instance notifications) is lost: refresh.
   */
  signals[RECONNECTED] =
    g_signal_new ("reconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * RdConnection::notification:
   * @self: the connection
   * @channel: the channel
   * @payload: the payload
   * @pid: the backend that sent it
   *
   * A NOTIFY arrived on a channel this session LISTENs on.
   */
  signals[NOTIFICATION] =
    g_signal_new ("notification", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT);
}

static void
rd_connection_init (RdConnection *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->socket_fd = -1;
  self->session_sql = g_ptr_array_new_with_free_func (g_free);
  self->default_timeout_ms = DEFAULT_QUERY_TIMEOUT_MS;
  self->backoff_initial_ms = DEFAULT_BACKOFF_INITIAL_MS;
  self->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
  self->next_backoff_ms = self->backoff_initial_ms;
  g_queue_init (&self->queue);
  g_queue_init (&self->setup_queue);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */
/* ------------------------------------------------------------------------ */

/**
 * rd_connection_new:
 * @conninfo: a libpq connection string or URI; several hosts are accepted
 *   (`host=a,b target_session_attrs=read-write`)
 *
 * Creates a connection bound to the thread-default main context. Nothing
 * happens on the network until rd_connection_open_async().
 *
 * Returns: (transfer full): a new connection
 */
RdConnection *
rd_connection_new (const char *conninfo)
{
  return g_object_new (RD_TYPE_CONNECTION, "conninfo", conninfo ? conninfo : "", NULL);
}

/**
 * rd_connection_add_session_statement:
 * @self: a connection
 * @sql: a statement without parameters, e.g. `LISTEN rd_changes`
 *
 * Runs @sql at the start of every session (the first and each reconnect),
 * before the connection becomes ready. Call before opening.
 */
void
rd_connection_add_session_statement (RdConnection *self,
                                     const char   *sql)
{
  g_return_if_fail (RD_IS_CONNECTION (self));
  g_return_if_fail (sql != NULL);

  g_ptr_array_add (self->session_sql, g_strdup (sql));
}

/**
 * rd_connection_get_state:
 * @self: a connection
 *
 * Returns: the state
 */
RdConnectionState
rd_connection_get_state (RdConnection *self)
{
  g_return_val_if_fail (RD_IS_CONNECTION (self), RD_CONNECTION_STATE_CLOSED);

  switch (self->phase)
    {
    case PHASE_RESOLVING:
    case PHASE_POLLING:
    case PHASE_SETUP:
      return RD_CONNECTION_STATE_CONNECTING;
    case PHASE_READY:
      return RD_CONNECTION_STATE_READY;
    case PHASE_WAITING:
      return RD_CONNECTION_STATE_BROKEN;
    case PHASE_CLOSED:
    default:
      return RD_CONNECTION_STATE_CLOSED;
    }
}

/**
 * rd_connection_get_error:
 * @self: a connection
 *
 * Returns: (nullable) (transfer none): why the connection is not ready, or
 *   %NULL when it is (or was never opened)
 */
const GError *
rd_connection_get_error (RdConnection *self)
{
  g_return_val_if_fail (RD_IS_CONNECTION (self), NULL);
  return self->error;
}

/**
 * rd_connection_get_backend_pid:
 * @self: a connection
 *
 * Returns: the server process id of the current session, or 0
 */
int
rd_connection_get_backend_pid (RdConnection *self)
{
  g_return_val_if_fail (RD_IS_CONNECTION (self), 0);
  return self->conn && self->phase >= PHASE_SETUP ? PQbackendPID (self->conn) : 0;
}

/**
 * rd_connection_get_server_version:
 * @self: a connection
 *
 * Returns: the server version as PostgreSQL numbers it (150004 for 15.4),
 *   or 0 when not connected
 */
int
rd_connection_get_server_version (RdConnection *self)
{
  g_return_val_if_fail (RD_IS_CONNECTION (self), 0);
  return self->conn && self->phase >= PHASE_SETUP ? PQserverVersion (self->conn) : 0;
}

/**
 * rd_connection_get_default_timeout:
 * @self: a connection
 *
 * Returns: the timeout in milliseconds of calls that pass
 *   %RD_CONNECTION_TIMEOUT_DEFAULT
 */
guint
rd_connection_get_default_timeout (RdConnection *self)
{
  g_return_val_if_fail (RD_IS_CONNECTION (self), 0);
  return self->default_timeout_ms;
}

/**
 * rd_connection_set_default_timeout:
 * @self: a connection
 * @timeout_ms: milliseconds; 0 for none
 *
 * Sets the timeout of calls that pass %RD_CONNECTION_TIMEOUT_DEFAULT.
 */
void
rd_connection_set_default_timeout (RdConnection *self,
                                   guint         timeout_ms)
{
  g_return_if_fail (RD_IS_CONNECTION (self));
  self->default_timeout_ms = timeout_ms;
}

/**
 * rd_connection_set_backoff:
 * @self: a connection
 * @initial_ms: the wait before the first reconnect attempt
 * @max_ms: the longest wait between attempts
 *
 * The wait doubles after each failed attempt, up to @max_ms (defaults:
 * 500 ms and 30 s).
 */
void
rd_connection_set_backoff (RdConnection *self,
                           guint         initial_ms,
                           guint         max_ms)
{
  g_return_if_fail (RD_IS_CONNECTION (self));
  g_return_if_fail (initial_ms > 0 && max_ms >= initial_ms);

  self->backoff_initial_ms = initial_ms;
  self->backoff_max_ms = max_ms;
  self->next_backoff_ms = initial_ms;
}

/**
 * rd_connection_reconnect_now:
 * @self: a connection
 *
 * When the connection is waiting to retry, tries at once (a "Try now"
 * button). Does nothing otherwise.
 */
void
rd_connection_reconnect_now (RdConnection *self)
{
  g_return_if_fail (RD_IS_CONNECTION (self));

  if (self->phase == PHASE_WAITING)
    start_connect (self);
}

/**
 * rd_connection_close:
 * @self: a connection
 *
 * Closes the session (for instance when the user signs out). Pending calls
 * fail with %RD_STORE_ERROR_CANCELLED ("the connection was closed", not
 * the caller's own cancellable); later ones fail until the
 * connection is opened again.
 */
void
rd_connection_close (RdConnection *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) open_task = NULL;

  g_return_if_fail (RD_IS_CONNECTION (self));

  error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CANCELLED,
                               _("The connection was closed."));
  open_task = take_open_task (self);
  clear_timer (&self->retry_timer);
  drop_session (self, error);
  g_clear_error (&self->error);
  set_phase (self, PHASE_CLOSED);
  self->ever_ready = FALSE;
  fail_all_queued (self, error);
  if (open_task != NULL)
    g_task_return_error (open_task, g_error_copy (error));
}

static gboolean
on_open_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  RdConnection *self = user_data;
  g_autoptr(GTask) open_task = NULL;

  g_clear_pointer (&self->open_cancel_source, g_source_unref);
  /* The caller gave up; calls queued meanwhile learn that the connection
   * is closed. */
  open_task = take_open_task (self);
  attempt_failed (self, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CANCELLED,
                                             _("The connection was closed.")));
  if (open_task != NULL)
    g_task_return_new_error (open_task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "%s", _("The request was cancelled."));
  return G_SOURCE_REMOVE;
}

/**
 * rd_connection_open_async:
 * @self: a connection
 * @cancellable: (nullable): a cancellable
 * @callback: called when connected or failed
 * @user_data: data for @callback
 *
 * Connects. Fails with %RD_STORE_ERROR_AUTH_FAILED, _UNREACHABLE, _TLS,
 * _SERVER_TOO_OLD (PostgreSQL before 13) or _SCHEMA_MISSING (no such
 * database); a failed first attempt is not retried. Cancelling gives
 * %G_IO_ERROR_CANCELLED and leaves the connection closed. Once connected,
 * drops are repaired by reconnecting.
 */
void
rd_connection_open_async (RdConnection        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RD_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_connection_open_async);
  g_task_set_check_cancellable (task, FALSE);

  if (self->phase == PHASE_READY)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->open_task != NULL || self->phase != PHASE_CLOSED)
    {
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                               _("The connection is already being opened."));
      return;
    }

  self->open_task = g_steal_pointer (&task);
  if (cancellable != NULL)
    {
      self->open_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->open_cancel_source, G_SOURCE_FUNC (on_open_cancelled), self, NULL);
      g_source_attach (self->open_cancel_source, self->context);
    }
  g_clear_error (&self->error);
  self->next_backoff_ms = self->backoff_initial_ms;
  start_connect (self);
}

/**
 * rd_connection_open_finish:
 * @self: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: whether the connection is ready
 */
gboolean
rd_connection_open_finish (RdConnection  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_connection_open_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * rd_connection_query_async:
 * @self: a connection
 * @sql: one statement with `$1`… placeholders; never paste values into it
 * @params: (array length=n_params) (nullable): text parameters (%NULL
 *   elements are SQL NULL)
 * @n_params: the number of parameters
 * @timeout_ms: milliseconds from now (waiting in the queue included),
 *   %RD_CONNECTION_TIMEOUT_DEFAULT or %RD_CONNECTION_TIMEOUT_NONE
 * @cancellable: (nullable): a cancellable
 * @callback: called on the main context with the result
 * @user_data: data for @callback
 *
 * Queues a statement. Statements run one at a time in the order queued.
 * While the connection is re-established, queued calls wait (up to their
 * timeout). Cancelling completes the call at once with
 * %G_IO_ERROR_CANCELLED (as everywhere in GIO) and asks the server to stop
 * the statement; a statement cancelled or timed out late may still have
 * taken effect.
 */
void
rd_connection_query_async (RdConnection        *self,
                           const char          *sql,
                           const char * const  *params,
                           int                  n_params,
                           int                  timeout_ms,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  rd_connection_query_full_async (self, sql, params, NULL, NULL, n_params, 0,
                                  timeout_ms, cancellable, callback, user_data);
}

/**
 * rd_connection_query_full_async:
 * @self: a connection
 * @sql: one statement with `$1`… placeholders
 * @params: (array length=n_params) (nullable): parameter values
 * @lengths: (array length=n_params) (nullable): lengths of binary values
 * @formats: (array length=n_params) (nullable): 0 text, 1 binary per value
 * @n_params: the number of parameters
 * @result_format: 0 for text results, 1 for binary
 * @timeout_ms: as for rd_connection_query_async()
 * @cancellable: (nullable): a cancellable
 * @callback: called on the main context with the result
 * @user_data: data for @callback
 *
 * Like rd_connection_query_async(), with binary parameters or results
 * (document bytes).
 */
void
rd_connection_query_full_async (RdConnection        *self,
                                const char          *sql,
                                const char * const  *params,
                                const int           *lengths,
                                const int           *formats,
                                int                  n_params,
                                int                  result_format,
                                int                  timeout_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  Op *op;

  g_return_if_fail (RD_IS_CONNECTION (self));
  g_return_if_fail (sql != NULL);
  g_return_if_fail (n_params >= 0 && (n_params == 0 || params != NULL));

  op = op_new (self, OP_QUERY, sql, params, lengths, formats, n_params, result_format);
  op->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, rd_connection_query_async);
  /* We report cancellation ourselves (G_IO_ERROR_CANCELLED, at once). */
  g_task_set_check_cancellable (op->task, FALSE);
  submit (self, op, timeout_ms, cancellable);
}

/**
 * rd_connection_query_finish:
 * @self: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (nullable): the rows, or %NULL with @error set
 */
RdResult *
rd_connection_query_finish (RdConnection  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_connection_query_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Transactions                                                              */
/* ------------------------------------------------------------------------ */

static void
queue_tx_op_full (RdTransaction       *tx,
                  OpKind               kind,
                  const char          *sql,
                  const char * const  *params,
                  const int           *lengths,
                  const int           *formats,
                  int                  n_params,
                  int                  result_format,
                  int                  timeout_ms,
                  GCancellable        *cancellable,
                  gpointer             source_tag,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  RdConnection *self = tx->connection;
  Op *op = op_new (self, kind, sql, params, lengths, formats, n_params, result_format);

  op->tx_id = tx->id;
  if (callback != NULL || source_tag != NULL)
    {
      op->task = g_task_new (tx, cancellable, callback, user_data);
      g_task_set_source_tag (op->task, source_tag);
      g_task_set_check_cancellable (op->task, FALSE);
    }
  submit (self, op, timeout_ms, cancellable);
}

static void
queue_tx_op (RdTransaction       *tx,
             OpKind               kind,
             const char          *sql,
             const char * const  *params,
             int                  n_params,
             int                  timeout_ms,
             GCancellable        *cancellable,
             gpointer             source_tag,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  queue_tx_op_full (tx, kind, sql, params, NULL, NULL, n_params, 0, timeout_ms,
                    cancellable, source_tag, callback, user_data);
}

static void
rd_transaction_dispose (GObject *object)
{
  RdTransaction *self = (RdTransaction *) object;

  if (self->connection != NULL)
    {
      if (!self->finished && self->connection->active_tx_id == self->id &&
          self->connection->phase == PHASE_READY)
        {
          /* Dropped without commit: roll back before anything else runs. */
          self->finished = TRUE;
          queue_tx_op (self, OP_ROLLBACK, "ROLLBACK", NULL, 0,
                       RD_CONNECTION_TIMEOUT_DEFAULT, NULL, NULL, NULL, NULL);
        }
      if (self->connection->active_tx == self)
        self->connection->active_tx = NULL;
    }
  self->finished = TRUE;
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (rd_transaction_parent_class)->dispose (object);
}

static void
rd_transaction_class_init (RdTransactionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rd_transaction_dispose;
}

static void
rd_transaction_init (RdTransaction *self)
{
}

/**
 * rd_connection_begin_async:
 * @self: a connection
 * @timeout_ms: timeout of the BEGIN itself (waiting for the connection
 *   included)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the transaction
 * @user_data: data for @callback
 *
 * Opens a transaction. While it is open, only its statements run on this
 * connection: other calls wait. Commit or roll it back promptly; dropping
 * the last reference to an unfinished #RdTransaction rolls it back. If the
 * connection drops meanwhile, the transaction is gone and its later
 * statements fail with %RD_STORE_ERROR_CONNECTION_LOST.
 */
void
rd_connection_begin_async (RdConnection        *self,
                           int                  timeout_ms,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Op *op;

  g_return_if_fail (RD_IS_CONNECTION (self));

  op = op_new (self, OP_BEGIN, "BEGIN", NULL, NULL, NULL, 0, 0);
  op->tx = g_object_new (RD_TYPE_TRANSACTION, NULL);
  op->tx->connection = g_object_ref (self);
  op->tx->id = ++self->next_tx_id;
  op->tx_id = op->tx->id;
  op->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, rd_connection_begin_async);
  g_task_set_check_cancellable (op->task, FALSE);
  submit (self, op, timeout_ms, cancellable);
}

/**
 * rd_connection_begin_finish:
 * @self: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (nullable): the open transaction
 */
RdTransaction *
rd_connection_begin_finish (RdConnection  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_connection_begin_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rd_transaction_get_connection:
 * @self: a transaction
 *
 * Returns: (transfer none): its connection
 */
RdConnection *
rd_transaction_get_connection (RdTransaction *self)
{
  g_return_val_if_fail (RD_IS_TRANSACTION (self), NULL);
  return self->connection;
}

/**
 * rd_transaction_is_finished:
 * @self: a transaction
 *
 * Returns: whether it was committed, rolled back or lost with the connection
 */
gboolean
rd_transaction_is_finished (RdTransaction *self)
{
  g_return_val_if_fail (RD_IS_TRANSACTION (self), TRUE);
  return self->finished;
}

static gboolean
tx_check_open (RdTransaction       *self,
               GCancellable        *cancellable,
               gpointer             source_tag,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  if (!self->finished && self->connection != NULL)
    return TRUE;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION_LOST,
                           _("The change was interrupted and not saved. Try again."));
  return FALSE;
}

/**
 * rd_transaction_query_async:
 * @self: a transaction
 * @sql: one statement with `$1`… placeholders
 * @params: (array length=n_params) (nullable): text parameters
 * @n_params: the number of parameters
 * @timeout_ms: as for rd_connection_query_async()
 * @cancellable: (nullable): a cancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Runs a statement inside the transaction.
 */
void
rd_transaction_query_async (RdTransaction       *self,
                            const char          *sql,
                            const char * const  *params,
                            int                  n_params,
                            int                  timeout_ms,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (RD_IS_TRANSACTION (self));
  g_return_if_fail (sql != NULL);

  if (tx_check_open (self, cancellable, rd_transaction_query_async, callback, user_data))
    queue_tx_op (self, OP_QUERY, sql, params, n_params, timeout_ms, cancellable,
                 rd_transaction_query_async, callback, user_data);
}

/**
 * rd_transaction_query_full_async:
 * @self: a transaction
 * @sql: one statement with `$1`… placeholders
 * @params: (array length=n_params) (nullable): parameter values
 * @lengths: (array length=n_params) (nullable): lengths of binary values
 * @formats: (array length=n_params) (nullable): 0 text, 1 binary per value
 * @n_params: the number of parameters
 * @result_format: 0 for text results, 1 for binary
 * @timeout_ms: as for rd_connection_query_async()
 * @cancellable: (nullable): a cancellable
 * @callback: called with the result; finish with
 *   rd_transaction_query_finish()
 * @user_data: data for @callback
 *
 * Like rd_transaction_query_async(), with binary parameters or results.
 */
void
rd_transaction_query_full_async (RdTransaction       *self,
                                 const char          *sql,
                                 const char * const  *params,
                                 const int           *lengths,
                                 const int           *formats,
                                 int                  n_params,
                                 int                  result_format,
                                 int                  timeout_ms,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (RD_IS_TRANSACTION (self));
  g_return_if_fail (sql != NULL);

  if (tx_check_open (self, cancellable, rd_transaction_query_async, callback, user_data))
    queue_tx_op_full (self, OP_QUERY, sql, params, lengths, formats, n_params, result_format,
                      timeout_ms, cancellable, rd_transaction_query_async, callback, user_data);
}

/**
 * rd_transaction_query_finish:
 * @self: a transaction
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (nullable): the rows
 */
RdResult *
rd_transaction_query_finish (RdTransaction  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_transaction_query_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rd_transaction_commit_async:
 * @self: a transaction
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Commits. Fails when an earlier statement failed (the server then rolled
 * everything back).
 */
void
rd_transaction_commit_async (RdTransaction       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (RD_IS_TRANSACTION (self));

  if (tx_check_open (self, cancellable, rd_transaction_commit_async, callback, user_data))
    {
      self->finished = TRUE;
      queue_tx_op (self, OP_COMMIT, "COMMIT", NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT,
                   cancellable, rd_transaction_commit_async, callback, user_data);
    }
}

/**
 * rd_transaction_commit_finish:
 * @self: a transaction
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: whether the transaction was committed
 */
gboolean
rd_transaction_commit_finish (RdTransaction  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_transaction_commit_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * rd_transaction_rollback_async:
 * @self: a transaction
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Rolls back.
 */
void
rd_transaction_rollback_async (RdTransaction       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (RD_IS_TRANSACTION (self));

  if (tx_check_open (self, cancellable, rd_transaction_rollback_async, callback, user_data))
    {
      self->finished = TRUE;
      queue_tx_op (self, OP_ROLLBACK, "ROLLBACK", NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT,
                   cancellable, rd_transaction_rollback_async, callback, user_data);
    }
}

/**
 * rd_transaction_rollback_finish:
 * @self: a transaction
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: whether the rollback ran
 */
gboolean
rd_transaction_rollback_finish (RdTransaction  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_transaction_rollback_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
