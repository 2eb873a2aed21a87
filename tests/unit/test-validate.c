/* test-validate.c — validators return normalised values or a reason
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-model.h"
#include "rd-test-util.h"

typedef char *(*Validator) (const char *, GError **);

static void
assert_valid (Validator    fn,
              const char  *input,
              const char  *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = fn (input, &error);

  if (error != NULL)
    g_error ("“%s” should be valid, got: %s", input, error->message);
  g_assert_cmpstr (out, ==, expected);
}

static void
assert_invalid (Validator   fn,
                const char *input,
                int         code,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = fn (input, &error);

  if (out != NULL)
    g_error ("“%s” should be refused, got “%s”", input ? input : "(null)", out);
  g_assert_error (error, RD_MODEL_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("message “%s” lacks “%s”", error->message, fragment);
}

static void
test_npi (void)
{
  assert_valid (rd_validate_npi, "1234567893", "1234567893");
  assert_valid (rd_validate_npi, " 1003000126 ", "1003000126");
  assert_valid (rd_validate_npi, "1497-758-544", "1497758544");

  assert_invalid (rd_validate_npi, "1234567890", RD_MODEL_ERROR_CHECK_DIGIT, "check digit");
  assert_invalid (rd_validate_npi, "123456789", RD_MODEL_ERROR_INVALID, "10 digits");
  assert_invalid (rd_validate_npi, "12345678931", RD_MODEL_ERROR_INVALID, "10 digits");
  assert_invalid (rd_validate_npi, "3234567893", RD_MODEL_ERROR_INVALID, "starts with 1 or 2");
  assert_invalid (rd_validate_npi, "12345678a3", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_npi, "", RD_MODEL_ERROR_EMPTY, NULL);
  assert_invalid (rd_validate_npi, "   ", RD_MODEL_ERROR_EMPTY, NULL);
  assert_invalid (rd_validate_npi, NULL, RD_MODEL_ERROR_EMPTY, NULL);
  assert_invalid (rd_validate_npi, "1234567893'; DROP TABLE provider; --", RD_MODEL_ERROR_INVALID, NULL);

  /* Every single-digit typo of a valid NPI is caught by the check digit. */
  for (int pos = 0; pos < 10; pos++)
    for (char d = '0'; d <= '9'; d++)
      {
        char npi[] = "1234567893";

        if (npi[pos] == d)
          continue;
        npi[pos] = d;
        g_assert_false (rd_npi_check_digit_ok (npi));
      }
}

static void
test_icd10 (void)
{
  assert_valid (rd_validate_icd10, "E11.9", "E11.9");
  assert_valid (rd_validate_icd10, "e119", "E11.9");
  assert_valid (rd_validate_icd10, "S72.001A", "S72.001A");
  assert_valid (rd_validate_icd10, "s72001a", "S72.001A");
  assert_valid (rd_validate_icd10, "I10", "I10");
  assert_valid (rd_validate_icd10, "U07.1", "U07.1");
  assert_valid (rd_validate_icd10, " Z00.00 ", "Z00.00");

  assert_invalid (rd_validate_icd10, "E1", RD_MODEL_ERROR_INVALID, "ICD-10-CM");
  assert_invalid (rd_validate_icd10, "11.9", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_icd10, "EE1.9", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_icd10, "S72.001AB", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_icd10, "E11..9", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_icd10, "E11-9", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_icd10, "", RD_MODEL_ERROR_EMPTY, NULL);
}

static void
test_procedure (void)
{
  assert_valid (rd_validate_procedure, "99213", "99213");
  assert_valid (rd_validate_procedure, "0001f", "0001F");
  assert_valid (rd_validate_procedure, "0042T", "0042T");
  assert_valid (rd_validate_procedure, "g0438", "G0438");
  assert_valid (rd_validate_procedure, "J1100", "J1100");

  assert_invalid (rd_validate_procedure, "9921", RD_MODEL_ERROR_INVALID, "CPT");
  assert_invalid (rd_validate_procedure, "992134", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_procedure, "W1234", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_procedure, "9921X", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_procedure, "G04A8", RD_MODEL_ERROR_INVALID, NULL);
}

