/*
 * fuzz_wood_taxon.c - libFuzzer target for a library's taxon.yaml: YAML in,
 * a taxon or an error with its place out.
 */
#include <stdint.h>
#include <stdlib.h>

/* C linkage for libsc, should a C++ compiler ever build this target */
#ifdef __cplusplus
extern "C" {
#endif
#include "wood.h"
#ifdef __cplusplus
}
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_error e;
	struct sc_wood_taxon t;
	json_t *sp = NULL;
	struct sc_yaml *y = sc_yaml_load_buffer("taxon.yaml", (const char *)data, size, &e);
	if (!y)
		return 0;
	if (sc_wood_taxon_parse(y, "folder_name", &t, &sp, &e) == 0) {
		json_decref(sp);
		sc_wood_taxon_clear(&t);
	}
	sc_yaml_free(y);
	return 0;
}
