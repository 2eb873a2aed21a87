/* test-mllp.c — the MLLP listener of referral-desk-admin listen-hl7: pieces,
 * two messages in one write, garbage, a disconnect mid-frame; each answered,
 * none lost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "schema-fixture.h"

typedef struct {
  GSubprocess *listener;
  guint16      port;
} Fixture;

static char *
read_corpus (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* The same message with another MSH-10: a different message to the listener. */
static char *
with_control_id (const char *message,
                 const char *suffix)
{
  g_auto(GStrv) fields = g_strsplit (message, "|", 11);
  g_autofree char *id = NULL;

  g_assert_cmpuint (g_strv_length (fields), ==, 11);
  id = g_strconcat (fields[9], suffix, NULL);
  g_free (fields[9]);
  fields[9] = g_steal_pointer (&id);
  return g_strjoinv ("|", fields);
}

static char *
frame (const char *message)
{
  return g_strdup_printf ("\x0b%s\x1c\x0d", message);
}

static GSocketConnection *
connect_to (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 20);
  return conn;
}

static void
send_bytes (GSocketConnection *conn,
            const char        *data,
            gsize              len)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), data, len,
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Reads one MLLP frame (the ACK) and returns its content. */
static char *
read_ack_from (GIOStream *stream)
{
  GInputStream *in = g_io_stream_get_input_stream (stream);
  g_autoptr(GString) ack = g_string_new (NULL);
  gboolean started = FALSE;
  char c;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_input_stream_read (in, &c, 1, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, ==, 1);
      if (!started)
        {
          g_assert_cmpint (c, ==, 0x0b);
          started = TRUE;
          continue;
        }
      if (c == 0x1c)
        {
          n = g_input_stream_read (in, &c, 1, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpint (c, ==, 0x0d);
          return g_string_free (g_steal_pointer (&ack), FALSE);
        }
      g_string_append_c (ack, c);
    }
}

static char *
read_ack (GSocketConnection *conn)
{
  return read_ack_from (G_IO_STREAM (conn));
}

static void
assert_ack (const char *ack,
            const char *code)
{
  g_autofree char *msa = g_strconcat ("MSA|", code, "|", NULL);

  g_test_message ("ACK: %s", ack);
  g_assert_true (g_str_has_prefix (ack, "MSH|"));
  g_assert_nonnull (strstr (ack, msa));
}

/* The listener goes when the test does, even when an assertion failed. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_listener_with (Fixture            *fx,
                     const char         *conninfo,
                     const char         *idle_timeout,
                     const char         *max_connections,
                     const char * const *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_arg = g_strconcat ("--db=", conninfo, NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  const char *port;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) RD_ADMIN_EXE);
  g_ptr_array_add (argv, (gpointer) "listen-hl7");
  g_ptr_array_add (argv, db_arg);
  g_ptr_array_add (argv, (gpointer) "--port=0");
  g_ptr_array_add (argv, (gpointer) "--idle-timeout");
  g_ptr_array_add (argv, (gpointer) idle_timeout);
  g_ptr_array_add (argv, (gpointer) "--max-connections");
  g_ptr_array_add (argv, (gpointer) max_connections);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);
  fx->listener = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fx->listener));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port = strstr (line, "port ");
  g_assert_nonnull (port);
  fx->port = (guint16) g_ascii_strtoull (port + 5, NULL, 10);
  g_assert_cmpuint (fx->port, >, 0);
}

static void
start_listener (Fixture    *fx,
                const char *conninfo,
                const char *idle_timeout)
{
  start_listener_with (fx, conninfo, idle_timeout, "32", NULL);
}

static void
stop_listener (Fixture *fx)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (fx->listener, SIGTERM);
  g_subprocess_wait (fx->listener, NULL, &error);
  g_assert_no_error (error);
  /* A clean exit: no crash, no leak report. */
  g_assert_true (g_subprocess_get_if_exited (fx->listener));
  g_assert_cmpint (g_subprocess_get_exit_status (fx->listener), ==, 0);
  g_clear_object (&fx->listener);
}

