/*
 * sc-risk.c - the frontend of sc-risk: a table of subcommands (check, test,
 * learn, eval) and, without one, the filter that adds `risk` to every `decl`
 * record by a rule pack. Options, usage, the loop and the exit status only.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "risk.h"
#include "sc-risk-learn.h"

#define SYNOPSIS \
	"usage: sc-risk [-r PACK] [-j N] [-L NAME=PATH] [--model FILE] [--explain] [FILE ...]\n" \
	"       sc-risk check [--format text|json|junit|github] [--strict] [-L NAME=PATH] [PACK ...]\n" \
	"       sc-risk test [--format text|junit] [--min-coverage N] [-L NAME=PATH] [PACK ...]\n" \
	"       sc-risk learn --label PATH [options] [FILE ...]\n" \
	"       sc-risk eval --label PATH [options] [FILE ...]\n"

static const char *prog = "sc-risk";

static void usage(FILE *fp)
{
	fputs(SYNOPSIS, fp);
}

/* ---- options shared by the pack-reading commands -------------------------- */

struct common {
	struct sc_pack_override ov[32];
	struct sc_pack_opts opts;
	char default_pack[4096];
};

static int add_override(struct common *c, char *arg)
{
	char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1] || c->opts.noverrides >= 32) {
		fprintf(stderr, "%s: -L takes NAME=PATH, not \"%s\"\n", prog, arg);
		return -1;
	}
	*eq = '\0';
	c->ov[c->opts.noverrides].name = arg;
	c->ov[c->opts.noverrides].path = eq + 1;
	c->opts.noverrides++;
	return 0;
}

static void common_init(struct common *c, const char *argv0)
{
	memset(c, 0, sizeof *c);
	c->opts.overrides = c->ov;
	c->opts.datadir = sc_datadir(argv0);
	snprintf(c->default_pack, sizeof c->default_pack, "%s/default", c->opts.datadir);
}

static void print_lint_text(FILE *fp, const struct sc_lint *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct sc_error *e = &l->e[i];
		fprintf(fp, "%s", e->file[0] ? e->file : "-");
		if (e->line)
			fprintf(fp, ":%d", e->line);
		if (e->line && e->col)
			fprintf(fp, ":%d", e->col);
		fprintf(fp, ": %s: %s: %s\n", l->severity[i] == SC_LINT_ERROR ? "error" : "warning",
		        e->code[0] ? e->code : "error", e->msg);
	}
}

/* Load a pack for the filter or test: problems to stderr; NULL on errors. */
static struct sc_pack *load_or_report(const char *path, struct common *c)
{
	struct sc_lint lint;
	struct sc_pack *p;

	sc_lint_init(&lint);
	p = sc_pack_load(path, &c->opts, &lint);
	for (size_t i = 0; i < lint.n; i++) {
		char buf[1200];
		sc_error_format(&lint.e[i], buf, sizeof buf);
		fprintf(stderr, "%s: %s: %s: %s\n", prog, buf,
		        lint.severity[i] == SC_LINT_ERROR ? "error" : "warning", lint.e[i].code);
	}
	if (!p)
		fprintf(stderr, "%s: %s: the rule pack has %d error%s (see sc-risk check)\n", prog, path,
		        lint.errors, lint.errors == 1 ? "" : "s");
	sc_lint_free(&lint);
	return p;
}

/* ---- check ---------------------------------------------------------------- */

static void xml(FILE *fp, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\n': fputs("&#10;", fp); break;
		default: putc(*s, fp);
		}
}

/* GitHub workflow commands: %, CR, LF escaped in the message, also , and : in properties */
static void gh(FILE *fp, const char *s, int prop)
{
	for (; *s; s++)
		if (*s == '%') fputs("%25", fp);
		else if (*s == '\r') fputs("%0D", fp);
		else if (*s == '\n') fputs("%0A", fp);
		else if (prop && *s == ':') fputs("%3A", fp);
		else if (prop && *s == ',') fputs("%2C", fp);
		else putc(*s, fp);
}

