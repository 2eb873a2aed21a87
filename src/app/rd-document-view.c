/* rd-document-view.c — the faxed pages: continuous view, thumbnails, zoom, rotate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main thread only lays out page-sized placeholders and paints
 * textures. Opening runs on a worker (rd_pdf_load_async()); pages are
 * rendered by the document's render queue: the pages in view first, then
 * the thumbnails in view, then the pages next to the view. Jobs for pages
 * that scroll away are cancelled, and textures of pages far away are
 * dropped (the queue's cache keeps recent renders under its cap). Each
 * page widget is exactly the size its image is rendered at, so painting
 * is a copy, never a scale. With the cairo renderer the image is painted
 * as a cairo node (see append_image()); with the others it becomes a
 * GdkMemoryTexture sharing the surface's pixels. Until a page arrives,
 * its thumbnail (rendered right after the visible pages) is shown
 * stretched in its place: a low-resolution first look.
 *
 * Page rotations live in the database (rd.page_rotation, by the
 * document's SHA-256): read when a document opens, saved in the
 * background on every turn, so colleagues and the next session see the
 * pages turned the same way; with a listener (rd_document_view_set_listener())
 * a turn made elsewhere shows at once. Without a connection they last the
 * session.
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "rd-document-view.h"
#include "rd-documents.h"
#include "rd-page-job.h"
#include "rd-pdf.h"
#include "rd-listener.h"
#include "rd-repo-rotation.h"

#define PAGE_SPACING   12
#define PAGE_MARGIN    12
#define THUMB_WIDTH    96.0
#define ZOOM_MIN       0.1
#define ZOOM_MAX       8.0
#define NEIGHBOURS     2
#define KEEP_TEXTURES  4

static const double zoom_steps[] = {
  0.1, 0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0,
};

/* Rotations not (yet) in the database, per document (by SHA-256): all of
 * them when there is no database, else those whose save is under way or
 * failed. Each is a GArray of int by page, -1 where nothing is kept. */
static GHashTable *unsaved_rotations;

/* One page (or thumbnail): a placeholder of the right size that paints its
 * texture once it arrives, or a short message when the page failed. */

#define RD_TYPE_DOC_PAGE (rd_doc_page_get_type ())
G_DECLARE_FINAL_TYPE (RdDocPage, rd_doc_page, RD, DOC_PAGE, GtkWidget)

struct _RdDocPage
{
  GtkWidget        parent_instance;

  guint            index;
  gboolean         thumbnail;
  /* PDF points to widget pixels; the size is what a page job makes at
   * this scale, so the rendered image maps pixel for pixel. */
  double           scale;
  int              width;
  int              height;
  /* The rendered page, and a texture sharing its pixels, made only for
   * renderers that keep textures on the GPU. */
  cairo_surface_t *surface;
  GdkTexture      *texture;
  int              texture_key;
  /* The thumbnail, stretched, until the page itself arrives. */
  cairo_surface_t *preview;
  GdkTexture      *preview_texture;
  RdRenderJob     *job;
  int              job_key;
  char            *error;
  /* In or next to the view: only those paint their image. */
  gboolean         near_view;
};

G_DEFINE_FINAL_TYPE (RdDocPage, rd_doc_page, GTK_TYPE_WIDGET)

static void
rd_doc_page_cancel (RdDocPage *self)
{
  if (self->job != NULL)
    {
      rd_render_job_cancel (self->job);
      g_clear_object (&self->job);
    }
}

static void
rd_doc_page_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  RdDocPage *self = RD_DOC_PAGE (widget);

  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? self->width : self->height;
}

static GdkTexture *
texture_for_surface (cairo_surface_t *surface)
{
  g_autoptr(GBytes) pixels = NULL;

  /* The texture shares the surface's pixels: nothing writes to a rendered
   * surface again, so no copy is needed. */
  pixels = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                       (gsize) cairo_image_surface_get_stride (surface)
                                       * cairo_image_surface_get_height (surface),
                                       (GDestroyNotify) cairo_surface_destroy,
                                       cairo_surface_reference (surface));
  return gdk_memory_texture_new (cairo_image_surface_get_width (surface),
                                 cairo_image_surface_get_height (surface),
                                 GDK_MEMORY_DEFAULT, pixels,
                                 cairo_image_surface_get_stride (surface));
}

static gboolean
renders_with_cairo (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;

  return renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer);
}

/* Paints a rendered image into @bounds. GTK 4.8's cairo renderer converts
 * every texture in the scene to a new cairo surface, through floats, on
 * every frame (about 20 ms for a page at 100 dpi); a cairo node paints
 * our own surface directly, and not at all when it is outside the damaged
 * area. Other renderers upload a texture once and keep it. */
static void
append_image (RdDocPage             *self,
              GtkSnapshot           *snapshot,
              cairo_surface_t       *surface,
              GdkTexture           **texture,
              const graphene_rect_t *bounds)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int sw = cairo_image_surface_get_width (surface);
  int sh = cairo_image_surface_get_height (surface);
  int sf = gtk_widget_get_scale_factor (widget);
  cairo_t *cr;

  if (!renders_with_cairo (widget))
    {
      if (*texture == NULL)
        *texture = texture_for_surface (surface);
      gtk_snapshot_append_texture (snapshot, *texture, bounds);
      return;
    }

  cr = gtk_snapshot_append_cairo (snapshot, bounds);
  if (abs (sw - self->width * sf) <= sf && abs (sh - self->height * sf) <= sf)
    {
      /* Pixel for pixel: a plain copy, no filtering (at scale 2 the image
       * may be a pixel short of twice the widget's size). */
      cairo_scale (cr, 1.0 / sf, 1.0 / sf);
      cairo_set_source_surface (cr, surface, 0, 0);
    }
  else
    {
      /* A stand-in (the thumbnail before the page) or a page clamped to
       * the size limit: stretched, cheaply. */
      cairo_scale (cr, bounds->size.width / sw, bounds->size.height / sh);
      cairo_set_source_surface (cr, surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_FAST);
    }
  cairo_paint (cr);
  cairo_destroy (cr);
}

