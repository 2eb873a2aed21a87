/* rd-tiff-pdf.c — a fax's TIFF pages as a PDF, for storage and viewing
 *
 * libtiff reads the pages from memory (never from a path), each page is
 * decoded to RGBA with bounds checked first, and cairo draws it on a PDF
 * page of the size its resolution gives (a fax's 204 × 196 dpi becomes a
 * letter page). Blocking: call it from a worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <tiffio.h>
#include <glib/gi18n-lib.h>

#include "rd-intake.h"
#include "rd-tiff-pdf.h"

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         pos;
} MemFile;

static tsize_t
mem_read (thandle_t handle, tdata_t buf, tsize_t size)
{
  MemFile *m = handle;
  gsize n;

  if (size < 0 || m->pos >= m->len)
    return 0;
  n = MIN ((gsize) size, m->len - m->pos);
  memcpy (buf, m->data + m->pos, n);
  m->pos += n;
  return (tsize_t) n;
}

static tsize_t
mem_write (thandle_t handle, tdata_t buf, tsize_t size)
{
  return -1;
}

static toff_t
mem_seek (thandle_t handle, toff_t off, int whence)
{
  MemFile *m = handle;
  gint64 base = whence == SEEK_CUR ? (gint64) m->pos : whence == SEEK_END ? (gint64) m->len : 0;
  gint64 to = base + (gint64) off;

  if (to < 0)
    return (toff_t) -1;
  m->pos = (gsize) to;
  return (toff_t) to;
}

static int
mem_close (thandle_t handle)
{
  return 0;
}

static toff_t
mem_size (thandle_t handle)
{
  return ((MemFile *) handle)->len;
}

static int
mem_map (thandle_t handle, tdata_t *base, toff_t *size)
{
  return 0;
}

static void
mem_unmap (thandle_t handle, tdata_t base, toff_t size)
{
}

static void
quiet_handler (const char *module, const char *fmt, va_list ap)
{
  /* libtiff's own messages would name nothing useful to a person. */
}

