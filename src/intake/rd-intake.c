/* rd-intake.c — the intake error domain and helpers the parsers share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-intake-private.h"

G_DEFINE_QUARK (rd-intake-error-quark, rd_intake_error)

/**
 * rd_intake_clean_text:
 * @text: (nullable): text from a file
 * @len: its length, or -1 when NUL-terminated
 *
 * Makes text from outside safe to keep and show: valid UTF-8, control
 * characters other than line breaks and tabs turned into spaces, trimmed,
 * capped at %RD_INTAKE_MAX_TEXT_VALUE bytes.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL when empty
 */
char *
rd_intake_clean_text (const char *text,
                      gssize      len)
{
  g_autofree char *valid = NULL;
  gsize n;

  if (text == NULL)
    return NULL;

  n = len < 0 ? strlen (text) : (gsize) len;
  if (n > RD_INTAKE_MAX_TEXT_VALUE)
    n = RD_INTAKE_MAX_TEXT_VALUE;

  valid = g_utf8_make_valid (text, n);
  for (char *p = valid; *p; p++)
    if ((guchar) *p < 0x20 && *p != '\n' && *p != '\t')
      *p = ' ';
    else if (*p == 0x7f)
      *p = ' ';

  g_strstrip (valid);
  if (*valid == '\0')
    return NULL;

  return g_steal_pointer (&valid);
}

/**
 * rd_intake_join_words:
 * @a: (nullable): first word
 * @b: (nullable): second word
 * @c: (nullable): third word
 *
 * Returns: (transfer full) (nullable): the non-empty words joined by single
 *   spaces, or %NULL when there are none
 */
