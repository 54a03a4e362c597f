/*
 * sc-join - one record per consignment from the records of every tool: the
 * declaration as filed against its documents, wood samples and scans.
 * Options, usage, the run and the exit status only.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "join_run.h"

#define TOOL "sc-join"

static void usage(FILE *f)
{
	fprintf(f, "usage: sc-join [-q] [-j jobs] [-t tolerances] [--shard K/N] [file ...]\n"
	           "       sc-join -h | --version\n");
}

/* --shard K/N: 0, or -1 when it is not one. */
static int shard_option(char *arg, struct sc_join_cfg *cfg)
{
	char *slash = strchr(arg, '/');
	int k, n;

	if (!slash)
		return -1;
	*slash = '\0';
	if (sc_parse_int(arg, 0, 1 << 20, &k) < 0 || sc_parse_int(slash + 1, 1, 1 << 20, &n) < 0 ||
	    k >= n)
		return -1;
	cfg->shard = k;
	cfg->shards = n;
	return 0;
}

/* The options into cfg: 0 to run, 1 to exit 0 (--help, --version), 2 on a
 * usage error (reported). */
static int options(int argc, char **argv, struct sc_join_cfg *cfg, const char **tolpath)
{
	static const struct option lo[] = {
		{"jobs", required_argument, NULL, 'j'}, {"tolerances", required_argument, NULL, 't'},
		{"shard", required_argument, NULL, 'S'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "j:t:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (sc_parse_int(optarg, 1, 64, &cfg->jobs) == 0)
				break;
			sc_diag_fatalf(cfg->diag, "-j takes a number from 1 to 64, not \"%s\"", optarg);
			return 2;
		case 't':
			*tolpath = optarg;
			break;
		case 'S':
			if (shard_option(optarg, cfg) == 0)
				break;
			sc_diag_fatalf(cfg->diag, "--shard takes K/N with 0 <= K < N");
			return 2;
		case 'q':
			cfg->diag->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("%s %s\n", TOOL, SC_VERSION);
			return 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sc_diag diag;
	struct sc_join_cfg cfg = {.jobs = 1, .shards = 1, .out = stdout, .diag = &diag,
	                          .progress = 1, .keep_at_exit = 1};
	struct sc_join_tol tol;
	struct sc_error err;
	const char *tolpath = NULL;
	char dflt[4096];
	int rc;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&diag, TOOL);
	if ((rc = options(argc, argv, &cfg, &tolpath)) != 0)
		return rc == 1 ? 0 : rc;
	if (!tolpath) {
		snprintf(dflt, sizeof dflt, "%s/join.yaml", sc_datadir(argv[0]));
		tolpath = dflt;
	}
	sc_error_clear(&err);
	if (sc_join_tol_load(&tol, tolpath, &err) < 0) {
		sc_diag_error(&diag, &err);
		return 2;
	}
	cfg.tol = &tol;
	sc_join_run(&cfg, argc - optind, argv + optind);
	if (diag.status < 2)
		sc_diag_flush(&diag, stdout, "standard output");
	return sc_diag_finish(&diag, "records");
}
