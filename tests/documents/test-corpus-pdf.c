/* test-corpus-pdf.c — every real-world PDF of the shared corpus: shown or refused
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each file is opened as the application does and every page is rendered
 * (at about 100 dpi) through the render queue, with a time budget per page;
 * each file must either show all its pages or be refused with the error a
 * person would see. No file may crash or hang the process.
 */
#include "config.h"

#include <string.h>

#include "rd-documents.h"
#include "rd-page-job.h"
#include "rd-pdf.h"
#include "rd-render-queue.h"
#include "rd-test-util.h"
#include "documents-test-util.h"

#define PAGE_BUDGET_MS 20000
#define SCALE (100.0 / 72.0)

typedef enum {
  EXPECT_OPENS,
  EXPECT_DAMAGED,
  EXPECT_EMPTY_OR_DAMAGED,
  EXPECT_ENCRYPTED,
  EXPECT_UNKNOWN,
} Expect;

static const struct
{
  const char *name;
  Expect      expect;
  const char *password;
  int         n_pages;
} known[] = {
  { "issue6010_1.pdf", EXPECT_ENCRYPTED, "abc", 0 },
  { "empty_protected.pdf", EXPECT_OPENS, NULL, 1 },
  { "bug1020226.pdf", EXPECT_DAMAGED, NULL, 0 },
  { "bug1980958.pdf", EXPECT_DAMAGED, NULL, 0 },
  { "REDHAT-1531897-0.pdf", EXPECT_DAMAGED, NULL, 0 },
  { "poppler-85140-0.pdf", EXPECT_EMPTY_OR_DAMAGED, NULL, 0 },
  { "issue12963.pdf", EXPECT_OPENS, NULL, 8 },
  { "basicapi.pdf", EXPECT_OPENS, NULL, 3 },
  { "TAMReview.pdf", EXPECT_OPENS, NULL, 23 },
  { "issue5747.pdf", EXPECT_OPENS, NULL, 1 },
  { "xref_command_missing.pdf", EXPECT_OPENS, NULL, 1 },
  { "helloworld-bad.pdf", EXPECT_OPENS, NULL, 1 },
  { "issue6069.pdf", EXPECT_OPENS, NULL, 1 },
  { "scan-bad.pdf", EXPECT_OPENS, NULL, 1 },
};

