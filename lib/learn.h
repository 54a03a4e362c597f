/*
 * learn.h - what lies under lib/learn_model.h: the fields a declaration yields, the
 * key tables of past outcomes, time-ordered target encoding into a feature
 * vector, and the two trainers (gradient-boosted trees, logistic regression).
 */
#ifndef SC_LEARN_H
#define SC_LEARN_H

#include <stdint.h>
#include "sc.h"

/* The categorical fields read from a `decl` object (see sc_learn_extract). */
enum {
	LF_IMPORTER, LF_DECLARANT, LF_SELLER, LF_COURIER, LF_OFFICE,
	LF_HS6, LF_HS4, LF_HS2, LF_ORIGIN, LF_DEPARTURE, LF_TAX_TYPE,
	LF_PROCESS, LF_IMPORT_TYPE, LF_IMPORT_USE, LF_PAYMENT, LF_TRANSPORT,
	LF_ORIGIN_IND, SC_LEARN_NFIELDS
};
/* The numeric fields. */
enum { LN_VALUE, LN_NET_KG, LN_TAX_RATE, LN_WEEKDAY, SC_LEARN_NNUM };

#define SC_LEARN_MAX_KEY 128     /* a field longer than this is cut */
#define SC_LEARN_MAX_FEATURES 128
#define SC_LEARN_NOVALUE (-1.0)  /* a numeric field that is absent */

/* One declaration before encoding. Field f is the string at a fixed offset of
 * buf (sc_learn_field), never a pointer into it, so a raw record is plain
 * data: copied with =, kept in an array that realloc moves. */
struct sc_learn_raw {
	double num[SC_LEARN_NNUM];             /* SC_LEARN_NOVALUE when absent */
	long date;                             /* days since 1970-01-01; LONG_MIN if none */
	char buf[SC_LEARN_NFIELDS * (SC_LEARN_MAX_KEY + 1)];
};
/* The text of field f ("" when absent); borrowed from raw. */
static inline const char *sc_learn_field(const struct sc_learn_raw *raw, int f)
{
	return raw->buf + (size_t)f * (SC_LEARN_MAX_KEY + 1);
}

/* Read the fields of one `decl` object (borrowed); the first item gives the
 * goods. Never fails: what is absent reads as absent. */
void sc_learn_extract(const json_t *decl, struct sc_learn_raw *raw);
/* "2020-01-31" (a time may follow) -> days since 1970; -1 if not a date. */
int sc_learn_parse_date(const char *s, long *days);

/* Groups: one field or a pair of fields whose past outcomes are counted. */
int sc_learn_ngroups(void);
const char *sc_learn_group_name(int g);
/* Whether group g keeps unit-value stats (the others keep counts only). */
int sc_learn_group_has_uv(int g);
/* The key string of group g for a raw record, into buf (at least 2*MAX_KEY+2). */
void sc_learn_group_key(int g, const struct sc_learn_raw *raw, char *buf, size_t len);

/* Features: per group a smoothed rate and a log count; then the numerics. */
int sc_learn_nfeatures(void);
const char *sc_learn_feature_name(int f);
/* The group a feature describes, or -1 for a numeric feature. */
int sc_learn_feature_group(int f);

/* Counts of past outcomes for one key. */
struct sc_learn_stat {
	double n, pos;        /* records seen, of which positive */
	double uv_n, uv_sum;  /* records with a unit value, sum of its log */
};

/* A table of keys -> stats for one group (open addressing, keys copied). */
struct sc_keytab;
struct sc_keytab *sc_keytab_new(void);
void sc_keytab_free(struct sc_keytab *t);
/* Index of key, added with zero stats when new; -1 on out of memory. */
long sc_keytab_intern(struct sc_keytab *t, const char *key);
/* Index of key or -1 when absent. */
long sc_keytab_find(const struct sc_keytab *t, const char *key);
struct sc_learn_stat *sc_keytab_stat(struct sc_keytab *t, long i);
const struct sc_learn_stat *sc_keytab_cstat(const struct sc_keytab *t, long i);
const char *sc_keytab_key(const struct sc_keytab *t, long i);
size_t sc_keytab_count(const struct sc_keytab *t);
size_t sc_keytab_bytes(const struct sc_keytab *t);

/*
 * Encode one record: st[g] are the stats of its key in each group as known
 * before it (NULL when the key was never seen), prior the base rate as known
 * before it, m the smoothing weight. Writes sc_learn_nfeatures() values.
 */
void sc_learn_encode(const struct sc_learn_stat *const *st, double prior, double m,
                     const struct sc_learn_raw *raw, float *x);
/* Add one record's outcome to its key stats (after it was encoded). */
void sc_learn_update(struct sc_learn_stat *st, int label, const struct sc_learn_raw *raw);

