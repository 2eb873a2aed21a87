/* rd-admin-hl7.h — referral-desk-admin listen-hl7: an MLLP listener
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest frame taken; a longer one closes the connection. */
#define RD_ADMIN_HL7_MAX_FRAME (16 * 1024 * 1024)

int rd_admin_listen_hl7 (int    argc,
                         char **argv);

G_END_DECLS
