/* bench-worklist-app.c - the worklist's application-side figures of issue 5
 *
 * bench-worklist.c measures the database with libpq; this program measures
 * what a user waits for: the application's own RdReferralList over
 * RdConnection (and RdListener for live changes), on the default main
 * context, on a database seeded by `referral-desk-admin seed-demo
 * --referrals N` (N from --referrals or RD_BENCH_ARGS; 1,000,000 by default).
 * One seeded database serves every measurement of a run:
 *
 *  - worklist.first_page_ms: request (rd_referral_list_reload()) to the
 *    first items-changed that brings real rows, median of repeated runs on
 *    one queue; worklist.first_page_psql_ms: the very SQL the list sent
 *    (captured from PQsendQueryParams, see below) run by psql with \timing
 *    in one session, interleaved with the list's runs; their ratio.
 *  - worklist.deep_page_ratio: walking the list page by page as a view
 *    asks for rows, the page 500 pages deep relative to the first page;
 *    worklist.walk_page_p50_ms / _p95_ms over every page of the walks, and
 *    worklist.walk_middle_page_psql_ms: the statement the page in the middle
 *    of the first walk sent, through psql, printed with its EXPLAIN ANALYZE.
 *  - worklist.model_rss_mb_after_100k_rows: VmRSS after asking for items
 *    0…100,000 through the model alone, the way a scrolling view does.
 *  - worklist.rss_mb_after_100k_rows: the application's: VmRSS of this
 *    process after scrolling the real worklist widget (RdWorklistView in a
 *    window on the display, on RdConnection and RdListener) through
 *    100,000 rows one screenful a step, each step drawn and its rows
 *    loaded (or through the whole list when it is shorter); also VmHWM,
 *    the time the scrolling took and rows per second.
 *  - live.propagation_p50_ms / _p99_ms: simulated workstations commit
 *    changes on their own RdConnection; observers (RdListener + a followed
 *    RdReferralList each) report when the row's new version is in their
 *    model. Time from the writer's commit acknowledgement to the update.
 *  - ui.max_main_loop_stall_ms: a 5 ms timeout on the same main context
 *    records the longest gap beyond its period during all of the above
 *    (including the widget's first rows and its scrolling; GTK's start-up
 *    while the window opens is printed apart, not counted).
 *
 * Not a pass/fail test: it exits 0 when the measurements ran. Run it with
 * `./dev bench worklist [--referrals N]` (which starts Xvfb for the widget).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <adwaita.h>
#include <libpq-fe.h>

#include "rd-connection.h"
#include "rd-init-db.h"
#include "rd-listener.h"
#include "rd-referral-list.h"
#include "rd-test-ui.h"
#include "rd-test-util.h"
#include "rd-worklist-view.h"

#define FIRST_PAGE_ROUNDS   5     /* rounds of app runs, each followed by a psql session */
#define FIRST_PAGE_RUNS     10    /* per round and per side */
#define PSQL_WARMUP         2
#define DEEP_PAGES          500
#define DEEP_WALKS          3
#define RSS_ROWS            100000
#define VIEW_ROWS           40    /* rows a scrolling view shows at once */
#define VIEW_STEP           20    /* rows it moves per scroll step */
#define STALL_PERIOD_MS     5
#define WAIT_SECONDS        120.0
#define BUDGET_SECONDS      240   /* at most for the deep walks, and for scrolling */

#define QUEUE_NAME          "Cardiology"  /* a queue of the demo data (team 1) */
#define QUEUE_LOGIN         "demo_omar"   /* a specialist of team 1 */
#define OTHER_MEMBER        "demo_ingrid" /* another specialist of team 1 */
#define LEAD_LOGIN          "demo_grace"  /* team 1's lead: may reassign */
#define WIDE_LOGIN          "demo_sam"    /* a specialist of teams 2 and 3: the longest "all my queues" */

static char *dbname;

/* Main-loop stall --------------------------------------------------------------------- */

static gint64 stall_last;
static gint64 stall_max_us;
static const char *stall_phase = "start";
static const char *stall_max_phase = "none";

/* While set (opening the window: GTK's start-up, not a measurement), the
 * gaps go to the phase's maximum only, not to the figure. */
static gboolean stall_uncounted;
static gint64 stall_phase_max_us;

static gboolean
on_stall_tick (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();
  gint64 late = now - stall_last - STALL_PERIOD_MS * 1000;

  stall_phase_max_us = MAX (stall_phase_max_us, late);
  if (stall_uncounted)
    ;
  else if (late > stall_max_us)
    {
      stall_max_us = late;
      stall_max_phase = stall_phase;
    }
  stall_last = now;
  return G_SOURCE_CONTINUE;
}

/* Capturing the SQL the list sends ---------------------------------------------------- */

/* Every RdConnection query goes through PQsendQueryParams(); this bench
 * defines the symbol itself (the executable's definition wins over
 * libpq's), notes the statement while asked to, and calls libpq's. */
typedef int (*SendQueryParamsFunc) (PGconn *, const char *, int, const Oid *, const char *const *,
                                    const int *, const int *, int);

static gboolean capture_sql;
static char *captured_sql;
static GPtrArray *captured_params;

int
PQsendQueryParams (PGconn            *conn,
                   const char        *command,
                   int                nParams,
                   const Oid         *paramTypes,
                   const char *const *paramValues,
                   const int         *paramLengths,
                   const int         *paramFormats,
                   int                resultFormat)
{
  static SendQueryParamsFunc real;

  if (real == NULL)
    real = (SendQueryParamsFunc) dlsym (RTLD_NEXT, "PQsendQueryParams");
  if (capture_sql && captured_sql == NULL)
    {
      captured_sql = g_strdup (command);
      captured_params = g_ptr_array_new_with_free_func (g_free);
      for (int i = 0; i < nParams; i++)
        g_ptr_array_add (captured_params, g_strdup (paramValues[i]));
    }
  return real (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats,
               resultFormat);
}

/* Helpers ------------------------------------------------------------------------------ */

typedef gboolean (*Predicate) (gpointer data);

/* Runs the main context until @pred holds; FALSE after @seconds. */
static gboolean
wait_for (Predicate pred,
          gpointer  data,
          double    seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!pred (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, TRUE);
    }
  return TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
on_timer_fired (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the main loop run for @ms. */
static void
run_loop_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timer_fired, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* Nearest-rank percentile; sorts @values. */
static double
percentile (GArray *values,
            double  p)
{
  guint rank;

  if (values->len == 0)
    return -1;
  g_array_sort (values, cmp_double);
  rank = (guint) MAX (1.0, (p / 100.0) * values->len + 0.999999);
  return g_array_index (values, double, MIN (rank, values->len) - 1);
}

static void
figure (const char *name,
        double      value,
        int         decimals)
{
  g_print ("%s = %.*f\n", name, decimals, value);
}

static double
rss_mb (const char *field)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  p = strstr (status, field);
  if (p == NULL)
    return -1;
  return g_ascii_strtod (p + strlen (field), NULL) / 1024.0;
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rd_connection_open_finish (RD_CONNECTION (source), result, &error))
    {
      g_printerr ("bench-worklist-app: cannot connect: %s\n", error->message);
      exit (1);
    }
  *(gboolean *) user_data = TRUE;
}

static RdConnection *
open_as (const char *login)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (dbname, login);
  RdConnection *conn = rd_connection_new (conninfo);
  gboolean done = FALSE;

  rd_connection_open_async (conn, NULL, on_opened, &done);
  if (!wait_for (flag_set, &done, WAIT_SECONDS))
    {
      g_printerr ("bench-worklist-app: connecting as %s timed out\n", login);
      exit (1);
    }
  return conn;
}

