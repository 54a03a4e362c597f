/*
 * parse_group.c - from pages to documents and from documents to
 * consignments, the parts of sc-parse's stream that are not reading:
 *
 *  - the assembler: pages of one file (same src.path and member) in a row,
 *    numbered on, are one document, unless a page is clearly of another
 *    type than the first (a file that holds an invoice and a bill of
 *    lading);
 *  - the grouping: documents that share an invoice number, B/L number or
 *    container are one consignment (union-find over their references), or
 *    the documents of one file or folder in a row.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "parse.h"

/* ---- pages to documents --------------------------------------------------------- */

struct sc_passm {
	const struct sc_parse *p;
	const char *tool;
	struct sc_pdone cur;    /* the document being assembled (doc NULL: none) */
	char key[1024];         /* src.path + member of its pages */
	long last_page;
	const char *first_type; /* the first page's type, when the file has more pages */
};

struct sc_passm *sc_passm_new(const struct sc_parse *p, const char *tool)
{
	struct sc_passm *a = calloc(1, sizeof *a);
	if (a)
		a->p = p, a->tool = tool;
	return a;
}

void sc_pdone_free(struct sc_pdone *d)
{
	sc_pdoc_free(d->doc);
	json_decref(d->head);
	json_decref(d->errors);
	memset(d, 0, sizeof *d);
}

void sc_passm_free(struct sc_passm *a)
{
	if (!a)
		return;
	sc_pdone_free(&a->cur);
	free(a);
}

int sc_passm_flush(struct sc_passm *a, struct sc_pdone *out)
{
	if (!a->cur.doc)
		return 0;
	*out = a->cur;
	memset(&a->cur, 0, sizeof a->cur);
	a->key[0] = '\0';
	a->first_type = NULL;
	return 1;
}

static void page_key(const json_t *rec, char *out, size_t cap)
{
	const char *path = json_string_value(sc_json_path(rec, "src.path"));
	const char *member = json_string_value(sc_json_path(rec, "src.member"));
	snprintf(out, cap, "%s|%s", path ? path : "", member ? member : "");
}

int sc_passm_page(struct sc_passm *a, const json_t *rec, const char *where, struct sc_pdone *out,
                  struct sc_error *err)
{
	const json_t *ocr = json_object_get(rec, "ocr");
	char key[1024];
	page_key(rec, key, sizeof key);
	json_t *pg = sc_json_path(rec, "src.page");
	json_t *pgs = sc_json_path(rec, "src.pages");
	long page = json_is_integer(pg) ? (long)json_integer_value(pg) : 0;
	long pages = json_is_integer(pgs) ? (long)json_integer_value(pgs) : 1;
	/* a page without a path is a document of its own */
	int cont = a->cur.doc && key[0] != '|' && strcmp(key, a->key) == 0 && page == a->last_page + 1;
	/* a file of several documents: split where a page's type is clearly another */
	if (cont) {
		double score;
		const char *t = sc_parse_page_type(a->p, ocr, &score);
		if (!a->first_type)
			a->first_type = "other";
		if (strcmp(t, "other") != 0 && strcmp(t, a->first_type) != 0 && score >= 10)
			cont = 0;
	}
	int done = 0;
	if (!cont) {
		done = sc_passm_flush(a, out);
		a->cur.doc = sc_pdoc_new();
		/* the first page's envelope, without its OCR (shared, not copied) */
		a->cur.head = json_object();
		if (!a->cur.doc || !a->cur.head) {
			sc_pdone_free(&a->cur);
			sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
			return done;
		}
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)rec, k, v)
			if (strcmp(k, "ocr") != 0)
				json_object_set(a->cur.head, k, v);
		snprintf(a->key, sizeof a->key, "%s", key);
		a->first_type = NULL;
		if (pages > 1 && page >= 1) {
			double score;
			a->first_type = sc_parse_page_type(a->p, ocr, &score);
		}
	}
	a->last_page = page;
	struct sc_error pe;
	sc_error_clear(&pe);
	if (sc_pdoc_add_ocr(a->cur.doc, ocr, json_object_get(rec, "src"), &pe) < 0) {
		/* the page still counts; its document carries the error */
		sc_error_set(err, NULL, 0, 0, pe.code, "%s: %s", where, pe.msg);
		if (!a->cur.errors)
			a->cur.errors = json_array();
		json_t *tmp = json_object();
		sc_record_add_error(tmp, a->tool, err);
		json_array_extend(a->cur.errors, json_object_get(tmp, "errors"));
		json_decref(tmp);
	}
	return done;
}

/* ---- documents to consignments ----------------------------------------------- */

static int find(int *parent, int a)
{
	while (parent[a] != a)
		a = parent[a] = parent[parent[a]];
	return a;
}

