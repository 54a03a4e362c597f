/*
 * csv.c - the streaming CSV reader of csv.h: a byte-at-a-time state machine
 * over a 64 KiB buffer, so a row is never held longer than its cap and a bad
 * row costs only itself. Lenient where exports are sloppy (a quote inside an
 * unquoted field is kept as text), strict where data would be lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

#define IBUF 65536

struct sc_csv {
	char name[256];
	FILE *fp;
	int own_fp;
	unsigned char *ibuf;          /* file mode: our buffer; memory mode: the caller's */
	size_t ilen, ipos;
	int mem, ioerr, started;
	char delim;
	size_t max_field, max_row, max_fields;
	char *row;                    /* the fields' bytes, each NUL-terminated */
	size_t rlen, rcap;
	size_t *off, nf, fcap;
	char **fields;
	unsigned long line, col, row_line;
};

static struct sc_csv *csv_new(const char *name, const struct sc_csv_opts *o)
{
	struct sc_csv *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	snprintf(c->name, sizeof c->name, "%s", name);
	c->delim = o ? o->delim : 0;
	c->max_field = o && o->max_field ? o->max_field : SC_CSV_MAX_FIELD_DEFAULT;
	c->max_row = o && o->max_row ? o->max_row : SC_CSV_MAX_ROW_DEFAULT;
	c->max_fields = o && o->max_fields ? o->max_fields : SC_CSV_MAX_FIELDS_DEFAULT;
	c->line = 1;
	return c;
}

struct sc_csv *sc_csv_open(const char *path, const struct sc_csv_opts *opts, struct sc_error *err)
{
	int is_stdin = !path || strcmp(path, "-") == 0;
	struct sc_csv *c = csv_new(is_stdin ? "<stdin>" : path, opts);
	if (!c || !(c->ibuf = malloc(IBUF))) {
		sc_csv_free(c);
		sc_error_set(err, path, 0, 0, "no-memory", "out of memory");
		return NULL;
	}
	if (is_stdin) {
		c->fp = stdin;
	} else if (!(c->fp = fopen(path, "rb"))) {
		sc_error_set(err, path, 0, 0, "io", "cannot open: %s", strerror(errno));
		sc_csv_free(c);
		return NULL;
	} else {
		c->own_fp = 1;
	}
	return c;
}

struct sc_csv *sc_csv_open_buffer(const char *name, const char *buf, size_t len,
                                  const struct sc_csv_opts *opts, struct sc_error *err)
{
	struct sc_csv *c = csv_new(name ? name : "<buffer>", opts);
	if (!c) {
		sc_error_set(err, name, 0, 0, "no-memory", "out of memory");
		return NULL;
	}
	c->mem = 1;
	c->ibuf = (unsigned char *)buf;
	c->ilen = len;
	return c;
}

void sc_csv_free(struct sc_csv *c)
{
	if (!c)
		return;
	if (c->own_fp)
		fclose(c->fp);
	if (!c->mem)
		free(c->ibuf);
	free(c->row);
	free(c->off);
	free(c->fields);
	free(c);
}

unsigned long sc_csv_line(const struct sc_csv *c) { return c->row_line; }
char sc_csv_delim(const struct sc_csv *c) { return c->delim ? c->delim : ','; }
const char *sc_csv_name(const struct sc_csv *c) { return c->name; }

static int fill(struct sc_csv *c)
{
	if (c->mem || c->ioerr)
		return 0;
	c->ilen = fread(c->ibuf, 1, IBUF, c->fp);
	c->ipos = 0;
	if (c->ilen == 0 && ferror(c->fp))
		c->ioerr = 1;
	return c->ilen > 0;
}

static int peekc(struct sc_csv *c)
{
	if (c->ipos == c->ilen && !fill(c))
		return EOF;
	return c->ibuf[c->ipos];
}

static int getc_(struct sc_csv *c)
{
	int ch = peekc(c);
	if (ch == EOF)
		return EOF;
	c->ipos++;
	if (ch == '\n') {
		c->line++;
		c->col = 0;
	} else {
		c->col++;
	}
	return ch;
}

/* After '\r': "\r\n" is one line end, and so is a lone '\r' (old exports). */
static void end_cr(struct sc_csv *c)
{
	if (peekc(c) == '\n') {
		getc_(c);
	} else {
		c->line++;
		c->col = 0;
	}
}

/* Guess the delimiter from the first row: the candidate seen most outside quotes. */
static void guess_delim(struct sc_csv *c)
{
	static const char cand[] = { ',', ';', '\t', '|' };
	size_t count[4] = { 0 };
	int inq = 0;

	if (c->ipos == c->ilen)
		fill(c);
	for (size_t i = c->ipos; i < c->ilen; i++) {
		int ch = c->ibuf[i];
		if (ch == '"')
			inq = !inq;
		else if (!inq && (ch == '\n' || ch == '\r'))
			break;
		else if (!inq)
			for (int k = 0; k < 4; k++)
				count[k] += ch == cand[k];
	}
	int best = 0;
	for (int k = 1; k < 4; k++)
		if (count[k] > count[best])
			best = k;
	c->delim = cand[best];
}

struct rowstate { int bad; struct sc_error e; size_t flen; };

static void row_error(struct sc_csv *c, struct rowstate *rs, unsigned long line, const char *code,
                      const char *msg, unsigned long a)
{
	if (rs->bad)
		return;
	rs->bad = 1;
	sc_error_set(&rs->e, c->name, (int)line, (int)c->col, code, msg, a);
}

