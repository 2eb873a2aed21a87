/* test-draft-crash.c — what was typed survives the application being killed
 *
 * The issue asks for it literally: kill the application mid-edit, and on
 * restart the draft is offered back. So nothing here shares memory with
 * the page that is killed. The test binary runs itself twice as a child
 * process, each a whole GTK application of its own under Xvfb on the same
 * real database and draft folder:
 *
 *  1. "--child-edit": opens a referral, types into a patient field and a
 *     referral field, chooses the receiving provider from the directory,
 *     waits until the local draft holding those values is on disk, says "ready" on its standard output (a pipe to the parent),
 *     types a little more and goes on running;
 *  2. the parent SIGKILLs it: no dispose, no exit handler, nothing flushed;
 *  3. "--child-restore": a fresh process opens the same referral, checks
 *     that the draft is offered (screenshot), that the form shows the stored
 *     values until the person restores, and that restoring brings the typed
 *     values back; it says "restored" and exits 0.
 *
 * The parent never initialises GTK; it makes the database and checks that
 * nothing reached it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "../store/schema-fixture.h"
#include "rd-connection.h"
#include "rd-draft-store.h"
#include "rd-model.h"
#include "rd-referral-page.h"
#include "rd-test-ui.h"

#define WAIT_MS 30000

#define TYPED_REASON "Typed before the kill: shortness of breath on exertion"
#define TYPED_PHONE  "(555) 201-4477"
#define TYPED_LATER  "Nephrology"

/* ------------------------------------------------------------------------ */
/* The children                                                              */
/* ------------------------------------------------------------------------ */

typedef struct {
  const char *dbname;
  const char *login;
  gint64      referral_id;
  const char *draft_dir;
} ChildArgs;

typedef struct {
  RdReferralPage *page;
  gint64          id;
} ReferralWait;

static gboolean
conn_ready (gpointer data)
{
  return rd_connection_get_state (data) == RD_CONNECTION_STATE_READY ||
         rd_connection_get_error (data) != NULL;
}

static gboolean
shows_referral (gpointer data)
{
  ReferralWait *w = data;
  RdReferral *r = rd_referral_page_get_referral (w->page);
  g_autofree char *family = rd_referral_page_get_field_text (w->page, "family_name");

  /* The referral and its patient are read. */
  return r != NULL && rd_referral_get_id (r) == w->id && !rd_referral_page_get_busy (w->page) &&
         *family != '\0';
}

static gboolean
has_receiving (gpointer page)
{
  return rd_referral_page_get_n_providers_for (page, "receiving") > 0;
}

static gboolean
draft_offered (gpointer page)
{
  return rd_referral_page_get_draft_offered (page);
}

typedef struct {
  char *path;
} DraftWait;

/* The draft file holds what was typed (not an earlier state of the form). */
static gboolean
draft_has_typed_values (gpointer data)
{
  DraftWait *w = data;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GVariant) draft = NULL;
  const char *reason = NULL;
  const char *phone = NULL;

  if (!g_file_get_contents (w->path, &contents, &length, NULL))
    return FALSE;
  draft = g_variant_new_from_data (G_VARIANT_TYPE_VARDICT, contents, length, FALSE, NULL, NULL);
  g_variant_ref_sink (draft);
  gint64 receiving = 0;

  return g_variant_lookup (draft, "reason", "&s", &reason) && g_strcmp0 (reason, TYPED_REASON) == 0 &&
         g_variant_lookup (draft, "phone_home", "&s", &phone) && g_strcmp0 (phone, TYPED_PHONE) == 0 &&
         g_variant_lookup (draft, "_receiving_id", "x", &receiving) && receiving > 0;
}

static RdReferralPage *
open_page (const ChildArgs  *args,
           RdConnection    **out_conn,
           RdDraftStore    **out_drafts,
           GtkWidget       **out_window)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (args->dbname, args->login);
  RdConnection *conn = rd_connection_new (conninfo);
  RdDraftStore *drafts = rd_draft_store_new (args->draft_dir);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page;
  ReferralWait rw;

  rd_connection_open_async (conn, NULL, NULL, NULL);
  g_assert_true (rd_test_ui_wait_until (conn_ready, conn, WAIT_MS));
  g_assert_cmpint (rd_connection_get_state (conn), ==, RD_CONNECTION_STATE_READY);

  page = rd_referral_page_new (conn);
  rd_referral_page_set_draft_store (RD_REFERRAL_PAGE (page), drafts);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1000);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rd_test_ui_wait_drawn (window, 10000));

  rw.page = RD_REFERRAL_PAGE (page);
  rw.id = args->referral_id;
  rd_referral_page_open_referral (rw.page, args->referral_id);
  g_assert_true (rd_test_ui_wait_until (shows_referral, &rw, WAIT_MS));

  *out_conn = conn;
  *out_drafts = drafts;
  *out_window = window;
  return rw.page;
}

