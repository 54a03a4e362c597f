/*
 * parse_rank.h - what the learned reader shares: candidates and their
 * features (parse_cand.c), the model and its file (parse_model.c), ranking
 * a document with it (parse_rank.c) and learning it (parse_learn.c).
 * Not for tools: they use parse.h.
 */
#ifndef SC_PARSE_RANK_H
#define SC_PARSE_RANK_H

#include <stdio.h>

#include "learn.h"
#include "parse_int.h"

enum { RK_DATE, RK_AMOUNT, RK_REF, RK_PARTY, RK__N };
extern const char *const sc_rank_kinds[RK__N];

#define SC_RANK_MAX_CANDS 20000
/* held-out documents a type needs for a calibration of its own */
#define SC_PLEARN_MIN_CAL 60

/* The feature layout. Changing it changes what a model means: bump
 * SC_PMODEL_VERSION. */
enum {
	F_PAGE, F_LASTPAGE, F_NPAGES, F_Y, F_X0, F_X1, F_H, F_NTOK, F_TIDX, F_LASTTOK, F_LCOLON, F_LGAP, F_BOX,
	F_SEGSTART, F_REPEAT, F_ABOVE_DY, F_TMPL, /* the YAML templates read this value for the field */
	F_DOCTYPE,                                 /* 7 slots: the document's type, one-hot */
	F_K = F_DOCTYPE + 7,                       /* 24 slots of the kind's own */
	F_LEFTW = F_K + 24, F_LEFTW_N = 64,
	F_LEFTG = F_LEFTW + F_LEFTW_N, F_LEFTG_N = 64,
	F_UPW = F_LEFTG + F_LEFTG_N, F_UPW_N = 48,
	F_UPG = F_UPW + F_UPW_N, F_UPG_N = 32,
	F_RIGHTW = F_UPG + F_UPG_N, F_RIGHTW_N = 32,
	F_OWN = F_RIGHTW + F_RIGHTW_N, F_OWN_N = 32,
	F_LINEW = F_OWN + F_OWN_N, F_LINEW_N = 32,
	SC_RANK_NF = F_LINEW + F_LINEW_N
};
#define SC_TYPE_NF 264

struct rtok {
	int line;
	size_t off, len;
	double x0, x1;
	int seg_start;      /* first word of a column segment */
};

struct rcand {
	int kind;
	int tok, ntok;      /* tokens it spans */
	int line;
	size_t off, len;    /* bytes in the line */
	double num;         /* amounts */
	char str[104];      /* dates (ISO), references, parties */
	int dec, glued, split, reading, monthname, seg;
	int order;          /* dates: 1 read day first only, 2 month first only, 0 either way or named */
	int rstart, rend;   /* dates: the first, the second of a range ("03/13/20-03/24/20", "1 to 7 May") */
	size_t poff;        /* the other end's offset in the line (rstart) */
	char pair[11];      /* the other end of the range (ISO) */
};

struct rdoc {
	const struct sc_pdoc *d;
	int type;           /* index in the model's types, -1 unknown */
	struct rtok *t;
	int nt, capt;
	int *lt0;           /* first token of each line (n+1) */
	struct rcand *c;
	int nc, capc;
	float *x;           /* nc x SC_RANK_NF */
	char (*dates)[11];  /* distinct dates, in order */
	int ndates;
	int *lamt, *lamt_tok;   /* per line: amounts, the last one's token */
	int *refs, nrefs;       /* reference candidates, by value */
	int *amt, namt;         /* amount candidates, in line order */
	int ndmy, nmdy;         /* dates that read only day first, only month first */
	char rfirst[11], rlast[11];  /* the earliest range start, the latest range end */
};

struct rdoc *sc_rdoc_build(const struct sc_pdoc *d, int type);
void sc_rdoc_free(struct rdoc *r);
/* The type's features: the words of the first pages, the title zone apart,
 * and the type the templates' titles and phrases gave (NULL or "other":
 * none), one feature among the rest. */
void sc_rdoc_type_features(const struct sc_pdoc *d, const char *tmpl_type, float *x);

/* ---- the model ------------------------------------------------------------ */

#define SC_PMODEL_MAGIC "sc-parse-model"
#define SC_PMODEL_VERSION 3
#define SC_PMODEL_MAX_TYPES 7
#define SC_PMODEL_MAX_FIELDS 16

struct pm_field {
	char name[32];
	int kind;                        /* RK_* */
	unsigned types;                  /* bit per type: documents it is read on */
	double a, b;                     /* calibration: p = 1/(1+exp(-(a*m+b))) */
	double threshold;                /* least calibrated probability to report */
	/* per document type, where its held-out documents were enough: its own
	 * calibration and threshold (a receipt's total is harder than an
	 * invoice's, one threshold for both is too low for one of them) */
	unsigned caltypes;               /* bit per type */
	double ca[SC_PMODEL_MAX_TYPES], cb[SC_PMODEL_MAX_TYPES], cthr[SC_PMODEL_MAX_TYPES];
	struct sc_learn_gbt *g;
};

struct sc_pmodel {
	int ntypes;
	char types[SC_PMODEL_MAX_TYPES][32];
	struct sc_learn_gbt *tg[SC_PMODEL_MAX_TYPES];  /* one-vs-rest document type */
	int nfields;
	struct pm_field f[SC_PMODEL_MAX_FIELDS];
	uint64_t seed;
	int docs;                        /* documents it was learned from */
};

struct sc_pmodel *sc_pmodel_read(const char *buf, size_t len, const char *name, struct sc_error *err);
struct sc_pmodel *sc_pmodel_load(const char *path, struct sc_error *err);
int sc_pmodel_write(const struct sc_pmodel *m, FILE *f);
int sc_pmodel_save(const struct sc_pmodel *m, const char *path, struct sc_error *err);
void sc_pmodel_free(struct sc_pmodel *m);

/* The type of a document: index into m->types and its probability. */
/* probs (may be NULL): each type's own probability, m->ntypes of them. */
int sc_pmodel_type(const struct sc_pmodel *m, const struct sc_pdoc *d, const char *tmpl_type, double *prob,
                   double *probs);
/* A value's text for the field's JSON (caller owns). */
json_t *sc_rank_value(const struct rcand *c);
/* Does a candidate's value equal json value v (as the scorer counts)? */
int sc_rank_matches(const struct rcand *c, const json_t *v);
/* Rank: fill fields (the fields the model reads, replacing the template's),
 * and the type (*type in: the templates' type; tmpl_matched: a template's
 * title or phrases were found, so that type stands). */
void sc_rank_doc(const struct sc_pmodel *m, const struct sc_pdoc *d, json_t *fields, const char **type,
                 double *type_conf, int tmpl_matched);

/* The template agreement feature: does the template's value of field name
 * equal the candidate's? */
void sc_rank_set_tmpl(float *x, const struct rcand *c, const json_t *tmpl_field);

#endif
