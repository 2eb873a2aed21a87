/* rd-local-cluster.h — the private PostgreSQL cluster of "Use this computer only"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-profile.h"

G_BEGIN_DECLS

#define RD_LOCAL_CLUSTER_ERROR (rd_local_cluster_error_quark ())

/**
 * RdLocalClusterError:
 * @RD_LOCAL_CLUSTER_ERROR_FAILED: anything not listed below
 * @RD_LOCAL_CLUSTER_ERROR_SERVER_MISSING: the PostgreSQL server programs are not
 *   installed (the message names the Debian package)
 * @RD_LOCAL_CLUSTER_ERROR_NO_SERVICE_ACCOUNT: running as root, but the `postgres`
 *   system account or `runuser` is missing
 * @RD_LOCAL_CLUSTER_ERROR_DIRECTORY: a directory could not be created or is not safe
 *   (wrong owner, a symbolic link, writable by others, path too long for a socket)
 * @RD_LOCAL_CLUSTER_ERROR_INIT_FAILED: `initdb` failed
 * @RD_LOCAL_CLUSTER_ERROR_START_FAILED: the server did not start
 * @RD_LOCAL_CLUSTER_ERROR_STOP_FAILED: the server did not stop
 *
 * Messages are translated and meant to be shown.
 */
typedef enum {
  RD_LOCAL_CLUSTER_ERROR_FAILED,
  RD_LOCAL_CLUSTER_ERROR_SERVER_MISSING,
  RD_LOCAL_CLUSTER_ERROR_NO_SERVICE_ACCOUNT,
  RD_LOCAL_CLUSTER_ERROR_DIRECTORY,
  RD_LOCAL_CLUSTER_ERROR_INIT_FAILED,
  RD_LOCAL_CLUSTER_ERROR_START_FAILED,
  RD_LOCAL_CLUSTER_ERROR_STOP_FAILED,
} RdLocalClusterError;

/**
 * RdLocalClusterStartResult:
 * @RD_LOCAL_CLUSTER_STARTED: this call started the server
 * @RD_LOCAL_CLUSTER_CREATED: this call created the cluster (initdb), then started it
 * @RD_LOCAL_CLUSTER_REUSED: the server was already running (another instance)
 * @RD_LOCAL_CLUSTER_RECOVERED: a lock file left by a crash was cleared, then the
 *   server started
 */
typedef enum {
  RD_LOCAL_CLUSTER_STARTED   = 1 << 0,
  RD_LOCAL_CLUSTER_CREATED   = 1 << 1,
  RD_LOCAL_CLUSTER_REUSED    = 1 << 2,
  RD_LOCAL_CLUSTER_RECOVERED = 1 << 3,
} RdLocalClusterStartResult;

#define RD_LOCAL_CLUSTER_DATABASE "referral_desk"
#define RD_LOCAL_CLUSTER_PORT     5432

#define RD_TYPE_LOCAL_CLUSTER (rd_local_cluster_get_type ())

G_DECLARE_FINAL_TYPE (RdLocalCluster, rd_local_cluster, RD, LOCAL_CLUSTER, GObject)

GQuark                    rd_local_cluster_error_quark    (void);

RdLocalCluster           *rd_local_cluster_new            (void);

const char               *rd_local_cluster_get_data_dir   (RdLocalCluster       *self);
const char               *rd_local_cluster_get_socket_dir (RdLocalCluster       *self);
guint                     rd_local_cluster_get_port       (RdLocalCluster       *self);
const char               *rd_local_cluster_get_user       (RdLocalCluster       *self);
gboolean                  rd_local_cluster_get_running    (RdLocalCluster       *self);
char                     *rd_local_cluster_get_conninfo   (RdLocalCluster       *self);
RdProfile                *rd_local_cluster_dup_profile    (RdLocalCluster       *self);
gboolean                  rd_local_cluster_is_own_host    (RdLocalCluster       *self,
                                                           const char           *host);

void                      rd_local_cluster_start_async    (RdLocalCluster       *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean                  rd_local_cluster_start_finish   (RdLocalCluster       *self,
                                                           GAsyncResult         *result,
                                                           RdLocalClusterStartResult *out_result,
                                                           GError              **error);

void                      rd_local_cluster_stop_async     (RdLocalCluster       *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean                  rd_local_cluster_stop_finish    (RdLocalCluster       *self,
                                                           GAsyncResult         *result,
                                                           gboolean             *out_stopped,
                                                           GError              **error);

G_END_DECLS
