/* rd-window.c — the main window: sign-in, queues, worklist, referral, lock
 *
 * The window's content is a stack of what a person can be doing: choosing
 * where the data lives (welcome), waiting (progress), signing in, working
 * (desk), or locked out after being away. While locked, the desk is hidden
 * (not merely covered) so that no patient information is drawn or exposed to
 * assistive technologies; what was typed stays in its widgets, in memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rd-application.h"
#include "rd-credentials.h"
#include "rd-document-view.h"
#include "rd-draft-store.h"
#include "rd-import-dialog.h"
#include "rd-inbox-view.h"
#include "rd-local-cluster.h"
#include "rd-local-setup.h"
#include "rd-lock-screen.h"
#include "rd-profile.h"
#include "rd-referral-list.h"
#include "rd-referral-page.h"
#include "rd-session.h"
#include "rd-sign-in-page.h"
#include "rd-sidebar.h"
#include "rd-store-error.h"
#include "rd-team-board.h"
#include "rd-window-private.h"
#include "rd-worklist-view.h"

#define IDLE_CHECK_MAX_MS 1000

/* Passwords this file copies (not the keyring's) are wiped before freeing. */
static void
wipe_free (char *secret)
{
  if (secret != NULL)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

struct _RdWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  RdSession            *session;
  GCancellable         *cancellable;

  /* Idle lock */
  gint64                last_activity;
  guint                 idle_timeout_ms;   /* 0: from settings */
  guint                 idle_check_id;
  guint                 signout_id;
  gboolean              locked;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *session_stack;
  AdwStatusPage        *progress_page;
  AdwStatusPage        *failed_page;
  AdwPasswordEntryRow  *local_password_row;
  AdwPasswordEntryRow  *local_confirm_row;
  GtkSwitch            *local_remember_switch;
  GtkLabel             *local_error_label;
  RdSignInPage         *sign_in_page;
  RdLockScreen         *lock_screen;
  GtkWidget            *desk;
  GtkRevealer          *connection_banner;
  AdwLeaflet           *leaflet;
  RdSidebar            *sidebar;
  GtkWidget            *board_button;
  GtkStack             *main_stack;
  GtkWidget            *back_to_list_button;
  AdwWindowTitle       *worklist_title;
  RdWorklistView       *worklist;
  RdInboxView          *inbox;
  RdTeamBoard          *team_board;
  AdwBin               *referral_bin;
  RdReferralPage       *referral_page;
  char                 *list_title;
  const char           *list_page;    /* "list" or "inbox" */
};

G_DEFINE_FINAL_TYPE (RdWindow, rd_window, ADW_TYPE_APPLICATION_WINDOW)

typedef void (*ClusterReady) (RdWindow *self, gpointer data);

static void            update_actions     (RdWindow       *self);
static void            attach_desk        (RdWindow       *self,
                                           gboolean        signed_in);
static RdLocalCluster *local_cluster      (RdWindow       *self);
static gboolean        profile_is_local   (RdWindow       *self,
                                           RdProfile      *profile);
static void            with_local_cluster (RdWindow       *self,
                                           const char     *progress_title,
                                           ClusterReady    then,
                                           gpointer        data,
                                           GDestroyNotify  free_data);

static void
show_page (RdWindow   *self,
           const char *name)
{
  /* Let go of the focus first, so that a hidden entry does not keep it. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);

  /* The desk is only visible on its own page: hidden, it is neither drawn
   * nor in the accessibility tree. */
  gtk_widget_set_visible (self->desk, g_str_equal (name, "desk"));
  gtk_stack_set_visible_child_name (self->session_stack, name);
  update_actions (self);
}

static void
show_progress (RdWindow   *self,
               const char *title)
{
  adw_status_page_set_title (self->progress_page, title);
  show_page (self, "progress");
}

static guint
idle_timeout_ms (RdWindow *self)
{
  guint minutes, max_minutes;

  if (self->idle_timeout_ms > 0)
    return self->idle_timeout_ms;

  minutes = g_settings_get_uint (self->settings, "idle-lock-minutes");
  max_minutes = g_settings_get_uint (self->settings, "idle-lock-max-minutes");
  return MIN (minutes, max_minutes) * 60 * 1000;
}

static void
note_activity (RdWindow *self)
{
  self->last_activity = g_get_monotonic_time ();
}

static gboolean
on_idle_check (gpointer user_data)
{
  RdWindow *self = user_data;
  gint64 idle_ms = (g_get_monotonic_time () - self->last_activity) / 1000;

  if (!self->locked &&
      rd_session_get_state (self->session) != RD_SESSION_SIGNED_OUT &&
      idle_ms >= idle_timeout_ms (self))
    rd_window_lock (self);

  return G_SOURCE_CONTINUE;
}

