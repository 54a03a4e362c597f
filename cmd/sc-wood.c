/*
 * sc-wood - preliminary wood identification from end-grain photographs:
 * train a model on a reference library (learning the experts' answers),
 * identify images or the records naming them, with referral to an expert, read
 * the experts' answers back, and evaluate by specimen and by taxa left out.
 * Options and exit status only; the work is in lib/wood*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wood.h"

static const char *prog = "sc-wood";

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: sc-wood train [-j jobs] [--seed n] [--folds n] [--add answers] -o model library\n"
	        "       sc-wood identify -m model [-j jobs] [--cites file] [--refer-dir dir]\n"
	        "               [--min-score x] [--min-margin x] [--cites-score x]\n"
	        "               [--samples name|folder] [image ...]\n"
	        "       sc-wood answers package ...\n"
	        "       sc-wood eval [-j jobs] [--seed n] [--folds n] [--cites file] library\n"
	        "       sc-wood -h | --version\n");
}

struct opts {
	const char *out, *model, *cites, *add;
	struct sc_wood_train_opts to;
	struct sc_wood_ident id;
	int jobs;
};

/* A number option in [lo, hi]; else the message (status 2, which ends the
 * option loop) and -1. */
static double num_arg(const char *s, double lo, double hi, struct sc_diag *d, const char *what)
{
	double v;

	if (sc_parse_double(s, lo, hi, &v) == 0)
		return v;
	sc_diag_fatalf(d, "%s must be a number from %g to %g, not \"%s\"", what, lo, hi, s);
	return -1;
}

static struct sc_cites *load_cites(const char *path, struct sc_diag *d)
{
	char def[4200];
	struct sc_error e;
	struct sc_cites *c;
	if (!path) {
		snprintf(def, sizeof def, "%s/cites-timber.yaml", sc_datadir(prog));
		path = def;
	}
	sc_error_clear(&e);
	if (!(c = sc_cites_load(path, &e))) {
		sc_diag_error(d, &e);
		sc_diag_fatalf(d, "cannot read the CITES timber table");
	}
	return c;
}

enum { O_SEED = 256, O_FOLDS, O_CITES, O_REFER, O_MINS, O_MINM, O_CITESS, O_VERSION, O_ADD, O_SAMPLES };

