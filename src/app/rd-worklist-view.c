/* rd-worklist-view.c — the worklist: filter bar, search and the paged column view
 *
 * The rows come from an RdReferralList (keyset pages on demand, live from
 * the listener). Cells follow their RdReferral's "notify", so a row changed
 * by a colleague updates in place without rebinding or losing the
 * selection. The column choice and widths are kept in GSettings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

/* Translatable strings use PRId64/PRIu64: xgettext understands them, not G_GINT64_FORMAT. */
#include <inttypes.h>
#include <glib/gi18n.h>

#include "rd-lifecycle.h"
#include "rd-priority.h"
#include "rd-repo-referral.h"
#include "rd-worklist-view.h"

struct _RdWorklistView
{
  GtkWidget          parent_instance;

  /* Template */
  AdwToastOverlay   *toasts;
  GtkSearchEntry    *search_entry;
  GtkDropDown       *status_dropdown;
  GtkDropDown       *priority_dropdown;
  GtkDropDown       *assignee_dropdown;
  GtkDropDown       *payer_dropdown;
  GtkDropDown       *channel_dropdown;
  GtkDropDown       *direction_dropdown;
  GtkDropDown       *received_dropdown;
  GtkDropDown       *sort_dropdown;
  GtkBox            *columns_box;
  GtkStack          *stack;
  GtkColumnView     *column_view;
  GtkSpinner        *spinner;
  AdwStatusPage     *empty_page;
  AdwStatusPage     *error_page;

  RdConnection      *connection;
  RdReferralList    *list;
  GtkSingleSelection *selection;
  RdReferralQuery   *base;         /* what the sidebar chose */
  GArray            *payer_ids;    /* gint64, index = dropdown position - 1 */
  GSettings         *settings;
  GCancellable      *cancellable;
  guint              tick_id;
  GHashTable        *bound;        /* GtkLabel* → RdReferral* of bound cells */
  gboolean           applying_settings;
};

G_DEFINE_FINAL_TYPE (RdWorklistView, rd_worklist_view, GTK_TYPE_WIDGET)

