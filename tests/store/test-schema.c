/* test-schema.c — migrations, the lifecycle rule in SQL, indexes, bad input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "rd-lifecycle.h"
#include "rd-store-error.h"
#include "schema-fixture.h"

static void
test_migrate_from_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *name = rd_test_pg_create_database ();
  RdSchemaState state;
  gint64 version = -1;
  guint applied = 0;

  if (name == NULL)
    return;

  conn = rd_test_pg_connect (name, NULL);
  g_assert_true (rd_migrations_get_db_version (conn, &version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, 0);
  g_assert_true (rd_migrations_check_version (version, &state, &error));
  g_assert_cmpint (state, ==, RD_SCHEMA_EMPTY);

  g_assert_true (rd_init_db (conn, &applied, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rd_migrations_latest (), >=, 3);
  g_assert_cmpuint (applied, ==, (guint) rd_migrations_latest ());

  g_assert_true (rd_migrations_get_db_version (conn, &version, &error));
  g_assert_cmpint (version, ==, rd_migrations_latest ());
  g_assert_true (rd_migrations_check_version (version, &state, &error));
  g_assert_cmpint (state, ==, RD_SCHEMA_CURRENT);

  /* Every entity of DESIGN.md §4 is there. */
  res = fx_exec (conn,
                 "SELECT count(*) FROM unnest($1::text[]) AS t "
                 "WHERE to_regclass(t) IS NULL",
                 "{rd.staff,rd.team,rd.team_member,rd.work_queue,rd.patient,rd.coverage,"
                 "rd.payer,rd.payer_plan,rd.organization,rd.provider,rd.community_resource,"
                 "rd.referral,rd.referral_event,rd.authorization,rd.appointment,rd.task,"
                 "rd.missing_item,rd.barrier,rd.communication,rd.complaint,rd.document,"
                 "rd.document_blob,audit.log,rd.schema_version}",
                 NULL);
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "0");

  /* Each migration recorded once, with its checksum. */
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.schema_version WHERE length(checksum) = 64",
                           NULL), ==, rd_migrations_latest ());
}

static void
test_rerun_harmless (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FxDb) db = fx_db_new ();
  g_autoptr(FxDb) second = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *referral = NULL;
  guint applied = 99;

  if (db == NULL)
    return;

  queue = fx_team (db, "Cardiology");
  referral = fx_referral (db->admin, queue, "new", "Keep");

  g_assert_true (rd_init_db (db->admin, &applied, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (applied, ==, 0);
  g_assert_true (rd_migrations_apply (db->admin, &applied, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (applied, ==, 0);

  /* Data survives; versions recorded once. */
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral WHERE id = $1::bigint",
                           referral, NULL), ==, 1);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.schema_version", NULL),
                   ==, rd_migrations_latest ());

  /* Roles are cluster-wide: a second database in the same cluster still works. */
  second = fx_db_new ();
  g_assert_nonnull (second);
  g_assert_cmpint (fx_int (second->admin, "SELECT max(version) FROM rd.schema_version", NULL),
                   ==, rd_migrations_latest ());
}

