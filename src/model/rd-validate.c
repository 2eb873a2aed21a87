/* rd-validate.c — validators for NPI, ICD-10-CM, CPT/HCPCS, phones, dates…
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <glib/gi18n-lib.h>

#include "rd-model-error.h"
#include "rd-validate.h"

#define VALIDATE_MAX_INPUT 256
#define OLDEST_AGE_YEARS 130

/* Copies @text without surrounding white space; NULL when empty or too long. */
static char *
trimmed (const char *text,
         GError    **error)
{
  g_autofree char *copy = NULL;

  if (text == NULL || *text == '\0')
    goto empty;

  if (strlen (text) > VALIDATE_MAX_INPUT || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                           _("The value is too long or has characters that cannot be read."));
      return NULL;
    }

  copy = g_strstrip (g_strdup (text));
  if (*copy == '\0')
    goto empty;

  return g_steal_pointer (&copy);

empty:
  g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_EMPTY,
                       _("This field is empty."));
  return NULL;
}

/* Keeps only the digits of @text, rejecting characters other than digits,
 * spaces and the usual separators. */
static char *
digits_only (const char *text,
             const char *allowed_separators)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (out, *p);
      else if (strchr (allowed_separators, *p) == NULL)
        {
          g_string_free (out, TRUE);
          return NULL;
        }
    }

  return g_string_free (out, FALSE);
}

/**
 * rd_npi_check_digit_ok:
 * @ten_digits: exactly ten ASCII digits
 *
 * The NPI check digit is the Luhn check digit of the number prefixed with
 * the card issuer prefix 80840 (CMS, "NPI check digit" standard).
 *
 * Returns: %TRUE when the tenth digit matches
 */
gboolean
rd_npi_check_digit_ok (const char *ten_digits)
{
  /* The prefix 80840 contributes a constant 24 to the Luhn sum. */
  int sum = 24;

  if (ten_digits == NULL || strlen (ten_digits) != 10)
    return FALSE;

  for (int i = 0; i < 10; i++)
    if (!g_ascii_isdigit (ten_digits[i]))
      return FALSE;

  /* Digits 1..9 from the right of the base number: double every other one
   * starting with the rightmost (position 9). */
  for (int i = 8, dbl = 1; i >= 0; i--, dbl = !dbl)
    {
      int d = ten_digits[i] - '0';

      if (dbl)
        {
          d *= 2;
          if (d > 9)
            d -= 9;
        }
      sum += d;
    }

  return (10 - (sum % 10)) % 10 == ten_digits[9] - '0';
}

/**
 * rd_validate_npi:
 * @text: what was typed or received
 * @error: return location for a #RD_MODEL_ERROR
 *
 * Returns: (transfer full) (nullable): the ten digits, or %NULL
 */
char *
rd_validate_npi (const char *text,
                 GError    **error)
{
  g_autofree char *value = trimmed (text, error);
  g_autofree char *digits = NULL;

  if (value == NULL)
    return NULL;

  digits = digits_only (value, " -");
  if (digits == NULL || strlen (digits) != 10)
    {
      g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                           _("An NPI has exactly 10 digits."));
      return NULL;
    }

  if (digits[0] != '1' && digits[0] != '2')
    {
      g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                           _("An NPI starts with 1 or 2. Check the number on the referral."));
      return NULL;
    }

  if (!rd_npi_check_digit_ok (digits))
    {
      g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_CHECK_DIGIT,
                           _("This NPI’s check digit does not match; a digit is probably mistyped."));
      return NULL;
    }

  return g_steal_pointer (&digits);
}

/**
 * rd_validate_icd10:
 * @text: an ICD-10-CM code with or without its dot, e.g. "E11.9", "s72001a"
 * @error: return location for a #RD_MODEL_ERROR
 *
 * Checks the shape only: a letter, two characters of category, then up to
 * four characters after the dot. Whether the code exists is the code set's
 * business, not this function's.
 *
 * Returns: (transfer full) (nullable): the upper-case code with its dot
 */
