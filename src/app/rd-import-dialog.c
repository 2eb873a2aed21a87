/* rd-import-dialog.c — import dropped or chosen files, with progress and a summary
 *
 * Files are read asynchronously, parsed on a worker thread (the parsers are
 * pure and safe on hostile bytes) and filed one after the other through the
 * person's own connection, so row-level security decides where they may
 * go. Each file gets a line: imported, already there, or refused and why.
 * Cancel stops after the file being filed; nothing is half-written, since
 * each file is one transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rd-import-dialog.h"
#include "rd-intake.h"
#include "rd-intake-detect.h"
#include "rd-intake-file.h"

#define IMPORT_MAX_BYTES (64 * 1024 * 1024)

struct _RdImportDialog
{
  AdwWindow       parent_instance;

  RdConnection   *connection;
  GCancellable   *cancellable;
  GListModel     *files;
  guint           position;
  guint           counts[3];
  gboolean        finished;

  GtkProgressBar *progress;
  GtkLabel       *status_label;
  GtkListBox     *results;
  GtkButton      *cancel_button;
  GtkButton      *close_button;
};

G_DEFINE_FINAL_TYPE (RdImportDialog, rd_import_dialog, ADW_TYPE_WINDOW)

static void import_next (RdImportDialog *self);

static void
add_result (RdImportDialog  *self,
            GFile           *file,
            RdIntakeOutcome  outcome,
            const char      *detail)
{
  g_autofree char *name = g_file_get_basename (file);
  GtkWidget *row = adw_action_row_new ();
  const char *icon;
  const char *title;

  switch (outcome)
    {
    case RD_INTAKE_OUTCOME_IMPORTED:
      icon = "object-select-symbolic";
      title = _("Imported");
      break;
    case RD_INTAKE_OUTCOME_DUPLICATE:
      icon = "edit-copy-symbolic";
      title = _("Already there");
      break;
    case RD_INTAKE_OUTCOME_REJECTED:
    default:
      icon = "dialog-error-symbolic";
      title = _("Not imported");
      break;
    }

  self->counts[MIN ((guint) outcome, 2)]++;
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name ? name : "");
  {
    g_autofree char *subtitle = detail && *detail ? g_strdup_printf ("%s — %s", title, detail)
                                                  : g_strdup (title);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  }
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (icon));
  gtk_list_box_append (self->results, row);
}

static void
update_progress (RdImportDialog *self)
{
  guint n = g_list_model_get_n_items (self->files);
  g_autofree char *text = NULL;

  gtk_progress_bar_set_fraction (self->progress, n ? (double) self->position / n : 1.0);
  text = g_strdup_printf (_("%u of %u files"), self->position, n);
  gtk_progress_bar_set_text (self->progress, text);
}

static void
finish (RdImportDialog *self,
        gboolean        cancelled)
{
  g_autofree char *summary = NULL;

  self->finished = TRUE;
  summary = g_strdup_printf (_("%u imported, %u already there, %u not imported%s"),
                             self->counts[RD_INTAKE_OUTCOME_IMPORTED],
                             self->counts[RD_INTAKE_OUTCOME_DUPLICATE],
                             self->counts[RD_INTAKE_OUTCOME_REJECTED],
                             cancelled ? _(" — stopped before the end") : "");
  gtk_label_set_label (self->status_label, summary);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->close_button), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->close_button));
  update_progress (self);
}

typedef struct {
  RdImportDialog *self;
  GFile          *file;
  GBytes         *bytes;
  char           *source_key;
} Step;

static void
step_free (Step *step)
{
  g_clear_object (&step->file);
  g_clear_pointer (&step->bytes, g_bytes_unref);
  g_free (step->source_key);
  g_object_unref (step->self);
  g_free (step);
}

static void
step_done (Step *step)
{
  RdImportDialog *self = step->self;

  self->position++;
  update_progress (self);
  step_free (step);
  import_next (self);
}

static void
on_filed (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Step *step = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeSummary) summary = NULL;

  summary = rd_intake_file_finish (RD_CONNECTION (source), result, &error);
  if (summary == NULL)
    add_result (step->self, step->file, RD_INTAKE_OUTCOME_REJECTED, error->message);
  else
    add_result (step->self, step->file, summary->outcome, summary->reason);

  step_done (step);
}

static void
parse_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Step *step = task_data;
  g_autofree char *name = g_file_get_basename (step->file);
  GError *error = NULL;
  RdIntakeResult *result = rd_intake_parse_bytes (step->bytes, name, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, g_object_unref);
}

static void
on_parsed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Step *step = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdIntakeResult) parsed = g_task_propagate_pointer (G_TASK (result), &error);

  if (parsed == NULL)
    {
      add_result (step->self, step->file, RD_INTAKE_OUTCOME_REJECTED, error->message);
      step_done (step);
      return;
    }

  rd_intake_file_async (step->self->connection, parsed, step->source_key, NULL,
                        step->self->cancellable, on_filed, step);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Step *step = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  step->bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  if (step->bytes == NULL)
    {
      add_result (step->self, step->file, RD_INTAKE_OUTCOME_REJECTED, error->message);
      step_done (step);
      return;
    }

  if (g_bytes_get_size (step->bytes) > IMPORT_MAX_BYTES)
    {
      add_result (step->self, step->file, RD_INTAKE_OUTCOME_REJECTED,
                  _("The file is larger than 64 MB."));
      step_done (step);
      return;
    }

  step->source_key = rd_intake_file_source_key (step->bytes);
  task = g_task_new (NULL, step->self->cancellable, on_parsed, step);
  g_task_set_source_tag (task, on_loaded);
  g_task_set_task_data (task, step, NULL);
  g_task_run_in_thread (task, parse_thread);
}

static void
import_next (RdImportDialog *self)
{
  Step *step;

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      finish (self, TRUE);
      return;
    }

  if (self->position >= g_list_model_get_n_items (self->files))
    {
      finish (self, FALSE);
      return;
    }

  step = g_new0 (Step, 1);
  step->self = g_object_ref (self);
  step->file = g_list_model_get_item (self->files, self->position);
  g_file_load_bytes_async (step->file, self->cancellable, on_loaded, step);
}

/**
 * rd_import_dialog_import_files:
 * @self: a #RdImportDialog
 * @files: (element-type GFile): what to import
 */
