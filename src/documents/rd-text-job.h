/* rd-text-job.h — extract the text layer of a page (or of every page)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-render-job.h"

G_BEGIN_DECLS

#define RD_TYPE_TEXT_JOB (rd_text_job_get_type ())

G_DECLARE_FINAL_TYPE (RdTextJob, rd_text_job, RD, TEXT_JOB, RdRenderJob)

RdTextJob  *rd_text_job_new      (int        page,
                                  RdRenderPriority priority);
const char *rd_text_job_get_text (RdTextJob *self);

G_END_DECLS
