/*
 * ocr.c - preprocessing and recognition. Each step is there because it was
 * measured to help (see man/sc-ocr.1): OSD rescues pages scanned upside
 * down or sideways, deskew rescues pages fed at an angle, upscaling rescues
 * 150 dpi scans. The record says what was done (rotate, skew, dpi).
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include <time.h>

#include "errcode.h"
#include "ocr.h"

struct sc_ocr {
	struct sc_ocr_opts opts;
	TessBaseAPI *api;       /* the configured language(s); made on the first page to OCR */
	TessBaseAPI *han;       /* auto mode: chi_sim+eng, made on the first Han page */
	TessBaseAPI *osd;       /* orientation and script detection, made on the first suspect page */
	char lang[64];
	struct sc_ocr_times times;
};

void sc_ocr_single_thread(void)
{
	/* tesseract's OpenMP loops slow batch work several-fold on two cores;
	 * our workers are the parallelism */
	omp_set_num_threads(1);
	omp_set_max_active_levels(0);
	omp_set_dynamic(0);
}

static TessBaseAPI *engine(const char *tessdata, const char *lang, int psm, struct sc_error *err)
{
	TessBaseAPI *api = TessBaseAPICreate();

	if (!api) {
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "cannot create tesseract engine");
		return NULL;
	}
	if (TessBaseAPIInit2(api, tessdata, lang, OEM_DEFAULT) != 0) {
		sc_error_set(err, NULL, 0, 0, "tesseract",
		             "cannot load tesseract language \"%s\" (is tesseract-ocr-%s installed?)",
		             lang, strncmp(lang, "chi_sim", 7) == 0 ? "chi-sim" : lang);
		TessBaseAPIDelete(api);
		return NULL;
	}
	/* tesseract's "Estimating resolution" and similar notes are not ours to print */
	TessBaseAPISetVariable(api, "debug_file", "/dev/null");
	/* tesseract 5 reads every doubtful line a second time inverted, in
	 * case it is light on dark; on dark-on-light pages that is time for
	 * nothing. It is switched on again per page where the page is dark
	 * (see INK_INVERT) */
	TessBaseAPISetVariable(api, "tessedit_do_invert", "0");
	TessBaseAPISetPageSegMode(api, (TessPageSegMode)psm);
	return api;
}

struct sc_ocr *sc_ocr_new(const struct sc_ocr_opts *opts, struct sc_error *err)
{
	struct sc_ocr *o = calloc(1, sizeof *o);

