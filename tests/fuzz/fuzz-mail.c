/* fuzz-mail.c — libFuzzer target: the e-mail importer (MIME, attachments,
 * file names)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "rd-mail.h"
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
  g_autoptr(RdIntakeResult) result = rd_mail_import (bytes, &error);

  if ((result == NULL) == (error == NULL))
    g_error ("a result and an error, or neither");

  if (result != NULL)
    {
      GPtrArray *documents = rd_intake_result_get_documents (result);

      for (guint i = 0; i < documents->len; i++)
        {
          const char *name = rd_intake_document_get_file_name (g_ptr_array_index (documents, i));

          /* The promise the rest of the application relies on. */
          if (name == NULL || *name == '\0' || strchr (name, '/') != NULL ||
              strchr (name, '\\') != NULL || name[0] == '.' || !g_utf8_validate (name, -1, NULL))
            g_error ("unsafe attachment name");
        }
    }

  return 0;
}
