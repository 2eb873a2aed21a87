/* rd-repo-document.c — received documents: store once, inbox, audited reads
 *
 * A document is stored once: its SHA-256 is unique, so receiving the same
 * fax twice finds the first copy. The row and its bytes (rd.document_blob,
 * kept apart so that lists never load them) are written in one
 * transaction. Bytes are read only through the schema's rd.read_document(),
 * which checks visibility and writes an audit record for every read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-repo-document.h"
#include "rd-repo-common.h"
#include "rd-store-error.h"

#define DOCUMENT_SELECT \
  "SELECT d.id, d.version, d.kind, d.file_name, d.media_type, d.pages, d.sha256," \
  " d.size_bytes AS size, d.received_via, d.received_at, d.status, d.referral_id," \
  " d.sender, d.subject, d.note, d.queue_id FROM rd.document d "

typedef struct
{
  RdTransaction *tx;
  GBytes        *data;
  char          *sha256;
  gint64         id;
  gboolean       existing;
} CallData;

static void
call_data_free (CallData *data)
{
  g_clear_object (&data->tx);
  g_clear_pointer (&data->data, g_bytes_unref);
  g_free (data->sha256);
  g_free (data);
}

static GTask *
new_task (RdConnection        *conn,
          GCancellable        *cancellable,
          gpointer             source_tag,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (conn, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_new0 (CallData, 1), (GDestroyNotify) call_data_free);
  return task;
}

static RdDocument *
document_from_row (RdResult *res,
                   int       row)
{
  RdDocument *d = rd_document_new ();

  rd_repo_fill_record (G_OBJECT (d), res, row);
  return d;
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    g_task_return_error (task, error);
  else if (rd_result_get_n_rows (res) == 0)
    g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                             _("The document was not found, or it is in a queue you do not work on."));
  else
    g_task_return_pointer (task, document_from_row (res, 0), g_object_unref);
}

static void
fetch (GTask      *task,
       const char *where,
       const char *value)
{
  RdConnection *conn = g_task_get_source_object (task);
  g_autofree char *sql = g_strconcat (DOCUMENT_SELECT, where, NULL);
  const char *params[] = { value };

  rd_connection_query_async (conn, sql, params, 1, RD_CONNECTION_TIMEOUT_DEFAULT,
                             g_task_get_cancellable (task), on_fetched, task);
}

static void
fetch_id (GTask  *task,
          gint64  id)
{
  g_autofree char *id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  fetch (task, "WHERE d.id = $1::bigint", id_s);
}

/* Insert ------------------------------------------------------------------ */

