/*
 * parse_tmpl.c - parse templates (the YAML files under rules/parse) into one compiled label
 * trie: field labels, item column headers, document-type phrases and table
 * ends of every template, English and Chinese, found in one pass over a page.
 * Every error names file:line:col (through lib/yamltree.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errcode.h"
#include "parse_int.h"
#include "yamltree.h"

const char *const sc_kind_names[K__N] = {
	"text", "ref", "date", "amount", "money", "weight", "int", "country", "port", "incoterm",
	"currency", "party", "hs", "unit", "qty_unit", "stack", "seals", "ignore",
};

/* Kinds of the standard fields, so a template may name a field without a kind. */
static const struct {
	const char *name;
	enum kind kind;
} DEFAULT_KINDS[] = {
	{"doc_no", K_REF}, {"date", K_DATE}, {"invoice_no", K_REF}, {"bl_no", K_REF},
	{"contract_no", K_REF}, {"customs_no", K_REF}, {"pre_entry_no", K_REF}, {"seller", K_PARTY},
	{"buyer", K_PARTY}, {"consignee", K_PARTY}, {"notify", K_PARTY}, {"declarant", K_PARTY},
	{"consumer", K_PARTY}, {"total", K_MONEY}, {"subtotal", K_MONEY}, {"freight", K_MONEY},
	{"insurance", K_MONEY}, {"currency", K_CURRENCY}, {"gross_kg", K_WEIGHT},
	{"net_kg", K_WEIGHT}, {"packages", K_INT}, {"origin", K_COUNTRY}, {"dispatch", K_COUNTRY},
	{"trade_country", K_COUNTRY}, {"incoterm", K_INCOTERM}, {"port_loading", K_PORT},
	{"port_discharge", K_PORT}, {"port_entry", K_TEXT}, {"vessel", K_TEXT}, {"voyage", K_REF},
	{"seals", K_SEALS}, {"office", K_TEXT}, {"transport", K_TEXT}, {"regime", K_TEXT},
	{"arrival_date", K_DATE}, {"package_kind", K_TEXT}, {"coo_no", K_REF},
};

static int kind_by_name(const char *s)
{
	for (int k = 0; k < K__N; k++)
		if (strcmp(sc_kind_names[k], s) == 0)
			return k;
	return -1;
}

static int default_kind(const char *field)
{
	for (size_t k = 0; k < sizeof DEFAULT_KINDS / sizeof DEFAULT_KINDS[0]; k++)
		if (strcmp(DEFAULT_KINDS[k].name, field) == 0)
			return DEFAULT_KINDS[k].kind;
	return -1;
}

/* Item keys a column may fill. */
static const char *const ITEM_KEYS[] = {"no", "description", "hs", "qty", "unit", "qty_unit",
                                        "unit_price", "amount", "net_kg", "gross_kg", "packages",
                                        "origin", "currency", "ignore", NULL};

static int item_key_ok(const char *s)
{
	for (int k = 0; ITEM_KEYS[k]; k++)
		if (strcmp(ITEM_KEYS[k], s) == 0)
			return 1;
	return 0;
}

struct sc_parse *sc_parse_new(void)
{
	struct sc_parse *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->common = -1;
	p->ports = sc_ports_new();
	if (!p->ports) {
		free(p);
		return NULL;
	}
	return p;
}

void sc_parse_set_model(struct sc_parse *p, struct sc_pmodel *m)
{
	sc_pmodel_free(p->model);
	p->model = m;
}

void sc_parse_free(struct sc_parse *p)
{
	if (!p)
		return;
	for (int k = 0; k < p->nt; k++) {
		free(p->t[k].fields);
		free(p->t[k].cols);
	}
	free(p->t);
	for (int k = 0; k < p->npend; k++)
		free(p->pend[k].text);
	free(p->pend);
	free(p->nodes);
	free(p->uses);
	sc_ports_free(p->ports);
	sc_hs_free(p->hs);
	sc_pmodel_free(p->model);
	free(p);
}

void sc_parse_set_mdy(struct sc_parse *p, int mdy)
{
	p->mdy = mdy;
}

int sc_parse_set_hs(struct sc_parse *p, const char *path, struct sc_error *err)
{
	struct sc_hs *h = sc_hs_load(path, err);
	if (!h)
		return -1;
	sc_hs_free(p->hs);
	p->hs = h;
	return 0;
}

/* ---- folding ------------------------------------------------------------- */

