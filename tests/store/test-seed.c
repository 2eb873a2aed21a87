/* test-seed.c — referral-desk-admin seed-demo on a real PostgreSQL
 *
 * Runs the real command (a subprocess, so the sanitizer build checks it for
 * leaks too) on fresh databases made with rd_init_db(), then checks what a
 * demo user relies on: every state and priority is there with a history the
 * lifecycle allows, NPIs are valid, faxes are PDFs Poppler opens, the same
 * seed gives the same data and another seed other data, a second run is
 * refused without touching anything, and a specialist sees only the rows of
 * their own teams.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <libpq-fe.h>

#include "rd-init-db.h"
#include "rd-lifecycle.h"
#include "rd-pdf.h"
#include "rd-priority.h"
#include "rd-test-util.h"
#include "rd-validate.h"

#define N_REFERRALS "300"
#define ANCHOR "2026-03-02"

/* The same query for every database: rows that do not depend on the clock. */
#define CHECKSUM_SQL \
  "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (" \
  "  SELECT r::text AS x FROM rd.referral r" \
  "  UNION ALL SELECT p::text FROM rd.patient p" \
  "  UNION ALL SELECT (c.id, c.patient_id, c.payer_plan_id, c.member_id, c.eligibility_status)::text" \
  "    FROM rd.coverage c" \
  "  UNION ALL SELECT (e.id, e.referral_id, e.kind, e.at, e.who, e.from_status, e.to_status," \
  "                    e.to_value, e.reason)::text FROM rd.referral_event e" \
  "  UNION ALL SELECT (a.referral_id, a.status, a.number, a.valid_from)::text FROM rd.authorization a" \
  "  UNION ALL SELECT (pr.npi, pr.name)::text FROM rd.provider pr" \
  "  UNION ALL SELECT d.sha256 FROM rd.document d) AS s"

static char *db_a;   /* seed 11, kept for the later cases */

static char *
admin_path (void)
{
  const char *build = g_getenv ("RD_BUILD_ROOT");

  g_assert_nonnull (build);
  return g_build_filename (build, "src", "admin", "referral-desk-admin", NULL);
}

/* Runs seed-demo on @dbname; returns its exit status, stdout and stderr. */
static int
run_seed (const char  *dbname,
          const char  *seed,
          const char  *stdin_text,
          char       **out_stdout,
          char       **out_stderr)
{
  g_autofree char *exe = admin_path ();
  g_autofree char *conninfo = rd_test_pg_conninfo (dbname, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, exe);
  g_ptr_array_add (argv, (char *) "seed-demo");
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, conninfo);
  g_ptr_array_add (argv, (char *) "--referrals");
  g_ptr_array_add (argv, (char *) N_REFERRALS);
  g_ptr_array_add (argv, (char *) "--seed");
  g_ptr_array_add (argv, (char *) seed);
  g_ptr_array_add (argv, (char *) "--anchor");
  g_ptr_array_add (argv, (char *) ANCHOR);
  /* A few fax PDFs are enough here; the sanitizer build draws slowly. */
  g_ptr_array_add (argv, (char *) "--faxes");
  g_ptr_array_add (argv, (char *) "12");
  if (stdin_text != NULL)
    g_ptr_array_add (argv, (char *) "--password-stdin");
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE |
                            (stdin_text != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0),
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

static char *
new_seeded_database (const char *seed,
                     const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  char *name = rd_test_pg_create_database ();
  PGconn *conn;
  int status;

  if (name == NULL)
    return NULL;
  conn = rd_test_pg_connect (name, NULL);
  rd_init_db (conn, NULL, &error);
  g_assert_no_error (error);
  PQfinish (conn);

  status = run_seed (name, seed, password, &out, &err);
  if (status != 0)
    g_printerr ("seed-demo failed:\n%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Done: " N_REFERRALS " referrals"));
  return name;
}

static const char *
database_a (void)
{
  if (db_a == NULL)
    db_a = new_seeded_database ("11", NULL);
  return db_a;
}

static char *
query_value (PGconn     *conn,
             const char *sql)
{
  g_autoptr(PGresult) res = rd_test_pg_exec (conn, sql);

  g_assert_cmpint (PQntuples (res), ==, 1);
  return g_strdup (PQgetvalue (res, 0, 0));
}

static gint64
query_int (PGconn     *conn,
           const char *sql)
{
  g_autofree char *v = query_value (conn, sql);

  return g_ascii_strtoll (v, NULL, 10);
}