static char *corpus_dir;

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static RdPdf *
load (GBytes      *bytes,
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
on_page (RdRenderJob *job,
         gpointer     user_data)
{
  guint *count = user_data;

  (*count)++;
}

/* Renders every page; returns how many rendered, asserting that the others
 * failed only in a way the viewer can show. */
static guint
render_all (RdPdf *pdf)
{
  RdRenderQueue *queue = rd_pdf_get_render_queue (pdf);
  guint n = rd_pdf_get_n_pages (pdf);
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  guint delivered = 0, ok = 0;

  rd_render_queue_set_time_budget (queue, PAGE_BUDGET_MS);
  for (guint i = 0; i < n; i++)
    {
      RdPageJob *job = rd_page_job_new (i, SCALE, 0, RD_RENDER_PRIORITY_VISIBLE);

      rd_render_queue_push (queue, RD_RENDER_JOB (job), on_page, &delivered, NULL);
      g_ptr_array_add (jobs, job);
    }

  /* Bounded: each page has its budget, plus slack for the watchdog. */
  g_assert_true (dtu_wait_for_count (&delivered, n, n * (PAGE_BUDGET_MS + 2000)));

  for (guint i = 0; i < n; i++)
    {
      RdRenderJob *job = g_ptr_array_index (jobs, i);
      const GError *error = rd_render_job_get_error (job);

      if (error == NULL)
        {
          cairo_surface_t *s = rd_page_job_get_surface (RD_PAGE_JOB (job));
          double w, h;

          g_assert_nonnull (s);
          g_assert_true (rd_pdf_get_page_size (pdf, i, &w, &h));
          g_assert_cmpint (cairo_image_surface_get_width (s), >, 0);
          g_assert_cmpint (cairo_image_surface_get_height (s), >, 0);
          ok++;
        }
      else
        {
          g_assert_true (error->domain == RD_DOCUMENT_ERROR);
          g_test_message ("page %u refused: %s", i + 1, error->message);
        }
    }

  return ok;
}

static void
on_text (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
extract_all_text (RdPdf *pdf)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  rd_pdf_extract_text_async (pdf, -1, NULL, on_text, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  text = rd_pdf_extract_text_finish (pdf, result, &error);
  if (error != NULL)
    g_assert_true (error->domain == RD_DOCUMENT_ERROR);
  else
    g_assert_true (g_utf8_validate (text, -1, NULL));
}

static void
test_file (gconstpointer data)
{
  const char *name = data;
  g_autofree char *path = g_build_filename (corpus_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RdPdf) pdf = NULL;
  Expect expect = EXPECT_UNKNOWN;
  const char *password = NULL;
  int n_pages = 0;
  char *contents = NULL;
  gsize length = 0;

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (strcmp (known[i].name, name) == 0)
      {
        expect = known[i].expect;
        password = known[i].password;
        n_pages = known[i].n_pages;
      }

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  bytes = g_bytes_new_take (contents, length);

  pdf = load (bytes, NULL, &error);

  switch (expect)
    {
    case EXPECT_DAMAGED:
      g_assert_null (pdf);
      g_assert_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_DAMAGED);
      g_assert_nonnull (strstr (error->message, "damaged"));
      return;

    case EXPECT_EMPTY_OR_DAMAGED:
      g_assert_null (pdf);
      g_assert_true (g_error_matches (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_EMPTY)
                     || g_error_matches (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_DAMAGED));
      return;

    case EXPECT_ENCRYPTED:
      g_assert_null (pdf);
      g_assert_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_ENCRYPTED);
      g_assert_nonnull (strstr (error->message, "password"));
      g_clear_error (&error);

      pdf = load (bytes, "not-the-password", &error);
      g_assert_null (pdf);
      g_assert_error (error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_BAD_PASSWORD);
      g_clear_error (&error);

      pdf = load (bytes, password, &error);
      g_assert_no_error (error);
      g_assert_nonnull (pdf);
      g_assert_cmpuint (render_all (pdf), ==, rd_pdf_get_n_pages (pdf));
      extract_all_text (pdf);
      return;

    case EXPECT_OPENS:
      g_assert_no_error (error);
      g_assert_nonnull (pdf);
      if (n_pages > 0)
        g_assert_cmpuint (rd_pdf_get_n_pages (pdf), ==, n_pages);
      g_assert_cmpuint (render_all (pdf), ==, rd_pdf_get_n_pages (pdf));
      extract_all_text (pdf);
      return;

    case EXPECT_UNKNOWN:
    default:
      /* A file this test does not know yet: shown or refused, never a crash. */
      if (pdf == NULL)
        {
          g_assert_true (error->domain == RD_DOCUMENT_ERROR);
          g_test_message ("%s refused: %s", name, error->message);
        }
      else
        {
          render_all (pdf);
          extract_all_text (pdf);
        }
      return;
    }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
test_corpus_present (void)
{
  g_autofree char *dir = rd_test_corpus_dir ("pdf");

  if (dir == NULL)
    return;

  /* Every file the expectations name is in the corpus. */
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      g_autofree char *path = g_build_filename (dir, known[i].name, NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  int status;

  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/corpus/pdf/expected-files", test_corpus_present);

  /* rd_test_corpus_dir() skips the running test when the corpus is absent;
   * here, outside a test, just look. */
  {
    const char *root = g_getenv ("RD_CORPUS_DIR");
    const char *source_root = g_getenv ("RD_SOURCE_ROOT");
    g_autofree char *path = NULL;

    if (root != NULL)
      path = g_build_filename (root, "pdf", NULL);
    else if (source_root != NULL)
      path = g_build_filename (source_root, "..", "shared", "corpus", "pdf", NULL);

    if (path != NULL && g_file_test (path, G_FILE_TEST_IS_DIR))
      corpus_dir = g_steal_pointer (&path);
  }

  if (corpus_dir != NULL && (dir = g_dir_open (corpus_dir, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (name, ".pdf") || g_str_has_suffix (name, ".PDF"))
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);
    }

  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *test_path = g_strdup_printf ("/corpus/pdf/%s", file);

      g_test_add_data_func (test_path, file, test_file);
    }

  status = g_test_run ();
  g_free (corpus_dir);
  return status;
}
