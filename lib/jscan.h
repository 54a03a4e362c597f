/*
 * jscan.h - one JSON line validated and indexed without building a tree:
 * strict RFC 8259 (and UTF-8), with the limits of jansson as sc_parse_line
 * uses it (depth, a real that overflows, \u0000 in a key), so that a line
 * jscan takes is a line every other tool takes. The index is a flat array
 * of tokens in document order; a value is a token index, and a container's
 * members follow it. Lookups walk the index; strings and numbers are decoded
 * on demand into the caller's buffers. Used where a filter needs a few
 * fields of big records (sc-join): the record stays its bytes.
 */
#ifndef SC_JSCAN_H
#define SC_JSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sc.h"

enum sc_jtype { SC_JS_NONE, SC_JS_OBJ, SC_JS_ARR, SC_JS_STR, SC_JS_NUM, SC_JS_TRUE, SC_JS_FALSE, SC_JS_NULL };

#define SC_JSCAN_MAX_DEPTH 2048   /* jansson's JSON_PARSER_MAX_DEPTH */

struct sc_jtok {
	uint32_t off, len;   /* the value's bytes in sc_jscan.s; a string's without its quotes */
	uint32_t end;        /* the index of the token after this value and all it holds */
	uint8_t type;        /* enum sc_jtype */
	uint8_t esc;         /* a string with a backslash escape; a number with '.', 'e' or 'E' */
};

struct sc_jscan {
	const char *s;       /* the line without insignificant whitespace (buf) */
	size_t len;
	char *buf;
	size_t bufcap;
	struct sc_jtok *t;
	size_t n, cap;
	uint32_t *stack;     /* open containers while scanning */
	size_t stackcap;
};

/* A scanner is reused line after line (its buffers are kept); zero it to start. */
void sc_jscan_init(struct sc_jscan *js);
void sc_jscan_release(struct sc_jscan *js);

/*
 * Validate one JSON text (any value at the top, whitespace around it) and
 * index it: 0, or -1 with err->col the 1-based byte column of the first
 * fault, err->code "bad-json" (or "nomem") and a message. file and line
 * only name the place in err. The index refers to js->s, the text with the
 * whitespace between tokens left out (strings kept byte for byte).
 */
int sc_jscan_parse(struct sc_jscan *js, const char *text, size_t len, const char *file, unsigned long line,
                   struct sc_error *err);

/* Index a text sc_jscan_parse took before (its js->s, compact): the same
 * index, without validating again or copying; js->s is text itself, which
 * must outlive the lookups. -1 only when out of memory or the text is not
 * what sc_jscan_parse left. */
int sc_jscan_index(struct sc_jscan *js, const char *text, size_t len);

/* The member of object v named key (the last one when a key repeats, as
 * jansson keeps it), or -1. v < 0 gives -1, so lookups chain. */
int sc_jscan_getn(const struct sc_jscan *js, int v, const char *key, size_t klen);
/* (inline, so that the length of a literal key is known when compiling) */
static inline int sc_jscan_get(const struct sc_jscan *js, int v, const char *key)
{
	return sc_jscan_getn(js, v, key, strlen(key));
}
/* Several members of object v in one walk of its members: out[i] is what
 * sc_jscan_get(js, v, keys[i]) gives, for i < n <= SC_JSCAN_GETV_MAX. For the
 * many fields read of one object, which were a walk each. */
#define SC_JSCAN_GETV_MAX 32
void sc_jscan_getv(const struct sc_jscan *js, int v, const char *const *keys, size_t n, int *out);
/* A dotted path from v ("parse.fields.total.value"), or -1. */
int sc_jscan_path(const struct sc_jscan *js, int v, const char *path);
/* Members: the first (the key token of an object, the element of an array),
 * then the next after it; -1 at the end. An object member's value is key+1. */
int sc_jscan_first(const struct sc_jscan *js, int v);
int sc_jscan_next(const struct sc_jscan *js, int v, int member);
/* Elements of an array or members of an object. */
size_t sc_jscan_size(const struct sc_jscan *js, int v);

static inline int sc_jscan_type(const struct sc_jscan *js, int v)
{
	return v >= 0 && (size_t)v < js->n ? js->t[v].type : SC_JS_NONE;
}

/* The bytes of value v as they stand (a string without quotes); NULL if v < 0. */
const char *sc_jscan_raw(const struct sc_jscan *js, int v, size_t *len);
/* The whole value, quotes included. */
const char *sc_jscan_span(const struct sc_jscan *js, int v, size_t *len);

/* A string decoded into buf (NUL-terminated, cut at cap - 1): its full
 * decoded length, or -1 when v is no string. */
long sc_jscan_str(const struct sc_jscan *js, int v, char *buf, size_t cap);
/* A string decoded into a new buffer (the caller frees), or NULL. */
char *sc_jscan_strdup(const struct sc_jscan *js, int v);
/* A string equal to s (decoded). */
int sc_jscan_streq(const struct sc_jscan *js, int v, const char *s);
/* A number: 0 and *x, or -1 when v is no number. */
int sc_jscan_num(const struct sc_jscan *js, int v, double *x);
/* A number written as an integer (no '.', 'e', 'E') that fits 64 bits. */
int sc_jscan_int(const struct sc_jscan *js, int v, long long *x);

/* Value v as a jansson tree, as sc_parse_line would have made it (an
 * integer past 64 bits a real); NULL when out of memory. */
json_t *sc_jscan_json(const struct sc_jscan *js, int v);

#endif
