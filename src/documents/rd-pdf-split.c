/* rd-pdf-split.c — new PDFs made of page ranges of one PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A fax server often sends two or three patients' referrals in one
 * transmission. Splitting opens the fax once more, on a worker thread of
 * its own (its own PopplerDocument, never shared with the viewer's render
 * queue), and prints each page range into a new PDF with cairo: pages keep
 * their size and their rotation (Poppler renders a page upright into a box
 * of its rotated size), and text drawn as text stays text, so the parts
 * keep the text layer the original had. Scanned images are passed through
 * in their original encoding where Poppler offers it (CCITT, JBIG2, JPEG).
 *
 * Bounds: each part is capped at RD_PDF_MAX_BYTES (the cap on what can be
 * opened), all parts together at RD_PDF_SPLIT_MAX_TOTAL_BYTES, and the
 * whole split at a time budget proportional to its pages;
 * a single Poppler call cannot be interrupted, so the budget is checked
 * between pages, as is the cancellable.
 */
#include "config.h"

#include <string.h>
#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>

#include "rd-pdf-private.h"
#include "rd-pdf-split.h"

/* A fixed date: the same pages of the same fax give the same bytes. */
#define SPLIT_DATE "2000-01-01T00:00:00Z"
#define SPLIT_BASE_BUDGET_MS 10000

G_DEFINE_QUARK (rd-pdf-split-error-quark, rd_pdf_split_error)

/**
 * rd_page_ranges_check:
 * @ranges: (array length=n_ranges): the ranges
 * @n_ranges: how many
 * @n_pages: pages in the document
 * @error: return location for a %RD_PDF_SPLIT_ERROR
 *
 * Checks that there is at least one range, that each has
 * 1 ≤ from ≤ to ≤ @n_pages, and that no page is in two ranges. Pages in no
 * range are allowed: they are left out on purpose.
 *
 * Returns: %TRUE when the ranges can be split
 */
gboolean
rd_page_ranges_check (const RdPageRange  *ranges,
                      guint               n_ranges,
                      guint               n_pages,
                      GError            **error)
{
  g_autofree guint8 *owner = NULL;

  g_return_val_if_fail (ranges != NULL || n_ranges == 0, FALSE);

  if (n_ranges == 0)
    {
      g_set_error_literal (error, RD_PDF_SPLIT_ERROR, RD_PDF_SPLIT_ERROR_NO_RANGES,
                           _("No pages were chosen. Give at least one range of pages."));
      return FALSE;
    }

  for (guint i = 0; i < n_ranges; i++)
    {
      if (ranges[i].from < 1 || ranges[i].from > ranges[i].to || ranges[i].to > n_pages)
        {
          g_set_error (error, RD_PDF_SPLIT_ERROR, RD_PDF_SPLIT_ERROR_BAD_RANGE,
                       /* Translators: "Pages 3–9 are not in the document, which has 5 pages. …" */
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Pages %u–%u are not a range of this document, which has %u page. Use page numbers from 1 to %u, the first not after the last.",
                                    "Pages %u–%u are not a range of this document, which has %u pages. Use page numbers from 1 to %u, the first not after the last.",
                                    n_pages),
                       ranges[i].from, ranges[i].to, n_pages, n_pages);
          return FALSE;
        }
    }

  /* One byte per page: who took it. Pages are at most RD_PDF_MAX_PAGES. */
  owner = g_malloc0 (n_pages + 1);
  for (guint i = 0; i < n_ranges; i++)
    for (guint p = ranges[i].from; p <= ranges[i].to; p++)
      {
        if (owner[p] != 0)
          {
            g_set_error (error, RD_PDF_SPLIT_ERROR, RD_PDF_SPLIT_ERROR_OVERLAP,
                         _("Page %u is in two parts. Give each page to one part only."), p);
            return FALSE;
          }
        owner[p] = 1;
      }

  return TRUE;
}

typedef struct
{
  GByteArray *out;
  gsize       limit;
  gboolean    over;
} Sink;

static cairo_status_t
write_cb (void                *closure,
          const unsigned char *data,
          unsigned int         length)
{
  Sink *sink = closure;

  if (sink->over || (gsize) sink->out->len + length > sink->limit)
    {
      sink->over = TRUE;
      return CAIRO_STATUS_WRITE_ERROR;
    }
  g_byte_array_append (sink->out, data, length);
  return CAIRO_STATUS_SUCCESS;
}

typedef void (*PageDone) (guint done, guint total, gpointer data);

/* Characters of @text that are not white space. */
static guint
count_visible_chars (const char *text)
{
  guint n = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      n++;
  return n;
}

/* How many of the characters of @a (white space aside, as a multiset) are
 * also in @b. */