static void
test_seed_states (void)
{
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) res = NULL;
  gboolean seen_status[RD_N_STATUSES] = { FALSE };
  gboolean seen_priority[RD_N_PRIORITIES] = { FALSE };
  const char *name = database_a ();

  if (name == NULL)
    return;
  conn = rd_test_pg_connect (name, NULL);

  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.referral"), ==, 300);
  res = rd_test_pg_exec (conn, "SELECT DISTINCT status, priority FROM rd.referral");
  for (int i = 0; i < PQntuples (res); i++)
    {
      RdStatus status;
      RdPriority priority;

      g_assert_true (rd_status_from_string (PQgetvalue (res, i, 0), &status));
      g_assert_true (rd_priority_from_string (PQgetvalue (res, i, 1), &priority));
      seen_status[status] = TRUE;
      seen_priority[priority] = TRUE;
    }
  for (guint i = 0; i < RD_N_STATUSES; i++)
    g_assert_true (seen_status[i]);
  for (guint i = 0; i < RD_N_PRIORITIES; i++)
    g_assert_true (seen_priority[i]);

  /* Related rows exist where the lifecycle says they should. */
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.referral r WHERE status IN ('scheduled', 'seen', "
                                    "'completed', 'no_show') AND NOT EXISTS (SELECT 1 FROM rd.appointment a "
                                    "WHERE a.referral_id = r.id)"), ==, 0);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.referral r WHERE status = 'pending_auth' "
                                    "AND NOT EXISTS (SELECT 1 FROM rd.authorization a WHERE a.referral_id = r.id)"),
                   ==, 0);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.referral r WHERE status = 'pending_info' "
                                    "AND NOT EXISTS (SELECT 1 FROM rd.missing_item m WHERE m.referral_id = r.id "
                                    "AND m.received_at IS NULL)"), ==, 0);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.task"), >, 0);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.payer_plan WHERE kind = 'medicare'"), >, 0);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.payer_plan WHERE kind = 'medicaid'"), >, 0);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.payer_plan WHERE kind = 'commercial' "
                                    "AND (auth_required_specialties <> '{}' OR auth_required_procedures <> '{}')"),
                   >, 0);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.patient WHERE language = 'es'"), >, 0);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.community_resource"), >, 0);

  /* Every reference points at a row (the load ran with foreign-key triggers off). */
  g_assert_cmpint (query_int (conn,
    "SELECT (SELECT count(*) FROM rd.referral r WHERE NOT EXISTS (SELECT 1 FROM rd.patient p WHERE p.id = r.patient_id)"
    "   OR (r.coverage_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM rd.coverage c WHERE c.id = r.coverage_id"
    "                                                  AND c.patient_id = r.patient_id))"
    "   OR NOT EXISTS (SELECT 1 FROM rd.provider v WHERE v.id = r.referring_provider_id)"
    "   OR NOT EXISTS (SELECT 1 FROM rd.provider v WHERE v.id = r.receiving_provider_id)"
    "   OR NOT EXISTS (SELECT 1 FROM rd.work_queue q WHERE q.id = r.queue_id)"
    "   OR (r.assignee IS NOT NULL AND NOT rd.staff_serves_queue(r.assignee, r.queue_id)))"
    " + (SELECT count(*) FROM rd.referral_event e WHERE NOT EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = e.referral_id))"
    " + (SELECT count(*) FROM rd.coverage c WHERE NOT EXISTS (SELECT 1 FROM rd.payer_plan p WHERE p.id = c.payer_plan_id))"
    " + (SELECT count(*) FROM rd.document d WHERE d.referral_id IS NOT NULL"
    "    AND NOT EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = d.referral_id))"
    " + (SELECT count(*) FROM rd.document d WHERE NOT EXISTS (SELECT 1 FROM rd.document_blob b WHERE b.document_id = d.id))"
    " + (SELECT count(*) FROM rd.provider v WHERE NOT EXISTS (SELECT 1 FROM rd.organization o WHERE o.id = v.organization_id))"),
    ==, 0);

  /* New rows after the load get fresh ids and numbers. */
  g_assert_cmpint (query_int (conn, "SELECT nextval('rd.referral_number_seq')"), ==, 301);
}

/* Each referral's status events chain from NULL → new to its current status,
 * and each step is one the lifecycle table allows. */
