/* rd-pdf.c — a validated PDF document, opened off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Faxes are untrusted. Opening checks the size, the header, encryption, the
 * page count and every page's size, all on a worker thread, and turns
 * whatever Poppler says into one of the RD_DOCUMENT_ERROR codes with a
 * message a front-office person can act on. Once open, the PopplerDocument
 * is handed to the render queue's worker thread and never touched
 * elsewhere; the page sizes are read once here so the main thread can lay
 * out pages without Poppler.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-documents.h"
#include "rd-pdf-private.h"
#include "rd-render-queue-private.h"
#include "rd-text-job.h"

/* The PDF header may start anywhere in the first 1024 bytes. */
#define HEADER_WINDOW 1024

typedef struct
{
  double width;
  double height;
} PageSize;

struct _RdPdf
{
  GObject          parent_instance;

  GBytes          *bytes;
  char            *password;
  char            *title;
  char            *checksum;
  guint            n_pages;
  PageSize        *sizes;

  /* Until the render queue takes it over. */
  PopplerDocument *document;
  RdRenderQueue   *queue;
};

G_DEFINE_FINAL_TYPE (RdPdf, rd_pdf, G_TYPE_OBJECT)

static void
rd_pdf_dispose (GObject *object)
{
  RdPdf *self = RD_PDF (object);

  g_clear_object (&self->queue);
  g_clear_object (&self->document);

  G_OBJECT_CLASS (rd_pdf_parent_class)->dispose (object);
}

static void
rd_pdf_finalize (GObject *object)
{
  RdPdf *self = RD_PDF (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->checksum, g_free);
  g_clear_pointer (&self->sizes, g_free);

  G_OBJECT_CLASS (rd_pdf_parent_class)->finalize (object);
}

static void
rd_pdf_class_init (RdPdfClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_pdf_dispose;
  object_class->finalize = rd_pdf_finalize;
}

static void
rd_pdf_init (RdPdf *self)
{
}

static gboolean
has_pdf_header (GBytes *bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  gsize window = MIN (size, HEADER_WINDOW);

  for (gsize i = 0; i + 5 <= window; i++)
    if (memcmp (data + i, "%PDF-", 5) == 0)
      return TRUE;

  return FALSE;
}

PopplerDocument *
_rd_pdf_open_document (GBytes      *bytes,
                       const char  *password,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  PopplerDocument *document;
  int n_pages;

  if (g_bytes_get_size (bytes) > RD_PDF_MAX_BYTES)
    {
      g_set_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_TOO_LARGE,
                   _("The document is larger than %d MB, more than Referral Desk can show. Ask the sender to split it into smaller files."),
                   RD_PDF_MAX_BYTES / (1024 * 1024));
      return NULL;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      g_set_error_literal (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_EMPTY,
                           _("The file is empty. Ask the sender to send it again."));
      return NULL;
    }

  if (!has_pdf_header (bytes))
    {
      g_set_error_literal (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_UNSUPPORTED,
                           _("The file is not a PDF document. Ask the sender for a PDF, or open the file with another application."));
      return NULL;
    }

  if (password == NULL || password[0] == '\0')
    document = poppler_document_new_from_bytes (bytes, NULL, &local_error);
  else
    {
      /* poppler-glib 22.12 crashes in poppler_document_new_from_bytes() when
       * a password is wrong (its retry with the UTF-8 password copies the
       * stream into the wrong type); the stream path retries correctly. */
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);

      document = poppler_document_new_from_stream (stream, g_bytes_get_size (bytes),
                                                   password, NULL, &local_error);
    }
  if (document == NULL)
    {
      if (g_error_matches (local_error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
        {
          if (password == NULL || password[0] == '\0')
            g_set_error_literal (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_ENCRYPTED,
                                 _("The document is protected by a password. Enter the password to open it."));
          else
            g_set_error_literal (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_BAD_PASSWORD,
                                 _("The password is not correct. Check it and try again."));
        }
      else
        {
          g_debug ("poppler could not open a document: %s",
                   local_error ? local_error->message : "no reason given");
          g_set_error_literal (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_DAMAGED,
                               _("The document is damaged and cannot be shown. It stays in the inbox unchanged; ask the sender to send it again."));
        }
      return NULL;
    }

  n_pages = poppler_document_get_n_pages (document);
  if (n_pages <= 0)
    {
      g_object_unref (document);
      g_set_error_literal (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_EMPTY,
                           _("The document has no pages that can be shown. It stays in the inbox unchanged; ask the sender to send it again."));
      return NULL;
    }

  if (n_pages > RD_PDF_MAX_PAGES)
    {
      g_object_unref (document);
      g_set_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_TOO_LARGE,
                   _("The document has more than %d pages, more than Referral Desk can show. Ask the sender to split it."),
                   RD_PDF_MAX_PAGES);
      return NULL;
    }

  return document;
}