static guint
count_shared_chars (const char *a,
                    const char *b)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  guint shared = 0;

  for (const char *p = b; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gpointer key = GUINT_TO_POINTER (g_utf8_get_char (p));

      g_hash_table_insert (counts, key,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) + 1));
    }
  for (const char *p = a; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (c)));

      if (n > 0 && !g_unichar_isspace (c))
        {
          shared++;
          g_hash_table_insert (counts, GUINT_TO_POINTER (c), GUINT_TO_POINTER (n - 1));
        }
    }
  return shared;
}

/* Poppler does not print invisible text (render mode 3), which is how OCR
 * software lays a text layer over a scanned page. Put it back: each word,
 * at its place and width, in ink too faint to see: 0.004 changes a pixel by
 * one level at most, and cairo drops drawing at an alpha of 1/256 or less. */
static void
draw_text_layer (PopplerPage *page,
                 cairo_t     *cr)
{
  g_autofree char *text = poppler_page_get_text (page);
  g_autofree PopplerRectangle *rects = NULL;
  guint n_rects = 0;
  const char *p = text;
  const char *word = NULL;
  PopplerRectangle box = { 0 };
  guint i = 0;

  if (text == NULL || !poppler_page_get_text_layout (page, &rects, &n_rects))
    return;

  cairo_save (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.004);

  for (;; p = g_utf8_next_char (p), i++)
    {
      gunichar c = *p != '\0' ? g_utf8_get_char (p) : ' ';
      gboolean space = g_unichar_isspace (c) || i >= n_rects;

      if (!space && word == NULL)
        {
          word = p;
          box = rects[i];
        }
      else if (!space)
        {
          box.x1 = MIN (box.x1, rects[i].x1);
          box.y1 = MIN (box.y1, rects[i].y1);
          box.x2 = MAX (box.x2, rects[i].x2);
          box.y2 = MAX (box.y2, rects[i].y2);
        }
      else if (word != NULL)
        {
          g_autofree char *w = g_strndup (word, p - word);
          double height = box.y2 - box.y1;
          cairo_text_extents_t ext;

          if (height > 0.5 && box.x2 > box.x1)
            {
              cairo_save (cr);
              cairo_set_font_size (cr, height);
              cairo_text_extents (cr, w, &ext);
              cairo_translate (cr, box.x1, box.y2 - height * 0.2);
              if (ext.x_advance > 0)
                cairo_scale (cr, (box.x2 - box.x1) / ext.x_advance, 1);
              cairo_move_to (cr, 0, 0);
              cairo_show_text (cr, w);
              cairo_restore (cr);
            }
          word = NULL;
        }
      if (*p == '\0' || i >= n_rects)
        break;
    }
  cairo_restore (cr);
}

static GBytes *
print_range (PopplerDocument  *document,
             RdPageRange       range,
             const gboolean   *overlay,
             gint64            deadline,
             GCancellable     *cancellable,
             PageDone          page_done,
             gpointer          page_done_data,
             guint            *done,
             guint             total,
             gsize            *budget,
             GError          **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  Sink sink = { out, MIN (*budget, RD_PDF_MAX_BYTES), FALSE };
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  gboolean late = FALSE;

  surface = cairo_pdf_surface_create_for_stream (write_cb, &sink, 612, 792);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, SPLIT_DATE);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Referral Desk");
  cr = cairo_create (surface);

  for (guint p = range.from; p <= range.to; p++)
    {
      PopplerPage *page;
      double w = 0, h = 0;

      if (g_cancellable_is_cancelled (cancellable) || sink.over)
        break;
      if (g_get_monotonic_time () > deadline)
        {
          late = TRUE;
          break;
        }

      page = poppler_document_get_page (document, p - 1);
      if (page != NULL)
        poppler_page_get_size (page, &w, &h);
      /* The same rule as the viewer: a page that lies about its size is
       * shown, and now printed, as US Letter. */
      if (!(w >= 1 && h >= 1 && w < 1e6 && h < 1e6))
        {
          w = 612;
          h = 792;
        }
      cairo_pdf_surface_set_size (surface, w, h);
      if (page != NULL)
        {
          cairo_save (cr);
          poppler_page_render_for_printing (page, cr);
          cairo_restore (cr);
          if (overlay != NULL && overlay[p - range.from])
            draw_text_layer (page, cr);
          g_object_unref (page);
        }
      cairo_show_page (cr);

      *done += 1;
      if (page_done != NULL)
        page_done (*done, total, page_done_data);
    }

  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (sink.over && sink.limit < RD_PDF_MAX_BYTES)
    {
      g_set_error (error, RD_PDF_SPLIT_ERROR, RD_PDF_SPLIT_ERROR_TOO_LARGE,
                   _("The parts together would be larger than %d MB. Split fewer pages at a time."),
                   RD_PDF_SPLIT_MAX_TOTAL_BYTES / (1024 * 1024));
      return NULL;
    }
  if (sink.over)
    {
      g_set_error (error, RD_PDF_SPLIT_ERROR, RD_PDF_SPLIT_ERROR_TOO_LARGE,
                   _("Pages %u–%u would make a file larger than %d MB. Split them into smaller parts."),
                   range.from, range.to, RD_PDF_MAX_BYTES / (1024 * 1024));
      return NULL;
    }

  if (late)
    {
      g_set_error_literal (error, RD_PDF_SPLIT_ERROR, RD_PDF_SPLIT_ERROR_TOO_LARGE,
                           _("Splitting the document took too long and was stopped. Nothing was changed; try smaller parts."));
      return NULL;
    }

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_debug ("cairo could not write a split part: %s", cairo_status_to_string (status));
      g_set_error_literal (error, RD_PDF_SPLIT_ERROR, RD_PDF_SPLIT_ERROR_TOO_LARGE,
                           _("The new document could not be written, probably for lack of memory. Nothing was changed; try smaller parts."));
      return NULL;
    }

  *budget -= out->len;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Which pages of @part lost text their source page had (invisible OCR text,
 * or a font whose characters Poppler maps differently when printing), or
 * %NULL when none did. */
