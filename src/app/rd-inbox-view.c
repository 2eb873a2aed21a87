/* rd-inbox-view.c — the unfiled documents waiting to become referrals
 *
 * Faxes, scans and e-mail attachments land here until someone files them
 * as a referral. The list refreshes itself when a document changes
 * anywhere (the listener), debounced so a burst of imports refreshes once.
 * A fax holding several referrals is split from here ("Split…", Ctrl+D on
 * the selected document): see RdSplitDialog.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rd-document.h"
#include "rd-inbox-view.h"
#include "rd-repo-document.h"
#include "rd-split-dialog.h"

#define INBOX_LIMIT        500
#define REFRESH_DEBOUNCE_MS 300

struct _RdInboxView
{
  GtkWidget      parent_instance;

  RdConnection  *connection;
  RdListener    *listener;
  GCancellable  *cancellable;
  guint          refresh_id;
  guint          n_items;

  GtkStack        *stack;
  GtkListBox      *list_box;
  AdwStatusPage   *error_page;
  AdwToastOverlay *toast_overlay;
};

enum {
  DOCUMENT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RdInboxView, rd_inbox_view, GTK_TYPE_WIDGET)

static char *
describe (RdDocument *doc)
{
  g_autofree char *when = NULL;
  g_autofree char *pages = NULL;
  const char *sender = rd_document_get_sender (doc);
  const char *via = rd_document_get_received_via (doc);

  if (rd_document_get_received_at (doc) != NULL)
    when = g_date_time_format (rd_document_get_received_at (doc), "%x %H:%M");
  pages = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d page", "%d pages",
                                        rd_document_get_pages (doc)),
                           rd_document_get_pages (doc));

  /* Translators: "fax from +15552013344 · 11/27/26 09:12 · 3 pages" */
  return g_strdup_printf (_("%s from %s · %s · %s"),
                          via ? via : _("document"),
                          sender && *sender ? sender : _("unknown sender"),
                          when ? when : _("unknown time"), pages);
}

static void
on_split_done (RdInboxView *self,
               guint        n_parts)
{
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "The document was split into %u part",
                                                        "The document was split into %u parts",
                                                        n_parts),
                                           n_parts);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
  rd_inbox_view_refresh (self);
}

/**
 * rd_inbox_view_split_document:
 * @self: a #RdInboxView
 * @id: an unfiled document
 *
 * Opens the dialog that splits the document into parts for different
 * referrals; the inbox refreshes when it is done.
 *
 * Returns: (transfer none) (nullable): the dialog, or %NULL when not signed in
 */
GtkWidget *
rd_inbox_view_split_document (RdInboxView *self,
                              gint64       id)
{
  GtkRoot *root;
  RdSplitDialog *dialog;

  g_return_val_if_fail (RD_IS_INBOX_VIEW (self), NULL);

  if (self->connection == NULL || id <= 0)
    return NULL;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = rd_split_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->connection, id);
  g_signal_connect_object (dialog, "split-done", G_CALLBACK (on_split_done), self, G_CONNECT_SWAPPED);
  return GTK_WIDGET (dialog);
}

static void
on_split_button_clicked (GtkButton   *button,
                         RdInboxView *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "document-id"));

  rd_inbox_view_split_document (self, id);
}

static void
split_selected_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  RdInboxView *self = RD_INBOX_VIEW (widget);
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list_box);

  if (row == NULL)
    {
      GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));

      if (focus != NULL)
        row = GTK_LIST_BOX_ROW (gtk_widget_get_ancestor (focus, GTK_TYPE_LIST_BOX_ROW));
    }
  if (row != NULL)
    rd_inbox_view_split_document (self, GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "document-id")));
}

