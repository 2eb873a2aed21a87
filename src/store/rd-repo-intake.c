/* rd-repo-intake.c — what the referral page reads and saves beyond one referral
 *
 * The page saves the patient, their coverage and the referral together: a
 * referral must never name a half-saved patient, and a failed save must
 * leave nothing behind. So the save runs in one transaction, statement
 * after statement, and any failure (or a stale version) rolls all of it
 * back. A new referral carries the page's idempotency key: when the commit's
 * answer is lost and the person presses Save again, the second attempt
 * finds the first one's row instead of making another referral.
 *
 * The reads here return rows (RdResult) with documented columns; they are
 * small lists the page shows as they are.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-repo-intake.h"
#include "rd-repo-common.h"
#include "rd-repo-referral.h"
#include "rd-store-error.h"

static char *
id_or_null (gint64 id)
{
  return id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, id) : NULL;
}

static char *
id_text (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

static const char *
empty_to_null (const char *s)
{
  return s != NULL && *s != '\0' ? s : NULL;
}

/* ------------------------------------------------------------------------ */
/* Save                                                                      */
/* ------------------------------------------------------------------------ */

typedef enum {
  STEP_BEGIN,
  STEP_PATIENT,
  STEP_COVERAGE,
  STEP_REFERRAL,
  STEP_REFERRAL_RETRY,
  STEP_DOCUMENTS,
  STEP_COMMIT,
  /* After a stale version: what the other rows look like now. */
  STEP_THEIRS_PATIENT,
  STEP_THEIRS_COVERAGE,
  STEP_THEIRS_REFERRAL,
  STEP_THEIRS_DONE,
} Step;

typedef struct {
  RdTransaction    *tx;
  RdPatient        *patient;
  gboolean          patient_changed;
  RdCoverage       *coverage;
  RdReferral       *referral;
  GArray           *document_ids;
  Step              step;
  gint64            patient_id;
  gint64            coverage_id;
  gint64            referral_id;
  RdIntakeConflict  conflict;
  Step              failed_step;
  RdPatient        *their_patient;
  RdCoverage       *their_coverage;
  RdReferral       *their_referral;
  gboolean          referral_stale;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->tx);
  g_clear_object (&data->patient);
  g_clear_object (&data->coverage);
  g_clear_object (&data->referral);
  g_clear_pointer (&data->document_ids, g_array_unref);
  g_clear_object (&data->their_patient);
  g_clear_object (&data->their_coverage);
  g_clear_object (&data->their_referral);
  g_free (data);
}

static void save_next (GTask *task);
static void on_save_step (GObject *source, GAsyncResult *result, gpointer user_data);

static void
save_query (GTask              *task,
            const char         *sql,
            const char * const *params,
            int                 n_params)
{
  SaveData *data = g_task_get_task_data (task);

  rd_transaction_query_async (data->tx, sql, params, n_params, RD_CONNECTION_TIMEOUT_DEFAULT,
                              g_task_get_cancellable (task), on_save_step, task);
}

static const char *
conflict_message (RdIntakeConflict which)
{
  switch (which)
    {
    case RD_INTAKE_CONFLICT_REFERRAL:
      return _("Someone else saved this referral after you opened it. Compare the changes, then save again.");
    case RD_INTAKE_CONFLICT_PATIENT:
      return _("Someone else changed this patient after you opened the referral. Compare the changes, then save again.");
    case RD_INTAKE_CONFLICT_COVERAGE:
      return _("Someone else changed this insurance after you opened the referral. Compare the changes, then save again.");
    case RD_INTAKE_CONFLICT_NONE:
    default:
      g_assert_not_reached ();
    }
}

static void theirs_next (GTask *task);

/* A stale version: the rest of the save is not tried. The rows someone
 * else changed are read as they are now, in the same transaction (so
 * that every stale row is named at once, not one per attempt), then the
 * transaction is rolled back and the save fails with CONFLICT. */
static void
save_conflict (GTask            *task,
               RdIntakeConflict  which)
{
  SaveData *data = g_task_get_task_data (task);

  data->conflict = which;
  data->failed_step = data->step;
  g_debug ("intake: stale %s in the save of referral %" G_GINT64_FORMAT,
           which == RD_INTAKE_CONFLICT_PATIENT ? "patient" : which == RD_INTAKE_CONFLICT_COVERAGE ? "coverage" : "referral",
           rd_referral_get_id (data->referral));
  theirs_next (task);
}

static void
on_their_referral (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->their_referral = rd_repo_referral_get_finish (RD_CONNECTION (source), result, &error);
  if (data->their_referral == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT, "%s", conflict_message (data->conflict));
  g_object_unref (task);
}

