/* rd-split-dialog.c — split a fax into page ranges for different referrals
 *
 * A fax server often puts two or three patients' referrals in one
 * transmission. This dialog shows how many pages the fax has and one row
 * per part — "pages [from]–[to] → destination" — with a thumbnail of the
 * part's first page, checks as the person types that every page is in
 * exactly one part (or deliberately left out), and on confirmation makes
 * the parts on a worker thread (rd_pdf_split_async) and stores them in one
 * transaction (rd_repo_document_split_async). If anything fails, nothing
 * changed: the fax stays in the inbox and the dialog says why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "rd-page-job.h"
#include "rd-pdf.h"
#include "rd-pdf-split.h"
#include "rd-repo-referral.h"
#include "rd-split-dialog.h"

#define THUMB_SCALE 0.1
#define SEARCH_LIMIT 20
/* The strip of all pages stops here: beyond, the parts' own thumbnails. */
#define STRIP_MAX_PAGES 100

typedef struct _PartRow PartRow;

struct _RdSplitDialog
{
  AdwWindow       parent_instance;

  RdConnection   *connection;
  gint64          document_id;
  RdDocument     *document;
  GBytes         *bytes;
  RdPdf          *pdf;
  guint           n_pages;
  GCancellable   *cancellable;
  gboolean        busy;
  char           *problem;
  GPtrArray      *rows;          /* PartRow, owned (rc) */
  GPtrArray      *strip_jobs;    /* RdRenderJob */

  GtkStack       *stack;
  AdwStatusPage  *failed_page;
  GtkLabel       *pages_label;
  GtkBox         *strip_box;
  GtkListBox     *parts_list;
  GtkButton      *add_button;
  GtkLabel       *check_label;
  GtkCheckButton *leave_check;
  GtkButton      *split_button;
  GtkButton      *cancel_button;
  GtkRevealer    *progress_revealer;
  GtkProgressBar *progress_bar;
  GtkLabel       *error_label;
};

struct _PartRow
{
  RdSplitDialog *dialog;        /* NULL once the row is removed */
  GtkWidget     *row;
  GtkWidget     *thumb;
  GtkWidget     *from;
  GtkWidget     *to;
  GtkWidget     *destination;
  GtkWidget     *choose;
  GtkWidget     *search;
  GtkWidget     *results;
  GtkWidget     *remove;
  GPtrArray     *found;         /* RdReferral */
  gint64         referral_id;
  GCancellable  *cancellable;
  RdRenderJob   *thumb_job;
  int            thumb_page;
};

enum {
  SPLIT_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RdSplitDialog, rd_split_dialog, ADW_TYPE_WINDOW)

static void update_check (RdSplitDialog *self);

/* Rows ------------------------------------------------------------------------ */

static void
part_row_clear (PartRow *row)
{
  g_cancellable_cancel (row->cancellable);
  g_clear_object (&row->cancellable);
  if (row->thumb_job != NULL)
    rd_render_job_cancel (row->thumb_job);
  g_clear_object (&row->thumb_job);
  g_clear_pointer (&row->found, g_ptr_array_unref);
}

static PartRow *
part_row_ref (PartRow *row)
{
  return g_rc_box_acquire (row);
}

static void
part_row_unref (PartRow *row)
{
  g_rc_box_release_full (row, (GDestroyNotify) part_row_clear);
}

static guint
spin_value (GtkWidget *spin)
{
  return (guint) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin));
}

static RdSplitDestination
row_destination (PartRow *row)
{
  switch (gtk_drop_down_get_selected (GTK_DROP_DOWN (row->destination)))
    {
    case 1:
      return RD_SPLIT_TO_REFERRAL;
    case 2:
      return RD_SPLIT_TO_INBOX;
    case 0:
    default:
      return RD_SPLIT_TO_NEW_REFERRAL;
    }
}

static GdkTexture *
texture_for_surface (cairo_surface_t *surface)
{
  g_autoptr(GBytes) pixels = NULL;

  pixels = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                       (gsize) cairo_image_surface_get_stride (surface)
                                       * cairo_image_surface_get_height (surface),
                                       (GDestroyNotify) cairo_surface_destroy,
                                       cairo_surface_reference (surface));
  return gdk_memory_texture_new (cairo_image_surface_get_width (surface),
                                 cairo_image_surface_get_height (surface),
                                 GDK_MEMORY_DEFAULT, pixels,
                                 cairo_image_surface_get_stride (surface));
}