/* A write to standard output failed (a full disk, /dev/full): say so; 1 when it did. */
static int stdout_failed(const char *verb)
{
	int e;
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	e = errno;
	fprintf(stderr, "%s: %s: write error on standard output%s%s\n", prog, verb, e ? ": " : "",
	        e ? strerror(e) : "");
	return 1;
}

static int cmd_check(int argc, char **argv)
{
	static const struct option longs[] = {
		{"format", required_argument, NULL, 'f'}, {"strict", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct common c;
	const char *format = "text";
	int strict = 0, ch, errors = 0, warnings = 0;

	common_init(&c, argv[0]);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:L:h", longs, NULL)) != -1) {
		switch (ch) {
		case 'f': format = optarg; break;
		case 's': strict = 1; break;
		case 'L': if (add_override(&c, optarg) < 0) return 2; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "junit") && strcmp(format, "github")) {
		fprintf(stderr, "%s: check: unknown format \"%s\" (text, json, junit, github)\n", prog, format);
		return 2;
	}
	char *defaults[] = {c.default_pack};
	char **packs = optind < argc ? argv + optind : defaults;
	int npacks = optind < argc ? argc - optind : 1;

	if (!strcmp(format, "junit"))
		printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sc-risk check\">\n");
	for (int k = 0; k < npacks; k++) {
		struct sc_lint lint;
		struct sc_pack *p;
		sc_lint_init(&lint);
		p = sc_pack_load(packs[k], &c.opts, &lint);
		if (!strcmp(format, "text")) {
			print_lint_text(stdout, &lint);
		} else if (!strcmp(format, "json")) {
			for (size_t i = 0; i < lint.n; i++) {
				const struct sc_error *e = &lint.e[i];
				json_t *o = json_pack("{s:s,s:i,s:i,s:s,s:s,s:s}", "file", e->file, "line", e->line,
				                      "col", e->col, "severity", lint.severity[i] == SC_LINT_ERROR ? "error" : "warning",
				                      "code", e->code, "msg", e->msg);
				sc_write_record(stdout, o);
				json_decref(o);
			}
		} else if (!strcmp(format, "github")) {
			for (size_t i = 0; i < lint.n; i++) {
				const struct sc_error *e = &lint.e[i];
				printf("::%s file=", lint.severity[i] == SC_LINT_ERROR ? "error" : "warning");
				gh(stdout, e->file, 1);
				if (e->line)
					printf(",line=%d", e->line);
				if (e->col)
					printf(",col=%d", e->col);
				printf(",title=");
				gh(stdout, e->code, 1);
				printf("::");
				gh(stdout, e->msg, 0);
				putchar('\n');
			}
		} else {
			int fails = lint.errors + (strict ? lint.warnings : 0);
			printf("  <testsuite name=\"");
			xml(stdout, packs[k]);
			printf("\" tests=\"%zu\" failures=\"%d\">\n", lint.n ? lint.n : 1, fails);
			if (!lint.n)
				printf("    <testcase classname=\"sc-risk.check\" name=\"pack\"/>\n");
			for (size_t i = 0; i < lint.n; i++) {
				const struct sc_error *e = &lint.e[i];
				int fail = lint.severity[i] == SC_LINT_ERROR || strict;
				char place[400];
				snprintf(place, sizeof place, "%s:%d:%d", e->file, e->line, e->col);
				printf("    <testcase classname=\"sc-risk.check\" name=\"");
				xml(stdout, e->code);
				printf(" ");
				xml(stdout, place);
				printf("\"");
				if (fail) {
					printf(">\n      <failure type=\"");
					xml(stdout, e->code);
					printf("\" message=\"");
					xml(stdout, e->msg);
					printf("\">");
					xml(stdout, place);
					printf(": ");
					xml(stdout, e->msg);
					printf("</failure>\n    </testcase>\n");
				} else {
					printf(">\n      <system-out>warning: ");
					xml(stdout, e->msg);
					printf("</system-out>\n    </testcase>\n");
				}
			}
			printf("  </testsuite>\n");
		}
		fprintf(stderr, "%s: check: %s: %s%s%d error%s, %d warning%s\n", prog, packs[k],
		        p ? sc_pack_label(p) : "", p ? ": " : "", lint.errors, lint.errors == 1 ? "" : "s", lint.warnings,
		        lint.warnings == 1 ? "" : "s");
		if (p)
			fprintf(stderr, "%s: check: %s: %zu rule%s\n", prog, sc_pack_label(p), sc_pack_rules(p),
			        sc_pack_rules(p) == 1 ? "" : "s");
		errors += lint.errors;
		warnings += lint.warnings;
		sc_pack_free(p);
		sc_lint_free(&lint);
	}
	if (!strcmp(format, "junit"))
		printf("</testsuites>\n");
	if (stdout_failed("check"))
		return 2;
	return errors || (strict && warnings) ? 1 : 0;
}

