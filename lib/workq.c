/*
 * workq.c - the FIFO behind the worker pools, the ordered pool on it, and a
 * parallel for.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "workq.h"

void sc_workq_init(struct sc_workq *q)
{
	q->head = q->tail = NULL;
	q->closing = 0;
	pthread_cond_init(&q->ready, NULL);
}

void sc_workq_destroy(struct sc_workq *q)
{
	pthread_cond_destroy(&q->ready);
}

void sc_workq_push(struct sc_workq *q, struct sc_qnode *n)
{
	n->next = NULL;
	if (q->tail)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	pthread_cond_signal(&q->ready);
}

struct sc_qnode *sc_workq_pop(struct sc_workq *q, pthread_mutex_t *mu)
{
	struct sc_qnode *n;

	while (!q->head && !q->closing)
		pthread_cond_wait(&q->ready, mu);
	n = q->head;
	if (n) {
		q->head = n->next;
		if (!q->head)
			q->tail = NULL;
	}
	return n;
}

void sc_workq_close(struct sc_workq *q)
{
	q->closing = 1;
	pthread_cond_broadcast(&q->ready);
}

/* ---- the ordered pool ------------------------------------------------------ */

struct slot {
	struct sc_qnode node;   /* first: the queue links slots through it */
	size_t i;
	int worked;
};

struct ordered {
	pthread_mutex_t mu;
	pthread_cond_t worked;          /* some slot's item has been worked */
	struct sc_workq q;
	void (*work)(void *ctx, size_t i);
	void *ctx;
};

static void *ordered_worker(void *arg)
{
	struct ordered *o = arg;
	struct slot *s;

	pthread_mutex_lock(&o->mu);
	while ((s = (struct slot *)sc_workq_pop(&o->q, &o->mu)) != NULL) {
		pthread_mutex_unlock(&o->mu);
		o->work(o->ctx, s->i);
		pthread_mutex_lock(&o->mu);
		s->worked = 1;
		pthread_cond_broadcast(&o->worked);
	}
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

size_t sc_workq_window(int jobs)
{
	if (jobs > SC_WORKQ_MAX_JOBS)
		jobs = SC_WORKQ_MAX_JOBS;
	return 4 * (size_t)(jobs > 1 ? jobs : 1);
}

static size_t in_turn(size_t n, void (*work)(void *, size_t), int (*done)(void *, size_t),
                      void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		work(ctx, i);
		if (done(ctx, i))
			return i + 1;
	}
	return n;
}

size_t sc_workq_ordered(size_t n, int jobs, void (*work)(void *ctx, size_t i),
                        int (*done)(void *ctx, size_t i), void *ctx)
{
	struct ordered o = { .work = work, .ctx = ctx };
	pthread_t th[SC_WORKQ_MAX_JOBS];
	size_t w = sc_workq_window(jobs), started = 0, handed = 0, given = 0;
	struct slot *ring;
	int nth = 0, stop = 0;

	if (jobs > SC_WORKQ_MAX_JOBS)
		jobs = SC_WORKQ_MAX_JOBS;
	if (jobs <= 1 || n < 2 || !(ring = calloc(w, sizeof *ring)))
		return in_turn(n, work, done, ctx);
	pthread_mutex_init(&o.mu, NULL);
	pthread_cond_init(&o.worked, NULL);
	sc_workq_init(&o.q);
	for (int t = 0; t < jobs && (size_t)t < n; t++)
		if (pthread_create(&th[nth], NULL, ordered_worker, &o) == 0)
			nth++;
	if (nth == 0) {
		given = in_turn(n, work, done, ctx);
		goto out;
	}
	pthread_mutex_lock(&o.mu);
	while (handed < started || (!stop && handed < n)) {
		/* keep the window full, then wait for the oldest item */
		for (; !stop && started < n && started - handed < w; started++) {
			struct slot *s = &ring[started % w];
			s->i = started;
			s->worked = 0;
			sc_workq_push(&o.q, &s->node);
		}
		while (!ring[handed % w].worked)
			pthread_cond_wait(&o.worked, &o.mu);
		if (!stop) {
			pthread_mutex_unlock(&o.mu);
			stop = done(ctx, handed) != 0;
			given++;
			pthread_mutex_lock(&o.mu);
		}
		handed++;
	}
	sc_workq_close(&o.q);
	pthread_mutex_unlock(&o.mu);
	for (int t = 0; t < nth; t++)
		pthread_join(th[t], NULL);
out:
	sc_workq_destroy(&o.q);
	pthread_cond_destroy(&o.worked);
	pthread_mutex_destroy(&o.mu);
	free(ring);
	return given;
}

/* ---- a parallel for ----------------------------------------------------------- */

struct pfor {
	void (*fn)(void *ctx, size_t i, int worker);
	void *ctx;
	size_t n;
	atomic_size_t next;
};

struct pworker {
	struct pfor *p;
	int id;
};

static void *pfor_worker(void *arg)
{
	struct pworker *w = arg;
	size_t i;

	while ((i = atomic_fetch_add(&w->p->next, 1)) < w->p->n)
		w->p->fn(w->p->ctx, i, w->id);
	return NULL;
}

void sc_workq_for(int jobs, size_t n, void (*fn)(void *ctx, size_t i, int worker), void *ctx)
{
	struct pfor p = {fn, ctx, n, 0};
	pthread_t th[SC_WORKQ_MAX_JOBS];
	struct pworker w[SC_WORKQ_MAX_JOBS];
	int nt = 0;

	if (jobs > SC_WORKQ_MAX_JOBS)
		jobs = SC_WORKQ_MAX_JOBS;
	for (int t = 1; t < jobs && (size_t)t < n; t++) {
		w[nt + 1] = (struct pworker){&p, nt + 1};
		if (pthread_create(&th[nt], NULL, pfor_worker, &w[nt + 1]) == 0)
			nt++;
	}
	w[0] = (struct pworker){&p, 0};
	pfor_worker(&w[0]);   /* the calling thread is worker 0 */
	for (int t = 0; t < nt; t++)
		pthread_join(th[t], NULL);
}