static void
on_thumb_rendered (RdRenderJob *job,
                   gpointer     user_data)
{
  PartRow *row = user_data;
  cairo_surface_t *surface;
  g_autoptr(GdkTexture) texture = NULL;

  if (row->dialog == NULL || job != row->thumb_job)
    return;
  surface = rd_page_job_get_surface (RD_PAGE_JOB (job));
  if (surface == NULL)
    return;   /* a page that cannot be drawn keeps the placeholder */
  texture = texture_for_surface (surface);
  gtk_picture_set_paintable (GTK_PICTURE (row->thumb), GDK_PAINTABLE (texture));
}

static void
request_thumbnail (PartRow *row)
{
  RdSplitDialog *self = row->dialog;
  int page = (int) spin_value (row->from) - 1;
  g_autoptr(RdPageJob) job = NULL;

  if (self == NULL || self->pdf == NULL || page == row->thumb_page
      || page < 0 || (guint) page >= self->n_pages)
    return;

  if (row->thumb_job != NULL)
    rd_render_job_cancel (row->thumb_job);
  g_clear_object (&row->thumb_job);
  row->thumb_page = page;

  job = rd_page_job_new (page, THUMB_SCALE, 0, RD_RENDER_PRIORITY_THUMBNAIL);
  row->thumb_job = g_object_ref (RD_RENDER_JOB (job));
  rd_render_queue_push (rd_pdf_get_render_queue (self->pdf), RD_RENDER_JOB (job),
                        on_thumb_rendered, part_row_ref (row), (GDestroyNotify) part_row_unref);
}

static void
on_range_changed (PartRow *row)
{
  if (row->dialog == NULL)
    return;
  request_thumbnail (row);
  update_check (row->dialog);
}

static void
on_destination_changed (PartRow *row)
{
  if (row->dialog == NULL)
    return;
  gtk_widget_set_visible (row->choose, row_destination (row) == RD_SPLIT_TO_REFERRAL);
  update_check (row->dialog);
}

static void
set_row_referral (PartRow    *row,
                  gint64      referral_id,
                  const char *label)
{
  row->referral_id = referral_id;
  gtk_menu_button_set_label (GTK_MENU_BUTTON (row->choose),
                             referral_id > 0 && label != NULL ? label : _("Choose referral…"));
  if (row->dialog != NULL)
    update_check (row->dialog);
}

static char *
describe_referral (RdReferral *r)
{
  /* Translators: a referral found by the search: "R00000012 — Doe, Jane" */
  return g_strdup_printf (_("%s — %s"), rd_referral_get_number (r),
                          rd_referral_get_patient_name (r) ? rd_referral_get_patient_name (r)
                                                           : _("no patient yet"));
}

static void
on_referrals_found (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PartRow *row = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = rd_repo_referral_list_finish (RD_CONNECTION (source), result, &error);
  GtkWidget *child;

  if (row->dialog == NULL || found == NULL)
    {
      part_row_unref (row);
      return;
    }

  g_clear_pointer (&row->found, g_ptr_array_unref);
  row->found = g_ptr_array_ref (found);
  while ((child = gtk_widget_get_first_child (row->results)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (row->results), child);
  for (guint i = 0; i < found->len; i++)
    {
      g_autofree char *text = describe_referral (g_ptr_array_index (found, i));
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_widget_set_margin_top (label, 4);
      gtk_widget_set_margin_bottom (label, 4);
      gtk_list_box_append (GTK_LIST_BOX (row->results), label);
    }
  if (found->len == 0)
    {
      GtkWidget *label = gtk_label_new (_("No open referral matches."));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_list_box_set_placeholder (GTK_LIST_BOX (row->results), label);
    }
  part_row_unref (row);
}

static void
on_search_changed (PartRow *row)
{
  RdReferralFilter filter;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row->search));

  if (row->dialog == NULL || row->dialog->connection == NULL)
    return;

  g_cancellable_cancel (row->cancellable);
  g_clear_object (&row->cancellable);
  row->cancellable = g_cancellable_new ();

  rd_referral_filter_init (&filter);
  filter.search = text != NULL && *text != '\0' ? text : NULL;
  rd_repo_referral_list_async (row->dialog->connection, &filter, NULL, SEARCH_LIMIT,
                               row->cancellable, on_referrals_found, part_row_ref (row));
}

