/*
 * yamltree.h - YAML files as jansson values that remember where they stood, so
 * rule packs, parse templates, import maps and taxon files can report
 * "file:line:col: message". Plain scalars become numbers, true/false/null
 * where they read as such (YAML 1.2 core schema); quoted scalars stay strings.
 * Anchors and aliases are refused (a hostile file cannot expand), and so are
 * documents nested deeper than SC_YAML_MAX_DEPTH or larger than SC_YAML_MAX_BYTES.
 */
#ifndef SC_YAML_H
#define SC_YAML_H

#include "sc.h"

#define SC_YAML_MAX_DEPTH 64
#define SC_YAML_MAX_BYTES (16u << 20)

struct sc_yaml;

/* Load the first document of a file (or a buffer, named `name` in errors). */
struct sc_yaml *sc_yaml_load_file(const char *path, struct sc_error *err);
struct sc_yaml *sc_yaml_load_buffer(const char *name, const char *buf, size_t len,
                                    struct sc_error *err);
void sc_yaml_free(struct sc_yaml *y);

/* The document's root value (borrowed; lives as long as y). An empty file is null. */
json_t *sc_yaml_root(const struct sc_yaml *y);
const char *sc_yaml_name(const struct sc_yaml *y);
/*
 * Where a node stood: line and col (1-based) of the value, found by its
 * address. For a key, pass the object and the key: sc_yaml_key_where().
 * Returns 0, or -1 when unknown (then line and col are set to 0).
 */
int sc_yaml_where(const struct sc_yaml *y, const json_t *node, int *line, int *col);
int sc_yaml_key_where(const struct sc_yaml *y, const json_t *object, const char *key,
                      int *line, int *col);
/* Fill err with the node's place: returns -1 for `return sc_yaml_error(...)`. */
int sc_yaml_error(const struct sc_yaml *y, const json_t *node, struct sc_error *err,
                  const char *code, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
