/*
 * fuzz_norm_iban.c - libFuzzer target for the iban normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include "norm_fuzz.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp)
{
	char c[35];
	sc_norm_iban(s, n, c, sp);
	sc_iban_valid(s, n);
}
