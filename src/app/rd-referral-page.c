/* rd-referral-page.c — the faxed pages beside the referral form
 *
 * One page per referral being worked on: the documents on one side (a
 * switcher when there are several), the form on the other, and above them
 * the referral's status with the transitions allowed from it, the claim
 * indicator and Save.
 *
 * The form is built from one table of fields, so that every field gets the
 * same treatment: a visible label tied to it (mnemonic widget and
 * accessible labelled-by), a line under it for the model's validation
 * message, and a line for what the document suggests, with an Apply button
 * (Ctrl+Return applies the suggestion of the focused field). The grid's
 * children are added in reading order, so Tab follows the form.
 *
 * Nothing reaches the database unless the person saves. What they type is
 * kept in a local draft (rd-draft-store) a moment after they stop typing;
 * the draft is offered back when the same referral, document or new form
 * is opened again, and deleted after a successful save. Saving writes the
 * patient, the coverage and the referral in one transaction; when someone
 * else saved any of the three in between, every stale row comes back from
 * the store and the comparison shows them all (theirs, yours, and a "use
 * theirs" tick per field) instead of overwriting; the merged form is then
 * saved at their versions, again in one transaction.
 *
 * The referring and the receiving provider are chosen from the directory
 * (a "picker" each: a search as the person types a name, NPI, specialty or
 * fax number, with NPI, specialty, organisation and fax shown), or added
 * to it with a small dialog validated by the model. A referring practice
 * fax suggested by the document is looked up in the directory, so that the
 * suggestion can name the provider and Apply can choose them.
 *
 * No PHI in logs: only ids are logged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "rd-referral-page.h"
#include "rd-document-view.h"
#include "rd-pdf.h"
#include "rd-repo-common.h"
#include "rd-repo-directory.h"
#include "rd-repo-document.h"
#include "rd-repo-intake.h"
#include "rd-repo-patient.h"
#include "rd-repo-referral.h"
#include "rd-split-dialog.h"
#include "rd-store-error.h"
#include "rd-suggest.h"

#define DRAFT_DELAY_MS    700
#define MATCH_DELAY_MS    350
#define PROVIDER_DELAY_MS 300
#define CLAIM_LEASE_S     300
#define CLAIM_RENEW_S     120
#define MAX_TRANSITIONS   12

typedef enum {
  SECTION_PATIENT,
  SECTION_COVERAGE,
  SECTION_REFERRAL,
  N_SECTIONS
} Section;

typedef enum {
  W_ENTRY,
  W_TEXT,
  W_DROPDOWN,
} WidgetKind;

/* Returns the normalised value, or NULL and the model's message. */
typedef char *(*Check) (const char *text, GError **error);

typedef struct {
  const char         *key;
  const char         *label;
  Section             section;
  WidgetKind          kind;
  const char * const *values;
  const char * const *titles;
  Check               check;
  int                 suggest;
  int                 suggest2;
  const char         *placeholder;
} FieldSpec;

static char *
check_dob (const char  *text,
           GError     **error)
{
  return rd_validate_dob (text, NULL, error);
}

static char *
check_codes (const char  *text,
             Check        one,
             GError     **error)
{
  g_auto(GStrv) parts = g_regex_split_simple ("[\\s,;]+", text, 0, 0);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *code = NULL;

      if (*parts[i] == '\0')
        continue;
      code = one (parts[i], error);
      if (code == NULL)
        return NULL;
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, code);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
check_icd10_list (const char  *text,
                  GError     **error)
{
  return check_codes (text, rd_validate_icd10, error);
}

static char *
check_procedure_list (const char  *text,
                      GError     **error)
{
  return check_codes (text, rd_validate_procedure, error);
}

static GDateTime *
parse_local_datetime (const char *text)
{
  int y, mo, d, h = 0, mi = 0;
  char tail;

  if (text == NULL)
    return NULL;
  if (sscanf (text, "%d-%d-%d %d:%d%c", &y, &mo, &d, &h, &mi, &tail) != 5 &&
      sscanf (text, "%d-%d-%d%c", &y, &mo, &d, &tail) != 3)
    return NULL;
  if (!g_date_valid_dmy (d, mo, y) || h < 0 || h > 23 || mi < 0 || mi > 59)
    return NULL;
  return g_date_time_new_local (y, mo, d, h, mi, 0);
}

static char *
format_local_datetime (GDateTime *dt)
{
  g_autoptr(GDateTime) local = NULL;

  if (dt == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (dt);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static char *
check_datetime (const char  *text,
                GError     **error)
{
  g_autoptr(GDateTime) dt = parse_local_datetime (text);

  if (dt == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("Write the date and time as YYYY-MM-DD HH:MM, for example 2026-03-01 14:30."));
      return NULL;
    }
  return format_local_datetime (dt);
}

static const char * const sex_values[] = { "unknown", "female", "male", "other", NULL };
static const char * const sex_titles[] = { N_("Not recorded"), N_("Female"), N_("Male"), N_("Other"), NULL };
static const char * const relationship_values[] = { "self", "spouse", "child", "other", NULL };
static const char * const relationship_titles[] = { N_("Self"), N_("Spouse"), N_("Child"), N_("Other"), NULL };
static const char * const direction_values[] = { "incoming", "outgoing", NULL };
static const char * const direction_titles[] = { N_("Incoming (referred to us)"), N_("Outgoing (we refer out)"), NULL };
static const char * const channel_values[] = { "fax", "scan", "email", "hl7", "fhir", "phone", "portal", "manual", NULL };
static const char * const channel_titles[] = { N_("Fax"), N_("Scan"), N_("E-mail"), N_("HL7 message"), N_("FHIR"),
                                               N_("Phone"), N_("Portal"), N_("Typed in"), NULL };
static const char * const priority_values[] = { "routine", "urgent", "asap", "stat", NULL };
static const char * const priority_titles[] = { N_("Routine"), N_("Urgent"), N_("As soon as possible"), N_("STAT"), NULL };

enum {
  F_FAMILY_NAME, F_GIVEN_NAME, F_DOB, F_SEX, F_PHONE_HOME, F_PHONE_MOBILE, F_ADDRESS, F_CITY,
  F_STATE, F_ZIP, F_LANGUAGE, F_MRN,
  F_PAYER_PLAN, F_MEMBER_ID, F_GROUP, F_SUBSCRIBER, F_RELATIONSHIP,
  F_DIRECTION, F_CHANNEL, F_RECEIVED_AT, F_REFERRING, F_REFERRING_NPI, F_REFERRING_FAX,
  F_RECEIVING, F_SPECIALTY, F_REASON, F_DIAGNOSES, F_PROCEDURES, F_PRIORITY, F_DUE_AT, F_DUE_REASON,
  N_FIELDS
};

static const FieldSpec field_specs[N_FIELDS] = {
  [F_FAMILY_NAME] = { "family_name", N_("_Family name"), SECTION_PATIENT, W_ENTRY, NULL, NULL, NULL, RD_SUGGEST_PATIENT_NAME, -1, NULL },
  [F_GIVEN_NAME] = { "given_name", N_("_Given name"), SECTION_PATIENT, W_ENTRY, NULL, NULL, NULL, -1, -1, NULL },
  [F_DOB] = { "dob", N_("_Date of birth"), SECTION_PATIENT, W_ENTRY, NULL, NULL, check_dob, RD_SUGGEST_DOB, -1, N_("YYYY-MM-DD or MM/DD/YYYY") },
  [F_SEX] = { "sex", N_("_Sex"), SECTION_PATIENT, W_DROPDOWN, sex_values, sex_titles, NULL, RD_SUGGEST_SEX, -1, NULL },
  [F_PHONE_HOME] = { "phone_home", N_("_Phone"), SECTION_PATIENT, W_ENTRY, NULL, NULL, rd_validate_phone, RD_SUGGEST_PHONE, -1, N_("(555) 201-3344") },
  [F_PHONE_MOBILE] = { "phone_mobile", N_("_Mobile phone"), SECTION_PATIENT, W_ENTRY, NULL, NULL, rd_validate_phone, -1, -1, NULL },
  [F_ADDRESS] = { "address_line1", N_("_Address"), SECTION_PATIENT, W_ENTRY, NULL, NULL, NULL, -1, -1, NULL },
  [F_CITY] = { "city", N_("Cit_y"), SECTION_PATIENT, W_ENTRY, NULL, NULL, NULL, -1, -1, NULL },
  [F_STATE] = { "state", N_("S_tate"), SECTION_PATIENT, W_ENTRY, NULL, NULL, NULL, -1, -1, NULL },
  [F_ZIP] = { "zip", N_("_ZIP code"), SECTION_PATIENT, W_ENTRY, NULL, NULL, rd_validate_zip, -1, -1, NULL },
  [F_LANGUAGE] = { "language", N_("Preferred _language"), SECTION_PATIENT, W_ENTRY, NULL, NULL, NULL, -1, -1, N_("For example en, es, vi") },
  [F_MRN] = { "mrn", N_("Medical _record number"), SECTION_PATIENT, W_ENTRY, NULL, NULL, NULL, RD_SUGGEST_MRN, -1, NULL },
  [F_PAYER_PLAN] = { "payer_plan", N_("Payer and _plan"), SECTION_COVERAGE, W_DROPDOWN, NULL, NULL, NULL, -1, -1, NULL },
  [F_MEMBER_ID] = { "member_id", N_("Member _ID"), SECTION_COVERAGE, W_ENTRY, NULL, NULL, rd_validate_member_id, RD_SUGGEST_MEMBER_ID, -1, NULL },
  [F_GROUP] = { "group_number", N_("Gro_up number"), SECTION_COVERAGE, W_ENTRY, NULL, NULL, NULL, -1, -1, NULL },
  [F_SUBSCRIBER] = { "subscriber_name", N_("Su_bscriber"), SECTION_COVERAGE, W_ENTRY, NULL, NULL, NULL, -1, -1, NULL },
  [F_RELATIONSHIP] = { "relationship", N_("Relations_hip to subscriber"), SECTION_COVERAGE, W_DROPDOWN, relationship_values, relationship_titles, NULL, -1, -1, NULL },
  [F_DIRECTION] = { "direction", N_("Dir_ection"), SECTION_REFERRAL, W_DROPDOWN, direction_values, direction_titles, NULL, -1, -1, NULL },
  [F_CHANNEL] = { "channel", N_("_Channel"), SECTION_REFERRAL, W_DROPDOWN, channel_values, channel_titles, NULL, -1, -1, NULL },
  [F_RECEIVED_AT] = { "received_at", N_("Recei_ved at"), SECTION_REFERRAL, W_ENTRY, NULL, NULL, check_datetime, -1, -1, N_("YYYY-MM-DD HH:MM") },
  [F_REFERRING] = { "referring", N_("Referring pro_vider"), SECTION_REFERRAL, W_ENTRY, NULL, NULL, NULL, -1, -1, N_("Search the directory by name, NPI or fax number") },
  [F_REFERRING_NPI] = { "referring_npi", N_("Referring _NPI"), SECTION_REFERRAL, W_ENTRY, NULL, NULL, rd_validate_npi, RD_SUGGEST_NPI, -1, NULL },
  [F_REFERRING_FAX] = { "referring_fax", N_("Referring _fax"), SECTION_REFERRAL, W_ENTRY, NULL, NULL, rd_validate_phone, RD_SUGGEST_REFERRING_FAX, -1, NULL },
  [F_RECEIVING] = { "receiving", N_("Receivin_g provider"), SECTION_REFERRAL, W_ENTRY, NULL, NULL, NULL, -1, -1, N_("Search the directory by name, NPI or specialty") },
  [F_SPECIALTY] = { "specialty", N_("Spec_ialty"), SECTION_REFERRAL, W_ENTRY, NULL, NULL, NULL, -1, -1, NULL },
  [F_REASON] = { "reason", N_("Reason for refe_rral"), SECTION_REFERRAL, W_TEXT, NULL, NULL, NULL, -1, -1, NULL },
  [F_DIAGNOSES] = { "diagnoses", N_("Diagn_oses (ICD-10)"), SECTION_REFERRAL, W_ENTRY, NULL, NULL, check_icd10_list, RD_SUGGEST_ICD10, -1, N_("For example I10, E11.9") },
  [F_PROCEDURES] = { "procedures", N_("Re_quested procedures (CPT/HCPCS)"), SECTION_REFERRAL, W_ENTRY, NULL, NULL, check_procedure_list, -1, -1, N_("For example 93000, G0438") },
  [F_PRIORITY] = { "priority", N_("Priori_ty"), SECTION_REFERRAL, W_DROPDOWN, priority_values, priority_titles, NULL, -1, -1, NULL },
  [F_DUE_AT] = { "due_at", N_("D_ue"), SECTION_REFERRAL, W_ENTRY, NULL, NULL, check_datetime, -1, -1, N_("YYYY-MM-DD HH:MM") },
  [F_DUE_REASON] = { "due_reason", N_("Reason for changing the due ti_me"), SECTION_REFERRAL, W_ENTRY, NULL, NULL, NULL, -1, -1, NULL },
};

typedef struct {
  const FieldSpec *spec;
  GtkWidget       *label;
  GtkWidget       *widget;
  GtkWidget       *error_label;
  GtkWidget       *suggest_row;
  GtkWidget       *suggest_label;
  GtkWidget       *suggest_button;
  GtkStringList   *model;
  char            *suggest_value;   /* what Apply puts in the field */
  char            *error;
} Field;

/* A provider field searching the directory: the referring or the
 * receiving provider. */
typedef enum {
  PICK_REFERRING,
  PICK_RECEIVING,
  N_PICKERS
} PickerKind;

typedef struct {
  int         field;       /* the name field the person types into */
  GtkWidget  *list;        /* directory rows found */
  GtkWidget  *info;        /* NPI, specialty, organisation, fax of the chosen one */
  GPtrArray  *providers;   /* RdProvider shown in @list */
  gint64      id;          /* the chosen provider, 0 for none */
  guint       timeout;
  guint       serial;      /* of the latest search: older answers are dropped */
} Picker;

struct _RdReferralPage
{
  AdwBin         parent_instance;

  RdConnection  *conn;
  RdDraftStore  *drafts;
  GCancellable  *cancellable;
  GSettings     *settings;

  /* Template */
  GtkWidget     *title_label;
  GtkWidget     *status_label;
  GtkWidget     *claim_label;
  GtkWidget     *actions_box;
  GtkWidget     *document_only_button;
  GtkWidget     *form_only_button;
  GtkWidget     *save_button;
  GtkWidget     *attach_button;
  GtkWidget     *split_button;
  GtkWidget     *draft_revealer;
  GtkWidget     *draft_label;
  GtkWidget     *draft_restore_button;
  GtkWidget     *draft_discard_button;
  GtkWidget     *conflict_revealer;
  GtkWidget     *conflict_label;
  GtkWidget     *conflict_list;
  GtkWidget     *conflict_reload_button;
  GtkWidget     *conflict_keep_button;
  GtkWidget     *conflict_merge_button;
  GtkWidget     *message_label;
  GtkWidget     *paned;
  GtkWidget     *document_side;
  GtkWidget     *form_side;
  GtkWidget     *document_switcher;
  GtkWidget     *document_view;
  GtkWidget     *form_stack;
  GtkWidget     *form_box;
  GtkWidget     *work_box;
  GtkWidget     *history_list;

  /* Built */
  Field          fields[N_FIELDS];
  GtkWidget     *match_list;
  GtkWidget     *match_heading;
  GtkWidget     *linked_box;
  GtkWidget     *linked_label;
  Picker         pickers[N_PICKERS];
  GtkWidget     *work_list;
  GtkWidget     *missing_entry;
  GtkWidget     *task_entry;
  GtkWidget     *task_due_entry;
  GtkWidget     *work_message;
  GtkStringList *document_titles;
  GtkStringList *plan_titles;

  /* State */
  RdReferral    *base;          /* as stored; NULL for a new referral */
  RdPatient     *patient;       /* the linked or stored patient; NULL for a new one */
  RdCoverage    *coverage;      /* as stored, or NULL */
  RdReferral    *theirs;        /* on conflict: the stale rows as someone else saved them */
  RdPatient     *their_patient;
  RdCoverage    *their_coverage;
  GArray        *plan_ids;
  GArray        *document_ids;
  GPtrArray     *suggestions;
  GPtrArray     *matches;       /* RdPatient: id, mrn, names, dob */
  RdProvider    *fax_provider;  /* the directory's match for the suggested fax */
  RdPdf         *pdf;
  GVariant      *offered_draft;
  GtkWidget     *dialog;
  char          *draft_key;
  char          *idempotency_key;
  char          *computed_due;
  gint64         queue_id;
  gint64         filing_document;
  GDateTime     *received_at;
  guint          draft_timeout;
  guint          match_timeout;
  guint          claim_timeout;
  guint          n_events;
  guint          n_transitions;
  guint          loading;
  gboolean       dirty;
  gboolean       busy;
  gboolean       patient_changed;
  gboolean       confirmed_new_patient;
  gboolean       claimed;
  gboolean       conflict_open;
};

G_DEFINE_FINAL_TYPE (RdReferralPage, rd_referral_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SAVED,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void save_now (RdReferralPage *self);
static void refresh_actions (RdReferralPage *self);
static void load_events (RdReferralPage *self);
static void load_work (RdReferralPage *self);
static void schedule_draft (RdReferralPage *self);
static void show_document (RdReferralPage *self, guint index);
static void lookup_suggested_fax (RdReferralPage *self);
static void show_chosen_providers (RdReferralPage *self);
static void load_providers (RdReferralPage *self);
static void choose_provider (RdReferralPage *self, PickerKind kind, RdProvider *provider);

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

static int
field_index (const char *key)
{
  for (int i = 0; i < N_FIELDS; i++)
    if (g_str_equal (field_specs[i].key, key))
      return i;
  return -1;
}

static void
set_busy (RdReferralPage *self,
          gboolean        busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.save", !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
show_message (RdReferralPage *self,
              const char     *message,
              gboolean        is_error)
{
  gtk_label_set_text (GTK_LABEL (self->message_label), message ? message : "");
  gtk_widget_set_visible (self->message_label, message != NULL && *message != '\0');
  if (is_error)
    gtk_widget_add_css_class (self->message_label, "error");
  else
    gtk_widget_remove_css_class (self->message_label, "error");
}

static void
show_error (RdReferralPage *self,
            const GError   *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CANCELLED))
    return;
  show_message (self, error->message, TRUE);
}

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CANCELLED);
}

static char *
field_get_text (Field *f)
{
  switch (f->spec->kind)
    {
    case W_ENTRY:
      return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (f->widget))));
    case W_TEXT:
      {
        GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (f->widget));
        GtkTextIter start, end;

        gtk_text_buffer_get_bounds (buffer, &start, &end);
        return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
      }
    case W_DROPDOWN:
      {
        guint pos = gtk_drop_down_get_selected (GTK_DROP_DOWN (f->widget));

        if (f->spec->values != NULL)
          return g_strdup (pos < g_strv_length ((char **) f->spec->values) ? f->spec->values[pos] : "");
        return g_strdup_printf ("%u", pos);
      }
    default:
      g_assert_not_reached ();
    }
}

static void
field_set_text (Field      *f,
                const char *text)
{
  if (text == NULL)
    text = "";
  switch (f->spec->kind)
    {
    case W_ENTRY:
      gtk_editable_set_text (GTK_EDITABLE (f->widget), text);
      break;
    case W_TEXT:
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (f->widget)), text, -1);
      break;
    case W_DROPDOWN:
      if (f->spec->values != NULL)
        {
          for (guint i = 0; f->spec->values[i] != NULL; i++)
            if (g_str_equal (f->spec->values[i], text))
              {
                gtk_drop_down_set_selected (GTK_DROP_DOWN (f->widget), i);
                return;
              }
          gtk_drop_down_set_selected (GTK_DROP_DOWN (f->widget), 0);
        }
      else
        gtk_drop_down_set_selected (GTK_DROP_DOWN (f->widget), (guint) g_ascii_strtoull (text, NULL, 10));
      break;
    default:
      g_assert_not_reached ();
    }
}

static char *
text_of (RdReferralPage *self,
         int             index)
{
  return field_get_text (&self->fields[index]);
}

static void
set_text (RdReferralPage *self,
          int             index,
          const char     *text)
{
  field_set_text (&self->fields[index], text);
}

/* Runs the field's check; shows the model's message under it. Returns the
 * normalised value (or the text when the field has no check), NULL when
 * invalid. An empty field is valid here; required fields are checked on save. */
