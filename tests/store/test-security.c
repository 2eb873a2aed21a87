/* test-security.c — roles, row-level security, leads, audit, in a real database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-store-error.h"
#include "schema-fixture.h"

static const char *phi_tables =
  "{rd.patient,rd.coverage,rd.referral,rd.referral_event,rd.document,rd.document_blob,"
  "rd.authorization,rd.appointment,rd.task,rd.missing_item,rd.barrier,rd.communication,"
  "rd.complaint,audit.log}";

static void
assert_zero (PGconn     *conn,
             const char *what,
             const char *sql)
{
  g_autoptr(PGresult) res = fx_exec (conn, sql, NULL);

  if (PQntuples (res) != 0)
    g_error ("%s: %d offending rows, the first: %s", what, PQntuples (res),
             PQgetvalue (res, 0, 0));
}

static void
test_catalogue (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *spec = NULL;
  g_autoptr(PGresult) res = NULL;

  if (db == NULL)
    return;

  queue = fx_team (db, "Catalogue");
  spec = fx_staff (db, "cat", RD_STAFF_ROLE_ADMIN, "Catalogue");

  assert_zero (db->admin, "objects in rd/audit not owned by rd_owner",
               "SELECT n.nspname || '.' || c.relname FROM pg_class c "
               "JOIN pg_namespace n ON n.oid = c.relnamespace "
               "WHERE n.nspname IN ('rd', 'audit') AND c.relowner <> 'rd_owner'::regrole");
  assert_zero (db->admin, "functions in rd/audit not owned by rd_owner",
               "SELECT p.oid::regprocedure::text FROM pg_proc p "
               "JOIN pg_namespace n ON n.oid = p.pronamespace "
               "WHERE n.nspname IN ('rd', 'audit') AND p.proowner <> 'rd_owner'::regrole");
  assert_zero (db->admin, "schemas not owned by rd_owner",
               "SELECT nspname FROM pg_namespace WHERE nspname IN ('rd', 'audit') "
               "AND nspowner <> 'rd_owner'::regrole");
  assert_zero (db->admin, "tables in this database owned by a login role",
               "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
               "JOIN pg_namespace n ON n.oid = c.relnamespace "
               "WHERE r.rolcanlogin AND c.relkind IN ('r', 'p', 'v', 'm') "
               "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')");
  assert_zero (db->admin, "group roles that log in or bypass RLS",
               "SELECT rolname FROM pg_roles WHERE rolname IN "
               "('rd_owner', 'rd_specialist', 'rd_lead', 'rd_admin') "
               "AND (rolcanlogin OR rolbypassrls OR rolsuper OR rolcreaterole)");
  assert_zero (db->admin, "staff login roles with BYPASSRLS or SUPERUSER",
               "SELECT s.login_name FROM rd.staff s JOIN pg_roles r ON r.rolname = s.login_name "
               "WHERE r.rolbypassrls OR r.rolsuper OR r.rolcreaterole OR r.rolcreatedb");
  assert_zero (db->admin, "login roles that are members of rd_owner",
               "SELECT r.rolname FROM pg_roles r WHERE r.rolcanlogin AND NOT r.rolsuper "
               "AND pg_has_role(r.oid, 'rd_owner', 'MEMBER')");

  res = fx_exec (db->admin,
                 "SELECT t FROM unnest($1::text[]) AS t "
                 "JOIN pg_class c ON c.oid = t::regclass "
                 "WHERE NOT (c.relrowsecurity AND c.relforcerowsecurity)", phi_tables, NULL);
  g_assert_cmpint (PQntuples (res), ==, 0);
  g_clear_pointer (&res, PQclear);

  assert_zero (db->admin, "SECURITY DEFINER functions without a pinned search_path",
               "SELECT p.oid::regprocedure::text FROM pg_proc p "
               "JOIN pg_namespace n ON n.oid = p.pronamespace "
               "WHERE n.nspname IN ('rd', 'audit') AND p.prosecdef "
               "AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) AS c "
               "                WHERE c LIKE 'search_path=pg_catalog%' "
               "                  AND c NOT LIKE '%public%' AND c NOT LIKE '%$user%')");
  g_assert_cmpint (fx_int (db->admin,
                           "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                           "WHERE n.nspname IN ('rd', 'audit') AND p.prosecdef", NULL), >=, 8);
  assert_zero (db->admin, "functions PUBLIC may execute",
               "SELECT p.oid::regprocedure::text FROM pg_proc p "
               "JOIN pg_namespace n ON n.oid = p.pronamespace "
               "WHERE n.nspname IN ('rd', 'audit') "
               "AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a "
               "                                 WHERE a.grantee = 0))");
  assert_zero (db->admin, "table privileges of PUBLIC",
               "SELECT table_schema || '.' || table_name || ' ' || privilege_type "
               "FROM information_schema.role_table_grants "
               "WHERE grantee = 'PUBLIC' AND table_schema IN ('rd', 'audit')");
  assert_zero (db->admin, "PUBLIC may create in schema public or use rd/audit",
               "SELECT 'x' WHERE has_schema_privilege('public', 'public', 'CREATE') "
               "OR has_schema_privilege('public', 'rd', 'USAGE') "
               "OR has_schema_privilege('public', 'audit', 'USAGE')");
  assert_zero (db->admin, "anyone but the owner may write audit.log",
               "SELECT r.rolname FROM pg_roles r WHERE NOT r.rolsuper "
               "AND r.rolname <> 'rd_owner' AND r.rolname NOT LIKE 'pg\\_%' "
               "AND (has_table_privilege(r.oid, 'audit.log', 'INSERT') "
               "OR has_table_privilege(r.oid, 'audit.log', 'UPDATE') "
               "OR has_table_privilege(r.oid, 'audit.log', 'DELETE') "
               "OR has_table_privilege(r.oid, 'audit.log', 'TRUNCATE'))");
}

typedef struct {
  FxDb   *db;
  char   *queue_a, *queue_b;
  char   *spec_a, *spec_b;
  char   *ref_a, *ref_b;
  char   *doc_a, *doc_b;
} Two;

static void
two_free (Two *two)
{
  fx_db_free (two->db);
  g_free (two->queue_a); g_free (two->queue_b);
  g_free (two->spec_a); g_free (two->spec_b);
  g_free (two->ref_a); g_free (two->ref_b);
  g_free (two->doc_a); g_free (two->doc_b);
  g_free (two);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Two, two_free)

static char *
add_document (PGconn     *conn,
              const char *queue,
              const char *referral,
              const char *content)
{
  g_autoptr(PGresult) res = NULL;
  g_autofree char *state = NULL;
  const char *params[3] = { queue, referral, content };

  /* Explicit parameters: one of the ids is NULL. */
  state = fx_try (conn,
                 "WITH d AS (INSERT INTO rd.document (media_type, sha256, size_bytes, received_via, "
                 "                                     queue_id, referral_id, status) "
                 "           VALUES ('application/pdf', encode(sha256(convert_to($3::text, 'UTF8')), 'hex'), "
                 "                   octet_length($3::text), 'fax', $1::bigint, $2::bigint, "
                 "                   CASE WHEN $2 IS NULL THEN 'unfiled' ELSE 'filed' END) "
                 "           RETURNING id) "
                 "INSERT INTO rd.document_blob (document_id, data) "
                 "SELECT d.id, convert_to($3::text, 'UTF8') FROM d RETURNING document_id",
                 3, params, &res);
  g_assert_cmpstr (state, ==, "");
  return g_strdup (PQgetvalue (res, 0, 0));
}

