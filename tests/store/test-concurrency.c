/* test-concurrency.c — many sessions at once: versions, next referral, idempotency
 *
 * Each worker thread has its own libpq connection as a real staff login.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "schema-fixture.h"

#define N_SESSIONS 20

/* A reusable barrier: every worker waits until all have arrived. */
typedef struct {
  GMutex mutex;
  GCond  cond;
  guint  waiting;
  guint  generation;
  guint  count;
} Barrier;

static void
barrier_wait (Barrier *b)
{
  guint gen;

  g_mutex_lock (&b->mutex);
  gen = b->generation;
  if (++b->waiting == b->count)
    {
      b->waiting = 0;
      b->generation++;
      g_cond_broadcast (&b->cond);
    }
  else
    while (gen == b->generation)
      g_cond_wait (&b->cond, &b->mutex);
  g_mutex_unlock (&b->mutex);
}

typedef struct {
  FxDb       *db;
  const char *login;
  char      **referrals;
  guint       n_referrals;
  Barrier    *barrier;
  const char *queue;
  guint       rounds;
  /* results */
  guint       wins;
  guint       conflicts;
  guint       errors;
  GArray     *got;
  char       *got_id;
} Worker;

/* Every round: all sessions read the same version, wait for each other,
 * then all save with it. Exactly one save per referral may win. */
static gpointer
stale_worker (gpointer data)
{
  Worker *w = data;
  g_autoptr(PGconn) conn = fx_connect (w->db, w->login);

  for (guint round = 0; round < w->rounds; round++)
    for (guint r = 0; r < w->n_referrals; r++)
      {
        g_autoptr(PGresult) res = NULL;
        g_autofree char *version = NULL;
        g_autofree char *note = g_strdup_printf ("%p round %u", (void *) w, round);
        const char *params[3];

        res = PQexecParams (conn, "SELECT version FROM rd.referral WHERE id = $1::bigint",
                            1, NULL, (const char * const[]) { w->referrals[r] }, NULL, NULL, 0);
        version = g_strdup (PQgetvalue (res, 0, 0));
        g_clear_pointer (&res, PQclear);

        barrier_wait (w->barrier);

        params[0] = w->referrals[r];
        params[1] = version;
        params[2] = note;
        res = PQexecParams (conn,
                            "UPDATE rd.referral SET notes = $3 "
                            "WHERE id = $1::bigint AND version = $2::bigint RETURNING version",
                            3, NULL, params, NULL, NULL, 0);
        if (PQresultStatus (res) != PGRES_TUPLES_OK)
          w->errors++;
        else if (PQntuples (res) == 1)
          w->wins++;
        else
          w->conflicts++;

        barrier_wait (w->barrier);
      }

  return NULL;
}

static void
test_stale_versions (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *login = NULL;
  char *referrals[5];
  Worker workers[N_SESSIONS] = { 0 };
  GThread *threads[N_SESSIONS];
  Barrier barrier = { .count = N_SESSIONS };
  guint rounds = 5;
  guint wins = 0, conflicts = 0, errors = 0;

  if (db == NULL)
    return;

  queue = fx_team (db, "Busy");
  login = fx_staff (db, "busy", RD_STAFF_ROLE_SPECIALIST, "Busy");
  for (guint i = 0; i < G_N_ELEMENTS (referrals); i++)
    referrals[i] = fx_referral (db->admin, queue, "triage", "Busy");

  g_mutex_init (&barrier.mutex);
  g_cond_init (&barrier.cond);
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      workers[i] = (Worker) { .db = db, .login = login, .referrals = referrals,
                              .n_referrals = G_N_ELEMENTS (referrals), .barrier = &barrier,
                              .rounds = rounds };
      threads[i] = g_thread_new ("stale", stale_worker, &workers[i]);
    }
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      g_thread_join (threads[i]);
      wins += workers[i].wins;
      conflicts += workers[i].conflicts;
      errors += workers[i].errors;
    }

  g_assert_cmpuint (errors, ==, 0);
  /* One winner per referral and round; every other save was told it lost. */
  g_assert_cmpuint (wins, ==, rounds * G_N_ELEMENTS (referrals));
  g_assert_cmpuint (conflicts, ==, (N_SESSIONS - 1) * rounds * G_N_ELEMENTS (referrals));
  for (guint i = 0; i < G_N_ELEMENTS (referrals); i++)
    {
      g_assert_cmpint (fx_int (db->admin, "SELECT version FROM rd.referral WHERE id = $1::bigint",
                               referrals[i], NULL), ==, 1 + rounds);
      g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM audit.log WHERE table_name = "
                               "'referral' AND operation = 'UPDATE' AND row_id = $1::bigint",
                               referrals[i], NULL), ==, rounds);
      g_free (referrals[i]);
    }
  g_mutex_clear (&barrier.mutex);
  g_cond_clear (&barrier.cond);
}

