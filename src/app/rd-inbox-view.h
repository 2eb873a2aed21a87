/* rd-inbox-view.h — the unfiled documents waiting to become referrals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-connection.h"
#include "rd-listener.h"

G_BEGIN_DECLS

#define RD_TYPE_INBOX_VIEW (rd_inbox_view_get_type ())
G_DECLARE_FINAL_TYPE (RdInboxView, rd_inbox_view, RD, INBOX_VIEW, GtkWidget)

GtkWidget *rd_inbox_view_new            (void);
void       rd_inbox_view_set_connection (RdInboxView  *self,
                                         RdConnection *connection);
void       rd_inbox_view_set_listener   (RdInboxView  *self,
                                         RdListener   *listener);
void       rd_inbox_view_refresh        (RdInboxView  *self);
guint      rd_inbox_view_get_n_items    (RdInboxView  *self);
GtkWidget *rd_inbox_view_split_document (RdInboxView  *self,
                                         gint64        id);

G_END_DECLS
