/* rd-intake-private.h — helpers the parsers share; not for other folders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-intake.h"
#include "rd-intake-result.h"

G_BEGIN_DECLS

char      *rd_intake_clean_text        (const char     *text,
                                        gssize          len);
char      *rd_intake_join_words        (const char     *a,
                                        const char     *b,
                                        const char     *c);
void       rd_intake_set_phone         (RdIntakeResult *result,
                                        GObject        *record,
                                        const char     *property,
                                        const char     *raw);
void       rd_intake_set_dob           (RdIntakeResult *result,
                                        RdPatient      *patient,
                                        const char     *raw);
char      *rd_intake_normalise_sex     (const char     *code);
char      *rd_intake_referral_name     (RdPatient      *patient);
void       rd_intake_add_code          (RdIntakeResult *result,
                                        GPtrArray      *codes,
                                        const char     *code,
                                        gboolean        diagnosis);
void       rd_intake_finish_referral   (RdIntakeResult *result,
                                        GPtrArray      *diagnoses,
                                        GPtrArray      *procedures);

G_END_DECLS
