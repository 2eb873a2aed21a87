/* rd-listener.h — change notifications from the database, on the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-connection.h"

G_BEGIN_DECLS

#define RD_LISTENER_DEFAULT_CHANNEL "rd_changes"

#define RD_TYPE_LISTENER (rd_listener_get_type ())
G_DECLARE_FINAL_TYPE (RdListener, rd_listener, RD, LISTENER, GObject)

RdListener   *rd_listener_new              (const char           *conninfo);
RdListener   *rd_listener_new_for_channel  (const char           *conninfo,
                                            const char           *channel);
RdConnection *rd_listener_get_connection   (RdListener           *self);
const char   *rd_listener_get_channel      (RdListener           *self);

void          rd_listener_start_async      (RdListener           *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean      rd_listener_start_finish     (RdListener           *self,
                                            GAsyncResult         *result,
                                            GError              **error);

gboolean      rd_listener_parse_payload    (const char           *payload,
                                            char                **table,
                                            gint64               *id,
                                            gint64               *version,
                                            char                **op);

G_END_DECLS