static void
rd_doc_page_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  RdDocPage *self = RD_DOC_PAGE (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, self->width, self->height);
  GdkRGBA white = { 1, 1, 1, 1 };
  GdkRGBA edge = { 0, 0, 0, 0.25 };
  GskRoundedRect outline;

  if (!self->near_view && !self->thumbnail)
    gtk_snapshot_append_color (snapshot, &white, &bounds);
  else if (self->surface != NULL)
    append_image (self, snapshot, self->surface, &self->texture, &bounds);
  else if (self->preview != NULL && self->error == NULL)
    append_image (self, snapshot, self->preview, &self->preview_texture, &bounds);
  else
    gtk_snapshot_append_color (snapshot, &white, &bounds);

  if (self->error != NULL && self->surface == NULL && !self->thumbnail && self->near_view)
    {
      PangoLayout *layout = gtk_widget_create_pango_layout (widget, self->error);
      GdkRGBA grey = { 0.3, 0.3, 0.3, 1 };
      int lw, lh;

      /* Near the top, where it is seen even when the page is zoomed far in. */
      pango_layout_set_width (layout, CLAMP (self->width - 32, 1, 480) * PANGO_SCALE);
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_get_pixel_size (layout, &lw, &lh);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (16, CLAMP ((self->height - lh) / 2, 0, 48)));
      gtk_snapshot_append_layout (snapshot, layout, &grey);
      gtk_snapshot_restore (snapshot);
      g_object_unref (layout);
    }

  gsk_rounded_rect_init_from_rect (&outline, &bounds, 0);
  gtk_snapshot_append_border (snapshot, &outline,
                              (float[4]) { 1, 1, 1, 1 },
                              (GdkRGBA[4]) { edge, edge, edge, edge });
}

static void
rd_doc_page_set_surface (RdDocPage       *self,
                         cairo_surface_t *surface)
{
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_clear_object (&self->texture);
  self->surface = surface != NULL ? cairo_surface_reference (surface) : NULL;
}

static void
rd_doc_page_set_preview (RdDocPage       *self,
                         cairo_surface_t *surface)
{
  g_clear_pointer (&self->preview, cairo_surface_destroy);
  g_clear_object (&self->preview_texture);
  self->preview = surface != NULL ? cairo_surface_reference (surface) : NULL;
}

static void
rd_doc_page_dispose (GObject *object)
{
  RdDocPage *self = RD_DOC_PAGE (object);

  rd_doc_page_cancel (self);
  rd_doc_page_set_surface (self, NULL);
  rd_doc_page_set_preview (self, NULL);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (rd_doc_page_parent_class)->dispose (object);
}

static void
rd_doc_page_class_init (RdDocPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_doc_page_dispose;
  widget_class->measure = rd_doc_page_measure;
  widget_class->snapshot = rd_doc_page_snapshot;
  gtk_widget_class_set_css_name (widget_class, "rd-page");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
rd_doc_page_init (RdDocPage *self)
{
  self->texture_key = -1;
  self->job_key = -1;
  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
}

/* The view. */

struct _RdDocumentView
{
  GtkWidget               parent_instance;

  AdwToastOverlay        *toast_overlay;
  GtkStack               *stack;
  AdwStatusPage          *error_page;
  AdwStatusPage          *password_page;
  GtkPasswordEntry       *password_entry;
  GtkLabel               *password_error;
  GtkScrolledWindow      *pages_scroller;
  GtkBox                 *pages_box;
  GtkScrolledWindow      *thumbs_scroller;
  GtkBox                 *thumbs_box;
  GtkLabel               *page_label;
  GtkLabel               *zoom_label;

  GCancellable           *cancellable;
  GBytes                 *bytes;
  char                   *title;
  RdPdf                  *pdf;
  GPtrArray              *pages;
  GPtrArray              *thumbs;
  GArray                 *rotations;
  /* Pages turned here since the document opened: what the database says
   * does not override them. */
  GArray                 *touched;
  RdConnection           *connection;
  RdListener             *listener;
  gulong                  changed_handler;
  gulong                  resync_handler;
  guint                   refresh_id;
  char                   *notice;

  double                  zoom;
  RdDocumentViewZoomMode  zoom_mode;
  guint                   current_page;
  int                     pending_page;
  guint                   update_id;
  guint                   retry_tick_id;
};

G_DEFINE_FINAL_TYPE (RdDocumentView, rd_document_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_N_PAGES,
  PROP_CURRENT_PAGE,
  PROP_ZOOM,
  N_PROPS
};

enum {
  PAGE_RENDERED,
  LOAD_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_update (RdDocumentView *self);

static int
page_rotation (RdDocumentView *self,
               guint           page)
{
  if (self->rotations == NULL || page >= self->rotations->len)
    return 0;

  return g_array_index (self->rotations, int, page);
}

static void
rotated_size (RdDocumentView *self,
              guint           page,
              double         *width,
              double         *height)
{
  double w = 612, h = 792;

  rd_pdf_get_page_size (self->pdf, page, &w, &h);
  if (page_rotation (self, page) % 180 != 0)
    {
      double t = w;
      w = h;
      h = t;
    }
  *width = w;
  *height = h;
}

static void
update_labels (RdDocumentView *self)
{
  g_autofree char *zoom = g_strdup_printf ("%d %%", (int) lround (self->zoom * 100));

  gtk_label_set_label (self->zoom_label, zoom);

  if (self->pages != NULL && self->pages->len > 0)
    {
      /* Translators: "Page 3 of 12" under the faxed pages. */
      g_autofree char *text = g_strdup_printf (_("Page %u of %u"), self->current_page + 1, self->pages->len);

      gtk_label_set_label (self->page_label, text);
    }
  else
    gtk_label_set_label (self->page_label, "");
}

static void
update_actions (RdDocumentView *self)
{
  gboolean open = self->pdf != NULL;
  guint n = open ? self->pages->len : 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.zoom-in", open && self->zoom < ZOOM_MAX - 1e-6);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.zoom-out", open && self->zoom > ZOOM_MIN + 1e-6);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.zoom-fit-width", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.zoom-fit-page", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.rotate-left", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.rotate-right", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.previous-page", open && self->current_page > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.first-page", open && self->current_page > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.next-page", open && self->current_page + 1 < n);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.last-page", open && self->current_page + 1 < n);
}

/* The size rd_page_job_new() makes at @scale, so that the image is shown
 * pixel for pixel. */
static void
size_page (RdDocPage *page,
           double     w,
           double     h,
           double     scale)
{
  int width = MAX (1, (int) ceil (w * scale - 0.01));
  int height = MAX (1, (int) ceil (h * scale - 0.01));

  page->scale = scale;
  if (width == page->width && height == page->height)
    return;

  page->width = width;
  page->height = height;
  gtk_widget_queue_resize (GTK_WIDGET (page));
}

static void
size_pages (RdDocumentView *self)
{
  if (self->pdf == NULL)
    return;

  for (guint i = 0; i < self->pages->len; i++)
    {
      RdDocPage *page = g_ptr_array_index (self->pages, i);
      RdDocPage *thumb = g_ptr_array_index (self->thumbs, i);
      double w, h, tz;

      rotated_size (self, i, &w, &h);
      tz = THUMB_WIDTH / MAX (w, h);
      size_page (page, w, h, self->zoom);
      size_page (thumb, w, h, tz);
    }
}

