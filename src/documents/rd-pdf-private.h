/* rd-pdf-private.h — shared between RdPdf and its render queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <poppler.h>

#include "rd-pdf.h"

G_BEGIN_DECLS

/* Validates and opens @bytes on the calling thread (never the main one). */
PopplerDocument *_rd_pdf_open_document (GBytes      *bytes,
                                        const char  *password,
                                        GError     **error);

G_END_DECLS
