/* rd-session.c — who is signed in, and the connection they work through
 *
 * The password is kept in memory only while signed in, because libpq needs
 * it to reconnect after a dropped connection; it is wiped on sign-out and
 * never written anywhere (the keyring is the only store, see
 * rd-credentials.c).
 *
 * The fax/scanner folder. While someone is signed in (and the window is not
 * locked), the session watches the folder named by the signed-in server
 * profile, or else the workstation's `inbox-folder` setting, with an
 * RdInboxWatcher on a connection of its own, so that a long filing never
 * queues in front of the person's own work. The folder is checked
 * asynchronously first (missing, a file, no access: each its own message);
 * a failed start is tried again every half minute, since a network share
 * may come back. Exactly-once across workstations is the watcher's (sha256
 * and the move into processed/). A network share does not announce files
 * that other computers write into it (inotify sees only this computer's
 * writes), so the watcher lists the folder again every
 * `inbox-rescan-seconds` (its "rescan-seconds"). The watcher is started
 * asynchronously and does all its disk work on worker threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "rd-inbox-watcher.h"
#include "rd-migrations.h"
#include "rd-profile.h"
#include "rd-session.h"
#include "rd-store-error.h"

#define INBOX_RETRY_SECONDS 30

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

  /* The fax/scanner folder (see the top of this file). */
  GSettings      *settings;            /* NULL without the installed schema */
  char           *profile_name;
  gboolean        inbox_paused;
  RdInboxStatus   inbox_status;
  char           *inbox_folder;        /* the folder watched or being tried */
  char           *inbox_error;
  guint           inbox_imported_today;
  char           *inbox_day;           /* the local date of that count */
  RdConnection   *inbox_connection;
  gboolean        inbox_connection_lost;
  RdInboxWatcher *inbox_watcher;
  GCancellable   *inbox_cancellable;
  guint           inbox_retry_id;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_LOGIN,
  PROP_DISPLAY_NAME,
  PROP_INBOX_STATUS,
  PROP_INBOX_FOLDER,
  PROP_INBOX_ERROR,
  PROP_INBOX_IMPORTED_TODAY,
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

static void update_inbox (RdSession *self);

static void
set_state (RdSession      *self,
           RdSessionState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  update_inbox (self);
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

static void stop_inbox       (RdSession  *self);
static void set_inbox_folder (RdSession  *self,
                              const char *folder);

static void
drop_connection (RdSession *self)
{
  stop_inbox (self);

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
  g_clear_object (&self->settings);

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
  g_free (self->profile_name);
  g_free (self->inbox_folder);
  g_free (self->inbox_error);
  g_free (self->inbox_day);

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
    case PROP_INBOX_STATUS:
      g_value_set_int (value, self->inbox_status);
      break;
    case PROP_INBOX_FOLDER:
      g_value_set_string (value, self->inbox_folder);
      break;
    case PROP_INBOX_ERROR:
      g_value_set_string (value, self->inbox_error);
      break;
    case PROP_INBOX_IMPORTED_TODAY:
      g_value_set_uint (value, rd_session_get_inbox_imported_today (self));
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
  properties[PROP_INBOX_STATUS] =
    g_param_spec_int ("inbox-status", NULL, NULL, RD_INBOX_STATUS_OFF, RD_INBOX_STATUS_FAILED,
                      RD_INBOX_STATUS_OFF,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_INBOX_FOLDER] =
    g_param_spec_string ("inbox-folder", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_INBOX_ERROR] =
    g_param_spec_string ("inbox-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_INBOX_IMPORTED_TODAY] =
    g_param_spec_uint ("inbox-imported-today", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
on_settings_changed (RdSession  *self,
                     const char *key,
                     GSettings  *settings)
{
  if (g_str_equal (key, "inbox-folder") || g_str_equal (key, "inbox-watch")
      || g_str_equal (key, "profiles"))
    update_inbox (self);
  else if (g_str_equal (key, "inbox-rescan-seconds") && self->inbox_watcher != NULL)
    rd_inbox_watcher_set_rescan_seconds (self->inbox_watcher,
                                         g_settings_get_uint (self->settings, "inbox-rescan-seconds"));
  else if (g_str_equal (key, "inbox-settle-seconds") && self->inbox_watcher != NULL)
    {
      /* Start again with the new time. */
      stop_inbox (self);
      set_inbox_folder (self, NULL);
      update_inbox (self);
    }
}

static void
rd_session_init (RdSession *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Without the installed schema (a library test) there is no folder. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "inbox-folder")
      && g_settings_schema_has_key (schema, "inbox-watch")
      && g_settings_schema_has_key (schema, "inbox-settle-seconds")
      && g_settings_schema_has_key (schema, "inbox-rescan-seconds"))
    {
      self->settings = g_settings_new (APP_ID);
      g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed),
                               self, G_CONNECT_SWAPPED);
    }
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

/* The fax/scanner folder ------------------------------------------------ */

static void
set_inbox_status (RdSession     *self,
                  RdInboxStatus  status)
{
  if (self->inbox_status == status)
    return;
  self->inbox_status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INBOX_STATUS]);
}

