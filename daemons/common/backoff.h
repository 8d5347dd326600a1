/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Retry delays of both daemons: exponential from a base to a cap, each
 * drawn from 75..125% of its length so that controllers that failed
 * together do not retry together.
 */
#ifndef STAS_DAEMON_BACKOFF_H
#define STAS_DAEMON_BACKOFF_H

#include <stdint.h>

/* The longest wait before jitter, whatever the configuration asks: 24.8 days. */
#define BACKOFF_MAX_MS 0x80000000u

/** backoff_jitter_ms() - a delay drawn from 75..125% of @ms (at most BACKOFF_MAX_MS). */
uint32_t backoff_jitter_ms(uint32_t ms);

/**
 * backoff_ms() - the wait before the next attempt after @attempts failed
 * ones (1 for the first): @base_s, doubled per further attempt, never
 * more than @max_s nor BACKOFF_MAX_MS, jittered.
 */
uint32_t backoff_ms(uint32_t base_s, uint32_t max_s, uint32_t attempts);

#endif
