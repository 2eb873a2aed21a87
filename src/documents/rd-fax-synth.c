/* rd-fax-synth.c — a made-up referral fax, drawn with cairo, for tests and demos
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Draws what a referral fax from a small practice looks like: the fax
 * machine's header line on every page, a letterhead, a referral form with
 * the patient, insurance, referring clinician, diagnoses and reason, a
 * signature scrawl, then office notes, a medication list, lab results and a
 * copy of the insurance card, all sprinkled with the speckles and streaks
 * of a fax line. The text is real text (cairo writes a text layer) so that
 * extraction and suggestions can be tested. Everything comes from a seed, so
 * the same seed gives the same document. All of it is invented.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cairo.h>
#include <gio/gio.h>
#include <cairo-pdf.h>

#include "rd-documents.h"
#include "rd-fax-synth.h"
#include "rd-validate.h"

#define PAGE_WIDTH  612.0
#define PAGE_HEIGHT 792.0
#define MARGIN      54.0

static const char *given_names[] = {
  "Marisol", "Teodor", "Anneliese", "Kwabena", "Priyanka", "Lorcan", "Yukiko",
  "Benedikt", "Odalys", "Tobiah", "Rosalind", "Ximena", "Eamon", "Saoirse",
  "Thaddeus", "Ingrid", "Mateus", "Ottilie", "Ravindra", "Zuzanna",
};

static const char *family_names[] = {
  "Quennell", "Abernathy", "Okonkwo-Lind", "Faircloth", "Zeballos", "Hartigan",
  "Nakashima", "Delacroix", "Vantongeren", "Pellingham", "Marchetti-Shaw",
  "Ostrowicz", "Blackwood", "Thistlewaite", "Arkwright", "Castellano-Dunn",
};

static const char *practices[][2] = {
  { "Maple Grove Family Medicine", "1420 Orchard Lane, Suite 200, Springfield, IL 62704" },
  { "Riverside Primary Care Associates", "88 Waterfront Drive, Portland, OR 97201" },
  { "Lakeshore Internal Medicine", "305 Harbor Street, Madison, WI 53703" },
  { "Cedar Hill Community Health Center", "12 Cedar Hill Road, Burlington, VT 05401" },
  { "Sunvale Pediatrics and Family Care", "2750 Sunvale Boulevard, Tucson, AZ 85719" },
};

static const char *payers[] = {
  "Meridian Mutual Health", "Bluewater Health Plan", "Prairie State Medicaid",
  "Keystone Senior Advantage", "Summit Commercial PPO",
};

static const char *area_codes[] = {
  "217", "503", "608", "802", "520", "312", "617",
};

static const struct
{
  const char *specialty;
  const char *codes[3];
  const char *reason;
} clinical[] = {
  { "Cardiology", { "I10", "R07.9", NULL },
    "Exertional chest discomfort for three weeks with elevated blood pressure despite lisinopril. Please evaluate for stress testing." },
  { "Gastroenterology", { "K21.9", "R10.13", NULL },
    "Persistent epigastric pain and reflux not controlled by omeprazole. Requesting evaluation for upper endoscopy." },
  { "Endocrinology", { "E11.65", "E78.5", NULL },
    "Type 2 diabetes with A1c of 9.4 percent on two oral agents. Please advise on insulin initiation." },
  { "Orthopedics", { "M17.11", "M25.561", NULL },
    "Right knee osteoarthritis with worsening pain and reduced mobility after six weeks of physical therapy." },
  { "Neurology", { "G43.909", "R51.9", NULL },
    "Frequent migraines, now weekly, with new visual aura. Please evaluate and advise on preventive therapy." },
  { "Pulmonology", { "J44.9", "R06.02", NULL },
    "COPD with increasing shortness of breath on exertion and two exacerbations this year. Requesting pulmonary function testing." },
};

static const struct
{
  const char *code;
  const char *text;
} icd10_names[] = {
  { "I10", "Essential (primary) hypertension" },
  { "R07.9", "Chest pain, unspecified" },
  { "K21.9", "Gastro-esophageal reflux disease without esophagitis" },
  { "R10.13", "Epigastric pain" },
  { "E11.65", "Type 2 diabetes mellitus with hyperglycemia" },
  { "E78.5", "Hyperlipidemia, unspecified" },
  { "M17.11", "Unilateral primary osteoarthritis, right knee" },
  { "M25.561", "Pain in right knee" },
  { "G43.909", "Migraine, unspecified, not intractable" },
  { "R51.9", "Headache, unspecified" },
  { "J44.9", "Chronic obstructive pulmonary disease, unspecified" },
  { "R06.02", "Shortness of breath" },
};

static const char *note_sentences[] = {
  "Patient seen in clinic today accompanied by a family member.",
  "Symptoms began gradually and have worsened over the past month.",
  "No fever, chills or unintended weight loss reported.",
  "Vital signs reviewed; blood pressure 148/92, pulse 84, oxygen saturation 97 percent on room air.",
  "Physical examination otherwise unremarkable apart from the findings noted above.",
  "Current medications reviewed and reconciled with the patient.",
  "No known drug allergies.",
  "Patient denies tobacco use and drinks alcohol rarely.",
  "Recent laboratory results are attached for your review.",
  "We discussed the reasons for referral and the patient agrees with the plan.",
  "Please send your consultation report to our office by fax.",
  "Follow-up visit with primary care scheduled in six weeks.",
  "Patient prefers morning appointments and can be reached at the number on the referral form.",
  "Interpreter not required; patient speaks English.",
  "Previous imaging from last year showed no acute abnormality.",
};

static const char *medications[] = {
  "Lisinopril 10 mg tablet, once daily",
  "Atorvastatin 20 mg tablet, once nightly",
  "Metformin 1000 mg tablet, twice daily with meals",
  "Omeprazole 20 mg capsule, once daily before breakfast",
  "Albuterol HFA 90 mcg, 2 puffs every 4 hours as needed",
  "Aspirin 81 mg tablet, once daily",
  "Sumatriptan 50 mg tablet, as needed for migraine",
  "Acetaminophen 500 mg tablet, as needed for pain",
};

static const char *page_kinds[] = {
  "OFFICE VISIT NOTE", "MEDICATION LIST", "LABORATORY RESULTS",
  "INSURANCE CARD (COPY)", "CLINICAL NOTES (CONTINUED)",
};

#define PICK(rand, array) ((array)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (array))])

static char *
make_npi (GRand *rand)
{
  char digits[11];
  int sum = 24; /* the "80840" prefix, already through the Luhn doubling */

  digits[0] = '1';
  for (int i = 1; i < 9; i++)
    digits[i] = '0' + g_rand_int_range (rand, 0, 10);

  /* Luhn over the nine digits, doubling from the rightmost one. */
  for (int i = 8, j = 0; i >= 0; i--, j++)
    {
      int d = digits[i] - '0';

      if (j % 2 == 0)
        {
          d *= 2;
          if (d > 9)
            d -= 9;
        }
      sum += d;
    }
  digits[9] = '0' + (10 - sum % 10) % 10;
  digits[10] = '\0';

  g_assert (rd_npi_check_digit_ok (digits));
  return g_strdup (digits);
}