static void
set_inbox_error (RdSession  *self,
                 const char *message)
{
  if (g_strcmp0 (self->inbox_error, message) == 0)
    return;
  g_free (self->inbox_error);
  self->inbox_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INBOX_ERROR]);
}

static void
set_inbox_folder (RdSession  *self,
                  const char *folder)
{
  if (g_strcmp0 (self->inbox_folder, folder) == 0)
    return;
  g_free (self->inbox_folder);
  self->inbox_folder = g_strdup (folder);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INBOX_FOLDER]);
}

static char *
today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%F");
}

/* The folder of the signed-in profile, or else the workstation's; NULL when
 * nothing should be watched now. */
static char *
wanted_inbox_folder (RdSession *self)
{
  g_autofree char *folder = NULL;

  if (self->settings == NULL || self->inbox_paused
      || (self->state != RD_SESSION_READY && self->state != RD_SESSION_RECONNECTING)
      || !g_settings_get_boolean (self->settings, "inbox-watch"))
    return NULL;

  if (self->profile_name != NULL)
    {
      g_autoptr(GPtrArray) profiles = rd_profile_list_load (self->settings);

      for (guint i = 0; i < profiles->len; i++)
        {
          RdProfile *p = g_ptr_array_index (profiles, i);

          if (g_strcmp0 (rd_profile_get_name (p), self->profile_name) == 0
              && rd_profile_get_inbox_folder (p) != NULL)
            return g_strdup (rd_profile_get_inbox_folder (p));
        }
    }

  folder = g_settings_get_string (self->settings, "inbox-folder");
  if (*folder == '\0')
    return NULL;
  return g_steal_pointer (&folder);
}

static void
stop_inbox (RdSession *self)
{
  g_cancellable_cancel (self->inbox_cancellable);
  g_clear_object (&self->inbox_cancellable);
  g_clear_handle_id (&self->inbox_retry_id, g_source_remove);
  if (self->inbox_watcher != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->inbox_watcher, self);
      rd_inbox_watcher_stop (self->inbox_watcher);
      g_clear_object (&self->inbox_watcher);
    }
  if (self->inbox_connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->inbox_connection, self);
      rd_connection_close (self->inbox_connection);
      g_clear_object (&self->inbox_connection);
    }
  self->inbox_connection_lost = FALSE;
}

static gboolean
on_inbox_retry (gpointer user_data)
{
  RdSession *self = user_data;

  self->inbox_retry_id = 0;
  g_debug ("inbox: trying the folder again");
  stop_inbox (self);
  set_inbox_folder (self, NULL);
  update_inbox (self);
  return G_SOURCE_REMOVE;
}

static void
fail_inbox (RdSession  *self,
            const char *message)
{
  /* The connection of a failed start is not kept; the retry opens anew. */
  stop_inbox (self);
  set_inbox_error (self, message);
  set_inbox_status (self, RD_INBOX_STATUS_FAILED);
  self->inbox_retry_id = g_timeout_add_seconds (INBOX_RETRY_SECONDS, on_inbox_retry, self);
}

static void
on_inbox_file_done (RdInboxWatcher *watcher,
                    const char     *name,
                    int             outcome,
                    gpointer        user_data)
{
  RdSession *self = user_data;
  g_autofree char *day = today ();

  /* The file's name may say who the patient is: it is never logged. */
  g_debug ("inbox: a file was taken: %s", rd_intake_outcome_to_string ((RdIntakeOutcome) outcome));
  if (g_strcmp0 (day, self->inbox_day) != 0)
    {
      g_free (self->inbox_day);
      self->inbox_day = g_steal_pointer (&day);
      self->inbox_imported_today = 0;
    }

  if (outcome == RD_INTAKE_OUTCOME_IMPORTED)
    {
      self->inbox_imported_today++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INBOX_IMPORTED_TODAY]);
    }
  else if (outcome == RD_INTAKE_OUTCOME_REJECTED)
    {
      g_autofree char *shown = g_filename_display_name (name);
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("“%s” could not be imported. It is in the rejected folder, with the reason in “%s.reason.txt” beside it."),
                                 shown, shown);
      set_inbox_error (self, message);
    }
}

