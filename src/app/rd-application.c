/* rd-application.c — application start-up, global actions and the About dialog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rd-application.h"
#include "rd-preferences-window.h"
#include "rd-window.h"

struct _RdApplication
{
  AdwApplication  parent_instance;

  RdLocalCluster *local_cluster;
  gboolean        start_local;
  gboolean        demo;
};

G_DEFINE_FINAL_TYPE (RdApplication, rd_application, ADW_TYPE_APPLICATION)

static void
rd_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      window = GTK_WINDOW (rd_window_new (RD_APPLICATION (app)));
      if (RD_APPLICATION (app)->start_local)
        gtk_widget_activate_action (GTK_WIDGET (window), "win.use-local", NULL);
    }

  gtk_window_present (window);
}

static void
rd_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (rd_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
on_cluster_stopped (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  if (!rd_local_cluster_stop_finish (RD_LOCAL_CLUSTER (source), result, NULL, &error))
    g_warning ("Could not stop the local database: %s", error->message);
  *done = TRUE;
}

static void
rd_application_shutdown (GApplication *app)
{
  RdApplication *self = RD_APPLICATION (app);

  /* Every window is gone by now: waiting here for the private server to
   * stop freezes nothing a person could see. */
  if (self->local_cluster != NULL && rd_local_cluster_get_running (self->local_cluster))
    {
      gboolean done = FALSE;

      rd_local_cluster_stop_async (self->local_cluster, NULL, on_cluster_stopped, &done);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
    }
  g_clear_object (&self->local_cluster);

  G_APPLICATION_CLASS (rd_application_parent_class)->shutdown (app);
}

static int
rd_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  RdApplication *self = RD_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("referral-desk %s\n", PACKAGE_VERSION);
      return 0;
    }

  self->start_local = g_variant_dict_contains (options, "local");
  self->demo = g_variant_dict_contains (options, "demo");
  return -1;
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
on_preferences_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  GtkWindow *main_window = parent;
  RdSession *session;

  /* From a dialog of a desk window, the status is that desk's. */
  while (main_window != NULL && !RD_IS_WINDOW (main_window))
    main_window = gtk_window_get_transient_for (main_window);
  session = main_window != NULL ? rd_window_get_session (RD_WINDOW (main_window)) : NULL;

  gtk_window_present (GTK_WINDOW (rd_preferences_window_new (parent, session)));
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
  { "preferences", on_preferences_activated },
  { "quit", on_quit_activated },
};

static void
rd_application_class_init (RdApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = rd_application_activate;
  app_class->startup = rd_application_startup;
  app_class->shutdown = rd_application_shutdown;
  app_class->handle_local_options = rd_application_handle_local_options;
}

static const GOptionEntry options[] = {
  { "local", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Work on the private database on this computer"), NULL },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Fill a newly created private database with synthetic demo referrals"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
  { NULL }
};

static void
rd_application_init (RdApplication *self)
{
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };

  g_application_add_main_option_entries (G_APPLICATION (self), options);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
}

/**
 * rd_application_get_local_cluster:
 * @self: the application
 *
 * The private database on this computer, shared by every window; it is
 * stopped when the application quits.
 *
 * Returns: (transfer none): the local cluster
 */
RdLocalCluster *
rd_application_get_local_cluster (RdApplication *self)
{
  g_return_val_if_fail (RD_IS_APPLICATION (self), NULL);

  if (self->local_cluster == NULL)
    self->local_cluster = rd_local_cluster_new ();

  return self->local_cluster;
}

/* TRUE when started with --local. */
gboolean
rd_application_get_start_local (RdApplication *self)
{
  return self->start_local;
}

/* TRUE when started with --demo. */
gboolean
rd_application_get_demo (RdApplication *self)
{
  return self->demo;
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
