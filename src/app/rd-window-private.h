/* rd-window-private.h — what tests and the window's other files may reach
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-lock-screen.h"
#include "rd-session.h"
#include "rd-sign-in-page.h"
#include "rd-window.h"

G_BEGIN_DECLS

const char   *rd_window_get_page          (RdWindow   *self);
RdSignInPage *rd_window_get_sign_in_page  (RdWindow   *self);
RdLockScreen *rd_window_get_lock_screen   (RdWindow   *self);
GtkWidget    *rd_window_get_desk          (RdWindow   *self);
/* Tests shorten the idle time below the settings' one-minute minimum. */
void          rd_window_set_idle_timeout_ms (RdWindow *self,
                                             guint     timeout_ms);

G_END_DECLS
