/* fuzz-hl7.c — libFuzzer target: HL7 v2 parse, every getter, referral
 * mapping, and the ACK and status response built from whatever was parsed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "rd-hl7.h"
#include "rd-intake.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A critical is an API misuse: make it a finding. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static void
walk (RdHl7Message *msg)
{
  guint n_segments = MIN (rd_hl7_message_get_n_segments (msg), 24);

  for (guint s = 0; s < n_segments; s++)
    {
      guint n_fields = MIN (rd_hl7_message_get_n_fields (msg, s), 20);

      for (guint f = 0; f <= n_fields; f++)
        {
          guint n_reps = MIN (rd_hl7_message_get_n_repetitions (msg, s, f), 3);

          for (guint r = 0; r < MAX (n_reps, 1); r++)
            for (guint c = 0; c < 3; c++)
              for (guint sub = 0; sub < 2; sub++)
                g_free (rd_hl7_message_get_value (msg, s, f, r, c, sub));
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(RdHl7Message) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) result = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_utc (2025, 1, 1, 0, 0, 0);
  g_autofree char *ack = NULL;
  g_autofree char *type = NULL;

  result = rd_hl7_import (bytes, &msg, &error);
  ack = rd_hl7_build_ack (msg, result != NULL ? RD_HL7_ACK_AA : RD_HL7_ACK_AR,
                          error, "FUZZ-1", now);

  if (msg != NULL)
    {
      g_autoptr(RdHl7Message) reparsed = NULL;
      g_autoptr(GError) ack_error = NULL;

      walk (msg);
      type = rd_hl7_message_dup_message_type (msg);
      /* Our own ACK must always parse again. */
      reparsed = rd_hl7_message_parse (ack, strlen (ack), &ack_error);
      if (reparsed == NULL)
        g_error ("the ACK does not parse: %s", ack_error->message);

      /* Nor may the answer to a status query, which echoes RF1-6 and PID. */
      {
        g_autofree char *response = rd_hl7_build_status_response (msg, "triage", "R00000001",
                                                                  "status", "FUZZ-2", now);
        g_autoptr(RdHl7Message) response_parsed = NULL;
        g_autoptr(GError) response_error = NULL;

        response_parsed = rd_hl7_message_parse (response, strlen (response), &response_error);
        if (response_parsed == NULL)
          g_error ("the status response does not parse: %s", response_error->message);
      }
    }

  return 0;
}