static void
restart_idle_check (RdWindow *self)
{
  g_clear_handle_id (&self->idle_check_id, g_source_remove);
  note_activity (self);
  self->idle_check_id = g_timeout_add (MIN (IDLE_CHECK_MAX_MS, MAX (idle_timeout_ms (self) / 4, 20)),
                                       on_idle_check, self);
}

static gboolean
on_key_activity (RdWindow              *self,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 GtkEventControllerKey *controller)
{
  note_activity (self);
  return GDK_EVENT_PROPAGATE;
}

static void
on_pointer_activity (RdWindow *self)
{
  note_activity (self);
}

static void
install_activity_watch (RdWindow *self)
{
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  GtkGesture *click = gtk_gesture_click_new ();

  /* Capture phase: every event counts, whichever widget handles it. */
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_propagation_phase (motion, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);

  g_signal_connect_swapped (key, "key-pressed", G_CALLBACK (on_key_activity), self);
  g_signal_connect_swapped (motion, "motion", G_CALLBACK (on_pointer_activity), self);
  g_signal_connect_swapped (scroll, "scroll-begin", G_CALLBACK (on_pointer_activity), self);
  g_signal_connect_swapped (scroll, "scroll", G_CALLBACK (on_pointer_activity), self);
  g_signal_connect_swapped (click, "pressed", G_CALLBACK (on_pointer_activity), self);

  gtk_widget_add_controller (GTK_WIDGET (self), key);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

static void
hide_other_windows (RdWindow *self,
                    gboolean  hide)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app == NULL)
    return;

  /* Dialogs and detached windows may show PHI too. */
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    {
      if (l->data == (gpointer) self)
        continue;
      gtk_widget_set_visible (GTK_WIDGET (l->data), !hide);
    }
}

static gboolean
on_locked_too_long (gpointer user_data)
{
  RdWindow *self = user_data;

  self->signout_id = 0;
  /* The desk and what was typed stay in memory; only the connection goes. */
  rd_session_sign_out (self->session);
  rd_lock_screen_show_error (self->lock_screen,
                             _("You were away a long time, so you were signed out. Sign in again to continue where you were."));
  return G_SOURCE_REMOVE;
}

/**
 * rd_window_lock:
 * @self: a #RdWindow
 *
 * Covers every piece of patient information until the person's password
 * has been checked against the server.
 */
void
rd_window_lock (RdWindow *self)
{
  guint signout_minutes;

  g_return_if_fail (RD_IS_WINDOW (self));

  if (self->locked || rd_session_get_state (self->session) == RD_SESSION_SIGNED_OUT)
    return;

  self->locked = TRUE;
  g_debug ("window locked");
  rd_session_set_inbox_paused (self->session, TRUE);
  hide_other_windows (self, TRUE);
  rd_lock_screen_reset (self->lock_screen);
  rd_lock_screen_set_user (self->lock_screen,
                           rd_session_get_display_name (self->session),
                           rd_session_get_login (self->session));
  show_page (self, "locked");
  gtk_widget_grab_focus (GTK_WIDGET (self->lock_screen));

  signout_minutes = g_settings_get_uint (self->settings, "locked-signout-minutes");
  g_clear_handle_id (&self->signout_id, g_source_remove);
  self->signout_id = g_timeout_add_seconds (signout_minutes * 60, on_locked_too_long, self);
}

static void
unlock (RdWindow *self)
{
  self->locked = FALSE;
  g_clear_handle_id (&self->signout_id, g_source_remove);
  rd_session_set_inbox_paused (self->session, FALSE);
  rd_lock_screen_reset (self->lock_screen);
  show_page (self, "desk");
  hide_other_windows (self, FALSE);
  note_activity (self);
}

static void
on_password_checked (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(RdWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  rd_lock_screen_set_busy (self->lock_screen, FALSE);
  if (rd_session_check_password_finish (RD_SESSION (source), result, &error))
    {
      unlock (self);
      return;
    }

  if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_AUTH_FAILED))
    rd_lock_screen_show_error (self->lock_screen, _("That password is not right. Try again."));
  else
    rd_lock_screen_show_error (self->lock_screen, error->message);
}

static void on_signed_in (GObject *source, GAsyncResult *result, gpointer user_data);

typedef struct {
  RdWindow  *window;
  RdProfile *profile;
  char      *password;
  gboolean   remember;
  gboolean   from_keyring;
  gboolean   unlocking;
} SignIn;

static void
sign_in_free (SignIn *data)
{
  g_clear_object (&data->window);
  g_clear_object (&data->profile);
  if (data->password != NULL)
    wipe_free (data->password);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SignIn, sign_in_free)