static double
fit_zoom (RdDocumentView *self)
{
  double max_w = 1, max_h = 1, avail_w, avail_h, zoom;

  for (guint i = 0; i < self->pages->len; i++)
    {
      double w, h;

      rotated_size (self, i, &w, &h);
      max_w = MAX (max_w, w);
      max_h = MAX (max_h, h);
    }

  avail_w = gtk_widget_get_width (GTK_WIDGET (self->pages_scroller)) - 2 * PAGE_MARGIN - 14;
  avail_h = gtk_widget_get_height (GTK_WIDGET (self->pages_scroller)) - 2 * PAGE_MARGIN;
  if (avail_w <= 20 || avail_h <= 20)
    return self->zoom;

  zoom = avail_w / max_w;
  if (self->zoom_mode == RD_DOCUMENT_VIEW_ZOOM_FIT_PAGE)
    zoom = MIN (zoom, avail_h / max_h);

  return CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
}

static void
apply_zoom (RdDocumentView *self,
            double          zoom)
{
  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (fabs (zoom - self->zoom) < 1e-4)
    return;

  self->zoom = zoom;
  /* Keep the page being read in place. */
  self->pending_page = self->current_page;
  size_pages (self);
  update_labels (self);
  update_actions (self);
  schedule_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

static int
job_key (double scale,
         int    rotation)
{
  return (int) lround (scale * 1000) * 4 + rotation / 90;
}

static void
on_page_job_done (RdRenderJob *job,
                  gpointer     user_data)
{
  RdDocPage *page = user_data;
  RdDocumentView *self;
  const GError *error = rd_render_job_get_error (job);
  cairo_surface_t *surface;
  int key = page->job_key;

  if (page->job != job)
    return;

  page->job_key = -1;
  g_clear_object (&page->job);
  self = RD_DOCUMENT_VIEW (gtk_widget_get_ancestor (GTK_WIDGET (page), RD_TYPE_DOCUMENT_VIEW));

  if (error != NULL)
    {
      g_free (page->error);
      page->error = g_strdup (error->message);
      rd_doc_page_set_surface (page, NULL);
      page->texture_key = key;
      gtk_widget_queue_draw (GTK_WIDGET (page));
      return;
    }

  surface = rd_page_job_get_surface (RD_PAGE_JOB (job));
  rd_doc_page_set_surface (page, surface);
  page->texture_key = key;
  g_clear_pointer (&page->error, g_free);
  gtk_widget_queue_draw (GTK_WIDGET (page));

  if (self != NULL && page->thumbnail && page->index < self->pages->len)
    {
      RdDocPage *full = g_ptr_array_index (self->pages, page->index);

      rd_doc_page_set_preview (full, surface);
      if (full->surface == NULL)
        gtk_widget_queue_draw (GTK_WIDGET (full));
    }

  if (self != NULL)
    g_signal_emit (self, signals[PAGE_RENDERED], 0, page->index, page->thumbnail);
}

static void
ensure_render (RdDocumentView   *self,
               RdDocPage        *page,
               RdRenderPriority  priority)
{
  int rotation = page_rotation (self, page->index);
  /* Render at the size the widget shows, in device pixels (size_pages()
   * made the widget the size a page job makes at this scale). */
  double scale = page->scale * gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int key = job_key (scale, rotation);

  if (page->surface != NULL && page->texture_key == key)
    return;
  if (page->error != NULL && page->surface == NULL && page->texture_key == key)
    return;
  if (page->job != NULL && page->job_key == key
      && rd_render_job_get_priority (page->job) <= priority)
    return;

  rd_doc_page_cancel (page);
  page->job = RD_RENDER_JOB (rd_page_job_new (page->index, scale, rotation, priority));
  page->job_key = key;
  rd_render_queue_push (rd_pdf_get_render_queue (self->pdf), page->job,
                        on_page_job_done, g_object_ref (page), g_object_unref);
}

static gboolean
page_bounds (GtkWidget       *page,
             GtkWidget       *box,
             graphene_rect_t *bounds)
{
  return gtk_widget_compute_bounds (page, box, bounds)
         && graphene_rect_get_height (bounds) > 0;
}

static void
update_strip (RdDocumentView   *self,
              GPtrArray        *widgets,
              GtkWidget        *box,
              GtkScrolledWindow *scroller,
              RdRenderPriority  visible_priority,
              RdRenderPriority  near_priority,
              int              *first_out,
              int              *last_out)
{
  GtkAdjustment *vadj = gtk_scrolled_window_get_vadjustment (scroller);
  double top = gtk_adjustment_get_value (vadj);
  double bottom = top + gtk_adjustment_get_page_size (vadj);
  int first = -1, last = -1;

  for (guint i = 0; i < widgets->len; i++)
    {
      graphene_rect_t b;

      if (!page_bounds (g_ptr_array_index (widgets, i), box, &b))
        continue;
      if (b.origin.y + b.size.height >= top && b.origin.y <= bottom)
        {
          if (first < 0)
            first = i;
          last = i;
        }
    }

  if (first < 0)
    {
      *first_out = *last_out = -1;
      return;
    }

  for (guint i = 0; i < widgets->len; i++)
    {
      RdDocPage *page = g_ptr_array_index (widgets, i);
      int d = (int) i < first ? first - (int) i : (int) i > last ? (int) i - last : 0;
      gboolean near_view = d <= 1;

      if (near_view != page->near_view)
        {
          page->near_view = near_view;
          gtk_widget_queue_draw (GTK_WIDGET (page));
        }

      if (d == 0)
        ensure_render (self, page, visible_priority);
      else if (d <= NEIGHBOURS)
        ensure_render (self, page, near_priority);
      else
        {
          /* Scrolled away: its job is no longer wanted. */
          rd_doc_page_cancel (page);
          if (d > KEEP_TEXTURES && !page->thumbnail && page->surface != NULL)
            {
              rd_doc_page_set_surface (page, NULL);
              page->texture_key = -1;
            }
        }
    }

  *first_out = first;
  *last_out = last;
}

static void
scroll_to_page (RdDocumentView *self,
                guint           index)
{
  GtkAdjustment *vadj = gtk_scrolled_window_get_vadjustment (self->pages_scroller);
  graphene_rect_t b;

  if (!page_bounds (g_ptr_array_index (self->pages, index), GTK_WIDGET (self->pages_box), &b))
    {
      self->pending_page = index;
      schedule_update (self);
      return;
    }

  gtk_adjustment_set_value (vadj, b.origin.y - PAGE_SPACING / 2.0);
}

static gboolean
retry_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       data)
{
  RdDocumentView *self = data;

  self->retry_tick_id = 0;
  schedule_update (self);
  return G_SOURCE_REMOVE;
}

/* The pages are not laid out yet. The scrolled window's adjustments do not
 * always change when they are (a document the same size as the last one),
 * so look again on the next frame rather than wait for them. */
static void
retry_after_layout (RdDocumentView *self)
{
  if (self->retry_tick_id == 0)
    self->retry_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->pages_box),
                                                        retry_tick_cb, self, NULL);
}

