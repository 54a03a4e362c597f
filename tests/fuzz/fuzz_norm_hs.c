/*
 * fuzz_norm_hs.c - libFuzzer target for the hs normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"

#ifdef __cplusplus
extern "C"
#endif
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so ASan sees any read past the end */
	char *s = (char *)malloc(size ? size : 1);
	size_t n = size;
	struct sc_span sp;
	if (!s)
		return 0;
	memcpy(s, data, size);
	char d[11];
	int st;
	sc_norm_hs(s, n, NULL, d, &st, &sp);
	free(s);
	return 0;
}
