/* rd-render-job.c — a unit of work for a document's worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A job is made and pushed on the main thread, run on the document's worker
 * thread, and delivered back on the main context. Cancelling is only
 * meaningful from the main thread: a job cancelled there before its delivery
 * never calls its callback, whatever the worker has done with it meanwhile.
 */
#include "config.h"

#include "rd-render-job-private.h"

typedef struct
{
  int                  page;
  RdRenderPriority     priority;
  GCancellable        *cancellable;
  GError              *error;
  gint64               run_time_us;
  gboolean             from_cache;
  gboolean             delivered;

  /* Guards the results against a worker still running an abandoned job. */
  GMutex               result_lock;
  gboolean             abandoned;

  RdRenderJobCallback  callback;
  gpointer             user_data;
  GDestroyNotify       destroy;
} RdRenderJobPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (RdRenderJob, rd_render_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PAGE,
  PROP_PRIORITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
clear_callback (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);
  GDestroyNotify destroy = priv->destroy;
  gpointer user_data = priv->user_data;

  priv->callback = NULL;
  priv->user_data = NULL;
  priv->destroy = NULL;
  if (destroy != NULL)
    destroy (user_data);
}

static void
rd_render_job_finalize (GObject *object)
{
  RdRenderJob *self = RD_RENDER_JOB (object);
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  clear_callback (self);
  g_clear_object (&priv->cancellable);
  g_clear_error (&priv->error);
  g_mutex_clear (&priv->result_lock);

  G_OBJECT_CLASS (rd_render_job_parent_class)->finalize (object);
}

static void
rd_render_job_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RdRenderJob *self = RD_RENDER_JOB (object);
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_PAGE:
      g_value_set_int (value, priv->page);
      break;

    case PROP_PRIORITY:
      g_value_set_int (value, priv->priority);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_render_job_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  RdRenderJob *self = RD_RENDER_JOB (object);
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_PAGE:
      priv->page = g_value_get_int (value);
      break;

    case PROP_PRIORITY:
      priv->priority = g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_render_job_class_init (RdRenderJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rd_render_job_finalize;
  object_class->get_property = rd_render_job_get_property;
  object_class->set_property = rd_render_job_set_property;

  /**
   * RdRenderJob:page:
   *
   * The page index (from 0) the job works on, or -1 for the whole document.
   */
  properties[PROP_PAGE] =
    g_param_spec_int ("page", NULL, NULL,
                      -1, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RdRenderJob:priority:
   *
   * A #RdRenderPriority; read when the job is pushed.
   */
  properties[PROP_PRIORITY] =
    g_param_spec_int ("priority", NULL, NULL,
                      RD_RENDER_PRIORITY_VISIBLE, RD_RENDER_PRIORITY_BACKGROUND,
                      RD_RENDER_PRIORITY_VISIBLE,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_render_job_init (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  priv->cancellable = g_cancellable_new ();
  g_mutex_init (&priv->result_lock);
}

/**
 * rd_render_job_get_page:
 * @self: a #RdRenderJob
 *
 * Returns: the page index from 0, or -1 when the job covers every page
 */
int
rd_render_job_get_page (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_return_val_if_fail (RD_IS_RENDER_JOB (self), -1);

  return priv->page;
}

/**
 * rd_render_job_get_priority:
 * @self: a #RdRenderJob
 *
 * Returns: the job's priority
 */
RdRenderPriority
rd_render_job_get_priority (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_return_val_if_fail (RD_IS_RENDER_JOB (self), RD_RENDER_PRIORITY_BACKGROUND);

  return priv->priority;
}

/**
 * rd_render_job_set_priority:
 * @self: a #RdRenderJob
 * @priority: a #RdRenderPriority
 *
 * Sets the priority. It counts when the job is pushed; to move a job that
 * is already queued, cancel it and push a new one.
 */
void
rd_render_job_set_priority (RdRenderJob      *self,
                            RdRenderPriority  priority)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_return_if_fail (RD_IS_RENDER_JOB (self));
  g_return_if_fail (priority <= RD_RENDER_PRIORITY_BACKGROUND);

  if (priv->priority == priority)
    return;

  priv->priority = priority;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIORITY]);
}