json_t *sc_parse_group_by_ref(const json_t *docs)
{
	size_t n = json_array_size(docs), i;
	json_t *out = json_array();
	if (!n || !out)
		return out;
	int *parent = malloc(n * sizeof *parent);
	json_t *seen = json_object();
	if (!parent || !seen) {
		free(parent);
		json_decref(seen);
		json_decref(out);
		return NULL;
	}
	for (i = 0; i < n; i++)
		parent[i] = (int)i;
	json_t *d;
	json_array_foreach(docs, i, d) {
		json_t *refs = sc_parse_refs(json_object_get(d, "parse"));
		size_t k;
		json_t *ref;
		json_array_foreach(refs, k, ref) {
			json_t *at = json_object_get(seen, json_string_value(ref));
			if (!at) {
				json_object_set_new(seen, json_string_value(ref), json_integer((json_int_t)i));
				continue;
			}
			int a = find(parent, (int)json_integer_value(at)), b = find(parent, (int)i);
			/* the lower index is the root: a consignment is named by its first document */
			if (a != b)
				parent[a > b ? a : b] = a < b ? a : b;
		}
		json_decref(refs);
	}
	/* consignments in the order of their first document */
	for (i = 0; i < n; i++) {
		if (find(parent, (int)i) != (int)i)
			continue;
		json_t *group = json_array();
		for (size_t j = i; j < n; j++)
			if (find(parent, (int)j) == (int)i)
				json_array_append(group, json_array_get(docs, j));
		json_array_append_new(out, group);
	}
	free(parent);
	json_decref(seen);
	return out;
}

void sc_parse_group_key(const json_t *rec, int by_dir, char *out, size_t cap)
{
	const char *path = json_string_value(sc_json_path(rec, "src.path"));
	if (!path) {
		snprintf(out, cap, "%s", "");
		return;
	}
	if (!by_dir) {
		snprintf(out, cap, "%s", path);
		return;
	}
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s", path);
	snprintf(out, cap, "%s", dirname(tmp));
}

json_t *sc_parse_consign_record(const struct sc_parse *p, const json_t *docs)
{
	json_t *decl = NULL;
	json_t *pa = sc_parse_consign(p, docs, &decl);
	json_t *rec = json_object();
	if (!pa || !decl || !rec) {
		json_decref(pa), json_decref(decl), json_decref(rec);
		return NULL;
	}
	json_object_set(rec, "id", json_object_get(decl, "id"));
	json_t *first = json_array_get(docs, 0);
	if (json_object_get(first, "src"))
		json_object_set(rec, "src", json_object_get(first, "src"));
	json_object_set_new(rec, "parse", pa);
	json_object_set_new(rec, "decl", decl);
	/* the documents' errors come along */
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d) {
		json_t *e = json_object_get(d, "errors");
		if (json_is_array(e)) {
			if (!json_object_get(rec, "errors"))
				json_object_set_new(rec, "errors", json_array());
			json_array_extend(json_object_get(rec, "errors"), e);
		}
	}
	return rec;
}

/* ---- consignments as the documents stream ----------------------------------- */

struct sc_pgroup {
	const struct sc_parse *p;
	enum sc_pgroup_by by;
	json_t *docs;          /* documents held for their consignment */
	char key[1024];
};

struct sc_pgroup *sc_pgroup_new(const struct sc_parse *p, enum sc_pgroup_by by)
{
	struct sc_pgroup *g = calloc(1, sizeof *g);
	if (!g || !(g->docs = json_array())) {
		free(g);
		return NULL;
	}
	g->p = p, g->by = by;
	return g;
}

void sc_pgroup_free(struct sc_pgroup *g)
{
	if (!g)
		return;
	json_decref(g->docs);
	free(g);
}

static int consign_out(struct sc_pgroup *g, const json_t *docs, json_t *out)
{
	json_t *rec = sc_parse_consign_record(g->p, docs);
	return rec ? json_array_append_new(out, rec) : -1;
}

static int flush_held(struct sc_pgroup *g, json_t *out)
{
	int rc = 0;
	if (json_array_size(g->docs))
		rc = consign_out(g, g->docs, out);
	json_array_clear(g->docs);
	return rc;
}

int sc_pgroup_add(struct sc_pgroup *g, json_t *rec, json_t *out)
{
	if (g->by == SC_PGROUP_NONE || !json_object_get(rec, "parse"))
		return json_array_append_new(out, rec);
	if (g->by == SC_PGROUP_REF)   /* held to the end: no OCR text is kept */
		return json_array_append_new(g->docs, rec);
	char k[1024];
	sc_parse_group_key(rec, g->by == SC_PGROUP_DIR, k, sizeof k);
	int rc = 0;
	if (json_array_size(g->docs) && strcmp(k, g->key) != 0)
		rc = flush_held(g, out);
	snprintf(g->key, sizeof g->key, "%s", k);
	return json_array_append_new(g->docs, rec) < 0 ? -1 : rc;
}

int sc_pgroup_finish(struct sc_pgroup *g, json_t *out)
{
	if (g->by != SC_PGROUP_REF)
		return flush_held(g, out);
	json_t *groups = sc_parse_group_by_ref(g->docs);
	int rc = groups ? 0 : -1;
	size_t i;
	json_t *c;
	json_array_foreach(groups, i, c)
		if (consign_out(g, c, out) < 0)
			rc = -1;
	json_decref(groups);
	json_array_clear(g->docs);
	return rc;
}