enum {
  REFERRAL_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum {
  COL_PRIORITY,
  COL_DUE,
  COL_PATIENT,
  COL_DOB,
  COL_NUMBER,
  COL_DIRECTION,
  COL_SPECIALTY,
  COL_REFERRING,
  COL_PAYER,
  COL_STATUS,
  COL_ASSIGNEE,
  COL_AGE,
  COL_CLAIM,
  N_COLUMNS
} ColumnId;

static const struct {
  const char *id;
  const char *title;    /* N_() */
  int         width;    /* initial fixed width; -1 natural */
  gboolean    expand;
} columns[N_COLUMNS] = {
  { "priority", N_("Priority"), 90, FALSE },
  { "due", N_("Due"), 130, FALSE },
  { "patient", N_("Patient"), 200, TRUE },
  { "dob", N_("Date of Birth"), 110, FALSE },
  { "number", N_("Number"), 110, FALSE },
  { "direction", N_("Direction"), 90, FALSE },
  { "specialty", N_("Specialty"), 130, FALSE },
  { "referring", N_("Referring Provider"), 170, FALSE },
  { "payer", N_("Payer"), 140, FALSE },
  { "status", N_("Status"), 150, FALSE },
  { "assignee", N_("Assignee"), 130, FALSE },
  { "age", N_("Age"), 70, FALSE },
  { "claim", N_("Being Worked On"), 180, FALSE },
};

/* Dropdown contents. Status: "Open (any stage)", then each stage. */
static const char *channels[] = { "fax", "scan", "email", "hl7", "fhir", "phone", "portal", "manual" };

/* ------------------------------------------------------------------------ */
/* Cells                                                                    */

/* "in 3 h", "2 d overdue": short, as a column has little room. */
static char *
format_span (GTimeSpan span)
{
  gint64 minutes = ABS (span) / G_TIME_SPAN_MINUTE;

  if (minutes < 60)
    return g_strdup_printf (_("%" PRId64 " min"), MAX (minutes, 1));
  if (minutes < 48 * 60)
    return g_strdup_printf (_("%" PRId64 " h"), minutes / 60);
  return g_strdup_printf (_("%" PRId64 " d"), minutes / (24 * 60));
}

static char *
cell_text (ColumnId    col,
           RdReferral *r,
           gboolean   *out_alert)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  *out_alert = FALSE;
  switch (col)
    {
    case COL_PRIORITY:
      *out_alert = rd_referral_get_priority (r) >= RD_PRIORITY_ASAP;
      return g_strdup (rd_priority_get_label (rd_referral_get_priority (r)));

    case COL_DUE:
      {
        GDateTime *due = rd_referral_get_due_at (r);
        g_autofree char *span = NULL;
        GTimeSpan diff;

        if (due == NULL)
          return g_strdup (_("No due time"));
        diff = g_date_time_difference (due, now);
        span = format_span (diff);
        if (diff < 0 && rd_status_is_open (rd_referral_get_status (r)))
          {
            *out_alert = TRUE;
            /* TRANSLATORS: a duration, e.g. "3 h overdue" */
            return g_strdup_printf (_("%s overdue"), span);
          }
        if (diff < 0)
          return g_date_time_format (due, "%x");
        /* TRANSLATORS: a duration, e.g. "in 3 h" */
        return g_strdup_printf (_("in %s"), span);
      }

    case COL_PATIENT:
      return g_strdup (rd_referral_get_patient_name (r) ? rd_referral_get_patient_name (r)
                                                        : _("No patient yet"));
    case COL_DOB:
      return g_strdup (rd_referral_get_patient_dob (r));
    case COL_NUMBER:
      return g_strdup (rd_referral_get_number (r));
    case COL_DIRECTION:
      return g_strdup (rd_referral_get_direction (r) == RD_DIRECTION_OUTGOING ? _("Outgoing") : _("Incoming"));
    case COL_SPECIALTY:
      return g_strdup (rd_referral_get_specialty (r));
    case COL_REFERRING:
      return g_strdup (rd_referral_get_referring_name (r));
    case COL_PAYER:
      return g_strdup (rd_referral_get_payer_name (r));
    case COL_STATUS:
      return g_strdup (rd_status_get_label (rd_referral_get_status (r), rd_referral_get_direction (r)));
    case COL_ASSIGNEE:
      return g_strdup (rd_referral_get_assignee_name (r) ? rd_referral_get_assignee_name (r)
                                                         : _("Unassigned"));
    case COL_AGE:
      {
        GDateTime *received = rd_referral_get_received_at (r);
        return received ? format_span (g_date_time_difference (now, received)) : NULL;
      }
    case COL_CLAIM:
      {
        GDateTime *until = rd_referral_get_claimed_until (r);
        const char *who = rd_referral_get_claimed_by_name (r);

        if (until == NULL || g_date_time_compare (until, now) <= 0)
          return NULL;
        /* TRANSLATORS: %s is a colleague's name */
        return g_strdup_printf (_("%s is working on this"),
                                who ? who : rd_referral_get_claimed_by (r));
      }
    case N_COLUMNS:
    default:
      return NULL;
    }
}

static void
update_cell (GtkLabel   *label,
             RdReferral *r)
{
  ColumnId col = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (label), "rd-column"));
  g_autofree char *text = NULL;
  gboolean alert = FALSE;

  if (rd_referral_is_placeholder (r))
    {
      /* Still loading: an empty, quiet row. */
      gtk_label_set_text (label, col == COL_PATIENT ? "…" : "");
      gtk_widget_remove_css_class (GTK_WIDGET (label), "overdue");
      gtk_widget_remove_css_class (GTK_WIDGET (label), "priority-stat");
      return;
    }

  text = cell_text (col, r, &alert);
  gtk_label_set_text (label, text ? text : "");
  if (col == COL_DUE && alert)
    gtk_widget_add_css_class (GTK_WIDGET (label), "overdue");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "overdue");
  if (col == COL_PRIORITY && alert)
    gtk_widget_add_css_class (GTK_WIDGET (label), "priority-stat");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "priority-stat");
}