static void
test_mllp (void)
{
  g_autoptr(FxDb) db = NULL;
  g_autofree char *dir = rd_test_corpus_dir ("hl7v2");
  g_autofree char *queue = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *ref2 = NULL;
  g_autofree char *adt = NULL;
  Fixture fx = { NULL, 0 };

  if (dir == NULL)
    return;
  db = fx_db_new ();
  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  conninfo = rd_test_pg_conninfo (db->dbname, NULL);
  ref = read_corpus (dir, "REF-I12-01.hl7");
  ref2 = with_control_id (ref, "B");
  adt = read_corpus (dir, "ADT-A01-01.hl7");
  start_listener (&fx, conninfo, "60");

  /* A message in pieces, with garbage before it. */
  {
    g_autoptr(GSocketConnection) conn = connect_to (fx.port);
    g_autofree char *framed = frame (ref);
    g_autofree char *ack = NULL;
    gsize len = strlen (framed), third = len / 3;

    send_bytes (conn, "\r\nnoise", 7);
    send_bytes (conn, framed, third);
    g_usleep (100 * 1000);
    send_bytes (conn, framed + third, third);
    g_usleep (100 * 1000);
    send_bytes (conn, framed + 2 * third, len - 2 * third);
    ack = read_ack (conn);
    assert_ack (ack, "AA");
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral", NULL), ==, 1);
  }

  /* Two messages in one write: a second referral and an ADT (refused, with
   * the reason), then a garbage frame (rejected), on one connection. */
  {
    g_autoptr(GSocketConnection) conn = connect_to (fx.port);
    g_autofree char *a = frame (ref2);
    g_autofree char *b = frame (adt);
    g_autofree char *both = g_strconcat (a, b, NULL);
    g_autofree char *ack1 = NULL;
    g_autofree char *ack2 = NULL;
    g_autofree char *ack3 = NULL;

    send_bytes (conn, both, strlen (both));
    ack1 = read_ack (conn);
    ack2 = read_ack (conn);
    assert_ack (ack1, "AA");
    assert_ack (ack2, "AE");
    g_assert_nonnull (strstr (ack2, "ADT"));
    send_bytes (conn, "\x0bthis is not HL7\x1c\x0d", 18);
    ack3 = read_ack (conn);
    assert_ack (ack3, "AR");
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral", NULL), ==, 2);
  }

  /* A sender that disconnects mid-frame, then sends again: the half frame
   * is dropped, the whole one is recognised as filed before (AA), and
   * nothing is stored twice. */
  {
    g_autoptr(GSocketConnection) conn = connect_to (fx.port);
    g_autoptr(GSocketConnection) again = NULL;
    g_autofree char *framed = frame (ref);
    g_autofree char *ack = NULL;

    send_bytes (conn, framed, strlen (framed) / 2);
    g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
    again = connect_to (fx.port);
    send_bytes (again, framed, strlen (framed));
    ack = read_ack (again);
    assert_ack (ack, "AA");
  }

  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral", NULL), ==, 2);
  /* The second referral is for the same patient (same MRN): linked, not
   * created again. */
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.patient", NULL), ==, 1);
  stop_listener (&fx);
}

static void
assert_closed_by_listener (GSocketConnection *conn)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_autoptr(GError) error = NULL;
  char buf[256];
  gssize n;

  /* Nothing comes back but the end of the stream (or a reset). */
  n = g_input_stream_read (in, buf, sizeof buf, NULL, &error);
  if (error != NULL)
    g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  else
    g_assert_cmpint (n, ==, 0);
}

