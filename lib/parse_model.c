/*
 * parse_model.c - the learned reader's model file: a text file of lines,
 * so that a bad one is reported at its line and the same model always
 * writes the same bytes (numbers in %.9g / %.17g, which read back exactly).
 *
 *   {"format":"sc-parse-model","v":3,"created_by":"sc-parse learn 0.1.0"}
 *   seed S
 *   docs N
 *   types K name...
 *   type NAME            then a tree block
 *   field NAME KIND TYPEBITS A B THRESHOLD   then a tree block
 *   cal TYPE A B THRESHOLD   (after a field's trees: its own for one type)
 *   end
 *
 * A tree block: "gbt NF NTREES NNODES BASE", "roots r...", then NNODES lines
 * "n F THR LEFT RIGHT VALUE".
 *
 * The first line is the header of sc(7), MODEL FILES. Files of versions 1 and
 * 2 began with a line "sc-parse-model N" instead; their features are not
 * this program's, so they are refused with model-version (learn again).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "sc.h"
#include "parse_rank.h"

const char *const sc_rank_kinds[RK__N] = {"date", "amount", "ref", "party"};

void sc_pmodel_free(struct sc_pmodel *m)
{
	if (!m)
		return;
	for (int k = 0; k < m->ntypes; k++)
		sc_learn_gbt_free(m->tg[k]);
	for (int k = 0; k < m->nfields; k++)
		sc_learn_gbt_free(m->f[k].g);
	free(m);
}

static void write_gbt(FILE *f, const struct sc_learn_gbt *g)
{
	fprintf(f, "gbt %d %d %d %.17g\n", g->nf, g->ntrees, g->nnodes, g->base);
	fputs("roots", f);
	for (int t = 0; t < g->ntrees; t++)
		fprintf(f, " %d", g->root[t]);
	fputc('\n', f);
	for (int k = 0; k < g->nnodes; k++) {
		const struct sc_learn_gbt_node *n = &g->nodes[k];
		if (n->f < 0)
			fprintf(f, "n -1 0 0 0 %.9g\n", (double)n->value);
		else
			fprintf(f, "n %d %.9g %d %d %.9g\n", n->f, (double)n->thr, n->left, n->right, (double)n->value);
	}
}

int sc_pmodel_write(const struct sc_pmodel *m, FILE *f)
{
	fprintf(f, "{\"format\":\"%s\",\"v\":%d,\"created_by\":\"sc-parse learn %s\"}\n", SC_PMODEL_MAGIC,
	        SC_PMODEL_VERSION, SC_VERSION);
	fprintf(f, "seed %llu\n", (unsigned long long)m->seed);
	fprintf(f, "docs %d\n", m->docs);
	fprintf(f, "types %d", m->ntypes);
	for (int k = 0; k < m->ntypes; k++)
		fprintf(f, " %s", m->types[k]);
	fputc('\n', f);
	for (int k = 0; k < m->ntypes; k++)
		if (m->tg[k]) {
			fprintf(f, "type %s\n", m->types[k]);
			write_gbt(f, m->tg[k]);
		}
	for (int k = 0; k < m->nfields; k++) {
		const struct pm_field *F = &m->f[k];
		fprintf(f, "field %s %s %u %.17g %.17g %.17g\n", F->name, sc_rank_kinds[F->kind], F->types, F->a, F->b,
		        F->threshold);
		write_gbt(f, F->g);
		for (int t = 0; t < m->ntypes; t++)
			if (F->caltypes >> t & 1)
				fprintf(f, "cal %s %.17g %.17g %.17g\n", m->types[t], F->ca[t], F->cb[t], F->cthr[t]);
	}
	fputs("end\n", f);
	return ferror(f) ? -1 : 0;
}

int sc_pmodel_save(const struct sc_pmodel *m, const char *path, struct sc_error *err)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return sc_error_set(err, path, 0, 0, "io", "cannot write: %s", strerror(errno));
	int rc = sc_pmodel_write(m, f);
	if (fclose(f) != 0 || rc < 0) {
		remove(tmp);
		return sc_error_set(err, path, 0, 0, "io", "write error");
	}
	if (rename(tmp, path) != 0) {
		remove(tmp);
		return sc_error_set(err, path, 0, 0, "io", "cannot rename: %s", strerror(errno));
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------------ */