void
rd_import_dialog_import_files (RdImportDialog *self,
                               GListModel     *files)
{
  g_return_if_fail (RD_IS_IMPORT_DIALOG (self));

  g_set_object (&self->files, files);
  self->position = 0;
  update_progress (self);
  import_next (self);
}

gboolean
rd_import_dialog_get_finished (RdImportDialog *self)
{
  return self->finished;
}

guint
rd_import_dialog_get_count (RdImportDialog *self,
                            int             outcome)
{
  return outcome >= 0 && outcome < 3 ? self->counts[outcome] : 0;
}

static void
on_cancel_clicked (RdImportDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  gtk_label_set_label (self->status_label, _("Stopping after the current file…"));
}

static void
on_close_clicked (RdImportDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
rd_import_dialog_dispose (GObject *object)
{
  RdImportDialog *self = RD_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->files);
  g_clear_object (&self->connection);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_IMPORT_DIALOG);

  G_OBJECT_CLASS (rd_import_dialog_parent_class)->dispose (object);
}

static void
rd_import_dialog_class_init (RdImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_import_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RdImportDialog, progress);
  gtk_widget_class_bind_template_child (widget_class, RdImportDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, RdImportDialog, results);
  gtk_widget_class_bind_template_child (widget_class, RdImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RdImportDialog, close_button);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_close_clicked);
}

static void
rd_import_dialog_init (RdImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

RdImportDialog *
rd_import_dialog_new (GtkWindow    *parent,
                      RdConnection *connection)
{
  RdImportDialog *self = g_object_new (RD_TYPE_IMPORT_DIALOG,
                                       "transient-for", parent,
                                       "modal", TRUE,
                                       NULL);

  self->connection = g_object_ref (connection);
  return self;
}
