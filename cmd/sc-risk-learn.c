/*
 * sc-risk-learn.c - the `learn` and `eval` subcommands of sc-risk: learn a
 * scoring model from labelled declaration history (lib/learn.h, lib/learn_model.h),
 * and measure a ranking by Precision@n%, Recall@n%, AUC and Revenue@n%.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "learn.h"
#include "learn_model.h"
#include "progress.h"
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

/* "outcome" means decl.outcome; a dotted path is read from the record's root,
 * and so is one that starts with a dot (".y" is the top-level y). */
static const json_t *label_of(const json_t *rec, const char *path)
{
	if (path[0] == '.')
		return sc_json_path(rec, path + 1);
	if (strchr(path, '.'))
		return sc_json_path(rec, path);
	return sc_json_path(json_object_get(rec, "decl"), path);
}

/* 1 positive, 0 negative, -1 absent or not a label */
static int label_value(const json_t *v)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_number(v))
		return json_number_value(v) != 0;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no"))
			return 0;
		char *end;
		double d = strtod(s, &end);
		if (end != s && !*end)
			return d != 0;
		if (!strcmp(s, "true") || !strcmp(s, "yes"))
			return 1;
	}
	return -1;
}

/*
 * Read labelled declarations from files into a learning set, or (when `raws`
 * is not NULL) keep their raw fields and labels for later encoding.
 */
struct labelled { struct sc_learn_raw *raw; unsigned char *y; size_t n, cap; };

static int read_history(struct sc_diag *d, int nfiles, char **files, const char *label,
                        struct sc_learnset *set, struct labelled *keep, const char *what)
{
	char *stdin_only[] = { "-" };
	struct sc_progress *pr = sc_progress_new(d->prog, "records", 0);
	unsigned long seen = 0;

	if (nfiles == 0) {
		nfiles = 1;
		files = stdin_only;
	}
	for (int fi = 0; fi < nfiles; fi++) {
		struct sc_error err;
		struct sc_reader *r = sc_reader_open(files[fi], 0, &err);
		if (!r) {
			sc_diag_error(d, &err);
			continue;
		}
		for (;;) {
			json_t *rec = NULL;
			int rc = sc_reader_next(r, &rec, &err);
			if (rc == 0)
				break;
			if (rc == -2) {
				sc_diag_error(d, &err);
				break;
			}
			d->records++;
			sc_progress_update(pr, ++seen);
			if (rc < 0) {
				d->bad++;
				sc_diag_error(d, &err);
				continue;
			}
			const json_t *decl = json_object_get(rec, "decl");
			int y = label_value(label_of(rec, label));
			struct sc_learn_raw raw;
			sc_error_clear(&err);
			if (!json_is_object(decl)) {
				sc_error_set(&err, sc_reader_name(r), (int)sc_reader_lineno(r), 0, "no-decl",
				             "%s record has no decl: skipped", what);
			} else if (y < 0) {
				sc_error_set(&err, sc_reader_name(r), (int)sc_reader_lineno(r), 0, "no-label",
				             "no 0/1 label at %s: skipped", label);
			} else {
				sc_learn_extract(decl, &raw);
				if (raw.date == LONG_MIN)
					sc_error_set(&err, sc_reader_name(r), (int)sc_reader_lineno(r), 0, "no-date",
					             "no ISO date at decl.date, so no place in time: skipped");
			}
			json_decref(rec);
			if (err.msg[0]) {
				d->bad++;
				sc_diag_error(d, &err);
				continue;
			}
			if (set && sc_learnset_add(set, &raw, y, &err) < 0) {
				sc_diag_fatalf(d, "%s", err.msg);
				sc_reader_free(r);
				sc_progress_free(pr);
				return -1;
			}
			if (keep) {
				if (keep->n == keep->cap) {
					size_t c = keep->cap ? keep->cap * 2 : 256;
					struct sc_learn_raw *nr = realloc(keep->raw, c * sizeof *nr);
					unsigned char *ny = nr ? realloc(keep->y, c) : NULL;
					if (nr && nr != keep->raw) {
						/* the field pointers point into each record's own buffer */
						for (size_t i = 0; i < keep->n; i++)
							for (int f = 0; f < SC_LEARN_NFIELDS; f++)
								nr[i].field[f] = nr[i].buf + (nr[i].field[f] - keep->raw[i].buf);
						keep->raw = nr;
					}
					if (!ny) {
						sc_diag_fatalf(d, "out of memory");
						sc_reader_free(r);
						sc_progress_free(pr);
						return -1;
					}
					keep->y = ny;
					keep->cap = c;
				}
				/* the strings point into raw.buf: fix them to the copy's buffer */
				struct sc_learn_raw *dst = &keep->raw[keep->n];
				*dst = raw;
				for (int f = 0; f < SC_LEARN_NFIELDS; f++)
					dst->field[f] = dst->buf + (raw.field[f] - raw.buf);
				keep->y[keep->n++] = (unsigned char)y;
			}
		}
		sc_reader_free(r);
	}
	sc_progress_free(pr);
	return 0;
}

