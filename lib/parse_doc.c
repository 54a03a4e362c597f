/*
 * parse_doc.c - one document's key elements, read from its lines
 * (parse_pdoc.c): every template label found in one trie pass, the document type, labelled fields (value to the right, or
 * below inside the label's box), and line items assigned to the table's
 * columns by their positions under the header.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_rank.h"

struct hit {
	int line;
	size_t off, end, vend;    /* label start, end, value start (after separators) */
	const struct use *u;
	int nu;
	int longest;              /* the longest label at this start (fields, columns, ends) */
};

struct ctx {
	const struct sc_parse *p;
	const struct sc_pdoc *d;
	struct hit *h;
	int nh, caph;
	int t;                    /* chosen template, -1 for none */
	int mdy;
};

/* ---- geometry -------------------------------------------------------------- */

static double char_w(const char *s, size_t i, size_t *adv)
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
static double line_x(const struct pline *L, size_t off)
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
		double w = char_w(L->text, i, &adv);
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
static int line_slice(const struct pline *L, double x0, double x1, size_t *b, size_t *e)
{
	if (line_slice_chars(L, x0, x1, b, e) < 0)
		return -1;
	size_t ws = *b, we = *b;
	while (ws > 0 && L->text[ws - 1] != ' ')
		ws--;
	while (we < L->len && L->text[we] != ' ')
		we++;
	if (ws < *b) {
		double cx = (line_x(L, ws) + line_x(L, we)) / 2;
		*b = cx >= x0 ? ws : we;
	}
	ws = *e, we = *e;
	while (ws > 0 && L->text[ws - 1] != ' ')
		ws--;
	while (we < L->len && L->text[we] != ' ')
		we++;
	if (we > *e) {
		double cx = (line_x(L, ws) + line_x(L, we)) / 2;
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
			double cx = (line_x(L, i) + line_x(L, i + adv)) / 2;
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
		tot += L->box ? char_w(L->text, i, &adv) : ((unsigned char)L->text[i] >= 0xe0 ? (adv = 3, 2.0)
		                                                : (adv = ((unsigned char)L->text[i] >= 0xc0 ? 2 : 1), 1.0));
		i += adv;
	}
	double scale = L->box ? (tot > 0 ? L->w / tot : 0) : 10;
	double acc = 0;
	int have = 0;
	for (size_t i = 0; i < L->len;) {
		size_t adv;
		double w = L->box ? char_w(L->text, i, &adv)
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

static int same_row(const struct pline *a, const struct pline *b)
{
	if (a->page != b->page)
		return 0;
	double top = fmax(a->y, b->y), bot = fmin(a->y + a->h, b->y + b->h);
	return bot - top > 0.5 * fmin(a->h, b->h);
}

/* ---- hits ------------------------------------------------------------------ */

struct walk {
	struct ctx *c;
	int line;
	size_t start;
	int last;   /* index of the last field/column/end hit from this start */
};

static int has_kind(const struct use *u, int n, int field_like)
{
	for (int k = 0; k < n; k++)
		if (field_like ? (u[k].kind == U_FIELD || u[k].kind == U_COLUMN || u[k].kind == U_END)
		               : (u[k].kind == U_DETECT || u[k].kind == U_TITLE))
			return 1;
	return 0;
}

static void on_hit(void *vctx, size_t end, const struct use *u, int nu)
{
	struct walk *w = vctx;
	struct ctx *c = w->c;
	if (c->nh == c->caph) {
		int nc = c->caph ? c->caph * 2 : 256;
		struct hit *nh = realloc(c->h, (size_t)nc * sizeof *nh);
		if (!nh)
			return;
		c->h = nh, c->caph = nc;
	}
	const struct pline *L = &c->d->l[w->line];
	size_t v = end;
	while (v < L->len && (L->text[v] == ' ' || L->text[v] == ':' || L->text[v] == '.' || L->text[v] == '#' ||
	                      L->text[v] == '/' || L->text[v] == '-' || L->text[v] == '|'))
		v++;
	struct hit *h = &c->h[c->nh];
	h->line = w->line, h->off = w->start, h->end = end, h->vend = v, h->u = u, h->nu = nu, h->longest = 0;
	if (has_kind(u, nu, 1)) {
		if (w->last >= 0)
			c->h[w->last].longest = 0;
		h->longest = 1;
		w->last = c->nh;
	}
	c->nh++;
}

static int word_start(const char *s, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	if ((c & 0xc0) == 0x80)
		return 0;
	if (c >= 0x80)
		return 1;
	if (i == 0)
		return 1;
	unsigned char p = (unsigned char)s[i - 1];
	int an = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	int pan = (p >= '0' && p <= '9') || (p >= 'a' && p <= 'z') || (p >= 'A' && p <= 'Z');
	return !(an && pan);
}

static void find_hits(struct ctx *c)
{
	for (int k = 0; k < c->d->n; k++) {
		struct pline *L = &c->d->l[k];
		L->hit0 = c->nh;
		for (size_t i = 0; i < L->len; i++) {
			if (!word_start(L->text, i) || L->text[i] == ' ')
				continue;
			struct walk w = {c, k, i, -1};
			sc_trie_walk(c->p, L->text, L->len, i, on_hit, &w);
		}
		/* a field label inside a longer one ("net weight" in "total net weight") is not a label */
		for (int a = L->hit0; a < c->nh; a++) {
			if (!c->h[a].longest)
				continue;
			for (int b = L->hit0; b < c->nh; b++)
				if (b != a && c->h[b].longest && c->h[b].off <= c->h[a].off && c->h[b].end >= c->h[a].end &&
				    (c->h[b].end - c->h[b].off) > (c->h[a].end - c->h[a].off)) {
					c->h[a].longest = 0;
					break;
				}
		}
		L->nhit = c->nh - L->hit0;
	}
}

/* ---- classification --------------------------------------------------------- */

static int in_title_zone(const struct sc_pdoc *d, const struct pline *L, int idx)
{
	if (L->page != 1)
		return 0;
	if (L->box && d->ph[0] > 0)
		return L->y < d->ph[0] * 0.3;
	return idx < 12;
}

static void classify(struct ctx *c, double *scores)
{
	const struct sc_parse *p = c->p;
	for (int t = 0; t < p->nt; t++)
		scores[t] = 0;
	/* each phrase counts once per document */
	unsigned char *seen = calloc((size_t)p->nuses + 1, 1);
	for (int k = 0; k < c->nh; k++) {
		const struct hit *h = &c->h[k];
		for (int j = 0; j < h->nu; j++) {
			const struct use *u = &h->u[j];
			if (u->kind != U_DETECT && u->kind != U_TITLE)
				continue;
			size_t ui = (size_t)(u - p->uses);
			if (u->kind == U_TITLE && !in_title_zone(c->d, &c->d->l[h->line], h->line))
				continue;
			if (seen && seen[ui])
				continue;
			if (seen)
				seen[ui] = 1;
			scores[u->tmpl] += u->weight;
		}
	}
	free(seen);
}

static int best_template(const struct sc_parse *p, const double *scores, double *conf)
{
	int best = -1;
	double b = 0, second = 0;
	for (int t = 0; t < p->nt; t++) {
		if (t == p->common)
			continue;
		if (best < 0 || scores[t] > b) {
			if (best >= 0 && strcmp(p->t[best].type, p->t[t].type) != 0)
				second = fmax(second, b);
			best = t, b = scores[t];
		} else if (strcmp(p->t[best].type, p->t[t].type) != 0) {
			second = fmax(second, scores[t]);
		}
	}
	if (best < 0 || b < p->t[best].min_score) {
		*conf = best < 0 ? 0 : fmin(0.99, 1 - b / (p->t[best].min_score * 2));
		return -1;
	}
	double margin = (b - second) / (b + 1e-9);
	*conf = fmin(0.99, 0.5 + 0.5 * margin * fmin(1, b / (2 * p->t[best].min_score)));
	return best;
}

/* ---- value extraction ------------------------------------------------------- */

static int isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int isalpha_(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void trim(const char *s, size_t *b, size_t *e)
{
	while (*b < *e && strchr(" :.,;#|-/_()[]", s[*b]))
		(*b)++;
	while (*e > *b && strchr(" :,;|-_(", s[*e - 1]))
		(*e)--;
}

static int meaningful(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isdig(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0xe0)
			return 1;
	}
	return 0;
}

static json_t *num(double v)
{
	/* values as printed: round away binary noise */
	return json_real(round(v * 10000) / 10000);
}

struct val {
	json_t *v;
	size_t off, len;     /* raw span within the region */
	double q;            /* quality 0..1 */
	json_t *extra;       /* currency found with money; party parts */
};

/* A reference: the first token with a digit, 3 to 40 characters of letters,
 * digits and - / . */
static int get_ref(const char *s, size_t n, struct val *o)
{
	for (size_t i = 0; i < n;) {
		while (i < n && s[i] == ' ')
			i++;
		size_t j = i;
		int dig = 0, bad = 0;
		while (j < n && s[j] != ' ') {
			unsigned char c = (unsigned char)s[j];
			if (isdig(c))
				dig++;
			else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || strchr("-/.", c)))
				bad = 1;
			j++;
		}
		size_t b = i, e = j;
		/* "INV- 2026-09564": OCR split a reference at its hyphen */
		if (!bad && j < n && j > i && (s[j - 1] == '-' || s[j - 1] == '/') && j + 1 < n &&
		    isdig((unsigned char)s[j + 1])) {
			size_t k = j + 1;
			while (k < n && s[k] != ' ')
				k++;
			e = j = k;
			dig = 1;
		}
		/* "HDMU5 14432082": OCR split a carrier's reference after its code */
		if (!bad && j - i >= 4 && j - i <= 8 && j < n) {
			int lead = 0;
			while (i + lead < j && s[i + lead] >= 'A' && s[i + lead] <= 'Z')
				lead++;
			int alld = lead == 4;
			for (size_t k = i + 4; alld && k < j; k++)
				alld = isdig((unsigned char)s[k]);
			size_t k = j + 1, nd = 0;
			while (k < n && isdig((unsigned char)s[k]))
				k++, nd++;
			if (alld && nd >= 4 && (k == n || s[k] == ' ') && (j - i - 4) + nd >= 8 && (j - i - 4) + nd <= 12)
				e = j = k;
		}
		while (e > b && strchr(".,;:/-", s[e - 1]))
			e--;
		while (b < e && strchr("/-.", s[b]))
			b++;
		if (!bad && dig && e - b >= 3 && e - b <= 40) {
			char buf[48];
			size_t o2 = 0;
			for (size_t k = b; k < e && o2 < sizeof buf - 1; k++)
				if (s[k] != ' ')
					buf[o2++] = s[k];
			/* a lower-case l among capitals and digits is a capital I (Cl-2026 is CI-2026) */
			for (size_t k = 0; k < o2; k++)
				if (buf[k] == 'l' && (k == 0 || !(buf[k - 1] >= 'a' && buf[k - 1] <= 'z')) &&
				    (k + 1 >= o2 || !(buf[k + 1] >= 'a' && buf[k + 1] <= 'z')))
					buf[k] = 'I';
			o->v = sc_parse_jstrn(buf, o2);
			o->off = b, o->len = e - b, o->q = 0.95;
			return 0;
		}
		i = j;
	}
	return -1;
}

