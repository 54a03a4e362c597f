/*
 * yamltree.c - libyaml events into jansson values, with the place of every node
 * kept in a side table so that later checks can still name file:line:col.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "errcode.h"
#include "yamltree.h"

#define MAX_NODES 1000000

struct sc_yaml {
	char name[256];
	json_t *root;
	json_t *where;      /* "%p" of a node -> [line, col] */
	json_t *keys;       /* "%p" of an object -> {key: [line, col]} */
};

static void ptrkey(char *buf, size_t n, const void *p)
{
	snprintf(buf, n, "%p", p);
}

static int is_singleton(const json_t *v)
{
	return json_is_true(v) || json_is_false(v) || json_is_null(v);
}

static void remember(struct sc_yaml *y, const json_t *v, yaml_mark_t m)
{
	char k[32];

	if (is_singleton(v))
		return;
	ptrkey(k, sizeof k, v);
	json_object_set_new(y->where, k, json_pack("[ii]", (int)m.line + 1, (int)m.column + 1));
}

static void remember_key(struct sc_yaml *y, const json_t *obj, const char *key, yaml_mark_t m)
{
	char k[32];
	json_t *tab;

	ptrkey(k, sizeof k, obj);
	tab = json_object_get(y->keys, k);
	if (!tab) {
		tab = json_object();
		json_object_set_new(y->keys, k, tab);
	}
	json_object_set_new(tab, key, json_pack("[ii]", (int)m.line + 1, (int)m.column + 1));
}

static int matches_number(const char *s, int *is_int)
{
	const char *p = s;
	int digits = 0, dot = 0, exp = 0;

	if (*p == '+' || *p == '-')
		p++;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '.' && !dot && !exp)
			dot = 1;
		else if ((*p == 'e' || *p == 'E') && digits && !exp) {
			exp = 1;
			if (p[1] == '+' || p[1] == '-')
				p++;
			if (!p[1])
				return 0;
		} else
			return 0;
	}
	*is_int = !dot && !exp;
	return digits > 0;
}

/*
 * A plain scalar in the YAML 1.2 core schema; quoted ones stay strings.
 * A number beyond the range of a double (1e999) or of an integer is an
 * error at its place, not an infinity or a clamped value.
 */