static void
on_listening (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rd_listener_start_finish (RD_LISTENER (source), result, &error))
    {
      g_printerr ("bench-worklist-app: cannot listen: %s\n", error->message);
      exit (1);
    }
  (*(guint *) user_data)++;
}

static RdReferral *
item_at (RdReferralList *list,
         guint           pos)
{
  return g_list_model_get_item (G_LIST_MODEL (list), pos);
}

static gboolean
list_settled (gpointer data)
{
  RdReferralList *list = data;
  RdReferralListState state = rd_referral_list_get_state (list);

  return (state == RD_REFERRAL_LIST_STATE_READY || state == RD_REFERRAL_LIST_STATE_ERROR) &&
         !rd_referral_list_get_busy (list);
}

static void
check_list (RdReferralList *list,
            const char     *what)
{
  if (rd_referral_list_get_state (list) == RD_REFERRAL_LIST_STATE_ERROR)
    {
      const GError *error = rd_referral_list_get_error (list);

      g_printerr ("bench-worklist-app: %s: %s\n", what, error ? error->message : "error");
      exit (1);
    }
}

/* First page --------------------------------------------------------------------------- */

typedef struct {
  RdReferralList *list;
  gboolean        armed;
  gint64          t0;
  gint64          t_rows;
  guint           want_pos;      /* a page fetch: the position asked for */
} Timing;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  Timing *t = user_data;

  if (!t->armed || added == 0)
    return;
  if (t->want_pos <= position + added - 1 && t->want_pos >= position)
    {
      g_autoptr(RdReferral) item = item_at (t->list, t->want_pos);

      if (item != NULL && !rd_referral_is_placeholder (item))
        {
          t->t_rows = g_get_monotonic_time ();
          t->armed = FALSE;
        }
    }
}

static gboolean
timing_done (gpointer data)
{
  Timing *t = data;

  return !t->armed && list_settled (t->list);
}

/* One reload: request to the first real rows; waits until the list is idle. */
static double
time_first_page (Timing *t)
{
  t->armed = TRUE;
  t->want_pos = 0;
  t->t0 = g_get_monotonic_time ();
  rd_referral_list_reload (t->list);
  if (!wait_for (timing_done, t, WAIT_SECONDS))
    {
      g_printerr ("bench-worklist-app: the first page did not arrive\n");
      exit (1);
    }
  check_list (t->list, "first page");
  return (t->t_rows - t->t0) / 1000.0;
}

static char *
find_psql (void)
{
  const char *bindir = g_getenv ("RD_TEST_PGBIN");
  char *psql = NULL;

  if (bindir != NULL)
    {
      psql = g_build_filename (bindir, "psql", NULL);
      if (g_file_test (psql, G_FILE_TEST_IS_EXECUTABLE))
        return psql;
      g_free (psql);
    }
  psql = g_find_program_in_path ("psql");
  if (psql == NULL && g_file_test (PG_BINDIR "/psql", G_FILE_TEST_IS_EXECUTABLE))
    psql = g_strdup (PG_BINDIR "/psql");
  if (psql == NULL && g_file_test ("/usr/lib/postgresql/15/bin/psql", G_FILE_TEST_IS_EXECUTABLE))
    psql = g_strdup ("/usr/lib/postgresql/15/bin/psql");
  return psql;
}

/* The captured statement with each $N as the psql variable :'pN' (a quoted
 * literal of unknown type, as an untyped text parameter is). */
static char *
psql_statement (const char *sql,
                GString    *vars)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < captured_params->len; i++)
    {
      g_autofree char *quoted = NULL;
      const char *v = g_ptr_array_index (captured_params, i);

      /* \set takes the value as one word; the values are numbers here, but
       * quote them anyway. */
      quoted = g_strescape (v != NULL ? v : "", NULL);
      g_string_append_printf (vars, "\\set p%u '%s'\n", i + 1, quoted);
    }
  for (const char *p = sql; *p; p++)
    {
      if (*p == '$' && g_ascii_isdigit (p[1]))
        {
          char *end;
          guint64 n = g_ascii_strtoull (p + 1, &end, 10);

          g_string_append_printf (out, ":'p%" G_GUINT64_FORMAT "'", n);
          p = end - 1;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

typedef struct {
  gboolean done;
  char    *out;
  char    *err;
  gboolean ok;
} PsqlRun;

static void
on_psql_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  PsqlRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->ok = g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out,
                                                  &run->err, &error) &&
            g_subprocess_get_if_exited (G_SUBPROCESS (source)) &&
            g_subprocess_get_exit_status (G_SUBPROCESS (source)) == 0;
  if (!run->ok && error != NULL)
    run->err = g_strdup (error->message);
  run->done = TRUE;
}

/* One psql session as @login (started without blocking the main loop):
 * PSQL_WARMUP + FIRST_PAGE_RUNS of @stmt; appends the timed runs to @times.
 * With @plan, then one EXPLAIN (ANALYZE, BUFFERS) of it, returned there. */
static gboolean
psql_session (const char *psql,
              const char *login,
              const char *stmt,
              const char *vars,
              GArray     *times,
              char      **plan)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = rd_test_pg_conninfo (dbname, login);
  g_autoptr(GString) script = g_string_new ("\\set QUIET on\n\\pset pager off\n");
  g_autoptr(GSubprocess) proc = NULL;
  g_auto(GStrv) lines = NULL;
  PsqlRun run = { 0 };
  int seen = 0;

  g_string_append (script, vars);
  g_string_append (script, "\\o /dev/null\n\\timing on\n");
  for (int i = 0; i < PSQL_WARMUP + FIRST_PAGE_RUNS; i++)
    g_string_append_printf (script, "%s;\n", stmt);
  if (plan != NULL)
    g_string_append_printf (script, "\\timing off\n\\o\n\\echo PLAN-FOLLOWS\n"
                                    "EXPLAIN (ANALYZE, BUFFERS) %s;\n", stmt);

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           psql, "-X", "-v", "ON_ERROR_STOP=1", "-d", conninfo, NULL);
  if (proc == NULL)
    {
      g_printerr ("bench-worklist-app: psql: %s\n", error->message);
      return FALSE;
    }
  g_subprocess_communicate_utf8_async (proc, script->str, NULL, on_psql_done, &run);
  wait_for (flag_set, &run.done, WAIT_SECONDS * 5);
  if (!run.done || !run.ok)
    {
      g_printerr ("bench-worklist-app: psql failed: %s\n", run.err ? run.err : "timed out");
      g_free (run.out);
      g_free (run.err);
      return FALSE;
    }
  lines = g_strsplit (run.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      double ms;

      if (plan != NULL && g_str_equal (lines[i], "PLAN-FOLLOWS"))
        {
          *plan = g_strjoinv ("\n    ", &lines[i + 1]);
          break;
        }
      if (sscanf (lines[i], "Time: %lf ms", &ms) == 1 && seen++ >= PSQL_WARMUP)
        g_array_append_val (times, ms);
    }
  g_free (run.out);
  g_free (run.err);
  return TRUE;
}

/* Walking pages ------------------------------------------------------------------------ */

/* A placeholder that someone holds becomes its row in place (the list
 * tells "notify", not items-changed), as a list view's row widget sees it. */