static void
test_mllp_limits (void)
{
  g_autoptr(FxDb) db = NULL;
  g_autofree char *dir = rd_test_corpus_dir ("hl7v2");
  g_autofree char *queue = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *ref = NULL;
  Fixture fx = { NULL, 0 };

  if (dir == NULL)
    return;
  db = fx_db_new ();
  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  conninfo = rd_test_pg_conninfo (db->dbname, NULL);
  ref = read_corpus (dir, "REF-I12-01.hl7");
  start_listener (&fx, conninfo, "1");

  /* A half-sent frame and then silence: closed after the idle timeout. */
  {
    g_autoptr(GSocketConnection) conn = connect_to (fx.port);
    g_autofree char *framed = frame (ref);

    send_bytes (conn, framed, strlen (framed) / 2);
    assert_closed_by_listener (conn);
  }

  /* A frame over the cap: the connection is closed, the listener lives on. */
  {
    g_autoptr(GSocketConnection) conn = connect_to (fx.port);
    gsize size = 17 * 1024 * 1024;
    g_autofree char *huge = g_malloc (size);
    g_autoptr(GError) error = NULL;

    memset (huge, 'A', size);
    huge[0] = 0x0b;
    /* The listener may close while we still write: that is the point. */
    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), huge, size,
                               NULL, NULL, &error);
    if (error == NULL)
      assert_closed_by_listener (conn);
  }

  {
    g_autoptr(GSocketConnection) conn = connect_to (fx.port);
    g_autofree char *framed = frame (ref);
    g_autofree char *ack = NULL;

    send_bytes (conn, framed, strlen (framed));
    ack = read_ack (conn);
    assert_ack (ack, "AA");
  }
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral", NULL), ==, 1);
  stop_listener (&fx);
}

/* A referral of this test's own making, so that it runs without the corpus. */
static char *
synthetic_referral (const char *control_id,
                    const char *trigger,
                    const char *external_id)
{
  return g_strdup_printf ("MSH|^~\\&|EHRAPP|NORTHCLINIC|RD|DESK|20260110093000||REF^%s^REF_I12|%s|P|2.5.1\r"
                          "RF1|P|R|Cardiology||O|%s||||Chest pain\r"
                          "PID|1||MRN4711^^^NORTH^MR||WESTBROOK^ALMA||19580304|F\r",
                          trigger, control_id, external_id);
}

static void
test_mllp_connection_cap (void)
{
  g_autoptr(FxDb) db = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(GSocketConnection) a = NULL;
  g_autoptr(GSocketConnection) b = NULL;
  g_autoptr(GSocketConnection) c = NULL;
  g_autoptr(GSocketConnection) d = NULL;
  Fixture fx = { NULL, 0 };

  db = fx_db_new ();
  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  conninfo = rd_test_pg_conninfo (db->dbname, NULL);
  start_listener_with (&fx, conninfo, "60", "2", NULL);

  /* Two connections, each answered: both are the listener's now. */
  a = connect_to (fx.port);
  b = connect_to (fx.port);
  {
    g_autofree char *m1 = synthetic_referral ("CAP1", "I12", "EXT-1");
    g_autofree char *m2 = synthetic_referral ("CAP2", "I12", "EXT-2");
    g_autofree char *f1 = frame (m1);
    g_autofree char *f2 = frame (m2);
    g_autofree char *ack1 = NULL;
    g_autofree char *ack2 = NULL;

    send_bytes (a, f1, strlen (f1));
    ack1 = read_ack (a);
    assert_ack (ack1, "AA");
    send_bytes (b, f2, strlen (f2));
    ack2 = read_ack (b);
    assert_ack (ack2, "AA");
  }

  /* A third while both are open: closed at once, never answered. */
  c = connect_to (fx.port);
  {
    g_autofree char *m3 = synthetic_referral ("CAP3", "I12", "EXT-3");
    g_autofree char *f3 = frame (m3);
    g_autoptr(GError) error = NULL;

    /* The write may already fail: the listener closed first. */
    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (c)), f3, strlen (f3),
                               NULL, NULL, &error);
    assert_closed_by_listener (c);
  }
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral", NULL), ==, 2);

  /* One of the two goes: a new connection is served again. */
  g_io_stream_close (G_IO_STREAM (a), NULL, NULL);
  g_usleep (500 * 1000);
  d = connect_to (fx.port);
  {
    g_autofree char *m4 = synthetic_referral ("CAP4", "I15", "EXT-1");
    g_autofree char *f4 = frame (m4);
    g_autofree char *answer = NULL;

    send_bytes (d, f4, strlen (f4));
    answer = read_ack (d);
    /* The status query is answered with RRI^I15, AA and the status. */
    assert_ack (answer, "AA");
    g_assert_nonnull (strstr (answer, "|RRI^I15^RRI_I12|"));
    g_assert_nonnull (strstr (answer, "\rRF1|P^Pending^HL70283^new^new^L|"));
  }
  {
    g_autofree char *m5 = synthetic_referral ("CAP5", "I14", "EXT-404");
    g_autofree char *f5 = frame (m5);
    g_autofree char *answer = NULL;

    send_bytes (d, f5, strlen (f5));
    answer = read_ack (d);
    assert_ack (answer, "AE");
    g_assert_nonnull (strstr (answer, "Unknown referral"));
  }
  stop_listener (&fx);
}

