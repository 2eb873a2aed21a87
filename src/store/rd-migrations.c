/* rd-migrations.c — apply the numbered SQL files of the schema GResource
 *
 * The files live in src/store/sql as NNNN_name.sql and are compiled into the
 * rd-schema GResource (--manual-register). schema_resource() registers it
 * explicitly and looks files up through rd_schema_get_resource(), so nothing
 * depends on a constructor surviving static linking.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

/* Translatable strings use PRId64/PRIu64: xgettext understands them, not G_GINT64_FORMAT. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "rd-migrations.h"
#include "rd-schema-resources.h"
#include "rd-store-error.h"

#define SQL_PATH "/io/github/referraldesk/ReferralDesk/sql"

/* pg_advisory_xact_lock key: "RDmg" — serialises concurrent migrate runs. */
#define MIGRATION_LOCK_KEY "1380216167"

/* Built with --manual-register: registering is explicit, here, once, so it
 * cannot be lost to the linker dropping a constructor. */
static GResource *
schema_resource (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      rd_schema_register_resource ();
      g_once_init_leave (&registered, 1);
    }

  return rd_schema_get_resource ();
}

static int
migration_number (const char *name)
{
  char *end = NULL;
  long n;

  if (!g_ascii_isdigit (name[0]) || !g_str_has_suffix (name, ".sql"))
    return -1;

  n = strtol (name, &end, 10);
  if (end == NULL || *end != '_' || n <= 0 || n > G_MAXINT)
    return -1;

  return (int) n;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return migration_number (*(const char * const *) a) -
         migration_number (*(const char * const *) b);
}

/**
 * rd_migrations_list:
 *
 * Lists the migration files this build carries, in the order they apply.
 *
 * Returns: (transfer full) (element-type utf8): file names such as
 *   "0001_schema.sql"
 */
GPtrArray *
rd_migrations_list (void)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) children = NULL;

  children = g_resource_enumerate_children (schema_resource (), SQL_PATH,
                                            G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  for (guint i = 0; children != NULL && children[i] != NULL; i++)
    if (migration_number (children[i]) > 0)
      g_ptr_array_add (names, g_strdup (children[i]));

  g_ptr_array_sort (names, compare_names);
  return names;
}

/**
 * rd_migrations_latest:
 *
 * Returns: the schema version this build of Referral Desk knows: the number
 *   of its last migration
 */
int
rd_migrations_latest (void)
{
  /* The number plus one: g_once_init_leave() wants a non-zero value. */
  static gsize latest_plus_one = 0;

  if (g_once_init_enter (&latest_plus_one))
    {
      g_autoptr(GPtrArray) names = rd_migrations_list ();
      int n = names->len > 0 ? migration_number (g_ptr_array_index (names, names->len - 1)) : 0;

      g_once_init_leave (&latest_plus_one, (gsize) n + 1);
    }

  return (int) (latest_plus_one - 1);
}

/**
 * rd_migrations_lookup:
 * @name: a file of the schema resource, e.g. "init.sql"
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the file's bytes
 */
GBytes *
rd_migrations_lookup (const char  *name,
                      GError     **error)
{
  g_autofree char *path = g_strconcat (SQL_PATH "/", name, NULL);

  return g_resource_lookup_data (schema_resource (), path,
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, error);
}

/**
 * rd_migrations_check_version:
 * @db_version: the version a database reports (RD_MIGRATIONS_VERSION_QUERY)
 * @out_state: (out) (optional): empty, older or current
 * @error: return location for a #RD_STORE_ERROR
 *
 * Fails with %RD_STORE_ERROR_SCHEMA_TOO_NEW when the database was migrated by
 * a newer Referral Desk: this build must not write to it. The message names
 * both versions.
 *
 * Returns: %TRUE when this build may use the database (perhaps after
 *   migrating it)
 */
gboolean
rd_migrations_check_version (gint64          db_version,
                             RdSchemaState  *out_state,
                             GError        **error)
{
  int latest = rd_migrations_latest ();

  if (db_version > latest)
    {
      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA_TOO_NEW,
                   _("The database has schema version %" PRId64 ", but this "
                     "Referral Desk knows only up to version %d. Update Referral Desk "
                     "on this computer before using this database."),
                   db_version, latest);
      return FALSE;
    }

  if (out_state)
    *out_state = db_version <= 0 ? RD_SCHEMA_EMPTY
               : db_version < latest ? RD_SCHEMA_OLDER
               : RD_SCHEMA_CURRENT;
  return TRUE;
}

