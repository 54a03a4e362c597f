/*
 * report.h - sc-report's library: a streaming summary of toolchain records in
 * constant memory (counts, bounded top lists, space-saving counters, histogram
 * bins), the summary as JSON figures, renderers (text, md, html, json), the CSV
 * row writer, and the --fail-if expression language over the figures.
 *
 * Ownership: sc_report_add() borrows the record; sc_report_summary() returns a
 * new reference the caller must json_decref(); a baseline handed to
 * sc_report_render() is borrowed.
 */
#ifndef SC_REPORT_H
#define SC_REPORT_H

#include <stdio.h>
#include <jansson.h>

#include "sc.h"

/* Bounds of the constant-memory state; the man page states them. */
#define SC_REPORT_TOP_MAX      1000   /* -n: rows of a top list (default 20) */
#define SC_REPORT_COUNTERS     1000   /* space-saving counters per keyed table */
#define SC_REPORT_EXAMPLES     3      /* record ids kept per rule, check, error */
#define SC_REPORT_STR_MAX      160    /* bytes kept of any string from a record */
#define SC_REPORT_REASONS      5      /* reasons kept per listed record */
#define SC_REPORT_HIST_BINS    20
#define SC_REPORT_HISTORY      30     /* nights of trend carried in -f json */
#define SC_REPORT_EVIDENCE     24     /* evidence rows kept per red or yellow consignment */

struct sc_report_opts {
	int top;            /* rows per top list; 0: 20 */
	double ocr_min;     /* OCR confidence (0..100, as ocr.conf) below which a page is low; <0: 60 */
	const char *title;  /* NULL: "Smart Customs report" */
	const char *label;  /* this run's name in the trend (e.g. a date); NULL: "now" */
};

struct sc_report;

struct sc_report *sc_report_new(const struct sc_report_opts *o);
void sc_report_free(struct sc_report *r);
/* Take one record into the summary (borrowed). A missing or mistyped field is
 * skipped, never an error. */
void sc_report_add(struct sc_report *r, const json_t *rec);
/* Count an input line that could not be read (it shows as an sc-report error). */
void sc_report_add_bad(struct sc_report *r, const struct sc_error *e);
/*
 * The summary: {"report":{...},"figures":{name:number...}, tables...}. It is
 * the -f json output and what --baseline reads back. With a baseline (may be
 * NULL) the summary also carries "history": the baseline's history plus the
 * baseline's own figures, at most SC_REPORT_HISTORY entries.
 */
json_t *sc_report_summary(const struct sc_report *r, const json_t *baseline);

/* Load and check a baseline (a previous -f json output). */
int sc_report_baseline_load(const char *path, json_t **out, struct sc_error *err);

enum sc_report_format { SC_REPORT_TEXT, SC_REPORT_MD, SC_REPORT_HTML, SC_REPORT_JSON };
int sc_report_format_parse(const char *name, enum sc_report_format *f, int *csv);

/* Render a summary (from sc_report_summary) to out. -1 on write error. */
int sc_report_render(FILE *out, enum sc_report_format f, const json_t *summary,
                     const json_t *baseline, struct sc_error *err);

/* The evidence of an sc-join consignment record, as rows [what, declared,
 * found, declared in, found in] (new reference), or NULL without "join". */
json_t *sc_report_join_evidence(const json_t *rec);

/* ---- figures ------------------------------------------------------------- */

struct sc_report_figure {
	const char *name;
	const char *what;
};
/* The figure names every summary carries, NULL-terminated. */
extern const struct sc_report_figure sc_report_figures[];
int sc_report_figure_known(const char *name);

/* ---- CSV: one row per record ---------------------------------------------- */

struct sc_report_csv;
/* cols: comma-separated paths ("id,risk.channel,risk.hits[].id"); NULL: defaults. */
struct sc_report_csv *sc_report_csv_new(const char *cols, struct sc_error *err);
void sc_report_csv_free(struct sc_report_csv *c);
int sc_report_csv_header(FILE *out, const struct sc_report_csv *c);
int sc_report_csv_row(FILE *out, const struct sc_report_csv *c, const json_t *rec);

/* ---- --fail-if expressions --------------------------------------------------- */

#define SC_EXPR_MAX_LEN   4096
#define SC_EXPR_MAX_DEPTH 64

struct sc_failif;
/* Compile; names must be figures (or base.FIGURE, which needs_base reports).
 * err names the column: "--fail-if:1:12: unknown figure \"red_rat\"". */
struct sc_failif *sc_failif_compile(const char *src, struct sc_error *err);
void sc_failif_free(struct sc_failif *x);
int sc_failif_needs_base(const struct sc_failif *x);
/* Evaluate against figures (and base figures, may be NULL): nonzero = holds. */
double sc_failif_eval(const struct sc_failif *x, const json_t *figures, const json_t *base);

#endif