static char *
make_phone (GRand *rand)
{
  return g_strdup_printf ("(%s) 555-01%02d", PICK (rand, area_codes),
                          g_rand_int_range (rand, 0, 100));
}

/**
 * rd_fax_synth_values_new:
 * @seed: any number; the same seed gives the same values
 * @n_pages: pages in the fax (at least 1)
 *
 * Invents the contents of a referral fax.
 *
 * Returns: (transfer full): values, free with rd_fax_synth_values_free()
 */
RdFaxSynthValues *
rd_fax_synth_values_new (guint32 seed,
                         guint   n_pages)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  RdFaxSynthValues *v = g_new0 (RdFaxSynthValues, 1);
  guint practice = g_rand_int_range (rand, 0, G_N_ELEMENTS (practices));
  guint problem = g_rand_int_range (rand, 0, G_N_ELEMENTS (clinical));
  GPtrArray *codes = g_ptr_array_new ();

  v->seed = seed;
  v->n_pages = MAX (n_pages, 1);
  v->patient_given = g_strdup (PICK (rand, given_names));
  v->patient_family = g_strdup (PICK (rand, family_names));
  v->dob = g_strdup_printf ("%02d/%02d/%04d",
                            g_rand_int_range (rand, 1, 13),
                            g_rand_int_range (rand, 1, 29),
                            g_rand_int_range (rand, 1938, 2015));
  v->sex = g_strdup (g_rand_boolean (rand) ? "F" : "M");
  v->phone = make_phone (rand);
  v->mrn = g_strdup_printf ("%08d", g_rand_int_range (rand, 100000, 99999999));
  v->member_id = g_strdup_printf ("%c%c%c%09d",
                                  'A' + g_rand_int_range (rand, 0, 26),
                                  'A' + g_rand_int_range (rand, 0, 26),
                                  'A' + g_rand_int_range (rand, 0, 26),
                                  g_rand_int_range (rand, 0, 999999999));
  v->payer = g_strdup (PICK (rand, payers));
  v->practice_name = g_strdup (practices[practice][0]);
  v->practice_address = g_strdup (practices[practice][1]);
  v->practice_phone = make_phone (rand);
  v->practice_fax = make_phone (rand);
  v->referring_provider = g_strdup_printf ("%s %s, MD", PICK (rand, given_names),
                                           PICK (rand, family_names));
  v->npi = make_npi (rand);
  v->specialty = g_strdup (clinical[problem].specialty);
  for (guint i = 0; clinical[problem].codes[i] != NULL; i++)
    g_ptr_array_add (codes, g_strdup (clinical[problem].codes[i]));
  g_ptr_array_add (codes, NULL);
  v->icd10 = (char **) g_ptr_array_free (codes, FALSE);
  v->reason = g_strdup (clinical[problem].reason);
  v->sent_date = g_strdup_printf ("2026-%02d-%02d",
                                  g_rand_int_range (rand, 1, 13),
                                  g_rand_int_range (rand, 1, 29));
  v->to_fax = make_phone (rand);
  v->urgent = g_rand_int_range (rand, 0, 5) == 0;

  return v;
}

