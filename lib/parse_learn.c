/*
 * parse_learn.c - `sc-parse learn`: the ranking model from labelled
 * documents (sc-ocr's records and a truth JSON per document). Documents are
 * kept as their lines; a pass over them builds each one's candidates, labels
 * them against the truth and keeps the positives and a seeded sample of the
 * negatives per field. Calibration and thresholds come from K-fold
 * cross-validation inside the training documents: each fold's trees score
 * the held-out documents' full candidate lists, the best candidate's margin
 * against whether it was right gives the Platt scaling and the threshold
 * (the most recall with precision at least the target). Then the trees are
 * grown on all documents. Everything is in input order and seeded: the same
 * data and seed give the same bytes.
 */
#include <math.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "parse_rank.h"

/* The fields a truth file may name, and their kinds. */
static const struct { const char *name; int kind; } TRUTH_FIELDS[] = {
	{"date", RK_DATE},     {"date_from", RK_DATE}, {"date_to", RK_DATE}, {"total", RK_AMOUNT},
	{"doc_no", RK_REF},    {"invoice_no", RK_REF}, {"bl_no", RK_REF},    {"buyer", RK_PARTY},
	{"seller", RK_PARTY},  {NULL, 0}};

struct ldoc {
	struct sc_pdoc *d;
	char type[32];
	json_t *truth;       /* field -> value (only fields of TRUTH_FIELDS, JSON null kept) */
	json_t *tmpl;        /* the templates' fields */
	char ttype[32];      /* the templates' type ("other": no template matched) */
	char name[256];
};

struct sc_plearn {
	const struct sc_parse *p;
	struct ldoc *docs;
	int n, cap;
};

struct sc_plearn *sc_plearn_new(const struct sc_parse *p)
{
	struct sc_plearn *L = calloc(1, sizeof *L);
	if (L)
		L->p = p;
	return L;
}

void sc_plearn_free(struct sc_plearn *L)
{
	if (!L)
		return;
	for (int i = 0; i < L->n; i++) {
		sc_pdoc_free(L->docs[i].d);
		json_decref(L->docs[i].truth);
		json_decref(L->docs[i].tmpl);
	}
	free(L->docs);
	free(L);
}

int sc_plearn_docs(const struct sc_plearn *L)
{
	return L->n;
}

/* The line of the first occurrence of "key" in a JSON text (for messages). */
static int key_line(const char *text, const char *key)
{
	char pat[80];
	snprintf(pat, sizeof pat, "\"%s\"", key);
	const char *at = text ? strstr(text, pat) : NULL;
	if (!at)
		return 1;
	int line = 1;
	for (const char *s = text; s < at; s++)
		line += *s == '\n';
	return line;
}

json_t *sc_plearn_read_truth(const char *path, const char **type, struct sc_error *err)
{
	unsigned char *data;
	size_t len;
	if (sc_read_file(path, 16u << 20, &data, &len, err) < 0)
		return NULL;
	json_error_t je;
	json_t *root = json_loadb((const char *)data, len, 0, &je);
	if (!root) {
		sc_error_set(err, path, je.line, je.column, "bad-truth", "not JSON: %s", je.text);
		free(data);
		return NULL;
	}
	if (!json_is_object(root)) {
		sc_error_set(err, path, 1, 1, "bad-truth", "a truth file holds one JSON object");
		json_decref(root);
		free(data);
		return NULL;
	}
	char *text = malloc(len + 1);
	if (text) {
		memcpy(text, data, len);
		text[len] = '\0';
	}
	free(data);
	json_t *out = json_object();
	json_t *t = json_object_get(root, "type");
	if (t && !json_is_string(t)) {
		sc_error_set(err, path, key_line(text, "type"), 0, "bad-truth", "\"type\" must be a string");
		goto fail;
	}
	if (t)
		json_object_set(out, "type", t);
	for (int k = 0; TRUTH_FIELDS[k].name; k++) {
		json_t *v = json_object_get(root, TRUTH_FIELDS[k].name);
		if (!v)
			continue;
		int kind = TRUTH_FIELDS[k].kind, ok = json_is_null(v);
		if (kind == RK_AMOUNT)
			ok = ok || json_is_number(v);
		else if (kind == RK_DATE) {
			const char *s = json_string_value(v);
			int y, m, d;
			char tail;
			ok = ok || (s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
			            sc_date_valid(y, m, d));
		} else
			ok = ok || json_is_string(v);
		if (!ok) {
			sc_error_set(err, path, key_line(text, TRUTH_FIELDS[k].name), 0, "bad-truth",
			             "\"%s\" must be %s or null", TRUTH_FIELDS[k].name,
			             kind == RK_AMOUNT ? "a number" : kind == RK_DATE ? "an ISO date (YYYY-MM-DD)" : "a string");
			goto fail;
		}
		json_object_set(out, TRUTH_FIELDS[k].name, v);
	}
	free(text);
	json_decref(root);
	if (type)
		*type = NULL;
	return out;
fail:
	free(text);
	json_decref(root);
	json_decref(out);
	return NULL;
}

