/*
 * parse_items.c - line items: the table's header found by the template's
 * column labels, each row's tokens assigned to the columns by their
 * positions under the header, the cells read by their kinds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_doc.h"

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
		t[n].x0 = sc_pd_line_x(L, i), t[n].x1 = sc_pd_line_x(L, j);
		t[n].xc = (t[n].x0 + t[n].x1) / 2;
		t[n].numish = sc_pd_isdig((unsigned char)L->text[i]) || (L->text[i] == '-' && j > i + 1 &&
		                                                   sc_pd_isdig((unsigned char)L->text[i + 1]));
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
			item_set(it, "qty", sc_pd_num(x), 0);
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
	if (sc_pd_get_value(c, k, s, n, &v) == 0) {
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

void sc_pd_extract_items(struct ctx *c, json_t *items)
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
			if (!sc_pd_same_row(L, M))
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
					cols[nc].x0 = sc_pd_line_x(M, h->off);
					cols[nc].x1 = sc_pd_line_x(M, h->end);
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
			while (r1 + 1 < d->n && r1 - r0 < 64 && sc_pd_same_row(M, &d->l[order[r1 + 1]]))
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

