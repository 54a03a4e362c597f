/*
 * fuzz_parse_model.c - libFuzzer target for sc-parse's model file reader
 * (lib/parse_model.c): any bytes must give a model or a clear error, never a
 * crash, leak or a tree walk that loops; a model that loads reads a small
 * document.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif
#include "parse_rank.h"
#ifdef __cplusplus
}
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_error e;
	struct sc_pmodel *m = sc_pmodel_read((const char *)data, size, "fuzz", &e);
	if (m) {
		static const char doc[] = "INVOICE No: INV-2026_0042\nDate: 12 Mar 2026\nSubtotal 40.00\nTax 5.00\nTotal USD 45.00\n";
		struct sc_pdoc *d = sc_pdoc_new();
		json_t *fields = json_object();
		const char *type = "other";
		double conf = 0;
		if (d && fields) {
			sc_pdoc_add_text(d, doc, sizeof doc - 1, NULL);
			sc_rank_doc(m, d, fields, &type, &conf, 0);
		}
		json_decref(fields);
		sc_pdoc_free(d);
		sc_pmodel_free(m);
	}
	return 0;
}
