/*
 * fuzz_doc.c - page decoding of any bytes: format detection, header caps,
 * PNG chunk check, TIFF page counts, PDF opening and the first page.
 */
#include "ocr_doc.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct sc_error err;
	struct sc_ocr_doc *d = sc_ocr_doc_open(data, size, "fuzz", &err);
	struct sc_page page;

	if (!d)
		return 0;
	/* a low resolution keeps rendering cheap */
	if (sc_ocr_doc_page(d, 0, 50, 1, &page, &err) == 0)
		sc_page_clear(&page);
	sc_ocr_doc_free(d);
	return 0;
}
