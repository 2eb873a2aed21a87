/* rd-local-cluster.c — create, start, share and stop the private PostgreSQL cluster
 *
 * Layout. As an ordinary user the cluster lives in
 * `$XDG_DATA_HOME/referral-desk/db` and listens only on a unix socket in
 * `$XDG_RUNTIME_DIR/referral-desk` (no TCP: `listen_addresses=''`). The port
 * is fixed and only names the socket file. The current user is the cluster's
 * superuser and signs in by peer authentication: no password exists.
 *
 * As root (CI, containers) PostgreSQL refuses to run, so its programs run as the
 * `postgres` system account through `runuser`. That account must reach the
 * directories: the base directory is `$XDG_DATA_HOME/referral-desk` when every
 * existing parent is searchable by others, otherwise `/var/tmp/referral-desk-0`
 * (root's home is mode 700; `RD_LOCAL_CLUSTER_FALLBACK_DIR` moves that fallback,
 * for tests). The base belongs to root (mode 711); `db` (data) and
 * `run` (the socket; root's runtime directory is closed to `postgres`) belong to
 * `postgres`, mode 700. The superuser role is still named after the current user
 * (`root`), so peer authentication maps root to it. Which of the two places is
 * used is known only once start has looked at the disk (in its worker), so a
 * saved profile of this cluster is recognised by either socket directory
 * (rd_local_cluster_is_own_host()), and the socket directory of a profile made
 * before start must be taken again after it.
 *
 * Sharing. Each RdLocalCluster that started or joined the server holds an
 * exclusive flock() on its own file in `<base>/clients`. Stopping removes that
 * file and stops the server only when no other file is still locked: the last
 * Referral Desk instance to leave stops the server, whichever one started it. A
 * crashed instance's lock goes away with its process, so it never keeps the
 * server up; the server itself keeps running after such a crash until the next
 * instance joins it and, in turn, leaves. A start that fails after it started
 * the server (say, the schema is newer than this build) stops it again unless
 * another instance uses it. `<base>/lock` serialises starting and stopping
 * between instances.
 *
 * Crashes. A `postmaster.pid` whose process is gone is handled by PostgreSQL
 * itself. One whose PID now belongs to some other process (PIDs are reused,
 * often in containers) makes PostgreSQL refuse to start; we recognise our own
 * postmaster by its working directory (it chdir()s into the data directory) and
 * remove the lock files of any other.
 *
 * All blocking work (subprocesses, file locks, libpq) runs in a GTask worker
 * thread; results are applied to the object on the caller's main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "rd-init-db.h"
#include "rd-local-cluster.h"

#define SERVICE_ACCOUNT "postgres"
#define START_TIMEOUT_S 120
#define READY_TIMEOUT_US (60 * G_USEC_PER_SEC)

struct _RdLocalCluster
{
  GObject   parent_instance;

  /* Set at construction (nullable: computed at start) or resolved by start. */
  char     *data_dir;
  char     *socket_dir;
  char     *bindir;
  char     *base_dir;
  char     *user;
  guint     port;
  /* As root, where start moves the socket when the base is closed to postgres. */
  char     *fallback_socket_dir;

  /* Our share of the running server (see "Sharing" above). */
  int       client_fd;
  char     *client_path;

  guint     running : 1;
  guint     data_dir_explicit : 1;
  guint     socket_dir_explicit : 1;
};

G_DEFINE_FINAL_TYPE (RdLocalCluster, rd_local_cluster, G_TYPE_OBJECT)

G_DEFINE_QUARK (rd-local-cluster-error-quark, rd_local_cluster_error)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_SOCKET_DIR,
  PROP_BINDIR,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What a worker needs and finds: a copy, so the thread never touches the object. */
typedef struct
{
  char     *data_dir;
  char     *socket_dir;
  char     *base_dir;
  char     *bindir;        /* explicit: only this one is tried */
  char     *user;
  guint     port;
  gboolean  data_dir_explicit;
  gboolean  socket_dir_explicit;
  gboolean  as_root;
  uid_t     service_uid;
  gid_t     service_gid;

  char     *found_bindir;
  char     *runuser;
  int       lock_fd;

  /* Our client registration: handed to the worker of stop, back from start. */
  int       client_fd;
  char     *client_path;

  RdLocalClusterStartResult result;
  gboolean  stopped;
} Job;

static void
job_free (Job *job)
{
  if (job->lock_fd >= 0)
    close (job->lock_fd);
  if (job->client_fd >= 0)
    close (job->client_fd);
  g_free (job->data_dir);
  g_free (job->socket_dir);
  g_free (job->base_dir);
  g_free (job->bindir);
  g_free (job->user);
  g_free (job->found_bindir);
  g_free (job->runuser);
  g_free (job->client_path);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

static void
release_client (int  *fd,
                char **path)
{
  if (*path != NULL)
    g_unlink (*path);
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
  g_clear_pointer (path, g_free);
}

static void
rd_local_cluster_dispose (GObject *object)
{
  RdLocalCluster *self = (RdLocalCluster *) object;

  /* Leaving without stop: our share ends here, and the last instance to stop
   * will find the server unused. */
  release_client (&self->client_fd, &self->client_path);

  G_OBJECT_CLASS (rd_local_cluster_parent_class)->dispose (object);
}

static void
rd_local_cluster_finalize (GObject *object)
{
  RdLocalCluster *self = (RdLocalCluster *) object;

  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->socket_dir, g_free);
  g_clear_pointer (&self->bindir, g_free);
  g_clear_pointer (&self->base_dir, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->fallback_socket_dir, g_free);

  G_OBJECT_CLASS (rd_local_cluster_parent_class)->finalize (object);
}

