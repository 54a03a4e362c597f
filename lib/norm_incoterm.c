/*
 * norm_incoterm.c - the eleven Incoterms 2020 rules, from their codes, the
 * older or informal forms (C&F, CNF, DAT) and their names.
 */
#include <string.h>

#include "norm.h"

static const struct {
	const char *text;
	const char *code;
} TERMS[] = {
	{"EXW", "EXW"}, {"FCA", "FCA"}, {"CPT", "CPT"}, {"CIP", "CIP"}, {"DAP", "DAP"}, {"DPU", "DPU"},
	{"DDP", "DDP"}, {"FAS", "FAS"}, {"FOB", "FOB"}, {"CFR", "CFR"}, {"CIF", "CIF"},
	{"C&F", "CFR"}, {"C & F", "CFR"}, {"CNF", "CFR"}, {"C+F", "CFR"}, {"DAT", "DPU"},
	{"ex works", "EXW"}, {"free carrier", "FCA"}, {"carriage paid to", "CPT"},
	{"carriage and insurance paid to", "CIP"}, {"delivered at place unloaded", "DPU"},
	{"delivered at place", "DAP"}, {"delivered duty paid", "DDP"},
	{"free alongside ship", "FAS"}, {"free on board", "FOB"}, {"cost and freight", "CFR"},
	{"cost, insurance and freight", "CIF"}, {"cost insurance and freight", "CIF"},
	{"cost insurance freight", "CIF"},
};

int sc_norm_incoterm(const char *s, size_t n, char code[4], struct sc_span *sp)
{
	size_t best = (size_t)-1, blen = 0;
	const char *bc = NULL;
	for (size_t k = 0; k < sizeof TERMS / sizeof TERMS[0]; k++) {
		size_t L = strlen(TERMS[k].text);
		long at = sc_ci_find_word(s, n, TERMS[k].text, L);
		/* codes in upper case only: "fas" or "dat" in running text is not a term */
		while (at >= 0 && TERMS[k].text[0] >= 'A' && TERMS[k].text[0] <= 'Z' &&
		       memcmp(s + at, TERMS[k].text, L) != 0) {
			long nx = sc_ci_find_word(s + at + 1, n - at - 1, TERMS[k].text, L);
			at = nx < 0 ? -1 : at + 1 + nx;
		}
		if (at >= 0 && ((size_t)at < best || ((size_t)at == best && L > blen)))
			best = (size_t)at, blen = L, bc = TERMS[k].code;
	}
	if (!bc)
		return -1;
	memcpy(code, bc, 4);
	if (sp)
		sp->off = best, sp->len = blen;
	return 0;
}
