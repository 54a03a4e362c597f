/*
 * test_model.c - learned scoring on small generated histories: no label
 * leaks into its own record's features (or any earlier one's), planted
 * signals are found and explained, training is deterministic for a seed, and
 * bad model files fail with a clear message.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "learn.h"
#include "learn_model.h"
#include "t.h"

static uint64_t rs = 42;
static unsigned rnd(unsigned n)
{
	rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rs >> 33) % n);
}

/* A declaration as sc-import writes it. */
static json_t *make_decl(int day, const char *importer, const char *declarant,
                         const char *hs, const char *origin, double kg, double value)
{
	char date[32];
	long y = 2020, m = 1 + day / 28, d = 1 + day % 28;
	snprintf(date, sizeof date, "%04ld-%02ld-%02ld", y, m, d);
	return json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:s,s:[{s:s,s:s,s:f,s:f}]}", "date", date,
	                 "office", "40", "importer", "id", importer, "declarant", "id", declarant,
	                 "dispatch", origin, "items", "hs", hs, "origin", origin, "net_kg", kg,
	                 "value", value);
}

/* ---- time order: no leakage ---------------------------------------------- */

struct hist { int day; char imp[8]; int y; };

static struct sc_learnset *build_set(const struct hist *h, int n)
{
	struct sc_learnset *s = sc_learnset_new(20);
	struct sc_error err;
	for (int i = 0; i < n; i++) {
		struct sc_learn_raw raw;
		json_t *d = make_decl(h[i].day, h[i].imp, "D1", "850440", "CN", 10, 1000);
		sc_learn_extract(d, &raw);
		sc_learnset_add(s, &raw, h[i].y, &err);
		json_decref(d);
	}
	sc_learnset_encode(s, &err);
	return s;
}

static int before_or_same(const struct hist *h, int a, int b)   /* a at or before b in time order */
{
	return h[a].day < h[b].day || (h[a].day == h[b].day && a <= b);
}

static void test_no_leakage(void)
{
	enum { N = 240 };
	static struct hist h[N];
	for (int i = 0; i < N; i++) {
		h[i].day = (int)rnd(60);               /* many ties within a day */
		snprintf(h[i].imp, sizeof h[i].imp, "I%u", rnd(12));
		h[i].y = rnd(3) == 0;
	}
	struct sc_learnset *base = build_set(h, N);
	int nf = base->nf, changed_later = 0, leaks = 0;
	for (int t = 0; t < N; t += 7) {
		h[t].y = !h[t].y;
		struct sc_learnset *flip = build_set(h, N);
		for (int i = 0; i < N; i++) {
			int same = memcmp(base->X + (size_t)i * nf, flip->X + (size_t)i * nf,
			                  (size_t)nf * sizeof(float)) == 0;
			if (before_or_same(h, i, t) && !same)
				leaks++;
			if (!before_or_same(h, i, t) && !same)
				changed_later++;
		}
		sc_learnset_free(flip);
		h[t].y = !h[t].y;
	}
	CHECK(leaks == 0);           /* a label never reaches its own or an earlier record */
	CHECK(changed_later > 0);    /* but it does reach later ones: the test can see a change */
	sc_learnset_free(base);
}

static void test_tie_order(void)
{
	/* same day, same importer: the first sees nothing, the second sees the first */
	struct hist h[3] = { { 5, "A", 1 }, { 5, "A", 0 }, { 4, "B", 0 } };
	struct sc_learnset *s = build_set(h, 3);
	int cnt = 1;   /* importer_count */
	CHECK(strcmp(sc_learn_feature_name(cnt), "importer_count") == 0);
	CHECK(s->X[0 * s->nf + cnt] == 0.0f);
	CHECK(fabsf(s->X[1 * s->nf + cnt] - (float)log1p(1)) < 1e-6);
	CHECK(s->X[2 * s->nf + cnt] == 0.0f);
	/* the earliest record (day 4) was encoded with the even prior */
	CHECK(fabsf(s->X[2 * s->nf + 0] - 0.5f) < 1e-6);
	/* after the first A (label 1), the second A's importer rate is above the prior */
	CHECK(s->X[1 * s->nf + 0] > s->X[0 * s->nf + 0]);
	sc_learnset_free(s);
}

/* ---- planted signals ------------------------------------------------------- */

static const char *imps[] = { "ACME", "BOLT", "CRUX", "DUNE", "EPIC", "FERN", "GALE", "HUSK", "BAD1" };

static struct sc_learnset *planted(int n, uint64_t seed)
{
	struct sc_learnset *s = sc_learnset_new(20);
	struct sc_error err;
	rs = seed;
	for (int i = 0; i < n; i++) {
		const char *imp = imps[rnd(9)];
		int risky_goods = rnd(10) == 0;
		const char *hs = risky_goods ? "610910" : rnd(2) ? "850440" : "940360";
		const char *origin = risky_goods ? (rnd(2) ? "XA" : "DE") : (rnd(2) ? "CN" : "VN");
		double p = 0.05;
		if (!strcmp(imp, "BAD1"))
			p = 0.85;
		if (!strcmp(hs, "610910") && !strcmp(origin, "XA"))
			p = 0.8;
		json_t *d = make_decl(i * 300 / n, imp, rnd(2) ? "D1" : "D2", hs, origin, 10 + rnd(100), 1000 + rnd(5000));
		struct sc_learn_raw raw;
		sc_learn_extract(d, &raw);
		sc_learnset_add(s, &raw, rnd(1000) < p * 1000, &err);
		json_decref(d);
	}
	return s;
}

