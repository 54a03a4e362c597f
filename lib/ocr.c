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

#include "ocr.h"

struct sc_ocr {
	struct sc_ocr_opts opts;
	TessBaseAPI *api;       /* the configured language(s); made on the first page to OCR */
	TessBaseAPI *han;       /* auto mode: chi_sim+eng, made on the first Han page */
	TessBaseAPI *osd;       /* orientation and script detection, made on the first suspect page */
	char lang[64];
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
		sc_error_set(err, NULL, 0, 0, "nomem", "cannot create tesseract engine");
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
	TessBaseAPISetPageSegMode(api, (TessPageSegMode)psm);
	return api;
}

struct sc_ocr *sc_ocr_new(const struct sc_ocr_opts *opts, struct sc_error *err)
{
	struct sc_ocr *o = calloc(1, sizeof *o);

	if (!o) {
		sc_error_set(err, NULL, 0, 0, "nomem", "out of memory");
		return NULL;
	}
	sc_ocr_single_thread();
	o->opts = *opts;
	if (o->opts.psm <= 0)
		o->opts.psm = PSM_AUTO;
	snprintf(o->lang, sizeof o->lang, "%s",
	         !opts->lang || strcmp(opts->lang, "auto") == 0 ? "eng" : opts->lang);
	/* engines start when a page needs them: a batch of born-digital PDFs
	 * never pays tesseract's 0.2-0.8 s start-up */
	return o;
}

int sc_ocr_start(struct sc_ocr *o, struct sc_error *err)
{
	if (!o->api)
		o->api = engine(o->opts.tessdata, o->lang, o->opts.psm, err);
	return o->api ? 0 : -1;
}

