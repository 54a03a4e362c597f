/*
 * sc-wood - preliminary wood identification from end-grain photographs:
 * train a model on a reference library, identify images (or records naming
 * them) with referral to an expert, and evaluate by specimen-grouped folds.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "filter.h"
#include "wood.h"

static const char *prog = "sc-wood";

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: sc-wood train [-j jobs] [--seed n] [--folds n] -o model library\n"
	        "       sc-wood identify -m model [-j jobs] [--cites file] [--refer-dir dir]\n"
	        "               [--min-score x] [--min-margin x] [--cites-score x] [image ...]\n"
	        "       sc-wood eval [-j jobs] [--seed n] [--folds n] [--cites file] library\n"
	        "       sc-wood -h | --version\n");
}

struct ctx {
	const struct sc_wood_model *m;
	const struct sc_cites *cites;
	struct sc_wood_refer_opts ro;
	const char *refer_dir;
};

/* The wood namespace for the image at `path`; rec is the record it goes into. */
/* the envelope as sc-ocr writes it: id from the content, src.sha256 */
static void envelope(json_t *rec, const char *sha)
{
	char id[17];
	if (!sha[0])
		return;
	snprintf(id, sizeof id, "%.16s", sha);
	json_object_set_new(rec, "id", json_string(id));
	json_object_set_new(json_object_get(rec, "src"), "sha256", json_string(sha));
}

/* The wood namespace for the image at `path`; rec is the record it goes into
 * (its envelope is filled in when `own_envelope`: the record is ours). */
static int identify(struct ctx *c, json_t *rec, const char *path, json_t **value,
                    int own_envelope, struct sc_error *err)
{
	struct sc_wood_feat f;
	struct sc_cv_wood *cw = NULL;
	int drivers[4], nd = 0;
	json_t *w;

	int rc = sc_wood_analyse_file(path, &f, c->refer_dir ? &cw : NULL, err);
	if (own_envelope)
		envelope(rec, f.sha256);
	if (rc < 0)
		return -1;
	w = sc_wood_decide(c->m, c->cites, &f, &c->ro, drivers, &nd, err);
	sc_wood_feat_clear(&f);
	if (!w) {
		sc_cv_wood_delete(cw);
		return -1;
	}
	if (c->refer_dir && json_is_true(json_object_get(w, "refer"))) {
		json_t *full = json_copy(rec);
		char *pkg = NULL;
		json_object_set(full, "wood", w);
		if (sc_wood_refer_package(c->refer_dir, path, full, cw, drivers, nd, c->m, &pkg, err) < 0) {
			json_decref(full);
			json_decref(w);
			sc_cv_wood_delete(cw);
			return -1;
		}
		json_object_set_new(w, "package", json_string(pkg));
		free(pkg);
		json_decref(full);
	}
	sc_cv_wood_delete(cw);
	*value = w;
	return 0;
}

#define CHUNK 32

struct chunk {
	struct ctx *c;
	char **paths;
	int n, next;
	pthread_mutex_t mu;
	json_t *recs[CHUNK];
	int failed[CHUNK];
	struct sc_error errs[CHUNK];
};

static void *chunk_worker(void *arg)
{
	struct chunk *k = arg;
	for (;;) {
		json_t *w = NULL;
		pthread_mutex_lock(&k->mu);
		int i = k->next++;
		pthread_mutex_unlock(&k->mu);
		if (i >= k->n)
			return NULL;
		k->recs[i] = json_pack("{s:n,s:{s:s}}", "id", "src", "path", k->paths[i]);
		sc_error_clear(&k->errs[i]);
		if (identify(k->c, k->recs[i], k->paths[i], &w, 1, &k->errs[i]) < 0) {
			sc_record_add_error(k->recs[i], prog, &k->errs[i]);
			k->failed[i] = 1;
		} else
			json_object_set_new(k->recs[i], "wood", w);
	}
}

