/*
 * sc-risk.c - STAND-IN of the import branch: dispatches only `learn` and `eval`
 * (cmd/sc-risk-learn.c) so they can be tested here; the lead replaces it at
 * merge with the risk developer's sc-risk, which dispatches the same.
 */
#include <stdio.h>
#include <string.h>

#include "sc.h"
#include "sc-risk-learn.h"

static void usage(FILE *fp)
{
	fputs("usage: sc-risk learn --label PATH [options] [FILE ...]\n"
	      "       sc-risk eval --label PATH [options] [FILE ...]\n", fp);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "learn") == 0)
		return risk_learn_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "eval") == 0)
		return risk_eval_main(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("sc-risk %s\n", SC_VERSION);
		return 0;
	}
	usage(stderr);
	return 2;
}
