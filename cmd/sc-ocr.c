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

static volatile sig_atomic_t stop_signal;

/* SIGINT, SIGTERM: the batch ends after the lines already whole. */
static void on_signal(int sig)
{
	stop_signal = sig;
}

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

int main(int argc, char **argv)
{
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
	struct sc_diag diag;
	struct sc_ocr_run run;
	const char *list_path = NULL;
	FILE *list = NULL;
	size_t size;
	int c, v;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&diag, "sc-ocr");
	sc_ocr_run_init(&run, &diag);
	run.jobs = ncpu > 0 ? (int)ncpu : 1;
	run.progress = 1;
	while ((c = getopt_long(argc, argv, "hj:l:T:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case O_VERSION:
			printf("sc-ocr %s\n", SC_VERSION);
			return 0;
		case 'j':
			if (sc_parse_int(optarg, 1, 64, &run.jobs) < 0)
				goto bad_value;
			break;
		case 'l':
			run.ocr.lang = optarg;
			break;
		case 'T':
			list_path = optarg;
			break;
		case O_DPI:
			if (sc_parse_int(optarg, 50, 1200, &run.pdf_dpi) < 0)
				goto bad_value;
			break;
		case O_PSM:
			if (sc_parse_int(optarg, 1, 13, &run.ocr.psm) < 0)
				goto bad_value;
			break;
		case O_LINE_PX:
			if (sc_parse_int(optarg, 10, 200, &run.ocr.line_px) < 0)
				goto bad_value;
			break;
		case O_REREAD:
			if (sc_parse_int(optarg, 0, 100, &run.ocr.reread_conf) < 0)
				goto bad_value;
			break;
		case O_WORDS: run.ocr.words = 1; break;
		case O_TIMING: run.ocr.timing = 1; break;
		case O_NO_OSD: run.ocr.steps &= ~SC_PRE_OSD; break;
		case O_NO_DESKEW: run.ocr.steps &= ~SC_PRE_DESKEW; break;
		case O_NO_UPSCALE: run.ocr.steps &= ~SC_PRE_UPSCALE; break;
		case O_NO_RULES: run.ocr.steps &= ~SC_PRE_RULES; break;
		case O_NO_CROP: run.ocr.steps &= ~SC_PRE_CROP; break;
		case O_BINARIZE: run.ocr.steps |= SC_PRE_BINARIZE; break;
		case O_NO_TEXT: run.text_layer = 0; break;
		case O_TESSDATA: run.ocr.tessdata = optarg; break;
		case O_MAX_MEMORY:
			if (sc_parse_size(optarg, &size) < 0 || size < ((size_t)16 << 20))
				goto bad_value;
			run.max_memory = size;
			break;
		case O_MAX_MEMBER:
		case O_MAX_TOTAL:
			if (sc_parse_size(optarg, &size) < 0)
				goto bad_value;
			if (c == O_MAX_MEMBER)
				run.limits.max_member = size;
			else
				run.limits.max_total = size;
			break;
		case O_MAX_DEPTH:
			if (sc_parse_int(optarg, 0, 16, &v) < 0)
				goto bad_value;
			run.limits.max_depth = v;
			break;
		default:
			usage(stderr);
			return 2;
		}
		continue;
bad_value:
		for (const struct option *o = longopts; o->name; o++)
			if (o->val == c)
				fprintf(stderr, "sc-ocr: invalid value for %s%s: %s\n", c < 256 ? "-" : "--",
				        c < 256 ? (char[]){(char)c, 0} : o->name, optarg);
		usage(stderr);
		return 2;
	}
	if (list_path) {
		list = strcmp(list_path, "-") == 0 ? stdin : fopen(list_path, "r");
		if (!list) {
			sc_diag_fatalf(&diag, "%s: cannot open list: %m", list_path);
			return 2;
		}
	}
	{
		char *std_in[] = {"-"};
		int n = argc - optind;
		char **paths = argv + optind;
		if (n == 0 && !list) {
			paths = std_in;
			n = 1;
		}
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		run.stop = &stop_signal;
		run.capture_stderr = 1;
		sc_ocr_run(&run, paths, n, list, list_path);
	}
	if (list && list != stdin)
		fclose(list);
	if (run.ocr.timing) {
		const struct sc_ocr_times *t = &run.times;
		fprintf(stderr, "sc-ocr: CPU seconds by stage: decode %.2f, osd %.2f, deskew %.2f, "
		        "scale %.2f, recognize %.2f, reread %.2f, output %.2f\n", t->decode / 1000,
		        t->osd / 1000, t->deskew / 1000, t->scale / 1000, t->recognize / 1000,
		        t->reread / 1000, t->output / 1000);
	}
	if (run.interrupted) {
		fflush(stdout);
		fprintf(stderr, "sc-ocr: %s: stopped after %lu pages\n",
		        stop_signal == SIGINT ? "interrupted" : "terminated", diag.records);
		return 128 + (int)stop_signal;
	}
	return sc_diag_finish(&diag, "pages");
}
