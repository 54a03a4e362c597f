/*
 * learn_gbt.c - gradient-boosted trees for a 0/1 outcome (logistic loss), grown
 * best-first over per-feature histograms of at most 255 bins, with the
 * sibling-subtraction trick, row and column subsampling from a seeded
 * generator (deterministic for a seed) and early stopping on a validation set.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "learn.h"

void sc_learn_gbt_defaults(struct sc_learn_gbt_params *p)
{
	p->trees = 600;
	p->leaves = 31;
	p->max_depth = 10;
	p->min_leaf = 20;
	p->lr = 0.05;
	p->lambda = 1.0;
	p->min_gain = 1e-6;
	p->subsample = 0.8;
	p->colsample = 0.8;
	p->early_stop = 60;
	p->bins = 255;
	p->seed = 1;
}

void sc_learn_gbt_free(struct sc_learn_gbt *g)
{
	if (!g)
		return;
	free(g->root);
	free(g->nodes);
	free(g);
}

static uint64_t next_rand(uint64_t *s)   /* splitmix64 */
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double unit_rand(uint64_t *s)
{
	return (double)(next_rand(s) >> 11) / 9007199254740992.0;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return x < y ? -1 : x > y;
}

double sc_learn_gbt_margin(const struct sc_learn_gbt *g, const float *x, double *contrib)
{
	double m = g->base;
	if (contrib)
		memset(contrib, 0, (size_t)g->nf * sizeof *contrib);
	for (int t = 0; t < g->ntrees; t++) {
		const struct sc_learn_gbt_node *nd = &g->nodes[g->root[t]];
		if (contrib)
			m += nd->value;
		while (nd->f >= 0) {
			const struct sc_learn_gbt_node *c = &g->nodes[x[nd->f] <= nd->thr ? nd->left : nd->right];
			if (contrib) {
				contrib[nd->f] += c->value - nd->value;
				m += c->value - nd->value;
			}
			nd = c;
		}
		if (!contrib)
			m += nd->value;
	}
	return m;
}

struct hbin { double g, h; double c; };

struct leaf {
	size_t begin, end;
	int node, depth;
	double G, H;
	struct hbin *hist;
	int bf, bb;           /* best split: feature, last bin on the left */
	double gain;
};

struct grower {
	const uint8_t *Xb;
	size_t n;
	int nf;
	const int *nb;
	const float *edges;   /* nf * 255 */
	const double *grad, *hess;
	const struct sc_learn_gbt_params *p;
	const unsigned char *usef;
	size_t *idx, *tmp;
};

static void build_hist(const struct grower *gr, const size_t *rows, size_t m, struct hbin *h)
{
	memset(h, 0, (size_t)gr->nf * 256 * sizeof *h);
	for (int f = 0; f < gr->nf; f++) {
		if (!gr->usef[f])
			continue;
		const uint8_t *col = gr->Xb + (size_t)f * gr->n;
		struct hbin *hf = h + (size_t)f * 256;
		for (size_t k = 0; k < m; k++) {
			size_t i = rows[k];
			struct hbin *b = &hf[col[i]];
			b->g += gr->grad[i];
			b->h += gr->hess[i];
			b->c += 1;
		}
	}
}

static void best_split(const struct grower *gr, struct leaf *l)
{
	double lam = gr->p->lambda, parent = l->G * l->G / (l->H + lam);
	double cnt = (double)(l->end - l->begin);
	l->bf = -1;
	l->gain = 0;
	for (int f = 0; f < gr->nf; f++) {
		if (!gr->usef[f] || gr->nb[f] < 2)
			continue;
		const struct hbin *hf = l->hist + (size_t)f * 256;
		double GL = 0, HL = 0, CL = 0;
		for (int b = 0; b < gr->nb[f] - 1; b++) {
			GL += hf[b].g;
			HL += hf[b].h;
			CL += hf[b].c;
			double CR = cnt - CL, GR = l->G - GL, HR = l->H - HL;
			if (CL < gr->p->min_leaf)
				continue;
			if (CR < gr->p->min_leaf)
				break;
			if (HL < 1e-3 || HR < 1e-3)
				continue;
			double gain = GL * GL / (HL + lam) + GR * GR / (HR + lam) - parent;
			if (gain > l->gain + 1e-12) {
				l->gain = gain;
				l->bf = f;
				l->bb = b;
			}
		}
	}
}

struct tree_buf { struct sc_learn_gbt_node *nd; int *bin; int n, cap; };

