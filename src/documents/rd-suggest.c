/* rd-suggest.c — values proposed from a document's text, never applied alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A referral fax is a form printed by some practice's software: labels
 * ("DOB:", "MRN:") followed by a value on the same line or, when the text
 * layer reads two columns line by line, a few lines further down. The
 * scanner walks the lines of a page, remembers the section it is in (an
 * upper-case heading such as "PATIENT INFORMATION"), and for each known
 * label looks for a value of the right shape on the rest of the line, then
 * on the next few lines that are not labels themselves. Every value goes
 * through the model's validator, so what is proposed is what the form would
 * accept: an NPI with a wrong check digit, an impossible date or a number
 * that is not a phone number is never proposed.
 *
 * Pure: text in, suggestions out. Nothing here logs (the text is PHI).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rd-suggest.h"
#include "rd-validate.h"

G_DEFINE_BOXED_TYPE (RdSuggestion, rd_suggestion, rd_suggestion_copy, rd_suggestion_free)

/* How many lines after a bare label may hold its value. */
#define LOOKAHEAD_LINES 4

typedef enum {
  KIND_IGNORE = -1,
} LabelKind;

typedef struct {
  const char *text;   /* lower case, as matched */
  int         field;  /* an RdSuggestField or KIND_IGNORE */
} Label;

/* Longer labels first: the alternation takes the first that matches at a
 * position, and "practice phone" must win over "phone". Labels that are
 * not the patient's (the practice's phone, the date sent) are listed so
 * that their values are not taken for the patient's. */
static const Label labels[] = {
  { "patient name", RD_SUGGEST_PATIENT_NAME },
  { "patient's name", RD_SUGGEST_PATIENT_NAME },
  { "name of patient", RD_SUGGEST_PATIENT_NAME },
  { "pt name", RD_SUGGEST_PATIENT_NAME },
  { "patient", RD_SUGGEST_PATIENT_NAME },
  { "date of birth", RD_SUGGEST_DOB },
  { "birth date", RD_SUGGEST_DOB },
  { "birthdate", RD_SUGGEST_DOB },
  { "d.o.b.", RD_SUGGEST_DOB },
  { "d.o.b", RD_SUGGEST_DOB },
  { "dob", RD_SUGGEST_DOB },
  { "gender", RD_SUGGEST_SEX },
  { "sex", RD_SUGGEST_SEX },
  { "practice phone", KIND_IGNORE },
  { "office phone", KIND_IGNORE },
  { "provider phone", KIND_IGNORE },
  { "clinic phone", KIND_IGNORE },
  { "patient phone", RD_SUGGEST_PHONE },
  { "home phone", RD_SUGGEST_PHONE },
  { "cell phone", RD_SUGGEST_PHONE },
  { "mobile phone", RD_SUGGEST_PHONE },
  { "mobile", RD_SUGGEST_PHONE },
  { "telephone", RD_SUGGEST_PHONE },
  { "phone", RD_SUGGEST_PHONE },
  { "tel", RD_SUGGEST_PHONE },
  { "medical record number", RD_SUGGEST_MRN },
  { "medical record #", RD_SUGGEST_MRN },
  { "medical record no", RD_SUGGEST_MRN },
  { "chart number", RD_SUGGEST_MRN },
  { "chart #", RD_SUGGEST_MRN },
  { "mrn #", RD_SUGGEST_MRN },
  { "mrn", RD_SUGGEST_MRN },
  { "member id", RD_SUGGEST_MEMBER_ID },
  { "member #", RD_SUGGEST_MEMBER_ID },
  { "member number", RD_SUGGEST_MEMBER_ID },
  { "subscriber id", RD_SUGGEST_MEMBER_ID },
  { "insurance id", RD_SUGGEST_MEMBER_ID },
  { "policy number", RD_SUGGEST_MEMBER_ID },
  { "policy #", RD_SUGGEST_MEMBER_ID },
  { "provider npi", RD_SUGGEST_NPI },
  { "npi #", RD_SUGGEST_NPI },
  { "npi", RD_SUGGEST_NPI },
  { "icd-10 codes", RD_SUGGEST_ICD10 },
  { "icd-10 code", RD_SUGGEST_ICD10 },
  { "icd-10", RD_SUGGEST_ICD10 },
  { "icd10", RD_SUGGEST_ICD10 },
  { "diagnoses", RD_SUGGEST_ICD10 },
  { "diagnosis", RD_SUGGEST_ICD10 },
  { "dx", RD_SUGGEST_ICD10 },
  { "practice fax", RD_SUGGEST_REFERRING_FAX },
  { "office fax", RD_SUGGEST_REFERRING_FAX },
  { "return fax", RD_SUGGEST_REFERRING_FAX },
  { "fax number", RD_SUGGEST_REFERRING_FAX },
  { "from fax", RD_SUGGEST_REFERRING_FAX },
  { "fax", RD_SUGGEST_REFERRING_FAX },
  { "from", RD_SUGGEST_REFERRING_FAX },
  { "referring provider", KIND_IGNORE },
  { "referred to", KIND_IGNORE },
  { "provider", KIND_IGNORE },
  { "health plan", KIND_IGNORE },
  { "date sent", KIND_IGNORE },
  { "signature", KIND_IGNORE },
  { "date", KIND_IGNORE },
  { "to", KIND_IGNORE },
};

