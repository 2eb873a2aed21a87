/* rd-intake-result.c — what one parsed message brought in, whatever the channel
 *
 * HL7 v2, FHIR and e-mail parsers all fill this one shape, so the filing step
 * (and the tests comparing channels) deal with one kind of object.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-intake-result.h"

#define MAX_FILE_NAME_BYTES 120

/* RdIntakeDocument */

struct _RdIntakeDocument
{
  GObject     parent_instance;

  GBytes     *bytes;
  RdDocument *metadata;
};

G_DEFINE_FINAL_TYPE (RdIntakeDocument, rd_intake_document, G_TYPE_OBJECT)

static void
rd_intake_document_finalize (GObject *object)
{
  RdIntakeDocument *self = RD_INTAKE_DOCUMENT (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_object (&self->metadata);

  G_OBJECT_CLASS (rd_intake_document_parent_class)->finalize (object);
}

static void
rd_intake_document_class_init (RdIntakeDocumentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rd_intake_document_finalize;
}

static void
rd_intake_document_init (RdIntakeDocument *self)
{
}

/**
 * rd_intake_document_new:
 * @bytes: the file's content
 * @file_name: a name already passed through rd_intake_sanitize_file_name()
 * @media_type: "application/pdf" or "image/tiff"
 * @received_via: the channel ("email", "fhir", …)
 *
 * The metadata record gets the name, type, size, SHA-256 and the status
 * "unfiled"; the caller adds sender, subject and note as it knows them.
 *
 * Returns: (transfer full): a new document
 */
RdIntakeDocument *
rd_intake_document_new (GBytes     *bytes,
                        const char *file_name,
                        const char *media_type,
                        const char *received_via)
{
  RdIntakeDocument *self;
  g_autofree char *sha256 = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);

  self = g_object_new (RD_TYPE_INTAKE_DOCUMENT, NULL);
  self->bytes = g_bytes_ref (bytes);
  self->metadata = rd_document_new ();

  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_object_set (self->metadata,
                "kind", "attachment",
                "file-name", file_name,
                "media-type", media_type,
                "size", (gint64) g_bytes_get_size (bytes),
                "sha256", sha256,
                "received-via", received_via,
                "status", "unfiled",
                NULL);

  return self;
}

/**
 * rd_intake_document_get_bytes:
 * @self: a #RdIntakeDocument
 *
 * Returns: (transfer none): the file's content
 */
GBytes *
rd_intake_document_get_bytes (RdIntakeDocument *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_DOCUMENT (self), NULL);
  return self->bytes;
}

/**
 * rd_intake_document_get_file_name:
 * @self: a #RdIntakeDocument
 *
 * Returns: a sanitised name: never a path, never empty
 */
const char *
rd_intake_document_get_file_name (RdIntakeDocument *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_DOCUMENT (self), NULL);
  return rd_document_get_file_name (self->metadata);
}

/**
 * rd_intake_document_get_media_type:
 * @self: a #RdIntakeDocument
 *
 * Returns: the media type the bytes were recognised as
 */
const char *
rd_intake_document_get_media_type (RdIntakeDocument *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_DOCUMENT (self), NULL);
  return rd_document_get_media_type (self->metadata);
}

/**
 * rd_intake_document_get_metadata:
 * @self: a #RdIntakeDocument
 *
 * Returns: (transfer none): the record to store beside the bytes
 */
RdDocument *
rd_intake_document_get_metadata (RdIntakeDocument *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_DOCUMENT (self), NULL);
  return self->metadata;
}

/* RdIntakeResult */

struct _RdIntakeResult
{
  GObject        parent_instance;

  char          *channel;
  RdIntakeEvent  event;
  char          *message_type;
  char          *message_id;
  char          *sender;
  char          *subject;
  GDateTime     *sent_at;
  char          *external_status;
  char          *sender_facility;
  char          *external_id;
  gboolean       priority_given;
  GDateTime     *valid_from;
  GDateTime     *valid_until;

  RdReferral    *referral;
  RdPatient     *patient;
  RdProvider    *referring;
  RdProvider    *receiving;
  GPtrArray     *coverages;
  GPtrArray     *providers;
  GPtrArray     *documents;
  GPtrArray     *notes;
  GPtrArray     *warnings;
  GPtrArray     *skipped;
};

