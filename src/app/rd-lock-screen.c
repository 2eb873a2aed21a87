/* rd-lock-screen.c — covers the desk when the person walks away
 *
 * The lock screen shows only who is signed in. Unlocking needs the person's
 * password, which the window checks against the database server; the
 * password text is cleared as soon as it has been handed over.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rd-lock-screen.h"

struct _RdLockScreen
{
  GtkWidget         parent_instance;

  AdwStatusPage    *status_page;
  GtkPasswordEntry *password_entry;
  GtkButton        *unlock_button;
  GtkLabel         *error_label;
  GtkSpinner       *spinner;

  gboolean          busy;
};

enum {
  UNLOCK_REQUESTED,
  SIGN_OUT_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RdLockScreen, rd_lock_screen, GTK_TYPE_WIDGET)

static void
on_unlock_activated (RdLockScreen *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));
  g_autofree char *password = NULL;

  if (self->busy)
    return;

  if (text == NULL || *text == '\0')
    {
      rd_lock_screen_show_error (self, _("Type your password to unlock."));
      return;
    }

  password = g_strdup (text);
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  g_signal_emit (self, signals[UNLOCK_REQUESTED], 0, password);

  /* Do not leave the password lying around in freed memory. */
  memset (password, 0, strlen (password));
}

static void
on_sign_out_clicked (RdLockScreen *self)
{
  g_signal_emit (self, signals[SIGN_OUT_REQUESTED], 0);
}

static void
rd_lock_screen_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), RD_TYPE_LOCK_SCREEN);
  /* The template's top-level child is ours to unparent. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (rd_lock_screen_parent_class)->dispose (object);
}

static gboolean
rd_lock_screen_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (RD_LOCK_SCREEN (widget)->password_entry));
}

static void
rd_lock_screen_class_init (RdLockScreenClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_lock_screen_dispose;
  widget_class->grab_focus = rd_lock_screen_grab_focus;

  /**
   * RdLockScreen::unlock-requested:
   * @password: what the person typed; check it, then forget it
   */
  signals[UNLOCK_REQUESTED] =
    g_signal_new ("unlock-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGN_OUT_REQUESTED] =
    g_signal_new ("sign-out-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-lock-screen.ui");
  gtk_widget_class_bind_template_child (widget_class, RdLockScreen, status_page);
  gtk_widget_class_bind_template_child (widget_class, RdLockScreen, password_entry);
  gtk_widget_class_bind_template_child (widget_class, RdLockScreen, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, RdLockScreen, error_label);
  gtk_widget_class_bind_template_child (widget_class, RdLockScreen, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_unlock_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_out_clicked);
}

static void
rd_lock_screen_init (RdLockScreen *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
rd_lock_screen_new (void)
{
  return g_object_new (RD_TYPE_LOCK_SCREEN, NULL);
}

/**
 * rd_lock_screen_set_user:
 * @self: a #RdLockScreen
 * @display_name: the person's name, as staff see it
 * @login: their database login
 */
void
rd_lock_screen_set_user (RdLockScreen *self,
                         const char   *display_name,
                         const char   *login)
{
  g_autofree char *description = NULL;

  g_return_if_fail (RD_IS_LOCK_SCREEN (self));

  description = g_strdup_printf (_("Signed in as %s (%s). Type your password to continue."),
                                 display_name ? display_name : login, login ? login : "");
  adw_status_page_set_description (self->status_page, description);
}

/**
 * rd_lock_screen_reset:
 * @self: a #RdLockScreen
 *
 * Clears the password field and any error, ready to be shown again.
 */
void
rd_lock_screen_reset (RdLockScreen *self)
{
  g_return_if_fail (RD_IS_LOCK_SCREEN (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  rd_lock_screen_set_busy (self, FALSE);
}

void
rd_lock_screen_set_busy (RdLockScreen *self,
                         gboolean      busy)
{
  g_return_if_fail (RD_IS_LOCK_SCREEN (self));

  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  /* The entry keeps its focus (making it insensitive would take the focus
   * away mid-typing); a second activation while busy is ignored. */
  self->busy = busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->unlock_button), !busy);
  if (!busy)
    gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
}

void
rd_lock_screen_show_error (RdLockScreen *self,
                           const char   *message)
{
  g_return_if_fail (RD_IS_LOCK_SCREEN (self));

  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->password_entry),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
}