static void
on_unlock_requested (RdWindow     *self,
                     const char   *password,
                     RdLockScreen *lock_screen)
{
  rd_lock_screen_set_busy (self->lock_screen, TRUE);

  if (rd_session_get_state (self->session) == RD_SESSION_SIGNED_OUT &&
      rd_session_get_conninfo (self->session) != NULL)
    {
      /* Signed out while locked: sign in again as the same person. */
      SignIn *data = g_new0 (SignIn, 1);

      data->window = g_object_ref (self);
      data->password = g_strdup (password);
      data->unlocking = TRUE;
      rd_session_sign_in_async (self->session, rd_session_get_conninfo (self->session),
                                password, self->cancellable, on_signed_in, data);
      return;
    }

  rd_session_check_password_async (self->session, password, self->cancellable,
                                   on_password_checked, g_object_ref (self));
}

static void
on_lock_sign_out (RdWindow *self)
{
  self->locked = FALSE;
  g_clear_handle_id (&self->signout_id, g_source_remove);
  rd_session_set_inbox_paused (self->session, FALSE);
  /* Unsaved referral work is kept as a draft by the page on close. */
  if (self->referral_page != NULL)
    rd_referral_page_close (self->referral_page);
  attach_desk (self, FALSE);
  rd_session_sign_out (self->session);
  rd_window_show_sign_in (self);
}

static void
save_profile (RdWindow  *self,
              RdProfile *profile)
{
  g_autoptr(GPtrArray) profiles = rd_profile_list_load (self->settings);
  gboolean replaced = FALSE;

  for (guint i = 0; i < profiles->len; i++)
    {
      RdProfile *p = g_ptr_array_index (profiles, i);

      if (g_strcmp0 (rd_profile_get_name (p), rd_profile_get_name (profile)) == 0)
        {
          /* The sign-in form does not show the profile's fax folder. */
          if (rd_profile_get_inbox_folder (profile) == NULL)
            rd_profile_set_inbox_folder (profile, rd_profile_get_inbox_folder (p));
          g_ptr_array_index (profiles, i) = g_object_ref (profile);
          g_object_unref (p);
          replaced = TRUE;
        }
    }

  if (!replaced)
    g_ptr_array_add (profiles, g_object_ref (profile));

  rd_profile_list_save (self->settings, profiles);
  g_settings_set_string (self->settings, "last-profile", rd_profile_get_name (profile));
}

static void
on_credentials_stored (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(RdWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rd_credentials_store_finish (result, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("Your password could not be remembered: %s"),
                                              error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (msg));
    }
}

static void
on_credentials_forgotten (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rd_credentials_forget_finish (result, NULL, &error) &&
      !g_error_matches (error, RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_UNAVAILABLE))
    g_warning ("keyring clear failed: %s", error->message);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SignIn) data = user_data;
  RdWindow *self = data->window;
  g_autoptr(GError) error = NULL;

  if (data->unlocking)
    rd_lock_screen_set_busy (self->lock_screen, FALSE);
  else
    rd_sign_in_page_set_busy (self->sign_in_page, FALSE);

  if (!rd_session_sign_in_finish (RD_SESSION (source), result, &error))
    {
      const char *message = error->message;

      if (data->unlocking)
        {
          rd_lock_screen_show_error (self->lock_screen,
                                     g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_AUTH_FAILED)
                                     ? _("That password is not right. Try again.") : message);
          return;
        }

      if (data->from_keyring &&
          g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_AUTH_FAILED))
        {
          /* The saved password no longer works: forget it, say so. */
          rd_credentials_forget_async (data->profile, NULL, on_credentials_forgotten, NULL);
          rd_sign_in_page_clear_password (self->sign_in_page);
          message = _("The password saved on this computer was not accepted, so it has been forgotten. Type your current password.");
        }

      rd_sign_in_page_show_error (self->sign_in_page, message);
      show_page (self, "sign-in");
      return;
    }

  if (data->unlocking)
    {
      unlock (self);
      return;
    }

  if (data->profile != NULL)
    {
      save_profile (self, data->profile);
      rd_session_set_profile_name (self->session, rd_profile_get_name (data->profile));
      if (data->remember)
        rd_credentials_store_async (data->profile, data->password, NULL,
                                    on_credentials_stored, g_object_ref (self));
      else
        rd_credentials_forget_async (data->profile, NULL, on_credentials_forgotten, NULL);
    }

  rd_sign_in_page_clear_password (self->sign_in_page);
  rd_sign_in_page_show_error (self->sign_in_page, NULL);
  attach_desk (self, TRUE);
  show_page (self, "desk");
  restart_idle_check (self);
}

static void
sign_in_now (RdWindow *self,
             gpointer  user_data)
{
  SignIn *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;

  conninfo = rd_profile_to_conninfo (data->profile,
                                     g_settings_get_boolean (self->settings,
                                                             "allow-insecure-remote"),
                                     &error);
  if (conninfo == NULL)
    {
      rd_sign_in_page_show_error (self->sign_in_page, error->message);
      show_page (self, "sign-in");
      sign_in_free (data);
      return;
    }

  rd_sign_in_page_set_busy (self->sign_in_page, TRUE);
  rd_session_sign_in_async (self->session, conninfo, data->password, self->cancellable,
                            on_signed_in, data);
}

