/*
 * risk_expr_int.h - inside the condition language (internal to the
 * risk_expr_*.c modules, as parse_int.h is to sc-parse's): the decl schema,
 * the nodes a compiled expression is made of, the lexer's and parser's
 * state, the evaluator's values and per-thread state, and the functions the
 * parts call across files (sc_rx_*). risk_expr_lex.c reads tokens,
 * risk_expr_parse.c parses and type-checks (and checks records against the
 * schema), risk_expr_eval.c evaluates, risk_expr_fn.c holds the built-in
 * functions and the table helpers.
 */
#ifndef SC_RISK_EXPR_INT_H
#define SC_RISK_EXPR_INT_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "risk_expr.h"


enum derived { D_NONE, D_HS2, D_HS4, D_HS6, D_UNIT_VALUE, D_VALUE_PER_KG, D_KG_PER_UNIT,
               D_DECL_VALUE_PER_KG,
               D_OPEN   /* only in a schema's terminator: names beyond it are looked up at run time */
};

struct field {
	const char *name;
	enum sc_type t;
	const struct field *sub;   /* fields of an object, or of a list's elements */
	enum sc_type elem;         /* element type of a list */
	enum derived derived;
};

/* key names used by both the schema and derive(): one address each, for the lookup memo */
extern const char K_HS[], K_VALUE[], K_QTY[], K_NET[], K_TOTAL[];

enum root { R_DECL, R_PARSE, R_JOIN, R_OCR, R_SCAN, R_WOOD, R_NROOTS };
struct sc_rx_root {
	const char *name;
	const struct field *schema;
};
extern const struct sc_rx_root sc_rx_roots[R_NROOTS];

enum op {
	O_NUM, O_STR, O_BOOL, O_NULL, O_LIST, O_DECL, O_ITEM, O_GET, O_LET, O_TABLE, O_SLIST,
	O_NEG, O_NOT, O_AND, O_OR, O_ADD, O_SUB, O_MUL, O_DIV, O_MOD,
	O_EQ, O_NE, O_LT, O_LE, O_GT, O_GE, O_IN, O_NOTIN, O_CALL
};

enum fn {
	F_LOWER, F_UPPER, F_TRIM, F_LEN, F_PREFIX, F_SUFFIX, F_CONTAINS, F_MATCHES, F_FIND,
	F_LOOKUP, F_ANY, F_ALL, F_COUNT, F_SUM, F_ABS, F_MIN, F_MAX, F_ROUND, F_DATE, F_DAYS,
	F_YEAR, F_MONTH, F_WEEKDAY, F_SCREEN, F_SCREEN_MATCH, F_CONTAINER_OK, F_EXISTS,
	F_DEFAULT, F_IF
};

struct node {
	enum op op;
	enum sc_type t;
	int pos;
	double num;
	char *str;
	size_t slen;
	struct node **kids;
	int nkids;
	enum fn fn;
	/* paths */
	char **keys;
	const char **ids;          /* per key: the schema's name (a memo key), or NULL */
	int nkeys;
	enum derived derived;
	/* resolved names */
	struct sc_rtable *table;
	struct sc_risk_screen_list *list;
	const struct sc_risk_expr *let;
	pcre2_code *re;
	const struct field *field;  /* the last schema field of a path */
	int h;                      /* height of the tree below, for the depth cap */
	int root;                   /* O_DECL: which namespace of the record (enum root) */
	struct node *all_next;     /* every node of an expression, for freeing */
};

struct binding {
	enum sc_type t;
	const struct field *schema;
};

struct sc_risk_expr {
	struct node *root;
	struct node *all;
	int nnodes;
	int uses_item;
	/* the elements the outermost any()/count()/sum() range over: what `item`
	 * is in the rule's template; nwit 2 when they range over different lists */
	struct binding wit;
	int nwit;
};

enum tk {
	TK_EOF, TK_NUM, TK_STR, TK_ID, TK_LP, TK_RP, TK_LB, TK_RB, TK_COMMA, TK_DOT,
	TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_PCT, TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE,
	TK_AND, TK_OR, TK_NOT, TK_IN, TK_TRUE, TK_FALSE, TK_NULL
};

