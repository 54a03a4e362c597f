/*
 * parse_rank.c - reading a document with the learned model: its type by the
 * one-vs-rest trees over its words, then per field the candidate of the
 * field's kind with the highest score; the field is reported when that
 * score's calibrated probability reaches the field's threshold (learned so
 * that a wrong value is rarer than an absent one), else it is absent.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_rank.h"

static double sigmoid(double z)
{
	return 1 / (1 + exp(-z));
}

int sc_pmodel_type(const struct sc_pmodel *m, const struct sc_pdoc *d, const char *tmpl_type, double *prob,
                   double *probs)
{
	*prob = 0;
	if (!m->ntypes)
		return -1;
	float x[SC_TYPE_NF];
	sc_rdoc_type_features(d, tmpl_type, x);
	int best = -1;
	double bp = -1, sum = 0;
	for (int k = 0; k < m->ntypes; k++) {
		if (!m->tg[k])
			continue;
		double p = sigmoid(sc_learn_gbt_margin(m->tg[k], x, NULL));
		if (probs)
			probs[k] = p;
		sum += p;
		if (p > bp)
			bp = p, best = k;
	}
	/* the best type's own probability (one-vs-rest), not its share: a page
	 * like none of the types has all of them low */
	(void)sum;
	*prob = bp;
	return best;
}

static json_t *jstr(const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);
	if (v)
		return v;
	/* a cut inside a UTF-8 sequence: drop the broken tail */
	while (n && ((unsigned char)s[n - 1] & 0x80)) {
		n--;
		if ((v = json_stringn(s, n)))
			return v;
	}
	return json_stringn(s, n);
}

json_t *sc_rank_value(const struct rcand *c)
{
	if (c->kind == RK_AMOUNT)
		return json_real(c->num);
	return jstr(c->str, strlen(c->str));
}

/* ---- what equals what (as the scorer counts) --------------------------------- */

static size_t alnum_upper(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 1 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'a' && c <= 'z')
			out[o++] = (char)(c - 32);
		else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return o;
}

