/* test-corpus-intake.c — every HL7 v2, FHIR and e-mail file of the shared
 * corpus through its importer: accepted with the expected content, or
 * refused with a specific message; and the HL7 referral against the FHIR
 * bundle converted from it.
 *
 * The corpus lives in ../shared/corpus (see SOURCES.md there); it is read in
 * place, never copied. Without it the tests skip, saying so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-fhir.h"
#include "rd-hl7.h"
#include "rd-intake.h"
#include "rd-mail.h"
#include "rd-test-util.h"

/* A hang shows as a failure, not as a stuck test run. Generous on purpose:
 * this is a bound, not a benchmark (./dev bench measures speed). */
#define MAX_SECONDS_PER_FILE 10

typedef RdIntakeResult *(*ImportFunc) (GBytes *bytes, GError **error);
typedef void (*CheckFunc) (RdIntakeResult *result);

typedef struct
{
  const char *file;
  int         error_code;     /* -1: must be accepted */
  const char *error_fragment; /* the refusal must say this */
  CheckFunc   check;          /* for accepted files */
} Expectation;

/* Every HL7 file is also answered: the ACK must parse, echo the control
 * id and say AA for a taken referral, AR otherwise. */
static RdIntakeResult *
hl7_import (GBytes  *bytes,
            GError **error)
{
  g_autoptr(RdHl7Message) message = NULL;
  g_autoptr(GError) local_error = NULL;
  RdIntakeResult *result = rd_hl7_import (bytes, &message, &local_error);
  g_autofree char *ack = rd_hl7_build_ack (message, result ? RD_HL7_ACK_AA : RD_HL7_ACK_AR,
                                           local_error, "RD-ACK-1", NULL);
  g_autoptr(RdHl7Message) parsed = rd_hl7_message_parse (ack, strlen (ack), NULL);
  g_autofree char *code = NULL;
  g_autofree char *echoed = NULL;

  g_assert_nonnull (parsed);
  code = rd_hl7_message_get (parsed, "MSA", 1, 0);
  g_assert_cmpstr (code, ==, result ? "AA" : "AR");
  echoed = rd_hl7_message_get (parsed, "MSA", 2, 0);
  if (message != NULL)
    {
      g_autofree char *control = rd_hl7_message_dup_control_id (message);
      g_assert_cmpstr (echoed, ==, control);
    }
  if (local_error != NULL)
    g_assert_cmpint (rd_hl7_message_find_segment (parsed, "ERR", 0), >, 0);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return result;
}

static gboolean
strv_mentions (const char * const *strv,
               const char         *fragment)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (strstr (strv[i], fragment) != NULL)
      return TRUE;
  return FALSE;
}

static guint
strv_len0 (const char * const *strv)
{
  return strv != NULL ? g_strv_length ((char **) strv) : 0;
}

static RdCoverage *
first_coverage (RdIntakeResult *result)
{
  GPtrArray *coverages = rd_intake_result_get_coverages (result);

  g_assert_cmpuint (coverages->len, >=, 1);
  return g_ptr_array_index (coverages, 0);
}

