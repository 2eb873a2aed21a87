/* rd-sign-in-page.c — choose a server profile, type user and password
 *
 * The page keeps what was typed when sign-in fails, so the person only
 * corrects the field that was wrong. It looks the password up in the
 * keyring (asynchronously) when a profile is chosen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rd-credentials.h"
#include "rd-sign-in-page.h"

struct _RdSignInPage
{
  GtkWidget             parent_instance;

  GPtrArray            *profiles;
  GCancellable         *lookup_cancellable;
  gboolean              password_from_keyring;

  AdwComboRow          *profile_row;
  GtkStringList        *profile_names;
  AdwActionRow         *delete_row;
  AdwEntryRow          *name_row;
  AdwEntryRow          *hosts_row;
  AdwEntryRow          *port_row;
  AdwEntryRow          *database_row;
  AdwComboRow          *tls_row;
  AdwEntryRow          *ca_row;
  AdwEntryRow          *user_row;
  AdwPasswordEntryRow  *password_row;
  GtkSwitch            *remember_switch;
  GtkLabel             *error_label;
  GtkLabel             *note_label;
  GtkButton            *sign_in_button;
  GtkSpinner           *spinner;
};

enum {
  SIGN_IN_REQUESTED,
  BACK_REQUESTED,
  PROFILE_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The order of the TLS combo row's items (see the .ui file). */
static const RdTlsMode tls_modes[] = {
  RD_TLS_MODE_DEFAULT,
  RD_TLS_MODE_VERIFY_FULL,
  RD_TLS_MODE_VERIFY_CA,
  RD_TLS_MODE_REQUIRE,
  RD_TLS_MODE_PREFER,
  RD_TLS_MODE_DISABLE,
};

G_DEFINE_FINAL_TYPE (RdSignInPage, rd_sign_in_page, GTK_TYPE_WIDGET)

static void
on_lookup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RdSignInPage *self = user_data;
  g_autoptr(GError) error = NULL;
  char *password = rd_credentials_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (password != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
      gtk_switch_set_active (self->remember_switch, TRUE);
      self->password_from_keyring = TRUE;
      rd_credentials_password_free (password);
    }
  else if (error != NULL && g_error_matches (error, RD_CREDENTIALS_ERROR,
                                             RD_CREDENTIALS_ERROR_UNAVAILABLE))
    {
      gtk_switch_set_active (self->remember_switch, FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->remember_switch), FALSE);
      rd_sign_in_page_show_note (self,
                                 _("No keyring is available on this computer, so your password cannot be remembered. You will be asked for it each time."));
    }
  else if (error != NULL && g_error_matches (error, RD_CREDENTIALS_ERROR,
                                             RD_CREDENTIALS_ERROR_LOCKED))
    {
      rd_sign_in_page_show_note (self,
                                 _("The keyring is locked, so the saved password could not be read. Type your password."));
    }
}

static void
fill_from_profile (RdSignInPage *self,
                   RdProfile    *profile)
{
  g_autofree char *hosts = NULL;
  g_autofree char *port = NULL;
  RdTlsMode mode;

  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  self->password_from_keyring = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_switch_set_active (self->remember_switch, FALSE);

  if (profile == NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->hosts_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->port_row), "5432");
      gtk_editable_set_text (GTK_EDITABLE (self->database_row), RD_PROFILE_DEFAULT_DATABASE);
      gtk_editable_set_text (GTK_EDITABLE (self->ca_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->user_row), g_get_user_name ());
      adw_combo_row_set_selected (self->tls_row, 0);
      return;
    }

  hosts = rd_profile_dup_hosts_string (profile);
  port = g_strdup_printf ("%u", rd_profile_get_port (profile));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), rd_profile_get_name (profile));
  gtk_editable_set_text (GTK_EDITABLE (self->hosts_row), hosts ? hosts : "");
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
  gtk_editable_set_text (GTK_EDITABLE (self->database_row),
                         rd_profile_get_database (profile) ? rd_profile_get_database (profile) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->ca_row),
                         rd_profile_get_ca_file (profile) ? rd_profile_get_ca_file (profile) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->user_row),
                         rd_profile_get_user (profile) ? rd_profile_get_user (profile) : "");

  mode = rd_profile_get_tls_mode (profile);
  for (guint i = 0; i < G_N_ELEMENTS (tls_modes); i++)
    if (tls_modes[i] == mode)
      adw_combo_row_set_selected (self->tls_row, i);

  self->lookup_cancellable = g_cancellable_new ();
  rd_credentials_lookup_async (profile, self->lookup_cancellable, on_lookup_done, self);
}

