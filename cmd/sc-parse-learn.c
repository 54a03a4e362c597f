/*
 * sc-parse-learn.c - `sc-parse learn`: the ranking model from sc-ocr records
 * and a truth JSON per document (DIR/STEM.json for a page of .../STEM.pdf).
 * Pages of one file in a row are one document.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "parse.h"
#include "sc-parse-learn.h"

#define TOOL "sc-parse"

static void usage(FILE *f)
{
	fprintf(f, "usage: sc-parse learn -o MODEL --truth DIR[:TYPE] [--truth ...] [--seed N] [--folds K]\n"
	           "                      [--negatives N] [--precision P] [--confidence Z] [--trees N]\n"
	           "                      [--held-out FILE] [-t dir] [file ...]\n");
}

struct lrun {
	struct sc_diag diag;
	struct sc_parse *p;
	struct sc_plearn *L;
	const char *tdir[32];
	const char *ttype[32];
	int ntruth;
	struct sc_pdoc *doc;
	char key[1024];
	char where[1100];
	long last_page;
	unsigned long notruth;
};

/* The document put together: learned from with its truth file. */
static void flush(struct lrun *r)
{
	if (!r->doc)
		return;
	struct sc_error err;
	sc_error_clear(&err);
	int rc = sc_plearn_add_found(r->L, r->doc, r->key, r->tdir, r->ttype, r->ntruth, r->where, &err);
	r->doc = NULL;
	if (rc < 0) {
		sc_diag_error(&r->diag, &err);
		r->diag.bad++;
	} else if (rc > 0 && !r->diag.quiet && r->notruth++ < 5)
		sc_diag_warnf(&r->diag, "%s: no truth file for %s; not learned from", r->where, r->key);
}

static void take(struct lrun *r, struct sc_input *in, json_t *rec)
{
	const char *path = json_string_value(sc_json_path(rec, "src.path"));
	const char *member = json_string_value(sc_json_path(rec, "src.member"));
	json_t *pg = sc_json_path(rec, "src.page");
	long page = json_is_integer(pg) ? (long)json_integer_value(pg) : 1;
	char key[1024];
	snprintf(key, sizeof key, "%s%s%s", path ? path : "", member ? "/" : "", member ? member : "");
	if (!path) {
		sc_input_reject(in, "no-path", "record without src.path: no truth to find");
		return;
	}
	if (!r->doc || strcmp(key, r->key) != 0 || page != r->last_page + 1) {
		flush(r);
		r->doc = sc_pdoc_new();
		snprintf(r->key, sizeof r->key, "%s", key);
		snprintf(r->where, sizeof r->where, "%s:%lu", sc_input_name(in), sc_input_lineno(in));
	}
	r->last_page = page;
	struct sc_error err;
	sc_error_clear(&err);
	/* a page with nothing to read still belongs to its document */
	(void)sc_pdoc_add_ocr(r->doc, json_object_get(rec, "ocr"), json_object_get(rec, "src"), &err);
}

/* Every record of the files (standard input when none) with an "ocr" object. */
static void read_all(struct lrun *r, int nfiles, char *const *files)
{
	struct sc_input *in = sc_input_new(nfiles, files, &r->diag, NULL);
	if (!in)
		return;
	json_t *rec;
	int rc;
	while ((rc = sc_input_next(in, &rec)) != 0) {
		if (rc < 0)
			continue;   /* reported and counted */
		if (json_is_object(json_object_get(rec, "ocr")))
			take(r, in, rec);
		json_decref(rec);
	}
	sc_input_free(in);
}

/* A number option within [lo, hi], or the message and -1. */
static int num_opt(const char *name, const char *arg, double lo, double hi, double *out)
{
	char *e;
	double v = strtod(arg, &e);
	if (*e || e == arg || !(v >= lo && v <= hi)) {
		fprintf(stderr, "sc-parse: learn: --%s wants a number from %g to %g, not \"%s\"\n", name, lo, hi, arg);
		return -1;
	}
	*out = v;
	return 0;
}

/* --truth DIR[:TYPE] */
static int add_truth(struct lrun *r, const char *arg)
{
	static char tbuf[32][4096];
	if (r->ntruth >= 32) {
		fprintf(stderr, "sc-parse: learn: at most 32 --truth folders\n");
		return -1;
	}
	snprintf(tbuf[r->ntruth], sizeof tbuf[0], "%s", arg);
	char *colon = strrchr(tbuf[r->ntruth], ':');
	r->ttype[r->ntruth] = NULL;
	if (colon) {
		*colon = '\0';
		r->ttype[r->ntruth] = colon + 1;
	}
	r->tdir[r->ntruth] = tbuf[r->ntruth];
	r->ntruth++;
	return 0;
}

