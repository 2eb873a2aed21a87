/* rd-application.h — the Referral Desk application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-local-cluster.h"

G_BEGIN_DECLS

#define RD_TYPE_APPLICATION (rd_application_get_type ())
G_DECLARE_FINAL_TYPE (RdApplication, rd_application, RD, APPLICATION, AdwApplication)

RdApplication  *rd_application_new               (void);
RdLocalCluster *rd_application_get_local_cluster (RdApplication *self);
gboolean        rd_application_get_start_local   (RdApplication *self);
gboolean        rd_application_get_demo          (RdApplication *self);

G_END_DECLS
