/* bench-worklist.c - the worklist's database figures of issue 5, on seeded data
 *
 * Creates a database, runs init-db and `referral-desk-admin seed-demo
 * --referrals N` (N from --referrals or RD_BENCH_ARGS, 1,000,000 by default),
 * then measures with libpq, logged in as demo staff so that row-level
 * security is in the path as it is for users:
 *
 *  - the first page of a queue (the worklist's SQL: the rd.worklist view in
 *    the order of the partial worklist index), median of repeated runs, and
 *    the same SQL sent by psql with \timing in one session; their ratio;
 *  - a keyset page 500 pages deep relative to the first page;
 *  - search by name fragment (one or two letters by family-name prefix,
 *    longer ones by trigrams), p50 and p95 over 100 fragments;
 *  - next_referral claims per second from 20 connections at once.
 *
 * Prints each figure with what produced it, EXPLAIN ANALYZE of the hot
 * queries with a warning when a plan scans a large table sequentially, and
 * one `NAME = VALUE` line per figure. Run it with `./dev bench worklist
 * [--referrals N]`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <libpq-fe.h>

#include "rd-init-db.h"
#include "rd-test-util.h"

#define PAGE_SIZE     50
#define DEEP_PAGES    500
#define RUNS          50
#define WARMUP        5
#define N_FRAGMENTS   100
#define N_CLAIMERS    20
#define CLAIM_SECONDS 3.0

#define QUEUE_NAME    "Cardiology"  /* a queue of the demo data */
#define QUEUE_LOGIN   "demo_omar"   /* a specialist of that team */
#define CLAIM_QUEUE_NAME "New referrals"  /* Intake's */

static const char *const claim_logins[] = { "demo_maria", "demo_jose", "demo_linh" };

#define OPEN_STATUSES \
  "('new', 'triage', 'pending_info', 'pending_auth', 'accepted', 'scheduled', 'no_show', 'seen')"

/* The columns RdReferralList reads, and its key columns. */
#define COLUMNS \
  "w.id, w.version, w.number, w.direction, w.channel, w.received_at, w.patient_id, " \
  "w.referring_provider_id, w.receiving_provider_id, w.specialty, w.priority, w.status, " \
  "w.queue_id, w.assignee, w.due_at, w.claimed_by, w.claimed_until, w.closed_at, " \
  "w.updated_at, w.updated_by, w.patient_name, w.patient_dob, w.patient_mrn, " \
  "w.referring_name, w.receiving_name, w.payer_name, w.assignee_name, w.claimed_by_name, " \
  "w.queue_name, w.priority_rank AS k0, " \
  "(extract(epoch FROM w.due_at) * 1000000)::bigint::text AS k1, w.id AS k2"

#define FILTER " WHERE w.queue_id = $1::bigint AND w.status IN " OPEN_STATUSES

#define ORDER \
  " ORDER BY w.priority_rank DESC NULLS FIRST, w.due_at ASC NULLS LAST, w.id ASC NULLS LAST"

#define FIRST_PAGE_SQL \
  "SELECT " COLUMNS " FROM rd.worklist w" FILTER ORDER " LIMIT $2"

/* After the row (rank $3, due $4 in µs since the epoch, id $5): one index
 * range per branch, as RdReferralList builds it. */
#define DUE_PARAM "(TIMESTAMPTZ 'epoch' + ($4::text || ' microseconds')::interval)"
#define KEYSET_BRANCH(cond) \
  "(SELECT " COLUMNS " FROM rd.worklist w" FILTER " AND " cond ORDER " LIMIT $2)"
#define KEYSET_SQL \
  "SELECT * FROM (" \
  KEYSET_BRANCH ("w.priority_rank < $3::bigint") \
  " UNION ALL " KEYSET_BRANCH ("w.priority_rank = $3::bigint AND w.due_at > " DUE_PARAM) \
  " UNION ALL " KEYSET_BRANCH ("w.priority_rank = $3::bigint AND w.due_at IS NULL") \
  " UNION ALL " KEYSET_BRANCH ("w.priority_rank = $3::bigint AND w.due_at = " DUE_PARAM \
                               " AND w.id > $5::bigint") \
  ") AS u ORDER BY k0 DESC NULLS FIRST, (k1::bigint) ASC NULLS LAST, k2 ASC LIMIT $2"

