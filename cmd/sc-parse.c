/*
 * sc-parse - key elements of trade documents from sc-ocr records (or plain
 * text): one record per document with "parse", or with --group-by one per
 * consignment with "parse" (documents, checks) and "decl".
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "parse_run.h"
#include "sc-parse-learn.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: sc-parse [-q] [-j jobs] [-g ref|file|dir|none] [-t dir] [-T file] [--hs file] [--mdy]\n"
	        "                [--model FILE | --no-model] [--text] [file ...]\n"
	        "       sc-parse --check [-t dir] [-T file] [--model FILE]\n"
	        "       sc-parse learn -o MODEL --truth DIR[:TYPE] [--seed N] [file ...]\n");
}

struct opts {
	enum sc_pgroup_by group;
	const char *tdir, *hs, *model, *extra[64];
	int nextra, no_model, text, check, mdy, quiet, jobs;
	struct sc_diag *diag;
};

/* The options: 0 to run, 1 to exit 0 (--help, --version), -1 to exit 2. */
static int get_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"group-by", required_argument, NULL, 'g'}, {"templates", required_argument, NULL, 't'},
		{"template", required_argument, NULL, 'T'}, {"hs", required_argument, NULL, 'H'},
		{"mdy", no_argument, NULL, 'M'}, {"text", no_argument, NULL, 'X'},
		{"check", no_argument, NULL, 'C'}, {"quiet", no_argument, NULL, 'q'},
		{"jobs", required_argument, NULL, 'j'}, {"model", required_argument, NULL, 'm'}, {"no-model", no_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	static const char *const GROUPS[] = {"none", "ref", "file", "dir", "archive"};
	struct sc_diag *d = o->diag;
	int c;
	while ((c = getopt_long(argc, argv, "g:t:T:j:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'g':
			o->group = (enum sc_pgroup_by)-1;
			for (int k = 0; k < 5; k++)
				if (strcmp(optarg, GROUPS[k]) == 0)
					o->group = k == 4 ? SC_PGROUP_FILE : (enum sc_pgroup_by)k;
			if ((int)o->group < 0) {
				sc_diag_fatalf(d, "unknown --group-by \"%s\" (ref, file, dir, none)", optarg);
				usage(stderr);
				return -1;
			}
			break;
		case 't': o->tdir = optarg; break;
		case 'T':
			if (o->nextra < 64)
				o->extra[o->nextra++] = optarg;
			break;
		case 'H': o->hs = optarg; break;
		case 'M': o->mdy = 1; break;
		case 'm': o->model = optarg; break;
		case 'N': o->no_model = 1; break;
		case 'X': o->text = 1; break;
		case 'C': o->check = 1; break;
		case 'q': o->quiet = 1; break;
		case 'j':
			if (sc_parse_int(optarg, 1, 64, &o->jobs) < 0) {
				sc_diag_fatalf(d, "-j wants 1 to 64, not \"%s\"", optarg);
				return -1;
			}
			break;
		case 'h': usage(stdout); return 1;
		case 'V': printf("sc-parse %s\n", SC_VERSION); return 1;
		default: usage(stderr); return -1;
		}
	}
	return 0;
}

/* The templates (the folder's files, then -T files), the HS table, and the
 * learned reader: --model, else the folder's model.scpm. */
static struct sc_parse *load(const struct opts *o)
{
	struct sc_error err;
	sc_error_clear(&err);
	struct sc_parse *p = sc_parse_open(o->tdir, o->extra, o->nextra, o->hs, o->mdy, o->model,
	                                   o->no_model, &err);
	if (!p) {
		char buf[1024];
		sc_error_format(&err, buf, sizeof buf);
		sc_diag_fatalf(o->diag, "%s", buf);
	}
	return p;
}

int main(int argc, char **argv)
{
	struct sc_diag diag;
	struct opts o = {.diag = &diag, .jobs = 1};
	char dir[4096];
	int rc;

	if (argc > 1 && strcmp(argv[1], "learn") == 0)
		return parse_learn_main(argc - 1, argv + 1, sc_datadir(argv[0]));
	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&diag, "sc-parse");
	if ((rc = get_opts(argc, argv, &o)) != 0)
		return rc > 0 ? 0 : 2;
	if (!o.tdir) {
		snprintf(dir, sizeof dir, "%s/parse", sc_datadir(argv[0]));
		o.tdir = dir;
	}
	struct sc_parse_run run = {.group = o.group, .jobs = o.jobs, .text = o.text,
	                           .out = stdout, .diag = &diag};
	struct sc_parse *p = load(&o);
	if (!p)
		return 2;
	if (o.check) {
		printf("sc-parse: templates in %s are valid\n", o.tdir);
		sc_parse_free(p);
		return 0;
	}
	diag.quiet = o.quiet;
	run.parse = p;
	sc_parse_run(&run, argc - optind, argv + optind);
	sc_parse_free(p);
	return sc_diag_finish(&diag, "records");
}