size_t sc_text_fold(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0xef && i + 2 < n && ((unsigned char)s[i + 1] == 0xbc || (unsigned char)s[i + 1] == 0xbd)) {
			/* U+FF01..U+FF5E fullwidth ASCII */
			unsigned cp = 0xf000 + (((unsigned char)s[i + 1] & 0x3fu) << 6) + ((unsigned char)s[i + 2] & 0x3fu);
			if (cp >= 0xff01 && cp <= 0xff5e) {
				out[o++] = (char)(cp - 0xff01 + 0x21);
				i += 3;
				continue;
			}
		}
		if (c == 0xe3 && i + 2 < n && (unsigned char)s[i + 1] == 0x80) {
			unsigned char d = (unsigned char)s[i + 2];
			char r = d == 0x80 ? ' ' : d == 0x81 ? ',' : d == 0x82 ? '.' : 0;  /* 　、。 */
			if (r) {
				out[o++] = r;
				i += 3;
				continue;
			}
		}
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0) {
			out[o++] = ' ';
			i += 2;
			continue;
		}
		if (c == '\t' || c == '\r' || c == '\f' || c == '\v')
			c = ' ';
		out[o++] = (char)c;
		i++;
	}
	out[o] = '\0';
	return o;
}

/* A label as the trie holds it: folded, ASCII lower case, single spaces, trimmed. */
static char *label_norm(const char *s)
{
	size_t n = strlen(s);
	char *f = malloc(3 * n + 1), *o;
	if (!f)
		return NULL;
	sc_text_fold(s, n, f);
	o = f;
	int sp = 1;
	for (char *q = f; *q; q++) {
		char c = *q;
		if (c == ' ') {
			if (!sp)
				*o++ = ' ';
			sp = 1;
			continue;
		}
		sp = 0;
		*o++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	while (o > f && o[-1] == ' ')
		o--;
	*o = '\0';
	return f;
}

static int add_pending(struct sc_parse *p, const char *text, struct use u)
{
	if (p->npend == p->cappend) {
		int nc = p->cappend ? p->cappend * 2 : 256;
		struct pending *np = realloc(p->pend, (size_t)nc * sizeof *np);
		if (!np)
			return -1;
		p->pend = np, p->cappend = nc;
	}
	char *t = label_norm(text);
	if (!t)
		return -1;
	if (!*t) {
		free(t);
		return 0;
	}
	p->pend[p->npend].text = t;
	p->pend[p->npend].u = u;
	p->npend++;
	return 0;
}

/* ---- loading ------------------------------------------------------------- */

static int str_list(const struct sc_yaml *y, json_t *v, const char *what, struct sc_error *err)
{
	size_t i;
	json_t *x;
	if (json_is_string(v))
		return 0;
	if (!json_is_array(v))
		return sc_yaml_error(y, v, err, "bad-template", "%s: expected a list of strings", what);
	json_array_foreach(v, i, x)
		if (!json_is_string(x))
			return sc_yaml_error(y, x, err, "bad-template", "%s: expected a string", what);
	return 0;
}

static int add_labels(struct sc_parse *p, const struct sc_yaml *y, json_t *labels, struct use u,
                      struct sc_error *err)
{
	size_t i;
	json_t *x;
	if (str_list(y, labels, "labels", err) < 0)
		return -1;
	if (json_is_string(labels))
		return add_pending(p, json_string_value(labels), u);
	json_array_foreach(labels, i, x) {
		u.rank = (unsigned short)i;
		if (add_pending(p, json_string_value(x), u) < 0)
			return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	}
	return 0;
}

static int load_field(struct sc_parse *p, const struct sc_yaml *y, int ti, const char *name, json_t *spec,
                      int is_col, struct sc_error *err)
{
	struct tmpl *t = &p->t[ti];
	struct field f;
	memset(&f, 0, sizeof f);
	if (strlen(name) >= sizeof f.name)
		return sc_yaml_error(y, spec, err, "bad-template", "name too long: \"%s\"", name);
	snprintf(f.name, sizeof f.name, "%s", name);
	if (!json_is_object(spec))
		return sc_yaml_error(y, spec, err, "bad-template", "%s \"%s\": expected a mapping",
		                     is_col ? "column" : "field", name);
	if (is_col && !item_key_ok(name))
		return sc_yaml_error(y, spec, err, "bad-template",
		                     "unknown item column \"%s\" (no, description, hs, qty, unit, qty_unit, "
		                     "unit_price, amount, net_kg, gross_kg, packages, origin, currency, ignore)",
		                     name);
	int kind = -1;
	json_t *labels = NULL;
	const char *key;
	json_t *v;
	json_object_foreach(spec, key, v) {
		if (strcmp(key, "kind") == 0) {
			if (!json_is_string(v) || (kind = kind_by_name(json_string_value(v))) < 0)
				return sc_yaml_error(y, v, err, "bad-template", "unknown kind \"%s\"",
				                     json_is_string(v) ? json_string_value(v) : "?");
		} else if (strcmp(key, "labels") == 0) {
			labels = v;
		} else if (strcmp(key, "pick") == 0) {
			const char *s = json_string_value(v);
			if (!s || (strcmp(s, "first") && strcmp(s, "last")))
				return sc_yaml_error(y, v, err, "bad-template", "pick: expected first or last");
			f.pick_last = strcmp(s, "last") == 0;
		} else if (strcmp(key, "below") == 0) {
			if (!json_is_boolean(v))
				return sc_yaml_error(y, v, err, "bad-template", "below: expected true or false");
			f.below = json_is_true(v);
		} else if (strcmp(key, "stack") == 0 && is_col) {
			size_t i;
			json_t *x;
			if (!json_is_array(v) || json_array_size(v) > MAX_STACK)
				return sc_yaml_error(y, v, err, "bad-template", "stack: expected a list of up to %d item keys",
				                     MAX_STACK);
			json_array_foreach(v, i, x) {
				if (!json_is_string(x) || !item_key_ok(json_string_value(x)))
					return sc_yaml_error(y, x, err, "bad-template", "stack: unknown item key");
				snprintf(f.stack[i], sizeof f.stack[i], "%s", json_string_value(x));
			}
			f.nstack = (int)json_array_size(v);
		} else {
			int line, col;
			sc_yaml_key_where(y, spec, key, &line, &col);
			return sc_error_set(err, sc_yaml_name(y), line, col, "bad-template", "unknown key \"%s\"", key);
		}
	}
	if (kind < 0)
		kind = is_col ? (strcmp(name, "description") == 0 ? K_TEXT : -1) : default_kind(name);
	if (kind < 0 && is_col) {
		static const struct { const char *n; enum kind k; } CK[] = {
			{"no", K_INT}, {"hs", K_HS}, {"qty", K_AMOUNT}, {"unit", K_UNIT}, {"qty_unit", K_QTY_UNIT},
			{"unit_price", K_AMOUNT}, {"amount", K_AMOUNT}, {"net_kg", K_WEIGHT}, {"gross_kg", K_WEIGHT},
			{"packages", K_INT}, {"origin", K_COUNTRY}, {"currency", K_CURRENCY}, {"ignore", K_IGNORE}};
		for (size_t k = 0; k < sizeof CK / sizeof CK[0]; k++)
			if (strcmp(CK[k].n, name) == 0)
				kind = CK[k].k;
		if (f.nstack)
			kind = K_STACK;
	}
	if (kind < 0)
		return sc_yaml_error(y, spec, err, "bad-template", "field \"%s\": no kind given and none known", name);
	f.kind = (enum kind)kind;
	if (!labels)
		return sc_yaml_error(y, spec, err, "bad-template", "%s \"%s\": labels missing",
		                     is_col ? "column" : "field", name);
	struct field **arr = is_col ? &t->cols : &t->fields;
	int *cnt = is_col ? &t->ncols : &t->nfields;
	if (*cnt >= 1000)
		return sc_yaml_error(y, spec, err, "bad-template", "too many fields");
	struct field *na = realloc(*arr, (size_t)(*cnt + 1) * sizeof *na);
	if (!na)
		return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	*arr = na;
	na[*cnt] = f;
	struct use u = {(unsigned short)ti, is_col ? U_COLUMN : U_FIELD, (unsigned short)*cnt, 0, 0};
	(*cnt)++;
	return add_labels(p, y, labels, u, err);
}

static int load_phrases(struct sc_parse *p, const struct sc_yaml *y, int ti, json_t *v, int kind,
                        struct sc_error *err)
{
	const char *key;
	json_t *w;
	if (!json_is_object(v))
		return sc_yaml_error(y, v, err, "bad-template", "expected a mapping of phrase: weight");
	json_object_foreach(v, key, w) {
		if (!json_is_number(w))
			return sc_yaml_error(y, w, err, "bad-template", "weight of \"%s\": expected a number", key);
		struct use u = {(unsigned short)ti, (unsigned char)kind, 0, 0, (float)json_number_value(w)};
		if (add_pending(p, key, u) < 0)
			return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	}
	return 0;
}

static int load_ports(struct sc_parse *p, const struct sc_yaml *y, json_t *v, struct sc_error *err)
{
	const char *code;
	json_t *names;
	if (!json_is_object(v))
		return sc_yaml_error(y, v, err, "bad-table", "ports: expected a mapping of LOCODE: [names]");
	json_object_foreach(v, code, names) {
		if (strlen(code) != 5) {
			int line, col;
			sc_yaml_key_where(y, v, code, &line, &col);
			return sc_error_set(err, sc_yaml_name(y), line, col, "bad-table",
			                    "\"%s\" is not a UN/LOCODE (five characters)", code);
		}
		if (str_list(y, names, "port names", err) < 0)
			return -1;
		size_t i;
		json_t *x;
		if (json_is_string(names)) {
			if (sc_ports_add(p->ports, code, json_string_value(names)) < 0)
				return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		}
		json_array_foreach(names, i, x)
			if (sc_ports_add(p->ports, code, json_string_value(x)) < 0)
				return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	}
	return 0;
}

static int load_root(struct sc_parse *p, const struct sc_yaml *y, struct sc_error *err)
{
	json_t *root = sc_yaml_root(y);
	const char *key;
	json_t *v;
	const char *name = sc_yaml_name(y);

	if (!json_is_object(root))
		return sc_error_set(err, name, 1, 1, "bad-template", "expected a mapping at the top");
	json_t *type = json_object_get(root, "type");
	if (!type) {
		/* a table file */
		json_object_foreach(root, key, v) {
			if (strcmp(key, "ports") == 0) {
				if (load_ports(p, y, v, err) < 0)
					return -1;
			} else {
				int line, col;
				sc_yaml_key_where(y, root, key, &line, &col);
				return sc_error_set(err, name, line, col, "bad-template",
				                    "unknown key \"%s\" (a template needs type:, a table ports:)", key);
			}
		}
		return 0;
	}
	if (!json_is_string(type) || strlen(json_string_value(type)) >= 32)
		return sc_yaml_error(y, type, err, "bad-template", "type: expected a short name");
	if (p->nt == p->capt) {
		int nc = p->capt ? p->capt * 2 : 8;
		if (nc > 4096)
			return sc_error_set(err, name, 0, 0, "bad-template", "too many templates");
		struct tmpl *nt = realloc(p->t, (size_t)nc * sizeof *nt);
		if (!nt)
			return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		p->t = nt, p->capt = nc;
	}
	int ti = p->nt++;
	struct tmpl *t = &p->t[ti];
	memset(t, 0, sizeof *t);
	snprintf(t->type, sizeof t->type, "%s", json_string_value(type));
	snprintf(t->file, sizeof t->file, "%s", name);
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	snprintf(t->name, sizeof t->name, "%.*s", (int)strcspn(base, "."), base);
	t->min_score = 6;
	if (strcmp(t->type, "common") == 0) {
		if (p->common >= 0)
			return sc_yaml_error(y, type, err, "bad-template", "a second common template (first in %s)",
			                     p->t[p->common].file);
		p->common = ti;
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "type") == 0)
			continue;
		if (strcmp(key, "template") == 0) {
			if (!json_is_string(v))
				return sc_yaml_error(y, v, err, "bad-template", "template: expected a name");
			snprintf(t->name, sizeof t->name, "%s", json_string_value(v));
		} else if (strcmp(key, "min_score") == 0) {
			if (!json_is_number(v))
				return sc_yaml_error(y, v, err, "bad-template", "min_score: expected a number");
			t->min_score = json_number_value(v);
		} else if (strcmp(key, "date_order") == 0) {
			const char *s = json_string_value(v);
			if (!s || (strcmp(s, "dmy") && strcmp(s, "mdy")))
				return sc_yaml_error(y, v, err, "bad-template", "date_order: expected dmy or mdy");
			t->mdy = strcmp(s, "mdy") == 0;
		} else if (strcmp(key, "detect") == 0 || strcmp(key, "title") == 0) {
			if (load_phrases(p, y, ti, v, key[0] == 'd' ? U_DETECT : U_TITLE, err) < 0)
				return -1;
		} else if (strcmp(key, "fields") == 0) {
			const char *fk;
			json_t *fv;
			if (!json_is_object(v))
				return sc_yaml_error(y, v, err, "bad-template", "fields: expected a mapping");
			json_object_foreach(v, fk, fv)
				if (load_field(p, y, ti, fk, fv, 0, err) < 0)
					return -1;
		} else if (strcmp(key, "items") == 0) {
			const char *ik;
			json_t *iv;
			if (!json_is_object(v))
				return sc_yaml_error(y, v, err, "bad-template", "items: expected a mapping");
			json_object_foreach(v, ik, iv) {
				if (strcmp(ik, "columns") == 0) {
					const char *ck;
					json_t *cv;
					if (!json_is_object(iv))
						return sc_yaml_error(y, iv, err, "bad-template", "columns: expected a mapping");
					json_object_foreach(iv, ck, cv)
						if (load_field(p, y, ti, ck, cv, 1, err) < 0)
							return -1;
				} else if (strcmp(ik, "end") == 0) {
					struct use u = {(unsigned short)ti, U_END, 0, 0, 0};
					if (add_labels(p, y, iv, u, err) < 0)
						return -1;
				} else {
					int line, col;
					sc_yaml_key_where(y, v, ik, &line, &col);
					return sc_error_set(err, name, line, col, "bad-template",
					                    "unknown key \"%s\" under items (columns, end)", ik);
				}
			}
		} else if (strcmp(key, "ports") == 0) {
			if (load_ports(p, y, v, err) < 0)
				return -1;
		} else {
			int line, col;
			sc_yaml_key_where(y, root, key, &line, &col);
			return sc_error_set(err, name, line, col, "bad-template", "unknown key \"%s\"", key);
		}
	}
	return 0;
}

