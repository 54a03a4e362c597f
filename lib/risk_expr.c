/*
 * risk_expr.c - the rule condition language: lexer, recursive-descent parser with
 * static types checked against the `decl` schema, and a tree-walking
 * evaluator that allocates nothing but scratch memory reset per record.
 * Work is bounded: nesting and size at compile time, steps and regex
 * backtracking at run time.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <math.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "risk_expr.h"
#include "risk_aho.h"
#include "norm.h"
#include "risk_screen.h"

/* ---- the decl schema ---------------------------------------------------- */

enum derived { D_NONE, D_HS2, D_HS4, D_HS6, D_UNIT_VALUE, D_VALUE_PER_KG, D_KG_PER_UNIT,
               D_DECL_VALUE_PER_KG,
               D_OPEN   /* only in a schema's terminator: names beyond it are looked up at run time */
};

struct field {
	const char *name;
	enum sc_type t;
	const struct field *sub;   /* fields of an object, or of a list's elements */
	enum sc_type elem;         /* element type of a list */
	enum derived derived;
};

/* key names used by both the schema and derive(): one address each, for the lookup memo */
static const char K_HS[] = "hs", K_VALUE[] = "value", K_QTY[] = "qty", K_NET[] = "net_kg",
                  K_TOTAL[] = "total_value";

static const struct field party_fields[] = {
	{"id", SC_T_STR, NULL, 0, 0}, {"name", SC_T_STR, NULL, 0, 0},
	{"country", SC_T_STR, NULL, 0, 0}, {"address", SC_T_STR, NULL, 0, 0},
	{NULL, 0, NULL, 0, 0}};

static const struct field item_fields[] = {
	{K_HS, SC_T_STR, NULL, 0, 0}, {"description", SC_T_STR, NULL, 0, 0},
	{"origin", SC_T_STR, NULL, 0, 0}, {K_QTY, SC_T_NUM, NULL, 0, 0},
	{"unit", SC_T_STR, NULL, 0, 0}, {K_NET, SC_T_NUM, NULL, 0, 0},
	{"gross_kg", SC_T_NUM, NULL, 0, 0}, {K_VALUE, SC_T_NUM, NULL, 0, 0},
	{"currency", SC_T_STR, NULL, 0, 0}, {"tax_rate", SC_T_NUM, NULL, 0, 0},
	{"hs2", SC_T_STR, NULL, 0, D_HS2}, {"hs4", SC_T_STR, NULL, 0, D_HS4},
	{"hs6", SC_T_STR, NULL, 0, D_HS6}, {"unit_value", SC_T_NUM, NULL, 0, D_UNIT_VALUE},
	{"value_per_kg", SC_T_NUM, NULL, 0, D_VALUE_PER_KG},
	{"kg_per_unit", SC_T_NUM, NULL, 0, D_KG_PER_UNIT},
	{NULL, 0, NULL, 0, 0}};

static const struct field decl_fields[] = {
	{"id", SC_T_STR, NULL, 0, 0}, {"date", SC_T_DATE, NULL, 0, 0},
	{"office", SC_T_STR, NULL, 0, 0},
	{"importer", SC_T_OBJ, party_fields, 0, 0}, {"exporter", SC_T_OBJ, party_fields, 0, 0},
	{"declarant", SC_T_OBJ, party_fields, 0, 0}, {"seller", SC_T_OBJ, party_fields, 0, 0},
	{"origin", SC_T_STR, NULL, 0, 0}, {"dispatch", SC_T_STR, NULL, 0, 0},
	{"port_loading", SC_T_STR, NULL, 0, 0}, {"port_discharge", SC_T_STR, NULL, 0, 0},
	{"transport", SC_T_ANY, NULL, 0, 0},
	{"containers", SC_T_LIST, NULL, SC_T_STR, 0},
	{"bl_no", SC_T_STR, NULL, 0, 0}, {"invoice_no", SC_T_STR, NULL, 0, 0},
	{"incoterm", SC_T_STR, NULL, 0, 0}, {"currency", SC_T_STR, NULL, 0, 0},
	{K_TOTAL, SC_T_NUM, NULL, 0, 0}, {"gross_kg", SC_T_NUM, NULL, 0, 0},
	{K_NET, SC_T_NUM, NULL, 0, 0}, {"packages", SC_T_NUM, NULL, 0, 0},
	{"items", SC_T_LIST, item_fields, SC_T_OBJ, 0},
	{"value_per_kg", SC_T_NUM, NULL, 0, D_DECL_VALUE_PER_KG},
	{NULL, 0, NULL, 0, 0}};

/*
 * The other namespaces of a record (sc.7). Their producers add fields over
 * time, so these schemas are open (D_OPEN): the fields named here are typed,
 * others are looked up at run time, as decl.transport is.
 */
#define OPEN_END {NULL, SC_T_ANY, NULL, 0, D_OPEN}
static const struct field pcheck_fields[] = {
	{"field", SC_T_STR, NULL, 0, 0}, {"msg", SC_T_STR, NULL, 0, 0},
	{"values", SC_T_LIST, NULL, SC_T_ANY, 0}, OPEN_END};
static const struct field parse_fields[] = {
	{"v", SC_T_NUM, NULL, 0, 0}, {"type", SC_T_STR, NULL, 0, 0},
	{"type_conf", SC_T_NUM, NULL, 0, 0}, {"template", SC_T_STR, NULL, 0, 0},
	{"pages", SC_T_NUM, NULL, 0, 0}, {"fields", SC_T_ANY, NULL, 0, 0},
	{"items", SC_T_LIST, NULL, SC_T_ANY, 0}, {"checks", SC_T_LIST, pcheck_fields, SC_T_OBJ, 0},
	{"documents", SC_T_LIST, NULL, SC_T_ANY, 0}, OPEN_END};
static const struct field line_fields[] = {
	{"text", SC_T_STR, NULL, 0, 0}, {"conf", SC_T_NUM, NULL, 0, 0},
	{"bbox", SC_T_LIST, NULL, SC_T_NUM, 0}, OPEN_END};
static const struct field ocr_fields[] = {
	{"v", SC_T_NUM, NULL, 0, 0}, {"source", SC_T_STR, NULL, 0, 0},
	{"text", SC_T_STR, NULL, 0, 0}, {"conf", SC_T_NUM, NULL, 0, 0},
	{"lang", SC_T_STR, NULL, 0, 0}, {"rotate", SC_T_NUM, NULL, 0, 0},
	{"skew", SC_T_NUM, NULL, 0, 0}, {"dpi", SC_T_NUM, NULL, 0, 0},
	{"width", SC_T_NUM, NULL, 0, 0}, {"height", SC_T_NUM, NULL, 0, 0},
	{"script", SC_T_STR, NULL, 0, 0}, {"binarized", SC_T_BOOL, NULL, 0, 0},
	{"lines", SC_T_LIST, line_fields, SC_T_OBJ, 0}, {"words", SC_T_LIST, line_fields, SC_T_OBJ, 0},
	OPEN_END};
static const struct field taxon_fields[] = {
	{"taxon", SC_T_STR, NULL, 0, 0}, {"score", SC_T_NUM, NULL, 0, 0},
	{"cites", SC_T_ANY, NULL, 0, 0}, OPEN_END};
#define WOOD_FIELDS \
	{"top", SC_T_LIST, taxon_fields, SC_T_OBJ, 0}, {"refer", SC_T_BOOL, NULL, 0, 0}, \
	{"reasons", SC_T_LIST, NULL, SC_T_ANY, 0}, {"quality", SC_T_ANY, NULL, 0, 0}, \
	{"expert", SC_T_ANY, NULL, 0, 0}
static const struct field wood_fields[] = {{"v", SC_T_NUM, NULL, 0, 0}, WOOD_FIELDS, OPEN_END};
static const struct field anomaly_fields[] = {
	{"bbox", SC_T_LIST, NULL, SC_T_NUM, 0}, {"score", SC_T_NUM, NULL, 0, 0},
	{"kind", SC_T_STR, NULL, 0, 0}, OPEN_END};
#define SCAN_FIELDS \
	{"empty", SC_T_BOOL, NULL, 0, 0}, {"fill", SC_T_NUM, NULL, 0, 0}, \
	{"density", SC_T_NUM, NULL, 0, 0}, {"anomalies", SC_T_LIST, anomaly_fields, SC_T_OBJ, 0}, \
	{"consistent", SC_T_BOOL, NULL, 0, 0}, {"refer", SC_T_BOOL, NULL, 0, 0}, \
	{"reasons", SC_T_LIST, NULL, SC_T_ANY, 0}
static const struct field scan_fields[] = {{"v", SC_T_NUM, NULL, 0, 0}, SCAN_FIELDS, OPEN_END};
static const struct field jsource_fields[] = {
	{"kind", SC_T_STR, NULL, 0, 0}, {"id", SC_T_STR, NULL, 0, 0},
	{"src", SC_T_ANY, NULL, 0, 0}, {"type", SC_T_STR, NULL, 0, 0}, OPEN_END};
static const struct field jcheck_fields[] = {
	{"field", SC_T_STR, NULL, 0, 0}, {"msg", SC_T_STR, NULL, 0, 0},
	{"decl", SC_T_ANY, NULL, 0, 0}, {"doc", SC_T_ANY, NULL, 0, 0},
	{"decl_src", SC_T_ANY, NULL, 0, 0}, {"doc_src", SC_T_ANY, NULL, 0, 0},
	{"tol", SC_T_NUM, NULL, 0, 0}, {"rel", SC_T_ANY, NULL, 0, 0}, OPEN_END};
static const struct field jwood_fields[] = {
	{"id", SC_T_STR, NULL, 0, 0}, {"src", SC_T_ANY, NULL, 0, 0}, WOOD_FIELDS, OPEN_END};
static const struct field jscan_fields[] = {
	{"id", SC_T_STR, NULL, 0, 0}, {"src", SC_T_ANY, NULL, 0, 0}, SCAN_FIELDS, OPEN_END};
static const struct field join_fields[] = {
	{"v", SC_T_NUM, NULL, 0, 0}, {"sources", SC_T_LIST, jsource_fields, SC_T_OBJ, 0},
	{"checks", SC_T_LIST, jcheck_fields, SC_T_OBJ, 0}, {"wood", SC_T_LIST, jwood_fields, SC_T_OBJ, 0},
	{"scan", SC_T_LIST, jscan_fields, SC_T_OBJ, 0}, OPEN_END};

