/* test-mail.c — the e-mail importer on hand-written messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-mail.h"
#include "rd-intake.h"
#include "rd-test-util.h"

#define PDF_BYTES "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#define TIFF_BYTES "II*\0\x08\0\0\0\0\0"

static char *
b64 (const char *data,
     gsize       len)
{
  return g_base64_encode ((const guchar *) data, len);
}

static RdIntakeResult *
import_text (const char *text,
             GError    **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return rd_mail_import (bytes, error);
}

static gboolean
strv_mentions (const char * const *strv,
               const char         *fragment)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (strstr (strv[i], fragment) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_attachments (void)
{
  g_autofree char *pdf = b64 (PDF_BYTES, sizeof PDF_BYTES - 1);
  g_autofree char *tiff = b64 (TIFF_BYTES, sizeof TIFF_BYTES - 1);
  g_autofree char *text = g_strdup_printf (
    "From: North Clinic <fax@north.example>\r\n"
    "To: intake@desk.example\r\n"
    "Subject: =?UTF-8?Q?Referral_for_J=C3=B6rg?=\r\n"
    "Date: Sat, 01 Mar 2025 08:30:00 -0500\r\n"
    "Message-ID: <abc@north.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"OUTER\"\r\n"
    "\r\n"
    "--OUTER\r\n"
    "Content-Type: multipart/alternative; boundary=\"ALT\"\r\n"
    "\r\n"
    "--ALT\r\n"
    "Content-Type: text/plain; charset=ISO-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Please see the referral for J=F6rg.\r\n"
    "--ALT\r\n"
    "Content-Type: text/html; charset=UTF-8\r\n"
    "\r\n"
    "<p>Please see the referral.</p>\r\n"
    "--ALT--\r\n"
    "--OUTER\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename*=UTF-8''..%%2F..%%2Fhome%%2Fevil%%E2%%80%%AE.pdf\r\n"
    "\r\n"
    "%s\r\n"
    "--OUTER\r\n"
    "Content-Type: application/octet-stream; name=\"scan page 2.TIFF\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "%s\r\n"
    "--OUTER\r\n"
    "Content-Type: application/pdf; name=\"broken.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "aGVsbG8gd29ybGQ=\r\n"
    "--OUTER\r\n"
    "Content-Type: image/png; name=\"logo.png\"\r\n"
    "Content-Disposition: attachment; filename=\"logo.png\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "iVBORw0KGgo=\r\n"
    "--OUTER\r\n"
    "Content-Type: application/pdf; name=\"empty.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "\r\n"
    "--OUTER--\r\n", pdf, tiff);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) result = import_text (text, &error);
  GPtrArray *documents;
  RdIntakeDocument *first, *second;
  RdDocument *meta;
  g_autofree char *date = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpstr (rd_intake_result_get_channel (result), ==, "email");
  g_assert_cmpint (rd_intake_result_get_event (result), ==, RD_INTAKE_EVENT_DOCUMENTS);
  g_assert_cmpstr (rd_intake_result_get_sender (result), ==, "North Clinic <fax@north.example>");
  g_assert_cmpstr (rd_intake_result_get_subject (result), ==, "Referral for Jörg");
  g_assert_cmpstr (rd_intake_result_get_message_id (result), ==, "abc@north.example");
  date = g_date_time_format_iso8601 (rd_intake_result_get_sent_at (result));
  g_assert_cmpstr (date, ==, "2025-03-01T08:30:00-05");

  g_assert_cmpstr (rd_intake_result_get_notes (result)[0], ==, "Please see the referral for Jörg.");
  g_assert_null (rd_intake_result_get_notes (result)[1]);

  documents = rd_intake_result_get_documents (result);
  g_assert_cmpuint (documents->len, ==, 2);
  first = g_ptr_array_index (documents, 0);
  second = g_ptr_array_index (documents, 1);
  /* RFC 2231 decoded, then reduced to a name: no directories, no bidi
   * override that would disguise the extension. */
  g_assert_cmpstr (rd_intake_document_get_file_name (first), ==, "evil.pdf");
  g_assert_cmpstr (rd_intake_document_get_media_type (first), ==, "application/pdf");
  g_assert_cmpuint (g_bytes_get_size (rd_intake_document_get_bytes (first)), ==, sizeof PDF_BYTES - 1);
  g_assert_cmpstr (rd_intake_document_get_file_name (second), ==, "scan page 2.TIFF");
  g_assert_cmpstr (rd_intake_document_get_media_type (second), ==, "image/tiff");

  meta = rd_intake_document_get_metadata (first);
  g_assert_cmpstr (rd_document_get_sender (meta), ==, "North Clinic <fax@north.example>");
  g_assert_cmpstr (rd_document_get_subject (meta), ==, "Referral for Jörg");
  g_assert_cmpstr (rd_document_get_received_via (meta), ==, "email");
  g_assert_cmpstr (rd_document_get_status (meta), ==, "unfiled");
  g_assert_cmpstr (rd_document_get_note (meta), ==, "Please see the referral for Jörg.");
  g_assert_nonnull (rd_document_get_received_at (meta));

  g_assert_true (strv_mentions (rd_intake_result_get_skipped (result), "logo.png (image/png)"));
  g_assert_true (strv_mentions (rd_intake_result_get_warnings (result), "broken.pdf"));
  g_assert_true (strv_mentions (rd_intake_result_get_warnings (result), "empty.pdf"));
}

