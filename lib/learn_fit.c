/*
 * learn_fit.c - from a learning set to a model: time-ordered encoding, the
 * validation records encoded as scoring will see them, training, and the
 * score quantiles that let a pack pick "the riskiest n%".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "learn.h"

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x > y ? -1 : x < y;
}

/* q[k]: the score at or above which the riskiest k/NQ of `s` lie */
static void quantiles(double *s, size_t n, double *q)
{
	qsort(s, n, sizeof *s, cmp_desc);
	q[0] = 1.0;
	for (int k = 1; k <= SC_MODEL_NQ; k++) {
		size_t at = (size_t)ceil((double)k * (double)n / SC_MODEL_NQ);
		q[k] = n ? s[at ? at - 1 : 0] : 0.5;
	}
}

void sc_learn_opts_defaults(struct sc_learn_opts *o)
{
	memset(o, 0, sizeof *o);
	sc_learn_gbt_defaults(&o->gbt);
	o->gbt.trees = 0;   /* SC_LEARN_TREES_VALID or _NO_VALID, by the validation set */
	o->smooth = 5;      /* tuned on the valid split: 2-10 did best, 50+ worse */
	o->l2 = 1.0;
	o->label = "outcome";
}

struct sc_learn_model *sc_learn_fit(struct sc_learnset *set, const struct sc_learn_raw *vraw,
                              const unsigned char *vy, size_t nv, const struct sc_learn_opts *o,
                              struct sc_error *err)
{
	struct sc_learn_gbt *g = NULL;
	struct sc_logreg *lr = NULL;
	struct sc_learn_model *model = NULL;
	size_t nf = (size_t)set->nf, npos = 0;
	float *Xv = NULL;
	double *scores = NULL, q[SC_MODEL_NQ + 1];

	if (set->n == 0) {
		sc_error_set(err, NULL, 0, 0, "empty", "no labelled records with a date to learn from");
		return NULL;
	}
	if (sc_learnset_encode(set, err) < 0)
		return NULL;
	Xv = malloc((nv + 1) * nf * sizeof *Xv);
	scores = malloc((set->n + nv + 1) * sizeof *scores);
	if (!Xv || !scores) {
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		goto done;
	}
	/* validation records see the whole history and none of their own labels */
	for (size_t i = 0; i < nv; i++)
		sc_learn_encode_with(set->tabs, set->prior, set->smooth, &vraw[i], Xv + i * nf);
	for (size_t i = 0; i < set->n; i++)
		npos += set->label[i];
	if (o->algo == SC_LEARN_GBT) {
		struct sc_learn_gbt_params gp = o->gbt;
		/* without a validation set nothing stops the rounds early: fewer */
		if (gp.trees <= 0)
			gp.trees = nv ? SC_LEARN_TREES_VALID : SC_LEARN_TREES_NO_VALID;
		g = sc_learn_gbt_train(set->X, set->label, set->n, set->nf, nv ? Xv : NULL, vy, nv, &gp,
		                 o->log, err);
	}
	else
		lr = sc_logreg_train(set->X, set->label, set->n, set->nf, o->l2, 30, err);
	if (!g && !lr)
		goto done;

	json_t *info = json_pack("{s:I,s:I,s:I,s:I,s:s,s:I,s:I,s:f}",
	                         "records", (json_int_t)set->n, "positives", (json_int_t)npos,
	                         "keys", (json_int_t)sc_learnset_keys(set),
	                         "learning_bytes", (json_int_t)sc_learnset_bytes(set),
	                         "label", o->label ? o->label : "", "seed", (json_int_t)o->gbt.seed,
	                         "validation_records", (json_int_t)nv, "smooth", set->smooth);
	if (g)
		json_object_set_new(info, "trees", json_integer(g->ntrees));
	json_object_set_new(info, "calibrated_on", json_string(nv ? "validation" : "history"));
	for (int k = 0; k <= SC_MODEL_NQ; k++)
		q[k] = 0.5;
	model = sc_learn_model_new(set->tabs, set->prior, set->smooth, g, lr, q, info);
	if (!model) {
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory");
		sc_learn_gbt_free(g);
		sc_logreg_free(lr);
		json_decref(info);
		goto done;
	}
	set->tabs = NULL;   /* the model owns the tables now */
	/* quantiles on the validation set when there is one, else on the history's
	 * own time-ordered encodings (optimistic for trees that fitted them) */
	size_t ns = 0;
	const float *X = nv ? Xv : set->X;
	size_t n = nv ? nv : set->n;
	for (size_t i = 0; i < n; i++)
		scores[ns++] = 1 / (1 + exp(-sc_learn_model_margin_x(model, X + i * nf, NULL)));
	quantiles(scores, ns, q);
	sc_learn_model_set_quantiles(model, q);
done:
	free(Xv);
	free(scores);
	return model;
}
