/* rd-fhir.c — FHIR R4 JSON (a Bundle or single resources) into model objects
 *
 * The file is untrusted: its nesting depth is checked before json-glib sees
 * it (json-glib parses recursively), every member is read through type-checked
 * helpers (a number where a string belongs is ignored, never a crash), and
 * references are resolved only inside the file itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "rd-fhir.h"
#include "rd-intake-private.h"

#define MAX_COVERAGES 8
#define MAX_PROVIDERS 32

typedef struct
{
  RdIntakeResult *result;
  GHashTable     *index;      /* reference key -> JsonObject (borrowed) */
  GPtrArray      *resources;  /* JsonObject, in file order (borrowed) */
  gboolean        in_bundle;
  GPtrArray      *diagnoses;
  GPtrArray      *procedures;
  JsonObject     *patient;    /* the referral's subject, when resolved */
} Ctx;

/* Type-checked readers: NULL when absent or of another type. */

static const char *
jstr (JsonObject *object,
      const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonObject *
jobj (JsonObject *object,
      const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
jarr (JsonObject *object,
      const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;

  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static guint
jlen (JsonArray *array)
{
  return array != NULL ? json_array_get_length (array) : 0;
}

static JsonObject *
jarr_obj (JsonArray *array,
          guint      index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;

  node = json_array_get_element (array, index);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
jarr_str (JsonArray *array,
          guint      index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;

  node = json_array_get_element (array, index);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* The first object of an array member, or the member itself when a sender
 * sent a single object where R4 has an array (seen in the wild). */
static JsonObject *
jfirst (JsonObject *object,
        const char *member)
{
  JsonObject *single = jobj (object, member);

  return single != NULL ? single : jarr_obj (jarr (object, member), 0);
}

static char *
clean (const char *text)
{
  return rd_intake_clean_text (text, -1);
}

static gboolean
is_type (JsonObject *resource,
         const char *type)
{
  return g_strcmp0 (jstr (resource, "resourceType"), type) == 0;
}

/* Depth check on the raw bytes, strings and escapes respected. */
static gboolean
check_depth (const char *data,
             gsize       length,
             GError    **error)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > RD_FHIR_MAX_DEPTH)
            {
              g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE,
                           _("The FHIR file nests deeper than %d levels; it was not read."),
                           RD_FHIR_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }

  return TRUE;
}

/**
 * rd_fhir_parse_date:
 * @text: (nullable): a FHIR date ("1961", "1961-06", "1961-06-15") or
 *   dateTime ("2022-01-25T10:00:00+02:00")
 *
 * A date without a time is midnight UTC.
 *
 * Returns: (transfer full) (nullable): the time, or %NULL
 */
GDateTime *
rd_fhir_parse_date (const char *text)
{
  guint y = 0, m = 1, d = 1;
  gsize len;

  if (text == NULL)
    return NULL;

  len = strnlen (text, 64);
  if (len > 10)
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      return g_date_time_new_from_iso8601 (text, utc);
    }

  if (len < 4)
    return NULL;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]) && !(text[i] == '-' && (i == 4 || i == 7)))
      return NULL;

  y = (guint) g_ascii_strtoull (text, NULL, 10);
  if (len >= 7)
    m = (guint) g_ascii_strtoull (text + 5, NULL, 10);
  if (len == 10)
    d = (guint) g_ascii_strtoull (text + 8, NULL, 10);
  if ((len != 4 && len != 7 && len != 10) || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return NULL;

  return g_date_time_new_utc ((int) y, (int) m, (int) d, 0, 0, 0);
}

/* Version checks: what R4 does not have, or R5 changed. */

static gboolean
check_version (JsonObject *resource,
               GError    **error)
{
  static const char * const older[] = {
    "ReferralRequest", "ProcedureRequest", "DiagnosticOrder", "Order", "OrderResponse",
    "DeviceUseRequest", "ProcessRequest", "ProcessResponse", "EligibilityRequest",
    "EligibilityResponse", NULL
  };
  const char *type = jstr (resource, "resourceType");
  const char *version = jstr (resource, "fhirVersion");
  JsonObject *code;

  if (version == NULL)
    version = jstr (jobj (resource, "meta"), "fhirVersion");
  if (version != NULL && !g_str_has_prefix (version, "4.0"))
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_UNSUPPORTED,
                   _("The file says it is FHIR version %s; only FHIR R4 (4.0) can be imported. Ask the sender for R4."),
                   version);
      return FALSE;
    }

  if (type != NULL && g_strv_contains (older, type))
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_UNSUPPORTED,
                   _("The file holds a %s, which exists only in FHIR STU3 or older; only FHIR R4 can be imported. Ask the sender for R4."),
                   type);
      return FALSE;
    }

  code = jobj (resource, "code");
  if (g_strcmp0 (type, "ServiceRequest") == 0 &&
      (json_object_has_member (resource, "reason") ||
       (code != NULL && json_object_has_member (code, "concept"))))
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_UNSUPPORTED,
                           _("The service request is shaped like FHIR R5 (it has “reason” or “code.concept”); only FHIR R4 can be imported. Ask the sender for R4."));
      return FALSE;
    }

  return TRUE;
}

static void
index_resource (Ctx        *ctx,
                JsonObject *resource,
                const char *full_url)
{
  const char *type = jstr (resource, "resourceType");
  const char *id = jstr (resource, "id");

  g_ptr_array_add (ctx->resources, resource);

  if (full_url != NULL && !g_hash_table_contains (ctx->index, full_url))
    g_hash_table_insert (ctx->index, g_strdup (full_url), resource);

  if (type != NULL && id != NULL)
    {
      char *key = g_strdup_printf ("%s/%s", type, id);

      if (!g_hash_table_contains (ctx->index, key))
        g_hash_table_insert (ctx->index, key, resource);
      else
        g_free (key);
    }

  /* Some senders refer by bare id or bare uuid. */
  if (id != NULL && !g_hash_table_contains (ctx->index, id))
    g_hash_table_insert (ctx->index, g_strdup (id), resource);
  if (full_url != NULL && g_str_has_prefix (full_url, "urn:uuid:") &&
      !g_hash_table_contains (ctx->index, full_url + 9))
    g_hash_table_insert (ctx->index, g_strdup (full_url + 9), resource);
}