/*
 * A training set read in a stream and encoded in time order: records sorted by
 * date (ties keep input order); each is encoded from the stats of the records
 * before it and only then adds its own label. Afterwards the tables hold the
 * whole history, as a model keeps them for scoring.
 */
struct sc_learnset {
	size_t n, cap;
	int nf;
	struct sc_keytab **tabs;     /* one per group */
	uint32_t *keys;              /* n * ngroups key indices */
	float *num;                  /* n * SC_LEARN_NNUM */
	long *date;
	unsigned char *label;
	float *X;                    /* n * nf, after sc_learnset_encode, in input order */
	double prior;                /* base rate of the whole history */
	double smooth;
};
struct sc_learnset *sc_learnset_new(double smooth);
void sc_learnset_free(struct sc_learnset *s);
/* Add one record (date must be set). -1 on out of memory. */
int sc_learnset_add(struct sc_learnset *s, const struct sc_learn_raw *raw, int label,
                    struct sc_error *err);
int sc_learnset_encode(struct sc_learnset *s, struct sc_error *err);
size_t sc_learnset_keys(const struct sc_learnset *s);
size_t sc_learnset_bytes(const struct sc_learnset *s);

/* Encode a record for scoring against full tables (labels of none of it used). */
void sc_learn_encode_with(struct sc_keytab *const *tabs, double prior, double smooth,
                          const struct sc_learn_raw *raw, float *x);

/* ---- gradient-boosted trees ------------------------------------------------ */

struct sc_learn_gbt_params {
	int trees;          /* at most this many rounds */
	int leaves;         /* leaves per tree (grown best-first) */
	int max_depth;
	int min_leaf;       /* records per leaf at least */
	double lr, lambda, min_gain;
	double subsample, colsample;
	int early_stop;     /* rounds without gain on the validation set; 0 = off */
	int bins;           /* at most 255 */
	uint64_t seed;
};
void sc_learn_gbt_defaults(struct sc_learn_gbt_params *p);

struct sc_learn_gbt_node { int f; float thr; int left, right; float value; };
struct sc_learn_gbt {
	int nf, ntrees, nnodes;
	int *root;                  /* ntrees node indices */
	struct sc_learn_gbt_node *nodes;
	double base;                /* log-odds before the first tree */
	int best_round;             /* rounds kept (early stopping) */
};
void sc_learn_gbt_free(struct sc_learn_gbt *g);
/* Train on X (n x nf, row-major) and y; Xv/yv (may be NULL) for early stopping.
 * `log` (may be NULL) gets a line every 50 rounds. */
struct sc_learn_gbt *sc_learn_gbt_train(const float *X, const unsigned char *y, size_t n, int nf,
                            const float *Xv, const unsigned char *yv, size_t nv,
                            const struct sc_learn_gbt_params *p, FILE *logf, struct sc_error *err);
/* Log-odds of x; contrib (nf values, may be NULL) gets each feature's share. */
double sc_learn_gbt_margin(const struct sc_learn_gbt *g, const float *x, double *contrib);

/* ---- logistic regression --------------------------------------------------- */

struct sc_logreg {
	int nf;
	double *mean, *sd, *w;
	double b;
};
void sc_logreg_free(struct sc_logreg *m);
struct sc_logreg *sc_logreg_train(const float *X, const unsigned char *y, size_t n, int nf,
                                  double l2, int iters, struct sc_error *err);
double sc_logreg_margin(const struct sc_logreg *m, const float *x, double *contrib);

/* ---- labels and evaluation (learn_eval.c) --------------------------------- */

/* The label of a record at path: "outcome" is decl.outcome; a dotted path is
 * read from the record's root, and so is one that starts with a dot (".y" is
 * the top-level y). Borrowed, or NULL. */
const json_t *sc_learn_label_at(const json_t *rec, const char *path);
/* 1 positive, 0 negative, -1 absent or not a label (booleans, numbers, "0",
 * "1", "true", "false", "yes", "no", numeric strings). */
int sc_learn_label_value(const json_t *v);

/* A ranking to measure: (score, value, label) per record, in input order. */
struct sc_learn_eval;
struct sc_learn_eval *sc_learn_eval_new(void);
void sc_learn_eval_free(struct sc_learn_eval *e);
/* -1 on out of memory. */
int sc_learn_eval_add(struct sc_learn_eval *e, double score, double value, int y);
size_t sc_learn_eval_count(const struct sc_learn_eval *e);
/* "1,2,5,10" into pct (at most max percentages in (0,100]): 0, or -1. */
int sc_learn_eval_parse_at(const char *s, double *pct, int max, int *n);
/*
 * Rank by descending score (ties in input order) and measure: {records,
 * positives, base_rate, auc (null with one class only), at:[{pct, k,
 * precision, recall, random_precision, revenue (with_value)}]}, where k is
 * ceil(pct% of records). The caller's; NULL when empty or out of memory.
 */
json_t *sc_learn_eval_result(struct sc_learn_eval *e, const double *pct, int npct,
                             int with_value);
