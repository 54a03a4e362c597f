/*
 * risk_expr_fn.c - the built-in functions of the condition language
 * (strings, regexes, tables, quantifiers, dates, screening, containers) and
 * the table helpers the pack loader shares.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "norm.h"
#include "risk_aho.h"
#include "risk_expr_int.h"
#include "risk_screen.h"

const json_t *sc_rx_table_get(struct sc_eval *ev, const struct sc_rtable *t, const struct val *k,
                               int nk, const struct val *more)
{
	char buf[512];
	size_t used = 0;
	for (int i = 0; i < nk; i++) {
		const struct val *x = i == 0 ? k : &more[i - 1];
		char nb[48];
		const char *s;
		size_t len;
		if (x->t == SC_T_STR) {
			s = x->s;
			len = x->len;
		} else if (x->t == SC_T_NUM) {
			len = sc_rx_fmt_num(x->n, nb, sizeof nb);
			s = nb;
		} else {
			return NULL;
		}
		if (used + len + 2 > sizeof buf)
			return NULL;
		if (i)
			buf[used++] = '|';
		memcpy(buf + used, s, len);
		used += len;
	}
	buf[used] = '\0';
	(void)ev;
	return json_object_getn(t->rows, buf, used);
}

static int is_word(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

static int word_bounded(const char *s, size_t len, size_t start, size_t end)
{
	return (start == 0 || !is_word((unsigned char)s[start - 1])) &&
	       (end == len || !is_word((unsigned char)s[end]));
}

/*
 * first key of t found as a whole word (case-insensitive) in s: the one
 * starting leftmost, the longest there; in one pass over s with the table's
 * automaton, else key by key
 */
static const char *find_word(const struct sc_rtable *t, const char *s, size_t len)
{
	if (t->aho) {
		long k = sc_aho_first(t->aho, s, len, word_bounded);
		return k >= 0 ? t->lower_vals[k] : NULL;
	}
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && is_word((unsigned char)s[i - 1]))
			continue;
		for (size_t k = 0; k < t->nkeys; k++) {
			const char *key = t->lower_keys[k];
			size_t kl = strlen(key);
			if (kl == 0 || kl > len - i || tolower((unsigned char)s[i]) != key[0])
				continue;
			if (strncasecmp(s + i, key, kl) == 0 && (i + kl == len || !is_word((unsigned char)s[i + kl])))
				return t->lower_vals[k];
		}
	}
	return NULL;
}

static int quantify(struct sc_eval *ev, const struct node *n, struct val *v)
{
	struct val lv, r;
	const json_t *saved = ev->item, *el;
	size_t i;
	double acc = 0;
	int any = 0, all = 1;

	if (sc_rx_eval(ev, n->kids[0], &lv) < 0)
		return -1;
	if (lv.t != SC_T_LIST) {
		if (n->fn == F_COUNT || n->fn == F_SUM)
			set_num(v, 0);
		else
			set_bool(v, 0);
		return 0;
	}
	ev->qdepth++;
	json_array_foreach(lv.j, i, el) {
		ev->item = el;
		if (sc_rx_eval(ev, n->kids[1], &r) < 0) {
			ev->item = saved;
			ev->qdepth--;
			return -1;
		}
		if (n->fn == F_SUM) {
			if (r.t == SC_T_NUM)
				acc += r.n;
			continue;
		}
		int t = r.t == SC_T_BOOL && r.n != 0;
		if (t) {
			if (ev->qdepth == 1 && !any && n->fn != F_ALL)
				ev->witness = el;
			any = 1;
			acc += 1;
			if (n->fn == F_ANY)
				break;
		} else {
			all = 0;
			if (n->fn == F_ALL)
				break;
		}
	}
	ev->qdepth--;
	ev->item = saved;
	if (n->fn == F_ANY)
		set_bool(v, any);
	else if (n->fn == F_ALL)
		set_bool(v, all && json_array_size(lv.j) > 0);
	else
		set_num(v, acc);
	return 0;
}

