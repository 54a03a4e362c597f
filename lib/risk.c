/*
 * risk.c - rule packs: a folder of YAML files read into rules, lanes, tables,
 * screening lists and test cases, with every problem reported at its place
 * (sc-risk check); scoring one declaration; running the pack's own cases.
 * Packs cannot reach outside their folder and the shipped data directory.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "hash.h"
#include "risk.h"
#include "risk_screen.h"
#include "learn_model.h"
#include "yamltree.h"

static const char *const lane_names[SC_NLANES] = {"green", "blue", "yellow", "red"};

const char *sc_lane_name(int lane)
{
	return lane >= 0 && lane < SC_NLANES ? lane_names[lane] : "none";
}

int sc_lane_parse(const char *s)
{
	for (int i = 0; s && i < SC_NLANES; i++)
		if (strcmp(s, lane_names[i]) == 0)
			return i;
	return -1;
}

/* ---- lint ----------------------------------------------------------------- */

void sc_lint_init(struct sc_lint *l)
{
	memset(l, 0, sizeof *l);
}

void sc_lint_free(struct sc_lint *l)
{
	free(l->e);
	free(l->severity);
	memset(l, 0, sizeof *l);
}

void sc_lint_add(struct sc_lint *l, int severity, const struct sc_error *e)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct sc_error *ne = realloc(l->e, nc * sizeof *ne);
		int *ns;
		if (!ne)
			return;
		l->e = ne;
		if (!(ns = realloc(l->severity, nc * sizeof *ns)))
			return;
		l->severity = ns;
		l->cap = nc;
	}
	l->e[l->n] = *e;
	l->severity[l->n] = severity;
	l->n++;
	if (severity == SC_LINT_ERROR)
		l->errors++;
	else
		l->warnings++;
}

/* ---- the pack ------------------------------------------------------------- */

struct rule {
	char *id, *title, *file;
	int line, col;
	struct sc_risk_expr *when;
	double score;
	int lane;
	struct sc_template *why;
	char **let_names;
	struct sc_risk_expr **lets;
	size_t nlets;
};

struct tcase {
	char *name, *file;
	int line;
	json_t *rec;    /* decl and the other namespaces the case gives */
	json_t *decl;   /* borrowed from rec */
	int lane;
	json_t *hits, *nots;
	int has_score;
	double smin, smax;
};

struct sc_pack {
	char *name, *version, *label, *seed;
	int defined[SC_NLANES];
	double min[SC_NLANES], rate[SC_NLANES];
	struct rule *rules;
	size_t nrules;
	struct sc_rtable **tables;
	size_t ntables;
	struct sc_risk_screen_ref *lists;
	size_t nlists;
	struct tcase *cases;
	size_t ncases;
	struct sc_learn_model *model;
	int unscored;                  /* the lane of a record that could not be fully scored */
	double model_thr[SC_NLANES];   /* 0: the lane is not given by the model */
	double model_frac[SC_NLANES];
};

/* ---- loading state -------------------------------------------------------- */

struct loader {
	struct sc_pack *p;
	struct sc_lint *lint;
	const struct sc_pack_opts *opts;
	char root[PATH_MAX], data[PATH_MAX];
	struct sc_yaml *files[SC_PACK_MAX_FILES];
	char *paths[SC_PACK_MAX_FILES];
	size_t nfiles;
	char *stack[64];
	int depth;
	char *src_name, *src;      /* the YAML text last looked at, for columns */
	size_t src_len;
	int lanes_seen;
};

static void lintv(struct loader *L, int sev, const char *file, int line, int col, const char *code,
                  const char *fmt, va_list ap)
{
	struct sc_error e;
	char msg[512];

	vsnprintf(msg, sizeof msg, fmt, ap);
	sc_error_set(&e, file, line, col, code, "%s", msg);
	sc_lint_add(L->lint, sev, &e);
}

static void at(struct loader *L, int sev, const struct sc_yaml *y, const json_t *node,
               const char *code, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void at(struct loader *L, int sev, const struct sc_yaml *y, const json_t *node,
               const char *code, const char *fmt, ...)
{
	int line = 0, col = 0;
	va_list ap;

	if (node)
		sc_yaml_where(y, node, &line, &col);
	va_start(ap, fmt);
	lintv(L, sev, sc_yaml_name(y), line, col, code, fmt, ap);
	va_end(ap);
}

static void at_key(struct loader *L, int sev, const struct sc_yaml *y, const json_t *obj,
                   const char *key, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static void at_key(struct loader *L, int sev, const struct sc_yaml *y, const json_t *obj,
                   const char *key, const char *code, const char *fmt, ...)
{
	int line = 0, col = 0;
	va_list ap;

	if (sc_yaml_key_where(y, obj, key, &line, &col) < 0)
		sc_yaml_where(y, obj, &line, &col);
	va_start(ap, fmt);
	lintv(L, sev, sc_yaml_name(y), line, col, code, fmt, ap);
	va_end(ap);
}

static void at_file(struct loader *L, int sev, const char *file, const char *code,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void at_file(struct loader *L, int sev, const char *file, const char *code,
                    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lintv(L, sev, file, 0, 0, code, fmt, ap);
	va_end(ap);
}

/* keys of obj not in allowed are errors */
static void known_keys(struct loader *L, const struct sc_yaml *y, const json_t *obj,
                       const char *const *allowed, const char *what)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		int ok = 0;
		for (int i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0)
				ok = 1;
		if (!ok) {
			char list[300];
			size_t u = 0;
			list[0] = '\0';
			for (int i = 0; allowed[i] && u + 2 < sizeof list; i++)
				u += (size_t)snprintf(list + u, sizeof list - u, "%s%s", i ? ", " : "", allowed[i]);
			at_key(L, SC_LINT_ERROR, y, obj, key, "unknown-key", "unknown key \"%s\" in %s (known: %s)",
			       key, what, list);
		}
	}
}

static const char *want_string(struct loader *L, const struct sc_yaml *y, const json_t *obj,
                               const char *key, int required, const char *what)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			at(L, SC_LINT_ERROR, y, obj, "missing-key", "%s needs \"%s\"", what, key);
		return NULL;
	}
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_number(v)) {
		/* version: 1.0 and id: 7 read as numbers; keep their text */
		static __thread char buf[64];
		if (json_is_integer(v))
			snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		else
			snprintf(buf, sizeof buf, "%g", json_real_value(v));
		return buf;
	}
	at_key(L, SC_LINT_ERROR, y, obj, key, "type", "\"%s\" of %s must be a string", key, what);
	return NULL;
}

/* ---- paths: only inside the pack folder or the data directory ------------- */

