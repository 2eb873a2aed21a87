/* rd-result.c — a reference-counted, read-only view of one query's rows
 *
 * Values arrive in PostgreSQL's text format (or binary, for bytea read with a
 * binary result format); the helpers here turn them into GLib types.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rd-result.h"

struct _RdResult
{
  gatomicrefcount  ref_count;
  PGresult        *res;
};

G_DEFINE_BOXED_TYPE (RdResult, rd_result, rd_result_ref, rd_result_unref)

/**
 * rd_result_new_take:
 * @res: (transfer full): a libpq result
 *
 * Returns: (transfer full): a new result owning @res
 */
RdResult *
rd_result_new_take (PGresult *res)
{
  RdResult *self;

  g_return_val_if_fail (res != NULL, NULL);

  self = g_new0 (RdResult, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->res = res;
  return self;
}

/**
 * rd_result_ref:
 * @self: a result
 *
 * Returns: (transfer full): @self
 */
RdResult *
rd_result_ref (RdResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * rd_result_unref:
 * @self: (transfer full): a result
 *
 * Drops a reference; the rows are freed with the last one.
 */
void
rd_result_unref (RdResult *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      PQclear (self->res);
      g_free (self);
    }
}

/**
 * rd_result_get_pg:
 * @self: a result
 *
 * Returns: (transfer none): the underlying libpq result, for what this
 *   wrapper does not offer
 */
PGresult *
rd_result_get_pg (RdResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->res;
}

/**
 * rd_result_get_n_rows:
 * @self: a result
 *
 * Returns: the number of rows
 */
int
rd_result_get_n_rows (RdResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return PQntuples (self->res);
}

/**
 * rd_result_get_n_columns:
 * @self: a result
 *
 * Returns: the number of columns
 */
int
rd_result_get_n_columns (RdResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return PQnfields (self->res);
}

/**
 * rd_result_get_column:
 * @self: a result
 * @name: a column name as the query spelled it (lower case unless quoted)
 *
 * Returns: the column's index, or -1 when there is no such column
 */
int
rd_result_get_column (RdResult   *self,
                      const char *name)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  for (int i = 0; i < PQnfields (self->res); i++)
    if (strcmp (PQfname (self->res, i), name) == 0)
      return i;

  return -1;
}

/**
 * rd_result_get_affected_rows:
 * @self: a result
 *
 * Returns: the number of rows an INSERT, UPDATE or DELETE touched (also with
 *   RETURNING), or the number of rows a SELECT returned
 */
gint64
rd_result_get_affected_rows (RdResult *self)
{
  const char *s;

  g_return_val_if_fail (self != NULL, 0);

  s = PQcmdTuples (self->res);
  if (s == NULL || *s == '\0')
    return PQntuples (self->res);

  return g_ascii_strtoll (s, NULL, 10);
}

static gboolean
check_cell (RdResult *self,
            int       row,
            int       column)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (row >= 0 && row < PQntuples (self->res), FALSE);
  g_return_val_if_fail (column >= 0 && column < PQnfields (self->res), FALSE);
  return TRUE;
}

/**
 * rd_result_is_null:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Returns: whether the value is SQL NULL
 */
gboolean
rd_result_is_null (RdResult *self,
                   int       row,
                   int       column)
{
  if (!check_cell (self, row, column))
    return TRUE;

  return PQgetisnull (self->res, row, column);
}

/**
 * rd_result_get_string:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Returns: (nullable) (transfer none): the value as text, %NULL for SQL NULL
 */
const char *
rd_result_get_string (RdResult *self,
                      int       row,
                      int       column)
{
  if (!check_cell (self, row, column) || PQgetisnull (self->res, row, column))
    return NULL;

  return PQgetvalue (self->res, row, column);
}

/**
 * rd_result_get_length:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Returns: the length of the value in bytes (0 for SQL NULL)
 */
gsize
rd_result_get_length (RdResult *self,
                      int       row,
                      int       column)
{
  if (!check_cell (self, row, column))
    return 0;

  return PQgetlength (self->res, row, column);
}

/**
 * rd_result_get_int64:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Returns: the value as an integer; 0 for SQL NULL
 */
