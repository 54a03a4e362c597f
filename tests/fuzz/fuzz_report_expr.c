/*
 * fuzz_report_expr.c - libFuzzer target for the --fail-if parser: any bytes
 * compile or fail with a message and a column inside the input, and a
 * compiled expression evaluates without trouble.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* make fuzz compiles targets as C++: the library's C names stay unmangled */
#ifdef __cplusplus
extern "C" {
#endif
#include "report.h"
#ifdef __cplusplus
}
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *figs, *base;
	struct sc_error err;
	struct sc_failif *x;
	char *src;

	if (!figs) {
		figs = json_pack("{s:f,s:i,s:i,s:f}", "red_rate", 0.1, "errors", 2, "records", 0, "score_max", 1e300);
		base = json_pack("{s:f}", "red_rate", 0.05);
	}
	src = (char *)malloc(size + 1);
	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';
	x = sc_failif_compile(src, &err);
	if (x) {
		(void)sc_failif_eval(x, figs, base);
		(void)sc_failif_eval(x, figs, NULL);
		sc_failif_free(x);
	} else if (err.col < 1 || (size_t)err.col > strlen(src) + 1 || !err.msg[0]) {
		abort();
	}
	free(src);
	return 0;
}