/* ---- the schema as a check on records ------------------------------------ */

static size_t count_fields(const struct field *fs);

static int type_fits(const json_t *v, enum sc_type t)
{
	switch (t) {
	case SC_T_STR: case SC_T_DATE: return json_is_string(v);
	case SC_T_NUM: return json_is_number(v);
	case SC_T_BOOL: return json_is_boolean(v);
	case SC_T_OBJ: return json_is_object(v);
	case SC_T_LIST: return json_is_array(v);
	default: return 1;
	}
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static const char *type_article(enum sc_type t)
{
	switch (t) {
	case SC_T_STR: return "a string";
	case SC_T_DATE: return "a date (a string)";
	case SC_T_NUM: return "a number";
	case SC_T_BOOL: return "a boolean";
	case SC_T_OBJ: return "an object";
	case SC_T_LIST: return "a list";
	default: return "a value";
	}
}

/*
 * The path of a value ("decl.items[3].hs") grows as check_object descends;
 * built with memcpy, not snprintf: it is built for every value of every
 * record and read only when a value is of the wrong type.
 */
static size_t path_add(char *path, size_t plen, size_t cap, const char *sep, const char *s, size_t len)
{
	size_t sl = strlen(sep);
	if (plen + sl + len >= cap) {   /* cut, as snprintf would */
		size_t room = cap - 1 - plen;
		memcpy(path + plen, sep, sl < room ? sl : room);
		if (sl < room)
			memcpy(path + plen + sl, s, room - sl);
		path[cap - 1] = '\0';
		return cap - 1;
	}
	memcpy(path + plen, sep, sl);
	memcpy(path + plen + sl, s, len);
	path[plen + sl + len] = '\0';
	return plen + sl + len;
}

static size_t path_index(char *path, size_t plen, size_t cap, size_t i)
{
	char d[24];
	size_t n = sizeof d;
	d[--n] = ']';
	do
		d[--n] = (char)('0' + i % 10);
	while ((i /= 10) > 0);
	d[--n] = '[';
	return path_add(path, plen, cap, "", d + n, sizeof d - n);
}

/* Count the values of o that do not fit schema fs; the first goes into err. */
static long check_object(const json_t *o, const struct field *fs, char *path, size_t plen, size_t cap,
                         struct sc_error *err, long found)
{
	const char *key;
	json_t *v;

	size_t nfs = count_fields(fs), hint = 0;

	json_object_foreach((json_t *)o, key, v) {
		/* records mostly keep the schema's order: look from after the last match first */
		const struct field *f = NULL;
		size_t n;
		for (size_t k = 0; k < nfs; k++) {
			size_t at = hint + k < nfs ? hint + k : hint + k - nfs;
			if (fs[at].name[0] == key[0] && strcmp(fs[at].name, key) == 0) {
				f = &fs[at];
				hint = at + 1 < nfs ? at + 1 : 0;
				break;
			}
		}
		if (!f || f->derived || json_is_null(v))
			continue;
		n = path_add(path, plen, cap, ".", key, strlen(key));
		if (!type_fits(v, f->t)) {
			if (!found++)
				sc_error_set(err, NULL, 0, 0, "bad-type", "%s is %s, not %s", path, json_kind(v),
				             type_article(f->t));
		} else if (f->t == SC_T_OBJ && f->sub) {
			found = check_object(v, f->sub, path, n, cap, err, found);
		} else if (f->t == SC_T_LIST && f->elem != SC_T_ANY) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e) {
				size_t m;
				if (json_is_null(e))
					continue;
				m = path_index(path, n, cap, i);
				if (!type_fits(e, f->elem)) {
					if (!found++)
						sc_error_set(err, NULL, 0, 0, "bad-type", "%s is %s, not %s", path, json_kind(e),
						             type_article(f->elem));
				} else if (f->elem == SC_T_OBJ && f->sub) {
					found = check_object(e, f->sub, path, m, cap, err, found);
				}
				path[n] = '\0';
			}
		}
		path[plen] = '\0';
	}
	return found;
}

long sc_risk_expr_check_decl(const json_t *decl, struct sc_error *err)
{
	char path[256] = "decl";
	long n = check_object(decl, decl_fields, path, 4, sizeof path, err, 0);
	if (n > 1) {
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof err->msg - len, " (and %ld more values of the wrong type)", n - 1);
	}
	return n;
}

/* The roots a path may start from: decl and the namespaces of other tools. */
enum root { R_DECL, R_PARSE, R_JOIN, R_OCR, R_SCAN, R_WOOD, R_NROOTS };
static const struct {
	const char *name;
	const struct field *schema;
} roots[R_NROOTS] = {
	{"decl", decl_fields}, {"parse", parse_fields}, {"join", join_fields},
	{"ocr", ocr_fields}, {"scan", scan_fields}, {"wood", wood_fields},
};

