/* rd-referral-page.h — the faxed pages beside the referral form
 *
 * Placing the page in a window:
 *
 *   GtkWidget *page = rd_referral_page_new (connection);
 *   rd_referral_page_open_referral (RD_REFERRAL_PAGE (page), referral_id);  // from the worklist
 *   rd_referral_page_open_document (RD_REFERRAL_PAGE (page), document_id);  // from the unfiled inbox
 *   rd_referral_page_new_referral (RD_REFERRAL_PAGE (page));                // typed in (phone)
 *   …
 *   rd_referral_page_close (RD_REFERRAL_PAGE (page));  // leaving it: keeps a draft, releases the claim
 *
 * The page handles Ctrl+S (page.save) and Ctrl+Enter (apply the focused
 * field's suggestion) itself. "saved" (gint64 referral id) tells the
 * worklist to refresh; "closed" follows rd_referral_page_close(). Disposing
 * the page does what close does. The other functions are what a person
 * does on the page, for keyboard actions elsewhere and for tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-connection.h"
#include "rd-draft-store.h"
#include "rd-model.h"

G_BEGIN_DECLS

#define RD_TYPE_REFERRAL_PAGE (rd_referral_page_get_type ())
G_DECLARE_FINAL_TYPE (RdReferralPage, rd_referral_page, RD, REFERRAL_PAGE, AdwBin)

GtkWidget  *rd_referral_page_new               (RdConnection   *connection);
void        rd_referral_page_set_draft_store   (RdReferralPage *self,
                                                RdDraftStore   *store);
void        rd_referral_page_open_referral     (RdReferralPage *self,
                                                gint64          referral_id);
void        rd_referral_page_open_document     (RdReferralPage *self,
                                                gint64          document_id);
void        rd_referral_page_new_referral      (RdReferralPage *self);
void        rd_referral_page_close             (RdReferralPage *self);
void        rd_referral_page_attach_to_referral (RdReferralPage *self,
                                                gint64          referral_id);

void        rd_referral_page_save              (RdReferralPage *self);
gboolean    rd_referral_page_get_busy          (RdReferralPage *self);
gboolean    rd_referral_page_get_dirty         (RdReferralPage *self);
RdReferral *rd_referral_page_get_referral      (RdReferralPage *self);
const char *rd_referral_page_get_draft_key     (RdReferralPage *self);

/* What a person sees and does, by field key ("family_name", "dob", "phone_home",
 * "mrn", "member_id", "referring", "diagnoses", …); used by the keyboard
 * actions and by tests. */
GtkWidget  *rd_referral_page_get_field_widget  (RdReferralPage *self,
                                                const char     *key);
void        rd_referral_page_set_field_text    (RdReferralPage *self,
                                                const char     *key,
                                                const char     *text);
char       *rd_referral_page_get_field_text    (RdReferralPage *self,
                                                const char     *key);
const char *rd_referral_page_get_field_error   (RdReferralPage *self,
                                                const char     *key);
const char *rd_referral_page_get_suggestion    (RdReferralPage *self,
                                                const char     *key);
const char *rd_referral_page_get_suggestion_label (RdReferralPage *self,
                                                   const char     *key);
gboolean    rd_referral_page_apply_suggestion  (RdReferralPage *self,
                                                const char     *key);
guint       rd_referral_page_get_n_matches     (RdReferralPage *self);
gboolean    rd_referral_page_choose_match      (RdReferralPage *self,
                                                guint           index);
guint       rd_referral_page_get_n_providers   (RdReferralPage *self);
gboolean    rd_referral_page_choose_provider   (RdReferralPage *self,
                                                guint           index);
guint       rd_referral_page_get_n_providers_for (RdReferralPage *self,
                                                  const char     *key);
gboolean    rd_referral_page_choose_provider_for (RdReferralPage *self,
                                                  const char     *key,
                                                  guint           index);
gint64      rd_referral_page_get_provider_id   (RdReferralPage *self,
                                                const char     *key);
GtkWidget  *rd_referral_page_add_to_directory  (RdReferralPage *self,
                                                const char     *key);
const char *rd_referral_page_get_provider_info (RdReferralPage *self,
                                                const char     *key);
GtkWidget  *rd_referral_page_get_dialog        (RdReferralPage *self);
gboolean    rd_referral_page_get_conflict_shown (RdReferralPage *self);
guint       rd_referral_page_get_n_conflicts   (RdReferralPage *self);
gboolean    rd_referral_page_get_conflict_has_field (RdReferralPage *self,
                                                     const char     *key);
void        rd_referral_page_resolve_conflict  (RdReferralPage *self,
                                                const char     *how);
gboolean    rd_referral_page_get_draft_offered (RdReferralPage *self);
void        rd_referral_page_restore_draft     (RdReferralPage *self);
gboolean    rd_referral_page_transition        (RdReferralPage *self,
                                                RdStatus        to,
                                                const char     *reason);
guint       rd_referral_page_get_n_events      (RdReferralPage *self);
guint       rd_referral_page_get_n_transitions (RdReferralPage *self);
GtkWidget  *rd_referral_page_get_document_view (RdReferralPage *self);
void        rd_referral_page_add_missing       (RdReferralPage *self,
                                                const char     *what);
void        rd_referral_page_add_task          (RdReferralPage *self,
                                                const char     *what,
                                                const char     *due);
guint       rd_referral_page_get_n_work_items  (RdReferralPage *self);
const char *rd_referral_page_get_claim_text    (RdReferralPage *self);

G_END_DECLS
