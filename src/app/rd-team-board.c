/* rd-team-board.c — a lead's view of the team: load per person, unassigned work, rebalancing
 *
 * Numbers come from two queries run as the lead (row-level security: the
 * lead's teams only) and are refreshed on change notifications after a short
 * quiet time, so what anyone changes shows here within a blink. People are
 * updated in place, so the selection and the "takes work" ticks survive a
 * refresh.
 *
 * Each action is one call of a schema function (rd.reassign_referrals,
 * rd.cover_for, rd.distribute_unassigned): one statement, one transaction,
 * all or nothing, audited by the schema's triggers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

/* Translatable strings use PRId64/PRIu64: xgettext understands them, not G_GINT64_FORMAT. */
#include <inttypes.h>
#include <glib/gi18n.h>

#include "rd-lifecycle.h"
#include "rd-priority.h"
#include "rd-referral-list.h"
#include "rd-team-board.h"

#define REFRESH_DEBOUNCE_MS 300

#define OPEN_STATUSES "('new', 'triage', 'pending_info', 'pending_auth', " \
                      "'accepted', 'scheduled', 'no_show', 'seen')"

/* ------------------------------------------------------------------------ */
/* RdBoardPerson                                                            */

struct _RdBoardPerson
{
  GObject  parent_instance;

  char    *login;
  char    *display_name;
  gint64   open;
  gint64   overdue;
  gint64   urgent;
  gint64   claimed;
  gint64   closed_week;
  gboolean chosen;
};

G_DEFINE_FINAL_TYPE (RdBoardPerson, rd_board_person, G_TYPE_OBJECT)

enum {
  PERSON_PROP_0,
  PERSON_PROP_CHOSEN,
  PERSON_PROP_COUNTS,
  PERSON_N_PROPS
};

static GParamSpec *person_props[PERSON_N_PROPS];

static void
rd_board_person_finalize (GObject *object)
{
  RdBoardPerson *self = RD_BOARD_PERSON (object);

  g_free (self->login);
  g_free (self->display_name);
  G_OBJECT_CLASS (rd_board_person_parent_class)->finalize (object);
}

