/* rd-hl7.c — HL7 v2 messages: parse, read, turn a referral into model
 * objects, acknowledge
 *
 * The parser is deliberately small and strict about structure, lenient
 * about what real feeds do: CR, LF or CRLF between segments, a UTF-8
 * byte-order mark, any encoding characters MSH-1/MSH-2 declare, Latin-1
 * text. It never trusts a length or a count from the message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "rd-hl7.h"
#include "rd-intake-private.h"

/* An escape sequence longer than this is not one; keep it as text. */
#define MAX_ESCAPE_LENGTH 64

typedef struct
{
  char     name[4];
  char    *text;     /* the segment, each field separator replaced by NUL */
  guint32 *starts;   /* offsets of the pieces: name, then fields */
  guint    n_pieces;
} Segment;

struct _RdHl7Message
{
  GObject  parent_instance;

  char     field_sep;
  char     field_sep_str[2];
  /* 0 when the message does not declare the delimiter */
  char     comp;
  char     rep;
  char     esc;
  char     sub;
  char    *encoding;
  GArray  *segments;
};

G_DEFINE_FINAL_TYPE (RdHl7Message, rd_hl7_message, G_TYPE_OBJECT)

static void
clear_segment (gpointer data)
{
  Segment *segment = data;

  g_clear_pointer (&segment->text, g_free);
  g_clear_pointer (&segment->starts, g_free);
}

static void
rd_hl7_message_finalize (GObject *object)
{
  RdHl7Message *self = RD_HL7_MESSAGE (object);

  g_clear_pointer (&self->segments, g_array_unref);
  g_clear_pointer (&self->encoding, g_free);

  G_OBJECT_CLASS (rd_hl7_message_parent_class)->finalize (object);
}

static void
rd_hl7_message_class_init (RdHl7MessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rd_hl7_message_finalize;
}

static void
rd_hl7_message_init (RdHl7Message *self)
{
  self->segments = g_array_new (FALSE, TRUE, sizeof (Segment));
  g_array_set_clear_func (self->segments, clear_segment);
}

static gboolean
is_delimiter (char c)
{
  return c > 0x20 && c < 0x7f && !g_ascii_isalnum (c);
}

static gboolean
is_segment_name (const char *line,
                 gsize       len,
                 char        field_sep)
{
  if (len < 3 || !g_ascii_isupper (line[0]))
    return FALSE;

  for (guint i = 1; i < 3; i++)
    if (!g_ascii_isupper (line[i]) && !g_ascii_isdigit (line[i]))
      return FALSE;

  return len == 3 || line[3] == field_sep;
}

static gboolean
add_segment (RdHl7Message *self,
             const char   *line,
             gsize         len,
             GError      **error)
{
  Segment segment = { { 0 } };
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint32 zero = 0;

  memcpy (segment.name, line, 3);
  segment.text = g_strndup (line, len);
  /* A NUL inside a segment would silently cut a field short. */
  for (gsize i = 0; i < len; i++)
    if (segment.text[i] == '\0')
      segment.text[i] = ' ';

  g_array_append_val (starts, zero);
  for (gsize i = 0; i < len; i++)
    {
      if (segment.text[i] != self->field_sep)
        continue;

      if (starts->len >= RD_HL7_MAX_FIELDS)
        {
          g_free (segment.text);
          g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE,
                       _("A %s segment has more than %d fields; the message cannot be read."),
                       segment.name, RD_HL7_MAX_FIELDS);
          return FALSE;
        }

      segment.text[i] = '\0';
      {
        guint32 next = (guint32) (i + 1);
        g_array_append_val (starts, next);
      }
    }

  segment.n_pieces = starts->len;
  segment.starts = (guint32 *) g_array_free (g_steal_pointer (&starts), FALSE);
  g_array_append_val (self->segments, segment);
  return TRUE;
}

/**
 * rd_hl7_message_parse:
 * @data: the message bytes (need not be NUL-terminated)
 * @length: their number
 * @error: return location for a #RD_INTAKE_ERROR
 *
 * Splits a message into segments and fields. Segments may end with CR, LF
 * or CRLF; a UTF-8 byte-order mark and blank lines before MSH are skipped;
 * anything else before MSH is refused. Values are unescaped only when read.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
RdHl7Message *
rd_hl7_message_parse (const char *data,
                      gsize       length,
                      GError    **error)
{
  g_autoptr(RdHl7Message) self = NULL;
  const char *p = data;
  const char *end = data + length;
  const char *enc_start;
  gsize enc_len = 0;
  guint line_number = 0;

  if (length > RD_HL7_MAX_MESSAGE_SIZE)
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE,
                   _("The HL7 message is larger than %d KiB; it was not read."),
                   RD_HL7_MAX_MESSAGE_SIZE / 1024);
      return NULL;
    }

  if (length >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;
  while (p < end && (*p == '\r' || *p == '\n' || *p == ' ' || *p == '\t'))
    p++;

  if (p == end)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("The file is empty: it holds no HL7 message."));
      return NULL;
    }

  if (end - p >= 3 && (memcmp (p, "FHS", 3) == 0 || memcmp (p, "BHS", 3) == 0))
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_UNSUPPORTED,
                           _("This is an HL7 batch file; send the messages one at a time."));
      return NULL;
    }

  if (end - p < 3 || memcmp (p, "MSH", 3) != 0)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("This is not an HL7 v2 message: it does not start with an MSH segment."));
      return NULL;
    }

  if (end - p < 4 || !is_delimiter (p[3]))
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("The field separator (MSH-1) is missing or not a valid delimiter."));
      return NULL;
    }

  self = g_object_new (RD_TYPE_HL7_MESSAGE, NULL);
  self->field_sep = p[3];
  self->field_sep_str[0] = p[3];

  enc_start = p + 4;
  while (enc_start + enc_len < end && enc_start[enc_len] != self->field_sep &&
         enc_start[enc_len] != '\r' && enc_start[enc_len] != '\n')
    enc_len++;

  if (enc_len == 0)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("The encoding characters (MSH-2) are missing, so the message cannot be read. Ask the sender to fix the MSH segment."));
      return NULL;
    }

  if (enc_len > 5)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("The encoding characters (MSH-2) are not valid, so the message cannot be read."));
      return NULL;
    }

  for (gsize i = 0; i < enc_len; i++)
    {
      gboolean clash = !is_delimiter (enc_start[i]) || enc_start[i] == self->field_sep;

      for (gsize j = 0; j < i && !clash; j++)
        clash = enc_start[j] == enc_start[i];

      if (clash)
        {
          g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                               _("The encoding characters (MSH-2) repeat a delimiter or use a letter, so the message cannot be read."));
          return NULL;
        }
    }

  self->encoding = g_strndup (enc_start, enc_len);
  self->comp = enc_start[0];
  self->rep = enc_len > 1 ? enc_start[1] : 0;
  self->esc = enc_len > 2 ? enc_start[2] : 0;
  self->sub = enc_len > 3 ? enc_start[3] : 0;

  while (p < end)
    {
      const char *line = p;
      gsize len;
      gboolean blank = TRUE;

      while (p < end && *p != '\r' && *p != '\n')
        p++;
      len = (gsize) (p - line);
      while (p < end && (*p == '\r' || *p == '\n'))
        p++;
      line_number++;

      for (gsize i = 0; i < len && blank; i++)
        blank = line[i] == ' ' || line[i] == '\t';
      if (blank)
        continue;

      if (!is_segment_name (line, len, self->field_sep))
        {
          g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                       _("Line %u of the HL7 message is not a segment; the message may be damaged."),
                       line_number);
          return NULL;
        }

      if (self->segments->len > 0 && memcmp (line, "MSH", 3) == 0)
        {
          g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                               _("The file holds more than one HL7 message; send one message at a time."));
          return NULL;
        }

      if (self->segments->len >= RD_HL7_MAX_SEGMENTS)
        {
          g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE,
                       _("The HL7 message has more than %d segments; it was not read."),
                       RD_HL7_MAX_SEGMENTS);
          return NULL;
        }

      if (!add_segment (self, line, len, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

static Segment *
get_segment (RdHl7Message *self,
             guint         index)
{
  if (index >= self->segments->len)
    return NULL;

  return &g_array_index (self->segments, Segment, index);
}

/**
 * rd_hl7_message_get_n_segments:
 * @self: a #RdHl7Message
 *
 * Returns: the number of segments, MSH included
 */
