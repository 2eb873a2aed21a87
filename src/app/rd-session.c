/* rd-session.c — who is signed in, and the connection they work through
 *
 * The password is kept in memory only while signed in, because libpq needs
 * it to reconnect after a dropped connection; it is wiped on sign-out and
 * never written anywhere (the keyring is the only store, see
 * rd-credentials.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rd-migrations.h"
#include "rd-profile.h"
#include "rd-session.h"
#include "rd-store-error.h"

struct _RdSession
{
  GObject         parent_instance;

  RdSessionState  state;
  RdConnection   *connection;
  RdListener     *listener;
  GCancellable   *listener_cancellable;
  gboolean        is_lead;
  char           *conninfo;      /* without the password */
  char           *password;
  char           *login;
  char           *display_name;
  gulong          state_handler;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_LOGIN,
  PROP_DISPLAY_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (RdSession, rd_session, G_TYPE_OBJECT)

static void
wipe_string (char **str)
{
  if (*str != NULL)
    {
      memset (*str, 0, strlen (*str));
      g_clear_pointer (str, g_free);
    }
}

static void
set_state (RdSession      *self,
           RdSessionState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static char *
conninfo_with_password (const char *conninfo,
                        const char *password)
{
  GString *s = g_string_new (conninfo);

  if (password != NULL && *password != '\0')
    rd_conninfo_append (s, "password", password);

  return g_string_free (s, FALSE);
}

static void
on_connection_state (RdSession    *self,
                     GParamSpec   *pspec,
                     RdConnection *connection)
{
  if (self->state == RD_SESSION_SIGNED_OUT || self->state == RD_SESSION_CONNECTING)
    return;

  switch (rd_connection_get_state (connection))
    {
    case RD_CONNECTION_STATE_READY:
      set_state (self, RD_SESSION_READY);
      break;
    case RD_CONNECTION_STATE_CONNECTING:
    case RD_CONNECTION_STATE_BROKEN:
      set_state (self, RD_SESSION_RECONNECTING);
      break;
    case RD_CONNECTION_STATE_CLOSED:
    default:
      break;
    }
}

static void
on_listener_started (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The listener keeps retrying by itself; views refresh on "resync". */
  if (!rd_listener_start_finish (RD_LISTENER (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Live updates are not available yet: %s", error->message);
}

static void
drop_connection (RdSession *self)
{
  g_cancellable_cancel (self->listener_cancellable);
  g_clear_object (&self->listener_cancellable);
  if (self->listener != NULL)
    {
      rd_connection_close (rd_listener_get_connection (self->listener));
      g_clear_object (&self->listener);
    }

  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->state_handler, self->connection);
      rd_connection_close (self->connection);
      g_clear_object (&self->connection);
    }
}

static void
rd_session_dispose (GObject *object)
{
  RdSession *self = RD_SESSION (object);

  drop_connection (self);

  G_OBJECT_CLASS (rd_session_parent_class)->dispose (object);
}

static void
rd_session_finalize (GObject *object)
{
  RdSession *self = RD_SESSION (object);

  wipe_string (&self->password);
  g_free (self->conninfo);
  g_free (self->login);
  g_free (self->display_name);

  G_OBJECT_CLASS (rd_session_parent_class)->finalize (object);
}

static void
rd_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RdSession *self = RD_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_LOGIN:
      g_value_set_string (value, self->login);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_session_class_init (RdSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_session_dispose;
  object_class->finalize = rd_session_finalize;
  object_class->get_property = rd_session_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, RD_SESSION_SIGNED_OUT, RD_SESSION_RECONNECTING,
                      RD_SESSION_SIGNED_OUT,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOGIN] =
    g_param_spec_string ("login", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_session_init (RdSession *self)
{
}

RdSession *
rd_session_new (void)
{
  return g_object_new (RD_TYPE_SESSION, NULL);
}

RdSessionState
rd_session_get_state (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), RD_SESSION_SIGNED_OUT);

  return self->state;
}

/**
 * rd_session_get_connection:
 * @self: a #RdSession
 *
 * Returns: (transfer none) (nullable): the connection while signed in
 */
RdConnection *
rd_session_get_connection (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->connection;
}

/**
 * rd_session_get_listener:
 * @self: a #RdSession
 *
 * Returns: (transfer none) (nullable): the change notifications while signed in
 */
RdListener *
rd_session_get_listener (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->listener;
}

/**
 * rd_session_get_is_lead:
 * @self: a #RdSession
 *
 * Returns: %TRUE when the person leads a team (or administers): the team
 *   board is theirs. The database decides what they may really do.
 */
gboolean
rd_session_get_is_lead (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), FALSE);

  return self->is_lead;
}