static void
on_item_notify (RdReferral *r,
                GParamSpec *pspec,
                GtkLabel   *label)
{
  update_cell (label, r);
}

static void
on_cell_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  gpointer col = g_object_get_data (G_OBJECT (factory), "rd-column");

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  g_object_set_data (G_OBJECT (label), "rd-column", col);
  gtk_list_item_set_child (item, label);
}

static void
on_cell_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  RdWorklistView *self = user_data;
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  RdReferral *r = gtk_list_item_get_item (item);

  update_cell (label, r);
  g_signal_connect_object (r, "notify", G_CALLBACK (on_item_notify), label, 0);
  g_hash_table_insert (self->bound, label, r);
}

static void
on_cell_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  RdWorklistView *self = user_data;
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  RdReferral *r = gtk_list_item_get_item (item);

  g_signal_handlers_disconnect_by_func (r, on_item_notify, label);
  g_hash_table_remove (self->bound, label);
}

/* ------------------------------------------------------------------------ */
/* Columns and settings                                                     */

static GtkColumnViewColumn *
column_at (RdWorklistView *self,
           ColumnId        col)
{
  GListModel *cols = gtk_column_view_get_columns (self->column_view);
  g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (cols, col);
  return c;   /* the column view holds it */
}

static void
save_columns (RdWorklistView *self)
{
  g_autoptr(GStrvBuilder) visible = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  GVariantBuilder widths;

  if (self->applying_settings)
    return;

  g_variant_builder_init (&widths, G_VARIANT_TYPE ("a{si}"));
  for (int i = 0; i < N_COLUMNS; i++)
    {
      GtkColumnViewColumn *c = column_at (self, i);
      int w = gtk_column_view_column_get_fixed_width (c);

      if (gtk_column_view_column_get_visible (c))
        g_strv_builder_add (visible, columns[i].id);
      if (w > 0 && w != columns[i].width)
        g_variant_builder_add (&widths, "{si}", columns[i].id, w);
    }
  strv = g_strv_builder_end (visible);
  g_settings_set_strv (self->settings, "worklist-columns", (const char * const *) strv);
  g_settings_set_value (self->settings, "worklist-column-widths", g_variant_builder_end (&widths));
}

static void
on_column_changed (GtkColumnViewColumn *column,
                   GParamSpec          *pspec,
                   RdWorklistView      *self)
{
  save_columns (self);
}

static void
apply_column_settings (RdWorklistView *self)
{
  g_auto(GStrv) visible = g_settings_get_strv (self->settings, "worklist-columns");
  g_autoptr(GVariant) widths = g_settings_get_value (self->settings, "worklist-column-widths");

  self->applying_settings = TRUE;
  for (int i = 0; i < N_COLUMNS; i++)
    {
      GtkColumnViewColumn *c = column_at (self, i);
      int w = columns[i].width;

      g_variant_lookup (widths, columns[i].id, "i", &w);
      gtk_column_view_column_set_visible (c, g_strv_contains ((const char * const *) visible,
                                                              columns[i].id));
      gtk_column_view_column_set_fixed_width (c, CLAMP (w, 40, 2000));
    }
  self->applying_settings = FALSE;
}

static void
add_columns (RdWorklistView *self)
{
  for (int i = 0; i < N_COLUMNS; i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *c;
      GtkWidget *check;

      g_object_set_data (G_OBJECT (factory), "rd-column", GINT_TO_POINTER (i));
      g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind), self);
      g_signal_connect (factory, "unbind", G_CALLBACK (on_cell_unbind), self);
      c = gtk_column_view_column_new (_(columns[i].title), factory);
      gtk_column_view_column_set_resizable (c, TRUE);
      gtk_column_view_column_set_expand (c, columns[i].expand);
      gtk_column_view_append_column (self->column_view, c);

      /* The column menu: one check button per column. */
      check = gtk_check_button_new_with_label (_(columns[i].title));
      g_object_bind_property (c, "visible", check, "active",
                              G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
      gtk_box_append (self->columns_box, check);

      g_signal_connect_object (c, "notify::visible", G_CALLBACK (on_column_changed), self, 0);
      g_signal_connect_object (c, "notify::fixed-width", G_CALLBACK (on_column_changed), self, 0);
      g_object_unref (c);
    }
}