static const char *
reference_of (JsonObject *reference)
{
  return jstr (reference, "reference");
}

/* Finds what @reference ({"reference": "..."}) points at in this file. */
static JsonObject *
resolve (Ctx        *ctx,
         JsonObject *reference)
{
  const char *ref = reference_of (reference);
  g_autofree char *key = NULL;
  char *history;
  JsonObject *found;
  const char *slash;

  if (ref == NULL || *ref == '#')
    return NULL;

  key = g_strndup (ref, 1024);
  history = strstr (key, "/_history/");
  if (history != NULL)
    *history = '\0';

  if ((found = g_hash_table_lookup (ctx->index, key)) != NULL)
    return found;

  if (g_str_has_prefix (key, "urn:uuid:") &&
      (found = g_hash_table_lookup (ctx->index, key + 9)) != NULL)
    return found;

  /* "http://server/fhir/Patient/123" -> "Patient/123" */
  slash = strrchr (key, '/');
  if (slash != NULL && slash != key)
    {
      const char *type_start = slash - 1;

      while (type_start > key && *(type_start - 1) != '/')
        type_start--;
      if ((found = g_hash_table_lookup (ctx->index, type_start)) != NULL)
        return found;
    }

  return NULL;
}

/* A CodeableConcept's words: text, else the first display, else code. */
static char *
concept_text (JsonObject *concept)
{
  JsonArray *codings = jarr (concept, "coding");
  const char *text = jstr (concept, "text");

  for (guint i = 0; text == NULL && i < MIN (jlen (codings), 16); i++)
    text = jstr (jarr_obj (codings, i), "display");
  if (text == NULL)
    text = jstr (jarr_obj (codings, 0), "code");

  return clean (text);
}

static gboolean
concept_has_code (JsonObject *concept,
                  const char *code)
{
  JsonArray *codings = jarr (concept, "coding");

  for (guint i = 0; i < MIN (jlen (codings), 16); i++)
    if (g_strcmp0 (jstr (jarr_obj (codings, i), "code"), code) == 0)
      return TRUE;

  return FALSE;
}

static char *
human_name (JsonObject *resource)
{
  JsonArray *names = jarr (resource, "name");
  JsonObject *name = NULL;
  JsonArray *given;
  g_autofree char *given_text = NULL;

  for (guint i = 0; name == NULL && i < MIN (jlen (names), 16); i++)
    {
      const char *use = jstr (jarr_obj (names, i), "use");

      if (g_strcmp0 (use, "official") == 0 || g_strcmp0 (use, "usual") == 0)
        name = jarr_obj (names, i);
    }
  if (name == NULL)
    name = jfirst (resource, "name");
  if (name == NULL)
    return NULL;

  given = jarr (name, "given");
  given_text = rd_intake_join_words (jarr_str (given, 0), jarr_str (given, 1), NULL);
  {
    g_autofree char *joined = rd_intake_join_words (given_text, jstr (name, "family"), NULL);

    if (joined == NULL)
      return clean (jstr (name, "text"));
    return clean (joined);
  }
}

static char *
address_text (JsonObject *resource)
{
  JsonObject *address = jfirst (resource, "address");
  JsonArray *lines;
  g_autofree char *street = NULL;
  g_autofree char *region = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  const char *parts[3];

  if (address == NULL)
    return NULL;
  if (jstr (address, "text") != NULL)
    return clean (jstr (address, "text"));

  lines = jarr (address, "line");
  street = rd_intake_join_words (jarr_str (lines, 0), jarr_str (lines, 1), NULL);
  region = rd_intake_join_words (jstr (address, "state"), jstr (address, "postalCode"), NULL);
  parts[0] = street;
  parts[1] = jstr (address, "city");
  parts[2] = region;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (parts[i] == NULL || *parts[i] == '\0')
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, parts[i]);
    }

  return out->len > 0 ? clean (out->str) : NULL;
}

static void
read_telecom (Ctx        *ctx,
              JsonObject *resource,
              GObject    *record,
              gboolean    is_patient)
{
  JsonArray *telecom = jarr (resource, "telecom");

  for (guint i = 0; i < MIN (jlen (telecom), 16); i++)
    {
      JsonObject *point = jarr_obj (telecom, i);
      const char *system = jstr (point, "system");
      const char *use = jstr (point, "use");
      const char *value = jstr (point, "value");
      const char *property = NULL;
      g_autofree char *current = NULL;

      if (value == NULL)
        continue;

      if (g_strcmp0 (system, "email") == 0)
        {
          if (is_patient && rd_patient_get_email (RD_PATIENT (record)) == NULL &&
              strchr (value, '@') != NULL)
            {
              g_autofree char *email = clean (value);
              rd_patient_set_email (RD_PATIENT (record), email);
            }
          continue;
        }

      if (is_patient)
        property = (g_strcmp0 (use, "mobile") == 0) ? "phone-mobile" : "phone-home";
      else if (g_strcmp0 (system, "fax") == 0)
        property = "fax";
      else if (system == NULL || g_strcmp0 (system, "phone") == 0)
        property = "phone";
      else
        continue;

      g_object_get (record, property, &current, NULL);
      if (current == NULL)
        rd_intake_set_phone (ctx->result, record, property, value);
    }
}

static const char *
identifier_by_system (JsonObject *resource,
                      const char *system)
{
  JsonArray *ids = jarr (resource, "identifier");

  for (guint i = 0; i < MIN (jlen (ids), 32); i++)
    if (g_strcmp0 (jstr (jarr_obj (ids, i), "system"), system) == 0)
      return jstr (jarr_obj (ids, i), "value");

  return NULL;
}

