/*
 * errcode.c - the vocabulary of error codes (errcode.h), looked up.
 */
#include <string.h>

#include "errcode.h"

static const struct { const char *code, *meaning; } codes[] = {
#define SC_ERRCODE_ROW(c, m) { c, m },
	SC_ERRCODES(SC_ERRCODE_ROW)
#undef SC_ERRCODE_ROW
};

const char *sc_errcode_meaning(const char *code)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (!strcmp(codes[i].code, code))
			return codes[i].meaning;
	return NULL;
}

const char *sc_errcode_canonical(const char *code)
{
	if (!code)
		return NULL;
	if (!strcmp(code, "oom") || !strcmp(code, "no-memory"))
		return SC_E_NOMEM;
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (!strcmp(codes[i].code, code))
			return codes[i].code;
	return NULL;
}