static void
test_seed_history (void)
{
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autoptr(PGresult) refs = NULL;
  g_autoptr(GHashTable) last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *name = database_a ();
  guint steps = 0;

  if (name == NULL)
    return;
  conn = rd_test_pg_connect (name, NULL);

  res = rd_test_pg_exec (conn, "SELECT referral_id, from_status, to_status FROM rd.referral_event "
                               "WHERE kind = 'status' ORDER BY referral_id, at, id");
  for (int i = 0; i < PQntuples (res); i++)
    {
      const char *id = PQgetvalue (res, i, 0);
      const char *prev = g_hash_table_lookup (last, id);
      RdStatus from, to;

      g_assert_true (rd_status_from_string (PQgetvalue (res, i, 2), &to));
      if (prev == NULL)
        {
          g_assert_true (PQgetisnull (res, i, 1));
          g_assert_cmpint (to, ==, RD_STATUS_NEW);
        }
      else
        {
          g_assert_cmpstr (PQgetvalue (res, i, 1), ==, prev);
          g_assert_true (rd_status_from_string (prev, &from));
          g_assert_true (rd_lifecycle_can_transition (from, to));
          steps++;
        }
      g_hash_table_insert (last, g_strdup (id), g_strdup (PQgetvalue (res, i, 2)));
    }
  g_assert_cmpuint (steps, >, 300);

  refs = rd_test_pg_exec (conn, "SELECT id, status, closed_at IS NULL, close_reason FROM rd.referral");
  g_assert_cmpint (PQntuples (refs), ==, 300);
  for (int i = 0; i < PQntuples (refs); i++)
    {
      RdStatus status;

      g_assert_cmpstr (g_hash_table_lookup (last, PQgetvalue (refs, i, 0)), ==, PQgetvalue (refs, i, 1));
      g_assert_true (rd_status_from_string (PQgetvalue (refs, i, 1), &status));
      g_assert_cmpint (rd_status_is_open (status), ==, g_str_equal (PQgetvalue (refs, i, 2), "t"));
      if (status == RD_STATUS_DECLINED || status == RD_STATUS_CANCELLED)
        g_assert_false (PQgetisnull (refs, i, 3));
    }
}

static void
test_seed_npi (void)
{
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) res = NULL;
  const char *name = database_a ();

  if (name == NULL)
    return;
  conn = rd_test_pg_connect (name, NULL);

  res = rd_test_pg_exec (conn, "SELECT npi FROM rd.provider UNION ALL "
                               "SELECT npi FROM rd.organization WHERE npi IS NOT NULL");
  g_assert_cmpint (PQntuples (res), >=, 300);
  for (int i = 0; i < PQntuples (res); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalised = rd_validate_npi (PQgetvalue (res, i, 0), &error);

      g_assert_no_error (error);
      g_assert_true (rd_npi_check_digit_ok (PQgetvalue (res, i, 0)));
      g_assert_cmpstr (normalised, ==, PQgetvalue (res, i, 0));
    }
  g_assert_cmpint (query_int (conn, "SELECT count(DISTINCT npi) - count(*) FROM rd.provider"), ==, 0);
}

static void
test_seed_documents (void)
{
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) res = NULL;
  const char *name = database_a ();
  guint long_faxes = 0, unfiled = 0, filed = 0;

  if (name == NULL)
    return;
  conn = rd_test_pg_connect (name, NULL);

  res = PQexecParams (conn, "SELECT d.id, d.pages, d.sha256, d.status, d.size_bytes, b.data "
                            "FROM rd.document d JOIN rd.document_blob b ON b.document_id = d.id ORDER BY d.id",
                      0, NULL, NULL, NULL, NULL, 1);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  g_assert_cmpint (PQntuples (res), ==, 30 + 12);
  for (int i = 0; i < PQntuples (res); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = g_bytes_new (PQgetvalue (res, i, 5), PQgetlength (res, i, 5));
      g_autoptr(RdPdf) pdf = rd_pdf_new_from_bytes (bytes, NULL, &error);
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
      guint32 pages;
      guint64 size;
      const char *status = PQgetvalue (res, i, 3);

      g_assert_no_error (error);
      g_assert_nonnull (pdf);
      memcpy (&pages, PQgetvalue (res, i, 1), 4);
      memcpy (&size, PQgetvalue (res, i, 4), 8);
      g_assert_cmpuint (rd_pdf_get_n_pages (pdf), ==, GUINT32_FROM_BE (pages));
      g_assert_cmpuint (g_bytes_get_size (bytes), ==, GUINT64_FROM_BE (size));
      g_assert_cmpstr (sha, ==, PQgetvalue (res, i, 2));
      if (GUINT32_FROM_BE (pages) >= 20)
        long_faxes++;
      if (g_str_equal (status, "unfiled"))
        unfiled++;
      else
        filed++;
    }
  g_assert_cmpuint (long_faxes, >=, 1);
  g_assert_cmpuint (unfiled, ==, 30);
  g_assert_cmpuint (filed, ==, 12);
}

