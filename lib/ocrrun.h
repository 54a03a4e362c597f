/*
 * ocrrun.h - sc-ocr's batch: walk the inputs, cut files into pages, hand the
 * pages to N workers (one tesseract engine each), write one record per page
 * in input order, whatever N.
 */
#ifndef SC_OCRRUN_H
#define SC_OCRRUN_H

#include <stdio.h>

#include "ocr.h"
#include "walk.h"

struct sc_ocr_run {
	struct sc_ocr_opts ocr;
	struct sc_walk_limits limits;
	int jobs;                /* worker threads (>= 1) */
	int pdf_dpi;             /* rendering of scanned PDF pages */
	int text_layer;          /* use a PDF page's text layer when usable (default 1) */
	int progress;            /* progress line on a terminal */
	FILE *out;
	struct sc_diag *diag;    /* records = pages written, bad = records with errors */
};

void sc_ocr_run_init(struct sc_ocr_run *r, struct sc_diag *diag);
/*
 * OCR every input: paths (files, directories, archives, "-"), then the names
 * listed in `list` if not NULL. Returns 0, or -1 on a fatal error (engine
 * could not start, standard output failed): diag->status is then 2.
 */
int sc_ocr_run(struct sc_ocr_run *r, char **paths, int npaths, FILE *list, const char *list_name);

#endif
