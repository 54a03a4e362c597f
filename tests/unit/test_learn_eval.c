/*
 * test_learn_eval.c - unit tests for the measures of sc-risk eval (AUC,
 * Precision, Recall and Revenue at n%) and for what counts as a label.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn.h"
#include "t.h"

static double row_get(const json_t *res, int i, const char *k)
{
	return json_number_value(json_object_get(json_array_get(json_object_get(res, "at"), (size_t)i), k));
}

static void test_measures(void)
{
	/* scores 0.9..0.1; positives at ranks 1, 2 and 4 of 10; values 100, 50, 10 */
	static const struct { double s, v; int y; } d[] = {
		{0.9, 100, 1}, {0.8, 50, 1}, {0.7, 5, 0}, {0.6, 10, 1}, {0.5, 1, 0},
		{0.4, 1, 0}, {0.3, 1, 0}, {0.2, 1, 0}, {0.15, 1, 0}, {0.1, 1, 0},
	};
	struct sc_learn_eval *e = sc_learn_eval_new();
	double pct[] = {10, 30, 100};
	json_t *res;

	for (int i = 0; i < 10; i++)
		CHECK(sc_learn_eval_add(e, d[(i * 3) % 10].s, d[(i * 3) % 10].v, d[(i * 3) % 10].y) == 0);
	CHECK(sc_learn_eval_count(e) == 10);
	res = sc_learn_eval_result(e, pct, 3, 1);
	CHECK(res != NULL);
	CHECK(json_integer_value(json_object_get(res, "records")) == 10);
	CHECK(json_integer_value(json_object_get(res, "positives")) == 3);
	/* pairs (pos, neg) ordered right: 7 + 7 + 6 of 21 */
	CHECK(fabs(json_real_value(json_object_get(res, "auc")) - 20.0 / 21) < 1e-12);
	CHECK(row_get(res, 0, "k") == 1 && row_get(res, 0, "precision") == 1);
	CHECK(fabs(row_get(res, 0, "recall") - 1.0 / 3) < 1e-12);
	CHECK(fabs(row_get(res, 0, "revenue") - 100.0 / 160) < 1e-12);
	CHECK(row_get(res, 1, "k") == 3 && fabs(row_get(res, 1, "precision") - 2.0 / 3) < 1e-12);
	CHECK(fabs(row_get(res, 1, "revenue") - 150.0 / 160) < 1e-12);
	CHECK(row_get(res, 2, "recall") == 1 && fabs(row_get(res, 2, "random_precision") - 0.3) < 1e-12);
	json_decref(res);
	sc_learn_eval_free(e);
}

static void test_ties_and_one_class(void)
{
	struct sc_learn_eval *e = sc_learn_eval_new();
	double pct[] = {50};
	json_t *res;

	/* all tied: AUC one half, whatever the order */
	sc_learn_eval_add(e, 0.5, 0, 1);
	sc_learn_eval_add(e, 0.5, 0, 0);
	sc_learn_eval_add(e, 0.5, 0, 0);
	sc_learn_eval_add(e, 0.5, 0, 1);
	res = sc_learn_eval_result(e, pct, 1, 0);
	CHECK(fabs(json_real_value(json_object_get(res, "auc")) - 0.5) < 1e-12);
	/* ties keep input order: the first two (one positive) are the top half */
	CHECK(row_get(res, 0, "k") == 2 && row_get(res, 0, "precision") == 0.5);
	CHECK(json_object_get(json_array_get(json_object_get(res, "at"), 0), "revenue") == NULL);
	json_decref(res);
	sc_learn_eval_free(e);

	e = sc_learn_eval_new();
	CHECK(sc_learn_eval_result(e, pct, 1, 0) == NULL);   /* nothing to measure */
	sc_learn_eval_add(e, 0.1, 0, 1);
	res = sc_learn_eval_result(e, pct, 1, 0);
	CHECK(json_is_null(json_object_get(res, "auc")));   /* one class: undefined */
	json_decref(res);
	sc_learn_eval_free(e);
}

static void test_parse_at(void)
{
	double pct[4];
	int n;

	CHECK(sc_learn_eval_parse_at("1,2.5,100", pct, 4, &n) == 0 && n == 3 && pct[1] == 2.5);
	CHECK(sc_learn_eval_parse_at("0", pct, 4, &n) < 0);
	CHECK(sc_learn_eval_parse_at("101", pct, 4, &n) < 0);
	CHECK(sc_learn_eval_parse_at("1;2", pct, 4, &n) < 0);
	CHECK(sc_learn_eval_parse_at("1,2,3,4,5", pct, 4, &n) < 0);
	CHECK(sc_learn_eval_parse_at("", pct, 4, &n) < 0);
}

static void test_labels(void)
{
	json_t *rec = json_loads("{\"y\":\"yes\",\"decl\":{\"outcome\":0,\"x\":{\"f\":\"1.5\"}},"
	                         "\"a\":{\"b\":true},\"s\":\"maybe\"}", 0, NULL);

	CHECK(sc_learn_label_value(sc_learn_label_at(rec, "outcome")) == 0);
	CHECK(sc_learn_label_value(sc_learn_label_at(rec, ".y")) == 1);
	CHECK(sc_learn_label_value(sc_learn_label_at(rec, "a.b")) == 1);
	CHECK(sc_learn_label_value(sc_learn_label_at(rec, "decl.x.f")) == 1);
	CHECK(sc_learn_label_value(sc_learn_label_at(rec, ".s")) == -1);
	CHECK(sc_learn_label_value(sc_learn_label_at(rec, "missing")) == -1);
	json_decref(rec);
}

/* A raw record is plain data: a copy (as realloc makes) reads the same. */
static void test_raw_copies(void)
{
	json_t *decl = json_loads("{\"date\":\"2021-03-04\",\"importer\":{\"id\":\"IM1\"},"
	                          "\"items\":[{\"hs\":\"8471.30\",\"origin\":\"CN\"}]}", 0, NULL);
	struct sc_learn_raw *a = malloc(sizeof *a), *b;

	sc_learn_extract(decl, a);
	b = malloc(sizeof *b);
	*b = *a;
	memset(a, 'x', sizeof *a);
	free(a);
	CHECK_STR(sc_learn_field(b, LF_IMPORTER), "IM1");
	CHECK_STR(sc_learn_field(b, LF_HS6), "847130");
	CHECK_STR(sc_learn_field(b, LF_HS4), "8471");
	CHECK_STR(sc_learn_field(b, LF_ORIGIN), "CN");
	CHECK_STR(sc_learn_field(b, LF_SELLER), "");
	free(b);
	json_decref(decl);
}

int main(void)
{
	test_raw_copies();
	test_measures();
	test_ties_and_one_class();
	test_parse_at();
	test_labels();
	return T_DONE("learn_eval");
}