static void
on_sign_in_requested (RdWindow     *self,
                      RdSignInPage *page)
{
  g_autoptr(SignIn) data = g_new0 (SignIn, 1);
  g_autoptr(GError) error = NULL;

  rd_sign_in_page_show_error (page, NULL);
  data->profile = rd_sign_in_page_dup_profile (page, &error);
  if (data->profile == NULL)
    {
      rd_sign_in_page_show_error (page, error->message);
      return;
    }

  data->window = g_object_ref (self);
  data->password = g_strdup (rd_sign_in_page_get_password (page));
  data->remember = rd_sign_in_page_get_remember (page);
  data->from_keyring = rd_sign_in_page_get_password_from_keyring (page);

  if (profile_is_local (self, data->profile) &&
      !rd_local_cluster_get_running (local_cluster (self)))
    {
      /* Sign-in continues once the private server runs. */
      with_local_cluster (self, _("Starting the database on this computer…"),
                          sign_in_now, g_steal_pointer (&data), (GDestroyNotify) sign_in_free);
      return;
    }

  sign_in_now (self, g_steal_pointer (&data));
}

static void
on_profile_forgotten (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rd_credentials_forget_profile_finish (result, &error) &&
      !g_error_matches (error, RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_UNAVAILABLE))
    g_warning ("keyring clear failed: %s", error->message);
}

static void
on_profile_removed (RdWindow     *self,
                    const char   *name,
                    RdSignInPage *page)
{
  g_autoptr(GPtrArray) profiles = rd_profile_list_load (self->settings);

  for (guint i = 0; i < profiles->len; i++)
    {
      if (g_strcmp0 (rd_profile_get_name (g_ptr_array_index (profiles, i)), name) == 0)
        {
          g_ptr_array_remove_index (profiles, i);
          break;
        }
    }

  rd_profile_list_save (self->settings, profiles);
  rd_credentials_forget_profile_async (name, NULL, on_profile_forgotten, NULL);
  rd_window_show_sign_in (self);
}

static void
on_sign_in_back (RdWindow *self)
{
  show_page (self, "welcome");
}

/**
 * rd_window_show_sign_in:
 * @self: a #RdWindow
 *
 * Shows the sign-in page with the saved profiles, the last one chosen.
 */
void
rd_window_show_sign_in (RdWindow *self)
{
  g_autoptr(GPtrArray) profiles = rd_profile_list_load (self->settings);
  g_autofree char *last = g_settings_get_string (self->settings, "last-profile");

  rd_sign_in_page_set_profiles (self->sign_in_page, profiles, last);
  show_page (self, "sign-in");
}

static void
on_session_state (RdWindow   *self,
                  GParamSpec *pspec,
                  RdSession  *session)
{
  gtk_revealer_set_reveal_child (self->connection_banner,
                                 rd_session_get_state (session) == RD_SESSION_RECONNECTING);
  update_actions (self);
}

static void
update_actions (RdWindow *self)
{
  gboolean signed_in = rd_session_get_state (self->session) != RD_SESSION_SIGNED_OUT;

  gboolean working = signed_in && !self->locked;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lock", working);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out", signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-referral", working);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-referral", working);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", working);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import", working);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.team-board",
                                 working && rd_session_get_is_lead (self->session));
}

static void
lock_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  rd_window_lock (RD_WINDOW (widget));
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  on_lock_sign_out (RD_WINDOW (widget));
}

static void
use_server_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  rd_window_show_sign_in (RD_WINDOW (widget));
}

static RdLocalCluster *
local_cluster (RdWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return RD_IS_APPLICATION (app) ? rd_application_get_local_cluster (RD_APPLICATION (app)) : NULL;
}

static void
show_failure (RdWindow   *self,
              const char *message)
{
  adw_status_page_set_description (self->failed_page, message);
  show_page (self, "failed");
}

/* The saved profile of the private database, if one was set up. */
static RdProfile *
find_local_profile (RdWindow *self)
{
  g_autoptr(GPtrArray) profiles = rd_profile_list_load (self->settings);
  RdLocalCluster *cluster = local_cluster (self);

  /* Before the private server has started, its socket folder is not final
   * (as root it may move), so ask the cluster rather than compare paths. */
  for (guint i = 0; cluster != NULL && i < profiles->len; i++)
    {
      RdProfile *p = g_ptr_array_index (profiles, i);
      const char * const *hosts = rd_profile_get_hosts (p);

      if (hosts && hosts[0] && rd_local_cluster_is_own_host (cluster, hosts[0]))
        return g_object_ref (p);
    }

  return NULL;
}

static gboolean
profile_is_local (RdWindow  *self,
                  RdProfile *profile)
{
  g_autoptr(RdProfile) local = find_local_profile (self);
  const char * const *a = local ? rd_profile_get_hosts (local) : NULL;
  const char * const *b = rd_profile_get_hosts (profile);

  return a && a[0] && b && b[0] && g_str_equal (a[0], b[0]);
}