const char *sc_type_name(enum sc_type t)
{
	static const char *names[] = {"any", "null", "bool", "number", "string", "date",
	                              "list", "object", "table", "screening list"};
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

/* ---- nodes ---------------------------------------------------------------- */

enum op {
	O_NUM, O_STR, O_BOOL, O_NULL, O_LIST, O_DECL, O_ITEM, O_GET, O_LET, O_TABLE, O_SLIST,
	O_NEG, O_NOT, O_AND, O_OR, O_ADD, O_SUB, O_MUL, O_DIV, O_MOD,
	O_EQ, O_NE, O_LT, O_LE, O_GT, O_GE, O_IN, O_NOTIN, O_CALL
};

enum fn {
	F_LOWER, F_UPPER, F_TRIM, F_LEN, F_PREFIX, F_SUFFIX, F_CONTAINS, F_MATCHES, F_FIND,
	F_LOOKUP, F_ANY, F_ALL, F_COUNT, F_SUM, F_ABS, F_MIN, F_MAX, F_ROUND, F_DATE, F_DAYS,
	F_YEAR, F_MONTH, F_WEEKDAY, F_SCREEN, F_SCREEN_MATCH, F_CONTAINER_OK, F_EXISTS,
	F_DEFAULT, F_IF
};

static const struct {
	const char *name;
	enum fn id;
	int min, max;
} functions[] = {
	{"lower", F_LOWER, 1, 1}, {"upper", F_UPPER, 1, 1}, {"trim", F_TRIM, 1, 1},
	{"len", F_LEN, 1, 1}, {"prefix", F_PREFIX, 2, 2}, {"suffix", F_SUFFIX, 2, 2},
	{"contains", F_CONTAINS, 2, 2}, {"matches", F_MATCHES, 2, 2}, {"find", F_FIND, 2, 2},
	{"lookup", F_LOOKUP, 2, 4}, {"any", F_ANY, 2, 2}, {"all", F_ALL, 2, 2},
	{"count", F_COUNT, 2, 2}, {"sum", F_SUM, 2, 2}, {"abs", F_ABS, 1, 1},
	{"min", F_MIN, 2, 2}, {"max", F_MAX, 2, 2}, {"round", F_ROUND, 1, 2},
	{"date", F_DATE, 1, 1}, {"days", F_DAYS, 2, 2}, {"year", F_YEAR, 1, 1},
	{"month", F_MONTH, 1, 1}, {"weekday", F_WEEKDAY, 1, 1}, {"screen", F_SCREEN, 2, 2},
	{"screen_match", F_SCREEN_MATCH, 2, 2}, {"container_ok", F_CONTAINER_OK, 1, 1},
	{"exists", F_EXISTS, 1, 1}, {"default", F_DEFAULT, 2, 2}, {"if", F_IF, 3, 3},
};

struct node {
	enum op op;
	enum sc_type t;
	int pos;
	double num;
	char *str;
	size_t slen;
	struct node **kids;
	int nkids;
	enum fn fn;
	/* paths */
	char **keys;
	const char **ids;          /* per key: the schema's name (a memo key), or NULL */
	int nkeys;
	enum derived derived;
	/* resolved names */
	struct sc_rtable *table;
	struct sc_risk_screen_list *list;
	const struct sc_risk_expr *let;
	pcre2_code *re;
	const struct field *field;  /* the last schema field of a path */
	int h;                      /* height of the tree below, for the depth cap */
	int root;                   /* O_DECL: which namespace of the record (enum root) */
	struct node *all_next;     /* every node of an expression, for freeing */
};

struct binding {
	enum sc_type t;
	const struct field *schema;
};

struct sc_risk_expr {
	struct node *root;
	struct node *all;
	int nnodes;
	int uses_item;
	/* the elements the outermost any()/count()/sum() range over: what `item`
	 * is in the rule's template; nwit 2 when they range over different lists */
	struct binding wit;
	int nwit;
};

/* ---- lexer ---------------------------------------------------------------- */

enum tk {
	TK_EOF, TK_NUM, TK_STR, TK_ID, TK_LP, TK_RP, TK_LB, TK_RB, TK_COMMA, TK_DOT,
	TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_PCT, TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE,
	TK_AND, TK_OR, TK_NOT, TK_IN, TK_TRUE, TK_FALSE, TK_NULL
};

struct parser {
	const char *src;
	size_t len, p;
	/* current token */
	enum tk k;
	int tpos;
	size_t tlen;
	double num;
	char *str;           /* decoded string literal (owned until taken) */
	size_t slen;
	const struct sc_risk_expr_scope *scope;
	struct sc_risk_expr *e;
	struct sc_error *err;
	int failed;
	int depth;
	struct binding items[16];
	int nitems;
	enum sc_type want;   /* a table or list name is expected next (for the error code) */
};

static int fail(struct parser *P, int pos, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct parser *P, int pos, const char *code, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (P->failed)
		return -1;
	P->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sc_error_set(P->err, P->scope->file, P->scope->line,
	             P->scope->line ? P->scope->col + pos : 0, code, "%s", msg);
	return -1;
}

static int next(struct parser *P)
{
	const char *s = P->src;

	free(P->str);
	P->str = NULL;
	while (P->p < P->len && isspace((unsigned char)s[P->p]))
		P->p++;
	P->tpos = (int)P->p;
	if (P->p >= P->len) {
		P->k = TK_EOF;
		return 0;
	}
	char c = s[P->p];
	if (isdigit((unsigned char)c) || (c == '.' && P->p + 1 < P->len && isdigit((unsigned char)s[P->p + 1]))) {
		char buf[64];
		size_t n = 0;
		while (P->p < P->len && n < sizeof buf - 1 &&
		       (isalnum((unsigned char)s[P->p]) || s[P->p] == '.' || s[P->p] == '_' ||
		        ((s[P->p] == '+' || s[P->p] == '-') && n && (buf[n - 1] == 'e' || buf[n - 1] == 'E')))) {
			if (s[P->p] != '_')
				buf[n++] = s[P->p];
			P->p++;
		}
		buf[n] = '\0';
		char *end;
		P->num = strtod(buf, &end);
		if (*end || !isfinite(P->num))
			return fail(P, P->tpos, "syntax", "bad number \"%s\"", buf);
		P->k = TK_NUM;
		return 0;
	}
	if (c == '"' || c == '\'') {
		char q = c;
		size_t cap = 16, n = 0;
		char *b = malloc(cap);
		if (!b)
			return fail(P, P->tpos, "oom", "out of memory");
		P->p++;
		for (;;) {
			if (P->p >= P->len) {
				free(b);
				return fail(P, P->tpos, "syntax", "unterminated string");
			}
			char ch = s[P->p++];
			if (ch == q)
				break;
			if (ch == '\\' && P->p < P->len) {
				/* \" \' \\ \n \t are escapes; any other backslash stays, for regexes */
				char esc = s[P->p];
				if (esc == q || esc == '\\' || esc == 'n' || esc == 't') {
					P->p++;
					ch = esc == 'n' ? '\n' : esc == 't' ? '\t' : esc;
				}
			}
			if (n + 2 > cap) {
				char *nb = realloc(b, cap *= 2);
				if (!nb) {
					free(b);
					return fail(P, P->tpos, "oom", "out of memory");
				}
				b = nb;
			}
			b[n++] = ch;
		}
		b[n] = '\0';
		P->str = b;
		P->slen = n;
		P->k = TK_STR;
		return 0;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		size_t st = P->p;
		while (P->p < P->len && (isalnum((unsigned char)s[P->p]) || s[P->p] == '_'))
			P->p++;
		P->tlen = P->p - st;
		static const struct { const char *w; enum tk k; } kw[] = {
			{"and", TK_AND}, {"or", TK_OR}, {"not", TK_NOT}, {"in", TK_IN},
			{"true", TK_TRUE}, {"false", TK_FALSE}, {"null", TK_NULL}};
		for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
			if (strlen(kw[i].w) == P->tlen && memcmp(kw[i].w, s + st, P->tlen) == 0) {
				P->k = kw[i].k;
				return 0;
			}
		P->k = TK_ID;
		P->str = strndup(s + st, P->tlen);
		P->slen = P->tlen;
		return P->str ? 0 : fail(P, P->tpos, "oom", "out of memory");
	}
	P->p++;
	char d = P->p < P->len ? s[P->p] : '\0';
	switch (c) {
	case '(': P->k = TK_LP; return 0;
	case ')': P->k = TK_RP; return 0;
	case '[': P->k = TK_LB; return 0;
	case ']': P->k = TK_RB; return 0;
	case ',': P->k = TK_COMMA; return 0;
	case '.': P->k = TK_DOT; return 0;
	case '+': P->k = TK_PLUS; return 0;
	case '-': P->k = TK_MINUS; return 0;
	case '*': P->k = TK_STAR; return 0;
	case '/': P->k = TK_SLASH; return 0;
	case '%': P->k = TK_PCT; return 0;
	case '=':
		if (d == '=') { P->p++; P->k = TK_EQ; return 0; }
		return fail(P, P->tpos, "syntax", "\"=\" is not an operator: use \"==\"");
	case '!':
		if (d == '=') { P->p++; P->k = TK_NE; return 0; }
		return fail(P, P->tpos, "syntax", "\"!\" is not an operator: use \"not\"");
	case '<':
		if (d == '=') { P->p++; P->k = TK_LE; return 0; }
		P->k = TK_LT; return 0;
	case '>':
		if (d == '=') { P->p++; P->k = TK_GE; return 0; }
		P->k = TK_GT; return 0;
	case '&':
		return fail(P, P->tpos, "syntax", "\"&\" is not an operator: use \"and\"");
	case '|':
		return fail(P, P->tpos, "syntax", "\"|\" is not an operator: use \"or\"");
	}
	return fail(P, P->tpos, "syntax", "unexpected character '%c'", isprint((unsigned char)c) ? c : '?');
}

/* ---- parser --------------------------------------------------------------- */

static struct node *mk(struct parser *P, enum op op, enum sc_type t, int pos)
{
	struct node *n;

	if (P->failed)
		return NULL;
	if (++P->e->nnodes > SC_EXPR_MAX_NODES) {
		fail(P, pos, "too-long", "expression has more than %d parts", SC_EXPR_MAX_NODES);
		return NULL;
	}
	n = calloc(1, sizeof *n);
	if (!n) {
		fail(P, pos, "oom", "out of memory");
		return NULL;
	}
	n->op = op;
	n->t = t;
	n->pos = pos;
	n->all_next = P->e->all;
	P->e->all = n;
	return n;
}

static int add_kid(struct parser *P, struct node *n, struct node *k)
{
	struct node **nk = realloc(n->kids, sizeof *nk * (size_t)(n->nkids + 1));
	if (!nk)
		return fail(P, n->pos, "oom", "out of memory");
	n->kids = nk;
	n->kids[n->nkids++] = k;
	if (k->h + 1 > n->h)
		n->h = k->h + 1;
	if (n->h > 4 * SC_EXPR_MAX_DEPTH)
		return fail(P, n->pos, "too-deep", "expression nested deeper than %d", 4 * SC_EXPR_MAX_DEPTH);
	return 0;
}

static int add_key(struct parser *P, struct node *n, const char *key, const char *id)
{
	char **nk = realloc(n->keys, sizeof *nk * (size_t)(n->nkeys + 1));
	const char **ni;
	if (!nk)
		return fail(P, n->pos, "oom", "out of memory");
	n->keys = nk;
	if (!(ni = realloc(n->ids, sizeof *ni * (size_t)(n->nkeys + 1))))
		return fail(P, n->pos, "oom", "out of memory");
	n->ids = ni;
	n->ids[n->nkeys] = id;
	if (!(n->keys[n->nkeys] = strdup(key)))
		return fail(P, n->pos, "oom", "out of memory");
	n->nkeys++;
	return 0;
}

static const char *tkname(enum tk k)
{
	static const char *names[] = {"end of expression", "number", "string", "name", "(", ")",
	                              "[", "]", ",", ".", "+", "-", "*", "/", "%", "==", "!=",
	                              "<", "<=", ">", ">=", "and", "or", "not", "in", "true",
	                              "false", "null"};
	return names[k];
}

static int expect(struct parser *P, enum tk k)
{
	if (P->failed)
		return -1;
	if (P->k != k)
		return fail(P, P->tpos, "syntax", "expected \"%s\" but found \"%s\"", tkname(k), tkname(P->k));
	return next(P);
}

static struct node *parse_expr(struct parser *P);

static const struct field *find_field(const struct field *fs, const char *name)
{
	for (; fs && fs->name; fs++)
		if (strcmp(fs->name, name) == 0)
			return fs;
	return NULL;
}

static size_t count_fields(const struct field *fs)
{
	size_t n = 0;
	while (fs[n].name)
		n++;
	return n;
}

static void field_names(const struct field *fs, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (; fs && fs->name && used + 2 < n; fs++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "", fs->name);
}

/* decl.a.b or item.a: a path through the schema; typed, derived at the end */
static struct node *parse_path(struct parser *P, enum op op, const struct field *schema,
                               enum sc_type base_t, int pos, const char *base)
{
	struct node *n = mk(P, op, base_t, pos);
	const struct field *fs = schema;

	if (!n)
		return NULL;
	while (P->k == TK_DOT) {
		if (next(P) < 0)
			return NULL;
		if (P->k != TK_ID) {
			fail(P, P->tpos, "syntax", "expected a field name after \".\"");
			return NULL;
		}
		if (n->t == SC_T_ANY) {
			/* beyond the schema: looked up at run time */
			if (add_key(P, n, P->str, NULL) < 0 || next(P) < 0)
				return NULL;
			continue;
		}
		if (n->t != SC_T_OBJ || n->derived) {
			char path[300];
			size_t u = (size_t)snprintf(path, sizeof path, "%s", base);
			for (int i = 0; i < n->nkeys && u < sizeof path; i++)
				u += (size_t)snprintf(path + u, sizeof path - u, ".%s", n->keys[i]);
			fail(P, P->tpos, "type", "%s is a %s, it has no field \"%s\"", path,
			     sc_type_name(n->t), P->str);
			return NULL;
		}
		const struct field *f = find_field(fs, P->str);
		if (!f && fs && fs[count_fields(fs)].derived == D_OPEN) {
			/* an open schema: a field its producer may add, looked up at run time */
			if (add_key(P, n, P->str, NULL) < 0 || next(P) < 0)
				return NULL;
			n->t = SC_T_ANY;
			n->field = NULL;
			fs = NULL;
			continue;
		}
		if (!f) {
			char names[600];
			field_names(fs, names, sizeof names);
			fail(P, P->tpos, "unknown-field", "unknown field \"%s\" (known: %s)", P->str, names);
			return NULL;
		}
		if (add_key(P, n, f->name, f->name) < 0)
			return NULL;
		n->t = f->t;
		n->derived = f->derived;
		fs = f->sub;
		n->field = f;   /* for a list: the element type and schema, for quantifiers */
		if (next(P) < 0)
			return NULL;
	}
	return n;
}

static struct node *parse_list_literal(struct parser *P, int pos)
{
	struct node *n = mk(P, O_LIST, SC_T_LIST, pos);
	if (!n || next(P) < 0)
		return NULL;
	while (P->k != TK_RB) {
		struct node *k = parse_expr(P);
		if (!k || add_kid(P, n, k) < 0)
			return NULL;
		if (k->op != O_NUM && k->op != O_STR && k->op != O_BOOL && k->op != O_NULL) {
			fail(P, k->pos, "type", "a list literal holds only constants");
			return NULL;
		}
		if (P->k == TK_COMMA) {
			if (next(P) < 0)
				return NULL;
		} else if (P->k != TK_RB) {
			fail(P, P->tpos, "syntax", "expected \",\" or \"]\" in a list");
			return NULL;
		}
	}
	if (next(P) < 0)
		return NULL;
	return n;
}

static int compatible(enum sc_type have, enum sc_type want)
{
	return have == want || have == SC_T_ANY || want == SC_T_ANY || have == SC_T_NULL ||
	       (want == SC_T_DATE && have == SC_T_STR);
}

static int want_arg(struct parser *P, struct node *call, int i, enum sc_type t, const char *fname)
{
	struct node *a = call->kids[i];
	if (compatible(a->t, t) && a->t != SC_T_TABLE && a->t != SC_T_SCREEN)
		return 0;
	if (a->t == t)
		return 0;
	return fail(P, a->pos, "type", "argument %d of %s() must be a %s, not a %s", i + 1, fname,
	            sc_type_name(t), sc_type_name(a->t));
}

static int elem_binding(struct node *list, struct binding *b)
{
	b->t = SC_T_ANY;
	b->schema = NULL;
	if (list->op == O_DECL || list->op == O_ITEM) {
		if (list->t == SC_T_LIST && list->field) {
			const struct field *f = list->field;
			b->t = f->elem;
			b->schema = f->sub;
		}
	} else if (list->op == O_LIST && list->nkids) {
		b->t = list->kids[0]->t;
	}
	return 0;
}

static int check_call(struct parser *P, struct node *n, const char *fname)
{
	int i;

	switch (n->fn) {
	case F_LOWER: case F_UPPER: case F_TRIM:
		n->t = SC_T_STR;
		return want_arg(P, n, 0, SC_T_STR, fname);
	case F_LEN:
		n->t = SC_T_NUM;
		if (n->kids[0]->t != SC_T_STR && n->kids[0]->t != SC_T_LIST && n->kids[0]->t != SC_T_ANY &&
		    n->kids[0]->t != SC_T_NULL)
			return fail(P, n->kids[0]->pos, "type", "len() takes a string or a list, not a %s",
			            sc_type_name(n->kids[0]->t));
		return 0;
	case F_PREFIX: case F_SUFFIX: case F_CONTAINS:
		n->t = SC_T_BOOL;
		return want_arg(P, n, 0, SC_T_STR, fname) | want_arg(P, n, 1, SC_T_STR, fname);
	case F_MATCHES: {
		int code;
		PCRE2_SIZE off;
		struct node *pat = n->kids[1];
		n->t = SC_T_BOOL;
		if (want_arg(P, n, 0, SC_T_STR, fname) < 0)
			return -1;
		if (pat->op != O_STR)
			return fail(P, pat->pos, "type", "the pattern of matches() must be a string constant");
		n->re = pcre2_compile((PCRE2_SPTR)pat->str, pat->slen,
		                      PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C, &code, &off, NULL);
		if (!n->re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(code, msg, sizeof msg);
			return fail(P, pat->pos + 1 + (int)off, "bad-regex", "bad regular expression: %s", msg);
		}
		pcre2_jit_compile(n->re, PCRE2_JIT_COMPLETE);  /* without JIT it still works, limited */
		return 0;
	}
	case F_FIND:
		n->t = SC_T_STR;
		if (want_arg(P, n, 0, SC_T_STR, fname) < 0)
			return -1;
		if (n->kids[1]->t != SC_T_TABLE)
			return fail(P, n->kids[1]->pos, "type", "argument 2 of find() must name a table");
		return 0;
	case F_LOOKUP:
		n->t = SC_T_ANY;
		if (n->kids[0]->t != SC_T_TABLE)
			return fail(P, n->kids[0]->pos, "type", "argument 1 of lookup() must name a table");
		n->table = n->kids[0]->table;
		for (i = 1; i < n->nkids; i++)
			if (n->kids[i]->t != SC_T_STR && n->kids[i]->t != SC_T_NUM &&
			    n->kids[i]->t != SC_T_ANY && n->kids[i]->t != SC_T_NULL)
				return fail(P, n->kids[i]->pos, "type", "a key of lookup() must be a string or number, not a %s",
				            sc_type_name(n->kids[i]->t));
		return 0;
	case F_ANY: case F_ALL:
		n->t = SC_T_BOOL;
		return want_arg(P, n, 1, SC_T_BOOL, fname);
	case F_COUNT:
		n->t = SC_T_NUM;
		return want_arg(P, n, 1, SC_T_BOOL, fname);
	case F_SUM:
		n->t = SC_T_NUM;
		return want_arg(P, n, 1, SC_T_NUM, fname);
	case F_ABS:
		n->t = SC_T_NUM;
		return want_arg(P, n, 0, SC_T_NUM, fname);
	case F_MIN: case F_MAX:
		n->t = SC_T_NUM;
		return want_arg(P, n, 0, SC_T_NUM, fname) | want_arg(P, n, 1, SC_T_NUM, fname);
	case F_ROUND:
		n->t = SC_T_NUM;
		return want_arg(P, n, 0, SC_T_NUM, fname) |
		       (n->nkids > 1 ? want_arg(P, n, 1, SC_T_NUM, fname) : 0);
	case F_DATE:
		n->t = SC_T_DATE;
		return want_arg(P, n, 0, SC_T_DATE, fname);
	case F_DAYS:
		n->t = SC_T_NUM;
		return want_arg(P, n, 0, SC_T_DATE, fname) | want_arg(P, n, 1, SC_T_DATE, fname);
	case F_YEAR: case F_MONTH: case F_WEEKDAY:
		n->t = SC_T_NUM;
		return want_arg(P, n, 0, SC_T_DATE, fname);
	case F_SCREEN: case F_SCREEN_MATCH:
		n->t = n->fn == F_SCREEN ? SC_T_NUM : SC_T_STR;
		if (want_arg(P, n, 0, SC_T_STR, fname) < 0)
			return -1;
		if (n->kids[1]->t != SC_T_SCREEN)
			return fail(P, n->kids[1]->pos, "type", "argument 2 of %s() must name a screening list", fname);
		n->list = n->kids[1]->list;
		return 0;
	case F_CONTAINER_OK:
		n->t = SC_T_BOOL;
		return want_arg(P, n, 0, SC_T_STR, fname);
	case F_EXISTS:
		n->t = SC_T_BOOL;
		return 0;
	case F_IF:
		if (want_arg(P, n, 0, SC_T_BOOL, fname) < 0)
			return -1;
		n->t = n->kids[1]->t == SC_T_NULL ? n->kids[2]->t : n->kids[1]->t;
		if (!compatible(n->kids[2]->t, n->kids[1]->t) && !compatible(n->kids[1]->t, n->kids[2]->t))
			return fail(P, n->kids[2]->pos, "type", "if() gives a %s or a %s: both must be of one type",
			            sc_type_name(n->kids[1]->t), sc_type_name(n->kids[2]->t));
		if (n->kids[1]->t != n->kids[2]->t && n->kids[1]->t != SC_T_NULL && n->kids[2]->t != SC_T_NULL)
			n->t = SC_T_ANY;
		return 0;
	case F_DEFAULT:
		n->t = n->kids[0]->t == SC_T_NULL ? n->kids[1]->t : n->kids[0]->t;
		if (!compatible(n->kids[1]->t, n->kids[0]->t) && !compatible(n->kids[0]->t, n->kids[1]->t))
			return fail(P, n->kids[1]->pos, "type", "default() of a %s cannot be a %s",
			            sc_type_name(n->kids[0]->t), sc_type_name(n->kids[1]->t));
		return 0;
	}
	return 0;
}

static struct node *parse_call(struct parser *P, const char *fname, int pos)
{
	size_t i, nf = sizeof functions / sizeof functions[0];
	struct node *n;
	int quant;

	for (i = 0; i < nf; i++)
		if (strcmp(functions[i].name, fname) == 0)
			break;
	if (i == nf) {
		fail(P, pos, "unknown-function", "unknown function \"%s\"", fname);
		return NULL;
	}
	n = mk(P, O_CALL, SC_T_ANY, pos);
	if (!n || next(P) < 0)   /* past "(" */
		return NULL;
	n->fn = functions[i].id;
	quant = n->fn == F_ANY || n->fn == F_ALL || n->fn == F_COUNT || n->fn == F_SUM;
	while (P->k != TK_RP) {
		struct node *k;
		int bound = 0;
		if (quant && n->nkids == 1) {
			struct node *list = n->kids[0];
			if (list->t != SC_T_LIST && list->t != SC_T_ANY && list->t != SC_T_NULL) {
				fail(P, list->pos, "type", "argument 1 of %s() must be a list, not a %s", fname,
				     sc_type_name(list->t));
				return NULL;
			}
			if (P->nitems >= (int)(sizeof P->items / sizeof P->items[0])) {
				fail(P, P->tpos, "too-deep", "quantifiers nested too deep");
				return NULL;
			}
			elem_binding(list, &P->items[P->nitems++]);
			bound = 1;
			if (P->nitems == 1 && n->fn != F_ALL) {
				struct binding *b = &P->items[0], *w = &P->e->wit;
				if (!P->e->nwit) {
					*w = *b;
					P->e->nwit = 1;
				} else if (w->t != b->t || w->schema != b->schema) {
					P->e->nwit = 2;
				}
			}
		}
		if ((n->fn == F_LOOKUP && n->nkids == 0) || (n->fn == F_FIND && n->nkids == 1))
			P->want = SC_T_TABLE;
		else if ((n->fn == F_SCREEN || n->fn == F_SCREEN_MATCH) && n->nkids == 1)
			P->want = SC_T_SCREEN;
		k = parse_expr(P);
		if (bound)
			P->nitems--;
		if (!k || add_kid(P, n, k) < 0)
			return NULL;
		if (P->k == TK_COMMA) {
			if (next(P) < 0)
				return NULL;
		} else if (P->k != TK_RP) {
			fail(P, P->tpos, "syntax", "expected \",\" or \")\" in the arguments of %s()", fname);
			return NULL;
		}
	}
	if (n->nkids < functions[i].min || n->nkids > functions[i].max) {
		if (functions[i].min == functions[i].max)
			fail(P, pos, "type", "%s() takes %d argument%s, not %d", fname, functions[i].min,
			     functions[i].min == 1 ? "" : "s", n->nkids);
		else
			fail(P, pos, "type", "%s() takes %d to %d arguments, not %d", fname, functions[i].min,
			     functions[i].max, n->nkids);
		return NULL;
	}
	if (next(P) < 0 || check_call(P, n, fname) < 0)
		return NULL;
	return n;
}

static struct node *parse_primary(struct parser *P)
{
	int pos = P->tpos;
	struct node *n;
	enum sc_type want = P->want;

	P->want = SC_T_ANY;

	switch (P->k) {
	case TK_NUM:
		if (!(n = mk(P, O_NUM, SC_T_NUM, pos)))
			return NULL;
		n->num = P->num;
		return next(P) < 0 ? NULL : n;
	case TK_STR:
		if (!(n = mk(P, O_STR, SC_T_STR, pos)))
			return NULL;
		n->str = P->str;
		n->slen = P->slen;
		P->str = NULL;
		return next(P) < 0 ? NULL : n;
	case TK_TRUE: case TK_FALSE:
		if (!(n = mk(P, O_BOOL, SC_T_BOOL, pos)))
			return NULL;
		n->num = P->k == TK_TRUE;
		return next(P) < 0 ? NULL : n;
	case TK_NULL:
		if (!(n = mk(P, O_NULL, SC_T_NULL, pos)))
			return NULL;
		return next(P) < 0 ? NULL : n;
	case TK_LB:
		return parse_list_literal(P, pos);
	case TK_LP:
		if (next(P) < 0 || !(n = parse_expr(P)) || expect(P, TK_RP) < 0)
			return NULL;
		return n;
	case TK_ID: {
		char name[128];
		const struct sc_risk_expr_scope *S = P->scope;
		snprintf(name, sizeof name, "%s", P->str);
		if (next(P) < 0)
			return NULL;
		if (P->k == TK_LP)
			return parse_call(P, name, pos);
		for (int r = 0; r < R_NROOTS; r++)
			if (strcmp(name, roots[r].name) == 0) {
				if (!(n = parse_path(P, O_DECL, roots[r].schema, SC_T_OBJ, pos, roots[r].name)))
					return NULL;
				n->root = r;
				return n;
			}
		if (strcmp(name, "item") == 0) {
			struct binding b = {SC_T_OBJ, item_fields};
			if (P->nitems)
				b = P->items[P->nitems - 1];
			else if (S->item_ok) {
				P->e->uses_item = 1;
				/* in a template: the witness of the rule's condition */
				if (S->witness && S->witness->nwit == 1)
					b = S->witness->wit;
				else if (S->witness && S->witness->nwit == 2)
					b = (struct binding){SC_T_ANY, NULL};
			}
			else {
				fail(P, pos, "unknown-field", "\"item\" is only known inside any(), all(), count() or sum()");
				return NULL;
			}
			return parse_path(P, O_ITEM, b.schema, b.t, pos, "item");
		}
		for (size_t i = 0; i < S->nlets; i++)
			if (strcmp(S->let_names[i], name) == 0) {
				if (!(n = mk(P, O_LET, sc_risk_expr_type(S->lets[i]), pos)))
					return NULL;
				n->let = S->lets[i];
				if (S->lets[i]->uses_item && !P->nitems) {
					if (S->item_ok)
						P->e->uses_item = 1;
					else {
						fail(P, pos, "unknown-field", "\"%s\" names item: use it inside any(), all(), count() or sum()", name);
						return NULL;
					}
				}
				return n;
			}
		for (size_t i = 0; i < S->ntables; i++)
			if (strcmp(S->tables[i]->name, name) == 0) {
				if (!(n = mk(P, O_TABLE, SC_T_TABLE, pos)))
					return NULL;
				n->table = S->tables[i];
				return n;
			}
		for (size_t i = 0; i < S->nlists; i++)
			if (strcmp(S->lists[i].name, name) == 0) {
				if (!(n = mk(P, O_SLIST, SC_T_SCREEN, pos)))
					return NULL;
				n->list = S->lists[i].list;
				return n;
			}
		if (want == SC_T_TABLE)
			fail(P, pos, "unknown-table", "unknown table \"%s\"", name);
		else if (want == SC_T_SCREEN)
			fail(P, pos, "unknown-list", "unknown screening list \"%s\"", name);
		else
			fail(P, pos, "unknown-name", "unknown name \"%s\" (not decl, parse, join, ocr, scan, wood, item, a let, a table or a list)", name);
		return NULL;
	}
	default:
		fail(P, pos, "syntax", "unexpected \"%s\"", tkname(P->k));
		return NULL;
	}
}

/* postfix: .field on a value known only at run time (a table row, a let) */
static struct node *parse_postfix(struct parser *P)
{
	struct node *n = parse_primary(P);

	while (n && P->k == TK_DOT) {
		if (n->t != SC_T_ANY && n->t != SC_T_OBJ) {
			fail(P, P->tpos, "type", "a %s has no fields", sc_type_name(n->t));
			return NULL;
		}
		if (next(P) < 0)
			return NULL;
		if (P->k != TK_ID) {
			fail(P, P->tpos, "syntax", "expected a field name after \".\"");
			return NULL;
		}
		/* a lookup in a table with known columns: check the column */
		if (n->op == O_CALL && n->fn == F_LOOKUP && n->table && json_array_size(n->table->columns)) {
			size_t i;
			json_t *c;
			int found = 0;
			json_array_foreach(n->table->columns, i, c)
				if (strcmp(json_string_value(c), P->str) == 0)
					found = 1;
			if (!found) {
				fail(P, P->tpos, "unknown-field", "table \"%s\" has no column \"%s\"", n->table->name, P->str);
				return NULL;
			}
		}
		struct node *g = mk(P, O_GET, SC_T_ANY, P->tpos);
		if (!g || add_kid(P, g, n) < 0 || add_key(P, g, P->str, NULL) < 0 || next(P) < 0)
			return NULL;
		n = g;
	}
	return n;
}

static int enter(struct parser *P)
{
	if (++P->depth > SC_EXPR_MAX_DEPTH)
		return fail(P, P->tpos, "too-deep", "expression nested deeper than %d", SC_EXPR_MAX_DEPTH);
	return 0;
}

static struct node *parse_unary(struct parser *P)
{
	struct node *n, *k;
	int pos = P->tpos;

	if (enter(P) < 0)
		return NULL;
	if (P->k == TK_MINUS) {
		if (next(P) < 0 || !(k = parse_unary(P)))
			return NULL;
		if (!compatible(k->t, SC_T_NUM)) {
			fail(P, k->pos, "type", "cannot negate a %s", sc_type_name(k->t));
			return NULL;
		}
		if (!(n = mk(P, O_NEG, SC_T_NUM, pos)) || add_kid(P, n, k) < 0)
			return NULL;
	} else {
		n = parse_postfix(P);
	}
	P->depth--;
	return n;
}

static struct node *binary(struct parser *P, enum op op, struct node *a, struct node *b, int pos)
{
	struct node *n;
	enum sc_type t = SC_T_ANY;

	if (!a || !b)
		return NULL;
	switch (op) {
	case O_ADD: case O_SUB: case O_MUL: case O_DIV: case O_MOD: {
		enum sc_type x = a->t, y = b->t;
		if (op == O_ADD && (x == SC_T_STR || y == SC_T_STR) && compatible(x, SC_T_STR) && compatible(y, SC_T_STR))
			t = SC_T_STR;
		else if ((op == O_ADD || op == O_SUB) && x == SC_T_DATE && compatible(y, SC_T_NUM) && y != SC_T_ANY)
			t = SC_T_DATE;
		else if (op == O_SUB && x == SC_T_DATE && y == SC_T_DATE)
			t = SC_T_NUM;
		else if (x == SC_T_ANY || y == SC_T_ANY)
			t = SC_T_ANY;
		else if (compatible(x, SC_T_NUM) && compatible(y, SC_T_NUM))
			t = SC_T_NUM;
		else {
			fail(P, pos, "type", "cannot apply arithmetic to a %s and a %s", sc_type_name(x), sc_type_name(y));
			return NULL;
		}
		break;
	}
	case O_EQ: case O_NE: case O_LT: case O_LE: case O_GT: case O_GE:
		t = SC_T_BOOL;
		if (a->t == SC_T_TABLE || b->t == SC_T_TABLE || a->t == SC_T_SCREEN || b->t == SC_T_SCREEN ||
		    (!compatible(a->t, b->t) && !compatible(b->t, a->t))) {
			fail(P, pos, "type", "cannot compare a %s with a %s", sc_type_name(a->t), sc_type_name(b->t));
			return NULL;
		}
		break;
	case O_IN: case O_NOTIN:
		t = SC_T_BOOL;
		if (b->t != SC_T_TABLE && b->t != SC_T_LIST && b->t != SC_T_ANY) {
			fail(P, b->pos, "type", "\"in\" needs a list or a table on its right, not a %s", sc_type_name(b->t));
			return NULL;
		}
		if (a->t == SC_T_TABLE || a->t == SC_T_SCREEN || a->t == SC_T_LIST) {
			fail(P, a->pos, "type", "\"in\" cannot look for a %s", sc_type_name(a->t));
			return NULL;
		}
		break;
	case O_AND: case O_OR:
		t = SC_T_BOOL;
		if (!compatible(a->t, SC_T_BOOL) || !compatible(b->t, SC_T_BOOL)) {
			struct node *bad = compatible(a->t, SC_T_BOOL) ? b : a;
			fail(P, bad->pos, "type", "\"%s\" needs true/false on both sides, not a %s",
			     op == O_AND ? "and" : "or", sc_type_name(bad->t));
			return NULL;
		}
		break;
	default:
		break;
	}
	if (!(n = mk(P, op, t, pos)) || add_kid(P, n, a) < 0 || add_kid(P, n, b) < 0)
		return NULL;
	return n;
}

static struct node *parse_mul(struct parser *P)
{
	struct node *n = parse_unary(P);
	while (n && (P->k == TK_STAR || P->k == TK_SLASH || P->k == TK_PCT)) {
		enum op op = P->k == TK_STAR ? O_MUL : P->k == TK_SLASH ? O_DIV : O_MOD;
		int pos = P->tpos;
		if (next(P) < 0)
			return NULL;
		n = binary(P, op, n, parse_unary(P), pos);
	}
	return n;
}

static struct node *parse_add(struct parser *P)
{
	struct node *n = parse_mul(P);
	while (n && (P->k == TK_PLUS || P->k == TK_MINUS)) {
		enum op op = P->k == TK_PLUS ? O_ADD : O_SUB;
		int pos = P->tpos;
		if (next(P) < 0)
			return NULL;
		n = binary(P, op, n, parse_mul(P), pos);
	}
	return n;
}

static struct node *parse_cmp(struct parser *P)
{
	struct node *n = parse_add(P);
	if (!n)
		return NULL;
	for (;;) {
		enum op op;
		int pos = P->tpos;
		switch (P->k) {
		case TK_EQ: op = O_EQ; break;
		case TK_NE: op = O_NE; break;
		case TK_LT: op = O_LT; break;
		case TK_LE: op = O_LE; break;
		case TK_GT: op = O_GT; break;
		case TK_GE: op = O_GE; break;
		case TK_IN: op = O_IN; break;
		case TK_NOT: {
			/* "not in" */
			if (next(P) < 0)
				return NULL;
			if (P->k != TK_IN) {
				fail(P, P->tpos, "syntax", "expected \"in\" after \"not\"");
				return NULL;
			}
			op = O_NOTIN;
			break;
		}
		default:
			return n;
		}
		if (next(P) < 0)
			return NULL;
		if (op == O_IN || op == O_NOTIN)
			P->want = SC_T_TABLE;
		n = binary(P, op, n, parse_add(P), pos);
		if (!n)
			return NULL;
	}
}

static struct node *parse_not(struct parser *P)
{
	struct node *n, *k;
	int pos = P->tpos;

	if (P->k != TK_NOT)
		return parse_cmp(P);
	if (enter(P) < 0 || next(P) < 0 || !(k = parse_not(P)))
		return NULL;
	if (!compatible(k->t, SC_T_BOOL)) {
		fail(P, k->pos, "type", "\"not\" needs true/false, not a %s", sc_type_name(k->t));
		return NULL;
	}
	if (!(n = mk(P, O_NOT, SC_T_BOOL, pos)) || add_kid(P, n, k) < 0)
		return NULL;
	P->depth--;
	return n;
}

static struct node *parse_and(struct parser *P)
{
	struct node *n = parse_not(P);
	while (n && P->k == TK_AND) {
		int pos = P->tpos;
		if (next(P) < 0)
			return NULL;
		n = binary(P, O_AND, n, parse_not(P), pos);
	}
	return n;
}

static struct node *parse_expr(struct parser *P)
{
	struct node *n;

	if (enter(P) < 0)
		return NULL;
	n = parse_and(P);
	while (n && P->k == TK_OR) {
		int pos = P->tpos;
		if (next(P) < 0)
			return NULL;
		n = binary(P, O_OR, n, parse_and(P), pos);
	}
	P->depth--;
	return n;
}

void sc_risk_expr_free(struct sc_risk_expr *e)
{
	if (!e)
		return;
	for (struct node *n = e->all, *nx; n; n = nx) {
		nx = n->all_next;
		free(n->str);
		free(n->kids);
		for (int i = 0; i < n->nkeys; i++)
			free(n->keys[i]);
		free(n->keys);
		free(n->ids);
		if (n->re)
			pcre2_code_free(n->re);
		free(n);
	}
	free(e);
}

static struct sc_risk_expr *compile_part(const char *src, size_t len, const struct sc_risk_expr_scope *scope,
                                    enum sc_type want, struct sc_error *err, int base)
{
	struct parser P;
	struct sc_risk_expr *e;
	struct sc_risk_expr_scope sc = *scope;

	sc.col = scope->col + base;
	memset(&P, 0, sizeof P);
	P.src = src;
	P.len = len;
	P.scope = &sc;
	P.err = err;
	if (len > SC_EXPR_MAX_LEN) {
		fail(&P, 0, "too-long", "expression longer than %d characters", SC_EXPR_MAX_LEN);
		return NULL;
	}
	if (!(e = calloc(1, sizeof *e))) {
		fail(&P, 0, "oom", "out of memory");
		return NULL;
	}
	P.e = e;
	if (next(&P) == 0) {
		if (P.k == TK_EOF)
			fail(&P, 0, "syntax", "empty expression");
		else
			e->root = parse_expr(&P);
		if (e->root && P.k != TK_EOF)
			fail(&P, P.tpos, "syntax", "unexpected \"%s\" after the end of the expression", tkname(P.k));
	}
	if (!P.failed && e->root && !compatible(e->root->t, want))
		fail(&P, e->root->pos, "type", "the expression is a %s, where a %s is needed",
		     sc_type_name(e->root->t), sc_type_name(want));
	if (!P.failed && e->root && (e->root->t == SC_T_TABLE || e->root->t == SC_T_SCREEN))
		fail(&P, e->root->pos, "type", "a %s name is not a value by itself", sc_type_name(e->root->t));
	free(P.str);
	if (P.failed) {
		sc_risk_expr_free(e);
		return NULL;
	}
	return e;
}

struct sc_risk_expr *sc_risk_expr_compile(const char *src, const struct sc_risk_expr_scope *scope,
                                enum sc_type want, struct sc_error *err)
{
	return compile_part(src, strlen(src), scope, want, err, 0);
}

enum sc_type sc_risk_expr_type(const struct sc_risk_expr *e)
{
	return e && e->root ? e->root->t : SC_T_ANY;
}

int sc_risk_expr_uses_item(const struct sc_risk_expr *e)
{
	return e && e->uses_item;
}

/* ---- evaluation ----------------------------------------------------------- */

struct blk {
	struct blk *next;
	size_t used, cap;
	char data[];
};

struct val {
	enum sc_type t;
	double n;
	const char *s;
	size_t len;
	const json_t *j;
};

#define SCREEN_MEMO 16384

struct sc_eval {
	const json_t *decl;
	const json_t *rec;          /* the whole record, for the other roots (may be NULL) */
	const json_t *root[R_NROOTS];
	unsigned root_done;         /* bit r: root[r] looked up in this record */
	const json_t *item;
	const json_t *witness;
	int qdepth;
	long steps, limit;          /* steps of this rule; where it stops */
	long spent;                 /* steps of the record's earlier rules */
	struct blk *arena;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	struct sc_error *err;
	/*
	 * screening results by list and name: parties recur across declarations,
	 * thousands of them in a day's stream, so the table is large (allocated
	 * at the first screen(), SCREEN_MEMO slots, one name each)
	 */
	struct screen_memo {
		const struct sc_risk_screen_list *list;
		char name[96];
		size_t len;
		double score;
		const char *matched;
	} *memo;
	/* object lookups of this record by (object, schema key): rules share fields */
	struct get_memo {
		const json_t *obj;
		const char *key;
		const json_t *val;
		unsigned gen;
	} gets[512];
	/* values of lets and derived fields, by (what, item): rules share them */
	struct val_memo {
		const void *what;
		const json_t *obj;
		unsigned gen;
		struct val v;
	} vals[256];
	unsigned gen;
	struct sc_rbuf bufs[SC_EVAL_BUFS];   /* see sc_eval_buf */
};

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
		ev->root[r] = ev->rec ? json_object_get(ev->rec, roots[r].name) : NULL;
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

static char *scratch(struct sc_eval *ev, size_t n)
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

static int eval_err(struct sc_eval *ev, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int eval_err(struct sc_eval *ev, const char *code, const char *fmt, ...)
{
	va_list ap;
	char msg[300];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sc_error_set(ev->err, NULL, 0, 0, code, "%s", msg);
	return -1;
}

static void set_null(struct val *v)
{
	memset(v, 0, sizeof *v);
	v->t = SC_T_NULL;
}

static void set_num(struct val *v, double n)
{
	memset(v, 0, sizeof *v);
	if (!isfinite(n)) {
		v->t = SC_T_NULL;
		return;
	}
	v->t = SC_T_NUM;
	v->n = n;
}

static void set_bool(struct val *v, int b)
{
	memset(v, 0, sizeof *v);
	v->t = SC_T_BOOL;
	v->n = b != 0;
}

static void set_str(struct val *v, const char *s, size_t len)
{
	memset(v, 0, sizeof *v);
	v->t = s ? SC_T_STR : SC_T_NULL;
	v->s = s;
	v->len = len;
}

static size_t fmt_num(double n, char *buf, size_t len)
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
static void from_json(struct sc_eval *ev, const json_t *j, enum sc_type want, struct val *v)
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
			char *buf = scratch(ev, 40);
			if (buf)
				set_str(v, buf, fmt_num(d, buf, 40));
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

static void derive(struct sc_eval *ev, const json_t *o, enum derived d, struct val *v)
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
		from_json(ev, get(ev, o, K_HS), SC_T_STR, &hs);
		if (hs.t != SC_T_STR || !(buf = scratch(ev, 8)))
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

static int eval(struct sc_eval *ev, const struct node *n, struct val *v);

static int as_date(const struct val *v, double *d)
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
		return as_date(a, &x) && as_date(b, &y) && x == y;
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
		if (!as_date(a, &x) || !as_date(b, &y))
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

static const json_t *table_get(struct sc_eval *ev, const struct sc_rtable *t, const struct val *k,
                               int nk, const struct val *more)
{
	char buf[512];
	size_t used = 0;
	for (int i = 0; i < nk; i++) {
		const struct val *x = i == 0 ? k : &more[i - 1];
		char nb[48];
		const char *s;
		size_t len;
		if (x->t == SC_T_STR) {
			s = x->s;
			len = x->len;
		} else if (x->t == SC_T_NUM) {
			len = fmt_num(x->n, nb, sizeof nb);
			s = nb;
		} else {
			return NULL;
		}
		if (used + len + 2 > sizeof buf)
			return NULL;
		if (i)
			buf[used++] = '|';
		memcpy(buf + used, s, len);
		used += len;
	}
	buf[used] = '\0';
	(void)ev;
	return json_object_getn(t->rows, buf, used);
}

static int is_word(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

static int word_bounded(const char *s, size_t len, size_t start, size_t end)
{
	return (start == 0 || !is_word((unsigned char)s[start - 1])) &&
	       (end == len || !is_word((unsigned char)s[end]));
}

/*
 * first key of t found as a whole word (case-insensitive) in s: the one
 * starting leftmost, the longest there; in one pass over s with the table's
 * automaton, else key by key
 */
static const char *find_word(const struct sc_rtable *t, const char *s, size_t len)
{
	if (t->aho) {
		long k = sc_aho_first(t->aho, s, len, word_bounded);
		return k >= 0 ? t->lower_vals[k] : NULL;
	}
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && is_word((unsigned char)s[i - 1]))
			continue;
		for (size_t k = 0; k < t->nkeys; k++) {
			const char *key = t->lower_keys[k];
			size_t kl = strlen(key);
			if (kl == 0 || kl > len - i || tolower((unsigned char)s[i]) != key[0])
				continue;
			if (strncasecmp(s + i, key, kl) == 0 && (i + kl == len || !is_word((unsigned char)s[i + kl])))
				return t->lower_vals[k];
		}
	}
	return NULL;
}

static int quantify(struct sc_eval *ev, const struct node *n, struct val *v)
{
	struct val lv, r;
	const json_t *saved = ev->item, *el;
	size_t i;
	double acc = 0;
	int any = 0, all = 1;

	if (eval(ev, n->kids[0], &lv) < 0)
		return -1;
	if (lv.t != SC_T_LIST) {
		if (n->fn == F_COUNT || n->fn == F_SUM)
			set_num(v, 0);
		else
			set_bool(v, 0);
		return 0;
	}
	ev->qdepth++;
	json_array_foreach(lv.j, i, el) {
		ev->item = el;
		if (eval(ev, n->kids[1], &r) < 0) {
			ev->item = saved;
			ev->qdepth--;
			return -1;
		}
		if (n->fn == F_SUM) {
			if (r.t == SC_T_NUM)
				acc += r.n;
			continue;
		}
		int t = r.t == SC_T_BOOL && r.n != 0;
		if (t) {
			if (ev->qdepth == 1 && !any && n->fn != F_ALL)
				ev->witness = el;
			any = 1;
			acc += 1;
			if (n->fn == F_ANY)
				break;
		} else {
			all = 0;
			if (n->fn == F_ALL)
				break;
		}
	}
	ev->qdepth--;
	ev->item = saved;
	if (n->fn == F_ANY)
		set_bool(v, any);
	else if (n->fn == F_ALL)
		set_bool(v, all && json_array_size(lv.j) > 0);
	else
		set_num(v, acc);
	return 0;
}

static int call(struct sc_eval *ev, const struct node *n, struct val *v)
{
	struct val a, b;
	double d;

	set_null(v);
	switch (n->fn) {
	case F_ANY: case F_ALL: case F_COUNT: case F_SUM:
		return quantify(ev, n, v);
	case F_EXISTS:
		if (eval(ev, n->kids[0], &a) < 0)
			return -1;
		set_bool(v, a.t != SC_T_NULL);
		return 0;
	case F_IF:
		if (eval(ev, n->kids[0], &a) < 0)
			return -1;
		return eval(ev, n->kids[a.t == SC_T_BOOL && a.n != 0 ? 1 : 2], v);
	case F_DEFAULT:
		if (eval(ev, n->kids[0], &a) < 0)
			return -1;
		if (a.t != SC_T_NULL) {
			*v = a;
			return 0;
		}
		return eval(ev, n->kids[1], v);
	default:
		break;
	}
	if (eval(ev, n->kids[0], &a) < 0)
		return -1;
	if (n->nkids > 1 && n->fn != F_MATCHES && n->fn != F_LOOKUP && eval(ev, n->kids[1], &b) < 0)
		return -1;
	switch (n->fn) {
	case F_LOWER: case F_UPPER: {
		char *buf;
		if (a.t != SC_T_STR || !(buf = scratch(ev, a.len + 1)))
			return 0;
		for (size_t i = 0; i < a.len; i++)
			buf[i] = (char)(n->fn == F_LOWER ? tolower((unsigned char)a.s[i]) : toupper((unsigned char)a.s[i]));
		set_str(v, buf, a.len);
		return 0;
	}
	case F_TRIM:
		if (a.t != SC_T_STR)
			return 0;
		while (a.len && isspace((unsigned char)a.s[0]))
			a.s++, a.len--;
		while (a.len && isspace((unsigned char)a.s[a.len - 1]))
			a.len--;
		set_str(v, a.s, a.len);
		return 0;
	case F_LEN:
		if (a.t == SC_T_STR)
			set_num(v, (double)a.len);
		else if (a.t == SC_T_LIST)
			set_num(v, (double)json_array_size(a.j));
		return 0;
	case F_PREFIX:
		if (a.t == SC_T_STR && b.t == SC_T_STR)
			set_bool(v, b.len <= a.len && memcmp(a.s, b.s, b.len) == 0);
		return 0;
	case F_SUFFIX:
		if (a.t == SC_T_STR && b.t == SC_T_STR)
			set_bool(v, b.len <= a.len && memcmp(a.s + a.len - b.len, b.s, b.len) == 0);
		return 0;
	case F_CONTAINS:
		if (a.t == SC_T_STR && b.t == SC_T_STR)
			set_bool(v, b.len == 0 || memmem(a.s, a.len, b.s, b.len) != NULL);
		return 0;
	case F_MATCHES: {
		int rc;
		if (a.t != SC_T_STR)
			return 0;
		rc = pcre2_match(n->re, (PCRE2_SPTR)a.s, a.len, 0, 0, ev->md, ev->mctx);
		if (rc >= 0) {
			set_bool(v, 1);
			return 0;
		}
		if (rc == PCRE2_ERROR_NOMATCH) {
			set_bool(v, 0);
			return 0;
		}
		PCRE2_UCHAR msg[200];
		pcre2_get_error_message(rc, msg, sizeof msg);
		return eval_err(ev, "regex-limit", "regular expression /%s/ gave up: %s", n->kids[1]->str, msg);
	}
	case F_FIND: {
		const char *k;
		if (a.t != SC_T_STR)
			return 0;
		if ((k = find_word(n->kids[1]->table, a.s, a.len)))
			set_str(v, k, strlen(k));
		return 0;
	}
	case F_LOOKUP: {
		struct val more[3];
		const json_t *row;
		for (int i = 1; i < n->nkids; i++)
			if (eval(ev, n->kids[i], i == 1 ? &a : &more[i - 2]) < 0)
				return -1;
		row = table_get(ev, n->table, &a, n->nkids - 1, more);
		if (row)
			from_json(ev, row, SC_T_ANY, v);
		return 0;
	}
	case F_ABS:
		if (a.t == SC_T_NUM)
			set_num(v, fabs(a.n));
		return 0;
	case F_MIN: case F_MAX:
		if (a.t == SC_T_NUM && b.t == SC_T_NUM)
			set_num(v, n->fn == F_MIN ? fmin(a.n, b.n) : fmax(a.n, b.n));
		return 0;
	case F_ROUND: {
		double p = 1;
		if (a.t != SC_T_NUM)
			return 0;
		if (n->nkids > 1) {
			if (b.t != SC_T_NUM || b.n < 0 || b.n > 10)
				return 0;
			p = pow(10, floor(b.n));
		}
		set_num(v, round(a.n * p) / p);
		return 0;
	}
	case F_DATE:
		if (as_date(&a, &d)) {
			v->t = SC_T_DATE;
			v->n = d;
		}
		return 0;
	case F_DAYS: {
		double e;
		if (as_date(&a, &d) && as_date(&b, &e))
			set_num(v, e - d);
		return 0;
	}
	case F_YEAR: case F_MONTH: case F_WEEKDAY: {
		if (!as_date(&a, &d))
			return 0;
		if (n->fn == F_WEEKDAY) {
			/* 1970-01-01 was a Thursday; Monday is 1 */
			long w = ((long)d % 7 + 7) % 7;
			set_num(v, (double)((w + 3) % 7 + 1));
			return 0;
		}
		/* civil from days (H. Hinnant) */
		long z = (long)d + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		long mp = (5 * doy + 2) / 153, m = mp < 10 ? mp + 3 : mp - 9;
		set_num(v, (double)(n->fn == F_MONTH ? m : y + (m <= 2)));
		return 0;
	}
	case F_SCREEN: case F_SCREEN_MATCH: {
		const char *matched = NULL;
		double s;
		if (a.t != SC_T_STR || !n->list)
			return 0;
		if (!ev->memo)
			ev->memo = calloc(SCREEN_MEMO, sizeof *ev->memo);   /* NULL: screen without it */
		if (ev->memo && a.len < sizeof ev->memo[0].name) {
			uint64_t h = sc_fnv64(SC_FNV64_OFFSET ^ (uintptr_t)n->list, a.s, a.len);
			struct screen_memo *m = &ev->memo[(h >> 17) % SCREEN_MEMO];
			if (m->list != n->list || m->len != a.len || memcmp(m->name, a.s, a.len) != 0) {
				m->score = sc_risk_screen_match(n->list, a.s, a.len, &m->matched);
				m->list = n->list;
				m->len = a.len;
				memcpy(m->name, a.s, a.len);
			}
			s = m->score;
			matched = m->matched;
		} else {
			s = sc_risk_screen_match(n->list, a.s, a.len, &matched);
		}
		if (n->fn == F_SCREEN)
			set_num(v, s);
		else if (matched)
			set_str(v, matched, strlen(matched));
		return 0;
	}
	case F_CONTAINER_OK:
		if (a.t == SC_T_STR)
			set_bool(v, sc_container_check(a.s, a.len));
		return 0;
	default:
		return 0;
	}
}

static int arith(struct sc_eval *ev, enum op op, const struct val *a, const struct val *b, struct val *v)
{
	set_null(v);
	if (a->t == SC_T_NULL || b->t == SC_T_NULL)
		return 0;
	if (op == O_ADD && a->t == SC_T_STR && b->t == SC_T_STR) {
		char *buf = scratch(ev, a->len + b->len + 1);
		if (!buf)
			return eval_err(ev, "oom", "out of memory");
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
		*in = table_get(ev, rhs->table, x, 1, NULL) != NULL;
		return 0;
	}
	if (rhs->op == O_LIST) {
		for (int i = 0; i < rhs->nkids; i++) {
			if (eval(ev, rhs->kids[i], &e) < 0)
				return -1;
			if (equal(x, &e)) {
				*in = 1;
				return 0;
			}
		}
		return 0;
	}
	if (eval(ev, rhs, &r) < 0)
		return -1;
	if (r.t == SC_T_LIST) {
		size_t i;
		const json_t *el;
		json_array_foreach(r.j, i, el) {
			from_json(ev, el, x->t == SC_T_DATE ? SC_T_DATE : SC_T_ANY, &e);
			if (equal(x, &e)) {
				*in = 1;
				return 0;
			}
		}
	}
	return 0;
}

static int eval(struct sc_eval *ev, const struct node *n, struct val *v)
{
	struct val a, b;

	if (++ev->steps > ev->limit) {
		if (ev->limit < SC_EXPR_BUDGET)
			return eval_err(ev, "budget", "the record took more than %d evaluation steps over all rules",
			                SC_EXPR_RECORD_BUDGET);
		return eval_err(ev, "budget", "evaluation took more than %d steps", SC_EXPR_BUDGET);
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
			derive(ev, j, n->derived, v);
			m->what = &kinds[n->derived];
			m->obj = j;
			m->gen = ev->gen;
			m->v = *v;
			return 0;
		}
		/* a bare `item` is whatever the list holds (a container number, an item) */
		from_json(ev, j, n->nkeys ? n->t : SC_T_ANY, v);
		return 0;
	}
	case O_GET:
		if (eval(ev, n->kids[0], &a) < 0)
			return -1;
		if (a.t != SC_T_OBJ) {
			set_null(v);
			return 0;
		}
		from_json(ev, json_object_get(a.j, n->keys[0]), SC_T_ANY, v);
		return 0;
	case O_LET: {
		struct val_memo *m = memo_slot(ev, n->let, ev->item);
		if (m->gen == ev->gen && m->what == n->let && m->obj == ev->item) {
			*v = m->v;
			return 0;
		}
		if (eval(ev, n->let->root, v) < 0)
			return -1;
		m->what = n->let;
		m->obj = ev->item;
		m->gen = ev->gen;
		m->v = *v;
		return 0;
	}
	case O_NEG:
		if (eval(ev, n->kids[0], &a) < 0)
			return -1;
		if (a.t == SC_T_NUM)
			set_num(v, -a.n);
		else
			set_null(v);
		return 0;
	case O_NOT:
		if (eval(ev, n->kids[0], &a) < 0)
			return -1;
		set_bool(v, !(a.t == SC_T_BOOL && a.n != 0));
		return 0;
	case O_AND: case O_OR: {
		int t;
		if (eval(ev, n->kids[0], &a) < 0)
			return -1;
		t = a.t == SC_T_BOOL && a.n != 0;
		if (n->op == O_AND ? !t : t) {
			set_bool(v, t);
			return 0;
		}
		if (eval(ev, n->kids[1], &b) < 0)
			return -1;
		set_bool(v, b.t == SC_T_BOOL && b.n != 0);
		return 0;
	}
	case O_ADD: case O_SUB: case O_MUL: case O_DIV: case O_MOD:
		if (eval(ev, n->kids[0], &a) < 0 || eval(ev, n->kids[1], &b) < 0)
			return -1;
		return arith(ev, n->op, &a, &b, v);
	case O_EQ: case O_NE:
		if (eval(ev, n->kids[0], &a) < 0 || eval(ev, n->kids[1], &b) < 0)
			return -1;
		set_bool(v, equal(&a, &b) == (n->op == O_EQ));
		return 0;
	case O_LT: case O_LE: case O_GT: case O_GE: {
		int c;
		if (eval(ev, n->kids[0], &a) < 0 || eval(ev, n->kids[1], &b) < 0)
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
		if (eval(ev, n->kids[0], &a) < 0 || member(ev, n, &a, &in) < 0)
			return -1;
		set_bool(v, n->op == O_IN ? in : (a.t != SC_T_NULL && !in));
		return 0;
	}
	case O_CALL:
		return call(ev, n, v);
	}
	set_null(v);
	return 0;
}

