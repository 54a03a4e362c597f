/*
 * join.c - consignments: every record taken is a member; members that share
 * a key (declaration id, B/L, invoice, container, or the page a document was
 * read from) are one consignment (union-find over the keys, as sc-parse -g
 * ref groups documents). The order of everything that comes out is canonical
 * (by content and place, never by arrival), so the output does not depend on
 * the order of the input files or on -j.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "join.h"
#include "parse.h"
#include "risk_screen.h"
#include "yamltree.h"

/* messages are cut at their buffer on purpose: a reason is a sentence, not a dump */
#pragma GCC diagnostic ignored "-Wformat-truncation"

enum kind { K_DECL, K_DOC, K_OCR, K_WOOD, K_SCAN, K_JOIN, K_NONE, K_BAD };
static const char *const KIND[] = {"decl", "doc", "ocr", "wood", "scan", "join", "none", "bad"};

struct member {
	enum kind kind;
	json_t *id;       /* the record's id (a string), or NULL */
	json_t *src;
	json_t *ns;       /* decl, parse, wood, scan or join of the record; ocr: {conf} */
	json_t *decl;     /* a wood or scan record's decl (its link) */
	json_t *errors;
	json_t *whole;    /* K_NONE, K_BAD: the record itself, which comes out as it was */
	json_t *keys;     /* array of "kind:value" */
	const char *file; /* interned */
	unsigned long line;
	char *order;      /* canonical order key */
	int nokey;        /* nothing to link by: it comes out alone, with an error */
	int fit;          /* linked by content (link_by_content): the points of evidence */
	char *fit_why;    /* and the evidence, or NULL */
	size_t parent;
};

struct group {
	size_t first, n;  /* members[idx[first .. first+n)] in canonical order */
	char *id;
	json_t *problems; /* errors of linking, or NULL */
	int bad;
};

struct sc_join {
	struct sc_join_tol tol;
	struct member *m;
	size_t n, cap;
	json_t *keymap;   /* key -> first member with it */
	char **files;
	size_t nfiles;
	size_t *idx;      /* members by group, canonical order */
	struct group *g;
	size_t ng;
	size_t ndocs;     /* documents in the whole run */
	size_t ndecls;    /* electronic declarations in the whole run */
};

/* ---- tolerances ---------------------------------------------------------- */

static const char *const NUMNAME[] = {"total_value", "gross_kg", "net_kg", "packages", "items.value"};

void sc_join_tol_default(struct sc_join_tol *t)
{
	memset(t, 0, sizeof *t);
	t->rel[SC_JN_TOTAL] = 0.005, t->abs[SC_JN_TOTAL] = 1;
	t->rel[SC_JN_GROSS] = 0.02, t->abs[SC_JN_GROSS] = 1;
	t->rel[SC_JN_NET] = 0.02, t->abs[SC_JN_NET] = 1;
	t->rel[SC_JN_PACKAGES] = 0, t->abs[SC_JN_PACKAGES] = 0.5;
	t->rel[SC_JN_ITEM_VALUE] = 0.005, t->abs[SC_JN_ITEM_VALUE] = 1;
	t->party = 0.85;
	t->conf_low = 60;
}

static int tol_number(struct sc_yaml *y, json_t *o, const char *key, double lo, double hi, double *out,
                      struct sc_error *err)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)
		return sc_yaml_error(y, v, err, "bad-tolerance", "\"%s\" must be a number from %g to %g", key, lo, hi);
	*out = json_number_value(v);
	return 0;
}

int sc_join_tol_load(struct sc_join_tol *t, const char *path, struct sc_error *err)
{
	struct sc_yaml *y = sc_yaml_load_file(path, err);
	if (!y)
		return -1;
	sc_join_tol_default(t);
	json_t *root = sc_yaml_root(y), *tol = json_object_get(root, "tolerances");
	int rc = 0;
	if (!json_is_object(tol)) {
		rc = sc_yaml_error(y, root, err, "bad-tolerance", "no \"tolerances:\" mapping");
		goto out;
	}
	const char *k;
	json_t *v;
	json_object_foreach(tol, k, v) {
		int n;
		for (n = 0; n < SC_JN_N; n++)
			if (strcmp(k, NUMNAME[n]) == 0)
				break;
		if (n < SC_JN_N) {
			if (!json_is_object(v)) {
				rc = sc_yaml_error(y, v, err, "bad-tolerance", "\"%s\" takes {rel: R, abs: A}", k);
				goto out;
			}
			const char *kk;
			json_t *vv;
			json_object_foreach(v, kk, vv)
				if (strcmp(kk, "rel") && strcmp(kk, "abs")) {
					int line, col;
					sc_yaml_key_where(y, v, kk, &line, &col);
					rc = sc_error_set(err, path, line, col, "bad-tolerance",
					                  "unknown key \"%s\" (rel, abs)", kk);
					goto out;
				}
			if (tol_number(y, v, "rel", 0, 1, &t->rel[n], err) < 0 ||
			    tol_number(y, v, "abs", 0, 1e12, &t->abs[n], err) < 0) {
				rc = -1;
				goto out;
			}
		} else if (strcmp(k, "parties") == 0) {
			if (tol_number(y, v, "similarity", 0, 1, &t->party, err) < 0) {
				rc = -1;
				goto out;
			}
		} else if (strcmp(k, "ocr") == 0) {
			if (tol_number(y, v, "conf_low", 0, 100, &t->conf_low, err) < 0) {
				rc = -1;
				goto out;
			}
		} else {
			int line, col;
			sc_yaml_key_where(y, tol, k, &line, &col);
			rc = sc_error_set(err, path, line, col, "bad-tolerance", "unknown tolerance \"%s\"", k);
			goto out;
		}
	}
out:
	sc_yaml_free(y);
	return rc;
}

/* ---- keys ---------------------------------------------------------------- */

/* References are normalized by sc-parse's own rule (sc_parse_refs), so that a
 * declaration's "RW 2026/04817" meets an invoice's "RW-2026-04817" exactly as
 * two documents meet in sc-parse -g ref. */
static json_t *refs_of(const char *inv, const char *bl, const json_t *containers)
{
	json_t *f = json_object();
	if (inv)
		json_object_set_new(f, "invoice_no", json_pack("{s:s}", "value", inv));
	if (bl)
		json_object_set_new(f, "bl_no", json_pack("{s:s}", "value", bl));
	if (json_is_array(containers)) {
		json_t *c = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(containers, i, x)
			if (json_is_string(x) && json_string_length(x) >= 4)
				json_array_append(c, x);
		json_object_set_new(f, "containers", json_pack("{s:o}", "value", c));
	}
	json_t *p = json_pack("{s:o}", "fields", f);
	json_t *r = sc_parse_refs(p);
	json_decref(p);
	return r;
}

static void add_decl_key(json_t *keys, const char *id)
{
	if (!id || !*id)
		return;
	/* the same normalization as the other references */
	json_t *r = refs_of(id, NULL, NULL);
	const char *s = json_string_value(json_array_get(r, 0));
	char buf[300];
	if (s && strncmp(s, "invoice_no:", 11) == 0)
		snprintf(buf, sizeof buf, "decl:%s", s + 11);
	else
		snprintf(buf, sizeof buf, "decl:%s", id);   /* short ids as they are */
	json_array_append_new(keys, json_string(buf));
	json_decref(r);
}

static void decl_keys(json_t *keys, const json_t *decl, int all)
{
	add_decl_key(keys, json_string_value(json_object_get(decl, "id")));
	json_t *r = refs_of(all ? json_string_value(json_object_get(decl, "invoice_no")) : NULL,
	                    all ? json_string_value(json_object_get(decl, "bl_no")) : NULL,
	                    json_object_get(decl, "containers"));
	json_array_extend(keys, r);
	json_decref(r);
}

static void page_key(json_t *keys, const json_t *src)
{
	const char *path = json_string_value(json_object_get(src, "path"));
	if (!path)
		return;
	const char *member = json_string_value(json_object_get(src, "member"));
	json_t *pg = json_object_get(src, "page");
	char buf[1200];
	snprintf(buf, sizeof buf, "page:%s|%s|%lld", path, member ? member : "",
	         json_is_integer(pg) ? (long long)json_integer_value(pg) : 1LL);
	json_array_append_new(keys, json_string(buf));
}

static const char *fval(const json_t *parse, const char *name)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(parse, "fields"), name), "value"));
}

static void doc_keys(json_t *keys, const json_t *parse)
{
	json_t *r = sc_parse_refs(parse);
	json_array_extend(keys, r);
	json_decref(r);
	add_decl_key(keys, fval(parse, "customs_no"));
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(parse, "documents"), i, s)
		page_key(keys, s);
}

