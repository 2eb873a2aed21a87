/* rd-worklist-view.c — the worklist: filter bar, search and the paged column view
 *
 * The rows come from an RdReferralList (keyset pages on demand, live from
 * the listener). Cells follow their RdReferral's "notify", so a row changed
 * by a colleague updates in place without rebinding or losing the
 * selection. The column choice, widths and order are kept in GSettings.
 *
 * The filter bar: a set of stages (check buttons in a popover), priority,
 * assignee (anyone, me, unassigned or one colleague of my teams), payer,
 * channel, direction, and the received date (presets, or a custom range of
 * whole local days picked on two calendars or typed as YYYY-MM-DD).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

/* Translatable strings use PRId64/PRIu64: xgettext understands them, not G_GINT64_FORMAT. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "rd-lifecycle.h"
#include "rd-priority.h"
#include "rd-repo-referral.h"
#include "rd-repo-staff.h"
#include "rd-worklist-view.h"

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

struct _RdWorklistView
{
  GtkWidget          parent_instance;

  /* Template */
  AdwToastOverlay   *toasts;
  GtkSearchEntry    *search_entry;
  GtkMenuButton     *stage_button;
  GtkPopover        *stage_popover;
  GtkBox            *stage_box;
  GtkDropDown       *priority_dropdown;
  GtkDropDown       *assignee_dropdown;
  GtkDropDown       *colleague_dropdown;
  GtkDropDown       *payer_dropdown;
  GtkDropDown       *channel_dropdown;
  GtkDropDown       *direction_dropdown;
  GtkDropDown       *received_dropdown;
  GtkMenuButton     *range_button;
  GtkPopover        *range_popover;
  GtkEntry          *from_entry;
  GtkEntry          *to_entry;
  GtkCalendar       *from_calendar;
  GtkCalendar       *to_calendar;
  GtkLabel          *range_error;
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
  GPtrArray         *colleague_logins;  /* char*, index = dropdown position */
  GtkCheckButton    *stage_checks[RD_N_STATUSES];
  GDate              range_first;  /* the custom range, once one was chosen */
  GDate              range_last;
  gboolean           syncing_range;
  GtkColumnViewColumn *cols[N_COLUMNS];   /* by ColumnId, whatever their order */
  GSettings         *settings;
  GCancellable      *cancellable;
  guint              tick_id;
  GHashTable        *bound;        /* GtkInscription* → RdReferral* of bound cells */
  GHashTable        *stale;        /* bound cells whose row changed, redrawn once */
  guint              stale_id;
  gboolean           applying_settings;
};

G_DEFINE_FINAL_TYPE (RdWorklistView, rd_worklist_view, GTK_TYPE_WIDGET)

enum {
  REFERRAL_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];


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

/* Cells are GtkInscriptions: made for lists, they never ask for a new size
 * when their text changes, so filling a screen of rows costs less than
 * with labels. Screen readers get the text as the cell's label. */
static void
set_cell_text (GtkInscription *cell,
               const char     *text)
{
  gtk_inscription_set_text (cell, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
update_cell (GtkInscription *label,
             RdReferral     *r)
{
  ColumnId col = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (label), "rd-column"));
  g_autofree char *text = NULL;
  gboolean alert = FALSE;

  if (rd_referral_is_placeholder (r))
    {
      /* Still loading: an empty, quiet row. */
      set_cell_text (label, col == COL_PATIENT ? "…" : "");
      gtk_widget_remove_css_class (GTK_WIDGET (label), "overdue");
      gtk_widget_remove_css_class (GTK_WIDGET (label), "priority-stat");
      return;
    }

  text = cell_text (col, r, &alert);
  set_cell_text (label, text ? text : "");
  if (col == COL_DUE && alert)
    gtk_widget_add_css_class (GTK_WIDGET (label), "overdue");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "overdue");
  if (col == COL_PRIORITY && alert)
    gtk_widget_add_css_class (GTK_WIDGET (label), "priority-stat");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "priority-stat");
}

