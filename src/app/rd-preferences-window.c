/* rd-preferences-window.c — this workstation's preferences: the fax and scanner folder
 *
 * The folder is a per-workstation setting (`inbox-folder`, `inbox-watch`);
 * a saved server profile may name its own folder, which then wins while
 * signed in with that profile. What the session's watcher is doing (watching,
 * files imported today, the last problem) is shown live from RdSession.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rd-preferences-window.h"
#include "rd-profile.h"

struct _RdPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  RdSession            *session;
  GtkFileChooserNative *chooser;
  gboolean              choosing_for_profile;

  AdwActionRow         *folder_row;
  GtkWidget            *folder_clear_button;
  GtkWidget            *folder_choose_button;
  GtkSwitch            *watch_switch;
  AdwActionRow         *profile_row;
  GtkWidget            *profile_clear_button;
  AdwActionRow         *status_row;
  GtkImage             *status_icon;
  GtkLabel             *count_label;
  AdwActionRow         *error_row;
};

G_DEFINE_FINAL_TYPE (RdPreferencesWindow, rd_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The saved profile the person is signed in with, if any. */
static RdProfile *
find_profile (RdPreferencesWindow *self,
              GPtrArray           *profiles)
{
  const char *name = self->session != NULL ? rd_session_get_profile_name (self->session) : NULL;

  for (guint i = 0; name != NULL && i < profiles->len; i++)
    {
      RdProfile *p = g_ptr_array_index (profiles, i);

      if (g_strcmp0 (rd_profile_get_name (p), name) == 0)
        return p;
    }
  return NULL;
}

static void
update_folder_rows (RdPreferencesWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "inbox-folder");
  g_autoptr(GPtrArray) profiles = rd_profile_list_load (self->settings);
  RdProfile *profile = find_profile (self, profiles);
  gboolean signed_in = self->session != NULL
                       && rd_session_get_state (self->session) != RD_SESSION_SIGNED_OUT;

  if (*folder != '\0')
    {
      g_autofree char *shown = g_filename_display_name (folder);

      adw_action_row_set_subtitle (self->folder_row, shown);
    }
  else
    adw_action_row_set_subtitle (self->folder_row, _("None chosen"));
  gtk_widget_set_sensitive (self->folder_clear_button, *folder != '\0');

  gtk_widget_set_visible (GTK_WIDGET (self->profile_row), signed_in && profile != NULL);
  if (profile != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Folder for “%s” only"), rd_profile_get_name (profile));
      const char *own = rd_profile_get_inbox_folder (profile);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->profile_row), title);
      if (own != NULL)
        {
          g_autofree char *shown = g_filename_display_name (own);
          g_autofree char *subtitle = g_strdup_printf (_("%s — used instead of the folder above while you are signed in to this server"),
                                                       shown);

          adw_action_row_set_subtitle (self->profile_row, subtitle);
        }
      else
        adw_action_row_set_subtitle (self->profile_row,
                                     _("None: the folder above is used for this server too"));
      gtk_widget_set_sensitive (self->profile_clear_button, own != NULL);
    }
}

static void
update_status (RdPreferencesWindow *self)
{
  RdInboxStatus status = self->session != NULL ? rd_session_get_inbox_status (self->session)
                                               : RD_INBOX_STATUS_OFF;
  const char *folder = self->session != NULL ? rd_session_get_inbox_folder (self->session) : NULL;
  const char *error = self->session != NULL ? rd_session_get_inbox_error (self->session) : NULL;
  guint count = self->session != NULL ? rd_session_get_inbox_imported_today (self->session) : 0;
  g_autofree char *shown = folder != NULL ? g_filename_display_name (folder) : NULL;
  g_autofree char *folder_setting = g_settings_get_string (self->settings, "inbox-folder");
  g_autofree char *count_text = g_strdup_printf ("%u", count);
  const char *title = NULL;
  const char *subtitle = NULL;
  const char *icon = NULL;

  switch (status)
    {
    case RD_INBOX_STATUS_WATCHING:
      title = _("Watching");
      subtitle = shown;
      icon = "emblem-ok-symbolic";
      break;
    case RD_INBOX_STATUS_STARTING:
      title = _("Opening the folder…");
      subtitle = shown;
      icon = "folder-symbolic";
      break;
    case RD_INBOX_STATUS_FAILED:
      title = _("Not watching");
      subtitle = _("The folder is tried again every half minute. The problem is below.");
      icon = "dialog-warning-symbolic";
      break;
    case RD_INBOX_STATUS_OFF:
    default:
      title = _("Not watching");
      icon = "media-playback-pause-symbolic";
      if (!g_settings_get_boolean (self->settings, "inbox-watch"))
        subtitle = _("Watching is turned off on this computer.");
      else if (self->session == NULL || rd_session_get_state (self->session) == RD_SESSION_SIGNED_OUT)
        subtitle = _("The folder is watched while someone is signed in.");
      else if (*folder_setting == '\0')
        subtitle = _("Choose a folder to import faxes and scans from it.");
      else
        subtitle = _("The folder is not watched while the window is locked.");
      break;
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), title);
  adw_action_row_set_subtitle (self->status_row, subtitle != NULL ? subtitle : "");
  gtk_image_set_from_icon_name (self->status_icon, icon);
  gtk_label_set_label (self->count_label, count_text);
  gtk_widget_set_visible (GTK_WIDGET (self->error_row), error != NULL);
  adw_action_row_set_subtitle (self->error_row, error != NULL ? error : "");
}