static void
rd_local_cluster_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RdLocalCluster *self = RD_LOCAL_CLUSTER (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_SOCKET_DIR:
      g_value_set_string (value, self->socket_dir);
      break;
    case PROP_BINDIR:
      g_value_set_string (value, self->bindir);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_local_cluster_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RdLocalCluster *self = RD_LOCAL_CLUSTER (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      self->data_dir_explicit = self->data_dir != NULL;
      break;
    case PROP_SOCKET_DIR:
      self->socket_dir = g_value_dup_string (value);
      self->socket_dir_explicit = self->socket_dir != NULL;
      break;
    case PROP_BINDIR:
      self->bindir = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Where root's cluster goes when the preferred base is closed to postgres. */
static char *
fallback_base_dir (void)
{
  const char *env = g_getenv ("RD_LOCAL_CLUSTER_FALLBACK_DIR");

  if (env != NULL && g_path_is_absolute (env))
    return g_strdup (env);
  return g_strdup_printf ("/var/tmp/referral-desk-%u", (guint) geteuid ());
}

static void
rd_local_cluster_constructed (GObject *object)
{
  RdLocalCluster *self = (RdLocalCluster *) object;

  G_OBJECT_CLASS (rd_local_cluster_parent_class)->constructed (object);

  /* The preferred places; as root, start may move them (see the top of the file). */
  if (self->data_dir == NULL)
    self->data_dir = g_build_filename (g_get_user_data_dir (), "referral-desk", "db", NULL);
  self->base_dir = g_path_get_dirname (self->data_dir);
  if (self->socket_dir == NULL)
    {
      if (geteuid () == 0)
        self->socket_dir = g_build_filename (self->base_dir, "run", NULL);
      else
        self->socket_dir = g_build_filename (g_get_user_runtime_dir (), "referral-desk", NULL);
    }
  if (geteuid () == 0 && !self->data_dir_explicit && !self->socket_dir_explicit)
    {
      g_autofree char *fallback = fallback_base_dir ();

      self->fallback_socket_dir = g_build_filename (fallback, "run", NULL);
    }
}

static void
rd_local_cluster_class_init (RdLocalClusterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_local_cluster_dispose;
  object_class->finalize = rd_local_cluster_finalize;
  object_class->get_property = rd_local_cluster_get_property;
  object_class->set_property = rd_local_cluster_set_property;
  object_class->constructed = rd_local_cluster_constructed;

  /**
   * RdLocalCluster:data-dir:
   *
   * The cluster's data directory; %NULL at construction for the default.
   */
  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RdLocalCluster:socket-dir:
   *
   * The directory of the server's unix socket; %NULL at construction for the default.
   */
  properties[PROP_SOCKET_DIR] =
    g_param_spec_string ("socket-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RdLocalCluster:bindir:
   *
   * Where initdb, pg_ctl and postgres are. %NULL searches the build's
   * `pg_bindir`, `pg_config --bindir` and `/usr/lib/postgresql/<version>/bin`;
   * a value given here is the only place looked at.
   */
  properties[PROP_BINDIR] =
    g_param_spec_string ("bindir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RdLocalCluster:running:
   *
   * Whether this object started or joined the server and has not stopped since.
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_local_cluster_init (RdLocalCluster *self)
{
  self->client_fd = -1;
  self->port = RD_LOCAL_CLUSTER_PORT;
  self->user = g_strdup (g_get_user_name ());
}

/**
 * rd_local_cluster_new:
 *
 * The cluster of the current user, in the default place. Nothing happens on
 * disk until rd_local_cluster_start_async().
 *
 * Returns: (transfer full): a new local cluster
 */
RdLocalCluster *
rd_local_cluster_new (void)
{
  return g_object_new (RD_TYPE_LOCAL_CLUSTER, NULL);
}

/**
 * rd_local_cluster_get_data_dir:
 * @self: a local cluster
 *
 * Returns: the data directory (final once a start has finished)
 */
const char *
rd_local_cluster_get_data_dir (RdLocalCluster *self)
{
  g_return_val_if_fail (RD_IS_LOCAL_CLUSTER (self), NULL);
  return self->data_dir;
}

/**
 * rd_local_cluster_get_socket_dir:
 * @self: a local cluster
 *
 * Returns: the socket directory (final once a start has finished)
 */
const char *
rd_local_cluster_get_socket_dir (RdLocalCluster *self)
{
  g_return_val_if_fail (RD_IS_LOCAL_CLUSTER (self), NULL);
  return self->socket_dir;
}

/**
 * rd_local_cluster_get_port:
 * @self: a local cluster
 *
 * Returns: the port, which only names the socket file (there is no TCP)
 */
guint
rd_local_cluster_get_port (RdLocalCluster *self)
{
  g_return_val_if_fail (RD_IS_LOCAL_CLUSTER (self), 0);
  return self->port;
}

/**
 * rd_local_cluster_get_user:
 * @self: a local cluster
 *
 * Returns: the database role of the current user (named like the system user)
 */
const char *
rd_local_cluster_get_user (RdLocalCluster *self)
{
  g_return_val_if_fail (RD_IS_LOCAL_CLUSTER (self), NULL);
  return self->user;
}

/**
 * rd_local_cluster_get_running:
 * @self: a local cluster
 *
 * Returns: whether this object started or joined the server and has not
 *   stopped since
 */
gboolean
rd_local_cluster_get_running (RdLocalCluster *self)
{
  g_return_val_if_fail (RD_IS_LOCAL_CLUSTER (self), FALSE);
  return self->running;
}

/**
 * rd_local_cluster_dup_profile:
 * @self: a local cluster
 *
 * Returns: (transfer full): a profile for the Referral Desk database of this cluster
 */
RdProfile *
rd_local_cluster_dup_profile (RdLocalCluster *self)
{
  const char *hosts[] = { NULL, NULL };
  RdProfile *profile;

  g_return_val_if_fail (RD_IS_LOCAL_CLUSTER (self), NULL);

  hosts[0] = self->socket_dir;
  profile = rd_profile_new (_("This computer"));
  rd_profile_set_hosts (profile, hosts);
  rd_profile_set_port (profile, self->port);
  rd_profile_set_database (profile, RD_LOCAL_CLUSTER_DATABASE);
  rd_profile_set_user (profile, self->user);
  return profile;
}

/**
 * rd_local_cluster_is_own_host:
 * @self: a local cluster
 * @host: the first host of a saved profile
 *
 * Recognises a profile made for this cluster, also before start has decided
 * where the socket is: as root the socket is either below the data
 * directory's base or, when that is closed to the `postgres` account, in the
 * fallback folder. Looks at no file.
 *
 * Returns: %TRUE when @host is where this cluster listens or may listen
 */
gboolean
rd_local_cluster_is_own_host (RdLocalCluster *self,
                              const char     *host)
{
  g_return_val_if_fail (RD_IS_LOCAL_CLUSTER (self), FALSE);

  if (host == NULL)
    return FALSE;
  return g_strcmp0 (host, self->socket_dir) == 0
         || g_strcmp0 (host, self->fallback_socket_dir) == 0;
}

static char *
make_conninfo (const char *socket_dir,
               guint       port,
               const char *dbname,
               const char *user)
{
  GString *conninfo = g_string_new (NULL);
  g_autofree char *port_str = g_strdup_printf ("%u", port);

  rd_conninfo_append (conninfo, "host", socket_dir);
  rd_conninfo_append (conninfo, "port", port_str);
  rd_conninfo_append (conninfo, "dbname", dbname);
  rd_conninfo_append (conninfo, "user", user);
  rd_conninfo_append (conninfo, "connect_timeout", "10");
  rd_conninfo_append (conninfo, "application_name", "referral-desk");
  return g_string_free (conninfo, FALSE);
}

/**
 * rd_local_cluster_get_conninfo:
 * @self: a local cluster
 *
 * The connection goes through the unix socket with peer authentication, so it
 * carries no password.
 *
 * Returns: (transfer full): a libpq conninfo for the `referral_desk` database
 */
char *
rd_local_cluster_get_conninfo (RdLocalCluster *self)
{
  g_return_val_if_fail (RD_IS_LOCAL_CLUSTER (self), NULL);
  return make_conninfo (self->socket_dir, self->port, RD_LOCAL_CLUSTER_DATABASE, self->user);
}

/* ------------------------------------------------------------------------ */
/* Worker helpers                                                            */
/* ------------------------------------------------------------------------ */

static Job *
job_new (RdLocalCluster *self)
{
  Job *job = g_new0 (Job, 1);

  job->data_dir = g_strdup (self->data_dir);
  job->socket_dir = g_strdup (self->socket_dir);
  job->base_dir = g_strdup (self->base_dir);
  job->bindir = g_strdup (self->bindir);
  job->user = g_strdup (self->user);
  job->port = self->port;
  job->data_dir_explicit = self->data_dir_explicit;
  job->socket_dir_explicit = self->socket_dir_explicit;
  job->as_root = geteuid () == 0;
  job->lock_fd = -1;
  job->client_fd = -1;
  return job;
}

static char *
last_line (const char *output)
{
  g_auto(GStrv) lines = NULL;

  if (output == NULL)
    return g_strdup ("");

  lines = g_strsplit (output, "\n", -1);
  for (int i = (int) g_strv_length (lines) - 1; i >= 0; i--)
    {
      g_strstrip (lines[i]);
      if (*lines[i] != '\0')
        return g_strdup (lines[i]);
    }

  return g_strdup ("");
}

static gboolean
has_server_programs (const char *dir)
{
  static const char *programs[] = { "initdb", "pg_ctl", "postgres" };

  if (dir == NULL || *dir == '\0')
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *path = g_build_filename (dir, programs[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return FALSE;
    }

  return TRUE;
}

/* Newest PostgreSQL first: the directory names are major versions. */
static int
compare_versions_desc (gconstpointer a,
                       gconstpointer b)
{
  guint64 va = g_ascii_strtoull (*(char * const *) a, NULL, 10);
  guint64 vb = g_ascii_strtoull (*(char * const *) b, NULL, 10);

  return va < vb ? 1 : va > vb ? -1 : 0;
}

static gboolean
find_bindir (Job           *job,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;

  if (job->bindir != NULL)
    {
      g_ptr_array_add (candidates, g_strdup (job->bindir));
    }
  else
    {
      g_autofree char *pg_config = g_find_program_in_path ("pg_config");
      g_autoptr(GPtrArray) versions = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (candidates, g_strdup (PG_BINDIR));

      if (pg_config != NULL)
        {
          g_autoptr(GSubprocess) proc = NULL;
          g_autofree char *out = NULL;

          proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                   | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                   NULL, pg_config, "--bindir", NULL);
          if (proc != NULL
              && g_subprocess_communicate_utf8 (proc, NULL, cancellable, &out, NULL, NULL)
              && g_subprocess_get_successful (proc) && out != NULL)
            g_ptr_array_add (candidates, g_strdup (g_strstrip (out)));
        }

      dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
      for (const char *name; dir != NULL && (name = g_dir_read_name (dir)) != NULL;)
        g_ptr_array_add (versions, g_strdup (name));
      g_ptr_array_sort (versions, compare_versions_desc);
      for (guint i = 0; i < versions->len; i++)
        g_ptr_array_add (candidates, g_build_filename ("/usr/lib/postgresql",
                                                       g_ptr_array_index (versions, i),
                                                       "bin", NULL));
    }

  for (guint i = 0; i < candidates->len; i++)
    {
      const char *candidate = g_ptr_array_index (candidates, i);

      if (has_server_programs (candidate))
        {
          job->found_bindir = g_strdup (candidate);
          return TRUE;
        }
    }

  g_set_error_literal (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_SERVER_MISSING,
                       _("The PostgreSQL server is not installed, so the database on this "
                         "computer cannot start. Install the “postgresql” package (for "
                         "example: sudo apt install postgresql) and try again."));
  return FALSE;
}

static gboolean
find_service_account (Job     *job,
                      GError **error)
{
  struct passwd pw_buf;
  struct passwd *pw = NULL;
  char buf[4096];

  if (!job->as_root)
    return TRUE;

  /* In a worker thread: the reentrant variant. */
  if (getpwnam_r (SERVICE_ACCOUNT, &pw_buf, buf, sizeof buf, &pw) != 0 || pw == NULL)
    {
      g_set_error_literal (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_NO_SERVICE_ACCOUNT,
                           _("Referral Desk runs as root, and PostgreSQL refuses to run as "
                             "root. It runs the database as the “postgres” system account, "
                             "which is missing. Install the “postgresql” package, which "
                             "creates it, or run Referral Desk as an ordinary user."));
      return FALSE;
    }
  job->service_uid = pw->pw_uid;
  job->service_gid = pw->pw_gid;

  job->runuser = g_find_program_in_path ("runuser");
  if (job->runuser == NULL && g_file_test ("/usr/sbin/runuser", G_FILE_TEST_IS_EXECUTABLE))
    job->runuser = g_strdup ("/usr/sbin/runuser");
  if (job->runuser == NULL && g_file_test ("/sbin/runuser", G_FILE_TEST_IS_EXECUTABLE))
    job->runuser = g_strdup ("/sbin/runuser");
  if (job->runuser == NULL)
    {
      g_set_error_literal (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_NO_SERVICE_ACCOUNT,
                           _("Referral Desk runs as root and needs the “runuser” program to "
                             "start the database as the “postgres” account. Install the "
                             "“util-linux” package, or run Referral Desk as an ordinary user."));
      return FALSE;
    }

  return TRUE;
}

/* Runs a PostgreSQL program (as the service account when we are root) and
 * returns its exit status, with stdout and stderr merged into @out_output. */
/* Settings from the caller's environment must not redirect the programs. */
static const char * const pg_env[] = { "PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE" };

static gboolean
run_pg_program (Job           *job,
                const char    *program,
                const char   **args,
                GCancellable  *cancellable,
                int           *out_status,
                char         **out_output,
                GError       **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *output = NULL;

  if (job->as_root)
    {
      g_ptr_array_add (argv, g_strdup (job->runuser));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup (SERVICE_ACCOUNT));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_build_filename (job->found_bindir, program, NULL));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  /* The service account may not be allowed into our working directory. */
  g_subprocess_launcher_set_cwd (launcher, "/");
  for (guint i = 0; i < G_N_ELEMENTS (pg_env); i++)
    g_subprocess_launcher_unsetenv (launcher, pg_env[i]);

  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (proc == NULL)
    return FALSE;

  if (!g_subprocess_communicate_utf8 (proc, NULL, cancellable, &output, NULL, error))
    {
      g_subprocess_force_exit (proc);
      return FALSE;
    }

  *out_status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  if (out_output != NULL)
    *out_output = g_steal_pointer (&output);
  return TRUE;
}

/* Every existing ancestor of @path must let others search it, or the service
 * account cannot reach what we create below. */
static gboolean
reachable_by_others (const char *path)
{
  g_autofree char *dir = g_strdup (path);

  for (;;)
    {
      struct stat st;
      g_autofree char *parent = NULL;

      if (g_stat (dir, &st) == 0 && (!S_ISDIR (st.st_mode) || (st.st_mode & S_IXOTH) == 0))
        return FALSE;

      parent = g_path_get_dirname (dir);
      if (strcmp (parent, dir) == 0)
        return TRUE;
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }
}

static gboolean
check_safe_dir (const char  *path,
                uid_t        owner,
                GError     **error)
{
  struct stat st;

  if (g_lstat (path, &st) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_DIRECTORY,
                   _("The folder “%s” could not be created: %s."),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  if (!S_ISDIR (st.st_mode) || st.st_uid != owner || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_DIRECTORY,
                   _("The folder “%s” is not safe for the database: it must be a folder that "
                     "belongs to its user and that nobody else can write to. Remove it and "
                     "try again."), path);
      return FALSE;
    }

  return TRUE;
}

/* Creates @path (and, mode 700/711, its missing parents) and checks that it
 * belongs to @owner; as root, a directory for the service account is handed over. */
static gboolean
make_dir (Job         *job,
          const char  *path,
          int          mode,
          gboolean     for_service,
          GError     **error)
{
  uid_t owner = for_service ? job->service_uid : geteuid ();

  if (g_mkdir_with_parents (path, job->as_root ? 0711 : 0700) != 0 && errno != EEXIST)
    {
      int saved_errno = errno;
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_DIRECTORY,
                   _("The folder “%s” could not be created: %s."),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  if (for_service)
    {
      struct stat st;

      if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode) && st.st_uid == geteuid ()
          && lchown (path, job->service_uid, job->service_gid) != 0)
        {
          int saved_errno = errno;
          g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_DIRECTORY,
                       _("The folder “%s” could not be given to the postgres account: %s."),
                       path, g_strerror (saved_errno));
          return FALSE;
        }
    }

  if (!check_safe_dir (path, owner, error))
    return FALSE;

  if (g_chmod (path, mode) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_DIRECTORY,
                   _("The permissions of the folder “%s” could not be set: %s."),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
prepare_layout (Job     *job,
                GError **error)
{
  g_autofree char *lock_path = NULL;

  if (job->as_root && !job->data_dir_explicit && !reachable_by_others (job->base_dir))
    {
      g_autofree char *fallback = fallback_base_dir ();

      g_debug ("Local cluster: %s is closed to the postgres account, using %s",
               job->base_dir, fallback);
      g_free (job->base_dir);
      job->base_dir = g_steal_pointer (&fallback);
      g_free (job->data_dir);
      job->data_dir = g_build_filename (job->base_dir, "db", NULL);
      if (!job->socket_dir_explicit)
        {
          g_free (job->socket_dir);
          job->socket_dir = g_build_filename (job->base_dir, "run", NULL);
        }
    }

  /* The socket path must fit in sockaddr_un. */
  if (strlen (job->socket_dir) + strlen ("/.s.PGSQL.65535")
      >= sizeof (((struct sockaddr_un *) NULL)->sun_path))
    {
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_DIRECTORY,
                   _("The folder “%s” has too long a path for the database’s socket. "
                     "Choose a shorter runtime folder (XDG_RUNTIME_DIR)."), job->socket_dir);
      return FALSE;
    }

  if (!make_dir (job, job->base_dir, job->as_root ? 0711 : 0700, FALSE, error))
    return FALSE;

  if (job->as_root && !make_dir (job, job->data_dir, 0700, TRUE, error))
    return FALSE;

  if (!make_dir (job, job->socket_dir, 0700, job->as_root, error))
    return FALSE;

  lock_path = g_build_filename (job->base_dir, "lock", NULL);
  job->lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (job->lock_fd < 0 || flock (job->lock_fd, LOCK_EX) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_DIRECTORY,
                   _("The lock file “%s” could not be used: %s."), lock_path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  int    pid;
  guint  port;
  char  *socket_dir;
} PidFile;

static void
pid_file_clear (PidFile *pf)
{
  g_clear_pointer (&pf->socket_dir, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PidFile, pid_file_clear)

/* postmaster.pid: PID, data directory, start time, port, socket directory, … */
static gboolean
read_pid_file (const char *data_dir,
               PidFile    *pf)
{
  g_autofree char *path = g_build_filename (data_dir, "postmaster.pid", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  pf->pid = n > 0 ? atoi (lines[0]) : 0;
  pf->port = n > 3 ? (guint) atoi (lines[3]) : 0;
  pf->socket_dir = n > 4 && *g_strstrip (lines[4]) != '\0' ? g_strdup (lines[4]) : NULL;
  return pf->pid > 0;
}

/* The postmaster runs with the data directory as its working directory. */
static gboolean
is_our_postmaster (int         pid,
                   const char *data_dir)
{
  g_autofree char *proc_cwd = g_strdup_printf ("/proc/%d/cwd", pid);
  g_autofree char *cwd = NULL;
  char real_data_dir[PATH_MAX];

  if (kill (pid, 0) != 0 && errno == ESRCH)
    return FALSE;

  cwd = g_file_read_link (proc_cwd, NULL);
  if (cwd == NULL || realpath (data_dir, real_data_dir) == NULL)
    return FALSE;

  return strcmp (cwd, real_data_dir) == 0;
}

static gboolean
process_exists (int pid)
{
  return kill (pid, 0) == 0 || errno == EPERM;
}

/* A lock file naming a live process that is not our postmaster: PostgreSQL would
 * refuse to start, so we remove it (and the socket's lock naming the same PID). */
static void
clear_stale_locks (Job     *job,
                   PidFile *pf)
{
  g_autofree char *pid_path = g_build_filename (job->data_dir, "postmaster.pid", NULL);
  const char *socket_dir = pf->socket_dir != NULL ? pf->socket_dir : job->socket_dir;
  g_autofree char *sock_lock = g_strdup_printf ("%s/.s.PGSQL.%u.lock", socket_dir,
                                                pf->port != 0 ? pf->port : job->port);
  g_autofree char *contents = NULL;

  g_message ("Local cluster: removing a stale lock file: PID %d is not this "
             "cluster's server", pf->pid);
  g_unlink (pid_path);

  if (g_file_get_contents (sock_lock, &contents, NULL, NULL) && atoi (contents) == pf->pid)
    g_unlink (sock_lock);
}

static gboolean
wait_until_ready (const char    *socket_dir,
                  guint          port,
                  const char    *user,
                  GCancellable  *cancellable)
{
  g_autofree char *conninfo = make_conninfo (socket_dir, port, "postgres", user);
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT_US;

  while (g_get_monotonic_time () < deadline && !g_cancellable_is_cancelled (cancellable))
    {
      if (PQping (conninfo) == PQPING_OK)
        return TRUE;
      g_usleep (100 * 1000);
    }

  return FALSE;
}

static gboolean
run_initdb (Job           *job,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *output = NULL;
  g_autofree char *user_opt = g_strdup_printf ("--username=%s", job->user);
  const char *args[] = {
    "-D", job->data_dir,
    user_opt,
    "--auth-local=peer",
    "--auth-host=reject",
    "--encoding=UTF8",
    "--locale=C.UTF-8",
    "--no-instructions",
    NULL
  };
  int status = -1;

  g_debug ("Local cluster: creating %s", job->data_dir);
  if (!run_pg_program (job, "initdb", args, cancellable, &status, &output, error))
    return FALSE;

  if (status != 0)
    {
      g_autofree char *detail = last_line (output);

      g_warning ("initdb failed (status %d): %s", status, output);
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_INIT_FAILED,
                   _("The database on this computer could not be created: %s"), detail);
      return FALSE;
    }

  return TRUE;
}

/* Who may sign in, and how. The account that owns the cluster signs in as its
 * superuser by peer authentication, for maintenance, with no password. Everyone
 * else — the person's own staff login — signs in with a password (SCRAM), so row
 * level security applies and the lock screen can check the password as on a
 * server. Nothing listens on TCP. Referral Desk owns this file: it is rewritten
 * before each start when it differs. */
static gboolean
write_hba (Job     *job,
           GError **error)
{
  g_autofree char *path = g_build_filename (job->data_dir, "pg_hba.conf", NULL);
  g_autofree char *wanted = NULL;
  g_autofree char *current = NULL;

  if (strpbrk (job->user, "\"\n\r") != NULL)
    {
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_INIT_FAILED,
                   _("The user name “%s” cannot be used for the database on this computer."),
                   job->user);
      return FALSE;
    }

  wanted = g_strdup_printf ("# Written by Referral Desk; changes are replaced at the next start.\n"
                            "# TYPE  DATABASE  USER  METHOD\n"
                            "local   all       \"%s\"  peer\n"
                            "local   all       all   scram-sha-256\n",
                            job->user);

  if (g_file_get_contents (path, &current, NULL, NULL) && g_str_equal (current, wanted))
    return TRUE;

  if (!g_file_set_contents_full (path, wanted, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;

  if (job->as_root && chown (path, job->service_uid, job->service_gid) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_DIRECTORY,
                   _("The file “%s” could not be given to the postgres account: %s."),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
run_pg_ctl_start (Job           *job,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree char *log_path = g_build_filename (job->data_dir, "server.log", NULL);
  g_autofree char *quoted_socket = g_shell_quote (job->socket_dir);
  g_autofree char *timeout = g_strdup_printf ("%d", START_TIMEOUT_S);
  g_autofree char *options = NULL;
  g_autofree char *output = NULL;
  int status = -1;

  options = g_strdup_printf ("-k %s -p %u -c listen_addresses= -c unix_socket_permissions=0700",
                             quoted_socket, job->port);
  {
    const char *args[] = {
      "start", "-w", "-t", timeout, "-D", job->data_dir, "-l", log_path, "-o", options, NULL
    };

    if (!run_pg_program (job, "pg_ctl", args, cancellable, &status, &output, error))
      return FALSE;
  }

  if (status != 0)
    {
      g_autofree char *log = NULL;
      g_autofree char *detail = NULL;

      /* The server's own log says why; pg_ctl only says that it failed. */
      if (g_file_get_contents (log_path, &log, NULL, NULL))
        detail = last_line (log);
      else
        detail = last_line (output);

      g_warning ("pg_ctl start failed (status %d): %s", status, output);
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_START_FAILED,
                   _("The database on this computer did not start: %s"), detail);
      return FALSE;
    }

  return TRUE;
}

/* Blocking libpq: this runs in the worker thread. */
static gboolean
ensure_database (Job           *job,
                 GError       **error)
{
  g_autofree char *conninfo = make_conninfo (job->socket_dir, job->port, "postgres", job->user);
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  g_autoptr(PGresult) exists = NULL;
  const char *params[] = { RD_LOCAL_CLUSTER_DATABASE };

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_START_FAILED,
                   _("The database on this computer started but refused the connection: %s"),
                   PQerrorMessage (conn));
      return FALSE;
    }

  exists = PQexecParams (conn, "SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1",
                         1, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (exists) != PGRES_TUPLES_OK)
    {
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_FAILED,
                   _("The database on this computer could not be checked: %s"),
                   PQerrorMessage (conn));
      return FALSE;
    }

  if (PQntuples (exists) == 0)
    {
      /* A fixed identifier: CREATE DATABASE takes no parameters. */
      g_autoptr(PGresult) created = PQexec (conn, "CREATE DATABASE " RD_LOCAL_CLUSTER_DATABASE
                                            " ENCODING 'UTF8'");

      if (PQresultStatus (created) != PGRES_COMMAND_OK)
        {
          g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_INIT_FAILED,
                       _("The Referral Desk database could not be created: %s"),
                       PQerrorMessage (conn));
          return FALSE;
        }
      g_debug ("Local cluster: created database %s", RD_LOCAL_CLUSTER_DATABASE);
    }

  return TRUE;
}

/* Roles, extensions and migrations; harmless when already done, and how a
 * newer Referral Desk brings the private database up to date. The person's
 * own staff login is made later, by rd_local_setup_async(), once they chose a
 * password. */
static gboolean
init_database (Job     *job,
               GError **error)
{
  g_autofree char *conninfo = make_conninfo (job->socket_dir, job->port,
                                             RD_LOCAL_CLUSTER_DATABASE, job->user);
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  guint applied = 0;

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_START_FAILED,
                   _("The database on this computer started but refused the connection: %s"),
                   PQerrorMessage (conn));
      return FALSE;
    }

  if (!rd_init_db (conn, &applied, error))
    return FALSE;

  if (applied > 0)
    g_debug ("Local cluster: applied %u migrations", applied);
  return TRUE;
}

static gboolean
register_client (Job     *job,
                 GError **error)
{
  g_autofree char *clients = g_build_filename (job->base_dir, "clients", NULL);
  g_autofree char *path = g_build_filename (clients, "client-XXXXXX", NULL);
  int fd;

  if (g_mkdir_with_parents (clients, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_DIRECTORY,
                   _("The folder “%s” could not be created: %s."),
                   clients, g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_DIRECTORY,
                   _("The folder “%s” could not be used: %s."),
                   clients, g_strerror (saved_errno));
      return FALSE;
    }

  job->client_fd = fd;
  job->client_path = g_steal_pointer (&path);
  return TRUE;
}

/* Counts the other instances still holding their lock; drops files of the dead. */
static guint
count_other_clients (Job *job)
{
  g_autofree char *clients = g_build_filename (job->base_dir, "clients", NULL);
  g_autoptr(GDir) dir = g_dir_open (clients, 0, NULL);
  guint live = 0;

  for (const char *name; dir != NULL && (name = g_dir_read_name (dir)) != NULL;)
    {
      g_autofree char *path = g_build_filename (clients, name, NULL);
      int fd;

      if (!g_str_has_prefix (name, "client-"))
        continue;

      fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
      if (fd < 0)
        continue;

      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        g_unlink (path);
      else
        live++;
      close (fd);
    }

  return live;
}

/* Fast shutdown: open transactions roll back, sessions end, data is safe. */
static gboolean
stop_server (Job           *job,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *output = NULL;
  const char *args[] = { "stop", "-w", "-t", "60", "-m", "fast", "-D", job->data_dir, NULL };
  int status = -1;

  if (!run_pg_program (job, "pg_ctl", args, cancellable, &status, &output, error))
    return FALSE;

  if (status != 0)
    {
      g_autofree char *detail = last_line (output);

      g_warning ("pg_ctl stop failed (status %d): %s", status, output);
      g_set_error (error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_STOP_FAILED,
                   _("The database on this computer did not stop: %s"), detail);
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Start                                                                     */
/* ------------------------------------------------------------------------ */

static void
start_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *version_file = NULL;
  g_auto(PidFile) pf = { 0, };
  gboolean recovered = FALSE;

  if (!find_bindir (job, cancellable, &error)
      || !find_service_account (job, &error)
      || !prepare_layout (job, &error))
    goto failed;

  version_file = g_build_filename (job->data_dir, "PG_VERSION", NULL);
  if (!g_file_test (version_file, G_FILE_TEST_EXISTS))
    {
      if (!run_initdb (job, cancellable, &error))
        goto failed;
      job->result |= RD_LOCAL_CLUSTER_CREATED;
    }

  if (read_pid_file (job->data_dir, &pf))
    {
      if (is_our_postmaster (pf.pid, job->data_dir))
        {
          /* Another instance runs it: use the socket it really listens on. */
          if (pf.socket_dir != NULL)
            {
              g_free (job->socket_dir);
              job->socket_dir = g_strdup (pf.socket_dir);
            }
          if (pf.port != 0)
            job->port = pf.port;

          if (!wait_until_ready (job->socket_dir, job->port, job->user, cancellable))
            {
              g_set_error (&error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_START_FAILED,
                           _("The database on this computer is running but does not answer "
                             "at “%s”. Quit every Referral Desk window and try again."),
                           job->socket_dir);
              goto failed;
            }
          job->result |= RD_LOCAL_CLUSTER_REUSED;
        }
      else
        {
          recovered = TRUE;
          if (process_exists (pf.pid))
            clear_stale_locks (job, &pf);
          else
            g_message ("Local cluster: a server lock file was left by a crash (PID %d); "
                       "recovering", pf.pid);
        }
    }

  if ((job->result & RD_LOCAL_CLUSTER_REUSED) == 0)
    {
      /* After a crash the old server's processes may take a moment to let go of
       * its shared memory; PostgreSQL then refuses to start, so try again. */
      if (!write_hba (job, &error))
        goto failed;

      for (guint attempt = 0;; attempt++)
        {
          g_clear_error (&error);
          if (run_pg_ctl_start (job, cancellable, &error))
            break;
          if (!recovered || attempt >= 4 || g_cancellable_is_cancelled (cancellable))
            goto failed;
          g_usleep (G_USEC_PER_SEC);
        }
      job->result |= RD_LOCAL_CLUSTER_STARTED;
      if (recovered)
        job->result |= RD_LOCAL_CLUSTER_RECOVERED;

      if (!wait_until_ready (job->socket_dir, job->port, job->user, cancellable))
        {
          g_set_error (&error, RD_LOCAL_CLUSTER_ERROR, RD_LOCAL_CLUSTER_ERROR_START_FAILED,
                       _("The database on this computer started but does not answer at “%s”."),
                       job->socket_dir);
          goto failed;
        }
    }

  if (!ensure_database (job, &error) || !init_database (job, &error))
    goto failed;

  if (!register_client (job, &error))
    goto failed;

  g_task_return_boolean (task, TRUE);
  return;

failed:
  /* A server this call started but cannot hand over (the schema is too new, the
   * database refused us …) would be left running with nobody to stop it. */
  if ((job->result & RD_LOCAL_CLUSTER_STARTED) != 0 && count_other_clients (job) == 0)
    stop_server (job, NULL, NULL);
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
on_start_thread_done (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  RdLocalCluster *self = RD_LOCAL_CLUSTER (object);
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  /* The places a start settled on stay, also after an error, so the message and
   * a retry refer to the same folders. */
  g_free (self->data_dir);
  self->data_dir = g_strdup (job->data_dir);
  g_free (self->base_dir);
  self->base_dir = g_strdup (job->base_dir);
  g_free (self->socket_dir);
  self->socket_dir = g_strdup (job->socket_dir);
  self->port = job->port;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  release_client (&self->client_fd, &self->client_path);
  self->client_fd = job->client_fd;
  self->client_path = g_steal_pointer (&job->client_path);
  job->client_fd = -1;

  if (!self->running)
    {
      self->running = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }

  g_task_return_int (task, job->result);
}

/**
 * rd_local_cluster_start_async:
 * @self: a local cluster
 * @cancellable: (nullable): a cancellable
 * @callback: called on the thread-default main context when done
 * @user_data: data for @callback
 *
 * Makes the cluster usable: creates it on first use (initdb), joins a server that
 * another instance already runs, or starts it (recovering from a crash-left lock),
 * then creates the `referral_desk` database when missing and brings its schema
 * up to date (rd_init_db()). The work runs in a worker thread.
 *
 * Errors are in %RD_LOCAL_CLUSTER_ERROR, or %RD_STORE_ERROR from preparing the
 * schema (for example %RD_STORE_ERROR_SCHEMA_TOO_NEW).
 */
void
rd_local_cluster_start_async (RdLocalCluster      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;

  g_return_if_fail (RD_IS_LOCAL_CLUSTER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_local_cluster_start_async);

  worker = g_task_new (self, cancellable, on_start_thread_done, g_steal_pointer (&task));
  g_task_set_source_tag (worker, start_thread);
  g_task_set_task_data (worker, job_new (self), (GDestroyNotify) job_free);
  g_task_run_in_thread (worker, start_thread);
}

/**
 * rd_local_cluster_start_finish:
 * @self: a local cluster
 * @result: the result passed to the callback
 * @out_result: (out) (optional): what the start did
 * @error: return location for an error in %RD_LOCAL_CLUSTER_ERROR
 *
 * Returns: %TRUE when the server runs and rd_local_cluster_get_conninfo() reaches it
 */
gboolean
rd_local_cluster_start_finish (RdLocalCluster             *self,
                               GAsyncResult               *result,
                               RdLocalClusterStartResult  *out_result,
                               GError                    **error)
{
  gssize value;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (RD_IS_LOCAL_CLUSTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_local_cluster_start_async,
                        FALSE);

  value = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (out_result != NULL)
    *out_result = (RdLocalClusterStartResult) value;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Stop                                                                      */
/* ------------------------------------------------------------------------ */

static void
stop_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *lock_path = g_build_filename (job->base_dir, "lock", NULL);
  g_auto(PidFile) pf = { 0, };

  job->lock_fd = g_open (lock_path, O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0);
  if (job->lock_fd >= 0)
    flock (job->lock_fd, LOCK_EX);

  release_client (&job->client_fd, &job->client_path);

  if (count_other_clients (job) > 0)
    {
      g_debug ("Local cluster: other instances still use the server; leaving it running");
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (!read_pid_file (job->data_dir, &pf) || !is_our_postmaster (pf.pid, job->data_dir))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (!find_bindir (job, cancellable, &error) || !find_service_account (job, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!stop_server (job, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job->stopped = TRUE;
  g_task_return_boolean (task, TRUE);
}

static void
on_stop_thread_done (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_int (task, job->stopped);
}

/**
 * rd_local_cluster_stop_async:
 * @self: a local cluster
 * @cancellable: (nullable): a cancellable
 * @callback: called on the thread-default main context when done
 * @user_data: data for @callback
 *
 * Ends this instance's use of the server and stops the server (fast mode: open
 * transactions roll back, sessions end) when no other Referral Desk instance still
 * uses it. Close this instance's connections first.
 */
void
rd_local_cluster_stop_async (RdLocalCluster      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  Job *job;

  g_return_if_fail (RD_IS_LOCAL_CLUSTER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_local_cluster_stop_async);

  if (!self->running)
    {
      g_task_return_int (task, FALSE);
      return;
    }

  /* Our share ends now, whatever happens to the server. */
  job = job_new (self);
  job->client_fd = self->client_fd;
  job->client_path = g_steal_pointer (&self->client_path);
  self->client_fd = -1;
  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  worker = g_task_new (self, cancellable, on_stop_thread_done, g_steal_pointer (&task));
  g_task_set_source_tag (worker, stop_thread);
  g_task_set_task_data (worker, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (worker, stop_thread);
}

/**
 * rd_local_cluster_stop_finish:
 * @self: a local cluster
 * @result: the result passed to the callback
 * @out_stopped: (out) (optional): whether the server was stopped (%FALSE when other
 *   instances still use it, or it was not running)
 * @error: return location for an error in %RD_LOCAL_CLUSTER_ERROR
 *
 * Returns: %TRUE unless stopping the server failed
 */
gboolean
rd_local_cluster_stop_finish (RdLocalCluster  *self,
                              GAsyncResult    *result,
                              gboolean        *out_stopped,
                              GError         **error)
{
  gssize value;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (RD_IS_LOCAL_CLUSTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_local_cluster_stop_async,
                        FALSE);

  value = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (out_stopped != NULL)
    *out_stopped = value != 0;
  return TRUE;
}
