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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/directory/providers", test_providers);

  return g_test_run ();
}
