/* test-repo-rotation.c — page rotations against the real schema (0010)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-connection.h"
#include "rd-repo-document.h"
#include "rd-repo-rotation.h"
#include "rd-store-error.h"
#include "schema-fixture.h"

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *w = user_data;

  w->result = g_object_ref (result);
}

static gboolean
on_deadline (gpointer user_data)
{
  g_error ("test timed out");
  return G_SOURCE_REMOVE;
}

static GAsyncResult *
wait_for (Waiter *w)
{
  guint id = g_timeout_add_seconds (60, on_deadline, NULL);

  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return w->result;
}

/* Each call: start, wait, finish, drop the result. */
#define SYNC(finish_expr, start_expr)                 \
  ({                                                  \
    Waiter w_ = { NULL };                             \
    Waiter *w = &w_;                                  \
    start_expr;                                       \
    wait_for (w);                                     \
    __auto_type r_ = (finish_expr);                   \
    g_clear_object (&w_.result);                      \
    r_;                                               \
  })

static RdConnection *
connect_as (FxDb       *db,
            const char *login)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (db->dbname, login);
  g_autoptr(RdConnection) conn = rd_connection_new (conninfo);
  g_autoptr(GError) error = NULL;

  SYNC (rd_connection_open_finish (conn, w->result, &error),
        rd_connection_open_async (conn, NULL, on_done, w));
  g_assert_no_error (error);
  return g_steal_pointer (&conn);
}

