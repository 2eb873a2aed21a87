/* rd-priority.h — referral priority, turnaround targets and due times
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * RdPriority:
 *
 * HL7 v2 RF1-2 priorities. Larger values are more urgent, so sorting by the
 * value descending puts STAT first.
 */
typedef enum {
  RD_PRIORITY_ROUTINE,
  RD_PRIORITY_URGENT,
  RD_PRIORITY_ASAP,
  RD_PRIORITY_STAT,
  RD_N_PRIORITIES
} RdPriority;

typedef enum {
  RD_TURNAROUND_HOURS,
  RD_TURNAROUND_DAYS,
  RD_TURNAROUND_BUSINESS_HOURS,
  RD_TURNAROUND_BUSINESS_DAYS,
} RdTurnaroundUnit;

/**
 * RdTurnaround:
 * @amount: how many units
 * @unit: clock hours/days, or business hours/days (weekends skipped)
 *
 * The organisation's target for one priority.
 */
typedef struct {
  guint            amount;
  RdTurnaroundUnit unit;
} RdTurnaround;

/* Business hours used when a target counts business time. */
#define RD_BUSINESS_DAY_START_HOUR 8
#define RD_BUSINESS_DAY_END_HOUR   17

const char  *rd_priority_to_string       (RdPriority         priority);
gboolean     rd_priority_from_string     (const char        *str,
                                          RdPriority        *out_priority);
gboolean     rd_priority_from_hl7        (const char        *code,
                                          RdPriority        *out_priority);
const char  *rd_priority_get_label       (RdPriority         priority);
RdTurnaround rd_priority_default_turnaround (RdPriority      priority);
gboolean     rd_turnaround_parse         (const char        *str,
                                          RdTurnaround      *out,
                                          GError           **error);
char        *rd_turnaround_to_string     (const RdTurnaround *turnaround);
GDateTime   *rd_due_compute              (GDateTime         *received_at,
                                          const RdTurnaround *target);

G_END_DECLS
