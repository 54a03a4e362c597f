/*
 * parse.h - key-element extraction from OCR'd trade documents: document type,
 * labelled fields with value/raw/conf/page/bbox, line items by column
 * positions, and consignments joined into one declaration with cross-document
 * checks. Templates (document types, labels, columns) are YAML data under
 * rules/parse/, compiled once into one label trie.
 */
#ifndef SC_PARSE_H
#define SC_PARSE_H

#ifdef __cplusplus
extern "C" {
#endif

#include "sc.h"
#include "learn.h"

struct sc_parse;   /* compiled templates and tables; read-only once loaded */
struct sc_pdoc;     /* the pages of one document, being assembled */

/* Load every *.yaml in dir (templates and tables). NULL with err at
 * file:line:col on a bad file. */
struct sc_parse *sc_parse_load(const char *dir, struct sc_error *err);
/* What sc-parse reads with: the folder's templates, then the extra files,
 * compiled; the HS table (hs, may be NULL); numeric dates month first
 * (mdy); the learned reader: model, else the folder's model.scpm when
 * there, none with no_model. NULL with err. */
struct sc_parse *sc_parse_open(const char *dir, const char *const *extra, int nextra, const char *hs, int mdy,
                               const char *model, int no_model, struct sc_error *err);
/* Add every *.yaml of dir, in name order, without compiling. */
int sc_parse_add_dir(struct sc_parse *p, const char *dir, struct sc_error *err);
/* Load one template or table file more (tests, fuzzing, --template). */
int sc_parse_add_file(struct sc_parse *p, const char *path, struct sc_error *err);
int sc_parse_add_buffer(struct sc_parse *p, const char *name, const char *buf, size_t len,
                        struct sc_error *err);
/* Compile after the last add (done by sc_parse_load). */
int sc_parse_compile(struct sc_parse *p, struct sc_error *err);
struct sc_parse *sc_parse_new(void);
/* Check HS codes against a nomenclature (see sc_hs_load). */
int sc_parse_set_hs(struct sc_parse *p, const char *path, struct sc_error *err);
/* Which numeric date order wins when both read (default day first). */
void sc_parse_set_mdy(struct sc_parse *p, int mdy);
void sc_parse_free(struct sc_parse *p);

/* Limits: a page's text beyond this is cut (and said so in errors). */
#define SC_PARSE_MAX_TEXT (4u << 20)
#define SC_PARSE_MAX_LINES 20000

struct sc_pdoc *sc_pdoc_new(void);
void sc_pdoc_free(struct sc_pdoc *d);
/*
 * Add a page: ocr is the record's "ocr" object (borrowed; text and lines are
 * copied), src its "src" (borrowed, may be NULL). Returns 0, or -1 when the
 * page has nothing to read (err says why); the page still counts.
 */
int sc_pdoc_add_ocr(struct sc_pdoc *d, const json_t *ocr, const json_t *src, struct sc_error *err);
/* Add a page of plain text (no boxes). */
int sc_pdoc_add_text(struct sc_pdoc *d, const char *text, size_t len, const json_t *src);
/* Add a plain text file's pages (split at form feeds, as pdftotext writes
 * them), each with src {path, page, pages}; returns the pages added. */
int sc_pdoc_add_text_file(struct sc_pdoc *d, const char *path, const char *data, size_t len);
int sc_pdoc_pages(const struct sc_pdoc *d);

/*
 * Classify one page on its own (for splitting a file where the document type
 * changes): the best template's type, and its score (0 when nothing matched).
 */
const char *sc_parse_page_type(const struct sc_parse *p, const json_t *ocr, double *score);

/*
 * Parse a document: returns the new "parse" object (caller owns):
 * {"v":1,"type","type_conf","template","pages","fields":{name:{value,raw,conf,
 * page,bbox,...}},"items":[...],"documents":[src...]}.
 */
json_t *sc_parse_doc(const struct sc_parse *p, const struct sc_pdoc *d);

/*
 * A consignment from several parsed documents (array of records, each with
 * "parse"; borrowed): returns the consignment's "parse" object (documents[],
 * checks[]) and sets *decl to the declaration. Both owned by the caller.
 * decl NULL: the cross-checks only, no declaration made.
 */
json_t *sc_parse_consign(const struct sc_parse *p, const json_t *docs, json_t **decl);

/* The references a parsed document shares with others of its consignment
 * (invoice_no, bl_no, containers), as "kind:value" strings (caller owns). */
json_t *sc_parse_refs(const json_t *parse);
/* The key a reference meets others by: upper case, the letters OCR
 * confuses with digits as the digit (O 0, I L 1, S 5, Z 2, B 8), letters
 * and digits only, at most cap - 1; "" when under 5 (too short to identify
 * anything) or when s is NULL. So RW-2026-04817 and RW 2026 O4817 meet. */
void sc_parse_ref_key(const char *s, char *out, size_t cap);

/* ---- pages to documents, documents to consignments (parse_group.c) ---- */

/* A document put together from its pages: the pages' text and boxes, the
 * first page's record without "ocr", the errors of its pages (or NULL). */
struct sc_pdone {
	struct sc_pdoc *doc;
	json_t *head, *errors;
};
void sc_pdone_free(struct sc_pdone *d);
struct sc_passm;   /* pages being put together into documents */
/* tool names the errors the documents carry. */
struct sc_passm *sc_passm_new(const struct sc_parse *p, const char *tool);
void sc_passm_free(struct sc_passm *a);
/*
 * Add a page record (a record with an "ocr" object; borrowed). Returns 1
 * when the page begins a new document and *out holds the one before it,
 * finished; else 0. err->code is set when the page had nothing to read
 * ("where: why"; it counts, its document carries the error) or on
 * "no-memory" (the page is lost).
 */
int sc_passm_page(struct sc_passm *a, const json_t *rec, const char *where, struct sc_pdone *out,
                  struct sc_error *err);
/* The document being put together, finished: 1 and *out, or 0 when none. */
int sc_passm_flush(struct sc_passm *a, struct sc_pdone *out);

/* Consignments of documents that share a reference (sc_parse_refs), by
 * union-find: an array of arrays of docs' records (borrowed from docs), in
 * the order of each consignment's first document. */
json_t *sc_parse_group_by_ref(const json_t *docs);
/* A consignment's record: {id, src (its first document's), parse, decl,
 * errors (its documents')}; NULL when out of memory. */
json_t *sc_parse_consign_record(const struct sc_parse *p, const json_t *docs);
/* The key of a grouping by file (src.path) or by folder (its dirname). */
void sc_parse_group_key(const json_t *rec, int by_dir, char *out, size_t cap);

/* Documents into consignments as they stream: by shared references (held
 * to the end), by file or by folder (out when the key changes), or none. */
enum sc_pgroup_by { SC_PGROUP_NONE, SC_PGROUP_REF, SC_PGROUP_FILE, SC_PGROUP_DIR };
struct sc_pgroup;
struct sc_pgroup *sc_pgroup_new(const struct sc_parse *p, enum sc_pgroup_by by);
void sc_pgroup_free(struct sc_pgroup *g);
/* A finished document record (taken): what is ready to go out (the
 * record itself, or a consignment's record) is appended to out, in order;
 * -1 when out of memory. */
int sc_pgroup_add(struct sc_pgroup *g, json_t *rec, json_t *out);
/* The end of the stream: the consignments still held, into out. */
int sc_pgroup_finish(struct sc_pgroup *g, json_t *out);

/* ---- the learned reader (parse_rank.c, parse_model.c, parse_learn.c) ---- */

struct sc_pmodel;   /* a ranking model: document types and per-field trees */
/* Load a model file (rules/parse/model.scpm); NULL with err at file:line. */
struct sc_pmodel *sc_pmodel_load(const char *path, struct sc_error *err);
void sc_pmodel_free(struct sc_pmodel *m);
/* Read documents with m (p owns it from now on); NULL for templates only. */
void sc_parse_set_model(struct sc_parse *p, struct sc_pmodel *m);

struct sc_plearn;   /* labelled documents being gathered */
struct sc_plearn_opts {
	unsigned long long seed;
	int folds;          /* cross-validation folds inside the training documents */
	int negatives;      /* negative candidates kept per document and field */
	double precision;   /* the held-out precision each field's threshold aims at */
	double confidence;  /* z of the Wilson bound that precision is read at (0: the point estimate) */
	FILE *heldout;      /* NULL, or gets a JSON line per held-out (document, field): what was taken, and
	                       where the right candidate ranked (to count why fields are lost) */
	struct sc_learn_gbt_params gbt;
};
void sc_plearn_opts_defaults(struct sc_plearn_opts *o);
struct sc_plearn *sc_plearn_new(const struct sc_parse *p);
void sc_plearn_free(struct sc_plearn *L);
/* A truth file: its fields of known kinds (JSON null kept), type checked;
 * NULL with err at file:line (not JSON, a value of the wrong type). */
json_t *sc_plearn_read_truth(const char *path, const char **type, struct sc_error *err);
/* Add a document (takes d and truth); type when the truth names none.
 * -1 (and both freed) when it has no words. */
int sc_plearn_add(struct sc_plearn *L, struct sc_pdoc *d, json_t *truth, const char *type, const char *name,
                  struct sc_error *err);
int sc_plearn_docs(const struct sc_plearn *L);
/* A document of file path (taken) with its truth: STEM.json in the first of
 * the n folders dirs that holds one (its type, types[k], when the truth
 * names none). 0 learned from, 1 no truth file (d freed), -1 a bad truth
 * file or no words (err; d freed). where names the document's first record. */
int sc_plearn_add_found(struct sc_plearn *L, struct sc_pdoc *d, const char *path, const char *const *dirs,
                        const char *const *types, int n, const char *where, struct sc_error *err);
/* Learn; logf (may be NULL) gets the cross-validated figures per field. */
struct sc_pmodel *sc_plearn_fit(struct sc_plearn *L, const struct sc_plearn_opts *o, FILE *logf,
                                struct sc_error *err);
int sc_pmodel_save(const struct sc_pmodel *m, const char *path, struct sc_error *err);

#ifdef __cplusplus
}
#endif

#endif
