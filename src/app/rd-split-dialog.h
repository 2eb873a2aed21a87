/* rd-split-dialog.h — split a fax into page ranges for different referrals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-connection.h"
#include "rd-repo-document.h"

G_BEGIN_DECLS

#define RD_TYPE_SPLIT_DIALOG (rd_split_dialog_get_type ())
G_DECLARE_FINAL_TYPE (RdSplitDialog, rd_split_dialog, RD, SPLIT_DIALOG, AdwWindow)

RdSplitDialog *rd_split_dialog_new          (GtkWindow          *parent,
                                             RdConnection       *connection,
                                             gint64              document_id);
guint          rd_split_dialog_get_n_pages  (RdSplitDialog      *self);
guint          rd_split_dialog_get_n_parts  (RdSplitDialog      *self);
void           rd_split_dialog_add_part     (RdSplitDialog      *self,
                                             guint               from,
                                             guint               to,
                                             RdSplitDestination  destination);
void           rd_split_dialog_remove_parts (RdSplitDialog      *self);
void           rd_split_dialog_set_referral (RdSplitDialog      *self,
                                             guint               part,
                                             gint64              referral_id,
                                             const char         *label);
const char    *rd_split_dialog_get_problem  (RdSplitDialog      *self);
gboolean       rd_split_dialog_get_busy     (RdSplitDialog      *self);

G_END_DECLS