/* Read-modify-write with retry on conflict: 20 sessions × 10 increments
 * of one counter must end at 200; a lost update would leave it lower. */
static gpointer
increment_worker (gpointer data)
{
  Worker *w = data;
  g_autoptr(PGconn) conn = fx_connect (w->db, w->login);

  barrier_wait (w->barrier);
  for (guint i = 0; i < w->rounds; i++)
    for (;;)
      {
        g_autoptr(PGresult) res = NULL;
        g_autofree char *next = NULL;
        g_autofree char *version = NULL;
        const char *params[3];

        res = PQexecParams (conn, "SELECT notes, version FROM rd.referral WHERE id = $1::bigint",
                            1, NULL, (const char * const[]) { w->referrals[0] }, NULL, NULL, 0);
        next = g_strdup_printf ("%" G_GINT64_FORMAT,
                                g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10) + 1);
        version = g_strdup (PQgetvalue (res, 0, 1));
        g_clear_pointer (&res, PQclear);

        params[0] = w->referrals[0];
        params[1] = version;
        params[2] = next;
        res = PQexecParams (conn,
                            "UPDATE rd.referral SET notes = $3 "
                            "WHERE id = $1::bigint AND version = $2::bigint",
                            3, NULL, params, NULL, NULL, 0);
        if (PQresultStatus (res) != PGRES_COMMAND_OK)
          {
            w->errors++;
            break;
          }
        if (g_str_equal (PQcmdTuples (res), "1"))
          {
            w->wins++;
            break;
          }
        w->conflicts++;
      }

  return NULL;
}

static void
test_no_lost_increment (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *login = NULL;
  g_autofree char *referral = NULL;
  Worker workers[N_SESSIONS] = { 0 };
  GThread *threads[N_SESSIONS];
  Barrier barrier = { .count = N_SESSIONS };
  guint wins = 0, errors = 0;

  if (db == NULL)
    return;

  queue = fx_team (db, "Counter");
  login = fx_staff (db, "count", RD_STAFF_ROLE_SPECIALIST, "Counter");
  referral = fx_referral (db->admin, queue, "triage", "Counter");
  PQclear (fx_exec (db->admin, "UPDATE rd.referral SET notes = '0' WHERE id = $1::bigint",
                    referral, NULL));

  g_mutex_init (&barrier.mutex);
  g_cond_init (&barrier.cond);
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      workers[i] = (Worker) { .db = db, .login = login, .referrals = &referral,
                              .n_referrals = 1, .barrier = &barrier, .rounds = 10 };
      threads[i] = g_thread_new ("increment", increment_worker, &workers[i]);
    }
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      g_thread_join (threads[i]);
      wins += workers[i].wins;
      errors += workers[i].errors;
    }

  g_assert_cmpuint (errors, ==, 0);
  g_assert_cmpuint (wins, ==, N_SESSIONS * 10);
  g_assert_cmpint (fx_int (db->admin, "SELECT notes::int FROM rd.referral WHERE id = $1::bigint",
                           referral, NULL), ==, N_SESSIONS * 10);
  g_assert_cmpint (fx_int (db->admin, "SELECT version FROM rd.referral WHERE id = $1::bigint",
                           referral, NULL), ==, 2 + N_SESSIONS * 10);
  g_mutex_clear (&barrier.mutex);
  g_cond_clear (&barrier.cond);
}