	if (!o) {
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	sc_ocr_single_thread();
	o->opts = *opts;
	if (o->opts.psm <= 0)
		o->opts.psm = PSM_AUTO;
	if (o->opts.line_px <= 0)
		o->opts.line_px = SC_OCR_LINE_PX;
	snprintf(o->lang, sizeof o->lang, "%s",
	         !opts->lang || strcmp(opts->lang, "auto") == 0 ? "eng" : opts->lang);
	/* engines start when a page needs them: a batch of born-digital PDFs
	 * never pays tesseract's 0.2-0.8 s start-up */
	return o;
}

/* The guarded entry points are in ocr_guard.cpp. */
json_t *sc_ocr_page_unguarded(struct sc_ocr *o, const struct sc_page *page, struct sc_error *err);
int sc_ocr_start_unguarded(struct sc_ocr *o, struct sc_error *err);
void sc_ocr_drop_engines(struct sc_ocr *o);

int sc_ocr_start_unguarded(struct sc_ocr *o, struct sc_error *err)
{
	if (!o->api)
		o->api = engine(o->opts.tessdata, o->lang, o->opts.psm, err);
	return o->api ? 0 : -1;
}

void sc_ocr_drop_engines(struct sc_ocr *o)
{
	TessBaseAPI *api = o->api, *han = o->han, *osd = o->osd;

	o->api = o->han = o->osd = NULL;   /* first: a throw below leaves none half-deleted in use */
	if (api)
		TessBaseAPIDelete(api);
	if (han)
		TessBaseAPIDelete(han);
	if (osd)
		TessBaseAPIDelete(osd);
}

void sc_ocr_free(struct sc_ocr *o)
{
	if (!o)
		return;
	sc_ocr_drop_engines(o);
	free(o);
}

/*
 * The page's resolution: its own when plausible, else a guess from its size
 * (business documents are A4 or Letter: about 11 inches on the long side).
 */
static int page_dpi(const struct sc_page *p, int *guessed)
{
	int longest = p->width > p->height ? p->width : p->height;

	*guessed = 0;
	if (p->dpi >= 60 && p->dpi <= 1200)
		return p->dpi;
	*guessed = 1;
	return (int)(longest / 11.5 + 0.5);
}

/* Orientation and script of a page. 0 on success. */
static int detect_osd(struct sc_ocr *o, PIX *pix, int dpi, int *rotate, char *script, size_t slen)
{
	int deg = 0;
	float deg_conf = 0, script_conf = 0;
	const char *name = NULL;

	*rotate = 0;
	script[0] = '\0';
	/* full resolution: at half of it, script confidence on Chinese pages
	 * fell from 0.83 to 0.37 (and OSD runs only on suspect pages anyway) */
	TessBaseAPISetImage2(o->osd, pix);
	TessBaseAPISetSourceResolution(o->osd, dpi);
	if (!TessBaseAPIDetectOrientationScript(o->osd, &deg, &deg_conf, &name, &script_conf)) {
		TessBaseAPIClear(o->osd);
		return -1;
	}
	/* tesseract reports how far the page is turned counter-clockwise;
	 * below a confidence of 1.5 its guesses are no better than chance */
	if (deg_conf >= 1.5)
		*rotate = deg;
	if (name && script_conf >= 0.5)
		snprintf(script, slen, "%s", name);
	/* capi.h says to free name, but tesseract 5.3 hands out a pointer into
	 * its own script table: freeing it is a double free (seen under ASan) */
	TessBaseAPIClear(o->osd);
	return 0;
}

static json_t *iterate(TessBaseAPI *api, TessPageIteratorLevel level)
{
	json_t *out = json_array();
	TessResultIterator *it = TessBaseAPIGetIterator(api);

	if (!it)
		return out;
	do {
		const TessPageIterator *pi = TessResultIteratorGetPageIterator(it);
		char *text = TessResultIteratorGetUTF8Text(it, level);
		int x1, y1, x2, y2;
		size_t n;

		if (!text)
			continue;
		n = strlen(text);
		while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
			n--;
		if (n > 0 && TessPageIteratorBoundingBox(pi, level, &x1, &y1, &x2, &y2))
			json_array_append_new(out, json_pack("{s:s%,s:f,s:[iiii]}", "text", text, n, "conf",
			                                     round(TessResultIteratorConfidence(it, level) * 10) / 10,
			                                     "bbox", x1, y1, x2 - x1, y2 - y1));
		TessDeleteText(text);
	} while (TessResultIteratorNext(it, level));
	TessResultIteratorDelete(it);
	return out;
}

static json_t *text_layer_record(const struct sc_ocr *o, const struct sc_page *page)
{
	json_t *rec = json_pack("{s:i,s:s,s:s,s:i,s:s,s:i,s:f,s:i,s:i,s:i,s:O}", "v", 1, "source", "pdf-text",
	                 "text", page->text, "conf", 100, "lang", "pdf", "rotate", 0, "skew", 0.0,
	                 "dpi", page->dpi, "width", page->width, "height", page->height, "lines",
	                 page->lines);

	if (rec && o->opts.words && page->words)
		json_object_set(rec, "words", page->words);
	return rec;
}

/*
 * A first reading is suspect when its mean confidence is below 60 (pages
 * upside down read at about 40, Chinese pages read as English at about 33,
 * good pages at 87-94) or when it found few letters for the page's size
 * (grainy skewed scans where tesseract took most text for noise: 34 letters
 * on a 5-megapixel page that holds 700). Only suspect pages pay for
 * orientation and script detection and for local binarization.
 */
#define SUSPECT_CONF 60
#define MIN_LETTERS_PER_MP 40

struct reading {
	json_t *r;              /* {text, lines[, words]} */
	int conf;
	int letters;
};

static int letters(const char *text)
{
	int n = 0;

	for (const unsigned char *s = (const unsigned char *)text; s && *s; s++)
		if ((*s >= '0' && *s <= '9') || ((*s | 32) >= 'a' && (*s | 32) <= 'z') || *s >= 0x80)
			n++;
	return n;
}

/* What a reading is worth: letters read, weighted by how sure tesseract is. */
static double worth(const struct reading *x)
{
	return (double)x->letters * x->conf;
}

static int suspect(const struct reading *x, PIX *pix)
{
	double mp = (double)pixGetWidth(pix) * pixGetHeight(pix) / 1e6;

	return x->conf < SUSPECT_CONF || x->letters < MIN_LETTERS_PER_MP * mp;
}

/* Recognize pix with api into *x; -1 if tesseract fails. With pix NULL, the
 * image api holds is read, and the layout it found for it is reused. */
static int recognize(struct sc_ocr *o, TessBaseAPI *api, PIX *pix, int dpi, struct reading *x)
{
	char *text;

	memset(x, 0, sizeof *x);
	if (pix) {
		TessBaseAPISetImage2(api, pix);
		TessBaseAPISetSourceResolution(api, dpi > 0 ? dpi : 300);
	}
	if (TessBaseAPIRecognize(api, NULL) != 0) {
		TessBaseAPIClear(api);
		return -1;
	}
	text = TessBaseAPIGetUTF8Text(api);
	x->letters = letters(text);
	/* tesseract gives an empty page a mean confidence of 95: no letters, no confidence */
	x->conf = x->letters > 0 ? TessBaseAPIMeanTextConf(api) : 0;
	x->r = json_pack("{s:s}", "text", text ? text : "");
	TessDeleteText(text);
	json_object_set_new(x->r, "lines", iterate(api, RIL_TEXTLINE));
	if (o->opts.words)
		json_object_set_new(x->r, "words", iterate(api, RIL_WORD));
	TessBaseAPIClear(api);
	return 0;
}

/*
 * The median height of the text lines tesseract's layout analysis finds,
 * without recognizing them (a quarter of the cost of a reading). 0 if none.
 * The engine keeps the image and its layout: a reading at this scale that
 * follows (recognize with pix NULL) does not find the lines again.
 *
 * *sideways is set when most lines the layout found run top to bottom: a
 * Latin page lying on its side. tesseract reports it as vertical writing
 * (its orientation stays "page up" either way), and reads such a page in
 * the right order only when it lies one of the two ways, with line boxes
 * standing on end, so the turn is left to OSD (turn_sideways).
 */
static int line_height(TessBaseAPI *api, PIX *pix, int dpi, int *sideways)
{
	TessPageIterator *it;
	int h[512], n = 0, across = 0, down = 0;

	*sideways = 0;
	TessBaseAPISetImage2(api, pix);
	TessBaseAPISetSourceResolution(api, dpi > 0 ? dpi : 300);
	it = TessBaseAPIAnalyseLayout(api);
	if (it) {
		do {
			int x1, y1, x2, y2;
			TessOrientation orient;
			TessWritingDirection dir;
			TessTextlineOrder order;
			float deskew;

			if (!TessPageIteratorBoundingBox(it, RIL_TEXTLINE, &x1, &y1, &x2, &y2))
				continue;
			TessPageIteratorOrientation(it, &orient, &dir, &order, &deskew);
			if (dir == WRITING_DIRECTION_TOP_TO_BOTTOM && y2 - y1 > 2 * (x2 - x1))
				down++;
			/* a line is wider than it is tall; stamps and rules are not lines of text */
			if (x2 - x1 > 2 * (y2 - y1) && y2 - y1 >= 4) {
				across++;
				if (n < 512)
					h[n++] = y2 - y1;
			}
		} while (TessPageIteratorNext(it, RIL_TEXTLINE));
		TessPageIteratorDelete(it);
	}
	*sideways = down >= 3 && down > 2 * across;
	if (n < 3)
		return 0;
	/* the median: a title or a smudge does not move it */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && h[j - 1] > h[j]; j--) {
			int t = h[j];
			h[j] = h[j - 1];
			h[j - 1] = t;
		}
	return h[n / 2];
}

/* Does a line hold an amount or a date: a digit, a separator, a digit ("9.00", "19/10/2018")? */
static int holds_figures(const char *t)
{
	for (; t[0] && t[1] && t[2]; t++)
		if (t[0] >= '0' && t[0] <= '9' && strchr("./-,", t[1]) && t[2] >= '0' && t[2] <= '9')
			return 1;
	return 0;
}

/* Read one line cut from the page as a single text line. The text is
 * malloc'd; -1 if tesseract fails or reads nothing. */
static int read_line(TessBaseAPI *api, PIX *line, int dpi, char **text, int *conf)
{
	char *t, *nl;
	size_t n;

	*text = NULL;
	TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
	TessBaseAPISetImage2(api, line);
	TessBaseAPISetSourceResolution(api, dpi > 0 ? dpi : 300);
	if (TessBaseAPIRecognize(api, NULL) != 0 || !(t = TessBaseAPIGetUTF8Text(api))) {
		TessBaseAPIClear(api);
		return -1;
	}
	*conf = TessBaseAPIMeanTextConf(api);
	TessBaseAPIClear(api);
	n = strlen(t);
	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == ' '))
		n--;
	nl = strchr(t, '\n');
	if (n == 0 || (nl && nl - t < (ptrdiff_t)n)) {
		/* nothing, or more than one line: not a reading of this line */
		TessDeleteText(t);
		return -1;
	}
	*text = strndup(t, n);
	TessDeleteText(t);
	return *text ? 0 : -1;
}