static void
on_committed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  CallData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!rd_transaction_commit_finish (RD_TRANSACTION (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_clear_object (&data->tx);
  fetch_id (task, data->id);
}

static void
on_blob_inserted (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;

  res = rd_transaction_query_finish (RD_TRANSACTION (source), result, &error);
  if (res == NULL)
    {
      /* Dropping the transaction rolls it back, before anything else runs. */
      g_clear_object (&((CallData *) g_task_get_task_data (task))->tx);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  rd_transaction_commit_async (RD_TRANSACTION (source), g_task_get_cancellable (task),
                               on_committed, task);
}

static void
on_row_inserted (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  CallData *data = g_task_get_task_data (task);
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;

  res = rd_transaction_query_finish (RD_TRANSACTION (source), result, &error);
  if (res == NULL)
    {
      g_clear_object (&data->tx);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (rd_result_get_n_rows (res) == 0)
    {
      /* Already on file: give the first copy back. */
      data->existing = TRUE;
      g_clear_object (&data->tx);
      fetch (task, "WHERE d.sha256 = $1", data->sha256);
      return;
    }

  data->id = rd_result_get_int64 (res, 0, 0);
  {
    g_autofree char *id_s = g_strdup_printf ("%" G_GINT64_FORMAT, data->id);
    gsize size = 0;
    const char *bytes = g_bytes_get_data (data->data, &size);
    const char *params[] = { id_s, bytes ? bytes : "" };
    int lengths[] = { 0, (int) size };
    int formats[] = { 0, 1 };

    rd_transaction_query_full_async (data->tx,
                                     "INSERT INTO rd.document_blob (document_id, data) VALUES ($1::bigint, $2::bytea)",
                                     params, lengths, formats, 2, 0,
                                     RD_CONNECTION_TIMEOUT_DEFAULT, g_task_get_cancellable (task),
                                     on_blob_inserted, task);
  }
}

static void
on_begun (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  CallData *data = g_task_get_task_data (task);
  RdDocument *doc = g_object_get_data (G_OBJECT (task), "rd-document");
  g_autofree char *pages = NULL;
  g_autofree char *size = NULL;
  g_autofree char *received = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *referral = NULL;
  GError *error = NULL;

  data->tx = rd_connection_begin_finish (RD_CONNECTION (source), result, &error);
  if (data->tx == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  pages = rd_document_get_pages (doc) > 0 ? g_strdup_printf ("%d", rd_document_get_pages (doc)) : NULL;
  size = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (data->data));
  received = rd_pg_format_timestamp (rd_document_get_received_at (doc));
  queue = rd_document_get_queue_id (doc) > 0
            ? g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_queue_id (doc)) : NULL;
  referral = rd_document_get_referral_id (doc) > 0
               ? g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_referral_id (doc)) : NULL;
  {
    const char *params[] = {
      rd_document_get_kind (doc) ? rd_document_get_kind (doc) : "fax",
      rd_document_get_file_name (doc),
      rd_document_get_media_type (doc),
      pages,
      data->sha256,
      size,
      rd_document_get_received_via (doc) ? rd_document_get_received_via (doc) : "fax",
      received,
      rd_document_get_sender (doc),
      rd_document_get_subject (doc),
      rd_document_get_note (doc),
      queue,
      referral,
    };

    rd_transaction_query_async (data->tx,
      "INSERT INTO rd.document (kind, file_name, media_type, pages, sha256, size_bytes,"
      " received_via, received_at, sender, subject, note, queue_id, referral_id, status)"
      " VALUES ($1, $2, $3, $4::int, $5, $6::bigint, $7, coalesce($8::timestamptz, now()),"
      " $9, $10, $11, $12::bigint, $13::bigint,"
      " CASE WHEN $13::bigint IS NULL THEN 'unfiled' ELSE 'filed' END)"
      " ON CONFLICT (sha256) DO NOTHING RETURNING id",
      params, G_N_ELEMENTS (params), RD_CONNECTION_TIMEOUT_DEFAULT,
      g_task_get_cancellable (task), on_row_inserted, task);
  }
}

static void
hash_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GPtrArray *blobs = task_data;
  char **sums = g_new0 (char *, blobs->len + 1);

  for (guint i = 0; i < blobs->len; i++)
    sums[i] = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, g_ptr_array_index (blobs, i));
  g_task_return_pointer (task, sums, (GDestroyNotify) g_strfreev);
}

/* The SHA-256 of each of @blobs (GBytes), as a string vector in the same
 * order: hashing up to 64 MB a file takes tens of milliseconds (72 ms for
 * 39 MB here), never for the caller's thread, which may be the window's. */
static void
hash_async (GPtrArray           *blobs,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) hash = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_task_data (hash, g_ptr_array_ref (blobs), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (hash, hash_thread);
}

static void
on_insert_hashed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  CallData *cd = g_task_get_task_data (task);
  GError *error = NULL;
  g_auto(GStrv) sums = g_task_propagate_pointer (G_TASK (result), &error);

  if (sums == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  cd->sha256 = g_steal_pointer (&sums[0]);
  rd_connection_begin_async (g_task_get_source_object (task), RD_CONNECTION_TIMEOUT_DEFAULT,
                             g_task_get_cancellable (task), on_begun, task);
}

