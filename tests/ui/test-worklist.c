/* test-worklist.c — the sidebar, worklist and team board in a real window
 *
 * A database with a few hundred referrals (seeded here with SQL), the
 * widgets signed in as a team lead, under Xvfb: rows arrive, a filter and a
 * search narrow them, a colleague's change on another connection shows up,
 * "Next referral" claims one, and screenshots are saved as artefacts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <adwaita.h>

#include "../store/schema-fixture.h"
#include "rd-lifecycle.h"
#include "rd-listener.h"
#include "rd-sidebar.h"
#include "rd-team-board.h"
#include "rd-test-ui.h"
#include "rd-worklist-view.h"

#define N_REFERRALS 300

typedef struct {
  FxDb         *db;
  char         *queue;
  char         *lead;
  char         *colleague;
  RdConnection *conn;
  RdListener   *listener;
} Fixture;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
have_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
seed (Fixture *fx)
{
  g_autofree char *n = g_strdup_printf ("%d", N_REFERRALS);

  PQclear (PQexec (fx->db->admin, "SET client_min_messages = warning"));
  PQclear (fx_exec (fx->db->admin,
                    "INSERT INTO rd.payer (name) VALUES ('Aetna'), ('Blue Cross'), ('Medicare'), ('Medicaid')",
                    NULL));
  PQclear (fx_exec (fx->db->admin,
                    "INSERT INTO rd.payer_plan (payer_id, name, kind)"
                    " SELECT id, name || ' Standard', CASE name WHEN 'Medicare' THEN 'medicare'"
                    "   WHEN 'Medicaid' THEN 'medicaid' ELSE 'commercial' END FROM rd.payer",
                    NULL));
  PQclear (fx_exec (fx->db->admin,
                    "INSERT INTO rd.provider (name, specialty) VALUES"
                    " ('Dr. Ana Ruiz', 'Family medicine'), ('Dr. Ben Cole', 'Internal medicine'),"
                    " ('Dr. Chen Wu', 'Pediatrics')",
                    NULL));
  PQclear (fx_exec (fx->db->admin,
                    "WITH p AS ("
                    "  INSERT INTO rd.patient (family_name, given_name, dob, mrn)"
                    "  SELECT (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller',"
                    "                'Davis','Rodriguez','Martinez','Okafor','Nguyen'])[1 + g % 12],"
                    "         (ARRAY['Ava','Liam','Mia','Noah','Zoe','Ethan','Ines','Omar','Lena'])[1 + g % 9],"
                    "         DATE '1940-01-01' + g * 67, 'M' || lpad(g::text, 7, '0')"
                    "  FROM generate_series(1, $1::int) AS g RETURNING id),"
                    " c AS (INSERT INTO rd.coverage (patient_id, payer_plan_id, member_id)"
                    "  SELECT p.id, (SELECT id FROM rd.payer_plan ORDER BY id OFFSET p.id % 4 LIMIT 1),"
                    "         'W' || p.id FROM p RETURNING id, patient_id)"
                    " INSERT INTO rd.referral (channel, queue_id, priority, due_at, patient_id, coverage_id,"
                    "   referring_provider_id, specialty, received_at, assignee)"
                    " SELECT (ARRAY['fax','email','hl7','phone'])[1 + c.patient_id % 4], $2::bigint,"
                    "   (ARRAY['routine','routine','routine','urgent','asap','stat'])[1 + c.patient_id % 6],"
                    "   now() + ((c.patient_id % 40) - 12) * interval '3 hours', c.patient_id, c.id,"
                    "   (SELECT id FROM rd.provider ORDER BY id OFFSET c.patient_id % 3 LIMIT 1),"
                    "   (ARRAY['Cardiology','Dermatology','Orthopedics'])[1 + c.patient_id % 3],"
                    "   now() - (c.patient_id % 72) * interval '1 hour',"
                    "   CASE c.patient_id % 5 WHEN 0 THEN $3 WHEN 1 THEN $4 END"
                    " FROM c",
                    n, fx->queue, fx->lead, fx->colleague, NULL));
  /* A colleague is working on a few right now. */
  PQclear (fx_exec (fx->db->admin,
                    "UPDATE rd.referral SET claimed_by = $1, claimed_until = now() + interval '10 minutes'"
                    " WHERE id IN (SELECT id FROM rd.referral ORDER BY priority_rank DESC, due_at, id LIMIT 3)",
                    fx->colleague, NULL));
  PQclear (fx_exec (fx->db->admin, "ANALYZE", NULL));
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *conninfo = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  fx->db = fx_db_new ();
  if (fx->db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev test)");
      return;
    }
  fx->queue = fx_team (fx->db, "Cardiology");
  fx->lead = fx_staff (fx->db, "Lena Lead", RD_STAFF_ROLE_LEAD, "Cardiology");
  fx->colleague = fx_staff (fx->db, "Maria Garcia", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  PQclear (fx_exec (fx->db->admin,
                    "UPDATE rd.team_member SET role = 'lead' WHERE staff_id ="
                    " (SELECT id FROM rd.staff WHERE login_name = $1)", fx->lead, NULL));
  seed (fx);

  conninfo = rd_test_pg_conninfo (fx->db->dbname, fx->lead);
  fx->conn = rd_connection_new (conninfo);
  rd_connection_open_async (fx->conn, NULL, on_done, &result);
  g_assert_true (rd_test_ui_wait_until (have_result, &result, 20000));
  rd_connection_open_finish (fx->conn, result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  fx->listener = rd_listener_new (conninfo);
  rd_listener_start_async (fx->listener, NULL, on_done, &result);
  g_assert_true (rd_test_ui_wait_until (have_result, &result, 20000));
  rd_listener_start_finish (fx->listener, result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->listener);
  g_clear_object (&fx->conn);
  g_clear_pointer (&fx->db, fx_db_free);
  g_free (fx->queue);
  g_free (fx->lead);
  g_free (fx->colleague);
}

static gboolean
list_ready (gpointer data)
{
  RdReferralList *list = data;
  g_autoptr(RdReferral) first = NULL;

  if (rd_referral_list_get_state (list) != RD_REFERRAL_LIST_STATE_READY ||
      rd_referral_list_get_busy (list))
    return FALSE;
  if (g_list_model_get_n_items (G_LIST_MODEL (list)) == 0)
    return TRUE;
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  return !rd_referral_is_placeholder (first);
}

static gboolean
counts_loaded (gpointer data)
{
  return rd_queue_counts_is_loaded (data);
}

typedef struct {
  RdReferralList *list;
  gint64          id;
} FirstIs;

static gboolean
first_is (gpointer data)
{
  FirstIs *f = data;
  g_autoptr(RdReferral) first = g_list_model_get_item (G_LIST_MODEL (f->list), 0);

  return first != NULL && rd_referral_get_id (first) == f->id;
}

static void
on_activated (RdWorklistView *view,
              RdReferral     *referral,
              RdReferral    **out)
{
  g_set_object (out, referral);
}

static gboolean
have_object (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static void
test_worklist (Fixture       *fx,
               gconstpointer  data)
{
  GtkWidget *window, *paned, *sidebar, *view;
  RdReferralList *list;
  g_autoptr(RdReferralQuery) query = rd_referral_query_new ();
  g_autoptr(GdkTexture) shot = NULL;
  g_autoptr(RdReferral) activated = NULL;
  g_autoptr(PGresult) res = NULL;
  GtkWidget *focus;
  guint all;
  FirstIs f;

  if (fx->db == NULL)
    return;

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  sidebar = rd_sidebar_new ();
  view = rd_worklist_view_new ();
  gtk_widget_set_size_request (sidebar, 230, -1);
  gtk_paned_set_start_child (GTK_PANED (paned), sidebar);
  gtk_paned_set_end_child (GTK_PANED (paned), view);
  gtk_paned_set_shrink_start_child (GTK_PANED (paned), FALSE);
  gtk_paned_set_position (GTK_PANED (paned), 240);
  gtk_window_set_child (GTK_WINDOW (window), paned);
  g_signal_connect (view, "referral-activated", G_CALLBACK (on_activated), &activated);

  /* How the window wires them: the sidebar chooses, the view shows. */
  g_signal_connect_swapped (sidebar, "query-selected", G_CALLBACK (rd_worklist_view_set_query), view);
  g_signal_connect_swapped (sidebar, "next-referral", G_CALLBACK (rd_worklist_view_next_referral), view);
  rd_sidebar_set_connection (RD_SIDEBAR (sidebar), fx->conn);
  rd_sidebar_set_listener (RD_SIDEBAR (sidebar), fx->listener);
  rd_worklist_view_set_connection (RD_WORKLIST_VIEW (view), fx->conn);
  rd_worklist_view_set_listener (RD_WORKLIST_VIEW (view), fx->listener);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_drawn (window, 10000));
  list = rd_worklist_view_get_model (RD_WORKLIST_VIEW (view));

  /* "My work" in the sidebar: the lead's own 60. */
  rd_sidebar_select_my_work (RD_SIDEBAR (sidebar));
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_REFERRALS / 5);

  /* The whole queue. */
  query->queue_id = g_ascii_strtoll (fx->queue, NULL, 10);
  rd_worklist_view_set_query (RD_WORKLIST_VIEW (view), query);
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  g_assert_true (rd_test_ui_wait_until (counts_loaded, rd_sidebar_get_counts (RD_SIDEBAR (sidebar)), 20000));
  all = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (all, ==, N_REFERRALS);
  g_assert_cmpint (rd_queue_counts_lookup (rd_sidebar_get_counts (RD_SIDEBAR (sidebar)), RD_COUNT_QUEUE,
                                           query->queue_id)->total, ==, N_REFERRALS);
  g_assert_true (rd_test_ui_wait_drawn (window, 10000));
  rd_test_ui_spin (300);
  shot = rd_test_ui_screenshot (window, "worklist");
  g_assert_true (rd_test_ui_texture_has_content (shot));
  g_clear_object (&shot);

  /* A filter from the sidebar: STAT / urgent. */
  query->queue_id = 0;
  query->urgent = TRUE;
  rd_worklist_view_set_query (RD_WORKLIST_VIEW (view), query);
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_REFERRALS / 2);

  /* And a search typed into the search field (Ctrl+F puts the focus there). */
  gtk_widget_activate_action (view, "worklist.focus-search", NULL);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (GTK_IS_EDITABLE (focus));
  gtk_editable_set_text (GTK_EDITABLE (focus), "Okafor");
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  rd_test_ui_spin (400);   /* the entry's search delay, then the query */
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  res = fx_exec (fx->db->admin,
                 "SELECT count(*) FROM rd.referral r JOIN rd.patient p ON p.id = r.patient_id"
                 " WHERE p.family_name = 'Okafor' AND r.priority_rank >= 1", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==,
                    g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), >, 0);
  rd_test_ui_spin (300);
  shot = rd_test_ui_screenshot (window, "worklist-filtered");
  g_assert_true (rd_test_ui_texture_has_content (shot));
  g_clear_object (&shot);

  /* A search that finds nothing shows the designed empty page. */
  gtk_editable_set_text (GTK_EDITABLE (focus), "Zzyzx");
  rd_test_ui_spin (400);
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  rd_test_ui_spin (200);
  shot = rd_test_ui_screenshot (window, "worklist-empty");
  g_clear_object (&shot);
  gtk_editable_set_text (GTK_EDITABLE (focus), "");
  rd_test_ui_spin (400);

  /* A colleague makes a routine referral STAT and due first, on another
   * connection: it appears on top of the open list. */
  query->urgent = FALSE;
  query->queue_id = g_ascii_strtoll (fx->queue, NULL, 10);
  rd_worklist_view_set_query (RD_WORKLIST_VIEW (view), query);
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  g_clear_pointer (&res, PQclear);
  res = fx_exec (fx->db->admin,
                 "UPDATE rd.referral SET priority = 'stat', due_at = now() - interval '2 days'"
                 " WHERE id = (SELECT max(id) FROM rd.referral WHERE priority = 'routine')"
                 " RETURNING id", NULL);
  f.list = list;
  f.id = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  g_assert_true (rd_test_ui_wait_until (first_is, &f, 20000));

  /* j moves the selection, Enter opens. */
  gtk_widget_activate_action (view, "worklist.select-next", NULL);
  g_assert_nonnull (rd_worklist_view_get_selected (RD_WORKLIST_VIEW (view)));
  g_assert_cmpint (rd_referral_get_id (rd_worklist_view_get_selected (RD_WORKLIST_VIEW (view))), ==, f.id);

  /* Next referral: claims the most urgent unclaimed new one and opens it. */
  gtk_widget_activate_action (view, "worklist.next-referral", NULL);
  g_assert_true (rd_test_ui_wait_until (have_object, &activated, 20000));
  g_assert_cmpstr (rd_referral_get_claimed_by (activated), ==, fx->lead);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The filter bar from the keyboard ------------------------------------------ */

