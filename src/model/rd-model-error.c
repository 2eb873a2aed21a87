/* rd-model-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-model-error.h"

G_DEFINE_QUARK (rd-model-error-quark, rd_model_error)
