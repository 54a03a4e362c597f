/*
 * norm_container.c - ISO 6346 freight container numbers: owner code (three
 * letters), category (U, J or Z), six-digit serial, check digit. OCR confuses
 * letters and digits that look alike; a confusion is repaired only when the
 * repaired number's check digit then holds, so a repair never invents a number.
 */
#include <string.h>

#include "norm.h"

static int val(int c)
{
	static const unsigned char V[26] = {10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24,
	                                    25, 26, 27, 28, 29, 30, 31, 32, 34, 35, 36, 37, 38};
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return V[c - 'A'];
	return -1;
}

static int upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int digit(int c)
{
	return c >= '0' && c <= '9';
}

int sc_container_valid(const char *c)
{
	long sum = 0;
	for (int i = 0; i < 4; i++)
		if (!upper((unsigned char)c[i]))
			return 0;
	if (c[3] != 'U' && c[3] != 'J' && c[3] != 'Z')
		return 0;
	for (int i = 4; i < 11; i++)
		if (!digit((unsigned char)c[i]))
			return 0;
	for (int i = 0; i < 10; i++)
		sum += (long)val((unsigned char)c[i]) << i;
	return (int)(sum % 11 % 10) == c[10] - '0';
}

/* What a character OCR'd in a letter position may really be, and vice versa. */
static char as_letter(char c)
{
	switch (c) {
	case '0': return 'O';
	case '1': return 'I';
	case '5': return 'S';
	case '8': return 'B';
	case '2': return 'Z';
	case '6': return 'G';
	case '4': return 'A';
	default: return c;
	}
}

static char as_digit(char c)
{
	switch (c) {
	case 'O': case 'o': case 'D': case 'Q': return '0';
	case 'I': case 'l': case 'i': case '|': case 'L': case 'T': return '1';
	case 'S': case 's': return '5';
	case 'B': return '8';
	case 'Z': case 'z': return '2';
	case 'G': case 'b': return '6';
	case 'A': return '4';
	case 'g': case 'q': return '9';
	default: return c;
	}
}

static int alnum(int c)
{
	return digit(c) || upper(c) || (c >= 'a' && c <= 'z') || c == '|';
}

/* Gather 11 significant characters from s[i], allowing spaces or one dash
 * between owner code, serial and check digit (MSCU 123456-7). */
static int gather(const char *s, size_t n, size_t i, char raw[12], size_t *end)
{
	int k = 0, inner = 0;
	size_t j = i;
	while (j < n && k < 11) {
		unsigned char c = (unsigned char)s[j];
		if (alnum(c)) {
			raw[k++] = (char)c;
			j++;
		} else if ((c == ' ' || c == '-' || c == '/') && (k == 4 || k == 10) && j + 1 < n &&
		           alnum((unsigned char)s[j + 1])) {
			j++;
		} else if (c == ' ' && k > 4 && k < 10 && !inner && j + 1 < n && digit((unsigned char)s[j + 1])) {
			/* one space the OCR put inside the serial number ("TGHU98 98984"):
			 * the check digit, not the spacing, says whether it is one number */
			inner = 1;
			j++;
		} else {
			break;
		}
	}
	if (k != 11 || (j < n && alnum((unsigned char)s[j])))
		return -1;
	raw[11] = '\0';
	*end = j;
	return 0;
}

/* A valid number at s[from, end): out, whether it was repaired, the span. */
static int found(char out[12], const char *code, int *repaired, int fixed, struct sc_span *sp,
                 size_t from, size_t end)
{
	memcpy(out, code, 12);
	if (repaired)
		*repaired = fixed;
	if (sp)
		sp->off = from, sp->len = end - from;
	return 0;
}

int sc_norm_container(const char *s, size_t n, char out[12], int *repaired, struct sc_span *sp)
{
	int shaped_bad = 0;
	char bad[12] = "";
	struct sc_span badsp = {0, 0};

	for (size_t i = 0; i < n; i++) {
		if (i > 0 && alnum((unsigned char)s[i - 1]))
			continue;
		char raw[12], fix[12];
		size_t end;
		if (gather(s, n, i, raw, &end) < 0)
			continue;
		/* must look like one: at least 3 letters up front and 5 digits after */
		int letters = 0, digits = 0;
		for (int k = 0; k < 4; k++)
			letters += upper((unsigned char)raw[k]) || (raw[k] >= 'a' && raw[k] <= 'z');
		for (int k = 4; k < 11; k++)
			digits += digit((unsigned char)raw[k]);
		if (letters < 3 || digits < 5)
			continue;
		if (sc_container_valid(raw))
			return found(out, raw, repaired, 0, sp, i, end);
		for (int k = 0; k < 4; k++) {
			char c = raw[k];
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 32);
			fix[k] = upper((unsigned char)c) ? c : as_letter(c);
		}
		for (int k = 4; k < 11; k++)
			fix[k] = as_digit(raw[k]);
		fix[11] = '\0';
		if (sc_container_valid(fix))
			return found(out, fix, repaired, 1, sp, i, end);
		if (!shaped_bad && letters == 4 && digits == 7 && (raw[3] == 'U' || raw[3] == 'J' || raw[3] == 'Z')) {
			shaped_bad = 1;
			memcpy(bad, raw, 12);
			badsp.off = i, badsp.len = end - i;
		}
	}
	if (shaped_bad) {
		memcpy(out, bad, 12);
		if (repaired)
			*repaired = 0;
		if (sp)
			*sp = badsp;
		return -2;
	}
	return -1;
}
