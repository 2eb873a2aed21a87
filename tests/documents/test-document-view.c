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
#include "rd-listener.h"
#include "rd-repo-document.h"
#include "rd-repo-rotation.h"
#include "rd-test-ui.h"
#include "rd-test-util.h"
#include "schema-fixture.h"

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

/* Rotations kept in the database (0010) ----------------------------------- */

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ((Waiter *) user_data)->result = g_object_ref (result);
}

static gboolean
waiter_done (gpointer data)
{
  return ((Waiter *) data)->result != NULL;
}

static RdConnection *
connect_as (FxDb       *db,
            const char *login)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (db->dbname, login);
  g_autoptr(RdConnection) conn = rd_connection_new (conninfo);
  g_autoptr(GError) error = NULL;
  Waiter w = { NULL };

  rd_connection_open_async (conn, NULL, on_done, &w);
  g_assert_true (rd_test_ui_wait_until (waiter_done, &w, 30000));
  g_assert_true (rd_connection_open_finish (conn, w.result, &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);
  return g_steal_pointer (&conn);
}

typedef struct
{
  PGconn     *admin;
  const char *sql;
  const char *document_id;
  gint64      expected;
} DbWait;

static gboolean
db_count_is (gpointer data)
{
  DbWait *d = data;

  return fx_int (d->admin, d->sql, d->document_id, NULL) == d->expected;
}

typedef struct
{
  RdDocumentView *view;
  int             rotations[3];
} RotationWait;

static gboolean
rotations_are (gpointer data)
{
  RotationWait *r = data;

  for (guint i = 0; i < G_N_ELEMENTS (r->rotations); i++)
    if (rd_document_view_get_page_rotation (r->view, i) != r->rotations[i])
      return FALSE;
  return TRUE;
}

static gboolean
has_notice (gpointer data)
{
  return rd_document_view_get_notice (data) != NULL;
}

/* Opens @bytes in a new window as the person on @conn. */
static GtkWidget *
open_as (RdConnection    *conn,
         GBytes          *bytes,
         RdDocumentView **view_out,
         LoadState       *state)
{
  GtkWidget *window = make_window (view_out);

  rd_document_view_set_connection (*view_out, conn);
  g_signal_connect (*view_out, "load-finished", G_CALLBACK (on_load_finished), state);
  load (*view_out, bytes, state);
  g_assert_no_error (state->error);
  g_assert_cmpuint (rd_document_view_get_n_pages (*view_out), ==, 3);
  return window;
}

