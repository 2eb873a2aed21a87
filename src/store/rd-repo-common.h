/* rd-repo-common.h — small helpers the repositories share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rd-result.h"

G_BEGIN_DECLS

/* A growing list of text parameters ($1, $2, …); NULL values are SQL NULL. */
typedef struct _RdParams RdParams;

RdParams           *rd_params_new          (void);
void                rd_params_free         (RdParams   *params);
guint               rd_params_add          (RdParams   *params,
                                            const char *value);
guint               rd_params_add_int64    (RdParams   *params,
                                            gint64      value);
guint               rd_params_add_datetime (RdParams   *params,
                                            GDateTime  *value);
const char * const *rd_params_values       (RdParams   *params);
int                 rd_params_count        (RdParams   *params);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdParams, rd_params_free)

char               *rd_repo_escape_like    (const char *text);

/* Column access by name; a missing column is a programming error. */
const char         *rd_repo_get_string     (RdResult   *res,
                                            int         row,
                                            const char *column);
gint64              rd_repo_get_int64      (RdResult   *res,
                                            int         row,
                                            const char *column);
gboolean            rd_repo_get_boolean    (RdResult   *res,
                                            int         row,
                                            const char *column);
GDateTime          *rd_repo_dup_datetime   (RdResult   *res,
                                            int         row,
                                            const char *column);
char              **rd_repo_dup_strv       (RdResult   *res,
                                            int         row,
                                            const char *column);

void                rd_repo_fill_record    (GObject    *record,
                                            RdResult   *res,
                                            int         row);

G_END_DECLS