static enum kind kind_of(const json_t *rec)
{
	if (json_is_object(json_object_get(rec, "join")))
		return K_JOIN;
	if (json_is_object(json_object_get(rec, "wood")))
		return K_WOOD;
	if (json_is_object(json_object_get(rec, "scan")))
		return K_SCAN;
	if (json_is_object(json_object_get(rec, "parse")))
		return K_DOC;
	if (json_is_object(json_object_get(rec, "ocr")))
		return K_OCR;
	if (json_is_object(json_object_get(rec, "decl")))
		return K_DECL;
	return K_NONE;
}

static void member_keys(struct member *m)
{
	m->keys = json_array();
	switch (m->kind) {
	case K_DECL:
		decl_keys(m->keys, m->ns, 1);
		break;
	case K_WOOD:
	case K_SCAN:
		decl_keys(m->keys, m->decl, 1);
		break;
	case K_JOIN:
		decl_keys(m->keys, m->decl, 1);
		break;
	case K_DOC:
		doc_keys(m->keys, m->ns);
		break;
	case K_OCR:
		page_key(m->keys, m->src);
		break;
	default:
		break;
	}
}

json_t *sc_join_keys(const json_t *rec)
{
	struct member m;
	memset(&m, 0, sizeof m);
	m.kind = kind_of(rec);
	m.src = json_object_get(rec, "src");
	m.decl = json_object_get(rec, "decl");
	m.ns = m.kind == K_DECL ? m.decl : m.kind == K_DOC ? json_object_get(rec, "parse") : NULL;
	if (m.kind == K_DOC && strcmp(json_string_value(json_object_get(m.ns, "type")) ?
	                              json_string_value(json_object_get(m.ns, "type")) : "", "consignment") == 0) {
		/* the keys of its documents */
		json_t *all = json_array();
		size_t i;
		json_t *d;
		json_array_foreach(json_object_get(m.ns, "documents"), i, d) {
			json_t *p = json_pack("{s:O?,s:O?}", "fields", json_object_get(d, "fields"), "documents",
			                      json_object_get(d, "src"));
			doc_keys(all, p);
			json_decref(p);
		}
		return all;
	}
	member_keys(&m);
	return m.keys;
}

/* ---- taking records ---------------------------------------------------------- */

struct sc_join *sc_join_new(const struct sc_join_tol *tol)
{
	struct sc_join *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	if (tol)
		j->tol = *tol;
	else
		sc_join_tol_default(&j->tol);
	j->keymap = json_object();
	return j;
}

static const char *intern(struct sc_join *j, const char *file)
{
	if (!file)
		file = "-";
	for (size_t k = j->nfiles; k-- > 0;)
		if (strcmp(j->files[k], file) == 0)
			return j->files[k];
	char **f = realloc(j->files, (j->nfiles + 1) * sizeof *f);
	if (!f)
		return "-";
	j->files = f;
	j->files[j->nfiles] = strdup(file);
	return j->files[j->nfiles] ? j->files[j->nfiles++] : "-";
}

static struct member *new_member(struct sc_join *j)
{
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 1024;
		struct member *m = realloc(j->m, cap * sizeof *m);
		if (!m)
			return NULL;
		j->m = m;
		j->cap = cap;
	}
	struct member *m = &j->m[j->n];
	memset(m, 0, sizeof *m);
	m->parent = j->n;
	j->n++;
	return m;
}

static json_t *get_ref(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return v ? json_incref(v) : NULL;
}

/* The canonical order of members: kind, id, src, place. */
static void make_order(struct member *m)
{
	char *src = m->src ? json_dumps(m->src, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	const char *id = json_string_value(m->id);
	size_t len = strlen(src ? src : "") + strlen(id ? id : "") + strlen(m->file) + 64;
	m->order = malloc(len);
	if (m->order)
		snprintf(m->order, len, "%d\x1f%s\x1f%s\x1f%s\x1f%012lu", (int)m->kind, id ? id : "", src ? src : "",
		         m->file, m->line);
	free(src);
}

static int take(struct sc_join *j, struct member *m)
{
	member_keys(m);
	make_order(m);
	size_t me = (size_t)(m - j->m), i;
	json_t *k;
	json_array_foreach(m->keys, i, k) {
		const char *s = json_string_value(k);
		json_t *at = json_object_get(j->keymap, s);
		if (!at) {
			json_object_set_new(j->keymap, s, json_integer((json_int_t)me));
			continue;
		}
		size_t a = (size_t)json_integer_value(at), b = me;
		while (j->m[a].parent != a)
			a = j->m[a].parent = j->m[j->m[a].parent].parent;
		while (j->m[b].parent != b)
			b = j->m[b].parent = j->m[j->m[b].parent].parent;
		if (a != b)
			j->m[a > b ? a : b].parent = a < b ? a : b;
	}
	return json_array_size(m->keys) ? 0 : -1;
}

int sc_join_add(struct sc_join *j, json_t *rec, const char *file, unsigned long line, struct sc_error *err)
{
	enum kind kd = kind_of(rec);
	const char *fn = intern(j, file);
	json_t *parse = json_object_get(rec, "parse");
	const char *ptype = json_string_value(json_object_get(parse, "type"));
	if (kd == K_DOC && ptype && strcmp(ptype, "consignment") == 0) {
		/* sc-parse -g ref output: its documents each join on their own */
		size_t i;
		json_t *d;
		int any = 0;
		json_array_foreach(json_object_get(parse, "documents"), i, d) {
			struct member *m = new_member(j);
			if (!m)
				return sc_error_set(err, fn, (int)line, 0, SC_E_NOMEM, "out of memory");
			m->kind = K_DOC;
			m->file = fn;
			m->line = line;
			m->id = get_ref(d, "id");
			m->src = json_incref(json_array_get(json_object_get(d, "src"), 0));
			if (!m->src)
				m->src = get_ref(rec, "src");
			m->ns = json_pack("{s:i,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}", "v", 1, "type", json_object_get(d, "type"),
			                  "type_conf", json_object_get(d, "type_conf"), "template",
			                  json_object_get(d, "template"), "fields", json_object_get(d, "fields"), "items",
			                  json_object_get(d, "items"), "documents", json_object_get(d, "src"));
			if (i == 0)
				m->errors = get_ref(rec, "errors");
			any |= take(j, m) == 0;
		}
		if (any)
			return 0;
		kd = K_NONE;   /* a consignment without documents: nothing to link by */
	}
	struct member *m = new_member(j);
	if (!m)
		return sc_error_set(err, fn, (int)line, 0, SC_E_NOMEM, "out of memory");
	m->kind = kd;
	m->file = fn;
	m->line = line;
	m->id = json_is_string(json_object_get(rec, "id")) ? get_ref(rec, "id") : NULL;
	m->src = get_ref(rec, "src");
	m->errors = json_is_array(json_object_get(rec, "errors")) ? get_ref(rec, "errors") : NULL;
	switch (kd) {
	case K_DECL: m->ns = get_ref(rec, "decl"); break;
	case K_DOC: m->ns = get_ref(rec, "parse"); break;
	case K_WOOD: m->ns = get_ref(rec, "wood"); m->decl = get_ref(rec, "decl"); break;
	case K_SCAN: m->ns = get_ref(rec, "scan"); m->decl = get_ref(rec, "decl"); break;
	case K_JOIN: m->ns = get_ref(rec, "join"); m->decl = get_ref(rec, "decl"); break;
	case K_OCR: {
		json_t *c = json_object_get(json_object_get(rec, "ocr"), "conf");
		m->ns = json_is_number(c) ? json_pack("{s:O}", "conf", c) : json_object();
		break;
	}
	default: m->whole = json_incref(rec); break;
	}
	if (take(j, m) < 0) {
		m->nokey = 1;
		static const char *const WHY[] = {"a declaration without id, B/L, invoice or container number",
		                                  "a document without invoice, B/L or container number",
		                                  "an OCR page without src.path",
		                                  "a wood sample whose record carries no decl.id or decl.containers",
		                                  "a scan whose record carries no decl.id or decl.containers",
		                                  "an sc-join record without decl",
		                                  "a record of no known tool (no decl, parse, ocr, wood, scan or join)",
		                                  "a bad line"};
		return sc_error_set(err, fn, (int)line, 0, "no-key", "nothing to link by: %s; it comes out alone",
		                    WHY[m->kind]);
	}
	return 0;
}

void sc_join_add_bad(struct sc_join *j, json_t *rec, const char *file, unsigned long line)
{
	struct member *m = new_member(j);
	if (!m)
		return;
	m->kind = K_BAD;
	m->file = intern(j, file);
	m->line = line;
	m->whole = json_incref(rec);
	m->keys = json_array();
	make_order(m);
}

size_t sc_join_records(const struct sc_join *j)
{
	return j->n;
}

void sc_join_free(struct sc_join *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		struct member *m = &j->m[i];
		json_decref(m->id);
		json_decref(m->src);
		json_decref(m->ns);
		json_decref(m->decl);
		json_decref(m->errors);
		json_decref(m->whole);
		json_decref(m->keys);
		free(m->order);
		free(m->fit_why);
	}
	free(j->m);
	json_decref(j->keymap);
	for (size_t k = 0; k < j->nfiles; k++)
		free(j->files[k]);
	free(j->files);
	free(j->idx);
	for (size_t k = 0; k < j->ng; k++) {
		free(j->g[k].id);
		json_decref(j->g[k].problems);
	}
	free(j->g);
	free(j);
}

