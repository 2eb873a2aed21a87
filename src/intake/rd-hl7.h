/* rd-hl7.h — HL7 v2 messages: parse, read, turn a referral into model
 * objects, acknowledge
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rd-intake-result.h"

G_BEGIN_DECLS

/* One message is at most 1 MiB and 5000 segments of at most 2000 fields. */
#define RD_HL7_MAX_MESSAGE_SIZE (1024 * 1024)
#define RD_HL7_MAX_SEGMENTS     5000
#define RD_HL7_MAX_FIELDS       2000

/**
 * RdHl7AckCode:
 * @RD_HL7_ACK_AA: application accept: the message was taken
 * @RD_HL7_ACK_AE: application error: the message was understood but could
 *   not be processed (a missing patient, a database problem); the sender
 *   may fix and resend
 * @RD_HL7_ACK_AR: application reject: the message cannot be taken at all
 *   (unsupported type, unreadable)
 */
typedef enum {
  RD_HL7_ACK_AA,
  RD_HL7_ACK_AE,
  RD_HL7_ACK_AR,
} RdHl7AckCode;

#define RD_TYPE_HL7_MESSAGE (rd_hl7_message_get_type ())
G_DECLARE_FINAL_TYPE (RdHl7Message, rd_hl7_message, RD, HL7_MESSAGE, GObject)

RdHl7Message   *rd_hl7_message_parse             (const char    *data,
                                                  gsize          length,
                                                  GError       **error);

guint           rd_hl7_message_get_n_segments    (RdHl7Message  *self);
const char     *rd_hl7_message_get_segment_name  (RdHl7Message  *self,
                                                  guint          segment);
int             rd_hl7_message_find_segment      (RdHl7Message  *self,
                                                  const char    *name,
                                                  guint          start);
guint           rd_hl7_message_get_n_fields      (RdHl7Message  *self,
                                                  guint          segment);
const char     *rd_hl7_message_get_raw_field     (RdHl7Message  *self,
                                                  guint          segment,
                                                  guint          field);
guint           rd_hl7_message_get_n_repetitions (RdHl7Message  *self,
                                                  guint          segment,
                                                  guint          field);
char           *rd_hl7_message_get_value         (RdHl7Message  *self,
                                                  guint          segment,
                                                  guint          field,
                                                  guint          repetition,
                                                  guint          component,
                                                  guint          subcomponent);
char           *rd_hl7_message_get               (RdHl7Message  *self,
                                                  const char    *segment_name,
                                                  guint          field,
                                                  guint          component);

char            rd_hl7_message_get_field_separator (RdHl7Message *self);
const char     *rd_hl7_message_get_encoding_characters (RdHl7Message *self);
char           *rd_hl7_message_dup_message_type  (RdHl7Message  *self);
char           *rd_hl7_message_dup_control_id    (RdHl7Message  *self);
char           *rd_hl7_message_escape            (RdHl7Message  *self,
                                                  const char    *text);

RdIntakeResult *rd_hl7_message_to_result         (RdHl7Message  *self,
                                                  GError       **error);
RdIntakeResult *rd_hl7_import                    (GBytes        *bytes,
                                                  RdHl7Message **out_message,
                                                  GError       **error);

char           *rd_hl7_build_ack                 (RdHl7Message  *request,
                                                  RdHl7AckCode   code,
                                                  const GError  *error,
                                                  const char    *ack_control_id,
                                                  GDateTime     *now);

const char     *rd_hl7_status_to_rf1             (const char    *status);
char           *rd_hl7_build_status_response     (RdHl7Message  *request,
                                                  const char    *status,
                                                  const char    *referral_number,
                                                  const char    *text,
                                                  const char    *control_id,
                                                  GDateTime     *now);

GDateTime      *rd_hl7_parse_timestamp           (const char    *text);

G_END_DECLS
