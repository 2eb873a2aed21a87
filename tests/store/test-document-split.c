/* test-document-split.c — one fax split into parts for different referrals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real parts: a synthetic fax split with Poppler and cairo, stored through
 * the repository in a real database, checked as the people involved and
 * as the superuser.
 */
#include "config.h"

#include "rd-connection.h"
#include "rd-fax-synth.h"
#include "rd-pdf-split.h"
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
  ((Waiter *) user_data)->result = g_object_ref (result);
}

static gboolean
on_deadline (gpointer user_data)
{
  g_error ("test timed out");
  return G_SOURCE_REMOVE;
}

static void
wait_for (Waiter *w)
{
  guint id = g_timeout_add_seconds (60, on_deadline, NULL);

  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

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

typedef struct
{
  FxDb         *db;
  char         *queue;        /* Intake */
  char         *other_queue;  /* Cardiology */
  char         *alice;        /* Intake specialist */
  char         *bob;          /* Cardiology specialist */
  RdConnection *as_alice;
  RdConnection *as_bob;
  GBytes       *fax;          /* 5 pages */
  RdDocument   *original;     /* in the Intake inbox */
} Fixture;

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

static gboolean
fixture_set_up (Fixture *fx)
{
  g_autoptr(RdDocument) draft = rd_document_new ();
  g_autoptr(GError) error = NULL;

  memset (fx, 0, sizeof *fx);
  if ((fx->db = fx_db_new ()) == NULL)
    return FALSE;

  fx->queue = fx_team (fx->db, "Intake");
  fx->other_queue = fx_team (fx->db, "Cardiology");
  fx->alice = fx_staff (fx->db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  fx->bob = fx_staff (fx->db, "Bob Brown", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  fx->as_alice = connect_as (fx->db, fx->alice);
  fx->as_bob = connect_as (fx->db, fx->bob);
  fx->fax = rd_fax_synth_generate (606, 5);

  rd_document_set_kind (draft, "fax");
  rd_document_set_file_name (draft, "fax-0606.pdf");
  rd_document_set_media_type (draft, "application/pdf");
  rd_document_set_pages (draft, 5);
  rd_document_set_received_via (draft, "fax");
  rd_document_set_sender (draft, "+15550100606");
  rd_document_set_queue_id (draft, g_ascii_strtoll (fx->queue, NULL, 10));
  fx->original = SYNC (rd_repo_document_insert_finish (fx->as_alice, w->result, NULL, &error),
                       rd_repo_document_insert_async (fx->as_alice, draft, fx->fax, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_cmpstr (rd_document_get_status (fx->original), ==, "unfiled");
  return TRUE;
}

static void
fixture_tear_down (Fixture *fx)
{
  g_clear_object (&fx->original);
  g_clear_pointer (&fx->fax, g_bytes_unref);
  g_clear_object (&fx->as_alice);
  g_clear_object (&fx->as_bob);
  g_free (fx->queue);
  g_free (fx->other_queue);
  g_free (fx->alice);
  g_free (fx->bob);
  g_clear_pointer (&fx->db, fx_db_free);
}

/* Parts of the fax for @ranges with @destinations (and referral ids). */
static GPtrArray *
make_parts (GBytes                   *fax,
            const RdPageRange        *ranges,
            const RdSplitDestination *destinations,
            const gint64             *referrals,
            guint                     n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pdfs = rd_pdf_split (fax, NULL, ranges, n, NULL, &error);
  GPtrArray *parts = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_split_part_free);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (parts, rd_split_part_new (ranges[i].from, ranges[i].to, destinations[i],
                                               referrals[i], pdfs->pdata[i]));
  return parts;
}

static GPtrArray *
split (RdConnection *conn,
       RdDocument   *original,
       GPtrArray    *parts,
       GError      **error)
{
  return SYNC (rd_repo_document_split_finish (conn, w->result, error),
               rd_repo_document_split_async (conn, original, parts, NULL, on_done, w));
}

static char *
str_query (PGconn     *conn,
           const char *sql,
           const char *param)
{
  g_autoptr(PGresult) res = fx_exec (conn, sql, param, NULL);

  g_assert_cmpint (PQntuples (res), ==, 1);
  return g_strdup (PQgetvalue (res, 0, 0));
}

static void
test_split_files_parts (void)
{
  Fixture fx;
  const RdPageRange ranges[] = { { 1, 2 }, { 3, 4 }, { 5, 5 } };
  const RdSplitDestination dest[] = { RD_SPLIT_TO_NEW_REFERRAL, RD_SPLIT_TO_REFERRAL, RD_SPLIT_TO_INBOX };
  g_autofree char *existing = NULL;
  g_autofree char *orig_id = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GPtrArray) inbox = NULL;
  g_autoptr(GBytes) read_back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) rows = NULL;
  gint64 referrals[3] = { 0, 0, 0 };
  gint64 n_referrals;

  if (!fixture_set_up (&fx))
    return;

  existing = fx_referral (fx.db->admin, fx.queue, "triage", "Existing");
  referrals[1] = g_ascii_strtoll (existing, NULL, 10);
  n_referrals = fx_int (fx.db->admin, "SELECT count(*) FROM rd.referral", NULL);
  orig_id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_id (fx.original));

  parts = make_parts (fx.fax, ranges, dest, referrals, 3);
  stored = split (fx.as_alice, fx.original, parts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 3);

  /* Part 1: a new referral, in NEW, in the fax's queue, received as the fax was. */
  g_assert_cmpstr (rd_document_get_status (stored->pdata[0]), ==, "filed");
  g_assert_cmpint (rd_document_get_referral_id (stored->pdata[0]), >, 0);
  g_assert_cmpint (rd_document_get_referral_id (stored->pdata[0]), !=, referrals[1]);
  g_assert_cmpint (fx_int (fx.db->admin, "SELECT count(*) FROM rd.referral", NULL), ==, n_referrals + 1);
  {
    g_autofree char *rid = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_referral_id (stored->pdata[0]));
    g_autoptr(PGresult) r = fx_exec (fx.db->admin,
                                     "SELECT r.status, r.channel, r.queue_id::text, r.created_by,"
                                     " r.received_at = d.received_at"
                                     " FROM rd.referral r, rd.document d WHERE r.id = $1::bigint AND d.id = $2::bigint",
                                     rid, orig_id, NULL);

    g_assert_cmpstr (PQgetvalue (r, 0, 0), ==, "new");
    g_assert_cmpstr (PQgetvalue (r, 0, 1), ==, "fax");
    g_assert_cmpstr (PQgetvalue (r, 0, 2), ==, fx.queue);
    g_assert_cmpstr (PQgetvalue (r, 0, 3), ==, fx.alice);
    g_assert_cmpstr (PQgetvalue (r, 0, 4), ==, "t");

    /* Due as a routine referral received with the fax. */
    {
      RdTurnaround routine = rd_priority_default_turnaround (RD_PRIORITY_ROUTINE);
      g_autoptr(GDateTime) due = rd_due_compute (rd_document_get_received_at (fx.original), &routine);

      g_assert_cmpint (fx_int (fx.db->admin, "SELECT floor(extract(epoch FROM due_at))::bigint FROM rd.referral"
                               " WHERE id = $1::bigint", rid, NULL), ==, g_date_time_to_unix (due));
    }
  }
  /* Part 2: the existing referral. Part 3: back in the inbox. */
  g_assert_cmpstr (rd_document_get_status (stored->pdata[1]), ==, "filed");
  g_assert_cmpint (rd_document_get_referral_id (stored->pdata[1]), ==, referrals[1]);
  g_assert_cmpstr (rd_document_get_status (stored->pdata[2]), ==, "unfiled");
  g_assert_cmpint (rd_document_get_referral_id (stored->pdata[2]), ==, 0);
  g_assert_cmpint (rd_document_get_queue_id (stored->pdata[2]), ==, rd_document_get_queue_id (fx.original));
  g_assert_cmpint (rd_document_get_pages (stored->pdata[1]), ==, 2);
  /* Named after the fax and their pages, so the inbox tells them apart. */
  g_assert_cmpstr (rd_document_get_file_name (stored->pdata[0]), ==, "fax-0606.pdf, pages 1–2");
  g_assert_cmpstr (rd_document_get_file_name (stored->pdata[2]), ==, "fax-0606.pdf, page 5");

  /* Each part knows its original and its pages, and holds exactly its PDF. */
  rows = fx_exec (fx.db->admin,
                  "SELECT d.parent_id::text, d.page_from, d.page_to, d.sha256 FROM rd.document d"
                  " WHERE d.parent_id = $1::bigint ORDER BY d.page_from", orig_id, NULL);
  g_assert_cmpint (PQntuples (rows), ==, 3);
  for (int i = 0; i < 3; i++)
    {
      RdSplitPart *part = parts->pdata[i];
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, part->data);

      g_assert_cmpstr (PQgetvalue (rows, i, 0), ==, orig_id);
      g_assert_cmpint (atoi (PQgetvalue (rows, i, 1)), ==, ranges[i].from);
      g_assert_cmpint (atoi (PQgetvalue (rows, i, 2)), ==, ranges[i].to);
      g_assert_cmpstr (PQgetvalue (rows, i, 3), ==, sha);
    }
  {
    g_autoptr(GBytes) part3 = SYNC (rd_repo_document_read_finish (fx.as_alice, w->result, &error),
                                    rd_repo_document_read_async (fx.as_alice, rd_document_get_id (stored->pdata[2]),
                                                                 NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (part3, ((RdSplitPart *) parts->pdata[2])->data));
  }

  /* The original left the inbox (part 3 is there instead), is 'split', and
   * is still readable, byte for byte, through the audited function. */
  status = str_query (fx.db->admin, "SELECT status FROM rd.document WHERE id = $1::bigint", orig_id);
  g_assert_cmpstr (status, ==, "split");
  inbox = SYNC (rd_repo_document_list_unfiled_finish (fx.as_alice, w->result, &error),
                rd_repo_document_list_unfiled_async (fx.as_alice, 0, 100, NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_cmpuint (inbox->len, ==, 1);
  g_assert_cmpint (rd_document_get_id (inbox->pdata[0]), ==, rd_document_get_id (stored->pdata[2]));
  read_back = SYNC (rd_repo_document_read_finish (fx.as_alice, w->result, &error),
                    rd_repo_document_read_async (fx.as_alice, rd_document_get_id (fx.original), NULL, on_done, w));
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (read_back, fx.fax));

  /* Audited, by Alice, all in one transaction: the original's change of
   * status, each part's insert with its pages, the filing of parts 1 and
   * 2, the new referral; and the read just now. */
  g_assert_cmpint (fx_int (fx.db->admin,
                           "SELECT count(*) FROM audit.log WHERE table_name = 'document' AND row_id = $1::bigint"
                           " AND operation = 'UPDATE' AND before ->> 'status' = 'unfiled'"
                           " AND after ->> 'status' = 'split' AND who = $2",
                           orig_id, fx.alice, NULL), ==, 1);
  g_assert_cmpint (fx_int (fx.db->admin,
                           "SELECT count(*) FROM audit.log WHERE table_name = 'document' AND operation = 'INSERT'"
                           " AND after ->> 'parent_id' = $1 AND (after ->> 'page_from') IS NOT NULL AND who = $2",
                           orig_id, fx.alice, NULL), ==, 3);
  g_assert_cmpint (fx_int (fx.db->admin,
                           "SELECT count(*) FROM audit.log l JOIN rd.document d ON d.id = l.row_id"
                           " WHERE l.table_name = 'document' AND l.operation = 'UPDATE'"
                           " AND d.parent_id = $1::bigint AND l.after ->> 'status' = 'filed'",
                           orig_id, NULL), ==, 2);
  g_assert_cmpint (fx_int (fx.db->admin,
                           "SELECT count(*) FROM audit.log WHERE table_name = 'referral' AND operation = 'INSERT'"
                           " AND who = $1", fx.alice, NULL), ==, 1);
  g_assert_cmpint (fx_int (fx.db->admin,
                           "SELECT count(DISTINCT txid) FROM audit.log WHERE who = $1 AND operation <> 'READ'"
                           " AND (table_name = 'referral'"
                           "      OR (table_name IN ('document', 'document_blob')"
                           "          AND row_id IN (SELECT id FROM rd.document WHERE parent_id = $2::bigint))"
                           "      OR (table_name = 'document' AND row_id = $2::bigint AND operation = 'UPDATE'))",
                           fx.alice, orig_id, NULL), ==, 1);
  g_assert_cmpint (fx_int (fx.db->admin,
                           "SELECT count(*) FROM audit.log WHERE table_name = 'document_blob' AND who = $1"
                           " AND row_id IN (SELECT id FROM rd.document WHERE parent_id = $2::bigint)",
                           fx.alice, orig_id, NULL), ==, 3);
  g_assert_cmpint (fx_int (fx.db->admin,
                           "SELECT count(*) FROM audit.log WHERE table_name = 'document' AND row_id = $1::bigint"
                           " AND operation = 'READ' AND who = $2", orig_id, fx.alice, NULL), ==, 1);

  /* Split once: a second try is a conflict, and changes nothing. */
  {
    g_autoptr(GPtrArray) again = split (fx.as_alice, fx.original, parts, &error);

    g_assert_null (again);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
    g_clear_error (&error);
    g_assert_cmpint (fx_int (fx.db->admin, "SELECT count(*) FROM rd.document WHERE parent_id = $1::bigint",
                             orig_id, NULL), ==, 3);
  }

  fixture_tear_down (&fx);
}

/* Everything as before the split: no part, no new referral, the original
 * unfiled at its version, nothing audited. */
static void
assert_unchanged (Fixture    *fx,
                  gint64      n_referrals,
                  gint64      n_audit)
{
  g_autofree char *orig_id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_id (fx->original));
  g_autofree char *status = str_query (fx->db->admin, "SELECT status FROM rd.document WHERE id = $1::bigint", orig_id);

  g_assert_cmpstr (status, ==, "unfiled");
  g_assert_cmpint (fx_int (fx->db->admin, "SELECT version FROM rd.document WHERE id = $1::bigint", orig_id, NULL),
                   ==, rd_document_get_version (fx->original));
  g_assert_cmpint (fx_int (fx->db->admin, "SELECT count(*) FROM rd.document WHERE parent_id IS NOT NULL", NULL), ==, 0);
  g_assert_cmpint (fx_int (fx->db->admin, "SELECT count(*) FROM rd.document_blob", NULL), ==, 1);
  g_assert_cmpint (fx_int (fx->db->admin, "SELECT count(*) FROM rd.referral", NULL), ==, n_referrals);
  g_assert_cmpint (fx_int (fx->db->admin, "SELECT count(*) FROM audit.log WHERE operation <> 'READ'", NULL),
                   ==, n_audit);
}

