/* test-pdf-split.c — page ranges of a PDF made into new PDFs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each new part is opened again with Poppler and compared with the pages
 * it came from: how many, their sizes (rotation included) and their text.
 */
#include "config.h"

#include <string.h>
#include <poppler.h>

#include "rd-documents.h"
#include "rd-fax-synth.h"
#include "rd-pdf-split.h"
#include "rd-test-util.h"
#include "documents-test-util.h"

static PopplerDocument *
open_pdf (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  PopplerDocument *doc = poppler_document_new_from_bytes (bytes, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (doc);
  return doc;
}

static char *
page_text (PopplerDocument *doc,
           int              index)
{
  PopplerPage *page = poppler_document_get_page (doc, index);
  char *text;

  g_assert_nonnull (page);
  text = poppler_page_get_text (page);
  g_object_unref (page);
  return text ? text : g_strdup ("");
}

/* The text without any white space: re-printing may lay out spaces and
 * line breaks differently, never the characters. */
static char *
squeeze (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      g_string_append_unichar (out, g_utf8_get_char (p));
  return g_string_free (out, FALSE);
}

/* How much of @a's characters (as a multiset) are also in @b: real-world
 * files may come back with their text in another reading order. */
static double
shared_fraction (const char *a,
                 const char *b)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  guint total = 0, shared = 0;

  for (const char *p = b; *p != '\0'; p = g_utf8_next_char (p))
    {
      gpointer key = GUINT_TO_POINTER (g_utf8_get_char (p));

      g_hash_table_insert (counts, key,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) + 1));
    }
  for (const char *p = a; *p != '\0'; p = g_utf8_next_char (p))
    {
      gpointer key = GUINT_TO_POINTER (g_utf8_get_char (p));
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));

      total++;
      if (n > 0)
        {
          shared++;
          g_hash_table_insert (counts, key, GUINT_TO_POINTER (n - 1));
        }
    }
  return total > 0 ? (double) shared / total : 1.0;
}

static void
page_size (PopplerDocument *doc,
           int              index,
           double          *w,
           double          *h)
{
  PopplerPage *page = poppler_document_get_page (doc, index);

  g_assert_nonnull (page);
  poppler_page_get_size (page, w, h);
  g_object_unref (page);
}

/* Compares part @part (pages @range of @source) page by page. Returns how
 * many of its pages had text in the source. */
static guint
assert_part_matches (PopplerDocument *source,
                     GBytes          *part,
                     RdPageRange      range,
                     gboolean         exact)
{
  PopplerDocument *doc = open_pdf (part);
  guint with_text = 0;

  g_assert_cmpint (poppler_document_get_n_pages (doc), ==, range.to - range.from + 1);
  for (guint p = range.from; p <= range.to; p++)
    {
      double sw, sh, pw, ph;
      g_autofree char *st = page_text (source, p - 1);
      g_autofree char *pt = page_text (doc, p - range.from);
      g_autofree char *sq = squeeze (st);
      g_autofree char *pq = squeeze (pt);

      page_size (source, p - 1, &sw, &sh);
      page_size (doc, p - range.from, &pw, &ph);
      if (sw >= 1 && sh >= 1 && sw < 1e6 && sh < 1e6)
        {
          g_assert_cmpfloat_with_epsilon (pw, sw, 0.5);
          g_assert_cmpfloat_with_epsilon (ph, sh, 0.5);
        }
      if (*sq != '\0')
        {
          with_text++;
          if (exact)
            g_assert_cmpstr (pq, ==, sq);
          else
            {
              g_test_message ("page %u: %.3f of %zu characters", p, shared_fraction (sq, pq), strlen (sq));
              g_assert_cmpfloat (shared_fraction (sq, pq), >=, 0.95);
            }
        }
    }
  g_object_unref (doc);
  return with_text;
}

