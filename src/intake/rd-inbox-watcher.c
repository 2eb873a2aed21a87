/* rd-inbox-watcher.c — a fax/scanner folder: each finished PDF or TIFF once
 *
 * A file is a candidate when the folder monitor reports it (created,
 * changed, renamed into place) or the scan at start finds it. It is taken
 * once its size and modification time are the same at two checks a settle
 * time apart, read (bounded), checked (a PDF must open in Poppler, a TIFF
 * must start as one), stored through rd_intake_file_async() — a second copy
 * of the same bytes is recognised by its sha256 — and moved to processed/,
 * or to rejected/ with NAME.reason.txt beside it. Nothing is deleted.
 *
 * Several watchers on one folder: each may store the same file, but the
 * sha256 constraint keeps one document, and the one whose move finds the
 * file gone knows another watcher finished it first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-inbox-watcher.h"
#include "rd-intake-result.h"
#include "rd-pdf.h"
#include "rd-fax-meta.h"
#include "rd-tiff-pdf.h"

#define RETRY_AFTER_US (30 * G_USEC_PER_SEC)

typedef struct {
  goffset size;
  gint64  mtime;
  gint64  not_before;
  gboolean seen;
} Candidate;

struct _RdInboxWatcher
{
  GObject          parent_instance;

  RdConnection    *conn;
  GFile           *folder;
  GFile           *processed;
  GFile           *rejected;
  char            *received_via;
  GFileMonitor    *monitor;
  GCancellable    *cancellable;
  GHashTable      *candidates;  /* base name → Candidate */
  guint            settle_ms;
  guint            tick_source;
  char            *current;     /* the base name being taken */
  GBytes          *current_bytes;
  RdFaxMeta       *current_meta; /* sender and time the fax file gives */
  guint            current_pages;
};

G_DEFINE_FINAL_TYPE (RdInboxWatcher, rd_inbox_watcher, G_TYPE_OBJECT)

enum {
  FILE_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
rd_inbox_watcher_dispose (GObject *object)
{
  RdInboxWatcher *self = RD_INBOX_WATCHER (object);

  rd_inbox_watcher_stop (self);
  g_clear_object (&self->conn);
  G_OBJECT_CLASS (rd_inbox_watcher_parent_class)->dispose (object);
}

static void
rd_inbox_watcher_finalize (GObject *object)
{
  RdInboxWatcher *self = RD_INBOX_WATCHER (object);

  g_clear_object (&self->folder);
  g_clear_object (&self->processed);
  g_clear_object (&self->rejected);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->candidates, g_hash_table_unref);
  g_clear_pointer (&self->current_bytes, g_bytes_unref);
  g_clear_pointer (&self->current_meta, rd_fax_meta_free);
  g_free (self->current);
  g_free (self->received_via);
  G_OBJECT_CLASS (rd_inbox_watcher_parent_class)->finalize (object);
}

