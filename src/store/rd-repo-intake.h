/* rd-repo-intake.h — what the referral page reads and saves beyond one referral
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-model.h"
#include "rd-connection.h"

G_BEGIN_DECLS

/**
 * RdIntakeSave:
 * @patient: the patient: id 0 is created; an id with a version is updated
 *   when @patient_changed; an id without a version (found by the duplicate
 *   search, not readable yet) is only linked
 * @patient_changed: whether the person edited a stored patient
 * @coverage: (nullable): the coverage: id 0 is created, else updated at its version
 * @referral: the referral: id 0 is created with its idempotency key (set
 *   one with g_uuid_string_random() and keep it for retries), else updated
 *   at its version
 * @document_ids: (nullable): documents to file under the referral
 * @n_document_ids: their number
 *
 * One save of the referral page, done in one transaction.
 */
typedef struct {
  RdPatient    *patient;
  gboolean      patient_changed;
  RdCoverage   *coverage;
  RdReferral   *referral;
  const gint64 *document_ids;
  guint         n_document_ids;
} RdIntakeSave;

/**
 * RdIntakeConflict:
 * @RD_INTAKE_CONFLICT_NONE: no conflict
 * @RD_INTAKE_CONFLICT_REFERRAL: the referral's version was stale
 * @RD_INTAKE_CONFLICT_PATIENT: the patient's version was stale
 * @RD_INTAKE_CONFLICT_COVERAGE: the coverage's version was stale
 *
 * Which row someone else changed first (with %RD_STORE_ERROR_CONFLICT);
 * rd_repo_intake_save_get_theirs() names all of them.
 */
typedef enum {
  RD_INTAKE_CONFLICT_NONE,
  RD_INTAKE_CONFLICT_REFERRAL,
  RD_INTAKE_CONFLICT_PATIENT,
  RD_INTAKE_CONFLICT_COVERAGE,
} RdIntakeConflict;

void      rd_repo_intake_save_async             (RdConnection        *conn,
                                                 const RdIntakeSave  *save,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gint64    rd_repo_intake_save_finish            (RdConnection        *conn,
                                                 GAsyncResult        *result,
                                                 gint64              *out_patient_id,
                                                 gint64              *out_coverage_id,
                                                 RdIntakeConflict    *out_conflict,
                                                 GError             **error);
gboolean  rd_repo_intake_save_get_theirs        (RdConnection        *conn,
                                                 GAsyncResult        *result,
                                                 RdPatient          **out_patient,
                                                 RdCoverage         **out_coverage,
                                                 RdReferral         **out_referral);

/* Reads returning rows; finish each with rd_repo_intake_rows_finish(). The
 * columns are named in each function's documentation. */
void      rd_repo_intake_list_events_async      (RdConnection        *conn,
                                                 gint64               referral_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void      rd_repo_intake_list_documents_async   (RdConnection        *conn,
                                                 gint64               referral_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void      rd_repo_intake_list_payer_plans_async (RdConnection        *conn,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void      rd_repo_intake_find_by_mrn_async      (RdConnection        *conn,
                                                 const char          *mrn,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void      rd_repo_intake_find_by_phone_async    (RdConnection        *conn,
                                                 const char          *phone,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void      rd_repo_intake_attach_document_async  (RdConnection        *conn,
                                                 gint64               document_id,
                                                 gint64               referral_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void      rd_repo_intake_get_coverage_async     (RdConnection        *conn,
                                                 gint64               referral_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void      rd_repo_intake_default_queue_async    (RdConnection        *conn,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void      rd_repo_intake_list_work_async        (RdConnection        *conn,
                                                 gint64               referral_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void      rd_repo_intake_add_missing_async      (RdConnection        *conn,
                                                 gint64               referral_id,
                                                 const char          *what,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void      rd_repo_intake_add_task_async         (RdConnection        *conn,
                                                 gint64               referral_id,
                                                 const char          *what,
                                                 GDateTime           *due_at,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void      rd_repo_intake_add_appointment_async  (RdConnection        *conn,
                                                 gint64               referral_id,
                                                 GDateTime           *starts_at,
                                                 const char          *location,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
RdResult *rd_repo_intake_rows_finish            (RdConnection        *conn,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