static void
rd_board_person_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  RdBoardPerson *self = RD_BOARD_PERSON (object);

  switch (prop_id)
    {
    case PERSON_PROP_CHOSEN:
      g_value_set_boolean (value, self->chosen);
      break;
    case PERSON_PROP_COUNTS:
      g_value_set_int64 (value, self->open);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_board_person_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PERSON_PROP_CHOSEN:
      rd_board_person_set_chosen (RD_BOARD_PERSON (object), g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_board_person_class_init (RdBoardPersonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rd_board_person_finalize;
  object_class->get_property = rd_board_person_get_property;
  object_class->set_property = rd_board_person_set_property;

  person_props[PERSON_PROP_CHOSEN] =
    g_param_spec_boolean ("chosen", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Notified whenever any count changes (its value is the open count). */
  person_props[PERSON_PROP_COUNTS] =
    g_param_spec_int64 ("counts", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, PERSON_N_PROPS, person_props);
}

static void
rd_board_person_init (RdBoardPerson *self)
{
}

const char *rd_board_person_get_login (RdBoardPerson *self) { return self->login; }
const char *rd_board_person_get_display_name (RdBoardPerson *self) { return self->display_name; }
gint64 rd_board_person_get_open (RdBoardPerson *self) { return self->open; }
gint64 rd_board_person_get_overdue (RdBoardPerson *self) { return self->overdue; }
gint64 rd_board_person_get_urgent (RdBoardPerson *self) { return self->urgent; }
gint64 rd_board_person_get_claimed (RdBoardPerson *self) { return self->claimed; }
gint64 rd_board_person_get_closed_week (RdBoardPerson *self) { return self->closed_week; }
gboolean rd_board_person_get_chosen (RdBoardPerson *self) { return self->chosen; }

/**
 * rd_board_person_set_chosen:
 * @self: a person on the board
 * @chosen: whether they take work in "cover for" and "distribute"
 */
void
rd_board_person_set_chosen (RdBoardPerson *self,
                            gboolean       chosen)
{
  chosen = !!chosen;
  if (self->chosen == chosen)
    return;
  self->chosen = chosen;
  g_object_notify_by_pspec (G_OBJECT (self), person_props[PERSON_PROP_CHOSEN]);
}

/* ------------------------------------------------------------------------ */
/* RdTeamBoard                                                              */

struct _RdTeamBoard
{
  GtkWidget           parent_instance;

  AdwToastOverlay    *toasts;
  GtkStack           *stack;
  GtkColumnView      *people_view;
  GtkListBox         *queues_box;
  GtkLabel           *work_title;
  GtkDropDown        *target_dropdown;
  GtkColumnView      *work_view;
  AdwStatusPage      *error_page;

  RdConnection       *connection;
  RdListener         *listener;
  gulong              changed_id;
  gulong              resync_id;
  GCancellable       *cancellable;
  GListStore         *people;        /* RdBoardPerson */
  GtkSingleSelection *people_selection;
  RdReferralList     *work;
  GtkMultiSelection  *work_selection;
  GArray             *queue_ids;     /* gint64, in queues_box order */
  GHashTable         *unassigned;    /* gint64* queue id → gint64* count */
  GPtrArray          *targets;       /* char* login, or NULL + queue in target_queues */
  GArray             *target_queues; /* gint64 */
  guint               debounce_id;
  guint               n_refreshes;
  guint               pending;
  gboolean            loaded;
  gboolean            again;
};

G_DEFINE_FINAL_TYPE (RdTeamBoard, rd_team_board, GTK_TYPE_WIDGET)

static const char people_sql[] =
  "WITH lq AS (SELECT rd.my_lead_queue_ids() AS ids),"
  " people AS (SELECT DISTINCT s.login_name, s.display_name FROM rd.staff s"
  "   JOIN rd.team_member m ON m.staff_id = s.id"
  "   JOIN rd.work_queue q ON q.team_id = m.team_id"
  "   WHERE q.id = ANY ((SELECT ids FROM lq)::bigint[]) AND s.active)"
  " SELECT p.login_name, p.display_name,"
  "   count(r.id) FILTER (WHERE r.status IN " OPEN_STATUSES "),"
  "   count(r.id) FILTER (WHERE r.status IN " OPEN_STATUSES " AND r.due_at < now()),"
  "   count(r.id) FILTER (WHERE r.status IN " OPEN_STATUSES " AND r.priority_rank >= 1),"
  "   (SELECT count(*) FROM rd.referral c WHERE c.claimed_by = p.login_name"
  "      AND c.claimed_until > now()),"
  "   count(r.id) FILTER (WHERE r.closed_at >= date_trunc('week', now()))"
  " FROM people p LEFT JOIN rd.referral r ON r.assignee = p.login_name"
  "   AND (r.status IN " OPEN_STATUSES " OR r.closed_at >= date_trunc('week', now()))"
  " GROUP BY p.login_name, p.display_name"
  " ORDER BY p.display_name, p.login_name";

static const char queues_sql[] =
  "SELECT q.id, q.name, count(r.id) FROM rd.work_queue q"
  " LEFT JOIN rd.referral r ON r.queue_id = q.id AND r.assignee IS NULL"
  "   AND r.status IN " OPEN_STATUSES
  " WHERE q.id = ANY ((SELECT rd.my_lead_queue_ids())::bigint[])"
  " GROUP BY q.id, q.name ORDER BY q.name, q.id";

static void schedule_refresh (RdTeamBoard *self);

/* ---- people cells ---- */

typedef enum {
  PCOL_CHOSEN,
  PCOL_NAME,
  PCOL_OPEN,
  PCOL_OVERDUE,
  PCOL_URGENT,
  PCOL_CLAIMED,
  PCOL_CLOSED,
  N_PCOLS
} PeopleColumn;

static const char *pcol_titles[N_PCOLS] = {
  N_("Takes Work"), N_("Name"), N_("Open"), N_("Overdue"), N_("Urgent"),
  N_("Claimed Now"), N_("Closed This Week"),
};

static void
update_person_cell (GtkWidget     *cell,
                    RdBoardPerson *p)
{
  PeopleColumn col = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (cell), "rd-column"));
  gint64 n = 0;
  g_autofree char *text = NULL;

  switch (col)
    {
    case PCOL_NAME:
      gtk_label_set_text (GTK_LABEL (cell), p->display_name);
      return;
    case PCOL_OPEN: n = p->open; break;
    case PCOL_OVERDUE: n = p->overdue; break;
    case PCOL_URGENT: n = p->urgent; break;
    case PCOL_CLAIMED: n = p->claimed; break;
    case PCOL_CLOSED: n = p->closed_week; break;
    case PCOL_CHOSEN:
    case N_PCOLS:
    default:
      return;
    }
  text = g_strdup_printf ("%" G_GINT64_FORMAT, n);
  gtk_label_set_text (GTK_LABEL (cell), text);
  if (col == PCOL_OVERDUE && n > 0)
    gtk_widget_add_css_class (cell, "overdue");
  else
    gtk_widget_remove_css_class (cell, "overdue");
}

static void
on_person_notify (RdBoardPerson *p,
                  GParamSpec    *pspec,
                  GtkWidget     *cell)
{
  update_person_cell (cell, p);
}

static void
on_person_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item)
{
  PeopleColumn col = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "rd-column"));
  GtkWidget *cell;

  if (col == PCOL_CHOSEN)
    cell = gtk_check_button_new ();
  else
    {
      cell = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (cell), col == PCOL_NAME ? 0.0 : 1.0);
      gtk_label_set_ellipsize (GTK_LABEL (cell), PANGO_ELLIPSIZE_END);
    }
  g_object_set_data (G_OBJECT (cell), "rd-column", GINT_TO_POINTER (col));
  gtk_list_item_set_child (item, cell);
}