/**
 * rd_fax_synth_values_free:
 * @values: (nullable): values from rd_fax_synth_values_new()
 *
 * Frees @values and every string in it.
 */
void
rd_fax_synth_values_free (RdFaxSynthValues *values)
{
  if (values == NULL)
    return;

  g_free (values->patient_given);
  g_free (values->patient_family);
  g_free (values->dob);
  g_free (values->sex);
  g_free (values->phone);
  g_free (values->mrn);
  g_free (values->member_id);
  g_free (values->payer);
  g_free (values->practice_name);
  g_free (values->practice_address);
  g_free (values->practice_phone);
  g_free (values->practice_fax);
  g_free (values->referring_provider);
  g_free (values->npi);
  g_free (values->specialty);
  g_strfreev (values->icd10);
  g_free (values->reason);
  g_free (values->sent_date);
  g_free (values->to_fax);
  g_free (values);
}

/* Drawing. */

static const char *
safe (const char *s)
{
  return s != NULL ? s : "";
}

static void
set_font (cairo_t    *cr,
          const char *family,
          gboolean    bold,
          double      size)
{
  cairo_select_font_face (cr, family, CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

static void
show_at (cairo_t    *cr,
         double      x,
         double      y,
         const char *text)
{
  cairo_move_to (cr, x, y);
  cairo_show_text (cr, text);
}

static double
text_width (cairo_t    *cr,
            const char *text)
{
  cairo_text_extents_t ext;

  cairo_text_extents (cr, text, &ext);
  return ext.x_advance;
}

/* Word-wraps @text into @width and returns the y below the last line. */
static double
show_wrapped (cairo_t    *cr,
              double      x,
              double      y,
              double      width,
              double      line_height,
              const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *candidate = line->len
        ? g_strdup_printf ("%s %s", line->str, words[i])
        : g_strdup (words[i]);

      if (line->len > 0 && text_width (cr, candidate) > width)
        {
          show_at (cr, x, y, line->str);
          y += line_height;
          g_string_assign (line, words[i]);
        }
      else
        g_string_assign (line, candidate);
    }

  if (line->len > 0)
    {
      show_at (cr, x, y, line->str);
      y += line_height;
    }

  return y;
}

static void
hline (cairo_t *cr,
       double   x0,
       double   x1,
       double   y,
       double   width)
{
  cairo_set_line_width (cr, width);
  cairo_move_to (cr, x0, y);
  cairo_line_to (cr, x1, y);
  cairo_stroke (cr);
}

static void
draw_fax_header (cairo_t                *cr,
                 const RdFaxSynthValues *v,
                 guint                   page,
                 GRand                  *rand)
{
  g_autofree char *upper = g_ascii_strup (safe (v->practice_name), -1);
  g_autofree char *line = NULL;
  int year = 2026, month = 1, day = 1;

  sscanf (safe (v->sent_date), "%d-%d-%d", &year, &month, &day);
  line = g_strdup_printf ("%02d/%02d/%04d %02d:%02d  FROM: %s  %.28s  TO: %s  Page %u/%u",
                          month, day, year,
                          8 + (int) (v->seed % 9), (int) (v->seed / 7 % 60),
                          safe (v->practice_fax), upper, safe (v->to_fax),
                          page, v->n_pages);
  set_font (cr, "Monospace", FALSE, 7.5);
  show_at (cr, 18, 14, line);
}

static void
draw_letterhead (cairo_t                *cr,
                 const RdFaxSynthValues *v)
{
  g_autofree char *contact = g_strdup_printf ("Phone %s    Fax %s",
                                              safe (v->practice_phone),
                                              safe (v->practice_fax));

  /* A simple logo: a cross in a circle. */
  cairo_new_path (cr);
  cairo_set_line_width (cr, 2);
  cairo_arc (cr, MARGIN + 16, 52, 16, 0, 2 * G_PI);
  cairo_stroke (cr);
  cairo_rectangle (cr, MARGIN + 13, 41, 6, 22);
  cairo_rectangle (cr, MARGIN + 5, 49, 22, 6);
  cairo_fill (cr);

  set_font (cr, "Serif", TRUE, 17);
  show_at (cr, MARGIN + 42, 50, safe (v->practice_name));
  set_font (cr, "Serif", FALSE, 9);
  show_at (cr, MARGIN + 42, 63, safe (v->practice_address));
  show_at (cr, MARGIN + 42, 74, contact);
  hline (cr, MARGIN, PAGE_WIDTH - MARGIN, 84, 1.5);
}

static double
draw_section (cairo_t    *cr,
              double      y,
              const char *title)
{
  cairo_rectangle (cr, MARGIN, y - 11, PAGE_WIDTH - 2 * MARGIN, 15);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  set_font (cr, "Sans", TRUE, 9.5);
  show_at (cr, MARGIN + 4, y, title);
  cairo_set_source_rgb (cr, 0, 0, 0);
  return y + 20;
}

static void
draw_field (cairo_t    *cr,
            double      x,
            double      y,
            double      width,
            const char *label,
            const char *value)
{
  double label_width;

  set_font (cr, "Sans", TRUE, 8.5);
  show_at (cr, x, y, label);
  label_width = text_width (cr, label) + 6;
  set_font (cr, "Sans", FALSE, 10.5);
  show_at (cr, x + label_width, y, value);
  hline (cr, x + label_width - 2, x + width - 8, y + 3, 0.5);
}

static void
draw_checkbox (cairo_t    *cr,
               double      x,
               double      y,
               gboolean    ticked,
               const char *label)
{
  cairo_set_line_width (cr, 0.8);
  cairo_rectangle (cr, x, y - 8, 9, 9);
  cairo_stroke (cr);
  if (ticked)
    {
      cairo_set_line_width (cr, 1.6);
      cairo_move_to (cr, x + 1, y - 4);
      cairo_line_to (cr, x + 4, y);
      cairo_line_to (cr, x + 10, y - 11);
      cairo_stroke (cr);
    }
  set_font (cr, "Sans", FALSE, 9);
  show_at (cr, x + 13, y, label);
}

static void
draw_signature (cairo_t *cr,
                double   x,
                double   y,
                double   width,
                GRand   *rand)
{
  double px = x + 8, py = y + 20;

  cairo_set_line_width (cr, 0.6);
  cairo_rectangle (cr, x, y, width, 34);
  cairo_stroke (cr);

  /* A scrawl: loops drifting right, the way a hurried signature looks. */
  cairo_set_line_width (cr, 1.3);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_new_path (cr);
  cairo_move_to (cr, px, py);
  for (int i = 0; i < 9; i++)
    {
      double step = g_rand_double_range (rand, 10, 22);
      double up = g_rand_double_range (rand, -14, -4);
      double down = g_rand_double_range (rand, 3, 10);

      cairo_curve_to (cr, px + step * 0.2, py + up, px + step * 0.9, py + up,
                      px + step * 0.5, py + down);
      px += step;
      cairo_curve_to (cr, px - step * 0.3, py + down * 0.4,
                      px, py + g_rand_double_range (rand, -3, 3), px + 2, py);
      if (px > x + width - 30)
        break;
    }
  cairo_stroke (cr);
  cairo_move_to (cr, x + 12, y + 28);
  cairo_curve_to (cr, x + width * 0.3, y + 24, x + width * 0.6, y + 31, px, y + 26);
  cairo_stroke (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
}

static void
draw_fax_noise (cairo_t *cr,
                GRand   *rand)
{
  int n_dots = g_rand_int_range (rand, 400, 900);

  for (int i = 0; i < n_dots; i++)
    {
      double x = g_rand_double_range (rand, 0, PAGE_WIDTH);
      double y = g_rand_double_range (rand, 0, PAGE_HEIGHT);
      double r = g_rand_double_range (rand, 0.25, 0.9);

      cairo_rectangle (cr, x, y, r, r * g_rand_double_range (rand, 0.6, 1.4));
    }
  cairo_fill (cr);

  /* Clusters along the edge, where the paper touched the glass. */
  for (int c = 0; c < 3; c++)
    {
      double cx = g_rand_boolean (rand) ? g_rand_double_range (rand, 2, 30)
                                        : g_rand_double_range (rand, PAGE_WIDTH - 30, PAGE_WIDTH - 2);
      double cy = g_rand_double_range (rand, 40, PAGE_HEIGHT - 40);

      for (int i = 0; i < 60; i++)
        cairo_rectangle (cr, cx + g_rand_double_range (rand, -8, 8),
                         cy + g_rand_double_range (rand, -20, 20), 0.8, 0.8);
    }
  cairo_fill (cr);

  /* A streak from a dirty scanner line. */
  if (g_rand_int_range (rand, 0, 3) == 0)
    {
      double y = g_rand_double_range (rand, 100, PAGE_HEIGHT - 20);

      hline (cr, 0, PAGE_WIDTH, y, g_rand_double_range (rand, 0.3, 0.8));
    }
}

static const char *
icd10_text (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (icd10_names); i++)
    if (g_strcmp0 (icd10_names[i].code, code) == 0)
      return icd10_names[i].text;

  return "";
}

static void
draw_referral_form (cairo_t                *cr,
                    const RdFaxSynthValues *v,
                    GRand                  *rand)
{
  const double col = (PAGE_WIDTH - 2 * MARGIN) / 2;
  g_autofree char *name = g_strdup_printf ("%s, %s", safe (v->patient_family), safe (v->patient_given));
  double y = 118;

  set_font (cr, "Sans", TRUE, 22);
  show_at (cr, MARGIN, y, "REFERRAL");
  set_font (cr, "Sans", FALSE, 10);
  show_at (cr, MARGIN + 140, y - 2, "Request for specialty consultation");
  draw_checkbox (cr, PAGE_WIDTH - MARGIN - 140, y - 2, !v->urgent, "Routine");
  draw_checkbox (cr, PAGE_WIDTH - MARGIN - 70, y - 2, v->urgent, "URGENT");
  y += 26;

  draw_field (cr, MARGIN, y, col, "Date sent:", safe (v->sent_date));
  draw_field (cr, MARGIN + col, y, col, "Referred to:", safe (v->specialty));
  y += 26;

  y = draw_section (cr, y, "PATIENT INFORMATION");
  draw_field (cr, MARGIN, y, col, "Patient name:", name);
  draw_field (cr, MARGIN + col, y, col / 2, "DOB:", safe (v->dob));
  draw_field (cr, MARGIN + col * 1.5, y, col / 2, "Sex:", safe (v->sex));
  y += 22;
  draw_field (cr, MARGIN, y, col, "Phone:", safe (v->phone));
  draw_field (cr, MARGIN + col, y, col, "MRN:", safe (v->mrn));
  y += 30;

  y = draw_section (cr, y, "INSURANCE");
  draw_field (cr, MARGIN, y, col, "Health plan:", safe (v->payer));
  draw_field (cr, MARGIN + col, y, col, "Member ID:", safe (v->member_id));
  y += 30;

  y = draw_section (cr, y, "REFERRING PROVIDER");
  draw_field (cr, MARGIN, y, col, "Provider:", safe (v->referring_provider));
  draw_field (cr, MARGIN + col, y, col, "NPI:", safe (v->npi));
  y += 22;
  draw_field (cr, MARGIN, y, col, "Practice phone:", safe (v->practice_phone));
  draw_field (cr, MARGIN + col, y, col, "Practice fax:", safe (v->practice_fax));
  y += 30;

  y = draw_section (cr, y, "DIAGNOSIS (ICD-10)");
  for (guint i = 0; v->icd10 != NULL && v->icd10[i] != NULL; i++)
    {
      set_font (cr, "Sans", TRUE, 10.5);
      show_at (cr, MARGIN + 4, y, v->icd10[i]);
      set_font (cr, "Sans", FALSE, 10.5);
      show_at (cr, MARGIN + 80, y, icd10_text (v->icd10[i]));
      y += 16;
    }
  y += 12;

  y = draw_section (cr, y, "REASON FOR REFERRAL");
  set_font (cr, "Sans", FALSE, 10.5);
  y = show_wrapped (cr, MARGIN + 4, y, PAGE_WIDTH - 2 * MARGIN - 8, 14, safe (v->reason));
  y += 20;

  set_font (cr, "Sans", TRUE, 8.5);
  show_at (cr, MARGIN, y, "Referring provider signature:");
  draw_signature (cr, MARGIN + 150, y - 22, 200, rand);
  draw_field (cr, MARGIN + 370, y, 134, "Date:", safe (v->sent_date));
  y += 40;

  set_font (cr, "Sans", FALSE, 7.5);
  show_wrapped (cr, MARGIN, MAX (y, PAGE_HEIGHT - 70), PAGE_WIDTH - 2 * MARGIN, 10,
                "CONFIDENTIALITY NOTICE: This facsimile contains protected health information. "
                "If you received it in error, notify the sender by telephone and destroy all copies.");
}

static void
draw_patient_banner (cairo_t                *cr,
                     const RdFaxSynthValues *v,
                     const char             *kind)
{
  g_autofree char *banner = g_strdup_printf ("Patient: %s, %s    DOB: %s    MRN: %s",
                                             safe (v->patient_family), safe (v->patient_given),
                                             safe (v->dob), safe (v->mrn));

  set_font (cr, "Sans", TRUE, 15);
  show_at (cr, MARGIN, 112, kind);
  set_font (cr, "Sans", FALSE, 9.5);
  show_at (cr, MARGIN, 130, banner);
  hline (cr, MARGIN, PAGE_WIDTH - MARGIN, 137, 0.6);
}

static void
draw_notes_page (cairo_t                *cr,
                 const RdFaxSynthValues *v,
                 GRand                  *rand)
{
  double y = 160;

  set_font (cr, "Serif", FALSE, 10.5);
  while (y < PAGE_HEIGHT - 180)
    {
      g_autoptr(GString) paragraph = g_string_new (NULL);
      int n = g_rand_int_range (rand, 3, 6);

      for (int i = 0; i < n; i++)
        {
          if (paragraph->len)
            g_string_append_c (paragraph, ' ');
          g_string_append (paragraph, PICK (rand, note_sentences));
        }
      y = show_wrapped (cr, MARGIN, y, PAGE_WIDTH - 2 * MARGIN, 14, paragraph->str) + 10;
    }

  set_font (cr, "Serif", FALSE, 10);
  show_at (cr, MARGIN, PAGE_HEIGHT - 60, "Electronically signed by");
  show_at (cr, MARGIN + text_width (cr, "Electronically signed by") + 5, PAGE_HEIGHT - 60,
           safe (v->referring_provider));
}

static void
draw_medication_page (cairo_t *cr,
                      GRand   *rand)
{
  double y = 165;
  int n = g_rand_int_range (rand, 4, G_N_ELEMENTS (medications) + 1);

  set_font (cr, "Sans", TRUE, 9.5);
  show_at (cr, MARGIN, y, "Medication");
  show_at (cr, PAGE_WIDTH - MARGIN - 120, y, "Started");
  hline (cr, MARGIN, PAGE_WIDTH - MARGIN, y + 4, 0.8);
  y += 20;
  set_font (cr, "Sans", FALSE, 10);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *started = g_strdup_printf ("%02d/%04d", g_rand_int_range (rand, 1, 13),
                                                  g_rand_int_range (rand, 2012, 2026));

      show_at (cr, MARGIN, y, medications[(i + g_rand_int_range (rand, 0, 3)) % G_N_ELEMENTS (medications)]);
      show_at (cr, PAGE_WIDTH - MARGIN - 120, y, started);
      y += 18;
    }
}

