/*
 * filter.c - the one-in-one-out loop. Lines are read in batches; each batch
 * is parsed, enriched and written to its own buffer (by a worker under -j),
 * and the buffers are written out strictly in input order, so the output is
 * byte-identical whatever the number of workers. Memory stays flat: at most
 * a few batches are in flight.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errcode.h"
#include "filter.h"
#include "jarena.h"
#include "progress.h"
#include "workq.h"

#define BATCH_LINES 512
#define BATCH_BYTES (4u << 20)
#define MAX_JOBS 64
#define MAX_INFLIGHT (2 * MAX_JOBS + 2)

/*
 * SIGINT and SIGTERM end the run between whole lines: output is written
 * only in emit(), with write(2) straight from a finished batch, so outside
 * emit() every line that went out went out whole. A signal there ends the
 * process at once (re-raised with the default action: the shell sees
 * 130/143); a signal during emit() is noted and re-raised when the batch is
 * out. The workers block both signals, so the handler runs in the thread
 * that writes.
 */
static volatile sig_atomic_t g_signal, g_in_emit;
static char g_msg[128];
static size_t g_msglen;

static void die_of(int sig)
{
	ssize_t w = write(2, g_msg, g_msglen);
	(void)w;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_signal(int sig)
{
	g_signal = sig;
	if (!g_in_emit)
		die_of(sig);
}

struct batch {
	struct sc_qnode node;         /* first: the work queue links batches through it */
	const char *name;             /* input name, for messages */
	unsigned long first_lineno;
	size_t n;
	unsigned long lineno[BATCH_LINES];
	size_t off[BATCH_LINES], len[BATCH_LINES];
	char *bytes;                  /* the lines, back to back */
	size_t used, cap;
	/* the results: kept with their buffers when the batch is reused */
	char *out, *msgs;
	size_t out_len, msgs_len, out_cap, msgs_cap;
	unsigned long records, bad;
	int failed;                   /* out of memory while processing */
	int done;
};

struct pool {
	struct sc_filter *f;
	pthread_mutex_t mu;
	pthread_cond_t finished;
	struct sc_workq queue;        /* batches waiting for a worker */
};

static size_t error_count(const json_t *rec)
{
	return json_array_size(json_object_get(rec, "errors"));
}

static void message(FILE *msgs, const char *prog, const struct sc_error *e)
{
	char buf[1024];

	sc_error_format(e, buf, sizeof buf);
	fprintf(msgs, "%s: %s\n", prog, buf);
}

/* ---- the parse arena: lib/jarena.c (jansson's values of one line in a
 * bump region while the worker parses it) ----------------------------------- */

/* ---- the splice: the input line with one top-level value replaced --------- */

/* The end of the JSON value starting at s[i] (valid JSON: the line parsed). */
static size_t skip_value(const char *s, size_t len, size_t i)
{
	int depth = 0;

	for (; i < len; i++) {
		char c = s[i];
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			if (depth == 0)
				return i + 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return i;     /* the end of a scalar before the enclosing brace */
			if (--depth == 0)
				return i + 1;
		} else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
			return i;
		}
	}
	return i;
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

int sc_filter_splice(const char *line, size_t len, const char *key, const char *val, size_t vlen,
                     FILE *out)
{
	size_t klen = strlen(key), i = skip_ws(line, len, 0), vs = 0, ve = 0;
	int found = 0;

	if (i >= len || line[i] != '{')
		return -1;
	i = skip_ws(line, len, i + 1);
	while (i < len && line[i] == '"') {
		size_t ks = i + 1, ke = skip_value(line, len, i) - 1, v0, v1;
		int esc = memchr(line + ks, '\\', ke - ks) != NULL;
		i = skip_ws(line, len, ke + 1);
		if (i >= len || line[i] != ':')
			return -1;
		v0 = skip_ws(line, len, i + 1);
		v1 = skip_value(line, len, v0);
		if (esc && ke - ks >= klen)
			return -1;     /* a key spelt with escapes might be ours: leave it to a rebuild */
		if (ke - ks == klen && memcmp(line + ks, key, klen) == 0) {
			if (found++)
				return -1; /* twice: the parser kept the last, a rebuild says so */
			vs = v0;
			ve = v1;
		}
		i = skip_ws(line, len, v1);
		if (i < len && line[i] == ',')
			i = skip_ws(line, len, i + 1);
		else
			break;
	}
	if (i >= len || line[i] != '}')
		return -1;
	if (found) {
		fwrite(line, 1, vs, out);
		fwrite(val, 1, vlen, out);
		fwrite(line + ve, 1, i + 1 - ve, out);
	} else {
		size_t before = i;
		while (before > 0 && (line[before - 1] == ' ' || line[before - 1] == '\t' ||
		                      line[before - 1] == '\r' || line[before - 1] == '\n'))
			before--;
		fwrite(line, 1, before, out);
		if (line[before - 1] != '{')
			putc(',', out);
		putc('"', out);
		fwrite(key, 1, klen, out);
		fputs("\":", out);
		fwrite(val, 1, vlen, out);
		putc('}', out);
	}
	putc('\n', out);
	return ferror(out) ? -1 : 0;
}

