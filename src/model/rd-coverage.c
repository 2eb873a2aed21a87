/* rd-coverage.c — A patient's insurance: plan, member id and eligibility.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-record.h"
#include "rd-coverage.h"

struct _RdCoverage
{
  GObject parent_instance;

  gint64 id;
  gint64 version;
  gint64 patient_id;
  gint64 payer_plan_id;
  char *payer_name;
  char *plan_name;
  char *member_id;
  char *group_number;
  char *subscriber_name;
  char *relationship;
  char *eligibility_status;
  GDateTime *verified_at;
  char *verified_by;
  char *source;
};

G_DEFINE_FINAL_TYPE (RdCoverage, rd_coverage, G_TYPE_OBJECT)

static const RdField fields[] = {
  RD_FIELD (RdCoverage, id, "id", RD_FIELD_INT64),
  RD_FIELD (RdCoverage, version, "version", RD_FIELD_INT64),
  RD_FIELD (RdCoverage, patient_id, "patient-id", RD_FIELD_INT64),
  RD_FIELD (RdCoverage, payer_plan_id, "payer-plan-id", RD_FIELD_INT64),
  RD_FIELD (RdCoverage, payer_name, "payer-name", RD_FIELD_STRING),
  RD_FIELD (RdCoverage, plan_name, "plan-name", RD_FIELD_STRING),
  RD_FIELD (RdCoverage, member_id, "member-id", RD_FIELD_STRING),
  RD_FIELD (RdCoverage, group_number, "group-number", RD_FIELD_STRING),
  RD_FIELD (RdCoverage, subscriber_name, "subscriber-name", RD_FIELD_STRING),
  RD_FIELD (RdCoverage, relationship, "relationship", RD_FIELD_STRING),
  RD_FIELD (RdCoverage, eligibility_status, "eligibility-status", RD_FIELD_STRING),
  RD_FIELD (RdCoverage, verified_at, "verified-at", RD_FIELD_DATETIME),
  RD_FIELD (RdCoverage, verified_by, "verified-by", RD_FIELD_STRING),
  RD_FIELD (RdCoverage, source, "source", RD_FIELD_STRING),
};

static GParamSpec *properties[G_N_ELEMENTS (fields) + 1];

RD_RECORD_VFUNCS (RdCoverage, rd_coverage)

static void
rd_coverage_class_init (RdCoverageClass *klass)
{
  RD_RECORD_CLASS_INIT (klass, rd_coverage);
}

static void
rd_coverage_init (RdCoverage *self)
{
}

RdCoverage *
rd_coverage_new (void)
{
  return g_object_new (RD_TYPE_COVERAGE, NULL);
}

/**
 * rd_coverage_copy:
 * @self: a #RdCoverage
 *
 * Returns: (transfer full): a new record with the same values
 */
RdCoverage *
rd_coverage_copy (RdCoverage *self)
{
  RdCoverage *copy = rd_coverage_new ();

  rd_record_copy_fields (G_OBJECT (copy), G_OBJECT (self), fields, G_N_ELEMENTS (fields));
  return copy;
}

/**
 * rd_coverage_diff:
 * @a: a #RdCoverage
 * @b: another
 *
 * Returns: (transfer full): names of the properties that differ
 */
char **
rd_coverage_diff (RdCoverage *a,
                  RdCoverage *b)
{
  return rd_record_diff (G_OBJECT (a), G_OBJECT (b), fields, G_N_ELEMENTS (fields));
}

RD_INT64_ACCESSORS (RdCoverage, rd_coverage, id, "id")
RD_INT64_ACCESSORS (RdCoverage, rd_coverage, version, "version")
RD_INT64_ACCESSORS (RdCoverage, rd_coverage, patient_id, "patient-id")
RD_INT64_ACCESSORS (RdCoverage, rd_coverage, payer_plan_id, "payer-plan-id")
RD_STRING_ACCESSORS (RdCoverage, rd_coverage, payer_name, "payer-name")
RD_STRING_ACCESSORS (RdCoverage, rd_coverage, plan_name, "plan-name")
RD_STRING_ACCESSORS (RdCoverage, rd_coverage, member_id, "member-id")
RD_STRING_ACCESSORS (RdCoverage, rd_coverage, group_number, "group-number")
RD_STRING_ACCESSORS (RdCoverage, rd_coverage, subscriber_name, "subscriber-name")
RD_STRING_ACCESSORS (RdCoverage, rd_coverage, relationship, "relationship")
RD_STRING_ACCESSORS (RdCoverage, rd_coverage, eligibility_status, "eligibility-status")
RD_DATETIME_ACCESSORS (RdCoverage, rd_coverage, verified_at, "verified-at")
RD_STRING_ACCESSORS (RdCoverage, rd_coverage, verified_by, "verified-by")
RD_STRING_ACCESSORS (RdCoverage, rd_coverage, source, "source")