/**
 * rd_repo_document_insert_async:
 * @conn: a connection
 * @document: what is known about the file: kind, file name, media type,
 *   pages, how and when it came, sender, subject, and the queue whose inbox
 *   it goes to (or the referral it belongs to)
 * @data: the bytes (at most %RD_REPO_DOCUMENT_MAX_SIZE)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the stored document
 * @user_data: data for @callback
 *
 * Stores a received file once. If the same bytes were stored before, the
 * first copy is returned and rd_repo_document_insert_finish() says so.
 */
void
rd_repo_document_insert_async (RdConnection        *conn,
                               RdDocument          *document,
                               GBytes              *data,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  CallData *cd;

  g_return_if_fail (RD_IS_CONNECTION (conn));
  g_return_if_fail (RD_IS_DOCUMENT (document));
  g_return_if_fail (data != NULL);

  task = new_task (conn, cancellable, rd_repo_document_insert_async, callback, user_data);
  if (g_bytes_get_size (data) > RD_REPO_DOCUMENT_MAX_SIZE)
    {
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                               _("The file is larger than %d MB and was not stored. Ask the sender for a smaller file."),
                               RD_REPO_DOCUMENT_MAX_SIZE / (1024 * 1024));
      g_object_unref (task);
      return;
    }

  cd = g_task_get_task_data (task);
  cd->data = g_bytes_ref (data);
  g_object_set_data_full (G_OBJECT (task), "rd-document", g_object_ref (document), g_object_unref);

  {
    g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

    g_ptr_array_add (blobs, g_bytes_ref (data));
    hash_async (blobs, cancellable, on_insert_hashed, task);
  }
}

/**
 * rd_repo_document_insert_finish:
 * @conn: a connection
 * @result: the result
 * @out_existing: (out) (optional): set to %TRUE when the same bytes were
 *   already stored and the first copy is returned
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the stored document
 */
RdDocument *
rd_repo_document_insert_finish (RdConnection  *conn,
                                GAsyncResult  *result,
                                gboolean      *out_existing,
                                GError       **error)
{
  CallData *data;

  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_document_insert_async, NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (out_existing != NULL)
    *out_existing = data->existing;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* List, get ----------------------------------------------------------------- */

static void
on_rows (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  GPtrArray *rows;
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  rows = g_ptr_array_new_full (rd_result_get_n_rows (res), g_object_unref);
  for (int i = 0; i < rd_result_get_n_rows (res); i++)
    g_ptr_array_add (rows, document_from_row (res, i));
  g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * rd_repo_document_list_unfiled_async:
 * @conn: a connection
 * @queue_id: a queue's inbox, or 0 for the inboxes of all one's queues
 * @limit: at most this many (up to 1000)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the documents
 * @user_data: data for @callback
 *
 * Lists documents waiting to be filed, oldest first. The bytes are not read.
 */
void
rd_repo_document_list_unfiled_async (RdConnection        *conn,
                                     gint64               queue_id,
                                     guint                limit,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;
  g_autofree char *queue_s = queue_id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, queue_id) : NULL;
  g_autofree char *limit_s = g_strdup_printf ("%u", CLAMP (limit, 1, 1000));
  const char *params[] = { queue_s, limit_s };

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_document_list_unfiled_async, callback, user_data);
  rd_connection_query_async (conn,
                             DOCUMENT_SELECT "WHERE d.status = 'unfiled'"
                             " AND ($1::bigint IS NULL OR d.queue_id = $1::bigint)"
                             " ORDER BY d.received_at, d.id LIMIT $2::int",
                             params, 2, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_rows, task);
}

/**
 * rd_repo_document_list_unfiled_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (element-type RdDocument): the documents
 */