/* ------------------------------------------------------------------------ */
/* State pages                                                              */

static void
update_page (RdWorklistView *self)
{
  RdReferralListState state = rd_referral_list_get_state (self->list);
  const char *page = "list";

  switch (state)
    {
    case RD_REFERRAL_LIST_STATE_IDLE:
      page = "offline";
      break;
    case RD_REFERRAL_LIST_STATE_LOADING:
      page = "loading";
      break;
    case RD_REFERRAL_LIST_STATE_ERROR:
      {
        const GError *error = rd_referral_list_get_error (self->list);
        adw_status_page_set_description (self->error_page,
                                         error ? error->message
                                               : _("Check the connection to the database, then try again."));
        page = "error";
      }
      break;
    case RD_REFERRAL_LIST_STATE_READY:
    default:
      if (g_list_model_get_n_items (G_LIST_MODEL (self->list)) == 0)
        {
          const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
          adw_status_page_set_description (self->empty_page,
                                           search && *search
                                             ? _("Nothing matches this search. Check the spelling, or search by MRN, date of birth or referral number.")
                                             : _("Nothing to do with these filters. New referrals appear here as they arrive."));
          page = "empty";
        }
      break;
    }
  gtk_spinner_set_spinning (self->spinner, g_str_equal (page, "loading"));
  gtk_stack_set_visible_child_name (self->stack, page);
}

static void
on_list_state (RdWorklistView *self)
{
  update_page (self);
}

/* ------------------------------------------------------------------------ */
/* Filters                                                                  */

static guint
selected (GtkDropDown *dd)
{
  guint s = gtk_drop_down_get_selected (dd);
  return s == GTK_INVALID_LIST_POSITION ? 0 : s;
}

static void
apply_filters (RdWorklistView *self)
{
  g_autoptr(RdReferralQuery) q = rd_referral_query_copy (self->base);
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint s;

  s = selected (self->status_dropdown);
  if (s > 0)
    q->status_mask = 1u << (s - 1);
  s = selected (self->priority_dropdown);
  if (s > 0)
    q->priority_mask = 1u << (RD_PRIORITY_STAT - (s - 1));
  switch (selected (self->assignee_dropdown))
    {
    case 1: q->assignee = RD_ASSIGNEE_ME; break;
    case 2: q->assignee = RD_ASSIGNEE_UNASSIGNED; break;
    default: break;
    }
  s = selected (self->payer_dropdown);
  if (s > 0 && self->payer_ids && s - 1 < self->payer_ids->len)
    q->payer_id = g_array_index (self->payer_ids, gint64, s - 1);
  s = selected (self->channel_dropdown);
  if (s > 0)
    {
      g_free (q->channel);
      q->channel = g_strdup (channels[s - 1]);
    }
  s = selected (self->direction_dropdown);
  if (s > 0)
    q->direction = s == 1 ? RD_DIRECTION_INCOMING : RD_DIRECTION_OUTGOING;
  s = selected (self->received_dropdown);
  if (s > 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                          g_date_time_get_month (now),
                                                          g_date_time_get_day_of_month (now), 0, 0, 0);
      int days = s == 1 ? 0 : s == 2 ? 6 : 29;
      g_clear_pointer (&q->received_from, g_date_time_unref);
      q->received_from = g_date_time_add_days (today, -days);
    }
  q->sort = selected (self->sort_dropdown);

  g_free (q->search);
  q->search = (search && *search) ? g_strdup (search) : NULL;

  rd_referral_list_set_filter (self->list, q);
  update_page (self);
}

static void
on_filters_changed (RdWorklistView *self)
{
  apply_filters (self);
}

static void
on_search_stop (RdWorklistView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
set_strings (GtkDropDown  *dd,
             const char  **strings,
             guint         n)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

  for (guint i = 0; i < n; i++)
    gtk_string_list_append (model, strings[i]);
  gtk_drop_down_set_model (dd, G_LIST_MODEL (model));
}

