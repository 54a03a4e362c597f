/*
 * sc-scan - a first reading of container X-ray transmission images, held
 * against their declarations. The frontend: options, usage, files or records
 * in, one record out for each, and the exit status; the work is in lib/scan*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "filter.h"
#include "progress.h"
#include "scan.h"
#include "sha256.h"

static const char *prog = "sc-scan";

static void usage(FILE *f)
{
	fputs("usage: sc-scan [-h] [--version] [-j jobs] [--overlay dir] [--calibration file]\n"
	      "               [--bits n] [--rules dir] [file ...]\n",
	      f);
}

struct ctx {
	struct sc_scan_cfg cfg;
	const char *overlay;
	const char *base;     /* folder of the records file: relative src.path is read from there */
};

/* Read and judge the image at path; the scan value, errors appended to rec. */
static int scan_one(const struct ctx *c, json_t *rec, const char *path, const char *shown,
                    json_t **value, int own_envelope, struct sc_error *err)
{
	unsigned char *data = NULL;
	size_t len = 0;
	struct sc_scan_reading r;
	json_t *decl = json_object_get(rec, "decl");
	char sha[65];

	if (sc_read_file(path, c->cfg.max_bytes, &data, &len, err) < 0)
		return -1;
	sc_sha256_hex(data, len, sha);
	if (own_envelope) {
		char id[17];
		snprintf(id, sizeof id, "%.16s", sha);
		json_object_set_new(rec, "id", json_string(id));
		json_object_set_new(json_object_get(rec, "src"), "sha256", json_string(sha));
	}
	if (sc_scan_read(&c->cfg, shown, data, len, &r, err) < 0) {
		free(data);
		return -1;
	}
	free(data);
	for (int i = 0; i < r.nwarn; i++)
		sc_record_add_error(rec, prog, &r.warn[i]);
	*value = sc_scan_judge(&c->cfg, &r, decl, r.nwarn > 0);
	if (c->overlay) {
		char out[PATH_MAX], stem[256];
		const char *b = strrchr(shown, '/');
		snprintf(stem, sizeof stem, "%s", b ? b + 1 : shown);
		char *dot = strrchr(stem, '.');
		if (dot)
			*dot = 0;
		snprintf(out, sizeof out, "%s/%.200s-%.8s.png", c->overlay, stem, sha);
		if (sc_scan_overlay(&r, out, err) < 0) {
			sc_record_add_error(rec, prog, err);
			sc_error_clear(err);
		} else
			json_object_set_new(*value, "overlay", json_string(out));
	}
	sc_scan_reading_clear(&r);
	return 0;
}

static int enrich(void *ctx, void *state, json_t *rec, json_t **value, struct sc_error *err)
{
	struct ctx *c = ctx;
	json_t *p = sc_json_path(rec, "src.path");
	char full[PATH_MAX];
	const char *path;
	(void)state;
	if (!json_is_string(p)) {
		json_object_set_new(rec, "scan", sc_scan_unread(json_object_get(rec, "decl"),
		                    &(struct sc_error){.code = "no-image"}));
		return sc_error_set(err, NULL, 0, 0, "no-image", "record has no src.path naming an image");
	}
	path = json_string_value(p);
	if (path[0] != '/' && c->base && strcmp(c->base, ".") != 0) {
		snprintf(full, sizeof full, "%s/%s", c->base, path);
		path = full;
	}
	if (scan_one(c, rec, path, path, value, 0, err) < 0) {
		char msg[sizeof err->msg];
		/* the filter names the records file and line; the message names the image */
		snprintf(msg, sizeof msg, "%.200s: %.300s", err->file[0] ? err->file : path, err->msg);
		snprintf(err->msg, sizeof err->msg, "%s", msg);
		err->file[0] = 0;
		err->line = 0;
		json_object_set_new(rec, "scan", sc_scan_unread(json_object_get(rec, "decl"), err));
		return -1;
	}
	return 0;
}

#define CHUNK 16

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
		json_t *v = NULL;
		pthread_mutex_lock(&k->mu);
		int i = k->next++;
		pthread_mutex_unlock(&k->mu);
		if (i >= k->n)
			return NULL;
		k->recs[i] = json_pack("{s:n,s:{s:s}}", "id", "src", "path", k->paths[i]);
		sc_error_clear(&k->errs[i]);
		size_t before = 0;
		if (scan_one(k->c, k->recs[i], k->paths[i], k->paths[i], &v, 1, &k->errs[i]) < 0) {
			sc_record_add_error(k->recs[i], prog, &k->errs[i]);
			json_object_set_new(k->recs[i], "scan", sc_scan_unread(NULL, &k->errs[i]));
			k->failed[i] = 1;
		} else {
			before = json_array_size(json_object_get(k->recs[i], "errors"));
			json_object_set_new(k->recs[i], "scan", v);
			k->failed[i] = before > 0 ? 2 : 0;
		}
	}
}

static int looks_like_image(const char *path)
{
	unsigned char b[8];
	size_t n;
	FILE *f;
	if (strcmp(path, "-") == 0)
		return 0;
	f = fopen(path, "rb");
	if (!f)
		return 0;
	n = fread(b, 1, sizeof b, f);
	fclose(f);
	return sc_scan_is_image(b, n);
}

