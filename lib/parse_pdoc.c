/*
 * parse_pdoc.c - a document's pages as lines: each OCR line with its box
 * (and its words' boxes), or plain text on a monospace grid; text folded
 * and made valid UTF-8 so that every slice of a line is a JSON string.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_doc.h"
#include "parse_rank.h"

/* ---- document assembly --------------------------------------------------- */

/* Bytes that are not UTF-8 become '?', so every slice is a valid string. */
static void utf8_clean(char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t need;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3;
		else
			need = 0;
		int ok = need > 0 && i + need < n;
		for (size_t k = 1; ok && k <= need; k++)
			ok = i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80;
		if (ok && need >= 2) {
			unsigned char d = (unsigned char)s[i + 1];
			/* overlong forms, surrogates, beyond U+10FFFF */
			if ((c == 0xe0 && d < 0xa0) || (c == 0xed && d >= 0xa0) || (c == 0xf0 && d < 0x90) ||
			    (c == 0xf4 && d >= 0x90))
				ok = 0;
		}
		if (!ok) {
			s[i++] = '?';
			continue;
		}
		i += need + 1;
	}
}

json_t *sc_parse_jstrn(const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);
	if (v)
		return v;
	char *c = malloc(n + 1);
	if (!c)
		return json_string("");
	memcpy(c, s, n);
	utf8_clean(c, n);
	v = json_stringn(c, n);
	free(c);
	return v ? v : json_string("");
}

struct sc_pdoc *sc_pdoc_new(void)
{
	struct sc_pdoc *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->srcs = json_array();
	if (!d->srcs) {
		free(d);
		return NULL;
	}
	return d;
}

void sc_pdoc_free(struct sc_pdoc *d)
{
	if (!d)
		return;
	for (int k = 0; k < d->n; k++) {
		free(d->l[k].text);
		free(d->l[k].a);
	}
	free(d->l);
	json_decref(d->srcs);
	free(d);
}

int sc_pdoc_pages(const struct sc_pdoc *d)
{
	return d->pages;
}

static int add_line(struct sc_pdoc *d, const char *s, size_t n, double x, double y, double w, double h,
                    double conf, int box)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\t'))
		n--;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (!n)
		return 0;
	if (d->n >= SC_PARSE_MAX_LINES)
		return -1;
	if (d->n == d->cap) {
		int nc = d->cap ? d->cap * 2 : 128;
		struct pline *nl = realloc(d->l, (size_t)nc * sizeof *nl);
		if (!nl)
			return -1;
		d->l = nl, d->cap = nc;
	}
	char *t = malloc(n + 1);
	if (!t)
		return -1;
	struct pline *L = &d->l[d->n];
	L->len = sc_text_fold(s, n, t);
	utf8_clean(t, L->len);  /* every slice of a line must make a JSON string */
	/* OCR puts spaces between Chinese characters: 预 录 入 编 号 is one word */
	size_t o = 0;
	for (size_t i = 0; i < L->len; i++) {
		if (t[i] == ' ' && o >= 3 && (unsigned char)t[o - 3] >= 0xe3 && (unsigned char)t[o - 3] < 0xf0 &&
		    i + 1 < L->len && (unsigned char)t[i + 1] >= 0xe3 && (unsigned char)t[i + 1] < 0xf0)
			continue;
		t[o++] = t[i];
	}
	t[o] = '\0';
	L->len = o;
	L->text = t;
	L->a = NULL, L->na = 0;
	L->page = d->pages;
	L->x = x, L->y = y, L->w = w, L->h = h;
	L->conf = conf;
	L->box = box;
	L->hit0 = L->nhit = 0;
	d->n++;
	return 0;
}

/* Count characters (UTF-8 lead bytes), CJK counting double on the grid. */
static double grid_width(const char *s, size_t n)
{
	double w = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xc0) == 0x80)
			continue;
		w += c >= 0xe0 ? 2 : 1;
	}
	return w;
}

static void add_text_lines(struct sc_pdoc *d, const char *text, size_t len)
{
	int row = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* keep leading spaces as x, as pdftotext -layout prints columns */
		size_t lead = 0;
		while (lead < n && p[lead] == ' ')
			lead++;
		double x = lead * 10.0;
		add_line(d, p, n, x, row * 20.0, grid_width(p + lead, n - lead) * 10.0, 16, -1, 0);
		row++;
		p += n + 1;
	}
	if (d->pages <= 64)
		d->pw[d->pages - 1] = 1200, d->ph[d->pages - 1] = row * 20.0 + 20;
}