static void
fill_dropdowns (RdWorklistView *self)
{
  const char *status[RD_N_STATUSES + 1];
  const char *priority[RD_N_PRIORITIES + 1];
  const char *channel[G_N_ELEMENTS (channels) + 1];
  const char *assignee[] = { _("Anyone"), _("Me"), _("Unassigned") };
  const char *direction[] = { _("Both directions"), _("Incoming"), _("Outgoing") };
  const char *received[] = { _("Any time"), _("Today"), _("Last 7 days"), _("Last 30 days") };
  const char *sort[] = { _("Priority and due"), _("Received"), _("Patient name"), _("Status") };
  const char *payer[] = { _("Any payer") };

  status[0] = _("Any stage");
  for (int i = 0; i < RD_N_STATUSES; i++)
    status[i + 1] = rd_status_get_label (i, RD_DIRECTION_INCOMING);
  priority[0] = _("Any priority");
  for (int i = 0; i < RD_N_PRIORITIES; i++)
    priority[i + 1] = rd_priority_get_label (RD_PRIORITY_STAT - i);
  channel[0] = _("Any channel");
  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    channel[i + 1] = channels[i];

  set_strings (self->status_dropdown, status, G_N_ELEMENTS (status));
  set_strings (self->priority_dropdown, priority, G_N_ELEMENTS (priority));
  set_strings (self->assignee_dropdown, assignee, G_N_ELEMENTS (assignee));
  set_strings (self->payer_dropdown, payer, G_N_ELEMENTS (payer));
  set_strings (self->channel_dropdown, channel, G_N_ELEMENTS (channel));
  set_strings (self->direction_dropdown, direction, G_N_ELEMENTS (direction));
  set_strings (self->received_dropdown, received, G_N_ELEMENTS (received));
  set_strings (self->sort_dropdown, sort, G_N_ELEMENTS (sort));
}

static void
on_payers_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RdWorklistView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  g_autoptr(GtkStringList) model = NULL;
  int n;

  if (res == NULL)
    return;   /* the filter simply offers no payers */

  model = gtk_string_list_new ((const char *[]) { _("Any payer"), NULL });
  g_array_set_size (self->payer_ids, 0);
  n = rd_result_get_n_rows (res);
  for (int i = 0; i < n; i++)
    {
      gint64 id = rd_result_get_int64 (res, i, 0);
      g_array_append_val (self->payer_ids, id);
      gtk_string_list_append (model, rd_result_get_string (res, i, 1));
    }
  g_signal_handlers_block_by_func (self->payer_dropdown, on_filters_changed, self);
  gtk_drop_down_set_model (self->payer_dropdown, G_LIST_MODEL (model));
  g_signal_handlers_unblock_by_func (self->payer_dropdown, on_filters_changed, self);
}

/* ------------------------------------------------------------------------ */
/* Activation and actions                                                   */

static void
on_column_view_activate (RdWorklistView *self,
                         guint           position)
{
  g_autoptr(RdReferral) r = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (r != NULL && !rd_referral_is_placeholder (r))
    g_signal_emit (self, signals[REFERRAL_ACTIVATED], 0, r);
}