static GtkWidget *
find (GtkWidget  *root,
      const char *id)
{
  GtkWidget *w = rd_test_ui_find_by_id (root, id);

  g_assert_nonnull (w);
  return w;
}

/* A popover's focus is its window's. */
static GtkWidget *
focus_of (GtkWidget *native)
{
  return gtk_root_get_focus (gtk_widget_get_root (native));
}

static gboolean
focus_in (GtkWidget *native,
          GtkWidget *target)
{
  GtkWidget *f = focus_of (native);

  return f != NULL && (f == target || gtk_widget_is_ancestor (f, target));
}

/* Presses Tab (what its key binding does: move the focus forward) until
 * the focus is on or inside @target, and Shift+Tab when it got into the
 * list (where Tab goes from row to row in GTK 4.8); FALSE when @target is
 * not in the focus chain. */
static gboolean
tab_to (GtkWidget *native,
        GtkWidget *target)
{
  const GtkDirectionType dirs[] = { GTK_DIR_TAB_FORWARD, GTK_DIR_TAB_BACKWARD };

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    for (int i = 0; i < 40; i++)
      {
        GtkWidget *f = focus_of (native);

        if (focus_in (native, target))
          return TRUE;
        if (dirs[d] == GTK_DIR_TAB_FORWARD && f != NULL &&
            gtk_widget_get_ancestor (f, GTK_TYPE_COLUMN_VIEW) != NULL)
          break;
        if (!gtk_widget_child_focus (native, dirs[d]))
          gtk_widget_child_focus (native, dirs[d]);   /* wrapped around */
        rd_test_ui_spin (10);
      }
  return focus_in (native, target);
}

