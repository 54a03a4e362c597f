/*
 * fuzz_jsonl.c - the record reader: any bytes, cut into lines, parsed as
 * records; good ones written back with a key appended, bad ones turned into
 * stand-in error records. Nothing may crash, leak or read out of bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	FILE *sink = fopen("/dev/null", "w");
	json_t *value = json_pack("{s:i}", "v", 1);
	size_t start = 0;
	unsigned long lineno = 0;

	while (start <= size) {
		const unsigned char *nl = memchr(data + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - (data + start)) : size - start;
		struct sc_error err;
		json_t *rec;

		lineno++;
		if (sc_parse_line("fuzz", lineno, (const char *)data + start, len, &rec, &err) == 0) {
			sc_write_appended(sink, (const char *)data + start, len, "risk", value);
			sc_write_record(sink, rec);
			sc_json_path(rec, "decl.items.0.hs");
			json_decref(rec);
		} else {
			json_t *stand_in = sc_record_for_bad_line("sc-fuzz", &err);
			sc_write_record(sink, stand_in);
			json_decref(stand_in);
		}
		if (!nl)
			break;
		start += len + 1;
	}
	json_decref(value);
	fclose(sink);
	return 0;
}