static void
on_result_activated (PartRow       *row,
                     GtkListBoxRow *item)
{
  int index = gtk_list_box_row_get_index (item);
  RdReferral *r;
  g_autofree char *label = NULL;

  if (row->dialog == NULL || row->found == NULL || index < 0 || (guint) index >= row->found->len)
    return;
  r = g_ptr_array_index (row->found, index);
  label = describe_referral (r);
  set_row_referral (row, rd_referral_get_id (r), label);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (row->choose));
  gtk_widget_grab_focus (row->choose);
}

static void
on_choose_toggled (PartRow *row)
{
  GtkPopover *popover;

  if (row->dialog == NULL)
    return;
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (row->choose));
  if (popover != NULL && gtk_widget_get_visible (GTK_WIDGET (popover)))
    {
      gtk_widget_grab_focus (row->search);
      on_search_changed (row);
    }
}

static void
renumber_rows (RdSplitDialog *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      PartRow *row = g_ptr_array_index (self->rows, i);
      g_autofree char *from = g_strdup_printf (_("First page of part %u"), i + 1);
      g_autofree char *to = g_strdup_printf (_("Last page of part %u"), i + 1);
      g_autofree char *dest = g_strdup_printf (_("Destination of part %u"), i + 1);
      g_autofree char *remove = g_strdup_printf (_("Remove part %u"), i + 1);
      g_autofree char *name = NULL;

      gtk_accessible_update_property (GTK_ACCESSIBLE (row->from), GTK_ACCESSIBLE_PROPERTY_LABEL, from, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row->to), GTK_ACCESSIBLE_PROPERTY_LABEL, to, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row->destination), GTK_ACCESSIBLE_PROPERTY_LABEL, dest, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row->remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove, -1);
      gtk_widget_set_tooltip_text (row->remove, remove);
      /* Names for tests and accessibility tools: "part-1-from" … */
      name = g_strdup_printf ("part-%u-from", i + 1);
      gtk_widget_set_name (row->from, name);
      g_free (name);
      name = g_strdup_printf ("part-%u-to", i + 1);
      gtk_widget_set_name (row->to, name);
      g_free (name);
      name = g_strdup_printf ("part-%u-destination", i + 1);
      gtk_widget_set_name (row->destination, name);
      g_free (name);
      name = g_strdup_printf ("part-%u-choose", i + 1);
      gtk_widget_set_name (row->choose, name);
      g_free (name);
      name = g_strdup_printf ("part-%u-search", i + 1);
      gtk_widget_set_name (row->search, name);
      g_free (name);
      name = g_strdup_printf ("part-%u-results", i + 1);
      gtk_widget_set_name (row->results, name);
      gtk_widget_set_sensitive (row->remove, self->rows->len > 1);
    }
}

static void
on_remove_clicked (PartRow *row)
{
  RdSplitDialog *self = row->dialog;

  if (self == NULL || self->busy || self->rows->len <= 1)
    return;
  gtk_list_box_remove (self->parts_list, row->row);
  row->dialog = NULL;
  g_ptr_array_remove (self->rows, row);
  renumber_rows (self);
  update_check (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->add_button));
}

static GtkWidget *
spin_for_pages (guint n_pages,
                guint value)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (1, MAX (n_pages, 1), 1);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 3);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  return spin;
}

