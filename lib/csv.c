/*
 * csv.c - the streaming CSV reader of csv.h: a byte-at-a-time state machine
 * over a 64 KiB buffer, so a row is never held longer than its cap and a bad
 * row costs only itself. Lenient where exports are sloppy (a quote inside an
 * unquoted field is kept as text), strict where data would be lost.
 *
 * A stray or unclosed quote must not swallow the rows after it: the raw bytes
 * of each row are kept, and when a row that ran over line ends inside quotes
 * turns out bad (the quote never closes, the field count differs from the
 * first row's, or each of its lines reads as a row on its own), the row's first
 * line is reported and reading goes on at its second line, from those bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
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
	int after_quote_dropped;      /* lenient: text after a closing quote is dropped */
	int no_recovery;              /* a stray quote is not taken apart into rows */
	size_t max_field, max_row, max_fields;
	char *row;                    /* the fields' bytes, each NUL-terminated */
	size_t rlen, rcap;
	size_t *off, nf, fcap;
	char **fields;
	unsigned long line, col, row_line;
	unsigned char *raw;           /* the bytes of the current row, as read */
	size_t rawlen, rawcap;
	int rawover;                  /* too long (or no memory) to keep: no recovery */
	unsigned char *rep;           /* bytes to read again after a recovery */
	size_t replen, reppos;
	long nexp;                    /* fields of the first row, -1 before it */
};

static struct sc_csv *csv_new(const char *name, const struct sc_csv_opts *o)
{
	struct sc_csv *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	snprintf(c->name, sizeof c->name, "%s", name);
	c->delim = o ? o->delim : 0;
	c->after_quote_dropped = o && o->after_quote_dropped;
	c->no_recovery = o && o->no_recovery;
	c->max_field = o && o->max_field ? o->max_field : SC_CSV_MAX_FIELD_DEFAULT;
	c->max_row = o && o->max_row ? o->max_row : SC_CSV_MAX_ROW_DEFAULT;
	c->max_fields = o && o->max_fields ? o->max_fields : SC_CSV_MAX_FIELDS_DEFAULT;
	c->line = 1;
	c->nexp = -1;
	return c;
}

