/*
 * ci.h - the results of `sc-risk check` and `sc-risk test` in the forms CI
 * reads: plain text, JSON lines, JUnit XML (Jenkins, GitLab) and GitHub
 * workflow commands (annotations on the lines of a pull request). Writers to
 * a FILE the caller owns; each returns -1 when a write failed.
 */
#ifndef SC_CI_H
#define SC_CI_H

#include <stdio.h>
#include "risk.h"

enum sc_ci_format { SC_CI_TEXT, SC_CI_JSON, SC_CI_JUNIT, SC_CI_GITHUB };

/* "text", "json", "junit", "github" -> *fmt: 0, or -1 when unknown. */
int sc_ci_format_parse(const char *s, enum sc_ci_format *fmt);

/* s escaped for XML text and attribute values. */
void sc_ci_xml(FILE *f, const char *s);
/* s escaped for a GitHub workflow command: %, CR and LF always; in a
 * property (prop != 0) also ':' and ','. */
void sc_ci_github(FILE *f, const char *s, int prop);

/* The opening and closing lines of a JUnit document named `name`. */
int sc_ci_junit_open(FILE *f, const char *name);
int sc_ci_junit_close(FILE *f);

/* The findings of loading one pack (check): one line each in text, json and
 * github; one <testsuite> in junit, where warnings fail too when strict. */
int sc_ci_lint(FILE *f, enum sc_ci_format fmt, const char *pack, const struct sc_lint *l,
               int strict);

/*
 * The result of sc_pack_test for one pack (text or junit): a line per case,
 * the confusion counts per rule and the coverage; min_cov < 0 means no
 * coverage threshold, else coverage below it is one more failing case.
 */
int sc_ci_test(FILE *f, enum sc_ci_format fmt, const char *label, size_t nrules,
               const json_t *res, double min_cov);

/*
 * The account of `sc-risk --explain` for one declaration: id (may be NULL),
 * the explanation array and the risk value of sc_pack_score, as lines for a
 * person: each rule's result, the model, random selection, the lane.
 */
int sc_ci_explain(FILE *f, const char *id, const json_t *ex, const json_t *risk);

#endif
