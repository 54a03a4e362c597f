/*
 * fuzz_wood_model.c - libFuzzer target for the sc-wood model file loader: any
 * bytes must give a model or a clear error, never a crash, leak or huge
 * allocation; a model that loads decides on a photo and on samples of photos.
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
		/* and as samples of one to five photos: every pooling the header may name */
		const struct sc_wood_feat *fs[SC_WOOD_POOL_MAX + 1];
		for (int k = 0; k <= SC_WOOD_POOL_MAX; k++)
			fs[k] = &f;
		for (int k = 1; k <= SC_WOOD_POOL_MAX + 1; k++)
			json_decref(sc_wood_decide_sample(m, NULL, "s", fs, k, &ro, &e));
		sc_wood_model_free(m);
	}
	return 0;
}