static void
read_npi (Ctx        *ctx,
          JsonObject *resource,
          RdProvider *provider)
{
  const char *raw = identifier_by_system (resource, "http://hl7.org/fhir/sid/us-npi");
  g_autofree char *npi = NULL;
  g_autoptr(GError) error = NULL;

  if (raw == NULL || rd_provider_get_npi (provider) != NULL)
    return;

  npi = rd_validate_npi (raw, &error);
  if (npi != NULL)
    rd_provider_set_npi (provider, npi);
  else
    {
      g_autofree char *shown = clean (raw);
      rd_intake_result_add_warning (ctx->result, _("The NPI “%s” was left out: %s"),
                                    shown != NULL ? shown : "", error->message);
    }
}

static void
fill_from_organization (Ctx        *ctx,
                        JsonObject *organization,
                        RdProvider *provider)
{
  g_autofree char *name = clean (jstr (organization, "name"));

  if (name == NULL)
    return;

  rd_provider_set_organization_name (provider, name);
  if (rd_provider_get_name (provider) == NULL)
    {
      g_autofree char *address = address_text (organization);

      rd_provider_set_name (provider, name);
      read_npi (ctx, organization, provider);
      read_telecom (ctx, organization, G_OBJECT (provider), FALSE);
      if (rd_provider_get_address (provider) == NULL)
        rd_provider_set_address (provider, address);
    }
}

static RdProvider *
provider_from (Ctx        *ctx,
               JsonObject *resource,
               JsonObject *reference)
{
  g_autoptr(RdProvider) provider = NULL;

  if (resource == NULL)
    {
      /* Only a display name: better than nothing. */
      g_autofree char *display = clean (jstr (reference, "display"));
      g_autofree char *ref = clean (reference_of (reference));

      if (ref != NULL && ctx->in_bundle)
        rd_intake_result_add_warning (ctx->result,
                                      _("The provider “%s” is referred to but not in the bundle."),
                                      ref);
      if (display == NULL)
        return NULL;
      provider = rd_provider_new ();
      rd_provider_set_name (provider, display);
      return g_steal_pointer (&provider);
    }

  provider = rd_provider_new ();

  if (is_type (resource, "PractitionerRole"))
    {
      JsonObject *practitioner = resolve (ctx, jobj (resource, "practitioner"));
      JsonObject *organization = resolve (ctx, jobj (resource, "organization"));
      g_autofree char *specialty = concept_text (jfirst (resource, "specialty"));

      if (practitioner != NULL && is_type (practitioner, "Practitioner"))
        {
          g_autofree char *name = human_name (practitioner);
          g_autofree char *address = address_text (practitioner);

          rd_provider_set_name (provider, name);
          rd_provider_set_address (provider, address);
          read_npi (ctx, practitioner, provider);
          read_telecom (ctx, practitioner, G_OBJECT (provider), FALSE);
        }
      else if (jstr (jobj (resource, "practitioner"), "display") != NULL)
        {
          g_autofree char *display = clean (jstr (jobj (resource, "practitioner"), "display"));
          rd_provider_set_name (provider, display);
        }

      read_npi (ctx, resource, provider);
      read_telecom (ctx, resource, G_OBJECT (provider), FALSE);
      rd_provider_set_specialty (provider, specialty);
      if (organization != NULL && is_type (organization, "Organization"))
        fill_from_organization (ctx, organization, provider);
    }
  else if (is_type (resource, "Practitioner"))
    {
      g_autofree char *name = human_name (resource);
      g_autofree char *address = address_text (resource);

      rd_provider_set_name (provider, name);
      rd_provider_set_address (provider, address);
      read_npi (ctx, resource, provider);
      read_telecom (ctx, resource, G_OBJECT (provider), FALSE);
    }
  else if (is_type (resource, "Organization"))
    fill_from_organization (ctx, resource, provider);
  else if (is_type (resource, "HealthcareService"))
    {
      JsonObject *organization = resolve (ctx, jobj (resource, "providedBy"));
      g_autofree char *name = clean (jstr (resource, "name"));
      g_autofree char *specialty = concept_text (jfirst (resource, "specialty"));

      rd_provider_set_name (provider, name);
      rd_provider_set_specialty (provider, specialty);
      read_telecom (ctx, resource, G_OBJECT (provider), FALSE);
      if (organization != NULL && is_type (organization, "Organization"))
        fill_from_organization (ctx, organization, provider);
    }
  else
    return NULL;

  if (rd_provider_get_name (provider) == NULL)
    return NULL;

  return g_steal_pointer (&provider);
}