static void run_images(struct ctx *c, char **paths, int n, int jobs, struct sc_diag *d,
                       struct sc_progress *pr)
{
	for (int start = 0; start < n && d->status < 2; start += CHUNK) {
		struct chunk k;
		pthread_t th[64];
		int started = 0;
		memset(&k, 0, sizeof k);
		k.c = c;
		k.paths = paths + start;
		k.n = n - start < CHUNK ? n - start : CHUNK;
		pthread_mutex_init(&k.mu, NULL);
		for (int t = 1; t < jobs && t < k.n; t++)
			started += pthread_create(&th[started], NULL, chunk_worker, &k) == 0;
		chunk_worker(&k);
		for (int t = 0; t < started; t++)
			pthread_join(th[t], NULL);
		pthread_mutex_destroy(&k.mu);
		for (int i = 0; i < k.n; i++) {
			d->records++;
			if (k.failed[i] == 1)
				sc_diag_error(d, &k.errs[i]);
			if (k.failed[i]) {
				d->bad++;
				if (d->status < 1)
					d->status = 1;
			}
			if (d->status < 2 && sc_write_record(stdout, k.recs[i]) < 0)
				sc_diag_fatalf(d, "cannot write to standard output");
			json_decref(k.recs[i]);
		}
		sc_progress_update(pr, d->records);
	}
}

enum { O_OVERLAY = 256, O_CALIB, O_BITS, O_RULES, O_VERSION };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, O_VERSION},
		{"jobs", required_argument, NULL, 'j'},
		{"overlay", required_argument, NULL, O_OVERLAY},
		{"calibration", required_argument, NULL, O_CALIB},
		{"bits", required_argument, NULL, O_BITS},
		{"rules", required_argument, NULL, O_RULES},
		{NULL, 0, NULL, 0},
	};
	struct sc_diag d;
	struct ctx c;
	struct sc_error e;
	const char *rules = NULL, *calib = NULL;
	int jobs = 1, opt, bits = 0;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&d, prog);
	sc_cv_init();
	memset(&c, 0, sizeof c);
	sc_scan_cfg_defaults(&c.cfg);
	while ((opt = getopt_long(argc, argv, "hj:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case O_VERSION:
			printf("sc-scan %s (scan namespace v%d)\n", SC_VERSION, SC_SCAN_VERSION);
			return 0;
		case 'j':
			if (sc_parse_int(optarg, 1, 64, &jobs) < 0) {
				fprintf(stderr, "%s: invalid value for -j: %s\n", prog, optarg);
				usage(stderr);
				return 2;
			}
			break;
		case O_OVERLAY:
			c.overlay = optarg;
			break;
		case O_CALIB:
			calib = optarg;
			break;
		case O_BITS:
			if (sc_parse_int(optarg, 8, 16, &bits) < 0 || (bits != 8 && bits != 16)) {
				fprintf(stderr, "%s: invalid value for --bits: %s (8 or 16)\n", prog, optarg);
				usage(stderr);
				return 2;
			}
			break;
		case O_RULES:
			rules = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	c.cfg.expect_bits = bits == 16 ? 16 : 0;
	sc_error_clear(&e);
	if (sc_scan_cfg_load(&c.cfg, rules ? rules : sc_datadir(prog), &e) < 0) {
		sc_diag_error(&d, &e);
		sc_diag_fatalf(&d, "cannot read the scan tables (rules/scan/)");
		return 2;
	}
	if (calib && sc_scan_calib_load(&c.cfg.calib, calib, &e) < 0) {
		sc_diag_error(&d, &e);
		sc_diag_fatalf(&d, "cannot read the calibration");
		sc_scan_cfg_clear(&c.cfg);
		return 2;
	}
	if (c.overlay && mkdir(c.overlay, 0777) < 0 && errno != EEXIST) {
		sc_diag_fatalf(&d, "%s: cannot make folder: %s", c.overlay, strerror(errno));
		sc_scan_cfg_clear(&c.cfg);
		return 2;
	}
	char *std_in[] = {"-"};
	if (argc == 0) {
		argv = std_in;
		argc = 1;
	}
	int nimages = 0;
	for (int i = 0; i < argc; i++)
		nimages += looks_like_image(argv[i]);
	struct sc_progress *pr = nimages ? sc_progress_new(prog, "images", (unsigned long)nimages) : NULL;
	/* arguments in order: runs of images together, each records file alone */
	for (int i = 0; i < argc && d.status < 2;) {
		if (looks_like_image(argv[i])) {
			int j = i;
			while (j < argc && looks_like_image(argv[j]))
				j++;
			run_images(&c, argv + i, j - i, jobs, &d, pr);
			i = j;
			continue;
		}
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", argv[i]);
		c.base = strcmp(argv[i], "-") == 0 ? NULL : dirname(dir);
		struct sc_filter f = {0};
		f.tool = prog;
		f.ns = "scan";
		f.needs = "src";
		f.enrich = enrich;
		f.ctx = &c;
		f.jobs = jobs;
		f.out = stdout;
		f.diag = &d;
		f.progress = !nimages;
		sc_filter_run(&f, 1, &argv[i]);
		i++;
	}
	sc_progress_free(pr);
	if (fflush(stdout) != 0)
		sc_diag_fatalf(&d, "cannot write to standard output");
	sc_scan_cfg_clear(&c.cfg);
	return sc_diag_finish(&d, nimages ? "images" : "records");
}
