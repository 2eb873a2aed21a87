/* rd-admin-seed.c — referral-desk-admin seed-demo: a realistic, invented database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fills a database fresh from `init-db` with teams, queues, staff, payers
 * and plans with prior-authorization rules, organisations and providers with
 * valid NPIs, community resources, patients with coverage, and referrals in
 * every state and priority with the history that led there: status events,
 * authorizations, appointments, tasks, missing items, calls, barriers, and
 * synthetic fax PDFs (some filed with referrals, some waiting in the inbox,
 * one of 24 pages).
 *
 * Deterministic: every row draws from its own splitmix64 sequence keyed by
 * (seed, table, row), and all times are offsets from an anchor date (today,
 * or --anchor), so the same seed and anchor give the same rows.
 *
 * Fast: the rows go in with COPY in one transaction with
 * session_replication_role = replica, which is how PostgreSQL restores dumps:
 * per-row triggers (stamps, the referral guard, events, audit, NOTIFY) and
 * foreign-key checks are off for the load. That is why it needs a superuser.
 * In exchange this file writes what the triggers would have written: the
 * referral_event history walks only transitions rd_lifecycle_can_transition()
 * allows (checked here for every step), closed_at and close reasons follow the
 * status, and audit.log gets one record per table naming the bulk load (a
 * million per-row audit records of invented data would only bury real ones).
 * Listeners get one {"op":"BULK"} notification per table, as for any bulk
 * change, and resync.
 *
 * Re-running on a database that already has patients, referrals, a directory
 * or the demo teams is refused and changes nothing: seed-demo never mixes
 * invented rows into real ones. Teams, queues and staff made by init (as the
 * local desk's setup does) may be there; the demo ones are added beside them.
 */
#include "config.h"

/* Translatable strings use PRId64/PRIu64: xgettext understands them, not G_GINT64_FORMAT. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <libpq-fe.h>

#include "rd-admin.h"
#include "rd-admin-seed.h"
#include "rd-demo-data.h"
#include "rd-fax-synth.h"
#include "rd-lifecycle.h"
#include "rd-priority.h"
#include "rd-validate.h"

#define DAY   (24 * 3600)
#define HOUR  3600
#define MAX_PATH 16

enum {
  STREAM_PATIENT = 1,
  STREAM_REFERRAL,
  STREAM_EVENT,
  STREAM_AUTH,
  STREAM_APPOINTMENT,
  STREAM_TASK,
  STREAM_MISSING,
  STREAM_COMMUNICATION,
  STREAM_PROVIDER,
  STREAM_ORGANIZATION,
  STREAM_DOCUMENT,
  STREAM_COVERAGE,
};

/* Teams, queues and staff ------------------------------------------------------------ */

static const struct {
  const char *name;
  const char *description;
} teams[] = {
  { "Intake", "Receives every referral, files faxes and routes work to the specialty teams." },
  { "Cardiology", "Referrals to cardiology clinics and cardiac testing." },
  { "Imaging", "MRI, CT, ultrasound and X-ray orders." },
  { "Orthopedics", "Orthopedic surgery, sports medicine and physical therapy." },
  { "Behavioral health", "Counseling, psychiatry and substance use services." },
};

#define QUEUE_FAX_INBOX 1  /* index of the intake queue faxes arrive in */

static const struct {
  guint       team;
  const char *name;
  const char *kind;
  guint       weight;          /* share of the referrals */
  const char *specialties[4];
} queues[] = {
  { 0, "New referrals", "worklist", 16, { "Gastroenterology", "Neurology", "Endocrinology", "Pulmonology" } },
  { 0, "Fax inbox", "intake", 0, { NULL } },
  { 1, "Cardiology", "worklist", 12, { "Cardiology", NULL } },
  { 1, "Cardiac testing", "worklist", 9, { "Cardiology", NULL } },
  { 2, "MRI and CT", "worklist", 12, { "Radiology", NULL } },
  { 2, "Ultrasound and X-ray", "worklist", 9, { "Radiology", NULL } },
  { 3, "Orthopedics", "worklist", 11, { "Orthopedics", NULL } },
  { 3, "Physical therapy", "worklist", 9, { "Physical therapy", NULL } },
  { 4, "Behavioral health", "worklist", 12, { "Behavioral health", NULL } },
  { 4, "Psychiatry", "worklist", 10, { "Psychiatry", NULL } },
};
#define N_QUEUES G_N_ELEMENTS (queues)

typedef enum { STAFF_SPECIALIST, STAFF_LEAD, STAFF_ADMIN } StaffRole;

static const struct {
  const char *login;
  const char *name;
  StaffRole   role;
  int         teams[2];        /* -1: none; a lead leads teams[0] */
} staff[] = {
  { "demo_admin", "Robin Castellano", STAFF_ADMIN, { -1, -1 } },
  { "demo_maria", "Maria Faircloth", STAFF_LEAD, { 0, -1 } },
  { "demo_jose", "Jose Zeballos", STAFF_SPECIALIST, { 0, -1 } },
  { "demo_linh", "Linh Nakashima", STAFF_SPECIALIST, { 0, -1 } },
  { "demo_grace", "Grace Okafor", STAFF_LEAD, { 1, -1 } },
  { "demo_omar", "Omar Hartigan", STAFF_SPECIALIST, { 1, -1 } },
  { "demo_ingrid", "Ingrid Blackwood", STAFF_SPECIALIST, { 1, -1 } },
  { "demo_david", "David Quennell", STAFF_LEAD, { 2, -1 } },
  { "demo_priya", "Priya Abernathy", STAFF_SPECIALIST, { 2, -1 } },
  { "demo_sam", "Sam Delacroix", STAFF_SPECIALIST, { 2, 3 } },
  { "demo_ruth", "Ruth Marchetti", STAFF_LEAD, { 3, -1 } },
  { "demo_kofi", "Kofi Mensah", STAFF_SPECIALIST, { 3, -1 } },
  { "demo_elena", "Elena Ostrowicz", STAFF_LEAD, { 4, -1 } },
  { "demo_tomasz", "Tomasz Novak", STAFF_SPECIALIST, { 4, -1 } },
  { "demo_ava", "Ava Thistlewaite", STAFF_SPECIALIST, { 4, -1 } },
};
#define N_STAFF G_N_ELEMENTS (staff)

/* Payers, plans and the clinical content of referrals ------------------------------- */

static const struct {
  const char *name;
  const char *code;
  const char *phone;
} payers[] = {
  { "Meridian Mutual Health", "MMH01", "+18005550101" },
  { "Bluewater Health Plan", "BWHP2", "+18005550102" },
  { "Summit Commercial PPO", "SUMM3", "+18005550103" },
  { "Medicare", "MCARE", "+18005550104" },
  { "Keystone Senior Advantage", "KSA05", "+18005550105" },
  { "Prairie State Medicaid", "PSMCD", "+18005550106" },
};

/* Authorization rules: array literals of specialties and procedure prefixes. */
static const struct {
  guint       payer;
  const char *name;
  const char *kind;
  const char *auth_specialties;
  const char *auth_procedures;
} plans[] = {
  { 0, "Meridian PPO", "commercial", "{}", "{70551,72148,74177,27447}" },
  { 0, "Meridian HMO", "commercial",
    "{Cardiology,Orthopedics,Radiology,Psychiatry,\"Behavioral health\",Gastroenterology,Neurology}", "{}" },
  { 1, "Bluewater Choice PPO", "commercial", "{}", "{705,721,741,933,958}" },
  { 2, "Summit Gold EPO", "commercial", "{\"Physical therapy\"}", "{70,72,74,27}" },
  { 3, "Medicare Part B", "medicare", "{}", "{}" },
  { 4, "Keystone Senior Advantage HMO", "medicare", "{Radiology,Cardiology,\"Physical therapy\"}", "{27447}" },
  { 5, "Prairie State Medicaid Managed Care", "medicaid",
    "{Radiology,Orthopedics,Psychiatry,\"Behavioral health\",\"Physical therapy\"}", "{}" },
  { 5, "Prairie State Medicaid Fee-for-Service", "medicaid", "{}", "{70551,72148,95810}" },
};
#define N_PLANS G_N_ELEMENTS (plans)

/* The same rules as C data, to decide which referrals wait for an authorization. */
static const char *const plan_auth_specialties[N_PLANS][8] = {
  { NULL },
  { "Cardiology", "Orthopedics", "Radiology", "Psychiatry", "Behavioral health", "Gastroenterology", "Neurology", NULL },
  { NULL },
  { "Physical therapy", NULL },
  { NULL },
  { "Radiology", "Cardiology", "Physical therapy", NULL },
  { "Radiology", "Orthopedics", "Psychiatry", "Behavioral health", "Physical therapy", NULL },
  { NULL },
};
static const char *const plan_auth_procedures[N_PLANS][6] = {
  { "70551", "72148", "74177", "27447", NULL },
  { NULL },
  { "705", "721", "741", "933", "958", NULL },
  { "70", "72", "74", "27", NULL },
  { NULL },
  { "27447", NULL },
  { NULL },
  { "70551", "72148", "95810", NULL },
};

static const struct {
  const char *specialty;
  const char *diagnoses;       /* array literal */
  const char *procedures;      /* array literal */
  const char *dx[3];
  const char *px[3];
  const char *reason;
} clinical[] = {
  { "Cardiology", "{I10,R07.9}", "{93015,93306}", { "I10", "R07.9" }, { "93015", "93306" },
    "Exertional chest discomfort for three weeks with elevated blood pressure despite treatment. Please evaluate for stress testing." },
  { "Cardiology", "{I48.91}", "{93000,93224}", { "I48.91" }, { "93000", "93224" },
    "New atrial fibrillation on ECG. Please evaluate for anticoagulation and rate control." },
  { "Cardiology", "{I50.9,R06.02}", "{93306}", { "I50.9", "R06.02" }, { "93306" },
    "Worsening shortness of breath and ankle swelling. Evaluate for heart failure; echocardiogram requested." },
  { "Cardiology", "{R00.2}", "{93224}", { "R00.2" }, { "93224" },
    "Palpitations with lightheadedness. Requesting Holter monitoring and cardiology opinion." },
  { "Radiology", "{M54.50}", "{72148}", { "M54.50" }, { "72148" },
    "Low back pain radiating to the left leg for eight weeks despite therapy. MRI lumbar spine without contrast requested." },
  { "Radiology", "{R51.9,G43.909}", "{70551}", { "R51.9", "G43.909" }, { "70551" },
    "New persistent headaches with visual aura. MRI brain without contrast requested." },
  { "Radiology", "{R10.9}", "{74177}", { "R10.9" }, { "74177" },
    "Abdominal pain of unclear cause. CT abdomen and pelvis with contrast requested." },
  { "Radiology", "{N63.0}", "{76641}", { "N63.0" }, { "76641" },
    "Palpable lump in the left breast. Diagnostic ultrasound requested." },
  { "Radiology", "{M25.511}", "{73030}", { "M25.511" }, { "73030" },
    "Right shoulder pain after a fall. Shoulder X-ray, two views, requested." },
  { "Orthopedics", "{M17.11,M25.561}", "{99204,27447}", { "M17.11", "M25.561" }, { "99204", "27447" },
    "Right knee osteoarthritis with worsening pain after six weeks of physical therapy. Surgical opinion requested." },
  { "Orthopedics", "{M75.101}", "{99203}", { "M75.101" }, { "99203" },
    "Suspected rotator cuff tear with weakness on abduction. Please evaluate." },
  { "Orthopedics", "{S52.501A}", "{99203}", { "S52.501A" }, { "99203" },
    "Distal radius fracture, casted in urgent care. Orthopedic follow-up requested." },
  { "Physical therapy", "{M54.50}", "{97161,97110}", { "M54.50" }, { "97161", "97110" },
    "Physical therapy evaluation and treatment for chronic low back pain, twice weekly for six weeks." },
  { "Physical therapy", "{M17.11}", "{97161}", { "M17.11" }, { "97161" },
    "Strengthening and gait training for knee osteoarthritis." },
  { "Behavioral health", "{F41.1}", "{90791,90834}", { "F41.1" }, { "90791", "90834" },
    "Generalized anxiety affecting work and sleep. Counseling intake requested." },
  { "Behavioral health", "{F32.9}", "{90791}", { "F32.9" }, { "90791" },
    "Depressive symptoms for four months, PHQ-9 of 14. Please evaluate for therapy." },
  { "Psychiatry", "{F31.9}", "{90792}", { "F31.9" }, { "90792" },
    "Bipolar disorder, recently off medication. Psychiatric evaluation and medication management requested." },
  { "Psychiatry", "{F90.0}", "{90792}", { "F90.0" }, { "90792" },
    "Adult with attention difficulties since childhood. Evaluation for ADHD requested." },
  { "Gastroenterology", "{K21.9,R10.13}", "{43235}", { "K21.9", "R10.13" }, { "43235" },
    "Persistent epigastric pain and reflux despite a proton pump inhibitor. Upper endoscopy requested." },
  { "Gastroenterology", "{Z12.11}", "{45378}", { "Z12.11" }, { "45378" },
    "Screening colonoscopy; family history of colon cancer in a first-degree relative." },
  { "Neurology", "{G43.909,R51.9}", "{99204}", { "G43.909", "R51.9" }, { "99204" },
    "Frequent migraines, now weekly. Please advise on preventive therapy." },
  { "Neurology", "{G40.909}", "{95816}", { "G40.909" }, { "95816" },
    "First unprovoked seizure last month. EEG and neurology evaluation requested." },
  { "Endocrinology", "{E11.65,E78.5}", "{99204}", { "E11.65", "E78.5" }, { "99204" },
    "Type 2 diabetes with A1c of 9.4 percent on two oral agents. Please advise on insulin." },
  { "Endocrinology", "{E05.90}", "{99203}", { "E05.90" }, { "99203" },
    "Suppressed TSH with weight loss and tremor. Evaluation for hyperthyroidism." },
  { "Pulmonology", "{J44.9,R06.02}", "{94010}", { "J44.9", "R06.02" }, { "94010" },
    "COPD with two exacerbations this year. Pulmonary function testing requested." },
  { "Pulmonology", "{G47.33}", "{95810}", { "G47.33" }, { "95810" },
    "Loud snoring and daytime sleepiness. Sleep study requested." },
};
#define N_CLINICAL G_N_ELEMENTS (clinical)