GPtrArray *
rd_repo_document_list_unfiled_finish (RdConnection  *conn,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_document_list_unfiled_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rd_repo_document_get_async:
 * @conn: a connection
 * @id: a document
 * @cancellable: (nullable): a cancellable
 * @callback: called with the document
 * @user_data: data for @callback
 *
 * Reads a document's description (not its bytes).
 */
void
rd_repo_document_get_async (RdConnection        *conn,
                            gint64               id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (RD_IS_CONNECTION (conn));

  fetch_id (new_task (conn, cancellable, rd_repo_document_get_async, callback, user_data), id);
}

/**
 * rd_repo_document_get_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the document
 */
RdDocument *
rd_repo_document_get_finish (RdConnection  *conn,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_document_get_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Read ---------------------------------------------------------------------- */

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;
  GBytes *bytes;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND))
        {
          g_clear_error (&error);
          error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                                       _("The document was not found, or it is in a queue you do not work on."));
        }
      g_task_return_error (task, error);
      return;
    }
  bytes = rd_result_get_n_rows (res) == 1 ? rd_result_dup_bytes (res, 0, 0) : NULL;
  if (bytes == NULL)
    g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                             _("The document’s contents are missing. Ask your administrator."));
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

/**
 * rd_repo_document_read_async:
 * @conn: a connection
 * @id: a document
 * @cancellable: (nullable): a cancellable
 * @callback: called with the bytes
 * @user_data: data for @callback
 *
 * Reads a document's bytes through rd.read_document(): allowed only for
 * documents the user may see, and every read is written to the audit log.
 */
void
rd_repo_document_read_async (RdConnection        *conn,
                             gint64               id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  g_autofree char *id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  const char *params[] = { id_s };

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_document_read_async, callback, user_data);
  /* Binary result: the bytes arrive as they are, not hex-escaped. */
  rd_connection_query_full_async (conn, "SELECT rd.read_document($1::bigint)",
                                  params, NULL, NULL, 1, 1, RD_CONNECTION_TIMEOUT_DEFAULT,
                                  cancellable, on_read, task);
}

/**
 * rd_repo_document_read_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the bytes
 */
