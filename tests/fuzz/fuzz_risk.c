/*
 * fuzz_risk.c - libFuzzer target for the rule pack loader: the input is one
 * pack file (YAML); whatever loads is run over its own test cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif
#include "risk.h"
#ifdef __cplusplus
}
extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
#endif

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char path[64];
	struct sc_pack_opts opts;
	struct sc_lint lint;
	struct sc_pack *p;
	FILE *f;

	if (size > 200000)
		return 0;
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/fuzz_risk_%d.yaml", (int)getpid());
	if (!(f = fopen(path, "wb")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	memset(&opts, 0, sizeof opts);
	sc_lint_init(&lint);
	p = sc_pack_load(path, &opts, &lint);
	if (p) {
		struct sc_eval *ev = sc_eval_new();
		json_t *res = sc_pack_test(p, ev);
		json_decref(res);
		sc_eval_free(ev);
		sc_pack_free(p);
	}
	sc_lint_free(&lint);
	unlink(path);
	return 0;
}