static Two *
two_teams (void)
{
  Two *two = g_new0 (Two, 1);
  g_autofree char *inbox_a = NULL;

  two->db = fx_db_new ();
  if (two->db == NULL)
    {
      g_free (two);
      return NULL;
    }

  two->queue_a = fx_team (two->db, "Team A");
  two->queue_b = fx_team (two->db, "Team B");
  two->spec_a = fx_staff (two->db, "spa", RD_STAFF_ROLE_SPECIALIST, "Team A");
  two->spec_b = fx_staff (two->db, "spb", RD_STAFF_ROLE_SPECIALIST, "Team B");
  two->ref_a = fx_referral (two->db->admin, two->queue_a, "new", "Alpha");
  two->ref_b = fx_referral (two->db->admin, two->queue_b, "new", "Bravo");
  /* One filed and one unfiled document each. */
  two->doc_a = add_document (two->db->admin, NULL, two->ref_a, "fax for A");
  two->doc_b = add_document (two->db->admin, NULL, two->ref_b, "fax for B");
  g_free (add_document (two->db->admin, two->queue_a, NULL, "inbox A"));
  g_free (add_document (two->db->admin, two->queue_b, NULL, "inbox B"));
  return two;
}

static void
check_isolation (FxDb       *db,
                 const char *me,
                 const char *my_ref,
                 const char *my_doc,
                 const char *their_queue,
                 const char *their_ref,
                 const char *their_doc,
                 const char *their_family)
{
  g_autoptr(PGconn) conn = fx_connect (db, me);
  g_autoptr(PGresult) res = NULL;
  g_autofree char *state = NULL;

  /* Mine: one referral, one patient, two documents (filed + inbox), events. */
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.referral", NULL), ==, 1);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.worklist", NULL), ==, 1);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.patient", NULL), ==, 1);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.document", NULL), ==, 2);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.referral_event", NULL), ==, 1);
  g_assert_cmpint (fx_int (conn, "SELECT id FROM rd.referral", NULL), ==,
                   g_ascii_strtoll (my_ref, NULL, 10));

  /* Theirs: nothing, by id or by name. */
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.referral WHERE id = $1::bigint",
                           their_ref, NULL), ==, 0);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.patient WHERE family_name = $1",
                           their_family, NULL), ==, 0);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.document WHERE id = $1::bigint",
                           their_doc, NULL), ==, 0);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.referral_event "
                           "WHERE referral_id = $1::bigint", their_ref, NULL), ==, 0);

  /* Cannot change theirs (0 rows), cannot move mine there, cannot delete. */
  res = fx_exec (conn, "UPDATE rd.referral SET reason = 'mine now' WHERE id = $1::bigint",
                 their_ref, NULL);
  g_assert_cmpstr (PQcmdTuples (res), ==, "0");
  g_clear_pointer (&res, PQclear);
  {
    const char *p[2] = { my_ref, their_queue };

    state = fx_try (conn, "UPDATE rd.referral SET queue_id = $2::bigint WHERE id = $1::bigint",
                    2, p, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
    state = fx_try (conn, "INSERT INTO rd.referral (channel, queue_id) VALUES ('fax', $1::bigint)",
                    1, p + 1, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
    state = fx_try (conn, "DELETE FROM rd.referral WHERE id = $1::bigint", 1, p, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
    state = fx_try (conn, "DELETE FROM rd.patient", 0, NULL, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
    state = fx_try (conn, "DELETE FROM rd.document", 0, NULL, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
  }

  /* A document cannot be dropped into their inbox, even hung on my referral. */
  {
    const char *p[2] = { their_queue, my_ref };

    state = fx_try (conn, "INSERT INTO rd.document (media_type, sha256, size_bytes, received_via, "
                    "queue_id, referral_id) VALUES ('application/pdf', repeat('e', 64), 1, 'fax', "
                    "$1::bigint, $2::bigint)", 2, p, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
    state = fx_try (conn, "UPDATE rd.document SET queue_id = $1::bigint "
                    "WHERE referral_id = $2::bigint", 2, p, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
  }

  /* Bytes: only through the audited function, only for visible documents. */
  {
    const char *mine[1] = { my_doc };
    const char *theirs[1] = { their_doc };

    state = fx_try (conn, "SELECT data FROM rd.document_blob", 0, NULL, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
    state = fx_try (conn, "SELECT rd.read_document($1::bigint)", 1, theirs, NULL);
    g_assert_cmpstr (state, ==, "P0002");
    g_clear_pointer (&state, g_free);
    state = fx_try (conn, "SELECT rd.read_document($1::bigint)", 1, mine, &res);
    g_assert_cmpstr (state, ==, "");
    g_assert_cmpint (PQgetlength (res, 0, 0), >, 2);
    g_clear_pointer (&res, PQclear);
    g_clear_pointer (&state, g_free);
  }

  /* The audit log is out of reach. */
  state = fx_try (conn, "SELECT count(*) FROM audit.log", 0, NULL, NULL);
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);
  state = fx_try (conn, "INSERT INTO audit.log (table_name, operation) VALUES ('x', 'READ')",
                  0, NULL, NULL);
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);
  state = fx_try (conn, "DELETE FROM audit.log", 0, NULL, NULL);
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);
  state = fx_try (conn, "SELECT audit.capture()", 0, NULL, NULL);
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);

  /* Lead functions are not a specialist's. */
  state = fx_try (conn, "SELECT rd.cover_for('x', '{y}')", 0, NULL, NULL);
  g_assert_cmpstr (state, ==, "42501");
}

static void
test_isolation (void)
{
  g_autoptr(Two) two = two_teams ();

  if (two == NULL)
    return;

  check_isolation (two->db, two->spec_a, two->ref_a, two->doc_a,
                   two->queue_b, two->ref_b, two->doc_b, "Bravo");
  check_isolation (two->db, two->spec_b, two->ref_b, two->doc_b,
                   two->queue_a, two->ref_a, two->doc_a, "Alpha");
}

/* Duplicate search shows four facts of a patient from another team, for an
 * exact DOB and a similar name only, and is audited. */
static void
test_duplicate_search (void)
{
  g_autoptr(Two) two = two_teams ();
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *state = NULL;

  if (two == NULL)
    return;

  conn = fx_connect (two->db, two->spec_a);

  /* Naming a patient one may not see on a new referral is refused… */
  {
    g_autofree char *bravo = g_strdup_printf ("%" G_GINT64_FORMAT,
      fx_int (two->db->admin, "SELECT id FROM rd.patient WHERE family_name = 'Bravo'", NULL));
    const char *p[2] = { two->queue_a, bravo };

    state = fx_try (conn, "INSERT INTO rd.referral (channel, queue_id, patient_id) "
                    "VALUES ('phone', $1::bigint, $2::bigint)", 2, p, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
    state = fx_try (conn, "UPDATE rd.referral SET patient_id = $2::bigint "
                    "WHERE queue_id = $1::bigint", 2, p, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
  }

  res = fx_exec (conn, "SELECT * FROM rd.find_patient_candidates('Bravo', 'Pat', '1970-01-01')",
                 NULL);
  g_assert_cmpint (PQntuples (res), ==, 1);
  g_assert_cmpint (PQnfields (res), ==, 6);
  g_assert_cmpstr (PQgetvalue (res, 0, 2), ==, "Bravo");
  g_clear_pointer (&res, PQclear);

  res = fx_exec (conn, "SELECT * FROM rd.find_patient_candidates('Bravo', 'Pat', '1970-01-02')",
                 NULL);
  g_assert_cmpint (PQntuples (res), ==, 0);
  g_clear_pointer (&res, PQclear);
  res = fx_exec (conn, "SELECT * FROM rd.find_patient_candidates('Zulu', 'Quentin', '1970-01-01')",
                 NULL);
  g_assert_cmpint (PQntuples (res), ==, 0);
  g_clear_pointer (&res, PQclear);

  state = fx_try (conn, "SELECT * FROM rd.find_patient_candidates('', NULL, '1970-01-01')",
                  0, NULL, NULL);
  g_assert_cmpstr (state, ==, "22023");

  /* Still not readable in full. */
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.patient WHERE family_name = 'Bravo'",
                           NULL), ==, 0);
  g_assert_cmpint (fx_int (two->db->admin,
                           "SELECT count(*) FROM audit.log WHERE operation = 'SEARCH' "
                           "AND who = $1", two->spec_a, NULL), ==, 3);

  /* …until a duplicate search has shown it: then the new referral may name
   * the patient, who becomes visible through it. */
  {
    g_autofree char *bravo = g_strdup_printf ("%" G_GINT64_FORMAT,
      fx_int (two->db->admin, "SELECT id FROM rd.patient WHERE family_name = 'Bravo'", NULL));

    PQclear (fx_exec (conn, "INSERT INTO rd.referral (channel, queue_id, patient_id) "
                      "VALUES ('phone', $1::bigint, $2::bigint)", two->queue_a, bravo, NULL));
    g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.patient WHERE family_name = 'Bravo'",
                             NULL), ==, 1);
  }

  /* A patient registered but not yet referred: visible to its creator only. */
  PQclear (fx_exec (conn, "INSERT INTO rd.patient (family_name) VALUES ('Newcomer')", NULL));
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.patient WHERE family_name = 'Newcomer'",
                           NULL), ==, 1);
  {
    g_autoptr(PGconn) other = fx_connect (two->db, two->spec_b);

    g_assert_cmpint (fx_int (other, "SELECT count(*) FROM rd.patient WHERE family_name = 'Newcomer'",
                             NULL), ==, 0);
  }
}