/**
 * rd_pdf_new_from_bytes:
 * @bytes: the file's contents
 * @password: (nullable): the password of an encrypted document
 * @error: return location for a #RD_DOCUMENT_ERROR
 *
 * Validates and opens a PDF. This blocks while Poppler reads the file:
 * call it from a worker thread (or a test), never from the main thread of
 * the application; there, use rd_pdf_load_async().
 *
 * Returns: (transfer full) (nullable): the document, or %NULL with @error
 *   set to %RD_DOCUMENT_ERROR_TOO_LARGE, _EMPTY, _UNSUPPORTED, _ENCRYPTED,
 *   _BAD_PASSWORD or _DAMAGED
 */
RdPdf *
rd_pdf_new_from_bytes (GBytes      *bytes,
                       const char  *password,
                       GError     **error)
{
  g_autoptr(RdPdf) self = NULL;
  PopplerDocument *document;
  char *title;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((document = _rd_pdf_open_document (bytes, password, error)) == NULL)
    return NULL;

  self = g_object_new (RD_TYPE_PDF, NULL);
  self->document = document;
  self->bytes = g_bytes_ref (bytes);
  self->password = g_strdup (password);
  self->n_pages = poppler_document_get_n_pages (document);
  self->sizes = g_new0 (PageSize, self->n_pages);
  self->checksum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

  title = poppler_document_get_title (document);
  if (title != NULL && g_utf8_validate (title, -1, NULL))
    self->title = g_strstrip (title);
  else
    g_free (title);

  for (guint i = 0; i < self->n_pages; i++)
    {
      PopplerPage *page = poppler_document_get_page (document, i);
      double w = 0, h = 0;

      if (page != NULL)
        {
          poppler_page_get_size (page, &w, &h);
          g_object_unref (page);
        }

      /* A page that lies about its size is shown as US Letter; the render
       * job applies the same rule. */
      if (!(w >= 1 && h >= 1 && w < 1e6 && h < 1e6))
        {
          w = 612;
          h = 792;
        }
      self->sizes[i].width = w;
      self->sizes[i].height = h;
    }

  return g_steal_pointer (&self);
}

typedef struct
{
  GBytes *bytes;
  char   *password;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *ld = data;

  g_bytes_unref (ld->bytes);
  if (ld->password != NULL)
    memset (ld->password, 0, strlen (ld->password));
  g_free (ld->password);
  g_free (ld);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *ld = task_data;
  g_autoptr(GError) error = NULL;
  RdPdf *pdf;

  if ((pdf = rd_pdf_new_from_bytes (ld->bytes, ld->password, &error)) == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, pdf, g_object_unref);
}

/**
 * rd_pdf_load_async:
 * @bytes: the file's contents
 * @password: (nullable): the password of an encrypted document
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the current thread-default main context
 * @user_data: for @callback
 *
 * Validates and opens a PDF on a worker thread. The render queue of the
 * result delivers on the main context that is current when
 * rd_pdf_get_render_queue() is first called.
 */
void
rd_pdf_load_async (GBytes              *bytes,
                   const char          *password,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *ld;

  g_return_if_fail (bytes != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  ld = g_new0 (LoadData, 1);
  ld->bytes = g_bytes_ref (bytes);
  ld->password = g_strdup (password);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_pdf_load_async);
  g_task_set_task_data (task, ld, load_data_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_thread);
}

/**
 * rd_pdf_load_finish:
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #RD_DOCUMENT_ERROR or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full) (nullable): the document, or %NULL with @error set
 */
