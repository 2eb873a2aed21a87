/* rd-intake-file.c — file what a parser brought in: documents, referral, queue
 *
 * The steps run one after another on the connection's main context: pick the
 * queue by the routing rule, recognise a referral filed before by its
 * idempotency key, store each document (a second copy of the same bytes is
 * found by its sha256, not stored again), then save patient, coverage and
 * referral in one transaction with the documents filed under it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-intake-file.h"
#include "rd-repo-document.h"
#include "rd-repo-hl7.h"
#include "rd-repo-intake.h"

typedef struct {
  RdIntakeResult  *result;
  char            *key;
  char            *queue_name;
  RdIntakeSummary *summary;
  GArray          *document_ids;
  guint            next_document;
  gint64           patient_id;
  gint64           attach_to;     /* a follow-up's referral, for its documents */
  guint            next_attach;
} FileData;

static void
file_data_free (FileData *fd)
{
  g_clear_object (&fd->result);
  g_free (fd->key);
  g_free (fd->queue_name);
  g_clear_pointer (&fd->summary, rd_intake_summary_free);
  g_clear_pointer (&fd->document_ids, g_array_unref);
  g_free (fd);
}

/**
 * rd_intake_summary_free:
 * @summary: (nullable): a summary
 *
 * Frees @summary.
 */
void
rd_intake_summary_free (RdIntakeSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->document_ids);
  g_free (summary->reason);
  g_free (summary->status);
  g_free (summary->number);
  g_free (summary->message);
  g_free (summary);
}

/**
 * rd_intake_outcome_to_string:
 * @outcome: an outcome
 *
 * Returns: the outcome as a word for a line of output ("imported",
 *   "duplicate", "rejected"); not translated, since scripts read it
 */
const char *
rd_intake_outcome_to_string (RdIntakeOutcome outcome)
{
  switch (outcome)
    {
    case RD_INTAKE_OUTCOME_IMPORTED:
      return "imported";
    case RD_INTAKE_OUTCOME_DUPLICATE:
      return "duplicate";
    case RD_INTAKE_OUTCOME_REJECTED:
    default:
      return "rejected";
    }
}

/**
 * rd_intake_file_source_key:
 * @message: the bytes of a message as received
 *
 * Returns: (transfer full): a key naming these bytes (their sha256), for
 *   rd_intake_file_async()
 */
char *
rd_intake_file_source_key (GBytes *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, message);
}

static void
return_summary (GTask *task)
{
  FileData *fd = g_task_get_task_data (task);

  if (fd->document_ids != NULL && fd->document_ids->len > 0)
    {
      fd->summary->n_document_ids = fd->document_ids->len;
      fd->summary->document_ids = g_memdup2 (fd->document_ids->data,
                                             sizeof (gint64) * fd->document_ids->len);
    }
  g_task_return_pointer (task, g_steal_pointer (&fd->summary),
                         (GDestroyNotify) rd_intake_summary_free);
}

static void
reject (GTask      *task,
        const char *reason)
{
  FileData *fd = g_task_get_task_data (task);

  fd->summary->outcome = RD_INTAKE_OUTCOME_REJECTED;
  g_free (fd->summary->reason);
  fd->summary->reason = g_strdup (reason);
  return_summary (task);
}

static void
on_linked (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileData *fd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) rows = NULL;

  /* The referral is stored either way; without the link the sender's
   * follow-ups are answered "unknown referral" until the I12 is resent
   * (a resend links it again). */
  rows = rd_repo_hl7_rows_finish (RD_CONNECTION (source), res, &error);
  if (rows == NULL)
    g_warning ("intake: referral %" G_GINT64_FORMAT " not linked to its sender's id: %s",
               fd->summary->referral_id, error->message);
  return_summary (task);
}

/* A referral from HL7 v2 is remembered by the sender's own id, which its
 * REF^I13/I14/I15 follow-ups name it by. */
static void
link_and_return (GTask *task)
{
  FileData *fd = g_task_get_task_data (task);
  const char *facility = rd_intake_result_get_sender_facility (fd->result);
  const char *external_id = rd_intake_result_get_external_id (fd->result);

  if (g_strcmp0 (rd_intake_result_get_channel (fd->result), "hl7v2") != 0
      || facility == NULL || *facility == '\0' || external_id == NULL || *external_id == '\0'
      || fd->summary->referral_id <= 0)
    {
      return_summary (task);
      return;
    }
  rd_repo_hl7_link_async (g_task_get_source_object (task), fd->summary->referral_id,
                          facility, external_id, g_task_get_cancellable (task), on_linked,
                          g_object_ref (task));
}

