/*
 * norm_port.c - seaports to UN/LOCODE. A code given as such is taken when
 * its country part is a country; names come from the table the caller
 * loads (rules/parse/ports.yaml), matched as whole words, longest first.
 */
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "sc.h"

struct port {
	char code[6];
	char *name;
	size_t len;
};

struct sc_ports {
	struct port *v;
	size_t n, cap;
};

struct sc_ports *sc_ports_new(void)
{
	return calloc(1, sizeof(struct sc_ports));
}

void sc_ports_free(struct sc_ports *p)
{
	if (!p)
		return;
	for (size_t k = 0; k < p->n; k++)
		free(p->v[k].name);
	free(p->v);
	free(p);
}

int sc_ports_add(struct sc_ports *p, const char *locode, const char *name)
{
	if (strlen(locode) != 5 || !*name)
		return -1;
	if (p->n == p->cap && sc_grow(&p->v, &p->cap, 64, sizeof *p->v) < 0)
		return -1;
	struct port *e = &p->v[p->n];
	memcpy(e->code, locode, 6);
	e->name = strdup(name);
	if (!e->name)
		return -1;
	e->len = strlen(name);
	p->n++;
	return 0;
}

static int up(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int an(int c)
{
	return up(c) || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int sc_norm_port(const struct sc_ports *p, const char *s, size_t n, char locode[6], struct sc_span *sp)
{
	struct sc_word_pick pk = SC_WORD_PICK_INIT;
	if (p)
		for (size_t k = 0; k < p->n; k++)
			sc_word_pick_try(&pk, s, n, p->v[k].name, p->v[k].len, 0, (long)k);
	size_t best = pk.at, blen = pk.len;
	const char *bc = pk.k >= 0 ? p->v[pk.k].code : NULL;
	/* CNSHA or "CN SHA": five letters/digits, the first two a country */
	for (size_t i = 0; i + 5 <= n && i < best; i++) {
		if (i > 0 && an((unsigned char)s[i - 1]))
			continue;
		char c[6];
		size_t j = i;
		int k = 0;
		while (j < n && k < 5) {
			if (up((unsigned char)s[j]) || (k >= 2 && s[j] >= '2' && s[j] <= '9'))
				c[k++] = s[j++];
			else if (k == 2 && s[j] == ' ' && j + 1 < n && up((unsigned char)s[j + 1]))
				j++;
			else
				break;
		}
		if (k != 5 || (j < n && an((unsigned char)s[j])))
			continue;
		c[5] = '\0';
		char cc[3] = {c[0], c[1], 0};
		if (!sc_country_name(cc))
			continue;
		/* CHINA reads as CH+INA: a code must be in the table or be the whole text */
		int known = 0;
		for (size_t q = 0; p && q < p->n && !known; q++)
			known = memcmp(p->v[q].code, c, 5) == 0;
		size_t b = 0, e = n;
		while (b < e && (s[b] == ' ' || s[b] == ':'))
			b++;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '.'))
			e--;
		if (!known && !(b == i && e == j))
			continue;
		best = i, blen = j - i;
		memcpy(locode, c, 6);
		if (sp)
			sp->off = best, sp->len = blen;
		return 0;
	}
	if (!bc)
		return -1;
	memcpy(locode, bc, 6);
	if (sp)
		sp->off = best, sp->len = blen;
	return 0;
}
