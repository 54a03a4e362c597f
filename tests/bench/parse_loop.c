/*
 * parse_loop.c - the floor for any jansson-based filter: read JSON lines and
 * parse each one, nothing else (built and run by tests/bench/risk.sh).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long ok = 0, bad = 0;

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
