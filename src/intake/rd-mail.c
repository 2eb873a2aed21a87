/* rd-mail.c — an e-mail (.eml) into documents, sender, subject and a note
 *
 * GMime does the MIME work (encodings, RFC 2047/2231 names, charsets). What
 * this file adds is the policy: which parts are documents, what is listed as
 * skipped, the limits, and a message per broken item while the rest is kept.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gmime/gmime.h>

#include "rd-mail.h"
#include "rd-intake-private.h"

#define MAX_DEPTH 16

/* GMime 3.2 declares no autoptr cleanups of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

typedef struct
{
  RdIntakeResult *result;
  guint           parts;
  guint           index;
  gboolean        have_body;
} Walk;

static gpointer
init_gmime (gpointer data)
{
  g_mime_init ();
  return NULL;
}

static void
ensure_gmime (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_gmime, NULL);
}

/* GMime parses nested multiparts recursively; refuse a message whose raw
 * bytes announce more nested containers than we would ever walk, before
 * GMime's own recursion can run deep. */
static guint
count_containers (const char *data,
                  gsize       size)
{
  static const char * const needles[] = { "multipart/", "message/rfc822" };
  guint count = 0;

  for (gsize i = 0; i < size; i++)
    {
      char c = g_ascii_tolower (data[i]);

      if (c != 'm')
        continue;
      for (guint n = 0; n < G_N_ELEMENTS (needles); n++)
        {
          gsize len = strlen (needles[n]);

          if (i + len <= size && g_ascii_strncasecmp (data + i, needles[n], len) == 0)
            count++;
        }
    }

  return count;
}

static gboolean
is_document_type (const char *mime_type,
                  const char *file_name)
{
  g_autofree char *lower = file_name != NULL ? g_utf8_strdown (file_name, -1) : NULL;

  if (g_strcmp0 (mime_type, "application/pdf") == 0 ||
      g_strcmp0 (mime_type, "application/x-pdf") == 0 ||
      g_strcmp0 (mime_type, "image/tiff") == 0 ||
      g_strcmp0 (mime_type, "image/tif") == 0)
    return TRUE;

  /* Mailers often send PDFs as octet-stream; trust the name there only. */
  return (g_strcmp0 (mime_type, "application/octet-stream") == 0 || mime_type == NULL) &&
         lower != NULL &&
         (g_str_has_suffix (lower, ".pdf") || g_str_has_suffix (lower, ".tif") ||
          g_str_has_suffix (lower, ".tiff"));
}

static char *
describe (const char *file_name,
          const char *mime_type)
{
  g_autofree char *name = rd_intake_clean_text (file_name, -1);

  if (name == NULL)
    return g_strdup_printf (_("an unnamed %s part"), mime_type);

  return g_strdup_printf ("%s (%s)", name, mime_type);
}

static void
read_document (Walk       *walk,
               GMimePart  *part,
               const char *mime_type,
               const char *file_name)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  g_autofree char *shown = describe (file_name, mime_type);
  g_autoptr(GMimeStream) decoded = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RdIntakeDocument) document = NULL;
  g_autofree char *name = NULL;
  GByteArray *array;
  const char *media_type;
  gint64 encoded_length;

  if (content == NULL)
    {
      rd_intake_result_add_warning (walk->result,
                                    _("The attachment %s has no content and was not imported."),
                                    shown);
      return;
    }

  /* Decoding never makes base64 or quoted-printable larger, so the encoded
   * length bounds the memory the decoded copy takes. */
  encoded_length = g_mime_stream_length (g_mime_data_wrapper_get_stream (content));
  if (encoded_length < 0 || encoded_length > RD_MAIL_MAX_PART_SIZE)
    {
      rd_intake_result_add_warning (walk->result,
                                    _("The attachment %s is larger than %d MiB and was not imported."),
                                    shown, RD_MAIL_MAX_PART_SIZE / (1024 * 1024));
      return;
    }

  if (rd_intake_result_get_documents (walk->result)->len >= RD_INTAKE_MAX_DOCUMENTS)
    {
      rd_intake_result_add_warning (walk->result,
                                    _("The e-mail has more than %d documents; %s and the rest were not imported."),
                                    RD_INTAKE_MAX_DOCUMENTS, shown);
      return;
    }

  decoded = g_mime_stream_mem_new ();
  if (g_mime_data_wrapper_write_to_stream (content, decoded) < 0)
    {
      rd_intake_result_add_warning (walk->result,
                                    _("The attachment %s could not be decoded and was not imported."),
                                    shown);
      return;
    }

  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (decoded));
  if (array == NULL || array->len == 0)
    {
      rd_intake_result_add_warning (walk->result,
                                    _("The attachment %s is empty and was not imported."),
                                    shown);
      return;
    }

  bytes = g_bytes_new (array->data, array->len);
  media_type = rd_intake_sniff_media_type (bytes);
  if (media_type == NULL)
    {
      rd_intake_result_add_warning (walk->result,
                                    _("The attachment %s is not a readable PDF or TIFF file (it may be damaged) and was not imported."),
                                    shown);
      return;
    }

  walk->index++;
  name = rd_intake_sanitize_file_name (file_name, media_type, walk->index);
  document = rd_intake_document_new (bytes, name, media_type, "email");
  rd_intake_result_add_document (walk->result, document);
}

