/* rd-profile.c — a server profile and the libpq conninfo it makes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-profile.h"

struct _RdProfile
{
  GObject    parent_instance;

  char      *name;
  GStrv      hosts;
  guint      port;
  char      *database;
  char      *user;
  RdTlsMode  tls_mode;
  char      *ca_file;
  char      *inbox_folder;
};

G_DEFINE_FINAL_TYPE (RdProfile, rd_profile, G_TYPE_OBJECT)

G_DEFINE_QUARK (rd-profile-error-quark, rd_profile_error)

enum {
  PROP_0,
  PROP_NAME,
  PROP_HOSTS,
  PROP_PORT,
  PROP_DATABASE,
  PROP_USER,
  PROP_TLS_MODE,
  PROP_CA_FILE,
  PROP_INBOX_FOLDER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GEnumValue tls_mode_values[] = {
  { RD_TLS_MODE_DEFAULT, "RD_TLS_MODE_DEFAULT", "default" },
  { RD_TLS_MODE_DISABLE, "RD_TLS_MODE_DISABLE", "disable" },
  { RD_TLS_MODE_ALLOW, "RD_TLS_MODE_ALLOW", "allow" },
  { RD_TLS_MODE_PREFER, "RD_TLS_MODE_PREFER", "prefer" },
  { RD_TLS_MODE_REQUIRE, "RD_TLS_MODE_REQUIRE", "require" },
  { RD_TLS_MODE_VERIFY_CA, "RD_TLS_MODE_VERIFY_CA", "verify-ca" },
  { RD_TLS_MODE_VERIFY_FULL, "RD_TLS_MODE_VERIFY_FULL", "verify-full" },
  { 0, NULL, NULL }
};

GType
rd_tls_mode_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      GType type = g_enum_register_static (g_intern_static_string ("RdTlsMode"),
                                           tls_mode_values);
      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

/**
 * rd_tls_mode_to_string:
 * @mode: a TLS mode
 *
 * Returns: the libpq `sslmode` name ("default" for %RD_TLS_MODE_DEFAULT), or %NULL
 */
const char *
rd_tls_mode_to_string (RdTlsMode mode)
{
  for (guint i = 0; tls_mode_values[i].value_nick != NULL; i++)
    if (tls_mode_values[i].value == (int) mode)
      return tls_mode_values[i].value_nick;

  return NULL;
}

/**
 * rd_tls_mode_from_string:
 * @str: a libpq `sslmode` name or "default"
 * @out_mode: (out): the mode
 *
 * Returns: %TRUE when @str names a mode
 */
gboolean
rd_tls_mode_from_string (const char *str,
                         RdTlsMode  *out_mode)
{
  for (guint i = 0; str != NULL && tls_mode_values[i].value_nick != NULL; i++)
    {
      if (strcmp (tls_mode_values[i].value_nick, str) == 0)
        {
          *out_mode = (RdTlsMode) tls_mode_values[i].value;
          return TRUE;
        }
    }

  return FALSE;
}

static void
rd_profile_finalize (GObject *object)
{
  RdProfile *self = (RdProfile *) object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->hosts, g_strfreev);
  g_clear_pointer (&self->database, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->inbox_folder, g_free);

  G_OBJECT_CLASS (rd_profile_parent_class)->finalize (object);
}

