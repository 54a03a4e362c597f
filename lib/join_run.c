/*
 * join_run.c - sc-join's loop: every input line is read (parsed by -j
 * workers in batches, taken in input order), everything is linked, and the
 * consignments are built by the workers in chunks and written in the
 * canonical order, so the output is the same whatever -j and whatever the
 * order of the input files.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "join_run.h"
#include "progress.h"

#define BATCH 4096

/* ---- a parallel for --------------------------------------------------------- */

struct pfor {
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n;
	atomic_size_t next;
};

static void *pfor_worker(void *arg)
{
	struct pfor *p = arg;
	size_t i;
	while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
		p->fn(p->ctx, i);
	return NULL;
}

static void parallel_for(int jobs, size_t n, void (*fn)(void *, size_t), void *ctx)
{
	struct pfor p = {fn, ctx, n, 0};
	pthread_t th[64];
	int nt = 0;
	if (jobs > 64)
		jobs = 64;
	for (int t = 1; t < jobs && (size_t)t < n; t++)
		if (pthread_create(&th[nt], NULL, pfor_worker, &p) == 0)
			nt++;
	pfor_worker(&p);
	for (int t = 0; t < nt; t++)
		pthread_join(th[t], NULL);
}

/* ---- reading ----------------------------------------------------------------- */

struct rbatch {
	const char *name;
	size_t n;
	char *line[BATCH];
	size_t len[BATCH];
	unsigned long lineno[BATCH];
	json_t *rec[BATCH];
	struct sc_error err[BATCH];
};

static void parse_one(void *ctx, size_t i)
{
	struct rbatch *b = ctx;
	b->rec[i] = NULL;
	if (sc_parse_line(b->name, b->lineno[i], b->line[i], b->len[i], &b->rec[i], &b->err[i]) < 0)
		b->rec[i] = NULL;
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

static void take_batch(struct sc_join_cfg *c, struct sc_join *j, struct rbatch *b, struct sc_progress *pg)
{
	parallel_for(c->jobs, b->n, parse_one, b);
	for (size_t i = 0; i < b->n; i++) {
		c->diag->records++;
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
			if (sc_join_add(j, b->rec[i], b->name, b->lineno[i], &e) < 0) {
				report(c, &e);
				c->diag->bad++;
			}
			json_decref(b->rec[i]);
		}
		free(b->line[i]);
	}
	sc_progress_update(pg, c->diag->records);
	b->n = 0;
}

static int read_file(struct sc_join_cfg *c, struct sc_join *j, const char *path, struct rbatch *b,
                     struct sc_progress *pg)
{
	struct sc_error err;
	struct sc_reader *r = sc_reader_open(path, c->max_line, &err);
	if (!r) {
		report(c, &err);
		return -1;
	}
	b->name = sc_reader_name(r);
	const char *line;
	size_t len;
	int rc;
	while ((rc = sc_reader_next_line(r, &line, &len, &err)) != 0) {
		if (rc == -2) {
			report(c, &err);
			break;
		}
		if (rc == -1) {
			/* too long: kept as a bad line in its place */
			take_batch(c, j, b, pg);
			c->diag->records++;
			c->diag->bad++;
			report(c, &err);
			json_t *bad = sc_record_for_bad_line(c->diag->prog, &err);
			if (bad)
				sc_join_add_bad(j, bad, b->name, sc_reader_lineno(r));
			json_decref(bad);
			continue;
		}
		/* blank lines are no records */
		size_t k = 0;
		while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
			k++;
		if (k == len)
			continue;
		b->line[b->n] = malloc(len + 1);
		if (!b->line[b->n]) {
			sc_diag_fatalf(c->diag, "out of memory");
			break;
		}
		memcpy(b->line[b->n], line, len);
		b->line[b->n][len] = '\0';
		b->len[b->n] = len;
		b->lineno[b->n] = sc_reader_lineno(r);
		if (++b->n == BATCH)
			take_batch(c, j, b, pg);
	}
	take_batch(c, j, b, pg);
	sc_reader_free(r);
	return 0;
}

/* ---- writing ------------------------------------------------------------------ */

struct wchunk {
	const struct sc_join *j;
	size_t first, n;
	json_t **rec;
	int *bad;
	int *mine;
};

static void build_one(void *ctx, size_t i)
{
	struct wchunk *w = ctx;
	w->rec[i] = w->mine[i] ? sc_join_build(w->j, w->first + i, &w->bad[i]) : NULL;
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
	struct sc_progress *pg = c->progress ? sc_progress_new(c->diag->prog, "records", 0) : NULL;
	static char *stdin_only[] = {"-"};
	if (nfiles == 0) {
		nfiles = 1;
		files = stdin_only;
	}
	for (int f = 0; f < nfiles && c->diag->status < 2; f++)
		read_file(c, j, files[f], b, pg);
	sc_progress_free(pg);
	free(b);
	size_t ng = sc_join_link(j, problem_cb, c);
	c->consignments = 0;
	size_t chunk = 2048;
	struct wchunk w = {j, 0, 0, calloc(chunk, sizeof(json_t *)), calloc(chunk, sizeof(int)),
	                   calloc(chunk, sizeof(int))};
	int rc = 0;
	for (size_t first = 0; first < ng && w.rec && w.bad && w.mine; first += chunk) {
		w.first = first;
		w.n = ng - first < chunk ? ng - first : chunk;
		for (size_t i = 0; i < w.n; i++)
			w.mine[i] = c->shards <= 1 || id_hash(sc_join_id(j, first + i)) % (unsigned)c->shards ==
			                                  (unsigned)c->shard;
		parallel_for(c->jobs, w.n, build_one, &w);
		for (size_t i = 0; i < w.n; i++) {
			if (!w.rec[i])
				continue;
			if (rc == 0 && sc_write_record(c->out, w.rec[i]) < 0) {
				sc_diag_fatalf(c->diag, "write error on standard output");
				rc = -1;
			}
			if (w.bad[i] && c->diag->status < 1)
				c->diag->status = 1;
			c->consignments++;
			json_decref(w.rec[i]);
		}
	}
	c->in_flight = sc_join_records(j);
	free(w.rec);
	free(w.bad);
	free(w.mine);
	sc_join_free(j);
	return rc;
}