static void
test_refuse_newer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *newer = NULL;
  g_autofree char *latest = NULL;
  RdSchemaState state;

  if (db == NULL)
    return;

  newer = g_strdup_printf ("%d", rd_migrations_latest () + 1);
  latest = g_strdup_printf ("%d", rd_migrations_latest ());
  PQclear (fx_exec (db->admin,
                    "INSERT INTO rd.schema_version (version, name, checksum) "
                    "VALUES ($1::integer, 'from the future', 'x')", newer, NULL));

  g_assert_false (rd_migrations_apply (db->admin, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA_TOO_NEW);
  g_assert_nonnull (strstr (error->message, newer));
  g_assert_nonnull (strstr (error->message, latest));
  g_clear_error (&error);

  g_assert_false (rd_init_db (db->admin, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA_TOO_NEW);
  g_clear_error (&error);

  g_assert_false (rd_migrations_check_version (rd_migrations_latest () + 1, &state, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA_TOO_NEW);
  g_clear_error (&error);

  g_assert_true (rd_migrations_check_version (rd_migrations_latest () - 1, &state, &error));
  g_assert_cmpint (state, ==, RD_SCHEMA_OLDER);
}

/* For every pair of the 12 states: the C table, the SQL function and what the
 * trigger (or rd.set_referral_status() for a repeat) accepts all agree. */
static void
test_lifecycle_agreement (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  guint allowed = 0;

  if (db == NULL)
    return;

  queue = fx_team (db, "Lifecycle");

  for (guint f = 0; f < RD_N_STATUSES; f++)
    for (guint t = 0; t < RD_N_STATUSES; t++)
      {
        const char *from = rd_status_to_string (f);
        const char *to = rd_status_to_string (t);
        gboolean c_ok = rd_lifecycle_can_transition (f, t);
        g_autofree char *id = fx_referral (db->admin, queue, from, "Lifecycle");
        g_autofree char *state = NULL;
        g_autoptr(PGresult) fn = NULL;
        g_autoptr(PGresult) res = NULL;
        gint64 events_before;
        gint64 events_after;

        fn = fx_exec (db->admin, "SELECT rd.lifecycle_can_transition($1, $2)", from, to, NULL);
        g_assert_cmpstr (PQgetvalue (fn, 0, 0), ==, c_ok ? "t" : "f");

        events_before = fx_int (db->admin,
                                "SELECT count(*) FROM rd.referral_event "
                                "WHERE referral_id = $1::bigint AND kind = 'status'", id, NULL);
        if (f != t)
          {
            const char *params[2] = { id, to };

            state = fx_try (db->admin,
                            "UPDATE rd.referral SET status = $2, "
                            "close_reason = coalesce(close_reason, 'test reason') "
                            "WHERE id = $1::bigint",
                            2, params, &res);
          }
        else
          {
            const char *params[2] = { id, to };

            state = fx_try (db->admin,
                            "SELECT * FROM rd.set_referral_status($1::bigint, 1, $2, 'test reason')",
                            2, params, &res);
            if (*state == '\0')
              g_assert_cmpint (PQntuples (res), ==, 1);
          }

        if (c_ok)
          {
            if (*state != '\0')
              g_error ("%s → %s: C allows it, the database said %s: %s", from, to, state,
                       PQresultErrorMessage (res));
            allowed++;
          }
        else if (g_strcmp0 (state, "RD001") != 0)
          g_error ("%s → %s: C refuses it, the database said “%s”", from, to, state);

        events_after = fx_int (db->admin,
                               "SELECT count(*) FROM rd.referral_event "
                               "WHERE referral_id = $1::bigint AND kind = 'status'", id, NULL);
        g_assert_cmpint (events_after - events_before, ==, c_ok ? 1 : 0);
      }

  g_assert_cmpuint (allowed, ==, 31);
}

static void
test_close_reason_and_events (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autoptr(PGresult) res = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *id = NULL;
  g_autofree char *state = NULL;
  g_autofree char *login = NULL;
  g_autoptr(PGconn) conn = NULL;

  if (db == NULL)
    return;

  queue = fx_team (db, "Closing");
  login = fx_staff (db, "closer", RD_STAFF_ROLE_SPECIALIST, "Closing");
  id = fx_referral (db->admin, queue, "triage", "Closing");
  conn = fx_connect (db, login);

  {
    const char *params[1] = { id };

    state = fx_try (conn, "SELECT * FROM rd.set_referral_status($1::bigint, 1, 'declined', '  ')",
                    1, params, NULL);
    g_assert_cmpstr (state, ==, "23514");
  }

  PQclear (fx_exec (conn, "SELECT * FROM rd.set_referral_status($1::bigint, 1, 'declined', $2)",
                    id, "Not our specialty", NULL));
  res = fx_exec (db->admin,
                 "SELECT e.who, e.from_status, e.to_status, e.reason, r.closed_at IS NOT NULL, r.version "
                 "FROM rd.referral_event e JOIN rd.referral r ON r.id = e.referral_id "
                 "WHERE e.referral_id = $1::bigint AND e.kind = 'status' "
                 "ORDER BY e.id DESC LIMIT 1", id, NULL);
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, login);
  g_assert_cmpstr (PQgetvalue (res, 0, 1), ==, "triage");
  g_assert_cmpstr (PQgetvalue (res, 0, 2), ==, "declined");
  g_assert_cmpstr (PQgetvalue (res, 0, 3), ==, "Not our specialty");
  g_assert_cmpstr (PQgetvalue (res, 0, 4), ==, "t");
  g_assert_cmpstr (PQgetvalue (res, 0, 5), ==, "2");
  g_clear_pointer (&res, PQclear);

  /* Reopening clears closed_at and the close reason; the reason goes to the event. */
  PQclear (fx_exec (conn, "SELECT * FROM rd.set_referral_status($1::bigint, 2, 'triage', $2)",
                    id, "Receiver asked again", NULL));
  res = fx_exec (db->admin,
                 "SELECT closed_at IS NULL, close_reason IS NULL, "
                 "       (SELECT reason FROM rd.referral_event WHERE referral_id = r.id "
                 "        ORDER BY id DESC LIMIT 1) "
                 "FROM rd.referral r WHERE id = $1::bigint", id, NULL);
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "t");
  g_assert_cmpstr (PQgetvalue (res, 0, 1), ==, "t");
  g_assert_cmpstr (PQgetvalue (res, 0, 2), ==, "Receiver asked again");

  /* A stale version changes nothing and returns no row. */
  g_clear_pointer (&res, PQclear);
  res = fx_exec (conn, "SELECT * FROM rd.set_referral_status($1::bigint, 1, 'accepted')", id, NULL);
  g_assert_cmpint (PQntuples (res), ==, 0);
  g_assert_cmpint (fx_int (db->admin, "SELECT version FROM rd.referral WHERE id = $1::bigint",
                           id, NULL), ==, 3);
}

