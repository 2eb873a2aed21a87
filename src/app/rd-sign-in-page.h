/* rd-sign-in-page.h — choose a server profile, type user and password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-profile.h"

G_BEGIN_DECLS

#define RD_TYPE_SIGN_IN_PAGE (rd_sign_in_page_get_type ())
G_DECLARE_FINAL_TYPE (RdSignInPage, rd_sign_in_page, RD, SIGN_IN_PAGE, GtkWidget)

GtkWidget *rd_sign_in_page_new          (void);
void       rd_sign_in_page_set_profiles (RdSignInPage *self,
                                         GPtrArray    *profiles,
                                         const char   *selected);
RdProfile *rd_sign_in_page_dup_profile  (RdSignInPage *self,
                                         GError      **error);
const char *rd_sign_in_page_get_password (RdSignInPage *self);
void       rd_sign_in_page_clear_password (RdSignInPage *self);
gboolean   rd_sign_in_page_get_remember (RdSignInPage *self);
gboolean   rd_sign_in_page_get_password_from_keyring (RdSignInPage *self);
void       rd_sign_in_page_set_busy     (RdSignInPage *self,
                                         gboolean      busy);
void       rd_sign_in_page_show_error   (RdSignInPage *self,
                                         const char   *message);
void       rd_sign_in_page_show_note    (RdSignInPage *self,
                                         const char   *message);

G_END_DECLS
