/*
 * parse_run.h - sc-parse's run between the options and the exit status: the
 * records of the files read through the shared input loop (lib/input.c),
 * ocr pages assembled into documents (sc_passm), documents parsed in bounded
 * batches (in parallel with jobs > 1, written in input order), documents
 * grouped into consignments (sc_pgroup), every other record passed through
 * in its place, a bad line kept as a record with its error.
 */
#ifndef SC_PARSE_RUN_H
#define SC_PARSE_RUN_H

#include <stdio.h>

#include "parse.h"

struct sc_parse_run {
	const struct sc_parse *parse;  /* borrowed: templates, tables, model */
	enum sc_pgroup_by group;       /* documents into consignments, or none */
	int jobs;                      /* documents parsed at once (1 to 64) */
	int text;                      /* the files are plain text, one document each */
	FILE *out;                     /* the records */
	struct sc_diag *diag;          /* counts, messages, the exit status */
};

/*
 * Parse files[0..nfiles) (standard input when none) into r->out. 0, or -1
 * when it stopped early: out of memory or a failed write (reported, status
 * 2). Memory stays flat however long the stream: a batch holds at most 16
 * documents a job, and a consignment is held only until its group ends.
 */
int sc_parse_run(const struct sc_parse_run *r, int nfiles, char *const *files);

/*
 * sc-parse learn's reading: the records of files[0..nfiles) (standard input
 * when none) with an "ocr" object; pages of one file in a row are one
 * document, learned with its truth file (sc_plearn_add_found: DIR/STEM.json
 * for a page of .../STEM.pdf, in the first of truth_dirs that has it). Bad
 * lines and truth files are reported and counted; the first five documents
 * without truth are named, then a total. Returns the documents without truth.
 */
struct sc_parse_learn_run {
	struct sc_plearn *learn;          /* borrowed: gathers the documents */
	const char *const *truth_dirs;    /* --truth DIR */
	const char *const *truth_types;   /* its :TYPE, or NULL */
	int ntruth;
	struct sc_diag *diag;
};

unsigned long sc_parse_learn_read(const struct sc_parse_learn_run *r, int nfiles,
                                  char *const *files);

#endif
