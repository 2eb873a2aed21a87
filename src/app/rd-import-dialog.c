/* rd-import-dialog.c — import dropped or chosen files and folders, with
 * progress and a summary
 *
 * What the person hands over is first sorted out: each item's type is
 * asked of the disk asynchronously, and a folder is listed on a worker
 * (rd_intake_list_folder_async(): its files, or a Maildir's messages).
 * Then files are read asynchronously, parsed on a worker thread (the
 * parsers are pure and safe on hostile bytes) and filed one after the
 * other through the person's own connection, so row-level security decides
 * where they may go. Each file gets a line: imported, already there, or
 * refused and why; each folder a line saying what it held. Cancel stops
 * after the file being filed; nothing is half-written, since each file is
 * one transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rd-import-dialog.h"
#include "rd-intake.h"
#include "rd-intake-detect.h"
#include "rd-intake-file.h"
#include "rd-intake-folder.h"

#define IMPORT_MAX_BYTES (64 * 1024 * 1024)

/* One line of the work: a file to import, or what became of a folder. */
typedef enum {
  ENTRY_FILE,
  ENTRY_FOLDER,   /* a folder that was listed: its line says what it held */
  ENTRY_PROBLEM,  /* something that could not be imported at all */
} EntryKind;

typedef struct {
  EntryKind  kind;
  GFile     *file;
  char      *detail;
  gboolean   maildir;
} Entry;

struct _RdImportDialog
{
  AdwWindow             parent_instance;

  RdConnection         *connection;
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;

  /* What was handed over, then what it came to. */
  GListModel           *inputs;
  guint                 input_position;
  GPtrArray            *entries;
  guint                 entry_position;
  guint                 n_files;
  guint                 n_files_done;
  guint                 counts[3];
  gboolean              started;
  gboolean              finished;
  gboolean              gone;

  GtkStack             *stack;
  GtkProgressBar       *progress;
  GtkLabel             *status_label;
  GtkListBox           *results;
  GtkButton            *cancel_button;
  GtkButton            *close_button;
};

G_DEFINE_FINAL_TYPE (RdImportDialog, rd_import_dialog, ADW_TYPE_WINDOW)

static void expand_next (RdImportDialog *self);
static void import_next (RdImportDialog *self);

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_clear_object (&entry->file);
  g_free (entry->detail);
  g_free (entry);
}

/* Takes @detail. */
static Entry *
add_entry (RdImportDialog *self,
           EntryKind       kind,
           GFile          *file,
           char           *detail)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->kind = kind;
  entry->file = g_object_ref (file);
  entry->detail = detail;
  g_ptr_array_add (self->entries, entry);
  if (kind == ENTRY_FILE)
    self->n_files++;
  return entry;
}

static GtkWidget *
add_row (RdImportDialog *self,
         GFile          *file,
         const char     *icon,
         const char     *subtitle)
{
  g_autofree char *name = g_file_get_basename (file);
  GtkWidget *row = adw_action_row_new ();

  /* Names and details come from outside: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name ? name : "");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (icon));
  gtk_list_box_append (self->results, row);
  return row;
}

static void
add_result (RdImportDialog  *self,
            GFile           *file,
            RdIntakeOutcome  outcome,
            const char      *detail)
{
  g_autofree char *subtitle = NULL;
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
  subtitle = detail && *detail ? g_strdup_printf ("%s — %s", title, detail) : g_strdup (title);
  add_row (self, file, icon, subtitle);
}

static void
update_progress (RdImportDialog *self)
{
  g_autofree char *text = NULL;

  gtk_progress_bar_set_fraction (self->progress,
                                 self->n_files ? (double) self->n_files_done / self->n_files : 1.0);
  text = g_strdup_printf (_("%u of %u files"), self->n_files_done, self->n_files);
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

/* Sorting out what was handed over */

static char *
describe_folder (guint    n_files,
                 gboolean maildir)
{
  g_autofree char *what = NULL;

  if (n_files == 0)
    return g_strdup (maildir ? _("The mail folder holds no messages, so there was nothing to import.")
                             : _("The folder is empty, so there was nothing to import. Files in folders inside it are not imported: choose those folders themselves."));

  if (maildir)
    what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Mail folder: %u message", "Mail folder: %u messages", n_files),
                            n_files);
  else
    what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Folder: %u file", "Folder: %u files", n_files),
                            n_files);

  if (n_files >= RD_INTAKE_FOLDER_MAX_FILES)
    return g_strdup_printf (_("%s. Only the first %u were taken: split the folder and import the rest."),
                            what, (guint) RD_INTAKE_FOLDER_MAX_FILES);
  return g_steal_pointer (&what);
}

