/* rd-listener.c — change notifications from the database, on the main thread
 *
 * A listener owns its own RdConnection (DESIGN.md §6: the LISTEN connection
 * goes direct, never through a pool). `LISTEN` is a session statement of
 * that connection, so it runs again on every reconnect before the
 * connection is ready; "resync" follows each reconnect, because whatever
 * was notified while we were away is lost.
 *
 * The schema's triggers (src/store/sql/0002_triggers.sql) send a JSON object
 * with "table", "id", "version" and "op" (INSERT, UPDATE, DELETE), or
 * {"table", "op": "BULK", "rows"} for statements touching many rows. Any
 * session may NOTIFY, so the payload is parsed defensively; what does not
 * fit is ignored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-listener.h"
#include "rd-store-error.h"

struct _RdListener
{
  GObject       parent_instance;
  RdConnection *connection;
  char         *channel;
};

G_DEFINE_FINAL_TYPE (RdListener, rd_listener, G_TYPE_OBJECT)

enum {
  CHANGED,
  RESYNC,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------------ */
/* A flat JSON object of strings and integers, nothing more                  */
/* ------------------------------------------------------------------------ */

static void
skip_ws (const char **p)
{
  while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
    (*p)++;
}

static char *
parse_string (const char **p)
{
  g_autoptr(GString) s = g_string_new (NULL);

  if (**p != '"')
    return NULL;
  (*p)++;
  while (**p != '"')
    {
      char c = **p;

      if (c == '\0' || s->len > 256)
        return NULL;
      if (c == '\\')
        {
          (*p)++;
          switch (**p)
            {
            case '"': case '\\': case '/':
              g_string_append_c (s, **p);
              break;
            case 'n': g_string_append_c (s, '\n'); break;
            case 't': g_string_append_c (s, '\t'); break;
            default:
              /* Our payloads never need \u escapes or others. */
              return NULL;
            }
          (*p)++;
          continue;
        }
      g_string_append_c (s, c);
      (*p)++;
    }
  (*p)++;
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
parse_int (const char **p,
           gint64      *out)
{
  const char *start = *p;
  char *end = NULL;
  gint64 v;

  if (**p == '-')
    (*p)++;
  if (!g_ascii_isdigit (**p))
    return FALSE;
  while (g_ascii_isdigit (**p))
    (*p)++;
  if (**p == '.' || **p == 'e' || **p == 'E')
    return FALSE;
  v = g_ascii_strtoll (start, &end, 10);
  if (end != *p)
    return FALSE;
  *out = v;
  return TRUE;
}

/**
 * rd_listener_parse_payload:
 * @payload: a notification payload
 * @table: (out) (optional) (transfer full): the table
 * @id: (out) (optional): the row id (0 for BULK)
 * @version: (out) (optional): the row version (0 when not sent)
 * @op: (out) (optional) (transfer full): INSERT, UPDATE, DELETE or BULK
 *
 * Returns: whether @payload is a change notification
 */
gboolean
rd_listener_parse_payload (const char  *payload,
                           char       **table,
                           gint64      *id,
                           gint64      *version,
                           char       **op)
{
  g_autofree char *t = NULL;
  g_autofree char *o = NULL;
  gint64 i = 0, v = 0;
  gboolean have_id = FALSE;
  const char *p = payload;

  if (payload == NULL || strlen (payload) > 1024)
    return FALSE;

  skip_ws (&p);
  if (*p++ != '{')
    return FALSE;
  skip_ws (&p);

  while (*p != '}')
    {
      g_autofree char *key = parse_string (&p);

      if (key == NULL)
        return FALSE;
      skip_ws (&p);
      if (*p++ != ':')
        return FALSE;
      skip_ws (&p);

      if (*p == '"')
        {
          g_autofree char *val = parse_string (&p);

          if (val == NULL)
            return FALSE;
          if (strcmp (key, "table") == 0)
            {
              g_free (t);
              t = g_steal_pointer (&val);
            }
          else if (strcmp (key, "op") == 0)
            {
              g_free (o);
              o = g_steal_pointer (&val);
            }
        }
      else if (strncmp (p, "null", 4) == 0)
        p += 4;
      else
        {
          gint64 n;

          if (!parse_int (&p, &n))
            return FALSE;
          if (strcmp (key, "id") == 0)
            {
              i = n;
              have_id = TRUE;
            }
          else if (strcmp (key, "version") == 0)
            v = n;
        }

      skip_ws (&p);
      if (*p == ',')
        {
          p++;
          skip_ws (&p);
        }
      else if (*p != '}')
        return FALSE;
    }
  p++;
  skip_ws (&p);
  if (*p != '\0' || t == NULL || *t == '\0' || o == NULL)
    return FALSE;

  if (strcmp (o, "BULK") == 0)
    i = v = 0;
  else if (!have_id || (strcmp (o, "INSERT") != 0 && strcmp (o, "UPDATE") != 0 &&
                        strcmp (o, "DELETE") != 0))
    return FALSE;

  if (table != NULL)
    *table = g_steal_pointer (&t);
  if (op != NULL)
    *op = g_steal_pointer (&o);
  if (id != NULL)
    *id = i;
  if (version != NULL)
    *version = v;
  return TRUE;
}

/* ------------------------------------------------------------------------ */

static void
on_notification (RdConnection *connection,
                 const char   *channel,
                 const char   *payload,
                 int           pid,
                 RdListener   *self)
{
  g_autofree char *table = NULL;
  g_autofree char *op = NULL;
  gint64 id = 0, version = 0;

  if (g_strcmp0 (channel, self->channel) != 0)
    return;

  if (!rd_listener_parse_payload (payload, &table, &id, &version, &op))
    {
      g_debug ("ignoring a notification that is not a change record");
      return;
    }

  g_signal_emit (self, signals[CHANGED], 0, table, id, version, op);
}

static void
on_reconnected (RdConnection *connection,
                RdListener   *self)
{
  g_debug ("listener reconnected; asking views to resync");
  g_signal_emit (self, signals[RESYNC], 0);
}

static void
rd_listener_dispose (GObject *object)
{
  RdListener *self = (RdListener *) object;

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      rd_connection_close (self->connection);
    }
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (rd_listener_parent_class)->dispose (object);
}

