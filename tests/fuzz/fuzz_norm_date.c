/*
 * fuzz_norm_date.c - libFuzzer target for the date normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include "norm_fuzz.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp)
{
	char iso[11];
	sc_norm_date(s, n, n & 1, iso, sp);
	sc_date_valid((int)n, 2, 29);
}