int sc_parse_add_buffer(struct sc_parse *p, const char *name, const char *buf, size_t len,
                        struct sc_error *err)
{
	struct sc_yaml *y = sc_yaml_load_buffer(name, buf, len, err);
	if (!y)
		return -1;
	int rc = load_root(p, y, err);
	sc_yaml_free(y);
	return rc;
}

int sc_parse_add_file(struct sc_parse *p, const char *path, struct sc_error *err)
{
	struct sc_yaml *y = sc_yaml_load_file(path, err);
	if (!y)
		return -1;
	int rc = load_root(p, y, err);
	sc_yaml_free(y);
	return rc;
}

/* ---- the trie ------------------------------------------------------------ */

static int new_node(struct sc_parse *p, unsigned char b)
{
	if (p->nnodes == p->capn) {
		int nc = p->capn ? p->capn * 2 : 1024;
		struct tnode *nn = realloc(p->nodes, (size_t)nc * sizeof *nn);
		if (!nn)
			return -1;
		p->nodes = nn, p->capn = nc;
	}
	struct tnode *n = &p->nodes[p->nnodes];
	n->first_child = n->next_sibling = -1;
	n->byte = b;
	n->uses_at = n->nuses = 0;
	return p->nnodes++;
}

static int child(const struct sc_parse *p, int node, unsigned char b)
{
	for (int c = p->nodes[node].first_child; c >= 0; c = p->nodes[c].next_sibling)
		if (p->nodes[c].byte == b)
			return c;
	return -1;
}

