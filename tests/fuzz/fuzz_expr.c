/*
 * fuzz_expr.c - libFuzzer target for the rule expression parser and
 * evaluator: the input is compiled as a condition and as a template, and
 * whatever compiles is evaluated against a small declaration.
 */
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif
#include "risk_expr.h"
#ifdef __cplusplus
}
extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
#endif

static const char *DECL =
	"{\"id\":\"D-1\",\"date\":\"2026-03-02\",\"origin\":\"CN\",\"net_kg\":120,\"gross_kg\":100,"
	"\"importer\":{\"name\":\"Harbour Tools Ltd\"},\"containers\":[\"CSQU3054383\"],"
	"\"items\":[{\"hs\":\"851712\",\"description\":\"phones\",\"qty\":10,\"unit\":\"pcs\",\"value\":1000}]}";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static json_t *decl;
	static struct sc_eval *ev;
	static struct sc_rtable *tab;
	struct sc_risk_expr_scope scope;
	struct sc_error err;
	char *src;

	if (!decl) {
		decl = json_loads(DECL, 0, NULL);
		ev = sc_eval_new();
		tab = (struct sc_rtable *)calloc(1, sizeof *tab);
		tab->name = strdup("t");
		tab->rows = json_pack("{s:{s:i},s:b}", "851712", "median", 180, "XA", 1);
		tab->columns = json_pack("[s]", "median");
		sc_rtable_index(tab);
	}
	if (size > 100000)
		return 0;
	src = (char *)malloc(size + 1);
	memcpy(src, data, size);
	src[size] = '\0';
	memset(&scope, 0, sizeof scope);
	scope.tables = &tab;
	scope.ntables = 1;
	scope.file = "fuzz";
	scope.line = 1;
	scope.col = 1;

	struct sc_risk_expr *e = sc_risk_expr_compile(src, &scope, SC_T_ANY, &err);
	if (e) {
		json_t *v;
		sc_eval_begin(ev, decl);
		v = sc_risk_expr_value(e, ev, &err);
		json_decref(v);
		sc_risk_expr_free(e);
	}
	struct sc_template *t = sc_template_compile(src, &scope, &err);
	if (t) {
		json_t *v;
		sc_eval_begin(ev, decl);
		v = sc_template_render(t, ev, &err);
		json_decref(v);
		sc_template_free(t);
	}
	free(src);
	return 0;
}