/* ---- linking ----------------------------------------------------------------- */

static const struct sc_join *sort_j;   /* qsort has no context argument; linking is not reentrant */
static void link_by_content(struct sc_join *j);

static size_t root_of(struct member *m, size_t i)
{
	while (m[i].parent != i)
		i = m[i].parent = m[m[i].parent].parent;
	return i;
}

static int cmp_member(const void *a, const void *b)
{
	const struct member *x = &sort_j->m[*(const size_t *)a], *y = &sort_j->m[*(const size_t *)b];
	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	int r = strcmp(x->order ? x->order : "", y->order ? y->order : "");
	return r;
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int r = strcmp(x->id, y->id);
	if (r)
		return r;
	return strcmp(sort_j->m[sort_j->idx[x->first]].order, sort_j->m[sort_j->idx[y->first]].order);
}

static const char *mid(const struct member *m)
{
	const char *s = json_string_value(m->id);
	if (!s && m->kind == K_DECL)
		s = json_string_value(json_object_get(m->ns, "id"));
	return s ? s : "?";
}

static void problem(struct group *g, const struct member *at, const char *code, sc_join_problem_fn fn,
                    void *ctx, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void problem(struct group *g, const struct member *at, const char *code, sc_join_problem_fn fn,
                    void *ctx, const char *fmt, ...)
{
	struct sc_error e;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sc_error_set(&e, at->file, (int)at->line, 0, code, "%s", msg);
	if (fn)
		fn(ctx, &e);
	if (!g->problems)
		g->problems = json_array();
	json_array_append_new(g->problems, json_pack("{s:s,s:s,s:s,s:s,s:i}", "tool", "sc-join", "code", code, "msg",
	                                             msg, "file", at->file, "line", (int)at->line));
	g->bad = 1;
}

/* The id of a consignment: its electronic declaration's, else the one its
 * documents' declaration gets from sc-parse, else its first member's. */
static char *group_id(const struct sc_join *j, const struct group *g)
{
	const size_t *ix = j->idx + g->first;
	for (size_t k = 0; k < g->n; k++)
		if (j->m[ix[k]].kind == K_DECL && json_is_string(json_object_get(j->m[ix[k]].ns, "id")))
			return strdup(json_string_value(json_object_get(j->m[ix[k]].ns, "id")));
	json_t *docs = json_array();
	for (size_t k = 0; k < g->n; k++)
		if (j->m[ix[k]].kind == K_DOC)
			json_array_append_new(docs, json_pack("{s:O?,s:O}", "id", j->m[ix[k]].id, "parse", j->m[ix[k]].ns));
	char *id = NULL;
	if (json_array_size(docs)) {
		json_t *decl = NULL, *pa = sc_parse_consign(NULL, docs, &decl);
		if (json_is_string(json_object_get(decl, "id")))
			id = strdup(json_string_value(json_object_get(decl, "id")));
		json_decref(pa);
		json_decref(decl);
	}
	json_decref(docs);
	if (id)
		return id;
	for (size_t k = 0; k < g->n; k++) {
		const struct member *m = &j->m[ix[k]];
		const char *s = json_string_value(json_object_get(m->decl, "id"));
		if (s)
			return strdup(s);
	}
	const struct member *m = &j->m[ix[0]];
	if (json_is_string(m->id))
		return strdup(json_string_value(m->id));
	char buf[600];
	snprintf(buf, sizeof buf, "%s:%lu", m->file, m->line);
	return strdup(buf);
}

static void check_group(struct sc_join *j, struct group *g, sc_join_problem_fn fn, void *ctx)
{
	const size_t *ix = j->idx + g->first;
	/* electronic declarations: one id once; two ids in one consignment are linked by some record */
	const struct member *d0 = NULL;
	for (size_t k = 0; k < g->n; k++) {
		const struct member *m = &j->m[ix[k]];
		if (m->kind == K_NONE || m->kind == K_BAD || m->nokey)
			g->bad = 1;
		if (m->kind != K_DECL)
			continue;
		if (!d0) {
			d0 = m;
			continue;
		}
		const char *a = json_string_value(json_object_get(d0->ns, "id")),
		           *b = json_string_value(json_object_get(m->ns, "id"));
		if (a && b && strcmp(a, b) == 0) {
			problem(g, m, "duplicate-decl", fn, ctx,
			        "a second electronic declaration with id \"%s\" (the first is at %s:%lu); both kept, the first is the consignment's decl",
			        b, d0->file, d0->line);
			continue;
		}
		/* which record links them: one that shares a key with each */
		const struct member *bridge = NULL;
		for (size_t q = 0; q < g->n && !bridge; q++) {
			const struct member *x = &j->m[ix[q]];
			if (x->kind == K_DECL)
				continue;
			int ha = 0, hb = 0;
			size_t i, i2;
			json_t *kx, *ky;
			json_array_foreach(x->keys, i, kx) {
				json_array_foreach(d0->keys, i2, ky)
					ha |= json_equal(kx, ky);
				json_array_foreach(m->keys, i2, ky)
					hb |= json_equal(kx, ky);
			}
			if (ha && hb)
				bridge = x;
		}
		if (bridge)
			problem(g, bridge, "links-two-decls", fn, ctx,
			        "%s %s links declaration \"%s\" (%s:%lu) and declaration \"%s\" (%s:%lu); one consignment holds both",
			        KIND[bridge->kind], mid(bridge), a ? a : "?", d0->file, d0->line, b ? b : "?", m->file,
			        m->line);
		else
			problem(g, m, "links-two-decls", fn, ctx,
			        "declaration \"%s\" and declaration \"%s\" (%s:%lu) share references through other records; one consignment holds both",
			        b ? b : "?", a ? a : "?", d0->file, d0->line);
	}
	/* sc-join output given back beside the records it was made of */
	for (size_t k = 0; k < g->n; k++) {
		const struct member *m = &j->m[ix[k]];
		if (m->kind != K_JOIN)
			continue;
		size_t i;
		json_t *s;
		json_array_foreach(json_object_get(m->ns, "sources"), i, s) {
			const char *sk = json_string_value(json_object_get(s, "kind")),
			           *sid = json_string_value(json_object_get(s, "id"));
			for (size_t q = 0; q < g->n && sk && sid; q++) {
				const struct member *x = &j->m[ix[q]];
				if (x != m && strcmp(KIND[x->kind], sk) == 0 && json_is_string(x->id) &&
				    strcmp(json_string_value(x->id), sid) == 0) {
					problem(g, m, "link-cycle", fn, ctx,
					        "a consignment of sc-join (%s) is given back with its own source %s %s (%s:%lu): the link runs in a circle; both kept, the joined record only as a source",
					        mid(m), sk, sid, x->file, x->line);
					sk = NULL;
				}
			}
			if (!sk)
				break;
		}
	}
}

size_t sc_join_link(struct sc_join *j, sc_join_problem_fn fn, void *ctx)
{
	size_t n = j->n;
	free(j->idx);
	j->idx = malloc((n ? n : 1) * sizeof *j->idx);
	for (size_t i = 0; i < n; i++) {
		root_of(j->m, i);
		j->idx[i] = i;
	}
	j->ndocs = j->ndecls = 0;
	for (size_t i = 0; i < n; i++) {
		j->m[i].parent = root_of(j->m, i);
		j->ndocs += j->m[i].kind == K_DOC;
		j->ndecls += j->m[i].kind == K_DECL;
	}
	link_by_content(j);
	for (size_t i = 0; i < n; i++)
		j->m[i].parent = root_of(j->m, i);
	sort_j = j;
	qsort(j->idx, n, sizeof *j->idx, cmp_member);
	j->g = calloc(n ? n : 1, sizeof *j->g);
	j->ng = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || j->m[j->idx[i]].parent != j->m[j->idx[i - 1]].parent) {
			j->g[j->ng].first = i;
			j->ng++;
		}
		j->g[j->ng - 1].n++;
	}
	for (size_t k = 0; k < j->ng; k++)
		j->g[k].id = group_id(j, &j->g[k]);
	qsort(j->g, j->ng, sizeof *j->g, cmp_group);
	for (size_t k = 0; k < j->ng; k++)
		check_group(j, &j->g[k], fn, ctx);
	return j->ng;
}

const char *sc_join_id(const struct sc_join *j, size_t k)
{
	return k < j->ng ? j->g[k].id : NULL;
}

/* ---- the consignment record ------------------------------------------------------ */