static RdProfile *
selected_profile (RdSignInPage *self)
{
  guint selected = adw_combo_row_get_selected (self->profile_row);

  if (self->profiles != NULL && selected < self->profiles->len)
    return g_ptr_array_index (self->profiles, selected);

  return NULL;
}

static void
on_profile_selected (RdSignInPage *self)
{
  RdProfile *profile = selected_profile (self);

  gtk_widget_set_visible (GTK_WIDGET (self->delete_row), profile != NULL);
  fill_from_profile (self, profile);
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  RdSignInPage *self = user_data;
  RdProfile *profile;

  if (g_strcmp0 (response, "remove") != 0)
    return;

  profile = selected_profile (self);
  if (profile != NULL)
    g_signal_emit (self, signals[PROFILE_REMOVED], 0, rd_profile_get_name (profile));
}

static void
on_delete_clicked (RdSignInPage *self)
{
  RdProfile *profile = selected_profile (self);
  GtkWidget *dialog;

  if (profile == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Remove This Profile?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” and the password saved for it on this computer will be removed. Nothing in the database changes."),
                                  rd_profile_get_name (profile));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_sign_in_clicked (RdSignInPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  g_signal_emit (self, signals[SIGN_IN_REQUESTED], 0);
}

static void
on_back_clicked (RdSignInPage *self)
{
  g_signal_emit (self, signals[BACK_REQUESTED], 0);
}

static void
on_password_changed (RdSignInPage *self)
{
  self->password_from_keyring = FALSE;
}

static void
rd_sign_in_page_dispose (GObject *object)
{
  RdSignInPage *self = RD_SIGN_IN_PAGE (object);
  GtkWidget *child;

  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_SIGN_IN_PAGE);
  /* The template's top-level child is ours to unparent. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->profiles, g_ptr_array_unref);

  G_OBJECT_CLASS (rd_sign_in_page_parent_class)->dispose (object);
}

static void
rd_sign_in_page_class_init (RdSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_sign_in_page_dispose;

  signals[SIGN_IN_REQUESTED] =
    g_signal_new ("sign-in-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[BACK_REQUESTED] =
    g_signal_new ("back-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * RdSignInPage::profile-removed:
   * @name: the profile the person chose to remove
   */
  signals[PROFILE_REMOVED] =
    g_signal_new ("profile-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, profile_row);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, profile_names);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, delete_row);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, hosts_row);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, port_row);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, database_row);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, tls_row);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, ca_row);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, remember_switch);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, note_label);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, RdSignInPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_profile_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_password_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_delete_clicked);
}

static void
rd_sign_in_page_init (RdSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self->delete_row), FALSE);
  fill_from_profile (self, NULL);
}

GtkWidget *
rd_sign_in_page_new (void)
{
  return g_object_new (RD_TYPE_SIGN_IN_PAGE, NULL);
}

/**
 * rd_sign_in_page_set_profiles:
 * @self: a #RdSignInPage
 * @profiles: (element-type RdProfile): the saved profiles
 * @selected: (nullable): name of the profile to preselect
 *
 * A last entry, "New profile", starts from an empty form.
 */