static void
on_saved (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileData *fd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = rd_repo_intake_save_finish (RD_CONNECTION (source), res, NULL, NULL, NULL, &error);
  if (id <= 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  fd->summary->referral_id = id;
  fd->summary->outcome = RD_INTAKE_OUTCOME_IMPORTED;
  g_debug ("intake: filed referral %" G_GINT64_FORMAT " in queue %" G_GINT64_FORMAT,
           id, fd->summary->queue_id);
  link_and_return (task);
}

/* The parsers speak HL7 table 0001 (F, M, O, U); the database stores words. */
static const char *
store_sex (const char *sex)
{
  if (sex == NULL || *sex == '\0')
    return "unknown";
  switch (g_ascii_toupper (sex[0]))
    {
    case 'F':
      return "female";
    case 'M':
      return "male";
    case 'O':
      return "other";
    default:
      return "unknown";
    }
}

/* The channel names the parsers use, as the database knows them. */
static const char *
store_channel (const char *channel)
{
  if (channel == NULL)
    return "manual";
  if (g_str_has_prefix (channel, "hl7"))
    return "hl7";
  if (g_str_has_prefix (channel, "fhir"))
    return "fhir";
  if (strstr (channel, "mail") != NULL)
    return "email";
  if (g_str_equal (channel, "fax") || g_str_equal (channel, "scan"))
    return channel;
  return "manual";
}

/* The ways a document arrives, as the database knows them: a parser's
 * channel ("hl7v2", "fhir-bundle", "email") named the way rd.document does. */
static const char *
store_received_via (const char *via)
{
  if (via == NULL)
    return "upload";
  if (g_str_has_prefix (via, "hl7"))
    return "hl7";
  if (g_str_has_prefix (via, "fhir"))
    return "fhir";
  if (strstr (via, "mail") != NULL)
    return "email";
  if (g_str_equal (via, "fax") || g_str_equal (via, "scan") || g_str_equal (via, "generated"))
    return via;
  return "upload";
}

static const char *
store_relationship (const char *relationship)
{
  g_autofree char *lower = relationship != NULL ? g_ascii_strdown (relationship, -1) : NULL;

  if (lower == NULL || *lower == '\0' || g_str_has_prefix (lower, "sel") || g_str_equal (lower, "01")
      || g_str_equal (lower, "18"))
    return "self";
  if (g_str_has_prefix (lower, "spo") || g_str_equal (lower, "02"))
    return "spouse";
  if (g_str_has_prefix (lower, "ch") || g_str_equal (lower, "03") || g_str_equal (lower, "19"))
    return "child";
  return "other";
}

/* Keeps the codes the database accepts; the others go to the notes so that
 * nothing the sender wrote is lost. */
static char **
keep_codes (const char * const *codes,
            const char         *pattern,
            GString            *dropped)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();

  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      if (g_regex_match (regex, codes[i], 0, NULL))
        g_strv_builder_add (kept, codes[i]);
      else
        g_string_append_printf (dropped, "%s%s", dropped->len > 0 ? ", " : "", codes[i]);
    }
  return g_strv_builder_end (kept);
}

