/*
 * test_ci.c - unit tests for the CI forms of sc-risk check and test: XML and
 * GitHub escaping, a JUnit suite per pack, annotations with their place.
 */
#include <stdlib.h>
#include <string.h>

#include "ci.h"
#include "t.h"

static char *emit_lint(enum sc_ci_format fmt, const struct sc_lint *l, int strict)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(sc_ci_lint(f, fmt, "pk<1>", l, strict) == 0);
	fclose(f);
	return buf;
}

static void test_lint(void)
{
	struct sc_lint l;
	struct sc_error e;
	enum sc_ci_format fmt;
	char *out;

	sc_lint_init(&l);
	sc_error_set(&e, "p/a.yaml", 3, 7, "unknown-field", "unknown field \"x\", \"y\"\nnext");
	sc_lint_add(&l, SC_LINT_ERROR, &e);
	sc_error_set(&e, "p/b.yaml", 0, 0, "unused", "100%% unused: a");
	sc_lint_add(&l, SC_LINT_WARNING, &e);

	out = emit_lint(SC_CI_TEXT, &l, 0);
	CHECK_STR(out, "p/a.yaml:3:7: error: unknown-field: unknown field \"x\", \"y\"\nnext\n"
	               "p/b.yaml: warning: unused: 100% unused: a\n");
	free(out);
	out = emit_lint(SC_CI_GITHUB, &l, 0);
	CHECK_STR(out, "::error file=p/a.yaml,line=3,col=7,title=unknown-field::unknown field \"x\", \"y\"%0Anext\n"
	               "::warning file=p/b.yaml,title=unused::100%25 unused: a\n");
	free(out);
	out = emit_lint(SC_CI_JUNIT, &l, 0);
	CHECK(strstr(out, "<testsuite name=\"pk&lt;1&gt;\" tests=\"2\" failures=\"1\">") != NULL);
	CHECK(strstr(out, "message=\"unknown field &quot;x&quot;, &quot;y&quot;&#10;next\"") != NULL);
	CHECK(strstr(out, "<system-out>warning: 100% unused: a</system-out>") != NULL);
	free(out);
	out = emit_lint(SC_CI_JUNIT, &l, 1);   /* strict: warnings fail too */
	CHECK(strstr(out, "failures=\"2\"") != NULL && strstr(out, "system-out") == NULL);
	free(out);
	out = emit_lint(SC_CI_JSON, &l, 0);
	CHECK(strstr(out, "{\"file\":\"p/a.yaml\",\"line\":3,\"col\":7,\"severity\":\"error\"") == out);
	free(out);
	sc_lint_free(&l);

	CHECK(sc_ci_format_parse("github", &fmt) == 0 && fmt == SC_CI_GITHUB);
	CHECK(sc_ci_format_parse("yaml", &fmt) < 0);
}

static void test_test_result(void)
{
	json_t *res = json_loads("{\"passed\":1,\"failed\":1,\"coverage\":50,\"uncovered\":[\"B\"],"
	                         "\"cases\":[{\"name\":\"ok one\",\"file\":\"t.yaml\",\"line\":2,\"ok\":true},"
	                         "{\"name\":\"bad <one>\",\"file\":\"t.yaml\",\"line\":9,\"ok\":false,"
	                         "\"failures\":[\"lane red, expected green\",\"no hit A\"]}],"
	                         "\"rules\":[{\"id\":\"A\",\"tp\":1,\"fp\":0,\"fn\":1,\"tn\":0,\"covered\":true},"
	                         "{\"id\":\"B\",\"tp\":0,\"fp\":0,\"fn\":0,\"tn\":2,\"covered\":false}]}", 0, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(sc_ci_test(f, SC_CI_TEXT, "pk 1.0", 2, res, -1) == 0);
	fclose(f);
	CHECK(strstr(buf, "FAIL bad <one> (t.yaml:9): lane red, expected green; no hit A\n") != NULL);
	CHECK(strstr(buf, "B                   0    0    0    2  (no case)\n") != NULL);
	CHECK(strstr(buf, "coverage: 50% of 2 rules; no case hits: B\npk 1.0: 1 passed, 1 failed\n") != NULL);
	free(buf);
	f = open_memstream(&buf, &len);
	sc_ci_junit_open(f, "sc-risk test");
	sc_ci_test(f, SC_CI_JUNIT, "pk 1.0", 2, res, 60);
	sc_ci_junit_close(f);
	fclose(f);
	CHECK(strstr(buf, "<testsuites name=\"sc-risk test\">") != NULL);
	CHECK(strstr(buf, "tests=\"3\" failures=\"2\"") != NULL);   /* the coverage case fails */
	CHECK(strstr(buf, "name=\"bad &lt;one&gt;\" file=\"t.yaml\" line=\"9\"") != NULL);
	CHECK(strstr(buf, "coverage 50% is below 60%") != NULL);
	CHECK(len > 14 && strcmp(buf + len - 14, "</testsuites>\n") == 0);
	free(buf);
	json_decref(res);
}

int main(void)
{
	test_lint();
	test_test_result();
	return T_DONE("ci");
}