static int insert(struct sc_parse *p, const char *s)
{
	int node = 0;
	for (; *s; s++) {
		int c = child(p, node, (unsigned char)*s);
		if (c < 0) {
			c = new_node(p, (unsigned char)*s);
			if (c < 0)
				return -1;
			p->nodes[c].next_sibling = p->nodes[node].first_child;
			p->nodes[node].first_child = c;
		}
		node = c;
	}
	return node;
}

static int cmp_node(const void *a, const void *b)
{
	const int *x = a, *y = b;
	return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

int sc_parse_compile(struct sc_parse *p, struct sc_error *err)
{
	if (p->compiled)
		return 0;
	if (p->nt == 0)
		return sc_error_set(err, NULL, 0, 0, "no-templates", "no parse templates loaded");
	if (new_node(p, 0) < 0)
		return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	int *pairs = malloc((size_t)(p->npend ? p->npend : 1) * 2 * sizeof *pairs);
	if (!pairs)
		return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	for (int k = 0; k < p->npend; k++) {
		int node = insert(p, p->pend[k].text);
		if (node < 0) {
			free(pairs);
			return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		}
		pairs[2 * k] = node, pairs[2 * k + 1] = k;
	}
	qsort(pairs, (size_t)p->npend, 2 * sizeof *pairs, cmp_node);
	p->uses = malloc((size_t)(p->npend ? p->npend : 1) * sizeof *p->uses);
	if (!p->uses) {
		free(pairs);
		return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	}
	for (int k = 0; k < p->npend; k++) {
		int node = pairs[2 * k];
		if (p->nodes[node].nuses == 0)
			p->nodes[node].uses_at = k;
		p->nodes[node].nuses++;
		p->uses[k] = p->pend[pairs[2 * k + 1]].u;
	}
	p->nuses = p->npend;
	free(pairs);
	for (int k = 0; k < p->npend; k++)
		free(p->pend[k].text);
	free(p->pend);
	p->pend = NULL;
	p->npend = p->cappend = 0;
	p->compiled = 1;
	return 0;
}

static int alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void sc_trie_walk(const struct sc_parse *p, const char *s, size_t n, size_t i, sc_hit_fn cb, void *ctx)
{
	int node = 0;
	size_t j = i;
	while (j < n) {
		unsigned char c = (unsigned char)s[j];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		int nx = child(p, node, c);
		if (nx < 0)
			return;
		node = nx;
		j++;
		if (c == ' ')
			while (j < n && s[j] == ' ')
				j++;
		const struct tnode *t = &p->nodes[node];
		if (t->nuses && (!alnum(c) || j >= n || !alnum((unsigned char)s[j])))
			cb(ctx, j, &p->uses[t->uses_at], t->nuses);
	}
}

/* ---- loading a directory --------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int sc_parse_add_dir(struct sc_parse *p, const char *dir, struct sc_error *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return sc_error_set(err, dir, 0, 0, "no-templates", "cannot open the template directory");
	char **names = NULL;
	size_t nn = 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		size_t L = strlen(e->d_name);
		if (L < 6 || strcmp(e->d_name + L - 5, ".yaml") != 0 || e->d_name[0] == '.')
			continue;
		char **nv = realloc(names, (nn + 1) * sizeof *nv);
		if (!nv) {
			rc = -1;
			break;
		}
		names = nv;
		names[nn] = malloc(strlen(dir) + L + 2);
		if (!names[nn]) {
			rc = -1;
			break;
		}
		sprintf(names[nn], "%s/%s", dir, e->d_name);
		nn++;
	}
	closedir(d);
	if (rc < 0)
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
	/* in name order, so the result never depends on the directory's order */
	if (names)
		qsort(names, nn, sizeof *names, cmp_str);
	for (size_t k = 0; k < nn; k++) {
		if (rc == 0 && sc_parse_add_file(p, names[k], err) < 0)
			rc = -1;
		free(names[k]);
	}
	free(names);
	return rc;
}