static int inside(const char *path, const char *root)
{
	size_t n = strlen(root);
	return n && strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Resolve rel against the folder of the YAML file y; 0 and out, or -1 (reported). */
static int resolve(struct loader *L, const struct sc_yaml *y, const json_t *node, const char *rel,
                   char *out)
{
	char joined[PATH_MAX * 2];
	const char *name = sc_yaml_name(y), *slash = strrchr(name, '/');

	if (rel[0] == '/')
		snprintf(joined, sizeof joined, "%s", rel);
	else if (slash)
		snprintf(joined, sizeof joined, "%.*s/%s", (int)(slash - name), name, rel);
	else
		snprintf(joined, sizeof joined, "%s", rel);
	if (!realpath(joined, out)) {
		at(L, SC_LINT_ERROR, y, node, "missing-file", "cannot open \"%s\": %s", rel, strerror(errno));
		return -1;
	}
	if (!inside(out, L->root) && !inside(out, L->data)) {
		at(L, SC_LINT_ERROR, y, node, "path-escape",
		   "\"%s\" is outside the pack and the data directory (name a user's file with -L NAME=PATH)", rel);
		return -1;
	}
	return 0;
}

/* ---- files and includes --------------------------------------------------- */

static void load_file(struct loader *L, const char *path, const struct sc_yaml *from,
                      const json_t *from_node);

/* a real path as messages show it: relative to the working directory when inside it */
static const char *shown(const char *real)
{
	static char cwd[PATH_MAX];
	size_t n;
	if (!cwd[0] && !getcwd(cwd, sizeof cwd))
		return real;
	n = strlen(cwd);
	if (strncmp(real, cwd, n) == 0 && real[n] == '/')
		return real + n + 1;
	return real;
}

static void includes(struct loader *L, const struct sc_yaml *y, const json_t *inc)
{
	size_t i;
	json_t *v;

	if (json_is_string(inc)) {
		char real[PATH_MAX];
		if (resolve(L, y, inc, json_string_value(inc), real) == 0)
			load_file(L, real, y, inc);
		return;
	}
	if (!json_is_array(inc)) {
		at(L, SC_LINT_ERROR, y, inc, "type", "\"include\" must be a file name or a list of them");
		return;
	}
	json_array_foreach(inc, i, v)
		includes(L, y, v);
}

static void load_file(struct loader *L, const char *real, const struct sc_yaml *from,
                      const json_t *from_node)
{
	struct sc_error err;
	struct sc_yaml *y;
	json_t *root;

	for (int i = 0; i < L->depth; i++)
		if (strcmp(L->stack[i], real) == 0) {
			char chain[1024];
			size_t u = 0;
			for (int k = i; k < L->depth && u + 2 < sizeof chain; k++) {
				const char *b = strrchr(L->stack[k], '/');
				u += (size_t)snprintf(chain + u, sizeof chain - u, "%s -> ", b ? b + 1 : L->stack[k]);
			}
			const char *b = strrchr(real, '/');
			snprintf(chain + u, sizeof chain - u, "%s", b ? b + 1 : real);
			at(L, SC_LINT_ERROR, from, from_node, "include-cycle", "include cycle: %s", chain);
			return;
		}
	for (size_t i = 0; i < L->nfiles; i++)
		if (strcmp(L->paths[i], real) == 0)
			return;   /* included twice: once is enough */
	if (L->nfiles >= SC_PACK_MAX_FILES || L->depth >= (int)(sizeof L->stack / sizeof L->stack[0])) {
		at(L, SC_LINT_ERROR, from, from_node, "too-many-files", "more than %d files in the pack", SC_PACK_MAX_FILES);
		return;
	}
	/* name the file as the user would: relative to where they are if possible */
	y = sc_yaml_load_file(shown(real), &err);
	if (!y) {
		if (!err.code[0])
			snprintf(err.code, sizeof err.code, "yaml");
		sc_lint_add(L->lint, SC_LINT_ERROR, &err);
		return;
	}
	L->files[L->nfiles] = y;
	L->paths[L->nfiles] = strdup(real);
	L->nfiles++;
	root = sc_yaml_root(y);
	if (json_is_null(root)) {
		at_file(L, SC_LINT_WARNING, sc_yaml_name(y), "empty-file", "the file is empty");
		return;
	}
	if (!json_is_object(root)) {
		at(L, SC_LINT_ERROR, y, root, "type", "a pack file must be a mapping of keys (pack, lanes, tables, lists, rules, tests, include, model)");
		return;
	}
	static const char *const top[] = {"pack", "lanes", "tables", "lists", "rules", "tests",
	                                  "include", "model", NULL};
	known_keys(L, y, root, top, "a pack file");
	if (json_object_get(root, "include")) {
		L->stack[L->depth++] = L->paths[L->nfiles - 1];
		includes(L, y, json_object_get(root, "include"));
		L->depth--;
	}
}

/* ---- metadata and lanes --------------------------------------------------- */

static void read_meta(struct loader *L, const struct sc_yaml *y, const json_t *m)
{
	static const char *const keys[] = {"name", "version", "description", NULL};
	const char *s;

	if (!json_is_object(m)) {
		at(L, SC_LINT_ERROR, y, m, "type", "\"pack\" must be a mapping (name, version, description)");
		return;
	}
	known_keys(L, y, m, keys, "pack");
	if (L->p->name) {
		at(L, SC_LINT_ERROR, y, m, "duplicate-id", "\"pack\" is given in more than one file");
		return;
	}
	if ((s = want_string(L, y, m, "name", 1, "pack")))
		L->p->name = strdup(s);
	if ((s = want_string(L, y, m, "version", 0, "pack")))
		L->p->version = strdup(s);
}

static int number(const json_t *v, double *d)
{
	if (!json_is_number(v))
		return 0;
	*d = json_number_value(v);
	return isfinite(*d);
}

static void read_lanes(struct loader *L, const struct sc_yaml *y, const json_t *m)
{
	const char *key;
	json_t *v;
	struct sc_pack *p = L->p;

	if (!json_is_object(m)) {
		at(L, SC_LINT_ERROR, y, m, "type", "\"lanes\" must be a mapping of lane names to thresholds");
		return;
	}
	json_object_foreach((json_t *)m, key, v) {
		int lane;
		double d;
		if (strcmp(key, "seed") == 0) {
			const char *s = want_string(L, y, m, "seed", 1, "lanes");
			if (s) {
				free(p->seed);
				p->seed = strdup(s);
			}
			continue;
		}
		if (strcmp(key, "unscored") == 0) {
			const char *s = json_string_value(v);
			int l = s ? sc_lane_parse(s) : -1;
			if (l <= SC_LANE_GREEN)
				at_key(L, SC_LINT_ERROR, y, m, key, "unknown-lane",
				       "\"unscored\" names the lane of records that could not be fully scored: blue, yellow or red");
			else
				p->unscored = l;
			continue;
		}
		if ((lane = sc_lane_parse(key)) < 0) {
			at_key(L, SC_LINT_ERROR, y, m, key, "unknown-lane",
			       "unknown lane \"%s\" (green, blue, yellow, red; or seed, unscored)", key);
			continue;
		}
		if (p->defined[lane]) {
			at_key(L, SC_LINT_ERROR, y, m, key, "duplicate-id", "lane \"%s\" is given twice", key);
			continue;
		}
		p->defined[lane] = 1;
		if (number(v, &d)) {
			p->min[lane] = d;
		} else if (json_is_object(v)) {
			static const char *const keys[] = {"min", "random", NULL};
			json_t *mn = json_object_get(v, "min"), *r = json_object_get(v, "random");
			known_keys(L, y, v, keys, "a lane");
			if (mn && !number(mn, &p->min[lane]))
				at(L, SC_LINT_ERROR, y, mn, "type", "\"min\" of lane %s must be a number", key);
			if (!mn && lane != SC_LANE_GREEN)
				at(L, SC_LINT_ERROR, y, v, "missing-key", "lane %s needs \"min\", the score at which it starts", key);
			if (r) {
				if (!number(r, &d) || d < 0 || d > 1)
					at(L, SC_LINT_ERROR, y, r, "random-rate", "\"random\" of lane %s must be a rate from 0 to 1 (0.02 is 2%%)", key);
				else
					p->rate[lane] = d;
			}
		} else {
			at(L, SC_LINT_ERROR, y, v, "type", "lane %s must be a number or a mapping {min, random}", key);
		}
		if (lane == SC_LANE_GREEN && p->min[lane] != 0)
			at(L, SC_LINT_WARNING, y, v, "green-min", "green is where scores below every other lane go; its \"min\" is ignored");
	}
	L->lanes_seen = 1;
}

/* ---- tables --------------------------------------------------------------- */

static void add_column(json_t *cols, const char *name)
{
	size_t i;
	json_t *c;
	json_array_foreach(cols, i, c)
		if (strcmp(json_string_value(c), name) == 0)
			return;
	json_array_append_new(cols, json_string(name));
}

static int key_text(const json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		return snprintf(buf, n, "%s", json_string_value(v)) < (int)n ? 0 : -1;
	if (json_is_integer(v))
		return snprintf(buf, n, "%lld", (long long)json_integer_value(v)), 0;
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d == floor(d) && fabs(d) < 1e15)
			snprintf(buf, n, "%.0f", d);
		else
			snprintf(buf, n, "%.2f", d);
		return 0;
	}
	return -1;
}

/* add one row under the key made of the columns in keys; 0, or -1 when a key column is missing */
static int add_row(struct sc_rtable *t, json_t *row, const json_t *keys, const json_t *also)
{
	char k[512];
	size_t u = 0, i;
	json_t *kc;
	const char *col;
	json_t *v;

	json_object_foreach(row, col, v)
		add_column(t->columns, col);
	json_array_foreach(keys, i, kc) {
		json_t *cell = json_object_get(row, json_string_value(kc));
		char one[256];
		if (!cell || key_text(cell, one, sizeof one) < 0)
			return -1;
		u += (size_t)snprintf(k + u, sizeof k - u, "%s%s", i ? "|" : "", one);
		if (u >= sizeof k)
			return -1;
	}
	if (!json_object_get(t->rows, k))
		json_object_set(t->rows, k, row);
	if (also) {
		json_t *names = json_object_get(row, json_string_value(also));
		if (json_is_array(names)) {
			json_array_foreach(names, i, v) {
				char one[256];
				if (key_text(v, one, sizeof one) == 0 && !json_object_get(t->rows, one))
					json_object_set(t->rows, one, row);
			}
		}
	}
	return 0;
}

static json_t *csv_cell(const char *s)
{
	char *end;
	double d;
	if (*s && strlen(s) < 40) {
		d = strtod(s, &end);
		/* "0101" stays a string: leading zeros mark a code, not a number */
		if (!*end && isfinite(d) && !(s[0] == '0' && s[1] && s[1] != '.'))
			return d == floor(d) && fabs(d) < 1e15 ? json_integer((json_int_t)d) : json_real(d);
	}
	return json_string(s);
}

/* A row the CSV reader refused, as a pack error at its file:line. */
static void table_row_error(struct loader *L, const char *path, const struct sc_error *row)
{
	struct sc_error e;

	sc_error_set(&e, shown(path), row->line, row->col, "bad-table", "%s", row->msg);
	sc_lint_add(L->lint, SC_LINT_ERROR, &e);
}

/* The CSV file of a pack table (lib/csv.c: RFC 4180, comma-separated, a
 * header line naming the columns): its rows into t. A bad row is an error
 * of the pack at its file:line, and the table stops there. */
