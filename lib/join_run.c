/*
 * join_run.c - sc-join's loop: every input line is read (parsed by -j
 * workers in batches, taken in input order), everything is linked, and the
 * consignments are built by the workers in chunks (both on lib/workq's
 * parallel for) and written in the canonical order, so the output is the
 * same whatever -j and whatever the order of the input files.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "input.h"
#include "jarena.h"
#include "join_run.h"
#include "workq.h"

#define BATCH 4096
#define MAXJOBS SC_WORKQ_MAX_JOBS

/* ---- reading ----------------------------------------------------------------- */

struct rbatch {
	char name[4096];      /* the file of every line in the batch */
	size_t n;
	char *bytes;          /* the batch's lines back to back, kept from batch to batch */
	size_t used, cap;
	size_t off[BATCH];
	size_t len[BATCH];
	unsigned long lineno[BATCH];
	struct sc_join_rec *rec[BATCH];
	struct sc_error err[BATCH];
	struct sc_jscan js[MAXJOBS];   /* one scanner per worker, kept from batch to batch */
	struct sc_join_store *st[MAXJOBS];   /* and one store, which the join adopts at the end */
};

/* validate, index and read out one line: in the workers */
static void prep_one(void *ctx, size_t i, int worker)
{
	struct rbatch *b = ctx;
	if (!b->st[worker])
		b->st[worker] = sc_join_store_new();   /* NULL when out of memory: then malloc's */
	b->rec[i] = sc_join_prep(&b->js[worker], b->st[worker], b->bytes + b->off[i], b->len[i], b->name,
	                         b->lineno[i], &b->err[i]);
}

static void report(struct sc_join_cfg *c, const struct sc_error *e)
{
	sc_diag_error(c->diag, e);
}

static void problem_cb(void *ctx, const struct sc_error *e)
{
	struct sc_join_cfg *c = ctx;
	report(c, e);
	c->diag->bad++;
}

static void take_batch(struct sc_join_cfg *c, struct sc_join *j, struct rbatch *b)
{
	sc_workq_for(c->jobs, b->n, prep_one, b);
	for (size_t i = 0; i < b->n; i++) {
		if (!b->rec[i]) {
			/* a bad line comes out alone, as the stand-in every tool writes */
			report(c, &b->err[i]);
			c->diag->bad++;
			json_t *bad = sc_record_for_bad_line(c->diag->prog, &b->err[i]);
			if (bad)
				sc_join_add_bad(j, bad, b->name, b->lineno[i]);
			json_decref(bad);
		} else {
			struct sc_error e;
			sc_error_clear(&e);
			if (sc_join_take(j, b->rec[i], b->name, b->lineno[i], &e) < 0) {
				report(c, &e);
				c->diag->bad++;
			}
		}
	}
	b->n = 0;
	b->used = 0;
}

/* Every file through sc_input (lib/input.h), which opens them in order,
 * skips blank lines, counts the records, shows progress and reports an
 * unreadable file or a line too long; the lines are parsed here, in batches
 * by the workers, and taken in input order. */
static void read_all(struct sc_join_cfg *c, struct sc_join *j, int nfiles, char **files, struct rbatch *b)
{
	struct sc_input_opts o = {c->max_line, 0, c->progress ? "records" : NULL};
	struct sc_input *in = sc_input_new(nfiles, files, c->diag, &o);
	if (!in)
		return;
	const char *line;
	size_t len;
	int rc;
	while (c->diag->status < 2 && (rc = sc_input_next_line(in, &line, &len)) != 0) {
		const char *name = sc_input_name(in);
		if (strcmp(name, b->name) != 0) {
			if (b->n)
				take_batch(c, j, b);
			snprintf(b->name, sizeof b->name, "%s", name);
		}
		if (rc < 0) {
			/* too long (reported and counted): kept as a bad line in its place */
			take_batch(c, j, b);
			json_t *bad = sc_record_for_bad_line(c->diag->prog, sc_input_error(in));
			if (bad)
				sc_join_add_bad(j, bad, name, sc_input_lineno(in));
			json_decref(bad);
			continue;
		}
		if (b->used + len + 1 > b->cap) {
			size_t cap = b->cap ? b->cap : 1 << 20;
			while (cap < b->used + len + 1)
				cap *= 2;
			char *nb = realloc(b->bytes, cap);
			if (!nb) {
				sc_diag_fatalf(c->diag, "out of memory");
				break;
			}
			b->bytes = nb;
			b->cap = cap;
		}
		memcpy(b->bytes + b->used, line, len);
		b->bytes[b->used + len] = '\0';
		b->off[b->n] = b->used;
		b->used += len + 1;
		b->len[b->n] = len;
		b->lineno[b->n] = sc_input_lineno(in);
		if (++b->n == BATCH)
			take_batch(c, j, b);
	}
	take_batch(c, j, b);
	sc_input_free(in);
}

/* The night's records, when the caller exits right after the run: the
 * system takes the memory back at once, where freeing the trees one by one
 * costs about a fifth of the run. */
static struct sc_join *g_held;