/* Enter or space on the focused widget: its activate signal. A button
 * shows itself pressed and clicks a quarter of a second later. */
static void
press_enter (GtkWidget *native)
{
  GtkWidget *f = focus_of (native);

  g_assert_nonnull (f);
  /* In a text field Enter is the text's "activate" key binding. */
  if (GTK_IS_TEXT (f))
    g_signal_emit_by_name (f, "activate");
  else
    g_assert_true (gtk_widget_activate (f));
  rd_test_ui_spin (350);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
is_unmapped (gpointer data)
{
  return !gtk_widget_get_mapped (data);
}

/* Opens a drop-down from the keyboard and activates row @pos of its list,
 * as the arrows and Enter do. */
static void
choose_from_keyboard (GtkWidget *window,
                      GtkWidget *dropdown,
                      guint      pos)
{
  GtkWidget *popover, *list;

  g_assert_true (tab_to (window, dropdown));
  press_enter (window);
  popover = rd_test_ui_find_by_type (dropdown, GTK_TYPE_POPOVER);
  g_assert_nonnull (popover);
  g_assert_true (rd_test_ui_wait_until (is_mapped, popover, 5000));
  list = rd_test_ui_find_by_type (popover, GTK_TYPE_LIST_VIEW);
  g_assert_nonnull (list);
  /* The arrows move the list's selection to the row, Enter activates it. */
  g_assert_true (gtk_selection_model_select_item (gtk_list_view_get_model (GTK_LIST_VIEW (list)), pos, TRUE));
  g_assert_true (gtk_widget_activate_action (list, "list.activate-item", "u", pos));
  g_assert_true (rd_test_ui_wait_until (is_unmapped, popover, 5000));
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (dropdown)), ==, pos);
}

