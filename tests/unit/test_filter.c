/*
 * test_filter.c - the one-in-one-out loop: every line accounted for, order
 * kept and bytes identical whatever the number of workers, records without
 * the needed namespace passed through, enricher errors recorded.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "t.h"
#include "walk.h"

static int enrich(void *ctx, void *state, json_t *rec, json_t **value, struct sc_error *err)
{
	json_int_t n = json_integer_value(sc_json_path(rec, "decl.n"));

	(void)ctx;
	(*(int *)state)++;
	if (n % 7 == 3)
		return sc_error_set(err, NULL, 0, 0, "odd", "n is %lld", (long long)n);
	*value = json_pack("{s:I}", "twice", (json_int_t)(2 * n));
	return 0;
}

static int enrich_fixed(void *ctx, void *state, json_t *rec, json_t **value, struct sc_error *err);

static void *state_new(void *ctx)
{
	(void)ctx;
	return calloc(1, sizeof(int));
}

static char *run(const char *input_path, int jobs, struct sc_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	char *files[] = {(char *)input_path};
	struct sc_filter f = {
		.tool = "sc-test", .ns = "risk", .needs = "decl", .enrich = enrich,
		.thread_init = state_new, .thread_free = free, .jobs = jobs, .out = out, .diag = d,
	};

	d->out = fopen("/dev/null", "w");
	sc_filter_run(&f, 1, files);
	fclose(d->out);
	fclose(out);
	return buf;
}

static void test_filter(void)
{
	char path[] = "/tmp/sc-filter-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct sc_diag d1, d4;
	char *a, *b;
	int lines = 0;

	for (int i = 0; i < 3000; i++) {
		if (i % 500 == 17)
			fprintf(f, "{\"decl\": broken\n");
		else if (i % 300 == 5)
			fprintf(f, "{\"other\":%d}\n", i);
		else
			fprintf(f, "{\"id\":\"D%d\",\"decl\":{\"n\":%d}}\n", i, i);
	}
	fclose(f);
	sc_diag_init(&d1, "sc-test");
	sc_diag_init(&d4, "sc-test");
	a = run(path, 1, &d1);
	b = run(path, 4, &d4);
	CHECK(a && b && strcmp(a, b) == 0);
	for (char *p = a; p && *p; p++)
		lines += *p == '\n';
	CHECK(lines == 3000);
	CHECK(d1.records == 3000 && d4.records == 3000);
	CHECK(d1.bad == d4.bad && d1.bad > 0);
	CHECK(strstr(a, "{\"id\":\"D0\",\"decl\":{\"n\":0},\"risk\":{\"twice\":0}}\n") == a);
	CHECK(strstr(a, "\n{\"other\":5}\n") != NULL);
	CHECK(strstr(a, "\"code\":\"bad-json\"") != NULL);
	CHECK(strstr(a, "{\"id\":\"D3\",\"decl\":{\"n\":3},\"errors\":[{\"tool\":\"sc-test\",\"code\":\"odd\"") != NULL);
	free(a);
	free(b);
	unlink(path);
}

static int collect(void *ctx, struct sc_blob *b)
{
	json_t *list = ctx;

	json_array_append_new(list, json_pack("{s:s?,s:s?,s:I}", "member", b->member, "error",
	                                      b->error ? b->error->code : NULL, "len",
	                                      (json_int_t)b->len));
	free(b->data);
	return 0;
}

static void test_walk_caps(void)
{
	/* a tar made by hand: one 100-byte member and one 5000-byte member */
	unsigned char tar[512 * 16] = {0};
	struct sc_walk w;
	json_t *list = json_array();
	unsigned char *copy;

	for (int m = 0; m < 2; m++) {
		unsigned char *h = tar + (m ? 512 * 2 : 0);
		unsigned sum = 0;
		snprintf((char *)h, 100, m ? "big.bin" : "small.txt");
		snprintf((char *)h + 100, 8, "0000644");
		snprintf((char *)h + 124, 12, "%011o", m ? 5000 : 100);
		h[156] = '0';
		memcpy(h + 257, "ustar", 6);
		memset(h + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += h[i];
		snprintf((char *)h + 148, 8, "%06o", sum);
	}
	CHECK(sc_walk_is_archive(tar, sizeof tar));
	sc_walk_init(&w, collect, list);
	w.limits.max_member = 1000;
	copy = malloc(sizeof tar);
	memcpy(copy, tar, sizeof tar);
	sc_walk_buffer(&w, "t.tar", copy, sizeof tar);
	CHECK(json_array_size(list) == 2);
	CHECK_STR(json_string_value(sc_json_path(list, "0.member")), "small.txt");
	CHECK(json_integer_value(sc_json_path(list, "0.len")) == 100);
	CHECK_STR(json_string_value(sc_json_path(list, "1.error")), "too-large");
	json_decref(list);
}