typedef struct {
  GRegex *label;
  GRegex *date;
  GRegex *phone;
  GRegex *token;
  GRegex *npi;
  GRegex *icd_dotted;
  GRegex *icd_any;
  GRegex *name_comma;
  GRegex *name_plain;
  GRegex *heading;
  GRegex *fax_inline;
  GRegex *npi_inline;
} Patterns;

static const Patterns *
get_patterns (void)
{
  static Patterns p;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_autoptr(GString) alt = g_string_new ("(?<![A-Za-z0-9])(");

      for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
        {
          g_autofree char *quoted = g_regex_escape_string (labels[i].text, -1);

          if (i > 0)
            g_string_append_c (alt, '|');
          g_string_append (alt, quoted);
        }
      g_string_append (alt, ")\\s*:");

      p.label = g_regex_new (alt->str, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      p.date = g_regex_new ("(?<![0-9])([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})(?![0-9])"
                            "|(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])",
                            G_REGEX_OPTIMIZE, 0, NULL);
      p.phone = g_regex_new ("(?<![0-9])(?:\\+?1[ .-]?)?\\(?[2-9][0-9]{2}\\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}(?![0-9])",
                             G_REGEX_OPTIMIZE, 0, NULL);
      p.token = g_regex_new ("[A-Za-z0-9][A-Za-z0-9-]{2,29}", G_REGEX_OPTIMIZE, 0, NULL);
      p.npi = g_regex_new ("(?<![0-9])[0-9]{10}(?![0-9])", G_REGEX_OPTIMIZE, 0, NULL);
      /* A code followed by a lower-case letter is a code run into its
       * description ("J44.9Chronic …"): backtracking drops the capital that
       * begins the word. */
      p.icd_dotted = g_regex_new ("(?<![A-Za-z0-9.])[A-TV-Z][0-9][0-9A-Z]\\.[0-9A-Z]{0,3}[0-9A-Z](?![a-z0-9])",
                                  G_REGEX_OPTIMIZE, 0, NULL);
      p.icd_any = g_regex_new ("(?<![A-Za-z0-9.])[A-TV-Z][0-9][0-9A-Z](?:\\.[0-9A-Z]{0,3}[0-9A-Z])?(?![a-z0-9.])",
                               G_REGEX_OPTIMIZE, 0, NULL);
      p.name_comma = g_regex_new ("^([A-Za-z][A-Za-z'’-]+(?: [A-Za-z][A-Za-z'’-]+)?)\\s*,\\s*"
                                  "([A-Za-z][A-Za-z'’-]+)(?:\\s+[A-Za-z]\\.?)?$",
                                  G_REGEX_OPTIMIZE, 0, NULL);
      p.name_plain = g_regex_new ("^([A-Z][A-Za-z'’-]+)\\s+(?:[A-Z]\\.?\\s+)?([A-Z][A-Za-z'’-]+)$",
                                  G_REGEX_OPTIMIZE, 0, NULL);
      /* The first word all letters: "ZLW703301250" is a value, not a heading. */
      p.heading = g_regex_new ("^[A-Z]{3,}(?: [A-Z0-9()/&-]+)*$", G_REGEX_OPTIMIZE, 0, NULL);
      p.fax_inline = g_regex_new ("(?<![A-Za-z])fax(?:\\s*(?:no\\.?|number|#))?\\s*:?\\s*"
                                  "((?:\\+?1[ .-]?)?\\(?[2-9][0-9]{2}\\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4})(?![0-9])",
                                  G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      p.npi_inline = g_regex_new ("(?<![A-Za-z])NPI\\s*(?:#|no\\.?|number)?\\s*:?\\s*([0-9]{10})(?![0-9])",
                                  G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&done, 1);
    }

  return &p;
}

/**
 * rd_suggestion_new:
 * @field: the form field
 * @value: the normalised value
 * @page: the page, from 0
 * @label: (nullable): the label it followed
 *
 * Returns: (transfer full): a new suggestion
 */
RdSuggestion *
rd_suggestion_new (RdSuggestField  field,
                   const char     *value,
                   guint           page,
                   const char     *label)
{
  RdSuggestion *self = g_new0 (RdSuggestion, 1);

  self->field = field;
  self->value = g_strdup (value);
  self->page = page;
  self->label = g_strdup (label);
  return self;
}

/**
 * rd_suggestion_copy:
 * @self: a suggestion
 *
 * Returns: (transfer full): a copy
 */
RdSuggestion *
rd_suggestion_copy (const RdSuggestion *self)
{
  return rd_suggestion_new (self->field, self->value, self->page, self->label);
}

/**
 * rd_suggestion_free:
 * @self: (nullable): a suggestion
 *
 * Frees @self.
 */
void
rd_suggestion_free (RdSuggestion *self)
{
  if (self == NULL)
    return;
  g_free (self->value);
  g_free (self->label);
  g_free (self);
}

/**
 * rd_suggest_field_to_string:
 * @field: a field
 *
 * Returns: a stable name for @field ("patient-name", "dob", …)
 */
const char *
rd_suggest_field_to_string (RdSuggestField field)
{
  static const char *names[] = {
    "patient-name", "dob", "sex", "phone", "mrn", "member-id", "npi", "icd10", "referring-fax",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == RD_SUGGEST_N_FIELDS);
  g_return_val_if_fail (field < RD_SUGGEST_N_FIELDS, NULL);
  return names[field];
}

/* Value extractors: the first value of the field's shape in @text, valid
 * for the model, or NULL. */

static char *
extract_dob (const char *text,
             GDate      *today)
{
  g_autoptr(GMatchInfo) match = NULL;

  g_regex_match (get_patterns ()->date, text, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *m = g_match_info_fetch (match, 1);
      g_autofree char *d = g_match_info_fetch (match, 2);
      g_autofree char *y = g_match_info_fetch (match, 3);
      g_autofree char *iso = NULL;
      char *valid;

      if (m != NULL && *m != '\0')
        iso = g_strdup_printf ("%s-%02d-%02d", y, atoi (m), atoi (d));
      else
        iso = g_match_info_fetch (match, 0);

      valid = rd_validate_dob (iso, today, NULL);
      if (valid != NULL)
        return valid;
    }
  return NULL;
}

static char *
extract_phone (const char *text)
{
  g_autoptr(GMatchInfo) match = NULL;

  g_regex_match (get_patterns ()->phone, text, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *found = g_match_info_fetch (match, 0);
      char *valid = rd_validate_phone (found, NULL);

      if (valid != NULL)
        return valid;
    }
  return NULL;
}

static gboolean
has_digit (const char *s)
{
  for (; *s; s++)
    if (g_ascii_isdigit (*s))
      return TRUE;
  return FALSE;
}

static char *
extract_identifier (const char *text,
                    gboolean    member)
{
  g_autoptr(GMatchInfo) match = NULL;

  /* A member id may be printed in groups ("XKZ 99812"): take the whole
   * value when it is one short run of letters, digits and spaces. */
  if (member && g_regex_match_simple ("^[A-Za-z0-9][A-Za-z0-9 -]{2,29}$", text, 0, 0) && has_digit (text))
    return rd_validate_member_id (text, NULL);

  g_regex_match (get_patterns ()->token, text, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *found = g_match_info_fetch (match, 0);

      /* An identifier has digits; a word ("Pending") is not one. */
      if (!has_digit (found))
        continue;
      if (member)
        return rd_validate_member_id (found, NULL);
      return g_steal_pointer (&found);
    }
  return NULL;
}

static char *
extract_name (const char *text)
{
  const Patterns *p = get_patterns ();
  g_autofree char *line = g_strstrip (g_strdup (text));
  g_autoptr(GMatchInfo) match = NULL;

  if (g_regex_match (p->name_comma, line, 0, &match))
    {
      g_autofree char *family = g_match_info_fetch (match, 1);
      g_autofree char *given = g_match_info_fetch (match, 2);

      return g_strdup_printf ("%s, %s", family, given);
    }
  g_clear_pointer (&match, g_match_info_free);
  if (g_regex_match (p->name_plain, line, 0, &match))
    {
      g_autofree char *given = g_match_info_fetch (match, 1);
      g_autofree char *family = g_match_info_fetch (match, 2);

      return g_strdup_printf ("%s, %s", family, given);
    }
  return NULL;
}

static char *
extract_sex (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  g_autofree char *word = g_ascii_strdown (copy, -1);

  if (g_str_equal (word, "f") || g_str_equal (word, "female"))
    return g_strdup ("female");
  if (g_str_equal (word, "m") || g_str_equal (word, "male"))
    return g_strdup ("male");
  return NULL;
}

static void
add (GPtrArray      *into,
     RdSuggestField  field,
     char           *value,  /* transfer full */
     guint           page,
     const char     *label)
{
  g_autofree char *owned = value;

  if (owned == NULL)
    return;
  for (guint i = 0; i < into->len; i++)
    {
      RdSuggestion *s = g_ptr_array_index (into, i);

      if (s->field == field && g_str_equal (s->value, owned))
        return;
    }
  g_ptr_array_add (into, rd_suggestion_new (field, owned, page, label));
}

static void
add_icd10 (GPtrArray  *into,
           GRegex     *regex,
           const char *text,
           guint       page,
           const char *label)
{
  g_autoptr(GMatchInfo) match = NULL;

  g_regex_match (regex, text, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *found = g_match_info_fetch (match, 0);

      add (into, RD_SUGGEST_ICD10, rd_validate_icd10 (found, NULL), page, label);
    }
}

static void
add_npis (GPtrArray  *into,
          const char *text,
          guint       page,
          const char *label)
{
  g_autoptr(GMatchInfo) match = NULL;

  g_regex_match (get_patterns ()->npi, text, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *found = g_match_info_fetch (match, 0);

      add (into, RD_SUGGEST_NPI, rd_validate_npi (found, NULL), page, label);
    }
}

/* The first value for @field in @text that the model accepts, or NULL. */
static char *
extract (RdSuggestField  field,
         const char     *text,
         GDate          *today)
{
  switch (field)
    {
    case RD_SUGGEST_PATIENT_NAME:
      return extract_name (text);
    case RD_SUGGEST_DOB:
      return extract_dob (text, today);
    case RD_SUGGEST_SEX:
      return extract_sex (text);
    case RD_SUGGEST_PHONE:
    case RD_SUGGEST_REFERRING_FAX:
      return extract_phone (text);
    case RD_SUGGEST_MRN:
      return extract_identifier (text, FALSE);
    case RD_SUGGEST_MEMBER_ID:
      return extract_identifier (text, TRUE);
    case RD_SUGGEST_NPI:
      {
        g_autoptr(GMatchInfo) match = NULL;

        g_regex_match (get_patterns ()->npi, text, 0, &match);
        for (; g_match_info_matches (match); g_match_info_next (match, NULL))
          {
            g_autofree char *found = g_match_info_fetch (match, 0);
            char *valid = rd_validate_npi (found, NULL);

            if (valid != NULL)
              return valid;
          }
        return NULL;
      }
    case RD_SUGGEST_ICD10:
      {
        g_autoptr(GMatchInfo) match = NULL;

        g_regex_match (get_patterns ()->icd_any, text, 0, &match);
        for (; g_match_info_matches (match); g_match_info_next (match, NULL))
          {
            g_autofree char *found = g_match_info_fetch (match, 0);
            char *valid = rd_validate_icd10 (found, NULL);

            if (valid != NULL)
              return valid;
          }
        return NULL;
      }
    case RD_SUGGEST_N_FIELDS:
    default:
      return NULL;
    }
}

static int
label_field (const char *matched)
{
  g_autofree char *lower = g_ascii_strdown (matched, -1);

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].text, lower))
      return labels[i].field;
  return KIND_IGNORE;
}