static RdPatient *
patient_from (Ctx        *ctx,
              JsonObject *resource)
{
  g_autoptr(RdPatient) patient = rd_patient_new ();
  JsonArray *ids = jarr (resource, "identifier");
  JsonArray *names = jarr (resource, "name");
  JsonObject *name = NULL;
  JsonObject *address;
  const char *mrn = NULL;

  /* The identifier typed MR; else the first one that is not a social
   * security number. */
  for (guint i = 0; mrn == NULL && i < MIN (jlen (ids), 32); i++)
    if (concept_has_code (jobj (jarr_obj (ids, i), "type"), "MR"))
      mrn = jstr (jarr_obj (ids, i), "value");
  for (guint i = 0; mrn == NULL && i < MIN (jlen (ids), 32); i++)
    {
      JsonObject *id = jarr_obj (ids, i);
      JsonObject *type = jobj (id, "type");

      if (g_strcmp0 (jstr (id, "system"), "http://hl7.org/fhir/sid/us-ssn") == 0 ||
          concept_has_code (type, "SS") || concept_has_code (type, "SB"))
        continue;
      mrn = jstr (id, "value");
    }
  {
    g_autofree char *value = clean (mrn);
    rd_patient_set_mrn (patient, value);
  }

  for (guint i = 0; name == NULL && i < MIN (jlen (names), 16); i++)
    {
      const char *use = jstr (jarr_obj (names, i), "use");

      if (g_strcmp0 (use, "official") == 0 || g_strcmp0 (use, "usual") == 0)
        name = jarr_obj (names, i);
    }
  if (name == NULL)
    name = jfirst (resource, "name");
  if (name != NULL)
    {
      JsonArray *given = jarr (name, "given");
      g_autofree char *family = clean (jstr (name, "family"));
      g_autofree char *first = clean (jarr_str (given, 0));
      g_autofree char *middle = clean (jarr_str (given, 1));

      g_object_set (patient, "family-name", family, "given-name", first,
                    "middle-name", middle, NULL);
    }

  rd_intake_set_dob (ctx->result, patient, jstr (resource, "birthDate"));
  {
    g_autofree char *sex = rd_intake_normalise_sex (jstr (resource, "gender"));
    rd_patient_set_sex (patient, sex);
  }

  read_telecom (ctx, resource, G_OBJECT (patient), TRUE);

  address = jfirst (resource, "address");
  if (address != NULL)
    {
      JsonArray *lines = jarr (address, "line");
      g_autofree char *line1 = clean (jarr_str (lines, 0));
      g_autofree char *line2 = clean (jarr_str (lines, 1));
      g_autofree char *city = clean (jstr (address, "city"));
      g_autofree char *state = clean (jstr (address, "state"));
      g_autofree char *raw_zip = clean (jstr (address, "postalCode"));
      g_autofree char *zip = raw_zip != NULL ? rd_validate_zip (raw_zip, NULL) : NULL;

      g_object_set (patient, "address-line1", line1, "address-line2", line2,
                    "city", city, "state", state,
                    "zip", zip != NULL ? zip : raw_zip, NULL);
    }

  {
    JsonArray *communication = jarr (resource, "communication");
    JsonObject *language = NULL;

    for (guint i = 0; i < MIN (jlen (communication), 8); i++)
      {
        JsonObject *item = jarr_obj (communication, i);
        JsonNode *preferred = item != NULL ? json_object_get_member (item, "preferred") : NULL;
        gboolean is_preferred = preferred != NULL && JSON_NODE_HOLDS_VALUE (preferred) &&
                                json_node_get_value_type (preferred) == G_TYPE_BOOLEAN &&
                                json_node_get_boolean (preferred);

        if (item != NULL && (language == NULL || is_preferred))
          language = jobj (item, "language");
      }
    if (language != NULL)
      {
        JsonArray *codings = jarr (language, "coding");
        g_autofree char *code = clean (jstr (jarr_obj (codings, 0), "code"));

        if (code == NULL)
          code = concept_text (language);
        rd_patient_set_language (patient, code);
      }
  }

  return g_steal_pointer (&patient);
}

static RdCoverage *
coverage_from (Ctx        *ctx,
               JsonObject *resource)
{
  g_autoptr(RdCoverage) coverage = rd_coverage_new ();
  JsonObject *payor_ref = jfirst (resource, "payor");
  JsonObject *payor = resolve (ctx, payor_ref);
  JsonArray *classes = jarr (resource, "class");
  JsonArray *ids = jarr (resource, "identifier");
  const char *member = jstr (resource, "subscriberId");
  g_autofree char *payer = NULL;
  g_autofree char *plan = NULL;
  g_autofree char *group = NULL;
  g_autofree char *subscriber = NULL;
  g_autofree char *relationship = concept_text (jobj (resource, "relationship"));
  g_autofree char *member_clean = NULL;

  if (payor != NULL)
    payer = is_type (payor, "Organization") ? clean (jstr (payor, "name")) : human_name (payor);
  if (payer == NULL)
    payer = clean (jstr (payor_ref, "display"));

  for (guint i = 0; i < MIN (jlen (classes), 16); i++)
    {
      JsonObject *klass = jarr_obj (classes, i);
      JsonObject *type = jobj (klass, "type");

      if (plan == NULL && concept_has_code (type, "plan"))
        plan = clean (jstr (klass, "name") ? jstr (klass, "name") : jstr (klass, "value"));
      else if (group == NULL && concept_has_code (type, "group"))
        group = clean (jstr (klass, "value"));
    }

  /* The member id on the card: subscriberId; else the identifier typed MB
   * (member number); else the first identifier. */
  for (guint i = 0; member == NULL && i < MIN (jlen (ids), 32); i++)
    if (concept_has_code (jobj (jarr_obj (ids, i), "type"), "MB"))
      member = jstr (jarr_obj (ids, i), "value");
  if (member == NULL)
    member = jstr (jarr_obj (ids, 0), "value");
  member_clean = clean (member);

  {
    JsonObject *subscriber_ref = jobj (resource, "subscriber");
    JsonObject *person = resolve (ctx, subscriber_ref);

    if (person != NULL)
      subscriber = human_name (person);
    if (subscriber == NULL)
      subscriber = clean (jstr (subscriber_ref, "display"));
  }

  g_object_set (coverage,
                "payer-name", payer,
                "plan-name", plan,
                "member-id", member_clean,
                "group-number", group,
                "subscriber-name", subscriber,
                "relationship", relationship,
                "source", "fhir",
                NULL);

  return g_steal_pointer (&coverage);
}

static gboolean
is_icd10_system (const char *system)
{
  g_autofree char *lower = system != NULL ? g_ascii_strdown (system, -1) : NULL;

  return lower != NULL && (strstr (lower, "icd-10") != NULL || strstr (lower, "icd10cm") != NULL);
}

static gboolean
is_cpt_system (const char *system)
{
  g_autofree char *lower = system != NULL ? g_ascii_strdown (system, -1) : NULL;

  return lower != NULL && (strstr (lower, "ama-assn.org") != NULL || strstr (lower, "/cpt") != NULL ||
                           strstr (lower, "hcpcs") != NULL);
}

/* ICD-10 codings of @concept become diagnoses. */
static void
add_diagnoses (Ctx        *ctx,
               JsonObject *concept)
{
  JsonArray *codings = jarr (concept, "coding");

  for (guint i = 0; i < MIN (jlen (codings), 16); i++)
    {
      JsonObject *coding = jarr_obj (codings, i);

      if (is_icd10_system (jstr (coding, "system")))
        rd_intake_add_code (ctx->result, ctx->diagnoses, jstr (coding, "code"), TRUE);
    }
}