static const char *const specialist_specialties[] = {
  "Cardiology", "Radiology", "Orthopedics", "Physical therapy", "Behavioral health",
  "Psychiatry", "Gastroenterology", "Neurology", "Endocrinology", "Pulmonology",
};
#define N_SPECIALTIES G_N_ELEMENTS (specialist_specialties)

static const char *const primary_care[] = { "Family medicine", "Internal medicine", "Pediatrics" };

static const char *const org_words[] = {
  "Maple Grove", "Riverside", "Lakeshore", "Cedar Hill", "Sunvale", "Northgate", "Pinecrest",
  "Harborview", "Oak Valley", "Westbrook", "Stonebridge", "Meadowlark", "Fairhaven", "Bayside",
};
static const char *const org_kinds[][2] = {
  { "Family Medicine", "practice" }, { "Primary Care Associates", "practice" },
  { "Community Health Center", "clinic" }, { "Medical Center", "hospital" },
  { "Specialty Clinic", "clinic" }, { "Imaging Center", "imaging" },
  { "Internal Medicine", "practice" },
};

static const struct {
  const char *name;
  const char *service;
  const char *description;
  const char *eligibility;
  const char *languages;
  const char *url;
} resources[] = {
  { "Lifeline Medical Interpreters", "Interpreter services",
    "Telephone and in-person interpreters for medical visits.", "Anyone with a scheduled visit.",
    "{es,vi,zh,ar,ru,ht,pt}", "https://interpreters.example.org" },
  { "Ride to Care", "Non-emergency medical transportation",
    "Door-to-door rides to medical appointments, booked two days ahead.", "Medicaid members and adults over 60.",
    "{en,es}", "https://ridetocare.example.org" },
  { "Neighborhood Food Pantry", "Food assistance", "Weekly groceries and referral to SNAP enrollment.",
    "Residents of the county.", "{en,es}", "https://pantry.example.org" },
  { "Sliding Scale Counseling Collective", "Counseling", "Individual counseling priced by income.",
    "Adults 18 and over.", "{en,es}", "https://counseling.example.org" },
  { "Prescription Assistance Program", "Medication cost assistance",
    "Help applying to manufacturer assistance programs.", "Uninsured or underinsured patients.",
    "{en}", "https://rxhelp.example.org" },
  { "Little Steps Childcare", "Childcare during appointments", "Drop-in childcare for parents at medical visits.",
    "Parents of children aged 1 to 10.", "{en,es}", "https://littlesteps.example.org" },
  { "Senior Connections", "Care coordination for older adults",
    "Home visits, caregiver support and help with forms.", "Adults 65 and over.", "{en,es,zh}",
    "https://seniors.example.org" },
  { "Housing Help Desk", "Housing assistance", "Emergency rent help and shelter placement.",
    "Anyone facing loss of housing.", "{en,es,ht}", "https://housing.example.org" },
  { "Recovery Peer Network", "Substance use peer support", "Peer recovery coaches and group meetings.",
    "Adults in or seeking recovery.", "{en,es}", "https://recovery.example.org" },
  { "Health Literacy Library", "Patient education", "Plain-language guides and one-to-one help reading medical forms.",
    "Anyone.", "{en,es,vi}", "https://literacy.example.org" },
};
#define RESOURCE_INTERPRETER 1
#define RESOURCE_TRANSPORT   2

static const struct {
  const char *tag;
  guint       weight;
} languages[] = {
  { "en", 74 }, { "es", 16 }, { "vi", 2 }, { "zh", 2 }, { "ar", 1 }, { "ru", 1 }, { "ht", 2 }, { "pt", 2 },
};

static const char *const channels[] = { "fax", "hl7", "fhir", "email", "phone", "portal", "scan", "manual" };
static const guint channel_weights[] = { 40, 15, 5, 10, 10, 8, 7, 5 };

/* Order of RdStatus; the shares of a large population (30 % open). */
static const guint status_weights[RD_N_STATUSES] = {
  [RD_STATUS_NEW] = 80, [RD_STATUS_TRIAGE] = 50, [RD_STATUS_PENDING_INFO] = 40,
  [RD_STATUS_PENDING_AUTH] = 40, [RD_STATUS_ACCEPTED] = 30, [RD_STATUS_SCHEDULED] = 40,
  [RD_STATUS_NO_SHOW] = 10, [RD_STATUS_SEEN] = 10, [RD_STATUS_COMPLETED] = 500,
  [RD_STATUS_DECLINED] = 70, [RD_STATUS_CANCELLED] = 80, [RD_STATUS_EXPIRED] = 50,
};
static const guint priority_weights[RD_N_PRIORITIES] = { 70, 15, 10, 5 };

static const char *const decline_reasons[] = {
  "Service not offered at this location; referring office advised.",
  "Not medically necessary per the reviewing clinician.",
  "Authorization denied by the health plan.",
  "Duplicate of an existing referral.",
};
static const char *const cancel_reasons[] = {
  "Patient declined the referral.",
  "Referring clinician withdrew the order.",
  "Patient moved out of the service area.",
  "Patient chose another provider.",
  "Unable to reach the patient after three attempts.",
};

/* Generated rows ---------------------------------------------------------------------- */

typedef struct {
  guint64     id;
  char       *family;
  const char *given;
  const char *middle;
  int         y, m, d;
  gboolean    female;
  char        phone_home[16];
  char        phone_mobile[16];
  guint       place;
  guint       street;
  guint       house;
  guint       language;
  const char *contact;
  char        mrn[16];
  int         plan;            /* -1: uninsured */
  int         plan2;           /* secondary coverage, -1: none */
  char        member_id[16];
  gint64      created;
} Patient;

typedef struct {
  guint64     id;
  guint       queue;           /* index into queues[] */
  guint64     patient;
  int         plan;
  guint       clinical;
  RdPriority  priority;
  RdStatus    status;
  RdStatus    path[MAX_PATH];
  gint64      at[MAX_PATH];
  guint       n_path;
  gint64      received;
  gint64      due;
  gint64      closed;          /* 0 while open */
  const char *channel;
  gboolean    outgoing;
  gboolean    needs_auth;
  const char *assignee;
  const char *handler;         /* who worked on it (the assignee, if any) */
  const char *claimed_by;
  const char *close_reason;
  guint64     referring;
  guint64     receiving;
} Referral;

typedef struct {
  PGconn     *conn;
  guint64     seed;
  guint64     n_referrals;
  guint64     n_patients;
  guint64     n_providers;
  guint64     n_primary;       /* providers 1..n_primary are in primary care */
  guint64     n_orgs;
  guint       n_fax_referrals;
  guint       n_inbox;
  gint64      anchor;          /* unix seconds, midnight UTC */
  gint64      team_base;       /* ids already taken (a team made by init) */
  gint64      queue_base;
  gint64      staff_base;
  gint64      started;         /* monotonic µs */
  gint8      *patient_plan;    /* [n_patients + 1] */
  guint8     *patient_language;
  guint       queue_clinical[N_QUEUES][N_CLINICAL];
  guint       n_queue_clinical[N_QUEUES];
  const char *team_members[G_N_ELEMENTS (teams)][N_STAFF];
  guint       n_team_members[G_N_ELEMENTS (teams)];
  GString    *buf;
  guint64     rows;
  GArray     *table_rows;      /* TableCount */
} Seed;

typedef struct {
  const char *table;
  guint64     rows;
} TableCount;

/* COPY ---------------------------------------------------------------------------------- */

static gboolean
check_result (PGresult       *res,
              ExecStatusType  wanted,
              GError        **error)
{
  if (PQresultStatus (res) != wanted)
    {
      const char *msg = PQresultErrorMessage (res);
      g_autofree char *text = g_strdup (msg != NULL && *msg != '\0' ? msg
                                        : PQresStatus (PQresultStatus (res)));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", g_strchomp (text));
      PQclear (res);
      return FALSE;
    }
  PQclear (res);
  return TRUE;
}

/* Runs a constant statement (never one with values pasted in). */
static gboolean
exec_sql (Seed        *s,
          const char  *sql,
          GError     **error)
{
  PGresult *res = PQexec (s->conn, sql);
  ExecStatusType st = PQresultStatus (res);

  return check_result (res, st == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, error);
}

static void
elapsed_note (Seed       *s,
              const char *what,
              guint64     rows)
{
  double secs = (g_get_monotonic_time () - s->started) / 1e6;

  /* Translators: a progress line: table name, row count, seconds since the start */
  g_print (_("  %-20s %10" PRIu64 " rows   %7.1f s\n"), what, rows, secs);
}

static gboolean
copy_begin (Seed        *s,
            const char  *sql,
            GError     **error)
{
  PGresult *res = PQexec (s->conn, sql);

  g_string_truncate (s->buf, 0);
  s->rows = 0;
  return check_result (res, PGRES_COPY_IN, error);
}

static gboolean
copy_flush (Seed    *s,
            GError **error)
{
  if (s->buf->len == 0)
    return TRUE;
  if (PQputCopyData (s->conn, s->buf->str, (int) s->buf->len) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", PQerrorMessage (s->conn));
      return FALSE;
    }
  g_string_truncate (s->buf, 0);
  return TRUE;
}

static gboolean
copy_row_done (Seed    *s,
               GError **error)
{
  s->buf->str[s->buf->len - 1] = '\n';  /* the last field's tab */
  s->rows++;
  if (s->buf->len >= 1024 * 1024)
    return copy_flush (s, error);
  return TRUE;
}

