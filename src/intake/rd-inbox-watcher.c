/* rd-inbox-watcher.c — a fax/scanner folder: each finished PDF or TIFF once
 *
 * A file is a candidate when the folder monitor reports it (created,
 * changed, renamed into place), the scan at start finds it, or the folder
 * is listed again (every "rescan-seconds": a network share does not
 * announce files that other computers write into it). It is taken once its
 * size and modification time are the same at two checks a settle time
 * apart and it is complete: a PDF ends with its %%EOF marker (and is as
 * long as its linearization dictionary says, if it has one), every IFD of
 * a TIFF can be read and its image data is all there. A file that stays
 * incomplete for RD_INBOX_INCOMPLETE_SETTLE_TIMES settle times is rejected.
 * It is then read (bounded), checked (a PDF must open in Poppler, a TIFF
 * must convert), stored through rd_intake_file_async() — a second copy of
 * the same bytes is recognised by its sha256 — and moved to processed/, or
 * to rejected/ with NAME.reason.txt beside it. Nothing is deleted.
 *
 * The watcher runs in the window's process, so nothing here waits on the
 * disk on the main context: the size/time checks, the listing, the
 * reading, Poppler and libtiff, the moves and the reason file all run on
 * GTask worker threads; the main context only keeps the bookkeeping.
 * (rd_inbox_watcher_start() is the blocking start for command-line tools;
 * a window uses rd_inbox_watcher_start_async().)
 *
 * Several watchers on one folder: each may store the same file, but the
 * sha256 constraint keeps one document, and the rename into processed/ or
 * rejected/ is atomic: the one whose move finds the file gone knows another
 * watcher finished it first.
 *
 * File names may name patients (some fax servers put the sender's text in
 * them): logs carry a number given to each file taken, never its name nor
 * a GIO error message (which quotes the path).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <tiffio.h>
#include <glib/gi18n-lib.h>

#include "rd-inbox-watcher.h"
#include "rd-intake-result.h"
#include "rd-pdf.h"
#include "rd-fax-meta.h"
#include "rd-tiff-pdf.h"

#define RETRY_AFTER_US (30 * G_USEC_PER_SEC)
/* A PDF's %%EOF marker must be this close to its end. */
#define EOF_WINDOW 1024

typedef struct {
  goffset  size;
  gint64   mtime;
  gint64   not_before;
  gint64   incomplete_since; /* 0: not found incomplete at this size */
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
  gboolean         use_monitor;
  GFileMonitor    *monitor;
  GCancellable    *cancellable;
  GHashTable      *candidates;  /* base name → Candidate */
  guint            settle_ms;
  guint            rescan_seconds;
  guint            tick_source;
  guint            rescan_source;
  gboolean         started;
  gboolean         watching;    /* started and not stopped */
  gboolean         checking;    /* a size/time check is on a worker */
  gboolean         scanning;    /* a listing is on a worker */
  char            *current;     /* the base name being taken */
  Candidate       *current_candidate;
  guint            current_id;  /* the number logs use for it */
  guint            next_id;
};

G_DEFINE_FINAL_TYPE (RdInboxWatcher, rd_inbox_watcher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MONITOR,
  PROP_RESCAN_SECONDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
  g_clear_pointer (&self->current_candidate, g_free);
  g_free (self->current);
  g_free (self->received_via);
  G_OBJECT_CLASS (rd_inbox_watcher_parent_class)->finalize (object);
}

