/*
 * risk_expr_eval.c - the tree-walking evaluator: allocates nothing but
 * scratch memory reset per record; steps and regex backtracking bounded at
 * run time; lookups and derived values memoised per record.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "hash.h"
#include "norm.h"
#include "risk_aho.h"
#include "risk_expr_int.h"
#include "risk_screen.h"

static struct val_memo *memo_slot(struct sc_eval *ev, const void *what, const json_t *obj)
{
	uintptr_t h = ((uintptr_t)what >> 3) * 0x9E3779B1u ^ ((uintptr_t)obj >> 4) * 0x85EBCA77u;
	return &ev->vals[(h ^ (h >> 15)) % (sizeof ev->vals / sizeof ev->vals[0])];
}

static const json_t *get(struct sc_eval *ev, const json_t *obj, const char *key)
{
	uintptr_t h = ((uintptr_t)obj >> 4) * 0x9E3779B1u + ((uintptr_t)key >> 2);
	struct get_memo *m = &ev->gets[(h ^ (h >> 13)) % (sizeof ev->gets / sizeof ev->gets[0])];

	if (m->gen == ev->gen && m->obj == obj && m->key == key)
		return m->val;
	m->obj = obj;
	m->key = key;
	m->gen = ev->gen;
	return m->val = json_object_get(obj, key);
}

void sc_rx_memo_put(struct sc_eval *ev, const json_t *obj, const char *key, const json_t *val)
{
	uintptr_t h = ((uintptr_t)obj >> 4) * 0x9E3779B1u + ((uintptr_t)key >> 2);
	struct get_memo *m = &ev->gets[(h ^ (h >> 13)) % (sizeof ev->gets / sizeof ev->gets[0])];

	m->obj = obj;
	m->key = key;
	m->gen = ev->gen;
	m->val = val;
}

struct sc_eval *sc_eval_new(void)
{
	struct sc_eval *ev = calloc(1, sizeof *ev);
	if (!ev)
		return NULL;
	ev->md = pcre2_match_data_create(1, NULL);
	ev->mctx = pcre2_match_context_create(NULL);
	ev->jit = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
	if (!ev->md || !ev->mctx) {
		sc_eval_free(ev);
		return NULL;
	}
	pcre2_set_match_limit(ev->mctx, SC_REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(ev->mctx, SC_REGEX_DEPTH_LIMIT);
	pcre2_set_heap_limit(ev->mctx, 20000);  /* KiB */
	if (ev->jit)
		pcre2_jit_stack_assign(ev->mctx, NULL, ev->jit);
	return ev;
}

void sc_eval_free(struct sc_eval *ev)
{
	if (!ev)
		return;
	for (struct blk *b = ev->arena, *nx; b; b = nx) {
		nx = b->next;
		free(b);
	}
	pcre2_match_data_free(ev->md);
	pcre2_match_context_free(ev->mctx);
	pcre2_jit_stack_free(ev->jit);
	for (int i = 0; i < SC_EVAL_BUFS; i++)
		sc_rbuf_free(&ev->bufs[i]);
	free(ev->memo);
	free(ev);
}

struct sc_rbuf *sc_eval_buf(struct sc_eval *ev, int which)
{
	return which >= 0 && which < SC_EVAL_BUFS ? &ev->bufs[which] : NULL;
}

int sc_rbuf_reserve(struct sc_rbuf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		char *np;
		while (ncap < b->len + n + 1) {
			if (ncap > SIZE_MAX / 2)
				return -1;
			ncap *= 2;
		}
		if (!(np = realloc(b->p, ncap)))
			return -1;
		b->p = np;
		b->cap = ncap;
	}
	return 0;
}

