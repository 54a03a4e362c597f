/*
 * fuzz_norm_date.c - libFuzzer target for the date normalizer of lib/norm.h:
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
	char iso[11];
	sc_norm_date(s, n, n & 1, iso, &sp);
	sc_date_valid((int)n, 2, 29);
	free(s);
	return 0;
}