int sc_pdoc_add_text(struct sc_pdoc *d, const char *text, size_t len, const json_t *src)
{
	d->pages++;
	json_array_append_new(d->srcs, src ? json_deep_copy(src) : json_null());
	if (len > SC_PARSE_MAX_TEXT)
		len = SC_PARSE_MAX_TEXT;
	add_text_lines(d, text, len);
	return 0;
}

int sc_pdoc_add_text_file(struct sc_pdoc *d, const char *path, const char *data, size_t len)
{
	/* pages split at form feeds, as pdftotext writes them */
	int pages = 1;
	for (size_t i = 0; i + 1 < len; i++)
		pages += data[i] == '\f';
	const char *p = data, *end = p + len;
	for (int page = 1;; page++) {
		const char *ff = memchr(p, '\f', (size_t)(end - p));
		size_t n = ff ? (size_t)(ff - p) : (size_t)(end - p);
		json_t *src = json_pack("{s:s,s:i,s:i}", "path", path, "page", page, "pages", pages);
		sc_pdoc_add_text(d, p, n, src);
		json_decref(src);
		if (!ff || ff + 1 >= end)
			return page;
		p = ff + 1;
	}
}

/* Word boxes give the true x of each word inside a line: columns of a form
 * that OCR merged into one line keep their places. */
