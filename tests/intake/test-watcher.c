/* test-watcher.c — the fax/scanner folder: each file once, broken ones
 * rejected with their reason, two watchers on one folder, a file being
 * written slowly taken only when complete, a cut-off one rejected after a
 * while, files nobody announced found by the periodic listing; with -m perf,
 * how long the main loop is held while a large fax is taken
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/wait.h>
#include <glib/gstdio.h>
#include <tiffio.h>
#include <cairo.h>
#include <cairo-pdf.h>

#include "rd-connection.h"
#include "rd-fax-meta.h"
#include "rd-fax-synth.h"
#include "rd-inbox-watcher.h"
#include "rd-pdf.h"
#include "rd-tiff-pdf.h"
#include "schema-fixture.h"

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ((Waiter *) user_data)->result = g_object_ref (result);
}

static RdConnection *
connect_as (FxDb       *db,
            const char *login)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (db->dbname, login);
  RdConnection *conn = rd_connection_new (conninfo);
  g_autoptr(GError) error = NULL;
  Waiter w = { NULL };

  rd_connection_open_async (conn, NULL, on_done, &w);
  while (w.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  rd_connection_open_finish (conn, w.result, &error);
  g_assert_no_error (error);
  g_object_unref (w.result);
  return conn;
}

/* Writes as a fax server does: a temporary name, then a rename into place. */
static void
drop (const char *dir,
      const char *name,
      GBytes     *bytes)
{
  g_autofree char *tmp = g_build_filename (dir, ".incoming.part", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (tmp, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
}

static guint
count_files (const char *dir,
             const char *suffix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, suffix))
      n++;
  return n;
}

static void
on_file_done (RdInboxWatcher *watcher,
              const char     *name,
              int             outcome,
              gpointer        user_data)
{
  (*(guint *) user_data)++;
}

/* Runs the main loop until @dir holds no PDF and processed/ plus rejected/
 * hold @expected files. */
static void
wait_settled (const char *dir,
              guint       expected)
{
  g_autofree char *processed = g_build_filename (dir, "processed", NULL);
  g_autofree char *rejected = g_build_filename (dir, "rejected", NULL);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (count_files (dir, ".pdf") > 0
         || count_files (processed, ".pdf") + count_files (rejected, ".pdf") < expected)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
      if (g_get_monotonic_time () > deadline)
        g_error ("the folder did not settle");
    }
}

/* Runs the main loop until "file-done" was said @n times: the signal
 * follows the move, which a worker thread makes. */
static void
wait_done (guint *done,
           guint  n)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (*done < n)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      if (g_get_monotonic_time () > deadline)
        g_error ("file-done was not said");
    }
}

static void
remove_tree (const char *dir)
{
  const char *subs[] = { "processed", "rejected", NULL };

  for (guint i = 0; subs[i] != NULL; i++)
    {
      g_autofree char *sub = g_build_filename (dir, subs[i], NULL);
      g_autoptr(GDir) d = g_dir_open (sub, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (sub, name, NULL);
          g_unlink (path);
        }
      g_rmdir (sub);
    }
  g_rmdir (dir);
}

static void
test_same_fax_twice_and_broken (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *reason_path = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *broken_path = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdInboxWatcher) watcher = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GBytes) fax = NULL;
  g_autoptr(GBytes) broken = NULL;
  g_autoptr(GError) error = NULL;
  guint done = 0;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  conn = connect_as (db, alice);
  dir = g_dir_make_tmp ("rd-inbox-XXXXXX", &error);
  g_assert_no_error (error);
  folder = g_file_new_for_path (dir);

  fax = rd_fax_synth_generate (31, 2);
  /* One copy is there before the watcher starts (the scan at start). */
  drop (dir, "fax-0001.pdf", fax);

  watcher = rd_inbox_watcher_new (conn, folder, "fax");
  rd_inbox_watcher_set_settle_time (watcher, 150);
  g_signal_connect (watcher, "file-done", G_CALLBACK (on_file_done), &done);
  rd_inbox_watcher_start (watcher, &error);
  g_assert_no_error (error);
  wait_settled (dir, 1);

  /* The same fax again, under another name: recognised, not stored twice. */
  drop (dir, "fax-0002.pdf", fax);
  wait_settled (dir, 2);
  wait_done (&done, 2);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 1);
  g_assert_cmpuint (done, ==, 2);

  /* A broken PDF: kept in rejected/ with its reason beside it. */
  broken = g_bytes_new_static ("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", 49);
  drop (dir, "broken.pdf", broken);
  wait_settled (dir, 3);
  wait_done (&done, 3);
  broken_path = g_build_filename (dir, "rejected", "broken.pdf", NULL);
  reason_path = g_build_filename (dir, "rejected", "broken.pdf.reason.txt", NULL);
  g_assert_true (g_file_test (broken_path, G_FILE_TEST_IS_REGULAR));
  g_file_get_contents (reason_path, &reason, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (reason, "PDF"));
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 1);
  g_assert_cmpuint (count_files (dir, ".pdf"), ==, 0);

  rd_inbox_watcher_stop (watcher);
  remove_tree (dir);
}

