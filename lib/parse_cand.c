/*
 * parse_cand.c - typed candidates over a document's word boxes and the
 * features of each: every date, amount, reference and party-like segment on
 * the pages, found without any label, with what surrounds it (hashed words
 * and character trigrams to its left, in the cell above, to its right), its
 * place on the page, its height, its rank among its kind and the arithmetic
 * it takes part in. The ranker (parse_rank.c) scores these with the learned
 * trees; `sc-parse learn` (parse_learn.c) labels them against the truth.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "parse_rank.h"

/* ---- tokens ------------------------------------------------------------------ */

/* The x span of bytes [b, e) of a line: from its word boxes when they cover
 * the span, else in proportion to the line's width. */
static void span_x(const struct pline *L, size_t b, size_t e, double *x0, double *x1)
{
	for (int k = 0; k < L->na; k++) {
		const struct anchor *a = &L->a[k];
		if (b >= a->off && b < a->off + a->len) {
			double cw = (a->x1 - a->x0) / (double)(a->len ? a->len : 1);
			*x0 = a->x0 + cw * (double)(b - a->off);
			int j = k;
			while (j + 1 < L->na && L->a[j + 1].off < e)
				j++;
			const struct anchor *z = &L->a[j];
			double cz = (z->x1 - z->x0) / (double)(z->len ? z->len : 1);
			size_t ze = e < z->off + z->len ? e : z->off + z->len;
			*x1 = z->x0 + cz * (double)(ze > z->off ? ze - z->off : 0);
			if (*x1 < *x0)
				*x1 = *x0;
			return;
		}
	}
	double cw = L->len ? L->w / (double)L->len : 10;
	*x0 = L->x + cw * (double)b;
	*x1 = L->x + cw * (double)e;
}

static int tokenize_doc(struct rdoc *r)
{
	const struct sc_pdoc *d = r->d;
	r->lt0 = calloc((size_t)d->n + 1, sizeof *r->lt0);
	if (!r->lt0)
		return -1;
	for (int li = 0; li < d->n; li++) {
		const struct pline *L = &d->l[li];
		r->lt0[li] = r->nt;
		for (size_t i = 0; i < L->len;) {
			while (i < L->len && L->text[i] == ' ')
				i++;
			if (i >= L->len)
				break;
			size_t b = i;
			while (i < L->len && L->text[i] != ' ')
				i++;
			if (r->nt == r->capt) {
				int nc = r->capt ? r->capt * 2 : 256;
				struct rtok *nt = realloc(r->t, (size_t)nc * sizeof *nt);
				if (!nt)
					return -1;
				r->t = nt, r->capt = nc;
			}
			struct rtok *t = &r->t[r->nt++];
			t->line = li, t->off = b, t->len = i - b;
			span_x(L, b, i, &t->x0, &t->x1);
			/* two or more spaces (pdftotext columns) or a wide gap between boxes
			 * start a new segment */
			t->seg_start = b == 0 || (b >= 2 && L->text[b - 2] == ' ');
			if (!t->seg_start && r->nt >= 2 && r->t[r->nt - 2].line == li &&
			    t->x0 - r->t[r->nt - 2].x1 > 1.5 * (L->h > 0 ? L->h : 16))
				t->seg_start = 1;
		}
	}
	r->lt0[d->n] = r->nt;
	return 0;
}

/* ---- hashing ------------------------------------------------------------------ */

static uint32_t fnv(const char *s, size_t n, uint32_t h)
{
	return sc_fnv32(h, s, n);
}

/* A word as a feature: lower case, digits as 0, edge punctuation off. */
static size_t word_key(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		else if (c >= '0' && c <= '9')
			c = '0';
		out[o++] = (char)c;
	}
	while (o && (out[o - 1] == ':' || out[o - 1] == '.' || out[o - 1] == ',' || out[o - 1] == ';'))
		o--;
	out[o] = '\0';
	return o;
}

static void hash_word(float *x, int base, int nb, const char *s, size_t n, float v)
{
	char k[64];
	size_t kl = word_key(s, n, k, sizeof k);
	if (!kl)
		return;
	int b = (int)(fnv(k, kl, SC_FNV32_OFFSET) % (uint32_t)nb);
	if (x[base + b] < v)
		x[base + b] = v;
}

/* Letters only, lower case, with '^' and '$' at the ends: "Invoice Date:",
 * "InvoiceDate" and "INVOICE-DATE" give the same trigrams. */
static void hash_grams(float *x, int base, int nb, const char *s, size_t n)
{
	char buf[96];
	size_t o = 0;
	buf[o++] = '^';
	for (size_t i = 0; i < n && o + 2 < sizeof buf; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			buf[o++] = (char)(c + 32);
		else if ((c >= 'a' && c <= 'z') || c >= 0x80)
			buf[o++] = (char)c;
	}
	buf[o++] = '$';
	if (o < 4)
		return;
	for (size_t i = 0; i + 3 <= o; i++) {
		int b = (int)(fnv(buf + i, 3, SC_FNV32_OFFSET ^ 0x5bd1e995u) % (uint32_t)nb);
		x[base + b] = 1;
	}
}

/* ---- values ------------------------------------------------------------------- */

