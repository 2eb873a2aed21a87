/* rd-patient.h — A person who is referred: demographics and contact preferences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RD_TYPE_PATIENT (rd_patient_get_type ())
G_DECLARE_FINAL_TYPE (RdPatient, rd_patient, RD, PATIENT, GObject)

RdPatient *rd_patient_new (void);
RdPatient *rd_patient_copy (RdPatient *self);
char **rd_patient_diff (RdPatient *a, RdPatient *b);

gint64 rd_patient_get_id (RdPatient *self);
void rd_patient_set_id (RdPatient *self, gint64 value);
gint64 rd_patient_get_version (RdPatient *self);
void rd_patient_set_version (RdPatient *self, gint64 value);
const char * rd_patient_get_mrn (RdPatient *self);
void rd_patient_set_mrn (RdPatient *self, const char * value);
const char * rd_patient_get_family_name (RdPatient *self);
void rd_patient_set_family_name (RdPatient *self, const char * value);
const char * rd_patient_get_given_name (RdPatient *self);
void rd_patient_set_given_name (RdPatient *self, const char * value);
const char * rd_patient_get_middle_name (RdPatient *self);
void rd_patient_set_middle_name (RdPatient *self, const char * value);
const char * rd_patient_get_dob (RdPatient *self);
void rd_patient_set_dob (RdPatient *self, const char * value);
const char * rd_patient_get_sex (RdPatient *self);
void rd_patient_set_sex (RdPatient *self, const char * value);
const char * rd_patient_get_phone_home (RdPatient *self);
void rd_patient_set_phone_home (RdPatient *self, const char * value);
const char * rd_patient_get_phone_mobile (RdPatient *self);
void rd_patient_set_phone_mobile (RdPatient *self, const char * value);
const char * rd_patient_get_email (RdPatient *self);
void rd_patient_set_email (RdPatient *self, const char * value);
const char * rd_patient_get_address_line1 (RdPatient *self);
void rd_patient_set_address_line1 (RdPatient *self, const char * value);
const char * rd_patient_get_address_line2 (RdPatient *self);
void rd_patient_set_address_line2 (RdPatient *self, const char * value);
const char * rd_patient_get_city (RdPatient *self);
void rd_patient_set_city (RdPatient *self, const char * value);
const char * rd_patient_get_state (RdPatient *self);
void rd_patient_set_state (RdPatient *self, const char * value);
const char * rd_patient_get_zip (RdPatient *self);
void rd_patient_set_zip (RdPatient *self, const char * value);
const char * rd_patient_get_language (RdPatient *self);
void rd_patient_set_language (RdPatient *self, const char * value);
const char * rd_patient_get_contact_preference (RdPatient *self);
void rd_patient_set_contact_preference (RdPatient *self, const char * value);
const char * rd_patient_get_updated_by (RdPatient *self);
void rd_patient_set_updated_by (RdPatient *self, const char * value);
GDateTime * rd_patient_get_updated_at (RdPatient *self);
void rd_patient_set_updated_at (RdPatient *self, GDateTime * value);

G_END_DECLS