static void
rd_inbox_watcher_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RdInboxWatcher *self = RD_INBOX_WATCHER (object);

  switch (prop_id)
    {
    case PROP_MONITOR:
      g_value_set_boolean (value, self->use_monitor);
      break;
    case PROP_RESCAN_SECONDS:
      g_value_set_uint (value, self->rescan_seconds);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_inbox_watcher_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RdInboxWatcher *self = RD_INBOX_WATCHER (object);

  switch (prop_id)
    {
    case PROP_MONITOR:
      if (self->use_monitor != g_value_get_boolean (value))
        {
          /* Takes effect at the start. */
          self->use_monitor = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RESCAN_SECONDS:
      rd_inbox_watcher_set_rescan_seconds (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_inbox_watcher_class_init (RdInboxWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_inbox_watcher_dispose;
  object_class->finalize = rd_inbox_watcher_finalize;
  object_class->get_property = rd_inbox_watcher_get_property;
  object_class->set_property = rd_inbox_watcher_set_property;

  /**
   * RdInboxWatcher:monitor:
   *
   * Whether the folder monitor announces new files (read at the start).
   * Without it only the scan at start and the periodic listing find them.
   */
  properties[PROP_MONITOR] =
    g_param_spec_boolean ("monitor", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * RdInboxWatcher:rescan-seconds:
   *
   * How often the folder is listed again for files nobody announced (a
   * network share's, written by other computers); 0: never.
   */
  properties[PROP_RESCAN_SECONDS] =
    g_param_spec_uint ("rescan-seconds", NULL, NULL, 0, 24 * 3600, RD_INBOX_DEFAULT_RESCAN_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  self->rescan_seconds = RD_INBOX_DEFAULT_RESCAN_SECONDS;
  self->use_monitor = TRUE;
  self->next_id = 1;
  self->cancellable = g_cancellable_new ();
  self->candidates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * rd_inbox_watcher_new:
 * @conn: an open connection to file with
 * @folder: the folder to watch
 * @received_via: "fax" or "scan"
 *
 * Returns: (transfer full): a new watcher; call rd_inbox_watcher_start_async()
 *   (or, in a command-line tool, rd_inbox_watcher_start())
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
 *
 * Call it before the start. A file still incomplete after
 * %RD_INBOX_INCOMPLETE_SETTLE_TIMES times this is rejected.
 */
void
rd_inbox_watcher_set_settle_time (RdInboxWatcher *self,
                                  guint           milliseconds)
{
  g_return_if_fail (RD_IS_INBOX_WATCHER (self));

  self->settle_ms = MAX (milliseconds, 10);
}

static gboolean on_rescan (gpointer user_data);

/**
 * rd_inbox_watcher_set_rescan_seconds:
 * @self: a watcher
 * @seconds: how often the folder is listed again; 0: never
 *
 * Sets #RdInboxWatcher:rescan-seconds; a running watcher follows at once.
 */
void
rd_inbox_watcher_set_rescan_seconds (RdInboxWatcher *self,
                                     guint           seconds)
{
  g_return_if_fail (RD_IS_INBOX_WATCHER (self));

  if (self->rescan_seconds == seconds)
    return;
  self->rescan_seconds = seconds;
  g_clear_handle_id (&self->rescan_source, g_source_remove);
  if (self->watching && seconds > 0)
    self->rescan_source = g_timeout_add_seconds (seconds, on_rescan, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESCAN_SECONDS]);
}

/**
 * rd_inbox_watcher_get_rescan_seconds:
 * @self: a watcher
 *
 * Returns: how often the folder is listed again; 0: never
 */
guint
rd_inbox_watcher_get_rescan_seconds (RdInboxWatcher *self)
{
  g_return_val_if_fail (RD_IS_INBOX_WATCHER (self), 0);

  return self->rescan_seconds;
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

/* Worker threads ---------------------------------------------------------- */

/* The wanted regular files in @folder (names; symlinks are not followed). */
static GPtrArray *
list_names (GFile         *folder,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GFileEnumerator) en = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  en = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                  G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                  G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, error);
  if (en == NULL)
    return NULL;
  for (;;)
    {
      GFileInfo *info = NULL;

      if (!g_file_enumerator_iterate (en, &info, NULL, cancellable, error))
        return NULL;
      if (info == NULL)
        break;
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR
          && wanted_name (g_file_info_get_name (info)))
        g_ptr_array_add (names, g_strdup (g_file_info_get_name (info)));
    }
  return g_steal_pointer (&names);
}

static gboolean
ensure_dir (GFile         *dir,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GError) local = NULL;

  if (g_file_make_directory (dir, cancellable, &local)
      || g_error_matches (local, G_IO_ERROR, G_IO_ERROR_EXISTS))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

typedef struct {
  char     *name;
  gboolean  regular;
  goffset   size;
  gint64    mtime;
} Stat;

static void
stat_clear (Stat *s)
{
  g_free (s->name);
}

typedef struct {
  GFile     *folder;
  GPtrArray *names;
} CheckData;

static void
check_data_free (CheckData *d)
{
  g_object_unref (d->folder);
  g_ptr_array_unref (d->names);
  g_free (d);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *d = task_data;
  GArray *stats = g_array_sized_new (FALSE, TRUE, sizeof (Stat), d->names->len);

  g_array_set_clear_func (stats, (GDestroyNotify) stat_clear);
  for (guint i = 0; i < d->names->len; i++)
    {
      g_autoptr(GFile) file = g_file_get_child (d->folder, g_ptr_array_index (d->names, i));
      g_autoptr(GFileInfo) info = NULL;
      Stat s = { g_strdup (g_ptr_array_index (d->names, i)), FALSE, 0, 0 };

      info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                                G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, NULL);
      if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
        {
          s.regular = TRUE;
          s.size = g_file_info_get_size (info);
          s.mtime = (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) * G_USEC_PER_SEC
                    + g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
        }
      g_array_append_val (stats, s);
    }
  g_task_return_pointer (task, stats, (GDestroyNotify) g_array_unref);
}

static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *names = list_names (task_data, cancellable, &error);

  if (names == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, names, (GDestroyNotify) g_ptr_array_unref);
}

/* What reading and checking a file found. */
typedef enum {
  TAKE_READY,       /* complete and valid: store it */
  TAKE_GONE,        /* not there (another watcher moved it) or unreadable now */
  TAKE_INCOMPLETE,  /* still being written, or cut off */
  TAKE_REJECTED,    /* broken: to rejected/ with the reason */
} TakeState;

typedef struct {
  GFile      *file;
  gboolean    fax;
  TakeState   state;
  char       *reason;
  GQuark      error_domain;  /* why TAKE_GONE, for the log */
  int         error_code;
  GBytes     *bytes;
  const char *media_type;
  guint       pages;
  GBytes     *converted_pdf;
  RdFaxMeta  *meta;
} Take;

static void
take_free (Take *t)
{
  g_clear_object (&t->file);
  g_clear_pointer (&t->reason, g_free);
  g_clear_pointer (&t->bytes, g_bytes_unref);
  g_clear_pointer (&t->converted_pdf, g_bytes_unref);
  g_clear_pointer (&t->meta, rd_fax_meta_free);
  g_free (t);
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

/* A complete PDF ends with %%EOF (perhaps followed by line ends or a few
 * bytes of padding); a writer that paused mid-file has not written it yet. */
static gboolean
find_pdf_eof (const char *data,
              gsize       len)
{
  gsize start = len > EOF_WINDOW ? len - EOF_WINDOW : 0;

  for (gsize i = len >= 5 ? len - 5 + 1 : 0; i-- > start;)
    if (memcmp (data + i, "%%EOF", 5) == 0)
      return TRUE;
  return FALSE;
}

/* A linearized PDF ends its first page's section with a %%EOF of its own,
 * so a copy cut just after it passes find_pdf_eof(); its linearization
 * dictionary (in the first kilobyte) gives the whole file's length, /L. */
static gboolean
pdf_linearized_short (const char *data,
                      gsize       len)
{
  gsize window = MIN (len, 1024);
  gsize i, j;
  guint64 whole = 0;

  for (i = 0; i + 11 <= window; i++)
    if (memcmp (data + i, "/Linearized", 11) == 0)
      break;
  if (i + 11 > window)
    return FALSE;
  for (j = i + 11; j + 3 <= window && !(data[j] == '>' && data[j + 1] == '>'); j++)
    if (data[j] == '/' && data[j + 1] == 'L' && g_ascii_isspace (data[j + 2]))
      {
        j += 2;
        while (j < window && g_ascii_isspace (data[j]))
          j++;
        while (j < window && g_ascii_isdigit (data[j]) && whole < G_MAXUINT64 / 10 - 10)
          whole = whole * 10 + (guint64) (data[j++] - '0');
        return whole > len;
      }
  return FALSE;
}

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         pos;
} TiffMem;

static tsize_t
tiff_mem_read (thandle_t handle, tdata_t buf, tsize_t size)
{
  TiffMem *m = (TiffMem *) handle;
  gsize n;

  if (size < 0 || m->pos >= m->len)
    return 0;
  n = MIN ((gsize) size, m->len - m->pos);
  memcpy (buf, m->data + m->pos, n);
  m->pos += n;
  return (tsize_t) n;
}

static tsize_t
tiff_mem_write (thandle_t handle, tdata_t buf, tsize_t size)
{
  return -1;
}

static toff_t
tiff_mem_seek (thandle_t handle, toff_t off, int whence)
{
  TiffMem *m = (TiffMem *) handle;
  guint64 base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->len : 0;

  /* libtiff passes negative offsets as large unsigned ones. */
  m->pos = (gsize) (base + off);
  return (toff_t) m->pos;
}

static int
tiff_mem_close (thandle_t handle)
{
  return 0;
}

static toff_t
tiff_mem_size (thandle_t handle)
{
  return (toff_t) ((TiffMem *) handle)->len;
}

static int
tiff_mem_map (thandle_t handle, tdata_t *base, toff_t *size)
{
  return 0;
}

static void
tiff_mem_unmap (thandle_t handle, tdata_t base, toff_t size)
{
}

static void
tiff_quiet (const char *module, const char *fmt, va_list ap)
{
}

/* Whether every image's data of the current IFD is inside the file. */
static gboolean
tiff_data_present (TIFF  *tif,
                   gsize  len)
{
  gboolean tiled = TIFFIsTiled (tif);
  guint32 n = tiled ? TIFFNumberOfTiles (tif) : TIFFNumberOfStrips (tif);
  guint64 *offsets = NULL;
  guint64 *counts = NULL;

  if (!TIFFGetField (tif, tiled ? TIFFTAG_TILEOFFSETS : TIFFTAG_STRIPOFFSETS, &offsets)
      || !TIFFGetField (tif, tiled ? TIFFTAG_TILEBYTECOUNTS : TIFFTAG_STRIPBYTECOUNTS, &counts)
      || offsets == NULL || counts == NULL)
    return FALSE;
  for (guint32 i = 0; i < n; i++)
    if (offsets[i] > len || counts[i] > len - offsets[i])
      return FALSE;
  return TRUE;
}

/* A TIFF is complete when its chain of IFDs ends properly and every page's
 * data is inside the file; a writer still busy has linked an IFD (or
 * strips) past the end it has written so far. */
static gboolean
tiff_complete (GBytes *bytes)
{
  TiffMem m = { NULL, 0, 0 };
  TIFF *tif;
  gboolean complete = FALSE;

  m.data = g_bytes_get_data (bytes, &m.len);
  TIFFSetErrorHandler (tiff_quiet);
  TIFFSetWarningHandler (tiff_quiet);
  tif = TIFFClientOpen ("inbox", "rm", (thandle_t) &m, tiff_mem_read, tiff_mem_write, tiff_mem_seek,
                        tiff_mem_close, tiff_mem_size, tiff_mem_map, tiff_mem_unmap);
  if (tif == NULL)
    return FALSE;
  for (guint page = 0; page <= RD_TIFF_MAX_PAGES; page++)
    {
      if (!tiff_data_present (tif, m.len))
        break;
      if (TIFFLastDirectory (tif))
        {
          complete = TRUE;
          break;
        }
      if (!TIFFReadDirectory (tif))
        break;
    }
  /* More pages than that: complete enough for the conversion to refuse. */
  if (!complete && TIFFCurrentDirectory (tif) >= RD_TIFF_MAX_PAGES)
    complete = TRUE;
  TIFFClose (tif);
  return complete;
}

/* Reads and checks one file: everything that touches the disk, Poppler or
 * libtiff for a file being taken happens here. */
static void
take_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Take *t = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len = 0;
  const char *data;

  in = g_file_read (t->file, cancellable, &error);
  if (in != NULL)
    bytes = g_input_stream_read_bytes (G_INPUT_STREAM (in), RD_INBOX_MAX_FILE_SIZE + 1, cancellable, &error);
  if (bytes == NULL)
    {
      t->state = TAKE_GONE;
      t->error_domain = error->domain;
      t->error_code = error->code;
      g_task_return_boolean (task, TRUE);
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  if (len > RD_INBOX_MAX_FILE_SIZE)
    {
      t->state = TAKE_REJECTED;
      t->reason = g_strdup_printf (_("The file is larger than %d MB. Ask the sender for a smaller file."),
                                   RD_INBOX_MAX_FILE_SIZE / (1024 * 1024));
    }
  else if (find_pdf_header (data, len))
    {
      g_autoptr(RdPdf) pdf = NULL;

      if (!find_pdf_eof (data, len) || pdf_linearized_short (data, len))
        {
          t->state = TAKE_INCOMPLETE;
          t->reason = g_strdup (_("The PDF file ends before its end marker: it was not written completely, or it was cut off. Ask the sender to send it again."));
        }
      else if ((pdf = rd_pdf_new_from_bytes (bytes, NULL, &error)) == NULL)
        {
          t->state = TAKE_REJECTED;
          t->reason = g_strdup_printf (_("The PDF cannot be read: %s. Ask the sender to send it again."),
                                       error->message);
        }
      else
        {
          t->state = TAKE_READY;
          t->media_type = "application/pdf";
          t->pages = rd_pdf_get_n_pages (pdf);
          /* A fax server's PDF says who sent it and when (its Info); a
           * scanner's says nothing about a sender. */
          if (t->fax)
            t->meta = rd_fax_meta_read (bytes, "application/pdf", NULL);
        }
    }
  else if (len >= 8 && (memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0))
    {
      if (!tiff_complete (bytes))
        {
          t->state = TAKE_INCOMPLETE;
          t->reason = g_strdup (_("The TIFF file ends before its last page: it was not written completely, or it is damaged. Ask the sender to send it again."));
        }
      else if ((t->converted_pdf = rd_tiff_to_pdf (bytes, &t->pages, &error)) == NULL)
        {
          t->state = TAKE_REJECTED;
          t->reason = g_strdup (error->message);
        }
      else
        {
          t->state = TAKE_READY;
          t->media_type = "image/tiff";
          if (t->fax)
            t->meta = rd_fax_meta_read (bytes, "image/tiff", NULL);
        }
    }
  else
    {
      t->state = TAKE_REJECTED;
      t->reason = g_strdup (_("This is neither a PDF nor a TIFF file, whatever its name says. Check what the scanner or fax server wrote."));
    }
  if (t->state == TAKE_READY)
    t->bytes = g_steal_pointer (&bytes);
  g_task_return_boolean (task, TRUE);
}

typedef struct {
  GFile *file;
  GFile *dir;
  char  *name;
  char  *reason;  /* written beside a rejected file */
} MoveData;

static void
move_data_free (MoveData *d)
{
  g_object_unref (d->file);
  g_object_unref (d->dir);
  g_free (d->name);
  g_free (d->reason);
  g_free (d);
}

/* Moves @file into @dir under its name, or N-NAME when taken. The rename
 * is the atomic step between watchers: only one of them finds the file. */
static GFile *
move_into (GFile         *file,
           GFile         *dir,
           const char    *name,
           GCancellable  *cancellable,
           GError       **error)
{
  for (guint n = 1; n < 1000; n++)
    {
      g_autofree char *target_name = n == 1 ? g_strdup (name) : g_strdup_printf ("%u-%s", n, name);
      g_autoptr(GFile) target = g_file_get_child (dir, target_name);
      g_autoptr(GError) local = NULL;

      if (g_file_move (file, target, G_FILE_COPY_NOFOLLOW_SYMLINKS, cancellable, NULL, NULL, &local))
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
move_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  MoveData *d = task_data;
  GError *error = NULL;
  g_autoptr(GFile) moved = NULL;

  /* Not cancellable: a move begun is finished, or the file is lost track of. */
  moved = move_into (d->file, d->dir, d->name, NULL, &error);
  if (moved == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (d->reason != NULL)
    {
      g_autofree char *moved_name = g_file_get_basename (moved);
      g_autofree char *reason_name = g_strconcat (moved_name, ".reason.txt", NULL);
      g_autoptr(GFile) reason_file = g_file_get_child (d->dir, reason_name);
      g_autofree char *text = g_strconcat (d->reason, "\n", NULL);

      if (!g_file_replace_contents (reason_file, text, strlen (text), NULL, FALSE,
                                    G_FILE_CREATE_NONE, NULL, NULL, &error))
        {
          /* The file is in rejected/; only its reason is missing. */
          g_task_return_int (task, error->code);
          g_error_free (error);
          return;
        }
    }
  g_task_return_int (task, -1);
}

/* The main context: bookkeeping only ---------------------------------------- */

static void
clear_current (RdInboxWatcher *self)
{
  g_clear_pointer (&self->current, g_free);
  g_clear_pointer (&self->current_candidate, g_free);
}

typedef struct {
  char            *name;
  RdIntakeOutcome  outcome;
  guint            id;
} Finishing;

static void
finishing_free (Finishing *f)
{
  g_free (f->name);
  g_free (f);
}

static void
on_moved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  RdInboxWatcher *self = RD_INBOX_WATCHER (source);
  Finishing *f = user_data;
  g_autoptr(GError) error = NULL;
  gssize reason_error = g_task_propagate_int (G_TASK (result), &error);

  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        /* Another watcher of this folder took it first; the sha256 kept
         * one document. */
        g_debug ("inbox: file %u was finished by another watcher", f->id);
      else
        g_warning ("inbox: file %u could not be moved (%s %d)", f->id,
                   g_quark_to_string (error->domain), error->code);
    }
  else if (reason_error >= 0)
    g_warning ("inbox: the reason for rejected file %u could not be written (GIO error %d)",
               f->id, (int) reason_error);

  if (g_strcmp0 (self->current, f->name) == 0)
    clear_current (self);
  /* Nothing is said after a stop: whoever listened may be gone. */
  if (!g_cancellable_is_cancelled (self->cancellable))
    g_signal_emit (self, signals[FILE_DONE], 0, f->name, (int) f->outcome);
  finishing_free (f);
}

/* Moves the current file to processed/ or rejected/ on a worker; the file
 * stays current (not taken again) until the move is done. */
static void
finish_current (RdInboxWatcher  *self,
                RdIntakeOutcome  outcome,
                const char      *reason)
{
  g_autoptr(GTask) task = NULL;
  MoveData *d = g_new0 (MoveData, 1);
  Finishing *f = g_new0 (Finishing, 1);
  gboolean rejected = outcome == RD_INTAKE_OUTCOME_REJECTED;

  d->file = g_file_get_child (self->folder, self->current);
  d->dir = g_object_ref (rejected ? self->rejected : self->processed);
  d->name = g_strdup (self->current);
  d->reason = rejected ? g_strdup (reason != NULL ? reason : "") : NULL;
  f->name = g_strdup (self->current);
  f->outcome = outcome;
  f->id = self->current_id;
  g_debug ("inbox: file %u: %s", f->id, rd_intake_outcome_to_string (outcome));

  /* No cancellable: on_moved always runs and frees @f. */
  task = g_task_new (self, NULL, on_moved, f);
  g_task_set_source_tag (task, finish_current);
  g_task_set_task_data (task, d, (GDestroyNotify) move_data_free);
  g_task_run_in_thread (task, move_thread);
}

/* Puts the current file back among the candidates, to try at @not_before. */
static void
requeue_current (RdInboxWatcher *self,
                 gint64          not_before)
{
  Candidate *c = g_steal_pointer (&self->current_candidate);

  if (c == NULL)
    c = g_new0 (Candidate, 1);
  c->not_before = not_before;
  g_hash_table_insert (self->candidates, g_steal_pointer (&self->current), c);
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
  if (self->current == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  if (summary == NULL)
    {
      /* The database is away: leave the file where it is and try again. */
      g_warning ("inbox: file %u could not be stored yet (%s %d); trying again later",
                 self->current_id, g_quark_to_string (error->domain), error->code);
      requeue_current (self, g_get_monotonic_time () + RETRY_AFTER_US);
      return;
    }
  finish_current (self, summary->outcome, summary->reason);
}

static void
file_current (RdInboxWatcher *self,
              Take           *t)
{
  g_autoptr(RdIntakeResult) result = rd_intake_result_new (self->received_via);
  g_autoptr(RdIntakeDocument) doc = NULL;
  g_autofree char *safe = rd_intake_sanitize_file_name (self->current, t->media_type, 1);

  rd_intake_result_set_event (result, RD_INTAKE_EVENT_DOCUMENTS);
  doc = rd_intake_document_new (t->bytes, safe, t->media_type, self->received_via);
  g_object_set (rd_intake_document_get_metadata (doc), "kind", self->received_via, NULL);
  if (t->pages > 0)
    rd_document_set_pages (rd_intake_document_get_metadata (doc), (int) t->pages);
  rd_fax_meta_apply (t->meta, rd_intake_document_get_metadata (doc));
  rd_intake_result_add_document (result, doc);
  if (t->converted_pdf != NULL)
    {
      /* The PDF for viewing beside the original TIFF, which is kept. */
      g_autofree char *pdf_name = rd_intake_sanitize_file_name (self->current, "application/pdf", 2);
      g_autoptr(RdIntakeDocument) pdf = rd_intake_document_new (t->converted_pdf, pdf_name, "application/pdf",
                                                                self->received_via);

      g_object_set (rd_intake_document_get_metadata (pdf), "kind", self->received_via, NULL);
      rd_document_set_pages (rd_intake_document_get_metadata (pdf), (int) t->pages);
      rd_fax_meta_apply (t->meta, rd_intake_document_get_metadata (pdf));
      rd_intake_result_add_document (result, pdf);
    }
  rd_intake_file_async (self->conn, result, NULL, NULL, self->cancellable, on_filed,
                        g_object_ref (self));
}

static void
on_taken (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  RdInboxWatcher *self = RD_INBOX_WATCHER (source);
  Take *t = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_monotonic_time ();
  gint64 bound = (gint64) self->settle_ms * 1000 * RD_INBOX_INCOMPLETE_SETTLE_TIMES;

  if (!g_task_propagate_boolean (G_TASK (result), &error) || self->current == NULL)
    return;
  switch (t->state)
    {
    case TAKE_GONE:
      /* Gone (another watcher moved it) or unreadable for now; a monitor
       * event or the next listing brings it back if it is still there. */
      g_debug ("inbox: file %u could not be read (%s %d)", self->current_id,
               g_quark_to_string (t->error_domain), t->error_code);
      clear_current (self);
      break;
    case TAKE_INCOMPLETE:
      {
        Candidate *c = self->current_candidate;

        if (c != NULL && c->incomplete_since == 0)
          c->incomplete_since = now;
        if (c != NULL && now - c->incomplete_since >= bound)
          {
            g_debug ("inbox: file %u stayed incomplete; rejecting it", self->current_id);
            finish_current (self, RD_INTAKE_OUTCOME_REJECTED, t->reason);
          }
        else
          {
            g_debug ("inbox: file %u is not complete yet; waiting", self->current_id);
            requeue_current (self, 0);
          }
      }
      break;
    case TAKE_REJECTED:
      finish_current (self, RD_INTAKE_OUTCOME_REJECTED, t->reason);
      break;
    case TAKE_READY:
    default:
      file_current (self, t);
      break;
    }
}

static void
take (RdInboxWatcher *self,
      const char     *name,
      Candidate      *candidate)
{
  g_autoptr(GTask) task = NULL;
  Take *t = g_new0 (Take, 1);

  self->current = g_strdup (name);
  self->current_candidate = candidate;
  self->current_id = self->next_id++;
  t->file = g_file_get_child (self->folder, name);
  t->fax = g_strcmp0 (self->received_via, "fax") == 0;

  task = g_task_new (self, self->cancellable, on_taken, NULL);
  g_task_set_source_tag (task, take);
  g_task_set_task_data (task, t, (GDestroyNotify) take_free);
  g_task_run_in_thread (task, take_thread);
}

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  RdInboxWatcher *self = RD_INBOX_WATCHER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) stats = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *ready = NULL;
  Candidate *ready_candidate = NULL;
  const char *best = NULL;
  gboolean best_incomplete = FALSE;

  self->checking = FALSE;
  if (stats == NULL)
    return;
  for (guint i = 0; i < stats->len; i++)
    {
      Stat *s = &g_array_index (stats, Stat, i);
      Candidate *c = g_hash_table_lookup (self->candidates, s->name);

      /* Taken or dropped while the worker looked. */
      if (c == NULL)
        continue;
      if (!s->regular)
        {
          /* Gone, or not a plain file (a symlink is never followed). */
          g_hash_table_remove (self->candidates, s->name);
          continue;
        }
      if (c->seen && c->size == s->size && c->mtime == s->mtime && s->size > 0)
        {
          /* One file at a time; one found incomplete before comes after
           * the others, so that it holds none of them up. */
          if (self->current == NULL
              && (best == NULL || (best_incomplete && c->incomplete_since == 0)))
            {
              best = s->name;
              best_incomplete = c->incomplete_since != 0;
            }
          continue;
        }
      /* Written since: its time to be incomplete starts again. */
      c->incomplete_since = 0;
      c->seen = TRUE;
      c->size = s->size;
      c->mtime = s->mtime;
    }

  if (best != NULL
      && g_hash_table_steal_extended (self->candidates, best, (gpointer *) &ready,
                                      (gpointer *) &ready_candidate))
    take (self, ready, ready_candidate);
}

static gboolean
on_tick (gpointer user_data)
{
  RdInboxWatcher *self = user_data;
  g_autoptr(GTask) task = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gint64 now = g_get_monotonic_time ();
  CheckData *d;

  if (self->checking || g_hash_table_size (self->candidates) == 0)
    return G_SOURCE_CONTINUE;

  d = g_new0 (CheckData, 1);
  d->folder = g_object_ref (self->folder);
  d->names = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&iter, self->candidates);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((Candidate *) value)->not_before <= now)
      g_ptr_array_add (d->names, g_strdup (key));
  if (d->names->len == 0)
    {
      check_data_free (d);
      return G_SOURCE_CONTINUE;
    }

  self->checking = TRUE;
  task = g_task_new (self, self->cancellable, on_checked, NULL);
  g_task_set_source_tag (task, on_tick);
  g_task_set_task_data (task, d, (GDestroyNotify) check_data_free);
  g_task_run_in_thread (task, check_thread);
  return G_SOURCE_CONTINUE;
}