static void
say (const char *word)
{
  /* The parent reads this line from the pipe. */
  g_print ("%s\n", word);
  fflush (stdout);
}

static int
child_edit (const ChildArgs *args)
{
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdDraftStore) drafts = NULL;
  GtkWidget *window = NULL;
  RdReferralPage *page;
  g_autofree char *name = NULL;
  DraftWait dw;

  page = open_page (args, &conn, &drafts, &window);
  rd_referral_page_set_field_text (page, "phone_home", TYPED_PHONE);
  rd_referral_page_set_field_text (page, "reason", TYPED_REASON);
  g_assert_true (rd_referral_page_get_dirty (page));
  /* A receiving provider chosen from the directory is part of the draft. */
  rd_referral_page_set_field_text (page, "receiving", "Okafor");
  g_assert_true (rd_test_ui_wait_until (has_receiving, page, WAIT_MS));
  g_assert_true (rd_referral_page_choose_provider_for (page, "receiving", 0));

  name = g_strconcat (rd_referral_page_get_draft_key (page), ".draft", NULL);
  dw.path = g_build_filename (args->draft_dir, name, NULL);
  g_assert_true (rd_test_ui_wait_until (draft_has_typed_values, &dw, WAIT_MS));
  g_free (dw.path);

  /* Mid-edit: one more change is still waiting for its draft when the
   * parent kills us. */
  rd_referral_page_set_field_text (page, "specialty", TYPED_LATER);
  say ("ready");
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 1;
}

static int
child_restore (const ChildArgs *args)
{
  g_autoptr(RdConnection) conn = NULL;
  g_autoptr(RdDraftStore) drafts = NULL;
  GtkWidget *window = NULL;
  RdReferralPage *page;
  g_autofree char *reason = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *receiving = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  page = open_page (args, &conn, &drafts, &window);
  g_assert_true (rd_test_ui_wait_until (draft_offered, page, WAIT_MS));
  rd_test_ui_wait_drawn (window, 5000);
  texture = rd_test_ui_screenshot (window, "draft-crash-offered-after-kill");
  g_assert_true (rd_test_ui_texture_has_content (texture));

  /* Offered, not applied: the form shows the referral as stored. */
  reason = rd_referral_page_get_field_text (page, "reason");
  g_assert_cmpstr (reason, !=, TYPED_REASON);
  g_clear_pointer (&reason, g_free);

  rd_referral_page_restore_draft (page);
  reason = rd_referral_page_get_field_text (page, "reason");
  phone = rd_referral_page_get_field_text (page, "phone_home");
  receiving = rd_referral_page_get_field_text (page, "receiving");
  g_assert_cmpstr (reason, ==, TYPED_REASON);
  g_assert_cmpstr (phone, ==, TYPED_PHONE);
  g_assert_cmpstr (receiving, ==, "Okafor, Grace");
  g_assert_cmpint (rd_referral_page_get_provider_id (page, "receiving"), >, 0);
  g_assert_false (rd_referral_page_get_draft_offered (page));
  g_assert_true (rd_referral_page_get_dirty (page));
  rd_test_ui_wait_drawn (window, 5000);
  g_clear_object (&texture);
  texture = rd_test_ui_screenshot (window, "draft-crash-restored");
  g_assert_true (rd_test_ui_texture_has_content (texture));

  say ("restored");
  gtk_window_destroy (GTK_WINDOW (window));
  rd_test_ui_spin (300);
  return 0;
}

static int
run_child (int   argc,
           char *argv[])
{
  ChildArgs args;

  if (argc != 6)
    {
      g_printerr ("usage: %s --child-edit|--child-restore DBNAME LOGIN REFERRAL DRAFT-DIR\n", argv[0]);
      return 2;
    }
  args.dbname = argv[2];
  args.login = argv[3];
  args.referral_id = g_ascii_strtoll (argv[4], NULL, 10);
  args.draft_dir = argv[5];

  rd_test_init_env ();
  if (!rd_test_ui_init ())
    {
      g_printerr ("child: no display\n");
      return 3;
    }
  return g_str_equal (argv[1], "--child-edit") ? child_edit (&args) : child_restore (&args);
}

/* ------------------------------------------------------------------------ */
/* The parent                                                                */
/* ------------------------------------------------------------------------ */

static char *self_path;

typedef struct {
  GPid pid;
  int  out;   /* the child's standard output */
} Child;

