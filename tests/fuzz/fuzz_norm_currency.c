/*
 * fuzz_norm_currency.c - libFuzzer target for the currency normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include "norm_fuzz.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp)
{
	char c[4];
	sc_norm_currency(s, n, c, sp);
}