typedef struct {
  RdWindow       *window;
  ClusterReady    then;
  gpointer        data;
  GDestroyNotify  free_data;
} ClusterStart;

static void
on_cluster_started (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ClusterStart *start = user_data;
  g_autoptr(RdWindow) self = start->window;
  g_autoptr(GError) error = NULL;

  /* @then owns the data; it is freed here only when it never runs. */
  if (!rd_local_cluster_start_finish (RD_LOCAL_CLUSTER (source), result, NULL, &error))
    {
      show_failure (self, error->message);
      if (start->free_data != NULL)
        start->free_data (start->data);
    }
  else
    start->then (self, start->data);

  g_free (start);
}

static void
with_local_cluster (RdWindow       *self,
                    const char     *progress_title,
                    ClusterReady    then,
                    gpointer        data,
                    GDestroyNotify  free_data)
{
  RdLocalCluster *cluster = local_cluster (self);
  ClusterStart *start;

  if (cluster == NULL)
    {
      show_failure (self, _("The private database is not available in this window."));
      return;
    }

  if (rd_local_cluster_get_running (cluster))
    {
      then (self, data);
      return;
    }

  start = g_new0 (ClusterStart, 1);
  start->window = g_object_ref (self);
  start->then = then;
  start->data = data;
  start->free_data = free_data;
  show_progress (self, progress_title);
  rd_local_cluster_start_async (cluster, self->cancellable, on_cluster_started, start);
}

static void
show_local_sign_in (RdWindow *self,
                    gpointer  data)
{
  g_autoptr(RdProfile) profile = data;

  g_settings_set_string (self->settings, "last-profile", rd_profile_get_name (profile));
  rd_window_show_sign_in (self);
}

static void
use_local_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  RdWindow *self = RD_WINDOW (widget);
  RdProfile *profile = find_local_profile (self);

  if (profile == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->local_error_label), FALSE);
      show_page (self, "local-setup");
      gtk_widget_grab_focus (GTK_WIDGET (self->local_password_row));
      return;
    }

  with_local_cluster (self, _("Starting the database on this computer…"),
                      show_local_sign_in, profile, g_object_unref);
}

static void
sign_in_with (RdWindow  *self,
              RdProfile *profile,
              const char *password,
              gboolean   remember)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = rd_profile_to_conninfo (profile, FALSE, &error);
  SignIn *data;

  if (conninfo == NULL)
    {
      show_failure (self, error->message);
      return;
    }

  data = g_new0 (SignIn, 1);
  data->window = g_object_ref (self);
  data->profile = g_object_ref (profile);
  data->password = g_strdup (password);
  data->remember = remember;
  show_progress (self, _("Signing in…"));
  rd_session_sign_in_async (self->session, conninfo, password, self->cancellable,
                            on_signed_in, data);
}

typedef struct {
  RdProfile *profile;
  char      *password;
  gboolean   remember;
} LocalSetup;

static void
local_setup_free (LocalSetup *data)
{
  g_clear_object (&data->profile);
  if (data->password != NULL)
    wipe_free (data->password);
  g_free (data);
}

typedef struct {
  RdWindow   *window;
  LocalSetup *setup;
} LocalStep;

static void
local_step_finish (LocalStep *step)
{
  sign_in_with (step->window, step->setup->profile, step->setup->password,
                step->setup->remember);
  local_setup_free (step->setup);
  g_object_unref (step->window);
  g_free (step);
}

static void
on_demo_seeded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LocalStep *step = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error))
    g_warning ("Demo data could not be added: %s", error->message);

  local_step_finish (step);
}

static char *
find_admin_tool (void)
{
  const char *env = g_getenv ("RD_ADMIN_TOOL");

  if (env != NULL && g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (env);

  return g_find_program_in_path ("referral-desk-admin");
}

static void
on_local_setup_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  LocalStep *step = user_data;
  RdWindow *self = step->window;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GError) error = NULL;
  g_autofree char *tool = NULL;

  if (!rd_local_setup_finish (result, &error))
    {
      show_failure (self, error->message);
      local_setup_free (step->setup);
      g_object_unref (step->window);
      g_free (step);
      return;
    }

  tool = find_admin_tool ();
  if (RD_IS_APPLICATION (app) && rd_application_get_demo (RD_APPLICATION (app)) && tool != NULL)
    {
      g_autofree char *conninfo = rd_local_cluster_get_conninfo (local_cluster (self));
      g_autoptr(GSubprocess) seed = NULL;

      show_progress (self, _("Adding synthetic demo referrals…"));
      seed = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                               tool, "seed-demo", "--db", conninfo, NULL);
      if (seed != NULL)
        {
          g_subprocess_wait_check_async (seed, self->cancellable, on_demo_seeded, step);
          return;
        }
      g_warning ("Demo data could not be added: %s", error->message);
    }

  local_step_finish (step);
}

