/* rd-preferences-window.h — this workstation's preferences: the fax and scanner folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-session.h"

G_BEGIN_DECLS

#define RD_TYPE_PREFERENCES_WINDOW (rd_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (RdPreferencesWindow, rd_preferences_window, RD, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

GtkWidget *rd_preferences_window_new                (GtkWindow           *parent,
                                                     RdSession           *session);
void       rd_preferences_window_set_folder         (RdPreferencesWindow *self,
                                                     GFile               *folder);
void       rd_preferences_window_set_profile_folder (RdPreferencesWindow *self,
                                                     GFile               *folder);

G_END_DECLS
