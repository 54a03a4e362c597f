/*
 * fuzz_norm_port.c - libFuzzer target for the port normalizer of lib/norm.h:
 * any bytes, no crash, no read beyond the input.
 */
#include "norm_fuzz.h"

static void fuzz_norm(const char *s, size_t n, struct sc_span *sp)
{
	char lc[6];
	static struct sc_ports *p;
	if (!p) {
		p = sc_ports_new();
		sc_ports_add(p, "CNSHA", "Shanghai");
		sc_ports_add(p, "DEHAM", "Hamburg");
	}
	sc_norm_port(p, s, n, lc, sp);
}