static gboolean
update_cb (gpointer data)
{
  RdDocumentView *self = data;
  GtkAdjustment *vadj;
  int first, last, tfirst, tlast;
  guint current;

  self->update_id = 0;
  if (self->pdf == NULL || self->pages->len == 0)
    return G_SOURCE_REMOVE;

  if (self->zoom_mode != RD_DOCUMENT_VIEW_ZOOM_FREE)
    {
      double zoom = fit_zoom (self);

      if (fabs (zoom - self->zoom) > self->zoom * 0.005)
        {
          apply_zoom (self, zoom);
          return G_SOURCE_REMOVE;
        }
    }

  if (self->pending_page >= 0)
    {
      graphene_rect_t b;
      guint target = self->pending_page;

      if (!page_bounds (g_ptr_array_index (self->pages, target), GTK_WIDGET (self->pages_box), &b))
        {
          retry_after_layout (self);
          return G_SOURCE_REMOVE;
        }
      self->pending_page = -1;
      if (target != 0 || gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (self->pages_scroller)) > 0)
        scroll_to_page (self, target);
    }

  update_strip (self, self->pages, GTK_WIDGET (self->pages_box), self->pages_scroller,
                RD_RENDER_PRIORITY_VISIBLE, RD_RENDER_PRIORITY_NEIGHBOUR, &first, &last);
  update_strip (self, self->thumbs, GTK_WIDGET (self->thumbs_box), self->thumbs_scroller,
                RD_RENDER_PRIORITY_THUMBNAIL, RD_RENDER_PRIORITY_THUMBNAIL, &tfirst, &tlast);

  if (first < 0 || tfirst < 0)
    retry_after_layout (self);
  if (first < 0)
    return G_SOURCE_REMOVE;

  /* The current page is the one across the upper third of the view. */
  vadj = gtk_scrolled_window_get_vadjustment (self->pages_scroller);
  current = first;
  for (int i = first; i <= last; i++)
    {
      graphene_rect_t b;
      double mark = gtk_adjustment_get_value (vadj) + gtk_adjustment_get_page_size (vadj) / 3;

      if (page_bounds (g_ptr_array_index (self->pages, i), GTK_WIDGET (self->pages_box), &b)
          && b.origin.y <= mark && b.origin.y + b.size.height + PAGE_SPACING >= mark)
        current = i;
    }
  if (gtk_adjustment_get_value (vadj) + gtk_adjustment_get_page_size (vadj) >= gtk_adjustment_get_upper (vadj) - 1)
    current = last;

  if (current != self->current_page)
    {
      self->current_page = current;
      update_labels (self);
      update_actions (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_PAGE]);
    }

  return G_SOURCE_REMOVE;
}

static void
schedule_update (RdDocumentView *self)
{
  if (self->update_id == 0)
    self->update_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 30, update_cb, self, NULL);
}

static void
on_adjustment_changed (RdDocumentView *self)
{
  schedule_update (self);
}

static void
clear_pages (RdDocumentView *self)
{
  GtkWidget *child;

  if (self->pages != NULL)
    {
      for (guint i = 0; i < self->pages->len; i++)
        {
          rd_doc_page_cancel (g_ptr_array_index (self->pages, i));
          rd_doc_page_cancel (g_ptr_array_index (self->thumbs, i));
        }
    }
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  g_clear_pointer (&self->thumbs, g_ptr_array_unref);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->pages_box))) != NULL)
    gtk_box_remove (self->pages_box, child);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->thumbs_box))) != NULL)
    gtk_box_remove (self->thumbs_box, child);
}

static void
on_thumb_pressed (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  RdDocumentView  *self)
{
  RdDocPage *thumb = RD_DOC_PAGE (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));

  rd_document_view_go_to_page (self, thumb->index);
}

static int
unsaved_rotation (const char *checksum,
                  guint       page)
{
  GArray *known = unsaved_rotations ? g_hash_table_lookup (unsaved_rotations, checksum) : NULL;

  if (known == NULL || page >= known->len)
    return -1;

  return g_array_index (known, int, page);
}

static void
remember_unsaved (const char *checksum,
                  guint       n_pages,
                  guint       page,
                  int         degrees)
{
  GArray *known;

  if (unsaved_rotations == NULL)
    unsaved_rotations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_array_unref);
  known = g_hash_table_lookup (unsaved_rotations, checksum);
  if (known == NULL)
    {
      if (degrees < 0)
        return;
      known = g_array_new (FALSE, FALSE, sizeof (int));
      g_hash_table_insert (unsaved_rotations, g_strdup (checksum), known);
    }
  while (known->len < MAX (n_pages, page + 1))
    {
      int none = -1;

      g_array_append_val (known, none);
    }
  g_array_index (known, int, page) = degrees;
}

/* The connection of the page showing the view, unless one was given. */
static RdConnection *
dup_connection (RdDocumentView *self)
{
  if (self->connection != NULL)
    return g_object_ref (self->connection);

  for (GtkWidget *w = gtk_widget_get_parent (GTK_WIDGET (self)); w != NULL; w = gtk_widget_get_parent (w))
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (w), "connection");
      RdConnection *conn = NULL;

      if (pspec == NULL || (pspec->flags & G_PARAM_READABLE) == 0
          || !g_type_is_a (pspec->value_type, RD_TYPE_CONNECTION))
        continue;
      g_object_get (w, "connection", &conn, NULL);
      if (conn != NULL)
        return conn;
    }

  return NULL;
}

