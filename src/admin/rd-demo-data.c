/* rd-demo-data.c — invented people, places and plans for demo databases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here describes a real person. Given names are common first names;
 * family names are mostly assembled from syllables, so that a large demo
 * population has the long tail of distinct names that search is measured
 * against; phone numbers use the 555-01NN range set aside for fiction.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rd-demo-data.h"

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/**
 * rd_demo_rng_init:
 * @rng: the generator
 * @seed: the user's seed
 * @stream: which kind of thing is generated (patients, referrals, …)
 * @index: which one of them
 *
 * Starts an independent sequence for one (seed, stream, index): each row of
 * the demo data gets its own, so that a row does not depend on the others.
 */
void
rd_demo_rng_init (RdDemoRng *rng,
                  guint64    seed,
                  guint64    stream,
                  guint64    index)
{
  guint64 s = seed;

  s = splitmix64 (&s) ^ (stream * G_GUINT64_CONSTANT (0xD1B54A32D192ED03));
  s = splitmix64 (&s) ^ (index * G_GUINT64_CONSTANT (0x8CB92BA72F3D8DD7));
  rng->state = s;
  (void) splitmix64 (&rng->state);
}

guint64
rd_demo_rng_next (RdDemoRng *rng)
{
  return splitmix64 (&rng->state);
}

/* Uniform in [0, @bound); the tiny modulo bias does not matter for demo data. */
guint32
rd_demo_rng_below (RdDemoRng *rng,
                   guint32    bound)
{
  if (bound == 0)
    return 0;
  return (guint32) (rd_demo_rng_next (rng) % bound);
}

