/*
 * fuzz_norm_uscc.c - libFuzzer target for the uscc normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include "norm_fuzz.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp)
{
	char c[19];
	sc_norm_uscc(s, n, c, sp);
	if (n >= 18)
		sc_uscc_valid(s);
}
