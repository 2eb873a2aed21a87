/* test-pdf.c — opening PDFs, refusing bad ones, reading their text, the synthetic fax
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-documents.h"
#include "rd-fax-synth.h"
#include "rd-pdf.h"
#include "rd-validate.h"
#include "rd-test-util.h"
#include "documents-test-util.h"

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static RdPdf *
load_sync (GBytes      *bytes,
           const char  *password,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rd_pdf_load_async (bytes, password, NULL, on_loaded, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return rd_pdf_load_finish (result, error);
}

static void
on_text (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static char *
extract_text (RdPdf   *pdf,
              int      page,
              GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rd_pdf_extract_text_async (pdf, page, NULL, on_text, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return rd_pdf_extract_text_finish (pdf, result, error);
}

static void
test_open_synthetic (void)
{
  g_autoptr(GBytes) bytes = rd_fax_synth_generate (11, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPdf) pdf = NULL;
  double w = 0, h = 0;

  pdf = load_sync (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pdf);
  g_assert_cmpuint (rd_pdf_get_n_pages (pdf), ==, 3);
  g_assert_true (rd_pdf_get_page_size (pdf, 2, &w, &h));
  g_assert_cmpfloat_with_epsilon (w, 612, 0.5);
  g_assert_cmpfloat_with_epsilon (h, 792, 0.5);
  g_assert_false (rd_pdf_get_page_size (pdf, 3, &w, &h));
  g_assert_cmpstr (rd_pdf_get_title (pdf), ==, "Referral fax");
  g_assert_true (rd_pdf_get_bytes (pdf) == bytes);
}

static void
test_text_extraction (void)
{
  g_autoptr(RdFaxSynthValues) v = rd_fax_synth_values_new (2024, 4);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPdf) pdf = NULL;
  g_autofree char *first = NULL;
  g_autofree char *all = NULL;
  g_autofree char *footer = NULL;
  const char *expected[] = {
    v->patient_family, v->patient_given, v->dob, v->phone, v->mrn, v->member_id,
    v->npi, v->practice_fax, v->practice_name, v->specialty, v->referring_provider,
  };
  guint form_feeds = 0;

  bytes = rd_fax_synth_render (v, &error);
  g_assert_no_error (error);
  pdf = load_sync (bytes, NULL, &error);
  g_assert_no_error (error);

  first = extract_text (pdf, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (first, expected[i]) == NULL)
      g_error ("value %u of the synthetic fax is not in the text layer of page 1", i);
  for (guint i = 0; v->icd10[i] != NULL; i++)
    g_assert_nonnull (strstr (first, v->icd10[i]));
  g_assert_nonnull (strstr (first, "REFERRAL"));
  g_assert_nonnull (strstr (first, "Page 1/4"));

  all = extract_text (pdf, -1, &error);
  g_assert_no_error (error);
  for (const char *p = all; *p; p++)
    form_feeds += *p == '\f';
  g_assert_cmpuint (form_feeds, ==, 3);
  g_assert_nonnull (strstr (all, "Page 4/4"));
  g_assert_nonnull (strstr (all, "OFFICE VISIT NOTE"));
  g_assert_nonnull (strstr (all, "MEDICATION LIST"));

  footer = extract_text (pdf, 4, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (footer);
}

static void
assert_refused (const char     *data,
                gsize           len,
                const char     *password,
                RdDocumentError code)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPdf) pdf = load_sync (bytes, password, &error);

  g_assert_null (pdf);
  g_assert_error (error, RD_DOCUMENT_ERROR, (int) code);
  /* A message a person can act on: a whole sentence, not Poppler's words. */
  g_assert_cmpuint (strlen (error->message), >, 20);
  g_assert_true (g_str_has_suffix (error->message, "."));
}

static void
test_refuse_not_pdf (void)
{
  static const char text[] = "Dear colleague, please see the patient.\n";
  static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

  assert_refused (text, sizeof text - 1, NULL, RD_DOCUMENT_ERROR_UNSUPPORTED);
  assert_refused (png, sizeof png - 1, NULL, RD_DOCUMENT_ERROR_UNSUPPORTED);
}