static void
on_person_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  GtkWidget *cell = gtk_list_item_get_child (item);
  RdBoardPerson *p = gtk_list_item_get_item (item);

  if (GTK_IS_CHECK_BUTTON (cell))
    {
      GBinding *b = g_object_bind_property (p, "chosen", cell, "active",
                                            G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
      g_object_set_data (G_OBJECT (cell), "rd-binding", b);
      gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      p->display_name, -1);
      return;
    }
  update_person_cell (cell, p);
  g_signal_connect_object (p, "notify::counts", G_CALLBACK (on_person_notify), cell, 0);
}

static void
on_person_unbind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item)
{
  GtkWidget *cell = gtk_list_item_get_child (item);
  RdBoardPerson *p = gtk_list_item_get_item (item);

  if (GTK_IS_CHECK_BUTTON (cell))
    {
      GBinding *b = g_object_steal_data (G_OBJECT (cell), "rd-binding");
      if (b != NULL)
        g_binding_unbind (b);
      return;
    }
  g_signal_handlers_disconnect_by_func (p, on_person_notify, cell);
}

/* ---- work cells (the selected person's open referrals) ---- */

static void
update_work_cell (GtkLabel   *label,
                  RdReferral *r)
{
  int col = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (label), "rd-column"));

  if (rd_referral_is_placeholder (r))
    {
      gtk_label_set_text (label, "");
      return;
    }
  switch (col)
    {
    case 0:
      gtk_label_set_text (label, rd_priority_get_label (rd_referral_get_priority (r)));
      break;
    case 1:
      gtk_label_set_text (label, rd_referral_get_patient_name (r) ? rd_referral_get_patient_name (r) : "");
      break;
    case 2:
      gtk_label_set_text (label, rd_referral_get_number (r));
      break;
    case 3:
      gtk_label_set_text (label, rd_status_get_label (rd_referral_get_status (r),
                                                      rd_referral_get_direction (r)));
      break;
    default:
      gtk_label_set_text (label, rd_referral_get_queue_name (r) ? rd_referral_get_queue_name (r) : "");
      break;
    }
}

static void
on_work_notify (RdReferral *r,
                GParamSpec *pspec,
                GtkLabel   *label)
{
  update_work_cell (label, r);
}

static void
on_work_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  g_object_set_data (G_OBJECT (label), "rd-column", g_object_get_data (G_OBJECT (factory), "rd-column"));
  gtk_list_item_set_child (item, label);
}

static void
on_work_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  RdReferral *r = gtk_list_item_get_item (item);

  update_work_cell (label, r);
  g_signal_connect_object (r, "notify", G_CALLBACK (on_work_notify), label, 0);
}

static void
on_work_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), on_work_notify,
                                        gtk_list_item_get_child (item));
}

