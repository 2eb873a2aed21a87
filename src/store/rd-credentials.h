/* rd-credentials.h — a person's database password, kept in the system keyring only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "rd-profile.h"

G_BEGIN_DECLS

#define RD_CREDENTIALS_ERROR (rd_credentials_error_quark ())

/**
 * RdCredentialsError:
 * @RD_CREDENTIALS_ERROR_FAILED: the keyring answered with an error not listed below
 * @RD_CREDENTIALS_ERROR_UNAVAILABLE: no Secret Service (keyring) is running or
 *   reachable on the session bus; ask for the password each time and say why
 * @RD_CREDENTIALS_ERROR_LOCKED: the keyring is locked and the person did not unlock it
 *
 * Messages are translated and meant to be shown.
 */
typedef enum {
  RD_CREDENTIALS_ERROR_FAILED,
  RD_CREDENTIALS_ERROR_UNAVAILABLE,
  RD_CREDENTIALS_ERROR_LOCKED,
} RdCredentialsError;

GQuark              rd_credentials_error_quark    (void);
const SecretSchema *rd_credentials_get_schema     (void);
GHashTable         *rd_credentials_dup_attributes (RdProfile            *profile);

void                rd_credentials_store_async    (RdProfile            *profile,
                                                   const char           *password,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean            rd_credentials_store_finish   (GAsyncResult         *result,
                                                   GError              **error);

void                rd_credentials_lookup_async   (RdProfile            *profile,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
char               *rd_credentials_lookup_finish  (GAsyncResult         *result,
                                                   GError              **error);

void                rd_credentials_forget_async   (RdProfile            *profile,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean            rd_credentials_forget_finish  (GAsyncResult         *result,
                                                   gboolean             *out_removed,
                                                   GError              **error);

void                rd_credentials_forget_profile_async  (const char          *profile_name,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean            rd_credentials_forget_profile_finish (GAsyncResult        *result,
                                                          GError             **error);

void                rd_credentials_password_free  (char                 *password);

G_END_DECLS