/* What both REF-I12-01 files must yield: the fields a specialist relies on. */
static void
check_ref_i12 (RdIntakeResult *result)
{
  RdReferral *referral = rd_intake_result_get_referral (result);
  RdPatient *patient = rd_intake_result_get_patient (result);
  RdCoverage *coverage = first_coverage (result);
  const char * const *diagnoses;

  g_assert_nonnull (referral);
  g_assert_cmpint (rd_intake_result_get_event (result), ==, RD_INTAKE_EVENT_NEW);
  g_assert_cmpstr (rd_referral_get_number (referral), ==, "226839");
  g_assert_cmpint (rd_referral_get_priority (referral), ==, RD_PRIORITY_ROUTINE);
  g_assert_cmpint (rd_referral_get_status (referral), ==, RD_STATUS_NEW);
  g_assert_cmpstr (rd_referral_get_reason (referral), ==, "Provider Ordered");
  g_assert_cmpstr (rd_referral_get_specialty (referral), ==, "Medical");
  g_assert_cmpstr (rd_referral_get_patient_name (referral), ==, "EVERYMAN, ADAM A");
  g_assert_cmpstr (rd_referral_get_patient_dob (referral), ==, "1961-06-15");
  g_assert_cmpstr (rd_referral_get_patient_mrn (referral), ==, "PATID1234");
  g_assert_cmpstr (rd_referral_get_referring_name (referral), ==, "ROBERT POWELL");
  g_assert_cmpstr (rd_referral_get_receiving_name (referral), ==, "PAUL McWILLIAMS");
  g_assert_cmpstr (rd_referral_get_payer_name (referral), ==, "Blue Cross Blue Shield of Texas");

  diagnoses = rd_referral_get_diagnoses (referral);
  g_assert_cmpuint (strv_len0 (diagnoses), ==, 1);
  g_assert_cmpstr (diagnoses[0], ==, "K63.3");
  /* PR1 carries a SNOMED CT code, not CPT/HCPCS: left out, with a warning. */
  g_assert_cmpuint (strv_len0 (rd_referral_get_procedures (referral)), ==, 0);
  g_assert_true (strv_mentions (rd_intake_result_get_warnings (result), "76164006"));

  g_assert_cmpstr (rd_patient_get_sex (patient), ==, "M");
  g_assert_cmpstr (rd_patient_get_address_line1 (patient), ==, "115 MAINSTREET");
  g_assert_cmpstr (rd_patient_get_zip (patient), ==, "42010");

  g_assert_cmpstr (rd_coverage_get_member_id (coverage), ==, "HMO-12345");
  g_assert_cmpstr (rd_coverage_get_group_number (coverage), ==, "Grp-12345");
  g_assert_cmpstr (rd_coverage_get_plan_name (coverage), ==, "Blue Advantage HMO");
  g_assert_cmpstr (rd_provider_get_phone (rd_intake_result_get_referring (result)), ==, "+16265551234");
}

static void
check_bars_message (RdIntakeResult *result)
{
  RdReferral *referral = rd_intake_result_get_referral (result);

  g_assert_nonnull (referral);
  g_assert_cmpstr (rd_intake_result_get_message_type (result), ==, "Bundle (message)");
  g_assert_cmpstr (rd_referral_get_patient_name (referral), ==, "Jones, Julie");
  g_assert_cmpstr (rd_referral_get_patient_dob (referral), ==, "1959-05-04");
  g_assert_cmpstr (rd_referral_get_referring_name (referral), ==, "Marcy BLAKE");
  g_assert_nonnull (rd_referral_get_receiving_name (referral));
}

static void
check_outside_subject (RdIntakeResult *result)
{
  g_assert_nonnull (rd_intake_result_get_referral (result));
  g_assert_null (rd_intake_result_get_patient (result));
  g_assert_true (strv_mentions (rd_intake_result_get_warnings (result), "not included"));
}

static void
check_rehab (RdIntakeResult *result)
{
  check_outside_subject (result);
  g_assert_cmpstr (rd_referral_get_patient_name (rd_intake_result_get_referral (result)), ==, "Amy Shaw");
}

static void
check_coverage (RdIntakeResult *result)
{
  RdCoverage *coverage = first_coverage (result);

  g_assert_null (rd_intake_result_get_referral (result));
  g_assert_cmpstr (rd_coverage_get_member_id (coverage), ==, "888009335");
  g_assert_cmpstr (rd_coverage_get_payer_name (coverage), ==, "Acme Health Plan");
  g_assert_cmpstr (rd_coverage_get_plan_name (coverage), ==, "Acme Gold Plan");
  g_assert_cmpstr (rd_coverage_get_group_number (coverage), ==, "xyz");
}

static void
check_payer (RdIntakeResult *result)
{
  g_assert_cmpstr (rd_coverage_get_payer_name (first_coverage (result)), ==, "Acme Health Plan");
}

static void
check_patient (RdIntakeResult *result)
{
  RdPatient *patient = rd_intake_result_get_patient (result);

  g_assert_nonnull (patient);
  g_assert_cmpstr (rd_patient_get_mrn (patient), ==, "1032702");
  g_assert_cmpstr (rd_patient_get_dob (patient), ==, "1987-02-20");
  g_assert_cmpstr (rd_patient_get_city (patient), ==, "MOUNDS");
}

