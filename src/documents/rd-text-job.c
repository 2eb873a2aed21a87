/* rd-text-job.c — extract the text layer of a page (or of every page)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-documents.h"
#include "rd-render-job-private.h"
#include "rd-text-job.h"

/* Text beyond this is not useful for suggestions and only costs memory. */
#define MAX_TEXT_BYTES (4 * 1024 * 1024)

struct _RdTextJob
{
  RdRenderJob  parent_instance;

  char        *text;
};

G_DEFINE_FINAL_TYPE (RdTextJob, rd_text_job, RD_TYPE_RENDER_JOB)

static gboolean
append_page_text (PopplerDocument  *document,
                  int               index,
                  GString          *out,
                  GError          **error)
{
  PopplerPage *page = poppler_document_get_page (document, index);
  char *text;

  if (page == NULL)
    {
      g_set_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_DAMAGED,
                   _("Page %d of the document cannot be read. The other pages may still be fine."),
                   index + 1);
      return FALSE;
    }

  text = poppler_page_get_text (page);
  if (text != NULL && out->len < MAX_TEXT_BYTES)
    g_string_append_len (out, text, MIN (strlen (text), MAX_TEXT_BYTES - out->len));
  g_free (text);
  g_object_unref (page);

  return TRUE;
}

static gboolean
rd_text_job_run (RdRenderJob      *job,
                 PopplerDocument  *document,
                 GError          **error)
{
  RdTextJob *self = RD_TEXT_JOB (job);
  int index = rd_render_job_get_page (job);
  int n_pages = poppler_document_get_n_pages (document);
  g_autoptr(GString) out = g_string_new (NULL);

  if (index >= n_pages)
    {
      g_set_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_DAMAGED,
                   _("Page %d of the document cannot be read. The other pages may still be fine."),
                   index + 1);
      return FALSE;
    }

  if (index >= 0)
    {
      if (!append_page_text (document, index, out, error))
        return FALSE;
    }
  else
    {
      /* Pages are separated by a form feed, as pdftotext does. */
      for (int i = 0; i < n_pages; i++)
        {
          if (i > 0)
            g_string_append_c (out, '\f');
          if (!append_page_text (document, i, out, NULL))
            continue;
        }
    }

  if (_rd_render_job_begin_result (job))
    {
      g_free (self->text);
      self->text = g_string_free (g_steal_pointer (&out), FALSE);
    }
  _rd_render_job_end_result (job);

  return TRUE;
}

static void
rd_text_job_finalize (GObject *object)
{
  RdTextJob *self = RD_TEXT_JOB (object);

  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (rd_text_job_parent_class)->finalize (object);
}

static void
rd_text_job_class_init (RdTextJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  RdRenderJobClass *job_class = RD_RENDER_JOB_CLASS (klass);

  object_class->finalize = rd_text_job_finalize;
  job_class->run = rd_text_job_run;
}

static void
rd_text_job_init (RdTextJob *self)
{
}

/**
 * rd_text_job_new:
 * @page: page index from 0, or -1 for every page separated by form feeds
 * @priority: a #RdRenderPriority, usually %RD_RENDER_PRIORITY_BACKGROUND
 *
 * Makes a job that reads the text layer. Scanned pages without one give an
 * empty string, not an error.
 *
 * Returns: (transfer full): a new job
 */
RdTextJob *
rd_text_job_new (int              page,
                 RdRenderPriority priority)
{
  return g_object_new (RD_TYPE_TEXT_JOB,
                       "page", page,
                       "priority", priority,
                       NULL);
}

/**
 * rd_text_job_get_text:
 * @self: a #RdTextJob
 *
 * Returns: (nullable): the UTF-8 text, or %NULL before delivery or on error
 */
const char *
rd_text_job_get_text (RdTextJob *self)
{
  g_return_val_if_fail (RD_IS_TEXT_JOB (self), NULL);

  return self->text;
}
