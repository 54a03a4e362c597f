/*
 * norm_date.c - dates in the formats trade documents use, to ISO 8601.
 * Numeric dates that read both ways follow the caller's preferred order;
 * a part above 12 settles it. Two-digit years are 20yy (documents, not births).
 */
#include <string.h>

#include "norm.h"

static const char *const MONTHS[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const MONTHS_LONG[12] = {"january", "february", "march", "april", "may", "june",
                                            "july", "august", "september", "october", "november",
                                            "december"};

int sc_date_valid(int y, int m, int d)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

static int isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int isalpha_(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Read up to max digits at s[i]; returns count, value in *v. */
static int digits(const char *s, size_t n, size_t i, int max, int *v)
{
	int k = 0, x = 0;
	while (i + k < n && k < max && isdig((unsigned char)s[i + k]))
		x = x * 10 + (s[i + k] - '0'), k++;
	if (i + k < n && isdig((unsigned char)s[i + k]))
		return 0;  /* longer run of digits: not a date part */
	*v = x;
	return k;
}

/* A month name (full, or three letters with an optional '.') at s[i]. */
static int month_at(const char *s, size_t n, size_t i, int *m, size_t *len)
{
	if (i > 0 && isalpha_((unsigned char)s[i - 1]))
		return 0;
	for (int k = 0; k < 12; k++) {
		size_t L = strlen(MONTHS_LONG[k]);
		if (i + L <= n && sc_ci_eq(s + i, MONTHS_LONG[k], L) &&
		    (i + L == n || !isalpha_((unsigned char)s[i + L]))) {
			if (i + L < n && s[i + L] == '.')
				L++;  /* May. */
			*m = k + 1, *len = L;
			return 1;
		}
	}
	for (int k = 0; k < 12; k++) {
		if (i + 3 <= n && sc_ci_eq(s + i, MONTHS[k], 3)) {
			size_t L = 3;
			if (k == 8 && i + 4 <= n && (s[i + 3] == 't' || s[i + 3] == 'T'))
				L = 4;  /* Sept */
			if (i + L < n && isalpha_((unsigned char)s[i + L]))
				continue;
			if (i + L < n && s[i + L] == '.')
				L++;
			*m = k + 1, *len = L;
			return 1;
		}
	}
	return 0;
}

static size_t skip_sp(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == ',' || s[i] == '\t'))
		i++;
	return i;
}

static int year2(int y, int nd)
{
	return nd == 2 ? 2000 + y : y;
}

static int emit(int y, int m, int d, char iso[11])
{
	if (!sc_date_valid(y, m, d))
		return -1;
	iso[0] = '0' + y / 1000, iso[1] = '0' + y / 100 % 10, iso[2] = '0' + y / 10 % 10, iso[3] = '0' + y % 10;
	iso[4] = '-', iso[5] = '0' + m / 10, iso[6] = '0' + m % 10, iso[7] = '-';
	iso[8] = '0' + d / 10, iso[9] = '0' + d % 10, iso[10] = '\0';
	return 0;
}

