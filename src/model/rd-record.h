/* rd-record.h — shared property plumbing for the plain data objects
 *
 * The model's records (patient, referral, …) are final GObjects whose fields
 * are declared once in a table; this file turns the table into GObject
 * properties and generic get/set, so each record stays a list of fields.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  RD_FIELD_STRING,
  RD_FIELD_INT64,
  RD_FIELD_INT,
  RD_FIELD_BOOLEAN,
  RD_FIELD_DATETIME,
  RD_FIELD_STRV,
} RdFieldType;

typedef struct {
  const char  *name;    /* property name, with dashes */
  RdFieldType  type;
  gsize        offset;  /* of the member in the instance struct */
} RdField;

#define RD_FIELD(Struct, member, prop, type) \
  { prop, type, G_STRUCT_OFFSET (Struct, member) }

void     rd_record_class_install  (GObjectClass   *klass,
                                   const RdField  *fields,
                                   guint           n_fields,
                                   GParamSpec    **pspecs);
void     rd_record_get_property   (GObject        *object,
                                   const RdField  *fields,
                                   guint           n_fields,
                                   guint           prop_id,
                                   GValue         *value);
void     rd_record_set_property   (GObject        *object,
                                   const RdField  *fields,
                                   guint           n_fields,
                                   GParamSpec    **pspecs,
                                   guint           prop_id,
                                   const GValue   *value);
void     rd_record_free_fields    (GObject        *object,
                                   const RdField  *fields,
                                   guint           n_fields);
void     rd_record_copy_fields    (GObject        *dest,
                                   GObject        *src,
                                   const RdField  *fields,
                                   guint           n_fields);
char   **rd_record_diff           (GObject        *a,
                                   GObject        *b,
                                   const RdField  *fields,
                                   guint           n_fields);

/* Declares the standard trio of GObject vfuncs for a record type whose
 * instance struct is @Struct and whose tables are `fields` and `properties`. */
#define RD_RECORD_VFUNCS(Struct, prefix)                                        \
  static void prefix##_get_property (GObject *o, guint id, GValue *v,           \
                                     GParamSpec *p)                             \
  { rd_record_get_property (o, fields, G_N_ELEMENTS (fields), id, v); }        \
  static void prefix##_set_property (GObject *o, guint id, const GValue *v,     \
                                     GParamSpec *p)                             \
  { rd_record_set_property (o, fields, G_N_ELEMENTS (fields), properties, id, v); } \
  static void prefix##_finalize (GObject *o)                                    \
  {                                                                             \
    rd_record_free_fields (o, fields, G_N_ELEMENTS (fields));                   \
    G_OBJECT_CLASS (prefix##_parent_class)->finalize (o);                       \
  }

#define RD_RECORD_CLASS_INIT(klass, prefix)                                     \
  G_STMT_START {                                                                \
    GObjectClass *oc_ = G_OBJECT_CLASS (klass);                                 \
    oc_->get_property = prefix##_get_property;                                  \
    oc_->set_property = prefix##_set_property;                                  \
    oc_->finalize = prefix##_finalize;                                          \
    rd_record_class_install (oc_, fields, G_N_ELEMENTS (fields), properties);   \
  } G_STMT_END

/* Accessors. Getters read the member; setters go through the property so
 * that "notify" is emitted only when the value changes. */
#define RD_STRING_ACCESSORS(Type, prefix, member, prop)                          \
  const char *prefix##_get_##member (Type *self) { return self->member; }        \
  void prefix##_set_##member (Type *self, const char *value)                     \
  { g_object_set (self, prop, value, NULL); }

#define RD_INT64_ACCESSORS(Type, prefix, member, prop)                           \
  gint64 prefix##_get_##member (Type *self) { return self->member; }             \
  void prefix##_set_##member (Type *self, gint64 value)                          \
  { g_object_set (self, prop, value, NULL); }

#define RD_INT_ACCESSORS(Type, prefix, member, prop)                             \
  int prefix##_get_##member (Type *self) { return self->member; }                \
  void prefix##_set_##member (Type *self, int value)                             \
  { g_object_set (self, prop, value, NULL); }

#define RD_BOOLEAN_ACCESSORS(Type, prefix, member, prop)                         \
  gboolean prefix##_get_##member (Type *self) { return self->member; }           \
  void prefix##_set_##member (Type *self, gboolean value)                        \
  { g_object_set (self, prop, value, NULL); }

#define RD_DATETIME_ACCESSORS(Type, prefix, member, prop)                        \
  GDateTime *prefix##_get_##member (Type *self) { return self->member; }         \
  void prefix##_set_##member (Type *self, GDateTime *value)                      \
  { g_object_set (self, prop, value, NULL); }

#define RD_STRV_ACCESSORS(Type, prefix, member, prop)                            \
  const char * const *prefix##_get_##member (Type *self)                         \
  { return (const char * const *) self->member; }                               \
  void prefix##_set_##member (Type *self, const char * const *value)             \
  { g_object_set (self, prop, value, NULL); }

G_END_DECLS