/* Words of A-Z/0-9, upper-cased, NUL-separated; count in *n. */
static int words_of(const char *s, char w[][32], int max)
{
	int n = 0;
	while (*s && n < max) {
		size_t k = 0;
		while (*s && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			s++;
		while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')) {
			if (k + 1 < 32)
				w[n][k++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
			s++;
		}
		if (k) {
			w[n][k] = '\0';
			n++;
		}
	}
	return n;
}

/* Dice over word multisets. */
static double dice(const char *a, const char *b)
{
	char wa[24][32], wb[24][32];
	int na = words_of(a, wa, 24), nb = words_of(b, wb, 24);
	if (!na || !nb)
		return 0;
	int used[24] = {0}, common = 0;
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			if (!used[j] && strcmp(wa[i], wb[j]) == 0) {
				used[j] = 1, common++;
				break;
			}
	return 2.0 * common / (na + nb);
}

int sc_rank_matches(const struct rcand *c, const json_t *v)
{
	switch (c->kind) {
	case RK_AMOUNT:
		return json_is_number(v) && fabs(c->num - json_number_value(v)) <= 0.005 * fabs(json_number_value(v)) + 1e-9;
	case RK_DATE:
		return json_is_string(v) && strcmp(c->str, json_string_value(v)) == 0;
	case RK_REF: {
		if (!json_is_string(v))
			return 0;
		char a[128], b[128];
		alnum_upper(c->str, a, sizeof a);
		return alnum_upper(json_string_value(v), b, sizeof b) > 0 && strcmp(a, b) == 0;
	}
	case RK_PARTY:
		return json_is_string(v) && dice(c->str, json_string_value(v)) >= 0.5;
	}
	return 0;
}

void sc_rank_set_tmpl(float *x, const struct rcand *c, const json_t *tf)
{
	const json_t *v = json_object_get(tf, "value");
	x[F_TMPL] = v && sc_rank_matches(c, v) ? 1 : 0;
}

/* The template's field that stands for a model's field (an invoice number
 * is a document number). */
static const json_t *tmpl_field(const json_t *fields, const char *name)
{
	const json_t *f = json_object_get(fields, name);
	if (!f && strcmp(name, "doc_no") == 0)
		f = json_object_get(fields, "invoice_no");
	if (!f && (strcmp(name, "date_from") == 0 || strcmp(name, "date_to") == 0))
		f = json_object_get(fields, "date");
	return f;
}

static json_t *cand_obj(const struct rdoc *r, const struct rcand *c, double p)
{
	const struct pline *L = &r->d->l[c->line];
	json_t *f = json_object();
	json_object_set_new(f, "value", sc_rank_value(c));
	json_object_set_new(f, "raw", jstr(L->text + c->off, c->len));
	json_object_set_new(f, "conf", json_real(round(p * 100) / 100));
	json_object_set_new(f, "page", json_integer(L->page));
	if (L->box) {
		double x0 = r->t[c->tok].x0, x1 = r->t[c->tok + c->ntok - 1].x1;
		json_object_set_new(f, "bbox", json_pack("[iiii]", (int)lround(x0), (int)lround(L->y),
		                                         (int)lround(x1 - x0), (int)lround(L->h)));
	}
	json_object_set_new(f, "by", json_string("model"));
	return f;
}

void sc_rank_doc(const struct sc_pmodel *m, const struct sc_pdoc *d, json_t *fields, const char **type,
                 double *type_conf, int tmpl_matched)
{
	double tp = 0;
	/* a type the templates know and the model does not (a bill of lading,
	 * a packing list) stays theirs, and so do its fields */
	if (*type && strcmp(*type, "other") != 0) {
		int known = 0;
		for (int k = 0; k < m->ntypes; k++)
			known |= strcmp(m->types[k], *type) == 0;
		if (!known && m->ntypes)
			return;
	}
	int t = m->ntypes == 1 ? 0 : sc_pmodel_type(m, d, tmpl_matched ? *type : NULL, &tp, NULL);
	if (m->ntypes == 1)
		tp = 1;
	/* the type reported: a template that matched keeps its word (its title
	 * and phrases were found), else the model's (which sees the templates'
	 * type as one feature among the words). The candidates are read with the
	 * model's type either way, as they were learned. The model is not let
	 * overrule a template yet: its invoices are ad-buy forms and two
	 * generator layouts, and it calls a plain commercial invoice a receipt. */
	int keep = tmpl_matched && *type && strcmp(*type, "other") != 0;
	if (t >= 0 && !keep) {
		*type = tp >= 0.5 ? m->types[t] : "other";
		*type_conf = tp >= 0.5 ? tp : 1 - tp;
	}
	struct rdoc *r = sc_rdoc_build(d, t);
	if (!r)
		return;
	float x[SC_RANK_NF];
	for (int k = 0; k < m->nfields; k++) {
		const struct pm_field *F = &m->f[k];
		if (t >= 0 && !(F->types & (1u << t)))
			continue;
		const json_t *tf = tmpl_field(fields, F->name);
		int best = -1;
		double bm = -INFINITY;
		for (int i = 0; i < r->nc; i++) {
			if (r->c[i].kind != F->kind)
				continue;
			memcpy(x, r->x + (size_t)i * SC_RANK_NF, sizeof x);
			sc_rank_set_tmpl(x, &r->c[i], tf);
			double mg = sc_learn_gbt_margin(F->g, x, NULL);
			if (mg > bm)
				bm = mg, best = i;
		}
		double a = F->a, b = F->b, th = F->threshold;
		if (t >= 0 && (F->caltypes >> t & 1))
			a = F->ca[t], b = F->cb[t], th = F->cthr[t];
		double p = best >= 0 ? sigmoid(a * bm + b) : 0;
		if (best >= 0 && p >= th)
			json_object_set_new(fields, F->name, cand_obj(r, &r->c[best], p));
		else
			json_object_del(fields, F->name);
	}
	sc_rdoc_free(r);
}