G_DEFINE_FINAL_TYPE (RdIntakeResult, rd_intake_result, G_TYPE_OBJECT)

static void
rd_intake_result_finalize (GObject *object)
{
  RdIntakeResult *self = RD_INTAKE_RESULT (object);

  g_clear_pointer (&self->channel, g_free);
  g_clear_pointer (&self->message_type, g_free);
  g_clear_pointer (&self->message_id, g_free);
  g_clear_pointer (&self->sender, g_free);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->sent_at, g_date_time_unref);
  g_clear_pointer (&self->external_status, g_free);
  g_clear_pointer (&self->sender_facility, g_free);
  g_clear_pointer (&self->external_id, g_free);
  g_clear_pointer (&self->valid_from, g_date_time_unref);
  g_clear_pointer (&self->valid_until, g_date_time_unref);
  g_clear_object (&self->referral);
  g_clear_object (&self->patient);
  g_clear_object (&self->referring);
  g_clear_object (&self->receiving);
  g_clear_pointer (&self->coverages, g_ptr_array_unref);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->documents, g_ptr_array_unref);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->skipped, g_ptr_array_unref);

  G_OBJECT_CLASS (rd_intake_result_parent_class)->finalize (object);
}

static void
rd_intake_result_class_init (RdIntakeResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rd_intake_result_finalize;
}

static void
rd_intake_result_init (RdIntakeResult *self)
{
  self->event = RD_INTAKE_EVENT_DOCUMENTS;
  self->coverages = g_ptr_array_new_with_free_func (g_object_unref);
  self->providers = g_ptr_array_new_with_free_func (g_object_unref);
  self->documents = g_ptr_array_new_with_free_func (g_object_unref);
  self->notes = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->warnings = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->skipped = g_ptr_array_new_null_terminated (4, g_free, TRUE);
}

/**
 * rd_intake_result_new:
 * @channel: "hl7v2", "fhir" or "email"
 *
 * Returns: (transfer full): an empty result
 */
RdIntakeResult *
rd_intake_result_new (const char *channel)
{
  RdIntakeResult *self = g_object_new (RD_TYPE_INTAKE_RESULT, NULL);

  self->channel = g_strdup (channel);
  return self;
}

#define STRING_PROPERTY(member)                                                 \
  const char *rd_intake_result_get_##member (RdIntakeResult *self)              \
  {                                                                             \
    g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);                    \
    return self->member;                                                        \
  }                                                                             \
  void rd_intake_result_set_##member (RdIntakeResult *self, const char *value)  \
  {                                                                             \
    g_return_if_fail (RD_IS_INTAKE_RESULT (self));                              \
    g_free (self->member);                                                      \
    self->member = g_strdup (value);                                            \
  }

#define OBJECT_PROPERTY(Type, member)                                           \
  Type *rd_intake_result_get_##member (RdIntakeResult *self)                    \
  {                                                                             \
    g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);                    \
    return self->member;                                                        \
  }                                                                             \
  void rd_intake_result_set_##member (RdIntakeResult *self, Type *value)        \
  {                                                                             \
    g_return_if_fail (RD_IS_INTAKE_RESULT (self));                              \
    g_set_object (&self->member, value);                                        \
  }

/* Plain accessors, generated:
 *
 * rd_intake_result_get/set_message_type(): "REF^I12", "Bundle (message)",
 *   "message/rfc822", a FHIR resource type;
 * rd_intake_result_get/set_message_id(): MSH-10, Bundle.identifier,
 *   Message-ID;
 * rd_intake_result_get/set_sender(): MSH-3 (MSH-4), MessageHeader.source,
 *   the From address;
 * rd_intake_result_get/set_subject(): the e-mail subject;
 * rd_intake_result_get/set_external_status(): the sender's own status code
 *   (RF1-1, ServiceRequest.status);
 * rd_intake_result_get/set_sender_facility(): the system whose ids the
 *   external id belongs to (HL7: MSH-4, else MSH-3);
 * rd_intake_result_get/set_external_id(): the sender's own id of the
 *   referral (HL7: RF1-6, else RF1-11), by which its follow-ups name it;
 * rd_intake_result_get/set_referral(), _patient(), _referring(),
 *   _receiving(): (transfer none) getters, setters take a reference.
 */
