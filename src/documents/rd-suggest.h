/* rd-suggest.h — values proposed from a document's text, never applied alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * RdSuggestField:
 * @RD_SUGGEST_PATIENT_NAME: "Family, Given" (see rd_suggest_split_name())
 * @RD_SUGGEST_DOB: date of birth as YYYY-MM-DD
 * @RD_SUGGEST_SEX: "female" or "male"
 * @RD_SUGGEST_PHONE: the patient's phone, E.164
 * @RD_SUGGEST_MRN: medical record number as printed
 * @RD_SUGGEST_MEMBER_ID: insurance member id as printed
 * @RD_SUGGEST_NPI: a referring NPI whose check digit is right
 * @RD_SUGGEST_ICD10: an ICD-10-CM code with its dot
 * @RD_SUGGEST_REFERRING_FAX: the referring practice's fax, E.164
 *
 * The form fields a suggestion can be for.
 */
typedef enum {
  RD_SUGGEST_PATIENT_NAME,
  RD_SUGGEST_DOB,
  RD_SUGGEST_SEX,
  RD_SUGGEST_PHONE,
  RD_SUGGEST_MRN,
  RD_SUGGEST_MEMBER_ID,
  RD_SUGGEST_NPI,
  RD_SUGGEST_ICD10,
  RD_SUGGEST_REFERRING_FAX,
  RD_SUGGEST_N_FIELDS
} RdSuggestField;

/**
 * RdSuggestion:
 * @field: the form field
 * @value: the normalised value (what the form would take)
 * @page: the page it was found on, from 0
 * @label: the printed label it followed ("DOB", "Fax", …), or the section
 *
 * One proposed value and where it came from. It contains PHI: never log it.
 */
typedef struct {
  RdSuggestField  field;
  char           *value;
  guint           page;
  char           *label;
} RdSuggestion;

#define RD_TYPE_SUGGESTION (rd_suggestion_get_type ())
GType         rd_suggestion_get_type      (void) G_GNUC_CONST;
RdSuggestion *rd_suggestion_new           (RdSuggestField      field,
                                           const char         *value,
                                           guint               page,
                                           const char         *label);
RdSuggestion *rd_suggestion_copy          (const RdSuggestion *self);
void          rd_suggestion_free          (RdSuggestion       *self);

GPtrArray    *rd_suggest_from_text        (const char         *text,
                                           GDate              *today);
void          rd_suggest_scan_page        (const char         *text,
                                           guint               page,
                                           GDate              *today,
                                           GPtrArray          *into);
const char   *rd_suggest_field_to_string  (RdSuggestField      field);
gboolean      rd_suggest_split_name       (const char         *value,
                                           char              **out_family,
                                           char              **out_given);
GPtrArray    *rd_suggest_filter           (GPtrArray          *suggestions,
                                           RdSuggestField      field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdSuggestion, rd_suggestion_free)

G_END_DECLS