/* A row that changes many properties at once (a placeholder becoming its
 * row, a colleague's edit) notifies once per property: each cell is
 * redrawn once, just before the next frame. */
static gboolean
update_stale_cells (gpointer user_data)
{
  RdWorklistView *self = user_data;
  GHashTableIter iter;
  gpointer label;

  self->stale_id = 0;
  g_hash_table_iter_init (&iter, self->stale);
  while (g_hash_table_iter_next (&iter, &label, NULL))
    {
      RdReferral *r = g_hash_table_lookup (self->bound, label);

      if (r != NULL)
        update_cell (label, r);
    }
  g_hash_table_remove_all (self->stale);
  return G_SOURCE_REMOVE;
}

static void
on_item_notify (RdReferral *r,
                GParamSpec *pspec,
                GtkInscription *label)
{
  RdWorklistView *self = g_object_get_data (G_OBJECT (label), "rd-view");

  g_hash_table_add (self->stale, label);
  if (self->stale_id == 0)
    self->stale_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 15, update_stale_cells, self, NULL);
}

static void
on_cell_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_inscription_new (NULL);
  gpointer col = g_object_get_data (G_OBJECT (factory), "rd-column");

  gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 0.0);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_min_lines (GTK_INSCRIPTION (label), 1);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (label), 12);
  g_object_set_data (G_OBJECT (label), "rd-column", col);
  gtk_list_item_set_child (item, label);
}

static void
on_cell_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  RdWorklistView *self = user_data;
  GtkInscription *label = GTK_INSCRIPTION (gtk_list_item_get_child (item));
  RdReferral *r = gtk_list_item_get_item (item);

  update_cell (label, r);
  g_object_set_data (G_OBJECT (label), "rd-view", self);
  g_signal_connect_object (r, "notify", G_CALLBACK (on_item_notify), label, 0);
  g_hash_table_insert (self->bound, label, r);
}

static void
on_cell_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  RdWorklistView *self = user_data;
  GtkInscription *label = GTK_INSCRIPTION (gtk_list_item_get_child (item));
  RdReferral *r = gtk_list_item_get_item (item);

  g_signal_handlers_disconnect_by_func (r, on_item_notify, label);
  g_hash_table_remove (self->bound, label);
  g_hash_table_remove (self->stale, label);
}

/* ------------------------------------------------------------------------ */
/* Columns and settings                                                     */

static GtkColumnViewColumn *
column_at (RdWorklistView *self,
           ColumnId        col)
{
  return self->cols[col];
}

static ColumnId
column_id (GtkColumnViewColumn *column)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (column), "rd-column"));
}

static void
save_columns (RdWorklistView *self)
{
  g_autoptr(GStrvBuilder) visible = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) order = g_strv_builder_new ();
  GListModel *shown = gtk_column_view_get_columns (self->column_view);
  g_auto(GStrv) strv = NULL;
  g_auto(GStrv) order_strv = NULL;
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
  /* The order the person dragged the columns into: ids only. */
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (shown, i);

      g_strv_builder_add (order, columns[column_id (c)].id);
    }
  strv = g_strv_builder_end (visible);
  order_strv = g_strv_builder_end (order);
  g_settings_set_strv (self->settings, "worklist-columns", (const char * const *) strv);
  g_settings_set_value (self->settings, "worklist-column-widths", g_variant_builder_end (&widths));
  g_settings_set_strv (self->settings, "worklist-column-order", (const char * const *) order_strv);
}

static void
on_column_changed (GtkColumnViewColumn *column,
                   GParamSpec          *pspec,
                   RdWorklistView      *self)
{
  save_columns (self);
}

static void
on_columns_reordered (GListModel     *model,
                      guint           position,
                      guint           removed,
                      guint           added,
                      RdWorklistView *self)
{
  /* A drag removes the column and inserts it elsewhere: save once it is
   * back, with every column there. */
  if (g_list_model_get_n_items (model) == N_COLUMNS)
    save_columns (self);
}

