/* rd-document.c — A received file (fax, scan, attachment) and where it stands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-record.h"
#include "rd-document.h"

struct _RdDocument
{
  GObject parent_instance;

  gint64 id;
  gint64 version;
  char *kind;
  char *file_name;
  char *media_type;
  int pages;
  char *sha256;
  gint64 size;
  char *received_via;
  GDateTime *received_at;
  char *status;
  gint64 referral_id;
  char *sender;
  char *subject;
  char *note;
  gint64 queue_id;
};

G_DEFINE_FINAL_TYPE (RdDocument, rd_document, G_TYPE_OBJECT)

static const RdField fields[] = {
  RD_FIELD (RdDocument, id, "id", RD_FIELD_INT64),
  RD_FIELD (RdDocument, version, "version", RD_FIELD_INT64),
  RD_FIELD (RdDocument, kind, "kind", RD_FIELD_STRING),
  RD_FIELD (RdDocument, file_name, "file-name", RD_FIELD_STRING),
  RD_FIELD (RdDocument, media_type, "media-type", RD_FIELD_STRING),
  RD_FIELD (RdDocument, pages, "pages", RD_FIELD_INT),
  RD_FIELD (RdDocument, sha256, "sha256", RD_FIELD_STRING),
  RD_FIELD (RdDocument, size, "size", RD_FIELD_INT64),
  RD_FIELD (RdDocument, received_via, "received-via", RD_FIELD_STRING),
  RD_FIELD (RdDocument, received_at, "received-at", RD_FIELD_DATETIME),
  RD_FIELD (RdDocument, status, "status", RD_FIELD_STRING),
  RD_FIELD (RdDocument, referral_id, "referral-id", RD_FIELD_INT64),
  RD_FIELD (RdDocument, sender, "sender", RD_FIELD_STRING),
  RD_FIELD (RdDocument, subject, "subject", RD_FIELD_STRING),
  RD_FIELD (RdDocument, note, "note", RD_FIELD_STRING),
  RD_FIELD (RdDocument, queue_id, "queue-id", RD_FIELD_INT64),
};

static GParamSpec *properties[G_N_ELEMENTS (fields) + 1];

RD_RECORD_VFUNCS (RdDocument, rd_document)

static void
rd_document_class_init (RdDocumentClass *klass)
{
  RD_RECORD_CLASS_INIT (klass, rd_document);
}

static void
rd_document_init (RdDocument *self)
{
}

RdDocument *
rd_document_new (void)
{
  return g_object_new (RD_TYPE_DOCUMENT, NULL);
}

/**
 * rd_document_copy:
 * @self: a #RdDocument
 *
 * Returns: (transfer full): a new record with the same values
 */
RdDocument *
rd_document_copy (RdDocument *self)
{
  RdDocument *copy = rd_document_new ();

  rd_record_copy_fields (G_OBJECT (copy), G_OBJECT (self), fields, G_N_ELEMENTS (fields));
  return copy;
}

/**
 * rd_document_diff:
 * @a: a #RdDocument
 * @b: another
 *
 * Returns: (transfer full): names of the properties that differ
 */
char **
rd_document_diff (RdDocument *a,
                  RdDocument *b)
{
  return rd_record_diff (G_OBJECT (a), G_OBJECT (b), fields, G_N_ELEMENTS (fields));
}

RD_INT64_ACCESSORS (RdDocument, rd_document, id, "id")
RD_INT64_ACCESSORS (RdDocument, rd_document, version, "version")
RD_STRING_ACCESSORS (RdDocument, rd_document, kind, "kind")
RD_STRING_ACCESSORS (RdDocument, rd_document, file_name, "file-name")
RD_STRING_ACCESSORS (RdDocument, rd_document, media_type, "media-type")
RD_INT_ACCESSORS (RdDocument, rd_document, pages, "pages")
RD_STRING_ACCESSORS (RdDocument, rd_document, sha256, "sha256")
RD_INT64_ACCESSORS (RdDocument, rd_document, size, "size")
RD_STRING_ACCESSORS (RdDocument, rd_document, received_via, "received-via")
RD_DATETIME_ACCESSORS (RdDocument, rd_document, received_at, "received-at")
RD_STRING_ACCESSORS (RdDocument, rd_document, status, "status")
RD_INT64_ACCESSORS (RdDocument, rd_document, referral_id, "referral-id")
RD_STRING_ACCESSORS (RdDocument, rd_document, sender, "sender")
RD_STRING_ACCESSORS (RdDocument, rd_document, subject, "subject")
RD_STRING_ACCESSORS (RdDocument, rd_document, note, "note")
RD_INT64_ACCESSORS (RdDocument, rd_document, queue_id, "queue-id")
