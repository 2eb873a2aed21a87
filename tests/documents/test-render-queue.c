/* test-render-queue.c — the worker, priorities, cancelling, the cache, the time budget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-documents.h"
#include "rd-fax-synth.h"
#include "rd-page-job.h"
#include "rd-pdf.h"
#include "rd-render-queue.h"
#include "rd-text-job.h"
#include "rd-test-util.h"
#include "documents-test-util.h"

#define WAIT_MS 60000

static RdPdf *
open_fax (guint32 seed,
          guint   n_pages)
{
  g_autoptr(GBytes) bytes = rd_fax_synth_generate (seed, n_pages);
  g_autoptr(GError) error = NULL;
  RdPdf *pdf = rd_pdf_new_from_bytes (bytes, NULL, &error);

  g_assert_no_error (error);
  return pdf;
}

typedef struct
{
  GPtrArray *delivered;  /* RdRenderJob, in delivery order */
  guint      count;
} Collector;

static void
collector_init (Collector *c)
{
  c->delivered = g_ptr_array_new_with_free_func (g_object_unref);
  c->count = 0;
}

static void
collector_clear (Collector *c)
{
  g_clear_pointer (&c->delivered, g_ptr_array_unref);
}

static void
on_delivered (RdRenderJob *job,
              gpointer     user_data)
{
  Collector *c = user_data;

  g_ptr_array_add (c->delivered, g_object_ref (job));
  c->count++;
}

static RdRenderJob *
push_page (RdRenderQueue    *queue,
           Collector        *c,
           int               page,
           double            scale,
           int               rotation,
           RdRenderPriority  priority)
{
  RdRenderJob *job = RD_RENDER_JOB (rd_page_job_new (page, scale, rotation, priority));

  rd_render_queue_push (queue, job, on_delivered, c, NULL);
  return job;
}

static guint
count_dark (cairo_surface_t *surface,
            int              y0,
            int              y1)
{
  const guchar *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  int width = cairo_image_surface_get_width (surface);
  guint n = 0;

  for (int y = y0; y < y1; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 px = *(const guint32 *) (data + y * stride + x * 4);

        if ((px & 0xff) < 0x80)
          n++;
      }

  return n;
}

static void
wait_for_workers_to_end (void)
{
  gint64 until = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (rd_render_queue_count_live_workers () > 0 && g_get_monotonic_time () < until)
    g_usleep (10000);
  g_assert_cmpuint (rd_render_queue_count_live_workers (), ==, 0);
}

static void
test_render_page (void)
{
  g_autoptr(RdPdf) pdf = open_fax (21, 2);
  RdRenderQueue *queue = rd_pdf_get_render_queue (pdf);
  g_autoptr(RdRenderJob) job = NULL;
  cairo_surface_t *surface;
  Collector c;
  int h;

  collector_init (&c);
  job = push_page (queue, &c, 0, 1.0, 0, RD_RENDER_PRIORITY_VISIBLE);
  /* Never delivered from inside push. */
  g_assert_cmpuint (c.count, ==, 0);
  g_assert_true (dtu_wait_for_count (&c.count, 1, WAIT_MS));

  g_assert_null (rd_render_job_get_error (job));
  surface = rd_page_job_get_surface (RD_PAGE_JOB (job));
  g_assert_nonnull (surface);
  g_assert_cmpint (cairo_image_surface_get_format (surface), ==, CAIRO_FORMAT_ARGB32);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 612);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, 792);
  h = cairo_image_surface_get_height (surface);
  /* Ink on the page: the form, and the fax header line at the very top. */
  g_assert_cmpuint (count_dark (surface, 0, h), >, 5000);
  g_assert_cmpuint (count_dark (surface, 0, 20), >, 300);
  g_assert_false (rd_render_job_get_from_cache (job));
  g_assert_cmpint (rd_render_job_get_run_time_us (job), >, 0);

  collector_clear (&c);
  g_clear_object (&pdf);
  wait_for_workers_to_end ();
}