static void
on_conflict_rolled_back (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GTask *task = user_data;
  SaveData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!rd_transaction_rollback_finish (RD_TRANSACTION (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (data->referral_stale)
    {
      /* Read the way the page reads a referral, names and all. */
      rd_repo_referral_get_async (g_task_get_source_object (task), rd_referral_get_id (data->referral),
                                  g_task_get_cancellable (task), on_their_referral, task);
      return;
    }
  g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT, "%s", conflict_message (data->conflict));
  g_object_unref (task);
}

/* Rows written before the failed step matched their version: they are not
 * stale. The failed row is; rows after it are compared by version. */
static void
theirs_next (GTask *task)
{
  SaveData *data = g_task_get_task_data (task);
  Step next = data->step < STEP_THEIRS_PATIENT ? STEP_THEIRS_PATIENT : data->step + 1;

  for (;; next++)
    {
      if (next == STEP_THEIRS_PATIENT && data->failed_step == STEP_PATIENT)
        {
          g_autofree char *id = id_text (rd_patient_get_id (data->patient));
          const char *params[] = { id };

          data->step = next;
          save_query (task,
                      "SELECT p.*, su.display_name AS updated_by_name FROM rd.patient p"
                      " LEFT JOIN rd.staff su ON su.login_name = p.updated_by WHERE p.id = $1::bigint",
                      params, 1);
          return;
        }
      if (next == STEP_THEIRS_COVERAGE && data->coverage != NULL && rd_coverage_get_id (data->coverage) > 0 &&
          data->failed_step <= STEP_COVERAGE)
        {
          g_autofree char *id = id_text (rd_coverage_get_id (data->coverage));
          const char *params[] = { id };

          data->step = next;
          save_query (task,
                      "SELECT c.*, pp.name AS plan_name, py.name AS payer_name FROM rd.coverage c"
                      " LEFT JOIN rd.payer_plan pp ON pp.id = c.payer_plan_id"
                      " LEFT JOIN rd.payer py ON py.id = pp.payer_id WHERE c.id = $1::bigint",
                      params, 1);
          return;
        }
      if (next == STEP_THEIRS_REFERRAL && rd_referral_get_id (data->referral) > 0)
        {
          g_autofree char *id = id_text (rd_referral_get_id (data->referral));
          const char *params[] = { id };

          if (data->failed_step == STEP_REFERRAL)
            {
              data->referral_stale = TRUE;
              continue;
            }
          data->step = next;
          save_query (task, "SELECT version FROM rd.referral WHERE id = $1::bigint", params, 1);
          return;
        }
      if (next >= STEP_THEIRS_DONE)
        break;
    }

  data->step = STEP_THEIRS_DONE;
  rd_transaction_rollback_async (data->tx, g_task_get_cancellable (task), on_conflict_rolled_back, task);
}

/* One row read by theirs_next(). */
static void
theirs_read (GTask    *task,
             RdResult *res)
{
  SaveData *data = g_task_get_task_data (task);

  if (rd_result_get_n_rows (res) == 0)
    {
      /* Gone, or no longer visible: nothing to compare it with. */
      theirs_next (task);
      return;
    }
  switch (data->step)
    {
    case STEP_THEIRS_PATIENT:
      data->their_patient = rd_patient_new ();
      rd_repo_fill_record (G_OBJECT (data->their_patient), res, 0);
      break;
    case STEP_THEIRS_COVERAGE:
      {
        g_autoptr(RdCoverage) c = rd_coverage_new ();

        rd_repo_fill_record (G_OBJECT (c), res, 0);
        if (data->failed_step == STEP_COVERAGE || rd_coverage_get_version (c) != rd_coverage_get_version (data->coverage))
          data->their_coverage = g_steal_pointer (&c);
      }
      break;
    case STEP_THEIRS_REFERRAL:
      if (rd_result_get_int64 (res, 0, 0) != rd_referral_get_version (data->referral))
        data->referral_stale = TRUE;
      break;
    default:
      g_assert_not_reached ();
    }
  theirs_next (task);
}

static void
save_patient (GTask *task)
{
  SaveData *data = g_task_get_task_data (task);
  RdPatient *p = data->patient;
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;
  const char *sex = empty_to_null (rd_patient_get_sex (p)) ? rd_patient_get_sex (p) : "unknown";

  data->step = STEP_PATIENT;
  if (rd_patient_get_id (p) > 0 && (rd_patient_get_version (p) == 0 || !data->patient_changed))
    {
      /* Linked to a stored patient and not edited: nothing to write. */
      data->patient_id = rd_patient_get_id (p);
      save_next (task);
      return;
    }

  if (rd_patient_get_id (p) == 0)
    {
      const char *params[] = {
        empty_to_null (rd_patient_get_mrn (p)),
        rd_patient_get_family_name (p),
        rd_patient_get_given_name (p) ? rd_patient_get_given_name (p) : "",
        empty_to_null (rd_patient_get_dob (p)),
        sex,
        empty_to_null (rd_patient_get_phone_home (p)),
        empty_to_null (rd_patient_get_phone_mobile (p)),
        empty_to_null (rd_patient_get_address_line1 (p)),
        empty_to_null (rd_patient_get_city (p)),
        empty_to_null (rd_patient_get_state (p)),
        empty_to_null (rd_patient_get_zip (p)),
        empty_to_null (rd_patient_get_language (p)),
      };

      save_query (task,
                  "INSERT INTO rd.patient (mrn, family_name, given_name, dob, sex, phone_home,"
                  " phone_mobile, address_line1, city, state, zip, language)"
                  " VALUES ($1, $2, $3, $4::date, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                  params, G_N_ELEMENTS (params));
      return;
    }

  id = id_text (rd_patient_get_id (p));
  version = id_text (rd_patient_get_version (p));
  {
    const char *params[] = {
      id, version,
      empty_to_null (rd_patient_get_mrn (p)),
      rd_patient_get_family_name (p),
      rd_patient_get_given_name (p) ? rd_patient_get_given_name (p) : "",
      empty_to_null (rd_patient_get_dob (p)),
      sex,
      empty_to_null (rd_patient_get_phone_home (p)),
      empty_to_null (rd_patient_get_phone_mobile (p)),
      empty_to_null (rd_patient_get_address_line1 (p)),
      empty_to_null (rd_patient_get_city (p)),
      empty_to_null (rd_patient_get_state (p)),
      empty_to_null (rd_patient_get_zip (p)),
      empty_to_null (rd_patient_get_language (p)),
    };

    save_query (task,
                "UPDATE rd.patient SET mrn = $3, family_name = $4, given_name = $5, dob = $6::date,"
                " sex = $7, phone_home = $8, phone_mobile = $9, address_line1 = $10, city = $11,"
                " state = $12, zip = $13, language = $14"
                " WHERE id = $1::bigint AND version = $2::bigint RETURNING id",
                params, G_N_ELEMENTS (params));
  }
}

static void
save_coverage (GTask *task)
{
  SaveData *data = g_task_get_task_data (task);
  RdCoverage *c = data->coverage;
  g_autofree char *patient = id_text (data->patient_id);
  g_autofree char *plan = NULL;
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;
  const char *relationship;

  data->step = STEP_COVERAGE;
  if (c == NULL)
    {
      save_next (task);
      return;
    }

  plan = id_or_null (rd_coverage_get_payer_plan_id (c));
  relationship = empty_to_null (rd_coverage_get_relationship (c)) ? rd_coverage_get_relationship (c) : "self";
  if (rd_coverage_get_id (c) == 0)
    {
      const char *params[] = {
        patient, plan,
        empty_to_null (rd_coverage_get_member_id (c)),
        empty_to_null (rd_coverage_get_group_number (c)),
        empty_to_null (rd_coverage_get_subscriber_name (c)),
        relationship,
        empty_to_null (rd_coverage_get_source (c)) ? rd_coverage_get_source (c) : "manual",
      };

      save_query (task,
                  "INSERT INTO rd.coverage (patient_id, payer_plan_id, member_id, group_number,"
                  " subscriber_name, relationship, source)"
                  " VALUES ($1::bigint, $2::bigint, $3, $4, $5, $6, $7) RETURNING id",
                  params, G_N_ELEMENTS (params));
      return;
    }

  id = id_text (rd_coverage_get_id (c));
  version = id_text (rd_coverage_get_version (c));
  {
    const char *params[] = {
      id, version, patient, plan,
      empty_to_null (rd_coverage_get_member_id (c)),
      empty_to_null (rd_coverage_get_group_number (c)),
      empty_to_null (rd_coverage_get_subscriber_name (c)),
      relationship,
    };

    save_query (task,
                "UPDATE rd.coverage SET patient_id = $3::bigint, payer_plan_id = $4::bigint,"
                " member_id = $5, group_number = $6, subscriber_name = $7, relationship = $8"
                " WHERE id = $1::bigint AND version = $2::bigint RETURNING id",
                params, G_N_ELEMENTS (params));
  }
}

static void
save_referral (GTask *task)
{
  SaveData *data = g_task_get_task_data (task);
  RdReferral *r = data->referral;
  g_autofree char *patient = id_or_null (data->patient_id);
  g_autofree char *coverage = id_or_null (data->coverage_id);
  g_autofree char *referring = id_or_null (rd_referral_get_referring_provider_id (r));
  g_autofree char *receiving = id_or_null (rd_referral_get_receiving_provider_id (r));
  g_autofree char *diagnoses = rd_pg_format_array (rd_referral_get_diagnoses (r));
  g_autofree char *procedures = rd_pg_format_array (rd_referral_get_procedures (r));
  g_autofree char *due = rd_pg_format_timestamp (rd_referral_get_due_at (r));
  g_autofree char *received = rd_pg_format_timestamp (rd_referral_get_received_at (r));
  g_autofree char *queue = id_or_null (rd_referral_get_queue_id (r));
  const char *direction = rd_direction_to_string (rd_referral_get_direction (r));
  const char *priority = rd_priority_to_string (rd_referral_get_priority (r));
  const char *channel = empty_to_null (rd_referral_get_channel (r)) ? rd_referral_get_channel (r) : "manual";

  data->step = STEP_REFERRAL;
  if (rd_referral_get_id (r) == 0)
    {
      const char *params[] = {
        rd_referral_get_idempotency_key (r), direction, channel, received, patient, coverage,
        referring, receiving,
        empty_to_null (rd_referral_get_specialty (r)),
        empty_to_null (rd_referral_get_reason (r)),
        diagnoses ? diagnoses : "{}", procedures ? procedures : "{}",
        priority, queue, due,
        empty_to_null (rd_referral_get_notes (r)),
      };

      g_return_if_fail (rd_referral_get_idempotency_key (r) != NULL);
      save_query (task,
                  "INSERT INTO rd.referral (idempotency_key, direction, channel, received_at,"
                  " patient_id, coverage_id, referring_provider_id, receiving_provider_id,"
                  " specialty, reason, diagnoses, procedures, priority, queue_id, due_at, notes)"
                  " VALUES ($1, $2, $3, coalesce($4::timestamptz, now()), $5::bigint, $6::bigint,"
                  " $7::bigint, $8::bigint, $9, $10, $11::text[], $12::text[], $13, $14::bigint,"
                  " $15::timestamptz, $16)"
                  " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                  params, G_N_ELEMENTS (params));
      return;
    }

  {
    g_autofree char *id = id_text (rd_referral_get_id (r));
    g_autofree char *version = id_text (rd_referral_get_version (r));
    const char *params[] = {
      id, version, direction, channel, received, patient, coverage, referring, receiving,
      empty_to_null (rd_referral_get_specialty (r)),
      empty_to_null (rd_referral_get_reason (r)),
      diagnoses ? diagnoses : "{}", procedures ? procedures : "{}",
      priority, due,
      empty_to_null (rd_referral_get_notes (r)),
    };

    save_query (task,
                "UPDATE rd.referral SET direction = $3, channel = $4,"
                " received_at = coalesce($5::timestamptz, received_at), patient_id = $6::bigint,"
                " coverage_id = $7::bigint, referring_provider_id = $8::bigint,"
                " receiving_provider_id = $9::bigint, specialty = $10, reason = $11,"
                " diagnoses = $12::text[], procedures = $13::text[], priority = $14,"
                " due_at = $15::timestamptz, notes = $16"
                " WHERE id = $1::bigint AND version = $2::bigint RETURNING id",
                params, G_N_ELEMENTS (params));
  }
}

static void
save_documents (GTask *task)
{
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GString) ids = g_string_new ("{");
  g_autofree char *referral = id_text (data->referral_id);

  data->step = STEP_DOCUMENTS;
  if (data->document_ids == NULL || data->document_ids->len == 0)
    {
      save_next (task);
      return;
    }

  for (guint i = 0; i < data->document_ids->len; i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            g_array_index (data->document_ids, gint64, i));
  g_string_append_c (ids, '}');
  {
    const char *params[] = { referral, ids->str };

    save_query (task,
                "UPDATE rd.document SET referral_id = $1::bigint, status = 'filed'"
                " WHERE id = ANY ($2::bigint[])"
                "   AND (status = 'unfiled' OR referral_id = $1::bigint) RETURNING id",
                params, G_N_ELEMENTS (params));
  }
}

static void
on_save_committed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SaveData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!rd_transaction_commit_finish (RD_TRANSACTION (source), result, &error))
    g_task_return_error (task, error);
  else
    {
      g_debug ("intake: saved referral %" G_GINT64_FORMAT, data->referral_id);
      g_task_return_boolean (task, TRUE);
    }
}

