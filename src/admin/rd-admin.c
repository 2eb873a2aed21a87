/* rd-admin.c — referral-desk-admin: dispatch to subcommands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "rd-admin.h"
#include "rd-admin-db.h"
#include "rd-admin-hl7.h"
#include "rd-admin-import.h"
#include "rd-admin-seed.h"

/* Each subcommand lives in its own file; list it here. */
static const RdAdminCommand commands[] = {
  { "init-db", N_("Prepare a database: roles, extensions, schema, migrations"), rd_admin_init_db },
  { "migrate", N_("Apply pending schema migrations"), rd_admin_migrate },
  { "add-team", N_("Add a team"), rd_admin_add_team },
  { "add-queue", N_("Add a work queue to a team"), rd_admin_add_queue },
  { "add-staff", N_("Add a staff member with their own login"), rd_admin_add_staff },
  { "import", N_("Import PDF, TIFF, HL7 v2, FHIR and e-mail files, each once"), rd_admin_import },
  { "listen-hl7", N_("Receive HL7 v2 referrals over MLLP and acknowledge each"), rd_admin_listen_hl7 },
  { "watch-inbox", N_("Import each PDF or TIFF written into a fax or scanner folder once"), rd_admin_watch_inbox },
  { "seed-demo", N_("Fill an empty database with invented demo data"), rd_admin_seed_demo },
  { NULL, NULL, NULL },
};

int
rd_admin_fail (const char *format,
               ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("referral-desk-admin: %s\n", msg);
  return 1;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: referral-desk-admin COMMAND [OPTION…]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; commands[i].name != NULL; i++)
    fprintf (out, "  %-14s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “referral-desk-admin COMMAND --help” for the options of a command."));
}

int
rd_admin_main (int    argc,
               char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      printf ("referral-desk-admin %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (guint i = 0; commands[i].name != NULL; i++)
    if (g_str_equal (commands[i].name, argv[1]))
      return commands[i].run (argc - 1, argv + 1);

  rd_admin_fail (_("unknown command “%s”"), argv[1]);
  print_usage (stderr);
  return 2;
}
