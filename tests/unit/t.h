/*
 * t.h - the smallest unit-test helper that reads well: CHECK(cond) records a
 * pass or a failure with file:line; T_DONE() prints the closing line
 * "unit: NAME: N passed, N failed" that tests/run.sh reads, and sets the exit status.
 */
#ifndef T_H
#define T_H
#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond) do { \
	if (cond) t_pass++; \
	else { t_fail++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)
#define CHECK_STR(a, b) do { \
	const char *t_a = (a), *t_b = (b); \
	if (t_a && t_b && strcmp(t_a, t_b) == 0) t_pass++; \
	else { t_fail++; fprintf(stderr, "FAIL %s:%d: %s == \"%s\", expected \"%s\"\n", \
	       __FILE__, __LINE__, #a, t_a ? t_a : "(null)", t_b ? t_b : "(null)"); } \
} while (0)
#define T_DONE(name) (printf("unit: %s: %d passed, %d failed\n", name, t_pass, t_fail), t_fail ? 1 : 0)
#endif