/* ---- writing ------------------------------------------------------------------ */

struct wchunk {
	const struct sc_join *j;
	size_t first, n;
	struct sc_join_out *text;   /* each consignment as its line, made by the worker */
	int *bad;
	int *mine;
};

/* Build and write in the worker: the writer only copies bytes out, and
 * the buffers are kept from chunk to chunk (no allocation per record once
 * they have grown). */
static void build_one(void *ctx, size_t i, int worker)
{
	struct wchunk *w = ctx;
	struct sc_join_out *b = &w->text[i];
	(void)worker;
	b->len = 0;
	b->failed = 0;
	if (!w->mine[i])
		return;
	/* the trees a consignment's build makes live for that build only */
	sc_jarena_claim();
	sc_jarena_on(1);
	int rc = sc_join_write(w->j, w->first + i, b, &w->bad[i]);
	sc_jarena_on(0);
	sc_jarena_release();
	if (rc < 0 || !b->s)
		b->failed = 1;
	else {
		b->s[b->len++] = '\n';   /* sc_join_write keeps room for it */
	}
}

/* The lines go out through a buffer of ours, a megabyte at a time: a
 * consignment's line is longer than stdio's buffer, and one write(2) per
 * consignment was a tenth of the run. 0, or -1 on a write error. */
#define WBUF (1u << 20)

struct wbuf {
	char *s;
	size_t len;
	FILE *out;
};

static int wflush(struct wbuf *w)
{
	size_t n = w->len;
	w->len = 0;
	return n && fwrite(w->s, 1, n, w->out) != n ? -1 : 0;
}

static int wput(struct wbuf *w, const char *s, size_t n)
{
	if (!w->s || n > WBUF) {
		/* no buffer (out of memory) or a line longer than it: straight out */
		if (wflush(w) < 0)
			return -1;
		return fwrite(s, 1, n, w->out) != n ? -1 : 0;
	}
	if (w->len + n > WBUF && wflush(w) < 0)
		return -1;
	memcpy(w->s + w->len, s, n);
	w->len += n;
	return 0;
}

/* FNV-1a: the consignment id decides its shard */
static unsigned long long id_hash(const char *s)
{
	return sc_fnv64_str(SC_FNV64_OFFSET, s);
}

int sc_join_run(struct sc_join_cfg *c, int nfiles, char **files)
{
	struct sc_join *j = sc_join_new(c->tol);
	struct rbatch *b = calloc(1, sizeof *b);
	if (!j || !b) {
		sc_join_free(j);
		free(b);
		sc_diag_fatalf(c->diag, "out of memory");
		return -1;
	}
	sc_jarena_install();
	read_all(c, j, nfiles, files, b);
	free(b->bytes);
	for (int t = 0; t < MAXJOBS; t++) {
		sc_jscan_release(&b->js[t]);
		sc_join_adopt(j, b->st[t]);
	}
	free(b);
	size_t ng = sc_join_link(j, problem_cb, c);
	c->consignments = 0;
	size_t chunk = 2048;
	struct wchunk w = {j, 0, 0, calloc(chunk, sizeof(struct sc_join_out)), calloc(chunk, sizeof(int)),
	                   calloc(chunk, sizeof(int))};
	int rc = 0;
	struct wbuf out = {ng ? malloc(WBUF) : NULL, 0, c->out};
	if (ng && !(w.text && w.bad && w.mine)) {
		sc_diag_fatalf(c->diag, "out of memory");
		rc = -1;
	}
	for (size_t first = 0; rc == 0 && first < ng; first += chunk) {
		w.first = first;
		w.n = ng - first < chunk ? ng - first : chunk;
		for (size_t i = 0; i < w.n; i++)
			w.mine[i] = c->shards <= 1 || id_hash(sc_join_id(j, first + i)) % (unsigned)c->shards ==
			                                  (unsigned)c->shard;
		sc_workq_for(c->jobs, w.n, build_one, &w);
		for (size_t i = 0; i < w.n && rc == 0; i++) {
			if (!w.mine[i])
				continue;
			if (w.text[i].failed) {
				sc_diag_fatalf(c->diag, "out of memory writing consignment %s", sc_join_id(j, first + i));
				rc = -1;
				break;
			}
			if (wput(&out, w.text[i].s, w.text[i].len) < 0) {
				sc_diag_fatalf(c->diag, "write error on standard output");
				rc = -1;
			}
			if (w.bad[i] && c->diag->status < 1)
				c->diag->status = 1;
			c->consignments++;
		}
	}
	if (rc == 0 && wflush(&out) < 0) {
		sc_diag_fatalf(c->diag, "write error on standard output");
		rc = -1;
	}
	free(out.s);
	c->in_flight = sc_join_records(j);
	for (size_t i = 0; w.text && i < chunk; i++)
		free(w.text[i].s);
	free(w.text);
	free(w.bad);
	free(w.mine);
	if (c->keep_at_exit)
		g_held = j;   /* still reachable: not a leak to the sanitizer */
	else
		sc_join_free(j);
	return rc;
}