static void
rd_profile_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RdProfile *self = RD_PROFILE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_HOSTS:
      g_value_set_boxed (value, self->hosts);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_DATABASE:
      g_value_set_string (value, self->database);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_TLS_MODE:
      g_value_set_enum (value, self->tls_mode);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_INBOX_FOLDER:
      g_value_set_string (value, self->inbox_folder);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_profile_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  RdProfile *self = RD_PROFILE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      rd_profile_set_name (self, g_value_get_string (value));
      break;
    case PROP_HOSTS:
      rd_profile_set_hosts (self, g_value_get_boxed (value));
      break;
    case PROP_PORT:
      rd_profile_set_port (self, g_value_get_uint (value));
      break;
    case PROP_DATABASE:
      rd_profile_set_database (self, g_value_get_string (value));
      break;
    case PROP_USER:
      rd_profile_set_user (self, g_value_get_string (value));
      break;
    case PROP_TLS_MODE:
      rd_profile_set_tls_mode (self, g_value_get_enum (value));
      break;
    case PROP_CA_FILE:
      rd_profile_set_ca_file (self, g_value_get_string (value));
      break;
    case PROP_INBOX_FOLDER:
      rd_profile_set_inbox_folder (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_profile_class_init (RdProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rd_profile_finalize;
  object_class->get_property = rd_profile_get_property;
  object_class->set_property = rd_profile_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOSTS] =
    g_param_spec_boxed ("hosts", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 1, G_MAXUINT16, RD_PROFILE_DEFAULT_PORT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATABASE] =
    g_param_spec_string ("database", NULL, NULL, RD_PROFILE_DEFAULT_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TLS_MODE] =
    g_param_spec_enum ("tls-mode", NULL, NULL, RD_TYPE_TLS_MODE, RD_TLS_MODE_DEFAULT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INBOX_FOLDER] =
    g_param_spec_string ("inbox-folder", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_profile_init (RdProfile *self)
{
  self->hosts = g_new0 (char *, 1);
  self->port = RD_PROFILE_DEFAULT_PORT;
  self->database = g_strdup (RD_PROFILE_DEFAULT_DATABASE);
  self->tls_mode = RD_TLS_MODE_DEFAULT;
}

/**
 * rd_profile_new:
 * @name: (nullable): the name people see, e.g. "Main clinic"
 *
 * A profile with no host (libpq's default socket), port 5432, database
 * `referral_desk` and the default TLS mode. A profile never holds a password.
 *
 * Returns: (transfer full): a new profile
 */
RdProfile *
rd_profile_new (const char *name)
{
  return g_object_new (RD_TYPE_PROFILE, "name", name, NULL);
}

/**
 * rd_profile_copy:
 * @self: a profile
 *
 * Returns: (transfer full): an independent copy of @self
 */
RdProfile *
rd_profile_copy (RdProfile *self)
{
  RdProfile *copy;

  g_return_val_if_fail (RD_IS_PROFILE (self), NULL);

  copy = rd_profile_new (self->name);
  rd_profile_set_hosts (copy, (const char * const *) self->hosts);
  rd_profile_set_port (copy, self->port);
  rd_profile_set_database (copy, self->database);
  rd_profile_set_user (copy, self->user);
  rd_profile_set_tls_mode (copy, self->tls_mode);
  rd_profile_set_ca_file (copy, self->ca_file);
  rd_profile_set_inbox_folder (copy, self->inbox_folder);
  return copy;
}

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/**
 * rd_profile_get_name:
 * @self: a profile
 *
 * Returns: (nullable): the name people see and the key of its keyring items
 */
const char *
rd_profile_get_name (RdProfile *self)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), NULL);
  return self->name;
}

/**
 * rd_profile_set_name:
 * @self: a profile
 * @name: (nullable): the new name
 */
void
rd_profile_set_name (RdProfile  *self,
                     const char *name)
{
  g_return_if_fail (RD_IS_PROFILE (self));
  if (replace_string (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * rd_profile_get_hosts:
 * @self: a profile
 *
 * Returns: (transfer none): the hosts in failover order; empty for libpq's default
 */
const char * const *
rd_profile_get_hosts (RdProfile *self)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), NULL);
  return (const char * const *) self->hosts;
}

/**
 * rd_profile_set_hosts:
 * @self: a profile
 * @hosts: (nullable) (array zero-terminated=1): host names, IP addresses or socket
 *   directories, in the order they are tried
 */
void
rd_profile_set_hosts (RdProfile          *self,
                      const char * const *hosts)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_if_fail (RD_IS_PROFILE (self));

  for (guint i = 0; hosts != NULL && hosts[i] != NULL; i++)
    {
      g_autofree char *host = g_strstrip (g_strdup (hosts[i]));

      if (*host != '\0')
        g_strv_builder_add (builder, host);
    }

  g_clear_pointer (&self->hosts, g_strfreev);
  self->hosts = g_strv_builder_end (builder);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOSTS]);
}

/**
 * rd_profile_set_hosts_from_string:
 * @self: a profile
 * @hosts: hosts separated by commas or white space, as a person types them
 * @error: return location for an error
 *
 * Returns: %TRUE when at least one host was given
 */
gboolean
rd_profile_set_hosts_from_string (RdProfile   *self,
                                  const char  *hosts,
                                  GError     **error)
{
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (RD_IS_PROFILE (self), FALSE);

  parts = g_strsplit_set (hosts != NULL ? hosts : "", ", \t\n", -1);
  rd_profile_set_hosts (self, (const char * const *) parts);

  if (self->hosts[0] == NULL)
    {
      g_set_error_literal (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID,
                           _("Enter the name or address of the database server."));
      return FALSE;
    }

  return TRUE;
}