static void
save_referral (GTask *task)
{
  FileData *fd = g_task_get_task_data (task);
  RdConnection *conn = g_task_get_source_object (task);
  RdIntakeSave save = { 0 };
  g_autoptr(RdReferral) referral = rd_referral_copy (rd_intake_result_get_referral (fd->result));
  GPtrArray *coverages = rd_intake_result_get_coverages (fd->result);
  g_autofree char *notes = rd_intake_result_dup_notes_text (fd->result);
  RdProvider *receiving = rd_intake_result_get_receiving (fd->result);
  g_autoptr(RdCoverage) coverage = NULL;
  g_autoptr(GString) as_sent = NULL;
  g_autoptr(RdPatient) patient = rd_patient_copy (rd_intake_result_get_patient (fd->result));

  /* A patient found by MRN is linked (an id without a version), not
   * created a second time. */
  rd_patient_set_id (patient, fd->patient_id);
  rd_patient_set_version (patient, 0);
  rd_patient_set_sex (patient, store_sex (rd_patient_get_sex (patient)));
  /* Values the database would refuse do not lose the referral: they are
   * kept in its notes as sent, for a person to correct. */
  as_sent = g_string_new (NULL);
  if (rd_patient_get_zip (patient) != NULL
      && !g_regex_match_simple ("^[0-9]{5}(-[0-9]{4})?$", rd_patient_get_zip (patient), 0, 0))
    {
      g_string_append_printf (as_sent, "%s %s\n", _("Postal code as sent:"), rd_patient_get_zip (patient));
      rd_patient_set_zip (patient, NULL);
    }
  if (rd_patient_get_phone_home (patient) != NULL
      && !g_regex_match_simple ("^\\+[1-9][0-9]{6,14}$", rd_patient_get_phone_home (patient), 0, 0))
    {
      g_string_append_printf (as_sent, "%s %s\n", _("Home phone as sent:"), rd_patient_get_phone_home (patient));
      rd_patient_set_phone_home (patient, NULL);
    }
  if (rd_patient_get_phone_mobile (patient) != NULL
      && !g_regex_match_simple ("^\\+[1-9][0-9]{6,14}$", rd_patient_get_phone_mobile (patient), 0, 0))
    {
      g_string_append_printf (as_sent, "%s %s\n", _("Mobile phone as sent:"), rd_patient_get_phone_mobile (patient));
      rd_patient_set_phone_mobile (patient, NULL);
    }
  rd_referral_set_id (referral, 0);
  rd_referral_set_version (referral, 0);
  rd_referral_set_queue_id (referral, fd->summary->queue_id);
  rd_referral_set_channel (referral, store_channel (rd_intake_result_get_channel (fd->result)));
  rd_referral_set_idempotency_key (referral, fd->key);
  rd_referral_set_status (referral, RD_STATUS_NEW);
  rd_referral_set_number (referral, NULL);
  {
    g_autoptr(GString) dropped = g_string_new (NULL);
    g_auto(GStrv) dx = keep_codes (rd_referral_get_diagnoses (referral),
                                   "^[A-Z][0-9][0-9A-Z](\\.[0-9A-Z]{1,4})?$", dropped);
    g_auto(GStrv) px = keep_codes (rd_referral_get_procedures (referral),
                                   "^([0-9]{4}[0-9FT]|[A-V][0-9]{4})$", dropped);
    GString *text = g_string_new (rd_referral_get_notes (referral));

    rd_referral_set_diagnoses (referral, (const char * const *) dx);
    rd_referral_set_procedures (referral, (const char * const *) px);
    if (notes != NULL && *notes != '\0' && rd_referral_get_notes (referral) == NULL)
      g_string_append (text, notes);
    if (as_sent->len > 0)
      g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", as_sent->str);
    if (dropped->len > 0)
      g_string_append_printf (text, "%s%s %s", text->len > 0 ? "\n" : "",
                              _("Codes as sent:"), dropped->str);
    if (text->len > 20000)
      g_string_truncate (text, 20000);
    rd_referral_set_notes (referral, text->len > 0 ? text->str : NULL);
    g_string_free (text, TRUE);
  }
  if (rd_referral_get_specialty (referral) == NULL && receiving != NULL)
    rd_referral_set_specialty (referral, rd_provider_get_specialty (receiving));

  save.patient = patient;
  if (coverages != NULL && coverages->len > 0)
    {
      coverage = rd_coverage_copy (g_ptr_array_index (coverages, 0));
      rd_coverage_set_id (coverage, 0);
      rd_coverage_set_version (coverage, 0);
      rd_coverage_set_relationship (coverage, store_relationship (rd_coverage_get_relationship (coverage)));
      rd_coverage_set_source (coverage, store_channel (rd_intake_result_get_channel (fd->result)));
      rd_coverage_set_eligibility_status (coverage, "unknown");
    }
  save.coverage = coverage;
  save.referral = referral;
  save.document_ids = (const gint64 *) fd->document_ids->data;
  save.n_document_ids = fd->document_ids->len;
  rd_repo_intake_save_async (conn, &save, g_task_get_cancellable (task), on_saved,
                             g_object_ref (task));
}

static void insert_next_document (GTask *task);
static void attach_next_document (GTask *task);

static void
on_patient_found (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileData *fd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) rows = NULL;

  rows = rd_repo_intake_rows_finish (RD_CONNECTION (source), res, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (rd_result_get_n_rows (rows) == 1)
    fd->patient_id = rd_result_get_int64 (rows, 0, 0);
  save_referral (task);
}

static void
find_patient (GTask *task)
{
  FileData *fd = g_task_get_task_data (task);
  const char *mrn = rd_patient_get_mrn (rd_intake_result_get_patient (fd->result));

  if (mrn == NULL || *mrn == '\0')
    {
      save_referral (task);
      return;
    }
  rd_repo_intake_find_by_mrn_async (g_task_get_source_object (task), mrn,
                                    g_task_get_cancellable (task), on_patient_found,
                                    g_object_ref (task));
}

