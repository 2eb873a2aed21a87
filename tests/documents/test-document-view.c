/* test-document-view.c — the faxed pages in a real window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <adwaita.h>

#include "rd-document-view.h"
#include "rd-documents.h"
#include "rd-fax-synth.h"
#include "rd-test-ui.h"
#include "rd-test-util.h"

typedef struct
{
  gboolean  finished;
  GError   *error;
} LoadState;

static void
on_load_finished (RdDocumentView *view,
                  const GError   *error,
                  LoadState      *state)
{
  state->finished = TRUE;
  g_clear_error (&state->error);
  state->error = error ? g_error_copy (error) : NULL;
}

static gboolean
load_finished (gpointer data)
{
  return ((LoadState *) data)->finished;
}

/* Waits for a fresh frame first: the screenshot shows what is on screen. */
static GdkTexture *
shoot (GtkWidget  *window,
       const char *name)
{
  g_assert_true (rd_test_ui_wait_drawn (window, 10000));
  return rd_test_ui_screenshot (window, name);
}

static GtkWidget *
make_window (RdDocumentView **view_out)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = rd_document_view_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 1000);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  *view_out = RD_DOCUMENT_VIEW (view);
  return window;
}

static void
load (RdDocumentView *view,
      GBytes         *bytes,
      LoadState      *state)
{
  state->finished = FALSE;
  g_clear_error (&state->error);
  rd_document_view_set_bytes (view, bytes, "fax.pdf");
  g_assert_true (rd_test_ui_wait_until (load_finished, state, 30000));
}

typedef struct
{
  RdDocumentView *view;
  guint           page;
  gboolean        thumbnail;
} PageWait;

static gboolean
page_rendered (gpointer data)
{
  PageWait *w = data;

  return rd_document_view_page_is_rendered (w->view, w->page, w->thumbnail);
}