static void
create_local_desk (RdWindow *self,
                   gpointer  data)
{
  LocalSetup *setup = data;
  RdLocalCluster *cluster = local_cluster (self);
  g_autofree char *conninfo = rd_local_cluster_get_conninfo (cluster);
  g_autoptr(RdProfile) started = rd_local_cluster_dup_profile (cluster);
  LocalStep *step = g_new0 (LocalStep, 1);

  /* The profile was made before the server started; where its socket is
   * is known only now (as root with a closed home it moves). */
  rd_profile_set_hosts (setup->profile, rd_profile_get_hosts (started));
  step->window = g_object_ref (self);
  step->setup = setup;

  show_progress (self, _("Preparing the database on this computer…"));
  rd_local_setup_async (conninfo, rd_profile_get_user (setup->profile),
                        g_get_real_name (), setup->password, self->cancellable,
                        on_local_setup_done, step);
}

static void
on_local_password_activated (RdWindow *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->local_confirm_row));
}

static void
on_local_setup_continue (RdWindow *self)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->local_password_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->local_confirm_row));
  RdLocalCluster *cluster = local_cluster (self);
  g_autofree char *login = NULL;
  LocalSetup *setup;

  if (g_utf8_strlen (password, -1) < 8)
    {
      gtk_label_set_label (self->local_error_label,
                           _("Choose a password of at least 8 characters."));
      gtk_widget_set_visible (GTK_WIDGET (self->local_error_label), TRUE);
      return;
    }

  if (!g_str_equal (password, confirm))
    {
      gtk_label_set_label (self->local_error_label,
                           _("The two passwords are not the same. Type them again."));
      gtk_widget_set_visible (GTK_WIDGET (self->local_error_label), TRUE);
      return;
    }

  if (cluster == NULL)
    return;

  setup = g_new0 (LocalSetup, 1);
  setup->profile = rd_local_cluster_dup_profile (cluster);
  login = rd_local_setup_login_for_user (g_get_user_name ());
  rd_profile_set_user (setup->profile, login);
  setup->password = g_strdup (password);
  setup->remember = gtk_switch_get_active (self->local_remember_switch);

  gtk_editable_set_text (GTK_EDITABLE (self->local_password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->local_confirm_row), "");

  with_local_cluster (self, _("Creating the database on this computer…"),
                      create_local_desk, setup, (GDestroyNotify) local_setup_free);
}

static void
show_main (RdWindow   *self,
           const char *page,
           const char *title)
{
  gboolean referral = g_str_equal (page, "referral");

  gtk_stack_set_visible_child_name (self->main_stack, page);
  gtk_widget_set_visible (self->back_to_list_button, referral || g_str_equal (page, "board"));
  if (title != NULL)
    adw_window_title_set_title (self->worklist_title, title);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static const char *
title_for_query (const RdReferralQuery *query)
{
  if (query->overdue)
    return _("Overdue");
  if (query->urgent)
    return _("STAT / urgent");
  if (query->closed_recently)
    return _("Closed recently");
  if (query->assignee == RD_ASSIGNEE_ME)
    return _("My work");
  if (query->queue_id != 0)
    return _("Work queue");
  return _("Referrals");
}

static void
on_sidebar_query_selected (RdWindow              *self,
                           const RdReferralQuery *query)
{
  rd_worklist_view_set_query (self->worklist, query);
  g_free (self->list_title);
  self->list_title = g_strdup (title_for_query (query));
  self->list_page = "list";
  if (!g_str_equal (gtk_stack_get_visible_child_name (self->main_stack), "referral"))
    show_main (self, "list", self->list_title);
}

static void
on_sidebar_inbox_selected (RdWindow *self)
{
  g_free (self->list_title);
  self->list_title = g_strdup (_("Inbox"));
  self->list_page = "inbox";
  rd_inbox_view_refresh (self->inbox);
  if (!g_str_equal (gtk_stack_get_visible_child_name (self->main_stack), "referral"))
    show_main (self, "inbox", self->list_title);
}

static void
on_sidebar_next_referral (RdWindow *self)
{
  rd_worklist_view_next_referral (self->worklist);
}

static void
on_referral_activated (RdWindow   *self,
                       RdReferral *referral)
{
  if (self->referral_page == NULL)
    return;

  rd_referral_page_open_referral (self->referral_page, rd_referral_get_id (referral));
  show_main (self, "referral", rd_referral_get_number (referral)
                               ? rd_referral_get_number (referral) : _("Referral"));
}

static void
on_document_activated (RdWindow *self,
                       gint64    document_id)
{
  if (self->referral_page == NULL)
    return;

  rd_referral_page_open_document (self->referral_page, document_id);
  show_main (self, "referral", _("New referral from a document"));
}

static void
on_referral_page_closed (RdWindow *self)
{
  show_main (self, self->list_page ? self->list_page : "list", self->list_title);
}

static void
back_to_list_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RdWindow *self = RD_WINDOW (widget);

  /* Closing keeps a draft of anything unsaved and releases the claim; the
   * page says "closed" when done. */
  if (self->referral_page != NULL &&
      g_str_equal (gtk_stack_get_visible_child_name (self->main_stack), "referral"))
    rd_referral_page_close (self->referral_page);
  else
    on_referral_page_closed (self);
}