int sc_risk_expr_truth(const struct sc_risk_expr *e, struct sc_eval *ev, int *truth, struct sc_error *err)
{
	struct val v;
	ev->err = err;
	if (eval(ev, e->root, &v) < 0)
		return -1;
	*truth = v.t == SC_T_BOOL && v.n != 0;
	return 0;
}

int sc_risk_expr_number(const struct sc_risk_expr *e, struct sc_eval *ev, double *num, int *isnull,
                   struct sc_error *err)
{
	struct val v;
	ev->err = err;
	if (eval(ev, e->root, &v) < 0)
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
	if (eval(ev, e->root, &v) < 0)
		return NULL;
	return to_json(&v);
}

/* ---- templates ------------------------------------------------------------ */

struct part {
	char *text;                /* literal text, or NULL for an expression */
	struct sc_risk_expr *e;
};

struct sc_template {
	struct part *parts;
	size_t n;
};

void sc_template_free(struct sc_template *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->parts[i].text);
		sc_risk_expr_free(t->parts[i].e);
	}
	free(t->parts);
	free(t);
}

static int add_part(struct sc_template *t, char *text, struct sc_risk_expr *e)
{
	struct part *np = realloc(t->parts, sizeof *np * (t->n + 1));
	if (!np)
		return -1;
	t->parts = np;
	t->parts[t->n].text = text;
	t->parts[t->n].e = e;
	t->n++;
	return 0;
}