static int get_value(const struct ctx *c, enum kind k, const char *s, size_t n, struct val *o)
{
	struct sc_span sp = {0, 0};
	char buf[40];
	o->extra = NULL;
	o->q = 0.9;
	switch (k) {
	case K_TEXT: {
		size_t b = 0, e = n;
		trim(s, &b, &e);
		if (!meaningful(s + b, e - b) || e - b > 300)
			return -1;
		o->v = sc_parse_jstrn(s + b, e - b);
		o->off = b, o->len = e - b;
		return 0;
	}
	case K_REF:
		return get_ref(s, n, o);
	case K_DATE:
		if (sc_norm_date(s, n, c->mdy, buf, &sp) < 0)
			return -1;
		o->v = json_string(buf);
		break;
	case K_AMOUNT:
	case K_MONEY: {
		double v;
		int dec;
		/* skip numbers that are part of a date or a reference before the amount */
		if (sc_norm_amount(s, n, &v, &dec, &sp) < 0)
			return -1;
		o->v = num(v);
		if (k == K_MONEY && sc_norm_currency(s, n, buf, NULL) == 0)
			o->extra = json_string(buf);
		break;
	}
	case K_WEIGHT: {
		double kg;
		if (sc_norm_weight(s, n, 1, &kg, &sp) < 0)
			return -1;
		o->v = num(kg);
		break;
	}
	case K_INT: {
		double v;
		int dec;
		if (sc_norm_amount(s, n, &v, &dec, &sp) < 0 || dec != 0 || v < 0 || v > 1e9)
			return -1;
		o->v = json_integer((json_int_t)v);
		break;
	}
	case K_COUNTRY:
		if (sc_norm_country(s, n, buf, &sp) < 0)
			return -1;
		o->v = json_string(buf);
		break;
	case K_PORT:
		if (sc_norm_port(c->p->ports, s, n, buf, &sp) < 0)
			return -1;
		o->v = json_string(buf);
		break;
	case K_INCOTERM:
		if (sc_norm_incoterm(s, n, buf, &sp) < 0)
			return -1;
		o->v = json_string(buf);
		break;
	case K_CURRENCY:
		if (sc_norm_currency(s, n, buf, &sp) < 0)
			return -1;
		o->v = json_string(buf);
		break;
	case K_HS: {
		int st;
		if (sc_norm_hs(s, n, c->p->hs, buf, &st, &sp) < 0 || st == SC_HS_BAD_CHAPTER)
			return -1;
		o->v = json_string(buf);
		o->q = st == SC_HS_OK ? 0.95 : 0.6;
		break;
	}
	case K_UNIT: {
		const char *u;
		if (sc_norm_unit(s, n, &u, &sp) < 0)
			return -1;
		o->v = json_string(u);
		break;
	}
	case K_SEALS: {
		json_t *a = json_array();
		struct val r;
		size_t i = 0, first = 0, last = 0;
		while (i < n && json_array_size(a) < 20 && get_ref(s + i, n - i, &r) == 0) {
			char cn[12];
			int rep;
			const char *rs = json_string_value(r.v);
			if (strlen(rs) < 5 || sc_norm_container(rs, strlen(rs), cn, &rep, NULL) != -1) {
				/* a container (or a piece of one), not a seal */
				json_decref(r.v);
				i += r.off + r.len;
				continue;
			}
			if (!json_array_size(a))
				first = i + r.off;
			json_array_append(a, r.v);
			json_decref(r.v);
			last = i + r.off + r.len;
			i += r.off + r.len;
		}
		if (!json_array_size(a)) {
			json_decref(a);
			return -1;
		}
		o->v = a;
		o->off = first, o->len = last - first;
		return 0;
	}
	default:
		return -1;
	}
	o->off = sp.off, o->len = sp.len;
	return 0;
}