static const char *src_name(const struct member *m)
{
	if (m->kind == K_DOC) {
		const char *t = json_string_value(json_object_get(m->ns, "type"));
		return t ? t : "other";
	}
	return m->kind == K_DECL ? "declaration" : m->kind == K_OCR ? "page" : KIND[m->kind];
}

/* "invoice:0a1b…", the name of a source in checks and reasons */
static json_t *src_label(const struct member *m)
{
	char buf[400];
	snprintf(buf, sizeof buf, "%s:%s", src_name(m), mid(m));
	return json_string(buf);
}

static double round_to(double x, double q)
{
	return round(x / q) * q;
}

/* A document's OCR confidence, 0..100: the lowest of its pages' ocr.conf
 * where sc-ocr's pages are in the consignment, else the mean confidence of
 * the fields sc-parse read (which carries the OCR line confidence). */
static json_t *doc_conf(const struct sc_join *j, const struct group *g, const struct member *d)
{
	double lo = 1e9;
	int pages = 0;
	size_t i, k;
	json_t *s;
	json_array_foreach(json_object_get(d->ns, "documents"), i, s) {
		for (k = 0; k < g->n; k++) {
			const struct member *p = &j->m[j->idx[g->first + k]];
			json_t *c = json_object_get(p->ns, "conf");
			if (p->kind != K_OCR || !json_is_number(c))
				continue;
			if (json_equal(json_object_get(p->src, "path"), json_object_get(s, "path")) &&
			    json_equal(json_object_get(p->src, "member"), json_object_get(s, "member")) &&
			    json_equal(json_object_get(p->src, "page"), json_object_get(s, "page"))) {
				lo = fmin(lo, json_number_value(c));
				pages++;
			}
		}
	}
	if (pages)
		return json_real(round_to(lo, 0.1));
	double sum = 0;
	int n = 0;
	const char *key;
	json_t *f;
	json_object_foreach(json_object_get(d->ns, "fields"), key, f) {
		json_t *c = json_object_get(f, "conf");
		if (json_is_number(c))
			sum += json_number_value(c), n++;
	}
	return n ? json_real(round_to(sum / n * 100, 0.1)) : NULL;
}

struct side {
	const json_t *decl;   /* the declaration: a decl object */
	json_t *label;        /* its source label */
};

static void add_check(json_t *checks, const char *field, json_t *dv, json_t *pv, const struct side *s,
                      const struct member *doc, double tol, int has_tol, double rel, int has_rel, const char *msg,
                      const char *hs)
{
	json_t *c = json_object();
	json_object_set_new(c, "field", json_string(field));
	if (hs)
		json_object_set_new(c, "hs", json_string(hs));
	json_object_set_new(c, "msg", json_string(msg));
	json_object_set_new(c, "decl", dv ? dv : json_null());
	json_object_set_new(c, "doc", pv ? pv : json_null());
	json_object_set(c, "decl_src", s->label);
	json_object_set_new(c, "doc_src", src_label(doc));
	if (has_tol)
		json_object_set_new(c, "tol", json_real(round_to(tol, 0.0001)));
	if (has_rel)
		json_object_set_new(c, "rel", json_real(round_to(rel, 0.0001)));
	json_array_append_new(checks, c);
}

static void fmt_num(char *b, size_t n, double x)
{
	snprintf(b, n, "%.15g", x);
}

static void check_num(json_t *checks, const struct sc_join_tol *t, enum sc_join_num which, const char *what,
                      double a, double b, const struct side *s, const struct member *doc, const char *field,
                      const char *hs)
{
	double tol = fmax(t->abs[which], t->rel[which] * fmax(fabs(a), fabs(b)));
	if (fabs(a - b) <= tol)
		return;
	double rel = a != 0 ? (b - a) / fabs(a) : (b > 0 ? 1 : -1);
	char sa[40], sb[40], msg[600];
	fmt_num(sa, sizeof sa, a);
	fmt_num(sb, sizeof sb, b);
	/* the sentence names both values and both sources */
	json_t *dl = src_label(doc);
	snprintf(msg, sizeof msg, "%s%s%s: %s on %s, declared %s on %s (%+.1f%%, tolerance %.15g)", what,
	         hs ? " of HS " : "", hs ? hs : "", sb, json_string_value(dl), sa, json_string_value(s->label),
	         rel * 100, round_to(tol, 0.01));
	json_decref(dl);
	/* tol: the relative tolerance of the pack (the message states the allowance) */
	add_check(checks, field, json_real(a), json_real(b), s, doc, t->rel[which], 1, rel, 1, msg, hs);
}

/* Two strings that name the same thing once case, spaces and punctuation go. */
static int same_code(const char *a, const char *b)
{
	char x[256], y[256];
	size_t i = 0, k = 0;
	for (; *a && i + 1 < sizeof x; a++)
		if ((*a >= '0' && *a <= '9') || (*a >= 'A' && *a <= 'Z') || (*a >= 'a' && *a <= 'z') || (*a & 0x80))
			x[i++] = (char)(*a >= 'a' && *a <= 'z' ? *a - 32 : *a);
	for (; *b && k + 1 < sizeof y; b++)
		if ((*b >= '0' && *b <= '9') || (*b >= 'A' && *b <= 'Z') || (*b >= 'a' && *b <= 'z') || (*b & 0x80))
			y[k++] = (char)(*b >= 'a' && *b <= 'z' ? *b - 32 : *b);
	x[i] = y[k] = '\0';
	return strcmp(x, y) == 0;
}

static void check_str(json_t *checks, const char *what, const char *field, const char *a, const char *b,
                      const struct side *s, const struct member *doc)
{
	if (!a || !b || same_code(a, b))
		return;
	char msg[1400];
	json_t *dl = src_label(doc);
	snprintf(msg, sizeof msg, "%s: %s on %s, declared %s on %s", what, b, json_string_value(dl), a,
	         json_string_value(s->label));
	json_decref(dl);
	add_check(checks, field, json_string(a), json_string(b), s, doc, 0, 0, 0, 0, msg, NULL);
}

/* A reference (B/L, invoice number) by sc-parse's normalization. */
static void check_ref(json_t *checks, const char *what, const char *field, const char *a, const char *b,
                      const struct side *s, const struct member *doc)
{
	if (!a || !b)
		return;
	json_t *ra = refs_of(field[0] == 'i' ? a : NULL, field[0] == 'b' ? a : NULL, NULL),
	       *rb = refs_of(field[0] == 'i' ? b : NULL, field[0] == 'b' ? b : NULL, NULL);
	int same = json_equal(ra, rb) && json_array_size(ra);
	json_decref(ra);
	json_decref(rb);
	if (!same)
		check_str(checks, what, field, a, b, s, doc);
}

static int has_latin(const char *s)
{
	for (; *s; s++)
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
			return 1;
	return 0;
}

static int has_wide(const char *s)
{
	for (; *s; s++)
		if (*s & 0x80)
			return 1;
	return 0;
}

static void check_party(json_t *checks, const struct sc_join_tol *t, const char *what, const char *field,
                        const char *a, const char *b, const struct side *s, const struct member *doc)
{
	if (!a || !b)
		return;
	/* a name in Chinese against its English form is no disagreement we can judge */
	if (has_wide(a) != has_wide(b) || has_latin(a) != has_latin(b))
		return;
	char x[512], y[512];
	size_t nx = sc_risk_screen_normalize(a, strlen(a), x, sizeof x), ny = sc_risk_screen_normalize(b, strlen(b), y, sizeof y);
	if (!nx || !ny)
		return;
	double sim = sc_jaro_winkler(x, nx, y, ny);
	if (sim >= t->party || strstr(x, y) || strstr(y, x))
		return;
	char msg[900];
	json_t *dl = src_label(doc);
	snprintf(msg, sizeof msg, "%s: \"%s\" on %s, declared \"%s\" on %s (similarity %.2f, at least %.2f needed)",
	         what, b, json_string_value(dl), a, json_string_value(s->label), sim, t->party);
	json_decref(dl);
	add_check(checks, field, json_string(a), json_string(b), s, doc, t->party, 1, sim, 1, msg, NULL);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "A B C": a set for a message and a check's value */
static json_t *joined(const char **v, size_t n)
{
	size_t len = 1;
	for (size_t k = 0; k < n; k++)
		len += strlen(v[k]) + 1;
	char *b = malloc(len);
	if (!b)
		return json_string("");
	b[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		if (k)
			strcat(b, " ");
		strcat(b, v[k]);
	}
	json_t *r = json_string(b);
	free(b);
	return r;
}

static int in_set(const char **v, size_t n, const char *s)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(v[k], s) == 0)
			return 1;
	return 0;
}

#define MAXSET 256

