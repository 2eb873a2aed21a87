/* rd-test-util.h — what every test suite shares: a fresh database, the corpus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* Call after g_test_init(): sets TZ/LANG-independent defaults for a test. */
void        rd_test_init_env           (void);

/* TRUE when ./dev test (or the caller) started a PostgreSQL server for us:
 * RD_TEST_PGHOST (socket directory or host), RD_TEST_PGPORT and
 * RD_TEST_PGUSER (a superuser) are set. */
gboolean    rd_test_pg_available       (void);

/* Conninfo of the maintenance database as the superuser. */
char       *rd_test_pg_admin_conninfo  (const char *dbname);

/* Creates an empty database with a unique name and returns its name; it is
 * dropped again when the test process exits. Skips the test (returns NULL)
 * when no server is available. */
char       *rd_test_pg_create_database (void);

/* A conninfo string for @dbname as @user (NULL: the superuser). */
char       *rd_test_pg_conninfo        (const char *dbname,
                                        const char *user);

/* Blocking connection for test set-up and checks (never in the application). */
PGconn     *rd_test_pg_connect         (const char *dbname,
                                        const char *user);
/* Runs @sql and asserts success; returns the result (PQclear it). */
PGresult   *rd_test_pg_exec            (PGconn     *conn,
                                        const char *sql);

/* ../shared/corpus/<subdir> when present, or NULL (and the caller skips). */
char       *rd_test_corpus_dir         (const char *subdir);

/* A directory under the test's log dir for screenshots and other artefacts. */
char       *rd_test_artifact_dir       (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

G_END_DECLS