/**
 * rd_profile_dup_hosts_string:
 * @self: a profile
 *
 * Returns: (transfer full): the hosts joined by commas, as libpq takes them
 */
char *
rd_profile_dup_hosts_string (RdProfile *self)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), NULL);
  return g_strjoinv (",", self->hosts);
}

/**
 * rd_profile_get_port:
 * @self: a profile
 *
 * Returns: the TCP port (for a socket directory: the number in the socket's name)
 */
guint
rd_profile_get_port (RdProfile *self)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), 0);
  return self->port;
}

/**
 * rd_profile_set_port:
 * @self: a profile
 * @port: the port; 0 for 5432
 */
void
rd_profile_set_port (RdProfile *self,
                     guint      port)
{
  g_return_if_fail (RD_IS_PROFILE (self));

  if (port == 0)
    port = RD_PROFILE_DEFAULT_PORT;
  if (self->port == port)
    return;

  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

/**
 * rd_profile_get_database:
 * @self: a profile
 *
 * Returns: (nullable): the database name, `referral_desk` unless changed
 */
const char *
rd_profile_get_database (RdProfile *self)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), NULL);
  return self->database;
}

/**
 * rd_profile_set_database:
 * @self: a profile
 * @database: (nullable): the database name
 */
void
rd_profile_set_database (RdProfile  *self,
                         const char *database)
{
  g_return_if_fail (RD_IS_PROFILE (self));
  if (replace_string (&self->database, database))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATABASE]);
}

/**
 * rd_profile_get_user:
 * @self: a profile
 *
 * Returns: (nullable): the database user; %NULL for the system user name
 */
const char *
rd_profile_get_user (RdProfile *self)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), NULL);
  return self->user;
}

/**
 * rd_profile_set_user:
 * @self: a profile
 * @user: (nullable): the database user
 */
void
rd_profile_set_user (RdProfile  *self,
                     const char *user)
{
  g_return_if_fail (RD_IS_PROFILE (self));
  if (replace_string (&self->user, user))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

/**
 * rd_profile_get_tls_mode:
 * @self: a profile
 *
 * Returns: the mode as set; see rd_profile_get_effective_tls_mode()
 */
RdTlsMode
rd_profile_get_tls_mode (RdProfile *self)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), RD_TLS_MODE_DEFAULT);
  return self->tls_mode;
}

/**
 * rd_profile_set_tls_mode:
 * @self: a profile
 * @mode: the TLS mode; %RD_TLS_MODE_DEFAULT picks by host
 */
void
rd_profile_set_tls_mode (RdProfile *self,
                         RdTlsMode  mode)
{
  g_return_if_fail (RD_IS_PROFILE (self));
  g_return_if_fail (rd_tls_mode_to_string (mode) != NULL);

  if (self->tls_mode == mode)
    return;

  self->tls_mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_MODE]);
}

/**
 * rd_profile_get_ca_file:
 * @self: a profile
 *
 * Returns: (nullable): the PEM file of trusted certificate authorities
 */
const char *
rd_profile_get_ca_file (RdProfile *self)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), NULL);
  return self->ca_file;
}

/**
 * rd_profile_set_ca_file:
 * @self: a profile
 * @ca_file: (nullable): a PEM file with the certificate authorities to trust for
 *   this server; %NULL for libpq's default (`~/.postgresql/root.crt`)
 */
void
rd_profile_set_ca_file (RdProfile  *self,
                        const char *ca_file)
{
  g_return_if_fail (RD_IS_PROFILE (self));

  if (ca_file != NULL && *ca_file == '\0')
    ca_file = NULL;
  if (replace_string (&self->ca_file, ca_file))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CA_FILE]);
}

/**
 * rd_profile_get_inbox_folder:
 * @self: a profile
 *
 * Returns: (nullable): the fax/scanner folder watched while signed in with this
 *   profile, overriding the workstation's own folder; %NULL when the profile
 *   sets none
 */
const char *
rd_profile_get_inbox_folder (RdProfile *self)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), NULL);
  return self->inbox_folder;
}

/**
 * rd_profile_set_inbox_folder:
 * @self: a profile
 * @folder: (nullable): an absolute path of the fax/scanner folder for this
 *   server; %NULL or empty for none (the workstation's setting applies)
 *
 * A path is not patient information; it is kept with the profile.
 */