static void check_containers(json_t *checks, const struct side *s, const struct member *doc)
{
	const char *dv[MAXSET], *pv[MAXSET];
	size_t nd = 0, np = 0, i;
	json_t *x;
	/* a declaration that says nothing of containers is not held to them */
	if (!json_is_array(json_object_get(s->decl, "containers")))
		return;
	json_array_foreach(json_object_get(s->decl, "containers"), i, x)
		if (json_is_string(x) && nd < MAXSET)
			dv[nd++] = json_string_value(x);
	json_array_foreach(json_object_get(json_object_get(json_object_get(doc->ns, "fields"), "containers"), "value"), i, x)
		if (json_is_string(x) && np < MAXSET)
			pv[np++] = json_string_value(x);
	if (!np)
		return;
	qsort(dv, nd, sizeof *dv, cmp_cstr);
	qsort(pv, np, sizeof *pv, cmp_cstr);
	json_t *dl = src_label(doc);
	for (size_t k = 0; k < np; k++) {
		if (in_set(dv, nd, pv[k]) || (k && strcmp(pv[k], pv[k - 1]) == 0))
			continue;
		char msg[1400];
		json_t *ds = joined(dv, nd);
		snprintf(msg, sizeof msg, "container %s on %s is not declared (declared: %.300s on %s)", pv[k],
		         json_string_value(dl), nd ? json_string_value(ds) : "none", json_string_value(s->label));
		add_check(checks, "containers", ds, json_string(pv[k]), s, doc, 0, 0, 0, 0, msg, NULL);
	}
	for (size_t k = 0; k < nd; k++) {
		if (in_set(pv, np, dv[k]) || (k && strcmp(dv[k], dv[k - 1]) == 0))
			continue;
		char msg[1400];
		json_t *ps = joined(pv, np);
		snprintf(msg, sizeof msg, "declared container %s (%s) is not on %s, which lists %.300s", dv[k],
		         json_string_value(s->label), json_string_value(dl), json_string_value(ps));
		add_check(checks, "containers_missing", json_string(dv[k]), ps, s, doc, 0, 0, 0, 0, msg, NULL);
	}
	json_decref(dl);
}

struct hsv {
	char hs[8];
	double value;
	int has_value;
};

static size_t hs_values(const json_t *items, const char *vkey, struct hsv *out, size_t cap)
{
	size_t n = 0, i;
	json_t *x;
	json_array_foreach(items, i, x) {
		const char *h = json_string_value(json_object_get(x, "hs"));
		if (!h || strlen(h) < 6)
			continue;
		size_t k;
		for (k = 0; k < n; k++)
			if (strncmp(out[k].hs, h, 6) == 0)
				break;
		if (k == n) {
			if (n == cap)
				continue;
			snprintf(out[n].hs, sizeof out[n].hs, "%.6s", h);
			out[n].value = 0;
			out[n].has_value = 0;
			n++;
		}
		json_t *v = json_object_get(x, vkey);
		if (json_is_number(v)) {
			out[k].value += json_number_value(v);
			out[k].has_value = 1;
		}
	}
	return n;
}

static int cmp_hsv(const void *a, const void *b)
{
	return strcmp(((const struct hsv *)a)->hs, ((const struct hsv *)b)->hs);
}

static void check_items(json_t *checks, const struct sc_join_tol *t, const struct side *s, const struct member *doc)
{
	struct hsv dv[MAXSET], pv[MAXSET];
	size_t nd = hs_values(json_object_get(s->decl, "items"), "value", dv, MAXSET),
	       np = hs_values(json_object_get(doc->ns, "items"), "amount", pv, MAXSET);
	if (!np || !nd)
		return;
	qsort(dv, nd, sizeof *dv, cmp_hsv);
	qsort(pv, np, sizeof *pv, cmp_hsv);
	const char *dset[MAXSET];
	for (size_t k = 0; k < nd; k++)
		dset[k] = dv[k].hs;
	json_t *dl = src_label(doc);
	for (size_t k = 0; k < np; k++) {
		size_t q;
		for (q = 0; q < nd; q++)
			if (strcmp(dv[q].hs, pv[k].hs) == 0)
				break;
		if (q == nd) {
			char msg[1400];
			json_t *ds = joined(dset, nd);
			snprintf(msg, sizeof msg, "HS %s on %s is not declared (declared: %.300s on %s)", pv[k].hs,
			         json_string_value(dl), json_string_value(ds), json_string_value(s->label));
			add_check(checks, "items.hs", ds, json_string(pv[k].hs), s, doc, 0, 0, 0, 0, msg, pv[k].hs);
			continue;
		}
		if (dv[q].has_value && pv[k].has_value)
			check_num(checks, t, SC_JN_ITEM_VALUE, "value", dv[q].value, pv[k].value, s, doc, "items.value",
			          pv[k].hs);
	}
	json_decref(dl);
}

static json_t *fnum(const json_t *parse, const char *name)
{
	json_t *v = json_object_get(json_object_get(json_object_get(parse, "fields"), name), "value");
	return json_is_number(v) ? v : NULL;
}

static const char *party_name(const json_t *parse, const char *const *names)
{
	for (; *names; names++) {
		const char *v = fval(parse, *names);
		if (v)
			return v;
	}
	return NULL;
}

/* Every field the declaration and one document both state, compared. */
static void compare(json_t *checks, const struct sc_join_tol *t, const struct side *s, const struct member *doc)
{
	const json_t *d = s->decl, *p = doc->ns;
	static const struct {
		const char *decl, *doc, *what;
		enum sc_join_num n;
	} NUM[] = {{"total_value", "total", "total value", SC_JN_TOTAL},
	           {"gross_kg", "gross_kg", "gross weight (kg)", SC_JN_GROSS},
	           {"net_kg", "net_kg", "net weight (kg)", SC_JN_NET},
	           {"packages", "packages", "packages", SC_JN_PACKAGES}};
	for (size_t k = 0; k < sizeof NUM / sizeof *NUM; k++) {
		json_t *a = json_object_get(d, NUM[k].decl), *b = fnum(p, NUM[k].doc);
		if (json_is_number(a) && b)
			check_num(checks, t, NUM[k].n, NUM[k].what, json_number_value(a), json_number_value(b), s, doc,
			          NUM[k].decl, NULL);
	}
	static const char *const STR[][3] = {{"currency", "currency", "currency"},
	                                     {"origin", "origin", "country of origin"},
	                                     {"incoterm", "incoterm", "Incoterm"},
	                                     {"port_loading", "port_loading", "port of loading"},
	                                     {"port_discharge", "port_discharge", "port of discharge"}};
	for (size_t k = 0; k < sizeof STR / sizeof *STR; k++)
		check_str(checks, STR[k][2], STR[k][0], json_string_value(json_object_get(d, STR[k][0])), fval(p, STR[k][1]),
		          s, doc);
	check_ref(checks, "B/L number", "bl_no", json_string_value(json_object_get(d, "bl_no")), fval(p, "bl_no"), s, doc);
	check_ref(checks, "invoice number", "invoice_no", json_string_value(json_object_get(d, "invoice_no")),
	          fval(p, "invoice_no"), s, doc);
	static const char *const IMP[] = {"buyer", "consignee", NULL}, *const EXP[] = {"seller", "shipper", NULL};
	check_party(checks, t, "importer", "importer",
	            json_string_value(json_object_get(json_object_get(d, "importer"), "name")), party_name(p, IMP), s, doc);
	check_party(checks, t, "exporter", "exporter",
	            json_string_value(json_object_get(json_object_get(d, "exporter"), "name")), party_name(p, EXP), s, doc);
	check_containers(checks, s, doc);
	check_items(checks, t, s, doc);
}

static json_t *source_entry(const struct sc_join *j, const struct group *g, const struct member *m)
{
	json_t *e = json_object();
	json_object_set_new(e, "kind", json_string(KIND[m->kind]));
	json_object_set_new(e, "id", m->id ? json_incref(m->id) : json_string(mid(m)));
	json_object_set_new(e, "src", m->src ? json_incref(m->src) : json_null());
	json_object_set_new(e, "type", json_string(src_name(m)));
	if (m->fit_why)
		json_object_set_new(e, "link", json_pack("{s:s,s:i,s:s}", "by", "content", "points", m->fit, "evidence",
		                                         m->fit_why));
	if (m->kind == K_DOC) {
		json_t *c = doc_conf(j, g, m);
		if (c) {
			json_object_set_new(e, "conf", c);
			if (json_number_value(c) < j->tol.conf_low)
				json_object_set_new(e, "conf_low", json_true());
		}
	}
	return e;
}

static void copy_keys(json_t *to, const json_t *from, const char *const *keys)
{
	for (; *keys; keys++) {
		json_t *v = json_object_get(from, *keys);
		if (v)
			json_object_set(to, *keys, v);
	}
}

