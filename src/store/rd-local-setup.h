/* rd-local-setup.h — first start on this computer: schema and the one person
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The team and queue a person working alone starts with. */
#define RD_LOCAL_TEAM  "Front office"
#define RD_LOCAL_QUEUE "Intake"

char     *rd_local_setup_login_for_user (const char          *os_user);

void      rd_local_setup_async          (const char          *admin_conninfo,
                                         const char          *login,
                                         const char          *display_name,
                                         const char          *password,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  rd_local_setup_finish         (GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