GBytes *
rd_repo_document_read_finish (RdConnection  *conn,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_document_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Split ------------------------------------------------------------------------ */

/**
 * rd_split_part_new:
 * @page_from: first page of the original, from 1
 * @page_to: last page, inclusive
 * @destination: where the part goes
 * @referral_id: the referral for %RD_SPLIT_TO_REFERRAL, else 0
 * @data: the part's PDF
 *
 * Returns: (transfer full): a part, free with rd_split_part_free()
 */
RdSplitPart *
rd_split_part_new (guint               page_from,
                   guint               page_to,
                   RdSplitDestination  destination,
                   gint64              referral_id,
                   GBytes             *data)
{
  RdSplitPart *part = g_new0 (RdSplitPart, 1);

  g_return_val_if_fail (data != NULL, NULL);

  part->page_from = page_from;
  part->page_to = page_to;
  part->destination = destination;
  part->referral_id = referral_id;
  part->data = g_bytes_ref (data);
  return part;
}

/**
 * rd_split_part_free:
 * @part: (transfer full): a part
 */
void
rd_split_part_free (RdSplitPart *part)
{
  if (part == NULL)
    return;
  g_clear_pointer (&part->data, g_bytes_unref);
  g_free (part);
}

typedef struct
{
  RdTransaction *tx;
  RdDocument    *original;
  GPtrArray     *parts;      /* RdSplitPart */
  GArray        *ids;        /* gint64, the parts' rows */
  char         **sums;       /* SHA-256 of each part, from a worker */
  guint          next;
} SplitData;

static void
split_data_free (SplitData *data)
{
  g_clear_object (&data->tx);
  g_clear_object (&data->original);
  g_clear_pointer (&data->parts, g_ptr_array_unref);
  g_clear_pointer (&data->ids, g_array_unref);
  g_strfreev (data->sums);
  g_free (data);
}

/* Any error: dropping the transaction rolls it back before anything else
 * runs on the connection, so nothing of the split stays. */
static void
split_fail (GTask  *task,
            GError *error)
{
  SplitData *data = g_task_get_task_data (task);

  g_clear_object (&data->tx);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void split_insert_next (GTask *task);

static void
on_split_committed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  SplitData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!rd_transaction_commit_finish (RD_TRANSACTION (source), result, &error))
    {
      split_fail (task, error);
      return;
    }
  g_clear_object (&data->tx);
  g_debug ("document %" G_GINT64_FORMAT " split into %u parts",
           rd_document_get_id (data->original), data->parts->len);
  g_task_return_pointer (task, g_object_steal_data (G_OBJECT (task), "rd-parts"),
                         (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

static void
on_split_due_set (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  SplitData *data = g_task_get_task_data (task);
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;

  res = rd_transaction_query_finish (RD_TRANSACTION (source), result, &error);
  if (res == NULL)
    {
      split_fail (task, error);
      return;
    }
  rd_transaction_commit_async (data->tx, g_task_get_cancellable (task), on_split_committed, task);
}

/* A new referral made for a part is due like any routine referral received
 * when the fax was (the person changes the priority, and so the due time,
 * when they fill it in). */
static void
split_set_due (GTask     *task,
               GPtrArray *docs)
{
  SplitData *data = g_task_get_task_data (task);
  g_autoptr(GString) ids = g_string_new ("{");
  g_autoptr(GDateTime) received = NULL;
  g_autoptr(GDateTime) due = NULL;
  g_autofree char *due_s = NULL;
  RdTurnaround target = rd_priority_default_turnaround (RD_PRIORITY_ROUTINE);
  gboolean any = FALSE;

  for (guint i = 0; i < docs->len; i++)
    {
      RdDocument *doc = g_ptr_array_index (docs, i);

      for (guint j = 0; j < data->ids->len; j++)
        if (g_array_index (data->ids, gint64, j) == rd_document_get_id (doc)
            && ((RdSplitPart *) g_ptr_array_index (data->parts, j))->destination == RD_SPLIT_TO_NEW_REFERRAL
            && rd_document_get_referral_id (doc) > 0)
          {
            g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, any ? "," : "",
                                    rd_document_get_referral_id (doc));
            any = TRUE;
          }
    }
  g_string_append_c (ids, '}');

  if (!any)
    {
      rd_transaction_commit_async (data->tx, g_task_get_cancellable (task), on_split_committed, task);
      return;
    }

  received = rd_document_get_received_at (data->original) != NULL
               ? g_date_time_ref (rd_document_get_received_at (data->original))
               : g_date_time_new_now_utc ();
  due = rd_due_compute (received, &target);
  due_s = rd_pg_format_timestamp (due);
  {
    const char *params[] = { ids->str, due_s };

    rd_transaction_query_async (data->tx,
                                "UPDATE rd.referral SET due_at = $2::timestamptz"
                                " WHERE id = ANY ($1::bigint[]) AND due_at IS NULL",
                                params, 2, RD_CONNECTION_TIMEOUT_DEFAULT,
                                g_task_get_cancellable (task), on_split_due_set, task);
  }
}

static void
on_split_filed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  SplitData *data = g_task_get_task_data (task);
  g_autoptr(RdResult) res = NULL;
  GPtrArray *docs;
  GError *error = NULL;

  res = rd_transaction_query_finish (RD_TRANSACTION (source), result, &error);
  if (res == NULL)
    {
      /* The original is locked and visible by now: what is missing is a
       * destination referral. */
      if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND))
        {
          g_clear_error (&error);
          error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                                       _("A referral chosen for a part is closed, was removed, or is in a queue you do not work on. Choose another referral for that part."));
        }
      else if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT))
        {
          g_clear_error (&error);
          error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                                       _("The parts overlap or name pages the document does not have. Check the page ranges."));
        }
      split_fail (task, error);
      return;
    }
  if (rd_result_get_n_rows (res) != (int) data->parts->len)
    {
      split_fail (task, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT,
                                             _("Someone else filed or split this document meanwhile. Nothing was changed; look at the inbox again.")));
      return;
    }

  docs = g_ptr_array_new_full (rd_result_get_n_rows (res), g_object_unref);
  for (int i = 0; i < rd_result_get_n_rows (res); i++)
    g_ptr_array_add (docs, document_from_row (res, i));
  g_object_set_data_full (G_OBJECT (task), "rd-parts", docs, (GDestroyNotify) g_ptr_array_unref);
  split_set_due (task, docs);
}

