/* bench-viewer.c — how fast the first faxed page shows, and whether the window stalls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opens a 24-page synthetic fax (or --pdf FILE) in a real RdDocumentView at
 * 100 dpi and measures, each as the median of a few runs:
 *   viewer.first_page_ms      set_bytes() to the first frame showing page 1
 *   viewer.pdftocairo_ms      `pdftocairo -png -r 100 -f 1 -l 1` on the same file
 *   viewer.first_page_ratio   the two divided
 * then scrolls through every page and thumbnail and reports
 *   viewer.max_main_loop_stall_ms   the longest the main loop did not turn
 *   viewer.cache_mb                 the render cache's size at the end (cap 64 MB)
 * Needs a display (./dev bench runs it under Xvfb). Prints figures, and the
 * machine's load average beside them (a loaded machine stalls any main
 * loop); never fails on them. RD_BENCH_RUNS=N changes the number of runs (default 5);
 * RD_BENCH_DEBUG=1 prints each run and every stall over 25 ms.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <adwaita.h>

#include "rd-document-view.h"
#include "rd-fax-synth.h"
#include "rd-render-queue.h"

#define RUNS CLAMP (g_getenv ("RD_BENCH_RUNS") ? atoi (g_getenv ("RD_BENCH_RUNS")) : 5, 1, 64)
/* The probe: a timeout at default priority; how late it fires is the stall. */
#define TICK_MS 5

typedef struct
{
  RdDocumentView *view;
  GtkWidget      *window;
  gboolean        first_page;
  gboolean        painted_after;
  gint64          start;
  gint64          first_visible;
  GHashTable     *pages_seen;
  GHashTable     *thumbs_seen;

  gint64          last_tick;
  gint64          max_gap;

  /* Where frames spend their time (layout + paint of one frame). */
  gint64          frame_start;
  gint64          paint_start;
  gint64          max_frame;
  gint64          max_paint;
} Bench;

static gboolean
timeout_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
spin_until (gboolean *flag,
            guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_flag_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);

  return *flag;
}

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *b)
{
  if (b->first_page && !b->painted_after)
    {
      b->painted_after = TRUE;
      b->first_visible = g_get_monotonic_time ();
    }
}

static void
on_page_rendered (RdDocumentView *view,
                  guint           page,
                  gboolean        thumbnail,
                  Bench          *b)
{
  if (!thumbnail && page == 0)
    b->first_page = TRUE;
  g_hash_table_add (thumbnail ? b->thumbs_seen : b->pages_seen, GUINT_TO_POINTER (page));
}

static void
on_frame_layout (GdkFrameClock *clock,
                 Bench         *b)
{
  b->frame_start = g_get_monotonic_time ();
}

static void
on_frame_paint (GdkFrameClock *clock,
                Bench         *b)
{
  b->paint_start = g_get_monotonic_time ();
}

static void
on_frame_done (GdkFrameClock *clock,
               Bench         *b)
{
  gint64 now = g_get_monotonic_time ();

  if (b->frame_start != 0)
    b->max_frame = MAX (b->max_frame, now - b->frame_start);
  if (b->paint_start != 0)
    b->max_paint = MAX (b->max_paint, now - b->paint_start);
  b->frame_start = b->paint_start = 0;
}

static gboolean
tick_cb (gpointer data)
{
  Bench *b = data;
  gint64 now = g_get_monotonic_time ();

  if (b->last_tick != 0)
    b->max_gap = MAX (b->max_gap, now - b->last_tick - TICK_MS * 1000);
  if (b->last_tick != 0 && now - b->last_tick > 30000 + TICK_MS * 1000 && g_getenv ("RD_BENCH_DEBUG"))
    g_printerr ("gap %.1f ms at %.1f ms, pages %u thumbs %u\n", (now - b->last_tick) / 1000.0 - TICK_MS,
                (now - b->start) / 1000.0, g_hash_table_size (b->pages_seen), g_hash_table_size (b->thumbs_seen));
  b->last_tick = now;

  return G_SOURCE_CONTINUE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_double);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static double
time_pdftocairo (const char *pdf_path,
                 const char *out_dir)
{
  g_autofree char *out = g_build_filename (out_dir, "page", NULL);
  const char *argv[] = { "pdftocairo", "-png", "-r", "100", "-f", "1", "-l", "1", pdf_path, out, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;
  gint64 start = g_get_monotonic_time ();

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                     | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error)
      || !g_spawn_check_wait_status (status, NULL))
    {
      g_printerr ("bench-viewer: pdftocairo failed: %s\n", error ? error->message : "exit status");
      return -1;
    }

  return (g_get_monotonic_time () - start) / 1000.0;
}

