/* rd-provider.h — A clinician or practice in the directory, with the fax number referrals go to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RD_TYPE_PROVIDER (rd_provider_get_type ())
G_DECLARE_FINAL_TYPE (RdProvider, rd_provider, RD, PROVIDER, GObject)

RdProvider *rd_provider_new (void);
RdProvider *rd_provider_copy (RdProvider *self);
char **rd_provider_diff (RdProvider *a, RdProvider *b);

gint64 rd_provider_get_id (RdProvider *self);
void rd_provider_set_id (RdProvider *self, gint64 value);
gint64 rd_provider_get_version (RdProvider *self);
void rd_provider_set_version (RdProvider *self, gint64 value);
const char * rd_provider_get_npi (RdProvider *self);
void rd_provider_set_npi (RdProvider *self, const char * value);
const char * rd_provider_get_name (RdProvider *self);
void rd_provider_set_name (RdProvider *self, const char * value);
gint64 rd_provider_get_organization_id (RdProvider *self);
void rd_provider_set_organization_id (RdProvider *self, gint64 value);
const char * rd_provider_get_organization_name (RdProvider *self);
void rd_provider_set_organization_name (RdProvider *self, const char * value);
const char * rd_provider_get_specialty (RdProvider *self);
void rd_provider_set_specialty (RdProvider *self, const char * value);
const char * rd_provider_get_phone (RdProvider *self);
void rd_provider_set_phone (RdProvider *self, const char * value);
const char * rd_provider_get_fax (RdProvider *self);
void rd_provider_set_fax (RdProvider *self, const char * value);
const char * rd_provider_get_address (RdProvider *self);
void rd_provider_set_address (RdProvider *self, const char * value);
const char * rd_provider_get_network_status (RdProvider *self);
void rd_provider_set_network_status (RdProvider *self, const char * value);

G_END_DECLS
