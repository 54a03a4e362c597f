/*
 * fuzz_csv_map.c - libFuzzer target for import maps: any bytes as a map's
 * YAML must load or fail with a message; a map that loads is bound to a
 * fixed header and converts a fixed row, without a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>

/* the fuzz build compiles this file as C++: keep the C names */
#ifdef __cplusplus
extern "C" {
#endif
#include "import_map.h"
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#ifdef __cplusplus
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char h0[] = "id", h1[] = "date", h2[] = "hs", h3[] = "value", h4[] = "Fraud";
	static char r0[] = "X1", r1[] = "2021-03-04", r2[] = "6109.10", r3[] = "1.234,5", r4[] = "1";
	char *header[] = { h0, h1, h2, h3, h4 }, *row[] = { r0, r1, r2, r3, r4 };
	struct sc_error err;
	struct sc_import_map *m = sc_import_map_load_buffer("fuzz.yaml", (const char *)data, size, &err);

	if (!m)
		return 0;
	if (sc_import_map_bind(m, header, 5, "Fraud", "fuzz.csv", &err) == 0) {
		json_t *rec;
		if (sc_import_map_row(m, row, 5, "fuzz.csv", 2, &rec, &err) == 0) {
			json_t *more;
			if (sc_import_map_row(m, row, 5, "fuzz.csv", 3, &more, &err) == 0) {
				sc_import_map_merge(rec, more);
				json_decref(more);
			}
			json_decref(rec);
		}
	}
	sc_import_map_free(m);
	return 0;
}