static void
next_referral_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  rd_worklist_view_next_referral (RD_WINDOW (widget)->worklist);
}

static void
new_referral_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RdWindow *self = RD_WINDOW (widget);

  if (self->referral_page == NULL)
    return;

  rd_referral_page_new_referral (self->referral_page);
  show_main (self, "referral", _("New referral"));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RdWindow *self = RD_WINDOW (widget);

  show_main (self, "list", self->list_title);
  rd_worklist_view_focus_search (self->worklist);
}

static void
import_files (RdWindow   *self,
              GListModel *files)
{
  RdConnection *connection = rd_session_get_connection (self->session);
  RdImportDialog *dialog;

  if (connection == NULL || files == NULL || g_list_model_get_n_items (files) == 0)
    return;

  dialog = rd_import_dialog_new (GTK_WINDOW (self), connection);
  gtk_window_present (GTK_WINDOW (dialog));
  rd_import_dialog_import_files (dialog, files);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RdWindow *self = RD_WINDOW (widget);
  RdConnection *connection = rd_session_get_connection (self->session);
  RdImportDialog *dialog;

  if (connection == NULL)
    return;

  /* The dialog asks for files or a folder itself, then imports them. */
  dialog = rd_import_dialog_new (GTK_WINDOW (self), connection);
  gtk_window_present (GTK_WINDOW (dialog));
  rd_import_dialog_choose (dialog);
}

static gboolean
on_files_dropped (GtkDropTarget *target,
                  const GValue  *value,
                  double         x,
                  double         y,
                  gpointer       user_data)
{
  RdWindow *self = user_data;
  GdkFileList *list = g_value_get_boxed (value);
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);
  g_autoptr(GSList) dropped = NULL;

  if (self->locked || rd_session_get_state (self->session) == RD_SESSION_SIGNED_OUT)
    return FALSE;

  /* A copy of the list (not of the files) that is ours to free. */
  dropped = gdk_file_list_get_files (list);
  for (GSList *l = dropped; l != NULL; l = l->next)
    g_list_store_append (files, l->data);

  import_files (self, G_LIST_MODEL (files));
  return TRUE;
}

static void
team_board_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  RdWindow *self = RD_WINDOW (widget);

  rd_team_board_refresh (self->team_board);
  show_main (self, "board", _("Team board"));
}

/* Gives the desk's views the signed-in person's connection, or takes it
 * away on sign-out (NULL). */
static void
attach_desk (RdWindow *self,
             gboolean  signed_in)
{
  RdConnection *connection = signed_in ? rd_session_get_connection (self->session) : NULL;
  RdListener *listener = signed_in ? rd_session_get_listener (self->session) : NULL;

  rd_sidebar_set_connection (self->sidebar, connection);
  rd_sidebar_set_listener (self->sidebar, listener);
  rd_worklist_view_set_connection (self->worklist, connection);
  rd_worklist_view_set_listener (self->worklist, listener);
  rd_inbox_view_set_connection (self->inbox, connection);
  rd_inbox_view_set_listener (self->inbox, listener);

  gtk_widget_set_visible (self->board_button, signed_in && rd_session_get_is_lead (self->session));
  rd_team_board_set_connection (self->team_board, signed_in && rd_session_get_is_lead (self->session)
                                                  ? connection : NULL);
  rd_team_board_set_listener (self->team_board, signed_in && rd_session_get_is_lead (self->session)
                                                ? listener : NULL);

  if (self->referral_page != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->referral_page, self);
      adw_bin_set_child (self->referral_bin, NULL);
      self->referral_page = NULL;
    }

  if (signed_in)
    {
      self->referral_page = RD_REFERRAL_PAGE (rd_referral_page_new (connection));
      rd_referral_page_set_draft_store (self->referral_page, rd_draft_store_get_default ());
      /* A colleague's page rotation shows up in an open document at once. */
      rd_document_view_set_listener (RD_DOCUMENT_VIEW (rd_referral_page_get_document_view (self->referral_page)),
                                     listener);
      g_signal_connect_object (self->referral_page, "closed",
                               G_CALLBACK (on_referral_page_closed), self, G_CONNECT_SWAPPED);
      adw_bin_set_child (self->referral_bin, GTK_WIDGET (self->referral_page));
      rd_sidebar_select_my_work (self->sidebar);
      show_main (self, "list", _("My work"));
    }
}

