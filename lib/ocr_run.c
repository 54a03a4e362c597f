/*
 * ocr_run.c - the page pipeline of sc-ocr. The walker runs in the calling
 * thread and numbers every page (or error) it finds; workers recognize pages
 * in any order; results are written strictly by number. A bounded window of
 * pages in flight keeps memory flat on any batch size.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ocr_doc.h"
#include "ocr_run.h"
#include "progress.h"
#include "sha256.h"
#include "workq.h"

struct source {                 /* one file or archive member, shared by its pages */
	int refs;
	unsigned char *data;
	size_t len;
	char *path, *member;
	char sha256[65];
	int pages;
	int cut;                    /* pages lost: the file was cut short */
	struct sc_error cut_err;
};

struct job {
	struct sc_qnode node;       /* first: the work queue links jobs through it */
	unsigned long seq;
	struct source *src;
	int page;                   /* 0-based */
};

struct result {
	char *line;                 /* the record, with its '\n' */
	char *msg;                  /* a diagnostic for stderr, or NULL */
	int bad;
	int done;
	int skip;                   /* the batch was stopped before this page was read */
};

struct pool {
	struct sc_ocr_run *run;
	pthread_mutex_t mu;
	pthread_cond_t finished;
	struct sc_workq queue;
	int ready;                  /* workers that started */
	int fatal;                  /* an engine could not start: the run cannot go on */
	struct sc_error fatal_err;
	/* results, a window indexed by seq - base */
	struct result *win;
	unsigned long base, next_seq;
	size_t cap;
	int write_failed;
	struct sc_progress *progress;
	unsigned long written;
	/* library messages: while a file is decoded, fd 2 is a memory file,
	 * and what a library writes there is that file's. One decoder at a time
	 * (decoding is a few percent of the work); our own writes to stderr
	 * take the same lock, so none of them lands in the memory file. */
	int cap_fd, real_fd;
	pthread_mutex_t cap_mu;
	int dropping;               /* stopped: no more records are written */
	struct sc_ocr_times times;  /* summed over workers as they finish */
};

/* The signal that asked the batch to stop (sc_stop_install), or 0. */
static int stopped(const struct pool *p)
{
	(void)p;
	return sc_stop_requested();
}