static json_t *scalar_value(const yaml_event_t *ev, const char *name, struct sc_error *err)
{
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	int is_int;

	if ((tag && strcmp(tag, YAML_STR_TAG) == 0) || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		json_t *str = json_stringn(s, len);
		if (!str)   /* NUL bytes or bad UTF-8 */
			sc_error_set(err, name, line, col, "yaml", "a string jansson cannot hold (a NUL byte?)");
		return str;
	}
	if (len == 0 || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
		return json_null();
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return json_true();
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return json_false();
	if (len < 32 && matches_number(s, &is_int)) {
		double d;
		if (is_int) {
			char *end;
			long long v;
			errno = 0;
			v = strtoll(s, &end, 10);
			if (!*end && errno != ERANGE)
				return json_integer(v);
			if (!*end) {
				sc_error_set(err, name, line, col, "bad-number",
				             "%s is out of range (integers from -2^63 to 2^63-1; write a large value with a decimal point)", s);
				return NULL;
			}
		} else {
			d = strtod(s, NULL);
			if (!isfinite(d)) {
				sc_error_set(err, name, line, col, "bad-number",
				             "%s is out of range (numbers up to about 1.8e308)", s);
				return NULL;
			}
			return json_real(d);
		}
	}
	json_t *str = json_stringn(s, len);
	if (!str)
		sc_error_set(err, name, line, col, SC_E_NOMEM, "out of memory");
	return str;
}

struct frame {
	json_t *node;
	char *pending_key;      /* for mappings: the key waiting for its value */
	yaml_mark_t key_mark;
};

static int attach(struct sc_yaml *y, struct frame *top, json_t *v, yaml_mark_t m,
                  struct sc_error *err)
{
	if (!top) {
		y->root = v;
		return 0;
	}
	if (json_is_array(top->node))
		return json_array_append_new(top->node, v);
	if (!top->pending_key) {
		/* v is a key */
		if (!json_is_string(v)) {
			json_decref(v);
			return sc_error_set(err, y->name, (int)m.line + 1, (int)m.column + 1, "yaml",
			                    "mapping keys must be plain strings");
		}
		top->pending_key = strdup(json_string_value(v));
		top->key_mark = m;
		json_decref(v);
		if (!top->pending_key)
			return sc_error_set(err, y->name, 0, 0, SC_E_NOMEM, "out of memory");
		if (json_object_get(top->node, top->pending_key))
			return sc_error_set(err, y->name, (int)m.line + 1, (int)m.column + 1, "yaml",
			                    "duplicate key \"%s\"", top->pending_key);
		return 0;
	}
	remember_key(y, top->node, top->pending_key, top->key_mark);
	json_object_set_new(top->node, top->pending_key, v);
	free(top->pending_key);
	top->pending_key = NULL;
	return 0;
}

static struct sc_yaml *load(const char *name, const unsigned char *buf, size_t len,
                            struct sc_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct frame stack[SC_YAML_MAX_DEPTH + 1];
	int depth = 0, done = 0, failed = 0;
	long nodes = 0;
	struct sc_yaml *y = calloc(1, sizeof *y);

	if (!y) {
		sc_error_set(err, name, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	snprintf(y->name, sizeof y->name, "%s", name);
	y->where = json_object();
	y->keys = json_object();
	if (len > SC_YAML_MAX_BYTES) {
		sc_error_set(err, name, 0, 0, "too-large", "YAML file larger than %u bytes",
		             SC_YAML_MAX_BYTES);
		sc_yaml_free(y);
		return NULL;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, buf, len);
	while (!done && !failed) {
		json_t *v = NULL;
		struct frame *top = depth ? &stack[depth - 1] : NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			sc_error_set(err, name, (int)parser.problem_mark.line + 1,
			             (int)parser.problem_mark.column + 1, "yaml", "%s%s%s",
			             parser.problem ? parser.problem : "syntax error",
			             parser.context ? " " : "", parser.context ? parser.context : "");
			failed = 1;
			break;
		}
		yaml_mark_t m = ev.start_mark;
		if (++nodes > MAX_NODES) {
			sc_error_set(err, name, (int)m.line + 1, (int)m.column + 1, "too-large",
			             "more than %d YAML nodes", MAX_NODES);
			failed = 1;
		}
		switch (failed ? YAML_NO_EVENT : ev.type) {
		case YAML_SCALAR_EVENT:
			v = scalar_value(&ev, name, err);
			if (v && !(top && json_is_object(top->node) && !top->pending_key))
				remember(y, v, m);
			if (!v || attach(y, top, v, m, err) < 0)
				failed = 1;
			if (!top)
				done = 1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= SC_YAML_MAX_DEPTH) {
				sc_error_set(err, name, (int)m.line + 1, (int)m.column + 1, "too-deep",
				             "nested deeper than %d levels", SC_YAML_MAX_DEPTH);
				failed = 1;
				break;
			}
			if (top && json_is_object(top->node) && !top->pending_key) {
				sc_error_set(err, name, (int)m.line + 1, (int)m.column + 1, "yaml",
				             "mapping keys must be plain strings");
				failed = 1;
				break;
			}
			v = ev.type == YAML_SEQUENCE_START_EVENT ? json_array() : json_object();
			remember(y, v, m);
			json_incref(v);  /* the frame keeps a reference until the end event */
			if (attach(y, top, v, m, err) < 0) {
				json_decref(v);
				failed = 1;
				break;
			}
			stack[depth].node = v;
			stack[depth].pending_key = NULL;
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			free(stack[depth].pending_key);
			if (depth == 0)
				done = 1;
			else
				json_decref(stack[depth].node);
			break;
		case YAML_ALIAS_EVENT:
			sc_error_set(err, name, (int)m.line + 1, (int)m.column + 1, "yaml",
			             "aliases are not allowed");
			failed = 1;
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	while (depth > 0) {
		depth--;
		free(stack[depth].pending_key);
		if (depth > 0)
			json_decref(stack[depth].node);
	}
	/* the root container was never given up by the bottom frame: drop that ref */
	if (y->root && (json_is_object(y->root) || json_is_array(y->root)) && nodes > 0)
		json_decref(y->root);
	yaml_parser_delete(&parser);
	if (failed) {
		sc_yaml_free(y);
		return NULL;
	}
	if (!y->root)
		y->root = json_null();
	return y;
}

struct sc_yaml *sc_yaml_load_buffer(const char *name, const char *buf, size_t len,
                                    struct sc_error *err)
{
	return load(name, (const unsigned char *)buf, len, err);
}

struct sc_yaml *sc_yaml_load_file(const char *path, struct sc_error *err)
{
	unsigned char *data;
	size_t len;
	struct sc_yaml *y;

	if (sc_read_file(path, SC_YAML_MAX_BYTES, &data, &len, err) < 0)
		return NULL;
	y = load(path, data, len, err);
	free(data);
	return y;
}

void sc_yaml_free(struct sc_yaml *y)
{
	if (!y)
		return;
	json_decref(y->root);
	json_decref(y->where);
	json_decref(y->keys);
	free(y);
}

json_t *sc_yaml_root(const struct sc_yaml *y)
{
	return y->root;
}

const char *sc_yaml_name(const struct sc_yaml *y)
{
	return y->name;
}

static int unpack_place(const json_t *pair, int *line, int *col)
{
	if (!json_is_array(pair)) {
		*line = *col = 0;
		return -1;
	}
	*line = (int)json_integer_value(json_array_get(pair, 0));
	*col = (int)json_integer_value(json_array_get(pair, 1));
	return 0;
}

int sc_yaml_where(const struct sc_yaml *y, const json_t *node, int *line, int *col)
{
	char k[32];

	ptrkey(k, sizeof k, node);
	return unpack_place(node && !is_singleton(node) ? json_object_get(y->where, k) : NULL,
	                    line, col);
}

int sc_yaml_key_where(const struct sc_yaml *y, const json_t *object, const char *key,
                      int *line, int *col)
{
	char k[32];

	ptrkey(k, sizeof k, object);
	return unpack_place(json_object_get(json_object_get(y->keys, k), key), line, col);
}

int sc_yaml_error(const struct sc_yaml *y, const json_t *node, struct sc_error *err,
                  const char *code, const char *fmt, ...)
{
	char msg[512];
	int line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sc_yaml_where(y, node, &line, &col);
	return sc_error_set(err, y->name, line, col, code, "%s", msg);
}
