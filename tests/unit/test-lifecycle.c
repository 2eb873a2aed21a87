/* test-lifecycle.c — the lifecycle table of DESIGN.md §5
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-model.h"
#include "rd-test-util.h"

/* DESIGN.md §5 written out independently of the table in rd-lifecycle.c. */
static const char *expected[RD_N_STATUSES] = {
  [RD_STATUS_NEW]          = "triage cancelled expired",
  [RD_STATUS_TRIAGE]       = "pending_info pending_auth accepted declined cancelled expired",
  [RD_STATUS_PENDING_INFO] = "triage pending_auth declined cancelled expired",
  [RD_STATUS_PENDING_AUTH] = "accepted pending_info declined cancelled expired",
  [RD_STATUS_ACCEPTED]     = "scheduled cancelled expired",
  [RD_STATUS_SCHEDULED]    = "scheduled seen no_show cancelled",
  [RD_STATUS_NO_SHOW]      = "scheduled cancelled",
  [RD_STATUS_SEEN]         = "completed",
  [RD_STATUS_COMPLETED]    = "",
  [RD_STATUS_DECLINED]     = "triage",
  [RD_STATUS_CANCELLED]    = "",
  [RD_STATUS_EXPIRED]      = "triage",
};

static void
test_every_pair (void)
{
  for (guint from = 0; from < RD_N_STATUSES; from++)
    {
      g_auto(GStrv) allowed = g_strsplit (expected[from], " ", -1);

      for (guint to = 0; to < RD_N_STATUSES; to++)
        {
          gboolean want = g_strv_contains ((const char * const *) allowed,
                                           rd_status_to_string (to));

          if (rd_lifecycle_can_transition (from, to) != want)
            g_error ("%s -> %s: table says %d, design says %d",
                     rd_status_to_string (from), rd_status_to_string (to),
                     rd_lifecycle_can_transition (from, to), want);
        }
    }
}

static void
test_names_round_trip (void)
{
  RdStatus s;

  for (guint i = 0; i < RD_N_STATUSES; i++)
    {
      g_assert_true (rd_status_from_string (rd_status_to_string (i), &s));
      g_assert_cmpint (s, ==, i);
      g_assert_nonnull (rd_status_get_label (i, RD_DIRECTION_INCOMING));
    }

  g_assert_false (rd_status_from_string ("NEW", &s));
  g_assert_false (rd_status_from_string ("", &s));
  g_assert_false (rd_status_from_string (NULL, &s));
  g_assert_false (rd_status_from_string ("new; DROP TABLE referral", &s));
  g_assert_null (rd_status_to_string (RD_N_STATUSES));
  g_assert_null (rd_status_to_string ((RdStatus) -1));
}

static void
test_final_and_open (void)
{
  g_assert_true (rd_status_is_final (RD_STATUS_COMPLETED));
  g_assert_true (rd_status_is_final (RD_STATUS_CANCELLED));
  g_assert_false (rd_status_is_final (RD_STATUS_DECLINED));
  g_assert_false (rd_status_is_final (RD_STATUS_EXPIRED));
  g_assert_true (rd_status_is_open (RD_STATUS_NEW));
  g_assert_true (rd_status_is_open (RD_STATUS_SEEN));
  g_assert_false (rd_status_is_open (RD_STATUS_COMPLETED));
  g_assert_false (rd_status_is_open (RD_STATUS_DECLINED));
}

static void
test_actions (void)
{
  const RdTransition *rows[RD_N_STATUSES];
  guint n;

  n = rd_lifecycle_list_transitions (RD_STATUS_TRIAGE, rows, G_N_ELEMENTS (rows));
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpstr (rd_transition_get_label (rows[2], RD_DIRECTION_INCOMING), ==, "Accept");
  g_assert_cmpstr (rd_transition_get_label (rows[3], RD_DIRECTION_INCOMING), ==, "Decline…");
  g_assert_true (rows[3]->needs & RD_NEEDS_REASON);

  n = rd_lifecycle_list_transitions (RD_STATUS_SCHEDULED, rows, G_N_ELEMENTS (rows));
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (rd_transition_get_label (rows[2], RD_DIRECTION_INCOMING), ==, "Mark no-show");
  g_assert_true (rows[0]->needs & RD_NEEDS_APPOINTMENT);

  /* Room for only one row: no overflow. */
  n = rd_lifecycle_list_transitions (RD_STATUS_TRIAGE, rows, 1);
  g_assert_cmpuint (n, ==, 1);

  n = rd_lifecycle_list_transitions (RD_STATUS_COMPLETED, rows, G_N_ELEMENTS (rows));
  g_assert_cmpuint (n, ==, 0);

  /* Outgoing referrals use the sender's words. */
  n = rd_lifecycle_list_transitions (RD_STATUS_NEW, rows, G_N_ELEMENTS (rows));
  g_assert_cmpstr (rd_transition_get_label (rows[0], RD_DIRECTION_OUTGOING), ==, "Send");
}

static void
test_check_needs (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rd_lifecycle_check (RD_STATUS_NEW, RD_STATUS_TRIAGE, NULL, FALSE, &error));
  g_assert_no_error (error);

  g_assert_false (rd_lifecycle_check (RD_STATUS_TRIAGE, RD_STATUS_DECLINED, "   ", FALSE, &error));
  g_assert_error (error, RD_MODEL_ERROR, RD_MODEL_ERROR_REASON_REQUIRED);
  g_clear_error (&error);

  g_assert_true (rd_lifecycle_check (RD_STATUS_TRIAGE, RD_STATUS_DECLINED,
                                     "Out of network", FALSE, &error));

  g_assert_false (rd_lifecycle_check (RD_STATUS_ACCEPTED, RD_STATUS_SCHEDULED, NULL, FALSE, &error));
  g_assert_error (error, RD_MODEL_ERROR, RD_MODEL_ERROR_APPOINTMENT_REQUIRED);
  g_clear_error (&error);

  g_assert_false (rd_lifecycle_check (RD_STATUS_COMPLETED, RD_STATUS_TRIAGE, "x", TRUE, &error));
  g_assert_error (error, RD_MODEL_ERROR, RD_MODEL_ERROR_TRANSITION);
  g_assert_nonnull (strstr (error->message, "Completed"));
  g_clear_error (&error);

  g_assert_false (rd_lifecycle_check (RD_N_STATUSES, RD_STATUS_NEW, NULL, FALSE, &error));
  g_assert_error (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/model/lifecycle/every-pair", test_every_pair);
  g_test_add_func ("/model/lifecycle/names", test_names_round_trip);
  g_test_add_func ("/model/lifecycle/final-and-open", test_final_and_open);
  g_test_add_func ("/model/lifecycle/actions", test_actions);
  g_test_add_func ("/model/lifecycle/check-needs", test_check_needs);

  return g_test_run ();
}
