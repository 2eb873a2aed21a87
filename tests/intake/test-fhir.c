/* test-fhir.c — the FHIR R4 importer on hand-written bundles and resources
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-fhir.h"
#include "rd-intake.h"
#include "rd-test-util.h"

/* JSON written with single quotes for readability; turned into real JSON. */
static GBytes *
json (const char *text)
{
  char *copy = g_strdup (text);

  for (char *p = copy; *p; p++)
    if (*p == '\'')
      *p = '"';

  return g_bytes_new_take (copy, strlen (copy));
}

static RdIntakeResult *
import_ok (const char *text)
{
  g_autoptr(GBytes) bytes = json (text);
  g_autoptr(GError) error = NULL;
  RdIntakeResult *result = rd_fhir_import (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static void
assert_refused (const char *text,
                int         code,
                const char *fragment)
{
  g_autoptr(GBytes) bytes = json (text);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) result = rd_fhir_import (bytes, &error);

  g_assert_null (result);
  g_assert_error (error, RD_INTAKE_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
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

static char *
bundle_with_pdf (void)
{
  static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
  g_autofree char *b64 = g_base64_encode ((const guchar *) pdf, sizeof pdf - 1);

  return g_strdup_printf (
    "{'resourceType':'Bundle','type':'collection','entry':["
    " {'fullUrl':'urn:uuid:sr-1','resource':{'resourceType':'ServiceRequest','id':'sr-1',"
    "   'identifier':[{'system':'urn:ehr','value':'RQ-55'}],"
    "   'status':'active','intent':'order','priority':'stat',"
    "   'category':[{'coding':[{'system':'http://snomed.info/sct','code':'3457005','display':'Patient referral'}]},"
    "               {'text':'Cardiology'}],"
    "   'code':{'coding':[{'system':'http://www.ama-assn.org/go/cpt','code':'93306'},"
    "                      {'system':'http://snomed.info/sct','code':'40701008'}]},"
    "   'reasonCode':[{'coding':[{'system':'http://hl7.org/fhir/sid/icd-10-cm','code':'I20.9','display':'Angina'}]}],"
    "   'subject':{'reference':'urn:uuid:pat-1'},"
    "   'authoredOn':'2025-03-01T08:30:00-05:00',"
    "   'occurrencePeriod':{'start':'2025-03-01','end':'2025-06-01'},"
    "   'requester':{'reference':'PractitionerRole/role-1'},"
    "   'performer':[{'reference':'http://example.org/fhir/Organization/org-2'},"
    "                {'reference':'Practitioner/prac-2/_history/3'}],"
    "   'note':[{'text':'Pain on exertion.'}]}},"
    " {'fullUrl':'urn:uuid:pat-1','resource':{'resourceType':'Patient','id':'pat-1',"
    "   'identifier':[{'system':'http://hl7.org/fhir/sid/us-ssn','value':'123-45-6789'},"
    "                 {'type':{'coding':[{'code':'MR'}]},'value':'44556677'}],"
    "   'name':[{'use':'nickname','given':['Tee']},{'use':'official','family':'Nguyen','given':['Thi','Mai']}],"
    "   'birthDate':'1972-11-03','gender':'female',"
    "   'telecom':[{'system':'phone','use':'home','value':'(217) 555-0100'},"
    "              {'system':'phone','use':'mobile','value':'217.555.0101'},"
    "              {'system':'email','value':'thi@example.org'}],"
    "   'address':[{'line':['400 Oak Ave','Apt 2'],'city':'Springfield','state':'IL','postalCode':'627041234'}]}},"
    " {'fullUrl':'http://example.org/fhir/PractitionerRole/role-1','resource':{'resourceType':'PractitionerRole','id':'role-1',"
    "   'practitioner':{'reference':'Practitioner/prac-1'},'organization':{'reference':'Organization/org-1'},"
    "   'specialty':[{'text':'Family medicine'}],"
    "   'telecom':[{'system':'fax','value':'217-555-0143'}]}},"
    " {'fullUrl':'http://example.org/fhir/Practitioner/prac-1','resource':{'resourceType':'Practitioner','id':'prac-1',"
    "   'identifier':[{'system':'http://hl7.org/fhir/sid/us-npi','value':'1234567893'}],"
    "   'name':[{'family':'Okafor','given':['Ngozi']}],'telecom':[{'system':'phone','value':'2175550142'}]}},"
    " {'fullUrl':'http://example.org/fhir/Organization/org-1','resource':{'resourceType':'Organization','id':'org-1','name':'North Clinic'}},"
    " {'fullUrl':'http://example.org/fhir/Organization/org-2','resource':{'resourceType':'Organization','id':'org-2','name':'Heart Partners'}},"
    " {'fullUrl':'http://example.org/fhir/Practitioner/prac-2','resource':{'resourceType':'Practitioner','id':'prac-2',"
    "   'name':[{'family':'Lindqvist','given':['Erik']}]}},"
    " {'resource':{'resourceType':'Coverage','id':'cov-1','status':'active',"
    "   'beneficiary':{'reference':'urn:uuid:pat-1'},'subscriberId':'MEM-900123',"
    "   'payor':[{'reference':'Organization/payer-1'}],"
    "   'class':[{'type':{'coding':[{'code':'plan'}]},'value':'GOLD','name':'Gold PPO'},"
    "            {'type':{'coding':[{'code':'group'}]},'value':'GRP-42'}],"
    "   'relationship':{'coding':[{'code':'self','display':'Self'}]}}},"
    " {'resource':{'resourceType':'Organization','id':'payer-1','name':'Prairie Health Plan'}},"
    " {'resource':{'resourceType':'Condition','id':'c1','subject':{'reference':'urn:uuid:pat-1'},"
    "   'code':{'coding':[{'system':'http://hl7.org/fhir/sid/icd-10-cm','code':'R07.89'}]}}},"
    " {'resource':{'resourceType':'Condition','id':'c2','subject':{'reference':'Patient/someone-else'},"
    "   'code':{'coding':[{'system':'http://hl7.org/fhir/sid/icd-10-cm','code':'Z00.0'}]}}},"
    " {'resource':{'resourceType':'DocumentReference','id':'d1','status':'current','description':'Referral letter',"
    "   'content':[{'attachment':{'contentType':'application/pdf','title':'../../etc/passwd','data':'%s'}},"
    "              {'attachment':{'contentType':'application/pdf','url':'http://example.org/Binary/1'}},"
    "              {'attachment':{'contentType':'text/plain','title':'note.txt','data':'aGVsbG8='}},"
    "              {'attachment':{'contentType':'application/pdf','title':'fake.pdf','data':'aGVsbG8='}}]}}"
    "]}", b64);
}

static void
test_bundle (void)
{
  g_autofree char *text = bundle_with_pdf ();
  g_autoptr(RdIntakeResult) result = import_ok (text);
  RdReferral *referral = rd_intake_result_get_referral (result);
  RdPatient *patient = rd_intake_result_get_patient (result);
  RdProvider *referring = rd_intake_result_get_referring (result);
  RdProvider *receiving = rd_intake_result_get_receiving (result);
  GPtrArray *coverages = rd_intake_result_get_coverages (result);
  GPtrArray *documents = rd_intake_result_get_documents (result);
  const char * const *codes;
  RdIntakeDocument *document;
  g_autofree char *until = NULL;

  g_assert_cmpint (rd_intake_result_get_event (result), ==, RD_INTAKE_EVENT_NEW);
  g_assert_cmpstr (rd_intake_result_get_message_type (result), ==, "Bundle (collection)");
  g_assert_cmpstr (rd_intake_result_get_external_status (result), ==, "active");

  g_assert_nonnull (referral);
  g_assert_cmpstr (rd_referral_get_number (referral), ==, "RQ-55");
  g_assert_cmpint (rd_referral_get_priority (referral), ==, RD_PRIORITY_STAT);
  g_assert_cmpint (rd_referral_get_status (referral), ==, RD_STATUS_NEW);
  g_assert_cmpstr (rd_referral_get_channel (referral), ==, "fhir");
  g_assert_cmpstr (rd_referral_get_specialty (referral), ==, "Cardiology");
  g_assert_cmpstr (rd_referral_get_reason (referral), ==, "Angina");
  g_assert_cmpstr (rd_referral_get_patient_name (referral), ==, "Nguyen, Thi Mai");
  g_assert_cmpstr (rd_referral_get_patient_mrn (referral), ==, "44556677");
  g_assert_cmpstr (rd_referral_get_referring_name (referral), ==, "Ngozi Okafor");
  g_assert_cmpstr (rd_referral_get_receiving_name (referral), ==, "Erik Lindqvist");
  g_assert_cmpstr (rd_referral_get_payer_name (referral), ==, "Prairie Health Plan");
  g_assert_cmpstr (rd_referral_get_notes (referral), ==, "Pain on exertion.");
  until = g_date_time_format (rd_intake_result_get_valid_until (result), "%F");
  g_assert_cmpstr (until, ==, "2025-06-01");

  codes = rd_referral_get_diagnoses (referral);
  g_assert_cmpuint (g_strv_length ((char **) codes), ==, 2);
  g_assert_cmpstr (codes[0], ==, "I20.9");
  g_assert_cmpstr (codes[1], ==, "R07.89");
  codes = rd_referral_get_procedures (referral);
  g_assert_cmpuint (g_strv_length ((char **) codes), ==, 1);
  g_assert_cmpstr (codes[0], ==, "93306");

  g_assert_cmpstr (rd_patient_get_family_name (patient), ==, "Nguyen");
  g_assert_cmpstr (rd_patient_get_given_name (patient), ==, "Thi");
  g_assert_cmpstr (rd_patient_get_middle_name (patient), ==, "Mai");
  g_assert_cmpstr (rd_patient_get_dob (patient), ==, "1972-11-03");
  g_assert_cmpstr (rd_patient_get_sex (patient), ==, "F");
  g_assert_cmpstr (rd_patient_get_phone_home (patient), ==, "+12175550100");
  g_assert_cmpstr (rd_patient_get_phone_mobile (patient), ==, "+12175550101");
  g_assert_cmpstr (rd_patient_get_email (patient), ==, "thi@example.org");
  g_assert_cmpstr (rd_patient_get_zip (patient), ==, "62704-1234");
  g_assert_cmpstr (rd_patient_get_address_line2 (patient), ==, "Apt 2");

  g_assert_cmpstr (rd_provider_get_npi (referring), ==, "1234567893");
  g_assert_cmpstr (rd_provider_get_organization_name (referring), ==, "North Clinic");
  g_assert_cmpstr (rd_provider_get_specialty (referring), ==, "Family medicine");
  g_assert_cmpstr (rd_provider_get_phone (referring), ==, "+12175550142");
  g_assert_cmpstr (rd_provider_get_fax (referring), ==, "+12175550143");
  g_assert_nonnull (receiving);

  g_assert_cmpuint (coverages->len, ==, 1);
  g_assert_cmpstr (rd_coverage_get_member_id (g_ptr_array_index (coverages, 0)), ==, "MEM-900123");
  g_assert_cmpstr (rd_coverage_get_plan_name (g_ptr_array_index (coverages, 0)), ==, "Gold PPO");
  g_assert_cmpstr (rd_coverage_get_group_number (g_ptr_array_index (coverages, 0)), ==, "GRP-42");
  g_assert_cmpstr (rd_coverage_get_relationship (g_ptr_array_index (coverages, 0)), ==, "Self");

  g_assert_cmpuint (documents->len, ==, 1);
  document = g_ptr_array_index (documents, 0);
  /* Never a path: only the last element of the sender's name is kept. */
  g_assert_cmpstr (rd_intake_document_get_file_name (document), ==, "passwd.pdf");
  g_assert_cmpstr (rd_intake_document_get_media_type (document), ==, "application/pdf");
  g_assert_cmpstr (rd_document_get_note (rd_intake_document_get_metadata (document)), ==, "Referral letter");
  g_assert_cmpint (rd_document_get_size (rd_intake_document_get_metadata (document)), ==,
                   (gint64) g_bytes_get_size (rd_intake_document_get_bytes (document)));
  g_assert_cmpuint (strlen (rd_document_get_sha256 (rd_intake_document_get_metadata (document))), ==, 64);

  g_assert_true (strv_mentions (rd_intake_result_get_warnings (result), "only a link"));
  g_assert_true (strv_mentions (rd_intake_result_get_warnings (result), "fake.pdf"));
  g_assert_true (strv_mentions (rd_intake_result_get_skipped (result), "note.txt"));
}

static void
test_task (void)
{
  g_autoptr(RdIntakeResult) result = import_ok (
    "{'resourceType':'Bundle','type':'transaction','entry':["
    " {'fullUrl':'urn:uuid:t1','resource':{'resourceType':'Task','status':'requested','intent':'order',"
    "   'focus':{'reference':'urn:uuid:s2'}}},"
    " {'fullUrl':'urn:uuid:s1','resource':{'resourceType':'ServiceRequest','status':'active','intent':'order',"
    "   'identifier':[{'value':'WRONG'}],'subject':{'reference':'urn:uuid:p1'}}},"
    " {'fullUrl':'urn:uuid:s2','resource':{'resourceType':'ServiceRequest','status':'active','intent':'order',"
    "   'identifier':[{'value':'RIGHT'}],'priority':'urgent','subject':{'reference':'urn:uuid:p1'},"
    "   'requester':{'reference':'Practitioner/gone'}}},"
    " {'fullUrl':'urn:uuid:p1','resource':{'resourceType':'Patient','name':[{'family':'Doe','given':['Jo']}]}}"
    "]}");
  RdReferral *referral = rd_intake_result_get_referral (result);

  g_assert_cmpstr (rd_referral_get_number (referral), ==, "RIGHT");
  /* The requester is named but absent: said so, nothing invented. */
  g_assert_null (rd_intake_result_get_referring (result));
  g_assert_true (strv_mentions (rd_intake_result_get_warnings (result), "Practitioner/gone"));
  g_assert_cmpint (rd_referral_get_priority (referral), ==, RD_PRIORITY_URGENT);
  g_assert_cmpstr (rd_referral_get_patient_name (referral), ==, "Doe, Jo");
}

static void
test_single_resources (void)
{
  g_autoptr(RdIntakeResult) patient = import_ok (
    "{'resourceType':'Patient','id':'x','name':[{'family':'Doe','given':['Jo']}],'birthDate':'1990-02-03',"
    " 'gender':'other'}");
  g_autoptr(RdIntakeResult) practitioner = import_ok (
    "{'resourceType':'Practitioner','name':[{'family':'Bone','given':['Ron']}],"
    " 'identifier':[{'system':'http://hl7.org/fhir/sid/us-npi','value':'1234567893'}]}");
  g_autoptr(RdIntakeResult) request = import_ok (
    "{'resourceType':'ServiceRequest','status':'draft','intent':'plan',"
    " 'subject':{'reference':'Patient/elsewhere','display':'Jo Doe'}}");
  RdProvider *provider;

  g_assert_cmpint (rd_intake_result_get_event (patient), ==, RD_INTAKE_EVENT_DOCUMENTS);
  g_assert_null (rd_intake_result_get_referral (patient));
  g_assert_cmpstr (rd_patient_get_dob (rd_intake_result_get_patient (patient)), ==, "1990-02-03");
  g_assert_cmpstr (rd_patient_get_sex (rd_intake_result_get_patient (patient)), ==, "O");

  g_assert_cmpuint (rd_intake_result_get_providers (practitioner)->len, ==, 1);
  provider = g_ptr_array_index (rd_intake_result_get_providers (practitioner), 0);
  g_assert_cmpstr (rd_provider_get_name (provider), ==, "Ron Bone");
  g_assert_cmpstr (rd_provider_get_npi (provider), ==, "1234567893");

  /* Alone, a service request may point outside the file: kept, with a
   * warning and the display name. */
  g_assert_cmpstr (rd_referral_get_patient_name (rd_intake_result_get_referral (request)), ==, "Jo Doe");
  g_assert_true (strv_mentions (rd_intake_result_get_warnings (request), "Patient/elsewhere"));
}

static void
test_refused (void)
{
  g_autoptr(GString) deep = g_string_new ("{'resourceType':'Patient','x':");
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < RD_FHIR_MAX_DEPTH + 5; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < RD_FHIR_MAX_DEPTH + 5; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');

  g_assert_null (rd_fhir_import (empty, &error));
  g_assert_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED);

  assert_refused (deep->str, RD_INTAKE_ERROR_TOO_LARGE, "nests");
  assert_refused ("{'resourceType':", RD_INTAKE_ERROR_MALFORMED, "JSON");
  assert_refused ("[1,2,3]", RD_INTAKE_ERROR_MALFORMED, "resourceType");
  assert_refused ("{'id':'x'}", RD_INTAKE_ERROR_MALFORMED, "resourceType");
  assert_refused ("{'resourceType':'Patient','meta':{'fhirVersion':'5.0.0'}}",
                  RD_INTAKE_ERROR_UNSUPPORTED, "5.0.0");
  assert_refused ("{'resourceType':'Bundle','fhirVersion':'3.0.1','type':'collection'}",
                  RD_INTAKE_ERROR_UNSUPPORTED, "3.0.1");
  assert_refused ("{'resourceType':'ReferralRequest','status':'active'}",
                  RD_INTAKE_ERROR_UNSUPPORTED, "STU3");
  assert_refused ("{'resourceType':'ServiceRequest','status':'active','intent':'order',"
                  "'subject':{'reference':'Patient/1'},'reason':[{'concept':{'text':'x'}}]}",
                  RD_INTAKE_ERROR_UNSUPPORTED, "R5");
  assert_refused ("{'resourceType':'ServiceRequest','intent':'order','subject':{'reference':'Patient/1'}}",
                  RD_INTAKE_ERROR_MISSING, "status");
  assert_refused ("{'resourceType':'ServiceRequest','status':3,'intent':'order','subject':{'reference':'Patient/1'}}",
                  RD_INTAKE_ERROR_MISSING, "status");
  assert_refused ("{'resourceType':'ServiceRequest','status':'active','subject':{'reference':'Patient/1'}}",
                  RD_INTAKE_ERROR_MISSING, "intent");
  assert_refused ("{'resourceType':'ServiceRequest','status':'active','intent':'order'}",
                  RD_INTAKE_ERROR_MISSING, "subject");
  assert_refused ("{'resourceType':'Bundle','type':'collection','entry':[{'resource':"
                  "{'resourceType':'ServiceRequest','status':'active','intent':'order',"
                  "'subject':{'reference':'urn:uuid:nowhere'}}}]}",
                  RD_INTAKE_ERROR_MISSING, "urn:uuid:nowhere");
  assert_refused ("{'resourceType':'Task','status':'requested','intent':'order'}",
                  RD_INTAKE_ERROR_MISSING, "Task.focus");
  assert_refused ("{'resourceType':'Task','status':'requested','intent':'order','focus':{'reference':'ServiceRequest/9'}}",
                  RD_INTAKE_ERROR_MISSING, "ServiceRequest/9");
  assert_refused ("{'resourceType':'Bundle','type':'history','entry':[]}",
                  RD_INTAKE_ERROR_UNSUPPORTED, "history");
  assert_refused ("{'resourceType':'Bundle','entry':[]}",
                  RD_INTAKE_ERROR_MISSING, "Bundle.type");
  assert_refused ("{'resourceType':'Bundle','type':'searchset','entry':[{'resource':"
                  "{'resourceType':'DocumentReference','content':[{'attachment':{'url':'http://x/y.pdf','title':'Scan'}}]}}]}",
                  RD_INTAKE_ERROR_MISSING, "Scan");
  assert_refused ("{'resourceType':'Observation','status':'final'}",
                  RD_INTAKE_ERROR_MISSING, "Nothing");
  assert_refused ("{'resourceType':'ServiceRequest','status':'entered-in-error','intent':'order',"
                  "'subject':{'reference':'Patient/1'}}",
                  RD_INTAKE_ERROR_UNSUPPORTED, "error");
}

static void
test_hostile_shapes (void)
{
  /* Wrong types everywhere must be ignored, never crash. */
  g_autoptr(RdIntakeResult) result = import_ok (
    "{'resourceType':'Bundle','type':'collection','entry':["
    " 5, {'resource':7}, {'resource':{'resourceType':9}},"
    " {'fullUrl':3,'resource':{'resourceType':'ServiceRequest','status':'active','intent':'order',"
    "   'subject':{'reference':'urn:uuid:p'},'identifier':'nope','category':{'text':5},"
    "   'requester':[1],'performer':{'reference':4},'note':[{'text':['x']}],'reasonCode':7,"
    "   'code':{'coding':{'code':1}}}},"
    " {'fullUrl':'urn:uuid:p','resource':{'resourceType':'Patient','name':'x','birthDate':19610615,"
    "   'telecom':[null,{'value':5}],'address':[{'line':'one'}],'identifier':[{'type':'MR','value':[]}]}},"
    " {'resource':{'resourceType':'Coverage','payor':'x','class':[null],'beneficiary':[]}},"
    " {'resource':{'resourceType':'DocumentReference','content':[{'attachment':{'data':5}}]}}"
    "]}");

  g_assert_nonnull (rd_intake_result_get_referral (result));
  g_assert_nonnull (rd_intake_result_get_patient (result));
}

static void
test_dates (void)
{
  struct { const char *text; const char *iso; } cases[] = {
    { "1961-06-15", "1961-06-15T00:00:00Z" },
    { "1961-06", "1961-06-01T00:00:00Z" },
    { "1961", "1961-01-01T00:00:00Z" },
    { "2022-01-20T11:26:00+02:15", "2022-01-20T09:11:00Z" },
    { "2022-01-20T11:26:00Z", "2022-01-20T11:26:00Z" },
    { "1961-13-01", NULL },
    { "1961-02-30", NULL },
    { "61-06-15", NULL },
    { "yesterday", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) dt = rd_fhir_parse_date (cases[i].text);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/intake/fhir/bundle/referral", test_bundle);
  g_test_add_func ("/intake/fhir/bundle/task-focus", test_task);
  g_test_add_func ("/intake/fhir/single-resources", test_single_resources);
  g_test_add_func ("/intake/fhir/refused", test_refused);
  g_test_add_func ("/intake/fhir/hostile-shapes", test_hostile_shapes);
  g_test_add_func ("/intake/fhir/dates", test_dates);

  return g_test_run ();
}