static void
assert_split_error (guint               n_pages,
                    const RdPageRange  *ranges,
                    guint               n_ranges,
                    RdPdfSplitError     code)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (rd_page_ranges_check (ranges, n_ranges, n_pages, &error));
  g_assert_error (error, RD_PDF_SPLIT_ERROR, (int) code);
  g_assert_nonnull (error->message);
  g_assert_cmpuint (strlen (error->message), >, 10);
}

static void
test_ranges (void)
{
  const RdPageRange zero[] = { { 0, 2 } };
  const RdPageRange reversed[] = { { 3, 2 } };
  const RdPageRange beyond[] = { { 4, 6 } };
  const RdPageRange overlap[] = { { 1, 3 }, { 5, 5 }, { 3, 4 } };
  const RdPageRange gaps[] = { { 4, 5 }, { 1, 2 } };
  const RdPageRange all[] = { { 1, 5 } };
  g_autoptr(GError) error = NULL;

  assert_split_error (5, NULL, 0, RD_PDF_SPLIT_ERROR_NO_RANGES);
  assert_split_error (5, zero, 1, RD_PDF_SPLIT_ERROR_BAD_RANGE);
  assert_split_error (5, reversed, 1, RD_PDF_SPLIT_ERROR_BAD_RANGE);
  assert_split_error (5, beyond, 1, RD_PDF_SPLIT_ERROR_BAD_RANGE);
  assert_split_error (5, overlap, 3, RD_PDF_SPLIT_ERROR_OVERLAP);

  /* Page 3 left out on purpose, ranges in any order. */
  g_assert_true (rd_page_ranges_check (gaps, 2, 5, &error));
  g_assert_no_error (error);
  g_assert_true (rd_page_ranges_check (all, 1, 5, &error));
  g_assert_no_error (error);
}

static void
test_fax (void)
{
  g_autoptr(GBytes) fax = rd_fax_synth_generate (42, 6);
  const RdPageRange ranges[] = { { 1, 2 }, { 3, 5 } };
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GError) error = NULL;
  PopplerDocument *source;
  g_autofree char *first = NULL;

  parts = rd_pdf_split (fax, NULL, ranges, G_N_ELEMENTS (ranges), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (parts);
  g_assert_cmpuint (parts->len, ==, 2);

  source = open_pdf (fax);
  /* The synthetic fax has text on every page: it must all come through. */
  g_assert_cmpuint (assert_part_matches (source, parts->pdata[0], ranges[0], TRUE), ==, 2);
  g_assert_cmpuint (assert_part_matches (source, parts->pdata[1], ranges[1], TRUE), ==, 3);
  g_object_unref (source);

  /* The second part starts with the fax's third page (its header line). */
  {
    PopplerDocument *doc = open_pdf (parts->pdata[1]);

    first = page_text (doc, 0);
    g_object_unref (doc);
  }
  g_assert_nonnull (strstr (first, "Page 3/6"));

  /* The same pages give the same bytes (stored once by their SHA-256). */
  {
    g_autoptr(GPtrArray) again = rd_pdf_split (fax, NULL, ranges, 1, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (again->pdata[0], parts->pdata[0]));
  }
}