static char *
validate_field (RdReferralPage *self,
                int             index)
{
  Field *f = &self->fields[index];
  g_autofree char *text = field_get_text (f);
  g_autoptr(GError) error = NULL;
  char *value = NULL;

  if (*text == '\0' || f->spec->check == NULL)
    value = g_steal_pointer (&text);
  else
    value = f->spec->check (text, &error);

  g_clear_pointer (&f->error, g_free);
  if (value == NULL)
    f->error = g_strdup (error ? error->message : _("This value is not valid."));

  gtk_label_set_text (GTK_LABEL (f->error_label), f->error ? f->error : "");
  gtk_widget_set_visible (f->error_label, f->error != NULL);
  if (f->error != NULL)
    {
      gtk_widget_add_css_class (f->widget, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (f->widget), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  else
    {
      gtk_widget_remove_css_class (f->widget, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (f->widget), GTK_ACCESSIBLE_STATE_INVALID);
    }
  return value;
}

/* ------------------------------------------------------------------------ */
/* Form <-> records                                                          */
/* ------------------------------------------------------------------------ */

static char *
strv_join (const char * const *strv)
{
  return strv ? g_strjoinv (", ", (char **) strv) : g_strdup ("");
}

static char **
split_codes (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = g_regex_split_simple ("[\\s,;]+", text ? text : "", 0, 0);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}

/* The text a referral field shows in the form (and in the conflict view). */
static char *
referral_field_text (RdReferral *r,
                     int         index)
{
  switch (index)
    {
    case F_DIRECTION:
      return g_strdup (rd_direction_to_string (rd_referral_get_direction (r)));
    case F_CHANNEL:
      return g_strdup (rd_referral_get_channel (r));
    case F_RECEIVED_AT:
      return format_local_datetime (rd_referral_get_received_at (r));
    case F_REFERRING:
      return g_strdup (rd_referral_get_referring_name (r));
    case F_RECEIVING:
      return g_strdup (rd_referral_get_receiving_name (r));
    case F_SPECIALTY:
      return g_strdup (rd_referral_get_specialty (r));
    case F_REASON:
      return g_strdup (rd_referral_get_reason (r));
    case F_DIAGNOSES:
      return strv_join (rd_referral_get_diagnoses (r));
    case F_PROCEDURES:
      return strv_join (rd_referral_get_procedures (r));
    case F_PRIORITY:
      return g_strdup (rd_priority_to_string (rd_referral_get_priority (r)));
    case F_DUE_AT:
      return format_local_datetime (rd_referral_get_due_at (r));
    default:
      return NULL;
    }
}

static const int referral_fields[] = {
  F_DIRECTION, F_CHANNEL, F_RECEIVED_AT, F_REFERRING, F_RECEIVING, F_SPECIALTY, F_REASON,
  F_DIAGNOSES, F_PROCEDURES, F_PRIORITY, F_DUE_AT,
};

static void
fill_referral (RdReferralPage *self,
               RdReferral     *r)
{
  self->loading++;
  for (guint i = 0; i < G_N_ELEMENTS (referral_fields); i++)
    {
      g_autofree char *text = referral_field_text (r, referral_fields[i]);

      set_text (self, referral_fields[i], text);
    }
  self->pickers[PICK_REFERRING].id = rd_referral_get_referring_provider_id (r);
  self->pickers[PICK_RECEIVING].id = rd_referral_get_receiving_provider_id (r);
  self->queue_id = rd_referral_get_queue_id (r);
  self->loading--;
}

static void
fill_patient (RdReferralPage *self,
              RdPatient      *p)
{
  self->loading++;
  set_text (self, F_FAMILY_NAME, rd_patient_get_family_name (p));
  set_text (self, F_GIVEN_NAME, rd_patient_get_given_name (p));
  set_text (self, F_DOB, rd_patient_get_dob (p));
  if (rd_patient_get_version (p) > 0)
    {
      g_autofree char *home = rd_phone_format_display (rd_patient_get_phone_home (p));
      g_autofree char *mobile = rd_phone_format_display (rd_patient_get_phone_mobile (p));

      set_text (self, F_SEX, rd_patient_get_sex (p));
      set_text (self, F_PHONE_HOME, home);
      set_text (self, F_PHONE_MOBILE, mobile);
      set_text (self, F_ADDRESS, rd_patient_get_address_line1 (p));
      set_text (self, F_CITY, rd_patient_get_city (p));
      set_text (self, F_STATE, rd_patient_get_state (p));
      set_text (self, F_ZIP, rd_patient_get_zip (p));
      set_text (self, F_LANGUAGE, rd_patient_get_language (p));
    }
  set_text (self, F_MRN, rd_patient_get_mrn (p));
  self->loading--;
}

static void
fill_coverage (RdReferralPage *self,
               RdCoverage     *c)
{
  self->loading++;
  for (guint i = 0; self->plan_ids != NULL && i < self->plan_ids->len; i++)
    if (g_array_index (self->plan_ids, gint64, i) == rd_coverage_get_payer_plan_id (c))
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->fields[F_PAYER_PLAN].widget), i);
  set_text (self, F_MEMBER_ID, rd_coverage_get_member_id (c));
  set_text (self, F_GROUP, rd_coverage_get_group_number (c));
  set_text (self, F_SUBSCRIBER, rd_coverage_get_subscriber_name (c));
  set_text (self, F_RELATIONSHIP, rd_coverage_get_relationship (c));
  self->loading--;
}

/* Reads and checks the whole form. On a problem, shows it and returns FALSE. */
/* The checked values of every field, freed together. */
typedef struct {
  char *v[N_FIELDS];
} FormValues;

static void
form_values_clear (FormValues *form)
{
  for (int i = 0; i < N_FIELDS; i++)
    g_clear_pointer (&form->v[i], g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FormValues, form_values_clear)

static gboolean
build_records (RdReferralPage  *self,
               RdPatient      **out_patient,
               RdCoverage     **out_coverage,
               RdReferral     **out_referral)
{
  g_auto(FormValues) form = { { NULL } };
  g_autoptr(RdPatient) p = NULL;
  g_autoptr(RdCoverage) c = NULL;
  g_autoptr(RdReferral) r = NULL;
  g_auto(GStrv) diagnoses = NULL;
  g_auto(GStrv) procedures = NULL;
  g_autoptr(GDateTime) received = NULL;
  g_autoptr(GDateTime) due = NULL;
  g_autofree char *stored_due = NULL;
  int first_bad = -1;
  RdPriority priority = RD_PRIORITY_ROUTINE;
  RdDirection direction = RD_DIRECTION_INCOMING;
  guint plan;

  for (int i = 0; i < N_FIELDS; i++)
    {
      form.v[i] = validate_field (self, i);
      if (form.v[i] == NULL && first_bad < 0)
        first_bad = i;
    }

  if (first_bad < 0 && *form.v[F_FAMILY_NAME] == '\0')
    {
      Field *f = &self->fields[F_FAMILY_NAME];

      g_free (f->error);
      f->error = g_strdup (_("Enter the patient’s family name."));
      gtk_label_set_text (GTK_LABEL (f->error_label), f->error);
      gtk_widget_set_visible (f->error_label, TRUE);
      first_bad = F_FAMILY_NAME;
    }
  stored_due = self->base ? referral_field_text (self->base, F_DUE_AT) : NULL;
  /* A due time other than the priority's (and other than the stored one)
   * needs a reason. */
  if (first_bad < 0 && self->computed_due != NULL && *form.v[F_DUE_AT] != '\0' &&
      g_strcmp0 (form.v[F_DUE_AT], self->computed_due) != 0 && *form.v[F_DUE_REASON] == '\0' &&
      g_strcmp0 (stored_due, form.v[F_DUE_AT]) != 0)
    {
      Field *f = &self->fields[F_DUE_REASON];

      g_free (f->error);
      f->error = g_strdup (_("Say why the due time differs from the one the priority gives."));
      gtk_label_set_text (GTK_LABEL (f->error_label), f->error);
      gtk_widget_set_visible (f->error_label, TRUE);
      first_bad = F_DUE_REASON;
    }

  if (first_bad >= 0)
    {
      show_message (self, _("Some fields need attention. Correct the fields marked in red, then save again."), TRUE);
      gtk_widget_grab_focus (self->fields[first_bad].widget);
      return FALSE;
    }

  /* Patient */
  p = self->patient ? rd_patient_copy (self->patient) : rd_patient_new ();
  rd_patient_set_family_name (p, form.v[F_FAMILY_NAME]);
  rd_patient_set_given_name (p, form.v[F_GIVEN_NAME]);
  rd_patient_set_dob (p, *form.v[F_DOB] ? form.v[F_DOB] : NULL);
  rd_patient_set_sex (p, form.v[F_SEX]);
  rd_patient_set_phone_home (p, *form.v[F_PHONE_HOME] ? form.v[F_PHONE_HOME] : NULL);
  rd_patient_set_phone_mobile (p, *form.v[F_PHONE_MOBILE] ? form.v[F_PHONE_MOBILE] : NULL);
  rd_patient_set_address_line1 (p, form.v[F_ADDRESS]);
  rd_patient_set_city (p, form.v[F_CITY]);
  rd_patient_set_state (p, form.v[F_STATE]);
  rd_patient_set_zip (p, *form.v[F_ZIP] ? form.v[F_ZIP] : NULL);
  rd_patient_set_language (p, form.v[F_LANGUAGE]);
  rd_patient_set_mrn (p, *form.v[F_MRN] ? form.v[F_MRN] : NULL);

  /* Coverage: only when something of it was given. */
  plan = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->fields[F_PAYER_PLAN].widget));
  if (self->coverage != NULL || plan > 0 || *form.v[F_MEMBER_ID] || *form.v[F_GROUP] || *form.v[F_SUBSCRIBER])
    {
      c = self->coverage ? rd_coverage_copy (self->coverage) : rd_coverage_new ();
      rd_coverage_set_payer_plan_id (c, plan > 0 && self->plan_ids && plan < self->plan_ids->len
                                        ? g_array_index (self->plan_ids, gint64, plan) : 0);
      rd_coverage_set_member_id (c, form.v[F_MEMBER_ID]);
      rd_coverage_set_group_number (c, form.v[F_GROUP]);
      rd_coverage_set_subscriber_name (c, form.v[F_SUBSCRIBER]);
      rd_coverage_set_relationship (c, form.v[F_RELATIONSHIP]);
      if (rd_coverage_get_id (c) == 0)
        rd_coverage_set_source (c, self->filing_document > 0 ? "fax" : "manual");
    }

  /* Referral */
  r = self->base ? rd_referral_copy (self->base) : rd_referral_new ();
  rd_direction_from_string (form.v[F_DIRECTION], &direction);
  rd_priority_from_string (form.v[F_PRIORITY], &priority);
  diagnoses = split_codes (form.v[F_DIAGNOSES]);
  procedures = split_codes (form.v[F_PROCEDURES]);
  received = parse_local_datetime (form.v[F_RECEIVED_AT]);
  due = parse_local_datetime (form.v[F_DUE_AT]);
  rd_referral_set_direction (r, direction);
  rd_referral_set_channel (r, form.v[F_CHANNEL]);
  if (received != NULL)
    rd_referral_set_received_at (r, received);
  rd_referral_set_referring_provider_id (r, self->pickers[PICK_REFERRING].id);
  rd_referral_set_receiving_provider_id (r, self->pickers[PICK_RECEIVING].id);
  rd_referral_set_specialty (r, form.v[F_SPECIALTY]);
  rd_referral_set_reason (r, form.v[F_REASON]);
  rd_referral_set_diagnoses (r, (const char * const *) diagnoses);
  rd_referral_set_procedures (r, (const char * const *) procedures);
  rd_referral_set_priority (r, priority);
  rd_referral_set_due_at (r, due);
  if (*form.v[F_DUE_REASON] != '\0')
    {
      /* The schema has no column for it: the notes keep the reason. */
      g_autofree char *line = g_strdup_printf (_("Due time changed: %s"), form.v[F_DUE_REASON]);
      const char *old = rd_referral_get_notes (r);
      g_autofree char *notes = NULL;

      if (old == NULL || strstr (old, line) == NULL)
        notes = old && *old ? g_strconcat (old, "\n", line, NULL) : g_strdup (line);
      if (notes != NULL)
        rd_referral_set_notes (r, notes);
    }
  if (rd_referral_get_id (r) == 0)
    {
      rd_referral_set_queue_id (r, self->queue_id);
      rd_referral_set_idempotency_key (r, self->idempotency_key);
    }

  *out_patient = g_steal_pointer (&p);
  *out_coverage = g_steal_pointer (&c);
  *out_referral = g_steal_pointer (&r);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Due time                                                                  */
/* ------------------------------------------------------------------------ */

static void
recompute_due (RdReferralPage *self)
{
  g_autofree char *priority_text = text_of (self, F_PRIORITY);
  g_autofree char *received_text = text_of (self, F_RECEIVED_AT);
  g_autofree char *due_text = text_of (self, F_DUE_AT);
  g_autoptr(GDateTime) received = parse_local_datetime (received_text);
  g_autoptr(GDateTime) due = NULL;
  RdPriority priority = RD_PRIORITY_ROUTINE;
  RdTurnaround target;
  gboolean follow;

  if (received == NULL)
    received = g_date_time_new_now_local ();
  rd_priority_from_string (priority_text, &priority);
  target = rd_priority_default_turnaround (priority);
  due = rd_due_compute (received, &target);

  /* The due field follows the priority until the person changes it. */
  follow = *due_text == '\0' || g_strcmp0 (due_text, self->computed_due) == 0;
  g_free (self->computed_due);
  self->computed_due = format_local_datetime (due);
  if (follow)
    {
      self->loading++;
      set_text (self, F_DUE_AT, self->computed_due);
      self->loading--;
    }
}

/* ------------------------------------------------------------------------ */
/* Drafts                                                                    */
/* ------------------------------------------------------------------------ */

static GVariant *
draft_build (RdReferralPage *self)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (int i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *text = text_of (self, i);

      g_variant_builder_add (&builder, "{sv}", field_specs[i].key, g_variant_new_string (text));
    }
  g_variant_builder_add (&builder, "{sv}", "_patient_id",
                         g_variant_new_int64 (self->patient ? rd_patient_get_id (self->patient) : 0));
  g_variant_builder_add (&builder, "{sv}", "_referring_id", g_variant_new_int64 (self->pickers[PICK_REFERRING].id));
  g_variant_builder_add (&builder, "{sv}", "_receiving_id", g_variant_new_int64 (self->pickers[PICK_RECEIVING].id));
  g_variant_builder_add (&builder, "{sv}", "_version",
                         g_variant_new_int64 (self->base ? rd_referral_get_version (self->base) : 0));
  g_variant_builder_add (&builder, "{sv}", "_idempotency_key", g_variant_new_string (self->idempotency_key));
  g_variant_builder_add (&builder, "{sv}", "_saved_at", g_variant_new_int64 (g_get_real_time () / G_USEC_PER_SEC));
  return g_variant_builder_end (&builder);
}

static void
on_draft_saved (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rd_draft_store_save_finish (RD_DRAFT_STORE (source), result, &error) && !is_cancelled (error))
    g_warning ("Draft not kept: %s", error->message);
}

static void
draft_save_now (RdReferralPage *self)
{
  g_clear_handle_id (&self->draft_timeout, g_source_remove);
  if (self->draft_key == NULL || !self->dirty)
    return;
  /* Not cancelled with the page: a draft asked for is written. */
  rd_draft_store_save_async (self->drafts, self->draft_key, draft_build (self), NULL, on_draft_saved, NULL);
}

static gboolean
on_draft_timeout (gpointer user_data)
{
  RdReferralPage *self = user_data;

  self->draft_timeout = 0;
  draft_save_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_draft (RdReferralPage *self)
{
  g_clear_handle_id (&self->draft_timeout, g_source_remove);
  self->draft_timeout = g_timeout_add (DRAFT_DELAY_MS, on_draft_timeout, self);
}

static void
draft_delete (RdReferralPage *self,
              const char     *key)
{
  if (key != NULL)
    rd_draft_store_delete_async (self->drafts, key, NULL, NULL, NULL);
}

static void
apply_draft (RdReferralPage *self,
             GVariant       *draft)
{
  GVariantDict dict;
  gint64 referring = 0;
  const char *key = NULL;

  g_variant_dict_init (&dict, draft);
  self->loading++;
  for (int i = 0; i < N_FIELDS; i++)
    {
      const char *text = NULL;

      if (g_variant_dict_lookup (&dict, field_specs[i].key, "&s", &text))
        set_text (self, i, text);
    }
  if (g_variant_dict_lookup (&dict, "_referring_id", "x", &referring))
    self->pickers[PICK_REFERRING].id = referring;
  if (g_variant_dict_lookup (&dict, "_receiving_id", "x", &referring))
    self->pickers[PICK_RECEIVING].id = referring;
  if (self->base == NULL && g_variant_dict_lookup (&dict, "_idempotency_key", "&s", &key) && *key != '\0')
    {
      g_free (self->idempotency_key);
      self->idempotency_key = g_strdup (key);
    }
  self->loading--;
  g_variant_dict_clear (&dict);

  for (int i = 0; i < N_FIELDS; i++)
    g_free (validate_field (self, i));
  show_chosen_providers (self);
  self->dirty = TRUE;
  schedule_draft (self);

  {
    gint64 version = 0;

    if (self->base != NULL && g_variant_lookup (draft, "_version", "x", &version) &&
        version > 0 && version != rd_referral_get_version (self->base))
      show_message (self, _("Someone saved this referral after your unsaved changes were kept. Check each field against the saved referral before you save."), TRUE);
    else
      show_message (self, _("Your unsaved changes are back. Save to keep them."), FALSE);
  }
}

static void
on_draft_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) draft = rd_draft_store_load_finish (RD_DRAFT_STORE (source), result, &error);
  gint64 saved_at = 0;

  if (error != NULL)
    {
      if (!is_cancelled (error))
        show_error (self, error);
      g_object_unref (self);
      return;
    }
  if (draft != NULL)
    {
      g_autofree char *when = NULL;
      g_autofree char *text = NULL;

      g_variant_lookup (draft, "_saved_at", "x", &saved_at);
      if (saved_at > 0)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (saved_at);

          when = g_date_time_format (dt, "%Y-%m-%d %H:%M");
          text = g_strdup_printf (_("Unsaved changes from %s were kept on this computer. Restore them?"), when);
        }
      else
        text = g_strdup (_("Unsaved changes were kept on this computer. Restore them?"));
      gtk_label_set_text (GTK_LABEL (self->draft_label), text);
      g_clear_pointer (&self->offered_draft, g_variant_unref);
      self->offered_draft = g_steal_pointer (&draft);
      gtk_revealer_set_reveal_child (GTK_REVEALER (self->draft_revealer), TRUE);
    }
  g_object_unref (self);
}

static void
offer_draft (RdReferralPage *self)
{
  if (self->draft_key == NULL)
    return;
  rd_draft_store_load_async (self->drafts, self->draft_key, self->cancellable, on_draft_loaded,
                             g_object_ref (self));
}

static void
on_draft_restore_clicked (RdReferralPage *self)
{
  rd_referral_page_restore_draft (self);
}

static void
on_draft_discard_clicked (RdReferralPage *self)
{
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->draft_revealer), FALSE);
  g_clear_pointer (&self->offered_draft, g_variant_unref);
  draft_delete (self, self->draft_key);
}

/* ------------------------------------------------------------------------ */
/* Suggestions                                                               */
/* ------------------------------------------------------------------------ */

static char *
suggestion_display (RdSuggestion *s)
{
  switch (s->field)
    {
    case RD_SUGGEST_PHONE:
    case RD_SUGGEST_REFERRING_FAX:
      return rd_phone_format_display (s->value);
    default:
      return g_strdup (s->value);
    }
}

/* A suggestion already in the field is not offered again. */
static void
update_suggestion_row (RdReferralPage *self,
                       int             index)
{
  Field *f = &self->fields[index];
  g_autofree char *text = NULL;
  g_autofree char *have = NULL;
  g_autofree char *want = NULL;
  gboolean same;

  if (f->suggest_row == NULL)
    return;
  if (f->suggest_value == NULL)
    {
      gtk_widget_set_visible (f->suggest_row, FALSE);
      return;
    }
  text = field_get_text (f);
  if (f->spec->check != NULL)
    {
      have = *text ? f->spec->check (text, NULL) : NULL;
      want = f->spec->check (f->suggest_value, NULL);
      same = have != NULL && g_strcmp0 (have, want) == 0;
    }
  else
    same = g_strcmp0 (text, f->suggest_value) == 0;
  gtk_widget_set_visible (f->suggest_row, !same);
}

