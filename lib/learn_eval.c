/*
 * learn_eval.c - how good a ranking is, as sc-risk eval reports it: AUC
 * (Mann-Whitney, ties averaged) and, at each "riskiest n%", Precision, Recall
 * and Revenue (the share of the positives' value found), beside what random
 * selection would find. Also what a label is, for learn and eval alike.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn.h"

const json_t *sc_learn_label_at(const json_t *rec, const char *path)
{
	if (path[0] == '.')
		return sc_json_path(rec, path + 1);
	if (strchr(path, '.'))
		return sc_json_path(rec, path);
	return sc_json_path(json_object_get(rec, "decl"), path);
}

int sc_learn_label_value(const json_t *v)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_number(v))
		return json_number_value(v) != 0;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		double d;

		if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no"))
			return 0;
		d = strtod(s, &end);
		if (end != s && !*end)
			return d != 0;
		if (!strcmp(s, "true") || !strcmp(s, "yes"))
			return 1;
	}
	return -1;
}

struct scored { double score, value; unsigned char y; size_t order; };

struct sc_learn_eval {
	struct scored *s;
	size_t n, cap;
};

struct sc_learn_eval *sc_learn_eval_new(void)
{
	return calloc(1, sizeof(struct sc_learn_eval));
}

void sc_learn_eval_free(struct sc_learn_eval *e)
{
	if (!e)
		return;
	free(e->s);
	free(e);
}

int sc_learn_eval_add(struct sc_learn_eval *e, double score, double value, int y)
{
	if (e->n == e->cap && sc_grow(&e->s, &e->cap, 1024, sizeof *e->s) < 0)
		return -1;
	e->s[e->n] = (struct scored){ score, value, (unsigned char)(y != 0), e->n };
	e->n++;
	return 0;
}

size_t sc_learn_eval_count(const struct sc_learn_eval *e)
{
	return e->n;
}

int sc_learn_eval_parse_at(const char *s, double *pct, int max, int *n)
{
	*n = 0;
	for (const char *p = s; *p;) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || !(v > 0 && v <= 100) || *n == max || (*end && *end != ','))
			return -1;
		pct[(*n)++] = v;
		p = *end ? end + 1 : end;
	}
	return *n > 0 ? 0 : -1;
}

static int by_score(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;   /* ties: input order */
}

/* Over a list sorted by descending score. */
static double auc_of(const struct scored *s, size_t n, size_t npos)
{
	size_t nneg = n - npos;
	double rank_sum = 0;   /* ranks ascending from 1 */

	if (!npos || !nneg)
		return NAN;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j].score == s[i].score)
			j++;
		/* positions i..j-1 in descending order hold ranks n-j+1 .. n-i */
		double avg = ((double)(n - j + 1) + (double)(n - i)) / 2;
		for (size_t k = i; k < j; k++)
			if (s[k].y)
				rank_sum += avg;
		i = j;
	}
	return (rank_sum - (double)npos * ((double)npos + 1) / 2) / ((double)npos * (double)nneg);
}

json_t *sc_learn_eval_result(struct sc_learn_eval *e, const double *pct, int npct, int with_value)
{
	size_t n = e->n, npos = 0;
	double vpos = 0, auc, base;
	json_t *res, *rows;

	if (n == 0)
		return NULL;
	qsort(e->s, n, sizeof *e->s, by_score);
	for (size_t i = 0; i < n; i++) {
		npos += e->s[i].y;
		vpos += e->s[i].y ? e->s[i].value : 0;
	}
	auc = auc_of(e->s, n, npos);
	base = (double)npos / (double)n;
	res = json_pack("{s:I,s:I,s:f}", "records", (json_int_t)n, "positives", (json_int_t)npos,
	                "base_rate", base);
	rows = json_array();
	if (!res || !rows) {
		json_decref(res);
		json_decref(rows);
		return NULL;
	}
	json_object_set_new(res, "auc", isnan(auc) ? json_null() : json_real(auc));
	for (int i = 0; i < npct; i++) {
		size_t k = (size_t)ceil(pct[i] / 100 * (double)n), hit = 0;
		double vhit = 0, prec, rec;
		json_t *row;

		if (k < 1)
			k = 1;
		if (k > n)
			k = n;
		for (size_t j = 0; j < k; j++) {
			hit += e->s[j].y;
			vhit += e->s[j].y ? e->s[j].value : 0;
		}
		prec = (double)hit / (double)k;
		rec = npos ? (double)hit / (double)npos : 0;
		row = json_pack("{s:f,s:I,s:f,s:f,s:f}", "pct", pct[i], "k", (json_int_t)k,
		                "precision", prec, "recall", rec, "random_precision", base);
		if (row && with_value)
			json_object_set_new(row, "revenue", json_real(vpos > 0 ? vhit / vpos : 0));
		if (!row || json_array_append_new(rows, row) < 0) {
			json_decref(rows);
			json_decref(res);
			return NULL;
		}
	}
	json_object_set_new(res, "at", rows);
	return res;
}

int sc_learn_eval_print(FILE *out, const json_t *res, int with_value)
{
	const json_t *auc = json_object_get(res, "auc"), *row;
	double base = json_real_value(json_object_get(res, "base_rate"));
	size_t i;

	fprintf(out, "records %lld, positive %lld (%.2f%%)\n",
	        (long long)json_integer_value(json_object_get(res, "records")),
	        (long long)json_integer_value(json_object_get(res, "positives")), 100 * base);
	fprintf(out, "%-7s %6s %10s %8s%s %17s\n", "at", "k", "precision", "recall",
	        with_value ? "  revenue" : "", "random precision");
	json_array_foreach(json_object_get(res, "at"), i, row) {
		char revenue[32] = "", atn[32];
		snprintf(atn, sizeof atn, "%g%%", json_real_value(json_object_get(row, "pct")));
		if (with_value)
			snprintf(revenue, sizeof revenue, " %8.4f",
			         json_real_value(json_object_get(row, "revenue")));
		fprintf(out, "%-7s %6lld %10.4f %8.4f%s %17.4f\n", atn,
		        (long long)json_integer_value(json_object_get(row, "k")),
		        json_real_value(json_object_get(row, "precision")),
		        json_real_value(json_object_get(row, "recall")), revenue, base);
	}
	if (json_is_null(auc))
		fprintf(out, "AUC undefined (one class only)\n");
	else
		fprintf(out, "AUC %.4f (random 0.5000)\n", json_real_value(auc));
	return ferror(out) ? -1 : 0;
}
