/* test-profile.c — server profiles: the conninfo they make and the rules they keep
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <libpq-fe.h>

#include "rd-profile.h"
#include "rd-test-util.h"

/* What libpq itself reads from @conninfo; asserts it parses. */
static GHashTable *
parse_conninfo (const char *conninfo)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  char *errmsg = NULL;
  PQconninfoOption *options = PQconninfoParse (conninfo, &errmsg);

  if (options == NULL)
    g_error ("libpq rejected %s: %s", conninfo, errmsg);

  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (o->val != NULL)
      g_hash_table_insert (values, g_strdup (o->keyword), g_strdup (o->val));

  PQconninfoFree (options);
  return values;
}

static RdProfile *
profile_with_hosts (const char *hosts)
{
  RdProfile *profile = rd_profile_new ("Test");
  g_autoptr(GError) error = NULL;

  g_assert_true (rd_profile_set_hosts_from_string (profile, hosts, &error));
  g_assert_no_error (error);
  rd_profile_set_user (profile, "maria");
  return profile;
}

static char *
conninfo_ok (RdProfile *profile,
             gboolean   allow_insecure)
{
  g_autoptr(GError) error = NULL;
  char *conninfo = rd_profile_to_conninfo (profile, allow_insecure, &error);

  g_assert_no_error (error);
  g_assert_nonnull (conninfo);
  return conninfo;
}

static void
test_remote_defaults_to_verify_full (void)
{
  g_autoptr(RdProfile) profile = profile_with_hosts ("db.clinic.example");
  g_autofree char *conninfo = NULL;
  g_autoptr(GHashTable) values = NULL;

  g_assert_cmpint (rd_profile_get_tls_mode (profile), ==, RD_TLS_MODE_DEFAULT);
  g_assert_false (rd_profile_is_local (profile));
  g_assert_cmpint (rd_profile_get_effective_tls_mode (profile), ==, RD_TLS_MODE_VERIFY_FULL);

  conninfo = conninfo_ok (profile, FALSE);
  values = parse_conninfo (conninfo);
  g_assert_cmpstr (g_hash_table_lookup (values, "host"), ==, "db.clinic.example");
  g_assert_cmpstr (g_hash_table_lookup (values, "port"), ==, "5432");
  g_assert_cmpstr (g_hash_table_lookup (values, "dbname"), ==, "referral_desk");
  g_assert_cmpstr (g_hash_table_lookup (values, "user"), ==, "maria");
  g_assert_cmpstr (g_hash_table_lookup (values, "sslmode"), ==, "verify-full");
  /* Never a password in a conninfo made from a profile. */
  g_assert_null (g_hash_table_lookup (values, "password"));
  g_assert_null (g_hash_table_lookup (values, "target_session_attrs"));
}