static void
rd_inbox_watcher_class_init (RdInboxWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_inbox_watcher_dispose;
  object_class->finalize = rd_inbox_watcher_finalize;

  /**
   * RdInboxWatcher::file-done:
   * @self: the watcher
   * @name: the file's base name
   * @outcome: an #RdIntakeOutcome
   *
   * A file was taken: stored (or recognised) and moved to processed/, or
   * moved to rejected/.
   */
  signals[FILE_DONE] = g_signal_new ("file-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                     G_TYPE_STRING, G_TYPE_INT);
}

static void
rd_inbox_watcher_init (RdInboxWatcher *self)
{
  self->settle_ms = 500;
  self->cancellable = g_cancellable_new ();
  self->candidates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * rd_inbox_watcher_new:
 * @conn: an open connection to file with
 * @folder: the folder to watch
 * @received_via: "fax" or "scan"
 *
 * Returns: (transfer full): a new watcher; call rd_inbox_watcher_start()
 */
RdInboxWatcher *
rd_inbox_watcher_new (RdConnection *conn,
                      GFile        *folder,
                      const char   *received_via)
{
  RdInboxWatcher *self;

  g_return_val_if_fail (RD_IS_CONNECTION (conn), NULL);
  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  self = g_object_new (RD_TYPE_INBOX_WATCHER, NULL);
  self->conn = g_object_ref (conn);
  self->folder = g_object_ref (folder);
  self->processed = g_file_get_child (folder, "processed");
  self->rejected = g_file_get_child (folder, "rejected");
  self->received_via = g_strdup (g_strcmp0 (received_via, "scan") == 0 ? "scan" : "fax");
  return self;
}

/**
 * rd_inbox_watcher_set_settle_time:
 * @self: a watcher
 * @milliseconds: how long a file must stay unchanged before it is taken
 */
void
rd_inbox_watcher_set_settle_time (RdInboxWatcher *self,
                                  guint           milliseconds)
{
  g_return_if_fail (RD_IS_INBOX_WATCHER (self));

  self->settle_ms = MAX (milliseconds, 10);
}

static gboolean
wanted_name (const char *name)
{
  g_autofree char *lower = NULL;

  if (name == NULL || name[0] == '.' || strchr (name, '/') != NULL)
    return FALSE;
  lower = g_ascii_strdown (name, -1);
  return g_str_has_suffix (lower, ".pdf") || g_str_has_suffix (lower, ".tif")
         || g_str_has_suffix (lower, ".tiff");
}

static void
add_candidate (RdInboxWatcher *self,
               const char     *name)
{
  if (!wanted_name (name) || g_hash_table_contains (self->candidates, name)
      || g_strcmp0 (self->current, name) == 0)
    return;
  g_hash_table_insert (self->candidates, g_strdup (name), g_new0 (Candidate, 1));
}

/* Moves @file into @dir under its name, or NAME-2, NAME-3 … when taken. */
static GFile *
move_into (GFile       *file,
           GFile       *dir,
           const char  *name,
           GError     **error)
{
  for (guint n = 1; n < 1000; n++)
    {
      g_autofree char *target_name = n == 1 ? g_strdup (name) : g_strdup_printf ("%u-%s", n, name);
      g_autoptr(GFile) target = g_file_get_child (dir, target_name);
      g_autoptr(GError) local = NULL;

      if (g_file_move (file, target, G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL, NULL, &local))
        return g_steal_pointer (&target);
      /* g_file_move() without OVERWRITE refuses an existing target. */
      if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "too many files of that name");
  return NULL;
}

static void
finish_current (RdInboxWatcher  *self,
                RdIntakeOutcome  outcome,
                const char      *reason)
{
  g_autofree char *name = g_steal_pointer (&self->current);
  g_autoptr(GFile) file = g_file_get_child (self->folder, name);
  g_autoptr(GFile) moved = NULL;
  g_autoptr(GError) error = NULL;
  gboolean rejected = outcome == RD_INTAKE_OUTCOME_REJECTED;

  g_clear_pointer (&self->current_bytes, g_bytes_unref);
  g_clear_pointer (&self->current_meta, rd_fax_meta_free);
  moved = move_into (file, rejected ? self->rejected : self->processed, name, &error);
  if (moved == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        /* Another watcher of this folder took it first; the sha256 kept
         * one document. */
        g_debug ("inbox: a file was finished by another watcher");
      else
        g_warning ("inbox: a file could not be moved: %s", error->message);
    }
  else if (rejected)
    {
      g_autofree char *moved_name = g_file_get_basename (moved);
      g_autofree char *reason_name = g_strconcat (moved_name, ".reason.txt", NULL);
      g_autoptr(GFile) reason_file = g_file_get_child (self->rejected, reason_name);
      g_autofree char *text = g_strconcat (reason != NULL ? reason : "", "\n", NULL);
      g_autoptr(GError) werror = NULL;

      if (!g_file_replace_contents (reason_file, text, strlen (text), NULL, FALSE,
                                    G_FILE_CREATE_NONE, NULL, NULL, &werror))
        g_warning ("inbox: the reason for a rejected file could not be written: %s", werror->message);
    }

  g_signal_emit (self, signals[FILE_DONE], 0, name, (int) outcome);
}

static void
on_filed (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RdInboxWatcher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeSummary) summary = NULL;

  summary = rd_intake_file_finish (RD_CONNECTION (source), result, &error);
  if (self->current == NULL)
    return;
  if (summary == NULL)
    {
      Candidate *c;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The database is away: leave the file where it is and try again. */
      g_warning ("inbox: a file could not be stored yet: %s", error->message);
      c = g_new0 (Candidate, 1);
      c->not_before = g_get_monotonic_time () + RETRY_AFTER_US;
      g_hash_table_insert (self->candidates, g_steal_pointer (&self->current), c);
      g_clear_pointer (&self->current_bytes, g_bytes_unref);
      g_clear_pointer (&self->current_meta, rd_fax_meta_free);
      return;
    }
  finish_current (self, summary->outcome, summary->reason);
}

static void
file_current (RdInboxWatcher *self,
              const char     *media_type,
              guint           pages,
              GBytes         *converted_pdf)
{
  g_autoptr(RdIntakeResult) result = rd_intake_result_new (self->received_via);
  g_autoptr(RdIntakeDocument) doc = NULL;
  g_autofree char *safe = rd_intake_sanitize_file_name (self->current, media_type, 1);

  rd_intake_result_set_event (result, RD_INTAKE_EVENT_DOCUMENTS);
  doc = rd_intake_document_new (self->current_bytes, safe, media_type, self->received_via);
  g_object_set (rd_intake_document_get_metadata (doc), "kind", self->received_via, NULL);
  if (pages > 0)
    rd_document_set_pages (rd_intake_document_get_metadata (doc), (int) pages);
  rd_fax_meta_apply (self->current_meta, rd_intake_document_get_metadata (doc));
  rd_intake_result_add_document (result, doc);
  if (converted_pdf != NULL)
    {
      /* The PDF for viewing beside the original TIFF, which is kept. */
      g_autofree char *pdf_name = rd_intake_sanitize_file_name (self->current, "application/pdf", 2);
      g_autoptr(RdIntakeDocument) pdf = rd_intake_document_new (converted_pdf, pdf_name, "application/pdf",
                                                                self->received_via);

      g_object_set (rd_intake_document_get_metadata (pdf), "kind", self->received_via, NULL);
      rd_document_set_pages (rd_intake_document_get_metadata (pdf), (int) pages);
      rd_fax_meta_apply (self->current_meta, rd_intake_document_get_metadata (pdf));
      rd_intake_result_add_document (result, pdf);
    }
  rd_intake_file_async (self->conn, result, NULL, NULL, self->cancellable, on_filed,
                        g_object_ref (self));
}

static void
read_meta_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_task_return_pointer (task, rd_fax_meta_read (task_data, "application/pdf", NULL),
                         (GDestroyNotify) rd_fax_meta_free);
}

