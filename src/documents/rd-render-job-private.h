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
/* Calls the callback once unless cancelled; drops it afterwards either way. */
void      _rd_render_job_deliver        (RdRenderJob         *self);

G_END_DECLS
