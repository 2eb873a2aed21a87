/* rd-coverage.h — A patient's insurance: plan, member id and eligibility.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RD_TYPE_COVERAGE (rd_coverage_get_type ())
G_DECLARE_FINAL_TYPE (RdCoverage, rd_coverage, RD, COVERAGE, GObject)

RdCoverage *rd_coverage_new (void);
RdCoverage *rd_coverage_copy (RdCoverage *self);
char **rd_coverage_diff (RdCoverage *a, RdCoverage *b);

gint64 rd_coverage_get_id (RdCoverage *self);
void rd_coverage_set_id (RdCoverage *self, gint64 value);
gint64 rd_coverage_get_version (RdCoverage *self);
void rd_coverage_set_version (RdCoverage *self, gint64 value);
gint64 rd_coverage_get_patient_id (RdCoverage *self);
void rd_coverage_set_patient_id (RdCoverage *self, gint64 value);
gint64 rd_coverage_get_payer_plan_id (RdCoverage *self);
void rd_coverage_set_payer_plan_id (RdCoverage *self, gint64 value);
const char * rd_coverage_get_payer_name (RdCoverage *self);
void rd_coverage_set_payer_name (RdCoverage *self, const char * value);
const char * rd_coverage_get_plan_name (RdCoverage *self);
void rd_coverage_set_plan_name (RdCoverage *self, const char * value);
const char * rd_coverage_get_member_id (RdCoverage *self);
void rd_coverage_set_member_id (RdCoverage *self, const char * value);
const char * rd_coverage_get_group_number (RdCoverage *self);
void rd_coverage_set_group_number (RdCoverage *self, const char * value);
const char * rd_coverage_get_subscriber_name (RdCoverage *self);
void rd_coverage_set_subscriber_name (RdCoverage *self, const char * value);
const char * rd_coverage_get_relationship (RdCoverage *self);
void rd_coverage_set_relationship (RdCoverage *self, const char * value);
const char * rd_coverage_get_eligibility_status (RdCoverage *self);
void rd_coverage_set_eligibility_status (RdCoverage *self, const char * value);
GDateTime * rd_coverage_get_verified_at (RdCoverage *self);
void rd_coverage_set_verified_at (RdCoverage *self, GDateTime * value);
const char * rd_coverage_get_verified_by (RdCoverage *self);
void rd_coverage_set_verified_by (RdCoverage *self, const char * value);
const char * rd_coverage_get_source (RdCoverage *self);
void rd_coverage_set_source (RdCoverage *self, const char * value);

G_END_DECLS