static PartRow *
add_row (RdSplitDialog      *self,
         guint               from,
         guint               to,
         RdSplitDestination  destination)
{
  static const char *destinations[] = { N_("New referral"), N_("Existing referral…"), N_("Keep in inbox"), NULL };
  const char *translated[G_N_ELEMENTS (destinations)];
  PartRow *row = g_rc_box_new0 (PartRow);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *pages_label = gtk_label_new_with_mnemonic (_("_Pages"));
  GtkWidget *dash = gtk_label_new ("–");
  GtkWidget *arrow = gtk_label_new ("→");
  GtkWidget *popover_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *search_label = gtk_label_new_with_mnemonic (_("_Search by number or patient"));
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *popover = gtk_popover_new ();

  for (guint i = 0; i < G_N_ELEMENTS (destinations); i++)
    translated[i] = destinations[i] ? _(destinations[i]) : NULL;

  row->dialog = self;
  row->thumb_page = -1;
  row->cancellable = g_cancellable_new ();

  row->thumb = gtk_picture_new ();
  gtk_widget_set_size_request (row->thumb, 62, 80);
  gtk_picture_set_can_shrink (GTK_PICTURE (row->thumb), TRUE);
  gtk_widget_add_css_class (row->thumb, "card");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->thumb), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("First page of the part"), -1);
  gtk_box_append (GTK_BOX (box), row->thumb);

  row->from = spin_for_pages (self->n_pages, from);
  row->to = spin_for_pages (self->n_pages, to);
  gtk_label_set_mnemonic_widget (GTK_LABEL (pages_label), row->from);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (row->from), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  pages_label, NULL, -1);
  gtk_box_append (GTK_BOX (box), pages_label);
  gtk_box_append (GTK_BOX (box), row->from);
  gtk_box_append (GTK_BOX (box), dash);
  gtk_box_append (GTK_BOX (box), row->to);
  gtk_box_append (GTK_BOX (box), arrow);
  gtk_accessible_update_state (GTK_ACCESSIBLE (dash), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);

  row->destination = gtk_drop_down_new_from_strings (translated);
  gtk_widget_set_valign (row->destination, GTK_ALIGN_CENTER);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (row->destination),
                              destination == RD_SPLIT_TO_REFERRAL ? 1
                              : destination == RD_SPLIT_TO_INBOX ? 2 : 0);
  gtk_box_append (GTK_BOX (box), row->destination);

  /* "Existing referral…": a search by number or patient in a popover. */
  row->search = gtk_search_entry_new ();
  gtk_label_set_mnemonic_widget (GTK_LABEL (search_label), row->search);
  gtk_label_set_xalign (GTK_LABEL (search_label), 0);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (row->search), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  search_label, NULL, -1);
  row->results = gtk_list_box_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->results), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Referrals found"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), row->results);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 180);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_box_append (GTK_BOX (popover_box), search_label);
  gtk_box_append (GTK_BOX (popover_box), row->search);
  gtk_box_append (GTK_BOX (popover_box), scroller);
  gtk_popover_set_child (GTK_POPOVER (popover), popover_box);
  row->choose = gtk_menu_button_new ();
  gtk_menu_button_set_label (GTK_MENU_BUTTON (row->choose), _("Choose referral…"));
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (row->choose), popover);
  gtk_widget_set_valign (row->choose, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (row->choose, destination == RD_SPLIT_TO_REFERRAL);
  gtk_box_append (GTK_BOX (box), row->choose);

  row->remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  gtk_widget_set_valign (row->remove, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (row->remove, TRUE);
  gtk_widget_set_halign (row->remove, GTK_ALIGN_END);
  gtk_widget_add_css_class (row->remove, "flat");
  gtk_box_append (GTK_BOX (box), row->remove);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  row->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row->row), FALSE);
  gtk_widget_set_focusable (row->row, FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row->row), box);
  gtk_list_box_append (self->parts_list, row->row);

  g_signal_connect_swapped (row->from, "value-changed", G_CALLBACK (on_range_changed), row);
  g_signal_connect_swapped (row->to, "value-changed", G_CALLBACK (on_range_changed), row);
  g_signal_connect_swapped (row->destination, "notify::selected", G_CALLBACK (on_destination_changed), row);
  g_signal_connect_swapped (row->search, "search-changed", G_CALLBACK (on_search_changed), row);
  g_signal_connect_swapped (row->results, "row-activated", G_CALLBACK (on_result_activated), row);
  g_signal_connect_swapped (popover, "notify::visible", G_CALLBACK (on_choose_toggled), row);
  g_signal_connect_swapped (row->remove, "clicked", G_CALLBACK (on_remove_clicked), row);

  g_ptr_array_add (self->rows, row);
  renumber_rows (self);
  request_thumbnail (row);
  return row;
}

/* The strip of pages ------------------------------------------------------------------- */

static void
on_strip_rendered (RdRenderJob *job,
                   gpointer     user_data)
{
  GtkPicture *picture = user_data;
  cairo_surface_t *surface = rd_page_job_get_surface (RD_PAGE_JOB (job));
  g_autoptr(GdkTexture) texture = NULL;

  /* Jobs are cancelled before the pictures go, so @picture is alive. */
  if (surface == NULL)
    return;
  texture = texture_for_surface (surface);
  gtk_picture_set_paintable (picture, GDK_PAINTABLE (texture));
}