static void
draw_lab_page (cairo_t *cr,
               GRand   *rand)
{
  static const struct { const char *test; const char *unit; double lo, hi; } labs[] = {
    { "Hemoglobin A1c", "%", 5.0, 10.5 },
    { "Glucose, fasting", "mg/dL", 80, 190 },
    { "Creatinine", "mg/dL", 0.6, 1.6 },
    { "Potassium", "mmol/L", 3.4, 5.3 },
    { "Sodium", "mmol/L", 134, 146 },
    { "LDL cholesterol", "mg/dL", 70, 190 },
    { "Hemoglobin", "g/dL", 11, 16.5 },
    { "TSH", "mIU/L", 0.4, 5.5 },
  };
  double y = 165;

  set_font (cr, "Monospace", TRUE, 9.5);
  show_at (cr, MARGIN, y, "TEST                      RESULT     UNITS     FLAG");
  hline (cr, MARGIN, PAGE_WIDTH - MARGIN, y + 4, 0.8);
  y += 20;
  set_font (cr, "Monospace", FALSE, 9.5);
  for (guint i = 0; i < G_N_ELEMENTS (labs); i++)
    {
      double value = g_rand_double_range (rand, labs[i].lo, labs[i].hi);
      g_autofree char *row = g_strdup_printf ("%-25s %7.1f    %-9s %s", labs[i].test, value,
                                              labs[i].unit,
                                              value > labs[i].lo + (labs[i].hi - labs[i].lo) * 0.8 ? "H" : "");

      show_at (cr, MARGIN, y, row);
      y += 16;
    }
}

