/* rd-sidebar.h — my work, next referral, inbox, my queues and the watch lists, with live counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-connection.h"
#include "rd-listener.h"
#include "rd-queue-counts.h"
#include "rd-referral-list.h"

G_BEGIN_DECLS

#define RD_TYPE_SIDEBAR (rd_sidebar_get_type ())
G_DECLARE_FINAL_TYPE (RdSidebar, rd_sidebar, RD, SIDEBAR, GtkWidget)

GtkWidget     *rd_sidebar_new            (void);
void           rd_sidebar_set_connection (RdSidebar    *self,
                                          RdConnection *connection);
void           rd_sidebar_set_listener   (RdSidebar    *self,
                                          RdListener   *listener);
RdQueueCounts *rd_sidebar_get_counts     (RdSidebar    *self);
void           rd_sidebar_select_my_work (RdSidebar    *self);

G_END_DECLS