static void
on_row_activated (RdInboxView   *self,
                  GtkListBoxRow *row)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "document-id"));

  g_signal_emit (self, signals[DOCUMENT_ACTIVATED], 0, id);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RdInboxView *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  GtkWidget *child;

  docs = rd_repo_document_list_unfiled_finish (RD_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (docs == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  for (guint i = 0; i < docs->len; i++)
    {
      RdDocument *doc = g_ptr_array_index (docs, i);
      g_autofree char *subtitle = describe (doc);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("x-office-document-symbolic");
      GtkWidget *split = gtk_button_new_with_mnemonic (_("_Split…"));
      g_autofree char *split_label = NULL;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     rd_document_get_file_name (doc)
                                     ? rd_document_get_file_name (doc) : _("Untitled document"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      /* Translators: accessible name of the Split… button of an inbox row */
      split_label = g_strdup_printf (_("Split %s into parts for different referrals"),
                                     rd_document_get_file_name (doc) ? rd_document_get_file_name (doc)
                                                                     : _("Untitled document"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (split), GTK_ACCESSIBLE_PROPERTY_LABEL, split_label, -1);
      gtk_widget_set_tooltip_text (split, _("Split into parts for different referrals (Ctrl+D)"));
      gtk_widget_set_valign (split, GTK_ALIGN_CENTER);
      gtk_widget_set_visible (split, rd_document_get_pages (doc) != 1);
      g_object_set_data (G_OBJECT (split), "document-id",
                         GSIZE_TO_POINTER ((gsize) rd_document_get_id (doc)));
      g_signal_connect (split, "clicked", G_CALLBACK (on_split_button_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), split);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "document-id",
                         GSIZE_TO_POINTER ((gsize) rd_document_get_id (doc)));
      gtk_list_box_append (self->list_box, row);
    }

  self->n_items = docs->len;
  gtk_stack_set_visible_child_name (self->stack, docs->len > 0 ? "list" : "empty");
}

/**
 * rd_inbox_view_refresh:
 * @self: a #RdInboxView
 *
 * Lists the unfiled documents again.
 */
void
rd_inbox_view_refresh (RdInboxView *self)
{
  g_return_if_fail (RD_IS_INBOX_VIEW (self));

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->connection == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (self->n_items == 0)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  rd_repo_document_list_unfiled_async (self->connection, 0, INBOX_LIMIT, self->cancellable,
                                       on_listed, self);
}

static gboolean
refresh_later_cb (gpointer user_data)
{
  RdInboxView *self = user_data;

  self->refresh_id = 0;
  rd_inbox_view_refresh (self);
  return G_SOURCE_REMOVE;
}

static void
on_changed (RdInboxView *self,
            const char  *table,
            gint64       id,
            gint64       version,
            const char  *op)
{
  if (g_strcmp0 (table, "document") != 0 || self->refresh_id != 0)
    return;

  self->refresh_id = g_timeout_add (REFRESH_DEBOUNCE_MS, refresh_later_cb, self);
}

static void
on_resync (RdInboxView *self)
{
  rd_inbox_view_refresh (self);
}

void
rd_inbox_view_set_connection (RdInboxView  *self,
                              RdConnection *connection)
{
  g_return_if_fail (RD_IS_INBOX_VIEW (self));

  if (!g_set_object (&self->connection, connection))
    return;

  self->n_items = 0;
  rd_inbox_view_refresh (self);
}

void
rd_inbox_view_set_listener (RdInboxView *self,
                            RdListener  *listener)
{
  g_return_if_fail (RD_IS_INBOX_VIEW (self));

  if (self->listener != NULL)
    g_signal_handlers_disconnect_by_data (self->listener, self);

  if (!g_set_object (&self->listener, listener) || listener == NULL)
    return;

  g_signal_connect_object (listener, "changed", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (listener, "resync", G_CALLBACK (on_resync), self, G_CONNECT_SWAPPED);
}

guint
rd_inbox_view_get_n_items (RdInboxView *self)
{
  g_return_val_if_fail (RD_IS_INBOX_VIEW (self), 0);

  return self->n_items;
}

static void
rd_inbox_view_dispose (GObject *object)
{
  RdInboxView *self = RD_INBOX_VIEW (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->listener != NULL)
    g_signal_handlers_disconnect_by_data (self->listener, self);
  g_clear_object (&self->listener);
  g_clear_object (&self->connection);

  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_INBOX_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (rd_inbox_view_parent_class)->dispose (object);
}

static void
rd_inbox_view_class_init (RdInboxViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_inbox_view_dispose;

  /**
   * RdInboxView::document-activated:
   * @self: the view
   * @id: the document's id
   */
  signals[DOCUMENT_ACTIVATED] =
    g_signal_new ("document-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-inbox-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RdInboxView, stack);
  gtk_widget_class_bind_template_child (widget_class, RdInboxView, list_box);
  gtk_widget_class_bind_template_child (widget_class, RdInboxView, error_page);
  gtk_widget_class_bind_template_child (widget_class, RdInboxView, toast_overlay);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);

  gtk_widget_class_install_action (widget_class, "inbox.split", NULL, split_selected_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "inbox.split", NULL);
}

static void
rd_inbox_view_init (RdInboxView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
rd_inbox_view_new (void)
{
  return g_object_new (RD_TYPE_INBOX_VIEW, NULL);
}
