/*
 * risk_aho.c - Aho-Corasick as a full transition table over the bytes the
 * keys use (every other byte goes back to the root): the text is read once,
 * one table step per byte, and each state knows the keys that end there
 * through its own key and a link to the next shorter one.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "risk_aho.h"

struct sc_aho {
	unsigned char cls[256];   /* byte (folded) -> column; 0: used by no key */
	size_t ncls;
	size_t nstates;
	int32_t *next;            /* nstates x ncls */
	int32_t *own;             /* the lowest key index spelt by the state, or -1 */
	int32_t *dict;            /* the nearest proper suffix state with a key, or -1 */
	int32_t *depth;           /* the length of the state's string */
	size_t maxlen;
};

void sc_aho_free(struct sc_aho *a)
{
	if (!a)
		return;
	free(a->next);
	free(a->own);
	free(a->dict);
	free(a->depth);
	free(a);
}

struct sc_aho *sc_aho_build(const char *const *keys, size_t n, size_t max_cells)
{
	struct sc_aho *a = calloc(1, sizeof *a);
	size_t total = 1, cap, head = 0, tail = 0;
	int32_t *fail = NULL, *queue = NULL;

	if (!a)
		return NULL;
	a->ncls = 1;
	for (size_t k = 0; k < n; k++) {
		size_t kl = strlen(keys[k]);
		for (size_t i = 0; i < kl; i++) {
			unsigned char c = (unsigned char)keys[k][i];
			if (!a->cls[c])
				a->cls[c] = (unsigned char)a->ncls++;
		}
		total += kl;
		if (kl > a->maxlen)
			a->maxlen = kl;
		if (a->ncls > 255 || total > INT32_MAX / 2)
			goto fail;
	}
	cap = total;
	if (cap > max_cells / a->ncls)
		goto fail;
	a->next = malloc(cap * a->ncls * sizeof *a->next);
	a->own = malloc(cap * sizeof *a->own);
	a->dict = malloc(cap * sizeof *a->dict);
	a->depth = malloc(cap * sizeof *a->depth);
	fail = malloc(cap * sizeof *fail);
	queue = malloc(cap * sizeof *queue);
	if (!a->next || !a->own || !a->dict || !a->depth || !fail || !queue)
		goto fail;
	memset(a->next, 0xff, cap * a->ncls * sizeof *a->next);   /* -1: no edge yet */
	a->own[0] = a->dict[0] = -1;
	a->depth[0] = 0;
	a->nstates = 1;
	/* the trie */
	for (size_t k = 0; k < n; k++) {
		int32_t s = 0;
		if (!keys[k][0])
			continue;
		for (const unsigned char *p = (const unsigned char *)keys[k]; *p; p++) {
			int32_t *e = &a->next[(size_t)s * a->ncls + a->cls[*p]];
			if (*e < 0) {
				*e = (int32_t)a->nstates;
				a->own[a->nstates] = -1;
				a->depth[a->nstates] = a->depth[s] + 1;
				a->nstates++;
			}
			s = *e;
		}
		if (a->own[s] < 0)
			a->own[s] = (int32_t)k;
	}
	/* failure links breadth first, and the missing edges through them */
	for (size_t c = 0; c < a->ncls; c++) {
		int32_t *e = &a->next[c];
		if (*e < 0 || c == 0) {
			*e = 0;
		} else {
			fail[*e] = 0;
			queue[tail++] = *e;
		}
	}
	while (head < tail) {
		int32_t s = queue[head++], f = fail[s];
		a->dict[s] = a->own[f] >= 0 ? f : a->dict[f];
		for (size_t c = 0; c < a->ncls; c++) {
			int32_t *e = &a->next[(size_t)s * a->ncls + c];
			int32_t via = a->next[(size_t)f * a->ncls + c];
			if (*e < 0) {
				*e = via;
			} else {
				fail[*e] = via;
				queue[tail++] = *e;
			}
		}
	}
	free(fail);
	free(queue);
	return a;
fail:
	free(fail);
	free(queue);
	sc_aho_free(a);
	return NULL;
}

long sc_aho_first(const struct sc_aho *a, const char *s, size_t len, sc_aho_accept_fn accept)
{
	long best = -1;
	size_t best_start = 0;
	int32_t st = 0;

	for (size_t i = 0; i < len; i++) {
		/* no occurrence ending here or later can start left of the best one */
		if (best >= 0 && i >= best_start + a->maxlen)
			break;
		st = a->next[(size_t)st * a->ncls + a->cls[(unsigned char)tolower((unsigned char)s[i])]];
		for (int32_t o = a->own[st] >= 0 ? st : a->dict[st]; o >= 0; o = a->dict[o]) {
			size_t start = i + 1 - (size_t)a->depth[o];
			long k = a->own[o];
			if (best >= 0 && (start > best_start || (start == best_start && k > best)))
				continue;
			if (accept && !accept(s, len, start, i + 1))
				continue;
			best = k;
			best_start = start;
		}
	}
	return best;
}
