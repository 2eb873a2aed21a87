/* rd-intake.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-intake.h"

G_DEFINE_QUARK (rd-intake-error-quark, rd_intake_error)