/*
 * Amounts and dates are what a reader of small print most often gets wrong
 * and what a parser most needs. A line that holds figures and was read with
 * low confidence is cut out and read again on its own, larger, and the
 * reading tesseract is surer of is kept (in lines and in the page text). A
 * re-reading that fails changes nothing.
 */
static int reread_lines(struct sc_ocr *o, TessBaseAPI *api, PIX *pix, int dpi, int psm,
                        struct reading *x)
{
	json_t *lines = json_object_get(x->r, "lines"), *line;
	const char *text = json_string_value(json_object_get(x->r, "text"));
	char *page = text ? strdup(text) : NULL;
	size_t i, cursor = 0;
	int changed = 0, W = pixGetWidth(pix), H = pixGetHeight(pix);

	if (!page)
		return 0;
	json_array_foreach(lines, i, line) {
		const char *old = json_string_value(json_object_get(line, "text"));
		double conf = json_real_value(json_object_get(line, "conf"));
		json_t *bb = json_object_get(line, "bbox");
		int bx = (int)json_integer_value(json_array_get(bb, 0)), by = (int)json_integer_value(json_array_get(bb, 1));
		int bw = (int)json_integer_value(json_array_get(bb, 2)), bh = (int)json_integer_value(json_array_get(bb, 3));
		char *at = old ? strstr(page + cursor, old) : NULL, *best_text = NULL;
		int best_conf = (int)conf, pad = bh / 3 + 2;
		BOX *box;
		PIX *cut;

		if (at)
			cursor = (size_t)(at - page);
		if (!old || !at || conf >= o->opts.reread_conf || !holds_figures(old) || bh < 4)
			continue;
		box = boxCreate(bx - 2 * pad < 0 ? 0 : bx - 2 * pad, by - pad < 0 ? 0 : by - pad, bw + 4 * pad, bh + 2 * pad);
		cut = box ? pixClipRectangle(pix, box, NULL) : NULL;
		boxDestroy(&box);
		if (!cut)
			continue;
		/* as cut, then half as large again: tesseract's best scale differs by line */
		for (int k = 0; k < 2; k++) {
			PIX *try = k == 0 ? pixClone(cut) : pixScaleGrayLI(cut, 1.5f, 1.5f);
			char *t;
			int c;
			if (try && read_line(api, try, dpi, &t, &c) == 0) {
				if (c > best_conf + 2) {
					free(best_text);
					best_text = t;
					best_conf = c;
				} else {
					free(t);
				}
			}
			pixDestroy(&try);
		}
		pixDestroy(&cut);
		if (best_text) {
			size_t ol = strlen(old), nl = strlen(best_text), tail = strlen(at + ol);
			char *np = malloc((size_t)(at - page) + nl + tail + 1);
			if (np) {
				size_t head = (size_t)(at - page);
				memcpy(np, page, head);
				memcpy(np + head, best_text, nl);
				memcpy(np + head + nl, at + ol, tail + 1);
				free(page);
				page = np;
				cursor = head + nl;
				json_object_set_new(line, "text", json_string(best_text));
				json_object_set_new(line, "conf", json_real(best_conf));
				json_object_set_new(line, "reread", json_true());
				changed++;
			}
			free(best_text);
		}
	}
	TessBaseAPISetPageSegMode(api, (TessPageSegMode)psm);
	(void)W;
	(void)H;
	if (changed) {
		json_object_set_new(x->r, "text", json_string(page));
		x->letters = letters(page);
	}
	free(page);
	return changed;
}

/* Han characters (CJK unified ideographs, U+4E00-U+9FFF) in UTF-8 text. */
static int han_chars(const char *t)
{
	int n = 0;

	for (const unsigned char *s = (const unsigned char *)t; *s; s++)
		if (*s >= 0xe4 && *s <= 0xe9 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80)
			n++, s += 2;
	return n;
}

/*
 * Is this page Chinese? OSD's script vote is led astray by table grids, seals
 * and low contrast (on scan-like forms it said Arabic, or nothing). So the
 * question is put to the Chinese engine itself: the widest lines the first
 * (English) reading read poorly are cut out and read as single lines with
 * chi_sim+eng; the page is Han when those readings hold Han characters read
 * with confidence. Latin lines read that way come back Latin.
 */
#define HAN_TRIAL_LINES 6
#define HAN_MIN_CHARS 6
#define HAN_MIN_CONF 55

static int han_trial(struct sc_ocr *o, PIX *pix, int dpi, const struct reading *x)
{
	json_t *lines = json_object_get(x->r, "lines"), *line;
	int pick[HAN_TRIAL_LINES], npick = 0, han = 0, conf_sum = 0, nconf = 0;
	size_t i;

	/* the widest poorly read lines: Chinese text read as English reads poorly */
	json_array_foreach(lines, i, line) {
		json_t *bb = json_object_get(line, "bbox");
		int w = (int)json_integer_value(json_array_get(bb, 2)), h = (int)json_integer_value(json_array_get(bb, 3));
		if (json_real_value(json_object_get(line, "conf")) >= 80 || h < 8 || w < 2 * h)
			continue;
		if (npick < HAN_TRIAL_LINES) {
			pick[npick++] = (int)i;
			continue;
		}
		for (int k = 0; k < npick; k++) {
			json_t *pb = json_object_get(json_array_get(lines, (size_t)pick[k]), "bbox");
			if (json_integer_value(json_array_get(pb, 2)) < w) {
				pick[k] = (int)i;
				break;
			}
		}
	}
	for (int k = 0; k < npick; k++) {
		json_t *bb = json_object_get(json_array_get(lines, (size_t)pick[k]), "bbox");
		int bx = (int)json_integer_value(json_array_get(bb, 0)), by = (int)json_integer_value(json_array_get(bb, 1));
		int bw = (int)json_integer_value(json_array_get(bb, 2)), bh = (int)json_integer_value(json_array_get(bb, 3));
		int pad = bh / 4 + 2;
		BOX *box = boxCreate(bx > pad ? bx - pad : 0, by > pad ? by - pad : 0, bw + 2 * pad, bh + 2 * pad);
		PIX *cut = box ? pixClipRectangle(pix, box, NULL) : NULL;
		char *t;
		int c, n;

		boxDestroy(&box);
		if (cut && read_line(o->han, cut, dpi, &t, &c) == 0) {
			n = han_chars(t);
			if (n > 0) {
				han += n;
				conf_sum += c;
				nconf++;
			}
			free(t);
		}
		pixDestroy(&cut);
	}
	TessBaseAPISetPageSegMode(o->han, (TessPageSegMode)o->opts.psm);
	return han >= HAN_MIN_CHARS && nconf > 0 && conf_sum / nconf >= HAN_MIN_CONF;
}

