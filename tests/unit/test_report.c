/*
 * test_report.c - unit tests of sc-report's library: the bounded state
 * (space-saving counters keep the heavy hitters, top lists keep the highest
 * scores), the --fail-if language, and defensive reading of mistyped records.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "t.h"

static json_t *rec(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);

	if (!v)
		fprintf(stderr, "bad test JSON: %s: %s\n", text, e.text);
	return v;
}

static void add(struct sc_report *r, const char *text)
{
	json_t *v = rec(text);

	sc_report_add(r, v);
	json_decref(v);
}

static double fig(const json_t *s, const char *name)
{
	return json_number_value(json_object_get(json_object_get(s, "figures"), name));
}

static double eval(const char *src, const json_t *f, const json_t *b)
{
	struct sc_error err;
	struct sc_failif *x = sc_failif_compile(src, &err);
	double v;

	if (!x) {
		fprintf(stderr, "compile %s: %s\n", src, err.msg);
		return NAN;
	}
	v = sc_failif_eval(x, f, b);
	sc_failif_free(x);
	return v;
}

static int compile_fails(const char *src, int col, const char *msg)
{
	struct sc_error err;
	struct sc_failif *x = sc_failif_compile(src, &err);

	sc_failif_free(x);
	if (x)
		return 0;
	if (col && err.col != col) {
		fprintf(stderr, "%s: col %d, expected %d (%s)\n", src, err.col, col, err.msg);
		return 0;
	}
	return strstr(err.msg, msg) != NULL;
}

static void test_heavy_hitters(void)
{
	struct sc_report_opts o = { .top = 5, .ocr_min = 60 };
	struct sc_report *r = sc_report_new(&o);
	char buf[256];
	json_t *s, *rows;

	/* 5000 distinct one-off rules among a steady heavy hitter: 5x the counters */
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof buf, "{\"risk\":{\"channel\":\"green\",\"hits\":[{\"id\":\"rare-%d\"},"
		         "{\"id\":\"%s\"}]}}", i, i % 10 == 0 ? "heavy" : "steady");
		add(r, buf);
	}
	s = sc_report_summary(r, NULL);
	rows = json_object_get(json_object_get(s, "rules"), "rows");
	CHECK(json_is_true(json_object_get(json_object_get(s, "rules"), "approx")));
	CHECK(json_array_size(rows) == 5);
	CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 0), "id")), "steady");
	CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 1), "id")), "heavy");
	/* space-saving never undercounts, and a key held from the start is exact */
	CHECK(json_integer_value(json_object_get(json_array_get(rows, 0), "hits")) == 4500);
	CHECK(json_integer_value(json_object_get(json_array_get(rows, 1), "hits")) >= 500);
	CHECK(json_integer_value(json_object_get(json_object_get(s, "rules"), "distinct")) == SC_REPORT_COUNTERS);
	CHECK(fig(s, "rule_hits") == 10000);
	json_decref(s);
	sc_report_free(r);
}

static void test_top_list(void)
{
	struct sc_report_opts o = { .top = 3, .ocr_min = 60 };
	struct sc_report *r = sc_report_new(&o);
	char buf[256];
	json_t *s, *list;

	/* scores 0.000 .. 0.999 in a scrambled order; ties keep the earlier record */
	for (int i = 0; i < 1000; i++) {
		int k = (i * 7919) % 1000;
		snprintf(buf, sizeof buf, "{\"id\":\"d%d\",\"risk\":{\"channel\":\"red\",\"score\":%d.%03d}}",
		         k, k == 999 ? 0 : 0, k);
		add(r, buf);
	}
	add(r, "{\"id\":\"tie\",\"risk\":{\"channel\":\"red\",\"score\":0.999}}");
	s = sc_report_summary(r, NULL);
	list = json_object_get(s, "red_list");
	CHECK(json_array_size(list) == 3);
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "id")), "d999");
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 1), "id")), "tie");
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 2), "id")), "d998");
	CHECK(fig(s, "red") == 1001);
	json_decref(s);
	sc_report_free(r);
}

static void test_defensive(void)
{
	struct sc_report *r = sc_report_new(NULL);
	json_t *s;
	static const char *const odd[] = {
		"{\"risk\":null,\"ocr\":[],\"parse\":\"x\",\"wood\":1,\"scan\":true,\"errors\":{}}",
		"{\"risk\":{\"channel\":7,\"score\":\"0.5\",\"hits\":[null,1,\"str-rule\",{\"id\":3}]}}",
		"{\"decl\":{\"importer\":[],\"items\":{\"hs\":\"44\"}},\"risk\":{\"channel\":\"red\",\"score\":1e308}}",
		"{\"ocr\":{\"conf\":-5,\"rotate\":true},\"wood\":{\"top\":[1,{\"taxon\":5},{\"taxon\":\"T\",\"cites\":{}}]}}",
		"{\"scan\":{\"anomalies\":[1,{\"score\":\"x\"},{\"kind\":\"k\",\"score\":2}],\"consistent\":\"no\"}}",
		"{\"parse\":{\"type\":\"\",\"fields\":{\"doc_no\":{\"value\":null},\"date\":[]},\"checks\":[1,null,{}]}}",
		"{\"errors\":[1,\"x\",{\"tool\":5}]}",
		"{\"id\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\",\"risk\":{\"channel\":\"red\",\"hits\":[{\"id\":\"r\"}]}}",
	};

	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
		add(r, odd[i]);
	sc_report_add(r, NULL);
	s = sc_report_summary(r, NULL);
	CHECK(s != NULL);
	CHECK(fig(s, "records") == 8);
	CHECK(fig(s, "other_lane") == 0);
	CHECK(fig(s, "red") == 2);
	CHECK(fig(s, "rule_hits") == 2);        /* "str-rule" and "r" */
	CHECK(fig(s, "ocr_conf_mean") == 0);    /* -5 clamps to 0 */
	CHECK(fig(s, "ocr_rotated") == 0);      /* true is not a rotation */
	CHECK(fig(s, "scan_anomalies") == 2);
	CHECK(fig(s, "scan_inconsistent") == 0);
	CHECK(fig(s, "parse_missing_fields") == 17);
	CHECK(fig(s, "parse_checks_failed") == 1);  /* {} is a finding; 1 and null are not checks */
	CHECK(fig(s, "errors") == 3);
	/* a 96-byte id cut inside a two-byte character must still be valid UTF-8 */
	CHECK(json_array_size(json_object_get(s, "red_list")) == 2);
	for (int f = 0; f < 4; f++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		CHECK(sc_report_render(m, (enum sc_report_format)f, s, NULL, NULL) == 0);
		fclose(m);
		CHECK(len > 0);
		free(buf);
	}
	json_decref(s);
	sc_report_free(r);
}