static void
test_lead_reassigns (void)
{
  g_autoptr(Two) two = two_teams ();
  g_autoptr(PGconn) lead = NULL;
  g_autoptr(PGconn) spec = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *lead_login = NULL;
  g_autofree char *a2 = NULL;
  g_autofree char *state = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *mixed = NULL;
  g_autofree char *to = NULL;

  if (two == NULL)
    return;

  lead_login = fx_staff (two->db, "lead", RD_STAFF_ROLE_LEAD, "Team A");
  a2 = fx_staff (two->db, "spa2", RD_STAFF_ROLE_SPECIALIST, "Team A");
  lead = fx_connect (two->db, lead_login);
  spec = fx_connect (two->db, two->spec_a);

  /* A specialist takes unassigned work, but cannot give it to a colleague. */
  PQclear (fx_exec (spec, "UPDATE rd.referral SET assignee = session_user WHERE id = $1::bigint",
                    two->ref_a, NULL));
  {
    const char *p[2] = { two->ref_a, a2 };

    state = fx_try (spec, "UPDATE rd.referral SET assignee = $2 WHERE id = $1::bigint", 2, p, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
  }

  /* The lead moves it to a colleague of the team… */
  res = fx_exec (lead, "SELECT * FROM rd.reassign_referral($1::bigint, 2, $2)",
                 two->ref_a, a2, NULL);
  g_assert_cmpint (PQntuples (res), ==, 1);
  g_clear_pointer (&res, PQclear);
  /* …a stale version changes nothing… */
  res = fx_exec (lead, "SELECT * FROM rd.reassign_referral($1::bigint, 2, $2)",
                 two->ref_a, two->spec_a, NULL);
  g_assert_cmpint (PQntuples (res), ==, 0);
  g_clear_pointer (&res, PQclear);
  g_assert_cmpint (fx_int (two->db->admin, "SELECT count(*) FROM rd.referral "
                           "WHERE id = $1::bigint AND assignee = $2", two->ref_a, a2, NULL), ==, 1);
  /* …nor to someone outside the team, nor another team's referral. */
  {
    const char *p[2] = { two->ref_a, two->spec_b };
    const char *q[2] = { two->ref_b, a2 };

    state = fx_try (lead, "SELECT * FROM rd.reassign_referral($1::bigint, 3, $2)", 2, p, NULL);
    g_assert_cmpstr (state, ==, "42501");
    g_clear_pointer (&state, g_free);
    state = fx_try (lead, "SELECT * FROM rd.reassign_referral($1::bigint, 1, $2)", 2, q, &res);
    g_assert_cmpstr (state, ==, "");
    g_assert_cmpint (PQntuples (res), ==, 0);
    g_clear_pointer (&res, PQclear);
    g_clear_pointer (&state, g_free);
  }

  /* A selection that includes another team's referral: all or nothing. */
  mixed = g_strdup_printf ("{%s,%s}", two->ref_a, two->ref_b);
  {
    const char *p[2] = { mixed, lead_login };

    state = fx_try (lead, "SELECT rd.reassign_referrals($1::bigint[], $2)", 2, p, NULL);
    g_assert_cmpstr (state, ==, "P0002");
    g_clear_pointer (&state, g_free);
  }
  g_assert_cmpint (fx_int (two->db->admin, "SELECT count(*) FROM rd.referral "
                           "WHERE id = $1::bigint AND assignee = $2", two->ref_a, a2, NULL), ==, 1);

  /* Cover for a2: five open referrals split evenly between spec_a and the lead. */
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *id = fx_referral (two->db->admin, two->queue_a, "triage", "Cover");

      PQclear (fx_exec (two->db->admin, "UPDATE rd.referral SET assignee = $2 WHERE id = $1::bigint",
                        id, a2, NULL));
    }
  to = g_strdup_printf ("{%s,%s}", two->spec_a, lead_login);
  g_assert_cmpint (fx_int (lead, "SELECT rd.cover_for($1, $2::text[])", a2, to, NULL), ==, 5);
  g_assert_cmpint (fx_int (two->db->admin, "SELECT count(*) FROM rd.referral WHERE assignee = $1",
                           a2, NULL), ==, 0);
  g_assert_cmpint (fx_int (two->db->admin, "SELECT count(*) FROM rd.referral WHERE assignee = $1",
                           two->spec_a, NULL), ==, 3);
  g_assert_cmpint (fx_int (two->db->admin, "SELECT count(*) FROM rd.referral WHERE assignee = $1",
                           lead_login, NULL), ==, 2);
  /* Each change left an assignment event with the lead's name. */
  g_assert_cmpint (fx_int (two->db->admin, "SELECT count(*) FROM rd.referral_event "
                           "WHERE kind = 'assignment' AND who = $1 AND from_value = $2",
                           lead_login, a2, NULL), ==, 5);

  /* Round-robin of unassigned work in the lead's queue only. */
  for (int i = 0; i < 3; i++)
    g_free (fx_referral (two->db->admin, two->queue_a, "new", "Unassigned"));
  g_free (to);
  to = g_strdup_printf ("{%s,%s}", a2, two->spec_a);
  g_assert_cmpint (fx_int (lead, "SELECT rd.distribute_unassigned($1::bigint, $2::text[])",
                           two->queue_a, to, NULL), ==, 3);
  {
    const char *p[2] = { two->queue_b, to };

    state = fx_try (lead, "SELECT rd.distribute_unassigned($1::bigint, $2::text[])", 2, p, NULL);
    g_assert_cmpstr (state, ==, "42501");
  }
  g_assert_cmpint (fx_int (two->db->admin, "SELECT count(*) FROM rd.referral "
                           "WHERE queue_id = $1::bigint AND assignee IS NULL", two->queue_a, NULL),
                   ==, 0);
  g_assert_cmpint (fx_int (two->db->admin, "SELECT count(*) FROM rd.referral "
                           "WHERE queue_id = $1::bigint AND assignee IS NULL", two->queue_b, NULL),
                   ==, 1);
}

