/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Soaking bursts of events: each event moves the work @quiet_ms later, so a
 * burst is handled once, after it; but never more than @max_ms after the
 * burst's first event, so a steady stream (a flapping target, or anyone on
 * the bus sending look-alike signals) delays the work and never stops it.
 */
#ifndef STAS_DAEMON_SOAK_H
#define STAS_DAEMON_SOAK_H

#include <stdint.h>

#include <event2/event.h>

/**
 * soak_arm() - (re)arm the timer @ev for an event now.
 * @first_us: the caller's memory of the burst's first event (µs); it starts a
 *	      new burst whenever @ev is not pending
 */
void soak_arm(struct event *ev, uint64_t *first_us, unsigned quiet_ms, unsigned max_ms);

#endif
