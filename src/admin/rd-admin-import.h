/* rd-admin-import.h — referral-desk-admin import: files from the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rd-connection.h"
#include "rd-intake-file.h"

G_BEGIN_DECLS

/* The largest file `import` reads. */
#define RD_ADMIN_IMPORT_MAX_SIZE (64 * 1024 * 1024)

int              rd_admin_import          (int              argc,
                                           char           **argv);
int              rd_admin_watch_inbox     (int              argc,
                                           char           **argv);

/* For the subcommands that file: open a connection and wait for it, and
 * file one result and wait for it (both run the thread-default main
 * context; fine in a command-line tool). */
RdConnection    *rd_admin_open_connection (const char      *conninfo,
                                           GError         **error);
RdIntakeSummary *rd_admin_file_sync       (RdConnection    *conn,
                                           RdIntakeResult  *result,
                                           const char      *source_key,
                                           const char      *queue_name,
                                           GError         **error);

G_END_DECLS
