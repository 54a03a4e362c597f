/*
 * norm_iban.c - International Bank Account Numbers (ISO 13616): country
 * code, two check digits, the country's fixed-length BBAN; mod 97 == 1.
 */
#include <string.h>

#include "norm.h"

static const struct {
	char cc[3];
	int len;
} LENS[] = {
	{"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
	{"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
	{"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27},
	{"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28},
	{"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20},
	{"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24},
	{"ME", 22}, {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24},
	{"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24}, {"SC", 31},
	{"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29},
	{"VA", 22}, {"VG", 24}, {"XK", 20},
};

static int country_len(const char *cc)
{
	for (size_t k = 0; k < sizeof LENS / sizeof LENS[0]; k++)
		if (LENS[k].cc[0] == cc[0] && LENS[k].cc[1] == cc[1])
			return LENS[k].len;
	return 0;
}

static int up(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int dig(int c)
{
	return c >= '0' && c <= '9';
}

int sc_iban_valid(const char *s, size_t n)
{
	if (n < 15 || n > 34 || !up((unsigned char)s[0]) || !up((unsigned char)s[1]) ||
	    !dig((unsigned char)s[2]) || !dig((unsigned char)s[3]))
		return 0;
	if (country_len(s) != (int)n)
		return 0;
	unsigned rem = 0;
	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[(k + 4) % n];
		if (dig(c))
			rem = (rem * 10 + (c - '0')) % 97;
		else if (up(c))
			rem = (rem * 100 + (c - 'A' + 10)) % 97;
		else
			return 0;
	}
	return rem == 1;
}

int sc_norm_iban(const char *s, size_t n, char out[35], struct sc_span *sp)
{
	int bad = 0;
	for (size_t i = 0; i + 2 <= n; i++) {
		if (!up((unsigned char)s[i]) || !up((unsigned char)s[i + 1]))
			continue;
		if (i > 0 && (up((unsigned char)s[i - 1]) || dig((unsigned char)s[i - 1]) ||
		              (s[i - 1] >= 'a' && s[i - 1] <= 'z')))
			continue;
		int want = country_len(s + i);
		if (!want)
			continue;
		char c[35];
		int k = 0;
		size_t j = i;
		while (j < n && k < want) {
			unsigned char ch = (unsigned char)s[j];
			if (up(ch) || dig(ch))
				c[k++] = (char)ch, j++;
			else if (ch >= 'a' && ch <= 'z')
				c[k++] = (char)(ch - 32), j++;
			else if (ch == ' ' && k % 4 == 0 && k > 0 && j + 1 < n)
				j++;
			else
				break;
		}
		if (k != want || !dig((unsigned char)c[2]) || !dig((unsigned char)c[3]))
			continue;
		c[k] = '\0';
		memcpy(out, c, (size_t)k + 1);
		if (sp)
			sp->off = i, sp->len = j - i;
		if (sc_iban_valid(c, (size_t)k))
			return 0;
		bad = 1;
		break;
	}
	return bad ? -2 : -1;
}