static void
on_meta_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RdInboxWatcher *self = RD_INBOX_WATCHER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdFaxMeta) meta = g_task_propagate_pointer (G_TASK (result), &error);

  if (self->current == NULL || meta == NULL)
    return;
  g_clear_pointer (&self->current_meta, rd_fax_meta_free);
  self->current_meta = g_steal_pointer (&meta);
  file_current (self, "application/pdf", self->current_pages, NULL);
}

/* A fax server's PDF says who sent it and when (its Info); a scanner's
 * says nothing about a sender. */
static void
read_meta_then_file (RdInboxWatcher *self,
                     const char     *media_type)
{
  GTask *task;

  if (g_strcmp0 (self->received_via, "fax") != 0)
    {
      file_current (self, media_type, self->current_pages, NULL);
      return;
    }
  task = g_task_new (self, self->cancellable, on_meta_read, NULL);
  g_task_set_task_data (task, g_bytes_ref (self->current_bytes), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, read_meta_thread);
  g_object_unref (task);
}

static void
on_pdf_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RdInboxWatcher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPdf) pdf = rd_pdf_load_finish (result, &error);

  if (self->current == NULL)
    return;
  if (pdf == NULL)
    {
      g_autofree char *reason = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      reason = g_strdup_printf (_("The PDF cannot be read: %s. Ask the sender to send it again."),
                                error->message);
      finish_current (self, RD_INTAKE_OUTCOME_REJECTED, reason);
      return;
    }
  self->current_pages = rd_pdf_get_n_pages (pdf);
  read_meta_then_file (self, "application/pdf");
}