static void
on_document_inserted (GObject      *source,
                      GAsyncResult *res,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileData *fd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDocument) stored = NULL;
  gboolean existing = FALSE;
  gint64 id;

  stored = rd_repo_document_insert_finish (RD_CONNECTION (source), res, &existing, &error);
  if (stored == NULL)
    {
      if (g_task_return_error_if_cancelled (task))
        return;
      /* A document the store refuses (too large, bad type) is this
       * message's reason, not a failure of the database. */
      if (fd->document_ids->len == 0 && rd_intake_result_get_referral (fd->result) == NULL)
        {
          reject (task, error->message);
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  id = rd_document_get_id (stored);
  g_array_append_val (fd->document_ids, id);
  if (existing)
    fd->summary->n_duplicate_documents++;
  else
    fd->summary->n_documents++;
  g_debug ("intake: document %" G_GINT64_FORMAT " %s", id, existing ? "stored before" : "stored");
  insert_next_document (task);
}

static void
insert_next_document (GTask *task)
{
  FileData *fd = g_task_get_task_data (task);
  RdConnection *conn = g_task_get_source_object (task);
  GPtrArray *documents = rd_intake_result_get_documents (fd->result);

  if (documents != NULL && fd->next_document < documents->len)
    {
      RdIntakeDocument *doc = g_ptr_array_index (documents, fd->next_document++);
      g_autoptr(RdDocument) meta = rd_document_copy (rd_intake_document_get_metadata (doc));

      rd_document_set_id (meta, 0);
      rd_document_set_queue_id (meta, fd->summary->queue_id);
      rd_document_set_received_via (meta, store_received_via (rd_document_get_received_via (meta)));
      if (rd_document_get_sender (meta) == NULL && rd_intake_result_get_sender (fd->result) != NULL)
        rd_document_set_sender (meta, rd_intake_result_get_sender (fd->result));
      if (rd_document_get_subject (meta) == NULL && rd_intake_result_get_subject (fd->result) != NULL)
        rd_document_set_subject (meta, rd_intake_result_get_subject (fd->result));
      rd_repo_document_insert_async (conn, meta, rd_intake_document_get_bytes (doc),
                                     g_task_get_cancellable (task), on_document_inserted,
                                     g_object_ref (task));
      return;
    }

  if (fd->attach_to > 0)
    {
      attach_next_document (task);
      return;
    }

  if (fd->key != NULL)
    {
      find_patient (task);
      return;
    }

  fd->summary->outcome = fd->summary->n_documents > 0
    ? RD_INTAKE_OUTCOME_IMPORTED : RD_INTAKE_OUTCOME_DUPLICATE;
  return_summary (task);
}

static void
on_existing_checked (GObject      *source,
                     GAsyncResult *res,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileData *fd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) rows = NULL;

  rows = rd_connection_query_finish (RD_CONNECTION (source), res, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (rd_result_get_n_rows (rows) > 0)
    {
      /* The same message came before: nothing is stored twice. */
      fd->summary->outcome = RD_INTAKE_OUTCOME_DUPLICATE;
      fd->summary->referral_id = rd_result_get_int64 (rows, 0, 0);
      fd->summary->queue_id = rd_result_get_int64 (rows, 0, 1);
      link_and_return (task);
      return;
    }
  insert_next_document (task);
}

static void
on_queue_found (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileData *fd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) rows = NULL;

  rows = rd_connection_query_finish (RD_CONNECTION (source), res, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (rd_result_get_n_rows (rows) == 0)
    {
      if (fd->queue_name != NULL)
        reject (task, _("There is no work queue of that name. Check the queue's name, or leave it out to use the routing rules."));
      else
        reject (task, _("There is no work queue to file into. Ask an administrator to add an intake queue, or to add you to a team."));
      return;
    }
  fd->summary->queue_id = rd_result_get_int64 (rows, 0, 0);

  if (fd->key != NULL)
    {
      const char *params[] = { fd->key };

      rd_connection_query_async (RD_CONNECTION (source),
                                 "SELECT id, queue_id FROM rd.referral WHERE idempotency_key = $1",
                                 params, 1, RD_CONNECTION_TIMEOUT_DEFAULT,
                                 g_task_get_cancellable (task), on_existing_checked,
                                 g_object_ref (task));
      return;
    }
  insert_next_document (task);
}

static void
on_document_attached (GObject      *source,
                      GAsyncResult *res,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) rows = NULL;

  rows = rd_repo_intake_rows_finish (RD_CONNECTION (source), res, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  attach_next_document (task);
}

/* A change's documents (OBX of type ED) are filed with its referral; one
 * stored before and filed elsewhere stays where it is. */
static void
attach_next_document (GTask *task)
{
  FileData *fd = g_task_get_task_data (task);

  if (fd->next_attach < fd->document_ids->len)
    {
      gint64 id = g_array_index (fd->document_ids, gint64, fd->next_attach++);

      rd_repo_intake_attach_document_async (g_task_get_source_object (task), id, fd->attach_to,
                                            g_task_get_cancellable (task), on_document_attached,
                                            g_object_ref (task));
      return;
    }

  if (fd->summary->n_documents > 0)
    {
      g_autofree char *filed = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "%u document was filed with the referral.",
                                                             "%u documents were filed with the referral.",
                                                             fd->summary->n_documents),
                                                fd->summary->n_documents);
      char *message = g_strjoin (" ", fd->summary->message != NULL ? fd->summary->message : "",
                                 filed, NULL);

      g_strstrip (message);
      g_free (fd->summary->message);
      fd->summary->message = message;
      fd->summary->outcome = RD_INTAKE_OUTCOME_IMPORTED;
    }
  return_summary (task);
}