struct rd {
	const char *p, *end;
	const char *name;
	int line;
	char buf[1 << 16];
	struct sc_error *err;
};

/* The next line into r->buf; 0 at the end of the file. */
static int next_line(struct rd *r)
{
	if (r->p >= r->end)
		return 0;
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	if (!nl)
		return -1;  /* truncated: every line ends in a newline */
	size_t n = (size_t)(nl - r->p);
	r->line++;
	if (n >= sizeof r->buf || memchr(r->p, '\0', n))
		return -2;
	memcpy(r->buf, r->p, n);
	r->buf[n] = '\0';
	r->p = nl + 1;
	return 1;
}

static int bad(struct rd *r, const char *what)
{
	return sc_error_set(r->err, r->name, r->line, 0, "bad-model", "%s", what);
}

static int need_line(struct rd *r, const char *what)
{
	int rc = next_line(r);
	if (rc == 1)
		return 0;
	if (rc == 0 || rc == -1) {
		sc_error_set(r->err, r->name, r->line + 1, 0, "bad-model", "model is truncated: %s expected", what);
		return -1;
	}
	r->line--;
	sc_error_set(r->err, r->name, r->line + 1, 0, "bad-model", "line too long or holds a NUL byte");
	return -1;
}

static int parse_int(char **s, long lo, long hi, long *out)
{
	char *e;
	errno = 0;
	long v = strtol(*s, &e, 10);
	if (e == *s || errno || v < lo || v > hi || (*e && *e != ' '))
		return -1;
	*s = *e ? e + 1 : e;
	*out = v;
	return 0;
}

static int parse_dbl(char **s, double *out)
{
	char *e;
	double v = strtod(*s, &e);
	if (e == *s || !isfinite(v) || (*e && *e != ' '))
		return -1;
	*s = *e ? e + 1 : e;
	*out = v;
	return 0;
}

