/* test-window.c — the real main window shows, in light and dark, with its
 * empty states, menu, About dialog and shortcuts window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "rd-application.h"
#include "rd-test-ui.h"
#include "rd-test-util.h"
#include "rd-window.h"

static RdApplication *app;

static GtkWindow *
activate_main_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_nonnull (window);
  g_assert_true (RD_IS_WINDOW (window));

  return window;
}

static void
test_window_shows (void)
{
  GtkWindow *window = activate_main_window ();
  g_autoptr(GdkTexture) texture = NULL;

  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (window), 10000));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >=, 360);

  texture = rd_test_ui_screenshot (GTK_WIDGET (window), "main-window-light");
  g_assert_true (rd_test_ui_texture_has_content (texture));
}

static void
test_window_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkWindow *window = activate_main_window ();
  g_autoptr(GdkTexture) texture = NULL;

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  g_assert_true (rd_test_ui_wait_drawn (GTK_WIDGET (window), 10000));
  rd_test_ui_spin (200);
  texture = rd_test_ui_screenshot (GTK_WIDGET (window), "main-window-dark");
  g_assert_true (rd_test_ui_texture_has_content (texture));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

static gboolean
find_label_text (GtkWidget  *widget,
                 const char *text)
{
  if (ADW_IS_STATUS_PAGE (widget) &&
      g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), text) == 0)
    return TRUE;
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    if (find_label_text (child, text))
      return TRUE;

  return FALSE;
}

static void
test_empty_states (void)
{
  GtkWindow *window = activate_main_window ();

  /* Nobody has set up a database yet: the window asks where data lives. */
  g_assert_true (find_label_text (GTK_WIDGET (window), "Welcome to Referral Desk"));
  g_assert_true (find_label_text (GTK_WIDGET (window), "Referral Desk Is Locked"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
}

static gboolean
has_toplevel_of_type (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GType type = GPOINTER_TO_SIZE (data);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_mapped (GTK_WIDGET (w)))
        return TRUE;
    }

  return FALSE;
}

static void
close_toplevels_of_type (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i - 1);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
        gtk_window_destroy (GTK_WINDOW (w));
    }
}

static void
test_about_and_shortcuts (void)
{
  GtkWindow *window = activate_main_window ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (rd_test_ui_wait_until (has_toplevel_of_type,
                                        GSIZE_TO_POINTER (ADW_TYPE_ABOUT_WINDOW), 10000));
  rd_test_ui_spin (300);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

        if (ADW_IS_ABOUT_WINDOW (w))
          {
            g_autoptr(GdkTexture) t = rd_test_ui_screenshot (GTK_WIDGET (w), "about");
            g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (w)),
                             ==, "Referral Desk");
          }
      }
  }
  close_toplevels_of_type (ADW_TYPE_ABOUT_WINDOW);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
  g_assert_true (rd_test_ui_wait_until (has_toplevel_of_type,
                                        GSIZE_TO_POINTER (GTK_TYPE_SHORTCUTS_WINDOW), 10000));
  close_toplevels_of_type (GTK_TYPE_SHORTCUTS_WINDOW);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  if (!rd_test_ui_init ())
    return g_test_run ();

  app = rd_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/window/shows", test_window_shows);
  g_test_add_func ("/ui/window/dark", test_window_dark);
  g_test_add_func ("/ui/window/empty-states", test_empty_states);
  g_test_add_func ("/ui/window/about-and-shortcuts", test_about_and_shortcuts);

  status = g_test_run ();

  close_toplevels_of_type (GTK_TYPE_WINDOW);
  g_clear_object (&app);
  return status;
}
