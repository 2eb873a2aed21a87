/* fuzz-fhir.c — libFuzzer target: the FHIR R4 importer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "rd-fhir.h"
#include "rd-intake.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) result = rd_fhir_import (bytes, &error);

  if ((result == NULL) == (error == NULL))
    g_error ("a result and an error, or neither");
  if (error != NULL && error->domain != RD_INTAKE_ERROR)
    g_error ("an error outside the intake domain");

  return 0;
}