static int
column_by_name (const char *id)
{
  for (int i = 0; i < N_COLUMNS; i++)
    if (g_strcmp0 (columns[i].id, id) == 0)
      return i;
  return -1;
}

static void
apply_column_settings (RdWorklistView *self)
{
  g_auto(GStrv) visible = g_settings_get_strv (self->settings, "worklist-columns");
  g_auto(GStrv) order = g_settings_get_strv (self->settings, "worklist-column-order");
  g_autoptr(GVariant) widths = g_settings_get_value (self->settings, "worklist-column-widths");
  guint pos = 0;

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

  /* The saved order first (unknown ids skipped), then the columns it does
   * not name (new in this version) in their usual order. */
  for (guint i = 0; order[i] != NULL; i++)
    {
      int col = column_by_name (order[i]);
      gboolean seen = FALSE;

      for (guint j = 0; j < i && !seen; j++)
        seen = g_strcmp0 (order[j], order[i]) == 0;
      if (col < 0 || seen)
        continue;
      gtk_column_view_insert_column (self->column_view, pos++, column_at (self, col));
    }
  for (int i = 0; i < N_COLUMNS && pos > 0; i++)
    if (!g_strv_contains ((const char * const *) order, columns[i].id))
      gtk_column_view_insert_column (self->column_view, pos++, column_at (self, i));
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
      g_object_set_data (G_OBJECT (c), "rd-column", GINT_TO_POINTER (i));
      gtk_column_view_column_set_resizable (c, TRUE);
      gtk_column_view_column_set_expand (c, columns[i].expand);
      gtk_column_view_append_column (self->column_view, c);
      self->cols[i] = c;   /* the column view holds it */

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

/* A filter of the flow box shows or hides with its slot. */
static void
set_filter_visible (GtkWidget *filter,
                    gboolean   visible)
{
  GtkWidget *slot = gtk_widget_get_parent (filter);

  gtk_widget_set_visible (filter, visible);
  if (GTK_IS_FLOW_BOX_CHILD (slot))
    gtk_widget_set_visible (slot, visible);
}

enum {
  ASSIGNEE_ANYONE,
  ASSIGNEE_ME,
  ASSIGNEE_UNASSIGNED,
  ASSIGNEE_COLLEAGUE,
};

enum {
  RECEIVED_ANY,
  RECEIVED_TODAY,
  RECEIVED_WEEK,
  RECEIVED_MONTH,
  RECEIVED_CUSTOM,
};

static guint
stage_mask (RdWorklistView *self)
{
  guint mask = 0;

  for (int i = 0; i < RD_N_STATUSES; i++)
    if (gtk_check_button_get_active (self->stage_checks[i]))
      mask |= 1u << i;
  return mask;
}

static void
update_stage_label (RdWorklistView *self,
                    guint           mask)
{
  g_autofree char *label = NULL;
  guint n = 0;
  int one = -1;

  for (int i = 0; i < RD_N_STATUSES; i++)
    if (mask & (1u << i))
      {
        n++;
        one = i;
      }
  if (n == 0)
    label = g_strdup (_("Any stage"));
  else if (n == 1)
    label = g_strdup (rd_status_get_label (one, RD_DIRECTION_INCOMING));
  else
    /* TRANSLATORS: the stage filter's button when several stages are ticked */
    label = g_strdup_printf (ngettext ("%u stage", "%u stages", n), n);
  gtk_menu_button_set_label (self->stage_button, label);
}

static void
apply_filters (RdWorklistView *self)
{
  g_autoptr(RdReferralQuery) q = rd_referral_query_copy (self->base);
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint assignee = selected (self->assignee_dropdown);
  guint received = selected (self->received_dropdown);
  guint mask = stage_mask (self);
  guint s;

  if (mask != 0)
    q->status_mask = mask;
  update_stage_label (self, mask);
  s = selected (self->priority_dropdown);
  if (s > 0)
    q->priority_mask = 1u << (RD_PRIORITY_STAT - (s - 1));
  switch (assignee)
    {
    case ASSIGNEE_ME:
      q->assignee = RD_ASSIGNEE_ME;
      break;
    case ASSIGNEE_UNASSIGNED:
      q->assignee = RD_ASSIGNEE_UNASSIGNED;
      break;
    case ASSIGNEE_COLLEAGUE:
      s = selected (self->colleague_dropdown);
      /* Until the colleagues have loaded, nobody is chosen yet: anyone. */
      if (s < self->colleague_logins->len)
        {
          q->assignee = RD_ASSIGNEE_PERSON;
          g_free (q->assignee_login);
          q->assignee_login = g_strdup (g_ptr_array_index (self->colleague_logins, s));
        }
      break;
    default:
      break;
    }
  set_filter_visible (GTK_WIDGET (self->colleague_dropdown), assignee == ASSIGNEE_COLLEAGUE);
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
  if (received >= RECEIVED_TODAY && received <= RECEIVED_MONTH)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autoptr(GDate) today = g_date_new_dmy (g_date_time_get_day_of_month (now),
                                               g_date_time_get_month (now),
                                               g_date_time_get_year (now));
      g_autoptr(GDate) first = g_date_copy (today);
      int days = received == RECEIVED_TODAY ? 0 : received == RECEIVED_WEEK ? 6 : 29;

      g_date_subtract_days (first, days);
      rd_referral_query_set_received_days (q, first, NULL, NULL);
    }
  else if (received == RECEIVED_CUSTOM && g_date_valid (&self->range_first))
    rd_referral_query_set_received_days (q, &self->range_first, &self->range_last, NULL);
  set_filter_visible (GTK_WIDGET (self->range_button), received == RECEIVED_CUSTOM);
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
on_stage_toggled (GtkCheckButton *check,
                  RdWorklistView *self)
{
  apply_filters (self);
}

static void
on_stage_any_clicked (RdWorklistView *self)
{
  for (int i = 0; i < RD_N_STATUSES; i++)
    {
      g_signal_handlers_block_by_func (self->stage_checks[i], on_stage_toggled, self);
      gtk_check_button_set_active (self->stage_checks[i], FALSE);
      g_signal_handlers_unblock_by_func (self->stage_checks[i], on_stage_toggled, self);
    }
  apply_filters (self);
  gtk_popover_popdown (self->stage_popover);
}

static void
on_search_stop (RdWorklistView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

/* Custom range ------------------------------------------------------------ */

/* Strictly YYYY-MM-DD, a real day. */
static gboolean
parse_day (const char *text,
           GDate      *out)
{
  int y, m, d;
  char tail;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      strlen (text) != 10 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_clear (out, 1);
  g_date_set_dmy (out, d, m, y);
  return TRUE;
}

static char *
format_day (const GDate *date)
{
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

static void
select_calendar_day (RdWorklistView *self,
                     GtkCalendar    *calendar,
                     const GDate    *date)
{
  g_autoptr(GDateTime) dt = g_date_time_new_local (g_date_get_year (date), g_date_get_month (date),
                                                   g_date_get_day (date), 12, 0, 0);

  self->syncing_range = TRUE;
  gtk_calendar_select_day (calendar, dt);
  self->syncing_range = FALSE;
}

/* The entry that goes with @calendar, and the other way round. */
static void
on_range_day_selected (RdWorklistView *self,
                       GtkCalendar    *calendar)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *text = NULL;

  if (self->syncing_range)
    return;
  dt = gtk_calendar_get_date (calendar);
  text = g_date_time_format (dt, "%Y-%m-%d");
  self->syncing_range = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (calendar == self->from_calendar ? self->from_entry
                                                                         : self->to_entry), text);
  self->syncing_range = FALSE;
}

static void
on_range_entry_changed (RdWorklistView *self,
                        GtkEntry       *entry)
{
  GDate date;

  if (self->syncing_range)
    return;
  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  if (parse_day (gtk_editable_get_text (GTK_EDITABLE (entry)), &date))
    select_calendar_day (self, entry == self->from_entry ? self->from_calendar : self->to_calendar,
                         &date);
}

static void
show_range_error (RdWorklistView *self,
                  GtkEntry       *entry,
                  const char     *message)
{
  gtk_label_set_text (self->range_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->range_error), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  gtk_widget_grab_focus (GTK_WIDGET (entry));
}

static void
on_range_apply (RdWorklistView *self)
{
  GDate first, last;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *label = NULL;

  if (!parse_day (gtk_editable_get_text (GTK_EDITABLE (self->from_entry)), &first))
    {
      show_range_error (self, self->from_entry,
                        _("The first day is not a date. Type it as YYYY-MM-DD, for example 2026-03-31, or pick it on the calendar."));
      return;
    }
  if (!parse_day (gtk_editable_get_text (GTK_EDITABLE (self->to_entry)), &last))
    {
      show_range_error (self, self->to_entry,
                        _("The last day is not a date. Type it as YYYY-MM-DD, for example 2026-03-31, or pick it on the calendar."));
      return;
    }
  if (g_date_compare (&first, &last) > 0)
    {
      show_range_error (self, self->to_entry,
                        _("The last day is before the first day. Choose a last day on or after the first one."));
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->range_error), FALSE);
  self->range_first = first;
  self->range_last = last;
  a = format_day (&first);
  b = format_day (&last);
  /* TRANSLATORS: a date range on the filter bar, e.g. "2026-03-01 – 2026-03-31" */
  label = g_strdup_printf (_("%s – %s"), a, b);
  gtk_menu_button_set_label (self->range_button, label);
  gtk_popover_popdown (self->range_popover);
  apply_filters (self);
}

