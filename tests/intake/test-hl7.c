/* test-hl7.c — the HL7 v2 parser, referral mapping and ACK builder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-hl7.h"
#include "rd-intake.h"
#include "rd-test-util.h"

/* A synthetic referral, written for these tests. Segments are joined with
 * the separator each test chooses. */
static const char * const referral_segments[] = {
  "MSH|^~\\&|EHRAPP|NORTHCLINIC|RDESK|CARDIO|20250301083000-0500||REF^I12^REF_I12|CTRL-0001|P|2.5.1",
  "RF1|P^Pending^HL70283|S^STAT^HL70280|Med^Medical^HL70281||O^Outpatient|REF-7781^EHR|20250301|20250601||CP^Chest pain^L",
  "PRD|RP^Referring Provider^HL70286|Okafor^Ngozi^A^^DR|12 Elm St^Suite 4^Springfield^IL^62701||^WPN^PH^^1^217^5550142~^WPN^FX^^1^217^5550143||1234567893^NPI",
  "PRD|RT^Referred to Provider^HL70286|Lindqvist^Erik|||^WPN^PH^^^^^^^^^(217) 555-0199||9999999999^NPI|||Heart Partners LLC",
  "PID|1||44556677^^^NORTH^MR~123-45-6789^^^SSA^SS||Nguyen^Thi^Mai||19721103|F|||400 Oak Ave^Apt 2^Springfield^IL^62704||^PRN^PH^^^217^5550100~^ORN^CP^^^217^5550101~^NET^Internet^thi@example.org|||||||||",
  "IN1|1|GOLD^Gold PPO|PAYER01|Prairie Health Plan||||GRP-42||||||||Nguyen^Thi|SEL^Self|||||||||||||||||||POL-1|||||||||||||MEM-900123",
  "DG1|1||I20.9^Angina pectoris, unspecified^I10|||F",
  "DG1|2||427.9^Dysrhythmia^I9C|||F",
  "DG1|3||R07.89^Other chest pain^I10|||F",
  "PR1|1||93306^Echocardiography^C4",
  "PR1|2||76164006^Biopsy of colon^SCT",
  "NTE|1||Patient reports pain on exertion \\T\\ at rest.~Second line \\F\\ with bar.",
  "OBX|1|ST|8867-4^Heart rate^LN||92|/min",
  NULL
};

static char *
join_segments (const char * const *segments,
               const char         *separator)
{
  return g_strjoinv (separator, (char **) segments);
}

static RdHl7Message *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  RdHl7Message *msg = rd_hl7_message_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (msg);
  return msg;
}

static void
assert_parse_error (const char *text,
                    gsize       len,
                    int         code,
                    const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdHl7Message) msg = rd_hl7_message_parse (text, len, &error);

  g_assert_null (msg);
  g_assert_error (error, RD_INTAKE_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
}

static void
test_line_endings (void)
{
  const char *separators[] = { "\r", "\n", "\r\n", "\n\r\n" };

  for (guint i = 0; i < G_N_ELEMENTS (separators); i++)
    {
      g_autofree char *text = join_segments (referral_segments, separators[i]);
      g_autoptr(RdHl7Message) msg = parse_ok (text);
      g_autofree char *family = rd_hl7_message_get (msg, "PID", 5, 1);
      g_autofree char *obx = rd_hl7_message_get (msg, "OBX", 5, 0);

      g_assert_cmpuint (rd_hl7_message_get_n_segments (msg), ==, 13);
      g_assert_cmpstr (rd_hl7_message_get_segment_name (msg, 4), ==, "PID");
      g_assert_cmpstr (family, ==, "Nguyen");
      /* The last value must not carry the line ending with it. */
      g_assert_cmpstr (obx, ==, "92");
    }
}

