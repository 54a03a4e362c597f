/*
 * risk_expr_parse.c - the condition language's recursive-descent parser with
 * static types checked against the decl schema (and the schema as a check on
 * records), templates compiled into parts. Work is bounded at compile time:
 * nesting and size.
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

/* key names used by both the schema and sc_rx_derive(): one address each, for the lookup memo */
const char K_HS[] = "hs", K_VALUE[] = "value", K_QTY[] = "qty", K_NET[] = "net_kg",
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
	{"src", SC_T_ANY, NULL, 0, 0}, {"type", SC_T_STR, NULL, 0, 0},
	{"conf", SC_T_NUM, NULL, 0, 0}, {"conf_low", SC_T_BOOL, NULL, 0, 0}, OPEN_END};
static const struct field jcheck_fields[] = {
	{"field", SC_T_STR, NULL, 0, 0}, {"msg", SC_T_STR, NULL, 0, 0},
	{"decl", SC_T_ANY, NULL, 0, 0}, {"doc", SC_T_ANY, NULL, 0, 0},
	{"decl_src", SC_T_ANY, NULL, 0, 0}, {"doc_src", SC_T_ANY, NULL, 0, 0},
	{"tol", SC_T_NUM, NULL, 0, 0}, {"rel", SC_T_ANY, NULL, 0, 0},
	{"doc_conf_low", SC_T_BOOL, NULL, 0, 0}, OPEN_END};
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

/*
 * The fast pass over a record: count the values of o that do not fit fs, and
 * hand every field of the schema found in o (or not found: null) to the
 * evaluator's lookup memo, so that the rules' paths find their values
 * there, resolved in this one walk, instead of looking each up by its name.
 * No path text is built: check_object does that when a value is wrong.
 */
static long fast_check(struct sc_eval *ev, const json_t *o, const struct field *fs)
{
	const char *key;
	size_t klen, nfs = 0, hint = 0;
	uint64_t seen = 0;
	json_t *v;
	long found = 0;

	while (fs[nfs].name)
		nfs++;
	json_object_keylen_foreach((json_t *)o, key, klen, v) {
		const struct field *f = NULL;
		/* records mostly keep the schema's order: look from after the last match first */
		for (size_t k = 0; k < nfs; k++) {
			size_t at = hint + k < nfs ? hint + k : hint + k - nfs;
			if (fs[at].name[0] == key[0] && strcmp(fs[at].name, key) == 0) {
				f = &fs[at];
				hint = at + 1 < nfs ? at + 1 : 0;
				break;
			}
		}
		(void)klen;
		if (!f || f->derived)
			continue;
		if (f - fs < 64)
			seen |= 1ull << (f - fs);
		if (ev)
			sc_rx_memo_put(ev, o, f->name, v);
		if (json_is_null(v))
			continue;
		if (!type_fits(v, f->t)) {
			found++;
		} else if (f->t == SC_T_OBJ && f->sub) {
			found += fast_check(ev, v, f->sub);
		} else if (f->t == SC_T_LIST && f->elem != SC_T_ANY) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e) {
				if (json_is_null(e))
					continue;
				if (!type_fits(e, f->elem))
					found++;
				else if (f->elem == SC_T_OBJ && f->sub)
					found += fast_check(ev, e, f->sub);
			}
		}
	}
	/* the fields o does not have read as null: memoise that too */
	if (ev)
		for (size_t k = 0; k < nfs && k < 64; k++)
			if (!(seen & (1ull << k)) && !fs[k].derived)
				sc_rx_memo_put(ev, o, fs[k].name, NULL);
	return found;
}