static void
check_practitioner (RdIntakeResult *result)
{
  GPtrArray *providers = rd_intake_result_get_providers (result);

  g_assert_cmpuint (providers->len, ==, 1);
  g_assert_cmpstr (rd_provider_get_name (g_ptr_array_index (providers, 0)), ==, "Ronald Bone");
  /* 9941339100 does not start with 1 or 2: not an NPI; said so. */
  g_assert_null (rd_provider_get_npi (g_ptr_array_index (providers, 0)));
  g_assert_true (strv_mentions (rd_intake_result_get_warnings (result), "9941339100"));
}

static void
check_polst (RdIntakeResult *result)
{
  GPtrArray *documents = rd_intake_result_get_documents (result);
  RdIntakeDocument *document;

  g_assert_cmpuint (documents->len, ==, 1);
  document = g_ptr_array_index (documents, 0);
  g_assert_cmpstr (rd_intake_document_get_media_type (document), ==, "application/pdf");
  g_assert_cmpstr (rd_intake_document_get_file_name (document), ==, "POLST (PDF).pdf");
  g_assert_cmpuint (g_bytes_get_size (rd_intake_document_get_bytes (document)), ==, 986970);
}

static void
check_broken_pdf_mail (RdIntakeResult *result)
{
  GPtrArray *documents = rd_intake_result_get_documents (result);
  RdIntakeDocument *document;

  g_assert_cmpuint (documents->len, ==, 1);
  document = g_ptr_array_index (documents, 0);
  /* A truncated PDF is still a PDF to the parser; Poppler judges it when
   * the document is filed. */
  g_assert_cmpstr (rd_intake_document_get_file_name (document), ==, "broken.pdf");
  g_assert_cmpuint (g_bytes_get_size (rd_intake_document_get_bytes (document)), ==, 1026);
  g_assert_nonnull (rd_intake_result_get_sender (result));
  g_assert_nonnull (rd_intake_result_get_notes (result)[0]);
}

static const Expectation hl7_expected[] = {
  { "REF-I12-01.hl7", -1, NULL, check_ref_i12 },
  { "ADT-A01-01.hl7", RD_INTAKE_ERROR_UNSUPPORTED, "ADT^A01", NULL },
  { "ADT-A04-01.hl7", RD_INTAKE_ERROR_UNSUPPORTED, "ADT^A04", NULL },
  { "ORM-O01-01.hl7", RD_INTAKE_ERROR_UNSUPPORTED, "ORM^O01", NULL },
  { "ti_MN_005_ADT_A01.hl7", RD_INTAKE_ERROR_UNSUPPORTED, "ADT^A01", NULL },
  { "ti_Epic_001_ORM_O01.hl7", RD_INTAKE_ERROR_UNSUPPORTED, "ORM^O01", NULL },
  { "ti_AL_004_ORM_O01_NBS_translation_final_cr.hl7", RD_INTAKE_ERROR_UNSUPPORTED, "OML^O21", NULL },
  { "nhapi_omd_o03.txt", RD_INTAKE_ERROR_UNSUPPORTED, "OMD^O03", NULL },
  { "ti_msh_missing_msh-2.hl7", RD_INTAKE_ERROR_MALFORMED, "MSH-2", NULL },
  { "ti_msh_missing_msh-9.hl7", RD_INTAKE_ERROR_MALFORMED, "MSH-9", NULL },
  { "ti_empty.hl7", RD_INTAKE_ERROR_MALFORMED, "empty", NULL },
  { "nhapi_segmentfinder_a24.hl7", RD_INTAKE_ERROR_UNSUPPORTED, "ADT^A24", NULL },
  { "nhapi_fuzz_leading_nul_before_MSH.hl7", RD_INTAKE_ERROR_MALFORMED, "MSH segment", NULL },
  { NULL }
};

