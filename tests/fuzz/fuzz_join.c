/*
 * fuzz_join.c - sc-join's library: any bytes, cut into lines, read as
 * records (through lib/jscan, as sc-join reads them) and joined; every
 * consignment built and written. Nothing may crash, leak or read out of
 * bounds, and every record must come out in some consignment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	FILE *sink = fopen("/dev/null", "w");
	struct sc_join *j = sc_join_new(NULL);
	size_t start = 0;
	unsigned long lineno = 0;
	struct sc_jscan js;
	sc_jscan_init(&js);

	while (start <= size) {
		const unsigned char *nl = memchr(data + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - (data + start)) : size - start;
		struct sc_error err;

		lineno++;
		/* as sc-join reads: jscan, and jansson's message for a bad line */
		if (sc_join_add_line(j, &js, (const char *)data + start, len, "fuzz", lineno, &err) == -2) {
			json_t *bad = sc_record_for_bad_line("sc-join", &err);
			sc_join_add_bad(j, bad, "fuzz", lineno);
			json_decref(bad);
		}
		if (!nl)
			break;
		start += len + 1;
	}
	size_t n = sc_join_link(j, NULL, NULL), sources = 0;
	for (size_t k = 0; k < n; k++) {
		int bad;
		json_t *c = sc_join_build(j, k, &bad);
		sources += json_array_size(json_object_get(json_object_get(c, "join"), "sources"));
		sc_write_record(sink, c);
		json_decref(c);
	}
	/* nothing lost: every record taken is a source of one consignment */
	if (sources != sc_join_records(j))
		abort();
	sc_join_free(j);
	sc_jscan_release(&js);
	fclose(sink);
	return 0;
}
