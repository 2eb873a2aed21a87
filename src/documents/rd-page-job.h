/* rd-page-job.h — render one page into a cairo image surface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "rd-render-job.h"

G_BEGIN_DECLS

/* Largest image a page job makes, in pixels, whatever the scale asked for:
 * a hostile page size must not make us allocate gigabytes. */
#define RD_PAGE_JOB_MAX_PIXELS (40 * 1000 * 1000)
#define RD_PAGE_JOB_MAX_SIDE   16000

#define RD_TYPE_PAGE_JOB (rd_page_job_get_type ())

G_DECLARE_FINAL_TYPE (RdPageJob, rd_page_job, RD, PAGE_JOB, RdRenderJob)

RdPageJob       *rd_page_job_new          (int               page,
                                           double            scale,
                                           int               rotation,
                                           RdRenderPriority  priority);
double           rd_page_job_get_scale    (RdPageJob        *self);
int              rd_page_job_get_rotation (RdPageJob        *self);
cairo_surface_t *rd_page_job_get_surface  (RdPageJob        *self);

/* For the queue's cache. */
void             _rd_page_job_set_surface (RdPageJob        *self,
                                           cairo_surface_t  *surface);

G_END_DECLS
