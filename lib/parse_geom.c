/*
 * parse_geom.c - where the bytes of a line are on the page: x of an offset
 * from the word boxes (or in proportion), the bytes under an x range, and
 * whether two lines are one row.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_doc.h"

/* ---- geometry -------------------------------------------------------------- */

double sc_pd_char_w(const char *s, size_t i, size_t *adv)
{
	unsigned char c = (unsigned char)s[i];
	*adv = 1;
	if (c >= 0xf0)
		return *adv = 4, 1.0;
	if (c >= 0xe0)
		return *adv = 3, 1.0;
	if (c >= 0xc0)
		return *adv = 2, 0.6;
	if (c == ' ')
		return 0.3;
	if (strchr("il.,:;'|!I[]()jtf/", c))
		return 0.3;
	if (strchr("mwMW", c))
		return 0.85;
	if (c >= 'A' && c <= 'Z')
		return 0.68;
	if (c >= '0' && c <= '9')
		return 0.56;
	return 0.52;
}

/* The estimated x of byte offset off in line L. */
double sc_pd_line_x(const struct pline *L, size_t off)
{
	if (L->na) {
		const struct anchor *a = L->a;
		if (off <= a[0].off)
			return a[0].x0 - (double)(a[0].off - off) * (a[0].x1 - a[0].x0) / (double)(a[0].len ? a[0].len : 1);
		for (int k = 0; k < L->na; k++) {
			if (off < a[k].off + a[k].len)
				return off >= a[k].off ? a[k].x0 + (a[k].x1 - a[k].x0) * (double)(off - a[k].off) / (double)a[k].len
				                       : a[k].x0;
			if (k + 1 < L->na && off < a[k + 1].off)
				return off == a[k].off + a[k].len ? a[k].x1 : a[k + 1].x0;
		}
		return a[L->na - 1].x1;
	}
	if (!L->box) {
		double w = 0;
		for (size_t i = 0; i < off && i < L->len; i++) {
			unsigned char c = (unsigned char)L->text[i];
			if ((c & 0xc0) != 0x80)
				w += c >= 0xe0 ? 20 : 10;
		}
		return L->x + w;
	}
	double tot = 0, upto = 0;
	for (size_t i = 0; i < L->len;) {
		size_t adv;
		double w = sc_pd_char_w(L->text, i, &adv);
		if (i < off)
			upto += w;
		tot += w;
		i += adv;
	}
	return tot > 0 ? L->x + L->w * upto / tot : L->x;
}

static int line_slice_chars(const struct pline *L, double x0, double x1, size_t *b, size_t *e);

/* The byte range of L whose words' centres lie in [x0, x1): a word is never
 * cut in two (the tail of a container number is not a value). */
int sc_pd_line_slice(const struct pline *L, double x0, double x1, size_t *b, size_t *e)
{
	if (line_slice_chars(L, x0, x1, b, e) < 0)
		return -1;
	size_t ws = *b, we = *b;
	while (ws > 0 && L->text[ws - 1] != ' ')
		ws--;
	while (we < L->len && L->text[we] != ' ')
		we++;
	if (ws < *b) {
		double cx = (sc_pd_line_x(L, ws) + sc_pd_line_x(L, we)) / 2;
		*b = cx >= x0 ? ws : we;
	}
	ws = *e, we = *e;
	while (ws > 0 && L->text[ws - 1] != ' ')
		ws--;
	while (we < L->len && L->text[we] != ' ')
		we++;
	if (we > *e) {
		double cx = (sc_pd_line_x(L, ws) + sc_pd_line_x(L, we)) / 2;
		*e = cx < x1 ? we : ws;
	}
	while (*b < *e && L->text[*b] == ' ')
		(*b)++;
	return *b < *e ? 0 : -1;
}

/* The byte range of L whose characters' centres lie in [x0, x1). */
static int line_slice_chars(const struct pline *L, double x0, double x1, size_t *b, size_t *e)
{
	if (L->na) {
		int have = 0;
		for (size_t i = 0; i < L->len;) {
			unsigned char c = (unsigned char)L->text[i];
			size_t adv = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
			if (i + adv > L->len)
				adv = L->len - i;
			double cx = (sc_pd_line_x(L, i) + sc_pd_line_x(L, i + adv)) / 2;
			if (cx >= x0 && cx < x1) {
				if (!have)
					*b = i, have = 1;
				*e = i + adv;
			}
			i += adv;
		}
		return have ? 0 : -1;
	}
	double tot = 0;
	for (size_t i = 0; i < L->len;) {
		size_t adv;
		tot += L->box ? sc_pd_char_w(L->text, i, &adv) : ((unsigned char)L->text[i] >= 0xe0 ? (adv = 3, 2.0)
		                                                : (adv = ((unsigned char)L->text[i] >= 0xc0 ? 2 : 1), 1.0));
		i += adv;
	}
	double scale = L->box ? (tot > 0 ? L->w / tot : 0) : 10;
	double acc = 0;
	int have = 0;
	for (size_t i = 0; i < L->len;) {
		size_t adv;
		double w = L->box ? sc_pd_char_w(L->text, i, &adv)
		                  : ((unsigned char)L->text[i] >= 0xe0 ? (adv = 3, 2.0)
		                     : (adv = ((unsigned char)L->text[i] >= 0xc0 ? 2 : 1), 1.0));
		double cx = L->x + (acc + w / 2) * scale;
		if (cx >= x0 && cx < x1) {
			if (!have)
				*b = i, have = 1;
			*e = i + adv;
		}
		acc += w;
		i += adv;
	}
	return have ? 0 : -1;
}

int sc_pd_same_row(const struct pline *a, const struct pline *b)
{
	if (a->page != b->page)
		return 0;
	double top = fmax(a->y, b->y), bot = fmin(a->y + a->h, b->y + b->h);
	return bot - top > 0.5 * fmin(a->h, b->h);
}