/* Every insert, update and delete of PHI leaves exactly one audit record,
 * as does every document read, with the right session_user. */
static void
test_audit (void)
{
  g_autoptr(Two) two = two_teams ();
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGconn) admin = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *admin_login = NULL;
  g_autofree char *patient = NULL;
  g_autofree char *referral = NULL;
  g_autofree char *state = NULL;

  if (two == NULL)
    return;

  admin_login = fx_staff (two->db, "adm", RD_STAFF_ROLE_ADMIN, NULL);
  conn = fx_connect (two->db, two->spec_a);
  admin = fx_connect (two->db, admin_login);

  res = fx_exec (conn, "INSERT INTO rd.patient (family_name, given_name) VALUES ('Audit', 'Ann') "
                 "RETURNING id", NULL);
  patient = g_strdup (PQgetvalue (res, 0, 0));
  g_clear_pointer (&res, PQclear);
  PQclear (fx_exec (conn, "UPDATE rd.patient SET given_name = 'Anne' WHERE id = $1::bigint",
                    patient, NULL));
  res = fx_exec (conn, "INSERT INTO rd.referral (channel, queue_id, patient_id) "
                 "VALUES ('phone', $1::bigint, $2::bigint) RETURNING id",
                 two->queue_a, patient, NULL);
  referral = g_strdup (PQgetvalue (res, 0, 0));
  g_clear_pointer (&res, PQclear);
  PQclear (fx_exec (conn, "UPDATE rd.referral SET reason = 'audit me' WHERE id = $1::bigint",
                    referral, NULL));
  PQclear (fx_exec (conn, "SELECT rd.read_document($1::bigint)", two->doc_a, NULL));
  PQclear (fx_exec (conn, "SELECT rd.read_document($1::bigint)", two->doc_a, NULL));

  {
    static const struct { const char *table; const char *op; int which; } expect[] = {
      { "patient", "INSERT", 0 }, { "patient", "UPDATE", 0 },
      { "referral", "INSERT", 1 }, { "referral", "UPDATE", 1 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
      g_assert_cmpint (fx_int (two->db->admin,
                               "SELECT count(*) FROM audit.log WHERE table_name = $1 "
                               "AND operation = $2 AND row_id = $3::bigint AND who = $4",
                               expect[i].table, expect[i].op,
                               expect[i].which == 0 ? patient : referral, two->spec_a, NULL),
                       ==, 1);
  }
  g_assert_cmpint (fx_int (two->db->admin,
                           "SELECT count(*) FROM audit.log WHERE table_name = 'document' "
                           "AND operation = 'READ' AND row_id = $1::bigint AND who = $2",
                           two->doc_a, two->spec_a, NULL), ==, 2);

  /* An update records only what changed, before and after. */
  res = fx_exec (two->db->admin,
                 "SELECT before ->> 'given_name', after ->> 'given_name', before ? 'family_name' "
                 "FROM audit.log WHERE table_name = 'patient' AND operation = 'UPDATE' "
                 "AND row_id = $1::bigint", patient, NULL);
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "Ann");
  g_assert_cmpstr (PQgetvalue (res, 0, 1), ==, "Anne");
  g_assert_cmpstr (PQgetvalue (res, 0, 2), ==, "f");
  g_clear_pointer (&res, PQclear);

  /* The administrator deletes; one DELETE record, by the administrator. */
  PQclear (fx_exec (admin, "DELETE FROM rd.referral WHERE id = $1::bigint", referral, NULL));
  g_assert_cmpint (fx_int (admin,
                           "SELECT count(*) FROM audit.log WHERE table_name = 'referral' "
                           "AND operation = 'DELETE' AND row_id = $1::bigint AND who = $2",
                           referral, admin_login, NULL), ==, 1);

  /* The administrator reads the log but cannot change it; nor can the superuser. */
  state = fx_try (admin, "DELETE FROM audit.log", 0, NULL, NULL);
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);
  state = fx_try (admin, "UPDATE audit.log SET who = 'nobody'", 0, NULL, NULL);
  g_assert_cmpstr (state, ==, "42501");
  g_clear_pointer (&state, g_free);
  state = fx_try (two->db->admin, "UPDATE audit.log SET who = 'nobody'", 0, NULL, NULL);
  g_assert_cmpstr (state, ==, "55000");
  g_clear_pointer (&state, g_free);
  state = fx_try (two->db->admin, "TRUNCATE audit.log", 0, NULL, NULL);
  g_assert_cmpstr (state, ==, "55000");
}

