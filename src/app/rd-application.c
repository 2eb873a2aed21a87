/* rd-application.c — application start-up, global actions and the About dialog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rd-application.h"
#include "rd-window.h"

struct _RdApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (RdApplication, rd_application, ADW_TYPE_APPLICATION)

static void
rd_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (rd_window_new (RD_APPLICATION (app)));

  gtk_window_present (window);
}

static void
rd_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (rd_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
on_about_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { _("The Referral Desk engineers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Referral Desk"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Referral Desk engineers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Process patient referrals from fax, e-mail and EHR messages to the closed loop, with every step on an auditable record."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
on_quit_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", on_about_activated },
  { "quit", on_quit_activated },
};

static void
rd_application_class_init (RdApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = rd_application_activate;
  app_class->startup = rd_application_startup;
}

static void
rd_application_init (RdApplication *self)
{
  const char *quit_accels[] = { "<Control>q", NULL };

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
}

RdApplication *
rd_application_new (void)
{
  return g_object_new (RD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/referraldesk/ReferralDesk",
                       NULL);
}