static void
show_suggestions (RdReferralPage *self)
{
  for (int i = 0; i < N_FIELDS; i++)
    {
      Field *f = &self->fields[i];
      g_autoptr(GString) shown = g_string_new (NULL);
      g_autoptr(GString) value = g_string_new (NULL);
      RdSuggestion *first = NULL;

      g_clear_pointer (&f->suggest_value, g_free);
      if (f->suggest_row == NULL)
        continue;

      for (guint j = 0; self->suggestions != NULL && j < self->suggestions->len; j++)
        {
          RdSuggestion *s = g_ptr_array_index (self->suggestions, j);
          g_autofree char *display = NULL;

          if ((int) s->field != f->spec->suggest && (int) s->field != f->spec->suggest2)
            continue;
          display = suggestion_display (s);
          if (first == NULL)
            first = s;
          else if (s->field != RD_SUGGEST_ICD10)
            continue;   /* one value per field; every code for diagnoses */
          if (value->len > 0)
            {
              g_string_append (value, ", ");
              g_string_append (shown, ", ");
            }
          if (s->field == RD_SUGGEST_PATIENT_NAME)
            {
              g_autofree char *family = NULL;
              g_autofree char *given = NULL;

              rd_suggest_split_name (s->value, &family, &given);
              g_string_append (value, family ? family : s->value);
            }
          else
            g_string_append (value, display);
          g_string_append (shown, display);
        }

      if (first == NULL)
        {
          gtk_widget_set_visible (f->suggest_row, FALSE);
          continue;
        }
      f->suggest_value = g_strdup (value->str);
      {
        g_autofree char *label = g_strdup_printf (_("On page %u (“%s”): %s"), first->page + 1,
                                                  first->label ? first->label : "", shown->str);

        gtk_label_set_text (GTK_LABEL (f->suggest_label), label);
      }
      update_suggestion_row (self, i);
    }
}

static gboolean
apply_suggestion (RdReferralPage *self,
                  int             index)
{
  Field *f = &self->fields[index];

  if (f->suggest_value == NULL)
    return FALSE;

  if (index == F_FAMILY_NAME)
    {
      /* The name suggestion fills both name fields. */
      for (guint j = 0; self->suggestions && j < self->suggestions->len; j++)
        {
          RdSuggestion *s = g_ptr_array_index (self->suggestions, j);
          g_autofree char *family = NULL;
          g_autofree char *given = NULL;

          if (s->field != RD_SUGGEST_PATIENT_NAME)
            continue;
          if (rd_suggest_split_name (s->value, &family, &given))
            {
              set_text (self, F_GIVEN_NAME, given);
              set_text (self, F_FAMILY_NAME, family);
            }
          break;
        }
    }
  else if (index == F_DIAGNOSES)
    {
      /* Adds the codes that are not there yet. */
      g_autofree char *current = text_of (self, F_DIAGNOSES);
      g_auto(GStrv) have = split_codes (current);
      g_auto(GStrv) add = split_codes (f->suggest_value);
      g_autoptr(GString) out = g_string_new (current);

      for (guint i = 0; add[i] != NULL; i++)
        if (!g_strv_contains ((const char * const *) have, add[i]))
          g_string_append_printf (out, "%s%s", out->len > 0 ? ", " : "", add[i]);
      set_text (self, F_DIAGNOSES, out->str);
    }
  else if (index == F_REFERRING_FAX && self->fax_provider != NULL)
    {
      /* The number is the directory's: choose that provider. */
      g_autoptr(RdProvider) provider = g_object_ref (self->fax_provider);

      choose_provider (self, PICK_REFERRING, provider);
    }
  else
    set_text (self, index, f->suggest_value);

  gtk_widget_set_visible (f->suggest_row, FALSE);
  return TRUE;
}

static void
on_suggest_apply_clicked (GtkButton      *button,
                          RdReferralPage *self)
{
  int index = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "rd-field"));

  apply_suggestion (self, index);
  gtk_widget_grab_focus (self->fields[index].widget);
}

static void
apply_focused_suggestion (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  RdReferralPage *self = RD_REFERRAL_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  for (int i = 0; focus != NULL && i < N_FIELDS; i++)
    if (focus == self->fields[i].widget || gtk_widget_is_ancestor (focus, self->fields[i].widget))
      {
        apply_suggestion (self, i);
        return;
      }
}

static void
on_text_extracted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = rd_pdf_extract_text_finish (RD_PDF (source), result, &error);

  if (text != NULL && !g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_pointer (&self->suggestions, g_ptr_array_unref);
      self->suggestions = rd_suggest_from_text (text, NULL);
      g_debug ("referral page: %u suggestions from the document", self->suggestions->len);
      show_suggestions (self);
      lookup_suggested_fax (self);
    }
  g_object_unref (self);
}

static void
on_pdf_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPdf) pdf = rd_pdf_load_finish (result, &error);

  /* A broken file is reported by the viewer in place of the pages. */
  if (pdf != NULL && !g_cancellable_is_cancelled (self->cancellable))
    {
      g_set_object (&self->pdf, pdf);
      rd_pdf_extract_text_async (pdf, -1, self->cancellable, on_text_extracted, g_object_ref (self));
    }
  g_object_unref (self);
}

/* ------------------------------------------------------------------------ */
/* Documents                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct {
  RdReferralPage *self;
  char           *title;
} DocLoad;

static void
on_document_bytes (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  DocLoad *load = user_data;
  RdReferralPage *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = rd_repo_document_read_finish (RD_CONNECTION (source), result, &error);

  if (bytes == NULL)
    {
      if (!is_cancelled (error))
        show_error (self, error);
    }
  else
    {
      rd_document_view_set_bytes (RD_DOCUMENT_VIEW (self->document_view), bytes, load->title);
      rd_pdf_load_async (bytes, NULL, self->cancellable, on_pdf_loaded, g_object_ref (self));
    }
  g_object_unref (load->self);
  g_free (load->title);
  g_free (load);
}

static void
show_document (RdReferralPage *self,
               guint           index)
{
  DocLoad *load;

  if (self->document_ids == NULL || index >= self->document_ids->len)
    return;
  load = g_new0 (DocLoad, 1);
  load->self = g_object_ref (self);
  load->title = g_strdup (gtk_string_list_get_string (self->document_titles, index));
  rd_repo_document_read_async (self->conn, g_array_index (self->document_ids, gint64, index),
                               self->cancellable, on_document_bytes, load);
}

static void
on_document_switched (RdReferralPage *self)
{
  show_document (self, gtk_drop_down_get_selected (GTK_DROP_DOWN (self->document_switcher)));
}

static char *
document_title (RdDocument *doc)
{
  const char *name = rd_document_get_file_name (doc);
  GDateTime *at = rd_document_get_received_at (doc);
  g_autofree char *when = at ? format_local_datetime (at) : g_strdup ("");

  /* Translators: a document in the switcher: its file name and when it came. */
  return g_strdup_printf (_("%s, received %s"), name && *name ? name : _("Document"), when);
}

/* Shows @documents (RdDocument) in the switcher and the first one's pages. */
static void
set_documents (RdReferralPage *self,
               GPtrArray      *documents)
{
  g_signal_handlers_block_by_func (self->document_switcher, on_document_switched, self);
  g_array_set_size (self->document_ids, 0);
  gtk_string_list_splice (self->document_titles, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->document_titles)), NULL);
  for (guint i = 0; documents != NULL && i < documents->len; i++)
    {
      RdDocument *doc = g_ptr_array_index (documents, i);
      gint64 id = rd_document_get_id (doc);
      g_autofree char *title = document_title (doc);

      g_array_append_val (self->document_ids, id);
      gtk_string_list_append (self->document_titles, title);
    }
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->document_switcher), 0);
  gtk_widget_set_sensitive (self->document_switcher, self->document_ids->len > 1);
  g_signal_handlers_unblock_by_func (self->document_switcher, on_document_switched, self);
  if (self->document_ids->len > 0)
    show_document (self, 0);
  else
    rd_document_view_clear (RD_DOCUMENT_VIEW (self->document_view));
}

static void
on_documents_listed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_repo_intake_rows_finish (RD_CONNECTION (source), result, &error);

  if (res == NULL)
    {
      if (!is_cancelled (error))
        show_error (self, error);
    }
  else
    {
      g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func (g_object_unref);

      for (int i = 0; i < rd_result_get_n_rows (res); i++)
        {
          RdDocument *doc = rd_document_new ();

          rd_repo_fill_record (G_OBJECT (doc), res, i);
          g_ptr_array_add (documents, doc);
        }
      set_documents (self, documents);
    }
  g_object_unref (self);
}

/* ------------------------------------------------------------------------ */
/* Patient matching                                                          */
/* ------------------------------------------------------------------------ */

static void
clear_list (GtkWidget *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (list), child);
}

static void
show_linked (RdReferralPage *self)
{
  if (self->patient != NULL && rd_patient_get_id (self->patient) > 0)
    {
      const char *mrn = rd_patient_get_mrn (self->patient);
      g_autofree char *text = mrn && *mrn
        ? g_strdup_printf (_("This referral is for an existing patient (MRN %s)."), mrn)
        : g_strdup (_("This referral is for an existing patient."));

      gtk_label_set_text (GTK_LABEL (self->linked_label), text);
      gtk_widget_set_visible (self->linked_box, TRUE);
    }
  else
    gtk_widget_set_visible (self->linked_box, FALSE);
}

static void
show_matches (RdReferralPage *self)
{
  clear_list (self->match_list);
  for (guint i = 0; self->matches && i < self->matches->len; i++)
    {
      RdPatient *p = g_ptr_array_index (self->matches, i);
      g_autofree char *text = g_strdup_printf (_("%s, %s — born %s — MRN %s"),
                                               rd_patient_get_family_name (p),
                                               rd_patient_get_given_name (p) ? rd_patient_get_given_name (p) : "",
                                               rd_patient_get_dob (p) ? rd_patient_get_dob (p) : _("unknown"),
                                               rd_patient_get_mrn (p) ? rd_patient_get_mrn (p) : _("none"));
      GtkWidget *label = gtk_label_new (text);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      gtk_widget_set_tooltip_text (row, _("Use this patient for the referral (Enter)"));
      gtk_list_box_append (GTK_LIST_BOX (self->match_list), row);
    }
  gtk_widget_set_visible (self->match_heading, self->matches && self->matches->len > 0);
  gtk_widget_set_visible (self->match_list, self->matches && self->matches->len > 0);
}

static void
add_matches (RdReferralPage *self,
             GPtrArray      *found)
{
  gint64 linked = self->patient ? rd_patient_get_id (self->patient) : 0;

  if (self->matches == NULL)
    self->matches = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; found && i < found->len; i++)
    {
      RdPatient *p = g_ptr_array_index (found, i);
      gboolean seen = rd_patient_get_id (p) == linked;

      for (guint j = 0; !seen && j < self->matches->len; j++)
        seen = rd_patient_get_id (g_ptr_array_index (self->matches, j)) == rd_patient_get_id (p);
      if (!seen)
        g_ptr_array_add (self->matches, g_object_ref (p));
    }
  show_matches (self);
}

static void
on_candidates (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = rd_repo_patient_find_candidates_finish (RD_CONNECTION (source), result, &error);

  if (found != NULL)
    add_matches (self, found);
  else if (!is_cancelled (error))
    g_debug ("referral page: duplicate search failed");
  g_object_unref (self);
}

static void
on_mrn_matches (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_repo_intake_rows_finish (RD_CONNECTION (source), result, &error);

  if (res != NULL)
    {
      g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);

      for (int i = 0; i < rd_result_get_n_rows (res); i++)
        {
          RdPatient *p = rd_patient_new ();

          rd_patient_set_id (p, rd_repo_get_int64 (res, i, "id"));
          rd_patient_set_mrn (p, rd_repo_get_string (res, i, "mrn"));
          rd_patient_set_family_name (p, rd_repo_get_string (res, i, "family_name"));
          rd_patient_set_given_name (p, rd_repo_get_string (res, i, "given_name"));
          rd_patient_set_dob (p, rd_repo_get_string (res, i, "dob"));
          g_ptr_array_add (found, p);
        }
      add_matches (self, found);
    }
  g_object_unref (self);
}

static gboolean
on_match_timeout (gpointer user_data)
{
  RdReferralPage *self = user_data;
  g_autofree char *family = text_of (self, F_FAMILY_NAME);
  g_autofree char *given = text_of (self, F_GIVEN_NAME);
  g_autofree char *dob_text = text_of (self, F_DOB);
  g_autofree char *dob = *dob_text ? rd_validate_dob (dob_text, NULL, NULL) : NULL;
  g_autofree char *mrn = text_of (self, F_MRN);
  g_autofree char *phone_text = text_of (self, F_PHONE_HOME);
  g_autofree char *phone = *phone_text ? rd_validate_phone (phone_text, NULL) : NULL;

  self->match_timeout = 0;
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  show_matches (self);

  if (*family != '\0' && dob != NULL)
    rd_repo_patient_find_candidates_async (self->conn, family, given, dob, self->cancellable,
                                           on_candidates, g_object_ref (self));
  if (*mrn != '\0')
    rd_repo_intake_find_by_mrn_async (self->conn, mrn, self->cancellable, on_mrn_matches, g_object_ref (self));
  if (phone != NULL)
    rd_repo_intake_find_by_phone_async (self->conn, phone, self->cancellable, on_mrn_matches, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_match (RdReferralPage *self)
{
  g_clear_handle_id (&self->match_timeout, g_source_remove);
  self->match_timeout = g_timeout_add (MATCH_DELAY_MS, on_match_timeout, self);
}

static void
on_patient_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPatient) p = rd_repo_patient_get_finish (RD_CONNECTION (source), result, &error);

  /* Not readable yet (a patient of another team's referrals): the four
   * facts of the duplicate search stay, and the referral only links it. */
  if (p != NULL && !g_cancellable_is_cancelled (self->cancellable))
    {
      g_set_object (&self->patient, p);
      fill_patient (self, p);
      show_linked (self);
    }
  g_object_unref (self);
}

static void
choose_patient (RdReferralPage *self,
                RdPatient      *p)
{
  g_autoptr(RdPatient) linked = rd_patient_copy (p);

  /* Version 0: known by id only until the full row is read. */
  rd_patient_set_version (linked, 0);
  g_set_object (&self->patient, linked);
  self->patient_changed = FALSE;
  fill_patient (self, linked);
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  show_matches (self);
  show_linked (self);
  self->dirty = TRUE;
  schedule_draft (self);
  /* @p may have been in the list just cleared: use the copy. */
  rd_repo_patient_get_async (self->conn, rd_patient_get_id (linked), self->cancellable, on_patient_loaded,
                             g_object_ref (self));
}

static void
on_match_activated (GtkListBox     *list,
                    GtkListBoxRow  *row,
                    RdReferralPage *self)
{
  int index = gtk_list_box_row_get_index (row);

  if (self->matches != NULL && index >= 0 && (guint) index < self->matches->len)
    choose_patient (self, g_ptr_array_index (self->matches, index));
}

static void
on_unlink_clicked (RdReferralPage *self)
{
  g_clear_object (&self->patient);
  self->patient_changed = FALSE;
  show_linked (self);
  self->dirty = TRUE;
  schedule_draft (self);
  schedule_match (self);
}

/* ------------------------------------------------------------------------ */
/* Referring provider                                                        */
/* ------------------------------------------------------------------------ */

static gboolean
is_phone_number (const char *text)
{
  g_autofree char *e164 = text != NULL && *text != '\0' ? rd_validate_phone (text, NULL) : NULL;

  return e164 != NULL;
}

/* The chosen provider's NPI, specialty, organisation and fax, on one line. */
static char *
provider_details (RdProvider *provider)
{
  g_autoptr(GStrvBuilder) parts = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  g_autofree char *fax = rd_phone_format_display (rd_provider_get_fax (provider));
  const char *npi = rd_provider_get_npi (provider);
  const char *specialty = rd_provider_get_specialty (provider);
  const char *org = rd_provider_get_organization_name (provider);
  g_autofree char *npi_text = g_strdup_printf (_("NPI %s"), npi && *npi ? npi : _("none"));
  g_autofree char *fax_text = g_strdup_printf (_("Fax %s"), fax && *fax ? fax : _("none"));

  g_strv_builder_add (parts, npi_text);
  if (specialty && *specialty)
    g_strv_builder_add (parts, specialty);
  if (org && *org)
    g_strv_builder_add (parts, org);
  g_strv_builder_add (parts, fax_text);
  strv = g_strv_builder_end (parts);
  return g_strjoinv (" · ", strv);
}

static void
show_provider_info (RdReferralPage *self,
                    PickerKind      kind,
                    RdProvider     *provider)
{
  g_autofree char *text = provider_details (provider);

  gtk_label_set_text (GTK_LABEL (self->pickers[kind].info), text);
  gtk_widget_set_visible (self->pickers[kind].info, TRUE);
}

static void
fill_provider (RdReferralPage *self,
               PickerKind      kind,
               RdProvider     *provider)
{
  self->pickers[kind].id = rd_provider_get_id (provider);
  self->loading++;
  set_text (self, self->pickers[kind].field, rd_provider_get_name (provider));
  if (kind == PICK_REFERRING)
    {
      g_autofree char *fax = rd_phone_format_display (rd_provider_get_fax (provider));

      set_text (self, F_REFERRING_NPI, rd_provider_get_npi (provider));
      set_text (self, F_REFERRING_FAX, fax);
      g_free (validate_field (self, F_REFERRING_NPI));
      g_free (validate_field (self, F_REFERRING_FAX));
      update_suggestion_row (self, F_REFERRING_FAX);
    }
  else
    {
      g_autofree char *specialty = text_of (self, F_SPECIALTY);

      /* The receiving provider's specialty, unless one was given. */
      if (*specialty == '\0' && rd_provider_get_specialty (provider) != NULL)
        set_text (self, F_SPECIALTY, rd_provider_get_specialty (provider));
    }
  self->loading--;
  show_provider_info (self, kind, provider);
}

static void
choose_provider (RdReferralPage *self,
                 PickerKind      kind,
                 RdProvider     *provider)
{
  Picker *picker = &self->pickers[kind];

  fill_provider (self, kind, provider);
  clear_list (picker->list);
  gtk_widget_set_visible (picker->list, FALSE);
  g_clear_pointer (&picker->providers, g_ptr_array_unref);
  self->dirty = TRUE;
  schedule_draft (self);
}

static void
on_provider_activated (GtkListBox     *list,
                       GtkListBoxRow  *row,
                       RdReferralPage *self)
{
  PickerKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list), "rd-picker"));
  Picker *picker = &self->pickers[kind];
  int index = gtk_list_box_row_get_index (row);

  if (picker->providers != NULL && index >= 0 && (guint) index < picker->providers->len)
    choose_provider (self, kind, g_ptr_array_index (picker->providers, index));
}

typedef struct {
  RdReferralPage *self;
  PickerKind      kind;
  guint           serial;
} PickerCall;

static PickerCall *
picker_call_new (RdReferralPage *self,
                 PickerKind      kind)
{
  PickerCall *call = g_new0 (PickerCall, 1);

  call->self = g_object_ref (self);
  call->kind = kind;
  call->serial = self->pickers[kind].serial;
  return call;
}

static void
picker_call_free (PickerCall *call)
{
  g_object_unref (call->self);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PickerCall, picker_call_free)

static void
on_providers_found (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PickerCall) call = user_data;
  RdReferralPage *self = call->self;
  Picker *picker = &self->pickers[call->kind];
  g_autoptr(GError) error = NULL;
  GPtrArray *found = rd_repo_directory_search_providers_finish (RD_CONNECTION (source), result, &error);

  if (found == NULL)
    {
      if (!is_cancelled (error))
        show_error (self, error);
      return;
    }
  if (call->serial != picker->serial)
    {
      /* The person typed on since: a newer search is on its way. */
      g_ptr_array_unref (found);
      return;
    }

  g_clear_pointer (&picker->providers, g_ptr_array_unref);
  picker->providers = found;
  clear_list (picker->list);
  for (guint i = 0; i < found->len; i++)
    {
      RdProvider *provider = g_ptr_array_index (found, i);
      g_autofree char *details = provider_details (provider);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *name = gtk_label_new (rd_provider_get_name (provider));
      GtkWidget *more = gtk_label_new (details);

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_xalign (GTK_LABEL (more), 0);
      gtk_label_set_wrap (GTK_LABEL (more), TRUE);
      gtk_widget_add_css_class (more, "dim-label");
      gtk_widget_set_margin_start (box, 12);
      gtk_widget_set_margin_end (box, 12);
      gtk_widget_set_margin_top (box, 6);
      gtk_widget_set_margin_bottom (box, 6);
      gtk_box_append (GTK_BOX (box), name);
      gtk_box_append (GTK_BOX (box), more);
      gtk_list_box_append (GTK_LIST_BOX (picker->list), box);
      {
        GtkWidget *row = gtk_widget_get_parent (box);
        g_autofree char *label = g_strdup_printf ("%s, %s", rd_provider_get_name (provider), details);

        gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      }
    }
  gtk_widget_set_visible (picker->list, found->len > 0);
  if (found->len == 0 && picker->id == 0)
    {
      gtk_label_set_text (GTK_LABEL (picker->info),
                          _("Nobody in the directory matches. Check what you typed, or add the provider to the directory."));
      gtk_widget_set_visible (picker->info, TRUE);
    }
  else if (picker->id == 0)
    gtk_widget_set_visible (picker->info, FALSE);
}

