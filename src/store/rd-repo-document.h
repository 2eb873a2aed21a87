/* rd-repo-document.h — received documents: store once, inbox, audited reads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-model.h"
#include "rd-connection.h"

G_BEGIN_DECLS

/* The largest document accepted (a long fax at high resolution is ~20 MB). */
#define RD_REPO_DOCUMENT_MAX_SIZE (64 * 1024 * 1024)

void        rd_repo_document_insert_async        (RdConnection         *conn,
                                                  RdDocument           *document,
                                                  GBytes               *data,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RdDocument *rd_repo_document_insert_finish       (RdConnection         *conn,
                                                  GAsyncResult         *result,
                                                  gboolean             *out_existing,
                                                  GError              **error);

void        rd_repo_document_list_unfiled_async  (RdConnection         *conn,
                                                  gint64                queue_id,
                                                  guint                 limit,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray  *rd_repo_document_list_unfiled_finish (RdConnection         *conn,
                                                  GAsyncResult         *result,
                                                  GError              **error);

void        rd_repo_document_get_async           (RdConnection         *conn,
                                                  gint64                id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RdDocument *rd_repo_document_get_finish          (RdConnection         *conn,
                                                  GAsyncResult         *result,
                                                  GError              **error);

void        rd_repo_document_read_async          (RdConnection         *conn,
                                                  gint64                id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GBytes     *rd_repo_document_read_finish         (RdConnection         *conn,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