static void
on_folder_listed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RdImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) files = NULL;
  g_autoptr(GFile) folder = NULL;
  gboolean maildir = FALSE;
  guint n;

  files = rd_intake_list_folder_finish (result, &maildir, &error);
  if (self->gone)
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish (self, TRUE);
      return;
    }

  folder = g_list_model_get_item (self->inputs, self->input_position);
  self->input_position++;
  if (files == NULL)
    {
      add_entry (self, ENTRY_PROBLEM, folder,
                 g_strdup_printf (_("The folder could not be read, so nothing in it was imported: %s. Check that you may open it, then import it again."),
                                  error->message));
      expand_next (self);
      return;
    }

  n = g_list_model_get_n_items (files);
  add_entry (self, ENTRY_FOLDER, folder, describe_folder (n, maildir))->maildir = maildir;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);

      add_entry (self, ENTRY_FILE, file, NULL);
    }
  expand_next (self);
}

static void
on_input_queried (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RdImportDialog) self = user_data;
  GFile *file = G_FILE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;

  info = g_file_query_info_finish (file, result, &error);
  if (self->gone)
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish (self, TRUE);
      return;
    }

  if (info == NULL)
    {
      /* Not there any more, or not ours to read: its line says so. */
      self->input_position++;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        add_entry (self, ENTRY_PROBLEM, file,
                   g_strdup (_("It is no longer there: it was moved or deleted before it could be imported.")));
      else
        add_entry (self, ENTRY_PROBLEM, file,
                   g_strdup_printf (_("It could not be read, so it was not imported: %s"), error->message));
      expand_next (self);
      return;
    }

  switch (g_file_info_get_file_type (info))
    {
    case G_FILE_TYPE_DIRECTORY:
      gtk_label_set_label (self->status_label, _("Looking in the folder…"));
      rd_intake_list_folder_async (file, self->cancellable, on_folder_listed, g_object_ref (self));
      return;

    case G_FILE_TYPE_REGULAR:
      add_entry (self, ENTRY_FILE, file, NULL);
      break;

    case G_FILE_TYPE_UNKNOWN:
    case G_FILE_TYPE_SYMBOLIC_LINK:
    case G_FILE_TYPE_SPECIAL:
    case G_FILE_TYPE_SHORTCUT:
    case G_FILE_TYPE_MOUNTABLE:
    default:
      /* A device or a pipe could keep a reader waiting for ever. */
      add_entry (self, ENTRY_PROBLEM, file,
                 g_strdup (_("This is neither a file nor a folder, so it was not imported.")));
      break;
    }

  self->input_position++;
  expand_next (self);
}

static void
expand_next (RdImportDialog *self)
{
  GFile *file;

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      finish (self, TRUE);
      return;
    }

  if (self->input_position >= g_list_model_get_n_items (self->inputs))
    {
      gtk_label_set_label (self->status_label, _("Importing…"));
      update_progress (self);
      import_next (self);
      return;
    }

  file = g_list_model_get_item (self->inputs, self->input_position);
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, self->cancellable, on_input_queried,
                           g_object_ref (self));
  g_object_unref (file);
}

/* Importing one file */

typedef struct {
  RdImportDialog *self;
  GFile          *file;
  GBytes         *bytes;
  char           *source_key;
  char           *message_type;
  RdIntakeEvent   event;
} Step;

static void
step_free (Step *step)
{
  g_clear_object (&step->file);
  g_clear_pointer (&step->bytes, g_bytes_unref);
  g_free (step->source_key);
  g_free (step->message_type);
  g_object_unref (step->self);
  g_free (step);
}