/* A small fax in @queue's inbox, stored by @conn; returns its SHA-256. */
static char *
store_document (RdConnection *conn,
                const char   *queue,
                gint64       *out_id)
{
  static const char pdf[] = "%PDF-1.4\n% rotation test\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (pdf, sizeof pdf - 1);
  g_autoptr(RdDocument) draft = rd_document_new ();
  g_autoptr(RdDocument) stored = NULL;
  g_autoptr(GError) error = NULL;
  gboolean existing = TRUE;

  rd_document_set_kind (draft, "fax");
  rd_document_set_media_type (draft, "application/pdf");
  rd_document_set_file_name (draft, "fax.pdf");
  rd_document_set_pages (draft, 4);
  rd_document_set_received_via (draft, "fax");
  rd_document_set_queue_id (draft, g_ascii_strtoll (queue, NULL, 10));
  stored = SYNC (rd_repo_document_insert_finish (conn, w->result, &existing, &error),
                 rd_repo_document_insert_async (conn, draft, bytes, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_false (existing);
  *out_id = rd_document_get_id (stored);
  return g_strdup (rd_document_get_sha256 (stored));
}

static GArray *
list (RdConnection  *conn,
      const char    *sha,
      GError       **error)
{
  return SYNC (rd_repo_rotation_list_finish (conn, w->result, error),
               rd_repo_rotation_list_async (conn, sha, NULL, on_done, w));
}

static gboolean
set (RdConnection  *conn,
     const char    *sha,
     guint          page,
     int            degrees,
     GError       **error)
{
  return SYNC (rd_repo_rotation_set_finish (conn, w->result, error),
               rd_repo_rotation_set_async (conn, sha, page, degrees, NULL, on_done, w));
}

static void
assert_rotation (GArray *rotations,
                 guint   index,
                 guint   page,
                 int     degrees)
{
  g_assert_cmpuint (index, <, rotations->len);
  g_assert_cmpuint (g_array_index (rotations, RdPageRotation, index).page, ==, page);
  g_assert_cmpint (g_array_index (rotations, RdPageRotation, index).degrees, ==, degrees);
}

/* Whether @conn (listening on rd_changes) was told of a page_rotation row. */
static gboolean
heard_rotation_change (PGconn *conn)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gboolean heard = FALSE;

  while (!heard && g_get_monotonic_time () < deadline)
    {
      PGnotify *n;

      g_assert_true (PQconsumeInput (conn));
      while ((n = PQnotifies (conn)) != NULL)
        {
          if (g_str_equal (n->relname, "rd_changes") && strstr (n->extra, "\"page_rotation\"") != NULL)
            heard = TRUE;
          PQfreemem (n);
        }
      if (!heard)
        g_usleep (20000);
    }

  return heard;
}

/* Alice turns pages; a colleague of her team sees them turned; turning a
 * page again replaces its row (a new version, who and when). */
static void
test_save_and_share (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *carol = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *id_s = NULL;
  g_autoptr(RdConnection) as_alice = NULL;
  g_autoptr(RdConnection) as_carol = NULL;
  g_autoptr(GArray) seen = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  if (db == NULL)
    return;

  queue = fx_team (db, "Intake");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  carol = fx_staff (db, "Carol Clark", RD_STAFF_ROLE_SPECIALIST, "Intake");
  as_alice = connect_as (db, alice);
  as_carol = connect_as (db, carol);
  sha = store_document (as_alice, queue, &id);
  id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  seen = list (as_alice, sha, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 0);
  g_clear_pointer (&seen, g_array_unref);

  PQclear (fx_exec (db->admin, "LISTEN rd_changes", NULL));
  g_assert_true (set (as_alice, sha, 2, 90, &error));
  g_assert_no_error (error);
  g_assert_true (set (as_alice, sha, 0, -180, &error));
  g_assert_no_error (error);
  g_assert_true (set (as_alice, sha, 2, 270, &error));
  g_assert_no_error (error);

  seen = list (as_carol, sha, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 2);
  assert_rotation (seen, 0, 0, 180);
  assert_rotation (seen, 1, 2, 270);

  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.page_rotation WHERE document_id = $1::bigint",
                           id_s, NULL), ==, 2);
  g_assert_true (heard_rotation_change (db->admin));
  g_assert_cmpint (fx_int (db->admin, "SELECT version FROM rd.page_rotation"
                           " WHERE document_id = $1::bigint AND page = 2 AND updated_by = $2",
                           id_s, alice, NULL), ==, 2);

  /* Not a quarter turn: refused before and by the database. */
  g_assert_false (set (as_alice, sha, 1, 45, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  {
    const char *params[] = { id_s };
    g_autofree char *state = fx_try (db->admin, "INSERT INTO rd.page_rotation (document_id, page, degrees)"
                                     " VALUES ($1::bigint, 1, 45)", 1, params, NULL);

    g_assert_cmpstr (state, ==, "23514");
  }

  /* A document nobody stored has no rotations, and none can be saved. */
  {
    const char *unknown = "0000000000000000000000000000000000000000000000000000000000000000";
    g_autoptr(GArray) none = list (as_alice, unknown, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (none->len, ==, 0);
    g_assert_false (set (as_alice, unknown, 0, 90, &error));
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_false (set (as_alice, "not a checksum", 0, 90, &error));
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
}

/* Bob works in another team: he neither sees nor turns Alice's pages,
 * through the repository or with his own SQL. */
static void
test_other_team (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *other_queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *id_s = NULL;
  g_autoptr(RdConnection) as_alice = NULL;
  g_autoptr(RdConnection) as_bob = NULL;
  g_autoptr(GArray) seen = NULL;
  g_autoptr(GError) error = NULL;
  PGconn *bob_pg;
  gint64 id = 0;

  if (db == NULL)
    return;

  queue = fx_team (db, "Intake");
  other_queue = fx_team (db, "Cardiology");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  bob = fx_staff (db, "Bob Brown", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  as_alice = connect_as (db, alice);
  as_bob = connect_as (db, bob);
  sha = store_document (as_alice, queue, &id);
  id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_assert_true (set (as_alice, sha, 1, 90, &error));
  g_assert_no_error (error);

  seen = list (as_bob, sha, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 0);

  g_assert_false (set (as_bob, sha, 1, 180, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (set (as_bob, sha, 3, 180, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  bob_pg = fx_connect (db, bob);
  {
    const char *params[] = { id_s };
    PGresult *res = NULL;
    g_autofree char *state = NULL;

    g_assert_cmpint (fx_int (bob_pg, "SELECT count(*) FROM rd.page_rotation", NULL), ==, 0);
    state = fx_try (bob_pg, "INSERT INTO rd.page_rotation (document_id, page, degrees)"
                    " VALUES ($1::bigint, 3, 180)", 1, params, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_free (state);
    state = fx_try (bob_pg, "UPDATE rd.page_rotation SET degrees = 0 WHERE document_id = $1::bigint",
                    1, params, &res);
    g_assert_cmpstr (state, ==, "");
    g_assert_cmpstr (PQcmdTuples (res), ==, "0");
    PQclear (res);
  }
  PQfinish (bob_pg);

  g_assert_cmpint (fx_int (db->admin, "SELECT degrees FROM rd.page_rotation"
                           " WHERE document_id = $1::bigint AND page = 1", id_s, NULL), ==, 90);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.page_rotation", NULL), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/rotation/save-and-share", test_save_and_share);
  g_test_add_func ("/store/rotation/other-team", test_other_team);

  return g_test_run ();
}
