/*
 * doc.c - decoding input files into pages. Image headers are checked before
 * any pixels are decoded (caps on size), and leptonica's and poppler's own
 * messages are kept off stderr: failures come back as struct sc_error.
 */
#include <cairo.h>
#include <glib.h>
#include <poppler.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

struct sc_doc {
	const unsigned char *data;
	size_t len;
	char name[256];
	int format;               /* IFF_* for images, -1 for PDF */
	int pages;
	GBytes *bytes;            /* PDF only */
	PopplerDocument *pdf;
};

static const char *format_name(int iff)
{
	switch (iff) {
	case IFF_BMP: return "bmp";
	case IFF_JFIF_JPEG: return "jpeg";
	case IFF_PNG: return "png";
	case IFF_TIFF: case IFF_TIFF_PACKBITS: case IFF_TIFF_RLE: case IFF_TIFF_G3:
	case IFF_TIFF_G4: case IFF_TIFF_LZW: case IFF_TIFF_ZIP: case IFF_TIFF_JPEG:
		return "tiff";
	case IFF_PNM: return "pnm";
	case IFF_GIF: return "gif";
	case IFF_JP2: return "jp2";
	case IFF_WEBP: return "webp";
	case -1: return "pdf";
	default: return "unknown";
	}
}

static int is_tiff(int iff)
{
	return strcmp(format_name(iff), "tiff") == 0;
}

/* A PDF starts with %PDF- within its first KiB (some writers put junk first). */
static int is_pdf(const unsigned char *d, size_t n)
{
	size_t lim = n < 1024 ? n : 1024;

	for (size_t i = 0; i + 5 <= lim; i++)
		if (memcmp(d + i, "%PDF-", 5) == 0)
			return 1;
	return 0;
}

static void quiet_libraries(void)
{
	static int done;

	if (!done) {
		/* leptonica would print "Error in pixReadMem: ..." for every bad file */
		setMsgSeverity(L_SEVERITY_NONE);
		done = 1;
	}
}

static int open_pdf(struct sc_doc *d, struct sc_error *err)
{
	GError *gerr = NULL;

	d->bytes = g_bytes_new_static(d->data, d->len);
	d->pdf = poppler_document_new_from_bytes(d->bytes, NULL, &gerr);
	if (!d->pdf) {
		sc_error_set(err, d->name, 0, 0, "bad-pdf", "cannot read PDF: %s",
		             gerr ? gerr->message : "unknown error");
		if (gerr)
			g_error_free(gerr);
		return -1;
	}
	d->pages = poppler_document_get_n_pages(d->pdf);
	if (d->pages <= 0)
		return sc_error_set(err, d->name, 0, 0, "bad-pdf", "PDF has no pages");
	return 0;
}

/*
 * Walk a PNG's chunks before libpng sees it: a cut or garbled file is then
 * our clear error, not a libpng message on stderr. 0 if the chunk chain
 * holds together up to IEND.
 */
static int png_intact(const unsigned char *d, size_t n)
{
	size_t off = 8;

	while (off + 12 <= n) {
		size_t len = (size_t)d[off] << 24 | (size_t)d[off + 1] << 16 | (size_t)d[off + 2] << 8 |
		             d[off + 3];
		if (len > n - off - 12)
			return -1;
		for (int i = 4; i < 8; i++)
			if (!((d[off + i] | 32) >= 'a' && (d[off + i] | 32) <= 'z'))
				return -1;
		if (memcmp(d + off + 4, "IEND", 4) == 0)
			return 0;
		off += len + 12;
	}
	return -1;
}

static int count_tiff_pages(const unsigned char *data, size_t len)
{
	FILE *f = fmemopen((void *)data, len, "rb");
	l_int32 n = 0;

	if (!f)
		return 0;
	if (tiffGetCount(f, &n) != 0)
		n = 0;
	fclose(f);
	return n;
}

struct sc_doc *sc_doc_open(const unsigned char *data, size_t len, const char *name,
                           struct sc_error *err)
{
	struct sc_doc *d;
	l_int32 fmt = IFF_UNKNOWN;

