/*
 * ocr_doc.c - decoding input files into pages. Image headers are checked before
 * any pixels are decoded (caps on size), and leptonica's and poppler's own
 * messages are kept off stderr: failures come back as struct sc_error.
 */
#include <cairo.h>
#include <glib.h>
#include <poppler.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "ocr_doc.h"

struct sc_ocr_doc {
	const unsigned char *data;
	size_t len;
	char name[256];
	int format;               /* IFF_* for images, -1 for PDF */
	int pages;
	GBytes *bytes;            /* PDF only */
	PopplerDocument *pdf;
	int cut;                  /* the file ends before its last page */
	char cut_msg[200];
	size_t max_decode;        /* bytes a decoded page may take (0: no limit but the pixel cap) */
};

const char *sc_ocr_doc_cut(const struct sc_ocr_doc *d)
{
	return d->cut ? d->cut_msg : NULL;
}

void sc_ocr_doc_set_max_decode(struct sc_ocr_doc *d, size_t bytes)
{
	d->max_decode = bytes;
}

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

static int open_pdf(struct sc_ocr_doc *d, struct sc_error *err)
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

/*
 * Walk a TIFF's chain of page directories (IFDs) ourselves: libtiff counts the
 * pages it can reach and says nothing of a chain cut short by a truncated
 * file. Returns the pages whose directory is whole; *cut is set when the
 * chain points past the end of the file (pages lost).
 */
static int tiff_chain(const unsigned char *d, size_t n, int *cut)
{
	int le, pages = 0;
	unsigned long long off;

	*cut = 0;
	if (n < 8 || !((d[0] == 'I' && d[1] == 'I') || (d[0] == 'M' && d[1] == 'M')))
		return 0;
	le = d[0] == 'I';
#define U16(p) (le ? (unsigned)(p)[0] | (unsigned)(p)[1] << 8 : (unsigned)(p)[1] | (unsigned)(p)[0] << 8)
#define U32(p) (le ? (unsigned long long)(p)[0] | (unsigned long long)(p)[1] << 8 | \
                     (unsigned long long)(p)[2] << 16 | (unsigned long long)(p)[3] << 24 \
                   : (unsigned long long)(p)[3] | (unsigned long long)(p)[2] << 8 | \
                     (unsigned long long)(p)[1] << 16 | (unsigned long long)(p)[0] << 24)
	if (U16(d + 2) != 42)
		return 0;   /* BigTIFF and others: libtiff's count stands */
	off = U32(d + 4);
	while (off != 0 && pages < SC_DOC_MAX_PAGES + 1) {
		unsigned entries;
		if (off + 2 > n) {
			*cut = 1;
			break;
		}
		entries = U16(d + off);
		if (off + 2 + 12ull * entries + 4 > n) {
			*cut = 1;
			break;
		}
		pages++;
		off = U32(d + off + 2 + 12ull * entries);
	}
#undef U16
#undef U32
	return pages;
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

struct sc_ocr_doc *sc_ocr_doc_open(const unsigned char *data, size_t len, const char *name,
                           struct sc_error *err)
{
	struct sc_ocr_doc *d;
	l_int32 fmt = IFF_UNKNOWN;