static void
test_bom_and_garbage (void)
{
  g_autofree char *text = join_segments (referral_segments, "\r");
  g_autofree char *with_bom = g_strconcat ("\xEF\xBB\xBF", text, NULL);
  g_autofree char *with_blank = g_strconcat ("\r\n\r\n", text, NULL);
  g_autofree char *with_garbage = g_strconcat ("\x0bXYZ", text, NULL);
  g_autoptr(RdHl7Message) a = parse_ok (with_bom);
  g_autoptr(RdHl7Message) b = parse_ok (with_blank);
  g_autofree char *type = rd_hl7_message_dup_message_type (a);

  g_assert_cmpstr (type, ==, "REF^I12");
  g_assert_cmpuint (rd_hl7_message_get_n_segments (b), ==, 13);

  assert_parse_error (with_garbage, strlen (with_garbage), RD_INTAKE_ERROR_MALFORMED,
                      "MSH");
  assert_parse_error ("", 0, RD_INTAKE_ERROR_MALFORMED, "empty");
  assert_parse_error ("\0\0MSH|^~\\&|", 12, RD_INTAKE_ERROR_MALFORMED, "MSH");
  assert_parse_error ("FHS|^~\\&|\rBHS|^~\\&|\r", 20, RD_INTAKE_ERROR_UNSUPPORTED, "batch");
}

static void
test_encoding_characters (void)
{
  g_autoptr(RdHl7Message) msg = NULL;
  g_autofree char *v = NULL;

  assert_parse_error ("MSH||A|B|C", 10, RD_INTAKE_ERROR_MALFORMED, "MSH-2");
  assert_parse_error ("MSHX^~\\&X", 9, RD_INTAKE_ERROR_MALFORMED, "MSH-1");
  assert_parse_error ("MSH|^^\\&|", 9, RD_INTAKE_ERROR_MALFORMED, "MSH-2");
  assert_parse_error ("MSH|^~\\&#!|", 11, RD_INTAKE_ERROR_MALFORMED, "MSH-2");

  /* Custom delimiters: fields "#", components "*", repetitions "$",
   * escape "!", subcomponents "@". */
  msg = parse_ok ("MSH#*$!@#APP#FAC#####REF*I12#C1#P#2.5\r"
                  "PID#1##ID1*ABC***MR$ID2#####Doe*Jo!F!n@sub*X\r");
  g_assert_cmpint (rd_hl7_message_get_field_separator (msg), ==, '#');
  g_assert_cmpstr (rd_hl7_message_get_encoding_characters (msg), ==, "*$!@");
  g_assert_cmpstr (rd_hl7_message_get_raw_field (msg, 0, 1), ==, "#");
  g_assert_cmpstr (rd_hl7_message_get_raw_field (msg, 0, 2), ==, "*$!@");
  v = rd_hl7_message_dup_message_type (msg);
  g_assert_cmpstr (v, ==, "REF^I12");
  g_clear_pointer (&v, g_free);
  v = rd_hl7_message_get_value (msg, 1, 3, 1, 1, 0);
  g_assert_cmpstr (v, ==, "ID2");
  g_clear_pointer (&v, g_free);
  v = rd_hl7_message_get_value (msg, 1, 3, 0, 5, 0);
  g_assert_cmpstr (v, ==, "MR");
  g_clear_pointer (&v, g_free);
  /* "!F!" is the escaped field separator "#". */
  v = rd_hl7_message_get_value (msg, 1, 8, 0, 2, 1);
  g_assert_cmpstr (v, ==, "Jo#n");
  g_clear_pointer (&v, g_free);
  v = rd_hl7_message_get_value (msg, 1, 8, 0, 2, 2);
  g_assert_cmpstr (v, ==, "sub");
  g_clear_pointer (&v, g_free);
  g_assert_cmpuint (rd_hl7_message_get_n_repetitions (msg, 1, 3), ==, 2);
}

static void
test_escapes (void)
{
  g_autoptr(RdHl7Message) msg =
    parse_ok ("MSH|^~\\&|A|B|C|D|20250101||REF^I12|1|P|2.5\r"
              "NTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\r"
              "NTE|2||hex \\X48494A\\ odd \\X4\\ bad \\XZZ\\ end\r"
              "NTE|3||line one\\.br\\line two \\H\\bold\\N\\ \\Zcustom\\ \\Q\\\r"
              "NTE|4||unterminated \\F and a \\ lone\r"
              "NTE|5||caf\xe9 latin\r"
              "NTE|6||ctl \\X07\\ bell\r");
  const char *expected[] = {
    "a|b^c&d~e\\f",
    "hex HIJ odd X4 bad XZZ end",
    "line one\nline two bold  \\Q\\",
    "unterminated \\F and a \\ lone",
    "café latin",
    "ctl   bell",
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *v = rd_hl7_message_get_value (msg, i + 1, 3, 0, 0, 0);
      g_assert_cmpstr (v, ==, expected[i]);
    }
}

