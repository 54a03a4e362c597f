/*
 * fuzz_norm_amount.c - libFuzzer target for the amount normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include "norm_fuzz.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp)
{
	double v;
	int d;
	sc_norm_amount(s, n, &v, &d, sp);
}