struct parser {
	const char *src;
	size_t len, p;
	/* current token */
	enum tk k;
	int tpos;
	size_t tlen;
	double num;
	char *str;           /* decoded string literal (owned until taken) */
	size_t slen;
	const struct sc_risk_expr_scope *scope;
	struct sc_risk_expr *e;
	struct sc_error *err;
	int failed;
	int depth;
	struct binding items[16];
	int nitems;
	enum sc_type want;   /* a table or list name is expected next (for the error code) */
};
struct blk {
	struct blk *next;
	size_t used, cap;
	char data[];
};

struct val {
	enum sc_type t;
	double n;
	const char *s;
	size_t len;
	const json_t *j;
};

#define SCREEN_MEMO 16384

struct sc_eval {
	const json_t *decl;
	const json_t *rec;          /* the whole record, for the other roots (may be NULL) */
	const json_t *root[R_NROOTS];
	unsigned root_done;         /* bit r: root[r] looked up in this record */
	const json_t *item;
	const json_t *witness;
	int qdepth;
	long steps, limit;          /* steps of this rule; where it stops */
	long spent;                 /* steps of the record's earlier rules */
	struct blk *arena;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	struct sc_error *err;
	/*
	 * screening results by list and name: parties recur across declarations,
	 * thousands of them in a day's stream, so the table is large (allocated
	 * at the first screen(), SCREEN_MEMO slots, one name each)
	 */
	struct screen_memo {
		const struct sc_risk_screen_list *list;
		char name[96];
		size_t len;
		double score;
		const char *matched;
	} *memo;
	/* object lookups of this record by (object, schema key): rules share fields */
	struct get_memo {
		const json_t *obj;
		const char *key;
		const json_t *val;
		unsigned gen;
	} gets[512];
	/* values of lets and derived fields, by (what, item): rules share them */
	struct val_memo {
		const void *what;
		const json_t *obj;
		unsigned gen;
		struct val v;
	} vals[256];
	unsigned gen;
	struct sc_rbuf bufs[SC_EVAL_BUFS];   /* see sc_eval_buf */
};

struct part {
	char *text;                /* literal text, or NULL for an expression */
	struct sc_risk_expr *e;
};

struct sc_template {
	struct part *parts;
	size_t n;
};

static inline void set_null(struct val *v)
{
	memset(v, 0, sizeof *v);
	v->t = SC_T_NULL;
}

static inline void set_num(struct val *v, double n)
{
	memset(v, 0, sizeof *v);
	if (!isfinite(n)) {
		v->t = SC_T_NULL;
		return;
	}
	v->t = SC_T_NUM;
	v->n = n;
}

static inline void set_bool(struct val *v, int b)
{
	memset(v, 0, sizeof *v);
	v->t = SC_T_BOOL;
	v->n = b != 0;
}

static inline void set_str(struct val *v, const char *s, size_t len)
{
	memset(v, 0, sizeof *v);
	v->t = s ? SC_T_STR : SC_T_NULL;
	v->s = s;
	v->len = len;
}

/* across the parts */
int sc_rx_as_date(const struct val *v, double *d);
void sc_rx_derive(struct sc_eval *ev, const json_t *o, enum derived d, struct val *v);
int sc_rx_eval(struct sc_eval *ev, const struct node *n, struct val *v);
int sc_rx_eval_err(struct sc_eval *ev, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
size_t sc_rx_fmt_num(double n, char *buf, size_t len);
void sc_rx_from_json(struct sc_eval *ev, const json_t *j, enum sc_type want, struct val *v);
char *sc_rx_scratch(struct sc_eval *ev, size_t n);
int sc_rx_call(struct sc_eval *ev, const struct node *n, struct val *v);
/* the value of obj's key (a schema name: its address is the memo key) in this record */
void sc_rx_memo_put(struct sc_eval *ev, const json_t *obj, const char *key, const json_t *val);
const json_t *sc_rx_table_get(struct sc_eval *ev, const struct sc_rtable *t, const struct val *k,
                               int nk, const struct val *more);
int sc_rx_fail(struct parser *P, int pos, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int sc_rx_next(struct parser *P);

#endif
