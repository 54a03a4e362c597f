/*
 * fuzz_scan.c - libFuzzer target for sc-scan's image entry point: the header
 * check, decoding and the whole reading, on bytes as they come (capped small,
 * so each input runs fast).
 */
#include <stdint.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif
#include "scan.h"
#ifdef __cplusplus
}
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sc_scan_cfg c;
	static int ready;
	struct sc_scan_reading r;
	struct sc_error e;
	if (!ready) {
		sc_cv_init();
		sc_scan_cfg_defaults(&c);
		c.max_pixels = 600 * 400;
		ready = 1;
	}
	if (sc_scan_read(&c, "fuzz", data, size, &r, &e) == 0) {
		json_t *s = sc_scan_judge(&c, &r, NULL, r.nwarn > 0);
		json_decref(s);
		sc_scan_reading_clear(&r);
	}
	return 0;
}