static void
on_referral_queue (GObject      *source,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileData *fd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) rows = NULL;

  rows = rd_connection_query_finish (RD_CONNECTION (source), res, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (rd_result_get_n_rows (rows) == 0)
    {
      return_summary (task);
      return;
    }
  fd->summary->queue_id = rd_result_get_int64 (rows, 0, 0);
  insert_next_document (task);
}

/* Returns the summary, after storing the follow-up's documents if it
 * carries any. */
static void
file_documents_and_return (GTask *task)
{
  FileData *fd = g_task_get_task_data (task);
  GPtrArray *documents = rd_intake_result_get_documents (fd->result);
  g_autofree char *id = NULL;

  if (documents == NULL || documents->len == 0 || fd->summary->referral_id <= 0)
    {
      return_summary (task);
      return;
    }
  fd->attach_to = fd->summary->referral_id;
  id = g_strdup_printf ("%" G_GINT64_FORMAT, fd->attach_to);
  {
    const char *params[] = { id };

    rd_connection_query_async (g_task_get_source_object (task),
                               "SELECT queue_id FROM rd.referral WHERE id = $1::bigint",
                               params, 1, RD_CONNECTION_TIMEOUT_DEFAULT,
                               g_task_get_cancellable (task), on_referral_queue,
                               g_object_ref (task));
  }
}

/* Follow-ups: REF^I13 (change), I14 (cancel), I15 (status query) name a
 * referral by the sender's id (RF1-6) within its facility. */

static const char *
status_words (const char *status)
{
  RdStatus value;

  if (status == NULL || !rd_status_from_string (status, &value))
    return status != NULL ? status : "";
  return rd_status_get_label (value, RD_DIRECTION_INCOMING);
}

static void
reject_unknown (GTask *task)
{
  reject (task, _("Unknown referral: no referral from this sender has the id in RF1-6. Check the id, or send the referral itself (REF^I12) first."));
}

static void
on_status_found (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileData *fd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) rows = NULL;
  const char *status;

  rows = rd_repo_hl7_rows_finish (RD_CONNECTION (source), res, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (rd_result_get_n_rows (rows) == 0)
    {
      reject_unknown (task);
      return;
    }
  status = rd_result_get_string (rows, 0, rd_result_get_column (rows, "status"));
  fd->summary->outcome = RD_INTAKE_OUTCOME_DUPLICATE;
  fd->summary->referral_id = rd_result_get_int64 (rows, 0, rd_result_get_column (rows, "id"));
  fd->summary->status = g_strdup (status);
  fd->summary->number = g_strdup (rd_result_get_string (rows, 0, rd_result_get_column (rows, "number")));
  fd->summary->message = g_strdup_printf (_("The referral’s status is “%s”."), status_words (status));
  return_summary (task);
}

static void
on_cancelled (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileData *fd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) rows = NULL;
  const char *status;
  const char *outcome;

  rows = rd_repo_hl7_rows_finish (RD_CONNECTION (source), res, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (rd_result_get_n_rows (rows) == 0)
    {
      reject_unknown (task);
      return;
    }
  status = rd_result_get_string (rows, 0, 1);
  outcome = rd_result_get_string (rows, 0, 2);
  fd->summary->referral_id = rd_result_get_int64 (rows, 0, 0);
  fd->summary->status = g_strdup (status);
  if (g_strcmp0 (outcome, "refused") == 0)
    {
      g_autofree char *why = g_strdup_printf (_("The referral’s status is “%s”, so it can no longer be cancelled. Call the referral office to withdraw it."),
                                              status_words (status));
      reject (task, why);
      return;
    }
  if (g_strcmp0 (outcome, "already") == 0)
    {
      fd->summary->outcome = RD_INTAKE_OUTCOME_DUPLICATE;
      fd->summary->message = g_strdup (_("The referral was cancelled before."));
    }
  else
    {
      fd->summary->outcome = RD_INTAKE_OUTCOME_IMPORTED;
      fd->summary->message = g_strdup (_("The referral was cancelled."));
    }
  g_debug ("intake: referral %" G_GINT64_FORMAT " cancelled by its sender (%s)",
           fd->summary->referral_id, outcome);
  return_summary (task);
}

static char *
join_labels (RdResult *rows,
             int       column)
{
  g_auto(GStrv) labels = rd_pg_parse_array (rd_result_get_string (rows, 0, column));

  return labels != NULL && labels[0] != NULL ? g_strjoinv (", ", labels) : NULL;
}

