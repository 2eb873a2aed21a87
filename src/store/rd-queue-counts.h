/* rd-queue-counts.h — the sidebar's live counts, in one query, as the signed-in person
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-connection.h"
#include "rd-listener.h"

G_BEGIN_DECLS

/**
 * RdCountKind:
 * @RD_COUNT_MY_WORK: open referrals assigned to me
 * @RD_COUNT_INBOX: unfiled documents in my queues' inboxes
 * @RD_COUNT_QUEUE: open referrals of one work queue
 * @RD_COUNT_OVERDUE: open and past due, in all my queues
 * @RD_COUNT_URGENT: open and urgent, ASAP or STAT, in all my queues
 * @RD_COUNT_CLOSED_RECENTLY: closed in the last 7 days
 */
typedef enum {
  RD_COUNT_MY_WORK,
  RD_COUNT_INBOX,
  RD_COUNT_QUEUE,
  RD_COUNT_OVERDUE,
  RD_COUNT_URGENT,
  RD_COUNT_CLOSED_RECENTLY,
} RdCountKind;

/**
 * RdCountEntry:
 * @kind: what is counted
 * @queue_id: the queue, for %RD_COUNT_QUEUE
 * @queue_name: (nullable): its name
 * @team_name: (nullable): its team
 * @total: how many (open ones, or documents, or closed ones)
 * @overdue: of those, past due
 * @urgent: of those, urgent, ASAP or STAT
 */
typedef struct {
  RdCountKind  kind;
  gint64       queue_id;
  char        *queue_name;
  char        *team_name;
  gint64       total;
  gint64       overdue;
  gint64       urgent;
} RdCountEntry;

#define RD_TYPE_QUEUE_COUNTS (rd_queue_counts_get_type ())
G_DECLARE_FINAL_TYPE (RdQueueCounts, rd_queue_counts, RD, QUEUE_COUNTS, GObject)

RdQueueCounts      *rd_queue_counts_new            (RdConnection   *connection);
void                rd_queue_counts_set_connection (RdQueueCounts  *self,
                                                    RdConnection   *connection);
void                rd_queue_counts_follow         (RdQueueCounts  *self,
                                                    RdListener     *listener);
void                rd_queue_counts_refresh        (RdQueueCounts  *self);
void                rd_queue_counts_set_debounce   (RdQueueCounts  *self,
                                                    guint           ms);
gboolean            rd_queue_counts_is_loaded      (RdQueueCounts  *self);
const GError       *rd_queue_counts_get_error      (RdQueueCounts  *self);
guint               rd_queue_counts_get_n_entries  (RdQueueCounts  *self);
const RdCountEntry *rd_queue_counts_get_entry      (RdQueueCounts  *self,
                                                    guint           index);
const RdCountEntry *rd_queue_counts_lookup         (RdQueueCounts  *self,
                                                    RdCountKind     kind,
                                                    gint64          queue_id);
guint               rd_queue_counts_get_n_refreshes (RdQueueCounts *self);

G_END_DECLS
