/*
 * parse_doc.c - one document's key elements, read from its lines
 * (parse_pdoc.c): every template label found in one trie pass, the
 * document type, labelled fields (value to the right, or below inside the
 * label's box), checks and derived fields; the value readers are in
 * parse_value.c, geometry in parse_geom.c, the item tables in
 * parse_items.c, the learned reader in parse_rank.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_doc.h"


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
		return sc_pd_line_x(L, nc);
	double hx = sc_pd_line_x(L, h->off);
	for (int k = 0; k < c->d->n; k++) {
		const struct pline *M = &c->d->l[k];
		if (k == h->line || !sc_pd_same_row(L, M) || M->x <= hx + 1)
			continue;
		for (int j = M->hit0; j < M->hit0 + M->nhit; j++)
			if (is_cut(c, &c->h[j])) {
				double x = sc_pd_line_x(M, c->h[j].off);
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
		if (sc_pd_line_slice(M, x0 - tol, x1, &b, &e) < 0)
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
	double x0 = sc_pd_line_x(L, b), x1 = sc_pd_line_x(L, e);
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
		double x0 = sc_pd_line_x(L, h->off), x1 = box_right(c, h);
		if (h->off <= 16)
			x0 = fmin(x0, L->x);
		int nr = 0;
		size_t cut = next_cut(c, h->line, h->vend);
		size_t b = h->vend, e = cut;
		sc_pd_trim(L->text, &b, &e);
		/* "17" before the next box's label is that box's number, not a name */
		int letters = 0;
		for (size_t q = b; q < e; q++)
			letters += sc_pd_isalpha((unsigned char)L->text[q]) || (unsigned char)L->text[q] >= 0xe0;
		if (!F->below && letters >= 2 && sc_pd_meaningful(L->text + b, e - b)) {
			r[0].line = h->line, r[0].b = b, r[0].e = e, r[0].q = 1;
			nr = 1;
		}
		nr += below(c, h, x0, x1, r + nr, 5 - nr, F->name);
		if (!nr)
			return NULL;
		const struct pline *N = &c->d->l[r[0].line];
		size_t nb = r[0].b, ne = r[0].e;
		sc_pd_trim(N->text, &nb, &ne);
		if (!sc_pd_meaningful(N->text + nb, ne - nb) || ne - nb < 3)
			return NULL;
		json_t *f = json_object();
		json_t *name = sc_parse_jstrn(N->text + nb, ne - nb);
		char a2[3], id[19];
		json_t *addr = json_array();
		json_t *country = NULL, *idv = NULL;
		for (int k = 0; k < nr; k++) {
			const struct pline *M = &c->d->l[r[k].line];
			size_t mb = r[k].b, me = r[k].e;
			sc_pd_trim(M->text, &mb, &me);
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
					digs += sc_pd_isdig((unsigned char)w[q]);
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
			if (cut > h->vend && sc_pd_get_value(c, F->kind, L->text + h->vend, cut - h->vend, &v) == 0)
				return field_obj(c, &v, h->line, h->vend, 1.0);
			/* 2: another line on the same row, to the right */
			if (cut >= L->len || cut == h->vend) {
				double lx = sc_pd_line_x(L, h->end);
				int best = -1;
				for (int k = 0; k < c->d->n; k++) {
					const struct pline *M = &c->d->l[k];
					if (k == h->line || !sc_pd_same_row(L, M) || M->x < lx - 2)
						continue;
					if (best < 0 || M->x < c->d->l[best].x)
						best = k;
				}
				if (best >= 0) {
					const struct pline *M = &c->d->l[best];
					size_t mc = next_cut(c, best, 0);
					if (mc > 0 && sc_pd_get_value(c, F->kind, M->text, mc, &v) == 0)
						return field_obj(c, &v, best, 0, 0.95);
				}
			}
		} else {
			/* 3: below, inside the label's box */
			double x0 = sc_pd_line_x(L, h->off), x1 = box_right(c, h);
			int nr = below(c, h, x0 - (x1 - x0) * 0.05, x1, r, F->kind == K_SEALS ? 4 : 1, F->name);
			json_t *got = NULL;
			for (int k = 0; k < nr; k++) {
				const struct pline *M = &c->d->l[r[k].line];
				if (sc_pd_get_value(c, F->kind, M->text + r[k].b, r[k].e - r[k].b, &v) == 0) {
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
				while (q < L->len && sc_pd_isdig((unsigned char)L->text[q]))
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
			sc_pd_trim(L->text, &b, &e);
			int letters = 0;
			for (size_t i = b; i < e; i++)
				letters += sc_pd_isalpha((unsigned char)L->text[i]);
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
			if (!json_object_get(fields, "voyage") && sc_pd_get_ref(rest, strlen(rest), &v) == 0) {
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
				if (!sc_pd_isdig((unsigned char)L->text[i]) || (i && (sc_pd_isdig((unsigned char)L->text[i - 1]) ||
				                                             L->text[i - 1] == '.' || L->text[i - 1] == ',')))
					continue;
				size_t j = i;
				long v = 0;
				while (j < L->len && sc_pd_isdig((unsigned char)L->text[j]) && v < 100000000)
					v = v * 10 + (L->text[j++] - '0');
				if (j >= L->len || L->text[j] != ' ')
					continue;
				for (size_t q = 0; q < sizeof KINDS / sizeof KINDS[0]; q++) {
					size_t kl = strlen(KINDS[q]);
					if (j + 1 + kl <= L->len && sc_ci_eq(L->text + j + 1, KINDS[q], kl) &&
					    (j + 1 + kl == L->len || !sc_pd_isalpha(L->text[j + 1 + kl]))) {
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
	sc_pd_extract_items(c, items);
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
