/* rd-sidebar.c — my work, next referral, inbox, my queues and the watch lists, with live counts
 *
 * The rows stay put while the counts change (the selection is never lost);
 * queue rows come and go only when the person's queues do. All numbers come
 * from one RdQueueCounts query, run as the person (row-level security).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

/* Translatable strings use PRId64/PRIu64: xgettext understands them, not G_GINT64_FORMAT. */
#include <inttypes.h>
#include <glib/gi18n.h>

#include "rd-sidebar.h"

struct _RdSidebar
{
  GtkWidget      parent_instance;

  GtkListBox    *list_box;

  RdQueueCounts *counts;
  GtkWidget     *my_work_row;
  GtkWidget     *next_row;
  GtkWidget     *inbox_row;
  GtkWidget     *queues_header;
  GtkWidget     *watch_header;
  GtkWidget     *overdue_row;
  GtkWidget     *urgent_row;
  GtkWidget     *closed_row;
  GHashTable    *queue_rows;    /* gint64* queue id → GtkListBoxRow* */
};

G_DEFINE_FINAL_TYPE (RdSidebar, rd_sidebar, GTK_TYPE_WIDGET)

enum {
  QUERY_SELECTED,
  INBOX_SELECTED,
  NEXT_REFERRAL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  GtkLabel *title;
  GtkLabel *total;
  GtkLabel *overdue;
  GtkLabel *urgent;
} RowParts;

static GtkWidget *
make_row (RdSidebar   *self,
          const char  *icon,
          const char  *title,
          RdCountKind  kind,
          gint64       queue_id,
          gboolean     with_counts)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new (title);
  RowParts *parts = g_new0 (RowParts, 1);

  gtk_widget_set_margin_top (box, 2);
  gtk_widget_set_margin_bottom (box, 2);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (icon));
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  parts->title = GTK_LABEL (label);

  if (with_counts)
    {
      parts->urgent = GTK_LABEL (gtk_label_new (NULL));
      gtk_widget_add_css_class (GTK_WIDGET (parts->urgent), "priority-stat");
      gtk_widget_add_css_class (GTK_WIDGET (parts->urgent), "sidebar-count");
      parts->overdue = GTK_LABEL (gtk_label_new (NULL));
      gtk_widget_add_css_class (GTK_WIDGET (parts->overdue), "overdue");
      gtk_widget_add_css_class (GTK_WIDGET (parts->overdue), "sidebar-count");
      parts->total = GTK_LABEL (gtk_label_new (NULL));
      gtk_widget_add_css_class (GTK_WIDGET (parts->total), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (parts->total), "sidebar-count");
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (parts->urgent));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (parts->overdue));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (parts->total));
    }

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "rd-parts", parts, g_free);
  g_object_set_data (G_OBJECT (row), "rd-kind", GINT_TO_POINTER (kind));
  g_object_set_data_full (G_OBJECT (row), "rd-queue", g_memdup2 (&queue_id, sizeof queue_id), g_free);
  return row;
}

static GtkWidget *
make_header (const char *title)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *label = gtk_label_new (title);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  return row;
}

static void
set_count (GtkLabel *label,
           gint64    n,
           gboolean  hide_zero)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, n);

  gtk_label_set_text (label, text);
  gtk_widget_set_visible (GTK_WIDGET (label), !(hide_zero && n == 0));
}

static void
show_entry (GtkWidget          *row,
            const RdCountEntry *e)
{
  RowParts *parts = g_object_get_data (G_OBJECT (row), "rd-parts");
  g_autofree char *tip = NULL;

  if (parts == NULL || parts->total == NULL)
    return;
  if (e == NULL)
    {
      gtk_label_set_text (parts->total, "");
      gtk_widget_set_visible (GTK_WIDGET (parts->overdue), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (parts->urgent), FALSE);
      return;
    }
  set_count (parts->total, e->total, FALSE);
  set_count (parts->overdue, e->overdue, e->kind == RD_COUNT_OVERDUE || e->kind == RD_COUNT_INBOX ||
                                         e->kind == RD_COUNT_CLOSED_RECENTLY);
  set_count (parts->urgent, e->urgent, e->kind == RD_COUNT_URGENT || e->kind == RD_COUNT_INBOX ||
                                       e->kind == RD_COUNT_CLOSED_RECENTLY);
  if (e->kind == RD_COUNT_INBOX)
    tip = g_strdup_printf (ngettext ("%" PRId64 " unfiled document",
                                     "%" PRId64 " unfiled documents", e->total), e->total);
  else if (e->kind == RD_COUNT_CLOSED_RECENTLY)
    tip = g_strdup_printf (ngettext ("%" PRId64 " closed in the last 7 days",
                                     "%" PRId64 " closed in the last 7 days", e->total), e->total);
  else
    /* TRANSLATORS: counts of referrals in a work list */
    tip = g_strdup_printf (_("%" PRId64 " open, %" PRId64 " overdue, %" PRId64 " urgent"),
                           e->total, e->overdue, e->urgent);
  gtk_widget_set_tooltip_text (row, tip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tip, -1);
}