static void
rd_listener_finalize (GObject *object)
{
  RdListener *self = (RdListener *) object;

  g_free (self->channel);

  G_OBJECT_CLASS (rd_listener_parent_class)->finalize (object);
}

static void
rd_listener_class_init (RdListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_listener_dispose;
  object_class->finalize = rd_listener_finalize;

  /**
   * RdListener::changed:
   * @self: the listener
   * @table: the table, e.g. "referral"
   * @id: the row id, 0 for a bulk change
   * @version: the row version after the change (0 when unknown)
   * @op: "INSERT", "UPDATE", "DELETE", or "BULK" (many rows of @table
   *   changed at once: refresh what shows that table)
   *
   * A row changed (committed by any session, this workstation's included).
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING);

  /**
   * RdListener::resync:
   * @self: the listener
   *
   * The listening connection was re-established: notifications may have
   * been missed, so refresh everything shown.
   */
  signals[RESYNC] =
    g_signal_new ("resync", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rd_listener_init (RdListener *self)
{
}

static gboolean
channel_is_valid (const char *channel)
{
  if (channel == NULL || !(g_ascii_islower (channel[0]) || channel[0] == '_'))
    return FALSE;
  for (const char *p = channel; *p; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_'))
      return FALSE;
  return strlen (channel) < 64;
}

/**
 * rd_listener_new_for_channel:
 * @conninfo: a libpq connection string or URI
 * @channel: a channel name of lower-case letters, digits and underscores
 *
 * Returns: (transfer full): a listener; call rd_listener_start_async()
 */
RdListener *
rd_listener_new_for_channel (const char *conninfo,
                             const char *channel)
{
  RdListener *self;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (channel_is_valid (channel), NULL);

  self = g_object_new (RD_TYPE_LISTENER, NULL);
  self->channel = g_strdup (channel);
  self->connection = rd_connection_new (conninfo);
  /* A checked identifier of our own, not a value: safe to place in SQL. */
  sql = g_strdup_printf ("LISTEN \"%s\"", channel);
  rd_connection_add_session_statement (self->connection, sql);
  g_signal_connect (self->connection, "notification", G_CALLBACK (on_notification), self);
  g_signal_connect (self->connection, "reconnected", G_CALLBACK (on_reconnected), self);
  return self;
}

/**
 * rd_listener_new:
 * @conninfo: a libpq connection string or URI
 *
 * Returns: (transfer full): a listener on %RD_LISTENER_DEFAULT_CHANNEL
 */
RdListener *
rd_listener_new (const char *conninfo)
{
  return rd_listener_new_for_channel (conninfo, RD_LISTENER_DEFAULT_CHANNEL);
}

/**
 * rd_listener_get_connection:
 * @self: a listener
 *
 * Returns: (transfer none): the listening connection (for its state and
 *   "disconnected" signal)
 */
RdConnection *
rd_listener_get_connection (RdListener *self)
{
  g_return_val_if_fail (RD_IS_LISTENER (self), NULL);
  return self->connection;
}

/**
 * rd_listener_get_channel:
 * @self: a listener
 *
 * Returns: the channel listened on
 */
const char *
rd_listener_get_channel (RdListener *self)
{
  g_return_val_if_fail (RD_IS_LISTENER (self), NULL);
  return self->channel;
}

static void
on_open_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!rd_connection_open_finish (RD_CONNECTION (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * rd_listener_start_async:
 * @self: a listener
 * @cancellable: (nullable): a cancellable
 * @callback: called once listening (or failed)
 * @user_data: data for @callback
 *
 * Connects and starts listening. Later drops are repaired by themselves,
 * each followed by "resync".
 */
void
rd_listener_start_async (RdListener          *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RD_IS_LISTENER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_listener_start_async);
  /* A cancelled start reports G_IO_ERROR_CANCELLED, like every call of
   * the data layer. */
  rd_connection_open_async (self->connection, cancellable, on_open_done, g_steal_pointer (&task));
}

/**
 * rd_listener_start_finish:
 * @self: a listener
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: whether the listener is listening
 */
gboolean
rd_listener_start_finish (RdListener    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_listener_start_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