typedef struct {
  GBytes    *pdf;
  guint      pages;
  RdFaxMeta *meta;
} Converted;

static void
converted_free (Converted *c)
{
  g_clear_pointer (&c->pdf, g_bytes_unref);
  g_clear_pointer (&c->meta, rd_fax_meta_free);
  g_free (c);
}

static void
convert_tiff_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  Converted *c = g_new0 (Converted, 1);

  c->pdf = rd_tiff_to_pdf (task_data, &c->pages, &error);
  if (c->pdf == NULL)
    {
      converted_free (c);
      g_task_return_error (task, error);
      return;
    }
  c->meta = rd_fax_meta_read (task_data, "image/tiff", NULL);
  g_task_return_pointer (task, c, (GDestroyNotify) converted_free);
}

static void
on_tiff_converted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RdInboxWatcher *self = RD_INBOX_WATCHER (source);
  g_autoptr(GError) error = NULL;
  Converted *c = g_task_propagate_pointer (G_TASK (result), &error);

  if (c == NULL)
    {
      if (self->current != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish_current (self, RD_INTAKE_OUTCOME_REJECTED, error->message);
      return;
    }
  if (self->current != NULL)
    {
      g_clear_pointer (&self->current_meta, rd_fax_meta_free);
      if (g_strcmp0 (self->received_via, "fax") == 0)
        self->current_meta = g_steal_pointer (&c->meta);
      file_current (self, "image/tiff", c->pages, c->pdf);
    }
  converted_free (c);
}

/* Readers accept a PDF header anywhere in the first kilobyte. */
static gboolean
find_pdf_header (const char *data,
                 gsize       len)
{
  gsize limit = MIN (len, 1024);

  for (gsize i = 0; i + 5 <= limit; i++)
    if (memcmp (data + i, "%PDF-", 5) == 0)
      return TRUE;
  return FALSE;
}

static void
take (RdInboxWatcher *self,
      const char     *name)
{
  g_autoptr(GFile) file = g_file_get_child (self->folder, name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len = 0;
  const char *data;

  self->current = g_strdup (name);
  in = g_file_read (file, NULL, &error);
  if (in != NULL)
    bytes = g_input_stream_read_bytes (G_INPUT_STREAM (in), RD_INBOX_MAX_FILE_SIZE + 1, NULL, &error);
  if (bytes == NULL)
    {
      /* Gone (another watcher moved it) or unreadable for now. */
      g_debug ("inbox: a file could not be read: %s", error->message);
      g_clear_pointer (&self->current, g_free);
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  if (len > RD_INBOX_MAX_FILE_SIZE)
    {
      g_autofree char *reason = g_strdup_printf (_("The file is larger than %d MB. Ask the sender for a smaller file."),
                                                 RD_INBOX_MAX_FILE_SIZE / (1024 * 1024));
      finish_current (self, RD_INTAKE_OUTCOME_REJECTED, reason);
      return;
    }
  self->current_bytes = g_bytes_ref (bytes);

  if (find_pdf_header (data, len))
    rd_pdf_load_async (bytes, NULL, self->cancellable, on_pdf_loaded, g_object_ref (self));
  else if (len >= 8 && (memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0))
    {
      GTask *task = g_task_new (self, self->cancellable, on_tiff_converted, NULL);

      g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
      g_task_run_in_thread (task, convert_tiff_thread);
      g_object_unref (task);
    }
  else
    finish_current (self, RD_INTAKE_OUTCOME_REJECTED,
                    _("This is neither a PDF nor a TIFF file, whatever its name says. Check what the scanner or fax server wrote."));
}

static gboolean
on_tick (gpointer user_data)
{
  RdInboxWatcher *self = user_data;
  GHashTableIter iter;
  gpointer key, value;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *ready = NULL;

  g_hash_table_iter_init (&iter, self->candidates);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Candidate *c = value;
      g_autoptr(GFile) file = NULL;
      g_autoptr(GFileInfo) info = NULL;
      goffset size;
      gint64 mtime;

      if (c->not_before > now)
        continue;
      file = g_file_get_child (self->folder, key);
      info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                                G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
      if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
        {
          /* Gone, or not a plain file (a symlink is never followed). */
          g_hash_table_iter_remove (&iter);
          continue;
        }
      size = g_file_info_get_size (info);
      mtime = (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) * G_USEC_PER_SEC
              + g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
      if (c->seen && c->size == size && c->mtime == mtime && size > 0 && ready == NULL
          && self->current == NULL)
        {
          ready = g_strdup (key);
          g_hash_table_iter_remove (&iter);
          continue;
        }
      c->seen = TRUE;
      c->size = size;
      c->mtime = mtime;
    }

  if (ready != NULL)
    take (self, ready);
  return G_SOURCE_CONTINUE;
}

static void
on_changed (GFileMonitor      *monitor,
            GFile             *file,
            GFile             *other,
            GFileMonitorEvent  event,
            gpointer           user_data)
{
  RdInboxWatcher *self = user_data;
  GFile *which = (event == G_FILE_MONITOR_EVENT_RENAMED && other != NULL) ? other : file;
  g_autoptr(GFile) parent = g_file_get_parent (which);
  g_autofree char *name = NULL;

  if (parent == NULL || !g_file_equal (parent, self->folder))
    return;
  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_RENAMED:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
      name = g_file_get_basename (which);
      add_candidate (self, name);
      break;
    default:
      break;
    }
}