static void
show_notice (RdDocumentView *self,
             const char     *message)
{
  g_free (self->notice);
  self->notice = g_strdup (message);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* Turns a page on screen only (relayout and render again). */
static void
apply_rotation (RdDocumentView *self,
                guint           page,
                int             rotation)
{
  g_array_index (self->rotations, int, page) = rotation;
  rd_doc_page_set_preview (RD_DOC_PAGE (g_ptr_array_index (self->pages, page)), NULL);
}

static void
relayout_after_rotation (RdDocumentView *self)
{
  size_pages (self);
  if (self->zoom_mode != RD_DOCUMENT_VIEW_ZOOM_FREE)
    apply_zoom (self, fit_zoom (self));
  self->pending_page = self->current_page;
  schedule_update (self);
}

/* @initial: the first reading after the document opened; pages turned
 * here since keep their turn. Later readings (a colleague turned a page)
 * change every page whose own save is not under way. */
static void
apply_stored_rotations (RdDocumentView *self,
                        GArray         *stored,
                        gboolean        initial)
{
  const char *checksum;
  gboolean changed = FALSE;

  if (self->pdf == NULL || self->rotations == NULL)
    return;

  checksum = rd_pdf_get_checksum (self->pdf);
  for (guint i = 0; i < stored->len; i++)
    {
      RdPageRotation *r = &g_array_index (stored, RdPageRotation, i);

      if (r->page >= self->rotations->len
          || (initial && g_array_index (self->touched, gboolean, r->page))
          || unsaved_rotation (checksum, r->page) >= 0
          || page_rotation (self, r->page) == r->degrees)
        continue;
      apply_rotation (self, r->page, r->degrees);
      changed = TRUE;
    }

  if (changed)
    relayout_after_rotation (self);
}

static void
rotations_listed (RdDocumentView *self,
                  GAsyncResult   *result,
                  gboolean        initial)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) stored = NULL;
  RdConnection *conn = RD_CONNECTION (g_async_result_get_source_object (result));

  stored = rd_repo_rotation_list_finish (conn, result, &error);
  g_object_unref (conn);
  if (stored == NULL)
    {
      /* The pages show unturned; nothing else depends on this. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("page rotations not loaded (%s %d)", g_quark_to_string (error->domain), error->code);
      return;
    }

  apply_stored_rotations (self, stored, initial);
}

static void
on_rotations_listed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(RdDocumentView) self = user_data;

  rotations_listed (self, result, TRUE);
}

static void
on_rotations_refreshed (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(RdDocumentView) self = user_data;

  rotations_listed (self, result, FALSE);
}

static void
load_rotations (RdDocumentView *self,
                gboolean        initial)
{
  g_autoptr(RdConnection) conn = dup_connection (self);

  if (conn == NULL || self->pdf == NULL)
    return;

  rd_repo_rotation_list_async (conn, rd_pdf_get_checksum (self->pdf), self->cancellable,
                               initial ? on_rotations_listed : on_rotations_refreshed,
                               g_object_ref (self));
}

static gboolean
refresh_rotations_cb (gpointer data)
{
  RdDocumentView *self = data;

  self->refresh_id = 0;
  load_rotations (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* Someone turned a page of some document (or notifications were missed):
 * read this document's rotations again, once for a burst of changes. */
static void
schedule_rotation_refresh (RdDocumentView *self)
{
  if (self->pdf != NULL && self->refresh_id == 0)
    self->refresh_id = g_timeout_add (100, refresh_rotations_cb, self);
}

static void
on_listener_changed (RdListener     *listener,
                     const char     *table,
                     gint64          id,
                     gint64          version,
                     const char     *op,
                     RdDocumentView *self)
{
  if (g_strcmp0 (table, "page_rotation") == 0)
    schedule_rotation_refresh (self);
}

typedef struct
{
  GWeakRef  view;
  char     *checksum;
  guint     page;
  int       degrees;
} RotationSave;

static void
rotation_save_free (RotationSave *save)
{
  g_weak_ref_clear (&save->view);
  g_free (save->checksum);
  g_free (save);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RotationSave, rotation_save_free)

static void
on_rotation_saved (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(RotationSave) save = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDocumentView) self = NULL;

  if (rd_repo_rotation_set_finish (RD_CONNECTION (source), result, &error))
    {
      /* Stored: from now on the database remembers it, unless the page was
       * turned again meanwhile (that save is still on its way). */
      if (unsaved_rotation (save->checksum, save->page) == save->degrees)
        remember_unsaved (save->checksum, 0, save->page, -1);
      return;
    }

  g_debug ("rotation of page %u not saved (%s %d)", save->page,
           g_quark_to_string (error->domain), error->code);
  /* The page stays turned here, and for the rest of the session. */
  self = g_weak_ref_get (&save->view);
  if (self != NULL)
    show_notice (self, _("The page rotation could not be saved. Try again later."));
}

static void
save_rotation (RdDocumentView *self,
               guint           page,
               int             degrees)
{
  g_autoptr(RdConnection) conn = dup_connection (self);
  const char *checksum = rd_pdf_get_checksum (self->pdf);
  RotationSave *save;

  remember_unsaved (checksum, self->rotations->len, page, degrees);
  if (conn == NULL)
    return;

  save = g_new0 (RotationSave, 1);
  g_weak_ref_init (&save->view, self);
  save->checksum = g_strdup (checksum);
  save->page = page;
  save->degrees = degrees;
  /* Not cancelled with the view: a turn made just before closing is kept. */
  rd_repo_rotation_set_async (conn, checksum, page, degrees, NULL, on_rotation_saved, save);
}

static void
build_pages (RdDocumentView *self)
{
  guint n = rd_pdf_get_n_pages (self->pdf);
  const char *checksum = rd_pdf_get_checksum (self->pdf);

  clear_pages (self);
  self->pages = g_ptr_array_new ();
  self->thumbs = g_ptr_array_new ();
  g_clear_pointer (&self->rotations, g_array_unref);
  g_clear_pointer (&self->touched, g_array_unref);
  self->rotations = g_array_sized_new (FALSE, TRUE, sizeof (int), n);
  g_array_set_size (self->rotations, n);
  self->touched = g_array_sized_new (FALSE, TRUE, sizeof (gboolean), n);
  g_array_set_size (self->touched, n);
  for (guint i = 0; i < n; i++)
    g_array_index (self->rotations, int, i) = MAX (0, unsaved_rotation (checksum, i));

  for (guint i = 0; i < n; i++)
    {
      RdDocPage *page = g_object_new (RD_TYPE_DOC_PAGE, NULL);
      RdDocPage *thumb = g_object_new (RD_TYPE_DOC_PAGE, NULL);
      g_autofree char *label = g_strdup_printf (_("Page %u"), i + 1);
      GtkGesture *click = gtk_gesture_click_new ();

      page->index = thumb->index = i;
      thumb->thumbnail = TRUE;
      gtk_accessible_update_property (GTK_ACCESSIBLE (page),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (thumb),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_widget_set_tooltip_text (GTK_WIDGET (thumb), label);
      gtk_widget_set_cursor_from_name (GTK_WIDGET (thumb), "pointer");
      g_signal_connect_object (click, "pressed", G_CALLBACK (on_thumb_pressed), self, 0);
      gtk_widget_add_controller (GTK_WIDGET (thumb), GTK_EVENT_CONTROLLER (click));

      gtk_box_append (self->pages_box, GTK_WIDGET (page));
      gtk_box_append (self->thumbs_box, GTK_WIDGET (thumb));
      g_ptr_array_add (self->pages, page);
      g_ptr_array_add (self->thumbs, thumb);
    }

  self->current_page = 0;
  self->pending_page = 0;
  size_pages (self);
  update_labels (self);
  update_actions (self);
  schedule_update (self);
}

static void
on_pdf_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RdDocumentView *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPdf) pdf = rd_pdf_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }

  if (pdf != NULL)
    {
      g_clear_object (&self->pdf);
      self->pdf = g_steal_pointer (&pdf);
      gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
      gtk_widget_set_visible (GTK_WIDGET (self->password_error), FALSE);
      build_pages (self);
      load_rotations (self, TRUE);
      gtk_stack_set_visible_child_name (self->stack, "document");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);
    }
  else if (g_error_matches (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_ENCRYPTED))
    {
      adw_status_page_set_description (self->password_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "password");
      gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
    }
  else if (g_error_matches (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_BAD_PASSWORD))
    {
      gtk_label_set_label (self->password_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->password_error), TRUE);
      gtk_stack_set_visible_child_name (self->stack, "password");
      gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
    }
  else
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }

  update_actions (self);
  g_signal_emit (self, signals[LOAD_FINISHED], 0, error);
  g_object_unref (self);
}