static void
on_retry_rolled_back (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SaveData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!rd_transaction_rollback_finish (RD_TRANSACTION (source), result, &error))
    g_task_return_error (task, error);
  else
    {
      g_debug ("intake: referral %" G_GINT64_FORMAT " was already saved", data->referral_id);
      g_task_return_boolean (task, TRUE);
    }
}

/* Starts the step after the current one. */
static void
save_next (GTask *task)
{
  SaveData *data = g_task_get_task_data (task);

  switch (data->step)
    {
    case STEP_BEGIN:
      save_patient (task);
      break;
    case STEP_PATIENT:
      save_coverage (task);
      break;
    case STEP_COVERAGE:
      save_referral (task);
      break;
    case STEP_REFERRAL:
    case STEP_REFERRAL_RETRY:
      save_documents (task);
      break;
    case STEP_DOCUMENTS:
      data->step = STEP_COMMIT;
      rd_transaction_commit_async (data->tx, g_task_get_cancellable (task), on_save_committed, task);
      break;
    case STEP_COMMIT:
    default:
      g_assert_not_reached ();
    }
}

static void
on_save_step (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;
  gboolean no_row;

  res = rd_transaction_query_finish (RD_TRANSACTION (source), result, &error);
  if (res == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  no_row = rd_result_get_n_rows (res) == 0;

  if (data->step >= STEP_THEIRS_PATIENT)
    {
      theirs_read (task, res);
      return;
    }

  switch (data->step)
    {
    case STEP_PATIENT:
      if (no_row)
        {
          save_conflict (task, RD_INTAKE_CONFLICT_PATIENT);
          return;
        }
      data->patient_id = rd_result_get_int64 (res, 0, 0);
      break;

    case STEP_COVERAGE:
      if (no_row)
        {
          save_conflict (task, RD_INTAKE_CONFLICT_COVERAGE);
          return;
        }
      data->coverage_id = rd_result_get_int64 (res, 0, 0);
      break;

    case STEP_REFERRAL:
      if (no_row && rd_referral_get_id (data->referral) == 0)
        {
          /* The key is taken: an earlier attempt was stored. */
          const char *params[] = { rd_referral_get_idempotency_key (data->referral) };

          data->step = STEP_REFERRAL_RETRY;
          save_query (task, "SELECT id, patient_id, coverage_id FROM rd.referral WHERE idempotency_key = $1",
                      params, 1);
          return;
        }
      if (no_row)
        {
          save_conflict (task, RD_INTAKE_CONFLICT_REFERRAL);
          return;
        }
      data->referral_id = rd_result_get_int64 (res, 0, 0);
      break;

    case STEP_REFERRAL_RETRY:
      if (no_row)
        {
          g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND,
                                   _("The referral was saved before, but it is in a queue you do not work on."));
          g_object_unref (task);
          return;
        }
      /* The first attempt was committed: what this attempt wrote (a patient
       * and coverage sent again as new) is rolled back, and the first
       * attempt's rows are the answer. */
      data->referral_id = rd_result_get_int64 (res, 0, 0);
      data->patient_id = rd_result_get_int64 (res, 0, 1);
      data->coverage_id = rd_result_get_int64 (res, 0, 2);
      data->step = STEP_COMMIT;
      rd_transaction_rollback_async (data->tx, g_task_get_cancellable (task), on_retry_rolled_back, task);
      return;

    case STEP_DOCUMENTS:
      /* A document split or filed elsewhere since the page opened it is
       * not taken from its new home; nothing of this save is kept. */
      if ((guint) rd_result_get_n_rows (res) < data->document_ids->len)
        {
          g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT,
                                   _("The document was split or filed by someone else while you worked on it, so nothing was saved. Go back to the inbox to find its pages."));
          g_object_unref (task);
          return;
        }
      break;

    case STEP_BEGIN:
    case STEP_COMMIT:
    default:
      g_assert_not_reached ();
    }

  save_next (task);
}

