/*
 * input.h - the input loop every frontend shares (the role of libarchive's
 * libarchive_fe and jq's util.c): the named files one after another, standard
 * input when none is named and for "-", line by line in one reused buffer,
 * every record counted and placed (file name, line number), every bad line
 * reported through sc_diag in the one wording of sc(7):
 *   prog: FILE:LINE:COL: invalid JSON: ...
 *   prog: FILE:LINE: line longer than N bytes
 *   prog: FILE:LINE:1: record is not a JSON object
 *   prog: FILE: No such file or directory
 * Reading allocates nothing per record: the line is borrowed from the reader's
 * buffer (sc_input_next_line); only parsing it (sc_input_next) makes a record.
 */
#ifndef SC_INPUT_H
#define SC_INPUT_H

#include "sc.h"

struct sc_input;

struct sc_input_opts {
	size_t max_line;    /* longest line taken; 0: SC_MAX_LINE_DEFAULT */
	/* A file that cannot be opened or read: 0 counts it as bad input (exit
	 * status 1, the other files are still read); 1 makes it fatal (status 2),
	 * for a tool whose one output would be wrong without it (sc-report). */
	int unreadable_fatal;
	/* The unit of the progress line on a terminal ("records"); NULL: none. */
	const char *progress;
};

/*
 * Iterate over files[0..nfiles) ("-" is standard input; nfiles 0 means
 * standard input alone). files and opts are borrowed and must outlive the
 * iterator; opts may be NULL. Counts go to d->records and d->bad, so that
 * sc_diag_finish(d, ...) prints the summary. NULL only when out of memory
 * (reported through d, status 2).
 */
struct sc_input *sc_input_new(int nfiles, char *const *files, struct sc_diag *d,
                              const struct sc_input_opts *opts);
void sc_input_free(struct sc_input *in);

/*
 * The next record: 1 with *rec (the caller's to json_decref); 0 at the end of
 * the last file; -1 for a bad line (not JSON, not an object, too long), which
 * is already reported and counted, and which sc_input_error() describes (for a
 * tool that writes a record for it: sc_record_for_bad_line). A file that
 * cannot be opened or read is reported and skipped, never returned.
 */
int sc_input_next(struct sc_input *in, json_t **rec);
/*
 * The next non-blank line without parsing it: 1 with *line (borrowed, valid
 * until the next call) and *len (without the newline); 0 at the end; -1 for a
 * line too long, reported and counted. A caller that parses the line itself
 * reports a bad one with sc_input_bad().
 */
int sc_input_next_line(struct sc_input *in, const char **line, size_t *len);

/* Where the current record is: the file's name ("<stdin>" for "-") and the
 * line number, 1-based. Borrowed; valid until the next call. */
const char *sc_input_name(const struct sc_input *in);
unsigned long sc_input_lineno(const struct sc_input *in);
/* The error of the last bad line or rejected record. */
const struct sc_error *sc_input_error(const struct sc_input *in);

/*
 * The caller found the current record unusable (no label, no date): report
 * "prog: FILE:LINE: msg" with the code, and count the record as bad (once,
 * however often it is rejected). Returns -1.
 */
int sc_input_reject(struct sc_input *in, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Report e (filled by the caller, with or without a place) as the current
 * record's error and count the record bad (once). Returns -1. */
int sc_input_bad(struct sc_input *in, const struct sc_error *e);

/*
 * CSV mode: the same files, counting, places and wording, but each file a
 * table read by lib/csv.c (copts borrowed; may be NULL), a row of which may
 * span lines. Read it with sc_input_next_row, not sc_input_next(_line).
 */
struct sc_csv_opts;
struct sc_input *sc_input_new_csv(int nfiles, char *const *files, struct sc_diag *d,
                                  const struct sc_input_opts *opts,
                                  const struct sc_csv_opts *copts);

#define SC_INPUT_HEADER 2    /* the header row of the next file (not counted) */
#define SC_INPUT_STOP  (-3)  /* a stop was requested (sc_stop_install) */
/*
 * The next row: 1 with *n fields (*fields borrowed until the next call);
 * SC_INPUT_HEADER with the first row of a new file (the rows after it have
 * as many fields, or are reported "csv-width" and counted bad); 0 at the end
 * of the last file; -1 for a bad row, reported and counted (the reading goes
 * on after it); SC_INPUT_STOP when a stop was requested: the row just read
 * is not counted, and sc_input_name/lineno say where it was. An empty file is
 * a warning, a file whose header cannot be read a fatal error (status 2);
 * both are skipped.
 */
int sc_input_next_row(struct sc_input *in, size_t *n, char ***fields);
/* Leave the current file (its header was not usable): the next call reads
 * the next file. */
void sc_input_skip_file(struct sc_input *in);

/* What was read so far. */
struct sc_input_stats {
	unsigned long files;        /* files opened */
	unsigned long unreadable;   /* files that could not be opened or read to the end */
	unsigned long records;      /* non-blank lines */
	unsigned long bad;          /* records reported bad (lines or rejected) */
};
void sc_input_stats(const struct sc_input *in, struct sc_input_stats *st);

#endif
