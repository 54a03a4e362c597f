/*
 * fuzz_norm_country.c - libFuzzer target for the country normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include "norm_fuzz.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp)
{
	char a2[3];
	sc_norm_country(s, n, a2, sp);
}
