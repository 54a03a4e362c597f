/*
 * workq.c - the FIFO behind the worker pools.
 */
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