static void
on_scanned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  RdInboxWatcher *self = RD_INBOX_WATCHER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_task_propagate_pointer (G_TASK (result), &error);

  self->scanning = FALSE;
  if (names == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("inbox: the folder could not be listed (%s %d)",
                 g_quark_to_string (error->domain), error->code);
      return;
    }
  for (guint i = 0; i < names->len; i++)
    add_candidate (self, g_ptr_array_index (names, i));
  g_debug ("inbox: the folder lists %u waiting files", names->len);
}

static gboolean
on_rescan (gpointer user_data)
{
  RdInboxWatcher *self = user_data;
  g_autoptr(GTask) task = NULL;

  if (self->scanning)
    return G_SOURCE_CONTINUE;
  self->scanning = TRUE;
  task = g_task_new (self, self->cancellable, on_scanned, NULL);
  g_task_set_source_tag (task, on_rescan);
  g_task_set_task_data (task, g_object_ref (self->folder), g_object_unref);
  g_task_run_in_thread (task, scan_thread);
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

/* The monitor comes first, so that nothing written while the folder is
 * listed is missed. Creating it registers the folder with the kernel; it
 * reads no file. */
static gboolean
begin_monitor (RdInboxWatcher  *self,
               GError         **error)
{
  if (!self->use_monitor)
    return TRUE;
  self->monitor = g_file_monitor_directory (self->folder, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (self->monitor == NULL)
    return FALSE;
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_changed), self, 0);
  return TRUE;
}

