/* test-watcher-processes.c — exactly once across machines: separate
 * processes watch one fax folder while files arrive in it (renamed into
 * place, or written slowly under their final name); every file is stored
 * once and ends in processed/
 *
 * Two `referral-desk-admin watch-inbox` processes stand for two
 * workstations; a third case pairs one of them with an RdInboxWatcher in
 * this process, which is what the application runs. Each process has its
 * own database login and connection, as separate machines would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <glib/gstdio.h>

#include "rd-connection.h"
#include "rd-fax-synth.h"
#include "rd-inbox-watcher.h"
#include "schema-fixture.h"

#define N_RENAMED   8
#define N_SLOW      4
#define N_COPIES    2   /* extra names carrying the bytes of the first fax */
#define SETTLE_MS   "800"   /* far above the slow writer's 40 ms pauses, even on a loaded machine */

typedef struct {
  char      *dir;
  GPtrArray *names;     /* every name written; read after the writer ends */
  int        written;   /* atomic */
} Drops;

/* A fax server's way: a hidden temporary name, then a rename into place. */
static void
drop_renamed (const char *dir,
              const char *name,
              GBytes     *bytes)
{
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.part", dir, name);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (tmp, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
}

/* A scanner's way: the final name from the first byte, written in pieces
 * with pauses shorter than the settle time. */
static void
drop_slowly (const char *dir,
             const char *name,
             GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gsize chunk = MAX (len / 12, 1);
  FILE *f = g_fopen (path, "wb");

  g_assert_nonnull (f);
  for (gsize off = 0; off < len; off += chunk)
    {
      g_assert_cmpuint (fwrite (data + off, 1, MIN (chunk, len - off), f), >, 0);
      fflush (f);
      g_usleep (40 * 1000);
    }
  g_assert_cmpint (fclose (f), ==, 0);
}

static gpointer
writer_thread (gpointer user_data)
{
  Drops *drops = user_data;
  g_autoptr(GBytes) first = NULL;

  for (guint i = 0; i < N_RENAMED + N_SLOW; i++)
    {
      g_autoptr(GBytes) fax = rd_fax_synth_generate (5000 + i, 1 + i % 3);
      char *name = g_strdup_printf ("%s-%02u.pdf", i < N_RENAMED ? "fax" : "scan", i);

      if (i == 0)
        first = g_bytes_ref (fax);
      if (i < N_RENAMED)
        drop_renamed (drops->dir, name, fax);
      else
        drop_slowly (drops->dir, name, fax);
      g_ptr_array_add (drops->names, name);
      g_atomic_int_inc (&drops->written);
      g_usleep ((i % 4) * 70 * 1000);
    }
  /* The same fax sent again under other names: recognised, not stored. */
  for (guint i = 0; i < N_COPIES; i++)
    {
      char *name = g_strdup_printf ("again-%02u.pdf", i);

      drop_renamed (drops->dir, name, first);
      g_ptr_array_add (drops->names, name);
      g_atomic_int_inc (&drops->written);
    }
  return NULL;
}

static guint
count_pdfs (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".pdf") && name[0] != '.')
      n++;
  return n;
}

static void
remove_tree (const char *dir)
{
  const char *subs[] = { "processed", "rejected", ".", NULL };

  for (guint i = 0; subs[i] != NULL; i++)
    {
      g_autofree char *sub = g_build_filename (dir, subs[i], NULL);
      g_autoptr(GDir) d = g_dir_open (sub, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (sub, name, NULL);

          if (!g_file_test (path, G_FILE_TEST_IS_DIR))
            g_unlink (path);
        }
      if (i < 2)
        g_rmdir (sub);
    }
  g_rmdir (dir);
}

static GSubprocess *
spawn_watcher (FxDb       *db,
               const char *login,
               const char *dir)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (db->dbname, login);
  g_autofree char *db_arg = g_strconcat ("--db=", conninfo, NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           RD_ADMIN_EXE, "watch-inbox", db_arg, "--settle", SETTLE_MS, dir, NULL);
  g_assert_no_error (error);
  return proc;
}

/* Stops a watcher process and returns what it printed on stdout. */
static char *
stop_watcher (GSubprocess *proc)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("a watcher process said:\n%s%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  /* 0: nothing was rejected. */
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  return out;
}

static guint
count_lines_with (const char *text,
                  const char *suffix)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_suffix (lines[i], suffix))
      n++;
  return n;
}

