/*
 * norm_date.c - dates in the formats trade documents use, to ISO 8601.
 * Numeric dates that read both ways follow the caller's preferred order;
 * a part above 12 settles it. Two-digit years are 20yy (documents, not births).
 */
#include <pthread.h>
#include <string.h>

#include "norm.h"

/* Month names and their short forms in English, French, German, Dutch,
 * Spanish, Portuguese, Italian and Malay/Indonesian, longest first where one
 * is the start of another (the first that matches at a word boundary wins).
 * Accented letters come in both cases (MÄRZ, DÉC.). */
static const struct { const char *name; int m; } MONTH_NAMES[] = {
	{"january", 1}, {"janvier", 1}, {"januar", 1}, {"januari", 1}, {"j\xc3\xa4nner", 1}, {"enero", 1},
	{"janeiro", 1}, {"gennaio", 1}, {"janv", 1}, {"jan", 1}, {"ene", 1}, {"gen", 1},
	{"february", 2}, {"f\xc3\xa9vrier", 2}, {"F\xc3\x89VRIER", 2}, {"fevrier", 2}, {"februar", 2},
	{"februari", 2}, {"febrero", 2}, {"fevereiro", 2}, {"febbraio", 2}, {"f\xc3\xa9vr", 2}, {"F\xc3\x89VR", 2},
	{"fevr", 2}, {"feb", 2}, {"fev", 2}, {"f\xc3\xa9v", 2}, {"F\xc3\x89V", 2},
	{"march", 3}, {"mars", 3}, {"m\xc3\xa4rz", 3}, {"M\xc3\x84RZ", 3}, {"maerz", 3}, {"maart", 3}, {"marzo", 3},
	{"mar\xc3\xa7o", 3}, {"MAR\xc3\x87O", 3}, {"marco", 3}, {"maret", 3}, {"mac", 3}, {"mrt", 3}, {"mrz", 3},
	{"m\xc3\xa4r", 3}, {"M\xc3\x84R", 3}, {"mar", 3},
	{"april", 4}, {"avril", 4}, {"abril", 4}, {"aprile", 4}, {"apr", 4}, {"avr", 4}, {"abr", 4},
	{"may", 5}, {"mai", 5}, {"mei", 5}, {"mayo", 5}, {"maio", 5}, {"maggio", 5}, {"mag", 5},
	{"june", 6}, {"juin", 6}, {"juni", 6}, {"junio", 6}, {"junho", 6}, {"giugno", 6}, {"jun", 6}, {"giu", 6},
	{"july", 7}, {"juillet", 7}, {"juli", 7}, {"julio", 7}, {"julho", 7}, {"luglio", 7}, {"julai", 7},
	{"juil", 7}, {"jul", 7}, {"lug", 7},
	{"august", 8}, {"ao\xc3\xbbt", 8}, {"AO\xc3\x9bT", 8}, {"aout", 8}, {"augustus", 8}, {"agosto", 8},
	{"agustus", 8}, {"ogos", 8}, {"aug", 8}, {"ago", 8}, {"agu", 8}, {"ags", 8}, {"ogo", 8},
	{"september", 9}, {"septembre", 9}, {"septiembre", 9}, {"setiembre", 9}, {"setembro", 9},
	{"settembre", 9}, {"sept", 9}, {"sep", 9}, {"set", 9},
	{"october", 10}, {"octobre", 10}, {"oktober", 10}, {"octubre", 10}, {"outubro", 10}, {"ottobre", 10},
	{"oct", 10}, {"okt", 10}, {"out", 10}, {"ott", 10},
	{"november", 11}, {"novembre", 11}, {"noviembre", 11}, {"novembro", 11}, {"nov", 11},
	{"december", 12}, {"d\xc3\xa9" "cembre", 12}, {"D\xc3\x89" "CEMBRE", 12}, {"decembre", 12}, {"dezember", 12},
	{"diciembre", 12}, {"dezembro", 12}, {"dicembre", 12}, {"disember", 12}, {"desember", 12},
	{"d\xc3\xa9" "c", 12}, {"D\xc3\x89" "C", 12}, {"dec", 12}, {"dez", 12}, {"dic", 12}, {"dis", 12}, {"des", 12},
	{NULL, 0}};

int sc_date_valid(int y, int m, int d)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

