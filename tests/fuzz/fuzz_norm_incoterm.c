/*
 * fuzz_norm_incoterm.c - libFuzzer target for the incoterm normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include "norm_fuzz.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp)
{
	char c[4];
	sc_norm_incoterm(s, n, c, sp);
}
