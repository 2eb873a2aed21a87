/* rd-repo-hl7.h — HL7 v2 follow-ups: find, change, cancel the referral a
 * sender's REF^I12 made
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-connection.h"
#include "rd-result.h"

G_BEGIN_DECLS

/**
 * RdHl7Change:
 * @sender: the sending facility (MSH-4, else MSH-3)
 * @external_id: the sender's referral id (RF1-6, else RF1-11)
 * @message_id: (nullable): the message's control id, so that a resend is
 *   applied once
 * @priority: (nullable): "routine" … "stat", or %NULL when not sent
 * @specialty: (nullable): the specialty or referral type
 * @reason: (nullable): the reason for the referral
 * @diagnoses: (nullable): ICD-10-CM codes; %NULL when none were sent
 * @procedures: (nullable): CPT/HCPCS codes; %NULL when none were sent
 * @referring_npi: (nullable): the referring provider's NPI
 * @referring_text: (nullable): the referring provider as sent, for people
 * @receiving_npi: (nullable): the receiving provider's NPI
 * @receiving_text: (nullable): the receiving provider as sent
 * @note: (nullable): the message's notes, with a header line
 * @labels: seven words: priority, specialty, reason, diagnoses,
 *   procedures, referring provider, receiving provider
 * @kept_format: a format() pattern with two %s: a field's label and the
 *   incoming value, for a value kept because it was changed here
 * @event_reason: the referral event's reason ("Changed by …")
 *
 * One REF^I13, as rd.hl7_update_referral() takes it.
 */
typedef struct {
  const char         *sender;
  const char         *external_id;
  const char         *message_id;
  const char         *priority;
  const char         *specialty;
  const char         *reason;
  const char * const *diagnoses;
  const char * const *procedures;
  const char         *referring_npi;
  const char         *referring_text;
  const char         *receiving_npi;
  const char         *receiving_text;
  const char         *note;
  const char * const *labels;
  const char         *kept_format;
  const char         *event_reason;
} RdHl7Change;

void      rd_repo_hl7_link_async   (RdConnection        *conn,
                                    gint64               referral_id,
                                    const char          *sender,
                                    const char          *external_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
void      rd_repo_hl7_find_async   (RdConnection        *conn,
                                    const char          *sender,
                                    const char          *external_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
void      rd_repo_hl7_change_async (RdConnection        *conn,
                                    const RdHl7Change   *change,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
void      rd_repo_hl7_cancel_async (RdConnection        *conn,
                                    const char          *sender,
                                    const char          *external_id,
                                    const char          *reason,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
RdResult *rd_repo_hl7_rows_finish  (RdConnection        *conn,
                                    GAsyncResult        *result,
                                    GError             **error);

G_END_DECLS
