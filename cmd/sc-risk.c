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

#include "ci.h"
#include "errcode.h"
#include "filter.h"
#include "input.h"
#include "risk.h"
#include "sc-risk-learn.h"

#define SYNOPSIS \
	"usage: sc-risk [-r PACK] [-j N] [-L NAME=PATH] [--model FILE] [--explain] [FILE ...]\n" \
	"       sc-risk check [--format text|json|junit|github] [--strict] [-L NAME=PATH] [PACK ...]\n" \
	"       sc-risk test [--format text|junit] [--min-coverage N] [-L NAME=PATH] [PACK ...]\n" \
	"       sc-risk learn --label PATH [options] [FILE ...]\n" \
	"       sc-risk eval --label PATH [options] [FILE ...]\n"

static void usage(FILE *fp)
{
	fputs(SYNOPSIS, fp);
}

/* ---- options shared by the pack-reading commands -------------------------- */

struct common {
	struct sc_pack_override ov[32];
	struct sc_pack_opts opts;
	char default_pack[4096];
	struct sc_diag d;          /* named "sc-risk" or "sc-risk SUBCOMMAND" */
};

static int add_override(struct common *c, char *arg)
{
	char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1] || c->opts.noverrides >= 32) {
		sc_diag_fatalf(&c->d, "-L takes NAME=PATH, not \"%s\"", arg);
		return -1;
	}
	*eq = '\0';
	c->ov[c->opts.noverrides].name = arg;
	c->ov[c->opts.noverrides].path = eq + 1;
	c->opts.noverrides++;
	return 0;
}

static void common_init(struct common *c, const char *argv0, const char *prog)
{
	memset(c, 0, sizeof *c);
	sc_diag_init(&c->d, prog);
	c->opts.overrides = c->ov;
	c->opts.datadir = sc_datadir(argv0);
	snprintf(c->default_pack, sizeof c->default_pack, "%s/default", c->opts.datadir);
}

/* Load a pack for the filter or test: its problems reported; NULL on errors. */
static struct sc_pack *load_or_report(const char *path, struct common *c)
{
	struct sc_lint lint;
	struct sc_pack *p;

	sc_lint_init(&lint);
	p = sc_pack_load(path, &c->opts, &lint);
	for (size_t i = 0; i < lint.n; i++) {
		char buf[1200];
		sc_error_format(&lint.e[i], buf, sizeof buf);
		sc_diag_notef(&c->d, "%s: %s: %s", buf,
		              lint.severity[i] == SC_LINT_ERROR ? "error" : "warning", lint.e[i].code);
	}
	if (!p)
		sc_diag_fatalf(&c->d, "%s: the rule pack has %d error%s (see sc-risk check)", path,
		               lint.errors, lint.errors == 1 ? "" : "s");
	sc_lint_free(&lint);
	return p;
}

/* The packs named after the options, or the default one. */
static char **packs_of(struct common *c, int argc, char **argv, int *npacks, char **dflt)
{
	*dflt = c->default_pack;
	*npacks = optind < argc ? argc - optind : 1;
	return optind < argc ? argv + optind : dflt;
}

/* ---- check ---------------------------------------------------------------- */

