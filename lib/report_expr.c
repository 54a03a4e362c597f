/*
 * report_expr.c - the --fail-if language: arithmetic, comparisons and
 * && || ! over the report's figures (and base.FIGURE from --baseline).
 * A recursive-descent parser into a small tree; names are checked when the
 * expression is compiled, so a typo fails before a year of records is read.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

enum op { N_NUM, N_FIG, N_BASE, N_NEG, N_NOT, N_ADD, N_SUB, N_MUL, N_DIV,
          N_LT, N_LE, N_GT, N_GE, N_EQ, N_NE, N_AND, N_OR };

struct node {
	enum op op;
	double v;
	char *name;
	struct node *a, *b;
};

struct sc_failif {
	struct node *root;
	int needs_base;
};

struct parser {
	const char *s, *p;
	int depth;
	int needs_base;
	struct sc_error *err;
	int failed;
};

static void node_free(struct node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	free(n->name);
	free(n);
}

static struct node *fail(struct parser *ps, const char *at, const char *fmt, const char *arg)
{
	if (!ps->failed) {
		char msg[256];
		snprintf(msg, sizeof msg, fmt, arg ? arg : "");
		sc_error_set(ps->err, "--fail-if", 1, (int)(at - ps->s) + 1, "bad-expr", "%s", msg);
		ps->failed = 1;
	}
	return NULL;
}

static struct node *mk(enum op op, struct node *a, struct node *b)
{
	struct node *n = calloc(1, sizeof *n);

	if (!n) {
		node_free(a);
		node_free(b);
		return NULL;
	}
	n->op = op;
	n->a = a;
	n->b = b;
	return n;
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

/* Match an operator token; longer operators are tried first by the callers. */
static int accept(struct parser *ps, const char *tok)
{
	size_t n = strlen(tok);

	skip_ws(ps);
	if (strncmp(ps->p, tok, n) != 0)
		return 0;
	/* "<" must not eat the start of "<=", "!" not the start of "!=" */
	if (n == 1 && (tok[0] == '<' || tok[0] == '>' || tok[0] == '!' || tok[0] == '=') && ps->p[1] == '=')
		return 0;
	ps->p += n;
	return 1;
}

static struct node *p_or(struct parser *ps);

static struct node *p_primary(struct parser *ps)
{
	const char *at;
	struct node *n;

