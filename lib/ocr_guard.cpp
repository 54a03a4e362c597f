/*
 * ocr_guard.cpp - tesseract is C++ and throws: out of memory it throws
 * std::bad_alloc through its C API, which would end the whole batch with
 * "terminate called". Here every way into the engines is wrapped, so a page
 * that cannot be recognized becomes an error on its record. The unwinding
 * passes through ocr.c's C frames (x86-64 and aarch64 C code carries unwind
 * tables); what those frames held is lost, which is the price of going on
 * out of memory. The engines are dropped after an exception (their state is
 * not to be trusted) and made again for the next page.
 */
#include <exception>
#include <new>

extern "C" {
#include "errcode.h"
#include "ocr.h"
json_t *sc_ocr_page_unguarded(struct sc_ocr *o, const struct sc_page *page, struct sc_error *err);
int sc_ocr_start_unguarded(struct sc_ocr *o, struct sc_error *err);
void sc_ocr_drop_engines(struct sc_ocr *o);
}

namespace {

void drop(struct sc_ocr *o)
{
	try {
		sc_ocr_drop_engines(o);
	} catch (...) {
		/* an engine that cannot even be deleted is left behind: a leak, not a crash */
	}
}

}  // namespace

extern "C" json_t *sc_ocr_page(struct sc_ocr *o, const struct sc_page *page, struct sc_error *err)
{
	try {
		return sc_ocr_page_unguarded(o, page, err);
	} catch (const std::bad_alloc &) {
		drop(o);
		sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory while recognizing the page");
	} catch (const std::exception &e) {
		drop(o);
		sc_error_set(err, NULL, 0, 0, "ocr-failed", "tesseract failed: %s", e.what());
	} catch (...) {
		drop(o);
		sc_error_set(err, NULL, 0, 0, "ocr-failed", "tesseract failed");
	}
	return NULL;
}

extern "C" int sc_ocr_start(struct sc_ocr *o, struct sc_error *err)
{
	try {
		return sc_ocr_start_unguarded(o, err);
	} catch (const std::bad_alloc &) {
		drop(o);
		return sc_error_set(err, NULL, 0, 0, SC_E_NOMEM, "out of memory while starting tesseract");
	} catch (...) {
		drop(o);
		return sc_error_set(err, NULL, 0, 0, "ocr-failed", "tesseract could not start");
	}
}