static void
on_save_begun (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  SaveData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->tx = rd_connection_begin_finish (RD_CONNECTION (source), result, &error);
  if (data->tx == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  data->step = STEP_BEGIN;
  save_next (task);
}

/**
 * rd_repo_intake_save_async:
 * @conn: a connection
 * @save: what to save; the objects are copied
 * @cancellable: (nullable): a cancellable
 * @callback: called when the transaction committed or rolled back
 * @user_data: data for @callback
 *
 * Saves the patient, their coverage and the referral in one transaction,
 * and files the given documents under the referral. A stale version of any
 * of them fails with %RD_STORE_ERROR_CONFLICT (see @out_conflict of
 * rd_repo_intake_save_finish()) and nothing is written; then
 * rd_repo_intake_save_get_theirs() gives every stale row as it is now.
 */
void
rd_repo_intake_save_async (RdConnection        *conn,
                           const RdIntakeSave  *save,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  SaveData *data;

  g_return_if_fail (RD_IS_CONNECTION (conn));
  g_return_if_fail (save != NULL);
  g_return_if_fail (RD_IS_PATIENT (save->patient));
  g_return_if_fail (RD_IS_REFERRAL (save->referral));

  task = g_task_new (conn, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_repo_intake_save_async);
  data = g_new0 (SaveData, 1);
  data->patient = rd_patient_copy (save->patient);
  data->patient_changed = save->patient_changed;
  data->coverage = save->coverage ? rd_coverage_copy (save->coverage) : NULL;
  data->referral = rd_referral_copy (save->referral);
  if (save->n_document_ids > 0)
    {
      data->document_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), save->n_document_ids);
      g_array_append_vals (data->document_ids, save->document_ids, save->n_document_ids);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);

  rd_connection_begin_async (conn, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_save_begun, task);
}