void
rd_profile_set_inbox_folder (RdProfile  *self,
                             const char *folder)
{
  g_return_if_fail (RD_IS_PROFILE (self));

  if (folder != NULL && *folder == '\0')
    folder = NULL;
  if (replace_string (&self->inbox_folder, folder))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INBOX_FOLDER]);
}

/**
 * rd_profile_host_is_local:
 * @host: a libpq host: a name, an address, or a socket directory
 *
 * A host is local when the connection cannot leave this computer: a unix socket
 * directory (an absolute path, or `@name` in the abstract namespace), `localhost`,
 * or a loopback address (127.0.0.0/8, ::1).
 *
 * Returns: %TRUE when @host is on this computer
 */
gboolean
rd_profile_host_is_local (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL || *host == '\0')
    return TRUE; /* libpq then uses its default socket directory */

  if (host[0] == '/' || host[0] == '@')
    return TRUE;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * rd_profile_is_local:
 * @self: a profile
 *
 * Returns: %TRUE when every host of @self is on this computer
 */
gboolean
rd_profile_is_local (RdProfile *self)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), FALSE);

  for (guint i = 0; self->hosts[i] != NULL; i++)
    if (!rd_profile_host_is_local (self->hosts[i]))
      return FALSE;

  return TRUE;
}

/**
 * rd_profile_get_effective_tls_mode:
 * @self: a profile
 *
 * Returns: the mode the connection uses: %RD_TLS_MODE_DEFAULT resolved to
 *   `verify-full` for a remote profile and `prefer` for a local one
 */
RdTlsMode
rd_profile_get_effective_tls_mode (RdProfile *self)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), RD_TLS_MODE_VERIFY_FULL);

  if (self->tls_mode != RD_TLS_MODE_DEFAULT)
    return self->tls_mode;

  return rd_profile_is_local (self) ? RD_TLS_MODE_PREFER : RD_TLS_MODE_VERIFY_FULL;
}

static gboolean
tls_mode_may_be_clear_text (RdTlsMode mode)
{
  return mode == RD_TLS_MODE_DISABLE || mode == RD_TLS_MODE_ALLOW || mode == RD_TLS_MODE_PREFER;
}

/**
 * rd_profile_validate:
 * @self: a profile
 * @allow_insecure_remote: the administrator's setting that allows a connection that
 *   may be unencrypted to a remote host
 * @error: return location for an error
 *
 * Checks what libpq would otherwise report late or not at all: the port, the host
 * names, a user name, and that a remote connection is encrypted.
 *
 * Returns: %TRUE when @self may be used to connect
 */
gboolean
rd_profile_validate (RdProfile  *self,
                     gboolean    allow_insecure_remote,
                     GError    **error)
{
  g_return_val_if_fail (RD_IS_PROFILE (self), FALSE);

  if (self->port == 0 || self->port > G_MAXUINT16)
    {
      g_set_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID,
                   _("The port must be a number from 1 to 65535, not %u."), self->port);
      return FALSE;
    }

  for (guint i = 0; self->hosts[i] != NULL; i++)
    {
      const char *host = self->hosts[i];

      if (host[0] != '/' && strpbrk (host, ", \t\n'\\=") != NULL)
        {
          g_set_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID,
                       _("“%s” is not a valid server name. Enter one name or address per "
                         "server."), host);
          return FALSE;
        }
      if (host[0] == '/' && strchr (host, ',') != NULL)
        {
          g_set_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID,
                       _("The socket directory “%s” contains a comma. Choose a directory "
                         "without one."), host);
          return FALSE;
        }
    }

  if (self->database == NULL || *self->database == '\0')
    {
      g_set_error_literal (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID,
                           _("Enter the name of the database."));
      return FALSE;
    }

  if (!rd_profile_is_local (self)
      && tls_mode_may_be_clear_text (rd_profile_get_effective_tls_mode (self))
      && !allow_insecure_remote)
    {
      g_set_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INSECURE,
                   _("The security mode “%s” may send patient information unencrypted to "
                     "another computer. Choose “verify-full”, or ask your administrator "
                     "to allow unencrypted connections."),
                   rd_tls_mode_to_string (self->tls_mode));
      return FALSE;
    }

  if (self->ca_file != NULL && !g_path_is_absolute (self->ca_file))
    {
      g_set_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID,
                   _("The certificate file “%s” must be given with its full path."),
                   self->ca_file);
      return FALSE;
    }

  if (self->inbox_folder != NULL && !g_path_is_absolute (self->inbox_folder))
    {
      g_set_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID,
                   _("The fax and scanner folder “%s” must be given with its full path."),
                   self->inbox_folder);
      return FALSE;
    }

  return TRUE;
}