static gboolean *
find_lost_text (PopplerDocument *document,
                GBytes          *part,
                RdPageRange      range)
{
  g_autofree gboolean *lost = g_new0 (gboolean, range.to - range.from + 1);
  PopplerDocument *printed = poppler_document_new_from_bytes (part, NULL, NULL);
  gboolean any = FALSE;

  if (printed == NULL)
    return NULL;

  for (guint p = range.from; p <= range.to; p++)
    {
      PopplerPage *src = poppler_document_get_page (document, p - 1);
      PopplerPage *dst = poppler_document_get_page (printed, p - range.from);
      g_autofree char *src_text = src != NULL ? poppler_page_get_text (src) : NULL;
      g_autofree char *dst_text = dst != NULL ? poppler_page_get_text (dst) : NULL;
      guint had = count_visible_chars (src_text);

      if (had > 0 && count_shared_chars (src_text, dst_text) < had - had / 20)
        any = lost[p - range.from] = TRUE;
      g_clear_object (&src);
      g_clear_object (&dst);
    }
  g_object_unref (printed);

  return any ? g_steal_pointer (&lost) : NULL;
}

static GPtrArray *
split_full (GBytes             *bytes,
            const char         *password,
            const RdPageRange  *ranges,
            guint               n_ranges,
            PageDone            page_done,
            gpointer            page_done_data,
            GCancellable       *cancellable,
            GError            **error)
{
  g_autoptr(GPtrArray) parts = NULL;
  PopplerDocument *document;
  guint n_pages;
  guint total = 0;
  guint done = 0;
  gsize budget = RD_PDF_SPLIT_MAX_TOTAL_BYTES;
  gint64 deadline;

  if ((document = _rd_pdf_open_document (bytes, password, error)) == NULL)
    return NULL;

  n_pages = poppler_document_get_n_pages (document);
  if (!rd_page_ranges_check (ranges, n_ranges, n_pages, error))
    {
      g_object_unref (document);
      return NULL;
    }

  for (guint i = 0; i < n_ranges; i++)
    total += ranges[i].to - ranges[i].from + 1;
  deadline = g_get_monotonic_time ()
             + ((gint64) SPLIT_BASE_BUDGET_MS + (gint64) total * RD_PDF_SPLIT_MS_PER_PAGE) * 1000;

  parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < n_ranges; i++)
    {
      guint before = done;
      gsize budget_before = budget;
      GBytes *part = print_range (document, ranges[i], NULL, deadline, cancellable,
                                  page_done, page_done_data, &done, total, &budget, error);
      g_autofree gboolean *overlay = NULL;

      if (part != NULL && (overlay = find_lost_text (document, part, ranges[i])) != NULL)
        {
          /* Again, with the text layer drawn back; progress is not repeated. */
          g_bytes_unref (part);
          budget = budget_before;
          part = print_range (document, ranges[i], overlay, deadline, cancellable,
                              NULL, NULL, &before, total, &budget, error);
        }
      if (part == NULL)
        {
          g_object_unref (document);
          return NULL;
        }
      g_ptr_array_add (parts, part);
    }

  g_object_unref (document);
  return g_steal_pointer (&parts);
}

/**
 * rd_pdf_split:
 * @bytes: the PDF
 * @password: (nullable): its password, if it is encrypted
 * @ranges: (array length=n_ranges): the parts to make, as page ranges
 * @n_ranges: how many
 * @cancellable: (nullable): checked between pages
 * @error: return location for a %RD_DOCUMENT_ERROR (the file cannot be
 *   opened), a %RD_PDF_SPLIT_ERROR or %G_IO_ERROR_CANCELLED
 *
 * Makes one new PDF per range. This blocks while Poppler and cairo work:
 * call it on a worker thread or in a test; the application uses
 * rd_pdf_split_async().
 *
 * Returns: (transfer full) (element-type GBytes) (nullable): the new PDFs,
 *   in the order of @ranges, or %NULL with @error set
 */