static void
on_file_done (RdInboxWatcher *watcher,
              const char     *name,
              int             outcome,
              gpointer        user_data)
{
  guint *counts = user_data;

  counts[outcome]++;
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
run_case (gboolean in_process)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *processed = NULL;
  g_autofree char *rejected = NULL;
  g_autofree char *out_a = NULL;
  g_autofree char *out_b = NULL;
  g_autoptr(GSubprocess) a = NULL;
  g_autoptr(GSubprocess) b = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdInboxWatcher) watcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const guint distinct = N_RENAMED + N_SLOW;
  const guint total = distinct + N_COPIES;
  guint counts[3] = { 0, 0, 0 };
  Drops drops;
  GThread *writer;
  gint64 deadline;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  bob = fx_staff (db, "Bob Brown", RD_STAFF_ROLE_SPECIALIST, "Intake");
  dir = g_dir_make_tmp ("rd-shared-fax-XXXXXX", &error);
  g_assert_no_error (error);
  processed = g_build_filename (dir, "processed", NULL);
  rejected = g_build_filename (dir, "rejected", NULL);

  a = spawn_watcher (db, alice, dir);
  if (in_process)
    {
      g_autofree char *conninfo = rd_test_pg_conninfo (db->dbname, bob);
      g_autoptr(GFile) folder = g_file_new_for_path (dir);
      GAsyncResult *opened = NULL;

      conn = rd_connection_new (conninfo);
      rd_connection_open_async (conn, NULL, on_opened, &opened);
      while (opened == NULL)
        g_main_context_iteration (NULL, TRUE);
      rd_connection_open_finish (conn, opened, &error);
      g_object_unref (opened);
      g_assert_no_error (error);
      watcher = rd_inbox_watcher_new (conn, folder, "fax");
      rd_inbox_watcher_set_settle_time (watcher, atoi (SETTLE_MS));
      g_signal_connect (watcher, "file-done", G_CALLBACK (on_file_done), counts);
      rd_inbox_watcher_start (watcher, &error);
      g_assert_no_error (error);
    }
  else
    b = spawn_watcher (db, bob, dir);

  /* Both processes have connected and made processed/ (or failed). */
  g_usleep (G_USEC_PER_SEC);

  drops.dir = dir;
  drops.names = names;
  drops.written = 0;
  writer = g_thread_new ("fax-writer", writer_thread, &drops);

  /* The watcher in this process needs the main loop while files arrive. */
  deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while ((guint) g_atomic_int_get (&drops.written) < total || count_pdfs (dir) > 0
         || count_pdfs (processed) + count_pdfs (rejected) < total)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
      if (g_get_monotonic_time () > deadline)
        break;
    }
  g_thread_join (writer);
  /* A little longer: a late second import would show now. */
  for (int i = 0; i < 100; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }

  out_a = stop_watcher (a);
  if (b != NULL)
    out_b = stop_watcher (b);
  if (watcher != NULL)
    rd_inbox_watcher_stop (watcher);

  g_assert_cmpuint (names->len, ==, total);
  g_assert_cmpuint (count_pdfs (dir), ==, 0);
  g_assert_cmpuint (count_pdfs (rejected), ==, 0);
  g_assert_cmpuint (count_pdfs (processed), ==, total);
  /* Every name is there once, none as a renamed second copy (2-NAME). */
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (processed, g_ptr_array_index (names, i), NULL);
      g_autofree char *second = g_strdup_printf ("%s/2-%s", processed, (char *) g_ptr_array_index (names, i));

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));
    }

  /* One document per distinct fax, whoever stored it. */
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, distinct);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(DISTINCT sha256) FROM rd.document", NULL), ==, distinct);
  /* Each was reported stored as new exactly once across the watchers. */
  g_assert_cmpuint (count_lines_with (out_a, ": imported") + count_lines_with (out_b, ": imported")
                    + counts[RD_INTAKE_OUTCOME_IMPORTED], ==, distinct);
  g_assert_cmpuint (count_lines_with (out_a, ": rejected") + count_lines_with (out_b, ": rejected")
                    + counts[RD_INTAKE_OUTCOME_REJECTED], ==, 0);
  g_test_message ("imported by the first process: %u, by the other watcher: %u",
                  count_lines_with (out_a, ": imported"),
                  count_lines_with (out_b, ": imported") + counts[RD_INTAKE_OUTCOME_IMPORTED]);

  remove_tree (dir);
}

static void
test_two_processes (void)
{
  run_case (FALSE);
}

static void
test_process_and_application_watcher (void)
{
  run_case (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/intake/watcher-processes/two-processes", test_two_processes);
  g_test_add_func ("/intake/watcher-processes/process-and-application", test_process_and_application_watcher);

  return g_test_run ();
}
