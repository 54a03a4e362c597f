/*
 * parse_run.c - sc-parse's run: records in, documents parsed, records out
 * (parse_run.h).
 */
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "input.h"
#include "parse_run.h"

#define TOOL "sc-parse"

struct run {
	const struct sc_parse *p;
	struct sc_diag *diag;
	struct sc_pgroup *group;  /* documents into consignments */
	FILE *out;
	struct sc_passm *asm_;    /* pages into documents */
	int fatal;                /* out of memory or a failed write: the input stops */
	int write_failed;         /* reported once; nothing more is written */
	/* documents waiting to be parsed */
	struct pending *pend;
	int npend, cappend, jobs;
};

static void out_of_memory(struct run *r)
{
	if (!r->fatal)
		sc_diag_fatalf(r->diag, "out of memory");
	r->fatal = 1;
}

static int emit(struct run *r, json_t *rec)
{
	if (r->write_failed)
		return -1;
	if (sc_write_record(r->out, rec) < 0) {
		sc_diag_flush(r->diag, r->out, "standard output");
		r->write_failed = r->fatal = 1;
		return -1;
	}
	return 0;
}

/* A finished document record (taken): out now, or held for its
 * consignment (sc_pgroup). */
static void document_done(struct run *r, json_t *rec)
{
	json_t *out = json_array();
	if (!out || sc_pgroup_add(r->group, rec, out) < 0)
		out_of_memory(r);
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
		out_of_memory(r);
	} else if (err.code[0]) {
		sc_diag_error(r->diag, &err);
		r->diag->bad++;
	}
}

/* The records of the files (standard input when none): pages into
 * documents, everything else through in its place. */
static void run_json(struct run *r, int nfiles, char *const *files)
{
	const struct sc_input_opts io = {.progress = "records"};
	struct sc_input *in = sc_input_new(nfiles, files, r->diag, &io);
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
		sc_diag_error(r->diag, &err);
		r->diag->records++;
		r->diag->bad++;
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
		out_of_memory(r);
		return -1;
	}
	int pages = sc_pdoc_add_text_file(d.doc, path, (const char *)data, len);
	r->diag->records += (unsigned long)pages;
	json_object_set_new(json_object_get(d.head, "src"), "pages", json_integer(pages));
	free(data);
	push_doc(r, &d);
	return 0;
}

int sc_parse_run(const struct sc_parse_run *o, int nfiles, char *const *files)
{
	static char *const stdin_only[] = {"-"};
	struct run r;
	json_t *rest, *rec;
	size_t i;

	memset(&r, 0, sizeof r);
	r.p = o->parse;
	r.diag = o->diag;
	r.out = o->out;
	r.jobs = o->jobs < 1 ? 1 : o->jobs;
	/* a bounded batch: memory stays flat however long the stream */
	r.cappend = r.jobs > 1 ? 16 * r.jobs : 1;
	r.pend = calloc((size_t)r.cappend, sizeof *r.pend);
	r.group = sc_pgroup_new(r.p, o->group);
	r.asm_ = sc_passm_new(r.p, TOOL);
	if (!r.pend || !r.asm_ || !r.group)
		out_of_memory(&r);
	else if (!o->text)
		run_json(&r, nfiles, files);
	else {
		/* no files: standard input (a list of its own, not argv shifted) */
		if (nfiles == 0)
			files = stdin_only, nfiles = 1;
		for (int k = 0; k < nfiles && !r.fatal; k++)
			run_text(&r, files[k]);
	}
	if (r.pend && r.asm_ && r.group) {
		/* what is held still comes out, even after running out of memory */
		flush_all(&r);
		rest = json_array();
		if (!rest || sc_pgroup_finish(r.group, rest) < 0)
			out_of_memory(&r);
		json_array_foreach(rest, i, rec)
			emit(&r, rec);
		json_decref(rest);
	}
	sc_pgroup_free(r.group);
	sc_passm_free(r.asm_);
	free(r.pend);
	if (!r.write_failed && sc_diag_flush(r.diag, r.out, "standard output") < 0)
		r.fatal = 1;
	return r.fatal ? -1 : 0;
}

/* ---- sc-parse learn: labelled documents in ------------------------------------ */

/* The document being put together from its pages. */
struct lrun {
	const struct sc_parse_learn_run *o;
	struct sc_diag *diag;
	struct sc_plearn *L;
	struct sc_pdoc *doc;
	char key[1024];
	char where[1100];
	long last_page;
	unsigned long notruth;
};

/* The document put together: learned from with its truth file. */
static void flush(struct lrun *r)
{
	if (!r->doc)
		return;
	struct sc_error err;
	sc_error_clear(&err);
	int rc = sc_plearn_add_found(r->L, r->doc, r->key, r->o->truth_dirs, r->o->truth_types, r->o->ntruth, r->where, &err);
	r->doc = NULL;
	if (rc < 0) {
		sc_diag_error(r->diag, &err);
		r->diag->bad++;
	} else if (rc > 0 && !r->diag->quiet && r->notruth++ < 5)
		sc_diag_warnf(r->diag, "%s: no truth file for %s; not learned from", r->where, r->key);
}

static void take(struct lrun *r, struct sc_input *in, json_t *rec)
{
	const char *path = json_string_value(sc_json_path(rec, "src.path"));
	const char *member = json_string_value(sc_json_path(rec, "src.member"));
	json_t *pg = sc_json_path(rec, "src.page");
	long page = json_is_integer(pg) ? (long)json_integer_value(pg) : 1;
	char key[1024];
	snprintf(key, sizeof key, "%s%s%s", path ? path : "", member ? "/" : "", member ? member : "");
	if (!path) {
		sc_input_reject(in, "no-path", "record without src.path: no truth to find");
		return;
	}
	if (!r->doc || strcmp(key, r->key) != 0 || page != r->last_page + 1) {
		flush(r);
		r->doc = sc_pdoc_new();
		snprintf(r->key, sizeof r->key, "%s", key);
		snprintf(r->where, sizeof r->where, "%s:%lu", sc_input_name(in), sc_input_lineno(in));
	}
	r->last_page = page;
	struct sc_error err;
	sc_error_clear(&err);
	/* a page with nothing to read still belongs to its document */
	(void)sc_pdoc_add_ocr(r->doc, json_object_get(rec, "ocr"), json_object_get(rec, "src"), &err);
}

unsigned long sc_parse_learn_read(const struct sc_parse_learn_run *o, int nfiles, char *const *files)
{
	struct lrun r = {.o = o, .diag = o->diag, .L = o->learn};
	struct sc_input *in = sc_input_new(nfiles, files, o->diag, NULL);
	json_t *rec;
	int rc;

	if (!in)
		return 0;
	while ((rc = sc_input_next(in, &rec)) != 0) {
		if (rc < 0)
			continue;   /* reported and counted */
		if (json_is_object(json_object_get(rec, "ocr")))
			take(&r, in, rec);
		json_decref(rec);
	}
	sc_input_free(in);
	flush(&r);
	if (r.notruth > 5)
		sc_diag_warnf(o->diag, "%lu documents in all had no truth file", r.notruth);
	return r.notruth;
}