/* ---- regions next to a label ------------------------------------------------ */

static int is_cut(const struct ctx *c, const struct hit *h)
{
	if (!h->longest)
		return 0;
	for (int j = 0; j < h->nu; j++) {
		const struct use *u = &h->u[j];
		if ((u->kind == U_FIELD || u->kind == U_COLUMN) && (u->tmpl == c->t || u->tmpl == c->p->common))
			return 1;
	}
	return 0;
}

/* The first label cut on line li at or after byte off (its offset, or len). */
static size_t next_cut(const struct ctx *c, int li, size_t off)
{
	const struct pline *L = &c->d->l[li];
	size_t best = L->len;
	for (int k = L->hit0; k < L->hit0 + L->nhit; k++)
		if (c->h[k].off >= off && c->h[k].off < best && is_cut(c, &c->h[k]))
			best = c->h[k].off;
	return best;
}

/* Where the box of a label ends on the right: the next label on its row. */
static double box_right(const struct ctx *c, const struct hit *h)
{
	const struct pline *L = &c->d->l[h->line];
	double xe = L->page <= 64 ? c->d->pw[L->page - 1] : 1e9;
	if (xe <= 0)
		xe = 1e9;
	size_t nc = next_cut(c, h->line, h->end);
	if (nc < L->len)
		return line_x(L, nc);
	double hx = line_x(L, h->off);
	for (int k = 0; k < c->d->n; k++) {
		const struct pline *M = &c->d->l[k];
		if (k == h->line || !same_row(L, M) || M->x <= hx + 1)
			continue;
		for (int j = M->hit0; j < M->hit0 + M->nhit; j++)
			if (is_cut(c, &c->h[j])) {
				double x = line_x(M, c->h[j].off);
				if (x > hx && x < xe)
					xe = x;
			}
	}
	return xe;
}

/* If a label of field `self` starts at b on line li, the offset after it. */
static size_t label_end_at(const struct ctx *c, int li, size_t b, const char *self)
{
	const struct pline *L = &c->d->l[li];
	if (!self)
		return b;
	for (int k = L->hit0; k < L->hit0 + L->nhit; k++) {
		const struct hit *h = &c->h[k];
		if (!h->longest || h->off != b)
			continue;
		for (int j = 0; j < h->nu; j++) {
			const struct use *u = &h->u[j];
			if (u->kind == U_FIELD && (u->tmpl == c->t || u->tmpl == c->p->common) &&
			    strcmp(c->p->t[u->tmpl].fields[u->index].name, self) == 0)
				return h->vend;
		}
	}
	return b;
}

struct region {
	int line;
	size_t b, e;
	double q;
};

/* Lines below a label, inside [x0, x1): up to max of them, nearest first. */
static size_t label_end_at(const struct ctx *c, int li, size_t b, const char *self);

static int below(const struct ctx *c, const struct hit *h, double x0, double x1, struct region *out, int max,
                 const char *self)
{
	const struct pline *L = &c->d->l[h->line];
	int n = 0;
	double cur_bottom = L->y + L->h;
	double lh = L->h;
	int used[64];
	while (n < max) {
		int best = -1;
		double by = 0;
		for (int k = 0; k < c->d->n; k++) {
			const struct pline *M = &c->d->l[k];
			/* a small label over a larger value: the gap scales with the larger */
			if (M->page != L->page || M->y + M->h * 0.5 <= cur_bottom ||
			    M->y > cur_bottom + 2.2 * fmax(lh, fmin(M->h, 3 * lh)))
				continue;
			if (M->x >= x1 || M->x + M->w <= x0)
				continue;
			/* a box's value starts under its label (or the line spans the box) */
			if (M->x > x0 + fmax(3 * L->h, 0.08 * (x1 - x0)) && M->x > x0 + 4 * L->h)
				continue;
			int dup = 0;
			for (int u = 0; u < n; u++)
				dup |= used[u] == k;
			if (dup)
				continue;
			if (best < 0 || M->y < by)
				best = k, by = M->y;
		}
		if (best < 0)
			break;
		const struct pline *M = &c->d->l[best];
		size_t b, e;
		double tol = (x1 - x0) * 0.02;
		if (line_slice(M, x0 - tol, x1, &b, &e) < 0)
			break;
		/* a wide gap between words ends the box (columns OCR merged) */
		for (int q = 0; q + 1 < M->na; q++) {
			if (M->a[q].off < b || M->a[q + 1].off >= e)
				continue;
			if (M->a[q + 1].x0 - M->a[q].x1 > 3.0 * M->h) {
				e = M->a[q].off + M->a[q].len;
				break;
			}
		}
		/* the value may repeat the field's own label (随附单证: 发票 RW-2026-04817) */
		b = label_end_at(c, best, b, self);
		if (b >= e)
			break;   /* the box holds its label and nothing more */
		size_t cut = next_cut(c, best, b);
		/* a line that starts with another label ends the box */
		if (cut == b || (cut < e && cut <= b + 1))
			break;
		if (cut < e)
			e = cut;
		used[n] = best;
		out[n].line = best, out[n].b = b, out[n].e = e, out[n].q = 0.85;
		n++;
		cur_bottom = M->y + M->h;
		lh = M->h;
	}
	return n;
}

static json_t *bbox_of(const struct pline *L, size_t b, size_t e)
{
	if (!L->box)
		return NULL;
	double x0 = line_x(L, b), x1 = line_x(L, e);
	return json_pack("[iiii]", (int)lround(x0), (int)lround(L->y), (int)lround(x1 - x0), (int)lround(L->h));
}

static json_t *field_obj(const struct ctx *c, struct val *v, int li, size_t base, double q)
{
	const struct pline *L = &c->d->l[li];
	size_t b = base + v->off, e = base + v->off + v->len;
	double conf = (L->conf >= 0 ? L->conf / 100.0 : 0.9) * q * v->q;
	json_t *f = json_object();
	json_object_set_new(f, "value", v->v);
	json_object_set_new(f, "raw", sc_parse_jstrn(L->text + b, e - b));
	json_object_set_new(f, "conf", json_real(round(fmin(conf, 1) * 100) / 100));
	json_object_set_new(f, "page", json_integer(L->page));
	json_t *bb = bbox_of(L, b, e);
	if (bb)
		json_object_set_new(f, "bbox", bb);
	if (v->extra)
		json_object_set_new(f, "currency", v->extra);
	return f;
}

