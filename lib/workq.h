/*
 * workq.h - the work queue shared by the tools' worker pools (sc_filter_run,
 * sc-ocr's pages): a FIFO of items that embed a struct sc_qnode as their
 * first member, guarded by the pool's own mutex so that the queue and the
 * pool's other state change together.
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

#endif
