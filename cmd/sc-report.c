/*
 * sc-report - the end of the pipe: reads any records of the toolchain and
 * writes one report (text, md, html, json) or one CSV row per record; with
 * --baseline the change of every figure, with --fail-if an exit status for CI.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
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

int main(int argc, char **argv)
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
	struct sc_report_opts o = { .top = 20, .ocr_min = 60 };
	enum sc_report_format fmt = SC_REPORT_TEXT;
	const char *columns = NULL, *basefile = NULL, *failif = NULL, *outpath = NULL;
	struct sc_outfile *of = NULL;
	int csv = 0, ch, status;
	struct sc_diag d;
	struct sc_error err;
	struct sc_failif *expr = NULL;
	struct sc_report *rep = NULL;
	struct sc_report_csv *cw = NULL;
	struct sc_progress *prog = NULL;
	json_t *baseline = NULL, *summary = NULL;
	FILE *out = stdout;
	char *end;

	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&d, PROG);
	while ((ch = getopt_long(argc, argv, "f:o:n:c:b:F:t:l:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (sc_report_format_parse(optarg, &fmt, &csv) < 0) {
				fprintf(stderr, PROG ": unknown format \"%s\" (text, md, html, csv, json)\n", optarg);
				return 2;
			}
			break;
		case 'o': outpath = optarg; break;
		case 'n':
			if (sc_parse_int(optarg, 1, SC_REPORT_TOP_MAX, &o.top) < 0) {
				fprintf(stderr, PROG ": -n wants a number from 1 to %d\n", SC_REPORT_TOP_MAX);
				return 2;
			}
			break;
		case 'c': columns = optarg; break;
		case 'b': basefile = optarg; break;
		case 'F': failif = optarg; break;
		case 't': o.title = optarg; break;
		case 'l': o.label = optarg; break;
		case 'M':
			o.ocr_min = strtod(optarg, &end);
			if (end == optarg || *end || !(o.ocr_min >= 0 && o.ocr_min <= 100)) {
				fprintf(stderr, PROG ": --ocr-min wants a confidence from 0 to 100\n");
				return 2;
			}
			break;
		case 'q': d.quiet = 1; break;
		case 'G':
			for (int i = 0; sc_report_figures[i].name; i++)
				printf("%-22s %s\n", sc_report_figures[i].name, sc_report_figures[i].what);
			return 0;   /* a failed write is caught at exit (lib/diag.c) */
		case 'h': usage(stdout); return 0;
		case 'V': printf(PROG " %s\n", SC_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (columns && !csv) {
		fprintf(stderr, PROG ": -c applies to -f csv only\n");
		return 2;
	}

	/* everything that can be wrong with the command line fails before any input is read */
	sc_error_clear(&err);
	if (failif && !(expr = sc_failif_compile(failif, &err))) {
		sc_diag_error(&d, &err);
		return 2;
	}
	if (expr && sc_failif_needs_base(expr) && !basefile) {
		fprintf(stderr, PROG ": --fail-if uses base.* figures: give --baseline\n");
		sc_failif_free(expr);
		return 2;
	}
	if (basefile && sc_report_baseline_load(basefile, &baseline, &err) < 0) {
		sc_diag_error(&d, &err);
		sc_failif_free(expr);
		return 2;
	}
	if (csv && !(cw = sc_report_csv_new(columns, &err))) {
		sc_diag_error(&d, &err);
		d.status = 2;
		goto done;
	}
	if (!(rep = sc_report_new(&o))) {
		sc_diag_fatalf(&d, "out of memory");
		goto done;
	}
	if (outpath) {
		if (sc_outfile_open(outpath, &of, &err) < 0) {
			sc_diag_error(&d, &err);
			d.status = 2;
			goto done;
		}
		out = sc_outfile_fp(of);
	}
	if (cw && sc_report_csv_header(out, cw) < 0) {
		sc_diag_fatalf(&d, "write error: %s", strerror(errno));
		goto done;
	}

	prog = sc_progress_new(PROG, "records", 0);
	for (int i = optind; i < argc || i == optind; i++) {
		const char *path = i < argc ? argv[i] : "-";
		struct sc_reader *r = sc_reader_open(path, 0, &err);
		const char *line;
		size_t len;
		int st;

		if (!r) {
			sc_diag_fatalf(&d, "%s: %s", path, err.msg);
			continue;
		}
		while ((st = sc_reader_next_line(r, &line, &len, &err)) != 0) {
			json_t *rec = NULL;
			if (st == -2) {
				sc_diag_fatalf(&d, "%s: %s", path, err.msg);
				break;
			}
			if (st == 1 && sc_parse_line(sc_reader_name(r), sc_reader_lineno(r), line, len,
			                             &rec, &err) == 0) {
				sc_report_add(rep, rec);
			} else {
				/* a bad line is counted, named, and (in csv) still has its row */
				sc_diag_error(&d, &err);
				sc_report_add_bad(rep, &err);
				d.bad++;
				if (cw)
					rec = sc_record_for_bad_line(PROG, &err);
			}
			d.records++;
			if (cw && rec && sc_report_csv_row(out, cw, rec) < 0) {
				json_decref(rec);
				sc_diag_fatalf(&d, "write error: %s", strerror(errno));
				sc_reader_free(r);
				goto done;
			}
			json_decref(rec);
			if ((d.records & 4095) == 0)
				sc_progress_update(prog, d.records);
		}
		sc_reader_free(r);
	}
	sc_progress_free(prog);
	prog = NULL;

	summary = sc_report_summary(rep, baseline);
	if (!summary) {
		sc_diag_fatalf(&d, "out of memory");
		goto done;
	}
	if (!cw && sc_report_render(out, fmt, summary, baseline, &err) < 0) {
		sc_diag_fatalf(&d, "%s", err.msg);
		goto done;
	}
	if (of) {
		out = stdout;
		if (d.status >= 2)
			goto done;   /* an input could not be read: OUT keeps its last whole report */
		if (sc_outfile_commit(of, &err) < 0) {
			sc_diag_error(&d, &err);
			d.status = 2;
			goto done;
		}
	} else if (fflush(out) == EOF || ferror(out)) {
		sc_diag_fatalf(&d, "write error: %s", strerror(errno));
		goto done;
	}

done:
	sc_progress_free(prog);
	sc_outfile_free(of);
	status = sc_diag_finish(&d, "input lines");
	if (expr && summary && status < 2 &&
	    sc_failif_eval(expr, json_object_get(summary, "figures"),
	                 baseline ? json_object_get(baseline, "figures") : NULL) != 0) {
		fprintf(stderr, PROG ": --fail-if holds: %s\n", failif);
		status = 3;
	}
	json_decref(summary);
	json_decref(baseline);
	sc_failif_free(expr);
	sc_report_csv_free(cw);
	sc_report_free(rep);
	return status;
}
