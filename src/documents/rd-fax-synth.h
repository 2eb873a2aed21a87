/* rd-fax-synth.h — a made-up referral fax, drawn with cairo, for tests and demos
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * RdFaxSynthValues:
 * @seed: drives the noise, the signature and the filler pages
 * @n_pages: pages in the fax, at least 1 (page 1 is the referral form)
 * @patient_given: the patient's given name
 * @patient_family: the patient's family name
 * @dob: date of birth as written on US forms, MM/DD/YYYY
 * @sex: "F", "M" or "X"
 * @phone: the patient's phone, "(NNN) 555-01NN"
 * @mrn: the medical record number at the referring practice
 * @member_id: the insurance member id
 * @payer: the health plan's name
 * @practice_name: the referring practice (letterhead)
 * @practice_address: its street address, one line
 * @practice_phone: its phone
 * @practice_fax: its fax number (also in the fax header line)
 * @referring_provider: the referring clinician
 * @npi: the referring clinician's NPI (10 digits, valid check digit)
 * @specialty: the specialty referred to
 * @icd10: (array zero-terminated=1): ICD-10-CM codes, e.g. "I10"
 * @reason: the reason for referral, a sentence or two
 * @sent_date: the date the fax was sent, YYYY-MM-DD
 * @to_fax: the fax number it was sent to
 * @urgent: whether "URGENT" is ticked
 *
 * What goes on a synthetic referral fax. Every value is invented: names are
 * drawn from a list of made-up names and phone numbers use the 555-01xx
 * range reserved for fiction. The struct owns its strings (g_free()).
 */
typedef struct
{
  guint32    seed;
  guint      n_pages;
  char      *patient_given;
  char      *patient_family;
  char      *dob;
  char      *sex;
  char      *phone;
  char      *mrn;
  char      *member_id;
  char      *payer;
  char      *practice_name;
  char      *practice_address;
  char      *practice_phone;
  char      *practice_fax;
  char      *referring_provider;
  char      *npi;
  char      *specialty;
  char     **icd10;
  char      *reason;
  char      *sent_date;
  char      *to_fax;
  gboolean   urgent;
} RdFaxSynthValues;

RdFaxSynthValues *rd_fax_synth_values_new  (guint32                 seed,
                                            guint                   n_pages);
void              rd_fax_synth_values_free (RdFaxSynthValues       *values);

GBytes           *rd_fax_synth_render      (const RdFaxSynthValues *values,
                                            GError                **error);
GBytes           *rd_fax_synth_generate    (guint32                 seed,
                                            guint                   n_pages);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdFaxSynthValues, rd_fax_synth_values_free)

G_END_DECLS
