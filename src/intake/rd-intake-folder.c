/* rd-intake-folder.c — the files a folder or a Maildir holds for import
 *
 * A Maildir (cur/, new/ and tmp/ side by side) holds one message per file:
 * those of new/ and cur/ are imported, each like an .eml; tmp/ holds
 * messages still being delivered and is left alone. Nothing is moved,
 * renamed or flagged: the mailbox stays as it was, and a second import
 * recognises every document by its sha256. Any other folder gives the
 * regular files directly inside it. Hidden files, links and sub-folders
 * are skipped: only what the folder itself holds is read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-intake-folder.h"

static gboolean
is_directory (GFile      *folder,
              const char *child_name)
{
  g_autoptr(GFile) child = g_file_get_child (folder, child_name);

  return g_file_query_file_type (child, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL)
         == G_FILE_TYPE_DIRECTORY;
}

/**
 * rd_intake_folder_is_maildir:
 * @folder: a folder
 *
 * Returns: whether @folder is a Maildir: it has the folders cur/, new/ and
 *   tmp/
 */
gboolean
rd_intake_folder_is_maildir (GFile *folder)
{
  g_return_val_if_fail (G_IS_FILE (folder), FALSE);

  return is_directory (folder, "cur") && is_directory (folder, "new") && is_directory (folder, "tmp");
}

/* Adds the regular, visible files of @dir to @files. */
static gboolean
add_files (GFile         *dir,
           GPtrArray     *files,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (dir,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                        G_FILE_ATTRIBUTE_STANDARD_IS_HIDDEN,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, error);
  if (children == NULL)
    return FALSE;

  for (;;)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;

      if (!g_file_enumerator_iterate (children, &info, &child, cancellable, error))
        return FALSE;
      if (info == NULL)
        break;
      if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR || g_file_info_get_is_hidden (info))
        continue;
      if (files->len >= RD_INTAKE_FOLDER_MAX_FILES)
        break;
      g_ptr_array_add (files, g_object_ref (child));
    }
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  g_autofree char *name_a = g_file_get_basename (*(GFile * const *) a);
  g_autofree char *name_b = g_file_get_basename (*(GFile * const *) b);

  return strcmp (name_a, name_b);
}

/**
 * rd_intake_list_folder:
 * @folder: a folder, or a Maildir
 * @out_is_maildir: (out) (optional): whether it was a Maildir
 * @cancellable: (nullable): a cancellable
 * @error: where to put why the folder could not be read
 *
 * Lists what to import from @folder: for a Maildir, the messages of new/
 * and cur/ (never tmp/); otherwise the regular files inside it. In name
 * order (a Maildir name starts with its delivery time), at most
 * %RD_INTAKE_FOLDER_MAX_FILES. Reads the disk: call it off the main
 * thread, or use rd_intake_list_folder_async().
 *
 * Returns: (transfer full) (nullable): a #GListModel of #GFile, or %NULL
 *   with @error set
 */
GListModel *
rd_intake_list_folder (GFile         *folder,
                       gboolean      *out_is_maildir,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GListStore) store = g_list_store_new (G_TYPE_FILE);
  gboolean maildir;

  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  maildir = rd_intake_folder_is_maildir (folder);
  if (out_is_maildir != NULL)
    *out_is_maildir = maildir;

  if (maildir)
    {
      g_autoptr(GFile) fresh = g_file_get_child (folder, "new");
      g_autoptr(GFile) seen = g_file_get_child (folder, "cur");

      if (!add_files (fresh, files, cancellable, error) || !add_files (seen, files, cancellable, error))
        return NULL;
    }
  else if (!add_files (folder, files, cancellable, error))
    return NULL;

  g_ptr_array_sort (files, compare_names);
  g_list_store_splice (store, 0, 0, files->pdata, files->len);
  return G_LIST_MODEL (g_steal_pointer (&store));
}

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  gboolean maildir = FALSE;
  GListModel *files = rd_intake_list_folder (task_data, &maildir, cancellable, &error);

  if (files == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_object_set_data (G_OBJECT (task), "rd-is-maildir", GINT_TO_POINTER (maildir));
  g_task_return_pointer (task, files, g_object_unref);
}

/**
 * rd_intake_list_folder_async:
 * @folder: a folder, or a Maildir
 * @cancellable: (nullable): a cancellable
 * @callback: called on the caller's main context when listed
 * @user_data: data for @callback
 *
 * rd_intake_list_folder() on a worker thread, for the window: the files it
 * gives are imported one by one like files chosen or dropped.
 */
void
rd_intake_list_folder_async (GFile               *folder,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (folder));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_intake_list_folder_async);
  g_task_set_task_data (task, g_object_ref (folder), g_object_unref);
  g_task_run_in_thread (task, list_thread);
}

/**
 * rd_intake_list_folder_finish:
 * @result: the result passed to the callback
 * @out_is_maildir: (out) (optional): whether it was a Maildir
 * @error: where to put why the folder could not be read
 *
 * Returns: (transfer full) (nullable): a #GListModel of #GFile
 */
GListModel *
rd_intake_list_folder_finish (GAsyncResult  *result,
                              gboolean      *out_is_maildir,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_intake_list_folder_async, NULL);

  if (out_is_maildir != NULL)
    *out_is_maildir = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "rd-is-maildir"));
  return g_task_propagate_pointer (G_TASK (result), error);
}