static gboolean
on_accept_certificate (GTlsConnection       *conn,
                       GTlsCertificate      *peer_cert,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  /* The test's own self-signed certificate. */
  return TRUE;
}

static void
test_mllp_tls (void)
{
  g_autoptr(FxDb) db = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *cert_arg = NULL;
  g_autofree char *key_arg = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fx = { NULL, 0 };
  int wait_status = 0;

  if (openssl == NULL)
    {
      g_test_skip ("no openssl to make a certificate with");
      return;
    }
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("GIO has no TLS backend (install glib-networking)");
      return;
    }
  db = fx_db_new ();
  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  conninfo = rd_test_pg_conninfo (db->dbname, NULL);

  dir = g_dir_make_tmp ("rd-mllp-tls-XXXXXX", &error);
  g_assert_no_error (error);
  cert = g_build_filename (dir, "cert.pem", NULL);
  key = g_build_filename (dir, "key.pem", NULL);
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                           "-out", cert, "-days", "2", "-subj", "/CN=localhost", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &wait_status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
  }
  cert_arg = g_strconcat ("--tls-certificate=", cert, NULL);
  key_arg = g_strconcat ("--tls-key=", key, NULL);
  {
    const char *extra[] = { cert_arg, key_arg, NULL };

    start_listener_with (&fx, conninfo, "60", "32", extra);
  }

  /* A referral over TLS is answered over TLS. */
  {
    g_autoptr(GSocketConnection) conn = connect_to (fx.port);
    g_autoptr(GIOStream) tls = NULL;
    g_autofree char *message = synthetic_referral ("TLS1", "I12", "EXT-T1");
    g_autofree char *framed = frame (message);
    g_autofree char *ack = NULL;

    tls = g_tls_client_connection_new (G_IO_STREAM (conn), NULL, &error);
    g_assert_no_error (error);
    g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
    g_output_stream_write_all (g_io_stream_get_output_stream (tls), framed, strlen (framed),
                               NULL, NULL, &error);
    g_assert_no_error (error);
    ack = read_ack_from (tls);
    assert_ack (ack, "AA");
    g_io_stream_close (tls, NULL, NULL);
  }
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral", NULL), ==, 1);

  /* Plain MLLP to the TLS port: no handshake, closed, nothing filed. */
  {
    g_autoptr(GSocketConnection) conn = connect_to (fx.port);
    g_autofree char *message = synthetic_referral ("TLS2", "I12", "EXT-T2");
    g_autofree char *framed = frame (message);
    g_autoptr(GError) write_error = NULL;

    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), framed,
                               strlen (framed), NULL, NULL, &write_error);
    assert_closed_by_listener (conn);
  }
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral", NULL), ==, 1);
  stop_listener (&fx);
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/intake/mllp/pieces-pairs-garbage-disconnect", test_mllp);
  g_test_add_func ("/intake/mllp/idle-and-oversized", test_mllp_limits);
  g_test_add_func ("/intake/mllp/connection-cap-and-follow-ups", test_mllp_connection_cap);
  g_test_add_func ("/intake/mllp/tls", test_mllp_tls);

  return g_test_run ();
}
