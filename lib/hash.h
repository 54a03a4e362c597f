/*
 * hash.h - FNV-1a, the one non-cryptographic hash of the toolchain (the
 * constants are Fowler, Noll and Vo's published offset bases and primes).
 * Ids, shards, random selection, memo slots and hashed features all go
 * through these, so a value hashed in one module hashes alike in another.
 * Inline: the callers are hot loops.
 */
#ifndef SC_HASH_H
#define SC_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SC_FNV64_OFFSET 1469598103934665603ULL
#define SC_FNV64_PRIME  1099511628211ULL
#define SC_FNV32_OFFSET 2166136261u
#define SC_FNV32_PRIME  16777619u

/* Continue hash h over n bytes (start with SC_FNV64_OFFSET). */
static inline uint64_t sc_fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * SC_FNV64_PRIME;
	return h;
}

/* The same over a NUL-terminated string (NULL hashes as ""). */
static inline uint64_t sc_fnv64_str(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * SC_FNV64_PRIME;
	return h;
}

static inline uint32_t sc_fnv32(uint32_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * SC_FNV32_PRIME;
	return h;
}

static inline uint32_t sc_fnv32_str(uint32_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * SC_FNV32_PRIME;
	return h;
}

#endif