static void
begin_watching (RdInboxWatcher *self,
                GPtrArray      *names)
{
  for (guint i = 0; names != NULL && i < names->len; i++)
    add_candidate (self, g_ptr_array_index (names, i));
  self->watching = TRUE;
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_handle_id (&self->rescan_source, g_source_remove);
  self->tick_source = g_timeout_add (self->settle_ms, on_tick, self);
  if (self->rescan_seconds > 0)
    self->rescan_source = g_timeout_add_seconds (self->rescan_seconds, on_rescan, self);
}

/**
 * rd_inbox_watcher_start:
 * @self: a watcher
 * @error: where to put an error
 *
 * Creates processed/ and rejected/ when missing, starts watching and takes
 * the files already there. This waits on the disk: it is for command-line
 * tools; a window calls rd_inbox_watcher_start_async().
 *
 * Returns: whether the folder is watched
 */
gboolean
rd_inbox_watcher_start (RdInboxWatcher  *self,
                        GError         **error)
{
  g_autoptr(GPtrArray) names = NULL;

  g_return_val_if_fail (RD_IS_INBOX_WATCHER (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  if (!ensure_dir (self->processed, NULL, error) || !ensure_dir (self->rejected, NULL, error)
      || !begin_monitor (self, error))
    return FALSE;
  names = list_names (self->folder, NULL, error);
  if (names == NULL)
    {
      g_clear_object (&self->monitor);
      return FALSE;
    }
  self->started = TRUE;
  begin_watching (self, names);
  return TRUE;
}

static void
start_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  RdInboxWatcher *self = source_object;
  GError *error = NULL;
  GPtrArray *names;

  /* Only the watcher's immutable folders are touched here. */
  if (!ensure_dir (self->processed, cancellable, &error) || !ensure_dir (self->rejected, cancellable, &error)
      || (names = list_names (self->folder, cancellable, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, names, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * rd_inbox_watcher_start_async:
 * @self: a watcher
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the folder is watched, or cannot be
 * @user_data: for @callback
 *
 * Like rd_inbox_watcher_start(), with the folders made and the files listed
 * on a worker thread.
 */
void
rd_inbox_watcher_start_async (RdInboxWatcher      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (RD_IS_INBOX_WATCHER (self));
  g_return_if_fail (!self->started);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_inbox_watcher_start_async);
  self->started = TRUE;
  if (!begin_monitor (self, &error))
    {
      self->started = FALSE;
      g_task_return_error (task, error);
      return;
    }
  g_task_run_in_thread (task, start_thread);
}

/**
 * rd_inbox_watcher_start_finish:
 * @self: a watcher
 * @result: the result given to the callback
 * @error: where to put an error
 *
 * Returns: whether the folder is watched
 */
gboolean
rd_inbox_watcher_start_finish (RdInboxWatcher  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_autoptr(GPtrArray) names = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  names = g_task_propagate_pointer (G_TASK (result), error);
  if (names == NULL || g_cancellable_is_cancelled (self->cancellable))
    {
      if (self->monitor != NULL)
        g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
      if (names != NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the watcher was stopped");
      return FALSE;
    }
  begin_watching (self, names);
  return TRUE;
}

/**
 * rd_inbox_watcher_stop:
 * @self: a watcher
 *
 * Stops watching; a file being stored is left where it is. A file being
 * moved is moved, without #RdInboxWatcher::file-done: nothing is said
 * after a stop.
 */
void
rd_inbox_watcher_stop (RdInboxWatcher *self)
{
  g_return_if_fail (RD_IS_INBOX_WATCHER (self));

  self->watching = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_handle_id (&self->rescan_source, g_source_remove);
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
 * Returns: whether no file is waiting or being taken, and no listing of the
 *   folder is under way
 */
gboolean
rd_inbox_watcher_is_idle (RdInboxWatcher *self)
{
  g_return_val_if_fail (RD_IS_INBOX_WATCHER (self), FALSE);

  return self->current == NULL && !self->scanning && g_hash_table_size (self->candidates) == 0;
}
