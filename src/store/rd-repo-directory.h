/* rd-repo-directory.h — the provider directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-model.h"
#include "rd-connection.h"

G_BEGIN_DECLS

void        rd_repo_directory_search_providers_async  (RdConnection         *conn,
                                                       const char           *query,
                                                       const char           *specialty,
                                                       guint                 limit,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
GPtrArray  *rd_repo_directory_search_providers_finish (RdConnection         *conn,
                                                       GAsyncResult         *result,
                                                       GError              **error);

void        rd_repo_directory_get_provider_async      (RdConnection         *conn,
                                                       gint64                id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
RdProvider *rd_repo_directory_get_provider_finish     (RdConnection         *conn,
                                                       GAsyncResult         *result,
                                                       GError              **error);

void        rd_repo_directory_find_by_fax_async       (RdConnection         *conn,
                                                       const char           *fax,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
GPtrArray  *rd_repo_directory_find_by_fax_finish      (RdConnection         *conn,
                                                       GAsyncResult         *result,
                                                       GError              **error);

void        rd_repo_directory_add_provider_async      (RdConnection         *conn,
                                                       RdProvider           *provider,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
RdProvider *rd_repo_directory_add_provider_finish     (RdConnection         *conn,
                                                       GAsyncResult         *result,
                                                       gboolean             *out_existed,
                                                       GError              **error);

G_END_DECLS