static void
test_local_hosts (void)
{
  const struct {
    const char *host;
    gboolean    local;
  } cases[] = {
    { "/run/user/1000/referral-desk", TRUE },
    { "@referral-desk", TRUE },
    { "localhost", TRUE },
    { "LOCALHOST", TRUE },
    { "127.0.0.1", TRUE },
    { "127.1.2.3", TRUE },
    { "::1", TRUE },
    { "db.clinic.example", FALSE },
    { "localhost.clinic.example", FALSE },
    { "127.example", FALSE },
    { "10.0.0.5", FALSE },
    { "192.168.1.20", FALSE },
    { "fe80::1", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("host %s", cases[i].host);
      g_assert_cmpint (rd_profile_host_is_local (cases[i].host), ==, cases[i].local);
    }
}

static void
test_local_socket_allows_any_mode (void)
{
  g_autoptr(RdProfile) profile = profile_with_hosts ("/run/user/1000/referral-desk");
  g_autofree char *conninfo = NULL;
  g_autoptr(GHashTable) values = NULL;

  g_assert_true (rd_profile_is_local (profile));
  g_assert_cmpint (rd_profile_get_effective_tls_mode (profile), ==, RD_TLS_MODE_PREFER);

  rd_profile_set_tls_mode (profile, RD_TLS_MODE_DISABLE);
  conninfo = conninfo_ok (profile, FALSE);
  values = parse_conninfo (conninfo);
  g_assert_cmpstr (g_hash_table_lookup (values, "host"), ==, "/run/user/1000/referral-desk");
  g_assert_cmpstr (g_hash_table_lookup (values, "sslmode"), ==, "disable");
}

static void
test_clear_text_refused_for_remote (void)
{
  const RdTlsMode refused[] = { RD_TLS_MODE_DISABLE, RD_TLS_MODE_ALLOW, RD_TLS_MODE_PREFER };
  const RdTlsMode accepted[] = { RD_TLS_MODE_REQUIRE, RD_TLS_MODE_VERIFY_CA,
                                 RD_TLS_MODE_VERIFY_FULL };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      /* A mixed list counts as remote: one host is enough to leave the computer. */
      g_autoptr(RdProfile) profile = profile_with_hosts ("localhost, db.clinic.example");
      g_autoptr(GError) error = NULL;
      g_autofree char *conninfo = NULL;
      g_autoptr(GHashTable) values = NULL;

      rd_profile_set_tls_mode (profile, refused[i]);
      conninfo = rd_profile_to_conninfo (profile, FALSE, &error);
      g_assert_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INSECURE);
      g_assert_null (conninfo);
      g_assert_nonnull (strstr (error->message, rd_tls_mode_to_string (refused[i])));

      /* The administrator's setting lets it through, as set. */
      conninfo = conninfo_ok (profile, TRUE);
      values = parse_conninfo (conninfo);
      g_assert_cmpstr (g_hash_table_lookup (values, "sslmode"), ==,
                       rd_tls_mode_to_string (refused[i]));
    }

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(RdProfile) profile = profile_with_hosts ("db.clinic.example");
      g_autofree char *conninfo = NULL;

      rd_profile_set_tls_mode (profile, accepted[i]);
      conninfo = conninfo_ok (profile, FALSE);
      g_assert_nonnull (strstr (conninfo, rd_tls_mode_to_string (accepted[i])));
    }
}

static void
test_failover_hosts (void)
{
  g_autoptr(RdProfile) profile = profile_with_hosts (" db1.clinic.example,db2.clinic.example  ");
  g_autofree char *conninfo = NULL;
  g_autofree char *joined = NULL;
  g_autoptr(GHashTable) values = NULL;

  g_assert_cmpuint (g_strv_length ((char **) rd_profile_get_hosts (profile)), ==, 2);
  joined = rd_profile_dup_hosts_string (profile);
  g_assert_cmpstr (joined, ==, "db1.clinic.example,db2.clinic.example");
  rd_profile_set_port (profile, 6432);

  conninfo = conninfo_ok (profile, FALSE);
  values = parse_conninfo (conninfo);
  g_assert_cmpstr (g_hash_table_lookup (values, "host"), ==,
                   "db1.clinic.example,db2.clinic.example");
  g_assert_cmpstr (g_hash_table_lookup (values, "port"), ==, "6432");
  g_assert_cmpstr (g_hash_table_lookup (values, "target_session_attrs"), ==, "read-write");
  g_assert_cmpstr (g_hash_table_lookup (values, "sslmode"), ==, "verify-full");
}

static void
test_values_cannot_add_keywords (void)
{
  g_autoptr(RdProfile) profile = profile_with_hosts ("db.clinic.example");
  g_autofree char *conninfo = NULL;
  g_autoptr(GHashTable) values = NULL;
  const char *sneaky_db = "rd' sslmode='disable";
  const char *sneaky_user = "o'brien\\ password=x";

  rd_profile_set_database (profile, sneaky_db);
  rd_profile_set_user (profile, sneaky_user);
  conninfo = conninfo_ok (profile, FALSE);
  values = parse_conninfo (conninfo);
  g_assert_cmpstr (g_hash_table_lookup (values, "dbname"), ==, sneaky_db);
  g_assert_cmpstr (g_hash_table_lookup (values, "user"), ==, sneaky_user);
  g_assert_cmpstr (g_hash_table_lookup (values, "sslmode"), ==, "verify-full");
  g_assert_null (g_hash_table_lookup (values, "password"));
}