static void
add_column (GtkColumnView *view,
            const char    *title,
            int            col,
            GCallback      setup,
            GCallback      bind,
            GCallback      unbind,
            gboolean       expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *c;

  g_object_set_data (G_OBJECT (factory), "rd-column", GINT_TO_POINTER (col));
  g_signal_connect (factory, "setup", setup, NULL);
  g_signal_connect (factory, "bind", bind, NULL);
  g_signal_connect (factory, "unbind", unbind, NULL);
  c = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (c, expand);
  gtk_column_view_column_set_resizable (c, TRUE);
  gtk_column_view_append_column (view, c);
  g_object_unref (c);
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                  */

static RdBoardPerson *
person_at (RdTeamBoard *self,
           guint        i)
{
  g_autoptr(RdBoardPerson) p = g_list_model_get_item (G_LIST_MODEL (self->people), i);
  return p;   /* the store holds it */
}

static void
rebuild_targets (RdTeamBoard *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->people));

  g_ptr_array_set_size (self->targets, 0);
  g_array_set_size (self->target_queues, 0);
  for (guint i = 0; i < n; i++)
    {
      RdBoardPerson *p = person_at (self, i);
      gint64 none = 0;

      g_ptr_array_add (self->targets, g_strdup (p->login));
      g_array_append_val (self->target_queues, none);
      gtk_string_list_append (names, p->display_name);
    }
  for (guint i = 0; i < self->queue_ids->len; i++)
    {
      gint64 q = g_array_index (self->queue_ids, gint64, i);
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->queues_box, i);
      g_autofree char *label = NULL;

      g_ptr_array_add (self->targets, NULL);
      g_array_append_val (self->target_queues, q);
      /* TRANSLATORS: %s is a work queue */
      label = g_strdup_printf (_("Unassigned in %s"),
                               row ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)) : "");
      gtk_string_list_append (names, label);
    }
  gtk_drop_down_set_model (self->target_dropdown, G_LIST_MODEL (names));
}

static void
apply_people (RdTeamBoard *self,
              RdResult    *res)
{
  int n = rd_result_get_n_rows (res);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean changed_set = FALSE;

  for (int i = 0; i < n; i++)
    {
      const char *login = rd_result_get_string (res, i, 0);
      RdBoardPerson *p = NULL;
      guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->people));

      for (guint k = 0; k < n_items; k++)
        if (g_strcmp0 (person_at (self, k)->login, login) == 0)
          {
            p = person_at (self, k);
            break;
          }
      if (p == NULL)
        {
          g_autoptr(RdBoardPerson) fresh = g_object_new (RD_TYPE_BOARD_PERSON, NULL);
          fresh->login = g_strdup (login);
          fresh->display_name = g_strdup (rd_result_get_string (res, i, 1));
          g_list_store_insert (self->people, MIN ((guint) i, n_items), fresh);
          p = fresh;
          changed_set = TRUE;
        }
      p->open = rd_result_get_int64 (res, i, 2);
      p->overdue = rd_result_get_int64 (res, i, 3);
      p->urgent = rd_result_get_int64 (res, i, 4);
      p->claimed = rd_result_get_int64 (res, i, 5);
      p->closed_week = rd_result_get_int64 (res, i, 6);
      g_object_notify_by_pspec (G_OBJECT (p), person_props[PERSON_PROP_COUNTS]);
      g_hash_table_add (seen, p->login);
    }

  for (guint k = g_list_model_get_n_items (G_LIST_MODEL (self->people)); k > 0; k--)
    if (!g_hash_table_contains (seen, person_at (self, k - 1)->login))
      {
        g_list_store_remove (self->people, k - 1);
        changed_set = TRUE;
      }

  if (changed_set)
    rebuild_targets (self);
}

static void on_distribute_clicked (GtkButton *button, RdTeamBoard *self);

static void
apply_queues (RdTeamBoard *self,
              RdResult    *res)
{
  int n = rd_result_get_n_rows (res);
  gboolean same = (guint) n == self->queue_ids->len;

  for (int i = 0; same && i < n; i++)
    same = g_array_index (self->queue_ids, gint64, i) == rd_result_get_int64 (res, i, 0);

  g_hash_table_remove_all (self->unassigned);
  if (!same)
    {
      GtkWidget *child;

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->queues_box))) != NULL)
        gtk_list_box_remove (self->queues_box, child);
      g_array_set_size (self->queue_ids, 0);
    }

  for (int i = 0; i < n; i++)
    {
      gint64 id = rd_result_get_int64 (res, i, 0);
      gint64 count = rd_result_get_int64 (res, i, 2);
      g_autofree char *subtitle = g_strdup_printf (ngettext ("%" PRId64 " unassigned",
                                                             "%" PRId64 " unassigned", count),
                                                   count);
      AdwActionRow *row;

      g_hash_table_insert (self->unassigned, g_memdup2 (&id, sizeof id), g_memdup2 (&count, sizeof count));
      if (!same)
        {
          GtkWidget *button = gtk_button_new_with_mnemonic (_("_Distribute"));

          row = ADW_ACTION_ROW (adw_action_row_new ());
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), rd_result_get_string (res, i, 1));
          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_set_tooltip_text (button, _("Give the unassigned referrals of this queue to the people ticked in “Takes work”, round-robin"));
          g_object_set_data (G_OBJECT (button), "rd-queue", GINT_TO_POINTER (i));
          g_signal_connect (button, "clicked", G_CALLBACK (on_distribute_clicked), self);
          adw_action_row_add_suffix (row, button);
          gtk_list_box_append (self->queues_box, GTK_WIDGET (row));
          g_array_append_val (self->queue_ids, id);
        }
      else
        row = ADW_ACTION_ROW (gtk_list_box_get_row_at_index (self->queues_box, i));
      adw_action_row_set_subtitle (row, subtitle);
    }
  if (!same)
    rebuild_targets (self);
}