/* Identifiers and passwords with SQL metacharacters are passed safely; the
 * password is stored hashed; staff never become superusers. */
static void
test_add_staff (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *login = NULL;
  g_autofree char *queue = NULL;
  const char *teams[] = { "Quoted \"team\"; --", NULL };
  const char *password = "pa'ss\"; DROP ROLE rd_admin; --\\";

  if (db == NULL)
    return;

  queue = fx_team (db, teams[0]);
  login = g_strdup_printf ("o'brien \"%d\"; drop", (int) getpid ());

  g_assert_true (rd_init_db_add_staff (db->admin, login, "Máire O'Brien", RD_STAFF_ROLE_SPECIALIST,
                                       teams, password, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fx_int (db->admin,
                           "SELECT count(*) FROM pg_authid WHERE rolname = $1 AND rolcanlogin "
                           "AND NOT rolsuper AND NOT rolbypassrls "
                           "AND rolpassword LIKE 'SCRAM-SHA-256$%' "
                           "AND pg_has_role(oid, 'rd_specialist', 'MEMBER') "
                           "AND NOT pg_has_role(oid, 'rd_lead', 'MEMBER')", login, NULL), ==, 1);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM pg_roles WHERE rolname = 'rd_admin'",
                           NULL), ==, 1);
  g_assert_cmpint (fx_int (db->admin,
                           "SELECT count(*) FROM rd.staff s JOIN rd.team_member m ON m.staff_id = s.id "
                           "JOIN rd.team t ON t.id = m.team_id WHERE s.login_name = $1 "
                           "AND s.display_name = 'Máire O''Brien' AND t.name = $2 AND m.role = 'member'",
                           login, teams[0], NULL), ==, 1);

  /* Again, as a lead: exactly one group, lead of the team; no password change. */
  g_assert_true (rd_init_db_add_staff (db->admin, login, "Máire O'Brien", RD_STAFF_ROLE_LEAD,
                                       teams, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fx_int (db->admin,
                           "SELECT count(*) FROM pg_auth_members m JOIN pg_roles u ON u.oid = m.member "
                           "WHERE u.rolname = $1", login, NULL), ==, 1);
  g_assert_cmpint (fx_int (db->admin,
                           "SELECT count(*) FROM rd.team_member m JOIN rd.staff s ON s.id = m.staff_id "
                           "WHERE s.login_name = $1 AND m.role = 'lead'", login, NULL), ==, 1);

  /* The logged-in person can work: the new login connects and sees its queue. */
  {
    g_autoptr(PGconn) conn = fx_connect (db, login);

    g_assert_cmpint (fx_int (conn, "SELECT cardinality(rd.my_queue_ids())", NULL), ==, 1);
  }

  /* Superusers and our own group names are refused. */
  g_assert_false (rd_init_db_add_staff (db->admin, g_getenv ("RD_TEST_PGUSER"), "Root",
                                        RD_STAFF_ROLE_ADMIN, NULL, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (rd_init_db_add_staff (db->admin, "rd_owner", "Owner",
                                        RD_STAFF_ROLE_ADMIN, NULL, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  /* An unknown team changes nothing. */
  {
    const char *missing[] = { "No such team", NULL };
    g_autofree char *other = fx_login ("missing");

    g_assert_false (rd_init_db_add_staff (db->admin, other, "Nobody", RD_STAFF_ROLE_SPECIALIST,
                                          missing, NULL, &error));
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM pg_roles WHERE rolname = $1",
                             other, NULL), ==, 0);
  }
}

/* The index-backed patient search returns only what the policy would. */
static void
test_match_patients (void)
{
  g_autoptr(Two) two = two_teams ();
  g_autoptr(PGconn) conn = NULL;

  if (two == NULL)
    return;

  PQclear (fx_exec (two->db->admin,
                    "UPDATE rd.patient SET mrn = 'MRN-' || family_name, "
                    "phone_mobile = '+15552013344', given_name = 'Pat_%' ", NULL));
  conn = fx_connect (two->db, two->spec_a);

  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('Al')", NULL), ==, 1);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('a')", NULL), ==, 1);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('lph')", NULL), ==, 1);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('MRN-Alpha')", NULL), ==, 1);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('1970-01-01')", NULL), ==, 1);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('(555) 201-3344')", NULL), ==, 1);
  /* Wildcards match only themselves. */
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('t_%')", NULL), ==, 1);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('%%%')", NULL), ==, 0);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('')", NULL), ==, 0);
  /* The other team's patient stays invisible by every route. */
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('Br')", NULL), ==, 0);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('Bravo')", NULL), ==, 0);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('MRN-Bravo')", NULL), ==, 0);
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.match_patients('1970-01-01') "
                           "WHERE family_name = 'Bravo'", NULL), ==, 0);
  /* And the worklist's name search through it. */
  g_assert_cmpint (fx_int (conn, "SELECT count(*) FROM rd.worklist WHERE patient_id = ANY "
                           "(ARRAY (SELECT id FROM rd.match_patients('alp')))", NULL), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/security/catalogue", test_catalogue);
  g_test_add_func ("/store/security/isolation", test_isolation);
  g_test_add_func ("/store/security/duplicate-search", test_duplicate_search);
  g_test_add_func ("/store/security/lead-reassigns", test_lead_reassigns);
  g_test_add_func ("/store/security/audit", test_audit);
  g_test_add_func ("/store/security/add-staff", test_add_staff);
  g_test_add_func ("/store/security/match-patients", test_match_patients);

  return g_test_run ();
}
