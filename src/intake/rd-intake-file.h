/* rd-intake-file.h — file what a parser brought in: documents, referral, queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-connection.h"
#include "rd-intake-result.h"

G_BEGIN_DECLS

/**
 * RdIntakeOutcome:
 * @RD_INTAKE_OUTCOME_IMPORTED: something new was stored
 * @RD_INTAKE_OUTCOME_DUPLICATE: everything was stored before; nothing new
 * @RD_INTAKE_OUTCOME_REJECTED: nothing was stored; the summary says why
 *
 * What filing one message or file came to.
 */
typedef enum {
  RD_INTAKE_OUTCOME_IMPORTED,
  RD_INTAKE_OUTCOME_DUPLICATE,
  RD_INTAKE_OUTCOME_REJECTED,
} RdIntakeOutcome;

/**
 * RdIntakeSummary:
 * @outcome: imported, duplicate or rejected
 * @referral_id: the referral created (or found again), or 0
 * @queue_id: the queue the referral or the documents went to
 * @n_documents: documents newly stored
 * @n_duplicate_documents: documents recognised as stored before
 * @document_ids: (array length=n_document_ids): the documents' ids
 * @n_document_ids: their number
 * @reason: (nullable): why it was rejected, for people
 * @status: (nullable): the referral's status after a follow-up (REF^I13,
 *   I14) or as asked for (REF^I15), as the database stores it ("triage")
 * @number: (nullable): our number of that referral, when known
 * @message: (nullable): what was done, for people, when there is more to
 *   say than the outcome: the fields a change applied and the ones it kept
 *
 * The summary of one filing. A status query stores nothing: its outcome is
 * %RD_INTAKE_OUTCOME_DUPLICATE with @status set.
 */
typedef struct {
  RdIntakeOutcome  outcome;
  gint64           referral_id;
  gint64           queue_id;
  guint            n_documents;
  guint            n_duplicate_documents;
  gint64          *document_ids;
  guint            n_document_ids;
  char            *reason;
  char            *status;
  char            *number;
  char            *message;
} RdIntakeSummary;

void             rd_intake_summary_free    (RdIntakeSummary *summary);
const char      *rd_intake_outcome_to_string (RdIntakeOutcome outcome);

char            *rd_intake_file_source_key (GBytes          *message);

void             rd_intake_file_async      (RdConnection        *conn,
                                            RdIntakeResult      *result,
                                            const char          *source_key,
                                            const char          *queue_name,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
RdIntakeSummary *rd_intake_file_finish     (RdConnection        *conn,
                                            GAsyncResult        *result,
                                            GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdIntakeSummary, rd_intake_summary_free)

G_END_DECLS
