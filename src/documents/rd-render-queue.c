/* rd-render-queue.c — one worker thread per document, a priority queue, a cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The PopplerDocument belongs to exactly one worker thread: jobs go to that
 * thread through a mutex-protected queue (one FIFO per priority) and come
 * back on the main context through an idle source. The cache and the
 * callbacks live on the main context only, so they need no lock.
 *
 * Poppler cannot be interrupted in the middle of a page. When a job runs
 * longer than the time budget, a watchdog on the main context reports it as
 * RD_DOCUMENT_ERROR_TIMEOUT, marks the page so it is not tried again, and
 * starts a fresh worker with its own PopplerDocument opened from the same
 * bytes; the stuck thread is abandoned and exits on its own (dropping its
 * document and result) whenever Poppler returns. The other pages therefore
 * go on rendering. After RD_RENDER_QUEUE_MAX_REPLACEMENTS such replacements
 * the document is considered hostile and every further job times out at
 * once.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "rd-documents.h"
#include "rd-page-job.h"
#include "rd-pdf-private.h"
#include "rd-render-job-private.h"
#include "rd-render-queue-private.h"

/* How much nicer than the main thread a worker is. */
#define RENDER_NICE 5

#define WATCHDOG_INTERVAL_MS 20

static gint live_workers;

typedef struct
{
  gatomicrefcount  ref_count;
  GMutex           mutex;
  GCond            cond;
  GQueue           pending[RD_RENDER_N_PRIORITIES];
  gboolean         shutdown;
  guint            generation;
  RdRenderJob     *running;
  gint64           running_since;
  GMainContext    *context;
  GWeakRef         queue;
  GBytes          *bytes;
  char            *password;
} QueueShared;

typedef struct
{
  QueueShared     *shared;
  PopplerDocument *document;
  guint            generation;
} Worker;

typedef struct
{
  int page;
  int rotation;
  int scale_milli;
} CacheKey;

typedef struct
{
  CacheKey         key;
  cairo_surface_t *surface;
  gsize            size;
  GList            link;
} CacheEntry;

struct _RdRenderQueue
{
  GObject       parent_instance;

  QueueShared  *shared;
  GThread      *thread;

  GHashTable   *cache;
  GQueue        lru;
  gsize         cache_size;
  gsize         cache_cap;

  guint         time_budget_ms;
  guint         watchdog_id;
  guint         n_replacements;
  GHashTable   *timed_out_pages;
};

G_DEFINE_FINAL_TYPE (RdRenderQueue, rd_render_queue, G_TYPE_OBJECT)

static QueueShared *
queue_shared_ref (QueueShared *shared)
{
  g_atomic_ref_count_inc (&shared->ref_count);
  return shared;
}

static void
queue_shared_unref (QueueShared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref_count))
    return;

  for (guint i = 0; i < RD_RENDER_N_PRIORITIES; i++)
    g_queue_clear_full (&shared->pending[i], g_object_unref);
  g_clear_object (&shared->running);
  g_weak_ref_clear (&shared->queue);
  g_main_context_unref (shared->context);
  g_bytes_unref (shared->bytes);
  if (shared->password != NULL)
    {
      memset (shared->password, 0, strlen (shared->password));
      g_free (shared->password);
    }
  g_mutex_clear (&shared->mutex);
  g_cond_clear (&shared->cond);
  g_free (shared);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QueueShared, queue_shared_unref)

/* Cache: main context only. */

static guint
cache_key_hash (gconstpointer data)
{
  const CacheKey *key = data;

  return (guint) key->page * 2654435761u ^ (guint) key->scale_milli * 40503u ^ (guint) key->rotation;
}

static gboolean
cache_key_equal (gconstpointer a,
                 gconstpointer b)
{
  const CacheKey *ka = a, *kb = b;

  return ka->page == kb->page && ka->rotation == kb->rotation && ka->scale_milli == kb->scale_milli;
}