static void
test_rotation (void)
{
  g_autoptr(RdPdf) pdf = open_fax (22, 1);
  RdRenderQueue *queue = rd_pdf_get_render_queue (pdf);
  g_autoptr(RdRenderJob) r0 = NULL, r90 = NULL, r180 = NULL, r270 = NULL;
  cairo_surface_t *s;
  Collector c;

  collector_init (&c);
  r0 = push_page (queue, &c, 0, 0.5, 0, RD_RENDER_PRIORITY_VISIBLE);
  r90 = push_page (queue, &c, 0, 0.5, 90, RD_RENDER_PRIORITY_VISIBLE);
  r180 = push_page (queue, &c, 0, 0.5, 180, RD_RENDER_PRIORITY_VISIBLE);
  r270 = push_page (queue, &c, 0, 0.5, -90, RD_RENDER_PRIORITY_VISIBLE);
  g_assert_true (dtu_wait_for_count (&c.count, 4, WAIT_MS));

  g_assert_cmpint (rd_page_job_get_rotation (RD_PAGE_JOB (r270)), ==, 270);
  s = rd_page_job_get_surface (RD_PAGE_JOB (r90));
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 396);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 306);
  s = rd_page_job_get_surface (RD_PAGE_JOB (r270));
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 396);

  /* Upside down, the fax header line is at the bottom. */
  s = rd_page_job_get_surface (RD_PAGE_JOB (r0));
  g_assert_cmpuint (count_dark (s, 0, 10), >, 4 * count_dark (s, 386, 396));
  s = rd_page_job_get_surface (RD_PAGE_JOB (r180));
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 306);
  g_assert_cmpuint (count_dark (s, 386, 396), >, 4 * count_dark (s, 0, 10));

  collector_clear (&c);
}

static void
test_priority (void)
{
  g_autoptr(RdPdf) pdf = open_fax (23, 12);
  RdRenderQueue *queue = rd_pdf_get_render_queue (pdf);
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(RdRenderJob) visible = NULL;
  gint visible_at = -1, first_neighbour_at = -1, last_thumbnail_at = -1;
  Collector c;

  collector_init (&c);
  for (int i = 0; i < 6; i++)
    g_ptr_array_add (jobs, push_page (queue, &c, i, 1.0, 0, RD_RENDER_PRIORITY_NEIGHBOUR));
  for (int i = 0; i < 12; i++)
    g_ptr_array_add (jobs, push_page (queue, &c, i, 0.25, 0, RD_RENDER_PRIORITY_THUMBNAIL));
  visible = push_page (queue, &c, 7, 1.5, 0, RD_RENDER_PRIORITY_VISIBLE);

  g_assert_true (dtu_wait_for_count (&c.count, 19, WAIT_MS));

  for (guint i = 0; i < c.delivered->len; i++)
    {
      RdRenderJob *job = g_ptr_array_index (c.delivered, i);

      if (job == visible)
        visible_at = i;
      else if (rd_render_job_get_priority (job) == RD_RENDER_PRIORITY_NEIGHBOUR && first_neighbour_at < 0 && i > 0)
        first_neighbour_at = i;
      else if (rd_render_job_get_priority (job) == RD_RENDER_PRIORITY_THUMBNAIL)
        last_thumbnail_at = i;
    }

  /* The worker may have taken the first job before the others arrived;
   * after that the visible page goes first, then every thumbnail, then
   * the neighbours queued before all of them. */
  g_assert_cmpint (visible_at, >=, 0);
  g_assert_cmpint (visible_at, <=, 1);
  g_assert_cmpint (first_neighbour_at, >, last_thumbnail_at);

  collector_clear (&c);
}

