/*
 * sc-parse - key elements of trade documents from sc-ocr records (or plain
 * text): one record per document with "parse", or with --group-by one per
 * consignment with "parse" (documents, checks) and "decl".
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "input.h"
#include "parse.h"
#include "sc-parse-learn.h"

#define TOOL "sc-parse"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: sc-parse [-q] [-j jobs] [-g ref|file|dir|none] [-t dir] [-T file] [--hs file] [--mdy]\n"
	        "                [--model FILE | --no-model] [--text] [file ...]\n"
	        "       sc-parse --check [-t dir] [-T file] [--model FILE]\n"
	        "       sc-parse learn -o MODEL --truth DIR[:TYPE] [--seed N] [file ...]\n");
}

struct run {
	struct sc_parse *p;
	struct sc_diag diag;
	struct sc_pgroup *group;  /* documents into consignments */
	FILE *out;
	struct sc_passm *asm_;    /* pages into documents */
	int fatal;
	/* documents waiting to be parsed */
	struct pending *pend;
	int npend, cappend, jobs;
};

static int emit(struct run *r, json_t *rec)
{
	if (json_dumpf(rec, r->out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) < 0 ||
	    fputc('\n', r->out) == EOF) {
		if (!r->fatal)
			sc_diag_fatalf(&r->diag, "write error on standard output");
		r->fatal = 1;
		return -1;
	}
	return 0;
}

/* A finished document record (taken): out now, or held for its
 * consignment (sc_pgroup). */
static void document_done(struct run *r, json_t *rec)
{
	json_t *out = json_array();
	if (!out || sc_pgroup_add(r->group, rec, out) < 0) {
		sc_diag_fatalf(&r->diag, "out of memory");
		r->fatal = 1;
	}
	size_t i;
	json_t *o;
	json_array_foreach(out, i, o)
		emit(r, o);
	json_decref(out);
}

/* ---- documents ----------------------------------------------------------------- */

/* A finished document: parsed in a batch (with -j, in parallel), put out
 * in input order. */
struct pending {
	struct sc_pdone d;
	json_t *parse;
};

static void finish(struct run *r, struct pending *q)
{
	json_t *rec = json_incref(q->d.head);
	if (q->parse)
		json_object_set_new(rec, "parse", q->parse);
	if (q->d.errors && json_array_size(q->d.errors)) {
		json_t *e = json_object_get(rec, "errors");
		if (!json_is_array(e))
			json_object_set(rec, "errors", q->d.errors);
		else
			json_array_extend(e, q->d.errors);
	}
	sc_pdone_free(&q->d);
	document_done(r, rec);
}

/* Parse the batch and put it out; every record written directly (a bad
 * line, another tool's record) drains first, so the order holds. */
static void drain(struct run *r)
{
	int n = r->npend;
	if (!n)
		return;
	const struct sc_parse *p = r->p;
	struct pending *q = r->pend;
#pragma omp parallel for schedule(dynamic, 1) num_threads(r->jobs) if (r->jobs > 1 && n > 1)
	for (int i = 0; i < n; i++)
		q[i].parse = sc_parse_doc(p, q[i].d.doc);
	for (int i = 0; i < n; i++)
		finish(r, &q[i]);
	r->npend = 0;
}

/* A finished document into the batch (taken); the batch drains when full. */
static void push_doc(struct run *r, struct sc_pdone *d)
{
	struct pending *q = &r->pend[r->npend++];
	q->d = *d, q->parse = NULL;
	if (r->npend >= r->cappend)
		drain(r);
}

static void flush_doc(struct run *r)
{
	struct sc_pdone d;
	if (sc_passm_flush(r->asm_, &d))
		push_doc(r, &d);
}

/* flush and drain: before writing a record directly */
static void flush_all(struct run *r)
{
	flush_doc(r);
	drain(r);
}

static void take_page(struct run *r, json_t *rec, const char *where)
{
	struct sc_pdone d;
	struct sc_error err;
	sc_error_clear(&err);
	if (sc_passm_page(r->asm_, rec, where, &d, &err))
		push_doc(r, &d);
	if (strcmp(err.code, SC_E_NOMEM) == 0) {
		sc_diag_fatalf(&r->diag, "out of memory");
		r->fatal = 1;
	} else if (err.code[0]) {
		sc_diag_error(&r->diag, &err);
		r->diag.bad++;
	}
}

/* The records of the files (standard input when none): pages into
 * documents, everything else through in its place. */
static void run_json(struct run *r, int nfiles, char *const *files)
{
	const struct sc_input_opts io = {.progress = "records"};
	struct sc_input *in = sc_input_new(nfiles, files, &r->diag, &io);
	if (!in) {
		r->fatal = 1;
		return;
	}
	json_t *rec;
	int rc;
	while (!r->fatal && (rc = sc_input_next(in, &rec)) != 0) {
		if (rc < 0) {
			/* a bad line (reported and counted) still comes out, in its place */
			flush_all(r);
			json_t *bad = sc_record_for_bad_line(TOOL, sc_input_error(in));
			if (bad) {
				emit(r, bad);
				json_decref(bad);
			}
			continue;
		}
		if (!json_is_object(json_object_get(rec, "ocr"))) {
			/* not ours: passes through untouched */
			flush_all(r);
			if (json_object_get(rec, "ocr")) {
				struct sc_error err;
				sc_error_set(&err, sc_input_name(in), (int)sc_input_lineno(in), 0, "bad-ocr",
				             "\"ocr\" is not an object");
				sc_input_bad(in, &err);
				sc_record_add_error(rec, TOOL, &err);
			}
			emit(r, rec);
			json_decref(rec);
			continue;
		}
		char where[300];
		snprintf(where, sizeof where, "%s:%lu", sc_input_name(in), sc_input_lineno(in));
		take_page(r, rec, where);
		json_decref(rec);
	}
	sc_input_free(in);
}