static void
test_getters (void)
{
  g_autofree char *text = join_segments (referral_segments, "\r");
  g_autoptr(RdHl7Message) msg = parse_ok (text);
  int prd = rd_hl7_message_find_segment (msg, "PRD", 0);
  int prd2 = rd_hl7_message_find_segment (msg, "PRD", (guint) prd + 1);
  g_autofree char *v = NULL;

  g_assert_cmpint (prd, ==, 2);
  g_assert_cmpint (prd2, ==, 3);
  g_assert_cmpint (rd_hl7_message_find_segment (msg, "ZZZ", 0), ==, -1);
  g_assert_cmpint (rd_hl7_message_find_segment (msg, "PRD", 100), ==, -1);
  g_assert_null (rd_hl7_message_get_segment_name (msg, 100));
  g_assert_cmpuint (rd_hl7_message_get_n_fields (msg, 0), ==, 12);
  g_assert_null (rd_hl7_message_get_raw_field (msg, 0, 13));
  g_assert_null (rd_hl7_message_get_value (msg, 4, 99, 0, 0, 0));
  g_assert_null (rd_hl7_message_get_value (msg, 4, 3, 9, 1, 1));
  g_assert_null (rd_hl7_message_get_value (msg, 4, 3, 0, 30, 1));

  v = rd_hl7_message_get_value (msg, (guint) prd, 5, 1, 3, 0);
  g_assert_cmpstr (v, ==, "FX");
  g_clear_pointer (&v, g_free);
  v = rd_hl7_message_dup_control_id (msg);
  g_assert_cmpstr (v, ==, "CTRL-0001");
}

static void
test_limits (void)
{
  g_autoptr(GString) big = g_string_new ("MSH|^~\\&|A|B|C|D|1||REF^I12|1|P|2.5\r");
  g_autoptr(GString) many = g_string_new ("MSH|^~\\&|A|B|C|D|1||REF^I12|1|P|2.5\r");
  g_autoptr(GString) wide = g_string_new ("MSH|^~\\&|A|B|C|D|1||REF^I12|1|P|2.5\rNTE");

  while (big->len <= RD_HL7_MAX_MESSAGE_SIZE)
    g_string_append (big, "NTE|1||0123456789012345678901234567890123456789\r");
  assert_parse_error (big->str, big->len, RD_INTAKE_ERROR_TOO_LARGE, "KiB");

  for (guint i = 0; i < RD_HL7_MAX_SEGMENTS + 1; i++)
    g_string_append (many, "NTE\r");
  assert_parse_error (many->str, many->len, RD_INTAKE_ERROR_TOO_LARGE, "segments");

  for (guint i = 0; i < RD_HL7_MAX_FIELDS + 1; i++)
    g_string_append_c (wide, '|');
  assert_parse_error (wide->str, wide->len, RD_INTAKE_ERROR_TOO_LARGE, "fields");

  assert_parse_error ("MSH|^~\\&|A\rPID|1\rnot a segment\r", 30,
                      RD_INTAKE_ERROR_MALFORMED, "Line 3");
  assert_parse_error ("MSH|^~\\&|A\rPID|1\rMSH|^~\\&|B\r", 27,
                      RD_INTAKE_ERROR_MALFORMED, "more than one");
}

static void
test_timestamp (void)
{
  struct { const char *text; const char *iso; } cases[] = {
    { "20250301083000-0500", "2025-03-01T13:30:00Z" },
    { "202503010830", "2025-03-01T08:30:00Z" },
    { "20250301", "2025-03-01T00:00:00Z" },
    { "2025", "2025-01-01T00:00:00Z" },
    { "20250301083000.1234+0100", "2025-03-01T07:30:00Z" },
    { "20251301", NULL },
    { "2025030", NULL },
    { "abc", NULL },
    { "20250301+01", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) dt = rd_hl7_parse_timestamp (cases[i].text);
      g_autoptr(GDateTime) utc = NULL;
      g_autofree char *iso = NULL;

      if (cases[i].iso == NULL)
        {
          g_assert_null (dt);
          continue;
        }
      g_assert_nonnull (dt);
      utc = g_date_time_to_utc (dt);
      iso = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
      g_assert_cmpstr (iso, ==, cases[i].iso);
    }
}

