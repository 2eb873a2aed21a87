/* rd-repo-staff.c — who I am, my teams, my queues, my colleagues
 *
 * "Me" is session_user: the login role the person signed in with (the
 * rules of the schema use the same).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-repo-staff.h"
#include "rd-repo-common.h"
#include "rd-store-error.h"

/* A staff row whose login role was dropped must not break the list. */
#define STAFF_COLUMNS \
  "s.id, s.login_name, s.display_name, s.email, s.active," \
  " CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = s.login_name)" \
  " THEN pg_has_role(s.login_name, 'rd_lead', 'MEMBER') ELSE false END AS is_lead," \
  " CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = s.login_name)" \
  " THEN pg_has_role(s.login_name, 'rd_admin', 'MEMBER') ELSE false END AS is_admin"

/**
 * rd_staff_member_free:
 * @member: (nullable): a staff member
 *
 * Frees @member.
 */
void
rd_staff_member_free (RdStaffMember *member)
{
  if (member == NULL)
    return;
  g_free (member->login_name);
  g_free (member->display_name);
  g_free (member->email);
  g_free (member);
}

/**
 * rd_team_free:
 * @team: (nullable): a team
 *
 * Frees @team.
 */
void
rd_team_free (RdTeam *team)
{
  if (team == NULL)
    return;
  g_free (team->name);
  g_free (team);
}

/**
 * rd_work_queue_free:
 * @queue: (nullable): a queue
 *
 * Frees @queue.
 */
void
rd_work_queue_free (RdWorkQueue *queue)
{
  if (queue == NULL)
    return;
  g_free (queue->team_name);
  g_free (queue->name);
  g_free (queue->kind);
  g_free (queue);
}

static RdStaffMember *
member_from_row (RdResult *res,
                 int       row)
{
  RdStaffMember *m = g_new0 (RdStaffMember, 1);

  m->id = rd_repo_get_int64 (res, row, "id");
  m->login_name = g_strdup (rd_repo_get_string (res, row, "login_name"));
  m->display_name = g_strdup (rd_repo_get_string (res, row, "display_name"));
  m->email = g_strdup (rd_repo_get_string (res, row, "email"));
  m->active = rd_repo_get_boolean (res, row, "active");
  m->is_lead = rd_repo_get_boolean (res, row, "is_lead");
  m->is_admin = rd_repo_get_boolean (res, row, "is_admin");
  return m;
}

static GTask *
new_task (RdConnection        *conn,
          GCancellable        *cancellable,
          gpointer             source_tag,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (conn, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  return task;
}

static gpointer
finish (RdConnection  *conn,
        GAsyncResult  *result,
        gpointer       source_tag,
        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Me -------------------------------------------------------------------------- */

static void
on_me (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    g_task_return_error (task, error);
  else if (rd_result_get_n_rows (res) == 0)
    g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION_DENIED,
                             _("You are signed in to the database, but not as a member of staff. Ask your administrator to add you."));
  else
    g_task_return_pointer (task, member_from_row (res, 0), (GDestroyNotify) rd_staff_member_free);
}

/**
 * rd_repo_staff_me_async:
 * @conn: a connection
 * @cancellable: (nullable): a cancellable
 * @callback: called with the signed-in person
 * @user_data: data for @callback
 *
 * Reads the staff record of the signed-in person, with their roles. Fails
 * with %RD_STORE_ERROR_PERMISSION_DENIED when the login is not staff.
 */
void
rd_repo_staff_me_async (RdConnection        *conn,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_staff_me_async, callback, user_data);
  rd_connection_query_async (conn, "SELECT " STAFF_COLUMNS " FROM rd.staff s"
                             " WHERE s.login_name = session_user",
                             NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_me, task);
}

/**
 * rd_repo_staff_me_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full): the signed-in person; free with
 *   rd_staff_member_free()
 */
RdStaffMember *
rd_repo_staff_me_finish (RdConnection  *conn,
                         GAsyncResult  *result,
                         GError       **error)
{
  return finish (conn, result, rd_repo_staff_me_async, error);
}

/* Teams ----------------------------------------------------------------------- */

static void
on_teams (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  GPtrArray *rows;
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_team_free);
  for (int i = 0; i < rd_result_get_n_rows (res); i++)
    {
      RdTeam *t = g_new0 (RdTeam, 1);

      t->id = rd_repo_get_int64 (res, i, "id");
      t->name = g_strdup (rd_repo_get_string (res, i, "name"));
      t->i_lead = rd_repo_get_boolean (res, i, "i_lead");
      g_ptr_array_add (rows, t);
    }
  g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * rd_repo_staff_teams_async:
 * @conn: a connection
 * @cancellable: (nullable): a cancellable
 * @callback: called with the teams
 * @user_data: data for @callback
 *
 * Lists the teams the signed-in person belongs to, by name.
 */