static void
test_version_and_notify (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autoptr(PGconn) listener = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *login = NULL;
  g_autofree char *id = NULL;
  g_autofree char *expected = NULL;
  PGnotify *note;
  gint64 deadline;
  gboolean seen = FALSE;

  if (db == NULL)
    return;

  queue = fx_team (db, "Live");
  login = fx_staff (db, "live", RD_STAFF_ROLE_SPECIALIST, "Live");
  id = fx_referral (db->admin, queue, "new", "Secretname");
  conn = fx_connect (db, login);

  listener = fx_connect (db, login);
  PQclear (fx_exec (listener, "LISTEN rd_changes", NULL));

  /* An edit bumps the version and stamps who did it… */
  PQclear (fx_exec (conn, "UPDATE rd.referral SET reason = 'knee pain' "
                    "WHERE id = $1::bigint AND version = 1", id, NULL));
  g_assert_cmpint (fx_int (db->admin, "SELECT version FROM rd.referral WHERE id = $1::bigint",
                           id, NULL), ==, 2);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral WHERE id = $1::bigint "
                           "AND updated_by = $2", id, login, NULL), ==, 1);

  /* …a claim does not (the editor's copy stays current). */
  PQclear (fx_exec (conn, "SELECT * FROM rd.claim_referral($1::bigint)", id, NULL));
  g_assert_cmpint (fx_int (db->admin, "SELECT version FROM rd.referral WHERE id = $1::bigint",
                           id, NULL), ==, 2);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral WHERE id = $1::bigint "
                           "AND claimed_by = $2", id, login, NULL), ==, 1);

  /* The listener hears table, id, version and operation; never PHI. */
  expected = g_strdup_printf ("{\"table\" : \"referral\", \"id\" : %s, \"version\" : 2, \"op\" : \"UPDATE\"}", id);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!seen && g_get_monotonic_time () < deadline)
    {
      PQconsumeInput (listener);
      while ((note = PQnotifies (listener)) != NULL)
        {
          g_assert_cmpstr (note->relname, ==, "rd_changes");
          g_assert_null (strstr (note->extra, "Secretname"));
          g_assert_null (strstr (note->extra, "knee"));
          if (g_str_equal (note->extra, expected))
            seen = TRUE;
          PQfreemem (note);
        }
      g_usleep (10000);
    }
  g_assert_true (seen);
}

/* EXPLAIN with sequential scans and sorts priced out: the index must give
 * the order by itself. */