guint
rd_hl7_message_get_n_segments (RdHl7Message *self)
{
  g_return_val_if_fail (RD_IS_HL7_MESSAGE (self), 0);
  return self->segments->len;
}

/**
 * rd_hl7_message_get_segment_name:
 * @self: a #RdHl7Message
 * @segment: index, 0 being MSH
 *
 * Returns: (nullable): "MSH", "PID", … or %NULL past the end
 */
const char *
rd_hl7_message_get_segment_name (RdHl7Message *self,
                                 guint         segment)
{
  Segment *seg;

  g_return_val_if_fail (RD_IS_HL7_MESSAGE (self), NULL);

  seg = get_segment (self, segment);
  return seg != NULL ? seg->name : NULL;
}

/**
 * rd_hl7_message_find_segment:
 * @self: a #RdHl7Message
 * @name: a segment name such as "PID"
 * @start: the index to start looking at
 *
 * Returns: the index of the first segment named @name at or after @start,
 *   or -1
 */
int
rd_hl7_message_find_segment (RdHl7Message *self,
                             const char   *name,
                             guint         start)
{
  g_return_val_if_fail (RD_IS_HL7_MESSAGE (self), -1);
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = start; i < self->segments->len; i++)
    if (strcmp (g_array_index (self->segments, Segment, i).name, name) == 0)
      return (int) i;

  return -1;
}

/**
 * rd_hl7_message_get_n_fields:
 * @self: a #RdHl7Message
 * @segment: segment index
 *
 * Returns: the number of the last field present (MSH counts MSH-1)
 */
guint
rd_hl7_message_get_n_fields (RdHl7Message *self,
                             guint         segment)
{
  Segment *seg;

  g_return_val_if_fail (RD_IS_HL7_MESSAGE (self), 0);

  seg = get_segment (self, segment);
  if (seg == NULL)
    return 0;

  return segment == 0 ? seg->n_pieces : seg->n_pieces - 1;
}

/**
 * rd_hl7_message_get_raw_field:
 * @self: a #RdHl7Message
 * @segment: segment index
 * @field: field number as the standard counts (PID-5 is 5; MSH-1 is the
 *   field separator itself); 0 is the segment name
 *
 * Returns: (nullable): the field as sent, still escaped, or %NULL when absent
 */
const char *
rd_hl7_message_get_raw_field (RdHl7Message *self,
                              guint         segment,
                              guint         field)
{
  Segment *seg;
  guint piece = field;

  g_return_val_if_fail (RD_IS_HL7_MESSAGE (self), NULL);

  seg = get_segment (self, segment);
  if (seg == NULL)
    return NULL;

  if (field == 0)
    return seg->name;

  if (segment == 0)
    {
      if (field == 1)
        return self->field_sep_str;
      piece = field - 1;
    }

  if (piece >= seg->n_pieces)
    return NULL;

  return seg->text + seg->starts[piece];
}

/* Narrows [*start, *end) to its @index-th part separated by @sep. */
static gboolean
find_part (const char **start,
           const char **end,
           char         sep,
           guint        index)
{
  const char *p = *start;
  guint i = 0;

  if (sep == 0)
    return index == 0;

  while (i < index)
    {
      const char *next = memchr (p, sep, (gsize) (*end - p));

      if (next == NULL)
        return FALSE;
      p = next + 1;
      i++;
    }

  *start = p;
  {
    const char *next = memchr (p, sep, (gsize) (*end - p));
    if (next != NULL)
      *end = next;
  }

  return TRUE;
}

/**
 * rd_hl7_message_get_n_repetitions:
 * @self: a #RdHl7Message
 * @segment: segment index
 * @field: field number
 *
 * Returns: how many repetitions the field has (0 when absent or empty)
 */
guint
rd_hl7_message_get_n_repetitions (RdHl7Message *self,
                                  guint         segment,
                                  guint         field)
{
  const char *raw = rd_hl7_message_get_raw_field (self, segment, field);
  guint n = 1;

  if (raw == NULL || *raw == '\0')
    return 0;
  if (segment == 0 && field <= 2)
    return 1;
  if (self->rep == 0)
    return 1;

  for (const char *p = raw; *p; p++)
    if (*p == self->rep)
      n++;

  return n;
}

static void
append_hex (GString    *out,
            const char *hex,
            gsize       len)
{
  if (len % 2 != 0)
    goto literal;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (hex[i]))
      goto literal;

  for (gsize i = 0; i < len; i += 2)
    g_string_append_c (out, (char) (g_ascii_xdigit_value (hex[i]) * 16 +
                                    g_ascii_xdigit_value (hex[i + 1])));
  return;

literal:
  /* Lenient: a broken hex escape is shown as sent rather than dropped. */
  g_string_append_c (out, 'X');
  g_string_append_len (out, hex, (gssize) len);
}

static char *
unescape (RdHl7Message *self,
          const char   *start,
          const char   *end)
{
  g_autoptr(GString) out = g_string_sized_new ((gsize) (end - start));
  g_autofree char *converted = NULL;

  for (const char *p = start; p < end; p++)
    {
      const char *close;
      gsize len;

      if (self->esc == 0 || *p != self->esc)
        {
          g_string_append_c (out, *p);
          continue;
        }

      close = memchr (p + 1, self->esc, (gsize) (end - p - 1));
      if (close == NULL || close - p - 1 > MAX_ESCAPE_LENGTH)
        {
          g_string_append_c (out, *p);
          continue;
        }

      len = (gsize) (close - p - 1);
      if (len == 1)
        {
          switch (p[1])
            {
            case 'F': g_string_append_c (out, self->field_sep); break;
            case 'S': if (self->comp) g_string_append_c (out, self->comp); break;
            case 'T': if (self->sub) g_string_append_c (out, self->sub); break;
            case 'R': if (self->rep) g_string_append_c (out, self->rep); break;
            case 'E': g_string_append_c (out, self->esc); break;
            case 'H': case 'N': break;
            default:
              g_string_append_len (out, p, (gssize) len + 2);
              break;
            }
        }
      else if (len > 0 && p[1] == 'X')
        append_hex (out, p + 2, len - 1);
      else if (len == 3 && memcmp (p + 1, ".br", 3) == 0)
        g_string_append_c (out, '\n');
      else if (len > 0 && (p[1] == '.' || p[1] == 'C' || p[1] == 'M' || p[1] == 'Z'))
        ; /* formatting and character-set switches: nothing to show */
      else
        g_string_append_len (out, p, (gssize) len + 2);

      p = close;
    }

  /* Feeds that are not UTF-8 are nearly always Latin-1 (MSH-18 8859/1). */
  if (!g_utf8_validate_len (out->str, out->len, NULL))
    {
      converted = g_convert (out->str, (gssize) out->len, "UTF-8", "ISO-8859-1",
                             NULL, NULL, NULL);
      if (converted != NULL)
        return rd_intake_clean_text (converted, -1);
    }

  return rd_intake_clean_text (out->str, (gssize) out->len);
}

