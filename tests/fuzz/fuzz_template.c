/*
 * fuzz_template.c - libFuzzer target for the parse template loader: any bytes
 * as a template file must load or fail with a place, never crash; a template
 * that loads is compiled and run over a small document.
 */
#include <stdint.h>
#include <string.h>

#include "parse.h"

static const char DOC[] = "COMMERCIAL INVOICE\nInvoice No.: A-1\nDescription Qty Amount\nWidget 2 4.00\n"
                          "Total USD 4.00\n发票号：X-2\n";

#ifdef __cplusplus
extern "C"
#endif
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_error err;
	struct sc_parse *p = sc_parse_new();
	if (!p)
		return 0;
	if (sc_parse_add_buffer(p, "fuzz.yaml", (const char *)data, size, &err) == 0 &&
	    sc_parse_compile(p, &err) == 0) {
		struct sc_pdoc *d = sc_pdoc_new();
		sc_pdoc_add_text(d, DOC, sizeof DOC - 1, NULL);
		json_decref(sc_parse_doc(p, d));
		sc_pdoc_free(d);
	}
	sc_parse_free(p);
	return 0;
}
