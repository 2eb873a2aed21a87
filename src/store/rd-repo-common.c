/* rd-repo-common.c — small helpers the repositories share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-repo-common.h"

struct _RdParams
{
  GPtrArray *values;
};

RdParams *
rd_params_new (void)
{
  RdParams *self = g_new0 (RdParams, 1);

  self->values = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
rd_params_free (RdParams *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->values);
  g_free (self);
}

/* Returns the placeholder number of the new parameter. */
guint
rd_params_add (RdParams   *self,
               const char *value)
{
  g_ptr_array_add (self->values, g_strdup (value));
  return self->values->len;
}

guint
rd_params_add_int64 (RdParams *self,
                     gint64    value)
{
  g_ptr_array_add (self->values, g_strdup_printf ("%" G_GINT64_FORMAT, value));
  return self->values->len;
}

guint
rd_params_add_datetime (RdParams  *self,
                        GDateTime *value)
{
  g_ptr_array_add (self->values, rd_pg_format_timestamp (value));
  return self->values->len;
}

const char * const *
rd_params_values (RdParams *self)
{
  return (const char * const *) self->values->pdata;
}

int
rd_params_count (RdParams *self)
{
  return (int) self->values->len;
}

/* Escapes LIKE's wildcards so that user text matches literally. */
char *
rd_repo_escape_like (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; p && *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

static int
column (RdResult   *res,
        const char *name)
{
  int col = rd_result_get_column (res, name);

  if (col < 0)
    g_critical ("query result has no column %s", name);
  return col;
}

const char *
rd_repo_get_string (RdResult   *res,
                    int         row,
                    const char *name)
{
  int col = column (res, name);

  return col < 0 ? NULL : rd_result_get_string (res, row, col);
}

gint64
rd_repo_get_int64 (RdResult   *res,
                   int         row,
                   const char *name)
{
  int col = column (res, name);

  return col < 0 ? 0 : rd_result_get_int64 (res, row, col);
}

gboolean
rd_repo_get_boolean (RdResult   *res,
                     int         row,
                     const char *name)
{
  int col = column (res, name);

  return col < 0 ? FALSE : rd_result_get_boolean (res, row, col);
}

GDateTime *
rd_repo_dup_datetime (RdResult   *res,
                      int         row,
                      const char *name)
{
  int col = column (res, name);

  return col < 0 ? NULL : rd_result_dup_datetime (res, row, col);
}

char **
rd_repo_dup_strv (RdResult   *res,
                  int         row,
                  const char *name)
{
  int col = column (res, name);

  return col < 0 ? NULL : rd_result_dup_strv (res, row, col);
}

/* Sets every property of @record whose name matches a column ("due_at" →
 * "due-at") from row @row; SQL NULL gives the property's empty value. */
void
rd_repo_fill_record (GObject  *record,
                     RdResult *res,
                     int       row)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (record);

  g_object_freeze_notify (record);
  for (int col = 0; col < rd_result_get_n_columns (res); col++)
    {
      g_autofree char *prop = g_strdup (PQfname (rd_result_get_pg (res), col));
      g_auto(GValue) value = G_VALUE_INIT;
      GParamSpec *pspec;
      GType type;

      g_strdelimit (prop, "_", '-');
      pspec = g_object_class_find_property (klass, prop);
      if (pspec == NULL || !(pspec->flags & G_PARAM_WRITABLE))
        continue;

      type = G_PARAM_SPEC_VALUE_TYPE (pspec);
      g_value_init (&value, type);
      if (type == G_TYPE_STRING)
        g_value_set_string (&value, rd_result_get_string (res, row, col));
      else if (type == G_TYPE_INT64)
        g_value_set_int64 (&value, rd_result_get_int64 (res, row, col));
      else if (type == G_TYPE_INT)
        g_value_set_int (&value, rd_result_get_int (res, row, col));
      else if (type == G_TYPE_BOOLEAN)
        g_value_set_boolean (&value, rd_result_get_boolean (res, row, col));
      else if (type == G_TYPE_DATE_TIME)
        g_value_take_boxed (&value, rd_result_dup_datetime (res, row, col));
      else if (type == G_TYPE_STRV)
        g_value_take_boxed (&value, rd_result_dup_strv (res, row, col));
      else
        continue;
      g_object_set_property (record, prop, &value);
    }
  g_object_thaw_notify (record);
}
