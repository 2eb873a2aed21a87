/* rd-init-db.c — prepare a database: roles, extensions, migrations, staff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-init-db.h"
#include "rd-migrations.h"
#include "rd-store-error.h"

static const char * const groups[] = { "rd_specialist", "rd_lead", "rd_admin" };

/* Runs a parameterised statement; returns the result or NULL with @error set. */
static PGresult *
exec_params (PGconn             *conn,
             const char         *sql,
             int                 n_params,
             const char * const *params,
             const char         *what,
             GError            **error)
{
  PGresult *res = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus (res);

  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
    return res;

  rd_migrations_set_pg_error (error, res, conn, what);
  PQclear (res);
  return NULL;
}

static gboolean
exec_command (PGconn      *conn,
              const char  *sql,
              const char  *what,
              GError     **error)
{
  PGresult *res = exec_params (conn, sql, 0, NULL, what, error);

  if (res == NULL)
    return FALSE;
  PQclear (res);
  return TRUE;
}

static void
rollback (PGconn *conn)
{
  if (PQtransactionStatus (conn) != PQTRANS_IDLE)
    PQclear (PQexec (conn, "ROLLBACK"));
}

/**
 * rd_init_db:
 * @conn: a connection to the target database as a superuser (or a role with
 *   CREATEROLE that may create extensions there and is a member of rd_owner)
 * @out_applied: (out) (optional): how many migrations were applied now
 * @error: return location for a #RD_STORE_ERROR
 *
 * Prepares a database for Referral Desk: creates the cluster-wide roles
 * rd_owner, rd_specialist, rd_lead and rd_admin when they are missing,
 * installs pg_trgm, revokes CREATE on schema public from PUBLIC, grants the
 * owner what it needs on this database, then applies the migrations.
 * Re-running is harmless, and a second database in the same cluster works.
 *
 * Blocking.
 *
 * Returns: %TRUE when the database is ready
 */
gboolean
rd_init_db (PGconn   *conn,
            guint    *out_applied,
            GError  **error)
{
  g_autoptr(GBytes) init = NULL;
  g_autofree char *sql = NULL;
  gsize len;
  const char *data;

  g_return_val_if_fail (conn != NULL, FALSE);

  if (PQserverVersion (conn) < 150000)
    {
      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SERVER_TOO_OLD,
                   _("The PostgreSQL server is version %d.%d; Referral Desk needs 15 or later."),
                   PQserverVersion (conn) / 10000, PQserverVersion (conn) % 10000 / 100);
      return FALSE;
    }

  init = rd_migrations_lookup ("init.sql", error);
  if (init == NULL)
    return FALSE;
  data = g_bytes_get_data (init, &len);
  sql = g_strndup (data, len);

  /* One transaction: a failure leaves no half-made roles behind. */
  if (!exec_command (conn, "BEGIN", "init.sql", error))
    return FALSE;
  if (!rd_migrations_exec_script (conn, "init.sql", sql, error))
    {
      rollback (conn);
      return FALSE;
    }
  if (!exec_command (conn, "COMMIT", "init.sql", error))
    return FALSE;

  return rd_migrations_apply (conn, out_applied, error);
}

/**
 * rd_staff_role_from_string:
 * @str: "specialist", "lead" or "admin"
 * @out_role: (out): the role
 *
 * Returns: %TRUE when @str names a role
 */
gboolean
rd_staff_role_from_string (const char  *str,
                           RdStaffRole *out_role)
{
  static const char * const names[] = { "specialist", "lead", "admin" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (str, names[i]) == 0)
      {
        *out_role = (RdStaffRole) i;
        return TRUE;
      }

  return FALSE;
}

/**
 * rd_staff_role_to_group:
 * @role: a staff role
 *
 * Returns: (transfer none): the group role's name, e.g. "rd_lead"
 */
const char *
rd_staff_role_to_group (RdStaffRole role)
{
  g_return_val_if_fail ((guint) role < G_N_ELEMENTS (groups), NULL);

  return groups[role];
}

