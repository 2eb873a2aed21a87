/* test-repo-patient.c — the patient repository against the real schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-connection.h"
#include "rd-repo-patient.h"
#include "rd-store-error.h"
#include "schema-fixture.h"

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *w = user_data;

  w->result = g_object_ref (result);
}

static gboolean
on_deadline (gpointer user_data)
{
  g_error ("test timed out");
  return G_SOURCE_REMOVE;
}

static GAsyncResult *
wait_for (Waiter *w)
{
  guint id = g_timeout_add_seconds (60, on_deadline, NULL);

  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return w->result;
}

/* Each call: start, wait, finish, drop the result. */
#define SYNC(finish_expr, start_expr)                 \
  ({                                                  \
    Waiter w_ = { NULL };                             \
    Waiter *w = &w_;                                  \
    start_expr;                                       \
    wait_for (w);                                     \
    __auto_type r_ = (finish_expr);                   \
    g_clear_object (&w_.result);                      \
    r_;                                               \
  })

static RdConnection *
connect_as (FxDb       *db,
            const char *login)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (db->dbname, login);
  g_autoptr(RdConnection) conn = rd_connection_new (conninfo);
  g_autoptr(GError) error = NULL;

  SYNC (rd_connection_open_finish (conn, w->result, &error),
        rd_connection_open_async (conn, NULL, on_done, w));
  g_assert_no_error (error);
  return g_steal_pointer (&conn);
}

static RdPatient *
make_patient (const char *family,
              const char *given,
              const char *dob,
              const char *mrn,
              const char *phone)
{
  RdPatient *p = rd_patient_new ();

  rd_patient_set_family_name (p, family);
  rd_patient_set_given_name (p, given);
  rd_patient_set_dob (p, dob);
  rd_patient_set_mrn (p, mrn);
  rd_patient_set_phone_mobile (p, phone);
  return p;
}

static RdPatient *
create (RdConnection *conn,
        RdPatient    *draft,
        GError      **error)
{
  return SYNC (rd_repo_patient_create_finish (conn, w->result, error),
               rd_repo_patient_create_async (conn, draft, NULL, on_done, w));
}

static GPtrArray *
search (RdConnection *conn,
        const char   *query)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *found;

  found = SYNC (rd_repo_patient_search_finish (conn, w->result, &error),
                rd_repo_patient_search_async (conn, query, 50, NULL, on_done, w));
  g_assert_no_error (error);
  return found;
}

static gboolean
contains (GPtrArray  *found,
          RdPatient  *p)
{
  for (guint i = 0; i < found->len; i++)
    if (rd_patient_get_id (found->pdata[i]) == rd_patient_get_id (p))
      return TRUE;
  return FALSE;
}