static void
test_two_watchers (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *processed = NULL;
  g_autoptr(RdConnection) conn_a = NULL;
  g_autoptr(RdConnection) conn_b = NULL;
  g_autoptr(RdInboxWatcher) a = NULL;
  g_autoptr(RdInboxWatcher) b = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  const guint n = 6;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  bob = fx_staff (db, "Bob Brown", RD_STAFF_ROLE_SPECIALIST, "Intake");
  conn_a = connect_as (db, alice);
  conn_b = connect_as (db, bob);
  dir = g_dir_make_tmp ("rd-inbox-XXXXXX", &error);
  g_assert_no_error (error);
  folder = g_file_new_for_path (dir);

  a = rd_inbox_watcher_new (conn_a, folder, "fax");
  b = rd_inbox_watcher_new (conn_b, folder, "fax");
  rd_inbox_watcher_set_settle_time (a, 100);
  rd_inbox_watcher_set_settle_time (b, 100);
  rd_inbox_watcher_start (a, &error);
  g_assert_no_error (error);
  rd_inbox_watcher_start (b, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) fax = rd_fax_synth_generate (100 + i, 1);
      g_autofree char *name = g_strdup_printf ("fax-%02u.pdf", i);

      drop (dir, name, fax);
    }
  wait_settled (dir, n);

  processed = g_build_filename (dir, "processed", NULL);
  g_assert_cmpuint (count_files (processed, ".pdf"), ==, n);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, n);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(DISTINCT sha256) FROM rd.document", NULL), ==, n);

  rd_inbox_watcher_stop (a);
  rd_inbox_watcher_stop (b);
  remove_tree (dir);
}

static void
test_admin_watch_once (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *db_arg = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *done_fax = NULL;
  g_autofree char *done_text = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GBytes) fax = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  conninfo = rd_test_pg_conninfo (db->dbname, NULL);
  db_arg = g_strconcat ("--db=", conninfo, NULL);
  dir = g_dir_make_tmp ("rd-inbox-XXXXXX", &error);
  g_assert_no_error (error);
  fax = rd_fax_synth_generate (41, 1);
  text = g_bytes_new_static ("not a pdf at all\n", 17);
  drop (dir, "fax.pdf", fax);
  drop (dir, "notes.pdf", text);

  {
    const char *argv[] = { RD_ADMIN_EXE, "watch-inbox", db_arg, "--once", "--settle", "50", dir, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                  &wait_status, &error);
  }
  g_assert_no_error (error);
  g_test_message ("watch-inbox said: %s%s", out, err);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 1);
  g_assert_nonnull (strstr (out, "fax.pdf: imported"));
  g_assert_nonnull (strstr (out, "notes.pdf: rejected"));
  done_fax = g_build_filename (dir, "processed", "fax.pdf", NULL);
  done_text = g_build_filename (dir, "rejected", "notes.pdf", NULL);
  reason = g_build_filename (dir, "rejected", "notes.pdf.reason.txt", NULL);
  g_assert_true (g_file_test (done_fax, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (done_text, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (reason, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 1);
  remove_tree (dir);
}

static GBytes *make_fax_tiff_with (guint pattern, const char *description, const char *date_time);

/* A two-page bilevel fax TIFF (G4, 204 x 196 dpi), as a fax server writes. */
static GBytes *
make_fax_tiff (void)
{
  return make_fax_tiff_with (0, NULL, NULL);
}

/* The same, with the tags HylaFAX writes on a received fax: the sending
 * station's id (TSI) in ImageDescription and the time in DateTime. */
static GBytes *
make_fax_tiff_with (guint       pattern,
                    const char *description,
                    const char *date_time)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  char *contents = NULL;
  gsize len = 0;
  int fd = g_file_open_tmp ("rd-fax-XXXXXX.tif", &path, &error);
  TIFF *tif;

  g_assert_no_error (error);
  close (fd);
  tif = TIFFOpen (path, "w");
  g_assert_nonnull (tif);
  for (guint page = 0; page < 2; page++)
    {
      const guint32 w = 1728, h = 400;
      guint8 row[1728 / 8];

      TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, w);
      TIFFSetField (tif, TIFFTAG_IMAGELENGTH, h);
      TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, 1);
      TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, 1);
      TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
      TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
      TIFFSetField (tif, TIFFTAG_XRESOLUTION, 204.0);
      TIFFSetField (tif, TIFFTAG_YRESOLUTION, 196.0);
      TIFFSetField (tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
      TIFFSetField (tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
      TIFFSetField (tif, TIFFTAG_PAGENUMBER, page, 2);
      if (description != NULL)
        TIFFSetField (tif, TIFFTAG_IMAGEDESCRIPTION, description);
      if (date_time != NULL)
        TIFFSetField (tif, TIFFTAG_DATETIME, date_time);
      for (guint32 y = 0; y < h; y++)
        {
          for (guint x = 0; x < sizeof row; x++)
            row[x] = ((y / 20 + x + page + pattern) % 3 == 0) ? 0xff : 0x00;
          g_assert_cmpint (TIFFWriteScanline (tif, row, y, 0), ==, 1);
        }
      g_assert_true (TIFFWriteDirectory (tif));
    }
  TIFFClose (tif);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_unlink (path);
  return g_bytes_new_take (contents, len);
}