static void
cache_entry_free (gpointer data)
{
  CacheEntry *entry = data;

  cairo_surface_destroy (entry->surface);
  g_free (entry);
}

static void
cache_key_for_job (RdPageJob *job,
                   CacheKey  *key)
{
  key->page = rd_render_job_get_page (RD_RENDER_JOB (job));
  key->rotation = rd_page_job_get_rotation (job);
  key->scale_milli = (int) lround (rd_page_job_get_scale (job) * 1000);
}

static void
cache_remove_entry (RdRenderQueue *self,
                    CacheEntry    *entry)
{
  g_queue_unlink (&self->lru, &entry->link);
  self->cache_size -= entry->size;
  g_hash_table_remove (self->cache, &entry->key);
}

static void
cache_trim (RdRenderQueue *self,
            gsize          cap)
{
  while (self->cache_size > cap && self->lru.tail != NULL)
    cache_remove_entry (self, self->lru.tail->data);
}

static void
cache_insert (RdRenderQueue *self,
              RdPageJob     *job)
{
  cairo_surface_t *surface = rd_page_job_get_surface (job);
  CacheEntry *entry, *old;
  gsize size;

  if (surface == NULL)
    return;

  size = (gsize) cairo_image_surface_get_stride (surface)
         * (gsize) cairo_image_surface_get_height (surface);
  if (size > self->cache_cap)
    return;

  entry = g_new0 (CacheEntry, 1);
  cache_key_for_job (job, &entry->key);
  entry->surface = cairo_surface_reference (surface);
  entry->size = size;
  entry->link.data = entry;

  if ((old = g_hash_table_lookup (self->cache, &entry->key)) != NULL)
    cache_remove_entry (self, old);

  /* Make room first, so the cache never holds more than its cap. */
  cache_trim (self, self->cache_cap - size);
  g_hash_table_insert (self->cache, &entry->key, entry);
  g_queue_push_head_link (&self->lru, &entry->link);
  self->cache_size += size;
}

static CacheEntry *
cache_lookup (RdRenderQueue *self,
              RdPageJob     *job)
{
  CacheKey key;
  CacheEntry *entry;

  cache_key_for_job (job, &key);
  if ((entry = g_hash_table_lookup (self->cache, &key)) == NULL)
    return NULL;

  g_queue_unlink (&self->lru, &entry->link);
  g_queue_push_head_link (&self->lru, &entry->link);
  return entry;
}

/* Delivery on the main context. */

typedef struct
{
  QueueShared *shared;
  RdRenderJob *job;
} Delivery;

static void
delivery_free (gpointer data)
{
  Delivery *d = data;

  queue_shared_unref (d->shared);
  g_object_unref (d->job);
  g_free (d);
}

static gboolean
deliver_cb (gpointer data)
{
  Delivery *d = data;
  g_autoptr(RdRenderQueue) self = g_weak_ref_get (&d->shared->queue);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  if (RD_IS_PAGE_JOB (d->job)
      && rd_render_job_get_error (d->job) == NULL
      && !rd_render_job_get_from_cache (d->job))
    cache_insert (self, RD_PAGE_JOB (d->job));

  _rd_render_job_deliver (d->job);

  return G_SOURCE_REMOVE;
}

/* Any thread: the job is delivered later on the queue's main context. */
static void
post_delivery (QueueShared *shared,
               RdRenderJob *job)
{
  Delivery *d = g_new0 (Delivery, 1);
  GSource *source = g_idle_source_new ();

  d->shared = queue_shared_ref (shared);
  d->job = g_object_ref (job);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_cb, d, delivery_free);
  g_source_set_static_name (source, "[rd] render delivery");
  g_source_attach (source, shared->context);
  g_source_unref (source);
}

/* The worker thread. */