/* The same page as one OR condition (for comparison: issue 5 measured the
 * OR form ten times slower). */
#define KEYSET_OR_SQL \
  "SELECT " COLUMNS " FROM rd.worklist w" FILTER \
  " AND (w.priority_rank < $3::bigint OR (w.priority_rank = $3::bigint AND (w.due_at > " DUE_PARAM \
  " OR w.due_at IS NULL OR (w.due_at = " DUE_PARAM " AND w.id > $5::bigint))))" ORDER " LIMIT $2"

/* Search as the worklist's search field does it. */
#define SEARCH_SHORT_SQL \
  "SELECT " COLUMNS " FROM rd.worklist w" FILTER \
  " AND w.patient_id IN (SELECT p.id FROM rd.patient p WHERE lower(p.family_name) LIKE $3)" \
  ORDER " LIMIT $2"
#define SEARCH_LONG_SQL \
  "SELECT " COLUMNS " FROM rd.worklist w" FILTER \
  " AND w.patient_id IN (SELECT p.id FROM rd.patient p WHERE p.full_name ILIKE $3" \
  " OR $4 OPERATOR(public.<%) p.full_name)" ORDER " LIMIT $2"

/* Two steps, for comparison: find the page's ids on rd.referral alone (a
 * small plan over the partial index), then read the view for those rows.
 * ARRAY() makes it an InitPlan; "w.id IN (…)" let the planner turn it into
 * a semi-join that scanned the whole table. */
#define TWO_STEP(inner) \
  "SELECT " COLUMNS " FROM rd.worklist w WHERE w.id = ANY (ARRAY (" inner "))" ORDER
#define R_FILTER " WHERE r.queue_id = $1::bigint AND r.status IN " OPEN_STATUSES
#define R_ORDER " ORDER BY r.priority_rank DESC, r.due_at, r.id"
#define R_BRANCH(cond) "(SELECT r.id, r.priority_rank, r.due_at FROM rd.referral r" R_FILTER " AND " cond R_ORDER " LIMIT $2)"
#define DUE_PARAM_R "(TIMESTAMPTZ 'epoch' + ($4::text || ' microseconds')::interval)"
#define KEYSET_TWO_STEP_SQL \
  TWO_STEP ("SELECT u.id FROM (" \
            R_BRANCH ("r.priority_rank < $3::bigint") \
            " UNION ALL " R_BRANCH ("r.priority_rank = $3::bigint AND r.due_at > " DUE_PARAM_R) \
            " UNION ALL " R_BRANCH ("r.priority_rank = $3::bigint AND r.due_at IS NULL") \
            " UNION ALL " R_BRANCH ("r.priority_rank = $3::bigint AND r.due_at = " DUE_PARAM_R \
                                    " AND r.id > $5::bigint") \
            ") AS u ORDER BY u.priority_rank DESC, u.due_at, u.id LIMIT $2")
/* The schema's answer to row-level security hiding the name indexes
 * (0004_search.sql): rd.match_patients() searches as the owner and applies
 * the patient policy itself. */
#define SEARCH_MATCH_SQL \
  "SELECT " COLUMNS " FROM rd.worklist w" FILTER \
  " AND w.patient_id = ANY (ARRAY (SELECT m.id FROM rd.match_patients($3) AS m))" ORDER " LIMIT $2"

#define CLAIM_SQL "SELECT id FROM rd.next_referral($1::bigint, make_interval(secs => $2::int))"
/* The statement inside rd.next_referral(), for EXPLAIN. */
#define CLAIM_INNER_SQL \
  "SELECT r.id FROM rd.referral r WHERE r.queue_id = $1::bigint AND r.status = 'new' " \
  "AND r.claimed_by IS NULL AND (r.assignee IS NULL OR r.assignee = session_user) " \
  "ORDER BY r.priority_rank DESC, r.due_at, r.id LIMIT 1 FOR UPDATE SKIP LOCKED"

static char *dbname;
static char *queue_id;      /* ids of QUEUE_NAME and CLAIM_QUEUE_NAME */
static char *claim_queue;
static GString *plan_warnings;

/* Helpers ---------------------------------------------------------------------------- */

