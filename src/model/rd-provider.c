/* rd-provider.c — A clinician or practice in the directory, with the fax number referrals go to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-record.h"
#include "rd-provider.h"

struct _RdProvider
{
  GObject parent_instance;

  gint64 id;
  gint64 version;
  char *npi;
  char *name;
  gint64 organization_id;
  char *organization_name;
  char *specialty;
  char *phone;
  char *fax;
  char *address;
  char *network_status;
};

G_DEFINE_FINAL_TYPE (RdProvider, rd_provider, G_TYPE_OBJECT)

static const RdField fields[] = {
  RD_FIELD (RdProvider, id, "id", RD_FIELD_INT64),
  RD_FIELD (RdProvider, version, "version", RD_FIELD_INT64),
  RD_FIELD (RdProvider, npi, "npi", RD_FIELD_STRING),
  RD_FIELD (RdProvider, name, "name", RD_FIELD_STRING),
  RD_FIELD (RdProvider, organization_id, "organization-id", RD_FIELD_INT64),
  RD_FIELD (RdProvider, organization_name, "organization-name", RD_FIELD_STRING),
  RD_FIELD (RdProvider, specialty, "specialty", RD_FIELD_STRING),
  RD_FIELD (RdProvider, phone, "phone", RD_FIELD_STRING),
  RD_FIELD (RdProvider, fax, "fax", RD_FIELD_STRING),
  RD_FIELD (RdProvider, address, "address", RD_FIELD_STRING),
  RD_FIELD (RdProvider, network_status, "network-status", RD_FIELD_STRING),
};

static GParamSpec *properties[G_N_ELEMENTS (fields) + 1];

RD_RECORD_VFUNCS (RdProvider, rd_provider)

static void
rd_provider_class_init (RdProviderClass *klass)
{
  RD_RECORD_CLASS_INIT (klass, rd_provider);
}

static void
rd_provider_init (RdProvider *self)
{
}

RdProvider *
rd_provider_new (void)
{
  return g_object_new (RD_TYPE_PROVIDER, NULL);
}

/**
 * rd_provider_copy:
 * @self: a #RdProvider
 *
 * Returns: (transfer full): a new record with the same values
 */
RdProvider *
rd_provider_copy (RdProvider *self)
{
  RdProvider *copy = rd_provider_new ();

  rd_record_copy_fields (G_OBJECT (copy), G_OBJECT (self), fields, G_N_ELEMENTS (fields));
  return copy;
}

/**
 * rd_provider_diff:
 * @a: a #RdProvider
 * @b: another
 *
 * Returns: (transfer full): names of the properties that differ
 */
char **
rd_provider_diff (RdProvider *a,
                  RdProvider *b)
{
  return rd_record_diff (G_OBJECT (a), G_OBJECT (b), fields, G_N_ELEMENTS (fields));
}

RD_INT64_ACCESSORS (RdProvider, rd_provider, id, "id")
RD_INT64_ACCESSORS (RdProvider, rd_provider, version, "version")
RD_STRING_ACCESSORS (RdProvider, rd_provider, npi, "npi")
RD_STRING_ACCESSORS (RdProvider, rd_provider, name, "name")
RD_INT64_ACCESSORS (RdProvider, rd_provider, organization_id, "organization-id")
RD_STRING_ACCESSORS (RdProvider, rd_provider, organization_name, "organization-name")
RD_STRING_ACCESSORS (RdProvider, rd_provider, specialty, "specialty")
RD_STRING_ACCESSORS (RdProvider, rd_provider, phone, "phone")
RD_STRING_ACCESSORS (RdProvider, rd_provider, fax, "fax")
RD_STRING_ACCESSORS (RdProvider, rd_provider, address, "address")
RD_STRING_ACCESSORS (RdProvider, rd_provider, network_status, "network-status")