/* Fills the range popover with the range in use, or the last seven days. */
static void
reset_range_popover (RdWorklistView *self)
{
  GDate first, last;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (g_date_valid (&self->range_first))
    {
      first = self->range_first;
      last = self->range_last;
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      g_date_clear (&last, 1);
      g_date_set_dmy (&last, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                      g_date_time_get_year (now));
      first = last;
      g_date_subtract_days (&first, 6);
    }
  a = format_day (&first);
  b = format_day (&last);
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), a);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), b);
  gtk_widget_set_visible (GTK_WIDGET (self->range_error), FALSE);
}

static void
on_range_popover_show (RdWorklistView *self)
{
  reset_range_popover (self);
}

static void
on_received_changed (RdWorklistView *self)
{
  gboolean custom = selected (self->received_dropdown) == RECEIVED_CUSTOM;

  apply_filters (self);
  /* "Custom range…" asks for the days at once. */
  if (custom && !g_date_valid (&self->range_first))
    gtk_menu_button_popup (self->range_button);
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
  const char *priority[RD_N_PRIORITIES + 1];
  const char *channel[G_N_ELEMENTS (channels) + 1];
  const char *assignee[] = { _("Anyone"), _("Me"), _("Unassigned"), _("A colleague…") };
  const char *direction[] = { _("Both directions"), _("Incoming"), _("Outgoing") };
  const char *received[] = { _("Any time"), _("Today"), _("Last 7 days"), _("Last 30 days"),
                             _("Custom range…") };
  const char *sort[] = { _("Priority and due"), _("Received"), _("Patient name"), _("Status") };
  const char *payer[] = { _("Any payer") };

  /* One check button per stage, in lifecycle order. */
  for (int i = 0; i < RD_N_STATUSES; i++)
    {
      GtkWidget *check = gtk_check_button_new_with_label (rd_status_get_label (i, RD_DIRECTION_INCOMING));

      g_object_set_data (G_OBJECT (check), "rd-status", GINT_TO_POINTER (i));
      g_signal_connect (check, "toggled", G_CALLBACK (on_stage_toggled), self);
      gtk_box_append (self->stage_box, check);
      self->stage_checks[i] = GTK_CHECK_BUTTON (check);
    }
  priority[0] = _("Any priority");
  for (int i = 0; i < RD_N_PRIORITIES; i++)
    priority[i + 1] = rd_priority_get_label (RD_PRIORITY_STAT - i);
  channel[0] = _("Any channel");
  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    channel[i + 1] = channels[i];

  set_strings (self->priority_dropdown, priority, G_N_ELEMENTS (priority));
  set_strings (self->assignee_dropdown, assignee, G_N_ELEMENTS (assignee));
  set_strings (self->payer_dropdown, payer, G_N_ELEMENTS (payer));
  set_strings (self->channel_dropdown, channel, G_N_ELEMENTS (channel));
  set_strings (self->direction_dropdown, direction, G_N_ELEMENTS (direction));
  set_strings (self->received_dropdown, received, G_N_ELEMENTS (received));
  set_strings (self->sort_dropdown, sort, G_N_ELEMENTS (sort));
}