static void
step_done (Step *step)
{
  RdImportDialog *self = step->self;

  self->n_files_done++;
  update_progress (self);
  step_free (step);
  import_next (self);
}

static void
step_stopped (Step *step)
{
  g_autoptr(RdImportDialog) self = g_object_ref (step->self);

  step_free (step);
  finish (self, TRUE);
}

/* What a follow-up message did, for its line: "REF^I14 for referral
 * The referral was cancelled." The referral's number and status are
 * what the person may see in the worklist anyway; the message names the
 * fields a change touched, never their values. */
static char *
describe_follow_up (Step            *step,
                    RdIntakeSummary *summary)
{
  g_autofree char *referral = NULL;

  if (summary->number != NULL && *summary->number)
    referral = g_strdup (summary->number);
  else if (summary->referral_id > 0)
    referral = g_strdup_printf ("%" G_GINT64_FORMAT, summary->referral_id);

  if (referral == NULL)
    return g_strdup (summary->message);
  if (step->message_type != NULL && *step->message_type)
    /* Translators: an HL7 message type ("REF^I14"), our referral number,
     * then what was done ("The referral was cancelled."). */
    return g_strdup_printf (C_("import result", "%s for referral %s: %s"),
                            step->message_type, referral, summary->message);
  /* Translators: our referral number, then what was done. */
  return g_strdup_printf (C_("import result", "Referral %s: %s"), referral, summary->message);
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
  if (step->self->gone)
    {
      step_free (step);
      return;
    }

  if (summary == NULL)
    add_result (step->self, step->file, RD_INTAKE_OUTCOME_REJECTED, error->message);
  else if (summary->outcome != RD_INTAKE_OUTCOME_REJECTED && summary->message != NULL && *summary->message)
    {
      g_autofree char *detail = describe_follow_up (step, summary);

      add_result (step->self, step->file, summary->outcome, detail);
    }
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

  if (step->self->gone)
    {
      step_free (step);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Stopped before this file was filed: it gets no line. */
      step_stopped (step);
      return;
    }
  if (parsed == NULL)
    {
      add_result (step->self, step->file, RD_INTAKE_OUTCOME_REJECTED, error->message);
      step_done (step);
      return;
    }

  step->event = rd_intake_result_get_event (parsed);
  if (step->event == RD_INTAKE_EVENT_UPDATE || step->event == RD_INTAKE_EVENT_CANCEL ||
      step->event == RD_INTAKE_EVENT_STATUS_QUERY)
    step->message_type = g_strdup (rd_intake_result_get_message_type (parsed));
  /* Filing is not cancelled: Stop waits for it, so that a file's line
   * never says "not imported" about something the database kept. */
  rd_intake_file_async (step->self->connection, parsed, step->source_key, NULL,
                        NULL, on_filed, step);
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
  if (step->self->gone)
    {
      step_free (step);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      step_stopped (step);
      return;
    }
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
  Entry *entry;

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      finish (self, TRUE);
      return;
    }

  /* Folder lines stand in order, just before the files they held. */
  while (self->entry_position < self->entries->len)
    {
      entry = g_ptr_array_index (self->entries, self->entry_position);
      if (entry->kind == ENTRY_FILE)
        break;
      self->entry_position++;
      if (entry->kind == ENTRY_FOLDER)
        add_row (self, entry->file, entry->maildir ? "mail-unread-symbolic" : "folder-symbolic",
                 entry->detail);
      else
        add_result (self, entry->file, RD_INTAKE_OUTCOME_REJECTED, entry->detail);
    }

  if (self->entry_position >= self->entries->len)
    {
      finish (self, FALSE);
      return;
    }

  entry = g_ptr_array_index (self->entries, self->entry_position++);
  step = g_new0 (Step, 1);
  step->self = g_object_ref (self);
  step->file = g_object_ref (entry->file);
  g_file_load_bytes_async (step->file, self->cancellable, on_loaded, step);
}

/**
 * rd_import_dialog_import_files:
 * @self: a #RdImportDialog
 * @files: (element-type GFile): what to import: files, folders (their
 *   files) and Maildir folders (their messages)
 *
 * Imports @files one after the other, showing each one's outcome. Call it
 * once per dialog.
 */
