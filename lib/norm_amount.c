/*
 * norm_amount.c - numbers as trade documents print them: either decimal
 * separator, thousands marks of comma, dot, space, apostrophe or thin space.
 * A comma that appears once with exactly three digits after it is a
 * thousands mark (1,234 is 1234); a dot in that place is a decimal point
 * (383.220 KGS is 383.22): weights print three decimals, and documents that
 * group with dots print decimals too (1.234,00).
 */
#include <string.h>

#include "norm.h"

static int isdig(int c)
{
	return c >= '0' && c <= '9';
}

int sc_norm_amount(const char *s, size_t n, double *v, int *decimals, struct sc_span *sp)
{
	for (size_t i = 0; i < n; i++) {
		if (!isdig((unsigned char)s[i]))
			continue;
		if (i > 0 && (isdig((unsigned char)s[i - 1])))
			continue;
		/* a number glued to letters (INV2026, 6204-2RS) is a reference, not an amount */
		if (i > 0 && ((s[i - 1] >= 'A' && s[i - 1] <= 'Z') || (s[i - 1] >= 'a' && s[i - 1] <= 'z')))
			continue;
		size_t j = i;
		char seps[64];
		size_t sepat[64];
		int nsep = 0, ndig = 0;
		char digs[40];
		while (j < n) {
			unsigned char c = (unsigned char)s[j];
			if (isdig(c)) {
				if (ndig < 39)
					digs[ndig] = (char)c;
				ndig++;
				j++;
				continue;
			}
			size_t w = 1;
			int is_sep = 0;
			if ((c == ',' || c == '.' || c == '\'' || c == ' ') && j + 1 < n && isdig((unsigned char)s[j + 1]))
				is_sep = 1;
			else if (c == 0xe2 && j + 3 < n && (unsigned char)s[j + 1] == 0x80 &&
			         ((unsigned char)s[j + 2] == 0x89 || (unsigned char)s[j + 2] == 0xaf) &&
			         isdig((unsigned char)s[j + 3]))
				is_sep = 1, w = 3, c = ' ';  /* thin / narrow no-break space */
			else if (c == 0xc2 && j + 2 < n && (unsigned char)s[j + 1] == 0xa0 && isdig((unsigned char)s[j + 2]))
				is_sep = 1, w = 2, c = ' ';
			if (!is_sep || nsep >= 63)
				break;
			/* a space only groups thousands: exactly three digits follow */
			if (c == ' ') {
				size_t k = j + w, d = 0;
				while (k < n && isdig((unsigned char)s[k]))
					k++, d++;
				if (d != 3)
					break;
			}
			seps[nsep] = (char)c;
			sepat[nsep] = (size_t)ndig;
			nsep++;
			j += w;
		}
		if (ndig > 15)
			continue;
		/* which separator is the decimal one? */
		int dec_at = -1;  /* index in seps */
		if (nsep > 0) {
			char last = seps[nsep - 1];
			int after = ndig - (int)sepat[nsep - 1];
			int same = 0;
			for (int k = 0; k < nsep; k++)
				same += seps[k] == last;
			if (last == '\'' || last == ' ')
				dec_at = -1;
			else if (same == 1 && nsep > 1)
				dec_at = nsep - 1;            /* 1,234.56 / 1.234,56 */
			else if (same == 1 && (after != 3 || last == '.'))
				dec_at = nsep - 1;            /* 12.5 / 12,50 / 383.220 */
			else
				dec_at = -1;                  /* 1,234 / 1.234.567 */
			/* thousands groups must be three digits, all marked alike */
			int bad = 0;
			int upto = dec_at >= 0 ? dec_at : nsep;
			for (int k = 0; k < upto; k++) {
				int next = k + 1 < nsep ? (int)sepat[k + 1] : ndig;
				if (next - (int)sepat[k] != 3 || seps[k] != seps[0])
					bad = 1;
			}
			if (upto > 0 && sepat[0] > 3)
				bad = 1;
			if (dec_at > 0 && seps[dec_at] == seps[0])
				bad = 1;
			if (bad)
				continue;
		}
		double x = 0;
		int nd = ndig < 39 ? ndig : 39;
		int intdig = dec_at >= 0 ? (int)sepat[dec_at] : nd;
		for (int k = 0; k < intdig; k++)
			x = x * 10 + (digs[k] - '0');
		double scale = 1;
		for (int k = intdig; k < nd; k++) {
			scale *= 10;
			x = x * 10 + (digs[k] - '0');
		}
		x /= scale;
		size_t start = i;
		if (start > 0 && s[start - 1] == '-' && (start == 1 || !isdig((unsigned char)s[start - 2])))
			x = -x, start--;
		*v = x;
		if (decimals)
			*decimals = nd - intdig;
		if (sp)
			sp->off = start, sp->len = j - start;
		return 0;
	}
	return -1;
}
