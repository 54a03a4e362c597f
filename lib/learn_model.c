/*
 * learn_model.c - model files of learned scoring (lib/learn_model.h): the key tables of
 * past outcomes, the trees or regression weights, and the score quantiles a
 * pack's "riskiest n%" reads; loading checks format, version and feature set.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "learn.h"
#include "learn_model.h"

#define MODEL_MAX_BYTES (1u << 30)

struct sc_learn_model {
	char name[300];
	int kind;                    /* 0 gbt, 1 logreg */
	int ngroups, nf;
	struct sc_keytab **tabs;
	double prior, smooth;
	struct sc_learn_gbt *gbt;
	struct sc_logreg *lr;
	double q[SC_MODEL_NQ + 1];
	json_t *info;
};

void sc_learn_model_free(struct sc_learn_model *m)
{
	if (!m)
		return;
	if (m->tabs)
		for (int g = 0; g < m->ngroups; g++)
			sc_keytab_free(m->tabs[g]);
	free(m->tabs);
	sc_learn_gbt_free(m->gbt);
	sc_logreg_free(m->lr);
	json_decref(m->info);
	free(m);
}

struct sc_learn_model *sc_learn_model_new(struct sc_keytab **tabs, double prior, double smooth,
                              struct sc_learn_gbt *g, struct sc_logreg *lr, double *q, json_t *info)
{
	struct sc_learn_model *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->kind = g ? 0 : 1;
	m->ngroups = sc_learn_ngroups();
	m->nf = sc_learn_nfeatures();
	m->tabs = tabs;
	m->prior = prior;
	m->smooth = smooth;
	m->gbt = g;
	m->lr = lr;
	memcpy(m->q, q, sizeof m->q);
	m->info = info ? info : json_object();
	snprintf(m->name, sizeof m->name, "%s-v%d", g ? "gbt" : "logreg", SC_MODEL_VERSION);
	return m;
}

void sc_learn_model_set_quantiles(struct sc_learn_model *m, const double *q)
{
	memcpy(m->q, q, sizeof m->q);
}

const json_t *sc_learn_model_info(const struct sc_learn_model *m)
{
	return m->info;
}

const char *sc_learn_model_name(const struct sc_learn_model *m)
{
	return m->name;
}

double sc_learn_model_threshold(const struct sc_learn_model *m, double fraction)
{
	if (!(fraction > 0))
		return 1.0;
	if (fraction >= 1)
		return m->q[SC_MODEL_NQ];
	double k = fraction * SC_MODEL_NQ;
	int lo = (int)floor(k);
	if (lo >= SC_MODEL_NQ)
		return m->q[SC_MODEL_NQ];
	double t = k - lo;
	return m->q[lo] * (1 - t) + m->q[lo + 1] * t;
}

double sc_learn_model_margin_x(const struct sc_learn_model *m, const float *x, double *contrib)
{
	return m->gbt ? sc_learn_gbt_margin(m->gbt, x, contrib) : sc_logreg_margin(m->lr, x, contrib);
}

static double sigmoid(double z)
{
	return 1 / (1 + exp(-z));
}

int sc_learn_model_score_value(const struct sc_learn_model *m, const json_t *decl, double *score)
{
	struct sc_learn_raw raw;
	float x[SC_LEARN_MAX_FEATURES];

	if (!json_is_object(decl))
		return -1;
	sc_learn_extract(decl, &raw);
	sc_learn_encode_with(m->tabs, m->prior, m->smooth, &raw, x);
	*score = sigmoid(sc_learn_model_margin_x(m, x, NULL));
	return 0;
}

static double round_to(double v, double scale)
{
	return round(v * scale) / scale;
}

