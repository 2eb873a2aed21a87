/* bench-intake-save.c — the referral page's save, request to confirmation
 *
 * Saves N new referrals, each with a new patient and coverage, through
 * rd_repo_intake_save_async() (one transaction, as the page does) on a
 * loopback or socket connection, and prints the median and 95th percentile:
 *
 *   intake.save_p50_ms = …
 *   intake.save_p95_ms = …
 *
 * Run with `./dev bench intake` (or the binary with --saves N under ./dev env).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "../store/schema-fixture.h"
#include "rd-connection.h"
#include "rd-repo-intake.h"

typedef struct {
  gboolean done;
  gint64   id;
  GError  *error;
} Wait;

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *w = user_data;

  rd_connection_open_finish (RD_CONNECTION (source), result, &w->error);
  w->done = TRUE;
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *w = user_data;

  w->id = rd_repo_intake_save_finish (RD_CONNECTION (source), result, NULL, NULL, NULL, &w->error);
  w->done = TRUE;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(FxDb) db = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *login = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autofree double *ms = NULL;
  int saves = 200;
  Wait w = { 0 };

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--saves") && i + 1 < argc)
      {
        int n = atoi (argv[++i]);

        saves = MAX (10, n);
      }

  db = fx_db_new ();
  if (db == NULL)
    {
      printf ("intake.save: skipped, no PostgreSQL (run through ./dev bench intake)\n");
      return 0;
    }
  queue = fx_team (db, "Intake");
  login = fx_staff (db, "Bench Specialist", RD_STAFF_ROLE_SPECIALIST, "Intake");
  conninfo = rd_test_pg_conninfo (db->dbname, login);
  conn = rd_connection_new (conninfo);
  rd_connection_open_async (conn, NULL, on_opened, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  if (w.error != NULL)
    g_error ("cannot connect: %s", w.error->message);

  ms = g_new0 (double, saves);
  for (int i = 0; i < saves; i++)
    {
      g_autoptr(RdPatient) patient = rd_patient_new ();
      g_autoptr(RdCoverage) coverage = rd_coverage_new ();
      g_autoptr(RdReferral) referral = rd_referral_new ();
      g_autofree char *key = g_uuid_string_random ();
      g_autofree char *family = g_strdup_printf ("Benchmark%d", i);
      g_autofree char *member = g_strdup_printf ("BEN%09d", i);
      const char *dx[] = { "I10", "E11.9", NULL };
      RdIntakeSave save = { 0 };
      gint64 start;

      rd_patient_set_family_name (patient, family);
      rd_patient_set_given_name (patient, "Pat");
      rd_patient_set_dob (patient, "1970-01-01");
      rd_patient_set_phone_home (patient, "+15552013344");
      rd_coverage_set_member_id (coverage, member);
      rd_referral_set_queue_id (referral, g_ascii_strtoll (queue, NULL, 10));
      rd_referral_set_channel (referral, "fax");
      rd_referral_set_reason (referral, "Benchmark referral");
      rd_referral_set_diagnoses (referral, dx);
      rd_referral_set_idempotency_key (referral, key);
      save.patient = patient;
      save.coverage = coverage;
      save.referral = referral;

      memset (&w, 0, sizeof w);
      start = g_get_monotonic_time ();
      rd_repo_intake_save_async (conn, &save, NULL, on_saved, &w);
      while (!w.done)
        g_main_context_iteration (NULL, TRUE);
      ms[i] = (g_get_monotonic_time () - start) / 1000.0;
      if (w.error != NULL || w.id <= 0)
        g_error ("save %d failed: %s", i, w.error ? w.error->message : "no id");
    }

  qsort (ms, saves, sizeof (double), compare_double);
  printf ("# %d saves of a new referral with a new patient and coverage, one transaction each\n", saves);
  printf ("# command: ./dev bench intake (bench-intake-save --saves %d)\n", saves);
  printf ("intake.save_p50_ms = %.2f\n", ms[saves / 2]);
  printf ("intake.save_p95_ms = %.2f\n", ms[(int) (saves * 0.95)]);
  return 0;
}