static int isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int isalpha_(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static const char *const CUR[] = {"RM", "MYR", "USD", "US$", "S$", "EUR", "GBP", "SGD", "CNY", "RMB", "$", "\xe2\x82\xac",
                                  "\xc2\xa3", "\xc2\xa5", NULL};

/* A currency at s (case-insensitive for letters): its length, else 0. */
static size_t cur_at(const char *s, size_t n)
{
	for (int k = 0; CUR[k]; k++) {
		size_t L = strlen(CUR[k]);
		if (L <= n && sc_ci_eq(s, CUR[k], L))
			return L;
	}
	return 0;
}

/* The token as a whole is an amount (currency glued on either side allowed). */
static int token_amount(const char *s, size_t n, double *v, int *dec, int *glued)
{
	size_t b = 0, e = n;
	int neg = 0;
	*glued = 0;
	/* what the OCR glues in front: "=85.54", a quote, a tilde */
	while (b < e && (s[b] == '=' || s[b] == '~' || s[b] == '\'' || s[b] == '"' || s[b] == ':'))
		b++, *glued = 1;
	if (b + 3 <= e && (unsigned char)s[b] == 0xe2 && (unsigned char)s[b + 1] == 0x80)
		b += 3, *glued = 1;   /* curly quotes */
	if (b < e && (s[b] == '-' || s[b] == '(')) neg = 1, b++;
	size_t c = cur_at(s + b, e - b);
	if (c)
		b += c, *glued = 1;
	else if (b + 1 < e && isalpha_((unsigned char)s[b])) {
		/* a currency the OCR misread ("RH152.00", "RN 85", "RiM367.10"): up to
		 * three letters glued in front of the digits */
		size_t k = b;
		while (k < e && k - b < 4 && isalpha_((unsigned char)s[k]))
			k++;
		if (k - b <= 3 && k < e && isdig((unsigned char)s[k]))
			b = k, *glued = 2;
	}
	if (b < e && s[b] == '-') neg = 1, b++;
	while (e > b && (s[e - 1] == ')' || s[e - 1] == '*' || s[e - 1] == ':' || s[e - 1] == ';'))
		e--;
	while (e > b && isalpha_((unsigned char)s[e - 1]) && e - b > 1) {
		/* 12.50RM, 9.00SR (tax codes) */
		size_t k = e;
		while (k > b && isalpha_((unsigned char)s[k - 1]))
			k--;
		if (e - k > 3)
			return -1;
		e = k, *glued = 1;
	}
	if (e - b > 20 || b >= e || !isdig((unsigned char)s[b]))
		return -1;
	struct sc_span sp;
	if (sc_norm_amount(s + b, e - b, v, dec, &sp) < 0 || sp.off != 0 || sp.len != e - b)
		return -1;
	if (neg)
		*v = -*v;
	return 0;
}

/* A reference: 3 to 40 characters of letters, digits and -_/.#, at least
 * one digit; a label glued in front ("No:123", "Invoice#950658-1") is cut. */
static int token_ref(const char *s, size_t n, char *out, size_t cap, int *cut)
{
	size_t b = 0, e = n;
	*cut = 0;
	while (e > b && (s[e - 1] == ',' || s[e - 1] == ';' || s[e - 1] == '.' || s[e - 1] == ')' || s[e - 1] == ':'))
		e--;
	while (b < e && (s[b] == '(' || s[b] == '#'))
		b++;
	if (e - b < 3 || e - b > 40 || e - b >= cap)
		return -1;
	int dig = 0;
	for (size_t i = b; i < e; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isdig(c))
			dig++;
		else if (!isalpha_(c) && c != '-' && c != '_' && c != '/' && c != '.')
			return -1;
	}
	if (!dig)
		return -1;
	memcpy(out, s + b, e - b);
	out[e - b] = '\0';
	return 0;
}

/* ---- candidates ---------------------------------------------------------------- */

static struct rcand *new_cand(struct rdoc *r, int kind, int tok, int ntok)
{
	if (r->nc >= SC_RANK_MAX_CANDS)
		return NULL;
	if (r->nc == r->capc) {
		int nc = r->capc ? r->capc * 2 : 256;
		struct rcand *n = realloc(r->c, (size_t)nc * sizeof *n);
		if (!n)
			return NULL;
		r->c = n, r->capc = nc;
	}
	struct rcand *c = &r->c[r->nc++];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->tok = tok;
	c->ntok = ntok;
	const struct rtok *t = &r->t[tok], *z = &r->t[tok + ntok - 1];
	c->line = t->line;
	c->off = t->off;
	c->len = z->off + z->len - t->off;
	return c;
}

/* After date c (read in order ord): a dash, "to", "thru", "until", "bis",
 * "au", "tot" or "~" and another date make it a range's start; the end is
 * a candidate of its own, also when glued in the same token
 * ("2/10/2020-2/16/2020"), so that a flight's last day can be found. */
static void range_end(struct rdoc *r, struct rcand *c, int ord)
{
	const struct pline *L = &r->d->l[c->line];
	size_t i = c->off + c->len, n = L->len;
	while (i < n && L->text[i] == ' ')
		i++;
	static const char *const SEP[] = {"-", "~", "to ", "thru ", "through ", "until ", "till ", "bis ", "au ", "tot ",
	                                  "\xe2\x80\x93", "\xe8\x87\xb3", NULL};
	size_t k = 0;
	for (int s = 0; SEP[s] && !k; s++) {
		size_t sl = strlen(SEP[s]);
		if (i + sl <= n && sc_ci_eq(L->text + i, SEP[s], sl))
			k = sl;
	}
	if (!k)
		return;
	i += k;
	while (i < n && L->text[i] == ' ')
		i++;
	if (i >= n || !(isdig((unsigned char)L->text[i]) || isalpha_((unsigned char)L->text[i])))
		return;
	size_t e = i + 24 < n ? i + 24 : n;
	char iso[11];
	struct sc_span sp;
	if (sc_norm_date(L->text + i, e - i, ord, iso, &sp) < 0 || sp.off != 0)
		return;
	c->rstart = 1;
	c->poff = i;
	memcpy(c->pair, iso, 11);
	/* glued into this candidate's last token: the end is a candidate here (a
	 * spaced one is found from its own token) */
	int lt = c->tok + c->ntok - 1;
	const struct rtok *t = &r->t[lt];
	if (i < t->off + t->len) {
		int first = lt, nt = 1;
		while (lt + nt < r->lt0[c->line + 1] && r->t[lt + nt].off < i + sp.len)
			nt++;
		struct rcand s0 = *c;
		struct rcand *d = new_cand(r, RK_DATE, first, nt);
		if (!d)
			return;
		/* new_cand may have moved the array: c is stale, s0 is the start */
		d->off = i;
		d->len = sp.len;
		memcpy(d->str, iso, 11);
		d->glued = 1;
		d->reading = s0.reading;
		d->order = s0.order;
		d->monthname = s0.monthname;
		d->rend = 1;
		memcpy(d->pair, s0.str, 11);
	}
}

