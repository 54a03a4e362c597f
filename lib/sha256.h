/*
 * sha256.h - SHA-256 (FIPS 180-4), for src.sha256 and stable record ids.
 */
#ifndef SC_SHA256_H
#define SC_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sc_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char block[64];
	size_t fill;
};

void sc_sha256_init(struct sc_sha256 *s);
void sc_sha256_update(struct sc_sha256 *s, const void *data, size_t len);
void sc_sha256_final(struct sc_sha256 *s, unsigned char out[32]);
/* Hash a buffer into 64 lowercase hex digits and a terminating NUL. */
void sc_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
