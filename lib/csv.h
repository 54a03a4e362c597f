/*
 * csv.h - a streaming CSV reader for the exports of declaration systems:
 * RFC 4180 quoting (fields spanning lines, doubled quotes), a UTF-8 BOM, CRLF,
 * LF or CR line ends, other delimiters (given, or guessed from the first row),
 * caps on field size, row size and field count, and errors with file:line:col
 * after which reading goes on at the next row.
 */
#ifndef SC_CSV_H
#define SC_CSV_H

#include "sc.h"

#define SC_CSV_MAX_FIELD_DEFAULT (1u << 20)   /* 1 MiB */
#define SC_CSV_MAX_ROW_DEFAULT   (8u << 20)   /* 8 MiB */
#define SC_CSV_MAX_FIELDS_DEFAULT 4096

struct sc_csv_opts {
	char delim;          /* 0: guess from the first row among , ; TAB | */
	size_t max_field;    /* 0: default */
	size_t max_row;      /* 0: default */
	size_t max_fields;   /* 0: default */
	int after_quote_dropped;  /* text between a closing quote and the delimiter is
	                           * dropped, not an error (OFAC's `"NAME" ,` spacing) */
	int no_recovery;          /* for a caller that stops at the first bad row (a table
	                           * used whole or not at all): a quote that does not close
	                           * is one error, its field running to the end, and the
	                           * lines after a stray quote are not read again as rows */
};

struct sc_csv;

/* Open a file ("-" or NULL is stdin). opts may be NULL for the defaults. */
struct sc_csv *sc_csv_open(const char *path, const struct sc_csv_opts *opts, struct sc_error *err);
/* Read from memory (borrowed; must outlive the reader); name is used in errors. */
struct sc_csv *sc_csv_open_buffer(const char *name, const char *buf, size_t len,
                                  const struct sc_csv_opts *opts, struct sc_error *err);
void sc_csv_free(struct sc_csv *c);

/*
 * The next row: returns 1 and sets *n and *fields (NUL-terminated strings,
 * borrowed until the next call; a field holds no NUL byte); 0 at the end;
 * -1 for a bad row (err has file:line:col; the row is consumed and the next
 * call goes on after it); -2 when the stream itself cannot be read.
 * Empty lines are skipped.
 */
int sc_csv_next(struct sc_csv *c, size_t *n, char ***fields, struct sc_error *err);
/* The line on which the row last returned began (1-based). */
unsigned long sc_csv_line(const struct sc_csv *c);
/* The delimiter in use (after a guess, once the first row was read). */
char sc_csv_delim(const struct sc_csv *c);
const char *sc_csv_name(const struct sc_csv *c);

#endif