static int table_csv(struct loader *L, const struct sc_yaml *y, const json_t *node, struct sc_rtable *t,
                     const char *path, const json_t *keys, const json_t *also)
{
	const struct sc_csv_opts copts = {.delim = ',', .no_recovery = 1};
	unsigned char *data;
	size_t len, nf, nh = 0;
	struct sc_error err;
	struct sc_csv *csv;
	char **f, *head[64];
	int st;

	if (sc_read_file(path, SC_PACK_MAX_TABLE_BYTES, &data, &len, &err) < 0) {
		at(L, SC_LINT_ERROR, y, node, "bad-table", "%s", err.msg);
		return -1;
	}
	if (!(csv = sc_csv_open_buffer(shown(path), (const char *)data, len, &copts, &err))) {
		free(data);
		at(L, SC_LINT_ERROR, y, node, "bad-table", "%s", err.msg);
		return -1;
	}
	if ((st = sc_csv_next(csv, &nf, &f, &err)) <= 0) {
		if (st < 0)
			table_row_error(L, path, &err);
		else
			at_file(L, SC_LINT_ERROR, path, "bad-table", "no header line");
		sc_csv_free(csv);
		free(data);
		return -1;
	}
	for (size_t i = 0; i < nf && nh < 64; i++)
		head[nh++] = strdup(f[i]);
	while ((st = sc_csv_next(csv, &nf, &f, &err)) != 0) {
		json_t *row;
		if (st < 0) {
			table_row_error(L, path, &err);
			break;
		}
		if (nf == 1 && !f[0][0])
			continue;
		row = json_object();
		for (size_t i = 0; i < nf && i < nh; i++)
			json_object_set_new(row, head[i] ? head[i] : "", csv_cell(f[i]));
		if (add_row(t, row, keys, also) < 0) {
			struct sc_error e;
			sc_error_set(&e, shown(path), (int)sc_csv_line(csv), 0, "bad-table", "a key column of table \"%s\" is empty or missing", t->name);
			sc_lint_add(L->lint, SC_LINT_ERROR, &e);
			json_decref(row);
			break;
		}
		json_decref(row);
	}
	for (size_t i = 0; i < nh; i++)
		free(head[i]);
	sc_csv_free(csv);
	free(data);
	return 0;
}

static void rows_into(struct loader *L, const struct sc_yaml *y, struct sc_rtable *t, const json_t *rows,
                      const json_t *keys, const json_t *also)
{
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		if (!json_is_object(row)) {
			at(L, SC_LINT_ERROR, y, row, "type", "a row of table \"%s\" must be a mapping", t->name);
			continue;
		}
		if (add_row(t, row, keys, also) < 0) {
			char kn[200];
			size_t u = 0, k;
			json_t *kc;
			kn[0] = '\0';
			json_array_foreach(keys, k, kc)
				u += (size_t)snprintf(kn + u, sizeof kn - u, "%s%s", k ? ", " : "", json_string_value(kc));
			at(L, SC_LINT_ERROR, y, row, "bad-table", "a row of table \"%s\" lacks its key (%s)", t->name, kn);
		}
	}
}

static void read_table(struct loader *L, const struct sc_yaml *y, const char *name, const json_t *def)
{
	static const char *const keys_allowed[] = {"file", "key", "rows", "values", "also", "description", NULL};
	struct sc_rtable *t;
	json_t *keys, *kdef, *file, *rows, *values, *also;

	for (size_t i = 0; i < L->p->ntables; i++)
		if (strcmp(L->p->tables[i]->name, name) == 0) {
			at(L, SC_LINT_ERROR, y, def, "duplicate-id", "table \"%s\" is defined twice", name);
			return;
		}
	if (!json_is_object(def)) {
		at(L, SC_LINT_ERROR, y, def, "type", "table \"%s\" must be a mapping (file, key, rows, values)", name);
		return;
	}
	known_keys(L, y, def, keys_allowed, "a table");
	file = json_object_get(def, "file");
	rows = json_object_get(def, "rows");
	values = json_object_get(def, "values");
	also = json_object_get(def, "also");
	kdef = json_object_get(def, "key");
	if (also && !json_is_string(also)) {
		at(L, SC_LINT_ERROR, y, also, "type", "\"also\" names one column of further keys");
		also = NULL;
	}
	if (!(t = calloc(1, sizeof *t)))
		return;
	t->name = strdup(name);
	t->rows = json_object();
	t->columns = json_array();
	keys = json_array();
	if (json_is_string(kdef))
		json_array_append(keys, kdef);
	else if (json_is_array(kdef)) {
		size_t i;
		json_t *k;
		json_array_foreach(kdef, i, k)
			if (json_is_string(k))
				json_array_append(keys, k);
			else
				at(L, SC_LINT_ERROR, y, k, "type", "a key column must be named by a string");
	} else if (kdef) {
		at(L, SC_LINT_ERROR, y, kdef, "type", "\"key\" must name a column or a list of columns");
	}
	if (values) {
		size_t i;
		json_t *v;
		if (file || rows)
			at(L, SC_LINT_ERROR, y, values, "type", "table \"%s\": \"values\" cannot go with \"file\" or \"rows\"", name);
		if (!json_is_array(values))
			at(L, SC_LINT_ERROR, y, values, "type", "\"values\" must be a list");
		json_array_foreach(values, i, v) {
			char k[256];
			if (key_text(v, k, sizeof k) < 0)
				at(L, SC_LINT_ERROR, y, v, "type", "a value of table \"%s\" must be a string or number", name);
			else
				json_object_set_new(t->rows, k, json_true());
		}
	} else if (file) {
		char real[PATH_MAX];
		const char *path = json_string_value(file);
		for (size_t i = 0; i < L->opts->noverrides; i++)
			if (strcmp(L->opts->overrides[i].name, name) == 0)
				path = NULL, snprintf(real, sizeof real, "%s", L->opts->overrides[i].path);
		if (!json_array_size(keys))
			at(L, SC_LINT_ERROR, y, def, "missing-key", "table \"%s\" from a file needs \"key\", the column to look up by", name);
		else if (!json_is_string(file))
			at(L, SC_LINT_ERROR, y, file, "type", "\"file\" must be a file name");
		else if (!path || resolve(L, y, file, path, real) == 0) {
			size_t n = strlen(real);
			if (n > 4 && strcasecmp(real + n - 4, ".csv") == 0) {
				table_csv(L, y, file, t, real, keys, also);
			} else {
				struct sc_error err;
				struct sc_yaml *ty = sc_yaml_load_file(shown(real), &err);
				if (!ty) {
					if (!err.code[0])
						snprintf(err.code, sizeof err.code, "yaml");
					sc_lint_add(L->lint, SC_LINT_ERROR, &err);
				} else {
					json_t *r = sc_yaml_root(ty), *list = r;
					if (rows && !json_is_string(rows))
						at(L, SC_LINT_ERROR, y, rows, "type", "with \"file\", \"rows\" names the list inside the file");
					else if (rows)
						list = json_object_get(r, json_string_value(rows));
					if (!json_is_array(list))
						at(L, SC_LINT_ERROR, y, rows ? rows : file, "bad-table",
						   "%s: no list of rows%s%s", sc_yaml_name(ty), rows ? " under " : "",
						   rows ? json_string_value(rows) : "");
					else
						rows_into(L, ty, t, list, keys, also);
					sc_yaml_free(ty);
				}
			}
		}
	} else if (rows) {
		if (!json_is_array(rows))
			at(L, SC_LINT_ERROR, y, rows, "type", "\"rows\" must be a list of mappings");
		else if (!json_array_size(keys))
			at(L, SC_LINT_ERROR, y, def, "missing-key", "table \"%s\" needs \"key\", the column to look up by", name);
		else
			rows_into(L, y, t, rows, keys, also);
	} else {
		at(L, SC_LINT_ERROR, y, def, "missing-key", "table \"%s\" needs \"file\", \"rows\" or \"values\"", name);
	}
	json_decref(keys);
	sc_rtable_index(t);
	struct sc_rtable **nt = realloc(L->p->tables, sizeof *nt * (L->p->ntables + 1));
	if (!nt) {
		sc_rtable_free(t);
		return;
	}
	L->p->tables = nt;
	L->p->tables[L->p->ntables++] = t;
}

