/*
 * parse_decl.c - consignments: documents that share a reference (invoice
 * number, B/L number, container) are joined; one declaration (decl) is made
 * from them, the customs declaration's own values first, and every
 * disagreement between documents is listed in parse.checks[] with each value.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

void sc_parse_ref_key(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; s && *s && o + 1 < cap; s++) {
		char c = *s;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		/* letters OCR confuses with digits meet their digit */
		c = c == 'O' ? '0' : c == 'I' || c == 'L' ? '1' : c == 'S' ? '5' : c == 'Z' ? '2' : c == 'B' ? '8' : c;
		if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			out[o++] = c;
	}
	out[o] = '\0';
	if (o < 5)
		out[0] = '\0';
}

static const char *fval(const json_t *parse, const char *field)
{
	json_t *f = json_object_get(json_object_get(parse, "fields"), field);
	return json_string_value(json_object_get(f, "value"));
}

json_t *sc_parse_refs(const json_t *parse)
{
	json_t *out = json_array();
	char key[80], buf[96];
	static const char *const REFS[] = {"invoice_no", "bl_no"};
	for (size_t k = 0; k < 2; k++) {
		const char *v = fval(parse, REFS[k]);
		if (!v)
			continue;
		sc_parse_ref_key(v, key, sizeof key);
		if (!*key)
			continue;
		snprintf(buf, sizeof buf, "%s:%s", REFS[k], key);
		json_array_append_new(out, json_string(buf));
	}
	json_t *c = json_object_get(json_object_get(json_object_get(parse, "fields"), "containers"), "value");
	size_t i;
	json_t *x;
	json_array_foreach(c, i, x) {
		snprintf(buf, sizeof buf, "container:%s", json_string_value(x));
		json_array_append_new(out, json_string(buf));
	}
	return out;
}

/* ---- joining the documents' values ---------------------------------------- */

static int type_rank(const char *t)
{
	static const char *const ORDER[] = {"customs_declaration", "invoice", "bill_of_lading", "packing_list",
	                                    "certificate_of_origin"};
	for (int k = 0; k < 5; k++)
		if (t && strcmp(t, ORDER[k]) == 0)
			return k;
	return 5;
}

struct dref {
	const json_t *parse;
	const char *type;
	int idx;
};

static int cmp_dref(const void *a, const void *b)
{
	const struct dref *x = a, *y = b;
	int r = type_rank(x->type) - type_rank(y->type);
	return r ? r : x->idx - y->idx;
}

static json_t *field(const json_t *parse, const char *name)
{
	return json_object_get(json_object_get(parse, "fields"), name);
}

/* The first document (in rank order) that has the field. */
static json_t *pick(const struct dref *d, int n, const char *name, int *which)
{
	for (int k = 0; k < n; k++) {
		json_t *f = field(d[k].parse, name);
		if (f && json_object_get(f, "value")) {
			if (which)
				*which = k;
			return json_object_get(f, "value");
		}
	}
	return NULL;
}

static void set_if(json_t *o, const char *key, json_t *v)
{
	if (v)
		json_object_set(o, key, v);
}

static json_t *party(const struct dref *d, int n, const char *const *names)
{
	for (const char *const *nm = names; *nm; nm++)
		for (int k = 0; k < n; k++) {
			json_t *f = field(d[k].parse, *nm);
			if (!f || !json_is_string(json_object_get(f, "value")))
				continue;
			json_t *p = json_object();
			set_if(p, "id", json_object_get(f, "id"));
			set_if(p, "name", json_object_get(f, "value"));
			set_if(p, "country", json_object_get(f, "country"));
			/* an id and country found on another document's copy of this party */
			for (int j = 0; j < n && (!json_object_get(p, "id") || !json_object_get(p, "country")); j++) {
				json_t *g = field(d[j].parse, *nm);
				if (!g)
					continue;
				if (!json_object_get(p, "id"))
					set_if(p, "id", json_object_get(g, "id"));
				if (!json_object_get(p, "country"))
					set_if(p, "country", json_object_get(g, "country"));
			}
			return p;
		}
	return NULL;
}