/* Try the regions of one label hit for a value of kind k. */
static json_t *from_hit(const struct ctx *c, const struct field *F, const struct hit *h)
{
	const struct pline *L = &c->d->l[h->line];
	struct val v;
	struct region r[6];

	if (F->kind == K_PARTY) {
		/* a block: the rest of the label's line, then the lines below in its box,
		 * whose left edge is the line's when the label opens it ("Bill To / Buyer:") */
		double x0 = line_x(L, h->off), x1 = box_right(c, h);
		if (h->off <= 16)
			x0 = fmin(x0, L->x);
		int nr = 0;
		size_t cut = next_cut(c, h->line, h->vend);
		size_t b = h->vend, e = cut;
		trim(L->text, &b, &e);
		/* "17" before the next box's label is that box's number, not a name */
		int letters = 0;
		for (size_t q = b; q < e; q++)
			letters += isalpha_((unsigned char)L->text[q]) || (unsigned char)L->text[q] >= 0xe0;
		if (!F->below && letters >= 2 && meaningful(L->text + b, e - b)) {
			r[0].line = h->line, r[0].b = b, r[0].e = e, r[0].q = 1;
			nr = 1;
		}
		nr += below(c, h, x0, x1, r + nr, 5 - nr, F->name);
		if (!nr)
			return NULL;
		const struct pline *N = &c->d->l[r[0].line];
		size_t nb = r[0].b, ne = r[0].e;
		trim(N->text, &nb, &ne);
		if (!meaningful(N->text + nb, ne - nb) || ne - nb < 3)
			return NULL;
		json_t *f = json_object();
		json_t *name = sc_parse_jstrn(N->text + nb, ne - nb);
		char a2[3], id[19];
		json_t *addr = json_array();
		json_t *country = NULL, *idv = NULL;
		for (int k = 0; k < nr; k++) {
			const struct pline *M = &c->d->l[r[k].line];
			size_t mb = r[k].b, me = r[k].e;
			trim(M->text, &mb, &me);
			struct sc_span sp;
			if (!idv && sc_norm_uscc(M->text + mb, me - mb, id, &sp) == 0)
				idv = json_string(id);
			if (sc_norm_country(M->text + mb, me - mb, a2, NULL) == 0)
				country = (json_decref(country), json_string(a2));
			if (k > 0 && me > mb)
				json_array_append_new(addr, sc_parse_jstrn(M->text + mb, me - mb));
		}
		/* a name with an id glued on (境内收货人 name + USCC, read right or not):
		 * the name ends before the first long token with digits */
		{
			const char *ns = json_string_value(name);
			for (const char *t = strchr(ns, ' '); t; t = strchr(t + 1, ' ')) {
				const char *w = t + 1;
				size_t wl = strcspn(w, " ");
				int digs = 0;
				for (size_t q = 0; q < wl; q++)
					digs += isdig((unsigned char)w[q]);
				if (wl >= 15 && wl <= 20 && digs >= 6) {
					size_t L2 = (size_t)(t - ns);
					json_t *nn = sc_parse_jstrn(ns, L2);
					json_decref(name);
					name = nn;
					break;
				}
			}
		}
		/* a name with the id glued on (境内收货人 name + USCC) */
		if (idv) {
			const char *ns = json_string_value(name);
			const char *at = strstr(ns, json_string_value(idv));
			if (at && at > ns) {
				size_t L2 = (size_t)(at - ns);
				while (L2 && ns[L2 - 1] == ' ')
					L2--;
				json_t *nn = sc_parse_jstrn(ns, L2);
				json_decref(name);
				name = nn;
			}
		}
		double conf = (N->conf >= 0 ? N->conf / 100.0 : 0.9) * r[0].q;
		json_object_set_new(f, "value", name);
		json_object_set_new(f, "raw", sc_parse_jstrn(N->text + nb, ne - nb));
		json_object_set_new(f, "conf", json_real(round(conf * 100) / 100));
		json_object_set_new(f, "page", json_integer(N->page));
		json_t *bb = bbox_of(N, nb, ne);
		if (bb)
			json_object_set_new(f, "bbox", bb);
		if (json_array_size(addr))
			json_object_set_new(f, "address", addr);
		else
			json_decref(addr);
		if (country)
			json_object_set_new(f, "country", country);
		if (idv)
			json_object_set_new(f, "id", idv);
		return f;
	}

	/* 1: the rest of the line, up to the next label */
	int tries = 0;
	for (int pass = 0; pass < 2; pass++) {
		int same_line_first = !F->below;
		if ((pass == 0) == same_line_first) {
			size_t cut = next_cut(c, h->line, h->vend);
			if (cut > h->vend && get_value(c, F->kind, L->text + h->vend, cut - h->vend, &v) == 0)
				return field_obj(c, &v, h->line, h->vend, 1.0);
			/* 2: another line on the same row, to the right */
			if (cut >= L->len || cut == h->vend) {
				double lx = line_x(L, h->end);
				int best = -1;
				for (int k = 0; k < c->d->n; k++) {
					const struct pline *M = &c->d->l[k];
					if (k == h->line || !same_row(L, M) || M->x < lx - 2)
						continue;
					if (best < 0 || M->x < c->d->l[best].x)
						best = k;
				}
				if (best >= 0) {
					const struct pline *M = &c->d->l[best];
					size_t mc = next_cut(c, best, 0);
					if (mc > 0 && get_value(c, F->kind, M->text, mc, &v) == 0)
						return field_obj(c, &v, best, 0, 0.95);
				}
			}
		} else {
			/* 3: below, inside the label's box */
			double x0 = line_x(L, h->off), x1 = box_right(c, h);
			int nr = below(c, h, x0 - (x1 - x0) * 0.05, x1, r, F->kind == K_SEALS ? 4 : 1, F->name);
			json_t *got = NULL;
			for (int k = 0; k < nr; k++) {
				const struct pline *M = &c->d->l[r[k].line];
				if (get_value(c, F->kind, M->text + r[k].b, r[k].e - r[k].b, &v) == 0) {
					if (F->kind != K_SEALS)
						return field_obj(c, &v, r[k].line, r[k].b, r[k].q);
					/* seals: one per container row, all of them */
					if (!got) {
						got = field_obj(c, &v, r[k].line, r[k].b, r[k].q);
					} else {
						json_array_extend(json_object_get(got, "value"), v.v);
						json_decref(v.v);
					}
				}
			}
			if (got)
				return got;
		}
		tries++;
	}
	return NULL;
}

/* ---- fields ---------------------------------------------------------------- */

struct cand {
	int hit;
	int rank;
	const struct field *f;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return x->hit - y->hit;
}

static void extract_fields(struct ctx *c, json_t *fields)
{
	const struct sc_parse *p = c->p;
	int tl[2] = {c->t, p->common};
	struct cand *cv = malloc(((size_t)c->nh + 1) * sizeof *cv);
	if (!cv)
		return;
	for (int ti = 0; ti < 2; ti++) {
		if (tl[ti] < 0)
			continue;
		const struct tmpl *T = &p->t[tl[ti]];
		for (int fi = 0; fi < T->nfields; fi++) {
			const struct field *F = &T->fields[fi];
			if (json_object_get(fields, F->name))
				continue;
			int nc = 0;
			for (int k = 0; k < c->nh; k++) {
				const struct hit *h = &c->h[k];
				if (!h->longest)
					continue;
				for (int j = 0; j < h->nu; j++) {
					const struct use *u = &h->u[j];
					if (u->kind != U_FIELD || (u->tmpl != c->t && u->tmpl != p->common))
						continue;
					if (strcmp(p->t[u->tmpl].fields[u->index].name, F->name) != 0)
						continue;
					cv[nc].hit = k;
					cv[nc].rank = (u->tmpl == c->t ? 0 : 1000) + u->rank;
					cv[nc].f = F;
					nc++;
					break;
				}
			}
			qsort(cv, (size_t)nc, sizeof *cv, cmp_cand);
			/* a page of nothing but labels must not cost labels x lines: the
			 * strongest 64 candidates are enough */
			if (nc > 64)
				nc = 64;
			json_t *got = NULL;
			for (int a = 0; a < nc && !got;) {
				/* within one rank, pick: last means the last on the page wins */
				int z = a;
				while (z < nc && cv[z].rank == cv[a].rank)
					z++;
				if (F->pick_last)
					for (int k = z - 1; k >= a && !got; k--)
						got = from_hit(c, F, &c->h[cv[k].hit]);
				else
					for (int k = a; k < z && !got; k++)
						got = from_hit(c, F, &c->h[cv[k].hit]);
				a = z;
			}
			if (got)
				json_object_set_new(fields, F->name, got);
		}
	}
	free(cv);
}

