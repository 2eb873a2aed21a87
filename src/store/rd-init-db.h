/* rd-init-db.h — prepare a database: roles, extensions, migrations, staff
 *
 * Blocking libpq calls: for referral-desk-admin, tests and the local cluster's
 * worker thread. Never call these on the GTK main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/**
 * RdStaffRole:
 * @RD_STAFF_ROLE_SPECIALIST: works the queues of their teams
 * @RD_STAFF_ROLE_LEAD: also leads their teams: sees the board, reassigns
 * @RD_STAFF_ROLE_ADMIN: sees everything, sets up staff, teams and directory
 *
 * The group role a staff member's login role joins (rd_specialist, rd_lead,
 * rd_admin).
 */
typedef enum {
  RD_STAFF_ROLE_SPECIALIST,
  RD_STAFF_ROLE_LEAD,
  RD_STAFF_ROLE_ADMIN,
} RdStaffRole;

gboolean     rd_init_db               (PGconn              *conn,
                                       guint               *out_applied,
                                       GError             **error);

gboolean     rd_staff_role_from_string (const char         *str,
                                        RdStaffRole        *out_role);
const char  *rd_staff_role_to_group    (RdStaffRole         role);

gboolean     rd_init_db_add_team      (PGconn              *conn,
                                       const char          *name,
                                       gint64              *out_id,
                                       GError             **error);
gboolean     rd_init_db_add_queue     (PGconn              *conn,
                                       const char          *team,
                                       const char          *name,
                                       gint64              *out_id,
                                       GError             **error);
gboolean     rd_init_db_add_staff     (PGconn              *conn,
                                       const char          *login,
                                       const char          *display_name,
                                       RdStaffRole          role,
                                       const char * const  *teams,
                                       const char          *password,
                                       GError             **error);

G_END_DECLS
