/*
 * risk_expr_lex.c - the tokens of the condition language: numbers, strings
 * with their escapes, names, operators; each error at its column.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "hash.h"
#include "norm.h"
#include "risk_aho.h"
#include "risk_expr_int.h"
#include "risk_screen.h"

int sc_rx_fail(struct parser *P, int pos, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int sc_rx_fail(struct parser *P, int pos, const char *code, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (P->failed)
		return -1;
	P->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sc_error_set(P->err, P->scope->file, P->scope->line,
	             P->scope->line ? P->scope->col + pos : 0, code, "%s", msg);
	return -1;
}

int sc_rx_next(struct parser *P)
{
	const char *s = P->src;

	free(P->str);
	P->str = NULL;
	while (P->p < P->len && isspace((unsigned char)s[P->p]))
		P->p++;
	P->tpos = (int)P->p;
	if (P->p >= P->len) {
		P->k = TK_EOF;
		return 0;
	}
	char c = s[P->p];
	if (isdigit((unsigned char)c) || (c == '.' && P->p + 1 < P->len && isdigit((unsigned char)s[P->p + 1]))) {
		char buf[64];
		size_t n = 0;
		while (P->p < P->len && n < sizeof buf - 1 &&
		       (isalnum((unsigned char)s[P->p]) || s[P->p] == '.' || s[P->p] == '_' ||
		        ((s[P->p] == '+' || s[P->p] == '-') && n && (buf[n - 1] == 'e' || buf[n - 1] == 'E')))) {
			if (s[P->p] != '_')
				buf[n++] = s[P->p];
			P->p++;
		}
		buf[n] = '\0';
		char *end;
		P->num = strtod(buf, &end);
		if (*end || !isfinite(P->num))
			return sc_rx_fail(P, P->tpos, "syntax", "bad number \"%s\"", buf);
		P->k = TK_NUM;
		return 0;
	}
	if (c == '"' || c == '\'') {
		char q = c;
		size_t cap = 16, n = 0;
		char *b = malloc(cap);
		if (!b)
			return sc_rx_fail(P, P->tpos, SC_E_NOMEM, "out of memory");
		P->p++;
		for (;;) {
			if (P->p >= P->len) {
				free(b);
				return sc_rx_fail(P, P->tpos, "syntax", "unterminated string");
			}
			char ch = s[P->p++];
			if (ch == q)
				break;
			if (ch == '\\' && P->p < P->len) {
				/* \" \' \\ \n \t are escapes; any other backslash stays, for regexes */
				char esc = s[P->p];
				if (esc == q || esc == '\\' || esc == 'n' || esc == 't') {
					P->p++;
					ch = esc == 'n' ? '\n' : esc == 't' ? '\t' : esc;
				}
			}
			if (n + 2 > cap) {
				char *nb = realloc(b, cap *= 2);
				if (!nb) {
					free(b);
					return sc_rx_fail(P, P->tpos, SC_E_NOMEM, "out of memory");
				}
				b = nb;
			}
			b[n++] = ch;
		}
		b[n] = '\0';
		P->str = b;
		P->slen = n;
		P->k = TK_STR;
		return 0;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		size_t st = P->p;
		while (P->p < P->len && (isalnum((unsigned char)s[P->p]) || s[P->p] == '_'))
			P->p++;
		P->tlen = P->p - st;
		static const struct { const char *w; enum tk k; } kw[] = {
			{"and", TK_AND}, {"or", TK_OR}, {"not", TK_NOT}, {"in", TK_IN},
			{"true", TK_TRUE}, {"false", TK_FALSE}, {"null", TK_NULL}};
		for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
			if (strlen(kw[i].w) == P->tlen && memcmp(kw[i].w, s + st, P->tlen) == 0) {
				P->k = kw[i].k;
				return 0;
			}
		P->k = TK_ID;
		P->str = strndup(s + st, P->tlen);
		P->slen = P->tlen;
		return P->str ? 0 : sc_rx_fail(P, P->tpos, SC_E_NOMEM, "out of memory");
	}
	P->p++;
	char d = P->p < P->len ? s[P->p] : '\0';
	switch (c) {
	case '(': P->k = TK_LP; return 0;
	case ')': P->k = TK_RP; return 0;
	case '[': P->k = TK_LB; return 0;
	case ']': P->k = TK_RB; return 0;
	case ',': P->k = TK_COMMA; return 0;
	case '.': P->k = TK_DOT; return 0;
	case '+': P->k = TK_PLUS; return 0;
	case '-': P->k = TK_MINUS; return 0;
	case '*': P->k = TK_STAR; return 0;
	case '/': P->k = TK_SLASH; return 0;
	case '%': P->k = TK_PCT; return 0;
	case '=':
		if (d == '=') { P->p++; P->k = TK_EQ; return 0; }
		return sc_rx_fail(P, P->tpos, "syntax", "\"=\" is not an operator: use \"==\"");
	case '!':
		if (d == '=') { P->p++; P->k = TK_NE; return 0; }
		return sc_rx_fail(P, P->tpos, "syntax", "\"!\" is not an operator: use \"not\"");
	case '<':
		if (d == '=') { P->p++; P->k = TK_LE; return 0; }
		P->k = TK_LT; return 0;
	case '>':
		if (d == '=') { P->p++; P->k = TK_GE; return 0; }
		P->k = TK_GT; return 0;
	case '&':
		return sc_rx_fail(P, P->tpos, "syntax", "\"&\" is not an operator: use \"and\"");
	case '|':
		return sc_rx_fail(P, P->tpos, "syntax", "\"|\" is not an operator: use \"or\"");
	}
	return sc_rx_fail(P, P->tpos, "syntax", "unexpected character '%c'", isprint((unsigned char)c) ? c : '?');
}

