/*
 * test_workq.c - unit tests for the ordered pool of lib/workq: every item
 * worked once, handed on in input order whatever the number of threads, the
 * window respected (a ring of sc_workq_window slots is enough), and a stop
 * honoured.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workq.h"
#include "t.h"

struct run {
	size_t n, w;
	atomic_int *worked;     /* times item i was worked */
	size_t *order;          /* items in the order done saw them */
	size_t seen;
	atomic_size_t slot_busy_bad;
	atomic_int *slot;       /* ring slot in use by an item: its index + 1 */
	size_t stop_at;         /* done returns 1 at this item; (size_t)-1: never */
};

static void work(void *ctx, size_t i)
{
	struct run *r = ctx;
	int expect = 0;
	/* the slot must be free: done(i - w) has come before */
	if (!atomic_compare_exchange_strong(&r->slot[i % r->w], &expect, (int)i + 1))
		atomic_fetch_add(&r->slot_busy_bad, 1);
	if (i % 7 == 0)
		usleep(200);   /* some items slower, so they finish out of order */
	atomic_fetch_add(&r->worked[i], 1);
}

static int done(void *ctx, size_t i)
{
	struct run *r = ctx;
	r->order[r->seen++] = i;
	atomic_store(&r->slot[i % r->w], 0);
	return i == r->stop_at;
}

static void run_once(size_t n, int jobs, size_t stop_at)
{
	struct run r = { .n = n, .w = sc_workq_window(jobs), .stop_at = stop_at };
	size_t given, ok = 0, once = 0;

	r.worked = calloc(n ? n : 1, sizeof *r.worked);
	r.order = calloc(n ? n : 1, sizeof *r.order);
	r.slot = calloc(r.w, sizeof *r.slot);
	given = sc_workq_ordered(n, jobs, work, done, &r);
	for (size_t i = 0; i < r.seen; i++)
		ok += r.order[i] == i;
	for (size_t i = 0; i < n; i++)
		once += r.worked[i] <= 1;
	CHECK(given == r.seen);
	CHECK(ok == r.seen);
	CHECK(once == n);
	CHECK(atomic_load(&r.slot_busy_bad) == 0);
	if (stop_at < n) {
		CHECK(r.seen == stop_at + 1);
		/* nothing started beyond the window after the stop */
		size_t beyond = 0;
		for (size_t i = stop_at + r.w + 1; i < n; i++)
			beyond += r.worked[i] != 0;
		CHECK(beyond == 0);
	} else {
		size_t all = 0;
		for (size_t i = 0; i < n; i++)
			all += r.worked[i] == 1;
		CHECK(r.seen == n);
		CHECK(all == n);
	}
	free(r.worked);
	free(r.order);
	free(r.slot);
}

/* the parallel for: every item once, each worker's id in [0, jobs) */
struct pfor_run {
	atomic_int worked[700];
	atomic_int bad_worker;
	int jobs;
};

static void pfor_item(void *ctx, size_t i, int worker)
{
	struct pfor_run *r = ctx;
	if (worker < 0 || worker >= (r->jobs < 1 ? 1 : r->jobs > SC_WORKQ_MAX_JOBS ?
	                             SC_WORKQ_MAX_JOBS : r->jobs))
		atomic_fetch_add(&r->bad_worker, 1);
	atomic_fetch_add(&r->worked[i], 1);
}

static void for_once(size_t n, int jobs)
{
	static struct pfor_run r;
	size_t once = 0;

	memset(&r, 0, sizeof r);
	r.jobs = jobs;
	sc_workq_for(jobs, n, pfor_item, &r);
	for (size_t i = 0; i < n; i++)
		once += atomic_load(&r.worked[i]) == 1;
	CHECK(once == n);
	CHECK(atomic_load(&r.bad_worker) == 0);
	CHECK(n == 700 || atomic_load(&r.worked[n]) == 0);
}

int main(void)
{
	const int jobs[] = { 1, 2, 3, 8, 64, 100 };

	for (size_t k = 0; k < sizeof jobs / sizeof jobs[0]; k++) {
		run_once(0, jobs[k], (size_t)-1);
		run_once(1, jobs[k], (size_t)-1);
		run_once(1000, jobs[k], (size_t)-1);
		run_once(500, jobs[k], 37);
		run_once(500, jobs[k], 0);
	}
	for (size_t k = 0; k < sizeof jobs / sizeof jobs[0]; k++) {
		for_once(0, jobs[k]);
		for_once(1, jobs[k]);
		for_once(699, jobs[k]);
	}
	CHECK(sc_workq_window(1) == 4);
	CHECK(sc_workq_window(1000) == sc_workq_window(SC_WORKQ_MAX_JOBS));
	return T_DONE("workq");
}
