/* rd-admin-import.c — referral-desk-admin import: files from the command line
 *
 * Each file is read (up to a size limit), recognised by its content — never
 * by its name — parsed, and filed: one line per file says imported,
 * duplicate or rejected and why. Exit status 0 when every file was imported
 * or recognised, 1 when any was rejected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>

#include "rd-admin.h"
#include "rd-admin-import.h"
#include "rd-fhir.h"
#include "rd-hl7.h"
#include "rd-inbox-watcher.h"
#include "rd-intake.h"
#include "rd-intake-detect.h"
#include "rd-intake-folder.h"
#include "rd-mail.h"
#include "rd-pdf.h"
#include "rd-tiff-pdf.h"

typedef struct {
  GAsyncResult *result;
} Waiter;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ((Waiter *) user_data)->result = g_object_ref (result);
}

static void
wait_for (Waiter *w)
{
  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/**
 * rd_admin_open_connection:
 * @conninfo: (nullable): a libpq conninfo (NULL: the PG* variables)
 * @error: where to put an error
 *
 * Returns: (transfer full) (nullable): an open connection
 */
RdConnection *
rd_admin_open_connection (const char  *conninfo,
                          GError     **error)
{
  g_autoptr(RdConnection) conn = rd_connection_new (conninfo != NULL ? conninfo : "");
  Waiter w = { NULL };
  gboolean ok;

  rd_connection_open_async (conn, NULL, on_done, &w);
  wait_for (&w);
  ok = rd_connection_open_finish (conn, w.result, error);
  g_object_unref (w.result);
  return ok ? g_steal_pointer (&conn) : NULL;
}

/**
 * rd_admin_file_sync:
 * @conn: an open connection
 * @result: what was parsed
 * @source_key: (nullable): see rd_intake_file_async()
 * @queue_name: (nullable): see rd_intake_file_async()
 * @error: where to put an error
 *
 * Returns: (transfer full) (nullable): the summary
 */
RdIntakeSummary *
rd_admin_file_sync (RdConnection    *conn,
                    RdIntakeResult  *result,
                    const char      *source_key,
                    const char      *queue_name,
                    GError         **error)
{
  RdIntakeSummary *summary;
  Waiter w = { NULL };

  rd_intake_file_async (conn, result, source_key, queue_name, NULL, on_done, &w);
  wait_for (&w);
  summary = rd_intake_file_finish (conn, w.result, error);
  g_object_unref (w.result);
  return summary;
}

static GBytes *
read_bounded (const char  *path,
              GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GBytes) bytes = NULL;

  in = g_file_read (file, NULL, error);
  if (in == NULL)
    return NULL;
  info = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, error);
  if (info == NULL)
    return NULL;
  if (g_file_info_get_size (info) > RD_ADMIN_IMPORT_MAX_SIZE)
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE,
                   _("The file is larger than %d MB. Split it, or ask the sender for a smaller file."),
                   RD_ADMIN_IMPORT_MAX_SIZE / (1024 * 1024));
      return NULL;
    }
  /* One byte more than allowed tells a file that grew while read. */
  bytes = g_input_stream_read_bytes (G_INPUT_STREAM (in), RD_ADMIN_IMPORT_MAX_SIZE + 1, NULL, error);
  if (bytes == NULL)
    return NULL;
  if (g_bytes_get_size (bytes) > RD_ADMIN_IMPORT_MAX_SIZE)
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE,
                   _("The file is larger than %d MB. Split it, or ask the sender for a smaller file."),
                   RD_ADMIN_IMPORT_MAX_SIZE / (1024 * 1024));
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