/* Once the page is known to be Chinese, its Chinese reading is kept when it
 * read anything: an English reading of Chinese is garbage however sure
 * tesseract is of it (33-59 on such pages, about what the Chinese reading
 * of a worn scan gets). */
static int keep_better_han(struct reading *best, struct reading *other)
{
	if (other->r && other->letters > 0) {
		json_decref(best->r);
		*best = *other;
		return 1;
	}
	json_decref(other->r);
	other->r = NULL;
	return 0;
}

/*
 * Gray, with a red or blue seal taken out: on a colour scan the stamp is the
 * pixels far more red (or blue) than they are anything else, and tesseract
 * reads them as ink that hides the text under it. There the gray is the red
 * (blue) channel alone, so black ink under the seal stays.
 */
static PIX *to_gray(PIX *src, int *seal)
{
	PIX *rgb, *g;
	int w, h, wpl_s, wpl_d, n = 0;

	*seal = 0;
	if (pixGetDepth(src) == 8 && !pixGetColormap(src))
		return pixClone(src);   /* shared: whoever changes it copies it first */
	if (pixGetDepth(src) != 32 && !pixGetColormap(src))
		return pixConvertTo8(src, 0);
	rgb = pixConvertTo32(src);
	if (!rgb)
		return NULL;
	w = pixGetWidth(rgb);
	h = pixGetHeight(rgb);
	g = pixCreate(w, h, 8);
	if (!g) {
		pixDestroy(&rgb);
		return NULL;
	}
	pixCopyResolution(g, rgb);
	wpl_s = pixGetWpl(rgb);
	wpl_d = pixGetWpl(g);
	for (int y = 0; y < h; y++) {
		const l_uint32 *sl = pixGetData(rgb) + (size_t)y * wpl_s;
		l_uint32 *dl = pixGetData(g) + (size_t)y * wpl_d;
		for (int x = 0; x < w; x++) {
			int r = GET_DATA_BYTE(sl + x, COLOR_RED), gr = GET_DATA_BYTE(sl + x, COLOR_GREEN);
			int b = GET_DATA_BYTE(sl + x, COLOR_BLUE);
			int lo = gr < b ? gr : b, v = (r * 77 + gr * 150 + b * 29) >> 8;
			/* seen through a red filter, red ink is paper and black ink
			 * under it stays black (likewise blue) */
			if (r - lo > 60) {
				v = r;
				n++;
			} else if (b - (r > gr ? r : gr) > 60) {
				v = b;
				n++;
			}
			SET_DATA_BYTE(dl, x, v);
		}
	}
	pixDestroy(&rgb);
	*seal = n > w * h / 2000;   /* more than a speck of colour */
	return g;
}

/*
 * Table rules out: forms are grids, and a grid defeats tesseract's layout
 * (on a Chinese declaration it kept the notes under the table and lost every
 * cell). Rules are runs of ink longer than a twentieth of the page, found by
 * morphological opening on a local binarization; they are painted paper
 * white. A page without rules is left as it was. 1 if rules were removed.
 */
static int remove_rules(PIX *gray)
{
	PIX *bin, *hz, *vt;
	int w = pixGetWidth(gray), h = pixGetHeight(gray), n = 0;

	PIX *norm;

	if (w < 200 || h < 200)
		return 0;
	/* uneven paper evened out (background to 200), then a threshold that
	 * keeps faint thin rules, which a local binarization drops */
	norm = pixBackgroundNormSimple(gray, NULL, NULL);
	bin = norm ? pixThresholdToBinary(norm, 160) : NULL;
	pixDestroy(&norm);
	if (!bin)
		return 0;
	/* thin rules a little off the level (deskew leaves a fraction of a
	 * degree) are made whole by a short closing across them first */
	hz = pixCloseBrick(NULL, bin, 1, 3);
	vt = pixCloseBrick(NULL, bin, 3, 1);
	pixDestroy(&bin);
	if (hz)
		pixOpenBrick(hz, hz, w / 20, 1);
	if (vt)
		pixOpenBrick(vt, vt, 1, h / 30);
	if (!hz || !vt) {
		pixDestroy(&hz);
		pixDestroy(&vt);
		return 0;
	}
	pixOr(hz, hz, vt);
	pixDestroy(&vt);
	pixCountPixels(hz, &n, NULL);
	/* a rule or two (an underline, a frame) is not a grid worth the change */
	if (n > 4 * (w + h)) {
		pixDilateBrick(hz, hz, 3, 3);
		pixSetMasked(gray, hz, 255);
	} else {
		n = 0;
	}
	pixDestroy(&hz);
	return n > 0;
}

/*
 * A receipt photographed on a table: the paper is the one large bright
 * region, and the dark around it defeats tesseract's threshold and its
 * layout (a whole receipt read as noise). The page is cut to the paper's box
 * when that box leaves out a good part of the image; a scan, all paper,
 * stays as it is. Found on a quarter-size copy. NULL: nothing to cut.
 */
static PIX *crop_paper(PIX *gray)
{
	int w = pixGetWidth(gray), h = pixGetHeight(gray), thresh = 0, best = -1;
	long best_area = 0;
	PIX *half, *small, *b;
	BOXA *boxes;
	PIX *out = NULL;

	if (w < 300 || h < 300)
		return NULL;
	half = pixScaleAreaMap2(gray);
	small = half ? pixScaleAreaMap2(half) : NULL;
	pixDestroy(&half);
	if (!small)
		return NULL;
	if (pixSplitDistributionFgBg(small, 0.1f, 1, &thresh, NULL, NULL, NULL) != 0 ||
	    !(b = pixThresholdToBinary(small, thresh))) {
		pixDestroy(&small);
		return NULL;
	}
	pixInvert(b, b);                      /* paper is 1 */
	pixOpenBrick(b, b, 5, 5);             /* bright specks on the table go */
	pixCloseBrick(b, b, 9, 9);            /* rules and text across the paper do not cut it up */
	boxes = pixConnCompBB(b, 8);
	for (int i = 0; boxes && i < boxaGetCount(boxes); i++) {
		l_int32 bx, by, bw, bh;
		boxaGetBoxGeometry(boxes, i, &bx, &by, &bw, &bh);
		if ((long)bw * bh > best_area) {
			best_area = (long)bw * bh;
			best = i;
		}
	}
	if (best >= 0 && best_area < 0.95 * pixGetWidth(small) * pixGetHeight(small) &&
	    best_area > 0.1 * pixGetWidth(small) * pixGetHeight(small)) {
		l_int32 bx, by, bw, bh, bright = 0;
		long outside = (long)pixGetWidth(small) * pixGetHeight(small) - best_area;
		BOX *in;
		boxaGetBoxGeometry(boxes, best, &bx, &by, &bw, &bh);
		/* what lies outside the paper must be dark (a table, a hand): on a
		 * worn scan it is paper with blotches, and the page stays whole */
		if ((in = boxCreate(bx, by, bw, bh))) {
			pixClearInRect(b, in);
			boxDestroy(&in);
		}
		pixCountPixels(b, &bright, NULL);
		{
			/* and dark as a table is, not as a shadow on paper */
			double sum = 0;
			long k = 0;
			for (int y = 0; y < pixGetHeight(small); y++)
				for (int x = 0; x < pixGetWidth(small); x++)
					if (x < bx || x >= bx + bw || y < by || y >= by + bh) {
						l_uint32 v;
						pixGetPixel(small, x, y, &v);
						sum += v;
						k++;
					}
			if (k == 0 || sum / k > 110)
				bright = (l_int32)outside;
		}
		if (bright < 0.3 * outside) {
			BOX *cut = boxCreate(bx * 4 - 8 > 0 ? bx * 4 - 8 : 0, by * 4 - 8 > 0 ? by * 4 - 8 : 0,
			                     bw * 4 + 16, bh * 4 + 16);
			out = cut ? pixClipRectangle(gray, cut, NULL) : NULL;
			boxDestroy(&cut);
		}
	}
	boxaDestroy(&boxes);
	pixDestroy(&b);
	pixDestroy(&small);
	return out;
}