static gpointer
next_worker (gpointer data)
{
  Worker *w = data;
  g_autoptr(PGconn) conn = fx_connect (w->db, w->login);

  barrier_wait (w->barrier);
  for (;;)
    {
      g_autoptr(PGresult) res = NULL;
      gint64 id;

      res = PQexecParams (conn, "SELECT id FROM rd.next_referral($1::bigint)",
                          1, NULL, (const char * const[]) { w->queue }, NULL, NULL, 0);
      if (PQresultStatus (res) != PGRES_TUPLES_OK)
        {
          w->errors++;
          break;
        }
      if (PQntuples (res) == 0)
        break;
      id = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
      g_array_append_val (w->got, id);
    }

  return NULL;
}

static void
test_next_referral (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree char *queue = NULL;
  g_autoptr(PGresult) res = NULL;
  Worker workers[N_SESSIONS] = { 0 };
  char *logins[N_SESSIONS];
  GThread *threads[N_SESSIONS];
  Barrier barrier = { .count = N_SESSIONS };
  guint total = 0, errors = 0;
  const guint n = 300;

  if (db == NULL)
    return;

  queue = fx_team (db, "Next");
  PQclear (fx_exec (db->admin,
                    "INSERT INTO rd.referral (channel, queue_id, priority, due_at) "
                    "SELECT 'fax', $1::bigint, (ARRAY['routine','urgent','asap','stat'])[1 + i % 4], "
                    "       now() + i * interval '1 minute' "
                    "FROM generate_series(1, $2::int) AS i",
                    queue, "300", NULL));
  /* Some already taken, some with a lapsed lease: the lapsed ones go out too. */
  for (guint i = 0; i < N_SESSIONS; i++)
    logins[i] = fx_staff (db, "next", RD_STAFF_ROLE_SPECIALIST, "Next");
  PQclear (fx_exec (db->admin,
                    "UPDATE rd.referral SET claimed_by = $1, claimed_until = now() - interval '1 minute' "
                    "WHERE id IN (SELECT id FROM rd.referral ORDER BY id LIMIT 10)",
                    logins[0], NULL));

  g_mutex_init (&barrier.mutex);
  g_cond_init (&barrier.cond);
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      workers[i] = (Worker) { .db = db, .login = logins[i], .queue = queue,
                              .barrier = &barrier, .got = g_array_new (FALSE, FALSE, sizeof (gint64)) };
      threads[i] = g_thread_new ("next", next_worker, &workers[i]);
    }
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      g_thread_join (threads[i]);
      errors += workers[i].errors;
      for (guint j = 0; j < workers[i].got->len; j++)
        {
          gint64 id = g_array_index (workers[i].got, gint64, j);
          g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

          if (g_hash_table_contains (seen, &id))
            g_error ("referral %" G_GINT64_FORMAT " was handed out twice", id);
          g_hash_table_add (seen, g_memdup2 (&id, sizeof id));
          total++;

          /* The claim belongs to whoever received it. */
          g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral "
                                   "WHERE id = $1::bigint AND claimed_by = $2 "
                                   "AND claimed_until > now()", id_text, logins[i], NULL), ==, 1);
        }
      g_array_unref (workers[i].got);
    }

  g_assert_cmpuint (errors, ==, 0);
  g_assert_cmpuint (total, ==, n);

  /* Nothing new is left unclaimed. */
  res = fx_exec (db->admin,
                 "SELECT count(*) FROM rd.referral WHERE status = 'new' "
                 "AND (claimed_by IS NULL OR claimed_until <= now())", NULL);
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "0");

  for (guint i = 0; i < N_SESSIONS; i++)
    g_free (logins[i]);
  g_mutex_clear (&barrier.mutex);
  g_cond_clear (&barrier.cond);
}

/* The create statement shape of the repositories: insert or nothing, then
 * read the row by its key. */
#define CREATE_SQL \
  "INSERT INTO rd.referral (idempotency_key, channel, queue_id, reason) " \
  "VALUES ($1, 'fax', $2::bigint, 'retry me') " \
  "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
#define FETCH_SQL \
  "SELECT id FROM rd.referral WHERE idempotency_key = $1"