struct sc_parse *sc_parse_load(const char *dir, struct sc_error *err)
{
	struct sc_parse *p = sc_parse_new();
	if (!p) {
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	if (sc_parse_add_dir(p, dir, err) < 0 || sc_parse_compile(p, err) < 0) {
		sc_parse_free(p);
		return NULL;
	}
	return p;
}

struct sc_parse *sc_parse_open(const char *dir, const char *const *extra, int nextra, const char *hs, int mdy,
                               const char *model, int no_model, struct sc_error *err)
{
	struct sc_parse *p = sc_parse_new();
	if (!p) {
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	int ok = sc_parse_add_dir(p, dir, err) == 0;
	for (int k = 0; ok && k < nextra; k++)
		ok = sc_parse_add_file(p, extra[k], err) == 0;
	ok = ok && sc_parse_compile(p, err) == 0 && (!hs || sc_parse_set_hs(p, hs, err) == 0);
	if (!ok) {
		sc_parse_free(p);
		return NULL;
	}
	sc_parse_set_mdy(p, mdy);
	char mpath[4200];
	if (!model && !no_model) {
		snprintf(mpath, sizeof mpath, "%s/model.scpm", dir);
		if (access(mpath, F_OK) == 0)
			model = mpath;
	}
	if (model && !no_model) {
		struct sc_pmodel *m = sc_pmodel_load(model, err);
		if (!m) {
			sc_parse_free(p);
			return NULL;
		}
		sc_parse_set_model(p, m);
	}
	return p;
}
