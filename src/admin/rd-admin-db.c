/* rd-admin-db.c — referral-desk-admin init-db, migrate, add-team, add-queue, add-staff
 *
 * Blocking libpq is fine here: this is a command-line tool. The work itself
 * is in src/store (rd-init-db.c, rd-migrations.c), shared with the local
 * cluster and the tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

/* Translatable strings use PRId64/PRIu64: xgettext understands them, not G_GINT64_FORMAT. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gi18n.h>

#include "rd-admin.h"
#include "rd-admin-db.h"
#include "rd-init-db.h"
#include "rd-migrations.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)

#define DB_OPTION_DESCRIPTION N_("A libpq connection string or URI (default: libpq’s PG* environment variables)")

/**
 * rd_admin_db_connect:
 * @conninfo: (nullable): a conninfo string or URI
 *
 * Returns: (transfer full) (nullable): a connection, or %NULL after printing
 *   why not
 */
PGconn *
rd_admin_db_connect (const char *conninfo)
{
  const char *keywords[] = { "dbname", "application_name", NULL };
  const char *values[] = { conninfo, "referral-desk-admin", NULL };
  PGconn *conn;

  /* expand_dbname: a full conninfo or URI in "dbname" is parsed as such;
   * NULL leaves everything to the environment. */
  conn = PQconnectdbParams (keywords, values, 1);
  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *msg = g_strdup (conn ? PQerrorMessage (conn) : "out of memory");

      g_strchomp (msg);
      rd_admin_fail (_("could not connect to the database: %s"), msg);
      PQfinish (conn);
      return NULL;
    }

  return conn;
}

/* Parses the options; returns -1 to go on, or the exit status. */
static int
parse_options (GOptionContext  *context,
               int             *argc,
               char          ***argv,
               int              min_args,
               int              max_args)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      rd_admin_fail ("%s", error->message);
      return 2;
    }

  /* (*argv)[0] is the subcommand itself. */
  if (*argc - 1 < min_args || *argc - 1 > max_args)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fputs (help, stderr);
      return 2;
    }

  return -1;
}

int
rd_admin_init_db (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *db = NULL;
  guint applied = 0;
  int status;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db, _(DB_OPTION_DESCRIPTION), _("CONNINFO") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    _("Prepares a database for Referral Desk: roles, extensions, schema and migrations.\n"
      "Connect as a superuser. Running it again is harmless."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((status = parse_options (context, &argc, &argv, 0, 0)) >= 0)
    return status;

  conn = rd_admin_db_connect (db);
  if (conn == NULL)
    return 1;

  if (!rd_init_db (conn, &applied, &error))
    return rd_admin_fail (_("init-db failed: %s"), error->message);

  printf (_("The database is ready for Referral Desk (schema version %d; %u migrations applied now).\n"),
          rd_migrations_latest (), applied);
  return 0;
}

int
rd_admin_migrate (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *db = NULL;
  gint64 before = 0;
  guint applied = 0;
  int status;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db, _(DB_OPTION_DESCRIPTION), _("CONNINFO") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    _("Applies the migrations this version of Referral Desk has and the database lacks.\n"
      "Connect as a superuser or a member of rd_owner."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((status = parse_options (context, &argc, &argv, 0, 0)) >= 0)
    return status;

  conn = rd_admin_db_connect (db);
  if (conn == NULL)
    return 1;

  if (!rd_migrations_get_db_version (conn, &before, &error))
    return rd_admin_fail (_("migrate failed: %s"), error->message);
  if (before == 0)
    return rd_admin_fail (_("the database has no Referral Desk schema yet; run “referral-desk-admin init-db” first"));

  if (!rd_migrations_apply (conn, &applied, &error))
    return rd_admin_fail (_("migrate failed: %s"), error->message);

  if (applied == 0)
    printf (_("The database is up to date (schema version %d).\n"), rd_migrations_latest ());
  else
    printf (_("Migrated the database from schema version %" PRId64 " to %d.\n"),
            before, rd_migrations_latest ());
  return 0;
}

int
rd_admin_add_team (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *db = NULL;
  gint64 id = 0;
  int status;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db, _(DB_OPTION_DESCRIPTION), _("CONNINFO") },
    { NULL }
  };

  context = g_option_context_new (_("NAME"));
  g_option_context_set_summary (context, _("Adds a team, such as “Cardiology”."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((status = parse_options (context, &argc, &argv, 1, 1)) >= 0)
    return status;

  conn = rd_admin_db_connect (db);
  if (conn == NULL)
    return 1;

  if (!rd_init_db_add_team (conn, argv[1], &id, &error))
    return rd_admin_fail (_("add-team failed: %s"), error->message);

  printf (_("Team “%s” is ready (id %" PRId64 ").\n"), argv[1], id);
  return 0;
}

int
rd_admin_add_queue (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *db = NULL;
  gint64 id = 0;
  int status;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db, _(DB_OPTION_DESCRIPTION), _("CONNINFO") },
    { NULL }
  };

  context = g_option_context_new (_("TEAM NAME"));
  g_option_context_set_summary (context, _("Adds a work queue to a team."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((status = parse_options (context, &argc, &argv, 2, 2)) >= 0)
    return status;

  conn = rd_admin_db_connect (db);
  if (conn == NULL)
    return 1;

  if (!rd_init_db_add_queue (conn, argv[1], argv[2], &id, &error))
    return rd_admin_fail (_("add-queue failed: %s"), error->message);

  printf (_("Work queue “%s” of team “%s” is ready (id %" PRId64 ").\n"),
          argv[2], argv[1], id);
  return 0;
}

static void
wipe (char *secret)
{
  if (secret != NULL)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (char, wipe)

static char *
read_line (FILE *in)
{
  GString *line = g_string_new (NULL);
  int c;

  while ((c = fgetc (in)) != EOF && c != '\n')
    g_string_append_c (line, (char) c);

  if (c == EOF && line->len == 0)
    {
      g_string_free (line, TRUE);
      return NULL;
    }
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);

  return g_string_free (line, FALSE);
}

/* Reads a password without echo from a terminal, or one line from a pipe. */
static char *
read_password (const char  *login,
               GError     **error)
{
  g_autoptr(char) first = NULL;
  g_autoptr(char) second = NULL;
  struct termios saved, quiet;

  if (!isatty (STDIN_FILENO))
    {
      first = read_line (stdin);
      if (first == NULL || *first == '\0')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("no password on standard input; give it on the first line"));
          return NULL;
        }
      return g_steal_pointer (&first);
    }

  if (tcgetattr (STDIN_FILENO, &saved) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("cannot turn off echo on this terminal"));
      return NULL;
    }
  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  quiet.c_lflag |= ECHONL;

  fprintf (stderr, _("Password for %s: "), login);
  fflush (stderr);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  first = read_line (stdin);
  fprintf (stderr, "%s", _("Repeat the password: "));
  fflush (stderr);
  second = read_line (stdin);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);

  if (first == NULL || *first == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("the password is empty"));
      return NULL;
    }
  if (g_strcmp0 (first, second) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("the two passwords differ; nothing was changed"));
      return NULL;
    }

  return g_steal_pointer (&first);
}

