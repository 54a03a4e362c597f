/*
 * fuzz_report_records.c - libFuzzer target for sc-report's record path: the
 * input is JSON lines read by the shared reader, summarized, rendered in
 * every format and as CSV rows; the same bytes are also tried as a baseline.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	char path[] = "/tmp/fuzz_report_XXXXXX";
	struct sc_report_opts o;
	struct sc_report *r;
	struct sc_report_csv *csv;
	struct sc_reader *rd;
	struct sc_error err;
	json_t *rec, *s, *base = NULL;
	FILE *null = fopen("/dev/null", "w");
	int fd = mkstemp(path), st;

	if (fd < 0 || !null) {
		if (fd >= 0)
			close(fd);
		if (null)
			fclose(null);
		return 0;
	}
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		fclose(null);
		return 0;
	}
	close(fd);
	memset(&o, 0, sizeof o);
	o.top = 3;
	o.ocr_min = 60;
	r = sc_report_new(&o);
	csv = sc_report_csv_new("id,risk.hits[].id,decl.items.0,errors[]", &err);
	rd = sc_reader_open(path, 1 << 20, &err);
	while (rd && (st = sc_reader_next(rd, &rec, &err)) != 0) {
		if (st == 1) {
			sc_report_add(r, rec);
			sc_report_csv_row(null, csv, rec);
			json_decref(rec);
		} else if (st == -1) {
			sc_report_add_bad(r, &err);
		} else {
			break;
		}
	}
	sc_reader_free(rd);
	if (sc_report_baseline_load(path, &base, &err) < 0)
		base = NULL;
	s = sc_report_summary(r, base);
	for (int f = SC_REPORT_TEXT; f <= SC_REPORT_JSON; f++)
		sc_report_render(null, (enum sc_report_format)f, s, base, &err);
	json_decref(s);
	json_decref(base);
	sc_report_csv_free(csv);
	sc_report_free(r);
	fclose(null);
	unlink(path);
	return 0;
}