static int run_text(struct run *r, const char *path)
{
	struct sc_error err;
	unsigned char *data;
	size_t len;
	if (sc_read_file(path, 64u << 20, &data, &len, &err) < 0) {
		sc_diag_error(&r->diag, &err);
		r->diag.records++;
		r->diag.bad++;
		/* the file still has its record, with the error: nothing is lost silently */
		flush_all(r);
		json_t *rec = json_pack("{s:s,s:{s:s}}", "id", path, "src", "path", path);
		if (rec) {
			sc_record_add_error(rec, TOOL, &err);
			emit(r, rec);
			json_decref(rec);
		}
		return -1;
	}
	flush_doc(r);
	struct sc_pdone d = {sc_pdoc_new(), json_pack("{s:s,s:{s:s,s:i}}", "id", path, "src", "path", path, "page", 1),
	                     NULL};
	if (!d.doc || !d.head) {
		sc_pdone_free(&d);
		free(data);
		sc_diag_fatalf(&r->diag, "out of memory");
		r->fatal = 1;
		return -1;
	}
	int pages = sc_pdoc_add_text_file(d.doc, path, (const char *)data, len);
	r->diag.records += (unsigned long)pages;
	json_object_set_new(json_object_get(d.head, "src"), "pages", json_integer(pages));
	free(data);
	push_doc(r, &d);
	return 0;
}

struct opts {
	enum sc_pgroup_by group;
	const char *tdir, *hs, *model, *extra[64];
	int nextra, no_model, text, check, mdy, quiet, jobs;
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
	int c;
	while ((c = getopt_long(argc, argv, "g:t:T:j:qh", lo, NULL)) != -1) {
		char *e;
		switch (c) {
		case 'g':
			o->group = (enum sc_pgroup_by)-1;
			for (int k = 0; k < 5; k++)
				if (strcmp(optarg, GROUPS[k]) == 0)
					o->group = k == 4 ? SC_PGROUP_FILE : (enum sc_pgroup_by)k;
			if ((int)o->group < 0) {
				fprintf(stderr, "sc-parse: unknown --group-by \"%s\" (ref, file, dir, none)\n", optarg);
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
			o->jobs = (int)strtol(optarg, &e, 10);
			if (*e || e == optarg || o->jobs < 1 || o->jobs > 64) {
				fprintf(stderr, "sc-parse: -j wants 1 to 64, not \"%s\"\n", optarg);
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
	struct sc_parse *p = sc_parse_open(o->tdir, o->extra, o->nextra, o->hs, o->mdy, o->model, o->no_model, &err);
	if (!p) {
		char buf[1024];
		sc_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "sc-parse: %s\n", buf);
	}
	return p;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "learn") == 0)
		return parse_learn_main(argc - 1, argv + 1, sc_datadir(argv[0]));
	struct run r;
	memset(&r, 0, sizeof r);
	argv[0] = sc_tool_start(argv[0]);   /* names the program; failed writes exit 2 */
	sc_diag_init(&r.diag, TOOL);
	r.out = stdout;
	struct opts o;
	memset(&o, 0, sizeof o);
	int rc = get_opts(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	char dir[4096];
	if (!o.tdir) {
		snprintf(dir, sizeof dir, "%s/parse", sc_datadir(argv[0]));
		o.tdir = dir;
	}
	if (!(r.p = load(&o)))
		return 2;
	if (o.check) {
		printf("sc-parse: templates in %s are valid\n", o.tdir);
		sc_parse_free(r.p);
		return 0;
	}
	r.diag.quiet = o.quiet;
	r.jobs = o.jobs < 1 ? 1 : o.jobs;
	/* a bounded batch: memory stays flat however long the stream */
	r.cappend = r.jobs > 1 ? 16 * r.jobs : 1;
	r.pend = calloc((size_t)r.cappend, sizeof *r.pend);
	r.group = sc_pgroup_new(r.p, o.group);
	r.asm_ = sc_passm_new(r.p, TOOL);
	if (!r.pend || !r.asm_ || !r.group) {
		fprintf(stderr, "sc-parse: out of memory\n");
		return 2;
	}
	char **files = argv + optind;
	int nfiles = argc - optind;
	if (!o.text)
		run_json(&r, nfiles, files);
	/* no files: standard input (a list of its own, not argv shifted) */
	static char *stdin_only[] = {"-"};
	if (o.text && nfiles == 0)
		files = stdin_only, nfiles = 1;
	for (int k = 0; o.text && k < nfiles && !r.fatal; k++)
		run_text(&r, files[k]);
	flush_all(&r);
	json_t *rest = json_array();
	if (!rest || sc_pgroup_finish(r.group, rest) < 0)
		sc_diag_fatalf(&r.diag, "out of memory");
	size_t i;
	json_t *rec;
	json_array_foreach(rest, i, rec)
		emit(&r, rec);
	json_decref(rest);
	sc_pgroup_free(r.group);
	sc_passm_free(r.asm_);
	free(r.pend);
	sc_parse_free(r.p);
	if (fflush(stdout) != 0 && !r.fatal)
		sc_diag_fatalf(&r.diag, "write error on standard output");
	return sc_diag_finish(&r.diag, "records");
}
