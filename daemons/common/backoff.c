// SPDX-License-Identifier: Apache-2.0
/*
 * Jittered exponential backoff (see backoff.h).
 */
#include <sys/random.h>

#include "common/backoff.h"
#include "stas/ntcp-conn.h"

uint32_t backoff_jitter_ms(uint32_t ms)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)stas_now_us();
	return ms / 4 * 3 + (ms ? r % (ms / 2 + 1) : 0);
}

uint32_t backoff_ms(uint32_t base_s, uint32_t max_s, uint32_t attempts)
{
	uint64_t ms = (uint64_t)base_s * 1000;
	uint64_t max = (uint64_t)max_s * 1000;

	/* 2^31 ms (24.8 days) keeps ms / 4 * 3 + ms / 2 within 32 bits */
	if (max > BACKOFF_MAX_MS)
		max = BACKOFF_MAX_MS;

	for (uint32_t i = 1; i < attempts && ms < max; i++)
		ms *= 2;
	return backoff_jitter_ms((uint32_t)(ms > max ? max : ms));
}
