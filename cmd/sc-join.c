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

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"jobs", required_argument, NULL, 'j'}, {"tolerances", required_argument, NULL, 't'},
		{"shard", required_argument, NULL, 'S'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	struct sc_diag diag;
	struct sc_join_cfg cfg;
	const char *tolpath = NULL;
	int c;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&diag, TOOL);
	memset(&cfg, 0, sizeof cfg);
	cfg.jobs = 1;
	cfg.shards = 1;
	while ((c = getopt_long(argc, argv, "j:t:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (sc_parse_int(optarg, 1, 64, &cfg.jobs) < 0) {
				fprintf(stderr, "%s: -j takes a number from 1 to 64, not \"%s\"\n", TOOL, optarg);
				return 2;
			}
			break;
		case 't':
			tolpath = optarg;
			break;
		case 'S': {
			char *slash = strchr(optarg, '/');
			int k, n;
			if (slash)
				*slash = '\0';
			if (!slash || sc_parse_int(optarg, 0, 1 << 20, &k) < 0 || sc_parse_int(slash + 1, 1, 1 << 20, &n) < 0 ||
			    k >= n) {
				fprintf(stderr, "%s: --shard takes K/N with 0 <= K < N\n", TOOL);
				return 2;
			}
			cfg.shard = k;
			cfg.shards = n;
			break;
		}
		case 'q':
			diag.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", TOOL, SC_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	char dflt[4096];
	if (!tolpath) {
		snprintf(dflt, sizeof dflt, "%s/join.yaml", sc_datadir(argv[0]));
		tolpath = dflt;
	}
	struct sc_join_tol tol;
	struct sc_error err;
	sc_error_clear(&err);
	if (sc_join_tol_load(&tol, tolpath, &err) < 0) {
		char buf[1024];
		sc_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "%s: %s\n", TOOL, buf);
		return 2;
	}
	cfg.tol = &tol;
	cfg.out = stdout;
	cfg.diag = &diag;
	cfg.progress = 1;
	cfg.keep_at_exit = 1;
	sc_join_run(&cfg, argc - optind, argv + optind);
	if (fflush(stdout) != 0 && diag.status < 2)
		sc_diag_fatalf(&diag, "write error on standard output");
	return sc_diag_finish(&diag, "records");
}