static int add_node(struct tree_buf *t, double value)
{
	if (t->n == t->cap) {
		int c = t->cap ? t->cap * 2 : 64;
		struct sc_learn_gbt_node *nd = realloc(t->nd, (size_t)c * sizeof *nd);
		if (!nd)
			return -1;
		t->nd = nd;
		int *b = realloc(t->bin, (size_t)c * sizeof *b);
		if (!b)
			return -1;
		t->bin = b;
		t->cap = c;
	}
	t->nd[t->n] = (struct sc_learn_gbt_node){ -1, 0, -1, -1, (float)value };
	t->bin[t->n] = -1;
	return t->n++;
}

/* Grow one tree over rows idx[0..m); nodes go to t (indices local to the tree). */
static int grow_tree(struct grower *gr, size_t m, struct tree_buf *t, struct hbin *pool)
{
	const struct sc_learn_gbt_params *p = gr->p;
	int maxl = p->leaves < 2 ? 2 : p->leaves;
	struct leaf *L = calloc((size_t)maxl, sizeof *L);
	int nl = 1;
	size_t hsz = (size_t)gr->nf * 256;
	if (!L)
		return -1;
	t->n = 0;
	L[0].begin = 0;
	L[0].end = m;
	L[0].depth = 0;
	L[0].hist = pool;
	for (size_t k = 0; k < m; k++) {
		L[0].G += gr->grad[gr->idx[k]];
		L[0].H += gr->hess[gr->idx[k]];
	}
	L[0].node = add_node(t, -L[0].G / (L[0].H + p->lambda) * p->lr);
	if (L[0].node < 0)
		goto fail;
	build_hist(gr, gr->idx, m, L[0].hist);
	best_split(gr, &L[0]);

	while (nl < maxl) {
		int best = -1;
		for (int i = 0; i < nl; i++)
			if (L[i].bf >= 0 && L[i].gain > p->min_gain && (best < 0 || L[i].gain > L[best].gain))
				best = i;
		if (best < 0)
			break;
		struct leaf *l = &L[best];
		int f = l->bf, b = l->bb;
		const uint8_t *col = gr->Xb + (size_t)f * gr->n;
		/* stable partition: left rows first */
		size_t nleft = 0, nright = 0;
		for (size_t k = l->begin; k < l->end; k++) {
			size_t i = gr->idx[k];
			if (col[i] <= b)
				gr->idx[l->begin + nleft++] = i;
			else
				gr->tmp[nright++] = i;
		}
		memcpy(gr->idx + l->begin + nleft, gr->tmp, nright * sizeof *gr->tmp);

		struct leaf left = { .begin = l->begin, .end = l->begin + nleft, .depth = l->depth + 1 };
		struct leaf right = { .begin = l->begin + nleft, .end = l->end, .depth = l->depth + 1 };
		const struct hbin *hf = l->hist + (size_t)f * 256;
		for (int k = 0; k <= b; k++) {
			left.G += hf[k].g;
			left.H += hf[k].h;
		}
		right.G = l->G - left.G;
		right.H = l->H - left.H;
		left.node = add_node(t, -left.G / (left.H + p->lambda) * p->lr);
		right.node = add_node(t, -right.G / (right.H + p->lambda) * p->lr);
		if (left.node < 0 || right.node < 0)
			goto fail;
		t->nd[l->node].f = f;
		t->nd[l->node].thr = gr->edges[(size_t)f * 255 + b];
		t->nd[l->node].left = left.node;
		t->nd[l->node].right = right.node;
		t->bin[l->node] = b;

		/* the smaller child gets a fresh histogram, the larger the parent's minus it */
		struct leaf *small = nleft <= nright ? &left : &right, *large = small == &left ? &right : &left;
		large->hist = l->hist;
		small->hist = pool + hsz * (size_t)nl;
		build_hist(gr, gr->idx + small->begin, small->end - small->begin, small->hist);
		for (size_t k = 0; k < hsz; k++) {
			large->hist[k].g -= small->hist[k].g;
			large->hist[k].h -= small->hist[k].h;
			large->hist[k].c -= small->hist[k].c;
		}
		if (left.depth < p->max_depth) {
			best_split(gr, &left);
			best_split(gr, &right);
		} else {
			left.bf = right.bf = -1;
		}
		L[best] = left;
		L[nl++] = right;
	}
	free(L);
	return 0;
fail:
	free(L);
	return -1;
}

static double logloss(const double *F, const unsigned char *y, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++) {
		double z = F[i];
		/* log(1 + e^-z) for y=1, log(1 + e^z) for y=0, computed stably */
		double a = y[i] ? -z : z;
		s += a > 0 ? a + log1p(exp(-a)) : log1p(exp(a));
	}
	return n ? s / (double)n : 0;
}

/* Bins: distinct values when few, quantiles otherwise; Xb (column-major)
 * gets each value's bin, edges (255 a feature) and nb the cuts. */