/**
 * rd_repo_intake_save_finish:
 * @conn: a connection
 * @result: the result
 * @out_patient_id: (out) (optional): the patient's id
 * @out_coverage_id: (out) (optional): the coverage's id, 0 without coverage
 * @out_conflict: (out) (optional): on %RD_STORE_ERROR_CONFLICT, which row
 * @error: return location for an #RdStoreError
 *
 * Returns: the referral's id, or 0 on error
 */
gint64
rd_repo_intake_save_finish (RdConnection      *conn,
                            GAsyncResult      *result,
                            gint64            *out_patient_id,
                            gint64            *out_coverage_id,
                            RdIntakeConflict  *out_conflict,
                            GError           **error)
{
  SaveData *data;

  g_return_val_if_fail (g_task_is_valid (result, conn), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_intake_save_async, 0);

  data = g_task_get_task_data (G_TASK (result));
  if (out_conflict)
    *out_conflict = data->conflict;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return 0;
  if (out_patient_id)
    *out_patient_id = data->patient_id;
  if (out_coverage_id)
    *out_coverage_id = data->coverage_id;
  return data->referral_id;
}

/**
 * rd_repo_intake_save_get_theirs:
 * @conn: a connection
 * @result: the result of a save that failed with %RD_STORE_ERROR_CONFLICT
 * @out_patient: (out) (optional) (transfer full) (nullable): the patient as
 *   someone else saved it, or %NULL when the patient was not stale
 * @out_coverage: (out) (optional) (transfer full) (nullable): the same for
 *   the coverage
 * @out_referral: (out) (optional) (transfer full) (nullable): the same for
 *   the referral (read as rd_repo_referral_get_async() reads it)
 *
 * Every row of the save whose version was stale, as it is now, to compare
 * field by field (rd_patient_diff(), rd_coverage_diff(), rd_referral_diff())
 * with the version the person started from. Save again with these
 * versions to write over them knowingly.
 *
 * Returns: whether any row was stale
 */
