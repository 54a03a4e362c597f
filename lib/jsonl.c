/*
 * jsonl.c - the JSON-lines reader and writer. The reader keeps the raw bytes
 * of each line so that a filter can pass them through and append its own key
 * instead of re-serializing the record (writing costs more than reading).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errcode.h"
#include "sc.h"

struct sc_reader {
	int fd;
	int own_fd;
	char name[256];
	size_t max_line;
	char *buf;            /* buffered input */
	size_t cap, start, end;
	int eof;
	unsigned long lineno;
	const char *line;     /* last line returned, inside buf */
	size_t line_len;
};

#define READ_CHUNK (256u << 10)

struct sc_reader *sc_reader_open(const char *path, size_t max_line, struct sc_error *err)
{
	struct sc_reader *r = calloc(1, sizeof *r);

	if (!r) {
		sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	r->max_line = max_line ? max_line : SC_MAX_LINE_DEFAULT;
	if (!path || strcmp(path, "-") == 0) {
		r->fd = 0;
		snprintf(r->name, sizeof r->name, "<stdin>");
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			sc_error_set(err, path, 0, 0, "open", "%s", strerror(errno));
			free(r);
			return NULL;
		}
		r->own_fd = 1;
		snprintf(r->name, sizeof r->name, "%s", path);
	}
	r->cap = READ_CHUNK * 4;
	r->buf = malloc(r->cap);
	if (!r->buf) {
		sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
		sc_reader_free(r);
		return NULL;
	}
	return r;
}

void sc_reader_free(struct sc_reader *r)
{
	if (!r)
		return;
	if (r->own_fd)
		close(r->fd);
	free(r->buf);
	free(r);
}

/* Read more bytes into the buffer, compacting or growing it. 0 ok, -1 error. */
static int fill(struct sc_reader *r)
{
	ssize_t n;

	if (r->start > 0 && (r->start == r->end || r->end + READ_CHUNK > r->cap)) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end + READ_CHUNK > r->cap) {
		size_t ncap = r->cap * 2;
		char *nbuf = realloc(r->buf, ncap);
		if (!nbuf)
			return -1;
		r->buf = nbuf;
		r->cap = ncap;
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR && !sc_stop_requested());
	if (n < 0 && errno == EINTR) {
		r->eof = 1;   /* asked to stop (sc_stop_install): the input ends here */
		return 0;
	}
	if (n < 0)
		return -1;
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return 0;
}

/* Skip the rest of an overlong line without keeping it. */
static int skip_line(struct sc_reader *r)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl) {
			r->start = (size_t)(nl - r->buf) + 1;
			return 0;
		}
		r->start = r->end = 0;
		if (r->eof)
			return 0;
		if (fill(r) < 0)
			return -1;
	}
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int sc_reader_next_line(struct sc_reader *r, const char **line, size_t *len,
                        struct sc_error *err)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		size_t n;

		if (!nl && !r->eof) {
			if (r->end - r->start > r->max_line) {
				r->lineno++;
				if (skip_line(r) < 0) {
					sc_error_set(err, r->name, (int)r->lineno, 0, "read",
					             "read error: %s", strerror(errno));
					return -2;
				}
				sc_error_set(err, r->name, (int)r->lineno, 0, "line-too-long",
				             "line longer than %zu bytes", r->max_line);
				return -1;
			}
			if (fill(r) < 0) {
				sc_error_set(err, r->name, (int)r->lineno + 1, 0, "read",
				             "read error: %s", strerror(errno));
				return -2;
			}
			continue;
		}
		if (!nl && r->start == r->end)
			return 0;
		n = nl ? (size_t)(nl - (r->buf + r->start)) : r->end - r->start;
		r->line = r->buf + r->start;
		r->start += n + (nl ? 1 : 0);
		r->lineno++;
		if (n > 0 && r->line[n - 1] == '\r')
			n--;
		r->line_len = n;
		if (is_blank(r->line, n))
			continue;
		if (n > r->max_line) {
			sc_error_set(err, r->name, (int)r->lineno, 0, "line-too-long",
			             "line longer than %zu bytes", r->max_line);
			return -1;
		}
		*line = r->line;
		*len = n;
		return 1;
	}
}

/* Integers past the range of json_int_t were parsed as reals (the fallback
 * below); give the ones that fit their integer type back, so that only the
 * huge ones change type. The original bytes still pass through unchanged
 * wherever a tool appends its key instead of re-serializing. */