static void
on_placeholder_filled (GObject    *item,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  Timing *t = user_data;

  if (t->armed && !rd_referral_is_placeholder (RD_REFERRAL (item)))
    {
      t->t_rows = g_get_monotonic_time ();
      t->armed = FALSE;
    }
}

/* Asks for @pos as a view would (get_item on a hole) and waits for it. */
static double
time_page_at (Timing *t,
              guint   pos)
{
  g_autoptr(RdReferral) item = NULL;

  t->armed = TRUE;
  t->want_pos = pos;
  t->t0 = g_get_monotonic_time ();
  item = item_at (t->list, pos);
  if (item != NULL && !rd_referral_is_placeholder (item))
    {
      t->armed = FALSE;
      return 0;
    }
  if (item != NULL)
    g_signal_connect (item, "notify::id", G_CALLBACK (on_placeholder_filled), t);
  if (!wait_for (timing_done, t, WAIT_SECONDS))
    {
      g_printerr ("bench-worklist-app: the page at row %u did not arrive\n", pos);
      exit (1);
    }
  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, on_placeholder_filled, t);
  check_list (t->list, "page");
  return (t->t_rows - t->t0) / 1000.0;
}

/* Scrolling ---------------------------------------------------------------------------- */

typedef struct {
  RdReferralList *list;
  guint           from;
  guint           to;
} Window;

static gboolean
window_loaded (gpointer data)
{
  Window *w = data;

  for (guint p = w->from; p < w->to; p++)
    {
      g_autoptr(RdReferral) item = item_at (w->list, p);

      if (item != NULL && rd_referral_is_placeholder (item))
        return FALSE;
    }
  return TRUE;
}

/* Live changes ------------------------------------------------------------------------- */

typedef struct {
  gint64   id;
  gint64   version;
  gboolean to_other;    /* the next change gives it to OTHER_MEMBER */
} RowVersion;

typedef struct {
  RdConnection *conn;
  RowVersion    rows[2];
  guint         next;
  gboolean      busy;
  guint         n_errors;
} Writer;

typedef struct {
  guint           index;
  RdConnection   *conn;
  RdListener     *listener;
  RdReferralList *list;
  GPtrArray      *items;
} Observer;

static GHashTable *acks;          /* "id:version" → gint64* ack time */
static GArray *seen_keys_time;    /* of Seen */
static gboolean live_running;
static guint live_commits;
static GRand *live_rand;

typedef struct {
  gint64 id;
  gint64 version;
  gint64 time;
  guint  observer;
} Seen;

static void
on_version_notify (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  RdReferral *r = RD_REFERRAL (object);
  Observer *o = user_data;
  Seen s = { rd_referral_get_id (r), rd_referral_get_version (r), g_get_monotonic_time (), o->index };

  g_array_append_val (seen_keys_time, s);
}

/* A row that moved (its sort key changed: remove and insert) is a new
 * object in the model: items-changed brings it. */
static void
on_observer_items_changed (GListModel *model,
                           guint       position,
                           guint       removed,
                           guint       added,
                           gpointer    user_data)
{
  Observer *o = user_data;

  for (guint p = position; p < position + added; p++)
    {
      RdReferral *item = g_list_model_get_item (model, p);

      if (item == NULL)
        continue;
      if (rd_referral_is_placeholder (item))
        {
          g_object_unref (item);
          continue;
        }
      on_version_notify (G_OBJECT (item), NULL, o);
      g_signal_connect (item, "notify::version", G_CALLBACK (on_version_notify), o);
      g_ptr_array_add (o->items, item);
    }
}

static void writer_send (Writer *w);

static gboolean
writer_next (gpointer user_data)
{
  writer_send (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_writer_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Writer *w = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  gint64 now = g_get_monotonic_time ();
  RowVersion *rv = &w->rows[w->next];

  w->busy = FALSE;
  if (res == NULL || rd_result_get_n_rows (res) != 1)
    {
      if (w->n_errors++ == 0)
        g_printerr ("bench-worklist-app: a change of referral %" G_GINT64_FORMAT " failed: %s\n",
                    rv->id, error ? error->message : "no row (version moved)");
    }
  else if (rd_result_get_int64 (res, 0, 1) == rv->version)
    {
      /* Nothing changed (the row had that assignee already): no new
       * version, nothing to propagate. */
      rv->to_other = !rv->to_other;
    }
  else
    {
      gint64 *t = g_new (gint64, 1);

      rv->to_other = !rv->to_other;
      rv->version = rd_result_get_int64 (res, 0, 1);
      *t = now;
      g_hash_table_insert (acks, g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                                                  rv->id, rv->version), t);
      live_commits++;
    }
  w->next = (w->next + 1) % G_N_ELEMENTS (w->rows);
  if (live_running)
    g_timeout_add (g_rand_int_range (live_rand, 1000, 2000), writer_next, w);
}

/* The change the team board's reassign makes (rd_repo_referral_assign_async's
 * UPDATE), in autocommit: the query's completion is the commit
 * acknowledgement. */
static void
writer_send (Writer *w)
{
  RowVersion *rv = &w->rows[w->next];
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, rv->id);
  g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, rv->version);
  const char *assignee = rv->to_other ? OTHER_MEMBER : QUEUE_LOGIN;
  const char *params[] = { id, version, assignee };

  if (!live_running)
    return;
  w->busy = TRUE;
  rd_connection_query_async (w->conn,
                             "UPDATE rd.referral SET assignee = $3 WHERE id = $1::bigint"
                             " AND version = $2::bigint RETURNING id, version",
                             params, G_N_ELEMENTS (params), RD_CONNECTION_TIMEOUT_DEFAULT, NULL,
                             on_writer_done, w);
}

static gboolean
writers_idle (gpointer data)
{
  GPtrArray *writers = data;

  for (guint i = 0; i < writers->len; i++)
    if (((Writer *) g_ptr_array_index (writers, i))->busy)
      return FALSE;
  return TRUE;
}

static gboolean
observers_settled (gpointer data)
{
  GPtrArray *observers = data;

  for (guint i = 0; i < observers->len; i++)
    if (!list_settled (((Observer *) g_ptr_array_index (observers, i))->list))
      return FALSE;
  return TRUE;
}

/* The worklist widget ------------------------------------------------------------------ */

typedef struct {
  RdReferralList *list;
  GtkAdjustment  *adj;
  guint           paints;   /* frames the window's clock has painted */
  gint64          frame_start;
  gint64          max_frame_us;   /* longest before-paint to after-paint */
  guint           n_changes;      /* items-changed emissions of the list */
  guint64         n_changed;      /* rows they replaced or added */
} View;

static void
on_view_items_changed (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       gpointer    user_data)
{
  View *v = user_data;

  v->n_changes++;
  v->n_changed += added;
}

static void
on_view_before_paint (GdkFrameClock *clock,
                      gpointer       user_data)
{
  ((View *) user_data)->frame_start = g_get_monotonic_time ();
}

static void
on_view_painted (GdkFrameClock *clock,
                 gpointer       user_data)
{
  View *v = user_data;

  v->paints++;
  if (v->frame_start != 0)
    v->max_frame_us = MAX (v->max_frame_us, g_get_monotonic_time () - v->frame_start);
  v->frame_start = 0;
}

static gboolean
view_painted_since (gpointer data)
{
  View *v = data;

  return v->paints > GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (v->adj), "rd-bench-paints"));
}

/* Runs the main loop until the window paints again (or @seconds pass). */
static gboolean
wait_paint (View      *v,
            GtkWidget *window,
            double     seconds)
{
  g_object_set_data (G_OBJECT (v->adj), "rd-bench-paints", GUINT_TO_POINTER (v->paints));
  gtk_widget_queue_draw (window);
  return wait_for (view_painted_since, v, seconds);
}

