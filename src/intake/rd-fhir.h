/* rd-fhir.h — FHIR R4 JSON (a Bundle or single resources) into model objects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-intake-result.h"

G_BEGIN_DECLS

/* A file is at most 24 MiB (embedded PDFs are base64), nests at most 64
 * levels deep and a Bundle holds at most 10000 entries. */
#define RD_FHIR_MAX_SIZE     (24 * 1024 * 1024)
#define RD_FHIR_MAX_DEPTH    64
#define RD_FHIR_MAX_ENTRIES  10000

RdIntakeResult *rd_fhir_import        (GBytes     *bytes,
                                       GError    **error);
GDateTime      *rd_fhir_parse_date    (const char *text);

G_END_DECLS
