/* rd-import-dialog.h — import dropped or chosen files and folders, with progress
 * and a summary
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-connection.h"

G_BEGIN_DECLS

#define RD_TYPE_IMPORT_DIALOG (rd_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (RdImportDialog, rd_import_dialog, RD, IMPORT_DIALOG, AdwWindow)

RdImportDialog *rd_import_dialog_new          (GtkWindow      *parent,
                                               RdConnection   *connection);
void            rd_import_dialog_choose       (RdImportDialog *self);
void            rd_import_dialog_import_files (RdImportDialog *self,
                                               GListModel     *files);
gboolean        rd_import_dialog_get_finished (RdImportDialog *self);
guint           rd_import_dialog_get_count    (RdImportDialog *self,
                                               int             outcome);

G_END_DECLS