static void learn_usage(FILE *fp)
{
	fputs(LEARN_SYNOPSIS, fp);
}

int risk_learn_main(int argc, char **argv)
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
	struct sc_learn_opts lo;
	struct sc_diag d;
	const char *label = NULL, *out = "-", *valid = NULL;
	double smooth = 5;   /* tuned on the valid split: 2-10 did best, 50+ worse */
	int quiet = 0, trees_given = 0, c;
	char *end;

	sc_learn_opts_defaults(&lo);
	sc_diag_init(&d, "sc-risk learn");
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:o:qhv", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': label = optarg; break;
		case 'o': out = optarg; break;
		case 'a':
			if (!strcmp(optarg, "gbt"))
				lo.algo = SC_LEARN_GBT;
			else if (!strcmp(optarg, "logreg"))
				lo.algo = SC_LEARN_LOGREG;
			else {
				fprintf(stderr, "sc-risk learn: --algo: expected gbt or logreg, not \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'V': valid = optarg; break;
		case 'q': quiet = 1; break;
		case 's':
			lo.gbt.seed = strtoull(optarg, &end, 10);
			if (*end || !*optarg) goto bad_number;
			break;
		case 't':
			lo.gbt.trees = (int)strtol(optarg, &end, 10);
			trees_given = 1;
			if (*end || lo.gbt.trees < 1 || lo.gbt.trees > 100000) goto bad_number;
			break;
		case 'L':
			lo.gbt.leaves = (int)strtol(optarg, &end, 10);
			if (*end || lo.gbt.leaves < 2 || lo.gbt.leaves > 256) goto bad_number;
			break;
		case 'r':
			lo.gbt.lr = strtod(optarg, &end);
			if (*end || !(lo.gbt.lr > 0 && lo.gbt.lr <= 1)) goto bad_number;
			break;
		case 'm':
			smooth = strtod(optarg, &end);
			if (*end || !(smooth > 0 && smooth < 1e9)) goto bad_number;
			break;
		case 'h': learn_usage(stdout); return 0;
		case 'v': printf("sc-risk %s\n", SC_VERSION); return 0;
		default: learn_usage(stderr); return 2;
		}
	}
	if (!label) {
		fprintf(stderr, "sc-risk learn: --label PATH is required (e.g. --label outcome)\n");
		learn_usage(stderr);
		return 2;
	}

	double t0 = sc_now();
	struct sc_learnset *set = sc_learnset_new(smooth);
	struct labelled va = { 0 };
	struct sc_error err;
	struct sc_learn_model *model = NULL;
	int status;

	if (!set) {
		sc_diag_fatalf(&d, "out of memory");
		return 2;
	}
	if (read_history(&d, argc - optind, argv + optind, label, set, NULL, "history") < 0)
		goto done;
	if (valid) {
		struct sc_diag dv;
		char *vf[] = { (char *)valid };
		sc_diag_init(&dv, "sc-risk learn");
		if (read_history(&dv, 1, vf, label, NULL, &va, "validation") < 0 || dv.status >= 2) {
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
	/* without a validation set nothing stops the rounds early: fewer by default */
	if (!valid && !trees_given)
		lo.gbt.trees = 200;
	lo.label = label;
	lo.log = quiet ? NULL : stderr;
	if (!(model = sc_learn_fit(set, va.raw, va.y, va.n, &lo, &err))) {
		fatal_error(&d, &err);
		goto done;
	}
	if (sc_learn_model_save(model, out, &err) < 0) {
		fatal_error(&d, &err);
		goto done;
	}
	if (!quiet) {
		const json_t *info = sc_learn_model_info(model);
		const json_t *trees = json_object_get(info, "trees");
		fprintf(stderr, "sc-risk learn: %lld records (%lld positive), %lld distinct keys in %d groups, "
		        "learning memory %.1f MiB; %s", (long long)json_integer_value(json_object_get(info, "records")),
		        (long long)json_integer_value(json_object_get(info, "positives")),
		        (long long)json_integer_value(json_object_get(info, "keys")), sc_learn_ngroups(),
		        (double)json_integer_value(json_object_get(info, "learning_bytes")) / 1048576.0,
		        sc_learn_model_name(model));
		if (trees)
			fprintf(stderr, ", %lld trees", (long long)json_integer_value(trees));
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "; %.1f s, peak RSS %.1f MiB\n", sc_now() - t0, (double)ru.ru_maxrss / 1024.0);
	}
done:
	status = sc_diag_finish(&d, "records");
	sc_learn_model_free(model);
	sc_learnset_free(set);
	free(va.raw);
	free(va.y);
	return status;
bad_number:
	fprintf(stderr, "sc-risk learn: bad value \"%s\" for an option\n", optarg);
	learn_usage(stderr);
	return 2;
}

