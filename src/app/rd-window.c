/* rd-window.c — the main window: queues, worklist, referral
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rd-window.h"

struct _RdWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar_list;
  GtkStack             *worklist_stack;
  GtkStack             *detail_stack;
  AdwWindowTitle       *worklist_title;
};

G_DEFINE_FINAL_TYPE (RdWindow, rd_window, ADW_TYPE_APPLICATION_WINDOW)

static void
on_sidebar_row_activated (RdWindow      *self,
                          GtkListBoxRow *row,
                          GtkListBox    *list)
{
  const char *title = gtk_widget_get_tooltip_text (GTK_WIDGET (row));

  adw_window_title_set_title (self->worklist_title, title ? title : "");
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
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

  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_WINDOW);
  g_clear_object (&self->settings);

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

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RdWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, worklist_stack);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, RdWindow, worklist_title);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
}

static void
rd_window_init (RdWindow *self)
{
  int width, height;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

RdWindow *
rd_window_new (RdApplication *application)
{
  return g_object_new (RD_TYPE_WINDOW, "application", application, NULL);
}