static void
on_changed (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileData *fd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) rows = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *kept = NULL;
  const char *status;
  const char *outcome;

  rows = rd_repo_hl7_rows_finish (RD_CONNECTION (source), res, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (rd_result_get_n_rows (rows) == 0)
    {
      reject_unknown (task);
      return;
    }
  fd->summary->referral_id = rd_result_get_int64 (rows, 0, 0);
  status = rd_result_get_string (rows, 0, 1);
  outcome = rd_result_get_string (rows, 0, 2);
  fd->summary->status = g_strdup (status);
  changed = join_labels (rows, 3);
  kept = join_labels (rows, 4);

  if (g_strcmp0 (outcome, "closed") == 0)
    {
      g_autofree char *why = g_strdup_printf (_("The referral is closed (“%s”), so the change was not applied. Call the referral office."),
                                              status_words (status));
      reject (task, why);
      return;
    }
  if (g_strcmp0 (outcome, "updated") != 0)
    {
      fd->summary->outcome = RD_INTAKE_OUTCOME_DUPLICATE;
      fd->summary->message = g_strdup (g_strcmp0 (outcome, "duplicate") == 0
                                       ? _("This change was applied before.")
                                       : _("The change holds nothing the referral does not already say."));
      file_documents_and_return (task);
      return;
    }

  fd->summary->outcome = RD_INTAKE_OUTCOME_IMPORTED;
  {
    GString *text = g_string_new (NULL);

    if (changed != NULL)
      g_string_append_printf (text, _("Changed: %s."), changed);
    else
      g_string_append (text, _("The notes were added to."));
    if (kept != NULL)
      {
        g_string_append_c (text, ' ');
        g_string_append_printf (text, _("Kept as changed at the referral office, with the value sent added to the notes: %s."),
                                kept);
      }
    fd->summary->message = g_string_free (text, FALSE);
  }
  g_debug ("intake: referral %" G_GINT64_FORMAT " changed by its sender", fd->summary->referral_id);
  file_documents_and_return (task);
}

static char *
provider_text (RdProvider *provider)
{
  const char *name;
  const char *npi;

  if (provider == NULL)
    return NULL;
  name = rd_provider_get_name (provider);
  npi = rd_provider_get_npi (provider);
  if (name != NULL && npi != NULL)
    return g_strdup_printf (_("%s (NPI %s)"), name, npi);
  if (npi != NULL)
    return g_strdup_printf (_("NPI %s"), npi);
  return g_strdup (name);
}

static void
file_change (GTask *task)
{
  FileData *fd = g_task_get_task_data (task);
  RdIntakeResult *result = fd->result;
  RdReferral *referral = rd_intake_result_get_referral (result);
  RdProvider *referring = rd_intake_result_get_referring (result);
  RdProvider *receiving = rd_intake_result_get_receiving (result);
  g_autoptr(GString) dropped = g_string_new (NULL);
  g_autoptr(GString) note = g_string_new (NULL);
  g_autofree char *notes = rd_intake_result_dup_notes_text (result);
  g_autofree char *referring_text = provider_text (referring);
  g_autofree char *receiving_text = provider_text (receiving);
  g_autofree char *event_reason = NULL;
  g_auto(GStrv) dx = keep_codes (rd_referral_get_diagnoses (referral),
                                 "^[A-Z][0-9][0-9A-Z](\\.[0-9A-Z]{1,4})?$", dropped);
  g_auto(GStrv) px = keep_codes (rd_referral_get_procedures (referral),
                                 "^([0-9]{4}[0-9FT]|[A-V][0-9]{4})$", dropped);
  const char *labels[] = {
    _("priority"), _("specialty"), _("reason"), _("diagnoses"), _("procedures"),
    _("referring provider"), _("receiving provider"), NULL
  };
  RdHl7Change change = { 0 };

  if (notes != NULL || dropped->len > 0)
    {
      g_string_append_printf (note, _("Update from %s:"), rd_intake_result_get_sender (result));
      if (notes != NULL)
        g_string_append_printf (note, "\n%s", notes);
      if (dropped->len > 0)
        g_string_append_printf (note, "\n%s %s", _("Codes as sent:"), dropped->str);
    }
  event_reason = g_strdup_printf (_("Changed by the referring system %s"),
                                  rd_intake_result_get_sender (result));

  change.sender = rd_intake_result_get_sender_facility (result);
  change.external_id = rd_intake_result_get_external_id (result);
  change.message_id = rd_intake_result_get_message_id (result);
  change.priority = rd_intake_result_get_priority_given (result)
                    ? rd_priority_to_string (rd_referral_get_priority (referral)) : NULL;
  change.specialty = rd_referral_get_specialty (referral);
  change.reason = rd_referral_get_reason (referral);
  /* No DG1 or PR1 at all: the codes were not sent, not cleared. */
  change.diagnoses = dx != NULL && dx[0] != NULL ? (const char * const *) dx : NULL;
  change.procedures = px != NULL && px[0] != NULL ? (const char * const *) px : NULL;
  change.referring_npi = referring != NULL ? rd_provider_get_npi (referring) : NULL;
  change.referring_text = referring_text;
  change.receiving_npi = receiving != NULL ? rd_provider_get_npi (receiving) : NULL;
  change.receiving_text = receiving_text;
  change.note = note->len > 0 ? note->str : NULL;
  change.labels = labels;
  /* TRANSLATORS: filled in by the database: the field's name, then the
   * value the referring system sent; keep both %s and add no other %. */
  change.kept_format = _("Not applied because it was changed here — %s as sent: %s");
  change.event_reason = event_reason;
  rd_repo_hl7_change_async (g_task_get_source_object (task), &change,
                            g_task_get_cancellable (task), on_changed, g_object_ref (task));
}