static void
assert_plan_uses (PGconn     *conn,
                  const char *query,
                  const char *index)
{
  g_autoptr(PGresult) res = NULL;
  g_autoptr(GString) plan = g_string_new (NULL);
  g_autofree char *sql = g_strconcat ("EXPLAIN ", query, NULL);

  res = fx_exec (conn, sql, NULL);
  for (int i = 0; i < PQntuples (res); i++)
    g_string_append_printf (plan, "%s\n", PQgetvalue (res, i, 0));

  if (strstr (plan->str, index) == NULL || strstr (plan->str, "Sort") != NULL)
    g_error ("expected a plan on %s without a sort:\n%s", index, plan->str);
}

static void
test_indexes (void)
{
  g_autoptr(FxDb) db = fx_db_new ();

  if (db == NULL)
    return;

  PQclear (fx_exec (db->admin, "SET enable_seqscan = off", NULL));
  PQclear (fx_exec (db->admin, "SET enable_sort = off", NULL));
  PQclear (fx_exec (db->admin, "SET enable_bitmapscan = off", NULL));

  assert_plan_uses (db->admin,
                    "SELECT id FROM rd.referral WHERE queue_id = 1 "
                    "AND status IN ('new','triage','pending_info','pending_auth','accepted',"
                    "'scheduled','no_show','seen') "
                    "ORDER BY priority_rank DESC, due_at, id LIMIT 50",
                    "referral_worklist_idx");
  assert_plan_uses (db->admin,
                    "SELECT id FROM rd.referral WHERE queue_id = 1 AND status = 'new' "
                    "AND claimed_by IS NULL ORDER BY priority_rank DESC, due_at, id LIMIT 1",
                    "referral_next_idx");
  assert_plan_uses (db->admin,
                    "SELECT id FROM rd.patient WHERE lower(family_name) LIKE 'sm%'",
                    "patient_family_prefix_idx");
  assert_plan_uses (db->admin, "SELECT id FROM rd.patient WHERE mrn = 'A1'", "patient_mrn");
  assert_plan_uses (db->admin, "SELECT id FROM rd.patient WHERE dob = DATE '1970-01-01'",
                    "patient_dob_idx");
  assert_plan_uses (db->admin, "SELECT id FROM rd.patient WHERE phone_mobile = '+15550001111'",
                    "patient_phone_mobile_idx");
  assert_plan_uses (db->admin, "SELECT id FROM rd.referral WHERE number = 'R1'",
                    "referral_number_key");
  assert_plan_uses (db->admin, "SELECT id FROM rd.document WHERE sha256 = 'ab'",
                    "document_sha256_key");

  PQclear (fx_exec (db->admin, "SET enable_bitmapscan = on", NULL));
  assert_plan_uses (db->admin, "SELECT id FROM rd.patient WHERE family_name ILIKE '%mit%'",
                    "patient_family_trgm_idx");
  assert_plan_uses (db->admin, "SELECT id FROM rd.patient WHERE full_name ILIKE '%ohn smi%'",
                    "patient_full_trgm_idx");
}

/* SQL metacharacters are stored verbatim; over-long values are refused with
 * a check violation, never cut. */
