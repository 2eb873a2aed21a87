/* rd-intake-result.h — what one parsed message brought in, whatever the channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-model.h"

G_BEGIN_DECLS

/**
 * RdIntakeEvent:
 * @RD_INTAKE_EVENT_NEW: a new referral (HL7 REF^I12, a FHIR ServiceRequest)
 * @RD_INTAKE_EVENT_UPDATE: the sender changed a referral it sent before (REF^I13)
 * @RD_INTAKE_EVENT_CANCEL: the sender withdrew a referral (REF^I14)
 * @RD_INTAKE_EVENT_STATUS_QUERY: the sender asks how a referral stands (REF^I15)
 * @RD_INTAKE_EVENT_DOCUMENTS: documents (and maybe directory data) without a
 *   referral: an e-mail, a FHIR DocumentReference, a Patient alone
 *
 * What the sender wants done with the result.
 */
typedef enum {
  RD_INTAKE_EVENT_NEW,
  RD_INTAKE_EVENT_UPDATE,
  RD_INTAKE_EVENT_CANCEL,
  RD_INTAKE_EVENT_STATUS_QUERY,
  RD_INTAKE_EVENT_DOCUMENTS,
} RdIntakeEvent;

#define RD_TYPE_INTAKE_DOCUMENT (rd_intake_document_get_type ())
G_DECLARE_FINAL_TYPE (RdIntakeDocument, rd_intake_document, RD, INTAKE_DOCUMENT, GObject)

RdIntakeDocument *rd_intake_document_new            (GBytes           *bytes,
                                                     const char       *file_name,
                                                     const char       *media_type,
                                                     const char       *received_via);
GBytes           *rd_intake_document_get_bytes      (RdIntakeDocument *self);
const char       *rd_intake_document_get_file_name  (RdIntakeDocument *self);
const char       *rd_intake_document_get_media_type (RdIntakeDocument *self);
RdDocument       *rd_intake_document_get_metadata   (RdIntakeDocument *self);

#define RD_TYPE_INTAKE_RESULT (rd_intake_result_get_type ())
G_DECLARE_FINAL_TYPE (RdIntakeResult, rd_intake_result, RD, INTAKE_RESULT, GObject)

RdIntakeResult *rd_intake_result_new                 (const char     *channel);

const char     *rd_intake_result_get_channel         (RdIntakeResult *self);
RdIntakeEvent   rd_intake_result_get_event           (RdIntakeResult *self);
void            rd_intake_result_set_event           (RdIntakeResult *self,
                                                      RdIntakeEvent   event);
const char     *rd_intake_result_get_message_type    (RdIntakeResult *self);
void            rd_intake_result_set_message_type    (RdIntakeResult *self,
                                                      const char     *message_type);
const char     *rd_intake_result_get_message_id      (RdIntakeResult *self);
void            rd_intake_result_set_message_id      (RdIntakeResult *self,
                                                      const char     *message_id);
const char     *rd_intake_result_get_sender          (RdIntakeResult *self);
void            rd_intake_result_set_sender          (RdIntakeResult *self,
                                                      const char     *sender);
const char     *rd_intake_result_get_subject         (RdIntakeResult *self);
void            rd_intake_result_set_subject         (RdIntakeResult *self,
                                                      const char     *subject);
GDateTime      *rd_intake_result_get_sent_at         (RdIntakeResult *self);
void            rd_intake_result_set_sent_at         (RdIntakeResult *self,
                                                      GDateTime      *sent_at);
const char     *rd_intake_result_get_external_status (RdIntakeResult *self);
void            rd_intake_result_set_external_status (RdIntakeResult *self,
                                                      const char     *status);
const char     *rd_intake_result_get_sender_facility (RdIntakeResult *self);
void            rd_intake_result_set_sender_facility (RdIntakeResult *self,
                                                      const char     *facility);
const char     *rd_intake_result_get_external_id     (RdIntakeResult *self);
void            rd_intake_result_set_external_id     (RdIntakeResult *self,
                                                      const char     *external_id);
gboolean        rd_intake_result_get_priority_given  (RdIntakeResult *self);
void            rd_intake_result_set_priority_given  (RdIntakeResult *self,
                                                      gboolean        given);
GDateTime      *rd_intake_result_get_valid_from      (RdIntakeResult *self);
GDateTime      *rd_intake_result_get_valid_until     (RdIntakeResult *self);
void            rd_intake_result_set_validity        (RdIntakeResult *self,
                                                      GDateTime      *valid_from,
                                                      GDateTime      *valid_until);

RdReferral     *rd_intake_result_get_referral        (RdIntakeResult *self);
void            rd_intake_result_set_referral        (RdIntakeResult *self,
                                                      RdReferral     *referral);
RdPatient      *rd_intake_result_get_patient         (RdIntakeResult *self);
void            rd_intake_result_set_patient         (RdIntakeResult *self,
                                                      RdPatient      *patient);
RdProvider     *rd_intake_result_get_referring       (RdIntakeResult *self);
void            rd_intake_result_set_referring       (RdIntakeResult *self,
                                                      RdProvider     *provider);
RdProvider     *rd_intake_result_get_receiving       (RdIntakeResult *self);
void            rd_intake_result_set_receiving       (RdIntakeResult *self,
                                                      RdProvider     *provider);

GPtrArray      *rd_intake_result_get_coverages       (RdIntakeResult *self);
void            rd_intake_result_add_coverage        (RdIntakeResult *self,
                                                      RdCoverage     *coverage);
GPtrArray      *rd_intake_result_get_providers       (RdIntakeResult *self);
void            rd_intake_result_add_provider        (RdIntakeResult *self,
                                                      RdProvider     *provider);
GPtrArray      *rd_intake_result_get_documents       (RdIntakeResult *self);
void            rd_intake_result_add_document        (RdIntakeResult *self,
                                                      RdIntakeDocument *document);
const char * const *rd_intake_result_get_notes       (RdIntakeResult *self);
void            rd_intake_result_add_note            (RdIntakeResult *self,
                                                      const char     *note);
const char * const *rd_intake_result_get_warnings    (RdIntakeResult *self);
void            rd_intake_result_add_warning         (RdIntakeResult *self,
                                                      const char     *format,
                                                      ...) G_GNUC_PRINTF (2, 3);
const char * const *rd_intake_result_get_skipped     (RdIntakeResult *self);
void            rd_intake_result_add_skipped         (RdIntakeResult *self,
                                                      const char     *description);

gboolean        rd_intake_result_is_empty            (RdIntakeResult *self);
char           *rd_intake_result_dup_notes_text      (RdIntakeResult *self);

/* Limits shared by the parsers: no message, part or value is trusted to
 * be small. */
#define RD_INTAKE_MAX_TEXT_VALUE   (64 * 1024)
#define RD_INTAKE_MAX_NOTES        256
#define RD_INTAKE_MAX_WARNINGS     256
#define RD_INTAKE_MAX_DOCUMENTS    64
#define RD_INTAKE_MAX_DOCUMENT_SIZE (32 * 1024 * 1024)

char           *rd_intake_sanitize_file_name         (const char     *name,
                                                      const char     *media_type,
                                                      guint           index);
const char     *rd_intake_sniff_media_type           (GBytes         *bytes);

G_END_DECLS