static void
test_tiff (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdInboxWatcher) watcher = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GBytes) tiff = NULL;
  g_autoptr(GBytes) broken = NULL;
  g_autoptr(GError) error = NULL;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  conn = connect_as (db, alice);
  dir = g_dir_make_tmp ("rd-inbox-XXXXXX", &error);
  g_assert_no_error (error);
  folder = g_file_new_for_path (dir);
  watcher = rd_inbox_watcher_new (conn, folder, "fax");
  rd_inbox_watcher_set_settle_time (watcher, 100);
  rd_inbox_watcher_start (watcher, &error);
  g_assert_no_error (error);

  tiff = make_fax_tiff ();
  /* Converting twice, seconds apart, gives the same bytes (so the sha256
   * recognises a second copy of the TIFF's PDF too). */
  {
    g_autoptr(GBytes) first = rd_tiff_to_pdf (tiff, NULL, &error);
    g_autoptr(GBytes) second = NULL;

    g_assert_no_error (error);
    g_usleep (1100 * 1000);
    second = rd_tiff_to_pdf (tiff, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (first, second));
  }
  drop (dir, "fax.tif", tiff);
  broken = g_bytes_new_static ("II*\0\x08\0\0\0garbage", 15);
  drop (dir, "broken.tif", broken);
  {
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    g_autofree char *processed = g_build_filename (dir, "processed", NULL);
    g_autofree char *rejected = g_build_filename (dir, "rejected", NULL);

    while (count_files (processed, ".tif") + count_files (rejected, ".tif") < 2)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (5000);
        if (g_get_monotonic_time () > deadline)
          g_error ("the folder did not settle");
      }
    g_assert_cmpuint (count_files (processed, ".tif"), ==, 1);
  }

  /* The original TIFF is kept, and a PDF of its two pages made beside it. */
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document WHERE media_type = 'image/tiff'", NULL), ==, 1);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document WHERE media_type = 'application/pdf'"
                                      " AND pages = 2", NULL), ==, 1);
  {
    g_autoptr(PGresult) res = fx_exec (db->admin, "SELECT b.data FROM rd.document d JOIN rd.document_blob b"
                                                  " ON b.document_id = d.id WHERE d.media_type = 'application/pdf'",
                                       NULL);
    size_t n = 0;
    unsigned char *raw = PQunescapeBytea ((const unsigned char *) PQgetvalue (res, 0, 0), &n);
    g_autoptr(GBytes) pdf = g_bytes_new (raw, n);
    g_autoptr(RdPdf) opened = NULL;

    PQfreemem (raw);
    opened = rd_pdf_new_from_bytes (pdf, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rd_pdf_get_n_pages (opened), ==, 2);
  }
  reason = g_build_filename (dir, "rejected", "broken.tif.reason.txt", NULL);
  g_assert_true (g_file_test (reason, G_FILE_TEST_IS_REGULAR));

  /* The import command recognises the same TIFF (and its PDF) as stored. */
  {
    g_autofree char *conninfo = rd_test_pg_conninfo (db->dbname, NULL);
    g_autofree char *db_arg = g_strconcat ("--db=", conninfo, NULL);
    g_autofree char *path = g_build_filename (dir, "processed", "fax.tif", NULL);
    g_autofree char *out = NULL;
    int wait_status = 0;
    const char *argv[] = { RD_ADMIN_EXE, "import", db_arg, path, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                  &wait_status, &error);
    g_assert_no_error (error);
    g_test_message ("import said: %s", out);
    g_assert_true (WIFEXITED (wait_status));
    g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
    g_assert_nonnull (strstr (out, ": duplicate (2 document(s)"));
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 2);
  }

  rd_inbox_watcher_stop (watcher);
  remove_tree (dir);
}

