/* rd-mail.h — an e-mail (.eml) into documents, sender, subject and a note
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-intake-result.h"

G_BEGIN_DECLS

/* A message is at most 64 MiB, a part at most 32 MiB once encoded, and a
 * message has at most 200 parts (nested messages included). */
#define RD_MAIL_MAX_SIZE       (64 * 1024 * 1024)
#define RD_MAIL_MAX_PART_SIZE  (32 * 1024 * 1024)
#define RD_MAIL_MAX_PARTS      200

RdIntakeResult *rd_mail_import (GBytes  *bytes,
                                GError **error);

G_END_DECLS