/* Uniform in [0, 1). */
double
rd_demo_rng_double (RdDemoRng *rng)
{
  return (double) (rd_demo_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

gboolean
rd_demo_rng_chance (RdDemoRng *rng,
                    double     probability)
{
  return rd_demo_rng_double (rng) < probability;
}

/* An index into @weights, chosen in proportion to the weights. */
guint
rd_demo_rng_weighted (RdDemoRng   *rng,
                      const guint *weights,
                      guint        n_weights)
{
  guint total = 0;
  guint pick;

  for (guint i = 0; i < n_weights; i++)
    total += weights[i];
  pick = rd_demo_rng_below (rng, total);
  for (guint i = 0; i < n_weights; i++)
    {
      if (pick < weights[i])
        return i;
      pick -= weights[i];
    }
  return n_weights - 1;
}

const char *const rd_demo_given_female[] = {
  "Maria", "Ana", "Sofia", "Isabel", "Lucia", "Carmen", "Rosa", "Elena", "Gabriela",
  "Valentina", "Ximena", "Marisol", "Guadalupe", "Esperanza", "Beatriz", "Linh", "Mai",
  "Thuy", "Mei", "Xiu", "Aisha", "Fatima", "Leila", "Amara", "Nia", "Zuri", "Olga",
  "Irina", "Katarzyna", "Zuzanna", "Ingrid", "Astrid", "Saoirse", "Siobhan", "Priya",
  "Priyanka", "Ananya", "Yukiko", "Hana", "Emma", "Olivia", "Ava", "Mia", "Harper",
  "Evelyn", "Abigail", "Emily", "Ella", "Grace", "Chloe", "Margaret", "Dorothy",
  "Ruth", "Helen", "Frances", "Rosalind", "Ottilie", "Anneliese", "Odalys", "Jasmine",
};
const guint rd_demo_n_given_female = G_N_ELEMENTS (rd_demo_given_female);

const char *const rd_demo_given_male[] = {
  "Jose", "Luis", "Carlos", "Juan", "Miguel", "Jorge", "Alejandro", "Diego", "Mateo",
  "Santiago", "Rafael", "Javier", "Ernesto", "Minh", "Tuan", "Wei", "Jun", "Hiroshi",
  "Omar", "Yusuf", "Tariq", "Kwabena", "Kofi", "Chidi", "Dmitri", "Pavel", "Tomasz",
  "Benedikt", "Lorcan", "Eamon", "Ravindra", "Arjun", "James", "Robert", "John",
  "Michael", "David", "William", "Richard", "Thomas", "Charles", "Daniel", "Matthew",
  "Anthony", "Mark", "Steven", "Andrew", "Joshua", "Kenneth", "Kevin", "Brian",
  "George", "Edward", "Ronald", "Thaddeus", "Teodor", "Tobiah", "Mateus", "Elijah",
  "Samuel",
};
const guint rd_demo_n_given_male = G_N_ELEMENTS (rd_demo_given_male);

const char *const rd_demo_family_common[] = {
  "Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez",
  "Sanchez", "Ramirez", "Torres", "Flores", "Rivera", "Nguyen", "Tran", "Pham",
  "Chen", "Wang", "Li", "Kim", "Park", "Patel", "Shah", "Khan", "Smith", "Johnson",
  "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
  "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
  "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
  "Okafor", "Mensah", "Kowalski", "Novak", "Ivanova", "Murphy", "Kelly", "O'Brien",
  "Quennell", "Abernathy", "Faircloth", "Zeballos", "Hartigan", "Nakashima",
};
const guint rd_demo_n_family_common = G_N_ELEMENTS (rd_demo_family_common);

const char *const rd_demo_family_start[] = {
  "Ash", "Black", "Bram", "Brook", "Cald", "Carr", "Castel", "Cor", "Dal", "Dun",
  "El", "Fair", "Fen", "Fitz", "Gal", "Gar", "Hal", "Hart", "Hol", "Kel", "Kings",
  "Lan", "Lind", "Mar", "Mel", "Mont", "Nor", "Oak", "Os", "Pem", "Pel", "Quin",
  "Rad", "Ren", "Ros", "Sal", "Sel", "Stan", "Strat", "Tal", "Thorn", "Tre", "Val",
  "Van", "War", "Wen", "Whit", "Win", "Yar", "Zan",
};
const guint rd_demo_n_family_start = G_N_ELEMENTS (rd_demo_family_start);

const char *const rd_demo_family_end[] = {
  "ford", "well", "ton", "ley", "wood", "more", "field", "worth", "by", "cott",
  "dale", "ridge", "stead", "wick", "ham", "low", "mere", "son", "sen", "berg",
  "stein", "ova", "ez", "ini", "etti", "ado", "era", "ano", "ick", "avich",
  "enko", "ski", "ak", "ard", "ing", "ett", "ier", "ot", "ay", "ane",
};
const guint rd_demo_n_family_end = G_N_ELEMENTS (rd_demo_family_end);

const char *const rd_demo_streets[] = {
  "Orchard Lane", "Maple Avenue", "Cedar Street", "Harbor Road", "Elm Street",
  "Sunset Boulevard", "Willow Way", "Lakeview Drive", "Church Street", "Mill Road",
  "Prospect Avenue", "Riverside Drive", "Hillcrest Road", "Park Place", "Oak Street",
  "Pine Street", "Washington Avenue", "Lincoln Street", "Jefferson Road", "Highland Avenue",
  "Meadow Lane", "Franklin Street", "Grove Street", "Spring Street", "Valley Road",
};
const guint rd_demo_n_streets = G_N_ELEMENTS (rd_demo_streets);

const RdDemoPlace rd_demo_places[] = {
  { "Springfield", "IL", "62704", "217" },
  { "Portland", "OR", "97201", "503" },
  { "Madison", "WI", "53703", "608" },
  { "Burlington", "VT", "05401", "802" },
  { "Tucson", "AZ", "85719", "520" },
  { "Chicago", "IL", "60614", "312" },
  { "Boston", "MA", "02118", "617" },
  { "Albuquerque", "NM", "87102", "505" },
  { "San Antonio", "TX", "78205", "210" },
  { "Fresno", "CA", "93721", "559" },
  { "Columbus", "OH", "43215", "614" },
  { "Raleigh", "NC", "27601", "919" },
};
const guint rd_demo_n_places = G_N_ELEMENTS (rd_demo_places);

char *
rd_demo_family_name (RdDemoRng *rng)
{
  guint kind = rd_demo_rng_below (rng, 100);

  if (kind < 25)
    return g_strdup (rd_demo_family_common[rd_demo_rng_below (rng, rd_demo_n_family_common)]);

  if (kind < 30)
    {
      const char *a = rd_demo_family_common[rd_demo_rng_below (rng, rd_demo_n_family_common)];
      const char *s = rd_demo_family_start[rd_demo_rng_below (rng, rd_demo_n_family_start)];
      const char *e = rd_demo_family_end[rd_demo_rng_below (rng, rd_demo_n_family_end)];

      return g_strdup_printf ("%s-%s%s", a, s, e);
    }

  {
    const char *s = rd_demo_family_start[rd_demo_rng_below (rng, rd_demo_n_family_start)];
    const char *m = rd_demo_family_start[rd_demo_rng_below (rng, rd_demo_n_family_start)];
    const char *e = rd_demo_family_end[rd_demo_rng_below (rng, rd_demo_n_family_end)];
    g_autofree char *middle = g_ascii_strdown (m, -1);

    /* Two or three syllables: about 100,000 distinct names. */
    if (kind < 60)
      return g_strdup_printf ("%s%s", s, e);
    return g_strdup_printf ("%s%s%s", s, middle, e);
  }
}

/**
 * rd_demo_make_npi:
 * @out: ten digits and a NUL
 * @leading: the first digit, 1 or 2
 * @key: a number below 100,000,000; different keys give different NPIs
 *
 * Makes an NPI whose tenth digit is the Luhn check digit over the prefix
 * 80840 and the first nine digits (the rule of rd_npi_check_digit_ok()).
 */
void
rd_demo_make_npi (char    out[11],
                  guint   leading,
                  guint64 key)
{
  /* 7919 is prime and does not divide 10^8: a bijection on 8-digit numbers. */
  guint64 body = (key * 7919 + 31415926) % 100000000;
  int sum = 24; /* 80840 through the doubling */

  g_snprintf (out, 11, "%u%08" G_GUINT64_FORMAT, leading % 10, body);
  for (int i = 8, j = 0; i >= 0; i--, j++)
    {
      int d = out[i] - '0';

      if (j % 2 == 0)
        {
          d *= 2;
          if (d > 9)
            d -= 9;
        }
      sum += d;
    }
  out[9] = (char) ('0' + (10 - sum % 10) % 10);
  out[10] = '\0';
}

void
rd_demo_make_phone (char        out[16],
                    const char *area_code,
                    guint       n)
{
  g_snprintf (out, 16, "+1%s55501%02u", area_code, n % 100);
}