/**
 * rd_conninfo_append:
 * @conninfo: a libpq conninfo being built
 * @key: a libpq keyword
 * @value: (nullable): its value; nothing is added when %NULL
 *
 * Appends `key='value'`, quoting @value as libpq requires, so no value can add
 * keywords of its own.
 */
void
rd_conninfo_append (GString    *conninfo,
                    const char *key,
                    const char *value)
{
  g_return_if_fail (conninfo != NULL);
  g_return_if_fail (key != NULL);

  if (value == NULL)
    return;

  if (conninfo->len > 0)
    g_string_append_c (conninfo, ' ');
  g_string_append (conninfo, key);
  g_string_append (conninfo, "='");
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (conninfo, '\\');
      g_string_append_c (conninfo, *p);
    }
  g_string_append_c (conninfo, '\'');
}

/**
 * rd_profile_to_conninfo:
 * @self: a profile
 * @allow_insecure_remote: see rd_profile_validate()
 * @error: return location for an error
 *
 * The conninfo never contains a password: pass it separately (for example with
 * PQconnectdbParams()) or let libpq ask for it.
 *
 * Several hosts are tried in order with `target_session_attrs=read-write`, so the
 * client lands on whichever is the primary after a failover.
 *
 * Returns: (transfer full) (nullable): a libpq conninfo string, or %NULL with
 *   @error set when the profile is invalid or insecure
 */
char *
rd_profile_to_conninfo (RdProfile  *self,
                        gboolean    allow_insecure_remote,
                        GError    **error)
{
  g_autoptr(GString) conninfo = NULL;
  g_autofree char *hosts = NULL;
  g_autofree char *port = NULL;
  RdTlsMode mode;

  g_return_val_if_fail (RD_IS_PROFILE (self), NULL);

  if (!rd_profile_validate (self, allow_insecure_remote, error))
    return NULL;

  conninfo = g_string_new (NULL);
  hosts = rd_profile_dup_hosts_string (self);
  port = g_strdup_printf ("%u", self->port);
  mode = rd_profile_get_effective_tls_mode (self);

  if (*hosts != '\0')
    rd_conninfo_append (conninfo, "host", hosts);
  rd_conninfo_append (conninfo, "port", port);
  rd_conninfo_append (conninfo, "dbname", self->database);
  if (self->user != NULL && *self->user != '\0')
    rd_conninfo_append (conninfo, "user", self->user);
  rd_conninfo_append (conninfo, "sslmode", rd_tls_mode_to_string (mode));
  if (self->ca_file != NULL && mode != RD_TLS_MODE_DISABLE)
    rd_conninfo_append (conninfo, "sslrootcert", self->ca_file);
  if (g_strv_length (self->hosts) > 1)
    rd_conninfo_append (conninfo, "target_session_attrs", "read-write");
  rd_conninfo_append (conninfo, "connect_timeout", "10");
  rd_conninfo_append (conninfo, "application_name", "referral-desk");

  return g_string_free (g_steal_pointer (&conninfo), FALSE);
}

/**
 * rd_profile_to_variant:
 * @self: a profile
 *
 * Returns: (transfer floating): an `a{sv}` dictionary for GSettings
 */
GVariant *
rd_profile_to_variant (RdProfile *self)
{
  GVariantDict dict;

  g_return_val_if_fail (RD_IS_PROFILE (self), NULL);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "name", "s", self->name != NULL ? self->name : "");
  g_variant_dict_insert_value (&dict, "hosts",
                               g_variant_new_strv ((const char * const *) self->hosts, -1));
  g_variant_dict_insert (&dict, "port", "u", self->port);
  g_variant_dict_insert (&dict, "database", "s", self->database != NULL ? self->database : "");
  g_variant_dict_insert (&dict, "user", "s", self->user != NULL ? self->user : "");
  g_variant_dict_insert (&dict, "tls-mode", "s", rd_tls_mode_to_string (self->tls_mode));
  if (self->ca_file != NULL)
    g_variant_dict_insert (&dict, "ca-file", "s", self->ca_file);
  if (self->inbox_folder != NULL)
    g_variant_dict_insert (&dict, "inbox-folder", "s", self->inbox_folder);
  return g_variant_dict_end (&dict);
}