static const Expectation fhir_expected[] = {
  { "REF-I12-01-expected.json", -1, NULL, check_ref_i12 },
  { "bars_ValidationRequest_POST.json", -1, NULL, check_bars_message },
  { "bars_ServiceRequest_GET-success.json", -1, NULL, check_outside_subject },
  { "uscore_servicerequest-foodpantry-referral.json", -1, NULL, check_outside_subject },
  { "uscore_servicerequest-rehab.json", -1, NULL, check_rehab },
  { "uscore_coverage-example.json", -1, NULL, check_coverage },
  { "uscore_organization-acme-payer.json", -1, NULL, check_payer },
  { "uscore_patient-example.json", -1, NULL, check_patient },
  { "uscore_practitioner-1.json", -1, NULL, check_practitioner },
  { "uscore_DocumentReference-polst.json", -1, NULL, check_polst },
  { "uscore_bundle-docref-example2.json", RD_INTAKE_ERROR_MISSING, "only a link", NULL },
  { "task-example1.json", RD_INTAKE_ERROR_MISSING, "ServiceRequest/lipid", NULL },
  { NULL }
};

static const Expectation mail_expected[] = {
  { "attachment_pdf.eml", -1, NULL, check_broken_pdf_mail },
  { "attachment_pdf_lf.eml", -1, NULL, check_broken_pdf_mail },
  { "attachment_message_rfc822.eml", -1, NULL, check_broken_pdf_mail },
  { "raw_email_with_nested_attachment.eml", RD_INTAKE_ERROR_MISSING, "truncated.png (image/png)", NULL },
  { "attachment_only_email.eml", RD_INTAKE_ERROR_MISSING, "blah.gz", NULL },
  { "attachment_with_encoded_name.eml", RD_INTAKE_ERROR_MISSING, "Pitbull.mp3", NULL },
  { NULL }
};

static void
run_folder (const char        *subdir,
            ImportFunc         import,
            const Expectation *expected)
{
  g_autofree char *dir_path = rd_test_corpus_dir (subdir);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  const char *name;
  guint count = 0;

  if (dir_path == NULL)
    return;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(RdIntakeResult) result = NULL;
      g_autoptr(GError) import_error = NULL;
      const Expectation *expectation = NULL;
      gsize length = 0;
      gint64 start;
      double seconds;

      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      bytes = g_bytes_new_take (g_steal_pointer (&contents), length);

      start = g_get_monotonic_time ();
      result = import (bytes, &import_error);
      seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
      g_assert_cmpfloat (seconds, <, MAX_SECONDS_PER_FILE);
      count++;

      /* Whatever the file, the outcome is a result or an intake error
       * with a message for people, never anything else. */
      g_assert_true ((result != NULL) != (import_error != NULL));
      if (import_error != NULL)
        {
          g_assert_true (import_error->domain == RD_INTAKE_ERROR);
          g_assert_cmpuint (strlen (import_error->message), >, 10);
        }

      for (guint i = 0; expected[i].file != NULL; i++)
        if (g_str_equal (expected[i].file, name))
          expectation = &expected[i];

      if (expectation == NULL)
        {
          g_test_message ("%s/%s is new to this test: imported without a crash (%s)",
                          subdir, name, import_error ? import_error->message : "accepted");
          continue;
        }

      g_hash_table_add (seen, (gpointer) expectation->file);
      g_test_message ("%s/%s: %s", subdir, name,
                      import_error ? import_error->message : "accepted");

      if (expectation->error_code < 0)
        {
          if (import_error != NULL)
            g_error ("%s/%s should be accepted, but: %s", subdir, name, import_error->message);
          if (expectation->check != NULL)
            expectation->check (result);
        }
      else
        {
          if (result != NULL)
            g_error ("%s/%s should be refused", subdir, name);
          g_assert_error (import_error, RD_INTAKE_ERROR, expectation->error_code);
          if (strstr (import_error->message, expectation->error_fragment) == NULL)
            g_error ("%s/%s: “%s” does not mention “%s”", subdir, name,
                     import_error->message, expectation->error_fragment);
        }
    }

  for (guint i = 0; expected[i].file != NULL; i++)
    if (!g_hash_table_contains (seen, expected[i].file))
      g_error ("%s/%s is described in SOURCES.md but missing", subdir, expected[i].file);

  g_assert_cmpuint (count, >=, g_hash_table_size (seen));
}

