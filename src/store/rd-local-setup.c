/* rd-local-setup.c — first start on this computer: schema and the one person
 *
 * On a private cluster the operating-system account is the cluster's
 * superuser (peer authentication) and is used only for maintenance. The
 * person works through their own staff login role, with a password, exactly
 * as on a server: row-level security applies to them, and the lock screen
 * checks their password against the server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "rd-init-db.h"
#include "rd-local-setup.h"
#include "rd-store-error.h"

typedef struct {
  char *conninfo;
  char *login;
  char *display_name;
  char *password;
} Setup;

static void
setup_free (Setup *s)
{
  g_free (s->conninfo);
  g_free (s->login);
  g_free (s->display_name);
  if (s->password != NULL)
    {
      memset (s->password, 0, strlen (s->password));
      g_free (s->password);
    }
  g_free (s);
}

/**
 * rd_local_setup_login_for_user:
 * @os_user: the operating-system account name
 *
 * The superuser of a private cluster carries the account's own name, so the
 * person's staff login gets a suffix.
 *
 * Returns: (transfer full): a lower-case login such as "maria_desk"
 */
char *
rd_local_setup_login_for_user (const char *os_user)
{
  GString *s = g_string_new (NULL);

  for (const char *p = os_user; p && *p; p++)
    g_string_append_c (s, g_ascii_isalnum (*p) ? g_ascii_tolower (*p) : '_');
  if (s->len == 0)
    g_string_append (s, "user");
  g_string_append (s, "_desk");

  return g_string_free (s, FALSE);
}

static gboolean
exec_ok (PGconn     *conn,
         const char *sql)
{
  PGresult *res = PQexec (conn, sql);
  gboolean ok = PQresultStatus (res) == PGRES_COMMAND_OK || PQresultStatus (res) == PGRES_TUPLES_OK;

  PQclear (res);
  return ok;
}

static gboolean
team_exists (PGconn     *conn,
             const char *name)
{
  const char *params[] = { name };
  PGresult *res = PQexecParams (conn, "SELECT 1 FROM rd.team WHERE name = $1",
                                1, NULL, params, NULL, NULL, 0);
  gboolean exists = PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) > 0;

  PQclear (res);
  return exists;
}

static void
setup_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Setup *s = task_data;
  g_autoptr(GError) error = NULL;
  const char *teams[] = { RD_LOCAL_TEAM, NULL };
  PGconn *conn;

  conn = PQconnectdb (s->conninfo);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_UNREACHABLE,
                               _("The database on this computer did not answer: %s"),
                               PQerrorMessage (conn));
      PQfinish (conn);
      return;
    }

  /* Harmless when already done. */
  if (!rd_init_db (conn, NULL, &error))
    goto out;

  if (!team_exists (conn, RD_LOCAL_TEAM))
    {
      if (!rd_init_db_add_team (conn, RD_LOCAL_TEAM, NULL, &error) ||
          !rd_init_db_add_queue (conn, RD_LOCAL_TEAM, RD_LOCAL_QUEUE, NULL, &error))
        goto out;
    }

  if (!rd_init_db_add_staff (conn, s->login, s->display_name, RD_STAFF_ROLE_ADMIN,
                             teams, s->password, &error))
    goto out;

  /* The statement log must not keep anything derived from the password. */
  exec_ok (conn, "DISCARD ALL");

out:
  PQfinish (conn);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * rd_local_setup_async:
 * @admin_conninfo: the private cluster's maintenance conninfo (peer auth)
 * @login: the person's staff login, see rd_local_setup_login_for_user()
 * @display_name: their name as colleagues see it
 * @password: the password they chose
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Applies the schema and makes the person an administrator with a team and
 * an intake queue, in a worker thread.
 */
void
rd_local_setup_async (const char          *admin_conninfo,
                      const char          *login,
                      const char          *display_name,
                      const char          *password,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Setup *s = g_new0 (Setup, 1);

  g_task_set_source_tag (task, rd_local_setup_async);
  s->conninfo = g_strdup (admin_conninfo);
  s->login = g_strdup (login);
  s->display_name = g_strdup (display_name);
  s->password = g_strdup (password);
  g_task_set_task_data (task, s, (GDestroyNotify) setup_free);
  g_task_run_in_thread (task, setup_thread);
}

gboolean
rd_local_setup_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