void
rd_sign_in_page_set_profiles (RdSignInPage *self,
                              GPtrArray    *profiles,
                              const char   *selected)
{
  guint n, index = 0;

  g_return_if_fail (RD_IS_SIGN_IN_PAGE (self));

  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  self->profiles = profiles ? g_ptr_array_ref (profiles) : g_ptr_array_new ();

  n = g_list_model_get_n_items (G_LIST_MODEL (self->profile_names));
  {
    g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
    g_auto(GStrv) strv = NULL;

    for (guint i = 0; i < self->profiles->len; i++)
      {
        RdProfile *p = g_ptr_array_index (self->profiles, i);

        g_strv_builder_add (names, rd_profile_get_name (p));
        if (g_strcmp0 (rd_profile_get_name (p), selected) == 0)
          index = i;
      }
    g_strv_builder_add (names, _("New profile"));
    strv = g_strv_builder_end (names);
    gtk_string_list_splice (self->profile_names, 0, n, (const char * const *) strv);
  }

  if (adw_combo_row_get_selected (self->profile_row) == index)
    on_profile_selected (self);
  else
    adw_combo_row_set_selected (self->profile_row, index);
}

/**
 * rd_sign_in_page_dup_profile:
 * @self: a #RdSignInPage
 * @error: where to put what is wrong with the form
 *
 * Returns: (transfer full) (nullable): the profile the form describes
 */
RdProfile *
rd_sign_in_page_dup_profile (RdSignInPage *self,
                             GError      **error)
{
  g_autoptr(RdProfile) profile = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *port_text = gtk_editable_get_text (GTK_EDITABLE (self->port_row));
  const char *ca = gtk_editable_get_text (GTK_EDITABLE (self->ca_row));
  guint64 port = 0;
  guint tls = adw_combo_row_get_selected (self->tls_row);

  profile = rd_profile_new (*name ? name : _("Organization server"));
  if (!rd_profile_set_hosts_from_string (profile,
                                         gtk_editable_get_text (GTK_EDITABLE (self->hosts_row)),
                                         error))
    return NULL;

  if (!g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL))
    {
      g_set_error_literal (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID,
                           _("The port is a number from 1 to 65535, usually 5432."));
      return NULL;
    }

  rd_profile_set_port (profile, (guint) port);
  rd_profile_set_database (profile, gtk_editable_get_text (GTK_EDITABLE (self->database_row)));
  rd_profile_set_user (profile, gtk_editable_get_text (GTK_EDITABLE (self->user_row)));
  rd_profile_set_ca_file (profile, *ca ? ca : NULL);
  rd_profile_set_tls_mode (profile, tls < G_N_ELEMENTS (tls_modes) ? tls_modes[tls]
                                                                    : RD_TLS_MODE_DEFAULT);

  return g_steal_pointer (&profile);
}

const char *
rd_sign_in_page_get_password (RdSignInPage *self)
{
  g_return_val_if_fail (RD_IS_SIGN_IN_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->password_row));
}

void
rd_sign_in_page_clear_password (RdSignInPage *self)
{
  g_return_if_fail (RD_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  self->password_from_keyring = FALSE;
}

gboolean
rd_sign_in_page_get_remember (RdSignInPage *self)
{
  g_return_val_if_fail (RD_IS_SIGN_IN_PAGE (self), FALSE);

  return gtk_switch_get_active (self->remember_switch);
}

/**
 * rd_sign_in_page_get_password_from_keyring:
 * @self: a #RdSignInPage
 *
 * Returns: %TRUE when the password field holds the keyring's password,
 *   untouched by the person
 */
gboolean
rd_sign_in_page_get_password_from_keyring (RdSignInPage *self)
{
  g_return_val_if_fail (RD_IS_SIGN_IN_PAGE (self), FALSE);

  return self->password_from_keyring;
}

void
rd_sign_in_page_set_busy (RdSignInPage *self,
                          gboolean      busy)
{
  g_return_if_fail (RD_IS_SIGN_IN_PAGE (self));

  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), !busy);
}

void
rd_sign_in_page_show_error (RdSignInPage *self,
                            const char   *message)
{
  g_return_if_fail (RD_IS_SIGN_IN_PAGE (self));

  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

void
rd_sign_in_page_show_note (RdSignInPage *self,
                           const char   *message)
{
  g_return_if_fail (RD_IS_SIGN_IN_PAGE (self));

  gtk_label_set_label (self->note_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), message != NULL);
}
