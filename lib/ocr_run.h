/*
 * ocr_run.h - sc-ocr's batch: walk the inputs, cut files into pages, hand the
 * pages to N workers (one tesseract engine each), write one record per page
 * in input order, whatever N.
 */
#ifndef SC_OCR_RUN_H
#define SC_OCR_RUN_H

#include <signal.h>
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
	size_t max_memory;       /* bytes one worker may use for a page (decode and recognition) */
	int capture_stderr;      /* library messages on fd 2 become warnings naming the file */
	FILE *out;
	struct sc_diag *diag;    /* records = pages written, bad = records with errors */
	struct sc_ocr_times times;    /* filled: CPU per stage, summed over workers */
	int interrupted;         /* filled: the signal that stopped the batch after whole lines
	                          * (sc_stop_install, sc_stop_requested), or 0 */
};

/* Default per-worker memory: 512 MiB (an A4 page at 300 dpi needs about 150). */
#define SC_OCR_MAX_MEMORY ((size_t)512 << 20)

void sc_ocr_run_init(struct sc_ocr_run *r, struct sc_diag *diag);
/*
 * OCR every input: paths (files, directories, archives, "-"), then the names
 * listed in `list` if not NULL. Returns 0, or -1 on a fatal error (engine
 * could not start, standard output failed): diag->status is then 2.
 */
/* "CPU seconds by stage: ..." of --timing, as a note. */
void sc_ocr_times_print(struct sc_diag *d, const struct sc_ocr_times *t);
int sc_ocr_run(struct sc_ocr_run *r, char **paths, int npaths, FILE *list, const char *list_name);

#endif