static void
test_nested (void)
{
  g_autofree char *pdf = b64 (PDF_BYTES, sizeof PDF_BYTES - 1);
  g_autofree char *text = g_strdup_printf (
    "From: a@example.org\n"
    "Subject: Fwd: signed referral\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=A\n"
    "\n"
    "--A\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "From: b@example.org\n"
    "Subject: signed referral\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=S\n"
    "\n"
    "--S\n"
    "Content-Type: multipart/mixed; boundary=M\n"
    "\n"
    "--M\n"
    "Content-Type: text/plain\n"
    "\n"
    "Inner body.\n"
    "--M\n"
    "Content-Type: application/pdf; name=inner.pdf\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "%s\n"
    "--M--\n"
    "--S\n"
    "Content-Type: application/pkcs7-signature; name=smime.p7s\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "MIAGCSqGSIb3DQEHAqCAMIACAQEx\n"
    "--S--\n"
    "--A--\n", pdf);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) result = import_text (text, &error);
  GPtrArray *documents;

  g_assert_no_error (error);
  documents = rd_intake_result_get_documents (result);
  g_assert_cmpuint (documents->len, ==, 1);
  g_assert_cmpstr (rd_intake_document_get_file_name (g_ptr_array_index (documents, 0)), ==, "inner.pdf");
  g_assert_cmpstr (rd_intake_result_get_notes (result)[0], ==, "Inner body.");
  g_assert_true (strv_mentions (rd_intake_result_get_skipped (result), "smime.p7s"));
  /* The outer sender is the one who sent it to us. */
  g_assert_cmpstr (rd_intake_result_get_sender (result), ==, "a@example.org");
}