	skip_ws(ps);
	at = ps->p;
	if (*ps->p == '(') {
		ps->p++;
		if (++ps->depth > SC_EXPR_MAX_DEPTH)
			return fail(ps, at, "expression nested too deeply", NULL);
		n = p_or(ps);
		ps->depth--;
		if (!n)
			return NULL;
		skip_ws(ps);
		if (*ps->p != ')') {
			node_free(n);
			return fail(ps, ps->p, "expected \")\"", NULL);
		}
		ps->p++;
		return n;
	}
	if (isdigit((unsigned char)*ps->p) || (*ps->p == '.' && isdigit((unsigned char)ps->p[1]))) {
		/* decimal as the grammar says: digits [ "." digits ] [ exponent ];
		 * strtod alone would also take 0x10 and 0x1p4 */
		char buf[64], *end;
		size_t len = 0;
		while (isdigit((unsigned char)ps->p[len]))
			len++;
		if (ps->p[len] == '.') {
			len++;
			while (isdigit((unsigned char)ps->p[len]))
				len++;
		}
		if ((ps->p[len] == 'e' || ps->p[len] == 'E') &&
		    (isdigit((unsigned char)ps->p[len + 1]) ||
		     ((ps->p[len + 1] == '+' || ps->p[len + 1] == '-') && isdigit((unsigned char)ps->p[len + 2])))) {
			len += 2;
			while (isdigit((unsigned char)ps->p[len]))
				len++;
		}
		if (isalnum((unsigned char)ps->p[len]) || ps->p[len] == '_' || ps->p[len] == '.')
			return fail(ps, at, "bad number (decimal: 12, 0.5, 1e3, 8%)", NULL);
		if (len >= sizeof buf)
			return fail(ps, at, "bad number (more than 63 characters)", NULL);
		memcpy(buf, ps->p, len);
		buf[len] = '\0';
		double v = strtod(buf, &end);
		if (end != buf + len || !isfinite(v))
			return fail(ps, at, "bad number", NULL);
		ps->p += len;
		if (*ps->p == '%') {      /* 8% reads as 0.08: rates are fractions */
			v /= 100;
			ps->p++;
		}
		if (!(n = mk(N_NUM, NULL, NULL)))
			return fail(ps, at, "out of memory", NULL);
		n->v = v;
		return n;
	}
	if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
		char name[128];
		size_t len = 0;
		enum op op = N_FIG;
		const char *fig;
		while (isalnum((unsigned char)ps->p[len]) || ps->p[len] == '_' || ps->p[len] == '.')
			len++;
		if (len >= sizeof name)
			return fail(ps, at, "name too long", NULL);
		memcpy(name, ps->p, len);
		name[len] = '\0';
		fig = name;
		if (strncmp(name, "base.", 5) == 0) {
			op = N_BASE;
			fig = name + 5;
		}
		if (!sc_report_figure_known(fig))
			return fail(ps, at, "unknown figure \"%s\" (sc-report --figures lists them)", name);
		ps->p += len;
		if (!(n = mk(op, NULL, NULL)) || !(n->name = strdup(fig))) {
			node_free(n);
			return fail(ps, at, "out of memory", NULL);
		}
		if (op == N_BASE)
			ps->needs_base = 1;
		return n;
	}
	if (!*ps->p)
		return fail(ps, at, "unexpected end of expression", NULL);
	return fail(ps, at, "unexpected \"%.1s\"", ps->p);
}

static struct node *p_unary(struct parser *ps)
{
	const char *at;
	enum op op;
	struct node *n;

	skip_ws(ps);
	at = ps->p;
	if (accept(ps, "-"))
		op = N_NEG;
	else if (accept(ps, "!"))
		op = N_NOT;
	else
		return p_primary(ps);
	if (++ps->depth > SC_EXPR_MAX_DEPTH)
		return fail(ps, at, "expression nested too deeply", NULL);
	n = p_unary(ps);
	ps->depth--;
	return n ? mk(op, n, NULL) : NULL;
}

/* One level of left-associative binary operators. */
static struct node *binary(struct parser *ps, struct node *(*next)(struct parser *),
                           const char *const *toks, const enum op *ops)
{
	struct node *l = next(ps);

	while (l) {
		int k;
		struct node *r;
		for (k = 0; toks[k]; k++)
			if (accept(ps, toks[k]))
				break;
		if (!toks[k])
			return l;
		if (!(r = next(ps))) {
			node_free(l);
			return NULL;
		}
		l = mk(ops[k], l, r);
		if (!l)
			return fail(ps, ps->p, "out of memory", NULL);
	}
	return NULL;
}

static struct node *p_mul(struct parser *ps)
{
	static const char *const t[] = { "*", "/", NULL };
	static const enum op o[] = { N_MUL, N_DIV };
	return binary(ps, p_unary, t, o);
}

static struct node *p_add(struct parser *ps)
{
	static const char *const t[] = { "+", "-", NULL };
	static const enum op o[] = { N_ADD, N_SUB };
	return binary(ps, p_mul, t, o);
}

static struct node *p_cmp(struct parser *ps)
{
	static const char *const t[] = { "<=", ">=", "==", "!=", "<", ">", NULL };
	static const enum op o[] = { N_LE, N_GE, N_EQ, N_NE, N_LT, N_GT };
	struct node *l = p_add(ps), *r;
	int k;