/*
 * The line with key: val appended before its closing brace, for a record
 * the parser found without the key (so no key of the line, escaped or not,
 * is it, and nothing before the brace needs reading: the cost does not
 * grow with the record). What sc_filter_splice writes for such a line.
 */
static int append_key(const char *line, size_t len, const char *key, const char *val, size_t vlen,
                      FILE *out)
{
	size_t end = len, before;

	while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r' ||
	                   line[end - 1] == '\n'))
		end--;
	if (end < 2 || line[end - 1] != '}')
		return -1;
	before = end - 1;
	while (before > 0 && (line[before - 1] == ' ' || line[before - 1] == '\t' ||
	                      line[before - 1] == '\r' || line[before - 1] == '\n'))
		before--;
	if (before == 0)
		return -1;
	fwrite(line, 1, before, out);
	if (line[before - 1] != '{')
		putc(',', out);
	putc('"', out);
	fputs(key, out);
	fputs("\":", out);
	fwrite(val, 1, vlen, out);
	fputs("}\n", out);
	return ferror(out) ? -1 : 0;
}

struct dump_buf {
	char *p;
	size_t len, cap;
};

static int dump_to(const char *s, size_t n, void *arg)
{
	struct dump_buf *d = arg;
	if (d->len + n + 1 > d->cap) {
		size_t ncap = d->cap ? 2 * d->cap : 1024;
		char *np;
		while (ncap < d->len + n + 1)
			ncap *= 2;
		if (!(np = realloc(d->p, ncap)))
			return -1;
		d->p = np;
		d->cap = ncap;
	}
	memcpy(d->p + d->len, s, n);
	d->len += n;
	return 0;
}

/*
 * The line with the value's text spliced in; -1 (nothing written) to
 * rebuild. had_key: the parsed record has the key already.
 */
static int splice(struct sc_filter *f, const char *line, size_t len, const char *text, size_t tlen,
                  int had_key, FILE *out)
{
	if (!had_key)
		return append_key(line, len, f->ns, text, tlen, out);
	return sc_filter_splice(line, len, f->ns, text, tlen, out);
}

/* One line through the enricher into out; messages into msgs. */
static void process_line(struct sc_filter *f, void *state, struct dump_buf *d, const char *name,
                         unsigned long lineno, const char *line, size_t len, FILE *out,
                         FILE *msgs, unsigned long *bad)
{
	struct sc_error err;
	json_t *rec = NULL, *value = NULL;
	size_t errors_before;
	int st, had_key;
	const char *text = NULL;
	size_t tlen = 0;

	sc_error_clear(&err);
	sc_jarena_on(1);
	st = sc_parse_line(name, lineno, line, len, &rec, &err);
	sc_jarena_on(0);
	if (st < 0) {
		json_t *stand_in = sc_record_for_bad_line(f->tool, &err);
		message(msgs, f->tool, &err);
		if (stand_in)
			sc_write_record(out, stand_in);
		json_decref(stand_in);
		(*bad)++;
		return;
	}
	if (f->needs && !json_object_get(rec, f->needs)) {
		fwrite(line, 1, len, out);
		putc('\n', out);
		json_decref(rec);
		return;
	}
	errors_before = error_count(rec);
	had_key = json_object_get(rec, f->ns) != NULL;
	if (f->enrich_text) {
		st = f->enrich_text(f->ctx, state, rec, &text, &tlen, &err);
	} else {
		st = f->enrich(f->ctx, state, rec, &value, &err);
		d->len = 0;
		if (st == 0 && json_dump_callback(value, dump_to, d, SC_JSON_FLAGS | JSON_ENCODE_ANY) == 0) {
			text = d->p;
			tlen = d->len;
		}
	}
	if (st < 0) {
		if (!err.file[0]) {
			snprintf(err.file, sizeof err.file, "%s", name);
			err.line = (int)lineno;
		}
		message(msgs, f->tool, &err);
		sc_record_add_error(rec, f->tool, &err);
		json_decref(value);
		sc_write_record(out, rec);
		(*bad)++;
	} else if (text && error_count(rec) == errors_before &&
	           splice(f, line, len, text, tlen, had_key, out) == 0) {
		json_decref(value);
	} else {
		/* the enricher added errors (or the line defeats the splice): rebuild */
		if (error_count(rec) != errors_before)
			(*bad)++;
		if (!value && text)
			value = json_loadb(text, tlen, JSON_ALLOW_NUL, NULL);
		if (!value) {
			sc_error_set(&err, name, (int)lineno, 0, SC_E_NOMEM, "out of memory");
			message(msgs, f->tool, &err);
			sc_record_add_error(rec, f->tool, &err);
		} else {
			json_object_set_new(rec, f->ns, value);
		}
		sc_write_record(out, rec);
	}
	json_decref(rec);
}