static gboolean
copy_end (Seed        *s,
          const char  *table,
          GError     **error)
{
  TableCount tc = { table, s->rows };

  if (!copy_flush (s, error))
    return FALSE;
  if (PQputCopyEnd (s->conn, NULL) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", PQerrorMessage (s->conn));
      return FALSE;
    }
  if (!check_result (PQgetResult (s->conn), PGRES_COMMAND_OK, error))
    {
      /* Drain what is left so the connection stays usable for ROLLBACK. */
      PGresult *res;

      while ((res = PQgetResult (s->conn)) != NULL)
        PQclear (res);
      return FALSE;
    }
  g_array_append_val (s->table_rows, tc);
  elapsed_note (s, table, s->rows);
  return TRUE;
}

/* Fields: each ends with a tab; copy_row_done() turns the last into a newline. */
static void
f_text (Seed       *s,
        const char *text)
{
  if (text == NULL)
    {
      g_string_append (s->buf, "\\N\t");
      return;
    }
  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '\\': g_string_append (s->buf, "\\\\"); break;
        case '\t': g_string_append (s->buf, "\\t"); break;
        case '\n': g_string_append (s->buf, "\\n"); break;
        case '\r': g_string_append (s->buf, "\\r"); break;
        default: g_string_append_c (s->buf, *p); break;
        }
    }
  g_string_append_c (s->buf, '\t');
}

static void
f_int (Seed   *s,
       gint64  value)
{
  g_string_append_printf (s->buf, "%" G_GINT64_FORMAT "\t", value);
}

/* 0 means NULL for ids. */
static void
f_id (Seed    *s,
      guint64  value)
{
  if (value == 0)
    g_string_append (s->buf, "\\N\t");
  else
    g_string_append_printf (s->buf, "%" G_GUINT64_FORMAT "\t", value);
}