static int
map_sqlstate (const char *state)
{
  if (state == NULL)
    return RD_STORE_ERROR_CONNECTION_LOST;
  if (g_str_equal (state, "42501") || g_str_has_prefix (state, "28"))
    return RD_STORE_ERROR_PERMISSION_DENIED;
  if (g_str_has_prefix (state, "08"))
    return RD_STORE_ERROR_CONNECTION_LOST;
  if (g_str_has_prefix (state, "22") || g_str_has_prefix (state, "23") ||
      g_str_equal (state, "RD001"))
    return RD_STORE_ERROR_INVALID_INPUT;
  return RD_STORE_ERROR_FAILED;
}

/**
 * rd_migrations_set_pg_error:
 * @error: return location for a #RD_STORE_ERROR
 * @res: (nullable): the failed result
 * @conn: the connection
 * @what: (nullable): what was being done, for the message
 *
 * Sets @error from the server's message. Meant for administrators' tools:
 * the server's words are kept (they name objects, never row values).
 */
void
rd_migrations_set_pg_error (GError        **error,
                            const PGresult *res,
                            PGconn         *conn,
                            const char     *what)
{
  const char *state = res ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  const char *primary = res ? PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  const char *hint = res ? PQresultErrorField (res, PG_DIAG_MESSAGE_HINT) : NULL;
  g_autofree char *text = NULL;

  if (primary == NULL)
    {
      text = g_strdup (PQerrorMessage (conn));
      g_strchomp (text);
    }
  else
    text = g_strdup (primary);

  g_set_error (error, RD_STORE_ERROR, map_sqlstate (state),
               "%s%s%s%s%s", what ? what : "", what ? ": " : "", text,
               hint ? " " : "", hint ? hint : "");
}

static gboolean
exec_ok (PGconn     *conn,
         PGresult   *res,
         const char *what,
         GError    **error)
{
  ExecStatusType st = PQresultStatus (res);

  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
    {
      PQclear (res);
      return TRUE;
    }

  rd_migrations_set_pg_error (error, res, conn, what);
  PQclear (res);
  return FALSE;
}

static void
quiet_notices (void       *arg,
               const char *message)
{
}

/**
 * rd_migrations_exec_script:
 * @conn: a connection
 * @what: what is running, for messages (a file name)
 * @sql: several statements of our own (never values from outside)
 * @error: return location for an error
 *
 * Runs a script of the schema resource with the simple query protocol.
 *
 * Returns: %TRUE on success
 */
gboolean
rd_migrations_exec_script (PGconn      *conn,
                           const char  *what,
                           const char  *sql,
                           GError     **error)
{
  PQnoticeProcessor old = PQsetNoticeProcessor (conn, quiet_notices, NULL);
  gboolean ok = exec_ok (conn, PQexec (conn, sql), what, error);

  PQsetNoticeProcessor (conn, old, NULL);
  return ok;
}

static gboolean
query_version (PGconn   *conn,
               gint64   *out_version,
               GError  **error)
{
  PGresult *res;
  const char *state;

  /* Empty database: no schema rd, or no table yet. */
  res = PQexec (conn, "SELECT to_regclass('rd.schema_version') IS NOT NULL");
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    return exec_ok (conn, res, _("Reading the schema version"), error);
  if (g_strcmp0 (PQgetvalue (res, 0, 0), "t") != 0)
    {
      PQclear (res);
      *out_version = 0;
      return TRUE;
    }
  PQclear (res);

  res = PQexec (conn, RD_MIGRATIONS_VERSION_QUERY);
  state = PQresultErrorField (res, PG_DIAG_SQLSTATE);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      if (g_strcmp0 (state, "3F000") == 0 || g_strcmp0 (state, "42P01") == 0)
        {
          PQclear (res);
          *out_version = 0;
          return TRUE;
        }
      return exec_ok (conn, res, _("Reading the schema version"), error);
    }

  *out_version = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  PQclear (res);
  return TRUE;
}