/**
 * rd_hl7_message_get_value:
 * @self: a #RdHl7Message
 * @segment: segment index
 * @field: field number (1-based, as the standard counts)
 * @repetition: 0-based repetition
 * @component: 1-based component, or 0 for the whole repetition
 * @subcomponent: 1-based subcomponent, or 0 for the whole component
 *
 * Escape sequences (\F\ \S\ \T\ \R\ \E\, \X…\ hex, \.br\) are decoded;
 * text that is not UTF-8 is read as Latin-1; control characters become
 * spaces and surrounding white space is trimmed.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL when absent or empty
 */
char *
rd_hl7_message_get_value (RdHl7Message *self,
                          guint         segment,
                          guint         field,
                          guint         repetition,
                          guint         component,
                          guint         subcomponent)
{
  const char *raw;
  const char *start;
  const char *end;

  g_return_val_if_fail (RD_IS_HL7_MESSAGE (self), NULL);

  raw = rd_hl7_message_get_raw_field (self, segment, field);
  if (raw == NULL || *raw == '\0')
    return NULL;

  /* MSH-1 and MSH-2 are the delimiters themselves, never split. */
  if (segment == 0 && field <= 2)
    return (repetition == 0 && component <= 1 && subcomponent <= 1) ? g_strdup (raw) : NULL;

  start = raw;
  end = raw + strlen (raw);

  if (!find_part (&start, &end, self->rep, repetition))
    return NULL;
  if (component > 0 && !find_part (&start, &end, self->comp, component - 1))
    return NULL;
  if (subcomponent > 0 && !find_part (&start, &end, self->sub, subcomponent - 1))
    return NULL;

  if (start == end)
    return NULL;

  return unescape (self, start, end);
}

/**
 * rd_hl7_message_get:
 * @self: a #RdHl7Message
 * @segment_name: the first segment of this name is read
 * @field: field number
 * @component: component number, or 0 for the whole first repetition
 *
 * A shortcut for the first repetition, first subcomponent.
 *
 * Returns: (transfer full) (nullable): the value
 */
char *
rd_hl7_message_get (RdHl7Message *self,
                    const char   *segment_name,
                    guint         field,
                    guint         component)
{
  int index = rd_hl7_message_find_segment (self, segment_name, 0);

  if (index < 0)
    return NULL;

  return rd_hl7_message_get_value (self, (guint) index, field, 0, component,
                                   component > 0 ? 1 : 0);
}

/**
 * rd_hl7_message_get_field_separator:
 * @self: a #RdHl7Message
 *
 * Returns: MSH-1
 */
char
rd_hl7_message_get_field_separator (RdHl7Message *self)
{
  g_return_val_if_fail (RD_IS_HL7_MESSAGE (self), '|');
  return self->field_sep;
}

/**
 * rd_hl7_message_get_encoding_characters:
 * @self: a #RdHl7Message
 *
 * Returns: MSH-2 as sent
 */
const char *
rd_hl7_message_get_encoding_characters (RdHl7Message *self)
{
  g_return_val_if_fail (RD_IS_HL7_MESSAGE (self), NULL);
  return self->encoding;
}

/**
 * rd_hl7_message_dup_message_type:
 * @self: a #RdHl7Message
 *
 * Returns: (transfer full) (nullable): "REF^I12" from MSH-9 (code and
 *   trigger event, joined by "^" whatever the message's delimiters), or
 *   %NULL when MSH-9 is empty
 */
char *
rd_hl7_message_dup_message_type (RdHl7Message *self)
{
  g_autofree char *code = rd_hl7_message_get_value (self, 0, 9, 0, 1, 1);
  g_autofree char *event = rd_hl7_message_get_value (self, 0, 9, 0, 2, 1);

  if (code == NULL)
    return NULL;
  if (event == NULL)
    return g_steal_pointer (&code);

  return g_strdup_printf ("%s^%s", code, event);
}

/**
 * rd_hl7_message_dup_control_id:
 * @self: a #RdHl7Message
 *
 * Returns: (transfer full) (nullable): MSH-10
 */
char *
rd_hl7_message_dup_control_id (RdHl7Message *self)
{
  return rd_hl7_message_get_value (self, 0, 10, 0, 0, 0);
}

static char *
escape_with (const char *text,
             char        field_sep,
             char        comp,
             char        rep,
             char        esc,
             char        sub)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p; p++)
    {
      char c = *p;
      const char *seq = NULL;

      if (c == '\r' || c == '\n')
        seq = ".br";
      else if (c == field_sep)
        seq = "F";
      else if (comp && c == comp)
        seq = "S";
      else if (rep && c == rep)
        seq = "R";
      else if (esc && c == esc)
        seq = "E";
      else if (sub && c == sub)
        seq = "T";

      if (seq == NULL)
        g_string_append_c (out, c);
      else if (esc)
        g_string_append_printf (out, "%c%s%c", esc, seq, esc);
      else
        g_string_append_c (out, ' ');

      if (c == '\r' && p[1] == '\n')
        p++;
    }

  return g_string_free (out, FALSE);
}

/**
 * rd_hl7_message_escape:
 * @self: a #RdHl7Message
 * @text: plain text
 *
 * Returns: (transfer full): @text with the message's delimiters escaped,
 *   ready to be placed in a field
 */
char *
rd_hl7_message_escape (RdHl7Message *self,
                       const char   *text)
{
  g_return_val_if_fail (RD_IS_HL7_MESSAGE (self), NULL);
  return escape_with (text, self->field_sep, self->comp, self->rep, self->esc, self->sub);
}

/**
 * rd_hl7_parse_timestamp:
 * @text: (nullable): an HL7 DTM, YYYY[MM[DD[HH[MM[SS[.S…]]]]]][+/-ZZZZ]
 *
 * Without a time zone the time is taken as UTC.
 *
 * Returns: (transfer full) (nullable): the time, or %NULL when not a valid one
 */
GDateTime *
rd_hl7_parse_timestamp (const char *text)
{
  int parts[6] = { 0, 1, 1, 0, 0, 0 };
  const int widths[6] = { 4, 2, 2, 2, 2, 2 };
  const char *p = text;
  g_autoptr(GTimeZone) tz = NULL;
  double seconds;

  if (text == NULL)
    return NULL;

  for (guint i = 0; i < 6; i++)
    {
      int value = 0;

      if (!g_ascii_isdigit (*p))
        {
          if (i == 0)
            return NULL;
          break;
        }
      for (int w = 0; w < widths[i]; w++, p++)
        {
          if (!g_ascii_isdigit (*p))
            return NULL;
          value = value * 10 + (*p - '0');
        }
      parts[i] = value;
    }

  seconds = parts[5];
  if (*p == '.')
    {
      p++;
      while (g_ascii_isdigit (*p))
        p++;
    }

  if (*p == '+' || *p == '-')
    {
      if (strlen (p) != 5 || !g_ascii_isdigit (p[1]) || !g_ascii_isdigit (p[2]) ||
          !g_ascii_isdigit (p[3]) || !g_ascii_isdigit (p[4]))
        return NULL;
      tz = g_time_zone_new_identifier (p);
      if (tz == NULL)
        return NULL;
    }
  else if (*p == '\0')
    tz = g_time_zone_new_utc ();
  else
    return NULL;

  if (parts[0] < 1 || parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31 ||
      parts[3] > 23 || parts[4] > 59 || parts[5] > 59)
    return NULL;

  return g_date_time_new (tz, parts[0], parts[1], parts[2], parts[3], parts[4], seconds);
}