struct sc_template *sc_template_compile(const char *src, const struct sc_risk_expr_scope *scope,
                                        struct sc_error *err)
{
	struct sc_template *t = calloc(1, sizeof *t);
	struct sc_risk_expr_scope sc = *scope;
	size_t len = strlen(src), i = 0;
	char *lit = malloc(len + 1);
	size_t nl = 0;

	sc.item_ok = 1;
	if (!t || !lit) {
		free(lit);
		free(t);
		sc_error_set(err, scope->file, scope->line, scope->col, "oom", "out of memory");
		return NULL;
	}
	if (len > SC_EXPR_MAX_LEN) {
		sc_error_set(err, scope->file, scope->line, scope->col, "too-long",
		             "template longer than %d characters", SC_EXPR_MAX_LEN);
		goto bad;
	}
	while (i < len) {
		if ((src[i] == '{' && src[i + 1] == '{') || (src[i] == '}' && src[i + 1] == '}')) {
			lit[nl++] = src[i];
			i += 2;
			continue;
		}
		if (src[i] == '}') {
			sc_error_set(err, scope->file, scope->line, scope->line ? scope->col + (int)i : 0,
			             "bad-template", "\"}\" without \"{\" (write \"}}\" for a brace)");
			goto bad;
		}
		if (src[i] != '{') {
			lit[nl++] = src[i++];
			continue;
		}
		size_t st = ++i;
		int depth = 0;
		char q = 0;
		while (i < len && (q || depth || src[i] != '}')) {
			if (q) {
				if (src[i] == '\\')
					i++;
				else if (src[i] == q)
					q = 0;
			} else if (src[i] == '"' || src[i] == '\'')
				q = src[i];
			else if (src[i] == '(' || src[i] == '[')
				depth++;
			else if ((src[i] == ')' || src[i] == ']') && depth)
				depth--;
			i++;
		}
		if (i >= len) {
			sc_error_set(err, scope->file, scope->line, scope->line ? scope->col + (int)st - 1 : 0,
			             "bad-template", "\"{\" without \"}\" (write \"{{\" for a brace)");
			goto bad;
		}
		if (nl) {
			lit[nl] = '\0';
			char *copy = strdup(lit);
			if (!copy || add_part(t, copy, NULL) < 0) {
				free(copy);
				goto bad;
			}
			nl = 0;
		}
		struct sc_risk_expr *e = compile_part(src + st, i - st, &sc, SC_T_ANY, err, (int)st);
		if (!e)
			goto bad;
		if (add_part(t, NULL, e) < 0) {
			sc_risk_expr_free(e);
			goto bad;
		}
		i++;
	}
	if (nl) {
		lit[nl] = '\0';
		char *copy = strdup(lit);
		if (!copy || add_part(t, copy, NULL) < 0) {
			free(copy);
			goto bad;
		}
	}
	free(lit);
	return t;
bad:
	free(lit);
	sc_template_free(t);
	return NULL;
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
		if (eval(ev, t->parts[i].e->root, &v) < 0) {
			ev->item = NULL;
			return -1;
		}
		switch (v.t) {
		case SC_T_NUM: st = sc_rbuf_add(out, nb, fmt_num(v.n, nb, sizeof nb)); break;
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
		sc_error_set(err, NULL, 0, 0, "oom", "out of memory");
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

/* ---- helpers -------------------------------------------------------------- */

int sc_date_parse(const char *s, size_t len, double *days)
{
	long d;
	if (sc_date_iso_days(s, len, &d) < 0)
		return -1;
	*days = (double)d;
	return 0;
}

/* ISO 6346 itself lives once, in norm_container.c; a rule's value may carry
 * spaces or a dash between its parts and lower case, so compact it first. */
int sc_container_check(const char *s, size_t len)
{
	char c[12];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == ' ' || s[i] == '-')
			continue;
		if (n == 11)
			return 0;
		c[n++] = (char)toupper((unsigned char)s[i]);
	}
	c[n] = '\0';
	return n == 11 && sc_container_valid(c);
}

