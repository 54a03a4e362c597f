/*
 * ci.c - rule-pack findings and test results for people and for CI (text,
 * JSON lines, JUnit XML, GitHub workflow commands); see ci.h.
 */
#include <string.h>

#include "ci.h"

int sc_ci_format_parse(const char *s, enum sc_ci_format *fmt)
{
	static const char *const names[] = { "text", "json", "junit", "github" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*fmt = (enum sc_ci_format)i;
			return 0;
		}
	return -1;
}

void sc_ci_xml(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\n': fputs("&#10;", f); break;
		default: putc(*s, f);
		}
}

void sc_ci_github(FILE *f, const char *s, int prop)
{
	for (; *s; s++)
		if (*s == '%') fputs("%25", f);
		else if (*s == '\r') fputs("%0D", f);
		else if (*s == '\n') fputs("%0A", f);
		else if (prop && *s == ':') fputs("%3A", f);
		else if (prop && *s == ',') fputs("%2C", f);
		else putc(*s, f);
}

int sc_ci_junit_open(FILE *f, const char *name)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", f);
	sc_ci_xml(f, name);
	fputs("\">\n", f);
	return ferror(f) ? -1 : 0;
}

int sc_ci_junit_close(FILE *f)
{
	fputs("</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}

static const char *severity(const struct sc_lint *l, size_t i)
{
	return l->severity[i] == SC_LINT_ERROR ? "error" : "warning";
}

static void lint_text(FILE *f, const struct sc_lint *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct sc_error *e = &l->e[i];
		fprintf(f, "%s", e->file[0] ? e->file : "-");
		if (e->line)
			fprintf(f, ":%d", e->line);
		if (e->line && e->col)
			fprintf(f, ":%d", e->col);
		fprintf(f, ": %s: %s: %s\n", severity(l, i), e->code[0] ? e->code : "error", e->msg);
	}
}

static void lint_json(FILE *f, const struct sc_lint *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct sc_error *e = &l->e[i];
		json_t *o = json_pack("{s:s,s:i,s:i,s:s,s:s,s:s}", "file", e->file, "line", e->line,
		                      "col", e->col, "severity", severity(l, i), "code", e->code,
		                      "msg", e->msg);
		if (o)
			sc_write_record(f, o);
		json_decref(o);
	}
}

static void lint_github(FILE *f, const struct sc_lint *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct sc_error *e = &l->e[i];
		fprintf(f, "::%s file=", severity(l, i));
		sc_ci_github(f, e->file, 1);
		if (e->line)
			fprintf(f, ",line=%d", e->line);
		if (e->col)
			fprintf(f, ",col=%d", e->col);
		fputs(",title=", f);
		sc_ci_github(f, e->code, 1);
		fputs("::", f);
		sc_ci_github(f, e->msg, 0);
		putc('\n', f);
	}
}

static void lint_junit(FILE *f, const char *pack, const struct sc_lint *l, int strict)
{
	int fails = l->errors + (strict ? l->warnings : 0);

	fputs("  <testsuite name=\"", f);
	sc_ci_xml(f, pack);
	fprintf(f, "\" tests=\"%zu\" failures=\"%d\">\n", l->n ? l->n : 1, fails);
	if (!l->n)
		fputs("    <testcase classname=\"sc-risk.check\" name=\"pack\"/>\n", f);
	for (size_t i = 0; i < l->n; i++) {
		const struct sc_error *e = &l->e[i];
		int fail = l->severity[i] == SC_LINT_ERROR || strict;
		char place[400];
		snprintf(place, sizeof place, "%s:%d:%d", e->file, e->line, e->col);
		fputs("    <testcase classname=\"sc-risk.check\" name=\"", f);
		sc_ci_xml(f, e->code);
		putc(' ', f);
		sc_ci_xml(f, place);
		putc('"', f);
		if (fail) {
			fputs(">\n      <failure type=\"", f);
			sc_ci_xml(f, e->code);
			fputs("\" message=\"", f);
			sc_ci_xml(f, e->msg);
			fputs("\">", f);
			sc_ci_xml(f, place);
			fputs(": ", f);
			sc_ci_xml(f, e->msg);
			fputs("</failure>\n    </testcase>\n", f);
		} else {
			fputs(">\n      <system-out>warning: ", f);
			sc_ci_xml(f, e->msg);
			fputs("</system-out>\n    </testcase>\n", f);
		}
	}
	fputs("  </testsuite>\n", f);
}