static const struct option longopts[] = {
	{"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, O_VERSION},
	{"jobs", required_argument, NULL, 'j'},   {"output", required_argument, NULL, 'o'},
	{"model", required_argument, NULL, 'm'},  {"seed", required_argument, NULL, O_SEED},
	{"folds", required_argument, NULL, O_FOLDS}, {"cites", required_argument, NULL, O_CITES},
	{"refer-dir", required_argument, NULL, O_REFER}, {"min-score", required_argument, NULL, O_MINS},
	{"min-margin", required_argument, NULL, O_MINM}, {"cites-score", required_argument, NULL, O_CITESS},
	{"add", required_argument, NULL, O_ADD},  {"samples", required_argument, NULL, O_SAMPLES},
	{NULL, 0, NULL, 0},
};

/* 0 to go on, else 1 + the exit status */
static int parse(int argc, char **argv, struct opts *o, struct sc_diag *d)
{
	int opt;
	while ((opt = getopt_long(argc, argv, "hj:o:m:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 1;
		case O_VERSION:
			printf("sc-wood %s (model format %d)\n", SC_VERSION, SC_WOOD_MODEL_VERSION);
			return 1;
		case 'j': o->jobs = (int)num_arg(optarg, 1, SC_WOOD_MAX_JOBS, d, "-j"); break;
		case 'o': o->out = optarg; break;
		case 'm': o->model = optarg; break;
		case O_ADD: o->add = optarg; break;
		case O_SEED: o->to.seed = (unsigned)num_arg(optarg, 0, 4294967295.0, d, "--seed"); break;
		case O_FOLDS: o->to.folds = (int)num_arg(optarg, 2, 20, d, "--folds"); break;
		case O_CITES: o->cites = optarg; break;
		case O_REFER: o->id.refer_dir = optarg; break;
		case O_MINS: o->id.ro.min_score = num_arg(optarg, 0, 1, d, "--min-score"); break;
		case O_MINM: o->id.ro.min_margin = num_arg(optarg, 0, 1, d, "--min-margin"); break;
		case O_CITESS: o->id.ro.cites_score = num_arg(optarg, 0, 1, d, "--cites-score"); break;
		case O_SAMPLES:
			if (strcmp(optarg, "name") == 0)
				o->id.samples = SC_WOOD_BY_NAME;
			else if (strcmp(optarg, "folder") == 0)
				o->id.samples = SC_WOOD_BY_FOLDER;
			else
				sc_diag_fatalf(d, "--samples is \"name\" or \"folder\", not \"%s\"", optarg);
			break;
		default:
			usage(stderr);
			return 3;
		}
		if (d->status == 2)
			return 3;
	}
	return 0;
}

/* Records on standard input rather than image files. */
static int from_records(int argc, char **argv)
{
	return argc == 0 || (argc == 1 && strcmp(argv[0], "-") == 0);
}

static int identify(struct opts *o, int argc, char **argv, struct sc_diag *d)
{
	struct sc_error e;
	struct sc_wood_model *m;
	sc_error_clear(&e);
	if (!(m = sc_wood_model_load(o->model, &e))) {
		sc_diag_error(d, &e);
		return 2;
	}
	struct sc_cites *cites = load_cites(o->cites, d);
	o->id.m = m;
	o->id.cites = cites;
	if (cites && o->id.refer_dir && mkdir(o->id.refer_dir, 0777) < 0 && errno != EEXIST)
		sc_diag_fatalf(d, "%s: cannot make folder: %s", o->id.refer_dir, strerror(errno));
	else if (cites && from_records(argc, argv))
		sc_wood_identify_records(&o->id, 0, NULL, o->jobs, stdout, d);
	else if (cites)
		sc_wood_identify_files(&o->id, argc, argv, o->jobs, stdout, d);
	sc_cites_free(cites);
	sc_wood_model_free(m);
	return sc_diag_finish(d, "images");
}

/* The command cmd with its operands; the exit status. */
static int command(const char *cmd, struct opts *o, int argc, char **argv, struct sc_diag *d)
{
	if (strcmp(cmd, "identify") == 0) {
		if (!o->model) {
			sc_diag_fatalf(d, "identify needs -m MODEL");
			usage(stderr);
			return 2;
		}
		if (o->id.samples && from_records(argc, argv)) {
			sc_diag_fatalf(d, "--samples groups image files named as arguments, not records");
			usage(stderr);
			return 2;
		}
		return identify(o, argc, argv, d);
	}
	if (strcmp(cmd, "answers") == 0) {
		if (argc < 1) {
			usage(stderr);
			return 2;
		}
		sc_wood_answers(argc, argv, stdout, d);
		return sc_diag_finish(d, "packages");
	}
	if (argc != 1 || (cmd[0] == 't' && !o->out)) {
		usage(stderr);
		return 2;
	}
	if (cmd[0] == 't') {
		sc_wood_train_run(argv[0], o->out, o->add, &o->to, o->jobs, d);
	} else {
		struct sc_cites *cites = load_cites(o->cites, d);
		if (cites)
			sc_wood_eval_run(argv[0], cites, &o->to, &o->id.ro, o->jobs, stdout, d);
		sc_cites_free(cites);
	}
	return sc_diag_finish(d, "images");
}

int main(int argc, char **argv)
{
	static const char *const cmds[] = {"train", "identify", "answers", "eval", NULL};
	const char *cmd = argc >= 2 ? argv[1] : "";
	struct sc_diag d;
	struct opts o;
	int known = 0, r;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&d, prog);
	sc_cv_init();
	memset(&o, 0, sizeof o);
	o.to.seed = 1;
	o.jobs = 1;
	sc_wood_refer_defaults(&o.id.ro);
	for (int i = 0; cmds[i]; i++)
		known |= strcmp(cmd, cmds[i]) == 0;
	if (!known) {
		/* -h and --version stand alone; anything else needs a command */
		r = argc >= 2 && cmd[0] == '-' ? parse(argc, argv, &o, &d) : 0;
		if (r)
			return r - 1;
		if (argc >= 2)
			sc_diag_fatalf(&d, "unknown command \"%s\"", cmd);
		usage(stderr);
		return 2;
	}
	if ((r = parse(argc - 1, argv + 1, &o, &d)) != 0)
		return r - 1;
	return command(cmd, &o, argc - optind - 1, argv + optind + 1, &d);
}