static int by_len_desc(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
	if (x != y)
		return x < y ? 1 : -1;
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void sc_rtable_index(struct sc_rtable *t)
{
	const char *key;
	json_t *row;
	size_t n = json_object_size(t->rows), i = 0;

	t->lower_keys = calloc(n ? n : 1, sizeof *t->lower_keys);
	t->lower_vals = calloc(n ? n : 1, sizeof *t->lower_vals);
	if (!t->lower_keys || !t->lower_vals)
		return;
	json_object_foreach(t->rows, key, row) {
		/* "key\0original" so that one allocation keeps both */
		size_t kl = strlen(key);
		char *s = malloc(2 * kl + 2);
		if (!s)
			break;
		for (size_t k = 0; k < kl; k++)
			s[k] = (char)tolower((unsigned char)key[k]);
		s[kl] = '\0';
		memcpy(s + kl + 1, key, kl + 1);
		t->lower_keys[i++] = s;
	}
	t->nkeys = i;
	qsort(t->lower_keys, t->nkeys, sizeof *t->lower_keys, by_len_desc);
	for (i = 0; i < t->nkeys; i++)
		t->lower_vals[i] = t->lower_keys[i] + strlen(t->lower_keys[i]) + 1;
	sc_aho_free(t->aho);
	/* at most 16M cells (64 MiB); a larger table is searched key by key */
	t->aho = sc_aho_build((const char *const *)t->lower_keys, t->nkeys, (size_t)1 << 24);
}

void sc_rtable_free(struct sc_rtable *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nkeys; i++)
		free(t->lower_keys[i]);
	free(t->lower_keys);
	free(t->lower_vals);
	sc_aho_free(t->aho);
	json_decref(t->rows);
	json_decref(t->columns);
	free(t->name);
	free(t);
}