/*
 * What a page needs, decided before any reading (a few tens of milliseconds
 * where a reading takes half a second): its skew (leptonica's sweep and
 * search on the binarized page), whether it lies upside down or sideways
 * (leptonica's count of ascenders and descenders, on a deskewed half-size
 * copy), and
 * whether its paper is grainy (the mean step between neighbouring paper
 * pixels of the full page, sampled). Reading a page wrongly turned and
 * turning it afterwards cost a second reading and a tesseract OSD; reading
 * grain and thresholding it locally afterwards, a second reading.
 */
struct survey {
	float skew, skew_conf;  /* degrees, as pixFindSkew measures them */
	int quarters;           /* quarter turns clockwise that make the text upright */
	double grain;           /* mean step between neighbouring paper pixels, 0-255 */
	double ink;             /* share of the page darker than its threshold, 0-1 */
};

/* Orientation decisions below these are left to the reading (and to OSD
 * when it reads poorly): a page turned by mistake costs a second reading */
#define ORIENT_MIN_CONF 3.5f
#define ORIENT_MIN_RATIO 1.5f
/* Skew below this is not worth a rotation of the whole page (leptonica's own threshold) */
#define SKEW_MIN_DEG 0.1f
#define SKEW_MIN_CONF 3.0f

static double paper_grain(PIX *gray, int thresh)
{
	int w = pixGetWidth(gray), h = pixGetHeight(gray), wpl = pixGetWpl(gray);
	const l_uint32 *data = pixGetData(gray);
	double sum = 0;
	long n = 0;

	/* every fourth row: the grain of a scan is everywhere */
	for (int y = 0; y < h; y += 4) {
		const l_uint32 *line = data + (size_t)y * wpl;
		int prev = GET_DATA_BYTE(line, 0);
		for (int x = 1; x < w; x++) {
			int v = GET_DATA_BYTE(line, x);
			if (v > thresh && prev > thresh) {
				sum += v > prev ? v - prev : prev - v;
				n++;
			}
			prev = v;
		}
	}
	return n > 0 ? sum / n : 0;
}

static void survey_page(PIX *gray, unsigned steps, struct survey *s)
{
	PIX *half, *bin = NULL, *turned;
	int thresh = 128;
	l_float32 up = 0, left = 0;

	memset(s, 0, sizeof *s);
	s->ink = -1;   /* not known */
	half = pixGetWidth(gray) > 1000 ? pixScaleAreaMap2(gray) : pixClone(gray);
	if (!half)
		return;
	if (pixSplitDistributionFgBg(half, 0.1f, 1, &thresh, NULL, NULL, NULL) == 0)
		bin = pixThresholdToBinary(half, thresh);
	pixDestroy(&half);
	if (!bin)
		return;
	{
		l_int32 dark = 0;
		if (pixCountPixels(bin, &dark, NULL) == 0)
			s->ink = (double)dark / ((double)pixGetWidth(bin) * pixGetHeight(bin));
	}
	s->grain = paper_grain(gray, thresh);
	if (steps & SC_PRE_DESKEW) {
		/* the skew on the full page: measured on the half-size copy it was
		 * off by 0.07 degrees on a worn form, enough to leave the rules of
		 * its grid ragged (and lose a tenth of its Chinese) */
		PIX *full = pixThresholdToBinary(gray, 130);   /* leptonica's deskew threshold */
		if (!full || pixFindSkew(full, &s->skew, &s->skew_conf) != 0)
			s->skew_conf = 0;
		pixDestroy(&full);
	}
	if ((steps & SC_PRE_DESKEW) && s->skew_conf >= SKEW_MIN_CONF && fabsf(s->skew) >= SKEW_MIN_DEG &&
	    (turned = pixRotate(bin, s->skew * (float)M_PI / 180, L_ROTATE_SAMPLING, L_BRING_IN_WHITE, 0, 0))) {
		pixDestroy(&bin);
		bin = turned;
	} else {
		s->skew = 0;
	}
	if ((steps & SC_PRE_OSD) && pixOrientDetect(bin, &up, &left, 0, 0) == 0) {
		/* up > 0: more ascenders than descenders the right way up; left:
		 * the same with the page turned. On generated pages at half size
		 * upright pages gave up 6 to 9 (|left| up to 4), upside-down ones
		 * up -4 to -7, sideways ones |left| 5 to 6 with up near 0 */
		if (up <= -ORIENT_MIN_CONF && -up >= ORIENT_MIN_RATIO * fabsf(left))
			s->quarters = 2;
		else if (fabsf(left) >= ORIENT_MIN_CONF + 0.5f && fabsf(left) >= 2 * ORIENT_MIN_RATIO * fabsf(up))
			s->quarters = left > 0 ? 1 : 3;
	}
	pixDestroy(&bin);
}

/* Paper grain above which a page is smoothed before reading: clean renders
 * and JPEG copies of the generated pages measure below 2, scanner grain 27 */
#define GRAIN_MAX 6.0

/* A page with more ink than this may hold light-on-dark text (a dark band,
 * a negative scan): only there does tesseract try lines inverted. Printed
 * pages, forms and receipts measure 0.02-0.15 */
#define INK_INVERT 0.30

static void set_invert(TessBaseAPI *api, int on)
{
	if (api)
		TessBaseAPISetVariable(api, "tessedit_do_invert", on ? "1" : "0");
}

/* Sauvola binarization of a gray page into *bin; -1 (and *bin NULL) if it fails. */
static int sauvola(PIX *gray, PIX **bin)
{
	*bin = NULL;
	if (pixSauvolaBinarizeTiled(gray, 15, 0.30f, 1, 1, NULL, bin) != 0 || !*bin) {
		pixDestroy(bin);
		return -1;
	}
	return 0;
}

