/* rd-credentials.c — passwords in the Secret Service, through libsecret's async API
 *
 * The password is the secret of a keyring item; the item's attributes say which
 * profile, host, port, database and user it belongs to. Nothing here ever writes a
 * password anywhere else, logs it, or puts it in an attribute.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-credentials.h"

G_DEFINE_QUARK (rd-credentials-error-quark, rd_credentials_error)

/**
 * rd_credentials_get_schema:
 *
 * The schema is named after the application id (without the development
 * suffix, so a development build finds the passwords of the installed one).
 *
 * Returns: (transfer none): the keyring schema of Referral Desk passwords
 */
const SecretSchema *
rd_credentials_get_schema (void)
{
  static const SecretSchema schema = {
    BASE_APP_ID ".Password",
    SECRET_SCHEMA_NONE,
    {
      { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "port", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
      { "database", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

static const char *
effective_user (RdProfile *profile)
{
  const char *user = rd_profile_get_user (profile);

  /* libpq falls back to the operating-system user name; so do we, so the item
   * found is the one for the role that signs in. */
  return user != NULL && *user != '\0' ? user : g_get_user_name ();
}

/**
 * rd_credentials_dup_attributes:
 * @profile: a profile
 *
 * Returns: (transfer full) (element-type utf8 utf8): the attributes that identify
 *   the keyring item of @profile
 */
GHashTable *
rd_credentials_dup_attributes (RdProfile *profile)
{
  GHashTable *attributes;
  const char *name;

  g_return_val_if_fail (RD_IS_PROFILE (profile), NULL);

  name = rd_profile_get_name (profile);
  attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (attributes, (gpointer) "profile", g_strdup (name != NULL ? name : ""));
  g_hash_table_insert (attributes, (gpointer) "host", rd_profile_dup_hosts_string (profile));
  g_hash_table_insert (attributes, (gpointer) "port",
                       g_strdup_printf ("%u", rd_profile_get_port (profile)));
  g_hash_table_insert (attributes, (gpointer) "database",
                       g_strdup (rd_profile_get_database (profile)));
  g_hash_table_insert (attributes, (gpointer) "user", g_strdup (effective_user (profile)));
  return attributes;
}

/* Turns what libsecret reports into the three cases the sign-in dialog needs
 * to tell apart. */
static GError *
translate_error (GError       *error,
                 GCancellable *cancellable)
{
  if (g_cancellable_is_cancelled (cancellable))
    return g_error_copy (error);

  /* The message from D-Bus may contain a bus address or object path, never the
   * password; it is logged for whoever debugs the workstation. */
  g_debug ("Keyring error: %s (%s %d)", error->message,
           g_quark_to_string (error->domain), error->code);

  if (error->domain == SECRET_ERROR && error->code == SECRET_ERROR_IS_LOCKED)
    return g_error_new_literal (RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_LOCKED,
                                _("The keyring is locked. Unlock it to remember your "
                                  "password, or enter the password each time."));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* Nobody cancelled on our side: the person dismissed the unlock prompt. */
    return g_error_new_literal (RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_LOCKED,
                                _("The keyring was not unlocked, so your password cannot "
                                  "be remembered. Enter it each time, or unlock the keyring."));

  if (error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR
      || error->domain == G_SPAWN_ERROR)
    return g_error_new_literal (RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_UNAVAILABLE,
                                _("No keyring is available on this computer, so your "
                                  "password cannot be remembered. You will be asked for it "
                                  "each time you sign in."));

  return g_error_new (RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_FAILED,
                      _("The keyring reported an error: %s"), error->message);
}

static void
on_store_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, translate_error (error, g_task_get_cancellable (task)));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * rd_credentials_store_async:
 * @profile: the profile the password belongs to
 * @password: the password; copied at once, so the caller may wipe it
 * @cancellable: (nullable): a cancellable
 * @callback: called on the thread-default main context when done
 * @user_data: data for @callback
 *
 * Stores @password in the default keyring collection, replacing an earlier
 * password of the same profile, host, port, database and user.
 */
void
rd_credentials_store_async (RdProfile           *profile,
                            const char          *password,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  g_autofree char *hosts = NULL;

  g_return_if_fail (RD_IS_PROFILE (profile));
  g_return_if_fail (password != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_credentials_store_async);

  attributes = rd_credentials_dup_attributes (profile);
  hosts = rd_profile_dup_hosts_string (profile);
  /* Translators: the label of a password in the keyring manager (Seahorse);
   * %s are a user name, a server, and a database name. */
  label = g_strdup_printf (_("Referral Desk password for %s on %s (%s)"),
                           effective_user (profile),
                           *hosts != '\0' ? hosts : _("this computer"),
                           rd_profile_get_database (profile));

  secret_password_storev (rd_credentials_get_schema (), attributes, SECRET_COLLECTION_DEFAULT,
                          label, password, cancellable, on_store_done,
                          g_steal_pointer (&task));
}

/**
 * rd_credentials_store_finish:
 * @result: the result passed to the callback
 * @error: return location for an error in %RD_CREDENTIALS_ERROR (or %G_IO_ERROR_CANCELLED)
 *
 * Returns: %TRUE when the password is in the keyring
 */
gboolean
rd_credentials_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_credentials_store_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_lookup_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *items;
  SecretValue *value;
  gsize length;

  items = secret_service_search_finish (NULL, result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, translate_error (error, g_task_get_cancellable (task)));
      return;
    }

  if (items == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  /* Still locked after the unlock prompt: the person declined. */
  value = secret_item_get_secret (items->data);
  g_list_free_full (items, g_object_unref);
  if (value == NULL)
    {
      g_task_return_new_error (task, RD_CREDENTIALS_ERROR, RD_CREDENTIALS_ERROR_LOCKED,
                               _("The keyring was not unlocked, so the remembered password "
                                 "cannot be used. Enter it, or unlock the keyring."));
      return;
    }

  g_task_return_pointer (task, secret_value_unref_to_password (value, &length),
                         (GDestroyNotify) secret_password_free);
}

/**
 * rd_credentials_lookup_async:
 * @profile: the profile to find the password of
 * @cancellable: (nullable): a cancellable
 * @callback: called on the thread-default main context when done
 * @user_data: data for @callback
 *
 * Looks the password up; the keyring may ask the person to unlock it.
 */
void
rd_credentials_lookup_async (RdProfile           *profile,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (RD_IS_PROFILE (profile));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_credentials_lookup_async);

  /* A search that loads the secret rather than secret_password_lookup(): the
   * latter leaks a D-Bus reply per call in libsecret 0.20.5 (seen under
   * LeakSanitizer). */
  attributes = rd_credentials_dup_attributes (profile);
  secret_service_search (NULL, rd_credentials_get_schema (), attributes,
                         SECRET_SEARCH_LOAD_SECRETS | SECRET_SEARCH_UNLOCK, cancellable,
                         on_lookup_done, g_steal_pointer (&task));
}

/**
 * rd_credentials_lookup_finish:
 * @result: the result passed to the callback
 * @error: return location for an error in %RD_CREDENTIALS_ERROR (or %G_IO_ERROR_CANCELLED)
 *
 * Returns: (transfer full) (nullable): the password in non-pageable memory, to be
 *   freed with rd_credentials_password_free(); %NULL with no error when none is stored
 */
char *
rd_credentials_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_credentials_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_forget_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean removed;

  removed = secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, translate_error (error, g_task_get_cancellable (task)));
  else
    g_task_return_int (task, removed);
}