/* Self-validating values need no label: containers (ISO 6346) and IBANs. */
static void scan_checked(struct ctx *c, json_t *fields, json_t *notes)
{
	json_t *vals = json_array(), *raws = json_array();
	json_t *first = NULL;
	double conf = 1;
	for (int k = 0; k < c->d->n; k++) {
		const struct pline *L = &c->d->l[k];
		size_t i = 0;
		while (i < L->len) {
			char out[12];
			int rep;
			struct sc_span sp;
			int rc = sc_norm_container(L->text + i, L->len - i, out, &rep, &sp);
			if (rc == -1)
				break;
			if (rc == 0) {
				int dup = 0;
				size_t q;
				json_t *x;
				json_array_foreach(vals, q, x)
					dup |= strcmp(json_string_value(x), out) == 0;
				if (!dup) {
					json_array_append_new(vals, json_string(out));
					json_array_append_new(raws, sc_parse_jstrn(L->text + i + sp.off, sp.len));
					double lc = (L->conf >= 0 ? L->conf / 100 : 0.9) * (rep ? 0.9 : 1);
					conf = fmin(conf, lc);
					if (!first) {
						first = json_object();
						json_object_set_new(first, "page", json_integer(L->page));
						json_t *bb = bbox_of(L, i + sp.off, i + sp.off + sp.len);
						if (bb)
							json_object_set_new(first, "bbox", bb);
					}
				}
			} else if (notes && json_array_size(notes) < 50) {
				json_array_append_new(notes, json_pack("{s:s,s:s%,s:s,s:i}", "field", "containers", "raw",
				                                       L->text + i + sp.off, sp.len, "msg",
				                                       "ISO 6346 check digit fails", "page", L->page));
			}
			i += sp.off + sp.len;
		}
	}
	if (json_array_size(vals)) {
		json_t *f = json_object();
		json_object_set_new(f, "value", vals);
		json_object_set_new(f, "raw", raws);
		json_object_set_new(f, "conf", json_real(round(conf * 100) / 100));
		json_object_update(f, first);
		json_decref(first);
		json_object_set_new(fields, "containers", f);
	} else {
		json_decref(vals);
		json_decref(raws);
		json_decref(first);
	}
	for (int k = 0; k < c->d->n && !json_object_get(fields, "iban"); k++) {
		const struct pline *L = &c->d->l[k];
		char out[35];
		struct sc_span sp;
		int rc = sc_norm_iban(L->text, L->len, out, &sp);
		if (rc == 0) {
			struct val v = {json_string(out), sp.off, sp.len, 1, NULL};
			json_object_set_new(fields, "iban", field_obj(c, &v, k, 0, 1));
		} else if (rc == -2 && notes && json_array_size(notes) < 50) {
			json_array_append_new(notes, json_pack("{s:s,s:s%,s:s,s:i}", "field", "iban", "raw", L->text + sp.off,
			                                       sp.len, "msg", "IBAN check digits fail", "page", L->page));
		}
	}
}

/* ---- line items --------------------------------------------------------------- */

struct col {
	const struct field *f;
	double x0, x1, xc;
	int numeric;
};

struct tok {
	size_t b, e;
	double x0, x1, xc;
	int numish;     /* starts with a digit: a number, maybe with a unit glued on */
	int hs;
	int col;
};

static int col_numeric(const struct field *f)
{
	return f->kind == K_AMOUNT || f->kind == K_WEIGHT || f->kind == K_INT || f->kind == K_QTY_UNIT ||
	       f->kind == K_STACK;
}

static int cmp_col(const void *a, const void *b)
{
	const struct col *x = a, *y = b;
	return x->x0 < y->x0 ? -1 : x->x0 > y->x0;
}

static int tokenize(const struct pline *L, struct tok *t, int max, const struct sc_parse *p)
{
	int n = 0;
	size_t i = 0;
	while (i < L->len && n < max) {
		while (i < L->len && (L->text[i] == ' ' || L->text[i] == '|'))
			i++;
		if (i >= L->len)
			break;
		size_t j = i;
		while (j < L->len && L->text[j] != ' ' && L->text[j] != '|')
			j++;
		t[n].b = i, t[n].e = j;
		t[n].x0 = line_x(L, i), t[n].x1 = line_x(L, j);
		t[n].xc = (t[n].x0 + t[n].x1) / 2;
		t[n].numish = isdig((unsigned char)L->text[i]) || (L->text[i] == '-' && j > i + 1 &&
		                                                   isdig((unsigned char)L->text[i + 1]));
		char d[11];
		int st;
		struct sc_span sp;
		t[n].hs = (j - i) >= 6 && sc_norm_hs(L->text + i, j - i, p->hs, d, &st, &sp) == 0 && sp.off == 0 &&
		          sp.len == j - i && st != SC_HS_BAD_CHAPTER && strlen(d) >= 6;
		/* a number with thousands marks or decimals is not an HS code */
		if (t[n].hs && (memchr(L->text + i, ',', j - i) || ((j - i) < 8 && memchr(L->text + i, '.', j - i) &&
		                                                   strlen(d) < 6)))
			t[n].hs = 0;
		t[n].col = -1;
		n++;
		i = j;
	}
	return n;
}

/* Assign the numeric tokens to numeric columns in order (monotone), nearest
 * centres; a token may stay out (it belongs to a text cell) at a fixed cost. */
static void assign_numeric(struct tok *t, int nt, const struct col *cols, int nc, double pagew)
{
	int ti[64], ci[32];
	int n = 0, m = 0;
	for (int k = 0; k < nt && n < 64; k++)
		if (t[k].numish && !t[k].hs)
			ti[n++] = k;
	for (int k = 0; k < nc && m < 32; k++)
		if (cols[k].numeric)
			ci[m++] = k;
	if (!n || !m)
		return;
	/* dp[i][j]: best cost placing the first i tokens using the first j columns */
	static const double SKIP = 0.12;
	double dp[65][33];
	unsigned char how[65][33];   /* 0 skip token, 1 skip column, 2 match */
	for (int i = 0; i <= n; i++)
		for (int j = 0; j <= m; j++) {
			if (i == 0 && j == 0) {
				dp[0][0] = 0;
				continue;
			}
			double best = 1e18;
			unsigned char bh = 0;
			if (i > 0 && dp[i - 1][j] + SKIP < best)
				best = dp[i - 1][j] + SKIP, bh = 0;
			if (j > 0 && dp[i][j - 1] < best)
				best = dp[i][j - 1], bh = 1;
			if (i > 0 && j > 0) {
				const struct col *C = &cols[ci[j - 1]];
				const struct tok *T = &t[ti[i - 1]];
				/* right-aligned numbers end near the header's right edge */
				double d = fmin(fabs(T->xc - C->xc), fabs(T->x1 - C->x1)) / pagew;
				if (dp[i - 1][j - 1] + d < best)
					best = dp[i - 1][j - 1] + d, bh = 2;
			}
			dp[i][j] = best, how[i][j] = bh;
		}
	for (int i = n, j = m; i > 0 || j > 0;) {
		unsigned char h = how[i][j];
		if (h == 2) {
			t[ti[i - 1]].col = ci[j - 1];
			i--, j--;
		} else if (h == 1) {
			j--;
		} else {
			i--;
		}
	}
}