static void
finish_load (RdTeamBoard *self)
{
  if (--self->pending > 0)
    return;
  self->n_refreshes++;
  if (self->again)
    {
      self->again = FALSE;
      schedule_refresh (self);
    }
}

static void
on_queues_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RdTeamBoard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (res == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    {
      apply_queues (self, res);
      self->loaded = TRUE;
      gtk_stack_set_visible_child_name (self->stack,
                                        rd_result_get_n_rows (res) == 0 ? "not-lead" : "board");
    }
  finish_load (self);
}

static void
on_people_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RdTeamBoard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (res != NULL)
    apply_people (self, res);
  finish_load (self);
}

/**
 * rd_team_board_refresh:
 * @self: a board
 *
 * Loads the numbers again now (a refresh while one runs is repeated once
 * after it).
 */
void
rd_team_board_refresh (RdTeamBoard *self)
{
  g_return_if_fail (RD_IS_TEAM_BOARD (self));

  if (self->connection == NULL)
    return;
  if (self->pending > 0)
    {
      self->again = TRUE;
      return;
    }
  self->pending = 2;
  /* Queues first: the people's target list names them. */
  rd_connection_query_async (self->connection, queues_sql, NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT,
                             self->cancellable, on_queues_loaded, g_object_ref (self));
  rd_connection_query_async (self->connection, people_sql, NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT,
                             self->cancellable, on_people_loaded, g_object_ref (self));
}

static gboolean
on_debounce (gpointer user_data)
{
  RdTeamBoard *self = user_data;

  self->debounce_id = 0;
  rd_team_board_refresh (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (RdTeamBoard *self)
{
  if (self->debounce_id == 0)
    self->debounce_id = g_timeout_add (REFRESH_DEBOUNCE_MS, on_debounce, self);
}

static void
on_listener_changed (RdListener  *listener,
                     const char  *table,
                     gint64       id,
                     gint64       version,
                     const char  *op,
                     RdTeamBoard *self)
{
  if (g_strcmp0 (table, "referral") == 0 || g_strcmp0 (table, "staff") == 0 ||
      g_strcmp0 (table, "team") == 0 || g_strcmp0 (table, "work_queue") == 0)
    schedule_refresh (self);
}

static void
on_listener_resync (RdListener  *listener,
                    RdTeamBoard *self)
{
  schedule_refresh (self);
}

/* ------------------------------------------------------------------------ */
/* Actions                                                                  */

static void
on_action_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  RdTeamBoard *self = g_task_get_source_object (task);

  if (res == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  rd_team_board_refresh (self);
  g_task_return_int (task, rd_result_is_null (res, 0, 0) ? 0 : rd_result_get_int64 (res, 0, 0));
}

static void
run_action (RdTeamBoard         *self,
            gpointer             source_tag,
            const char          *sql,
            const char * const  *params,
            int                  n_params,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (self->connection == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("Not connected to the database. Sign in again, then retry."));
      return;
    }
  rd_connection_query_async (self->connection, sql, params, n_params, RD_CONNECTION_TIMEOUT_DEFAULT,
                             cancellable, on_action_done, g_steal_pointer (&task));
}

/**
 * rd_team_board_reassign_async:
 * @self: a board
 * @ids: (array length=n_ids): referrals
 * @n_ids: how many
 * @assignee: (nullable): the login to give them to, or %NULL to unassign
 * @queue_id: a queue to move them to, or 0 to keep theirs
 * @cancellable: (nullable): a cancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * One transaction (rd.reassign_referrals): all move, or none when one may
 * not be moved.
 */
void
rd_team_board_reassign_async (RdTeamBoard         *self,
                              const gint64        *ids,
                              guint                n_ids,
                              const char          *assignee,
                              gint64               queue_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GString) array = g_string_new ("{");
  g_autofree char *queue = queue_id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, queue_id) : NULL;
  const char *params[3];

  g_return_if_fail (RD_IS_TEAM_BOARD (self));

  for (guint i = 0; i < n_ids; i++)
    g_string_append_printf (array, "%s%" G_GINT64_FORMAT, i ? "," : "", ids[i]);
  g_string_append_c (array, '}');
  params[0] = array->str;
  params[1] = assignee;
  params[2] = queue;
  run_action (self, rd_team_board_reassign_async,
              "SELECT rd.reassign_referrals($1::bigint[], $2, $3::bigint)",
              params, 3, cancellable, callback, user_data);
}