/**
 * rd_credentials_forget_async:
 * @profile: the profile whose password to remove
 * @cancellable: (nullable): a cancellable
 * @callback: called on the thread-default main context when done
 * @user_data: data for @callback
 *
 * Removes the stored password, for example when the person unticks "Remember
 * password", deletes the profile, or the server rejected the stored password.
 */
void
rd_credentials_forget_async (RdProfile           *profile,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (RD_IS_PROFILE (profile));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_credentials_forget_async);

  attributes = rd_credentials_dup_attributes (profile);
  secret_password_clearv (rd_credentials_get_schema (), attributes, cancellable,
                          on_forget_done, g_steal_pointer (&task));
}

/**
 * rd_credentials_forget_finish:
 * @result: the result passed to the callback
 * @out_removed: (out) (optional): whether a password was stored and is now gone
 * @error: return location for an error in %RD_CREDENTIALS_ERROR (or %G_IO_ERROR_CANCELLED)
 *
 * Returns: %TRUE when no password of the profile is left in the keyring
 */
gboolean
rd_credentials_forget_finish (GAsyncResult  *result,
                              gboolean      *out_removed,
                              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize removed;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_credentials_forget_async,
                        FALSE);

  removed = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (out_removed != NULL)
    *out_removed = removed != 0;
  return TRUE;
}

static void
on_forget_profile_done (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, translate_error (error, g_task_get_cancellable (task)));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * rd_credentials_forget_profile_async:
 * @profile_name: the name of a profile being deleted
 * @cancellable: (nullable): a cancellable
 * @callback: called on the thread-default main context when done
 * @user_data: data for @callback
 *
 * Removes every password stored for the profile, whatever host, port,
 * database or user it was stored with (the profile may have been edited since).
 */
void
rd_credentials_forget_profile_async (const char          *profile_name,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (profile_name != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_credentials_forget_profile_async);

  /* libsecret keeps the table until the service answers: own the value. */
  attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (attributes, (gpointer) "profile", g_strdup (profile_name));
  secret_password_clearv (rd_credentials_get_schema (), attributes, cancellable,
                          on_forget_profile_done, g_steal_pointer (&task));
}

/**
 * rd_credentials_forget_profile_finish:
 * @result: the result passed to the callback
 * @error: return location for an error in %RD_CREDENTIALS_ERROR (or %G_IO_ERROR_CANCELLED)
 *
 * Returns: %TRUE when no password of the profile is left in the keyring
 */
gboolean
rd_credentials_forget_profile_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == rd_credentials_forget_profile_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * rd_credentials_password_free:
 * @password: (nullable): a password from rd_credentials_lookup_finish()
 *
 * Wipes and frees the password.
 */
void
rd_credentials_password_free (char *password)
{
  secret_password_free (password);
}
