/* rd-migrations.h — the numbered SQL migrations and the schema version check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/**
 * RD_MIGRATIONS_VERSION_QUERY:
 *
 * The statement a client sends to learn the schema version of a database:
 * one row, one integer column. SQLSTATE 3F000 (no schema rd) or 42P01 (no
 * table) means an empty database, version 0. Staff roles may run it.
 */
#define RD_MIGRATIONS_VERSION_QUERY \
  "SELECT coalesce(max(version), 0) FROM rd.schema_version"

/**
 * RdSchemaState:
 * @RD_SCHEMA_EMPTY: no Referral Desk schema yet (run init-db)
 * @RD_SCHEMA_OLDER: migrations are pending (run migrate)
 * @RD_SCHEMA_CURRENT: the database has exactly the version this build knows
 *
 * A newer schema than this build knows is an error, not a state: see
 * rd_migrations_check_version().
 */
typedef enum {
  RD_SCHEMA_EMPTY,
  RD_SCHEMA_OLDER,
  RD_SCHEMA_CURRENT,
} RdSchemaState;

int            rd_migrations_latest          (void);
GPtrArray     *rd_migrations_list            (void);
GBytes        *rd_migrations_lookup          (const char     *name,
                                              GError        **error);

gboolean       rd_migrations_check_version   (gint64          db_version,
                                              RdSchemaState  *out_state,
                                              GError        **error);

/* Blocking: for referral-desk-admin, tests and worker threads only. */
gboolean       rd_migrations_get_db_version  (PGconn         *conn,
                                              gint64         *out_version,
                                              GError        **error);
gboolean       rd_migrations_apply           (PGconn         *conn,
                                              guint          *out_applied,
                                              GError        **error);

/* Internal helpers shared with rd-init-db.c. */
gboolean       rd_migrations_exec_script     (PGconn         *conn,
                                              const char     *what,
                                              const char     *sql,
                                              GError        **error);
void           rd_migrations_set_pg_error    (GError        **error,
                                              const PGresult *res,
                                              PGconn         *conn,
                                              const char     *what);

G_END_DECLS