static gboolean
lookup_team (PGconn      *conn,
             const char  *team,
             gint64      *out_id,
             GError     **error)
{
  const char *params[1] = { team };
  PGresult *res = exec_params (conn, "SELECT id FROM rd.team WHERE name = $1",
                               1, params, _("Looking up the team"), error);

  if (res == NULL)
    return FALSE;

  if (PQntuples (res) == 0)
    {
      PQclear (res);
      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                   _("There is no team named “%s”. Add it first with “referral-desk-admin add-team”."),
                   team);
      return FALSE;
    }

  *out_id = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  PQclear (res);
  return TRUE;
}

/**
 * rd_init_db_add_team:
 * @conn: a connection as an administrator or superuser
 * @name: the team's name, e.g. "Cardiology"
 * @out_id: (out) (optional): the team's id
 * @error: return location for a #RD_STORE_ERROR
 *
 * Adds a team; a team of that name that exists already is kept.
 *
 * Returns: %TRUE on success
 */
gboolean
rd_init_db_add_team (PGconn      *conn,
                     const char  *name,
                     gint64      *out_id,
                     GError     **error)
{
  const char *params[1] = { name };
  PGresult *res;
  gint64 id = 0;

  g_return_val_if_fail (conn != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  res = exec_params (conn,
                     "INSERT INTO rd.team (name) VALUES ($1) "
                     "ON CONFLICT (name) DO NOTHING",
                     1, params, _("Adding the team"), error);
  if (res == NULL)
    return FALSE;
  PQclear (res);

  if (!lookup_team (conn, name, &id, error))
    return FALSE;
  if (out_id)
    *out_id = id;
  return TRUE;
}

/**
 * rd_init_db_add_queue:
 * @conn: a connection as an administrator or superuser
 * @team: the name of the team the queue belongs to
 * @name: the queue's name, e.g. "Cardiology referrals"
 * @out_id: (out) (optional): the queue's id
 * @error: return location for a #RD_STORE_ERROR
 *
 * Adds a work queue to a team; one of that name in that team is kept.
 *
 * Returns: %TRUE on success
 */
gboolean
rd_init_db_add_queue (PGconn      *conn,
                      const char  *team,
                      const char  *name,
                      gint64      *out_id,
                      GError     **error)
{
  g_autofree char *team_id_text = NULL;
  const char *params[2];
  PGresult *res;
  gint64 team_id = 0;

  g_return_val_if_fail (conn != NULL, FALSE);
  g_return_val_if_fail (team != NULL && name != NULL, FALSE);

  if (!lookup_team (conn, team, &team_id, error))
    return FALSE;

  team_id_text = g_strdup_printf ("%" G_GINT64_FORMAT, team_id);
  params[0] = team_id_text;
  params[1] = name;
  res = exec_params (conn,
                     "WITH added AS ("
                     "  INSERT INTO rd.work_queue (team_id, name) VALUES ($1::bigint, $2)"
                     "  ON CONFLICT (team_id, name) DO NOTHING RETURNING id) "
                     "SELECT id FROM added "
                     "UNION ALL "
                     "SELECT id FROM rd.work_queue WHERE team_id = $1::bigint AND name = $2",
                     2, params, _("Adding the work queue"), error);
  if (res == NULL)
    return FALSE;

  if (out_id && PQntuples (res) > 0)
    *out_id = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  PQclear (res);
  return TRUE;
}

static gboolean
login_name_ok (const char  *login,
               GError     **error)
{
  gsize len = login ? strlen (login) : 0;

  if (len == 0 || len > 63 || !g_utf8_validate (login, -1, NULL) ||
      g_str_has_prefix (login, "pg_") || g_str_has_prefix (login, "rd_"))
    {
      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                   _("“%s” cannot be a login name. Use 1 to 63 bytes, not starting with "
                     "“pg_” or “rd_”."),
                   login ? login : "");
      return FALSE;
    }

  for (const char *p = login; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                             _("A login name cannot contain control characters."));
        return FALSE;
      }

  return TRUE;
}