/* The line with `risk` spliced in, through sc_filter_splice; NULL when it refuses. */
static char *spliced(const char *line, const char *val)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int st = sc_filter_splice(line, strlen(line), "risk", val, strlen(val), out);
	fclose(out);
	if (st < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* What a full rebuild writes: parse, set risk, dump. */
static char *rebuilt(const char *line, const char *val)
{
	json_t *rec = json_loads(line, JSON_ALLOW_NUL, NULL), *v = json_loads(val, JSON_DECODE_ANY, NULL);
	char *text, *out;
	json_object_set_new(rec, "risk", v);
	text = json_dumps(rec, SC_JSON_FLAGS);
	json_decref(rec);
	if (asprintf(&out, "%s\n", text) < 0)
		out = NULL;
	free(text);
	return out;
}

/* The same record, keys in the same order: both parse and dump alike. */
static int same_record(const char *a, const char *b)
{
	json_t *x = json_loads(a, JSON_ALLOW_NUL, NULL), *y = json_loads(b, JSON_ALLOW_NUL, NULL);
	char *dx = x ? json_dumps(x, SC_JSON_FLAGS) : NULL, *dy = y ? json_dumps(y, SC_JSON_FLAGS) : NULL;
	int same = dx && dy && strcmp(dx, dy) == 0;
	free(dx);
	free(dy);
	json_decref(x);
	json_decref(y);
	return same;
}

static void test_splice(void)
{
	/* as json_dumps writes a value */
	static const char *const val = "{\"v\":1,\"score\":20,\"channel\":\"blue\",\"hits\":[{\"why\":\"a \\\"b\\\" é\"}]}";
	/* compact input as the tools write it: the splice is byte for byte the rebuild */
	static const char *const compact[] = {
		"{\"decl\":{\"id\":\"A\"}}",
		"{}",
		"{\"decl\":{\"id\":\"A\"},\"risk\":{\"v\":1,\"score\":99},\"z\":[1,2]}",
		"{\"risk\":null,\"decl\":{}}",
		"{\"decl\":{\"name\":\"Müller \\\"Nord\\\" GmbH\",\"x\":\"}{][,:\"},\"risk\":7}",
	};
	/* valid but unusual JSON: the same records as a rebuild (only spelling may differ) */
	static const char *const odd[] = {
		"  { \"decl\" : { \"id\" : \"A\\u00e9\\n\" } , \"n\" : 1.5e+3 }  ",
		"{\"decl\":{\"v\":-0.0,\"big\":1E-7,\"s\":\"\\ud83d\\ude00\\/\"},\"risk\" :\t{\"old\":[1,{\"a\":\"]\"}]} ,\"after\":true}",
		"{\"a\":[],\"b\":{},\"risk\":\"x,y}\",\"c\":null}",
		"{\"decl\":{\"text\":\"\\\\\"},\"risk\":false}",
		"{ }",
	};
	for (size_t i = 0; i < sizeof compact / sizeof compact[0]; i++) {
		char *a = spliced(compact[i], val), *b = rebuilt(compact[i], val);
		CHECK(a && b && strcmp(a, b) == 0);
		free(a);
		free(b);
	}
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		char *a = spliced(odd[i], val), *b = rebuilt(odd[i], val);
		CHECK(a && b && same_record(a, b));
		free(a);
		free(b);
	}
	/* the other bytes are the input's: whitespace and spelling kept */
	{
		char *a = spliced("{ \"n\" : 1.5e+3, \"risk\" : [1] }", "2");
		CHECK_STR(a, "{ \"n\" : 1.5e+3, \"risk\" : 2 }\n");
		free(a);
	}
	/* a key twice, or a key spelt with escapes: left to a rebuild */
	CHECK(spliced("{\"risk\":1,\"risk\":2}", "3") == NULL);
	CHECK(spliced("{\"\\u0072isk\":1}", "3") == NULL);
}