int sc_plearn_add(struct sc_plearn *L, struct sc_pdoc *d, json_t *truth, const char *type, const char *name,
                  struct sc_error *err)
{
	if (!d->n) {
		sc_pdoc_free(d);
		json_decref(truth);
		return sc_error_set(err, name, 0, 0, "no-words", "the document has no words to learn from");
	}
	if (L->n == L->cap) {
		int nc = L->cap ? L->cap * 2 : 64;
		struct ldoc *n = realloc(L->docs, (size_t)nc * sizeof *n);
		if (!n) {
			sc_pdoc_free(d);
			json_decref(truth);
			return sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
		}
		L->docs = n, L->cap = nc;
	}
	struct ldoc *D = &L->docs[L->n++];
	memset(D, 0, sizeof *D);
	D->d = d;
	D->truth = truth;
	const char *tt = json_string_value(json_object_get(truth, "type"));
	snprintf(D->type, sizeof D->type, "%s", tt ? tt : type ? type : "other");
	snprintf(D->name, sizeof D->name, "%s", name);
	/* the templates' reading, for the one feature that uses them */
	json_t *pa = sc_parse_doc(L->p, d);
	D->tmpl = json_incref(json_object_get(pa, "fields"));
	const char *pt = json_string_value(json_object_get(pa, "type"));
	snprintf(D->ttype, sizeof D->ttype, "%s", pt ? pt : "other");
	json_decref(pa);
	return 0;
}

int sc_plearn_add_found(struct sc_plearn *L, struct sc_pdoc *d, const char *path, const char *const *dirs,
                        const char *const *types, int n, const char *where, struct sc_error *err)
{
	char stem[1024], tpath[2200];
	const char *b = strrchr(path, '/');
	snprintf(stem, sizeof stem, "%s", b ? b + 1 : path);
	char *dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = '\0';
	int k;
	for (k = 0; k < n; k++) {
		struct stat st;
		snprintf(tpath, sizeof tpath, "%s/%s.json", dirs[k], stem);
		if (stat(tpath, &st) == 0 && S_ISREG(st.st_mode))
			break;
	}
	if (k == n) {
		sc_pdoc_free(d);
		return 1;
	}
	json_t *truth = sc_plearn_read_truth(tpath, NULL, err);
	if (!truth) {
		sc_pdoc_free(d);
		return -1;
	}
	return sc_plearn_add(L, d, truth, types[k], where, err);
}

/* ---- fitting ----------------------------------------------------------------- */