/* CPU time of the calling thread, in milliseconds. */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* What libraries wrote to fd 2 since the last look, one line, or NULL. Lock held. */
static char *captured(struct pool *p)
{
	struct stat st;
	char *buf, *o;
	ssize_t n;

	if (p->cap_fd < 0 || fstat(p->cap_fd, &st) < 0 || st.st_size <= 0)
		return NULL;
	n = st.st_size > 4096 ? 4096 : st.st_size;
	buf = malloc((size_t)n + 1);
	if (buf && (n = pread(p->cap_fd, buf, (size_t)n, 0)) < 0)
		n = 0;
	if (ftruncate(p->cap_fd, 0) == 0)
		lseek(p->cap_fd, 0, SEEK_SET);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	/* one line: "a\nb\n" -> "a; b" */
	for (o = buf + n; o > buf && (o[-1] == '\n' || o[-1] == ' '); o--)
		o[-1] = '\0';
	for (o = buf; *o; o++)
		if (*o == '\n')
			*o = ';';
	if (!*buf) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void capture_begin(struct pool *p)
{
	if (p->cap_fd < 0)
		return;
	pthread_mutex_lock(&p->cap_mu);
	fflush(stderr);
	dup2(p->cap_fd, 2);
}

static char *capture_end(struct pool *p)
{
	char *msg;

	if (p->cap_fd < 0)
		return NULL;
	fflush(stderr);
	dup2(p->real_fd, 2);
	msg = captured(p);
	pthread_mutex_unlock(&p->cap_mu);
	return msg;
}

/* Our own writes to stderr: never into the memory file. */
static void err_lock(struct pool *p)
{
	if (p->cap_fd >= 0)
		pthread_mutex_lock(&p->cap_mu);
}

static void err_unlock(struct pool *p)
{
	if (p->cap_fd >= 0)
		pthread_mutex_unlock(&p->cap_mu);
}

/* A library's message about a file, made an error of its record: the
 * file is damaged even where a page came out. */
static void library_error(struct sc_error *err, const char *name, char *msg)
{
	if (!msg)
		return;
	if (err->code[0]) {
		size_t k = strlen(err->msg);
		snprintf(err->msg + k, sizeof err->msg - k, " (%s)", msg);
	} else {
		sc_error_set(err, name, 0, 0, "damaged", "%s", msg);
	}
	free(msg);
}

static void source_release(struct pool *p, struct source *s)
{
	int last;

	pthread_mutex_lock(&p->mu);
	last = --s->refs == 0;
	pthread_mutex_unlock(&p->mu);
	if (!last)
		return;
	free(s->data);
	free(s->path);
	free(s->member);
	free(s);
}

static json_t *src_object(const char *path, const char *member, int page, int pages,
                          const char *sha)
{
	json_t *src = json_object();

	json_object_set_new(src, "path", json_string(path));
	if (member)
		json_object_set_new(src, "member", json_string(member));
	if (page > 0) {
		json_object_set_new(src, "page", json_integer(page));
		json_object_set_new(src, "pages", json_integer(pages));
	}
	if (sha)
		json_object_set_new(src, "sha256", json_string(sha));
	return src;
}

/* The name a message uses for a source: path, or path(member). */
static void place(char *buf, size_t n, const char *path, const char *member, int page)
{
	int k = snprintf(buf, n, "%s%s%s%s", path, member ? "(" : "", member ? member : "",
	                 member ? ")" : "");
	if (page > 0 && k > 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, ": page %d", page);
}

/* Finish a record: its error (if any) appended, serialized into the result
 * slot, and the diagnostic for stderr kept beside it. Needs no lock: the slot
 * is the caller's until it is marked done. */
static void fill_result(struct result *res, json_t *rec, const char *tool, const char *where,
                        const struct sc_error *e)
{
	char *text;

	if (e) {
		char msg[1200];
		struct sc_error copy = *e;
		copy.file[0] = '\0';   /* the place is said once, by `where` */
		sc_record_add_error(rec, tool, e);
		sc_error_format(&copy, msg, sizeof msg);
		if (asprintf(&res->msg, "%s: %s: %s\n", tool, where, msg) < 0)
			res->msg = NULL;
		res->bad = 1;
	}
	text = json_dumps(rec, SC_JSON_FLAGS);
	if (text && asprintf(&res->line, "%s\n", text) < 0)
		res->line = NULL;
	free(text);
}

static struct result *slot(struct pool *p, unsigned long seq)
{
	return &p->win[seq - p->base];
}

/* Write every finished result at the front of the window. Lock held. */
static void emit_ready(struct pool *p)
{
	struct sc_diag *d = p->run->diag;

	while (p->base < p->next_seq && p->win[0].done) {
		struct result *r = &p->win[0];
		/* after a stop, the pages already read are written, in order, up to
		 * the first that was dropped; nothing after it */
		int drop = (p->dropping |= r->skip);
		if (r->msg && !drop) {
			err_lock(p);
			fputs(r->msg, d->out);
			fflush(d->out);
			err_unlock(p);
		}
		if (!drop && !p->write_failed && (!r->line || fputs(r->line, p->run->out) == EOF))
			p->write_failed = 1;
		if (!drop) {
			d->records++;
			if (r->bad)
				d->bad++;
		}
		free(r->line);
		free(r->msg);
		memmove(p->win, p->win + 1, sizeof *p->win * (p->next_seq - p->base - 1));
		memset(&p->win[p->next_seq - p->base - 1], 0, sizeof *p->win);
		p->base++;
		p->written++;
		err_lock(p);
		sc_progress_update(p->progress, p->written);
		err_unlock(p);
	}
}

/* Reserve the next sequence number, waiting (and writing) while the window is full. */
static unsigned long reserve(struct pool *p)
{
	unsigned long seq;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		emit_ready(p);
		if (p->next_seq - p->base < p->cap)
			break;
		pthread_cond_wait(&p->finished, &p->mu);
	}
	seq = p->next_seq++;
	memset(slot(p, seq), 0, sizeof(struct result));
	sc_progress_set_total(p->progress, p->next_seq);   /* pages found so far */
	pthread_mutex_unlock(&p->mu);
	return seq;
}

static void error_record(struct pool *p, const char *path, const char *member, const char *sha,
                         const struct sc_error *e)
{
	unsigned long seq = reserve(p);
	json_t *rec = json_object();
	char where[1024], id[40];
	struct result res = {0};

	if (sha) {
		snprintf(id, sizeof id, "%.16s-0", sha);
		json_object_set_new(rec, "id", json_string(id));
	} else {
		json_object_set_new(rec, "id", json_null());
	}
	json_object_set_new(rec, "src", src_object(path, member, 0, 0, sha));
	place(where, sizeof where, path, member, 0);
	fill_result(&res, rec, p->run->diag->prog, where, e);
	json_decref(rec);
	pthread_mutex_lock(&p->mu);
	res.done = 1;
	*slot(p, seq) = res;
	emit_ready(p);
	pthread_mutex_unlock(&p->mu);
}

