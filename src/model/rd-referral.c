/* rd-referral.c — A referral with the summary fields lists show (patient name, payer, assignee).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-record.h"
#include "rd-referral.h"

struct _RdReferral
{
  GObject parent_instance;

  gint64 id;
  gint64 version;
  char *number;
  int direction;
  char *channel;
  GDateTime *received_at;
  gint64 patient_id;
  gint64 referring_provider_id;
  gint64 receiving_provider_id;
  char *specialty;
  char *reason;
  char **diagnoses;
  char **procedures;
  int priority;
  int status;
  gint64 queue_id;
  char *assignee;
  GDateTime *due_at;
  char *claimed_by;
  GDateTime *claimed_until;
  char *idempotency_key;
  GDateTime *closed_at;
  char *close_reason;
  char *notes;
  GDateTime *updated_at;
  char *updated_by;
  char *patient_name;
  char *patient_dob;
  char *patient_mrn;
  char *referring_name;
  char *receiving_name;
  char *payer_name;
  char *assignee_name;
  char *claimed_by_name;
  char *queue_name;
};

G_DEFINE_FINAL_TYPE (RdReferral, rd_referral, G_TYPE_OBJECT)

static const RdField fields[] = {
  RD_FIELD (RdReferral, id, "id", RD_FIELD_INT64),
  RD_FIELD (RdReferral, version, "version", RD_FIELD_INT64),
  RD_FIELD (RdReferral, number, "number", RD_FIELD_STRING),
  RD_FIELD (RdReferral, direction, "direction", RD_FIELD_INT),
  RD_FIELD (RdReferral, channel, "channel", RD_FIELD_STRING),
  RD_FIELD (RdReferral, received_at, "received-at", RD_FIELD_DATETIME),
  RD_FIELD (RdReferral, patient_id, "patient-id", RD_FIELD_INT64),
  RD_FIELD (RdReferral, referring_provider_id, "referring-provider-id", RD_FIELD_INT64),
  RD_FIELD (RdReferral, receiving_provider_id, "receiving-provider-id", RD_FIELD_INT64),
  RD_FIELD (RdReferral, specialty, "specialty", RD_FIELD_STRING),
  RD_FIELD (RdReferral, reason, "reason", RD_FIELD_STRING),
  RD_FIELD (RdReferral, diagnoses, "diagnoses", RD_FIELD_STRV),
  RD_FIELD (RdReferral, procedures, "procedures", RD_FIELD_STRV),
  RD_FIELD (RdReferral, priority, "priority", RD_FIELD_INT),
  RD_FIELD (RdReferral, status, "status", RD_FIELD_INT),
  RD_FIELD (RdReferral, queue_id, "queue-id", RD_FIELD_INT64),
  RD_FIELD (RdReferral, assignee, "assignee", RD_FIELD_STRING),
  RD_FIELD (RdReferral, due_at, "due-at", RD_FIELD_DATETIME),
  RD_FIELD (RdReferral, claimed_by, "claimed-by", RD_FIELD_STRING),
  RD_FIELD (RdReferral, claimed_until, "claimed-until", RD_FIELD_DATETIME),
  RD_FIELD (RdReferral, idempotency_key, "idempotency-key", RD_FIELD_STRING),
  RD_FIELD (RdReferral, closed_at, "closed-at", RD_FIELD_DATETIME),
  RD_FIELD (RdReferral, close_reason, "close-reason", RD_FIELD_STRING),
  RD_FIELD (RdReferral, notes, "notes", RD_FIELD_STRING),
  RD_FIELD (RdReferral, updated_at, "updated-at", RD_FIELD_DATETIME),
  RD_FIELD (RdReferral, updated_by, "updated-by", RD_FIELD_STRING),
  RD_FIELD (RdReferral, patient_name, "patient-name", RD_FIELD_STRING),
  RD_FIELD (RdReferral, patient_dob, "patient-dob", RD_FIELD_STRING),
  RD_FIELD (RdReferral, patient_mrn, "patient-mrn", RD_FIELD_STRING),
  RD_FIELD (RdReferral, referring_name, "referring-name", RD_FIELD_STRING),
  RD_FIELD (RdReferral, receiving_name, "receiving-name", RD_FIELD_STRING),
  RD_FIELD (RdReferral, payer_name, "payer-name", RD_FIELD_STRING),
  RD_FIELD (RdReferral, assignee_name, "assignee-name", RD_FIELD_STRING),
  RD_FIELD (RdReferral, claimed_by_name, "claimed-by-name", RD_FIELD_STRING),
  RD_FIELD (RdReferral, queue_name, "queue-name", RD_FIELD_STRING),
};

static GParamSpec *properties[G_N_ELEMENTS (fields) + 1];

RD_RECORD_VFUNCS (RdReferral, rd_referral)

static void
rd_referral_class_init (RdReferralClass *klass)
{
  RD_RECORD_CLASS_INIT (klass, rd_referral);
}

static void
rd_referral_init (RdReferral *self)
{
}

RdReferral *
rd_referral_new (void)
{
  return g_object_new (RD_TYPE_REFERRAL, NULL);
}

/**
 * rd_referral_copy:
 * @self: a #RdReferral
 *
 * Returns: (transfer full): a new record with the same values
 */