static void
test_bad_input (void)
{
  static const char * const nasty[] = {
    "Robert'); DROP TABLE rd.patient; --",
    "O'Brien \"the\" \\ back\\slash",
    "%_ LIKE wildcards % and _",
    "$1 $$ dollar $tag$ quoting $tag$",
    "Ünïcødé – 患者 🙂",
    "semi;colon\nnew line\ttab",
  };
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *login = NULL;
  g_autoptr(PGconn) conn = NULL;

  if (db == NULL)
    return;

  queue = fx_team (db, "Input");
  login = fx_staff (db, "input", RD_STAFF_ROLE_SPECIALIST, "Input");
  conn = fx_connect (db, login);

  for (guint i = 0; i < G_N_ELEMENTS (nasty); i++)
    {
      g_autoptr(PGresult) ins = NULL;
      g_autoptr(PGresult) back = NULL;

      ins = fx_exec (conn,
                     "WITH p AS (INSERT INTO rd.patient (family_name, given_name, city) "
                     "           VALUES ($1, $1, $1) RETURNING id) "
                     "INSERT INTO rd.referral (channel, queue_id, patient_id, reason, specialty, notes) "
                     "SELECT 'phone', $2::bigint, p.id, $1, $1, $1 FROM p RETURNING id, patient_id",
                     nasty[i], queue, NULL);
      back = fx_exec (conn,
                      "SELECT p.family_name, p.given_name, p.city, r.reason, r.specialty, r.notes "
                      "FROM rd.referral r JOIN rd.patient p ON p.id = r.patient_id "
                      "WHERE r.id = $1::bigint", PQgetvalue (ins, 0, 0), NULL);
      for (int c = 0; c < 6; c++)
        g_assert_cmpstr (PQgetvalue (back, 0, c), ==, nasty[i]);
    }
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.patient", NULL), ==,
                   G_N_ELEMENTS (nasty));

  /* Long: at the limit stored whole, beyond it refused (23514). */
  {
    g_autofree char *at_limit = g_strnfill (10000, 'x');
    g_autofree char *too_long = g_strnfill (100000, 'y');
    g_autofree char *huge_name = g_strnfill (5000, 'z');
    g_autofree char *state = NULL;
    g_autoptr(PGresult) res = NULL;
    const char *params[2] = { queue, too_long };
    const char *pparams[1] = { huge_name };

    res = fx_exec (conn, "INSERT INTO rd.referral (channel, queue_id, reason) "
                   "VALUES ('phone', $1::bigint, $2) RETURNING length(reason)",
                   queue, at_limit, NULL);
    g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "10000");

    state = fx_try (conn, "INSERT INTO rd.referral (channel, queue_id, reason) "
                    "VALUES ('phone', $1::bigint, $2)", 2, params, NULL);
    g_assert_cmpstr (state, ==, "23514");
    g_free (state);

    state = fx_try (conn, "INSERT INTO rd.patient (family_name) VALUES ($1)", 1, pparams, NULL);
    g_assert_cmpstr (state, ==, "23514");
  }

  /* Shapes: codes, NPI, phone, sha256. */
  {
    g_autofree char *state = NULL;
    const char *params[1] = { queue };

    state = fx_try (conn, "INSERT INTO rd.referral (channel, queue_id, diagnoses) "
                    "VALUES ('phone', $1::bigint, '{E11.9,\"DROP TABLE\"}')", 1, params, NULL);
    g_assert_cmpstr (state, ==, "23514");
    g_free (state);
    state = fx_try (conn, "INSERT INTO rd.referral (channel, queue_id, diagnoses, procedures) "
                    "VALUES ('phone', $1::bigint, '{E11.9,S72.001A}', '{99213,G0438,0001F}')",
                    1, params, NULL);
    g_assert_cmpstr (state, ==, "");
    g_free (state);
    state = fx_try (db->admin, "INSERT INTO rd.provider (name, npi) VALUES ('Dr', '1234567890')",
                    0, NULL, NULL);
    g_assert_cmpstr (state, ==, "23514");
    g_free (state);
    state = fx_try (db->admin, "INSERT INTO rd.provider (name, npi, fax) "
                    "VALUES ('Dr', '1234567893', '+15552013344')", 0, NULL, NULL);
    g_assert_cmpstr (state, ==, "");
    g_free (state);
    state = fx_try (conn, "INSERT INTO rd.patient (family_name, phone_home) VALUES ('X', '555-1234')",
                    0, NULL, NULL);
    g_assert_cmpstr (state, ==, "23514");
  }
}

/* Runs referral-desk-admin with @input on stdin; returns the exit status. */
static int
run_admin (const char  *input,
           char       **out_stdout,
           char       **out_stderr,
           ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const char *root = g_getenv ("RD_BUILD_ROOT");
  const char *arg;
  va_list ap;

  g_assert_nonnull (root);
  g_ptr_array_add (args, g_build_filename (root, "src", "admin",
                                           "referral-desk-admin", NULL));
  va_start (ap, out_stderr);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);

  proc = g_subprocess_newv ((const char * const *) args->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input ? input : "", NULL, out_stdout, out_stderr, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (proc);
}

