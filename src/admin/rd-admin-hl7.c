/* rd-admin-hl7.c — referral-desk-admin listen-hl7: an MLLP listener
 *
 * MLLP frames a message as 0x0B … 0x1C 0x0D. Each connection keeps a buffer
 * (capped) of the frame being received; bytes outside a frame are dropped,
 * a frame over the cap or a connection idle too long is closed. Complete
 * frames from every connection are filed one at a time, in order of
 * arrival, and each is answered with an ACK in MLLP framing: AA when filed
 * (or recognised as filed before), AE when refused with the reason, AR when
 * it is not an HL7 message at all. A status query (REF^I15) is answered
 * with an RRI^I15 giving the referral's status; the words of a change
 * (REF^I13: what was applied, what was kept) go into the ACK's MSA-3. At
 * most --max-connections connections are served at once; one more is
 * closed as it arrives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib-unix.h>

#include "rd-admin.h"
#include "rd-admin-hl7.h"
#include "rd-admin-import.h"
#include "rd-hl7.h"
#include "rd-intake.h"

#define MLLP_START 0x0B
#define MLLP_END   0x1C
#define MLLP_CR    0x0D

typedef struct _Listener Listener;

typedef struct {
  gatomicrefcount    ref;
  Listener          *listener;
  guint              id;
  GSocketConnection *connection;
  GIOStream         *stream;     /* the connection, or TLS over it */
  GCancellable      *cancellable;
  GByteArray        *frame;
  gboolean           in_frame;
  gboolean           saw_end;
  gboolean           closed;
  gboolean           writing;
  GQueue             out;  /* GBytes: ACKs waiting their turn */
  guint              idle_source;
} Client;

typedef struct {
  Client *client;
  GBytes *frame;
} Job;

struct _Listener {
  RdConnection *conn;
  GMainLoop    *loop;
  GQueue        jobs;
  GHashTable   *clients;  /* Client* → itself, not owned */
  gboolean      busy;
  guint         idle_timeout;
  guint         max_connections;
  GTlsCertificate *certificate;  /* TLS when set */
  guint         next_client;
  guint         ack_counter;
};

static Client *
client_ref (Client *client)
{
  g_atomic_ref_count_inc (&client->ref);
  return client;
}

static void
client_unref (Client *client)
{
  if (!g_atomic_ref_count_dec (&client->ref))
    return;
  g_clear_handle_id (&client->idle_source, g_source_remove);
  if (client->listener->clients != NULL)
    g_hash_table_remove (client->listener->clients, client);
  g_clear_object (&client->stream);
  g_clear_object (&client->connection);
  g_clear_object (&client->cancellable);
  g_byte_array_unref (client->frame);
  g_queue_clear_full (&client->out, (GDestroyNotify) g_bytes_unref);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_unref)

static void
client_close (Client     *client,
              const char *why)
{
  if (client->closed)
    return;
  client->closed = TRUE;
  g_message ("hl7: connection %u closed (%s)", client->id, why);
  g_clear_handle_id (&client->idle_source, g_source_remove);
  g_cancellable_cancel (client->cancellable);
  /* TLS sends its close_notify first; the socket is closed either way. */
  g_io_stream_close (client->stream, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (client->connection), NULL, NULL);
}

static void process_next (Listener *listener);

static void write_next (Client *client);

static void
on_ack_written (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Client) client = user_data;
  g_autoptr(GError) error = NULL;

  client->writing = FALSE;
  g_bytes_unref (g_queue_pop_head (&client->out));
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        client_close (client, "the ACK could not be sent");
      return;
    }
  write_next (client);
}

/* One write at a time on a stream: ACKs go out in the order of the frames. */
static void
write_next (Client *client)
{
  GBytes *next;

  if (client->writing || client->closed || g_queue_is_empty (&client->out))
    return;
  next = g_queue_peek_head (&client->out);
  client->writing = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (client->stream),
                                   g_bytes_get_data (next, NULL), g_bytes_get_size (next),
                                   G_PRIORITY_DEFAULT, client->cancellable, on_ack_written,
                                   client_ref (client));
}

static char *
next_control_id (Listener *listener)
{
  return g_strdup_printf ("RD%" G_GINT64_FORMAT "%u", g_get_real_time () / G_USEC_PER_SEC,
                          ++listener->ack_counter);
}

/* Queues one answer (an ACK, or the response to a status query) in MLLP
 * framing. */
