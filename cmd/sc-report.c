/*
 * sc-report - the end of the pipe: reads any records of the toolchain and
 * writes one report (text, md, html, json) or one CSV row per record; with
 * --baseline the change of every figure, with --fail-if an exit status for CI.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "report.h"
#include "sc.h"

#define PROG "sc-report"

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: sc-report [-q] [-f format] [-o file] [-n top] [-c columns] [-b baseline]\n"
	        "                 [-F expr] [-t title] [-l label] [--ocr-min conf] [file ...]\n"
	        "       sc-report --figures\n"
	        "  -f, --format F     text (default), md, html, csv, json\n"
	        "  -o, --output FILE  write the report to FILE (replaced when complete)\n"
	        "  -n, --top N        rows per top list (default 20, at most %d)\n"
	        "  -c, --columns C    csv columns: comma-separated paths, PATH[].FIELD joins an array\n"
	        "  -b, --baseline F   a previous -f json output: show the change of every figure\n"
	        "  -F, --fail-if EXPR exit 3 when EXPR over the figures holds\n"
	        "  -t, --title T      the report's title\n"
	        "  -l, --label L      this run's name in the trend (e.g. a date)\n"
	        "      --ocr-min C    OCR confidence (0..100) below which a page is low (default 60)\n"
	        "  -q, --quiet        no messages for bad input lines (still counted)\n"
	        "      --figures      list the figure names --fail-if can use\n"
	        "  -h, --help, --version\n", SC_REPORT_TOP_MAX);
}

struct args {
	struct sc_report_opts o;
	enum sc_report_format fmt;
	int csv;
	const char *columns, *basefile, *failif, *outpath;
};

/* The options: -1 to go on, else the exit status. */
static int options(int argc, char **argv, struct sc_diag *d, struct args *a)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "top", required_argument, NULL, 'n' },
		{ "columns", required_argument, NULL, 'c' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "fail-if", required_argument, NULL, 'F' },
		{ "title", required_argument, NULL, 't' },
		{ "label", required_argument, NULL, 'l' },
		{ "ocr-min", required_argument, NULL, 'M' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "figures", no_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "f:o:n:c:b:F:t:l:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (sc_report_format_parse(optarg, &a->fmt, &a->csv) < 0) {
				sc_diag_fatalf(d, "unknown format \"%s\" (text, md, html, csv, json)", optarg);
				return 2;
			}
			break;
		case 'o': a->outpath = optarg; break;
		case 'n':
			if (sc_parse_int(optarg, 1, SC_REPORT_TOP_MAX, &a->o.top) < 0) {
				sc_diag_fatalf(d, "-n wants a number from 1 to %d", SC_REPORT_TOP_MAX);
				return 2;
			}
			break;
		case 'c': a->columns = optarg; break;
		case 'b': a->basefile = optarg; break;
		case 'F': a->failif = optarg; break;
		case 't': a->o.title = optarg; break;
		case 'l': a->o.label = optarg; break;
		case 'M':
			if (sc_parse_double(optarg, 0, 100, &a->o.ocr_min) < 0) {
				sc_diag_fatalf(d, "--ocr-min wants a confidence from 0 to 100");
				return 2;
			}
			break;
		case 'q': d->quiet = 1; break;
		case 'G':
			for (int i = 0; sc_report_figures[i].name; i++)
				printf("%-22s %s\n", sc_report_figures[i].name, sc_report_figures[i].what);
			return 0;   /* a failed write is caught at exit (lib/diag.c) */
		case 'h': usage(stdout); return 0;
		case 'V': printf(PROG " %s\n", SC_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (a->columns && !a->csv) {
		sc_diag_fatalf(d, "-c applies to -f csv only");
		return 2;
	}
	return -1;
}

/* Every record into the report (and, in csv, its row); a bad line is counted,
 * named, and in csv still has its row. 0, or -1 on a failed write. */
static int read_all(struct sc_diag *d, int nfiles, char **files, struct sc_report *rep,
                    struct sc_report_csv *cw, FILE *out)
{
	static const struct sc_input_opts io = { .unreadable_fatal = 1, .progress = "records" };
	struct sc_input *in = sc_input_new(nfiles, files, d, &io);
	json_t *rec;
	int st, ret = 0;