/* Try every format at position i; on success fill iso and *end. */
static int date_at(const char *s, size_t n, size_t i, int order, char iso[11], size_t *end)
{
	int a, b, c, m;
	size_t L;
	unsigned char ch = (unsigned char)s[i];

	if (isdig(ch) && i > 0 && isalpha_((unsigned char)s[i - 1]))
		return -1;  /* PO20260311 is a reference */
	if (isdig(ch) && (i == 0 || !isdig((unsigned char)s[i - 1]))) {
		int na = digits(s, n, i, 8, &a);
		size_t j = i + na;
		if (na == 8 && (j == n || !isalpha_((unsigned char)s[j]))) {  /* 20260312 */
			if (emit(a / 10000, a / 100 % 100, a % 100, iso) == 0) {
				*end = j;
				return 0;
			}
			return -1;
		}
		if (na == 4 && j < n && (s[j] == '-' || s[j] == '/' || s[j] == '.')) {  /* 2026-03-12 */
			char sep = s[j];
			int nb = digits(s, n, j + 1, 2, &b);
			if (nb && j + 1 + nb < n && s[j + 1 + nb] == sep) {
				int nc = digits(s, n, j + 2 + nb, 2, &c);
				if (nc && emit(a, b, c, iso) == 0) {
					*end = j + 2 + nb + nc;
					return 0;
				}
			}
			return -1;
		}
		/* 2026年3月12日 */
		if (na == 4 && j + 3 <= n && memcmp(s + j, "\xe5\xb9\xb4", 3) == 0) {
			size_t k = j + 3;
			while (k < n && s[k] == ' ')
				k++;
			int nb = digits(s, n, k, 2, &b);
			if (nb && k + nb + 3 <= n && memcmp(s + k + nb, "\xe6\x9c\x88", 3) == 0) {
				size_t k2 = k + nb + 3;
				while (k2 < n && s[k2] == ' ')
					k2++;
				int nc = digits(s, n, k2, 2, &c);
				if (nc && emit(a, b, c, iso) == 0) {
					*end = k2 + nc;
					if (*end + 3 <= n && (memcmp(s + *end, "\xe6\x97\xa5", 3) == 0 ||
					                      memcmp(s + *end, "\xe5\x8f\xb7", 3) == 0))
						*end += 3;
					return 0;
				}
			}
			return -1;
		}
		if (na >= 1 && na <= 2 && j < n && (s[j] == '/' || s[j] == '.' || s[j] == '-')) {
			char sep = s[j];
			int nb = digits(s, n, j + 1, 2, &b);
			if (nb && j + 1 + nb < n && s[j + 1 + nb] == sep) {  /* 12/03/2026 */
				int nc = digits(s, n, j + 2 + nb, 4, &c);
				if (nc == 4 || nc == 2) {
					int y = year2(c, nc);
					int d = a, mo = b;
					if (order == SC_DATE_MDY)
						d = b, mo = a;
					if (mo > 12 && d <= 12) {  /* the other order is the only reading */
						int t = d;
						d = mo, mo = t;
					}
					if (emit(y, mo, d, iso) == 0) {
						*end = j + 2 + nb + nc;
						return 0;
					}
				}
				return -1;
			}
			if (sep != '.') {  /* 12-MAR-2026, 12-Mar-26 */
				size_t k = j + 1;
				if (month_at(s, n, k, &m, &L)) {
					k += L;
					if (k < n && (s[k] == sep || s[k] == ' ')) {
						int nc = digits(s, n, k + 1, 4, &c);
						if ((nc == 4 || nc == 2) && emit(year2(c, nc), m, a, iso) == 0) {
							*end = k + 1 + nc;
							return 0;
						}
					}
				}
			}
			return -1;
		}
		if (na >= 1 && na <= 2) {  /* 12 March 2026, 12th March, 2026 */
			size_t k = j;
			if (k + 2 <= n && (sc_ci_eq(s + k, "st", 2) || sc_ci_eq(s + k, "nd", 2) ||
			                   sc_ci_eq(s + k, "rd", 2) || sc_ci_eq(s + k, "th", 2)))
				k += 2;
			k = skip_sp(s, n, k);
			if (k > j && month_at(s, n, k, &m, &L)) {
				k = skip_sp(s, n, k + L);
				int nc = digits(s, n, k, 4, &c);
				if (nc == 4 && emit(c, m, a, iso) == 0) {
					*end = k + nc;
					return 0;
				}
			}
		}
		return -1;
	}
	if (isalpha_(ch) && month_at(s, n, i, &m, &L)) {  /* March 12, 2026 */
		size_t k = skip_sp(s, n, i + L);
		int nb = k > i + L ? digits(s, n, k, 2, &b) : 0;
		if (nb) {
			size_t k2 = k + nb;
			if (k2 + 2 <= n && (sc_ci_eq(s + k2, "st", 2) || sc_ci_eq(s + k2, "nd", 2) ||
			                    sc_ci_eq(s + k2, "rd", 2) || sc_ci_eq(s + k2, "th", 2)))
				k2 += 2;
			k2 = skip_sp(s, n, k2);
			int nc = digits(s, n, k2, 4, &c);
			if (nc == 4 && emit(c, m, b, iso) == 0) {
				*end = k2 + nc;
				return 0;
			}
		}
	}
	return -1;
}

int sc_norm_date(const char *s, size_t n, int order, char iso[11], struct sc_span *sp)
{
	for (size_t i = 0; i < n; i++) {
		size_t end;
		if (date_at(s, n, i, order, iso, &end) == 0) {
			if (sp)
				sp->off = i, sp->len = end - i;
			return 0;
		}
	}
	return -1;
}