static cairo_status_t
on_pdf_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* A one-page PDF as a fax-to-folder service writes it, with its Info. */
static GBytes *
make_fax_pdf (const char *subject,
              const char *author,
              const char *created)
{
  GByteArray *out = g_byte_array_new ();
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (on_pdf_bytes, out, 612, 792);
  cairo_t *cr = cairo_create (surface);

  if (subject != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_SUBJECT, subject);
  if (author != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_AUTHOR, author);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, created);
  cairo_rectangle (cr, 72, 72, 200, 40);
  cairo_fill (cr);
  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (out);
}

static char *
document_field (FxDb       *db,
                const char *sql)
{
  PGresult *res = fx_exec (db->admin, sql, NULL);
  char *value;

  g_assert_cmpint (PQntuples (res), ==, 1);
  value = PQgetisnull (res, 0, 0) ? NULL : g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  return value;
}

static void
test_fax_meta_read (void)
{
  g_autoptr(GBytes) tiff = make_fax_tiff_with (3, "+1 555 201 3344", "2026:01:10 09:30:00");
  g_autoptr(GBytes) named = make_fax_tiff_with (4, "NORTH CLINIC", "not a date");
  g_autoptr(GBytes) future = make_fax_tiff_with (5, NULL, "2199:01:01 00:00:00");
  g_autoptr(GBytes) pdf = make_fax_pdf ("Fax from (555) 201-7788", "FaxServer 3.1", "2026-01-11T08:00:00Z");
  g_autoptr(GBytes) pdf_author = make_fax_pdf (NULL, "555.201.9900", "2026-01-12T10:15:00Z");
  g_autoptr(GBytes) plain_pdf = make_fax_pdf (NULL, "Dr. Someone", "2026-01-12T10:15:00Z");
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 2, 1, 0, 0, 0);
  g_autoptr(RdFaxMeta) a = rd_fax_meta_read (tiff, "image/tiff", now);
  g_autoptr(RdFaxMeta) b = rd_fax_meta_read (named, "image/tiff", now);
  g_autoptr(RdFaxMeta) c = rd_fax_meta_read (future, "image/tiff", now);
  g_autoptr(RdFaxMeta) d = rd_fax_meta_read (pdf, "application/pdf", now);
  g_autoptr(RdFaxMeta) e = rd_fax_meta_read (pdf_author, "application/pdf", now);
  g_autoptr(RdFaxMeta) f = rd_fax_meta_read (plain_pdf, "application/pdf", now);
  g_autoptr(RdFaxMeta) g = rd_fax_meta_read (plain_pdf, "image/tiff", now);
  g_autofree char *a_time = NULL;
  g_autofree char *d_time = NULL;
  g_autofree char *long_name = g_strnfill (500, 'X');
  g_autofree char *bounded = rd_fax_meta_normalise_sender (long_name);

  /* A number becomes E.164; the time is the server's local time (TZ=UTC here). */
  g_assert_cmpstr (a->sender, ==, "+15552013344");
  a_time = g_date_time_format_iso8601 (a->received_at);
  g_assert_cmpstr (a_time, ==, "2026-01-10T09:30:00Z");
  /* A station name is kept as written; a broken date is no date. */
  g_assert_cmpstr (b->sender, ==, "NORTH CLINIC");
  g_assert_null (b->received_at);
  /* A date in the future is a wrong clock, not believed. */
  g_assert_null (c->sender);
  g_assert_null (c->received_at);
  /* PDF Info: "Fax from …" in Subject, CreationDate as the time. */
  g_assert_cmpstr (d->sender, ==, "+15552017788");
  d_time = g_date_time_format_iso8601 (d->received_at);
  g_assert_cmpstr (d_time, ==, "2026-01-11T08:00:00Z");
  /* An Author that is a number is the sender; any other Author is not. */
  g_assert_cmpstr (e->sender, ==, "+15552019900");
  g_assert_null (f->sender);
  g_assert_nonnull (f->received_at);
  /* Bytes that are not what they are said to be give nothing. */
  g_assert_null (g->sender);
  g_assert_null (g->received_at);
  g_assert_cmpint (g_utf8_strlen (bounded, -1), ==, RD_FAX_META_MAX_SENDER);

  /* A scanner's long description is not a sending station; a letter
   * titled "From the desk of …" names no sender. */
  {
    g_autoptr(GBytes) scanned = make_fax_tiff_with (6, "Scanned with ScanStation 3000 at front desk", NULL);
    g_autoptr(GBytes) titled = NULL;
    g_autoptr(RdFaxMeta) h = rd_fax_meta_read (scanned, "image/tiff", now);
    g_autoptr(RdFaxMeta) i = NULL;
    GByteArray *out = g_byte_array_new ();
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (on_pdf_bytes, out, 612, 792);
    cairo_t *cr = cairo_create (surface);

    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, "From the desk of Dr. Vance");
    cairo_show_page (cr);
    cairo_destroy (cr);
    cairo_surface_finish (surface);
    cairo_surface_destroy (surface);
    titled = g_byte_array_free_to_bytes (out);
    i = rd_fax_meta_read (titled, "application/pdf", now);
    g_assert_null (h->sender);
    g_assert_null (i->sender);
  }
}