static RdIntakeResult *
import_text (const char *text,
             GError    **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return rd_hl7_import (bytes, NULL, error);
}

static gboolean
strv_contains_prefix (const char * const *strv,
                      const char         *prefix)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (strstr (strv[i], prefix) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_referral (void)
{
  g_autofree char *text = join_segments (referral_segments, "\r\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) result = import_text (text, &error);
  RdReferral *referral;
  RdPatient *patient;
  RdProvider *referring, *receiving;
  RdCoverage *coverage;
  const char * const *codes;
  const char * const *notes;
  const char * const *warnings;
  g_autofree char *from = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpint (rd_intake_result_get_event (result), ==, RD_INTAKE_EVENT_NEW);
  g_assert_cmpstr (rd_intake_result_get_message_type (result), ==, "REF^I12");
  g_assert_cmpstr (rd_intake_result_get_message_id (result), ==, "CTRL-0001");
  g_assert_cmpstr (rd_intake_result_get_sender (result), ==, "EHRAPP (NORTHCLINIC)");
  g_assert_cmpstr (rd_intake_result_get_external_status (result), ==, "P");

  referral = rd_intake_result_get_referral (result);
  g_assert_nonnull (referral);
  g_assert_cmpstr (rd_referral_get_number (referral), ==, "REF-7781");
  g_assert_cmpint (rd_referral_get_priority (referral), ==, RD_PRIORITY_STAT);
  g_assert_cmpint (rd_referral_get_status (referral), ==, RD_STATUS_NEW);
  g_assert_cmpint (rd_referral_get_direction (referral), ==, RD_DIRECTION_INCOMING);
  g_assert_cmpstr (rd_referral_get_channel (referral), ==, "hl7v2");
  g_assert_cmpstr (rd_referral_get_reason (referral), ==, "Chest pain");
  g_assert_cmpstr (rd_referral_get_specialty (referral), ==, "Medical");
  g_assert_cmpstr (rd_referral_get_patient_name (referral), ==, "Nguyen, Thi Mai");
  g_assert_cmpstr (rd_referral_get_patient_dob (referral), ==, "1972-11-03");
  g_assert_cmpstr (rd_referral_get_patient_mrn (referral), ==, "44556677");
  g_assert_cmpstr (rd_referral_get_referring_name (referral), ==, "Ngozi A Okafor");
  g_assert_cmpstr (rd_referral_get_receiving_name (referral), ==, "Erik Lindqvist");
  g_assert_cmpstr (rd_referral_get_payer_name (referral), ==, "Prairie Health Plan");
  g_assert_cmpstr (rd_referral_get_idempotency_key (referral), ==, "hl7v2:EHRAPP|NORTHCLINIC|CTRL-0001");
  g_assert_nonnull (rd_referral_get_received_at (referral));
  from = g_date_time_format (rd_intake_result_get_valid_from (result), "%F");
  g_assert_cmpstr (from, ==, "2025-03-01");

  codes = rd_referral_get_diagnoses (referral);
  g_assert_nonnull (codes);
  g_assert_cmpuint (g_strv_length ((char **) codes), ==, 2);
  g_assert_cmpstr (codes[0], ==, "I20.9");
  g_assert_cmpstr (codes[1], ==, "R07.89");
  codes = rd_referral_get_procedures (referral);
  g_assert_cmpuint (g_strv_length ((char **) codes), ==, 1);
  g_assert_cmpstr (codes[0], ==, "93306");

  patient = rd_intake_result_get_patient (result);
  g_assert_cmpstr (rd_patient_get_family_name (patient), ==, "Nguyen");
  g_assert_cmpstr (rd_patient_get_given_name (patient), ==, "Thi");
  g_assert_cmpstr (rd_patient_get_middle_name (patient), ==, "Mai");
  g_assert_cmpstr (rd_patient_get_sex (patient), ==, "F");
  g_assert_cmpstr (rd_patient_get_phone_home (patient), ==, "+12175550100");
  g_assert_cmpstr (rd_patient_get_phone_mobile (patient), ==, "+12175550101");
  g_assert_cmpstr (rd_patient_get_email (patient), ==, "thi@example.org");
  g_assert_cmpstr (rd_patient_get_address_line1 (patient), ==, "400 Oak Ave");
  g_assert_cmpstr (rd_patient_get_address_line2 (patient), ==, "Apt 2");
  g_assert_cmpstr (rd_patient_get_city (patient), ==, "Springfield");
  g_assert_cmpstr (rd_patient_get_state (patient), ==, "IL");
  g_assert_cmpstr (rd_patient_get_zip (patient), ==, "62704");

  referring = rd_intake_result_get_referring (result);
  g_assert_cmpstr (rd_provider_get_npi (referring), ==, "1234567893");
  g_assert_cmpstr (rd_provider_get_phone (referring), ==, "+12175550142");
  g_assert_cmpstr (rd_provider_get_fax (referring), ==, "+12175550143");
  g_assert_cmpstr (rd_provider_get_address (referring), ==, "12 Elm St Suite 4, Springfield, IL 62701");
  receiving = rd_intake_result_get_receiving (result);
  /* 9999999999 fails the check digit: left out with a warning. */
  g_assert_null (rd_provider_get_npi (receiving));
  g_assert_cmpstr (rd_provider_get_phone (receiving), ==, "+12175550199");
  g_assert_cmpstr (rd_provider_get_organization_name (receiving), ==, "Heart Partners LLC");

  g_assert_cmpuint (rd_intake_result_get_coverages (result)->len, ==, 1);
  coverage = g_ptr_array_index (rd_intake_result_get_coverages (result), 0);
  g_assert_cmpstr (rd_coverage_get_payer_name (coverage), ==, "Prairie Health Plan");
  g_assert_cmpstr (rd_coverage_get_plan_name (coverage), ==, "Gold PPO");
  g_assert_cmpstr (rd_coverage_get_member_id (coverage), ==, "MEM-900123");
  g_assert_cmpstr (rd_coverage_get_group_number (coverage), ==, "GRP-42");
  g_assert_cmpstr (rd_coverage_get_subscriber_name (coverage), ==, "Thi Nguyen");
  g_assert_cmpstr (rd_coverage_get_relationship (coverage), ==, "Self");
  g_assert_cmpstr (rd_coverage_get_source (coverage), ==, "hl7v2");

  notes = rd_intake_result_get_notes (result);
  g_assert_cmpstr (notes[0], ==, "Patient reports pain on exertion & at rest.\nSecond line | with bar.");
  g_assert_cmpstr (notes[1], ==, "Heart rate: 92");
  g_assert_null (notes[2]);
  g_assert_nonnull (strstr (rd_referral_get_notes (referral), "Heart rate: 92"));

  warnings = rd_intake_result_get_warnings (result);
  g_assert_true (strv_contains_prefix (warnings, "427.9"));
  g_assert_true (strv_contains_prefix (warnings, "76164006"));
  g_assert_true (strv_contains_prefix (warnings, "9999999999"));
}

static void
test_refused (void)
{
  struct { const char *text; int code; const char *fragment; } cases[] = {
    { "MSH|^~\\&|A|B|C|D|1||ADT^A01^ADT_A01|1|P|2.5\rPID|1||X\r",
      RD_INTAKE_ERROR_UNSUPPORTED, "ADT^A01" },
    { "MSH|^~\\&|A|B|C|D|1||ORM^O01|1|P|2.5\rPID|1||X\r",
      RD_INTAKE_ERROR_UNSUPPORTED, "ORM^O01" },
    { "MSH|^~\\&|A|B|C|D|1||REF^I99|1|P|2.5\rPID|1||X\r",
      RD_INTAKE_ERROR_UNSUPPORTED, "REF^I99" },
    { "MSH|^~\\&|A|B|C|D|1|||1|P|2.5\rPID|1||X\r",
      RD_INTAKE_ERROR_MALFORMED, "MSH-9" },
    { "MSH|^~\\&|A|B|C|D|1||REF^I12|1|P|2.5\rRF1|P\r",
      RD_INTAKE_ERROR_MISSING, "PID" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RdIntakeResult) result = import_text (cases[i].text, &error);

      g_assert_null (result);
      g_assert_error (error, RD_INTAKE_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("“%s” does not mention “%s”", error->message, cases[i].fragment);
    }
}

static void
test_events (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) cancel =
    import_text ("MSH|^~\\&|A|B|C|D|1||REF^I14|9|P|2.5\rRF1|P|R||||R-1\rPID|1||M1^^^^MR\r", &error);
  g_autoptr(RdIntakeResult) query = NULL;
  g_autoptr(RdIntakeResult) plain = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (rd_intake_result_get_event (cancel), ==, RD_INTAKE_EVENT_CANCEL);
  g_assert_cmpint (rd_referral_get_status (rd_intake_result_get_referral (cancel)), ==,
                   RD_STATUS_CANCELLED);

  query = import_text ("MSH|^~\\&|A|B|C|D|1||REF^I15|9|P|2.5\rRF1|P|R||||R-2\rPID|1||M1\rPRD|RP|X^Y\r",
                       &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_intake_result_get_event (query), ==, RD_INTAKE_EVENT_STATUS_QUERY);
  g_assert_cmpstr (rd_referral_get_number (rd_intake_result_get_referral (query)), ==, "R-2");
  /* A status query does not bring providers along. */
  g_assert_null (rd_intake_result_get_referring (query));

  plain = import_text ("MSH|^~\\&|A|B|C|D|1||REF^I12|9|P|2.5\rPID|1||M1\r", &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_referral_get_priority (rd_intake_result_get_referral (plain)), ==,
                   RD_PRIORITY_ROUTINE);
  g_assert_true (strv_contains_prefix (rd_intake_result_get_warnings (plain), "RF1"));
}

static void
test_embedded_document (void)
{
  static const char pdf[] = "%PDF-1.4\n%%EOF\n";
  g_autofree char *b64 = g_base64_encode ((const guchar *) pdf, sizeof pdf - 1);
  g_autofree char *text = g_strdup_printf (
    "MSH|^~\\&|A|B|C|D|1||REF^I12|9|P|2.5\r"
    "PID|1||M1\r"
    "OBX|1|ED|11488-4^Consult note^LN||^AP^PDF^Base64^%s\r"
    "OBX|2|ED|11488-4^Other^LN||^AP^PDF^Base64^bm90IGEgcGRm\r"
    "OBX|3|RP|11488-4^Link^LN||http://example.org/doc.pdf\r", b64);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) result = import_text (text, &error);
  GPtrArray *documents;
  RdIntakeDocument *document;

  g_assert_no_error (error);
  documents = rd_intake_result_get_documents (result);
  g_assert_cmpuint (documents->len, ==, 1);
  document = g_ptr_array_index (documents, 0);
  g_assert_cmpstr (rd_intake_document_get_file_name (document), ==, "Consult note.pdf");
  g_assert_cmpuint (g_bytes_get_size (rd_intake_document_get_bytes (document)), ==, sizeof pdf - 1);
  g_assert_cmpstr (rd_document_get_received_via (rd_intake_document_get_metadata (document)), ==, "hl7v2");
  g_assert_true (strv_contains_prefix (rd_intake_result_get_warnings (result), "not a readable PDF"));
  g_assert_true (strv_contains_prefix (rd_intake_result_get_warnings (result), "points at a document"));
  /* The base64 text is not a note. */
  g_assert_null (rd_intake_result_get_notes (result)[0]);
}

static void
test_ack (void)
{
  g_autoptr(RdHl7Message) request =
    parse_ok ("MSH|^~\\&|EHRAPP|NORTH|RDESK|CARDIO|20250301||REF^I12^REF_I12|CTRL-9|P|2.5.1\rPID|1\r");
  g_autoptr(GDateTime) now = g_date_time_new_utc (2025, 3, 1, 12, 0, 0);
  g_autofree char *aa = rd_hl7_build_ack (request, RD_HL7_ACK_AA, NULL, "ACK-1", now);
  g_autoptr(GError) error = g_error_new_literal (RD_INTAKE_ERROR, RD_INTAKE_ERROR_UNSUPPORTED,
                                                 "Not a referral | see ^ here");
  g_autofree char *ar = rd_hl7_build_ack (request, RD_HL7_ACK_AR, error, "ACK-2", now);
  g_autofree char *bare = rd_hl7_build_ack (NULL, RD_HL7_ACK_AR, error, "ACK-3", now);
  g_autoptr(RdHl7Message) ack = parse_ok (aa);
  g_autoptr(RdHl7Message) nack = parse_ok (ar);
  g_autoptr(RdHl7Message) bare_msg = parse_ok (bare);
  g_autofree char *v = NULL;

  g_assert_true (g_str_has_prefix (aa, "MSH|^~\\&|RDESK|CARDIO|EHRAPP|NORTH|20250301120000+0000||ACK^I12^ACK|ACK-1|P|2.5.1\r"));
  g_assert_nonnull (strstr (aa, "\rMSA|AA|CTRL-9\r"));
  g_assert_null (strstr (aa, "ERR"));

  v = rd_hl7_message_get (nack, "MSA", 1, 0);
  g_assert_cmpstr (v, ==, "AR");
  g_clear_pointer (&v, g_free);
  v = rd_hl7_message_get (nack, "MSA", 2, 0);
  g_assert_cmpstr (v, ==, "CTRL-9");
  g_clear_pointer (&v, g_free);
  v = rd_hl7_message_get (nack, "ERR", 3, 1);
  g_assert_cmpstr (v, ==, "200");
  g_clear_pointer (&v, g_free);
  v = rd_hl7_message_get (nack, "ERR", 4, 0);
  g_assert_cmpstr (v, ==, "E");
  g_clear_pointer (&v, g_free);
  /* The text survives the trip through escaping. */
  v = rd_hl7_message_get (nack, "ERR", 8, 0);
  g_assert_cmpstr (v, ==, "Not a referral | see ^ here");
  g_clear_pointer (&v, g_free);
  v = rd_hl7_message_get (nack, "MSH", 3, 0);
  g_assert_cmpstr (v, ==, "RDESK");
  g_clear_pointer (&v, g_free);

  v = rd_hl7_message_get (bare_msg, "MSA", 1, 0);
  g_assert_cmpstr (v, ==, "AR");
  g_clear_pointer (&v, g_free);
  g_assert_null (rd_hl7_message_get (bare_msg, "MSA", 2, 0));
  v = rd_hl7_message_get (bare_msg, "MSH", 10, 0);
  g_assert_cmpstr (v, ==, "ACK-3");
}

static void
test_ack_custom_delimiters (void)
{
  g_autoptr(RdHl7Message) request =
    parse_ok ("MSH#*$!@#APP#FAC#ME#US#1##REF*I12#C-7#P#2.5\rPID#1\r");
  g_autoptr(GError) error = g_error_new_literal (RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                                                 "Missing # and * here");
  g_autofree char *ack = rd_hl7_build_ack (request, RD_HL7_ACK_AE, error, "A#1", NULL);
  g_autoptr(RdHl7Message) parsed = parse_ok (ack);
  g_autofree char *v = rd_hl7_message_get (parsed, "ERR", 8, 0);
  g_autofree char *id = rd_hl7_message_get (parsed, "MSH", 10, 0);
  g_autofree char *ctl = rd_hl7_message_get (parsed, "MSA", 2, 0);
  g_autofree char *code = rd_hl7_message_get (parsed, "ERR", 3, 1);

  g_assert_true (g_str_has_prefix (ack, "MSH#*$!@#ME#US#APP#FAC#"));
  g_assert_cmpstr (v, ==, "Missing # and * here");
  g_assert_cmpstr (id, ==, "A#1");
  g_assert_cmpstr (ctl, ==, "C-7");
  g_assert_cmpstr (code, ==, "101");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/intake/hl7/parse/line-endings", test_line_endings);
  g_test_add_func ("/intake/hl7/parse/bom-and-garbage", test_bom_and_garbage);
  g_test_add_func ("/intake/hl7/parse/encoding-characters", test_encoding_characters);
  g_test_add_func ("/intake/hl7/parse/escapes", test_escapes);
  g_test_add_func ("/intake/hl7/parse/getters", test_getters);
  g_test_add_func ("/intake/hl7/parse/limits", test_limits);
  g_test_add_func ("/intake/hl7/timestamp", test_timestamp);
  g_test_add_func ("/intake/hl7/referral/i12", test_referral);
  g_test_add_func ("/intake/hl7/referral/refused", test_refused);
  g_test_add_func ("/intake/hl7/referral/events", test_events);
  g_test_add_func ("/intake/hl7/referral/embedded-document", test_embedded_document);
  g_test_add_func ("/intake/hl7/ack/codes", test_ack);
  g_test_add_func ("/intake/hl7/ack/custom-delimiters", test_ack_custom_delimiters);

  return g_test_run ();
}
