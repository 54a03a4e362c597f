/*
 * fuzz_risk.c - libFuzzer target for the rule pack loader: the input is one
 * pack file (YAML); whatever loads is run over its own test cases, and
 * scores a declaration whose names and descriptions are the input's bytes
 * both ways: the risk text (sc_pack_score_text) must be what jansson writes
 * of the risk object (sc_pack_score), byte for byte.
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
		json_t *s = json_stringn((const char *)data, size < 300 ? size : 300);
		json_t *rec = json_pack("{s:{s:s,s:{s:O?},s:[{s:s,s:O?,s:i,s:s,s:f}]}}", "decl", "id", "F-1",
		                        "importer", "name", s, "items", "hs", "440710", "description", s,
		                        "qty", 2, "unit", "m3", "value", 1e-3);
		json_t *decl = json_object_get(rec, "decl"), *risk = NULL, *pr1 = NULL, *pr2 = NULL;
		const char *text;
		size_t len;
		json_decref(res);
		if (ev && rec && sc_pack_score(p, ev, rec, decl, "F-1", &risk, &pr1, NULL) == 0) {
			char *want = json_dumps(risk, SC_JSON_FLAGS);
			if (sc_pack_score_text(p, ev, rec, decl, "F-1", &text, &len, &pr2) == 0 && want &&
			    (strlen(want) != len || memcmp(want, text, len) != 0))
				abort();   /* the two ways of writing the risk value disagree */
			free(want);
		}
		json_decref(risk);
		json_decref(pr1);
		json_decref(pr2);
		json_decref(rec);
		json_decref(s);
		sc_eval_free(ev);
		sc_pack_free(p);
	}
	sc_lint_free(&lint);
	unlink(path);
	return 0;
}
