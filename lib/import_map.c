/*
 * import_map.c - import maps (import_map.h): loading through lib/yamltree.h so
 * every mistake in a map names its place, binding a map to a CSV header, and
 * typing one row's values into a `decl` record.
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "errcode.h"
#include "import_map.h"
#include "learn.h"
#include "yamltree.h"

#define MAP_FORMAT "sc-import-map"
#define MAX_FORMATS 8

enum ftype { T_STRING, T_INTEGER, T_NUMBER, T_DATE, T_HS, T_COUNTRY, T_CURRENCY };
static const char *const type_name[] = { "string", "integer", "number", "date", "hs",
	                                     "country", "currency" };

struct field {
	char target[64];          /* "importer.id", "items.hs" */
	char column[128];         /* the CSV column, or "" for a constant */
	json_t *value;            /* a constant, or NULL */
	enum ftype type;
	int required, pad, upper;
	int optional;             /* the column may be absent from a file */
	double scale;             /* unit and scale folded together */
	char decimal;             /* '.' or ',' */
	char *formats[MAX_FORMATS];
	int nformats;
	long col;                 /* bound column index, -1 if none */
};

struct sc_import_map {
	char name[128];
	char path[256];
	char delim;
	int group, latin1;
	int optional;             /* columns may be absent unless a field is required */
	char id_column[128];
	long id_col, label_col;
	char **labels;
	size_t nlabels;
	struct field *f;
	size_t nf;
};

/* Targets a map may fill: the names DESIGN.md gives a decl, and the few that
 * declaration systems export beside them. */
static const char *const targets[] = {
	"id", "date", "office", "origin", "dispatch", "port_loading", "port_discharge",
	"transport", "bl_no", "invoice_no", "containers", "incoterm", "currency", "total_value", "gross_kg",
	"net_kg", "packages", "process_type", "import_type", "import_use", "payment_type",
	"importer.id", "importer.name", "importer.country", "exporter.id", "exporter.name",
	"exporter.country", "declarant.id", "declarant.name", "declarant.country", "seller.id",
	"seller.name", "seller.country", "courier.id", "courier.name", "courier.country",
	"items.hs", "items.description", "items.origin", "items.qty", "items.unit",
	"items.net_kg", "items.gross_kg", "items.value", "items.currency", "items.tax_rate",
	"items.tax_type", "items.origin_indicator",
};

void sc_import_map_free(struct sc_import_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nf; i++) {
		json_decref(m->f[i].value);
		for (int k = 0; k < m->f[i].nformats; k++)
			free(m->f[i].formats[k]);
	}
	for (size_t i = 0; i < m->nlabels; i++)
		free(m->labels[i]);
	free(m->labels);
	free(m->f);
	free(m);
}

const char *sc_import_map_name(const struct sc_import_map *m) { return m->name; }
char sc_import_map_delim(const struct sc_import_map *m) { return m->delim; }
int sc_import_map_grouped(const struct sc_import_map *m) { return m->group; }

static int copy_str(const struct sc_yaml *y, const json_t *v, char *dst, size_t len,
                    const char *what, struct sc_error *err)
{
	if (json_is_integer(v)) {   /* a column named 2021 reads as a number */
		snprintf(dst, len, "%lld", (long long)json_integer_value(v));
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) == 0)
		return sc_yaml_error(y, v, err, "bad-map", "%s: expected a non-empty string", what);
	if (json_string_length(v) >= len)
		return sc_yaml_error(y, v, err, "bad-map", "%s: longer than %zu bytes", what, len - 1);
	snprintf(dst, len, "%s", json_string_value(v));
	return 0;
}

