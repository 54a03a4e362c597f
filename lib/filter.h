/*
 * filter.h - the read-enrich-write loop of the "one in, one out" tools
 * (sc-risk, sc-wood identify, sc-scan): JSON lines in, the same records out
 * with one namespace added, bad lines accounted for, order kept under -j.
 */
#ifndef SC_FILTER_H
#define SC_FILTER_H

#include "sc.h"

/*
 * Enrich one record. rec is borrowed (the loop owns it); return 0 and set
 * *value to the new namespace value (the loop takes ownership), or return -1
 * and fill err: the loop then appends the error to rec.errors and writes rec
 * without the namespace. An enricher may also append to rec.errors itself.
 * `state` is the per-worker state made by thread_init (NULL when there is none).
 */
typedef int (*sc_enrich_fn)(void *ctx, void *state, json_t *rec, json_t **value,
                            struct sc_error *err);

typedef int (*sc_enrich_text_fn)(void *ctx, void *state, json_t *rec, const char **text,
                                 size_t *len, struct sc_error *err);

struct sc_filter {
	const char *tool;        /* "sc-risk": names the tool in errors[] and messages */
	const char *ns;          /* "risk": the top-level key the tool writes */
	const char *needs;       /* "decl": records without this key pass through untouched */
	sc_enrich_fn enrich;
	/* or, instead of enrich: the value as compact JSON text, *text valid until
	 * the next call with the same state (so the loop need not serialize it) */
	sc_enrich_text_fn enrich_text;
	void *ctx;               /* shared, read-only while the loop runs */
	void *(*thread_init)(void *ctx);   /* optional: per-worker scratch state */
	void (*thread_free)(void *state);
	int jobs;                /* worker threads; <= 1 runs in the calling thread */
	size_t max_line;         /* 0: SC_MAX_LINE_DEFAULT */
	FILE *out;               /* stdout unless a test says otherwise */
	struct sc_diag *diag;    /* records, bad and status are kept here */
	int progress;            /* show a progress line when stderr is a terminal */
};

/*
 * Run the loop over files (NULL or "-" is standard input; nfiles 0 means
 * stdin). Every input line yields exactly one output line, in input order,
 * whatever `jobs`. Returns 0, or -1 on a fatal error (unreadable input file
 * is reported and skipped; a failed write to out is fatal: diag->status 2).
 */
int sc_filter_run(struct sc_filter *f, int nfiles, char **files);

/*
 * Write line (one JSON object, already known to parse) with the top-level
 * key set to val (JSON text, vlen bytes): the value replaced in place when
 * the key is there, else the key appended before the closing brace; every
 * other byte is the input's. Then a newline. -1 when the line defeats the
 * splice (the key twice, or spelt with escapes): the caller rebuilds.
 */
int sc_filter_splice(const char *line, size_t len, const char *key, const char *val, size_t vlen,
                     FILE *out);

#endif