static void
test_search_and_save (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *other_queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *bob = NULL;
  g_autoptr(RdConnection) as_alice = NULL;
  g_autoptr(RdConnection) as_bob = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdPatient) d1 = NULL, d2 = NULL, d3 = NULL;
  g_autoptr(RdPatient) d4 = NULL;
  g_autoptr(RdPatient) margaret = NULL, thomas = NULL, li = NULL, ruth = NULL;
  const char *tricky = "O'Brien-\"Smith\" %_\\";

  if (db == NULL)
    return;

  queue = fx_team (db, "Imaging");
  other_queue = fx_team (db, "Cardiology");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Imaging");
  bob = fx_staff (db, "Bob Brown", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  as_alice = connect_as (db, alice);
  as_bob = connect_as (db, bob);

  d1 = make_patient ("Thompson", "Margaret", "1961-04-23", "MRN-001", "+15552013344");
  d2 = make_patient ("Mgarett", "Thomas", "1970-01-02", NULL, NULL);
  d3 = make_patient ("Wu", "Li", "1988-08-08", NULL, NULL);
  margaret = create (as_alice, d1, &error);
  g_assert_no_error (error);
  thomas = create (as_alice, d2, &error);
  g_assert_no_error (error);
  li = create (as_alice, d3, &error);
  g_assert_no_error (error);
  d4 = make_patient ("Thomson", "Ruth", "1950-05-05", NULL, NULL);
  ruth = create (as_alice, d4, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_patient_get_version (margaret), ==, 1);
  g_assert_cmpstr (rd_patient_get_dob (margaret), ==, "1961-04-23");
  g_assert_cmpstr (rd_patient_get_updated_by (margaret), ==, alice);

  /* Names: a fragment, a typo, a two-letter prefix. */
  {
    g_autoptr(GPtrArray) f = search (as_alice, "thomps");
    g_assert_true (contains (f, margaret));
    g_assert_false (contains (f, li));
  }
  /* A typo (rd.match_patients() of 0007, trigram similarity): two
   * letters swapped still find Thompson, and nobody else. */
  {
    g_autoptr(GPtrArray) f = search (as_alice, "Tohmpson");
    g_assert_cmpuint (f->len, ==, 1);
    g_assert_cmpint (rd_patient_get_id (f->pdata[0]), ==, rd_patient_get_id (margaret));
  }
  /* The exact family name first, then the more similar Thomson (0.55),
   * then Thomas (a given name, 0.33). */
  {
    g_autoptr(GPtrArray) f = search (as_alice, "Thompson");
    g_assert_cmpuint (f->len, ==, 3);
    g_assert_cmpint (rd_patient_get_id (f->pdata[0]), ==, rd_patient_get_id (margaret));
    g_assert_cmpint (rd_patient_get_id (f->pdata[1]), ==, rd_patient_get_id (ruth));
    g_assert_cmpint (rd_patient_get_id (f->pdata[2]), ==, rd_patient_get_id (thomas));
  }
  /* Substring matches before merely similar names. */
  {
    g_autoptr(GPtrArray) f = search (as_alice, "Thomso");
    g_assert_cmpuint (f->len, >=, 1);
    g_assert_cmpint (rd_patient_get_id (f->pdata[0]), ==, rd_patient_get_id (ruth));
  }
  {
    g_autoptr(GPtrArray) f = search (as_alice, "Wu");
    g_assert_cmpuint (f->len, ==, 1);
    g_assert_true (contains (f, li));
  }
  /* One or two letters: the start of the family name only ("mg" is
   * Mgarett's; "om", inside Thompson and Thomas, finds nobody; "th" is
   * Thompson and Thomson, not Thomas, whose family name is Mgarett). */
  {
    g_autoptr(GPtrArray) f = search (as_alice, "mg");
    g_assert_cmpuint (f->len, ==, 1);
    g_assert_true (contains (f, thomas));
  }
  {
    g_autoptr(GPtrArray) f = search (as_alice, "om");
    g_assert_cmpuint (f->len, ==, 0);
  }
  {
    g_autoptr(GPtrArray) f = search (as_alice, "Th");
    g_assert_cmpuint (f->len, ==, 2);
    g_assert_true (contains (f, margaret));
    g_assert_true (contains (f, ruth));
    g_assert_false (contains (f, thomas));
  }
  /* MRN, date of birth as typed, phone as typed. */
  {
    g_autoptr(GPtrArray) f = search (as_alice, "MRN-001");
    g_assert_cmpuint (f->len, >=, 1);
    g_assert_cmpint (rd_patient_get_id (f->pdata[0]), ==, rd_patient_get_id (margaret));
  }
  {
    g_autoptr(GPtrArray) f = search (as_alice, "04/23/1961");
    g_assert_cmpuint (f->len, ==, 1);
    g_assert_true (contains (f, margaret));
  }
  {
    g_autoptr(GPtrArray) f = search (as_alice, "(555) 201-3344");
    g_assert_cmpuint (f->len, ==, 1);
    g_assert_true (contains (f, margaret));
  }
  /* Wildcards are literal; nothing is found by "%". */
  {
    g_autoptr(GPtrArray) f = search (as_alice, "%");
    g_assert_cmpuint (f->len, ==, 0);
  }

  /* Bob, in another team, sees none of them by searching ... */
  {
    g_autoptr(GPtrArray) f = search (as_bob, "Thompson");
    g_assert_cmpuint (f->len, ==, 0);
  }
  {
    g_autoptr(GPtrArray) f = search (as_bob, "Tohmpson");
    g_assert_cmpuint (f->len, ==, 0);
  }
  /* ... but the duplicate check before registering finds Margaret. */
  {
    g_autoptr(GPtrArray) c = NULL;

    c = SYNC (rd_repo_patient_find_candidates_finish (as_bob, w->result, &error),
              rd_repo_patient_find_candidates_async (as_bob, "Tompson", "Margaret", "1961-04-23",
                                                     NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (c->len, ==, 1);
    g_assert_cmpint (rd_patient_get_id (c->pdata[0]), ==, rd_patient_get_id (margaret));
    g_assert_cmpstr (rd_patient_get_mrn (c->pdata[0]), ==, "MRN-001");
    /* Only the four facts. */
    g_assert_null (rd_patient_get_phone_mobile (c->pdata[0]));
  }

  /* A second patient with the same MRN is refused. */
  {
    g_autoptr(RdPatient) dup = make_patient ("Other", "Person", "1990-01-01", "MRN-001", NULL);
    g_autoptr(RdPatient) none = create (as_alice, dup, &error);

    g_assert_null (none);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
    g_clear_error (&error);
  }

  /* Saving: verbatim values, then a stale save is a conflict. */
  {
    g_autoptr(RdPatient) copy = rd_patient_copy (margaret);
    g_autoptr(RdPatient) saved = NULL;
    g_autoptr(RdPatient) stale = NULL;
    g_autoptr(RdPatient) current = NULL;

    rd_patient_set_family_name (margaret, tricky);
    saved = SYNC (rd_repo_patient_save_finish (as_alice, w->result, NULL, &error),
                  rd_repo_patient_save_async (as_alice, margaret, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpstr (rd_patient_get_family_name (saved), ==, tricky);
    g_assert_cmpint (rd_patient_get_version (saved), ==, 2);

    rd_patient_set_city (copy, "Springfield");
    stale = SYNC (rd_repo_patient_save_finish (as_alice, w->result, &current, &error),
                  rd_repo_patient_save_async (as_alice, copy, NULL, on_done, w));
    g_assert_null (stale);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
    g_assert_nonnull (strstr (error->message, "Alice Adams"));
    g_assert_cmpint (rd_patient_get_version (current), ==, 2);
    g_assert_cmpstr (rd_patient_get_family_name (current), ==, tricky);
    g_clear_error (&error);
  }

  /* Coverage, primary first, with names. */
  {
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, rd_patient_get_id (margaret));
    g_autoptr(PGresult) r = fx_exec (db->admin,
      "WITH py AS (INSERT INTO rd.payer (name) VALUES ('Acme Health') RETURNING id),"
      " pl AS (INSERT INTO rd.payer_plan (payer_id, name, kind) SELECT id, 'Gold PPO', 'commercial' FROM py RETURNING id)"
      " INSERT INTO rd.coverage (patient_id, payer_plan_id, rank, member_id)"
      " SELECT $1::bigint, pl.id, 2, 'M2' FROM pl UNION ALL SELECT $1::bigint, NULL, 1, 'M1'",
      id, NULL);
    g_autoptr(GPtrArray) cov = NULL;

    cov = SYNC (rd_repo_patient_list_coverage_finish (as_alice, w->result, &error),
                rd_repo_patient_list_coverage_async (as_alice, rd_patient_get_id (margaret), NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpuint (cov->len, ==, 2);
    g_assert_cmpstr (rd_coverage_get_member_id (cov->pdata[0]), ==, "M1");
    g_assert_cmpstr (rd_coverage_get_member_id (cov->pdata[1]), ==, "M2");
    g_assert_cmpstr (rd_coverage_get_payer_name (cov->pdata[1]), ==, "Acme Health");
    g_assert_cmpstr (rd_coverage_get_plan_name (cov->pdata[1]), ==, "Gold PPO");
  }

  /* Not visible to Bob. */
  {
    g_autoptr(RdPatient) none = NULL;

    none = SYNC (rd_repo_patient_get_finish (as_bob, w->result, &error),
                 rd_repo_patient_get_async (as_bob, rd_patient_get_id (li), NULL, on_done, w));
    g_assert_null (none);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/patient/search-save", test_search_and_save);

  return g_test_run ();
}