RdReferral *
rd_referral_copy (RdReferral *self)
{
  RdReferral *copy = rd_referral_new ();

  rd_record_copy_fields (G_OBJECT (copy), G_OBJECT (self), fields, G_N_ELEMENTS (fields));
  return copy;
}

/**
 * rd_referral_diff:
 * @a: a #RdReferral
 * @b: another
 *
 * Returns: (transfer full): names of the properties that differ
 */
char **
rd_referral_diff (RdReferral *a,
                  RdReferral *b)
{
  return rd_record_diff (G_OBJECT (a), G_OBJECT (b), fields, G_N_ELEMENTS (fields));
}

RD_INT64_ACCESSORS (RdReferral, rd_referral, id, "id")
RD_INT64_ACCESSORS (RdReferral, rd_referral, version, "version")
RD_STRING_ACCESSORS (RdReferral, rd_referral, number, "number")
RD_INT_ACCESSORS (RdReferral, rd_referral, direction, "direction")
RD_STRING_ACCESSORS (RdReferral, rd_referral, channel, "channel")
RD_DATETIME_ACCESSORS (RdReferral, rd_referral, received_at, "received-at")
RD_INT64_ACCESSORS (RdReferral, rd_referral, patient_id, "patient-id")
RD_INT64_ACCESSORS (RdReferral, rd_referral, referring_provider_id, "referring-provider-id")
RD_INT64_ACCESSORS (RdReferral, rd_referral, receiving_provider_id, "receiving-provider-id")
RD_STRING_ACCESSORS (RdReferral, rd_referral, specialty, "specialty")
RD_STRING_ACCESSORS (RdReferral, rd_referral, reason, "reason")
RD_STRV_ACCESSORS (RdReferral, rd_referral, diagnoses, "diagnoses")
RD_STRV_ACCESSORS (RdReferral, rd_referral, procedures, "procedures")
RD_INT_ACCESSORS (RdReferral, rd_referral, priority, "priority")
RD_INT_ACCESSORS (RdReferral, rd_referral, status, "status")
RD_INT64_ACCESSORS (RdReferral, rd_referral, queue_id, "queue-id")
RD_STRING_ACCESSORS (RdReferral, rd_referral, assignee, "assignee")
RD_DATETIME_ACCESSORS (RdReferral, rd_referral, due_at, "due-at")
RD_STRING_ACCESSORS (RdReferral, rd_referral, claimed_by, "claimed-by")
RD_DATETIME_ACCESSORS (RdReferral, rd_referral, claimed_until, "claimed-until")
RD_STRING_ACCESSORS (RdReferral, rd_referral, idempotency_key, "idempotency-key")
RD_DATETIME_ACCESSORS (RdReferral, rd_referral, closed_at, "closed-at")
RD_STRING_ACCESSORS (RdReferral, rd_referral, close_reason, "close-reason")
RD_STRING_ACCESSORS (RdReferral, rd_referral, notes, "notes")
RD_DATETIME_ACCESSORS (RdReferral, rd_referral, updated_at, "updated-at")
RD_STRING_ACCESSORS (RdReferral, rd_referral, updated_by, "updated-by")
RD_STRING_ACCESSORS (RdReferral, rd_referral, patient_name, "patient-name")
RD_STRING_ACCESSORS (RdReferral, rd_referral, patient_dob, "patient-dob")
RD_STRING_ACCESSORS (RdReferral, rd_referral, patient_mrn, "patient-mrn")
RD_STRING_ACCESSORS (RdReferral, rd_referral, referring_name, "referring-name")
RD_STRING_ACCESSORS (RdReferral, rd_referral, receiving_name, "receiving-name")
RD_STRING_ACCESSORS (RdReferral, rd_referral, payer_name, "payer-name")
RD_STRING_ACCESSORS (RdReferral, rd_referral, assignee_name, "assignee-name")
RD_STRING_ACCESSORS (RdReferral, rd_referral, claimed_by_name, "claimed-by-name")
RD_STRING_ACCESSORS (RdReferral, rd_referral, queue_name, "queue-name")