static gboolean
on_provider_timeout (gpointer user_data)
{
  Picker *picker = user_data;
  RdReferralPage *self = g_object_get_data (G_OBJECT (picker->list), "rd-page");
  PickerKind kind = picker == &self->pickers[PICK_REFERRING] ? PICK_REFERRING : PICK_RECEIVING;
  g_autofree char *query = text_of (self, picker->field);

  picker->timeout = 0;
  /* The referring provider is also found by the NPI or the fax typed
   * below the name. */
  if (kind == PICK_REFERRING)
    {
      g_autofree char *npi_text = text_of (self, F_REFERRING_NPI);
      g_autofree char *fax_text = text_of (self, F_REFERRING_FAX);
      g_autofree char *npi = *npi_text ? rd_validate_npi (npi_text, NULL) : NULL;

      if (npi != NULL)
        {
          g_free (query);
          query = g_steal_pointer (&npi);
        }
      else if (strlen (query) < 2 && is_phone_number (fax_text))
        {
          g_free (query);
          query = g_steal_pointer (&fax_text);
        }
    }
  picker->serial++;
  if (strlen (query) >= 2)
    rd_repo_directory_search_providers_async (self->conn, query, NULL, 20, self->cancellable,
                                              on_providers_found, picker_call_new (self, kind));
  else
    {
      clear_list (picker->list);
      gtk_widget_set_visible (picker->list, FALSE);
    }
  return G_SOURCE_REMOVE;
}

static void
schedule_provider_search (RdReferralPage *self,
                          PickerKind      kind)
{
  Picker *picker = &self->pickers[kind];

  g_clear_handle_id (&picker->timeout, g_source_remove);
  picker->timeout = g_timeout_add (PROVIDER_DELAY_MS, on_provider_timeout, picker);
}

/* ------------------------------------------------------------------------ */
/* Adding a provider to the directory                                        */
/* ------------------------------------------------------------------------ */

static const struct {
  const char *key;
  const char *label;
  Check       check;
} directory_fields[] = {
  { "name", N_("_Name"), NULL },
  { "npi", N_("_NPI"), rd_validate_npi },
  { "specialty", N_("_Specialty"), NULL },
  { "organization", N_("_Organisation"), NULL },
  { "phone", N_("_Phone"), rd_validate_phone },
  { "fax", N_("_Fax"), rd_validate_phone },
};

/* The normalised value of a field of the dialog, NULL (and the model's
 * message under it) when it is wrong. */
static char *
directory_field_value (GtkWidget *dialog,
                       guint      i)
{
  GtkWidget *entry = g_object_get_data (G_OBJECT (dialog), directory_fields[i].key);
  g_autofree char *error_key = g_strconcat (directory_fields[i].key, "-error", NULL);
  GtkWidget *error_label = g_object_get_data (G_OBJECT (dialog), error_key);
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  g_autoptr(GError) error = NULL;
  char *value;

  if (*text == '\0' || directory_fields[i].check == NULL)
    value = g_steal_pointer (&text);
  else
    value = directory_fields[i].check (text, &error);

  gtk_label_set_text (GTK_LABEL (error_label), error ? error->message : "");
  gtk_widget_set_visible (error_label, error != NULL);
  if (error != NULL)
    {
      gtk_widget_add_css_class (entry, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  else
    {
      gtk_widget_remove_css_class (entry, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID);
    }
  return value;
}

static void
on_directory_entry_changed (GtkEditable *editable,
                            GtkWidget   *dialog)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (directory_fields); i++)
    {
      g_autofree char *value = directory_field_value (dialog, i);

      if (value == NULL || (i == 0 && *value == '\0'))
        ok = FALSE;
    }
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "add", ok);
}

static void
on_provider_added (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PickerCall) call = user_data;
  RdReferralPage *self = call->self;
  g_autoptr(GError) error = NULL;
  gboolean existed = FALSE;
  g_autoptr(RdProvider) provider = rd_repo_directory_add_provider_finish (RD_CONNECTION (source), result,
                                                                          &existed, &error);

  if (provider == NULL)
    {
      if (!is_cancelled (error))
        show_error (self, error);
      return;
    }
  choose_provider (self, call->kind, provider);
  if (existed)
    {
      g_autofree char *text = g_strdup_printf (_("A provider with this NPI is in the directory already: %s. They were chosen instead."),
                                               rd_provider_get_name (provider));

      show_message (self, text, FALSE);
    }
  else
    show_message (self, _("Added to the directory and chosen."), FALSE);
  gtk_widget_grab_focus (self->fields[self->pickers[call->kind].field].widget);
}

static void
on_directory_response (AdwMessageDialog *dialog,
                       const char       *response,
                       RdReferralPage   *self)
{
  PickerKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "rd-picker"));
  g_autoptr(RdProvider) provider = NULL;
  char *values[G_N_ELEMENTS (directory_fields)] = { NULL };

  if (self->dialog == GTK_WIDGET (dialog))
    self->dialog = NULL;
  if (g_strcmp0 (response, "add") != 0)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (directory_fields); i++)
    values[i] = directory_field_value (GTK_WIDGET (dialog), i);
  provider = rd_provider_new ();
  rd_provider_set_name (provider, values[0]);
  rd_provider_set_npi (provider, values[1]);
  rd_provider_set_specialty (provider, values[2]);
  rd_provider_set_organization_name (provider, values[3]);
  rd_provider_set_phone (provider, values[4]);
  rd_provider_set_fax (provider, values[5]);
  for (guint i = 0; i < G_N_ELEMENTS (directory_fields); i++)
    g_free (values[i]);
  if (*rd_provider_get_name (provider) == '\0')
    return;

  show_message (self, _("Adding to the directory…"), FALSE);
  rd_repo_directory_add_provider_async (self->conn, provider, self->cancellable, on_provider_added,
                                        picker_call_new (self, kind));
}

/* A small form for a provider the directory does not know yet, filled
 * with what the referral form has. */
static GtkWidget *
open_directory_dialog (RdReferralPage *self,
                       PickerKind      kind)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;
  GtkWidget *grid;
  g_autofree char *name = NULL;
  int row = 0;

  if (self->dialog != NULL)
    return NULL;
  grid = gtk_grid_new ();
  name = text_of (self, self->pickers[kind].field);

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   kind == PICK_REFERRING ? _("Add the referring provider to the directory")
                                                          : _("Add the receiving provider to the directory"),
                                   _("Everyone at the desk can choose them afterwards. The organisation is found by its name, or added with the same phone and fax."));
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  for (guint i = 0; i < G_N_ELEMENTS (directory_fields); i++)
    {
      GtkWidget *label = gtk_label_new_with_mnemonic (_(directory_fields[i].label));
      GtkWidget *entry = gtk_entry_new ();
      GtkWidget *error_label = gtk_label_new (NULL);
      g_autofree char *error_key = g_strconcat (directory_fields[i].key, "-error", NULL);

      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_label_set_mnemonic_widget (GTK_LABEL (label), entry);
      gtk_widget_set_hexpand (entry, TRUE);
      gtk_widget_set_name (entry, directory_fields[i].key);
      gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL,
                                      GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, error_label, NULL, -1);
      gtk_label_set_xalign (GTK_LABEL (error_label), 0);
      gtk_label_set_wrap (GTK_LABEL (error_label), TRUE);
      gtk_widget_add_css_class (error_label, "error");
      gtk_widget_set_visible (error_label, FALSE);
      gtk_grid_attach (GTK_GRID (grid), label, 0, row, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), entry, 1, row++, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), error_label, 1, row++, 1, 1);
      g_object_set_data (G_OBJECT (dialog), directory_fields[i].key, entry);
      g_object_set_data (G_OBJECT (dialog), error_key, error_label);
    }
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), grid);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "add", _("_Add to directory"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "add");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "rd-picker", GINT_TO_POINTER (kind));

  /* What the form has already: a name (not a number typed to search),
   * and for the referring office its NPI and fax. */
  if (!is_phone_number (name) && !g_ascii_isdigit (*name))
    gtk_editable_set_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (dialog), "name")), name);
  if (kind == PICK_REFERRING)
    {
      g_autofree char *npi = text_of (self, F_REFERRING_NPI);
      g_autofree char *fax = text_of (self, F_REFERRING_FAX);

      if (*fax == '\0')
        {
          g_free (fax);
          fax = is_phone_number (name) ? g_strdup (name) : g_strdup ("");
        }
      gtk_editable_set_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (dialog), "npi")), npi);
      gtk_editable_set_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (dialog), "fax")), fax);
    }
  else
    {
      g_autofree char *specialty = text_of (self, F_SPECIALTY);

      gtk_editable_set_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (dialog), "specialty")), specialty);
    }
  for (guint i = 0; i < G_N_ELEMENTS (directory_fields); i++)
    g_signal_connect (g_object_get_data (G_OBJECT (dialog), directory_fields[i].key), "changed",
                      G_CALLBACK (on_directory_entry_changed), dialog);
  on_directory_entry_changed (NULL, dialog);

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_directory_response), self, 0);
  self->dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (g_object_get_data (G_OBJECT (dialog), "name"));
  return dialog;
}

static void
on_add_to_directory_clicked (GtkButton      *button,
                             RdReferralPage *self)
{
  open_directory_dialog (self, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "rd-picker")));
}

static void
build_add_button (RdReferralPage *self,
                  GtkWidget      *grid,
                  int            *row,
                  PickerKind      kind)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (kind == PICK_REFERRING ? _("Add referring provider to _directory…")
                                                                           : _("Add receiving provider to director_y…"));

  gtk_widget_set_halign (button, GTK_ALIGN_START);
  gtk_widget_set_margin_bottom (button, 6);
  g_object_set_data (G_OBJECT (button), "rd-picker", GINT_TO_POINTER (kind));
  g_signal_connect (button, "clicked", G_CALLBACK (on_add_to_directory_clicked), self);
  gtk_grid_attach (GTK_GRID (grid), button, 1, (*row)++, 1, 1);
}

static void
build_picker (RdReferralPage *self,
              GtkWidget      *grid,
              int            *row,
              PickerKind      kind,
              gboolean        add_button)
{
  Picker *picker = &self->pickers[kind];

  picker->field = kind == PICK_REFERRING ? F_REFERRING : F_RECEIVING;
  picker->list = gtk_list_box_new ();
  gtk_widget_add_css_class (picker->list, "boxed-list");
  gtk_widget_set_visible (picker->list, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picker->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  kind == PICK_REFERRING ? _("Referring providers in the directory")
                                                         : _("Receiving providers in the directory"), -1);
  g_object_set_data (G_OBJECT (picker->list), "rd-picker", GINT_TO_POINTER (kind));
  g_object_set_data (G_OBJECT (picker->list), "rd-page", self);
  g_signal_connect (picker->list, "row-activated", G_CALLBACK (on_provider_activated), self);
  gtk_grid_attach (GTK_GRID (grid), picker->list, 1, (*row)++, 1, 1);
  picker->info = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (picker->info), 0);
  gtk_label_set_wrap (GTK_LABEL (picker->info), TRUE);
  gtk_widget_add_css_class (picker->info, "dim-label");
  gtk_widget_set_visible (picker->info, FALSE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->fields[picker->field].widget),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  self->fields[picker->field].error_label, picker->info, NULL, -1);
  gtk_grid_attach (GTK_GRID (grid), picker->info, 1, (*row)++, 1, 1);
  if (add_button)
    build_add_button (self, grid, row, kind);
}

/* ------------------------------------------------------------------------ */
/* The referring practice's fax, from the document                           */
/* ------------------------------------------------------------------------ */

static void
on_fax_providers_found (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = rd_repo_directory_find_by_fax_finish (RD_CONNECTION (source), result, &error);
  Field *f = &self->fields[F_REFERRING_FAX];

  if (found != NULL && found->len > 0 && f->suggest_value != NULL)
    {
      RdProvider *provider = g_ptr_array_index (found, 0);
      const char *org = rd_provider_get_organization_name (provider);
      g_autofree char *who = org && *org ? g_strdup_printf ("%s (%s)", rd_provider_get_name (provider), org)
                                         : g_strdup (rd_provider_get_name (provider));
      g_autofree char *label = g_strdup_printf (_("%s — in the directory: %s. Apply chooses them as the referring provider."),
                                                gtk_label_get_text (GTK_LABEL (f->suggest_label)), who);

      g_set_object (&self->fax_provider, provider);
      gtk_label_set_text (GTK_LABEL (f->suggest_label), label);
      g_debug ("referral page: suggested fax is provider %" G_GINT64_FORMAT, rd_provider_get_id (provider));
    }
  g_object_unref (self);
}

/* Who the suggested "referring practice fax" belongs to, if the directory
 * knows the number. */
static void
lookup_suggested_fax (RdReferralPage *self)
{
  Field *f = &self->fields[F_REFERRING_FAX];

  g_clear_object (&self->fax_provider);
  if (f->suggest_value != NULL)
    rd_repo_directory_find_by_fax_async (self->conn, f->suggest_value, self->cancellable,
                                         on_fax_providers_found, g_object_ref (self));
}

/* ------------------------------------------------------------------------ */
/* Changes                                                                   */
/* ------------------------------------------------------------------------ */

static void
on_widget_changed (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  RdReferralPage *self = g_object_get_data (object, "rd-page");
  int index = GPOINTER_TO_INT (user_data);

  if (self == NULL)
    return;
  update_suggestion_row (self, index);
  if (self->loading > 0)
    return;

  g_free (validate_field (self, index));
  self->dirty = TRUE;
  if (field_specs[index].section == SECTION_PATIENT && self->patient != NULL)
    self->patient_changed = TRUE;
  schedule_draft (self);

  switch (index)
    {
    case F_FAMILY_NAME:
    case F_GIVEN_NAME:
    case F_DOB:
    case F_MRN:
    case F_PHONE_HOME:
      if (self->patient == NULL)
        schedule_match (self);
      break;
    case F_REFERRING:
    case F_REFERRING_NPI:
    case F_REFERRING_FAX:
      if (index == F_REFERRING)
        {
          self->pickers[PICK_REFERRING].id = 0;
          gtk_widget_set_visible (self->pickers[PICK_REFERRING].info, FALSE);
        }
      schedule_provider_search (self, PICK_REFERRING);
      break;
    case F_RECEIVING:
      self->pickers[PICK_RECEIVING].id = 0;
      gtk_widget_set_visible (self->pickers[PICK_RECEIVING].info, FALSE);
      schedule_provider_search (self, PICK_RECEIVING);
      break;
    case F_PRIORITY:
    case F_RECEIVED_AT:
      recompute_due (self);
      break;
    default:
      break;
    }
}

static void
on_text_buffer_changed (GtkTextBuffer *buffer,
                        gpointer       user_data)
{
  on_widget_changed (G_OBJECT (buffer), NULL, user_data);
}

static void
on_editable_changed (GtkEditable *editable,
                     gpointer     user_data)
{
  on_widget_changed (G_OBJECT (editable), NULL, user_data);
}

/* ------------------------------------------------------------------------ */
/* Building the form                                                         */
/* ------------------------------------------------------------------------ */

static GtkWidget *
section_grid (RdReferralPage *self,
              const char     *title)
{
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *grid = gtk_grid_new ();

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "title-4");
  gtk_box_append (GTK_BOX (self->form_box), heading);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_box_append (GTK_BOX (self->form_box), grid);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (grid), GTK_ACCESSIBLE_RELATION_LABELLED_BY, heading, NULL, -1);
  return grid;
}

static void
build_field (RdReferralPage *self,
             GtkWidget      *grid,
             int            *row,
             int             index)
{
  Field *f = &self->fields[index];
  const FieldSpec *spec = &field_specs[index];

  f->spec = spec;
  f->label = gtk_label_new_with_mnemonic (_(spec->label));
  gtk_label_set_xalign (GTK_LABEL (f->label), 1);
  gtk_widget_set_valign (f->label, GTK_ALIGN_START);
  gtk_widget_set_margin_top (f->label, 8);

  switch (spec->kind)
    {
    case W_ENTRY:
      f->widget = gtk_entry_new ();
      if (spec->placeholder)
        gtk_entry_set_placeholder_text (GTK_ENTRY (f->widget), _(spec->placeholder));
      g_signal_connect (f->widget, "changed", G_CALLBACK (on_editable_changed), GINT_TO_POINTER (index));
      g_object_set_data (G_OBJECT (f->widget), "rd-page", self);
      break;
    case W_TEXT:
      {
        GtkTextBuffer *buffer;

        f->widget = gtk_text_view_new ();
        gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (f->widget), GTK_WRAP_WORD_CHAR);
        gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (f->widget), FALSE);
        gtk_widget_set_size_request (f->widget, -1, 90);
        gtk_widget_add_css_class (f->widget, "card");
        gtk_text_view_set_left_margin (GTK_TEXT_VIEW (f->widget), 6);
        gtk_text_view_set_top_margin (GTK_TEXT_VIEW (f->widget), 6);
        buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (f->widget));
        g_object_set_data (G_OBJECT (buffer), "rd-page", self);
        g_signal_connect (buffer, "changed", G_CALLBACK (on_text_buffer_changed), GINT_TO_POINTER (index));
      }
      break;
    case W_DROPDOWN:
      if (spec->values != NULL)
        {
          f->model = gtk_string_list_new (NULL);
          for (guint i = 0; spec->titles[i] != NULL; i++)
            gtk_string_list_append (f->model, _(spec->titles[i]));
        }
      else
        f->model = g_object_ref (self->plan_titles);
      f->widget = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (f->model)), NULL);
      g_object_set_data (G_OBJECT (f->widget), "rd-page", self);
      g_signal_connect (f->widget, "notify::selected", G_CALLBACK (on_widget_changed), GINT_TO_POINTER (index));
      break;
    default:
      g_assert_not_reached ();
    }
  gtk_widget_set_hexpand (f->widget, TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (f->label), f->widget);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (f->widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  f->label, NULL, -1);
  gtk_widget_set_name (f->widget, spec->key);

  f->error_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (f->error_label), 0);
  gtk_label_set_wrap (GTK_LABEL (f->error_label), TRUE);
  gtk_widget_add_css_class (f->error_label, "error");
  gtk_widget_set_visible (f->error_label, FALSE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (f->widget), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  f->error_label, NULL, -1);

  gtk_grid_attach (GTK_GRID (grid), f->label, 0, *row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), f->widget, 1, *row, 1, 1);
  (*row)++;
  gtk_grid_attach (GTK_GRID (grid), f->error_label, 1, *row, 1, 1);
  (*row)++;

  if (spec->suggest >= 0)
    {
      f->suggest_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      f->suggest_label = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (f->suggest_label), 0);
      gtk_label_set_wrap (GTK_LABEL (f->suggest_label), TRUE);
      gtk_widget_set_hexpand (f->suggest_label, TRUE);
      gtk_widget_add_css_class (f->suggest_label, "dim-label");
      f->suggest_button = gtk_button_new_with_label (_("Apply"));
      gtk_widget_set_valign (f->suggest_button, GTK_ALIGN_CENTER);
      {
        /* Translators: the button that copies a value found in the document into a field. */
        g_autofree char *tip = g_strdup_printf (_("Use this value for “%s” (Ctrl+Enter in the field)"),
                                                gtk_label_get_text (GTK_LABEL (f->label)));

        gtk_widget_set_tooltip_text (f->suggest_button, tip);
        gtk_accessible_update_property (GTK_ACCESSIBLE (f->suggest_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        tip, -1);
      }
      g_object_set_data (G_OBJECT (f->suggest_button), "rd-field", GINT_TO_POINTER (index));
      g_signal_connect (f->suggest_button, "clicked", G_CALLBACK (on_suggest_apply_clicked), self);
      gtk_box_append (GTK_BOX (f->suggest_row), f->suggest_label);
      gtk_box_append (GTK_BOX (f->suggest_row), f->suggest_button);
      gtk_widget_set_visible (f->suggest_row, FALSE);
      gtk_grid_attach (GTK_GRID (grid), f->suggest_row, 1, *row, 1, 1);
      (*row)++;
    }
}