static void
start_load (RdDocumentView *self,
            const char     *password)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  rd_pdf_load_async (self->bytes, password, self->cancellable, on_pdf_loaded, g_object_ref (self));
}

static void
unlock_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RdDocumentView *self = RD_DOCUMENT_VIEW (widget);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));

  if (self->bytes == NULL || password == NULL || password[0] == '\0')
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->password_error), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  start_load (self, password);
}

static void
on_password_activate (RdDocumentView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "view.unlock", NULL);
}

static void
zoom_step (RdDocumentView *self,
           int             direction)
{
  double zoom = self->zoom;

  if (direction > 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (zoom_steps); i++)
        if (zoom_steps[i] > zoom + 1e-3)
          {
            zoom = zoom_steps[i];
            break;
          }
    }
  else
    {
      for (guint i = G_N_ELEMENTS (zoom_steps); i > 0; i--)
        if (zoom_steps[i - 1] < zoom - 1e-3)
          {
            zoom = zoom_steps[i - 1];
            break;
          }
    }

  self->zoom_mode = RD_DOCUMENT_VIEW_ZOOM_FREE;
  apply_zoom (self, zoom);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RdDocumentView *self = RD_DOCUMENT_VIEW (widget);

  if (g_str_equal (action_name, "view.zoom-in"))
    zoom_step (self, +1);
  else if (g_str_equal (action_name, "view.zoom-out"))
    zoom_step (self, -1);
  else if (g_str_equal (action_name, "view.zoom-fit-width"))
    rd_document_view_set_zoom_mode (self, RD_DOCUMENT_VIEW_ZOOM_FIT_WIDTH);
  else if (g_str_equal (action_name, "view.zoom-fit-page"))
    rd_document_view_set_zoom_mode (self, RD_DOCUMENT_VIEW_ZOOM_FIT_PAGE);
}

static void
rotate_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RdDocumentView *self = RD_DOCUMENT_VIEW (widget);
  int delta = g_str_equal (action_name, "view.rotate-right") ? 90 : 270;

  if (self->pdf == NULL)
    return;

  rd_document_view_set_page_rotation (self, self->current_page,
                                      page_rotation (self, self->current_page) + delta);
}

static void
navigate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  RdDocumentView *self = RD_DOCUMENT_VIEW (widget);
  guint n = self->pages ? self->pages->len : 0;
  guint target = self->current_page;

  if (n == 0)
    return;

  if (g_str_equal (action_name, "view.next-page"))
    target = MIN (target + 1, n - 1);
  else if (g_str_equal (action_name, "view.previous-page"))
    target = target > 0 ? target - 1 : 0;
  else if (g_str_equal (action_name, "view.first-page"))
    target = 0;
  else if (g_str_equal (action_name, "view.last-page"))
    target = n - 1;

  rd_document_view_go_to_page (self, target);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           RdDocumentView           *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if ((state & GDK_CONTROL_MASK) == 0 || self->pdf == NULL || dy == 0)
    return FALSE;

  zoom_step (self, dy < 0 ? +1 : -1);
  return TRUE;
}

static void
add_shortcut (GtkShortcutController *controller,
              guint                  keyval,
              GdkModifierType        modifiers,
              const char            *action)
{
  gtk_shortcut_controller_add_shortcut (controller,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (keyval, modifiers),
                                                          gtk_named_action_new (action)));
}

static void
rd_document_view_dispose (GObject *object)
{
  RdDocumentView *self = RD_DOCUMENT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->update_id, g_source_remove);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  rd_document_view_set_listener (self, NULL);
  if (self->retry_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->pages_box), self->retry_tick_id);
      self->retry_tick_id = 0;
    }
  clear_pages (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_DOCUMENT_VIEW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pdf);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->rotations, g_array_unref);
  g_clear_pointer (&self->touched, g_array_unref);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (rd_document_view_parent_class)->dispose (object);
}

static void
rd_document_view_finalize (GObject *object)
{
  RdDocumentView *self = RD_DOCUMENT_VIEW (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->notice, g_free);

  G_OBJECT_CLASS (rd_document_view_parent_class)->finalize (object);
}

static void
rd_document_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RdDocumentView *self = RD_DOCUMENT_VIEW (object);

  switch (prop_id)
    {
    case PROP_N_PAGES:
      g_value_set_uint (value, rd_document_view_get_n_pages (self));
      break;

    case PROP_CURRENT_PAGE:
      g_value_set_uint (value, self->current_page);
      break;

    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_document_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RdDocumentView *self = RD_DOCUMENT_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      rd_document_view_set_zoom (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_document_view_class_init (RdDocumentViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_document_view_dispose;
  object_class->finalize = rd_document_view_finalize;
  object_class->get_property = rd_document_view_get_property;
  object_class->set_property = rd_document_view_set_property;

  properties[PROP_N_PAGES] =
    g_param_spec_uint ("n-pages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CURRENT_PAGE] =
    g_param_spec_uint ("current-page", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RdDocumentView::page-rendered:
   * @self: the view
   * @page: the page index from 0
   * @thumbnail: whether it was the page's thumbnail
   *
   * A page's texture arrived and is being painted.
   */
  signals[PAGE_RENDERED] =
    g_signal_new ("page-rendered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_BOOLEAN);

  /**
   * RdDocumentView::load-finished:
   * @self: the view
   * @error: (nullable): why the document cannot be shown, or %NULL
   *
   * Opening the document finished, for better or worse.
   */
  signals[LOAD_FINISHED] =
    g_signal_new ("load-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/referraldesk/ReferralDesk/rd-document-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, stack);
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, error_page);
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, password_page);
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, password_entry);
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, password_error);
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, pages_scroller);
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, pages_box);
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, thumbs_scroller);
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, thumbs_box);
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, page_label);
  gtk_widget_class_bind_template_child (widget_class, RdDocumentView, zoom_label);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activate);

  gtk_widget_class_install_action (widget_class, "view.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-fit-width", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-fit-page", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.rotate-left", NULL, rotate_action);
  gtk_widget_class_install_action (widget_class, "view.rotate-right", NULL, rotate_action);
  gtk_widget_class_install_action (widget_class, "view.next-page", NULL, navigate_action);
  gtk_widget_class_install_action (widget_class, "view.previous-page", NULL, navigate_action);
  gtk_widget_class_install_action (widget_class, "view.first-page", NULL, navigate_action);
  gtk_widget_class_install_action (widget_class, "view.last-page", NULL, navigate_action);
  gtk_widget_class_install_action (widget_class, "view.unlock", NULL, unlock_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "rd-document-view");
}