/* Keep the better of two readings in *best. */
static int keep_better(struct reading *best, struct reading *other)
{
	if (other->r && worth(other) > worth(best)) {
		json_decref(best->r);
		*best = *other;
		return 1;
	}
	json_decref(other->r);
	other->r = NULL;
	return 0;
}

/* The gray page with its paper evened out and its edges sharpened: what a
 * phone photograph (soft, lit from one side) needs for tesseract's own
 * threshold to find its strokes. NULL if leptonica fails. */
static PIX *evened_sharp(PIX *gray)
{
	PIX *even = pixBackgroundNormSimple(gray, NULL, NULL);
	PIX *sharp = even ? pixUnsharpMaskingGray(even, 3, 0.7f) : NULL;
	pixDestroy(&even);
	return sharp;
}

/* CPU time of the calling thread, in milliseconds: wall time would count the
 * waits of a busy machine as work. */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

const struct sc_ocr_times *sc_ocr_times(const struct sc_ocr *o)
{
	return &o->times;
}

void sc_ocr_times_add(struct sc_ocr_times *sum, const struct sc_ocr_times *t)
{
	sum->decode += t->decode;
	sum->osd += t->osd;
	sum->deskew += t->deskew;
	sum->scale += t->scale;
	sum->recognize += t->recognize;
	sum->reread += t->reread;
	sum->output += t->output;
}

/*
 * The factor that brings the page's text to the line height tesseract reads
 * best, judged from the lines its layout analysis finds; where it finds none,
 * from the resolution (a page under 200 dpi is brought to 300). Pages whose
 * text is nearly large enough are left alone: upscaling them costs time and
 * gains nothing, and a worn Chinese form scaled by 1.29 lost a tenth more of
 * its characters (CER 0.08 -> 0.20).
 */
/*
 * Lines from LINE_SMALL_PX to LINE_LARGE_PX high are read as they are (the
 * layout just found is reused). Smaller ones are small print, scaled up to
 * --line-height; the default 48 was chosen on the train split of real
 * receipts (true date / total in the text, 116 receipts: 0.76 / 0.83 at 40,
 * 0.78 / 0.84 at 48 with this band, 0.80 / 0.85 without). The band is fixed
 * because pages just above it lose by scaling: a worn Chinese form scaled
 * by 1.29 lost a tenth more of its characters (CER 0.08 -> 0.20).
 */
#define LINE_SMALL_PX 27
#define LINE_LARGE_PX 80
#define LINE_LARGE_DOWN_PX 60

static float good_scale(struct sc_ocr *o, PIX *pix, int dpi, double max_px, int *lh, int *sideways)
{
	float f = 1;

	*lh = line_height(o->api, pix, dpi, sideways);
	if (*lh > 0)
		f = (float)o->opts.line_px / (float)*lh;
	else if (dpi > 0 && dpi < 200)
		f = 300.0f / (float)dpi;
	if (f > 4)
		f = 4;
	/* no page grows past 12 megapixels (an A4 page at 300 dpi is 8.7): a
	 * stray reading of specks as tiny lines must not cost minutes), nor past
	 * what the worker's memory allows (max_px) */
	if (max_px > 12e6)
		max_px = 12e6;
	if ((double)f * f * pixGetWidth(pix) * pixGetHeight(pix) > max_px)
		f = (float)sqrt(max_px / ((double)pixGetWidth(pix) * pixGetHeight(pix)));
	if (f > 1 && (*lh == 0 || *lh < LINE_SMALL_PX))
		return f;
	/* lines far taller than tesseract needs (a 600 dpi scan) cost layout
	 * and thresholding time for nothing: they are brought down */
	if (*lh > LINE_LARGE_PX)
		return (float)LINE_LARGE_DOWN_PX / (float)*lh;
	return 1;
}

/*
 * A page the layout found lying on its side (line_height), turned upright
 * the way tesseract's OSD says, before the one reading. The survey's count
 * of ascenders misses some sideways pages (on two of the six generated ones
 * its two votes were too close), and tesseract then read them at confidence
 * 93-94 with the text in order but every line box on end (CER 0.72 by the
 * boxes), or upside down. Only a quarter turn is taken: the layout has said
 * sideways, and an OSD answer of 0 or 180 (or an unsure one) leaves the
 * page as it is. The upright page's skew is measured and taken out, as
 * for pages the survey turned; a skew already taken out of the page as it
 * lay stays (measured across vertical lines it is rarely sure enough to
 * be applied). Returns the degrees turned counter-clockwise, 0 for none,
 * -1 if the OSD engine cannot start.
 */
static int turn_sideways(struct sc_ocr *o, PIX **pix, int dpi, float *skew, char *script, size_t slen,
                         struct sc_error *err)
{
	PIX *next;
	int turn = 0;
	struct survey up;

	if (!o->osd && !(o->osd = engine(o->opts.tessdata, "osd", PSM_OSD_ONLY, err)))
		return -1;
	if (detect_osd(o, *pix, dpi, &turn, script, slen) != 0 || (turn != 90 && turn != 270) ||
	    !(next = pixRotateOrth(*pix, (4 - turn / 90) % 4)))
		return 0;
	pixDestroy(pix);
	*pix = next;
	if (*skew == 0 && (o->opts.steps & SC_PRE_DESKEW)) {
		survey_page(*pix, SC_PRE_DESKEW, &up);
		if (up.skew != 0 &&
		    (next = pixRotate(*pix, up.skew * (float)M_PI / 180, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0))) {
			pixDestroy(pix);
			*pix = next;
			*skew = up.skew;
		}
	}
	return turn;
}