static char *
escape_identifier (PGconn     *conn,
                   const char *name)
{
  char *q = PQescapeIdentifier (conn, name, strlen (name));
  char *copy = g_strdup (q);

  PQfreemem (q);
  return copy;
}

static gboolean
set_password (PGconn      *conn,
              const char  *login,
              const char  *ident,
              const char  *password,
              GError     **error)
{
  g_autofree char *sql = NULL;
  char *encrypted;
  char *literal;
  gboolean ok;

  /* Hashed here (SCRAM, as the server prefers): the clear password never
   * reaches the server, its logs or pg_stat_activity. */
  encrypted = PQencryptPasswordConn (conn, password, login, NULL);
  if (encrypted == NULL)
    {
      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                   _("Could not prepare the password: %s"), PQerrorMessage (conn));
      return FALSE;
    }

  literal = PQescapeLiteral (conn, encrypted, strlen (encrypted));
  PQfreemem (encrypted);
  if (literal == NULL)
    {
      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                   _("Could not prepare the password: %s"), PQerrorMessage (conn));
      return FALSE;
    }

  sql = g_strdup_printf ("ALTER ROLE %s PASSWORD %s", ident, literal);
  PQfreemem (literal);
  ok = exec_command (conn, sql, _("Setting the password"), error);
  memset (sql, 0, strlen (sql));
  return ok;
}

static gboolean
ensure_login_role (PGconn      *conn,
                   const char  *login,
                   const char  *ident,
                   RdStaffRole  role,
                   GError     **error)
{
  const char *params[1] = { login };
  g_autofree char *sql = NULL;
  PGresult *res;

  res = exec_params (conn,
                     "SELECT rolsuper OR rolbypassrls, "
                     "       pg_has_role($1, 'rd_specialist', 'MEMBER'), "
                     "       pg_has_role($1, 'rd_lead', 'MEMBER'), "
                     "       pg_has_role($1, 'rd_admin', 'MEMBER'), "
                     "       rolcanlogin "
                     "FROM pg_roles WHERE rolname = $1",
                     1, params, _("Looking up the login role"), error);
  if (res == NULL)
    return FALSE;

  if (PQntuples (res) == 0)
    {
      PQclear (res);
      sql = g_strdup_printf ("CREATE ROLE %s LOGIN INHERIT NOSUPERUSER NOCREATEDB "
                             "NOCREATEROLE NOBYPASSRLS NOREPLICATION IN ROLE %s",
                             ident, groups[role]);
      return exec_command (conn, sql, _("Creating the login role"), error);
    }

  if (g_str_equal (PQgetvalue (res, 0, 0), "t"))
    {
      PQclear (res);
      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION_DENIED,
                   _("The role “%s” exists and is a superuser or bypasses row-level "
                     "security; staff must log in with an ordinary role. Choose "
                     "another login name."),
                   login);
      return FALSE;
    }
  PQclear (res);

  /* An existing role: make it a login of exactly the wanted group. */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("ALTER ROLE %s LOGIN INHERIT", ident);
  if (!exec_command (conn, sql, _("Updating the login role"), error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      const char *gparams[2] = { login, groups[i] };
      gboolean direct;

      res = exec_params (conn,
                         "SELECT EXISTS (SELECT 1 FROM pg_auth_members m "
                         "JOIN pg_roles r ON r.oid = m.roleid "
                         "JOIN pg_roles u ON u.oid = m.member "
                         "WHERE u.rolname = $1 AND r.rolname = $2)",
                         2, gparams, _("Looking up the login role"), error);
      if (res == NULL)
        return FALSE;
      direct = g_str_equal (PQgetvalue (res, 0, 0), "t");
      PQclear (res);

      g_clear_pointer (&sql, g_free);
      if (i == (guint) role && !direct)
        sql = g_strdup_printf ("GRANT %s TO %s", groups[i], ident);
      else if (i != (guint) role && direct)
        sql = g_strdup_printf ("REVOKE %s FROM %s", groups[i], ident);

      if (sql != NULL && !exec_command (conn, sql, _("Updating the login role"), error))
        return FALSE;
    }

  return TRUE;
}