const char *
rd_session_get_login (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->login;
}

const char *
rd_session_get_display_name (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->display_name ? self->display_name : self->login;
}

/**
 * rd_session_get_conninfo:
 * @self: a #RdSession
 *
 * Returns: (nullable): the conninfo signed in with, without the password
 */
const char *
rd_session_get_conninfo (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->conninfo;
}

typedef struct {
  RdConnection *connection;
  char         *conninfo;
  char         *password;
} SignInData;

static void
sign_in_data_free (SignInData *data)
{
  g_clear_object (&data->connection);
  g_free (data->conninfo);
  wipe_string (&data->password);
  g_free (data);
}

static void
finish_sign_in (GTask      *task,
                const char *login,
                const char *display_name,
                gboolean    is_lead)
{
  RdSession *self = g_task_get_source_object (task);
  SignInData *data = g_task_get_task_data (task);
  g_autofree char *full = NULL;

  drop_connection (self);
  self->connection = g_steal_pointer (&data->connection);
  g_free (self->conninfo);
  self->conninfo = g_steal_pointer (&data->conninfo);
  wipe_string (&self->password);
  self->password = g_steal_pointer (&data->password);

  g_free (self->login);
  self->login = g_strdup (login);
  g_free (self->display_name);
  self->display_name = g_strdup (display_name);
  self->is_lead = is_lead;

  /* Live updates come through a connection of their own. */
  full = conninfo_with_password (self->conninfo, self->password);
  self->listener = rd_listener_new (full);
  memset (full, 0, strlen (full));
  self->listener_cancellable = g_cancellable_new ();
  rd_listener_start_async (self->listener, self->listener_cancellable, on_listener_started, NULL);

  self->state_handler = g_signal_connect_object (self->connection, "notify::state",
                                                 G_CALLBACK (on_connection_state), self,
                                                 G_CONNECT_SWAPPED);
  set_state (self, RD_SESSION_READY);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOGIN]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
  g_task_return_boolean (task, TRUE);
}

static void
fail_sign_in (GTask  *task,
              GError *error)
{
  RdSession *self = g_task_get_source_object (task);
  SignInData *data = g_task_get_task_data (task);

  rd_connection_close (data->connection);
  set_state (self, RD_SESSION_SIGNED_OUT);
  g_task_return_error (task, error);
}

static void
on_display_name (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) res = NULL;
  g_autoptr(GError) error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      fail_sign_in (task, g_steal_pointer (&error));
      return;
    }

  finish_sign_in (task, rd_result_get_string (res, 0, 0),
                  rd_result_is_null (res, 0, 1) ? NULL : rd_result_get_string (res, 0, 1),
                  rd_result_get_boolean (res, 0, 2));
}

static void
on_schema_version (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(RdResult) res = NULL;
  g_autoptr(GError) error = NULL;
  RdSchemaState state;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      fail_sign_in (task, g_steal_pointer (&error));
      return;
    }

  /* A newer schema was written by a newer Referral Desk: writing through
   * this one could break its rules. An older one lacks what we need. */
  if (!rd_migrations_check_version (rd_result_get_int64 (res, 0, 0), &state, &error))
    {
      fail_sign_in (task, g_steal_pointer (&error));
      return;
    }

  if (state == RD_SCHEMA_OLDER)
    {
      fail_sign_in (task, g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA_MISSING,
                                       _("The database needs an update before this version of Referral Desk can use it. Ask your administrator to run “referral-desk-admin migrate”.")));
      return;
    }

  rd_connection_query_async (RD_CONNECTION (source),
                             "SELECT session_user::text, "
                             "       (SELECT s.display_name FROM rd.staff s "
                             "         WHERE s.login_name = session_user::text), "
                             "       pg_has_role(session_user, 'rd_lead', 'MEMBER') "
                             "       OR pg_has_role(session_user, 'rd_admin', 'MEMBER')",
                             NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT,
                             cancellable, on_display_name, g_steal_pointer (&task));
}