static void
draw_card_page (cairo_t                *cr,
                const RdFaxSynthValues *v)
{
  g_autofree char *name = g_strdup_printf ("%s %s", safe (v->patient_given), safe (v->patient_family));
  double x = MARGIN + 40, y = 170, w = 300, h = 180;

  cairo_set_line_width (cr, 1.5);
  cairo_rectangle (cr, x, y, w, h);
  cairo_stroke (cr);
  set_font (cr, "Sans", TRUE, 13);
  show_at (cr, x + 14, y + 26, safe (v->payer));
  set_font (cr, "Sans", FALSE, 9);
  show_at (cr, x + 14, y + 56, "Member");
  set_font (cr, "Sans", TRUE, 11);
  show_at (cr, x + 14, y + 70, name);
  set_font (cr, "Sans", FALSE, 9);
  show_at (cr, x + 14, y + 96, "Member ID");
  set_font (cr, "Monospace", TRUE, 12);
  show_at (cr, x + 14, y + 111, safe (v->member_id));
  set_font (cr, "Sans", FALSE, 8);
  show_at (cr, x + 14, y + 160, "Present this card at every visit. Prior authorization may be required.");
}

static cairo_status_t
write_to_array (void                *closure,
                const unsigned char *data,
                unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/**
 * rd_fax_synth_render:
 * @values: what to put on the fax
 * @error: return location for an error
 *
 * Draws the fax as a PDF with a real text layer. The same values give the
 * same pages.
 *
 * Returns: (transfer full) (nullable): the PDF, or %NULL with @error set
 *   when cairo fails (out of memory)
 */
GBytes *
rd_fax_synth_render (const RdFaxSynthValues  *values,
                     GError                 **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GRand) rand = NULL;
  g_autofree char *date = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (values != NULL, NULL);

  rand = g_rand_new_with_seed (values->seed ^ 0x5eed5eedu);
  surface = cairo_pdf_surface_create_for_stream (write_to_array, out, PAGE_WIDTH, PAGE_HEIGHT);

  /* A fixed creation date keeps the output reproducible. */
  date = g_strdup_printf ("%sT09:00:00Z", values->sent_date ? values->sent_date : "2026-01-01");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, "Referral fax");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Referral Desk synthetic fax");

  cr = cairo_create (surface);
  for (guint page = 1; page <= MAX (values->n_pages, 1); page++)
    {
      double skew = g_rand_double_range (rand, -0.004, 0.004);

      cairo_save (cr);
      /* Paper never goes through a fax machine perfectly straight. */
      cairo_translate (cr, PAGE_WIDTH / 2, PAGE_HEIGHT / 2);
      cairo_rotate (cr, skew);
      cairo_translate (cr, -PAGE_WIDTH / 2, -PAGE_HEIGHT / 2);
      cairo_set_source_rgb (cr, 0, 0, 0);

      draw_fax_header (cr, values, page, rand);
      if (page == 1)
        {
          draw_letterhead (cr, values);
          draw_referral_form (cr, values, rand);
        }
      else
        {
          const char *kind = page_kinds[(page - 2) % G_N_ELEMENTS (page_kinds)];

          draw_letterhead (cr, values);
          draw_patient_banner (cr, values, kind);
          switch ((page - 2) % G_N_ELEMENTS (page_kinds))
            {
            case 1:
              draw_medication_page (cr, rand);
              break;

            case 2:
              draw_lab_page (cr, rand);
              break;

            case 3:
              draw_card_page (cr, values);
              break;

            default:
              draw_notes_page (cr, values, rand);
              break;
            }
        }

      draw_fax_noise (cr, rand);
      cairo_restore (cr);
      cairo_show_page (cr);
    }

  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cairo could not draw the synthetic fax: %s",
                   cairo_status_to_string (status));
      return NULL;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/**
 * rd_fax_synth_generate:
 * @seed: any number
 * @n_pages: pages in the fax (at least 1)
 *
 * Shorthand for rd_fax_synth_values_new() and rd_fax_synth_render().
 *
 * Returns: (transfer full): the PDF
 */
GBytes *
rd_fax_synth_generate (guint32 seed,
                       guint   n_pages)
{
  g_autoptr(RdFaxSynthValues) values = rd_fax_synth_values_new (seed, n_pages);
  g_autoptr(GError) error = NULL;
  GBytes *bytes = rd_fax_synth_render (values, &error);

  if (bytes == NULL)
    g_error ("%s", error->message);

  return bytes;
}