static void
test_hl7 (void)
{
  run_folder ("hl7v2", hl7_import, hl7_expected);
}

static void
test_fhir (void)
{
  run_folder ("fhir", rd_fhir_import, fhir_expected);
}

static void
test_mail (void)
{
  run_folder ("eml", rd_mail_import, mail_expected);
}

static RdIntakeResult *
import_file (const char *subdir,
             const char *name,
             ImportFunc  import)
{
  g_autofree char *dir = rd_test_corpus_dir (subdir);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  RdIntakeResult *result;
  gsize length = 0;

  if (dir == NULL)
    return NULL;

  path = g_build_filename (dir, name, NULL);
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);

  result = import (bytes, &error);
  g_assert_no_error (error);
  return result;
}

static void
assert_same_string (const char *field,
                    const char *a,
                    const char *b)
{
  if (g_strcmp0 (a, b) != 0)
    g_error ("%s differs between HL7 (“%s”) and FHIR (“%s”)", field, a, b);
}

static void
assert_same_time (const char *field,
                  GDateTime  *a,
                  GDateTime  *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  if (!g_date_time_equal (a, b))
    g_error ("%s differs between HL7 and FHIR", field);
}

static void
assert_same_strv (const char         *field,
                  const char * const *a,
                  const char * const *b)
{
  guint n = strv_len0 (a);

  if (n != strv_len0 (b))
    g_error ("%s: HL7 has %u codes, FHIR %u", field, n, strv_len0 (b));
  for (guint i = 0; i < n; i++)
    assert_same_string (field, a[i], b[i]);
}

/* The FHIR bundle was made from the HL7 message by Microsoft's
 * FHIR-Converter. Both imports must give the same referral. Known,
 * deliberate differences, checked below so that they stay known:
 *
 * - Notes: HL7 gives every NTE and OBX (lab text, results); the converter
 *   puts RF1's "Referral to Specialist" and only the last NTE into
 *   ServiceRequest.note, and the lab NTE into another ServiceRequest.
 * - Patient phone: the converter drops PID-13's area code and number
 *   (components 6 and 7), leaving a telecom without a value, so FHIR has no
 *   home phone where HL7 has +12706009800.
 * - Received at: HL7 uses MSH-7 (the send time); FHIR ServiceRequest.authoredOn
 *   (the converter's copy of RF1-9, a date).
 * - Sender: HL7 is MSH-3 (MSH-4); FHIR MessageHeader.source.name, which the
 *   converter fills from MSH-22 ("24GHH").
 */