static void
test_seed_deterministic (void)
{
  g_autoptr(PGconn) a = NULL;
  g_autoptr(PGconn) b = NULL;
  g_autoptr(PGconn) c = NULL;
  g_autofree char *sum_a = NULL;
  g_autofree char *sum_b = NULL;
  g_autofree char *sum_c = NULL;
  g_autofree char *db_b = NULL;
  g_autofree char *db_c = NULL;
  const char *name = database_a ();

  if (name == NULL)
    return;
  db_b = new_seeded_database ("11", NULL);
  /* The other seed also sets a password for the demo logins, from stdin. */
  db_c = new_seeded_database ("12", "demo password\n");

  a = rd_test_pg_connect (name, NULL);
  b = rd_test_pg_connect (db_b, NULL);
  c = rd_test_pg_connect (db_c, NULL);
  sum_a = query_value (a, CHECKSUM_SQL);
  sum_b = query_value (b, CHECKSUM_SQL);
  sum_c = query_value (c, CHECKSUM_SQL);
  g_assert_cmpstr (sum_a, ==, sum_b);
  g_assert_cmpstr (sum_a, !=, sum_c);

  /* Not a trivial difference: the same number of patients with other names. */
  g_assert_cmpint (query_int (c, "SELECT count(*) FROM rd.patient"), ==,
                   query_int (a, "SELECT count(*) FROM rd.patient"));
  g_free (sum_b);
  g_free (sum_c);
  sum_b = query_value (a, "SELECT md5(string_agg(family_name || given_name, ',' ORDER BY id)) FROM rd.patient");
  sum_c = query_value (c, "SELECT md5(string_agg(family_name || given_name, ',' ORDER BY id)) FROM rd.patient");
  g_assert_cmpstr (sum_b, !=, sum_c);

  /* The password went in as a SCRAM verifier, never as clear text. */
  g_assert_cmpint (query_int (c, "SELECT count(*) FROM pg_authid WHERE rolname LIKE 'demo\\_%' "
                                 "AND rolpassword LIKE 'SCRAM-SHA-256$%'"), ==, 15);
  g_assert_cmpint (query_int (c, "SELECT count(*) FROM pg_authid WHERE rolname LIKE 'demo\\_%' "
                                 "AND (rolsuper OR rolbypassrls OR rolcreaterole)"), ==, 0);
}

static void
test_seed_rerun_refused (void)
{
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  const char *name = database_a ();

  if (name == NULL)
    return;
  conn = rd_test_pg_connect (name, NULL);
  before = query_value (conn, CHECKSUM_SQL);
  g_assert_cmpint (run_seed (name, "99", NULL, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "already has"));
  after = query_value (conn, CHECKSUM_SQL);
  g_assert_cmpstr (before, ==, after);
}

/* The local desk's setup makes a team, a queue and its administrator before
 * asking for demo data: seed-demo adds its own beside them. */
