/*
 * fuzz_parse.c - libFuzzer target for reading documents: the input as an
 * sc-ocr "ocr" object when it is JSON, else as plain text, parsed with the
 * shipped templates (rules/parse, or $SC_DATADIR/parse).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static struct sc_parse *P;

#ifdef __cplusplus
extern "C"
#endif
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_error err;
	if (!P) {
		const char *dd = getenv("SC_DATADIR");
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/parse", dd ? dd : "rules");
		P = sc_parse_load(dir, &err);
		if (!P)
			abort();  /* the fuzzer must run where the templates are */
	}
	struct sc_pdoc *d = sc_pdoc_new();
	json_error_t je;
	json_t *ocr = json_loadb((const char *)data, size, 0, &je);
	if (json_is_object(ocr))
		sc_pdoc_add_ocr(d, ocr, NULL, &err);
	else
		sc_pdoc_add_text(d, (const char *)data, size, NULL);
	json_decref(ocr);
	json_t *o = sc_parse_doc(P, d);
	json_t *docs = json_pack("[{s:o}]", "parse", o);
	json_t *decl = NULL;
	json_decref(sc_parse_consign(P, docs, &decl));
	json_decref(decl);
	json_decref(docs);
	sc_pdoc_free(d);
	return 0;
}