long sc_risk_expr_check_record(struct sc_eval *ev, const json_t *decl, struct sc_error *err)
{
	if (!json_is_object(decl) || fast_check(ev, decl, decl_fields) == 0)
		return 0;
	return sc_risk_expr_check_decl(decl, err);
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
const struct sc_rx_root sc_rx_roots[R_NROOTS] = {
	{"decl", decl_fields}, {"parse", parse_fields}, {"join", join_fields},
	{"ocr", ocr_fields}, {"scan", scan_fields}, {"wood", wood_fields},
};

const char *sc_type_name(enum sc_type t)
{
	static const char *names[] = {"any", "null", "bool", "number", "string", "date",
	                              "list", "object", "table", "screening list"};
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

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

/* ---- parser --------------------------------------------------------------- */

static struct node *mk(struct parser *P, enum op op, enum sc_type t, int pos)
{
	struct node *n;

	if (P->failed)
		return NULL;
	if (++P->e->nnodes > SC_EXPR_MAX_NODES) {
		sc_rx_fail(P, pos, "too-long", "expression has more than %d parts", SC_EXPR_MAX_NODES);
		return NULL;
	}
	n = calloc(1, sizeof *n);
	if (!n) {
		sc_rx_fail(P, pos, SC_E_NOMEM, "out of memory");
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
		return sc_rx_fail(P, n->pos, SC_E_NOMEM, "out of memory");
	n->kids = nk;
	n->kids[n->nkids++] = k;
	if (k->h + 1 > n->h)
		n->h = k->h + 1;
	if (n->h > 4 * SC_EXPR_MAX_DEPTH)
		return sc_rx_fail(P, n->pos, "too-deep", "expression nested deeper than %d", 4 * SC_EXPR_MAX_DEPTH);
	return 0;
}

static int add_key(struct parser *P, struct node *n, const char *key, const char *id)
{
	char **nk = realloc(n->keys, sizeof *nk * (size_t)(n->nkeys + 1));
	const char **ni;
	if (!nk)
		return sc_rx_fail(P, n->pos, SC_E_NOMEM, "out of memory");
	n->keys = nk;
	if (!(ni = realloc(n->ids, sizeof *ni * (size_t)(n->nkeys + 1))))
		return sc_rx_fail(P, n->pos, SC_E_NOMEM, "out of memory");
	n->ids = ni;
	n->ids[n->nkeys] = id;
	if (!(n->keys[n->nkeys] = strdup(key)))
		return sc_rx_fail(P, n->pos, SC_E_NOMEM, "out of memory");
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
		return sc_rx_fail(P, P->tpos, "syntax", "expected \"%s\" but found \"%s\"", tkname(k), tkname(P->k));
	return sc_rx_next(P);
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
		if (sc_rx_next(P) < 0)
			return NULL;
		if (P->k != TK_ID) {
			sc_rx_fail(P, P->tpos, "syntax", "expected a field name after \".\"");
			return NULL;
		}
		if (n->t == SC_T_ANY) {
			/* beyond the schema: looked up at run time */
			if (add_key(P, n, P->str, NULL) < 0 || sc_rx_next(P) < 0)
				return NULL;
			continue;
		}
		if (n->t != SC_T_OBJ || n->derived) {
			char path[300];
			size_t u = (size_t)snprintf(path, sizeof path, "%s", base);
			for (int i = 0; i < n->nkeys && u < sizeof path; i++)
				u += (size_t)snprintf(path + u, sizeof path - u, ".%s", n->keys[i]);
			sc_rx_fail(P, P->tpos, "type", "%s is a %s, it has no field \"%s\"", path,
			     sc_type_name(n->t), P->str);
			return NULL;
		}
		const struct field *f = find_field(fs, P->str);
		if (!f && fs && fs[count_fields(fs)].derived == D_OPEN) {
			/* an open schema: a field its producer may add, looked up at run time */
			if (add_key(P, n, P->str, NULL) < 0 || sc_rx_next(P) < 0)
				return NULL;
			n->t = SC_T_ANY;
			n->field = NULL;
			fs = NULL;
			continue;
		}
		if (!f) {
			char names[600];
			field_names(fs, names, sizeof names);
			sc_rx_fail(P, P->tpos, "unknown-field", "unknown field \"%s\" (known: %s)", P->str, names);
			return NULL;
		}
		if (add_key(P, n, f->name, f->name) < 0)
			return NULL;
		n->t = f->t;
		n->derived = f->derived;
		fs = f->sub;
		n->field = f;   /* for a list: the element type and schema, for quantifiers */
		if (sc_rx_next(P) < 0)
			return NULL;
	}
	return n;
}

static struct node *parse_list_literal(struct parser *P, int pos)
{
	struct node *n = mk(P, O_LIST, SC_T_LIST, pos);
	if (!n || sc_rx_next(P) < 0)
		return NULL;
	while (P->k != TK_RB) {
		struct node *k = parse_expr(P);
		if (!k || add_kid(P, n, k) < 0)
			return NULL;
		if (k->op != O_NUM && k->op != O_STR && k->op != O_BOOL && k->op != O_NULL) {
			sc_rx_fail(P, k->pos, "type", "a list literal holds only constants");
			return NULL;
		}
		if (P->k == TK_COMMA) {
			if (sc_rx_next(P) < 0)
				return NULL;
		} else if (P->k != TK_RB) {
			sc_rx_fail(P, P->tpos, "syntax", "expected \",\" or \"]\" in a list");
			return NULL;
		}
	}
	if (sc_rx_next(P) < 0)
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
	return sc_rx_fail(P, a->pos, "type", "argument %d of %s() must be a %s, not a %s", i + 1, fname,
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
			return sc_rx_fail(P, n->kids[0]->pos, "type", "len() takes a string or a list, not a %s",
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
			return sc_rx_fail(P, pat->pos, "type", "the pattern of matches() must be a string constant");
		n->re = pcre2_compile((PCRE2_SPTR)pat->str, pat->slen,
		                      PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C, &code, &off, NULL);
		if (!n->re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(code, msg, sizeof msg);
			return sc_rx_fail(P, pat->pos + 1 + (int)off, "bad-regex", "bad regular expression: %s", msg);
		}
		pcre2_jit_compile(n->re, PCRE2_JIT_COMPLETE);  /* without JIT it still works, limited */
		return 0;
	}
	case F_FIND:
		n->t = SC_T_STR;
		if (want_arg(P, n, 0, SC_T_STR, fname) < 0)
			return -1;
		if (n->kids[1]->t != SC_T_TABLE)
			return sc_rx_fail(P, n->kids[1]->pos, "type", "argument 2 of find() must name a table");
		return 0;
	case F_LOOKUP:
		n->t = SC_T_ANY;
		if (n->kids[0]->t != SC_T_TABLE)
			return sc_rx_fail(P, n->kids[0]->pos, "type", "argument 1 of lookup() must name a table");
		n->table = n->kids[0]->table;
		for (i = 1; i < n->nkids; i++)
			if (n->kids[i]->t != SC_T_STR && n->kids[i]->t != SC_T_NUM &&
			    n->kids[i]->t != SC_T_ANY && n->kids[i]->t != SC_T_NULL)
				return sc_rx_fail(P, n->kids[i]->pos, "type", "a key of lookup() must be a string or number, not a %s",
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
			return sc_rx_fail(P, n->kids[1]->pos, "type", "argument 2 of %s() must name a screening list", fname);
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
			return sc_rx_fail(P, n->kids[2]->pos, "type", "if() gives a %s or a %s: both must be of one type",
			            sc_type_name(n->kids[1]->t), sc_type_name(n->kids[2]->t));
		if (n->kids[1]->t != n->kids[2]->t && n->kids[1]->t != SC_T_NULL && n->kids[2]->t != SC_T_NULL)
			n->t = SC_T_ANY;
		return 0;
	case F_DEFAULT:
		n->t = n->kids[0]->t == SC_T_NULL ? n->kids[1]->t : n->kids[0]->t;
		if (!compatible(n->kids[1]->t, n->kids[0]->t) && !compatible(n->kids[0]->t, n->kids[1]->t))
			return sc_rx_fail(P, n->kids[1]->pos, "type", "default() of a %s cannot be a %s",
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
		sc_rx_fail(P, pos, "unknown-function", "unknown function \"%s\"", fname);
		return NULL;
	}
	n = mk(P, O_CALL, SC_T_ANY, pos);
	if (!n || sc_rx_next(P) < 0)   /* past "(" */
		return NULL;
	n->fn = functions[i].id;
	quant = n->fn == F_ANY || n->fn == F_ALL || n->fn == F_COUNT || n->fn == F_SUM;
	while (P->k != TK_RP) {
		struct node *k;
		int bound = 0;
		if (quant && n->nkids == 1) {
			struct node *list = n->kids[0];
			if (list->t != SC_T_LIST && list->t != SC_T_ANY && list->t != SC_T_NULL) {
				sc_rx_fail(P, list->pos, "type", "argument 1 of %s() must be a list, not a %s", fname,
				     sc_type_name(list->t));
				return NULL;
			}
			if (P->nitems >= (int)(sizeof P->items / sizeof P->items[0])) {
				sc_rx_fail(P, P->tpos, "too-deep", "quantifiers nested too deep");
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
			if (sc_rx_next(P) < 0)
				return NULL;
		} else if (P->k != TK_RP) {
			sc_rx_fail(P, P->tpos, "syntax", "expected \",\" or \")\" in the arguments of %s()", fname);
			return NULL;
		}
	}
	if (n->nkids < functions[i].min || n->nkids > functions[i].max) {
		if (functions[i].min == functions[i].max)
			sc_rx_fail(P, pos, "type", "%s() takes %d argument%s, not %d", fname, functions[i].min,
			     functions[i].min == 1 ? "" : "s", n->nkids);
		else
			sc_rx_fail(P, pos, "type", "%s() takes %d to %d arguments, not %d", fname, functions[i].min,
			     functions[i].max, n->nkids);
		return NULL;
	}
	if (sc_rx_next(P) < 0 || check_call(P, n, fname) < 0)
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
		return sc_rx_next(P) < 0 ? NULL : n;
	case TK_STR:
		if (!(n = mk(P, O_STR, SC_T_STR, pos)))
			return NULL;
		n->str = P->str;
		n->slen = P->slen;
		P->str = NULL;
		return sc_rx_next(P) < 0 ? NULL : n;
	case TK_TRUE: case TK_FALSE:
		if (!(n = mk(P, O_BOOL, SC_T_BOOL, pos)))
			return NULL;
		n->num = P->k == TK_TRUE;
		return sc_rx_next(P) < 0 ? NULL : n;
	case TK_NULL:
		if (!(n = mk(P, O_NULL, SC_T_NULL, pos)))
			return NULL;
		return sc_rx_next(P) < 0 ? NULL : n;
	case TK_LB:
		return parse_list_literal(P, pos);
	case TK_LP:
		if (sc_rx_next(P) < 0 || !(n = parse_expr(P)) || expect(P, TK_RP) < 0)
			return NULL;
		return n;
	case TK_ID: {
		char name[128];
		const struct sc_risk_expr_scope *S = P->scope;
		snprintf(name, sizeof name, "%s", P->str);
		if (sc_rx_next(P) < 0)
			return NULL;
		if (P->k == TK_LP)
			return parse_call(P, name, pos);
		for (int r = 0; r < R_NROOTS; r++)
			if (strcmp(name, sc_rx_roots[r].name) == 0) {
				if (!(n = parse_path(P, O_DECL, sc_rx_roots[r].schema, SC_T_OBJ, pos, sc_rx_roots[r].name)))
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
				sc_rx_fail(P, pos, "unknown-field", "\"item\" is only known inside any(), all(), count() or sum()");
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
						sc_rx_fail(P, pos, "unknown-field", "\"%s\" names item: use it inside any(), all(), count() or sum()", name);
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
			sc_rx_fail(P, pos, "unknown-table", "unknown table \"%s\"", name);
		else if (want == SC_T_SCREEN)
			sc_rx_fail(P, pos, "unknown-list", "unknown screening list \"%s\"", name);
		else
			sc_rx_fail(P, pos, "unknown-name", "unknown name \"%s\" (not decl, parse, join, ocr, scan, wood, item, a let, a table or a list)", name);
		return NULL;
	}
	default:
		sc_rx_fail(P, pos, "syntax", "unexpected \"%s\"", tkname(P->k));
		return NULL;
	}
}

/* postfix: .field on a value known only at run time (a table row, a let) */
static struct node *parse_postfix(struct parser *P)
{
	struct node *n = parse_primary(P);

	while (n && P->k == TK_DOT) {
		if (n->t != SC_T_ANY && n->t != SC_T_OBJ) {
			sc_rx_fail(P, P->tpos, "type", "a %s has no fields", sc_type_name(n->t));
			return NULL;
		}
		if (sc_rx_next(P) < 0)
			return NULL;
		if (P->k != TK_ID) {
			sc_rx_fail(P, P->tpos, "syntax", "expected a field name after \".\"");
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
				sc_rx_fail(P, P->tpos, "unknown-field", "table \"%s\" has no column \"%s\"", n->table->name, P->str);
				return NULL;
			}
		}
		struct node *g = mk(P, O_GET, SC_T_ANY, P->tpos);
		if (!g || add_kid(P, g, n) < 0 || add_key(P, g, P->str, NULL) < 0 || sc_rx_next(P) < 0)
			return NULL;
		n = g;
	}
	return n;
}

static int enter(struct parser *P)
{
	if (++P->depth > SC_EXPR_MAX_DEPTH)
		return sc_rx_fail(P, P->tpos, "too-deep", "expression nested deeper than %d", SC_EXPR_MAX_DEPTH);
	return 0;
}

static struct node *parse_unary(struct parser *P)
{
	struct node *n, *k;
	int pos = P->tpos;

	if (enter(P) < 0)
		return NULL;
	if (P->k == TK_MINUS) {
		if (sc_rx_next(P) < 0 || !(k = parse_unary(P)))
			return NULL;
		if (!compatible(k->t, SC_T_NUM)) {
			sc_rx_fail(P, k->pos, "type", "cannot negate a %s", sc_type_name(k->t));
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
			sc_rx_fail(P, pos, "type", "cannot apply arithmetic to a %s and a %s", sc_type_name(x), sc_type_name(y));
			return NULL;
		}
		break;
	}
	case O_EQ: case O_NE: case O_LT: case O_LE: case O_GT: case O_GE:
		t = SC_T_BOOL;
		if (a->t == SC_T_TABLE || b->t == SC_T_TABLE || a->t == SC_T_SCREEN || b->t == SC_T_SCREEN ||
		    (!compatible(a->t, b->t) && !compatible(b->t, a->t))) {
			sc_rx_fail(P, pos, "type", "cannot compare a %s with a %s", sc_type_name(a->t), sc_type_name(b->t));
			return NULL;
		}
		break;
	case O_IN: case O_NOTIN:
		t = SC_T_BOOL;
		if (b->t != SC_T_TABLE && b->t != SC_T_LIST && b->t != SC_T_ANY) {
			sc_rx_fail(P, b->pos, "type", "\"in\" needs a list or a table on its right, not a %s", sc_type_name(b->t));
			return NULL;
		}
		if (a->t == SC_T_TABLE || a->t == SC_T_SCREEN || a->t == SC_T_LIST) {
			sc_rx_fail(P, a->pos, "type", "\"in\" cannot look for a %s", sc_type_name(a->t));
			return NULL;
		}
		break;
	case O_AND: case O_OR:
		t = SC_T_BOOL;
		if (!compatible(a->t, SC_T_BOOL) || !compatible(b->t, SC_T_BOOL)) {
			struct node *bad = compatible(a->t, SC_T_BOOL) ? b : a;
			sc_rx_fail(P, bad->pos, "type", "\"%s\" needs true/false on both sides, not a %s",
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
		if (sc_rx_next(P) < 0)
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
		if (sc_rx_next(P) < 0)
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
			if (sc_rx_next(P) < 0)
				return NULL;
			if (P->k != TK_IN) {
				sc_rx_fail(P, P->tpos, "syntax", "expected \"in\" after \"not\"");
				return NULL;
			}
			op = O_NOTIN;
			break;
		}
		default:
			return n;
		}
		if (sc_rx_next(P) < 0)
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
	if (enter(P) < 0 || sc_rx_next(P) < 0 || !(k = parse_not(P)))
		return NULL;
	if (!compatible(k->t, SC_T_BOOL)) {
		sc_rx_fail(P, k->pos, "type", "\"not\" needs true/false, not a %s", sc_type_name(k->t));
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
		if (sc_rx_next(P) < 0)
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
		if (sc_rx_next(P) < 0)
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
		sc_rx_fail(&P, 0, "too-long", "expression longer than %d characters", SC_EXPR_MAX_LEN);
		return NULL;
	}
	if (!(e = calloc(1, sizeof *e))) {
		sc_rx_fail(&P, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	P.e = e;
	if (sc_rx_next(&P) == 0) {
		if (P.k == TK_EOF)
			sc_rx_fail(&P, 0, "syntax", "empty expression");
		else
			e->root = parse_expr(&P);
		if (e->root && P.k != TK_EOF)
			sc_rx_fail(&P, P.tpos, "syntax", "unexpected \"%s\" after the end of the expression", tkname(P.k));
	}
	if (!P.failed && e->root && !compatible(e->root->t, want))
		sc_rx_fail(&P, e->root->pos, "type", "the expression is a %s, where a %s is needed",
		     sc_type_name(e->root->t), sc_type_name(want));
	if (!P.failed && e->root && (e->root->t == SC_T_TABLE || e->root->t == SC_T_SCREEN))
		sc_rx_fail(&P, e->root->pos, "type", "a %s name is not a value by itself", sc_type_name(e->root->t));
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
		sc_error_set(err, scope->file, scope->line, scope->col, SC_E_NOMEM, "out of memory");
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

