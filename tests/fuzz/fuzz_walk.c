/*
 * fuzz_walk.c - the archive walker on any bytes, with small caps so that
 * bombs are cut short quickly: every member or error is delivered, nothing
 * crashes, nothing leaks.
 */
#include <stdlib.h>
#include <string.h>

#include "walk.h"

static int count(void *ctx, struct sc_blob *b)
{
	(*(size_t *)ctx) += b->len;
	free(b->data);
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct sc_walk w;
	size_t total = 0;
	unsigned char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	sc_walk_init(&w, count, &total);
	w.limits.max_member = 1 << 20;
	w.limits.max_total = 4 << 20;
	w.limits.max_members = 1000;
	sc_walk_buffer(&w, "fuzz", copy, size);   /* takes ownership of copy */
	return 0;
}
