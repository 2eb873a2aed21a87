/* rd-store-error.h — the errors the data layer reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RD_STORE_ERROR (rd_store_error_quark ())

/**
 * RdStoreError:
 * @RD_STORE_ERROR_FAILED: anything not listed below
 * @RD_STORE_ERROR_CONFLICT: someone else saved the row first (stale version)
 * @RD_STORE_ERROR_PERMISSION_DENIED: the database refused the action for this person
 * @RD_STORE_ERROR_NOT_FOUND: no such row (or not visible to this person)
 * @RD_STORE_ERROR_CONNECTION_LOST: the connection dropped; the call may be retried
 * @RD_STORE_ERROR_INVALID_INPUT: the database rejected a value (constraint, transition)
 * @RD_STORE_ERROR_SCHEMA_TOO_NEW: the database was migrated by a newer Referral Desk
 * @RD_STORE_ERROR_SCHEMA_MISSING: the database has not been initialised
 * @RD_STORE_ERROR_AUTH_FAILED: wrong user name or password
 * @RD_STORE_ERROR_UNREACHABLE: no server answered at the address
 * @RD_STORE_ERROR_TLS: the server's certificate could not be verified, or TLS failed
 * @RD_STORE_ERROR_SERVER_TOO_OLD: the PostgreSQL server is older than supported
 * @RD_STORE_ERROR_TIMEOUT: the call did not finish in time
 * @RD_STORE_ERROR_CANCELLED: the call was cancelled
 *
 * Messages are translated and meant to be shown; they never contain PHI.
 */
typedef enum {
  RD_STORE_ERROR_FAILED,
  RD_STORE_ERROR_CONFLICT,
  RD_STORE_ERROR_PERMISSION_DENIED,
  RD_STORE_ERROR_NOT_FOUND,
  RD_STORE_ERROR_CONNECTION_LOST,
  RD_STORE_ERROR_INVALID_INPUT,
  RD_STORE_ERROR_SCHEMA_TOO_NEW,
  RD_STORE_ERROR_SCHEMA_MISSING,
  RD_STORE_ERROR_AUTH_FAILED,
  RD_STORE_ERROR_UNREACHABLE,
  RD_STORE_ERROR_TLS,
  RD_STORE_ERROR_SERVER_TOO_OLD,
  RD_STORE_ERROR_TIMEOUT,
  RD_STORE_ERROR_CANCELLED,
} RdStoreError;

GQuark rd_store_error_quark (void);

G_END_DECLS