static void
test_ca_file (void)
{
  g_autoptr(RdProfile) profile = profile_with_hosts ("db.clinic.example");
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(GHashTable) values = NULL;

  rd_profile_set_ca_file (profile, "/etc/referral-desk/clinic-ca.pem");
  conninfo = conninfo_ok (profile, FALSE);
  values = parse_conninfo (conninfo);
  g_assert_cmpstr (g_hash_table_lookup (values, "sslrootcert"), ==,
                   "/etc/referral-desk/clinic-ca.pem");

  rd_profile_set_ca_file (profile, "clinic-ca.pem");
  g_assert_false (rd_profile_validate (profile, FALSE, &error));
  g_assert_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID);

  rd_profile_set_ca_file (profile, "");
  g_assert_null (rd_profile_get_ca_file (profile));
}

static void
test_invalid (void)
{
  g_autoptr(RdProfile) profile = rd_profile_new ("Test");
  g_autoptr(GError) error = NULL;
  const char *bad_host[] = { "db clinic", NULL };

  g_assert_false (rd_profile_set_hosts_from_string (profile, " , ", &error));
  g_assert_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID);
  g_clear_error (&error);

  rd_profile_set_hosts (profile, bad_host);
  g_assert_false (rd_profile_validate (profile, FALSE, &error));
  g_assert_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID);
  g_clear_error (&error);

  rd_profile_set_hosts (profile, NULL);
  rd_profile_set_database (profile, "");
  g_assert_false (rd_profile_validate (profile, FALSE, &error));
  g_assert_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID);
  g_clear_error (&error);

  /* Port 0 means the default. */
  rd_profile_set_port (profile, 0);
  g_assert_cmpuint (rd_profile_get_port (profile), ==, RD_PROFILE_DEFAULT_PORT);
}

static void
assert_same_profile (RdProfile *a,
                     RdProfile *b)
{
  g_autofree char *ha = rd_profile_dup_hosts_string (a);
  g_autofree char *hb = rd_profile_dup_hosts_string (b);

  g_assert_cmpstr (rd_profile_get_name (a), ==, rd_profile_get_name (b));
  g_assert_cmpstr (ha, ==, hb);
  g_assert_cmpuint (rd_profile_get_port (a), ==, rd_profile_get_port (b));
  g_assert_cmpstr (rd_profile_get_database (a), ==, rd_profile_get_database (b));
  g_assert_cmpstr (rd_profile_get_user (a), ==, rd_profile_get_user (b));
  g_assert_cmpint (rd_profile_get_tls_mode (a), ==, rd_profile_get_tls_mode (b));
  g_assert_cmpstr (rd_profile_get_ca_file (a), ==, rd_profile_get_ca_file (b));
}

static void
test_variant_round_trip (void)
{
  g_autoptr(RdProfile) profile = profile_with_hosts ("db1.clinic.example,db2.clinic.example");
  g_autoptr(RdProfile) back = NULL;
  g_autoptr(RdProfile) copy = NULL;
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GVariant) nameless = NULL;
  g_autoptr(GVariant) bad_mode = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = NULL;

  rd_profile_set_port (profile, 5433);
  rd_profile_set_tls_mode (profile, RD_TLS_MODE_VERIFY_CA);
  rd_profile_set_ca_file (profile, "/etc/ssl/clinic.pem");

  variant = g_variant_ref_sink (rd_profile_to_variant (profile));
  printed = g_variant_print (variant, FALSE);
  g_assert_null (strstr (printed, "password"));
  back = rd_profile_new_from_variant (variant, &error);
  g_assert_no_error (error);
  assert_same_profile (profile, back);

  copy = rd_profile_copy (profile);
  assert_same_profile (profile, copy);

  nameless = g_variant_ref_sink (g_variant_new_parsed ("{'hosts': <['x']>}"));
  g_assert_null (rd_profile_new_from_variant (nameless, &error));
  g_assert_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID);
  g_clear_error (&error);

  bad_mode = g_variant_ref_sink (g_variant_new_parsed ("{'name': <'X'>, 'tls-mode': <'sloppy'>}"));
  g_assert_null (rd_profile_new_from_variant (bad_mode, &error));
  g_assert_error (error, RD_PROFILE_ERROR, RD_PROFILE_ERROR_INVALID);
}

