/* test-split-dialog.c — the inbox splits a demo fax, in a real window
 *
 * A six-page synthetic fax waits in the inbox of the person's team. The
 * inbox's Split… action (Ctrl+D on the selected document) opens the
 * dialog; the live check refuses overlapping pages and pages in no part
 * until they are left out on purpose; the second part's referral is found
 * by its number; confirming stores both parts, each filed where it was
 * sent, and the inbox empties. A split that the database refuses leaves
 * everything as it was and says why. Screenshots of each step go to the
 * test's artefacts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "../store/schema-fixture.h"
#include "rd-connection.h"
#include "rd-fax-synth.h"
#include "rd-inbox-view.h"
#include "rd-referral-page.h"
#include "rd-repo-document.h"
#include "rd-split-dialog.h"
#include "rd-test-ui.h"

#define WAIT_MS 30000

typedef struct {
  FxDb         *db;
  char         *queue;
  char         *alice;
  RdConnection *conn;
} World;

static World world;

static gboolean
conn_ready (gpointer data)
{
  return rd_connection_get_state (data) == RD_CONNECTION_STATE_READY ||
         rd_connection_get_error (data) != NULL;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_ready (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static gboolean
set_up_world (void)
{
  g_autofree char *conninfo = NULL;

  if (world.db != NULL)
    return TRUE;
  if ((world.db = fx_db_new ()) == NULL)
    return FALSE;

  world.queue = fx_team (world.db, "Intake");
  world.alice = fx_staff (world.db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  conninfo = rd_test_pg_conninfo (world.db->dbname, world.alice);
  world.conn = rd_connection_new (conninfo);
  rd_connection_open_async (world.conn, NULL, NULL, NULL);
  g_assert_true (rd_test_ui_wait_until (conn_ready, world.conn, WAIT_MS));
  g_assert_null (rd_connection_get_error (world.conn));
  return TRUE;
}

/* A synthetic fax of @n_pages in Alice's inbox; returns its id. */
static gint64
receive_fax (guint32 seed,
             guint   n_pages)
{
  g_autoptr(GBytes) fax = rd_fax_synth_generate (seed, n_pages);
  g_autoptr(RdDocument) draft = rd_document_new ();
  g_autoptr(RdDocument) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("fax-%u.pdf", seed);

  rd_document_set_kind (draft, "fax");
  rd_document_set_file_name (draft, name);
  rd_document_set_media_type (draft, "application/pdf");
  rd_document_set_pages (draft, n_pages);
  rd_document_set_received_via (draft, "fax");
  rd_document_set_queue_id (draft, g_ascii_strtoll (world.queue, NULL, 10));
  rd_repo_document_insert_async (world.conn, draft, fax, NULL, on_done, &result);
  g_assert_true (rd_test_ui_wait_until (result_ready, &result, WAIT_MS));
  stored = rd_repo_document_insert_finish (world.conn, result, NULL, &error);
  g_assert_no_error (error);
  return rd_document_get_id (stored);
}

static GtkWidget *
find_by_name (GtkWidget  *root,
              const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_name (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
part_widget (RdSplitDialog *dialog,
             guint          part,
             const char    *what)
{
  g_autofree char *name = g_strdup_printf ("part-%u-%s", part, what);
  GtkWidget *widget = find_by_name (GTK_WIDGET (dialog), name);

  if (widget == NULL)
    {
      /* The referral search lives in a popover, outside the dialog's tree
       * until it is shown: look from the button. */
      g_autofree char *choose = g_strdup_printf ("part-%u-choose", part);
      GtkWidget *button = find_by_name (GTK_WIDGET (dialog), choose);
      GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));

      widget = find_by_name (GTK_WIDGET (popover), name);
    }
  g_assert_nonnull (widget);
  return widget;
}

static void
set_pages (RdSplitDialog *dialog,
           guint          part,
           guint          from,
           guint          to)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (part_widget (dialog, part, "from")), from);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (part_widget (dialog, part, "to")), to);
}

static gboolean
inbox_count_is (gpointer data)
{
  RdInboxView *inbox = data;

  return rd_inbox_view_get_n_items (inbox) == GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (inbox), "want"));
}

static void
wait_inbox_count (RdInboxView *inbox,
                  guint        n)
{
  g_object_set_data (G_OBJECT (inbox), "want", GUINT_TO_POINTER (n));
  rd_inbox_view_refresh (inbox);
  g_assert_true (rd_test_ui_wait_until (inbox_count_is, inbox, WAIT_MS));
}

static RdSplitDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (RD_IS_SPLIT_DIALOG (w))
        return RD_SPLIT_DIALOG (w);
    }
  return NULL;
}

static gboolean
dialog_open (gpointer data)
{
  RdSplitDialog *dialog = find_dialog ();

  return dialog != NULL && rd_split_dialog_get_n_pages (dialog) > 0;
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
not_busy (gpointer data)
{
  return !rd_split_dialog_get_busy (data);
}

static gboolean
has_results (gpointer data)
{
  return gtk_list_box_get_row_at_index (GTK_LIST_BOX (data), 0) != NULL
         && GTK_IS_LABEL (gtk_list_box_row_get_child (gtk_list_box_get_row_at_index (GTK_LIST_BOX (data), 0)));
}

static gboolean
thumbnail_shown (gpointer data)
{
  GtkWidget *picture = rd_test_ui_find_by_type (GTK_WIDGET (data), GTK_TYPE_PICTURE);

  return picture != NULL && gtk_picture_get_paintable (GTK_PICTURE (picture)) != NULL;
}

static GtkWidget *
template_child (GtkWidget  *root,
                const char *id)
{
  GtkWidget *widget = rd_test_ui_find_by_id (root, id);

  g_assert_nonnull (widget);
  return widget;
}

static void
test_split_two_destinations (void)
{
  GtkWidget *window;
  RdInboxView *inbox;
  RdSplitDialog *dialog;
  GtkWidget *list_box;
  GtkWidget *search;
  GtkWidget *results;
  g_autoptr(GdkTexture) shot = NULL;
  g_autofree char *existing = NULL;
  g_autofree char *number = NULL;
  g_autofree char *fax_id = NULL;
  gint64 id;

  if (!rd_test_ui_init () || !set_up_world ())
    return;

  id = receive_fax (6001, 6);
  fax_id = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  existing = fx_referral (world.db->admin, world.queue, "triage", "Existing");
  {
    g_autoptr(PGresult) res = fx_exec (world.db->admin, "SELECT number FROM rd.referral WHERE id = $1::bigint",
                                       existing, NULL);
    number = g_strdup (PQgetvalue (res, 0, 0));
  }

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  inbox = RD_INBOX_VIEW (rd_inbox_view_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (inbox));
  rd_inbox_view_set_connection (inbox, world.conn);
  gtk_window_present (GTK_WINDOW (window));
  wait_inbox_count (inbox, 1);
  g_assert_true (rd_test_ui_wait_drawn (window, WAIT_MS));
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (window, "split-1-inbox");

  /* Ctrl+D's action on the selected document. */
  list_box = template_child (GTK_WIDGET (inbox), "list_box");
  gtk_list_box_select_row (GTK_LIST_BOX (list_box), gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), 0));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inbox), "inbox.split", NULL));
  g_assert_true (rd_test_ui_wait_until (dialog_open, NULL, WAIT_MS));
  dialog = find_dialog ();
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_cmpuint (rd_split_dialog_get_n_pages (dialog), ==, 6);
  g_assert_cmpuint (rd_split_dialog_get_n_parts (dialog), ==, 2);
  /* The first guess, two halves, is ready to split. */
  g_assert_null (rd_split_dialog_get_problem (dialog));
  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (dialog), WAIT_MS));
  /* The first part's first page, as a thumbnail from the render queue. */
  g_assert_true (rd_test_ui_wait_until (thumbnail_shown, dialog, WAIT_MS));
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (dialog), "split-2-dialog");
  g_assert_true (rd_test_ui_texture_has_content (shot));

  /* Page 3 in both parts: refused, and the Split button is off. */
  set_pages (dialog, 2, 3, 6);
  g_assert_nonnull (rd_split_dialog_get_problem (dialog));
  g_assert_nonnull (strstr (rd_split_dialog_get_problem (dialog), "3"));
  g_assert_false (gtk_widget_get_sensitive (template_child (GTK_WIDGET (dialog), "split_button")));
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (dialog), "split-3-overlap");

  /* Page 4 in no part: refused until it is left out on purpose. */
  set_pages (dialog, 2, 5, 6);
  g_assert_nonnull (rd_split_dialog_get_problem (dialog));
  g_assert_true (gtk_widget_get_visible (template_child (GTK_WIDGET (dialog), "leave_check")));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (template_child (GTK_WIDGET (dialog), "leave_check")), TRUE);
  g_assert_null (rd_split_dialog_get_problem (dialog));

  /* Part 2 to an existing referral, found by its number. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (part_widget (dialog, 2, "destination")), 1);
  g_assert_nonnull (rd_split_dialog_get_problem (dialog));
  g_assert_true (gtk_widget_get_visible (part_widget (dialog, 2, "choose")));
  gtk_menu_button_popup (GTK_MENU_BUTTON (part_widget (dialog, 2, "choose")));
  search = part_widget (dialog, 2, "search");
  results = part_widget (dialog, 2, "results");
  gtk_editable_set_text (GTK_EDITABLE (search), number);
  g_assert_true (rd_test_ui_wait_until (has_results, results, WAIT_MS));
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (dialog), "split-4-search");
  g_signal_emit_by_name (results, "row-activated", gtk_list_box_get_row_at_index (GTK_LIST_BOX (results), 0));
  g_assert_null (rd_split_dialog_get_problem (dialog));
  g_assert_true (gtk_widget_get_sensitive (template_child (GTK_WIDGET (dialog), "split_button")));
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (dialog), "split-5-ready");

  /* Split: the dialog closes, the inbox empties. */
  gtk_widget_activate (template_child (GTK_WIDGET (dialog), "split_button"));
  g_assert_true (rd_test_ui_wait_until (pointer_cleared, &dialog, WAIT_MS));
  wait_inbox_count (inbox, 0);
  rd_test_ui_spin (200);
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (window, "split-6-inbox-after");

  /* Pages 1–3 went to a new referral, pages 5–6 to the existing one. */
  g_assert_cmpint (fx_int (world.db->admin, "SELECT count(*) FROM rd.document WHERE id = $1::bigint AND status = 'split'",
                           fax_id, NULL), ==, 1);
  g_assert_cmpint (fx_int (world.db->admin,
                           "SELECT count(*) FROM rd.document d JOIN rd.referral r ON r.id = d.referral_id"
                           " WHERE d.parent_id = $1::bigint AND d.page_from = 1 AND d.page_to = 3"
                           " AND d.status = 'filed' AND r.status = 'new' AND r.id <> $2::bigint",
                           fax_id, existing, NULL), ==, 1);
  g_assert_cmpint (fx_int (world.db->admin,
                           "SELECT count(*) FROM rd.document d WHERE d.parent_id = $1::bigint"
                           " AND d.page_from = 5 AND d.page_to = 6 AND d.referral_id = $2::bigint",
                           fax_id, existing, NULL), ==, 1);
  g_assert_cmpint (fx_int (world.db->admin, "SELECT count(*) FROM rd.document WHERE parent_id = $1::bigint",
                           fax_id, NULL), ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_split_refused_changes_nothing (void)
{
  GtkWidget *window;
  RdInboxView *inbox;
  RdSplitDialog *dialog;
  GtkWidget *error_label;
  g_autoptr(GdkTexture) shot = NULL;
  g_autofree char *existing = NULL;
  g_autofree char *fax_id = NULL;
  gint64 id, n_new;

  if (!rd_test_ui_init () || !set_up_world ())
    return;

  id = receive_fax (6002, 4);
  n_new = fx_int (world.db->admin, "SELECT count(*) FROM rd.referral WHERE status = 'new'", NULL);
  fax_id = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  existing = fx_referral (world.db->admin, world.queue, "triage", "Closing");

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  inbox = RD_INBOX_VIEW (rd_inbox_view_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (inbox));
  rd_inbox_view_set_connection (inbox, world.conn);
  gtk_window_present (GTK_WINDOW (window));
  wait_inbox_count (inbox, 1);

  dialog = RD_SPLIT_DIALOG (rd_inbox_view_split_document (inbox, id));
  g_assert_nonnull (dialog);
  g_assert_true (rd_test_ui_wait_until (dialog_open, NULL, WAIT_MS));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  /* Pages 1–2 to a new referral, 3–4 to a referral someone cancels meanwhile. */
  rd_split_dialog_remove_parts (dialog);
  rd_split_dialog_add_part (dialog, 1, 2, RD_SPLIT_TO_NEW_REFERRAL);
  rd_split_dialog_add_part (dialog, 3, 4, RD_SPLIT_TO_REFERRAL);
  rd_split_dialog_set_referral (dialog, 1, g_ascii_strtoll (existing, NULL, 10), "Closing");
  g_assert_null (rd_split_dialog_get_problem (dialog));
  PQclear (fx_exec (world.db->admin,
                    "UPDATE rd.referral SET status = 'cancelled', close_reason = 'withdrawn' WHERE id = $1::bigint",
                    existing, NULL));

  /* "clicked" rather than activate: a button's activation clicks it only
   * after its pressed look has shown. */
  g_signal_emit_by_name (template_child (GTK_WIDGET (dialog), "split_button"), "clicked");
  g_assert_true (rd_split_dialog_get_busy (dialog));
  g_assert_true (rd_test_ui_wait_until (not_busy, dialog, WAIT_MS));
  g_assert_nonnull (dialog);
  error_label = template_child (GTK_WIDGET (dialog), "error_label");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "unchanged"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "referral"));
  g_clear_object (&shot);
  shot = rd_test_ui_screenshot (GTK_WIDGET (dialog), "split-7-refused");

  /* Nothing changed: the fax is unfiled, no part, no new referral. */
  g_assert_cmpint (fx_int (world.db->admin, "SELECT count(*) FROM rd.document WHERE id = $1::bigint AND status = 'unfiled'",
                           fax_id, NULL), ==, 1);
  g_assert_cmpint (fx_int (world.db->admin, "SELECT count(*) FROM rd.document WHERE parent_id = $1::bigint",
                           fax_id, NULL), ==, 0);
  g_assert_cmpint (fx_int (world.db->admin, "SELECT count(*) FROM rd.referral WHERE status = 'new'", NULL), ==, n_new);

  /* Cancel closes the dialog; the fax is still in the inbox. */
  gtk_widget_activate (template_child (GTK_WIDGET (dialog), "cancel_button"));
  g_assert_true (rd_test_ui_wait_until (pointer_cleared, &dialog, WAIT_MS));
  wait_inbox_count (inbox, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
on_page_closed (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
widget_visible (gpointer data)
{
  return gtk_widget_get_visible (data);
}

/* The referral page opened on an inbox fax offers Split… too; an
 * untouched page closes once the fax is in parts. */
static void
test_split_from_referral_page (void)
{
  GtkWidget *window;
  RdReferralPage *page;
  RdSplitDialog *dialog;
  GtkWidget *split_button;
  g_autofree char *fax_id = NULL;
  gboolean closed = FALSE;
  gint64 id;

  if (!rd_test_ui_init () || !set_up_world ())
    return;

  id = receive_fax (6003, 4);
  fax_id = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  page = RD_REFERRAL_PAGE (rd_referral_page_new (world.conn));
  g_signal_connect_swapped (page, "closed", G_CALLBACK (on_page_closed), &closed);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  rd_referral_page_open_document (page, id);

  split_button = template_child (GTK_WIDGET (page), "split_button");
  g_assert_true (rd_test_ui_wait_until (widget_visible, split_button, WAIT_MS));
  g_assert_true (gtk_widget_get_visible (template_child (GTK_WIDGET (page), "attach_button")));
  g_signal_emit_by_name (split_button, "clicked");
  g_assert_true (rd_test_ui_wait_until (dialog_open, NULL, WAIT_MS));
  dialog = find_dialog ();
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_cmpuint (rd_split_dialog_get_n_pages (dialog), ==, 4);

  rd_split_dialog_remove_parts (dialog);
  rd_split_dialog_add_part (dialog, 1, 2, RD_SPLIT_TO_NEW_REFERRAL);
  rd_split_dialog_add_part (dialog, 3, 4, RD_SPLIT_TO_NEW_REFERRAL);
  g_assert_null (rd_split_dialog_get_problem (dialog));
  g_signal_emit_by_name (template_child (GTK_WIDGET (dialog), "split_button"), "clicked");
  g_assert_true (rd_test_ui_wait_until (pointer_cleared, &dialog, WAIT_MS));
  g_assert_true (rd_test_ui_wait_until (flag_set, &closed, WAIT_MS));

  g_assert_cmpint (fx_int (world.db->admin, "SELECT count(*) FROM rd.document WHERE parent_id = $1::bigint"
                                            " AND status = 'filed'", fax_id, NULL), ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/ui/split/two-destinations", test_split_two_destinations);
  g_test_add_func ("/ui/split/from-referral-page", test_split_from_referral_page);
  g_test_add_func ("/ui/split/refused-changes-nothing", test_split_refused_changes_nothing);

  return g_test_run ();
}
