/*
 * jscan.c - a JSON line validated and indexed in one pass, without a tree
 * (see jscan.h). The bytes between tokens are dropped as the line is read,
 * so the index points into a compact copy that can be written out as it is.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "jscan.h"

void sc_jscan_init(struct sc_jscan *js)
{
	memset(js, 0, sizeof *js);
}

void sc_jscan_release(struct sc_jscan *js)
{
	free(js->buf);
	free(js->t);
	free(js->stack);
	memset(js, 0, sizeof *js);
}

/* 1: a byte that ends the fast run through a string */
static const unsigned char STOP[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* 1: '"' or '\\', where a string of validated text ends or escapes */
static const unsigned char QUOTE_OR_BS[256] = {['"'] = 1, ['\\'] = 1};

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long hex4(const unsigned char *s, size_t avail)
{
	if (avail < 4)
		return -1;
	long v = 0;
	for (int k = 0; k < 4; k++) {
		int h = hexval(s[k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* The length of a valid UTF-8 sequence of more than one byte at s (RFC 3629:
 * no overlong forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if (s[k] < 0x80 || s[k] > 0xBF)
			return 0;
	return n;
}

struct scan {
	const unsigned char *in;
	size_t len, p;
	unsigned char *out;
	size_t o;
	const char *why;
};

/* Inlined, with the growth its rare branch: a token is pushed for every
 * value of every line, and the call was a twentieth of sc-join's reading. */
static inline __attribute__((always_inline)) int push_tok(struct sc_jscan *js, uint8_t type, size_t off)
{
	if (__builtin_expect(js->n == js->cap, 0) && sc_grow(&js->t, &js->cap, 256, sizeof *js->t) < 0)
		return -1;
	struct sc_jtok *t = &js->t[js->n];
	t->off = (uint32_t)off;
	t->len = 0;
	t->end = (uint32_t)(js->n + 1);
	t->type = type;
	t->esc = 0;
	js->n++;
	return 0;
}

/* A string at in[p] == '"': copied to out with its quotes. */
static int scan_string(struct sc_jscan *js, struct scan *S, int key)
{
	const unsigned char *in = S->in;
	size_t p = S->p + 1, start = p;
	int esc = 0;
	for (;;) {
		/* eight bytes at a time while none is '"', '\\', a control or a non-ASCII byte */
		while (p + 8 <= S->len) {
			uint64_t w, ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
			memcpy(&w, in + p, 8);
			uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
			uint64_t hit = (w & high) | ((w - ones * 0x20) & ~w & high) | ((q - ones) & ~q & high) |
			               ((b - ones) & ~b & high);
			if (hit)
				break;
			p += 8;
		}
		while (p < S->len && !STOP[in[p]])
			p++;
		if (p >= S->len) {
			S->why = "premature end of input in a string";
			S->p = p;
			return -1;
		}
		unsigned char c = in[p];
		if (c == '"')
			break;
		if (c == '\\') {
			esc = 1;
			if (p + 1 >= S->len) {
				S->why = "premature end of input in a string";
				S->p = p;
				return -1;
			}
			unsigned char e = in[p + 1];
			if (e == 'u') {
				long u = hex4(in + p + 2, S->len - p - 2);
				if (u < 0) {
					S->why = "invalid \\u escape";
					S->p = p;
					return -1;
				}
				if (u == 0 && key) {
					S->why = "NUL byte in object key not supported";
					S->p = p;
					return -1;
				}
				if (u >= 0xDC00 && u <= 0xDFFF) {
					S->why = "invalid Unicode (a lone low surrogate)";
					S->p = p;
					return -1;
				}
				if (u >= 0xD800 && u <= 0xDBFF) {
					long l = p + 7 < S->len && in[p + 6] == '\\' && in[p + 7] == 'u'
					             ? hex4(in + p + 8, S->len - p - 8)
					             : -1;
					if (l < 0xDC00 || l > 0xDFFF) {
						S->why = "invalid Unicode (a high surrogate without its low one)";
						S->p = p;
						return -1;
					}
					p += 12;
				} else
					p += 6;
				continue;
			}
			if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
				p += 2;
				continue;
			}
			S->why = "invalid escape";
			S->p = p;
			return -1;
		}
		if (c < 0x20) {
			S->why = "control character in a string";
			S->p = p;
			return -1;
		}
		size_t n = utf8_len(in + p, S->len - p);
		if (!n) {
			S->why = "invalid UTF-8";
			S->p = p;
			return -1;
		}
		p += n;
	}
	/* "…" to out */
	size_t n = p - start;
	if (push_tok(js, SC_JS_STR, S->o + 1) < 0)
		return -2;
	js->t[js->n - 1].len = (uint32_t)n;
	js->t[js->n - 1].esc = (uint8_t)esc;
	S->out[S->o] = '"';
	memcpy(S->out + S->o + 1, in + start, n);
	S->out[S->o + 1 + n] = '"';
	S->o += n + 2;
	S->p = p + 1;
	return 0;
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* A real that overflows is refused, as jansson refuses it. */
static int overflows(const unsigned char *s, size_t n)
{
	char small[64], *b = n < sizeof small ? small : malloc(n + 1);
	if (!b)
		return -1;
	memcpy(b, s, n);
	b[n] = '\0';
	errno = 0;
	double v = strtod(b, NULL);
	int r = (v == HUGE_VAL || v == -HUGE_VAL) && errno == ERANGE;
	if (b != small)
		free(b);
	return r;
}

/* The digits a fraction or an exponent must have (at least one). */
static int digit_run(struct scan *S, size_t *p)
{
	if (*p >= S->len || !is_digit(S->in[*p])) {
		S->why = "invalid number";
		S->p = *p;
		return -1;
	}
	while (*p < S->len && is_digit(S->in[*p]))
		(*p)++;
	return 0;
}

static int scan_number(struct sc_jscan *js, struct scan *S)
{
	const unsigned char *in = S->in;
	size_t p = S->p, start = p, len = S->len;
	int real = 0, expo = 0;
	if (in[p] == '-')
		p++;
	if (p < len && in[p] == '0')
		p++;
	else if (p < len && in[p] >= '1' && in[p] <= '9')
		while (p < len && is_digit(in[p]))
			p++;
	else {
		S->why = "invalid number";
		S->p = p;
		return -1;
	}
	size_t intdigits = p - start;
	if (p < len && in[p] == '.') {
		real = 1;
		p++;
		if (digit_run(S, &p) < 0)
			return -1;
	}
	if (p < len && (in[p] == 'e' || in[p] == 'E')) {
		real = expo = 1;
		p++;
		if (p < len && (in[p] == '+' || in[p] == '-'))
			p++;
		if (digit_run(S, &p) < 0)
			return -1;
	}
	size_t n = p - start;
	if (expo || intdigits > 300) {
		int o = overflows(in + start, n);
		if (o) {
			S->why = o < 0 ? "out of memory" : "real number overflow";
			S->p = start;
			return o < 0 ? -2 : -1;
		}
	}
	if (push_tok(js, SC_JS_NUM, S->o) < 0)
		return -2;
	js->t[js->n - 1].len = (uint32_t)n;
	js->t[js->n - 1].esc = (uint8_t)real;
	memcpy(S->out + S->o, in + start, n);
	S->o += n;
	S->p = p;
	return 0;
}

static int scan_literal(struct sc_jscan *js, struct scan *S)
{
	static const char *const LIT[] = {"true", "false", "null"};
	static const uint8_t TYPE[] = {SC_JS_TRUE, SC_JS_FALSE, SC_JS_NULL};
	for (int k = 0; k < 3; k++) {
		size_t n = strlen(LIT[k]);
		if (S->len - S->p >= n && memcmp(S->in + S->p, LIT[k], n) == 0) {
			if (push_tok(js, TYPE[k], S->o) < 0)
				return -2;
			js->t[js->n - 1].len = (uint32_t)n;
			memcpy(S->out + S->o, LIT[k], n);
			S->o += n;
			S->p += n;
			return 0;
		}
	}
	S->why = "invalid token";
	return -1;
}

static inline __attribute__((always_inline)) void skip_ws(struct scan *S)
{
	/* through a local: S->out's bytes may alias S->p for the compiler, which
	 * then loaded and stored it byte by byte (a twentieth of the reading) */
	size_t p = S->p;
	const unsigned char *in = S->in;
	while (p < S->len && in[p] <= ' ' && is_ws(in[p]))
		p++;
	S->p = p;
}

int sc_jscan_parse(struct sc_jscan *js, const char *text, size_t len, const char *file, unsigned long line,
                   struct sc_error *err)
{
	js->n = 0;
	js->s = NULL;
	js->len = 0;
	if (len > UINT32_MAX - 2)
		return sc_error_set(err, file, (int)line, 1, "bad-json", "invalid JSON: a line past 4 GiB");
	if (js->bufcap < len + 1) {
		char *b = realloc(js->buf, len + 1);
		if (!b)
			return sc_error_set(err, file, (int)line, 1, SC_E_NOMEM, "out of memory reading a line of %zu bytes", len);
		js->buf = b;
		js->bufcap = len + 1;
	}
	struct scan S = {(const unsigned char *)text, len, 0, (unsigned char *)js->buf, 0, NULL};
	size_t depth = 0;
	int rc = 0;
	skip_ws(&S);
	/* states: a value is expected, or what follows one (',' or a closer) */
	for (;;) {
		/* ---- a value */
		if (S.p >= len) {
			S.why = "premature end of input";
			rc = -1;
			goto fail;
		}
		unsigned char c = S.in[S.p];
		if (c == '{' || c == '[') {
			if (depth >= SC_JSCAN_MAX_DEPTH) {
				S.why = "maximum parsing depth reached";
				rc = -1;
				goto fail;
			}
			if (depth == js->stackcap && sc_grow(&js->stack, &js->stackcap, 64, sizeof *js->stack) < 0) {
				rc = -2;
				goto fail;
			}
			if (push_tok(js, c == '{' ? SC_JS_OBJ : SC_JS_ARR, S.o) < 0) {
				rc = -2;
				goto fail;
			}
			js->stack[depth++] = (uint32_t)(js->n - 1);
			S.out[S.o++] = c;
			S.p++;
			skip_ws(&S);
			if (S.p < len && S.in[S.p] == (c == '{' ? '}' : ']'))
				goto close;
			if (c == '[')
				continue;
			goto key;
		} else if (c == '"')
			rc = scan_string(js, &S, 0);
		else if (c == '-' || is_digit(c))
			rc = scan_number(js, &S);
		else
			rc = scan_literal(js, &S);
		if (rc)
			goto fail;
	after:
		/* ---- after a value */
		skip_ws(&S);
		if (!depth) {
			if (S.p != len) {
				S.why = "end of file expected";
				rc = -1;
				goto fail;
			}
			break;
		}
		{
			int obj = js->t[js->stack[depth - 1]].type == SC_JS_OBJ;
			if (S.p >= len) {
				S.why = "premature end of input";
				rc = -1;
				goto fail;
			}
			c = S.in[S.p];
			if (c == ',') {
				S.out[S.o++] = ',';
				S.p++;
				skip_ws(&S);
				if (obj)
					goto key;
				continue;
			}
			if (c != (obj ? '}' : ']')) {
				S.why = obj ? "'}' or ',' expected" : "']' or ',' expected";
				rc = -1;
				goto fail;
			}
		}
	close: {
		struct sc_jtok *t = &js->t[js->stack[--depth]];
		S.out[S.o++] = S.in[S.p++];
		t->end = (uint32_t)js->n;
		t->len = (uint32_t)(S.o - t->off);
		goto after;
	}
	key:
		if (S.p >= len || S.in[S.p] != '"') {
			S.why = S.p >= len ? "premature end of input" : "string or '}' expected";
			rc = -1;
			goto fail;
		}
		if ((rc = scan_string(js, &S, 1)) != 0)
			goto fail;
		skip_ws(&S);
		if (S.p >= len || S.in[S.p] != ':') {
			S.why = "':' expected";
			rc = -1;
			goto fail;
		}
		S.out[S.o++] = ':';
		S.p++;
		skip_ws(&S);
	}
	js->s = js->buf;
	js->len = S.o;
	js->buf[S.o] = '\0';
	return 0;
fail:
	js->n = 0;
	if (rc == -2)
		return sc_error_set(err, file, (int)line, (int)S.p + 1, SC_E_NOMEM, "out of memory reading a line of %zu bytes",
		                    len);
	return sc_error_set(err, file, (int)line, (int)(S.p < len ? S.p : len) + 1, "bad-json", "invalid JSON: %s",
	                    S.why ? S.why : "invalid token");
}

int sc_jscan_index(struct sc_jscan *js, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t depth = 0, p = 0;
	js->n = 0;
	js->s = NULL;
	js->len = 0;
	while (p < len) {
		unsigned char c = s[p];
		if (c == ',' || c == ':') {
			p++;
			continue;
		}
		if (c == '}' || c == ']') {
			if (!depth)
				return -1;
			struct sc_jtok *t = &js->t[js->stack[--depth]];
			p++;
			t->end = (uint32_t)js->n;
			t->len = (uint32_t)(p - t->off);
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth == js->stackcap && sc_grow(&js->stack, &js->stackcap, 64, sizeof *js->stack) < 0)
				return -1;
			if (push_tok(js, c == '{' ? SC_JS_OBJ : SC_JS_ARR, p) < 0)
				return -1;
			js->stack[depth++] = (uint32_t)(js->n - 1);
			p++;
			continue;
		}
		if (c == '"') {
			/* the text was validated: a string ends at the first '"' that is
			 * not escaped, and an escape is a backslash and the byte after it
			 * (a table walk: strings are short, memchr's setup was most of it) */
			size_t q = p + 1;
			int esc = 0;
			for (;;) {
				while (q < len && !QUOTE_OR_BS[s[q]])
					q++;
				if (q >= len)
					return -1;
				if (s[q] == '"')
					break;
				esc = 1;
				q += 2;
			}
			q++;
			if (push_tok(js, SC_JS_STR, p + 1) < 0)
				return -1;
			js->t[js->n - 1].len = (uint32_t)(q - p - 2);
			js->t[js->n - 1].esc = (uint8_t)esc;
			p = q;
			continue;
		}
		size_t q = p;
		uint8_t type = c == 't' ? SC_JS_TRUE : c == 'f' ? SC_JS_FALSE : c == 'n' ? SC_JS_NULL : SC_JS_NUM;
		int real = 0;
		while (q < len && s[q] != ',' && s[q] != '}' && s[q] != ']' && s[q] != ':') {
			real |= s[q] == '.' || s[q] == 'e' || s[q] == 'E';
			q++;
		}
		if (push_tok(js, type, p) < 0)
			return -1;
		js->t[js->n - 1].len = (uint32_t)(q - p);
		js->t[js->n - 1].esc = (uint8_t)(type == SC_JS_NUM && real);
		p = q;
	}
	if (depth || !js->n)
		return -1;
	js->s = text;
	js->len = len;
	return 0;
}

/* ---- lookups ------------------------------------------------------------------- */

int sc_jscan_first(const struct sc_jscan *js, int v)
{
	if (v < 0 || (size_t)v >= js->n)
		return -1;
	const struct sc_jtok *t = &js->t[v];
	if ((t->type != SC_JS_OBJ && t->type != SC_JS_ARR) || t->end == (uint32_t)v + 1)
		return -1;
	return v + 1;
}

int sc_jscan_next(const struct sc_jscan *js, int v, int member)
{
	if (v < 0 || member < 0)
		return -1;
	const struct sc_jtok *t = &js->t[v];
	uint32_t nx = t->type == SC_JS_OBJ ? js->t[member + 1].end : js->t[member].end;
	return nx < t->end ? (int)nx : -1;
}

size_t sc_jscan_size(const struct sc_jscan *js, int v)
{
	size_t n = 0;
	for (int m = sc_jscan_first(js, v); m >= 0; m = sc_jscan_next(js, v, m))
		n++;
	return n;
}

static int key_is(const struct sc_jscan *js, int k, const char *key, size_t klen)
{
	const struct sc_jtok *t = &js->t[k];
	if (!t->esc)
		return t->len == klen && memcmp(js->s + t->off, key, klen) == 0;
	char buf[256];
	long n = sc_jscan_str(js, k, buf, sizeof buf);
	return n >= 0 && (size_t)n == klen && klen < sizeof buf && memcmp(buf, key, klen) == 0;
}

/* The members walked inline, the common key (no escape) compared by its
 * length and first byte before memcmp: lookups are most of sc-join's reading. */
static int get_n(const struct sc_jscan *js, int v, const char *key, size_t klen)
{
	if (sc_jscan_type(js, v) != SC_JS_OBJ)
		return -1;
	int found = -1;
	const struct sc_jtok *t = js->t;
	uint32_t end = t[v].end;
	for (uint32_t m = (uint32_t)v + 1; m < end; m = t[m + 1].end) {
		const struct sc_jtok *k = &t[m];
		if (!k->esc) {
			if (k->len == klen && (!klen || (js->s[k->off] == key[0] && memcmp(js->s + k->off, key, klen) == 0)))
				found = (int)m + 1;
		} else if (key_is(js, (int)m, key, klen))
			found = (int)m + 1;
	}
	return found;
}

int sc_jscan_getn(const struct sc_jscan *js, int v, const char *key, size_t klen)
{
	return get_n(js, v, key, klen);
}

void sc_jscan_getv(const struct sc_jscan *js, int v, const char *const *keys, size_t n, int *out)
{
	/* the names by length (a bit each), so that a member is held against
	 * the one or two names as long as its key, not against every name */
	uint32_t bylen[64], longer = 0;   /* bylen[l] is set where lens has bit l */
	uint64_t lens = 0;
	size_t klen[SC_JSCAN_GETV_MAX];
	if (n > SC_JSCAN_GETV_MAX)
		n = SC_JSCAN_GETV_MAX;
	for (size_t i = 0; i < n; i++) {
		out[i] = -1;
		klen[i] = strlen(keys[i]);
		if (klen[i] >= 64)
			longer |= 1u << i;
		else if (lens >> klen[i] & 1)
			bylen[klen[i]] |= 1u << i;
		else {
			lens |= 1ULL << klen[i];
			bylen[klen[i]] = 1u << i;
		}
	}
	if (sc_jscan_type(js, v) != SC_JS_OBJ)
		return;
	const struct sc_jtok *t = js->t;
	uint32_t end = t[v].end;
	/* the last member of a name wins, as in get_n */
	for (uint32_t m = (uint32_t)v + 1; m < end; m = t[m + 1].end) {
		const struct sc_jtok *k = &t[m];
		if (k->esc) {
			for (size_t i = 0; i < n; i++)
				if (key_is(js, (int)m, keys[i], klen[i]))
					out[i] = (int)m + 1;
			continue;
		}
		const char *ks = js->s + k->off;
		for (uint32_t c = k->len >= 64 ? longer : lens >> k->len & 1 ? bylen[k->len] : 0; c; c &= c - 1) {
			int i = __builtin_ctz(c);
			if (klen[i] == k->len && (!klen[i] || (ks[0] == keys[i][0] && memcmp(ks, keys[i], klen[i]) == 0)))
				out[i] = (int)m + 1;
		}
	}
}

int sc_jscan_path(const struct sc_jscan *js, int v, const char *path)
{
	while (v >= 0 && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		v = get_n(js, v, path, n);
		path += n + (dot != NULL);
	}
	return v;
}

const char *sc_jscan_raw(const struct sc_jscan *js, int v, size_t *len)
{
	if (v < 0 || (size_t)v >= js->n) {
		*len = 0;
		return NULL;
	}
	*len = js->t[v].len;
	return js->s + js->t[v].off;
}

const char *sc_jscan_span(const struct sc_jscan *js, int v, size_t *len)
{
	const char *s = sc_jscan_raw(js, v, len);
	if (s && js->t[v].type == SC_JS_STR) {
		s--;
		*len += 2;
	}
	return s;
}

/* ---- decoding ---------------------------------------------------------------------- */

static size_t put_utf8(char *o, unsigned long u)
{
	if (u < 0x80) {
		o[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		o[0] = (char)(0xC0 | (u >> 6));
		o[1] = (char)(0x80 | (u & 0x3F));
		return 2;
	}
	if (u < 0x10000) {
		o[0] = (char)(0xE0 | (u >> 12));
		o[1] = (char)(0x80 | ((u >> 6) & 0x3F));
		o[2] = (char)(0x80 | (u & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (u >> 18));
	o[1] = (char)(0x80 | ((u >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((u >> 6) & 0x3F));
	o[3] = (char)(0x80 | (u & 0x3F));
	return 4;
}

long sc_jscan_str(const struct sc_jscan *js, int v, char *buf, size_t cap)
{
	if (sc_jscan_type(js, v) != SC_JS_STR)
		return -1;
	const struct sc_jtok *t = &js->t[v];
	const unsigned char *s = (const unsigned char *)js->s + t->off, *e = s + t->len;
	size_t o = 0;
	if (!t->esc) {
		if (cap) {
			size_t n = t->len < cap - 1 ? t->len : cap - 1;
			memcpy(buf, s, n);
			buf[n] = '\0';
		}
		return (long)t->len;
	}
	while (s < e) {
		char tmp[4];
		size_t n;
		if (*s != '\\') {
			tmp[0] = (char)*s++;
			n = 1;
		} else {
			unsigned char c = s[1];
			s += 2;
			switch (c) {
			case 'b': tmp[0] = '\b', n = 1; break;
			case 'f': tmp[0] = '\f', n = 1; break;
			case 'n': tmp[0] = '\n', n = 1; break;
			case 'r': tmp[0] = '\r', n = 1; break;
			case 't': tmp[0] = '\t', n = 1; break;
			case 'u': {
				unsigned long u = (unsigned long)hex4(s, 4);
				s += 4;
				if (u >= 0xD800 && u <= 0xDBFF) {
					unsigned long l = (unsigned long)hex4(s + 2, 4);
					s += 6;
					u = 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00);
				}
				n = put_utf8(tmp, u);
				break;
			}
			default: tmp[0] = (char)c, n = 1; break;
			}
		}
		for (size_t k = 0; k < n; k++, o++)
			if (o + 1 < cap)
				buf[o] = tmp[k];
	}
	if (cap)
		buf[o < cap - 1 ? o : cap - 1] = '\0';
	return (long)o;
}

char *sc_jscan_strdup(const struct sc_jscan *js, int v)
{
	long n = sc_jscan_str(js, v, NULL, 0);
	if (n < 0)
		return NULL;
	char *b = malloc((size_t)n + 1);
	if (b)
		sc_jscan_str(js, v, b, (size_t)n + 1);
	return b;
}

int sc_jscan_streq(const struct sc_jscan *js, int v, const char *s)
{
	if (sc_jscan_type(js, v) != SC_JS_STR)
		return 0;
	return key_is(js, v, s, strlen(s));
}

int sc_jscan_num(const struct sc_jscan *js, int v, double *x)
{
	if (sc_jscan_type(js, v) != SC_JS_NUM)
		return -1;
	const struct sc_jtok *t = &js->t[v];
	const char *s = js->s + t->off;
	/* small integers without strtod: most numbers of a record */
	if (!t->esc && t->len <= 15) {
		long long a = 0;
		size_t k = s[0] == '-';
		for (; k < t->len; k++)
			a = a * 10 + (s[k] - '0');
		*x = (double)(s[0] == '-' ? -a : a);
		return 0;
	}
	/* a decimal fraction of at most 15 digits, no exponent: its digits and
	 * 10^k are exact doubles, so one division is correctly rounded, the
	 * value strtod gives (Clinger's fast path), without strtod */
	if (t->len <= 17) {
		static const double P10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
		long long a = 0;
		int digits = 0, frac = -1, ok = 1;
		for (size_t k = s[0] == '-'; k < t->len && ok; k++) {
			if (s[k] == '.' && frac < 0)
				frac = 0;
			else if (s[k] >= '0' && s[k] <= '9') {
				a = a * 10 + (s[k] - '0');
				digits++;
				frac += frac >= 0;
			} else
				ok = 0;
		}
		if (ok && frac >= 0 && digits <= 15) {
			double v = (double)a / P10[frac];
			*x = s[0] == '-' ? -v : v;
			return 0;
		}
	}
	char small[64], *b = t->len < sizeof small ? small : malloc(t->len + 1);
	if (!b)
		return -1;
	memcpy(b, s, t->len);
	b[t->len] = '\0';
	*x = strtod(b, NULL);
	if (b != small)
		free(b);
	return 0;
}

int sc_jscan_int(const struct sc_jscan *js, int v, long long *x)
{
	if (sc_jscan_type(js, v) != SC_JS_NUM || js->t[v].esc)
		return -1;
	const struct sc_jtok *t = &js->t[v];
	const char *s = js->s + t->off;
	int neg = s[0] == '-';
	unsigned long long a = 0, lim = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
	for (size_t k = (size_t)neg; k < t->len; k++) {
		unsigned d = (unsigned)(s[k] - '0');
		if (a > (lim - d) / 10)
			return -1;
		a = a * 10 + d;
	}
	*x = neg ? (long long)(0 - a) : (long long)a;
	return 0;
}

json_t *sc_jscan_json(const struct sc_jscan *js, int v)
{
	switch (sc_jscan_type(js, v)) {
	case SC_JS_OBJ: {
		json_t *o = json_object();
		for (int m = sc_jscan_first(js, v); o && m >= 0; m = sc_jscan_next(js, v, m)) {
			char kb[256], *k = kb;
			long n = sc_jscan_str(js, m, kb, sizeof kb);
			if ((size_t)n >= sizeof kb)
				k = sc_jscan_strdup(js, m);
			json_t *x = sc_jscan_json(js, m + 1);
			if (!k || !x || json_object_set_new(o, k, x) < 0) {
				json_decref(o);
				o = NULL;
			}
			if (k != kb)
				free(k);
		}
		return o;
	}
	case SC_JS_ARR: {
		json_t *a = json_array();
		for (int m = sc_jscan_first(js, v); a && m >= 0; m = sc_jscan_next(js, v, m))
			if (json_array_append_new(a, sc_jscan_json(js, m)) < 0) {
				json_decref(a);
				a = NULL;
			}
		return a;
	}
	case SC_JS_STR: {
		const struct sc_jtok *t = &js->t[v];
		if (!t->esc)
			return json_stringn_nocheck(js->s + t->off, t->len);
		char *b = sc_jscan_strdup(js, v);
		json_t *s = b ? json_stringn_nocheck(b, (size_t)sc_jscan_str(js, v, NULL, 0)) : NULL;
		free(b);
		return s;
	}
	case SC_JS_NUM: {
		long long i;
		double x;
		if (sc_jscan_int(js, v, &i) == 0)
			return json_integer(i);
		if (sc_jscan_num(js, v, &x) < 0)
			return NULL;
		/* an integer past 64 bits: a real, as sc_parse_line reads it */
		return json_real(x);
	}
	case SC_JS_TRUE: return json_true();
	case SC_JS_FALSE: return json_false();
	case SC_JS_NULL: return json_null();
	default: return NULL;
	}
}