static void
test_split_all_or_nothing (void)
{
  Fixture fx;
  const RdPageRange ranges[] = { { 1, 2 }, { 3, 5 } };
  const RdSplitDestination dest[] = { RD_SPLIT_TO_NEW_REFERRAL, RD_SPLIT_TO_REFERRAL };
  g_autofree char *theirs = NULL;
  g_autofree char *closed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 referrals[2] = { 0, 0 };
  gint64 n_referrals, n_audit;

  if (!fixture_set_up (&fx))
    return;

  theirs = fx_referral (fx.db->admin, fx.other_queue, "new", "Other");
  closed = fx_referral (fx.db->admin, fx.queue, "cancelled", "Closed");
  n_referrals = fx_int (fx.db->admin, "SELECT count(*) FROM rd.referral", NULL);
  n_audit = fx_int (fx.db->admin, "SELECT count(*) FROM audit.log WHERE operation <> 'READ'", NULL);

  /* Midway: the new referral for part 1 is made, both parts are stored,
   * then part 2's referral (another team's) is refused. */
  {
    g_autoptr(GPtrArray) parts = NULL;
    g_autoptr(GPtrArray) stored = NULL;

    referrals[1] = g_ascii_strtoll (theirs, NULL, 10);
    parts = make_parts (fx.fax, ranges, dest, referrals, 2);
    stored = split (fx.as_alice, fx.original, parts, &error);
    g_assert_null (stored);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    assert_unchanged (&fx, n_referrals, n_audit);
  }

  /* A closed referral takes no new pages. */
  {
    g_autoptr(GPtrArray) parts = NULL;
    g_autoptr(GPtrArray) stored = NULL;

    referrals[1] = g_ascii_strtoll (closed, NULL, 10);
    parts = make_parts (fx.fax, ranges, dest, referrals, 2);
    stored = split (fx.as_alice, fx.original, parts, &error);
    g_assert_null (stored);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    assert_unchanged (&fx, n_referrals, n_audit);
  }

  /* Overlapping or out-of-range pages are refused by the database too. */
  {
    const RdPageRange a[] = { { 1, 3 } };
    const RdPageRange b[] = { { 3, 4 } };
    const RdSplitDestination inbox[] = { RD_SPLIT_TO_INBOX };
    const gint64 none[] = { 0 };
    g_autoptr(GPtrArray) pa = make_parts (fx.fax, a, inbox, none, 1);
    g_autoptr(GPtrArray) pb = make_parts (fx.fax, b, inbox, none, 1);
    g_autoptr(GPtrArray) parts = g_ptr_array_new ();
    g_autoptr(GPtrArray) stored = NULL;
    RdSplitPart *beyond;

    g_ptr_array_add (parts, pa->pdata[0]);
    g_ptr_array_add (parts, pb->pdata[0]);
    stored = split (fx.as_alice, fx.original, parts, &error);
    g_assert_null (stored);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
    g_clear_error (&error);
    assert_unchanged (&fx, n_referrals, n_audit);

    g_ptr_array_set_size (parts, 0);
    beyond = pb->pdata[0];
    beyond->page_from = 5;
    beyond->page_to = 6;
    g_ptr_array_add (parts, beyond);
    stored = split (fx.as_alice, fx.original, parts, &error);
    g_assert_null (stored);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
    g_clear_error (&error);
    assert_unchanged (&fx, n_referrals, n_audit);
  }

  /* A stale copy of the original (someone changed it since) is a conflict. */
  {
    g_autoptr(RdDocument) stale = rd_document_copy (fx.original);
    g_autoptr(GPtrArray) parts = NULL;
    g_autoptr(GPtrArray) stored = NULL;

    rd_document_set_version (stale, rd_document_get_version (fx.original) - 1);
    referrals[1] = 0;
    parts = make_parts (fx.fax, ranges, (RdSplitDestination[]) { RD_SPLIT_TO_INBOX, RD_SPLIT_TO_INBOX },
                        referrals, 2);
    stored = split (fx.as_alice, stale, parts, &error);
    g_assert_null (stored);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
    g_clear_error (&error);
    assert_unchanged (&fx, n_referrals, n_audit);
  }

  fixture_tear_down (&fx);
}

