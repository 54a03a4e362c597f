/*
 * fuzz_yaml.c - YAML with places: any bytes either load into a tree whose
 * every node can be located, or give an error with a place.
 */
#include "yamltree.h"

static void visit(const struct sc_yaml *y, json_t *v, int depth)
{
	int line, col;
	size_t i;
	const char *k;
	json_t *x;

	sc_yaml_where(y, v, &line, &col);
	if (depth > SC_YAML_MAX_DEPTH + 1)
		__builtin_trap();
	if (json_is_array(v))
		json_array_foreach(v, i, x) visit(y, x, depth + 1);
	else if (json_is_object(v))
		json_object_foreach(v, k, x) {
			sc_yaml_key_where(y, v, k, &line, &col);
			visit(y, x, depth + 1);
		}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct sc_error err;
	struct sc_yaml *y = sc_yaml_load_buffer("fuzz.yaml", (const char *)data, size, &err);

	if (y)
		visit(y, sc_yaml_root(y), 0);
	sc_yaml_free(y);
	return 0;
}
