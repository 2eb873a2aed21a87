/* rd-draft-store.c — unsaved form input kept on this computer
 *
 * While a person types, the referral page keeps what they typed in a draft
 * file, so that a crash, a lost connection or the idle lock never loses it.
 * A draft is one file per referral ("referral-42"), per unfiled document
 * ("document-7") or per new referral ("new-<uuid>") in
 * g_get_user_data_dir()/referral-desk/drafts, holding a serialised
 * GVariant a{sv} of the form's fields.
 *
 * Drafts hold PHI. The choice made here:
 *  - the directory is created 0700 and each file is written 0600, atomically
 *    (temporary file, then rename), so only the person's own account can
 *    read it and a crash mid-write never leaves half a draft;
 *  - the files are not encrypted by the application: they live in the
 *    person's home directory, which on a workstation handling PHI must be
 *    on an encrypted disk (the organisation's policy for any local data,
 *    as for the local database cluster, which is no more encrypted than
 *    this). Encrypting with a key kept in the keyring would add little
 *    against someone who can already read the account's files while it is
 *    unlocked, and would lose drafts whenever the keyring is reset;
 *  - a draft is deleted as soon as its referral is saved, or when the
 *    person discards it;
 *  - nothing of a draft's content is ever logged or put in settings: logs
 *    name the key only.
 *
 * All file work runs on one worker thread, in the order asked, so a later
 * save of the same draft never loses to an earlier one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "rd-draft-store.h"

#define DRAFT_TYPE G_VARIANT_TYPE_VARDICT
#define DRAFT_SUFFIX ".draft"

struct _RdDraftStore
{
  GObject      parent_instance;

  char        *directory;
  GThreadPool *pool;
};

G_DEFINE_FINAL_TYPE (RdDraftStore, rd_draft_store, G_TYPE_OBJECT)

typedef enum {
  OP_SAVE,
  OP_LOAD,
  OP_DELETE,
  OP_FIND,
} OpKind;

typedef struct {
  OpKind    kind;
  char     *key;    /* or the prefix, for OP_FIND */
  GVariant *draft;
} Op;

static void
op_free (Op *op)
{
  g_free (op->key);
  g_clear_pointer (&op->draft, g_variant_unref);
  g_free (op);
}

static char *
draft_path (RdDraftStore *self,
            const char   *key)
{
  g_autofree char *name = g_strconcat (key, DRAFT_SUFFIX, NULL);

  return g_build_filename (self->directory, name, NULL);
}

static gboolean
ensure_directory (RdDraftStore  *self,
                  GError       **error)
{
  if (g_mkdir_with_parents (self->directory, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Unsaved changes cannot be kept on this computer (%s). Save the referral to keep them."),
                   g_strerror (saved));
      return FALSE;
    }
  /* An existing directory made by someone else's umask is tightened too. */
  g_chmod (self->directory, 0700);
  return TRUE;
}