static void
move_selection (RdWorklistView *self,
                int             delta)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  guint pos = gtk_single_selection_get_selected (self->selection);
  guint next;

  if (n == 0)
    return;
  if (pos == GTK_INVALID_LIST_POSITION)
    next = 0;
  else if (delta < 0)
    next = pos > 0 ? pos - 1 : 0;
  else
    next = MIN (pos + 1, n - 1);
  gtk_single_selection_set_selected (self->selection, next);
  /* GTK 4.8 has no gtk_column_view_scroll_to(); the list inside it has the
   * action. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      gtk_widget_activate_action (child, "list.scroll-to-item", "u", next);
}

static void
select_next_action (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  move_selection (RD_WORKLIST_VIEW (widget), 1);
}

static void
select_prev_action (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  move_selection (RD_WORKLIST_VIEW (widget), -1);
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *action,
                     GVariant   *param)
{
  rd_worklist_view_focus_search (RD_WORKLIST_VIEW (widget));
}

static void
reload_action (GtkWidget  *widget,
               const char *action,
               GVariant   *param)
{
  RdWorklistView *self = RD_WORKLIST_VIEW (widget);

  rd_referral_list_reload (self->list);
  update_page (self);
}

static void
on_next_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RdWorklistView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) r = rd_repo_referral_next_finish (RD_CONNECTION (source), result, &error);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "worklist.next-referral", TRUE);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      adw_toast_overlay_add_toast (self->toasts,
                                   adw_toast_new (_("Could not get the next referral. Check the connection and try again.")));
      return;
    }
  if (r == NULL)
    {
      adw_toast_overlay_add_toast (self->toasts,
                                   adw_toast_new (_("No unclaimed new referrals in your queues")));
      return;
    }
  g_signal_emit (self, signals[REFERRAL_ACTIVATED], 0, r);
}

static void
next_referral_action (GtkWidget  *widget,
                      const char *action,
                      GVariant   *param)
{
  rd_worklist_view_next_referral (RD_WORKLIST_VIEW (widget));
}

/* Relative times ("in 3 h", overdue, claims running out) move on by
 * themselves: refresh the bound cells once a minute. */
static gboolean
on_minute_tick (gpointer user_data)
{
  RdWorklistView *self = user_data;
  GHashTableIter iter;
  gpointer label, r;

  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, &label, &r))
    update_cell (label, r);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
rd_worklist_view_dispose (GObject *object)
{
  RdWorklistView *self = RD_WORKLIST_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_WORKLIST_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->list);
  g_clear_object (&self->connection);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (rd_worklist_view_parent_class)->dispose (object);
}

static void
rd_worklist_view_finalize (GObject *object)
{
  RdWorklistView *self = RD_WORKLIST_VIEW (object);

  rd_referral_query_free (self->base);
  g_array_unref (self->payer_ids);
  g_hash_table_unref (self->bound);
  G_OBJECT_CLASS (rd_worklist_view_parent_class)->finalize (object);
}

static void
rd_worklist_view_class_init (RdWorklistViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_worklist_view_dispose;
  object_class->finalize = rd_worklist_view_finalize;

  /**
   * RdWorklistView::referral-activated:
   * @self: the view
   * @referral: the RdReferral to open
   *
   * The person pressed Enter or double-clicked a row, or "Next referral"
   * claimed one for them.
   */
  signals[REFERRAL_ACTIVATED] =
    g_signal_new ("referral-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, RD_TYPE_REFERRAL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-worklist-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, toasts);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, priority_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, assignee_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, payer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, channel_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, direction_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, received_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, columns_box);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, stack);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, column_view);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, spinner);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_filters_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stop);
  gtk_widget_class_bind_template_callback (widget_class, on_column_view_activate);

  gtk_widget_class_install_action (widget_class, "worklist.next-referral", NULL, next_referral_action);
  gtk_widget_class_install_action (widget_class, "worklist.focus-search", NULL, focus_search_action);
  gtk_widget_class_install_action (widget_class, "worklist.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "worklist.select-next", NULL, select_next_action);
  gtk_widget_class_install_action (widget_class, "worklist.select-previous", NULL, select_prev_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "worklist.focus-search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "worklist.next-referral", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "worklist.reload", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "worklist");
}

/* j and k move like the arrows, but only when the list (not a text entry)
 * has the focus. */
static gboolean
on_list_key_pressed (GtkEventControllerKey *controller,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     RdWorklistView        *self)
{
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK))
    return FALSE;
  if (keyval == GDK_KEY_j)
    {
      move_selection (self, 1);
      return TRUE;
    }
  if (keyval == GDK_KEY_k)
    {
      move_selection (self, -1);
      return TRUE;
    }
  return FALSE;
}

static void
rd_worklist_view_init (RdWorklistView *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->payer_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->bound = g_hash_table_new (NULL, NULL);
  self->base = rd_referral_query_new ();
  self->settings = g_settings_new (APP_ID);

  self->list = rd_referral_list_new (NULL);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->list)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->list, "notify::state", G_CALLBACK (on_list_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "notify::n-items", G_CALLBACK (on_list_state), self,
                           G_CONNECT_SWAPPED);

  fill_dropdowns (self);
  add_columns (self);
  apply_column_settings (self);

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_list_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), keys);

  self->tick_id = g_timeout_add_seconds (60, on_minute_tick, self);
  update_page (self);
}