static void
send_answer (Client     *client,
             const char *ack)
{
  g_autoptr(GBytes) framed = NULL;
  GByteArray *out;
  gsize len;

  if (client->closed)
    return;
  len = strlen (ack);
  out = g_byte_array_sized_new (len + 3);
  g_byte_array_append (out, (const guint8 *) "\x0b", 1);
  g_byte_array_append (out, (const guint8 *) ack, len);
  g_byte_array_append (out, (const guint8 *) "\x1c\x0d", 2);
  framed = g_byte_array_free_to_bytes (out);
  g_queue_push_tail (&client->out, g_steal_pointer (&framed));
  write_next (client);
}

static void
send_ack (Client       *client,
          RdHl7Message *request,
          RdHl7AckCode  code,
          const GError *error)
{
  g_autofree char *control_id = NULL;
  g_autofree char *ack = NULL;

  if (client->closed)
    return;
  control_id = next_control_id (client->listener);
  ack = rd_hl7_build_ack (request, code, error, control_id, NULL);
  send_answer (client, ack);
}

typedef struct {
  Listener      *listener;
  Client        *client;
  RdHl7Message  *message;
  RdIntakeEvent  event;
} FileJob;

static void
on_filed (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  FileJob *fj = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeSummary) summary = NULL;
  g_autofree char *control_id = rd_hl7_message_dup_control_id (fj->message);
  Listener *listener = fj->listener;

  summary = rd_intake_file_finish (RD_CONNECTION (source), result, &error);
  if (summary == NULL)
    {
      g_message ("hl7: message %s not filed: the database refused it", control_id);
      send_ack (fj->client, fj->message, RD_HL7_ACK_AE, error);
    }
  else if (summary->outcome == RD_INTAKE_OUTCOME_REJECTED)
    {
      g_autoptr(GError) why = g_error_new_literal (RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                                                   summary->reason != NULL ? summary->reason : "");

      g_message ("hl7: message %s refused", control_id);
      send_ack (fj->client, fj->message, RD_HL7_ACK_AE, why);
    }
  else if (fj->event == RD_INTAKE_EVENT_STATUS_QUERY && summary->status != NULL)
    {
      g_autofree char *response_id = next_control_id (listener);
      g_autofree char *response = rd_hl7_build_status_response (fj->message, summary->status,
                                                                summary->number, summary->message,
                                                                response_id, NULL);

      g_message ("hl7: message %s asked for the status of referral %" G_GINT64_FORMAT,
                 control_id, summary->referral_id);
      if (!fj->client->closed)
        send_answer (fj->client, response);
    }
  else
    {
      /* AA; the words of a change (what was applied, what kept) go to MSA-3. */
      g_autoptr(GError) remark = summary->message != NULL
        ? g_error_new_literal (RD_INTAKE_ERROR, 0, summary->message) : NULL;

      g_message ("hl7: message %s %s as referral %" G_GINT64_FORMAT, control_id,
                 rd_intake_outcome_to_string (summary->outcome), summary->referral_id);
      send_ack (fj->client, fj->message, RD_HL7_ACK_AA, remark);
    }

  client_unref (fj->client);
  g_object_unref (fj->message);
  g_free (fj);
  listener->busy = FALSE;
  process_next (listener);
}

static void
process_next (Listener *listener)
{
  while (!listener->busy && !g_queue_is_empty (&listener->jobs))
    {
      Job *job = g_queue_pop_head (&listener->jobs);
      g_autoptr(Client) client = job->client;
      g_autoptr(GBytes) frame = job->frame;
      g_autoptr(GError) error = NULL;
      g_autoptr(RdHl7Message) message = NULL;
      g_autoptr(RdIntakeResult) result = NULL;
      g_autofree char *key = NULL;
      FileJob *fj;

      g_free (job);
      result = rd_hl7_import (frame, &message, &error);
      if (message == NULL)
        {
          g_message ("hl7: connection %u sent a frame that is not an HL7 message", client->id);
          send_ack (client, NULL, RD_HL7_ACK_AR, error);
          continue;
        }
      if (result == NULL)
        {
          g_autofree char *control_id = rd_hl7_message_dup_control_id (message);

          g_message ("hl7: message %s refused by the parser", control_id);
          send_ack (client, message, RD_HL7_ACK_AE, error);
          continue;
        }

      listener->busy = TRUE;
      key = rd_intake_file_source_key (frame);
      fj = g_new0 (FileJob, 1);
      fj->listener = listener;
      fj->client = g_steal_pointer (&client);
      fj->message = g_steal_pointer (&message);
      fj->event = rd_intake_result_get_event (result);
      rd_intake_file_async (listener->conn, result, key, NULL, NULL, on_filed, fj);
    }
}

