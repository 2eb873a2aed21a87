/* rd-referral-list.h — the worklist as a paged GListModel of RdReferral
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-connection.h"
#include "rd-listener.h"
#include "rd-referral.h"

G_BEGIN_DECLS

/**
 * RdReferralSort:
 * @RD_REFERRAL_SORT_PRIORITY: most urgent first, then the earliest due, then id
 *   (the order of the schema's worklist index)
 * @RD_REFERRAL_SORT_RECEIVED: most recently received first
 * @RD_REFERRAL_SORT_PATIENT: patient name (case-insensitive, code point order)
 * @RD_REFERRAL_SORT_STATUS: lifecycle stage, then as %RD_REFERRAL_SORT_PRIORITY
 */
typedef enum {
  RD_REFERRAL_SORT_PRIORITY,
  RD_REFERRAL_SORT_RECEIVED,
  RD_REFERRAL_SORT_PATIENT,
  RD_REFERRAL_SORT_STATUS,
} RdReferralSort;

/**
 * RdAssigneeFilter:
 * @RD_ASSIGNEE_ANY: anyone or no one
 * @RD_ASSIGNEE_ME: the signed-in person ("my work")
 * @RD_ASSIGNEE_UNASSIGNED: no one
 * @RD_ASSIGNEE_PERSON: the login named in #RdReferralQuery.assignee_login
 */
typedef enum {
  RD_ASSIGNEE_ANY,
  RD_ASSIGNEE_ME,
  RD_ASSIGNEE_UNASSIGNED,
  RD_ASSIGNEE_PERSON,
} RdAssigneeFilter;

/**
 * RdReferralListState:
 * @RD_REFERRAL_LIST_STATE_IDLE: no connection or filter yet
 * @RD_REFERRAL_LIST_STATE_LOADING: counting and fetching the first rows
 * @RD_REFERRAL_LIST_STATE_READY: rows (possibly none) are known
 * @RD_REFERRAL_LIST_STATE_ERROR: the last load failed; see rd_referral_list_get_error()
 */
typedef enum {
  RD_REFERRAL_LIST_STATE_IDLE,
  RD_REFERRAL_LIST_STATE_LOADING,
  RD_REFERRAL_LIST_STATE_READY,
  RD_REFERRAL_LIST_STATE_ERROR,
} RdReferralListState;

/**
 * RdReferralQuery:
 * @queue_id: one work queue, or 0 for every visible queue
 * @closed_recently: closed in the last 7 days instead of open
 * @overdue: open and past the due time
 * @urgent: priority urgent, ASAP or STAT
 * @status_mask: bit (1 << RdStatus) per wanted status; 0 for all open ones
 *   (all closed ones with @closed_recently)
 * @priority_mask: bit (1 << RdPriority) per wanted priority; 0 for all
 * @assignee: whose work
 * @assignee_login: the login for %RD_ASSIGNEE_PERSON
 * @payer_id: a payer (through the referral's coverage), or 0
 * @channel: "fax", "email", … or %NULL
 * @direction: an RdDirection, or -1 for both
 * @received_from: (nullable): received at or after
 * @received_to: (nullable): received before (exclusive: the start of the
 *   day after the last day wanted; see rd_referral_query_set_received_days())
 * @search: (nullable): patient name fragment, MRN, date of birth, phone or
 *   referral number
 * @sort: the order
 *
 * What the worklist shows. Plain data: copy with rd_referral_query_copy().
 */
typedef struct {
  gint64            queue_id;
  gboolean          closed_recently;
  gboolean          overdue;
  gboolean          urgent;
  guint             status_mask;
  guint             priority_mask;
  RdAssigneeFilter  assignee;
  char             *assignee_login;
  gint64            payer_id;
  char             *channel;
  int               direction;
  GDateTime        *received_from;
  GDateTime        *received_to;
  char             *search;
  RdReferralSort    sort;
} RdReferralQuery;

#define RD_TYPE_REFERRAL_QUERY (rd_referral_query_get_type ())
GType             rd_referral_query_get_type (void) G_GNUC_CONST;
RdReferralQuery *rd_referral_query_new      (void);
RdReferralQuery *rd_referral_query_copy     (const RdReferralQuery *filter);
void              rd_referral_query_free     (RdReferralQuery       *filter);
gboolean          rd_referral_query_equal    (const RdReferralQuery *a,
                                               const RdReferralQuery *b);
void              rd_referral_query_set_received_days (RdReferralQuery *filter,
                                                        const GDate     *first,
                                                        const GDate     *last,
                                                        GTimeZone       *tz);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdReferralQuery, rd_referral_query_free)

#define RD_TYPE_REFERRAL_LIST_STATE (rd_referral_list_state_get_type ())
GType rd_referral_list_state_get_type (void) G_GNUC_CONST;

#define RD_TYPE_REFERRAL_LIST (rd_referral_list_get_type ())
G_DECLARE_FINAL_TYPE (RdReferralList, rd_referral_list, RD, REFERRAL_LIST, GObject)

RdReferralList         *rd_referral_list_new             (RdConnection           *connection);
RdConnection           *rd_referral_list_get_connection  (RdReferralList         *self);
void                    rd_referral_list_set_connection  (RdReferralList         *self,
                                                          RdConnection           *connection);
const RdReferralQuery *rd_referral_list_get_filter      (RdReferralList         *self);
void                    rd_referral_list_set_filter      (RdReferralList         *self,
                                                          const RdReferralQuery *filter);
void                    rd_referral_list_set_page_size   (RdReferralList         *self,
                                                          guint                   page_size);
RdReferralListState     rd_referral_list_get_state       (RdReferralList         *self);
const GError           *rd_referral_list_get_error       (RdReferralList         *self);
gboolean                rd_referral_list_get_busy        (RdReferralList         *self);
gboolean                rd_referral_list_get_count_exact (RdReferralList         *self);
guint                   rd_referral_list_get_n_loaded    (RdReferralList         *self);
void                    rd_referral_list_reload          (RdReferralList         *self);
void                    rd_referral_list_resync          (RdReferralList         *self);
void                    rd_referral_list_row_changed     (RdReferralList         *self,
                                                          gint64                  referral_id);
void                    rd_referral_list_follow          (RdReferralList         *self,
                                                          RdListener             *listener);
gboolean                rd_referral_is_placeholder       (RdReferral             *referral);

G_END_DECLS