static int enrich(void *ctx, void *state, json_t *rec, json_t **value, struct sc_error *err)
{
	json_t *p = sc_json_path(rec, "src.path");
	(void)state;
	if (!json_is_string(p))
		return sc_error_set(err, NULL, 0, 0, "no-image", "record has no src.path naming an image");
	return identify(ctx, rec, json_string_value(p), value, 0, err);
}

static double num_arg(const char *s, double lo, double hi, struct sc_diag *d, const char *what)
{
	char *end;
	double v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !(v >= lo && v <= hi)) {
		sc_diag_fatalf(d, "%s must be a number from %g to %g, not \"%s\"", what, lo, hi, s);
		return -1;
	}
	return v;
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
	c = sc_cites_load(path, &e);
	if (!c) {
		sc_diag_error(d, &e);
		sc_diag_fatalf(d, "cannot read the CITES timber table");
	}
	return c;
}

enum { O_SEED = 256, O_FOLDS, O_CITES, O_REFER, O_MINS, O_MINM, O_CITESS, O_VERSION };

static const struct option longopts[] = {
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, O_VERSION},
	{"jobs", required_argument, NULL, 'j'},
	{"output", required_argument, NULL, 'o'},
	{"model", required_argument, NULL, 'm'},
	{"seed", required_argument, NULL, O_SEED},
	{"folds", required_argument, NULL, O_FOLDS},
	{"cites", required_argument, NULL, O_CITES},
	{"refer-dir", required_argument, NULL, O_REFER},
	{"min-score", required_argument, NULL, O_MINS},
	{"min-margin", required_argument, NULL, O_MINM},
	{"cites-score", required_argument, NULL, O_CITESS},
	{NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
	struct sc_diag d;
	const char *cmd, *out = NULL, *model = NULL, *cites_path = NULL;
	struct sc_wood_train_opts to = {1, 0, 0};
	struct ctx c;
	int jobs = 1, opt;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&d, prog);
	sc_cv_init();
	memset(&c, 0, sizeof c);
	sc_wood_refer_defaults(&c.ro);
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("sc-wood %s (model format %d)\n", SC_VERSION, SC_WOOD_MODEL_VERSION);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "train") && strcmp(argv[1], "identify") && strcmp(argv[1], "eval"))) {
		if (argc >= 2)
			fprintf(stderr, "%s: unknown command \"%s\"\n", prog, argv[1]);
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, "hj:o:m:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case O_VERSION:
			printf("sc-wood %s (model format %d)\n", SC_VERSION, SC_WOOD_MODEL_VERSION);
			return 0;
		case 'j':
			jobs = (int)num_arg(optarg, 1, 64, &d, "-j");
			break;
		case 'o':
			out = optarg;
			break;
		case 'm':
			model = optarg;
			break;
		case O_SEED:
			to.seed = (unsigned)num_arg(optarg, 0, 4294967295.0, &d, "--seed");
			break;
		case O_FOLDS:
			to.folds = (int)num_arg(optarg, 2, 20, &d, "--folds");
			break;
		case O_CITES:
			cites_path = optarg;
			break;
		case O_REFER:
			c.refer_dir = optarg;
			break;
		case O_MINS:
			c.ro.min_score = num_arg(optarg, 0, 1, &d, "--min-score");
			break;
		case O_MINM:
			c.ro.min_margin = num_arg(optarg, 0, 1, &d, "--min-margin");
			break;
		case O_CITESS:
			c.ro.cites_score = num_arg(optarg, 0, 1, &d, "--cites-score");
			break;
		default:
			usage(stderr);
			return 2;
		}
		if (d.status == 2)
			return 2;
	}
	argc -= optind;
	argv += optind;

	if (strcmp(cmd, "train") == 0 || strcmp(cmd, "eval") == 0) {
		int is_train = cmd[0] == 't';
		struct sc_error e;
		if (argc != 1 || (is_train && !out)) {
			usage(stderr);
			return 2;
		}
		sc_error_clear(&e);
		struct sc_wood_library *lib = sc_wood_library_scan(argv[0], &d, &e);
		if (!lib) {
			sc_diag_error(&d, &e);
			return 2;
		}
		struct sc_wood_feat *feats = sc_wood_library_analyse(lib, jobs, &d);
		if (!feats) {
			sc_wood_library_free(lib);
			return 2;
		}
		if (is_train) {
			struct sc_wood_model *m = sc_wood_train(lib, feats, &to, &e);
			if (!m || sc_wood_model_save(m, out, &e) < 0) {
				sc_diag_error(&d, &e);
				sc_diag_fatalf(&d, "no model written");
			} else
				fprintf(stderr, "%s: %s: %d taxa, %lu of %zu images\n", prog, out,
				        lib->ntaxa, d.records - d.bad, lib->nimages);
			sc_wood_model_free(m);
		} else {
			struct sc_cites *cites = load_cites(cites_path, &d);
			json_t *rep = cites ? sc_wood_eval(lib, feats, &to, &c.ro, to.folds, cites, &e) : NULL;
			if (!rep) {
				if (cites)
					sc_diag_error(&d, &e);
				d.status = 2;
			} else if (sc_write_record(stdout, rep) < 0 || fflush(stdout) != 0) {
				sc_diag_fatalf(&d, "cannot write to standard output");
			}
			json_decref(rep);
			sc_cites_free(cites);
		}
		sc_wood_feats_free(feats, lib->nimages);
		sc_wood_library_free(lib);
		return sc_diag_finish(&d, "images");
	}

	/* identify */
	if (!model) {
		fprintf(stderr, "%s: identify needs -m MODEL\n", prog);
		usage(stderr);
		return 2;
	}
	struct sc_error e;
	sc_error_clear(&e);
	struct sc_wood_model *m = sc_wood_model_load(model, &e);
	if (!m) {
		sc_diag_error(&d, &e);
		return 2;
	}
	struct sc_cites *cites = load_cites(cites_path, &d);
	if (!cites) {
		sc_wood_model_free(m);
		return 2;
	}
	c.m = m;
	c.cites = cites;
	if (c.refer_dir && mkdir(c.refer_dir, 0777) < 0 && errno != EEXIST) {
		sc_diag_fatalf(&d, "%s: cannot make folder: %s", c.refer_dir, strerror(errno));
		goto done;
	}
	if (argc == 0 || (argc == 1 && strcmp(argv[0], "-") == 0)) {
		struct sc_filter f = {0};
		f.tool = prog;
		f.ns = "wood";
		f.needs = "src";
		f.enrich = enrich;
		f.ctx = &c;
		f.jobs = jobs;
		f.out = stdout;
		f.diag = &d;
		f.progress = 1;
		sc_filter_run(&f, 0, NULL);
	} else {
		/* chunks of images analysed by -j workers, written in argument order */
		for (int start = 0; start < argc && d.status < 2; start += CHUNK) {
			struct chunk k;
			memset(&k, 0, sizeof k);
			k.c = &c;
			k.paths = argv + start;
			k.n = argc - start < CHUNK ? argc - start : CHUNK;
			pthread_mutex_init(&k.mu, NULL);
			pthread_t th[64];
			int started = 0;
			for (int t = 1; t < jobs && t < k.n; t++)
				started += pthread_create(&th[started], NULL, chunk_worker, &k) == 0;
			chunk_worker(&k);
			for (int t = 0; t < started; t++)
				pthread_join(th[t], NULL);
			pthread_mutex_destroy(&k.mu);
			for (int i = 0; i < k.n; i++) {
				d.records++;
				if (k.failed[i]) {
					sc_diag_error(&d, &k.errs[i]);
					d.bad++;
				}
				if (d.status < 2 && sc_write_record(stdout, k.recs[i]) < 0)
					sc_diag_fatalf(&d, "cannot write to standard output");
				json_decref(k.recs[i]);
			}
		}
		if (fflush(stdout) != 0)
			sc_diag_fatalf(&d, "cannot write to standard output");
	}
done:
	sc_cites_free(cites);
	sc_wood_model_free(m);
	return sc_diag_finish(&d, "images");
}
