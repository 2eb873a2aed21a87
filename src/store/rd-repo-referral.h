/* rd-repo-referral.h — referrals: the worklist, one referral, saving, claims
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-model.h"
#include "rd-connection.h"

G_BEGIN_DECLS

/**
 * RdReferralFilter:
 * @queue_id: a work queue, or 0 for every visible queue
 * @statuses: (nullable): the states to show, or %NULL for the open ones
 * @n_statuses: the length of @statuses
 * @priority: an #RdPriority, or -1 for any
 * @assignee: (nullable): a login name; "" means unassigned; %NULL any
 * @direction: an #RdDirection, or -1 for any
 * @channel: (nullable): "fax", "email", …, or %NULL for any
 * @payer_id: a payer, or 0 for any
 * @received_from: (nullable): received at or after
 * @received_to: (nullable): received before
 * @search: (nullable): a referral number, or part of the patient's name
 *
 * What the worklist shows. Zero-initialise, then set what matters
 * (rd_referral_filter_init() sets the "any" values).
 */
typedef struct {
  gint64          queue_id;
  const RdStatus *statuses;
  guint           n_statuses;
  int             priority;
  const char     *assignee;
  int             direction;
  const char     *channel;
  gint64          payer_id;
  GDateTime      *received_from;
  GDateTime      *received_to;
  const char     *search;
} RdReferralFilter;

/**
 * RdReferralCursor:
 * @priority: the priority of the last row shown
 * @due_at: (nullable): its due time
 * @id: its id; 0 for the first page
 *
 * Where a page ended: the worklist is ordered by priority (most urgent
 * first), due time (soonest first, none last) and id, like the schema's
 * worklist index.
 */
typedef struct {
  int        priority;
  GDateTime *due_at;
  gint64     id;
} RdReferralCursor;

void        rd_referral_filter_init            (RdReferralFilter       *filter);
void        rd_referral_cursor_set_from        (RdReferralCursor       *cursor,
                                                RdReferral             *last);
void        rd_referral_cursor_clear           (RdReferralCursor       *cursor);

void        rd_repo_referral_list_async        (RdConnection           *conn,
                                                const RdReferralFilter *filter,
                                                const RdReferralCursor *after,
                                                guint                   limit,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
GPtrArray  *rd_repo_referral_list_finish       (RdConnection           *conn,
                                                GAsyncResult           *result,
                                                GError                **error);

void        rd_repo_referral_get_async         (RdConnection           *conn,
                                                gint64                  id,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
RdReferral *rd_repo_referral_get_finish        (RdConnection           *conn,
                                                GAsyncResult           *result,
                                                GError                **error);

void        rd_repo_referral_create_async      (RdConnection           *conn,
                                                RdReferral             *referral,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
RdReferral *rd_repo_referral_create_finish     (RdConnection           *conn,
                                                GAsyncResult           *result,
                                                GError                **error);

void        rd_repo_referral_save_async        (RdConnection           *conn,
                                                RdReferral             *referral,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
RdReferral *rd_repo_referral_save_finish       (RdConnection           *conn,
                                                GAsyncResult           *result,
                                                RdReferral            **out_current,
                                                GError                **error);

void        rd_repo_referral_transition_async  (RdConnection           *conn,
                                                gint64                  id,
                                                gint64                  version,
                                                RdStatus                status,
                                                const char             *reason,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
RdReferral *rd_repo_referral_transition_finish (RdConnection           *conn,
                                                GAsyncResult           *result,
                                                RdReferral            **out_current,
                                                GError                **error);

void        rd_repo_referral_assign_async      (RdConnection           *conn,
                                                gint64                  id,
                                                gint64                  version,
                                                const char             *assignee,
                                                gint64                  queue_id,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
RdReferral *rd_repo_referral_assign_finish     (RdConnection           *conn,
                                                GAsyncResult           *result,
                                                RdReferral            **out_current,
                                                GError                **error);

void        rd_repo_referral_claim_async       (RdConnection           *conn,
                                                gint64                  id,
                                                guint                   lease_seconds,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
RdReferral *rd_repo_referral_claim_finish      (RdConnection           *conn,
                                                GAsyncResult           *result,
                                                RdReferral            **out_current,
                                                GError                **error);

void        rd_repo_referral_release_async     (RdConnection           *conn,
                                                gint64                  id,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
gboolean    rd_repo_referral_release_finish    (RdConnection           *conn,
                                                GAsyncResult           *result,
                                                GError                **error);

void        rd_repo_referral_next_async        (RdConnection           *conn,
                                                gint64                  queue_id,
                                                guint                   lease_seconds,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
RdReferral *rd_repo_referral_next_finish       (RdConnection           *conn,
                                                GAsyncResult           *result,
                                                GError                **error);

G_END_DECLS