	quiet_libraries();
	if (len == 0) {
		sc_error_set(err, name, 0, 0, "empty", "empty file");
		return NULL;
	}
	d = calloc(1, sizeof *d);
	if (!d) {
		sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	d->data = data;
	d->len = len;
	snprintf(d->name, sizeof d->name, "%s", name);
	if (is_pdf(data, len)) {
		d->format = -1;
		if (open_pdf(d, err) < 0) {
			sc_ocr_doc_free(d);
			return NULL;
		}
		if (d->pages > SC_DOC_MAX_PAGES) {
			sc_error_set(err, name, 0, 0, "too-large", "PDF has %d pages, more than %d",
			             d->pages, SC_DOC_MAX_PAGES);
			sc_ocr_doc_free(d);
			return NULL;
		}
		return d;
	}
	if (len < 12 || findFileFormatBuffer(data, &fmt) != 0 || fmt == IFF_UNKNOWN ||
	    fmt == IFF_PS || fmt == IFF_LPDF || fmt == IFF_SPIX) {
		sc_error_set(err, name, 0, 0, "not-image", "not an image or PDF");
		sc_ocr_doc_free(d);
		return NULL;
	}
	d->format = fmt;
	if (fmt == IFF_PNG && png_intact(data, len) < 0) {
		sc_error_set(err, name, 0, 0, "bad-image", "damaged PNG (truncated or corrupt chunks)");
		sc_ocr_doc_free(d);
		return NULL;
	}
	d->pages = is_tiff(fmt) ? count_tiff_pages(data, len) : 1;
	if (is_tiff(fmt)) {
		int cut, chain = tiff_chain(data, len, &cut);
		if (cut) {
			d->cut = 1;
			snprintf(d->cut_msg, sizeof d->cut_msg,
			         "TIFF cut short: the file ends inside the directory of page %d; "
			         "the pages from %d on are lost", chain + 1, chain + 1);
			if (d->pages > chain)
				d->pages = chain;
		}
	}
	if (d->pages <= 0) {
		sc_error_set(err, name, 0, 0, "bad-image", "cannot read %s image", format_name(fmt));
		sc_ocr_doc_free(d);
		return NULL;
	}
	return d;
}

void sc_ocr_doc_free(struct sc_ocr_doc *d)
{
	if (!d)
		return;
	if (d->pdf)
		g_object_unref(d->pdf);
	if (d->bytes)
		g_bytes_unref(d->bytes);
	free(d);
}

int sc_ocr_doc_pages(const struct sc_ocr_doc *d)
{
	return d->pages;
}

const char *sc_ocr_doc_format(const struct sc_ocr_doc *d)
{
	return format_name(d->format);
}

void sc_page_clear(struct sc_page *p)
{
	if (p->pix)
		pixDestroy(&p->pix);
	json_decref(p->lines);
	json_decref(p->words);
	free(p->text);
	memset(p, 0, sizeof *p);
}

static int image_page(struct sc_ocr_doc *d, int index, struct sc_page *p, struct sc_error *err)
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
	/* what decoding takes: the pixels as leptonica holds them (1, 8 or 32
	 * bits) and the gray copy made next; a tiny file may claim a huge page */
	if (d->max_decode) {
		double bits = spp * bps >= 24 || cmap ? 32 : spp * bps > 8 ? 32 : spp * bps > 1 ? 8 : 1;
		double need = (double)w * h * (bits / 8 + 1);
		if (need > (double)d->max_decode)
			return sc_error_set(err, d->name, 0, 0, "too-large",
			                    "image is %dx%d pixels: decoding it takes %.0f MiB, more than the "
			                    "%.0f MiB a worker may use (--max-memory)", w, h, need / 1048576,
			                    (double)d->max_decode / 1048576);
	}
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

/* One character of a text layer and the box poppler gives it. */
struct glyph {
	double x1, y1, x2, y2;
	const char *s;       /* its UTF-8 bytes inside the page text */
	int n;
	int row;
};

static int by_top(const void *a, const void *b)
{
	const struct glyph *g = a, *h = b;
	return g->y1 < h->y1 ? -1 : g->y1 > h->y1 ? 1 : (g->s > h->s) - (g->s < h->s);
}

static int by_row_then_x(const void *a, const void *b)
{
	const struct glyph *g = a, *h = b;
	if (g->row != h->row)
		return g->row - h->row;
	return g->x1 < h->x1 ? -1 : g->x1 > h->x1 ? 1 : (g->s > h->s) - (g->s < h->s);
}

static json_t *box(double x1, double y1, double x2, double y2, double scale)
{
	return json_pack("[iiii]", (int)(x1 * scale), (int)(y1 * scale), (int)((x2 - x1) * scale + 0.5),
	                 (int)((y2 - y1) * scale + 0.5));
}

/*
 * Lines (and words) rebuilt from where the characters stand, not from the
 * order poppler reads them in: a PDF writer may put two columns' runs side by
 * side with no space between them ("SELLER / EXPORTERBUYER / IMPORTER"). A
 * gap of more than a quarter of the text height is a space; one of more than
 * one and a half heights starts a separate line, as OCR would see it.
 */
static void layout_text(PopplerPage *page, const char *text, double scale, json_t **lines_out,
                       json_t **words_out, char **text_out)
{
	PopplerRectangle *rects = NULL;
	guint nrects = 0, ci = 0;
	size_t n = 0, cap = 0;
	struct glyph *g = NULL;
	json_t *lines = json_array(), *words = json_array();
	char *all = NULL;
	size_t all_len = 0;
	FILE *out = open_memstream(&all, &all_len);

	if (!poppler_page_get_text_layout(page, &rects, &nrects))
		nrects = 0;
	for (const char *s = text; *s && ci < nrects; s = g_utf8_next_char(s), ci++) {
		PopplerRectangle *r = &rects[ci];
		if (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t' || r->x2 <= r->x1 || r->y2 <= r->y1)
			continue;
		if (n == cap) {
			struct glyph *ng = realloc(g, (cap = cap ? cap * 2 : 1024) * sizeof *g);
			if (!ng)
				break;
			g = ng;
		}
		g[n++] = (struct glyph){r->x1, r->y1, r->x2, r->y2, s, (int)(g_utf8_next_char(s) - s), 0};
	}
	g_free(rects);
	/* rows: a glyph joins the row whose vertical span covers its centre */
	qsort(g, n, sizeof *g, by_top);
	{
		int rows = 0;
		double row_top = 0, row_bottom = 0;
		for (size_t i = 0; i < n; i++) {
			double cy = (g[i].y1 + g[i].y2) / 2;
			if (rows == 0 || cy > row_bottom) {
				rows++;
				row_top = g[i].y1;
				row_bottom = g[i].y2;
			} else if (g[i].y2 > row_bottom && g[i].y1 <= (row_top + row_bottom) / 2) {
				row_bottom = g[i].y2;
			}
			g[i].row = rows;
		}
	}
	qsort(g, n, sizeof *g, by_row_then_x);
	for (size_t i = 0; i < n;) {
		size_t end = i;
		double h, x1, y1, x2, y2, wx1, wy1, wx2, wy2;
		char *seg = NULL, *word = NULL;
		size_t seg_len = 0, word_len = 0;
		FILE *fs = open_memstream(&seg, &seg_len), *fw = open_memstream(&word, &word_len);

		x1 = wx1 = g[i].x1; y1 = wy1 = g[i].y1; x2 = wx2 = g[i].x2; y2 = wy2 = g[i].y2;
		h = g[i].y2 - g[i].y1;
		for (end = i; end < n && g[end].row == g[i].row; end++) {
			double gap = end > i ? g[end].x1 - g[end - 1].x2 : 0;
			if (end > i && gap > 1.5 * h)
				break;
			if (end > i && gap > 0.25 * h) {
				fflush(fw);
				json_array_append_new(words, json_pack("{s:s%,s:i,s:o}", "text", word, word_len,
				                                       "conf", 100, "bbox",
				                                       box(wx1, wy1, wx2, wy2, scale)));
				fclose(fw);
				free(word);
				word = NULL;
				fw = open_memstream(&word, &word_len);
				wx1 = g[end].x1; wy1 = g[end].y1; wx2 = g[end].x2; wy2 = g[end].y2;
				putc(' ', fs);
			}
			fwrite(g[end].s, 1, (size_t)g[end].n, fs);
			fwrite(g[end].s, 1, (size_t)g[end].n, fw);
			if (g[end].x1 < x1) x1 = g[end].x1;
			if (g[end].y1 < y1) y1 = g[end].y1;
			if (g[end].x2 > x2) x2 = g[end].x2;
			if (g[end].y2 > y2) y2 = g[end].y2;
			if (g[end].y1 < wy1) wy1 = g[end].y1;
			if (g[end].x2 > wx2) wx2 = g[end].x2;
			if (g[end].y2 > wy2) wy2 = g[end].y2;
		}
		fclose(fs);
		fclose(fw);
		json_array_append_new(words, json_pack("{s:s%,s:i,s:o}", "text", word, word_len, "conf",
		                                       100, "bbox", box(wx1, wy1, wx2, wy2, scale)));
		json_array_append_new(lines, json_pack("{s:s%,s:i,s:o}", "text", seg, seg_len, "conf",
		                                       100, "bbox", box(x1, y1, x2, y2, scale)));
		/* the page text: a row per line, its pieces two spaces apart */
		if (i > 0)
			fputs(g[i - 1].row == g[i].row ? "  " : "\n", out);
		fwrite(seg, 1, seg_len, out);
		free(seg);
		free(word);
		i = end;
	}
	fclose(out);
	free(g);
	*lines_out = lines;
	*words_out = words;
	*text_out = all;
}

static int pdf_page(struct sc_ocr_doc *d, int index, int dpi, int text_layer, struct sc_page *p,
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
		layout_text(page, text, scale, &p->lines, &p->words, &p->text);
		g_free(text);
		g_object_unref(page);
		return p->text ? 0 : sc_error_set(err, d->name, 0, 0, SC_E_NOMEM, "out of memory");
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
			return sc_error_set(err, d->name, 0, 0, SC_E_NOMEM, "cannot render PDF page %d",
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
			return sc_error_set(err, d->name, 0, 0, SC_E_NOMEM, "out of memory");
		p->pix = pix;
	}
	return 0;
}

int sc_ocr_doc_page(struct sc_ocr_doc *d, int index, int dpi, int text_layer, struct sc_page *p,
                struct sc_error *err)
{
	memset(p, 0, sizeof *p);
	if (index < 0 || index >= d->pages)
		return sc_error_set(err, d->name, 0, 0, "no-page", "no page %d", index + 1);
	if (d->format == -1)
		return pdf_page(d, index, dpi > 0 ? dpi : 300, text_layer, p, err);
	return image_page(d, index, p, err);
}