static void read_list(struct loader *L, const struct sc_yaml *y, const char *name, const json_t *def)
{
	static const char *const allowed[] = {"file", "format", "description", NULL};
	char real[PATH_MAX];
	const char *file, *format, *path = NULL;
	struct sc_error err;
	struct sc_risk_screen_list *sl;

	for (size_t i = 0; i < L->p->nlists; i++)
		if (strcmp(L->p->lists[i].name, name) == 0) {
			at(L, SC_LINT_ERROR, y, def, "duplicate-id", "list \"%s\" is defined twice", name);
			return;
		}
	if (!json_is_object(def)) {
		at(L, SC_LINT_ERROR, y, def, "type", "list \"%s\" must be a mapping (file, format)", name);
		return;
	}
	known_keys(L, y, def, allowed, "a screening list");
	file = want_string(L, y, def, "file", 1, "a screening list");
	format = json_string_value(json_object_get(def, "format"));
	for (size_t i = 0; i < L->opts->noverrides; i++)
		if (strcmp(L->opts->overrides[i].name, name) == 0) {
			path = L->opts->overrides[i].path;
			format = NULL;   /* the user's file: guess its layout */
		}
	if (!path) {
		if (!file || resolve(L, y, json_object_get(def, "file"), file, real) < 0)
			return;
		path = real;
	}
	if (!(sl = sc_risk_screen_load(path, format, &err))) {
		if (!err.file[0])
			snprintf(err.file, sizeof err.file, "%.255s", path);
		sc_lint_add(L->lint, SC_LINT_ERROR, &err);
		return;
	}
	struct sc_risk_screen_ref *nl = realloc(L->p->lists, sizeof *nl * (L->p->nlists + 1));
	if (!nl) {
		sc_risk_screen_free(sl);
		return;
	}
	L->p->lists = nl;
	L->p->lists[L->p->nlists].name = strdup(name);
	L->p->lists[L->p->nlists].list = sl;
	L->p->nlists++;
}

/* ---- rules ---------------------------------------------------------------- */

static void scope_for(struct loader *L, struct sc_risk_expr_scope *s, const struct sc_yaml *y,
                      const json_t *node)
{
	memset(s, 0, sizeof *s);
	s->tables = L->p->tables;
	s->ntables = L->p->ntables;
	s->lists = L->p->lists;
	s->nlists = L->p->nlists;
	s->file = sc_yaml_name(y);
	sc_yaml_where(y, node, &s->line, &s->col);
	/* a quoted scalar starts at its quote: columns count from the text after it */
	if (s->line > 0 && s->col > 0) {
		if (!L->src_name || strcmp(L->src_name, s->file) != 0) {
			free(L->src);
			free(L->src_name);
			L->src = NULL;
			L->src_len = 0;
			L->src_name = strdup(s->file);
			if (sc_read_file(s->file, SC_YAML_MAX_BYTES, (unsigned char **)&L->src, &L->src_len, NULL) < 0)
				L->src = NULL;
		}
		const char *p = L->src;
		for (int l = 1; p && l < s->line; l++) {
			p = memchr(p, '\n', L->src_len - (size_t)(p - L->src));
			if (p)
				p++;
		}
		if (p && (size_t)(p - L->src) + (size_t)s->col <= L->src_len &&
		    (p[s->col - 1] == '\'' || p[s->col - 1] == '"'))
			s->col++;
	}
}

static void rule_free(struct rule *r)
{
	free(r->id);
	free(r->title);
	free(r->file);
	sc_risk_expr_free(r->when);
	sc_template_free(r->why);
	for (size_t i = 0; i < r->nlets; i++) {
		free(r->let_names[i]);
		sc_risk_expr_free(r->lets[i]);
	}
	free(r->let_names);
	free(r->lets);
}

static void read_rule(struct loader *L, const struct sc_yaml *y, const json_t *m)
{
	static const char *const allowed[] = {"id", "title", "when", "score", "lane", "why", "let",
	                                      "description", NULL};
	struct rule r;
	struct sc_risk_expr_scope s;
	struct sc_error err;
	const char *id, *title, *why, *lane;
	json_t *when, *score, *lets;
	int bad = 0;

	memset(&r, 0, sizeof r);
	r.lane = SC_LANE_NONE;
	if (!json_is_object(m)) {
		at(L, SC_LINT_ERROR, y, m, "type", "a rule must be a mapping (id, title, when, score, lane, why)");
		return;
	}
	known_keys(L, y, m, allowed, "a rule");
	id = want_string(L, y, m, "id", 1, "a rule");
	if (!id)
		return;
	r.id = strdup(id);
	for (size_t i = 0; i < L->p->nrules; i++)
		if (strcmp(L->p->rules[i].id, r.id) == 0) {
			at_key(L, SC_LINT_ERROR, y, m, "id", "duplicate-id", "rule id \"%s\" is used twice (first at %s:%d)",
			       r.id, L->p->rules[i].file, L->p->rules[i].line);
			bad = 1;
		}
	title = want_string(L, y, m, "title", 1, "a rule");
	r.title = strdup(title ? title : r.id);
	r.file = strdup(sc_yaml_name(y));
	sc_yaml_where(y, m, &r.line, &r.col);
	score = json_object_get(m, "score");
	if (score && !number(score, &r.score)) {
		at(L, SC_LINT_ERROR, y, score, "type", "\"score\" of rule %s must be a number", r.id);
		bad = 1;
	}
	if ((lane = json_string_value(json_object_get(m, "lane")))) {
		if ((r.lane = sc_lane_parse(lane)) < 0) {
			at_key(L, SC_LINT_ERROR, y, m, "lane", "unknown-lane", "unknown lane \"%s\" (green, blue, yellow, red)", lane);
			bad = 1;
		}
	} else if (json_object_get(m, "lane")) {
		at_key(L, SC_LINT_ERROR, y, m, "lane", "type", "\"lane\" must be a lane name");
		bad = 1;
	}
	if (!score && r.lane == SC_LANE_NONE)
		at(L, SC_LINT_WARNING, y, m, "no-effect", "rule %s has neither \"score\" nor \"lane\": a hit changes nothing", r.id);

	/* lets, in order: each may use the ones before it */
	lets = json_object_get(m, "let");
	if (lets && !json_is_object(lets)) {
		at(L, SC_LINT_ERROR, y, lets, "type", "\"let\" must be a mapping of names to expressions");
		bad = 1;
	} else if (lets) {
		const char *name;
		json_t *v;
		size_t n = json_object_size(lets);
		r.let_names = calloc(n ? n : 1, sizeof *r.let_names);
		r.lets = calloc(n ? n : 1, sizeof *r.lets);
		json_object_foreach(lets, name, v) {
			struct sc_risk_expr *e;
			if (!json_is_string(v)) {
				at(L, SC_LINT_ERROR, y, v ? v : lets, "type", "let %s must be an expression (a string)", name);
				bad = 1;
				continue;
			}
			if (!strcmp(name, "decl") || !strcmp(name, "item") || !strcmp(name, "parse") ||
			    !strcmp(name, "join") || !strcmp(name, "ocr") || !strcmp(name, "scan") ||
			    !strcmp(name, "wood")) {
				at_key(L, SC_LINT_ERROR, y, lets, name, "type", "\"%s\" cannot be redefined", name);
				bad = 1;
				continue;
			}
			scope_for(L, &s, y, v);
			s.let_names = (const char **)r.let_names;
			s.lets = r.lets;
			s.nlets = r.nlets;
			s.item_ok = 1;
			if (!(e = sc_risk_expr_compile(json_string_value(v), &s, SC_T_ANY, &err))) {
				sc_lint_add(L->lint, SC_LINT_ERROR, &err);
				bad = 1;
				continue;
			}
			r.let_names[r.nlets] = strdup(name);
			r.lets[r.nlets++] = e;
		}
	}
	when = json_object_get(m, "when");
	if (!when) {
		at(L, SC_LINT_ERROR, y, m, "missing-key", "rule %s needs \"when\", its condition", r.id);
		bad = 1;
	} else if (!json_is_string(when) && !json_is_boolean(when)) {
		at(L, SC_LINT_ERROR, y, when, "type", "\"when\" of rule %s must be an expression", r.id);
		bad = 1;
	} else {
		scope_for(L, &s, y, json_is_boolean(when) ? m : when);
		s.let_names = (const char **)r.let_names;
		s.lets = r.lets;
		s.nlets = r.nlets;
		if (!(r.when = sc_risk_expr_compile(json_is_string(when) ? json_string_value(when)
		                               : json_is_true(when) ? "true" : "false", &s, SC_T_BOOL, &err))) {
			sc_lint_add(L->lint, SC_LINT_ERROR, &err);
			bad = 1;
		}
	}
	why = json_object_get(m, "why") ? want_string(L, y, m, "why", 0, "a rule") : NULL;
	if (why) {
		scope_for(L, &s, y, json_object_get(m, "why"));
		s.let_names = (const char **)r.let_names;
		s.lets = r.lets;
		s.nlets = r.nlets;
		s.witness = r.when;
		if (!(r.why = sc_template_compile(why, &s, &err))) {
			sc_lint_add(L->lint, SC_LINT_ERROR, &err);
			bad = 1;
		}
	}
	if (bad || L->p->nrules >= SC_PACK_MAX_RULES) {
		if (!bad)
			at(L, SC_LINT_ERROR, y, m, "too-many-rules", "more than %d rules", SC_PACK_MAX_RULES);
		/* keep the id so later duplicates are still found */
		sc_risk_expr_free(r.when);
		r.when = NULL;
	}
	struct rule *nr = realloc(L->p->rules, sizeof *nr * (L->p->nrules + 1));
	if (!nr) {
		rule_free(&r);
		return;
	}
	L->p->rules = nr;
	L->p->rules[L->p->nrules++] = r;
}

/* ---- test cases ----------------------------------------------------------- */

