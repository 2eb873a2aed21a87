/* rd-connection.h — an asynchronous PostgreSQL connection on the main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-result.h"

G_BEGIN_DECLS

/**
 * RdConnectionState:
 * @RD_CONNECTION_STATE_CLOSED: not opened yet, or given up (see
 *   rd_connection_get_error())
 * @RD_CONNECTION_STATE_CONNECTING: resolving, connecting or setting up the
 *   session
 * @RD_CONNECTION_STATE_READY: connected; queries run
 * @RD_CONNECTION_STATE_BROKEN: the connection dropped; waiting for the next
 *   reconnect attempt
 */
typedef enum {
  RD_CONNECTION_STATE_CLOSED,
  RD_CONNECTION_STATE_CONNECTING,
  RD_CONNECTION_STATE_READY,
  RD_CONNECTION_STATE_BROKEN,
} RdConnectionState;

#define RD_TYPE_CONNECTION_STATE (rd_connection_state_get_type ())
GType rd_connection_state_get_type (void) G_GNUC_CONST;

/* Timeout values for queries. */
#define RD_CONNECTION_TIMEOUT_DEFAULT (-1)
#define RD_CONNECTION_TIMEOUT_NONE    0

#define RD_TYPE_CONNECTION (rd_connection_get_type ())
G_DECLARE_FINAL_TYPE (RdConnection, rd_connection, RD, CONNECTION, GObject)

#define RD_TYPE_TRANSACTION (rd_transaction_get_type ())
G_DECLARE_FINAL_TYPE (RdTransaction, rd_transaction, RD, TRANSACTION, GObject)

RdConnection      *rd_connection_new                 (const char           *conninfo);
void               rd_connection_add_session_statement (RdConnection       *self,
                                                      const char           *sql);
RdConnectionState  rd_connection_get_state           (RdConnection         *self);
const GError      *rd_connection_get_error           (RdConnection         *self);
int                rd_connection_get_backend_pid     (RdConnection         *self);
int                rd_connection_get_server_version  (RdConnection         *self);
guint              rd_connection_get_default_timeout (RdConnection         *self);
void               rd_connection_set_default_timeout (RdConnection         *self,
                                                      guint                 timeout_ms);
void               rd_connection_set_backoff         (RdConnection         *self,
                                                      guint                 initial_ms,
                                                      guint                 max_ms);
void               rd_connection_reconnect_now       (RdConnection         *self);
void               rd_connection_close               (RdConnection         *self);

void               rd_connection_open_async          (RdConnection         *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean           rd_connection_open_finish         (RdConnection         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

void               rd_connection_query_async         (RdConnection         *self,
                                                      const char           *sql,
                                                      const char * const   *params,
                                                      int                   n_params,
                                                      int                   timeout_ms,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
void               rd_connection_query_full_async    (RdConnection         *self,
                                                      const char           *sql,
                                                      const char * const   *params,
                                                      const int            *lengths,
                                                      const int            *formats,
                                                      int                   n_params,
                                                      int                   result_format,
                                                      int                   timeout_ms,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
RdResult          *rd_connection_query_finish        (RdConnection         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

void               rd_connection_begin_async         (RdConnection         *self,
                                                      int                   timeout_ms,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
RdTransaction     *rd_connection_begin_finish        (RdConnection         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

RdConnection      *rd_transaction_get_connection     (RdTransaction        *self);
gboolean           rd_transaction_is_finished        (RdTransaction        *self);
void               rd_transaction_query_async        (RdTransaction        *self,
                                                      const char           *sql,
                                                      const char * const   *params,
                                                      int                   n_params,
                                                      int                   timeout_ms,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
void               rd_transaction_query_full_async   (RdTransaction        *self,
                                                      const char           *sql,
                                                      const char * const   *params,
                                                      const int            *lengths,
                                                      const int            *formats,
                                                      int                   n_params,
                                                      int                   result_format,
                                                      int                   timeout_ms,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
RdResult          *rd_transaction_query_finish       (RdTransaction        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void               rd_transaction_commit_async       (RdTransaction        *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean           rd_transaction_commit_finish      (RdTransaction        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void               rd_transaction_rollback_async     (RdTransaction        *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean           rd_transaction_rollback_finish    (RdTransaction        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

GError            *rd_store_error_from_pg_result     (const PGresult       *res,
                                                      gboolean              cancelled,
                                                      gboolean              timed_out);

G_END_DECLS
