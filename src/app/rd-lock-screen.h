/* rd-lock-screen.h — covers the desk when the person walks away
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RD_TYPE_LOCK_SCREEN (rd_lock_screen_get_type ())
G_DECLARE_FINAL_TYPE (RdLockScreen, rd_lock_screen, RD, LOCK_SCREEN, GtkWidget)

GtkWidget *rd_lock_screen_new           (void);
void       rd_lock_screen_set_user      (RdLockScreen *self,
                                         const char   *display_name,
                                         const char   *login);
void       rd_lock_screen_reset         (RdLockScreen *self);
void       rd_lock_screen_set_busy      (RdLockScreen *self,
                                         gboolean      busy);
void       rd_lock_screen_show_error    (RdLockScreen *self,
                                         const char   *message);

G_END_DECLS