gint64
rd_result_get_int64 (RdResult *self,
                     int       row,
                     int       column)
{
  const char *s = rd_result_get_string (self, row, column);

  return s ? g_ascii_strtoll (s, NULL, 10) : 0;
}

/**
 * rd_result_get_int:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Returns: the value as an integer; 0 for SQL NULL
 */
int
rd_result_get_int (RdResult *self,
                   int       row,
                   int       column)
{
  return (int) CLAMP (rd_result_get_int64 (self, row, column), G_MININT, G_MAXINT);
}

/**
 * rd_result_get_double:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Returns: the value as a floating point number; 0 for SQL NULL
 */
double
rd_result_get_double (RdResult *self,
                      int       row,
                      int       column)
{
  const char *s = rd_result_get_string (self, row, column);

  return s ? g_ascii_strtod (s, NULL) : 0.0;
}

/**
 * rd_result_get_boolean:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Returns: the value of a boolean column; %FALSE for SQL NULL
 */
gboolean
rd_result_get_boolean (RdResult *self,
                       int       row,
                       int       column)
{
  const char *s = rd_result_get_string (self, row, column);

  return s != NULL && (s[0] == 't' || s[0] == 'T' || s[0] == '1');
}

/**
 * rd_result_dup_datetime:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Reads a `timestamptz` (ISO date style, which the connection sets).
 *
 * Returns: (nullable) (transfer full): the time, or %NULL for SQL NULL or a
 *   value that is not a finite timestamp
 */
GDateTime *
rd_result_dup_datetime (RdResult *self,
                        int       row,
                        int       column)
{
  const char *s = rd_result_get_string (self, row, column);

  return s ? rd_pg_parse_timestamp (s) : NULL;
}

/**
 * rd_result_dup_strv:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Reads a one-dimensional `text[]`.
 *
 * Returns: (nullable) (transfer full): the elements (NULL elements become
 *   empty strings), or %NULL for SQL NULL
 */
char **
rd_result_dup_strv (RdResult *self,
                    int       row,
                    int       column)
{
  const char *s = rd_result_get_string (self, row, column);

  return s ? rd_pg_parse_array (s) : NULL;
}

/**
 * rd_result_dup_bytes:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Reads a `bytea` value, in binary result format (the bytes as they are) or
 * text format (hex escaped).
 *
 * Returns: (nullable) (transfer full): the bytes, or %NULL for SQL NULL
 */
GBytes *
rd_result_dup_bytes (RdResult *self,
                     int       row,
                     int       column)
{
  const char *s = rd_result_get_string (self, row, column);
  unsigned char *raw;
  size_t len = 0;
  GBytes *bytes;

  if (s == NULL)
    return NULL;

  if (PQfformat (self->res, column) == 1)
    return g_bytes_new (s, PQgetlength (self->res, row, column));

  raw = PQunescapeBytea ((const unsigned char *) s, &len);
  if (raw == NULL)
    return NULL;
  bytes = g_bytes_new (raw, len);
  PQfreemem (raw);
  return bytes;
}