gboolean
rd_repo_intake_save_get_theirs (RdConnection  *conn,
                                GAsyncResult  *result,
                                RdPatient    **out_patient,
                                RdCoverage   **out_coverage,
                                RdReferral   **out_referral)
{
  SaveData *data;

  g_return_val_if_fail (g_task_is_valid (result, conn), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_intake_save_async, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (out_patient)
    *out_patient = data->their_patient ? g_object_ref (data->their_patient) : NULL;
  if (out_coverage)
    *out_coverage = data->their_coverage ? g_object_ref (data->their_coverage) : NULL;
  if (out_referral)
    *out_referral = data->their_referral ? g_object_ref (data->their_referral) : NULL;
  return data->their_patient != NULL || data->their_coverage != NULL || data->their_referral != NULL;
}

/* ------------------------------------------------------------------------ */
/* Reads and small writes                                                    */
/* ------------------------------------------------------------------------ */

static void
on_rows (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  RdResult *res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);

  if (res == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, res, (GDestroyNotify) rd_result_unref);
}

static void
run_rows (RdConnection        *conn,
          const char          *sql,
          const char * const  *params,
          int                  n_params,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (conn, cancellable, callback, user_data);

  g_task_set_source_tag (task, rd_repo_intake_rows_finish);
  rd_connection_query_async (conn, sql, params, n_params, RD_CONNECTION_TIMEOUT_DEFAULT,
                             cancellable, on_rows, task);
}

/**
 * rd_repo_intake_rows_finish:
 * @conn: a connection
 * @result: the result of one of the rd_repo_intake_*_async() reads
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the rows
 */
