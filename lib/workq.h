/*
 * workq.h - the work queue shared by the tools' worker pools (sc_filter_run,
 * sc-ocr's pages): a FIFO of items that embed a struct sc_qnode as their
 * first member, guarded by the pool's own mutex so that the queue and the
 * pool's other state change together; and, on it, an ordered pool for a
 * tool whose items are independent but whose output is in input order
 * (sc-scan's images), and a parallel for (sc-join's batches).
 */
#ifndef SC_WORKQ_H
#define SC_WORKQ_H

#include <pthread.h>

struct sc_qnode {
	struct sc_qnode *next;
};

struct sc_workq {
	struct sc_qnode *head, *tail;
	int closing;
	pthread_cond_t ready;
};

void sc_workq_init(struct sc_workq *q);
void sc_workq_destroy(struct sc_workq *q);
/* The calling thread holds mu for all three. */
void sc_workq_push(struct sc_workq *q, struct sc_qnode *n);
/* Wait for the next item; NULL once the queue is closed and empty. */
struct sc_qnode *sc_workq_pop(struct sc_workq *q, pthread_mutex_t *mu);
void sc_workq_close(struct sc_workq *q);

/*
 * The ordered pool: work(ctx, i) for every i in [0, n) on up to jobs threads
 * (at most SC_WORKQ_MAX_JOBS), and done(ctx, i) on the calling thread for
 * each i in turn, 0, 1, 2 ..., as soon as i has been worked. Item i is started
 * only once done(ctx, i - w) has returned, w = sc_workq_window(jobs), so a
 * caller may keep each item's result in slot i % w of a ring of w. done
 * returning non-zero stops the run: no further item is started, and those
 * already started are worked but not handed to done. With jobs <= 1, or when
 * no thread can be started, everything runs on the calling thread. Returns
 * the number of items handed to done.
 */
#define SC_WORKQ_MAX_JOBS 64
size_t sc_workq_window(int jobs);
size_t sc_workq_ordered(size_t n, int jobs, void (*work)(void *ctx, size_t i),
                        int (*done)(void *ctx, size_t i), void *ctx);

/*
 * A parallel for, for items whose order does not matter (the caller puts
 * each result in its slot i): fn(ctx, i, worker) for every i in [0, n), taken
 * in turn by up to jobs threads, the calling thread among them; worker, in
 * [0, jobs), names the thread, so that fn may use scratch of its own.
 * Returns when every item has been worked. Threads that cannot start leave
 * their share to the others.
 */
void sc_workq_for(int jobs, size_t n, void (*fn)(void *ctx, size_t i, int worker), void *ctx);

#endif
