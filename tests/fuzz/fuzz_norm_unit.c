/*
 * fuzz_norm_unit.c - libFuzzer target for the unit normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include "norm_fuzz.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp)
{
	double kg;
	const char *u;
	sc_norm_weight(s, n, 1, &kg, sp);
	sc_norm_unit(s, n, &u, sp);
}