static void
build_form (RdReferralPage *self)
{
  GtkWidget *grid;
  int row = 0;

  grid = section_grid (self, _("Patient"));
  for (int i = F_FAMILY_NAME; i <= F_MRN; i++)
    build_field (self, grid, &row, i);

  /* Possible duplicates, right under the patient's fields. */
  self->match_heading = gtk_label_new (_("Possible existing patients: choose one to avoid a duplicate record"));
  gtk_label_set_xalign (GTK_LABEL (self->match_heading), 0);
  gtk_label_set_wrap (GTK_LABEL (self->match_heading), TRUE);
  gtk_widget_add_css_class (self->match_heading, "warning");
  gtk_widget_set_visible (self->match_heading, FALSE);
  gtk_grid_attach (GTK_GRID (grid), self->match_heading, 1, row++, 1, 1);
  self->match_list = gtk_list_box_new ();
  gtk_widget_add_css_class (self->match_list, "boxed-list");
  gtk_widget_set_visible (self->match_list, FALSE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->match_list), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  self->match_heading, NULL, -1);
  g_signal_connect (self->match_list, "row-activated", G_CALLBACK (on_match_activated), self);
  gtk_grid_attach (GTK_GRID (grid), self->match_list, 1, row++, 1, 1);

  self->linked_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->linked_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->linked_label), 0);
  gtk_widget_set_hexpand (self->linked_label, TRUE);
  gtk_box_append (GTK_BOX (self->linked_box), self->linked_label);
  {
    GtkWidget *unlink = gtk_button_new_with_mnemonic (_("_Not this patient"));

    g_signal_connect_swapped (unlink, "clicked", G_CALLBACK (on_unlink_clicked), self);
    gtk_box_append (GTK_BOX (self->linked_box), unlink);
  }
  gtk_widget_set_visible (self->linked_box, FALSE);
  gtk_grid_attach (GTK_GRID (grid), self->linked_box, 1, row++, 1, 1);

  row = 0;
  grid = section_grid (self, _("Insurance"));
  for (int i = F_PAYER_PLAN; i <= F_RELATIONSHIP; i++)
    build_field (self, grid, &row, i);

  row = 0;
  grid = section_grid (self, _("Referral"));
  for (int i = F_DIRECTION; i <= F_REFERRING; i++)
    build_field (self, grid, &row, i);
  build_picker (self, grid, &row, PICK_REFERRING, FALSE);
  for (int i = F_REFERRING_NPI; i <= F_REFERRING_FAX; i++)
    build_field (self, grid, &row, i);
  build_add_button (self, grid, &row, PICK_REFERRING);
  build_field (self, grid, &row, F_RECEIVING);
  build_picker (self, grid, &row, PICK_RECEIVING, TRUE);
  for (int i = F_SPECIALTY; i < N_FIELDS; i++)
    build_field (self, grid, &row, i);
}

/* ------------------------------------------------------------------------ */
/* Missing items and tasks                                                   */
/* ------------------------------------------------------------------------ */

static void
on_work_listed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_repo_intake_rows_finish (RD_CONNECTION (source), result, &error);

  if (res != NULL)
    {
      clear_list (self->work_list);
      for (int i = 0; i < rd_result_get_n_rows (res); i++)
        {
          gboolean missing = g_strcmp0 (rd_repo_get_string (res, i, "kind"), "missing") == 0;
          g_autoptr(GDateTime) due = rd_repo_dup_datetime (res, i, "due_at");
          g_autofree char *due_text = due ? format_local_datetime (due) : NULL;
          g_autofree char *text = NULL;
          GtkWidget *label;

          if (missing)
            text = g_strdup_printf (_("Missing: %s"), rd_repo_get_string (res, i, "what"));
          else if (due_text)
            text = g_strdup_printf (_("Task: %s (due %s)"), rd_repo_get_string (res, i, "what"), due_text);
          else
            text = g_strdup_printf (_("Task: %s"), rd_repo_get_string (res, i, "what"));
          label = gtk_label_new (text);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_widget_set_margin_start (label, 12);
          gtk_widget_set_margin_top (label, 6);
          gtk_widget_set_margin_bottom (label, 6);
          if (rd_repo_get_boolean (res, i, "done"))
            gtk_widget_add_css_class (label, "dim-label");
          gtk_list_box_append (GTK_LIST_BOX (self->work_list), label);
        }
    }
  else if (!is_cancelled (error))
    show_error (self, error);
  g_object_unref (self);
}

static void
load_work (RdReferralPage *self)
{
  if (self->base == NULL)
    return;
  rd_repo_intake_list_work_async (self->conn, rd_referral_get_id (self->base), self->cancellable,
                                  on_work_listed, g_object_ref (self));
}

static void
on_work_added (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_repo_intake_rows_finish (RD_CONNECTION (source), result, &error);

  if (res == NULL)
    {
      if (!is_cancelled (error))
        gtk_label_set_text (GTK_LABEL (self->work_message), error->message);
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (self->work_message), "");
      load_work (self);
    }
  g_object_unref (self);
}

static void
on_add_missing (RdReferralPage *self)
{
  g_autofree char *what = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->missing_entry))));

  if (self->base == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->work_message), _("Save the referral first, then mark what is missing."));
      return;
    }
  if (*what == '\0')
    return;
  rd_repo_intake_add_missing_async (self->conn, rd_referral_get_id (self->base), what, self->cancellable,
                                    on_work_added, g_object_ref (self));
  gtk_editable_set_text (GTK_EDITABLE (self->missing_entry), "");
}

static void
on_add_task (RdReferralPage *self)
{
  g_autofree char *what = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->task_entry))));
  const char *due_text = gtk_editable_get_text (GTK_EDITABLE (self->task_due_entry));
  g_autoptr(GDateTime) due = NULL;

  if (self->base == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->work_message), _("Save the referral first, then add tasks."));
      return;
    }
  if (*what == '\0')
    return;
  if (*due_text != '\0' && (due = parse_local_datetime (due_text)) == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->work_message),
                          _("Write the due date as YYYY-MM-DD or YYYY-MM-DD HH:MM."));
      return;
    }
  rd_repo_intake_add_task_async (self->conn, rd_referral_get_id (self->base), what, due, self->cancellable,
                                 on_work_added, g_object_ref (self));
  gtk_editable_set_text (GTK_EDITABLE (self->task_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->task_due_entry), "");
}

static GtkWidget *
labelled_entry (GtkWidget  *box,
                const char *mnemonic)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);
  GtkWidget *entry = gtk_entry_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), entry);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), entry);
  return entry;
}

static void
build_work (RdReferralPage *self)
{
  GtkWidget *row;
  GtkWidget *button;

  self->missing_entry = labelled_entry (self->work_box, _("What is _missing"));
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->missing_entry), _("For example insurance card, last office note"));
  g_signal_connect_swapped (self->missing_entry, "activate", G_CALLBACK (on_add_missing), self);
  button = gtk_button_new_with_mnemonic (_("Mark as _missing"));
  gtk_widget_set_halign (button, GTK_ALIGN_END);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_add_missing), self);
  gtk_box_append (GTK_BOX (self->work_box), button);

  self->task_entry = labelled_entry (self->work_box, _("Follow-up _task"));
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (self->work_box), row);
  self->task_due_entry = labelled_entry (row, _("D_ue"));
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->task_due_entry), _("YYYY-MM-DD HH:MM"));
  g_signal_connect_swapped (self->task_entry, "activate", G_CALLBACK (on_add_task), self);
  g_signal_connect_swapped (self->task_due_entry, "activate", G_CALLBACK (on_add_task), self);
  button = gtk_button_new_with_mnemonic (_("_Add task"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_add_task), self);
  gtk_box_append (GTK_BOX (row), button);

  self->work_message = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->work_message), 0);
  gtk_label_set_wrap (GTK_LABEL (self->work_message), TRUE);
  gtk_widget_add_css_class (self->work_message, "error");
  gtk_box_append (GTK_BOX (self->work_box), self->work_message);

  self->work_list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->work_list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->work_list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->work_list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Missing items and tasks"), -1);
  gtk_box_append (GTK_BOX (self->work_box), self->work_list);
}

/* ------------------------------------------------------------------------ */
/* History                                                                   */
/* ------------------------------------------------------------------------ */

static const char *
status_label (const char *name,
              RdDirection direction)
{
  RdStatus status;

  if (name == NULL || !rd_status_from_string (name, &status))
    return name ? name : "";
  return rd_status_get_label (status, direction);
}

static void
on_events_listed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_repo_intake_rows_finish (RD_CONNECTION (source), result, &error);
  RdDirection direction = self->base ? rd_referral_get_direction (self->base) : RD_DIRECTION_INCOMING;

  if (res != NULL)
    {
      clear_list (self->history_list);
      self->n_events = rd_result_get_n_rows (res);
      for (int i = 0; i < rd_result_get_n_rows (res); i++)
        {
          g_autoptr(GDateTime) at = rd_repo_dup_datetime (res, i, "at");
          g_autofree char *when = format_local_datetime (at);
          const char *who = rd_repo_get_string (res, i, "who_name");
          const char *from = rd_repo_get_string (res, i, "from_status");
          const char *to = rd_repo_get_string (res, i, "to_status");
          const char *reason = rd_repo_get_string (res, i, "reason");
          const char *kind = rd_repo_get_string (res, i, "kind");
          g_autofree char *text = NULL;
          GtkWidget *label;

          if (g_strcmp0 (kind, "status") != 0)
            text = g_strdup_printf (_("%s — %s changed the %s from “%s” to “%s”"), when, who,
                                    g_strcmp0 (kind, "queue") == 0 ? _("queue") : _("assignee"),
                                    rd_repo_get_string (res, i, "from_value") ?: _("none"),
                                    rd_repo_get_string (res, i, "to_value") ?: _("none"));
          else if (from == NULL)
            text = g_strdup_printf (_("%s — %s created it as %s"), when, who, status_label (to, direction));
          else
            text = g_strdup_printf (_("%s — %s: %s → %s"), when, who, status_label (from, direction),
                                    status_label (to, direction));
          if (reason != NULL && *reason != '\0')
            {
              g_autofree char *with = g_strdup_printf (_("%s (reason: %s)"), text, reason);

              g_free (text);
              text = g_steal_pointer (&with);
            }
          label = gtk_label_new (text);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_widget_set_margin_start (label, 12);
          gtk_widget_set_margin_end (label, 12);
          gtk_widget_set_margin_top (label, 6);
          gtk_widget_set_margin_bottom (label, 6);
          gtk_list_box_append (GTK_LIST_BOX (self->history_list), label);
        }
    }
  else if (!is_cancelled (error))
    show_error (self, error);
  g_object_unref (self);
}

static void
load_events (RdReferralPage *self)
{
  if (self->base == NULL)
    return;
  rd_repo_intake_list_events_async (self->conn, rd_referral_get_id (self->base), self->cancellable,
                                    on_events_listed, g_object_ref (self));
}

/* ------------------------------------------------------------------------ */
/* Claim                                                                     */
/* ------------------------------------------------------------------------ */

static void
on_claimed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) current = NULL;
  g_autoptr(RdReferral) mine = rd_repo_referral_claim_finish (RD_CONNECTION (source), result, &current, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_object_unref (self);
      return;
    }
  if (mine != NULL)
    {
      self->claimed = TRUE;
      gtk_label_set_text (GTK_LABEL (self->claim_label), _("You are working on this referral."));
      gtk_widget_set_tooltip_text (self->claim_label, _("Others see that you have it open."));
      gtk_widget_remove_css_class (self->claim_label, "warning");
      gtk_widget_set_visible (self->claim_label, TRUE);
    }
  else if (current != NULL && rd_referral_get_claimed_by (current) != NULL)
    {
      const char *name = rd_referral_get_claimed_by_name (current);
      g_autofree char *text = g_strdup_printf (_("%s is working on this referral."),
                                               name ? name : rd_referral_get_claimed_by (current));

      self->claimed = FALSE;
      gtk_label_set_text (GTK_LABEL (self->claim_label), text);
      gtk_widget_set_tooltip_text (self->claim_label,
                                   _("You can still edit: your changes are kept as a draft, and saving shows anything they saved first."));
      gtk_widget_add_css_class (self->claim_label, "warning");
      gtk_widget_set_visible (self->claim_label, TRUE);
    }
  else if (error != NULL && !is_cancelled (error))
    g_debug ("referral page: claim not taken");
  g_object_unref (self);
}

static void
claim (RdReferralPage *self)
{
  if (self->base == NULL)
    return;
  rd_repo_referral_claim_async (self->conn, rd_referral_get_id (self->base), CLAIM_LEASE_S,
                                self->cancellable, on_claimed, g_object_ref (self));
}

static gboolean
on_claim_timeout (gpointer user_data)
{
  claim (RD_REFERRAL_PAGE (user_data));
  return G_SOURCE_CONTINUE;
}

static void
release_claim (RdReferralPage *self)
{
  g_clear_handle_id (&self->claim_timeout, g_source_remove);
  if (self->claim_label != NULL)
    gtk_widget_set_visible (self->claim_label, FALSE);
  if (self->base != NULL && self->claimed && self->conn != NULL)
    /* Not cancellable: the page is going away, the release must still happen. */
    rd_repo_referral_release_async (self->conn, rd_referral_get_id (self->base), NULL, NULL, NULL);
  self->claimed = FALSE;
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                 */
/* ------------------------------------------------------------------------ */

/* A new referral from an inbox document is created, or the document is
 * attached to a referral that exists. */
static void
update_toolbar (RdReferralPage *self)
{
  gboolean from_inbox = self->base == NULL && self->filing_document > 0;

  gtk_button_set_label (GTK_BUTTON (self->save_button), self->base == NULL ? _("C_reate referral") : _("_Save"));
  gtk_widget_set_visible (self->attach_button, from_inbox);
  gtk_widget_set_visible (self->split_button, from_inbox);
}

static void
set_base (RdReferralPage *self,
          RdReferral     *referral)
{
  g_autofree char *title = NULL;

  g_set_object (&self->base, referral);
  if (referral == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->title_label), _("New referral"));
      gtk_label_set_text (GTK_LABEL (self->status_label), "");
    }
  else
    {
      title = g_strdup_printf (_("Referral %s"), rd_referral_get_number (referral));
      gtk_label_set_text (GTK_LABEL (self->title_label), title);
      gtk_label_set_text (GTK_LABEL (self->status_label),
                          rd_status_get_label (rd_referral_get_status (referral),
                                               rd_referral_get_direction (referral)));
      self->queue_id = rd_referral_get_queue_id (referral);
    }
  update_toolbar (self);
  refresh_actions (self);
}

typedef struct {
  RdReferralPage *self;
  RdStatus        to;
  char           *reason;
  GDateTime      *appointment;
  char           *location;
} Transition;

static void
transition_free (Transition *t)
{
  g_object_unref (t->self);
  g_free (t->reason);
  g_clear_pointer (&t->appointment, g_date_time_unref);
  g_free (t->location);
  g_free (t);
}

static void
on_transitioned (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Transition *t = user_data;
  RdReferralPage *self = t->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) current = NULL;
  g_autoptr(RdReferral) done = rd_repo_referral_transition_finish (RD_CONNECTION (source), result,
                                                                    &current, &error);

  set_busy (self, FALSE);
  if (done != NULL)
    {
      g_debug ("referral page: referral %" G_GINT64_FORMAT " now %s", rd_referral_get_id (done),
               rd_status_to_string (t->to));
      set_base (self, done);
      show_message (self, NULL, FALSE);
      load_events (self);
      /* A transition bumps the version: keep the draft's base right. */
      if (self->dirty)
        schedule_draft (self);
    }
  else if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT))
    {
      const char *who = current ? rd_referral_get_updated_by (current) : NULL;
      g_autofree char *text = g_strdup_printf (_("%s changed this referral a moment ago, so its status was not changed. Save or reload your changes, then try again."),
                                               who ? who : _("Someone else"));

      show_message (self, text, TRUE);
    }
  else if (!is_cancelled (error))
    show_error (self, error);
  transition_free (t);
}

static void
run_transition (Transition *t)
{
  RdReferralPage *self = t->self;
  g_autoptr(GError) error = NULL;
  RdStatus from = rd_referral_get_status (self->base);

  if (!rd_lifecycle_check (from, t->to, t->reason, t->appointment != NULL, &error))
    {
      show_error (self, error);
      transition_free (t);
      return;
    }
  set_busy (self, TRUE);
  rd_repo_referral_transition_async (self->conn, rd_referral_get_id (self->base),
                                     rd_referral_get_version (self->base), t->to, t->reason,
                                     self->cancellable, on_transitioned, t);
}

static void
on_appointment_added (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Transition *t = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_repo_intake_rows_finish (RD_CONNECTION (source), result, &error);

  if (res == NULL)
    {
      set_busy (t->self, FALSE);
      show_error (t->self, error);
      transition_free (t);
      return;
    }
  set_busy (t->self, FALSE);
  run_transition (t);
}

static void
start_transition (Transition *t)
{
  RdReferralPage *self = t->self;

  if (t->appointment != NULL)
    {
      set_busy (self, TRUE);
      rd_repo_intake_add_appointment_async (self->conn, rd_referral_get_id (self->base), t->appointment,
                                            t->location, self->cancellable, on_appointment_added, t);
    }
  else
    run_transition (t);
}

static void
on_transition_dialog_response (AdwMessageDialog *dialog,
                               const char       *response,
                               gpointer          user_data)
{
  Transition *t = user_data;
  RdReferralPage *self = t->self;
  GtkWidget *reason_entry = g_object_get_data (G_OBJECT (dialog), "reason");
  GtkWidget *when_entry = g_object_get_data (G_OBJECT (dialog), "when");
  GtkWidget *where_entry = g_object_get_data (G_OBJECT (dialog), "where");

  if (self->dialog == GTK_WIDGET (dialog))
    self->dialog = NULL;
  if (g_strcmp0 (response, "go") != 0)
    {
      transition_free (t);
      return;
    }
  if (reason_entry)
    t->reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (reason_entry))));
  if (when_entry)
    {
      t->appointment = parse_local_datetime (gtk_editable_get_text (GTK_EDITABLE (when_entry)));
      if (t->appointment == NULL)
        {
          show_message (self, _("Write the appointment as YYYY-MM-DD HH:MM, then try again."), TRUE);
          transition_free (t);
          return;
        }
      t->location = g_strdup (gtk_editable_get_text (GTK_EDITABLE (where_entry)));
    }
  start_transition (t);
}