static void
fill_strip (RdSplitDialog *self)
{
  guint n = MIN (self->n_pages, STRIP_MAX_PAGES);

  for (guint i = 0; i < n; i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *picture = gtk_picture_new ();
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *name = g_strdup_printf (_("Page %u"), i + 1);
      GtkWidget *label = gtk_label_new (number);
      g_autoptr(RdPageJob) job = rd_page_job_new (i, THUMB_SCALE, 0, RD_RENDER_PRIORITY_THUMBNAIL);

      gtk_widget_set_size_request (picture, 62, 80);
      gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
      gtk_widget_add_css_class (picture, "card");
      gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (box), picture);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (self->strip_box, box);

      g_ptr_array_add (self->strip_jobs, g_object_ref (job));
      rd_render_queue_push (rd_pdf_get_render_queue (self->pdf), RD_RENDER_JOB (job),
                            on_strip_rendered, picture, NULL);
    }
  if (self->n_pages > n)
    gtk_box_append (self->strip_box, gtk_label_new ("…"));
}

/* The live check ----------------------------------------------------------------- */

static void
set_problem (RdSplitDialog *self,
             char          *problem)
{
  g_free (self->problem);
  self->problem = problem;
}

static void
update_check (RdSplitDialog *self)
{
  g_autofree RdPageRange *ranges = NULL;
  g_autofree guint8 *taken = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) left = g_string_new (NULL);
  guint n = self->rows->len;
  guint n_left = 0;

  ranges = g_new0 (RdPageRange, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      PartRow *row = g_ptr_array_index (self->rows, i);

      ranges[i].from = spin_value (row->from);
      ranges[i].to = spin_value (row->to);
    }

  set_problem (self, NULL);
  if (self->n_pages == 0)
    set_problem (self, g_strdup (_("The document is still loading.")));
  else if (!rd_page_ranges_check (ranges, n, self->n_pages, &error))
    set_problem (self, g_strdup (error->message));

  for (guint i = 0; i < n && self->problem == NULL; i++)
    {
      PartRow *row = g_ptr_array_index (self->rows, i);

      if (row_destination (row) == RD_SPLIT_TO_REFERRAL && row->referral_id <= 0)
        set_problem (self, g_strdup_printf (_("Choose the referral for part %u, or another destination."), i + 1));
    }

  /* Pages in no part, as ranges: "4, 6–7". */
  if (self->problem == NULL)
    {
      taken = g_malloc0 (self->n_pages + 2);
      for (guint i = 0; i < n; i++)
        for (guint p = ranges[i].from; p <= ranges[i].to; p++)
          taken[p] = 1;
      for (guint p = 1; p <= self->n_pages; p++)
        if (!taken[p])
          {
            guint q = p;

            while (q + 1 <= self->n_pages && !taken[q + 1])
              q++;
            if (left->len > 0)
              g_string_append (left, ", ");
            if (q > p)
              g_string_append_printf (left, "%u–%u", p, q);
            else
              g_string_append_printf (left, "%u", p);
            n_left += q - p + 1;
            p = q;
          }
    }

  gtk_widget_set_visible (GTK_WIDGET (self->leave_check), n_left > 0);
  if (self->problem == NULL && n_left > 0 && !gtk_check_button_get_active (self->leave_check))
    set_problem (self, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "Page %s is in no part. Give it to a part, or leave it out on purpose below.",
                                                     "Pages %s are in no part. Give them to a part, or leave them out on purpose below.",
                                                     n_left),
                                        left->str));
  if (self->problem == NULL && n == 1 && n_left == 0 && row_destination (g_ptr_array_index (self->rows, 0)) == RD_SPLIT_TO_INBOX)
    set_problem (self, g_strdup (_("One part with every page, kept in the inbox, changes nothing. Add a part or choose another destination.")));

  if (self->problem != NULL)
    {
      gtk_label_set_text (self->check_label, self->problem);
      gtk_widget_remove_css_class (GTK_WIDGET (self->check_label), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->check_label), "warning");
    }
  else
    {
      g_autofree char *ok = NULL;

      if (n_left > 0)
        {
          g_autofree char *parts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Ready: %u part.",
                                                                 "Ready: %u parts.", n), n);
          g_autofree char *rest = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "Page %s stays only with the original.",
                                                                "Pages %s stay only with the original.",
                                                                n_left), left->str);

          ok = g_strconcat (parts, " ", rest, NULL);
        }
      else
        ok = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Ready: every page is in exactly one part (%u part).",
                                           "Ready: every page is in exactly one part (%u parts).", n), n);
      gtk_label_set_text (self->check_label, ok);
      gtk_widget_remove_css_class (GTK_WIDGET (self->check_label), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->check_label), "success");
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->split_button), self->problem == NULL && !self->busy);
}

