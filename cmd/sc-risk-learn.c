/*
 * sc-risk-learn.c - the `learn` and `eval` subcommands of sc-risk: options,
 * usage and the exit status. Reading the labelled records is lib/learn_read.c,
 * learning lib/learn_fit.c, the model file lib/learn_model.c, the measures
 * (AUC, Precision, Recall and Revenue at n%) lib/learn_eval.c.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "learn.h"
#include "learn_model.h"
#include "sc-risk-learn.h"

#define LEARN_SYNOPSIS \
	"usage: sc-risk learn --label PATH [-q] [-o MODEL] [--algo gbt|logreg] [--valid FILE]\n" \
	"                     [--seed N] [--trees N] [--leaves N] [--rate X] [--smooth M] [FILE ...]\n"
#define EVAL_SYNOPSIS \
	"usage: sc-risk eval --label PATH [--json] [--at LIST] [--model MODEL] [--score PATH]\n" \
	"                    [--value PATH] [FILE ...]\n"

/* A fatal error with its place: "file:line: msg", status 2. */
static void fatal_error(struct sc_diag *d, const struct sc_error *e)
{
	char buf[1024];
	sc_error_format(e, buf, sizeof buf);
	sc_diag_fatalf(d, "%s", buf);
}

/* The options of learn: -1 to go on, else the exit status. */
static int learn_options(int argc, char **argv, struct sc_diag *d, struct sc_learn_opts *lo,
                         const char **out, const char **valid, int *quiet)
{
	static const struct option longopts[] = {
		{ "label", required_argument, NULL, 'l' }, { "output", required_argument, NULL, 'o' },
		{ "algo", required_argument, NULL, 'a' }, { "valid", required_argument, NULL, 'V' },
		{ "seed", required_argument, NULL, 's' }, { "trees", required_argument, NULL, 't' },
		{ "leaves", required_argument, NULL, 'L' }, { "rate", required_argument, NULL, 'r' },
		{ "smooth", required_argument, NULL, 'm' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long seed;
	int c, bad;

	optind = 1;
	while ((c = getopt_long(argc, argv, "l:o:qhv", longopts, NULL)) != -1) {
		bad = 0;
		switch (c) {
		case 'l': lo->label = optarg; break;
		case 'o': *out = optarg; break;
		case 'a':
			if (!strcmp(optarg, "gbt"))
				lo->algo = SC_LEARN_GBT;
			else if (!strcmp(optarg, "logreg"))
				lo->algo = SC_LEARN_LOGREG;
			else {
				sc_diag_fatalf(d, "--algo: expected gbt or logreg, not \"%s\"", optarg);
				return 2;
			}
			break;
		case 'V': *valid = optarg; break;
		case 'q': *quiet = 1; break;
		case 's': bad = sc_parse_u64(optarg, &seed) < 0; lo->gbt.seed = seed; break;
		case 't': bad = sc_parse_int(optarg, 1, 100000, &lo->gbt.trees) < 0; break;
		case 'L': bad = sc_parse_int(optarg, 2, 256, &lo->gbt.leaves) < 0; break;
		case 'r': bad = sc_parse_double(optarg, 0, 1, &lo->gbt.lr) < 0 || lo->gbt.lr == 0; break;
		case 'm': bad = sc_parse_double(optarg, 0, 1e9, &lo->smooth) < 0 || lo->smooth == 0 ||
		                lo->smooth == 1e9; break;
		case 'h': fputs(LEARN_SYNOPSIS, stdout); return 0;
		case 'v': printf("sc-risk %s\n", SC_VERSION); return 0;
		default: fputs(LEARN_SYNOPSIS, stderr); return 2;
		}
		if (bad) {
			sc_diag_fatalf(d, "bad value \"%s\" for an option", optarg);
			fputs(LEARN_SYNOPSIS, stderr);
			return 2;
		}
	}
	if (!lo->label) {
		sc_diag_fatalf(d, "--label PATH is required (e.g. --label outcome)");
		fputs(LEARN_SYNOPSIS, stderr);
		return 2;
	}
	return -1;
}

int risk_learn_main(int argc, char **argv)
{
	struct sc_learn_opts lo;
	struct sc_diag d;
	const char *out = "-", *valid = NULL;
	int quiet = 0, status;
	double t0 = sc_now();
	struct sc_learnset *set = NULL;
	struct sc_learn_kept va = { 0 };
	struct sc_error err;
	struct sc_learn_model *model = NULL;

	sc_diag_init(&d, "sc-risk learn");
	sc_learn_opts_defaults(&lo);
	lo.label = NULL;   /* required */
	if ((status = learn_options(argc, argv, &d, &lo, &out, &valid, &quiet)) >= 0)
		return status;
	if (!(set = sc_learnset_new(lo.smooth))) {
		sc_diag_fatalf(&d, "out of memory");
		return 2;
	}
	if (sc_learn_read(&d, argc - optind, argv + optind, lo.label, set, NULL, "history") < 0)
		goto done;
	if (valid) {
		struct sc_diag dv;
		char *vf[] = { (char *)valid };
		sc_diag_init(&dv, "sc-risk learn");
		if (sc_learn_read(&dv, 1, vf, lo.label, NULL, &va, "validation") < 0 || dv.status >= 2) {
			d.status = 2;
			goto done;
		}
		if (dv.status > d.status)
			d.status = dv.status;
		if (va.n == 0) {
			sc_diag_fatalf(&d, "%s: no labelled validation records with a date", valid);
			goto done;
		}
	}
	lo.log = quiet ? NULL : stderr;
	if (!(model = sc_learn_fit(set, va.raw, va.y, va.n, &lo, &err)) ||
	    sc_learn_model_save(model, out, &err) < 0) {
		fatal_error(&d, &err);
		goto done;
	}
	if (!quiet)
		sc_learn_summary(&d, model, t0);
done:
	status = sc_diag_finish(&d, "records");
	sc_learn_model_free(model);
	sc_learnset_free(set);
	sc_learn_kept_clear(&va);
	return status;
}

/* ---- eval ------------------------------------------------------------------ */

/* Six digits are enough for a measure, and shorter to read. */
#define EVAL_JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

struct eval_args {
	const char *label, *score_path, *value_path, *model_path;
	double pct[32];
	int npct, as_json;
};

/* The options of eval: -1 to go on, else the exit status. */
static int eval_options(int argc, char **argv, struct sc_diag *d, struct eval_args *a)
{
	static const struct option longopts[] = {
		{ "label", required_argument, NULL, 'l' }, { "score", required_argument, NULL, 'S' },
		{ "at", required_argument, NULL, 'A' }, { "value", required_argument, NULL, 'R' },
		{ "model", required_argument, NULL, 'M' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *at = "1,2,5,10";
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "l:hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': a->label = optarg; break;
		case 'S': a->score_path = optarg; break;
		case 'A': at = optarg; break;
		case 'R': a->value_path = optarg; break;
		case 'M': a->model_path = optarg; break;
		case 'j': a->as_json = 1; break;
		case 'h': fputs(EVAL_SYNOPSIS, stdout); return 0;
		case 'v': printf("sc-risk %s\n", SC_VERSION); return 0;
		default: fputs(EVAL_SYNOPSIS, stderr); return 2;
		}
	}
	if (!a->label) {
		sc_diag_fatalf(d, "--label PATH is required (e.g. --label outcome)");
		fputs(EVAL_SYNOPSIS, stderr);
		return 2;
	}
	if (sc_learn_eval_parse_at(at, a->pct, 32, &a->npct) < 0) {
		sc_diag_fatalf(d, "--at: expected percentages in (0,100] such as 1,2,5,10");
		return 2;
	}
	return -1;
}

int risk_eval_main(int argc, char **argv)
{
	struct eval_args a = { .score_path = "risk.model.score" };
	struct sc_learn_model *model = NULL;
	struct sc_learn_eval *ev = NULL;
	struct sc_learn_eval_src src;
	struct sc_error err;
	struct sc_diag d;
	json_t *res = NULL;
	int st;

	sc_diag_init(&d, "sc-risk eval");
	if ((st = eval_options(argc, argv, &d, &a)) >= 0)
		return st;
	if (a.model_path && !(model = sc_learn_model_load(a.model_path, &err))) {
		sc_diag_error(&d, &err);
		return 2;
	}
	src = (struct sc_learn_eval_src){ a.label, a.score_path, a.value_path, model };
	if (!(ev = sc_learn_eval_new())) {
		sc_diag_fatalf(&d, "out of memory");
	} else if (sc_learn_eval_read(&d, argc - optind, argv + optind, &src, ev) == 0) {
		if (sc_learn_eval_count(ev) == 0)
			sc_diag_fatalf(&d, "no records with a label and a score to evaluate");
		else if (!(res = sc_learn_eval_result(ev, a.pct, a.npct, a.value_path != NULL)))
			sc_diag_fatalf(&d, "out of memory");
		else if (a.as_json && json_dumpf(res, stdout, EVAL_JSON_FLAGS) == 0)
			putchar('\n');
		else if (!a.as_json)
			sc_learn_eval_print(stdout, res, a.value_path != NULL);
		if (res)
			sc_diag_flush(&d, stdout, "standard output");   /* a failed write: status 2 */
	}
	json_decref(res);
	sc_learn_eval_free(ev);
	sc_learn_model_free(model);
	return sc_diag_finish(&d, "records");
}
