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

#include "parse_run.h"
#include "sc-parse-learn.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: sc-parse learn -o MODEL --truth DIR[:TYPE] [--truth ...] [--seed N] [--folds K]\n"
	           "                      [--negatives N] [--precision P] [--confidence Z] [--trees N]\n"
	           "                      [--held-out FILE] [-t dir] [file ...]\n");
}

/* The options and the truth folders. */
struct lopts {
	struct sc_diag *diag;
	struct sc_plearn_opts learn;
	const char *out, *tdir;
	const char *truth_dir[32], *truth_type[32];
	char truth_buf[32][4096];
	int ntruth;
};

/* A number option within [lo, hi], or the message and -1. */
static int num_opt(struct lopts *o, const char *name, const char *arg, double lo, double hi,
                   double *out)
{
	if (sc_parse_double(arg, lo, hi, out) == 0)
		return 0;
	sc_diag_fatalf(o->diag, "learn: --%s wants a number from %g to %g, not \"%s\"", name, lo, hi,
	               arg);
	return -1;
}

/* --truth DIR[:TYPE] */
static int add_truth(struct lopts *o, const char *arg)
{
	char *buf, *colon;

	if (o->ntruth >= 32) {
		sc_diag_fatalf(o->diag, "learn: at most 32 --truth folders");
		return -1;
	}
	buf = o->truth_buf[o->ntruth];
	snprintf(buf, sizeof o->truth_buf[0], "%s", arg);
	colon = strrchr(buf, ':');
	o->truth_type[o->ntruth] = NULL;
	if (colon) {
		*colon = '\0';
		o->truth_type[o->ntruth] = colon + 1;
	}
	o->truth_dir[o->ntruth++] = buf;
	return 0;
}

/* One option with a value; 0, or -1 after the message. */
static int value_opt(struct lopts *o, int c, const char *arg)
{
	struct sc_plearn_opts *l = &o->learn;
	double v;

	switch (c) {
	case 'o': o->out = arg; return 0;
	case 't': o->tdir = arg; return 0;
	case 'R': return add_truth(o, arg);
	case 's':
		if (sc_parse_u64(arg, &l->seed) == 0)
			return 0;
		sc_diag_fatalf(o->diag, "learn: --seed wants a number, not \"%s\"", arg);
		return -1;
	case 'k':
		if (num_opt(o, "folds", arg, 2, 20, &v) < 0)
			return -1;
		l->folds = (int)v;
		return 0;
	case 'n':
		if (num_opt(o, "negatives", arg, 1, 100000, &v) < 0)
			return -1;
		l->negatives = (int)v;
		return 0;
	case 'P': return num_opt(o, "precision", arg, 0.01, 1, &l->precision);
	case 'z': return num_opt(o, "confidence", arg, 0, 5, &l->confidence);
	case 'e':
		if (num_opt(o, "trees", arg, 1, 5000, &v) < 0)
			return -1;
		l->gbt.trees = (int)v;
		return 0;
	case 'H':
		if (l->heldout)
			fclose(l->heldout);
		if ((l->heldout = fopen(arg, "w")))
			return 0;
		sc_diag_fatalf(o->diag, "learn: %s: %s", arg, strerror(errno));
		return -1;
	}
	usage(stderr);
	return -1;
}

/* The options: 0 to run, 1 to exit 0 (--help), -1 to exit 2. */
static int get_opts(int argc, char **argv, struct lopts *o)
{
	static const struct option lo[] = {
		{"output", required_argument, NULL, 'o'}, {"truth", required_argument, NULL, 'R'},
		{"seed", required_argument, NULL, 's'},  {"folds", required_argument, NULL, 'k'},
		{"negatives", required_argument, NULL, 'n'}, {"precision", required_argument, NULL, 'P'},
		{"confidence", required_argument, NULL, 'z'}, {"held-out", required_argument, NULL, 'H'},
		{"trees", required_argument, NULL, 'e'}, {"templates", required_argument, NULL, 't'},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:t:qh", lo, NULL)) != -1) {
		if (c == 'q')
			o->diag->quiet = 1;
		else if (c == 'h') {
			usage(stdout);
			return 1;
		} else if (value_opt(o, c, optarg) < 0)
			return -1;
	}
	if (!o->out || !o->ntruth) {
		sc_diag_fatalf(o->diag, "learn: -o MODEL and at least one --truth DIR are needed");
		usage(stderr);
		return -1;
	}
	return 0;
}

/* The message of err, as "sc-parse: learn: ...". */
static void learn_error(struct sc_diag *d, const struct sc_error *err)
{
	char buf[1024];

	sc_error_format(err, buf, sizeof buf);
	sc_diag_fatalf(d, "learn: %s", buf);
}

int parse_learn_main(int argc, char **argv, const char *datadir)
{
	struct sc_diag diag;
	static struct lopts o;   /* static: the truth folders' names are 128 KiB */
	struct sc_error err;
	struct sc_parse *p;
	struct sc_pmodel *m;
	char dir[4096];
	int status = 0, rc;

	sc_diag_init(&diag, "sc-parse");
	o.diag = &diag;
	sc_plearn_opts_defaults(&o.learn);
	if ((rc = get_opts(argc, argv, &o)) != 0)
		return rc > 0 ? 0 : 2;
	if (!o.tdir) {
		snprintf(dir, sizeof dir, "%s/parse", datadir);
		o.tdir = dir;
	}
	sc_error_clear(&err);
	if (!(p = sc_parse_load(o.tdir, &err))) {
		learn_error(&diag, &err);
		return 2;
	}
	struct sc_parse_learn_run run = {sc_plearn_new(p), o.truth_dir, o.truth_type, o.ntruth, &diag};
	sc_parse_learn_read(&run, argc - optind, argv + optind);
	m = sc_plearn_fit(run.learn, &o.learn, diag.quiet ? NULL : stderr, &err);
	if (!m || sc_pmodel_save(m, o.out, &err) < 0) {
		learn_error(&diag, &err);
		status = 2;
	} else if (!diag.quiet)
		sc_diag_notef(&diag, "learn: %d documents; model written to %s", sc_plearn_docs(run.learn),
		              o.out);
	if (o.learn.heldout && fclose(o.learn.heldout) != 0) {
		sc_diag_fatalf(&diag, "learn: --held-out: %s", strerror(errno));
		status = 2;
	}
	sc_pmodel_free(m);
	sc_plearn_free(run.learn);
	sc_parse_free(p);
	rc = sc_diag_finish(&diag, "records");
	return status ? status : rc;
}
