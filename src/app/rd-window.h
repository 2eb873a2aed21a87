/* rd-window.h — the main window: queues, worklist, referral
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-application.h"

G_BEGIN_DECLS

#define RD_TYPE_WINDOW (rd_window_get_type ())
G_DECLARE_FINAL_TYPE (RdWindow, rd_window, RD, WINDOW, AdwApplicationWindow)

RdWindow *rd_window_new (RdApplication *application);

G_END_DECLS
