/*
 * import_map.h - import maps: YAML files (under rules/maps/) that say which CSV
 * column feeds which `decl` field, with types, units, date formats, scaling
 * and outcome columns; and the conversion of one CSV row into a record.
 */
#ifndef SC_IMPORT_MAP_H
#define SC_IMPORT_MAP_H

#include "sc.h"

struct sc_import_map;

/* Load and check a map; errors carry the map's file:line:col. */
struct sc_import_map *sc_import_map_load(const char *path, struct sc_error *err);
struct sc_import_map *sc_import_map_load_buffer(const char *name, const char *buf, size_t len,
                                              struct sc_error *err);
void sc_import_map_free(struct sc_import_map *m);
const char *sc_import_map_name(const struct sc_import_map *m);
/* The map's delimiter, or 0 when it leaves it to be guessed. */
char sc_import_map_delim(const struct sc_import_map *m);
/* Whether consecutive rows with the same id make one declaration. */
int sc_import_map_grouped(const struct sc_import_map *m);

/*
 * Bind the map to the header row of one CSV file (the map keeps the column
 * positions until the next bind). label: a column to keep as decl.outcome,
 * or NULL. -1 with err at file:1 when a column the map needs is absent.
 */
int sc_import_map_bind(struct sc_import_map *m, char **header, size_t n, const char *label,
                      const char *file, struct sc_error *err);

/* Two header names that are the same (trimmed, case-blind; j >= from):
 * 1 with *a < *b their indexes, or 0. A map that names such a column is
 * refused by sc_import_map_bind (code dup-column). */
int sc_import_map_header_dup(char **header, size_t n, size_t from, size_t *a, size_t *b);

/*
 * Convert one data row (borrowed fields) into a new record
 *   {"id": ..., "src": {"path": file, "line": line}, "decl": {"v": 1, ...}}.
 * -1 with err at file:line naming the column when a value is bad or missing.
 */
int sc_import_map_row(const struct sc_import_map *m, char **fields, size_t n, const char *file,
                     unsigned long line, json_t **rec, struct sc_error *err);

/* The record's declaration id (borrowed), for grouping. */
const char *sc_import_map_rec_id(const json_t *rec);
/* Append the items of `more` (borrowed) to rec's decl.items. */
int sc_import_map_merge(json_t *rec, const json_t *more);

#endif