static void test_expr(void)
{
	json_t *f = rec("{\"red_rate\":0.1,\"errors\":0,\"red\":5,\"records\":50}");
	json_t *b = rec("{\"red_rate\":0.05,\"records\":40}");

	CHECK(eval("red_rate > 0.08 || errors > 0", f, NULL) == 1);
	CHECK(eval("red_rate > 0.08 && errors > 0", f, NULL) == 0);
	CHECK(eval("red_rate > 10%", f, NULL) == 0);
	CHECK(eval("red_rate >= 10%", f, NULL) == 1);
	CHECK(eval("red / records", f, NULL) == 0.1);
	CHECK(eval("red / errors", f, NULL) == 0);          /* division by zero is 0 */
	CHECK(eval("1 + 2 * 3 - 4 / 2", f, NULL) == 5);
	CHECK(eval("(1 + 2) * 3", f, NULL) == 9);
	CHECK(eval("-red + 5", f, NULL) == 0);
	CHECK(eval("!errors", f, NULL) == 1);
	CHECK(eval("!!red", f, NULL) == 1);
	CHECK(eval("1 || 0 && 0", f, NULL) == 1);           /* && binds tighter */
	CHECK(eval("red_rate - base.red_rate > 0.04", f, b) == 1);
	CHECK(eval("base.errors == base.errors", f, b) == 0);   /* NaN */
	CHECK(eval("base.errors != 0", f, b) == 0);
	CHECK(eval("!base.errors", f, b) == 1);
	CHECK(eval("red_rate > base.red_rate", f, NULL) == 0);
	CHECK(eval(" .5<red_rate*10 ", f, NULL) == 1);
	CHECK(eval("1e1 == 10", f, NULL) == 1);

	CHECK(compile_fails("", 1, "unexpected end"));
	CHECK(compile_fails("red_rat > 1", 1, "unknown figure \"red_rat\""));
	CHECK(compile_fails("base.nope", 1, "unknown figure \"base.nope\""));
	CHECK(compile_fails("1 < 2 < 3", 7, "do not chain"));
	CHECK(compile_fails("(1", 3, "expected \")\""));
	CHECK(compile_fails("1 = 1", 3, "unexpected \"=\""));
	CHECK(compile_fails("1 & 1", 3, "unexpected \"&\""));
	CHECK(compile_fails("red ! 1", 5, "unexpected \"!\""));
	CHECK(compile_fails("1e999", 1, "bad number"));
	{
		char deep[300];
		memset(deep, '(', 100);
		strcpy(deep + 100, "1");
		memset(deep + 101, ')', 100);
		deep[201] = '\0';
		CHECK(compile_fails(deep, 0, "nested too deeply"));
		memset(deep, '-', 200);
		strcpy(deep + 200, "1");
		CHECK(compile_fails(deep, 0, "nested too deeply"));
	}
	{
		char *big = malloc(SC_EXPR_MAX_LEN + 10);
		memset(big, ' ', SC_EXPR_MAX_LEN + 5);
		big[SC_EXPR_MAX_LEN + 5] = '\0';
		CHECK(compile_fails(big, 1, "longer than"));
		free(big);
	}
	{
		struct sc_error err;
		struct sc_failif *x = sc_failif_compile("base.red > 0", &err);
		CHECK(sc_failif_needs_base(x));
		sc_failif_free(x);
		x = sc_failif_compile("red > 0", &err);
		CHECK(!sc_failif_needs_base(x));
		sc_failif_free(x);
	}
	json_decref(f);
	json_decref(b);
}

static void test_csv(void)
{
	struct sc_error err;
	struct sc_report_csv *c = sc_report_csv_new("a,b.c,d[].e,f", &err);
	json_t *r = rec("{\"a\":\"x,y\",\"b\":{\"c\":\"say \\\"hi\\\"\"},\"d\":[{\"e\":1},{\"e\":\"two\"},{}],\"f\":\"+1\"}");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	CHECK(c != NULL);
	CHECK(sc_report_csv_header(m, c) == 0);
	CHECK(sc_report_csv_row(m, c, r) == 0);
	fclose(m);
	CHECK_STR(buf, "a,b.c,d[].e,f\n\"x,y\",\"say \"\"hi\"\"\",1;two;,\"'+1\"\n");
	free(buf);
	json_decref(r);
	sc_report_csv_free(c);
	CHECK(sc_report_csv_new("a[]b", &err) == NULL);
	CHECK(sc_report_csv_new("a[].b[].c", &err) == NULL);
}

int main(void)
{
	test_heavy_hitters();
	test_top_list();
	test_defensive();
	test_expr();
	test_csv();
	return T_DONE("report");
}
