/*
 * fuzz_norm_container.c - libFuzzer target for the container normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include "norm_fuzz.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp)
{
	char c[12];
	int rep;
	sc_norm_container(s, n, c, &rep, sp);
	if (n >= 11)
		sc_container_valid(s);
}
