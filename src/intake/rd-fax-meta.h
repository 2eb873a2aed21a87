/* rd-fax-meta.h — who sent a fax and when, from what the fax server wrote
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-model.h"

G_BEGIN_DECLS

/* A sender kept as written (not a phone number) is at most this long. */
#define RD_FAX_META_MAX_SENDER 200

/**
 * RdFaxMeta:
 * @sender: (nullable): the sending number in E.164, or the sending
 *   station's id as written
 * @received_at: (nullable): when the fax server received it
 *
 * What a fax file says about where it came from.
 */
typedef struct {
  char      *sender;
  GDateTime *received_at;
} RdFaxMeta;

void       rd_fax_meta_free             (RdFaxMeta   *meta);
RdFaxMeta *rd_fax_meta_read             (GBytes      *bytes,
                                         const char  *media_type,
                                         GDateTime   *now);
char      *rd_fax_meta_normalise_sender (const char  *raw);
void       rd_fax_meta_apply            (const RdFaxMeta *meta,
                                         RdDocument  *document);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdFaxMeta, rd_fax_meta_free)

G_END_DECLS
