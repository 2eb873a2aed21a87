/* rd-document-view.h — the faxed pages: continuous view, thumbnails, zoom, rotate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "rd-connection.h"
#include "rd-listener.h"
#include "rd-render-queue.h"

G_BEGIN_DECLS

/**
 * RdDocumentViewZoomMode:
 * @RD_DOCUMENT_VIEW_ZOOM_FIT_WIDTH: the widest page fills the width
 * @RD_DOCUMENT_VIEW_ZOOM_FIT_PAGE: a whole page fits in the view
 * @RD_DOCUMENT_VIEW_ZOOM_FREE: the zoom the person chose
 */
typedef enum {
  RD_DOCUMENT_VIEW_ZOOM_FIT_WIDTH,
  RD_DOCUMENT_VIEW_ZOOM_FIT_PAGE,
  RD_DOCUMENT_VIEW_ZOOM_FREE,
} RdDocumentViewZoomMode;

#define RD_TYPE_DOCUMENT_VIEW (rd_document_view_get_type ())

G_DECLARE_FINAL_TYPE (RdDocumentView, rd_document_view, RD, DOCUMENT_VIEW, GtkWidget)

GtkWidget              *rd_document_view_new               (void);
void                    rd_document_view_set_bytes         (RdDocumentView         *self,
                                                            GBytes                 *pdf,
                                                            const char             *title);
void                    rd_document_view_clear             (RdDocumentView         *self);
guint                   rd_document_view_get_n_pages       (RdDocumentView         *self);
guint                   rd_document_view_get_current_page  (RdDocumentView         *self);
void                    rd_document_view_go_to_page        (RdDocumentView         *self,
                                                            guint                   page);
double                  rd_document_view_get_zoom          (RdDocumentView         *self);
void                    rd_document_view_set_zoom          (RdDocumentView         *self,
                                                            double                  zoom);
RdDocumentViewZoomMode  rd_document_view_get_zoom_mode     (RdDocumentView         *self);
void                    rd_document_view_set_zoom_mode     (RdDocumentView         *self,
                                                            RdDocumentViewZoomMode  mode);
int                     rd_document_view_get_page_rotation (RdDocumentView         *self,
                                                            guint                   page);
void                    rd_document_view_set_page_rotation (RdDocumentView         *self,
                                                            guint                   page,
                                                            int                     rotation);
gboolean                rd_document_view_page_is_rendered  (RdDocumentView         *self,
                                                            guint                   page,
                                                            gboolean                thumbnail);
const char             *rd_document_view_get_page_message  (RdDocumentView         *self,
                                                            guint                   page);
RdRenderQueue          *rd_document_view_get_render_queue  (RdDocumentView         *self);
void                    rd_document_view_set_connection    (RdDocumentView         *self,
                                                            RdConnection           *connection);
void                    rd_document_view_set_listener      (RdDocumentView         *self,
                                                            RdListener             *listener);
const char             *rd_document_view_get_notice        (RdDocumentView         *self);

G_END_DECLS