static void
test_admin_commands (void)
{
  g_autofree char *name = rd_test_pg_create_database ();
  g_autofree char *db = NULL;
  g_autofree char *login = NULL;
  g_autofree char *newer = NULL;
  g_autoptr(PGconn) conn = NULL;
  char *out = NULL, *err = NULL;

  if (name == NULL)
    return;
  if (g_getenv ("RD_BUILD_ROOT") == NULL)
    {
      g_test_skip ("RD_BUILD_ROOT is not set (run through meson test)");
      return;
    }

  db = rd_test_pg_conninfo (name, NULL);
  login = fx_login ("admincli");

  g_assert_cmpint (run_admin (NULL, &out, &err, "init-db", "--db", db, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "schema version"));
  g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (NULL, &out, &err, "init-db", "--db", db, NULL), ==, 0);
  g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (NULL, &out, &err, "migrate", "--db", db, NULL), ==, 0);
  g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_admin (NULL, &out, &err, "add-team", "--db", db, "Card'io; --", NULL), ==, 0);
  g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (NULL, &out, &err, "add-queue", "--db", db, "Card'io; --", "In", NULL), ==, 0);
  g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (NULL, &out, &err, "add-queue", "--db", db, "Nope", "In", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Nope"));
  g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free);

  /* The password comes from stdin only, never the command line. */
  g_assert_cmpint (run_admin ("", &out, &err, "add-staff", "--db", db, login, "--name", "Ann Lee",
                              "--role", "lead", "--team", "Card'io; --", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "password"));
  g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin ("x\n", &out, &err, "add-staff", "--db", db, login, "--name", "Ann Lee",
                              "--role", "boss", NULL), ==, 1);
  g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin ("s3cr'et\"; DROP ROLE x; --\n", &out, &err, "add-staff", "--db", db,
                              login, "--name", "Ann Lee", "--role", "lead",
                              "--team", "Card'io; --", NULL), ==, 0);
  g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free);

  conn = rd_test_pg_connect (name, NULL);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM pg_authid WHERE rolname = $1 "
                           "AND rolpassword LIKE 'SCRAM-SHA-256$%' "
                           "AND pg_has_role(oid, 'rd_lead', 'MEMBER')", login, NULL), ==, 1);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.team_member m "
                           "JOIN rd.staff s ON s.id = m.staff_id JOIN rd.team t ON t.id = m.team_id "
                           "WHERE s.login_name = $1 AND t.name = 'Card''io; --' AND m.role = 'lead'",
                           login, NULL), ==, 1);

  /* A newer schema: refused, naming both versions. */
  newer = g_strdup_printf ("%d", rd_migrations_latest () + 1);
  PQclear (fx_exec (conn, "INSERT INTO rd.schema_version (version, name, checksum) "
                    "VALUES ($1::integer, 'future', 'x')", newer, NULL));
  g_assert_cmpint (run_admin (NULL, &out, &err, "migrate", "--db", db, NULL), ==, 1);
  g_assert_nonnull (strstr (err, newer));
  g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free);

  /* Unreachable server: a clear message, status 1. */
  g_assert_cmpint (run_admin (NULL, &out, &err, "init-db", "--db",
                              "host=/nonexistent port=1 connect_timeout=2", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "could not connect"));
  g_clear_pointer (&out, g_free); g_clear_pointer (&err, g_free);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/schema/migrate-from-empty", test_migrate_from_empty);
  g_test_add_func ("/store/schema/rerun-harmless", test_rerun_harmless);
  g_test_add_func ("/store/schema/refuse-newer", test_refuse_newer);
  g_test_add_func ("/store/schema/lifecycle-agreement", test_lifecycle_agreement);
  g_test_add_func ("/store/schema/close-reason-and-events", test_close_reason_and_events);
  g_test_add_func ("/store/schema/version-and-notify", test_version_and_notify);
  g_test_add_func ("/store/schema/indexes", test_indexes);
  g_test_add_func ("/store/schema/bad-input", test_bad_input);
  g_test_add_func ("/store/schema/admin-commands", test_admin_commands);

  return g_test_run ();
}