static gboolean
view_first_rows (gpointer data)
{
  View *v = data;
  g_autoptr(RdReferral) first = NULL;

  if (!list_settled (v->list))
    return FALSE;
  if (g_list_model_get_n_items (G_LIST_MODEL (v->list)) == 0)
    return TRUE;
  first = item_at (v->list, 0);
  return first != NULL && !rd_referral_is_placeholder (first);
}

/* The rows the viewport shows at the adjustment's value: the list view
 * gives every row the same height here, so positions are proportional. */
static void
view_rows (View  *v,
           guint *from,
           guint *to)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (v->list));
  double upper = gtk_adjustment_get_upper (v->adj);
  double value = gtk_adjustment_get_value (v->adj);
  double page = gtk_adjustment_get_page_size (v->adj);

  if (upper <= 0 || n == 0)
    {
      *from = *to = 0;
      return;
    }
  *from = MIN (n, (guint) (value / upper * n));
  *to = MIN (n, (guint) ((value + page) / upper * n + 0.999));
}

/* Restarts the kernel's count of the peak resident set (VmHWM). */
static gboolean
reset_peak_rss (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}

/* Builds the worklist as the window does (RdWorklistView on the person's
 * RdConnection, following an RdListener) in a window on the display, shows
 * the list of all WIDE_LOGIN's queues, scrolls it through RSS_ROWS rows one
 * screenful a step, and reads the process's memory. */
static void
measure_view (const char *n_open_wide)
{
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdListener) listener = NULL;
  g_autoptr(RdReferralQuery) query = rd_referral_query_new ();
  g_autofree char *conninfo = NULL;
  GtkWidget *window, *view, *column_view, *scrolled;
  GdkFrameClock *clock;
  View v = { 0 };
  guint listening = 0, n, target, from = 0, to = 0, steps = 0, waited_loads = 0;
  double before_gtk, before, rss, hwm, first_rows_stall_ms, open_stall_ms, scroll_s, load_ms;
  gint64 t0, t_load;
  gboolean reset_hwm, stopped = FALSE;
  gulong paint_id, before_paint_id, changes_id;
  guint first_rows_changes;
  guint64 first_rows_changed;
  double first_rows_frame_ms;

  if ((g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL))
    {
      g_print ("\nno display: the worklist widget was not measured, no worklist.rss_mb_after_100k_rows "
               "(run it through ./dev bench worklist, which starts Xvfb)\n");
      return;
    }
  /* What the earlier measurements left: freed heap back to the system. */
  malloc_trim (0);
  before_gtk = rss_mb ("VmRSS:");
  gtk_disable_setlocale ();   /* the figures keep their decimal point */
  if (!gtk_init_check ())
    {
      g_print ("\ncannot open the display %s: the worklist widget was not measured\n",
               g_getenv ("DISPLAY"));
      return;
    }

  /* The peak (VmHWM) restarts here: "5" to clear_refs resets it. */
  reset_hwm = reset_peak_rss ();
  before = rss_mb ("VmRSS:");

  /* Opening the window: GTK's and libadwaita's start-up, the template, the
   * first frame. Its stall is printed, not counted in the figure. */
  stall_phase = "opening the worklist window";
  stall_uncounted = TRUE;
  stall_phase_max_us = 0;
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE,
                "gtk-enable-animations", FALSE, NULL);
  conninfo = rd_test_pg_conninfo (dbname, WIDE_LOGIN);
  conn = open_as (WIDE_LOGIN);
  listener = rd_listener_new (conninfo);
  rd_listener_start_async (listener, NULL, on_listening, &listening);
  wait_for (flag_set, &listening, WAIT_SECONDS);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  view = rd_worklist_view_new ();
  gtk_window_set_child (GTK_WINDOW (window), view);
  rd_worklist_view_set_connection (RD_WORKLIST_VIEW (view), conn);
  rd_worklist_view_set_listener (RD_WORKLIST_VIEW (view), listener);
  gtk_window_present (GTK_WINDOW (window));
  if (!rd_test_ui_wait_drawn (window, 20000))
    {
      g_printerr ("bench-worklist-app: the worklist window did not draw\n");
      exit (1);
    }
  open_stall_ms = stall_phase_max_us / 1000.0;
  stall_uncounted = FALSE;

  v.list = rd_worklist_view_get_model (RD_WORKLIST_VIEW (view));
  column_view = rd_test_ui_find_by_type (view, GTK_TYPE_COLUMN_VIEW);
  scrolled = column_view ? gtk_widget_get_ancestor (column_view, GTK_TYPE_SCROLLED_WINDOW) : NULL;
  if (scrolled == NULL)
    {
      g_printerr ("bench-worklist-app: no column view in a scrolled window in the worklist\n");
      exit (1);
    }
  v.adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  clock = gtk_widget_get_frame_clock (window);
  paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_view_painted), &v);
  before_paint_id = g_signal_connect (clock, "before-paint", G_CALLBACK (on_view_before_paint), &v);

  /* "All my queues", as the sidebar's first entry asks for. */
  stall_phase = "the worklist view: first rows";
  stall_phase_max_us = 0;
  changes_id = g_signal_connect (v.list, "items-changed", G_CALLBACK (on_view_items_changed), &v);
  t_load = g_get_monotonic_time ();
  rd_worklist_view_set_query (RD_WORKLIST_VIEW (view), query);
  if (!wait_for (view_first_rows, &v, WAIT_SECONDS))
    {
      g_printerr ("bench-worklist-app: the worklist view showed no rows\n");
      exit (1);
    }
  check_list (v.list, "the worklist view");
  wait_paint (&v, window, 5);
  load_ms = (g_get_monotonic_time () - t_load) / 1000.0;
  first_rows_stall_ms = stall_phase_max_us / 1000.0;
  first_rows_frame_ms = v.max_frame_us / 1000.0;
  first_rows_changes = v.n_changes;
  first_rows_changed = v.n_changed;
  v.max_frame_us = 0;
  v.n_changes = 0;
  v.n_changed = 0;

  /* Scrolling: one screenful a step; each step lets a frame draw, waits for
   * the rows it shows (the view asks the list for them as it binds them),
   * and lets the loaded rows draw. */
  stall_phase = "the worklist view: scrolling";
  stall_phase_max_us = 0;
  n = g_list_model_get_n_items (G_LIST_MODEL (v.list));
  target = MIN (n, RSS_ROWS);
  t0 = g_get_monotonic_time ();
  view_rows (&v, &from, &to);
  while (to < target)
    {
      double page = gtk_adjustment_get_page_size (v.adj);
      double top = gtk_adjustment_get_upper (v.adj) - page;
      double value = gtk_adjustment_get_value (v.adj);
      Window w = { v.list, 0, 0 };

      if (value >= top)
        break;  /* the end of the list */
      gtk_adjustment_set_value (v.adj, MIN (value + page, top));
      steps++;
      wait_paint (&v, window, 5);
      view_rows (&v, &from, &to);
      w.from = from;
      w.to = to;
      if (!window_loaded (&w))
        {
          waited_loads++;
          if (!wait_for (window_loaded, &w, 30))
            {
              g_print ("  rows %u to %u did not load in 30 s; scrolling stopped there\n", from, to);
              stopped = TRUE;
              break;
            }
          wait_paint (&v, window, 5);
        }
      check_list (v.list, "scrolling the worklist view");
      if ((g_get_monotonic_time () - t0) / 1e6 > BUDGET_SECONDS)
        {
          g_print ("  scrolling stopped at row %u after %d s\n", to, BUDGET_SECONDS);
          stopped = TRUE;
          break;
        }
    }
  scroll_s = (g_get_monotonic_time () - t0) / 1e6;
  rss = rss_mb ("VmRSS:");
  hwm = rss_mb ("VmHWM:");

  g_print ("\nthe application's worklist: RdWorklistView (its column view, cells and RdReferralList) in a "
           "1280x800 GtkWindow on the display %s (GSK_RENDERER=%s), on an RdConnection and RdListener "
           "as " WIDE_LOGIN ", all open referrals of " WIDE_LOGIN "'s queues (%s open, %u rows in the list)\n",
           g_getenv ("DISPLAY") ? g_getenv ("DISPLAY") : "(Wayland)",
           g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default", n_open_wide, n);
  g_print ("  opening the window (adw_init, template, first frame, connecting): longest main-loop stall "
           "%.1f ms (start-up: not counted in ui.max_main_loop_stall_ms); "
           "rd_worklist_view_set_query to the first rows drawn %.1f ms, longest main-loop stall meanwhile "
           "%.1f ms (counted), longest frame (the frame clock's before-paint to after-paint: update, "
           "layout, paint) %.1f ms; the list emitted items-changed %u times for %" G_GUINT64_FORMAT " rows\n",
           open_stall_ms, load_ms, first_rows_stall_ms, first_rows_frame_ms, first_rows_changes,
           first_rows_changed);
  g_print ("  scrolled rows 0 to %u%s in %u steps of one screenful (%.0f px, about %u rows; "
           "gtk_adjustment_set_value on the column view's scrolled window, a frame drawn after each step, "
           "%u steps waited for their rows to load and drew again): %.1f s, %.0f rows/s; "
           "longest main-loop stall while scrolling %.1f ms, longest frame %.1f ms; the list emitted "
           "items-changed %u times for %" G_GUINT64_FORMAT " rows\n",
           to, to >= RSS_ROWS ? "" : stopped ? " (stopped early, see above)"
                                             : " (the whole list: it has fewer than 100,000 rows)",
           steps, gtk_adjustment_get_page_size (v.adj), to - from, waited_loads, scroll_s,
           scroll_s > 0 ? to / scroll_s : 0, stall_phase_max_us / 1000.0, v.max_frame_us / 1000.0,
           v.n_changes, v.n_changed);
  g_print ("  memory of this process: VmRSS %.1f MB after the measurements above (malloc_trim), "
           "%.1f MB after gtk_init, %.1f MB after scrolling; VmHWM %s %.1f MB; %u rows loaded in the "
           "model at the end\n",
           before_gtk, before, rss, reset_hwm ? "(the peak since gtk_init)" : "(the peak of the whole run: "
           "/proc/self/clear_refs could not reset it)", hwm, rd_referral_list_get_n_loaded (v.list));
  figure ("worklist.rss_mb_after_100k_rows", rss, 1);
  figure ("worklist.hwm_mb_after_100k_rows", hwm, 1);
  figure ("worklist.view_rows_scrolled", to, 0);
  figure ("worklist.view_scroll_s", scroll_s, 1);
  figure ("worklist.view_scroll_rows_per_s", scroll_s > 0 ? to / scroll_s : 0, 0);
  figure ("ui.view_first_rows_stall_ms", first_rows_stall_ms, 1);
  figure ("ui.view_scroll_stall_ms", stall_phase_max_us / 1000.0, 1);
  if (to < RSS_ROWS)
    g_print ("  (worklist.rss_mb_after_100k_rows here is after %u rows, not 100,000)\n", to);

  g_signal_handler_disconnect (clock, paint_id);
  g_signal_handler_disconnect (clock, before_paint_id);
  g_signal_handler_disconnect (v.list, changes_id);
  gtk_window_destroy (GTK_WINDOW (window));
  run_loop_for (200);
  rd_connection_close (rd_listener_get_connection (listener));
  rd_connection_close (conn);
}

