/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CRC32C (Castagnoli), as NVMe/TCP header and data digests use it: seed
 * 0xffffffff, reflected, final XOR 0xffffffff. Uses the SSE4.2 instruction
 * when the CPU has it, a slicing-by-8 table otherwise.
 */
#ifndef STAS_CRC32C_H
#define STAS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/**
 * crc32c() - digest of one contiguous buffer.
 */
uint32_t crc32c(const void *buf, size_t len);

/**
 * crc32c_update() - continue a running CRC over another piece.
 * @crc: the raw register: start with CRC32C_INIT, finish with crc32c_final()
 */
uint32_t crc32c_update(uint32_t crc, const void *buf, size_t len);

#define CRC32C_INIT 0xffffffffu

static inline uint32_t crc32c_final(uint32_t crc)
{
	return crc ^ 0xffffffffu;
}

/* For tests: force the portable path even on CPUs with SSE4.2. */
void crc32c_force_portable(int on);

#endif