static void
test_hl7_vs_fhir (void)
{
  g_autoptr(RdIntakeResult) hl7 = import_file ("hl7v2", "REF-I12-01.hl7", hl7_import);
  g_autoptr(RdIntakeResult) fhir = NULL;
  RdReferral *a, *b;
  RdPatient *pa, *pb;
  RdCoverage *ca, *cb;
  RdProvider *ra, *rb;

  if (hl7 == NULL)
    return;
  fhir = import_file ("fhir", "REF-I12-01-expected.json", rd_fhir_import);
  if (fhir == NULL)
    return;

  a = rd_intake_result_get_referral (hl7);
  b = rd_intake_result_get_referral (fhir);
  g_assert_nonnull (a);
  g_assert_nonnull (b);

  assert_same_string ("number", rd_referral_get_number (a), rd_referral_get_number (b));
  assert_same_string ("patient name", rd_referral_get_patient_name (a), rd_referral_get_patient_name (b));
  assert_same_string ("DOB", rd_referral_get_patient_dob (a), rd_referral_get_patient_dob (b));
  assert_same_string ("MRN", rd_referral_get_patient_mrn (a), rd_referral_get_patient_mrn (b));
  assert_same_string ("referring", rd_referral_get_referring_name (a), rd_referral_get_referring_name (b));
  assert_same_string ("receiving", rd_referral_get_receiving_name (a), rd_referral_get_receiving_name (b));
  assert_same_string ("payer", rd_referral_get_payer_name (a), rd_referral_get_payer_name (b));
  assert_same_string ("reason", rd_referral_get_reason (a), rd_referral_get_reason (b));
  assert_same_string ("specialty", rd_referral_get_specialty (a), rd_referral_get_specialty (b));
  assert_same_strv ("diagnoses", rd_referral_get_diagnoses (a), rd_referral_get_diagnoses (b));
  assert_same_strv ("procedures", rd_referral_get_procedures (a), rd_referral_get_procedures (b));
  g_assert_cmpint (rd_referral_get_priority (a), ==, rd_referral_get_priority (b));
  g_assert_cmpint (rd_referral_get_status (a), ==, rd_referral_get_status (b));
  assert_same_time ("valid from", rd_intake_result_get_valid_from (hl7), rd_intake_result_get_valid_from (fhir));
  assert_same_time ("valid until", rd_intake_result_get_valid_until (hl7), rd_intake_result_get_valid_until (fhir));

  pa = rd_intake_result_get_patient (hl7);
  pb = rd_intake_result_get_patient (fhir);
  assert_same_string ("family name", rd_patient_get_family_name (pa), rd_patient_get_family_name (pb));
  assert_same_string ("given name", rd_patient_get_given_name (pa), rd_patient_get_given_name (pb));
  assert_same_string ("middle name", rd_patient_get_middle_name (pa), rd_patient_get_middle_name (pb));
  assert_same_string ("sex", rd_patient_get_sex (pa), rd_patient_get_sex (pb));
  assert_same_string ("address", rd_patient_get_address_line1 (pa), rd_patient_get_address_line1 (pb));
  assert_same_string ("city", rd_patient_get_city (pa), rd_patient_get_city (pb));
  assert_same_string ("state", rd_patient_get_state (pa), rd_patient_get_state (pb));
  assert_same_string ("zip", rd_patient_get_zip (pa), rd_patient_get_zip (pb));
  assert_same_string ("language", rd_patient_get_language (pa), rd_patient_get_language (pb));

  ca = first_coverage (hl7);
  cb = first_coverage (fhir);
  assert_same_string ("member id", rd_coverage_get_member_id (ca), rd_coverage_get_member_id (cb));
  assert_same_string ("group", rd_coverage_get_group_number (ca), rd_coverage_get_group_number (cb));
  assert_same_string ("plan", rd_coverage_get_plan_name (ca), rd_coverage_get_plan_name (cb));
  assert_same_string ("subscriber", rd_coverage_get_subscriber_name (ca), rd_coverage_get_subscriber_name (cb));
  assert_same_string ("relationship", rd_coverage_get_relationship (ca), rd_coverage_get_relationship (cb));

  for (guint i = 0; i < 2; i++)
    {
      ra = i == 0 ? rd_intake_result_get_referring (hl7) : rd_intake_result_get_receiving (hl7);
      rb = i == 0 ? rd_intake_result_get_referring (fhir) : rd_intake_result_get_receiving (fhir);
      assert_same_string ("provider organisation", rd_provider_get_organization_name (ra),
                          rd_provider_get_organization_name (rb));
      assert_same_string ("provider phone", rd_provider_get_phone (ra), rd_provider_get_phone (rb));
      assert_same_string ("provider address", rd_provider_get_address (ra), rd_provider_get_address (rb));
    }

  /* The documented differences, so that a change in either importer that
   * closes or widens a gap is noticed. */
  g_assert_cmpstr (rd_patient_get_phone_home (pa), ==, "+12706009800");
  g_assert_null (rd_patient_get_phone_home (pb));
  g_assert_true (strv_mentions (rd_intake_result_get_notes (hl7), "Helicobacter pylori"));
  g_assert_false (strv_mentions (rd_intake_result_get_notes (fhir), "Helicobacter pylori"));
  g_assert_true (strv_mentions (rd_intake_result_get_notes (fhir), "Referral to Specialist"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/intake/corpus/hl7v2", test_hl7);
  g_test_add_func ("/intake/corpus/fhir", test_fhir);
  g_test_add_func ("/intake/corpus/eml", test_mail);
  g_test_add_func ("/intake/corpus/ref-i12-hl7-vs-fhir", test_hl7_vs_fhir);

  return g_test_run ();
}