STRING_PROPERTY (message_type)
STRING_PROPERTY (message_id)
STRING_PROPERTY (sender)
STRING_PROPERTY (subject)
STRING_PROPERTY (external_status)
STRING_PROPERTY (sender_facility)
STRING_PROPERTY (external_id)

OBJECT_PROPERTY (RdReferral, referral)
OBJECT_PROPERTY (RdPatient, patient)
OBJECT_PROPERTY (RdProvider, referring)
OBJECT_PROPERTY (RdProvider, receiving)

/**
 * rd_intake_result_get_priority_given:
 * @self: a #RdIntakeResult
 *
 * Returns: whether the sender gave a priority (the referral's priority is
 *   routine by default otherwise); a change message without one leaves the
 *   priority as it is
 */
gboolean
rd_intake_result_get_priority_given (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), FALSE);
  return self->priority_given;
}

/**
 * rd_intake_result_set_priority_given:
 * @self: a #RdIntakeResult
 * @given: whether the sender gave a priority
 */
void
rd_intake_result_set_priority_given (RdIntakeResult *self,
                                     gboolean        given)
{
  g_return_if_fail (RD_IS_INTAKE_RESULT (self));
  self->priority_given = given;
}

/**
 * rd_intake_result_get_channel:
 * @self: a #RdIntakeResult
 *
 * Returns: the channel the result came by
 */
const char *
rd_intake_result_get_channel (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);
  return self->channel;
}

/**
 * rd_intake_result_get_event:
 * @self: a #RdIntakeResult
 *
 * Returns: what the sender asks for
 */
RdIntakeEvent
rd_intake_result_get_event (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), RD_INTAKE_EVENT_DOCUMENTS);
  return self->event;
}

/**
 * rd_intake_result_set_event:
 * @self: a #RdIntakeResult
 * @event: what the sender asks for
 */
void
rd_intake_result_set_event (RdIntakeResult *self,
                            RdIntakeEvent   event)
{
  g_return_if_fail (RD_IS_INTAKE_RESULT (self));
  self->event = event;
}

/**
 * rd_intake_result_get_sent_at:
 * @self: a #RdIntakeResult
 *
 * Returns: (transfer none) (nullable): when the sender says it sent the message
 */
GDateTime *
rd_intake_result_get_sent_at (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);
  return self->sent_at;
}

/**
 * rd_intake_result_set_sent_at:
 * @self: a #RdIntakeResult
 * @sent_at: (nullable): the time
 */
void
rd_intake_result_set_sent_at (RdIntakeResult *self,
                              GDateTime      *sent_at)
{
  g_return_if_fail (RD_IS_INTAKE_RESULT (self));
  g_clear_pointer (&self->sent_at, g_date_time_unref);
  if (sent_at != NULL)
    self->sent_at = g_date_time_ref (sent_at);
}

/**
 * rd_intake_result_get_valid_from:
 * @self: a #RdIntakeResult
 *
 * Returns: (transfer none) (nullable): start of the referral's validity
 *   (HL7 RF1-7, FHIR occurrencePeriod.start)
 */
GDateTime *
rd_intake_result_get_valid_from (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);
  return self->valid_from;
}

/**
 * rd_intake_result_get_valid_until:
 * @self: a #RdIntakeResult
 *
 * Returns: (transfer none) (nullable): end of the referral's validity
 *   (HL7 RF1-8, FHIR occurrencePeriod.end)
 */
GDateTime *
rd_intake_result_get_valid_until (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);
  return self->valid_until;
}

/**
 * rd_intake_result_set_validity:
 * @self: a #RdIntakeResult
 * @valid_from: (nullable): start
 * @valid_until: (nullable): end
 */
void
rd_intake_result_set_validity (RdIntakeResult *self,
                               GDateTime      *valid_from,
                               GDateTime      *valid_until)
{
  g_return_if_fail (RD_IS_INTAKE_RESULT (self));
  g_clear_pointer (&self->valid_from, g_date_time_unref);
  g_clear_pointer (&self->valid_until, g_date_time_unref);
  if (valid_from != NULL)
    self->valid_from = g_date_time_ref (valid_from);
  if (valid_until != NULL)
    self->valid_until = g_date_time_ref (valid_until);
}

/**
 * rd_intake_result_get_coverages:
 * @self: a #RdIntakeResult
 *
 * Returns: (transfer none) (element-type RdCoverage): the insurance found
 */
GPtrArray *
rd_intake_result_get_coverages (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);
  return self->coverages;
}