static PGresult *
run (PGconn      *conn,
     const char  *sql,
     int          n_params,
     const char **params)
{
  PGresult *res = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus (res);

  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
    {
      g_printerr ("bench-worklist: query failed: %s\n%s\n", PQresultErrorMessage (res), sql);
      exit (1);
    }
  return res;
}

static PGconn *
connect_as (const char *login)
{
  return rd_test_pg_connect (dbname, login);
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* Nearest-rank percentile of @values (sorted in place). */
static double
percentile (GArray *values,
            double  p)
{
  guint rank;

  g_array_sort (values, cmp_double);
  rank = (guint) MAX (1.0, (p / 100.0) * values->len + 0.999999);
  return g_array_index (values, double, MIN (rank, values->len) - 1);
}

static double
time_query (PGconn      *conn,
            const char  *sql,
            int          n_params,
            const char **params,
            int         *out_rows)
{
  gint64 t0 = g_get_monotonic_time ();
  PGresult *res = run (conn, sql, n_params, params);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;

  if (out_rows != NULL)
    *out_rows = PQntuples (res);
  PQclear (res);
  return ms;
}

static double
median_of_runs (PGconn      *conn,
                const char  *sql,
                int          n_params,
                const char **params,
                int         *out_rows)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (int i = 0; i < WARMUP; i++)
    time_query (conn, sql, n_params, params, out_rows);
  for (int i = 0; i < RUNS; i++)
    {
      double ms = time_query (conn, sql, n_params, params, out_rows);
      g_array_append_val (times, ms);
    }
  return percentile (times, 50);
}

static void
explain (PGconn      *conn,
         const char  *name,
         const char  *sql,
         int          n_params,
         const char **params,
         gboolean     in_rollback)
{
  g_autofree char *stmt = g_strconcat ("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ", sql, NULL);
  PGresult *res;

  if (in_rollback)
    PQclear (run (conn, "BEGIN", 0, NULL));
  res = run (conn, stmt, n_params, params);
  g_print ("\nEXPLAIN ANALYZE - %s:\n", name);
  for (int i = 0; i < PQntuples (res); i++)
    {
      const char *line = PQgetvalue (res, i, 0);

      g_print ("  %s\n", line);
      if (strstr (line, "Seq Scan on referral ") != NULL || strstr (line, "Seq Scan on patient ") != NULL ||
          strstr (line, "Seq Scan on referral_event ") != NULL)
        {
          g_autofree char *trimmed = g_strstrip (g_strdup (line));

          g_string_append_printf (plan_warnings, "PLAN WARNING: %s: %s\n", name, trimmed);
        }
    }
  PQclear (res);
  if (in_rollback)
    PQclear (run (conn, "ROLLBACK", 0, NULL));
}

/* One comparable line per figure; @decimals after the point. */
static void
figure (const char *name,
        double      value,
        int         decimals)
{
  g_print ("%s = %.*f\n", name, decimals, value);
}

/* psql with \timing: @n_runs of @sql in one session; the median time. */
static double
psql_median (const char  *login,
             const char  *sql_with_vars,
             const char  *vars,
             char       **out_command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = rd_test_pg_conninfo (dbname, login);
  g_autofree char *psql = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GString) script = g_string_new ("\\set QUIET on\n\\pset pager off\n");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto(GStrv) lines = NULL;
  const char *bindir = g_getenv ("RD_TEST_PGBIN");
  int seen = 0;

  if (bindir != NULL)
    psql = g_build_filename (bindir, "psql", NULL);
  if (psql == NULL || !g_file_test (psql, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_free (psql);
      psql = g_find_program_in_path ("psql");
    }
  if (psql == NULL)
    return -1;

  g_string_append (script, vars);
  g_string_append (script, "\\o /dev/null\n\\timing on\n");
  for (int i = 0; i < WARMUP + RUNS; i++)
    g_string_append_printf (script, "%s;\n", sql_with_vars);

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           psql, "-X", "-v", "ON_ERROR_STOP=1", "-d", conninfo, NULL);
  if (proc == NULL)
    return -1;
  if (!g_subprocess_communicate_utf8 (proc, script->str, NULL, &out, &err, &error) ||
      g_subprocess_get_exit_status (proc) != 0)
    {
      g_printerr ("bench-worklist: psql failed: %s\n", err != NULL ? err : error->message);
      return -1;
    }

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      double ms;

      if (sscanf (lines[i], "Time: %lf ms", &ms) == 1 && seen++ >= WARMUP)
        g_array_append_val (times, ms);
    }
  if (times->len == 0)
    return -1;
  *out_command = g_strdup_printf ("%s -X -d \"dbname=%s user=%s\" with \\timing on, %d runs (%d warm-up)",
                                  psql, dbname, login, RUNS, WARMUP);
  return percentile (times, 50);
}

