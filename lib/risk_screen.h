/*
 * risk_screen.h - party screening against denied-party lists: name normalization
 * (case, punctuation, company suffixes, token order, basic transliteration),
 * Jaro-Winkler and token matching over a token index of the list.
 */
#ifndef SC_RISK_SCREEN_H
#define SC_RISK_SCREEN_H

#include "sc.h"

#define SC_SCREEN_MAX_NAME 512     /* bytes of a name considered */
#define SC_SCREEN_MAX_ENTRIES 2000000

struct sc_risk_screen_list;

/*
 * Load a list. format "csv": a CSV file with a header naming a `name` column
 * (optional `aliases`, separated by ';'); "ofac": OFAC's own layout, path
 * being sdn.csv or the folder holding it (alt.csv beside it adds aliases);
 * NULL guesses from the path. NULL with err (file:line) on failure.
 */
struct sc_risk_screen_list *sc_risk_screen_load(const char *path, const char *format,
                                      struct sc_error *err);
void sc_risk_screen_free(struct sc_risk_screen_list *l);
size_t sc_risk_screen_size(const struct sc_risk_screen_list *l);   /* names, aliases included */

/*
 * Best match of name in the list: a score in 0..1 (0 when nothing shares a
 * token) and, when matched is not NULL, the listed name that matched
 * (borrowed from the list). Thread-safe: the list is read-only.
 */
double sc_risk_screen_match(const struct sc_risk_screen_list *l, const char *name, size_t len,
                       const char **matched);

/* The normalized form of a name (tokens sorted, joined by one space) into
 * out (at most outlen bytes including NUL); returns its length. */
size_t sc_risk_screen_normalize(const char *name, size_t len, char *out, size_t outlen);
/* Jaro-Winkler similarity of two byte strings, 0..1. */
double sc_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen);

#endif