static void
test_phone (void)
{
  g_autofree char *display = NULL;

  assert_valid (rd_validate_phone, "(555) 201-3344", "+15552013344");
  assert_valid (rd_validate_phone, "555.201.3344", "+15552013344");
  assert_valid (rd_validate_phone, "+1 555 201 3344", "+15552013344");
  assert_valid (rd_validate_phone, "1-555-201-3344", "+15552013344");
  assert_valid (rd_validate_phone, "5552013344", "+15552013344");

  assert_invalid (rd_validate_phone, "555-2013", RD_MODEL_ERROR_INVALID, "10 digits");
  assert_invalid (rd_validate_phone, "+44 20 7946 0958", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_phone, "(055) 201-3344", RD_MODEL_ERROR_INVALID, "0 or 1");
  assert_invalid (rd_validate_phone, "(555) 101-3344", RD_MODEL_ERROR_INVALID, "0 or 1");
  assert_invalid (rd_validate_phone, "555-CALL-NOW", RD_MODEL_ERROR_INVALID, "only digits");
  assert_invalid (rd_validate_phone, "", RD_MODEL_ERROR_EMPTY, NULL);

  display = rd_phone_format_display ("+15552013344");
  g_assert_cmpstr (display, ==, "(555) 201-3344");
}

static char *
dob_on_fixed_day (const char *text,
                  GError    **error)
{
  GDate today;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 27, G_DATE_NOVEMBER, 2026);
  return rd_validate_dob (text, &today, error);
}

static void
test_dob (void)
{
  assert_valid (dob_on_fixed_day, "1961-04-23", "1961-04-23");
  assert_valid (dob_on_fixed_day, "04/23/1961", "1961-04-23");
  assert_valid (dob_on_fixed_day, "4/3/1961", "1961-04-03");
  assert_valid (dob_on_fixed_day, "19610423", "1961-04-23");
  assert_valid (dob_on_fixed_day, "2026-11-27", "2026-11-27");
  assert_valid (dob_on_fixed_day, "2000-02-29", "2000-02-29");
  assert_valid (dob_on_fixed_day, "1896-11-28", "1896-11-28");

  assert_invalid (dob_on_fixed_day, "2026-11-28", RD_MODEL_ERROR_INVALID, "future");
  assert_invalid (dob_on_fixed_day, "1890-01-01", RD_MODEL_ERROR_INVALID, "130 years");
  assert_invalid (dob_on_fixed_day, "2001-02-29", RD_MODEL_ERROR_INVALID, "not a date");
  assert_invalid (dob_on_fixed_day, "13/01/1990", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (dob_on_fixed_day, "1990-1-1x", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (dob_on_fixed_day, "yesterday", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (dob_on_fixed_day, "", RD_MODEL_ERROR_EMPTY, NULL);
}

static void
test_zip (void)
{
  assert_valid (rd_validate_zip, "02139", "02139");
  assert_valid (rd_validate_zip, "02139-4307", "02139-4307");
  assert_valid (rd_validate_zip, "021394307", "02139-4307");

  assert_invalid (rd_validate_zip, "2139", RD_MODEL_ERROR_INVALID, "5 digits");
  assert_invalid (rd_validate_zip, "02139-43", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_zip, "0213A", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_zip, "02139 4307", RD_MODEL_ERROR_INVALID, NULL);
}

static void
test_member_id (void)
{
  g_autofree char *long_id = g_strnfill (41, 'A');

  assert_valid (rd_validate_member_id, " XJH123456789 ", "XJH123456789");
  assert_valid (rd_validate_member_id, "W-123/45", "W-123/45");

  assert_invalid (rd_validate_member_id, "", RD_MODEL_ERROR_EMPTY, NULL);
  assert_invalid (rd_validate_member_id, long_id, RD_MODEL_ERROR_INVALID, "40");
  assert_invalid (rd_validate_member_id, "AB\tC", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_member_id, "ABC\x01", RD_MODEL_ERROR_INVALID, NULL);
  assert_invalid (rd_validate_member_id, "AÑO123", RD_MODEL_ERROR_INVALID, NULL);
}

static void
test_hostile_input (void)
{
  g_autofree char *huge = g_strnfill (100000, '9');
  const char bad_utf8[] = { 'E', '1', '1', (char) 0xC3, (char) 0x28, 0 };
  Validator all[] = {
    rd_validate_npi, rd_validate_icd10, rd_validate_procedure, rd_validate_phone,
    rd_validate_zip, rd_validate_member_id, dob_on_fixed_day,
  };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      assert_invalid (all[i], huge, RD_MODEL_ERROR_INVALID, NULL);
      assert_invalid (all[i], bad_utf8, RD_MODEL_ERROR_INVALID, NULL);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/model/validate/npi", test_npi);
  g_test_add_func ("/model/validate/icd10", test_icd10);
  g_test_add_func ("/model/validate/procedure", test_procedure);
  g_test_add_func ("/model/validate/phone", test_phone);
  g_test_add_func ("/model/validate/dob", test_dob);
  g_test_add_func ("/model/validate/zip", test_zip);
  g_test_add_func ("/model/validate/member-id", test_member_id);
  g_test_add_func ("/model/validate/hostile-input", test_hostile_input);

  return g_test_run ();
}