static RdRenderJob *
pop_job_locked (QueueShared *shared)
{
  for (guint i = 0; i < RD_RENDER_N_PRIORITIES; i++)
    {
      RdRenderJob *job;

      while ((job = g_queue_pop_head (&shared->pending[i])) != NULL)
        {
          if (!rd_render_job_is_cancelled (job))
            return job;
          g_object_unref (job);
        }
    }

  return NULL;
}

static gboolean
has_pending_locked (QueueShared *shared)
{
  for (guint i = 0; i < RD_RENDER_N_PRIORITIES; i++)
    if (!g_queue_is_empty (&shared->pending[i]))
      return TRUE;

  return FALSE;
}

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;
  QueueShared *shared = worker->shared;
  g_autoptr(GError) open_error = NULL;

#ifdef __linux__
  /* Below the window's thread: on a busy machine, drawing a page must not
   * keep the main loop waiting for a CPU (Linux applies nice per thread). */
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), RENDER_NICE);
#endif

  if (worker->document == NULL)
    worker->document = _rd_pdf_open_document (shared->bytes, shared->password, &open_error);

  g_mutex_lock (&shared->mutex);

  for (;;)
    {
      g_autoptr(RdRenderJob) job = NULL;

      while (!shared->shutdown
             && worker->generation == shared->generation
             && !has_pending_locked (shared))
        g_cond_wait (&shared->cond, &shared->mutex);

      if (shared->shutdown || worker->generation != shared->generation)
        break;

      if ((job = pop_job_locked (shared)) == NULL)
        continue;

      g_set_object (&shared->running, job);
      shared->running_since = g_get_monotonic_time ();
      g_mutex_unlock (&shared->mutex);

      if (worker->document != NULL)
        _rd_render_job_run (job, worker->document);
      else
        _rd_render_job_take_error (job, g_error_copy (open_error));

      g_mutex_lock (&shared->mutex);

      /* If the watchdog took the job away meanwhile, it has already been
       * reported as timed out and this worker is no longer wanted. */
      if (shared->running == job)
        {
          g_clear_object (&shared->running);
          post_delivery (shared, job);
        }
    }

  g_mutex_unlock (&shared->mutex);

  g_clear_object (&worker->document);
  queue_shared_unref (worker->shared);
  g_free (worker);
  (void) g_atomic_int_dec_and_test (&live_workers);

  return NULL;
}

static GThread *
start_worker (QueueShared     *shared,
              PopplerDocument *document,
              guint            generation)
{
  Worker *worker = g_new0 (Worker, 1);

  worker->shared = queue_shared_ref (shared);
  worker->document = document;
  worker->generation = generation;
  g_atomic_int_inc (&live_workers);

  return g_thread_new ("rd-render", worker_main, worker);
}

/* Watchdog on the main context. */

static GError *
timeout_error (int page)
{
  if (page >= 0)
    return g_error_new (RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_TIMEOUT,
                        _("Page %d took too long to show and was skipped. The other pages are not affected."),
                        page + 1);

  return g_error_new_literal (RD_DOCUMENT_ERROR, RD_DOCUMENT_ERROR_TIMEOUT,
                              _("The document took too long to read and was skipped."));
}

static void
fail_all_pending (RdRenderQueue *self)
{
  QueueShared *shared = self->shared;
  GQueue failed = G_QUEUE_INIT;
  RdRenderJob *job;

  g_mutex_lock (&shared->mutex);
  for (guint i = 0; i < RD_RENDER_N_PRIORITIES; i++)
    while ((job = g_queue_pop_head (&shared->pending[i])) != NULL)
      g_queue_push_tail (&failed, job);
  g_mutex_unlock (&shared->mutex);

  while ((job = g_queue_pop_head (&failed)) != NULL)
    {
      _rd_render_job_take_error (job, timeout_error (rd_render_job_get_page (job)));
      post_delivery (shared, job);
      g_object_unref (job);
    }
}

