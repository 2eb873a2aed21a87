/* rd-pdf.h — a validated PDF document, opened off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-render-queue.h"

G_BEGIN_DECLS

/* Files larger than this are refused (RD_DOCUMENT_ERROR_TOO_LARGE). */
#define RD_PDF_MAX_BYTES (64 * 1024 * 1024)
/* Documents with more pages than this are refused (RD_DOCUMENT_ERROR_TOO_LARGE). */
#define RD_PDF_MAX_PAGES 2000

#define RD_TYPE_PDF (rd_pdf_get_type ())

G_DECLARE_FINAL_TYPE (RdPdf, rd_pdf, RD, PDF, GObject)

RdPdf         *rd_pdf_new_from_bytes       (GBytes               *bytes,
                                            const char           *password,
                                            GError              **error);
void           rd_pdf_load_async           (GBytes               *bytes,
                                            const char           *password,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
RdPdf         *rd_pdf_load_finish          (GAsyncResult         *result,
                                            GError              **error);

GBytes        *rd_pdf_get_bytes            (RdPdf                *self);
guint          rd_pdf_get_n_pages          (RdPdf                *self);
gboolean       rd_pdf_get_page_size        (RdPdf                *self,
                                            guint                 page,
                                            double               *width,
                                            double               *height);
const char    *rd_pdf_get_title            (RdPdf                *self);
const char    *rd_pdf_get_checksum         (RdPdf                *self);
RdRenderQueue *rd_pdf_get_render_queue     (RdPdf                *self);

void           rd_pdf_extract_text_async   (RdPdf                *self,
                                            int                   page,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
char          *rd_pdf_extract_text_finish  (RdPdf                *self,
                                            GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