static double
time_first_page (Bench  *b,
                 GBytes *bytes)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (b->window);
  gulong id;

  /* An empty view first, so each run opens the document afresh (new
   * worker, empty cache) as happens when a specialist opens a fax. */
  rd_document_view_clear (b->view);
  g_main_context_iteration (NULL, FALSE);
  rd_document_view_set_zoom (b->view, 100.0 / 72.0);

  b->first_page = b->painted_after = FALSE;
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), b);
  b->start = g_get_monotonic_time ();
  rd_document_view_set_bytes (b->view, bytes, "bench.pdf");
  spin_until (&b->painted_after, g_getenv ("RD_BENCH_DEBUG") ? 5000 : 60000);
  g_signal_handler_disconnect (clock, id);

  if (!b->painted_after)
    {
      RdRenderQueue *q = rd_document_view_get_render_queue (b->view);

      g_printerr ("bench-viewer: page 1 not shown after 60 s (pages %u, page 1 texture %d, signal %d, pending %u)\n",
                  rd_document_view_get_n_pages (b->view),
                  rd_document_view_page_is_rendered (b->view, 0, FALSE), b->first_page,
                  q ? rd_render_queue_get_n_pending (q) : 0);
      return -1;
    }

  return (b->first_visible - b->start) / 1000.0;
}

static gboolean
find_scroller (GtkWidget          *widget,
               GtkScrolledWindow **pages,
               GtkScrolledWindow **thumbs)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_SCROLLED_WINDOW (child))
        {
          if (gtk_widget_get_hexpand (child))
            *pages = GTK_SCROLLED_WINDOW (child);
          else
            *thumbs = GTK_SCROLLED_WINDOW (child);
        }
      find_scroller (child, pages, thumbs);
    }

  return *pages != NULL && *thumbs != NULL;
}

typedef struct
{
  Bench *b;
  guint  page;
} PageWait;

static gboolean
page_and_thumb_shown_cb (gpointer data)
{
  PageWait *w = data;

  return rd_document_view_page_is_rendered (w->b->view, w->page, FALSE)
         && rd_document_view_page_is_rendered (w->b->view, w->page, TRUE);
}

