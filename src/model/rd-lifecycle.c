/* rd-lifecycle.c — the one table that decides which status changes are allowed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-lifecycle.h"
#include "rd-model-error.h"

static const struct {
  const char *name;
  const char *label_in;
  const char *label_out;
  gboolean    open;
} status_info[RD_N_STATUSES] = {
  [RD_STATUS_NEW]          = { "new",          N_("New"),                      N_("Draft"),                 TRUE },
  [RD_STATUS_TRIAGE]       = { "triage",       N_("In triage"),                N_("Sent, awaiting answer"), TRUE },
  [RD_STATUS_PENDING_INFO] = { "pending_info", N_("Waiting for information"),  N_("Information requested"), TRUE },
  [RD_STATUS_PENDING_AUTH] = { "pending_auth", N_("Waiting for authorization"), N_("Waiting for authorization"), TRUE },
  [RD_STATUS_ACCEPTED]     = { "accepted",     N_("Accepted"),                 N_("Accepted by receiver"),  TRUE },
  [RD_STATUS_SCHEDULED]    = { "scheduled",    N_("Scheduled"),                N_("Scheduled"),             TRUE },
  [RD_STATUS_NO_SHOW]      = { "no_show",      N_("No-show"),                  N_("No-show"),               TRUE },
  [RD_STATUS_SEEN]         = { "seen",         N_("Seen, report awaited"),     N_("Seen, report awaited"),  TRUE },
  [RD_STATUS_COMPLETED]    = { "completed",    N_("Completed"),                N_("Completed"),             FALSE },
  [RD_STATUS_DECLINED]     = { "declined",     N_("Declined"),                 N_("Declined by receiver"),  FALSE },
  [RD_STATUS_CANCELLED]    = { "cancelled",    N_("Cancelled"),                N_("Cancelled"),             FALSE },
  [RD_STATUS_EXPIRED]      = { "expired",      N_("Expired"),                  N_("Expired"),               FALSE },
};

/* DESIGN.md §5. The database trigger in sql/ is generated from the same rows
 * by hand; tests/store compares the two for every pair of states. */