static void
test_refused (void)
{
  struct { const char *text; int code; const char *fragment; } cases[] = {
    { "", RD_INTAKE_ERROR_MALFORMED, "empty" },
    { "\x01\x02\x03 binary junk without headers", RD_INTAKE_ERROR_MALFORMED, "headers" },
    { "From: a@example.org\nSubject: photo\nMIME-Version: 1.0\n"
      "Content-Type: image/jpeg; name=photo.jpg\nContent-Transfer-Encoding: base64\n\n/9j/4AAQ\n",
      RD_INTAKE_ERROR_MISSING, "photo.jpg (image/jpeg)" },
    { "From: a@example.org\nSubject: text only\n\nJust words.\n",
      RD_INTAKE_ERROR_MISSING, "no PDF" },
    { "From: a@example.org\nMIME-Version: 1.0\nContent-Type: application/pdf; name=x.pdf\n"
      "Content-Transfer-Encoding: base64\n\nbm90IGEgcGRm\n",
      RD_INTAKE_ERROR_MISSING, "x.pdf" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RdIntakeResult) result = import_text (cases[i].text, &error);

      g_assert_null (result);
      g_assert_error (error, RD_INTAKE_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("“%s” does not mention “%s”", error->message, cases[i].fragment);
    }
}

static void
test_limits (void)
{
  g_autoptr(GString) deep = g_string_new ("From: a@example.org\nMIME-Version: 1.0\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) result = NULL;

  /* Nesting far beyond any real message must be refused before GMime
   * recurses into it. */
  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (deep, "Content-Type: multipart/mixed; boundary=b%u\n\n--b%u\n", i, i);
  g_string_append (deep, "Content-Type: text/plain\n\nx\n");

  result = import_text (deep->str, &error);
  g_assert_null (result);
  g_assert_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE);
}

static void
test_no_sender (void)
{
  g_autofree char *pdf = b64 (PDF_BYTES, sizeof PDF_BYTES - 1);
  g_autofree char *text = g_strdup_printf ("Subject: scan\nMIME-Version: 1.0\n"
                                           "Content-Type: application/pdf\n"
                                           "Content-Transfer-Encoding: base64\n\n%s\n", pdf);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) result = import_text (text, &error);

  g_assert_no_error (error);
  g_assert_null (rd_intake_result_get_sender (result));
  g_assert_true (strv_mentions (rd_intake_result_get_warnings (result), "who sent it"));
  /* No name at all: a fallback name with the right extension. */
  g_assert_cmpstr (rd_intake_document_get_file_name (g_ptr_array_index (rd_intake_result_get_documents (result), 0)),
                   ==, "attachment-1.pdf");
}

static void
test_sanitize (void)
{
  struct { const char *in; const char *type; const char *out; } cases[] = {
    { "report.pdf", "application/pdf", "report.pdf" },
    { "C:\\Users\\x\\Desktop\\fax.PDF", "application/pdf", "fax.PDF" },
    { "../../../etc/passwd", "application/pdf", "passwd.pdf" },
    { "..", "application/pdf", "attachment-4.pdf" },
    { ".hidden.pdf", "application/pdf", "hidden.pdf" },
    { "a:b*c?d\"e<f>g|h.pdf", "application/pdf", "a_b_c_d_e_f_g_h.pdf" },
    { "line\nbreak\ttab.tiff", "image/tiff", "linebreaktab.tiff" },
    { "\xe2\x80\xaeplain\xe2\x80\xac.pdf", "application/pdf", "plain.pdf" },
    { "scan", "image/tiff", "scan.tif" },
    { "bad\xff\xfeutf8.pdf", "application/pdf", "bad\xef\xbf\xbd\xef\xbf\xbdutf8.pdf" },
    { NULL, "application/pdf", "attachment-4.pdf" },
    { "   ", NULL, "attachment-4" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = rd_intake_sanitize_file_name (cases[i].in, cases[i].type, 4);

      g_assert_cmpstr (name, ==, cases[i].out);
      g_assert_null (strchr (name, '/'));
      g_assert_null (strchr (name, '\\'));
    }

  {
    g_autoptr(GString) longname = g_string_new (NULL);
    g_autofree char *name = NULL;

    for (guint i = 0; i < 500; i++)
      g_string_append (longname, "é");
    name = rd_intake_sanitize_file_name (longname->str, "application/pdf", 1);
    g_assert_cmpuint (strlen (name), <=, 130);
    g_assert_true (g_str_has_suffix (name, ".pdf"));
    g_assert_true (g_utf8_validate (name, -1, NULL));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/intake/mail/attachments", test_attachments);
  g_test_add_func ("/intake/mail/nested", test_nested);
  g_test_add_func ("/intake/mail/refused", test_refused);
  g_test_add_func ("/intake/mail/limits", test_limits);
  g_test_add_func ("/intake/mail/no-sender", test_no_sender);
  g_test_add_func ("/intake/mail/sanitize-file-name", test_sanitize);

  return g_test_run ();
}
