/* rd-inbox-watcher.h — a fax/scanner folder: each finished PDF or TIFF once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-connection.h"
#include "rd-intake-file.h"

G_BEGIN_DECLS

/* The largest file taken from the folder; a larger one is rejected. */
#define RD_INBOX_MAX_FILE_SIZE (64 * 1024 * 1024)
/* How often the folder is listed again by default, in seconds. */
#define RD_INBOX_DEFAULT_RESCAN_SECONDS 20
/* A file that stays incomplete this many settle times is rejected. */
#define RD_INBOX_INCOMPLETE_SETTLE_TIMES 10

#define RD_TYPE_INBOX_WATCHER (rd_inbox_watcher_get_type ())
G_DECLARE_FINAL_TYPE (RdInboxWatcher, rd_inbox_watcher, RD, INBOX_WATCHER, GObject)

RdInboxWatcher *rd_inbox_watcher_new              (RdConnection         *conn,
                                                   GFile                *folder,
                                                   const char           *received_via);
void            rd_inbox_watcher_set_settle_time  (RdInboxWatcher       *self,
                                                   guint                 milliseconds);
void            rd_inbox_watcher_set_rescan_seconds (RdInboxWatcher     *self,
                                                   guint                 seconds);
guint           rd_inbox_watcher_get_rescan_seconds (RdInboxWatcher     *self);
gboolean        rd_inbox_watcher_start            (RdInboxWatcher       *self,
                                                   GError              **error);
void            rd_inbox_watcher_start_async      (RdInboxWatcher       *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        rd_inbox_watcher_start_finish     (RdInboxWatcher       *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void            rd_inbox_watcher_stop             (RdInboxWatcher       *self);
gboolean        rd_inbox_watcher_is_idle          (RdInboxWatcher       *self);

G_END_DECLS
