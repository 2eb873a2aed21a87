/* test-record.c — the model's records: properties, notify, copy, diff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-model.h"
#include "rd-test-util.h"

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_notify_only_on_change (void)
{
  g_autoptr(RdPatient) p = rd_patient_new ();
  guint n = 0;

  g_signal_connect (p, "notify::family-name", G_CALLBACK (count_notify), &n);
  rd_patient_set_family_name (p, "Okafor");
  rd_patient_set_family_name (p, "Okafor");
  g_assert_cmpuint (n, ==, 1);
  rd_patient_set_family_name (p, NULL);
  g_assert_cmpuint (n, ==, 2);
  g_assert_null (rd_patient_get_family_name (p));
}

static void
test_copy_and_diff (void)
{
  g_autoptr(RdReferral) a = rd_referral_new ();
  g_autoptr(RdReferral) b = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 27, 9, 0, 0);
  g_autoptr(GDateTime) later = g_date_time_add_hours (now, 1);
  const char *dx[] = { "E11.9", "I10", NULL };
  const char *dx2[] = { "E11.9", NULL };
  g_auto(GStrv) diff = NULL;

  rd_referral_set_id (a, 42);
  rd_referral_set_version (a, 3);
  rd_referral_set_reason (a, "Chest pain on exertion");
  rd_referral_set_diagnoses (a, dx);
  rd_referral_set_priority (a, RD_PRIORITY_URGENT);
  rd_referral_set_status (a, RD_STATUS_TRIAGE);
  rd_referral_set_due_at (a, now);

  b = rd_referral_copy (a);
  diff = rd_referral_diff (a, b);
  g_assert_cmpuint (g_strv_length (diff), ==, 0);
  g_clear_pointer (&diff, g_strfreev);

  g_assert_cmpint (rd_referral_get_id (b), ==, 42);
  g_assert_cmpstr (rd_referral_get_reason (b), ==, "Chest pain on exertion");
  g_assert_cmpstrv (rd_referral_get_diagnoses (b), dx);
  /* The copy owns its strings. */
  g_assert_true (rd_referral_get_reason (b) != rd_referral_get_reason (a));

  rd_referral_set_diagnoses (b, dx2);
  rd_referral_set_due_at (b, later);
  rd_referral_set_status (b, RD_STATUS_ACCEPTED);
  diff = rd_referral_diff (a, b);
  g_assert_cmpuint (g_strv_length (diff), ==, 3);
  g_assert_true (g_strv_contains ((const char * const *) diff, "diagnoses"));
  g_assert_true (g_strv_contains ((const char * const *) diff, "due-at"));
  g_assert_true (g_strv_contains ((const char * const *) diff, "status"));
}

static void
test_empty_strv_equals_null (void)
{
  g_autoptr(RdReferral) a = rd_referral_new ();
  g_autoptr(RdReferral) b = rd_referral_new ();
  const char *empty[] = { NULL };
  g_auto(GStrv) diff = NULL;

  rd_referral_set_procedures (a, empty);
  diff = rd_referral_diff (a, b);
  g_assert_cmpuint (g_strv_length (diff), ==, 0);
}

static void
test_properties_by_name (void)
{
  g_autoptr(RdDocument) d = rd_document_new ();
  g_autofree char *sha = NULL;
  int pages = 0;

  g_object_set (d, "sha256", "ab12", "pages", 7, NULL);
  g_object_get (d, "sha256", &sha, "pages", &pages, NULL);
  g_assert_cmpstr (sha, ==, "ab12");
  g_assert_cmpint (pages, ==, 7);
  g_assert_cmpint (rd_document_get_pages (d), ==, 7);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/model/record/notify-only-on-change", test_notify_only_on_change);
  g_test_add_func ("/model/record/copy-and-diff", test_copy_and_diff);
  g_test_add_func ("/model/record/empty-list-equals-none", test_empty_strv_equals_null);
  g_test_add_func ("/model/record/properties-by-name", test_properties_by_name);

  return g_test_run ();
}