int sc_rbuf_add(struct sc_rbuf *b, const void *s, size_t n)
{
	if (sc_rbuf_reserve(b, n) < 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';   /* room kept by reserve: the text reads as a C string too */
	return 0;
}

void sc_rbuf_free(struct sc_rbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void sc_eval_begin(struct sc_eval *ev, const json_t *decl)
{
	/* a new generation forgets the lookups of the last record (its objects are freed) */
	if (++ev->gen == 0) {
		memset(ev->gets, 0, sizeof ev->gets);
		ev->gen = 1;
	}
	ev->decl = decl;
	ev->rec = NULL;
	ev->root[R_DECL] = decl;
	ev->root_done = 1u << R_DECL;
	ev->item = NULL;
	ev->witness = NULL;
	ev->qdepth = 0;
	ev->steps = ev->spent = 0;
	ev->limit = SC_EXPR_BUDGET;
	if (ev->arena) {
		/* keep the first block, drop the others */
		for (struct blk *b = ev->arena->next, *nx; b; b = nx) {
			nx = b->next;
			free(b);
		}
		ev->arena->next = NULL;
		ev->arena->used = 0;
	}
}

void sc_eval_begin_record(struct sc_eval *ev, const json_t *rec, const json_t *decl)
{
	sc_eval_begin(ev, decl);
	ev->rec = rec;
}

/* The namespaces are looked up on first use: most packs read decl alone. */
static const json_t *root_of(struct sc_eval *ev, int r)
{
	if (!(ev->root_done & (1u << r))) {
		ev->root[r] = ev->rec ? json_object_get(ev->rec, sc_rx_roots[r].name) : NULL;
		ev->root_done |= 1u << r;
	}
	return ev->root[r];
}

void sc_eval_next_rule(struct sc_eval *ev)
{
	long left;
	ev->spent += ev->steps;
	ev->steps = 0;
	left = SC_EXPR_RECORD_BUDGET - ev->spent;
	ev->limit = left < SC_EXPR_BUDGET ? (left > 0 ? left : 0) : SC_EXPR_BUDGET;
	sc_eval_reset_witness(ev);
}

void sc_eval_reset_witness(struct sc_eval *ev)
{
	ev->witness = NULL;
	ev->item = NULL;
}

char *sc_rx_scratch(struct sc_eval *ev, size_t n)
{
	struct blk *b = ev->arena;
	if (!b || b->used + n > b->cap) {
		size_t cap = n > 65536 ? n : 65536;
		struct blk *nb = malloc(sizeof *nb + cap);
		if (!nb)
			return NULL;
		nb->cap = cap;
		nb->used = 0;
		if (b) {
			/* new block after the first so that reset keeps the first */
			nb->next = b->next;
			b->next = nb;
			if (b->used + n > b->cap) {
				nb->used = n;
				return nb->data;
			}
		} else {
			nb->next = NULL;
			ev->arena = b = nb;
		}
	}
	char *p = b->data + b->used;
	b->used += n;
	return p;
}

int sc_rx_eval_err(struct sc_eval *ev, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sc_rx_eval_err(struct sc_eval *ev, const char *code, const char *fmt, ...)
{
	va_list ap;
	char msg[300];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sc_error_set(ev->err, NULL, 0, 0, code, "%s", msg);
	return -1;
}





size_t sc_rx_fmt_num(double n, char *buf, size_t len)
{
	int k;
	if (n == floor(n) && fabs(n) < 1e15 && len >= 24 && !(n == 0 && signbit(n))) {
		/* what "%.0f" writes, without printf: numbers in keys and messages are mostly whole */
		long long x = (long long)n;
		unsigned long long u = x < 0 ? 0ull - (unsigned long long)x : (unsigned long long)x;
		char d[24];
		size_t m = sizeof d, o = 0;
		do
			d[--m] = (char)('0' + u % 10);
		while ((u /= 10) > 0);
		if (x < 0)
			buf[o++] = '-';
		memcpy(buf + o, d + m, sizeof d - m);
		o += sizeof d - m;
		buf[o] = '\0';
		return o;
	}
	if (n == floor(n) && fabs(n) < 1e15)
		k = snprintf(buf, len, "%.0f", n);
	else if (fabs(n) >= 1e15)
		k = snprintf(buf, len, "%.6g", n);   /* "%.2f" of 1e300 would not fit */
	else {
		k = snprintf(buf, len, "%.2f", n);
		while (k > 0 && buf[k - 1] == '0')
			buf[--k] = '\0';
		if (k > 0 && buf[k - 1] == '.')
			buf[--k] = '\0';
		if (k == 0 || strcmp(buf, "-0") == 0 || strcmp(buf, "0") == 0) /* tiny values */
			k = snprintf(buf, len, "%.3g", n);
	}
	if (k < 0)
		k = 0;
	return (size_t)k < len ? (size_t)k : len - 1;
}

/* a JSON value as the type the schema (or context) asks for */
void sc_rx_from_json(struct sc_eval *ev, const json_t *j, enum sc_type want, struct val *v)
{
	set_null(v);
	if (!j)
		return;
	switch (json_typeof(j)) {
	case JSON_STRING: {
		const char *s = json_string_value(j);
		size_t len = json_string_length(j);
		if (want == SC_T_NUM) {
			char *end;
			double d;
			if (len == 0 || len > 60)
				return;
			d = strtod(s, &end);
			if (end == s + len)
				set_num(v, d);
		} else if (want == SC_T_DATE) {
			double d;
			if (sc_date_parse(s, len, &d) == 0) {
				v->t = SC_T_DATE;
				v->n = d;
			}
		} else if (want == SC_T_STR || want == SC_T_ANY) {
			set_str(v, s, len);
		}
		return;
	}
	case JSON_INTEGER: case JSON_REAL: {
		double d = json_number_value(j);
		if (want == SC_T_STR) {
			char *buf = sc_rx_scratch(ev, 40);
			if (buf)
				set_str(v, buf, sc_rx_fmt_num(d, buf, 40));
		} else if (want == SC_T_NUM || want == SC_T_ANY) {
			set_num(v, d);
		}
		return;
	}
	case JSON_TRUE: case JSON_FALSE:
		if (want == SC_T_BOOL || want == SC_T_ANY)
			set_bool(v, json_is_true(j));
		return;
	case JSON_ARRAY:
		if (want == SC_T_LIST || want == SC_T_ANY) {
			v->t = SC_T_LIST;
			v->j = j;
		}
		return;
	case JSON_OBJECT:
		if (want == SC_T_OBJ || want == SC_T_ANY) {
			v->t = SC_T_OBJ;
			v->j = j;
		}
		return;
	default:
		return;
	}
}

static double num_of(struct sc_eval *ev, const json_t *o, const char *key, int *ok)
{
	const json_t *j = get(ev, o, key);
	if (json_is_number(j))
		return json_number_value(j);
	if (json_is_string(j)) {
		char *end;
		const char *s = json_string_value(j);
		double d = strtod(s, &end);
		if (*s && !*end)
			return d;
	}
	*ok = 0;
	return 0;
}

void sc_rx_derive(struct sc_eval *ev, const json_t *o, enum derived d, struct val *v)
{
	int ok = 1;
	double a, b;

	set_null(v);
	if (!json_is_object(o))
		return;
	switch (d) {
	case D_HS2: case D_HS4: case D_HS6: {
		struct val hs;
		size_t want = d == D_HS2 ? 2 : d == D_HS4 ? 4 : 6, n = 0;
		char *buf;
		sc_rx_from_json(ev, get(ev, o, K_HS), SC_T_STR, &hs);
		if (hs.t != SC_T_STR || !(buf = sc_rx_scratch(ev, 8)))
			return;
		for (size_t i = 0; i < hs.len && n < want; i++)
			if (isdigit((unsigned char)hs.s[i]))
				buf[n++] = hs.s[i];
		if (n == want)
			set_str(v, buf, n);
		return;
	}
	case D_UNIT_VALUE:
		a = num_of(ev, o, K_VALUE, &ok), b = num_of(ev, o, K_QTY, &ok);
		break;
	case D_VALUE_PER_KG:
		a = num_of(ev, o, K_VALUE, &ok), b = num_of(ev, o, K_NET, &ok);
		break;
	case D_KG_PER_UNIT:
		a = num_of(ev, o, K_NET, &ok), b = num_of(ev, o, K_QTY, &ok);
		break;
	case D_DECL_VALUE_PER_KG:
		a = num_of(ev, o, K_TOTAL, &ok), b = num_of(ev, o, K_NET, &ok);
		break;
	default:
		return;
	}
	if (ok && b > 0)
		set_num(v, a / b);
}

int sc_rx_eval(struct sc_eval *ev, const struct node *n, struct val *v);

int sc_rx_as_date(const struct val *v, double *d)
{
	if (v->t == SC_T_DATE) {
		*d = v->n;
		return 1;
	}
	if (v->t == SC_T_STR)
		return sc_date_parse(v->s, v->len, d) == 0;
	return 0;
}

/* ==: both null is equal; a number and a string compare as strings only if both are */
static int equal(const struct val *a, const struct val *b)
{
	double x, y;
	if (a->t == SC_T_NULL || b->t == SC_T_NULL)
		return a->t == b->t;
	if (a->t == SC_T_DATE || b->t == SC_T_DATE)
		return sc_rx_as_date(a, &x) && sc_rx_as_date(b, &y) && x == y;
	if (a->t != b->t)
		return 0;
	switch (a->t) {
	case SC_T_BOOL: case SC_T_NUM:
		return a->n == b->n;
	case SC_T_STR:
		return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	default:
		return json_equal((json_t *)a->j, (json_t *)b->j);
	}
}

/* <0, 0, >0, or 2 when the two cannot be ordered */
static int order(const struct val *a, const struct val *b)
{
	double x, y;
	if (a->t == SC_T_NULL || b->t == SC_T_NULL)
		return 2;
	if (a->t == SC_T_DATE || b->t == SC_T_DATE) {
		if (!sc_rx_as_date(a, &x) || !sc_rx_as_date(b, &y))
			return 2;
		return (x > y) - (x < y);
	}
	if (a->t == SC_T_NUM && b->t == SC_T_NUM)
		return (a->n > b->n) - (a->n < b->n);
	if (a->t == SC_T_STR && b->t == SC_T_STR) {
		size_t m = a->len < b->len ? a->len : b->len;
		int c = memcmp(a->s, b->s, m);
		if (c)
			return c < 0 ? -1 : 1;
		return (a->len > b->len) - (a->len < b->len);
	}
	return 2;
}

static int arith(struct sc_eval *ev, enum op op, const struct val *a, const struct val *b, struct val *v)
{
	set_null(v);
	if (a->t == SC_T_NULL || b->t == SC_T_NULL)
		return 0;
	if (op == O_ADD && a->t == SC_T_STR && b->t == SC_T_STR) {
		char *buf = sc_rx_scratch(ev, a->len + b->len + 1);
		if (!buf)
			return sc_rx_eval_err(ev, SC_E_NOMEM, "out of memory");
		memcpy(buf, a->s, a->len);
		memcpy(buf + a->len, b->s, b->len);
		set_str(v, buf, a->len + b->len);
		return 0;
	}
	if (a->t == SC_T_DATE && b->t == SC_T_NUM && (op == O_ADD || op == O_SUB)) {
		double d = op == O_ADD ? a->n + floor(b->n) : a->n - floor(b->n);
		/* dates stay within years 0..9999, so calendar arithmetic cannot overflow */
		if (d >= -719528 && d <= 2932896) {
			v->t = SC_T_DATE;
			v->n = d;
		}
		return 0;
	}
	if (a->t == SC_T_DATE && b->t == SC_T_DATE && op == O_SUB) {
		set_num(v, a->n - b->n);
		return 0;
	}
	if (a->t != SC_T_NUM || b->t != SC_T_NUM)
		return 0;
	switch (op) {
	case O_ADD: set_num(v, a->n + b->n); break;
	case O_SUB: set_num(v, a->n - b->n); break;
	case O_MUL: set_num(v, a->n * b->n); break;
	case O_DIV: if (b->n != 0) set_num(v, a->n / b->n); break;
	case O_MOD: if (b->n != 0) set_num(v, fmod(a->n, b->n)); break;
	default: break;
	}
	return 0;
}

static int member(struct sc_eval *ev, const struct node *n, const struct val *x, int *in)
{
	struct val r, e;
	const struct node *rhs = n->kids[1];

	*in = 0;
	if (x->t == SC_T_NULL)
		return 0;
	if (rhs->op == O_TABLE) {
		*in = sc_rx_table_get(ev, rhs->table, x, 1, NULL) != NULL;
		return 0;
	}
	if (rhs->op == O_LIST) {
		for (int i = 0; i < rhs->nkids; i++) {
			if (sc_rx_eval(ev, rhs->kids[i], &e) < 0)
				return -1;
			if (equal(x, &e)) {
				*in = 1;
				return 0;
			}
		}
		return 0;
	}
	if (sc_rx_eval(ev, rhs, &r) < 0)
		return -1;
	if (r.t == SC_T_LIST) {
		size_t i;
		const json_t *el;
		json_array_foreach(r.j, i, el) {
			sc_rx_from_json(ev, el, x->t == SC_T_DATE ? SC_T_DATE : SC_T_ANY, &e);
			if (equal(x, &e)) {
				*in = 1;
				return 0;
			}
		}
	}
	return 0;
}

int sc_rx_eval(struct sc_eval *ev, const struct node *n, struct val *v)
{
	struct val a, b;

	if (++ev->steps > ev->limit) {
		if (ev->limit < SC_EXPR_BUDGET)
			return sc_rx_eval_err(ev, "budget", "the record took more than %d evaluation steps over all rules",
			                SC_EXPR_RECORD_BUDGET);
		return sc_rx_eval_err(ev, "budget", "evaluation took more than %d steps", SC_EXPR_BUDGET);
	}
	switch (n->op) {
	case O_NUM:
		set_num(v, n->num);
		return 0;
	case O_STR:
		set_str(v, n->str, n->slen);
		return 0;
	case O_BOOL:
		set_bool(v, n->num != 0);
		return 0;
	case O_NULL: case O_TABLE: case O_SLIST:
		set_null(v);
		return 0;
	case O_LIST:
		/* a literal list as a value (outside "in"): not needed as JSON */
		set_null(v);
		return 0;
	case O_DECL: case O_ITEM: {
		const json_t *j = n->op == O_ITEM ? ev->item : n->root == R_DECL ? ev->decl : root_of(ev, n->root);
		int last = n->derived ? n->nkeys - 1 : n->nkeys;
		for (int i = 0; i < last && j; i++)
			j = n->ids[i] ? get(ev, j, n->ids[i]) : json_object_get(j, n->keys[i]);
		if (n->derived) {
			static const char kinds[16];   /* one address per kind of derived value */
			struct val_memo *m = memo_slot(ev, &kinds[n->derived], j);
			if (m->gen == ev->gen && m->what == &kinds[n->derived] && m->obj == j) {
				*v = m->v;
				return 0;
			}
			sc_rx_derive(ev, j, n->derived, v);
			m->what = &kinds[n->derived];
			m->obj = j;
			m->gen = ev->gen;
			m->v = *v;
			return 0;
		}
		/* a bare `item` is whatever the list holds (a container number, an item) */
		sc_rx_from_json(ev, j, n->nkeys ? n->t : SC_T_ANY, v);
		return 0;
	}
	case O_GET:
		if (sc_rx_eval(ev, n->kids[0], &a) < 0)
			return -1;
		if (a.t != SC_T_OBJ) {
			set_null(v);
			return 0;
		}
		sc_rx_from_json(ev, json_object_get(a.j, n->keys[0]), SC_T_ANY, v);
		return 0;
	case O_LET: {
		struct val_memo *m = memo_slot(ev, n->let, ev->item);
		if (m->gen == ev->gen && m->what == n->let && m->obj == ev->item) {
			*v = m->v;
			return 0;
		}
		if (sc_rx_eval(ev, n->let->root, v) < 0)
			return -1;
		m->what = n->let;
		m->obj = ev->item;
		m->gen = ev->gen;
		m->v = *v;
		return 0;
	}
	case O_NEG:
		if (sc_rx_eval(ev, n->kids[0], &a) < 0)
			return -1;
		if (a.t == SC_T_NUM)
			set_num(v, -a.n);
		else
			set_null(v);
		return 0;
	case O_NOT:
		if (sc_rx_eval(ev, n->kids[0], &a) < 0)
			return -1;
		set_bool(v, !(a.t == SC_T_BOOL && a.n != 0));
		return 0;
	case O_AND: case O_OR: {
		int t;
		if (sc_rx_eval(ev, n->kids[0], &a) < 0)
			return -1;
		t = a.t == SC_T_BOOL && a.n != 0;
		if (n->op == O_AND ? !t : t) {
			set_bool(v, t);
			return 0;
		}
		if (sc_rx_eval(ev, n->kids[1], &b) < 0)
			return -1;
		set_bool(v, b.t == SC_T_BOOL && b.n != 0);
		return 0;
	}
	case O_ADD: case O_SUB: case O_MUL: case O_DIV: case O_MOD:
		if (sc_rx_eval(ev, n->kids[0], &a) < 0 || sc_rx_eval(ev, n->kids[1], &b) < 0)
			return -1;
		return arith(ev, n->op, &a, &b, v);
	case O_EQ: case O_NE:
		if (sc_rx_eval(ev, n->kids[0], &a) < 0 || sc_rx_eval(ev, n->kids[1], &b) < 0)
			return -1;
		set_bool(v, equal(&a, &b) == (n->op == O_EQ));
		return 0;
	case O_LT: case O_LE: case O_GT: case O_GE: {
		int c;
		if (sc_rx_eval(ev, n->kids[0], &a) < 0 || sc_rx_eval(ev, n->kids[1], &b) < 0)
			return -1;
		c = order(&a, &b);
		if (c == 2)
			set_bool(v, 0);
		else
			set_bool(v, n->op == O_LT ? c < 0 : n->op == O_LE ? c <= 0 : n->op == O_GT ? c > 0 : c >= 0);
		return 0;
	}
	case O_IN: case O_NOTIN: {
		int in;
		if (sc_rx_eval(ev, n->kids[0], &a) < 0 || member(ev, n, &a, &in) < 0)
			return -1;
		set_bool(v, n->op == O_IN ? in : (a.t != SC_T_NULL && !in));
		return 0;
	}
	case O_CALL:
		return sc_rx_call(ev, n, v);
	}
	set_null(v);
	return 0;
}

int sc_risk_expr_truth(const struct sc_risk_expr *e, struct sc_eval *ev, int *truth, struct sc_error *err)
{
	struct val v;
	ev->err = err;
	if (sc_rx_eval(ev, e->root, &v) < 0)
		return -1;
	*truth = v.t == SC_T_BOOL && v.n != 0;
	return 0;
}

int sc_risk_expr_number(const struct sc_risk_expr *e, struct sc_eval *ev, double *num, int *isnull,
                   struct sc_error *err)
{
	struct val v;
	ev->err = err;
	if (sc_rx_eval(ev, e->root, &v) < 0)
		return -1;
	*isnull = v.t != SC_T_NUM;
	*num = v.t == SC_T_NUM ? v.n : 0;
	return 0;
}

static json_t *to_json(const struct val *v)
{
	switch (v->t) {
	case SC_T_BOOL: return json_boolean(v->n != 0);
	case SC_T_NUM:
		if (v->n == floor(v->n) && fabs(v->n) < 1e15)
			return json_integer((json_int_t)v->n);
		return json_real(v->n);
	case SC_T_STR: return json_stringn_nocheck(v->s, v->len);
	case SC_T_DATE: {
		char buf[48];
		long z = (long)v->n + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
		snprintf(buf, sizeof buf, "%04d-%02d-%02d", (int)(y + (m <= 2)) % 10000, (int)m % 100, (int)d % 100);
		return json_string(buf);
	}
	case SC_T_LIST: case SC_T_OBJ:
		return json_deep_copy(v->j);
	default:
		return json_null();
	}
}

json_t *sc_risk_expr_value(const struct sc_risk_expr *e, struct sc_eval *ev, struct sc_error *err)
{
	struct val v;
	ev->err = err;
	if (sc_rx_eval(ev, e->root, &v) < 0)
		return NULL;
	return to_json(&v);
}

int sc_template_render_to(const struct sc_template *t, struct sc_eval *ev, struct sc_rbuf *out,
                          struct sc_error *err)
{
	int st = 0;

	ev->item = ev->witness;
	ev->err = err;
	for (size_t i = 0; i < t->n && st == 0; i++) {
		struct val v;
		char nb[48];
		if (t->parts[i].text) {
			st = sc_rbuf_add(out, t->parts[i].text, strlen(t->parts[i].text));
			continue;
		}
		if (sc_rx_eval(ev, t->parts[i].e->root, &v) < 0) {
			ev->item = NULL;
			return -1;
		}
		switch (v.t) {
		case SC_T_NUM: st = sc_rbuf_add(out, nb, sc_rx_fmt_num(v.n, nb, sizeof nb)); break;
		case SC_T_STR: st = sc_rbuf_add(out, v.s, v.len); break;
		case SC_T_BOOL: st = sc_rbuf_add(out, v.n ? "yes" : "no", v.n ? 3 : 2); break;
		case SC_T_NULL: st = sc_rbuf_add(out, "n/a", 3); break;
		default: {
			json_t *j = to_json(&v);
			char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
			if (s)
				st = sc_rbuf_add(out, s, strlen(s));
			free(s);
			json_decref(j);
		}
		}
	}
	ev->item = NULL;
	if (st < 0)
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	return st;
}

json_t *sc_template_render(const struct sc_template *t, struct sc_eval *ev, struct sc_error *err)
{
	struct sc_rbuf *b = &ev->bufs[SC_EVAL_BUFS - 1];   /* the scratch of the JSON path */
	json_t *out;

	b->len = 0;
	if (sc_template_render_to(t, ev, b, err) < 0)
		return NULL;
	out = json_stringn(b->p ? b->p : "", b->len);
	if (!out)  /* invalid UTF-8 cannot come from our parts, but stay safe */
		out = json_string("?");
	return out;
}