/* Referral import */

typedef struct
{
  RdHl7Message   *msg;
  RdIntakeResult *result;
  GPtrArray      *diagnoses;
  GPtrArray      *procedures;
} Import;

static char *
val (Import *im,
     int     segment,
     guint   field,
     guint   repetition,
     guint   component)
{
  if (segment < 0)
    return NULL;

  return rd_hl7_message_get_value (im->msg, (guint) segment, field, repetition,
                                   component, component > 0 ? 1 : 0);
}

/* A coded element's words: the text (component 2) when sent, else the code. */
static char *
coded_text (Import *im,
            int     segment,
            guint   field)
{
  char *text = val (im, segment, field, 0, 2);

  return text != NULL ? text : val (im, segment, field, 0, 1);
}

/* XTN: component 1 when sent; else country + area + local (5, 6, 7);
 * else the unformatted number (12). */
static char *
xtn_number (Import *im,
            int     segment,
            guint   field,
            guint   repetition)
{
  g_autofree char *first = val (im, segment, field, repetition, 1);
  g_autofree char *area = NULL;
  g_autofree char *local = NULL;

  if (first != NULL && strpbrk (first, "0123456789") != NULL)
    return g_steal_pointer (&first);

  area = val (im, segment, field, repetition, 6);
  local = val (im, segment, field, repetition, 7);
  if (local != NULL)
    return g_strconcat (area != NULL ? area : "", local, NULL);

  return val (im, segment, field, repetition, 12);
}

static char *
xad_text (Import *im,
          int     segment,
          guint   field)
{
  g_autofree char *street = val (im, segment, field, 0, 1);
  g_autofree char *other = val (im, segment, field, 0, 2);
  g_autofree char *city = val (im, segment, field, 0, 3);
  g_autofree char *state = val (im, segment, field, 0, 4);
  g_autofree char *zip = val (im, segment, field, 0, 5);
  g_autofree char *lines = rd_intake_join_words (street, other, NULL);
  g_autofree char *region = rd_intake_join_words (state, zip, NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  const char *parts[] = { lines, city, region };

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (parts[i] == NULL)
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, parts[i]);
    }

  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static void
read_patient (Import *im,
              int     pid)
{
  g_autoptr(RdPatient) patient = rd_patient_new ();
  g_autofree char *mrn = NULL;
  g_autofree char *sex = NULL;
  g_autofree char *zip = NULL;
  guint n;

  /* PID-3: the identifier typed MR; else the first that is not a social
   * security number; PID-2 as sent by v2.3 systems. */
  n = MIN (rd_hl7_message_get_n_repetitions (im->msg, (guint) pid, 3), 32);
  for (guint r = 0; r < n && mrn == NULL; r++)
    {
      g_autofree char *type = val (im, pid, 3, r, 5);

      if (g_strcmp0 (type, "MR") == 0)
        mrn = val (im, pid, 3, r, 1);
    }
  for (guint r = 0; r < n && mrn == NULL; r++)
    {
      g_autofree char *type = val (im, pid, 3, r, 5);

      if (g_strcmp0 (type, "SS") != 0 && g_strcmp0 (type, "SSN") != 0)
        mrn = val (im, pid, 3, r, 1);
    }
  if (mrn == NULL)
    mrn = val (im, pid, 2, 0, 1);
  rd_patient_set_mrn (patient, mrn);

  {
    g_autofree char *family = val (im, pid, 5, 0, 1);
    g_autofree char *given = val (im, pid, 5, 0, 2);
    g_autofree char *middle = val (im, pid, 5, 0, 3);

    g_object_set (patient, "family-name", family, "given-name", given,
                  "middle-name", middle, NULL);
  }

  {
    g_autofree char *dob = val (im, pid, 7, 0, 1);
    rd_intake_set_dob (im->result, patient, dob);
  }

  {
    g_autofree char *code = val (im, pid, 8, 0, 1);
    sex = rd_intake_normalise_sex (code);
    rd_patient_set_sex (patient, sex);
  }

  {
    g_autofree char *street = val (im, pid, 11, 0, 1);
    g_autofree char *other = val (im, pid, 11, 0, 2);
    g_autofree char *city = val (im, pid, 11, 0, 3);
    g_autofree char *state = val (im, pid, 11, 0, 4);
    g_autofree char *raw_zip = val (im, pid, 11, 0, 5);

    zip = raw_zip != NULL ? rd_validate_zip (raw_zip, NULL) : NULL;
    g_object_set (patient, "address-line1", street, "address-line2", other,
                  "city", city, "state", state,
                  "zip", zip != NULL ? zip : raw_zip, NULL);
  }

  n = MIN (rd_hl7_message_get_n_repetitions (im->msg, (guint) pid, 13), 16);
  for (guint r = 0; r < n; r++)
    {
      g_autofree char *use = val (im, pid, 13, r, 2);
      g_autofree char *equipment = val (im, pid, 13, r, 3);
      g_autofree char *number = NULL;

      if (g_strcmp0 (use, "NET") == 0 || g_strcmp0 (equipment, "Internet") == 0 ||
          g_strcmp0 (equipment, "X.400") == 0)
        {
          g_autofree char *email = val (im, pid, 13, r, 4);

          if (email == NULL)
            email = val (im, pid, 13, r, 1);
          if (rd_patient_get_email (patient) == NULL && email != NULL && strchr (email, '@'))
            rd_patient_set_email (patient, email);
          continue;
        }

      number = xtn_number (im, pid, 13, r);
      if (number == NULL)
        continue;

      if (g_strcmp0 (equipment, "CP") == 0 || g_strcmp0 (use, "ORN") == 0)
        {
          if (rd_patient_get_phone_mobile (patient) == NULL)
            rd_intake_set_phone (im->result, G_OBJECT (patient), "phone-mobile", number);
        }
      else if (rd_patient_get_phone_home (patient) == NULL)
        rd_intake_set_phone (im->result, G_OBJECT (patient), "phone-home", number);
    }

  {
    g_autofree char *language = val (im, pid, 15, 0, 1);
    rd_patient_set_language (patient, language);
  }

  rd_intake_result_set_patient (im->result, patient);
}