static gboolean
import_one (RdConnection *conn,
            const char   *path,
            const char   *queue)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RdIntakeResult) result = NULL;
  g_autoptr(RdIntakeSummary) summary = NULL;
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *key = NULL;

  bytes = read_bounded (path, &error);
  if (bytes != NULL)
    result = rd_intake_parse_bytes (bytes, base, &error);
  if (result == NULL)
    {
      printf ("%s: %s: %s\n", path, rd_intake_outcome_to_string (RD_INTAKE_OUTCOME_REJECTED),
              error->message);
      return FALSE;
    }

  key = rd_intake_file_source_key (bytes);
  summary = rd_admin_file_sync (conn, result, key, queue, &error);
  if (summary == NULL)
    {
      printf ("%s: %s: %s\n", path, rd_intake_outcome_to_string (RD_INTAKE_OUTCOME_REJECTED),
              error->message);
      return FALSE;
    }

  switch (summary->outcome)
    {
    case RD_INTAKE_OUTCOME_REJECTED:
      printf ("%s: %s: %s\n", path, rd_intake_outcome_to_string (summary->outcome),
              summary->reason != NULL ? summary->reason : "");
      return FALSE;
    case RD_INTAKE_OUTCOME_IMPORTED:
    case RD_INTAKE_OUTCOME_DUPLICATE:
    default:
      if (summary->status != NULL)
        /* A follow-up (HL7 REF^I13/I14/I15): what became of the referral. */
        printf ("%s: %s (referral %" G_GINT64_FORMAT ", status %s): %s\n",
                path, rd_intake_outcome_to_string (summary->outcome), summary->referral_id,
                summary->status, summary->message != NULL ? summary->message : "");
      else if (summary->referral_id > 0)
        printf ("%s: %s (referral %" G_GINT64_FORMAT ", queue %" G_GINT64_FORMAT ")\n",
                path, rd_intake_outcome_to_string (summary->outcome),
                summary->referral_id, summary->queue_id);
      else
        printf ("%s: %s (%u document(s), queue %" G_GINT64_FORMAT ")\n",
                path, rd_intake_outcome_to_string (summary->outcome),
                summary->n_document_ids, summary->queue_id);
      return TRUE;
    }
}

/**
 * rd_admin_import:
 * @argc: arguments
 * @argv: (array length=argc): `import [--db CONNINFO] [--queue NAME] FILE…`;
 *   a folder stands for the files in it, a Maildir for its messages
 *
 * Returns: the exit status
 */
int
rd_admin_import (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autofree char *db = NULL;
  g_autofree char *queue = NULL;
  gboolean all_ok = TRUE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db,
      N_("A libpq connection string or URI (default: libpq’s PG* environment variables)"), N_("CONNINFO") },
    { "queue", 0, 0, G_OPTION_ARG_STRING, &queue,
      N_("File into this work queue instead of routing by specialty"), N_("NAME") },
    { NULL }
  };

  context = g_option_context_new (_("FILE|FOLDER|MAILDIR…"));
  g_option_context_set_summary (context,
                                _("Imports PDF, TIFF, HL7 v2, FHIR JSON and e-mail files, each exactly once."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return rd_admin_fail ("%s", error->message) + 1;
  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fputs (help, stderr);
      return 2;
    }

  conn = rd_admin_open_connection (db, &error);
  if (conn == NULL)
    return rd_admin_fail (_("Could not connect to the database: %s"), error->message);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[i]);
      g_autoptr(GListModel) files = NULL;

      if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
        {
          if (!import_one (conn, argv[i], queue))
            all_ok = FALSE;
          continue;
        }

      /* A folder: its files, or a Maildir's messages (new/ and cur/),
       * each on a line of its own; the folder itself is not changed. */
      files = rd_intake_list_folder (file, NULL, NULL, &error);
      if (files == NULL)
        {
          printf ("%s: %s: %s\n", argv[i], rd_intake_outcome_to_string (RD_INTAKE_OUTCOME_REJECTED),
                  error->message);
          g_clear_error (&error);
          all_ok = FALSE;
          continue;
        }
      for (guint j = 0; j < g_list_model_get_n_items (files); j++)
        {
          g_autoptr(GFile) child = g_list_model_get_item (files, j);
          g_autofree char *path = g_file_get_path (child);

          if (!import_one (conn, path, queue))
            all_ok = FALSE;
        }
    }

  return all_ok ? 0 : 1;
}