/* The result as the table of sc-risk eval. -1 on a write error. */
int sc_learn_eval_print(FILE *out, const json_t *res, int with_value);

/* ---- model files ----------------------------------------------------------- */

#define SC_MODEL_FORMAT "sc-risk-model"
#define SC_MODEL_VERSION 1
#define SC_MODEL_NQ 1000

struct sc_learn_model;
/* Make a model from what was learned; takes ownership of tabs (array and tables),
 * g or lr (one of them) and q (SC_MODEL_NQ+1 scores, q[k] the score above which
 * the riskiest k/SC_MODEL_NQ lie). */
struct sc_learn_model *sc_learn_model_new(struct sc_keytab **tabs, double prior, double smooth,
                              struct sc_learn_gbt *g, struct sc_logreg *lr, double *q,
                              json_t *info);
void sc_learn_model_set_quantiles(struct sc_learn_model *m, const double *q);
int sc_learn_model_save(const struct sc_learn_model *m, const char *path, struct sc_error *err);
/* Load from a parsed file (borrowed); name is used in errors. */
struct sc_learn_model *sc_learn_model_from_json(const json_t *root, const char *name, struct sc_error *err);
/* Margin (log-odds) of an encoded vector; for training-time calibration. */
double sc_learn_model_margin_x(const struct sc_learn_model *m, const float *x, double *contrib);
/* Score a decl into its 0..1 value only (no explanation). */
int sc_learn_model_score_value(const struct sc_learn_model *m, const json_t *decl, double *score);

/* The model's own record of how it was made (borrowed). */
const json_t *sc_learn_model_info(const struct sc_learn_model *m);

/* ---- fitting --------------------------------------------------------------- */

enum { SC_LEARN_GBT, SC_LEARN_LOGREG };
/* Rounds of trees when nothing stops them early (no validation set) and when a
 * validation set does (early stopping picks the round). */
#define SC_LEARN_TREES_NO_VALID 200
#define SC_LEARN_TREES_VALID 600
struct sc_learn_opts {
	int algo;
	struct sc_learn_gbt_params gbt;   /* gbt.trees 0: by the validation set, above */
	double smooth;             /* weight of the prior in the target encoding */
	double l2;                 /* logistic regression */
	const char *label;         /* recorded in the model's info */
	FILE *log;                 /* training progress lines, or NULL */
};
void sc_learn_opts_defaults(struct sc_learn_opts *o);
/*
 * Encode set in time order and fit a model; vraw/vy (nv records, may be 0)
 * are validation records for early stopping and the score quantiles. On
 * success the model owns set's key tables (set->tabs becomes NULL).
 */
struct sc_learn_model *sc_learn_fit(struct sc_learnset *set, const struct sc_learn_raw *vraw,
                              const unsigned char *vy, size_t nv, const struct sc_learn_opts *o,
                              struct sc_error *err);

/* ---- reading labelled records (learn_read.c) ------------------------------ */

/* Labelled declarations kept whole, for validation: raw[i] with label y[i].
 * Plain data (sc_learn_raw holds offsets), so growing it moves nothing that
 * points into it. Zero-initialised by the caller; sc_learn_kept_clear frees. */
struct sc_learn_kept { struct sc_learn_raw *raw; unsigned char *y; size_t n, cap; };
void sc_learn_kept_clear(struct sc_learn_kept *k);

/*
 * Read the labelled declarations of files[0..nfiles) (standard input when
 * none) into set, or (set NULL) keep them whole in keep. A record without a
 * decl, a 0/1 label at `label` or an ISO decl.date is reported with its place
 * and skipped (`what` names the records: "history", "validation"); a progress
 * line on a terminal. Counts go to d. -1 on a fatal error (reported).
 */
int sc_learn_read(struct sc_diag *d, int nfiles, char **files, const char *label,
                  struct sc_learnset *set, struct sc_learn_kept *keep, const char *what);

/* What sc_learn_eval_read takes from each record. */
struct sc_learn_eval_src {
	const char *label;         /* the 0/1 label's path (sc_learn_label_at) */
	const char *score_path;    /* the score's path, when there is no model */
	const char *value_path;    /* the value's path for Revenue@k, or NULL */
	const struct sc_learn_model *model;   /* score decl with this, or NULL */
};
/* Each labelled, scored record of files[0..nfiles) into ev; a record without
 * a label, a score or (asked) a value is reported and skipped. -1 on a fatal
 * error (reported through d). */
int sc_learn_eval_read(struct sc_diag *d, int nfiles, char **files,
                       const struct sc_learn_eval_src *src, struct sc_learn_eval *ev);

/* "N records (P positive), K distinct keys ...; model; T s, peak RSS M MiB":
 * what was learned, as a note through d; t0 is sc_now() at the start. */
void sc_learn_summary(struct sc_diag *d, const struct sc_learn_model *m, double t0);

#endif