static void
rd_document_view_init (RdDocumentView *self)
{
  GtkShortcutController *shortcuts;
  GtkEventController *scroll;

  self->zoom = 1.0;
  self->zoom_mode = RD_DOCUMENT_VIEW_ZOOM_FIT_WIDTH;
  self->pending_page = -1;
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Captured before the scrolled window's own Page Up/Down scrolling, so
   * the keys move by whole pages; disabled actions let keys through. */
  shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (shortcuts), GTK_PHASE_CAPTURE);
  add_shortcut (shortcuts, GDK_KEY_Page_Down, 0, "view.next-page");
  add_shortcut (shortcuts, GDK_KEY_Page_Up, 0, "view.previous-page");
  add_shortcut (shortcuts, GDK_KEY_Home, GDK_CONTROL_MASK, "view.first-page");
  add_shortcut (shortcuts, GDK_KEY_End, GDK_CONTROL_MASK, "view.last-page");
  add_shortcut (shortcuts, GDK_KEY_plus, GDK_CONTROL_MASK, "view.zoom-in");
  add_shortcut (shortcuts, GDK_KEY_equal, GDK_CONTROL_MASK, "view.zoom-in");
  add_shortcut (shortcuts, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "view.zoom-in");
  add_shortcut (shortcuts, GDK_KEY_minus, GDK_CONTROL_MASK, "view.zoom-out");
  add_shortcut (shortcuts, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "view.zoom-out");
  add_shortcut (shortcuts, GDK_KEY_0, GDK_CONTROL_MASK, "view.zoom-fit-width");
  add_shortcut (shortcuts, GDK_KEY_r, GDK_CONTROL_MASK, "view.rotate-right");
  add_shortcut (shortcuts, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "view.rotate-left");
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (shortcuts));

  /* Home and End alone only where no text entry wants them. */
  shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  add_shortcut (shortcuts, GDK_KEY_Home, 0, "view.first-page");
  add_shortcut (shortcuts, GDK_KEY_End, 0, "view.last-page");
  gtk_widget_add_controller (GTK_WIDGET (self->pages_scroller), GTK_EVENT_CONTROLLER (shortcuts));

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect_object (scroll, "scroll", G_CALLBACK (on_scroll), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->pages_scroller), scroll);

  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->pages_scroller),
                           "value-changed", G_CALLBACK (on_adjustment_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->pages_scroller),
                           "changed", G_CALLBACK (on_adjustment_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_hadjustment (self->pages_scroller),
                           "changed", G_CALLBACK (on_adjustment_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->thumbs_scroller),
                           "value-changed", G_CALLBACK (on_adjustment_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->thumbs_scroller),
                           "changed", G_CALLBACK (on_adjustment_changed), self, G_CONNECT_SWAPPED);

  update_labels (self);
  update_actions (self);
}

/**
 * rd_document_view_new:
 *
 * Returns: (transfer floating): a new, empty document view
 */
GtkWidget *
rd_document_view_new (void)
{
  return g_object_new (RD_TYPE_DOCUMENT_VIEW, NULL);
}

/**
 * rd_document_view_set_bytes:
 * @self: a #RdDocumentView
 * @pdf: (nullable): the document's bytes, or %NULL to show nothing
 * @title: (nullable): what to call the document (its file name)
 *
 * Shows a PDF. Opening happens off the main thread; meanwhile a spinner
 * shows. An encrypted document asks for its password in place; a broken
 * one shows why it cannot be shown. The bytes are never changed.
 */
void
rd_document_view_set_bytes (RdDocumentView *self,
                            GBytes         *pdf,
                            const char     *title)
{
  g_return_if_fail (RD_IS_DOCUMENT_VIEW (self));

  g_cancellable_cancel (self->cancellable);
  clear_pages (self);
  g_clear_object (&self->pdf);
  g_clear_pointer (&self->rotations, g_array_unref);
  g_clear_pointer (&self->touched, g_array_unref);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_free (self->title);
  self->title = g_strdup (title);
  self->current_page = 0;
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
  gtk_widget_set_visible (GTK_WIDGET (self->password_error), FALSE);
  update_labels (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);

  if (pdf == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  self->bytes = g_bytes_ref (pdf);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  start_load (self, NULL);
}

/**
 * rd_document_view_clear:
 * @self: a #RdDocumentView
 *
 * Shows nothing, cancelling whatever was being opened or rendered.
 */
void
rd_document_view_clear (RdDocumentView *self)
{
  rd_document_view_set_bytes (self, NULL, NULL);
}

/**
 * rd_document_view_get_n_pages:
 * @self: a #RdDocumentView
 *
 * Returns: the pages of the open document, or 0
 */
guint
rd_document_view_get_n_pages (RdDocumentView *self)
{
  g_return_val_if_fail (RD_IS_DOCUMENT_VIEW (self), 0);

  return self->pages ? self->pages->len : 0;
}

/**
 * rd_document_view_get_current_page:
 * @self: a #RdDocumentView
 *
 * Returns: the index of the page being read
 */
guint
rd_document_view_get_current_page (RdDocumentView *self)
{
  g_return_val_if_fail (RD_IS_DOCUMENT_VIEW (self), 0);

  return self->current_page;
}

/**
 * rd_document_view_go_to_page:
 * @self: a #RdDocumentView
 * @page: page index from 0
 *
 * Scrolls so that @page is at the top.
 */
void
rd_document_view_go_to_page (RdDocumentView *self,
                             guint           page)
{
  g_return_if_fail (RD_IS_DOCUMENT_VIEW (self));

  if (self->pages == NULL || page >= self->pages->len)
    return;

  scroll_to_page (self, page);
  if (self->current_page != page)
    {
      self->current_page = page;
      update_labels (self);
      update_actions (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_PAGE]);
    }
}

/**
 * rd_document_view_get_zoom:
 * @self: a #RdDocumentView
 *
 * Returns: screen pixels per PDF point (1.0 shows a page at 72 dpi)
 */
double
rd_document_view_get_zoom (RdDocumentView *self)
{
  g_return_val_if_fail (RD_IS_DOCUMENT_VIEW (self), 1.0);

  return self->zoom;
}

/**
 * rd_document_view_set_zoom:
 * @self: a #RdDocumentView
 * @zoom: screen pixels per PDF point, 0.1 … 8
 *
 * Sets a fixed zoom (leaving fit width / fit page).
 */
