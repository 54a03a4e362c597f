/*
 * fuzz_wood_model.c - libFuzzer target for the sc-wood model file loader: any
 * bytes must give a model or a clear error, never a crash, leak or huge allocation.
 */
#include <stdint.h>
#include <stdlib.h>

/* C linkage for libsc, should a C++ compiler ever build this target */
#ifdef __cplusplus
extern "C" {
#endif
#include "wood.h"
#ifdef __cplusplus
}
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_error e;
	struct sc_wood_model *m = sc_wood_model_load_buffer("fuzz", data, size, &e);
	if (m) {
		struct sc_wood_feat f = {0};
		struct sc_wood_refer_opts ro;
		float x[SC_CV_NFEAT * 2];
		for (int i = 0; i < SC_CV_NFEAT * 2; i++)
			x[i] = (float)(i % 7) - 3;
		f.npatches = 2;
		f.x = x;
		sc_wood_refer_defaults(&ro);
		json_decref(sc_wood_decide(m, NULL, &f, &ro, NULL, NULL, &e));
		sc_wood_model_free(m);
	}
	return 0;
}