/**
 * rd_profile_new_from_variant:
 * @variant: an `a{sv}` dictionary made by rd_profile_to_variant()
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the profile, or %NULL when @variant has no
 *   name or an unknown TLS mode
 */
RdProfile *
rd_profile_new_from_variant (GVariant  *variant,
                             GError   **error)
{
  g_autoptr(RdProfile) self = NULL;
  g_autofree char *tls = NULL;
  g_autofree char *name = NULL;
  g_autofree char *database = NULL;
  g_autofree char *user = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *inbox_folder = NULL;
  g_auto(GStrv) hosts = NULL;
  GVariantDict dict;
  RdTlsMode mode = RD_TLS_MODE_DEFAULT;
  guint port = RD_PROFILE_DEFAULT_PORT;

  g_return_val_if_fail (variant != NULL, NULL);

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error_literal (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID,
                           _("A saved server profile is damaged. Create it again."));
      return NULL;
    }

  g_variant_dict_init (&dict, variant);
  if (!g_variant_dict_lookup (&dict, "name", "s", &name) || *name == '\0')
    {
      g_variant_dict_clear (&dict);
      g_set_error_literal (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID,
                           _("A saved server profile has no name. Create it again."));
      return NULL;
    }

  g_variant_dict_lookup (&dict, "hosts", "^as", &hosts);
  g_variant_dict_lookup (&dict, "port", "u", &port);
  g_variant_dict_lookup (&dict, "database", "s", &database);
  g_variant_dict_lookup (&dict, "user", "s", &user);
  g_variant_dict_lookup (&dict, "ca-file", "s", &ca_file);
  g_variant_dict_lookup (&dict, "inbox-folder", "s", &inbox_folder);
  g_variant_dict_lookup (&dict, "tls-mode", "s", &tls);
  g_variant_dict_clear (&dict);

  if (tls != NULL && !rd_tls_mode_from_string (tls, &mode))
    {
      g_set_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID,
                   _("The saved server profile “%s” has an unknown security mode. "
                     "Edit the profile and choose one."), name);
      return NULL;
    }

  self = rd_profile_new (name);
  rd_profile_set_hosts (self, (const char * const *) hosts);
  rd_profile_set_port (self, port);
  if (database != NULL && *database != '\0')
    rd_profile_set_database (self, database);
  if (user != NULL && *user != '\0')
    rd_profile_set_user (self, user);
  rd_profile_set_tls_mode (self, mode);
  rd_profile_set_ca_file (self, ca_file);
  rd_profile_set_inbox_folder (self, inbox_folder);

  return g_steal_pointer (&self);
}

/**
 * rd_profile_list_load:
 * @settings: the application's settings (key `profiles`, type `aa{sv}`)
 *
 * Damaged entries are skipped with a message naming only their position.
 *
 * Returns: (transfer full) (element-type RdProfile): the saved profiles
 */
GPtrArray *
rd_profile_list_load (GSettings *settings)
{
  g_autoptr(GVariant) list = NULL;
  GPtrArray *profiles;
  GVariantIter iter;
  GVariant *child;
  guint position = 0;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  profiles = g_ptr_array_new_with_free_func (g_object_unref);
  list = g_settings_get_value (settings, "profiles");
  g_variant_iter_init (&iter, list);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GError) error = NULL;
      RdProfile *profile = rd_profile_new_from_variant (child, &error);

      if (profile != NULL)
        g_ptr_array_add (profiles, profile);
      else
        g_message ("Skipping saved profile %u: %s", position, error->message);

      g_variant_unref (child);
      position++;
    }

  return profiles;
}

/**
 * rd_profile_list_save:
 * @settings: the application's settings
 * @profiles: (element-type RdProfile): the profiles to keep
 *
 * Replaces the saved list. Passwords are never part of a profile.
 */
void
rd_profile_list_save (GSettings *settings,
                      GPtrArray *profiles)
{
  GVariantBuilder builder;

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (profiles != NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < profiles->len; i++)
    g_variant_builder_add_value (&builder, rd_profile_to_variant (g_ptr_array_index (profiles, i)));

  g_settings_set_value (settings, "profiles", g_variant_builder_end (&builder));
}