/* Splitting ------------------------------------------------------------------------ */

static void
set_busy (RdSplitDialog *self,
          gboolean       busy)
{
  self->busy = busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->parts_list), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->leave_check), !busy);
  gtk_revealer_set_reveal_child (self->progress_revealer, busy);
  update_check (self);
}

static void
fail (RdSplitDialog *self,
      const GError  *error)
{
  g_autofree char *text = NULL;

  /* Translators: %s says why, and what to do */
  text = g_strdup_printf (_("The document was not split and stays in the inbox unchanged. %s"), error->message);
  gtk_label_set_text (self->error_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  set_busy (self, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->error_label));
  gtk_label_select_region (self->error_label, 0, 0);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RdSplitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parts = rd_repo_document_split_finish (RD_CONNECTION (source), result, &error);

  /* Closed meanwhile: if the commit got through, the inbox hears of it
   * from the database; there is no dialog left to update. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (parts == NULL)
    {
      if (!g_cancellable_is_cancelled (self->cancellable))
        fail (self, error);
      return;
    }

  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  self->busy = FALSE;
  g_signal_emit (self, signals[SPLIT_DONE], 0, parts->len);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_parts_made (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RdSplitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pdfs = rd_pdf_split_finish (result, &error);
  g_autoptr(GPtrArray) parts = NULL;

  /* Closed while the last page was printed: store nothing. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (pdfs == NULL)
    {
      if (!g_cancellable_is_cancelled (self->cancellable))
        fail (self, error);
      return;
    }

  parts = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_split_part_free);
  for (guint i = 0; i < pdfs->len && i < self->rows->len; i++)
    {
      PartRow *row = g_ptr_array_index (self->rows, i);

      g_ptr_array_add (parts, rd_split_part_new (spin_value (row->from), spin_value (row->to),
                                                 row_destination (row), row->referral_id,
                                                 g_ptr_array_index (pdfs, i)));
    }

  gtk_progress_bar_set_text (self->progress_bar, _("Saving the parts…"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0.9);
  rd_repo_document_split_async (self->connection, self->document, parts, self->cancellable,
                                on_stored, g_object_ref (self));
}

static void
on_split_progress (guint    done,
                   guint    total,
                   gpointer user_data)
{
  RdSplitDialog *self = user_data;
  g_autofree char *text = g_strdup_printf (_("Making page %u of %u…"), done, total);

  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? 0.8 * done / total : 0);
}

static void
on_split_clicked (RdSplitDialog *self)
{
  g_autofree RdPageRange *ranges = NULL;
  guint n = self->rows->len;

  update_check (self);
  if (self->busy || self->problem != NULL || self->bytes == NULL || self->document == NULL)
    return;

  ranges = g_new0 (RdPageRange, n);
  for (guint i = 0; i < n; i++)
    {
      PartRow *row = g_ptr_array_index (self->rows, i);

      ranges[i].from = spin_value (row->from);
      ranges[i].to = spin_value (row->to);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Making the parts…"));
  set_busy (self, TRUE);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  rd_pdf_split_async (self->bytes, NULL, ranges, n, on_split_progress,
                      g_object_ref (self), g_object_unref, self->cancellable,
                      on_parts_made, g_object_ref (self));
}

static void
on_add_clicked (RdSplitDialog *self)
{
  guint from = 1;
  PartRow *row;

  /* Start after the last page any part takes. */
  for (guint i = 0; i < self->rows->len; i++)
    from = MAX (from, spin_value (((PartRow *) g_ptr_array_index (self->rows, i))->to) + 1);
  from = MIN (from, MAX (self->n_pages, 1));
  row = add_row (self, from, MAX (self->n_pages, 1), RD_SPLIT_TO_NEW_REFERRAL);
  update_check (self);
  gtk_widget_grab_focus (row->from);
}

