/* rd-document.h — A received file (fax, scan, attachment) and where it stands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RD_TYPE_DOCUMENT (rd_document_get_type ())
G_DECLARE_FINAL_TYPE (RdDocument, rd_document, RD, DOCUMENT, GObject)

RdDocument *rd_document_new (void);
RdDocument *rd_document_copy (RdDocument *self);
char **rd_document_diff (RdDocument *a, RdDocument *b);

gint64 rd_document_get_id (RdDocument *self);
void rd_document_set_id (RdDocument *self, gint64 value);
gint64 rd_document_get_version (RdDocument *self);
void rd_document_set_version (RdDocument *self, gint64 value);
const char * rd_document_get_kind (RdDocument *self);
void rd_document_set_kind (RdDocument *self, const char * value);
const char * rd_document_get_file_name (RdDocument *self);
void rd_document_set_file_name (RdDocument *self, const char * value);
const char * rd_document_get_media_type (RdDocument *self);
void rd_document_set_media_type (RdDocument *self, const char * value);
int rd_document_get_pages (RdDocument *self);
void rd_document_set_pages (RdDocument *self, int value);
const char * rd_document_get_sha256 (RdDocument *self);
void rd_document_set_sha256 (RdDocument *self, const char * value);
gint64 rd_document_get_size (RdDocument *self);
void rd_document_set_size (RdDocument *self, gint64 value);
const char * rd_document_get_received_via (RdDocument *self);
void rd_document_set_received_via (RdDocument *self, const char * value);
GDateTime * rd_document_get_received_at (RdDocument *self);
void rd_document_set_received_at (RdDocument *self, GDateTime * value);
const char * rd_document_get_status (RdDocument *self);
void rd_document_set_status (RdDocument *self, const char * value);
gint64 rd_document_get_referral_id (RdDocument *self);
void rd_document_set_referral_id (RdDocument *self, gint64 value);
const char * rd_document_get_sender (RdDocument *self);
void rd_document_set_sender (RdDocument *self, const char * value);
const char * rd_document_get_subject (RdDocument *self);
void rd_document_set_subject (RdDocument *self, const char * value);
const char * rd_document_get_note (RdDocument *self);
void rd_document_set_note (RdDocument *self, const char * value);
gint64 rd_document_get_queue_id (RdDocument *self);
void rd_document_set_queue_id (RdDocument *self, gint64 value);

G_END_DECLS
