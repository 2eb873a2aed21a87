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

/**
 * RdSplitDestination:
 * @RD_SPLIT_TO_NEW_REFERRAL: a new referral in NEW, in the original's queue
 * @RD_SPLIT_TO_REFERRAL: an existing, open referral
 * @RD_SPLIT_TO_INBOX: back into the inbox, to be filed later
 *
 * Where a part of a split document goes.
 */
typedef enum {
  RD_SPLIT_TO_NEW_REFERRAL,
  RD_SPLIT_TO_REFERRAL,
  RD_SPLIT_TO_INBOX,
} RdSplitDestination;

/**
 * RdSplitPart:
 * @page_from: first page of the original, from 1
 * @page_to: last page, inclusive
 * @destination: where the part goes
 * @referral_id: the referral, for %RD_SPLIT_TO_REFERRAL
 * @data: the part's PDF (made with rd_pdf_split_async())
 *
 * One part of a split document.
 */
typedef struct
{
  guint               page_from;
  guint               page_to;
  RdSplitDestination  destination;
  gint64              referral_id;
  GBytes             *data;
} RdSplitPart;

RdSplitPart *rd_split_part_new                  (guint                 page_from,
                                                 guint                 page_to,
                                                 RdSplitDestination    destination,
                                                 gint64                referral_id,
                                                 GBytes               *data);
void         rd_split_part_free                 (RdSplitPart          *part);

void        rd_repo_document_split_async         (RdConnection         *conn,
                                                  RdDocument           *original,
                                                  GPtrArray            *parts,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray  *rd_repo_document_split_finish        (RdConnection         *conn,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdSplitPart, rd_split_part_free)

G_END_DECLS
