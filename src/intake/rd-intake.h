/* rd-intake.h — importers for every channel referrals arrive by
 *
 * The parsers are pure: bytes in, an #RdIntakeResult or an #RD_INTAKE_ERROR
 * out, with no database, file system or network access, so that they can be
 * tested and fuzzed alone:
 *
 * - rd_hl7_import() (rd-hl7.h): HL7 v2 REF^I12..I15, rd_hl7_build_ack()
 *   and rd_hl7_build_status_response() (RRI^I15);
 * - rd_fhir_import() (rd-fhir.h): FHIR R4 JSON, a Bundle or single resources;
 * - rd_mail_import() (rd-mail.h): an .eml with PDF/TIFF attachments.
 *
 * Every error message is translated and says what to do next. Filing a
 * result into the store is a separate step.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RD_INTAKE_ERROR (rd_intake_error_quark ())

/**
 * RdIntakeError:
 * @RD_INTAKE_ERROR_MALFORMED: the bytes are not a valid message of the kind
 * @RD_INTAKE_ERROR_UNSUPPORTED: a valid message of a kind that is not a referral
 * @RD_INTAKE_ERROR_MISSING: a required element is missing
 * @RD_INTAKE_ERROR_TOO_LARGE: over a size limit
 * @RD_INTAKE_ERROR_DUPLICATE: already imported
 */
typedef enum {
  RD_INTAKE_ERROR_MALFORMED,
  RD_INTAKE_ERROR_UNSUPPORTED,
  RD_INTAKE_ERROR_MISSING,
  RD_INTAKE_ERROR_TOO_LARGE,
  RD_INTAKE_ERROR_DUPLICATE,
} RdIntakeError;

GQuark rd_intake_error_quark (void);

G_END_DECLS