static void item_set(json_t *it, const char *key, json_t *v, int append)
{
	if (!v)
		return;
	json_t *old = json_object_get(it, key);
	if (old && append && json_is_string(old) && json_is_string(v)) {
		size_t a = json_string_length(old), b = json_string_length(v);
		char *s = malloc(a + b + 2);
		if (s) {
			memcpy(s, json_string_value(old), a);
			s[a] = ' ';
			memcpy(s + a + 1, json_string_value(v), b);
			json_object_set_new(it, key, sc_parse_jstrn(s, a + b + 1));
			free(s);
		}
		json_decref(v);
		return;
	}
	if (old) {
		json_decref(v);
		return;
	}
	json_object_set_new(it, key, v);
}

/* Put a cell's text into the item under key, read as that key's kind. */
static void cell_value(const struct ctx *c, json_t *it, const char *key, enum kind k, const char *s, size_t n,
                       int append)
{
	struct val v;
	if (!n)
		return;
	if (strcmp(key, "ignore") == 0)
		return;
	if (strcmp(key, "qty_unit") == 0 || k == K_QTY_UNIT) {
		double x;
		int dec;
		struct sc_span sp;
		const char *u;
		if (sc_norm_amount(s, n, &x, &dec, &sp) == 0)
			item_set(it, "qty", num(x), 0);
		if (sc_norm_unit(s, n, &u, NULL) == 0)
			item_set(it, "unit", json_string(u), 0);
		return;
	}
	static const struct { const char *key; enum kind k; } KK[] = {
		{"no", K_INT}, {"description", K_TEXT}, {"hs", K_HS}, {"qty", K_AMOUNT}, {"unit", K_UNIT},
		{"unit_price", K_AMOUNT}, {"amount", K_AMOUNT}, {"net_kg", K_WEIGHT}, {"gross_kg", K_WEIGHT},
		{"packages", K_INT}, {"origin", K_COUNTRY}, {"currency", K_CURRENCY}};
	for (size_t q = 0; q < sizeof KK / sizeof KK[0]; q++)
		if (strcmp(KK[q].key, key) == 0)
			k = KK[q].k;
	if (get_value(c, k, s, n, &v) == 0) {
		json_decref(v.extra);
		if (k == K_HS && v.q < 0.9 && !json_object_get(it, "hs"))
			/* a code the nomenclature does not know: kept, and said so */
			json_object_set_new(it, "hs_check", json_string("not in the nomenclature"));
		item_set(it, key, v.v, strcmp(key, "description") == 0 && append);
	}
}

static int cmp_line_y(const void *a, const void *b, void *arg)
{
	const struct sc_pdoc *d = arg;
	const struct pline *x = &d->l[*(const int *)a], *y = &d->l[*(const int *)b];
	if (x->page != y->page)
		return x->page - y->page;
	if (x->y != y->y)
		return x->y < y->y ? -1 : 1;
	return x->x < y->x ? -1 : x->x > y->x;
}

static int is_end_line(const struct ctx *c, int li)
{
	const struct pline *L = &c->d->l[li];
	for (int k = L->hit0; k < L->hit0 + L->nhit; k++) {
		const struct hit *h = &c->h[k];
		if (!h->longest)
			continue;
		for (int j = 0; j < h->nu; j++)
			if (h->u[j].kind == U_END && h->u[j].tmpl == c->t)
				return 1;
		/* a field label of the document (Total..., Subtotal) ends the table too */
		for (int j = 0; j < h->nu; j++)
			if (h->u[j].kind == U_FIELD && (h->u[j].tmpl == c->t || h->u[j].tmpl == c->p->common) &&
			    h->off < 4)
				return 1;
	}
	return 0;
}

static void extract_items(struct ctx *c, json_t *items)
{
	const struct sc_parse *p = c->p;
	if (c->t < 0 || p->t[c->t].ncols == 0)
		return;
	const struct tmpl *T = &p->t[c->t];
	const struct sc_pdoc *d = c->d;
	int *order = malloc((size_t)(d->n ? d->n : 1) * sizeof *order);
	if (!order)
		return;
	for (int k = 0; k < d->n; k++)
		order[k] = k;
	qsort_r(order, (size_t)d->n, sizeof *order, cmp_line_y, (void *)d);

	int done_upto = -1;
	for (int oi = 0; oi < d->n; oi++) {
		if (oi <= done_upto)
			continue;
		/* a header row: two or more of the template's columns on one row */
		int li = order[oi];
		const struct pline *L = &d->l[li];
		struct col cols[32];
		int nc = 0;
		int rowend = oi;
		for (int oj = oi; oj < d->n && oj < oi + 64; oj++) {
			const struct pline *M = &d->l[order[oj]];
			if (M->page != L->page || M->y > L->y + L->h * 1.3)
				break;
			if (!same_row(L, M))
				continue;
			rowend = oj;
			for (int k = M->hit0; k < M->hit0 + M->nhit; k++) {
				const struct hit *h = &c->h[k];
				if (!h->longest)
					continue;
				for (int j = 0; j < h->nu; j++) {
					const struct use *u = &h->u[j];
					if (u->kind != U_COLUMN || u->tmpl != c->t || nc >= 32)
						continue;
					int dup = 0;
					for (int q = 0; q < nc; q++)
						dup |= cols[q].f == &T->cols[u->index];
					if (dup)
						continue;
					cols[nc].f = &T->cols[u->index];
					cols[nc].x0 = line_x(M, h->off);
					cols[nc].x1 = line_x(M, h->end);
					cols[nc].xc = (cols[nc].x0 + cols[nc].x1) / 2;
					cols[nc].numeric = col_numeric(cols[nc].f);
					nc++;
					break;
				}
			}
		}
		if (nc < 3)
			continue;
		qsort(cols, (size_t)nc, sizeof *cols, cmp_col);
		double pagew = L->page <= 64 && d->pw[L->page - 1] > 0 ? d->pw[L->page - 1] : 1000;
		if (!L->box)
			pagew = 1000;
		/* the rows below, until an end label or a wide gap */
		double last_y = L->y + L->h, lh = L->h;
		json_t *cur = NULL;
		int cur_rows = 0;
		int oj = rowend + 1;
		int empty_rows = 0;
		while (oj < d->n) {
			const struct pline *M = &d->l[order[oj]];
			if (M->page != L->page || M->y > last_y + lh * 4.5)
				break;
			/* gather one row */
			int r0 = oj, r1 = oj;
			while (r1 + 1 < d->n && r1 - r0 < 64 && same_row(M, &d->l[order[r1 + 1]]))
				r1++;
			int end = 0;
			for (int q = r0; q <= r1; q++)
				end |= is_end_line(c, order[q]);
			if (end)
				break;
			struct tok tk[96];
			int nt = 0;
			int tline[96];
			for (int q = r0; q <= r1 && nt < 96; q++) {
				int got = tokenize(&d->l[order[q]], tk + nt, 96 - nt, p);
				for (int z = 0; z < got; z++)
					tline[nt + z] = order[q];
				nt += got;
			}
			/* an HS-shaped token (6120.00) away from the HS column is a number */
			for (int z = 0; z < nt; z++) {
				if (!tk[z].hs)
					continue;
				int q = 0, hsq = -1;
				for (q = 0; q < nc; q++)
					if (cols[q].f->kind == K_HS)
						hsq = q;
				double lo = hsq >= 0 ? cols[hsq].x0 - (hsq > 0 ? (cols[hsq].x0 - cols[hsq - 1].x1) / 2 : 1e9) : 0;
				double hi = hsq >= 0 ? (hsq + 1 < nc ? cols[hsq + 1].x0 : 1e12) : 0;
				if (hsq < 0 || tk[z].xc < lo || tk[z].xc > hi)
					tk[z].hs = 0;
			}
			assign_numeric(tk, nt, cols, nc, pagew);
			/* the rest by left edges: the last column starting left of the token */
			int has_no = 0, has_hs = 0, has_num = 0;
			for (int z = 0; z < nt; z++) {
				if (tk[z].col >= 0) {
					has_num++;
					if (cols[tk[z].col].f->kind == K_INT && strcmp(cols[tk[z].col].f->name, "no") == 0)
						has_no = 1;
					continue;
				}
				int best = -1;
				if (tk[z].hs) {
					for (int q = 0; q < nc; q++)
						if (cols[q].f->kind == K_HS)
							best = q;
					has_hs |= best >= 0;
				}
				if (best < 0) {
					double tol = (cols[nc - 1].x1 - cols[0].x0) * 0.015;
					for (int q = 0; q < nc; q++)
						if (!cols[q].numeric && cols[q].f->kind != K_HS && cols[q].x0 - tol <= tk[z].x0)
							best = q;
					if (best < 0)
						for (int q = 0; q < nc; q++)
							if (!cols[q].numeric && cols[q].f->kind != K_HS) {
								best = q;
								break;
							}
				}
				tk[z].col = best;
			}
			int start = has_no || has_hs || (!cur && has_num >= 2) ||
			            (cur && has_num >= 2 && T->cols[0].kind != K_STACK && !has_hs &&
			             !json_object_get(cur, "hs") && 0);
			int has_stack = 0;
			for (int q = 0; q < nc; q++)
				has_stack |= cols[q].f->kind == K_STACK;
			if (!start && !has_stack && has_num >= 2 && cur)
				start = 1;   /* a plain table: every row with numbers is an item */
			if (!start && !cur) {
				if (++empty_rows > 2)
					break;
				oj = r1 + 1;
				continue;
			}
			if (start) {
				if (cur)
					json_array_append_new(items, cur);
				if (json_array_size(items) >= 500) {
					cur = NULL;
					break;
				}
				cur = json_object();
				cur_rows = 0;
				json_object_set_new(cur, "page", json_integer(M->page));
			}
			/* fill the cells, column by column, in token order */
			for (int q = 0; q < nc; q++) {
				const struct field *F = cols[q].f;
				char buf[512];
				size_t bl = 0;
				int line = -1;
				for (int z = 0; z < nt; z++) {
					if (tk[z].col != q)
						continue;
					const struct pline *TL = &d->l[tline[z]];
					size_t L2 = tk[z].e - tk[z].b;
					if (bl + L2 + 1 >= sizeof buf)
						break;
					if (bl)
						buf[bl++] = ' ';
					memcpy(buf + bl, TL->text + tk[z].b, L2);
					bl += L2;
					line = tline[z];
				}
				if (!bl || line < 0)
					continue;
				const char *key = F->name;
				enum kind k = F->kind;
				if (F->kind == K_STACK) {
					if (cur_rows >= F->nstack)
						continue;
					key = F->stack[cur_rows];
					k = K_TEXT;
				}
				cell_value(c, cur, key, k, buf, bl, !start || strcmp(key, "description") == 0);
			}
			cur_rows++;
			last_y = d->l[order[r1]].y + d->l[order[r1]].h;
			oj = r1 + 1;
		}
		if (cur)
			json_array_append_new(items, cur);
		done_upto = oj - 1;
	}
	free(order);
}