/* A two-page PDF written by hand: page 2 has /Rotate 90. */
static GBytes *
make_rotated_pdf (void)
{
  const char *objects[] = {
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R"
    " /Resources << /Font << /F1 6 0 R >> >> >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Rotate 90 /Contents 7 0 R"
    " /Resources << /Font << /F1 6 0 R >> >> >>",
    NULL, /* contents 5 */
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    NULL, /* contents 7 */
  };
  const char *stream5 = "BT /F1 24 Tf 72 700 Td (Upright page) Tj ET";
  const char *stream7 = "BT /F1 24 Tf 72 700 Td (Sideways page) Tj ET";
  GString *pdf = g_string_new ("%PDF-1.4\n");
  gsize offsets[G_N_ELEMENTS (objects)];
  gsize xref;

  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      offsets[i] = pdf->len;
      g_string_append_printf (pdf, "%u 0 obj\n", i + 1);
      if (objects[i] != NULL)
        g_string_append (pdf, objects[i]);
      else
        {
          const char *s = i == 4 ? stream5 : stream7;

          g_string_append_printf (pdf, "<< /Length %zu >>\nstream\n%s\nendstream", strlen (s), s);
        }
      g_string_append (pdf, "\nendobj\n");
    }
  xref = pdf->len;
  g_string_append_printf (pdf, "xref\n0 %zu\n0000000000 65535 f \n", G_N_ELEMENTS (objects) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    g_string_append_printf (pdf, "%010zu 00000 n \n", offsets[i]);
  g_string_append_printf (pdf, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                          G_N_ELEMENTS (objects) + 1, xref);
  return g_string_free_to_bytes (pdf);
}

static void
test_rotation (void)
{
  g_autoptr(GBytes) pdf = make_rotated_pdf ();
  const RdPageRange ranges[] = { { 2, 2 }, { 1, 1 } };
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GError) error = NULL;
  PopplerDocument *source = open_pdf (pdf);
  PopplerDocument *doc;
  g_autofree char *text = NULL;
  double w, h;

  page_size (source, 1, &w, &h);
  g_assert_cmpfloat (w, ==, 792);
  g_assert_cmpfloat (h, ==, 612);

  parts = rd_pdf_split (pdf, NULL, ranges, G_N_ELEMENTS (ranges), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assert_part_matches (source, parts->pdata[0], ranges[0], TRUE), ==, 1);
  g_assert_cmpuint (assert_part_matches (source, parts->pdata[1], ranges[1], TRUE), ==, 1);

  /* The sideways page stays sideways: landscape, reading the same text. */
  doc = open_pdf (parts->pdata[0]);
  page_size (doc, 0, &w, &h);
  g_assert_cmpfloat_with_epsilon (w, 792, 0.5);
  g_assert_cmpfloat_with_epsilon (h, 612, 0.5);
  text = page_text (doc, 0);
  g_assert_nonnull (strstr (text, "Sideways page"));
  g_object_unref (doc);
  g_object_unref (source);
}

typedef struct
{
  GAsyncResult *result;
  guint         progress_calls;
  guint         last_done;
  guint         last_total;
  gboolean      freed;
} AsyncState;

static void
on_split (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  AsyncState *st = user_data;

  st->result = g_object_ref (result);
}

static void
on_progress (guint    done,
             guint    total,
             gpointer user_data)
{
  AsyncState *st = user_data;

  g_assert_cmpuint (done, >, st->last_done);
  st->progress_calls++;
  st->last_done = done;
  st->last_total = total;
}

static void
on_progress_freed (gpointer user_data)
{
  g_atomic_int_set (&((AsyncState *) user_data)->freed, TRUE);
  /* Often called on the worker: wake the test's main loop. */
  g_main_context_wakeup (NULL);
}

