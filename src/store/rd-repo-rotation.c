/* rd-repo-rotation.c — how each page of a stored document is turned
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A document is named by its SHA-256 (what the viewer knows of it), so the
 * viewer needs no document id. Row-level security (0010_page_rotation.sql)
 * lets a person read and turn pages of exactly the documents they see; for
 * any other document nothing is found and nothing is written.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-repo-rotation.h"
#include "rd-repo-common.h"
#include "rd-store-error.h"

#define LIST_SQL                                                            \
  "SELECT r.page, r.degrees FROM rd.page_rotation r "                       \
  "JOIN rd.document d ON d.id = r.document_id "                             \
  "WHERE d.sha256 = $1 ORDER BY r.page"

#define SET_SQL                                                             \
  "INSERT INTO rd.page_rotation (document_id, page, degrees) "              \
  "SELECT d.id, $2::integer, $3::integer FROM rd.document d "               \
  "WHERE d.sha256 = $1 "                                                    \
  "ON CONFLICT (document_id, page) DO UPDATE SET degrees = EXCLUDED.degrees " \
  "RETURNING id"

static gboolean
sha256_is_valid (const char *sha256)
{
  if (sha256 == NULL || strlen (sha256) != 64)
    return FALSE;
  for (const char *p = sha256; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;
  GArray *rotations;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  rotations = g_array_new (FALSE, TRUE, sizeof (RdPageRotation));
  for (int i = 0; i < rd_result_get_n_rows (res); i++)
    {
      RdPageRotation r = {
        .page = (guint) rd_result_get_int64 (res, i, 0),
        .degrees = (int) rd_result_get_int64 (res, i, 1),
      };

      g_array_append_val (rotations, r);
    }
  g_task_return_pointer (task, rotations, (GDestroyNotify) g_array_unref);
}

/**
 * rd_repo_rotation_list_async:
 * @conn: a connection
 * @sha256: the document's SHA-256 in lower-case hex
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rotations
 * @user_data: data for @callback
 *
 * Reads the rotations stored for a document's pages. A document that is
 * not stored, or that the user may not see, has none.
 */
void
rd_repo_rotation_list_async (RdConnection        *conn,
                             const char          *sha256,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *params[] = { sha256 };

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = g_task_new (conn, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_repo_rotation_list_async);

  if (!sha256_is_valid (sha256))
    {
      g_task_return_pointer (task, g_array_new (FALSE, TRUE, sizeof (RdPageRotation)),
                             (GDestroyNotify) g_array_unref);
      return;
    }

  rd_connection_query_async (conn, LIST_SQL, params, 1, RD_CONNECTION_TIMEOUT_DEFAULT,
                             cancellable, on_listed, g_steal_pointer (&task));
}

/**
 * rd_repo_rotation_list_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (element-type RdPageRotation): the stored
 *   rotations by page, or %NULL on error
 */
GArray *
rd_repo_rotation_list_finish (RdConnection  *conn,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_rotation_list_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_set (GObject      *source,
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
    g_task_return_boolean (task, TRUE);
}

/**
 * rd_repo_rotation_set_async:
 * @conn: a connection
 * @sha256: the document's SHA-256 in lower-case hex
 * @page: page index from 0
 * @degrees: clockwise degrees, a multiple of 90 (taken modulo 360)
 * @cancellable: (nullable): a cancellable
 * @callback: called when stored
 * @user_data: data for @callback
 *
 * Stores how a page is turned, for everyone who sees the document. Fails
 * with %RD_STORE_ERROR_NOT_FOUND when the document is not stored or the
 * user may not see it.
 */
void
rd_repo_rotation_set_async (RdConnection        *conn,
                            const char          *sha256,
                            guint                page,
                            int                  degrees,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(RdParams) params = rd_params_new ();

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = g_task_new (conn, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_repo_rotation_set_async);

  degrees = ((degrees % 360) + 360) % 360;
  if (degrees % 90 != 0)
    {
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT,
                               _("A page can only be turned by a quarter, half or three quarters of a turn."));
      return;
    }
  if (!sha256_is_valid (sha256))
    {
      /* No stored document has such a checksum. */
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                               _("The document was not found, or it is in a queue you do not work on."));
      return;
    }

  rd_params_add (params, sha256);
  rd_params_add_int64 (params, page);
  rd_params_add_int64 (params, degrees);
  rd_connection_query_async (conn, SET_SQL, rd_params_values (params), rd_params_count (params),
                             RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_set,
                             g_steal_pointer (&task));
}

/**
 * rd_repo_rotation_set_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: %TRUE when the rotation is stored
 */
gboolean
rd_repo_rotation_set_finish (RdConnection  *conn,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_rotation_set_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