/* An enricher that gives a fixed value as text, as sc-risk does (as jansson writes it). */
static const char *const loop_val =
	"{\"v\":1,\"score\":20,\"channel\":\"blue\",\"hits\":[{\"why\":\"a \\\"b\\\" \u00e9\u2028\\t\"}]}";

static int enrich_text(void *ctx, void *state, json_t *rec, const char **text, size_t *len,
                       struct sc_error *err)
{
	(void)ctx;
	(void)state;
	(void)rec;
	(void)err;
	*text = loop_val;
	*len = strlen(loop_val);
	return 0;
}

static int enrich_fixed(void *ctx, void *state, json_t *rec, json_t **value, struct sc_error *err)
{
	(void)ctx;
	(void)state;
	(void)rec;
	(void)err;
	*value = json_loads(loop_val, 0, NULL);
	return *value ? 0 : -1;
}

/*
 * The splice through the whole loop (sc_filter_run, as sc-risk runs it, by
 * text and by value): records with and without an earlier risk, compact
 * and unusual but valid JSON, give the records a full rebuild gives; where
 * the input was compact, byte for byte.
 */
static void test_splice_loop(void)
{
	static const char *const compact[] = {
		"{\"decl\":{\"id\":\"A\"}}",
		"{\"decl\":{\"id\":\"A\"},\"risk\":{\"v\":1,\"score\":99},\"z\":[1,2]}",
		"{\"risk\":null,\"decl\":{}}",
		"{\"decl\":{\"name\":\"M\u00fcller \\\"Nord\\\" GmbH\",\"x\":\"}{][,:\"},\"risk\":7}",
		"{\"decl\":{\"n\":1e300,\"m\":-2.5e-7,\"s\":\"\\u0000\\t\"}}",
	};
	static const char *const odd[] = {
		"  { \"decl\" : { \"id\" : \"A\\u00e9\\n\" } , \"n\" : 1.5e+3 }  ",
		"{\"decl\":{\"v\":-0.0,\"big\":1E-7,\"s\":\"\\ud83d\\ude00\\/\"},\"risk\" :\t{\"old\":[1,{\"a\":\"]\"}]} ,\"after\":true}",
		"{\"decl\":{},\"risk\":\"x,y}\",\"c\":null}\r",
		"{\"decl\":{\"text\":\"\\\\\"},\"risk\":false}",
		"{\"d\\u0065cl\":{\"id\":\"escaped key\"},\"decl\":{}}",
		"{\"\\u0072isk\":{\"old\":1},\"decl\":{}}",
		"{\"decl\":{},\"risk\":1,\"risk\":2}",
		"{\"decl\":{\"id\":\"\u4e2d\u6587\"},\"n\":[0.5E2,-0,1e-0]\t}",
	};
	const size_t nc = sizeof compact / sizeof compact[0], no = sizeof odd / sizeof odd[0];
	char path[] = "/tmp/sc-splice-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	for (size_t i = 0; i < nc; i++)
		fprintf(f, "%s\n", compact[i]);
	for (size_t i = 0; i < no; i++)
		fprintf(f, "%s\n", odd[i]);
	fclose(f);
	for (int by_text = 0; by_text < 2; by_text++) {
		char *buf = NULL, *line, *save = NULL;
		size_t len = 0, k = 0;
		FILE *out = open_memstream(&buf, &len);
		char *files[] = {path};
		struct sc_diag d;
		struct sc_filter fl = {
			.tool = "sc-test", .ns = "risk", .needs = "decl", .jobs = 1, .out = out, .diag = &d,
		};
		if (by_text)
			fl.enrich_text = enrich_text;
		else
			fl.enrich = enrich_fixed;
		sc_diag_init(&d, "sc-test");
		d.out = fopen("/dev/null", "w");
		sc_filter_run(&fl, 1, files);
		fclose(d.out);
		fclose(out);
		CHECK(d.records == nc + no && d.bad == 0);
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), k++) {
			const char *in = k < nc ? compact[k] : k < nc + no ? odd[k - nc] : "";
			char *want = rebuilt(in, loop_val), *got = NULL;
			if (asprintf(&got, "%s\n", line) < 0)
				got = NULL;
			if (k < nc)
				CHECK_STR(got, want);
			else
				CHECK(got && want && same_record(got, want));
			free(got);
			free(want);
		}
		CHECK(k == nc + no);
		free(buf);
	}
	unlink(path);
}