static gboolean
parse_digits (const char **p,
              int          n,
              int         *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

/**
 * rd_pg_parse_timestamp:
 * @text: a `timestamptz` or `timestamp` in ISO style, e.g.
 *   `2026-11-27 02:28:32.123456+00`, or a date `2026-11-27`
 *
 * A timestamp without a zone is read as UTC.
 *
 * Returns: (nullable) (transfer full): the time, or %NULL when @text is not
 *   a finite timestamp in that form
 */
GDateTime *
rd_pg_parse_timestamp (const char *text)
{
  const char *p = text;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  double frac = 0.0;
  int off_sign = 1, off_h = 0, off_m = 0, off_s = 0;
  g_autoptr(GTimeZone) tz = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  /* Years have at least four digits; longer years are rare but legal. */
  {
    const char *start = p;
    y = 0;
    while (g_ascii_isdigit (*p))
      y = y * 10 + (*p++ - '0');
    if (p - start < 4 || p - start > 6 || *p != '-')
      return NULL;
    p++;
  }
  if (!parse_digits (&p, 2, &mo) || *p++ != '-' || !parse_digits (&p, 2, &d))
    return NULL;

  if (*p == ' ' || *p == 'T')
    {
      p++;
      if (!parse_digits (&p, 2, &h) || *p++ != ':' ||
          !parse_digits (&p, 2, &mi) || *p++ != ':' ||
          !parse_digits (&p, 2, &sec))
        return NULL;
      if (*p == '.')
        {
          double scale = 0.1;

          p++;
          while (g_ascii_isdigit (*p))
            {
              frac += (*p++ - '0') * scale;
              scale /= 10.0;
            }
        }
    }

  if (*p == '+' || *p == '-')
    {
      off_sign = *p++ == '-' ? -1 : 1;
      if (!parse_digits (&p, 2, &off_h))
        return NULL;
      if (*p == ':')
        {
          p++;
          if (!parse_digits (&p, 2, &off_m))
            return NULL;
          if (*p == ':')
            {
              p++;
              if (!parse_digits (&p, 2, &off_s))
                return NULL;
            }
        }
      tz = g_time_zone_new_offset (off_sign * (off_h * 3600 + off_m * 60 + off_s));
    }
  else if (*p == 'Z')
    {
      p++;
      tz = g_time_zone_new_utc ();
    }
  else
    tz = g_time_zone_new_utc ();

  if (*p != '\0')
    return NULL;

  return g_date_time_new (tz, y, mo, d, h, mi, sec + frac);
}

/**
 * rd_pg_format_timestamp:
 * @dt: (nullable): a time
 *
 * Returns: (nullable) (transfer full): @dt as a `timestamptz` parameter with
 *   microseconds and offset, or %NULL (SQL NULL) for %NULL
 */
char *
rd_pg_format_timestamp (GDateTime *dt)
{
  if (dt == NULL)
    return NULL;

  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S.%f%:z");
}

/**
 * rd_pg_parse_array:
 * @text: a one-dimensional array literal, e.g. `{a,"b c",NULL}`
 *
 * Returns: (nullable) (transfer full): the elements, or %NULL when @text is
 *   not such a literal
 */
char **
rd_pg_parse_array (const char *text)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(GString) item = g_string_new (NULL);
  const char *p = text;

  g_return_val_if_fail (text != NULL, NULL);

  /* Arrays with explicit bounds look like "[0:1]={a,b}". */
  if (*p == '[')
    {
      p = strchr (p, '=');
      if (p == NULL)
        return NULL;
      p++;
    }
  if (*p++ != '{')
    return NULL;
  if (*p == '}')
    return p[1] == '\0' ? g_strv_builder_end (b) : NULL;

  for (;;)
    {
      g_string_truncate (item, 0);

      if (*p == '"')
        {
          p++;
          while (*p != '"')
            {
              if (*p == '\0')
                return NULL;
              if (*p == '\\')
                {
                  p++;
                  if (*p == '\0')
                    return NULL;
                }
              g_string_append_c (item, *p++);
            }
          p++;
          g_strv_builder_add (b, item->str);
        }
      else
        {
          while (*p != ',' && *p != '}')
            {
              if (*p == '\0' || *p == '{' || *p == '"')
                return NULL;
              g_string_append_c (item, *p++);
            }
          /* An unquoted NULL is SQL NULL; we keep positions with "". */
          g_strv_builder_add (b, g_ascii_strcasecmp (item->str, "NULL") == 0 ? "" : item->str);
        }

      if (*p == ',')
        p++;
      else if (*p == '}' && p[1] == '\0')
        break;
      else
        return NULL;
    }

  return g_strv_builder_end (b);
}

/**
 * rd_pg_format_array:
 * @strv: (nullable): strings
 *
 * Returns: (nullable) (transfer full): a `text[]` literal with every
 *   element quoted, for use as a query parameter, or %NULL for %NULL
 */
char *
rd_pg_format_array (const char * const *strv)
{
  GString *s;

  if (strv == NULL)
    return NULL;

  s = g_string_new ("{");
  for (guint i = 0; strv[i]; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, '"');
      for (const char *p = strv[i]; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (s, '\\');
          g_string_append_c (s, *p);
        }
      g_string_append_c (s, '"');
    }
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}