typedef struct {
  GMainLoop *loop;
  gboolean   any_rejected;
} WatchState;

static void
on_inbox_file_done (RdInboxWatcher *watcher,
                    const char     *name,
                    int             outcome,
                    gpointer        user_data)
{
  WatchState *state = user_data;

  /* The name is the fax server's, not the patient's; print it escaped. */
  g_autofree char *shown = g_strescape (name, NULL);

  printf ("%s: %s\n", shown, rd_intake_outcome_to_string ((RdIntakeOutcome) outcome));
  fflush (stdout);
  if (outcome == RD_INTAKE_OUTCOME_REJECTED)
    state->any_rejected = TRUE;
}

static gboolean
on_watch_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/**
 * rd_admin_watch_inbox:
 * @argc: arguments
 * @argv: (array length=argc): `watch-inbox [--db CONNINFO] [--scanner] [--once] [--settle MS] [--rescan SECONDS] FOLDER`
 *
 * Returns: the exit status
 */
int
rd_admin_watch_inbox (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdInboxWatcher) watcher = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *db = NULL;
  gboolean scanner = FALSE;
  gboolean once = FALSE;
  int settle = 500;
  int rescan = RD_INBOX_DEFAULT_RESCAN_SECONDS;
  WatchState state = { NULL, FALSE };
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db,
      N_("A libpq connection string or URI (default: libpq’s PG* environment variables)"), N_("CONNINFO") },
    { "scanner", 0, 0, G_OPTION_ARG_NONE, &scanner, N_("The folder is a scanner’s, not a fax server’s"), NULL },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, N_("Take the files there now, then exit"), NULL },
    { "settle", 0, 0, G_OPTION_ARG_INT, &settle,
      N_("How long a file must stay unchanged before it is taken (default: 500)"), N_("MILLISECONDS") },
    { "rescan", 0, 0, G_OPTION_ARG_INT, &rescan,
      N_("List the folder again this often, for files other computers write into a network share (default: 20; 0: never)"),
      N_("SECONDS") },
    { NULL }
  };

  context = g_option_context_new (_("FOLDER"));
  g_option_context_set_summary (context,
                                _("Imports each PDF or TIFF written into a folder once, then moves it to processed/ or rejected/."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return rd_admin_fail ("%s", error->message) + 1;
  if (argc != 2 || settle < 10 || rescan < 0)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fputs (help, stderr);
      return 2;
    }

  conn = rd_admin_open_connection (db, &error);
  if (conn == NULL)
    return rd_admin_fail (_("Could not connect to the database: %s"), error->message);

  folder = g_file_new_for_commandline_arg (argv[1]);
  watcher = rd_inbox_watcher_new (conn, folder, scanner ? "scan" : "fax");
  rd_inbox_watcher_set_settle_time (watcher, (guint) settle);
  rd_inbox_watcher_set_rescan_seconds (watcher, (guint) rescan);
  g_signal_connect (watcher, "file-done", G_CALLBACK (on_inbox_file_done), &state);
  if (!rd_inbox_watcher_start (watcher, &error))
    return rd_admin_fail (_("Could not watch the folder: %s"), error->message);

  if (once)
    {
      gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

      /* Until every file found at the start is taken; an empty file still
       * being written is left for the next run. */
      while (!rd_inbox_watcher_is_idle (watcher) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      if (!rd_inbox_watcher_is_idle (watcher))
        {
          rd_inbox_watcher_stop (watcher);
          return rd_admin_fail (_("Some files were still being written; run again later."));
        }
    }
  else
    {
      guint sigint, sigterm;

      loop = g_main_loop_new (NULL, FALSE);
      state.loop = loop;
      sigint = g_unix_signal_add (SIGINT, on_watch_signal, loop);
      sigterm = g_unix_signal_add (SIGTERM, on_watch_signal, loop);
      g_main_loop_run (loop);
      g_source_remove (sigint);
      g_source_remove (sigterm);
    }
  rd_inbox_watcher_stop (watcher);
  return state.any_rejected ? 1 : 0;
}
