/*
 * norm_hs.c - Harmonized System codes: 4 to 10 digits (national extensions
 * beyond six), dots or spaces between the groups optional. The chapter is
 * always checked; heading and subheading when a nomenclature is loaded.
 */
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "norm.h"
#include "sc.h"

struct sc_hs {
	unsigned char head[10000];   /* known 4-digit headings */
	unsigned char *sub;          /* 1,000,000 bytes: known 6-digit subheadings */
};

static int dig(int c)
{
	return c >= '0' && c <= '9';
}

static int chapter_ok(int ch)
{
	return ch >= 1 && ch <= 97 && ch != 77;
}

int sc_norm_hs(const char *s, size_t n, const struct sc_hs *nom, char digits[11], int *status,
               struct sc_span *sp)
{
	for (size_t i = 0; i < n; i++) {
		if (!dig((unsigned char)s[i]) || (i > 0 && (dig((unsigned char)s[i - 1]) || s[i - 1] == '.' ||
		                                          s[i - 1] == ',')))
			continue;
		char d[11];
		int k = 0;
		size_t j = i;
		int groups = 0;
		while (j < n) {
			if (dig((unsigned char)s[j])) {
				if (k >= 10) {
					k = 99;
					break;
				}
				d[k++] = s[j++];
			} else if ((s[j] == '.' || s[j] == ' ') && j + 1 < n && dig((unsigned char)s[j + 1]) &&
			           k >= 4 && k % 2 == 0) {
				groups++;
				j++;
			} else {
				break;
			}
		}
		/* a thousands-grouped number (9,300 / 41,199.00) is not a code */
		if (k == 99 || k < 4 || k % 2 == 1 || (j < n && (s[j] == ',' || dig((unsigned char)s[j]))))
			continue;
		if (j < n && ((s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= 'a' && s[j] <= 'z')))
			continue;
		/* a bare 4-digit run (a year, a postcode) counts only with dots elsewhere */
		if (k == 4 && groups == 0 && n > 6)
			continue;
		d[k] = '\0';
		int ch = (d[0] - '0') * 10 + (d[1] - '0');
		int st = SC_HS_OK;
		if (!chapter_ok(ch)) {
			st = SC_HS_BAD_CHAPTER;
		} else if (nom) {
			int h = atoi((char[5]){d[0], d[1], d[2], d[3], 0});
			if (!nom->head[h])
				st = SC_HS_UNKNOWN_HEADING;
			else if (k >= 6 && nom->sub &&
			         !nom->sub[atoi((char[7]){d[0], d[1], d[2], d[3], d[4], d[5], 0})])
				st = SC_HS_UNKNOWN_SUBHEADING;
		}
		memcpy(digits, d, (size_t)k + 1);
		if (status)
			*status = st;
		if (sp)
			sp->off = i, sp->len = j - i;
		return 0;
	}
	return -1;
}

struct sc_hs *sc_hs_load(const char *path, struct sc_error *err)
{
	unsigned char *data;
	size_t len;
	if (sc_read_file(path, 64u << 20, &data, &len, err) < 0)
		return NULL;
	struct sc_hs *h = calloc(1, sizeof *h);
	if (h)
		h->sub = calloc(1000000, 1);
	if (!h || !h->sub) {
		sc_hs_free(h);
		free(data);
		sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
		return NULL;
	}
	/* which CSV column is hscode? (the first line names it); else column 0 */
	int col = 0, line = 1, count = 0;
	char *p = (char *)data, *end = p + len;
	char *nl = memchr(p, '\n', len);
	if (nl && memmem(p, (size_t)(nl - p), "hscode", 6)) {
		int c = 0;
		for (char *q = p; q < nl; q++) {
			if (q + 6 <= nl && memcmp(q, "hscode", 6) == 0) {
				col = c;
				break;
			}
			if (*q == ',')
				c++;
		}
		p = nl + 1;
		line++;
	}
	while (p < end) {
		char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		char *f = p;
		for (int c = 0; c < col && f < e; c++) {
			/* skip a field, quoted or not */
			if (*f == '"') {
				f++;
				while (f < e && !(*f == '"' && (f + 1 >= e || f[1] != '"')))
					f += *f == '"' ? 2 : 1;
				f++;
			}
			while (f < e && *f != ',')
				f++;
			if (f < e)
				f++;
		}
		if (f < e && *f == '"')
			f++;
		char d[7];
		int k = 0;
		while (f < e && k < 7 && dig((unsigned char)*f))
			d[k++] = *f++;
		if (k == 4 || k == 6) {
			d[k] = '\0';
			int v = atoi(d);
			if (k == 4)
				h->head[v] = 1;
			else
				h->sub[v] = 1, h->head[v / 100] = 1;
			count++;
		}
		p = e + 1;
		line++;
	}
	free(data);
	if (count == 0) {
		sc_hs_free(h);
		sc_error_set(err, path, 0, 0, "bad-hs", "no 4- or 6-digit HS codes found");
		return NULL;
	}
	return h;
}

void sc_hs_free(struct sc_hs *h)
{
	if (!h)
		return;
	free(h->sub);
	free(h);
}
