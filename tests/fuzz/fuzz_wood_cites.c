/*
 * fuzz_wood_cites.c - libFuzzer target for the CITES timber table
 * (rules/cites-timber.yaml), shared with sc-risk: load, then look names up.
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
	struct sc_yaml *y = sc_yaml_load_buffer("cites.yaml", (const char *)data, size, &e);
	struct sc_cites *c;
	if (!y)
		return 0;
	c = sc_cites_load_yaml(y, &e);
	if (c) {
		static const char *names[] = {"Dalbergia nigra", "Dalbergia", "x spp.", "", " ", "Khaya ivorensis"};
		for (size_t i = 0; i < sizeof names / sizeof *names; i++)
			json_decref(sc_cites_lookup(c, names[i]));
		sc_cites_free(c);
	}
	sc_yaml_free(y);
	return 0;
}