/**
 * rd_team_board_cover_for_async:
 * @self: a board
 * @from: whose open work moves
 * @to: (array zero-terminated=1): who takes it, split evenly in worklist order
 * @cancellable: (nullable): a cancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * One transaction (rd.cover_for).
 */
void
rd_team_board_cover_for_async (RdTeamBoard         *self,
                               const char          *from,
                               const char * const  *to,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autofree char *array = rd_pg_format_array (to);
  const char *params[] = { from, array };

  g_return_if_fail (RD_IS_TEAM_BOARD (self));
  run_action (self, rd_team_board_cover_for_async, "SELECT rd.cover_for($1, $2::text[])",
              params, 2, cancellable, callback, user_data);
}

/**
 * rd_team_board_distribute_async:
 * @self: a board
 * @queue_id: the queue whose unassigned open referrals are handed out
 * @to: (array zero-terminated=1): who takes them, round-robin
 * @cancellable: (nullable): a cancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * One transaction (rd.distribute_unassigned).
 */
void
rd_team_board_distribute_async (RdTeamBoard         *self,
                                gint64               queue_id,
                                const char * const  *to,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *array = rd_pg_format_array (to);
  g_autofree char *queue = g_strdup_printf ("%" G_GINT64_FORMAT, queue_id);
  const char *params[] = { queue, array };

  g_return_if_fail (RD_IS_TEAM_BOARD (self));
  run_action (self, rd_team_board_distribute_async,
              "SELECT rd.distribute_unassigned($1::bigint, $2::text[])",
              params, 2, cancellable, callback, user_data);
}

/**
 * rd_team_board_action_finish:
 * @self: a board
 * @result: the result
 * @error: return location for an error
 *
 * Returns: how many referrals moved, or -1 with @error set (nothing moved)
 */
gint64
rd_team_board_action_finish (RdTeamBoard   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

static char **
chosen_logins (RdTeamBoard *self,
               const char  *except)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->people));

  for (guint i = 0; i < n; i++)
    {
      RdBoardPerson *p = person_at (self, i);
      if (p->chosen && g_strcmp0 (p->login, except) != 0)
        g_strv_builder_add (b, p->login);
    }
  return g_strv_builder_end (b);
}

static void
on_ui_action_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RdTeamBoard *self = RD_TEAM_BOARD (source);
  g_autoptr(GError) error = NULL;
  gint64 n = rd_team_board_action_finish (self, result, &error);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    text = g_strdup_printf (_("Nothing was moved: %s"), error->message);
  else
    text = g_strdup_printf (ngettext ("Moved %" PRId64 " referral",
                                      "Moved %" PRId64 " referrals", n), n);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
}

static RdBoardPerson *
focused_person (RdTeamBoard *self)
{
  return gtk_single_selection_get_selected_item (self->people_selection);
}

static void
cover_for_action (GtkWidget  *widget,
                  const char *action,
                  GVariant   *param)
{
  RdTeamBoard *self = RD_TEAM_BOARD (widget);
  RdBoardPerson *from = focused_person (self);
  g_auto(GStrv) to = NULL;

  if (from == NULL)
    return;
  to = chosen_logins (self, from->login);
  if (to[0] == NULL)
    {
      adw_toast_overlay_add_toast (self->toasts,
                                   adw_toast_new (_("Tick “Takes work” for the people who should take over")));
      return;
    }
  rd_team_board_cover_for_async (self, from->login, (const char * const *) to, self->cancellable,
                                 on_ui_action_done, NULL);
}

static void
on_distribute_clicked (GtkButton   *button,
                       RdTeamBoard *self)
{
  guint i = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "rd-queue"));
  g_auto(GStrv) to = chosen_logins (self, NULL);

  if (i >= self->queue_ids->len)
    return;
  if (to[0] == NULL)
    {
      adw_toast_overlay_add_toast (self->toasts,
                                   adw_toast_new (_("Tick “Takes work” for the people who should get the referrals")));
      return;
    }
  rd_team_board_distribute_async (self, g_array_index (self->queue_ids, gint64, i),
                                  (const char * const *) to, self->cancellable, on_ui_action_done, NULL);
}

