/*
 * ocr.h - recognition of one page: leptonica preprocessing (orientation,
 * deskew, upscaling, grayscale, optional binarization) and tesseract through
 * its C API. One struct sc_ocr per worker thread: it holds the initialised
 * TessBaseAPI(s) and is reused for every page that worker gets.
 */
#ifndef SC_OCR_H
#define SC_OCR_H

#include "ocr_doc.h"
#include "sc.h"

/* Preprocessing steps (bits of sc_ocr_opts.steps). */
#define SC_PRE_OSD      0x01   /* orientation 0/90/180/270 by tesseract's OSD */
#define SC_PRE_DESKEW   0x02   /* small-angle skew by leptonica */
#define SC_PRE_UPSCALE  0x04   /* low-resolution scans brought to 300 dpi */
#define SC_PRE_GRAY     0x08   /* colour to 8-bit gray before recognition */
#define SC_PRE_BINARIZE 0x10   /* Sauvola binarization of every page */
#define SC_PRE_RESCUE_BIN 0x20 /* Sauvola binarization of pages that read poorly */
#define SC_PRE_RULES    0x40   /* table rules painted out before recognition */
#define SC_PRE_CROP     0x80   /* a photo cut to the paper in it */
#define SC_PRE_DEFAULT  (SC_PRE_OSD | SC_PRE_DESKEW | SC_PRE_UPSCALE | SC_PRE_GRAY | SC_PRE_RESCUE_BIN | \
                         SC_PRE_RULES | SC_PRE_CROP)

struct sc_ocr_opts {
	const char *lang;      /* "eng" (default), "chi_sim+eng", ... or "auto" */
	const char *tessdata;  /* NULL: tesseract's own default */
	int psm;               /* page segmentation mode; 0 means 3 (automatic) */
	int words;             /* add ocr.words[] */
	int timing;            /* add ocr.timing (milliseconds): not deterministic */
	unsigned steps;        /* SC_PRE_* */
	int line_px;           /* text line height pages are scaled up to (SC_PRE_UPSCALE) */
	int reread_conf;       /* lines with figures read below this confidence are read again; 0: never */
	size_t max_memory;     /* a page is read at a lower resolution rather than take more (0: no bound) */
};

/* Default line height: chosen on the train split of real receipts (see man/sc-ocr.1). */
#define SC_OCR_LINE_PX 48
#define SC_OCR_REREAD_CONF 90

/* CPU seconds*1000 spent per stage by one worker (or summed over workers). */
struct sc_ocr_times {
	double decode, osd, deskew, scale, recognize, reread, output;
};

struct sc_ocr;

/* The recognizer of one worker. Cheap: the tesseract engines start on the
 * first page that needs them (0.2-0.8 s each), then serve every page. */
struct sc_ocr *sc_ocr_new(const struct sc_ocr_opts *opts, struct sc_error *err);
/* Start the main engine now (so that a missing language shows at once). */
int sc_ocr_start(struct sc_ocr *o, struct sc_error *err);
void sc_ocr_free(struct sc_ocr *o);
/*
 * Turn a page into the `ocr` namespace object (owned by the caller). The
 * page's pix is borrowed. NULL with err filled when recognition fails (code
 * "tesseract" when an engine cannot start: the run cannot go on).
 */
json_t *sc_ocr_page(struct sc_ocr *o, const struct sc_page *page, struct sc_error *err);
/* The stage times of one worker so far, and a sum over workers. */
const struct sc_ocr_times *sc_ocr_times(const struct sc_ocr *o);
void sc_ocr_times_add(struct sc_ocr_times *sum, const struct sc_ocr_times *t);
/* Switch tesseract's own OpenMP threading off in the calling thread. */
void sc_ocr_single_thread(void);

#endif