/* CPT/HCPCS codings become procedures; with @warn, a concept with codes
 * but none of them CPT/HCPCS is named in a warning. */
static void
add_procedures (Ctx        *ctx,
                JsonObject *concept,
                gboolean    warn)
{
  JsonArray *codings = jarr (concept, "coding");
  gboolean found = FALSE;

  for (guint i = 0; i < MIN (jlen (codings), 16); i++)
    {
      JsonObject *coding = jarr_obj (codings, i);

      if (is_cpt_system (jstr (coding, "system")))
        {
          rd_intake_add_code (ctx->result, ctx->procedures, jstr (coding, "code"), FALSE);
          found = TRUE;
        }
    }

  if (warn && !found && jlen (codings) > 0)
    {
      g_autofree char *code = clean (jstr (jarr_obj (codings, 0), "code"));
      g_autofree char *system = clean (jstr (jarr_obj (codings, 0), "system"));

      if (code != NULL)
        rd_intake_result_add_warning (ctx->result,
                                      _("The procedure “%s” is coded in %s, not CPT or HCPCS, and was left out."),
                                      code, system != NULL ? system : _("an unnamed code system"));
    }
}

static gboolean
belongs_to_patient (Ctx        *ctx,
                    JsonObject *resource)
{
  JsonObject *subject = jobj (resource, "subject");

  if (ctx->patient == NULL || subject == NULL)
    return TRUE;

  return resolve (ctx, subject) == ctx->patient;
}

static gboolean
is_referral_category (JsonObject *concept)
{
  JsonArray *codings = jarr (concept, "coding");
  g_autofree char *text = g_ascii_strdown (jstr (concept, "text") ? jstr (concept, "text") : "", -1);

  if (strstr (text, "referral") != NULL)
    return TRUE;

  for (guint i = 0; i < MIN (jlen (codings), 16); i++)
    {
      const char *code = jstr (jarr_obj (codings, i), "code");
      g_autofree char *lower = g_ascii_strdown (code ? code : "", -1);

      /* SNOMED CT 3457005 is "patient referral". */
      if (strstr (lower, "referral") != NULL || g_strcmp0 (code, "3457005") == 0)
        return TRUE;
    }

  return FALSE;
}

static JsonObject *
choose_service_request (Ctx     *ctx,
                        GError **error)
{
  JsonObject *first = NULL;

  for (guint i = 0; i < ctx->resources->len; i++)
    {
      JsonObject *resource = g_ptr_array_index (ctx->resources, i);
      JsonObject *focus_ref;
      JsonObject *focus;
      const char *ref;

      if (!is_type (resource, "Task"))
        continue;

      focus_ref = jobj (resource, "focus");
      ref = reference_of (focus_ref);
      if (ref == NULL)
        {
          g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                               _("The task does not say which service request it is about (Task.focus is missing)."));
          return NULL;
        }

      focus = resolve (ctx, focus_ref);
      if (focus == NULL || !is_type (focus, "ServiceRequest"))
        {
          g_autofree char *shown = clean (ref);

          g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                       _("The task refers to the service request “%s”, which is not in the file. Ask the sender to send the task and the service request together in one bundle."),
                       shown != NULL ? shown : "");
          return NULL;
        }

      return focus;
    }

  for (guint i = 0; i < ctx->resources->len; i++)
    {
      JsonObject *resource = g_ptr_array_index (ctx->resources, i);
      JsonArray *categories;

      if (!is_type (resource, "ServiceRequest"))
        continue;
      if (first == NULL)
        first = resource;

      categories = jarr (resource, "category");
      for (guint c = 0; c < MIN (jlen (categories), 16); c++)
        if (is_referral_category (jarr_obj (categories, c)))
          return resource;
    }

  return first;
}

static RdStatus
status_from_fhir (const char *status)
{
  if (g_strcmp0 (status, "revoked") == 0)
    return RD_STATUS_CANCELLED;
  if (g_strcmp0 (status, "completed") == 0)
    return RD_STATUS_COMPLETED;
  return RD_STATUS_NEW;
}

