/* rd-admin-seed.h — referral-desk-admin seed-demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int rd_admin_seed_demo (int    argc,
                        char **argv);

G_END_DECLS
