/* rd-documents.h — PDF handling: open, validate, render, extract, compose
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RD_DOCUMENT_ERROR (rd_document_error_quark ())

/**
 * RdDocumentError:
 * @RD_DOCUMENT_ERROR_DAMAGED: the file is broken or truncated beyond repair
 * @RD_DOCUMENT_ERROR_ENCRYPTED: the file needs a password
 * @RD_DOCUMENT_ERROR_BAD_PASSWORD: the password given was wrong
 * @RD_DOCUMENT_ERROR_UNSUPPORTED: not a kind of file Referral Desk can show
 * @RD_DOCUMENT_ERROR_TOO_LARGE: over the size or page limit
 * @RD_DOCUMENT_ERROR_EMPTY: the file has no pages
 * @RD_DOCUMENT_ERROR_TIMEOUT: rendering took too long
 */
typedef enum {
  RD_DOCUMENT_ERROR_DAMAGED,
  RD_DOCUMENT_ERROR_ENCRYPTED,
  RD_DOCUMENT_ERROR_BAD_PASSWORD,
  RD_DOCUMENT_ERROR_UNSUPPORTED,
  RD_DOCUMENT_ERROR_TOO_LARGE,
  RD_DOCUMENT_ERROR_EMPTY,
  RD_DOCUMENT_ERROR_TIMEOUT,
} RdDocumentError;

GQuark rd_document_error_quark (void);

G_END_DECLS