static gboolean
current_page_is (gpointer data)
{
  PageWait *w = data;

  return rd_document_view_get_current_page (w->view) == w->page;
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_shows_fax (void)
{
  g_autoptr(GBytes) bytes = rd_fax_synth_generate (606, 6);
  RdDocumentView *view;
  GtkWidget *window = make_window (&view);
  g_autoptr(GdkTexture) shot = NULL;
  LoadState state = { 0 };
  PageWait w = { view, 0, FALSE };
  double zoom;

  g_signal_connect (view, "load-finished", G_CALLBACK (on_load_finished), &state);
  g_assert_true (rd_test_ui_wait_drawn (window, 10000));

  load (view, bytes, &state);
  g_assert_no_error (state.error);
  g_assert_cmpuint (rd_document_view_get_n_pages (view), ==, 6);

  /* The first page arrives, then its thumbnail. */
  g_assert_true (rd_test_ui_wait_until (page_rendered, &w, 30000));
  w.thumbnail = TRUE;
  g_assert_true (rd_test_ui_wait_until (page_rendered, &w, 30000));
  g_assert_cmpint (rd_document_view_get_zoom_mode (view), ==, RD_DOCUMENT_VIEW_ZOOM_FIT_WIDTH);
  /* Fit width in a 900 px window: wider than 72 dpi. */
  g_assert_cmpfloat (rd_document_view_get_zoom (view), >, 1.0);
  rd_test_ui_spin (100);
  shot = shoot (window, "document-view-fax");
  g_assert_true (rd_test_ui_texture_has_content (shot));

  /* Zoom steps, and back to fit. */
  zoom = rd_document_view_get_zoom (view);
  gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-in", NULL);
  g_assert_cmpfloat (rd_document_view_get_zoom (view), >, zoom);
  g_assert_cmpint (rd_document_view_get_zoom_mode (view), ==, RD_DOCUMENT_VIEW_ZOOM_FREE);
  gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-out", NULL);
  gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-out", NULL);
  g_assert_cmpfloat (rd_document_view_get_zoom (view), <, zoom);
  gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-fit-page", NULL);
  g_assert_cmpint (rd_document_view_get_zoom_mode (view), ==, RD_DOCUMENT_VIEW_ZOOM_FIT_PAGE);
  rd_test_ui_spin (200);
  g_assert_cmpfloat (rd_document_view_get_zoom (view), <, zoom);

  /* Keyboard-style navigation to the last page renders it. */
  gtk_widget_activate_action (GTK_WIDGET (view), "view.last-page", NULL);
  w.page = 5;
  w.thumbnail = FALSE;
  g_assert_true (rd_test_ui_wait_until (current_page_is, &w, 10000));
  g_assert_true (rd_test_ui_wait_until (page_rendered, &w, 30000));
  gtk_widget_activate_action (GTK_WIDGET (view), "view.previous-page", NULL);
  w.page = 4;
  g_assert_true (rd_test_ui_wait_until (current_page_is, &w, 10000));
  rd_test_ui_spin (100);
  g_clear_object (&shot);
  shot = shoot (window, "document-view-fit-page-page-5");
  g_assert_true (rd_test_ui_texture_has_content (shot));

  /* A rotation is remembered when the same document comes back. */
  rd_document_view_set_page_rotation (view, 0, 90);
  g_assert_cmpint (rd_document_view_get_page_rotation (view, 0), ==, 90);
  load (view, bytes, &state);
  g_assert_no_error (state.error);
  g_assert_cmpint (rd_document_view_get_page_rotation (view, 0), ==, 90);
  w.page = 0;
  g_assert_true (rd_test_ui_wait_until (page_rendered, &w, 30000));
  rd_test_ui_spin (100);
  g_clear_object (&shot);
  shot = shoot (window, "document-view-rotated");

  g_clear_error (&state.error);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
page_has_message (gpointer data)
{
  PageWait *w = data;

  return rd_document_view_get_page_message (w->view, w->page) != NULL;
}

static void
test_slow_page (void)
{
  g_autoptr(GBytes) bytes = rd_fax_synth_generate (707, 3);
  RdDocumentView *view;
  GtkWidget *window = make_window (&view);
  g_autoptr(GdkTexture) shot = NULL;
  LoadState state = { 0 };
  PageWait w = { view, 0, FALSE };

  g_signal_connect (view, "load-finished", G_CALLBACK (on_load_finished), &state);
  load (view, bytes, &state);
  g_assert_no_error (state.error);

  /* A budget no page can meet at this zoom: the page shows why, in its
   * place, and the view stays usable. */
  rd_render_queue_set_time_budget (rd_document_view_get_render_queue (view), 1);
  rd_document_view_set_zoom (view, 6.0);
  g_assert_true (rd_test_ui_wait_until (page_has_message, &w, 30000));
  g_assert_nonnull (strstr (rd_document_view_get_page_message (view, 0), "too long"));
  g_assert_false (rd_document_view_page_is_rendered (view, 0, FALSE));
  shot = shoot (window, "document-view-slow-page");
  g_assert_true (rd_test_ui_texture_has_content (shot));

  g_clear_error (&state.error);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_damaged (void)
{
  static const char garbage[] = "%PDF-1.4\nthis is not a PDF body\n%%EOF\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (garbage, sizeof garbage - 1);
  RdDocumentView *view;
  GtkWidget *window = make_window (&view);
  g_autoptr(GdkTexture) shot = NULL;
  LoadState state = { 0 };
  AdwStatusPage *status;

  g_signal_connect (view, "load-finished", G_CALLBACK (on_load_finished), &state);
  load (view, bytes, &state);
  g_assert_error (state.error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_DAMAGED);
  g_assert_cmpuint (rd_document_view_get_n_pages (view), ==, 0);

  rd_test_ui_spin (300);
  /* The message is on screen, in place of the pages. */
  status = ADW_STATUS_PAGE (find_descendant (GTK_WIDGET (view), ADW_TYPE_STATUS_PAGE));
  g_assert_nonnull (status);
  shot = shoot (window, "document-view-damaged");
  g_assert_true (rd_test_ui_texture_has_content (shot));

  g_clear_error (&state.error);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_password (void)
{
  g_autofree char *dir = rd_test_corpus_dir ("pdf");
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) shot = NULL;
  g_autoptr(GError) error = NULL;
  RdDocumentView *view;
  GtkWidget *window, *entry;
  LoadState state = { 0 };
  char *contents;
  gsize length;

  if (dir == NULL)
    return;

  path = g_build_filename (dir, "issue6010_1.pdf", NULL);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  bytes = g_bytes_new_take (contents, length);

  window = make_window (&view);
  g_signal_connect (view, "load-finished", G_CALLBACK (on_load_finished), &state);
  load (view, bytes, &state);
  g_assert_error (state.error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_ENCRYPTED);
  rd_test_ui_spin (300);
  shot = shoot (window, "document-view-password");

  entry = find_descendant (GTK_WIDGET (view), GTK_TYPE_PASSWORD_ENTRY);
  g_assert_nonnull (entry);

  state.finished = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (entry), "not-it");
  gtk_widget_activate_action (GTK_WIDGET (view), "view.unlock", NULL);
  g_assert_true (rd_test_ui_wait_until (load_finished, &state, 30000));
  g_assert_error (state.error, RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_BAD_PASSWORD);

  state.finished = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (entry), "abc");
  gtk_widget_activate_action (GTK_WIDGET (view), "view.unlock", NULL);
  g_assert_true (rd_test_ui_wait_until (load_finished, &state, 30000));
  g_assert_no_error (state.error);
  g_assert_cmpuint (rd_document_view_get_n_pages (view), ==, 1);
  /* The password does not linger in the entry. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  if (!rd_test_ui_init ())
    return g_test_run ();

  g_test_add_func ("/ui/document-view/shows-fax", test_shows_fax);
  g_test_add_func ("/ui/document-view/slow-page", test_slow_page);
  g_test_add_func ("/ui/document-view/damaged", test_damaged);
  g_test_add_func ("/ui/document-view/password", test_password);

  return g_test_run ();
}