static int rule_known(const struct sc_pack *p, const char *id)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (strcmp(p->rules[i].id, id) == 0)
			return 1;
	return 0;
}

static json_t *id_list(struct loader *L, const struct sc_yaml *y, const json_t *v, const char *what)
{
	json_t *out = json_array(), *x;
	size_t i;
	if (!v)
		return out;
	if (json_is_string(v)) {
		json_array_append(out, (json_t *)v);
		v = out;
	} else if (!json_is_array(v)) {
		at(L, SC_LINT_ERROR, y, v, "type", "\"%s\" must be a list of rule ids", what);
		return out;
	}
	json_array_foreach(v, i, x) {
		if (!json_is_string(x)) {
			at(L, SC_LINT_ERROR, y, x, "type", "a rule id must be a string");
			continue;
		}
		if (!rule_known(L->p, json_string_value(x)))
			at(L, SC_LINT_ERROR, y, x, "bad-test", "no rule \"%s\" in the pack", json_string_value(x));
		if (v != out)
			json_array_append(out, x);
	}
	return out;
}

static void read_case(struct loader *L, const struct sc_yaml *y, const json_t *m)
{
	static const char *const allowed[] = {"name", "decl", "lane", "hits", "not", "score",
	                                      "description", "parse", "join", "ocr", "scan", "wood", NULL};
	static const char *const spaces[] = {"parse", "join", "ocr", "scan", "wood"};
	struct tcase c;
	const char *name, *lane;
	json_t *score, *decl;

	memset(&c, 0, sizeof c);
	c.lane = SC_LANE_NONE;
	if (!json_is_object(m)) {
		at(L, SC_LINT_ERROR, y, m, "type", "a test case must be a mapping (name, decl, lane, hits, not, score)");
		return;
	}
	known_keys(L, y, m, allowed, "a test case");
	name = want_string(L, y, m, "name", 1, "a test case");
	decl = json_object_get(m, "decl");
	if (!json_is_object(decl)) {
		at(L, SC_LINT_ERROR, y, decl ? decl : m, decl ? "type" : "missing-key",
		   "a test case needs \"decl\", a declaration (mapping)");
		return;
	}
	if ((lane = json_string_value(json_object_get(m, "lane"))) && (c.lane = sc_lane_parse(lane)) < 0) {
		at_key(L, SC_LINT_ERROR, y, m, "lane", "unknown-lane", "unknown lane \"%s\"", lane);
		return;
	}
	score = json_object_get(m, "score");
	if (score) {
		if (number(score, &c.smin)) {
			c.smax = c.smin;
			c.has_score = 1;
		} else if (json_is_array(score) && json_array_size(score) == 2 &&
		           number(json_array_get(score, 0), &c.smin) && number(json_array_get(score, 1), &c.smax)) {
			c.has_score = 1;
		} else {
			at(L, SC_LINT_ERROR, y, score, "type", "\"score\" must be a number or [min, max]");
		}
	}
	c.name = strdup(name ? name : "(unnamed)");
	c.file = strdup(sc_yaml_name(y));
	{
		int col;
		sc_yaml_where(y, m, &c.line, &col);
	}
	c.rec = json_object();
	json_object_set_new(c.rec, "decl", json_deep_copy(decl));
	for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++) {
		json_t *ns = json_object_get(m, spaces[i]);
		if (!ns)
			continue;
		if (!json_is_object(ns))
			at_key(L, SC_LINT_ERROR, y, m, spaces[i], "type", "\"%s\" in a test case must be a mapping (the record's %s namespace)",
			       spaces[i], spaces[i]);
		else
			json_object_set_new(c.rec, spaces[i], json_deep_copy(ns));
	}
	c.decl = json_object_get(c.rec, "decl");
	c.hits = id_list(L, y, json_object_get(m, "hits"), "hits");
	c.nots = id_list(L, y, json_object_get(m, "not"), "not");
	struct tcase *nc = realloc(L->p->cases, sizeof *nc * (L->p->ncases + 1));
	if (!nc)
		return;
	L->p->cases = nc;
	L->p->cases[L->p->ncases++] = c;
}

/* ---- the learned model ---------------------------------------------------- */

static void read_model(struct loader *L, const struct sc_yaml *y, const json_t *m)
{
	static const char *const allowed[] = {"file", "lanes", "description", NULL};
	char real[PATH_MAX];
	const char *file = NULL, *key;
	struct sc_error err;
	json_t *lanes, *v;

	if (L->p->model) {
		at(L, SC_LINT_ERROR, y, m, "duplicate-id", "\"model\" is given in more than one file");
		return;
	}
	if (!json_is_object(m)) {
		at(L, SC_LINT_ERROR, y, m, "type", "\"model\" must be a mapping (file, lanes)");
		return;
	}
	known_keys(L, y, m, allowed, "model");
	lanes = json_object_get(m, "lanes");
	if (!json_is_object(lanes)) {
		at(L, SC_LINT_ERROR, y, lanes ? lanes : m, lanes ? "type" : "missing-key",
		   "\"model\" needs \"lanes\": the riskiest fraction that goes to each lane, e.g. {yellow: 0.05}");
		return;
	}
	json_object_foreach(lanes, key, v) {
		int lane = sc_lane_parse(key);
		double d;
		if (lane <= SC_LANE_GREEN) {
			at_key(L, SC_LINT_ERROR, y, lanes, key, "unknown-lane", "\"%s\" is not a lane a model can raise to (blue, yellow, red)", key);
			continue;
		}
		if (!number(v, &d) || d <= 0 || d >= 1) {
			at(L, SC_LINT_ERROR, y, v, "random-rate", "the fraction for %s must be above 0 and below 1", key);
			continue;
		}
		L->p->model_frac[lane] = d;
	}
	if (L->opts->model) {
		snprintf(real, sizeof real, "%s", L->opts->model);
	} else {
		if (!(file = want_string(L, y, m, "file", 1, "model")))
			return;
		if (resolve(L, y, json_object_get(m, "file"), file, real) < 0)
			return;
	}
	if (!(L->p->model = sc_learn_model_load(real, &err))) {
		if (!err.file[0])
			snprintf(err.file, sizeof err.file, "%.255s", real);
		sc_lint_add(L->lint, SC_LINT_ERROR, &err);
	}
}