static void
test_fax_metadata_kept (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tiff_sender = NULL;
  g_autofree char *tiff_time = NULL;
  g_autofree char *pdf_sender = NULL;
  g_autofree char *pdf_time = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdInboxWatcher) watcher = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GBytes) tiff = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GError) error = NULL;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  conn = connect_as (db, alice);
  dir = g_dir_make_tmp ("rd-inbox-XXXXXX", &error);
  g_assert_no_error (error);
  folder = g_file_new_for_path (dir);
  watcher = rd_inbox_watcher_new (conn, folder, "fax");
  rd_inbox_watcher_set_settle_time (watcher, 100);
  rd_inbox_watcher_start (watcher, &error);
  g_assert_no_error (error);

  tiff = make_fax_tiff_with (7, "555-201-3344", "2026:01:10 09:30:00");
  pdf = make_fax_pdf ("Fax from NORTH CLINIC", NULL, "2026-01-11T08:00:00Z");
  drop (dir, "fax000017.tif", tiff);
  drop (dir, "inbound-fax.pdf", pdf);
  {
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    g_autofree char *processed = g_build_filename (dir, "processed", NULL);

    while (count_files (processed, ".tif") + count_files (processed, ".pdf") < 2)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (5000);
        if (g_get_monotonic_time () > deadline)
          g_error ("the folder did not settle");
      }
  }

  /* The TIFF and the PDF made of it both carry the sender and the time. */
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document WHERE sender = '+15552013344'"
                                      " AND received_at = '2026-01-10 09:30:00+00'", NULL), ==, 2);
  tiff_sender = document_field (db, "SELECT sender FROM rd.document WHERE media_type = 'image/tiff'");
  g_assert_cmpstr (tiff_sender, ==, "+15552013344");
  tiff_time = document_field (db, "SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
                                  " FROM rd.document WHERE media_type = 'image/tiff'");
  g_assert_cmpstr (tiff_time, ==, "2026-01-10 09:30");
  /* The fax server's PDF: a station name as written, CreationDate as the time. */
  pdf_sender = document_field (db, "SELECT sender FROM rd.document WHERE file_name LIKE 'inbound-fax%'");
  g_assert_cmpstr (pdf_sender, ==, "NORTH CLINIC");
  pdf_time = document_field (db, "SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
                                 " FROM rd.document WHERE file_name LIKE 'inbound-fax%'");
  g_assert_cmpstr (pdf_time, ==, "2026-01-11 08:00");

  /* A TIFF given to the import command carries them too. */
  {
    g_autoptr(GBytes) other = make_fax_tiff_with (9, "(555) 201-4455", "2026:01:09 07:00:00");
    g_autofree char *conninfo = rd_test_pg_conninfo (db->dbname, NULL);
    g_autofree char *db_arg = g_strconcat ("--db=", conninfo, NULL);
    g_autofree char *path = NULL;
    g_autofree char *out = NULL;
    int wait_status = 0;
    int fd = g_file_open_tmp ("rd-fax-XXXXXX.tif", &path, &error);

    g_assert_no_error (error);
    close (fd);
    g_file_set_contents (path, g_bytes_get_data (other, NULL), g_bytes_get_size (other), &error);
    g_assert_no_error (error);
    {
      const char *argv[] = { RD_ADMIN_EXE, "import", db_arg, path, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                    &wait_status, &error);
    }
    g_assert_no_error (error);
    g_test_message ("import said: %s", out);
    g_assert_true (WIFEXITED (wait_status));
    g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
    g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document WHERE sender = '+15552014455'"
                                        " AND received_at = '2026-01-09 07:00:00+00'", NULL), ==, 2);
    g_unlink (path);
  }

  rd_inbox_watcher_stop (watcher);
  remove_tree (dir);
}

/* Writes @len bytes of @bytes from @offset under the final name, as a
 * scanner does, without closing a gap in time. */
static void
write_part (const char *path,
            GBytes     *bytes,
            gsize       offset,
            gsize       len,
            gboolean    append)
{
  FILE *f = g_fopen (path, append ? "ab" : "wb");

  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite ((const char *) g_bytes_get_data (bytes, NULL) + offset, 1, len, f), ==, len);
  g_assert_cmpint (fclose (f), ==, 0);
}

/* Runs the main loop for @ms milliseconds. */
static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static RdConnection *
prepare (FxDb  *db,
         char **dir)
{
  g_autofree char *queue = fx_team (db, "Intake");
  g_autofree char *alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  g_autoptr(GError) error = NULL;

  *dir = g_dir_make_tmp ("rd-inbox-XXXXXX", &error);
  g_assert_no_error (error);
  return connect_as (db, alice);
}