RdResult *
rd_repo_intake_rows_finish (RdConnection  *conn,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_repo_intake_rows_finish, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rd_repo_intake_list_events_async:
 * @conn: a connection
 * @referral_id: a referral
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows
 * @user_data: data for @callback
 *
 * The referral's history, oldest first. Columns: at, who, who_name, kind,
 * from_status, to_status, from_value, to_value, reason.
 */
void
rd_repo_intake_list_events_async (RdConnection        *conn,
                                  gint64               referral_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autofree char *id = id_text (referral_id);
  const char *params[] = { id };

  run_rows (conn,
            "SELECT e.at, e.who, coalesce(s.display_name, e.who) AS who_name, e.kind,"
            " e.from_status, e.to_status, e.from_value, e.to_value, e.reason"
            " FROM rd.referral_event e LEFT JOIN rd.staff s ON s.login_name = e.who"
            " WHERE e.referral_id = $1::bigint ORDER BY e.at, e.id",
            params, 1, cancellable, callback, user_data);
}

/**
 * rd_repo_intake_list_documents_async:
 * @conn: a connection
 * @referral_id: a referral
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows
 * @user_data: data for @callback
 *
 * The referral's documents, oldest first. Columns: id, kind, file_name,
 * pages, received_at, media_type.
 */
void
rd_repo_intake_list_documents_async (RdConnection        *conn,
                                     gint64               referral_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autofree char *id = id_text (referral_id);
  const char *params[] = { id };

  run_rows (conn,
            "SELECT id, kind, file_name, pages, received_at, media_type FROM rd.document"
            " WHERE referral_id = $1::bigint ORDER BY received_at, id",
            params, 1, cancellable, callback, user_data);
}

/**
 * rd_repo_intake_list_payer_plans_async:
 * @conn: a connection
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows
 * @user_data: data for @callback
 *
 * Active plans by payer. Columns: id, payer_name, plan_name, kind.
 */
void
rd_repo_intake_list_payer_plans_async (RdConnection        *conn,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  run_rows (conn,
            "SELECT pp.id, py.name AS payer_name, pp.name AS plan_name, pp.kind"
            " FROM rd.payer_plan pp JOIN rd.payer py ON py.id = pp.payer_id"
            " WHERE pp.active ORDER BY py.name, pp.name LIMIT 500",
            NULL, 0, cancellable, callback, user_data);
}

/**
 * rd_repo_intake_find_by_mrn_async:
 * @conn: a connection
 * @mrn: a medical record number
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows
 * @user_data: data for @callback
 *
 * Patients with exactly this MRN, through the audited search
 * rd.find_patient_by_mrn(). Columns: id, mrn, family_name, given_name, dob.
 */
void
rd_repo_intake_find_by_mrn_async (RdConnection        *conn,
                                  const char          *mrn,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  const char *params[] = { mrn };

  run_rows (conn, "SELECT id, mrn, family_name, given_name, dob::text AS dob"
                  " FROM rd.find_patient_by_mrn($1)",
            params, 1, cancellable, callback, user_data);
}

/**
 * rd_repo_intake_find_by_phone_async:
 * @conn: a connection
 * @phone: a phone number in E.164 (see rd_validate_phone())
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows
 * @user_data: data for @callback
 *
 * Patients the person may already see (row-level security applies) whose
 * home or mobile phone is @phone; at most ten. Columns: id, mrn,
 * family_name, given_name, dob.
 */
void
rd_repo_intake_find_by_phone_async (RdConnection        *conn,
                                    const char          *phone,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  const char *params[] = { phone };

  run_rows (conn,
            "SELECT id, mrn, family_name, given_name, dob::text AS dob FROM rd.patient"
            " WHERE phone_home = $1 OR phone_mobile = $1 ORDER BY id LIMIT 10",
            params, 1, cancellable, callback, user_data);
}

/**
 * rd_repo_intake_attach_document_async:
 * @conn: a connection
 * @document_id: an unfiled document
 * @referral_id: the referral it belongs to
 * @cancellable: (nullable): a cancellable
 * @callback: called with the document's id (column id), or no row when
 *   the document was filed meanwhile
 * @user_data: data for @callback
 *
 * Files an inbox document under an existing referral ("Attach to existing
 * referral…").
 */
void
rd_repo_intake_attach_document_async (RdConnection        *conn,
                                      gint64               document_id,
                                      gint64               referral_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *doc = id_text (document_id);
  g_autofree char *referral = id_text (referral_id);
  const char *params[] = { doc, referral };

  run_rows (conn,
            "UPDATE rd.document SET referral_id = $2::bigint, status = 'filed'"
            " WHERE id = $1::bigint AND status = 'unfiled' RETURNING id",
            params, 2, cancellable, callback, user_data);
}

/**
 * rd_repo_intake_get_coverage_async:
 * @conn: a connection
 * @referral_id: a referral
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows
 * @user_data: data for @callback
 *
 * The coverage the referral names (none or one row). Columns: the
 * coverage table's (id, version, patient_id, payer_plan_id, member_id,
 * group_number, subscriber_name, relationship, …).
 */
void
rd_repo_intake_get_coverage_async (RdConnection        *conn,
                                   gint64               referral_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree char *id = id_text (referral_id);
  const char *params[] = { id };

  run_rows (conn,
            "SELECT c.* FROM rd.coverage c JOIN rd.referral r ON r.coverage_id = c.id"
            " WHERE r.id = $1::bigint",
            params, 1, cancellable, callback, user_data);
}

/**
 * rd_repo_intake_default_queue_async:
 * @conn: a connection
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows
 * @user_data: data for @callback
 *
 * The queue a referral typed in without a document goes to: the person's
 * first intake queue, else their first queue. Columns: id, name.
 */
void
rd_repo_intake_default_queue_async (RdConnection        *conn,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  run_rows (conn,
            "SELECT q.id, q.name FROM rd.work_queue q"
            " WHERE q.active AND q.id = ANY (rd.my_queue_ids())"
            " ORDER BY (q.kind = 'intake') DESC, q.id LIMIT 1",
            NULL, 0, cancellable, callback, user_data);
}

/**
 * rd_repo_intake_list_work_async:
 * @conn: a connection
 * @referral_id: a referral
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows
 * @user_data: data for @callback
 *
 * Missing items and tasks of the referral, open ones first. Columns: kind
 * ("missing" or "task"), id, what, due_at, done (boolean), created_at.
 */
void
rd_repo_intake_list_work_async (RdConnection        *conn,
                                gint64               referral_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *id = id_text (referral_id);
  const char *params[] = { id };

  run_rows (conn,
            "SELECT 'missing' AS kind, id, what, NULL::timestamptz AS due_at,"
            " received_at IS NOT NULL AS done, created_at FROM rd.missing_item"
            " WHERE referral_id = $1::bigint"
            " UNION ALL "
            "SELECT 'task', id, what, due_at, done_at IS NOT NULL, created_at FROM rd.task"
            " WHERE referral_id = $1::bigint"
            " ORDER BY done, created_at, id",
            params, 1, cancellable, callback, user_data);
}

/**
 * rd_repo_intake_add_missing_async:
 * @conn: a connection
 * @referral_id: a referral
 * @what: what is missing ("insurance card")
 * @cancellable: (nullable): a cancellable
 * @callback: called with the new row's id (column id)
 * @user_data: data for @callback
 *
 * Records something the referral still needs.
 */
void
rd_repo_intake_add_missing_async (RdConnection        *conn,
                                  gint64               referral_id,
                                  const char          *what,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autofree char *id = id_text (referral_id);
  const char *params[] = { id, what };

  run_rows (conn,
            "INSERT INTO rd.missing_item (referral_id, what, requested_at)"
            " VALUES ($1::bigint, $2, now()) RETURNING id",
            params, 2, cancellable, callback, user_data);
}

/**
 * rd_repo_intake_add_task_async:
 * @conn: a connection
 * @referral_id: a referral
 * @what: the follow-up to do
 * @due_at: (nullable): when it is due
 * @cancellable: (nullable): a cancellable
 * @callback: called with the new row's id (column id)
 * @user_data: data for @callback
 *
 * Adds a follow-up task, assigned to whoever adds it.
 */
void
rd_repo_intake_add_task_async (RdConnection        *conn,
                               gint64               referral_id,
                               const char          *what,
                               GDateTime           *due_at,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autofree char *id = id_text (referral_id);
  g_autofree char *due = rd_pg_format_timestamp (due_at);
  const char *params[] = { id, what, due };

  run_rows (conn,
            "INSERT INTO rd.task (referral_id, what, due_at, assignee)"
            " VALUES ($1::bigint, $2, $3::timestamptz, session_user) RETURNING id",
            params, 3, cancellable, callback, user_data);
}

/**
 * rd_repo_intake_add_appointment_async:
 * @conn: a connection
 * @referral_id: a referral
 * @starts_at: when
 * @location: (nullable): where
 * @cancellable: (nullable): a cancellable
 * @callback: called with the new row's id (column id)
 * @user_data: data for @callback
 *
 * Books an appointment for the referral (before moving it to SCHEDULED).
 */
void
rd_repo_intake_add_appointment_async (RdConnection        *conn,
                                      gint64               referral_id,
                                      GDateTime           *starts_at,
                                      const char          *location,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *id = id_text (referral_id);
  g_autofree char *starts = rd_pg_format_timestamp (starts_at);
  const char *params[] = { id, starts, empty_to_null (location) };

  g_return_if_fail (starts_at != NULL);
  run_rows (conn,
            "INSERT INTO rd.appointment (referral_id, starts_at, location)"
            " VALUES ($1::bigint, $2::timestamptz, $3) RETURNING id",
            params, 3, cancellable, callback, user_data);
}