static void
on_counts_updated (RdQueueCounts *counts,
                   RdSidebar     *self)
{
  g_autoptr(GHashTable) present = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter iter;
  gpointer key, value;
  int insert_at = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (self->watch_header));

  if (!rd_queue_counts_is_loaded (counts))
    return;

  show_entry (self->my_work_row, rd_queue_counts_lookup (counts, RD_COUNT_MY_WORK, 0));
  show_entry (self->inbox_row, rd_queue_counts_lookup (counts, RD_COUNT_INBOX, 0));
  show_entry (self->overdue_row, rd_queue_counts_lookup (counts, RD_COUNT_OVERDUE, 0));
  show_entry (self->urgent_row, rd_queue_counts_lookup (counts, RD_COUNT_URGENT, 0));
  show_entry (self->closed_row, rd_queue_counts_lookup (counts, RD_COUNT_CLOSED_RECENTLY, 0));

  for (guint i = 0; i < rd_queue_counts_get_n_entries (counts); i++)
    {
      const RdCountEntry *e = rd_queue_counts_get_entry (counts, i);
      GtkWidget *row;

      if (e->kind != RD_COUNT_QUEUE)
        continue;
      row = g_hash_table_lookup (self->queue_rows, &e->queue_id);
      if (row == NULL)
        {
          row = make_row (self, "view-list-symbolic", e->queue_name, RD_COUNT_QUEUE, e->queue_id, TRUE);
          gtk_list_box_insert (self->list_box, row, insert_at);
          g_hash_table_insert (self->queue_rows, g_memdup2 (&e->queue_id, sizeof (gint64)), row);
        }
      /* Queue rows go between the two headers, in the order counted. */
      insert_at = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) + 1;
      g_hash_table_add (present, (gpointer) &e->queue_id);
      show_entry (row, e);
    }

  /* Queues one no longer serves. */
  g_hash_table_iter_init (&iter, self->queue_rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (present, key))
      {
        gtk_list_box_remove (self->list_box, value);
        g_hash_table_iter_remove (&iter);
      }
}

static RdReferralQuery *
query_for_row (GtkWidget *row)
{
  RdCountKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "rd-kind"));
  gint64 *queue_id = g_object_get_data (G_OBJECT (row), "rd-queue");
  RdReferralQuery *q = rd_referral_query_new ();

  switch (kind)
    {
    case RD_COUNT_MY_WORK:
      q->assignee = RD_ASSIGNEE_ME;
      break;
    case RD_COUNT_QUEUE:
      q->queue_id = *queue_id;
      break;
    case RD_COUNT_OVERDUE:
      q->overdue = TRUE;
      break;
    case RD_COUNT_URGENT:
      q->urgent = TRUE;
      break;
    case RD_COUNT_CLOSED_RECENTLY:
      q->closed_recently = TRUE;
      q->sort = RD_REFERRAL_SORT_RECEIVED;
      break;
    case RD_COUNT_INBOX:
    default:
      break;
    }
  return q;
}

static void
on_row_selected (RdSidebar     *self,
                 GtkListBoxRow *row)
{
  g_autoptr(RdReferralQuery) q = NULL;

  if (row == NULL)
    return;
  if (GTK_WIDGET (row) == self->inbox_row)
    {
      g_signal_emit (self, signals[INBOX_SELECTED], 0);
      return;
    }
  q = query_for_row (GTK_WIDGET (row));
  g_signal_emit (self, signals[QUERY_SELECTED], 0, q);
}

static void
on_row_activated (RdSidebar     *self,
                  GtkListBoxRow *row)
{
  if (GTK_WIDGET (row) == self->next_row)
    g_signal_emit (self, signals[NEXT_REFERRAL], 0);
}

