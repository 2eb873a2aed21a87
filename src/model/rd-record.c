/* rd-record.c — table-driven properties for the model's records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-record.h"

#define MEMBER(obj, field) ((gpointer) ((guint8 *) (obj) + (field)->offset))

void
rd_record_class_install (GObjectClass  *klass,
                         const RdField *fields,
                         guint          n_fields,
                         GParamSpec   **pspecs)
{
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                            G_PARAM_EXPLICIT_NOTIFY;

  pspecs[0] = NULL;

  for (guint i = 0; i < n_fields; i++)
    {
      const RdField *f = &fields[i];
      GParamSpec *pspec = NULL;

      switch (f->type)
        {
        case RD_FIELD_STRING:
          pspec = g_param_spec_string (f->name, NULL, NULL, NULL, flags);
          break;
        case RD_FIELD_INT64:
          pspec = g_param_spec_int64 (f->name, NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
          break;
        case RD_FIELD_INT:
          pspec = g_param_spec_int (f->name, NULL, NULL, G_MININT, G_MAXINT, 0, flags);
          break;
        case RD_FIELD_BOOLEAN:
          pspec = g_param_spec_boolean (f->name, NULL, NULL, FALSE, flags);
          break;
        case RD_FIELD_DATETIME:
          pspec = g_param_spec_boxed (f->name, NULL, NULL, G_TYPE_DATE_TIME, flags);
          break;
        case RD_FIELD_STRV:
          pspec = g_param_spec_boxed (f->name, NULL, NULL, G_TYPE_STRV, flags);
          break;
        default:
          g_assert_not_reached ();
        }

      pspecs[i + 1] = pspec;
    }

  g_object_class_install_properties (klass, n_fields + 1, pspecs);
}

void
rd_record_get_property (GObject       *object,
                        const RdField *fields,
                        guint          n_fields,
                        guint          prop_id,
                        GValue        *value)
{
  const RdField *f;

  g_return_if_fail (prop_id >= 1 && prop_id <= n_fields);
  f = &fields[prop_id - 1];

  switch (f->type)
    {
    case RD_FIELD_STRING:
      g_value_set_string (value, *(char **) MEMBER (object, f));
      break;
    case RD_FIELD_INT64:
      g_value_set_int64 (value, *(gint64 *) MEMBER (object, f));
      break;
    case RD_FIELD_INT:
      g_value_set_int (value, *(int *) MEMBER (object, f));
      break;
    case RD_FIELD_BOOLEAN:
      g_value_set_boolean (value, *(gboolean *) MEMBER (object, f));
      break;
    case RD_FIELD_DATETIME:
    case RD_FIELD_STRV:
      g_value_set_boxed (value, *(gpointer *) MEMBER (object, f));
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
strv_equal0 (char **a,
             char **b)
{
  if (a == NULL || b == NULL)
    return (a == NULL || *a == NULL) && (b == NULL || *b == NULL);

  return g_strv_equal ((const char * const *) a, (const char * const *) b);
}

static gboolean
datetime_equal0 (GDateTime *a,
                 GDateTime *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_date_time_equal (a, b);
}

void
rd_record_set_property (GObject       *object,
                        const RdField *fields,
                        guint          n_fields,
                        GParamSpec   **pspecs,
                        guint          prop_id,
                        const GValue  *value)
{
  const RdField *f;
  gboolean changed = FALSE;

  g_return_if_fail (prop_id >= 1 && prop_id <= n_fields);
  f = &fields[prop_id - 1];

  switch (f->type)
    {
    case RD_FIELD_STRING:
      {
        char **slot = MEMBER (object, f);
        const char *s = g_value_get_string (value);

        if (g_strcmp0 (*slot, s) != 0)
          {
            g_free (*slot);
            *slot = g_strdup (s);
            changed = TRUE;
          }
      }
      break;
    case RD_FIELD_INT64:
      {
        gint64 *slot = MEMBER (object, f);
        gint64 v = g_value_get_int64 (value);

        changed = *slot != v;
        *slot = v;
      }
      break;
    case RD_FIELD_INT:
      {
        int *slot = MEMBER (object, f);
        int v = g_value_get_int (value);

        changed = *slot != v;
        *slot = v;
      }
      break;
    case RD_FIELD_BOOLEAN:
      {
        gboolean *slot = MEMBER (object, f);
        gboolean v = !!g_value_get_boolean (value);

        changed = *slot != v;
        *slot = v;
      }
      break;
    case RD_FIELD_DATETIME:
      {
        GDateTime **slot = MEMBER (object, f);
        GDateTime *v = g_value_get_boxed (value);

        if (!datetime_equal0 (*slot, v))
          {
            g_clear_pointer (slot, g_date_time_unref);
            *slot = v ? g_date_time_ref (v) : NULL;
            changed = TRUE;
          }
      }
      break;
    case RD_FIELD_STRV:
      {
        char ***slot = MEMBER (object, f);
        char **v = g_value_get_boxed (value);

        if (!strv_equal0 (*slot, v))
          {
            g_strfreev (*slot);
            *slot = g_strdupv (v);
            changed = TRUE;
          }
      }
      break;
    default:
      g_assert_not_reached ();
    }

  if (changed)
    g_object_notify_by_pspec (object, pspecs[prop_id]);
}

void
rd_record_free_fields (GObject       *object,
                       const RdField *fields,
                       guint          n_fields)
{
  for (guint i = 0; i < n_fields; i++)
    {
      const RdField *f = &fields[i];

      switch (f->type)
        {
        case RD_FIELD_STRING:
          g_clear_pointer ((char **) MEMBER (object, f), g_free);
          break;
        case RD_FIELD_DATETIME:
          g_clear_pointer ((GDateTime **) MEMBER (object, f), g_date_time_unref);
          break;
        case RD_FIELD_STRV:
          g_clear_pointer ((char ***) MEMBER (object, f), g_strfreev);
          break;
        default:
          break;
        }
    }
}

/**
 * rd_record_copy_fields:
 * @dest: a record
 * @src: a record of the same type
 *
 * Sets every field of @dest to the value in @src, notifying what changed.
 */
