/*
 * norm_fuzz.h - the harness every normalizer fuzz target shares: any bytes,
 * copied to exactly their size (so ASan sees a read past the end), handed to
 * the target's fuzz_norm(). A target includes this and defines fuzz_norm().
 */
#ifndef NORM_FUZZ_H
#define NORM_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp);

#ifdef __cplusplus
extern "C"
#endif
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = (char *)malloc(size ? size : 1);
	struct sc_span sp;

	if (!s)
		return 0;
	memcpy(s, data, size);
	fuzz_norm(s, size, &sp);
	free(s);
	return 0;
}

#endif