static int on_blob(void *ctx, struct sc_blob *b)
{
	struct pool *p = ctx;
	struct sc_error err;
	struct sc_ocr_doc *doc;
	struct source *s;
	char sha[65];

	if (p->fatal || stopped(p)) {
		free(b->data);
		return -1;   /* no engine, or told to stop: what is queued is accounted for */
	}
	if (b->error) {
		error_record(p, b->path, b->member, NULL, b->error);
		return p->write_failed ? -1 : 0;
	}
	sc_sha256_hex(b->data, b->len, sha);
	sc_error_clear(&err);
	capture_begin(p);
	doc = sc_ocr_doc_open(b->data, b->len, b->member ? b->member : b->path, &err);
	{
		char *lib = capture_end(p);
		if (doc && lib) {
			/* the file opened, but the library complained: say so once */
			struct sc_error w;
			sc_error_clear(&w);
			library_error(&w, b->path, lib);
			err_lock(p);
			fprintf(p->run->diag->out, "%s: %s%s%s%s: warning: %s\n", p->run->diag->prog, b->path,
			        b->member ? "(" : "", b->member ? b->member : "", b->member ? ")" : "", w.msg);
			err_unlock(p);
		} else if (!doc) {
			library_error(&err, b->path, lib);
		} else {
			free(lib);
		}
	}
	if (!doc) {
		error_record(p, b->path, b->member, sha, &err);
		free(b->data);
		return p->write_failed ? -1 : 0;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		sc_ocr_doc_free(doc);
		free(b->data);
		return -1;
	}
	s->data = b->data;
	s->len = b->len;
	s->path = strdup(b->path);
	s->member = b->member ? strdup(b->member) : NULL;
	memcpy(s->sha256, sha, sizeof sha);
	s->pages = sc_ocr_doc_pages(doc);
	s->refs = 1;           /* the walker's, dropped below */
	if (sc_ocr_doc_cut(doc)) {
		sc_error_set(&err, NULL, 0, 0, "truncated", "%s", sc_ocr_doc_cut(doc));
		s->cut = 1;
		s->cut_err = err;
	}
	sc_ocr_doc_free(doc);
	for (int i = 0; i < s->pages && !p->write_failed; i++) {
		struct job *j = calloc(1, sizeof *j);
		if (!j)
			break;
		j->seq = reserve(p);
		j->src = s;
		j->page = i;
		pthread_mutex_lock(&p->mu);
		s->refs++;
		sc_workq_push(&p->queue, &j->node);
		pthread_mutex_unlock(&p->mu);
	}
	if (s->cut && !p->write_failed) {
		/* the lost pages are a record of their own, after the pages read */
		char *path = strdup(s->path), *member = s->member ? strdup(s->member) : NULL;
		struct sc_error e = s->cut_err;
		source_release(p, s);
		error_record(p, path ? path : "?", member, sha, &e);
		free(path);
		free(member);
		return p->write_failed ? -1 : 0;
	}
	source_release(p, s);
	return p->write_failed ? -1 : 0;
}

