/* test-priority.c — priorities and due times, business days included
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-model.h"
#include "rd-test-util.h"

static GDateTime *
at (const char *iso)
{
  GDateTime *dt = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (dt);
  return dt;
}

static void
assert_due (const char *received,
            const char *target,
            const char *expected)
{
  g_autoptr(GDateTime) start = at (received);
  g_autoptr(GDateTime) want = at (expected);
  g_autoptr(GDateTime) due = NULL;
  g_autoptr(GError) error = NULL;
  RdTurnaround t;

  g_assert_true (rd_turnaround_parse (target, &t, &error));
  g_assert_no_error (error);
  due = rd_due_compute (start, &t);
  if (!g_date_time_equal (due, want))
    {
      g_autofree char *got = g_date_time_format_iso8601 (due);
      g_error ("%s + %s: expected %s, got %s", received, target, expected, got);
    }
}

static void
test_names (void)
{
  RdPriority p;

  for (guint i = 0; i < RD_N_PRIORITIES; i++)
    {
      g_assert_true (rd_priority_from_string (rd_priority_to_string (i), &p));
      g_assert_cmpint (p, ==, i);
    }

  g_assert_true (rd_priority_from_hl7 ("S", &p));
  g_assert_cmpint (p, ==, RD_PRIORITY_STAT);
  g_assert_true (rd_priority_from_hl7 ("a", &p));
  g_assert_cmpint (p, ==, RD_PRIORITY_ASAP);
  g_assert_true (rd_priority_from_hl7 ("R", &p));
  g_assert_cmpint (p, ==, RD_PRIORITY_ROUTINE);
  g_assert_false (rd_priority_from_hl7 ("X", &p));
  g_assert_false (rd_priority_from_hl7 (NULL, &p));
  g_assert_false (rd_priority_from_string ("", &p));

  /* Sorting by value descending puts STAT first. */
  g_assert_cmpint (RD_PRIORITY_STAT, >, RD_PRIORITY_ASAP);
  g_assert_cmpint (RD_PRIORITY_ASAP, >, RD_PRIORITY_URGENT);
  g_assert_cmpint (RD_PRIORITY_URGENT, >, RD_PRIORITY_ROUTINE);
  g_assert_cmpstr (rd_priority_get_label (RD_PRIORITY_STAT), ==, "STAT");
}

static void
test_clock_time (void)
{
  assert_due ("2026-11-27T10:00:00Z", "4h", "2026-11-27T14:00:00Z");
  /* Clock hours run through the night and the weekend. */
  assert_due ("2026-11-27T22:30:00Z", "4h", "2026-11-28T02:30:00Z");
  assert_due ("2026-11-27T10:00:00Z", "2d", "2026-11-29T10:00:00Z");
}

static void
test_business_days (void)
{
  /* 2026-11-27 is a Friday. */
  assert_due ("2026-11-27T10:00:00Z", "1bd", "2026-11-30T10:00:00Z");
  assert_due ("2026-11-27T10:00:00Z", "5bd", "2026-12-04T10:00:00Z");
  assert_due ("2026-11-24T09:15:00Z", "2bd", "2026-11-26T09:15:00Z");
  /* Arriving on Saturday: counting starts Monday morning. */
  assert_due ("2026-11-28T11:00:00Z", "1bd", "2026-12-01T08:00:00Z");
  assert_due ("2026-11-29T23:59:00Z", "2bd", "2026-12-02T08:00:00Z");
}

static void
test_business_hours (void)
{
  /* Friday 15:00 + 4 business hours: 2 on Friday, 2 on Monday. */
  assert_due ("2026-11-27T15:00:00Z", "4bh", "2026-11-30T10:00:00Z");
  /* Before opening counts from 08:00. */
  assert_due ("2026-11-26T06:00:00Z", "3bh", "2026-11-26T11:00:00Z");
  /* After closing counts from the next morning. */
  assert_due ("2026-11-26T18:00:00Z", "3bh", "2026-11-27T11:00:00Z");
  /* Exactly the rest of the day ends at closing. */
  assert_due ("2026-11-26T13:00:00Z", "4bh", "2026-11-26T17:00:00Z");
  /* 9 business hours is one full day; 18 spans a weekend. */
  assert_due ("2026-11-27T08:00:00Z", "9bh", "2026-11-27T17:00:00Z");
  assert_due ("2026-11-27T12:00:00Z", "18bh", "2026-12-01T12:00:00Z");
}

static void
test_zone_kept (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("-05:00");
  g_autoptr(GDateTime) start = g_date_time_new (tz, 2026, 11, 27, 16, 30, 0);
  g_autoptr(GDateTime) due = NULL;
  RdTurnaround t = { 1, RD_TURNAROUND_BUSINESS_HOURS };

  /* Business hours are those of the zone the time is given in. */
  due = rd_due_compute (start, &t);
  g_assert_cmpint (g_date_time_get_day_of_week (due), ==, 1);
  g_assert_cmpint (g_date_time_get_hour (due), ==, 8);
  g_assert_cmpint (g_date_time_get_minute (due), ==, 30);
}

static void
test_defaults (void)
{
  for (guint i = 0; i < RD_N_PRIORITIES; i++)
    {
      RdTurnaround t = rd_priority_default_turnaround (i);
      g_autofree char *s = rd_turnaround_to_string (&t);
      RdTurnaround back;

      g_assert_cmpuint (t.amount, >, 0);
      g_assert_true (rd_turnaround_parse (s, &back, NULL));
      g_assert_cmpuint (back.amount, ==, t.amount);
      g_assert_cmpint (back.unit, ==, t.unit);
    }

  /* STAT is always due sooner than routine work received at the same time. */
  {
    g_autoptr(GDateTime) now = at ("2026-11-27T10:00:00Z");
    RdTurnaround stat = rd_priority_default_turnaround (RD_PRIORITY_STAT);
    RdTurnaround routine = rd_priority_default_turnaround (RD_PRIORITY_ROUTINE);
    g_autoptr(GDateTime) a = rd_due_compute (now, &stat);
    g_autoptr(GDateTime) b = rd_due_compute (now, &routine);

    g_assert_cmpint (g_date_time_compare (a, b), <, 0);
  }
}

static void
test_parse_errors (void)
{
  const char *bad[] = { "", "h", "0h", "4", "4x", "-4h", "4 h", "99999h", "4hh", "bd5" };
  RdTurnaround t;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (rd_turnaround_parse (bad[i], &t, &error));
      g_assert_error (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/model/priority/names", test_names);
  g_test_add_func ("/model/priority/clock-time", test_clock_time);
  g_test_add_func ("/model/priority/business-days", test_business_days);
  g_test_add_func ("/model/priority/business-hours", test_business_hours);
  g_test_add_func ("/model/priority/zone-kept", test_zone_kept);
  g_test_add_func ("/model/priority/defaults", test_defaults);
  g_test_add_func ("/model/priority/parse-errors", test_parse_errors);

  return g_test_run ();
}