static gint64
create_once (PGconn     *conn,
             const char *key,
             const char *queue)
{
  const char *params[2] = { key, queue };
  g_autoptr(PGresult) res = PQexecParams (conn, CREATE_SQL, 2, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    return -1;
  if (PQntuples (res) == 0)
    {
      g_clear_pointer (&res, PQclear);
      res = PQexecParams (conn, FETCH_SQL, 1, NULL, params, NULL, NULL, 0);
      if (PQresultStatus (res) != PGRES_TUPLES_OK || PQntuples (res) != 1)
        return -1;
    }
  return g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
}

static gpointer
create_worker (gpointer data)
{
  Worker *w = data;
  g_autoptr(PGconn) conn = fx_connect (w->db, w->login);
  gint64 id;

  barrier_wait (w->barrier);
  id = create_once (conn, w->referrals[0], w->queue);
  g_array_append_val (w->got, id);
  return NULL;
}

static void
test_idempotent_create (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *login = NULL;
  g_autoptr(PGconn) first = NULL;
  g_autoptr(PGconn) retry = NULL;
  char *key = (char *) "6f1c3a5e-idempotent-0001";
  const char *key2 = "6f1c3a5e-idempotent-0002";
  const char *params[2];
  Worker workers[N_SESSIONS] = { 0 };
  GThread *threads[N_SESSIONS];
  Barrier barrier = { .count = N_SESSIONS };
  gint64 winner = -1;
  gint64 deadline;
  int pid;

  if (db == NULL)
    return;

  queue = fx_team (db, "Once");
  login = fx_staff (db, "once", RD_STAFF_ROLE_SPECIALIST, "Once");

  /* 20 sessions create the same referral at once: one row, one id for all. */
  g_mutex_init (&barrier.mutex);
  g_cond_init (&barrier.cond);
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      workers[i] = (Worker) { .db = db, .login = login, .referrals = &key, .queue = queue,
                              .barrier = &barrier, .got = g_array_new (FALSE, FALSE, sizeof (gint64)) };
      threads[i] = g_thread_new ("create", create_worker, &workers[i]);
    }
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      gint64 id;

      g_thread_join (threads[i]);
      id = g_array_index (workers[i].got, gint64, 0);
      g_assert_cmpint (id, >, 0);
      if (winner < 0)
        winner = id;
      g_assert_cmpint (id, ==, winner);
      g_array_unref (workers[i].got);
    }
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral WHERE idempotency_key = $1",
                           key, NULL), ==, 1);
  g_mutex_clear (&barrier.mutex);
  g_cond_clear (&barrier.cond);

  /* The commit happens, the connection dies before the answer is read; the
   * client retries on a new connection and gets the same row. */
  first = fx_connect (db, login);
  pid = PQbackendPID (first);
  params[0] = key2;
  params[1] = queue;
  g_assert_cmpint (PQsendQueryParams (first, CREATE_SQL, 2, NULL, params, NULL, NULL, 0), ==, 1);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (fx_int (db->admin, "SELECT count(*) FROM rd.referral WHERE idempotency_key = $1",
                 key2, NULL) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  {
    g_autofree char *pid_text = g_strdup_printf ("%d", pid);

    PQclear (fx_exec (db->admin, "SELECT pg_terminate_backend($1::int, 5000)", pid_text, NULL));
  }
  g_clear_pointer (&first, PQfinish);

  retry = fx_connect (db, login);
  g_assert_cmpint (create_once (retry, key2, queue), ==,
                   fx_int (db->admin, "SELECT id FROM rd.referral WHERE idempotency_key = $1",
                           key2, NULL));
  g_assert_cmpint (create_once (retry, key2, queue), >, 0);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral WHERE idempotency_key = $1",
                           key2, NULL), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/concurrency/stale-versions", test_stale_versions);
  g_test_add_func ("/store/concurrency/no-lost-increment", test_no_lost_increment);
  g_test_add_func ("/store/concurrency/next-referral", test_next_referral);
  g_test_add_func ("/store/concurrency/idempotent-create", test_idempotent_create);

  return g_test_run ();
}