static void date_cands(struct rdoc *r, int ti)
{
	const struct rtok *t = &r->t[ti];
	const struct pline *L = &r->d->l[t->line];
	int last = r->lt0[t->line + 1];
	/* at most four tokens (12 Mar 2026, 12 / 03 / 2026) */
	int tz = ti + 4 < last ? ti + 4 : last - 1;
	size_t end = r->t[tz].off + r->t[tz].len;
	const char *s = L->text + t->off;
	size_t n = end - t->off;
	char iso[2][11];
	struct sc_span sp[2];
	int ok[2];
	ok[0] = sc_norm_date(s, n, SC_DATE_DMY, iso[0], &sp[0]) == 0 && sp[0].off < t->len;
	ok[1] = sc_norm_date(s, n, SC_DATE_MDY, iso[1], &sp[1]) == 0 && sp[1].off < t->len;
	/* the OCR's letters for digits (O7/03/18, 2l/12/2018): read again repaired,
	 * when no reading came out */
	char fix[48];
	if (!ok[0] && !ok[1] && n < sizeof fix) {
		int changed = 0;
		for (size_t k = 0; k < n; k++) {
			char ch = s[k];
			int near = (k > 0 && (isdig((unsigned char)s[k - 1]) || s[k - 1] == '/' || s[k - 1] == '-' || s[k - 1] == '.')) ||
			           (k + 1 < n && (isdig((unsigned char)s[k + 1]) || s[k + 1] == '/' || s[k + 1] == '-'));
			if (near && (ch == 'O' || ch == 'o' || ch == '@'))
				ch = '0', changed = 1;
			else if (near && (ch == 'I' || ch == 'l' || ch == '|'))
				ch = '1', changed = 1;
			fix[k] = ch;
		}
		if (changed) {
			ok[0] = sc_norm_date(fix, n, SC_DATE_DMY, iso[0], &sp[0]) == 0 && sp[0].off < t->len;
			ok[1] = sc_norm_date(fix, n, SC_DATE_MDY, iso[1], &sp[1]) == 0 && sp[1].off < t->len;
		}
	}
	/* eight digits, day first or year first ("27032018", "20180327") */
	if (!ok[0] && !ok[1] && t->len == 8) {
		int all = 1;
		for (size_t k = 0; k < 8; k++)
			all &= isdig((unsigned char)s[k]);
		int y1 = all ? atoi((char[5]){s[4], s[5], s[6], s[7], 0}) : 0;
		int y0 = all ? atoi((char[5]){s[0], s[1], s[2], s[3], 0}) : 0;
		char buf[11];
		if (y1 >= 2000 && y1 <= 2035)
			snprintf(buf, sizeof buf, "%.2s/%.2s/%.4s", s, s + 2, s + 4);
		else if (y0 >= 2000 && y0 <= 2035)
			snprintf(buf, sizeof buf, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
		else
			buf[0] = '\0';
		if (buf[0] && sc_norm_date(buf, 10, SC_DATE_DMY, iso[0], &sp[0]) == 0 && sp[0].len == 10) {
			struct rcand *c = new_cand(r, RK_DATE, ti, 1);
			if (c) {
				memcpy(c->str, iso[0], 11);
				c->glued = 2;
				c->order = 1;
			}
		}
		return;
	}
	/* not a date found later in the span: it belongs to that token */
	for (int o = 0; o < 2; o++) {
		if (!ok[o])
			continue;
		/* a year the OCR misread (2078, 2518, 2617 for 2018, 2017): the same
		 * date again, its year's middle digits repaired, marked so */
		int y = atoi(iso[o]);
		if (y > 2035 && y < 10000) {
			char fy[11];
			memcpy(fy, iso[o], 11);
			fy[1] = '0';
			if (fy[2] > '3')
				fy[2] = '1';
			int ny = atoi(fy);
			if (ny >= 2000 && ny <= 2035 && !(o == 1 && ok[0] && strcmp(iso[0], iso[1]) == 0)) {
				struct rcand *c = new_cand(r, RK_DATE, ti, 1);
				if (!c)
					return;
				c->off = t->off + sp[o].off;
				c->len = sp[o].len < t->len - sp[o].off ? sp[o].len : t->len - sp[o].off;
				memcpy(c->str, fy, 11);
				c->glued = 2;
				c->order = ok[0] && ok[1] ? 0 : o + 1;
			}
		}
		if (o == 1 && ok[0] && strcmp(iso[0], iso[1]) == 0)
			continue;
		size_t de = t->off + sp[o].off + sp[o].len;
		int nt = 1;
		while (ti + nt <= tz && r->t[ti + nt].off < de)
			nt++;
		struct rcand *c = new_cand(r, RK_DATE, ti, nt);
		if (!c)
			return;
		c->off = t->off + sp[o].off;
		c->len = sp[o].len;
		memcpy(c->str, iso[o], 11);
		/* which reading: 0 the only one, 1 day first, 2 month first */
		c->reading = ok[0] && ok[1] && strcmp(iso[0], iso[1]) != 0 ? 1 + o : 0;
		c->glued = sp[o].off > 0;
		for (size_t k = c->off; k < c->off + c->len; k++)
			if (isalpha_((unsigned char)L->text[k]) || (unsigned char)L->text[k] >= 0xe0)
				c->monthname = 1;
		c->order = c->monthname || (ok[0] && ok[1]) ? 0 : ok[0] ? 1 : 2;
		range_end(r, c, o == 0 ? SC_DATE_DMY : SC_DATE_MDY);
	}
}

static void amount_cands(struct rdoc *r, int ti)
{
	const struct rtok *t = &r->t[ti];
	const struct pline *L = &r->d->l[t->line];
	int last = r->lt0[t->line + 1];
	const char *s = L->text + t->off;
	double v;
	int dec, glued;
	if (t->len >= 2 && (s[t->len - 1] == '.' || s[t->len - 1] == ',') && ti + 1 < last && r->t[ti + 1].len == 2 &&
	    isdig((unsigned char)L->text[r->t[ti + 1].off]) && isdig((unsigned char)L->text[r->t[ti + 1].off + 1]) &&
	    token_amount(s, t->len, &v, &dec, &glued) < 0) {
		char buf[48];
		size_t bl = (size_t)snprintf(buf, sizeof buf, "%.*s.%.2s", (int)t->len - 1, s, L->text + r->t[ti + 1].off);
		if (bl < sizeof buf && token_amount(buf, bl, &v, &dec, &glued) == 0) {
			struct rcand *c = new_cand(r, RK_AMOUNT, ti, 2);
			if (c)
				c->num = v, c->dec = 2, c->glued = glued, c->split = 1;
		}
		return;
	}
	if (token_amount(s, t->len, &v, &dec, &glued) == 0) {
		/* the OCR split the decimals off: "33 . 90", "33. 90", "33 ,90" */
		if (dec == 0 && ti + 1 < last) {
			const struct rtok *u = &r->t[ti + 1];
			const char *us = L->text + u->off;
			char buf[48];
			size_t bl = 0;
			if (u->len == 1 && (*us == '.' || *us == ',') && ti + 2 < last && r->t[ti + 2].len == 2 &&
			    isdig((unsigned char)L->text[r->t[ti + 2].off]) &&
			    isdig((unsigned char)L->text[r->t[ti + 2].off + 1])) {
				bl = (size_t)snprintf(buf, sizeof buf, "%.*s.%.2s", (int)t->len, s, L->text + r->t[ti + 2].off);
				double v2;
				int d2, g2;
				if (bl < sizeof buf && token_amount(buf, bl, &v2, &d2, &g2) == 0 && d2 == 2) {
					struct rcand *c = new_cand(r, RK_AMOUNT, ti, 3);
					if (c)
						c->num = v2, c->dec = 2, c->glued = glued, c->split = 1;
				}
			} else if (u->len == 3 && (*us == '.' || *us == ',') && isdig((unsigned char)us[1]) &&
			           isdig((unsigned char)us[2]) && t->len < 20) {
				bl = (size_t)snprintf(buf, sizeof buf, "%.*s.%.2s", (int)t->len, s, us + 1);
				double v2;
				int d2, g2;
				if (bl < sizeof buf && token_amount(buf, bl, &v2, &d2, &g2) == 0) {
					struct rcand *c = new_cand(r, RK_AMOUNT, ti, 2);
					if (c)
						c->num = v2, c->dec = 2, c->glued = glued, c->split = 1;
				}
			}
		}
		if (t->len && (s[t->len - 1] == '.' || s[t->len - 1] == ',') && ti + 1 < last && r->t[ti + 1].len == 2 &&
		    isdig((unsigned char)L->text[r->t[ti + 1].off]) && isdig((unsigned char)L->text[r->t[ti + 1].off + 1])) {
			char buf[48];
			size_t bl = (size_t)snprintf(buf, sizeof buf, "%.*s.%.2s", (int)t->len - 1, s, L->text + r->t[ti + 1].off);
			double v2;
			int d2, g2;
			if (bl < sizeof buf && token_amount(buf, bl, &v2, &d2, &g2) == 0) {
				struct rcand *c = new_cand(r, RK_AMOUNT, ti, 2);
				if (c)
					c->num = v2, c->dec = 2, c->glued = g2, c->split = 1;
			}
		}
		struct rcand *c = new_cand(r, RK_AMOUNT, ti, 1);
		if (c)
			c->num = v, c->dec = dec, c->glued = glued;
		return;
	}
	/* "33.", "90" without a match above: nothing */
}

static void ref_cands(struct rdoc *r, int ti)
{
	const struct rtok *t = &r->t[ti];
	const struct pline *L = &r->d->l[t->line];
	const char *s = L->text + t->off;
	/* the token, and its pieces between label glue and revision marks:
	 * "E-ORDER:2412110(Rev0)Agy#9539665" holds 2412110 and 9539665 */
	size_t cuts[8], nc = 0;
	cuts[nc++] = 0;
	for (size_t i = 0; i < t->len && nc < 7; i++)
		if (s[i] == ':' || s[i] == '#' || s[i] == '(' || s[i] == ')' || s[i] == '[' || s[i] == ']')
			cuts[nc++] = i + 1;
	cuts[nc] = t->len + 1;
	for (size_t k = 0; k < nc; k++) {
		size_t b = cuts[k], e = cuts[k + 1] - 1;
		if (e > t->len)
			e = t->len;
		if (e <= b)
			continue;
		char buf[64];
		int cut;
		if (token_ref(s + b, e - b, buf, sizeof buf, &cut) < 0)
			continue;
		struct rcand *c = new_cand(r, RK_REF, ti, 1);
		if (!c)
			return;
		snprintf(c->str, sizeof c->str, "%s", buf);
		c->off = t->off + b;
		c->len = e - b;
		c->glued = nc > 1;
	}
}

static void party_cands(struct rdoc *r, int li)
{
	int a = r->lt0[li], z = r->lt0[li + 1];
	const struct pline *L = &r->d->l[li];
	for (int i = a; i < z;) {
		int j = i + 1;
		while (j < z && !r->t[j].seg_start)
			j++;
		/* a segment: words with letters, not too long */
		size_t b = r->t[i].off, e = r->t[j - 1].off + r->t[j - 1].len;
		int letters = 0;
		for (size_t k = b; k < e; k++)
			letters += isalpha_((unsigned char)L->text[k]);
		if (letters >= 3 && e - b <= 100 && j - i <= 12) {
			struct rcand *c = new_cand(r, RK_PARTY, i, j - i);
			if (!c)
				return;
			size_t n = e - b < sizeof c->str - 1 ? e - b : sizeof c->str - 1;
			memcpy(c->str, L->text + b, n);
			c->str[n] = '\0';
			c->seg = i;
		}
		i = j;
	}
}

/* ---- features ------------------------------------------------------------------ */

static double page_w(const struct sc_pdoc *d, int page)
{
	return page >= 1 && page <= 64 && d->pw[page - 1] > 0 ? d->pw[page - 1] : 2480;
}

static double page_h(const struct sc_pdoc *d, int page)
{
	return page >= 1 && page <= 64 && d->ph[page - 1] > 0 ? d->ph[page - 1] : 3508;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int bsearch_double(const double *v, int n, double x)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int m = (lo + hi) / 2;
		if (v[m] < x)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

static int has_value(const double *v, int n, double x)
{
	double tol = fabs(x) * 1e-6 + 0.004;
	int k = bsearch_double(v, n, x - tol);
	return k < n && v[k] <= x + tol;
}

/* The nearest line above (same page, up to 6 lines up) whose tokens overlap
 * [x0, x1]; its tokens' range in *a, *z. */
static int above_tokens(const struct rdoc *r, int li, double x0, double x1, int *a, int *z)
{
	const struct pline *L = &r->d->l[li];
	for (int k = li - 1; k >= 0 && k >= li - 6; k--) {
		const struct pline *U = &r->d->l[k];
		if (U->page != L->page || U->y >= L->y)
			continue;
		int ta = -1, tz = -1;
		for (int t = r->lt0[k]; t < r->lt0[k + 1]; t++)
			if (r->t[t].x1 >= x0 - 4 && r->t[t].x0 <= x1 + 4) {
				if (ta < 0)
					ta = t;
				tz = t + 1;
			}
		if (ta >= 0) {
			/* widen to the whole header cell (its segment) */
			while (ta > r->lt0[k] && !r->t[ta].seg_start)
				ta--;
			while (tz < r->lt0[k + 1] && !r->t[tz].seg_start)
				tz++;
			*a = ta, *z = tz;
			return k;
		}
	}
	return -1;
}

/* Days since 1970-01-01 of an ISO date (the civil calendar). */
static long iso_day(const char *s)
{
	long y = atol(s), m = atol(s + 5), d = atol(s + 8);
	if (m < 1 || m > 12)
		return 0;
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void features(struct rdoc *r, struct rcand *c, float *x, const double *sorted, int nsorted,
                     double medh)
{
	const struct sc_pdoc *d = r->d;
	const struct pline *L = &d->l[c->line];
	const struct rtok *t = &r->t[c->tok];
	int la = r->lt0[c->line], lz = r->lt0[c->line + 1];
	double pw = page_w(d, L->page), ph = page_h(d, L->page);
	memset(x, 0, SC_RANK_NF * sizeof *x);
	double x0 = t->x0, x1 = r->t[c->tok + c->ntok - 1].x1;
	x[F_PAGE] = (float)L->page;
	x[F_LASTPAGE] = L->page == d->pages;
	x[F_NPAGES] = (float)d->pages;
	x[F_Y] = (float)(L->y / ph);
	x[F_X0] = (float)(x0 / pw);
	x[F_X1] = (float)(x1 / pw);
	x[F_H] = medh > 0 ? (float)(L->h / medh) : 1;
	x[F_NTOK] = (float)(lz - la);
	x[F_TIDX] = (float)(c->tok - la);
	x[F_LASTTOK] = c->tok + c->ntok == lz;
	if (c->tok > la) {
		const struct rtok *p = &r->t[c->tok - 1];
		char e = L->text[p->off + p->len - 1];
		x[F_LCOLON] = e == ':' || e == '#' ? 1 : 0;
		x[F_LGAP] = (float)((x0 - p->x1) / (L->h > 0 ? L->h : 16));
	} else
		x[F_LGAP] = -1;
	x[F_BOX] = (float)L->box;
	x[F_SEGSTART] = t->seg_start;
	x[F_DOCTYPE + (r->type >= 0 && r->type < 6 ? r->type : 6)] = 1;
	/* kind specific */
	switch (c->kind) {
	case RK_AMOUNT: {
		double v = c->num, av = fabs(v);
		x[F_K + 0] = (float)log10(av + 1);
		x[F_K + 1] = (float)c->dec;
		x[F_K + 2] = v < 0;
		x[F_K + 3] = (float)c->glued;
		int cur = 0;
		if (c->tok > la) {
			const struct rtok *p = &r->t[c->tok - 1];
			cur = cur_at(L->text + p->off, p->len) == p->len;
		}
		x[F_K + 4] = (float)cur;
		int rank = nsorted - bsearch_double(sorted, nsorted, v + fabs(v) * 1e-9 + 1e-9);
		x[F_K + 5] = (float)(rank > 20 ? 20 : rank);
		x[F_K + 6] = nsorted ? (float)rank / (float)nsorted : 0;
		/* arithmetic: the sum of two others (subtotal + tax), the difference
		 * of two (cash - change) */
		int sum = 0, diff = 0;
		for (int i = 0; i < nsorted && i < 400 && !(sum && diff); i++) {
			double a = sorted[i];
			if (a <= 0 || a >= av)
				continue;
			if (!sum && has_value(sorted, nsorted, av - a) && fabs(av - a - a) > 0.004)
				sum = 1;
			if (!diff && has_value(sorted, nsorted, av + a))
				diff = 1;
		}
		/* subtotal plus a tax of a plausible rate; cash tendered (whole) minus change */
		int taxsum = 0, cashround = 0;
		for (int i = 0; i < nsorted && i < 400 && !taxsum; i++) {
			double a = sorted[i];
			if (a <= 0 || a >= av)
				continue;
			double b = av - a;
			if (b >= 0.03 * a && b <= 0.30 * a && has_value(sorted, nsorted, b))
				taxsum = 1;
		}
		for (int i = nsorted - 1, k = 0; i >= 0 && k < 200 && !cashround; i--, k++) {
			double a = sorted[i];
			if (a <= av + 0.004)
				break;
			if (a == floor(a) && has_value(sorted, nsorted, a - av))
				cashround = 1;
		}
		x[F_K + 7] = (float)sum;
		x[F_K + 8] = (float)diff;
		x[F_K + 15] = (float)taxsum;
		x[F_K + 16] = (float)cashround;
		/* the amounts after it on its page: how many, larger, equal; equal before */
		int below = 0, larger = 0, eqb = 0, eqa = 0, near = 0, blines = 0, lastline = c->line;
		double tl = av * 1e-6 + 0.004;
		for (int q = 0; q < r->namt; q++) {
			const struct rcand *o = &r->c[r->amt[q]];
			if (o == c || d->l[o->line].page != L->page)
				continue;
			double ov = fabs(o->num);
			if (fabs(ov - av) > tl && fabs(ov - av) < 0.05)
				near = 1;
			if (o->line > c->line) {
				below++;
				larger += ov > av + tl;
				eqb += fabs(ov - av) <= tl;
				if (o->line != lastline)
					blines++, lastline = o->line;
			} else if (o->line < c->line)
				eqa += fabs(ov - av) <= tl;
		}
		x[F_K + 17] = (float)(below > 50 ? 50 : below);
		x[F_K + 18] = (float)(larger > 50 ? 50 : larger);
		x[F_K + 19] = (float)eqb;
		x[F_K + 20] = (float)eqa;
		x[F_K + 21] = (float)near;
		x[F_K + 22] = fabs(av * 20 - floor(av * 20 + 0.5)) < 1e-6;
		x[F_K + 23] = (float)(blines > 50 ? 50 : blines);
		x[F_K + 9] = (float)c->split;
		x[F_K + 10] = av == floor(av);
		/* the other amounts on its line, and whether it is the rightmost */
		x[F_K + 11] = (float)(r->lamt[c->line] - (c->split ? 0 : 1));
		x[F_K + 12] = c->tok >= r->lamt_tok[c->line];
		x[F_K + 13] = nsorted && av >= sorted[nsorted - 1] - 1e-9;
		if (c->tok + c->ntok < lz) {
			const struct rtok *n = &r->t[c->tok + c->ntok];
			x[F_K + 14] = L->text[n->off] == '%';
		}
		/* times the value occurs among the amounts */
		int rep = 0;
		double tol = av * 1e-6 + 0.004;
		int k0 = bsearch_double(sorted, nsorted, v - tol);
		while (k0 + rep < nsorted && sorted[k0 + rep] <= v + tol)
			rep++;
		x[F_REPEAT] = (float)rep;
		break;
	}
	case RK_DATE: {
		int y = atoi(c->str);
		x[F_K + 0] = (float)y;
		x[F_K + 1] = (float)c->monthname;
		x[F_K + 2] = (float)c->reading;
		x[F_K + 3] = (float)c->glued;
		int before = 0, after = 0, same = 0, total = 0, pair_l = 0, pair_r = 0, timeon = 0;
		for (int i = 0; i < r->nc; i++) {
			const struct rcand *o = &r->c[i];
			if (o->kind != RK_DATE || o == c)
				continue;
			total++;
			int cmp = strcmp(o->str, c->str);
			before += cmp < 0, after += cmp > 0, same += cmp == 0;
			if (o->line == c->line && o->tok < c->tok && c->tok - (o->tok + o->ntok) <= 2)
				pair_l = 1;
			if (o->line == c->line && o->tok > c->tok && o->tok - (c->tok + c->ntok) <= 2)
				pair_r = 1;
		}
		for (int i = la; i < lz; i++) {
			const char *s = L->text + r->t[i].off;
			size_t n = r->t[i].len;
			if (n >= 4 && n <= 8 && isdig((unsigned char)s[0]) && memchr(s, ':', n))
				timeon = 1;
		}
		x[F_K + 4] = (float)before;
		x[F_K + 5] = (float)after;
		x[F_K + 6] = (float)total;
		x[F_K + 7] = (float)pair_l;
		x[F_K + 8] = (float)pair_r;
		x[F_K + 9] = (float)timeon;
		x[F_K + 10] = (float)c->len;
		x[F_REPEAT] = (float)(same + 1);
		char sep = 0;
		for (size_t k = c->off; k < c->off + c->len && !sep; k++)
			if (L->text[k] == '/' || L->text[k] == '-' || L->text[k] == '.' || L->text[k] == ' ')
				sep = L->text[k];
		x[F_K + 11] = sep == '/' ? 1 : sep == '-' ? 2 : sep == '.' ? 3 : sep == ' ' ? 4 : 0;
		/* the earliest and the latest dates of the document */
		x[F_K + 12] = before == 0;
		x[F_K + 13] = after == 0;
		/* distinct dates before it */
		int lo = 0, hi = r->ndates;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (strcmp(r->dates[mid], c->str) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		int distinct = lo;
		x[F_K + 14] = (float)distinct;
		/* ranges: which end, how long, how many of the document's dates inside */
		x[F_K + 15] = (float)c->rstart;
		x[F_K + 16] = (float)c->rend;
		if (c->rstart || c->rend) {
			const char *a = c->rstart ? c->str : c->pair, *b = c->rstart ? c->pair : c->str;
			x[F_K + 17] = (float)(iso_day(b) - iso_day(a));
			int in = 0;
			for (int k = 0; k < r->ndates; k++)
				in += strcmp(r->dates[k], a) >= 0 && strcmp(r->dates[k], b) <= 0;
			x[F_K + 18] = (float)in;
		} else
			x[F_K + 17] = -1;
		x[F_K + 19] = (float)r->ndmy;
		x[F_K + 20] = (float)r->nmdy;
		x[F_K + 21] = (float)c->order;
		x[F_K + 22] = c->rstart && strcmp(c->str, r->rfirst) == 0;
		x[F_K + 23] = c->rend && strcmp(c->str, r->rlast) == 0;
		break;
	}
	case RK_REF: {
		size_t n = strlen(c->str);
		int dig = 0, let = 0, dash = 0, us = 0, sl = 0;
		for (size_t k = 0; k < n; k++) {
			unsigned char ch = (unsigned char)c->str[k];
			dig += isdig(ch), let += isalpha_(ch), dash += ch == '-', us += ch == '_', sl += ch == '/';
		}
		x[F_K + 0] = (float)n;
		x[F_K + 1] = (float)dig;
		x[F_K + 2] = (float)let;
		x[F_K + 3] = (float)dash;
		x[F_K + 4] = (float)us;
		x[F_K + 5] = (float)sl;
		x[F_K + 6] = dig == (int)n;
		char iso[11];
		struct sc_span sp;
		x[F_K + 7] = sc_norm_date(c->str, n, SC_DATE_MDY, iso, &sp) == 0;
		x[F_K + 8] = memchr(c->str, '.', n) != NULL;
		x[F_K + 9] = (float)c->glued;
		/* how often it occurs: its run in the sorted references */
		int lo = 0, hi = r->nrefs;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (strcmp(r->c[r->refs[mid]].str, c->str) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		int rep = 0;
		while (lo + rep < r->nrefs && strcmp(r->c[r->refs[lo + rep]].str, c->str) == 0)
			rep++;
		x[F_REPEAT] = (float)rep;
		hash_word(x, F_OWN, F_OWN_N, c->str, n, 1);
		break;
	}
	case RK_PARTY: {
		size_t n = strlen(c->str);
		int up = 0, let = 0, dig = 0, comma = 0, colon = 0;
		for (size_t k = 0; k < n; k++) {
			unsigned char ch = (unsigned char)c->str[k];
			up += ch >= 'A' && ch <= 'Z', let += isalpha_(ch), dig += isdig(ch), comma += ch == ',';
			colon += ch == ':';
		}
		x[F_K + 0] = (float)c->ntok;
		x[F_K + 1] = let ? (float)up / (float)let : 0;
		x[F_K + 2] = (float)n;
		x[F_K + 3] = n ? (float)dig / (float)n : 0;
		x[F_K + 4] = (float)comma;
		x[F_K + 5] = (float)colon;
		int segi = 0;
		for (int i = la; i < c->tok; i++)
			segi += r->t[i].seg_start;
		x[F_K + 6] = (float)segi;
		for (int i = c->tok; i < c->tok + c->ntok; i++)
			hash_word(x, F_OWN, F_OWN_N, L->text + r->t[i].off, r->t[i].len, 1);
		break;
	}
	}
	/* to the left on the same line: the three nearest words, and trigrams of
	 * the two nearest (glued labels share them with spaced ones) */
	int lstart = c->tok - 3 > la ? c->tok - 3 : la;
	for (int i = c->tok - 1, k = 0; i >= lstart; i--, k++)
		hash_word(x, F_LEFTW, F_LEFTW_N, L->text + r->t[i].off, r->t[i].len, 1.0f / (float)(1 + k));
	/* the token itself, up to the value (a glued label) */
	if (c->off > t->off)
		hash_grams(x, F_LEFTG, F_LEFTG_N, L->text + t->off, c->off - t->off);
	if (c->tok > la) {
		int g0 = c->tok - 2 >= la ? c->tok - 2 : la;
		size_t b = r->t[g0].off, e = r->t[c->tok - 1].off + r->t[c->tok - 1].len;
		hash_grams(x, F_LEFTG, F_LEFTG_N, L->text + b, e - b);
	}
	/* the cell above */
	int ua, uz;
	int ul = above_tokens(r, c->line, x0, x1, &ua, &uz);
	if (ul >= 0) {
		const struct pline *U = &d->l[ul];
		x[F_ABOVE_DY] = (float)((L->y - U->y) / (L->h > 0 ? L->h : 16));
		for (int i = ua; i < uz && i < ua + 6; i++)
			hash_word(x, F_UPW, F_UPW_N, U->text + r->t[i].off, r->t[i].len, 1);
		size_t b = r->t[ua].off, e = r->t[uz - 1].off + r->t[uz - 1].len;
		hash_grams(x, F_UPG, F_UPG_N, U->text + b, e - b > 40 ? 40 : e - b);
	} else
		x[F_ABOVE_DY] = -1;
	/* to the right */
	for (int i = c->tok + c->ntok, k = 0; i < lz && k < 2; i++, k++)
		hash_word(x, F_RIGHTW, F_RIGHTW_N, L->text + r->t[i].off, r->t[i].len, 1);
	/* the line's words */
	for (int i = la; i < lz && i < la + 12; i++)
		if (i < c->tok || i >= c->tok + c->ntok)
			hash_word(x, F_LINEW, F_LINEW_N, L->text + r->t[i].off, r->t[i].len, 1);
}

/* ---- the document --------------------------------------------------------------- */

void sc_rdoc_free(struct rdoc *r)
{
	if (!r)
		return;
	free(r->t);
	free(r->lt0);
	free(r->c);
	free(r->x);
	free(r->dates);
	free(r->lamt);
	free(r->lamt_tok);
	free(r->refs);
	free(r->amt);
	free(r);
}

/* qsort has no context argument in C11: the document being sorted */
static _Thread_local const struct rdoc *sort_refs;

static int cmp_ref(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(sort_refs->c[x].str, sort_refs->c[y].str);
	return c ? c : (x > y) - (x < y);
}

static int cmp_date(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static int cmp_h(const void *a, const void *b)
{
	return cmp_double(a, b);
}

struct rdoc *sc_rdoc_build(const struct sc_pdoc *d, int type)
{
	struct rdoc *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->d = d;
	r->type = type;
	if (tokenize_doc(r) < 0) {
		sc_rdoc_free(r);
		return NULL;
	}
	/* pages past the sixth, but the last two, are item lists: no candidates */
	for (int li = 0; li < d->n; li++) {
		int pg = d->l[li].page;
		if (pg > 6 && pg < d->pages - 1)
			continue;
		for (int ti = r->lt0[li]; ti < r->lt0[li + 1]; ti++) {
			date_cands(r, ti);
			amount_cands(r, ti);
			ref_cands(r, ti);
		}
		party_cands(r, li);
	}
	/* the ends of spaced ranges, found from their own tokens; the document's
	 * date orders and its widest range */
	for (int i = 0; i < r->nc; i++) {
		struct rcand *c = &r->c[i];
		if (c->kind != RK_DATE)
			continue;
		r->ndmy += c->order == 1, r->nmdy += c->order == 2;
		if (!c->rstart)
			continue;
		for (int j = i + 1; j < r->nc; j++) {
			struct rcand *e = &r->c[j];
			if (e->line != c->line)
				break;
			if (e->kind == RK_DATE && e->off == c->poff && strcmp(e->str, c->pair) == 0) {
				e->rend = 1;
				memcpy(e->pair, c->str, 11);
			}
		}
		if (!r->rfirst[0] || strcmp(c->str, r->rfirst) < 0)
			memcpy(r->rfirst, c->str, 11);
		if (!r->rlast[0] || strcmp(c->pair, r->rlast) > 0)
			memcpy(r->rlast, c->pair, 11);
	}
	/* the amounts in order, for ranks and arithmetic */
	int na = 0;
	for (int i = 0; i < r->nc; i++)
		na += r->c[i].kind == RK_AMOUNT;
	double *sorted = malloc(((size_t)na + 1) * sizeof *sorted);
	double *hs = malloc(((size_t)d->n + 1) * sizeof *hs);
	r->x = calloc((size_t)r->nc * SC_RANK_NF + 1, sizeof *r->x);
	if (!sorted || !hs || !r->x) {
		free(sorted);
		free(hs);
		sc_rdoc_free(r);
		return NULL;
	}
	na = 0;
	for (int i = 0; i < r->nc; i++)
		if (r->c[i].kind == RK_AMOUNT)
			sorted[na++] = fabs(r->c[i].num);
	qsort(sorted, (size_t)na, sizeof *sorted, cmp_double);
	/* the distinct dates in order */
	int nd = 0;
	for (int i = 0; i < r->nc; i++)
		nd += r->c[i].kind == RK_DATE;
	r->dates = malloc(((size_t)nd + 1) * sizeof *r->dates);
	if (!r->dates) {
		free(sorted);
		free(hs);
		sc_rdoc_free(r);
		return NULL;
	}
	for (int i = 0; i < r->nc; i++)
		if (r->c[i].kind == RK_DATE)
			memcpy(r->dates[r->ndates++], r->c[i].str, 11);
	qsort(r->dates, (size_t)r->ndates, sizeof *r->dates, cmp_date);
	nd = 0;
	for (int i = 0; i < r->ndates; i++)
		if (!nd || strcmp(r->dates[nd - 1], r->dates[i]) != 0)
			memcpy(r->dates[nd++], r->dates[i], 11);
	r->ndates = nd;
	for (int li = 0; li < d->n; li++)
		hs[li] = d->l[li].h;
	qsort(hs, (size_t)d->n, sizeof *hs, cmp_h);
	double medh = d->n ? hs[d->n / 2] : 16;
	/* per line: its amounts and the last one's token; the references sorted */
	r->lamt = calloc((size_t)d->n + 1, sizeof *r->lamt);
	r->lamt_tok = calloc((size_t)d->n + 1, sizeof *r->lamt_tok);
	r->refs = malloc(((size_t)r->nc + 1) * sizeof *r->refs);
	r->amt = malloc(((size_t)r->nc + 1) * sizeof *r->amt);
	if (!r->lamt || !r->lamt_tok || !r->refs || !r->amt) {
		free(sorted);
		free(hs);
		sc_rdoc_free(r);
		return NULL;
	}
	for (int i = 0; i < r->nc; i++) {
		const struct rcand *c = &r->c[i];
		if (c->kind == RK_AMOUNT && !c->split) {
			r->lamt[c->line]++;
			if (c->tok > r->lamt_tok[c->line])
				r->lamt_tok[c->line] = c->tok;
		}
		if (c->kind == RK_REF)
			r->refs[r->nrefs++] = i;
		if (c->kind == RK_AMOUNT)
			r->amt[r->namt++] = i;
	}
	sort_refs = r;
	qsort(r->refs, (size_t)r->nrefs, sizeof *r->refs, cmp_ref);
	sort_refs = NULL;
	for (int i = 0; i < r->nc; i++)
		features(r, &r->c[i], r->x + (size_t)i * SC_RANK_NF, sorted, na, medh);
	free(sorted);
	free(hs);
	return r;
}

/* The document's words as a bag, for its type: hashed words of the first
 * pages, with the title zone (first lines) apart. */
void sc_rdoc_type_features(const struct sc_pdoc *d, const char *tmpl_type, float *x)
{
	memset(x, 0, SC_TYPE_NF * sizeof *x);
	int first_lines = 0;
	for (int li = 0; li < d->n; li++) {
		const struct pline *L = &d->l[li];
		if (L->page > 3)
			break;
		int title = L->page == 1 && first_lines++ < 12;
		for (size_t i = 0; i < L->len;) {
			while (i < L->len && L->text[i] == ' ')
				i++;
			size_t b = i;
			while (i < L->len && L->text[i] != ' ')
				i++;
			if (i > b) {
				char k[64];
				size_t kl = word_key(L->text + b, i - b, k, sizeof k);
				if (!kl)
					continue;
				uint32_t h = fnv(k, kl, SC_FNV32_OFFSET);
				x[2 + h % 200] += 1;
				if (title)
					x[202 + h % 54] = 1;
			}
		}
	}
	for (int k = 2; k < 202; k++)
		x[k] = (float)log1p(x[k]);
	x[0] = (float)d->pages;
	x[1] = (float)d->n;
	if (tmpl_type && strcmp(tmpl_type, "other") != 0) {
		x[256 + fnv(tmpl_type, strlen(tmpl_type), SC_FNV32_OFFSET) % 7] = 1;
		x[263] = 1;
	}
}