static gboolean
read_referral (Ctx        *ctx,
               JsonObject *request,
               GError    **error)
{
  g_autoptr(RdReferral) referral = rd_referral_new ();
  const char *status = jstr (request, "status");
  const char *intent = jstr (request, "intent");
  JsonObject *subject = jobj (request, "subject");
  JsonObject *patient = NULL;
  RdPriority priority = RD_PRIORITY_ROUTINE;
  const char *priority_text = jstr (request, "priority");
  JsonArray *array;

  if (status == NULL)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                           _("The service request has no status (ServiceRequest.status), which FHIR requires."));
      return FALSE;
    }
  if (intent == NULL)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                           _("The service request has no intent (ServiceRequest.intent), which FHIR requires."));
      return FALSE;
    }
  if (subject == NULL)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                           _("The service request does not say who the patient is (ServiceRequest.subject), which FHIR requires."));
      return FALSE;
    }
  if (g_strcmp0 (status, "entered-in-error") == 0)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_UNSUPPORTED,
                           _("The sender marked this service request as entered in error; it was not imported."));
      return FALSE;
    }

  patient = resolve (ctx, subject);
  if (patient != NULL && !is_type (patient, "Patient"))
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_UNSUPPORTED,
                   _("The service request is for a %s, not a patient; only referrals of one patient can be imported."),
                   jstr (patient, "resourceType"));
      return FALSE;
    }
  if (patient == NULL && reference_of (subject) != NULL)
    {
      g_autofree char *shown = clean (reference_of (subject));

      if (ctx->in_bundle)
        {
          g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                       _("The service request refers to the patient “%s”, which is not in the bundle. Ask the sender to include the Patient resource."),
                       shown != NULL ? shown : "");
          return FALSE;
        }
      rd_intake_result_add_warning (ctx->result,
                                    _("The patient (“%s”) is not included in the file; find or add the patient by hand."),
                                    shown != NULL ? shown : "");
    }

  if (patient != NULL)
    {
      g_autoptr(RdPatient) record = patient_from (ctx, patient);

      ctx->patient = patient;
      rd_intake_result_set_patient (ctx->result, record);
    }

  rd_referral_set_direction (referral, RD_DIRECTION_INCOMING);
  rd_referral_set_channel (referral, "fhir");
  rd_intake_result_set_external_status (ctx->result, status);
  rd_referral_set_status (referral, status_from_fhir (status));

  if (priority_text != NULL && !rd_priority_from_string (priority_text, &priority))
    {
      g_autofree char *shown = clean (priority_text);
      rd_intake_result_add_warning (ctx->result,
                                    _("The priority “%s” is not known; the referral was taken as routine."),
                                    shown != NULL ? shown : "");
      priority = RD_PRIORITY_ROUTINE;
    }
  rd_referral_set_priority (referral, priority);

  {
    g_autofree char *number = clean (jstr (jarr_obj (jarr (request, "identifier"), 0), "value"));
    rd_referral_set_number (referral, number);
  }

  {
    g_autoptr(GDateTime) authored = rd_fhir_parse_date (jstr (request, "authoredOn"));
    JsonObject *period = jobj (request, "occurrencePeriod");
    g_autoptr(GDateTime) start = rd_fhir_parse_date (jstr (period, "start"));
    g_autoptr(GDateTime) end = rd_fhir_parse_date (jstr (period, "end"));

    rd_referral_set_received_at (referral, authored);
    rd_intake_result_set_sent_at (ctx->result, authored);
    rd_intake_result_set_validity (ctx->result, start, end);
  }

  /* Specialty: the first category that is not "this is a referral". */
  array = jarr (request, "category");
  for (guint i = 0; i < MIN (jlen (array), 16); i++)
    {
      JsonObject *category = jarr_obj (array, i);

      if (!is_referral_category (category))
        {
          g_autofree char *text = concept_text (category);
          rd_referral_set_specialty (referral, text);
          break;
        }
    }

  {
    g_autofree char *reason = concept_text (jfirst (request, "reasonCode"));

    if (reason == NULL)
      reason = clean (jstr (jfirst (request, "reasonReference"), "display"));
    if (reason == NULL)
      reason = concept_text (jobj (request, "code"));
    rd_referral_set_reason (referral, reason);
  }

  array = jarr (request, "reasonCode");
  for (guint i = 0; i < MIN (jlen (array), 16); i++)
    add_diagnoses (ctx, jarr_obj (array, i));
  array = jarr (request, "reasonReference");
  for (guint i = 0; i < MIN (jlen (array), 16); i++)
    {
      JsonObject *condition = resolve (ctx, jarr_obj (array, i));

      if (condition != NULL && is_type (condition, "Condition"))
        add_diagnoses (ctx, jobj (condition, "code"));
    }
  add_procedures (ctx, jobj (request, "code"), FALSE);

  array = jarr (request, "note");
  for (guint i = 0; i < MIN (jlen (array), RD_INTAKE_MAX_NOTES); i++)
    {
      g_autofree char *text = clean (jstr (jarr_obj (array, i), "text"));
      rd_intake_result_add_note (ctx->result, text);
    }

  /* Referring: the requester. Receiving: the performer in the role "RT"
   * (referred-to provider) when there is one, else the first performer
   * that is a person or organisation. */
  {
    JsonObject *requester_ref = jobj (request, "requester");
    g_autoptr(RdProvider) referring = provider_from (ctx, resolve (ctx, requester_ref), requester_ref);
    g_autoptr(RdProvider) receiving = NULL;
    JsonObject *chosen = NULL;
    JsonObject *chosen_ref = NULL;

    if (referring != NULL)
      rd_intake_result_set_referring (ctx->result, referring);

    array = jarr (request, "performer");
    for (guint i = 0; chosen == NULL && i < MIN (jlen (array), 16); i++)
      {
        JsonObject *candidate = resolve (ctx, jarr_obj (array, i));

        if (candidate != NULL && is_type (candidate, "PractitionerRole") &&
            concept_has_code (jfirst (candidate, "code"), "RT"))
          {
            chosen = candidate;
            chosen_ref = jarr_obj (array, i);
          }
      }
    for (guint i = 0; chosen == NULL && i < MIN (jlen (array), 16); i++)
      {
        JsonObject *candidate = resolve (ctx, jarr_obj (array, i));

        if (candidate != NULL && (is_type (candidate, "PractitionerRole") ||
                                  is_type (candidate, "Practitioner")))
          {
            chosen = candidate;
            chosen_ref = jarr_obj (array, i);
          }
      }
    if (chosen == NULL && jlen (array) > 0)
      {
        chosen_ref = jarr_obj (array, 0);
        chosen = resolve (ctx, chosen_ref);
      }

    receiving = provider_from (ctx, chosen, chosen_ref);
    if (receiving != NULL)
      rd_intake_result_set_receiving (ctx->result, receiving);
  }

  rd_intake_result_set_referral (ctx->result, referral);

  if (patient == NULL)
    {
      g_autofree char *display = clean (jstr (subject, "display"));
      rd_referral_set_patient_name (referral, display);
    }

  return TRUE;
}

