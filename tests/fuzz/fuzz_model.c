/*
 * fuzz_model.c - libFuzzer target for model files: any bytes that parse as
 * JSON go through the model loader; a model that loads must score a fixed
 * declaration (walking its trees) without a crash, a hang or a leak.
 */
#include <stdint.h>
#include <stdlib.h>

/* the fuzz build compiles this file as C++: keep the C names */
#ifdef __cplusplus
extern "C" {
#endif
#include "learn.h"
#include "learn_model.h"
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#ifdef __cplusplus
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	struct sc_error err;
	json_t *root = json_loadb((const char *)data, size, 0, &je);

	if (!root)
		return 0;
	struct sc_learn_model *m = sc_learn_model_from_json(root, "fuzz.json", &err);
	json_decref(root);
	if (!m)
		return 0;
	json_t *decl = json_pack("{s:s,s:s,s:{s:s},s:[{s:s,s:s,s:f,s:f}]}", "date", "2021-01-05",
	                         "office", "30", "importer", "id", "IMP1", "items", "hs", "610910",
	                         "origin", "XA", "net_kg", 12.0, "value", 300.0);
	json_t *r = sc_learn_model_score(m, decl, &err);
	double s;
	sc_learn_model_score_value(m, decl, &s);
	sc_learn_model_threshold(m, 0.05);
	sc_learn_model_name(m);
	json_decref(r);
	json_decref(decl);
	sc_learn_model_free(m);
	return 0;
}
