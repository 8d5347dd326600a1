/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), for stasadm's host NQN:
 * nvme-stas derives it as HMAC-SHA256 keyed with an application ID over the
 * machine ID, and a host must get the same NQN from either tool. One small
 * hash does not justify a crypto library dependency.
 */
#ifndef STAS_DAEMON_SHA256_H
#define STAS_DAEMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_BLOCK_LEN  64

struct sha256 {
	uint32_t h[8];
	uint64_t bytes; /* hashed so far */
	uint8_t block[SHA256_BLOCK_LEN];
	size_t fill; /* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_LEN]);

void hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
		 uint8_t out[SHA256_DIGEST_LEN]);

#endif