static void
take_frame (Client *client)
{
  Job *job = g_new0 (Job, 1);

  job->client = client_ref (client);
  job->frame = g_bytes_new (client->frame->data, client->frame->len);
  g_byte_array_set_size (client->frame, 0);
  g_queue_push_tail (&client->listener->jobs, job);
}

/* Returns FALSE when the connection must be closed. */
static gboolean
consume (Client       *client,
         const guint8 *data,
         gsize         len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];

      if (!client->in_frame)
        {
          /* Anything between frames (stray line ends, garbage) is dropped. */
          if (c == MLLP_START)
            {
              client->in_frame = TRUE;
              client->saw_end = FALSE;
              g_byte_array_set_size (client->frame, 0);
            }
          continue;
        }

      if (client->saw_end)
        {
          client->saw_end = FALSE;
          if (c == MLLP_CR)
            {
              client->in_frame = FALSE;
              take_frame (client);
              continue;
            }
          g_byte_array_append (client->frame, (const guint8 *) "\x1c", 1);
        }

      if (c == MLLP_END)
        client->saw_end = TRUE;
      else if (c == MLLP_START)
        /* A new start inside a frame: the sender gave up the last one. */
        g_byte_array_set_size (client->frame, 0);
      else
        g_byte_array_append (client->frame, &c, 1);

      if (client->frame->len > RD_ADMIN_HL7_MAX_FRAME)
        return FALSE;
    }
  return TRUE;
}

static gboolean
on_idle_timeout (gpointer user_data)
{
  Client *client = user_data;

  client->idle_source = 0;
  client_close (client, "idle");
  return G_SOURCE_REMOVE;
}

static void
reset_idle (Client *client)
{
  g_clear_handle_id (&client->idle_source, g_source_remove);
  if (client->listener->idle_timeout > 0)
    client->idle_source = g_timeout_add_seconds (client->listener->idle_timeout, on_idle_timeout, client);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Client) client = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len = 0;
  const guint8 *data;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        client_close (client, "read failed");
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    {
      client_close (client, client->in_frame ? "disconnected in the middle of a frame" : "disconnected");
      return;
    }
  if (!consume (client, data, len))
    {
      client_close (client, "frame too large");
      return;
    }
  process_next (client->listener);
  reset_idle (client);
  g_input_stream_read_bytes_async (G_INPUT_STREAM (source), 64 * 1024, G_PRIORITY_DEFAULT,
                                   client->cancellable, on_read, client_ref (client));
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  Listener *listener = user_data;
  Client *client;

  /* A sender opening connection after connection must not exhaust the
   * listener: past the cap, a new connection is closed at once (the
   * sender's engine retries later). The log names no address or content. */
  if (g_hash_table_size (listener->clients) >= listener->max_connections)
    {
      g_message ("hl7: a new connection was closed at once: %u connections are open, the most allowed",
                 g_hash_table_size (listener->clients));
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  client = g_new0 (Client, 1);
  g_atomic_ref_count_init (&client->ref);
  if (listener->certificate != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* The handshake happens with the first read; a sender speaking plain
       * MLLP to a TLS port fails it and is closed. */
      client->stream = G_IO_STREAM (g_tls_server_connection_new (G_IO_STREAM (connection),
                                                                 listener->certificate, &error));
      if (client->stream == NULL)
        {
          g_message ("hl7: a new connection was closed: TLS could not start (%s)", error->message);
          g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
          g_free (client);
          return TRUE;
        }
    }
  else
    client->stream = g_object_ref (G_IO_STREAM (connection));
  client->listener = listener;
  client->id = ++listener->next_client;
  client->connection = g_object_ref (connection);
  client->cancellable = g_cancellable_new ();
  client->frame = g_byte_array_new ();
  g_hash_table_add (listener->clients, client);
  g_message ("hl7: connection %u opened", client->id);
  reset_idle (client);
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (client->stream),
                                   64 * 1024, G_PRIORITY_DEFAULT, client->cancellable,
                                   on_read, client);
  return TRUE;
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/**
 * rd_admin_listen_hl7:
 * @argc: arguments
 * @argv: (array length=argc): `listen-hl7 [--db CONNINFO] [--address A]
 *   [--idle-timeout S] [--max-connections N] --port N`
 *
 * Returns: the exit status
 */
