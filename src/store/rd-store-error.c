/* rd-store-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-store-error.h"

G_DEFINE_QUARK (rd-store-error-quark, rd_store_error)