static const char *
destination_name (RdSplitDestination destination)
{
  switch (destination)
    {
    case RD_SPLIT_TO_NEW_REFERRAL:
      return "new";
    case RD_SPLIT_TO_REFERRAL:
      return "referral";
    case RD_SPLIT_TO_INBOX:
    default:
      return "inbox";
    }
}

static void
split_file_parts (GTask *task)
{
  SplitData *data = g_task_get_task_data (task);
  g_autoptr(GString) plan = g_string_new ("[");
  g_autofree char *id_s = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_id (data->original));
  g_autofree char *version_s = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_version (data->original));
  const char *params[3];

  /* Only numbers and fixed words: the JSON needs no escaping. */
  for (guint i = 0; i < data->parts->len; i++)
    {
      RdSplitPart *part = g_ptr_array_index (data->parts, i);

      g_string_append_printf (plan, "%s{\"document_id\": %" G_GINT64_FORMAT ", \"destination\": \"%s\"",
                              i > 0 ? ", " : "", g_array_index (data->ids, gint64, i),
                              destination_name (part->destination));
      if (part->destination == RD_SPLIT_TO_REFERRAL)
        g_string_append_printf (plan, ", \"referral_id\": %" G_GINT64_FORMAT, part->referral_id);
      g_string_append_c (plan, '}');
    }
  g_string_append_c (plan, ']');

  params[0] = id_s;
  params[1] = version_s;
  params[2] = plan->str;
  rd_transaction_query_async (data->tx,
                              "SELECT d.id, d.version, d.kind, d.file_name, d.media_type, d.pages, d.sha256,"
                              " d.size_bytes AS size, d.received_via, d.received_at, d.status, d.referral_id,"
                              " d.sender, d.subject, d.note, d.queue_id"
                              " FROM rd.split_document($1::bigint, $2::bigint, $3::jsonb) d",
                              params, 3, RD_CONNECTION_TIMEOUT_DEFAULT,
                              g_task_get_cancellable (task), on_split_filed, task);
}

static void
on_split_blob_inserted (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;

  res = rd_transaction_query_finish (RD_TRANSACTION (source), result, &error);
  if (res == NULL)
    {
      split_fail (task, error);
      return;
    }
  split_insert_next (task);
}

static void
on_split_part_inserted (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  SplitData *data = g_task_get_task_data (task);
  RdSplitPart *part = g_ptr_array_index (data->parts, data->next - 1);
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;
  gint64 id;

  res = rd_transaction_query_finish (RD_TRANSACTION (source), result, &error);
  if (res == NULL)
    {
      if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT))
        {
          /* The only likely refusal: the same bytes are on file already. */
          g_clear_error (&error);
          error = g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                               _("Pages %u–%u are already on file as another document. Nothing was changed; leave those pages out of the split."),
                               part->page_from, part->page_to);
        }
      split_fail (task, error);
      return;
    }

  id = rd_result_get_int64 (res, 0, 0);
  g_array_append_val (data->ids, id);
  {
    g_autofree char *id_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
    gsize size = 0;
    const char *bytes = g_bytes_get_data (part->data, &size);
    const char *params[] = { id_s, bytes ? bytes : "" };
    int lengths[] = { 0, (int) size };
    int formats[] = { 0, 1 };

    rd_transaction_query_full_async (data->tx,
                                     "INSERT INTO rd.document_blob (document_id, data) VALUES ($1::bigint, $2::bytea)",
                                     params, lengths, formats, 2, 0,
                                     RD_CONNECTION_TIMEOUT_DEFAULT, g_task_get_cancellable (task),
                                     on_split_blob_inserted, task);
  }
}