/* ---- the whole pack ------------------------------------------------------- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void each(struct loader *L, const char *key,
                 void (*fn)(struct loader *, const struct sc_yaml *, const json_t *))
{
	for (size_t i = 0; i < L->nfiles; i++) {
		json_t *root = sc_yaml_root(L->files[i]), *v = json_object_get(root, key), *x;
		size_t k;
		if (!v)
			continue;
		if (!json_is_array(v)) {
			at(L, SC_LINT_ERROR, L->files[i], v, "type", "\"%s\" must be a list", key);
			continue;
		}
		json_array_foreach(v, k, x)
			fn(L, L->files[i], x);
	}
}

static void each_named(struct loader *L, const char *key,
                       void (*fn)(struct loader *, const struct sc_yaml *, const char *, const json_t *))
{
	for (size_t i = 0; i < L->nfiles; i++) {
		json_t *root = sc_yaml_root(L->files[i]), *v = json_object_get(root, key), *x;
		const char *name;
		if (!v)
			continue;
		if (!json_is_object(v)) {
			at(L, SC_LINT_ERROR, L->files[i], v, "type", "\"%s\" must be a mapping of names", key);
			continue;
		}
		json_object_foreach(v, name, x)
			fn(L, L->files[i], name, x);
	}
}

static void check_lanes(struct loader *L)
{
	struct sc_pack *p = L->p;
	double most = 0;
	const char *where = L->nfiles ? sc_yaml_name(L->files[0]) : "";

	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].score > 0)
			most += p->rules[i].score;
	for (int a = SC_LANE_BLUE; a < SC_NLANES; a++) {
		if (!p->defined[a])
			continue;
		for (int b = a + 1; b < SC_NLANES; b++)
			if (p->defined[b] && p->min[a] >= p->min[b]) {
				at_file(L, SC_LINT_WARNING, where, "unreachable-lane",
				        "lane %s (min %g) cannot be reached by score: %s starts at %g, which outranks it",
				        lane_names[a], p->min[a], lane_names[b], p->min[b]);
				break;
			}
		if (p->nrules && p->min[a] > most)
			at_file(L, SC_LINT_WARNING, where, "unreachable-lane",
			        "lane %s (min %g) cannot be reached by score: all rules together score at most %g",
			        lane_names[a], p->min[a], most);
	}
}

struct sc_pack *sc_pack_load(const char *path, const struct sc_pack_opts *opts, struct sc_lint *lint)
{
	struct loader *L = calloc(1, sizeof *L);
	struct sc_pack *p = calloc(1, sizeof *p);
	struct stat sb;
	char real[PATH_MAX];
	int errors0 = lint->errors;

	if (!L || !p) {
		free(L);
		free(p);
		return NULL;
	}
	L->p = p;
	p->unscored = SC_LANE_YELLOW;   /* never green: see sc_pack_score */
	L->lint = lint;
	L->opts = opts;
	if (opts->datadir && !realpath(opts->datadir, L->data))
		L->data[0] = '\0';
	if (stat(path, &sb) < 0 || !realpath(path, real)) {
		at_file(L, SC_LINT_ERROR, path, "missing-file", "cannot open the pack: %s", strerror(errno));
		goto done;
	}
	if (S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(real);
		struct dirent *de;
		char *names[SC_PACK_MAX_FILES];
		size_t n = 0;
		snprintf(L->root, sizeof L->root, "%s", real);
		if (!d) {
			at_file(L, SC_LINT_ERROR, path, "missing-file", "cannot read the pack folder: %s", strerror(errno));
			goto done;
		}
		while ((de = readdir(d)) && n < SC_PACK_MAX_FILES) {
			size_t len = strlen(de->d_name);
			if (de->d_name[0] == '.')
				continue;
			if ((len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) ||
			    (len > 4 && strcmp(de->d_name + len - 4, ".yml") == 0))
				names[n++] = strdup(de->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof names[0], name_cmp);
		for (size_t i = 0; i < n; i++) {
			char fp[PATH_MAX * 2], fr[PATH_MAX];
			/* messages name files as the user named the pack */
			snprintf(fp, sizeof fp, "%s/%s", path, names[i]);
			/* a link in the folder may point anywhere: refuse it before reading */
			if (!realpath(fp, fr))
				at_file(L, SC_LINT_ERROR, fp, "missing-file", "cannot open: %s", strerror(errno));
			else if (!inside(fr, L->root) && !inside(fr, L->data))
				at_file(L, SC_LINT_ERROR, fp, "path-escape",
				        "a link to %s, outside the pack and the data directory: not read", fr);
			else
				load_file(L, fr, NULL, NULL);
			free(names[i]);
		}
	} else {
		char *slash;
		snprintf(L->root, sizeof L->root, "%s", real);
		if ((slash = strrchr(L->root, '/')))
			*slash = '\0';
		load_file(L, real, NULL, NULL);
	}
	for (size_t i = 0; i < L->nfiles; i++) {
		json_t *root = sc_yaml_root(L->files[i]);
		if (json_object_get(root, "pack"))
			read_meta(L, L->files[i], json_object_get(root, "pack"));
		if (json_object_get(root, "lanes"))
			read_lanes(L, L->files[i], json_object_get(root, "lanes"));
	}
	each_named(L, "tables", read_table);
	each_named(L, "lists", read_list);
	each(L, "rules", read_rule);
	for (size_t i = 0; i < L->nfiles; i++) {
		json_t *m = json_object_get(sc_yaml_root(L->files[i]), "model");
		if (m)
			read_model(L, L->files[i], m);
	}
	if (!p->model && opts->model) {
		struct sc_error err;
		p->model_frac[SC_LANE_YELLOW] = 0.05;
		if (!(p->model = sc_learn_model_load(opts->model, &err))) {
			if (!err.file[0])
				snprintf(err.file, sizeof err.file, "%.255s", opts->model);
			sc_lint_add(lint, SC_LINT_ERROR, &err);
		}
	}
	for (int l = 0; p->model && l < SC_NLANES; l++)
		if (p->model_frac[l] > 0)
			p->model_thr[l] = sc_learn_model_threshold(p->model, p->model_frac[l]);
	each(L, "tests", read_case);
	/* a mistyped -L name would leave the pack's own (demo) list in use */
	for (size_t i = 0; i < opts->noverrides; i++) {
		const char *name = opts->overrides[i].name;
		char known[400];
		size_t u = 0, j;
		int found = 0;
		known[0] = '\0';
		for (j = 0; j < p->nlists; j++) {
			found |= strcmp(p->lists[j].name, name) == 0;
			if (u + 2 < sizeof known)
				u += (size_t)snprintf(known + u, sizeof known - u, "%s%s", u ? ", " : "", p->lists[j].name);
		}
		for (j = 0; j < p->ntables; j++) {
			found |= strcmp(p->tables[j]->name, name) == 0;
			if (u + 2 < sizeof known)
				u += (size_t)snprintf(known + u, sizeof known - u, "%s%s", u ? ", " : "", p->tables[j]->name);
		}
		if (!found)
			at_file(L, SC_LINT_ERROR, path, "unknown-list", "-L %s=%s: the pack has no list or table \"%s\" (it has: %s)",
			        name, opts->overrides[i].path, name, u ? known : "none");
	}
	if (p->nrules == 0)
		at_file(L, SC_LINT_ERROR, path, "empty-pack", "the pack has no rules");
	if (!p->name && L->nfiles)
		at_file(L, SC_LINT_WARNING, path, "no-name", "no \"pack: {name: ...}\": the pack is called by its folder");
	if (!L->lanes_seen && p->nrules)
		at_file(L, SC_LINT_WARNING, path, "no-lanes", "no \"lanes\": every declaration goes green unless a rule forces a lane");
	check_lanes(L);
	if (!p->name) {
		const char *b = strrchr(real, '/');
		p->name = strdup(b ? b + 1 : real);
	}
	if (!p->seed)
		p->seed = strdup(p->name);
	{
		size_t n = strlen(p->name) + (p->version ? strlen(p->version) : 0) + 2;
		if ((p->label = malloc(n)))
			snprintf(p->label, n, "%s%s%s", p->name, p->version ? " " : "", p->version ? p->version : "");
	}
done:
	for (size_t i = 0; i < L->nfiles; i++) {
		sc_yaml_free(L->files[i]);
		free(L->paths[i]);
	}
	free(L->src);
	free(L->src_name);
	free(L);
	if (lint->errors > errors0) {
		sc_pack_free(p);
		return NULL;
	}
	return p;
}

void sc_pack_free(struct sc_pack *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++)
		rule_free(&p->rules[i]);
	free(p->rules);
	for (size_t i = 0; i < p->ntables; i++)
		sc_rtable_free(p->tables[i]);
	free(p->tables);
	for (size_t i = 0; i < p->nlists; i++) {
		free(p->lists[i].name);
		sc_risk_screen_free(p->lists[i].list);
	}
	free(p->lists);
	for (size_t i = 0; i < p->ncases; i++) {
		free(p->cases[i].name);
		free(p->cases[i].file);
		json_decref(p->cases[i].rec);
		json_decref(p->cases[i].hits);
		json_decref(p->cases[i].nots);
	}
	free(p->cases);
	sc_learn_model_free(p->model);
	free(p->name);
	free(p->version);
	free(p->label);
	free(p->seed);
	free(p);
}

const char *sc_pack_label(const struct sc_pack *p)
{
	return p->label ? p->label : p->name;
}

size_t sc_pack_rules(const struct sc_pack *p)
{
	return p->nrules;
}

/* ---- scoring -------------------------------------------------------------- */

static uint64_t fnv1a(uint64_t h, const char *s)
{
	h = sc_fnv64_str(h, s);
	return (h ^ 0x1f) * SC_FNV64_PRIME;   /* a separator, so "ab"+"c" != "a"+"bc" */
}