static int cmd_check(int argc, char **argv)
{
	static const struct option longs[] = {
		{"format", required_argument, NULL, 'f'}, {"strict", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct common c;
	enum sc_ci_format fmt = SC_CI_TEXT;
	int strict = 0, ch, errors = 0, warnings = 0, npacks;
	char **packs, *dflt;

	common_init(&c, argv[0], "sc-risk check");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:L:h", longs, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (sc_ci_format_parse(optarg, &fmt) < 0) {
				sc_diag_fatalf(&c.d, "unknown format \"%s\" (text, json, junit, github)", optarg);
				return 2;
			}
			break;
		case 's': strict = 1; break;
		case 'L': if (add_override(&c, optarg) < 0) return 2; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	packs = packs_of(&c, argc, argv, &npacks, &dflt);
	if (fmt == SC_CI_JUNIT)
		sc_ci_junit_open(stdout, "sc-risk check");
	for (int k = 0; k < npacks; k++) {
		struct sc_lint lint;
		struct sc_pack *p;
		sc_lint_init(&lint);
		p = sc_pack_load(packs[k], &c.opts, &lint);
		sc_ci_lint(stdout, fmt, packs[k], &lint, strict);
		sc_diag_notef(&c.d, "%s: %s%s%d error%s, %d warning%s", packs[k], p ? sc_pack_label(p) : "",
		              p ? ": " : "", lint.errors, lint.errors == 1 ? "" : "s", lint.warnings,
		              lint.warnings == 1 ? "" : "s");
		if (p)
			sc_diag_notef(&c.d, "%s: %zu rule%s", sc_pack_label(p), sc_pack_rules(p),
			              sc_pack_rules(p) == 1 ? "" : "s");
		errors += lint.errors;
		warnings += lint.warnings;
		sc_pack_free(p);
		sc_lint_free(&lint);
	}
	if (fmt == SC_CI_JUNIT)
		sc_ci_junit_close(stdout);
	if (sc_diag_flush(&c.d, stdout, "standard output") < 0)
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
	enum sc_ci_format fmt = SC_CI_TEXT;
	double min_cov = -1;
	int ch, status = 0, npacks;
	char **packs, *dflt;
	struct sc_eval *ev;

	common_init(&c, argv[0], "sc-risk test");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:m:L:h", longs, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (sc_ci_format_parse(optarg, &fmt) < 0 || (fmt != SC_CI_TEXT && fmt != SC_CI_JUNIT)) {
				sc_diag_fatalf(&c.d, "unknown format \"%s\" (text, junit)", optarg);
				return 2;
			}
			break;
		case 'm':
			if (sc_parse_double(optarg, 0, 100, &min_cov) < 0) {
				sc_diag_fatalf(&c.d, "--min-coverage takes a percentage from 0 to 100");
				return 2;
			}
			break;
		case 'L': if (add_override(&c, optarg) < 0) return 2; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	packs = packs_of(&c, argc, argv, &npacks, &dflt);
	if (!(ev = sc_eval_new())) {
		sc_diag_fatalf(&c.d, "out of memory");
		return 2;
	}
	if (fmt == SC_CI_JUNIT)
		sc_ci_junit_open(stdout, "sc-risk test");
	for (int k = 0; k < npacks; k++) {
		struct sc_pack *p = load_or_report(packs[k], &c);
		json_t *res;
		double cov;
		if (!p) {
			status = 2;
			continue;
		}
		res = sc_pack_test(p, ev);
		cov = json_number_value(json_object_get(res, "coverage"));
		sc_ci_test(stdout, fmt, sc_pack_label(p), sc_pack_rules(p), res, min_cov);
		if (min_cov >= 0 && cov < min_cov) {
			sc_diag_notef(&c.d, "%s: coverage %g%% is below %g%%", sc_pack_label(p), cov, min_cov);
			status = status ? status : 1;
		}
		if (json_integer_value(json_object_get(res, "failed")) && status == 0)
			status = 1;
		json_decref(res);
		sc_pack_free(p);
	}
	if (fmt == SC_CI_JUNIT)
		sc_ci_junit_close(stdout);
	sc_eval_free(ev);
	if (sc_diag_flush(&c.d, stdout, "standard output") < 0)
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
		return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	if (!json_is_object(decl))
		return sc_error_set(err, NULL, 0, 0, "bad-decl", "\"decl\" is not an object");
	if (sc_pack_score_text(p, state, rec, decl, decl_id(rec, decl), text, len, &problems) < 0)
		return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	json_array_foreach(problems, i, pr) {
		struct sc_error e;
		sc_error_set(&e, NULL, 0, 0, json_string_value(json_object_get(pr, "code")), "%s",
		             json_string_value(json_object_get(pr, "msg")));
		sc_record_add_error(rec, "sc-risk", &e);
	}
	json_decref(problems);
	return 0;
}

/* --explain: one record after another, in this thread, a readable account on stdout */
static int run_explain(const struct sc_pack *p, struct sc_diag *d, int nfiles, char **files)
{
	struct sc_eval *ev = sc_eval_new();
	struct sc_input *in = ev ? sc_input_new(nfiles, files, d, NULL) : NULL;
	json_t *rec;
	int st;

	while (in && (st = sc_input_next(in, &rec)) != 0) {
		json_t *decl = json_object_get(rec, "decl"), *risk = NULL, *problems = NULL, *ex;
		if (st < 0)
			continue;
		ex = json_array();
		if (!json_is_object(decl)) {
			printf("%s:%lu: no decl object: nothing to score\n", sc_input_name(in),
			       sc_input_lineno(in));
		} else {
			sc_pack_score(p, ev, rec, decl, decl_id(rec, decl), &risk, &problems, ex);
			sc_ci_explain(stdout, decl_id(rec, decl), ex, risk);
		}
		json_decref(risk);
		json_decref(problems);
		json_decref(ex);
		json_decref(rec);
	}
	if (!in)
		sc_diag_fatalf(d, "out of memory");
	sc_input_free(in);
	sc_eval_free(ev);
	return sc_diag_flush(d, stdout, "standard output");
}

static int cmd_filter(int argc, char **argv)
{
	static const struct option longs[] = {
		{"rules", required_argument, NULL, 'r'}, {"jobs", required_argument, NULL, 'j'},
		{"list", required_argument, NULL, 'L'}, {"model", required_argument, NULL, 'm'},
		{"explain", no_argument, NULL, 'x'}, {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	struct common c;
	struct sc_filter f;
	struct sc_pack *p;
	const char *pack = NULL;
	int ch, jobs = 1, explain = 0;

	common_init(&c, argv[0], "sc-risk");
	while ((ch = getopt_long(argc, argv, "r:j:L:h", longs, NULL)) != -1) {
		switch (ch) {
		case 'r': pack = optarg; break;
		case 'j':
			if (sc_parse_int(optarg, 1, 64, &jobs) < 0) {
				sc_diag_fatalf(&c.d, "-j takes a number of workers from 1 to 64");
				return 2;
			}
			break;
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
		run_explain(p, &c.d, argc - optind, argv + optind);
		sc_pack_free(p);
		return sc_diag_finish(&c.d, "records");
	}
	memset(&f, 0, sizeof f);
	f.tool = c.d.prog;
	f.ns = "risk";
	f.needs = "decl";
	f.enrich_text = enrich;
	f.ctx = p;
	f.thread_init = thread_init;
	f.thread_free = thread_free;
	f.jobs = jobs;
	f.diag = &c.d;
	f.progress = 1;
	sc_filter_run(&f, argc - optind, argv + optind);
	sc_pack_free(p);
	return sc_diag_finish(&c.d, "records");
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