static void
test_rotation_saved (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autoptr(GBytes) bytes = rd_fax_synth_generate (808, 3);
  g_autofree char *queue = NULL;
  g_autofree char *other_queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *carol = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *id_s = NULL;
  g_autoptr(RdConnection) as_alice = NULL;
  g_autoptr(RdConnection) as_carol = NULL;
  g_autoptr(RdConnection) as_bob = NULL;
  g_autoptr(RdDocument) draft = rd_document_new ();
  g_autoptr(RdDocument) stored = NULL;
  g_autoptr(GdkTexture) shot = NULL;
  g_autoptr(GError) error = NULL;
  RdDocumentView *view;
  GtkWidget *window;
  LoadState state = { 0 };
  Waiter w = { NULL };
  gboolean existing = TRUE;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL (run through ./dev env)");
      return;
    }

  queue = fx_team (db, "Intake");
  other_queue = fx_team (db, "Cardiology");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  carol = fx_staff (db, "Carol Clark", RD_STAFF_ROLE_SPECIALIST, "Intake");
  bob = fx_staff (db, "Bob Brown", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  as_alice = connect_as (db, alice);
  as_carol = connect_as (db, carol);
  as_bob = connect_as (db, bob);

  rd_document_set_kind (draft, "fax");
  rd_document_set_media_type (draft, "application/pdf");
  rd_document_set_file_name (draft, "fax.pdf");
  rd_document_set_pages (draft, 3);
  rd_document_set_received_via (draft, "fax");
  rd_document_set_queue_id (draft, g_ascii_strtoll (queue, NULL, 10));
  rd_repo_document_insert_async (as_alice, draft, bytes, NULL, on_done, &w);
  g_assert_true (rd_test_ui_wait_until (waiter_done, &w, 30000));
  stored = rd_repo_document_insert_finish (as_alice, w.result, &existing, &error);
  g_assert_no_error (error);
  g_clear_object (&w.result);
  id_s = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_id (stored));

  /* Alice turns the first page twice with Ctrl+R's action, and the second
   * page once; the saves reach the database. */
  window = open_as (as_alice, bytes, &view, &state);
  gtk_widget_activate_action (GTK_WIDGET (view), "view.rotate-right", NULL);
  gtk_widget_activate_action (GTK_WIDGET (view), "view.rotate-right", NULL);
  rd_document_view_set_page_rotation (view, 1, 90);
  g_assert_cmpint (rd_document_view_get_page_rotation (view, 0), ==, 180);
  {
    DbWait d = { db->admin, "SELECT count(*) FROM rd.page_rotation WHERE document_id = $1::bigint"
                            " AND ((page = 0 AND degrees = 180) OR (page = 1 AND degrees = 90))", id_s, 2 };

    g_assert_true (rd_test_ui_wait_until (db_count_is, &d, 30000));
  }
  g_assert_null (rd_document_view_get_notice (view));
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_error (&state.error);

  /* Meanwhile someone turns the third page (as if on another computer). */
  PQclear (fx_exec (db->admin, "INSERT INTO rd.page_rotation (document_id, page, degrees)"
                    " VALUES ($1::bigint, 2, 270)", id_s, NULL));

  /* Carol, Alice's colleague, opens the document afresh: every page is
   * turned as stored, including the one this process never turned. */
  {
    RotationWait r = { NULL, { 180, 90, 270 } };
    PageWait p = { NULL, 1, FALSE };

    window = open_as (as_carol, bytes, &view, &state);
    r.view = p.view = view;
    g_assert_true (rd_test_ui_wait_until (rotations_are, &r, 30000));
    gtk_widget_activate_action (GTK_WIDGET (view), "view.next-page", NULL);
    g_assert_true (rd_test_ui_wait_until (page_rendered, &p, 30000));
    rd_test_ui_spin (100);
    shot = shoot (window, "document-view-rotations-from-database");
    g_assert_true (rd_test_ui_texture_has_content (shot));
    g_assert_null (rd_document_view_get_notice (view));

    /* While Carol reads, Alice turns the second page again: Carol's open
     * view follows through the change notifications. */
    {
      g_autofree char *conninfo = rd_test_pg_conninfo (db->dbname, carol);
      g_autoptr(RdListener) listener = rd_listener_new (conninfo);
      RotationWait live = { view, { 180, 270, 270 } };

      rd_document_view_set_listener (view, listener);
      rd_listener_start_async (listener, NULL, on_done, &w);
      g_assert_true (rd_test_ui_wait_until (waiter_done, &w, 30000));
      g_assert_true (rd_listener_start_finish (listener, w.result, &error));
      g_assert_no_error (error);
      g_clear_object (&w.result);

      rd_repo_rotation_set_async (as_alice, rd_document_get_sha256 (stored), 1, 270, NULL, on_done, &w);
      g_assert_true (rd_test_ui_wait_until (waiter_done, &w, 30000));
      g_assert_true (rd_repo_rotation_set_finish (as_alice, w.result, &error));
      g_assert_no_error (error);
      g_clear_object (&w.result);
      g_assert_true (rd_test_ui_wait_until (rotations_are, &live, 30000));
      rd_document_view_set_listener (view, NULL);
    }
    gtk_window_destroy (GTK_WINDOW (window));
    g_clear_error (&state.error);
  }

  /* Bob works in another team: he does not see the rotations, and his own
   * turn cannot be saved. He is told quietly and the page stays turned. */
  {
    RotationWait r = { NULL, { 0, 0, 0 } };

    window = open_as (as_bob, bytes, &view, &state);
    r.view = view;
    /* One connection answers in order: once this list is back, the
     * view's own (sent when the document opened) has been handled. */
    {
      g_autoptr(GArray) none = NULL;

      rd_repo_rotation_list_async (as_bob, rd_document_get_sha256 (stored), NULL, on_done, &w);
      g_assert_true (rd_test_ui_wait_until (waiter_done, &w, 30000));
      none = rd_repo_rotation_list_finish (as_bob, w.result, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (none->len, ==, 0);
      g_clear_object (&w.result);
    }
    g_assert_true (rotations_are (&r));
    gtk_widget_activate_action (GTK_WIDGET (view), "view.rotate-left", NULL);
    g_assert_true (rd_test_ui_wait_until (has_notice, view, 30000));
    g_assert_nonnull (strstr (rd_document_view_get_notice (view), "could not be saved"));
    g_assert_cmpint (rd_document_view_get_page_rotation (view, 0), ==, 270);
    g_clear_object (&shot);
    shot = shoot (window, "document-view-rotation-not-saved");
    g_assert_cmpint (fx_int (db->admin, "SELECT degrees FROM rd.page_rotation"
                             " WHERE document_id = $1::bigint AND page = 0", id_s, NULL), ==, 180);
    gtk_window_destroy (GTK_WINDOW (window));
    g_clear_error (&state.error);
  }
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
  g_test_add_func ("/ui/document-view/rotation-saved", test_rotation_saved);

  return g_test_run ();
}