static void
reassign_action (GtkWidget  *widget,
                 const char *action,
                 GVariant   *param)
{
  RdTeamBoard *self = RD_TEAM_BOARD (widget);
  g_autoptr(GtkBitset) sel = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->work_selection));
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint target = gtk_drop_down_get_selected (self->target_dropdown);
  GtkBitsetIter iter;
  guint pos;

  if (target == GTK_INVALID_LIST_POSITION || target >= self->targets->len)
    return;
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, sel, &pos); ok;
       ok = gtk_bitset_iter_next (&iter, &pos))
    {
      g_autoptr(RdReferral) r = g_list_model_get_item (G_LIST_MODEL (self->work), pos);
      gint64 id = rd_referral_get_id (r);
      if (id > 0)
        g_array_append_val (ids, id);
    }
  if (ids->len == 0)
    {
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (_("Select referrals in the list first")));
      return;
    }
  rd_team_board_reassign_async (self, (const gint64 *) ids->data, ids->len,
                                g_ptr_array_index (self->targets, target),
                                g_array_index (self->target_queues, gint64, target),
                                self->cancellable, on_ui_action_done, NULL);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action,
                GVariant   *param)
{
  rd_team_board_refresh (RD_TEAM_BOARD (widget));
}

static void
on_person_selected (RdTeamBoard *self)
{
  RdBoardPerson *p = focused_person (self);
  g_autoptr(RdReferralQuery) q = rd_referral_query_new ();
  g_autofree char *title = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "board.cover-for", p != NULL);
  if (p == NULL)
    {
      /* Nobody selected: the unassigned work, ready to be handed out. */
      gtk_label_set_text (self->work_title, _("Unassigned work (select a person to see theirs)"));
      q->assignee = RD_ASSIGNEE_UNASSIGNED;
    }
  else
    {
      /* TRANSLATORS: %s is a colleague's name */
      title = g_strdup_printf (_("Open work of %s"), p->display_name);
      gtk_label_set_text (self->work_title, title);
      q->assignee = RD_ASSIGNEE_PERSON;
      q->assignee_login = g_strdup (p->login);
    }
  rd_referral_list_set_filter (self->work, q);
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
rd_team_board_dispose (GObject *object)
{
  RdTeamBoard *self = RD_TEAM_BOARD (object);

  rd_team_board_set_listener (self, NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_TEAM_BOARD);
  g_clear_object (&self->people_selection);
  g_clear_object (&self->people);
  g_clear_object (&self->work_selection);
  g_clear_object (&self->work);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (rd_team_board_parent_class)->dispose (object);
}

static void
rd_team_board_finalize (GObject *object)
{
  RdTeamBoard *self = RD_TEAM_BOARD (object);

  g_array_unref (self->queue_ids);
  g_hash_table_unref (self->unassigned);
  g_ptr_array_unref (self->targets);
  g_array_unref (self->target_queues);
  G_OBJECT_CLASS (rd_team_board_parent_class)->finalize (object);
}

static void
rd_team_board_class_init (RdTeamBoardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_team_board_dispose;
  object_class->finalize = rd_team_board_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-team-board.ui");
  gtk_widget_class_bind_template_child (widget_class, RdTeamBoard, toasts);
  gtk_widget_class_bind_template_child (widget_class, RdTeamBoard, stack);
  gtk_widget_class_bind_template_child (widget_class, RdTeamBoard, people_view);
  gtk_widget_class_bind_template_child (widget_class, RdTeamBoard, queues_box);
  gtk_widget_class_bind_template_child (widget_class, RdTeamBoard, work_title);
  gtk_widget_class_bind_template_child (widget_class, RdTeamBoard, target_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RdTeamBoard, work_view);
  gtk_widget_class_bind_template_child (widget_class, RdTeamBoard, error_page);

  gtk_widget_class_install_action (widget_class, "board.cover-for", NULL, cover_for_action);
  gtk_widget_class_install_action (widget_class, "board.reassign", NULL, reassign_action);
  gtk_widget_class_install_action (widget_class, "board.refresh", NULL, refresh_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "board.refresh", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "teamboard");
}

