/*
 * learn_model.h - learned risk scoring: a model file made by `sc-risk learn` from
 * labelled inspection history, and its use on one declaration at a time.
 * (Implemented in lib/learn_model.c; used by sc-risk for --model and a pack's model.)
 */
#ifndef SC_LEARN_MODEL_H
#define SC_LEARN_MODEL_H

#include "sc.h"

struct sc_learn_model;

/* Load a model file; a file of another format version is a clear error. */
struct sc_learn_model *sc_learn_model_load(const char *path, struct sc_error *err);
void sc_learn_model_free(struct sc_learn_model *m);

/*
 * Score one `decl` object (borrowed). Returns a new object (the caller owns it):
 *   {"score": 0..1, "top": [{"feature": "importer_rate", "value": ..., "contrib": ...}, ...]}
 * with the features that contributed most. Thread-safe: the model is read-only.
 * NULL with err filled when the declaration cannot be scored.
 */
json_t *sc_learn_model_score(const struct sc_learn_model *m, const json_t *decl, struct sc_error *err);

/*
 * The score above which the riskiest `fraction` (0.05 for 5%) of the
 * declarations the model was fitted or calibrated on lies, so that a pack can
 * say "the riskiest 5% go yellow". Returns a value in 0..1.
 */
double sc_learn_model_threshold(const struct sc_learn_model *m, double fraction);

/* A short name for risk.model ("gbt-v1 model.json"); borrowed. */
const char *sc_learn_model_name(const struct sc_learn_model *m);

#endif
