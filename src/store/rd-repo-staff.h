/* rd-repo-staff.h — who I am, my teams, my queues, my colleagues
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-connection.h"

G_BEGIN_DECLS

/**
 * RdStaffMember:
 * @id: the staff row
 * @login_name: the PostgreSQL login role (how referrals name people)
 * @display_name: the name to show
 * @email: (nullable): e-mail address
 * @active: whether they still work here
 * @is_lead: a member of rd_lead (leads their teams)
 * @is_admin: a member of rd_admin
 */
typedef struct {
  gint64    id;
  char     *login_name;
  char     *display_name;
  char     *email;
  gboolean  active;
  gboolean  is_lead;
  gboolean  is_admin;
} RdStaffMember;

/**
 * RdTeam:
 * @id: the team
 * @name: its name
 * @i_lead: whether the signed-in person leads it
 */
typedef struct {
  gint64    id;
  char     *name;
  gboolean  i_lead;
} RdTeam;

/**
 * RdWorkQueue:
 * @id: the queue
 * @team_id: its team
 * @team_name: the team's name
 * @name: the queue's name
 * @kind: "worklist" or "intake"
 * @open_count: open referrals in it
 * @overdue_count: open referrals past their due time
 */
typedef struct {
  gint64  id;
  gint64  team_id;
  char   *team_name;
  char   *name;
  char   *kind;
  gint64  open_count;
  gint64  overdue_count;
} RdWorkQueue;

void           rd_staff_member_free              (RdStaffMember        *member);
void           rd_team_free                      (RdTeam               *team);
void           rd_work_queue_free                (RdWorkQueue          *queue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdStaffMember, rd_staff_member_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdTeam, rd_team_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdWorkQueue, rd_work_queue_free)

void           rd_repo_staff_me_async            (RdConnection         *conn,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RdStaffMember *rd_repo_staff_me_finish           (RdConnection         *conn,
                                                  GAsyncResult         *result,
                                                  GError              **error);

void           rd_repo_staff_teams_async         (RdConnection         *conn,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray     *rd_repo_staff_teams_finish        (RdConnection         *conn,
                                                  GAsyncResult         *result,
                                                  GError              **error);

void           rd_repo_staff_queues_async        (RdConnection         *conn,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray     *rd_repo_staff_queues_finish       (RdConnection         *conn,
                                                  GAsyncResult         *result,
                                                  GError              **error);

void           rd_repo_staff_colleagues_async    (RdConnection         *conn,
                                                  gint64                team_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray     *rd_repo_staff_colleagues_finish   (RdConnection         *conn,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