static void reals_to_ints(json_t *v, int depth)
{
	const char *k;
	json_t *x;
	size_t i;

	if (depth > JSON_PARSER_MAX_DEPTH)
		return;
	if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			double d = json_is_real(x) ? json_real_value(x) : 0.5;
			if (d > -9e18 && d < 9e18 && d == (double)(json_int_t)d)   /* range first: the cast of a double out of range is undefined */
				json_object_set_new(v, k, json_integer((json_int_t)d));
			else
				reals_to_ints(x, depth + 1);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			double d = json_is_real(x) ? json_real_value(x) : 0.5;
			if (d > -9e18 && d < 9e18 && d == (double)(json_int_t)d)   /* range first: the cast of a double out of range is undefined */
				json_array_set_new(v, i, json_integer((json_int_t)d));
			else
				reals_to_ints(x, depth + 1);
		}
	}
}

int sc_parse_line(const char *name, unsigned long lineno, const char *line, size_t len,
                  json_t **rec, struct sc_error *err)
{
	/* \u0000 is valid JSON: take it (a C reader of the string sees it end there) */
	const size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
	json_error_t jerr;
	json_t *v;

	*rec = NULL;
	errno = 0;
	v = json_loadb(line, len, flags, &jerr);
	if (!v && json_error_code(&jerr) == json_error_numeric_overflow) {
		/* an integer past 64 bits is valid JSON too: read it as a real */
		json_error_t jerr2;
		v = json_loadb(line, len, flags | JSON_DECODE_INT_AS_REAL, &jerr2);
		if (v)
			reals_to_ints(v, 0);
		else
			jerr = jerr2;
	}
	if (!v) {
		int col = jerr.column > 0 ? jerr.column : 1;
		/* jansson does not always say so when malloc fails: errno does */
		enum json_error_code code = errno == ENOMEM ? json_error_out_of_memory
		                            : json_error_code(&jerr);
		switch (code) {
		case json_error_out_of_memory:
			return sc_error_set(err, name, (int)lineno, col, SC_E_NOMEM,
			                    "out of memory reading a line of %zu bytes", len);
		case json_error_stack_overflow:
			return sc_error_set(err, name, (int)lineno, col, "too-deep",
			                    "nested deeper than %d levels (the limit of sc(7))",
			                    JSON_PARSER_MAX_DEPTH);
		default:
			return sc_error_set(err, name, (int)lineno, col, "bad-json", "invalid JSON: %s",
			                    jerr.text);
		}
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return sc_error_set(err, name, (int)lineno, 1, "not-object",
		                    "record is not a JSON object");
	}
	*rec = v;
	return 0;
}

int sc_reader_next(struct sc_reader *r, json_t **rec, struct sc_error *err)
{
	const char *line;
	size_t len;
	int st;

	*rec = NULL;
	st = sc_reader_next_line(r, &line, &len, err);
	if (st <= 0)
		return st;
	return sc_parse_line(r->name, r->lineno, line, len, rec, err) < 0 ? -1 : 1;
}

const char *sc_reader_line(const struct sc_reader *r, size_t *len)
{
	*len = r->line_len;
	return r->line;
}

unsigned long sc_reader_lineno(const struct sc_reader *r)
{
	return r->lineno;
}

const char *sc_reader_name(const struct sc_reader *r)
{
	return r->name;
}

int sc_write_record(FILE *out, const json_t *rec)
{
	if (json_dumpf(rec, out, SC_JSON_FLAGS) < 0)
		return -1;
	if (putc('\n', out) == EOF)
		return -1;
	return ferror(out) ? -1 : 0;
}

int sc_write_appended(FILE *out, const char *line, size_t len, const char *key,
                      const json_t *value)
{
	size_t close = len, before;

	while (close > 0 && line[close - 1] != '}')
		close--;
	if (close == 0)
		return -1;
	close--;                            /* index of the closing brace */
	before = close;
	while (before > 0 && (line[before - 1] == ' ' || line[before - 1] == '\t' ||
	                      line[before - 1] == '\r' || line[before - 1] == '\n'))
		before--;
	if (fwrite(line, 1, before, out) != before)
		return -1;
	if (before > 0 && line[before - 1] != '{')
		putc(',', out);
	putc('"', out);
	fputs(key, out);                    /* keys are our own namespace names */
	fputs("\":", out);
	if (json_dumpf(value, out, SC_JSON_FLAGS | JSON_ENCODE_ANY) < 0)
		return -1;
	fputs("}\n", out);
	return ferror(out) ? -1 : 0;
}

json_t *sc_record_for_bad_line(const char *tool, const struct sc_error *e)
{
	json_t *rec = json_object();

	if (rec && sc_record_add_error(rec, tool, e) < 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}