static cairo_status_t
on_pdf_write (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/**
 * rd_tiff_to_pdf:
 * @tiff: a TIFF file's bytes (one or more pages)
 * @out_pages: (out) (optional): the number of pages
 * @error: where to put why it cannot be converted
 *
 * Returns: (transfer full) (nullable): a PDF with one page per TIFF page
 */
GBytes *
rd_tiff_to_pdf (GBytes   *tiff,
                guint    *out_pages,
                GError  **error)
{
  MemFile m = { 0 };
  TIFF *tif;
  GByteArray *out = NULL;
  cairo_surface_t *pdf = NULL;
  cairo_t *cr = NULL;
  guint pages = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (tiff != NULL, NULL);

  m.data = g_bytes_get_data (tiff, &m.len);
  TIFFSetErrorHandler (quiet_handler);
  TIFFSetWarningHandler (quiet_handler);
  tif = TIFFClientOpen ("fax", "rm", &m, mem_read, mem_write, mem_seek, mem_close,
                        mem_size, mem_map, mem_unmap);
  if (tif == NULL)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("The TIFF file cannot be read. Ask the sender to send it again."));
      return NULL;
    }

  out = g_byte_array_new ();
  pdf = cairo_pdf_surface_create_for_stream (on_pdf_write, out, 612, 792);
  /* The same TIFF must give the same PDF bytes, or its sha256 would not
   * recognise a second import: no dates from the clock. */
  cairo_pdf_surface_set_metadata (pdf, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
  cairo_pdf_surface_set_metadata (pdf, CAIRO_PDF_METADATA_MOD_DATE, "2000-01-01T00:00:00Z");
  cr = cairo_create (pdf);

  do
    {
      uint32_t w = 0, h = 0;
      float xres = 0, yres = 0;
      uint16_t unit = RESUNIT_INCH;
      double page_w, page_h;
      cairo_surface_t *image;
      guint32 *raster;

      if (++pages > RD_TIFF_MAX_PAGES)
        {
          g_set_error (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_TOO_LARGE,
                       _("The TIFF file has more than %d pages. Ask the sender to split it."), RD_TIFF_MAX_PAGES);
          ok = FALSE;
          break;
        }
      TIFFGetField (tif, TIFFTAG_IMAGEWIDTH, &w);
      TIFFGetField (tif, TIFFTAG_IMAGELENGTH, &h);
      if (w == 0 || h == 0 || (guint64) w * h > RD_TIFF_MAX_PAGE_PIXELS || w > 32767 || h > 32767)
        {
          g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                               _("A page of the TIFF file has no size or is too large to show."));
          ok = FALSE;
          break;
        }
      if (!TIFFGetField (tif, TIFFTAG_XRESOLUTION, &xres) || xres < 10)
        xres = 204;
      if (!TIFFGetField (tif, TIFFTAG_YRESOLUTION, &yres) || yres < 10)
        yres = 196;
      TIFFGetField (tif, TIFFTAG_RESOLUTIONUNIT, &unit);
      if (unit == RESUNIT_CENTIMETER)
        {
          xres *= 2.54f;
          yres *= 2.54f;
        }
      page_w = w * 72.0 / xres;
      page_h = h * 72.0 / yres;

      raster = g_try_malloc ((gsize) w * h * sizeof (guint32));
      if (raster == NULL || !TIFFReadRGBAImageOriented (tif, w, h, raster, ORIENTATION_TOPLEFT, 0))
        {
          g_free (raster);
          g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                               _("A page of the TIFF file cannot be read. Ask the sender to send it again."));
          ok = FALSE;
          break;
        }

      image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) w, (int) h);
      {
        guint8 *dst = cairo_image_surface_get_data (image);
        int stride = cairo_image_surface_get_stride (image);

        cairo_surface_flush (image);
        for (guint32 y = 0; y < h; y++)
          {
            guint32 *row = (guint32 *) (gpointer) (dst + (gsize) y * stride);

            for (guint32 x = 0; x < w; x++)
              {
                guint32 p = raster[(gsize) y * w + x];

                row[x] = (TIFFGetR (p) << 16) | (TIFFGetG (p) << 8) | TIFFGetB (p);
              }
          }
        cairo_surface_mark_dirty (image);
      }
      g_free (raster);

      cairo_pdf_surface_set_size (pdf, page_w, page_h);
      cairo_save (cr);
      cairo_scale (cr, page_w / w, page_h / h);
      cairo_set_source_surface (cr, image, 0, 0);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_show_page (cr);
      cairo_surface_destroy (image);
    }
  while (TIFFReadDirectory (tif));

  TIFFClose (tif);
  cairo_destroy (cr);
  cairo_surface_finish (pdf);
  if (ok && cairo_surface_status (pdf) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error_literal (error, RD_INTAKE_ERROR, RD_INTAKE_ERROR_MALFORMED,
                           _("The TIFF file could not be turned into a PDF."));
      ok = FALSE;
    }
  cairo_surface_destroy (pdf);

  if (!ok)
    {
      g_byte_array_unref (out);
      return NULL;
    }
  if (out_pages != NULL)
    *out_pages = pages;
  return g_byte_array_free_to_bytes (out);
}

static char *
dup_ascii_tag (TIFF    *tif,
               ttag_t   tag)
{
  const char *value = NULL;

  if (!TIFFGetField (tif, tag, &value) || value == NULL)
    return NULL;
  /* A tag is the sender's bytes: bounded, and valid UTF-8 only when shown. */
  return g_strndup (value, 256);
}

/**
 * rd_tiff_read_fax_tags:
 * @tiff: a TIFF file's bytes
 * @out_description: (out) (transfer full) (nullable): ImageDescription of
 *   the first page, where fax servers (HylaFAX, spandsp) write the sending
 *   station's id (TSI), or %NULL
 * @out_date_time: (out) (transfer full) (nullable): DateTime of the first
 *   page ("YYYY:MM:DD HH:MM:SS", the fax server's local time of receipt),
 *   or %NULL
 *
 * Reads only the first directory's tags; the pages are not decoded.
 *
 * Returns: %TRUE when the file could be opened as a TIFF
 */
gboolean
rd_tiff_read_fax_tags (GBytes  *tiff,
                       char   **out_description,
                       char   **out_date_time)
{
  MemFile m = { 0 };
  TIFF *tif;

  g_return_val_if_fail (tiff != NULL, FALSE);

  *out_description = NULL;
  *out_date_time = NULL;
  m.data = g_bytes_get_data (tiff, &m.len);
  TIFFSetErrorHandler (quiet_handler);
  TIFFSetWarningHandler (quiet_handler);
  tif = TIFFClientOpen ("fax", "rm", &m, mem_read, mem_write, mem_seek, mem_close,
                        mem_size, mem_map, mem_unmap);
  if (tif == NULL)
    return FALSE;
  *out_description = dup_ascii_tag (tif, TIFFTAG_IMAGEDESCRIPTION);
  *out_date_time = dup_ascii_tag (tif, TIFFTAG_DATETIME);
  TIFFClose (tif);
  return TRUE;
}
