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
	struct sc_word_pick pk = SC_WORD_PICK_INIT;

	/* codes in upper case only: "fas" or "dat" in running text is not a term */
	for (size_t k = 0; k < sizeof TERMS / sizeof TERMS[0]; k++)
		sc_word_pick_try(&pk, s, n, TERMS[k].text, strlen(TERMS[k].text),
		                 TERMS[k].text[0] >= 'A' && TERMS[k].text[0] <= 'Z', (long)k);
	if (pk.k < 0)
		return -1;
	memcpy(code, TERMS[pk.k].code, 4);
	if (sp)
		sp->off = pk.at, sp->len = pk.len;
	return 0;
}