/**
 * rd_intake_result_add_coverage:
 * @self: a #RdIntakeResult
 * @coverage: a coverage to add (a reference is taken)
 */
void
rd_intake_result_add_coverage (RdIntakeResult *self,
                               RdCoverage     *coverage)
{
  g_return_if_fail (RD_IS_INTAKE_RESULT (self));
  g_ptr_array_add (self->coverages, g_object_ref (coverage));
}

/**
 * rd_intake_result_get_providers:
 * @self: a #RdIntakeResult
 *
 * Returns: (transfer none) (element-type RdProvider): providers found
 *   outside the referring/receiving roles (a Practitioner sent alone)
 */
GPtrArray *
rd_intake_result_get_providers (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);
  return self->providers;
}

/**
 * rd_intake_result_add_provider:
 * @self: a #RdIntakeResult
 * @provider: a provider to add (a reference is taken)
 */
void
rd_intake_result_add_provider (RdIntakeResult *self,
                               RdProvider     *provider)
{
  g_return_if_fail (RD_IS_INTAKE_RESULT (self));
  g_ptr_array_add (self->providers, g_object_ref (provider));
}

/**
 * rd_intake_result_get_documents:
 * @self: a #RdIntakeResult
 *
 * Returns: (transfer none) (element-type RdIntakeDocument): the documents
 */
GPtrArray *
rd_intake_result_get_documents (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);
  return self->documents;
}

/**
 * rd_intake_result_add_document:
 * @self: a #RdIntakeResult
 * @document: a document to add (a reference is taken)
 */
void
rd_intake_result_add_document (RdIntakeResult   *self,
                               RdIntakeDocument *document)
{
  g_return_if_fail (RD_IS_INTAKE_RESULT (self));
  g_ptr_array_add (self->documents, g_object_ref (document));
}

static void
add_bounded (GPtrArray  *array,
             const char *text,
             guint       max)
{
  if (text == NULL || *text == '\0' || array->len >= max)
    return;

  if (strlen (text) > RD_INTAKE_MAX_TEXT_VALUE)
    {
      const char *end = g_utf8_find_prev_char (text, text + RD_INTAKE_MAX_TEXT_VALUE);

      g_ptr_array_add (array, g_strndup (text, end != NULL ? (gsize) (end - text) : 0));
    }
  else
    g_ptr_array_add (array, g_strdup (text));
}

/**
 * rd_intake_result_get_notes:
 * @self: a #RdIntakeResult
 *
 * Returns: (transfer none): free text the message carried (NTE, OBX, the
 *   e-mail body, ServiceRequest.note), in order
 */
const char * const *
rd_intake_result_get_notes (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);
  return (const char * const *) self->notes->pdata;
}

/**
 * rd_intake_result_add_note:
 * @self: a #RdIntakeResult
 * @note: text; empty notes are ignored
 */
void
rd_intake_result_add_note (RdIntakeResult *self,
                           const char     *note)
{
  g_return_if_fail (RD_IS_INTAKE_RESULT (self));
  add_bounded (self->notes, note, RD_INTAKE_MAX_NOTES);
}

/**
 * rd_intake_result_get_warnings:
 * @self: a #RdIntakeResult
 *
 * Returns: (transfer none): translated sentences about what was left out
 *   or could not be read, for the person filing the result
 */
const char * const *
rd_intake_result_get_warnings (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);
  return (const char * const *) self->warnings->pdata;
}

/**
 * rd_intake_result_add_warning:
 * @self: a #RdIntakeResult
 * @format: a translated printf() format
 * @...: arguments
 */
void
rd_intake_result_add_warning (RdIntakeResult *self,
                              const char     *format,
                              ...)
{
  g_autofree char *text = NULL;
  va_list args;

  g_return_if_fail (RD_IS_INTAKE_RESULT (self));

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  add_bounded (self->warnings, text, RD_INTAKE_MAX_WARNINGS);
}

/**
 * rd_intake_result_get_skipped:
 * @self: a #RdIntakeResult
 *
 * Returns: (transfer none): descriptions ("photo.png (image/png)") of the
 *   attachments that were not imported because they are not documents
 */
const char * const *
rd_intake_result_get_skipped (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);
  return (const char * const *) self->skipped->pdata;
}

/**
 * rd_intake_result_add_skipped:
 * @self: a #RdIntakeResult
 * @description: what was skipped
 */