static gboolean
line_has_label (const char *line)
{
  return g_regex_match (get_patterns ()->label, line, 0, NULL);
}

/* Sections whose phone numbers are not the patient's. */
static gboolean
section_is_not_patient (const char *section)
{
  static const char *words[] = { "PROVIDER", "PRACTICE", "REFERRING", "INSURANCE",
                                 "PHYSICIAN", "PLAN", "FROM" };

  if (section == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (strstr (section, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
section_is_diagnosis (const char *section)
{
  return section != NULL && (strstr (section, "DIAGNOS") != NULL || strstr (section, "ICD") != NULL);
}

/**
 * rd_suggest_scan_page:
 * @text: the text layer of one page
 * @page: its index, from 0
 * @today: (nullable): the date to judge dates of birth against; %NULL for today
 * @into: (element-type RdSuggestion): where to add suggestions (a value
 *   already there for the same field is not added again)
 *
 * Adds what the page proposes to @into.
 */
void
rd_suggest_scan_page (const char *text,
                      guint       page,
                      GDate      *today,
                      GPtrArray  *into)
{
  const Patterns *p = get_patterns ();
  g_auto(GStrv) lines = NULL;
  const char *section = NULL;
  guint n_lines;

  g_return_if_fail (into != NULL);
  if (text == NULL)
    return;

  lines = g_strsplit (text, "\n", -1);
  n_lines = g_strv_length (lines);
  for (guint i = 0; i < n_lines; i++)
    g_strstrip (lines[i]);

  for (guint i = 0; i < n_lines; i++)
    {
      const char *line = lines[i];
      g_autoptr(GMatchInfo) match = NULL;

      if (*line == '\0')
        continue;

      if (g_regex_match (p->heading, line, 0, NULL) && strchr (line, ':') == NULL)
        {
          section = line;
          continue;
        }

      if (section_is_diagnosis (section))
        add_icd10 (into, p->icd_any, line, page, section);
      else
        add_icd10 (into, p->icd_dotted, line, page, "ICD-10");

      g_regex_match (p->label, line, 0, &match);
      while (g_match_info_matches (match))
        {
          g_autofree char *label = g_match_info_fetch (match, 1);
          int start, end, next_start = -1;
          int field = label_field (label);
          g_autofree char *rest = NULL;
          char *value = NULL;

          g_match_info_fetch_pos (match, 0, &start, &end);
          g_match_info_next (match, NULL);
          if (g_match_info_matches (match))
            g_match_info_fetch_pos (match, 0, &next_start, NULL);

          if (field == KIND_IGNORE)
            continue;
          if (field == RD_SUGGEST_PHONE && section_is_not_patient (section))
            continue;

          rest = next_start >= 0 ? g_strndup (line + end, next_start - end) : g_strdup (line + end);
          g_strstrip (rest);

          if (field == RD_SUGGEST_NPI)
            {
              add_npis (into, rest, page, label);
              if (*rest != '\0')
                continue;
            }
          if (field == RD_SUGGEST_ICD10 && *rest != '\0')
            {
              /* After a diagnosis label, "e11.9" typed in lower case is a code. */
              g_autofree char *upper = g_ascii_strup (rest, -1);

              add_icd10 (into, p->icd_any, upper, page, label);
              continue;
            }

          if (*rest != '\0')
            value = extract (field, rest, today);
          else
            {
              /* Two columns read line by line put the value a few lines
               * below its label, after the other column's labels. */
              for (guint j = i + 1; j < n_lines && j <= i + LOOKAHEAD_LINES && value == NULL; j++)
                {
                  if (*lines[j] == '\0' || line_has_label (lines[j]))
                    continue;
                  if (g_regex_match (p->heading, lines[j], 0, NULL))
                    break;
                  value = extract (field, lines[j], today);
                }
            }
          add (into, field, value, page, label);
        }

      {
        g_autoptr(GMatchInfo) fax = NULL;

        /* "Phone (617) 555-0115 Fax (802) 555-0167" in a letterhead. */
        g_regex_match (p->fax_inline, line, 0, &fax);
        for (; g_match_info_matches (fax); g_match_info_next (fax, NULL))
          {
            g_autofree char *number = g_match_info_fetch (fax, 1);

            add (into, RD_SUGGEST_REFERRING_FAX, rd_validate_phone (number, NULL), page, "Fax");
          }
      }
      {
        g_autoptr(GMatchInfo) npi = NULL;

        g_regex_match (p->npi_inline, line, 0, &npi);
        for (; g_match_info_matches (npi); g_match_info_next (npi, NULL))
          {
            g_autofree char *number = g_match_info_fetch (npi, 1);

            add (into, RD_SUGGEST_NPI, rd_validate_npi (number, NULL), page, "NPI");
          }
      }
    }
}

/**
 * rd_suggest_from_text:
 * @text: the text of a document, pages separated by form feeds (as
 *   rd_pdf_extract_text_finish() gives it for all pages)
 * @today: (nullable): the date to judge dates of birth against; %NULL for today
 *
 * Proposes form values found in @text. Nothing is applied: the form shows
 * them and the person accepts or ignores each one.
 *
 * Returns: (transfer container) (element-type RdSuggestion): the
 *   suggestions in the order found, one per field and value
 */
GPtrArray *
rd_suggest_from_text (const char *text,
                      GDate      *today)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_suggestion_free);
  g_auto(GStrv) pages = NULL;

  if (text == NULL)
    return out;

  pages = g_strsplit (text, "\f", -1);
  for (guint i = 0; pages[i] != NULL; i++)
    rd_suggest_scan_page (pages[i], i, today, out);
  return out;
}

/**
 * rd_suggest_filter:
 * @suggestions: (element-type RdSuggestion): suggestions
 * @field: a field
 *
 * Returns: (transfer container) (element-type RdSuggestion): those for
 *   @field, in order (the elements are shared with @suggestions)
 */
GPtrArray *
rd_suggest_filter (GPtrArray      *suggestions,
                   RdSuggestField  field)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; suggestions != NULL && i < suggestions->len; i++)
    {
      RdSuggestion *s = g_ptr_array_index (suggestions, i);

      if (s->field == field)
        g_ptr_array_add (out, s);
    }
  return out;
}

/**
 * rd_suggest_split_name:
 * @value: a %RD_SUGGEST_PATIENT_NAME value, "Family, Given"
 * @out_family: (out) (transfer full): the family name
 * @out_given: (out) (transfer full): the given name
 *
 * Returns: %TRUE when @value had both parts
 */
gboolean
rd_suggest_split_name (const char  *value,
                       char       **out_family,
                       char       **out_given)
{
  const char *comma;

  g_return_val_if_fail (out_family != NULL && out_given != NULL, FALSE);
  *out_family = NULL;
  *out_given = NULL;
  if (value == NULL || (comma = strchr (value, ',')) == NULL)
    return FALSE;

  *out_family = g_strstrip (g_strndup (value, comma - value));
  *out_given = g_strstrip (g_strdup (comma + 1));
  return **out_family != '\0' && **out_given != '\0';
}
