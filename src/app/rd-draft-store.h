/* rd-draft-store.h — unsaved form input kept on this computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RD_TYPE_DRAFT_STORE (rd_draft_store_get_type ())
G_DECLARE_FINAL_TYPE (RdDraftStore, rd_draft_store, RD, DRAFT_STORE, GObject)

RdDraftStore *rd_draft_store_new             (const char           *directory);
RdDraftStore *rd_draft_store_get_default     (void);
const char   *rd_draft_store_get_directory   (RdDraftStore         *self);
gboolean      rd_draft_store_key_is_valid    (const char           *key);

void          rd_draft_store_save_async      (RdDraftStore         *self,
                                              const char           *key,
                                              GVariant             *draft,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean      rd_draft_store_save_finish     (RdDraftStore         *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void          rd_draft_store_load_async      (RdDraftStore         *self,
                                              const char           *key,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
GVariant     *rd_draft_store_load_finish     (RdDraftStore         *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void          rd_draft_store_delete_async    (RdDraftStore         *self,
                                              const char           *key,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean      rd_draft_store_delete_finish   (RdDraftStore         *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void          rd_draft_store_find_newest_async  (RdDraftStore      *self,
                                                 const char        *prefix,
                                                 GCancellable      *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer           user_data);
char         *rd_draft_store_find_newest_finish (RdDraftStore      *self,
                                                 GAsyncResult      *result,
                                                 GError           **error);

G_END_DECLS