void
rd_document_view_set_zoom (RdDocumentView *self,
                           double          zoom)
{
  g_return_if_fail (RD_IS_DOCUMENT_VIEW (self));

  self->zoom_mode = RD_DOCUMENT_VIEW_ZOOM_FREE;
  apply_zoom (self, zoom);
}

/**
 * rd_document_view_get_zoom_mode:
 * @self: a #RdDocumentView
 *
 * Returns: how the zoom is chosen
 */
RdDocumentViewZoomMode
rd_document_view_get_zoom_mode (RdDocumentView *self)
{
  g_return_val_if_fail (RD_IS_DOCUMENT_VIEW (self), RD_DOCUMENT_VIEW_ZOOM_FREE);

  return self->zoom_mode;
}

/**
 * rd_document_view_set_zoom_mode:
 * @self: a #RdDocumentView
 * @mode: fit width, fit page, or free
 *
 * Fits the pages to the view, now and whenever the view changes size.
 */
void
rd_document_view_set_zoom_mode (RdDocumentView         *self,
                                RdDocumentViewZoomMode  mode)
{
  g_return_if_fail (RD_IS_DOCUMENT_VIEW (self));

  self->zoom_mode = mode;
  if (mode != RD_DOCUMENT_VIEW_ZOOM_FREE && self->pdf != NULL)
    apply_zoom (self, fit_zoom (self));
}

/**
 * rd_document_view_get_page_rotation:
 * @self: a #RdDocumentView
 * @page: page index from 0
 *
 * Returns: the page's rotation in degrees, 0, 90, 180 or 270
 */
int
rd_document_view_get_page_rotation (RdDocumentView *self,
                                    guint           page)
{
  g_return_val_if_fail (RD_IS_DOCUMENT_VIEW (self), 0);

  return page_rotation (self, page);
}

/**
 * rd_document_view_set_page_rotation:
 * @self: a #RdDocumentView
 * @page: page index from 0
 * @rotation: clockwise degrees, a multiple of 90
 *
 * Turns one page. The rotation is saved in the database for this document
 * (found by its checksum), so it survives a restart and colleagues see it;
 * the save runs in the background. If it fails, a short message says so
 * and the page stays turned for the rest of the session.
 */
void
rd_document_view_set_page_rotation (RdDocumentView *self,
                                    guint           page,
                                    int             rotation)
{
  g_return_if_fail (RD_IS_DOCUMENT_VIEW (self));

  if (self->rotations == NULL || page >= self->rotations->len)
    return;

  rotation = ((rotation % 360) + 360) % 360 / 90 * 90;
  g_array_index (self->touched, gboolean, page) = TRUE;
  apply_rotation (self, page, rotation);
  save_rotation (self, page, rotation);
  relayout_after_rotation (self);
}

/**
 * rd_document_view_set_connection:
 * @self: a #RdDocumentView
 * @connection: (nullable): where page rotations are kept
 *
 * Sets the connection through which page rotations are read and saved.
 * Without one, the view uses the `connection` property of the nearest
 * ancestor that has one (the referral page), and with none at all a
 * rotation lasts until the application quits.
 */
void
rd_document_view_set_connection (RdDocumentView *self,
                                 RdConnection   *connection)
{
  g_return_if_fail (RD_IS_DOCUMENT_VIEW (self));
  g_return_if_fail (connection == NULL || RD_IS_CONNECTION (connection));

  g_set_object (&self->connection, connection);
}

/**
 * rd_document_view_set_listener:
 * @self: a #RdDocumentView
 * @listener: (nullable): the signed-in person's change notifications
 *
 * Follows page rotations live: when anyone turns a page of the open
 * document (or the listener reconnects), the view reads the rotations
 * again. Pages whose own save is still under way keep their turn.
 */
void
rd_document_view_set_listener (RdDocumentView *self,
                               RdListener     *listener)
{
  g_return_if_fail (RD_IS_DOCUMENT_VIEW (self));
  g_return_if_fail (listener == NULL || RD_IS_LISTENER (listener));

  if (self->listener == listener)
    return;

  if (self->listener != NULL)
    {
      g_clear_signal_handler (&self->changed_handler, self->listener);
      g_clear_signal_handler (&self->resync_handler, self->listener);
      g_clear_object (&self->listener);
    }

  if (listener != NULL)
    {
      self->listener = g_object_ref (listener);
      self->changed_handler = g_signal_connect (listener, "changed",
                                                G_CALLBACK (on_listener_changed), self);
      self->resync_handler = g_signal_connect_swapped (listener, "resync",
                                                       G_CALLBACK (schedule_rotation_refresh), self);
    }
}

/**
 * rd_document_view_get_notice:
 * @self: a #RdDocumentView
 *
 * Returns: (nullable): the last passing message the view showed (a page
 *   rotation that could not be saved), or %NULL
 */
const char *
rd_document_view_get_notice (RdDocumentView *self)
{
  g_return_val_if_fail (RD_IS_DOCUMENT_VIEW (self), NULL);

  return self->notice;
}

/**
 * rd_document_view_page_is_rendered:
 * @self: a #RdDocumentView
 * @page: page index from 0
 * @thumbnail: ask about the thumbnail instead of the page
 *
 * Returns: whether the page (or its thumbnail) has its texture now
 */
gboolean
rd_document_view_page_is_rendered (RdDocumentView *self,
                                   guint           page,
                                   gboolean        thumbnail)
{
  GPtrArray *widgets;

  g_return_val_if_fail (RD_IS_DOCUMENT_VIEW (self), FALSE);

  widgets = thumbnail ? self->thumbs : self->pages;
  if (widgets == NULL || page >= widgets->len)
    return FALSE;

  return RD_DOC_PAGE (g_ptr_array_index (widgets, page))->surface != NULL;
}

/**
 * rd_document_view_get_render_queue:
 * @self: a #RdDocumentView
 *
 * Returns: (transfer none) (nullable): the open document's render queue
 */
RdRenderQueue *
rd_document_view_get_render_queue (RdDocumentView *self)
{
  g_return_val_if_fail (RD_IS_DOCUMENT_VIEW (self), NULL);

  return self->pdf ? rd_pdf_get_render_queue (self->pdf) : NULL;
}

/**
 * rd_document_view_get_page_message:
 * @self: a #RdDocumentView
 * @page: page index from 0
 *
 * Returns: (nullable): the message shown in place of a page that could not
 *   be drawn (damaged, or over its time budget), or %NULL
 */
const char *
rd_document_view_get_page_message (RdDocumentView *self,
                                   guint           page)
{
  g_return_val_if_fail (RD_IS_DOCUMENT_VIEW (self), NULL);

  if (self->pages == NULL || page >= self->pages->len)
    return NULL;

  return RD_DOC_PAGE (g_ptr_array_index (self->pages, page))->error;
}