/* ---- checks ---------------------------------------------------------------- */

static int close_enough(double a, double b, double rel, double abs_)
{
	return fabs(a - b) <= fmax(abs_, rel * fmax(fabs(a), fabs(b)));
}

static json_t *value_of(const struct dref *d, json_t *v)
{
	json_t *o = json_object();
	json_object_set_new(o, "doc", json_integer(d->idx));
	json_object_set_new(o, "type", json_string(d->type ? d->type : "other"));
	json_object_set(o, "value", v);
	return o;
}

/*
 * A disagreement found by check_number or check_string: every document's
 * value of the field (of the kind the check compares) and one message naming
 * them all.
 */
static int is_number(const json_t *v) { return json_is_number(v); }
static int is_string(const json_t *v) { return json_is_string(v); }

static void add_disagreement(json_t *checks, const struct dref *d, int n, const char *name,
                             const char *what, int (*kind)(const json_t *))
{
	json_t *vals = json_array();
	char msg[512];
	size_t o = (size_t)snprintf(msg, sizeof msg, "%s differs:", what);
	for (int k = 0; k < n; k++) {
		json_t *v = json_object_get(field(d[k].parse, name), "value");
		if (!kind(v))
			continue;
		json_array_append_new(vals, value_of(&d[k], v));
		if (o < sizeof msg) {
			char text[64];
			if (json_is_number(v))
				snprintf(text, sizeof text, "%.15g", json_number_value(v));
			o += (size_t)snprintf(msg + o, sizeof msg - o, "%s %s %s", json_array_size(vals) > 1 ? "," : "",
			                      d[k].type ? d[k].type : "other",
			                      json_is_number(v) ? text : json_string_value(v));
		}
	}
	json_array_append_new(checks, json_pack("{s:s,s:s,s:o}", "field", name, "msg", msg, "values", vals));
}

static void check_number(json_t *checks, const struct dref *d, int n, const char *name, double rel, double abs_,
                         const char *what)
{
	int first = -1, bad = 0;
	double ref = 0;
	for (int k = 0; k < n; k++) {
		json_t *v = json_object_get(field(d[k].parse, name), "value");
		if (!json_is_number(v))
			continue;
		if (first < 0)
			first = k, ref = json_number_value(v);
		else if (!close_enough(ref, json_number_value(v), rel, abs_))
			bad = 1;
	}
	if (!bad)
		return;
	add_disagreement(checks, d, n, name, what, is_number);
}