static struct sc_learn_gbt *read_gbt(struct rd *r, int nf_want)
{
	if (need_line(r, "a tree block") < 0)
		return NULL;
	long nf, nt, nn;
	double base;
	char *s = r->buf;
	if (strncmp(s, "gbt ", 4) != 0) {
		bad(r, "\"gbt\" line expected");
		return NULL;
	}
	s += 4;
	if (parse_int(&s, 1, 100000, &nf) < 0 || parse_int(&s, 0, 100000, &nt) < 0 ||
	    parse_int(&s, 0, 10000000, &nn) < 0 || parse_dbl(&s, &base) < 0 || *s) {
		bad(r, "bad \"gbt\" line (gbt NF NTREES NNODES BASE)");
		return NULL;
	}
	if (nf != nf_want) {
		sc_error_set(r->err, r->name, r->line, 0, "bad-model",
		             "trees over %ld features, this sc-parse computes %d: a model of another build", nf, nf_want);
		return NULL;
	}
	if (nt > nn) {
		bad(r, "more trees than nodes");
		return NULL;
	}
	struct sc_learn_gbt *g = calloc(1, sizeof *g);
	if (!g || !(g->root = malloc(((size_t)nt + 1) * sizeof *g->root)) ||
	    !(g->nodes = malloc(((size_t)nn + 1) * sizeof *g->nodes))) {
		sc_learn_gbt_free(g);
		sc_error_set(r->err, r->name, r->line, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	g->nf = (int)nf, g->ntrees = (int)nt, g->nnodes = (int)nn, g->base = base, g->best_round = (int)nt;
	if (need_line(r, "a \"roots\" line") < 0)
		goto fail;
	s = r->buf;
	if (strncmp(s, "roots", 5) != 0 || (s[5] && s[5] != ' ')) {
		bad(r, "\"roots\" line expected");
		goto fail;
	}
	s += s[5] ? 6 : 5;
	for (long t = 0; t < nt; t++) {
		long v;
		if (parse_int(&s, 0, nn - 1, &v) < 0 || (t > 0 && v <= g->root[t - 1])) {
			bad(r, "bad tree root (roots rise, each a node)");
			goto fail;
		}
		g->root[t] = (int)v;
	}
	if (*s) {
		bad(r, "more roots than trees");
		goto fail;
	}
	for (long k = 0; k < nn; k++) {
		if (need_line(r, "a tree node") < 0)
			goto fail;
		s = r->buf;
		long f, l, rt;
		double thr, val;
		if (strncmp(s, "n ", 2) != 0) {
			bad(r, "\"n\" (node) line expected");
			goto fail;
		}
		s += 2;
		if (parse_int(&s, -1, nf - 1, &f) < 0 || parse_dbl(&s, &thr) < 0 || parse_int(&s, 0, nn - 1, &l) < 0 ||
		    parse_int(&s, 0, nn - 1, &rt) < 0 || parse_dbl(&s, &val) < 0 || *s) {
			bad(r, "bad node (n FEATURE THRESHOLD LEFT RIGHT VALUE)");
			goto fail;
		}
		/* children come after their parent: no walk can loop */
		if (f >= 0 && (l <= k || rt <= k)) {
			bad(r, "a node's children must come after it");
			goto fail;
		}
		g->nodes[k].f = (int)f;
		g->nodes[k].thr = (float)thr;
		g->nodes[k].left = (int)l;
		g->nodes[k].right = (int)rt;
		g->nodes[k].value = (float)val;
	}
	return g;
fail:
	sc_learn_gbt_free(g);
	return NULL;
}

static int kind_of(const char *s)
{
	for (int k = 0; k < RK__N; k++)
		if (strcmp(s, sc_rank_kinds[k]) == 0)
			return k;
	return -1;
}

static int name_ok(const char *s, size_t cap)
{
	size_t n = strlen(s);
	if (!n || n >= cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

struct sc_pmodel *sc_pmodel_read(const char *buf, size_t len, const char *name, struct sc_error *err)
{
	struct rd *r = malloc(sizeof *r);
	struct sc_pmodel *m = calloc(1, sizeof *m);
	if (!r || !m) {
		free(r);
		free(m);
		sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	r->p = buf, r->end = buf + len, r->name = name, r->line = 0, r->err = err;
	if (need_line(r, "the header line") < 0)
		goto fail;
	size_t ml = strlen(SC_PMODEL_MAGIC);
	if (strncmp(r->buf, SC_PMODEL_MAGIC, ml) == 0 && r->buf[ml] == ' ') {
		/* the line before the header convention: versions 1 and 2 */
		char *s = r->buf + ml + 1;
		long ver;
		if (parse_int(&s, 0, 1000000, &ver) < 0 || *s) {
			bad(r, "bad version");
			goto fail;
		}
		sc_error_set(err, name, 1, 0, "model-version",
		             "model file format version %ld; this program reads version %d: learn the model again", ver,
		             SC_PMODEL_VERSION);
		goto fail;
	}
	json_error_t je;
	json_t *h = json_loads(r->buf, JSON_REJECT_DUPLICATES, &je);
	int hc = sc_model_header_check(h, SC_PMODEL_MAGIC, "sc-parse learn", SC_PMODEL_VERSION, name, err);
	json_decref(h);
	if (hc < 0) {
		err->line = 1;
		goto fail;
	}
	char *s;
	int have_types = 0, done = 0;
	while (!done) {
		if (need_line(r, "\"end\"") < 0)
			goto fail;
		char word[16];
		s = r->buf;
		size_t wl = strcspn(s, " ");
		if (wl >= sizeof word) {
			bad(r, "unknown line");
			goto fail;
		}
		memcpy(word, s, wl);
		word[wl] = '\0';
		s += wl;
		if (*s)
			s++;
		if (strcmp(word, "end") == 0) {
			done = 1;
		} else if (strcmp(word, "seed") == 0) {
			char *e;
			errno = 0;
			m->seed = strtoull(s, &e, 10);
			if (e == s || *e || errno) {
				bad(r, "bad seed");
				goto fail;
			}
		} else if (strcmp(word, "docs") == 0) {
			long v;
			if (parse_int(&s, 0, 1000000000, &v) < 0 || *s) {
				bad(r, "bad docs");
				goto fail;
			}
			m->docs = (int)v;
		} else if (strcmp(word, "types") == 0) {
			long n;
			if (have_types || parse_int(&s, 0, SC_PMODEL_MAX_TYPES, &n) < 0) {
				bad(r, "bad types line (types N name..., at most 7, once)");
				goto fail;
			}
			for (long k = 0; k < n; k++) {
				size_t tl = strcspn(s, " ");
				char t[32];
				if (tl >= sizeof t) {
					bad(r, "bad type name");
					goto fail;
				}
				memcpy(t, s, tl);
				t[tl] = '\0';
				if (!name_ok(t, sizeof m->types[0])) {
					bad(r, "bad type name (a-z, 0-9, _)");
					goto fail;
				}
				memcpy(m->types[k], t, sizeof m->types[k]);
				s += tl;
				if (*s)
					s++;
			}
			if (*s) {
				bad(r, "more type names than the count");
				goto fail;
			}
			m->ntypes = (int)n;
			have_types = 1;
		} else if (strcmp(word, "type") == 0) {
			int k;
			for (k = 0; k < m->ntypes; k++)
				if (strcmp(m->types[k], s) == 0)
					break;
			if (k == m->ntypes || m->tg[k]) {
				bad(r, "type not named on the types line, or given twice");
				goto fail;
			}
			if (!(m->tg[k] = read_gbt(r, SC_TYPE_NF)))
				goto fail;
		} else if (strcmp(word, "field") == 0) {
			if (m->nfields >= SC_PMODEL_MAX_FIELDS) {
				bad(r, "too many fields (at most 16)");
				goto fail;
			}
			struct pm_field *F = &m->f[m->nfields];
			char fname[32], kname[16];
			unsigned types;
			int used = 0;
			if (sscanf(s, "%31s %15s %u %lf %lf %lf%n", fname, kname, &types, &F->a, &F->b, &F->threshold,
			           &used) != 6 || s[used] || !name_ok(fname, sizeof F->name) ||
			    (F->kind = kind_of(kname)) < 0 || !isfinite(F->a) || !isfinite(F->b) ||
			    !(F->threshold >= 0 && F->threshold <= 1) || types >= (1u << SC_PMODEL_MAX_TYPES)) {
				bad(r, "bad field line (field NAME date|amount|ref|party TYPEBITS A B THRESHOLD)");
				goto fail;
			}
			memcpy(F->name, fname, sizeof F->name);
			F->types = types;
			if (!(F->g = read_gbt(r, SC_RANK_NF)))
				goto fail;
			m->nfields++;
		} else if (strcmp(word, "cal") == 0) {
			char tname[32];
			double a, b, th;
			int used = 0, k;
			if (!m->nfields || sscanf(s, "%31s %lf %lf %lf%n", tname, &a, &b, &th, &used) != 4 || s[used] ||
			    !isfinite(a) || !isfinite(b) || !(th >= 0 && th <= 1)) {
				bad(r, "bad cal line (cal TYPE A B THRESHOLD, after a field)");
				goto fail;
			}
			struct pm_field *F = &m->f[m->nfields - 1];
			for (k = 0; k < m->ntypes; k++)
				if (strcmp(m->types[k], tname) == 0)
					break;
			if (k == m->ntypes || (F->caltypes >> k & 1)) {
				bad(r, "cal: type not named on the types line, or given twice for the field");
				goto fail;
			}
			F->caltypes |= 1u << k;
			F->ca[k] = a, F->cb[k] = b, F->cthr[k] = th;
		} else {
			bad(r, "unknown line");
			goto fail;
		}
	}
	if (r->p < r->end) {
		sc_error_set(err, name, r->line + 1, 0, "bad-model", "text after \"end\"");
		goto fail;
	}
	free(r);
	return m;
fail:
	free(r);
	sc_pmodel_free(m);
	return NULL;
}

struct sc_pmodel *sc_pmodel_load(const char *path, struct sc_error *err)
{
	unsigned char *data;
	size_t len;
	if (sc_read_file(path, 256u << 20, &data, &len, err) < 0)
		return NULL;
	struct sc_pmodel *m = sc_pmodel_read((const char *)data, len, path, err);
	free(data);
	return m;
}