static void
split_insert_next (GTask *task)
{
  SplitData *data = g_task_get_task_data (task);
  RdDocument *orig = data->original;
  RdSplitPart *part;
  g_autofree char *sha256 = NULL;
  g_autofree char *pages = NULL;
  g_autofree char *size = NULL;
  g_autofree char *received = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *name = NULL;

  if (data->next >= data->parts->len)
    {
      split_file_parts (task);
      return;
    }

  sha256 = g_strdup (data->sums[data->next]);
  part = g_ptr_array_index (data->parts, data->next++);
  pages = g_strdup_printf ("%u", part->page_to - part->page_from + 1);
  size = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (part->data));
  received = rd_pg_format_timestamp (rd_document_get_received_at (orig));
  queue = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_queue_id (orig));
  parent = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_id (orig));
  from = g_strdup_printf ("%u", part->page_from);
  to = g_strdup_printf ("%u", part->page_to);
  if (part->page_from == part->page_to)
    /* Translators: the file name of a one-page part of a split fax: "fax-0193.pdf, page 3" */
    name = g_strdup_printf (_("%s, page %u"),
                            rd_document_get_file_name (orig) ? rd_document_get_file_name (orig) : _("document"),
                            part->page_from);
  else
    /* Translators: the file name of a part of a split fax: "fax-0193.pdf, pages 3–5" */
    name = g_strdup_printf (_("%s, pages %u–%u"),
                            rd_document_get_file_name (orig) ? rd_document_get_file_name (orig) : _("document"),
                            part->page_from, part->page_to);
  if (g_utf8_strlen (name, -1) > 1000)
    name[g_utf8_offset_to_pointer (name, 1000) - name] = '\0';
  {
    const char *params[] = {
      rd_document_get_kind (orig) ? rd_document_get_kind (orig) : "fax",
      name,
      pages,
      sha256,
      size,
      rd_document_get_received_via (orig) ? rd_document_get_received_via (orig) : "fax",
      received,
      rd_document_get_sender (orig),
      rd_document_get_subject (orig),
      rd_document_get_queue_id (orig) > 0 ? queue : NULL,
      parent,
      from,
      to,
    };

    rd_transaction_query_async (data->tx,
      "INSERT INTO rd.document (kind, file_name, media_type, pages, sha256, size_bytes,"
      " received_via, received_at, sender, subject, queue_id, parent_id, page_from, page_to, status)"
      " VALUES ($1, $2, 'application/pdf', $3::int, $4, $5::bigint, $6,"
      " coalesce($7::timestamptz, now()), $8, $9, $10::bigint, $11::bigint, $12::int, $13::int,"
      " 'unfiled') RETURNING id",
      params, G_N_ELEMENTS (params), RD_CONNECTION_TIMEOUT_DEFAULT,
      g_task_get_cancellable (task), on_split_part_inserted, task);
  }
}

static void
on_split_locked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  SplitData *data = g_task_get_task_data (task);
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;

  res = rd_transaction_query_finish (RD_TRANSACTION (source), result, &error);
  if (res == NULL)
    {
      split_fail (task, error);
      return;
    }
  if (rd_result_get_n_rows (res) == 0)
    {
      split_fail (task, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                                             _("The document was not found, or it is in a queue you do not work on.")));
      return;
    }
  if (rd_result_get_int64 (res, 0, 0) != rd_document_get_version (data->original)
      || g_strcmp0 (rd_result_get_string (res, 0, 1), "unfiled") != 0)
    {
      split_fail (task, g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT,
                                             _("Someone else filed or split this document meanwhile. Nothing was changed; look at the inbox again.")));
      return;
    }
  split_insert_next (task);
}