static void
test_cancel (void)
{
  g_autoptr(RdPdf) pdf = open_fax (24, 6);
  RdRenderQueue *queue = rd_pdf_get_render_queue (pdf);
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(RdRenderJob) late = NULL;
  g_autoptr(RdRenderJob) marker = NULL;
  gint64 until;
  Collector c;

  collector_init (&c);
  for (int i = 0; i < 6; i++)
    g_ptr_array_add (jobs, push_page (queue, &c, i, 0.6, 0, RD_RENDER_PRIORITY_VISIBLE));
  for (int i = 1; i < 6; i += 2)
    rd_render_job_cancel (g_ptr_array_index (jobs, i));
  g_assert_true (dtu_wait_for_count (&c.count, 3, WAIT_MS));

  /* A job cancelled after the worker finished it, while its result waits
   * for the main loop, is not delivered either. */
  late = push_page (queue, &c, 0, 0.7, 90, RD_RENDER_PRIORITY_VISIBLE);
  until = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (rd_render_queue_get_n_pending (queue) > 0 && g_get_monotonic_time () < until)
    g_usleep (5000);
  g_assert_cmpuint (rd_render_queue_get_n_pending (queue), ==, 0);
  rd_render_job_cancel (late);
  g_assert_true (rd_render_job_is_cancelled (late));

  marker = push_page (queue, &c, 1, 0.3, 0, RD_RENDER_PRIORITY_VISIBLE);
  g_assert_true (dtu_wait_for_count (&c.count, 4, WAIT_MS));
  /* Give any stray delivery a chance to show up. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_cmpuint (c.count, ==, 4);
  for (guint i = 0; i < c.delivered->len; i++)
    {
      RdRenderJob *job = g_ptr_array_index (c.delivered, i);

      g_assert_false (rd_render_job_is_cancelled (job));
      g_assert_true (job != late);
    }
  g_assert_true (g_ptr_array_index (c.delivered, 3) == marker);

  collector_clear (&c);
}

static void
test_cache_cap (void)
{
  g_autoptr(RdPdf) pdf = open_fax (25, 8);
  RdRenderQueue *queue = rd_pdf_get_render_queue (pdf);
  gsize page_bytes = 612 * 4 * 792;
  gsize cap = 3 * page_bytes + page_bytes / 2;
  Collector c;

  collector_init (&c);
  g_assert_cmpuint (rd_render_queue_get_cache_cap (queue), ==, RD_RENDER_QUEUE_DEFAULT_CACHE_CAP);
  rd_render_queue_set_cache_cap (queue, cap);

  for (int i = 0; i < 8; i++)
    {
      g_autoptr(RdRenderJob) job = push_page (queue, &c, i, 1.0, 0, RD_RENDER_PRIORITY_VISIBLE);

      g_assert_true (dtu_wait_for_count (&c.count, i + 1, WAIT_MS));
      g_assert_null (rd_render_job_get_error (job));
      g_assert_cmpuint (rd_render_queue_get_cache_size (queue), <=, cap);
    }
  g_assert_cmpuint (rd_render_queue_get_cache_count (queue), ==, 3);
  g_assert_cmpuint (rd_render_queue_get_cache_size (queue), ==, 3 * page_bytes);

  /* The most recent page comes from the cache, the first one was evicted. */
  {
    g_autoptr(RdRenderJob) again = push_page (queue, &c, 7, 1.0, 0, RD_RENDER_PRIORITY_VISIBLE);
    g_autoptr(RdRenderJob) evicted = push_page (queue, &c, 0, 1.0, 0, RD_RENDER_PRIORITY_VISIBLE);
    g_autoptr(RdRenderJob) other_scale = push_page (queue, &c, 6, 0.5, 0, RD_RENDER_PRIORITY_VISIBLE);

    g_assert_true (dtu_wait_for_count (&c.count, 11, WAIT_MS));
    g_assert_true (rd_render_job_get_from_cache (again));
    g_assert_nonnull (rd_page_job_get_surface (RD_PAGE_JOB (again)));
    g_assert_false (rd_render_job_get_from_cache (evicted));
    g_assert_false (rd_render_job_get_from_cache (other_scale));
    g_assert_cmpuint (rd_render_queue_get_cache_size (queue), <=, cap);
  }

  /* Lowering the cap trims at once. */
  rd_render_queue_set_cache_cap (queue, page_bytes + 1);
  g_assert_cmpuint (rd_render_queue_get_cache_size (queue), <=, page_bytes + 1);
  rd_render_queue_clear_cache (queue);
  g_assert_cmpuint (rd_render_queue_get_cache_size (queue), ==, 0);
  g_assert_cmpuint (rd_render_queue_get_cache_count (queue), ==, 0);

  collector_clear (&c);
}

