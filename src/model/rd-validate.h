/* rd-validate.h — validators for what people type and what files carry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each validator returns a normalised copy of a valid value (free with
 * g_free()), or %NULL with a translated #RD_MODEL_ERROR explaining what is
 * wrong in words a front-office person understands. */

char *rd_validate_npi        (const char *text,
                              GError    **error);
char *rd_validate_icd10      (const char *text,
                              GError    **error);
char *rd_validate_procedure  (const char *text,
                              GError    **error);
char *rd_validate_phone      (const char *text,
                              GError    **error);
char *rd_validate_dob        (const char *text,
                              GDate      *today,
                              GError    **error);
char *rd_validate_zip        (const char *text,
                              GError    **error);
char *rd_validate_member_id  (const char *text,
                              GError    **error);

gboolean rd_npi_check_digit_ok (const char *ten_digits);
char    *rd_phone_format_display (const char *e164);

G_END_DECLS