RdPdf *
rd_pdf_load_finish (GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_pdf_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rd_pdf_get_bytes:
 * @self: a #RdPdf
 *
 * Returns: (transfer none): the file's contents
 */
GBytes *
rd_pdf_get_bytes (RdPdf *self)
{
  g_return_val_if_fail (RD_IS_PDF (self), NULL);

  return self->bytes;
}

/**
 * rd_pdf_get_n_pages:
 * @self: a #RdPdf
 *
 * Returns: the number of pages, at least 1
 */
guint
rd_pdf_get_n_pages (RdPdf *self)
{
  g_return_val_if_fail (RD_IS_PDF (self), 0);

  return self->n_pages;
}

/**
 * rd_pdf_get_page_size:
 * @self: a #RdPdf
 * @page: page index from 0
 * @width: (out) (optional): width in PDF points (1/72 inch), unrotated
 * @height: (out) (optional): height in PDF points
 *
 * Reads the size measured when the document was opened; no Poppler call.
 *
 * Returns: %FALSE when @page is out of range
 */
gboolean
rd_pdf_get_page_size (RdPdf  *self,
                      guint   page,
                      double *width,
                      double *height)
{
  g_return_val_if_fail (RD_IS_PDF (self), FALSE);

  if (page >= self->n_pages)
    return FALSE;

  if (width != NULL)
    *width = self->sizes[page].width;
  if (height != NULL)
    *height = self->sizes[page].height;

  return TRUE;
}

/**
 * rd_pdf_get_title:
 * @self: a #RdPdf
 *
 * Returns: (nullable): the title in the document's metadata, if any. It may
 *   hold patient information: show it, never log it.
 */
const char *
rd_pdf_get_title (RdPdf *self)
{
  g_return_val_if_fail (RD_IS_PDF (self), NULL);

  return self->title;
}

/**
 * rd_pdf_get_checksum:
 * @self: a #RdPdf
 *
 * Returns: the SHA-256 of the file's bytes, in lower-case hex, computed
 *   when the document was opened (off the main thread)
 */
const char *
rd_pdf_get_checksum (RdPdf *self)
{
  g_return_val_if_fail (RD_IS_PDF (self), NULL);

  return self->checksum;
}

/**
 * rd_pdf_get_render_queue:
 * @self: a #RdPdf
 *
 * Gets the document's render queue, starting its worker thread the first
 * time; from then on only that thread touches the PopplerDocument. The
 * queue delivers on the thread-default main context of this first call.
 *
 * Returns: (transfer none): the queue
 */
RdRenderQueue *
rd_pdf_get_render_queue (RdPdf *self)
{
  g_return_val_if_fail (RD_IS_PDF (self), NULL);

  if (self->queue == NULL)
    self->queue = _rd_render_queue_new (g_steal_pointer (&self->document),
                                        self->bytes, self->password);

  return self->queue;
}

static void
on_text_job_done (RdRenderJob *job,
                  gpointer     user_data)
{
  GTask *task = user_data;
  const GError *error = rd_render_job_get_error (job);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_pointer (task, g_strdup (rd_text_job_get_text (RD_TEXT_JOB (job))), g_free);
}

/**
 * rd_pdf_extract_text_async:
 * @self: a #RdPdf
 * @page: page index from 0, or -1 for all pages (separated by form feeds)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the queue's main context
 * @user_data: for @callback
 *
 * Reads the text layer on the document's worker thread, after the pages
 * waiting to be shown. A scanned page without text gives "".
 */
void
rd_pdf_extract_text_async (RdPdf               *self,
                           int                  page,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(RdTextJob) job = NULL;

  g_return_if_fail (RD_IS_PDF (self));
  g_return_if_fail (page >= -1);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_pdf_extract_text_async);

  if (page >= (int) self->n_pages)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "page %d out of range", page);
      return;
    }

  job = rd_text_job_new (page, RD_RENDER_PRIORITY_BACKGROUND);
  rd_render_queue_push (rd_pdf_get_render_queue (self), RD_RENDER_JOB (job),
                        on_text_job_done, g_steal_pointer (&task), g_object_unref);
}

/**
 * rd_pdf_extract_text_finish:
 * @self: a #RdPdf
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the UTF-8 text, or %NULL with @error set
 */
char *
rd_pdf_extract_text_finish (RdPdf         *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (RD_IS_PDF (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
