/*
 * fuzz_wood_answer.c - libFuzzer target for the expert's answer file: YAML in,
 * wood.expert or an error with its place out.
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
	static const char taxa[] = "Dalbergia nigra\nSwietenia macrophylla\n";
	struct sc_error e;
	struct sc_yaml *y = sc_yaml_load_buffer("answer.yaml", (const char *)data, size, &e);
	if (!y)
		return 0;
	json_t *expert = json_object();
	sc_wood_answer_parse(y, "b-1a2b3c4d", "ab12", taxa, sizeof taxa - 1, expert, &e);
	json_decref(expert);
	sc_yaml_free(y);
	return 0;
}