static void
test_time_budget (void)
{
  g_autoptr(RdPdf) pdf = open_fax (26, 3);
  RdRenderQueue *queue = rd_pdf_get_render_queue (pdf);
  g_autoptr(RdRenderJob) slow = NULL;
  g_autoptr(RdRenderJob) next = NULL;
  g_autoptr(RdRenderJob) again = NULL;
  g_autoptr(RdRenderJob) text = NULL;
  Collector c;

  collector_init (&c);

  /* A budget far below what a big page takes: the job is reported as timed
   * out while Poppler is still drawing it. */
  rd_render_queue_set_time_budget (queue, 1);
  slow = push_page (queue, &c, 0, 6.0, 0, RD_RENDER_PRIORITY_VISIBLE);
  g_assert_true (dtu_wait_for_count (&c.count, 1, WAIT_MS));
  g_assert_error ((GError *) rd_render_job_get_error (slow), RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_TIMEOUT);
  g_assert_null (rd_page_job_get_surface (RD_PAGE_JOB (slow)));

  /* The other pages go on, on a fresh worker. */
  rd_render_queue_set_time_budget (queue, 0);
  next = push_page (queue, &c, 1, 0.5, 0, RD_RENDER_PRIORITY_VISIBLE);
  text = RD_RENDER_JOB (rd_text_job_new (2, RD_RENDER_PRIORITY_BACKGROUND));
  rd_render_queue_push (queue, text, on_delivered, &c, NULL);
  g_assert_true (dtu_wait_for_count (&c.count, 3, WAIT_MS));
  g_assert_null (rd_render_job_get_error (next));
  g_assert_nonnull (rd_page_job_get_surface (RD_PAGE_JOB (next)));
  g_assert_null (rd_render_job_get_error (text));
  g_assert_nonnull (strstr (rd_text_job_get_text (RD_TEXT_JOB (text)), "Page 3/3"));

  /* The page that timed out is not tried again. */
  again = push_page (queue, &c, 0, 0.5, 0, RD_RENDER_PRIORITY_VISIBLE);
  g_assert_true (dtu_wait_for_count (&c.count, 4, WAIT_MS));
  g_assert_error ((GError *) rd_render_job_get_error (again), RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_TIMEOUT);

  collector_clear (&c);
  g_clear_object (&pdf);
  /* The abandoned worker finishes its page and leaves by itself. */
  wait_for_workers_to_end ();
}

static void
test_out_of_range (void)
{
  g_autoptr(RdPdf) pdf = open_fax (27, 1);
  RdRenderQueue *queue = rd_pdf_get_render_queue (pdf);
  g_autoptr(RdRenderJob) job = NULL;
  Collector c;

  collector_init (&c);
  job = push_page (queue, &c, 5, 1.0, 0, RD_RENDER_PRIORITY_VISIBLE);
  g_assert_true (dtu_wait_for_count (&c.count, 1, WAIT_MS));
  g_assert_error ((GError *) rd_render_job_get_error (job), RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_DAMAGED);
  collector_clear (&c);
}

static void
test_dispose_with_pending (void)
{
  g_autoptr(RdPdf) pdf = open_fax (28, 6);
  RdRenderQueue *queue = rd_pdf_get_render_queue (pdf);
  Collector c;

  collector_init (&c);
  for (int i = 0; i < 6; i++)
    g_object_unref (push_page (queue, &c, i, 1.0, 0, RD_RENDER_PRIORITY_VISIBLE));

  /* Dropping the document drops its jobs: no callback after that. */
  g_clear_object (&pdf);
  wait_for_workers_to_end ();
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (c.count, ==, 0);
  collector_clear (&c);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/documents/render-queue/render-page", test_render_page);
  g_test_add_func ("/documents/render-queue/rotation", test_rotation);
  g_test_add_func ("/documents/render-queue/priority", test_priority);
  g_test_add_func ("/documents/render-queue/cancel", test_cancel);
  g_test_add_func ("/documents/render-queue/cache-cap", test_cache_cap);
  g_test_add_func ("/documents/render-queue/time-budget", test_time_budget);
  g_test_add_func ("/documents/render-queue/out-of-range", test_out_of_range);
  g_test_add_func ("/documents/render-queue/dispose-with-pending", test_dispose_with_pending);

  return g_test_run ();
}
