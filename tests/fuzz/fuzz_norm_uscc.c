/*
 * fuzz_norm_uscc.c - libFuzzer target for the uscc normalizer of lib/norm.h:
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
	char c[19];
	sc_norm_uscc(s, n, c, &sp);
	if (n >= 18)
		sc_uscc_valid(s);
	free(s);
	return 0;
}