static void attach_words(struct sc_pdoc *d, int first, json_t *words)
{
	size_t nw = json_array_size(words);
	if (nw > 20000)
		return;
	struct wbox { double x, y, w, h; const char *t; size_t tl; } *wb = malloc((nw ? nw : 1) * sizeof *wb);
	if (!wb)
		return;
	size_t m = 0;
	for (size_t i = 0; i < nw; i++) {
		json_t *w = json_array_get(words, i);
		json_t *b = json_object_get(w, "bbox");
		json_t *t = json_object_get(w, "text");
		if (!json_is_string(t) || !json_is_array(b) || json_array_size(b) != 4)
			continue;
		wb[m].x = json_number_value(json_array_get(b, 0));
		wb[m].y = json_number_value(json_array_get(b, 1));
		wb[m].w = json_number_value(json_array_get(b, 2));
		wb[m].h = json_number_value(json_array_get(b, 3));
		wb[m].t = json_string_value(t);
		wb[m].tl = json_string_length(t);
		if (wb[m].tl == 0 || wb[m].tl > 80)
			continue;
		m++;
	}
	for (int k = first; k < d->n; k++) {
		struct pline *L = &d->l[k];
		if (!L->box)
			continue;
		size_t pos = 0;
		for (size_t i = 0; i < m; i++) {
			double cx = wb[i].x + wb[i].w / 2, cy = wb[i].y + wb[i].h / 2;
			if (cy < L->y || cy > L->y + L->h || cx < L->x - 2 || cx > L->x + L->w + 2)
				continue;
			char f[256];
			size_t fl = sc_text_fold(wb[i].t, wb[i].tl, f);
			/* the word's text, next in the line */
			char *at = fl ? memmem(L->text + pos, L->len - pos, f, fl) : NULL;
			if (!at)
				continue;
			struct anchor *na = realloc(L->a, (size_t)(L->na + 1) * sizeof *na);
			if (!na)
				break;
			L->a = na;
			L->a[L->na].off = (size_t)(at - L->text);
			L->a[L->na].len = fl;
			L->a[L->na].x0 = wb[i].x, L->a[L->na].x1 = wb[i].x + wb[i].w;
			L->na++;
			pos = (size_t)(at - L->text) + fl;
		}
	}
	free(wb);
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The OCR's layout analysis sometimes cuts a printed number in two blocks at
 * its thousands separator: "Total gross weight: 24," is one line and
 * "121.930 KGS", starting a space's width to its right on the same row, is
 * another, far down the list. A line that ends in a digit and a separator,
 * and a line of the same page and row that starts with a digit closer than
 * half the text height, are one run of print: the second is appended to
 * the first (no space between) and dropped. Lines [first, n) of the page.
 */
static void heal_split_numbers(struct sc_pdoc *d, int first)
{
	for (int k = first; k < d->n; k++) {
		struct pline *L = &d->l[k];
		if (!L->box || L->len < 2 || !digit(L->text[L->len - 2]) ||
		    (L->text[L->len - 1] != ',' && L->text[L->len - 1] != '.'))
			continue;
		for (int m = first; m < d->n; m++) {
			struct pline *R = &d->l[m];
			double gap = R->x - (L->x + L->w), hmin = fmin(L->h, R->h);
			if (m == k || !R->box || !R->len || !digit(R->text[0]) || gap < -2 || gap > 0.5 * hmin ||
			    !sc_pd_same_row(L, R))
				continue;
			char *t = realloc(L->text, L->len + R->len + 1);
			if (!t)
				return;
			memcpy(t + L->len, R->text, R->len + 1);
			double x1 = fmax(L->x + L->w, R->x + R->w), y0 = fmin(L->y, R->y),
			       y1 = fmax(L->y + L->h, R->y + R->h);
			if (L->conf >= 0 && R->conf >= 0)
				L->conf = (L->conf * (double)L->len + R->conf * (double)R->len) / (double)(L->len + R->len);
			L->text = t, L->len += R->len;
			L->w = x1 - L->x, L->y = y0, L->h = y1 - y0;
			free(R->text);
			memmove(R, R + 1, (size_t)(d->n - m - 1) * sizeof *R);
			d->n--;
			if (m < k)
				k--, L = &d->l[k];
			break;
		}
	}
}

int sc_pdoc_add_ocr(struct sc_pdoc *d, const json_t *ocr, const json_t *src, struct sc_error *err)
{
	d->pages++;
	json_array_append_new(d->srcs, src ? json_deep_copy(src) : json_null());
	if (!json_is_object(ocr))
		return sc_error_set(err, NULL, 0, 0, "bad-ocr", "\"ocr\" is not an object");
	json_t *lines = json_object_get(ocr, "lines");
	json_t *text = json_object_get(ocr, "text");
	double W = json_number_value(json_object_get(ocr, "width"));
	double H = json_number_value(json_object_get(ocr, "height"));
	size_t i;
	json_t *ln;
	int added = 0, before = d->n;
	if (json_is_array(lines) && json_array_size(lines) > 0) {
		size_t total = 0;
		json_array_foreach(lines, i, ln) {
			json_t *t = json_object_get(ln, "text");
			json_t *b = json_object_get(ln, "bbox");
			if (!json_is_string(t))
				continue;
			size_t n = json_string_length(t);
			if (total + n > SC_PARSE_MAX_TEXT)
				break;
			total += n;
			double bx[4] = {0, 0, 0, 0};
			int box = json_is_array(b) && json_array_size(b) == 4;
			for (int k = 0; box && k < 4; k++) {
				json_t *v = json_array_get(b, (size_t)k);
				if (!json_is_number(v)) {
					box = 0;
					break;
				}
				bx[k] = json_number_value(v);
			}
			if (!box || bx[2] <= 0 || bx[3] <= 0) {
				box = 0;
				bx[0] = 0, bx[1] = (double)i * 20, bx[2] = grid_width(json_string_value(t), n) * 10,
				bx[3] = 16;
			}
			json_t *c = json_object_get(ln, "conf");
			if (add_line(d, json_string_value(t), n, bx[0], bx[1], bx[2], bx[3],
			             json_is_number(c) ? json_number_value(c) : -1, box) < 0)
				break;
		}
		heal_split_numbers(d, before);
		added = d->n - before;
		json_t *words = json_object_get(ocr, "words");
		if (json_is_array(words) && json_array_size(words) > 0)
			attach_words(d, before, words);
		if (d->pages <= 64) {
			d->pw[d->pages - 1] = W > 0 ? W : 2480;
			d->ph[d->pages - 1] = H > 0 ? H : 3508;
		}
	}
	int cut = 0;
	if (!added && json_is_string(text) && json_string_length(text) > 0) {
		size_t n = json_string_length(text);
		if (n > SC_PARSE_MAX_TEXT)
			n = SC_PARSE_MAX_TEXT, cut = 1;
		add_text_lines(d, json_string_value(text), n);
		added = d->n - before;
	}
	if (cut)
		return sc_error_set(err, NULL, 0, 0, "too-long", "page %d: text longer than %u bytes; the rest is not read",
		                    d->pages, SC_PARSE_MAX_TEXT);
	if (!added)
		return sc_error_set(err, NULL, 0, 0, "empty-page", "page %d has no text to parse", d->pages);
	return 0;
}