static const RdTransition transitions[] = {
  { RD_STATUS_NEW, RD_STATUS_TRIAGE, RD_NEEDS_NOTHING, N_("Start triage"), N_("Send") },
  { RD_STATUS_NEW, RD_STATUS_CANCELLED, RD_NEEDS_REASON, N_("Cancel…"), N_("Cancel…") },
  { RD_STATUS_NEW, RD_STATUS_EXPIRED, RD_NEEDS_NOTHING, N_("Mark expired"), N_("Mark expired") },

  { RD_STATUS_TRIAGE, RD_STATUS_PENDING_INFO, RD_NEEDS_REASON, N_("Request information…"), N_("Receiver needs information…") },
  { RD_STATUS_TRIAGE, RD_STATUS_PENDING_AUTH, RD_NEEDS_NOTHING, N_("Request authorization"), N_("Request authorization") },
  { RD_STATUS_TRIAGE, RD_STATUS_ACCEPTED, RD_NEEDS_NOTHING, N_("Accept"), N_("Mark accepted") },
  { RD_STATUS_TRIAGE, RD_STATUS_DECLINED, RD_NEEDS_REASON, N_("Decline…"), N_("Mark declined…") },
  { RD_STATUS_TRIAGE, RD_STATUS_CANCELLED, RD_NEEDS_REASON, N_("Cancel…"), N_("Withdraw…") },
  { RD_STATUS_TRIAGE, RD_STATUS_EXPIRED, RD_NEEDS_NOTHING, N_("Mark expired"), N_("Mark expired") },

  { RD_STATUS_PENDING_INFO, RD_STATUS_TRIAGE, RD_NEEDS_NOTHING, N_("Information received"), N_("Information sent") },
  { RD_STATUS_PENDING_INFO, RD_STATUS_PENDING_AUTH, RD_NEEDS_NOTHING, N_("Request authorization"), N_("Request authorization") },
  { RD_STATUS_PENDING_INFO, RD_STATUS_DECLINED, RD_NEEDS_REASON, N_("Decline…"), N_("Mark declined…") },
  { RD_STATUS_PENDING_INFO, RD_STATUS_CANCELLED, RD_NEEDS_REASON, N_("Cancel…"), N_("Withdraw…") },
  { RD_STATUS_PENDING_INFO, RD_STATUS_EXPIRED, RD_NEEDS_NOTHING, N_("Mark expired"), N_("Mark expired") },

  { RD_STATUS_PENDING_AUTH, RD_STATUS_ACCEPTED, RD_NEEDS_NOTHING, N_("Authorization approved"), N_("Authorization approved") },
  { RD_STATUS_PENDING_AUTH, RD_STATUS_PENDING_INFO, RD_NEEDS_REASON, N_("Payer needs information…"), N_("Payer needs information…") },
  { RD_STATUS_PENDING_AUTH, RD_STATUS_DECLINED, RD_NEEDS_REASON, N_("Decline…"), N_("Mark declined…") },
  { RD_STATUS_PENDING_AUTH, RD_STATUS_CANCELLED, RD_NEEDS_REASON, N_("Cancel…"), N_("Withdraw…") },
  { RD_STATUS_PENDING_AUTH, RD_STATUS_EXPIRED, RD_NEEDS_NOTHING, N_("Mark expired"), N_("Mark expired") },

  { RD_STATUS_ACCEPTED, RD_STATUS_SCHEDULED, RD_NEEDS_APPOINTMENT, N_("Schedule…"), N_("Record appointment…") },
  { RD_STATUS_ACCEPTED, RD_STATUS_CANCELLED, RD_NEEDS_REASON, N_("Cancel…"), N_("Withdraw…") },
  { RD_STATUS_ACCEPTED, RD_STATUS_EXPIRED, RD_NEEDS_NOTHING, N_("Mark expired"), N_("Mark expired") },

  { RD_STATUS_SCHEDULED, RD_STATUS_SCHEDULED, RD_NEEDS_APPOINTMENT, N_("Reschedule…"), N_("Record new appointment…") },
  { RD_STATUS_SCHEDULED, RD_STATUS_SEEN, RD_NEEDS_NOTHING, N_("Mark seen"), N_("Mark seen") },
  { RD_STATUS_SCHEDULED, RD_STATUS_NO_SHOW, RD_NEEDS_NOTHING, N_("Mark no-show"), N_("Mark no-show") },
  { RD_STATUS_SCHEDULED, RD_STATUS_CANCELLED, RD_NEEDS_REASON, N_("Cancel…"), N_("Withdraw…") },

  { RD_STATUS_NO_SHOW, RD_STATUS_SCHEDULED, RD_NEEDS_APPOINTMENT, N_("Reschedule…"), N_("Record new appointment…") },
  { RD_STATUS_NO_SHOW, RD_STATUS_CANCELLED, RD_NEEDS_REASON, N_("Cancel…"), N_("Withdraw…") },

  { RD_STATUS_SEEN, RD_STATUS_COMPLETED, RD_NEEDS_NOTHING, N_("Consult report received"), N_("Consult report received") },

  { RD_STATUS_DECLINED, RD_STATUS_TRIAGE, RD_NEEDS_REASON, N_("Reopen…"), N_("Resend…") },

  { RD_STATUS_EXPIRED, RD_STATUS_TRIAGE, RD_NEEDS_NEW_WINDOW, N_("Renew…"), N_("Renew…") },
};

static gboolean
status_valid (RdStatus status)
{
  return (guint) status < RD_N_STATUSES;
}

/**
 * rd_status_to_string:
 * @status: a status
 *
 * Returns: (transfer none): the stable name stored in the database, or %NULL
 */
const char *
rd_status_to_string (RdStatus status)
{
  return status_valid (status) ? status_info[status].name : NULL;
}

/**
 * rd_status_from_string:
 * @str: a stable name such as "pending_auth"
 * @out_status: (out): the status
 *
 * Returns: %TRUE when @str names a status
 */