static gboolean
watchdog_cb (gpointer data)
{
  RdRenderQueue *self = data;
  QueueShared *shared = self->shared;
  g_autoptr(RdRenderJob) stuck = NULL;
  guint generation = 0;
  gboolean idle;

  g_mutex_lock (&shared->mutex);
  if (shared->running != NULL
      && self->time_budget_ms > 0
      && g_get_monotonic_time () - shared->running_since > (gint64) self->time_budget_ms * 1000)
    {
      stuck = g_steal_pointer (&shared->running);
      generation = ++shared->generation;
      g_cond_broadcast (&shared->cond);
    }
  idle = shared->running == NULL && !has_pending_locked (shared);
  g_mutex_unlock (&shared->mutex);

  if (stuck != NULL)
    {
      int page = rd_render_job_get_page (stuck);

      g_debug ("render job for page %d ran over its %u ms budget; replacing the worker",
               page, self->time_budget_ms);
      if (page >= 0)
        g_hash_table_add (self->timed_out_pages, GINT_TO_POINTER (page));

      /* The abandoned thread still holds its document; it exits on its own. */
      g_clear_pointer (&self->thread, g_thread_unref);
      self->n_replacements++;
      if (self->n_replacements <= RD_RENDER_QUEUE_MAX_REPLACEMENTS)
        self->thread = start_worker (shared, NULL, generation);
      else
        fail_all_pending (self);

      /* The stuck worker stores nothing in the job from now on; drop
       * whatever it may have stored just before. */
      _rd_render_job_abandon (stuck, timeout_error (page));
      if (RD_IS_PAGE_JOB (stuck))
        _rd_page_job_set_surface (RD_PAGE_JOB (stuck), NULL);
      _rd_render_job_deliver (stuck);
      idle = FALSE;
    }

  if (idle)
    {
      self->watchdog_id = 0;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
ensure_watchdog (RdRenderQueue *self)
{
  GSource *source;

  if (self->watchdog_id != 0)
    return;

  source = g_timeout_source_new (WATCHDOG_INTERVAL_MS);
  g_source_set_callback (source, watchdog_cb, self, NULL);
  g_source_set_static_name (source, "[rd] render watchdog");
  self->watchdog_id = g_source_attach (source, self->shared->context);
  g_source_unref (source);
}

static void
rd_render_queue_dispose (GObject *object)
{
  RdRenderQueue *self = RD_RENDER_QUEUE (object);
  QueueShared *shared = self->shared;

  if (shared != NULL)
    {
      gboolean busy;

      if (self->watchdog_id != 0)
        {
          GSource *source = g_main_context_find_source_by_id (shared->context, self->watchdog_id);

          if (source != NULL)
            g_source_destroy (source);
          self->watchdog_id = 0;
        }

      g_weak_ref_set (&shared->queue, NULL);

      g_mutex_lock (&shared->mutex);
      shared->shutdown = TRUE;
      for (guint i = 0; i < RD_RENDER_N_PRIORITIES; i++)
        g_queue_clear_full (&shared->pending[i], g_object_unref);
      busy = shared->running != NULL;
      g_cond_broadcast (&shared->cond);
      g_mutex_unlock (&shared->mutex);

      /* Never wait for Poppler on the main thread: an idle worker leaves at
       * once and is joined; a busy one is left to finish on its own. */
      if (self->thread != NULL)
        {
          /* A replacement worker may still be opening its document. */
          if (busy || self->n_replacements > 0)
            g_thread_unref (self->thread);
          else
            g_thread_join (self->thread);
          self->thread = NULL;
        }

      g_clear_pointer (&self->shared, queue_shared_unref);
    }

  G_OBJECT_CLASS (rd_render_queue_parent_class)->dispose (object);
}

static void
rd_render_queue_finalize (GObject *object)
{
  RdRenderQueue *self = RD_RENDER_QUEUE (object);

  g_queue_init (&self->lru);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->timed_out_pages, g_hash_table_unref);

  G_OBJECT_CLASS (rd_render_queue_parent_class)->finalize (object);
}

static void
rd_render_queue_class_init (RdRenderQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_render_queue_dispose;
  object_class->finalize = rd_render_queue_finalize;
}

static void
rd_render_queue_init (RdRenderQueue *self)
{
  self->cache = g_hash_table_new_full (cache_key_hash, cache_key_equal, NULL, cache_entry_free);
  self->cache_cap = RD_RENDER_QUEUE_DEFAULT_CACHE_CAP;
  self->time_budget_ms = RD_RENDER_QUEUE_DEFAULT_TIME_BUDGET_MS;
  self->timed_out_pages = g_hash_table_new (NULL, NULL);
}

RdRenderQueue *
_rd_render_queue_new (PopplerDocument *document,
                      GBytes          *bytes,
                      const char      *password)
{
  RdRenderQueue *self = g_object_new (RD_TYPE_RENDER_QUEUE, NULL);
  QueueShared *shared = g_new0 (QueueShared, 1);

  g_atomic_ref_count_init (&shared->ref_count);
  g_mutex_init (&shared->mutex);
  g_cond_init (&shared->cond);
  for (guint i = 0; i < RD_RENDER_N_PRIORITIES; i++)
    g_queue_init (&shared->pending[i]);
  shared->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&shared->queue, self);
  shared->bytes = g_bytes_ref (bytes);
  shared->password = g_strdup (password);

  self->shared = shared;
  self->thread = start_worker (shared, document, 0);

  return self;
}

