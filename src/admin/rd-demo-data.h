/* rd-demo-data.h — invented people, places and plans for demo databases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * RdDemoRng:
 *
 * A small splitmix64 generator. Its sequence is fixed by this file alone (not
 * by GLib's version), so that a seed gives the same demo data everywhere.
 */
typedef struct {
  guint64 state;
} RdDemoRng;

void     rd_demo_rng_init     (RdDemoRng  *rng,
                               guint64     seed,
                               guint64     stream,
                               guint64     index);
guint64  rd_demo_rng_next     (RdDemoRng  *rng);
guint32  rd_demo_rng_below    (RdDemoRng  *rng,
                               guint32     bound);
double   rd_demo_rng_double   (RdDemoRng  *rng);
gboolean rd_demo_rng_chance   (RdDemoRng  *rng,
                               double      probability);
guint    rd_demo_rng_weighted (RdDemoRng  *rng,
                               const guint *weights,
                               guint       n_weights);

#define RD_DEMO_PICK(rng, array) \
  ((array)[rd_demo_rng_below ((rng), G_N_ELEMENTS (array))])

/* Lists; every name in them is invented or a common word. */
extern const char *const rd_demo_given_female[];
extern const guint       rd_demo_n_given_female;
extern const char *const rd_demo_given_male[];
extern const guint       rd_demo_n_given_male;
extern const char *const rd_demo_family_common[];
extern const guint       rd_demo_n_family_common;
extern const char *const rd_demo_family_start[];
extern const guint       rd_demo_n_family_start;
extern const char *const rd_demo_family_end[];
extern const guint       rd_demo_n_family_end;
extern const char *const rd_demo_streets[];
extern const guint       rd_demo_n_streets;

typedef struct {
  const char *city;
  const char *state;
  const char *zip;
  const char *area_code;
} RdDemoPlace;

extern const RdDemoPlace rd_demo_places[];
extern const guint       rd_demo_n_places;

/* Invents a family name: mostly built from syllables (a long tail, as in a
 * real population), sometimes a common one, sometimes double-barrelled. */
char *rd_demo_family_name (RdDemoRng *rng);

/* A ten-digit NPI with a valid check digit. @leading is the first digit
 * (1 or 2); @key < 100,000,000 makes it unique among keys. */
void  rd_demo_make_npi    (char       out[11],
                           guint       leading,
                           guint64     key);

/* "+1AAA55501NN": the 555-01NN range is reserved for fiction. */
void  rd_demo_make_phone  (char        out[16],
                           const char *area_code,
                           guint       n);

G_END_DECLS