static struct sc_learn_model *fit(int algo, uint64_t seed, struct sc_error *err)
{
	struct sc_learn_opts o;
	sc_learn_opts_defaults(&o);
	o.algo = algo;
	o.gbt.seed = seed;
	o.gbt.trees = 80;
	struct sc_learnset *s = planted(3000, 7);
	struct sc_learn_model *m = sc_learn_fit(s, NULL, NULL, 0, &o, err);
	sc_learnset_free(s);
	return m;
}

static const char *top_feature(const json_t *r)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(r, "top"), 0), "feature"));
}

static void test_planted(int algo)
{
	struct sc_error err;
	struct sc_learn_model *m = fit(algo, 1, &err);
	CHECK(m != NULL);
	if (!m)
		return;
	json_t *bad = make_decl(320, "BAD1", "D1", "850440", "CN", 50, 3000);
	json_t *good = make_decl(320, "ACME", "D1", "850440", "CN", 50, 3000);
	json_t *goods = make_decl(320, "ACME", "D1", "610910", "XA", 50, 3000);
	json_t *other = make_decl(320, "ACME", "D1", "610910", "DE", 50, 3000);
	json_t *unseen = make_decl(320, "NEW9", "D9", "010101", "ZZ", 50, 3000);
	json_t *rb = sc_learn_model_score(m, bad, &err), *rg = sc_learn_model_score(m, good, &err);
	json_t *rs6 = sc_learn_model_score(m, goods, &err), *ro = sc_learn_model_score(m, other, &err);
	json_t *ru = sc_learn_model_score(m, unseen, &err);
	CHECK(rb && rg && rs6 && ro && ru);
	if (rb && rg && rs6 && ro && ru) {
		double sb = json_real_value(json_object_get(rb, "score"));
		double sg = json_real_value(json_object_get(rg, "score"));
		double s6 = json_real_value(json_object_get(rs6, "score"));
		double so = json_real_value(json_object_get(ro, "score"));
		double su = json_real_value(json_object_get(ru, "score"));
		CHECK(sb > 0.5 && sg < 0.2);
		CHECK(s6 > so + 0.2);
		CHECK(su > 0 && su < 1);              /* unseen keys still score */
		const char *tb = top_feature(rb);
		CHECK(tb && strncmp(tb, "importer", 8) == 0);   /* the importer explains it */
		const char *t6 = top_feature(rs6);
		CHECK(t6 && (strstr(t6, "origin") || strstr(t6, "hs6")));
		CHECK(sc_learn_model_threshold(m, 0.05) >= sc_learn_model_threshold(m, 0.10));
		CHECK(sc_learn_model_threshold(m, 0.10) > 0 && sc_learn_model_threshold(m, 0.05) <= 1);
	}
	json_t *notobj = json_string("x");
	CHECK(sc_learn_model_score(m, notobj, &err) == NULL);
	json_decref(notobj);
	json_decref(rb); json_decref(rg); json_decref(rs6); json_decref(ro); json_decref(ru);
	json_decref(bad); json_decref(good); json_decref(goods); json_decref(other); json_decref(unseen);

	/* round trip through a file keeps the scores */
	char path[] = "/tmp/test_modelXXXXXX";
	int fd = mkstemp(path);
	close(fd);
	CHECK(sc_learn_model_save(m, path, &err) == 0);
	struct sc_learn_model *m2 = sc_learn_model_load(path, &err);
	CHECK(m2 != NULL);
	if (m2) {
		json_t *d = make_decl(321, "BAD1", "D2", "610910", "XA", 5, 300);
		double a, b;
		sc_learn_model_score_value(m, d, &a);
		sc_learn_model_score_value(m2, d, &b);
		CHECK(fabs(a - b) < 1e-12);
		CHECK(strstr(sc_learn_model_name(m2), algo == SC_LEARN_GBT ? "gbt-v1" : "logreg-v1") != NULL);
		CHECK(sc_learn_model_threshold(m2, 0.05) == sc_learn_model_threshold(m, 0.05));
		json_decref(d);
	}
	unlink(path);
	sc_learn_model_free(m2);
	sc_learn_model_free(m);
}

static char *saved(struct sc_learn_model *m)
{
	struct sc_error err;
	char path[] = "/tmp/test_modelXXXXXX";
	int fd = mkstemp(path);
	unsigned char *data = NULL;
	size_t len;
	close(fd);
	if (sc_learn_model_save(m, path, &err) == 0)
		sc_read_file(path, 1u << 28, &data, &len, &err);
	unlink(path);
	return (char *)data;
}