static GtkWidget *
stage_check (GtkWidget *stage_box,
             RdStatus   status)
{
  const char *label = rd_status_get_label (status, RD_DIRECTION_INCOMING);

  for (GtkWidget *c = gtk_widget_get_first_child (stage_box); c; c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_CHECK_BUTTON (c) && g_strcmp0 (gtk_check_button_get_label (GTK_CHECK_BUTTON (c)), label) == 0)
      return c;
  g_assert_not_reached ();
}

static guint
server_count (Fixture    *fx,
              const char *sql,
              ...)
{
  const char *params[8];
  int n = 0;
  const char *p;
  va_list ap;
  g_autoptr(PGresult) res = NULL;

  va_start (ap, sql);
  while ((p = va_arg (ap, const char *)) != NULL && n < 8)
    params[n++] = p;
  va_end (ap);
  res = PQexecParams (fx->db->admin, sql, n, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  return (guint) g_ascii_strtoull (PQgetvalue (res, 0, 0), NULL, 10);
}

static gboolean
colleagues_loaded (gpointer data)
{
  GListModel *model = gtk_drop_down_get_model (data);

  return model != NULL && g_list_model_get_n_items (model) >= 2;
}

static void
test_filter_controls (Fixture       *fx,
                      gconstpointer  data)
{
  GtkWidget *window, *view, *w, *popover, *check, *from_entry, *to_entry, *error_label;
  GtkWidget *view2, *window2;
  RdReferralList *list;
  g_autoptr(RdReferralQuery) query = rd_referral_query_new ();
  g_autoptr(GdkTexture) shot = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_auto(GStrv) order = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autofree char *today_s = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *yesterday_s = g_date_time_format (yesterday, "%Y-%m-%d");
  g_autofree char *label = NULL;
  GtkColumnView *cv;
  GListModel *names;
  guint maria = G_MAXUINT, expected;

  if (fx->db == NULL)
    return;

  /* Some of the queue waits for information or an authorization. */
  PQclear (fx_exec (fx->db->admin, "UPDATE rd.referral SET status = 'triage' WHERE id % 4 IN (1, 2)", NULL));
  PQclear (fx_exec (fx->db->admin, "UPDATE rd.referral SET status = 'pending_info' WHERE id % 4 = 1", NULL));
  PQclear (fx_exec (fx->db->admin, "UPDATE rd.referral SET status = 'pending_auth' WHERE id % 4 = 2", NULL));

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  view = rd_worklist_view_new ();
  gtk_window_set_child (GTK_WINDOW (window), view);
  rd_worklist_view_set_connection (RD_WORKLIST_VIEW (view), fx->conn);
  query->queue_id = g_ascii_strtoll (fx->queue, NULL, 10);
  rd_worklist_view_set_query (RD_WORKLIST_VIEW (view), query);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_drawn (window, 10000));
  list = rd_worklist_view_get_model (RD_WORKLIST_VIEW (view));
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_REFERRALS);
  rd_worklist_view_focus_search (RD_WORKLIST_VIEW (view));

  /* Stages: Tab to the stage button, Enter opens the popover, Tab to a
   * check button, space ticks it; two of them. */
  w = find (view, "stage_button");
  popover = find (view, "stage_popover");
  g_assert_true (tab_to (window, w));
  press_enter (window);
  g_assert_true (rd_test_ui_wait_until (is_mapped, popover, 5000));
  check = stage_check (find (view, "stage_box"), RD_STATUS_PENDING_INFO);
  g_assert_true (tab_to (popover, check));
  press_enter (popover);
  check = stage_check (find (view, "stage_box"), RD_STATUS_PENDING_AUTH);
  g_assert_true (tab_to (popover, check));
  press_enter (popover);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  rd_test_ui_spin (200);
  shot = rd_test_ui_screenshot (popover, "worklist-stage-popover");
  g_assert_true (rd_test_ui_texture_has_content (shot));
  g_clear_object (&shot);
  gtk_popover_popdown (GTK_POPOVER (popover));   /* Escape */
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  expected = server_count (fx, "SELECT count(*) FROM rd.referral WHERE queue_id = $1::bigint"
                               " AND status IN ('pending_info', 'pending_auth')", fx->queue, NULL);
  g_assert_cmpuint (expected, ==, N_REFERRALS / 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, expected);
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (w)), ==, "2 stages");
  rd_test_ui_spin (200);
  shot = rd_test_ui_screenshot (window, "worklist-stages");
  g_clear_object (&shot);

  /* "Any stage" from the keyboard clears the set. */
  gtk_widget_grab_focus (w);
  press_enter (window);
  g_assert_true (rd_test_ui_wait_until (is_mapped, popover, 5000));
  g_assert_true (tab_to (popover, find (view, "stage_any_button")));
  press_enter (popover);
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_REFERRALS);

  /* A colleague: "A colleague…" in the assignee filter, then Maria. */
  choose_from_keyboard (window, find (view, "assignee_dropdown"), 3);
  w = find (view, "colleague_dropdown");
  g_assert_true (gtk_widget_get_visible (w));
  g_assert_true (rd_test_ui_wait_until (colleagues_loaded, w, 20000));
  names = gtk_drop_down_get_model (GTK_DROP_DOWN (w));
  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (names), i), "Maria Garcia") == 0)
      maria = i;
  g_assert_cmpuint (maria, !=, G_MAXUINT);
  choose_from_keyboard (window, w, maria);
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  expected = server_count (fx, "SELECT count(*) FROM rd.referral WHERE queue_id = $1::bigint"
                               " AND assignee = $2 AND rd.status_is_open(status)",
                           fx->queue, fx->colleague, NULL);
  g_assert_cmpuint (expected, ==, N_REFERRALS / 5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, expected);
  for (guint i = 0; i < expected; i += 7)
    {
      g_autoptr(RdReferral) r = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (!rd_referral_is_placeholder (r))
        g_assert_cmpstr (rd_referral_get_assignee (r), ==, fx->colleague);
    }
  rd_test_ui_spin (200);
  shot = rd_test_ui_screenshot (window, "worklist-colleague");
  g_clear_object (&shot);
  choose_from_keyboard (window, find (view, "assignee_dropdown"), 0);
  g_assert_false (gtk_widget_get_visible (w));
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));

  /* A custom range: choosing it opens the popover; a day typed wrong says
   * so and changes nothing; a day picked on the calendar and one typed
   * right show yesterday and today. */
  choose_from_keyboard (window, find (view, "received_dropdown"), 4);
  popover = find (view, "range_popover");
  g_assert_true (rd_test_ui_wait_until (is_mapped, popover, 5000));
  from_entry = find (view, "from_entry");
  to_entry = find (view, "to_entry");
  error_label = find (view, "range_error");
  g_assert_true (tab_to (popover, from_entry));
  gtk_editable_set_text (GTK_EDITABLE (from_entry), "2026-13-40");
  press_enter (popover);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "YYYY-MM-DD"));
  g_assert_true (gtk_widget_get_mapped (popover));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_REFERRALS);
  rd_test_ui_spin (200);
  shot = rd_test_ui_screenshot (popover, "worklist-range-invalid");
  g_clear_object (&shot);

  /* The calendar: the arrows and space pick a day; here, yesterday. */
  gtk_calendar_select_day (GTK_CALENDAR (find (view, "from_calendar")), yesterday);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (from_entry)), ==, yesterday_s);
  /* The last day before the first: refused. */
  g_assert_true (tab_to (popover, to_entry));
  gtk_editable_set_text (GTK_EDITABLE (to_entry), "2000-01-01");
  press_enter (popover);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_get_mapped (popover));
  gtk_editable_set_text (GTK_EDITABLE (to_entry), today_s);
  rd_test_ui_spin (100);
  shot = rd_test_ui_screenshot (popover, "worklist-range-popover");
  g_clear_object (&shot);
  press_enter (popover);
  g_assert_true (rd_test_ui_wait_until (is_unmapped, popover, 5000));
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_true (rd_test_ui_wait_until (list_ready, list, 20000));
  expected = server_count (fx, "SELECT count(*) FROM rd.referral WHERE queue_id = $1::bigint"
                               " AND rd.status_is_open(status)"
                               " AND received_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'"
                               " AND received_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'",
                           fx->queue, yesterday_s, today_s, NULL);
  g_assert_cmpuint (expected, >, 0);
  g_assert_cmpuint (expected, <, N_REFERRALS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, expected);
  label = g_strdup_printf ("%s – %s", yesterday_s, today_s);
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (find (view, "range_button"))), ==, label);
  rd_test_ui_spin (200);
  shot = rd_test_ui_screenshot (window, "worklist-range");
  g_assert_true (rd_test_ui_texture_has_content (shot));
  g_clear_object (&shot);

  /* Column order: a column dropped at the front (what a drag ends with) is
   * remembered, by id only, and the next worklist opens with it. */
  cv = GTK_COLUMN_VIEW (rd_test_ui_find_by_type (view, GTK_TYPE_COLUMN_VIEW));
  {
    GListModel *cols = gtk_column_view_get_columns (cv);
    g_autoptr(GtkColumnViewColumn) patient = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (cols) && patient == NULL; i++)
      {
        g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (cols, i);

        if (g_strcmp0 (gtk_column_view_column_get_title (c), "Patient") == 0)
          patient = g_steal_pointer (&c);
      }
    g_assert_nonnull (patient);
    gtk_column_view_insert_column (cv, 0, patient);
  }
  order = g_settings_get_strv (settings, "worklist-column-order");
  g_assert_cmpuint (g_strv_length (order), ==, 13);
  g_assert_cmpstr (order[0], ==, "patient");
  g_assert_cmpstr (order[1], ==, "priority");
  g_assert_true (g_strv_contains ((const char * const *) order, "claim"));

  window2 = gtk_window_new ();
  view2 = rd_worklist_view_new ();
  gtk_window_set_child (GTK_WINDOW (window2), view2);
  {
    GListModel *cols = gtk_column_view_get_columns (GTK_COLUMN_VIEW (rd_test_ui_find_by_type (view2, GTK_TYPE_COLUMN_VIEW)));
    g_autoptr(GtkColumnViewColumn) first = g_list_model_get_item (cols, 0);
    g_autoptr(GtkColumnViewColumn) second = g_list_model_get_item (cols, 1);

    g_assert_cmpuint (g_list_model_get_n_items (cols), ==, 13);
    g_assert_cmpstr (gtk_column_view_column_get_title (first), ==, "Patient");
    g_assert_cmpstr (gtk_column_view_column_get_title (second), ==, "Priority");
  }
  gtk_window_destroy (GTK_WINDOW (window2));
  g_settings_reset (settings, "worklist-column-order");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
