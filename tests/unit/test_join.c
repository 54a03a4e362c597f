/*
 * test_join.c - unit tests for lib/join.c: keys normalized as sc-parse's,
 * union over chains of links, order independence, tolerances at their edge,
 * party names, and the problems of linking.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "join.h"
#include "t.h"

static json_t *rec(const char *s)
{
	json_error_t e;
	json_t *r = json_loads(s, 0, &e);
	if (!r)
		fprintf(stderr, "bad test record: %s: %s\n", s, e.text);
	return r;
}

static int nproblems;
static void count_problem(void *ctx, const struct sc_error *e)
{
	(void)ctx;
	(void)e;
	nproblems++;
}

/* Join the records (in the order given) and return all consignments dumped. */
static char *join_all(const char *const *lines, size_t n, const struct sc_join_tol *tol, size_t *ng)
{
	struct sc_join *j = sc_join_new(tol);
	for (size_t i = 0; i < n; i++) {
		json_t *r = rec(lines[i]);
		struct sc_error e;
		sc_join_add(j, r, "t.jsonl", (unsigned long)i + 1, &e);
		json_decref(r);
	}
	nproblems = 0;
	*ng = sc_join_link(j, count_problem, NULL);
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(1, cap);
	for (size_t k = 0; k < *ng; k++) {
		json_t *c = sc_join_build(j, k, NULL);
		/* the place of a record differs with the order given; the rest must not */
		json_t *errs = json_object_get(c, "errors");
		size_t q;
		json_t *x;
		json_array_foreach(errs, q, x)
			json_object_del(x, "line");
		char *s = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
		size_t sl = strlen(s);
		while (len + sl + 2 > cap)
			out = realloc(out, cap *= 2);
		memcpy(out + len, s, sl);
		len += sl;
		out[len++] = '\n';
		out[len] = '\0';
		free(s);
		json_decref(c);
	}
	sc_join_free(j);
	return out;
}

static void test_keys(void)
{
	json_t *d = rec("{\"decl\":{\"id\":\"D 1x2y3\",\"invoice_no\":\"rw 2026/04817\",\"containers\":[\"MSKU1234565\"]}}");
	json_t *p = rec("{\"parse\":{\"type\":\"invoice\",\"fields\":{\"invoice_no\":{\"value\":\"RW-2026-O4817\"}}}}");
	json_t *kd = sc_join_keys(d), *kp = sc_join_keys(p);
	CHECK(json_array_size(kd) == 3);
	CHECK_STR(json_string_value(json_array_get(kd, 0)), "decl:D1X2Y3");
	/* O read for 0 meets its digit, as in sc-parse -g ref */
	CHECK_STR(json_string_value(json_array_get(kd, 1)), json_string_value(json_array_get(kp, 0)));
	CHECK_STR(json_string_value(json_array_get(kd, 2)), "container:MSKU1234565");
	json_decref(kd);
	json_decref(kp);
	json_decref(d);
	json_decref(p);
	/* a wood sample links through its record's decl; a bare one has no key */
	json_t *w = rec("{\"wood\":{\"top\":[]},\"decl\":{\"id\":\"D-9\"}}"), *w2 = rec("{\"wood\":{\"top\":[]}}");
	json_t *kw = sc_join_keys(w), *kw2 = sc_join_keys(w2);
	CHECK(json_array_size(kw) == 1 && json_array_size(kw2) == 0);
	json_decref(kw);
	json_decref(kw2);
	json_decref(w);
	json_decref(w2);
}

static const char *const CHAIN[] = {
	"{\"id\":\"D-1\",\"decl\":{\"id\":\"D-1\",\"invoice_no\":\"INV-00001\",\"total_value\":1000,\"gross_kg\":100}}",
	/* the B/L reaches the declaration only through the packing list */
	"{\"id\":\"bl\",\"parse\":{\"type\":\"bill_of_lading\",\"fields\":{\"bl_no\":{\"value\":\"BL-777777\"},\"gross_kg\":{\"value\":101.5}}}}",
	"{\"id\":\"pl\",\"parse\":{\"type\":\"packing_list\",\"fields\":{\"invoice_no\":{\"value\":\"INV-00001\"},\"bl_no\":{\"value\":\"BL-777777\"}}}}",
	"{\"id\":\"inv\",\"parse\":{\"type\":\"invoice\",\"fields\":{\"invoice_no\":{\"value\":\"INV-00001\"},\"total\":{\"value\":1006}}}}",
	"{\"id\":\"D-2\",\"decl\":{\"id\":\"D-2\"}}",
};