GPtrArray *
rd_pdf_split (GBytes             *bytes,
              const char         *password,
              const RdPageRange  *ranges,
              guint               n_ranges,
              GCancellable       *cancellable,
              GError            **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return split_full (bytes, password, ranges, n_ranges, NULL, NULL, cancellable, error);
}

typedef struct
{
  GBytes             *bytes;
  char               *password;
  RdPageRange        *ranges;
  guint               n_ranges;
  GMainContext       *context;
  RdPdfSplitProgress  progress;
  gpointer            progress_data;
  GDestroyNotify      progress_destroy;
} SplitData;

static void
split_data_free (gpointer data)
{
  SplitData *sd = data;

  g_bytes_unref (sd->bytes);
  if (sd->password != NULL)
    memset (sd->password, 0, strlen (sd->password));
  g_free (sd->password);
  g_free (sd->ranges);
  g_main_context_unref (sd->context);
  if (sd->progress_destroy != NULL)
    sd->progress_destroy (sd->progress_data);
  g_free (sd);
}

typedef struct
{
  GTask *task;
  guint  done;
  guint  total;
} ProgressMessage;

static gboolean
deliver_progress_cb (gpointer data)
{
  ProgressMessage *msg = data;
  SplitData *sd = g_task_get_task_data (msg->task);

  if (!g_cancellable_is_cancelled (g_task_get_cancellable (msg->task)))
    sd->progress (msg->done, msg->total, sd->progress_data);
  return G_SOURCE_REMOVE;
}

static void
progress_message_free (gpointer data)
{
  ProgressMessage *msg = data;

  g_object_unref (msg->task);
  g_free (msg);
}

static void
on_page_done (guint    done,
              guint    total,
              gpointer data)
{
  GTask *task = data;
  SplitData *sd = g_task_get_task_data (task);
  ProgressMessage *msg;

  if (sd->progress == NULL)
    return;

  msg = g_new0 (ProgressMessage, 1);
  msg->task = g_object_ref (task);
  msg->done = done;
  msg->total = total;
  g_main_context_invoke_full (sd->context, G_PRIORITY_DEFAULT, deliver_progress_cb,
                              msg, progress_message_free);
}

static void
split_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SplitData *sd = task_data;
  GError *error = NULL;
  GPtrArray *parts;

  parts = split_full (sd->bytes, sd->password, sd->ranges, sd->n_ranges,
                      on_page_done, task, cancellable, &error);
  if (parts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, parts, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * rd_pdf_split_async:
 * @bytes: the PDF
 * @password: (nullable): its password, if it is encrypted
 * @ranges: (array length=n_ranges): the parts to make, as page ranges (copied)
 * @n_ranges: how many
 * @progress: (nullable) (scope notified): told of each page written, on the
 *   thread-default main context of this call
 * @progress_data: for @progress
 * @progress_destroy: (nullable): frees @progress_data when the split is over
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the thread-default main context of this call
 * @user_data: for @callback
 *
 * Makes one new PDF per range on a worker thread with its own
 * PopplerDocument. The ranges are checked there, against the real page
 * count, with rd_page_ranges_check().
 */
void
rd_pdf_split_async (GBytes              *bytes,
                    const char          *password,
                    const RdPageRange   *ranges,
                    guint                n_ranges,
                    RdPdfSplitProgress   progress,
                    gpointer             progress_data,
                    GDestroyNotify       progress_destroy,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SplitData *sd;

  g_return_if_fail (bytes != NULL);
  g_return_if_fail (ranges != NULL || n_ranges == 0);

  sd = g_new0 (SplitData, 1);
  sd->bytes = g_bytes_ref (bytes);
  sd->password = g_strdup (password);
  sd->ranges = n_ranges > 0 ? g_memdup2 (ranges, sizeof (RdPageRange) * n_ranges) : NULL;
  sd->n_ranges = n_ranges;
  sd->context = g_main_context_ref_thread_default ();
  sd->progress = progress;
  sd->progress_data = progress_data;
  sd->progress_destroy = progress_destroy;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_pdf_split_async);
  g_task_set_task_data (task, sd, split_data_free);
  g_task_run_in_thread (task, split_thread);
}

/**
 * rd_pdf_split_finish:
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a %RD_DOCUMENT_ERROR, a %RD_PDF_SPLIT_ERROR
 *   or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full) (element-type GBytes) (nullable): the new PDFs,
 *   in the order of the ranges, or %NULL with @error set
 */
GPtrArray *
rd_pdf_split_finish (GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_pdf_split_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