static void
on_who_am_i (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(RdResult) res = NULL;
  g_autoptr(GError) error = NULL;

  res = rd_connection_query_finish (RD_CONNECTION (source), result, &error);
  if (res == NULL)
    {
      fail_sign_in (task, g_steal_pointer (&error));
      return;
    }

  /* An administrator may sign in to a server whose schema is not set up
   * yet; then there is no staff directory to take a name from. */
  if (!rd_result_get_boolean (res, 0, 1))
    {
      finish_sign_in (task, rd_result_get_string (res, 0, 0), NULL, FALSE);
      return;
    }

  rd_connection_query_async (RD_CONNECTION (source), RD_MIGRATIONS_VERSION_QUERY,
                             NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT,
                             cancellable, on_schema_version, g_steal_pointer (&task));
}

static void
on_sign_in_opened (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  if (!rd_connection_open_finish (RD_CONNECTION (source), result, &error))
    {
      fail_sign_in (task, g_steal_pointer (&error));
      return;
    }

  rd_connection_query_async (RD_CONNECTION (source),
                             "SELECT session_user::text, to_regclass('rd.staff') IS NOT NULL",
                             NULL, 0, RD_CONNECTION_TIMEOUT_DEFAULT,
                             cancellable, on_who_am_i, g_steal_pointer (&task));
}

/**
 * rd_session_sign_in_async:
 * @self: a #RdSession
 * @conninfo: a libpq conninfo string without a password
 * @password: (nullable): the password, or %NULL when the server needs none
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when signed in or failed
 * @user_data: data for @callback
 *
 * Opens the connection. On failure the error is a #RD_STORE_ERROR
 * (AUTH_FAILED, UNREACHABLE, TLS, SERVER_TOO_OLD…) with a message to show.
 */
void
rd_session_sign_in_async (RdSession           *self,
                          const char          *conninfo,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *full = NULL;
  SignInData *data;

  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (conninfo != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_session_sign_in_async);

  data = g_new0 (SignInData, 1);
  data->conninfo = g_strdup (conninfo);
  data->password = g_strdup (password);
  full = conninfo_with_password (conninfo, password);
  data->connection = rd_connection_new (full);
  memset (full, 0, strlen (full));
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_data_free);

  set_state (self, RD_SESSION_CONNECTING);
  rd_connection_open_async (data->connection, cancellable, on_sign_in_opened,
                            g_steal_pointer (&task));
}

gboolean
rd_session_sign_in_finish (RdSession     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_check_opened (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = rd_connection_open_finish (RD_CONNECTION (source), result, &error);

  rd_connection_close (RD_CONNECTION (source));
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * rd_session_check_password_async:
 * @self: a signed-in #RdSession
 * @password: what the person typed on the lock screen
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the verdict
 * @user_data: data for @callback
 *
 * Checks @password against the server by opening a second, short-lived
 * connection as the same person. Fails with %RD_STORE_ERROR_AUTH_FAILED when
 * it is wrong.
 */
void
rd_session_check_password_async (RdSession           *self,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(RdConnection) probe = NULL;
  g_autofree char *full = NULL;

  g_return_if_fail (RD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_session_check_password_async);

  if (self->conninfo == NULL)
    {
      g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_AUTH_FAILED,
                               _("Nobody is signed in."));
      return;
    }

  full = conninfo_with_password (self->conninfo, password);
  probe = rd_connection_new (full);
  memset (full, 0, strlen (full));
  g_task_set_task_data (task, g_object_ref (probe), g_object_unref);
  rd_connection_open_async (probe, cancellable, on_check_opened, g_steal_pointer (&task));
}

gboolean
rd_session_check_password_finish (RdSession     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * rd_session_sign_out:
 * @self: a #RdSession
 *
 * Closes the connection and forgets the password.
 */
void
rd_session_sign_out (RdSession *self)
{
  g_return_if_fail (RD_IS_SESSION (self));

  drop_connection (self);
  wipe_string (&self->password);
  set_state (self, RD_SESSION_SIGNED_OUT);
}
