/*
 * join_run.h - the whole of an sc-join run: read every file, link, write the
 * consignments (in the canonical order, the shard's share only).
 */
#ifndef SC_JOIN_RUN_H
#define SC_JOIN_RUN_H

#include "join.h"

struct sc_join_cfg {
	const struct sc_join_tol *tol;  /* NULL: the built-in defaults */
	int jobs;                       /* workers for parsing and building */
	int shard, shards;              /* write only consignments whose id hashes to shard (of shards) */
	size_t max_line;                /* 0: SC_MAX_LINE_DEFAULT */
	FILE *out;
	struct sc_diag *diag;
	int progress;
	int keep_at_exit;               /* the process ends after the run: leave the records to it */
	/* results */
	size_t consignments;            /* written */
	size_t in_flight;               /* records held until the end */
};

/* files NULL/nfiles 0: standard input. 0, or -1 on a fatal error (diag->status 2). */
int sc_join_run(struct sc_join_cfg *c, int nfiles, char **files);

#endif