/**
 * rd_render_queue_push:
 * @self: a #RdRenderQueue
 * @job: (transfer none): a job (a #RdPageJob or #RdTextJob)
 * @callback: called on the queue's main context when the job is done
 * @user_data: for @callback
 * @destroy: (nullable): frees @user_data once the job is delivered or dropped
 *
 * Queues @job behind the jobs of a higher or the same priority. A page
 * already in the cache at the same scale and rotation is delivered from
 * there without going to the worker; a page that timed out before fails
 * again at once with %RD_DOCUMENT_ERROR_TIMEOUT. Either way @callback runs
 * later from the main loop, never from inside this call, and never for a
 * job cancelled before then.
 *
 * Call from the thread whose main context was current when the document
 * was opened.
 */
void
rd_render_queue_push (RdRenderQueue       *self,
                      RdRenderJob         *job,
                      RdRenderJobCallback  callback,
                      gpointer             user_data,
                      GDestroyNotify       destroy)
{
  QueueShared *shared;
  int page;

  g_return_if_fail (RD_IS_RENDER_QUEUE (self));
  g_return_if_fail (RD_IS_RENDER_JOB (job));
  g_return_if_fail (self->shared != NULL);

  shared = self->shared;
  page = rd_render_job_get_page (job);
  _rd_render_job_set_callback (job, callback, user_data, destroy);

  if (RD_IS_PAGE_JOB (job))
    {
      CacheEntry *entry = cache_lookup (self, RD_PAGE_JOB (job));

      if (entry != NULL)
        {
          _rd_page_job_set_surface (RD_PAGE_JOB (job), entry->surface);
          _rd_render_job_set_from_cache (job, TRUE);
          post_delivery (shared, job);
          return;
        }
    }

  if ((page >= 0 && g_hash_table_contains (self->timed_out_pages, GINT_TO_POINTER (page)))
      || self->n_replacements > RD_RENDER_QUEUE_MAX_REPLACEMENTS)
    {
      _rd_render_job_take_error (job, timeout_error (page));
      post_delivery (shared, job);
      return;
    }

  g_mutex_lock (&shared->mutex);
  g_queue_push_tail (&shared->pending[rd_render_job_get_priority (job)], g_object_ref (job));
  g_cond_signal (&shared->cond);
  g_mutex_unlock (&shared->mutex);

  ensure_watchdog (self);
}

/**
 * rd_render_queue_get_cache_cap:
 * @self: a #RdRenderQueue
 *
 * Returns: the most bytes of rendered pages the cache keeps
 */