static void
on_cancel_clicked (RdSplitDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

/* Loading --------------------------------------------------------------------------- */

static void
show_failed (RdSplitDialog *self,
             const GError  *error)
{
  adw_status_page_set_description (self->failed_page, error->message);
  gtk_stack_set_visible_child_name (self->stack, "failed");
}

static void
maybe_ready (RdSplitDialog *self)
{
  g_autofree char *pages = NULL;

  if (self->document == NULL || self->pdf == NULL)
    return;

  self->n_pages = rd_pdf_get_n_pages (self->pdf);
  pages = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "“%s” has %u page. Give each part a range of pages and a destination.",
                                        "“%s” has %u pages. Give each part a range of pages and a destination.",
                                        self->n_pages),
                           rd_document_get_file_name (self->document) ? rd_document_get_file_name (self->document)
                                                                       : _("The document"),
                           self->n_pages);
  gtk_label_set_text (self->pages_label, pages);

  fill_strip (self);

  /* A first guess: two halves, each a new referral. */
  if (self->rows->len == 0)
    {
      if (self->n_pages >= 2)
        {
          add_row (self, 1, self->n_pages / 2, RD_SPLIT_TO_NEW_REFERRAL);
          add_row (self, self->n_pages / 2 + 1, self->n_pages, RD_SPLIT_TO_NEW_REFERRAL);
        }
      else
        add_row (self, 1, 1, RD_SPLIT_TO_NEW_REFERRAL);
    }
  gtk_stack_set_visible_child_name (self->stack, "parts");
  update_check (self);
  gtk_widget_grab_focus (((PartRow *) g_ptr_array_index (self->rows, 0))->from);
}

static void
on_pdf_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RdSplitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  RdPdf *pdf = rd_pdf_load_finish (result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&pdf);
      return;
    }
  if (pdf == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_failed (self, error);
      return;
    }
  self->pdf = pdf;
  maybe_ready (self);
}

static void
on_bytes_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RdSplitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  GBytes *bytes = rd_repo_document_read_finish (RD_CONNECTION (source), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_pointer (&bytes, g_bytes_unref);
      return;
    }
  if (bytes == NULL)
    {
      if (!g_cancellable_is_cancelled (self->cancellable))
        show_failed (self, error);
      return;
    }
  self->bytes = bytes;
  rd_pdf_load_async (bytes, NULL, self->cancellable, on_pdf_loaded, g_object_ref (self));
}

static void
on_document_got (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RdSplitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  RdDocument *doc = rd_repo_document_get_finish (RD_CONNECTION (source), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&doc);
      return;
    }
  if (doc == NULL)
    {
      if (!g_cancellable_is_cancelled (self->cancellable))
        show_failed (self, error);
      return;
    }
  self->document = doc;
  maybe_ready (self);
}

/* GObject ------------------------------------------------------------------------------ */

static gboolean
rd_split_dialog_close_request (GtkWindow *window)
{
  RdSplitDialog *self = RD_SPLIT_DIALOG (window);

  /* Closing while the parts are made or stored stops it; the transaction
   * is rolled back, so nothing changes. */
  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (rd_split_dialog_parent_class)->close_request (window);
}

static void
rd_split_dialog_dispose (GObject *object)
{
  RdSplitDialog *self = RD_SPLIT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  /* Rows first forget the dialog, so that nothing their widgets emit while
   * the template goes away reaches it; they are freed after the widgets. */
  if (self->rows != NULL)
    for (guint i = 0; i < self->rows->len; i++)
      ((PartRow *) g_ptr_array_index (self->rows, i))->dialog = NULL;
  if (self->strip_jobs != NULL)
    for (guint i = 0; i < self->strip_jobs->len; i++)
      rd_render_job_cancel (g_ptr_array_index (self->strip_jobs, i));
  g_clear_pointer (&self->strip_jobs, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_SPLIT_DIALOG);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->pdf);
  g_clear_object (&self->document);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->bytes, g_bytes_unref);

  G_OBJECT_CLASS (rd_split_dialog_parent_class)->dispose (object);
}

static void
rd_split_dialog_finalize (GObject *object)
{
  RdSplitDialog *self = RD_SPLIT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_free (self->problem);

  G_OBJECT_CLASS (rd_split_dialog_parent_class)->finalize (object);
}