int
rd_admin_listen_hl7 (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *db = NULL;
  g_autofree char *bind_address = NULL;
  g_autofree char *shown = NULL;
  Listener listener = { 0 };
  int port = -1;
  int idle = 60;
  int max_connections = 32;
  g_autofree char *tls_certificate = NULL;
  g_autofree char *tls_key = NULL;
  guint sigint, sigterm;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db,
      N_("A libpq connection string or URI (default: libpq’s PG* environment variables)"), N_("CONNINFO") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &bind_address,
      N_("The address to listen on (default: 127.0.0.1)"), N_("ADDRESS") },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("The TCP port (0: any free port, printed)"), N_("N") },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle,
      N_("Close a connection silent for this many seconds (default: 60; 0: never)"), N_("SECONDS") },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections,
      N_("Close new connections at once while this many are open (default: 32)"), N_("N") },
    { "tls-certificate", 0, 0, G_OPTION_ARG_FILENAME, &tls_certificate,
      N_("Speak MLLP over TLS with this certificate (PEM; with --tls-key)"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
      N_("The private key of the TLS certificate (PEM)"), N_("FILE") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Receives HL7 v2 referrals over MLLP, files each once and acknowledges it."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return rd_admin_fail ("%s", error->message) + 1;
  if (argc != 1 || port < 0 || port > 65535 || idle < 0 || max_connections < 1
      || (tls_certificate == NULL) != (tls_key == NULL))
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fputs (help, stderr);
      return 2;
    }

  inet = g_inet_address_new_from_string (bind_address != NULL ? bind_address : "127.0.0.1");
  if (inet == NULL)
    return rd_admin_fail (_("“%s” is not an IP address. Give one such as 127.0.0.1."), bind_address);

  if (tls_certificate != NULL)
    {
      listener.certificate = g_tls_certificate_new_from_files (tls_certificate, tls_key, &error);
      if (listener.certificate == NULL)
        return rd_admin_fail (_("The TLS certificate or key cannot be used: %s"), error->message);
    }

  listener.conn = rd_admin_open_connection (db, &error);
  if (listener.conn == NULL)
    g_clear_object (&listener.certificate);
  if (listener.conn == NULL)
    return rd_admin_fail (_("Could not connect to the database: %s"), error->message);
  listener.idle_timeout = (guint) idle;
  listener.max_connections = (guint) max_connections;
  g_queue_init (&listener.jobs);
  listener.clients = g_hash_table_new (NULL, NULL);

  address = g_inet_socket_address_new (inet, (guint16) port);
  service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error))
    {
      g_clear_object (&listener.conn);
      g_clear_object (&listener.certificate);
      return rd_admin_fail (_("Could not listen on port %d: %s"), port, error->message);
    }
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), &listener);

  shown = g_inet_address_to_string (inet);
  if (listener.certificate != NULL)
    printf (_("Listening for HL7 v2 (MLLP over TLS) on %s port %u.\n"), shown,
            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  else
    printf (_("Listening for HL7 v2 (MLLP) on %s port %u.\n"), shown,
            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  listener.loop = loop;
  sigint = g_unix_signal_add (SIGINT, on_signal, loop);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, loop);
  g_socket_service_start (service);
  g_main_loop_run (loop);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_source_remove (sigint);
  g_source_remove (sigterm);

  /* Let a filing under way finish, so that its ACK is not lost for a
   * message that was stored. */
  while (listener.busy)
    g_main_context_iteration (NULL, TRUE);
  while (!g_queue_is_empty (&listener.jobs))
    {
      Job *job = g_queue_pop_head (&listener.jobs);

      client_unref (job->client);
      g_bytes_unref (job->frame);
      g_free (job);
    }
  /* Close every connection and let their reads end. */
  {
    GHashTableIter iter;
    gpointer key;
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    g_hash_table_iter_init (&iter, listener.clients);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      client_close (key, "shutting down");
    while (g_hash_table_size (listener.clients) > 0 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
  }
  g_clear_pointer (&listener.clients, g_hash_table_unref);
  g_clear_object (&listener.conn);
  g_clear_object (&listener.certificate);
  return 0;
}