static void walk_object (Walk        *walk,
                         GMimeObject *object,
                         guint        depth);

static void
walk_message (Walk         *walk,
              GMimeMessage *message,
              guint         depth)
{
  GMimeObject *body = message != NULL ? g_mime_message_get_mime_part (message) : NULL;

  if (body == NULL)
    {
      rd_intake_result_add_warning (walk->result,
                                    _("A forwarded message inside the e-mail is empty or damaged."));
      return;
    }

  walk_object (walk, body, depth + 1);
}

static void
walk_part (Walk      *walk,
           GMimePart *part)
{
  GMimeContentType *content_type = g_mime_object_get_content_type (GMIME_OBJECT (part));
  g_autofree char *declared = content_type != NULL ? g_mime_content_type_get_mime_type (content_type) : NULL;
  g_autofree char *mime_type = declared != NULL ? g_ascii_strdown (declared, -1) : NULL;
  const char *file_name = g_mime_part_get_filename (part);
  gboolean attachment = g_mime_part_is_attachment (part) || file_name != NULL;

  if (is_document_type (mime_type, file_name))
    {
      read_document (walk, part, mime_type, file_name);
      return;
    }

  if (!attachment && GMIME_IS_TEXT_PART (part) && content_type != NULL &&
      g_mime_content_type_is_type (content_type, "text", "plain"))
    {
      g_autofree char *text = g_mime_text_part_get_text (GMIME_TEXT_PART (part));
      g_autofree char *note = rd_intake_clean_text (text, -1);

      rd_intake_result_add_note (walk->result, note);
      walk->have_body = walk->have_body || note != NULL;
      return;
    }

  /* An HTML alternative of the text body is not an attachment. */
  if (!attachment && content_type != NULL &&
      g_mime_content_type_is_type (content_type, "text", "*"))
    return;

  {
    g_autofree char *what = describe (file_name, mime_type != NULL ? mime_type : "application/octet-stream");
    rd_intake_result_add_skipped (walk->result, what);
  }
}

static void
walk_object (Walk        *walk,
             GMimeObject *object,
             guint        depth)
{
  if (object == NULL)
    return;

  if (++walk->parts > RD_MAIL_MAX_PARTS || depth > MAX_DEPTH)
    {
      if (walk->parts == RD_MAIL_MAX_PARTS + 1 || depth == MAX_DEPTH + 1)
        rd_intake_result_add_warning (walk->result,
                                      _("The e-mail has too many or too deeply nested parts; the rest was not read."));
      return;
    }

  if (GMIME_IS_MULTIPART_ENCRYPTED (object))
    {
      rd_intake_result_add_warning (walk->result,
                                    _("An encrypted part of the e-mail cannot be read; ask the sender to send it unencrypted through a secure channel."));
      return;
    }

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int count = g_mime_multipart_get_count (multipart);

      for (int i = 0; i < count && walk->parts <= RD_MAIL_MAX_PARTS; i++)
        walk_object (walk, g_mime_multipart_get_part (multipart, i), depth + 1);
      return;
    }

  if (GMIME_IS_MESSAGE_PART (object))
    {
      walk_message (walk, g_mime_message_part_get_message (GMIME_MESSAGE_PART (object)), depth);
      return;
    }

  if (GMIME_IS_PART (object))
    walk_part (walk, GMIME_PART (object));
}

