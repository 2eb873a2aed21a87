/* documents-test-util.h — waiting on the main loop in document tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

static gboolean
dtu_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default main context until *@done or @timeout_ms pass;
 * returns whether *@done became true. */
static inline gboolean
dtu_wait_for (const gboolean *done,
              guint           timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, dtu_timeout_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);

  return *done;
}

/* Same, for a counter reaching @target. */
static inline gboolean
dtu_wait_for_count (const guint *count,
                    guint        target,
                    guint        timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, dtu_timeout_cb, &timed_out);

  while (*count < target && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);

  return *count >= target;
}

G_END_DECLS