static json_t *alone_record(const struct member *m, const struct group *g)
{
	json_t *rec = json_deep_copy(m->whole);
	json_t *jn = json_object();
	json_object_set_new(jn, "v", json_integer(1));
	json_object_set_new(jn, "alone", json_true());
	json_t *src = json_object_get(m->whole, "src");
	json_object_set_new(jn, "sources",
	                    json_pack("[{s:s,s:O?,s:O?,s:s}]", "kind", KIND[m->kind], "id", m->id, "src", src, "type",
	                              m->kind == K_BAD ? "bad-line" : "unknown"));
	json_object_set_new(jn, "checks", json_array());
	json_object_set_new(jn, "wood", json_array());
	json_object_set_new(jn, "scan", json_array());
	json_object_set_new(rec, "join", jn);
	if (m->nokey) {
		json_t *er = json_object_get(rec, "errors");
		if (!json_is_array(er)) {
			er = json_array();
			json_object_set_new(rec, "errors", er);
		}
		json_array_append_new(er, json_pack("{s:s,s:s,s:s,s:s,s:i}", "tool", "sc-join", "code", "no-key", "msg",
		                                    "nothing to link by: it comes out alone", "file", m->file, "line",
		                                    (int)m->line));
	}
	(void)g;
	return rec;
}

/* The declaration a wood sample is held against: the electronic one, else
 * the first one a record of the consignment carries (documents come later). */
static const json_t *carrier_decl(const struct sc_join *j, const struct group *g)
{
	for (size_t q = 0; q < g->n; q++) {
		const struct member *m = &j->m[j->idx[g->first + q]];
		if (m->kind == K_DECL)
			return m->ns;
	}
	return NULL;
}

/* The first candidate's taxon and CITES appendix, and whether a declared
 * item names its genus: what a rule needs without indexing into top[]. */
static void wood_facts(json_t *w, const json_t *wood, const json_t *decl)
{
	json_t *t0 = json_array_get(json_object_get(wood, "top"), 0);
	const char *taxon = json_string_value(json_object_get(t0, "taxon"));
	json_t *cites = json_object_get(t0, "cites");
	json_object_set_new(w, "taxon", taxon ? json_string(taxon) : json_null());
	json_t *app = json_is_object(cites) ? json_object_get(cites, "appendix") : cites;
	json_object_set_new(w, "appendix", json_is_string(app) ? json_incref(app) : json_null());
	int named = 0;
	if (taxon) {
		char genus[64];
		size_t n = strcspn(taxon, " ");
		snprintf(genus, sizeof genus, "%.*s", (int)(n < 63 ? n : 63), taxon);
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(decl, "items"), i, it) {
			const char *d = json_string_value(json_object_get(it, "description"));
			if (d && *genus && strcasestr(d, genus))
				named = 1;
		}
	}
	json_object_set_new(w, "declared", json_boolean(named));
}

/* ---- linking by content -------------------------------------------------------
 *
 * A document whose references were misread (an invoice number OCR could not
 * read) links to nothing by key. An officer would still find its declaration:
 * the invoice's lines are the declared lines, its seller is the exporter. So a
 * group of documents without a declaration is held against the declarations
 * of the night, evidence by evidence, and joins the one it clearly fits.
 * Every decision is taken against the groups as the keys made them, so it does
 * not depend on the order of anything. */

#define PMAXV 64
#define PMAXC 16

struct prof {
	char ref[2][96];        /* normalized invoice and B/L numbers, "" when none */
	char cont[PMAXC][16];
	int ncont;
	double val[PMAXV];      /* line values (declared) or amounts (invoice), sorted */
	int nval;
	double sum;
	char exp[160], imp[160];
	size_t nexp, nimp;
	double total, gross, packages;
	int has_total, has_gross, has_packages;
	const char *currency, *incoterm, *pol, *pod;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void prof_ref(char *out, size_t n, const char *v, int bl)
{
	out[0] = '\0';
	if (!v)
		return;
	json_t *r = refs_of(bl ? NULL : v, bl ? v : NULL, NULL);
	const char *s = json_string_value(json_array_get(r, 0));
	const char *c = s ? strchr(s, ':') : NULL;
	if (c)
		snprintf(out, n, "%s", c + 1);
	json_decref(r);
}

static void prof_party(char *out, size_t cap, size_t *n, const char *name)
{
	*n = name ? sc_risk_screen_normalize(name, strlen(name), out, cap) : 0;
	if (*n >= cap)
		*n = cap - 1;
	out[*n] = '\0';
}

static void prof_num(const json_t *v, double *x, int *has)
{
	*has = json_is_number(v);
	*x = *has ? json_number_value(v) : 0;
}

static void prof_items(struct prof *p, const json_t *items, const char *key)
{
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		json_t *v = json_object_get(it, key);
		if (json_is_number(v) && json_number_value(v) > 0 && p->nval < PMAXV)
			p->val[p->nval++] = json_number_value(v), p->sum += json_number_value(v);
	}
	qsort(p->val, (size_t)p->nval, sizeof *p->val, cmp_double);
}

static void prof_containers(struct prof *p, const json_t *a)
{
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x)
		if (json_is_string(x) && p->ncont < PMAXC)
			snprintf(p->cont[p->ncont++], sizeof p->cont[0], "%s", json_string_value(x));
}

static void prof_decl(struct prof *p, const json_t *d)
{
	memset(p, 0, sizeof *p);
	prof_ref(p->ref[0], sizeof p->ref[0], json_string_value(json_object_get(d, "invoice_no")), 0);
	prof_ref(p->ref[1], sizeof p->ref[1], json_string_value(json_object_get(d, "bl_no")), 1);
	prof_containers(p, json_object_get(d, "containers"));
	prof_items(p, json_object_get(d, "items"), "value");
	prof_party(p->exp, sizeof p->exp, &p->nexp, json_string_value(json_object_get(json_object_get(d, "exporter"), "name")));
	prof_party(p->imp, sizeof p->imp, &p->nimp, json_string_value(json_object_get(json_object_get(d, "importer"), "name")));
	prof_num(json_object_get(d, "total_value"), &p->total, &p->has_total);
	prof_num(json_object_get(d, "gross_kg"), &p->gross, &p->has_gross);
	prof_num(json_object_get(d, "packages"), &p->packages, &p->has_packages);
	p->currency = json_string_value(json_object_get(d, "currency"));
	p->incoterm = json_string_value(json_object_get(d, "incoterm"));
	p->pol = json_string_value(json_object_get(d, "port_loading"));
	p->pod = json_string_value(json_object_get(d, "port_discharge"));
}

static void prof_doc(struct prof *p, const json_t *parse)
{
	static const char *const IMP[] = {"buyer", "consignee", NULL}, *const EXP[] = {"seller", "shipper", NULL};
	memset(p, 0, sizeof *p);
	prof_ref(p->ref[0], sizeof p->ref[0], fval(parse, "invoice_no"), 0);
	prof_ref(p->ref[1], sizeof p->ref[1], fval(parse, "bl_no"), 1);
	prof_containers(p, json_object_get(json_object_get(json_object_get(parse, "fields"), "containers"), "value"));
	prof_items(p, json_object_get(parse, "items"), "amount");
	prof_party(p->exp, sizeof p->exp, &p->nexp, party_name(parse, EXP));
	prof_party(p->imp, sizeof p->imp, &p->nimp, party_name(parse, IMP));
	prof_num(fnum(parse, "total"), &p->total, &p->has_total);
	prof_num(fnum(parse, "gross_kg"), &p->gross, &p->has_gross);
	prof_num(fnum(parse, "packages"), &p->packages, &p->has_packages);
	p->currency = fval(parse, "currency");
	p->incoterm = fval(parse, "incoterm");
	p->pol = fval(parse, "port_loading");
	p->pod = fval(parse, "port_discharge");
}

/* Levenshtein distance, given up past max (returns max + 1). */
static int edits(const char *a, const char *b, int max)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na > 95 || nb > 95 || (na > nb ? na - nb : nb - na) > (size_t)max)
		return max + 1;
	int row[96];
	for (size_t k = 0; k <= nb; k++)
		row[k] = (int)k;
	for (size_t i = 1; i <= na; i++) {
		int diag = row[0], lo;
		row[0] = (int)i;
		lo = row[0];
		for (size_t k = 1; k <= nb; k++) {
			int up = row[k], v = diag + (a[i - 1] != b[k - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[k - 1] + 1 < v)
				v = row[k - 1] + 1;
			diag = up;
			row[k] = v;
			if (v < lo)
				lo = v;
		}
		if (lo > max)
			return max + 1;
	}
	return row[nb];
}

/* One name the same party as another: similar enough, or one the start of
 * the other (a name cut short by the reader: "Tianjin Binhai Machinery"). */
static int same_party(const char *a, size_t na, const char *b, size_t nb, double sim)
{
	if (na < 4 || nb < 4)
		return 0;
	size_t n = na < nb ? na : nb;
	if (n >= 8 && strncmp(a, b, n) == 0)
		return 1;
	return sc_jaro_winkler(a, na, b, nb) >= sim;
}