/* Recognize one page into a result. */
static void run_job(struct pool *p, struct sc_ocr *ocr, struct sc_ocr_doc **cached,
                    const struct source **cached_src, struct job *j, struct result *res,
                    double *decode_ms, double *output_ms)
{
	const struct source *s = j->src;
	struct sc_error err;
	struct sc_page page;
	json_t *rec = json_object(), *ocrv = NULL;
	char id[40], where[1024];
	int failed = 0, damaged = 0;
	double t;

	sc_error_clear(&err);
	snprintf(id, sizeof id, "%.16s-%d", s->sha256, j->page + 1);
	json_object_set_new(rec, "id", json_string(id));
	json_object_set_new(rec, "src",
	                    src_object(s->path, s->member, j->page + 1, s->pages, s->sha256));
	if (*cached_src != s) {
		/* the cached doc borrows its source's bytes, so the worker holds a reference */
		if (*cached_src)
			source_release(p, (struct source *)*cached_src);
		sc_ocr_doc_free(*cached);
		*cached = sc_ocr_doc_open(s->data, s->len, s->member ? s->member : s->path, &err);
		if (*cached)
			sc_ocr_doc_set_max_decode(*cached, p->run->max_memory);
		*cached_src = NULL;
		if (*cached) {
			pthread_mutex_lock(&p->mu);
			j->src->refs++;
			pthread_mutex_unlock(&p->mu);
			*cached_src = s;
		}
	}
	t = cpu_ms();
	if (*cached) {
		capture_begin(p);
		if (sc_ocr_doc_page(*cached, j->page, p->run->pdf_dpi, p->run->text_layer, &page, &err) < 0)
			failed = 1;
		library_error(&err, s->path, capture_end(p));
		if (!failed && err.code[0]) {
			/* decoded, but the library found the file damaged: the page is
			 * read, and its record says what was wrong */
			damaged = 1;
		}
	}
	*decode_ms += cpu_ms() - t;
	if (!*cached)
		failed = 1;
	else if (failed)
		;
	else {
		ocrv = sc_ocr_page(ocr, &page, &err);
		sc_page_clear(&page);
		if (!ocrv)
			failed = 1;
	}
	if (ocrv)
		json_object_set_new(rec, "ocr", ocrv);
	if (failed && strcmp(err.code, "tesseract") == 0) {
		pthread_mutex_lock(&p->mu);
		if (!p->fatal) {
			p->fatal = 1;
			p->fatal_err = err;
		}
		pthread_mutex_unlock(&p->mu);
	}
	place(where, sizeof where, s->path, s->member, j->page + 1);
	t = cpu_ms();
	fill_result(res, rec, p->run->diag->prog, where, failed || damaged ? &err : NULL);
	json_decref(rec);
	*output_ms += cpu_ms() - t;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct sc_error err;
	struct sc_ocr *ocr;
	struct sc_ocr_doc *cached = NULL;
	const struct source *cached_src = NULL;
	double decode_ms = 0, output_ms = 0;

	sc_error_clear(&err);
	ocr = sc_ocr_new(&p->run->ocr, &err);
	pthread_mutex_lock(&p->mu);
	if (!ocr && !p->fatal) {
		p->fatal = 1;
		p->fatal_err = err;
	}
	p->ready++;
	pthread_cond_broadcast(&p->finished);
	pthread_mutex_unlock(&p->mu);
	for (;;) {
		struct job *j;
		struct result res = {0};

		pthread_mutex_lock(&p->mu);
		j = (struct job *)sc_workq_pop(&p->queue, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (!j)
			break;

		if (stopped(p)) {
			res.skip = 1;   /* told to stop: the page is dropped, not half-written */
		} else if (ocr) {
			run_job(p, ocr, &cached, &cached_src, j, &res, &decode_ms, &output_ms);
		} else {
			/* the engine could not start: the run is failing; account for the page */
			json_t *rec = json_pack("{s:n}", "id");
			fill_result(&res, rec, p->run->diag->prog, j->src->path, &p->fatal_err);
			json_decref(rec);
		}
		pthread_mutex_lock(&p->mu);
		res.done = 1;
		*slot(p, j->seq) = res;
		pthread_cond_broadcast(&p->finished);
		pthread_mutex_unlock(&p->mu);
		source_release(p, j->src);
		free(j);
	}
	sc_ocr_doc_free(cached);
	if (cached_src)
		source_release(p, (struct source *)cached_src);
	pthread_mutex_lock(&p->mu);
	if (ocr)
		sc_ocr_times_add(&p->times, sc_ocr_times(ocr));
	p->times.decode += decode_ms;
	p->times.output += output_ms;
	pthread_mutex_unlock(&p->mu);
	sc_ocr_free(ocr);
	return NULL;
}

void sc_ocr_run_init(struct sc_ocr_run *r, struct sc_diag *diag)
{
	memset(r, 0, sizeof *r);
	r->ocr.lang = "eng";
	r->ocr.steps = SC_PRE_DEFAULT;
	r->ocr.line_px = SC_OCR_LINE_PX;
	r->ocr.reread_conf = SC_OCR_REREAD_CONF;
	sc_walk_limits_default(&r->limits);
	r->jobs = 1;
	r->pdf_dpi = 300;
	r->text_layer = 1;
	r->out = stdout;
	r->diag = diag;
	r->max_memory = SC_OCR_MAX_MEMORY;
}

void sc_ocr_times_print(struct sc_diag *d, const struct sc_ocr_times *t)
{
	sc_diag_notef(d, "CPU seconds by stage: decode %.2f, osd %.2f, deskew %.2f, scale %.2f, "
	              "recognize %.2f, reread %.2f, output %.2f", t->decode / 1000, t->osd / 1000,
	              t->deskew / 1000, t->scale / 1000, t->recognize / 1000, t->reread / 1000,
	              t->output / 1000);
}

int sc_ocr_run(struct sc_ocr_run *r, char **paths, int npaths, FILE *list, const char *list_name)
{
	struct pool p;
	struct sc_walk w;
	pthread_t threads[64];
	int n = 0, jobs = r->jobs < 1 ? 1 : r->jobs > 64 ? 64 : r->jobs;

	memset(&p, 0, sizeof p);
	p.run = r;
	p.cap_fd = p.real_fd = -1;
	r->ocr.max_memory = r->max_memory;
	if (r->capture_stderr) {
		p.cap_fd = memfd_create("sc-ocr-stderr", MFD_CLOEXEC);
		p.real_fd = p.cap_fd >= 0 ? fcntl(2, F_DUPFD_CLOEXEC, 3) : -1;
		if (p.real_fd < 0 && p.cap_fd >= 0) {
			close(p.cap_fd);
			p.cap_fd = -1;
		}
	}
	pthread_mutex_init(&p.cap_mu, NULL);
	p.cap = (size_t)jobs * 4 + 4;
	p.win = calloc(p.cap, sizeof *p.win);
	if (!p.win) {
		sc_diag_fatalf(r->diag, "out of memory");
		return -1;
	}
	pthread_mutex_init(&p.mu, NULL);
	sc_workq_init(&p.queue);
	pthread_cond_init(&p.finished, NULL);
	for (int i = 0; i < jobs; i++)
		if (pthread_create(&threads[n], NULL, worker, &p) == 0)
			n++;
	/* wait until every engine is up: a missing language is fatal before any output */
	pthread_mutex_lock(&p.mu);
	while (p.ready < n)
		pthread_cond_wait(&p.finished, &p.mu);
	pthread_mutex_unlock(&p.mu);
	if (n == 0 || p.fatal) {
		char msg[1024];
		sc_error_format(&p.fatal_err, msg, sizeof msg);
		pthread_mutex_lock(&p.mu);
		sc_workq_close(&p.queue);
		pthread_mutex_unlock(&p.mu);
		for (int i = 0; i < n; i++)
			pthread_join(threads[i], NULL);
		sc_diag_fatalf(r->diag, "%s", n ? msg : "cannot start worker threads");
		free(p.win);
		if (p.cap_fd >= 0) {
			close(p.cap_fd);
			close(p.real_fd);
		}
		return -1;
	}
	if (r->progress)
		p.progress = sc_progress_new(r->diag->prog, "pages", 0);

	sc_walk_init(&w, on_blob, &p);
	w.limits = r->limits;
	for (int i = 0; i < npaths && !w.stop; i++)
		sc_walk_path(&w, paths[i]);
	if (list && !w.stop)
		sc_walk_list(&w, list, list_name);
	sc_progress_set_total(p.progress, p.next_seq);

	pthread_mutex_lock(&p.mu);
	sc_workq_close(&p.queue);
	while (p.base < p.next_seq) {
		emit_ready(&p);
		if (p.base < p.next_seq)
			pthread_cond_wait(&p.finished, &p.mu);
	}
	pthread_mutex_unlock(&p.mu);
	for (int i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	err_lock(&p);
	sc_progress_free(p.progress);
	err_unlock(&p);
	free(p.win);
	r->times = p.times;
	r->interrupted = stopped(&p);
	if (p.cap_fd >= 0) {
		close(p.cap_fd);
		close(p.real_fd);
	}
	pthread_mutex_destroy(&p.cap_mu);
	pthread_mutex_destroy(&p.mu);
	sc_workq_destroy(&p.queue);
	pthread_cond_destroy(&p.finished);
	if (p.fatal) {
		char msg[1024];
		sc_error_format(&p.fatal_err, msg, sizeof msg);
		sc_diag_fatalf(r->diag, "%s", msg);
		return -1;
	}
	if (fflush(r->out) != 0 || ferror(r->out) || p.write_failed) {
		sc_diag_fatalf(r->diag, "write error on standard output");
		return -1;
	}
	return 0;
}