static void
rd_team_board_init (RdTeamBoard *self)
{
  static const char *work_titles[] = { N_("Priority"), N_("Patient"), N_("Number"), N_("Status"), N_("Queue") };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->queue_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->unassigned = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->targets = g_ptr_array_new_with_free_func (g_free);
  self->target_queues = g_array_new (FALSE, FALSE, sizeof (gint64));

  self->people = g_list_store_new (RD_TYPE_BOARD_PERSON);
  self->people_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->people)));
  gtk_column_view_set_model (self->people_view, GTK_SELECTION_MODEL (self->people_selection));
  for (int i = 0; i < N_PCOLS; i++)
    add_column (self->people_view, _(pcol_titles[i]), i, G_CALLBACK (on_person_setup),
                G_CALLBACK (on_person_bind), G_CALLBACK (on_person_unbind), i == PCOL_NAME);
  g_signal_connect_object (self->people_selection, "notify::selected-item",
                           G_CALLBACK (on_person_selected), self, G_CONNECT_SWAPPED);

  self->work = rd_referral_list_new (NULL);
  self->work_selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->work)));
  gtk_column_view_set_model (self->work_view, GTK_SELECTION_MODEL (self->work_selection));
  for (guint i = 0; i < G_N_ELEMENTS (work_titles); i++)
    add_column (self->work_view, _(work_titles[i]), i, G_CALLBACK (on_work_setup),
                G_CALLBACK (on_work_bind), G_CALLBACK (on_work_unbind), i == 1);

  gtk_stack_set_visible_child_name (self->stack, "loading");
  on_person_selected (self);
}

/**
 * rd_team_board_new:
 *
 * Returns: (transfer floating): a team board, not connected yet
 */
GtkWidget *
rd_team_board_new (void)
{
  return g_object_new (RD_TYPE_TEAM_BOARD, NULL);
}

/**
 * rd_team_board_set_connection:
 * @self: a board
 * @connection: (nullable): the lead's connection
 */
void
rd_team_board_set_connection (RdTeamBoard  *self,
                              RdConnection *connection)
{
  g_return_if_fail (RD_IS_TEAM_BOARD (self));

  if (!g_set_object (&self->connection, connection))
    return;
  rd_referral_list_set_connection (self->work, connection);
  rd_team_board_refresh (self);
}

/**
 * rd_team_board_set_listener:
 * @self: a board
 * @listener: (nullable): change notifications that refresh the board
 */
void
rd_team_board_set_listener (RdTeamBoard *self,
                            RdListener  *listener)
{
  g_return_if_fail (RD_IS_TEAM_BOARD (self));

  if (self->listener != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->listener);
      g_clear_signal_handler (&self->resync_id, self->listener);
      g_clear_object (&self->listener);
    }
  if (self->work != NULL)
    rd_referral_list_follow (self->work, listener);
  if (listener == NULL)
    return;
  self->listener = g_object_ref (listener);
  self->changed_id = g_signal_connect_object (listener, "changed", G_CALLBACK (on_listener_changed), self, 0);
  self->resync_id = g_signal_connect_object (listener, "resync", G_CALLBACK (on_listener_resync), self, 0);
}

/**
 * rd_team_board_is_loaded:
 * @self: a board
 *
 * Returns: whether numbers have arrived
 */
gboolean
rd_team_board_is_loaded (RdTeamBoard *self)
{
  g_return_val_if_fail (RD_IS_TEAM_BOARD (self), FALSE);
  return self->loaded && self->pending == 0;
}

/**
 * rd_team_board_get_n_refreshes:
 * @self: a board
 *
 * Returns: how many refreshes completed
 */
guint
rd_team_board_get_n_refreshes (RdTeamBoard *self)
{
  g_return_val_if_fail (RD_IS_TEAM_BOARD (self), 0);
  return self->n_refreshes;
}

/**
 * rd_team_board_get_people:
 * @self: a board
 *
 * Returns: (transfer none): the people of the lead's teams, #RdBoardPerson
 */
GListModel *
rd_team_board_get_people (RdTeamBoard *self)
{
  g_return_val_if_fail (RD_IS_TEAM_BOARD (self), NULL);
  return G_LIST_MODEL (self->people);
}

/**
 * rd_team_board_get_unassigned:
 * @self: a board
 * @queue_id: a queue the lead leads
 *
 * Returns: its open, unassigned referrals, or -1 when unknown
 */
gint64
rd_team_board_get_unassigned (RdTeamBoard *self,
                              gint64       queue_id)
{
  gint64 *n;

  g_return_val_if_fail (RD_IS_TEAM_BOARD (self), -1);
  n = g_hash_table_lookup (self->unassigned, &queue_id);
  return n ? *n : -1;
}