int sc_rx_call(struct sc_eval *ev, const struct node *n, struct val *v)
{
	struct val a, b;
	double d;

	set_null(v);
	switch (n->fn) {
	case F_ANY: case F_ALL: case F_COUNT: case F_SUM:
		return quantify(ev, n, v);
	case F_EXISTS:
		if (sc_rx_eval(ev, n->kids[0], &a) < 0)
			return -1;
		set_bool(v, a.t != SC_T_NULL);
		return 0;
	case F_IF:
		if (sc_rx_eval(ev, n->kids[0], &a) < 0)
			return -1;
		return sc_rx_eval(ev, n->kids[a.t == SC_T_BOOL && a.n != 0 ? 1 : 2], v);
	case F_DEFAULT:
		if (sc_rx_eval(ev, n->kids[0], &a) < 0)
			return -1;
		if (a.t != SC_T_NULL) {
			*v = a;
			return 0;
		}
		return sc_rx_eval(ev, n->kids[1], v);
	default:
		break;
	}
	if (sc_rx_eval(ev, n->kids[0], &a) < 0)
		return -1;
	if (n->nkids > 1 && n->fn != F_MATCHES && n->fn != F_LOOKUP && sc_rx_eval(ev, n->kids[1], &b) < 0)
		return -1;
	switch (n->fn) {
	case F_LOWER: case F_UPPER: {
		char *buf;
		if (a.t != SC_T_STR || !(buf = sc_rx_scratch(ev, a.len + 1)))
			return 0;
		for (size_t i = 0; i < a.len; i++)
			buf[i] = (char)(n->fn == F_LOWER ? tolower((unsigned char)a.s[i]) : toupper((unsigned char)a.s[i]));
		set_str(v, buf, a.len);
		return 0;
	}
	case F_TRIM:
		if (a.t != SC_T_STR)
			return 0;
		while (a.len && isspace((unsigned char)a.s[0]))
			a.s++, a.len--;
		while (a.len && isspace((unsigned char)a.s[a.len - 1]))
			a.len--;
		set_str(v, a.s, a.len);
		return 0;
	case F_LEN:
		if (a.t == SC_T_STR)
			set_num(v, (double)a.len);
		else if (a.t == SC_T_LIST)
			set_num(v, (double)json_array_size(a.j));
		return 0;
	case F_PREFIX:
		if (a.t == SC_T_STR && b.t == SC_T_STR)
			set_bool(v, b.len <= a.len && memcmp(a.s, b.s, b.len) == 0);
		return 0;
	case F_SUFFIX:
		if (a.t == SC_T_STR && b.t == SC_T_STR)
			set_bool(v, b.len <= a.len && memcmp(a.s + a.len - b.len, b.s, b.len) == 0);
		return 0;
	case F_CONTAINS:
		if (a.t == SC_T_STR && b.t == SC_T_STR)
			set_bool(v, b.len == 0 || memmem(a.s, a.len, b.s, b.len) != NULL);
		return 0;
	case F_MATCHES: {
		int rc;
		if (a.t != SC_T_STR)
			return 0;
		rc = pcre2_match(n->re, (PCRE2_SPTR)a.s, a.len, 0, 0, ev->md, ev->mctx);
		if (rc >= 0) {
			set_bool(v, 1);
			return 0;
		}
		if (rc == PCRE2_ERROR_NOMATCH) {
			set_bool(v, 0);
			return 0;
		}
		PCRE2_UCHAR msg[200];
		pcre2_get_error_message(rc, msg, sizeof msg);
		return sc_rx_eval_err(ev, "regex-limit", "regular expression /%s/ gave up: %s", n->kids[1]->str, msg);
	}
	case F_FIND: {
		const char *k;
		if (a.t != SC_T_STR)
			return 0;
		if ((k = find_word(n->kids[1]->table, a.s, a.len)))
			set_str(v, k, strlen(k));
		return 0;
	}
	case F_LOOKUP: {
		struct val more[3];
		const json_t *row;
		for (int i = 1; i < n->nkids; i++)
			if (sc_rx_eval(ev, n->kids[i], i == 1 ? &a : &more[i - 2]) < 0)
				return -1;
		row = sc_rx_table_get(ev, n->table, &a, n->nkids - 1, more);
		if (row)
			sc_rx_from_json(ev, row, SC_T_ANY, v);
		return 0;
	}
	case F_ABS:
		if (a.t == SC_T_NUM)
			set_num(v, fabs(a.n));
		return 0;
	case F_MIN: case F_MAX:
		if (a.t == SC_T_NUM && b.t == SC_T_NUM)
			set_num(v, n->fn == F_MIN ? fmin(a.n, b.n) : fmax(a.n, b.n));
		return 0;
	case F_ROUND: {
		double p = 1;
		if (a.t != SC_T_NUM)
			return 0;
		if (n->nkids > 1) {
			if (b.t != SC_T_NUM || b.n < 0 || b.n > 10)
				return 0;
			p = pow(10, floor(b.n));
		}
		set_num(v, round(a.n * p) / p);
		return 0;
	}
	case F_DATE:
		if (sc_rx_as_date(&a, &d)) {
			v->t = SC_T_DATE;
			v->n = d;
		}
		return 0;
	case F_DAYS: {
		double e;
		if (sc_rx_as_date(&a, &d) && sc_rx_as_date(&b, &e))
			set_num(v, e - d);
		return 0;
	}
	case F_YEAR: case F_MONTH: case F_WEEKDAY: {
		if (!sc_rx_as_date(&a, &d))
			return 0;
		if (n->fn == F_WEEKDAY) {
			/* 1970-01-01 was a Thursday; Monday is 1 */
			long w = ((long)d % 7 + 7) % 7;
			set_num(v, (double)((w + 3) % 7 + 1));
			return 0;
		}
		/* civil from days (H. Hinnant) */
		long z = (long)d + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		long mp = (5 * doy + 2) / 153, m = mp < 10 ? mp + 3 : mp - 9;
		set_num(v, (double)(n->fn == F_MONTH ? m : y + (m <= 2)));
		return 0;
	}
	case F_SCREEN: case F_SCREEN_MATCH: {
		const char *matched = NULL;
		double s;
		if (a.t != SC_T_STR || !n->list)
			return 0;
		if (!ev->memo)
			ev->memo = calloc(SCREEN_MEMO, sizeof *ev->memo);   /* NULL: screen without it */
		if (ev->memo && a.len < sizeof ev->memo[0].name) {
			uint64_t h = sc_fnv64(SC_FNV64_OFFSET ^ (uintptr_t)n->list, a.s, a.len);
			struct screen_memo *m = &ev->memo[(h >> 17) % SCREEN_MEMO];
			if (m->list != n->list || m->len != a.len || memcmp(m->name, a.s, a.len) != 0) {
				m->score = sc_risk_screen_match(n->list, a.s, a.len, &m->matched);
				m->list = n->list;
				m->len = a.len;
				memcpy(m->name, a.s, a.len);
			}
			s = m->score;
			matched = m->matched;
		} else {
			s = sc_risk_screen_match(n->list, a.s, a.len, &matched);
		}
		if (n->fn == F_SCREEN)
			set_num(v, s);
		else if (matched)
			set_str(v, matched, strlen(matched));
		return 0;
	}
	case F_CONTAINER_OK:
		if (a.t == SC_T_STR)
			set_bool(v, sc_container_check(a.s, a.len));
		return 0;
	default:
		return 0;
	}
}