static void
test_seed_after_local_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = rd_test_pg_create_database ();
  g_autofree char *login = g_strdup_printf ("rdt_seed_local_%d", (int) getpid ());
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *local_teams[] = { "Front office", NULL };
  g_autoptr(PGconn) conn = NULL;

  if (name == NULL)
    return;
  conn = rd_test_pg_connect (name, NULL);
  g_assert_true (rd_init_db (conn, NULL, &error));
  g_assert_true (rd_init_db_add_team (conn, "Front office", NULL, &error));
  g_assert_true (rd_init_db_add_queue (conn, "Front office", "Intake", NULL, &error));
  g_assert_true (rd_init_db_add_staff (conn, login, "Local Person", RD_STAFF_ROLE_ADMIN,
                                       local_teams, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (run_seed (name, "5", NULL, &out, &err), ==, 0);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.team"), ==, 6);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.work_queue"), ==, 11);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.staff"), ==, 16);
  /* Every referral and inbox fax is in a demo queue, none in the local one. */
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.referral r JOIN rd.work_queue q ON q.id = r.queue_id "
                                    "JOIN rd.team t ON t.id = q.team_id WHERE t.name <> 'Front office'"), ==, 300);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.document d JOIN rd.work_queue q ON q.id = d.queue_id "
                                    "WHERE q.name = 'Fax inbox'"), ==, 30);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.team_member m JOIN rd.team t ON t.id = m.team_id "
                                    "JOIN rd.staff s ON s.id = m.staff_id WHERE t.name = 'Cardiology' "
                                    "AND s.login_name IN ('demo_grace', 'demo_omar', 'demo_ingrid')"), ==, 3);

  /* Now it has data: a second run is refused. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_seed (name, "5", NULL, NULL, &err), ==, 1);
  g_assert_cmpint (query_int (conn, "SELECT count(*) FROM rd.referral"), ==, 300);
}

/* A specialist of Cardiology sees Cardiology's referrals, their patients and
 * documents, and nothing of the other teams. */
static void
test_seed_specialist_sees_own_teams (void)
{
  g_autoptr(PGconn) admin = NULL;
  g_autoptr(PGconn) omar = NULL;
  g_autoptr(PGconn) maria = NULL;
  const char *name = database_a ();
  gint64 cardio, intake;

  if (name == NULL)
    return;
  admin = rd_test_pg_connect (name, NULL);
  omar = rd_test_pg_connect (name, "demo_omar");
  maria = rd_test_pg_connect (name, "demo_maria");

  cardio = query_int (admin, "SELECT count(*) FROM rd.referral r JOIN rd.work_queue q ON q.id = r.queue_id "
                             "JOIN rd.team t ON t.id = q.team_id WHERE t.name = 'Cardiology'");
  intake = query_int (admin, "SELECT count(*) FROM rd.referral r JOIN rd.work_queue q ON q.id = r.queue_id "
                             "JOIN rd.team t ON t.id = q.team_id WHERE t.name = 'Intake'");
  g_assert_cmpint (cardio, >, 0);
  g_assert_cmpint (cardio, <, 300);
  g_assert_cmpint (query_int (omar, "SELECT count(*) FROM rd.referral"), ==, cardio);
  g_assert_cmpint (query_int (omar, "SELECT count(*) FROM rd.referral r JOIN rd.work_queue q ON q.id = r.queue_id "
                                    "JOIN rd.team t ON t.id = q.team_id WHERE t.name <> 'Cardiology'"), ==, 0);
  g_assert_cmpint (query_int (omar, "SELECT count(*) FROM rd.patient"), ==,
                   query_int (admin, "SELECT count(DISTINCT r.patient_id) FROM rd.referral r "
                                     "JOIN rd.work_queue q ON q.id = r.queue_id JOIN rd.team t ON t.id = q.team_id "
                                     "WHERE t.name = 'Cardiology'"));
  /* The fax inbox belongs to Intake: none of it for Cardiology. */
  g_assert_cmpint (query_int (omar, "SELECT count(*) FROM rd.document WHERE status = 'unfiled'"), ==, 0);
  g_assert_cmpint (query_int (omar, "SELECT count(*) FROM rd.referral_event e WHERE NOT EXISTS ("
                                    "SELECT 1 FROM rd.referral r WHERE r.id = e.referral_id)"), ==, 0);

  g_assert_cmpint (query_int (maria, "SELECT count(*) FROM rd.referral"), ==, intake);
  g_assert_cmpint (query_int (maria, "SELECT count(*) FROM rd.document WHERE status = 'unfiled'"), ==, 30);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/seed/states", test_seed_states);
  g_test_add_func ("/store/seed/history", test_seed_history);
  g_test_add_func ("/store/seed/npi", test_seed_npi);
  g_test_add_func ("/store/seed/documents", test_seed_documents);
  g_test_add_func ("/store/seed/deterministic", test_seed_deterministic);
  g_test_add_func ("/store/seed/rerun-refused", test_seed_rerun_refused);
  g_test_add_func ("/store/seed/specialist-sees-own-teams", test_seed_specialist_sees_own_teams);
  g_test_add_func ("/store/seed/after-local-setup", test_seed_after_local_setup);

  return g_test_run ();
}
