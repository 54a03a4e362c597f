/*
 * norm_text.c - the byte-level text helpers the normalizers share:
 * case-insensitive comparison and word-bounded search.
 */
#include <string.h>

#include "norm.h"

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int sc_ci_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

long sc_ci_find_word(const char *s, size_t n, const char *needle, size_t nlen)
{
	if (nlen == 0 || nlen > n)
		return -1;
	int wb_start = alnum((unsigned char)needle[0]);
	int wb_end = alnum((unsigned char)needle[nlen - 1]);
	int first = lower((unsigned char)needle[0]);
	for (size_t i = 0; i + nlen <= n; i++) {
		if (lower((unsigned char)s[i]) != first)
			continue;
		if (!sc_ci_eq(s + i, needle, nlen))
			continue;
		if (wb_start && i > 0 && alnum((unsigned char)s[i - 1]))
			continue;
		if (wb_end && i + nlen < n && alnum((unsigned char)s[i + nlen]))
			continue;
		return (long)i;
	}
	return -1;
}

void sc_word_pick_try(struct sc_word_pick *p, const char *s, size_t n, const char *needle,
                      size_t nlen, int exact, long k)
{
	long at = sc_ci_find_word(s, n, needle, nlen);

	while (exact && at >= 0 && memcmp(s + at, needle, nlen) != 0) {
		long next = sc_ci_find_word(s + at + 1, n - (size_t)at - 1, needle, nlen);
		at = next < 0 ? -1 : at + 1 + next;
	}
	if (at >= 0 && ((size_t)at < p->at || ((size_t)at == p->at && nlen > p->len))) {
		p->at = (size_t)at;
		p->len = nlen;
		p->k = k;
	}
}
