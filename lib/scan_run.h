/*
 * scan_run.h - the batch of sc-scan: images named on the command line read
 * and judged in parallel and written in their order, and the enricher that
 * reads the image a record names (for sc_filter_run). The frontend keeps the
 * options and the exit status.
 */
#ifndef SC_SCAN_RUN_H
#define SC_SCAN_RUN_H

#include "progress.h"
#include "scan.h"

struct sc_scan_run {
	struct sc_scan_cfg cfg;
	const char *overlay;   /* folder for the overlay images, or NULL */
	const char *base;      /* folder of the records file: a relative src.path is read from there */
	int jobs;              /* 1 to 64 */
	struct sc_diag *diag;  /* counts, messages and the exit status */
	FILE *out;             /* where the image records go */
};

/* Whether the file at path starts like an image sc-scan reads ("-" never). */
int sc_scan_run_is_image(const char *path);
/*
 * One record per image, {"id", "src", "scan"} (errors appended), written to
 * r->out in the order of paths; a failed image is counted bad and still has
 * its record. Stops early only when a write fails (status 2).
 */
void sc_scan_run_images(struct sc_scan_run *r, char **paths, int n, struct sc_progress *pr);
/* The sc_filter enricher: ctx is the struct sc_scan_run; reads src.path. */
int sc_scan_run_enrich(void *ctx, void *state, json_t *rec, json_t **value,
                       struct sc_error *err);

#endif