static void
ask_transition (RdReferralPage     *self,
                const RdTransition *transition,
                const char         *reason)
{
  Transition *t = g_new0 (Transition, 1);
  AdwMessageDialog *dialog;
  GtkWidget *box;
  GtkRoot *root;

  t->self = g_object_ref (self);
  t->to = transition->to;

  if (transition->needs == RD_NEEDS_NOTHING || (reason != NULL && !(transition->needs & RD_NEEDS_APPOINTMENT)))
    {
      t->reason = g_strdup (reason);
      start_transition (t);
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  {
    /* Translators: heading of the question before a status change, e.g. Change the status to “Cancelled” */
    g_autofree char *heading = g_strdup_printf (_("Change the status to “%s”"),
                                                rd_status_get_label (transition->to, rd_referral_get_direction (self->base)));

    dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                         heading, NULL));
  }
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  if (transition->needs & (RD_NEEDS_REASON | RD_NEEDS_NEW_WINDOW))
    {
      GtkWidget *entry = labelled_entry (box, _("_Reason"));

      adw_message_dialog_set_body (dialog, _("Say why, in a few words. It is kept in the referral’s history."));
      g_object_set_data (G_OBJECT (dialog), "reason", entry);
    }
  if (transition->needs & RD_NEEDS_APPOINTMENT)
    {
      GtkWidget *when = labelled_entry (box, _("Appointment _date and time"));
      GtkWidget *where = labelled_entry (box, _("_Location"));

      gtk_entry_set_placeholder_text (GTK_ENTRY (when), _("YYYY-MM-DD HH:MM"));
      adw_message_dialog_set_body (dialog, _("Enter the appointment that was booked."));
      g_object_set_data (G_OBJECT (dialog), "when", when);
      g_object_set_data (G_OBJECT (dialog), "where", where);
    }
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Go back"), "go", _("Change _status"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "go", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "go");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_transition_dialog_response), t);
  self->dialog = GTK_WIDGET (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_transition_clicked (GtkButton      *button,
                       RdReferralPage *self)
{
  const RdTransition *transition = g_object_get_data (G_OBJECT (button), "rd-transition");

  ask_transition (self, transition, NULL);
}

static void
refresh_actions (RdReferralPage *self)
{
  const RdTransition *list[MAX_TRANSITIONS];
  GtkWidget *child;
  guint n;

  while ((child = gtk_widget_get_first_child (self->actions_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->actions_box), child);
  self->n_transitions = 0;
  if (self->base == NULL)
    return;

  n = rd_lifecycle_list_transitions (rd_referral_get_status (self->base), list, G_N_ELEMENTS (list));
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *button = gtk_button_new_with_label (rd_transition_get_label (list[i], rd_referral_get_direction (self->base)));

      g_object_set_data (G_OBJECT (button), "rd-transition", (gpointer) list[i]);
      g_signal_connect (button, "clicked", G_CALLBACK (on_transition_clicked), self);
      gtk_box_append (GTK_BOX (self->actions_box), button);
    }
  self->n_transitions = n;
}

/* ------------------------------------------------------------------------ */
/* Conflicts                                                                 */
/* ------------------------------------------------------------------------ */

/* Form fields of the record properties the comparison shows. */
typedef struct {
  const char *prop;
  int         field;
} PropField;

static const PropField referral_props[] = {
  { "direction", F_DIRECTION }, { "channel", F_CHANNEL }, { "received-at", F_RECEIVED_AT },
  { "referring-provider-id", F_REFERRING }, { "receiving-provider-id", F_RECEIVING },
  { "specialty", F_SPECIALTY }, { "reason", F_REASON }, { "diagnoses", F_DIAGNOSES },
  { "procedures", F_PROCEDURES }, { "priority", F_PRIORITY }, { "due-at", F_DUE_AT },
};

static const PropField patient_props[] = {
  { "family-name", F_FAMILY_NAME }, { "given-name", F_GIVEN_NAME }, { "dob", F_DOB }, { "sex", F_SEX },
  { "phone-home", F_PHONE_HOME }, { "phone-mobile", F_PHONE_MOBILE }, { "address-line1", F_ADDRESS },
  { "city", F_CITY }, { "state", F_STATE }, { "zip", F_ZIP }, { "language", F_LANGUAGE }, { "mrn", F_MRN },
};

static const PropField coverage_props[] = {
  { "payer-plan-id", F_PAYER_PLAN }, { "member-id", F_MEMBER_ID }, { "group-number", F_GROUP },
  { "subscriber-name", F_SUBSCRIBER }, { "relationship", F_RELATIONSHIP },
};

static int
field_of_property (const PropField *map,
                   guint            n,
                   const char      *property)
{
  for (guint i = 0; i < n; i++)
    if (g_str_equal (map[i].prop, property))
      return map[i].field;
  return -1;
}

/* The text a patient field shows in the form. */
static char *
patient_field_text (RdPatient *p,
                    int        index)
{
  switch (index)
    {
    case F_FAMILY_NAME: return g_strdup (rd_patient_get_family_name (p));
    case F_GIVEN_NAME: return g_strdup (rd_patient_get_given_name (p));
    case F_DOB: return g_strdup (rd_patient_get_dob (p));
    case F_SEX: return g_strdup (rd_patient_get_sex (p));
    case F_PHONE_HOME: return rd_phone_format_display (rd_patient_get_phone_home (p));
    case F_PHONE_MOBILE: return rd_phone_format_display (rd_patient_get_phone_mobile (p));
    case F_ADDRESS: return g_strdup (rd_patient_get_address_line1 (p));
    case F_CITY: return g_strdup (rd_patient_get_city (p));
    case F_STATE: return g_strdup (rd_patient_get_state (p));
    case F_ZIP: return g_strdup (rd_patient_get_zip (p));
    case F_LANGUAGE: return g_strdup (rd_patient_get_language (p));
    case F_MRN: return g_strdup (rd_patient_get_mrn (p));
    default: return NULL;
    }
}

/* The text a coverage field shows in the form (the plan as its row in the
 * drop-down, as field_get_text() gives it). */
static char *
coverage_field_text (RdReferralPage *self,
                     RdCoverage     *c,
                     int             index)
{
  switch (index)
    {
    case F_PAYER_PLAN:
      for (guint i = 0; self->plan_ids != NULL && i < self->plan_ids->len; i++)
        if (g_array_index (self->plan_ids, gint64, i) == rd_coverage_get_payer_plan_id (c))
          return g_strdup_printf ("%u", i);
      return g_strdup ("0");
    case F_MEMBER_ID: return g_strdup (rd_coverage_get_member_id (c));
    case F_GROUP: return g_strdup (rd_coverage_get_group_number (c));
    case F_SUBSCRIBER: return g_strdup (rd_coverage_get_subscriber_name (c));
    case F_RELATIONSHIP: return g_strdup (rd_coverage_get_relationship (c));
    default: return NULL;
    }
}

/* What a person reads for a field's value: a drop-down's title. */
static char *
display_text (RdReferralPage *self,
              int             index,
              const char     *text)
{
  Field *f = &self->fields[index];

  if (text == NULL)
    return g_strdup ("");
  if (f->spec->kind == W_DROPDOWN)
    {
      if (f->spec->values != NULL)
        {
          for (guint i = 0; f->spec->values[i] != NULL; i++)
            if (g_str_equal (f->spec->values[i], text))
              return g_strdup (_(f->spec->titles[i]));
        }
      else
        {
          guint pos = (guint) g_ascii_strtoull (text, NULL, 10);

          if (pos < g_list_model_get_n_items (G_LIST_MODEL (self->plan_titles)))
            return g_strdup (gtk_string_list_get_string (self->plan_titles, pos));
        }
    }
  return g_strdup (text);
}

static void
add_conflict_heading (RdReferralPage *self,
                      const char     *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 4);
  gtk_list_box_append (GTK_LIST_BOX (self->conflict_list), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_parent (label)), FALSE);
}

/* One field someone else changed: theirs, yours, and "Use theirs", ticked
 * when the person left the field as it was. */
static void
add_conflict_row (RdReferralPage *self,
                  int             index,
                  const char     *their_text,
                  const char     *base_text)
{
  g_autofree char *my_text = text_of (self, index);
  g_autofree char *their_shown = display_text (self, index, their_text);
  g_autofree char *my_shown = display_text (self, index, my_text);
  g_autofree char *text = NULL;
  GtkWidget *row, *label, *check;

  text = g_strdup_printf (_("%s: theirs “%s”, yours “%s”"), gtk_label_get_text (GTK_LABEL (self->fields[index].label)),
                          their_shown, my_shown);
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  check = gtk_check_button_new_with_label (_("Use theirs"));
  gtk_widget_set_margin_end (check, 12);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_strcmp0 (my_text, base_text ? base_text : "") == 0);
  g_object_set_data (G_OBJECT (check), "rd-field", GINT_TO_POINTER (index));
  g_object_set_data_full (G_OBJECT (check), "rd-text", g_strdup (their_text ? their_text : ""), g_free);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, label, NULL, -1);
  gtk_box_append (GTK_BOX (row), label);
  gtk_box_append (GTK_BOX (row), check);
  gtk_list_box_append (GTK_LIST_BOX (self->conflict_list), row);
}

static char *
changed_by_text (const char *what,
                 const char *who,
                 GDateTime  *when)
{
  g_autoptr(GDateTime) local = when ? g_date_time_to_local (when) : NULL;
  g_autofree char *time_text = local ? g_date_time_format (local, "%H:%M") : NULL;

  if (who != NULL && time_text != NULL)
    /* Translators: "Patient: changed by maria at 14:05" */
    return g_strdup_printf (_("%s: changed by %s at %s"), what, who, time_text);
  return g_strdup_printf (_("%s: changed by someone else"), what);
}

/* Shows every stale row of the save (any of them may be NULL) field by
 * field against the version the person started from. */
static void
show_conflict (RdReferralPage *self,
               RdPatient      *their_patient,
               RdCoverage     *their_coverage,
               RdReferral     *theirs)
{
  g_autofree char *title = NULL;
  guint shown = 0;

  g_set_object (&self->theirs, theirs);
  g_set_object (&self->their_patient, their_patient);
  g_set_object (&self->their_coverage, their_coverage);
  clear_list (self->conflict_list);

  if (their_patient != NULL && self->patient != NULL)
    {
      g_auto(GStrv) changed = rd_patient_diff (self->patient, their_patient);
      g_autofree char *heading = changed_by_text (_("Patient"), rd_patient_get_updated_by (their_patient),
                                                  rd_patient_get_updated_at (their_patient));

      add_conflict_heading (self, heading);
      for (guint i = 0; changed && changed[i]; i++)
        {
          int index = field_of_property (patient_props, G_N_ELEMENTS (patient_props), changed[i]);
          g_autofree char *their_text = NULL;
          g_autofree char *base_text = NULL;

          if (index < 0)
            continue;
          their_text = patient_field_text (their_patient, index);
          base_text = patient_field_text (self->patient, index);
          /* NULL and empty, or two spellings of one phone, are the same. */
          if (g_strcmp0 (their_text ? their_text : "", base_text ? base_text : "") == 0)
            continue;
          add_conflict_row (self, index, their_text, base_text);
          shown++;
        }
    }

  if (their_coverage != NULL && self->coverage != NULL)
    {
      g_auto(GStrv) changed = rd_coverage_diff (self->coverage, their_coverage);
      g_autofree char *heading = changed_by_text (_("Insurance"), NULL, NULL);

      add_conflict_heading (self, heading);
      for (guint i = 0; changed && changed[i]; i++)
        {
          int index = field_of_property (coverage_props, G_N_ELEMENTS (coverage_props), changed[i]);
          g_autofree char *their_text = NULL;
          g_autofree char *base_text = NULL;

          if (index < 0)
            continue;
          their_text = coverage_field_text (self, their_coverage, index);
          base_text = coverage_field_text (self, self->coverage, index);
          /* NULL and empty, or two spellings of one phone, are the same. */
          if (g_strcmp0 (their_text ? their_text : "", base_text ? base_text : "") == 0)
            continue;
          add_conflict_row (self, index, their_text, base_text);
          shown++;
        }
    }

  if (theirs != NULL && self->base != NULL)
    {
      g_auto(GStrv) changed = rd_referral_diff (self->base, theirs);
      g_autofree char *heading = changed_by_text (_("Referral"), rd_referral_get_updated_by (theirs),
                                                  rd_referral_get_updated_at (theirs));

      add_conflict_heading (self, heading);
      for (guint i = 0; changed && changed[i]; i++)
        {
          int index = field_of_property (referral_props, G_N_ELEMENTS (referral_props), changed[i]);
          g_autofree char *their_text = NULL;
          g_autofree char *base_text = NULL;

          if (index < 0)
            continue;
          their_text = referral_field_text (theirs, index);
          base_text = referral_field_text (self->base, index);
          /* NULL and empty, or two spellings of one phone, are the same. */
          if (g_strcmp0 (their_text ? their_text : "", base_text ? base_text : "") == 0)
            continue;
          add_conflict_row (self, index, their_text, base_text);
          shown++;
        }
      if (rd_referral_get_status (theirs) != rd_referral_get_status (self->base))
        {
          g_autofree char *text = g_strdup_printf (_("Status: now “%s”"),
                                                   rd_status_get_label (rd_referral_get_status (theirs),
                                                                        rd_referral_get_direction (theirs)));
          GtkWidget *label = gtk_label_new (text);

          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_widget_set_margin_start (label, 12);
          gtk_widget_set_margin_top (label, 6);
          gtk_widget_set_margin_bottom (label, 6);
          gtk_list_box_append (GTK_LIST_BOX (self->conflict_list), label);
          shown++;
        }
    }

  if (theirs != NULL && their_patient == NULL && their_coverage == NULL)
    {
      g_autoptr(GDateTime) when = rd_referral_get_updated_at (theirs)
        ? g_date_time_to_local (rd_referral_get_updated_at (theirs)) : NULL;
      g_autofree char *when_text = when ? g_date_time_format (when, "%H:%M") : g_strdup ("");
      const char *who = rd_referral_get_updated_by (theirs);

      title = g_strdup_printf (_("%s saved this referral at %s, after you opened it. Nothing of yours was saved yet: choose what to keep."),
                               who ? who : _("Someone else"), when_text);
    }
  else
    title = g_strdup (_("Someone else changed the patient, the insurance or the referral after you opened it. Nothing of yours was saved yet: choose what to keep, field by field."));
  gtk_label_set_text (GTK_LABEL (self->conflict_label), title);
  gtk_widget_set_visible (self->conflict_list, TRUE);
  self->conflict_open = TRUE;
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->conflict_revealer), TRUE);
  show_message (self, NULL, FALSE);
  g_debug ("referral page: conflict with %u changed fields", shown);
  gtk_widget_grab_focus (self->conflict_merge_button);
}

static void
hide_conflict (RdReferralPage *self)
{
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->conflict_revealer), FALSE);
  clear_list (self->conflict_list);
  g_clear_object (&self->theirs);
  g_clear_object (&self->their_patient);
  g_clear_object (&self->their_coverage);
  self->conflict_open = FALSE;
}

static void
resolve_conflict (RdReferralPage *self,
                  const char     *how)
{
  g_autoptr(RdReferral) theirs = NULL;
  g_autoptr(RdPatient) their_patient = NULL;
  g_autoptr(RdCoverage) their_coverage = NULL;

  if (!self->conflict_open)
    return;
  theirs = self->theirs ? g_object_ref (self->theirs) : NULL;
  their_patient = self->their_patient ? g_object_ref (self->their_patient) : NULL;
  their_coverage = self->their_coverage ? g_object_ref (self->their_coverage) : NULL;

  if (g_str_equal (how, "reload"))
    {
      /* The changed rows as saved; the rest of the form stays as typed. */
      if (theirs != NULL)
        {
          set_base (self, theirs);
          fill_referral (self, theirs);
          load_providers (self);
        }
      if (their_patient != NULL)
        {
          g_set_object (&self->patient, their_patient);
          fill_patient (self, their_patient);
          self->patient_changed = FALSE;
          show_linked (self);
        }
      if (their_coverage != NULL)
        {
          g_set_object (&self->coverage, their_coverage);
          fill_coverage (self, their_coverage);
        }
      hide_conflict (self);
      show_message (self, _("What someone else saved was reloaded. Check the form, then save."), FALSE);
      schedule_draft (self);
      return;
    }

  if (g_str_equal (how, "merge"))
    {
      GtkWidget *row;

      self->loading++;
      for (row = gtk_widget_get_first_child (self->conflict_list); row; row = gtk_widget_get_next_sibling (row))
        {
          GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
          GtkWidget *check = GTK_IS_BOX (box) ? gtk_widget_get_last_child (box) : NULL;

          if (GTK_IS_CHECK_BUTTON (check) && gtk_check_button_get_active (GTK_CHECK_BUTTON (check)))
            {
              int index = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (check), "rd-field"));
              const char *text = g_object_get_data (G_OBJECT (check), "rd-text");

              set_text (self, index, text);
              if (index == F_REFERRING && theirs != NULL)
                self->pickers[PICK_REFERRING].id = rd_referral_get_referring_provider_id (theirs);
              else if (index == F_RECEIVING && theirs != NULL)
                self->pickers[PICK_RECEIVING].id = rd_referral_get_receiving_provider_id (theirs);
            }
        }
      self->loading--;
    }
  /* "keep" and "merge": save over their versions, knowingly. */
  if (theirs != NULL)
    set_base (self, theirs);
  if (their_patient != NULL)
    g_set_object (&self->patient, their_patient);
  if (their_coverage != NULL)
    g_set_object (&self->coverage, their_coverage);
  hide_conflict (self);
  save_now (self);
}

static void
on_conflict_reload (RdReferralPage *self)
{
  resolve_conflict (self, "reload");
}

static void
on_conflict_keep (RdReferralPage *self)
{
  resolve_conflict (self, "keep");
}

static void
on_conflict_merge (RdReferralPage *self)
{
  resolve_conflict (self, "merge");
}

/* ------------------------------------------------------------------------ */
/* Saving                                                                    */
/* ------------------------------------------------------------------------ */

static void
on_saved_fetched (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) saved = rd_repo_referral_get_finish (RD_CONNECTION (source), result, &error);
  gboolean was_new = self->base == NULL;

  set_busy (self, FALSE);
  if (saved == NULL)
    {
      if (!is_cancelled (error))
        show_error (self, error);
      g_object_unref (self);
      return;
    }

  set_base (self, saved);
  fill_referral (self, saved);
  self->filing_document = 0;
  if (was_new)
    {
      g_autofree char *key = g_strdup_printf ("referral-%" G_GINT64_FORMAT, rd_referral_get_id (saved));

      g_free (self->draft_key);
      self->draft_key = g_steal_pointer (&key);
      claim (self);
      self->claim_timeout = g_timeout_add_seconds (CLAIM_RENEW_S, on_claim_timeout, self);
    }
  load_events (self);
  load_work (self);
  show_message (self, _("Saved."), FALSE);
  g_signal_emit (self, signals[SAVED], 0, rd_referral_get_id (saved));
  g_object_unref (self);
}

typedef struct {
  RdReferralPage *self;
  char           *old_draft_key;
  RdPatient      *patient;
  RdCoverage     *coverage;
} SaveCall;

static void
save_call_free (SaveCall *call)
{
  g_object_unref (call->self);
  g_free (call->old_draft_key);
  g_clear_object (&call->patient);
  g_clear_object (&call->coverage);
  g_free (call);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  SaveCall *call = user_data;
  RdReferralPage *self = call->self;
  g_autoptr(GError) error = NULL;
  gint64 patient_id = 0, coverage_id = 0;
  RdIntakeConflict conflict = RD_INTAKE_CONFLICT_NONE;
  gint64 id = rd_repo_intake_save_finish (RD_CONNECTION (source), result, &patient_id, &coverage_id,
                                          &conflict, &error);

  if (id == 0)
    {
      g_autoptr(RdPatient) their_patient = NULL;
      g_autoptr(RdCoverage) their_coverage = NULL;
      g_autoptr(RdReferral) theirs = NULL;

      if (conflict != RD_INTAKE_CONFLICT_NONE &&
          rd_repo_intake_save_get_theirs (RD_CONNECTION (source), result, &their_patient, &their_coverage, &theirs))
        {
          set_busy (self, FALSE);
          show_conflict (self, their_patient, their_coverage, theirs);
        }
      else
        {
          set_busy (self, FALSE);
          if (!is_cancelled (error))
            {
              /* The draft keeps everything: say so. */
              g_autofree char *text = g_strdup_printf (_("%s Your changes are kept on this computer."), error->message);

              show_message (self, text, TRUE);
              draft_save_now (self);
            }
        }
      save_call_free (call);
      return;
    }

  g_debug ("referral page: saved referral %" G_GINT64_FORMAT, id);
  self->dirty = FALSE;
  self->patient_changed = FALSE;
  self->confirmed_new_patient = FALSE;
  g_clear_handle_id (&self->draft_timeout, g_source_remove);
  draft_delete (self, call->old_draft_key);

  /* The stored patient and coverage, with their new versions. */
  if (patient_id > 0)
    {
      rd_patient_set_id (call->patient, patient_id);
      rd_patient_set_version (call->patient, 0);
      g_set_object (&self->patient, call->patient);
      rd_repo_patient_get_async (self->conn, patient_id, self->cancellable, on_patient_loaded, g_object_ref (self));
    }
  if (coverage_id > 0 && call->coverage != NULL)
    {
      /* Created at version 1, or updated one version up. */
      rd_coverage_set_id (call->coverage, coverage_id);
      rd_coverage_set_version (call->coverage, rd_coverage_get_version (call->coverage) + 1);
      g_set_object (&self->coverage, call->coverage);
    }
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  show_matches (self);
  show_linked (self);

  rd_repo_referral_get_async (self->conn, id, self->cancellable, on_saved_fetched, g_object_ref (self));
  save_call_free (call);
}

static void
do_save (RdReferralPage *self)
{
  g_autoptr(RdPatient) patient = NULL;
  g_autoptr(RdCoverage) coverage = NULL;
  g_autoptr(RdReferral) referral = NULL;
  RdIntakeSave save = { 0 };
  SaveCall *call;

  if (!build_records (self, &patient, &coverage, &referral))
    {
      set_busy (self, FALSE);
      return;
    }
  if (rd_referral_get_id (referral) == 0 && rd_referral_get_queue_id (referral) == 0)
    {
      set_busy (self, FALSE);
      show_message (self, _("You are not in any team’s work queue, so the referral cannot be filed. Ask your team lead to add you to a team."), TRUE);
      return;
    }

  save.patient = patient;
  save.patient_changed = self->patient_changed;
  save.coverage = coverage;
  save.referral = referral;
  if (self->filing_document > 0)
    {
      save.document_ids = &self->filing_document;
      save.n_document_ids = 1;
    }

  call = g_new0 (SaveCall, 1);
  call->self = g_object_ref (self);
  call->old_draft_key = g_strdup (self->draft_key);
  call->patient = g_object_ref (patient);
  call->coverage = coverage ? g_object_ref (coverage) : NULL;
  set_busy (self, TRUE);
  show_message (self, _("Saving…"), FALSE);
  rd_repo_intake_save_async (self->conn, &save, self->cancellable, on_saved, call);
}

