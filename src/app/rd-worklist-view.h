/* rd-worklist-view.h — the worklist: filter bar, search and the paged column view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-connection.h"
#include "rd-listener.h"
#include "rd-referral-list.h"

G_BEGIN_DECLS

#define RD_TYPE_WORKLIST_VIEW (rd_worklist_view_get_type ())
G_DECLARE_FINAL_TYPE (RdWorklistView, rd_worklist_view, RD, WORKLIST_VIEW, GtkWidget)

GtkWidget             *rd_worklist_view_new            (void);
void                   rd_worklist_view_set_connection (RdWorklistView        *self,
                                                        RdConnection          *connection);
void                   rd_worklist_view_set_listener   (RdWorklistView        *self,
                                                        RdListener            *listener);
void                   rd_worklist_view_set_query      (RdWorklistView        *self,
                                                        const RdReferralQuery *query);
RdReferralList        *rd_worklist_view_get_model      (RdWorklistView        *self);
RdReferral            *rd_worklist_view_get_selected   (RdWorklistView        *self);
void                   rd_worklist_view_focus_search   (RdWorklistView        *self);
void                   rd_worklist_view_next_referral  (RdWorklistView        *self);

G_END_DECLS