char *
rd_validate_icd10 (const char *text,
                   GError    **error)
{
  g_autofree char *value = trimmed (text, error);
  g_autofree char *compact = NULL;
  gsize len;

  if (value == NULL)
    return NULL;

  compact = g_ascii_strup (value, -1);
  /* Remove one dot after the category, if present. */
  if (strlen (compact) > 3 && compact[3] == '.')
    memmove (compact + 3, compact + 4, strlen (compact + 4) + 1);

  len = strlen (compact);
  if (len < 3 || len > 7)
    goto bad;

  if (!g_ascii_isalpha (compact[0]) || !g_ascii_isdigit (compact[1]) ||
      !g_ascii_isalnum (compact[2]))
    goto bad;

  for (gsize i = 3; i < len; i++)
    if (!g_ascii_isalnum (compact[i]))
      goto bad;

  if (len == 3)
    return g_steal_pointer (&compact);

  return g_strdup_printf ("%.3s.%s", compact, compact + 3);

bad:
  g_set_error (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
               _("“%s” is not shaped like an ICD-10-CM code, such as E11.9 or S72.001A."),
               value);
  return NULL;
}

/**
 * rd_validate_procedure:
 * @text: a CPT code (five digits, or four digits and F or T) or a HCPCS
 *   Level II code (a letter A–V and four digits)
 * @error: return location for a #RD_MODEL_ERROR
 *
 * Returns: (transfer full) (nullable): the upper-case code
 */
char *
rd_validate_procedure (const char *text,
                       GError    **error)
{
  g_autofree char *value = trimmed (text, error);
  g_autofree char *code = NULL;

  if (value == NULL)
    return NULL;

  code = g_ascii_strup (value, -1);
  if (strlen (code) == 5)
    {
      gboolean digits4 = g_ascii_isdigit (code[1]) && g_ascii_isdigit (code[2]) &&
                         g_ascii_isdigit (code[3]);

      if (digits4 && g_ascii_isdigit (code[0]) &&
          (g_ascii_isdigit (code[4]) || code[4] == 'F' || code[4] == 'T'))
        return g_steal_pointer (&code);

      if (digits4 && code[0] >= 'A' && code[0] <= 'V' && g_ascii_isdigit (code[4]))
        return g_steal_pointer (&code);
    }

  g_set_error (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
               _("“%s” is not a CPT or HCPCS code. CPT codes are five digits (99213) or four digits and F or T; HCPCS codes are a letter and four digits (G0438)."),
               value);
  return NULL;
}

/**
 * rd_validate_phone:
 * @text: a US phone number as people write it: "(555) 201-3344",
 *   "555.201.3344", "+1 555 201 3344"
 * @error: return location for a #RD_MODEL_ERROR
 *
 * Returns: (transfer full) (nullable): the number in E.164, "+15552013344"
 */
char *
rd_validate_phone (const char *text,
                   GError    **error)
{
  g_autofree char *value = trimmed (text, error);
  g_autofree char *digits = NULL;
  const char *national;

  if (value == NULL)
    return NULL;

  digits = digits_only (value[0] == '+' ? value + 1 : value, " -.()/");
  if (digits == NULL)
    {
      g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                           _("A phone number may contain only digits, spaces, dashes, dots and parentheses."));
      return NULL;
    }

  national = digits;
  if (strlen (digits) == 11 && digits[0] == '1')
    national = digits + 1;

  if (strlen (national) != 10)
    {
      g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                           _("A US phone number has 10 digits: area code and number."));
      return NULL;
    }

  if (national[0] < '2' || national[3] < '2')
    {
      g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                           _("Neither the area code nor the exchange of a US phone number can start with 0 or 1."));
      return NULL;
    }

  return g_strconcat ("+1", national, NULL);
}

/**
 * rd_phone_format_display:
 * @e164: a number returned by rd_validate_phone()
 *
 * Returns: (transfer full): "(555) 201-3344", or a copy of @e164 when it is
 *   not a US number
 */
char *
rd_phone_format_display (const char *e164)
{
  if (e164 == NULL)
    return g_strdup ("");

  if (strlen (e164) == 12 && g_str_has_prefix (e164, "+1"))
    return g_strdup_printf ("(%.3s) %.3s-%.4s", e164 + 2, e164 + 5, e164 + 8);

  return g_strdup (e164);
}