/* ---- the whole document ------------------------------------------------------- */

static void derive(struct ctx *c, json_t *fields, json_t *items)
{
	/* the currency: its label, else the total's, else the first code on the document */
	if (!json_object_get(fields, "currency")) {
		json_t *tot = json_object_get(fields, "total");
		json_t *cur = tot ? json_object_get(tot, "currency") : NULL;
		if (cur) {
			json_t *f = json_deep_copy(tot);
			json_object_set(f, "value", cur);
			json_object_del(f, "currency");
			json_object_set_new(f, "conf", json_real(round(json_number_value(json_object_get(tot, "conf")) * 90) /
			                                          100));
			json_object_set_new(fields, "currency", f);
		} else if (json_object_get(fields, "total") || json_array_size(items)) {
			for (int k = 0; k < c->d->n; k++) {
				const struct pline *L = &c->d->l[k];
				char code[4];
				struct sc_span sp;
				if (sc_norm_currency(L->text, L->len, code, &sp) == 0 && sp.len == 3 && strcmp(code, "KGS") != 0) {
					struct val v = {json_string(code), sp.off, sp.len, 0.7, NULL};
					json_object_set_new(fields, "currency", field_obj(c, &v, k, 0, 1));
					break;
				}
			}
		}
	}
	json_t *tot = json_object_get(fields, "total");
	if (tot)
		json_object_del(tot, "currency");
	/* a bill of lading whose number label OCR garbled: the carrier's code and
	 * digits (MAEU662308873), which no container number is */
	if (!json_object_get(fields, "bl_no") && c->t >= 0 && strcmp(c->p->t[c->t].type, "bill_of_lading") == 0) {
		for (int k = 0; k < c->d->n && !json_object_get(fields, "bl_no"); k++) {
			const struct pline *L = &c->d->l[k];
			for (size_t i = 0; i + 12 <= L->len; i++) {
				if (i > 0 && L->text[i - 1] != ' ')
					continue;
				size_t j = i;
				while (j < L->len && L->text[j] >= 'A' && L->text[j] <= 'Z')
					j++;
				if (j - i != 4)
					continue;
				size_t q = j;
				while (q < L->len && isdig((unsigned char)L->text[q]))
					q++;
				if (q - j < 8 || q - j > 12 || (q < L->len && L->text[q] != ' '))
					continue;
				char cn[12];
				int rep;
				if (q - i == 11 && sc_norm_container(L->text + i, 11, cn, &rep, NULL) == 0)
					continue;
				struct val v = {sc_parse_jstrn(L->text + i, q - i), 0, q - i, 0.8, NULL};
				json_object_set_new(fields, "bl_no", field_obj(c, &v, k, i, 1));
				break;
			}
		}
	}
	/* the document's own number, when no label named it as such */
	if (!json_object_get(fields, "doc_no") && c->t >= 0) {
		static const char *const OWN[][2] = {{"invoice", "invoice_no"}, {"bill_of_lading", "bl_no"},
		                                     {"customs_declaration", "customs_no"}, {"packing_list", ""}};
		for (size_t k = 0; k < sizeof OWN / sizeof OWN[0]; k++)
			if (strcmp(c->p->t[c->t].type, OWN[k][0]) == 0 && *OWN[k][1] && json_object_get(fields, OWN[k][1]))
				json_object_set_new(fields, "doc_no", json_deep_copy(json_object_get(fields, OWN[k][1])));
	}
	/* the origin of every item, when the document names no origin of its own */
	if (!json_object_get(fields, "origin") && json_array_size(items)) {
		const char *o = NULL;
		int same = 1;
		size_t q;
		json_t *it;
		json_array_foreach(items, q, it) {
			const char *io = json_string_value(json_object_get(it, "origin"));
			if (!io || (o && strcmp(o, io) != 0))
				same = 0;
			else
				o = io;
		}
		if (same && o) {
			json_t *f = json_object();
			json_object_set_new(f, "value", json_string(o));
			json_object_set_new(f, "raw", json_string(o));
			json_object_set_new(f, "conf", json_real(0.8));
			json_object_set(f, "page", json_object_get(json_array_get(items, 0), "page"));
			json_object_set_new(fields, "origin", f);
		}
	}
	/* an invoice's seller without a label: its letterhead, the first line above the title */
	if (!json_object_get(fields, "seller") && c->t >= 0 &&
	    (strcmp(c->p->t[c->t].type, "invoice") == 0 || strcmp(c->p->t[c->t].type, "packing_list") == 0)) {
		int title = -1;
		for (int k = 0; k < c->nh && title < 0; k++)
			for (int j = 0; j < c->h[k].nu; j++)
				if (c->h[k].u[j].kind == U_TITLE && c->h[k].u[j].tmpl == c->t)
					title = c->h[k].line;
		for (int k = 0; k < c->d->n && k < title; k++) {
			const struct pline *L = &c->d->l[k];
			if (L->page != 1 || L->y >= c->d->l[title].y || L->nhit)
				continue;
			size_t b = 0, e = L->len;
			trim(L->text, &b, &e);
			int letters = 0;
			for (size_t i = b; i < e; i++)
				letters += isalpha_((unsigned char)L->text[i]);
			if (letters < 4)
				continue;
			struct val v = {sc_parse_jstrn(L->text + b, e - b), 0, e - b, 0.8, NULL};
			json_object_set_new(fields, "seller", field_obj(c, &v, k, b, 1));
			break;
		}
	}
	/* "MSC ARINA / 612E", "ONE APUS V.047W": vessel and voyage in one box */
	json_t *ves = json_object_get(fields, "vessel");
	const char *vs = json_string_value(json_object_get(ves, "value"));
	if (vs) {
		const char *cut = strstr(vs, " / ");
		size_t skip = 3;
		if (!cut && (cut = strchr(vs, '/')))
			skip = 1;
		if (!cut && (cut = strstr(vs, " V.")))
			skip = 3;
		if (!cut && (cut = strstr(vs, " VOY")))
			skip = 4;
		if (cut) {
			size_t n = (size_t)(cut - vs);
			const char *rest = cut + skip;
			while (*rest == ' ' || *rest == '.')
				rest++;
			struct val v;
			if (!json_object_get(fields, "voyage") && get_ref(rest, strlen(rest), &v) == 0) {
				json_t *f = json_deep_copy(ves);
				json_object_set_new(f, "value", v.v);
				json_object_set_new(fields, "voyage", f);
			}
			while (n && vs[n - 1] == ' ')
				n--;
			json_object_set_new(ves, "value", sc_parse_jstrn(vs, n));
		}
	}
	/* packages: a count followed by the kind of package, where no label gave it */
	if (!json_object_get(fields, "packages")) {
		static const char *const KINDS[] = {"cartons", "cases", "pallets", "packages", "bags", "ctns",
		                                    "pkgs", "crates", "drums", "bales", "rolls", "boxes"};
		for (int k = 0; k < c->d->n && !json_object_get(fields, "packages"); k++) {
			const struct pline *L = &c->d->l[k];
			for (size_t i = 0; i < L->len; i++) {
				if (!isdig((unsigned char)L->text[i]) || (i && (isdig((unsigned char)L->text[i - 1]) ||
				                                             L->text[i - 1] == '.' || L->text[i - 1] == ',')))
					continue;
				size_t j = i;
				long v = 0;
				while (j < L->len && isdig((unsigned char)L->text[j]) && v < 100000000)
					v = v * 10 + (L->text[j++] - '0');
				if (j >= L->len || L->text[j] != ' ')
					continue;
				for (size_t q = 0; q < sizeof KINDS / sizeof KINDS[0]; q++) {
					size_t kl = strlen(KINDS[q]);
					if (j + 1 + kl <= L->len && sc_ci_eq(L->text + j + 1, KINDS[q], kl) &&
					    (j + 1 + kl == L->len || !isalpha_(L->text[j + 1 + kl]))) {
						struct val pv = {json_integer(v), i, j + 1 + kl - i, 0.9, NULL};
						json_object_set_new(fields, "packages", field_obj(c, &pv, k, 0, 1));
						break;
					}
				}
				if (json_object_get(fields, "packages"))
					break;
			}
		}
	}
	(void)items;
}