static void test_deterministic(void)
{
	struct sc_error err;
	struct sc_learn_model *a = fit(SC_LEARN_GBT, 5, &err), *b = fit(SC_LEARN_GBT, 5, &err);
	struct sc_learn_model *c = fit(SC_LEARN_GBT, 6, &err);
	char *sa = saved(a), *sb = saved(b), *sc = saved(c);
	CHECK(sa && sb && sc);
	CHECK(sa && sb && strcmp(sa, sb) == 0);    /* same seed, same bytes */
	CHECK(sa && sc && strcmp(sa, sc) != 0);    /* the seed does draw the samples */
	free(sa); free(sb); free(sc);
	sc_learn_model_free(a); sc_learn_model_free(b); sc_learn_model_free(c);
}

static void test_bad_input(void)
{
	struct sc_error err;
	struct sc_learn_opts o;
	sc_learn_opts_defaults(&o);

	/* empty history */
	struct sc_learnset *s = sc_learnset_new(20);
	CHECK(sc_learn_fit(s, NULL, NULL, 0, &o, &err) == NULL);
	CHECK(strstr(err.msg, "no labelled records") != NULL);
	sc_learnset_free(s);
	/* one class only */
	struct hist h[4] = { { 1, "A", 0 }, { 2, "B", 0 }, { 3, "A", 0 }, { 4, "C", 0 } };
	s = build_set(h, 4);
	CHECK(sc_learn_fit(s, NULL, NULL, 0, &o, &err) == NULL);
	CHECK(strstr(err.msg, "same outcome") != NULL);
	sc_learnset_free(s);

	/* model files that are not ours, or of another version */
	struct sc_learn_model *m = fit(SC_LEARN_GBT, 1, &err);
	char *text = saved(m);
	json_t *root = text ? json_loads(text, 0, NULL) : NULL;
	CHECK(root != NULL);
	if (root) {
		json_object_set_new(root, "v", json_integer(2));
		CHECK(sc_learn_model_from_json(root, "m.json", &err) == NULL);
		CHECK(strcmp(err.code, "model-version") == 0 && strstr(err.msg, "version 2"));
		CHECK(strcmp(err.file, "m.json") == 0);
		json_object_set_new(root, "v", json_integer(1));
		json_array_set_new(json_object_get(root, "features"), 0, json_string("nope"));
		CHECK(sc_learn_model_from_json(root, "m.json", &err) == NULL);
		CHECK(strstr(err.msg, "another feature set") != NULL);
		json_array_set_new(json_object_get(root, "features"), 0, json_string("importer_rate"));
		/* a node pointing back at itself would loop: refused */
		json_t *nodes = json_object_get(json_object_get(root, "gbt"), "nodes");
		json_t *n0 = json_array_get(nodes, 0);
		CHECK(json_integer_value(json_array_get(n0, 0)) >= 0);
		json_array_set_new(n0, 2, json_integer(0));   /* left child: itself */
		CHECK(sc_learn_model_from_json(root, "m.json", &err) == NULL);
		CHECK(strstr(err.msg, "node 0") != NULL);
		json_decref(root);
		json_t *other = json_pack("{s:s}", "format", "something-else");
		CHECK(sc_learn_model_from_json(other, "x.json", &err) == NULL);
		CHECK(strstr(err.msg, "not a model file") != NULL);
		json_decref(other);
	}
	free(text);
	sc_learn_model_free(m);

	char path[] = "/tmp/test_modelXXXXXX";
	int fd = mkstemp(path);
	CHECK(write(fd, "{\"format\":\n  oops", 17) == 17);
	close(fd);
	CHECK(sc_learn_model_load(path, &err) == NULL);
	CHECK(err.line == 2 && strstr(err.msg, "invalid JSON"));
	unlink(path);
	CHECK(sc_learn_model_load("/nonexistent/model.json", &err) == NULL);
}

static void test_dates(void)
{
	long d;
	CHECK(sc_learn_parse_date("1970-01-01", &d) == 0 && d == 0);
	CHECK(sc_learn_parse_date("2020-03-01T10:00:00Z", &d) == 0 && d == 18322);
	CHECK(sc_learn_parse_date("2021-02-29", &d) < 0);
	CHECK(sc_learn_parse_date("2020-13-01", &d) < 0);
	CHECK(sc_learn_parse_date("20200101", &d) < 0);
	CHECK(sc_learn_parse_date("", &d) < 0);
	/* 2020-01-06 was a Monday */
	json_t *decl = json_pack("{s:s}", "date", "2020-01-06");
	struct sc_learn_raw raw;
	sc_learn_extract(decl, &raw);
	CHECK(raw.num[LN_WEEKDAY] == 0);
	json_decref(decl);
}

int main(void)
{
	test_dates();
	test_no_leakage();
	test_tie_order();
	test_planted(SC_LEARN_GBT);
	test_planted(SC_LEARN_LOGREG);
	test_deterministic();
	test_bad_input();
	return T_DONE("model");
}
