/* rd-profile.h — a server profile: where the database is and how to reach it safely
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RD_PROFILE_ERROR (rd_profile_error_quark ())

/**
 * RdProfileError:
 * @RD_PROFILE_ERROR_INVALID: a field is missing or malformed
 * @RD_PROFILE_ERROR_INSECURE: the TLS mode would allow an unencrypted connection to
 *   a host that is not on this computer, and the administrator has not allowed that
 *
 * Messages are translated and meant to be shown.
 */
typedef enum {
  RD_PROFILE_ERROR_INVALID,
  RD_PROFILE_ERROR_INSECURE,
} RdProfileError;

/**
 * RdTlsMode:
 * @RD_TLS_MODE_DEFAULT: `verify-full` for a remote host; `prefer` when every host is on
 *   this computer (a socket path or a loopback address)
 * @RD_TLS_MODE_DISABLE: libpq `sslmode=disable`
 * @RD_TLS_MODE_ALLOW: libpq `sslmode=allow`
 * @RD_TLS_MODE_PREFER: libpq `sslmode=prefer`
 * @RD_TLS_MODE_REQUIRE: libpq `sslmode=require` (encrypted, server not verified)
 * @RD_TLS_MODE_VERIFY_CA: libpq `sslmode=verify-ca`
 * @RD_TLS_MODE_VERIFY_FULL: libpq `sslmode=verify-full`
 *
 * `disable`, `allow` and `prefer` may all end in a clear-text connection, so all three
 * are refused for a remote host unless the administrator allows it.
 */
typedef enum {
  RD_TLS_MODE_DEFAULT,
  RD_TLS_MODE_DISABLE,
  RD_TLS_MODE_ALLOW,
  RD_TLS_MODE_PREFER,
  RD_TLS_MODE_REQUIRE,
  RD_TLS_MODE_VERIFY_CA,
  RD_TLS_MODE_VERIFY_FULL,
} RdTlsMode;

#define RD_PROFILE_DEFAULT_PORT     5432
#define RD_PROFILE_DEFAULT_DATABASE "referral_desk"

#define RD_TYPE_TLS_MODE (rd_tls_mode_get_type ())
#define RD_TYPE_PROFILE  (rd_profile_get_type ())

G_DECLARE_FINAL_TYPE (RdProfile, rd_profile, RD, PROFILE, GObject)

GQuark              rd_profile_error_quark            (void);
GType               rd_tls_mode_get_type              (void);
const char         *rd_tls_mode_to_string             (RdTlsMode     mode);
gboolean            rd_tls_mode_from_string           (const char   *str,
                                                       RdTlsMode    *out_mode);

RdProfile          *rd_profile_new                    (const char   *name);
RdProfile          *rd_profile_copy                   (RdProfile    *self);

const char         *rd_profile_get_name               (RdProfile    *self);
void                rd_profile_set_name               (RdProfile    *self,
                                                       const char   *name);
const char * const *rd_profile_get_hosts              (RdProfile    *self);
void                rd_profile_set_hosts              (RdProfile    *self,
                                                       const char * const *hosts);
gboolean            rd_profile_set_hosts_from_string  (RdProfile    *self,
                                                       const char   *hosts,
                                                       GError      **error);
char               *rd_profile_dup_hosts_string       (RdProfile    *self);
guint               rd_profile_get_port               (RdProfile    *self);
void                rd_profile_set_port               (RdProfile    *self,
                                                       guint         port);
const char         *rd_profile_get_database           (RdProfile    *self);
void                rd_profile_set_database           (RdProfile    *self,
                                                       const char   *database);
const char         *rd_profile_get_user               (RdProfile    *self);
void                rd_profile_set_user               (RdProfile    *self,
                                                       const char   *user);
RdTlsMode           rd_profile_get_tls_mode           (RdProfile    *self);
void                rd_profile_set_tls_mode           (RdProfile    *self,
                                                       RdTlsMode     mode);
const char         *rd_profile_get_ca_file            (RdProfile    *self);
void                rd_profile_set_ca_file            (RdProfile    *self,
                                                       const char   *ca_file);
const char         *rd_profile_get_inbox_folder       (RdProfile    *self);
void                rd_profile_set_inbox_folder       (RdProfile    *self,
                                                       const char   *folder);

gboolean            rd_profile_host_is_local          (const char   *host);
gboolean            rd_profile_is_local               (RdProfile    *self);
RdTlsMode           rd_profile_get_effective_tls_mode (RdProfile    *self);
gboolean            rd_profile_validate               (RdProfile    *self,
                                                       gboolean      allow_insecure_remote,
                                                       GError      **error);
char               *rd_profile_to_conninfo            (RdProfile    *self,
                                                       gboolean      allow_insecure_remote,
                                                       GError      **error);

GVariant           *rd_profile_to_variant             (RdProfile    *self);
RdProfile          *rd_profile_new_from_variant       (GVariant     *variant,
                                                       GError      **error);
GPtrArray          *rd_profile_list_load              (GSettings    *settings);
void                rd_profile_list_save              (GSettings    *settings,
                                                       GPtrArray    *profiles);

void                rd_conninfo_append                (GString      *conninfo,
                                                       const char   *key,
                                                       const char   *value);

G_END_DECLS
