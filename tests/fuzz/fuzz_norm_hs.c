/*
 * fuzz_norm_hs.c - libFuzzer target for the hs normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include "norm_fuzz.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp)
{
	char d[11];
	int st;
	sc_norm_hs(s, n, NULL, d, &st, sp);
}