void
rd_record_copy_fields (GObject       *dest,
                       GObject       *src,
                       const RdField *fields,
                       guint          n_fields)
{
  g_object_freeze_notify (dest);
  for (guint i = 0; i < n_fields; i++)
    {
      g_auto(GValue) v = G_VALUE_INIT;

      g_object_get_property (src, fields[i].name, &v);
      g_object_set_property (dest, fields[i].name, &v);
    }
  g_object_thaw_notify (dest);
}

/**
 * rd_record_diff:
 * @a: a record
 * @b: a record of the same type
 *
 * Returns: (transfer full): the property names whose values differ
 */
char **
rd_record_diff (GObject       *a,
                GObject       *b,
                const RdField *fields,
                guint          n_fields)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; i < n_fields; i++)
    {
      const RdField *f = &fields[i];
      gboolean same;

      switch (f->type)
        {
        case RD_FIELD_STRING:
          same = g_strcmp0 (*(char **) MEMBER (a, f), *(char **) MEMBER (b, f)) == 0;
          break;
        case RD_FIELD_INT64:
          same = *(gint64 *) MEMBER (a, f) == *(gint64 *) MEMBER (b, f);
          break;
        case RD_FIELD_INT:
        case RD_FIELD_BOOLEAN:
          same = *(int *) MEMBER (a, f) == *(int *) MEMBER (b, f);
          break;
        case RD_FIELD_DATETIME:
          same = datetime_equal0 (*(GDateTime **) MEMBER (a, f), *(GDateTime **) MEMBER (b, f));
          break;
        case RD_FIELD_STRV:
          same = strv_equal0 (*(char ***) MEMBER (a, f), *(char ***) MEMBER (b, f));
          break;
        default:
          g_assert_not_reached ();
        }

      if (!same)
        g_strv_builder_add (names, f->name);
    }

  return g_strv_builder_end (names);
}
