/* rd-result.h — a reference-counted, read-only view of one query's rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

#define RD_TYPE_RESULT (rd_result_get_type ())

typedef struct _RdResult RdResult;

GType        rd_result_get_type          (void) G_GNUC_CONST;

RdResult    *rd_result_new_take          (PGresult   *res);
RdResult    *rd_result_ref               (RdResult   *self);
void         rd_result_unref             (RdResult   *self);

PGresult    *rd_result_get_pg            (RdResult   *self);
int          rd_result_get_n_rows        (RdResult   *self);
int          rd_result_get_n_columns     (RdResult   *self);
int          rd_result_get_column        (RdResult   *self,
                                          const char *name);
gint64       rd_result_get_affected_rows (RdResult   *self);

gboolean     rd_result_is_null           (RdResult   *self,
                                          int         row,
                                          int         column);
const char  *rd_result_get_string        (RdResult   *self,
                                          int         row,
                                          int         column);
gsize        rd_result_get_length        (RdResult   *self,
                                          int         row,
                                          int         column);
gint64       rd_result_get_int64         (RdResult   *self,
                                          int         row,
                                          int         column);
int          rd_result_get_int           (RdResult   *self,
                                          int         row,
                                          int         column);
double       rd_result_get_double        (RdResult   *self,
                                          int         row,
                                          int         column);
gboolean     rd_result_get_boolean       (RdResult   *self,
                                          int         row,
                                          int         column);
GDateTime   *rd_result_dup_datetime      (RdResult   *self,
                                          int         row,
                                          int         column);
char       **rd_result_dup_strv          (RdResult   *self,
                                          int         row,
                                          int         column);
GBytes      *rd_result_dup_bytes         (RdResult   *self,
                                          int         row,
                                          int         column);

/* Helpers for building parameters and reading values outside a result. */
GDateTime   *rd_pg_parse_timestamp       (const char *text);
char        *rd_pg_format_timestamp      (GDateTime  *dt);
char       **rd_pg_parse_array           (const char *text);
char        *rd_pg_format_array          (const char * const *strv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdResult, rd_result_unref)

G_END_DECLS
