/* rd-model-error.h — errors raised by the model's rules and validators
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RD_MODEL_ERROR (rd_model_error_quark ())

/**
 * RdModelError:
 * @RD_MODEL_ERROR_INVALID: a value has the wrong shape or is out of range
 * @RD_MODEL_ERROR_EMPTY: a required value is missing
 * @RD_MODEL_ERROR_CHECK_DIGIT: a number's check digit does not match
 * @RD_MODEL_ERROR_TRANSITION: the lifecycle does not allow the change
 * @RD_MODEL_ERROR_REASON_REQUIRED: the change needs a reason
 * @RD_MODEL_ERROR_APPOINTMENT_REQUIRED: the change needs an appointment
 *
 * Every message is translated and meant for the person at the keyboard.
 */
typedef enum {
  RD_MODEL_ERROR_INVALID,
  RD_MODEL_ERROR_EMPTY,
  RD_MODEL_ERROR_CHECK_DIGIT,
  RD_MODEL_ERROR_TRANSITION,
  RD_MODEL_ERROR_REASON_REQUIRED,
  RD_MODEL_ERROR_APPOINTMENT_REQUIRED,
} RdModelError;

GQuark rd_model_error_quark (void);

G_END_DECLS