static void
on_colleagues_loaded (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(RdWorklistView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) people = rd_repo_staff_colleagues_finish (RD_CONNECTION (source), result, &error);
  g_autoptr(GtkStringList) model = NULL;

  if (people == NULL)
    return;   /* the filter offers nobody; "Anyone" still works */

  model = gtk_string_list_new (NULL);
  g_ptr_array_set_size (self->colleague_logins, 0);
  for (guint i = 0; i < people->len; i++)
    {
      RdStaffMember *m = g_ptr_array_index (people, i);

      g_ptr_array_add (self->colleague_logins, g_strdup (m->login_name));
      gtk_string_list_append (model, m->display_name ? m->display_name : m->login_name);
    }
  g_signal_handlers_block_by_func (self->colleague_dropdown, on_filters_changed, self);
  gtk_drop_down_set_model (self->colleague_dropdown, G_LIST_MODEL (model));
  g_signal_handlers_unblock_by_func (self->colleague_dropdown, on_filters_changed, self);
  if (selected (self->assignee_dropdown) == ASSIGNEE_COLLEAGUE)
    apply_filters (self);
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
  g_clear_handle_id (&self->stale_id, g_source_remove);
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
  g_ptr_array_unref (self->colleague_logins);
  g_hash_table_unref (self->bound);
  g_hash_table_unref (self->stale);
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
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, stage_button);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, stage_popover);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, stage_box);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, priority_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, assignee_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, colleague_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, payer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, channel_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, direction_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, received_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, range_button);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, range_popover);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, from_entry);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, to_entry);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, from_calendar);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, to_calendar);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, range_error);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, columns_box);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, stack);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, column_view);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, spinner);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, RdWorklistView, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_filters_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stage_any_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_received_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_range_day_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_range_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_range_apply);
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
  self->colleague_logins = g_ptr_array_new_with_free_func (g_free);
  g_date_clear (&self->range_first, 1);
  g_date_clear (&self->range_last, 1);
  self->bound = g_hash_table_new (NULL, NULL);
  self->stale = g_hash_table_new (NULL, NULL);
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
  g_signal_connect_object (gtk_column_view_get_columns (self->column_view), "items-changed",
                           G_CALLBACK (on_columns_reordered), self, 0);
  g_signal_connect_object (self->range_popover, "show", G_CALLBACK (on_range_popover_show), self,
                           G_CONNECT_SWAPPED);

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
    {
      rd_connection_query_async (connection, "SELECT id, name FROM rd.payer ORDER BY name, id",
                                 NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT, self->cancellable,
                                 on_payers_loaded, g_object_ref (self));
      rd_repo_staff_colleagues_async (connection, 0, self->cancellable, on_colleagues_loaded,
                                      g_object_ref (self));
    }
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