static void
on_settings_changed (RdPreferencesWindow *self,
                     const char          *key,
                     GSettings           *settings)
{
  update_folder_rows (self);
  update_status (self);
}

static void
on_session_changed (RdPreferencesWindow *self,
                    GParamSpec          *pspec,
                    RdSession           *session)
{
  update_folder_rows (self);
  update_status (self);
}

/**
 * rd_preferences_window_set_folder:
 * @self: the preferences window
 * @folder: (nullable): the folder chosen, or %NULL to forget it
 *
 * Saves the workstation's fax and scanner folder. A folder without a local
 * path (a location GVfs has not mounted) is refused with a message.
 */
void
rd_preferences_window_set_folder (RdPreferencesWindow *self,
                                  GFile               *folder)
{
  g_autofree char *path = NULL;

  g_return_if_fail (RD_IS_PREFERENCES_WINDOW (self));

  if (folder != NULL && (path = g_file_get_path (folder)) == NULL)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("Choose a folder on this computer or on a mounted network drive.")));
      return;
    }
  g_settings_set_string (self->settings, "inbox-folder", path != NULL ? path : "");
}

/**
 * rd_preferences_window_set_profile_folder:
 * @self: the preferences window
 * @folder: (nullable): the folder for the signed-in server profile, or %NULL
 *   so that the workstation's folder applies to it
 *
 * Does nothing when nobody is signed in with a saved profile.
 */
void
rd_preferences_window_set_profile_folder (RdPreferencesWindow *self,
                                          GFile               *folder)
{
  g_autoptr(GPtrArray) profiles = NULL;
  g_autofree char *path = NULL;
  RdProfile *profile;

  g_return_if_fail (RD_IS_PREFERENCES_WINDOW (self));

  if (folder != NULL && (path = g_file_get_path (folder)) == NULL)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("Choose a folder on this computer or on a mounted network drive.")));
      return;
    }
  profiles = rd_profile_list_load (self->settings);
  profile = find_profile (self, profiles);
  if (profile == NULL)
    return;
  rd_profile_set_inbox_folder (profile, path);
  rd_profile_list_save (self->settings, profiles);
}

static void
on_chooser_response (RdPreferencesWindow  *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) folder = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (folder != NULL && self->choosing_for_profile)
        rd_preferences_window_set_profile_folder (self, folder);
      else if (folder != NULL)
        rd_preferences_window_set_folder (self, folder);
    }
  g_clear_object (&self->chooser);
}

static void
choose_folder (RdPreferencesWindow *self,
               gboolean             for_profile,
               const char          *current)
{
  if (self->chooser != NULL)
    return;

  self->choosing_for_profile = for_profile;
  self->chooser = gtk_file_chooser_native_new (_("Choose the Fax and Scanner Folder"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (current != NULL && *current != '\0' && g_path_is_absolute (current))
    {
      g_autoptr(GFile) file = g_file_new_for_path (current);

      /* Only a hint: a missing folder is simply not preselected. */
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), file, NULL);
    }
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_folder_choose_clicked (RdPreferencesWindow *self)
{
  g_autofree char *current = g_settings_get_string (self->settings, "inbox-folder");

  choose_folder (self, FALSE, current);
}

static void
on_folder_clear_clicked (RdPreferencesWindow *self)
{
  rd_preferences_window_set_folder (self, NULL);
}

static void
on_profile_choose_clicked (RdPreferencesWindow *self)
{
  g_autoptr(GPtrArray) profiles = rd_profile_list_load (self->settings);
  RdProfile *profile = find_profile (self, profiles);

  choose_folder (self, TRUE, profile != NULL ? rd_profile_get_inbox_folder (profile) : NULL);
}

static void
on_profile_clear_clicked (RdPreferencesWindow *self)
{
  rd_preferences_window_set_profile_folder (self, NULL);
}

static void
rd_preferences_window_dispose (GObject *object)
{
  RdPreferencesWindow *self = RD_PREFERENCES_WINDOW (object);

  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (rd_preferences_window_parent_class)->dispose (object);
}

static void
rd_preferences_window_class_init (RdPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, folder_clear_button);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, folder_choose_button);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, watch_switch);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, profile_row);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, profile_clear_button);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, status_row);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, count_label);
  gtk_widget_class_bind_template_child (widget_class, RdPreferencesWindow, error_row);
  gtk_widget_class_bind_template_callback (widget_class, on_folder_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_folder_clear_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_profile_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_profile_clear_clicked);
}

static void
rd_preferences_window_init (RdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "inbox-watch", self->watch_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self,
                           G_CONNECT_SWAPPED);
}

/**
 * rd_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 * @session: (nullable): who is signed in there, for the folder's status
 *
 * Returns: (transfer floating): a new preferences window
 */
GtkWidget *
rd_preferences_window_new (GtkWindow *parent,
                           RdSession *session)
{
  RdPreferencesWindow *self = g_object_new (RD_TYPE_PREFERENCES_WINDOW,
                                            "transient-for", parent,
                                            NULL);

  if (session != NULL)
    {
      const char *props[] = { "notify::state", "notify::inbox-status", "notify::inbox-folder",
                              "notify::inbox-error", "notify::inbox-imported-today" };

      self->session = g_object_ref (session);
      for (guint i = 0; i < G_N_ELEMENTS (props); i++)
        g_signal_connect_object (session, props[i], G_CALLBACK (on_session_changed), self,
                                 G_CONNECT_SWAPPED);
    }
  update_folder_rows (self);
  update_status (self);
  return GTK_WIDGET (self);
}
