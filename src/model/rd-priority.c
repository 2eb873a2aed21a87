/* rd-priority.c — priorities and the due time computed from turnaround targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <glib/gi18n-lib.h>

#include "rd-model-error.h"
#include "rd-priority.h"

static const struct {
  const char  *name;
  const char  *hl7;
  const char  *label;
  RdTurnaround target;
} priority_info[RD_N_PRIORITIES] = {
  [RD_PRIORITY_ROUTINE] = { "routine", "R", N_("Routine"), { 5, RD_TURNAROUND_BUSINESS_DAYS } },
  [RD_PRIORITY_URGENT]  = { "urgent",  "U", N_("Urgent"),  { 2, RD_TURNAROUND_BUSINESS_DAYS } },
  [RD_PRIORITY_ASAP]    = { "asap",    "A", N_("ASAP"),    { 24, RD_TURNAROUND_HOURS } },
  [RD_PRIORITY_STAT]    = { "stat",    "S", N_("STAT"),    { 4, RD_TURNAROUND_HOURS } },
};

const char *
rd_priority_to_string (RdPriority priority)
{
  return (guint) priority < RD_N_PRIORITIES ? priority_info[priority].name : NULL;
}

gboolean
rd_priority_from_string (const char *str,
                         RdPriority *out_priority)
{
  for (guint i = 0; str != NULL && i < RD_N_PRIORITIES; i++)
    {
      if (g_ascii_strcasecmp (priority_info[i].name, str) == 0)
        {
          *out_priority = (RdPriority) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * rd_priority_from_hl7:
 * @code: an RF1-2 code: S, A, R (and U, which some senders use for urgent)
 * @out_priority: (out): the priority
 *
 * Returns: %TRUE when @code is known
 */
gboolean
rd_priority_from_hl7 (const char *code,
                      RdPriority *out_priority)
{
  for (guint i = 0; code != NULL && i < RD_N_PRIORITIES; i++)
    {
      if (g_ascii_strcasecmp (priority_info[i].hl7, code) == 0)
        {
          *out_priority = (RdPriority) i;
          return TRUE;
        }
    }

  return rd_priority_from_string (code, out_priority);
}

const char *
rd_priority_get_label (RdPriority priority)
{
  return (guint) priority < RD_N_PRIORITIES ? _(priority_info[priority].label) : _("Unknown");
}

/**
 * rd_priority_default_turnaround:
 * @priority: a priority
 *
 * Returns: the target used when the organisation has set none
 */
RdTurnaround
rd_priority_default_turnaround (RdPriority priority)
{
  if ((guint) priority >= RD_N_PRIORITIES)
    priority = RD_PRIORITY_ROUTINE;

  return priority_info[priority].target;
}

/**
 * rd_turnaround_parse:
 * @str: a target such as "4h", "2d", "8bh" (business hours) or "5bd"
 * @out: (out): the parsed target
 * @error: return location for a #RD_MODEL_ERROR
 *
 * Returns: %TRUE when @str is a valid target
 */
gboolean
rd_turnaround_parse (const char   *str,
                     RdTurnaround *out,
                     GError      **error)
{
  const char *unit;
  char *end = NULL;
  guint64 amount;

  if (str == NULL || !g_ascii_isdigit (*str))
    goto invalid;

  amount = g_ascii_strtoull (str, &end, 10);
  if (amount == 0 || amount > 10000)
    goto invalid;

  unit = end;
  if (g_strcmp0 (unit, "h") == 0)
    out->unit = RD_TURNAROUND_HOURS;
  else if (g_strcmp0 (unit, "d") == 0)
    out->unit = RD_TURNAROUND_DAYS;
  else if (g_strcmp0 (unit, "bh") == 0)
    out->unit = RD_TURNAROUND_BUSINESS_HOURS;
  else if (g_strcmp0 (unit, "bd") == 0)
    out->unit = RD_TURNAROUND_BUSINESS_DAYS;
  else
    goto invalid;

  out->amount = (guint) amount;
  return TRUE;

invalid:
  g_set_error (error, RD_MODEL_ERROR, RD_MODEL_ERROR_INVALID,
               _("“%s” is not a turnaround target. Use a number followed by h (hours), d (days), bh (business hours) or bd (business days), for example 4h or 5bd."),
               str ? str : "");
  return FALSE;
}