	quiet_libraries();
	if (len == 0) {
		sc_error_set(err, name, 0, 0, "empty", "empty file");
		return NULL;
	}
	d = calloc(1, sizeof *d);
	if (!d) {
		sc_error_set(err, name, 0, 0, "nomem", "out of memory");
		return NULL;
	}
	d->data = data;
	d->len = len;
	snprintf(d->name, sizeof d->name, "%s", name);
	if (is_pdf(data, len)) {
		d->format = -1;
		if (open_pdf(d, err) < 0) {
			sc_doc_free(d);
			return NULL;
		}
		if (d->pages > SC_DOC_MAX_PAGES) {
			sc_error_set(err, name, 0, 0, "too-large", "PDF has %d pages, more than %d",
			             d->pages, SC_DOC_MAX_PAGES);
			sc_doc_free(d);
			return NULL;
		}
		return d;
	}
	if (len < 12 || findFileFormatBuffer(data, &fmt) != 0 || fmt == IFF_UNKNOWN ||
	    fmt == IFF_PS || fmt == IFF_LPDF || fmt == IFF_SPIX) {
		sc_error_set(err, name, 0, 0, "not-image", "not an image or PDF");
		sc_doc_free(d);
		return NULL;
	}
	d->format = fmt;
	if (fmt == IFF_PNG && png_intact(data, len) < 0) {
		sc_error_set(err, name, 0, 0, "bad-image", "damaged PNG (truncated or corrupt chunks)");
		sc_doc_free(d);
		return NULL;
	}
	d->pages = is_tiff(fmt) ? count_tiff_pages(data, len) : 1;
	if (d->pages <= 0) {
		sc_error_set(err, name, 0, 0, "bad-image", "cannot read %s image", format_name(fmt));
		sc_doc_free(d);
		return NULL;
	}
	return d;
}

void sc_doc_free(struct sc_doc *d)
{
	if (!d)
		return;
	if (d->pdf)
		g_object_unref(d->pdf);
	if (d->bytes)
		g_bytes_unref(d->bytes);
	free(d);
}

int sc_doc_pages(const struct sc_doc *d)
{
	return d->pages;
}

const char *sc_doc_format(const struct sc_doc *d)
{
	return format_name(d->format);
}

void sc_page_clear(struct sc_page *p)
{
	if (p->pix)
		pixDestroy(&p->pix);
	json_decref(p->lines);
	free(p->text);
	memset(p, 0, sizeof *p);
}

static int image_page(struct sc_doc *d, int index, struct sc_page *p, struct sc_error *err)
{
	l_int32 fmt, w = 0, h = 0, bps, spp, cmap;
	PIX *pix;

	/* the header of a multi-page TIFF describes its first page; every page
	 * is checked again after decoding below */
	if (pixReadHeaderMem(d->data, d->len, &fmt, &w, &h, &bps, &spp, &cmap) != 0 || w <= 0 || h <= 0)
		return sc_error_set(err, d->name, 0, 0, "bad-image", "cannot read %s image header",
		                    format_name(d->format));
	if ((double)w * h > SC_DOC_MAX_PIXELS)
		return sc_error_set(err, d->name, 0, 0, "too-large",
		                    "image is %dx%d pixels, more than the limit of %u", w, h,
		                    SC_DOC_MAX_PIXELS);
	pix = is_tiff(d->format) ? pixReadMemTiff(d->data, d->len, index)
	                         : pixReadMem(d->data, d->len);
	if (!pix)
		return sc_error_set(err, d->name, 0, 0, "bad-image", "cannot decode %s image%s",
		                    format_name(d->format), d->pages > 1 ? " page" : "");
	if ((double)pixGetWidth(pix) * pixGetHeight(pix) > SC_DOC_MAX_PIXELS) {
		pixDestroy(&pix);
		return sc_error_set(err, d->name, 0, 0, "too-large", "page larger than the pixel limit");
	}
	p->pix = pix;
	p->width = pixGetWidth(pix);
	p->height = pixGetHeight(pix);
	p->dpi = pixGetXRes(pix);
	return 0;
}

/* Enough real characters to trust the text layer rather than OCR the page. */
static int usable_text(const char *text)
{
	int alnum = 0;

	for (const unsigned char *s = (const unsigned char *)text; *s; s++)
		if ((*s >= '0' && *s <= '9') || ((*s | 32) >= 'a' && (*s | 32) <= 'z') || *s >= 0x80)
			alnum++;
	return alnum >= 16;
}

