/*
 * ocr_doc.h - one input file as pages: raster images through leptonica (PNG,
 * JPEG, TIFF with every page of a multi-page file, PNM, BMP, WebP, GIF,
 * JPEG 2000) and PDFs through poppler (a page's text layer when it has a
 * usable one, else the page rendered at a chosen resolution).
 */
#ifndef SC_OCR_DOC_H
#define SC_OCR_DOC_H

#include <leptonica/allheaders.h>
#include "sc.h"

/* Larger pages are refused before they are decoded: a small file must not
 * be able to claim gigabytes of pixels. */
#define SC_DOC_MAX_PIXELS (150u * 1000u * 1000u)
#define SC_DOC_MAX_PAGES 10000

struct sc_ocr_doc;

/* One page, ready for recognition (pix) or already text (lines). */
struct sc_page {
	PIX *pix;            /* owned; NULL for a text-layer page */
	json_t *lines;       /* owned; [{text, conf, bbox}] from a PDF text layer, else NULL */
	json_t *words;       /* owned; the same for words */
	char *text;          /* owned; the page text of a text-layer page */
	int width, height;   /* in pixels at dpi */
	int dpi;             /* the resolution the page is at (0: unknown) */
};

/* Open a file held in memory. `data` is borrowed and must outlive the doc. */
struct sc_ocr_doc *sc_ocr_doc_open(const unsigned char *data, size_t len, const char *name,
                           struct sc_error *err);
void sc_ocr_doc_free(struct sc_ocr_doc *d);
int sc_ocr_doc_pages(const struct sc_ocr_doc *d);
/* "png", "jpeg", "tiff", "pnm", "bmp", "webp", "gif", "jp2", "pdf". */
const char *sc_ocr_doc_format(const struct sc_ocr_doc *d);
/*
 * Page `index` (0-based). For a PDF page with a text layer (and text_layer
 * set) the page comes as lines; otherwise it is rendered at `dpi`.
 */
int sc_ocr_doc_page(struct sc_ocr_doc *d, int index, int dpi, int text_layer, struct sc_page *page,
                struct sc_error *err);
void sc_page_clear(struct sc_page *page);
/* Why pages are missing when the file was cut short (a TIFF whose chain of
 * pages ends past its end), or NULL. sc_ocr_doc_pages() counts the pages left. */
const char *sc_ocr_doc_cut(const struct sc_ocr_doc *d);
/* Refuse pages whose decoding would take more than `bytes` (0: no limit). */
void sc_ocr_doc_set_max_decode(struct sc_ocr_doc *d, size_t bytes);

#endif