static Child
spawn_child (const char  *mode,
             FxDb        *db,
             const char  *login,
             const char  *referral_id,
             const char  *draft_dir)
{
  const char *argv[] = { self_path, mode, db->dbname, login, referral_id, draft_dir, NULL };
  g_autoptr(GError) error = NULL;
  Child child = { 0, -1 };

  /* stderr is inherited, so a failing child's assertion shows in the log. */
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &child.pid, NULL, &child.out, NULL, &error);
  g_assert_no_error (error);
  return child;
}

/* Reads the child's output until @word is on a line of its own, or the
 * child ends, or @timeout_ms pass. */
static gboolean
wait_for_word (Child      *child,
               const char *word,
               guint       timeout_ms)
{
  g_autoptr(GString) got = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autofree char *line = g_strconcat (word, "\n", NULL);

  while (strstr (got->str, line) == NULL)
    {
      struct pollfd pfd = { child->out, POLLIN, 0 };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      char buf[256];
      ssize_t n;

      if (left <= 0)
        return FALSE;
      if (poll (&pfd, 1, (int) left) <= 0)
        continue;
      n = read (child->out, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;   /* the child closed its output: it ended */
      g_string_append_len (got, buf, n);
    }
  return TRUE;
}

static int
reap (Child *child)
{
  int status = 0;

  while (waitpid (child->pid, &status, 0) < 0 && errno == EINTR)
    ;
  close (child->out);
  g_spawn_close_pid (child->pid);
  return status;
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *p = g_build_filename (path, entry, NULL);

      g_unlink (p);
    }
  g_rmdir (path);
}

static void
test_killed_mid_edit (void)
{
  g_autoptr(FxDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *referral_id = NULL;
  g_autofree char *draft_dir = NULL;
  g_autofree char *draft_path = NULL;
  g_autofree char *draft_name = NULL;
  Child child;
  int status;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("needs a display (run through ./dev env)");
      return;
    }
  db = fx_db_new ();
  if (db == NULL)
    {
      g_test_skip ("needs PostgreSQL (run through ./dev env)");
      return;
    }
  queue = fx_team (db, "Intake");
  alice = fx_staff (db, "Alice Adams", RD_STAFF_ROLE_SPECIALIST, "Intake");
  referral_id = fx_referral (db->admin, queue, "triage", "Wojciechowska");
  {
    g_autoptr(PGresult) res = fx_exec (db->admin, "INSERT INTO rd.provider (npi, name, specialty, fax)"
                                       " VALUES ('1588667638', 'Okafor, Grace', 'Endocrinology', '+15552016001')",
                                       NULL);
  }
  draft_dir = g_dir_make_tmp ("rd-draft-crash-XXXXXX", &error);
  g_assert_no_error (error);
  draft_name = g_strdup_printf ("referral-%s.draft", referral_id);
  draft_path = g_build_filename (draft_dir, draft_name, NULL);

  /* 1. Typing, until the draft is on disk; then killed mid-edit. */
  child = spawn_child ("--child-edit", db, alice, referral_id, draft_dir);
  if (!wait_for_word (&child, "ready", 90000))
    {
      kill (child.pid, SIGKILL);
      reap (&child);
      g_error ("the editing child did not get its draft to disk");
    }
  g_assert_cmpint (kill (child.pid, SIGKILL), ==, 0);
  status = reap (&child);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

  /* Nothing reached the database; the draft is there, for Alice only. */
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.referral WHERE id = $1::bigint AND reason IS NULL",
                           referral_id, NULL), ==, 1);
  g_assert_cmpint (fx_int (db->admin, "SELECT count(*) FROM rd.patient p JOIN rd.referral r ON r.patient_id = p.id"
                                      " WHERE r.id = $1::bigint AND p.phone_home IS NULL", referral_id, NULL), ==, 1);
  g_assert_true (g_file_test (draft_path, G_FILE_TEST_IS_REGULAR));
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (draft_path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }

  /* 2. A new process opens the same referral and gets it all back. */
  child = spawn_child ("--child-restore", db, alice, referral_id, draft_dir);
  g_assert_true (wait_for_word (&child, "restored", 90000));
  status = reap (&child);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  remove_dir (draft_dir);
}

int
main (int   argc,
      char *argv[])
{
  if (argc >= 2 && (g_str_equal (argv[1], "--child-edit") || g_str_equal (argv[1], "--child-restore")))
    return run_child (argc, argv);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path == NULL)
    self_path = g_canonicalize_filename (argv[0], NULL);

  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/ui/draft-crash/killed-mid-edit", test_killed_mid_edit);

  return g_test_run ();
}
