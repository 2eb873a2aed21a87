/* rd-intake.h — importers for every channel referrals arrive by
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
