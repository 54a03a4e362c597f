/*
 * fuzz_wood_probe.c - libFuzzer target for the image header check that runs
 * before any decoding (JPEG markers, PNG IHDR) and the size caps after it.
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
	const char *fmt;
	int w, h;
	if (sc_wood_probe("fuzz", data, size, &fmt, &w, &h, &e) == 0)
		(void)sc_wood_reduction("fuzz", fmt, w, h, &e);
	return 0;
}