static void
file_follow_up (GTask *task)
{
  FileData *fd = g_task_get_task_data (task);
  RdIntakeResult *result = fd->result;
  RdConnection *conn = g_task_get_source_object (task);
  const char *facility = rd_intake_result_get_sender_facility (result);
  const char *external_id = rd_intake_result_get_external_id (result);

  if (g_strcmp0 (rd_intake_result_get_channel (result), "hl7v2") != 0
      || rd_intake_result_get_referral (result) == NULL)
    {
      reject (task, _("Changes to, withdrawals of and questions about referrals sent before are filed automatically only from HL7 v2. Pass this one on to the referral's owner."));
      return;
    }
  if (facility == NULL || external_id == NULL)
    {
      reject (task, _("The message does not say which referral it is about: the sending facility (MSH-4) or the referral id (RF1-6) is missing. Ask the sender to include them."));
      return;
    }

  switch (rd_intake_result_get_event (result))
    {
    case RD_INTAKE_EVENT_STATUS_QUERY:
      rd_repo_hl7_find_async (conn, facility, external_id, g_task_get_cancellable (task),
                              on_status_found, g_object_ref (task));
      break;
    case RD_INTAKE_EVENT_CANCEL:
      {
        const char * const *notes = rd_intake_result_get_notes (result);
        g_autofree char *reason = NULL;

        /* The sender's words (NTE) are the reason when it gave any. */
        if (notes != NULL && notes[0] != NULL)
          reason = g_utf8_substring (notes[0], 0, MIN (g_utf8_strlen (notes[0], -1), 1900));
        else
          reason = g_strdup (_("Cancelled by the referring system"));
        rd_repo_hl7_cancel_async (conn, facility, external_id, reason,
                                  g_task_get_cancellable (task), on_cancelled,
                                  g_object_ref (task));
      }
      break;
    case RD_INTAKE_EVENT_UPDATE:
      file_change (task);
      break;
    case RD_INTAKE_EVENT_NEW:
    case RD_INTAKE_EVENT_DOCUMENTS:
    default:
      g_assert_not_reached ();
    }
}

static char *
make_key (RdIntakeResult *result,
          const char     *source_key)
{
  const char *message_id = rd_intake_result_get_message_id (result);
  const char *sender = rd_intake_result_get_sender (result);
  g_autofree char *material = NULL;
  g_autofree char *hash = NULL;

  /* The sender's own message id survives a resend with a new timestamp;
   * the bytes' hash is the fallback. */
  if (message_id != NULL && *message_id != '\0')
    material = g_strdup_printf ("%s\x1f%s\x1f%s", rd_intake_result_get_channel (result),
                                sender != NULL ? sender : "", message_id);
  else if (source_key != NULL && *source_key != '\0')
    material = g_strdup_printf ("%s\x1f%s", rd_intake_result_get_channel (result), source_key);
  else
    return NULL;

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, material, -1);
  return g_strconcat ("intake:", hash, NULL);
}

/**
 * rd_intake_file_async:
 * @conn: an open connection (as a staff member: row-level security applies)
 * @result: what a parser brought in
 * @source_key: (nullable): a key naming the received bytes, such as
 *   rd_intake_file_source_key(); used when the message carries no id
 * @queue_name: (nullable): file into this queue instead of routing
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Stores @result: each document once (by sha256), and for a new referral
 * the patient, coverage and referral in one transaction, exactly once per
 * message. The referral goes to the queue named by the receiving
 * provider's or the referral's specialty (matched against queue names,
 * ignoring case), else to the intake queue. A referral from HL7 v2 is
 * linked to the sender's id (RF1-6) within its facility.
 *
 * HL7 v2 follow-ups find that referral again: REF^I13 applies the change
 * to an open referral as one audited update with a referral event, keeping
 * every field changed here since it arrived (the incoming value goes into
 * the notes and the summary's message says so); REF^I14 cancels it through
 * the lifecycle (refused, with the reason, once the lifecycle forbids it);
 * REF^I15 stores nothing and gives the status in the summary. An id the
 * sender never sent is rejected as an unknown referral.
 */