struct sc_csv *sc_csv_open(const char *path, const struct sc_csv_opts *opts, struct sc_error *err)
{
	int is_stdin = !path || strcmp(path, "-") == 0;
	struct sc_csv *c = csv_new(is_stdin ? "<stdin>" : path, opts);
	if (!c || !(c->ibuf = malloc(IBUF))) {
		sc_csv_free(c);
		sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
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
		sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
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
	free(c->raw);
	free(c->rep);
	free(c);
}

unsigned long sc_csv_line(const struct sc_csv *c) { return c->row_line; }
char sc_csv_delim(const struct sc_csv *c) { return c->delim ? c->delim : ','; }
const char *sc_csv_name(const struct sc_csv *c) { return c->name; }

static int fill(struct sc_csv *c)
{
	if (c->mem || c->ioerr)
		return 0;
	for (;;) {
		c->ilen = fread(c->ibuf, 1, IBUF, c->fp);
		c->ipos = 0;
		if (c->ilen == 0 && ferror(c->fp) && errno == EINTR) {
			clearerr(c->fp);
			if (sc_stop_requested())
				return 0;   /* asked to stop: the input ends here */
			continue;
		}
		if (c->ilen > 0 && ferror(c->fp) && errno == EINTR)
			clearerr(c->fp);
		break;
	}
	if (c->ilen == 0 && ferror(c->fp))
		c->ioerr = 1;
	return c->ilen > 0;
}

static int peekc(struct sc_csv *c)
{
	if (c->reppos < c->replen)
		return c->rep[c->reppos];
	if (c->ipos == c->ilen && !fill(c))
		return EOF;
	return c->ibuf[c->ipos];
}

static int getc_(struct sc_csv *c)
{
	int ch = peekc(c);
	if (ch == EOF)
		return EOF;
	if (c->reppos < c->replen)
		c->reppos++;
	else
		c->ipos++;
	if (!c->rawover) {
		if (c->rawlen == c->rawcap) {
			size_t n = c->rawcap ? c->rawcap * 2 : 4096;
			unsigned char *r = c->rawlen > c->max_row + 65536 ? NULL : realloc(c->raw, n);
			if (!r)
				c->rawover = 1;
			else {
				c->raw = r;
				c->rawcap = n;
			}
		}
		if (!c->rawover)
			c->raw[c->rawlen++] = (unsigned char)ch;
	}
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
	if (c->rlen + 1 > c->rcap && sc_grow(&c->row, &c->rcap, 4096, 1) < 0) {
		row_error(c, rs, c->line, SC_E_NOMEM, "out of memory (row of %lu bytes)",
		          (unsigned long)c->rlen);
		return -1;
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
	if (c->nf == c->fcap && sc_grow(&c->off, &c->fcap, 64, sizeof *c->off) < 0) {
		row_error(c, rs, c->line, SC_E_NOMEM, "out of memory (%lu fields)", (unsigned long)c->nf);
		return;
	}
	if (ensure(c, rs) < 0)
		return;
	c->off[c->nf++] = c->rlen - rs->flen;
	rs->flen = 0;
	c->row[c->rlen++] = '\0';
}

enum { S_START, S_PLAIN, S_QUOTED, S_QUOTE_IN, S_AFTER_QUOTE };

/* Fields of one physical line read alone; -1 when a quote is left open at its
 * end, unless lenient: then the open quote counts as text (a stray quote). */
static long line_fields(const unsigned char *s, size_t n, char delim, int lenient)
{
	long nf = 1, nf_at_open = 0;
	size_t open_at = 0;
	int state = S_START;

	for (size_t i = 0; i < n; i++) {
		int ch = s[i];
		if (state == S_QUOTED) {
			if (ch == '"')
				state = S_QUOTE_IN;
			continue;
		}
		if (state == S_QUOTE_IN && ch == '"') {
			state = S_QUOTED;
			continue;
		}
		if (ch == delim) {
			nf++;
			state = S_START;
		} else if (state == S_START && ch == '"') {
			state = S_QUOTED;
			open_at = i;
			nf_at_open = nf;
		} else {
			state = S_PLAIN;
		}
	}
	if (state != S_QUOTED)
		return nf;
	if (!lenient)
		return -1;
	nf = nf_at_open;
	for (size_t i = open_at + 1; i < n; i++)
		nf += s[i] == (unsigned char)delim;
	return nf;
}

/* The end of the first physical line in the row's raw bytes (past its line end). */
static size_t first_line_end(const struct sc_csv *c, size_t *content)
{
	size_t i = 0;
	while (i < c->rawlen && c->raw[i] != '\n' && c->raw[i] != '\r')
		i++;
	*content = i;
	if (i < c->rawlen)
		i += (c->raw[i] == '\r' && i + 1 < c->rawlen && c->raw[i + 1] == '\n') ? 2 : 1;
	return i;
}

/* A row over several lines whose every line reads alone as a row of the
 * expected width: one stray quote merged them. */
static int looks_merged(const struct sc_csv *c)
{
	size_t len1, i = first_line_end(c, &len1);

	if (c->nexp <= 0 || line_fields(c->raw, len1, c->delim, 1) != c->nexp)
		return 0;
	while (i < c->rawlen) {
		size_t j = i;
		while (j < c->rawlen && c->raw[j] != '\n' && c->raw[j] != '\r')
			j++;
		if (j > i && line_fields(c->raw + i, j - i, c->delim, 0) != c->nexp)
			return 0;
		i = j + ((j + 1 < c->rawlen && c->raw[j] == '\r' && c->raw[j + 1] == '\n') ? 2 : 1);
	}
	return 1;
}

/* Give back the bytes of the row after its first line, to be read again. */
static int recover(struct sc_csv *c)
{
	size_t len1, cut = first_line_end(c, &len1);
	size_t tail = c->rawlen - cut, left = c->replen - c->reppos;
	unsigned char *nb;

	if (c->rawover)
		return -1;
	nb = malloc(tail + left + 1);
	if (!nb)
		return -1;
	memcpy(nb, c->raw + cut, tail);
	if (left)
		memcpy(nb + tail, c->rep + c->reppos, left);
	free(c->rep);
	c->rep = nb;
	c->replen = tail + left;
	c->reppos = 0;
	c->line = c->row_line + 1;
	c->col = 0;
	c->rawlen = 0;
	return 0;
}

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
		int state = S_START, ch, multiline = 0;
		unsigned long qline = 0, qcol = 0;

		c->rlen = 0;
		c->nf = 0;
		c->row_line = c->line;
		c->rawlen = 0;
		c->rawover = 0;
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
				if (ch == '"') {
					state = S_QUOTE_IN;
				} else if ((ch == '\n' || ch == '\r') && rs.bad && !c->rawover) {
					multiline = 1;   /* a bad field running on: recover now */
					break;
				} else {
					multiline |= ch == '\n' || ch == '\r';
					put(c, &rs, ch);
				}
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
					qcol = c->col;
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
				} else if (c->after_quote_dropped) {
					state = S_AFTER_QUOTE;
				} else {
					row_error(c, &rs, c->line, "csv-quote",
					          "character after a closing quote in field %lu",
					          (unsigned long)c->nf + 1);
					state = S_PLAIN;
				}
				break;
			case S_AFTER_QUOTE:
				break;   /* dropped up to the delimiter */
			}
		}
		if (c->ioerr) {
			sc_error_set(err, c->name, (int)c->line, 0, "io", "read error");
			return -2;
		}
		if (multiline && !c->rawover && !c->no_recovery &&
		    (rs.bad || (c->nexp > 0 && (long)c->nf != c->nexp) || looks_merged(c))) {
			struct sc_error e = rs.e;
			unsigned long next = c->row_line + 1;
			if (rs.bad && state != S_QUOTED && strcmp(rs.e.code, "csv-quote") != 0)
				e.line = (int)c->row_line;
			else if (state != S_QUOTED)
				sc_error_set(&e, c->name, (int)qline, (int)qcol, "csv-quote",
				             "the quote opened here runs its field over the next lines, "
				             "which read as rows of their own: a stray quote");
			if (recover(c) == 0) {
				size_t m = strlen(e.msg);
				snprintf(e.msg + m, sizeof e.msg - m,
				         "; this row is skipped, reading goes on at line %lu", next);
				if (err)
					*err = e;
				return -1;
			}
		}
		if (rs.bad) {
			if (err)
				*err = rs.e;
			return -1;
		}
		char **fv = realloc(c->fields, c->nf * sizeof *fv);
		if (!fv) {
			sc_error_set(err, c->name, (int)c->row_line, 0, SC_E_NOMEM, "out of memory");
			return -2;
		}
		c->fields = fv;
		for (size_t i = 0; i < c->nf; i++)
			fv[i] = c->row + c->off[i];
		*n = c->nf;
		*fields = fv;
		if (c->nexp < 0)
			c->nexp = (long)c->nf;
		return 1;
	}
}