static int near_num(double a, double b, double rel, double abs)
{
	return fabs(a - b) <= fmax(abs, rel * fmax(fabs(a), fabs(b)));
}

static int same_str(const char *a, const char *b)
{
	return a && b && same_code(a, b);
}

/* How well document d fits declaration e; the evidence named in why. */
static int fit(const struct prof *d, const struct prof *e, const struct sc_join_tol *t, char *why, size_t n)
{
	int s = 0;
	size_t w = 0;
	why[0] = '\0';
#define EVID(pts, ...)                                                         \
	do {                                                                       \
		s += (pts);                                                            \
		if (w < n)                                                             \
			w += (size_t)snprintf(why + w, n - w, "%s", w ? ", " : "");        \
		if (w < n)                                                             \
			w += (size_t)snprintf(why + w, n - w, __VA_ARGS__);                \
	} while (0)
	for (int k = 0; k < 2; k++)
		if (strlen(d->ref[k]) >= 6 && strlen(e->ref[k]) >= 6 && edits(d->ref[k], e->ref[k], 2) <= 2) {
			EVID(3, "%s %s read for %s", k ? "B/L" : "invoice number", d->ref[k], e->ref[k]);
			break;
		}
	for (int a = 0, done = 0; a < d->ncont && !done; a++)
		for (int b = 0; b < e->ncont && !done; b++)
			if (edits(d->cont[a], e->cont[b], 1) <= 1) {
				EVID(3, "container %s", e->cont[b]);
				done = 1;
			}
	if (d->nval && e->nval) {
		/* the lines: the same values, else the same values in one proportion
		 * (a declaration that lowered every line by one factor) */
		int used[PMAXV] = {0}, hit = 0;
		for (int a = 0; a < d->nval; a++)
			for (int b = 0; b < e->nval; b++)
				if (!used[b] && near_num(d->val[a], e->val[b], t->rel[SC_JN_ITEM_VALUE], t->abs[SC_JN_ITEM_VALUE])) {
					used[b] = 1;
					hit++;
					break;
				}
		int prop = d->nval == e->nval && d->nval >= 2 && d->sum > 0 && e->sum > 0;
		for (int a = 0; prop && a < d->nval; a++)
			prop = fabs(d->val[a] / d->sum - e->val[a] / e->sum) <= 0.002;
		if (hit == d->nval && hit == e->nval && hit >= 2)
			EVID(3, "all %d line values", hit);
		else if (prop)
			EVID(2, "%d line values in one proportion (%.3f)", d->nval, e->sum / d->sum);
		else if (hit >= 2 || (hit == 1 && d->nval == 1 && e->nval == 1))
			EVID(1, "%d of %d line values", hit, d->nval);
	}
	if (d->nexp && e->nexp && same_party(d->exp, d->nexp, e->exp, e->nexp, t->party))
		EVID(1, "exporter");
	if (d->nimp && e->nimp && same_party(d->imp, d->nimp, e->imp, e->nimp, t->party))
		EVID(1, "importer");
	if (d->has_total && e->has_total && near_num(d->total, e->total, t->rel[SC_JN_TOTAL], t->abs[SC_JN_TOTAL]))
		EVID(1, "total");
	if (d->has_gross && e->has_gross && near_num(d->gross, e->gross, t->rel[SC_JN_GROSS], t->abs[SC_JN_GROSS]))
		EVID(1, "gross weight");
	if (d->has_packages && e->has_packages && d->packages == e->packages)
		EVID(1, "packages");
	if (same_str(d->currency, e->currency) && same_str(d->incoterm, e->incoterm))
		EVID(1, "currency and Incoterm");
	if (same_str(d->pol, e->pol) && same_str(d->pod, e->pod))
		EVID(1, "ports");
#undef EVID
	return s;
}

#define FIT_MIN 4     /* points of evidence a link by content needs */
#define FIT_MARGIN 2  /* ahead of the next declaration by at least this */

/* The blocking keys of a profile: a declaration is a candidate for a
 * document when they share one (a line value, a party, a container). */
static size_t prof_blocks(const struct prof *p, char (*out)[48], size_t cap)
{
	size_t n = 0;
	for (int k = 0; k < p->nval && n < cap; k++)
		snprintf(out[n++], sizeof out[0], "v:%.0f", round(p->val[k]));
	if (p->nexp && n < cap)
		snprintf(out[n++], sizeof out[0], "e:%.12s", p->exp);
	if (p->nimp && n < cap)
		snprintf(out[n++], sizeof out[0], "i:%.12s", p->imp);
	for (int k = 0; k < p->ncont && n < cap; k++)
		snprintf(out[n++], sizeof out[0], "c:%.4s", p->cont[k]);
	return n;
}

static const struct sc_join *sortd_j;

static int cmp_decl_order(const void *a, const void *b)
{
	return strcmp(sortd_j->m[*(const size_t *)a].order, sortd_j->m[*(const size_t *)b].order);
}

static void link_by_content(struct sc_join *j)
{
	size_t n = j->n, nd = 0;
	if (!n)
		return;
	/* the groups as the keys made them: which hold a declaration, which documents only */
	unsigned char *hasdecl = calloc(n, 1), *other = calloc(n, 1);
	size_t *decls = malloc(n * sizeof *decls), *root0 = malloc(n * sizeof *root0), *to = malloc(n * sizeof *to),
	       *head = malloc(n * sizeof *head), *next = malloc(n * sizeof *next);
	struct prof *dp = NULL;
	int *score = NULL;
	size_t *stamp = NULL, *seen = NULL, *gseen = NULL;
	json_t *block = json_object();
	if (!hasdecl || !other || !decls || !root0 || !to || !head || !next || !block)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct member *m = &j->m[i];
		root0[i] = m->parent;
		to[i] = head[i] = next[i] = (size_t)-1;
		if (m->kind == K_DECL) {
			hasdecl[m->parent] = 1;
			decls[nd++] = i;
		} else if (m->kind != K_DOC && m->kind != K_OCR)
			other[m->parent] = 1;
	}
	for (size_t i = n; i-- > 0;)
		if (j->m[i].kind == K_DOC && !hasdecl[root0[i]] && !other[root0[i]]) {
			next[i] = head[root0[i]];
			head[root0[i]] = i;
		}
	if (!nd)
		goto out;
	/* canonical order, so that a capped candidate list is the same whatever the input order */
	sortd_j = j;
	qsort(decls, nd, sizeof *decls, cmp_decl_order);
	dp = malloc(nd * sizeof *dp);
	score = calloc(nd, sizeof *score);
	stamp = calloc(nd, sizeof *stamp);
	seen = malloc(nd * sizeof *seen);
	gseen = calloc(nd, sizeof *gseen);
	if (!dp || !score || !stamp || !seen || !gseen)
		goto out;
	for (size_t k = 0; k < nd; k++) {
		prof_decl(&dp[k], j->m[decls[k]].ns);
		char keys[PMAXV + PMAXC + 2][48];
		size_t nk = prof_blocks(&dp[k], keys, sizeof keys / sizeof *keys);
		for (size_t q = 0; q < nk; q++) {
			json_t *a = json_object_get(block, keys[q]);
			if (!a) {
				a = json_array();
				json_object_set_new(block, keys[q], a);
			}
			/* a party is shared by many declarations, a line value by few: a
			 * party's list is cut shorter (the canonical order decides who stays) */
			size_t na = json_array_size(a), cap = keys[q][0] == 'e' || keys[q][0] == 'i' ? 512 : 4096;
			if (na < cap && (!na || (size_t)json_integer_value(json_array_get(a, na - 1)) != k))
				json_array_append_new(a, json_integer((json_int_t)k));
		}
	}
	/* decisions first (against the key groups), unions after */
	size_t docno = 0;
	for (size_t r = 0; r < n; r++) {
		if (head[r] == (size_t)-1)
			continue;
		/* a group of documents (and their pages) alone: every document's fit, summed */
		size_t nseen = 0;
		for (size_t i = head[r]; i != (size_t)-1; i = next[i]) {
			struct prof p;
			prof_doc(&p, j->m[i].ns);
			char keys[PMAXV + PMAXC + 2][48], why[8];
			size_t nk = prof_blocks(&p, keys, sizeof keys / sizeof *keys);
			docno++;
			for (size_t q = 0; q < nk; q++) {
				size_t x;
				json_t *c;
				json_array_foreach(json_object_get(block, keys[q]), x, c) {
					size_t k = (size_t)json_integer_value(c);
					if (stamp[k] == docno)
						continue;    /* already held against this document */
					stamp[k] = docno;
					int s = fit(&p, &dp[k], &j->tol, why, sizeof why);
					if (gseen[k] != r + 1) {
						gseen[k] = r + 1;
						seen[nseen++] = k;
					}
					score[k] += s;
				}
			}
		}
		size_t best = (size_t)-1;
		int b1 = 0, b2 = 0;
		for (size_t q = 0; q < nseen; q++) {
			size_t k = seen[q];
			if (score[k] > b1) {
				b2 = b1;
				b1 = score[k];
				best = k;
			} else if (score[k] == b1) {
				b2 = b1;     /* a tie: no declaration stands out */
				if (k < best)
					best = k;
			} else if (score[k] > b2)
				b2 = score[k];
		}
		for (size_t q = 0; q < nseen; q++)
			score[seen[q]] = 0;
		if (best != (size_t)-1 && b1 >= FIT_MIN && b1 - b2 >= FIT_MARGIN)
			to[r] = best;
	}
	for (size_t i = 0; i < n; i++) {
		struct member *m = &j->m[i];
		size_t k = to[root0[i]];
		if (k == (size_t)-1 || m->kind != K_DOC)
			continue;
		struct prof p;
		char why[600];
		prof_doc(&p, m->ns);
		m->fit = fit(&p, &dp[k], &j->tol, why, sizeof why);
		free(m->fit_why);
		m->fit_why = strdup(why);
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = to[root0[i]];
		if (k == (size_t)-1)
			continue;
		size_t a = root_of(j->m, i), b = root_of(j->m, decls[k]);
		if (a != b)
			j->m[a > b ? a : b].parent = a < b ? a : b;
	}