void
rd_intake_result_add_skipped (RdIntakeResult *self,
                              const char     *description)
{
  g_return_if_fail (RD_IS_INTAKE_RESULT (self));
  add_bounded (self->skipped, description, RD_INTAKE_MAX_WARNINGS);
}

/**
 * rd_intake_result_is_empty:
 * @self: a #RdIntakeResult
 *
 * Returns: %TRUE when nothing could be filed: no referral, patient,
 *   coverage, provider or document
 */
gboolean
rd_intake_result_is_empty (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), TRUE);

  return self->referral == NULL && self->patient == NULL &&
         self->referring == NULL && self->receiving == NULL &&
         self->coverages->len == 0 && self->providers->len == 0 &&
         self->documents->len == 0;
}

/**
 * rd_intake_result_dup_notes_text:
 * @self: a #RdIntakeResult
 *
 * Returns: (transfer full) (nullable): the notes joined by blank lines, or
 *   %NULL when there are none
 */
char *
rd_intake_result_dup_notes_text (RdIntakeResult *self)
{
  g_return_val_if_fail (RD_IS_INTAKE_RESULT (self), NULL);

  if (self->notes->len == 0)
    return NULL;

  return g_strjoinv ("\n\n", (char **) self->notes->pdata);
}

/**
 * rd_intake_sniff_media_type:
 * @bytes: a file's content
 *
 * Looks at the first bytes only; whether the rest is readable is for the
 * document code (Poppler, libtiff) to find out.
 *
 * Returns: "application/pdf", "image/tiff" or %NULL
 */
const char *
rd_intake_sniff_media_type (GBytes *bytes)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  gsize window = MIN (size, 1024);

  if (size >= 4 && (memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0))
    return "image/tiff";

  /* Readers accept "%PDF-" anywhere in the first kilobyte; so do we. */
  for (gsize i = 0; i + 5 <= window; i++)
    if (memcmp (data + i, "%PDF-", 5) == 0)
      return "application/pdf";

  return NULL;
}

static gboolean
char_allowed (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SURROGATE:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
      return FALSE;
    default:
      return TRUE;
    }
}

/**
 * rd_intake_sanitize_file_name:
 * @name: (nullable): a name as a sender wrote it
 * @media_type: (nullable): the recognised type, to fix the extension
 * @index: a number for the fallback name ("attachment-3.pdf")
 *
 * Makes a name that can be shown and offered in a save dialog but never
 * names another place: only the last path element is kept, control and
 * formatting characters (bidi overrides included) are dropped, characters
 * that file systems refuse become "_", leading dots go, the length is
 * capped, and the extension matches @media_type.
 *
 * Returns: (transfer full): a non-empty name without any directory part
 */
char *
rd_intake_sanitize_file_name (const char *name,
                              const char *media_type,
                              guint       index)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  const char *base;
  const char *ext = NULL;

  if (g_strcmp0 (media_type, "application/pdf") == 0)
    ext = ".pdf";
  else if (g_strcmp0 (media_type, "image/tiff") == 0)
    ext = ".tif";

  if (name != NULL)
    {
      gsize len = strnlen (name, 4096);

      valid = g_utf8_make_valid (name, len);
      base = valid;
      for (const char *p = valid; *p; p++)
        if (*p == '/' || *p == '\\')
          base = p + 1;

      for (const char *p = base; *p; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (!char_allowed (c))
            continue;
          if (c < 0x80 && strchr (":*?\"<>|", (int) c) != NULL)
            c = '_';
          if (out->len == 0 && (c == '.' || g_unichar_isspace (c)))
            continue;
          if (out->len + 6 > MAX_FILE_NAME_BYTES)
            break;
          g_string_append_unichar (out, c);
        }

      while (out->len > 0 && (out->str[out->len - 1] == '.' ||
                              g_ascii_isspace (out->str[out->len - 1])))
        g_string_truncate (out, out->len - 1);
    }

  if (out->len == 0)
    g_string_printf (out, "attachment-%u", index);

  if (ext != NULL)
    {
      g_autofree char *lower = g_utf8_strdown (out->str, -1);

      if (!g_str_has_suffix (lower, ext) &&
          !(g_str_equal (ext, ".tif") && g_str_has_suffix (lower, ".tiff")))
        g_string_append (out, ext);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