static void
test_split_security (void)
{
  Fixture fx;
  const RdPageRange ranges[] = { { 1, 5 } };
  const RdSplitDestination dest[] = { RD_SPLIT_TO_INBOX };
  const gint64 none[] = { 0 };
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) alice = NULL;
  g_autoptr(PGconn) bob = NULL;
  g_autofree char *orig_id = NULL;
  g_autofree char *state = NULL;
  gint64 n_referrals, n_audit;

  if (!fixture_set_up (&fx))
    return;

  orig_id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_id (fx.original));
  n_referrals = fx_int (fx.db->admin, "SELECT count(*) FROM rd.referral", NULL);
  n_audit = fx_int (fx.db->admin, "SELECT count(*) FROM audit.log WHERE operation <> 'READ'", NULL);
  parts = make_parts (fx.fax, ranges, dest, none, 1);

  /* Bob works in another team: he neither sees nor splits the fax. */
  stored = split (fx.as_bob, fx.original, parts, &error);
  g_assert_null (stored);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assert_unchanged (&fx, n_referrals, n_audit);

  /* Nor can he hang a part of his own on it, even naming it directly. */
  bob = fx_connect (fx.db, fx.bob);
  {
    const char *params[] = { fx.other_queue, orig_id };

    g_free (state);
    state = fx_try (bob,
                    "INSERT INTO rd.document (media_type, sha256, size_bytes, received_via, queue_id,"
                    " parent_id, page_from, page_to) VALUES ('application/pdf', repeat('a', 64), 1, 'fax',"
                    " $1::bigint, $2::bigint, 1, 1)", 2, params, NULL);
    g_assert_cmpstr (state, ==, "42501");
  }

  /* Marking a document split by hand hides it from the inbox without
   * parts: refused. */
  alice = fx_connect (fx.db, fx.alice);
  {
    const char *params[] = { orig_id };

    g_free (state);
    state = fx_try (alice, "UPDATE rd.document SET status = 'split' WHERE id = $1::bigint", 1, params, NULL);
    g_assert_cmpstr (state, ==, "42501");
  }
  assert_unchanged (&fx, n_referrals, n_audit);

  g_clear_pointer (&stored, g_ptr_array_unref);
  stored = split (fx.as_alice, fx.original, parts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 1);

  /* Kept as received: not back to the inbox, not deleted (not even by the
   * superuser), nor its bytes; the parts' pages are fixed. */
  {
    const char *params[] = { orig_id };
    g_autofree char *part_id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_id (stored->pdata[0]));
    const char *part_params[] = { part_id };

    g_free (state);
    state = fx_try (alice, "UPDATE rd.document SET status = 'unfiled' WHERE id = $1::bigint", 1, params, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_free (state);
    state = fx_try (fx.db->admin, "DELETE FROM rd.document_blob WHERE document_id = $1::bigint", 1, params, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_free (state);
    state = fx_try (fx.db->admin, "DELETE FROM rd.document WHERE id = $1::bigint", 1, params, NULL);
    g_assert_cmpstr (state, !=, "");
    g_free (state);
    state = fx_try (alice, "UPDATE rd.document SET page_to = 4 WHERE id = $1::bigint", 1, part_params, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_assert_cmpint (fx_int (fx.db->admin, "SELECT count(*) FROM rd.document_blob WHERE document_id = $1::bigint",
                             orig_id, NULL), ==, 1);
  }

  /* Bob still cannot read the original; Alice can. */
  {
    g_autoptr(GBytes) bytes = SYNC (rd_repo_document_read_finish (fx.as_bob, w->result, &error),
                                    rd_repo_document_read_async (fx.as_bob, rd_document_get_id (fx.original),
                                                                 NULL, on_done, w));
    g_assert_null (bytes);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  {
    g_autoptr(GBytes) bytes = SYNC (rd_repo_document_read_finish (fx.as_alice, w->result, &error),
                                    rd_repo_document_read_async (fx.as_alice, rd_document_get_id (fx.original),
                                                                 NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (bytes, fx.fax));
  }

  fixture_tear_down (&fx);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/document/split/files-parts", test_split_files_parts);
  g_test_add_func ("/store/document/split/all-or-nothing", test_split_all_or_nothing);
  g_test_add_func ("/store/document/split/security", test_split_security);

  return g_test_run ();
}
