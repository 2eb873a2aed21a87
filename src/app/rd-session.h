/* rd-session.h — who is signed in, and the connection they work through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-connection.h"
#include "rd-listener.h"

G_BEGIN_DECLS

typedef enum {
  RD_SESSION_SIGNED_OUT,
  RD_SESSION_CONNECTING,
  RD_SESSION_READY,
  RD_SESSION_RECONNECTING,
} RdSessionState;

/**
 * RdInboxStatus:
 * @RD_INBOX_STATUS_OFF: no folder is set, watching is off, nobody is signed
 *   in or the window is locked
 * @RD_INBOX_STATUS_STARTING: the folder and a connection are being opened
 * @RD_INBOX_STATUS_WATCHING: new files are imported as they arrive
 * @RD_INBOX_STATUS_FAILED: the folder cannot be watched (see the error); it
 *   is tried again shortly
 */
typedef enum {
  RD_INBOX_STATUS_OFF,
  RD_INBOX_STATUS_STARTING,
  RD_INBOX_STATUS_WATCHING,
  RD_INBOX_STATUS_FAILED,
} RdInboxStatus;

#define RD_TYPE_SESSION (rd_session_get_type ())
G_DECLARE_FINAL_TYPE (RdSession, rd_session, RD, SESSION, GObject)

RdSession      *rd_session_new                   (void);
RdSessionState  rd_session_get_state             (RdSession           *self);
RdConnection   *rd_session_get_connection        (RdSession           *self);
RdListener     *rd_session_get_listener          (RdSession           *self);
gboolean        rd_session_get_is_lead           (RdSession           *self);
const char     *rd_session_get_login             (RdSession           *self);
const char     *rd_session_get_display_name      (RdSession           *self);
const char     *rd_session_get_conninfo          (RdSession           *self);

void            rd_session_sign_in_async         (RdSession           *self,
                                                  const char          *conninfo,
                                                  const char          *password,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean        rd_session_sign_in_finish        (RdSession           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
void            rd_session_check_password_async  (RdSession           *self,
                                                  const char          *password,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean        rd_session_check_password_finish (RdSession           *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
void            rd_session_sign_out              (RdSession           *self);

void            rd_session_set_profile_name      (RdSession           *self,
                                                  const char          *name);
const char     *rd_session_get_profile_name      (RdSession           *self);
void            rd_session_set_inbox_paused      (RdSession           *self,
                                                  gboolean             paused);
RdInboxStatus   rd_session_get_inbox_status      (RdSession           *self);
const char     *rd_session_get_inbox_folder      (RdSession           *self);
const char     *rd_session_get_inbox_error       (RdSession           *self);
guint           rd_session_get_inbox_imported_today (RdSession        *self);

G_END_DECLS