void
rd_intake_file_async (RdConnection        *conn,
                      RdIntakeResult      *result,
                      const char          *source_key,
                      const char          *queue_name,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FileData *fd;
  RdIntakeEvent event;
  RdReferral *referral;
  RdProvider *receiving;
  GPtrArray *documents;
  const char *specialty = NULL;
  const char *receiving_specialty = NULL;
  const char *params[3];

  g_return_if_fail (RD_IS_CONNECTION (conn));
  g_return_if_fail (RD_IS_INTAKE_RESULT (result));

  task = g_task_new (conn, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_intake_file_async);
  fd = g_new0 (FileData, 1);
  fd->result = g_object_ref (result);
  fd->queue_name = g_strdup (queue_name);
  fd->summary = g_new0 (RdIntakeSummary, 1);
  fd->document_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_task_set_task_data (task, fd, (GDestroyNotify) file_data_free);

  event = rd_intake_result_get_event (result);
  referral = rd_intake_result_get_referral (result);
  documents = rd_intake_result_get_documents (result);

  switch (event)
    {
    case RD_INTAKE_EVENT_NEW:
      if (referral == NULL)
        {
          reject (task, _("The message asks for a new referral but carries none. Ask the sender to send it again."));
          return;
        }
      if (rd_intake_result_get_patient (result) == NULL)
        {
          reject (task, _("The referral names no patient. Ask the sender to include the patient."));
          return;
        }
      fd->key = make_key (result, source_key);
      if (fd->key == NULL)
        {
          reject (task, _("The message has no id, so a second copy could not be recognised. Import the file instead."));
          return;
        }
      break;
    case RD_INTAKE_EVENT_DOCUMENTS:
      if ((documents == NULL || documents->len == 0)
          && (rd_intake_result_get_patient (result) != NULL
              || rd_intake_result_get_coverages (result)->len > 0
              || rd_intake_result_get_providers (result)->len > 0))
        {
          reject (task, _("The file holds only a patient, coverage or provider, without a referral or a document, so nothing was filed. Send it together with the referral it belongs to."));
          return;
        }
      if (documents == NULL || documents->len == 0)
        {
          reject (task, _("There was no document to store: only PDF and TIFF files are imported."));
          return;
        }
      break;
    case RD_INTAKE_EVENT_UPDATE:
    case RD_INTAKE_EVENT_CANCEL:
    case RD_INTAKE_EVENT_STATUS_QUERY:
      file_follow_up (task);
      return;
    default:
      g_assert_not_reached ();
    }

  receiving = rd_intake_result_get_receiving (result);
  if (receiving != NULL)
    receiving_specialty = rd_provider_get_specialty (receiving);
  if (referral != NULL)
    specialty = rd_referral_get_specialty (referral);

  /* The routing rule: a queue named (ignoring case) after the receiving
   * provider's specialty, then the referral's, then one whose name
   * contains either, then the intake queue. Row-level security limits the
   * choice to the queues the person may file into. */
  params[0] = queue_name;
  params[1] = receiving_specialty != NULL && *receiving_specialty ? receiving_specialty : NULL;
  params[2] = specialty != NULL && *specialty ? specialty : NULL;
  rd_connection_query_async (conn,
                             "SELECT q.id FROM rd.work_queue q"
                             " WHERE q.active AND ($1::text IS NULL OR lower(q.name) = lower($1))"
                             " ORDER BY lower(q.name) = lower($2) IS TRUE DESC,"
                             "          lower(q.name) = lower($3) IS TRUE DESC,"
                             "          strpos(lower(q.name), lower($2)) > 0 IS TRUE DESC,"
                             "          strpos(lower(q.name), lower($3)) > 0 IS TRUE DESC,"
                             "          (q.kind = 'intake') DESC, q.id"
                             " LIMIT 1",
                             params, 3, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable,
                             on_queue_found, g_object_ref (task));
}

/**
 * rd_intake_file_finish:
 * @conn: the connection
 * @result: the result passed to the callback
 * @error: where to put an error
 *
 * A message the database refused to store, or a lost connection, is an
 * error; a message that could not be filed is a summary with
 * %RD_INTAKE_OUTCOME_REJECTED and its reason.
 *
 * Returns: (transfer full): the summary, or %NULL with @error set
 */
RdIntakeSummary *
rd_intake_file_finish (RdConnection  *conn,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
