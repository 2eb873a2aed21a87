/* rd-fax-meta.c — who sent a fax and when, from what the fax server wrote
 *
 * Fax servers leave the sender and the time in the file they write:
 *
 * - TIFF (HylaFAX's recvq/faxNNNNN.tif, spandsp as used by Asterisk and
 *   FreeSWITCH): the sending station's id (TSI, usually its number) in the
 *   first page's ImageDescription, the time of receipt in DateTime
 *   ("YYYY:MM:DD HH:MM:SS", the server's local time, no zone);
 * - PDF (fax-to-folder and fax-to-mail services): the document Info's
 *   CreationDate as the time of receipt, and a sender in Subject or Author
 *   written as "Fax from …" / "From: …" (Title: "Fax from …" only), or an
 *   Author that is itself a phone number.
 *
 * An ImageDescription longer than a TSI (20 characters) is not taken as a
 * sender. No file-name convention is read: fax servers name files by
 * sequence (HylaFAX: recvq/faxNNNNN.tif), not by sender.
 *
 * A sender that is a phone number is kept in E.164 (the model's
 * validator); anything else as written, cleaned and bounded. A time in the
 * future (a wrong fax server clock) or before 1990 is not believed.
 * Everything here reads untrusted bytes and is blocking: call it from a
 * worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <poppler.h>

#include "rd-fax-meta.h"
#include "rd-intake-private.h"
#include "rd-tiff-pdf.h"

/**
 * rd_fax_meta_free:
 * @meta: (nullable): metadata
 */
void
rd_fax_meta_free (RdFaxMeta *meta)
{
  if (meta == NULL)
    return;
  g_free (meta->sender);
  g_clear_pointer (&meta->received_at, g_date_time_unref);
  g_free (meta);
}

/**
 * rd_fax_meta_normalise_sender:
 * @raw: (nullable): a sender as a fax server wrote it
 *
 * Returns: (transfer full) (nullable): the number in E.164 when @raw is a
 *   phone number, else @raw cleaned (valid UTF-8, no control characters,
 *   trimmed) and cut to %RD_FAX_META_MAX_SENDER characters; %NULL when
 *   nothing is left
 */
char *
rd_fax_meta_normalise_sender (const char *raw)
{
  g_autofree char *clean = rd_intake_clean_text (raw, -1);
  char *phone;

  if (clean == NULL)
    return NULL;

  /* A TSI is often written with spaces, dots or dashes; the validator
   * reads those. Letters mean a station name, kept as written. */
  phone = rd_validate_phone (clean, NULL);
  if (phone != NULL)
    return phone;

  if (g_utf8_strlen (clean, -1) > RD_FAX_META_MAX_SENDER)
    return g_utf8_substring (clean, 0, RD_FAX_META_MAX_SENDER);
  return g_steal_pointer (&clean);
}

static gboolean
believable (GDateTime *when,
            GDateTime *now)
{
  g_autoptr(GDateTime) latest = g_date_time_add_days (now, 1);

  return when != NULL && g_date_time_get_year (when) >= 1990
         && g_date_time_compare (when, latest) <= 0;
}