static GPtrArray *
split_async (GBytes            *bytes,
             const RdPageRange *ranges,
             guint              n_ranges,
             GCancellable      *cancellable,
             AsyncState        *st,
             GError           **error)
{
  GPtrArray *parts;

  rd_pdf_split_async (bytes, NULL, ranges, n_ranges, on_progress, st, on_progress_freed,
                      cancellable, on_split, st);
  while (st->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  parts = rd_pdf_split_finish (st->result, error);
  g_clear_object (&st->result);
  /* The worker may hold the task a moment longer; its progress data
   * points at @st, which must outlive it. */
  dtu_wait_for (&st->freed, 5000);
  g_assert_true (st->freed);
  return parts;
}

static void
test_async (void)
{
  g_autoptr(GBytes) fax = rd_fax_synth_generate (7, 5);
  const RdPageRange ranges[] = { { 4, 5 }, { 1, 1 } };
  const RdPageRange bad[] = { { 4, 6 } };
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GBytes) junk = g_bytes_new_static ("not a pdf at all", 16);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  AsyncState st = { 0 };

  parts = split_async (fax, ranges, 2, NULL, &st, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parts->len, ==, 2);
  g_assert_cmpuint (st.progress_calls, ==, 3);
  g_assert_cmpuint (st.last_done, ==, 3);
  g_assert_cmpuint (st.last_total, ==, 3);
  dtu_wait_for (&st.freed, 2000);
  g_assert_true (st.freed);

  /* Checked against the real page count, on the worker. */
  memset (&st, 0, sizeof st);
  g_clear_pointer (&parts, g_ptr_array_unref);
  parts = split_async (fax, bad, 1, NULL, &st, &error);
  g_assert_null (parts);
  g_assert_error (error, RD_PDF_SPLIT_ERROR, RD_PDF_SPLIT_ERROR_BAD_RANGE);
  g_clear_error (&error);

  /* Something that is not a PDF is refused as the viewer refuses it. */
  memset (&st, 0, sizeof st);
  parts = split_async (junk, ranges, 1, NULL, &st, &error);
  g_assert_null (parts);
  g_assert_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* Cancelled before it starts: no parts, no progress. */
  memset (&st, 0, sizeof st);
  g_cancellable_cancel (cancellable);
  parts = split_async (fax, ranges, 2, cancellable, &st, &error);
  g_assert_null (parts);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (st.progress_calls, ==, 0);
}

static void
test_corpus (void)
{
  g_autofree char *dir = rd_test_corpus_dir ("pdf");
  g_autoptr(GDir) d = NULL;
  const char *name;
  guint split_files = 0;
  guint text_pages = 0;

  if (dir == NULL)
    return;

  d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GMappedFile) file = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GPtrArray) parts = NULL;
      g_autoptr(GError) error = NULL;
      PopplerDocument *source;
      RdPageRange ranges[2];
      guint n_ranges;
      int n;

      if (!g_str_has_suffix (name, ".pdf"))
        continue;
      file = g_mapped_file_new (path, FALSE, NULL);
      if (file == NULL)
        continue;
      bytes = g_mapped_file_get_bytes (file);
      source = poppler_document_new_from_bytes (bytes, NULL, NULL);
      if (source == NULL)
        {
          /* Refused files are refused by the split too, with the viewer's message. */
          parts = rd_pdf_split (bytes, NULL, (RdPageRange[]) { { 1, 1 } }, 1, NULL, &error);
          g_assert_null (parts);
          g_assert_true (error->domain == RD_DOCUMENT_ERROR);
          continue;
        }

      n = poppler_document_get_n_pages (source);
      if (n <= 0)
        {
          g_object_unref (source);
          continue;
        }
      /* First page alone, then the rest (the last page left out when there are 3+). */
      ranges[0] = (RdPageRange) { 1, 1 };
      n_ranges = 1;
      if (n >= 2)
        {
          ranges[1] = (RdPageRange) { 2, n >= 3 ? n - 1 : 2 };
          n_ranges = 2;
        }
      parts = rd_pdf_split (bytes, NULL, ranges, n_ranges, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (parts->len, ==, n_ranges);
      for (guint i = 0; i < n_ranges; i++)
        text_pages += assert_part_matches (source, parts->pdata[i], ranges[i], FALSE);
      g_object_unref (source);
      split_files++;
      g_test_message ("%s: %d pages split", name, n);
    }
  g_test_message ("corpus: %u files split, %u pages with text compared", split_files, text_pages);
  g_assert_cmpuint (split_files, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/documents/split/ranges", test_ranges);
  g_test_add_func ("/documents/split/fax", test_fax);
  g_test_add_func ("/documents/split/rotation", test_rotation);
  g_test_add_func ("/documents/split/async", test_async);
  g_test_add_func ("/documents/split/corpus", test_corpus);

  return g_test_run ();
}
