/* rd-repo-rotation.h — how each page of a stored document is turned
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-connection.h"

G_BEGIN_DECLS

/**
 * RdPageRotation:
 * @page: page index from 0
 * @degrees: clockwise quarter turns in degrees: 0, 90, 180 or 270
 *
 * One page's rotation, as stored.
 */
typedef struct {
  guint page;
  int   degrees;
} RdPageRotation;

void      rd_repo_rotation_list_async  (RdConnection         *conn,
                                        const char           *sha256,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
GArray   *rd_repo_rotation_list_finish (RdConnection         *conn,
                                        GAsyncResult         *result,
                                        GError              **error);

void      rd_repo_rotation_set_async   (RdConnection         *conn,
                                        const char           *sha256,
                                        guint                 page,
                                        int                   degrees,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean  rd_repo_rotation_set_finish  (RdConnection         *conn,
                                        GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