static int load_field(const struct sc_yaml *y, const json_t *fields, const char *target,
                      const json_t *spec, struct field *f, struct sc_error *err)
{
	const char *k;
	json_t *v;
	int known = 0;

	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
		known |= strcmp(targets[i], target) == 0;
	if (!known) {
		int line, col;
		sc_yaml_key_where(y, fields, target, &line, &col);
		return sc_error_set(err, sc_yaml_name(y), line, col, "bad-map",
		                    "unknown decl field \"%s\" (see sc-import(1) for the names)", target);
	}
	snprintf(f->target, sizeof f->target, "%s", target);
	f->col = -1;
	f->scale = 1;
	f->decimal = '.';
	if (json_is_string(spec)) {   /* shorthand: `office: Office ID` */
		return copy_str(y, spec, f->column, sizeof f->column, target, err);
	}
	if (!json_is_object(spec))
		return sc_yaml_error(y, spec, err, "bad-map", "%s: expected a column name or a mapping",
		                     target);
	json_object_foreach((json_t *)spec, k, v) {
		if (!strcmp(k, "column")) {
			if (copy_str(y, v, f->column, sizeof f->column, "column", err) < 0)
				return -1;
		} else if (!strcmp(k, "value")) {
			if (!json_is_string(v) && !json_is_number(v))
				return sc_yaml_error(y, v, err, "bad-map", "value: expected a string or number");
			f->value = json_incref(v);
		} else if (!strcmp(k, "type")) {
			size_t t;
			for (t = 0; t < sizeof type_name / sizeof type_name[0]; t++)
				if (json_is_string(v) && !strcmp(json_string_value(v), type_name[t]))
					break;
			if (t == sizeof type_name / sizeof type_name[0])
				return sc_yaml_error(y, v, err, "bad-map",
				                     "type: expected string, integer, number, date, hs, country or currency");
			f->type = (enum ftype)t;
		} else if (!strcmp(k, "required")) {
			if (!json_is_boolean(v))
				return sc_yaml_error(y, v, err, "bad-map", "required: expected true or false");
			f->required = json_is_true(v);
		} else if (!strcmp(k, "optional")) {
			if (!json_is_boolean(v))
				return sc_yaml_error(y, v, err, "bad-map", "optional: expected true or false");
			f->optional = json_is_true(v) ? 1 : -1;
		} else if (!strcmp(k, "upper")) {
			if (!json_is_boolean(v))
				return sc_yaml_error(y, v, err, "bad-map", "upper: expected true or false");
			f->upper = json_is_true(v);
		} else if (!strcmp(k, "pad")) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10)
				return sc_yaml_error(y, v, err, "bad-map", "pad: expected a width from 1 to 10");
			f->pad = (int)json_integer_value(v);
		} else if (!strcmp(k, "scale")) {
			if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) == 0)
				return sc_yaml_error(y, v, err, "bad-map", "scale: expected a non-zero number");
			f->scale *= json_number_value(v);
		} else if (!strcmp(k, "unit")) {
			static const struct { const char *u; double kg; } units[] = {
				{ "kg", 1 }, { "g", 0.001 }, { "t", 1000 }, { "lb", 0.45359237 },
			};
			size_t u;
			for (u = 0; u < sizeof units / sizeof units[0]; u++)
				if (json_is_string(v) && !strcmp(json_string_value(v), units[u].u))
					break;
			if (u == sizeof units / sizeof units[0])
				return sc_yaml_error(y, v, err, "bad-map", "unit: expected kg, g, t or lb");
			f->scale *= units[u].kg;
		} else if (!strcmp(k, "decimal")) {
			if (!json_is_string(v) || (strcmp(json_string_value(v), ".") && strcmp(json_string_value(v), ",")))
				return sc_yaml_error(y, v, err, "bad-map", "decimal: expected \".\" or \",\"");
			f->decimal = json_string_value(v)[0];
		} else if (!strcmp(k, "formats") || !strcmp(k, "format")) {
			size_t n = json_is_array(v) ? json_array_size(v) : 1;
			if (n == 0 || f->nformats + n > MAX_FORMATS)
				return sc_yaml_error(y, v, err, "bad-map", "%s: one to %d date formats", k, MAX_FORMATS);
			for (size_t i = 0; i < n; i++) {
				const json_t *s = json_is_array(v) ? json_array_get(v, i) : v;
				if (!json_is_string(s) || !strchr(json_string_value(s), '%'))
					return sc_yaml_error(y, s, err, "bad-map",
					                     "%s: expected strptime formats such as \"%%d/%%m/%%Y\"", k);
				if (!(f->formats[f->nformats++] = strdup(json_string_value(s))))
					return sc_error_set(err, sc_yaml_name(y), 0, 0, SC_E_NOMEM, "out of memory");
			}
		} else {
			int line, col;
			sc_yaml_key_where(y, spec, k, &line, &col);
			return sc_error_set(err, sc_yaml_name(y), line, col, "bad-map",
			                    "%s: unknown key \"%s\" (column, value, type, required, optional, "
			                    "upper, pad, scale, unit, decimal, formats)", target, k);
		}
	}
	if (!f->column[0] == !f->value)
		return sc_yaml_error(y, spec, err, "bad-map", "%s: give either a column or a value", target);
	if (f->type == T_DATE && f->nformats == 0) {
		static const char *const defaults[] = { "%Y-%m-%d", "%Y%m%d", "%Y/%m/%d" };
		for (int i = 0; i < 3; i++)
			if (!(f->formats[f->nformats++] = strdup(defaults[i])))
				return sc_error_set(err, sc_yaml_name(y), 0, 0, SC_E_NOMEM, "out of memory");
	}
	return 0;
}

