/* test-suggest.c — values proposed from a fax's text layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-model.h"
#include "rd-fax-synth.h"
#include "rd-pdf.h"
#include "rd-suggest.h"
#include "rd-test-util.h"

static GDate *
fixed_today (void)
{
  return g_date_new_dmy (27, G_DATE_NOVEMBER, 2026);
}

static gboolean
has (GPtrArray      *suggestions,
     RdSuggestField  field,
     const char     *value)
{
  for (guint i = 0; i < suggestions->len; i++)
    {
      RdSuggestion *s = g_ptr_array_index (suggestions, i);

      if (s->field == field && g_strcmp0 (s->value, value) == 0)
        return TRUE;
    }
  return FALSE;
}

static guint
count (GPtrArray      *suggestions,
       RdSuggestField  field)
{
  g_autoptr(GPtrArray) only = rd_suggest_filter (suggestions, field);

  return only->len;
}

static void
assert_has (GPtrArray      *suggestions,
            RdSuggestField  field,
            const char     *value)
{
  if (!has (suggestions, field, value))
    {
      g_autoptr(GString) all = g_string_new (NULL);

      for (guint i = 0; i < suggestions->len; i++)
        {
          RdSuggestion *s = g_ptr_array_index (suggestions, i);

          g_string_append_printf (all, " %s=%s", rd_suggest_field_to_string (s->field), s->value);
        }
      g_error ("expected %s = %s among:%s", rd_suggest_field_to_string (field), value, all->str);
    }
}

static void
on_text (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = rd_pdf_extract_text_finish (RD_PDF (source), result, &error);
  g_assert_no_error (error);
}

/* The text layer of a synthetic fax, read the way the page reads it. */
static char *
synthetic_fax_text (const RdFaxSynthValues *values)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = rd_fax_synth_render (values, &error);
  g_autoptr(RdPdf) pdf = NULL;
  char *text = NULL;

  g_assert_no_error (error);
  pdf = rd_pdf_new_from_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  rd_pdf_extract_text_async (pdf, -1, NULL, on_text, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);
  return text;
}

static void
test_synthetic_fax (void)
{
  g_autoptr(GDate) today = fixed_today ();

  for (guint32 seed = 1; seed <= 6; seed++)
    {
      g_autoptr(RdFaxSynthValues) v = rd_fax_synth_values_new (seed, 2);
      g_autofree char *text = synthetic_fax_text (v);
      g_autoptr(GPtrArray) s = rd_suggest_from_text (text, today);
      g_autofree char *name = g_strdup_printf ("%s, %s", v->patient_family, v->patient_given);
      g_autofree char *dob = rd_validate_dob (v->dob, today, NULL);
      g_autofree char *phone = rd_validate_phone (v->phone, NULL);
      g_autofree char *fax = rd_validate_phone (v->practice_fax, NULL);
      g_autofree char *practice_phone = rd_validate_phone (v->practice_phone, NULL);
      g_autofree char *to_fax = rd_validate_phone (v->to_fax, NULL);

      g_test_message ("seed %u: %u suggestions", seed, s->len);
      assert_has (s, RD_SUGGEST_PATIENT_NAME, name);
      assert_has (s, RD_SUGGEST_DOB, dob);
      assert_has (s, RD_SUGGEST_PHONE, phone);
      assert_has (s, RD_SUGGEST_MRN, v->mrn);
      assert_has (s, RD_SUGGEST_MEMBER_ID, v->member_id);
      assert_has (s, RD_SUGGEST_NPI, v->npi);
      assert_has (s, RD_SUGGEST_REFERRING_FAX, fax);
      for (guint i = 0; v->icd10[i] != NULL; i++)
        assert_has (s, RD_SUGGEST_ICD10, v->icd10[i]);
      g_assert_cmpuint (count (s, RD_SUGGEST_ICD10), ==, g_strv_length (v->icd10));

      /* The practice's own phone and the receiving fax are not the patient's. */
      g_assert_false (has (s, RD_SUGGEST_PHONE, practice_phone));
      g_assert_false (has (s, RD_SUGGEST_PHONE, to_fax));
      g_assert_false (has (s, RD_SUGGEST_REFERRING_FAX, to_fax));

      /* The first name and date of birth are found on the first page. */
      {
        g_autoptr(GPtrArray) names = rd_suggest_filter (s, RD_SUGGEST_PATIENT_NAME);
        RdSuggestion *first = g_ptr_array_index (names, 0);

        g_assert_cmpuint (names->len, ==, 1);
        g_assert_cmpuint (first->page, ==, 0);
        g_assert_nonnull (first->label);
      }
    }
}