static void
rd_sidebar_dispose (GObject *object)
{
  RdSidebar *self = RD_SIDEBAR (object);
  GtkWidget *child;

  if (self->counts)
    g_signal_handlers_disconnect_by_func (self->counts, on_counts_updated, self);
  g_clear_object (&self->counts);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_SIDEBAR);
  /* The scrolled window is not a bound child: unparent it ourselves. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->queue_rows, g_hash_table_unref);
  G_OBJECT_CLASS (rd_sidebar_parent_class)->dispose (object);
}

static void
rd_sidebar_class_init (RdSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_sidebar_dispose;

  /**
   * RdSidebar::query-selected:
   * @self: the sidebar
   * @query: the RdReferralQuery the worklist should show
   */
  signals[QUERY_SELECTED] =
    g_signal_new ("query-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, RD_TYPE_REFERRAL_QUERY);
  /**
   * RdSidebar::inbox-selected:
   * @self: the sidebar
   *
   * The unfiled documents were chosen.
   */
  signals[INBOX_SELECTED] =
    g_signal_new ("inbox-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * RdSidebar::next-referral:
   * @self: the sidebar
   *
   * "Next referral" was activated: claim and open one.
   */
  signals[NEXT_REFERRAL] =
    g_signal_new ("next-referral", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, RdSidebar, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sidebar");
}

static void
rd_sidebar_init (RdSidebar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->queue_rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->counts = rd_queue_counts_new (NULL);
  g_signal_connect (self->counts, "updated", G_CALLBACK (on_counts_updated), self);

  self->my_work_row = make_row (self, "avatar-default-symbolic", _("My Work"), RD_COUNT_MY_WORK, 0, TRUE);
  self->next_row = make_row (self, "go-next-symbolic", _("Next Referral"), RD_COUNT_MY_WORK, 0, FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (self->next_row), FALSE);
  gtk_widget_set_tooltip_text (self->next_row,
                               _("Claim and open the most urgent unclaimed referral of your queues"));
  self->inbox_row = make_row (self, "mail-unread-symbolic", _("Inbox"), RD_COUNT_INBOX, 0, TRUE);
  self->queues_header = make_header (_("Queues"));
  self->overdue_row = make_row (self, "alarm-symbolic", _("Overdue"), RD_COUNT_OVERDUE, 0, TRUE);
  self->urgent_row = make_row (self, "dialog-warning-symbolic", _("STAT / Urgent"), RD_COUNT_URGENT, 0, TRUE);
  self->closed_row = make_row (self, "object-select-symbolic", _("Closed Recently"),
                               RD_COUNT_CLOSED_RECENTLY, 0, TRUE);

  gtk_list_box_append (self->list_box, self->my_work_row);
  gtk_list_box_append (self->list_box, self->next_row);
  gtk_list_box_append (self->list_box, self->inbox_row);
  gtk_list_box_append (self->list_box, self->queues_header);
  self->watch_header = make_header (_("Watch"));
  gtk_list_box_append (self->list_box, self->watch_header);
  gtk_list_box_append (self->list_box, self->overdue_row);
  gtk_list_box_append (self->list_box, self->urgent_row);
  gtk_list_box_append (self->list_box, self->closed_row);
}

/**
 * rd_sidebar_new:
 *
 * Returns: (transfer floating): a sidebar, not connected yet
 */
GtkWidget *
rd_sidebar_new (void)
{
  return g_object_new (RD_TYPE_SIDEBAR, NULL);
}

/**
 * rd_sidebar_set_connection:
 * @self: a sidebar
 * @connection: (nullable): the signed-in person's connection
 */
void
rd_sidebar_set_connection (RdSidebar    *self,
                           RdConnection *connection)
{
  g_return_if_fail (RD_IS_SIDEBAR (self));
  rd_queue_counts_set_connection (self->counts, connection);
}

/**
 * rd_sidebar_set_listener:
 * @self: a sidebar
 * @listener: (nullable): change notifications that refresh the counts
 */
void
rd_sidebar_set_listener (RdSidebar  *self,
                         RdListener *listener)
{
  g_return_if_fail (RD_IS_SIDEBAR (self));
  rd_queue_counts_follow (self->counts, listener);
}

/**
 * rd_sidebar_get_counts:
 * @self: a sidebar
 *
 * Returns: (transfer none): the counts it shows
 */
RdQueueCounts *
rd_sidebar_get_counts (RdSidebar *self)
{
  g_return_val_if_fail (RD_IS_SIDEBAR (self), NULL);
  return self->counts;
}

/**
 * rd_sidebar_select_my_work:
 * @self: a sidebar
 *
 * Selects "My work" (emits #RdSidebar::query-selected).
 */
void
rd_sidebar_select_my_work (RdSidebar *self)
{
  g_return_if_fail (RD_IS_SIDEBAR (self));
  gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (self->my_work_row));
}
