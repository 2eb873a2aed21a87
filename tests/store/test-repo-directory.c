/* test-repo-directory.c — the provider directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-connection.h"
#include "rd-repo-directory.h"
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

static GPtrArray *
search (RdConnection *conn,
        const char   *query,
        const char   *specialty)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *found;

  found = SYNC (rd_repo_directory_search_providers_finish (conn, w->result, &error),
                rd_repo_directory_search_providers_async (conn, query, specialty, 50, NULL, on_done, w));
  g_assert_no_error (error);
  return found;
}

static void
test_providers (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *spec = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  gint64 smith_id;

  if (db == NULL)
    return;

  queue = fx_team (db, "Cardiology");
  spec = fx_staff (db, "Sam Specialist", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  conn = connect_as (db, spec);

  {
    g_autoptr(PGresult) r = fx_exec (db->admin,
      "WITH o AS (INSERT INTO rd.organization (name) VALUES ('Heart Center') RETURNING id)"
      " INSERT INTO rd.provider (npi, name, organization_id, specialty, fax)"
      " SELECT '1234567893', 'Smith, Anna', o.id, 'Cardiology', '+15552013344' FROM o"
      " UNION ALL SELECT NULL, 'Blacksmith, Joe', NULL, 'Orthopedics', NULL"
      " UNION ALL SELECT NULL, 'Smithers_100%', NULL, 'Cardiology', NULL", NULL);
  }
  {
    g_autoptr(PGresult) r = fx_exec (db->admin, "UPDATE rd.provider SET active = false WHERE name = 'Smithers_100%'", NULL);
  }
  smith_id = fx_int (db->admin, "SELECT id FROM rd.provider WHERE npi = '1234567893'", NULL);

  /* Prefix matches first, then the rest; inactive ones are left out. */
  {
    g_autoptr(GPtrArray) f = search (conn, "smith", NULL);
    g_assert_cmpuint (f->len, ==, 2);
    g_assert_cmpstr (rd_provider_get_name (f->pdata[0]), ==, "Smith, Anna");
    g_assert_cmpstr (rd_provider_get_organization_name (f->pdata[0]), ==, "Heart Center");
    g_assert_cmpstr (rd_provider_get_fax (f->pdata[0]), ==, "+15552013344");
    g_assert_cmpstr (rd_provider_get_name (f->pdata[1]), ==, "Blacksmith, Joe");
  }
  {
    g_autoptr(GPtrArray) f = search (conn, "smith", "Orthopedics");
    g_assert_cmpuint (f->len, ==, 1);
    g_assert_cmpstr (rd_provider_get_name (f->pdata[0]), ==, "Blacksmith, Joe");
  }
  {
    g_autoptr(GPtrArray) f = search (conn, "1234567893", NULL);
    g_assert_cmpuint (f->len, ==, 1);
    g_assert_cmpint (rd_provider_get_id (f->pdata[0]), ==, smith_id);
  }
  {
    g_autoptr(GPtrArray) f = search (conn, "_", NULL);
    g_assert_cmpuint (f->len, ==, 0);
  }
  {
    g_autoptr(RdProvider) p = NULL;

    p = SYNC (rd_repo_directory_get_provider_finish (conn, w->result, &error),
              rd_repo_directory_get_provider_async (conn, smith_id, NULL, on_done, w));
    g_assert_no_error (error);
    g_assert_cmpstr (rd_provider_get_npi (p), ==, "1234567893");
    g_assert_cmpstr (rd_provider_get_network_status (p), ==, "unknown");
  }
  {
    g_autoptr(RdProvider) p = NULL;

    p = SYNC (rd_repo_directory_get_provider_finish (conn, w->result, &error),
              rd_repo_directory_get_provider_async (conn, 999999, NULL, on_done, w));
    g_assert_null (p);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_NOT_FOUND);
  }
}

static RdProvider *
add (RdConnection *conn,
     const char   *name,
     const char   *npi,
     const char   *organization,
     const char   *fax,
     gboolean     *existed,
     GError      **error)
{
  g_autoptr(RdProvider) draft = rd_provider_new ();

  rd_provider_set_name (draft, name);
  rd_provider_set_npi (draft, npi);
  rd_provider_set_organization_name (draft, organization);
  rd_provider_set_fax (draft, fax);
  rd_provider_set_phone (draft, "+15553330000");
  return SYNC (rd_repo_directory_add_provider_finish (conn, w->result, existed, error),
               rd_repo_directory_add_provider_async (conn, draft, NULL, on_done, w));
}

static GPtrArray *
by_fax (RdConnection *conn,
        const char   *fax)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *found;

  found = SYNC (rd_repo_directory_find_by_fax_finish (conn, w->result, &error),
                rd_repo_directory_find_by_fax_async (conn, fax, NULL, on_done, w));
  g_assert_no_error (error);
  return found;
}

