/* rd-repo-patient.h — patients: search, duplicates, create, save, coverage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-model.h"
#include "rd-connection.h"

G_BEGIN_DECLS

void        rd_repo_patient_search_async            (RdConnection         *conn,
                                                     const char           *query,
                                                     guint                 limit,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray  *rd_repo_patient_search_finish           (RdConnection         *conn,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void        rd_repo_patient_find_candidates_async   (RdConnection         *conn,
                                                     const char           *family_name,
                                                     const char           *given_name,
                                                     const char           *dob,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray  *rd_repo_patient_find_candidates_finish  (RdConnection         *conn,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void        rd_repo_patient_get_async               (RdConnection         *conn,
                                                     gint64                id,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
RdPatient  *rd_repo_patient_get_finish              (RdConnection         *conn,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void        rd_repo_patient_create_async            (RdConnection         *conn,
                                                     RdPatient            *patient,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
RdPatient  *rd_repo_patient_create_finish           (RdConnection         *conn,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void        rd_repo_patient_save_async              (RdConnection         *conn,
                                                     RdPatient            *patient,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
RdPatient  *rd_repo_patient_save_finish             (RdConnection         *conn,
                                                     GAsyncResult         *result,
                                                     RdPatient           **out_current,
                                                     GError              **error);

void        rd_repo_patient_list_coverage_async     (RdConnection         *conn,
                                                     gint64                patient_id,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray  *rd_repo_patient_list_coverage_finish    (RdConnection         *conn,
                                                     GAsyncResult         *result,
                                                     GError              **error);

G_END_DECLS
