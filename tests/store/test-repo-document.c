/* test-repo-document.c — the document repository against the real schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-connection.h"
#include "rd-repo-document.h"
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

static RdDocument *
insert (RdConnection *conn,
        RdDocument   *doc,
        GBytes       *bytes,
        gboolean     *existing,
        GError      **error)
{
  return SYNC (rd_repo_document_insert_finish (conn, w->result, existing, error),
               rd_repo_document_insert_async (conn, doc, bytes, NULL, on_done, w));
}

static void
test_store_once_and_read (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *other_queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *bob = NULL;
  g_autoptr(RdConnection) as_alice = NULL;
  g_autoptr(RdConnection) as_bob = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDocument) draft = NULL;
  g_autoptr(RdDocument) first = NULL;
  g_autoptr(RdDocument) again = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *id_s = NULL;
  guint8 *raw;
  gsize size = 300 * 1024;
  gboolean existing = TRUE;

  if (db == NULL)
    return;

  queue = fx_team (db, "Intake");
  other_queue = fx_team (db, "Cardiology");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  bob = fx_staff (db, "Bob Brown", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  as_alice = connect_as (db, alice);
  as_bob = connect_as (db, bob);

  /* Bytes of every value, NUL included. */
  raw = g_malloc (size);
  memcpy (raw, "%PDF-1.4\n", 9);
  for (gsize i = 9; i < size; i++)
    raw[i] = (guint8) ((i * 131) ^ (i >> 7));
  bytes = g_bytes_new_take (raw, size);
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

  draft = rd_document_new ();
  rd_document_set_kind (draft, "fax");
  rd_document_set_media_type (draft, "application/pdf");
  rd_document_set_file_name (draft, "fax-0001'; DROP TABLE rd.document; --.pdf");
  rd_document_set_pages (draft, 3);
  rd_document_set_received_via (draft, "fax");
  rd_document_set_sender (draft, "+15552013344");
  rd_document_set_queue_id (draft, g_ascii_strtoll (queue, NULL, 10));

  first = insert (as_alice, draft, bytes, &existing, &error);
  g_assert_no_error (error);
  g_assert_false (existing);
  g_assert_cmpint (rd_document_get_id (first), >, 0);
  g_assert_cmpstr (rd_document_get_sha256 (first), ==, sha);
  g_assert_cmpint (rd_document_get_size (first), ==, size);
  g_assert_cmpint (rd_document_get_pages (first), ==, 3);
  g_assert_cmpstr (rd_document_get_status (first), ==, "unfiled");
  g_assert_cmpstr (rd_document_get_file_name (first), ==, "fax-0001'; DROP TABLE rd.document; --.pdf");
  id_s = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_id (first));

  /* The same fax again: the first copy, nothing new stored. */
  again = insert (as_alice, draft, bytes, &existing, &error);
  g_assert_no_error (error);
  g_assert_true (existing);
  g_assert_cmpint (rd_document_get_id (again), ==, rd_document_get_id (first));
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 1);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document_blob", NULL), ==, 1);

  /* The inbox lists it; the bytes come back exactly, and the read is audited. */
  {
    g_autoptr(GPtrArray) inbox = NULL;
    g_autoptr(GBytes) back = NULL;

    inbox = SYNC (rd_repo_document_list_unfiled_finish (as_alice, w->result, &error),
                  rd_repo_document_list_unfiled_async (as_alice, 0, 50, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (inbox->len, ==, 1);
    g_assert_cmpint (rd_document_get_id (inbox->pdata[0]), ==, rd_document_get_id (first));

    back = SYNC (rd_repo_document_read_finish (as_alice, w->result, &error),
                 rd_repo_document_read_async (as_alice, rd_document_get_id (first), NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (back, bytes));
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM audit.log WHERE table_name = 'document'"
                             " AND operation = 'READ' AND row_id = $1::bigint AND who = $2",
                             id_s, alice, NULL), ==, 1);
  }

  /* Bob works elsewhere: not in his inbox, and he cannot read it. */
  {
    g_autoptr(GPtrArray) inbox = NULL;
    g_autoptr(GBytes) none = NULL;

    inbox = SYNC (rd_repo_document_list_unfiled_finish (as_bob, w->result, &error),
                  rd_repo_document_list_unfiled_async (as_bob, 0, 50, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (inbox->len, ==, 0);

    none = SYNC (rd_repo_document_read_finish (as_bob, w->result, &error),
                 rd_repo_document_read_async (as_bob, rd_document_get_id (first), NULL, on_done, w));
    g_assert_null (none);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* A refused row rolls the whole insert back, and the connection goes on. */
  {
    g_autoptr(GBytes) other = g_bytes_new_static ("other bytes", 11);
    g_autoptr(RdDocument) bad = rd_document_copy (draft);
    g_autoptr(RdDocument) none = NULL;
    g_autoptr(RdDocument) fine = NULL;

    rd_document_set_media_type (bad, "not a media type");
    none = insert (as_alice, bad, other, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
    g_clear_error (&error);
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 1);

    fine = insert (as_alice, draft, other, &existing, &error);
    g_assert_no_error (error);
    g_assert_false (existing);
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document_blob", NULL), ==, 2);
  }

  /* Too large: refused before anything is sent. */
  {
    g_autoptr(GBytes) huge = g_bytes_new_take (g_malloc0 (RD_REPO_DOCUMENT_MAX_SIZE + 1),
                                               RD_REPO_DOCUMENT_MAX_SIZE + 1);
    g_autoptr(RdDocument) none = insert (as_alice, draft, huge, NULL, &error);

    g_assert_null (none);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/document/store-once-read", test_store_once_and_read);

  return g_test_run ();
}