static void
test_hand_written (void)
{
  g_autoptr(GDate) today = fixed_today ();
  const char *text =
    "Riverside Family Practice\n"
    "Referral to cardiology\n"
    "Pt Name: Jane Q. Doe\n"
    "Date of birth: 3/7/1961   Gender: F\n"
    "Home phone: 555.201.3344 Office phone: (555) 201-9999\n"
    "Medical record #: A-88123\n"
    "Subscriber ID: XKZ 99812\n"
    "Provider NPI 1234567893, group NPI: 1234567890\n"
    "Dx: I10, e11.9, R07.89\n"
    "Return fax: 1-555-201-7777\n";
  g_autoptr(GPtrArray) s = rd_suggest_from_text (text, today);

  assert_has (s, RD_SUGGEST_PATIENT_NAME, "Doe, Jane");
  assert_has (s, RD_SUGGEST_DOB, "1961-03-07");
  assert_has (s, RD_SUGGEST_SEX, "female");
  assert_has (s, RD_SUGGEST_PHONE, "+15552013344");
  assert_has (s, RD_SUGGEST_MRN, "A-88123");
  assert_has (s, RD_SUGGEST_MEMBER_ID, "XKZ 99812");
  assert_has (s, RD_SUGGEST_NPI, "1234567893");
  assert_has (s, RD_SUGGEST_ICD10, "I10");
  assert_has (s, RD_SUGGEST_ICD10, "E11.9");
  assert_has (s, RD_SUGGEST_ICD10, "R07.89");
  assert_has (s, RD_SUGGEST_REFERRING_FAX, "+15552017777");

  /* Only check-digit-valid NPIs; never the office's phone as the patient's. */
  g_assert_false (has (s, RD_SUGGEST_NPI, "1234567890"));
  g_assert_cmpuint (count (s, RD_SUGGEST_NPI), ==, 1);
  g_assert_false (has (s, RD_SUGGEST_PHONE, "+15552019999"));
}

static void
test_refuses_invalid (void)
{
  g_autoptr(GDate) today = fixed_today ();
  const char *text =
    "PATIENT\n"
    "DOB: 02/30/1980\n"
    "Phone: 123-456\n"
    "NPI: 1234567890\n"
    "Seen in room B12 at 10:30, BP 148/92\n"
    "\f"
    "DOB: 01/01/2031\n"
    "MRN: pending\n";
  g_autoptr(GPtrArray) s = rd_suggest_from_text (text, today);

  /* An impossible date, a date in the future, a short phone number, a
   * wrong check digit, a room number and a word where an id should be
   * propose nothing. */
  g_assert_cmpuint (s->len, ==, 0);

  g_clear_pointer (&s, g_ptr_array_unref);
  s = rd_suggest_from_text ("", today);
  g_assert_cmpuint (s->len, ==, 0);
  g_clear_pointer (&s, g_ptr_array_unref);
  s = rd_suggest_from_text (NULL, today);
  g_assert_cmpuint (s->len, ==, 0);
}

static void
test_pages_and_labels (void)
{
  g_autoptr(GDate) today = fixed_today ();
  const char *text = "cover sheet\f\fMRN: 4411\nDOB: 1990-12-31\n";
  g_autoptr(GPtrArray) s = rd_suggest_from_text (text, today);
  RdSuggestion *mrn;

  g_assert_cmpuint (s->len, ==, 2);
  mrn = g_ptr_array_index (s, 0);
  g_assert_cmpint (mrn->field, ==, RD_SUGGEST_MRN);
  g_assert_cmpstr (mrn->value, ==, "4411");
  g_assert_cmpuint (mrn->page, ==, 2);
  g_assert_cmpstr (mrn->label, ==, "MRN");
}

static void
test_split_name (void)
{
  g_autofree char *family = NULL;
  g_autofree char *given = NULL;

  g_assert_true (rd_suggest_split_name ("Okonkwo-Lind, Marisol", &family, &given));
  g_assert_cmpstr (family, ==, "Okonkwo-Lind");
  g_assert_cmpstr (given, ==, "Marisol");
  g_clear_pointer (&family, g_free);
  g_clear_pointer (&given, g_free);
  g_assert_false (rd_suggest_split_name ("Cher", &family, &given));
  g_assert_null (family);
  g_assert_cmpstr (rd_suggest_field_to_string (RD_SUGGEST_REFERRING_FAX), ==, "referring-fax");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/documents/suggest/synthetic-fax", test_synthetic_fax);
  g_test_add_func ("/documents/suggest/hand-written", test_hand_written);
  g_test_add_func ("/documents/suggest/refuses-invalid", test_refuses_invalid);
  g_test_add_func ("/documents/suggest/pages-and-labels", test_pages_and_labels);
  g_test_add_func ("/documents/suggest/split-name", test_split_name);

  return g_test_run ();
}