/*
 * The parse arena: records an enricher keeps past their line (some freed by
 * another thread, after the run) keep their values while thousands of later
 * lines are parsed; a line larger than the arena parses too.
 */
static json_t *g_kept[400];
static size_t g_nkept;
static pthread_mutex_t g_kept_mu = PTHREAD_MUTEX_INITIALIZER;

static int enrich_keep(void *ctx, void *state, json_t *rec, json_t **value, struct sc_error *err)
{
	json_int_t n = json_integer_value(sc_json_path(rec, "decl.n"));

	(void)ctx;
	(void)state;
	(void)err;
	if (n % 10 == 0) {
		pthread_mutex_lock(&g_kept_mu);
		if (g_nkept < sizeof g_kept / sizeof g_kept[0])
			g_kept[g_nkept++] = json_incref(rec);
		pthread_mutex_unlock(&g_kept_mu);
	}
	*value = json_pack("{s:I}", "n", n);
	return 0;
}

static void test_arena(void)
{
	char path[] = "/tmp/sc-arena-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	size_t big = 9u << 20;

	for (int i = 0; i < 4000; i++) {
		fprintf(f, "{\"decl\":{\"n\":%d,\"s\":\"text %d\",\"l\":[%d,\"x\"]}}\n", i, i, i);
		if (i == 2000) {   /* one line past the arena's 8 MiB */
			fputs("{\"decl\":{\"n\":-1,\"big\":\"", f);
			for (size_t k = 0; k < big; k++)
				putc('a' + (int)(k % 26), f);
			fputs("\"}}\n", f);
		}
	}
	fclose(f);
	for (int jobs = 1; jobs <= 4; jobs += 3) {
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		char *files[] = {path};
		struct sc_diag d;
		struct sc_filter fl = {
			.tool = "sc-test", .ns = "risk", .needs = "decl", .enrich = enrich_keep, .jobs = jobs,
			.out = out, .diag = &d,
		};
		int intact = 1;

		g_nkept = 0;
		sc_diag_init(&d, "sc-test");
		d.out = fopen("/dev/null", "w");
		sc_filter_run(&fl, 1, files);
		fclose(d.out);
		fclose(out);
		CHECK(d.records == 4001 && d.bad == 0);
		CHECK(buf && strstr(buf, "{\"decl\":{\"n\":3999,\"s\":\"text 3999\",\"l\":[3999,\"x\"]},\"risk\":{\"n\":3999}}\n"));
		CHECK(g_nkept == 400);
		for (size_t k = 0; k < g_nkept; k++) {
			json_t *r = g_kept[k];
			json_int_t n = json_integer_value(sc_json_path(r, "decl.n"));
			char want[64];
			snprintf(want, sizeof want, "text %lld", (long long)n);
			if (n % 10 != 0 || !json_is_string(sc_json_path(r, "decl.s")) ||
			    strcmp(json_string_value(sc_json_path(r, "decl.s")), want) != 0 ||
			    json_integer_value(json_array_get(sc_json_path(r, "decl.l"), 0)) != n)
				intact = 0;
			json_decref(r);
		}
		CHECK(intact);
		free(buf);
	}
	unlink(path);
}

int main(void)
{
	test_arena();
	test_splice();
	test_splice_loop();
	test_filter();
	test_walk_caps();
	return T_DONE("filter");
}