static void
rd_split_dialog_class_init (RdSplitDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = rd_split_dialog_dispose;
  object_class->finalize = rd_split_dialog_finalize;
  window_class->close_request = rd_split_dialog_close_request;

  /**
   * RdSplitDialog::split-done:
   * @self: the dialog
   * @n_parts: how many parts were stored
   *
   * The document was split; the dialog closes next.
   */
  signals[SPLIT_DONE] =
    g_signal_new ("split-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/referraldesk/ReferralDesk/rd-split-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, failed_page);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, pages_label);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, strip_box);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, parts_list);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, check_label);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, leave_check);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, split_button);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, RdSplitDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_split_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, update_check);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rd_split_dialog_init (RdSplitDialog *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) part_row_unref);
  self->strip_jobs = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * rd_split_dialog_new:
 * @parent: (nullable): the window to be modal for
 * @connection: the signed-in connection
 * @document_id: the unfiled document to split
 *
 * Opens the dialog and starts reading the document (its bytes through the
 * audited rd.read_document()) off the main thread.
 *
 * Returns: (transfer none): the dialog, presented; it destroys itself when
 *   closed
 */
RdSplitDialog *
rd_split_dialog_new (GtkWindow    *parent,
                     RdConnection *connection,
                     gint64        document_id)
{
  RdSplitDialog *self;

  g_return_val_if_fail (RD_IS_CONNECTION (connection), NULL);

  self = g_object_new (RD_TYPE_SPLIT_DIALOG,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
  self->connection = g_object_ref (connection);
  self->document_id = document_id;
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->split_button));

  rd_repo_document_get_async (connection, document_id, self->cancellable,
                              on_document_got, g_object_ref (self));
  rd_repo_document_read_async (connection, document_id, self->cancellable,
                               on_bytes_read, g_object_ref (self));
  gtk_window_present (GTK_WINDOW (self));
  return self;
}

/**
 * rd_split_dialog_get_n_pages:
 * @self: a #RdSplitDialog
 *
 * Returns: the document's pages, 0 until it is loaded
 */
guint
rd_split_dialog_get_n_pages (RdSplitDialog *self)
{
  g_return_val_if_fail (RD_IS_SPLIT_DIALOG (self), 0);

  return self->n_pages;
}

/**
 * rd_split_dialog_get_n_parts:
 * @self: a #RdSplitDialog
 *
 * Returns: how many part rows there are
 */
guint
rd_split_dialog_get_n_parts (RdSplitDialog *self)
{
  g_return_val_if_fail (RD_IS_SPLIT_DIALOG (self), 0);

  return self->rows->len;
}

/**
 * rd_split_dialog_add_part:
 * @self: a #RdSplitDialog
 * @from: first page
 * @to: last page
 * @destination: where the part goes
 *
 * Adds a row, as "Add part" does, with these values.
 */
void
rd_split_dialog_add_part (RdSplitDialog      *self,
                          guint               from,
                          guint               to,
                          RdSplitDestination  destination)
{
  g_return_if_fail (RD_IS_SPLIT_DIALOG (self));
  g_return_if_fail (self->n_pages > 0);

  add_row (self, from, to, destination);
  update_check (self);
}

/**
 * rd_split_dialog_remove_parts:
 * @self: a #RdSplitDialog
 *
 * Removes every part row.
 */
void
rd_split_dialog_remove_parts (RdSplitDialog *self)
{
  g_return_if_fail (RD_IS_SPLIT_DIALOG (self));

  while (self->rows->len > 0)
    {
      PartRow *row = g_ptr_array_index (self->rows, self->rows->len - 1);

      gtk_list_box_remove (self->parts_list, row->row);
      row->dialog = NULL;
      g_ptr_array_remove_index (self->rows, self->rows->len - 1);
    }
  update_check (self);
}

/**
 * rd_split_dialog_set_referral:
 * @self: a #RdSplitDialog
 * @part: index of the part row, from 0
 * @referral_id: the chosen referral
 * @label: (nullable): what the button shows, e.g. its number and patient
 *
 * Chooses the existing referral for a part, as its search does.
 */
void
rd_split_dialog_set_referral (RdSplitDialog *self,
                              guint          part,
                              gint64         referral_id,
                              const char    *label)
{
  g_return_if_fail (RD_IS_SPLIT_DIALOG (self));
  g_return_if_fail (part < self->rows->len);

  set_row_referral (g_ptr_array_index (self->rows, part), referral_id, label);
}

/**
 * rd_split_dialog_get_problem:
 * @self: a #RdSplitDialog
 *
 * Returns: (nullable): what the live check says stops the split, or %NULL
 *   when the parts can be split
 */
const char *
rd_split_dialog_get_problem (RdSplitDialog *self)
{
  g_return_val_if_fail (RD_IS_SPLIT_DIALOG (self), NULL);

  return self->problem;
}

/**
 * rd_split_dialog_get_busy:
 * @self: a #RdSplitDialog
 *
 * Returns: whether a split is running
 */
gboolean
rd_split_dialog_get_busy (RdSplitDialog *self)
{
  g_return_val_if_fail (RD_IS_SPLIT_DIALOG (self), FALSE);

  return self->busy;
}