/**
 * rd_mail_import:
 * @bytes: an .eml file (RFC 5322, with MIME)
 * @error: return location for a #RD_INTAKE_ERROR
 *
 * Every PDF or TIFF attachment (also inside forwarded messages and signed
 * parts) becomes a document whose bytes start as a PDF or TIFF must; its
 * name, RFC 2231-decoded by GMime, is sanitised so it never names a path.
 * The text body becomes a note; sender, subject and date are kept. Other
 * attachments are listed as skipped. A broken or oversized attachment gets
 * a warning and the rest is kept. A message with no document at all is
 * refused with %RD_INTAKE_ERROR_MISSING, naming what it did hold.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
RdIntakeResult *
rd_mail_import (GBytes  *bytes,
                GError **error)
{
  g_autoptr(RdIntakeResult) result = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  GMimeHeaderList *headers;
  InternetAddressList *from;
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  Walk walk = { 0 };

  ensure_gmime ();

  if (size > RD_MAIL_MAX_SIZE)
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE,
                   _("The e-mail is larger than %d MiB; it was not read."),
                   RD_MAIL_MAX_SIZE / (1024 * 1024));
      return NULL;
    }

  if (size == 0)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("The file is empty: it holds no e-mail."));
      return NULL;
    }

  if (count_containers (data, size) > RD_MAIL_MAX_PARTS)
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE,
                   _("The e-mail has more than %d nested parts; it was not read."),
                   RD_MAIL_MAX_PARTS);
      return NULL;
    }

  stream = g_mime_stream_mem_new_with_buffer (data, size);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);

  headers = message != NULL ? g_mime_object_get_header_list (GMIME_OBJECT (message)) : NULL;
  if (message == NULL || headers == NULL || g_mime_header_list_get_count (headers) == 0)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("This is not an e-mail message: it has no mail headers."));
      return NULL;
    }

  result = rd_intake_result_new ("email");
  rd_intake_result_set_event (result, RD_INTAKE_EVENT_DOCUMENTS);
  rd_intake_result_set_message_type (result, "message/rfc822");

  from = g_mime_message_get_from (message);
  if (from != NULL && internet_address_list_length (from) > 0)
    {
      g_autofree char *raw = internet_address_list_to_string (from, NULL, FALSE);
      g_autofree char *sender = rd_intake_clean_text (raw, -1);

      rd_intake_result_set_sender (result, sender);
    }
  else
    rd_intake_result_add_warning (result, _("The e-mail does not say who sent it."));

  {
    g_autofree char *subject = rd_intake_clean_text (g_mime_message_get_subject (message), -1);
    g_autofree char *id = rd_intake_clean_text (g_mime_message_get_message_id (message), -1);

    rd_intake_result_set_subject (result, subject);
    rd_intake_result_set_message_id (result, id);
  }
  rd_intake_result_set_sent_at (result, g_mime_message_get_date (message));

  walk.result = result;
  walk_object (&walk, g_mime_message_get_mime_part (message), 0);

  if (rd_intake_result_get_documents (result)->len == 0)
    {
      const char * const *skipped = rd_intake_result_get_skipped (result);
      const char * const *warnings = rd_intake_result_get_warnings (result);
      g_autoptr(GString) text = g_string_new (_("The e-mail has no PDF or TIFF attachment, so there is nothing to import."));

      if (skipped[0] != NULL)
        {
          g_autofree char *list = g_strjoinv (", ", (char **) skipped);

          g_string_append_c (text, ' ');
          g_string_append_printf (text, _("Not imported: %s."), list);
        }
      for (guint i = 0; warnings[i] != NULL && i < 3; i++)
        {
          g_string_append_c (text, ' ');
          g_string_append (text, warnings[i]);
        }

      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING, text->str);
      return NULL;
    }

  /* Every document carries where it came from, as the inbox shows it. */
  {
    GPtrArray *documents = rd_intake_result_get_documents (result);
    g_autofree char *notes = rd_intake_result_dup_notes_text (result);

    for (guint i = 0; i < documents->len; i++)
      {
        RdDocument *meta = rd_intake_document_get_metadata (g_ptr_array_index (documents, i));

        g_object_set (meta,
                      "sender", rd_intake_result_get_sender (result),
                      "subject", rd_intake_result_get_subject (result),
                      "received-at", rd_intake_result_get_sent_at (result),
                      "note", notes,
                      NULL);
      }
  }

  return g_steal_pointer (&result);
}