double sc_risk_draw(const char *seed, const char *lane, const char *id)
{
	uint64_t h = SC_FNV64_OFFSET;
	h = fnv1a(h, seed);
	h = fnv1a(h, lane);
	h = fnv1a(h, id);
	/* splitmix64 finalizer: FNV's low bits are weak on short inputs */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static json_t *num_json(double d)
{
	if (d == floor(d) && fabs(d) < 1e15)
		return json_integer((json_int_t)d);
	return json_real(round(d * 1e6) / 1e6);
}

static void problem(json_t **problems, const struct rule *r, const struct sc_error *e)
{
	json_t *o;
	if (!*problems)
		*problems = json_array();
	o = json_pack("{s:s,s:s}", "code", e->code[0] ? e->code : "rule", "rule", r->id);
	json_object_set_new(o, "msg", json_sprintf("rule %s: %s", r->id, e->msg));
	json_array_append_new(*problems, o);
}

/*
 * A record's score before it is written: the hits, each with its why text,
 * kept in the evaluator's buffers (no allocation per record once they are
 * warm); written as a JSON value (sc_pack_score) or straight as text
 * (sc_pack_score_text, which the filter splices into the line).
 */
enum { BUF_TEXT, BUF_HITS, BUF_WHYS };
enum why_kind {
	WHY_RENDERED,   /* a template's text: invalid UTF-8 reads "?" */
	WHY_PLAIN       /* a title or message: a hit without "why" if it is not UTF-8 */
};
struct scored_hit {
	const char *id, *title;
	double score;
	int lane;                 /* SC_LANE_NONE: the hit names no lane */
	size_t why, why_len;      /* in the BUF_WHYS buffer */
	enum why_kind kind;
};
struct scored {
	double score;
	int lane, random;
	json_t *model;            /* new, or NULL */
	struct sc_rbuf *hits, *whys;
	size_t nhits;
};

static int add_hit(struct scored *s, const char *id, const char *title, double score, int lane,
                   size_t why, size_t why_len, enum why_kind kind)
{
	struct scored_hit h = {id, title, score, lane, why, why_len, kind};
	if (sc_rbuf_add(s->hits, &h, sizeof h) < 0)
		return -1;
	s->nhits++;
	return 0;
}

static int add_whyf(struct scored *s, size_t *at, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int add_whyf(struct scored *s, size_t *at, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || sc_rbuf_reserve(s->whys, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(s->whys->p + s->whys->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*at = s->whys->len;
	*len = (size_t)n;
	s->whys->len += (size_t)n;
	return 0;
}

static int add_why(struct scored *s, size_t *at, size_t *len, const char *text)
{
	*at = s->whys->len;
	*len = strlen(text);
	return sc_rbuf_add(s->whys, text, *len);
}

static const struct scored_hit *hit_at(const struct scored *s, size_t i)
{
	return (const struct scored_hit *)(const void *)s->hits->p + i;
}

/* Score a record into s; -1 when out of memory. See sc_pack_score. */
static int score(const struct sc_pack *p, struct sc_eval *ev, const json_t *rec, const json_t *decl,
                 const char *id, struct scored *s, json_t **problems, json_t *explain)
{
	double total = 0;
	int forced = SC_LANE_NONE, lane = SC_LANE_GREEN, random = 0, model_lane = SC_LANE_NONE;
	const struct rule *unscored = NULL;   /* the first rule that could not be evaluated */
	int bad_type = 0, oom = 0;
	char first_err[sizeof ((struct sc_error *)0)->msg];

	*problems = NULL;
	s->model = NULL;
	s->nhits = 0;
	s->hits = sc_eval_buf(ev, BUF_HITS);
	s->whys = sc_eval_buf(ev, BUF_WHYS);
	s->hits->len = s->whys->len = 0;
	/* the hits are read back as structs: keep the buffer aligned for them */
	if (sc_rbuf_reserve(s->hits, sizeof(struct scored_hit) * 4) < 0)
		return -1;
	sc_eval_begin_record(ev, rec, decl);
	/* a value of the wrong type reads as null and would slip past the rules */
	{
		struct sc_error err;
		if (sc_risk_expr_check_record(ev, decl, &err) > 0) {
			if (!*problems)
				*problems = json_array();
			json_array_append_new(*problems, json_pack("{s:s,s:s}", "code", "bad-type", "msg", err.msg));
			bad_type = 1;
			if (explain)
				json_array_append_new(explain, json_pack("{s:s,s:s,s:s}", "rule", "schema", "result", "error",
				                                         "msg", err.msg));
		}
	}
	for (size_t i = 0; i < p->nrules; i++) {
		const struct rule *r = &p->rules[i];
		struct sc_error err;
		int hit = 0;
		size_t why = 0, why_len = 0;
		enum why_kind kind = WHY_PLAIN;

		/* err is filled only on failure: clearing 800 bytes per rule shows in profiles */
		err.code[0] = err.msg[0] = err.file[0] = '\0';
		sc_eval_next_rule(ev);
		if (sc_risk_expr_truth(r->when, ev, &hit, &err) < 0) {
			if (!unscored) {
				unscored = r;
				snprintf(first_err, sizeof first_err, "%s", err.msg);
			}
			problem(problems, r, &err);
			if (explain)
				json_array_append_new(explain, json_pack("{s:s,s:s,s:s}", "rule", r->id, "result", "error",
				                                         "msg", err.msg));
			continue;
		}
		if (hit && r->why) {
			size_t at = s->whys->len;
			if (sc_template_render_to(r->why, ev, s->whys, &err) < 0) {
				s->whys->len = at;
				problem(problems, r, &err);
				oom |= add_why(s, &why, &why_len, r->title);
			} else {
				why = at;
				why_len = s->whys->len - at;
				kind = WHY_RENDERED;
			}
		} else if (hit) {
			oom |= add_why(s, &why, &why_len, r->title);
		}
		if (explain)
			json_array_append_new(explain, json_pack("{s:s,s:s,s:o,s:o}", "rule", r->id, "result",
			                                         hit ? "hit" : "no", "score", num_json(hit ? r->score : 0),
			                                         "total", num_json(total + (hit ? r->score : 0))));
		if (!hit)
			continue;
		total += r->score;
		if (r->lane != SC_LANE_NONE && r->lane > forced)
			forced = r->lane;
		oom |= add_hit(s, r->id, r->title, r->score, r->lane, why, why_len, kind);
	}
	for (int l = SC_NLANES - 1; l > SC_LANE_GREEN; l--)
		if (p->defined[l] && total >= p->min[l]) {
			lane = l;
			break;
		}
	if (p->model) {
		struct sc_error err;
		json_t *ms = sc_learn_model_score(p->model, decl, &err);
		if (!ms) {
			struct rule pseudo = {.id = "model"};
			problem(problems, &pseudo, &err);
		} else {
			double ss = json_number_value(json_object_get(ms, "score"));
			char top[400];
			size_t u = 0, k;
			json_t *t;
			top[0] = '\0';
			json_array_foreach(json_object_get(ms, "top"), k, t) {
				if (k >= 3 || u + 2 >= sizeof top)
					break;
				u += (size_t)snprintf(top + u, sizeof top - u, "%s%s %+.3f", k ? ", " : "",
				                      json_string_value(json_object_get(t, "feature")),
				                      json_number_value(json_object_get(t, "contrib")));
			}
			for (int l = SC_NLANES - 1; l > SC_LANE_GREEN; l--)
				if (p->model_thr[l] > 0 && ss >= p->model_thr[l]) {
					model_lane = l;
					break;
				}
			s->model = json_pack("{s:s,s:o}", "name", sc_learn_model_name(p->model), "score", num_json(ss));
			json_object_set(s->model, "top", json_object_get(ms, "top"));
			if (model_lane != SC_LANE_NONE) {
				size_t why, why_len;
				oom |= add_whyf(s, &why, &why_len,
				                "model score %.3f is among the riskiest %g%% (from %.3f); most: %s", ss,
				                p->model_frac[model_lane] * 100, p->model_thr[model_lane], top);
				oom |= add_hit(s, "model", "Learned risk score", 0, model_lane, why, why_len, WHY_PLAIN);
				if (model_lane > lane)
					lane = model_lane;
			}
			if (explain)
				json_array_append_new(explain, json_pack("{s:s,s:o,s:s}", "rule", "model", "score", num_json(ss),
				                                         "lane", sc_lane_name(model_lane)));
			json_decref(ms);
		}
	}
	if (forced != SC_LANE_NONE) {
		lane = forced;
	} else if (id && *id) {
		for (int l = SC_NLANES - 1; l > lane; l--) {
			double u;
			if (p->rate[l] <= 0)
				continue;
			u = sc_risk_draw(p->seed, lane_names[l], id);
			if (explain)
				json_array_append_new(explain, json_pack("{s:s,s:s,s:o,s:o,s:b}", "rule", "random", "lane", lane_names[l],
				                                         "rate", num_json(p->rate[l]), "draw", num_json(u), "selected", u < p->rate[l]));
			if (u < p->rate[l]) {
				lane = l;
				random = 1;
				break;
			}
		}
	}
	/*
	 * A record that could not be fully scored never passes as clean: it goes
	 * to the pack's "unscored" lane at least, with a hit that says why
	 * (evasion by size: a denied party among 50,000 items).
	 */
	if ((unscored || bad_type) && lane < p->unscored) {
		size_t why, why_len;
		if (bad_type)
			oom |= add_why(s, &why, &why_len,
			               json_string_value(json_object_get(json_array_get(*problems, 0), "msg")));
		else
			oom |= add_whyf(s, &why, &why_len, "rule %s could not be evaluated: %s", unscored->id,
			                first_err);
		oom |= add_hit(s, "UNSCORED", "Could not be fully scored", 0, p->unscored, why, why_len, WHY_PLAIN);
		lane = p->unscored;
		random = 0;
		if (explain)
			json_array_append_new(explain, json_pack("{s:s,s:s}", "rule", "unscored", "lane", lane_names[lane]));
	}
	if (explain) {
		json_t *th = json_object();
		for (int l = SC_LANE_BLUE; l < SC_NLANES; l++)
			if (p->defined[l])
				json_object_set_new(th, lane_names[l], num_json(p->min[l]));
		json_array_append_new(explain, json_pack("{s:s,s:o,s:o,s:s,s:s,s:b}", "rule", "lane", "score", num_json(total),
		                                         "thresholds", th, "forced", sc_lane_name(forced),
		                                         "channel", lane_names[lane], "random", random));
	}
	s->score = total;
	s->lane = lane;
	s->random = random;
	if (oom) {
		json_decref(s->model);
		s->model = NULL;
		return -1;
	}
	return 0;
}

int sc_pack_score(const struct sc_pack *p, struct sc_eval *ev, const json_t *rec, const json_t *decl,
                  const char *id, json_t **risk, json_t **problems, json_t *explain)
{
	struct scored s;
	json_t *hits, *out;

	*risk = NULL;
	if (score(p, ev, rec, decl, id, &s, problems, explain) < 0)
		return -1;
	hits = json_array();
	for (size_t i = 0; i < s.nhits; i++) {
		const struct scored_hit *h = hit_at(&s, i);
		json_t *o = json_pack("{s:s,s:s,s:o}", "id", h->id, "title", h->title, "score", num_json(h->score));
		json_t *why = json_stringn(s.whys->p + h->why, h->why_len);
		if (h->lane != SC_LANE_NONE)
			json_object_set_new(o, "lane", json_string(lane_names[h->lane]));
		if (!why && h->kind == WHY_RENDERED)
			why = json_string("?");
		json_object_set_new(o, "why", why);
		json_array_append_new(hits, o);
	}
	out = json_pack("{s:i,s:s,s:o,s:s,s:b,s:o}", "v", 1, "pack", sc_pack_label(p), "score", num_json(s.score),
	                "channel", lane_names[s.lane], "random", s.random, "hits", hits);
	if (s.model)
		json_object_set_new(out, "model", s.model);
	*risk = out;
	return out ? 0 : -1;
}

/* ---- the risk value as text, byte for byte what jansson would write ------ */

static int dump_add(const char *s, size_t n, void *arg)
{
	return sc_rbuf_add(arg, s, n);
}

/* A JSON value by jansson itself (the rare cases: reals, escapes, the model). */
static int put_json(struct sc_rbuf *b, json_t *v)
{
	int st = v ? json_dump_callback(v, dump_add, b, SC_JSON_FLAGS | JSON_ENCODE_ANY) : -1;
	json_decref(v);
	return st;
}

/* 1 when jansson writes the string s as it is between quotes (printable ASCII). */
static int plain_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

/* "s" as jansson writes it; -2 when s is not UTF-8 (nothing written). */
static int put_str(struct sc_rbuf *b, const char *s, size_t n)
{
	json_t *j;
	if (plain_ascii(s, n)) {
		if (sc_rbuf_reserve(b, n + 2) < 0)
			return -1;
		b->p[b->len++] = '"';
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len++] = '"';
		return 0;
	}
	if (!(j = json_stringn(s, n)))
		return -2;
	return put_json(b, j);
}

static int put_lit(struct sc_rbuf *b, const char *s)
{
	return sc_rbuf_add(b, s, strlen(s));
}

/* A number as num_json makes it and jansson writes it. */
static int put_num(struct sc_rbuf *b, double d)
{
	if (d == floor(d) && fabs(d) < 1e15) {
		char buf[32];
		int n = snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, (json_int_t)d);
		return sc_rbuf_add(b, buf, (size_t)n);
	}
	return put_json(b, num_json(d));
}

int sc_pack_score_text(const struct sc_pack *p, struct sc_eval *ev, const json_t *rec, const json_t *decl,
                       const char *id, const char **text, size_t *len, json_t **problems)
{
	struct scored s;
	struct sc_rbuf *b = sc_eval_buf(ev, BUF_TEXT);
	int st = 0;

	*text = NULL;
	*len = 0;
	if (score(p, ev, rec, decl, id, &s, problems, NULL) < 0)
		return -1;
	b->len = 0;
	st |= put_lit(b, "{\"v\":1,\"pack\":");
	st |= put_str(b, sc_pack_label(p), strlen(sc_pack_label(p)));
	st |= put_lit(b, ",\"score\":");
	st |= put_num(b, s.score);
	st |= put_lit(b, ",\"channel\":\"");
	st |= put_lit(b, lane_names[s.lane]);
	st |= put_lit(b, s.random ? "\",\"random\":true,\"hits\":[" : "\",\"random\":false,\"hits\":[");
	for (size_t i = 0; i < s.nhits && st == 0; i++) {
		const struct scored_hit *h = hit_at(&s, i);
		size_t mark;
		int w;
		st |= put_lit(b, i ? ",{\"id\":" : "{\"id\":");
		st |= put_str(b, h->id, strlen(h->id));
		st |= put_lit(b, ",\"title\":");
		st |= put_str(b, h->title, strlen(h->title));
		st |= put_lit(b, ",\"score\":");
		st |= put_num(b, h->score);
		if (h->lane != SC_LANE_NONE) {
			st |= put_lit(b, ",\"lane\":\"");
			st |= put_lit(b, lane_names[h->lane]);
			st |= put_lit(b, "\"");
		}
		mark = b->len;
		st |= put_lit(b, ",\"why\":");
		w = put_str(b, s.whys->p + h->why, h->why_len);
		if (w == -2 && h->kind == WHY_RENDERED) {
			w = put_lit(b, "\"?\"");
		} else if (w == -2) {
			b->len = mark;   /* the JSON path leaves such a hit without its why */
			w = 0;
		}
		st |= w;
		st |= put_lit(b, "}");
	}
	st |= put_lit(b, "]");
	if (s.model) {
		st |= put_lit(b, ",\"model\":");
		st |= put_json(b, s.model);
	}
	st |= put_lit(b, "}");
	if (st != 0)
		return -1;
	*text = b->p;
	*len = b->len;
	return 0;
}

/* ---- test cases ----------------------------------------------------------- */

static int in_ids(const json_t *arr, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), id) == 0)
			return 1;
	return 0;
}

