/* rd-documents.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-documents.h"

G_DEFINE_QUARK (rd-document-error-quark, rd_document_error)