json_t *sc_learn_model_score(const struct sc_learn_model *m, const json_t *decl, struct sc_error *err)
{
	struct sc_learn_raw raw;
	float x[SC_LEARN_MAX_FEATURES];
	double contrib[SC_LEARN_MAX_FEATURES];
	int order[SC_LEARN_MAX_FEATURES];

	if (!json_is_object(decl)) {
		sc_error_set(err, NULL, 0, 0, "bad-decl", "decl is not an object");
		return NULL;
	}
	sc_learn_extract(decl, &raw);
	sc_learn_encode_with(m->tabs, m->prior, m->smooth, &raw, x);
	double score = sigmoid(sc_learn_model_margin_x(m, x, contrib));

	/* the features that pushed the score up most, largest first */
	int n = 0;
	for (int f = 0; f < m->nf; f++)
		if (contrib[f] > 1e-6)
			order[n++] = f;
	for (int i = 1; i < n; i++)          /* insertion sort: stable, n is small */
		for (int j = i; j > 0 && contrib[order[j]] > contrib[order[j - 1]]; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	json_t *top = json_array();
	for (int i = 0; i < n && i < 3; i++) {
		int f = order[i], g = sc_learn_feature_group(f);
		json_t *o = json_pack("{s:s}", "feature", sc_learn_feature_name(f));
		if (g >= 0) {
			char key[2 * SC_LEARN_MAX_KEY + 2];
			sc_learn_group_key(g, &raw, key, sizeof key);
			char *sep = strchr(key, '\x1f');
			if (sep) {
				*sep = '\0';
				json_object_set_new(o, "key", json_pack("[ss]", key, sep + 1));
			} else {
				json_object_set_new(o, "key", json_string(key));
			}
		}
		json_object_set_new(o, "value", json_real(round_to(x[f], 1e4)));
		json_object_set_new(o, "contrib", json_real(round_to(contrib[f], 1e4)));
		json_array_append_new(top, o);
	}
	return json_pack("{s:f,s:o}", "score", round_to(score, 1e6), "top", top);
}

/* ---- writing ------------------------------------------------------------- */

static json_t *real_array(const double *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

int sc_learn_model_save(const struct sc_learn_model *m, const char *path, struct sc_error *err)
{
	json_t *root = json_object(), *feat = json_array(), *grp = json_array(), *tabs = json_object();
	int rc = 0;

	json_object_set_new(root, "format", json_string(SC_MODEL_FORMAT));
	json_object_set_new(root, "v", json_integer(SC_MODEL_VERSION));
	json_object_set_new(root, "kind", json_string(m->gbt ? "gbt" : "logreg"));
	json_object_set_new(root, "created_by", json_string("sc-risk learn " SC_VERSION));
	json_object_set_new(root, "info", json_incref(m->info));
	json_object_set_new(root, "prior", json_real(m->prior));
	json_object_set_new(root, "smooth", json_real(m->smooth));
	for (int f = 0; f < m->nf; f++)
		json_array_append_new(feat, json_string(sc_learn_feature_name(f)));
	json_object_set_new(root, "features", feat);
	for (int g = 0; g < m->ngroups; g++) {
		json_t *t = json_object();
		const struct sc_keytab *kt = m->tabs[g];
		json_array_append_new(grp, json_string(sc_learn_group_name(g)));
		for (size_t i = 0; i < sc_keytab_count(kt); i++) {
			const struct sc_learn_stat *s = sc_keytab_cstat(kt, (long)i);
			/* counts are whole numbers; only the HS6 group needs its unit values */
			json_t *e = json_pack("[II]", (json_int_t)s->n, (json_int_t)s->pos);
			if (sc_learn_group_has_uv(g)) {
				json_array_append_new(e, json_integer((json_int_t)s->uv_n));
				json_array_append_new(e, json_real(s->uv_sum));
			}
			json_object_set_new(t, sc_keytab_key(kt, (long)i), e);
		}
		json_object_set_new(tabs, sc_learn_group_name(g), t);
	}
	json_object_set_new(root, "groups", grp);
	json_object_set_new(root, "tables", tabs);
	if (m->gbt) {
		json_t *nodes = json_array(), *roots = json_array();
		for (int t = 0; t < m->gbt->ntrees; t++)
			json_array_append_new(roots, json_integer(m->gbt->root[t]));
		for (int k = 0; k < m->gbt->nnodes; k++) {
			const struct sc_learn_gbt_node *nd = &m->gbt->nodes[k];
			json_array_append_new(nodes, json_pack("[ifiif]", nd->f, (double)nd->thr,
			                                       nd->left, nd->right, (double)nd->value));
		}
		json_object_set_new(root, "gbt", json_pack("{s:f,s:o,s:o}", "base", m->gbt->base,
		                                           "roots", roots, "nodes", nodes));
	} else {
		json_object_set_new(root, "logreg", json_pack("{s:o,s:o,s:o,s:f}",
		        "mean", real_array(m->lr->mean, m->nf), "sd", real_array(m->lr->sd, m->nf),
		        "w", real_array(m->lr->w, m->nf), "b", m->lr->b));
	}
	json_object_set_new(root, "quantiles", real_array(m->q, SC_MODEL_NQ + 1));

	FILE *fp = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!fp) {
		rc = sc_error_set(err, path, 0, 0, "io", "cannot write: %s", strerror(errno));
	} else {
		/* the model convention of sc(7): one JSON object on one line that
		 * begins with its header (format, v, kind, created_by) */
		if (json_dumpf(root, fp, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) < 0 ||
		    fputc('\n', fp) == EOF)
			rc = sc_error_set(err, path, 0, 0, "io", "write failed");
		if (fp != stdout ? fclose(fp) != 0 : fflush(fp) != 0)
			rc = sc_error_set(err, path, 0, 0, "io", "write failed: %s", strerror(errno));
	}
	json_decref(root);
	return rc;
}

/* ---- reading ------------------------------------------------------------- */

static int read_reals(const json_t *a, double *out, int n, const char *name, const char *what,
                      struct sc_error *err)
{
	if (!json_is_array(a) || (int)json_array_size(a) != n)
		return sc_error_set(err, name, 0, 0, "bad-model", "%s: expected %d numbers", what, n);
	for (int i = 0; i < n; i++) {
		const json_t *v = json_array_get(a, (size_t)i);
		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return sc_error_set(err, name, 0, 0, "bad-model", "%s[%d]: not a number", what, i);
		out[i] = json_number_value(v);
	}
	return 0;
}

static int load_gbt(struct sc_learn_model *m, const json_t *o, const char *name, struct sc_error *err)
{
	const json_t *roots = json_object_get(o, "roots"), *nodes = json_object_get(o, "nodes");
	const json_t *base = json_object_get(o, "base");
	struct sc_learn_gbt *g;

	if (!json_is_number(base) || !json_is_array(roots) || !json_is_array(nodes))
		return sc_error_set(err, name, 0, 0, "bad-model", "gbt: needs base, roots and nodes");
	size_t nr = json_array_size(roots), nn = json_array_size(nodes);
	if (nn > 50000000 || nr > nn)
		return sc_error_set(err, name, 0, 0, "bad-model", "gbt: too many trees or nodes");
	if (!(g = m->gbt = calloc(1, sizeof *g)) ||
	    !(g->root = calloc(nr + 1, sizeof *g->root)) ||
	    !(g->nodes = calloc(nn + 1, sizeof *g->nodes)))
		return sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
	g->nf = m->nf;
	g->base = json_number_value(base);
	g->ntrees = g->best_round = (int)nr;
	g->nnodes = (int)nn;
	for (size_t k = 0; k < nn; k++) {
		const json_t *a = json_array_get(nodes, k);
		json_int_t f, l, r;
		double thr, v;
		if (json_unpack((json_t *)a, "[IFIIF!]", &f, &thr, &l, &r, &v) < 0 || !isfinite(thr) || !isfinite(v))
			return sc_error_set(err, name, 0, 0, "bad-model", "gbt: node %zu is not [f,thr,l,r,v]", k);
		/* children come after their parent: no cycle, and every walk ends */
		if (f >= m->nf || f < -1 ||
		    (f >= 0 && (l <= (json_int_t)k || r <= (json_int_t)k || l >= (json_int_t)nn ||
		                r >= (json_int_t)nn)))
			return sc_error_set(err, name, 0, 0, "bad-model", "gbt: node %zu: bad feature or child", k);
		g->nodes[k] = (struct sc_learn_gbt_node){ (int)f, (float)thr, (int)l, (int)r, (float)v };
	}
	for (size_t t = 0; t < nr; t++) {
		const json_t *r = json_array_get(roots, t);
		if (!json_is_integer(r) || json_integer_value(r) < 0 || json_integer_value(r) >= (json_int_t)nn)
			return sc_error_set(err, name, 0, 0, "bad-model", "gbt: root %zu out of range", t);
		g->root[t] = (int)json_integer_value(r);
	}
	return 0;
}

static int load_logreg(struct sc_learn_model *m, const json_t *o, const char *name, struct sc_error *err)
{
	struct sc_logreg *lr = m->lr = calloc(1, sizeof *lr);
	if (!lr || !(lr->mean = calloc((size_t)m->nf, sizeof(double))) ||
	    !(lr->sd = calloc((size_t)m->nf, sizeof(double))) ||
	    !(lr->w = calloc((size_t)m->nf, sizeof(double))))
		return sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
	lr->nf = m->nf;
	if (!json_is_object(o) || !json_is_number(json_object_get(o, "b")))
		return sc_error_set(err, name, 0, 0, "bad-model", "logreg: needs mean, sd, w and b");
	lr->b = json_number_value(json_object_get(o, "b"));
	if (read_reals(json_object_get(o, "mean"), lr->mean, m->nf, name, "logreg.mean", err) < 0 ||
	    read_reals(json_object_get(o, "sd"), lr->sd, m->nf, name, "logreg.sd", err) < 0 ||
	    read_reals(json_object_get(o, "w"), lr->w, m->nf, name, "logreg.w", err) < 0)
		return -1;
	for (int f = 0; f < m->nf; f++)
		if (!(lr->sd[f] > 0))
			return sc_error_set(err, name, 0, 0, "bad-model", "logreg.sd[%d]: not positive", f);
	return 0;
}

struct sc_learn_model *sc_learn_model_from_json(const json_t *root, const char *name, struct sc_error *err)
{
	struct sc_learn_model *m = NULL;
	const json_t *v;

	if (sc_model_header_check(root, SC_MODEL_FORMAT, "sc-risk learn", SC_MODEL_VERSION, name,
	                          err) < 0)
		return NULL;
	if (!(m = calloc(1, sizeof *m))) {
		sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	m->ngroups = sc_learn_ngroups();
	m->nf = sc_learn_nfeatures();
	if (!(m->tabs = calloc((size_t)m->ngroups, sizeof *m->tabs))) {
		sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
		goto fail;
	}
	v = json_object_get(root, "features");
	int same = json_is_array(v) && (int)json_array_size(v) == m->nf;
	for (int f = 0; same && f < m->nf; f++) {
		const json_t *s = json_array_get(v, (size_t)f);
		same = json_is_string(s) && strcmp(json_string_value(s), sc_learn_feature_name(f)) == 0;
	}
	if (!same) {
		sc_error_set(err, name, 0, 0, "model-version",
		             "model file made with another feature set: learn the model again");
		goto fail;
	}
	const json_t *prior = json_object_get(root, "prior"), *smooth = json_object_get(root, "smooth");
	if (!json_is_number(prior) || !json_is_number(smooth) || !(json_number_value(prior) >= 0) ||
	    !(json_number_value(prior) <= 1) || !(json_number_value(smooth) > 0) ||
	    !isfinite(json_number_value(smooth))) {
		sc_error_set(err, name, 0, 0, "bad-model", "prior and smooth: missing or out of range");
		goto fail;
	}
	m->prior = json_number_value(prior);
	m->smooth = json_number_value(smooth);
	const json_t *tabs = json_object_get(root, "tables");
	if (!json_is_object(tabs)) {
		sc_error_set(err, name, 0, 0, "bad-model", "tables: missing");
		goto fail;
	}
	for (int g = 0; g < m->ngroups; g++) {
		const json_t *t = json_object_get(tabs, sc_learn_group_name(g));
		const char *key;
		json_t *st;
		if (!(m->tabs[g] = sc_keytab_new())) {
			sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
			goto fail;
		}
		if (!json_is_object(t)) {
			sc_error_set(err, name, 0, 0, "bad-model", "tables.%s: missing", sc_learn_group_name(g));
			goto fail;
		}
		json_object_foreach((json_t *)t, key, st) {
			double s[4] = { 0, 0, 0, 0 };
			if (read_reals(st, s, sc_learn_group_has_uv(g) ? 4 : 2, name, sc_learn_group_name(g),
			               err) < 0)
				goto fail;
			if (strlen(key) > 2 * SC_LEARN_MAX_KEY + 1 || s[0] < 0 || s[1] < 0 || s[1] > s[0]) {
				sc_error_set(err, name, 0, 0, "bad-model", "tables.%s: bad entry",
				             sc_learn_group_name(g));
				goto fail;
			}
			long i = sc_keytab_intern(m->tabs[g], key);
			if (i < 0) {
				sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
				goto fail;
			}
			struct sc_learn_stat *x = sc_keytab_stat(m->tabs[g], i);
			x->n = s[0];
			x->pos = s[1];
			x->uv_n = s[2];
			x->uv_sum = s[3];
		}
	}
	v = json_object_get(root, "kind");
	if (json_is_string(v) && strcmp(json_string_value(v), "gbt") == 0) {
		if (load_gbt(m, json_object_get(root, "gbt"), name, err) < 0)
			goto fail;
	} else if (json_is_string(v) && strcmp(json_string_value(v), "logreg") == 0) {
		m->kind = 1;
		if (load_logreg(m, json_object_get(root, "logreg"), name, err) < 0)
			goto fail;
	} else {
		sc_error_set(err, name, 0, 0, "bad-model", "kind: expected \"gbt\" or \"logreg\"");
		goto fail;
	}
	if (read_reals(json_object_get(root, "quantiles"), m->q, SC_MODEL_NQ + 1, name,
	               "quantiles", err) < 0)
		goto fail;
	v = json_object_get(root, "info");
	m->info = json_is_object(v) ? json_deep_copy(v) : json_object();
	const char *base = strrchr(name, '/');
	snprintf(m->name, sizeof m->name, "%s-v%d %.200s", m->kind ? "logreg" : "gbt",
	         SC_MODEL_VERSION, base ? base + 1 : name);
	return m;
fail:
	sc_learn_model_free(m);
	return NULL;
}

struct sc_learn_model *sc_learn_model_load(const char *path, struct sc_error *err)
{
	unsigned char *data = NULL;
	size_t len = 0;
	json_error_t je;

	if (sc_read_file(path, MODEL_MAX_BYTES, &data, &len, err) < 0)
		return NULL;
	json_t *root = json_loadb((const char *)data, len, 0, &je);
	free(data);
	if (!root) {
		sc_error_set(err, path, je.line, je.column, "bad-model", "invalid JSON: %s", je.text);
		return NULL;
	}
	struct sc_learn_model *m = sc_learn_model_from_json(root, path, err);
	json_decref(root);
	return m;
}
