/* rd-test-cluster.h — a private PostgreSQL cluster for one test, when the
 * shared test server's settings (trust, no TLS) are not what is tested
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RdTestCluster RdTestCluster;

typedef enum {
  RD_TEST_CLUSTER_SOCKET_ONLY = 0,
  RD_TEST_CLUSTER_TCP         = 1 << 0,  /* also listen on 127.0.0.1 */
  RD_TEST_CLUSTER_SSL         = 1 << 1,  /* self-signed certificate for "localhost" */
} RdTestClusterFlags;

/* Starts a cluster whose superuser "rdtest" may always connect over the
 * socket without a password; every other connection needs a SCRAM password.
 * Skips the test (returns NULL) when the server binaries are missing. */
RdTestCluster *rd_test_cluster_start     (RdTestClusterFlags flags);
void           rd_test_cluster_stop      (RdTestCluster *cluster);
const char    *rd_test_cluster_get_socket_dir (RdTestCluster *cluster);
int            rd_test_cluster_get_port  (RdTestCluster *cluster);
/* The CA file that signed the server certificate (SSL clusters). */
const char    *rd_test_cluster_get_ca_file (RdTestCluster *cluster);
/* Runs @sql as the superuser in database "postgres"; asserts success. */
void           rd_test_cluster_exec      (RdTestCluster *cluster,
                                          const char    *sql);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdTestCluster, rd_test_cluster_stop)

G_END_DECLS
