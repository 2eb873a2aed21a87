/* rd-intake-folder.h — the files a folder or a Maildir holds for import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A folder is read up to this many files; the rest wait for the next run. */
#define RD_INTAKE_FOLDER_MAX_FILES 10000

gboolean    rd_intake_folder_is_maildir (GFile                *folder);
GListModel *rd_intake_list_folder       (GFile                *folder,
                                         gboolean             *out_is_maildir,
                                         GCancellable         *cancellable,
                                         GError              **error);
void        rd_intake_list_folder_async (GFile                *folder,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
GListModel *rd_intake_list_folder_finish (GAsyncResult        *result,
                                          gboolean            *out_is_maildir,
                                          GError             **error);

G_END_DECLS