/* Search by specialty, organisation and fax; add a provider met on a fax. */
static void
test_fax_and_add (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *spec = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  gboolean existed = TRUE;

  if (db == NULL)
    return;

  queue = fx_team (db, "Cardiology");
  spec = fx_staff (db, "Sam Specialist", RD_STAFF_ROLE_SPECIALIST, "Cardiology");
  conn = connect_as (db, spec);
  {
    g_autoptr(PGresult) r = fx_exec (db->admin,
      "WITH o AS (INSERT INTO rd.organization (name, fax) VALUES ('Lakeside Family Practice', '+15552017000') RETURNING id)"
      " INSERT INTO rd.provider (npi, name, organization_id, specialty, fax)"
      " SELECT '1245319599', 'Nguyen, Bao', o.id, 'Family medicine', '+15552017001' FROM o"
      " UNION ALL SELECT NULL, 'Ortiz, Carmen', o.id, 'Family medicine', NULL FROM o"
      " UNION ALL SELECT NULL, 'Hale, Dana', NULL, 'Cardiology', '+15552017001'", NULL);
  }

  /* The provider's own fax comes before a colleague's on the same number. */
  {
    g_autoptr(GPtrArray) f = by_fax (conn, "(555) 201-7001");
    g_assert_cmpuint (f->len, ==, 2);
    g_assert_cmpstr (rd_provider_get_fax (f->pdata[0]), ==, "+15552017001");
  }
  /* The organisation's fax finds everyone there. */
  {
    g_autoptr(GPtrArray) f = by_fax (conn, "555.201.7000");
    g_assert_cmpuint (f->len, ==, 2);
    g_assert_cmpstr (rd_provider_get_organization_name (f->pdata[0]), ==, "Lakeside Family Practice");
    g_assert_cmpstr (rd_provider_get_organization_name (f->pdata[1]), ==, "Lakeside Family Practice");
  }
  {
    g_autoptr(GPtrArray) f = by_fax (conn, "not a number");
    g_assert_cmpuint (f->len, ==, 0);
  }
  /* Typed in the provider search, a phone-shaped query is a fax. */
  {
    g_autoptr(GPtrArray) f = search (conn, "+1 555 201 7000", NULL);
    g_assert_cmpuint (f->len, ==, 2);
  }
  /* Specialty and organisation fragments. */
  {
    g_autoptr(GPtrArray) f = search (conn, "cardio", NULL);
    g_assert_cmpuint (f->len, ==, 1);
    g_assert_cmpstr (rd_provider_get_name (f->pdata[0]), ==, "Hale, Dana");
  }
  {
    g_autoptr(GPtrArray) f = search (conn, "lakeside", NULL);
    g_assert_cmpuint (f->len, ==, 2);
  }

  /* Added with an organisation the directory knows (any case). */
  {
    g_autoptr(RdProvider) p = add (conn, "  Quist, Ellen ", "1093817462", "LAKESIDE family practice",
                                   "+15552017002", &existed, &error);

    g_assert_no_error (error);
    g_assert_false (existed);
    g_assert_cmpint (rd_provider_get_id (p), >, 0);
    g_assert_cmpstr (rd_provider_get_name (p), ==, "Quist, Ellen");
    g_assert_cmpstr (rd_provider_get_organization_name (p), ==, "Lakeside Family Practice");
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.organization", NULL), ==, 1);
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.provider WHERE created_by = $1 AND npi = '1093817462'",
                             spec, NULL), ==, 1);
  }
  /* A new organisation is made beside the provider, with its fax. */
  {
    g_autoptr(RdProvider) p = add (conn, "Rao, Vikram", NULL, "Harbor Pediatrics", "+15552018000",
                                   &existed, &error);

    g_assert_no_error (error);
    g_assert_false (existed);
    g_assert_cmpstr (rd_provider_get_organization_name (p), ==, "Harbor Pediatrics");
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.organization WHERE fax = '+15552018000'", NULL), ==, 1);
  }
  {
    g_autoptr(GPtrArray) f = by_fax (conn, "555-201-8000");
    g_assert_cmpuint (f->len, ==, 1);
    g_assert_cmpstr (rd_provider_get_name (f->pdata[0]), ==, "Rao, Vikram");
  }
  /* An NPI already there: nothing added, that provider is the answer. */
  {
    g_autoptr(RdProvider) p = add (conn, "Nguyen B.", "1245319599", "Elsewhere Clinic", NULL, &existed, &error);

    g_assert_no_error (error);
    g_assert_true (existed);
    g_assert_cmpstr (rd_provider_get_name (p), ==, "Nguyen, Bao");
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.organization WHERE name = 'Elsewhere Clinic'", NULL), ==, 0);
  }
  /* No name, no provider. */
  {
    g_autoptr(RdProvider) p = add (conn, "  ", NULL, NULL, NULL, NULL, &error);

    g_assert_null (p);
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID_INPUT);
    g_clear_error (&error);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/directory/providers", test_providers);
  g_test_add_func ("/store/directory/fax-and-add", test_fax_and_add);

  return g_test_run ();
}
