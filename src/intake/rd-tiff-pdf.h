/* rd-tiff-pdf.h — a fax's TIFF pages as a PDF, for storage and viewing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Limits: a fax has a few dozen pages of about 1728 × 2200 pixels. */
#define RD_TIFF_MAX_PAGES        500
#define RD_TIFF_MAX_PAGE_PIXELS  (64 * 1024 * 1024)

GBytes *rd_tiff_to_pdf (GBytes   *tiff,
                        guint    *out_pages,
                        GError  **error);
gboolean rd_tiff_read_fax_tags (GBytes  *tiff,
                                char   **out_description,
                                char   **out_date_time);

G_END_DECLS