/**
 * rd_render_job_cancel:
 * @self: a #RdRenderJob
 *
 * Cancels the job. Called on the queue's main context before the job was
 * delivered, it guarantees the callback is never called. A job the worker
 * has not started yet is skipped; one it is running finishes (Poppler cannot
 * be interrupted) and its result is thrown away.
 */
void
rd_render_job_cancel (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_return_if_fail (RD_IS_RENDER_JOB (self));

  g_cancellable_cancel (priv->cancellable);
}

/**
 * rd_render_job_is_cancelled:
 * @self: a #RdRenderJob
 *
 * Returns: whether rd_render_job_cancel() was called
 */
gboolean
rd_render_job_is_cancelled (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_return_val_if_fail (RD_IS_RENDER_JOB (self), TRUE);

  return g_cancellable_is_cancelled (priv->cancellable);
}

/**
 * rd_render_job_get_error:
 * @self: a #RdRenderJob
 *
 * Returns: (nullable): why the job failed, in the #RD_DOCUMENT_ERROR domain,
 *   or %NULL when it succeeded
 */
const GError *
rd_render_job_get_error (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_return_val_if_fail (RD_IS_RENDER_JOB (self), NULL);

  return priv->error;
}

/**
 * rd_render_job_get_from_cache:
 * @self: a #RdRenderJob
 *
 * Returns: %TRUE when the result came from the queue's cache without
 *   running on the worker
 */
gboolean
rd_render_job_get_from_cache (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_return_val_if_fail (RD_IS_RENDER_JOB (self), FALSE);

  return priv->from_cache;
}

/**
 * rd_render_job_get_run_time_us:
 * @self: a #RdRenderJob
 *
 * Returns: how long the worker spent running the job, in microseconds
 */
gint64
rd_render_job_get_run_time_us (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_return_val_if_fail (RD_IS_RENDER_JOB (self), 0);

  return priv->run_time_us;
}

void
_rd_render_job_run (RdRenderJob     *self,
                    PopplerDocument *document)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  gboolean ok = RD_RENDER_JOB_GET_CLASS (self)->run (self, document, &error);

  if (_rd_render_job_begin_result (self))
    {
      if (!ok)
        {
          g_assert (error != NULL);
          g_clear_error (&priv->error);
          priv->error = g_steal_pointer (&error);
        }
      priv->run_time_us = g_get_monotonic_time () - start;
    }
  _rd_render_job_end_result (self);
}

gboolean
_rd_render_job_begin_result (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_mutex_lock (&priv->result_lock);
  return !priv->abandoned;
}

void
_rd_render_job_end_result (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_mutex_unlock (&priv->result_lock);
}

void
_rd_render_job_abandon (RdRenderJob *self,
                        GError      *error)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_mutex_lock (&priv->result_lock);
  priv->abandoned = TRUE;
  g_clear_error (&priv->error);
  priv->error = error;
  g_mutex_unlock (&priv->result_lock);
}

void
_rd_render_job_set_callback (RdRenderJob         *self,
                             RdRenderJobCallback  callback,
                             gpointer             user_data,
                             GDestroyNotify       destroy)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  clear_callback (self);
  priv->callback = callback;
  priv->user_data = user_data;
  priv->destroy = destroy;
}

void
_rd_render_job_take_error (RdRenderJob *self,
                           GError      *error)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  g_clear_error (&priv->error);
  priv->error = error;
}

void
_rd_render_job_set_from_cache (RdRenderJob *self,
                               gboolean     from_cache)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);

  priv->from_cache = from_cache;
}

void
_rd_render_job_deliver (RdRenderJob *self)
{
  RdRenderJobPrivate *priv = rd_render_job_get_instance_private (self);
  g_autoptr(RdRenderJob) hold G_GNUC_UNUSED = g_object_ref (self);

  if (priv->delivered)
    return;

  priv->delivered = TRUE;
  if (!g_cancellable_is_cancelled (priv->cancellable) && priv->callback != NULL)
    priv->callback (self, priv->user_data);
  clear_callback (self);
}