char *
rd_turnaround_to_string (const RdTurnaround *turnaround)
{
  static const char *units[] = { "h", "d", "bh", "bd" };

  return g_strdup_printf ("%u%s", turnaround->amount, units[turnaround->unit]);
}

static gboolean
is_weekend (GDateTime *dt)
{
  return g_date_time_get_day_of_week (dt) >= 6;
}

/* Moves @dt to the start of the next business day (same zone). */
static GDateTime *
next_business_morning (GDateTime *dt)
{
  g_autoptr(GDateTime) day = g_date_time_new (g_date_time_get_timezone (dt),
                                              g_date_time_get_year (dt),
                                              g_date_time_get_month (dt),
                                              g_date_time_get_day_of_month (dt),
                                              RD_BUSINESS_DAY_START_HOUR, 0, 0);
  GDateTime *next = g_date_time_add_days (day, 1);

  while (is_weekend (next))
    {
      GDateTime *tmp = g_date_time_add_days (next, 1);
      g_date_time_unref (next);
      next = tmp;
    }

  return next;
}

/* Clamps @dt into business hours: before opening becomes opening, after
 * closing or on a weekend becomes the next business morning. */
static GDateTime *
clamp_to_business_hours (GDateTime *dt)
{
  int hour = g_date_time_get_hour (dt);

  if (is_weekend (dt) || hour >= RD_BUSINESS_DAY_END_HOUR)
    return next_business_morning (dt);

  if (hour < RD_BUSINESS_DAY_START_HOUR)
    return g_date_time_new (g_date_time_get_timezone (dt),
                            g_date_time_get_year (dt),
                            g_date_time_get_month (dt),
                            g_date_time_get_day_of_month (dt),
                            RD_BUSINESS_DAY_START_HOUR, 0, 0);

  return g_date_time_ref (dt);
}

static GDateTime *
add_business_hours (GDateTime *start,
                    guint      hours)
{
  g_autoptr(GDateTime) cursor = clamp_to_business_hours (start);
  GTimeSpan remaining = (GTimeSpan) hours * G_TIME_SPAN_HOUR;

  for (;;)
    {
      g_autoptr(GDateTime) closing =
        g_date_time_new (g_date_time_get_timezone (cursor),
                         g_date_time_get_year (cursor),
                         g_date_time_get_month (cursor),
                         g_date_time_get_day_of_month (cursor),
                         RD_BUSINESS_DAY_END_HOUR, 0, 0);
      GTimeSpan left_today = g_date_time_difference (closing, cursor);

      if (remaining <= left_today)
        return g_date_time_add (cursor, remaining);

      remaining -= left_today;
      g_date_time_unref (cursor);
      cursor = next_business_morning (closing);
    }
}

static GDateTime *
add_business_days (GDateTime *start,
                   guint      days)
{
  g_autoptr(GDateTime) cursor = NULL;

  /* Work that arrives on a weekend starts counting on Monday morning. */
  if (is_weekend (start))
    cursor = next_business_morning (start);
  else
    cursor = g_date_time_ref (start);

  while (days > 0)
    {
      GDateTime *next = g_date_time_add_days (cursor, 1);

      g_date_time_unref (cursor);
      cursor = next;
      if (!is_weekend (cursor))
        days--;
    }

  return g_steal_pointer (&cursor);
}

/**
 * rd_due_compute:
 * @received_at: when the referral arrived, in the organisation's time zone
 * @target: the turnaround target of its priority
 *
 * Business targets skip Saturdays and Sundays and, for hours, count only
 * 08:00–17:00 on weekdays.
 *
 * Returns: (transfer full): when the referral is due
 */
GDateTime *
rd_due_compute (GDateTime          *received_at,
                const RdTurnaround *target)
{
  g_return_val_if_fail (received_at != NULL, NULL);
  g_return_val_if_fail (target != NULL, NULL);

  switch (target->unit)
    {
    case RD_TURNAROUND_HOURS:
      return g_date_time_add_hours (received_at, (int) target->amount);
    case RD_TURNAROUND_DAYS:
      return g_date_time_add_days (received_at, (int) target->amount);
    case RD_TURNAROUND_BUSINESS_HOURS:
      return add_business_hours (received_at, target->amount);
    case RD_TURNAROUND_BUSINESS_DAYS:
      return add_business_days (received_at, target->amount);
    default:
      g_return_val_if_reached (NULL);
    }
}