board_loaded (gpointer data)
{
  return rd_team_board_is_loaded (data);
}

static RdBoardPerson *
person (RdTeamBoard *board,
        const char  *login)
{
  GListModel *people = rd_team_board_get_people (board);

  for (guint i = 0; i < g_list_model_get_n_items (people); i++)
    {
      g_autoptr(RdBoardPerson) p = g_list_model_get_item (people, i);
      if (g_strcmp0 (rd_board_person_get_login (p), login) == 0)
        return p;   /* the board holds it */
    }
  return NULL;
}

typedef struct {
  RdTeamBoard *board;
  const char  *login;
  gint64       open;
} OpenIs;

static gboolean
open_is (gpointer data)
{
  OpenIs *o = data;
  RdBoardPerson *p = person (o->board, o->login);

  return p != NULL && rd_board_person_get_open (p) == o->open;
}

typedef struct {
  GAsyncResult *result;
} Wait;

static gint64
finish_action (RdTeamBoard *board,
               Wait        *w,
               GError     **error)
{
  gint64 n;

  g_assert_true (rd_test_ui_wait_until (have_result, &w->result, 20000));
  n = rd_team_board_action_finish (board, w->result, error);
  g_clear_object (&w->result);
  return n;
}

static void
test_team_board (Fixture       *fx,
                 gconstpointer  data)
{
  GtkWidget *window, *board;
  RdTeamBoard *tb;
  g_autoptr(GdkTexture) shot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = NULL;
  gint64 queue, before_audit, moved, victim;
  const char *both[3];
  const char *lead_only[2];
  gint64 ids[2];
  Wait w = { NULL };
  OpenIs o;

  if (fx->db == NULL)
    return;
  queue = g_ascii_strtoll (fx->queue, NULL, 10);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  board = rd_team_board_new ();
  tb = RD_TEAM_BOARD (board);
  gtk_window_set_child (GTK_WINDOW (window), board);
  rd_team_board_set_connection (tb, fx->conn);
  rd_team_board_set_listener (tb, fx->listener);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_until (board_loaded, tb, 20000));

  /* Per person: 60 each assigned by the seed; 180 unassigned. */
  g_assert_cmpuint (g_list_model_get_n_items (rd_team_board_get_people (tb)), ==, 2);
  g_assert_cmpint (rd_board_person_get_open (person (tb, fx->lead)), ==, N_REFERRALS / 5);
  g_assert_cmpint (rd_board_person_get_open (person (tb, fx->colleague)), ==, N_REFERRALS / 5);
  g_assert_cmpint (rd_board_person_get_claimed (person (tb, fx->colleague)), ==, 3);
  g_assert_cmpint (rd_team_board_get_unassigned (tb, queue), ==, N_REFERRALS * 3 / 5);
  rd_board_person_set_chosen (person (tb, fx->lead), TRUE);
  rd_board_person_set_chosen (person (tb, fx->colleague), TRUE);
  g_assert_true (rd_test_ui_wait_drawn (window, 10000));
  rd_test_ui_spin (300);
  shot = rd_test_ui_screenshot (window, "team-board");
  g_assert_true (rd_test_ui_texture_has_content (shot));
  g_clear_object (&shot);

  res = fx_exec (fx->db->admin, "SELECT count(*) FROM audit.log WHERE table_name = 'referral'"
                 " AND operation = 'UPDATE' AND who = $1", fx->lead, NULL);
  before_audit = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  g_clear_pointer (&res, PQclear);

  /* Distribute the unassigned round-robin between the two. */
  both[0] = fx->lead;
  both[1] = fx->colleague;
  both[2] = NULL;
  rd_team_board_distribute_async (tb, queue, both, NULL, on_done, &w.result);
  moved = finish_action (tb, &w, &error);
  g_assert_no_error (error);
  g_assert_cmpint (moved, ==, N_REFERRALS * 3 / 5);
  o.board = tb;
  o.login = fx->lead;
  o.open = N_REFERRALS / 2;
  g_assert_true (rd_test_ui_wait_until (open_is, &o, 20000));
  o.login = fx->colleague;
  g_assert_true (rd_test_ui_wait_until (open_is, &o, 20000));
  g_assert_cmpint (rd_team_board_get_unassigned (tb, queue), ==, 0);

  /* Atomic: one referral that does not exist, and nothing moves. */
  res = fx_exec (fx->db->admin, "SELECT min(id) FROM rd.referral WHERE assignee = $1", fx->colleague, NULL);
  victim = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  g_clear_pointer (&res, PQclear);
  ids[0] = victim;
  ids[1] = 99999999;
  rd_team_board_reassign_async (tb, ids, 2, fx->lead, 0, NULL, on_done, &w.result);
  moved = finish_action (tb, &w, &error);
  g_assert_nonnull (error);
  g_assert_cmpint (moved, ==, -1);
  g_clear_error (&error);
  {
    g_autofree char *v = g_strdup_printf ("%" G_GINT64_FORMAT, victim);
    res = fx_exec (fx->db->admin, "SELECT assignee FROM rd.referral WHERE id = $1::bigint", v, NULL);
    g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, fx->colleague);
    g_clear_pointer (&res, PQclear);
  }

  /* Cover for the colleague: all of their open work to the lead. */
  lead_only[0] = fx->lead;
  lead_only[1] = NULL;
  rd_team_board_cover_for_async (tb, fx->colleague, lead_only, NULL, on_done, &w.result);
  moved = finish_action (tb, &w, &error);
  g_assert_no_error (error);
  g_assert_cmpint (moved, ==, N_REFERRALS / 2);
  o.login = fx->colleague;
  o.open = 0;
  g_assert_true (rd_test_ui_wait_until (open_is, &o, 20000));
  o.login = fx->lead;
  o.open = N_REFERRALS;
  g_assert_true (rd_test_ui_wait_until (open_is, &o, 20000));

  /* Each change left an audit record naming the lead. */
  res = fx_exec (fx->db->admin, "SELECT count(*) FROM audit.log WHERE table_name = 'referral'"
                 " AND operation = 'UPDATE' AND who = $1", fx->lead, NULL);
  g_assert_cmpint (g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10) - before_audit, ==,
                   N_REFERRALS * 3 / 5 + N_REFERRALS / 2);

  rd_test_ui_spin (300);
  shot = rd_test_ui_screenshot (window, "team-board-after-cover");
  g_clear_object (&shot);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  if (!rd_test_ui_init ())
    return g_test_run ();

  /* What RdApplication loads: .overdue, .priority-stat, .sidebar-count. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/referraldesk/ReferralDesk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add ("/ui/worklist/show-filter-live", Fixture, NULL,
              fixture_setup, test_worklist, fixture_teardown);
  g_test_add ("/ui/worklist/filter-controls", Fixture, NULL,
              fixture_setup, test_filter_controls, fixture_teardown);
  g_test_add ("/ui/worklist/team-board", Fixture, NULL,
              fixture_setup, test_team_board, fixture_teardown);
  return g_test_run ();
}
