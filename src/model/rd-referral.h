/* rd-referral.h — A referral with the summary fields lists show (patient name, payer, assignee).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RD_TYPE_REFERRAL (rd_referral_get_type ())
G_DECLARE_FINAL_TYPE (RdReferral, rd_referral, RD, REFERRAL, GObject)

RdReferral *rd_referral_new (void);
RdReferral *rd_referral_copy (RdReferral *self);
char **rd_referral_diff (RdReferral *a, RdReferral *b);

gint64 rd_referral_get_id (RdReferral *self);
void rd_referral_set_id (RdReferral *self, gint64 value);
gint64 rd_referral_get_version (RdReferral *self);
void rd_referral_set_version (RdReferral *self, gint64 value);
const char * rd_referral_get_number (RdReferral *self);
void rd_referral_set_number (RdReferral *self, const char * value);
int rd_referral_get_direction (RdReferral *self);
void rd_referral_set_direction (RdReferral *self, int value);
const char * rd_referral_get_channel (RdReferral *self);
void rd_referral_set_channel (RdReferral *self, const char * value);
GDateTime * rd_referral_get_received_at (RdReferral *self);
void rd_referral_set_received_at (RdReferral *self, GDateTime * value);
gint64 rd_referral_get_patient_id (RdReferral *self);
void rd_referral_set_patient_id (RdReferral *self, gint64 value);
gint64 rd_referral_get_referring_provider_id (RdReferral *self);
void rd_referral_set_referring_provider_id (RdReferral *self, gint64 value);
gint64 rd_referral_get_receiving_provider_id (RdReferral *self);
void rd_referral_set_receiving_provider_id (RdReferral *self, gint64 value);
const char * rd_referral_get_specialty (RdReferral *self);
void rd_referral_set_specialty (RdReferral *self, const char * value);
const char * rd_referral_get_reason (RdReferral *self);
void rd_referral_set_reason (RdReferral *self, const char * value);
const char * const * rd_referral_get_diagnoses (RdReferral *self);
void rd_referral_set_diagnoses (RdReferral *self, const char * const * value);
const char * const * rd_referral_get_procedures (RdReferral *self);
void rd_referral_set_procedures (RdReferral *self, const char * const * value);
int rd_referral_get_priority (RdReferral *self);
void rd_referral_set_priority (RdReferral *self, int value);
int rd_referral_get_status (RdReferral *self);
void rd_referral_set_status (RdReferral *self, int value);
gint64 rd_referral_get_queue_id (RdReferral *self);
void rd_referral_set_queue_id (RdReferral *self, gint64 value);
const char * rd_referral_get_assignee (RdReferral *self);
void rd_referral_set_assignee (RdReferral *self, const char * value);
GDateTime * rd_referral_get_due_at (RdReferral *self);
void rd_referral_set_due_at (RdReferral *self, GDateTime * value);
const char * rd_referral_get_claimed_by (RdReferral *self);
void rd_referral_set_claimed_by (RdReferral *self, const char * value);
GDateTime * rd_referral_get_claimed_until (RdReferral *self);
void rd_referral_set_claimed_until (RdReferral *self, GDateTime * value);
const char * rd_referral_get_idempotency_key (RdReferral *self);
void rd_referral_set_idempotency_key (RdReferral *self, const char * value);
GDateTime * rd_referral_get_closed_at (RdReferral *self);
void rd_referral_set_closed_at (RdReferral *self, GDateTime * value);
const char * rd_referral_get_close_reason (RdReferral *self);
void rd_referral_set_close_reason (RdReferral *self, const char * value);
const char * rd_referral_get_notes (RdReferral *self);
void rd_referral_set_notes (RdReferral *self, const char * value);
GDateTime * rd_referral_get_updated_at (RdReferral *self);
void rd_referral_set_updated_at (RdReferral *self, GDateTime * value);
const char * rd_referral_get_updated_by (RdReferral *self);
void rd_referral_set_updated_by (RdReferral *self, const char * value);
const char * rd_referral_get_patient_name (RdReferral *self);
void rd_referral_set_patient_name (RdReferral *self, const char * value);
const char * rd_referral_get_patient_dob (RdReferral *self);
void rd_referral_set_patient_dob (RdReferral *self, const char * value);
const char * rd_referral_get_patient_mrn (RdReferral *self);
void rd_referral_set_patient_mrn (RdReferral *self, const char * value);
const char * rd_referral_get_referring_name (RdReferral *self);
void rd_referral_set_referring_name (RdReferral *self, const char * value);
const char * rd_referral_get_receiving_name (RdReferral *self);
void rd_referral_set_receiving_name (RdReferral *self, const char * value);
const char * rd_referral_get_payer_name (RdReferral *self);
void rd_referral_set_payer_name (RdReferral *self, const char * value);
const char * rd_referral_get_assignee_name (RdReferral *self);
void rd_referral_set_assignee_name (RdReferral *self, const char * value);
const char * rd_referral_get_claimed_by_name (RdReferral *self);
void rd_referral_set_claimed_by_name (RdReferral *self, const char * value);
const char * rd_referral_get_queue_name (RdReferral *self);
void rd_referral_set_queue_name (RdReferral *self, const char * value);

G_END_DECLS