/**
 * rd_init_db_add_staff:
 * @conn: a connection as a superuser or a role with CREATEROLE
 * @login: the login role's name (the person's user name)
 * @display_name: the name colleagues see, e.g. "Maria Lopez"
 * @role: the group the person joins
 * @teams: (nullable) (array zero-terminated=1): names of teams to join (as
 *   lead when @role is %RD_STAFF_ROLE_LEAD)
 * @password: (nullable): the password to set, or %NULL to leave it as it is
 *   (e.g. for peer authentication on a local cluster)
 * @error: return location for a #RD_STORE_ERROR
 *
 * Creates (or updates) a staff member: a LOGIN role that is no superuser and
 * does not bypass row-level security, a member of exactly one of the groups,
 * a row in rd.staff and memberships in @teams. The password is hashed on
 * this side and set as an escaped literal; identifiers are escaped with
 * PQescapeIdentifier(); everything else travels as parameters. All in one
 * transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
rd_init_db_add_staff (PGconn              *conn,
                      const char          *login,
                      const char          *display_name,
                      RdStaffRole          role,
                      const char * const  *teams,
                      const char          *password,
                      GError             **error)
{
  g_autofree char *ident = NULL;
  g_autofree char *staff_id = NULL;
  g_autofree char *trimmed = NULL;
  const char *params[2];
  PGresult *res;

  g_return_val_if_fail (conn != NULL, FALSE);
  g_return_val_if_fail ((guint) role < G_N_ELEMENTS (groups), FALSE);

  if (!login_name_ok (login, error))
    return FALSE;
  trimmed = g_strstrip (g_strdup (display_name ? display_name : ""));
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                           _("Give the person’s full name with --name."));
      return FALSE;
    }

  ident = escape_identifier (conn, login);

  if (!exec_command (conn, "BEGIN", NULL, error))
    return FALSE;

  if (!ensure_login_role (conn, login, ident, role, error))
    goto fail;

  if (password != NULL && !set_password (conn, login, ident, password, error))
    goto fail;

  params[0] = login;
  params[1] = display_name;
  res = exec_params (conn,
                     "INSERT INTO rd.staff (login_name, display_name) VALUES ($1, $2) "
                     "ON CONFLICT (login_name) DO UPDATE "
                     "SET display_name = EXCLUDED.display_name, active = true "
                     "RETURNING id",
                     2, params, _("Adding the staff member"), error);
  if (res == NULL)
    goto fail;
  staff_id = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);

  for (guint i = 0; teams != NULL && teams[i] != NULL; i++)
    {
      g_autofree char *team_id = NULL;
      const char *tparams[3];
      gint64 id = 0;

      if (!lookup_team (conn, teams[i], &id, error))
        goto fail;

      team_id = g_strdup_printf ("%" G_GINT64_FORMAT, id);
      tparams[0] = team_id;
      tparams[1] = staff_id;
      tparams[2] = role == RD_STAFF_ROLE_LEAD ? "lead" : "member";
      res = exec_params (conn,
                         "INSERT INTO rd.team_member (team_id, staff_id, role) "
                         "VALUES ($1::bigint, $2::bigint, $3) "
                         "ON CONFLICT (team_id, staff_id) DO UPDATE SET role = EXCLUDED.role",
                         3, tparams, _("Adding the staff member to the team"), error);
      if (res == NULL)
        goto fail;
      PQclear (res);
    }

  return exec_command (conn, "COMMIT", NULL, error);

fail:
  rollback (conn);
  return FALSE;
}