char *
rd_intake_join_words (const char *a,
                      const char *b,
                      const char *c)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *words[] = { a, b, c };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      if (words[i] == NULL || *words[i] == '\0')
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, words[i]);
    }

  if (out->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * rd_intake_set_phone:
 * @result: where to note a warning
 * @record: a #RdPatient or #RdProvider
 * @property: the property to set ("phone-home", "fax", …)
 * @raw: (nullable): the number as sent
 *
 * Stores the E.164 form when the number is a valid US number; otherwise
 * keeps what was sent (nothing is lost) and says so in a warning.
 */
void
rd_intake_set_phone (RdIntakeResult *result,
                     GObject        *record,
                     const char     *property,
                     const char     *raw)
{
  g_autofree char *clean = rd_intake_clean_text (raw, -1);
  g_autofree char *phone = NULL;
  g_autoptr(GError) error = NULL;

  if (clean == NULL)
    return;

  phone = rd_validate_phone (clean, &error);
  if (phone != NULL)
    {
      g_object_set (record, property, phone, NULL);
      return;
    }

  g_object_set (record, property, clean, NULL);
  rd_intake_result_add_warning (result, _("The phone number “%s” was kept as sent: %s"),
                                clean, error->message);
}

/**
 * rd_intake_set_dob:
 * @result: where to note a warning
 * @patient: the patient
 * @raw: (nullable): a date as sent (YYYYMMDD…, YYYY-MM-DD)
 */
void
rd_intake_set_dob (RdIntakeResult *result,
                   RdPatient      *patient,
                   const char     *raw)
{
  g_autofree char *clean = rd_intake_clean_text (raw, -1);
  g_autofree char *dob = NULL;
  g_autoptr(GError) error = NULL;

  if (clean == NULL)
    return;

  /* HL7 sends a full timestamp (19610615 or 196106150000); FHIR a date
   * (1961-06-15); either way the first part is the date. */
  if (strlen (clean) > 8 && g_ascii_isdigit (clean[0]) && clean[4] != '-')
    clean[8] = '\0';
  else if (strlen (clean) > 10 && clean[4] == '-')
    clean[10] = '\0';

  dob = rd_validate_dob (clean, NULL, &error);
  if (dob != NULL)
    rd_patient_set_dob (patient, dob);
  else
    rd_intake_result_add_warning (result, _("The date of birth was left out: %s"),
                                  error->message);
}

/**
 * rd_intake_normalise_sex:
 * @code: (nullable): HL7 table 0001 code (F, M, O, U, A, N) or FHIR
 *   administrative gender (female, male, other, unknown)
 *
 * Returns: (transfer full) (nullable): "F", "M", "O" or "U"
 */
char *
rd_intake_normalise_sex (const char *code)
{
  if (code == NULL || *code == '\0')
    return NULL;

  switch (g_ascii_toupper (code[0]))
    {
    case 'F':
      return g_strdup ("F");
    case 'M':
      return g_strdup ("M");
    case 'O':
    case 'A':
      return g_strdup ("O");
    default:
      return g_strdup ("U");
    }
}

/**
 * rd_intake_referral_name:
 * @patient: a patient
 *
 * Returns: (transfer full) (nullable): "Family, Given Middle", as worklists
 *   show a patient
 */
char *
rd_intake_referral_name (RdPatient *patient)
{
  const char *family = rd_patient_get_family_name (patient);
  g_autofree char *given = rd_intake_join_words (rd_patient_get_given_name (patient),
                                                 rd_patient_get_middle_name (patient),
                                                 NULL);

  if (family != NULL && given != NULL)
    return g_strdup_printf ("%s, %s", family, given);
  if (family != NULL)
    return g_strdup (family);
  return g_steal_pointer (&given);
}

/**
 * rd_intake_add_code:
 * @result: where to note a warning
 * @codes: (element-type utf8): codes collected so far
 * @code: (nullable): a code as sent
 * @diagnosis: %TRUE for ICD-10-CM, %FALSE for CPT/HCPCS
 *
 * Adds the normalised code once; a code of the wrong shape is left out
 * with a warning naming it.
 */
void
rd_intake_add_code (RdIntakeResult *result,
                    GPtrArray      *codes,
                    const char     *code,
                    gboolean        diagnosis)
{
  g_autofree char *clean = rd_intake_clean_text (code, -1);
  g_autofree char *valid = NULL;
  g_autoptr(GError) error = NULL;

  if (clean == NULL || codes->len >= 64)
    return;

  valid = diagnosis ? rd_validate_icd10 (clean, &error) : rd_validate_procedure (clean, &error);
  if (valid == NULL)
    {
      if (diagnosis)
        rd_intake_result_add_warning (result, _("The diagnosis “%s” was left out: %s"),
                                      clean, error->message);
      else
        rd_intake_result_add_warning (result, _("The procedure “%s” was left out: %s"),
                                      clean, error->message);
      return;
    }

  for (guint i = 0; i < codes->len; i++)
    if (g_str_equal (g_ptr_array_index (codes, i), valid))
      return;

  g_ptr_array_add (codes, g_steal_pointer (&valid));
}

/**
 * rd_intake_finish_referral:
 * @result: a result with its referral, patient, providers and coverages set
 * @diagnoses: (element-type utf8): ICD-10-CM codes
 * @procedures: (element-type utf8): CPT/HCPCS codes
 *
 * Copies into the referral what lists show beside it (patient name, DOB,
 * MRN, provider names, payer) and the codes and notes, the same way for
 * every channel.
 */
void
rd_intake_finish_referral (RdIntakeResult *result,
                           GPtrArray      *diagnoses,
                           GPtrArray      *procedures)
{
  RdReferral *referral = rd_intake_result_get_referral (result);
  RdPatient *patient = rd_intake_result_get_patient (result);
  RdProvider *referring = rd_intake_result_get_referring (result);
  RdProvider *receiving = rd_intake_result_get_receiving (result);
  GPtrArray *coverages = rd_intake_result_get_coverages (result);
  g_autofree char *notes = rd_intake_result_dup_notes_text (result);

  if (referral == NULL)
    return;

  g_ptr_array_add (diagnoses, NULL);
  g_ptr_array_add (procedures, NULL);
  rd_referral_set_diagnoses (referral, (const char * const *) diagnoses->pdata);
  rd_referral_set_procedures (referral, (const char * const *) procedures->pdata);
  g_ptr_array_remove_index (diagnoses, diagnoses->len - 1);
  g_ptr_array_remove_index (procedures, procedures->len - 1);

  if (patient != NULL)
    {
      g_autofree char *name = rd_intake_referral_name (patient);

      rd_referral_set_patient_name (referral, name);
      rd_referral_set_patient_dob (referral, rd_patient_get_dob (patient));
      rd_referral_set_patient_mrn (referral, rd_patient_get_mrn (patient));
    }

  if (referring != NULL)
    rd_referral_set_referring_name (referral, rd_provider_get_name (referring));
  if (receiving != NULL)
    rd_referral_set_receiving_name (referral, rd_provider_get_name (receiving));
  if (coverages->len > 0)
    rd_referral_set_payer_name (referral,
                                rd_coverage_get_payer_name (g_ptr_array_index (coverages, 0)));

  if (notes != NULL)
    rd_referral_set_notes (referral, notes);
}
