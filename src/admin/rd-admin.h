/* rd-admin.h — referral-desk-admin: subcommands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A subcommand gets its own argv (argv[0] is the subcommand's name) and
 * returns the process exit status. It prints errors itself, in words. */
typedef int (*RdAdminCommandFunc) (int    argc,
                                   char **argv);

typedef struct {
  const char         *name;
  const char         *summary;   /* N_() */
  RdAdminCommandFunc  run;
} RdAdminCommand;

int  rd_admin_main   (int    argc,
                      char **argv);

/* Prints "referral-desk-admin: MESSAGE" on stderr and returns 1. */
int  rd_admin_fail   (const char *format,
                      ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
