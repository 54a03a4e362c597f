/*
 * parse_doc.h - what the parts of a document's reading share: the label
 * hits and the reading context (parse_doc.c), geometry within a line
 * (parse_geom.c), the value readers (parse_value.c) and the item tables
 * (parse_items.c). Not for tools: they use parse.h.
 */
#ifndef SC_PARSE_DOC_H
#define SC_PARSE_DOC_H

#include "parse_rank.h"

struct hit {
	int line;
	size_t off, end, vend;    /* label start, end, value start (after separators) */
	const struct use *u;
	int nu;
	int longest;              /* the longest label at this start (fields, columns, ends) */
};

struct ctx {
	const struct sc_parse *p;
	const struct sc_pdoc *d;
	struct hit *h;
	int nh, caph;
	int t;                    /* chosen template, -1 for none */
	int mdy;
};

struct val {
	json_t *v;
	size_t off, len;     /* raw span within the region */
	double q;            /* quality 0..1 */
	json_t *extra;       /* currency found with money; party parts */
};

static inline int sc_pd_isdig(int c)
{
	return c >= '0' && c <= '9';
}

static inline int sc_pd_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

double sc_pd_line_x(const struct pline *L, size_t off);
int sc_pd_line_slice(const struct pline *L, double x0, double x1, size_t *b, size_t *e);
int sc_pd_same_row(const struct pline *a, const struct pline *b);
double sc_pd_char_w(const char *s, size_t i, size_t *adv);
int sc_pd_get_value(const struct ctx *c, enum kind k, const char *s, size_t n, struct val *o);
int sc_pd_get_ref(const char *s, size_t n, struct val *o);
json_t *sc_pd_num(double v);
void sc_pd_trim(const char *s, size_t *b, size_t *e);
int sc_pd_meaningful(const char *s, size_t n);
void sc_pd_extract_items(struct ctx *c, json_t *items);

#endif