static struct sc_import_map *from_yaml(struct sc_yaml *y, struct sc_error *err)
{
	const json_t *root = sc_yaml_root(y), *v;
	struct sc_import_map *m = calloc(1, sizeof *m);
	const char *k;
	json_t *val;

	if (!m) {
		sc_error_set(err, sc_yaml_name(y), 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	snprintf(m->path, sizeof m->path, "%s", sc_yaml_name(y));
	if (!json_is_object(root)) {
		sc_yaml_error(y, root, err, "bad-map", "an import map is a mapping (format, v, id, fields)");
		goto fail;
	}
	json_object_foreach((json_t *)root, k, val) {
		static const char *const keys[] = { "format", "v", "name", "description", "delimiter",
			                                 "group", "id", "labels", "fields", "encoding",
			                                 "optional" };
		int ok = 0;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			ok |= !strcmp(k, keys[i]);
		if (!ok) {
			int line, col;
			sc_yaml_key_where(y, root, k, &line, &col);
			sc_error_set(err, sc_yaml_name(y), line, col, "bad-map", "unknown key \"%s\"", k);
			goto fail;
		}
	}
	v = json_object_get(root, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), MAP_FORMAT)) {
		sc_yaml_error(y, v ? v : root, err, "bad-map", "format: expected \"%s\"", MAP_FORMAT);
		goto fail;
	}
	v = json_object_get(root, "v");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		sc_yaml_error(y, v ? v : root, err, "bad-map", "v: this sc-import reads import maps of version 1");
		goto fail;
	}
	v = json_object_get(root, "name");
	snprintf(m->name, sizeof m->name, "%s", json_is_string(v) ? json_string_value(v) : "");
	if ((v = json_object_get(root, "delimiter"))) {
		const char *d = json_is_string(v) ? json_string_value(v) : "";
		if (!strcmp(d, "\\t") || !strcmp(d, "tab"))
			d = "\t";
		if (strlen(d) != 1 || *d == '"' || *d == '\n' || *d == '\r') {
			sc_yaml_error(y, v, err, "bad-map", "delimiter: expected one character (or \"tab\")");
			goto fail;
		}
		m->delim = *d;
	}
	if ((v = json_object_get(root, "group"))) {
		if (!json_is_boolean(v)) {
			sc_yaml_error(y, v, err, "bad-map", "group: expected true or false");
			goto fail;
		}
		m->group = json_is_true(v);
	}
	if ((v = json_object_get(root, "optional"))) {
		if (!json_is_boolean(v)) {
			sc_yaml_error(y, v, err, "bad-map", "optional: expected true or false");
			goto fail;
		}
		m->optional = json_is_true(v);
	}
	if ((v = json_object_get(root, "encoding"))) {
		const char *e = json_is_string(v) ? json_string_value(v) : "";
		if (!strcasecmp(e, "latin1") || !strcasecmp(e, "iso-8859-1"))
			m->latin1 = 1;
		else if (strcasecmp(e, "utf-8") && strcasecmp(e, "utf8")) {
			sc_yaml_error(y, v, err, "bad-map", "encoding: expected utf-8 or latin1");
			goto fail;
		}
	}
	v = json_object_get(root, "id");
	if (!v) {
		sc_yaml_error(y, root, err, "bad-map", "id: the column of the declaration id is required");
		goto fail;
	}
	if (copy_str(y, v, m->id_column, sizeof m->id_column, "id", err) < 0)
		goto fail;
	if ((v = json_object_get(root, "labels"))) {
		if (!json_is_array(v)) {
			sc_yaml_error(y, v, err, "bad-map", "labels: expected a list of outcome columns");
			goto fail;
		}
		m->labels = calloc(json_array_size(v) + 1, sizeof *m->labels);
		for (size_t i = 0; m->labels && i < json_array_size(v); i++) {
			char buf[128];
			if (copy_str(y, json_array_get(v, i), buf, sizeof buf, "labels", err) < 0)
				goto fail;
			if (!(m->labels[m->nlabels++] = strdup(buf)))
				break;
		}
		if (!m->labels || m->nlabels != json_array_size(v)) {
			sc_error_set(err, sc_yaml_name(y), 0, 0, SC_E_NOMEM, "out of memory");
			goto fail;
		}
	}
	const json_t *fields = json_object_get(root, "fields");
	if (!json_is_object(fields) || json_object_size(fields) == 0) {
		sc_yaml_error(y, fields ? fields : root, err, "bad-map",
		              "fields: expected a mapping of decl fields to columns");
		goto fail;
	}
	if (!(m->f = calloc(json_object_size(fields), sizeof *m->f))) {
		sc_error_set(err, sc_yaml_name(y), 0, 0, SC_E_NOMEM, "out of memory");
		goto fail;
	}
	json_object_foreach((json_t *)fields, k, val) {
		struct field *f = &m->f[m->nf++];
		if (load_field(y, fields, k, val, f, err) < 0)
			goto fail;
		/* an outcome column must not slip into the declarations scored later */
		for (size_t i = 0; i < m->nlabels; i++)
			if (f->column[0] && !strcmp(f->column, m->labels[i])) {
				sc_yaml_error(y, val, err, "bad-map",
				              "%s: column \"%s\" is an outcome (labels:); import it with --label",
				              k, f->column);
				goto fail;
			}
	}
	return m;