	if (!l)
		return NULL;
	for (k = 0; t[k]; k++)
		if (accept(ps, t[k]))
			break;
	if (!t[k])
		return l;
	if (!(r = p_add(ps))) {
		node_free(l);
		return NULL;
	}
	skip_ws(ps);
	for (int j = 0; t[j]; j++)
		if (strncmp(ps->p, t[j], strlen(t[j])) == 0) {
			node_free(mk(o[k], l, r));
			return fail(ps, ps->p, "comparisons do not chain; use && between them", NULL);
		}
	return mk(o[k], l, r);
}

static struct node *p_and(struct parser *ps)
{
	static const char *const t[] = { "&&", NULL };
	static const enum op o[] = { N_AND };
	return binary(ps, p_cmp, t, o);
}

static struct node *p_or(struct parser *ps)
{
	static const char *const t[] = { "||", NULL };
	static const enum op o[] = { N_OR };
	return binary(ps, p_and, t, o);
}

struct sc_failif *sc_failif_compile(const char *src, struct sc_error *err)
{
	struct parser ps = { src, src, 0, 0, err, 0 };
	struct sc_failif *x;
	struct node *n;

	if (!src)
		src = ps.s = ps.p = "";
	if (strlen(src) > SC_EXPR_MAX_LEN) {
		sc_error_set(err, "--fail-if", 1, 1, "bad-expr", "expression longer than %d bytes",
		             SC_EXPR_MAX_LEN);
		return NULL;
	}
	n = p_or(&ps);
	if (n) {
		skip_ws(&ps);
		if (*ps.p) {
			node_free(n);
			n = fail(&ps, ps.p, "unexpected \"%.1s\"", ps.p);
		}
	}
	if (!n) {
		if (!ps.failed)
			sc_error_set(err, "--fail-if", 1, 1, "bad-expr", "out of memory");
		return NULL;
	}
	if (!(x = calloc(1, sizeof *x))) {
		node_free(n);
		sc_error_set(err, "--fail-if", 1, 1, "bad-expr", "out of memory");
		return NULL;
	}
	x->root = n;
	x->needs_base = ps.needs_base;
	return x;
}

void sc_failif_free(struct sc_failif *x)
{
	if (!x)
		return;
	node_free(x->root);
	free(x);
}

int sc_failif_needs_base(const struct sc_failif *x)
{
	return x && x->needs_base;
}

static double lookup(const json_t *figs, const char *name)
{
	const json_t *v = json_is_object(figs) ? json_object_get(figs, name) : NULL;

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static double eval(const struct node *n, const json_t *f, const json_t *b);

/* A figure the baseline lacks is NaN: false as a condition, false in every comparison. */
static int truth(const struct node *n, const json_t *f, const json_t *b)
{
	double v = eval(n, f, b);
	return !isnan(v) && v != 0;
}

static double eval(const struct node *n, const json_t *f, const json_t *b)
{
	double x, y;

	switch (n->op) {
	case N_NUM: return n->v;
	case N_FIG: return lookup(f, n->name);
	case N_BASE: return lookup(b, n->name);
	case N_NEG: return -eval(n->a, f, b);
	case N_NOT: return !truth(n->a, f, b);
	case N_AND: return truth(n->a, f, b) && truth(n->b, f, b);
	case N_OR: return truth(n->a, f, b) || truth(n->b, f, b);
	default: break;
	}
	x = eval(n->a, f, b);
	y = eval(n->b, f, b);
	switch (n->op) {
	case N_ADD: return x + y;
	case N_SUB: return x - y;
	case N_MUL: return x * y;
	case N_DIV: return y == 0 ? 0 : x / y;   /* a rate of nothing is 0, as in the figures */
	case N_LT: return x < y;
	case N_LE: return x <= y;
	case N_GT: return x > y;
	case N_GE: return x >= y;
	case N_EQ: return x == y;
	case N_NE: return !isnan(x) && !isnan(y) && x != y;
	default: return NAN;
	}
}

double sc_failif_eval(const struct sc_failif *x, const json_t *figures, const json_t *base)
{
	double v;

	if (!x)
		return 0;
	v = eval(x->root, figures, base);
	return isnan(v) ? 0 : v;
}