int sc_date_iso_days(const char *s, size_t len, long *days)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	long y, m, d;

	if (len < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
			return -1;
	if (len > 10 && s[10] != 'T' && s[10] != ' ')
		return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	/* days from civil (Howard Hinnant's algorithm) */
	long yy = y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = era * 146097 + doe - 719468;
	return 0;
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

/* MONTH_NAMES by their first letter, case folded (every name starts with an
 * ASCII letter), in table order, with their lengths; built once */
enum { N_MONTH_NAMES = sizeof MONTH_NAMES / sizeof MONTH_NAMES[0] - 1 };
static unsigned char by_letter[26][N_MONTH_NAMES];   /* room for all under one letter */
static int n_by_letter[26];
static size_t name_len[N_MONTH_NAMES];
static pthread_once_t by_letter_once = PTHREAD_ONCE_INIT;

static void index_by_letter(void)
{
	for (int k = 0; k < N_MONTH_NAMES; k++) {
		unsigned l = ((unsigned char)MONTH_NAMES[k].name[0] | 0x20u) - 'a';
		name_len[k] = strlen(MONTH_NAMES[k].name);
		if (l < 26)
			by_letter[l][n_by_letter[l]++] = (unsigned char)k;
	}
}

/* A month name or short form at s[i] (an optional '.' after it). The
 * longest that ends at a word boundary wins. */
static int month_at(const char *s, size_t n, size_t i, int *m, size_t *len)
{
	if (i >= n || (i > 0 && isalpha_((unsigned char)s[i - 1])))
		return 0;
	size_t best = 0;
	/* only the names of the word's first letter are tried (the whole table
	 * with a strlen each was a tenth of sc-parse's time) */
	pthread_once(&by_letter_once, index_by_letter);
	unsigned first = ((unsigned char)s[i] | 0x20u) - 'a';
	if (first >= 26)
		return 0;
	for (int q = 0; q < n_by_letter[first]; q++) {
		int k = by_letter[first][q];
		size_t L = name_len[k];
		if (L <= best || i + L > n || !sc_ci_eq(s + i, MONTH_NAMES[k].name, L))
			continue;
		if (i + L < n && (isalpha_((unsigned char)s[i + L]) || (unsigned char)s[i + L] >= 0x80))
			continue;
		best = L, *m = MONTH_NAMES[k].m;
	}
	if (!best)
		return 0;
	if (i + best < n && s[i + best] == '.')
		best++;
	*len = best;
	return 1;
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
		/* a space before the separator: 12 / 03 / 2026 */
		if (na >= 1 && na <= 2 && j + 2 < n && s[j] == ' ' && (s[j + 1] == '/' || s[j + 1] == '-') &&
		    (s[j + 2] == ' ' || isdig((unsigned char)s[j + 2])))
			j++;
		if (na >= 1 && na <= 2 && j < n && (s[j] == '/' || s[j] == '.' || s[j] == '-')) {
			char sep = s[j];
			size_t k = j + 1;
			while (k < n && s[k] == ' ')
				k++;
			int nb = digits(s, n, k, 2, &b);
			size_t k2 = k + nb;
			while (nb && k2 < n && s[k2] == ' ')
				k2++;
			if (nb && k2 < n && s[k2] == sep) {  /* 12/03/2026, 12 / 03 / 2026 */
				size_t k3 = k2 + 1;
				while (k3 < n && s[k3] == ' ')
					k3++;
				int nc = digits(s, n, k3, 4, &c);
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
						*end = k3 + nc;
						return 0;
					}
				}
				return -1;
			}
			/* 12-MAR-2026, 12-Mar-26, 12.Mar.2026, 12. März 2026 */
			if (month_at(s, n, k, &m, &L)) {
				k += L;
				while (k < n && s[k] == ' ')
					k++;
				if (k < n && (s[k] == sep || s[k] == '-' || s[k] == '/' || s[k] == '.'))
					k++;
				while (k < n && s[k] == ' ')
					k++;
				int nc = digits(s, n, k, 4, &c);
				if ((nc == 4 || nc == 2) && emit(year2(c, nc), m, a, iso) == 0) {
					*end = k + nc;
					return 0;
				}
			}
			return -1;
		}
		if (na >= 1 && na <= 2) {  /* 12 March 2026, 12th March, 2026, 1er mars 2026, 12 de marzo de 2026, 12MAR26 */
			size_t k = j;
			if (k + 2 <= n && (sc_ci_eq(s + k, "st", 2) || sc_ci_eq(s + k, "nd", 2) ||
			                   sc_ci_eq(s + k, "rd", 2) || sc_ci_eq(s + k, "th", 2) || sc_ci_eq(s + k, "er", 2)))
				k += 2;
			k = skip_sp(s, n, k);
			if (k + 3 <= n && sc_ci_eq(s + k, "de ", 3))
				k += 3;
			if (month_at(s, n, k, &m, &L)) {
				k = skip_sp(s, n, k + L);
				if (k < n && s[k] == '-')
					k++;
				if (k + 3 <= n && sc_ci_eq(s + k, "de ", 3))
					k += 3;
				int nc = digits(s, n, k, 4, &c);
				if ((nc == 4 || nc == 2) && emit(year2(c, nc), m, a, iso) == 0) {
					*end = k + nc;
					return 0;
				}
			}
		}
		return -1;
	}
	if (isalpha_(ch) && month_at(s, n, i, &m, &L)) {  /* March 12, 2026 */
		size_t k = skip_sp(s, n, i + L);
		int nb = digits(s, n, k, 2, &b);
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
