/* rd-window.h — the main window: sign-in, queues, worklist, referral, lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-application.h"
#include "rd-session.h"

G_BEGIN_DECLS

#define RD_TYPE_WINDOW (rd_window_get_type ())
G_DECLARE_FINAL_TYPE (RdWindow, rd_window, RD, WINDOW, AdwApplicationWindow)

RdWindow  *rd_window_new          (RdApplication *application);
RdSession *rd_window_get_session  (RdWindow      *self);
void       rd_window_show_sign_in (RdWindow      *self);
void       rd_window_lock         (RdWindow      *self);

G_END_DECLS
