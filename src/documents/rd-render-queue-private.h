/* rd-render-queue-private.h — made by RdPdf only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-render-queue.h"

G_BEGIN_DECLS

/* Takes @document (which no other thread may touch from now on); @bytes and
 * @password let the queue open a fresh copy when a worker gets stuck. */
RdRenderQueue *_rd_render_queue_new (PopplerDocument *document,
                                     GBytes          *bytes,
                                     const char      *password);

G_END_DECLS
