/*
 * fuzz_csv.c - libFuzzer target for the CSV reader and the row conversion of
 * import maps: any bytes, read with small caps through the generic map (the
 * first row as header), in every mode of the reader (delimiter guessed or
 * given, text after a closing quote dropped, no recovery of stray quotes),
 * must give rows or errors, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* the fuzz build compiles this file as C++: keep the C names */
#ifdef __cplusplus
extern "C" {
#endif
#include "csv.h"
#include "import_map.h"
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#ifdef __cplusplus
}
#endif

static const char map_text[] =
	"format: sc-import-map\nv: 1\nid: id\ngroup: true\noptional: true\nlabels: [outcome]\n"
	"fields:\n"
	"  date: {column: date, type: date, formats: [\"%Y-%m-%d\", \"%d/%m/%Y\"]}\n"
	"  importer.id: importer_id\n"
	"  origin: {column: origin, type: country}\n"
	"  currency: {column: currency, type: currency}\n"
	"  items.hs: {column: hs, type: hs, pad: 6}\n"
	"  items.qty: {column: qty, type: integer}\n"
	"  items.value: {column: value, type: number, decimal: \",\", scale: 2}\n"
	"  items.net_kg: {column: net_kg, type: number, unit: lb}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sc_import_map *map;
	struct sc_csv_opts o = { .max_field = 256, .max_row = 4096, .max_fields = 64 };
	struct sc_error err;
	size_t n;
	char **f;
	int rc, bound = 0;

	if (!map && !(map = sc_import_map_load_buffer("fuzz.yaml", map_text, sizeof map_text - 1, &err)))
		abort();
	o.delim = size && (data[0] & 1) ? 0 : ',';   /* guessed or given */
	/* the lenient modes of the rule packs' tables and screening lists */
	o.after_quote_dropped = size && (data[0] & 2);
	o.no_recovery = size && (data[0] & 4);
	struct sc_csv *c = sc_csv_open_buffer("fuzz.csv", (const char *)data, size, &o, &err);
	if (!c)
		return 0;
	json_t *pending = NULL;
	while ((rc = sc_csv_next(c, &n, &f, &err)) != 0) {
		if (rc < 0) {
			if (rc == -2)
				break;
			continue;
		}
		if (!bound) {
			if (sc_import_map_bind(map, f, n, "outcome", "fuzz.csv", &err) < 0)
				break;
			bound = 1;
			continue;
		}
		json_t *rec;
		if (sc_import_map_row(map, f, n, "fuzz.csv", sc_csv_line(c), &rec, &err) < 0)
			continue;
		if (pending && !strcmp(sc_import_map_rec_id(pending), sc_import_map_rec_id(rec))) {
			sc_import_map_merge(pending, rec);
			json_decref(rec);
		} else {
			json_decref(pending);
			pending = rec;
		}
	}
	json_decref(pending);
	sc_csv_free(c);
	return 0;
}