/* A scanner that pauses mid-file longer than the settle time: the half
 * written PDF (no %%EOF yet) is left alone, and taken whole once finished. */
static void
test_slow_writer (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *processed = NULL;
  g_autofree char *rejected = NULL;
  g_autofree char *size_sql = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdInboxWatcher) watcher = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GBytes) fax = NULL;
  g_autoptr(GError) error = NULL;
  guint done = 0;
  gsize len, half;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  conn = prepare (db, &dir);
  folder = g_file_new_for_path (dir);
  path = g_build_filename (dir, "scan-0001.pdf", NULL);
  processed = g_build_filename (dir, "processed", NULL);
  rejected = g_build_filename (dir, "rejected", NULL);
  fax = rd_fax_synth_generate (51, 3);
  len = g_bytes_get_size (fax);
  half = len / 2;

  watcher = rd_inbox_watcher_new (conn, folder, "scan");
  rd_inbox_watcher_set_settle_time (watcher, 150);
  g_signal_connect (watcher, "file-done", G_CALLBACK (on_file_done), &done);
  rd_inbox_watcher_start (watcher, &error);
  g_assert_no_error (error);

  /* Half the file, then a pause of four settle times (well inside the
   * ten after which an incomplete file is given up). */
  write_part (path, fax, 0, half, FALSE);
  spin (600);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_files (processed, ".pdf") + count_files (rejected, ".pdf"), ==, 0);
  g_assert_cmpuint (done, ==, 0);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 0);
  g_assert_false (rd_inbox_watcher_is_idle (watcher));

  write_part (path, fax, half, len - half, TRUE);
  wait_settled (dir, 1);
  wait_done (&done, 1);
  g_assert_cmpuint (count_files (processed, ".pdf"), ==, 1);
  g_assert_cmpuint (count_files (rejected, ".pdf"), ==, 0);
  g_assert_cmpuint (done, ==, 1);
  /* The whole file was stored, with its three pages. */
  size_sql = g_strdup_printf ("SELECT count(*) FROM rd.document WHERE size_bytes = %" G_GSIZE_FORMAT
                              " AND pages = 3", len);
  g_assert_cmpint (fx_int (db->admin, size_sql, NULL), ==, 1);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 1);

  rd_inbox_watcher_stop (watcher);
  remove_tree (dir);
}

static void
wait_rejected (const char *dir,
               const char *suffix,
               guint       expected)
{
  g_autofree char *rejected = g_build_filename (dir, "rejected", NULL);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (count_files (rejected, suffix) < expected)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
      if (g_get_monotonic_time () > deadline)
        g_error ("the folder did not settle");
    }
}

/* A PDF cut off before its end, a linearized one cut after its first
 * page's section, and a TIFF cut off after its first page, that never get
 * finished: left alone for a while (the writer might come
 * back), then rejected with a reason; nothing is stored. */
