/*
 * fuzz_jscan.c - lib/jscan against jansson: any bytes are one line; jscan
 * must take exactly the lines jansson takes (as sc_parse_line calls it, an
 * integer past 64 bits read as a real), its tree must equal jansson's, its
 * compact copy must parse to the same tree, and every lookup must stay in
 * bounds; the compact copy indexed again (sc_jscan_index) gives the same
 * tokens. A NUL byte outside a string, which jansson takes in some places,
 * jscan always refuses.
 */
#include <stdlib.h>
#include <string.h>

#include "jscan.h"

static json_t *jansson(const char *s, size_t n, int *retried)
{
	json_error_t e;
	const size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
	json_t *v = json_loadb(s, n, flags, &e);
	*retried = 0;
	if (!v && json_error_code(&e) == json_error_numeric_overflow) {
		*retried = 1;
		v = json_loadb(s, n, flags | JSON_DECODE_INT_AS_REAL, &e);
	}
	return v;
}

static void walk(const struct sc_jscan *js, int v, int depth)
{
	char buf[16];
	double x;
	long long i;
	size_t len;
	(void)sc_jscan_span(js, v, &len);
	(void)sc_jscan_str(js, v, buf, sizeof buf);
	(void)sc_jscan_num(js, v, &x);
	(void)sc_jscan_int(js, v, &i);
	(void)sc_jscan_get(js, v, "a");
	if (depth > 64)
		return;
	for (int m = sc_jscan_first(js, v); m >= 0; m = sc_jscan_next(js, v, m))
		walk(js, sc_jscan_type(js, v) == SC_JS_OBJ ? m + 1 : m, depth + 1);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct sc_jscan js;
	struct sc_error err;
	int retried;
	sc_jscan_init(&js);
	int ok = sc_jscan_parse(&js, (const char *)data, size, "fuzz", 1, &err) == 0;
	json_t *ref = jansson((const char *)data, size, &retried);
	/* a NUL byte outside a string ends jansson's input at some places and not
	 * at others ("[1\0]" is taken): jscan refuses every one (RFC 8259) */
	int nul = memchr(data, 0, size) != NULL;
	if (ok != (ref != NULL) && !(nul && !ok))
		abort();
	if (ok) {
		if (js.t[0].end != js.n)
			abort();
		walk(&js, 0, 0);
		json_t *mine = sc_jscan_json(&js, 0);
		/* past 64 bits sc_parse_line turns integral reals back into integers: not compared */
		if (!retried && !json_equal(mine, ref))
			abort();
		int r2;
		json_t *again = jansson(js.s, js.len, &r2);
		if (!again || (!retried && !json_equal(again, ref)))
			abort();
		json_decref(again);
		json_decref(mine);
		/* the compact text indexed again without validation: the same tokens */
		struct sc_jscan ix;
		sc_jscan_init(&ix);
		if (sc_jscan_index(&ix, js.s, js.len) < 0 || ix.n != js.n)
			abort();
		for (size_t k = 0; k < js.n; k++)
			if (ix.t[k].off != js.t[k].off || ix.t[k].len != js.t[k].len || ix.t[k].end != js.t[k].end ||
			    ix.t[k].type != js.t[k].type || ix.t[k].esc != js.t[k].esc)
				abort();
		sc_jscan_release(&ix);
	}
	json_decref(ref);
	sc_jscan_release(&js);
	return 0;
}