/* While the watcher's connection is down, files wait in the folder (the
 * watcher tries them again); say so rather than show "Watching" alone. */
static void
on_inbox_connection_state (RdSession    *self,
                           GParamSpec   *pspec,
                           RdConnection *connection)
{
  RdConnectionState state = rd_connection_get_state (connection);

  if (self->inbox_watcher == NULL)
    return;
  if (state == RD_CONNECTION_STATE_READY && self->inbox_connection_lost)
    {
      self->inbox_connection_lost = FALSE;
      set_inbox_error (self, NULL);
    }
  else if (state == RD_CONNECTION_STATE_BROKEN && !self->inbox_connection_lost)
    {
      self->inbox_connection_lost = TRUE;
      set_inbox_error (self, _("The connection to the database was lost. New faxes and scans wait in the folder and are imported when it is back."));
    }
}

static void
on_watcher_started (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(RdSession) self = user_data;
  RdInboxWatcher *watcher = RD_INBOX_WATCHER (source);
  g_autoptr(GError) error = NULL;

  if (!rd_inbox_watcher_start_finish (watcher, result, &error))
    {
      g_autofree char *shown = NULL;
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->inbox_watcher != watcher)
        return;
      shown = g_filename_display_name (self->inbox_folder);
      message = g_strdup_printf (_("The fax and scanner folder “%s” cannot be watched: %s. Check that Referral Desk may create folders in it, or choose another folder."),
                                 shown, error->message);
      fail_inbox (self, message);
      return;
    }
  if (self->inbox_watcher != watcher)
    return;

  g_debug ("inbox: watching the folder");
  g_signal_connect_swapped (self->inbox_connection, "notify::state",
                            G_CALLBACK (on_inbox_connection_state), self);
  set_inbox_error (self, NULL);
  set_inbox_status (self, RD_INBOX_STATUS_WATCHING);
}

/* Makes the watcher on the open connection and starts it; its folders are
 * made and its files listed on a worker. A network share does not announce
 * files that other computers write into it, so the watcher lists the
 * folder again every `inbox-rescan-seconds`. */
static void
start_watcher (RdSession *self)
{
  g_autoptr(GFile) folder = g_file_new_for_path (self->inbox_folder);

  self->inbox_watcher = rd_inbox_watcher_new (self->inbox_connection, folder, "fax");
  /* A writer that pauses longer than this mid-file gets an incomplete file
   * taken, so the workstation waits longer than the command-line default. */
  rd_inbox_watcher_set_settle_time (self->inbox_watcher,
                                    g_settings_get_uint (self->settings, "inbox-settle-seconds") * 1000);
  rd_inbox_watcher_set_rescan_seconds (self->inbox_watcher,
                                       g_settings_get_uint (self->settings, "inbox-rescan-seconds"));
  g_signal_connect (self->inbox_watcher, "file-done", G_CALLBACK (on_inbox_file_done), self);
  rd_inbox_watcher_start_async (self->inbox_watcher, self->inbox_cancellable, on_watcher_started,
                                g_object_ref (self));
}

static void
on_inbox_connection_opened (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(RdSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rd_connection_open_finish (RD_CONNECTION (source), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || self->inbox_connection != RD_CONNECTION (source))
        return;
      message = g_strdup_printf (_("The fax and scanner folder is not watched because the database did not answer: %s"),
                                 error->message);
      fail_inbox (self, message);
      return;
    }
  if (self->inbox_connection != RD_CONNECTION (source) || self->inbox_folder == NULL)
    return;

  start_watcher (self);
}

static void
on_inbox_folder_checked (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(RdSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *message = NULL;
  g_autofree char *full = NULL;

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || self->inbox_cancellable == NULL || g_cancellable_is_cancelled (self->inbox_cancellable))
    return;

  shown = g_filename_display_name (self->inbox_folder);
  if (info == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    message = g_strdup_printf (_("The fax and scanner folder “%s” is not there. Check that the shared drive is connected, or choose another folder in Preferences."),
                               shown);
  else if (info == NULL)
    message = g_strdup_printf (_("The fax and scanner folder “%s” cannot be opened: %s. Check the shared drive, or choose another folder in Preferences."),
                               shown, error->message);
  else if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    message = g_strdup_printf (_("“%s” is a file, not a folder. Choose the folder the fax server or scanner writes into."),
                               shown);
  else if (!g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_READ)
           || !g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_EXECUTE))
    message = g_strdup_printf (_("Referral Desk may not read the fax and scanner folder “%s”. Ask your administrator for access, or choose another folder."),
                               shown);
  else if (!g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE))
    message = g_strdup_printf (_("Referral Desk may not move files in the fax and scanner folder “%s” to processed/ and rejected/. Ask your administrator for write access."),
                               shown);
  if (message != NULL)
    {
      fail_inbox (self, message);
      return;
    }

  /* Filing gets a connection of its own: a long transaction of a big fax
   * never waits in the queue in front of what the person is doing. */
  full = conninfo_with_password (self->conninfo, self->password);
  self->inbox_connection = rd_connection_new (full);
  memset (full, 0, strlen (full));
  rd_connection_open_async (self->inbox_connection, self->inbox_cancellable,
                            on_inbox_connection_opened, g_object_ref (self));
}