static gboolean
scan (RdInboxWatcher  *self,
      GError         **error)
{
  g_autoptr(GFileEnumerator) en = NULL;

  en = g_file_enumerate_children (self->folder, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                  G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, error);
  if (en == NULL)
    return FALSE;
  for (;;)
    {
      GFileInfo *info = NULL;

      if (!g_file_enumerator_iterate (en, &info, NULL, NULL, error))
        return FALSE;
      if (info == NULL)
        break;
      add_candidate (self, g_file_info_get_name (info));
    }
  return TRUE;
}

static gboolean
ensure_dir (GFile   *dir,
            GError **error)
{
  g_autoptr(GError) local = NULL;

  if (g_file_make_directory (dir, NULL, &local)
      || g_error_matches (local, G_IO_ERROR, G_IO_ERROR_EXISTS))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/**
 * rd_inbox_watcher_start:
 * @self: a watcher
 * @error: where to put an error
 *
 * Creates processed/ and rejected/ when missing, starts watching and takes
 * the files already there.
 *
 * Returns: whether the folder is watched
 */
gboolean
rd_inbox_watcher_start (RdInboxWatcher  *self,
                        GError         **error)
{
  g_return_val_if_fail (RD_IS_INBOX_WATCHER (self), FALSE);
  g_return_val_if_fail (self->monitor == NULL, FALSE);

  if (!ensure_dir (self->processed, error) || !ensure_dir (self->rejected, error))
    return FALSE;
  self->monitor = g_file_monitor_directory (self->folder, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (self->monitor == NULL)
    return FALSE;
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_changed), self, 0);
  if (!scan (self, error))
    {
      g_clear_object (&self->monitor);
      return FALSE;
    }
  self->tick_source = g_timeout_add (self->settle_ms, on_tick, self);
  return TRUE;
}

/**
 * rd_inbox_watcher_stop:
 * @self: a watcher
 *
 * Stops watching; a file being stored is left where it is.
 */
void
rd_inbox_watcher_stop (RdInboxWatcher *self)
{
  g_return_if_fail (RD_IS_INBOX_WATCHER (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->monitor != NULL)
    {
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
}

/**
 * rd_inbox_watcher_is_idle:
 * @self: a watcher
 *
 * Returns: whether no file is waiting or being taken
 */
gboolean
rd_inbox_watcher_is_idle (RdInboxWatcher *self)
{
  g_return_val_if_fail (RD_IS_INBOX_WATCHER (self), FALSE);

  return self->current == NULL && g_hash_table_size (self->candidates) == 0;
}
