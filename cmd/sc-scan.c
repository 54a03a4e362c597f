/*
 * sc-scan - a first reading of container X-ray transmission images, held
 * against their declarations. The frontend: options, usage, files or records
 * in, one record out for each, and the exit status; the work is in lib/scan*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "filter.h"
#include "scan_run.h"

static const char *prog = "sc-scan";

static void usage(FILE *f)
{
	fputs("usage: sc-scan [-h] [--version] [-j jobs] [--overlay dir] [--calibration file]\n"
	      "               [--bits n] [--rules dir] [file ...]\n",
	      f);
}

enum { O_OVERLAY = 256, O_CALIB, O_BITS, O_RULES, O_VERSION };

struct args { const char *rules, *calib; int bits; };

/* The options: -1 to go on, else the exit status. */
static int options(int argc, char **argv, struct sc_scan_run *c, struct args *a)
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
	int opt;

	while ((opt = getopt_long(argc, argv, "hj:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case O_VERSION:
			printf("sc-scan %s (scan namespace v%d)\n", SC_VERSION, SC_SCAN_VERSION);
			return 0;
		case 'j':
			if (sc_parse_int(optarg, 1, 64, &c->jobs) < 0) {
				sc_diag_fatalf(c->diag, "invalid value for -j: %s", optarg);
				usage(stderr);
				return 2;
			}
			break;
		case O_OVERLAY:
			c->overlay = optarg;
			break;
		case O_CALIB:
			a->calib = optarg;
			break;
		case O_BITS:
			if (sc_parse_int(optarg, 8, 16, &a->bits) < 0 || (a->bits != 8 && a->bits != 16)) {
				sc_diag_fatalf(c->diag, "invalid value for --bits: %s (8 or 16)", optarg);
				usage(stderr);
				return 2;
			}
			break;
		case O_RULES:
			a->rules = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	return -1;
}

/* The tables, the calibration and the overlay folder: 0, or -1 reported. */
static int setup(struct sc_scan_run *c, const struct args *a)
{
	struct sc_error e;

	sc_error_clear(&e);
	c->cfg.expect_bits = a->bits == 16 ? 16 : 0;
	if (sc_scan_cfg_load(&c->cfg, a->rules ? a->rules : sc_datadir(prog), &e) < 0) {
		sc_diag_error(c->diag, &e);
		sc_diag_fatalf(c->diag, "cannot read the scan tables (rules/scan/)");
		return -1;
	}
	if (a->calib && sc_scan_calib_load(&c->cfg.calib, a->calib, &e) < 0) {
		sc_diag_error(c->diag, &e);
		sc_diag_fatalf(c->diag, "cannot read the calibration");
		return -1;
	}
	if (c->overlay && mkdir(c->overlay, 0777) < 0 && errno != EEXIST) {
		sc_diag_fatalf(c->diag, "%s: cannot make folder: %s", c->overlay, strerror(errno));
		return -1;
	}
	return 0;
}

/* One records file through the filter: the images it names are read from its folder. */
static void run_records(struct sc_scan_run *c, char *path, int progress)
{
	char dir[PATH_MAX];
	struct sc_filter f = {0};

	snprintf(dir, sizeof dir, "%s", path);
	c->base = strcmp(path, "-") == 0 ? NULL : dirname(dir);
	f.tool = prog;
	f.ns = "scan";
	f.needs = "src";
	f.enrich = sc_scan_run_enrich;
	f.ctx = c;
	f.jobs = c->jobs;
	f.out = stdout;
	f.diag = c->diag;
	f.progress = progress;
	sc_filter_run(&f, 1, &path);
	c->base = NULL;
}

int main(int argc, char **argv)
{
	struct sc_diag d;
	struct sc_scan_run c;
	struct args a = {0};
	struct sc_progress *pr;
	char *std_in[] = {"-"};
	int st, nimages = 0;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&d, prog);
	sc_cv_init();
	memset(&c, 0, sizeof c);
	c.jobs = 1;
	c.diag = &d;
	c.out = stdout;
	sc_scan_cfg_defaults(&c.cfg);
	if ((st = options(argc, argv, &c, &a)) >= 0)
		return st;
	argc -= optind;
	argv += optind;
	if (setup(&c, &a) < 0) {
		sc_scan_cfg_clear(&c.cfg);
		return 2;
	}
	if (argc == 0) {
		argv = std_in;
		argc = 1;
	}
	for (int i = 0; i < argc; i++)
		nimages += sc_scan_run_is_image(argv[i]);
	pr = nimages ? sc_progress_new(prog, "images", (unsigned long)nimages) : NULL;
	/* arguments in order: runs of images together, each records file alone */
	for (int i = 0; i < argc && d.status < 2;) {
		int j = i;
		while (j < argc && sc_scan_run_is_image(argv[j]))
			j++;
		if (j > i) {
			sc_scan_run_images(&c, argv + i, j - i, pr);
			i = j;
		} else {
			run_records(&c, argv[i++], !nimages);
		}
	}
	sc_progress_free(pr);
	if (d.status < 2)
		sc_diag_flush(&d, stdout, "standard output");
	sc_scan_cfg_clear(&c.cfg);
	return sc_diag_finish(&d, nimages ? "images" : "records");
}