static RdProvider *
read_provider (Import *im,
               int     prd)
{
  g_autoptr(RdProvider) provider = rd_provider_new ();
  g_autofree char *family = val (im, prd, 2, 0, 1);
  g_autofree char *given = val (im, prd, 2, 0, 2);
  g_autofree char *middle = val (im, prd, 2, 0, 3);
  g_autofree char *name = rd_intake_join_words (given, middle, family);
  g_autofree char *address = xad_text (im, prd, 3);
  g_autofree char *organization = val (im, prd, 10, 0, 1);
  guint n;

  rd_provider_set_name (provider, name);
  rd_provider_set_address (provider, address);

  if (organization == NULL)
    organization = val (im, prd, 4, 0, 4);
  rd_provider_set_organization_name (provider, organization);

  n = MIN (rd_hl7_message_get_n_repetitions (im->msg, (guint) prd, 5), 16);
  for (guint r = 0; r < n; r++)
    {
      g_autofree char *equipment = val (im, prd, 5, r, 3);
      g_autofree char *number = xtn_number (im, prd, 5, r);

      if (number == NULL)
        continue;
      if (g_strcmp0 (equipment, "FX") == 0)
        {
          if (rd_provider_get_fax (provider) == NULL)
            rd_intake_set_phone (im->result, G_OBJECT (provider), "fax", number);
        }
      else if (rd_provider_get_phone (provider) == NULL)
        rd_intake_set_phone (im->result, G_OBJECT (provider), "phone", number);
    }

  /* PRD-7: identifiers; the one typed NPI is checked and kept. */
  n = MIN (rd_hl7_message_get_n_repetitions (im->msg, (guint) prd, 7), 16);
  for (guint r = 0; r < n; r++)
    {
      g_autofree char *id = val (im, prd, 7, r, 1);
      g_autofree char *type = val (im, prd, 7, r, 2);
      g_autofree char *npi = NULL;
      g_autoptr(GError) error = NULL;

      if (g_strcmp0 (type, "NPI") != 0 || id == NULL)
        continue;

      npi = rd_validate_npi (id, &error);
      if (npi != NULL)
        rd_provider_set_npi (provider, npi);
      else
        rd_intake_result_add_warning (im->result, _("The NPI “%s” was left out: %s"),
                                      id, error->message);
    }

  return g_steal_pointer (&provider);
}

static void
read_providers (Import *im)
{
  for (int prd = rd_hl7_message_find_segment (im->msg, "PRD", 0);
       prd >= 0;
       prd = rd_hl7_message_find_segment (im->msg, "PRD", (guint) prd + 1))
    {
      g_autoptr(RdProvider) provider = read_provider (im, prd);
      guint n = MIN (rd_hl7_message_get_n_repetitions (im->msg, (guint) prd, 1), 8);
      gboolean placed = FALSE;

      for (guint r = 0; r < n; r++)
        {
          g_autofree char *role = val (im, prd, 1, r, 1);

          if (g_strcmp0 (role, "RP") == 0 && rd_intake_result_get_referring (im->result) == NULL)
            {
              rd_intake_result_set_referring (im->result, provider);
              placed = TRUE;
            }
          else if (g_strcmp0 (role, "RT") == 0 && rd_intake_result_get_receiving (im->result) == NULL)
            {
              rd_intake_result_set_receiving (im->result, provider);
              placed = TRUE;
            }
        }

      if (!placed && rd_intake_result_get_providers (im->result)->len < 32)
        rd_intake_result_add_provider (im->result, provider);
    }
}

static void
read_coverages (Import *im)
{
  for (int in1 = rd_hl7_message_find_segment (im->msg, "IN1", 0);
       in1 >= 0 && rd_intake_result_get_coverages (im->result)->len < 8;
       in1 = rd_hl7_message_find_segment (im->msg, "IN1", (guint) in1 + 1))
    {
      g_autoptr(RdCoverage) coverage = rd_coverage_new ();
      g_autofree char *payer = val (im, in1, 4, 0, 1);
      g_autofree char *plan = coded_text (im, in1, 2);
      g_autofree char *group = val (im, in1, 8, 0, 1);
      g_autofree char *member = val (im, in1, 49, 0, 1);
      g_autofree char *family = val (im, in1, 16, 0, 1);
      g_autofree char *given = val (im, in1, 16, 0, 2);
      g_autofree char *middle = val (im, in1, 16, 0, 3);
      g_autofree char *subscriber = rd_intake_join_words (given, middle, family);
      g_autofree char *relationship = coded_text (im, in1, 17);

      /* IN1-49 is the insured's id on the card; IN1-36 the policy number
       * that older senders use for it. */
      if (member == NULL)
        member = val (im, in1, 36, 0, 1);
      if (plan == NULL)
        plan = coded_text (im, in1, 15);
      if (payer == NULL)
        payer = val (im, in1, 3, 0, 1);

      g_object_set (coverage,
                    "payer-name", payer,
                    "plan-name", plan,
                    "member-id", member,
                    "group-number", group,
                    "subscriber-name", subscriber,
                    "relationship", relationship,
                    "source", "hl7v2",
                    NULL);
      rd_intake_result_add_coverage (im->result, coverage);
    }
}

static gboolean
is_system (const char *system,
           const char * const *names)
{
  if (system == NULL)
    return TRUE;

  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (system, names[i]) == 0)
      return TRUE;

  return FALSE;
}

static void
read_codes (Import *im)
{
  static const char * const icd10[] = { "I10", "I10C", "ICD10", "ICD-10", "ICD10CM", "ICD-10-CM", NULL };
  static const char * const cpt[] = { "C4", "C5", "CPT", "CPT4", "CPT-4", "HCPCS", "HCPT", "HCPCS-II", NULL };

  for (int dg1 = rd_hl7_message_find_segment (im->msg, "DG1", 0);
       dg1 >= 0;
       dg1 = rd_hl7_message_find_segment (im->msg, "DG1", (guint) dg1 + 1))
    {
      g_autofree char *code = val (im, dg1, 3, 0, 1);
      g_autofree char *system = val (im, dg1, 3, 0, 3);

      if (code == NULL)
        continue;
      if (!is_system (system, icd10))
        rd_intake_result_add_warning (im->result,
                                      _("The diagnosis “%s” is coded in %s, not ICD-10-CM, and was left out."),
                                      code, system);
      else
        rd_intake_add_code (im->result, im->diagnoses, code, TRUE);
    }

  for (int pr1 = rd_hl7_message_find_segment (im->msg, "PR1", 0);
       pr1 >= 0;
       pr1 = rd_hl7_message_find_segment (im->msg, "PR1", (guint) pr1 + 1))
    {
      g_autofree char *code = val (im, pr1, 3, 0, 1);
      g_autofree char *system = val (im, pr1, 3, 0, 3);

      if (code == NULL)
        continue;
      if (!is_system (system, cpt))
        rd_intake_result_add_warning (im->result,
                                      _("The procedure “%s” is coded in %s, not CPT or HCPCS, and was left out."),
                                      code, system);
      else
        rd_intake_add_code (im->result, im->procedures, code, FALSE);
    }
}

/* OBX-5 of type ED: source ^ type ^ subtype ^ encoding ^ data. Referral
 * letters and scanned notes travel this way as base64 PDF. */
static void
read_embedded_document (Import     *im,
                        guint       obx,
                        const char *label)
{
  g_autofree char *subtype = rd_hl7_message_get_value (im->msg, obx, 5, 0, 3, 0);
  g_autofree char *encoding = rd_hl7_message_get_value (im->msg, obx, 5, 0, 4, 0);
  g_autofree char *data = rd_hl7_message_get_value (im->msg, obx, 5, 0, 5, 0);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RdIntakeDocument) document = NULL;
  g_autofree char *name = NULL;
  const char *media_type;
  guchar *decoded;
  gsize decoded_len = 0;

  if (data == NULL || g_ascii_strcasecmp (encoding ? encoding : "", "Base64") != 0)
    {
      rd_intake_result_add_warning (im->result,
                                    _("An observation carries a document that is not base64-encoded; it was not imported."));
      return;
    }

  if (rd_intake_result_get_documents (im->result)->len >= RD_INTAKE_MAX_DOCUMENTS)
    return;

  decoded = g_base64_decode (data, &decoded_len);
  bytes = g_bytes_new_take (decoded, decoded_len);
  media_type = rd_intake_sniff_media_type (bytes);
  if (media_type == NULL)
    {
      rd_intake_result_add_warning (im->result,
                                    _("An observation carries a %s document that is not a readable PDF or TIFF; it was not imported."),
                                    subtype != NULL ? subtype : "?");
      return;
    }

  name = rd_intake_sanitize_file_name (label, media_type,
                                       rd_intake_result_get_documents (im->result)->len + 1);
  document = rd_intake_document_new (bytes, name, media_type, "hl7v2");
  rd_intake_result_add_document (im->result, document);
}