static void
test_truncated_rejected (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *dir = NULL;
  g_autofree char *pdf_path = NULL;
  g_autofree char *tif_path = NULL;
  g_autofree char *lin_path = NULL;
  g_autofree char *lin_reason_path = NULL;
  g_autofree char *lin_reason = NULL;
  g_autofree char *pdf_reason_path = NULL;
  g_autofree char *tif_reason_path = NULL;
  g_autofree char *pdf_reason = NULL;
  g_autofree char *tif_reason = NULL;
  g_autofree char *rejected = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdInboxWatcher) watcher = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GBytes) fax = NULL;
  g_autoptr(GBytes) tiff = NULL;
  g_autoptr(GError) error = NULL;
  guint done = 0;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  conn = prepare (db, &dir);
  folder = g_file_new_for_path (dir);
  rejected = g_build_filename (dir, "rejected", NULL);
  pdf_path = g_build_filename (dir, "cut.pdf", NULL);
  tif_path = g_build_filename (dir, "cut.tif", NULL);
  fax = rd_fax_synth_generate (52, 2);
  tiff = make_fax_tiff ();
  write_part (pdf_path, fax, 0, g_bytes_get_size (fax) * 2 / 3, FALSE);
  write_part (tif_path, tiff, 0, g_bytes_get_size (tiff) / 2, FALSE);
  /* A linearized PDF cut just after its first page's section, which ends
   * with a %%EOF of its own: its /L says how long the whole file is. */
  {
    static const char lin[] = "%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"
                              "4 0 obj\n<< /Linearized 1 /L 48213 /H [ 620 140 ] /O 6 /E 41008 /N 2 /T 47790 >>\nendobj\n"
                              "xref\n4 1\n0000000015 00000 n \ntrailer\n<< /Size 12 /Root 5 0 R /Prev 47780 >>\n"
                              "startxref\n0\n%%EOF\n";
    g_autoptr(GBytes) cut = g_bytes_new_static (lin, sizeof lin - 1);

    lin_path = g_build_filename (dir, "cut-linearized.pdf", NULL);
    write_part (lin_path, cut, 0, sizeof lin - 1, FALSE);
  }

  watcher = rd_inbox_watcher_new (conn, folder, "fax");
  /* Given up after ten settle times: one second. */
  rd_inbox_watcher_set_settle_time (watcher, 100);
  g_signal_connect (watcher, "file-done", G_CALLBACK (on_file_done), &done);
  rd_inbox_watcher_start (watcher, &error);
  g_assert_no_error (error);

  /* Found incomplete at the earliest after two settle times, and kept for
   * ten more: nothing may have happened half a second in. */
  spin (500);
  g_assert_true (g_file_test (pdf_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (tif_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (lin_path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (done, ==, 0);

  wait_rejected (dir, ".pdf", 2);
  wait_rejected (dir, ".tif", 1);
  wait_done (&done, 3);
  g_assert_false (g_file_test (pdf_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (lin_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (tif_path, G_FILE_TEST_EXISTS));
  pdf_reason_path = g_build_filename (rejected, "cut.pdf.reason.txt", NULL);
  tif_reason_path = g_build_filename (rejected, "cut.tif.reason.txt", NULL);
  g_file_get_contents (pdf_reason_path, &pdf_reason, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (tif_reason_path, &tif_reason, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("reasons: %s%s", pdf_reason, tif_reason);
  g_assert_nonnull (strstr (pdf_reason, "not written completely"));
  g_assert_nonnull (strstr (tif_reason, "not written completely"));
  lin_reason_path = g_build_filename (rejected, "cut-linearized.pdf.reason.txt", NULL);
  g_file_get_contents (lin_reason_path, &lin_reason, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (lin_reason, "not written completely"));
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 0);

  rd_inbox_watcher_stop (watcher);
  remove_tree (dir);
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A file nobody announces (the monitor is off, as on a network share
 * written by other computers) is found by the periodic listing, and only
 * by it. The watcher is started the way the application starts it. */
static void
test_rescan (void)
{
  g_autoptr(FxDb) db = fx_db_new ();
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdInboxWatcher) watcher = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GBytes) fax = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *started = NULL;
  guint done = 0;

  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  conn = prepare (db, &dir);
  folder = g_file_new_for_path (dir);
  path = g_build_filename (dir, "share-0001.pdf", NULL);

  watcher = rd_inbox_watcher_new (conn, folder, "fax");
  g_assert_cmpuint (rd_inbox_watcher_get_rescan_seconds (watcher), ==, RD_INBOX_DEFAULT_RESCAN_SECONDS);
  g_object_set (watcher, "monitor", FALSE, "rescan-seconds", 0, NULL);
  rd_inbox_watcher_set_settle_time (watcher, 100);
  g_signal_connect (watcher, "file-done", G_CALLBACK (on_file_done), &done);
  rd_inbox_watcher_start_async (watcher, NULL, on_started, &started);
  while (started == NULL)
    g_main_context_iteration (NULL, TRUE);
  rd_inbox_watcher_start_finish (watcher, started, &error);
  g_clear_object (&started);
  g_assert_no_error (error);

  /* Neither announced nor listed: it waits. */
  fax = rd_fax_synth_generate (53, 1);
  drop (dir, "share-0001.pdf", fax);
  spin (1500);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (done, ==, 0);
  g_assert_true (rd_inbox_watcher_is_idle (watcher));

  /* Listed every second from now on: taken. */
  g_object_set (watcher, "rescan-seconds", 1, NULL);
  wait_settled (dir, 1);
  wait_done (&done, 1);
  g_assert_cmpuint (done, ==, 1);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 1);

  rd_inbox_watcher_stop (watcher);
  remove_tree (dir);
}

typedef struct {
  gint64 last;
  gint64 longest;
} Gap;

static gboolean
on_gap_tick (gpointer user_data)
{
  Gap *gap = user_data;
  gint64 now = g_get_monotonic_time ();

  if (gap->last != 0)
    gap->longest = MAX (gap->longest, now - gap->last);
  gap->last = now;
  return G_SOURCE_CONTINUE;
}

/* A large PDF: one page with an image of noise, which does not compress. */
static GBytes *
make_large_pdf (guint width,
                guint height)
{
  GByteArray *out = g_byte_array_new ();
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (on_pdf_bytes, out, 612, 792);
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) width, (int) height);
  guint32 *px = (guint32 *) (gpointer) cairo_image_surface_get_data (image);
  GRand *rand = g_rand_new_with_seed (7);
  cairo_t *cr = cairo_create (surface);

  cairo_surface_flush (image);
  for (gsize i = 0; i < (gsize) width * height; i++)
    px[i] = g_rand_int (rand) & 0xffffff;
  cairo_surface_mark_dirty (image);
  cairo_scale (cr, 612.0 / width, 792.0 / height);
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_paint (cr);
  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  cairo_surface_destroy (image);
  g_rand_free (rand);
  return g_byte_array_free_to_bytes (out);
}

/* How long the main loop is held while a large fax is taken, against what
 * reading it and opening it in Poppler on the main thread (as the watcher
 * once did) would hold it. Figures only: run with -m perf. */
static void
test_stall (void)
{
  g_autoptr(FxDb) db = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdInboxWatcher) watcher = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GBytes) big = NULL;
  g_autoptr(GError) error = NULL;
  Gap gap = { 0, 0 };
  guint done = 0;
  guint tick;
  gint64 t0, t_read, t_open, t_hash;

  if (!g_test_perf ())
    {
      g_test_skip ("a measurement: run with -m perf");
      return;
    }
  db = fx_db_new ();
  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  conn = prepare (db, &dir);
  folder = g_file_new_for_path (dir);
  path = g_build_filename (dir, "large.pdf", NULL);
  big = make_large_pdf (3600, 3600);
  g_test_message ("the file: %.1f MB", g_bytes_get_size (big) / 1e6);

  watcher = rd_inbox_watcher_new (conn, folder, "fax");
  rd_inbox_watcher_set_settle_time (watcher, 100);
  g_signal_connect (watcher, "file-done", G_CALLBACK (on_file_done), &done);
  rd_inbox_watcher_start (watcher, &error);
  g_assert_no_error (error);
  drop (dir, "large.pdf", big);

  tick = g_timeout_add (1, on_gap_tick, &gap);
  wait_settled (dir, 1);
  wait_done (&done, 1);
  g_source_remove (tick);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 1);

  /* What the main thread used to do with the same file, from the cache. */
  {
    g_autofree char *moved = g_build_filename (dir, "processed", "large.pdf", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (moved);
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(RdPdf) pdf = NULL;
    g_autofree char *sum = NULL;

    t0 = g_get_monotonic_time ();
    bytes = g_file_load_bytes (file, NULL, NULL, &error);
    g_assert_no_error (error);
    t_read = g_get_monotonic_time ();
    pdf = rd_pdf_new_from_bytes (bytes, NULL, &error);
    g_assert_no_error (error);
    t_open = g_get_monotonic_time ();
    sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
    t_hash = g_get_monotonic_time ();
  }
  g_test_message ("longest main-loop pause while the watcher took it and the store filed it: %.1f ms",
                  gap.longest / 1000.0);

  /* The watcher alone, with no filing: the same file cut short, read again
   * at each settle time until it is given up, moved, its reason written. */
  {
    g_autofree char *cut_path = g_build_filename (dir, "large-cut.pdf", NULL);

    write_part (cut_path, big, 0, g_bytes_get_size (big) - 4096, FALSE);
    gap.last = 0;
    gap.longest = 0;
    tick = g_timeout_add (1, on_gap_tick, &gap);
    wait_rejected (dir, ".pdf", 1);
    wait_done (&done, 2);
    g_source_remove (tick);
    g_test_message ("longest main-loop pause while the watcher read a cut-off copy ten times and rejected it: %.1f ms",
                    gap.longest / 1000.0);
  }
  g_test_message ("on the main thread, reading it would take %.1f ms and opening it in Poppler %.1f ms;"
                  " its sha256 (which the store computes on a worker) %.1f ms",
                  (t_read - t0) / 1000.0, (t_open - t_read) / 1000.0, (t_hash - t_open) / 1000.0);

  rd_inbox_watcher_stop (watcher);
  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/intake/watcher/same-fax-twice-and-broken", test_same_fax_twice_and_broken);
  g_test_add_func ("/intake/watcher/two-watchers", test_two_watchers);
  g_test_add_func ("/intake/watcher/tiff-kept-and-converted", test_tiff);
  g_test_add_func ("/intake/watcher/fax-metadata-read", test_fax_meta_read);
  g_test_add_func ("/intake/watcher/fax-metadata-kept", test_fax_metadata_kept);
  g_test_add_func ("/intake/watcher/admin-watch-inbox-once", test_admin_watch_once);
  g_test_add_func ("/intake/watcher/slow-writer-taken-when-complete", test_slow_writer);
  g_test_add_func ("/intake/watcher/truncated-rejected-after-a-while", test_truncated_rejected);
  g_test_add_func ("/intake/watcher/rescan-finds-unannounced-file", test_rescan);
  g_test_add_func ("/intake/watcher/main-loop-stall", test_stall);

  return g_test_run ();
}