fail:
	sc_import_map_free(m);
	return NULL;
}

struct sc_import_map *sc_import_map_load(const char *path, struct sc_error *err)
{
	struct sc_yaml *y = sc_yaml_load_file(path, err);
	if (!y)
		return NULL;
	struct sc_import_map *m = from_yaml(y, err);
	sc_yaml_free(y);
	return m;
}

struct sc_import_map *sc_import_map_load_buffer(const char *name, const char *buf, size_t len,
                                              struct sc_error *err)
{
	struct sc_yaml *y = sc_yaml_load_buffer(name, buf, len, err);
	if (!y)
		return NULL;
	struct sc_import_map *m = from_yaml(y, err);
	sc_yaml_free(y);
	return m;
}

/* ---- binding and rows -------------------------------------------------------- */

/* s without the white space around it: its start, and *n its length. */
static const char *trim(const char *s, size_t *n)
{
	while (isspace((unsigned char)*s))
		s++;
	*n = strlen(s);
	while (*n && isspace((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

/* Two column names alike but for white space around them and case. */
static int same_name(const char *a, const char *b)
{
	size_t na, nb;

	a = trim(a, &na);
	b = trim(b, &nb);
	return na == nb && strncasecmp(a, b, na) == 0;
}

/* The column of name: exact first, then trimmed and case-blind. -1 when
 * absent; -2 when it matches two columns alike (*other: the second), since
 * then the map cannot say which one it means. */
static long find_column2(char **header, size_t n, const char *name, long *other)
{
	for (int pass = 0; pass < 2; pass++) {
		long found = -1;
		for (size_t i = 0; i < n; i++) {
			if (pass == 0 ? strcmp(header[i], name) != 0 : !same_name(header[i], name))
				continue;
			if (found >= 0) {
				*other = (long)i;
				return -2 - found;
			}
			found = (long)i;
		}
		if (found >= 0)
			return found;
	}
	return -1;
}

static long bind_column(char **header, size_t n, const char *name, const char *file,
                        struct sc_error *err)
{
	long other = 0, col = find_column2(header, n, name, &other);
	if (col <= -2) {
		sc_error_set(err, file, 1, 0, "dup-column",
		             "column \"%s\" appears twice in the header (columns %ld and %ld): "
		             "the map cannot say which one it means", name, -2 - col + 1, other + 1);
		return -2;
	}
	return col;
}

int sc_import_map_header_dup(char **header, size_t n, size_t from, size_t *a, size_t *b)
{
	for (size_t j = from; j < n; j++)
		for (size_t i = 0; i < j; i++)
			if (header[j][0] && same_name(header[i], header[j])) {
				*a = i;
				*b = j;
				return 1;
			}
	return 0;
}

int sc_import_map_bind(struct sc_import_map *m, char **header, size_t n, const char *label,
                      const char *file, struct sc_error *err)
{
	if ((m->id_col = bind_column(header, n, m->id_column, file, err)) == -2)
		return -1;
	if (m->id_col < 0)
		return sc_error_set(err, file, 1, 0, "no-column",
		                    "no column \"%s\" (the id column of map %s) in the header",
		                    m->id_column, m->path);
	m->label_col = -1;
	if (label && (m->label_col = bind_column(header, n, label, file, err)) == -2)
		return -1;
	if (label && m->label_col < 0)
		return sc_error_set(err, file, 1, 0, "no-column",
		                    "no column \"%s\" (given with --label) in the header", label);
	for (size_t i = 0; i < m->nf; i++) {
		struct field *f = &m->f[i];
		f->col = -1;
		int optional = f->optional ? f->optional > 0 : m->optional && !f->required;
		if (f->column[0] && (f->col = bind_column(header, n, f->column, file, err)) == -2)
			return -1;
		if (f->column[0] && f->col < 0 && !optional)
			return sc_error_set(err, file, 1, 0, "no-column",
			                    "no column \"%s\" (for %s in map %s) in the header",
			                    f->column, f->target, m->path);
		if (f->col < 0)
			f->col = -1;
	}
	return 0;
}

/* The text trimmed of blanks, converted from Latin-1 when the map says so;
 * a new string (NULL when out of memory). */
static char *trimmed(const struct sc_import_map *m, const char *s)
{
	size_t n;
	s = trim(s, &n);
	char *buf = malloc(2 * n + 1);
	size_t k = 0;
	if (!buf)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (m->latin1 && ch >= 0x80) {
			buf[k++] = (char)(0xC0 | (ch >> 6));
			buf[k++] = (char)(0x80 | (ch & 0x3F));
		} else {
			buf[k++] = (char)ch;
		}
	}
	buf[k] = '\0';
	return buf;
}

static int parse_number(const char *s, char decimal, double *out)
{
	char tmp[128];
	size_t k = 0;
	for (; *s && k + 1 < sizeof tmp; s++) {
		if (*s == ' ' || *s == '\'' || (*s == ',' && decimal == '.') || (*s == '.' && decimal == ','))
			continue;          /* thousands separators */
		/* decimal digits only: strtod would read 0x10 as 16 and "inf" as a number */
		if (!strchr("0123456789+-.,eE", *s))
			return -1;
		tmp[k++] = *s == ',' ? '.' : *s;
	}
	if (*s)
		return -1;
	tmp[k] = '\0';
	char *end;
	double d = strtod(tmp, &end);
	if (end == tmp || *end)
		return -1;
	if (!isfinite(d))
		return -2;   /* digits past the range of a double */
	*out = d;
	return 0;
}

static json_t *number_json(double d)
{
	if (d == floor(d) && fabs(d) < 9e15)
		return json_integer((json_int_t)d);
	return json_real(d);
}

static int convert_text(const struct field *f, char *buf, json_t **v, char *msg, size_t mlen);

/* The typed value of one cell; *v NULL when empty. -1 with msg on a bad value. */
static int convert(const struct sc_import_map *m, const struct field *f, const char *cell,
                   json_t **v, char *msg, size_t mlen)
{
	char *buf = trimmed(m, cell);
	int rc;
	*v = NULL;
	if (!buf)
		return snprintf(msg, mlen, "out of memory"), -1;
	rc = *buf ? convert_text(f, buf, v, msg, mlen) : 0;
	free(buf);
	return rc;
}

static int convert_text(const struct field *f, char *buf, json_t **v, char *msg, size_t mlen)
{
	const char *s = buf;
	switch (f->type) {
	case T_STRING:
		if (f->upper)
			for (char *p = buf; *p; p++)
				*p = (char)toupper((unsigned char)*p);
		*v = json_string(s);
		if (!*v)
			return snprintf(msg, mlen, "not valid UTF-8 (say encoding: latin1 in the map?)"), -1;
		return 0;
	case T_INTEGER: {
		char *end;
		errno = 0;
		long long x = strtoll(s, &end, 10);
		if (*end || end == s)
			return snprintf(msg, mlen, "not an integer: \"%.40s\"", s), -1;
		if (errno == ERANGE)
			return snprintf(msg, mlen, "integer out of range (%lld to %lld): \"%.40s\"",
			                LLONG_MIN, LLONG_MAX, s), -1;
		*v = json_integer(x);
		return 0;
	}
	case T_NUMBER: {
		double d;
		int prc = parse_number(s, f->decimal, &d);
		if (prc == -2)
			return snprintf(msg, mlen, "number out of range (at most %g in magnitude): \"%.40s\"",
			                DBL_MAX, s), -1;
		if (prc < 0)
			return snprintf(msg, mlen, "not a number: \"%.40s\"", s), -1;
		if (!isfinite(d * f->scale))
			return snprintf(msg, mlen, "out of range once scaled by %g (at most %g): \"%.40s\"",
			                f->scale, DBL_MAX, s), -1;
		*v = number_json(d * f->scale);
		if (!*v)
			return snprintf(msg, mlen, "out of memory"), -1;
		return 0;
	}
	case T_DATE:
		for (int i = 0; i < f->nformats; i++) {
			struct tm tm;
			memset(&tm, 0, sizeof tm);
			const char *end = strptime(s, f->formats[i], &tm);
			if (!end || *end)
				continue;
			char iso[32];
			long days;
			snprintf(iso, sizeof iso, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
			if (sc_learn_parse_date(iso, &days) < 0)
				continue;
			*v = json_string(iso);
			return 0;
		}
		return snprintf(msg, mlen, "not a date in the map's formats: \"%.40s\"", s), -1;
	case T_HS: {
		char d[16];
		size_t k = 0;
		for (const char *p = s; *p; p++) {
			if (isdigit((unsigned char)*p)) {
				if (k >= 10)
					return snprintf(msg, mlen, "HS code longer than 10 digits: \"%.40s\"", s), -1;
				d[k++] = *p;
			} else if (*p != '.' && *p != ' ') {
				return snprintf(msg, mlen, "not an HS code: \"%.40s\"", s), -1;
			}
		}
		d[k] = '\0';
		if (f->pad && (int)k < f->pad) {   /* leading zeros lost by a spreadsheet */
			memmove(d + (f->pad - (int)k), d, k + 1);
			memset(d, '0', (size_t)(f->pad - (int)k));
			k = (size_t)f->pad;
		}
		if (k < 2)
			return snprintf(msg, mlen, "not an HS code: \"%.40s\"", s), -1;
		*v = json_string(d);
		return 0;
	}
	case T_COUNTRY:
	case T_CURRENCY: {
		size_t want = f->type == T_COUNTRY ? 2 : 3;
		char c[4];
		if (strlen(s) != want)
			goto bad_code;
		for (size_t i = 0; i < want; i++) {
			if (!isalpha((unsigned char)s[i]))
				goto bad_code;
			c[i] = (char)toupper((unsigned char)s[i]);
		}
		c[want] = '\0';
		*v = json_string(c);
		return 0;
bad_code:
		return snprintf(msg, mlen, "not an ISO %s code: \"%.40s\"",
		                f->type == T_COUNTRY ? "3166 alpha-2" : "4217", s), -1;
	}
	}
	return 0;
}

static json_t *child(json_t *o, const char *k)
{
	json_t *c = json_object_get(o, k);
	if (!c) {
		c = json_object();
		json_object_set_new(o, k, c);
	}
	return c;
}

/* A list of container numbers from one column (blanks, commas, semicolons
 * or slashes between them), upper-cased; consumes s. */
static json_t *container_list(json_t *s)
{
	json_t *a = json_array();
	const char *p = json_string_value(s);
	while (*p) {
		size_t n = strcspn(p, " \t,;/");
		if (n) {
			char buf[64];
			size_t k;
			for (k = 0; k < n && k + 1 < sizeof buf; k++)
				buf[k] = (char)(p[k] >= 'a' && p[k] <= 'z' ? p[k] - 32 : p[k]);
			buf[k] = '\0';
			json_array_append_new(a, json_string(buf));
		}
		p += n;
		if (*p)
			p++;
	}
	json_decref(s);
	return a;
}

int sc_import_map_row(const struct sc_import_map *m, char **fields, size_t n, const char *file,
                     unsigned long line, json_t **rec, struct sc_error *err)
{
	char msg[256];
	json_t *decl, *item = NULL;

	*rec = NULL;
	if (n <= (size_t)m->id_col)
		return sc_error_set(err, file, (int)line, 0, "short-row", "%zu fields, too few for the map", n);
	char *id = trimmed(m, fields[m->id_col]);
	if (!id || !*id) {
		free(id);
		return sc_error_set(err, file, (int)line, 0, "no-id", "column \"%s\": empty declaration id",
		                    m->id_column);
	}
	json_t *jid = json_string(id);
	free(id);
	if (!jid)
		return sc_error_set(err, file, (int)line, 0, "bad-utf8", "column \"%s\": not valid UTF-8",
		                    m->id_column);
	decl = json_pack("{s:i,s:O}", "v", 1, "id", jid);
	for (size_t i = 0; i < m->nf; i++) {
		const struct field *f = &m->f[i];
		json_t *v = NULL;
		if (f->value) {
			v = json_deep_copy(f->value);
		} else if (f->col < 0) {
			continue;           /* an optional column this file does not have */
		} else if ((size_t)f->col >= n) {
			snprintf(msg, sizeof msg, "missing");
			goto bad;
		} else if (convert(m, f, fields[f->col], &v, msg, sizeof msg) < 0) {
			goto bad;
		}
		if (!v) {
			if (f->required) {
				snprintf(msg, sizeof msg, "empty, and the map requires it");
				goto bad;
			}
			continue;
		}
		if (!strcmp(f->target, "containers") && json_is_string(v))
			v = container_list(v);   /* one column: "MSCU1234565 TGHU7654321" */
		const char *dot = strchr(f->target, '.');
		if (!dot) {
			if (!strcmp(f->target, "id"))
				json_decref(v);   /* the id column fills it already */
			else
				json_object_set_new(decl, f->target, v);
		} else if (!strncmp(f->target, "items.", 6)) {
			if (!item)
				item = json_object();
			json_object_set_new(item, dot + 1, v);
		} else {
			char part[32];
			snprintf(part, sizeof part, "%.*s", (int)(dot - f->target), f->target);
			json_object_set_new(child(decl, part), dot + 1, v);
		}
		continue;
bad:
		json_decref(v);
		json_decref(item);
		json_decref(decl);
		json_decref(jid);
		return sc_error_set(err, file, (int)line, 0, "bad-value",
		                    "column \"%s\" (%s): %s", f->column, f->target, msg);
	}
	if (item)
		json_object_set_new(decl, "items", json_pack("[o]", item));
	if (m->label_col >= 0) {
		double d;
		char *s = (size_t)m->label_col < n ? trimmed(m, fields[m->label_col]) : NULL;
		json_t *lv = NULL;
		if (s && *s)
			lv = parse_number(s, '.', &d) == 0 ? number_json(d) : json_string(s);
		if (lv)
			json_object_set_new(decl, "outcome", lv);
		free(s);
	}
	*rec = json_pack("{s:o,s:{s:s,s:I},s:o}", "id", jid, "src", "path", file, "line",
	                 (json_int_t)line, "decl", decl);
	return *rec ? 0 : sc_error_set(err, file, (int)line, 0, SC_E_NOMEM, "out of memory");
}

const char *sc_import_map_rec_id(const json_t *rec)
{
	return json_string_value(json_object_get(rec, "id"));
}

int sc_import_map_merge(json_t *rec, const json_t *more)
{
	json_t *decl = json_object_get(rec, "decl");
	const json_t *items = json_object_get(json_object_get(more, "decl"), "items");
	json_t *mine = json_object_get(decl, "items");
	if (!json_is_array(items))
		return 0;
	if (!mine) {
		mine = json_array();
		json_object_set_new(decl, "items", mine);
	}
	return json_array_extend(mine, (json_t *)items);
}