/* ---- helpers -------------------------------------------------------------- */

int sc_date_parse(const char *s, size_t len, double *days)
{
	long d;
	if (sc_date_iso_days(s, len, &d) < 0)
		return -1;
	*days = (double)d;
	return 0;
}

/* ISO 6346 itself lives once, in norm_container.c; a rule's value may carry
 * spaces or a dash between its parts and lower case, so compact it first. */
int sc_container_check(const char *s, size_t len)
{
	char c[12];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == ' ' || s[i] == '-')
			continue;
		if (n == 11)
			return 0;
		c[n++] = (char)toupper((unsigned char)s[i]);
	}
	c[n] = '\0';
	return n == 11 && sc_container_valid(c);
}

static int by_len_desc(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
	if (x != y)
		return x < y ? 1 : -1;
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void sc_rtable_index(struct sc_rtable *t)
{
	const char *key;
	json_t *row;
	size_t n = json_object_size(t->rows), i = 0;

	t->lower_keys = calloc(n ? n : 1, sizeof *t->lower_keys);
	t->lower_vals = calloc(n ? n : 1, sizeof *t->lower_vals);
	if (!t->lower_keys || !t->lower_vals)
		return;
	json_object_foreach(t->rows, key, row) {
		/* "key\0original" so that one allocation keeps both */
		size_t kl = strlen(key);
		char *s = malloc(2 * kl + 2);
		if (!s)
			break;
		for (size_t k = 0; k < kl; k++)
			s[k] = (char)tolower((unsigned char)key[k]);
		s[kl] = '\0';
		memcpy(s + kl + 1, key, kl + 1);
		t->lower_keys[i++] = s;
	}
	t->nkeys = i;
	qsort(t->lower_keys, t->nkeys, sizeof *t->lower_keys, by_len_desc);
	for (i = 0; i < t->nkeys; i++)
		t->lower_vals[i] = t->lower_keys[i] + strlen(t->lower_keys[i]) + 1;
	sc_aho_free(t->aho);
	/* at most 16M cells (64 MiB); a larger table is searched key by key */
	t->aho = sc_aho_build((const char *const *)t->lower_keys, t->nkeys, (size_t)1 << 24);
}

void sc_rtable_free(struct sc_rtable *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nkeys; i++)
		free(t->lower_keys[i]);
	free(t->lower_keys);
	free(t->lower_vals);
	sc_aho_free(t->aho);
	json_decref(t->rows);
	json_decref(t->columns);
	free(t->name);
	free(t);
}

