/*
 * join.h - consignments from the records of every tool: electronic
 * declarations (sc-import), documents (sc-parse), OCR pages (sc-ocr), wood
 * samples (sc-wood) and container scans (sc-scan) that share a declaration id,
 * B/L number, invoice number or container number become one record, with the
 * declaration held against its documents field by field (join.checks[]).
 */
#ifndef SC_JOIN_H
#define SC_JOIN_H

#include "jscan.h"
#include "sc.h"

/* Tolerances of the comparisons (rules/join.yaml). A numeric pair agrees when
 * |doc - decl| <= max(abs, rel * max(|doc|, |decl|)). */
struct sc_join_tol {
	double rel[8], abs[8];   /* indexed by enum sc_join_num */
	double party;            /* Jaro-Winkler similarity at which two names are one party */
	double conf_low;         /* not a comparison: the OCR confidence below which a document
	                          * is flagged as read badly (join.sources[].conf_low) */
};

enum sc_join_num { SC_JN_TOTAL, SC_JN_GROSS, SC_JN_NET, SC_JN_PACKAGES, SC_JN_ITEM_VALUE, SC_JN_N };

/* Built-in defaults (the values of the shipped rules/join.yaml). */
void sc_join_tol_default(struct sc_join_tol *t);
/* Read tolerances from a YAML file; -1 with err at file:line:col. */
int sc_join_tol_load(struct sc_join_tol *t, const char *path, struct sc_error *err);

struct sc_join;

struct sc_join *sc_join_new(const struct sc_join_tol *tol);
void sc_join_free(struct sc_join *j);

/*
 * Take one record (borrowed: what the consignment needs is kept by reference,
 * the rest is let go). file and line are its place, for diagnostics and for
 * the canonical order. Returns 0, or -1 with err filled when the record has
 * no key to link by: it is still kept and comes out alone, with the error.
 * Not thread-safe; sc_join_slim may run in parallel beforehand.
 */
int sc_join_add(struct sc_join *j, json_t *rec, const char *file, unsigned long line,
                struct sc_error *err);
/*
 * The same from a line's bytes, in two steps so that the first runs in
 * parallel: sc_join_prep validates and indexes the line with js (the
 * caller's scanner, reused) and keeps the record as its compact bytes, with
 * its keys and order read out (thread-safe); NULL with err filled when the
 * line is no JSON object (the message of sc_parse_line) or memory ran out.
 * sc_join_take takes the prepared record (and frees it), as sc_join_add.
 * sc_join_add_line does both (-2 for a bad line).
 */
struct sc_join_rec;
/* st: where the record's kept bytes are written as they are made, one
 * store per preparing thread (sc_join_store_new); NULL, they are malloc'd
 * and copied into the join's own when taken. A store goes to the join the
 * records were taken by with sc_join_adopt (the join frees it; st NULL is
 * nothing), before sc_join_free. */
struct sc_join_store;
struct sc_join_store *sc_join_store_new(void);
void sc_join_adopt(struct sc_join *j, struct sc_join_store *st);
struct sc_join_rec *sc_join_prep(struct sc_jscan *js, struct sc_join_store *st, const char *line, size_t len,
                                 const char *file, unsigned long lineno, struct sc_error *err);
int sc_join_take(struct sc_join *j, struct sc_join_rec *p, const char *file, unsigned long line, struct sc_error *err);
void sc_join_prep_free(struct sc_join_rec *p);
int sc_join_add_line(struct sc_join *j, struct sc_jscan *js, const char *text, size_t len, const char *file,
                     unsigned long line, struct sc_error *err);
/* A line that was not a record (rec is the stand-in error record). */
void sc_join_add_bad(struct sc_join *j, json_t *rec, const char *file, unsigned long line);

/*
 * Link everything taken so far. Returns the number of consignments. Problems
 * of linking (two electronic declarations with one id, a record linking two
 * declarations, sc-join output given back with its own sources) are reported
 * through problem(ctx, err), each with the place of the record; every record
 * still comes out.
 */
typedef void (*sc_join_problem_fn)(void *ctx, const struct sc_error *e);
size_t sc_join_link(struct sc_join *j, sc_join_problem_fn problem, void *ctx);

/* The k-th consignment (0 <= k < the count), in the canonical order (by
 * consignment id, then by its first record): a new record, the caller's.
 * Thread-safe for different k once sc_join_link has run. *bad is set when
 * the consignment carries a linking problem or a record without key. */
json_t *sc_join_build(const struct sc_join *j, size_t k, int *bad);
/* The same consignment written as its line (without the newline) at the end
 * of o (o->s grows; the caller frees it): what the records held as filed is
 * copied from their bytes. 0, or -1 when out of memory. Thread-safe. */
struct sc_join_out {
	char *s;
	size_t len, cap;
	int failed;
};
int sc_join_write(const struct sc_join *j, size_t k, struct sc_join_out *o, int *bad);
/* The consignment's id (borrowed), which also decides its shard. */
const char *sc_join_id(const struct sc_join *j, size_t k);
/* Records taken, and a rough count of bytes they hold (for the man page's
 * statement of memory). */
size_t sc_join_records(const struct sc_join *j);
/* Bytes the records taken hold (their compact text, order keys, ids and the
 * member table; not the key map). */
size_t sc_join_bytes(const struct sc_join *j);

/* The keys a record links by, as "kind:value" strings (caller owns), as
 * sc_join_add sees them; for tests. */
json_t *sc_join_keys(const json_t *rec);

#endif