static void
read_notes (Import *im)
{
  for (guint i = 1; i < rd_hl7_message_get_n_segments (im->msg); i++)
    {
      const char *name = rd_hl7_message_get_segment_name (im->msg, i);

      if (strcmp (name, "NTE") == 0)
        {
          g_autoptr(GString) text = g_string_new (NULL);
          guint n = MIN (rd_hl7_message_get_n_repetitions (im->msg, i, 3), 64);

          for (guint r = 0; r < n; r++)
            {
              g_autofree char *line = rd_hl7_message_get_value (im->msg, i, 3, r, 0, 0);

              if (line == NULL)
                continue;
              if (text->len > 0)
                g_string_append_c (text, '\n');
              g_string_append (text, line);
            }
          rd_intake_result_add_note (im->result, text->str);
        }
      else if (strcmp (name, "OBX") == 0)
        {
          g_autofree char *type = val (im, (int) i, 2, 0, 1);
          g_autofree char *label = coded_text (im, (int) i, 3);
          g_autofree char *value = NULL;
          g_autofree char *note = NULL;

          if (g_strcmp0 (type, "ED") == 0)
            {
              read_embedded_document (im, i, label);
              continue;
            }
          if (g_strcmp0 (type, "RP") == 0)
            {
              rd_intake_result_add_warning (im->result,
                                            _("An observation only points at a document kept elsewhere; ask the sender to embed it."));
              continue;
            }

          if (g_strcmp0 (type, "CE") == 0 || g_strcmp0 (type, "CWE") == 0 ||
              g_strcmp0 (type, "CNE") == 0)
            value = coded_text (im, (int) i, 5);
          else
            value = rd_hl7_message_get_value (im->msg, i, 5, 0, 0, 0);

          if (value == NULL)
            continue;
          note = label != NULL ? g_strdup_printf ("%s: %s", label, value) : g_strdup (value);
          rd_intake_result_add_note (im->result, note);
        }
    }
}

static RdStatus
status_from_rf1 (const char *code)
{
  /* HL7 table 0283. */
  if (g_strcmp0 (code, "A") == 0)
    return RD_STATUS_ACCEPTED;
  if (g_strcmp0 (code, "R") == 0)
    return RD_STATUS_DECLINED;
  if (g_strcmp0 (code, "E") == 0)
    return RD_STATUS_EXPIRED;
  return RD_STATUS_NEW;
}

static void
read_referral (Import       *im,
               RdIntakeEvent event)
{
  g_autoptr(RdReferral) referral = rd_referral_new ();
  int rf1 = rd_hl7_message_find_segment (im->msg, "RF1", 0);
  g_autofree char *status = val (im, rf1, 1, 0, 1);
  g_autofree char *priority_code = val (im, rf1, 2, 0, 1);
  g_autofree char *kind = coded_text (im, rf1, 3);
  g_autofree char *number = val (im, rf1, 6, 0, 1);
  g_autofree char *reason = coded_text (im, rf1, 10);
  g_autoptr(GDateTime) valid_from = NULL;
  g_autoptr(GDateTime) valid_until = NULL;
  g_autoptr(GDateTime) sent = NULL;
  RdPriority priority = RD_PRIORITY_ROUTINE;

  if (number == NULL)
    number = val (im, rf1, 11, 0, 1);
  rd_intake_result_set_external_id (im->result, number);

  rd_referral_set_direction (referral, RD_DIRECTION_INCOMING);
  rd_referral_set_channel (referral, "hl7v2");
  rd_referral_set_number (referral, number);
  rd_referral_set_specialty (referral, kind);
  rd_referral_set_reason (referral, reason);

  if (rf1 < 0)
    rd_intake_result_add_warning (im->result,
                                  _("The message has no RF1 segment; the referral was taken as routine."));

  if (priority_code != NULL && !rd_priority_from_hl7 (priority_code, &priority))
    rd_intake_result_add_warning (im->result,
                                  _("The priority “%s” is not known; the referral was taken as routine."),
                                  priority_code);
  else if (priority_code != NULL)
    rd_intake_result_set_priority_given (im->result, TRUE);
  rd_referral_set_priority (referral, priority);

  rd_intake_result_set_external_status (im->result, status);
  rd_referral_set_status (referral, event == RD_INTAKE_EVENT_CANCEL
                                    ? RD_STATUS_CANCELLED : status_from_rf1 (status));

  {
    g_autofree char *from = val (im, rf1, 7, 0, 1);
    g_autofree char *until = val (im, rf1, 8, 0, 1);

    valid_from = rd_hl7_parse_timestamp (from);
    valid_until = rd_hl7_parse_timestamp (until);
    rd_intake_result_set_validity (im->result, valid_from, valid_until);
  }

  {
    g_autofree char *when = rd_hl7_message_get_value (im->msg, 0, 7, 0, 1, 1);
    g_autofree char *app = rd_hl7_message_get_value (im->msg, 0, 3, 0, 1, 1);
    g_autofree char *facility = rd_hl7_message_get_value (im->msg, 0, 4, 0, 1, 1);
    g_autofree char *control = rd_hl7_message_dup_control_id (im->msg);

    sent = rd_hl7_parse_timestamp (when);
    rd_referral_set_received_at (referral, sent);
    rd_intake_result_set_sent_at (im->result, sent);

    /* A sender that resends after a lost ACK reuses the control id; the
     * key lets the store recognise the second copy. */
    if (control != NULL)
      {
        g_autofree char *key = g_strdup_printf ("hl7v2:%s|%s|%s", app ? app : "",
                                                facility ? facility : "", control);
        rd_referral_set_idempotency_key (referral, key);
      }
  }

  rd_intake_result_set_referral (im->result, referral);
}

