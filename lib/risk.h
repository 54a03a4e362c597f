/*
 * risk.h - rule packs (sc-rules(5)): loading and linting a folder of YAML,
 * scoring one `decl` into a `risk` object with lanes in the ASYCUDA manner
 * (forced lanes outrank scores; random selection by a hash of seed and id),
 * and running a pack's own test cases.
 */
#ifndef SC_RISK_H
#define SC_RISK_H

#include "sc.h"
#include "risk_expr.h"

#define SC_PACK_MAX_FILES 256
#define SC_PACK_MAX_RULES 10000
#define SC_PACK_MAX_TABLE_BYTES (64u << 20)

enum sc_lane { SC_LANE_NONE = -1, SC_LANE_GREEN, SC_LANE_BLUE, SC_LANE_YELLOW, SC_LANE_RED,
               SC_NLANES };
const char *sc_lane_name(int lane);
int sc_lane_parse(const char *s);   /* -1 when not a lane */

/* Diagnostics of loading a pack: every error and warning, each with its place. */
enum { SC_LINT_ERROR, SC_LINT_WARNING };
struct sc_lint {
	struct sc_error *e;
	int *severity;
	size_t n, cap;
	int errors, warnings;
};
void sc_lint_init(struct sc_lint *l);
void sc_lint_free(struct sc_lint *l);
void sc_lint_add(struct sc_lint *l, int severity, const struct sc_error *e);

/* A list or table file chosen by the user, outside the pack: name=path. */
struct sc_pack_override {
	const char *name;
	const char *path;
};

struct sc_pack_opts {
	const char *datadir;        /* the shipped data directory (may be NULL) */
	const struct sc_pack_override *overrides;
	size_t noverrides;
	const char *model;          /* --model FILE: overrides the pack's model file */
};

struct sc_pack;

/*
 * Load and check the pack at path (a folder of *.yaml, or one YAML file).
 * Every problem goes to lint. Returns the pack, or NULL when there were
 * errors (warnings alone do not stop it).
 */
struct sc_pack *sc_pack_load(const char *path, const struct sc_pack_opts *opts,
                             struct sc_lint *lint);
void sc_pack_free(struct sc_pack *p);
const char *sc_pack_label(const struct sc_pack *p);   /* "default 1.0" */
size_t sc_pack_rules(const struct sc_pack *p);

/*
 * Score one declaration. rec (the whole record, for the roots other than
 * decl; may be NULL), decl and id (for random selection; may be NULL) are
 * borrowed. Sets *risk to a new object
 *   {"v":1,"pack":..,"score":..,"channel":..,"random":..,"hits":[..](,"model":..)}
 * Rules that could not be evaluated (regex limit, step budget) do not hit;
 * each adds a struct sc_error to problems (a new array the caller owns, NULL
 * when there were none). With explain not NULL, per-rule and lane
 * decisions are appended to it (an array) for --explain.
 */
int sc_pack_score(const struct sc_pack *p, struct sc_eval *ev, const json_t *rec,
                  const json_t *decl, const char *id, json_t **risk, json_t **problems,
                  json_t *explain);

/*
 * The same, the risk object written as compact JSON text (byte for byte
 * what SC_JSON_FLAGS makes of sc_pack_score's object) into a buffer of ev:
 * *text (NUL-terminated, *len bytes) is valid until ev scores again. No
 * allocation per record on this path once ev's buffers are warm; --explain
 * takes sc_pack_score.
 */
int sc_pack_score_text(const struct sc_pack *p, struct sc_eval *ev, const json_t *rec,
                       const json_t *decl, const char *id, const char **text, size_t *len,
                       json_t **problems);

/*
 * Run the pack's test cases. Returns a new object:
 *   {"cases":[{"name","file","line","ok","lane","score","hits":[..],"failures":[..]}],
 *    "rules":[{"id","file","line","tp","fp","fn","tn","covered"}],
 *    "passed":N,"failed":N,"coverage":PCT,"uncovered":[ids]}
 */
json_t *sc_pack_test(const struct sc_pack *p, struct sc_eval *ev);

/* The 0..1 draw of random selection for a declaration id and lane. */
double sc_risk_draw(const char *seed, const char *lane, const char *id);

#endif