/* Main --------------------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *reuse = NULL;
  gint64 n_referrals = 1000000;
  gint64 seed_value = 1;
  int n_writers = 50;
  int n_observers = 10;
  int live_seconds = 30;
  GOptionEntry entries[] = {
    { "referrals", 0, 0, G_OPTION_ARG_INT64, &n_referrals, "Referrals to seed (default 1000000)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed_value, "Seed of the demo data (default 1)", "S" },
    { "database", 0, 0, G_OPTION_ARG_STRING, &reuse, "Measure an already seeded database", "NAME" },
    { "writers", 0, 0, G_OPTION_ARG_INT, &n_writers, "Simulated workstations committing changes (default 50)", "N" },
    { "observers", 0, 0, G_OPTION_ARG_INT, &n_observers, "Listening worklists (default 10)", "N" },
    { "live-seconds", 0, 0, G_OPTION_ARG_INT, &live_seconds, "Length of the live test (default 30)", "S" },
    { NULL }
  };
  g_auto(GStrv) env_args = NULL;
  g_autoptr(GPtrArray) all_args = g_ptr_array_new ();
  const char *extra = g_getenv ("RD_BENCH_ARGS");
  char **args;
  int n_args;
  g_autofree char *version = NULL;
  g_autofree char *queue_id = NULL;
  g_autofree char *n_open_queue = NULL;
  g_autofree char *n_open_wide = NULL;
  double first_ms = -1, psql_ms = -1, deep_ms = -1, wide_first_ms = -1, rss = -1, hwm = -1;
  double prop50 = -1, prop99 = -1;
  guint deep_depth = 0, rss_rows = 0;
  g_autofree char *psql_command = NULL;

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
      g_printerr ("bench-worklist-app: %s\n", error->message);
      return 2;
    }
  n_writers = CLAMP (n_writers, 1, 200);
  n_observers = CLAMP (n_observers, 1, 100);

  g_print ("command: %s%s%s%s (run by ./dev bench worklist, which passes its arguments in RD_BENCH_ARGS)\n",
           argv[0], extra != NULL ? " RD_BENCH_ARGS='" : "", extra != NULL ? extra : "",
           extra != NULL ? "'" : "");

  if (!rd_test_pg_available ())
    {
      g_print ("bench-worklist-app: skipped, no PostgreSQL (run it through ./dev bench worklist)\n");
      return 77;
    }

  /* Set-up (blocking, before the main loop is watched). */
  if (reuse != NULL)
    dbname = g_strdup (reuse);
  else
    {
      g_autofree char *exe = g_build_filename (g_getenv ("RD_BUILD_ROOT"), "src", "admin",
                                               "referral-desk-admin", NULL);
      g_autofree char *conninfo = NULL;
      g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, n_referrals);
      g_autofree char *seed = g_strdup_printf ("%" G_GINT64_FORMAT, seed_value);
      g_autoptr(GSubprocess) proc = NULL;
      PGconn *init;
      gint64 t0;

      dbname = rd_test_pg_create_database ();
      init = rd_test_pg_connect (dbname, NULL);
      if (!rd_init_db (init, NULL, &error))
        {
          g_printerr ("bench-worklist-app: init-db failed: %s\n", error->message);
          return 1;
        }
      PQfinish (init);
      conninfo = rd_test_pg_conninfo (dbname, NULL);
      g_print ("command: %s seed-demo --db \"dbname=%s\" --referrals %s --seed %s\n", exe, dbname, n, seed);
      t0 = g_get_monotonic_time ();
      proc = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, exe, "seed-demo", "--db", conninfo,
                               "--referrals", n, "--seed", seed, NULL);
      if (proc == NULL || !g_subprocess_wait_check (proc, NULL, &error))
        {
          g_printerr ("bench-worklist-app: seed-demo failed: %s\n", error->message);
          return 1;
        }
      g_print ("seed-demo --referrals %s: %.1f s\n", n, (g_get_monotonic_time () - t0) / 1e6);
    }

  {
    g_autoptr(PGconn) admin = rd_test_pg_connect (dbname, NULL);
    g_autoptr(PGresult) res = NULL;

    res = rd_test_pg_exec (admin,
                           "SELECT current_setting('server_version'),"
                           " (SELECT id FROM rd.work_queue WHERE name = '" QUEUE_NAME "'),"
                           " (SELECT count(*) FROM rd.referral)");
    version = g_strdup (PQgetvalue (res, 0, 0));
    queue_id = g_strdup (PQgetvalue (res, 0, 1));
    g_print ("\nmachine: %u cores, PostgreSQL %s (libpq %d)\n", g_get_num_processors (), version,
             PQlibVersion ());
    g_print ("data: %s referrals in database %s\n", PQgetvalue (res, 0, 2), dbname);
  }

  /* The open rows each list shows, counted as its user (row-level security). */
  {
    g_autoptr(PGconn) omar = rd_test_pg_connect (dbname, QUEUE_LOGIN);
    g_autoptr(PGconn) sam = rd_test_pg_connect (dbname, WIDE_LOGIN);
    g_autoptr(PGresult) a = NULL;
    g_autoptr(PGresult) b = NULL;
    const char *qp[1] = { queue_id };

    a = PQexecParams (omar, "SELECT count(*) FROM rd.worklist w WHERE w.queue_id = $1::bigint"
                            " AND rd.status_is_open(w.status)", 1, NULL, qp, NULL, NULL, 0);
    b = PQexecParams (sam, "SELECT count(*) FROM rd.worklist w WHERE rd.status_is_open(w.status)",
                      0, NULL, NULL, NULL, NULL, 0);
    if (PQresultStatus (a) != PGRES_TUPLES_OK || PQresultStatus (b) != PGRES_TUPLES_OK)
      {
        g_printerr ("bench-worklist-app: counting failed: %s%s\n", PQresultErrorMessage (a),
                    PQresultErrorMessage (b));
        return 1;
      }
    n_open_queue = g_strdup (PQgetvalue (a, 0, 0));
    n_open_wide = g_strdup (PQgetvalue (b, 0, 0));
    g_print ("open referrals: %s in queue %s (" QUEUE_NAME ") as " QUEUE_LOGIN
             "; %s in all queues of " WIDE_LOGIN " (teams 2 and 3)\n",
             n_open_queue, queue_id, n_open_wide);
  }

  stall_last = g_get_monotonic_time ();
  g_timeout_add (STALL_PERIOD_MS, on_stall_tick, NULL);

  /* First page of a queue, and the same SQL through psql. ----------------------------- */
  stall_phase = "first page";
  {
    g_autoptr(RdConnection) conn = open_as (QUEUE_LOGIN);
    g_autoptr(RdReferralList) list = rd_referral_list_new (NULL);
    g_autoptr(RdReferralQuery) query = rd_referral_query_new ();
    g_autoptr(GArray) app_times = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) psql_times = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GString) vars = g_string_new (NULL);
    g_autofree char *psql = find_psql ();
    g_autofree char *stmt = NULL;
    Timing t = { .list = list };
    gboolean psql_ok = psql != NULL;

    query->queue_id = g_ascii_strtoll (queue_id, NULL, 10);
    g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), &t);
    rd_referral_list_set_filter (list, query);
    rd_referral_list_set_connection (list, conn);
    wait_for (list_settled, list, WAIT_SECONDS);
    check_list (list, "first page");

    /* The statement the first page sends: captured on one reload. */
    capture_sql = TRUE;
    time_first_page (&t);
    capture_sql = FALSE;
    stmt = psql_statement (captured_sql, vars);

    for (int w = 0; w < 3; w++)
      time_first_page (&t);
    for (int round = 0; round < FIRST_PAGE_ROUNDS; round++)
      {
        for (int i = 0; i < FIRST_PAGE_RUNS; i++)
          {
            double ms = time_first_page (&t);

            g_array_append_val (app_times, ms);
          }
        if (psql_ok)
          psql_ok = psql_session (psql, QUEUE_LOGIN, stmt, vars->str, psql_times, NULL);
      }
    first_ms = percentile (app_times, 50);
    g_print ("\nfirst page of queue %s (" QUEUE_NAME ") as " QUEUE_LOGIN ", %u rows a page: "
             "rd_referral_list_reload() to the first items-changed with real rows, "
             "RdReferralList on RdConnection, median of %u (p95 %.3f ms): %.3f ms\n",
             queue_id, MIN (g_list_model_get_n_items (G_LIST_MODEL (list)), 100u), app_times->len,
             percentile (app_times, 95), first_ms);
    g_print ("  SQL the list sent (captured from PQsendQueryParams in this bench), parameters:");
    for (guint i = 0; i < captured_params->len; i++)
      g_print (" $%u=%s", i + 1, (const char *) g_ptr_array_index (captured_params, i));
    g_print ("\n  %s\n", captured_sql);
    figure ("worklist.first_page_ms", first_ms, 3);
    if (psql_ok && psql_times->len > 0)
      {
        psql_ms = percentile (psql_times, 50);
        psql_command = g_strdup_printf ("%s -X -d \"dbname=%s user=" QUEUE_LOGIN "\" with \\timing on, "
                                        "the captured SQL with $N as psql variables :'pN'; "
                                        "%d sessions of %d runs (+%d warm-up), each after %d runs of the list",
                                        psql, dbname, FIRST_PAGE_ROUNDS, FIRST_PAGE_RUNS, PSQL_WARMUP,
                                        FIRST_PAGE_RUNS);
        g_print ("\nthe same SQL through psql, median of %u: %.3f ms\n  command: %s\n", psql_times->len,
                 psql_ms, psql_command);
        figure ("worklist.first_page_psql_ms", psql_ms, 3);
        figure ("worklist.first_page_ratio", first_ms / psql_ms, 2);
      }
    else
      g_print ("\npsql not found or failed: no worklist.first_page_psql_ms\n");
  }

  /* A page 500 pages deep, walking page by page. ---------------------------------------- */
  stall_phase = "deep page";
  {
    g_autoptr(RdConnection) conn = open_as (WIDE_LOGIN);
    g_autoptr(RdReferralList) list = rd_referral_list_new (NULL);
    g_autoptr(RdReferralQuery) query = rd_referral_query_new ();
    g_autoptr(GArray) firsts = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) deeps = g_array_new (FALSE, FALSE, sizeof (double));
    Timing t = { .list = list };
    guint page = 100;   /* the list's default page size, which the worklist uses */
    guint64 open_rows = g_ascii_strtoull (n_open_wide, NULL, 10);
    g_autoptr(GArray) pages = g_array_new (FALSE, FALSE, sizeof (double));
    double walk_s = 0;
    gint64 t_deep = g_get_monotonic_time ();
    gboolean out_of_time = FALSE;
    int walks;
    g_autofree char *psql = find_psql ();
    g_autofree char *mid_stmt = NULL;
    g_autoptr(GString) mid_vars = g_string_new (NULL);
    guint mid_page = 0;

    deep_depth = DEEP_PAGES;
    if ((guint64) (deep_depth + 1) * page > open_rows)
      deep_depth = (guint) MAX (1, open_rows / page - 1);

    g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), &t);
    rd_referral_list_set_filter (list, query);
    rd_referral_list_set_connection (list, conn);
    wait_for (list_settled, list, WAIT_SECONDS);
    check_list (list, "all my queues");

    for (walks = 0; walks < DEEP_WALKS && !out_of_time; walks++)
      {
        double first, last = 0;
        gint64 w0;

        first = time_first_page (&t);
        g_array_append_val (firsts, first);
        w0 = g_get_monotonic_time ();
        for (guint p = 1; p <= deep_depth; p++)
          {
            if (p * page >= g_list_model_get_n_items (G_LIST_MODEL (list)))
              {
                g_print ("  the list ended at page %u\n", p);
                deep_depth = p - 1;
                break;
              }
            /* The middle of the first walk: keep the statement the page
             * sent, for psql and EXPLAIN ANALYZE below. */
            if (walks == 0 && p == MAX (1, deep_depth / 2))
              {
                g_clear_pointer (&captured_sql, g_free);
                g_clear_pointer (&captured_params, g_ptr_array_unref);
                capture_sql = TRUE;
              }
            last = time_page_at (&t, p * page);
            if (capture_sql)
              {
                capture_sql = FALSE;
                mid_page = p + 1;
                mid_stmt = captured_sql ? psql_statement (captured_sql, mid_vars) : NULL;
              }
            g_array_append_val (pages, last);
            if ((g_get_monotonic_time () - t_deep) / 1e6 > BUDGET_SECONDS)
              {
                /* Slow pages: report how deep the time allowed. */
                out_of_time = TRUE;
                deep_depth = p;
                break;
              }
          }
        walk_s += (g_get_monotonic_time () - w0) / 1e6;
        g_array_append_val (deeps, last);
        if (walk_s > BUDGET_SECONDS / 2)
          out_of_time = TRUE;
      }
    wide_first_ms = percentile (firsts, 50);
    deep_ms = percentile (deeps, 50);
    g_print ("\nall open referrals of " WIDE_LOGIN "'s queues (no queue filter: the list takes an index "
             "range per queue), %u rows a page, %d walk(s) from the first page to page %u, each page "
             "asked for as a view does (get_item on the first row of the next hole), %.1f s a walk:\n"
             "  first page (reload to rows) median %.3f ms; page %u (keyset, request to rows) median %.3f ms; "
             "every page of the walks: p50 %.3f ms, p95 %.3f ms, max %.3f ms\n",
             page, walks, deep_depth + 1, walk_s / MAX (walks, 1), wide_first_ms, deep_depth + 1, deep_ms,
             percentile (pages, 50), percentile (pages, 95), percentile (pages, 100));
    figure ("worklist.deep_page_app_ms", deep_ms, 3);
    figure ("worklist.deep_page_ratio", deep_ms / wide_first_ms, 2);
    figure ("worklist.walk_page_p50_ms", percentile (pages, 50), 3);
    figure ("worklist.walk_page_p95_ms", percentile (pages, 95), 3);
    if (mid_stmt != NULL && psql != NULL)
      {
        g_autoptr(GArray) mid_times = g_array_new (FALSE, FALSE, sizeof (double));
        g_autofree char *plan = NULL;

        if (psql_session (psql, WIDE_LOGIN, mid_stmt, mid_vars->str, mid_times, &plan))
          {
            g_print ("\npage %u of the walk (its middle), the SQL the list sent, through psql as " WIDE_LOGIN
                     " (%s -X -d \"dbname=%s user=" WIDE_LOGIN "\", \\timing on), median of %u: %.3f ms;"
                     " parameters:", mid_page, psql, dbname, mid_times->len, percentile (mid_times, 50));
            for (guint i = 0; i < captured_params->len; i++)
              g_print (" $%u=%s", i + 1, (const char *) g_ptr_array_index (captured_params, i));
            g_print ("\n  %s\n  EXPLAIN (ANALYZE, BUFFERS):\n    %s\n", captured_sql, plan ? plan : "(none)");
            figure ("worklist.walk_middle_page_psql_ms", percentile (mid_times, 50), 3);
          }
      }
    if (out_of_time && deep_depth < DEEP_PAGES)
      g_print ("  (only %u pages deep: the walk stopped after %d s)\n", deep_depth, BUDGET_SECONDS);
    else if (deep_depth != DEEP_PAGES)
      g_print ("  (only %u pages deep: the data has fewer rows than %u pages)\n", deep_depth, DEEP_PAGES);
  }

  /* Resident memory after scrolling through 100,000 rows. ------------------------------- */
  stall_phase = "scrolling";
  {
    g_autoptr(RdConnection) conn = open_as (WIDE_LOGIN);
    g_autoptr(RdReferralList) list = rd_referral_list_new (NULL);
    g_autoptr(RdReferralQuery) query = rd_referral_query_new ();
    double before = rss_mb ("VmRSS:");
    gint64 t0;
    guint pos = 0;

    rd_referral_list_set_filter (list, query);
    rd_referral_list_set_connection (list, conn);
    wait_for (list_settled, list, WAIT_SECONDS);
    check_list (list, "scrolling");

    t0 = g_get_monotonic_time ();
    while (pos < RSS_ROWS)
      {
        guint n = g_list_model_get_n_items (G_LIST_MODEL (list));
        Window w = { list, pos, MIN (pos + VIEW_ROWS, n) };

        if (pos >= n)
          break;
        if (!wait_for (window_loaded, &w, 30))
          {
            g_print ("  rows %u to %u did not load; stopped there\n", w.from, w.to);
            break;
          }
        if ((g_get_monotonic_time () - t0) / 1e6 > BUDGET_SECONDS)
          {
            g_print ("  scrolling stopped at row %u after %d s\n", w.to, BUDGET_SECONDS);
            rss_rows = w.to;
            break;
          }
        check_list (list, "scrolling");
        rss_rows = w.to;
        pos += VIEW_STEP;
      }
    rss = rss_mb ("VmRSS:");
    hwm = rss_mb ("VmHWM:");
    g_print ("\nscrolling the list of all " WIDE_LOGIN "'s queues from row 0 to row %u, %u rows in view, "
             "%u rows a step, each step waiting for its rows: %.1f s; VmRSS before %.1f MB, after %.1f MB "
             "(VmHWM, the peak of this process so far, %.1f MB); %u rows loaded "
             "in the model at the end\n",
             rss_rows, VIEW_ROWS, VIEW_STEP, (g_get_monotonic_time () - t0) / 1e6, before, rss, hwm,
             rd_referral_list_get_n_loaded (list));
    figure ("worklist.model_rss_mb_after_100k_rows", rss, 1);
    if (rss_rows < RSS_ROWS)
      g_print ("  (only %u rows were asked for)\n", rss_rows);
  }

  /* The same with the application's worklist widget under the display. --------------- */
  measure_view (n_open_wide);

  /* Live: writers commit, observers' models update. -------------------------------------- */
  stall_phase = "live";
  {
    g_autoptr(GPtrArray) observers = g_ptr_array_new ();
    g_autoptr(GPtrArray) writers = g_ptr_array_new ();
    g_autoptr(GArray) delays = g_array_new (FALSE, FALSE, sizeof (double));
    g_autofree char *conninfo = rd_test_pg_conninfo (dbname, QUEUE_LOGIN);
    RdReferralList *first_list;
    guint listening = 0, n_rows, early = 0, unmatched = 0, errors = 0;
    guint per_observer[100] = { 0 }, min_seen = G_MAXUINT, max_seen = 0;

    acks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    seen_keys_time = g_array_new (FALSE, FALSE, sizeof (Seen));
    live_rand = g_rand_new_with_seed (5);

    for (int i = 0; i < n_observers; i++)
      {
        Observer *o = g_new0 (Observer, 1);
        g_autoptr(RdReferralQuery) query = rd_referral_query_new ();

        o->index = i;
        o->conn = open_as (QUEUE_LOGIN);
        o->listener = rd_listener_new (conninfo);
        rd_listener_start_async (o->listener, NULL, on_listening, &listening);
        o->list = rd_referral_list_new (NULL);
        query->queue_id = g_ascii_strtoll (queue_id, NULL, 10);
        rd_referral_list_set_filter (o->list, query);
        rd_referral_list_set_connection (o->list, o->conn);
        rd_referral_list_follow (o->list, o->listener);
        o->items = g_ptr_array_new_with_free_func (g_object_unref);
        g_ptr_array_add (observers, o);
      }
    while (listening < (guint) n_observers)
      g_main_context_iteration (NULL, TRUE);
    wait_for (observers_settled, observers, WAIT_SECONDS);

    first_list = ((Observer *) g_ptr_array_index (observers, 0))->list;
    n_rows = MIN (g_list_model_get_n_items (G_LIST_MODEL (first_list)), 100u);
    for (guint i = 0; i < observers->len; i++)
      {
        Observer *o = g_ptr_array_index (observers, i);

        check_list (o->list, "live");
        for (guint p = 0; p < n_rows; p++)
          {
            RdReferral *item = item_at (o->list, p);

            g_signal_connect (item, "notify::version", G_CALLBACK (on_version_notify), o);
            g_ptr_array_add (o->items, item);
          }
      }

    /* Each writer changes two rows of the first page that no other writer
     * touches, so no change fails on a stale version. */
    for (int i = 0; i < n_writers; i++)
      {
        Writer *w = g_new0 (Writer, 1);

        w->conn = open_as (LEAD_LOGIN);
        for (guint k = 0; k < G_N_ELEMENTS (w->rows); k++)
          {
            RdReferral *item = g_ptr_array_index (((Observer *) g_ptr_array_index (observers, 0))->items,
                                                  (i + k * n_writers) % n_rows);

            w->rows[k].id = rd_referral_get_id (item);
            w->rows[k].version = rd_referral_get_version (item);
            w->rows[k].to_other = g_strcmp0 (rd_referral_get_assignee (item), OTHER_MEMBER) != 0;
          }
        if ((guint) i + n_writers >= n_rows)
          w->rows[1] = w->rows[0];  /* fewer rows than two per writer */
        g_ptr_array_add (writers, w);
      }

    for (guint i = 0; i < observers->len; i++)
      {
        Observer *o = g_ptr_array_index (observers, i);

        g_signal_connect (o->list, "items-changed", G_CALLBACK (on_observer_items_changed), o);
      }
    live_running = TRUE;
    for (guint i = 0; i < writers->len; i++)
      g_timeout_add (g_rand_int_range (live_rand, 0, 2000), writer_next, g_ptr_array_index (writers, i));
    run_loop_for (live_seconds * 1000);
    live_running = FALSE;
    wait_for (writers_idle, writers, WAIT_SECONDS);
    run_loop_for (2000);   /* the last notifications */
    wait_for (observers_settled, observers, WAIT_SECONDS);

    for (guint i = 0; i < seen_keys_time->len; i++)
      {
        Seen *s = &g_array_index (seen_keys_time, Seen, i);
        g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, s->id, s->version);
        gint64 *ack = g_hash_table_lookup (acks, key);
        double ms;

        if (ack == NULL)
          {
            unmatched++;
            continue;
          }
        ms = (s->time - *ack) / 1000.0;
        if (ms < 0)
          {
            early++;
            ms = 0;
          }
        g_array_append_val (delays, ms);
        if (s->observer < G_N_ELEMENTS (per_observer))
          per_observer[s->observer]++;
      }
    for (int i = 0; i < MIN (n_observers, (int) G_N_ELEMENTS (per_observer)); i++)
      {
        min_seen = MIN (min_seen, per_observer[i]);
        max_seen = MAX (max_seen, per_observer[i]);
      }
    for (guint i = 0; i < writers->len; i++)
      errors += ((Writer *) g_ptr_array_index (writers, i))->n_errors;
    prop50 = percentile (delays, 50);
    prop99 = percentile (delays, 99);
    g_print ("\nlive: %d workstations (one RdConnection each, logged in as " LEAD_LOGIN ") reassigned "
             "rows of queue %s's first page (the UPDATE of rd_repo_referral_assign_async, autocommit) "
             "every 1-2 s each for %d s: %u commits, %u failed; %d observers (one RdListener and one "
             "followed RdReferralList on its own RdConnection each, as " QUEUE_LOGIN ") saw %u "
             "updates (expected %u); commit acknowledgement to the observer's item showing the new "
             "version (notify::version in place, or items-changed when the row moved): p50 %.1f ms, p99 %.1f ms, max %.1f ms; %u updates arrived "
             "before the writer's acknowledgement was dispatched (counted as 0 ms), %u without a "
             "matching commit\n",
             n_writers, queue_id, live_seconds, live_commits, errors, n_observers, delays->len,
             live_commits * n_observers, prop50, prop99, percentile (delays, 100), early, unmatched);
    g_print ("  all %d simulated workstations and %d observers share this process's one main loop "
             "on %u cores, with the database server on the same machine\n",
             n_writers, n_observers, g_get_num_processors ());
    g_print ("  updates seen per observer: %u to %u\n", min_seen, max_seen);
    figure ("live.propagation_p50_ms", prop50, 1);
    figure ("live.propagation_p99_ms", prop99, 1);

    for (guint i = 0; i < observers->len; i++)
      {
        Observer *o = g_ptr_array_index (observers, i);

        for (guint k = 0; k < o->items->len; k++)
          g_signal_handlers_disconnect_by_func (g_ptr_array_index (o->items, k), on_version_notify, o);
        g_ptr_array_unref (o->items);
        g_signal_handlers_disconnect_by_func (o->list, on_observer_items_changed, o);
        rd_referral_list_follow (o->list, NULL);
        g_object_unref (o->list);
        rd_connection_close (rd_listener_get_connection (o->listener));
        g_object_unref (o->listener);
        rd_connection_close (o->conn);
        g_object_unref (o->conn);
        g_free (o);
      }
    for (guint i = 0; i < writers->len; i++)
      {
        Writer *w = g_ptr_array_index (writers, i);

        rd_connection_close (w->conn);
        g_object_unref (w->conn);
        g_free (w);
      }
    g_hash_table_unref (acks);
    g_array_unref (seen_keys_time);
    g_rand_free (live_rand);
  }

  g_print ("\nmain loop: a %d ms timeout on the default main context during every measurement "
           "above; longest delay beyond its period %.1f ms (during: %s)\n",
           STALL_PERIOD_MS, stall_max_us / 1000.0, stall_max_phase);
  figure ("ui.max_main_loop_stall_ms", stall_max_us / 1000.0, 1);


  g_free (captured_sql);
  g_clear_pointer (&captured_params, g_ptr_array_unref);
  g_free (dbname);
  return 0;
}