static void make_bins(const float *X, size_t n, int nf, int maxb, float *col, float *edges,
                      int *nb, uint8_t *Xb)
{
	for (int f = 0; f < nf; f++) {
		for (size_t i = 0; i < n; i++)
			col[i] = X[i * (size_t)nf + f];
		qsort(col, n, sizeof *col, cmp_float);
		size_t u = 1;
		for (size_t i = 1; i < n && u <= (size_t)maxb; i++)
			u += col[i] != col[i - 1];
		float *e = edges + (size_t)f * 255;
		int ne = 0;
		if (u <= (size_t)maxb) {
			/* few distinct values: one bin each, cut half-way between them */
			for (size_t i = 1; i < n; i++)
				if (col[i] != col[i - 1])
					e[ne++] = col[i - 1] + (col[i] - col[i - 1]) / 2;
		} else {
			/* many: cuts at quantiles of the records, so each bin holds about as many */
			for (int k = 1; k < maxb; k++) {
				float v = col[(size_t)((double)k * (double)n / maxb)];
				if (ne == 0 || v > e[ne - 1])
					e[ne++] = v;
			}
		}
		nb[f] = ne + 1;
		uint8_t *cb = Xb + (size_t)f * n;
		for (size_t i = 0; i < n; i++) {
			float x = X[i * (size_t)nf + f];
			int lo = 0, hi = ne;   /* first edge >= x */
			while (lo < hi) {
				int mid = (lo + hi) / 2;
				if (e[mid] >= x) hi = mid; else lo = mid + 1;
			}
			cb[i] = (uint8_t)lo;
		}
	}
}

/* The rows (idx, returned: how many) and features (usef) of one round. */
static size_t sample(const struct sc_learn_gbt_params *p, size_t n, int nf, uint64_t *rng,
                     size_t *idx, unsigned char *usef)
{
	size_t m = 0;
	int any = 0;

	for (size_t i = 0; i < n; i++)
		if (p->subsample >= 1 || unit_rand(rng) < p->subsample)
			idx[m++] = i;
	for (int f = 0; f < nf; f++)
		any |= usef[f] = p->colsample >= 1 || unit_rand(rng) < p->colsample;
	if (!any)
		usef[next_rand(rng) % (uint64_t)nf] = 1;
	if (m < 2 * (size_t)p->min_leaf) {
		for (size_t i = 0; i < n; i++)
			idx[i] = i;
		m = n;
	}
	return m;
}

/* Append tree t (tb) to the model's nodes (all, from index nall, with global
 * node indices) and roots. -1 when out of memory. */
static int append_tree(struct sc_learn_gbt_node **all, int *capall, int **roots, int nall, int t,
                       const struct tree_buf *tb)
{
	if (nall + tb->n > *capall) {
		int c = (nall + tb->n) * 2;
		if (sc_resize(all, (size_t)c, sizeof **all) < 0)
			return -1;
		*capall = c;
	}
	if (sc_resize(roots, (size_t)(t + 1), sizeof **roots) < 0)
		return -1;
	(*roots)[t] = nall;
	for (int k = 0; k < tb->n; k++) {
		struct sc_learn_gbt_node nd = tb->nd[k];
		if (nd.f >= 0) {
			nd.left += nall;
			nd.right += nall;
		}
		(*all)[nall + k] = nd;
	}
	return 0;
}

/* The tree's values added to the margins: F of the training rows (by bin),
 * Fv of the validation rows (by threshold). */
static void add_tree(const struct tree_buf *tb, const uint8_t *Xb, size_t n, double *F,
                     const float *Xv, size_t nv, int nf, double *Fv)
{
	for (size_t i = 0; i < n; i++) {
		int k = 0;
		while (tb->nd[k].f >= 0)
			k = Xb[(size_t)tb->nd[k].f * n + i] <= tb->bin[k] ? tb->nd[k].left : tb->nd[k].right;
		F[i] += tb->nd[k].value;
	}
	for (size_t i = 0; i < nv; i++) {
		int k = 0;
		const float *x = Xv + i * (size_t)nf;
		while (tb->nd[k].f >= 0)
			k = x[tb->nd[k].f] <= tb->nd[k].thr ? tb->nd[k].left : tb->nd[k].right;
		Fv[i] += tb->nd[k].value;
	}
}