gsize
rd_render_queue_get_cache_cap (RdRenderQueue *self)
{
  g_return_val_if_fail (RD_IS_RENDER_QUEUE (self), 0);

  return self->cache_cap;
}

/**
 * rd_render_queue_set_cache_cap:
 * @self: a #RdRenderQueue
 * @cap_bytes: the most bytes of rendered pages to keep (0 disables caching)
 *
 * Sets the cap, dropping the least recently used pages now if needed.
 */
void
rd_render_queue_set_cache_cap (RdRenderQueue *self,
                               gsize          cap_bytes)
{
  g_return_if_fail (RD_IS_RENDER_QUEUE (self));

  self->cache_cap = cap_bytes;
  cache_trim (self, cap_bytes);
}

/**
 * rd_render_queue_get_cache_size:
 * @self: a #RdRenderQueue
 *
 * Returns: the bytes of pixel data the cache holds now
 */
gsize
rd_render_queue_get_cache_size (RdRenderQueue *self)
{
  g_return_val_if_fail (RD_IS_RENDER_QUEUE (self), 0);

  return self->cache_size;
}

/**
 * rd_render_queue_get_cache_count:
 * @self: a #RdRenderQueue
 *
 * Returns: how many rendered pages the cache holds now
 */
guint
rd_render_queue_get_cache_count (RdRenderQueue *self)
{
  g_return_val_if_fail (RD_IS_RENDER_QUEUE (self), 0);

  return g_hash_table_size (self->cache);
}

/**
 * rd_render_queue_clear_cache:
 * @self: a #RdRenderQueue
 *
 * Drops every cached page.
 */
void
rd_render_queue_clear_cache (RdRenderQueue *self)
{
  g_return_if_fail (RD_IS_RENDER_QUEUE (self));

  cache_trim (self, 0);
}

/**
 * rd_render_queue_get_time_budget:
 * @self: a #RdRenderQueue
 *
 * Returns: how long one job may run, in milliseconds (0: no limit)
 */
guint
rd_render_queue_get_time_budget (RdRenderQueue *self)
{
  g_return_val_if_fail (RD_IS_RENDER_QUEUE (self), 0);

  return self->time_budget_ms;
}

/**
 * rd_render_queue_set_time_budget:
 * @self: a #RdRenderQueue
 * @budget_ms: how long one job may run, in milliseconds; 0 for no limit
 *
 * A job that runs longer is delivered with %RD_DOCUMENT_ERROR_TIMEOUT (the
 * watchdog looks every 20 ms) and its page is not tried again; see the
 * notes at the top of this file for what happens to the stuck thread.
 */
void
rd_render_queue_set_time_budget (RdRenderQueue *self,
                                 guint          budget_ms)
{
  g_return_if_fail (RD_IS_RENDER_QUEUE (self));

  self->time_budget_ms = budget_ms;
}

/**
 * rd_render_queue_get_n_pending:
 * @self: a #RdRenderQueue
 *
 * Returns: the jobs waiting for the worker (cancelled ones included until
 *   the worker skips them), plus the one it runs
 */
guint
rd_render_queue_get_n_pending (RdRenderQueue *self)
{
  guint n = 0;

  g_return_val_if_fail (RD_IS_RENDER_QUEUE (self), 0);

  g_mutex_lock (&self->shared->mutex);
  for (guint i = 0; i < RD_RENDER_N_PRIORITIES; i++)
    n += self->shared->pending[i].length;
  if (self->shared->running != NULL)
    n++;
  g_mutex_unlock (&self->shared->mutex);

  return n;
}

/**
 * rd_render_queue_count_live_workers:
 *
 * Counts the worker threads of every queue in the process that have not
 * finished yet, abandoned ones included. Tests use it to see that threads
 * end once their queue is gone.
 *
 * Returns: the number of worker threads alive
 */
guint
rd_render_queue_count_live_workers (void)
{
  return (guint) g_atomic_int_get (&live_workers);
}
