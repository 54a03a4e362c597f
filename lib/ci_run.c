/*
 * ci_run.c - sc-risk check, test and --explain over their packs and inputs;
 * see ci_run.h. The frontend keeps only options, usage and the exit status.
 */
#include <string.h>

#include "ci_run.h"
#include "input.h"

void sc_ci_packs_init(struct sc_ci_packs *c, const char *argv0)
{
	memset(c, 0, sizeof *c);
	c->opts.overrides = c->ov;
	c->opts.datadir = sc_datadir(argv0);
	snprintf(c->default_pack, sizeof c->default_pack, "%s/default", c->opts.datadir);
}

int sc_ci_packs_override(struct sc_ci_packs *c, char *arg, struct sc_diag *d)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1] || c->opts.noverrides >= SC_CI_MAX_OVERRIDES) {
		sc_diag_fatalf(d, "-L takes NAME=PATH, not \"%s\"", arg);
		return -1;
	}
	*eq = '\0';
	c->ov[c->opts.noverrides].name = arg;
	c->ov[c->opts.noverrides].path = eq + 1;
	c->opts.noverrides++;
	return 0;
}

static const char *plural(long n)
{
	return n == 1 ? "" : "s";
}

struct sc_pack *sc_ci_pack_load(const struct sc_ci_packs *c, const char *path,
                                struct sc_diag *d)
{
	struct sc_lint lint;
	struct sc_pack *p;

	sc_lint_init(&lint);
	p = sc_pack_load(path, &c->opts, &lint);
	for (size_t i = 0; i < lint.n; i++) {
		char buf[1200];
		sc_error_format(&lint.e[i], buf, sizeof buf);
		sc_diag_notef(d, "%s: %s: %s", buf,
		              lint.severity[i] == SC_LINT_ERROR ? "error" : "warning", lint.e[i].code);
	}
	if (!p)
		sc_diag_fatalf(d, "%s: the rule pack has %d error%s (see sc-risk check)", path,
		               lint.errors, plural(lint.errors));
	sc_lint_free(&lint);
	return p;
}

/* The packs a command named, or the default one. */
static char **packs_or_default(const struct sc_ci_packs *c, int *n, char **packs, char **dflt)
{
	*dflt = (char *)c->default_pack;
	if (*n > 0)
		return packs;
	*n = 1;
	return dflt;
}

int sc_ci_check_run(FILE *out, const struct sc_ci_packs *c, enum sc_ci_format fmt, int strict,
                    int n, char **packs, struct sc_diag *d)
{
	int errors = 0, warnings = 0;
	char *dflt;

	packs = packs_or_default(c, &n, packs, &dflt);
	if (fmt == SC_CI_JUNIT)
		sc_ci_junit_open(out, d->prog);
	for (int k = 0; k < n; k++) {
		struct sc_lint lint;
		struct sc_pack *p;
		sc_lint_init(&lint);
		p = sc_pack_load(packs[k], &c->opts, &lint);
		sc_ci_lint(out, fmt, packs[k], &lint, strict);
		sc_diag_notef(d, "%s: %s%s%d error%s, %d warning%s", packs[k], p ? sc_pack_label(p) : "",
		              p ? ": " : "", lint.errors, plural(lint.errors), lint.warnings,
		              plural(lint.warnings));
		if (p)
			sc_diag_notef(d, "%s: %zu rule%s", sc_pack_label(p), sc_pack_rules(p),
			              plural((long)sc_pack_rules(p)));
		errors += lint.errors;
		warnings += lint.warnings;
		sc_pack_free(p);
		sc_lint_free(&lint);
	}
	if (fmt == SC_CI_JUNIT)
		sc_ci_junit_close(out);
	if (sc_diag_flush(d, out, "standard output") < 0)
		return 2;
	return errors || (strict && warnings) ? 1 : 0;
}

int sc_ci_test_run(FILE *out, const struct sc_ci_packs *c, enum sc_ci_format fmt,
                   double min_cov, int n, char **packs, struct sc_diag *d)
{
	struct sc_eval *ev = sc_eval_new();
	int status = 0;
	char *dflt;

	if (!ev) {
		sc_diag_fatalf(d, "out of memory");
		return 2;
	}
	packs = packs_or_default(c, &n, packs, &dflt);
	if (fmt == SC_CI_JUNIT)
		sc_ci_junit_open(out, d->prog);
	for (int k = 0; k < n; k++) {
		struct sc_pack *p = sc_ci_pack_load(c, packs[k], d);
		json_t *res;
		double cov;
		if (!p) {
			status = 2;
			continue;
		}
		res = sc_pack_test(p, ev);
		cov = json_number_value(json_object_get(res, "coverage"));
		sc_ci_test(out, fmt, sc_pack_label(p), sc_pack_rules(p), res, min_cov);
		if (min_cov >= 0 && cov < min_cov) {
			sc_diag_notef(d, "%s: coverage %g%% is below %g%%", sc_pack_label(p), cov, min_cov);
			status = status ? status : 1;
		}
		if (json_integer_value(json_object_get(res, "failed")) && status == 0)
			status = 1;
		json_decref(res);
		sc_pack_free(p);
	}
	if (fmt == SC_CI_JUNIT)
		sc_ci_junit_close(out);
	sc_eval_free(ev);
	if (sc_diag_flush(d, out, "standard output") < 0)
		return 2;
	return status;
}

static const char *decl_id(const json_t *rec, const json_t *decl)
{
	const char *id = json_string_value(json_object_get(decl, "id"));
	return id ? id : json_string_value(json_object_get(rec, "id"));
}

int sc_ci_explain_run(FILE *out, const struct sc_pack *p, int n, char **files, struct sc_diag *d)
{
	struct sc_eval *ev = sc_eval_new();
	struct sc_input *in = ev ? sc_input_new(n, files, d, NULL) : NULL;
	json_t *rec;
	int st;

	while (in && (st = sc_input_next(in, &rec)) != 0) {
		json_t *decl = json_object_get(rec, "decl"), *risk = NULL, *problems = NULL, *ex;
		if (st < 0)
			continue;
		ex = json_array();
		if (!json_is_object(decl)) {
			fprintf(out, "%s:%lu: no decl object: nothing to score\n", sc_input_name(in),
			        sc_input_lineno(in));
		} else {
			sc_pack_score(p, ev, rec, decl, decl_id(rec, decl), &risk, &problems, ex);
			sc_ci_explain(out, decl_id(rec, decl), ex, risk);
		}
		json_decref(risk);
		json_decref(problems);
		json_decref(ex);
		json_decref(rec);
	}
	if (!in)
		sc_diag_fatalf(d, "out of memory");
	sc_input_free(in);
	sc_eval_free(ev);
	return sc_diag_flush(d, out, "standard output");
}
