/*
 * sc.h - the core of libsc: errors with a place, diagnostics with a sticky
 * exit status, and the JSON-lines record reader and writer every tool shares.
 *
 * Ownership, stated once for the whole library:
 *   - Whoever creates a thing with sc_x_new()/sc_x_open() frees it with
 *     sc_x_free(); every sc_x_free() accepts NULL.
 *   - Records are jansson objects. The read-enrich-write loop owns each record;
 *     enrichers borrow it and attach their namespace with json_object_set_new(),
 *     which steals the new value.
 *   - Strings returned through `const char *` are borrowed and live as long as
 *     the object they came from; `char *` results are the caller's to free().
 *
 * Library functions return 0 on success and -1 on failure, filling a
 * struct sc_error when one is passed. Nothing in lib/ writes to stdout or
 * calls exit(); diagnostics go through struct sc_diag to stderr.
 */
#ifndef SC_H
#define SC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define SC_VERSION "0.1.0"

/* An error with the place it was found; line and col are 1-based, 0 = unknown. */
struct sc_error {
	char file[256];
	int line;
	int col;
	char code[32];   /* short machine-readable code, e.g. "bad-json" */
	char msg[512];
};

void sc_error_clear(struct sc_error *e);
/* Fill e (if not NULL) and return -1, so callers can `return sc_error_set(...)`. */
int sc_error_set(struct sc_error *e, const char *file, int line, int col,
                 const char *code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* "file:line:col: msg", leaving out the parts that are unknown. */
void sc_error_format(const struct sc_error *e, char *buf, size_t len);

/*
 * Diagnostics of one program run. Exit status follows DESIGN.md: 0 all
 * processed, 1 some input was bad (sticky), 2 usage or fatal.
 */
struct sc_diag {
	const char *prog;       /* "sc-ocr" */
	FILE *out;              /* stderr unless a test redirects it */
	int status;             /* worst so far: 0, 1 or 2 */
	unsigned long records;  /* records (or pages) accounted for */
	unsigned long bad;      /* of which had errors */
	int quiet;
};

void sc_diag_init(struct sc_diag *d, const char *prog);
/* Report an error: "prog: file:line:col: msg"; status becomes at least 1. */
void sc_diag_error(struct sc_diag *d, const struct sc_error *e);
void sc_diag_errorf(struct sc_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sc_diag_warnf(struct sc_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A note (a summary, a verdict): "prog: msg"; the status stays. Shown even
 * when quiet, which silences the messages about bad input only. */
void sc_diag_notef(struct sc_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A warning with its place, in the order of every diagnostic:
 * "prog: file:line:col: warning: code: msg"; the status stays. */
void sc_diag_warn(struct sc_diag *d, const struct sc_error *e);
/* Report a fatal error; status becomes 2. */
void sc_diag_fatalf(struct sc_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Flush f and check it: after a failed write, report "write error on WHAT:
 * strerror" (the one wording; WHAT is "standard output" or a file name),
 * status 2, and return -1. */
int sc_diag_flush(struct sc_diag *d, FILE *f, const char *what);
/* Print "prog: N of M records had errors" when some did; return exit status. */
int sc_diag_finish(struct sc_diag *d, const char *what);

/* Append {"tool","code","msg"} (plus place when known) to rec.errors. */
int sc_record_add_error(json_t *rec, const char *tool, const struct sc_error *e);
/* Append {"code","msg"} to list: one of a namespace's reasons (why a scan or
 * a sample is referred). Reasons are findings, not errors: their codes are
 * the namespace's own. msg is cut at 511 bytes. */
int sc_reason_add(json_t *list, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- JSON lines ---------------------------------------------------------- */

#define SC_MAX_LINE_DEFAULT (64u << 20)  /* 64 MiB: larger lines are refused */

struct sc_reader;

/* Open a JSON-lines stream; path "-" or NULL is stdin. */
struct sc_reader *sc_reader_open(const char *path, size_t max_line, struct sc_error *err);
void sc_reader_free(struct sc_reader *r);
/*
 * Read the next record. Returns 1 and sets *rec (owned by the caller) on a
 * good line; 0 at end of input; -1 on a bad line (invalid JSON, not an
 * object, too long, invalid UTF-8), with err filled with file:line:col, the
 * line consumed and the stream positioned at the next line. Blank lines are
 * skipped. -2 on a read error of the stream itself.
 */
int sc_reader_next(struct sc_reader *r, json_t **rec, struct sc_error *err);
/* Like sc_reader_next but without parsing: *line (borrowed, valid until the
 * next call) and *len, without the '\n'. 1, 0 at end, -1 too long, -2 read error. */
int sc_reader_next_line(struct sc_reader *r, const char **line, size_t *len,
                        struct sc_error *err);
/* Parse one line into an object record: 0, or -1 with err at name:lineno:col. */
int sc_parse_line(const char *name, unsigned long lineno, const char *line, size_t len,
                  json_t **rec, struct sc_error *err);
/* The raw bytes of the line last returned (without '\n'), for pass-through. */
const char *sc_reader_line(const struct sc_reader *r, size_t *len);
unsigned long sc_reader_lineno(const struct sc_reader *r);
const char *sc_reader_name(const struct sc_reader *r);

/*
 * How records are written: compact, keys in insertion order, and reals with
 * 15 significant digits, so that 372254.4 stays 372254.4 (17 digits would
 * print 372254.40000000002: exact for a machine, noise for an officer).
 */
#define SC_JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* Write rec as one line with SC_JSON_FLAGS. -1 on write error. */
int sc_write_record(FILE *out, const json_t *rec);
/*
 * Write a record that was read as `line`, with one more top-level key, without
 * re-serializing the rest: the bytes pass through and ,"key":value is put
 * before the closing brace. The caller must know that key is not in the line
 * (else use sc_write_record on the parsed object).
 */
int sc_write_appended(FILE *out, const char *line, size_t len,
                      const char *key, const json_t *value);
/*
 * The record that stands for a line that could not be read, so that every
 * input line is accounted for in the output:
 *   {"errors":[{"tool":..,"code":..,"msg":..,"file":..,"line":..,"col":..}]}
 */
json_t *sc_record_for_bad_line(const char *tool, const struct sc_error *e);

/* ---- small helpers ------------------------------------------------------- */

/* Look up a dotted path ("decl.importer.name") in a record; borrowed or NULL. */
json_t *sc_json_path(const json_t *root, const char *path);
/* Read a whole file (or "-" for stdin) into memory, at most max bytes. */
int sc_read_file(const char *path, size_t max, unsigned char **data, size_t *len,
                 struct sc_error *err);
/* Growing arrays: pp is the address of the array's pointer (&v, for any
 * T *v). sc_resize makes it n elements of elem bytes; sc_grow makes room for
 * one more, doubling *cap (first when 0). Both return 0, or -1 when out of
 * memory or the size overflows, and leave the array as it was then. */
int sc_resize(void *pp, size_t n, size_t elem);
int sc_grow(void *pp, size_t *cap, size_t first, size_t elem);
/* Find the shipped data directory (rules/, tables), first found of:
 * $SC_DATADIR; <bindir>/../share/smart-customs beside the program (so a
 * staged or moved install works); the build tree the program is in; the
 * $(PREFIX)/share/smart-customs it was built for. Borrowed. */
const char *sc_datadir(const char *argv0);
/* Option values for the frontends: an integer in [lo, hi], or a size with an
 * optional K, M or G suffix. 0, or -1 when the text is not one. */
int sc_parse_int(const char *s, long lo, long hi, int *out);
int sc_parse_size(const char *s, size_t *out);
/* A finite real in [lo, hi] (no unit, no trailing text), and a whole number
 * without a sign (seeds). 0, or -1 when the text is not one. */
int sc_parse_double(const char *s, double lo, double hi, double *out);
int sc_parse_u64(const char *s, unsigned long long *out);
/* The first call of every tool's main: returns argv[0] without its folders
 * ("./bin/sc-ocr" -> "sc-ocr", for getopt's messages too), ignores SIGPIPE
 * so that a closed pipe is a failed write, and checks standard output at
 * exit: a write that failed (full disk, closed pipe) makes the exit status 2
 * with a message, whatever main returned. sc_diag_init does the same. */
char *sc_tool_start(char *argv0);
/*
 * The header of a model file (sc(7), MODEL FILES): a JSON object whose
 * "format" is the format's name ("sc-risk-model") and "v" its version. 0 when
 * it is one this program reads; else -1 with err at name, code bad-model ("not
 * a model file of MAKER") or model-version ("model file format version N;
 * this program reads version V: learn the model again").
 */
int sc_model_header_check(const json_t *header, const char *format, const char *maker,
                          int version, const char *name, struct sc_error *err);
/* Monotonic seconds. */
double sc_now(void);

/*
 * An output file (-o OUT) replaced only when complete: the report is written
 * to a new temporary beside OUT (mkstemp: O_CREAT|O_EXCL, so a name or link
 * planted there is never followed), given the mode of the OUT it replaces
 * (or 0666 less the umask), and renamed over OUT by commit. An OUT that
 * exists and is not a regular file (a link, FIFO, device) is refused. Until
 * commit, SIGINT, SIGTERM and SIGHUP remove the temporary before the program
 * dies of them. One at a time per process. free removes an uncommitted one.
 */
/*
 * Stopping at a record boundary: after sc_stop_install, SIGINT or SIGTERM only
 * set a flag (a second one half a second or more later acts at once; one
 * request delivered twice at once, as GNU timeout does, is one). The loop
 * checks sc_stop_requested (the signal number, or 0) between records, drops
 * the one it was reading, flushes what it wrote (whole lines only) and calls
 * sc_stop_now, which dies of the same signal (exit status 130 or 143 in the
 * shell), removing an uncommitted sc_outfile first. A read interrupted by the signal ends the
 * input (the readers check the flag).
 */
void sc_stop_install(void);
int sc_stop_requested(void);
void sc_stop_now(void);

struct sc_outfile;
int sc_outfile_open(const char *path, struct sc_outfile **out, struct sc_error *err);
FILE *sc_outfile_fp(struct sc_outfile *o);
int sc_outfile_commit(struct sc_outfile *o, struct sc_error *err);
void sc_outfile_free(struct sc_outfile *o);

#endif
