/*
 * risk_expr.h - the condition language of rule packs: a small typed expression
 * language over a record's `decl` and the other tools' namespaces, compiled once per run and evaluated per
 * record without I/O, loops or unbounded work (see sc-rules(5)).
 */
#ifndef SC_RISK_EXPR_H
#define SC_RISK_EXPR_H

#include "sc.h"

#define SC_EXPR_MAX_LEN   65536    /* characters in one expression or template */
#define SC_EXPR_MAX_DEPTH 128      /* nesting of sub-expressions */
#define SC_EXPR_MAX_NODES 20000    /* nodes in one expression */
#define SC_EXPR_BUDGET    2000000  /* evaluation steps for one rule on one record */
#define SC_EXPR_RECORD_BUDGET 20000000  /* ... and for all rules on one record */
#define SC_REGEX_MATCH_LIMIT 200000
#define SC_REGEX_DEPTH_LIMIT 10000

/* Static types of the language. */
enum sc_type {
	SC_T_ANY,       /* known only at run time (table cells, let values) */
	SC_T_NULL,
	SC_T_BOOL,
	SC_T_NUM,
	SC_T_STR,
	SC_T_DATE,      /* days since 1970-01-01 */
	SC_T_LIST,
	SC_T_OBJ,
	SC_T_TABLE,     /* a table name: only where a function takes one */
	SC_T_SCREEN     /* a screening list name: only in screen() */
};
const char *sc_type_name(enum sc_type t);

struct sc_risk_screen_list;

/* A lookup table of a pack: key -> row object (or true, for a plain set). */
struct sc_rtable {
	char *name;
	json_t *rows;       /* object: key -> row */
	json_t *columns;    /* array of column names (may be empty) */
	char **lower_keys;  /* the keys in lower case, for find(); sorted by length, longest first */
	size_t nkeys;
	const char **lower_vals; /* the original key of each lower_keys entry */
	struct sc_aho *aho;      /* lower_keys as one automaton (NULL: find() tries each key) */
};

struct sc_risk_screen_ref {
	char *name;
	struct sc_risk_screen_list *list;
};

struct sc_risk_expr;

/*
 * What an expression may name: tables, screening lists and the rule's `let`
 * values (compiled earlier; lets[i] may be used by lets after it). The place
 * (file, line, col) is where the expression text starts, for messages.
 */
struct sc_risk_expr_scope {
	struct sc_rtable **tables;
	size_t ntables;
	struct sc_risk_screen_ref *lists;
	size_t nlists;
	const char **let_names;
	struct sc_risk_expr **lets;
	size_t nlets;
	int item_ok;       /* `item` may be named outside a quantifier (lets, templates) */
	/* a template's rule condition (may be NULL): `item` outside a quantifier is
	 * an element of the list its outermost any()/count()/sum() ranges over */
	const struct sc_risk_expr *witness;
	const char *file;
	int line, col;
};

/*
 * Compile src. want is the type the result must have (SC_T_BOOL for a
 * condition, SC_T_ANY for anything). NULL with err (code: "syntax",
 * "type", "unknown-field", "unknown-table", "unknown-list", "unknown-function",
 * "bad-regex", "too-deep", "too-long") at the place of the mistake.
 */
struct sc_risk_expr *sc_risk_expr_compile(const char *src, const struct sc_risk_expr_scope *scope,
                                enum sc_type want, struct sc_error *err);
void sc_risk_expr_free(struct sc_risk_expr *e);
enum sc_type sc_risk_expr_type(const struct sc_risk_expr *e);
/* 1 when the expression names `item` outside any quantifier of its own. */
int sc_risk_expr_uses_item(const struct sc_risk_expr *e);

/* Per-thread evaluation state: scratch memory, regex match data, budget. */
struct sc_eval;
struct sc_eval *sc_eval_new(void);
void sc_eval_free(struct sc_eval *ev);
/* Start a record: decl is borrowed until the next call; resets scratch and budget.
 * The other roots (parse, join, ocr, scan, wood) are null. */
void sc_eval_begin(struct sc_eval *ev, const json_t *decl);
/* The same for a whole record (borrowed, may be NULL): the roots other than
 * decl are its namespaces of those names, null where it has none. */
void sc_eval_begin_record(struct sc_eval *ev, const json_t *rec, const json_t *decl);
/* Start the next rule of a record: a budget of its own (so rules that do not
 * read the items do not pay for them), within the record's; forgets the witness. */
void sc_eval_next_rule(struct sc_eval *ev);
/* Forget the witness item of the last successful any()/count(). */
void sc_eval_reset_witness(struct sc_eval *ev);

/* Evaluate a condition: 0 and *truth (null counts as false), or -1 with err
 * (regex match limit, evaluation budget). */
int sc_risk_expr_truth(const struct sc_risk_expr *e, struct sc_eval *ev, int *truth, struct sc_error *err);
/* Evaluate to a new JSON value (null for null; dates as "YYYY-MM-DD"). */
json_t *sc_risk_expr_value(const struct sc_risk_expr *e, struct sc_eval *ev, struct sc_error *err);
/* Evaluate to a number: 0 and *num (*isnull set when null), or -1. */
int sc_risk_expr_number(const struct sc_risk_expr *e, struct sc_eval *ev, double *num, int *isnull,
                   struct sc_error *err);

/* A growable byte buffer kept across records: no allocation once it is warm. */
struct sc_rbuf {
	char *p;
	size_t len, cap;
};
int sc_rbuf_add(struct sc_rbuf *b, const void *s, size_t n);   /* 0, or -1 out of memory */
int sc_rbuf_reserve(struct sc_rbuf *b, size_t n);              /* room for n more bytes */
void sc_rbuf_free(struct sc_rbuf *b);

/* The per-thread buffers of scoring (owned by ev; SC_EVAL_BUFS of them). */
#define SC_EVAL_BUFS 4
struct sc_rbuf *sc_eval_buf(struct sc_eval *ev, int which);

/* Explanation templates: text with {expression} parts ({{ and }} for braces). */
struct sc_template;
struct sc_template *sc_template_compile(const char *src, const struct sc_risk_expr_scope *scope,
                                        struct sc_error *err);
void sc_template_free(struct sc_template *t);
/* Render with `item` bound to the witness of the rule's condition; a new string. */
json_t *sc_template_render(const struct sc_template *t, struct sc_eval *ev,
                           struct sc_error *err);
/* The same appended to out as bytes (not checked as UTF-8): 0, or -1 with err. */
int sc_template_render_to(const struct sc_template *t, struct sc_eval *ev, struct sc_rbuf *out,
                          struct sc_error *err);

/*
 * Check a declaration's values against the decl schema (sc.7): the number of
 * values of the wrong type (a string where an object belongs, a list where a
 * name does); the first is described in err (code "bad-type").
 */
long sc_risk_expr_check_decl(const json_t *decl, struct sc_error *err);
/*
 * The same for the record ev has begun (sc_eval_begin*): one walk that also
 * resolves the schema's fields of decl for the rules that follow (ev may
 * be NULL). The same count, and the same first message, as check_decl.
 */
long sc_risk_expr_check_record(struct sc_eval *ev, const json_t *decl, struct sc_error *err);

/* Helpers shared with the pack loader and tests. */
int sc_date_parse(const char *s, size_t len, double *days);
int sc_container_check(const char *s, size_t len);   /* ISO 6346: 1 valid, 0 not */
void sc_rtable_index(struct sc_rtable *t);           /* fill lower_keys after rows */
void sc_rtable_free(struct sc_rtable *t);

#endif
