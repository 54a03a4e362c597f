/*
 * test_expr.c - every function and operator of the rule condition language,
 * its null rules, compile errors with their codes, and the screening helpers.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "risk_aho.h"
#include "risk_expr.h"
#include "risk_screen.h"
#include "t.h"

static const char *DECL =
	"{\"id\":\"D-1\",\"date\":\"2026-03-02\",\"origin\":\"CN\",\"currency\":\"USD\","
	"\"net_kg\":120,\"gross_kg\":100,\"total_value\":3000,"
	"\"importer\":{\"name\":\"Harbour Tools Ltd\"},"
	"\"containers\":[\"CSQU3054383\",\"MSKU1234560\"],"
	"\"items\":[{\"hs\":\"8517.12\",\"description\":\"Mobile Phones\",\"qty\":10,\"unit\":\"pcs\",\"net_kg\":2,\"value\":1000},"
	"{\"hs\":\"440710\",\"description\":\"sawn Dalbergia boards\",\"qty\":4,\"unit\":\"m3\",\"net_kg\":3000,\"value\":2000,\"origin\":\"BR\"}]}";

static struct sc_rtable *table;
static struct sc_risk_screen_list *list;
static struct sc_risk_screen_ref ref;
static struct sc_risk_expr_scope scope;
static json_t *decl;
static struct sc_eval *ev;

/* evaluate src and return its value as compact JSON text (static buffer), or "ERR:code" */
static const char *val(const char *src)
{
	static char buf[512];
	struct sc_error err;
	struct sc_risk_expr *e = sc_risk_expr_compile(src, &scope, SC_T_ANY, &err);
	json_t *v;
	char *s;

	if (!e) {
		snprintf(buf, sizeof buf, "ERR:%s", err.code);
		return buf;
	}
	sc_eval_begin(ev, decl);
	v = sc_risk_expr_value(e, ev, &err);
	if (!v) {
		snprintf(buf, sizeof buf, "EVAL:%s", err.code);
	} else {
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(12));
		snprintf(buf, sizeof buf, "%s", s);
		free(s);
	}
	json_decref(v);
	sc_risk_expr_free(e);
	return buf;
}

static const char *code(const char *src, enum sc_type want)
{
	static char buf[64];
	struct sc_error err;
	struct sc_risk_expr *e = sc_risk_expr_compile(src, &scope, want, &err);
	if (e) {
		sc_risk_expr_free(e);
		return "ok";
	}
	snprintf(buf, sizeof buf, "%s@%d", err.code, err.col);
	return buf;
}

static int word_ok(const char *s, size_t len, size_t start, size_t end)
{
	return (start == 0 || !isalnum((unsigned char)s[start - 1])) &&
	       (end == len || !isalnum((unsigned char)s[end]));
}

/* find() as it was, key by key (keys longest first): what the automaton must agree with */
static long find_slow(char **keys, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		for (size_t k = 0; k < n; k++) {
			size_t kl = strlen(keys[k]);
			if (kl && kl <= len - i && strncasecmp(s + i, keys[k], kl) == 0 && word_ok(s, len, i, i + kl))
				return (long)k;
		}
	return -1;
}

static int by_len(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
	return x != y ? (x < y ? 1 : -1) : strcmp(*(char *const *)a, *(char *const *)b);
}

/* The Aho-Corasick of find(): the same key as the one-by-one search, on random texts. */
static void test_aho(void)
{
	static const char alpha[] = "abAB -x.\xc3\xa9";
	unsigned seed = 7;
	int agree = 0, found = 0;

	for (int round = 0; round < 200; round++) {
		char *keys[12], text[40];
		size_t n = 1 + (size_t)(round % 12), tl;
		struct sc_aho *a;
		for (size_t k = 0; k < n; k++) {
			size_t kl = (seed = seed * 1103515245u + 12345u) >> 16 & 3;
			keys[k] = calloc(kl + 2, 1);
			for (size_t i = 0; i <= kl; i++)
				keys[k][i] = (char)tolower((unsigned char)alpha[((seed = seed * 1103515245u + 12345u) >> 16) % 6]);
		}
		qsort(keys, n, sizeof keys[0], by_len);
		a = sc_aho_build((const char *const *)keys, n, 1u << 20);
		CHECK(a != NULL);
		for (int t = 0; t < 20 && a; t++) {
			tl = ((seed = seed * 1103515245u + 12345u) >> 16) % sizeof text;
			for (size_t i = 0; i < tl; i++)
				text[i] = alpha[((seed = seed * 1103515245u + 12345u) >> 16) % (sizeof alpha - 1)];
			long want = find_slow(keys, n, text, tl), got = sc_aho_first(a, text, tl, word_ok);
			agree += want == got;
			found += want >= 0;
			if (want != got)
				fprintf(stderr, "aho: %ld, not %ld, in \"%.*s\"\n", got, want, (int)tl, text);
		}
		sc_aho_free(a);
		for (size_t k = 0; k < n; k++)
			free(keys[k]);
	}
	CHECK(agree == 200 * 20);
	CHECK(found > 500);   /* the texts do hold keys: the comparison means something */
	/* too large for the cap: NULL, and find() goes key by key */
	{
		const char *big[] = {"abcdefgh", "xyz"};
		CHECK(sc_aho_build(big, 2, 8) == NULL);
	}
}