json_t *sc_pack_test(const struct sc_pack *p, struct sc_eval *ev)
{
	json_t *cases = json_array(), *rules = json_array(), *uncovered = json_array();
	long *tp = calloc(p->nrules + 1, sizeof *tp), *fp = calloc(p->nrules + 1, sizeof *fp);
	long *fn = calloc(p->nrules + 1, sizeof *fn), *tn = calloc(p->nrules + 1, sizeof *tn);
	int passed = 0, failed = 0;
	size_t covered = 0;

	for (size_t c = 0; c < p->ncases; c++) {
		const struct tcase *tc = &p->cases[c];
		json_t *risk = NULL, *problems = NULL, *fails = json_array(), *hit_ids = json_array();
		const char *id = json_string_value(json_object_get(tc->decl, "id"));
		size_t k;
		json_t *h;

		sc_pack_score(p, ev, tc->rec, tc->decl, id, &risk, &problems, NULL);
		json_array_foreach(json_object_get(risk, "hits"), k, h)
			json_array_append(hit_ids, json_object_get(h, "id"));
		json_array_foreach(problems, k, h)
			json_array_append_new(fails, json_sprintf("evaluation failed: %s", json_string_value(json_object_get(h, "msg"))));
		const char *channel = json_string_value(json_object_get(risk, "channel"));
		double score = json_number_value(json_object_get(risk, "score"));
		if (tc->lane != SC_LANE_NONE && strcmp(channel, lane_names[tc->lane]) != 0)
			json_array_append_new(fails, json_sprintf("lane %s, expected %s", channel, lane_names[tc->lane]));
		if (tc->has_score && (score < tc->smin - 1e-9 || score > tc->smax + 1e-9)) {
			if (tc->smin == tc->smax)
				json_array_append_new(fails, json_sprintf("score %g, expected %g", score, tc->smin));
			else
				json_array_append_new(fails, json_sprintf("score %g, expected %g to %g", score, tc->smin, tc->smax));
		}
		for (size_t r = 0; r < p->nrules; r++) {
			const char *rid = p->rules[r].id;
			int did = in_ids(hit_ids, rid);
			if (in_ids(tc->hits, rid)) {
				if (did)
					tp[r]++;
				else {
					fn[r]++;
					json_array_append_new(fails, json_sprintf("%s did not hit", rid));
				}
			} else if (in_ids(tc->nots, rid)) {
				if (did) {
					fp[r]++;
					json_array_append_new(fails, json_sprintf("%s hit, expected not to", rid));
				} else
					tn[r]++;
			}
		}
		int ok = json_array_size(fails) == 0;
		ok ? passed++ : failed++;
		json_array_append_new(cases, json_pack("{s:s,s:s,s:i,s:b,s:s,s:o,s:o,s:o}", "name", tc->name, "file", tc->file,
		                                       "line", tc->line, "ok", ok, "lane", channel, "score", num_json(score),
		                                       "hits", hit_ids, "failures", fails));
		json_decref(risk);
		json_decref(problems);
	}
	for (size_t r = 0; r < p->nrules; r++) {
		int cov = tp[r] > 0;
		covered += cov;
		if (!cov)
			json_array_append_new(uncovered, json_string(p->rules[r].id));
		json_array_append_new(rules, json_pack("{s:s,s:s,s:i,s:I,s:I,s:I,s:I,s:b}", "id", p->rules[r].id, "file",
		                                       p->rules[r].file, "line", p->rules[r].line, "tp", (json_int_t)tp[r],
		                                       "fp", (json_int_t)fp[r], "fn", (json_int_t)fn[r], "tn", (json_int_t)tn[r],
		                                       "covered", cov));
	}
	free(tp);
	free(fp);
	free(fn);
	free(tn);
	return json_pack("{s:s,s:o,s:o,s:i,s:i,s:o,s:o}", "pack", sc_pack_label(p), "cases", cases, "rules", rules,
	                 "passed", passed, "failed", failed, "coverage",
	                 num_json(p->nrules ? round(1000.0 * (double)covered / (double)p->nrules) / 10 : 100),
	                 "uncovered", uncovered);
}