	if (!in)
		return -1;
	while ((st = sc_input_next(in, &rec)) != 0) {
		if (st == 1) {
			sc_report_add(rep, rec);
		} else {
			sc_report_add_bad(rep, sc_input_error(in));
			if (cw)
				rec = sc_record_for_bad_line(PROG, sc_input_error(in));
		}
		if (cw && rec && sc_report_csv_row(out, cw, rec) < 0) {
			json_decref(rec);
			ret = -1;
			break;
		}
		json_decref(rec);
	}
	sc_input_free(in);
	return ret;
}

/* The report written to out, and OUT replaced when all went well. */
static void write_report(struct sc_diag *d, const struct args *a, int nfiles, char **files,
                         struct sc_report *rep, json_t *baseline, json_t **summary)
{
	const char *outname = a->outpath ? a->outpath : "standard output";
	struct sc_report_csv *cw = NULL;
	struct sc_outfile *of = NULL;
	struct sc_error err;
	FILE *out = stdout;

	sc_error_clear(&err);
	if (a->csv && !(cw = sc_report_csv_new(a->columns, &err))) {
		sc_diag_error(d, &err);
		d->status = 2;
		return;
	}
	if (a->outpath) {
		if (sc_outfile_open(a->outpath, &of, &err) < 0) {
			sc_diag_error(d, &err);
			d->status = 2;
			goto done;
		}
		out = sc_outfile_fp(of);
	}
	if ((cw && sc_report_csv_header(out, cw) < 0) ||
	    read_all(d, nfiles, files, rep, cw, out) < 0) {
		if (sc_diag_flush(d, out, outname) == 0)
			sc_diag_fatalf(d, "write error on %s", outname);
		goto done;
	}
	if (!(*summary = sc_report_summary(rep, baseline))) {
		sc_diag_fatalf(d, "out of memory");
		goto done;
	}
	if (!cw && sc_report_render(out, a->fmt, *summary, baseline, &err) < 0) {
		if (sc_diag_flush(d, out, outname) == 0)
			sc_diag_fatalf(d, "%s", err.msg);
		goto done;
	}
	if (sc_diag_flush(d, out, outname) < 0 || !of || d->status >= 2)
		goto done;   /* an input could not be read: OUT keeps its last whole report */
	if (sc_outfile_commit(of, &err) < 0) {
		sc_diag_error(d, &err);
		d->status = 2;
	}
done:
	sc_outfile_free(of);
	sc_report_csv_free(cw);
}

int main(int argc, char **argv)
{
	struct args a = { .o = { .top = 20, .ocr_min = 60 }, .fmt = SC_REPORT_TEXT };
	struct sc_diag d;
	struct sc_error err;
	struct sc_failif *expr = NULL;
	struct sc_report *rep = NULL;
	json_t *baseline = NULL, *summary = NULL;
	int status;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&d, PROG);
	if ((status = options(argc, argv, &d, &a)) >= 0)
		return status;
	/* everything that can be wrong with the command line fails before any input is read */
	sc_error_clear(&err);
	if (a.failif && !(expr = sc_failif_compile(a.failif, &err))) {
		sc_diag_error(&d, &err);
		return 2;
	}
	if (expr && sc_failif_needs_base(expr) && !a.basefile) {
		sc_diag_fatalf(&d, "--fail-if uses base.* figures: give --baseline");
		sc_failif_free(expr);
		return 2;
	}
	if (a.basefile && sc_report_baseline_load(a.basefile, &baseline, &err) < 0) {
		sc_diag_error(&d, &err);
		sc_failif_free(expr);
		return 2;
	}
	if (!(rep = sc_report_new(&a.o)))
		sc_diag_fatalf(&d, "out of memory");
	else
		write_report(&d, &a, argc - optind, argv + optind, rep, baseline, &summary);
	status = sc_diag_finish(&d, "input lines");
	if (expr && summary && status < 2 &&
	    sc_failif_eval(expr, json_object_get(summary, "figures"),
	                 baseline ? json_object_get(baseline, "figures") : NULL) != 0) {
		sc_diag_notef(&d, "--fail-if holds: %s", a.failif);
		status = 3;
	}
	json_decref(summary);
	json_decref(baseline);
	sc_failif_free(expr);
	sc_report_free(rep);
	return status;
}
