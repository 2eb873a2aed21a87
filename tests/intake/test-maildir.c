/* test-maildir.c — `referral-desk-admin import MAILDIR`: every message of
 * new/ and cur/ imported like an .eml, tmp/ left alone, the mailbox not
 * changed, and a second run recognising every document
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "rd-fax-synth.h"
#include "rd-intake-folder.h"
#include "schema-fixture.h"

/* An e-mail with one PDF attachment, as a mail server delivers it. */
static char *
mail_with_pdf (const char *message_id,
               guint       seed)
{
  g_autoptr(GBytes) pdf = rd_fax_synth_generate (seed, 1);
  g_autofree char *encoded = g_base64_encode (g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf));
  g_autoptr(GString) wrapped = g_string_new (NULL);

  gsize length = strlen (encoded);

  for (gsize i = 0; i < length; i += 76)
    {
      g_string_append_len (wrapped, encoded + i, MIN (76, length - i));
      g_string_append (wrapped, "\r\n");
    }

  return g_strdup_printf ("From: Referrals <referrals@north.example>\r\n"
                          "To: intake@desk.example\r\n"
                          "Subject: Referral %s\r\n"
                          "Date: Sat, 10 Jan 2026 09:30:00 +0000\r\n"
                          "Message-ID: <%s@north.example>\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n"
                          "\r\n"
                          "--XYZ\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "\r\n"
                          "Please see the attached referral.\r\n"
                          "--XYZ\r\n"
                          "Content-Type: application/pdf; name=\"referral.pdf\"\r\n"
                          "Content-Disposition: attachment; filename=\"referral.pdf\"\r\n"
                          "Content-Transfer-Encoding: base64\r\n"
                          "\r\n"
                          "%s"
                          "--XYZ--\r\n",
                          message_id, message_id, wrapped->str);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Every file below @dir with its size and modification time: what must not
 * change. */
static char *
snapshot (const char *dir)
{
  GString *out = g_string_new (NULL);
  const char *subs[] = { "cur", "new", "tmp" };

  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      g_autofree char *sub = g_build_filename (dir, subs[i], NULL);
      g_autoptr(GDir) d = g_dir_open (sub, 0, NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      g_assert_nonnull (d);
      while ((name = g_dir_read_name (d)) != NULL)
        g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_strings);
      for (guint j = 0; j < names->len; j++)
        {
          g_autofree char *path = g_build_filename (sub, g_ptr_array_index (names, j), NULL);
          GStatBuf st;

          g_assert_cmpint (g_stat (path, &st), ==, 0);
          g_string_append_printf (out, "%s/%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", subs[i],
                                  (char *) g_ptr_array_index (names, j), (gint64) st.st_size,
                                  (gint64) st.st_mtime);
        }
    }
  return g_string_free (out, FALSE);
}

static char *
run_import (const char *db_arg,
            const char *target,
            int        *out_status)
{
  const char *argv[] = { RD_ADMIN_EXE, "import", db_arg, target, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  *out_status = WEXITSTATUS (wait_status);
  g_test_message ("import said: %s%s", out, err);
  return out;
}

static guint
count_lines (const char *text,
             const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static char *
make_maildir (void)
{
  g_autoptr(GError) error = NULL;
  char *root = g_dir_make_tmp ("rd-maildir-XXXXXX", &error);
  const char *subs[] = { "cur", "new", "tmp" };
  g_autofree char *new_dir = NULL;
  g_autofree char *cur_dir = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *m1 = mail_with_pdf ("m1", 101);
  g_autofree char *m2 = mail_with_pdf ("m2", 102);
  g_autofree char *m3 = mail_with_pdf ("m3", 103);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      g_autofree char *sub = g_build_filename (root, subs[i], NULL);
      g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
    }
  new_dir = g_build_filename (root, "new", NULL);
  cur_dir = g_build_filename (root, "cur", NULL);
  tmp_dir = g_build_filename (root, "tmp", NULL);
  write_file (new_dir, "1768037400.M1P100.desk", m1);
  write_file (cur_dir, "1768037300.M2P100.desk:2,S", m2);
  /* Still being delivered: not imported. */
  write_file (tmp_dir, "1768037500.M3P100.desk", m3);
  /* A mail client's index file. */
  write_file (cur_dir, ".index", "not a message");
  return root;
}

static void
remove_maildir (const char *root)
{
  const char *subs[] = { "cur", "new", "tmp" };

  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      g_autofree char *sub = g_build_filename (root, subs[i], NULL);
      g_autoptr(GDir) d = g_dir_open (sub, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (sub, name, NULL);
          g_unlink (path);
        }
      g_rmdir (sub);
    }
  g_rmdir (root);
}

static void
test_list (void)
{
  g_autofree char *root = make_maildir ();
  g_autoptr(GFile) folder = g_file_new_for_path (root);
  g_autoptr(GFile) plain = NULL;
  g_autoptr(GListModel) files = NULL;
  g_autoptr(GError) error = NULL;
  gboolean maildir = FALSE;

  g_assert_true (rd_intake_folder_is_maildir (folder));
  files = rd_intake_list_folder (folder, &maildir, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (maildir);
  /* new/ and cur/, in name (delivery) order; not tmp/, not the hidden file. */
  g_assert_cmpuint (g_list_model_get_n_items (files), ==, 2);
  {
    g_autoptr(GFile) first = g_list_model_get_item (files, 0);
    g_autoptr(GFile) second = g_list_model_get_item (files, 1);
    g_autofree char *a = g_file_get_basename (first);
    g_autofree char *b = g_file_get_basename (second);

    g_assert_cmpstr (a, ==, "1768037300.M2P100.desk:2,S");
    g_assert_cmpstr (b, ==, "1768037400.M1P100.desk");
  }

  /* A plain folder (here: new/) is its regular files. */
  plain = g_file_get_child (folder, "new");
  g_assert_false (rd_intake_folder_is_maildir (plain));
  g_clear_object (&files);
  files = rd_intake_list_folder (plain, &maildir, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (maildir);
  g_assert_cmpuint (g_list_model_get_n_items (files), ==, 1);
  remove_maildir (root);
}

static void
test_import_twice (void)
{
  g_autoptr(FxDb) db = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *db_arg = NULL;
  g_autofree char *root = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  int status = -1;

  db = fx_db_new ();
  if (db == NULL)
    {
      g_test_skip ("no PostgreSQL server (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  conninfo = rd_test_pg_conninfo (db->dbname, NULL);
  db_arg = g_strconcat ("--db=", conninfo, NULL);
  root = make_maildir ();
  before = snapshot (root);

  first = run_import (db_arg, root, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (count_lines (first, ": imported"), ==, 2);
  g_assert_cmpuint (count_lines (first, "/new/1768037400.M1P100.desk: imported"), ==, 1);
  g_assert_cmpuint (count_lines (first, "/cur/1768037300.M2P100.desk:2,S: imported"), ==, 1);
  g_assert_null (strstr (first, "1768037500"));
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document WHERE media_type = 'application/pdf'"
                                      " AND received_via = 'email'", NULL), ==, 2);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 2);

  second = run_import (db_arg, root, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (count_lines (second, ": duplicate"), ==, 2);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.document", NULL), ==, 2);

  /* The mailbox is as it was: nothing moved, renamed or flagged. */
  after = snapshot (root);
  g_assert_cmpstr (after, ==, before);
  remove_maildir (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/intake/maildir/list", test_list);
  g_test_add_func ("/intake/maildir/import-twice", test_import_twice);

  return g_test_run ();
}