out:
	free(hasdecl);
	free(other);
	free(decls);
	free(root0);
	free(to);
	free(head);
	free(next);
	free(dp);
	free(score);
	free(stamp);
	free(seen);
	free(gseen);
	json_decref(block);
}

json_t *sc_join_build(const struct sc_join *j, size_t k, int *bad)
{
	if (k >= j->ng)
		return NULL;
	const struct group *g = &j->g[k];
	const size_t *ix = j->idx + g->first;
	if (bad)
		*bad = g->bad;
	if (g->n == 1 && j->m[ix[0]].whole)
		return alone_record(&j->m[ix[0]], g);

	json_t *rec = json_object();
	json_object_set_new(rec, "id", json_string(g->id));
	json_t *docs = json_array(), *sources = json_array(), *checks = json_array(), *wood = json_array(),
	       *scan = json_array(), *errors = json_array();
	const struct member *edecl = NULL, *paper = NULL, *carrier = NULL;
	for (size_t q = 0; q < g->n; q++) {
		const struct member *m = &j->m[ix[q]];
		json_array_append_new(sources, source_entry(j, g, m));
		if (m->errors)
			json_array_extend(errors, m->errors);
		if (m->nokey)
			json_array_append_new(errors, json_pack("{s:s,s:s,s:s,s:s,s:i}", "tool", "sc-join", "code", "no-key",
			                                        "msg", "nothing to link by: it comes out alone", "file",
			                                        m->file, "line", (int)m->line));
		switch (m->kind) {
		case K_DECL:
			if (!edecl)
				edecl = m;
			break;
		case K_DOC: {
			json_array_append_new(docs, json_pack("{s:O?,s:O?,s:O}", "id", m->id, "src", m->src, "parse", m->ns));
			const char *t = json_string_value(json_object_get(m->ns, "type"));
			if (!paper && t && strcmp(t, "customs_declaration") == 0)
				paper = m;
			break;
		}
		case K_WOOD: {
			static const char *const W[] = {"top", "refer", "reasons", "expert", "package", NULL};
			json_t *w = json_pack("{s:O?,s:O?}", "id", m->id, "src", m->src);
			copy_keys(w, m->ns, W);
			wood_facts(w, m->ns, edecl ? edecl->ns : carrier_decl(j, g));
			json_array_append_new(wood, w);
			if (!carrier)
				carrier = m;
			break;
		}
		case K_SCAN: {
			static const char *const S[] = {"empty", "fill", "density", "anomalies", "consistent", "refer",
			                                "reasons", "overlay", NULL};
			json_t *s = json_pack("{s:O?,s:O?}", "id", m->id, "src", m->src);
			copy_keys(s, m->ns, S);
			json_array_append_new(scan, s);
			if (!carrier)
				carrier = m;
			break;
		}
		case K_JOIN:
			if (!carrier)
				carrier = m;
			break;
		default:
			break;
		}
	}
	/* the declaration: as filed, else the documents', else the one a sample or scan carried */
	json_t *pa = NULL, *ddecl = NULL, *decl = NULL;
	if (json_array_size(docs))
		pa = sc_parse_consign(NULL, docs, &ddecl);
	if (edecl)
		decl = json_incref(edecl->ns);
	else if (ddecl)
		decl = json_incref(ddecl);
	else if (carrier && carrier->decl)
		decl = json_incref(carrier->decl);
	if (decl)
		json_object_set_new(rec, "decl", decl);
	if (pa)
		json_object_set_new(rec, "parse", pa);
	json_decref(ddecl);

	/* the declaration against every document: the electronic one when filed,
	 * else the paper customs declaration against the others */
	struct side s;
	const struct member *dm = edecl ? edecl : paper;
	if (dm) {
		s.decl = edecl ? edecl->ns : NULL;
		json_t *pdecl = NULL;
		if (!edecl) {
			/* the paper declaration's own values, as a decl */
			json_t *one = json_pack("[{s:O?,s:O}]", "id", paper->id, "parse", paper->ns);
			json_t *p1 = sc_parse_consign(NULL, one, &pdecl);
			json_decref(p1);
			json_decref(one);
			s.decl = pdecl;
		}
		s.label = src_label(dm);
		for (size_t q = 0; q < g->n; q++) {
			const struct member *m = &j->m[ix[q]];
			if (m->kind == K_DOC && m != dm)
				compare(checks, &j->tol, &s, m);
		}
		/* a run with documents, and none here that the declaration names:
		 * unread, unreadable or missing, never clean */
		static const char *const NEED[][3] = {{"invoice_no", "invoice", "invoice"},
		                                     {"bl_no", "bill_of_lading", "bill of lading"}};
		for (size_t q = 0; edecl && j->ndocs && q < 2; q++) {
			const char *ref = json_string_value(json_object_get(edecl->ns, NEED[q][0]));
			int found = 0;
			for (size_t r = 0; r < g->n && ref; r++) {
				const struct member *m = &j->m[ix[r]];
				const char *t = json_string_value(json_object_get(m->ns, "type"));
				found |= m->kind == K_DOC && t && strcmp(t, NEED[q][1]) == 0;
			}
			if (ref && !found) {
				char msg[600];
				snprintf(msg, sizeof msg, "the declared %s %s (%s) is not among the documents read", NEED[q][2], ref,
				         json_string_value(s.label));
				json_array_append_new(checks, json_pack("{s:s,s:s,s:s,s:n,s:O,s:n}", "field", "documents", "msg", msg,
				                                        "decl", ref, "doc", "decl_src", s.label, "doc_src"));
			}
		}
		json_decref(s.label);
		json_decref(pdecl);
	}
	/* documents of a run with declarations that belong to none of them: by
	 * keys or by content; never clean, since nothing was held against them */
	if (!dm && j->ndecls && json_array_size(docs)) {
		char msg[600];
		const struct member *d0 = NULL;
		for (size_t q = 0; q < g->n && !d0; q++)
			if (j->m[ix[q]].kind == K_DOC)
				d0 = &j->m[ix[q]];
		json_t *dl = src_label(d0);
		snprintf(msg, sizeof msg, "%s%s links to no declaration of the run (by its references or its content)",
		         json_string_value(dl), json_array_size(docs) > 1 ? " and the documents with it" : "");
		json_array_append_new(checks, json_pack("{s:s,s:s,s:n,s:n,s:n,s:o}", "field", "declaration", "msg", msg,
		                                        "decl", "doc", "decl_src", "doc_src", dl));
	}
	if (g->problems) {
		size_t i;
		json_t *p;
		json_array_foreach(g->problems, i, p) {
			json_array_append_new(checks, json_pack("{s:s,s:s,s:s,s:n,s:n,s:n,s:n}", "field", "link", "code",
			                                        json_string_value(json_object_get(p, "code")), "msg",
			                                        json_string_value(json_object_get(p, "msg")), "decl", "doc",
			                                        "decl_src", "doc_src"));
			json_array_append(errors, p);
		}
	}
	json_t *jn = json_object();
	json_object_set_new(jn, "v", json_integer(1));
	if (g->n == 1)
		json_object_set_new(jn, "alone", json_true());
	json_object_set_new(jn, "sources", sources);
	json_object_set_new(jn, "checks", checks);
	json_object_set_new(jn, "wood", wood);
	json_object_set_new(jn, "scan", scan);
	json_object_set_new(rec, "join", jn);
	if (json_array_size(errors))
		json_object_set_new(rec, "errors", errors);
	else
		json_decref(errors);
	json_decref(docs);
	return rec;
}
