/* rd-page-job.c — render one page into a cairo image surface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "rd-documents.h"
#include "rd-page-job.h"
#include "rd-render-job-private.h"

struct _RdPageJob
{
  RdRenderJob      parent_instance;

  double           scale;
  int              rotation;
  cairo_surface_t *surface;
};

G_DEFINE_FINAL_TYPE (RdPageJob, rd_page_job, RD_TYPE_RENDER_JOB)

static void
page_unref (PopplerPage *page)
{
  g_object_unref (page);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PopplerPage, page_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_t, cairo_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_surface_t, cairo_surface_destroy)

static gboolean
rd_page_job_run (RdRenderJob      *job,
                 PopplerDocument  *document,
                 GError          **error)
{
  RdPageJob *self = RD_PAGE_JOB (job);
  int index = rd_render_job_get_page (job);
  g_autoptr(PopplerPage) page = NULL;
  g_autoptr(cairo_surface_t) surface = NULL;
  g_autoptr(cairo_t) cr = NULL;
  double width, height, scale = self->scale;
  int pw, ph;

  if (index < 0 || index >= poppler_document_get_n_pages (document)
      || (page = poppler_document_get_page (document, index)) == NULL)
    {
      g_set_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_DAMAGED,
                   _("Page %d of the document cannot be read. The other pages may still be fine."),
                   index + 1);
      return FALSE;
    }

  poppler_page_get_size (page, &width, &height);
  if (!(width >= 1 && height >= 1 && width < 1e6 && height < 1e6))
    {
      width = 612;
      height = 792;
    }

  /* Keep the image within bounds, whatever the page claims to measure. */
  if (width * scale > RD_PAGE_JOB_MAX_SIDE)
    scale = RD_PAGE_JOB_MAX_SIDE / width;
  if (height * scale > RD_PAGE_JOB_MAX_SIDE)
    scale = RD_PAGE_JOB_MAX_SIDE / height;
  if (width * height * scale * scale > RD_PAGE_JOB_MAX_PIXELS)
    scale = sqrt (RD_PAGE_JOB_MAX_PIXELS / (width * height));

  pw = MAX (1, (int) ceil (width * scale - 0.01));
  ph = MAX (1, (int) ceil (height * scale - 0.01));
  if (self->rotation == 90 || self->rotation == 270)
    {
      int t = pw;
      pw = ph;
      ph = t;
    }

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, pw, ph);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_TOO_LARGE,
                   _("Page %d is too large to show at this zoom. Zoom out and try again."),
                   index + 1);
      return FALSE;
    }

  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  switch (self->rotation)
    {
    case 90:
      cairo_translate (cr, pw, 0);
      cairo_rotate (cr, G_PI / 2);
      break;

    case 180:
      cairo_translate (cr, pw, ph);
      cairo_rotate (cr, G_PI);
      break;

    case 270:
      cairo_translate (cr, 0, ph);
      cairo_rotate (cr, 3 * G_PI / 2);
      break;

    default:
      break;
    }

  cairo_scale (cr, scale, scale);
  poppler_page_render (page, cr);

  if (cairo_status (cr) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_DAMAGED,
                   _("Page %d of the document cannot be drawn. The other pages may still be fine."),
                   index + 1);
      return FALSE;
    }

  cairo_surface_flush (surface);
  if (_rd_render_job_begin_result (job))
    {
      g_clear_pointer (&self->surface, cairo_surface_destroy);
      self->surface = g_steal_pointer (&surface);
    }
  _rd_render_job_end_result (job);

  return TRUE;
}

static void
rd_page_job_finalize (GObject *object)
{
  RdPageJob *self = RD_PAGE_JOB (object);

  g_clear_pointer (&self->surface, cairo_surface_destroy);

  G_OBJECT_CLASS (rd_page_job_parent_class)->finalize (object);
}

static void
rd_page_job_class_init (RdPageJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  RdRenderJobClass *job_class = RD_RENDER_JOB_CLASS (klass);

  object_class->finalize = rd_page_job_finalize;
  job_class->run = rd_page_job_run;
}

static void
rd_page_job_init (RdPageJob *self)
{
  self->scale = 1.0;
}

/**
 * rd_page_job_new:
 * @page: page index from 0
 * @scale: pixels per PDF point (1.0 is 72 dpi); clamped to 0.01 … 16 and
 *   further so that the image stays under %RD_PAGE_JOB_MAX_PIXELS
 * @rotation: clockwise degrees, 0, 90, 180 or 270 (others are rounded
 *   to the nearest quarter turn)
 * @priority: a #RdRenderPriority
 *
 * Makes a job that renders @page onto a white ARGB32 image surface.
 *
 * Returns: (transfer full): a new job; push it with rd_render_queue_push()
 */
RdPageJob *
rd_page_job_new (int              page,
                 double           scale,
                 int              rotation,
                 RdRenderPriority priority)
{
  RdPageJob *self;

  g_return_val_if_fail (page >= 0, NULL);

  self = g_object_new (RD_TYPE_PAGE_JOB,
                       "page", page,
                       "priority", priority,
                       NULL);
  self->scale = isfinite (scale) ? CLAMP (scale, 0.01, 16.0) : 1.0;
  rotation = ((rotation % 360) + 360) % 360;
  self->rotation = ((rotation + 45) / 90 % 4) * 90;

  return self;
}

/**
 * rd_page_job_get_scale:
 * @self: a #RdPageJob
 *
 * Returns: the scale asked for (after clamping to 0.01 … 16)
 */
double
rd_page_job_get_scale (RdPageJob *self)
{
  g_return_val_if_fail (RD_IS_PAGE_JOB (self), 1.0);

  return self->scale;
}

/**
 * rd_page_job_get_rotation:
 * @self: a #RdPageJob
 *
 * Returns: the rotation in degrees: 0, 90, 180 or 270
 */
int
rd_page_job_get_rotation (RdPageJob *self)
{
  g_return_val_if_fail (RD_IS_PAGE_JOB (self), 0);

  return self->rotation;
}

/**
 * rd_page_job_get_surface:
 * @self: a #RdPageJob
 *
 * Returns: (transfer none) (nullable): the rendered page, an ARGB32 image
 *   surface (premultiplied, native endian), or %NULL before delivery or
 *   after an error. Reference it to keep it.
 */
cairo_surface_t *
rd_page_job_get_surface (RdPageJob *self)
{
  g_return_val_if_fail (RD_IS_PAGE_JOB (self), NULL);

  return self->surface;
}

void
_rd_page_job_set_surface (RdPageJob       *self,
                          cairo_surface_t *surface)
{
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  self->surface = surface ? cairo_surface_reference (surface) : NULL;
}