static gboolean
parse_date (const char *text,
            GDate      *date)
{
  guint a, b, c;
  char tail;

  g_date_clear (date, 1);

  if (sscanf (text, "%4u-%2u-%2u%c", &a, &b, &c, &tail) == 3 && strlen (text) == 10)
    {
      if (g_date_valid_dmy (c, b, a))
        g_date_set_dmy (date, c, b, a);
    }
  else if (sscanf (text, "%2u/%2u/%4u%c", &a, &b, &c, &tail) == 3 && c >= 1000)
    {
      if (g_date_valid_dmy (b, a, c))
        g_date_set_dmy (date, b, a, c);
    }
  else if (strlen (text) == 8 && sscanf (text, "%4u%2u%2u%c", &a, &b, &c, &tail) == 3)
    {
      /* HL7 DT form, YYYYMMDD */
      if (g_date_valid_dmy (c, b, a))
        g_date_set_dmy (date, c, b, a);
    }

  return g_date_valid (date);
}

/**
 * rd_validate_dob:
 * @text: a date written YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD
 * @today: (nullable): the date to compare with; %NULL for today
 * @error: return location for a #RD_MODEL_ERROR
 *
 * Returns: (transfer full) (nullable): the date as YYYY-MM-DD
 */
char *
rd_validate_dob (const char *text,
                 GDate      *today,
                 GError    **error)
{
  g_autofree char *value = trimmed (text, error);
  GDate date, now, oldest;

  if (value == NULL)
    return NULL;

  if (!parse_date (value, &date))
    {
      g_set_error (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                   _("“%s” is not a date. Write it as MM/DD/YYYY, for example 04/23/1961."),
                   value);
      return NULL;
    }

  if (today != NULL)
    now = *today;
  else
    {
      g_date_clear (&now, 1);
      g_date_set_time_t (&now, time (NULL));
    }

  if (g_date_compare (&date, &now) > 0)
    {
      g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                           _("The date of birth is in the future."));
      return NULL;
    }

  oldest = now;
  g_date_subtract_years (&oldest, OLDEST_AGE_YEARS);
  if (g_date_compare (&date, &oldest) < 0)
    {
      g_set_error (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                   _("The date of birth is more than %d years ago; check the year."),
                   OLDEST_AGE_YEARS);
      return NULL;
    }

  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (&date),
                          g_date_get_month (&date), g_date_get_day (&date));
}

/**
 * rd_validate_zip:
 * @text: a US ZIP code, "12345" or "12345-6789"
 * @error: return location for a #RD_MODEL_ERROR
 *
 * Returns: (transfer full) (nullable): the ZIP code
 */
char *
rd_validate_zip (const char *text,
                 GError    **error)
{
  g_autofree char *value = trimmed (text, error);
  gsize len;

  if (value == NULL)
    return NULL;

  len = strlen (value);
  for (gsize i = 0; i < len; i++)
    {
      if (i == 5 && len == 10 && value[i] == '-')
        continue;
      if (!g_ascii_isdigit (value[i]))
        goto bad;
    }

  if (len == 5 || len == 10)
    return g_steal_pointer (&value);
  if (len == 9)
    return g_strdup_printf ("%.5s-%s", value, value + 5);

bad:
  g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                       _("A ZIP code has 5 digits, or 5 digits, a dash and 4 more."));
  return NULL;
}

/**
 * rd_validate_member_id:
 * @text: an insurance member id as printed on the card
 * @error: return location for a #RD_MODEL_ERROR
 *
 * Returns: (transfer full) (nullable): the id without surrounding spaces
 */
char *
rd_validate_member_id (const char *text,
                       GError    **error)
{
  g_autofree char *value = trimmed (text, error);

  if (value == NULL)
    return NULL;

  if (strlen (value) > 40)
    {
      g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                           _("A member ID has at most 40 characters."));
      return NULL;
    }

  for (const char *p = value; *p; p++)
    {
      if (!g_ascii_isprint (*p))
        {
          g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                               _("A member ID may contain only letters, digits and punctuation printed on the card."));
          return NULL;
        }
    }

  return g_steal_pointer (&value);
}
