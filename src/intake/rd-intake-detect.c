/* rd-intake-detect.c — recognise what a file is by its content, and parse it
 *
 * Used wherever a person or a script hands over files of unknown kind: the
 * import command, the window's Import… and drag and drop. The name a file
 * came with is never trusted to say what it is; only the bytes are.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-documents.h"
#include "rd-fax-meta.h"
#include "rd-fhir.h"
#include "rd-hl7.h"
#include "rd-intake.h"
#include "rd-intake-detect.h"
#include "rd-mail.h"
#include "rd-pdf.h"
#include "rd-tiff-pdf.h"

static gboolean
looks_like_mail (const char *data,
                 gsize       len)
{
  gsize i = 0;

  /* An mbox "From " line, or a first line "Header-Name: value". */
  if (len >= 5 && memcmp (data, "From ", 5) == 0)
    return TRUE;
  while (i < len && i < 80 && (g_ascii_isalnum (data[i]) || data[i] == '-'))
    i++;
  return i > 0 && i < len && data[i] == ':';
}

/* Readers accept a PDF header anywhere in the first kilobyte. */
static gboolean
find_pdf_header (const char *data,
                 gsize       len)
{
  gsize limit = MIN (len, 1024);

  for (gsize i = 0; i + 5 <= limit; i++)
    if (memcmp (data + i, "%PDF-", 5) == 0)
      return TRUE;
  return FALSE;
}

/**
 * rd_intake_parse_bytes:
 * @bytes: a file's content
 * @file_name: (nullable): its name, only to name the stored document
 * @error: where to put why it cannot be imported
 *
 * Recognises HL7 v2, FHIR JSON, e-mail, PDF and TIFF by content. A TIFF
 * (a fax server's file) gives its sender and time of receipt where its
 * tags say (rd_fax_meta_read()). Blocking: call it from a worker thread.
 *
 * Returns: (transfer full) (nullable): what the file brought in
 */
RdIntakeResult *
rd_intake_parse_bytes (GBytes      *bytes,
                      const char  *file_name,
                      GError     **error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  gsize off = 0;
  const char *media_type = NULL;
  g_autoptr(RdIntakeResult) result = NULL;
  g_autoptr(RdIntakeDocument) doc = NULL;
  g_autofree char *name = NULL;

  if (len == 0)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("The file is empty."));
      return NULL;
    }

  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    off = 3;
  if (len - off >= 3 && memcmp (data + off, "MSH", 3) == 0)
    return rd_hl7_import (bytes, NULL, error);

  {
    gsize j = off;

    while (j < len && g_ascii_isspace (data[j]))
      j++;
    if (j < len && data[j] == '{')
      return rd_fhir_import (bytes, error);
  }

  if (find_pdf_header (data, len))
    {
      g_autoptr(RdPdf) pdf = NULL;
      g_autoptr(GError) local = NULL;

      pdf = rd_pdf_new_from_bytes (bytes, NULL, &local);
      /* A password-protected fax is still a fax: the viewer asks for the
       * password when someone opens it. */
      if (pdf == NULL && !g_error_matches (local, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_ENCRYPTED))
        {
          g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                               _("The PDF is damaged or cut short, so it was not imported. Ask the sender for a new copy."));
          return NULL;
        }
      media_type = "application/pdf";
    }
  else if (len >= 4 && (memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0))
    media_type = "image/tiff";
  else if (looks_like_mail (data, len))
    return rd_mail_import (bytes, error);
  else
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_UNSUPPORTED,
                           _("This is not a kind of file Referral Desk imports: use PDF, TIFF, HL7 v2, FHIR JSON or e-mail (.eml)."));
      return NULL;
    }

  result = rd_intake_result_new ("upload");
  rd_intake_result_set_event (result, RD_INTAKE_EVENT_DOCUMENTS);
  name = rd_intake_sanitize_file_name (file_name, media_type, 1);
  doc = rd_intake_document_new (bytes, name, media_type, "upload");
  g_object_set (rd_intake_document_get_metadata (doc),
                "kind", g_str_equal (media_type, "image/tiff") ? "fax" : "other", NULL);
  rd_intake_result_add_document (result, doc);
  if (g_str_equal (media_type, "image/tiff"))
    {
      /* A PDF of the pages for viewing; the TIFF is kept as it came. */
      guint pages = 0;
      g_autoptr(GBytes) pdf = rd_tiff_to_pdf (bytes, &pages, error);
      g_autofree char *pdf_name = NULL;
      g_autoptr(RdIntakeDocument) pdf_doc = NULL;
      g_autoptr(RdFaxMeta) meta = NULL;

      if (pdf == NULL)
        return NULL;
      /* A TIFF is a fax server's file: its sender and time, where it says. */
      meta = rd_fax_meta_read (bytes, media_type, NULL);
      rd_fax_meta_apply (meta, rd_intake_document_get_metadata (doc));
      pdf_name = rd_intake_sanitize_file_name (file_name, "application/pdf", 2);
      pdf_doc = rd_intake_document_new (pdf, pdf_name, "application/pdf", "upload");
      g_object_set (rd_intake_document_get_metadata (pdf_doc), "kind", "fax", NULL);
      rd_document_set_pages (rd_intake_document_get_metadata (pdf_doc), (int) pages);
      rd_document_set_pages (rd_intake_document_get_metadata (doc), (int) pages);
      rd_fax_meta_apply (meta, rd_intake_document_get_metadata (pdf_doc));
      rd_intake_result_add_document (result, pdf_doc);
    }
  return g_steal_pointer (&result);
}