static json_t *parse_ctx(struct ctx *c, const char **type_out)
{
	const struct sc_parse *p = c->p;
	double *scores = calloc((size_t)p->nt + 1, sizeof *scores);
	double conf = 0;
	find_hits(c);
	if (scores)
		classify(c, scores);
	c->t = scores ? best_template(p, scores, &conf) : -1;
	free(scores);
	c->mdy = c->t >= 0 ? p->t[c->t].mdy || p->mdy : p->mdy;
	const char *type = c->t >= 0 ? p->t[c->t].type : "other";
	if (type_out)
		*type_out = type;
	json_t *o = json_object();
	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "type_conf", json_real(round(conf * 100) / 100));
	if (c->t >= 0)
		json_object_set_new(o, "template", json_string(p->t[c->t].name));
	json_object_set_new(o, "pages", json_integer(c->d->pages));
	json_t *fields = json_object(), *items = json_array(), *notes = json_array();
	extract_fields(c, fields);
	scan_checked(c, fields, notes);
	extract_items(c, items);
	derive(c, fields, items);
	if (p->model) {
		/* the learned reader decides the fields it knows, and the type */
		double tc = conf;
		const char *mt = type;
		sc_rank_doc(p->model, c->d, fields, &mt, &tc, c->t >= 0);
		if (mt != type) {
			type = mt;
			if (type_out)
				*type_out = type;
			json_object_set_new(o, "type", json_string(type));
			json_object_set_new(o, "type_conf", json_real(round(tc * 100) / 100));
		}
	}
	/* fields in a stable order: by name */
	json_t *sorted = json_object();
	const char **keys = malloc((json_object_size(fields) + 1) * sizeof *keys);
	size_t nk = 0;
	const char *key;
	json_t *v;
	json_object_foreach(fields, key, v)
		keys[nk++] = key;
	for (size_t a = 1; a < nk; a++)
		for (size_t b = a; b > 0 && strcmp(keys[b - 1], keys[b]) > 0; b--) {
			const char *t = keys[b];
			keys[b] = keys[b - 1], keys[b - 1] = t;
		}
	for (size_t a = 0; a < nk; a++)
		json_object_set(sorted, keys[a], json_object_get(fields, keys[a]));
	free(keys);
	json_decref(fields);
	json_object_set_new(o, "fields", sorted);
	json_object_set_new(o, "items", items);
	if (json_array_size(notes))
		json_object_set_new(o, "notes", notes);
	else
		json_decref(notes);
	json_object_set(o, "documents", c->d->srcs);
	return o;
}

json_t *sc_parse_doc(const struct sc_parse *p, const struct sc_pdoc *d)
{
	struct ctx c = {p, d, NULL, 0, 0, -1, 0};
	json_t *o = parse_ctx(&c, NULL);
	free(c.h);
	return o;
}

const char *sc_parse_page_type(const struct sc_parse *p, const json_t *ocr, double *score)
{
	struct sc_pdoc *d = sc_pdoc_new();
	struct sc_error err;
	const char *type = "other";
	*score = 0;
	if (!d)
		return type;
	if (sc_pdoc_add_ocr(d, ocr, NULL, &err) == 0) {
		struct ctx c = {p, d, NULL, 0, 0, -1, 0};
		double *scores = calloc((size_t)p->nt + 1, sizeof *scores);
		double conf;
		find_hits(&c);
		if (scores) {
			classify(&c, scores);
			int t = best_template(p, scores, &conf);
			if (t >= 0)
				type = p->t[t].type, *score = scores[t];
		}
		free(scores);
		free(c.h);
	}
	sc_pdoc_free(d);
	return type;
}
