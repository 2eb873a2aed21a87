/* rd-pdf-split.h — new PDFs made of page ranges of one PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RD_PDF_SPLIT_ERROR (rd_pdf_split_error_quark ())

/**
 * RdPdfSplitError:
 * @RD_PDF_SPLIT_ERROR_NO_RANGES: no page range was given
 * @RD_PDF_SPLIT_ERROR_BAD_RANGE: a range is empty, reversed or outside the document
 * @RD_PDF_SPLIT_ERROR_OVERLAP: two ranges share a page
 * @RD_PDF_SPLIT_ERROR_TOO_LARGE: a part would exceed the size limit, or the
 *   split ran over its time budget
 */
typedef enum {
  RD_PDF_SPLIT_ERROR_NO_RANGES,
  RD_PDF_SPLIT_ERROR_BAD_RANGE,
  RD_PDF_SPLIT_ERROR_OVERLAP,
  RD_PDF_SPLIT_ERROR_TOO_LARGE,
} RdPdfSplitError;

GQuark rd_pdf_split_error_quark (void);

/**
 * RdPageRange:
 * @from: first page, counting from 1
 * @to: last page, inclusive
 *
 * Pages @from to @to of a document, as people number them.
 */
typedef struct
{
  guint from;
  guint to;
} RdPageRange;

/* All parts of one split together (they are held in memory until stored). */
#define RD_PDF_SPLIT_MAX_TOTAL_BYTES (256 * 1024 * 1024)

/* Stop a split that runs longer than this per page (on top of a fixed allowance). */
#define RD_PDF_SPLIT_MS_PER_PAGE 5000

/**
 * RdPdfSplitProgress:
 * @done: pages written so far
 * @total: pages to write
 * @user_data: the data given with the callback
 *
 * Called on the main context of the caller while a split runs.
 */
typedef void (*RdPdfSplitProgress) (guint    done,
                                    guint    total,
                                    gpointer user_data);

gboolean   rd_page_ranges_check     (const RdPageRange   *ranges,
                                     guint                n_ranges,
                                     guint                n_pages,
                                     GError             **error);

GPtrArray *rd_pdf_split             (GBytes              *bytes,
                                     const char          *password,
                                     const RdPageRange   *ranges,
                                     guint                n_ranges,
                                     GCancellable        *cancellable,
                                     GError             **error);

void       rd_pdf_split_async       (GBytes              *bytes,
                                     const char          *password,
                                     const RdPageRange   *ranges,
                                     guint                n_ranges,
                                     RdPdfSplitProgress   progress,
                                     gpointer             progress_data,
                                     GDestroyNotify       progress_destroy,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GPtrArray *rd_pdf_split_finish      (GAsyncResult        *result,
                                     GError             **error);

G_END_DECLS