int
rd_admin_add_staff (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *db = NULL;
  g_autofree char *name = NULL;
  g_autofree char *role_name = NULL;
  g_auto(GStrv) teams = NULL;
  g_autoptr(char) password = NULL;
  gboolean no_password = FALSE;
  RdStaffRole role;
  int status;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db, _(DB_OPTION_DESCRIPTION), _("CONNINFO") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, _("The person’s full name, as colleagues see it"),
      _("\"FULL NAME\"") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_name, _("specialist, lead or admin"), _("ROLE") },
    { "team", 0, 0, G_OPTION_ARG_STRING_ARRAY, &teams,
      _("A team the person works in (as its lead for --role lead); repeat for several"), _("TEAM") },
    { "no-password", 0, 0, G_OPTION_ARG_NONE, &no_password,
      _("Set no password (for peer or certificate authentication)"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("LOGIN"));
  g_option_context_set_summary (context,
    _("Adds a staff member: a PostgreSQL login role of their own, in one of the groups\n"
      "rd_specialist, rd_lead or rd_admin. The password is read from standard input\n"
      "(one line) or asked for without echo; it is never given on the command line.\n"
      "Connect as a superuser or a role with CREATEROLE."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((status = parse_options (context, &argc, &argv, 1, 1)) >= 0)
    return status;

  if (name == NULL)
    return rd_admin_fail (_("give the person’s full name with --name \"Full Name\""));
  if (role_name == NULL || !rd_staff_role_from_string (role_name, &role))
    return rd_admin_fail (_("give --role specialist, --role lead or --role admin"));

  /* Ask before connecting, so a typo costs no connection. */
  if (!no_password)
    {
      password = read_password (argv[1], &error);
      if (password == NULL)
        return rd_admin_fail ("%s", error->message);
    }

  conn = rd_admin_db_connect (db);
  if (conn == NULL)
    return 1;

  if (!rd_init_db_add_staff (conn, argv[1], name, role, (const char * const *) teams,
                             password, &error))
    return rd_admin_fail (_("add-staff failed: %s"), error->message);

  printf (_("Staff member “%s” can now log in as a %s.\n"), argv[1], role_name);
  return 0;
}