/*
 * A batch's output goes to a stream over its own buffer, which the batch
 * keeps when it is reused: no fresh memory (and page faults) per batch.
 */
struct obuf {
	char **p;
	size_t *len, *cap;
};

static ssize_t obuf_write(void *cookie, const char *s, size_t n)
{
	struct obuf *o = cookie;
	if (*o->len + n > *o->cap) {
		size_t ncap = *o->cap ? *o->cap : 65536;
		char *np;
		while (ncap < *o->len + n)
			ncap *= 2;
		if (!(np = realloc(*o->p, ncap)))
			return 0;     /* a short write: the stream's error flag */
		*o->p = np;
		*o->cap = ncap;
	}
	memcpy(*o->p + *o->len, s, n);
	*o->len += n;
	return (ssize_t)n;
}

static FILE *obuf_open(struct obuf *o, char **p, size_t *len, size_t *cap)
{
	cookie_io_functions_t io = {.write = obuf_write};
	o->p = p;
	o->len = len;
	o->cap = cap;
	*len = 0;
	return fopencookie(o, "w", io);
}

static void run_batch(struct sc_filter *f, void *state, struct batch *b)
{
	struct obuf ob, mb;
	FILE *out = obuf_open(&ob, &b->out, &b->out_len, &b->out_cap);
	FILE *msgs = obuf_open(&mb, &b->msgs, &b->msgs_len, &b->msgs_cap);
	struct dump_buf d = {NULL, 0, 0};

	sc_jarena_claim();
	if (!out || !msgs) {
		if (out)
			fclose(out);
		if (msgs)
			fclose(msgs);
		b->failed = 1;
		return;
	}
	for (size_t i = 0; i < b->n; i++)
		process_line(f, state, &d, b->name, b->lineno[i], b->bytes + b->off[i], b->len[i], out,
		             msgs, &b->bad);
	free(d.p);
	b->records = b->n;
	if (fclose(out) != 0)
		b->failed = 1;
	if (fclose(msgs) != 0)
		b->failed = 1;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct sc_filter *f = p->f;
	void *state = f->thread_init ? f->thread_init(f->ctx) : NULL;

	for (;;) {
		struct batch *b;

		pthread_mutex_lock(&p->mu);
		b = (struct batch *)sc_workq_pop(&p->queue, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (!b)
			break;

		run_batch(f, state, b);

		pthread_mutex_lock(&p->mu);
		b->done = 1;
		pthread_cond_broadcast(&p->finished);
		pthread_mutex_unlock(&p->mu);
	}
	if (f->thread_free)
		f->thread_free(state);
	sc_jarena_release();
	return NULL;
}

static struct batch *batch_alloc(const char *name)
{
	struct batch *b = calloc(1, sizeof *b);

	if (b)
		b->name = name;
	return b;
}

static void batch_free(struct batch *b)
{
	if (!b)
		return;
	free(b->bytes);
	free(b->out);
	free(b->msgs);
	free(b);
}

static int batch_add(struct batch *b, unsigned long lineno, const char *line, size_t len)
{
	if (b->used + len > b->cap) {
		size_t ncap = b->cap ? b->cap : 65536;
		char *nb;
		while (ncap < b->used + len)
			ncap *= 2;
		nb = realloc(b->bytes, ncap);
		if (!nb)
			return -1;
		b->bytes = nb;
		b->cap = ncap;
	}
	memcpy(b->bytes + b->used, line, len);
	b->off[b->n] = b->used;
	b->len[b->n] = len;
	b->lineno[b->n] = lineno;
	b->used += len;
	b->n++;
	return 0;
}

/*
 * Write whole lines; 0 or -1. To a file descriptor with write(2), so that
 * nothing waits in a stdio buffer when a signal ends the process; a signal
 * that arrives meanwhile takes effect once the lines are out.
 */
static int write_all(FILE *out, const char *p, size_t n)
{
	int fd = fileno(out), st = 0;

	if (!n)
		return 0;
	if (fd < 0)   /* a memory stream (tests) */
		return fwrite(p, 1, n, out) == n ? 0 : -1;
	g_in_emit = 1;
	if (fflush(out) != 0)
		st = -1;
	while (st == 0 && n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			st = -1;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	g_in_emit = 0;
	if (g_signal)
		die_of(g_signal);
	return st;
}

/* Write a finished batch; 0, or -1 if standard output failed. */
static int emit(struct sc_filter *f, struct batch *b)
{
	if (b->msgs_len) {
		fwrite(b->msgs, 1, b->msgs_len, f->diag->out);
		fflush(f->diag->out);
	}
	f->diag->records += b->records;
	f->diag->bad += b->bad;
	if (b->failed) {
		sc_diag_fatalf(f->diag, "out of memory");
		return -1;
	}
	return write_all(f->out, b->out, b->out_len);
}

struct runner {
	struct sc_filter *f;
	struct pool *pool;            /* NULL: run in this thread */
	void *state;
	struct batch *inflight[MAX_INFLIGHT];   /* submitted, in order */
	int ninflight, max_inflight;
	struct batch *spare[MAX_INFLIGHT + 1];  /* written out, kept for reuse with their buffers */
	int nspare;
	int write_failed;
	struct sc_progress *progress;
};

/* A batch for the next lines: a written one with its buffers if there is one. */
static struct batch *batch_new(struct runner *r, const char *name)
{
	struct batch *b;

	if (!r->nspare)
		return batch_alloc(name);
	b = r->spare[--r->nspare];
	b->name = name;
	b->first_lineno = 0;
	b->n = b->used = b->out_len = b->msgs_len = 0;
	b->records = b->bad = 0;
	b->failed = b->done = 0;
	return b;
}

static void batch_retire(struct runner *r, struct batch *b)
{
	if (r->nspare < (int)(sizeof r->spare / sizeof r->spare[0]))
		r->spare[r->nspare++] = b;
	else
		batch_free(b);
}

static void retire_oldest(struct runner *r, int wait)
{
	while (r->ninflight > 0) {
		struct batch *b = r->inflight[0];
		if (r->pool) {
			pthread_mutex_lock(&r->pool->mu);
			while (wait && !b->done)
				pthread_cond_wait(&r->pool->finished, &r->pool->mu);
			int done = b->done;
			pthread_mutex_unlock(&r->pool->mu);
			if (!done)
				return;
		}
		if (!r->write_failed && emit(r->f, b) < 0)
			r->write_failed = 1;
		sc_progress_update(r->progress, r->f->diag->records);
		batch_retire(r, b);
		memmove(r->inflight, r->inflight + 1, sizeof r->inflight[0] * (size_t)--r->ninflight);
		wait = 0;  /* only block for the first; take others that are ready */
	}
}

static void submit(struct runner *r, struct batch *b)
{
	if (!r->pool) {
		run_batch(r->f, r->state, b);
		b->done = 1;
		r->inflight[r->ninflight++] = b;
		retire_oldest(r, 0);
		return;
	}
	while (r->ninflight >= r->max_inflight)
		retire_oldest(r, 1);
	r->inflight[r->ninflight++] = b;
	pthread_mutex_lock(&r->pool->mu);
	sc_workq_push(&r->pool->queue, &b->node);
	pthread_mutex_unlock(&r->pool->mu);
	retire_oldest(r, 0);
}

static void run_file(struct runner *r, const char *path)
{
	struct sc_filter *f = r->f;
	struct sc_error err;
	struct sc_reader *rd = sc_reader_open(path, f->max_line, &err);
	struct batch *b;
	const char *name;

	if (!rd) {
		sc_diag_error(f->diag, &err);
		return;
	}
	/* the batch keeps the name pointer: give it one that outlives the reader */
	name = strdup(sc_reader_name(rd));
	b = batch_new(r, name);
	for (;;) {
		const char *line;
		size_t len;
		int st;

		sc_error_clear(&err);
		if (!b)
			break;
		st = sc_reader_next_line(rd, &line, &len, &err);
		if (st == 0 || st == -2) {
			if (st == -2)
				sc_diag_error(f->diag, &err);
			break;
		}
		if (st == -1) {
			/* an overlong line: account for it in order, in a batch of its own */
			json_t *stand_in = sc_record_for_bad_line(f->tool, &err);
			char *text = stand_in ? json_dumps(stand_in, SC_JSON_FLAGS) : NULL;
			if (b->n) {
				submit(r, b);
				b = batch_new(r, name);
			}
			retire_oldest(r, 1);
			while (r->ninflight)
				retire_oldest(r, 1);
			sc_diag_error(f->diag, &err);
			if (text && !r->write_failed) {
				size_t n = strlen(text);
				text[n] = '\n';   /* over the NUL: json_dumps' buffer is exactly that long */
				if (write_all(f->out, text, n + 1) < 0)
					r->write_failed = 1;
			}
			f->diag->records++;
			f->diag->bad++;
			free(text);
			json_decref(stand_in);
			continue;
		}
		if (batch_add(b, sc_reader_lineno(rd), line, len) < 0) {
			sc_diag_fatalf(f->diag, "out of memory");
			r->write_failed = 1;
			break;
		}
		if (b->n == BATCH_LINES || b->used >= BATCH_BYTES) {
			submit(r, b);
			b = batch_new(r, name);
		}
		if (r->write_failed)
			break;
	}
	if (b && b->n)
		submit(r, b);
	else
		batch_free(b);
	while (r->ninflight)
		retire_oldest(r, 1);
	sc_reader_free(rd);
	free((char *)name);
}

int sc_filter_run(struct sc_filter *f, int nfiles, char **files)
{
	struct runner r;
	struct pool pool;
	pthread_t threads[MAX_JOBS];
	struct sigaction old_sa[2];
	int installed[2] = {0, 0};
	sigset_t sigs;
	int nthreads = 0;
	char *std_in[] = {"-"};

	memset(&r, 0, sizeof r);
	r.f = f;
	if (!f->out)
		f->out = stdout;
	if (nfiles == 0) {
		files = std_in;
		nfiles = 1;
	}
	if (f->jobs > MAX_JOBS)
		f->jobs = MAX_JOBS;
	if (f->progress)
		r.progress = sc_progress_new(f->tool, "records", 0);
	/* a signal ends the run between whole lines (see on_signal) */
	snprintf(g_msg, sizeof g_msg, "%s: interrupted: the output ends with a whole record\n", f->tool);
	g_msglen = strlen(g_msg);
	g_signal = g_in_emit = 0;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	for (int i = 0; i < 2; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		/* a signal ignored by whoever started us (nohup, a background job) stays ignored */
		if (sigaction(i ? SIGTERM : SIGINT, NULL, &old_sa[i]) == 0 && old_sa[i].sa_handler == SIG_DFL)
			installed[i] = sigaction(i ? SIGTERM : SIGINT, &sa, NULL) == 0;
	}
	sc_jarena_install();
	if (f->jobs > 1) {
		sigset_t was;
		pthread_sigmask(SIG_BLOCK, &sigs, &was);   /* the workers inherit the mask */
		memset(&pool, 0, sizeof pool);
		pool.f = f;
		pthread_mutex_init(&pool.mu, NULL);
		sc_workq_init(&pool.queue);
		pthread_cond_init(&pool.finished, NULL);
		r.pool = &pool;
		r.max_inflight = 2 * f->jobs + 2;
		for (int i = 0; i < f->jobs; i++)
			if (pthread_create(&threads[nthreads], NULL, worker, &pool) == 0)
				nthreads++;
		pthread_sigmask(SIG_SETMASK, &was, NULL);
		if (nthreads == 0)
			r.pool = NULL;
	}
	if (!r.pool)
		r.state = f->thread_init ? f->thread_init(f->ctx) : NULL;

	for (int i = 0; i < nfiles && !r.write_failed; i++)
		run_file(&r, files[i]);

	if (r.pool) {
		pthread_mutex_lock(&pool.mu);
		sc_workq_close(&pool.queue);
		pthread_mutex_unlock(&pool.mu);
		for (int i = 0; i < nthreads; i++)
			pthread_join(threads[i], NULL);
		pthread_mutex_destroy(&pool.mu);
		sc_workq_destroy(&pool.queue);
		pthread_cond_destroy(&pool.finished);
	} else if (f->thread_free) {
		f->thread_free(r.state);
	}
	sc_jarena_release();
	sc_progress_free(r.progress);
	while (r.nspare)
		batch_free(r.spare[--r.nspare]);
	if (fflush(f->out) != 0 || ferror(f->out))
		r.write_failed = 1;
	for (int i = 0; i < 2; i++)
		if (installed[i])
			sigaction(i ? SIGTERM : SIGINT, &old_sa[i], NULL);
	if (r.write_failed) {
		sc_diag_fatalf(f->diag, "write error on standard output");
		return -1;
	}
	return 0;
}