static void
test_refuse_empty (void)
{
  assert_refused ("", 0, NULL, RD_DOCUMENT_ERROR_EMPTY);
}

static void
test_refuse_damaged (void)
{
  static const char garbage[] = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n"
                                "this is not a PDF body at all\n%%EOF\n";
  g_autoptr(GBytes) fax = rd_fax_synth_generate (5, 2);
  gsize size;
  const char *data = g_bytes_get_data (fax, &size);

  assert_refused (garbage, sizeof garbage - 1, NULL, RD_DOCUMENT_ERROR_DAMAGED);
  /* Only the header and the first object of a real fax: nothing to show. */
  assert_refused (data, 120, NULL, RD_DOCUMENT_ERROR_DAMAGED);
}

static void
test_refuse_too_large (void)
{
  gsize size = RD_PDF_MAX_BYTES + 1;
  char *data = g_malloc0 (size);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPdf) pdf = NULL;

  memcpy (data, "%PDF-1.4\n", 9);
  bytes = g_bytes_new_take (data, size);
  pdf = load_sync (bytes, NULL, &error);
  g_assert_null (pdf);
  g_assert_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "64 MB"));
}

static void
test_load_cancelled (void)
{
  g_autoptr(GBytes) bytes = rd_fax_synth_generate (3, 2);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPdf) pdf = NULL;

  g_cancellable_cancel (cancellable);
  rd_pdf_load_async (bytes, NULL, cancellable, on_loaded, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  pdf = rd_pdf_load_finish (result, &error);
  g_assert_null (pdf);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_synth_deterministic (void)
{
  g_autoptr(GBytes) a = rd_fax_synth_generate (77, 3);
  g_autoptr(GBytes) b = rd_fax_synth_generate (77, 3);
  g_autoptr(GBytes) c = rd_fax_synth_generate (78, 3);

  g_assert_true (g_bytes_equal (a, b));
  g_assert_false (g_bytes_equal (a, c));
}

static void
test_synth_values_valid (void)
{
  for (guint32 seed = 0; seed < 50; seed++)
    {
      g_autoptr(RdFaxSynthValues) v = rd_fax_synth_values_new (seed, 2);
      g_autoptr(GError) error = NULL;
      g_autofree char *npi = rd_validate_npi (v->npi, &error);
      g_autofree char *phone = NULL;
      g_autofree char *fax = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (npi);
      phone = rd_validate_phone (v->phone, &error);
      g_assert_no_error (error);
      fax = rd_validate_phone (v->practice_fax, &error);
      g_assert_no_error (error);
      g_assert_true (strstr (v->phone, "555-01") != NULL);
      for (guint i = 0; v->icd10[i] != NULL; i++)
        {
          g_autofree char *code = rd_validate_icd10 (v->icd10[i], &error);

          g_assert_no_error (error);
          g_assert_nonnull (code);
        }
      g_assert_cmpuint (strlen (v->dob), ==, 10);
      g_assert_cmpuint (v->n_pages, ==, 2);
    }
}

static void
test_synth_many_pages (void)
{
  g_autoptr(GBytes) bytes = rd_fax_synth_generate (9, 24);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPdf) pdf = load_sync (bytes, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (rd_pdf_get_n_pages (pdf), ==, 24);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/documents/pdf/open-synthetic", test_open_synthetic);
  g_test_add_func ("/documents/pdf/text-extraction", test_text_extraction);
  g_test_add_func ("/documents/pdf/refuse/not-pdf", test_refuse_not_pdf);
  g_test_add_func ("/documents/pdf/refuse/empty", test_refuse_empty);
  g_test_add_func ("/documents/pdf/refuse/damaged", test_refuse_damaged);
  g_test_add_func ("/documents/pdf/refuse/too-large", test_refuse_too_large);
  g_test_add_func ("/documents/pdf/load-cancelled", test_load_cancelled);
  g_test_add_func ("/documents/fax-synth/deterministic", test_synth_deterministic);
  g_test_add_func ("/documents/fax-synth/values-valid", test_synth_values_valid);
  g_test_add_func ("/documents/fax-synth/many-pages", test_synth_many_pages);

  return g_test_run ();
}
