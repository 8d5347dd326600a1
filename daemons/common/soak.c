// SPDX-License-Identifier: Apache-2.0
#include "common/soak.h"

#include "stas/ntcp-conn.h"

void soak_arm(struct event *ev, uint64_t *first_us, unsigned quiet_ms, unsigned max_ms)
{
	uint64_t now = stas_now_us(), due = now + (uint64_t)quiet_ms * 1000, last;
	struct timeval tv;

	if (!evtimer_pending(ev, NULL))
		*first_us = now;
	last = *first_us + (uint64_t)max_ms * 1000;
	if (due > last)
		due = last > now ? last : now;
	tv = (struct timeval){ (time_t)((due - now) / 1000000),
			       (suseconds_t)((due - now) % 1000000) };
	evtimer_add(ev, &tv);
}