struct sc_learn_gbt *sc_learn_gbt_train(const float *X, const unsigned char *y, size_t n, int nf,
                            const float *Xv, const unsigned char *yv, size_t nv,
                            const struct sc_learn_gbt_params *p, FILE *logf, struct sc_error *err)
{
	int maxb = p->bins < 2 ? 2 : p->bins > 255 ? 255 : p->bins;
	int maxl = p->leaves < 2 ? 2 : p->leaves;
	struct sc_learn_gbt *g = calloc(1, sizeof *g);
	uint8_t *Xb = malloc(n * (size_t)nf + 1);
	int *nb = calloc((size_t)nf, sizeof *nb);
	float *edges = calloc((size_t)nf * 255, sizeof *edges);
	float *col = malloc((n + 1) * sizeof *col);
	double *F = calloc(n + 1, sizeof *F), *Fv = calloc(nv + 1, sizeof *Fv);
	double *grad = malloc((n + 1) * sizeof *grad), *hess = malloc((n + 1) * sizeof *hess);
	size_t *idx = malloc((n + 1) * sizeof *idx), *tmp = malloc((n + 1) * sizeof *tmp);
	unsigned char *usef = malloc((size_t)nf + 1);
	struct hbin *pool = malloc((size_t)maxl * (size_t)nf * 256 * sizeof *pool);
	struct tree_buf tb = { 0 };
	struct sc_learn_gbt_node *all = NULL;
	int *roots = NULL, nall = 0, capall = 0;
	uint64_t rng = p->seed * 0x2545F4914F6CDD1DULL + 1;

	if (!g || !Xb || !nb || !edges || !col || !F || !Fv || !grad || !hess || !idx || !tmp ||
	    !usef || !pool) {
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		goto fail;
	}
	if (n == 0) {
		sc_error_set(err, NULL, 0, 0, "empty", "no labelled records to learn from");
		goto fail;
	}
	size_t npos = 0;
	for (size_t i = 0; i < n; i++)
		npos += y[i];
	if (npos == 0 || npos == n) {
		sc_error_set(err, NULL, 0, 0, "one-class",
		             "all %zu labelled records have the same outcome: nothing to learn", n);
		goto fail;
	}
	g->nf = nf;
	g->base = log(((double)npos + 1) / ((double)(n - npos) + 1));

	make_bins(X, n, nf, maxb, col, edges, nb, Xb);
	for (size_t i = 0; i < n; i++)
		F[i] = g->base;
	for (size_t i = 0; i < nv; i++)
		Fv[i] = g->base;

	struct grower gr = { Xb, n, nf, nb, edges, grad, hess, p, usef, idx, tmp };
	double best_loss = INFINITY;
	int best_round = 0;
	for (int t = 0; t < p->trees; t++) {
		for (size_t i = 0; i < n; i++) {
			double pr = 1 / (1 + exp(-F[i]));
			grad[i] = pr - y[i];
			hess[i] = pr * (1 - pr) < 1e-6 ? 1e-6 : pr * (1 - pr);
		}
		size_t m = sample(p, n, nf, &rng, idx, usef);
		if (grow_tree(&gr, m, &tb, pool) < 0) {
			sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
			goto fail;
		}
		if (append_tree(&all, &capall, &roots, nall, t, &tb) < 0) {
			sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
			goto fail;
		}
		add_tree(&tb, Xb, n, F, Xv, nv, nf, Fv);
		nall += tb.n;
		g->ntrees = t + 1;
		double vl = nv ? logloss(Fv, yv, nv) : 0;
		if (nv && vl < best_loss - 1e-7) {
			best_loss = vl;
			best_round = t + 1;
		}
		if (logf && ((t + 1) % 50 == 0 || t + 1 == p->trees)) {
			if (nv)
				fprintf(logf, "round %d: train logloss %.5f, valid logloss %.5f\n",
				        t + 1, logloss(F, y, n), vl);
			else
				fprintf(logf, "round %d: train logloss %.5f\n", t + 1, logloss(F, y, n));
		}
		if (nv && p->early_stop > 0 && t + 1 - best_round >= p->early_stop)
			break;
	}
	/* trees are stored in order, so dropping the rounds after the best is a cut */
	if (nv && best_round > 0 && best_round < g->ntrees) {
		nall = roots[best_round];
		g->ntrees = best_round;
	}
	g->best_round = g->ntrees;
	g->nnodes = nall;
	g->nodes = all;
	g->root = roots;
	all = NULL;
	roots = NULL;
	free(Xb); free(nb); free(edges); free(col); free(F); free(Fv); free(grad); free(hess);
	free(idx); free(tmp); free(usef); free(pool); free(tb.nd); free(tb.bin);
	return g;
fail:
	free(Xb); free(nb); free(edges); free(col); free(F); free(Fv); free(grad); free(hess);
	free(idx); free(tmp); free(usef); free(pool); free(tb.nd); free(tb.bin);
	free(all); free(roots);
	sc_learn_gbt_free(g);
	return NULL;
}