static void
on_split_begun (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  SplitData *data = g_task_get_task_data (task);
  g_autofree char *id_s = NULL;
  const char *params[1];
  GError *error = NULL;

  data->tx = rd_connection_begin_finish (RD_CONNECTION (source), result, &error);
  if (data->tx == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  /* Lock the original first: two people splitting the same fax wait for
   * each other here, and the second finds it split. */
  id_s = g_strdup_printf ("%" G_GINT64_FORMAT, rd_document_get_id (data->original));
  params[0] = id_s;
  rd_transaction_query_async (data->tx,
                              "SELECT d.version, d.status FROM rd.document d WHERE d.id = $1::bigint FOR UPDATE",
                              params, 1, RD_CONNECTION_TIMEOUT_DEFAULT,
                              g_task_get_cancellable (task), on_split_locked, task);
}

static void
on_split_hashed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  SplitData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->sums = g_task_propagate_pointer (G_TASK (result), &error);
  if (data->sums == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  rd_connection_begin_async (g_task_get_source_object (task), RD_CONNECTION_TIMEOUT_DEFAULT,
                             g_task_get_cancellable (task), on_split_begun, task);
}

/**
 * rd_repo_document_split_async:
 * @conn: a connection
 * @original: the unfiled document, as last read (its id and version are checked)
 * @parts: (element-type RdSplitPart): the parts, each with its PDF and destination
 * @cancellable: (nullable): a cancellable
 * @callback: called with the parts as stored
 * @user_data: data for @callback
 *
 * Splits a document in one transaction: stores the parts (each knows its
 * original and its pages), files each to its destination, and marks the
 * original split (it leaves the inbox, stays readable, and is never
 * deleted). All or nothing: on any error nothing changed. Every row
 * written is audited by the schema's triggers.
 */
void
rd_repo_document_split_async (RdConnection        *conn,
                              RdDocument          *original,
                              GPtrArray           *parts,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  SplitData *data;

  g_return_if_fail (RD_IS_CONNECTION (conn));
  g_return_if_fail (RD_IS_DOCUMENT (original));
  g_return_if_fail (parts != NULL);

  task = g_task_new (conn, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_repo_document_split_async);
  data = g_new0 (SplitData, 1);
  data->original = g_object_ref (original);
  data->parts = g_ptr_array_ref (parts);
  data->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_task_set_task_data (task, data, (GDestroyNotify) split_data_free);

  if (parts->len == 0)
    {
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                               _("No pages were chosen. Give at least one range of pages."));
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < parts->len; i++)
    {
      RdSplitPart *part = g_ptr_array_index (parts, i);

      if (g_bytes_get_size (part->data) > RD_REPO_DOCUMENT_MAX_SIZE)
        {
          g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                                   _("The file is larger than %d MB and was not stored. Ask the sender for a smaller file."),
                                   RD_REPO_DOCUMENT_MAX_SIZE / (1024 * 1024));
          g_object_unref (task);
          return;
        }
    }

  {
    g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

    for (guint i = 0; i < parts->len; i++)
      g_ptr_array_add (blobs, g_bytes_ref (((RdSplitPart *) g_ptr_array_index (parts, i))->data));
    hash_async (blobs, cancellable, on_split_hashed, task);
  }
}

/**
 * rd_repo_document_split_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError: CONFLICT when the document
 *   changed meanwhile, NOT_FOUND when it or a destination referral is not
 *   visible (or the referral is closed), INVALID_INPUT for overlapping pages
 *
 * Returns: (transfer full) (element-type RdDocument): the parts, filed, in
 *   page order
 */
GPtrArray *
rd_repo_document_split_finish (RdConnection  *conn,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_document_split_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