/**
 * rd_hl7_message_to_result:
 * @self: a parsed message
 * @error: return location for a #RD_INTAKE_ERROR
 *
 * Turns a referral message into model objects. Events:
 *
 * - REF^I12 (patient referral): a new referral;
 * - REF^I13 (modify): the same fields, event %RD_INTAKE_EVENT_UPDATE;
 * - REF^I14 (cancel): status cancelled, event %RD_INTAKE_EVENT_CANCEL;
 * - REF^I15 (status inquiry): event %RD_INTAKE_EVENT_STATUS_QUERY; the
 *   filing step looks the referral up and the listener answers with an
 *   RRI^I15 (rd_hl7_build_status_response()), or AE when no such referral
 *   is known.
 *
 * A follow-up (I13–I15) names the referral by the sender's own id, RF1-6
 * (else RF1-11), within the sending facility (MSH-4, else MSH-3): see
 * rd_intake_result_get_external_id() and _get_sender_facility().
 *
 * Every other message type (ADT, ORM, OML, OMD, …) is refused with
 * %RD_INTAKE_ERROR_UNSUPPORTED naming the type. A missing PID is
 * %RD_INTAKE_ERROR_MISSING. Codes that are not ICD-10-CM / CPT / HCPCS,
 * unreadable dates and numbers are left out with a warning.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
RdIntakeResult *
rd_hl7_message_to_result (RdHl7Message *self,
                          GError      **error)
{
  g_autoptr(RdIntakeResult) result = NULL;
  g_autoptr(GPtrArray) diagnoses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) procedures = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *type = NULL;
  g_autofree char *code = NULL;
  g_autofree char *trigger = NULL;
  g_autofree char *control = NULL;
  g_autofree char *app = NULL;
  g_autofree char *facility = NULL;
  RdIntakeEvent event;
  Import im = { 0 };
  int pid;

  g_return_val_if_fail (RD_IS_HL7_MESSAGE (self), NULL);

  type = rd_hl7_message_dup_message_type (self);
  if (type == NULL)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("The message type (MSH-9) is empty, so the message cannot be read. Ask the sender to fix the MSH segment."));
      return NULL;
    }

  code = rd_hl7_message_get_value (self, 0, 9, 0, 1, 1);
  trigger = rd_hl7_message_get_value (self, 0, 9, 0, 2, 1);

  if (g_strcmp0 (code, "REF") != 0)
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_UNSUPPORTED,
                   _("This is an HL7 %s message, not a referral. Only referral messages (REF^I12) can be imported."),
                   type);
      return NULL;
    }

  if (g_strcmp0 (trigger, "I12") == 0)
    event = RD_INTAKE_EVENT_NEW;
  else if (g_strcmp0 (trigger, "I13") == 0)
    event = RD_INTAKE_EVENT_UPDATE;
  else if (g_strcmp0 (trigger, "I14") == 0)
    event = RD_INTAKE_EVENT_CANCEL;
  else if (g_strcmp0 (trigger, "I15") == 0)
    event = RD_INTAKE_EVENT_STATUS_QUERY;
  else
    {
      g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_UNSUPPORTED,
                   _("The referral event %s is not supported. Referral Desk takes REF^I12 to I15."),
                   type);
      return NULL;
    }

  pid = rd_hl7_message_find_segment (self, "PID", 0);
  if (pid < 0)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MISSING,
                           _("The referral has no patient (PID segment). Ask the sender to include the patient."));
      return NULL;
    }

  result = rd_intake_result_new ("hl7v2");
  rd_intake_result_set_event (result, event);
  rd_intake_result_set_message_type (result, type);
  control = rd_hl7_message_dup_control_id (self);
  rd_intake_result_set_message_id (result, control);
  app = rd_hl7_message_get_value (self, 0, 3, 0, 1, 1);
  facility = rd_hl7_message_get_value (self, 0, 4, 0, 1, 1);
  {
    g_autofree char *sender = NULL;

    if (app != NULL && facility != NULL)
      sender = g_strdup_printf ("%s (%s)", app, facility);
    else
      sender = g_strdup (app != NULL ? app : facility);
    rd_intake_result_set_sender (result, sender);
    /* A sender's referral ids are unique within its facility. */
    rd_intake_result_set_sender_facility (result, facility != NULL ? facility : app);
  }

  im.msg = self;
  im.result = result;
  im.diagnoses = diagnoses;
  im.procedures = procedures;

  read_patient (&im, pid);
  read_referral (&im, event);
  if (event != RD_INTAKE_EVENT_STATUS_QUERY)
    {
      read_providers (&im);
      read_coverages (&im);
      read_codes (&im);
      read_notes (&im);
    }

  rd_intake_finish_referral (result, diagnoses, procedures);

  return g_steal_pointer (&result);
}

/**
 * rd_hl7_import:
 * @bytes: a file or MLLP frame
 * @out_message: (out) (optional) (transfer full) (nullable): the parsed
 *   message, also when it is refused, so that an ACK can answer it
 * @error: return location for a #RD_INTAKE_ERROR
 *
 * Returns: (transfer full) (nullable): the result
 */
RdIntakeResult *
rd_hl7_import (GBytes        *bytes,
               RdHl7Message **out_message,
               GError       **error)
{
  g_autoptr(RdHl7Message) message = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  RdIntakeResult *result;

  if (out_message != NULL)
    *out_message = NULL;

  message = rd_hl7_message_parse (data != NULL ? data : "", size, error);
  if (message == NULL)
    return NULL;

  result = rd_hl7_message_to_result (message, error);
  if (out_message != NULL)
    *out_message = g_steal_pointer (&message);

  return result;
}

static const char *
hl7_error_code (const GError *error)
{
  if (error == NULL || error->domain != RD_INTAKE_ERROR)
    return "207^Application internal error^HL70357";

  switch ((RdIntakeError) error->code)
    {
    case RD_INTAKE_ERROR_MALFORMED:
      return "102^Data type error^HL70357";
    case RD_INTAKE_ERROR_UNSUPPORTED:
      return "200^Unsupported message type^HL70357";
    case RD_INTAKE_ERROR_MISSING:
      return "101^Required field missing^HL70357";
    case RD_INTAKE_ERROR_DUPLICATE:
      return "205^Duplicate key identifier^HL70357";
    case RD_INTAKE_ERROR_TOO_LARGE:
    default:
      return "207^Application internal error^HL70357";
    }
}

typedef struct
{
  char fs, comp, rep, esc, sub;
} Delims;

#define ESC(text) escape_with ((text), d->fs, d->comp, d->rep, d->esc, d->sub)

/* MSH of an answer to @request (or to nothing readable), in its delimiters:
 * sender and receiver swapped, processing id and version echoed. */
static void
append_answer_msh (GString      *out,
                   RdHl7Message *request,
                   const char   *type_code,
                   const char   *structure,
                   const char   *ack_control_id,
                   GDateTime    *now,
                   Delims       *d)
{
  g_autoptr(GDateTime) time = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (time, "%Y%m%d%H%M%S%z");
  const char *encoding = "^~\\&";
  g_autofree char *trigger = NULL;
  g_autofree char *processing = NULL;
  g_autofree char *version = NULL;
  g_autofree char *ack_id = NULL;
  const char *fields[4] = { NULL };
  char sep[2];

  *d = (Delims) { '|', '^', '~', '\\', '&' };
  if (request != NULL)
    {
      *d = (Delims) { request->field_sep, request->comp, request->rep, request->esc, request->sub };
      encoding = request->encoding;
      /* MSH-3..6 are copied as sent: they are already in these delimiters. */
      for (guint i = 0; i < 4; i++)
        fields[i] = rd_hl7_message_get_raw_field (request, 0, 3 + i);
      trigger = rd_hl7_message_get_value (request, 0, 9, 0, 2, 1);
      processing = rd_hl7_message_get_value (request, 0, 11, 0, 1, 1);
      version = rd_hl7_message_get_value (request, 0, 12, 0, 1, 1);
    }
  sep[0] = d->fs;
  sep[1] = '\0';
  ack_id = ESC (ack_control_id != NULL ? ack_control_id : "");

  g_string_append_printf (out, "MSH%c%s%c%s%c%s%c%s%c%s%c%s%c%c%s",
                          d->fs, encoding,
                          d->fs, fields[2] ? fields[2] : "",
                          d->fs, fields[3] ? fields[3] : "",
                          d->fs, fields[0] ? fields[0] : "",
                          d->fs, fields[1] ? fields[1] : "",
                          d->fs, stamp,
                          d->fs, d->fs, type_code);
  if (trigger != NULL && d->comp != 0)
    {
      g_autofree char *t = ESC (trigger);
      g_string_append_printf (out, "%c%s%c%s", d->comp, t, d->comp, structure);
    }
  {
    g_autofree char *p = ESC (processing != NULL ? processing : "P");
    g_autofree char *v = ESC (version != NULL ? version : "2.5.1");

    g_string_append_printf (out, "%s%s%s%s%s%s\r", sep, ack_id, sep, p, sep, v);
  }
}