static void test_chain_and_order(void)
{
	size_t ng, ng2;
	char *a = join_all(CHAIN, 5, NULL, &ng);
	CHECK(ng == 2);
	CHECK(strstr(a, "\"alone\":true") != NULL);   /* D-2 */
	/* 101.5 kg against 100: within 2%; 1006 against 1000: above half a percent */
	CHECK(strstr(a, "\"field\":\"gross_kg\"") == NULL);
	CHECK(strstr(a, "\"field\":\"total_value\"") != NULL);
	CHECK(strstr(a, "\"rel\":0.006") != NULL);
	/* every order gives the same output */
	const char *rev[5];
	for (int i = 0; i < 5; i++)
		rev[i] = CHAIN[4 - i];
	char *b = join_all(rev, 5, NULL, &ng2);
	CHECK(ng2 == 2);
	CHECK_STR(a, b);
	free(a);
	free(b);
}

static void test_tolerance(void)
{
	struct sc_join_tol t;
	sc_join_tol_default(&t);
	t.rel[SC_JN_TOTAL] = 0.01;
	size_t ng;
	char *a = join_all(CHAIN, 4, &t, &ng);
	CHECK(strstr(a, "\"field\":\"total_value\"") == NULL);
	free(a);
	t.rel[SC_JN_GROSS] = 0.001;
	t.abs[SC_JN_GROSS] = 0;
	a = join_all(CHAIN, 4, &t, &ng);
	CHECK(strstr(a, "\"field\":\"gross_kg\"") != NULL);
	free(a);
	/* a tolerance file with a mistake names its place */
	char path[] = "/tmp/test_join_XXXXXX";
	int fd = mkstemp(path);
	const char *y = "tolerances:\n  gross_kg: {rel: 0.02, abss: 3}\n";
	CHECK(write(fd, y, strlen(y)) == (ssize_t)strlen(y));
	close(fd);
	struct sc_error e;
	CHECK(sc_join_tol_load(&t, path, &e) == -1);
	CHECK(e.line == 2);
	CHECK(strstr(e.msg, "abss") != NULL);
	unlink(path);
}

static void test_parties(void)
{
	const char *const L[] = {
		"{\"decl\":{\"id\":\"P-1\",\"invoice_no\":\"INV-55555\",\"importer\":{\"name\":\"Harbour Tools Ltd\"},\"exporter\":{\"name\":\"Acme GmbH\"}}}",
		"{\"id\":\"i\",\"parse\":{\"type\":\"invoice\",\"fields\":{\"invoice_no\":{\"value\":\"INV-55555\"},\"buyer\":{\"value\":\"HARBOUR TOOLS LIMITED\"},\"seller\":{\"value\":\"Zenith Trading FZE\"}}}}",
	};
	size_t ng;
	char *a = join_all(L, 2, NULL, &ng);
	CHECK(strstr(a, "\"field\":\"importer\"") == NULL);
	CHECK(strstr(a, "\"field\":\"exporter\"") != NULL);
	free(a);
}

static void test_problems(void)
{
	const char *const L[] = {
		"{\"decl\":{\"id\":\"X-1\",\"invoice_no\":\"INV-99999\"}}",
		"{\"decl\":{\"id\":\"X-1\"}}",
		"{\"decl\":{\"id\":\"X-2\",\"bl_no\":\"BL-123456\"}}",
		"{\"id\":\"d\",\"parse\":{\"type\":\"invoice\",\"fields\":{\"invoice_no\":{\"value\":\"INV-99999\"},\"bl_no\":{\"value\":\"BL-123456\"}}}}",
		"{\"nothing\":1}",
	};
	size_t ng;
	char *a = join_all(L, 5, NULL, &ng);
	/* X-1 twice (one problem); the document links X-1 and X-2 (one more) */
	CHECK(nproblems == 2);
	CHECK(ng == 2);
	CHECK(strstr(a, "duplicate-decl") != NULL);
	CHECK(strstr(a, "links-two-decls") != NULL);
	CHECK(strstr(a, "no-key") != NULL);
	CHECK(strstr(a, "\"nothing\":1") != NULL);   /* it comes out as it was */
	free(a);
}

int main(void)
{
	test_keys();
	test_chain_and_order();
	test_tolerance();
	test_parties();
	test_problems();
	return T_DONE("join");
}