static void
on_back_clicked (RdWindow  *self,
                 GtkButton *button)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
rd_window_save_size (RdWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set (self->settings, "window-size", "(ii)", width, height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
rd_window_close_request (GtkWindow *window)
{
  rd_window_save_size (RD_WINDOW (window));

  return GTK_WINDOW_CLASS (rd_window_parent_class)->close_request (window);
}

static void
rd_window_dispose (GObject *object)
{
  RdWindow *self = RD_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  g_clear_handle_id (&self->idle_check_id, g_source_remove);
  g_clear_handle_id (&self->signout_id, g_source_remove);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      rd_session_sign_out (self->session);
    }
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->list_title, g_free);

  G_OBJECT_CLASS (rd_window_parent_class)->dispose (object);
}

static void
rd_window_class_init (RdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = rd_window_dispose;
  window_class->close_request = rd_window_close_request;

  g_type_ensure (RD_TYPE_SIGN_IN_PAGE);
  g_type_ensure (RD_TYPE_LOCK_SCREEN);
  g_type_ensure (RD_TYPE_SIDEBAR);
  g_type_ensure (RD_TYPE_WORKLIST_VIEW);
  g_type_ensure (RD_TYPE_INBOX_VIEW);
  g_type_ensure (RD_TYPE_TEAM_BOARD);
  g_type_ensure (RD_TYPE_IMPORT_DIALOG);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, session_stack);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, progress_page);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, failed_page);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, local_password_row);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, local_confirm_row);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, local_remember_switch);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, local_error_label);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, lock_screen);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, desk);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, connection_banner);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, board_button);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, back_to_list_button);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, worklist_title);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, worklist);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, inbox);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, team_board);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, referral_bin);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_query_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_inbox_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_next_referral);
  gtk_widget_class_bind_template_callback (widget_class, on_referral_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_document_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_requested);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_back);
  gtk_widget_class_bind_template_callback (widget_class, on_profile_removed);
  gtk_widget_class_bind_template_callback (widget_class, on_unlock_requested);
  gtk_widget_class_bind_template_callback (widget_class, on_lock_sign_out);
  gtk_widget_class_bind_template_callback (widget_class, on_local_setup_continue);
  gtk_widget_class_bind_template_callback (widget_class, on_local_password_activated);

  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_action);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);
  gtk_widget_class_install_action (widget_class, "win.use-server", NULL, use_server_action);
  gtk_widget_class_install_action (widget_class, "win.use-local", NULL, use_local_action);
  gtk_widget_class_install_action (widget_class, "win.back-to-list", NULL, back_to_list_action);
  gtk_widget_class_install_action (widget_class, "win.next-referral", NULL, next_referral_action);
  gtk_widget_class_install_action (widget_class, "win.new-referral", NULL, new_referral_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.team-board", NULL, team_board_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.lock", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.next-referral", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.new-referral", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.back-to-list", NULL);
}

static void
rd_window_init (RdWindow *self)
{
  g_autoptr(GPtrArray) profiles = NULL;
  int width, height;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  self->session = rd_session_new ();
  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (on_session_state), self, G_CONNECT_SWAPPED);

  g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  install_activity_watch (self);
  restart_idle_check (self);

  /* Files and folders dropped anywhere on the desk are imported; the
   * dialog asks the disk which is which and lists a folder's files. */
  {
    GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

    g_signal_connect (drop, "drop", G_CALLBACK (on_files_dropped), self);
    gtk_widget_add_controller (self->desk, GTK_EVENT_CONTROLLER (drop));
  }

  profiles = rd_profile_list_load (self->settings);
  if (profiles->len > 0)
    rd_window_show_sign_in (self);
  else
    show_page (self, "welcome");
}

RdWindow *
rd_window_new (RdApplication *application)
{
  return g_object_new (RD_TYPE_WINDOW, "application", application, NULL);
}

/**
 * rd_window_get_session:
 * @self: a #RdWindow
 *
 * Returns: (transfer none): who is signed in at this window
 */
RdSession *
rd_window_get_session (RdWindow *self)
{
  g_return_val_if_fail (RD_IS_WINDOW (self), NULL);

  return self->session;
}

const char *
rd_window_get_page (RdWindow *self)
{
  return gtk_stack_get_visible_child_name (self->session_stack);
}

RdSignInPage *
rd_window_get_sign_in_page (RdWindow *self)
{
  return self->sign_in_page;
}

RdLockScreen *
rd_window_get_lock_screen (RdWindow *self)
{
  return self->lock_screen;
}

GtkWidget *
rd_window_get_desk (RdWindow *self)
{
  return self->desk;
}

void
rd_window_set_idle_timeout_ms (RdWindow *self,
                               guint     timeout_ms)
{
  self->idle_timeout_ms = timeout_ms;
  restart_idle_check (self);
}
