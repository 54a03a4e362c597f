/*
 * parse_loop.c - the floor for any jansson-based filter: read JSON lines and
 * parse each one, nothing else (built and run by tests/bench/risk.sh).
 * With -a, jansson allocates from a bump arena set back after each line, as
 * the filter loop of sc-risk does while it parses (lib/filter.c): the floor
 * for a filter that takes that step.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ARENA (8u << 20)
static char *base;
static size_t used;
static long live;

static void *arena_malloc(size_t n)
{
	n = n ? (n + 15) & ~(size_t)15 : 16;
	if (live == 0)
		used = 0;
	if (n > ARENA - used)
		return malloc(n);
	live++;
	used += n;
	return base + used - n;
}

static void arena_free(void *p)
{
	if ((char *)p >= base && (char *)p < base + ARENA)
		live--;
	else
		free(p);
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long ok = 0, bad = 0;

	if (argc > 1 && strcmp(argv[1], "-a") == 0) {
		base = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (base == MAP_FAILED)
			return 1;
		json_set_alloc_funcs(arena_malloc, arena_free);
	}

	while ((n = getline(&line, &cap, stdin)) > 0) {
		json_error_t e;
		json_t *v = json_loadb(line, (size_t)n, 0, &e);
		if (v)
			ok++;
		else
			bad++;
		json_decref(v);
	}
	free(line);
	fprintf(stderr, "parse_loop: %lu parsed, %lu bad\n", ok, bad);
	return 0;
}