/**
 * rd_migrations_get_db_version:
 * @conn: a connection to the database
 * @out_version: (out): the schema version, 0 for an empty database
 * @error: return location for an error
 *
 * Blocking. Not for the GTK main thread: the application sends
 * %RD_MIGRATIONS_VERSION_QUERY through its asynchronous connection instead.
 *
 * Returns: %TRUE on success
 */
gboolean
rd_migrations_get_db_version (PGconn   *conn,
                              gint64   *out_version,
                              GError  **error)
{
  g_return_val_if_fail (conn != NULL, FALSE);
  g_return_val_if_fail (out_version != NULL, FALSE);

  return query_version (conn, out_version, error);
}

static gboolean
apply_one (PGconn      *conn,
           const char  *name,
           int          number,
           gboolean    *out_applied,
           GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *number_text = g_strdup_printf ("%d", number);
  const char *params[3];
  gint64 current = 0;
  gsize len;
  const char *data;

  *out_applied = FALSE;

  bytes = rd_migrations_lookup (name, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &len);
  sql = g_strndup (data, len);
  checksum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

  if (!exec_ok (conn, PQexec (conn, "BEGIN"), name, error))
    return FALSE;

  /* Another migrate may be running: wait for it, then look again. */
  if (!exec_ok (conn, PQexec (conn, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK_KEY ")"),
                name, error))
    goto rollback;
  if (!query_version (conn, &current, error))
    goto rollback;
  if (current >= number)
    {
      PQclear (PQexec (conn, "ROLLBACK"));
      return TRUE;
    }

  /* Every object the file creates belongs to the NOLOGIN owner. */
  if (!exec_ok (conn, PQexec (conn, "SET LOCAL ROLE rd_owner"), name, error))
    goto rollback;
  if (!rd_migrations_exec_script (conn, name, sql, error))
    goto rollback;

  params[0] = number_text;
  params[1] = name;
  params[2] = checksum;
  if (!exec_ok (conn,
                PQexecParams (conn,
                              "INSERT INTO rd.schema_version (version, name, checksum) "
                              "VALUES ($1::integer, $2, $3)",
                              3, NULL, params, NULL, NULL, 0),
                name, error))
    goto rollback;

  if (!exec_ok (conn, PQexec (conn, "COMMIT"), name, error))
    return FALSE;

  *out_applied = TRUE;
  return TRUE;

rollback:
  PQclear (PQexec (conn, "ROLLBACK"));
  return FALSE;
}

/**
 * rd_migrations_apply:
 * @conn: a connection as a superuser or a member of rd_owner
 * @out_applied: (out) (optional): how many migrations were applied now
 * @error: return location for a #RD_STORE_ERROR
 *
 * Applies the pending migrations in order, each in one transaction as role
 * rd_owner, and records each in rd.schema_version. Re-running is harmless.
 * Refuses (%RD_STORE_ERROR_SCHEMA_TOO_NEW) a database newer than this build.
 * The roles and extensions of init.sql must exist (rd_init_db() does both).
 *
 * Blocking: for referral-desk-admin, tests and worker threads.
 *
 * Returns: %TRUE when the database is at rd_migrations_latest()
 */
gboolean
rd_migrations_apply (PGconn   *conn,
                     guint    *out_applied,
                     GError  **error)
{
  g_autoptr(GPtrArray) names = NULL;
  gint64 current = 0;
  guint applied = 0;

  g_return_val_if_fail (conn != NULL, FALSE);

  if (out_applied)
    *out_applied = 0;

  if (PQtransactionStatus (conn) != PQTRANS_IDLE)
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                           _("Migrations must start outside a transaction."));
      return FALSE;
    }

  if (!query_version (conn, &current, error) ||
      !rd_migrations_check_version (current, NULL, error))
    return FALSE;

  names = rd_migrations_list ();
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      int number = migration_number (name);
      gboolean done = FALSE;

      if (number <= current)
        continue;

      if (!apply_one (conn, name, number, &done, error))
        return FALSE;
      if (done)
        applied++;
    }

  if (out_applied)
    *out_applied = applied;
  return TRUE;
}
