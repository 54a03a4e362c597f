/*
 * norm_uscc.c - China's 18-character Unified Social Credit Code (GB 32100):
 * registration authority, entity type, six-digit division code, the nine-
 * character organization code with its own check (GB 11714), and a final
 * check character over the alphabet without I, O, S, V and Z.
 */
#include <string.h>

#include "norm.h"

static const char ALPHA[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int idx(int c)
{
	const char *p = c ? strchr(ALPHA, c) : NULL;
	return p ? (int)(p - ALPHA) : -1;
}

int sc_uscc_valid(const char *c)
{
	static const int W[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
	int sum = 0;
	for (int i = 0; i < 18; i++)
		if (idx((unsigned char)c[i]) < 0)
			return 0;
	for (int i = 2; i < 8; i++)
		if (c[i] < '0' || c[i] > '9')
			return 0;
	for (int i = 0; i < 17; i++)
		sum += idx((unsigned char)c[i]) * W[i];
	int chk = (31 - sum % 31) % 31;
	if (ALPHA[chk] != c[17])
		return 0;
	/* the embedded organization code (positions 9-17) has its own check */
	static const int W2[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	int s2 = 0;
	for (int i = 0; i < 8; i++) {
		int ch = (unsigned char)c[8 + i];
		int v = ch >= '0' && ch <= '9' ? ch - '0' : ch - 'A' + 10;
		s2 += v * W2[i];
	}
	int c9 = 11 - s2 % 11;
	char want = c9 == 10 ? 'X' : c9 == 11 ? '0' : (char)('0' + c9);
	return c[16] == want;
}

static int an(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int sc_norm_uscc(const char *s, size_t n, char out[19], struct sc_span *sp)
{
	int bad = 0;
	for (size_t i = 0; i + 18 <= n; i++) {
		if (i > 0 && an((unsigned char)s[i - 1]))
			continue;
		if (i + 18 < n && an((unsigned char)s[i + 18]))
			continue;
		int ok = 1;
		for (int k = 0; k < 18 && ok; k++)
			ok = an((unsigned char)s[i + k]);
		if (!ok)
			continue;
		char c[19];
		for (int k = 0; k < 18; k++) {
			char ch = s[i + k];
			c[k] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
		}
		c[18] = '\0';
		int digits = 0;
		for (int k = 2; k < 8; k++)
			digits += c[k] >= '0' && c[k] <= '9';
		if (digits < 6)
			continue;
		memcpy(out, c, 19);
		if (sp)
			sp->off = i, sp->len = 18;
		if (sc_uscc_valid(c))
			return 0;
		/* I, O, S, V and Z are not in the code's alphabet: OCR read 1, 0, 5, U, 2; the
		 * repair stands only when the check character then holds */
		char r[19];
		memcpy(r, c, 19);
		for (int k = 0; k < 18; k++)
			r[k] = r[k] == 'I' ? '1' : r[k] == 'O' ? '0' : r[k] == 'S' ? '5' : r[k] == 'Z' ? '2' : r[k] == 'V' ? 'U' : r[k];
		if (sc_uscc_valid(r)) {
			memcpy(out, r, 19);
			return 0;
		}
		bad = 1;
		break;
	}
	return bad ? -2 : -1;
}