static void
on_duplicate_response (AdwMessageDialog *dialog,
                       const char       *response,
                       RdReferralPage   *self)
{
  if (self->dialog == GTK_WIDGET (dialog))
    self->dialog = NULL;
  if (g_strcmp0 (response, "create") == 0)
    {
      self->confirmed_new_patient = TRUE;
      do_save (self);
    }
  else
    {
      set_busy (self, FALSE);
      if (self->matches != NULL && self->matches->len > 0)
        gtk_widget_grab_focus (self->match_list);
    }
}

static void
save_now (RdReferralPage *self)
{
  if (self->busy)
    return;

  set_busy (self, TRUE);
  /* A new patient while a likely match exists: ask first. */
  if (self->patient == NULL && !self->confirmed_new_patient && self->matches != NULL && self->matches->len > 0)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                  _("This patient may already exist"),
                                                  _("A patient with a similar name and the same date of birth or MRN is already on file. Use the existing patient unless you are sure this is a different person: a second record splits their history."));

      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "back", _("_Choose existing patient"),
                                        "create", _("Create _new patient"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "create", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "back");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "back");
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_duplicate_response), self, 0);
      self->dialog = dialog;
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  do_save (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  save_now (RD_REFERRAL_PAGE (widget));
}

/* ------------------------------------------------------------------------ */
/* Opening                                                                   */
/* ------------------------------------------------------------------------ */

static void
reset (RdReferralPage *self)
{
  release_claim (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->draft_timeout, g_source_remove);
  g_clear_handle_id (&self->match_timeout, g_source_remove);
  for (int k = 0; k < N_PICKERS; k++)
    g_clear_handle_id (&self->pickers[k].timeout, g_source_remove);

  set_base (self, NULL);
  g_clear_object (&self->patient);
  g_clear_object (&self->coverage);
  g_clear_object (&self->pdf);
  g_clear_pointer (&self->suggestions, g_ptr_array_unref);
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  g_clear_pointer (&self->offered_draft, g_variant_unref);
  g_clear_pointer (&self->draft_key, g_free);
  g_clear_pointer (&self->computed_due, g_free);
  g_free (self->idempotency_key);
  self->idempotency_key = g_uuid_string_random ();
  hide_conflict (self);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->draft_revealer), FALSE);
  show_message (self, NULL, FALSE);
  for (int k = 0; k < N_PICKERS; k++)
    self->pickers[k].id = 0;
  g_clear_object (&self->fax_provider);
  self->queue_id = 0;
  self->filing_document = 0;
  self->dirty = FALSE;
  self->patient_changed = FALSE;
  self->confirmed_new_patient = FALSE;
  self->n_events = 0;
  set_busy (self, FALSE);

  self->loading++;
  for (int i = 0; i < N_FIELDS; i++)
    {
      set_text (self, i, NULL);
      g_clear_pointer (&self->fields[i].error, g_free);
      gtk_widget_set_visible (self->fields[i].error_label, FALSE);
      gtk_widget_remove_css_class (self->fields[i].widget, "error");
    }
  self->loading--;
  show_suggestions (self);
  show_matches (self);
  show_linked (self);
  for (int k = 0; k < N_PICKERS; k++)
    {
      gtk_widget_set_visible (self->pickers[k].info, FALSE);
      gtk_widget_set_visible (self->pickers[k].list, FALSE);
    }
  clear_list (self->history_list);
  clear_list (self->work_list);
  set_documents (self, NULL);
}

static void
on_plans_listed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_repo_intake_rows_finish (RD_CONNECTION (source), result, &error);

  if (res != NULL)
    {
      gint64 none = 0;

      self->loading++;
      g_array_set_size (self->plan_ids, 0);
      g_array_append_val (self->plan_ids, none);
      gtk_string_list_splice (self->plan_titles, 0, g_list_model_get_n_items (G_LIST_MODEL (self->plan_titles)), NULL);
      gtk_string_list_append (self->plan_titles, _("Not known yet"));
      for (int i = 0; i < rd_result_get_n_rows (res); i++)
        {
          gint64 id = rd_repo_get_int64 (res, i, "id");
          g_autofree char *title = g_strdup_printf ("%s — %s", rd_repo_get_string (res, i, "payer_name"),
                                                    rd_repo_get_string (res, i, "plan_name"));

          g_array_append_val (self->plan_ids, id);
          gtk_string_list_append (self->plan_titles, title);
        }
      if (self->coverage != NULL)
        fill_coverage (self, self->coverage);
      self->loading--;
    }
  g_object_unref (self);
}

static void
load_plans (RdReferralPage *self)
{
  rd_repo_intake_list_payer_plans_async (self->conn, self->cancellable, on_plans_listed, g_object_ref (self));
}

static void
on_coverage_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_repo_intake_rows_finish (RD_CONNECTION (source), result, &error);

  if (res != NULL && rd_result_get_n_rows (res) > 0)
    {
      g_autoptr(RdCoverage) c = rd_coverage_new ();

      rd_repo_fill_record (G_OBJECT (c), res, 0);
      g_set_object (&self->coverage, c);
      fill_coverage (self, c);
    }
  g_object_unref (self);
}

static void
on_provider_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PickerCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdProvider) provider = rd_repo_directory_get_provider_finish (RD_CONNECTION (source), result, &error);

  if (provider != NULL)
    fill_provider (call->self, call->kind, provider);
}

static void
on_provider_info_loaded (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(PickerCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdProvider) provider = rd_repo_directory_get_provider_finish (RD_CONNECTION (source), result, &error);

  /* Only the line under the field: what the person typed stays. */
  if (provider != NULL && call->self->pickers[call->kind].id == rd_provider_get_id (provider))
    show_provider_info (call->self, call->kind, provider);
}

/* The details of the providers a restored draft had chosen. */
static void
show_chosen_providers (RdReferralPage *self)
{
  for (int k = 0; k < N_PICKERS; k++)
    {
      gtk_widget_set_visible (self->pickers[k].info, FALSE);
      if (self->pickers[k].id > 0)
        rd_repo_directory_get_provider_async (self->conn, self->pickers[k].id, self->cancellable,
                                              on_provider_info_loaded, picker_call_new (self, k));
    }
}

/* The directory's details of the chosen referring and receiving providers. */
static void
load_providers (RdReferralPage *self)
{
  for (int k = 0; k < N_PICKERS; k++)
    {
      gtk_widget_set_visible (self->pickers[k].info, FALSE);
      if (self->pickers[k].id > 0)
        rd_repo_directory_get_provider_async (self->conn, self->pickers[k].id, self->cancellable,
                                              on_provider_loaded, picker_call_new (self, k));
    }
}

static void
on_referral_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdReferral) referral = rd_repo_referral_get_finish (RD_CONNECTION (source), result, &error);
  gint64 id;

  if (referral == NULL)
    {
      if (!is_cancelled (error))
        show_error (self, error);
      g_object_unref (self);
      return;
    }
  id = rd_referral_get_id (referral);
  g_debug ("referral page: opened referral %" G_GINT64_FORMAT, id);
  set_base (self, referral);
  fill_referral (self, referral);
  if (rd_referral_get_patient_id (referral) > 0)
    {
      g_autoptr(RdPatient) p = rd_patient_new ();

      rd_patient_set_id (p, rd_referral_get_patient_id (referral));
      g_set_object (&self->patient, p);
      rd_repo_patient_get_async (self->conn, rd_referral_get_patient_id (referral), self->cancellable,
                                 on_patient_loaded, g_object_ref (self));
    }
  load_providers (self);
  rd_repo_intake_get_coverage_async (self->conn, id, self->cancellable, on_coverage_loaded, g_object_ref (self));
  rd_repo_intake_list_documents_async (self->conn, id, self->cancellable, on_documents_listed, g_object_ref (self));
  load_events (self);
  load_work (self);
  claim (self);
  self->claim_timeout = g_timeout_add_seconds (CLAIM_RENEW_S, on_claim_timeout, self);
  offer_draft (self);
  g_object_unref (self);
}

static void
on_document_facts (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDocument) doc = rd_repo_document_get_finish (RD_CONNECTION (source), result, &error);

  if (doc == NULL)
    {
      if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND))
        show_message (self, _("This document is no longer in your inbox. It may have been filed by someone else."), TRUE);
      else if (!is_cancelled (error))
        show_error (self, error);
      g_object_unref (self);
      return;
    }

  if (rd_document_get_referral_id (doc) > 0)
    {
      /* Filed meanwhile: open its referral instead. */
      rd_referral_page_open_referral (self, rd_document_get_referral_id (doc));
      g_object_unref (self);
      return;
    }

  {
    g_autoptr(GPtrArray) documents = g_ptr_array_new ();
    g_autofree char *received_text = format_local_datetime (rd_document_get_received_at (doc));
    const char *via = rd_document_get_received_via (doc);

    self->queue_id = rd_document_get_queue_id (doc);
    self->loading++;
    set_text (self, F_RECEIVED_AT, received_text);
    set_text (self, F_CHANNEL, g_strcmp0 (via, "upload") == 0 || g_strcmp0 (via, "generated") == 0 ? "manual" : via);
    set_text (self, F_DIRECTION, "incoming");
    set_text (self, F_PRIORITY, "routine");
    self->loading--;
    recompute_due (self);
    g_ptr_array_add (documents, doc);
    set_documents (self, documents);
  }
  offer_draft (self);
  g_object_unref (self);
}

static void
on_default_queue (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_repo_intake_rows_finish (RD_CONNECTION (source), result, &error);

  if (res != NULL && rd_result_get_n_rows (res) > 0)
    self->queue_id = rd_repo_get_int64 (res, 0, "id");
  g_object_unref (self);
}

static void
on_new_draft_found (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autofree char *key = rd_draft_store_find_newest_finish (RD_DRAFT_STORE (source), result, NULL);

  if (key != NULL && !g_cancellable_is_cancelled (self->cancellable) && self->base == NULL)
    {
      g_free (self->draft_key);
      self->draft_key = g_steal_pointer (&key);
      offer_draft (self);
    }
  g_object_unref (self);
}

/* ------------------------------------------------------------------------ */
/* Attach to an existing referral                                            */
/* ------------------------------------------------------------------------ */

/* The fax went into parts (the inbox or their referrals): an untouched
 * page has nothing left to show; typed input stays on screen. */
static void
on_split_done (RdReferralPage *self,
               guint           n_parts)
{
  if (!self->dirty)
    rd_referral_page_close (self);
  else
    show_message (self, _("The fax was split: its parts are in the inbox or under their referrals. What you typed is still here."),
                  FALSE);
}

static void
on_split_clicked (RdReferralPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  RdSplitDialog *dialog;

  if (self->conn == NULL || self->filing_document <= 0)
    return;
  dialog = rd_split_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->conn, self->filing_document);
  g_signal_connect_object (dialog, "split-done", G_CALLBACK (on_split_done), self, G_CONNECT_SWAPPED);
}

static void
on_attached (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RdReferralPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_repo_intake_rows_finish (RD_CONNECTION (source), result, &error);
  gint64 referral_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (self), "rd-attach-to"));

  set_busy (self, FALSE);
  if (res == NULL)
    {
      if (!is_cancelled (error))
        show_error (self, error);
    }
  else if (rd_result_get_n_rows (res) == 0)
    show_message (self, _("This document was filed by someone else meanwhile. Open it from its referral."), TRUE);
  else
    {
      g_debug ("referral page: document %" G_GINT64_FORMAT " attached to referral %" G_GINT64_FORMAT,
               self->filing_document, referral_id);
      self->dirty = FALSE;
      draft_delete (self, self->draft_key);
      rd_referral_page_open_referral (self, referral_id);
      show_message (self, _("The document was attached to this referral."), FALSE);
    }
  g_object_unref (self);
}

/**
 * rd_referral_page_attach_to_referral:
 * @self: a page showing an inbox document
 * @referral_id: an existing referral
 *
 * Files the document under @referral_id instead of creating a referral,
 * then shows that referral.
 */
void
rd_referral_page_attach_to_referral (RdReferralPage *self,
                                     gint64          referral_id)
{
  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));
  g_return_if_fail (self->filing_document > 0 && self->base == NULL);

  set_busy (self, TRUE);
  g_object_set_data (G_OBJECT (self), "rd-attach-to", GSIZE_TO_POINTER ((gsize) referral_id));
  rd_repo_intake_attach_document_async (self->conn, self->filing_document, referral_id, self->cancellable,
                                        on_attached, g_object_ref (self));
}

typedef struct {
  RdReferralPage *self;
  GtkWidget      *dialog;
  GtkWidget      *entry;
  GtkWidget      *list;
  GPtrArray      *found;     /* RdReferral */
  GCancellable   *cancellable;
  guint           timeout;
} AttachSearch;

static void
attach_search_free (gpointer data)
{
  AttachSearch *search = data;

  g_cancellable_cancel (search->cancellable);
  g_clear_object (&search->cancellable);
  g_clear_handle_id (&search->timeout, g_source_remove);
  g_clear_pointer (&search->found, g_ptr_array_unref);
  g_object_unref (search->self);
  g_free (search);
}

static void
on_attach_found (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AttachSearch *search = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *found = rd_repo_referral_list_finish (RD_CONNECTION (source), result, &error);

  if (found == NULL)
    return;   /* cancelled with the dialog, or shown as no rows */
  g_clear_pointer (&search->found, g_ptr_array_unref);
  search->found = found;
  clear_list (search->list);
  for (guint i = 0; i < found->len; i++)
    {
      RdReferral *r = g_ptr_array_index (found, i);
      g_autofree char *text = g_strdup_printf ("%s — %s — %s", rd_referral_get_number (r),
                                               rd_referral_get_patient_name (r) ? rd_referral_get_patient_name (r) : _("no patient yet"),
                                               rd_status_get_label (rd_referral_get_status (r), rd_referral_get_direction (r)));
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_top (label, 4);
      gtk_widget_set_margin_bottom (label, 4);
      gtk_list_box_append (GTK_LIST_BOX (search->list), label);
    }
}

static gboolean
on_attach_search_timeout (gpointer user_data)
{
  AttachSearch *search = user_data;
  RdReferralFilter filter;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (search->entry));

  search->timeout = 0;
  rd_referral_filter_init (&filter);
  filter.search = text;
  rd_repo_referral_list_async (search->self->conn, &filter, NULL, 20, search->cancellable,
                               on_attach_found, search);
  return G_SOURCE_REMOVE;
}

static void
on_attach_search_changed (GtkEditable  *entry,
                          AttachSearch *search)
{
  g_clear_handle_id (&search->timeout, g_source_remove);
  search->timeout = g_timeout_add (300, on_attach_search_timeout, search);
}

static void
on_attach_row_selected (GtkListBox    *list,
                        GtkListBoxRow *row,
                        AttachSearch  *search)
{
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (search->dialog), "attach", row != NULL);
}

static void
on_attach_response (AdwMessageDialog *dialog,
                    const char       *response,
                    AttachSearch     *search)
{
  RdReferralPage *self = search->self;
  GtkListBoxRow *row = gtk_list_box_get_selected_row (GTK_LIST_BOX (search->list));

  if (self->dialog == GTK_WIDGET (dialog))
    self->dialog = NULL;
  if (g_strcmp0 (response, "attach") == 0 && row != NULL && search->found != NULL)
    {
      int index = gtk_list_box_row_get_index (row);

      if (index >= 0 && (guint) index < search->found->len)
        rd_referral_page_attach_to_referral (self, rd_referral_get_id (g_ptr_array_index (search->found, index)));
    }
}

static void
on_attach_clicked (RdReferralPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              _("Attach to an existing referral"),
                                              _("Search by referral number or the patient’s name, then choose the referral this document belongs to."));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  AttachSearch *search = g_new0 (AttachSearch, 1);

  search->self = g_object_ref (self);
  search->dialog = dialog;
  search->cancellable = g_cancellable_new ();
  search->entry = labelled_entry (box, _("_Search"));
  search->list = gtk_list_box_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (search->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Referrals found"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), search->list);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 200);
  gtk_box_append (GTK_BOX (box), scroller);
  g_signal_connect (search->entry, "changed", G_CALLBACK (on_attach_search_changed), search);
  g_signal_connect (search->list, "row-selected", G_CALLBACK (on_attach_row_selected), search);

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "attach", _("_Attach"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "attach", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "attach", FALSE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_attach_response), search);
  g_object_set_data_full (G_OBJECT (dialog), "rd-search", search, attach_search_free);
  self->dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
  on_attach_search_changed (NULL, search);
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                   */
/* ------------------------------------------------------------------------ */

static void
on_document_only_toggled (RdReferralPage *self)
{
  gboolean only = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->document_only_button));

  if (only)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->form_only_button), FALSE);
  gtk_widget_set_visible (self->form_side, !only);
}

static void
on_form_only_toggled (RdReferralPage *self)
{
  gboolean only = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->form_only_button));

  if (only)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->document_only_button), FALSE);
  gtk_widget_set_visible (self->document_side, !only);
}

static void
rd_referral_page_dispose (GObject *object)
{
  RdReferralPage *self = RD_REFERRAL_PAGE (object);

  /* What was typed since the last keystroke's timer is kept too. */
  if (self->dirty && self->draft_key != NULL && self->drafts != NULL)
    draft_save_now (self);
  release_claim (self);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->draft_timeout, g_source_remove);
  g_clear_handle_id (&self->match_timeout, g_source_remove);
  for (int k = 0; k < N_PICKERS; k++)
    g_clear_handle_id (&self->pickers[k].timeout, g_source_remove);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  self->dialog = NULL;

  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_REFERRAL_PAGE);

  for (int i = 0; i < N_FIELDS; i++)
    {
      g_clear_object (&self->fields[i].model);
      g_clear_pointer (&self->fields[i].suggest_value, g_free);
      g_clear_pointer (&self->fields[i].error, g_free);
    }
  g_clear_object (&self->settings);
  g_clear_object (&self->base);
  g_clear_object (&self->patient);
  g_clear_object (&self->coverage);
  g_clear_object (&self->theirs);
  g_clear_object (&self->their_patient);
  g_clear_object (&self->their_coverage);
  g_clear_object (&self->pdf);
  g_clear_object (&self->document_titles);
  g_clear_object (&self->plan_titles);
  g_clear_object (&self->drafts);
  g_clear_object (&self->conn);
  g_clear_pointer (&self->suggestions, g_ptr_array_unref);
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  for (int k = 0; k < N_PICKERS; k++)
    g_clear_pointer (&self->pickers[k].providers, g_ptr_array_unref);
  g_clear_object (&self->fax_provider);
  g_clear_pointer (&self->offered_draft, g_variant_unref);

  G_OBJECT_CLASS (rd_referral_page_parent_class)->dispose (object);
}

static void
rd_referral_page_finalize (GObject *object)
{
  RdReferralPage *self = RD_REFERRAL_PAGE (object);

  g_clear_pointer (&self->plan_ids, g_array_unref);
  g_clear_pointer (&self->document_ids, g_array_unref);
  g_free (self->draft_key);
  g_free (self->idempotency_key);
  g_free (self->computed_due);
  g_clear_pointer (&self->received_at, g_date_time_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (rd_referral_page_parent_class)->finalize (object);
}

static void
rd_referral_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RdReferralPage *self = RD_REFERRAL_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->conn);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_referral_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RdReferralPage *self = RD_REFERRAL_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->conn = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_referral_page_constructed (GObject *object)
{
  RdReferralPage *self = RD_REFERRAL_PAGE (object);

  G_OBJECT_CLASS (rd_referral_page_parent_class)->constructed (object);
  if (self->conn != NULL)
    load_plans (self);
}

static void
rd_referral_page_class_init (RdReferralPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_referral_page_dispose;
  object_class->finalize = rd_referral_page_finalize;
  object_class->get_property = rd_referral_page_get_property;
  object_class->set_property = rd_referral_page_set_property;
  object_class->constructed = rd_referral_page_constructed;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, RD_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RdReferralPage::saved:
   * @self: the page
   * @referral_id: the saved referral
   *
   * Emitted after a successful save.
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * RdReferralPage::closed:
   * @self: the page
   *
   * Emitted by rd_referral_page_close(), after the claim is released.
   */
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (RD_TYPE_DOCUMENT_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/referraldesk/ReferralDesk/rd-referral-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, claim_label);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, actions_box);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, document_only_button);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, form_only_button);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, attach_button);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, split_button);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, draft_revealer);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, draft_label);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, draft_restore_button);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, draft_discard_button);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, conflict_revealer);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, conflict_label);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, conflict_list);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, conflict_reload_button);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, conflict_keep_button);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, conflict_merge_button);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, paned);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, document_side);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, form_side);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, document_switcher);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, document_view);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, form_stack);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, form_box);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, work_box);
  gtk_widget_class_bind_template_child (widget_class, RdReferralPage, history_list);

  gtk_widget_class_install_action (widget_class, "page.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "page.apply-suggestion", NULL, apply_focused_suggestion);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "page.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "page.apply-suggestion", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "page.apply-suggestion", NULL);
}