gboolean
rd_status_from_string (const char *str,
                       RdStatus   *out_status)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < RD_N_STATUSES; i++)
    {
      if (g_strcmp0 (status_info[i].name, str) == 0)
        {
          if (out_status)
            *out_status = (RdStatus) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * rd_status_get_label:
 * @status: a status
 * @direction: whether the referral comes in or goes out
 *
 * Returns: (transfer none): the translated label a person sees
 */
const char *
rd_status_get_label (RdStatus    status,
                     RdDirection direction)
{
  if (!status_valid (status))
    return _("Unknown");

  return direction == RD_DIRECTION_OUTGOING
    ? _(status_info[status].label_out)
    : _(status_info[status].label_in);
}

/**
 * rd_status_is_open:
 * @status: a status
 *
 * Returns: %TRUE while the referral still needs work from someone
 */
gboolean
rd_status_is_open (RdStatus status)
{
  return status_valid (status) && status_info[status].open;
}

/**
 * rd_status_is_final:
 * @status: a status
 *
 * Returns: %TRUE when no transition leaves @status
 */
gboolean
rd_status_is_final (RdStatus status)
{
  if (!status_valid (status))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (transitions); i++)
    if (transitions[i].from == status)
      return FALSE;

  return TRUE;
}

/**
 * rd_lifecycle_get_transition:
 * @from: the current status
 * @to: the wanted status
 *
 * Returns: (nullable) (transfer none): the table row, or %NULL when the change
 *   is not allowed
 */
const RdTransition *
rd_lifecycle_get_transition (RdStatus from,
                             RdStatus to)
{
  for (guint i = 0; i < G_N_ELEMENTS (transitions); i++)
    if (transitions[i].from == from && transitions[i].to == to)
      return &transitions[i];

  return NULL;
}

/**
 * rd_lifecycle_can_transition:
 * @from: the current status
 * @to: the wanted status
 *
 * Returns: %TRUE when DESIGN.md §5 allows the change
 */
gboolean
rd_lifecycle_can_transition (RdStatus from,
                             RdStatus to)
{
  return rd_lifecycle_get_transition (from, to) != NULL;
}

/**
 * rd_lifecycle_list_transitions:
 * @from: the current status
 * @out: (array length=n_out) (out caller-allocates): where to put the rows
 * @n_out: room in @out
 *
 * Lists the transitions a person may take from @from, in the order the
 * actions should be offered.
 *
 * Returns: the number of rows written
 */
guint
rd_lifecycle_list_transitions (RdStatus             from,
                               const RdTransition **out,
                               guint                n_out)
{
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (transitions) && n < n_out; i++)
    if (transitions[i].from == from)
      out[n++] = &transitions[i];

  return n;
}

/**
 * rd_transition_get_label:
 * @transition: a row of the table
 * @direction: the referral's direction
 *
 * Returns: (transfer none): the translated action label, e.g. "Decline…"
 */
const char *
rd_transition_get_label (const RdTransition *transition,
                         RdDirection         direction)
{
  g_return_val_if_fail (transition != NULL, NULL);

  return direction == RD_DIRECTION_OUTGOING
    ? _(transition->label_outgoing)
    : _(transition->label_incoming);
}

/**
 * rd_lifecycle_check:
 * @from: the current status
 * @to: the wanted status
 * @reason: (nullable): the reason a person gave
 * @has_appointment: whether an appointment comes with the change
 * @error: return location for a #RD_MODEL_ERROR
 *
 * Checks that the change is allowed and that what it needs was given.
 *
 * Returns: %TRUE when the change may be saved
 */
gboolean
rd_lifecycle_check (RdStatus    from,
                    RdStatus    to,
                    const char *reason,
                    gboolean    has_appointment,
                    GError    **error)
{
  const RdTransition *t;

  if (!status_valid (from) || !status_valid (to))
    {
      g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
                           _("The referral status is not one Referral Desk knows."));
      return FALSE;
    }

  t = rd_lifecycle_get_transition (from, to);
  if (t == NULL)
    {
      g_set_error (error, RD_MODEL_ERROR, RD_MODEL_ERROR_TRANSITION,
                   _("A referral that is “%s” cannot become “%s”."),
                   rd_status_get_label (from, RD_DIRECTION_INCOMING),
                   rd_status_get_label (to, RD_DIRECTION_INCOMING));
      return FALSE;
    }

  if ((t->needs & RD_NEEDS_REASON) != 0)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (reason ? reason : ""));

      if (*stripped == '\0')
        {
          g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_REASON_REQUIRED,
                               _("Give a reason for this change."));
          return FALSE;
        }
    }

  if ((t->needs & RD_NEEDS_APPOINTMENT) != 0 && !has_appointment)
    {
      g_set_error_literal (error, RD_MODEL_ERROR, RD_MODEL_ERROR_APPOINTMENT_REQUIRED,
                           _("Enter the appointment before marking the referral scheduled."));
      return FALSE;
    }

  return TRUE;
}

const char *
rd_direction_to_string (RdDirection direction)
{
  return direction == RD_DIRECTION_OUTGOING ? "outgoing" : "incoming";
}

gboolean
rd_direction_from_string (const char  *str,
                          RdDirection *out_direction)
{
  if (g_strcmp0 (str, "incoming") == 0)
    *out_direction = RD_DIRECTION_INCOMING;
  else if (g_strcmp0 (str, "outgoing") == 0)
    *out_direction = RD_DIRECTION_OUTGOING;
  else
    return FALSE;

  return TRUE;
}