int main(void)
{
	struct sc_error err;
	char tmp[] = "/tmp/test_expr_XXXXXX";
	int fd = mkstemp(tmp);
	FILE *f = fdopen(fd, "w");

	fputs("name,aliases\nKestrel Dynamics GmbH,Kestrel Dynamik\n\"Volkonsky, Ivan\",Иван Волконский\n", f);
	fclose(f);
	test_aho();
	list = sc_risk_screen_load(tmp, "csv", &err);
	CHECK(list != NULL);
	CHECK(sc_risk_screen_size(list) == 4);
	unlink(tmp);

	table = calloc(1, sizeof *table);
	table->name = strdup("genus");
	table->rows = json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:b}", "Dalbergia", "genus", "Dalbergia", "appendix", "II",
	                        "851712|pcs", "genus", "-", "appendix", "-", "XA", 1);
	table->columns = json_pack("[ss]", "genus", "appendix");
	sc_rtable_index(table);
	ref.name = "denied";
	ref.list = list;
	memset(&scope, 0, sizeof scope);
	scope.tables = &table;
	scope.ntables = 1;
	scope.lists = &ref;
	scope.nlists = 1;
	scope.file = "t.yaml";
	scope.line = 3;
	scope.col = 10;
	decl = json_loads(DECL, 0, NULL);
	ev = sc_eval_new();

	/* literals, arithmetic, comparisons, null rules */
	CHECK_STR(val("1 + 2 * 3 - 4 / 2"), "5");
	CHECK_STR(val("7 % 4"), "3");
	CHECK_STR(val("-(2 + 3)"), "-5");
	CHECK_STR(val("1 / 0"), "null");
	CHECK_STR(val("'a' + \"b\""), "\"ab\"");
	CHECK_STR(val("1 < 2 and 2 <= 2 and 3 > 2 and 3 >= 3 and 1 != 2 and 1 == 1"), "true");
	CHECK_STR(val("decl.nothing == null"), "ERR:unknown-field");
	CHECK_STR(val("decl.office == null"), "true");
	CHECK_STR(val("decl.office > 3"), "ERR:type");
	CHECK_STR(val("decl.packages > 3"), "false");
	CHECK_STR(val("decl.packages + 1"), "null");
	CHECK_STR(val("not (decl.office == 'x')"), "true");
	CHECK_STR(val("true or decl.packages > 1"), "true");
	/* paths and derived values */
	CHECK_STR(val("decl.importer.name"), "\"Harbour Tools Ltd\"");
	CHECK_STR(val("decl.value_per_kg"), "25");
	CHECK_STR(val("sum(decl.items, item.unit_value)"), "600");
	CHECK_STR(val("sum(decl.items, item.kg_per_unit)"), "750.2");
	CHECK_STR(val("count(decl.items, item.hs6 == '851712' and item.hs4 == '8517' and item.hs2 == '85')"), "1");
	CHECK_STR(val("round(sum(decl.items, item.value_per_kg), 2)"), "500.67");
	/* in, not in */
	CHECK_STR(val("decl.origin in ['CN', 'VN']"), "true");
	CHECK_STR(val("decl.origin not in ['CN', 'VN']"), "false");
	CHECK_STR(val("decl.office not in ['CN']"), "false");
	CHECK_STR(val("'XA' in genus"), "true");
	CHECK_STR(val("any(decl.containers, item in decl.containers)"), "true");
	/* strings */
	CHECK_STR(val("lower(decl.importer.name)"), "\"harbour tools ltd\"");
	CHECK_STR(val("upper('ab')"), "\"AB\"");
	CHECK_STR(val("trim('  a b ')"), "\"a b\"");
	CHECK_STR(val("len('abc') + len(decl.items)"), "5");
	CHECK_STR(val("prefix(decl.id, 'D-') and suffix(decl.id, '-1') and contains(decl.id, '-')"), "true");
	CHECK_STR(val("matches(decl.importer.name, '(?i)^harbour\\s+tools')"), "true");
	CHECK_STR(val("matches(decl.importer.name, 'ships')"), "false");
	/* quantifiers */
	CHECK_STR(val("any(decl.items, item.qty > 5)"), "true");
	CHECK_STR(val("all(decl.items, item.qty > 5)"), "false");
	CHECK_STR(val("all(decl.items, item.qty > 1)"), "true");
	CHECK_STR(val("count(decl.containers, not container_ok(item))"), "1");
	CHECK_STR(val("any(decl.items, any(decl.items, item.unit == 'm3'))"), "true");
	/* numbers */
	CHECK_STR(val("abs(-3) + min(1, 2) + max(1, 2)"), "6");
	CHECK_STR(val("round(2.345, 2)"), "2.35");
	CHECK_STR(val("round(2.5)"), "3");
	/* dates */
	CHECK_STR(val("days(decl.date, '2026-04-01')"), "30");
	CHECK_STR(val("decl.date + 30"), "\"2026-04-01\"");
	CHECK_STR(val("year(decl.date) * 100 + month(decl.date)"), "202603");
	CHECK_STR(val("weekday(decl.date)"), "1");
	CHECK_STR(val("date('2024-02-30')"), "null");
	CHECK_STR(val("decl.date > date('2026-01-01')"), "true");
	/* tables */
	CHECK_STR(val("find(decl.items, genus)"), "ERR:type");
	CHECK_STR(val("any(decl.items, find(item.description, genus) == 'Dalbergia')"), "true");
	CHECK_STR(val("find('dalbergiae', genus)"), "null");
	CHECK_STR(val("lookup(genus, 'Dalbergia').appendix"), "\"II\"");
	CHECK_STR(val("lookup(genus, '851712', 'pcs').genus"), "\"-\"");
	CHECK_STR(val("lookup(genus, 'Dalbergia').colour"), "ERR:unknown-field");
	CHECK_STR(val("lookup(genus, 'nope')"), "null");
	/* screening */
	CHECK_STR(val("screen('KESTREL DYNAMICS G.m.b.H.', denied) > 0.99"), "true");
	CHECK_STR(val("screen_match('Ivan Volkonsky', denied)"), "\"Volkonsky, Ivan\"");
	CHECK_STR(val("screen('Volkonskiy Iwan', denied) > 0.8"), "true");
	CHECK_STR(val("screen('Harbour Tools', denied)"), "0");
	/* choice and null handling */
	CHECK_STR(val("exists(decl.office)"), "false");
	CHECK_STR(val("default(decl.office, 'none')"), "\"none\"");
	CHECK_STR(val("if(decl.net_kg > decl.gross_kg, 'heavy', 'ok')"), "\"heavy\"");
	CHECK_STR(val("container_ok('CSQU3054383')"), "true");
	CHECK_STR(val("container_ok('CSQU 305438-3')"), "true");
	CHECK_STR(val("container_ok('CSQU3054384')"), "false");

	/* compile errors: code and column (scope col 10 + offset) */
	CHECK_STR(code("decl.origin ==", SC_T_BOOL), "syntax@24");
	CHECK_STR(code("decl.origin = 'x'", SC_T_BOOL), "syntax@22");
	CHECK_STR(code("decl.total_value", SC_T_BOOL), "type@10");
	CHECK_STR(code("frob(1)", SC_T_BOOL), "unknown-function@10");
	CHECK_STR(code("decl.origin in nope", SC_T_BOOL), "unknown-table@25");
	CHECK_STR(code("screen(decl.id, nope) > 1", SC_T_BOOL), "unknown-list@26");
	CHECK_STR(code("matches(decl.id, '(')", SC_T_BOOL), "bad-regex@29");
	CHECK_STR(code("matches(decl.id, decl.id)", SC_T_BOOL), "type@27");
	CHECK_STR(code("item.qty > 1", SC_T_BOOL), "unknown-field@10");
	CHECK_STR(code("decl.items.qty > 1", SC_T_BOOL), "type@21");
	CHECK_STR(code("any(decl.origin, true)", SC_T_BOOL), "type@14");
	CHECK_STR(code("'unterminated", SC_T_BOOL), "syntax@10");
	CHECK_STR(code("", SC_T_BOOL), "syntax@10");
	CHECK_STR(code("1 2", SC_T_BOOL), "syntax@12");
	CHECK_STR(code("genus", SC_T_ANY), "type@10");
	CHECK_STR(code("lower(1)", SC_T_ANY), "type@16");
	CHECK_STR(code("lower('a', 'b')", SC_T_ANY), "type@10");

	/* templates */
	{
		struct sc_template *t = sc_template_compile("{decl.id}: {{x}} {count(decl.items, item.qty > 5)} item; {decl.office}", &scope, &err);
		json_t *s;
		CHECK(t != NULL);
		sc_eval_begin(ev, decl);
		s = t ? sc_template_render(t, ev, &err) : NULL;
		CHECK_STR(json_string_value(s), "D-1: {x} 1 item; n/a");
		json_decref(s);
		sc_template_free(t);
		t = sc_template_compile("{222222222222222222222222222222222222222222222222212222222} {0.001} {2.5}", &scope, &err);
		sc_eval_begin(ev, decl);
		s = t ? sc_template_render(t, ev, &err) : NULL;
		CHECK_STR(json_string_value(s), "2.22222e+56 0.001 2.5");
		json_decref(s);
		sc_template_free(t);
		CHECK(sc_template_compile("a {decl.id", &scope, &err) == NULL);
		CHECK_STR(err.code, "bad-template");
		CHECK(sc_template_compile("a } b", &scope, &err) == NULL);
	}

	/* normalization and Jaro-Winkler */
	{
		char n[256];
		const char *m = "The Müller-Schwarz Trading Co., Ltd.";
		const char *c = "Иван Волконский";
		sc_risk_screen_normalize(m, strlen(m), n, sizeof n);
		CHECK_STR(n, "muller schwarz trading");
		sc_risk_screen_normalize(c, strlen(c), n, sizeof n);
		CHECK_STR(n, "ivan volkonskiy");
		CHECK(fabs(sc_jaro_winkler("MARTHA", 6, "MARHTA", 6) - 0.9611) < 0.001);
		CHECK(fabs(sc_jaro_winkler("DIXON", 5, "DICKSONX", 8) - 0.8133) < 0.001);
		CHECK(sc_jaro_winkler("", 0, "", 0) == 1);
	}

	/* nested quantifiers evaluate inner to outer */
	{
		struct sc_risk_expr *e = sc_risk_expr_compile("count(decl.items, any(decl.items, any(decl.items, true)))", &scope, SC_T_ANY, &err);
		double d;
		int isnull;
		CHECK(e != NULL);
		sc_eval_begin(ev, decl);
		CHECK(e && sc_risk_expr_number(e, ev, &d, &isnull, &err) == 0 && d == 2);
		sc_risk_expr_free(e);
	}

	/*
	 * the one-walk check (which also resolves the fields for the rules) counts
	 * and describes the values of the wrong type as the full check does, and
	 * the paths read the same values after it as without it
	 */
	{
		static const char *const recs[] = {
			"{}", "[]", "{\"origin\":7}", "{\"importer\":\"Acme\"}",
			"{\"importer\":{\"name\":[1]},\"items\":[{\"qty\":\"x\"},null,3,{\"hs\":1,\"qty\":2}]}",
			"{\"containers\":[\"A\",2,null],\"net_kg\":null,\"date\":20260302}",
			"{\"items\":[{\"hs\":\"44\",\"hs\":7}],\"unknown\":{\"x\":1}}",
		};
		static const char *const paths[] = {
			"decl.origin", "decl.importer.name", "count(decl.items, item.qty > 1)",
			"any(decl.items, item.hs2 == \"85\")", "decl.net_kg", "len(decl.containers)",
		};
		for (size_t i = 0; i < sizeof recs / sizeof recs[0] + 1; i++) {
			json_t *r = i < sizeof recs / sizeof recs[0] ? json_loads(recs[i], 0, NULL) : json_incref(decl);
			struct sc_error e1, e2;
			long n1, n2;
			CHECK(r != NULL);
			e1.msg[0] = e2.msg[0] = '\0';
			n1 = sc_risk_expr_check_decl(r, &e1);
			sc_eval_begin(ev, r);
			n2 = sc_risk_expr_check_record(ev, r, &e2);
			CHECK(n1 == n2);
			CHECK_STR(e1.msg, e2.msg);
			for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
				struct sc_risk_expr *x = sc_risk_expr_compile(paths[k], &scope, SC_T_ANY, &err);
				json_t *a, *b;
				CHECK(x != NULL);
				if (!x)
					continue;
				a = sc_risk_expr_value(x, ev, &err);     /* after the check's walk */
				sc_eval_begin(ev, r);
				b = sc_risk_expr_value(x, ev, &err);     /* looked up by name */
				CHECK(a && b && json_equal(a, b));
				json_decref(a);
				json_decref(b);
				sc_risk_expr_free(x);
				sc_eval_begin(ev, r);
				sc_risk_expr_check_record(ev, r, &e2);
			}
			json_decref(r);
		}
	}

	sc_eval_free(ev);
	json_decref(decl);
	sc_rtable_free(table);
	sc_risk_screen_free(list);
	return T_DONE("expr");
}