/* Claims ---------------------------------------------------------------------------- */

typedef struct {
  const char *login;
  GArray     *ids;
  gboolean    ran_dry;
  double      finished_ms;
  PGconn     *conn;
} Claimer;

static GMutex start_lock;
static GCond start_cond;
static gboolean start_flag;
static gint64 start_time;

static gpointer
claimer_thread (gpointer data)
{
  Claimer *c = data;
  const char *params[2] = { claim_queue, "600" };

  g_mutex_lock (&start_lock);
  while (!start_flag)
    g_cond_wait (&start_cond, &start_lock);
  g_mutex_unlock (&start_lock);

  while ((g_get_monotonic_time () - start_time) / 1e6 < CLAIM_SECONDS)
    {
      PGresult *res = run (c->conn, CLAIM_SQL, 2, params);

      if (PQntuples (res) == 0)
        {
          c->ran_dry = TRUE;
          PQclear (res);
          break;
        }
      {
        gint64 id = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
        g_array_append_val (c->ids, id);
      }
      PQclear (res);
    }
  c->finished_ms = (g_get_monotonic_time () - start_time) / 1000.0;
  return NULL;
}

static void
bench_claims (void)
{
  Claimer claimers[N_CLAIMERS];
  GThread *threads[N_CLAIMERS];
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint total = 0, duplicates = 0;
  gboolean dry = FALSE;
  double elapsed = 0;

  for (guint i = 0; i < N_CLAIMERS; i++)
    {
      claimers[i].login = claim_logins[i % G_N_ELEMENTS (claim_logins)];
      claimers[i].ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      claimers[i].ran_dry = FALSE;
      claimers[i].conn = connect_as (claimers[i].login);
      threads[i] = g_thread_new ("claimer", claimer_thread, &claimers[i]);
    }
  g_mutex_lock (&start_lock);
  start_time = g_get_monotonic_time ();
  start_flag = TRUE;
  g_cond_broadcast (&start_cond);
  g_mutex_unlock (&start_lock);

  for (guint i = 0; i < N_CLAIMERS; i++)
    {
      g_thread_join (threads[i]);
      elapsed = MAX (elapsed, claimers[i].finished_ms);
      dry |= claimers[i].ran_dry;
      for (guint k = 0; k < claimers[i].ids->len; k++)
        {
          gint64 *id = &g_array_index (claimers[i].ids, gint64, k);

          if (g_hash_table_contains (seen, id))
            duplicates++;
          else
            g_hash_table_add (seen, id);
          total++;
        }
    }

  g_print ("\nnext_referral claims: %u in %.0f ms from %d connections (%s) on queue %s%s\n",
           total, elapsed, N_CLAIMERS, "demo_maria, demo_jose, demo_linh", claim_queue,
           dry ? " - the queue ran out of unclaimed new referrals before the time was up" : "");
  g_print ("  command: 20 threads, each `%s` with (%s, 600) in autocommit until %.0f s passed\n",
           CLAIM_SQL, claim_queue, CLAIM_SECONDS);
  figure ("claims.per_second", total / (elapsed / 1000.0), 0);
  figure ("claims.duplicates", duplicates, 0);

  for (guint i = 0; i < N_CLAIMERS; i++)
    {
      g_hash_table_remove_all (seen);
      g_array_unref (claimers[i].ids);
      PQfinish (claimers[i].conn);
    }
}

/* Search fragments ------------------------------------------------------------------ */

/* 100 fragments of real patient names: a fifth are one or two letters (a
 * family-name prefix), the rest three to six letters from anywhere in the
 * full name. Deterministic. */