/**
 * rd_worklist_view_new:
 *
 * Returns: (transfer floating): a worklist view, not connected yet
 */
GtkWidget *
rd_worklist_view_new (void)
{
  return g_object_new (RD_TYPE_WORKLIST_VIEW, NULL);
}

/**
 * rd_worklist_view_set_connection:
 * @self: a view
 * @connection: (nullable): the signed-in person's connection
 *
 * Loads the worklist (and the payers of the filter bar) as that person.
 */
void
rd_worklist_view_set_connection (RdWorklistView *self,
                                 RdConnection   *connection)
{
  g_return_if_fail (RD_IS_WORKLIST_VIEW (self));

  if (!g_set_object (&self->connection, connection))
    return;
  rd_referral_list_set_connection (self->list, connection);
  if (connection != NULL)
    rd_connection_query_async (connection, "SELECT id, name FROM rd.payer ORDER BY name, id",
                               NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT, self->cancellable,
                               on_payers_loaded, g_object_ref (self));
  update_page (self);
}

/**
 * rd_worklist_view_set_listener:
 * @self: a view
 * @listener: (nullable): change notifications to follow
 */
void
rd_worklist_view_set_listener (RdWorklistView *self,
                               RdListener     *listener)
{
  g_return_if_fail (RD_IS_WORKLIST_VIEW (self));
  rd_referral_list_follow (self->list, listener);
}

/**
 * rd_worklist_view_set_query:
 * @self: a view
 * @query: what the sidebar chose (a queue, my work, overdue, …)
 *
 * The filter bar narrows it further.
 */
void
rd_worklist_view_set_query (RdWorklistView        *self,
                            const RdReferralQuery *query)
{
  g_return_if_fail (RD_IS_WORKLIST_VIEW (self));
  g_return_if_fail (query != NULL);

  rd_referral_query_free (self->base);
  self->base = rd_referral_query_copy (query);
  apply_filters (self);
}

/**
 * rd_worklist_view_get_model:
 * @self: a view
 *
 * Returns: (transfer none): the list of referrals shown
 */
RdReferralList *
rd_worklist_view_get_model (RdWorklistView *self)
{
  g_return_val_if_fail (RD_IS_WORKLIST_VIEW (self), NULL);
  return self->list;
}

/**
 * rd_worklist_view_get_selected:
 * @self: a view
 *
 * Returns: (transfer none) (nullable): the selected referral
 */
RdReferral *
rd_worklist_view_get_selected (RdWorklistView *self)
{
  gpointer item;

  g_return_val_if_fail (RD_IS_WORKLIST_VIEW (self), NULL);
  item = gtk_single_selection_get_selected_item (self->selection);
  return item && !rd_referral_is_placeholder (item) ? item : NULL;
}

/**
 * rd_worklist_view_focus_search:
 * @self: a view
 */
void
rd_worklist_view_focus_search (RdWorklistView *self)
{
  g_return_if_fail (RD_IS_WORKLIST_VIEW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/**
 * rd_worklist_view_next_referral:
 * @self: a view
 *
 * Claims the most urgent unclaimed new referral of the person's queues (of
 * the queue shown, when one is) and emits #RdWorklistView::referral-activated
 * with it; a toast says so when there is none.
 */
void
rd_worklist_view_next_referral (RdWorklistView *self)
{
  g_return_if_fail (RD_IS_WORKLIST_VIEW (self));

  if (self->connection == NULL)
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "worklist.next-referral", FALSE);
  rd_repo_referral_next_async (self->connection, self->base->queue_id, 600, self->cancellable,
                               on_next_done, g_object_ref (self));
}
