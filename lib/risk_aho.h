/*
 * risk_aho.h - Aho-Corasick over a table's keys: one pass over a text finds
 * every key in it (case folded with tolower), for find() of rule packs,
 * whatever the number of keys (CITES names, description tables).
 */
#ifndef SC_RISK_AHO_H
#define SC_RISK_AHO_H

#include <stddef.h>

struct sc_aho;

/*
 * Build the automaton of keys[0..n) (already in lower case; empty keys are
 * never found). The keys are borrowed only while building. NULL when out of
 * memory or when the table of transitions would pass max_cells cells.
 */
struct sc_aho *sc_aho_build(const char *const *keys, size_t n, size_t max_cells);
void sc_aho_free(struct sc_aho *a);

/* Whether an occurrence of a key at s[start..end) counts (word boundaries). */
typedef int (*sc_aho_accept_fn)(const char *s, size_t len, size_t start, size_t end);

/*
 * The index of the key found first in s: the occurrence that starts
 * leftmost among those accept() takes, and of those the lowest index. -1
 * when there is none.
 */
long sc_aho_first(const struct sc_aho *a, const char *s, size_t len, sc_aho_accept_fn accept);

#endif