/* A timestamp in UTC; 0 means NULL. */
static void
f_ts (Seed   *s,
      gint64  unix_time)
{
  struct tm tm;
  time_t t = (time_t) unix_time;

  if (unix_time == 0)
    {
      g_string_append (s->buf, "\\N\t");
      return;
    }
  gmtime_r (&t, &tm);
  g_string_append_printf (s->buf, "%04d-%02d-%02d %02d:%02d:%02d+00\t",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
f_date (Seed   *s,
        gint64  unix_time)
{
  struct tm tm;
  time_t t = (time_t) unix_time;

  if (unix_time == 0)
    {
      g_string_append (s->buf, "\\N\t");
      return;
    }
  gmtime_r (&t, &tm);
  g_string_append_printf (s->buf, "%04d-%02d-%02d\t", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Row generators ------------------------------------------------------------------------ */

static const char *
team_member (Seed      *s,
             guint      team,
             RdDemoRng *rng)
{
  return s->team_members[team][rd_demo_rng_below (rng, s->n_team_members[team])];
}

static void
patient_make (Seed    *s,
              guint64  id,
              Patient *p)
{
  RdDemoRng rng;
  guint lang_weights[G_N_ELEMENTS (languages)];
  int anchor_year;
  int age;
  struct tm tm;
  time_t t = (time_t) s->anchor;

  gmtime_r (&t, &tm);
  anchor_year = tm.tm_year + 1900;

  rd_demo_rng_init (&rng, s->seed, STREAM_PATIENT, id);
  memset (p, 0, sizeof *p);
  p->id = id;
  p->female = rd_demo_rng_chance (&rng, 0.54);
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    lang_weights[i] = languages[i].weight;
  p->language = rd_demo_rng_weighted (&rng, lang_weights, G_N_ELEMENTS (languages));
  /* Spanish speakers get Spanish given names more often. */
  if (p->female)
    p->given = rd_demo_given_female[p->language == 1 ? rd_demo_rng_below (&rng, 15)
                                    : rd_demo_rng_below (&rng, rd_demo_n_given_female)];
  else
    p->given = rd_demo_given_male[p->language == 1 ? rd_demo_rng_below (&rng, 13)
                                  : rd_demo_rng_below (&rng, rd_demo_n_given_male)];
  p->family = rd_demo_family_name (&rng);
  if (rd_demo_rng_chance (&rng, 0.25))
    p->middle = p->female ? rd_demo_given_female[rd_demo_rng_below (&rng, rd_demo_n_given_female)]
                          : rd_demo_given_male[rd_demo_rng_below (&rng, rd_demo_n_given_male)];

  /* Ages 0–99, more of them older, as in a referral population. */
  age = (int) (rd_demo_rng_double (&rng) * rd_demo_rng_double (&rng) * 40 + rd_demo_rng_below (&rng, 60));
  p->y = anchor_year - age - 1;
  p->m = 1 + (int) rd_demo_rng_below (&rng, 12);
  p->d = 1 + (int) rd_demo_rng_below (&rng, 28);

  p->place = rd_demo_rng_below (&rng, rd_demo_n_places);
  p->street = rd_demo_rng_below (&rng, rd_demo_n_streets);
  p->house = 10 + rd_demo_rng_below (&rng, 9900);
  rd_demo_make_phone (p->phone_home, rd_demo_places[p->place].area_code, rd_demo_rng_below (&rng, 100));
  if (rd_demo_rng_chance (&rng, 0.7))
    rd_demo_make_phone (p->phone_mobile, rd_demo_places[p->place].area_code, rd_demo_rng_below (&rng, 100));
  p->contact = rd_demo_rng_chance (&rng, 0.6) ? "phone"
               : rd_demo_rng_chance (&rng, 0.5) ? "sms" : rd_demo_rng_chance (&rng, 0.5) ? "email" : "portal";
  /* Unique per database: 7919 is coprime with 9·10^7. */
  g_snprintf (p->mrn, sizeof p->mrn, "%08" G_GUINT64_FORMAT,
              (id * 7919 + s->seed % 1000003) % 90000000 + 10000000);

  if (age >= 65)
    p->plan = rd_demo_rng_chance (&rng, 0.6) ? 4 : 5;
  else if (rd_demo_rng_chance (&rng, 0.05))
    p->plan = -1;
  else if (rd_demo_rng_chance (&rng, 0.3))
    p->plan = rd_demo_rng_chance (&rng, 0.7) ? 6 : 7;
  else
    p->plan = (int) rd_demo_rng_below (&rng, 4);
  p->plan2 = (p->plan == 4 && rd_demo_rng_chance (&rng, 0.2)) ? 7 : -1;
  g_snprintf (p->member_id, sizeof p->member_id, "%c%c%c%09u",
              'A' + rd_demo_rng_below (&rng, 26), 'A' + rd_demo_rng_below (&rng, 26),
              'A' + rd_demo_rng_below (&rng, 26), rd_demo_rng_below (&rng, 1000000000));
  p->created = s->anchor - (gint64) rd_demo_rng_below (&rng, 1200) * DAY - rd_demo_rng_below (&rng, DAY);
}

static void
patient_clear (Patient *p)
{
  g_clear_pointer (&p->family, g_free);
}

static gboolean
plan_needs_auth (int         plan,
                 guint       clin)
{
  if (plan < 0)
    return FALSE;
  for (guint i = 0; plan_auth_specialties[plan][i] != NULL; i++)
    if (g_str_equal (plan_auth_specialties[plan][i], clinical[clin].specialty))
      return TRUE;
  for (guint i = 0; plan_auth_procedures[plan][i] != NULL; i++)
    for (guint j = 0; j < 3 && clinical[clin].px[j] != NULL; j++)
      if (g_str_has_prefix (clinical[clin].px[j], plan_auth_procedures[plan][i]))
        return TRUE;
  return FALSE;
}

static void
path_push (Referral *r,
           RdStatus  status)
{
  g_assert (r->n_path < MAX_PATH);
  /* The history must be one the lifecycle (and the database trigger) allows. */
  g_assert (r->n_path == 0 || rd_lifecycle_can_transition (r->path[r->n_path - 1], status));
  r->path[r->n_path++] = status;
}

static void
path_to_accepted (Referral  *r,
                  RdDemoRng *rng)
{
  path_push (r, RD_STATUS_TRIAGE);
  if (rd_demo_rng_chance (rng, 0.15))
    {
      path_push (r, RD_STATUS_PENDING_INFO);
      path_push (r, r->needs_auth ? RD_STATUS_PENDING_AUTH : RD_STATUS_TRIAGE);
    }
  else if (r->needs_auth)
    path_push (r, RD_STATUS_PENDING_AUTH);
  path_push (r, RD_STATUS_ACCEPTED);
}

static void
path_build (Referral  *r,
            RdDemoRng *rng)
{
  r->n_path = 0;
  path_push (r, RD_STATUS_NEW);
  switch (r->status)
    {
    case RD_STATUS_NEW:
      break;
    case RD_STATUS_TRIAGE:
      path_push (r, RD_STATUS_TRIAGE);
      break;
    case RD_STATUS_PENDING_INFO:
      path_push (r, RD_STATUS_TRIAGE);
      if (rd_demo_rng_chance (rng, 0.2))
        {
          path_push (r, RD_STATUS_PENDING_INFO);
          path_push (r, RD_STATUS_TRIAGE);
        }
      path_push (r, RD_STATUS_PENDING_INFO);
      break;
    case RD_STATUS_PENDING_AUTH:
      path_push (r, RD_STATUS_TRIAGE);
      if (rd_demo_rng_chance (rng, 0.2))
        path_push (r, RD_STATUS_PENDING_INFO);
      path_push (r, RD_STATUS_PENDING_AUTH);
      break;
    case RD_STATUS_ACCEPTED:
      path_to_accepted (r, rng);
      break;
    case RD_STATUS_SCHEDULED:
    case RD_STATUS_NO_SHOW:
    case RD_STATUS_SEEN:
    case RD_STATUS_COMPLETED:
      path_to_accepted (r, rng);
      path_push (r, RD_STATUS_SCHEDULED);
      if (rd_demo_rng_chance (rng, 0.1))
        path_push (r, RD_STATUS_SCHEDULED);          /* rebooked */
      if (r->status == RD_STATUS_NO_SHOW)
        path_push (r, RD_STATUS_NO_SHOW);
      else if (r->status != RD_STATUS_SCHEDULED)
        {
          if (rd_demo_rng_chance (rng, 0.08))
            {
              path_push (r, RD_STATUS_NO_SHOW);
              path_push (r, RD_STATUS_SCHEDULED);
            }
          path_push (r, RD_STATUS_SEEN);
          if (r->status == RD_STATUS_COMPLETED)
            path_push (r, RD_STATUS_COMPLETED);
        }
      break;
    case RD_STATUS_DECLINED:
      path_push (r, RD_STATUS_TRIAGE);
      if (r->needs_auth && rd_demo_rng_chance (rng, 0.5))
        path_push (r, RD_STATUS_PENDING_AUTH);
      path_push (r, RD_STATUS_DECLINED);
      break;
    case RD_STATUS_CANCELLED:
      switch (rd_demo_rng_below (rng, 4))
        {
        case 0:
          break;
        case 1:
          path_push (r, RD_STATUS_TRIAGE);
          break;
        case 2:
          path_to_accepted (r, rng);
          break;
        default:
          path_to_accepted (r, rng);
          path_push (r, RD_STATUS_SCHEDULED);
          break;
        }
      path_push (r, RD_STATUS_CANCELLED);
      break;
    case RD_STATUS_EXPIRED:
      path_push (r, RD_STATUS_TRIAGE);
      if (r->needs_auth)
        path_push (r, RD_STATUS_PENDING_AUTH);
      else if (rd_demo_rng_chance (rng, 0.4))
        path_push (r, RD_STATUS_ACCEPTED);
      path_push (r, RD_STATUS_EXPIRED);
      break;
    case RD_N_STATUSES:
    default:
      g_assert_not_reached ();
    }
  g_assert (r->path[r->n_path - 1] == r->status);
}

static gboolean
path_has (const Referral *r,
          RdStatus        status)
{
  for (guint i = 0; i < r->n_path; i++)
    if (r->path[i] == status)
      return TRUE;
  return FALSE;
}

/* The provider id of the @k-th specialist of specialty @spec. */
static guint64
specialist_for (Seed      *s,
                const char *specialty,
                RdDemoRng *rng)
{
  guint spec = 0;
  guint64 n_spec = s->n_providers - s->n_primary;
  guint64 count;

  for (guint i = 0; i < N_SPECIALTIES; i++)
    if (g_str_equal (specialist_specialties[i], specialty))
      spec = i;
  count = (n_spec - spec + N_SPECIALTIES - 1) / N_SPECIALTIES;
  return s->n_primary + 1 + spec + N_SPECIALTIES * (count > 0 ? rd_demo_rng_next (rng) % count : 0);
}

static void
referral_make (Seed     *s,
               guint64   id,
               Referral *r)
{
  RdDemoRng rng;
  guint queue_weights[N_QUEUES];
  guint status_w[RD_N_STATUSES];
  guint team;
  gint64 window;
  g_autoptr(GDateTime) received = NULL;
  g_autoptr(GDateTime) due = NULL;
  RdTurnaround target;

  rd_demo_rng_init (&rng, s->seed, STREAM_REFERRAL, id);
  memset (r, 0, sizeof *r);
  r->id = id;

  for (guint i = 0; i < N_QUEUES; i++)
    queue_weights[i] = queues[i].weight;
  r->queue = rd_demo_rng_weighted (&rng, queue_weights, N_QUEUES);
  team = queues[r->queue].team;
  r->clinical = s->queue_clinical[r->queue][rd_demo_rng_below (&rng, s->n_queue_clinical[r->queue])];

  /* Every patient has at least one referral; later ones pick patients again. */
  r->patient = id <= s->n_patients ? id : 1 + rd_demo_rng_next (&rng) % s->n_patients;
  r->plan = s->patient_plan[r->patient];
  r->needs_auth = plan_needs_auth (r->plan, r->clinical);

  /* The first 48 referrals hold every (status, priority) pair, so that even a
   * small demo shows them all; the rest follow a large system's mix. */
  if (id <= RD_N_STATUSES * RD_N_PRIORITIES)
    {
      r->status = (RdStatus) ((id - 1) % RD_N_STATUSES);
      r->priority = (RdPriority) ((id - 1) / RD_N_STATUSES);
    }
  else
    {
      memcpy (status_w, status_weights, sizeof status_w);
      r->status = (RdStatus) rd_demo_rng_weighted (&rng, status_w, RD_N_STATUSES);
      r->priority = (RdPriority) rd_demo_rng_weighted (&rng, priority_weights, RD_N_PRIORITIES);
    }

  r->channel = id <= s->n_fax_referrals ? "fax"
               : channels[rd_demo_rng_weighted (&rng, channel_weights, G_N_ELEMENTS (channels))];
  r->outgoing = rd_demo_rng_chance (&rng, 0.1);

  if (rd_status_is_open (r->status))
    {
      double u = rd_demo_rng_double (&rng);

      r->received = s->anchor - (gint64) (u * u * 40 * DAY) - 600;
      window = (gint64) ((s->anchor - r->received) * (0.3 + 0.7 * rd_demo_rng_double (&rng)));
    }
  else
    {
      r->received = s->anchor - 5 * DAY - (gint64) (rd_demo_rng_double (&rng) * 1090 * DAY);
      window = (gint64) (MIN (s->anchor - r->received, 120 * DAY) * (0.3 + 0.7 * rd_demo_rng_double (&rng)));
    }
  /* Office hours mostly: move the time of day into 8:00–17:00 UTC. */
  r->received = r->received - (r->received % DAY) + 8 * HOUR + rd_demo_rng_below (&rng, 9 * HOUR);

  path_build (r, &rng);
  r->at[0] = r->received;
  for (guint j = 1; j < r->n_path; j++)
    r->at[j] = r->received + (gint64) (window * ((j - 1) + 0.2 + 0.6 * rd_demo_rng_double (&rng)) / (r->n_path - 1));
  if (!rd_status_is_open (r->status))
    r->closed = r->at[r->n_path - 1];

  target = rd_priority_default_turnaround (r->priority);
  received = g_date_time_new_from_unix_utc (r->received);
  due = rd_due_compute (received, &target);
  r->due = g_date_time_to_unix (due);

  if (r->status != RD_STATUS_NEW || rd_demo_rng_chance (&rng, 0.15))
    r->assignee = team_member (s, team, &rng);
  r->handler = r->assignee != NULL ? r->assignee : team_member (s, team, &rng);
  if (r->status == RD_STATUS_TRIAGE && rd_demo_rng_chance (&rng, 0.04))
    r->claimed_by = r->assignee;

  if (r->status == RD_STATUS_DECLINED)
    r->close_reason = RD_DEMO_PICK (&rng, decline_reasons);
  else if (r->status == RD_STATUS_CANCELLED)
    r->close_reason = RD_DEMO_PICK (&rng, cancel_reasons);

  r->referring = 1 + rd_demo_rng_next (&rng) % s->n_primary;
  r->receiving = specialist_for (s, clinical[r->clinical].specialty, &rng);
}

/* Directory and people ------------------------------------------------------------------ */

static gboolean
create_login (Seed        *s,
              const char  *login,
              const char  *group,
              const char  *password,
              GError     **error)
{
  const char *params[2] = { login, group };
  PGresult *res;
  g_autofree char *stmt = NULL;

  /* Roles belong to the cluster: another database may have made this one. The
   * statement text is built by the server's format(%I), never by pasting. */
  res = PQexecParams (s->conn,
                      "SELECT format('CREATE ROLE %I LOGIN', $1::text) "
                      "WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1::text)",
                      1, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    return check_result (res, PGRES_TUPLES_OK, error);
  if (PQntuples (res) == 1)
    stmt = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  if (stmt != NULL && !exec_sql (s, stmt, error))
    return FALSE;
  g_clear_pointer (&stmt, g_free);

  res = PQexecParams (s->conn, "SELECT format('GRANT %I TO %I', $2::text, $1::text)",
                      2, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    return check_result (res, PGRES_TUPLES_OK, error);
  stmt = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  if (!exec_sql (s, stmt, error))
    return FALSE;
  g_clear_pointer (&stmt, g_free);

  if (password != NULL)
    {
      /* Only a SCRAM verifier travels, made here by libpq. */
      g_autofree char *verifier = NULL;
      char *v = PQencryptPasswordConn (s->conn, password, login, "scram-sha-256");
      const char *p2[2];

      if (v == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", PQerrorMessage (s->conn));
          return FALSE;
        }
      verifier = g_strdup (v);
      PQfreemem (v);
      p2[0] = login;
      p2[1] = verifier;
      res = PQexecParams (s->conn, "SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)",
                          2, NULL, p2, NULL, NULL, 0);
      if (PQresultStatus (res) != PGRES_TUPLES_OK)
        return check_result (res, PGRES_TUPLES_OK, error);
      stmt = g_strdup (PQgetvalue (res, 0, 0));
      PQclear (res);
      if (!exec_sql (s, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
load_people (Seed        *s,
             const char  *password,
             GError     **error)
{
  static const char *groups[] = { "rd_specialist", "rd_lead", "rd_admin" };

  for (guint i = 0; i < N_STAFF; i++)
    if (!create_login (s, staff[i].login, groups[staff[i].role], password, error))
      return FALSE;

  if (!copy_begin (s, "COPY rd.team (id, name, description) FROM STDIN", error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (teams); i++)
    {
      f_int (s, s->team_base + i + 1);
      f_text (s, teams[i].name);
      f_text (s, teams[i].description);
      if (!copy_row_done (s, error))
        return FALSE;
    }
  if (!copy_end (s, "team", error))
    return FALSE;

  if (!copy_begin (s, "COPY rd.work_queue (id, team_id, name, kind) FROM STDIN", error))
    return FALSE;
  for (guint i = 0; i < N_QUEUES; i++)
    {
      f_int (s, s->queue_base + i + 1);
      f_int (s, s->team_base + queues[i].team + 1);
      f_text (s, queues[i].name);
      f_text (s, queues[i].kind);
      if (!copy_row_done (s, error))
        return FALSE;
    }
  if (!copy_end (s, "work_queue", error))
    return FALSE;

  if (!copy_begin (s, "COPY rd.staff (id, login_name, display_name, email) FROM STDIN", error))
    return FALSE;
  for (guint i = 0; i < N_STAFF; i++)
    {
      g_autofree char *email = g_strdup_printf ("%s@clinic.example.org", staff[i].login + 5);

      f_int (s, s->staff_base + i + 1);
      f_text (s, staff[i].login);
      f_text (s, staff[i].name);
      f_text (s, email);
      if (!copy_row_done (s, error))
        return FALSE;
    }
  if (!copy_end (s, "staff", error))
    return FALSE;

  if (!copy_begin (s, "COPY rd.team_member (team_id, staff_id, role) FROM STDIN", error))
    return FALSE;
  for (guint i = 0; i < N_STAFF; i++)
    for (guint k = 0; k < 2; k++)
      {
        if (staff[i].teams[k] < 0)
          continue;
        f_int (s, s->team_base + staff[i].teams[k] + 1);
        f_int (s, s->staff_base + i + 1);
        f_text (s, staff[i].role == STAFF_LEAD && k == 0 ? "lead" : "member");
        if (!copy_row_done (s, error))
          return FALSE;
      }
  return copy_end (s, "team_member", error);
}

static void
org_name (Seed    *s,
          guint64  id,
          char    *out,
          gsize    len,
          guint   *place,
          const char **kind)
{
  RdDemoRng rng;
  guint k;

  rd_demo_rng_init (&rng, s->seed, STREAM_ORGANIZATION, id);
  k = rd_demo_rng_below (&rng, G_N_ELEMENTS (org_kinds));
  g_snprintf (out, len, "%s %s", RD_DEMO_PICK (&rng, org_words), org_kinds[k][0]);
  *place = rd_demo_rng_below (&rng, rd_demo_n_places);
  *kind = org_kinds[k][1];
}

static void
provider_name (Seed    *s,
               guint64  id,
               char    *out,
               gsize    len)
{
  RdDemoRng rng;
  static const char *creds[] = { "MD", "MD", "MD", "DO", "NP", "PA-C" };
  g_autofree char *family = NULL;
  const char *given;

  rd_demo_rng_init (&rng, s->seed, STREAM_PROVIDER, id);
  given = rd_demo_rng_chance (&rng, 0.5) ? rd_demo_given_female[rd_demo_rng_below (&rng, rd_demo_n_given_female)]
                                         : rd_demo_given_male[rd_demo_rng_below (&rng, rd_demo_n_given_male)];
  family = rd_demo_family_name (&rng);
  g_snprintf (out, len, "%s %s, %s", given, family, RD_DEMO_PICK (&rng, creds));
}

static gboolean
load_directory (Seed    *s,
                GError **error)
{
  char npi[11];
  char phone[16];
  char fax[16];
  char name[200];

  if (!copy_begin (s, "COPY rd.payer (id, name, payer_code, phone) FROM STDIN", error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (payers); i++)
    {
      f_int (s, i + 1);
      f_text (s, payers[i].name);
      f_text (s, payers[i].code);
      f_text (s, payers[i].phone);
      if (!copy_row_done (s, error))
        return FALSE;
    }
  if (!copy_end (s, "payer", error))
    return FALSE;

  if (!copy_begin (s, "COPY rd.payer_plan (id, payer_id, name, kind, auth_required_specialties, "
                      "auth_required_procedures) FROM STDIN", error))
    return FALSE;
  for (guint i = 0; i < N_PLANS; i++)
    {
      f_int (s, i + 1);
      f_int (s, plans[i].payer + 1);
      f_text (s, plans[i].name);
      f_text (s, plans[i].kind);
      f_text (s, plans[i].auth_specialties);
      f_text (s, plans[i].auth_procedures);
      if (!copy_row_done (s, error))
        return FALSE;
    }
  if (!copy_end (s, "payer_plan", error))
    return FALSE;

  if (!copy_begin (s, "COPY rd.organization (id, name, kind, npi, phone, fax, address_line1, city, "
                      "state, zip) FROM STDIN", error))
    return FALSE;
  for (guint64 id = 1; id <= s->n_orgs; id++)
    {
      guint place;
      const char *kind;
      g_autofree char *street = NULL;

      org_name (s, id, name, sizeof name, &place, &kind);
      street = g_strdup_printf ("%" G_GUINT64_FORMAT " %s", 100 + (id * 37) % 9000,
                                rd_demo_streets[id % rd_demo_n_streets]);
      rd_demo_make_npi (npi, 1, 50000000 + id);
      g_assert (rd_npi_check_digit_ok (npi));
      rd_demo_make_phone (phone, rd_demo_places[place].area_code, (guint) (id % 100));
      rd_demo_make_phone (fax, rd_demo_places[place].area_code, (guint) ((id + 50) % 100));
      f_int (s, (gint64) id);
      f_text (s, name);
      f_text (s, kind);
      f_text (s, npi);
      f_text (s, phone);
      f_text (s, fax);
      f_text (s, street);
      f_text (s, rd_demo_places[place].city);
      f_text (s, rd_demo_places[place].state);
      f_text (s, rd_demo_places[place].zip);
      if (!copy_row_done (s, error))
        return FALSE;
    }
  if (!copy_end (s, "organization", error))
    return FALSE;

  if (!copy_begin (s, "COPY rd.provider (id, npi, name, organization_id, specialty, phone, fax, "
                      "address, network_status) FROM STDIN", error))
    return FALSE;
  for (guint64 id = 1; id <= s->n_providers; id++)
    {
      guint64 org = 1 + (id * 13) % s->n_orgs;
      guint place;
      const char *kind;
      char org_buf[200];
      g_autofree char *address = NULL;
      const char *specialty = id <= s->n_primary ? primary_care[id % G_N_ELEMENTS (primary_care)]
                              : specialist_specialties[(id - s->n_primary - 1) % N_SPECIALTIES];

      org_name (s, org, org_buf, sizeof org_buf, &place, &kind);
      provider_name (s, id, name, sizeof name);
      rd_demo_make_npi (npi, 1, id);
      g_assert (rd_npi_check_digit_ok (npi));
      rd_demo_make_phone (phone, rd_demo_places[place].area_code, (guint) (org % 100));
      rd_demo_make_phone (fax, rd_demo_places[place].area_code, (guint) ((org + 50) % 100));
      address = g_strdup_printf ("%" G_GUINT64_FORMAT " %s, %s, %s %s", 100 + (org * 37) % 9000,
                                 rd_demo_streets[org % rd_demo_n_streets], rd_demo_places[place].city,
                                 rd_demo_places[place].state, rd_demo_places[place].zip);
      f_int (s, (gint64) id);
      f_text (s, npi);
      f_text (s, name);
      f_int (s, (gint64) org);
      f_text (s, specialty);
      f_text (s, phone);
      f_text (s, fax);
      f_text (s, address);
      f_text (s, id % 10 < 7 ? "in_network" : id % 10 < 9 ? "out_of_network" : "unknown");
      if (!copy_row_done (s, error))
        return FALSE;
    }
  if (!copy_end (s, "provider", error))
    return FALSE;

  if (!copy_begin (s, "COPY rd.provider_plan (provider_id, payer_plan_id) FROM STDIN", error))
    return FALSE;
  for (guint64 id = 1; id <= s->n_providers; id++)
    for (guint p = 0; p < N_PLANS; p++)
      {
        if ((id + p * 3) % 8 >= 5)
          continue;
        f_int (s, (gint64) id);
        f_int (s, p + 1);
        if (!copy_row_done (s, error))
          return FALSE;
      }
  if (!copy_end (s, "provider_plan", error))
    return FALSE;

  if (!copy_begin (s, "COPY rd.community_resource (id, name, service, description, eligibility, "
                      "service_area, languages, phone, url, address) FROM STDIN", error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (resources); i++)
    {
      const RdDemoPlace *pl = &rd_demo_places[i % rd_demo_n_places];
      g_autofree char *address = g_strdup_printf ("%u %s, %s, %s %s", 20 + i * 111,
                                                  rd_demo_streets[(i * 7) % rd_demo_n_streets],
                                                  pl->city, pl->state, pl->zip);
      g_autofree char *area = g_strdup_printf ("%s and surrounding county", pl->city);

      rd_demo_make_phone (phone, pl->area_code, 60 + i);
      f_int (s, i + 1);
      f_text (s, resources[i].name);
      f_text (s, resources[i].service);
      f_text (s, resources[i].description);
      f_text (s, resources[i].eligibility);
      f_text (s, area);
      f_text (s, resources[i].languages);
      f_text (s, phone);
      f_text (s, resources[i].url);
      f_text (s, address);
      if (!copy_row_done (s, error))
        return FALSE;
    }
  return copy_end (s, "community_resource", error);
}

static gboolean
load_patients (Seed    *s,
               GError **error)
{
  if (!copy_begin (s, "COPY rd.patient (id, mrn, family_name, given_name, middle_name, dob, sex, "
                      "phone_home, phone_mobile, email, address_line1, city, state, zip, language, "
                      "contact_preference, created_at, created_by, updated_at, updated_by) FROM STDIN",
                   error))
    return FALSE;
  for (guint64 id = 1; id <= s->n_patients; id++)
    {
      Patient p;
      char dob[16];
      g_autofree char *street = NULL;
      g_autofree char *email = NULL;

      patient_make (s, id, &p);
      s->patient_plan[id] = (gint8) p.plan;
      s->patient_language[id] = (guint8) p.language;
      g_snprintf (dob, sizeof dob, "%04d-%02d-%02d", p.y, p.m, p.d);
      street = g_strdup_printf ("%u %s", p.house, rd_demo_streets[p.street]);
      if (g_str_equal (p.contact, "email") || g_str_equal (p.contact, "portal"))
        email = g_strdup_printf ("patient%" G_GUINT64_FORMAT "@mail.example.com", id);

      f_int (s, (gint64) id);
      f_text (s, p.mrn);
      f_text (s, p.family);
      f_text (s, p.given);
      f_text (s, p.middle);
      f_text (s, dob);
      f_text (s, p.female ? "female" : "male");
      f_text (s, p.phone_home);
      f_text (s, p.phone_mobile[0] != '\0' ? p.phone_mobile : NULL);
      f_text (s, email);
      f_text (s, street);
      f_text (s, rd_demo_places[p.place].city);
      f_text (s, rd_demo_places[p.place].state);
      f_text (s, rd_demo_places[p.place].zip);
      f_text (s, languages[p.language].tag);
      f_text (s, p.contact);
      f_ts (s, p.created);
      f_text (s, staff[2 + id % 2].login);
      f_ts (s, p.created);
      f_text (s, staff[2 + id % 2].login);
      patient_clear (&p);
      if (!copy_row_done (s, error))
        return FALSE;
      if (id % 200000 == 0)
        elapsed_note (s, "patient …", id);
    }
  if (!copy_end (s, "patient", error))
    return FALSE;

  /* Coverage: the primary one has the patient's id, a secondary one n + id. */
  if (!copy_begin (s, "COPY rd.coverage (id, patient_id, payer_plan_id, rank, member_id, group_number, "
                      "subscriber_name, relationship, eligibility_status, verified_at, verified_by, "
                      "source) FROM STDIN", error))
    return FALSE;
  for (int pass = 0; pass < 2; pass++)
    for (guint64 id = 1; id <= s->n_patients; id++)
      {
        Patient p;
        RdDemoRng rng;
        int plan;
        guint e;
        g_autofree char *subscriber = NULL;
        g_autofree char *group = NULL;

        if (pass == 0 && s->patient_plan[id] < 0)
          continue;
        patient_make (s, id, &p);
        plan = pass == 0 ? p.plan : p.plan2;
        if (plan < 0)
          {
            patient_clear (&p);
            continue;
          }
        rd_demo_rng_init (&rng, s->seed, STREAM_COVERAGE, id * 2 + (guint64) pass);
        e = rd_demo_rng_below (&rng, 100);
        subscriber = g_strdup_printf ("%s %s", p.given, p.family);
        group = plans[plan].kind[0] == 'c' ? g_strdup_printf ("GRP%05u", rd_demo_rng_below (&rng, 100000)) : NULL;
        f_int (s, (gint64) (pass == 0 ? id : s->n_patients + id));
        f_int (s, (gint64) id);
        f_int (s, plan + 1);
        f_int (s, pass + 1);
        f_text (s, p.member_id);
        f_text (s, group);
        f_text (s, subscriber);
        f_text (s, "self");
        f_text (s, e < 85 ? "active" : e < 95 ? "unknown" : "inactive");
        f_ts (s, e < 85 || e >= 95 ? s->anchor - rd_demo_rng_below (&rng, 200) * DAY - 9 * HOUR : 0);
        f_text (s, e < 85 || e >= 95 ? staff[2 + id % 2].login : NULL);
        f_text (s, e < 60 ? "x12_271" : "manual");
        patient_clear (&p);
        if (!copy_row_done (s, error))
          return FALSE;
      }
  return copy_end (s, "coverage", error);
}

/* Referrals and their history -------------------------------------------------------------- */

static gboolean
load_referrals (Seed    *s,
                GError **error)
{
  if (!copy_begin (s, "COPY rd.referral (id, number, direction, channel, received_at, patient_id, "
                      "coverage_id, referring_provider_id, receiving_provider_id, specialty, reason, "
                      "diagnoses, procedures, priority, status, queue_id, assignee, due_at, claimed_by, "
                      "claimed_until, idempotency_key, closed_at, close_reason, version, created_at, "
                      "created_by, updated_at, updated_by) FROM STDIN", error))
    return FALSE;

  for (guint64 id = 1; id <= s->n_referrals; id++)
    {
      Referral r;
      char number[24];
      g_autofree char *key = NULL;

      referral_make (s, id, &r);
      g_snprintf (number, sizeof number, "R%08" G_GUINT64_FORMAT, id);
      if (g_str_equal (r.channel, "hl7") || g_str_equal (r.channel, "fhir") || g_str_equal (r.channel, "portal"))
        key = g_strdup_printf ("demo-%" G_GUINT64_FORMAT "-%s-%" G_GUINT64_FORMAT, s->seed, r.channel, id);

      f_int (s, (gint64) id);
      f_text (s, number);
      f_text (s, r.outgoing ? "outgoing" : "incoming");
      f_text (s, r.channel);
      f_ts (s, r.received);
      f_id (s, r.patient);
      f_id (s, r.plan >= 0 ? r.patient : 0);
      f_id (s, r.referring);
      f_id (s, r.receiving);
      f_text (s, clinical[r.clinical].specialty);
      f_text (s, clinical[r.clinical].reason);
      f_text (s, clinical[r.clinical].diagnoses);
      f_text (s, clinical[r.clinical].procedures);
      f_text (s, rd_priority_to_string (r.priority));
      f_text (s, rd_status_to_string (r.status));
      f_int (s, s->queue_base + r.queue + 1);
      f_text (s, r.assignee);
      f_ts (s, r.due);
      f_text (s, r.claimed_by);
      f_ts (s, r.claimed_by != NULL ? s->anchor + 2 * DAY : 0);
      f_text (s, key);
      f_ts (s, r.closed);
      f_text (s, r.close_reason);
      f_int (s, r.n_path);
      f_ts (s, r.received);
      f_text (s, r.handler);
      f_ts (s, r.at[r.n_path - 1]);
      f_text (s, r.handler);
      if (!copy_row_done (s, error))
        return FALSE;
      if (id % 200000 == 0)
        elapsed_note (s, "referral …", id);
    }
  return copy_end (s, "referral", error);
}

static gboolean
load_events (Seed    *s,
             GError **error)
{
  if (!copy_begin (s, "COPY rd.referral_event (referral_id, kind, at, who, from_status, to_status, "
                      "from_value, to_value, reason) FROM STDIN", error))
    return FALSE;

  for (guint64 id = 1; id <= s->n_referrals; id++)
    {
      Referral r;

      referral_make (s, id, &r);
      for (guint j = 0; j < r.n_path; j++)
        {
          const char *reason = NULL;

          if (r.path[j] == RD_STATUS_DECLINED || r.path[j] == RD_STATUS_CANCELLED)
            reason = r.close_reason;
          else if (r.path[j] == RD_STATUS_PENDING_INFO)
            reason = "Waiting for clinical notes from the referring office.";
          else if (r.path[j] == RD_STATUS_PENDING_AUTH)
            reason = "Prior authorization requested from the health plan.";
          else if (j > 0 && r.path[j] == RD_STATUS_SCHEDULED && r.path[j - 1] == RD_STATUS_SCHEDULED)
            reason = "Rebooked at the patient's request.";

          f_id (s, id);
          f_text (s, "status");
          f_ts (s, r.at[j]);
          f_text (s, j == 0 ? staff[2 + id % 2].login : r.handler);
          f_text (s, j == 0 ? NULL : rd_status_to_string (r.path[j - 1]));
          f_text (s, rd_status_to_string (r.path[j]));
          f_text (s, NULL);
          f_text (s, NULL);
          f_text (s, reason);
          if (!copy_row_done (s, error))
            return FALSE;

          /* Taking the referral: at triage, or soon after arrival while new. */
          if (r.assignee != NULL && (j == 1 || (r.n_path == 1 && j == 0)))
            {
              f_id (s, id);
              f_text (s, "assignment");
              f_ts (s, r.at[j] + 60);
              f_text (s, r.assignee);
              f_text (s, NULL);
              f_text (s, NULL);
              f_text (s, NULL);
              f_text (s, r.assignee);
              f_text (s, NULL);
              if (!copy_row_done (s, error))
                return FALSE;
            }
        }
      if (id % 200000 == 0)
        elapsed_note (s, "referral_event …", s->rows);
    }
  return copy_end (s, "referral_event", error);
}

static gboolean
load_work (Seed    *s,
           GError **error)
{
  /* authorization */
  if (!copy_begin (s, "COPY rd.authorization (referral_id, payer_plan_id, number, status, unit_kind, "
                      "units_approved, units_used, valid_from, valid_to, requested_at, decided_at, note) "
                      "FROM STDIN", error))
    return FALSE;
  for (guint64 id = 1; id <= s->n_referrals; id++)
    {
      Referral r;
      RdDemoRng rng;
      guint j;
      const char *status;
      gint64 decided = 0;
      g_autofree char *number = NULL;
      guint approved = 0;

      referral_make (s, id, &r);
      if (!path_has (&r, RD_STATUS_PENDING_AUTH))
        continue;
      rd_demo_rng_init (&rng, s->seed, STREAM_AUTH, id);
      for (j = 0; r.path[j] != RD_STATUS_PENDING_AUTH; j++)
        ;
      if (j == r.n_path - 1)
        status = rd_demo_rng_chance (&rng, 0.6) ? "requested" : "pended";
      else
        {
          RdStatus next = r.path[j + 1];

          decided = r.at[j + 1] - HOUR;
          status = next == RD_STATUS_ACCEPTED ? "approved"
                   : next == RD_STATUS_DECLINED ? "denied"
                   : next == RD_STATUS_EXPIRED ? "expired"
                   : next == RD_STATUS_PENDING_INFO ? "pended" : "requested";
          if (g_str_equal (status, "pended") || g_str_equal (status, "requested"))
            decided = 0;
        }
      if (decided != 0)
        number = g_strdup_printf ("PA%09u", rd_demo_rng_below (&rng, 1000000000));
      if (g_str_equal (status, "approved"))
        approved = 1 + rd_demo_rng_below (&rng, 12);

      f_id (s, id);
      f_id (s, r.plan >= 0 ? (guint64) r.plan + 1 : 0);
      f_text (s, number);
      f_text (s, status);
      f_text (s, "visits");
      if (approved > 0)
        f_int (s, approved);
      else
        f_text (s, NULL);
      f_int (s, approved > 0 && path_has (&r, RD_STATUS_SEEN) ? 1 : 0);
      f_date (s, approved > 0 || g_str_equal (status, "expired") ? decided : 0);
      f_date (s, approved > 0 ? decided + 90 * DAY
                 : g_str_equal (status, "expired") ? decided + 30 * DAY : 0);
      f_ts (s, r.at[j]);
      f_ts (s, decided);
      f_text (s, g_str_equal (status, "pended") ? "Health plan asked for the latest office notes." : NULL);
      if (!copy_row_done (s, error))
        return FALSE;
    }
  if (!copy_end (s, "authorization", error))
    return FALSE;

  /* appointment, one per booking; communication for each patient notice */
  if (!copy_begin (s, "COPY rd.appointment (referral_id, provider_id, starts_at, duration_minutes, "
                      "location, status, patient_notified_at) FROM STDIN", error))
    return FALSE;
  for (guint64 id = 1; id <= s->n_referrals; id++)
    {
      Referral r;
      RdDemoRng rng;

      referral_make (s, id, &r);
      if (!path_has (&r, RD_STATUS_SCHEDULED))
        continue;
      rd_demo_rng_init (&rng, s->seed, STREAM_APPOINTMENT, id);
      for (guint j = 0; j < r.n_path; j++)
        {
          const char *status;
          gint64 starts;

          if (r.path[j] != RD_STATUS_SCHEDULED)
            continue;
          if (j == r.n_path - 1)
            {
              status = rd_demo_rng_chance (&rng, 0.5) ? "confirmed" : "booked";
              starts = s->anchor + (1 + rd_demo_rng_below (&rng, 30)) * DAY;
            }
          else
            {
              RdStatus next = r.path[j + 1];

              status = next == RD_STATUS_SEEN ? "completed"
                       : next == RD_STATUS_NO_SHOW ? "no_show" : "cancelled";
              starts = next == RD_STATUS_SEEN || next == RD_STATUS_NO_SHOW
                       ? r.at[j + 1] - 2 * HOUR : r.at[j + 1] + 7 * DAY;
            }
          starts = starts - (starts % (15 * 60));
          f_id (s, id);
          f_id (s, r.receiving);
          f_ts (s, starts);
          f_int (s, clinical[r.clinical].specialty[0] == 'R' ? 30 : 45);
          f_text (s, "Suite 300, second floor");
          f_text (s, status);
          f_ts (s, r.at[j] + 2 * HOUR);
          if (!copy_row_done (s, error))
            return FALSE;
        }
    }
  if (!copy_end (s, "appointment", error))
    return FALSE;

  /* task */
  if (!copy_begin (s, "COPY rd.task (referral_id, what, due_at, assignee, done_at, done_by) FROM STDIN", error))
    return FALSE;
  for (guint64 id = 1; id <= s->n_referrals; id++)
    {
      Referral r;
      RdDemoRng rng;
      const char *what;
      gboolean open;

      referral_make (s, id, &r);
      rd_demo_rng_init (&rng, s->seed, STREAM_TASK, id);
      open = rd_status_is_open (r.status);
      if (!rd_demo_rng_chance (&rng, open ? 0.7 : 0.2))
        continue;
      switch (r.status)
        {
        case RD_STATUS_NEW: what = "Review the referral and verify the patient's insurance."; break;
        case RD_STATUS_TRIAGE: what = "Decide whether the referral can be accepted."; break;
        case RD_STATUS_PENDING_INFO: what = "Call the referring office about the missing notes."; break;
        case RD_STATUS_PENDING_AUTH: what = "Check the authorization status with the health plan."; break;
        case RD_STATUS_ACCEPTED: what = "Call the patient to schedule the appointment."; break;
        case RD_STATUS_SCHEDULED: what = "Confirm the appointment with the patient two days ahead."; break;
        case RD_STATUS_NO_SHOW: what = "Reach the patient to rebook the missed appointment."; break;
        case RD_STATUS_SEEN: what = "Request the consult report from the specialist's office."; break;
        case RD_STATUS_COMPLETED:
        case RD_STATUS_DECLINED:
        case RD_STATUS_CANCELLED:
        case RD_STATUS_EXPIRED:
        case RD_N_STATUSES:
        default: what = "Send the closing letter to the referring office."; break;
        }
      f_id (s, id);
      f_text (s, what);
      f_ts (s, open ? s->anchor + ((gint64) rd_demo_rng_below (&rng, 10) - 3) * DAY + 12 * HOUR
                    : r.closed + DAY);
      f_text (s, r.assignee);
      f_ts (s, open ? 0 : r.closed + 3 * HOUR);
      f_text (s, open ? NULL : r.handler);
      if (!copy_row_done (s, error))
        return FALSE;
    }
  if (!copy_end (s, "task", error))
    return FALSE;

  /* missing_item */
  if (!copy_begin (s, "COPY rd.missing_item (referral_id, what, requested_from, requested_at, received_at) "
                      "FROM STDIN", error))
    return FALSE;
  for (guint64 id = 1; id <= s->n_referrals; id++)
    {
      static const char *items[] = {
        "Most recent office visit note", "Imaging report", "Laboratory results from the last 90 days",
        "Copy of the insurance card", "Signed referral order",
      };
      Referral r;
      RdDemoRng rng;

      referral_make (s, id, &r);
      if (!path_has (&r, RD_STATUS_PENDING_INFO))
        continue;
      rd_demo_rng_init (&rng, s->seed, STREAM_MISSING, id);
      for (guint j = 0; j < r.n_path; j++)
        {
          guint n_items;

          if (r.path[j] != RD_STATUS_PENDING_INFO)
            continue;
          n_items = 1 + rd_demo_rng_below (&rng, 2);
          for (guint k = 0; k < n_items; k++)
            {
              f_id (s, id);
              f_text (s, items[(rd_demo_rng_below (&rng, G_N_ELEMENTS (items)) + k) % G_N_ELEMENTS (items)]);
              f_text (s, r.outgoing ? "Patient" : "Referring office");
              f_ts (s, r.at[j] + 600);
              f_ts (s, j + 1 < r.n_path ? r.at[j + 1] - HOUR : 0);
              if (!copy_row_done (s, error))
                return FALSE;
            }
        }
    }
  if (!copy_end (s, "missing_item", error))
    return FALSE;

  /* communication: appointment notices and requests for missing notes */
  if (!copy_begin (s, "COPY rd.communication (referral_id, party, channel, direction, summary, at, who) "
                      "FROM STDIN", error))
    return FALSE;
  for (guint64 id = 1; id <= s->n_referrals; id++)
    {
      Referral r;

      referral_make (s, id, &r);
      for (guint j = 0; j < r.n_path; j++)
        {
          if (r.path[j] == RD_STATUS_SCHEDULED)
            {
              f_id (s, id);
              f_text (s, "patient");
              f_text (s, "phone");
              f_text (s, "outgoing");
              f_text (s, "Called the patient with the appointment date, time and location.");
              f_ts (s, r.at[j] + 2 * HOUR);
              f_text (s, r.handler);
            }
          else if (r.path[j] == RD_STATUS_PENDING_INFO)
            {
              f_id (s, id);
              f_text (s, "referring_office");
              f_text (s, "fax");
              f_text (s, "outgoing");
              f_text (s, "Faxed a request for the missing items.");
              f_ts (s, r.at[j] + 900);
              f_text (s, r.handler);
            }
          else
            continue;
          if (!copy_row_done (s, error))
            return FALSE;
        }
    }
  if (!copy_end (s, "communication", error))
    return FALSE;

  /* barrier: language (interpreter) and transport for some booked patients */
  if (!copy_begin (s, "COPY rd.barrier (referral_id, kind, note, community_resource_id, resolved_at) "
                      "FROM STDIN", error))
    return FALSE;
  for (guint64 id = 1; id <= s->n_referrals; id++)
    {
      Referral r;
      gboolean language;

      referral_make (s, id, &r);
      if (!path_has (&r, RD_STATUS_ACCEPTED))
        continue;
      language = s->patient_language[r.patient] != 0 && id % 3 == 0;
      if (!language && id % 17 != 0)
        continue;
      f_id (s, id);
      f_text (s, language ? "language" : "transport");
      f_text (s, language ? "Patient prefers to speak in their own language; interpreter booked."
                          : "No car; ride booked for the appointment.");
      f_int (s, language ? RESOURCE_INTERPRETER : RESOURCE_TRANSPORT);
      f_ts (s, path_has (&r, RD_STATUS_SEEN) ? r.at[r.n_path - 1] : 0);
      if (!copy_row_done (s, error))
        return FALSE;
    }
  return copy_end (s, "barrier", error);
}

/* Documents --------------------------------------------------------------------------------- */

typedef struct {
  guint64     id;
  guint64     referral;        /* 0: unfiled, in the fax inbox */
  guint       pages;
  gint64      received;
  char       *sender;
  GBytes     *bytes;
  char       *sha256;
} Doc;

static void
doc_free (gpointer data)
{
  Doc *d = data;

  g_free (d->sender);
  g_clear_pointer (&d->bytes, g_bytes_unref);
  g_free (d->sha256);
  g_free (d);
}

static void
set_str (char      **field,
         const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/* A fax for @patient from the practice of @referring; @r may be NULL (inbox). */
static Doc *
make_fax (Seed           *s,
          guint64         doc_id,
          const Referral *r,
          guint64         patient,
          guint64         referring,
          guint           n_pages,
          gint64          received,
          GError        **error)
{
  g_autoptr(RdFaxSynthValues) v = NULL;
  Doc *d;
  char buf[256];
  char npi[11];
  guint place;
  const char *kind;
  guint64 org = 1 + (referring * 13) % s->n_orgs;
  struct tm tm;
  time_t t = (time_t) received;

  v = rd_fax_synth_values_new ((guint32) (s->seed * 2654435761u + doc_id * 40503u), n_pages);
  if (patient != 0)
    {
      Patient p;

      patient_make (s, patient, &p);
      set_str (&v->patient_given, p.given);
      set_str (&v->patient_family, p.family);
      g_snprintf (buf, sizeof buf, "%02d/%02d/%04d", p.m, p.d, p.y);
      set_str (&v->dob, buf);
      set_str (&v->sex, p.female ? "F" : "M");
      g_snprintf (buf, sizeof buf, "(%.3s) 555-01%.2s", p.phone_home + 2, p.phone_home + 10);
      set_str (&v->phone, buf);
      set_str (&v->mrn, p.mrn);
      if (p.plan >= 0)
        {
          set_str (&v->member_id, p.member_id);
          set_str (&v->payer, payers[plans[p.plan].payer].name);
        }
      patient_clear (&p);
    }
  org_name (s, org, buf, sizeof buf, &place, &kind);
  set_str (&v->practice_name, buf);
  g_snprintf (buf, sizeof buf, "(%s) 555-01%02u", rd_demo_places[place].area_code, (guint) ((org + 50) % 100));
  set_str (&v->practice_fax, buf);
  g_snprintf (buf, sizeof buf, "(%s) 555-01%02u", rd_demo_places[place].area_code, (guint) (org % 100));
  set_str (&v->practice_phone, buf);
  provider_name (s, referring, buf, sizeof buf);
  set_str (&v->referring_provider, buf);
  rd_demo_make_npi (npi, 1, referring);
  set_str (&v->npi, npi);
  if (r != NULL)
    {
      g_strfreev (v->icd10);
      v->icd10 = g_new0 (char *, 3);
      for (guint i = 0; i < 2 && clinical[r->clinical].dx[i] != NULL; i++)
        v->icd10[i] = g_strdup (clinical[r->clinical].dx[i]);
      set_str (&v->specialty, clinical[r->clinical].specialty);
      set_str (&v->reason, clinical[r->clinical].reason);
      v->urgent = r->priority != RD_PRIORITY_ROUTINE;
    }
  gmtime_r (&t, &tm);
  g_snprintf (buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  set_str (&v->sent_date, buf);
  set_str (&v->to_fax, "(217) 555-0100");

  d = g_new0 (Doc, 1);
  d->id = doc_id;
  d->referral = r != NULL ? r->id : 0;
  d->pages = n_pages;
  d->received = received;
  d->sender = g_strdup_printf ("%s, %s", v->practice_name, v->practice_fax);
  d->bytes = rd_fax_synth_render (v, error);
  if (d->bytes == NULL)
    {
      doc_free (d);
      return NULL;
    }
  d->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, d->bytes);
  return d;
}

static gboolean
load_documents (Seed    *s,
                GError **error)
{
  g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func (doc_free);
  guint64 doc_id = 0;
  static const char hex[] = "0123456789abcdef";

  /* The inbox first: one long fax (24 pages, for the intake benchmark), then
   * faxes from the last two days, most for patients already known. */
  for (guint i = 0; i < s->n_inbox; i++)
    {
      RdDemoRng rng;
      Doc *d;
      guint64 patient;

      rd_demo_rng_init (&rng, s->seed, STREAM_DOCUMENT, i);
      patient = rd_demo_rng_chance (&rng, 0.7) ? 1 + rd_demo_rng_next (&rng) % s->n_patients : 0;
      d = make_fax (s, ++doc_id, NULL, patient, 1 + rd_demo_rng_next (&rng) % s->n_primary,
                    i == 0 ? 24 : 1 + rd_demo_rng_below (&rng, 5),
                    s->anchor - (gint64) rd_demo_rng_below (&rng, 2 * DAY), error);
      if (d == NULL)
        return FALSE;
      g_ptr_array_add (docs, d);
    }
  for (guint64 id = 1; id <= s->n_fax_referrals; id++)
    {
      Referral r;
      Doc *d;

      referral_make (s, id, &r);
      d = make_fax (s, ++doc_id, &r, r.patient, r.referring, 1 + (guint) (id % 4), r.received, error);
      if (d == NULL)
        return FALSE;
      g_ptr_array_add (docs, d);
    }
  elapsed_note (s, "fax PDFs drawn", docs->len);

  if (!copy_begin (s, "COPY rd.document (id, kind, file_name, media_type, pages, sha256, size_bytes, "
                      "received_via, received_at, status, sender, note, queue_id, referral_id) FROM STDIN",
                   error))
    return FALSE;
  for (guint i = 0; i < docs->len; i++)
    {
      Doc *d = g_ptr_array_index (docs, i);
      g_autofree char *file_name = g_strdup_printf ("fax-%06" G_GUINT64_FORMAT ".pdf", d->id);

      f_int (s, (gint64) d->id);
      f_text (s, "fax");
      f_text (s, file_name);
      f_text (s, "application/pdf");
      f_int (s, d->pages);
      f_text (s, d->sha256);
      f_int (s, (gint64) g_bytes_get_size (d->bytes));
      f_text (s, "fax");
      f_ts (s, d->received);
      f_text (s, d->referral != 0 ? "filed" : "unfiled");
      f_text (s, d->sender);
      f_text (s, d->pages >= 20 ? "Long fax: referral with several months of records." : NULL);
      f_id (s, d->referral != 0 ? 0 : s->queue_base + QUEUE_FAX_INBOX + 1);
      f_id (s, d->referral);
      if (!copy_row_done (s, error))
        return FALSE;
    }
  if (!copy_end (s, "document", error))
    return FALSE;

  if (!copy_begin (s, "COPY rd.document_blob (document_id, data) FROM STDIN", error))
    return FALSE;
  for (guint i = 0; i < docs->len; i++)
    {
      Doc *d = g_ptr_array_index (docs, i);
      gsize len;
      const guint8 *data = g_bytes_get_data (d->bytes, &len);

      f_int (s, (gint64) d->id);
      /* bytea in hex; the backslash itself is escaped for COPY's text format. */
      g_string_append (s->buf, "\\\\x");
      for (gsize k = 0; k < len; k++)
        {
          g_string_append_c (s->buf, hex[data[k] >> 4]);
          g_string_append_c (s->buf, hex[data[k] & 15]);
        }
      g_string_append_c (s->buf, '\t');
      if (!copy_row_done (s, error))
        return FALSE;
    }
  return copy_end (s, "document_blob", error);
}

/* The whole load ------------------------------------------------------------------------------ */

static gboolean
check_database (Seed    *s,
                GError **error)
{
  PGresult *res;
  gboolean ok;

  res = PQexec (s->conn, "SELECT to_regclass('rd.referral') IS NOT NULL, "
                         "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)");
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    return check_result (res, PGRES_TUPLES_OK, error);
  if (!g_str_equal (PQgetvalue (res, 0, 0), "t"))
    {
      PQclear (res);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The database has no Referral Desk schema. Run “referral-desk-admin init-db” on it first."));
      return FALSE;
    }
  ok = g_str_equal (PQgetvalue (res, 0, 1), "t");
  PQclear (res);
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("seed-demo loads rows in bulk with triggers off, which needs a superuser. "
                     "Connect as a superuser (for example with --db \"user=postgres\")."));
      return FALSE;
    }

  {
    g_autoptr(GString) team_names = g_string_new ("{");
    g_autoptr(GString) logins = g_string_new ("{");
    const char *params[2];

    /* Array literals of our own constant names (no quotes or commas in them). */
    for (guint i = 0; i < G_N_ELEMENTS (teams); i++)
      g_string_append_printf (team_names, "%s\"%s\"", i > 0 ? "," : "", teams[i].name);
    g_string_append_c (team_names, '}');
    for (guint i = 0; i < N_STAFF; i++)
      g_string_append_printf (logins, "%s%s", i > 0 ? "," : "", staff[i].login);
    g_string_append_c (logins, '}');
    params[0] = team_names->str;
    params[1] = logins->str;

    /* Teams, queues and staff made by init (the local desk's own) may be
     * there; patients, referrals or anything of an earlier seed may not. */
    res = PQexecParams (s->conn,
                        "SELECT EXISTS (SELECT 1 FROM rd.referral) OR EXISTS (SELECT 1 FROM rd.patient) "
                        "    OR EXISTS (SELECT 1 FROM rd.team WHERE name = ANY ($1::text[])) "
                        "    OR EXISTS (SELECT 1 FROM rd.staff WHERE login_name = ANY ($2::text[])) "
                        "    OR EXISTS (SELECT 1 FROM rd.provider) OR EXISTS (SELECT 1 FROM rd.payer), "
                        "  (SELECT coalesce(max(id), 0) FROM rd.team), "
                        "  (SELECT coalesce(max(id), 0) FROM rd.work_queue), "
                        "  (SELECT coalesce(max(id), 0) FROM rd.staff)",
                        2, NULL, params, NULL, NULL, 0);
  }
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    return check_result (res, PGRES_TUPLES_OK, error);
  ok = g_str_equal (PQgetvalue (res, 0, 0), "f");
  s->team_base = g_ascii_strtoll (PQgetvalue (res, 0, 1), NULL, 10);
  s->queue_base = g_ascii_strtoll (PQgetvalue (res, 0, 2), NULL, 10);
  s->staff_base = g_ascii_strtoll (PQgetvalue (res, 0, 3), NULL, 10);
  PQclear (res);
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("The database already has patients, referrals, a directory or demo data; seed-demo "
                     "fills only a database fresh from init-db and left this one unchanged. Create a new "
                     "database, run init-db on it, then seed-demo."));
      return FALSE;
    }
  return TRUE;
}

static const char *const setval_sql[] = {
  "SELECT setval(pg_get_serial_sequence('rd.team', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.team), false)",
  "SELECT setval(pg_get_serial_sequence('rd.work_queue', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.work_queue), false)",
  "SELECT setval(pg_get_serial_sequence('rd.staff', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.staff), false)",
  "SELECT setval(pg_get_serial_sequence('rd.payer', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.payer), false)",
  "SELECT setval(pg_get_serial_sequence('rd.payer_plan', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.payer_plan), false)",
  "SELECT setval(pg_get_serial_sequence('rd.organization', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.organization), false)",
  "SELECT setval(pg_get_serial_sequence('rd.provider', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.provider), false)",
  "SELECT setval(pg_get_serial_sequence('rd.community_resource', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.community_resource), false)",
  "SELECT setval(pg_get_serial_sequence('rd.patient', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.patient), false)",
  "SELECT setval(pg_get_serial_sequence('rd.coverage', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.coverage), false)",
  "SELECT setval(pg_get_serial_sequence('rd.referral', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.referral), false)",
  "SELECT setval('rd.referral_number_seq', (SELECT coalesce(max(id), 0) + 1 FROM rd.referral), false)",
  "SELECT setval(pg_get_serial_sequence('rd.document', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM rd.document), false)",
};

static gboolean
finish_load (Seed    *s,
             GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (setval_sql); i++)
    if (!exec_sql (s, setval_sql[i], error))
      return FALSE;

  /* What the per-row triggers would have done, once per table. */
  for (guint i = 0; i < s->table_rows->len; i++)
    {
      TableCount *tc = &g_array_index (s->table_rows, TableCount, i);
      g_autofree char *rows = g_strdup_printf ("%" G_GUINT64_FORMAT, tc->rows);
      g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, s->seed);
      const char *params[3] = { tc->table, rows, seed };
      PGresult *res;

      res = PQexecParams (s->conn,
                          "INSERT INTO audit.log (table_name, row_id, operation, after) "
                          "VALUES ($1, NULL, 'INSERT', jsonb_build_object('bulk_load', 'seed-demo', "
                          "'rows', $2::bigint, 'seed', $3::bigint))",
                          3, NULL, params, NULL, NULL, 0);
      if (!check_result (res, PGRES_COMMAND_OK, error))
        return FALSE;
      res = PQexecParams (s->conn,
                          "SELECT pg_notify('rd_changes', json_build_object('table', $1::text, "
                          "'op', 'BULK', 'rows', $2::bigint)::text)",
                          2, NULL, params, NULL, NULL, 0);
      if (!check_result (res, PGRES_TUPLES_OK, error))
        return FALSE;
    }
  return TRUE;
}

static char *
read_password (GError **error)
{
  char line[1024];
  gsize len;

  if (fgets (line, sizeof line, stdin) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("No password on standard input. Pipe one line, for example: "
                     "“printf '%%s\\n' \"$PW\" | referral-desk-admin seed-demo --password-stdin”."));
      return NULL;
    }
  len = strlen (line);
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    line[--len] = '\0';
  if (len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The password on standard input is empty."));
      return NULL;
    }
  return g_strdup (line);
}

static gboolean
parse_anchor (const char  *text,
              gint64      *out,
              GError     **error)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      dt = g_date_time_new_utc (g_date_time_get_year (now), g_date_time_get_month (now),
                                g_date_time_get_day_of_month (now), 0, 0, 0);
    }
  else
    {
      int y, m, d;
      char extra;

      if (sscanf (text, "%d-%d-%d%c", &y, &m, &d, &extra) == 3 && y >= 2000 && y <= 2200)
        dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
    }
  if (dt == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a date. Give the anchor date as YYYY-MM-DD."), text);
      return FALSE;
    }
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

static int seed_run (Seed       *s_ptr,
                     const char *password,
                     gboolean    no_vacuum);

/**
 * rd_admin_seed_demo:
 * @argc: arguments, the first being "seed-demo"
 * @argv: (array length=argc): the arguments
 *
 * `referral-desk-admin seed-demo [--db CONNINFO] [--referrals N] [--seed S]
 * [--anchor YYYY-MM-DD] [--faxes N] [--password-stdin]`.
 *
 * Returns: the exit status
 */
int
rd_admin_seed_demo (int    argc,
                    char **argv)
{
  g_autofree char *conninfo = NULL;
  g_autofree char *anchor_text = NULL;
  g_autofree char *password = NULL;
  gint64 n_referrals = 5000;
  gint64 seed = 1;
  int n_faxes = 250;
  gboolean password_stdin = FALSE;
  gboolean no_vacuum = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) buf = g_string_sized_new (2 * 1024 * 1024);
  g_autoptr(GArray) table_rows = g_array_new (FALSE, FALSE, sizeof (TableCount));
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &conninfo,
      N_("The database: a libpq conninfo string or URI (default: libpq’s environment variables)"), N_("CONNINFO") },
    { "referrals", 0, 0, G_OPTION_ARG_INT64, &n_referrals, N_("How many referrals to make (default 5000)"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("The same seed gives the same data (default 1)"), "S" },
    { "anchor", 0, 0, G_OPTION_ARG_STRING, &anchor_text,
      N_("The day the data is made to look current on (default today, UTC)"), N_("YYYY-MM-DD") },
    { "faxes", 0, 0, G_OPTION_ARG_INT, &n_faxes,
      N_("How many of the first referrals get a fax PDF (default 250)"), "N" },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
      N_("Read one password from standard input and give it to every demo login"), NULL },
    { "no-vacuum", 0, 0, G_OPTION_ARG_NONE, &no_vacuum,
      N_("Skip VACUUM ANALYZE after loading"), NULL },
    { NULL }
  };
  Seed s = { 0 };
  PGconn *conn = NULL;
  int status;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    _("Fills an empty Referral Desk database with invented, realistic demo data.\n\n"
      "Demo logins (PostgreSQL roles): demo_admin; leads demo_maria (Intake), demo_grace\n"
      "(Cardiology), demo_david (Imaging), demo_ruth (Orthopedics), demo_elena (Behavioral\n"
      "health); specialists demo_jose, demo_linh, demo_omar, demo_ingrid, demo_priya,\n"
      "demo_sam, demo_kofi, demo_tomasz, demo_ava. They get no password unless\n"
      "--password-stdin gives one (then all share it); without one they sign in only\n"
      "where the server trusts local connections, or after “ALTER ROLE … PASSWORD”.\n\n"
      "The rows go in with COPY in one transaction with triggers off, so the connection\n"
      "must be a superuser’s; the status history and one audit record per table are\n"
      "written instead. The same --seed and --anchor give the same data. A database\n"
      "that already has patients, referrals, a directory or the demo teams is refused\n"
      "and left unchanged; teams and staff made by init-db or add-staff may be there."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return rd_admin_fail ("%s", error->message);
  if (argc > 1)
    return rd_admin_fail (_("seed-demo takes no arguments besides options; “%s” is one too many."), argv[1]);
  if (n_referrals < 1 || n_referrals > 50000000)
    return rd_admin_fail (_("--referrals must be between 1 and 50000000."));
  if (seed < 0)
    return rd_admin_fail (_("--seed must not be negative."));
  if (n_faxes < 0 || n_faxes > 100000)
    return rd_admin_fail (_("--faxes must be between 0 and 100000."));
  if (!parse_anchor (anchor_text, &s.anchor, &error))
    return rd_admin_fail ("%s", error->message);
  if (password_stdin && (password = read_password (&error)) == NULL)
    return rd_admin_fail ("%s", error->message);

  conn = PQconnectdb (conninfo != NULL ? conninfo : "");
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *msg = g_strchomp (g_strdup (PQerrorMessage (conn)));

      PQfinish (conn);
      return rd_admin_fail (_("Could not connect to the database: %s"), msg);
    }

  s.conn = conn;
  s.seed = (guint64) seed;
  s.n_referrals = (guint64) n_referrals;
  s.n_patients = MAX (s.n_referrals * 6 / 10, 20);
  s.n_providers = 300 + s.n_referrals / 400;
  s.n_primary = s.n_providers * 4 / 10;
  s.n_orgs = 40 + s.n_referrals / 5000;
  s.n_fax_referrals = (guint) MIN ((guint64) n_faxes, s.n_referrals);
  s.n_inbox = 30;
  s.buf = buf;
  s.table_rows = table_rows;
  s.started = g_get_monotonic_time ();
  status = seed_run (&s, password, no_vacuum);
  PQfinish (conn);
  return status;
}

static int
seed_run (Seed       *s_ptr,
          const char *password,
          gboolean    no_vacuum)
{
  Seed s = *s_ptr;
  g_autoptr(GError) error = NULL;
  PGconn *conn = s.conn;
  gboolean ok;

  for (guint q = 0; q < N_QUEUES; q++)
    for (guint c = 0; c < N_CLINICAL; c++)
      for (guint k = 0; k < 4 && queues[q].specialties[k] != NULL; k++)
        if (g_str_equal (queues[q].specialties[k], clinical[c].specialty))
          s.queue_clinical[q][s.n_queue_clinical[q]++] = c;
  for (guint i = 0; i < N_STAFF; i++)
    for (guint k = 0; k < 2; k++)
      if (staff[i].teams[k] >= 0)
        {
          guint t = (guint) staff[i].teams[k];
          s.team_members[t][s.n_team_members[t]++] = staff[i].login;
        }

  if (!check_database (&s, &error))
    return rd_admin_fail ("%s", error->message);

  g_print (_("Seeding %" PRIu64 " referrals (seed %" PRIu64 ", %" PRIu64
             " patients, %u fax PDFs) …\n"),
           s.n_referrals, s.seed, s.n_patients, s.n_fax_referrals + s.n_inbox);

  s.patient_plan = g_new0 (gint8, s.n_patients + 1);
  s.patient_language = g_new0 (guint8, s.n_patients + 1);

  ok = exec_sql (&s, "BEGIN", &error)
       && exec_sql (&s, "SET LOCAL session_replication_role = replica", &error)
       && exec_sql (&s, "SET LOCAL synchronous_commit = off", &error)
       && load_people (&s, password, &error)
       && load_directory (&s, &error)
       && load_patients (&s, &error)
       && load_referrals (&s, &error)
       && load_events (&s, &error)
       && load_work (&s, &error)
       && load_documents (&s, &error)
       && finish_load (&s, &error)
       && exec_sql (&s, "COMMIT", &error);

  g_clear_pointer (&s.patient_plan, g_free);
  g_clear_pointer (&s.patient_language, g_free);

  if (!ok)
    {
      PQclear (PQexec (conn, "ROLLBACK"));
      return rd_admin_fail (_("Seeding failed and nothing was kept: %s"), error->message);
    }
  elapsed_note (&s, "committed", s.n_referrals);

  if (!no_vacuum)
    {
      /* Fresh statistics and visibility maps, so the first plans are good ones. */
      if (!exec_sql (&s, "VACUUM (ANALYZE) rd.referral, rd.referral_event, rd.patient, rd.coverage, "
                         "rd.authorization, rd.appointment, rd.task, rd.missing_item, rd.communication, "
                         "rd.barrier, rd.document, rd.provider, rd.organization, rd.staff, rd.team, "
                         "rd.team_member, rd.work_queue, rd.payer, rd.payer_plan", &error))
        return rd_admin_fail (_("The data is in, but VACUUM ANALYZE failed: %s"), error->message);
      elapsed_note (&s, "vacuum analyze", 0);
    }

  g_print (_("Done: %" PRIu64 " referrals in %.1f s.\n"), s.n_referrals,
           (g_get_monotonic_time () - s.started) / 1e6);
  return 0;
}
