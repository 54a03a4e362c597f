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

#include "ci_run.h"
#include "errcode.h"
#include "filter.h"
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
	struct sc_ci_packs pk;     /* packs, -L overrides, the data folder */
	struct sc_diag d;          /* named "sc-risk" or "sc-risk SUBCOMMAND" */
};

static void common_init(struct common *c, const char *argv0, const char *prog)
{
	sc_ci_packs_init(&c->pk, argv0);
	sc_diag_init(&c->d, prog);
}

static int add_override(struct common *c, char *arg)
{
	return sc_ci_packs_override(&c->pk, arg, &c->d);
}

/* ---- check and test ------------------------------------------------------- */

static int cmd_check(int argc, char **argv)
{
	static const struct option longs[] = {
		{"format", required_argument, NULL, 'f'}, {"strict", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct common c;
	enum sc_ci_format fmt = SC_CI_TEXT;
	int strict = 0, ch;

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
	return sc_ci_check_run(stdout, &c.pk, fmt, strict, argc - optind, argv + optind, &c.d);
}

static int cmd_test(int argc, char **argv)
{
	static const struct option longs[] = {
		{"format", required_argument, NULL, 'f'}, {"min-coverage", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct common c;
	enum sc_ci_format fmt = SC_CI_TEXT;
	double min_cov = -1;
	int ch;

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
	return sc_ci_test_run(stdout, &c.pk, fmt, min_cov, argc - optind, argv + optind, &c.d);
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
		case 'm': c.pk.opts.model = optarg; break;
		case 'x': explain = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sc-risk %s\n", SC_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!(p = sc_ci_pack_load(&c.pk, pack ? pack : c.pk.default_pack, &c.d)))
		return 2;
	if (explain) {
		sc_ci_explain_run(stdout, p, argc - optind, argv + optind, &c.d);
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
