/* rd-render-job.h — a unit of work for a document's worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <poppler.h>

G_BEGIN_DECLS

/**
 * RdRenderPriority:
 * @RD_RENDER_PRIORITY_VISIBLE: a page the person is looking at
 * @RD_RENDER_PRIORITY_THUMBNAIL: a thumbnail in the page strip
 * @RD_RENDER_PRIORITY_NEIGHBOUR: a page next to the visible ones, rendered ahead
 * @RD_RENDER_PRIORITY_BACKGROUND: anything else (text extraction)
 *
 * The order in which a #RdRenderQueue takes jobs: lower values first, and
 * jobs of the same priority in the order they were pushed.
 */
typedef enum {
  RD_RENDER_PRIORITY_VISIBLE,
  RD_RENDER_PRIORITY_THUMBNAIL,
  RD_RENDER_PRIORITY_NEIGHBOUR,
  RD_RENDER_PRIORITY_BACKGROUND,
} RdRenderPriority;

#define RD_RENDER_N_PRIORITIES (RD_RENDER_PRIORITY_BACKGROUND + 1)

#define RD_TYPE_RENDER_JOB (rd_render_job_get_type ())

G_DECLARE_DERIVABLE_TYPE (RdRenderJob, rd_render_job, RD, RENDER_JOB, GObject)

/**
 * RdRenderJobClass:
 * @run: does the work on the worker thread; this is the only place where a
 *   `PopplerDocument` is touched. Returns %FALSE and sets @error on failure.
 */
struct _RdRenderJobClass
{
  GObjectClass parent_class;

  gboolean (*run) (RdRenderJob      *job,
                   PopplerDocument  *document,
                   GError          **error);

  /*< private >*/
  gpointer padding[4];
};

/**
 * RdRenderJobCallback:
 * @job: the job that finished; see rd_render_job_get_error()
 * @user_data: what was given to rd_render_queue_push()
 *
 * Called on the main context of the queue, once, unless the job was
 * cancelled first.
 */
typedef void (*RdRenderJobCallback) (RdRenderJob *job,
                                     gpointer     user_data);

int               rd_render_job_get_page         (RdRenderJob      *self);
RdRenderPriority  rd_render_job_get_priority     (RdRenderJob      *self);
void              rd_render_job_set_priority     (RdRenderJob      *self,
                                                  RdRenderPriority  priority);
void              rd_render_job_cancel           (RdRenderJob      *self);
gboolean          rd_render_job_is_cancelled     (RdRenderJob      *self);
const GError     *rd_render_job_get_error        (RdRenderJob      *self);
gboolean          rd_render_job_get_from_cache   (RdRenderJob      *self);
gint64            rd_render_job_get_run_time_us  (RdRenderJob      *self);

G_END_DECLS
