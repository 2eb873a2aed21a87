/* rd-lifecycle.h — the referral lifecycle: states, allowed transitions, actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * RdStatus:
 *
 * The states of a referral (DESIGN.md §5). The numeric values are stable only
 * inside one process; the database stores the lowercase names returned by
 * rd_status_to_string().
 */
typedef enum {
  RD_STATUS_NEW,
  RD_STATUS_TRIAGE,
  RD_STATUS_PENDING_INFO,
  RD_STATUS_PENDING_AUTH,
  RD_STATUS_ACCEPTED,
  RD_STATUS_SCHEDULED,
  RD_STATUS_NO_SHOW,
  RD_STATUS_SEEN,
  RD_STATUS_COMPLETED,
  RD_STATUS_DECLINED,
  RD_STATUS_CANCELLED,
  RD_STATUS_EXPIRED,
  RD_N_STATUSES
} RdStatus;

typedef enum {
  RD_DIRECTION_INCOMING,
  RD_DIRECTION_OUTGOING,
} RdDirection;

/**
 * RdTransitionNeeds:
 *
 * What a person must give to take a transition.
 */
typedef enum {
  RD_NEEDS_NOTHING     = 0,
  RD_NEEDS_REASON      = 1 << 0,
  RD_NEEDS_APPOINTMENT = 1 << 1,
  RD_NEEDS_NEW_WINDOW  = 1 << 2,
} RdTransitionNeeds;

typedef struct {
  RdStatus          from;
  RdStatus          to;
  RdTransitionNeeds needs;
  /* Untranslated (N_()) labels; pass through _() before showing. */
  const char       *label_incoming;
  const char       *label_outgoing;
} RdTransition;

const char         *rd_status_to_string         (RdStatus          status);
gboolean            rd_status_from_string       (const char       *str,
                                                 RdStatus         *out_status);
const char         *rd_status_get_label         (RdStatus          status,
                                                 RdDirection       direction);
gboolean            rd_status_is_open           (RdStatus          status);
gboolean            rd_status_is_final          (RdStatus          status);

gboolean            rd_lifecycle_can_transition (RdStatus          from,
                                                 RdStatus          to);
const RdTransition *rd_lifecycle_get_transition (RdStatus          from,
                                                 RdStatus          to);
guint               rd_lifecycle_list_transitions (RdStatus        from,
                                                   const RdTransition **out,
                                                   guint           n_out);
const char         *rd_transition_get_label     (const RdTransition *transition,
                                                 RdDirection       direction);
gboolean            rd_lifecycle_check          (RdStatus          from,
                                                 RdStatus          to,
                                                 const char       *reason,
                                                 gboolean          has_appointment,
                                                 GError          **error);

const char         *rd_direction_to_string      (RdDirection       direction);
gboolean            rd_direction_from_string    (const char       *str,
                                                 RdDirection      *out_direction);

G_END_DECLS
