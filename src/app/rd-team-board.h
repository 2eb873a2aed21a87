/* rd-team-board.h — a lead's view of the team: load per person, unassigned work, rebalancing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-connection.h"
#include "rd-listener.h"

G_BEGIN_DECLS

#define RD_TYPE_BOARD_PERSON (rd_board_person_get_type ())
G_DECLARE_FINAL_TYPE (RdBoardPerson, rd_board_person, RD, BOARD_PERSON, GObject)

const char *rd_board_person_get_login        (RdBoardPerson *self);
const char *rd_board_person_get_display_name (RdBoardPerson *self);
gint64      rd_board_person_get_open         (RdBoardPerson *self);
gint64      rd_board_person_get_overdue      (RdBoardPerson *self);
gint64      rd_board_person_get_urgent       (RdBoardPerson *self);
gint64      rd_board_person_get_claimed      (RdBoardPerson *self);
gint64      rd_board_person_get_closed_week  (RdBoardPerson *self);
gboolean    rd_board_person_get_chosen       (RdBoardPerson *self);
void        rd_board_person_set_chosen       (RdBoardPerson *self,
                                              gboolean       chosen);

#define RD_TYPE_TEAM_BOARD (rd_team_board_get_type ())
G_DECLARE_FINAL_TYPE (RdTeamBoard, rd_team_board, RD, TEAM_BOARD, GtkWidget)

GtkWidget  *rd_team_board_new                (void);
void        rd_team_board_set_connection     (RdTeamBoard          *self,
                                              RdConnection         *connection);
void        rd_team_board_set_listener       (RdTeamBoard          *self,
                                              RdListener           *listener);
void        rd_team_board_refresh            (RdTeamBoard          *self);
gboolean    rd_team_board_is_loaded          (RdTeamBoard          *self);
guint       rd_team_board_get_n_refreshes    (RdTeamBoard          *self);
GListModel *rd_team_board_get_people         (RdTeamBoard          *self);
gint64      rd_team_board_get_unassigned     (RdTeamBoard          *self,
                                              gint64                queue_id);

void        rd_team_board_reassign_async     (RdTeamBoard          *self,
                                              const gint64         *ids,
                                              guint                 n_ids,
                                              const char           *assignee,
                                              gint64                queue_id,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void        rd_team_board_cover_for_async    (RdTeamBoard          *self,
                                              const char           *from,
                                              const char * const   *to,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void        rd_team_board_distribute_async   (RdTeamBoard          *self,
                                              gint64                queue_id,
                                              const char * const   *to,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gint64      rd_team_board_action_finish      (RdTeamBoard          *self,
                                              GAsyncResult         *result,
                                              GError              **error);

G_END_DECLS