/* "YYYY:MM:DD HH:MM:SS" (TIFF 6.0 DateTime) in local time. */
static GDateTime *
parse_tiff_date_time (const char *text)
{
  int y, mo, d, h, mi, s;
  g_autoptr(GTimeZone) local = NULL;

  if (text == NULL || strlen (text) < 19
      || sscanf (text, "%4d:%2d:%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6)
    return NULL;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 || y < 1)
    return NULL;
  local = g_time_zone_new_local ();
  return g_date_time_new (local, y, mo, d, h, mi, s);
}

/* "Fax from +1 555 …", "From: North Clinic": the words after "from"; with
 * @fax_only, only the first form (a document's title may well start with
 * "From the desk of …"). */
static char *
after_from (const char *text,
            gboolean    fax_only)
{
  g_autofree char *lower = NULL;
  const char *p;
  const char *start;

  if (text == NULL)
    return NULL;
  lower = g_ascii_strdown (text, -1);
  p = lower;
  while (*p == ' ' || *p == '\t')
    p++;
  if (g_str_has_prefix (p, "fax "))
    p += 4;
  else if (fax_only)
    return NULL;
  if (!g_str_has_prefix (p, "from"))
    return NULL;
  p += 4;
  if (*p != ':' && *p != ' ')
    return NULL;
  while (*p == ':' || *p == ' ')
    p++;
  start = text + (p - lower);
  return *start != '\0' ? g_strdup (start) : NULL;
}

static void
read_pdf (GBytes    *bytes,
          RdFaxMeta *meta)
{
  g_autoptr(GError) error = NULL;
  PopplerDocument *doc = poppler_document_new_from_bytes (bytes, NULL, &error);
  g_autofree char *title = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *author = NULL;
  const char *fields[3];

  if (doc == NULL)
    return;
  title = poppler_document_get_title (doc);
  subject = poppler_document_get_subject (doc);
  author = poppler_document_get_author (doc);
  meta->received_at = poppler_document_get_creation_date_time (doc);
  g_object_unref (doc);

  fields[0] = subject;
  fields[1] = title;
  fields[2] = author;
  for (guint i = 0; i < G_N_ELEMENTS (fields) && meta->sender == NULL; i++)
    {
      g_autofree char *from = after_from (fields[i], fields[i] == title);

      meta->sender = rd_fax_meta_normalise_sender (from);
    }
  if (meta->sender == NULL && author != NULL)
    {
      /* An Author that is only a number is the sending fax; any other
       * Author is a program or a person at the server, not the sender. */
      g_autofree char *phone = rd_validate_phone (author, NULL);

      meta->sender = g_steal_pointer (&phone);
    }
}

/**
 * rd_fax_meta_read:
 * @bytes: a fax file's bytes
 * @media_type: "image/tiff" or "application/pdf"
 * @now: (nullable): the time to judge a date by; %NULL for now
 *
 * Blocking (it parses the file): call it from a worker thread.
 *
 * Returns: (transfer full): what the file says; fields are %NULL when it
 *   says nothing believable
 */
RdFaxMeta *
rd_fax_meta_read (GBytes     *bytes,
                  const char *media_type,
                  GDateTime  *now)
{
  g_autoptr(RdFaxMeta) meta = g_new0 (RdFaxMeta, 1);
  g_autoptr(GDateTime) current = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_utc ();

  g_return_val_if_fail (bytes != NULL, NULL);

  if (g_strcmp0 (media_type, "image/tiff") == 0)
    {
      g_autofree char *description = NULL;
      g_autofree char *date_time = NULL;

      if (rd_tiff_read_fax_tags (bytes, &description, &date_time))
        {
          /* T.30 gives the TSI 20 characters; a longer description is a
           * scanner's or a program's words, not a sending station. */
          if (description != NULL && g_utf8_strlen (description, -1) <= 20)
            meta->sender = rd_fax_meta_normalise_sender (description);
          meta->received_at = parse_tiff_date_time (date_time);
        }
    }
  else if (g_strcmp0 (media_type, "application/pdf") == 0)
    read_pdf (bytes, meta);

  if (meta->received_at != NULL && !believable (meta->received_at, current))
    g_clear_pointer (&meta->received_at, g_date_time_unref);

  return g_steal_pointer (&meta);
}

/**
 * rd_fax_meta_apply:
 * @meta: (nullable): what a fax file says
 * @document: the document's record
 *
 * Sets the sender and the received time that @meta knows.
 */
void
rd_fax_meta_apply (const RdFaxMeta *meta,
                   RdDocument      *document)
{
  if (meta == NULL)
    return;
  if (meta->sender != NULL)
    rd_document_set_sender (document, meta->sender);
  if (meta->received_at != NULL)
    rd_document_set_received_at (document, meta->received_at);
}