void
rd_repo_staff_teams_async (RdConnection        *conn,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_staff_teams_async, callback, user_data);
  rd_connection_query_async (conn,
                             "SELECT t.id, t.name, m.role = 'lead' AS i_lead FROM rd.team t"
                             " JOIN rd.team_member m ON m.team_id = t.id"
                             " JOIN rd.staff s ON s.id = m.staff_id"
                             " WHERE s.login_name = session_user ORDER BY t.name, t.id",
                             NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_teams, task);
}

/**
 * rd_repo_staff_teams_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (element-type RdTeam): the teams
 */
GPtrArray *
rd_repo_staff_teams_finish (RdConnection  *conn,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish (conn, result, rd_repo_staff_teams_async, error);
}

/* Queues ---------------------------------------------------------------------- */

static void
on_queues (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  GPtrArray *rows;
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_work_queue_free);
  for (int i = 0; i < rd_result_get_n_rows (res); i++)
    {
      RdWorkQueue *q = g_new0 (RdWorkQueue, 1);

      q->id = rd_repo_get_int64 (res, i, "id");
      q->team_id = rd_repo_get_int64 (res, i, "team_id");
      q->team_name = g_strdup (rd_repo_get_string (res, i, "team_name"));
      q->name = g_strdup (rd_repo_get_string (res, i, "name"));
      q->kind = g_strdup (rd_repo_get_string (res, i, "kind"));
      q->open_count = rd_repo_get_int64 (res, i, "open_count");
      q->overdue_count = rd_repo_get_int64 (res, i, "overdue_count");
      g_ptr_array_add (rows, q);
    }
  g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * rd_repo_staff_queues_async:
 * @conn: a connection
 * @cancellable: (nullable): a cancellable
 * @callback: called with the queues
 * @user_data: data for @callback
 *
 * Lists the active work queues the signed-in person works on (all of them
 * for an administrator), with counts of open and overdue referrals.
 */
void
rd_repo_staff_queues_async (RdConnection        *conn,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_staff_queues_async, callback, user_data);
  rd_connection_query_async (conn,
    "SELECT q.id, q.team_id, t.name AS team_name, q.name, q.kind,"
    " count(r.id) AS open_count,"
    " count(r.id) FILTER (WHERE r.due_at < now()) AS overdue_count"
    " FROM rd.work_queue q JOIN rd.team t ON t.id = q.team_id"
    " LEFT JOIN rd.referral r ON r.queue_id = q.id AND r.status IN ('new', 'triage',"
    " 'pending_info', 'pending_auth', 'accepted', 'scheduled', 'no_show', 'seen')"
    " WHERE q.active AND (q.id = ANY ((SELECT rd.my_queue_ids())::bigint[]) OR (SELECT rd.is_admin()))"
    " GROUP BY q.id, t.name ORDER BY t.name, q.name, q.id",
    NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_queues, task);
}

/**
 * rd_repo_staff_queues_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (element-type RdWorkQueue): the queues
 */
GPtrArray *
rd_repo_staff_queues_finish (RdConnection  *conn,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish (conn, result, rd_repo_staff_queues_async, error);
}

/* Colleagues ------------------------------------------------------------------ */

static void
on_colleagues (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  GPtrArray *rows;
  GError *error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_staff_member_free);
  for (int i = 0; i < rd_result_get_n_rows (res); i++)
    g_ptr_array_add (rows, member_from_row (res, i));
  g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * rd_repo_staff_colleagues_async:
 * @conn: a connection
 * @team_id: one of one's teams, or 0 for all of them
 * @cancellable: (nullable): a cancellable
 * @callback: called with the people
 * @user_data: data for @callback
 *
 * Lists the active members of the signed-in person's teams (themselves
 * included), by name: whom work can be given to.
 */
void
rd_repo_staff_colleagues_async (RdConnection        *conn,
                                gint64               team_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  g_autofree char *team_s = team_id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, team_id) : NULL;
  const char *params[] = { team_s };

  g_return_if_fail (RD_IS_CONNECTION (conn));

  task = new_task (conn, cancellable, rd_repo_staff_colleagues_async, callback, user_data);
  rd_connection_query_async (conn,
    "SELECT " STAFF_COLUMNS " FROM rd.staff s WHERE s.active AND EXISTS ("
    " SELECT 1 FROM rd.team_member m JOIN rd.team_member mine ON mine.team_id = m.team_id"
    " JOIN rd.staff me ON me.id = mine.staff_id AND me.login_name = session_user"
    " WHERE m.staff_id = s.id AND ($1::bigint IS NULL OR m.team_id = $1::bigint))"
    " ORDER BY s.display_name, s.id",
    params, 1, RD_CONNECTION_TIMEOUT_DEFAULT, cancellable, on_colleagues, task);
}

/**
 * rd_repo_staff_colleagues_finish:
 * @conn: a connection
 * @result: the result
 * @error: return location for an #RdStoreError
 *
 * Returns: (transfer full) (element-type RdStaffMember): the people
 */
GPtrArray *
rd_repo_staff_colleagues_finish (RdConnection  *conn,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish (conn, result, rd_repo_staff_colleagues_async, error);
}