static void
scroll_through (Bench *b,
                guint  n_pages)
{
  GtkScrolledWindow *pages = NULL, *thumbs = NULL;
  GtkAdjustment *tv;

  if (!find_scroller (GTK_WIDGET (b->view), &pages, &thumbs))
    return;
  tv = gtk_scrolled_window_get_vadjustment (thumbs);

  /* Page by page, like a specialist reading the fax: go to the next page
   * (as Page Down does), keep the thumbnail strip in step, and wait until
   * the page and its thumbnail are shown. */
  for (guint i = 0; i < n_pages; i++)
    {
      PageWait w = { b, i };
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      double fraction = n_pages > 1 ? (double) i / (n_pages - 1) : 0;

      rd_document_view_go_to_page (b->view, i);
      gtk_adjustment_set_value (tv, fraction * (gtk_adjustment_get_upper (tv) - gtk_adjustment_get_page_size (tv)));
      while (!page_and_thumb_shown_cb (&w) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      if (g_getenv ("RD_BENCH_DEBUG"))
        g_printerr ("page %u shown %d\n", i, page_and_thumb_shown_cb (&w));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *pdf_path = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *tmp_pdf = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) extra = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *env_args = g_getenv ("RD_BENCH_ARGS");
  double first[64], cairo_ms[64], first_ms, pdftocairo_ms;
  RdRenderQueue *queue;
  guint n_pages, tick_id;
  Bench b = { 0 };

  for (int i = 1; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  if (env_args != NULL && *env_args && g_shell_parse_argv (env_args, NULL, &extra, NULL))
    for (guint i = 0; extra[i]; i++)
      g_ptr_array_add (args, extra[i]);
  for (guint i = 0; i < args->len; i++)
    if (g_str_equal (g_ptr_array_index (args, i), "--pdf") && i + 1 < args->len)
      pdf_path = g_strdup (g_ptr_array_index (args, ++i));

  if (!gtk_init_check ())
    {
      g_print ("bench-viewer: no display; run through ./dev bench\n");
      return 0;
    }
  adw_init ();

  tmp_dir = g_dir_make_tmp ("rd-bench-viewer-XXXXXX", &error);
  g_assert_no_error (error);

  if (pdf_path != NULL)
    {
      char *data;
      gsize len;

      if (!g_file_get_contents (pdf_path, &data, &len, &error))
        {
          g_printerr ("bench-viewer: %s\n", error->message);
          return 1;
        }
      bytes = g_bytes_new_take (data, len);
    }
  else
    {
      bytes = rd_fax_synth_generate (2026, 24);
      tmp_pdf = g_build_filename (tmp_dir, "synthetic-fax.pdf", NULL);
      g_file_set_contents (tmp_pdf, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      g_assert_no_error (error);
      pdf_path = g_strdup (tmp_pdf);
    }

  b.window = gtk_window_new ();
  b.view = RD_DOCUMENT_VIEW (rd_document_view_new ());
  b.pages_seen = g_hash_table_new (NULL, NULL);
  b.thumbs_seen = g_hash_table_new (NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (b.window), 1100, 1000);
  gtk_window_set_child (GTK_WINDOW (b.window), GTK_WIDGET (b.view));
  g_signal_connect (b.view, "page-rendered", G_CALLBACK (on_page_rendered), &b);
  gtk_window_present (GTK_WINDOW (b.window));
  {
    gboolean mapped = FALSE;
    g_timeout_add (300, timeout_flag_cb, &mapped);
    spin_until (&mapped, 1000);
  }

  g_print ("# bench-viewer: %s, %" G_GSIZE_FORMAT " bytes, GSK_RENDERER=%s\n",
           tmp_pdf ? "synthetic 24-page fax (seed 2026)" : pdf_path, g_bytes_get_size (bytes),
           g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");
  g_print ("# command: pdftocairo -png -r 100 -f 1 -l 1 %s OUT\n", pdf_path);

  /* One warm-up of each, so neither pays for cold caches alone. */
  time_pdftocairo (pdf_path, tmp_dir);
  time_first_page (&b, bytes);
  for (int i = 0; i < RUNS; i++)
    {
      cairo_ms[i] = time_pdftocairo (pdf_path, tmp_dir);
      first[i] = time_first_page (&b, bytes);
      if (g_getenv ("RD_BENCH_DEBUG"))
        g_printerr ("run %d: viewer %.1f ms, pdftocairo %.1f ms\n", i, first[i], cairo_ms[i]);
    }
  first_ms = median (first, RUNS);
  pdftocairo_ms = median (cairo_ms, RUNS);

  /* The stall: everything from opening to every page and thumbnail shown. */
  rd_document_view_clear (b.view);
  g_hash_table_remove_all (b.pages_seen);
  g_hash_table_remove_all (b.thumbs_seen);
  tick_id = g_timeout_add_full (G_PRIORITY_DEFAULT, TICK_MS, tick_cb, &b, NULL);
  b.last_tick = 0;
  b.max_gap = 0;
  {
    GdkFrameClock *clock = gtk_widget_get_frame_clock (b.window);
    gulong layout_id = g_signal_connect (clock, "layout", G_CALLBACK (on_frame_layout), &b);
    gulong done_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_frame_done), &b);
    gulong paint_id = g_signal_connect (clock, "paint", G_CALLBACK (on_frame_paint), &b);

    time_first_page (&b, bytes);
    n_pages = rd_document_view_get_n_pages (b.view);
    scroll_through (&b, n_pages);
    g_signal_handler_disconnect (clock, layout_id);
    g_signal_handler_disconnect (clock, done_id);
    g_signal_handler_disconnect (clock, paint_id);
  }
  g_source_remove (tick_id);
  queue = rd_document_view_get_render_queue (b.view);

  {
    g_autofree char *loadavg = NULL;

    /* Stalls grow with the machine's load (the main thread waits for a
     * CPU): say what it was. */
    if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
      {
        g_auto(GStrv) fields = g_strsplit (loadavg, " ", 4);

        if (g_strv_length (fields) >= 3)
          g_print ("# load average (1, 5, 15 min): %s %s %s on %u cores\n",
                   fields[0], fields[1], fields[2], g_get_num_processors ());
      }
  }
  g_print ("# pages %u, pages shown %u, thumbnails shown %u\n", n_pages,
           g_hash_table_size (b.pages_seen), g_hash_table_size (b.thumbs_seen));
  g_print ("# longest frame drawn by GTK (renderer %s): %.1f ms, of which painting %.1f ms\n",
           g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default",
           b.max_frame / 1000.0, b.max_paint / 1000.0);
  g_print ("viewer.first_page_ms = %.1f\n", first_ms);
  g_print ("viewer.pdftocairo_ms = %.1f\n", pdftocairo_ms);
  g_print ("viewer.first_page_ratio = %.2f\n", pdftocairo_ms > 0 ? first_ms / pdftocairo_ms : -1);
  g_print ("viewer.max_main_loop_stall_ms = %.1f\n", b.max_gap / 1000.0);
  g_print ("viewer.cache_mb = %.1f\n", queue ? rd_render_queue_get_cache_size (queue) / (1024.0 * 1024.0) : 0);

  gtk_window_destroy (GTK_WINDOW (b.window));
  g_hash_table_unref (b.pages_seen);
  g_hash_table_unref (b.thumbs_seen);
  if (tmp_pdf != NULL)
    g_unlink (tmp_pdf);
  {
    g_autofree char *png = g_build_filename (tmp_dir, "page-01.png", NULL);
    g_autofree char *png2 = g_build_filename (tmp_dir, "page-1.png", NULL);
    g_unlink (png);
    g_unlink (png2);
  }
  g_rmdir (tmp_dir);

  return 0;
}
