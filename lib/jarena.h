/*
 * jarena.h - jansson's values from a bump region of the thread's own while
 * it does short-lived work with them: sc-risk's loop parsing a line
 * (lib/filter.c), sc-join building a consignment (lib/join_run.c). malloc
 * and free for those values were an eighth of a parse and a tenth of a
 * consignment's build.
 */
#ifndef SC_JARENA_H
#define SC_JARENA_H

/* Route jansson's memory through the arena's functions, once, before any
 * worker runs (and for good). Values malloc'd before still go to free().
 * SC_FILTER_ARENA=0 in the environment leaves jansson on malloc. */
void sc_jarena_install(void);
/* Give this thread an arena (a free one, or a new region): 0, or -1 (then
 * malloc it is). A thread that has one keeps it. */
int sc_jarena_claim(void);
/* Allocate from this thread's arena from now on (1), or from malloc (0). */
void sc_jarena_on(int on);
/* This thread is done: its arena goes to whoever claims one next (values
 * of it still alive stay valid; the region is set back only once none is). */
void sc_jarena_release(void);

#endif