static void
rd_referral_page_init (RdReferralPage *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->drafts = g_object_ref (rd_draft_store_get_default ());
  self->plan_ids = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->document_ids = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->document_titles = gtk_string_list_new (NULL);
  self->plan_titles = gtk_string_list_new (NULL);
  self->idempotency_key = g_uuid_string_random ();
  {
    gint64 none = 0;

    g_array_append_val (self->plan_ids, none);
    gtk_string_list_append (self->plan_titles, _("Not known yet"));
  }
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->document_switcher), G_LIST_MODEL (self->document_titles));
  g_signal_connect_swapped (self->document_switcher, "notify::selected", G_CALLBACK (on_document_switched), self);

  build_form (self);
  build_work (self);

  g_signal_connect_swapped (self->draft_restore_button, "clicked", G_CALLBACK (on_draft_restore_clicked), self);
  g_signal_connect_swapped (self->draft_discard_button, "clicked", G_CALLBACK (on_draft_discard_clicked), self);
  g_signal_connect_swapped (self->conflict_reload_button, "clicked", G_CALLBACK (on_conflict_reload), self);
  g_signal_connect_swapped (self->conflict_keep_button, "clicked", G_CALLBACK (on_conflict_keep), self);
  g_signal_connect_swapped (self->conflict_merge_button, "clicked", G_CALLBACK (on_conflict_merge), self);
  g_signal_connect_swapped (self->document_only_button, "toggled", G_CALLBACK (on_document_only_toggled), self);
  g_signal_connect_swapped (self->form_only_button, "toggled", G_CALLBACK (on_form_only_toggled), self);
  g_signal_connect_swapped (self->attach_button, "clicked", G_CALLBACK (on_attach_clicked), self);
  g_signal_connect_swapped (self->split_button, "clicked", G_CALLBACK (on_split_clicked), self);

  if (schema != NULL && g_settings_schema_has_key (schema, "referral-page-split"))
    {
      self->settings = g_settings_new (APP_ID);
      g_settings_bind (self->settings, "referral-page-split", self->paned, "position", G_SETTINGS_BIND_DEFAULT);
    }
  else
    gtk_paned_set_position (GTK_PANED (self->paned), 620);

  self->loading++;
  set_text (self, F_PRIORITY, "routine");
  self->loading--;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */
/* ------------------------------------------------------------------------ */

/**
 * rd_referral_page_new:
 * @connection: the signed-in person's connection
 *
 * Returns: (transfer floating): a new, empty referral page
 */
GtkWidget *
rd_referral_page_new (RdConnection *connection)
{
  g_return_val_if_fail (RD_IS_CONNECTION (connection), NULL);
  return g_object_new (RD_TYPE_REFERRAL_PAGE, "connection", connection, NULL);
}

/**
 * rd_referral_page_set_draft_store:
 * @self: a page
 * @store: where drafts are kept (the default is the user's data directory)
 *
 * Sets the draft store; call before opening anything.
 */
void
rd_referral_page_set_draft_store (RdReferralPage *self,
                                  RdDraftStore   *store)
{
  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));
  g_return_if_fail (RD_IS_DRAFT_STORE (store));
  g_set_object (&self->drafts, store);
}

/**
 * rd_referral_page_open_referral:
 * @self: a page
 * @referral_id: a referral
 *
 * Shows the referral: its documents, the form filled from it, its history,
 * missing items and tasks. Takes the claim (renewed while open) and offers
 * back a draft left from an earlier session.
 */
void
rd_referral_page_open_referral (RdReferralPage *self,
                                gint64          referral_id)
{
  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));

  reset (self);
  self->draft_key = g_strdup_printf ("referral-%" G_GINT64_FORMAT, referral_id);
  rd_repo_referral_get_async (self->conn, referral_id, self->cancellable, on_referral_loaded, g_object_ref (self));
}

/**
 * rd_referral_page_open_document:
 * @self: a page
 * @document_id: an unfiled document of the inbox
 *
 * Shows the document with an empty form and the values its text suggests.
 * Saving creates the referral and files the document under it.
 */
void
rd_referral_page_open_document (RdReferralPage *self,
                                gint64          document_id)
{
  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));

  reset (self);
  self->filing_document = document_id;
  update_toolbar (self);
  self->draft_key = g_strdup_printf ("document-%" G_GINT64_FORMAT, document_id);
  rd_repo_document_get_async (self->conn, document_id, self->cancellable, on_document_facts,
                              g_object_ref (self));
}

/**
 * rd_referral_page_new_referral:
 * @self: a page
 *
 * An empty form for a referral that came without a document (by phone).
 * Offers back the newest unsaved new referral, if one was left.
 */
void
rd_referral_page_new_referral (RdReferralPage *self)
{
  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));

  reset (self);
  self->draft_key = g_strdup_printf ("new-%s", self->idempotency_key);
  self->loading++;
  set_text (self, F_CHANNEL, "phone");
  set_text (self, F_DIRECTION, "incoming");
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *text = format_local_datetime (now);

    set_text (self, F_RECEIVED_AT, text);
  }
  self->loading--;
  recompute_due (self);
  rd_repo_intake_default_queue_async (self->conn, self->cancellable, on_default_queue, g_object_ref (self));
  rd_draft_store_find_newest_async (self->drafts, "new-", self->cancellable, on_new_draft_found,
                                    g_object_ref (self));
}

/**
 * rd_referral_page_close:
 * @self: a page
 *
 * Keeps unsaved input as a draft, releases the claim and empties the page.
 */
void
rd_referral_page_close (RdReferralPage *self)
{
  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));

  if (self->dirty)
    draft_save_now (self);
  reset (self);
  g_signal_emit (self, signals[CLOSED], 0);
}

/**
 * rd_referral_page_save:
 * @self: a page
 *
 * Saves, as Ctrl+S does: checks the form, asks before creating a patient
 * who may already exist, and shows the comparison when someone else saved
 * the referral first.
 */
void
rd_referral_page_save (RdReferralPage *self)
{
  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));
  save_now (self);
}

/**
 * rd_referral_page_get_busy:
 * @self: a page
 *
 * Returns: %TRUE while a save or a status change is under way
 */
gboolean
rd_referral_page_get_busy (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), FALSE);
  return self->busy;
}

/**
 * rd_referral_page_get_dirty:
 * @self: a page
 *
 * Returns: %TRUE when the form has changes that are not saved
 */
gboolean
rd_referral_page_get_dirty (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), FALSE);
  return self->dirty;
}

/**
 * rd_referral_page_get_referral:
 * @self: a page
 *
 * Returns: (transfer none) (nullable): the referral as last read or saved
 */
RdReferral *
rd_referral_page_get_referral (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  return self->base;
}

/**
 * rd_referral_page_get_draft_key:
 * @self: a page
 *
 * Returns: (nullable): the key of the page's draft
 */
const char *
rd_referral_page_get_draft_key (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  return self->draft_key;
}

/**
 * rd_referral_page_get_field_widget:
 * @self: a page
 * @key: a field key
 *
 * Returns: (transfer none) (nullable): the field's input widget
 */
GtkWidget *
rd_referral_page_get_field_widget (RdReferralPage *self,
                                   const char     *key)
{
  int i = field_index (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  return i >= 0 ? self->fields[i].widget : NULL;
}

/**
 * rd_referral_page_set_field_text:
 * @self: a page
 * @key: a field key
 * @text: the text, as typed (for a choice: its stored value)
 *
 * Sets a field as if the person typed it (validation, matching and the
 * draft follow).
 */
void
rd_referral_page_set_field_text (RdReferralPage *self,
                                 const char     *key,
                                 const char     *text)
{
  int i = field_index (key);

  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));
  g_return_if_fail (i >= 0);
  set_text (self, i, text);
}

/**
 * rd_referral_page_get_field_text:
 * @self: a page
 * @key: a field key
 *
 * Returns: (transfer full): the field's text
 */
char *
rd_referral_page_get_field_text (RdReferralPage *self,
                                 const char     *key)
{
  int i = field_index (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  g_return_val_if_fail (i >= 0, NULL);
  return text_of (self, i);
}

/**
 * rd_referral_page_get_field_error:
 * @self: a page
 * @key: a field key
 *
 * Returns: (nullable): the validation message shown under the field
 */
const char *
rd_referral_page_get_field_error (RdReferralPage *self,
                                  const char     *key)
{
  int i = field_index (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  return i >= 0 ? self->fields[i].error : NULL;
}

/**
 * rd_referral_page_get_suggestion:
 * @self: a page
 * @key: a field key
 *
 * Returns: (nullable): what Apply would put in the field
 */
const char *
rd_referral_page_get_suggestion (RdReferralPage *self,
                                 const char     *key)
{
  int i = field_index (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  return i >= 0 && self->fields[i].suggest_row != NULL && gtk_widget_get_visible (self->fields[i].suggest_row)
    ? self->fields[i].suggest_value : NULL;
}

/**
 * rd_referral_page_get_suggestion_label:
 * @self: a page
 * @key: a field key
 *
 * Returns: (nullable): the line shown under the field for the document's
 *   suggestion (where it was found, and for a fax the directory's provider)
 */
const char *
rd_referral_page_get_suggestion_label (RdReferralPage *self,
                                       const char     *key)
{
  int i = field_index (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  return rd_referral_page_get_suggestion (self, key) != NULL
    ? gtk_label_get_text (GTK_LABEL (self->fields[i].suggest_label)) : NULL;
}

/**
 * rd_referral_page_apply_suggestion:
 * @self: a page
 * @key: a field key
 *
 * Accepts the document's suggestion for the field, as its Apply button does.
 *
 * Returns: %TRUE when there was one
 */
gboolean
rd_referral_page_apply_suggestion (RdReferralPage *self,
                                   const char     *key)
{
  int i = field_index (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), FALSE);
  return i >= 0 && apply_suggestion (self, i);
}

/**
 * rd_referral_page_get_n_matches:
 * @self: a page
 *
 * Returns: how many possible existing patients are shown
 */
guint
rd_referral_page_get_n_matches (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), 0);
  return self->matches ? self->matches->len : 0;
}

/**
 * rd_referral_page_choose_match:
 * @self: a page
 * @index: a row of the possible patients
 *
 * Links the referral to that patient, as activating the row does.
 *
 * Returns: %TRUE when the row exists
 */
gboolean
rd_referral_page_choose_match (RdReferralPage *self,
                               guint           index)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), FALSE);
  if (self->matches == NULL || index >= self->matches->len)
    return FALSE;
  choose_patient (self, g_ptr_array_index (self->matches, index));
  return TRUE;
}

static int
picker_of_key (const char *key)
{
  if (g_strcmp0 (key, "referring") == 0)
    return PICK_REFERRING;
  if (g_strcmp0 (key, "receiving") == 0)
    return PICK_RECEIVING;
  return -1;
}

/**
 * rd_referral_page_get_n_providers_for:
 * @self: a page
 * @key: "referring" or "receiving"
 *
 * Returns: how many directory providers that provider field's search shows
 */
guint
rd_referral_page_get_n_providers_for (RdReferralPage *self,
                                      const char     *key)
{
  int k = picker_of_key (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), 0);
  g_return_val_if_fail (k >= 0, 0);
  return self->pickers[k].providers && gtk_widget_get_visible (self->pickers[k].list)
    ? self->pickers[k].providers->len : 0;
}

/**
 * rd_referral_page_choose_provider_for:
 * @self: a page
 * @key: "referring" or "receiving"
 * @index: a row of that field's directory search
 *
 * Chooses that provider, as activating the row does.
 *
 * Returns: %TRUE when the row exists
 */
gboolean
rd_referral_page_choose_provider_for (RdReferralPage *self,
                                      const char     *key,
                                      guint           index)
{
  int k = picker_of_key (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), FALSE);
  g_return_val_if_fail (k >= 0, FALSE);
  if (index >= rd_referral_page_get_n_providers_for (self, key))
    return FALSE;
  choose_provider (self, k, g_ptr_array_index (self->pickers[k].providers, index));
  return TRUE;
}

/**
 * rd_referral_page_get_provider_id:
 * @self: a page
 * @key: "referring" or "receiving"
 *
 * Returns: the directory id of the chosen provider, 0 for none
 */
gint64
rd_referral_page_get_provider_id (RdReferralPage *self,
                                  const char     *key)
{
  int k = picker_of_key (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), 0);
  g_return_val_if_fail (k >= 0, 0);
  return self->pickers[k].id;
}

/**
 * rd_referral_page_get_provider_info:
 * @self: a page
 * @key: "referring" or "receiving"
 *
 * Returns: (nullable): the line under that provider field (the chosen
 *   provider's NPI, specialty, organisation and fax, or that nobody
 *   matched), %NULL while hidden
 */
const char *
rd_referral_page_get_provider_info (RdReferralPage *self,
                                    const char     *key)
{
  int k = picker_of_key (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  g_return_val_if_fail (k >= 0, NULL);
  return gtk_widget_get_visible (self->pickers[k].info) ? gtk_label_get_text (GTK_LABEL (self->pickers[k].info)) : NULL;
}

/**
 * rd_referral_page_add_to_directory:
 * @self: a page
 * @key: "referring" or "receiving"
 *
 * Opens the "Add to directory" dialog for that provider field, as its
 * button does. Its entries are the dialog's data "name", "npi",
 * "specialty", "organization", "phone" and "fax"; each has an error label
 * under "<key>-error". Responses: "add", "cancel".
 *
 * Returns: (transfer none) (nullable): the dialog, %NULL while another
 *   question is open
 */
GtkWidget *
rd_referral_page_add_to_directory (RdReferralPage *self,
                                   const char     *key)
{
  int k = picker_of_key (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  g_return_val_if_fail (k >= 0, NULL);
  return open_directory_dialog (self, k);
}

/**
 * rd_referral_page_get_n_providers:
 * @self: a page
 *
 * Returns: how many directory providers the referring search shows
 */
guint
rd_referral_page_get_n_providers (RdReferralPage *self)
{
  return rd_referral_page_get_n_providers_for (self, "referring");
}

/**
 * rd_referral_page_choose_provider:
 * @self: a page
 * @index: a row of the directory search
 *
 * Makes that provider the referring one, as activating the row does.
 *
 * Returns: %TRUE when the row exists
 */
gboolean
rd_referral_page_choose_provider (RdReferralPage *self,
                                  guint           index)
{
  return rd_referral_page_choose_provider_for (self, "referring", index);
}

/**
 * rd_referral_page_get_dialog:
 * @self: a page
 *
 * Returns: (transfer none) (nullable): the question the page is asking
 *   (duplicate patient, a reason for a status change)
 */
GtkWidget *
rd_referral_page_get_dialog (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  return self->dialog;
}

/**
 * rd_referral_page_get_conflict_shown:
 * @self: a page
 *
 * Returns: %TRUE while the comparison with someone else's save is shown
 */
gboolean
rd_referral_page_get_conflict_shown (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), FALSE);
  return self->conflict_open;
}

/**
 * rd_referral_page_get_n_conflicts:
 * @self: a page
 *
 * Returns: the number of rows of the comparison
 */
guint
rd_referral_page_get_n_conflicts (RdReferralPage *self)
{
  guint n = 0;

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), 0);
  for (GtkWidget *c = gtk_widget_get_first_child (self->conflict_list); c; c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

/**
 * rd_referral_page_get_conflict_has_field:
 * @self: a page
 * @key: a field key
 *
 * Returns: %TRUE when the comparison shows that field with a "Use theirs"
 *   choice
 */
gboolean
rd_referral_page_get_conflict_has_field (RdReferralPage *self,
                                         const char     *key)
{
  int index = field_index (key);

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), FALSE);
  for (GtkWidget *row = gtk_widget_get_first_child (self->conflict_list); row; row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
      GtkWidget *check = GTK_IS_BOX (box) ? gtk_widget_get_last_child (box) : NULL;

      if (GTK_IS_CHECK_BUTTON (check) && GPOINTER_TO_INT (g_object_get_data (G_OBJECT (check), "rd-field")) == index)
        return TRUE;
    }
  return FALSE;
}

/**
 * rd_referral_page_resolve_conflict:
 * @self: a page
 * @how: "reload", "keep" or "merge"
 *
 * Answers the comparison as its buttons do.
 */
void
rd_referral_page_resolve_conflict (RdReferralPage *self,
                                   const char     *how)
{
  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));
  resolve_conflict (self, how);
}

/**
 * rd_referral_page_get_draft_offered:
 * @self: a page
 *
 * Returns: %TRUE while the page offers back unsaved changes
 */
gboolean
rd_referral_page_get_draft_offered (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), FALSE);
  return self->offered_draft != NULL;
}

/**
 * rd_referral_page_restore_draft:
 * @self: a page
 *
 * Puts the offered draft back into the form, as "Restore" does.
 */
void
rd_referral_page_restore_draft (RdReferralPage *self)
{
  g_autoptr(GVariant) draft = NULL;

  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));
  if (self->offered_draft == NULL)
    return;
  draft = g_steal_pointer (&self->offered_draft);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->draft_revealer), FALSE);
  apply_draft (self, draft);
}

/**
 * rd_referral_page_transition:
 * @self: a page
 * @to: the new status
 * @reason: (nullable): the reason, when the change needs one
 *
 * Changes the referral's status, as the action buttons do; with a reason
 * given, no question is asked (an appointment still is).
 *
 * Returns: %FALSE when the change is not offered from the current status
 */
gboolean
rd_referral_page_transition (RdReferralPage *self,
                             RdStatus        to,
                             const char     *reason)
{
  const RdTransition *transition;

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), FALSE);
  if (self->base == NULL || self->busy)
    return FALSE;
  transition = rd_lifecycle_get_transition (rd_referral_get_status (self->base), to);
  if (transition == NULL)
    return FALSE;
  ask_transition (self, transition, reason);
  return TRUE;
}

/**
 * rd_referral_page_get_n_events:
 * @self: a page
 *
 * Returns: the number of rows in the history tab
 */
guint
rd_referral_page_get_n_events (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), 0);
  return self->n_events;
}

/**
 * rd_referral_page_get_n_transitions:
 * @self: a page
 *
 * Returns: the number of status changes offered
 */
guint
rd_referral_page_get_n_transitions (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), 0);
  return self->n_transitions;
}

/**
 * rd_referral_page_get_document_view:
 * @self: a page
 *
 * Returns: (transfer none): the #RdDocumentView showing the pages
 */
GtkWidget *
rd_referral_page_get_document_view (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  return self->document_view;
}

/**
 * rd_referral_page_add_missing:
 * @self: a page showing a saved referral
 * @what: what is missing ("insurance card")
 *
 * Marks something as missing, as the "Missing items and tasks" tab does.
 */
void
rd_referral_page_add_missing (RdReferralPage *self,
                              const char     *what)
{
  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->missing_entry), what);
  on_add_missing (self);
}

/**
 * rd_referral_page_add_task:
 * @self: a page showing a saved referral
 * @what: the follow-up
 * @due: (nullable): when, as typed ("YYYY-MM-DD HH:MM")
 *
 * Adds a follow-up task, as the "Missing items and tasks" tab does.
 */
void
rd_referral_page_add_task (RdReferralPage *self,
                           const char     *what,
                           const char     *due)
{
  g_return_if_fail (RD_IS_REFERRAL_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->task_entry), what);
  gtk_editable_set_text (GTK_EDITABLE (self->task_due_entry), due ? due : "");
  on_add_task (self);
}

/**
 * rd_referral_page_get_n_work_items:
 * @self: a page
 *
 * Returns: the number of missing items and tasks listed
 */
guint
rd_referral_page_get_n_work_items (RdReferralPage *self)
{
  guint n = 0;

  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), 0);
  for (GtkWidget *c = gtk_widget_get_first_child (self->work_list); c; c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

/**
 * rd_referral_page_get_claim_text:
 * @self: a page
 *
 * Returns: (nullable): what the claim indicator says ("Maria Lopez is
 *   working on this referral. …"), or %NULL when it is hidden
 */
const char *
rd_referral_page_get_claim_text (RdReferralPage *self)
{
  g_return_val_if_fail (RD_IS_REFERRAL_PAGE (self), NULL);
  return gtk_widget_get_visible (self->claim_label) ? gtk_label_get_text (GTK_LABEL (self->claim_label)) : NULL;
}
