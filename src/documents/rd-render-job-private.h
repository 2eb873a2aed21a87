/* rd-render-job-private.h — what the queue needs from a job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-render-job.h"

G_BEGIN_DECLS

/* Worker thread: runs the job's vfunc and records the outcome. */
void      _rd_render_job_run            (RdRenderJob         *self,
                                         PopplerDocument     *document);

/* Main context: the queue's side. */
void      _rd_render_job_set_callback   (RdRenderJob         *self,
                                         RdRenderJobCallback  callback,
                                         gpointer             user_data,
                                         GDestroyNotify       destroy);
void      _rd_render_job_take_error     (RdRenderJob         *self,
                                         GError              *error);
void      _rd_render_job_set_from_cache (RdRenderJob         *self,
                                         gboolean             from_cache);
/* Results: a job's run() stores what it made between these two calls and
 * only when _rd_render_job_begin_result() returned TRUE. The watchdog
 * abandons a job that overran its budget; from then on the worker that is
 * still running it stores nothing, so the main thread can read the job
 * without racing that thread. */
gboolean  _rd_render_job_begin_result   (RdRenderJob         *self);
void      _rd_render_job_end_result     (RdRenderJob         *self);
void      _rd_render_job_abandon        (RdRenderJob         *self,
                                         GError              *error);

/* Calls the callback once unless cancelled; drops it afterwards either way. */
void      _rd_render_job_deliver        (RdRenderJob         *self);

G_END_DECLS