static GPtrArray *
make_fragments (PGconn *admin)
{
  GPtrArray *frags = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PGresult) max = run (admin, "SELECT max(id) FROM rd.patient", 0, NULL);
  gint64 n = g_ascii_strtoll (PQgetvalue (max, 0, 0), NULL, 10);
  guint64 state = 12345;

  for (guint k = 0; frags->len < N_FRAGMENTS && k < 10000; k++)
    {
      g_autofree char *id = NULL;
      const char *params[1];
      g_autoptr(PGresult) res = NULL;
      const char *family, *full;
      guint len, start;

      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      id = g_strdup_printf ("%" G_GINT64_FORMAT, 1 + (gint64) ((state >> 17) % (guint64) n));
      params[0] = id;
      res = run (admin, "SELECT family_name, full_name FROM rd.patient WHERE id = $1::bigint", 1, params);
      if (PQntuples (res) != 1)
        continue;
      family = PQgetvalue (res, 0, 0);
      full = PQgetvalue (res, 0, 1);
      if (k % 5 == 0)
        {
          len = 1 + (state >> 40) % 2;
          if (strlen (family) < len)
            continue;
          g_ptr_array_add (frags, g_ascii_strdown (family, len));
        }
      else
        {
          len = 3 + (state >> 40) % 4;
          if (strlen (full) < len)
            continue;
          start = (guint) ((state >> 45) % (strlen (full) - len + 1));
          g_ptr_array_add (frags, g_strndup (full + start, len));
        }
    }
  return frags;
}