static void
run_op (gpointer data,
        gpointer user_data)
{
  g_autoptr(GTask) task = data;
  RdDraftStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  switch (op->kind)
    {
    case OP_SAVE:
      path = draft_path (self, op->key);
      if (!ensure_directory (self, &error) ||
          !g_file_set_contents_full (path, g_variant_get_data (op->draft), g_variant_get_size (op->draft),
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
        {
          g_debug ("draft %s: not saved", op->key);
          g_task_return_error (task, g_steal_pointer (&error));
        }
      else
        g_task_return_boolean (task, TRUE);
      break;

    case OP_LOAD:
      {
        char *contents = NULL;
        gsize length = 0;
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(GVariant) draft = NULL;

        path = draft_path (self, op->key);
        if (!g_file_get_contents (path, &contents, &length, &error))
          {
            if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
              g_task_return_pointer (task, NULL, NULL);
            else
              g_task_return_error (task, g_steal_pointer (&error));
            break;
          }
        bytes = g_bytes_new_take (contents, length);
        draft = g_variant_new_from_bytes (DRAFT_TYPE, bytes, FALSE);
        /* A damaged file must not take the page down. */
        if (!g_variant_is_normal_form (draft))
          {
            g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                     _("The unsaved changes kept on this computer are damaged and cannot be restored."));
            break;
          }
        g_task_return_pointer (task, g_variant_ref_sink (g_steal_pointer (&draft)),
                               (GDestroyNotify) g_variant_unref);
      }
      break;

    case OP_DELETE:
      path = draft_path (self, op->key);
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                                   _("The unsaved changes could not be removed from this computer (%s)."),
                                   g_strerror (saved));
        }
      else
        g_task_return_boolean (task, TRUE);
      break;

    case OP_FIND:
      {
        g_autoptr(GDir) dir = g_dir_open (self->directory, 0, NULL);
        g_autofree char *best = NULL;
        gint64 best_time = G_MININT64;
        const char *name;

        while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
          {
            g_autofree char *full = NULL;
            GStatBuf st;

            if (!g_str_has_prefix (name, op->key) || !g_str_has_suffix (name, DRAFT_SUFFIX))
              continue;
            full = g_build_filename (self->directory, name, NULL);
            if (g_stat (full, &st) != 0)
              continue;
            if ((gint64) st.st_mtime > best_time)
              {
                best_time = st.st_mtime;
                g_free (best);
                best = g_strndup (name, strlen (name) - strlen (DRAFT_SUFFIX));
              }
          }
        g_task_return_pointer (task, g_steal_pointer (&best), g_free);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
rd_draft_store_finalize (GObject *object)
{
  RdDraftStore *self = RD_DRAFT_STORE (object);

  /* Waits for queued writes: a draft asked to be kept is kept. */
  g_thread_pool_free (self->pool, FALSE, TRUE);
  g_free (self->directory);

  G_OBJECT_CLASS (rd_draft_store_parent_class)->finalize (object);
}

static void
rd_draft_store_class_init (RdDraftStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rd_draft_store_finalize;
}

static void
rd_draft_store_init (RdDraftStore *self)
{
  self->pool = g_thread_pool_new (run_op, self, 1, FALSE, NULL);
}

/**
 * rd_draft_store_new:
 * @directory: (nullable): where drafts go; %NULL for
 *   g_get_user_data_dir()/referral-desk/drafts
 *
 * Returns: (transfer full): a draft store
 */
RdDraftStore *
rd_draft_store_new (const char *directory)
{
  RdDraftStore *self = g_object_new (RD_TYPE_DRAFT_STORE, NULL);

  if (directory != NULL)
    self->directory = g_strdup (directory);
  else
    self->directory = g_build_filename (g_get_user_data_dir (), "referral-desk", "drafts", NULL);
  return self;
}

/**
 * rd_draft_store_get_default:
 *
 * Returns: (transfer none): the store in the default directory, shared by
 *   every page of the process
 */
RdDraftStore *
rd_draft_store_get_default (void)
{
  static RdDraftStore *store;

  if (store == NULL)
    store = rd_draft_store_new (NULL);
  return store;
}

/**
 * rd_draft_store_get_directory:
 * @self: a draft store
 *
 * Returns: the directory holding the drafts
 */
const char *
rd_draft_store_get_directory (RdDraftStore *self)
{
  g_return_val_if_fail (RD_IS_DRAFT_STORE (self), NULL);
  return self->directory;
}

/**
 * rd_draft_store_key_is_valid:
 * @key: a draft key
 *
 * Returns: %TRUE for 1–100 ASCII letters, digits and dashes (a key is a
 *   file name and must never climb out of the directory)
 */
gboolean
rd_draft_store_key_is_valid (const char *key)
{
  gsize n = 0;

  if (key == NULL)
    return FALSE;
  for (const char *p = key; *p; p++, n++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return n > 0 && n <= 100;
}

static void
push (RdDraftStore        *self,
      OpKind               kind,
      const char          *key,
      GVariant            *draft,
      gpointer             source_tag,
      GCancellable        *cancellable,
      GAsyncReadyCallback  callback,
      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  g_task_set_source_tag (task, source_tag);
  op->kind = kind;
  op->key = g_strdup (key);
  op->draft = draft ? g_variant_ref_sink (draft) : NULL;
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  g_thread_pool_push (self->pool, task, NULL);
}

/**
 * rd_draft_store_save_async:
 * @self: a draft store
 * @key: the draft's key (see rd_draft_store_key_is_valid())
 * @draft: an a{sv} dictionary of the form's values (floating taken)
 * @cancellable: (nullable): a cancellable
 * @callback: called when written
 * @user_data: data for @callback
 *
 * Writes the draft (0600, atomically), replacing an older one.
 */
void
rd_draft_store_save_async (RdDraftStore        *self,
                           const char          *key,
                           GVariant            *draft,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (RD_IS_DRAFT_STORE (self));
  g_return_if_fail (rd_draft_store_key_is_valid (key));
  g_return_if_fail (draft != NULL && g_variant_is_of_type (draft, DRAFT_TYPE));

  push (self, OP_SAVE, key, draft, rd_draft_store_save_async, cancellable, callback, user_data);
}

/**
 * rd_draft_store_save_finish:
 * @self: a draft store
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE when the draft is on disk
 */
gboolean
rd_draft_store_save_finish (RdDraftStore  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * rd_draft_store_load_async:
 * @self: a draft store
 * @key: the draft's key
 * @cancellable: (nullable): a cancellable
 * @callback: called with the draft
 * @user_data: data for @callback
 *
 * Reads a draft.
 */
void
rd_draft_store_load_async (RdDraftStore        *self,
                           const char          *key,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (RD_IS_DRAFT_STORE (self));
  g_return_if_fail (rd_draft_store_key_is_valid (key));

  push (self, OP_LOAD, key, NULL, rd_draft_store_load_async, cancellable, callback, user_data);
}

/**
 * rd_draft_store_load_finish:
 * @self: a draft store
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the draft, or %NULL without an
 *   error when there is none
 */
GVariant *
rd_draft_store_load_finish (RdDraftStore  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rd_draft_store_delete_async:
 * @self: a draft store
 * @key: the draft's key
 * @cancellable: (nullable): a cancellable
 * @callback: called when removed
 * @user_data: data for @callback
 *
 * Removes a draft (no error when there is none).
 */
void
rd_draft_store_delete_async (RdDraftStore        *self,
                             const char          *key,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (RD_IS_DRAFT_STORE (self));
  g_return_if_fail (rd_draft_store_key_is_valid (key));

  push (self, OP_DELETE, key, NULL, rd_draft_store_delete_async, cancellable, callback, user_data);
}

/**
 * rd_draft_store_delete_finish:
 * @self: a draft store
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE when no draft is left
 */
gboolean
rd_draft_store_delete_finish (RdDraftStore  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * rd_draft_store_find_newest_async:
 * @self: a draft store
 * @prefix: a key prefix, such as "new-"
 * @cancellable: (nullable): a cancellable
 * @callback: called with the key
 * @user_data: data for @callback
 *
 * Finds the most recently written draft whose key starts with @prefix.
 */
void
rd_draft_store_find_newest_async (RdDraftStore        *self,
                                  const char          *prefix,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (RD_IS_DRAFT_STORE (self));
  g_return_if_fail (prefix != NULL);

  push (self, OP_FIND, prefix, NULL, rd_draft_store_find_newest_async, cancellable, callback, user_data);
}

/**
 * rd_draft_store_find_newest_finish:
 * @self: a draft store
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the key, or %NULL when there is none
 */
char *
rd_draft_store_find_newest_finish (RdDraftStore  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
