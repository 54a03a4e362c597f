/*
 * parse_int.h - what the parts of the parser share (parse_tmpl.c compiles
 * templates, parse_doc.c reads documents, parse_decl.c joins consignments).
 * Not for tools: they use parse.h.
 */
#ifndef SC_PARSE_INT_H
#define SC_PARSE_INT_H

#include "norm.h"
#include "parse.h"

enum kind {
	K_TEXT, K_REF, K_DATE, K_AMOUNT, K_MONEY, K_WEIGHT, K_INT, K_COUNTRY, K_PORT, K_INCOTERM,
	K_CURRENCY, K_PARTY, K_HS, K_UNIT, K_QTY_UNIT, K_STACK, K_SEALS, K_IGNORE, K__N
};
extern const char *const sc_kind_names[K__N];

#define MAX_STACK 4

struct field {
	char name[32];
	enum kind kind;
	int pick_last;       /* take the last good candidate rather than the first */
	int below;           /* look below the label first (boxed forms) */
	char stack[MAX_STACK][16];   /* K_STACK: item keys of the lines of one cell */
	int nstack;
};

struct tmpl {
	char name[64];       /* file stem or `template:` */
	char type[32];       /* invoice, packing_list, ... ("common" for the shared fields) */
	char file[256];
	struct field *fields;
	int nfields;
	struct field *cols;  /* item table columns */
	int ncols;
	double min_score;
	int mdy;
};

/* What a label means: a field's label, a column header, a detection phrase
 * (with weight), or the end of the item table. */
enum use_kind { U_FIELD, U_COLUMN, U_DETECT, U_TITLE, U_END };
struct use {
	unsigned short tmpl;
	unsigned char kind;
	unsigned short index;    /* field or column index; label rank for fields */
	unsigned short rank;     /* order among the field's labels: lower is stronger */
	float weight;            /* detection weight */
};

struct tnode {              /* trie node: children as a sorted byte list */
	int first_child, next_sibling;
	unsigned char byte;
	int uses_at, nuses;     /* into sc_parse.uses */
};

struct sc_parse {
	struct tmpl *t;
	int nt, capt;
	int common;             /* index of the common template, -1 if none */
	struct tnode *nodes;
	int nnodes, capn;
	struct use *uses;       /* grouped per node after compile */
	int nuses, capu;
	/* labels before compile: (text, use) pairs */
	struct pending { char *text; struct use u; } *pend;
	int npend, cappend;
	struct sc_ports *ports;
	struct sc_hs *hs;
	int mdy;
	int compiled;
	struct sc_pmodel *model;   /* the learned reader, or NULL */
};

/* Walk the trie at s[i]: report each terminal reached at a boundary through cb. */
typedef void (*sc_hit_fn)(void *ctx, size_t end, const struct use *u, int nuses);
void sc_trie_walk(const struct sc_parse *p, const char *s, size_t n, size_t i, sc_hit_fn cb, void *ctx);

/* Fold fullwidth forms and odd spaces to ASCII, into out (at most 3*n+1). */
size_t sc_text_fold(const char *s, size_t n, char *out);

/* The lines of a document being assembled (parse_doc.c fills them; the
 * ranker in parse_rank.c reads them). */
struct pline {
	char *text;
	size_t len;
	int page;            /* 1-based within the document */
	double x, y, w, h;
	double conf;         /* 0..100, -1 unknown */
	int box;             /* real OCR box (else a text grid) */
	int hit0, nhit;      /* hits on this line */
	struct anchor { size_t off, len; double x0, x1; } *a;   /* word boxes, when OCR gave them */
	int na;
};

struct sc_pdoc {
	struct pline *l;
	int n, cap;
	json_t *srcs;        /* src of every page */
	int pages;
	double pw[64], ph[64];  /* page sizes of the first 64 pages */
};

/* A JSON string of s[0..n) (valid UTF-8: lines are cleaned as they come in). */
json_t *sc_parse_jstrn(const char *s, size_t n);

#endif
