/* rd-patient.c — A person who is referred: demographics and contact preferences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-record.h"
#include "rd-patient.h"

struct _RdPatient
{
  GObject parent_instance;

  gint64 id;
  gint64 version;
  char *mrn;
  char *family_name;
  char *given_name;
  char *middle_name;
  char *dob;
  char *sex;
  char *phone_home;
  char *phone_mobile;
  char *email;
  char *address_line1;
  char *address_line2;
  char *city;
  char *state;
  char *zip;
  char *language;
  char *contact_preference;
  char *updated_by;
  GDateTime *updated_at;
};

G_DEFINE_FINAL_TYPE (RdPatient, rd_patient, G_TYPE_OBJECT)

static const RdField fields[] = {
  RD_FIELD (RdPatient, id, "id", RD_FIELD_INT64),
  RD_FIELD (RdPatient, version, "version", RD_FIELD_INT64),
  RD_FIELD (RdPatient, mrn, "mrn", RD_FIELD_STRING),
  RD_FIELD (RdPatient, family_name, "family-name", RD_FIELD_STRING),
  RD_FIELD (RdPatient, given_name, "given-name", RD_FIELD_STRING),
  RD_FIELD (RdPatient, middle_name, "middle-name", RD_FIELD_STRING),
  RD_FIELD (RdPatient, dob, "dob", RD_FIELD_STRING),
  RD_FIELD (RdPatient, sex, "sex", RD_FIELD_STRING),
  RD_FIELD (RdPatient, phone_home, "phone-home", RD_FIELD_STRING),
  RD_FIELD (RdPatient, phone_mobile, "phone-mobile", RD_FIELD_STRING),
  RD_FIELD (RdPatient, email, "email", RD_FIELD_STRING),
  RD_FIELD (RdPatient, address_line1, "address-line1", RD_FIELD_STRING),
  RD_FIELD (RdPatient, address_line2, "address-line2", RD_FIELD_STRING),
  RD_FIELD (RdPatient, city, "city", RD_FIELD_STRING),
  RD_FIELD (RdPatient, state, "state", RD_FIELD_STRING),
  RD_FIELD (RdPatient, zip, "zip", RD_FIELD_STRING),
  RD_FIELD (RdPatient, language, "language", RD_FIELD_STRING),
  RD_FIELD (RdPatient, contact_preference, "contact-preference", RD_FIELD_STRING),
  RD_FIELD (RdPatient, updated_by, "updated-by", RD_FIELD_STRING),
  RD_FIELD (RdPatient, updated_at, "updated-at", RD_FIELD_DATETIME),
};

static GParamSpec *properties[G_N_ELEMENTS (fields) + 1];

RD_RECORD_VFUNCS (RdPatient, rd_patient)

static void
rd_patient_class_init (RdPatientClass *klass)
{
  RD_RECORD_CLASS_INIT (klass, rd_patient);
}

static void
rd_patient_init (RdPatient *self)
{
}

RdPatient *
rd_patient_new (void)
{
  return g_object_new (RD_TYPE_PATIENT, NULL);
}

/**
 * rd_patient_copy:
 * @self: a #RdPatient
 *
 * Returns: (transfer full): a new record with the same values
 */
RdPatient *
rd_patient_copy (RdPatient *self)
{
  RdPatient *copy = rd_patient_new ();

  rd_record_copy_fields (G_OBJECT (copy), G_OBJECT (self), fields, G_N_ELEMENTS (fields));
  return copy;
}

/**
 * rd_patient_diff:
 * @a: a #RdPatient
 * @b: another
 *
 * Returns: (transfer full): names of the properties that differ
 */
char **
rd_patient_diff (RdPatient *a,
                 RdPatient *b)
{
  return rd_record_diff (G_OBJECT (a), G_OBJECT (b), fields, G_N_ELEMENTS (fields));
}

RD_INT64_ACCESSORS (RdPatient, rd_patient, id, "id")
RD_INT64_ACCESSORS (RdPatient, rd_patient, version, "version")
RD_STRING_ACCESSORS (RdPatient, rd_patient, mrn, "mrn")
RD_STRING_ACCESSORS (RdPatient, rd_patient, family_name, "family-name")
RD_STRING_ACCESSORS (RdPatient, rd_patient, given_name, "given-name")
RD_STRING_ACCESSORS (RdPatient, rd_patient, middle_name, "middle-name")
RD_STRING_ACCESSORS (RdPatient, rd_patient, dob, "dob")
RD_STRING_ACCESSORS (RdPatient, rd_patient, sex, "sex")
RD_STRING_ACCESSORS (RdPatient, rd_patient, phone_home, "phone-home")
RD_STRING_ACCESSORS (RdPatient, rd_patient, phone_mobile, "phone-mobile")
RD_STRING_ACCESSORS (RdPatient, rd_patient, email, "email")
RD_STRING_ACCESSORS (RdPatient, rd_patient, address_line1, "address-line1")
RD_STRING_ACCESSORS (RdPatient, rd_patient, address_line2, "address-line2")
RD_STRING_ACCESSORS (RdPatient, rd_patient, city, "city")
RD_STRING_ACCESSORS (RdPatient, rd_patient, state, "state")
RD_STRING_ACCESSORS (RdPatient, rd_patient, zip, "zip")
RD_STRING_ACCESSORS (RdPatient, rd_patient, language, "language")
RD_STRING_ACCESSORS (RdPatient, rd_patient, contact_preference, "contact-preference")
RD_STRING_ACCESSORS (RdPatient, rd_patient, updated_by, "updated-by")
RD_DATETIME_ACCESSORS (RdPatient, rd_patient, updated_at, "updated-at")