static uint64_t mix(uint64_t z)
{
	z += 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

struct rows {
	float *X;
	unsigned char *y;
	int *doc;
	size_t n, cap;
};

static int rows_add(struct rows *R, const float *x, int y, int doc)
{
	if (R->n == R->cap) {
		size_t nc = R->cap ? R->cap * 2 : 4096;
		float *X = realloc(R->X, nc * SC_RANK_NF * sizeof *X);
		if (!X)
			return -1;
		R->X = X;
		unsigned char *yy = realloc(R->y, nc);
		if (!yy)
			return -1;
		R->y = yy;
		int *dd = realloc(R->doc, nc * sizeof *dd);
		if (!dd)
			return -1;
		R->doc = dd;
		R->cap = nc;
	}
	memcpy(R->X + R->n * SC_RANK_NF, x, SC_RANK_NF * sizeof *x);
	R->y[R->n] = (unsigned char)y;
	R->doc[R->n] = doc;
	R->n++;
	return 0;
}

/* Platt scaling: fit p = sigmoid(a*m + b) by Newton's method, towards
 * Platt's smoothed targets ((N+ + 1)/(N+ + 2) for a right answer, 1/(N- + 2)
 * for a wrong one): on held-out scores that part the two cleanly the plain
 * fit runs off to an infinite slope, every probability 0 or 1, and a
 * threshold that no longer tells one margin from another. */
static void platt(const double *m, const unsigned char *y, int n, double *a, double *b)
{
	int npos = 0;
	for (int i = 0; i < n; i++)
		npos += y[i] != 0;
	double tp = (npos + 1.0) / (npos + 2.0), tn = 1.0 / (n - npos + 2.0);
	double A = 1, B = 0;
	for (int it = 0; it < 100; it++) {
		double g1 = 0, g2 = 0, h11 = 1e-6, h12 = 0, h22 = 1e-6;
		for (int i = 0; i < n; i++) {
			double p = 1 / (1 + exp(-(A * m[i] + B)));
			double d = p - (y[i] ? tp : tn), w = p * (1 - p);
			g1 += d * m[i], g2 += d;
			h11 += w * m[i] * m[i], h12 += w * m[i], h22 += w;
		}
		double det = h11 * h22 - h12 * h12;
		if (fabs(det) < 1e-12)
			break;
		double da = (h22 * g1 - h12 * g2) / det, db = (h11 * g2 - h12 * g1) / det;
		/* damped: a step never more than doubles the slope */
		double lim = fabs(A) + 1;
		if (fabs(da) > lim)
			db *= lim / fabs(da), da = da > 0 ? lim : -lim;
		A -= da, B -= db;
		if (fabs(da) + fabs(db) < 1e-9)
			break;
	}
	/* a margin that falls as the answers get righter is no calibration */
	if (!isfinite(A) || !isfinite(B) || A <= 0)
		A = 1, B = 0;
	*a = A, *b = B;
}

struct oof { double m; unsigned char ok, type; };

static int cmp_oof(const void *x, const void *y)
{
	const struct oof *a = x, *b = y;
	return a->m > b->m ? -1 : a->m < b->m;
}

/* The precision of the `right` right answers among `n` reported, as the
 * held-out documents vouch for it: the point estimate (z 0), or the lower
 * end of its Wilson interval, so that a threshold set on few documents
 * errs towards leaving a field out. */
static double precision_bound(int right, int n, double z)
{
	double p = (double)right / n;
	if (z <= 0)
		return p;
	double z2 = z * z, d = 1 + z2 / n;
	return (p + z2 / (2.0 * n) - z * sqrt(p * (1 - p) / n + z2 / (4.0 * n * n))) / d;
}

/* Platt scaling over the held-out best candidates' margins (mm falling,
 * yy whether each was right), then the threshold: the most right answers
 * with precision (as precision_bound) at least the target; failing that,
 * the cut whose precision is best vouched for (the highest bound); failing
 * that (nothing right), never. */
static void calibrate(const double *mm, const unsigned char *yy, int n, const struct sc_plearn_opts *o, double *a,
                      double *b, double *th, int *pred, int *corr)
{
	platt(mm, yy, n, a, b);
	int right = 0, best_i = -1, best_right = 0, bound_i = -1;
	double best_bound = 0;
	for (int i = 0; i < n; i++) {
		right += yy[i];
		if (!(i + 1 == n || mm[i + 1] < mm[i]))
			continue;   /* no threshold falls inside a tie */
		double pb = precision_bound(right, i + 1, o->confidence);
		if (right > best_right && pb >= o->precision)
			best_right = right, best_i = i;
		if (right && pb > best_bound)
			best_bound = pb, bound_i = i;
	}
	int at = best_i >= 0 ? best_i : bound_i;
	*th = at >= 0 ? 1 / (1 + exp(-(*a * mm[at] + *b))) : 1;
	*pred = *corr = 0;
	for (int i = 0; i < n; i++)
		if (1 / (1 + exp(-(*a * mm[i] + *b))) >= *th)
			(*pred)++, *corr += yy[i];
}

void sc_plearn_opts_defaults(struct sc_plearn_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->folds = 3;
	o->negatives = 40;
	/* a field is reported where the held-out documents vouch, at about 95 %
	 * (one-sided), for a precision of 0.90: an absent field is better than
	 * a wrong one */
	o->precision = 0.90;
	o->confidence = 1.64;
	sc_learn_gbt_defaults(&o->gbt);
	o->gbt.trees = 150;
	o->gbt.lr = 0.1;
	o->gbt.leaves = 15;
	o->gbt.min_leaf = 5;
	o->gbt.colsample = 0.5;
	o->gbt.subsample = 0.8;
	o->gbt.early_stop = 0;
}

/* Both outcomes among y? The trees need both. */
static int two_classes(const unsigned char *y, size_t n)
{
	int seen[2] = {0, 0};
	for (size_t i = 0; i < n; i++)
		seen[y[i] ? 1 : 0] = 1;
	return seen[0] && seen[1];
}

/* No trees, a margin far below zero: a field never reported. */
static struct sc_learn_gbt *never(int nf)
{
	struct sc_learn_gbt *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->nf = nf;
	g->base = -20;
	g->root = malloc(sizeof *g->root);
	g->nodes = malloc(sizeof *g->nodes);
	if (!g->root || !g->nodes) {
		sc_learn_gbt_free(g);
		return NULL;
	}
	return g;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* The type classifier cross-validated (for the log): per type, how many of
 * its held-out documents were given it, and how many of the others were. */
static int type_cv(const struct sc_plearn *L, const struct sc_pmodel *m, const float *TX, const int *dtype,
                   const struct sc_plearn_opts *o, FILE *logf, struct sc_error *err)
{
	int K = o->folds < 2 ? 2 : o->folds, n = L->n;
	int *got = malloc((size_t)n * sizeof *got);
	float *X = malloc((size_t)n * SC_TYPE_NF * sizeof *X);
	unsigned char *y = malloc((size_t)n);
	double *bp = malloc((size_t)n * sizeof *bp);
	if (!got || !X || !y || !bp) {
		free(got), free(X), free(y), free(bp);
		return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	}
	for (int i = 0; i < n; i++)
		got[i] = -1, bp[i] = -1;
	struct sc_learn_gbt_params tp = o->gbt;
	tp.trees = 60;
	tp.min_leaf = 2;
	for (int fold = 0; fold < K; fold++)
		for (int k = 0; k < m->ntypes; k++) {
			size_t nt = 0;
			for (int i = 0; i < n; i++)
				if (i % K != fold) {
					memcpy(X + nt * SC_TYPE_NF, TX + (size_t)i * SC_TYPE_NF, SC_TYPE_NF * sizeof *X);
					y[nt++] = dtype[i] == k;
				}
			if (!two_classes(y, nt))
				continue;
			tp.seed = o->seed + 101 + (uint64_t)k + 1000 * (uint64_t)fold;
			struct sc_learn_gbt *g = sc_learn_gbt_train(X, y, nt, SC_TYPE_NF, NULL, NULL, 0, &tp, NULL, err);
			if (!g) {
				free(got), free(X), free(y), free(bp);
				return -1;
			}
			for (int i = fold; i < n; i += K) {
				double p = 1 / (1 + exp(-sc_learn_gbt_margin(g, TX + (size_t)i * SC_TYPE_NF, NULL)));
				if (p > bp[i])
					bp[i] = p, got[i] = k;
			}
			sc_learn_gbt_free(g);
		}
	for (int k = 0; k < m->ntypes; k++) {
		int nk = 0, right = 0, other = 0;
		for (int i = 0; i < n; i++) {
			int as = bp[i] >= 0.5 ? got[i] : -1;
			nk += dtype[i] == k;
			right += dtype[i] == k && as == k;
			other += dtype[i] != k && as == k;
		}
		fprintf(logf, "sc-parse: learn: type %-10s %4d documents  cross-validated: %d typed so, %d others typed so\n",
		        m->types[k], nk, right, other);
	}
	free(got), free(X), free(y), free(bp);
	return 0;
}

/* One held-out (document, field): the taken candidate, its margin and line,
 * and the best right candidate's rank among the field's candidates. */
static void heldout_line(FILE *f, const struct ldoc *D, const char *field, const json_t *tv, const struct rdoc *rd,
                         const struct sc_learn_gbt *g, int kind, int best, double bm)
{
	int right = -1, rank = 0, n = 0;
	double rm = -INFINITY;
	for (int c = 0; c < rd->nc; c++) {
		if (rd->c[c].kind != kind)
			continue;
		n++;
		double mg = sc_learn_gbt_margin(g, rd->x + (size_t)c * SC_RANK_NF, NULL);
		if (sc_rank_matches(&rd->c[c], tv) && mg > rm)
			rm = mg, right = c;
	}
	if (right >= 0)
		for (int c = 0; c < rd->nc; c++)
			rank += rd->c[c].kind == kind && sc_learn_gbt_margin(g, rd->x + (size_t)c * SC_RANK_NF, NULL) > rm;
	json_t *o = json_object();
	json_object_set_new(o, "doc", json_string(D->name));
	json_object_set_new(o, "type", json_string(D->type));
	json_object_set_new(o, "field", json_string(field));
	json_object_set(o, "truth", (json_t *)tv);
	json_object_set_new(o, "cands", json_integer(n));
	if (best >= 0) {
		const struct rcand *c = &rd->c[best];
		json_object_set_new(o, "took", sc_rank_value(c));
		json_object_set_new(o, "margin", json_real(bm));
		json_object_set_new(o, "ok", json_boolean(sc_rank_matches(c, tv)));
		json_object_set_new(o, "line", json_stringn(rd->d->l[c->line].text, rd->d->l[c->line].len));
	}
	if (right >= 0) {
		const struct rcand *c = &rd->c[right];
		json_object_set_new(o, "right_rank", json_integer(rank));
		json_object_set_new(o, "right_margin", json_real(rm));
		json_object_set_new(o, "right_line", json_stringn(rd->d->l[c->line].text, rd->d->l[c->line].len));
	}
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s)
		fprintf(f, "%s\n", s);
	free(s);
	json_decref(o);
}

struct sc_pmodel *sc_plearn_fit(struct sc_plearn *L, const struct sc_plearn_opts *o, FILE *logf,
                                struct sc_error *err)
{
	struct sc_pmodel *m = calloc(1, sizeof *m);
	struct rows *R = NULL;
	float *TX = NULL;
	unsigned char *ty = NULL;
	int *dtype = NULL;
	if (!m)
		goto nomem;
	m->seed = o->seed;
	m->docs = L->n;
	if (!L->n) {
		sc_error_set(err, NULL, 0, 0, "no-documents", "no labelled documents to learn from");
		goto fail;
	}
	/* the types, in name order */
	for (int i = 0; i < L->n; i++) {
		int k;
		for (k = 0; k < m->ntypes; k++)
			if (strcmp(m->types[k], L->docs[i].type) == 0)
				break;
		if (k == m->ntypes) {
			if (m->ntypes == SC_PMODEL_MAX_TYPES) {
				sc_error_set(err, L->docs[i].name, 0, 0, "too-many-types", "more than %d document types",
				             SC_PMODEL_MAX_TYPES);
				goto fail;
			}
			snprintf(m->types[m->ntypes++], sizeof m->types[0], "%s", L->docs[i].type);
		}
	}
	qsort(m->types, (size_t)m->ntypes, sizeof m->types[0], cmp_str);
	dtype = malloc((size_t)L->n * sizeof *dtype);
	TX = malloc((size_t)L->n * SC_TYPE_NF * sizeof *TX);
	ty = malloc((size_t)L->n);
	if (!dtype || !TX || !ty)
		goto nomem;
	for (int i = 0; i < L->n; i++) {
		for (int k = 0; k < m->ntypes; k++)
			if (strcmp(m->types[k], L->docs[i].type) == 0)
				dtype[i] = k;
		sc_rdoc_type_features(L->docs[i].d, L->docs[i].ttype, TX + (size_t)i * SC_TYPE_NF);
	}
	struct sc_learn_gbt_params tp = o->gbt;
	tp.trees = 60;
	tp.min_leaf = 2;
	if (m->ntypes > 1)
		for (int k = 0; k < m->ntypes; k++) {
			for (int i = 0; i < L->n; i++)
				ty[i] = dtype[i] == k;
			tp.seed = o->seed + 101 + (uint64_t)k;
			m->tg[k] = two_classes(ty, (size_t)L->n)
			               ? sc_learn_gbt_train(TX, ty, (size_t)L->n, SC_TYPE_NF, NULL, NULL, 0, &tp, NULL, err)
			               : never(SC_TYPE_NF);
			if (!m->tg[k])
				goto fail;
		}
	if (m->ntypes > 1 && logf && type_cv(L, m, TX, dtype, o, logf, err) < 0)
		goto fail;
	/* the fields: those the truth files name, in TRUTH_FIELDS order */
	for (int k = 0; TRUTH_FIELDS[k].name; k++) {
		unsigned types = 0;
		for (int i = 0; i < L->n; i++)
			if (json_object_get(L->docs[i].truth, TRUTH_FIELDS[k].name))
				types |= 1u << dtype[i];
		if (!types)
			continue;
		struct pm_field *F = &m->f[m->nfields++];
		snprintf(F->name, sizeof F->name, "%s", TRUTH_FIELDS[k].name);
		F->kind = TRUTH_FIELDS[k].kind;
		F->types = types;
	}
	R = calloc((size_t)m->nfields + 1, sizeof *R);
	if (!R)
		goto nomem;
	/* pass 1: rows (positives and sampled negatives) */
	for (int i = 0; i < L->n; i++) {
		struct ldoc *D = &L->docs[i];
		struct rdoc *rd = sc_rdoc_build(D->d, dtype[i]);
		if (!rd)
			goto nomem;
		for (int k = 0; k < m->nfields; k++) {
			struct pm_field *F = &m->f[k];
			json_t *tv = json_object_get(D->truth, F->name);
			if (!tv || json_is_null(tv))
				continue;
			const json_t *tf = json_object_get(D->tmpl, F->name);
			if (!tf && strcmp(F->name, "doc_no") == 0)
				tf = json_object_get(D->tmpl, "invoice_no");
			int nneg = 0, nkind = 0;
			for (int c = 0; c < rd->nc; c++)
				nkind += rd->c[c].kind == F->kind;
			for (int c = 0; c < rd->nc; c++) {
				if (rd->c[c].kind != F->kind)
					continue;
				int y = sc_rank_matches(&rd->c[c], tv);
				if (!y) {
					/* a seeded sample of the negatives, the same for the same data */
					uint64_t h = mix(o->seed ^ mix((uint64_t)i * 1000003u + (uint64_t)c * 31u + (uint64_t)k));
					if (nkind > o->negatives && (double)(h >> 11) / 9007199254740992.0 >
					                                 (double)o->negatives / (double)nkind)
						continue;
					nneg++;
				}
				float *x = rd->x + (size_t)c * SC_RANK_NF;
				sc_rank_set_tmpl(x, &rd->c[c], tf);
				if (rows_add(&R[k], x, y, i) < 0) {
					sc_rdoc_free(rd);
					goto nomem;
				}
			}
		}
		sc_rdoc_free(rd);
	}
	/* pass 2: cross-validation, fold by fold */
	int K = o->folds < 2 ? 2 : o->folds;
	struct oof **oo = calloc((size_t)m->nfields, sizeof *oo);
	int *noo = calloc((size_t)m->nfields, sizeof *noo), *nlab = calloc((size_t)m->nfields, sizeof *nlab),
	    *ceil_ = calloc((size_t)m->nfields * SC_PMODEL_MAX_TYPES, sizeof *ceil_);
	struct sc_learn_gbt **fg = calloc((size_t)m->nfields, sizeof *fg);
	if (!oo || !noo || !nlab || !ceil_ || !fg) {
		free(oo), free(noo), free(nlab), free(ceil_), free(fg);
		goto nomem;
	}
	for (int k = 0; k < m->nfields; k++)
		oo[k] = calloc((size_t)L->n + 1, sizeof **oo);
	int ok = 1;
	for (int fold = 0; fold < K && ok; fold++) {
		for (int k = 0; k < m->nfields && ok; k++) {
			struct rows *Rk = &R[k];
			size_t nt = 0;
			float *X = malloc((Rk->n + 1) * SC_RANK_NF * sizeof *X);
			unsigned char *y = malloc(Rk->n + 1);
			if (!X || !y) {
				free(X), free(y);
				ok = 0;
				break;
			}
			for (size_t r = 0; r < Rk->n; r++)
				if (Rk->doc[r] % K != fold) {
					memcpy(X + nt * SC_RANK_NF, Rk->X + r * SC_RANK_NF, SC_RANK_NF * sizeof *X);
					y[nt++] = Rk->y[r];
				}
			struct sc_learn_gbt_params gp = o->gbt;
			gp.seed = o->seed + 7 * (uint64_t)k + 1000 * (uint64_t)fold;
			int two = two_classes(y, nt);
			fg[k] = two ? sc_learn_gbt_train(X, y, nt, SC_RANK_NF, NULL, NULL, 0, &gp, NULL, err) : NULL;
			free(X), free(y);
			if (two && !fg[k])
				ok = 0;
		}
		for (int i = fold; i < L->n && ok; i += K) {
			struct ldoc *D = &L->docs[i];
			struct rdoc *rd = sc_rdoc_build(D->d, dtype[i]);
			if (!rd) {
				ok = 0;
				break;
			}
			for (int k = 0; k < m->nfields; k++) {
				struct pm_field *F = &m->f[k];
				json_t *tv = json_object_get(D->truth, F->name);
				if (!tv || json_is_null(tv) || !fg[k])
					continue;
				const json_t *tf = json_object_get(D->tmpl, F->name);
				if (!tf && strcmp(F->name, "doc_no") == 0)
					tf = json_object_get(D->tmpl, "invoice_no");
				nlab[k]++;
				int best = -1, any = 0;
				double bm = -INFINITY;
				for (int c = 0; c < rd->nc; c++) {
					if (rd->c[c].kind != F->kind)
						continue;
					float *x = rd->x + (size_t)c * SC_RANK_NF;
					sc_rank_set_tmpl(x, &rd->c[c], tf);
					any |= sc_rank_matches(&rd->c[c], tv);
					double mg = sc_learn_gbt_margin(fg[k], x, NULL);
					if (mg > bm)
						bm = mg, best = c;
				}
				ceil_[k * SC_PMODEL_MAX_TYPES + dtype[i]] += any;
				if (o->heldout)
					heldout_line(o->heldout, D, F->name, tv, rd, fg[k], F->kind, best, bm);
				if (best >= 0) {
					oo[k][noo[k]].m = bm;
					oo[k][noo[k]].ok = (unsigned char)sc_rank_matches(&rd->c[best], tv);
					oo[k][noo[k]].type = (unsigned char)dtype[i];
					noo[k]++;
				}
			}
			sc_rdoc_free(rd);
		}
		for (int k = 0; k < m->nfields; k++) {
			sc_learn_gbt_free(fg[k]);
			fg[k] = NULL;
		}
	}
	/* calibration and thresholds from the held-out scores: for the field,
	 * and for each type with enough held-out documents of its own */
	for (int k = 0; k < m->nfields && ok; k++) {
		struct pm_field *F = &m->f[k];
		int n = noo[k];
		double *mm = malloc(((size_t)n + 1) * sizeof *mm);
		unsigned char *yy = malloc((size_t)n + 1);
		if (!mm || !yy) {
			free(mm), free(yy);
			ok = 0;
			break;
		}
		qsort(oo[k], (size_t)n, sizeof **oo, cmp_oof);
		for (int t = -1; t < m->ntypes; t++) {
			int nn = 0, lab = 0;
			for (int i = 0; i < n; i++)
				if (t < 0 || oo[k][i].type == t)
					mm[nn] = oo[k][i].m, yy[nn] = oo[k][i].ok, nn++;
			for (int i = 0; i < L->n; i++)
				lab += (t < 0 || dtype[i] == t) && json_object_get(L->docs[i].truth, F->name) &&
				       !json_is_null(json_object_get(L->docs[i].truth, F->name));
			if (t >= 0 && (nn < SC_PLEARN_MIN_CAL || nn == n))
				continue;   /* too few of its own, or the field's figures already */
			int inside = 0;
			for (int u = 0; u < m->ntypes; u++)
				inside += t < 0 || u == t ? ceil_[k * SC_PMODEL_MAX_TYPES + u] : 0;
			double a, b, th;
			int pred, corr;
			calibrate(mm, yy, nn, o, &a, &b, &th, &pred, &corr);
			if (t < 0)
				F->a = a, F->b = b, F->threshold = th;
			else {
				F->caltypes |= 1u << t;
				F->ca[t] = a, F->cb[t] = b, F->cthr[t] = th;
			}
			if (logf)
				fprintf(logf,
				        "sc-parse: learn: %-10s %-8s %4d documents  ceiling %.3f  cross-validated precision %.3f"
				        " recall %.3f  (threshold %.2f)\n",
				        F->name, t < 0 ? "all" : m->types[t], lab, lab ? (double)inside / lab : 0,
				        pred ? (double)corr / pred : 0, lab ? (double)corr / lab : 0, th);
		}
		free(mm), free(yy);
	}
	for (int k = 0; k < m->nfields; k++)
		free(oo[k]);
	free(oo), free(noo), free(nlab), free(ceil_), free(fg);
	if (!ok) {
		if (!err->code[0])
			sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		goto fail;
	}
	/* the trees on all documents */
	for (int k = 0; k < m->nfields; k++) {
		struct sc_learn_gbt_params gp = o->gbt;
		gp.seed = o->seed + 7 * (uint64_t)k;
		if (!two_classes(R[k].y, R[k].n)) {
			/* no labelled value of this field was found among the candidates
			 * (or nothing else was): it is never reported */
			m->f[k].g = never(SC_RANK_NF);
			m->f[k].threshold = 1;
			m->f[k].a = 1, m->f[k].b = 0;
		} else
			m->f[k].g = sc_learn_gbt_train(R[k].X, R[k].y, R[k].n, SC_RANK_NF, NULL, NULL, 0, &gp, NULL, err);
		if (!m->f[k].g)
			goto fail;
	}
	for (int k = 0; k < m->nfields; k++)
		free(R[k].X), free(R[k].y), free(R[k].doc);
	free(R);
	free(TX), free(ty), free(dtype);
	return m;
nomem:
	sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
fail:
	if (R)
		for (int k = 0; k < m->nfields; k++)
			free(R[k].X), free(R[k].y), free(R[k].doc);
	free(R);
	free(TX), free(ty), free(dtype);
	sc_pmodel_free(m);
	return NULL;
}