static char *
like_escape (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

/* Main ----------------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *seed = NULL;
  g_autofree char *reuse = NULL;
  gint64 n_referrals = 1000000;
  gint64 seed_value = 1;
  GOptionEntry entries[] = {
    { "referrals", 0, 0, G_OPTION_ARG_INT64, &n_referrals, "Referrals to seed (default 1000000)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed_value, "Seed of the demo data (default 1)", "S" },
    { "database", 0, 0, G_OPTION_ARG_STRING, &reuse, "Measure an already seeded database", "NAME" },
    { NULL }
  };
  g_auto(GStrv) env_args = NULL;
  g_autoptr(GPtrArray) all_args = g_ptr_array_new ();
  const char *extra = g_getenv ("RD_BENCH_ARGS");
  PGconn *admin, *user;
  g_autofree char *version = NULL;
  double first_ms, psql_ms, deep_ms, deep_or_ms, seed_s = 0;
  int rows = 0;
  g_autofree char *psql_command = NULL;
  g_autoptr(GArray) search_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) short_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) two_step_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) fragments = NULL;
  g_autofree char *limit = g_strdup_printf ("%d", PAGE_SIZE);
  char **args;
  int n_args;

  plan_warnings = g_string_new (NULL);

  /* Arguments: the command line, then RD_BENCH_ARGS (from ./dev bench). */
  for (int i = 0; i < argc; i++)
    g_ptr_array_add (all_args, argv[i]);
  if (extra != NULL && *extra != '\0' && g_shell_parse_argv (extra, NULL, &env_args, NULL))
    for (guint i = 0; env_args[i] != NULL; i++)
      g_ptr_array_add (all_args, env_args[i]);
  g_ptr_array_add (all_args, NULL);
  n_args = (int) all_args->len - 1;
  args = (char **) all_args->pdata;
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  if (!g_option_context_parse (context, &n_args, &args, &error))
    {
      g_printerr ("bench-worklist: %s\n", error->message);
      return 2;
    }

  if (!rd_test_pg_available ())
    {
      g_print ("bench-worklist: skipped, no PostgreSQL (run it through ./dev bench worklist)\n");
      return 77;
    }

  if (reuse != NULL)
    dbname = g_strdup (reuse);
  else
    {
      g_autofree char *exe = g_build_filename (g_getenv ("RD_BUILD_ROOT"), "src", "admin",
                                               "referral-desk-admin", NULL);
      g_autofree char *conninfo = NULL;
      g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, n_referrals);
      g_autoptr(GSubprocess) proc = NULL;
      PGconn *init;
      gint64 t0;

      dbname = rd_test_pg_create_database ();
      init = rd_test_pg_connect (dbname, NULL);
      if (!rd_init_db (init, NULL, &error))
        {
          g_printerr ("bench-worklist: init-db failed: %s\n", error->message);
          return 1;
        }
      PQfinish (init);

      seed = g_strdup_printf ("%" G_GINT64_FORMAT, seed_value);
      conninfo = rd_test_pg_conninfo (dbname, NULL);
      g_print ("command: %s seed-demo --db \"dbname=%s\" --referrals %s --seed %s\n", exe, dbname, n, seed);
      t0 = g_get_monotonic_time ();
      proc = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, exe, "seed-demo", "--db", conninfo,
                               "--referrals", n, "--seed", seed, NULL);
      if (proc == NULL || !g_subprocess_wait_check (proc, NULL, &error))
        {
          g_printerr ("bench-worklist: seed-demo failed: %s\n", error->message);
          return 1;
        }
      seed_s = (g_get_monotonic_time () - t0) / 1e6;
    }

  admin = rd_test_pg_connect (dbname, NULL);
  user = connect_as (QUEUE_LOGIN);
  {
    g_autoptr(PGresult) ids = run (admin, "SELECT (SELECT id FROM rd.work_queue WHERE name = '" QUEUE_NAME "'), "
                                          "(SELECT id FROM rd.work_queue WHERE name = '" CLAIM_QUEUE_NAME "')",
                                  0, NULL);
    g_autoptr(PGresult) res = NULL;
    const char *qp[1];

    queue_id = g_strdup (PQgetvalue (ids, 0, 0));
    claim_queue = g_strdup (PQgetvalue (ids, 0, 1));
    qp[0] = queue_id;
    res = run (admin, "SELECT current_setting('server_version'), "
                      "(SELECT count(*) FROM rd.referral), "
                      "(SELECT count(*) FROM rd.referral WHERE rd.status_is_open(status)), "
                      "(SELECT count(*) FROM rd.referral WHERE queue_id = $1::bigint"
                      " AND rd.status_is_open(status))", 1, qp);

    version = g_strdup (PQgetvalue (res, 0, 0));
    g_print ("\nmachine: %u cores, PostgreSQL %s (libpq %d)\n", g_get_num_processors (), version,
             PQlibVersion ());
    g_print ("data: %s referrals, %s open, %s open in queue %s (" QUEUE_NAME ")\n",
             PQgetvalue (res, 0, 1), PQgetvalue (res, 0, 2), PQgetvalue (res, 0, 3), queue_id);
  }
  if (seed_s > 0)
    {
      g_print ("seed-demo --referrals %" G_GINT64_FORMAT ": %.1f s (including VACUUM ANALYZE)\n",
               n_referrals, seed_s);
      figure ("seed.seconds", seed_s, 1);
    }

  /* First page. */
  {
    const char *params[2] = { queue_id, limit };
    g_autofree char *psql_sql = NULL;
    g_autofree char *vars = g_strdup_printf ("\\set q %s\n\\set lim %d\n", queue_id, PAGE_SIZE);
    g_autoptr(GString) s = g_string_new (FIRST_PAGE_SQL);

    first_ms = median_of_runs (user, FIRST_PAGE_SQL, 2, params, &rows);
    g_print ("\nfirst page of queue %s as %s (%d rows): median of %d libpq PQexecParams calls, "
             "request to all rows received: %.3f ms\n", queue_id, QUEUE_LOGIN, rows, RUNS, first_ms);
    g_print ("  SQL: %s\n", FIRST_PAGE_SQL);
    figure ("db.worklist.first_page_ms", first_ms, 3);

    g_string_replace (s, "$1", ":q", 0);
    g_string_replace (s, "$2", ":lim", 0);
    psql_sql = g_string_free (g_steal_pointer (&s), FALSE);
    psql_ms = psql_median (QUEUE_LOGIN, psql_sql, vars, &psql_command);
    g_print ("\nthe same SQL through psql (values as psql variables), median: %.3f ms\n", psql_ms);
    g_print ("  command: %s\n", psql_command != NULL ? psql_command : "(psql not found)");
    figure ("db.worklist.first_page_psql_ms", psql_ms, 3);
    figure ("db.worklist.first_page_ratio", psql_ms > 0 ? first_ms / psql_ms : 0, 2);
    explain (user, "first page", FIRST_PAGE_SQL, 2, params, FALSE);

    /* The same SQL as a prepared statement: the view's nine joins and the
     * policies make planning the larger part of a page (see the EXPLAIN). */
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      PGresult *res = PQprepare (user, "first_page", FIRST_PAGE_SQL, 2, NULL);
      double ms;

      if (PQresultStatus (res) != PGRES_COMMAND_OK)
        {
          g_printerr ("bench-worklist: prepare failed: %s\n", PQresultErrorMessage (res));
          return 1;
        }
      PQclear (res);
      for (int i = 0; i < WARMUP + RUNS; i++)
        {
          gint64 t0 = g_get_monotonic_time ();

          res = PQexecPrepared (user, "first_page", 2, params, NULL, NULL, 0);
          ms = (g_get_monotonic_time () - t0) / 1000.0;
          if (PQresultStatus (res) != PGRES_TUPLES_OK)
            {
              g_printerr ("bench-worklist: %s\n", PQresultErrorMessage (res));
              return 1;
            }
          PQclear (res);
          if (i >= WARMUP)
            g_array_append_val (times, ms);
        }
      ms = percentile (times, 50);
      g_print ("\nthe same SQL prepared once (PQprepare, then PQexecPrepared), median of %d: %.3f ms\n",
               RUNS, ms);
      figure ("db.worklist.first_page_prepared_ms", ms, 3);
    }
  }

  /* A page 500 pages deep: the cursor is the last row of page 500. */
  {
    g_autofree char *offset = NULL;
    const char *oparams[2] = { queue_id, NULL };
    g_autoptr(PGresult) res = NULL;
    g_autofree char *rank = NULL, *due = NULL, *id = NULL;
    const char *params[5];
    guint depth = DEEP_PAGES;
    const char *qp[1] = { queue_id };
    g_autoptr(PGresult) count = run (user, "SELECT count(*) FROM rd.referral WHERE queue_id = $1::bigint"
                                           " AND status IN " OPEN_STATUSES, 1, qp);
    gint64 open_rows = g_ascii_strtoll (PQgetvalue (count, 0, 0), NULL, 10);

    if ((gint64) depth * PAGE_SIZE >= open_rows)
      depth = (guint) MAX (1, open_rows / PAGE_SIZE - 1);
    offset = g_strdup_printf ("%u", depth * PAGE_SIZE - 1);
    oparams[1] = offset;
    res = run (user, "SELECT w.priority_rank, (extract(epoch FROM w.due_at) * 1000000)::bigint, w.id "
                     "FROM rd.worklist w" FILTER ORDER " OFFSET $2 LIMIT 1", 2, oparams);
    rank = g_strdup (PQgetvalue (res, 0, 0));
    due = g_strdup (PQgetvalue (res, 0, 1));
    id = g_strdup (PQgetvalue (res, 0, 2));
    params[0] = queue_id;
    params[1] = limit;
    params[2] = rank;
    params[3] = due;
    params[4] = id;

    deep_ms = median_of_runs (user, KEYSET_SQL, 5, params, &rows);
    g_print ("\npage %u of queue %s (after row %u, %d rows), keyset as UNION ALL of index ranges, "
             "median of %d: %.3f ms\n", depth + 1, queue_id, depth * PAGE_SIZE, rows, RUNS, deep_ms);
    g_print ("  SQL: %s\n", KEYSET_SQL);
    figure ("db.worklist.deep_page_ms", deep_ms, 3);
    figure ("db.worklist.deep_page_ratio", deep_ms / first_ms, 2);
    figure ("db.worklist.deep_page_depth", depth, 0);

    deep_or_ms = median_of_runs (user, KEYSET_OR_SQL, 5, params, &rows);
    g_print ("\nthe same page as one OR condition (rd-repo-referral.c's form), median of %d: %.3f ms\n",
             RUNS, deep_or_ms);
    figure ("db.worklist.deep_page_or_ratio", deep_or_ms / first_ms, 2);
    {
      double two_ms = median_of_runs (user, KEYSET_TWO_STEP_SQL, 5, params, &rows);

      g_print ("\nthe same page in two steps (ids from rd.referral, then the view), median of %d: "
               "%.3f ms (%d rows)\n  SQL: %s\n", RUNS, two_ms, rows, KEYSET_TWO_STEP_SQL);
      figure ("db.worklist.deep_page_two_step_ratio", two_ms / first_ms, 2);
    }
    explain (user, "deep page (UNION ALL keyset)", KEYSET_SQL, 5, params, FALSE);
    explain (user, "deep page (two steps)", KEYSET_TWO_STEP_SQL, 5, params, FALSE);
    explain (user, "deep page (OR keyset)", KEYSET_OR_SQL, 5, params, FALSE);
  }

  /* Search by name fragment. */
  fragments = make_fragments (admin);
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < fragments->len; i++)
      {
        const char *frag = g_ptr_array_index (fragments, i);
        g_autofree char *escaped = like_escape (frag);
        g_autofree char *pattern = NULL;
        const char *params[4] = { queue_id, limit, NULL, frag };
        double ms;

        if (strlen (frag) < 3)
          {
            pattern = g_strconcat (escaped, "%", NULL);
            params[2] = pattern;
            ms = time_query (user, SEARCH_SHORT_SQL, 3, params, NULL);
            if (pass == 1)
              {
                const char *mp[3] = { queue_id, limit, frag };
                double two = time_query (user, SEARCH_MATCH_SQL, 3, mp, NULL);

                g_array_append_val (short_times, ms);
                g_array_append_val (two_step_times, two);
              }
          }
        else
          {
            pattern = g_strconcat ("%", escaped, "%", NULL);
            params[2] = pattern;
            ms = time_query (user, SEARCH_LONG_SQL, 4, params, NULL);
            if (pass == 1)
              {
                const char *mp[3] = { queue_id, limit, frag };
                double two = time_query (user, SEARCH_MATCH_SQL, 3, mp, NULL);

                g_array_append_val (two_step_times, two);
              }
          }
        /* The first pass warms the caches, as a user typing would. */
        if (pass == 1)
          g_array_append_val (search_times, ms);
      }
  {
    double s50 = percentile (search_times, 50), s95 = percentile (search_times, 95);

    g_print ("\nsearch by name fragment in queue %s as %s: %u fragments of patient names "
             "(%u of 1-2 letters by family-name prefix, the rest by trigram ILIKE / word similarity), "
             "second pass\n", queue_id, QUEUE_LOGIN, search_times->len, short_times->len);
    g_print ("  SQL (1-2 letters): %s\n  SQL (3+ letters): %s\n", SEARCH_SHORT_SQL, SEARCH_LONG_SQL);
    g_print ("  slowest: %.1f ms; 1-2 letters p95: %.1f ms\n", percentile (search_times, 100),
             short_times->len > 0 ? percentile (short_times, 95) : 0);
    figure ("db.search.ilike_p50_ms", s50, 2);
    figure ("db.search.ilike_p95_ms", s95, 2);
    g_print ("\nthe same fragments through rd.match_patients() (0004_search.sql), second pass:\n"
             "  SQL: %s\n", SEARCH_MATCH_SQL);
    figure ("search.p50_ms", percentile (two_step_times, 50), 2);
    figure ("search.p95_ms", percentile (two_step_times, 95), 2);
  }
  {
    const char *sp[3] = { queue_id, limit, "ma%" };
    const char *lp[4] = { queue_id, limit, "%son%", "son" };

    explain (user, "search, two letters", SEARCH_SHORT_SQL, 3, sp, FALSE);
    explain (user, "search, three letters", SEARCH_LONG_SQL, 4, lp, FALSE);
    {
      const char *m2[3] = { queue_id, limit, "ma" };
      const char *m3[3] = { queue_id, limit, "son" };

      explain (user, "search through match_patients, two letters", SEARCH_MATCH_SQL, 3, m2, FALSE);
      explain (user, "search through match_patients, three letters", SEARCH_MATCH_SQL, 3, m3, FALSE);
    }
  }

  /* Claims last: they change the data. */
  {
    PGconn *maria = connect_as ("demo_maria");
    const char *cp[1] = { claim_queue };

    explain (maria, "next_referral's pick", CLAIM_INNER_SQL, 1, cp, TRUE);
    PQfinish (maria);
  }
  bench_claims ();

  if (plan_warnings->len > 0)
    g_print ("\n%s", plan_warnings->str);
  else
    g_print ("\nplans: every hot query reads referral and patient through an index\n");

  g_string_free (plan_warnings, TRUE);
  PQfinish (user);
  PQfinish (admin);
  g_free (dbname);
  g_free (queue_id);
  g_free (claim_queue);
  return 0;
}