json_t *sc_ocr_page_unguarded(struct sc_ocr *o, const struct sc_page *page, struct sc_error *err)
{
	double t;
	PIX *pix, *next;
	int rotate = 0, guessed, dpi, auto_lang, binarized = 0, lh = 0, reread = 0, seal = 0, rules = 0, cropped = 0;
	float skew = 0, f = 1, shrink = 1;
	char script[32] = "";
	const char *lang = o->lang;
	TessBaseAPI *api_used;
	struct reading best = {0}, other;
	json_t *rec;
	struct sc_ocr_times before = o->times;
	PIX *bin = NULL;
	struct survey sv = {0};
	int laid_out = 0, smoothed = 0, invert = 1;

	if (page->text)
		return text_layer_record(o, page);
	if (!page->pix)
		return sc_error_set(err, NULL, 0, 0, "no-image", "page has no image"), NULL;
	if (sc_ocr_start(o, err) < 0)
		return NULL;
	t = cpu_ms();   /* after the engine's start-up, which is not the page's cost */
	api_used = o->api;
	auto_lang = o->opts.lang && strcmp(o->opts.lang, "auto") == 0;

	/* grayscale: tesseract thresholds gray itself; colour only costs time */
	pix = (o->opts.steps & SC_PRE_GRAY) || pixGetDepth(page->pix) < 8 ? to_gray(page->pix, &seal)
	                                                                   : pixClone(page->pix);
	if (!pix)
		return sc_error_set(err, NULL, 0, 0, "bad-image", "cannot convert page to gray"), NULL;
	o->times.decode += cpu_ms() - t;
	dpi = page_dpi(page, &guessed);

	t = cpu_ms();
	/* tesseract takes about 16 bytes a pixel while it reads (thresholded
	 * copies, component lists): a page that would take more than the worker
	 * may use is read at a lower resolution, and says so (scale < 1) */
	double max_px = 1e18;

	if (o->opts.max_memory) {
		/* the page as decoded stays in memory while it is read */
		double held = (double)page->width * page->height * (pixGetDepth(page->pix) > 8 ? 4 : 1);
		double room = (double)o->opts.max_memory - held;
		double px = (double)pixGetWidth(pix) * pixGetHeight(pix);
		if (room < 16e6)
			room = 16e6;
		max_px = room / 16;
		if (px * 16 > room) {
			float g = (float)sqrt(room / 16 / px);
			if ((next = pixScaleAreaMap(pix, g, g))) {
				pixDestroy(&pix);
				pix = next;
				dpi = (int)(dpi * g + 0.5);
				shrink = g;
			}
		}
	}
	if ((o->opts.steps & SC_PRE_CROP) && pixGetDepth(pix) == 8 && (next = crop_paper(pix))) {
		pixDestroy(&pix);
		pix = next;
		cropped = 1;
	}
	o->times.scale += cpu_ms() - t;

	/* what the page needs, decided before reading it */
	t = cpu_ms();
	if (pixGetDepth(pix) == 8)
		survey_page(pix, o->opts.steps, &sv);
	if (sv.quarters && (next = pixRotateOrth(pix, sv.quarters))) {
		pixDestroy(&pix);
		pix = next;
		rotate = (4 - sv.quarters) % 4 * 90;
		if (sv.quarters % 2) {
			/* a sideways page's skew is measured once it stands upright */
			struct survey up;
			survey_page(pix, o->opts.steps & SC_PRE_DESKEW, &up);
			sv.skew = up.skew;
			sv.skew_conf = up.skew_conf;
		}
	}
	o->times.osd += cpu_ms() - t;
	invert = sv.ink < 0 || sv.ink > INK_INVERT;
	set_invert(o->api, invert);

	t = cpu_ms();
	if (sv.skew != 0 &&
	    (next = pixRotate(pix, sv.skew * (float)M_PI / 180, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0))) {
		pixDestroy(&pix);
		pix = next;
		skew = sv.skew;
	}
	/* grain defeats tesseract's global threshold, and its layout finds
	 * thousands of specks (a second on a grainy page): a 3x3 mean takes the
	 * grain out and leaves strokes of 3 pixels and more. On the grainy
	 * generated pages it read better than a local (Sauvola) threshold,
	 * CER 0.000-0.009 against 0.024-0.047, in 0.65 s instead of 0.8 */
	if (pixGetDepth(pix) == 8 && (o->opts.steps & SC_PRE_RESCUE_BIN) && sv.grain > GRAIN_MAX &&
	    (next = pixBlockconv(pix, 1, 1))) {
		pixDestroy(&pix);
		pix = next;
		smoothed = 1;
	}
	o->times.deskew += cpu_ms() - t;

	/* the scale is judged on the page as it is, grid and all (with the
	 * rules out, the cells of a worn Chinese form measured as small print
	 * and were scaled up into an illegible reading) */
	t = cpu_ms();
	if ((o->opts.steps & SC_PRE_UPSCALE) && pixGetDepth(pix) == 8) {
		int sideways = 0, turn;
		f = good_scale(o, pix, dpi, max_px, &lh, &sideways);
		o->times.scale += cpu_ms() - t;
		if (sideways && (o->opts.steps & SC_PRE_OSD)) {
			t = cpu_ms();
			if ((turn = turn_sideways(o, &pix, dpi, &skew, script, sizeof script, err)) < 0)
				goto fail;
			o->times.osd += cpu_ms() - t;
			t = cpu_ms();
			if (turn) {
				rotate = (rotate + turn) % 360;
				/* the scale judged again, on lines that now lie across */
				f = good_scale(o, pix, dpi, max_px, &lh, &sideways);
			}
			o->times.scale += cpu_ms() - t;
		}
		t = cpu_ms();
	}
	if ((o->opts.steps & SC_PRE_UPSCALE) && pixGetDepth(pix) == 8 && f != 1 &&
	    (double)pixGetWidth(pix) * f * pixGetHeight(pix) * f <= SC_DOC_MAX_PIXELS &&
	    (next = f > 1 ? pixScaleGrayLI(pix, f, f) : pixScaleAreaMap(pix, f, f))) {
		pixDestroy(&pix);
		pix = next;
		dpi = (int)(dpi * f + 0.5);
		laid_out = 0;
	} else {
		/* the engine holds this very image, its lines found */
		laid_out = (o->opts.steps & SC_PRE_UPSCALE) && pixGetDepth(pix) == 8;
		f = 1;
	}
	o->times.scale += cpu_ms() - t;

	t = cpu_ms();
	if ((o->opts.steps & SC_PRE_RULES) && pixGetDepth(pix) == 8) {
		if (pixGetRefcount(pix) > 1 && (next = pixCopy(NULL, pix))) {   /* the page is the caller's */
			pixDestroy(&pix);
			pix = next;
		}
		if (pixGetRefcount(pix) == 1 && (rules = remove_rules(pix)))
			laid_out = 0;   /* a new image: its layout is found again */
	}
	if (pixGetDepth(pix) == 8 && (o->opts.steps & SC_PRE_BINARIZE) && (binarized = sauvola(pix, &bin) == 0))
		laid_out = 0;
	o->times.deskew += cpu_ms() - t;

	t = cpu_ms();
	if (recognize(o, o->api, laid_out ? NULL : binarized ? bin : pix, dpi, &best) < 0) {
		pixDestroy(&pix);
		pixDestroy(&bin);
		return sc_error_set(err, NULL, 0, 0, "ocr-failed", "tesseract could not recognize the page"),
		       NULL;
	}
	o->times.recognize += cpu_ms() - t;

	if (suspect(&best, pix) && ((o->opts.steps & SC_PRE_OSD) || auto_lang)) {
		/* the survey may have missed a turn (it counts Latin ascenders):
		 * tesseract's orientation detection has the last word */
		int turn = 0;
		t = cpu_ms();
		if (!o->osd && !(o->osd = engine(o->opts.tessdata, "osd", PSM_OSD_ONLY, err)))
			goto fail;
		detect_osd(o, pix, dpi, &turn, script, sizeof script);
		if (!(o->opts.steps & SC_PRE_OSD))
			turn = 0;
		if (turn && (next = pixRotateOrth(pix, (4 - turn / 90) % 4))) {
			/* OSD says how far the page is turned counter-clockwise;
			 * pixRotateOrth turns clockwise, in quarter turns */
			pixDestroy(&pix);
			pix = next;
		} else {
			turn = 0;
		}
		o->times.osd += cpu_ms() - t;
		t = cpu_ms();
		if (turn) {
			PIX *turned = NULL;
			int ok = !binarized || sauvola(pix, &turned) == 0;
			if (ok && recognize(o, o->api, binarized ? turned : pix, dpi, &other) == 0 &&
			    keep_better(&best, &other)) {
				rotate = (rotate + turn) % 360;
				if (binarized) {
					pixDestroy(&bin);
					bin = turned;
					turned = NULL;
				}
			} else if ((next = pixRotateOrth(pix, turn / 90 % 4))) {
				/* the first reading stays, and so does the page as it was read */
				pixDestroy(&pix);
				pix = next;
			}
			pixDestroy(&turned);
		}
		o->times.recognize += cpu_ms() - t;
	}
	t = cpu_ms();
	if (suspect(&best, pix) && (o->opts.steps & SC_PRE_RESCUE_BIN) && !binarized) {
		/* grain and uneven light defeat tesseract's global threshold; a local
		 * (Sauvola) one rescues such pages, and would cost clean ones a little */
		if (sauvola(pix, &bin) == 0 && recognize(o, o->api, bin, dpi, &other) == 0 &&
		    keep_better(&best, &other))
			binarized = 1;
	}
	o->times.recognize += cpu_ms() - t;
	if (auto_lang && suspect(&best, pix)) {
		/* the gray page with its paper evened out: a local binarization
		 * breaks the thin strokes of Chinese characters (it is a rescue for
		 * Latin print), and uneven light defeats tesseract's own threshold */
		PIX *seen = pixBackgroundNormSimple(pix, NULL, NULL);

		if (!seen)
			seen = pixClone(pix);

		t = cpu_ms();
		if (!o->han && !(o->han = engine(o->opts.tessdata, "chi_sim+eng", o->opts.psm, err)))
			goto fail;
		set_invert(o->han, invert);
		if (strcmp(script, "Han") != 0 && han_trial(o, pix, dpi, &best))
			snprintf(script, sizeof script, "Han");
		o->times.osd += cpu_ms() - t;
		t = cpu_ms();
		if (strcmp(script, "Han") == 0 && recognize(o, o->han, seen, dpi, &other) == 0 &&
		    keep_better_han(&best, &other)) {
			api_used = o->han;
			lang = "chi_sim+eng";
		}
		pixDestroy(&seen);
		o->times.recognize += cpu_ms() - t;
	}
	t = cpu_ms();
	if (suspect(&best, pix) && (o->opts.steps & SC_PRE_RESCUE_BIN) && pixGetDepth(pix) == 8 &&
	    api_used != o->han) {
		/* a phone photograph: soft focus and light from one side, where
		 * neither threshold finds the strokes. The paper evened out and the
		 * edges sharpened, the engine's own threshold reads it. The page
		 * keeps its size, so the boxes stay where they were. After the
		 * script decision: a Chinese page read better as Latin here would
		 * hide its script from it. */
		PIX *sharp = evened_sharp(pix);
		if (sharp && recognize(o, o->api, sharp, dpi, &other) == 0 && keep_better(&best, &other) && binarized) {
			pixDestroy(&bin);
			binarized = 0;
		}
		pixDestroy(&sharp);
	}
	if (suspect(&best, pix) && rotate != 0 && pixGetDepth(pix) == 8 && api_used != o->han &&
	    (next = pixRotateOrth(pix, rotate / 90 % 4))) {
		/* a poor page that a turn was decided for before it was read (the
		 * survey, or OSD on its side) and still reads poorly: the turn may
		 * be the mistake (OSD on a soft photograph), so the page is read as
		 * it lay, plain and evened out, and the better reading kept */
		PIX *sharp = NULL;
		int lay = recognize(o, o->api, next, dpi, &other) == 0 && keep_better(&best, &other);
		if (suspect(&best, next) && (sharp = evened_sharp(next)) && recognize(o, o->api, sharp, dpi, &other) == 0 &&
		    keep_better(&best, &other))
			lay = 1;
		pixDestroy(&sharp);
		if (lay) {
			pixDestroy(&pix);
			pix = next;
			rotate = 0;
			if (binarized) {
				pixDestroy(&bin);
				binarized = 0;
			}
		} else {
			pixDestroy(&next);
		}
	}
	o->times.recognize += cpu_ms() - t;
	if (!binarized)
		pixDestroy(&bin);
	t = cpu_ms();
	if (o->opts.reread_conf > 0)
		reread = reread_lines(o, api_used, bin ? bin : pix, dpi, o->opts.psm, &best);
	o->times.reread += cpu_ms() - t;

	rec = json_pack("{s:i,s:s,s:O,s:i,s:s,s:i,s:f,s:i,s:i,s:i}", "v", 1, "source", "ocr", "text",
	                json_object_get(best.r, "text"), "conf", best.conf, "lang", lang, "rotate",
	                rotate, "skew", round(skew * 100) / 100, "dpi", dpi, "width",
	                pixGetWidth(pix), "height", pixGetHeight(pix));
	if (script[0])
		json_object_set_new(rec, "script", json_string(script));
	json_object_set_new(rec, "binarized", json_boolean(binarized));
	if (f * shrink != 1)
		json_object_set_new(rec, "scale", json_real(round(f * shrink * 1000) / 1000));
	if (reread)
		json_object_set_new(rec, "reread", json_integer(reread));
	if (rules)
		json_object_set_new(rec, "rules_removed", json_true());
	if (cropped)
		json_object_set_new(rec, "cropped", json_true());
	if (smoothed)
		json_object_set_new(rec, "smoothed", json_true());
	if (seal)
		json_object_set_new(rec, "seal_removed", json_true());
	json_object_set(rec, "lines", json_object_get(best.r, "lines"));
	if (o->opts.words)
		json_object_set(rec, "words", json_object_get(best.r, "words"));
	json_decref(best.r);
	pixDestroy(&pix);
	pixDestroy(&bin);
	if (o->opts.timing)
		json_object_set_new(rec, "timing", json_pack("{s:f,s:f,s:f,s:f,s:f,s:f}",
		                    "decode_ms", round(o->times.decode - before.decode),
		                    "scale_ms", round(o->times.scale - before.scale),
		                    "deskew_ms", round(o->times.deskew - before.deskew),
		                    "osd_ms", round(o->times.osd - before.osd),
		                    "recognize_ms", round(o->times.recognize - before.recognize),
		                    "reread_ms", round(o->times.reread - before.reread)));
	return rec;
fail:
	json_decref(best.r);
	pixDestroy(&pix);
	pixDestroy(&bin);
	return NULL;
}
