/*
 * learn_read.c - the input side of sc-risk learn and eval: labelled records
 * read through the shared input loop (lib/input.c), the unusable ones
 * reported with their place, and the summary of what was learned.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "input.h"
#include "learn.h"
#include "learn_model.h"

void sc_learn_kept_clear(struct sc_learn_kept *k)
{
	free(k->raw);
	free(k->y);
	k->raw = NULL;
	k->y = NULL;
	k->n = k->cap = 0;
}

static int kept_add(struct sc_learn_kept *k, const struct sc_learn_raw *raw, int y)
{
	if (k->n == k->cap) {
		size_t c = k->cap ? k->cap * 2 : 256;
		if (sc_resize(&k->raw, c, sizeof *k->raw) < 0 || sc_resize(&k->y, c, 1) < 0)
			return -1;
		k->cap = c;
	}
	k->raw[k->n] = *raw;
	k->y[k->n++] = (unsigned char)y;
	return 0;
}

/* The fields of decl; 0 when it has no date, so no place in time. */
static int dated(const json_t *decl, struct sc_learn_raw *raw)
{
	sc_learn_extract(decl, raw);
	return raw->date != LONG_MIN;
}

int sc_learn_read(struct sc_diag *d, int nfiles, char **files, const char *label,
                  struct sc_learnset *set, struct sc_learn_kept *keep, const char *what)
{
	const struct sc_input_opts io = { .progress = "records" };
	struct sc_input *in = sc_input_new(nfiles, files, d, &io);
	struct sc_learn_raw raw;
	struct sc_error err;
	json_t *rec;
	int rc, st = 0;

	if (!in)
		return -1;
	while (st == 0 && (rc = sc_input_next(in, &rec)) != 0) {
		const json_t *decl = json_object_get(rec, "decl");
		int y = sc_learn_label_value(sc_learn_label_at(rec, label));

		if (rc < 0)
			continue;
		if (!json_is_object(decl)) {
			sc_input_reject(in, "no-decl", "%s record has no decl: skipped", what);
		} else if (y < 0) {
			sc_input_reject(in, "no-label", "no 0/1 label at %s: skipped", label);
		} else if (!dated(decl, &raw)) {
			sc_input_reject(in, "no-date",
			                "no ISO date at decl.date, so no place in time: skipped");
		} else if (set && sc_learnset_add(set, &raw, y, &err) < 0) {
			sc_diag_fatalf(d, "%s", err.msg);
			st = -1;
		} else if (keep && kept_add(keep, &raw, y) < 0) {
			sc_diag_fatalf(d, "out of memory");
			st = -1;
		}
		json_decref(rec);
	}
	sc_input_free(in);
	return st;
}

/* The record's score: by the model, or read at score_path; NaN when none. */
static double score_of(const struct sc_learn_eval_src *src, const json_t *rec)
{
	double score = NAN;

	if (src->model) {
		if (sc_learn_model_score_value(src->model, json_object_get(rec, "decl"), &score) < 0)
			score = NAN;
	} else {
		const json_t *sv = sc_json_path(rec, src->score_path);
		if (json_is_number(sv))
			score = json_number_value(sv);
	}
	return score;
}

int sc_learn_eval_read(struct sc_diag *d, int nfiles, char **files,
                       const struct sc_learn_eval_src *src, struct sc_learn_eval *ev)
{
	struct sc_input *in = sc_input_new(nfiles, files, d, NULL);
	json_t *rec;
	int rc, st = 0;

	if (!in)
		return -1;
	while (st == 0 && (rc = sc_input_next(in, &rec)) != 0) {
		int y;
		double score, value = 0;
		if (rc < 0)
			continue;
		y = sc_learn_label_value(sc_learn_label_at(rec, src->label));
		score = score_of(src, rec);
		if (src->value_path) {
			const json_t *vv = sc_learn_label_at(rec, src->value_path);
			value = json_is_number(vv) ? json_number_value(vv) : NAN;
		}
		json_decref(rec);
		if (y < 0)
			sc_input_reject(in, "no-label", "no 0/1 label at %s: skipped", src->label);
		else if (!isfinite(score))
			sc_input_reject(in, "no-score", src->model ? "no decl to score: skipped" :
			                "no score at %s: skipped", src->score_path);
		else if (!isfinite(value))
			sc_input_reject(in, "no-value", "no number at %s: skipped", src->value_path);
		else if (sc_learn_eval_add(ev, score, value, y) < 0) {
			sc_diag_fatalf(d, "out of memory");
			st = -1;
		}
	}
	sc_input_free(in);
	return st;
}

void sc_learn_summary(struct sc_diag *d, const struct sc_learn_model *m, double t0)
{
	const json_t *info = sc_learn_model_info(m);
	const json_t *trees = json_object_get(info, "trees");
	char ntrees[48] = "";
	struct rusage ru;

	if (trees)
		snprintf(ntrees, sizeof ntrees, ", %lld trees", (long long)json_integer_value(trees));
	getrusage(RUSAGE_SELF, &ru);
	sc_diag_notef(d, "%lld records (%lld positive), %lld distinct keys in %d groups, "
	              "learning memory %.1f MiB; %s%s; %.1f s, peak RSS %.1f MiB",
	              (long long)json_integer_value(json_object_get(info, "records")),
	              (long long)json_integer_value(json_object_get(info, "positives")),
	              (long long)json_integer_value(json_object_get(info, "keys")), sc_learn_ngroups(),
	              (double)json_integer_value(json_object_get(info, "learning_bytes")) / 1048576.0,
	              sc_learn_model_name(m), ntrees, sc_now() - t0, (double)ru.ru_maxrss / 1024.0);
}