static void
start_inbox (RdSession  *self,
             const char *path)
{
  g_autoptr(GFile) folder = NULL;

  set_inbox_folder (self, path);
  self->inbox_cancellable = g_cancellable_new ();
  set_inbox_status (self, RD_INBOX_STATUS_STARTING);
  if (!g_path_is_absolute (path))
    {
      g_autofree char *shown = g_filename_display_name (path);
      g_autofree char *message = g_strdup_printf (_("The fax and scanner folder “%s” must be given with its full path. Choose it again in Preferences."),
                                                  shown);

      fail_inbox (self, message);
      return;
    }

  folder = g_file_new_for_path (path);
  g_file_query_info_async (folder,
                           G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                           G_FILE_ATTRIBUTE_ACCESS_CAN_READ ","
                           G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE ","
                           G_FILE_ATTRIBUTE_ACCESS_CAN_EXECUTE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, self->inbox_cancellable,
                           on_inbox_folder_checked, g_object_ref (self));
}

static void
update_inbox (RdSession *self)
{
  g_autofree char *want = wanted_inbox_folder (self);

  /* Already watching (or trying, or waiting to retry) this very folder. */
  if (want != NULL && self->inbox_status != RD_INBOX_STATUS_OFF
      && g_strcmp0 (want, self->inbox_folder) == 0)
    return;

  stop_inbox (self);
  if (want == NULL)
    {
      set_inbox_folder (self, NULL);
      set_inbox_status (self, RD_INBOX_STATUS_OFF);
      return;
    }
  start_inbox (self, want);
}

/**
 * rd_session_set_profile_name:
 * @self: a #RdSession
 * @name: (nullable): the saved server profile signed in with
 *
 * The profile's own fax/scanner folder, when it names one, is watched
 * instead of the workstation's.
 */
void
rd_session_set_profile_name (RdSession  *self,
                             const char *name)
{
  g_return_if_fail (RD_IS_SESSION (self));

  if (g_strcmp0 (self->profile_name, name) == 0)
    return;
  g_free (self->profile_name);
  self->profile_name = g_strdup (name);
  update_inbox (self);
}

/**
 * rd_session_get_profile_name:
 * @self: a #RdSession
 *
 * Returns: (nullable): the saved server profile signed in with
 */
const char *
rd_session_get_profile_name (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->profile_name;
}

/**
 * rd_session_set_inbox_paused:
 * @self: a #RdSession
 * @paused: %TRUE while the window is locked
 *
 * Nothing is imported on behalf of a person who is not at the desk.
 */
void
rd_session_set_inbox_paused (RdSession *self,
                             gboolean   paused)
{
  g_return_if_fail (RD_IS_SESSION (self));

  paused = !!paused;
  if (self->inbox_paused == paused)
    return;
  self->inbox_paused = paused;
  update_inbox (self);
}

/**
 * rd_session_get_inbox_status:
 * @self: a #RdSession
 *
 * Returns: whether the fax/scanner folder is watched now
 */
RdInboxStatus
rd_session_get_inbox_status (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), RD_INBOX_STATUS_OFF);

  return self->inbox_status;
}

/**
 * rd_session_get_inbox_folder:
 * @self: a #RdSession
 *
 * Returns: (nullable): the folder watched, being opened or waiting for a
 *   retry; %NULL when off
 */
const char *
rd_session_get_inbox_folder (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->inbox_folder;
}

/**
 * rd_session_get_inbox_error:
 * @self: a #RdSession
 *
 * Returns: (nullable): the last problem with the folder or a file in it, in
 *   words to show; cleared when the folder is watched again
 */
const char *
rd_session_get_inbox_error (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->inbox_error;
}

/**
 * rd_session_get_inbox_imported_today:
 * @self: a #RdSession
 *
 * Returns: how many files from the folder this window stored as new today
 */
guint
rd_session_get_inbox_imported_today (RdSession *self)
{
  g_autofree char *day = NULL;

  g_return_val_if_fail (RD_IS_SESSION (self), 0);

  day = today ();
  return g_strcmp0 (day, self->inbox_day) == 0 ? self->inbox_imported_today : 0;
}