void
rd_import_dialog_import_files (RdImportDialog *self,
                               GListModel     *files)
{
  g_return_if_fail (RD_IS_IMPORT_DIALOG (self));
  g_return_if_fail (G_IS_LIST_MODEL (files));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  g_set_object (&self->inputs, files);
  gtk_stack_set_visible_child_name (self->stack, "progress");
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->close_button), FALSE);
  gtk_progress_bar_set_text (self->progress, _("Preparing…"));
  expand_next (self);
}

/* Choosing what to import */

static void
on_chooser_response (RdImportDialog *self,
                     int             response,
                     GtkNativeDialog *chooser)
{
  g_autoptr(GListModel) files = NULL;

  if (response != GTK_RESPONSE_ACCEPT || self->started)
    return;

  files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
  if (files != NULL && g_list_model_get_n_items (files) > 0)
    rd_import_dialog_import_files (self, files);
}

static void
show_chooser (RdImportDialog       *self,
              GtkFileChooserAction  action)
{
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  if (action == GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER)
    self->chooser = gtk_file_chooser_native_new (_("Import a Folder"), GTK_WINDOW (self), action,
                                                 _("_Import"), _("_Cancel"));
  else
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      self->chooser = gtk_file_chooser_native_new (_("Import Referrals and Documents"), GTK_WINDOW (self),
                                                   action, _("_Import"), _("_Cancel"));
      gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
      gtk_file_filter_set_name (filter, _("Faxes, scans, e-mail, HL7 and FHIR"));
      gtk_file_filter_add_mime_type (filter, "application/pdf");
      gtk_file_filter_add_mime_type (filter, "image/tiff");
      gtk_file_filter_add_mime_type (filter, "message/rfc822");
      gtk_file_filter_add_mime_type (filter, "application/json");
      gtk_file_filter_add_suffix (filter, "hl7");
      gtk_file_filter_add_suffix (filter, "txt");
      gtk_file_filter_add_suffix (filter, "eml");
      gtk_file_filter_add_suffix (filter, "json");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
    }

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_choose_files_clicked (RdImportDialog *self)
{
  show_chooser (self, GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
on_choose_folder_clicked (RdImportDialog *self)
{
  show_chooser (self, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

/**
 * rd_import_dialog_choose:
 * @self: a #RdImportDialog
 *
 * Shows the start of the dialog, where the person chooses files or a
 * folder to import; what they choose is then imported as by
 * rd_import_dialog_import_files().
 */
void
rd_import_dialog_choose (RdImportDialog *self)
{
  g_return_if_fail (RD_IS_IMPORT_DIALOG (self));
  g_return_if_fail (!self->started);

  gtk_stack_set_visible_child_name (self->stack, "start");
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->close_button), TRUE);
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
  /* A keyboard activation clicks 250 ms later, maybe after the end: the
   * summary stands. */
  if (self->finished)
    return;
  gtk_label_set_label (self->status_label, _("Stopping after the current file…"));
  g_cancellable_cancel (self->cancellable);
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

  /* Work still running holds a reference; when it comes back it finds the
   * dialog gone and touches no widget. */
  self->gone = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_IMPORT_DIALOG);

  G_OBJECT_CLASS (rd_import_dialog_parent_class)->dispose (object);
}

static void
rd_import_dialog_finalize (GObject *object)
{
  RdImportDialog *self = RD_IMPORT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->inputs);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (rd_import_dialog_parent_class)->finalize (object);
}

static void
rd_import_dialog_class_init (RdImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_import_dialog_dispose;
  object_class->finalize = rd_import_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RdImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, RdImportDialog, progress);
  gtk_widget_class_bind_template_child (widget_class, RdImportDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, RdImportDialog, results);
  gtk_widget_class_bind_template_child (widget_class, RdImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RdImportDialog, close_button);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_close_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_files_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_folder_clicked);
}

static void
rd_import_dialog_init (RdImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->entries = g_ptr_array_new_with_free_func (entry_free);
  gtk_stack_set_visible_child_name (self->stack, "progress");
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
