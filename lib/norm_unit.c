/*
 * norm_unit.c - weights to kilograms and units of quantity to short
 * canonical names, in the spellings of English and Chinese documents.
 */
#include <string.h>

#include "norm.h"

static const struct {
	const char *text;
	double kg;
} WUNITS[] = {
	{"kilograms", 1}, {"kilogram", 1}, {"kilos", 1}, {"kgs", 1}, {"kg", 1}, {"k.g.", 1},
	{"metric tons", 1000}, {"metric tonnes", 1000}, {"tonnes", 1000}, {"tons", 1000}, {"ton", 1000},
	{"mt", 1000}, {"t", 1000}, {"lbs", 0.45359237}, {"lb", 0.45359237}, {"pounds", 0.45359237},
	{"grams", 0.001}, {"g", 0.001},
	{"\xe5\x8d\x83\xe5\x85\x8b", 1},  /* 千克 */
	{"\xe5\x85\xac\xe6\x96\xa4", 1},  /* 公斤 */
	{"\xe5\x90\xa8", 1000},           /* 吨 */
	{"\xe5\x85\x8b", 0.001},          /* 克 */
};

static int alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The weight unit starting at s[i] (after optional spaces), or -1. */
static int wunit_at(const char *s, size_t n, size_t i, double *f, size_t *end)
{
	while (i < n && s[i] == ' ')
		i++;
	for (size_t k = 0; k < sizeof WUNITS / sizeof WUNITS[0]; k++) {
		size_t L = strlen(WUNITS[k].text);
		if (i + L <= n && sc_ci_eq(s + i, WUNITS[k].text, L) &&
		    (i + L == n || !alpha((unsigned char)s[i + L]) || !alpha((unsigned char)WUNITS[k].text[L - 1]))) {
			*f = WUNITS[k].kg;
			*end = i + L;
			return 0;
		}
	}
	return -1;
}

int sc_norm_weight(const char *s, size_t n, int bare_kg, double *kg, struct sc_span *sp)
{
	size_t i = 0;
	double first = 0;
	struct sc_span firstsp = {0, 0};
	int have_first = 0;

	while (i < n) {
		double v;
		int dec;
		struct sc_span a;
		if (sc_norm_amount(s + i, n - i, &v, &dec, &a) < 0)
			break;
		size_t after = i + a.off + a.len, end;
		double f;
		if (wunit_at(s, n, after, &f, &end) == 0) {
			*kg = v * f;
			if (sp)
				sp->off = i + a.off, sp->len = end - (i + a.off);
			return 0;
		}
		if (!have_first) {
			first = v, have_first = 1;
			firstsp.off = i + a.off, firstsp.len = a.len;
		}
		i = after;
	}
	if (have_first && bare_kg) {
		*kg = first;
		if (sp)
			*sp = firstsp;
		return 0;
	}
	return -1;
}

static const struct {
	const char *text;
	const char *unit;
} QUNITS[] = {
	{"pieces", "pcs"}, {"piece", "pcs"}, {"pcs", "pcs"}, {"pc", "pcs"}, {"ea", "pcs"}, {"each", "pcs"},
	{"nos", "pcs"}, {"sets", "set"}, {"set", "set"}, {"units", "unit"}, {"unit", "unit"},
	{"pairs", "pair"}, {"pair", "pair"}, {"prs", "pair"}, {"kgs", "kg"}, {"kg", "kg"},
	{"kilograms", "kg"}, {"mt", "t"}, {"tons", "t"}, {"tonnes", "t"}, {"cartons", "carton"},
	{"carton", "carton"}, {"ctns", "carton"}, {"ctn", "carton"}, {"bottles", "bottle"},
	{"bottle", "bottle"}, {"btls", "bottle"}, {"btl", "bottle"}, {"tins", "tin"}, {"tin", "tin"},
	{"cans", "tin"}, {"m3", "m3"}, {"cbm", "m3"}, {"m2", "m2"}, {"sqm", "m2"}, {"meters", "m"},
	{"metres", "m"}, {"m", "m"}, {"litres", "l"}, {"liters", "l"}, {"ltr", "l"}, {"l", "l"},
	{"rolls", "roll"}, {"roll", "roll"}, {"bags", "bag"}, {"bag", "bag"}, {"boxes", "box"},
	{"box", "box"}, {"dozen", "dozen"}, {"doz", "dozen"}, {"pallets", "pallet"}, {"pallet", "pallet"},
	{"\xe4\xb8\xaa", "pcs"},              /* 个 */
	{"\xe4\xbb\xb6", "pcs"},              /* 件 */
	{"\xe5\x9d\x97", "pcs"},              /* 块 */
	{"\xe5\x8f\xaa", "pcs"},              /* 只 */
	{"\xe5\xa5\x97", "set"},              /* 套 */
	{"\xe5\x8f\xb0", "unit"},             /* 台 */
	{"\xe5\x8f\x8c", "pair"},             /* 双 */
	{"\xe5\x8d\x83\xe5\x85\x8b", "kg"},   /* 千克 */
	{"\xe5\x85\xac\xe6\x96\xa4", "kg"},   /* 公斤 */
	{"\xe5\x90\xa8", "t"},                /* 吨 */
	{"\xe7\x93\xb6", "bottle"},           /* 瓶 */
	{"\xe7\xbd\x90", "tin"},              /* 罐 */
	{"\xe7\xab\x8b\xe6\x96\xb9\xe7\xb1\xb3", "m3"}, /* 立方米 */
	{"\xe7\xb1\xb3", "m"},                /* 米 */
	{"\xe5\x8d\x87", "l"},                /* 升 */
	{"\xe7\xae\xb1", "carton"},           /* 箱 */
	{"\xe8\xa2\x8b", "bag"},              /* 袋 */
};

int sc_norm_unit(const char *s, size_t n, const char **unit, struct sc_span *sp)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && alpha((unsigned char)s[i - 1]) && alpha((unsigned char)s[i]))
			continue;
		for (size_t k = 0; k < sizeof QUNITS / sizeof QUNITS[0]; k++) {
			size_t L = strlen(QUNITS[k].text);
			if (i + L > n || !sc_ci_eq(s + i, QUNITS[k].text, L))
				continue;
			if (alpha((unsigned char)QUNITS[k].text[0]) && i + L < n && alpha((unsigned char)s[i + L]))
				continue;
			/* "m" or "l" alone must stand alone (not the m of "mm") */
			if (L == 1 && i + 1 < n && ((unsigned char)s[i + 1] >= '0' && (unsigned char)s[i + 1] <= '9'))
				continue;
			*unit = QUNITS[k].unit;
			if (sp)
				sp->off = i, sp->len = L;
			return 0;
		}
	}
	return -1;
}