static void check_string(json_t *checks, const struct dref *d, int n, const char *name, const char *what)
{
	const char *ref = NULL;
	int bad = 0, cnt = 0;
	for (int k = 0; k < n; k++) {
		const char *v = fval(d[k].parse, name);
		if (!v)
			continue;
		char a[80], b[80];
		cnt++;
		if (!ref) {
			ref = v;
			continue;
		}
		sc_parse_ref_key(ref, a, sizeof a);
		sc_parse_ref_key(v, b, sizeof b);
		if (strcmp(*a ? a : ref, *b ? b : v) != 0)
			bad = 1;
	}
	if (!bad)
		return;
	add_disagreement(checks, d, n, name, what, is_string);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The set of a list-valued field (containers) or of the items' HS codes,
 * sorted and joined, for comparison. */
static json_t *set_of(const json_t *parse, const char *what)
{
	const char *v[256];
	size_t n = 0, i;
	json_t *x;
	if (strcmp(what, "hs") == 0) {
		json_array_foreach(json_object_get(parse, "items"), i, x) {
			const char *h = json_string_value(json_object_get(x, "hs"));
			if (h && n < 256)
				v[n++] = h;
		}
	} else {
		json_array_foreach(json_object_get(field(parse, what), "value"), i, x)
			if (json_is_string(x) && n < 256)
				v[n++] = json_string_value(x);
	}
	if (!n)
		return NULL;
	qsort(v, n, sizeof *v, cmp_str);
	json_t *a = json_array();
	for (size_t k = 0; k < n; k++) {
		char six[7];
		const char *s = v[k];
		if (strcmp(what, "hs") == 0) {
			/* national extensions differ between countries: compare subheadings */
			snprintf(six, sizeof six, "%.6s", s);
			s = six;
		}
		if (k == 0 || strcmp(json_string_value(json_array_get(a, json_array_size(a) - 1)), s) != 0)
			json_array_append_new(a, json_string(s));
	}
	return a;
}

static void check_set(json_t *checks, const struct dref *d, int n, const char *what, const char *label)
{
	json_t *ref = NULL;
	int bad = 0;
	json_t *sets[64];
	int m = n < 64 ? n : 64;
	for (int k = 0; k < m; k++) {
		sets[k] = set_of(d[k].parse, what);
		if (!sets[k])
			continue;
		if (!ref)
			ref = sets[k];
		else if (!json_equal(ref, sets[k]))
			bad = 1;
	}
	if (bad) {
		json_t *vals = json_array();
		for (int k = 0; k < m; k++)
			if (sets[k])
				json_array_append_new(vals, value_of(&d[k], sets[k]));
		char msg[128];
		snprintf(msg, sizeof msg, "%s differ between documents", label);
		json_array_append_new(checks, json_pack("{s:s,s:s,s:o}", "field", what, "msg", msg, "values", vals));
	}
	for (int k = 0; k < m; k++)
		json_decref(sets[k]);
}

/* The items' quantities per HS subheading, invoice against declaration. */
static void check_qty(json_t *checks, const struct dref *d, int n)
{
	const json_t *a = NULL, *b = NULL;
	int ia = -1, ib = -1;
	for (int k = 0; k < n; k++) {
		if (!a && d[k].type && strcmp(d[k].type, "customs_declaration") == 0)
			a = d[k].parse, ia = k;
		if (!b && d[k].type && strcmp(d[k].type, "invoice") == 0)
			b = d[k].parse, ib = k;
	}
	if (!a || !b)
		return;
	size_t i, j;
	json_t *x, *y;
	json_array_foreach(json_object_get(a, "items"), i, x) {
		const char *h = json_string_value(json_object_get(x, "hs"));
		json_t *q = json_object_get(x, "qty");
		if (!h || !json_is_number(q))
			continue;
		json_array_foreach(json_object_get(b, "items"), j, y) {
			const char *h2 = json_string_value(json_object_get(y, "hs"));
			json_t *q2 = json_object_get(y, "qty");
			if (!h2 || !json_is_number(q2) || strncmp(h, h2, 6) != 0)
				continue;
			if (!close_enough(json_number_value(q), json_number_value(q2), 0.001, 0.5)) {
				char msg[256];
				snprintf(msg, sizeof msg, "quantity of %.6s differs: customs_declaration %.15g, invoice %.15g", h,
				         json_number_value(q), json_number_value(q2));
				json_t *vals = json_array();
				json_array_append_new(vals, value_of(&d[ia], q));
				json_array_append_new(vals, value_of(&d[ib], q2));
				json_array_append_new(checks, json_pack("{s:s,s:s,s:s,s:o}", "field", "qty", "hs", h, "msg", msg,
				                                        "values", vals));
			}
			break;
		}
	}
}

/* ---- the consignment --------------------------------------------------------- */

json_t *sc_parse_consign(const struct sc_parse *p, const json_t *docs, json_t **declp)
{
	(void)p;
	size_t n = json_array_size(docs), i;
	json_t *rec;
	struct dref *d = calloc(n ? n : 1, sizeof *d);
	json_t *out = json_object(), *list = json_array(), *checks = json_array();
	int m = 0;
	json_array_foreach(docs, i, rec) {
		json_t *pa = json_object_get(rec, "parse");
		if (!json_is_object(pa))
			continue;
		d[m].parse = pa;
		d[m].type = json_string_value(json_object_get(pa, "type"));
		d[m].idx = (int)i;
		m++;
		json_t *e = json_object();
		set_if(e, "id", json_object_get(rec, "id"));
		set_if(e, "type", json_object_get(pa, "type"));
		set_if(e, "type_conf", json_object_get(pa, "type_conf"));
		set_if(e, "template", json_object_get(pa, "template"));
		set_if(e, "src", json_object_get(pa, "documents"));
		set_if(e, "fields", json_object_get(pa, "fields"));
		set_if(e, "items", json_object_get(pa, "items"));
		set_if(e, "notes", json_object_get(pa, "notes"));
		json_array_append_new(list, e);
	}
	qsort(d, (size_t)m, sizeof *d, cmp_dref);

	check_number(checks, d, m, "total", 0.005, 1.0, "total value");
	check_string(checks, d, m, "currency", "currency");
	check_number(checks, d, m, "gross_kg", 0.005, 1.0, "gross weight (kg)");
	check_number(checks, d, m, "net_kg", 0.005, 1.0, "net weight (kg)");
	check_number(checks, d, m, "packages", 0, 0.5, "number of packages");
	check_set(checks, d, m, "containers", "container numbers");
	check_string(checks, d, m, "bl_no", "B/L number");
	check_string(checks, d, m, "invoice_no", "invoice number");
	check_string(checks, d, m, "incoterm", "Incoterm");
	check_string(checks, d, m, "origin", "country of origin");
	check_set(checks, d, m, "hs", "HS codes (subheadings) of the items");
	check_qty(checks, d, m);
	json_t *decl = NULL;
	if (!declp)   /* the cross-checks only (sc-join, which has the declaration as filed) */
		goto out;

	decl = json_object();
	json_t *v;
	const char *idsrc = NULL;
	if ((v = pick(d, m, "customs_no", NULL)))
		idsrc = json_string_value(v);
	else if ((v = pick(d, m, "invoice_no", NULL)))
		idsrc = json_string_value(v);
	else if ((v = pick(d, m, "bl_no", NULL)))
		idsrc = json_string_value(v);
	if (idsrc)
		json_object_set_new(decl, "id", json_string(idsrc));
	else if (m && json_object_get(json_array_get(docs, (size_t)d[0].idx), "id"))
		json_object_set(decl, "id", json_object_get(json_array_get(docs, (size_t)d[0].idx), "id"));
	set_if(decl, "date", pick(d, m, "date", NULL));
	set_if(decl, "office", pick(d, m, "office", NULL));
	static const char *const IMP[] = {"buyer", "consignee", NULL}, *const EXP[] = {"seller", NULL},
	                         *const DECL[] = {"declarant", NULL};
	json_t *pt;
	if ((pt = party(d, m, IMP)))
		json_object_set_new(decl, "importer", pt);
	if ((pt = party(d, m, EXP)))
		json_object_set_new(decl, "exporter", pt);
	if ((pt = party(d, m, DECL)))
		json_object_set_new(decl, "declarant", pt);
	/* the seller as the invoice names it */
	for (int k = 0; k < m; k++)
		if (d[k].type && strcmp(d[k].type, "invoice") == 0) {
			static const char *const S[] = {"seller", NULL};
			struct dref one = d[k];
			if ((pt = party(&one, 1, S)))
				json_object_set_new(decl, "seller", pt);
			break;
		}
	set_if(decl, "origin", pick(d, m, "origin", NULL));
	set_if(decl, "dispatch", pick(d, m, "dispatch", NULL));
	if (!json_object_get(decl, "dispatch")) {
		json_t *ex = json_object_get(decl, "exporter");
		set_if(decl, "dispatch", json_object_get(ex, "country"));
	}
	set_if(decl, "port_loading", pick(d, m, "port_loading", NULL));
	set_if(decl, "port_discharge", pick(d, m, "port_discharge", NULL));
	json_t *tr = json_object();
	json_t *vessel = pick(d, m, "vessel", NULL), *voy = pick(d, m, "voyage", NULL);
	if (vessel || voy)
		json_object_set_new(tr, "mode", json_string("sea"));
	set_if(tr, "vessel", vessel);
	set_if(tr, "voyage", voy);
	if (json_object_size(tr))
		json_object_set_new(decl, "transport", tr);
	else
		json_decref(tr);
	/* containers: the union over the documents, sorted */
	json_t *all = json_array();
	for (int k = 0; k < m; k++) {
		json_t *s = set_of(d[k].parse, "containers");
		size_t q;
		json_t *x;
		json_array_foreach(s, q, x) {
			size_t r;
			json_t *y;
			int dup = 0;
			json_array_foreach(all, r, y)
				dup |= json_equal(x, y);
			if (!dup)
				json_array_append(all, x);
		}
		json_decref(s);
	}
	if (json_array_size(all)) {
		const char *tmp[256];
		size_t na = 0, q;
		json_t *x;
		json_array_foreach(all, q, x)
			if (na < 256)
				tmp[na++] = json_string_value(x);
		qsort(tmp, na, sizeof *tmp, cmp_str);
		json_t *sorted = json_array();
		for (q = 0; q < na; q++)
			json_array_append_new(sorted, json_string(tmp[q]));
		json_object_set_new(decl, "containers", sorted);
	}
	json_decref(all);
	set_if(decl, "bl_no", pick(d, m, "bl_no", NULL));
	set_if(decl, "invoice_no", pick(d, m, "invoice_no", NULL));
	set_if(decl, "incoterm", pick(d, m, "incoterm", NULL));
	set_if(decl, "currency", pick(d, m, "currency", NULL));
	set_if(decl, "total_value", pick(d, m, "total", NULL));
	set_if(decl, "gross_kg", pick(d, m, "gross_kg", NULL));
	set_if(decl, "net_kg", pick(d, m, "net_kg", NULL));
	set_if(decl, "packages", pick(d, m, "packages", NULL));
	/* items: the declaration's, else the invoice's, else any */
	json_t *items = json_array();
	for (int k = 0; k < m; k++) {
		json_t *its = json_object_get(d[k].parse, "items");
		if (!json_array_size(its))
			continue;
		size_t q;
		json_t *x;
		json_array_foreach(its, q, x) {
			json_t *it = json_object();
			set_if(it, "hs", json_object_get(x, "hs"));
			set_if(it, "description", json_object_get(x, "description"));
			set_if(it, "origin", json_object_get(x, "origin"));
			if (!json_object_get(it, "origin"))
				set_if(it, "origin", json_object_get(decl, "origin"));
			set_if(it, "qty", json_object_get(x, "qty"));
			set_if(it, "unit", json_object_get(x, "unit"));
			set_if(it, "net_kg", json_object_get(x, "net_kg"));
			set_if(it, "gross_kg", json_object_get(x, "gross_kg"));
			set_if(it, "value", json_object_get(x, "amount"));
			set_if(it, "currency", json_object_get(x, "currency"));
			if (!json_object_get(it, "currency"))
				set_if(it, "currency", json_object_get(decl, "currency"));
			json_array_append_new(items, it);
		}
		break;
	}
	json_object_set_new(decl, "items", items);
	*declp = decl;

out:
	json_object_set_new(out, "v", json_integer(1));
	json_object_set_new(out, "type", json_string("consignment"));
	json_object_set_new(out, "documents", list);
	json_object_set_new(out, "checks", checks);
	free(d);
	return out;
}