/* The options: 0 to run, 1 to exit 0 (--help), -1 to exit 2. */
static int get_opts(int argc, char **argv, struct lrun *r, struct sc_plearn_opts *o, const char **out,
                    const char **tdir)
{
	static const struct option lo[] = {
		{"output", required_argument, NULL, 'o'}, {"truth", required_argument, NULL, 'R'},
		{"seed", required_argument, NULL, 's'},  {"folds", required_argument, NULL, 'k'},
		{"negatives", required_argument, NULL, 'n'}, {"precision", required_argument, NULL, 'P'},
		{"confidence", required_argument, NULL, 'z'}, {"held-out", required_argument, NULL, 'H'},
		{"trees", required_argument, NULL, 'e'}, {"templates", required_argument, NULL, 't'},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int c;
	double v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:t:qh", lo, NULL)) != -1) {
		char *e;
		switch (c) {
		case 'o':
			*out = optarg;
			break;
		case 'R':
			if (add_truth(r, optarg) < 0)
				return -1;
			break;
		case 's':
			o->seed = strtoull(optarg, &e, 10);
			if (*e || e == optarg) {
				fprintf(stderr, "sc-parse: learn: --seed wants a number, not \"%s\"\n", optarg);
				return -1;
			}
			break;
		case 'k':
			if (num_opt("folds", optarg, 2, 20, &v) < 0)
				return -1;
			o->folds = (int)v;
			break;
		case 'n':
			if (num_opt("negatives", optarg, 1, 100000, &v) < 0)
				return -1;
			o->negatives = (int)v;
			break;
		case 'P':
			if (num_opt("precision", optarg, 0.01, 1, &o->precision) < 0)
				return -1;
			break;
		case 'z':
			if (num_opt("confidence", optarg, 0, 5, &o->confidence) < 0)
				return -1;
			break;
		case 'e':
			if (num_opt("trees", optarg, 1, 5000, &v) < 0)
				return -1;
			o->gbt.trees = (int)v;
			break;
		case 't':
			*tdir = optarg;
			break;
		case 'H':
			if (o->heldout)
				fclose(o->heldout);
			o->heldout = fopen(optarg, "w");
			if (!o->heldout) {
				fprintf(stderr, "sc-parse: learn: %s: %s\n", optarg, strerror(errno));
				return -1;
			}
			break;
		case 'q':
			r->diag.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

int parse_learn_main(int argc, char **argv, const char *datadir)
{
	struct lrun r;
	memset(&r, 0, sizeof r);
	sc_diag_init(&r.diag, TOOL);
	struct sc_plearn_opts o;
	sc_plearn_opts_defaults(&o);
	const char *out = NULL, *tdir = NULL;
	int rc = get_opts(argc, argv, &r, &o, &out, &tdir);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (!out || !r.ntruth) {
		fprintf(stderr, "sc-parse: learn: -o MODEL and at least one --truth DIR are needed\n");
		usage(stderr);
		return 2;
	}
	char dir[4096];
	if (!tdir) {
		snprintf(dir, sizeof dir, "%s/parse", datadir);
		tdir = dir;
	}
	struct sc_error err;
	sc_error_clear(&err);
	r.p = sc_parse_load(tdir, &err);
	if (!r.p) {
		char buf[1024];
		sc_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "sc-parse: learn: %s\n", buf);
		return 2;
	}
	r.L = sc_plearn_new(r.p);
	read_all(&r, argc - optind, argv + optind);
	flush(&r);
	if (r.notruth > 5)
		sc_diag_warnf(&r.diag, "%lu documents in all had no truth file", r.notruth);
	int status = 0;
	struct sc_pmodel *m = sc_plearn_fit(r.L, &o, r.diag.quiet ? NULL : stderr, &err);
	if (!m || sc_pmodel_save(m, out, &err) < 0) {
		char buf[1024];
		sc_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "sc-parse: learn: %s\n", buf);
		status = 2;
	} else if (!r.diag.quiet)
		fprintf(stderr, "sc-parse: learn: %d documents; model written to %s\n", sc_plearn_docs(r.L), out);
	if (o.heldout && fclose(o.heldout) != 0) {
		fprintf(stderr, "sc-parse: learn: --held-out: %s\n", strerror(errno));
		status = 2;
	}
	sc_pmodel_free(m);
	sc_plearn_free(r.L);
	sc_parse_free(r.p);
	int st = sc_diag_finish(&r.diag, "records");
	return status ? status : st;
}
