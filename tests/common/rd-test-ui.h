/* rd-test-ui.h — helpers for tests that show real windows under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Skips (returns FALSE) when there is no display; otherwise initialises
 * libadwaita. Call once from main() after g_test_init(). */
gboolean    rd_test_ui_init          (void);

/* Iterates the main context until @predicate returns TRUE or @timeout_ms
 * passes. Returns the predicate's last value. */
gboolean    rd_test_ui_wait_until    (gboolean  (*predicate) (gpointer data),
                                      gpointer    data,
                                      guint       timeout_ms);

/* Iterates the main context for @ms milliseconds. */
void        rd_test_ui_spin          (guint       ms);

/* Waits until @widget is mapped and has painted a frame. */
gboolean    rd_test_ui_wait_drawn    (GtkWidget  *widget,
                                      guint       timeout_ms);

/* Renders @widget (usually a window) to a PNG called NAME.png in the test
 * artefact directory. Returns the texture for further checks. */
GdkTexture *rd_test_ui_screenshot    (GtkWidget  *widget,
                                      const char *name);

/* The descendant of @root whose .ui template id is @id, or NULL. */
GtkWidget  *rd_test_ui_find_by_id    (GtkWidget  *root,
                                      const char *id);

/* The first descendant of @root (or @root) of @type, or NULL. */
GtkWidget  *rd_test_ui_find_by_type  (GtkWidget  *root,
                                      GType       type);

/* TRUE when the texture is not a single flat colour (something was drawn). */
gboolean    rd_test_ui_texture_has_content (GdkTexture *texture);

G_END_DECLS