static void
read_document (Ctx        *ctx,
               JsonObject *resource,
               guint       index)
{
  JsonArray *content = jarr (resource, "content");
  g_autofree char *description = clean (jstr (resource, "description"));
  g_autofree char *type_text = concept_text (jobj (resource, "type"));

  if (g_strcmp0 (jstr (resource, "status"), "entered-in-error") == 0)
    return;

  for (guint i = 0; i < MIN (jlen (content), 16); i++)
    {
      JsonObject *attachment = jobj (jarr_obj (content, i), "attachment");
      const char *declared = jstr (attachment, "contentType");
      const char *data = jstr (attachment, "data");
      const char *title = jstr (attachment, "title");
      g_autofree char *shown = clean (title != NULL ? title : (description ? description : type_text));
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(RdIntakeDocument) document = NULL;
      g_autofree char *name = NULL;
      const char *media_type;
      guchar *decoded;
      gsize decoded_len = 0;

      if (attachment == NULL)
        continue;

      if (data == NULL)
        {
          if (jstr (attachment, "url") != NULL)
            rd_intake_result_add_warning (ctx->result,
                                          _("The document “%s” is only a link, not included in the file; ask the sender to include it."),
                                          shown != NULL ? shown : _("(untitled)"));
          continue;
        }

      if (strlen (data) / 4 * 3 > RD_INTAKE_MAX_DOCUMENT_SIZE)
        {
          rd_intake_result_add_warning (ctx->result,
                                        _("The document “%s” is larger than %d MiB and was not imported."),
                                        shown != NULL ? shown : _("(untitled)"),
                                        RD_INTAKE_MAX_DOCUMENT_SIZE / (1024 * 1024));
          continue;
        }

      decoded = g_base64_decode (data, &decoded_len);
      bytes = g_bytes_new_take (decoded, decoded_len);
      media_type = rd_intake_sniff_media_type (bytes);

      if (media_type == NULL)
        {
          g_autofree char *what = g_strdup_printf ("%s (%s)", shown != NULL ? shown : _("(untitled)"),
                                                   declared != NULL ? declared : "?");

          if (g_strcmp0 (declared, "application/pdf") == 0 || g_strcmp0 (declared, "image/tiff") == 0)
            rd_intake_result_add_warning (ctx->result,
                                          _("The document “%s” says it is %s but its content is not; it was not imported."),
                                          shown != NULL ? shown : _("(untitled)"), declared);
          else
            rd_intake_result_add_skipped (ctx->result, what);
          continue;
        }

      if (rd_intake_result_get_documents (ctx->result)->len >= RD_INTAKE_MAX_DOCUMENTS)
        {
          rd_intake_result_add_warning (ctx->result,
                                        _("The file holds more than %d documents; the rest were not imported."),
                                        RD_INTAKE_MAX_DOCUMENTS);
          return;
        }

      name = rd_intake_sanitize_file_name (title != NULL ? title : description, media_type, index + i + 1);
      document = rd_intake_document_new (bytes, name, media_type, "fhir");
      {
        RdDocument *meta = rd_intake_document_get_metadata (document);
        g_autoptr(GDateTime) date = rd_fhir_parse_date (jstr (resource, "date"));

        rd_document_set_note (meta, description != NULL ? description : type_text);
        rd_document_set_received_at (meta, date);
      }
      rd_intake_result_add_document (ctx->result, document);
    }
}

static void
read_message_header (Ctx        *ctx,
                     JsonObject *bundle)
{
  for (guint i = 0; i < ctx->resources->len; i++)
    {
      JsonObject *resource = g_ptr_array_index (ctx->resources, i);
      JsonObject *source;
      g_autofree char *sender = NULL;

      if (!is_type (resource, "MessageHeader"))
        continue;

      source = jobj (resource, "source");
      sender = clean (jstr (source, "name") ? jstr (source, "name") : jstr (source, "endpoint"));
      rd_intake_result_set_sender (ctx->result, sender);
      break;
    }

  {
    g_autofree char *id = clean (jstr (jobj (bundle, "identifier"), "value"));

    if (id == NULL)
      id = clean (jstr (bundle, "id"));
    rd_intake_result_set_message_id (ctx->result, id);
  }
}

static gboolean
load_resources (Ctx        *ctx,
                JsonObject *root,
                GError    **error)
{
  static const char * const bundle_types[] = {
    "collection", "message", "batch", "transaction", "searchset", "document", NULL
  };
  const char *type = jstr (root, "resourceType");
  JsonArray *entries;

  if (!check_version (root, error))
    return FALSE;

  if (!is_type (root, "Bundle"))
    {
      index_resource (ctx, root, NULL);
      rd_intake_result_set_message_type (ctx->result, type);
      return TRUE;
    }

  ctx->in_bundle = TRUE;
  type = jstr (root, "type");
  if (type == NULL)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                           _("The bundle does not say what kind it is (Bundle.type), which FHIR requires."));
      return FALSE;
    }
  if (!g_strv_contains (bundle_types, type))
    {
      g_autofree char *shown = clean (type);

      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_UNSUPPORTED,
                   _("A “%s” bundle cannot be imported; send a collection, message, batch, transaction, search set or document bundle."),
                   shown != NULL ? shown : "");
      return FALSE;
    }

  {
    g_autofree char *message_type = g_strdup_printf ("Bundle (%s)", type);
    rd_intake_result_set_message_type (ctx->result, message_type);
  }

  entries = jarr (root, "entry");
  if (jlen (entries) > RD_FHIR_MAX_ENTRIES)
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE,
                   _("The bundle has more than %d entries; it was not read."),
                   RD_FHIR_MAX_ENTRIES);
      return FALSE;
    }

  for (guint i = 0; i < jlen (entries); i++)
    {
      JsonObject *entry = jarr_obj (entries, i);
      JsonObject *resource = jobj (entry, "resource");

      if (resource == NULL || jstr (resource, "resourceType") == NULL)
        continue;
      if (!check_version (resource, error))
        return FALSE;
      if (is_type (resource, "Bundle"))
        {
          rd_intake_result_add_warning (ctx->result,
                                        _("A bundle inside the bundle was not read."));
          continue;
        }
      index_resource (ctx, resource, jstr (entry, "fullUrl"));
    }

  read_message_header (ctx, root);
  return TRUE;
}

