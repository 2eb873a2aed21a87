/* rd-test-ui.c — real windows under Xvfb: wait, screenshot, check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "rd-test-util.h"
#include "rd-test-ui.h"

gboolean
rd_test_ui_init (void)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display (run through ./dev test, which starts Xvfb)");
      return FALSE;
    }

  adw_init ();

  /* Without a window manager, Xvfb never activates our windows, so a text
   * field's cursor-blink timer finds itself without focus and warns; the
   * warning is fatal in tests and says nothing about our code. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
  /* Screenshots show settled pages, not the middle of a cross-fade. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  return TRUE;
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
rd_test_ui_wait_until (gboolean (*predicate) (gpointer data),
                       gpointer   data,
                       guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!predicate (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);

  return predicate (data);
}

static gboolean
always_false (gpointer data)
{
  return FALSE;
}

void
rd_test_ui_spin (guint ms)
{
  rd_test_ui_wait_until (always_false, NULL, ms);
}

typedef struct {
  GtkWidget *widget;
  gboolean   painted;
} DrawWait;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       data)
{
  ((DrawWait *) data)->painted = TRUE;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (((DrawWait *) data)->widget);
}

static gboolean
is_painted (gpointer data)
{
  return ((DrawWait *) data)->painted;
}

gboolean
rd_test_ui_wait_drawn (GtkWidget *widget,
                       guint      timeout_ms)
{
  DrawWait wait = { widget, FALSE };
  GdkFrameClock *clock;
  gulong id;

  if (!rd_test_ui_wait_until (is_mapped, &wait, timeout_ms))
    return FALSE;

  clock = gtk_widget_get_frame_clock (widget);
  if (clock == NULL)
    return FALSE;

  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &wait);
  gtk_widget_queue_draw (widget);
  rd_test_ui_wait_until (is_painted, &wait, timeout_ms);
  g_signal_handler_disconnect (clock, id);

  return wait.painted;
}

GdkTexture *
rd_test_ui_screenshot (GtkWidget  *widget,
                       const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autofree char *dir = rd_test_artifact_dir ();
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  GskRenderer *renderer;
  GdkTexture *texture;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  /* The paintable shows the widget's last frame, which may not exist yet
   * right after a change: draw, and try again. */
  for (int attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      g_assert_true (rd_test_ui_wait_drawn (widget, 10000));
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (node == NULL)
        rd_test_ui_spin (100);
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);

  return texture;
}

GtkWidget *
rd_test_ui_find_by_id (GtkWidget  *root,
                       const char *id)
{
  const char *bid = GTK_IS_BUILDABLE (root)
                    ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)) : NULL;

  if (g_strcmp0 (bid, id) == 0)
    return root;

  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = rd_test_ui_find_by_id (c, id);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
rd_test_ui_find_by_type (GtkWidget *root,
                         GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = rd_test_ui_find_by_type (c, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

gboolean
rd_test_ui_texture_has_content (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *pixels = g_malloc (stride * height);
  guint32 first;

  gdk_texture_download (texture, pixels, stride);
  first = ((guint32 *) pixels)[0];

  for (gsize i = 0; i < (gsize) width * height; i++)
    if (((guint32 *) pixels)[i] != first)
      return TRUE;

  return FALSE;
}