void sc_ocr_free(struct sc_ocr *o)
{
	if (!o)
		return;
	if (o->api)
		TessBaseAPIDelete(o->api);
	if (o->han)
		TessBaseAPIDelete(o->han);
	if (o->osd)
		TessBaseAPIDelete(o->osd);
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

/* Recognize pix with api into *x; -1 if tesseract fails. */
static int recognize(struct sc_ocr *o, TessBaseAPI *api, PIX *pix, int dpi, struct reading *x)
{
	char *text;

	memset(x, 0, sizeof *x);
	TessBaseAPISetImage2(api, pix);
	TessBaseAPISetSourceResolution(api, dpi > 0 ? dpi : 300);
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

/* CPU time of the calling thread, in milliseconds: wall time would count the
 * waits of a busy machine as work. */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

json_t *sc_ocr_page(struct sc_ocr *o, const struct sc_page *page, struct sc_error *err)
{
	double t0, t_pre, t_rec, t_rescue;
	PIX *pix, *next;
	int rotate = 0, guessed, dpi, auto_lang, binarized = 0;
	float skew = 0, skew_conf = 0;
	char script[32] = "";
	const char *lang = o->lang;
	TessBaseAPI *api_used;
	struct reading best, other;
	json_t *rec;

	if (page->text)
		return text_layer_record(o, page);
	if (!page->pix)
		return sc_error_set(err, NULL, 0, 0, "no-image", "page has no image"), NULL;
	if (sc_ocr_start(o, err) < 0)
		return NULL;
	t0 = cpu_ms();   /* after the engine's start-up, which is not the page's cost */
	api_used = o->api;
	auto_lang = o->opts.lang && strcmp(o->opts.lang, "auto") == 0;

	/* grayscale: tesseract thresholds gray itself; colour only costs time */
	pix = (o->opts.steps & SC_PRE_GRAY) || pixGetDepth(page->pix) < 8 ? pixConvertTo8(page->pix, 0)
	                                                                   : pixClone(page->pix);
	if (!pix)
		return sc_error_set(err, NULL, 0, 0, "bad-image", "cannot convert page to gray"), NULL;
	dpi = page_dpi(page, &guessed);
	if ((o->opts.steps & SC_PRE_UPSCALE) && dpi > 0 && dpi < 200) {
		float f = 300.0f / (float)dpi;
		if (f > 4)
			f = 4;
		if ((double)pixGetWidth(pix) * f * pixGetHeight(pix) * f <= SC_DOC_MAX_PIXELS &&
		    (next = pixScaleGrayLI(pix, f, f))) {
			pixDestroy(&pix);
			pix = next;
			dpi = (int)(dpi * f + 0.5);
		}
	}
	if (o->opts.steps & SC_PRE_DESKEW) {
		next = pixDeskewGeneral(pix, 0, 0.0f, 0.0f, 0, 0, &skew, &skew_conf);
		if (next) {
			pixDestroy(&pix);
			pix = next;
		}
		if (skew_conf <= 0)
			skew = 0;
	}
	if (o->opts.steps & SC_PRE_BINARIZE) {
		PIX *bin = NULL;
		if (pixSauvolaBinarizeTiled(pix, 15, 0.30f, 1, 1, NULL, &bin) == 0 && bin) {
			pixDestroy(&pix);
			pix = bin;
			binarized = 1;
		}
	}
	t_pre = cpu_ms() - t0;
	t0 = cpu_ms();
	if (recognize(o, o->api, pix, dpi, &best) < 0) {
		pixDestroy(&pix);
		return sc_error_set(err, NULL, 0, 0, "ocr-failed", "tesseract could not recognize the page"),
		       NULL;
	}
	t_rec = cpu_ms() - t0;
	t0 = cpu_ms();

	if (suspect(&best, pix) && ((o->opts.steps & SC_PRE_OSD) || auto_lang)) {
		TessBaseAPI *api2 = o->api;

		if (!o->osd && !(o->osd = engine(o->opts.tessdata, "osd", PSM_OSD_ONLY, err)))
			goto fail;
		detect_osd(o, pix, dpi, &rotate, script, sizeof script);
		if (!(o->opts.steps & SC_PRE_OSD))
			rotate = 0;
		if (rotate && (next = pixRotateOrth(pix, (4 - rotate / 90) % 4))) {
			/* OSD says how far the page is turned counter-clockwise;
			 * pixRotateOrth turns clockwise, in quarter turns */
			pixDestroy(&pix);
			pix = next;
		} else {
			rotate = 0;
		}
		if (auto_lang && strcmp(script, "Han") == 0) {
			if (!o->han && !(o->han = engine(o->opts.tessdata, "chi_sim+eng", o->opts.psm, err)))
				goto fail;
			api2 = o->han;
		}
		if (rotate || api2 != o->api) {
			if (recognize(o, api2, pix, dpi, &other) == 0 && keep_better(&best, &other)) {
				api_used = api2;
				if (api2 == o->han)
					lang = "chi_sim+eng";
			} else if (rotate) {
				/* the first reading stays, and so does the page as it was read */
				if ((next = pixRotateOrth(pix, rotate / 90 % 4))) {
					pixDestroy(&pix);
					pix = next;
				}
				rotate = 0;
			}
		}
	}
	if (suspect(&best, pix) && (o->opts.steps & SC_PRE_RESCUE_BIN) && !binarized) {
		/* grain and uneven light defeat tesseract's global threshold; a local
		 * (Sauvola) one rescues such pages, and would cost clean ones a little */
		PIX *bin = NULL;
		if (pixSauvolaBinarizeTiled(pix, 15, 0.30f, 1, 1, NULL, &bin) == 0 && bin) {
			if (recognize(o, api_used, bin, dpi, &other) == 0 && keep_better(&best, &other))
				binarized = 1;
			pixDestroy(&bin);
		}
	}
	t_rescue = cpu_ms() - t0;
	rec = json_pack("{s:i,s:s,s:O,s:i,s:s,s:i,s:f,s:i,s:i,s:i}", "v", 1, "source", "ocr", "text",
	                json_object_get(best.r, "text"), "conf", best.conf, "lang", lang, "rotate",
	                rotate, "skew", round(skew * 100) / 100, "dpi", dpi, "width",
	                pixGetWidth(pix), "height", pixGetHeight(pix));
	if (script[0])
		json_object_set_new(rec, "script", json_string(script));
	json_object_set_new(rec, "binarized", json_boolean(binarized));
	json_object_set(rec, "lines", json_object_get(best.r, "lines"));
	if (o->opts.words)
		json_object_set(rec, "words", json_object_get(best.r, "words"));
	json_decref(best.r);
	pixDestroy(&pix);
	if (o->opts.timing)
		json_object_set_new(rec, "timing", json_pack("{s:f,s:f,s:f}", "preprocess_ms",
		                                              round(t_pre), "recognize_ms", round(t_rec),
		                                              "rescue_ms", round(t_rescue)));
	return rec;
fail:
	json_decref(best.r);
	pixDestroy(&pix);
	return NULL;
}
