/* rd-render-queue.h — one worker thread per document, a priority queue, a cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-render-job.h"

G_BEGIN_DECLS

/* Default cap of the rendered-page cache. */
#define RD_RENDER_QUEUE_DEFAULT_CACHE_CAP (64 * 1024 * 1024)
/* Default time a single job may run before it is reported as timed out. */
#define RD_RENDER_QUEUE_DEFAULT_TIME_BUDGET_MS 8000
/* How often a worker stuck in Poppler is replaced by a fresh one. */
#define RD_RENDER_QUEUE_MAX_REPLACEMENTS 4

#define RD_TYPE_RENDER_QUEUE (rd_render_queue_get_type ())

G_DECLARE_FINAL_TYPE (RdRenderQueue, rd_render_queue, RD, RENDER_QUEUE, GObject)

void   rd_render_queue_push            (RdRenderQueue       *self,
                                        RdRenderJob         *job,
                                        RdRenderJobCallback  callback,
                                        gpointer             user_data,
                                        GDestroyNotify       destroy);
gsize  rd_render_queue_get_cache_cap   (RdRenderQueue       *self);
void   rd_render_queue_set_cache_cap   (RdRenderQueue       *self,
                                        gsize                cap_bytes);
gsize  rd_render_queue_get_cache_size  (RdRenderQueue       *self);
guint  rd_render_queue_get_cache_count (RdRenderQueue       *self);
void   rd_render_queue_clear_cache     (RdRenderQueue       *self);
guint  rd_render_queue_get_time_budget (RdRenderQueue       *self);
void   rd_render_queue_set_time_budget (RdRenderQueue       *self,
                                        guint                budget_ms);
guint  rd_render_queue_get_n_pending   (RdRenderQueue       *self);

guint  rd_render_queue_count_live_workers (void);

G_END_DECLS
