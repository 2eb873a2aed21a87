/* rd-admin-db.h — referral-desk-admin: database set-up subcommands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

int      rd_admin_init_db   (int          argc,
                             char       **argv);
int      rd_admin_migrate   (int          argc,
                             char       **argv);
int      rd_admin_add_team  (int          argc,
                             char       **argv);
int      rd_admin_add_queue (int          argc,
                             char       **argv);
int      rd_admin_add_staff (int          argc,
                             char       **argv);

/* Blocking connection for a subcommand: @conninfo is a libpq conninfo
 * string or URI; NULL uses libpq's environment variables (PGHOST, …).
 * Prints the error and returns NULL on failure. */
PGconn  *rd_admin_db_connect (const char *conninfo);

G_END_DECLS