static json_t *text_lines(PopplerPage *page, const char *text, double scale)
{
	PopplerRectangle *rects = NULL;
	guint nrects = 0;
	json_t *lines = json_array();
	const char *s = text, *line_start = text;
	guint ci = 0;
	double x1 = 1e18, y1 = 1e18, x2 = -1, y2 = -1;

	if (!poppler_page_get_text_layout(page, &rects, &nrects))
		nrects = 0;
	for (;; s = g_utf8_next_char(s), ci++) {
		int end = *s == '\0' || *s == '\n';
		if (!end && ci < nrects && *s != ' ' && *s != '\r' && *s != '\t') {
			PopplerRectangle *r = &rects[ci];
			if (r->x1 < x1) x1 = r->x1;
			if (r->y1 < y1) y1 = r->y1;
			if (r->x2 > x2) x2 = r->x2;
			if (r->y2 > y2) y2 = r->y2;
		}
		if (end) {
			size_t n = (size_t)(s - line_start);
			while (n > 0 && (line_start[n - 1] == ' ' || line_start[n - 1] == '\r'))
				n--;
			if (n > 0) {
				json_t *bbox = x2 >= 0 ? json_pack("[iiii]", (int)(x1 * scale), (int)(y1 * scale),
				                                   (int)((x2 - x1) * scale + 0.5),
				                                   (int)((y2 - y1) * scale + 0.5))
				                       : json_null();
				json_array_append_new(lines, json_pack("{s:s%,s:o}", "text", line_start, n,
				                                       "bbox", bbox));
			}
			x1 = y1 = 1e18;
			x2 = y2 = -1;
			if (*s == '\0')
				break;
			line_start = s + 1;
		}
	}
	g_free(rects);
	return lines;
}

static int pdf_page(struct sc_doc *d, int index, int dpi, int text_layer, struct sc_page *p,
                    struct sc_error *err)
{
	PopplerPage *page = poppler_document_get_page(d->pdf, index);
	double wpt, hpt, scale;
	char *text;

	if (!page)
		return sc_error_set(err, d->name, 0, 0, "bad-pdf", "cannot read PDF page %d", index + 1);
	poppler_page_get_size(page, &wpt, &hpt);
	if (!(wpt > 0 && hpt > 0 && wpt < 1e5 && hpt < 1e5)) {
		g_object_unref(page);
		return sc_error_set(err, d->name, 0, 0, "bad-pdf", "PDF page %d has no usable size",
		                    index + 1);
	}
	/* a page too large at this resolution is rendered at a lower one */
	while ((wpt * dpi / 72.0) * (hpt * dpi / 72.0) > SC_DOC_MAX_PIXELS && dpi > 50)
		dpi = dpi * 3 / 4;
	scale = dpi / 72.0;
	p->dpi = dpi;
	p->width = (int)(wpt * scale + 0.5);
	p->height = (int)(hpt * scale + 0.5);
	text = text_layer ? poppler_page_get_text(page) : NULL;
	if (text && usable_text(text)) {
		p->text = strdup(text);
		p->lines = text_lines(page, text, scale);
		g_free(text);
		g_object_unref(page);
		return p->text ? 0 : sc_error_set(err, d->name, 0, 0, "nomem", "out of memory");
	}
	g_free(text);
	{
		cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, p->width, p->height);
		cairo_t *cr;
		PIX *pix;
		unsigned char *row;
		int stride;

		if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
			cairo_surface_destroy(surf);
			g_object_unref(page);
			return sc_error_set(err, d->name, 0, 0, "nomem", "cannot render PDF page %d",
			                    index + 1);
		}
		cr = cairo_create(surf);
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_paint(cr);
		cairo_scale(cr, scale, scale);
		poppler_page_render_for_printing(page, cr);
		cairo_destroy(cr);
		cairo_surface_flush(surf);
		pix = pixCreate(p->width, p->height, 8);
		row = cairo_image_surface_get_data(surf);
		stride = cairo_image_surface_get_stride(surf);
		if (pix) {
			for (int y = 0; y < p->height; y++) {
				const uint32_t *src = (const uint32_t *)(row + (size_t)y * stride);
				l_uint32 *dst = pixGetData(pix) + (size_t)y * pixGetWpl(pix);
				for (int x = 0; x < p->width; x++) {
					uint32_t v = src[x];
					unsigned r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
					SET_DATA_BYTE(dst, x, (r * 77 + g * 150 + b * 29) >> 8);
				}
			}
			pixSetResolution(pix, dpi, dpi);
		}
		cairo_surface_destroy(surf);
		g_object_unref(page);
		if (!pix)
			return sc_error_set(err, d->name, 0, 0, "nomem", "out of memory");
		p->pix = pix;
	}
	return 0;
}

int sc_doc_page(struct sc_doc *d, int index, int dpi, int text_layer, struct sc_page *p,
                struct sc_error *err)
{
	memset(p, 0, sizeof *p);
	if (index < 0 || index >= d->pages)
		return sc_error_set(err, d->name, 0, 0, "no-page", "no page %d", index + 1);
	if (d->format == -1)
		return pdf_page(d, index, dpi > 0 ? dpi : 300, text_layer, p, err);
	return image_page(d, index, p, err);
}