int sc_ci_lint(FILE *f, enum sc_ci_format fmt, const char *pack, const struct sc_lint *l,
               int strict)
{
	switch (fmt) {
	case SC_CI_TEXT: lint_text(f, l); break;
	case SC_CI_JSON: lint_json(f, l); break;
	case SC_CI_GITHUB: lint_github(f, l); break;
	case SC_CI_JUNIT: lint_junit(f, pack, l, strict); break;
	}
	return ferror(f) ? -1 : 0;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long num(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void test_text(FILE *f, const char *label, size_t nrules, const json_t *res)
{
	const json_t *unc = json_object_get(res, "uncovered"), *v, *fl;
	size_t i, j;

	json_array_foreach(json_object_get(res, "cases"), i, v) {
		int ok = json_is_true(json_object_get(v, "ok"));
		fprintf(f, "%s %s (%s:%d)", ok ? "ok  " : "FAIL", str(v, "name"), str(v, "file"),
		        (int)num(v, "line"));
		if (!ok)
			json_array_foreach(json_object_get(v, "failures"), j, fl)
				fprintf(f, "%s%s", j ? "; " : ": ", json_string_value(fl));
		putc('\n', f);
	}
	fprintf(f, "%-16s %4s %4s %4s %4s\n", "rule", "tp", "fp", "fn", "tn");
	json_array_foreach(json_object_get(res, "rules"), i, v)
		fprintf(f, "%-16s %4lld %4lld %4lld %4lld%s\n", str(v, "id"), num(v, "tp"),
		        num(v, "fp"), num(v, "fn"), num(v, "tn"),
		        json_is_true(json_object_get(v, "covered")) ? "" : "  (no case)");
	fprintf(f, "coverage: %g%% of %zu rules",
	        json_number_value(json_object_get(res, "coverage")), nrules);
	if (json_array_size(unc)) {
		fputs("; no case hits:", f);
		json_array_foreach(unc, i, v)
			fprintf(f, " %s", json_string_value(v));
	}
	putc('\n', f);
	fprintf(f, "%s: %d passed, %d failed\n", label, (int)num(res, "passed"),
	        (int)num(res, "failed"));
}

static void test_junit(FILE *f, const char *label, const json_t *res, double min_cov)
{
	int failed = (int)num(res, "failed"), passed = (int)num(res, "passed");
	double cov = json_number_value(json_object_get(res, "coverage"));
	int cov_fail = min_cov >= 0 && cov < min_cov;
	const json_t *v, *fl;
	size_t i, j;

	fputs("  <testsuite name=\"", f);
	sc_ci_xml(f, label);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\">\n", passed + failed + (min_cov >= 0),
	        failed + cov_fail);
	fprintf(f, "    <properties><property name=\"coverage\" value=\"%g\"/></properties>\n", cov);
	json_array_foreach(json_object_get(res, "cases"), i, v) {
		char place[400];
		snprintf(place, sizeof place, "%s:%d", str(v, "file"), (int)num(v, "line"));
		fputs("    <testcase classname=\"", f);
		sc_ci_xml(f, label);
		fputs("\" name=\"", f);
		sc_ci_xml(f, str(v, "name"));
		fputs("\" file=\"", f);
		sc_ci_xml(f, str(v, "file"));
		fprintf(f, "\" line=\"%d\"", (int)num(v, "line"));
		if (json_is_true(json_object_get(v, "ok"))) {
			fputs("/>\n", f);
			continue;
		}
		fputs(">\n      <failure message=\"", f);
		json_array_foreach(json_object_get(v, "failures"), j, fl) {
			if (j)
				fputs("; ", f);
			sc_ci_xml(f, json_string_value(fl));
		}
		fputs("\">", f);
		sc_ci_xml(f, place);
		fputs("</failure>\n    </testcase>\n", f);
	}
	if (min_cov >= 0) {
		fputs("    <testcase classname=\"", f);
		sc_ci_xml(f, label);
		fputs("\" name=\"coverage\"", f);
		if (cov_fail)
			fprintf(f, ">\n      <failure message=\"coverage %g%% is below %g%%\"/>\n"
			        "    </testcase>\n", cov, min_cov);
		else
			fputs("/>\n", f);
	}
	fputs("  </testsuite>\n", f);
}

int sc_ci_test(FILE *f, enum sc_ci_format fmt, const char *label, size_t nrules,
               const json_t *res, double min_cov)
{
	if (fmt == SC_CI_JUNIT)
		test_junit(f, label, res, min_cov);
	else
		test_text(f, label, nrules, res);
	return ferror(f) ? -1 : 0;
}

int sc_ci_explain(FILE *fp, const char *id, const json_t *ex, const json_t *risk)
{
	size_t i;
	json_t *e;

	fprintf(fp, "%s: pack %s\n", id ? id : "(no id)", json_string_value(json_object_get(risk, "pack")));
	json_array_foreach(ex, i, e) {
		const char *rule = json_string_value(json_object_get(e, "rule"));
		const char *result = json_string_value(json_object_get(e, "result"));
		if (!strcmp(rule, "random")) {
			fprintf(fp, "  random selection for %s: rate %g, draw %.4f: %s\n",
			        json_string_value(json_object_get(e, "lane")), json_number_value(json_object_get(e, "rate")),
			        json_number_value(json_object_get(e, "draw")),
			        json_is_true(json_object_get(e, "selected")) ? "selected" : "not selected");
		} else if (!strcmp(rule, "model")) {
			fprintf(fp, "  model score %.4f: lane %s\n", json_number_value(json_object_get(e, "score")),
			        json_string_value(json_object_get(e, "lane")));
		} else if (!strcmp(rule, "unscored")) {
			fprintf(fp, "  not fully scored: at least lane %s\n", json_string_value(json_object_get(e, "lane")));
		} else if (!strcmp(rule, "lane")) {
			const char *k;
			json_t *t;
			fprintf(fp, "  score %g; thresholds:", json_number_value(json_object_get(e, "score")));
			json_object_foreach(json_object_get(e, "thresholds"), k, t)
				fprintf(fp, " %s %g", k, json_number_value(t));
			fprintf(fp, "; forced lane: %s\n", json_string_value(json_object_get(e, "forced")));
			fprintf(fp, "  channel: %s%s\n", json_string_value(json_object_get(e, "channel")),
			        json_is_true(json_object_get(e, "random")) ? " (random selection)" : "");
		} else if (!strcmp(result, "error")) {
			fprintf(fp, "  %-16s error: %s\n", rule, json_string_value(json_object_get(e, "msg")));
		} else if (!strcmp(result, "hit")) {
			size_t k;
			json_t *h;
			const char *why = "";
			json_array_foreach(json_object_get(risk, "hits"), k, h)
				if (!strcmp(json_string_value(json_object_get(h, "id")), rule))
					why = json_string_value(json_object_get(h, "why"));
			fprintf(fp, "  %-16s hit %+6g  total %-6g %s\n", rule, json_number_value(json_object_get(e, "score")),
			        json_number_value(json_object_get(e, "total")), why);
		} else {
			fprintf(fp, "  %-16s no\n", rule);
		}
	}
	return ferror(fp) ? -1 : 0;
}
