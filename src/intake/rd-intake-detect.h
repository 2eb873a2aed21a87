/* rd-intake-detect.h — recognise what a file is by its content, and parse it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rd-intake-result.h"

G_BEGIN_DECLS

RdIntakeResult *rd_intake_parse_bytes (GBytes      *bytes,
                                       const char  *file_name,
                                       GError     **error);

G_END_DECLS