/* ---- eval ------------------------------------------------------------------ */

struct scored { double score, value; unsigned char y; size_t order; };

static int by_score(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;   /* ties: input order */
}

static void eval_usage(FILE *fp)
{
	fputs(EVAL_SYNOPSIS, fp);
}

/* Mann-Whitney AUC over a list sorted by descending score, ties averaged. */
static double auc_of(const struct scored *s, size_t n, size_t npos)
{
	size_t nneg = n - npos;
	double rank_sum = 0;   /* ranks ascending from 1 */
	if (!npos || !nneg)
		return NAN;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j].score == s[i].score)
			j++;
		/* positions i..j-1 in descending order hold ranks n-j+1 .. n-i */
		double avg = ((double)(n - j + 1) + (double)(n - i)) / 2;
		for (size_t k = i; k < j; k++)
			if (s[k].y)
				rank_sum += avg;
		i = j;
	}
	return (rank_sum - (double)npos * ((double)npos + 1) / 2) / ((double)npos * (double)nneg);
}

int risk_eval_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "label", required_argument, NULL, 'l' }, { "score", required_argument, NULL, 'S' },
		{ "at", required_argument, NULL, 'A' }, { "value", required_argument, NULL, 'R' },
		{ "model", required_argument, NULL, 'M' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *label = NULL, *score_path = "risk.model.score", *value_path = NULL;
	const char *model_path = NULL, *at = "1,2,5,10";
	double pct[32];
	int npct = 0, as_json = 0, c;
	struct sc_diag d;

	sc_diag_init(&d, "sc-risk eval");
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': label = optarg; break;
		case 'S': score_path = optarg; break;
		case 'A': at = optarg; break;
		case 'R': value_path = optarg; break;
		case 'M': model_path = optarg; break;
		case 'j': as_json = 1; break;
		case 'h': eval_usage(stdout); return 0;
		case 'v': printf("sc-risk %s\n", SC_VERSION); return 0;
		default: eval_usage(stderr); return 2;
		}
	}
	if (!label) {
		fprintf(stderr, "sc-risk eval: --label PATH is required (e.g. --label outcome)\n");
		eval_usage(stderr);
		return 2;
	}
	for (const char *p = at; *p;) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || !(v > 0 && v <= 100) || npct == 32 || (*end && *end != ',')) {
			fprintf(stderr, "sc-risk eval: --at: expected percentages in (0,100] such as 1,2,5,10\n");
			return 2;
		}
		pct[npct++] = v;
		p = *end ? end + 1 : end;
	}
	struct sc_learn_model *model = NULL;
	if (model_path) {
		struct sc_error err;
		if (!(model = sc_learn_model_load(model_path, &err))) {
			sc_diag_error(&d, &err);
			return 2;
		}
	}

	struct scored *s = NULL;
	size_t n = 0, cap = 0;
	char *stdin_only[] = { "-" };
	int nfiles = argc - optind;
	char **files = argv + optind;
	if (nfiles == 0) {
		nfiles = 1;
		files = stdin_only;
	}
	for (int fi = 0; fi < nfiles; fi++) {
		struct sc_error err;
		struct sc_reader *r = sc_reader_open(files[fi], 0, &err);
		if (!r) {
			sc_diag_error(&d, &err);
			continue;
		}
		for (;;) {
			json_t *rec = NULL;
			int rc = sc_reader_next(r, &rec, &err);
			if (rc == 0)
				break;
			if (rc == -2) {
				sc_diag_error(&d, &err);
				break;
			}
			d.records++;
			if (rc < 0) {
				d.bad++;
				sc_diag_error(&d, &err);
				continue;
			}
			int y = label_value(label_of(rec, label));
			double score = NAN, value = 0;
			if (model) {
				if (sc_learn_model_score_value(model, json_object_get(rec, "decl"), &score) < 0)
					score = NAN;
			} else {
				const json_t *sv = sc_json_path(rec, score_path);
				if (json_is_number(sv))
					score = json_number_value(sv);
			}
			if (value_path) {
				const json_t *vv = label_of(rec, value_path);
				value = json_is_number(vv) ? json_number_value(vv) : NAN;
			}
			json_decref(rec);
			sc_error_clear(&err);
			if (y < 0)
				sc_error_set(&err, sc_reader_name(r), (int)sc_reader_lineno(r), 0, "no-label",
				             "no 0/1 label at %s: skipped", label);
			else if (!isfinite(score))
				sc_error_set(&err, sc_reader_name(r), (int)sc_reader_lineno(r), 0, "no-score",
				             model ? "no decl to score: skipped" : "no score at %s: skipped",
				             score_path);
			else if (!isfinite(value))
				sc_error_set(&err, sc_reader_name(r), (int)sc_reader_lineno(r), 0, "no-value",
				             "no number at %s: skipped", value_path);
			if (err.msg[0]) {
				d.bad++;
				sc_diag_error(&d, &err);
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				struct scored *ns = realloc(s, cap * sizeof *s);
				if (!ns) {
					sc_diag_fatalf(&d, "out of memory");
					sc_reader_free(r);
					free(s);
					sc_learn_model_free(model);
					return 2;
				}
				s = ns;
			}
			s[n] = (struct scored){ score, value, (unsigned char)y, n };
			n++;
		}
		sc_reader_free(r);
	}
	sc_learn_model_free(model);
	if (n == 0) {
		sc_diag_fatalf(&d, "no records with a label and a score to evaluate");
		free(s);
		return sc_diag_finish(&d, "records");
	}
	qsort(s, n, sizeof *s, by_score);
	size_t npos = 0;
	double vpos = 0;
	for (size_t i = 0; i < n; i++) {
		npos += s[i].y;
		vpos += s[i].y ? s[i].value : 0;
	}
	double auc = auc_of(s, n, npos), base = (double)npos / (double)n;
	json_t *res = json_pack("{s:I,s:I,s:f}", "records", (json_int_t)n, "positives",
	                        (json_int_t)npos, "base_rate", base);
	json_object_set_new(res, "auc", isnan(auc) ? json_null() : json_real(auc));
	json_t *rows = json_array();
	if (!as_json) {
		printf("records %zu, positive %zu (%.2f%%)\n", n, npos, 100 * base);
		printf("%-7s %6s %10s %8s%s %17s\n", "at", "k", "precision", "recall",
		       value_path ? "  revenue" : "", "random precision");
	}
	for (int i = 0; i < npct; i++) {
		size_t k = (size_t)ceil(pct[i] / 100 * (double)n), hit = 0;
		double vhit = 0;
		if (k < 1)
			k = 1;
		if (k > n)
			k = n;
		for (size_t j = 0; j < k; j++) {
			hit += s[j].y;
			vhit += s[j].y ? s[j].value : 0;
		}
		double prec = (double)hit / (double)k, rec = npos ? (double)hit / (double)npos : 0;
		json_t *row = json_pack("{s:f,s:I,s:f,s:f,s:f}", "pct", pct[i], "k", (json_int_t)k,
		                        "precision", prec, "recall", rec, "random_precision", base);
		if (value_path)
			json_object_set_new(row, "revenue", json_real(vpos > 0 ? vhit / vpos : 0));
		json_array_append_new(rows, row);
		if (!as_json) {
			char revenue[32] = "", atn[32];
			snprintf(atn, sizeof atn, "%g%%", pct[i]);
			if (value_path)
				snprintf(revenue, sizeof revenue, " %8.4f", vpos > 0 ? vhit / vpos : 0);
			printf("%-7s %6zu %10.4f %8.4f%s %17.4f\n",
			       atn, k, prec,
			       rec, revenue, base);
		}
	}
	json_object_set_new(res, "at", rows);
	if (as_json) {
		if (json_dumpf(res, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) < 0 ||
		    putchar('\n') == EOF)
			sc_diag_fatalf(&d, "write error on standard output");
	} else {
		if (isnan(auc))
			printf("AUC undefined (one class only)\n");
		else
			printf("AUC %.4f (random 0.5000)\n", auc);
	}
	json_decref(res);
	free(s);
	if (fflush(stdout) != 0)
		sc_diag_fatalf(&d, "write error on standard output");
	return sc_diag_finish(&d, "records");
}