static void
test_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) after_damage = NULL;
  GVariantBuilder builder;

  schema = source != NULL ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;
  if (schema == NULL || !g_settings_schema_has_key (schema, "profiles"))
    {
      g_test_skip ("the application's settings schema is not compiled (GSETTINGS_SCHEMA_DIR)");
      return;
    }

  settings = g_settings_new (APP_ID);
  loaded = rd_profile_list_load (settings);
  g_assert_cmpuint (loaded->len, ==, 0);
  g_clear_pointer (&loaded, g_ptr_array_unref);

  g_ptr_array_add (saved, profile_with_hosts ("db.clinic.example"));
  g_ptr_array_add (saved, profile_with_hosts ("/run/user/1000/referral-desk"));
  rd_profile_set_name (g_ptr_array_index (saved, 1), "Laptop");
  rd_profile_list_save (settings, saved);

  loaded = rd_profile_list_load (settings);
  g_assert_cmpuint (loaded->len, ==, 2);
  assert_same_profile (g_ptr_array_index (saved, 0), g_ptr_array_index (loaded, 0));
  assert_same_profile (g_ptr_array_index (saved, 1), g_ptr_array_index (loaded, 1));

  /* A damaged entry is skipped, the others survive. */
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  g_variant_builder_add_value (&builder, g_variant_new_parsed ("@a{sv} {'port': <uint32 1>}"));
  g_variant_builder_add_value (&builder, rd_profile_to_variant (g_ptr_array_index (saved, 1)));
  g_settings_set_value (settings, "profiles", g_variant_builder_end (&builder));
  after_damage = rd_profile_list_load (settings);
  g_assert_cmpuint (after_damage->len, ==, 1);
  g_assert_cmpstr (rd_profile_get_name (g_ptr_array_index (after_damage, 0)), ==, "Laptop");
}

/* libpq accepts the result for real: a socket profile reaches the test server. */
static void
test_connects (void)
{
  g_autoptr(RdProfile) profile = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(PGconn) conn = NULL;
  const char *host = g_getenv ("RD_TEST_PGHOST");
  const char *hosts[] = { host, NULL };

  if (!rd_test_pg_available () || host == NULL || host[0] != '/')
    {
      g_test_skip ("no PostgreSQL socket for tests (run through ./dev env)");
      return;
    }

  profile = rd_profile_new ("Test server");
  rd_profile_set_hosts (profile, hosts);
  rd_profile_set_port (profile, (guint) atoi (g_getenv ("RD_TEST_PGPORT")));
  rd_profile_set_database (profile, "postgres");
  rd_profile_set_user (profile, g_getenv ("RD_TEST_PGUSER"));
  conninfo = conninfo_ok (profile, FALSE);
  conn = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  g_assert_cmpstr (PQparameterStatus (conn, "application_name"), ==, "referral-desk");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rd_test_init_env ();

  g_test_add_func ("/store/profile/remote-defaults-to-verify-full",
                   test_remote_defaults_to_verify_full);
  g_test_add_func ("/store/profile/local-hosts", test_local_hosts);
  g_test_add_func ("/store/profile/local-socket-allows-any-mode",
                   test_local_socket_allows_any_mode);
  g_test_add_func ("/store/profile/clear-text-refused-for-remote",
                   test_clear_text_refused_for_remote);
  g_test_add_func ("/store/profile/failover-hosts", test_failover_hosts);
  g_test_add_func ("/store/profile/values-cannot-add-keywords", test_values_cannot_add_keywords);
  g_test_add_func ("/store/profile/ca-file", test_ca_file);
  g_test_add_func ("/store/profile/invalid", test_invalid);
  g_test_add_func ("/store/profile/variant-round-trip", test_variant_round_trip);
  g_test_add_func ("/store/profile/settings", test_settings);
  g_test_add_func ("/store/profile/connects", test_connects);

  return g_test_run ();
}