/* ---- test ----------------------------------------------------------------- */

static int cmd_test(int argc, char **argv)
{
	static const struct option longs[] = {
		{"format", required_argument, NULL, 'f'}, {"min-coverage", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct common c;
	const char *format = "text";
	double min_cov = -1;
	int ch, status = 0;

	common_init(&c, argv[0]);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:m:L:h", longs, NULL)) != -1) {
		switch (ch) {
		case 'f': format = optarg; break;
		case 'm': {
			char *end;
			min_cov = strtod(optarg, &end);
			if (*end || min_cov < 0 || min_cov > 100) {
				fprintf(stderr, "%s: test: --min-coverage takes a percentage from 0 to 100\n", prog);
				return 2;
			}
			break;
		}
		case 'L': if (add_override(&c, optarg) < 0) return 2; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (strcmp(format, "text") && strcmp(format, "junit")) {
		fprintf(stderr, "%s: test: unknown format \"%s\" (text, junit)\n", prog, format);
		return 2;
	}
	char *defaults[] = {c.default_pack};
	char **packs = optind < argc ? argv + optind : defaults;
	int npacks = optind < argc ? argc - optind : 1;
	struct sc_eval *ev = sc_eval_new();

	if (!ev)
		return 2;
	if (!strcmp(format, "junit"))
		printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sc-risk test\">\n");
	for (int k = 0; k < npacks; k++) {
		struct sc_pack *p = load_or_report(packs[k], &c);
		json_t *res, *v;
		size_t i;
		if (!p) {
			status = 2;
			continue;
		}
		res = sc_pack_test(p, ev);
		int failed = (int)json_integer_value(json_object_get(res, "failed"));
		int passed = (int)json_integer_value(json_object_get(res, "passed"));
		double cov = json_number_value(json_object_get(res, "coverage"));
		json_t *unc = json_object_get(res, "uncovered");
		int cov_fail = min_cov >= 0 && cov < min_cov;
		if (!strcmp(format, "text")) {
			json_array_foreach(json_object_get(res, "cases"), i, v) {
				int ok = json_is_true(json_object_get(v, "ok"));
				printf("%s %s (%s:%d)", ok ? "ok  " : "FAIL", json_string_value(json_object_get(v, "name")),
				       json_string_value(json_object_get(v, "file")),
				       (int)json_integer_value(json_object_get(v, "line")));
				if (!ok) {
					size_t j;
					json_t *f;
					json_array_foreach(json_object_get(v, "failures"), j, f)
						printf("%s%s", j ? "; " : ": ", json_string_value(f));
				}
				putchar('\n');
			}
			printf("%-16s %4s %4s %4s %4s\n", "rule", "tp", "fp", "fn", "tn");
			json_array_foreach(json_object_get(res, "rules"), i, v)
				printf("%-16s %4lld %4lld %4lld %4lld%s\n", json_string_value(json_object_get(v, "id")),
				       json_integer_value(json_object_get(v, "tp")), json_integer_value(json_object_get(v, "fp")),
				       json_integer_value(json_object_get(v, "fn")), json_integer_value(json_object_get(v, "tn")),
				       json_is_true(json_object_get(v, "covered")) ? "" : "  (no case)");
			printf("coverage: %g%% of %zu rules", cov, sc_pack_rules(p));
			if (json_array_size(unc)) {
				printf("; no case hits:");
				json_array_foreach(unc, i, v)
					printf(" %s", json_string_value(v));
			}
			putchar('\n');
			printf("%s: %d passed, %d failed\n", sc_pack_label(p), passed, failed);
		} else {
			printf("  <testsuite name=\"");
			xml(stdout, sc_pack_label(p));
			printf("\" tests=\"%d\" failures=\"%d\">\n", passed + failed + (min_cov >= 0), failed + cov_fail);
			printf("    <properties><property name=\"coverage\" value=\"%g\"/></properties>\n", cov);
			json_array_foreach(json_object_get(res, "cases"), i, v) {
				char place[400];
				snprintf(place, sizeof place, "%s:%d", json_string_value(json_object_get(v, "file")),
				         (int)json_integer_value(json_object_get(v, "line")));
				printf("    <testcase classname=\"");
				xml(stdout, sc_pack_label(p));
				printf("\" name=\"");
				xml(stdout, json_string_value(json_object_get(v, "name")));
				printf("\" file=\"");
				xml(stdout, json_string_value(json_object_get(v, "file")));
				printf("\" line=\"%d\"", (int)json_integer_value(json_object_get(v, "line")));
				if (json_is_true(json_object_get(v, "ok"))) {
					printf("/>\n");
					continue;
				}
				printf(">\n      <failure message=\"");
				size_t j;
				json_t *f;
				json_array_foreach(json_object_get(v, "failures"), j, f) {
					if (j)
						printf("; ");
					xml(stdout, json_string_value(f));
				}
				printf("\">");
				xml(stdout, place);
				printf("</failure>\n    </testcase>\n");
			}
			if (min_cov >= 0) {
				printf("    <testcase classname=\"");
				xml(stdout, sc_pack_label(p));
				printf("\" name=\"coverage\"");
				if (cov_fail)
					printf(">\n      <failure message=\"coverage %g%% is below %g%%\"/>\n    </testcase>\n", cov, min_cov);
				else
					printf("/>\n");
			}
			printf("  </testsuite>\n");
		}
		if (cov_fail)
			fprintf(stderr, "%s: test: %s: coverage %g%% is below %g%%\n", prog, sc_pack_label(p), cov, min_cov);
		if ((failed || cov_fail) && status == 0)
			status = 1;
		json_decref(res);
		sc_pack_free(p);
	}
	if (!strcmp(format, "junit"))
		printf("</testsuites>\n");
	sc_eval_free(ev);
	if (stdout_failed("test"))
		return 2;
	return status;
}

/* ---- the filter ----------------------------------------------------------- */

static const char *decl_id(const json_t *rec, const json_t *decl)
{
	const char *id = json_string_value(json_object_get(decl, "id"));
	return id ? id : json_string_value(json_object_get(rec, "id"));
}

static void *thread_init(void *ctx)
{
	(void)ctx;
	return sc_eval_new();
}

static void thread_free(void *state)
{
	sc_eval_free(state);
}

static int enrich(void *ctx, void *state, json_t *rec, const char **text, size_t *len,
                  struct sc_error *err)
{
	const struct sc_pack *p = ctx;
	json_t *decl = json_object_get(rec, "decl"), *problems = NULL, *pr;
	size_t i;

	if (!state)
		return sc_error_set(err, NULL, 0, 0, "oom", "out of memory");
	if (!json_is_object(decl))
		return sc_error_set(err, NULL, 0, 0, "bad-decl", "\"decl\" is not an object");
	if (sc_pack_score_text(p, state, rec, decl, decl_id(rec, decl), text, len, &problems) < 0)
		return sc_error_set(err, NULL, 0, 0, "oom", "out of memory");
	json_array_foreach(problems, i, pr) {
		struct sc_error e;
		sc_error_set(&e, NULL, 0, 0, json_string_value(json_object_get(pr, "code")), "%s",
		             json_string_value(json_object_get(pr, "msg")));
		sc_record_add_error(rec, "sc-risk", &e);
	}
	json_decref(problems);
	return 0;
}

static void explain_one(FILE *fp, const json_t *rec, const json_t *ex, const json_t *risk)
{
	size_t i;
	json_t *e;
	const char *id = decl_id(rec, json_object_get(rec, "decl"));

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
}

/* --explain: one record after another, in this thread, a readable account on stdout */
static int run_explain(const struct sc_pack *p, struct sc_diag *d, int nfiles, char **files)
{
	char *std_in[] = {"-"};
	struct sc_eval *ev = sc_eval_new();

	if (!ev)
		return -1;
	if (nfiles == 0) {
		nfiles = 1;
		files = std_in;
	}
	for (int f = 0; f < nfiles; f++) {
		struct sc_error err;
		struct sc_reader *r = sc_reader_open(files[f], 0, &err);
		json_t *rec;
		int st;
		if (!r) {
			sc_diag_error(d, &err);
			continue;
		}
		while ((st = sc_reader_next(r, &rec, &err)) != 0) {
			if (st == -2) {
				sc_diag_error(d, &err);
				break;
			}
			d->records++;
			if (st < 0) {
				sc_diag_error(d, &err);
				d->bad++;
				continue;
			}
			json_t *decl = json_object_get(rec, "decl"), *risk = NULL, *problems = NULL, *ex = json_array();
			if (!json_is_object(decl)) {
				fprintf(stdout, "%s:%lu: no decl object: nothing to score\n", sc_reader_name(r), sc_reader_lineno(r));
			} else {
				sc_pack_score(p, ev, rec, decl, decl_id(rec, decl), &risk, &problems, ex);
				explain_one(stdout, rec, ex, risk);
			}
			json_decref(risk);
			json_decref(problems);
			json_decref(ex);
			json_decref(rec);
		}
		sc_reader_free(r);
	}
	sc_eval_free(ev);
	return fflush(stdout) == 0 ? 0 : -1;
}

static int cmd_filter(int argc, char **argv)
{
	static const struct option longs[] = {
		{"rules", required_argument, NULL, 'r'}, {"jobs", required_argument, NULL, 'j'},
		{"list", required_argument, NULL, 'L'}, {"model", required_argument, NULL, 'm'},
		{"explain", no_argument, NULL, 'x'}, {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	struct common c;
	struct sc_diag d;
	struct sc_filter f;
	struct sc_pack *p;
	const char *pack = NULL;
	int ch, jobs = 1, explain = 0;

	common_init(&c, argv[0]);
	sc_diag_init(&d, prog);
	while ((ch = getopt_long(argc, argv, "r:j:L:h", longs, NULL)) != -1) {
		switch (ch) {
		case 'r': pack = optarg; break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 64) {
				fprintf(stderr, "%s: -j takes a number of workers from 1 to 64\n", prog);
				return 2;
			}
			jobs = (int)n;
			break;
		}
		case 'L': if (add_override(&c, optarg) < 0) return 2; break;
		case 'm': c.opts.model = optarg; break;
		case 'x': explain = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sc-risk %s\n", SC_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!(p = load_or_report(pack ? pack : c.default_pack, &c)))
		return 2;
	if (explain) {
		if (run_explain(p, &d, argc - optind, argv + optind) < 0)
			sc_diag_fatalf(&d, "write error on standard output");
		sc_pack_free(p);
		return sc_diag_finish(&d, "records");
	}
	memset(&f, 0, sizeof f);
	f.tool = prog;
	f.ns = "risk";
	f.needs = "decl";
	f.enrich_text = enrich;
	f.ctx = p;
	f.thread_init = thread_init;
	f.thread_free = thread_free;
	f.jobs = jobs;
	f.diag = &d;
	f.progress = 1;
	sc_filter_run(&f, argc - optind, argv + optind);
	sc_pack_free(p);
	return sc_diag_finish(&d, "records");
}

/* ---- dispatch ------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*main)(int, char **);
} commands[] = {
	{"check", cmd_check},
	{"test", cmd_test},
	{"learn", risk_learn_main},
	{"eval", risk_eval_main},
};

int main(int argc, char **argv)
{
	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	if (argc >= 2)
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				return commands[i].main(argc - 1, argv + 1);
	return cmd_filter(argc, argv);
}