/* Room for one more byte in the row, within the row cap; 0, or -1 (row marked bad). */
static int ensure(struct sc_csv *c, struct rowstate *rs)
{
	if (c->rlen + 1 > c->max_row) {
		row_error(c, rs, c->line, "csv-row-size", "row longer than %lu bytes",
		          (unsigned long)c->max_row);
		return -1;
	}
	if (c->rlen + 1 > c->rcap) {
		size_t n = c->rcap ? c->rcap * 2 : 4096;
		char *r = realloc(c->row, n);
		if (!r) {
			row_error(c, rs, c->line, "no-memory", "out of memory (row of %lu bytes)",
			          (unsigned long)c->rlen);
			return -1;
		}
		c->row = r;
		c->rcap = n;
	}
	return 0;
}

static void put(struct sc_csv *c, struct rowstate *rs, int ch)
{
	if (rs->bad)
		return;
	if (ch == '\0') {
		row_error(c, rs, c->line, "csv-nul", "NUL byte in field %lu", (unsigned long)c->nf + 1);
		return;
	}
	if (++rs->flen > c->max_field) {
		row_error(c, rs, c->line, "csv-field-size", "field longer than %lu bytes",
		          (unsigned long)c->max_field);
		return;
	}
	if (ensure(c, rs) == 0)
		c->row[c->rlen++] = (char)ch;
}

static void end_field(struct sc_csv *c, struct rowstate *rs)
{
	if (!rs->bad && c->nf + 1 > c->max_fields)
		row_error(c, rs, c->row_line, "csv-fields", "more than %lu fields",
		          (unsigned long)c->max_fields);
	if (rs->bad) {
		rs->flen = 0;
		return;
	}
	if (c->nf == c->fcap) {
		size_t n = c->fcap ? c->fcap * 2 : 64;
		size_t *o = realloc(c->off, n * sizeof *o);
		if (!o) {
			row_error(c, rs, c->line, "no-memory", "out of memory (%lu fields)", (unsigned long)c->nf);
			return;
		}
		c->off = o;
		c->fcap = n;
	}
	if (ensure(c, rs) < 0)
		return;
	c->off[c->nf++] = c->rlen - rs->flen;
	rs->flen = 0;
	c->row[c->rlen++] = '\0';
}

enum { S_START, S_PLAIN, S_QUOTED, S_QUOTE_IN };

int sc_csv_next(struct sc_csv *c, size_t *n, char ***fields, struct sc_error *err)
{
	if (!c->started) {
		c->started = 1;
		if (peekc(c) == 0xEF && c->ilen - c->ipos >= 3 && c->ibuf[c->ipos + 1] == 0xBB &&
		    c->ibuf[c->ipos + 2] == 0xBF)
			c->ipos += 3;   /* a UTF-8 BOM: not part of the first column's name */
		if (!c->delim)
			guess_delim(c);
	}
	for (;;) {
		struct rowstate rs = { 0 };
		int state = S_START, ch;
		unsigned long qline = 0;

		c->rlen = 0;
		c->nf = 0;
		c->row_line = c->line;
		ch = getc_(c);
		if (ch == EOF) {
			if (c->ioerr) {
				sc_error_set(err, c->name, (int)c->line, 0, "io", "read error: %s", strerror(errno));
				return -2;
			}
			return 0;
		}
		if (ch == '\n')
			continue;          /* an empty line */
		if (ch == '\r') {
			end_cr(c);
			continue;
		}
		for (;; ch = getc_(c)) {
			if (ch == EOF) {
				if (state == S_QUOTED)
					row_error(c, &rs, qline, "csv-quote",
					          "quoted field opened on line %lu never closes", qline);
				end_field(c, &rs);
				break;
			}
			if (state == S_QUOTED) {
				if (ch == '"')
					state = S_QUOTE_IN;
				else
					put(c, &rs, ch);
				continue;
			}
			if (ch == c->delim) {
				end_field(c, &rs);
				state = S_START;
				continue;
			}
			if (ch == '\n' || ch == '\r') {
				if (ch == '\r')
					end_cr(c);
				end_field(c, &rs);
				break;
			}
			switch (state) {
			case S_START:
				if (ch == '"') {
					state = S_QUOTED;
					qline = c->line;
				} else {
					put(c, &rs, ch);
					state = S_PLAIN;
				}
				break;
			case S_PLAIN:
				put(c, &rs, ch);   /* a stray quote in a plain field stays text */
				break;
			case S_QUOTE_IN:
				if (ch == '"') {
					put(c, &rs, '"');
					state = S_QUOTED;
				} else {
					row_error(c, &rs, c->line, "csv-quote",
					          "character after a closing quote in field %lu",
					          (unsigned long)c->nf + 1);
					state = S_PLAIN;
				}
				break;
			}
		}
		if (c->ioerr) {
			sc_error_set(err, c->name, (int)c->line, 0, "io", "read error");
			return -2;
		}
		if (rs.bad) {
			if (err)
				*err = rs.e;
			return -1;
		}
		char **fv = realloc(c->fields, c->nf * sizeof *fv);
		if (!fv) {
			sc_error_set(err, c->name, (int)c->row_line, 0, "no-memory", "out of memory");
			return -2;
		}
		c->fields = fv;
		for (size_t i = 0; i < c->nf; i++)
			fv[i] = c->row + c->off[i];
		*n = c->nf;
		*fields = fv;
		return 1;
	}
}