static void
append_msa (GString      *out,
            RdHl7Message *request,
            const char   *code,
            const char   *text,
            Delims       *d)
{
  g_autofree char *control = request != NULL ? rd_hl7_message_dup_control_id (request) : NULL;
  g_autofree char *c = ESC (control != NULL ? control : "");

  g_string_append_printf (out, "MSA%c%s%c%s", d->fs, code, d->fs, c);
  if (text != NULL)
    {
      g_autofree char *t = ESC (text);
      g_string_append_printf (out, "%c%s", d->fs, t);
    }
  g_string_append_c (out, '\r');
}

/**
 * rd_hl7_build_ack:
 * @request: (nullable): the message being answered; %NULL when it could
 *   not be parsed at all
 * @code: AA, AE or AR
 * @error: (nullable): why, for AE/AR: goes into MSA-3 and ERR; with AA, a
 *   remark for people (MSA-3 only)
 * @ack_control_id: this ACK's own MSH-10
 * @now: (nullable): the time for MSH-7; %NULL for now
 *
 * Builds the acknowledgement with the request's delimiters: sender and
 * receiver (MSH-3/4 and MSH-5/6) swapped, MSH-9 ACK^<trigger>^ACK, MSA-2
 * echoing the request's MSH-10, and for an error an ERR segment with the
 * HL7 table 0357 code, severity E and the message for people (ERR-8).
 * Segments end with CR, as HL7 requires.
 *
 * Returns: (transfer full): the ACK message
 */
char *
rd_hl7_build_ack (RdHl7Message *request,
                  RdHl7AckCode  code,
                  const GError *error,
                  const char   *ack_control_id,
                  GDateTime    *now)
{
  static const char * const codes[] = { "AA", "AE", "AR" };
  GString *out = g_string_new (NULL);
  Delims delims;
  Delims *d = &delims;

  g_return_val_if_fail ((guint) code < G_N_ELEMENTS (codes), NULL);

  append_answer_msh (out, request, "ACK", "ACK", ack_control_id, now, d);
  append_msa (out, request, codes[code], error != NULL ? error->message : NULL, d);

  if (error != NULL && code != RD_HL7_ACK_AA)
    {
      g_autofree char *text = ESC (error->message);
      g_autofree char *err_code = g_strdup (hl7_error_code (error));
      char sep = d->fs;

      /* The code is written with "^"; use the message's own delimiter. */
      for (char *p = err_code; *p; p++)
        if (*p == '^')
          *p = d->comp ? d->comp : ' ';

      g_string_append_printf (out, "ERR%c%c%c%s%cE%c%c%c%c%s\r",
                              sep, sep, sep, err_code, sep, sep, sep, sep, sep, text);
    }

  return g_string_free (out, FALSE);
}

/**
 * rd_hl7_status_to_rf1:
 * @status: (nullable): a referral status as the database stores it
 *   ("triage", "cancelled", …)
 *
 * Maps a status to HL7 table 0283 (referral status), which knows only
 * four: pending (P) for work not yet decided, accepted (A) from acceptance
 * to completion, rejected (R) for declined and cancelled, expired (E).
 *
 * Returns: "P", "A", "R" or "E"
 */
const char *
rd_hl7_status_to_rf1 (const char *status)
{
  RdStatus value;

  if (status == NULL || !rd_status_from_string (status, &value))
    return "P";

  switch (value)
    {
    case RD_STATUS_ACCEPTED:
    case RD_STATUS_SCHEDULED:
    case RD_STATUS_NO_SHOW:
    case RD_STATUS_SEEN:
    case RD_STATUS_COMPLETED:
      return "A";
    case RD_STATUS_DECLINED:
    case RD_STATUS_CANCELLED:
      return "R";
    case RD_STATUS_EXPIRED:
      return "E";
    case RD_STATUS_NEW:
    case RD_STATUS_TRIAGE:
    case RD_STATUS_PENDING_INFO:
    case RD_STATUS_PENDING_AUTH:
    default:
      return "P";
    }
}

/**
 * rd_hl7_build_status_response:
 * @request: the REF^I15 (status query) being answered
 * @status: the referral's status as stored ("triage", …)
 * @referral_number: (nullable): our number of the referral
 * @text: (nullable): words for people (MSA-3)
 * @control_id: this response's own MSH-10
 * @now: (nullable): the time for MSH-7; %NULL for now
 *
 * Answers a status query with an RRI^I15 (structure RRI_I12): MSH, MSA
 * with AA, RF1 and the query's PID echoed as sent. RF1-1 carries the
 * status in HL7 table 0283 (rd_hl7_status_to_rf1()) and, as the alternate
 * code of the same CWE (components 4–6, coding system L), Referral Desk's
 * own finer status; RF1-6 echoes the sender's id of the referral and RF1-11
 * gives our number.
 *
 * Returns: (transfer full): the response
 */
char *
rd_hl7_build_status_response (RdHl7Message *request,
                              const char   *status,
                              const char   *referral_number,
                              const char   *text,
                              const char   *control_id,
                              GDateTime    *now)
{
  static const char * const labels[] = { "A", "Accepted", "E", "Expired", "P", "Pending",
                                         "R", "Rejected" };
  GString *out = g_string_new (NULL);
  Delims delims;
  Delims *d = &delims;
  const char *code;
  const char *label = "";
  g_autofree char *local = NULL;
  const char *originating;
  int rf1;
  int pid;

  g_return_val_if_fail (RD_IS_HL7_MESSAGE (request), NULL);

  append_answer_msh (out, request, "RRI", "RRI_I12", control_id, now, d);
  append_msa (out, request, "AA", text, d);

  code = rd_hl7_status_to_rf1 (status);
  for (guint i = 0; i < G_N_ELEMENTS (labels); i += 2)
    if (g_str_equal (labels[i], code))
      label = labels[i + 1];
  local = ESC (status != NULL ? status : "");
  rf1 = rd_hl7_message_find_segment (request, "RF1", 0);
  originating = rf1 >= 0 ? rd_hl7_message_get_raw_field (request, (guint) rf1, 6) : NULL;

  if (d->comp != 0)
    g_string_append_printf (out, "RF1%c%s%c%s%cHL70283%c%s%c%s%cL",
                            d->fs, code, d->comp, label, d->comp, d->comp, local,
                            d->comp, local, d->comp);
  else
    g_string_append_printf (out, "RF1%c%s", d->fs, code);
  /* RF1-2 … RF1-5 empty, RF1-6 as sent, RF1-7 … RF1-10 empty, RF1-11 ours. */
  g_string_append_printf (out, "%c%c%c%c%c%s%c%c%c%c", d->fs, d->fs, d->fs, d->fs, d->fs,
                          originating != NULL ? originating : "", d->fs, d->fs, d->fs, d->fs);
  if (referral_number != NULL)
    {
      g_autofree char *number = ESC (referral_number);

      g_string_append_printf (out, "%c%s", d->fs, number);
      if (d->comp != 0)
        g_string_append_printf (out, "%cReferralDesk", d->comp);
    }
  g_string_append_c (out, '\r');

  pid = rd_hl7_message_find_segment (request, "PID", 0);
  if (pid >= 0)
    {
      guint n = rd_hl7_message_get_n_fields (request, (guint) pid);

      g_string_append (out, "PID");
      for (guint f = 1; f <= n; f++)
        {
          const char *raw = rd_hl7_message_get_raw_field (request, (guint) pid, f);

          g_string_append_printf (out, "%c%s", d->fs, raw != NULL ? raw : "");
        }
      g_string_append_c (out, '\r');
    }

  return g_string_free (out, FALSE);
}
#undef ESC