/**
 * rd_fhir_import:
 * @bytes: a FHIR R4 JSON file
 * @error: return location for a #RD_INTAKE_ERROR
 *
 * Reads a Bundle (collection, message, batch, transaction, search set,
 * document) or a single resource. A Task's focus, or else the
 * ServiceRequest whose category says "referral" (else the first one), is
 * the referral: its status, intent and subject are required, and inside a
 * Bundle the subject must be there. Its patient, the Coverages, the
 * requester (referring) and performer (receiving, the PractitionerRole
 * coded RT first), Conditions (ICD-10 diagnoses) and Procedures / code
 * (CPT, HCPCS) are read; other codes are left out with a warning.
 * DocumentReferences with an embedded PDF or TIFF (attachment.data) become
 * documents; a link alone is a warning. A Patient, Coverage, Practitioner,
 * PractitionerRole or Organization sent alone is read as such.
 *
 * Refused: files that are not JSON, nest deeper than %RD_FHIR_MAX_DEPTH,
 * are larger than %RD_FHIR_MAX_SIZE, state another FHIR version or use
 * STU3/R5-only shapes, and files with nothing importable.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
RdIntakeResult *
rd_fhir_import (GBytes  *bytes,
                GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) json_error = NULL;
  g_autoptr(RdIntakeResult) result = NULL;
  g_autoptr(GHashTable) index = NULL;
  g_autoptr(GPtrArray) resources = NULL;
  g_autoptr(GPtrArray) diagnoses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) procedures = g_ptr_array_new_with_free_func (g_free);
  JsonNode *root_node;
  JsonObject *root;
  JsonObject *request;
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  Ctx ctx = { 0 };

  if (size > RD_FHIR_MAX_SIZE)
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE,
                   _("The FHIR file is larger than %d MiB; it was not read."),
                   RD_FHIR_MAX_SIZE / (1024 * 1024));
      return NULL;
    }

  if (size >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    {
      data += 3;
      size -= 3;
    }

  if (size == 0)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("The file is empty: it holds no FHIR resource."));
      return NULL;
    }

  if (!check_depth (data, size, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) size, &json_error))
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                   _("This is not a readable FHIR JSON file: %s"), json_error->message);
      return NULL;
    }

  root_node = json_parser_get_root (parser);
  if (root_node == NULL || !JSON_NODE_HOLDS_OBJECT (root_node) ||
      jstr (json_node_get_object (root_node), "resourceType") == NULL)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("This JSON file is not a FHIR resource: it has no “resourceType”."));
      return NULL;
    }
  root = json_node_get_object (root_node);

  result = rd_intake_result_new ("fhir");
  index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  resources = g_ptr_array_new ();
  ctx.result = result;
  ctx.index = index;
  ctx.resources = resources;
  ctx.diagnoses = diagnoses;
  ctx.procedures = procedures;

  if (!load_resources (&ctx, root, error))
    return NULL;

  request = choose_service_request (&ctx, error);
  if (request == NULL && error != NULL && *error != NULL)
    return NULL;

  if (request != NULL)
    {
      rd_intake_result_set_event (result, RD_INTAKE_EVENT_NEW);
      if (!read_referral (&ctx, request, error))
        return NULL;
    }

  for (guint i = 0; i < resources->len; i++)
    {
      JsonObject *resource = g_ptr_array_index (resources, i);

      if (is_type (resource, "Patient") && rd_intake_result_get_patient (result) == NULL &&
          request == NULL)
        {
          g_autoptr(RdPatient) patient = patient_from (&ctx, resource);

          ctx.patient = resource;
          rd_intake_result_set_patient (result, patient);
        }
    }

  for (guint i = 0; i < resources->len; i++)
    {
      JsonObject *resource = g_ptr_array_index (resources, i);

      if (is_type (resource, "Coverage"))
        {
          g_autoptr(RdCoverage) coverage = NULL;
          JsonObject *beneficiary = resolve (&ctx, jobj (resource, "beneficiary"));

          if (ctx.patient != NULL && beneficiary != NULL && beneficiary != ctx.patient)
            continue;
          if (rd_intake_result_get_coverages (result)->len >= MAX_COVERAGES)
            continue;
          coverage = coverage_from (&ctx, resource);
          rd_intake_result_add_coverage (result, coverage);
        }
      else if (is_type (resource, "Condition") && request != NULL &&
               belongs_to_patient (&ctx, resource))
        add_diagnoses (&ctx, jobj (resource, "code"));
      else if (is_type (resource, "Procedure") && request != NULL &&
               belongs_to_patient (&ctx, resource))
        add_procedures (&ctx, jobj (resource, "code"), TRUE);
      else if (is_type (resource, "DocumentReference"))
        read_document (&ctx, resource, i);
      else if (request == NULL &&
               (is_type (resource, "Practitioner") || is_type (resource, "PractitionerRole") ||
                (is_type (resource, "Organization") &&
                 !concept_has_code (jfirst (resource, "type"), "pay"))))
        {
          g_autoptr(RdProvider) provider = NULL;

          if (rd_intake_result_get_providers (result)->len >= MAX_PROVIDERS)
            continue;
          provider = provider_from (&ctx, resource, NULL);
          if (provider != NULL)
            rd_intake_result_add_provider (result, provider);
        }
      else if (request == NULL && is_type (resource, "Organization"))
        {
          /* A payer sent alone: keep it as a coverage without a member. */
          g_autoptr(RdCoverage) coverage = rd_coverage_new ();
          g_autofree char *name = clean (jstr (resource, "name"));

          if (name == NULL || rd_intake_result_get_coverages (result)->len >= MAX_COVERAGES)
            continue;
          g_object_set (coverage, "payer-name", name, "source", "fhir", NULL);
          rd_intake_result_add_coverage (result, coverage);
        }
    }

  rd_intake_finish_referral (result, diagnoses, procedures);

  if (rd_intake_result_is_empty (result))
    {
      const char * const *warnings = rd_intake_result_get_warnings (result);

      if (warnings[0] != NULL)
        g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                     _("Nothing in this FHIR file can be imported. %s"), warnings[0]);
      else
        g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                             _("Nothing in this FHIR file can be imported: it holds no referral, patient, insurance, provider or embedded document."));
      return NULL;
    }

  return g_steal_pointer (&result);
}
