/*
 * sc-risk-learn.c - the `learn` and `eval` subcommands of sc-risk: options,
 * usage, the input loop and the exit status. Learning is lib/learn_fit.c, the
 * model file lib/learn_model.c, the measures (AUC, Precision, Recall and
 * Revenue at n%) lib/learn_eval.c.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "input.h"
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

/* Labelled declarations kept whole, for validation (plain data: realloc moves them). */
struct labelled { struct sc_learn_raw *raw; unsigned char *y; size_t n, cap; };

static int keep_add(struct labelled *k, const struct sc_learn_raw *raw, int y)
{
	if (k->n == k->cap) {
		size_t c = k->cap ? k->cap * 2 : 256;
		struct sc_learn_raw *nr = realloc(k->raw, c * sizeof *nr);
		unsigned char *ny;
		if (!nr)
			return -1;
		k->raw = nr;
		if (!(ny = realloc(k->y, c)))
			return -1;
		k->y = ny;
		k->cap = c;
	}
	k->raw[k->n] = *raw;
	k->y[k->n++] = (unsigned char)y;
	return 0;
}

/* The fields of decl; 0 when it has no date, so no place in time. */
static int read_raw(const json_t *decl, struct sc_learn_raw *raw)
{
	sc_learn_extract(decl, raw);
	return raw->date != LONG_MIN;
}

/*
 * Read labelled declarations from files into a learning set (set), or keep
 * them whole (keep). A record without a decl, a label or a date is reported
 * and skipped. -1 on a fatal error.
 */
static int read_history(struct sc_diag *d, int nfiles, char **files, const char *label,
                        struct sc_learnset *set, struct labelled *keep, const char *what)
{
	const struct sc_input_opts io = { .progress = "records" };
	struct sc_input *in = sc_input_new(nfiles, files, d, &io);
	struct sc_learn_raw raw;
	struct sc_error err;
	json_t *rec;
	int rc, st = 0;

	if (!in)
		return -1;
	while (st == 0 && (rc = sc_input_next(in, &rec)) != 0) {
		const json_t *decl = json_object_get(rec, "decl");
		int y = sc_learn_label_value(sc_learn_label_at(rec, label));

		if (rc < 0)
			continue;
		if (!json_is_object(decl)) {
			sc_input_reject(in, "no-decl", "%s record has no decl: skipped", what);
		} else if (y < 0) {
			sc_input_reject(in, "no-label", "no 0/1 label at %s: skipped", label);
		} else if (!read_raw(decl, &raw)) {
			sc_input_reject(in, "no-date",
			                "no ISO date at decl.date, so no place in time: skipped");
		} else if (set && sc_learnset_add(set, &raw, y, &err) < 0) {
			sc_diag_fatalf(d, "%s", err.msg);
			st = -1;
		} else if (keep && keep_add(keep, &raw, y) < 0) {
			sc_diag_fatalf(d, "out of memory");
			st = -1;
		}
		json_decref(rec);
	}
	sc_input_free(in);
	return st;
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

/* What was learned, on standard error, with the time and memory it took. */
static void learn_summary(struct sc_diag *d, const struct sc_learn_model *model, double t0)
{
	const json_t *info = sc_learn_model_info(model);
	const json_t *trees = json_object_get(info, "trees");
	char ntrees[48] = "";
	struct rusage ru;

	if (trees)
		snprintf(ntrees, sizeof ntrees, ", %lld trees", (long long)json_integer_value(trees));
	getrusage(RUSAGE_SELF, &ru);
	sc_diag_notef(d, "%lld records (%lld positive), %lld distinct keys in %d groups, "
	              "learning memory %.1f MiB; %s%s; %.1f s, peak RSS %.1f MiB",
	              (long long)json_integer_value(json_object_get(info, "records")),
	              (long long)json_integer_value(json_object_get(info, "positives")),
	              (long long)json_integer_value(json_object_get(info, "keys")), sc_learn_ngroups(),
	              (double)json_integer_value(json_object_get(info, "learning_bytes")) / 1048576.0,
	              sc_learn_model_name(model), ntrees, sc_now() - t0,
	              (double)ru.ru_maxrss / 1024.0);
}

int risk_learn_main(int argc, char **argv)
{
	struct sc_learn_opts lo;
	struct sc_diag d;
	const char *out = "-", *valid = NULL;
	int quiet = 0, status;
	double t0 = sc_now();
	struct sc_learnset *set = NULL;
	struct labelled va = { 0 };
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
	if (read_history(&d, argc - optind, argv + optind, lo.label, set, NULL, "history") < 0)
		goto done;
	if (valid) {
		struct sc_diag dv;
		char *vf[] = { (char *)valid };
		sc_diag_init(&dv, "sc-risk learn");
		if (read_history(&dv, 1, vf, lo.label, NULL, &va, "validation") < 0 || dv.status >= 2) {
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
		learn_summary(&d, model, t0);
done:
	status = sc_diag_finish(&d, "records");
	sc_learn_model_free(model);
	sc_learnset_free(set);
	free(va.raw);
	free(va.y);
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

/* Each labelled, scored record into ev; the others reported and skipped. */
static int eval_read(struct sc_diag *d, int nfiles, char **files, const struct eval_args *a,
                     const struct sc_learn_model *model, struct sc_learn_eval *ev)
{
	struct sc_input *in = sc_input_new(nfiles, files, d, NULL);
	json_t *rec;
	int rc, st = 0;

	if (!in)
		return -1;
	while (st == 0 && (rc = sc_input_next(in, &rec)) != 0) {
		int y;
		double score = NAN, value = 0;
		if (rc < 0)
			continue;
		y = sc_learn_label_value(sc_learn_label_at(rec, a->label));
		if (model) {
			if (sc_learn_model_score_value(model, json_object_get(rec, "decl"), &score) < 0)
				score = NAN;
		} else {
			const json_t *sv = sc_json_path(rec, a->score_path);
			if (json_is_number(sv))
				score = json_number_value(sv);
		}
		if (a->value_path) {
			const json_t *vv = sc_learn_label_at(rec, a->value_path);
			value = json_is_number(vv) ? json_number_value(vv) : NAN;
		}
		json_decref(rec);
		if (y < 0)
			sc_input_reject(in, "no-label", "no 0/1 label at %s: skipped", a->label);
		else if (!isfinite(score))
			sc_input_reject(in, "no-score", model ? "no decl to score: skipped" :
			                "no score at %s: skipped", a->score_path);
		else if (!isfinite(value))
			sc_input_reject(in, "no-value", "no number at %s: skipped", a->value_path);
		else if (sc_learn_eval_add(ev, score, value, y) < 0) {
			sc_diag_fatalf(d, "out of memory");
			st = -1;
		}
	}
	sc_input_free(in);
	return st;
}

int risk_eval_main(int argc, char **argv)
{
	struct eval_args a = { .score_path = "risk.model.score" };
	struct sc_learn_model *model = NULL;
	struct sc_learn_eval *ev = NULL;
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
	if (!(ev = sc_learn_eval_new())) {
		sc_diag_fatalf(&d, "out of memory");
	} else if (eval_read(&d, argc - optind, argv + optind, &a, model, ev) == 0) {
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
