/*
 * sc-ocr - images, PDFs, archives and folders in; one JSON record per page out.
 * The frontend: options, usage, and the exit status; the work is in lib/ocr_run.c.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ocr_run.h"
#include "sc.h"

static void usage(FILE *f)
{
	fputs("usage: sc-ocr [-h] [--version] [-j jobs] [-l lang] [-T list] [--dpi n] [--psm n]\n"
	      "              [--words] [--timing] [--no-osd] [--no-deskew] [--no-upscale]\n"
	      "              [--no-rules] [--no-crop] [--binarize] [--no-text-layer]\n"
	      "              [--tessdata dir] [--line-height px]\n"
	      "              [--reread-conf n] [--max-memory size] [--max-member size]\n"
	      "              [--max-total size] [--max-depth n] [file ...]\n",
	      f);
}

enum { O_DPI = 256, O_PSM, O_WORDS, O_TIMING, O_NO_OSD, O_NO_DESKEW, O_NO_UPSCALE, O_BINARIZE,
       O_NO_TEXT, O_TESSDATA, O_MAX_MEMBER, O_MAX_TOTAL, O_MAX_DEPTH, O_VERSION, O_LINE_PX,
       O_REREAD, O_MAX_MEMORY, O_NO_RULES, O_NO_CROP };

static const struct option longopts[] = {
	{"help", no_argument, NULL, 'h'},       {"version", no_argument, NULL, O_VERSION},
	{"jobs", required_argument, NULL, 'j'}, {"lang", required_argument, NULL, 'l'},
	{"files-from", required_argument, NULL, 'T'},
	{"dpi", required_argument, NULL, O_DPI}, {"psm", required_argument, NULL, O_PSM},
	{"words", no_argument, NULL, O_WORDS},  {"timing", no_argument, NULL, O_TIMING},
	{"no-osd", no_argument, NULL, O_NO_OSD}, {"no-deskew", no_argument, NULL, O_NO_DESKEW},
	{"no-upscale", no_argument, NULL, O_NO_UPSCALE},
	{"binarize", no_argument, NULL, O_BINARIZE},
	{"no-text-layer", no_argument, NULL, O_NO_TEXT},
	{"tessdata", required_argument, NULL, O_TESSDATA},
	{"max-member", required_argument, NULL, O_MAX_MEMBER},
	{"max-total", required_argument, NULL, O_MAX_TOTAL},
	{"max-depth", required_argument, NULL, O_MAX_DEPTH},
	{"line-height", required_argument, NULL, O_LINE_PX},
	{"reread-conf", required_argument, NULL, O_REREAD},
	{"max-memory", required_argument, NULL, O_MAX_MEMORY},
	{"no-rules", no_argument, NULL, O_NO_RULES},
	{"no-crop", no_argument, NULL, O_NO_CROP},
	{NULL, 0, NULL, 0},
};

/* The steps an option turns off or on, for the table-driven flags. */
static int step_option(int c, struct sc_ocr_run *run)
{
	switch (c) {
	case O_NO_OSD: run->ocr.steps &= ~SC_PRE_OSD; return 1;
	case O_NO_DESKEW: run->ocr.steps &= ~SC_PRE_DESKEW; return 1;
	case O_NO_UPSCALE: run->ocr.steps &= ~SC_PRE_UPSCALE; return 1;
	case O_NO_RULES: run->ocr.steps &= ~SC_PRE_RULES; return 1;
	case O_NO_CROP: run->ocr.steps &= ~SC_PRE_CROP; return 1;
	case O_BINARIZE: run->ocr.steps |= SC_PRE_BINARIZE; return 1;
	}
	return 0;
}

/* One option with its value into run; 0, or -1 when the value is not one. */
static int value_option(int c, const char *arg, struct sc_ocr_run *run, const char **list_path)
{
	size_t size;
	int v;

	switch (c) {
	case 'j': return sc_parse_int(arg, 1, 64, &run->jobs);
	case 'l': run->ocr.lang = arg; return 0;
	case 'T': *list_path = arg; return 0;
	case O_DPI: return sc_parse_int(arg, 50, 1200, &run->pdf_dpi);
	case O_PSM: return sc_parse_int(arg, 1, 13, &run->ocr.psm);
	case O_LINE_PX: return sc_parse_int(arg, 10, 200, &run->ocr.line_px);
	case O_REREAD: return sc_parse_int(arg, 0, 100, &run->ocr.reread_conf);
	case O_TESSDATA: run->ocr.tessdata = arg; return 0;
	case O_MAX_MEMORY:
		if (sc_parse_size(arg, &size) < 0 || size < ((size_t)16 << 20))
			return -1;
		run->max_memory = size;
		return 0;
	case O_MAX_MEMBER: return sc_parse_size(arg, &run->limits.max_member);
	case O_MAX_TOTAL: return sc_parse_size(arg, &run->limits.max_total);
	case O_MAX_DEPTH:
		if (sc_parse_int(arg, 0, 16, &v) < 0)
			return -1;
		run->limits.max_depth = v;
		return 0;
	}
	return -1;
}

/* The options into run; -1 to exit 0 (help, version), 2 on a usage error,
 * else 0 with optind at the first path. */
static int options(int argc, char **argv, struct sc_ocr_run *run, const char **list_path,
                   struct sc_diag *diag)
{
	int c;

	while ((c = getopt_long(argc, argv, "hj:l:T:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return -1;
		case O_VERSION:
			printf("sc-ocr %s\n", SC_VERSION);
			return -1;
		case O_WORDS: run->ocr.words = 1; continue;
		case O_TIMING: run->ocr.timing = 1; continue;
		case O_NO_TEXT: run->text_layer = 0; continue;
		case '?':
			usage(stderr);
			return 2;
		}
		if (step_option(c, run))
			continue;
		if (value_option(c, optarg, run, list_path) < 0) {
			for (const struct option *o = longopts; o->name; o++)
				if (o->val == c)
					sc_diag_fatalf(diag, "invalid value for %s%s: %s", c < 256 ? "-" : "--",
					               c < 256 ? (char[]){(char)c, 0} : o->name, optarg);
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sc_diag diag;
	struct sc_ocr_run run;
	const char *list_path = NULL;
	char *std_in[] = {"-"};
	FILE *list = NULL;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int st;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&diag, "sc-ocr");
	sc_ocr_run_init(&run, &diag);
	run.jobs = ncpu > 0 ? (int)ncpu : 1;
	run.progress = 1;
	if ((st = options(argc, argv, &run, &list_path, &diag)) != 0)
		return st < 0 ? 0 : st;
	if (list_path) {
		list = strcmp(list_path, "-") == 0 ? stdin : fopen(list_path, "r");
		if (!list) {
			sc_diag_fatalf(&diag, "%s: cannot open list: %m", list_path);
			return 2;
		}
	}
	sc_stop_install();   /* SIGINT, SIGTERM: the batch ends after the lines already whole */
	run.capture_stderr = 1;
	if (optind == argc && !list)
		sc_ocr_run(&run, std_in, 1, list, list_path);
	else
		sc_ocr_run(&run, argv + optind, argc - optind, list, list_path);
	if (list && list != stdin)
		fclose(list);
	if (run.ocr.timing)
		sc_ocr_times_print(&diag, &run.times);
	if (run.interrupted) {
		fflush(stdout);
		sc_diag_fatalf(&diag, "%s: stopped after %lu pages",
		               run.interrupted == SIGINT ? "interrupted" : "terminated", diag.records);
		sc_stop_now();
	}
	return sc_diag_finish(&diag, "pages");
}
