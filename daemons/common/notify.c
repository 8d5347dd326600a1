// SPDX-License-Identifier: Apache-2.0
/*
 * Thin sd_notify() wrappers and a libevent timer for watchdog pings.
 * Pinging at half the interval leaves a whole half-interval of slack for a
 * busy loop turn, which is systemd's own recommendation.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "common/notify.h"

struct notify_watchdog {
	struct event *timer;
	uint64_t interval_usec;
};

int notify_ready(void)
{
	return sd_notify(0, "READY=1");
}

int notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
			  (unsigned long long)ts.tv_sec * 1000000ull +
				  (unsigned long long)ts.tv_nsec / 1000ull);
}

int notify_stopping(void)
{
	return sd_notify(0, "STOPPING=1");
}

int notify_status(const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return sd_notifyf(0, "STATUS=%s", text);
}

static void on_ping(evutil_socket_t fd, short what, void *arg)
{
	/* A failed ping is not actionable: systemd will notice the silence itself. */
	(void)sd_notify(0, "WATCHDOG=1");
}

int notify_watchdog_new(struct event_base *base, struct notify_watchdog **ret)
{
	struct notify_watchdog *w;
	struct timeval tv;
	uint64_t usec;
	int r;

	r = sd_watchdog_enabled(0, &usec);
	if (r < 0)
		return r;
	if (r == 0 || usec == 0) {
		*ret = NULL;
		return 0;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->interval_usec = usec / 2;
	w->timer = event_new(base, -1, EV_PERSIST, on_ping, w);
	if (!w->timer) {
		free(w);
		return -ENOMEM;
	}
	tv.tv_sec = (time_t)(w->interval_usec / 1000000u);
	tv.tv_usec = (suseconds_t)(w->interval_usec % 1000000u);
	event_add(w->timer, &tv);
	(void)sd_notify(0, "WATCHDOG=1");
	*ret = w;
	return 0;
}

uint64_t notify_watchdog_interval_usec(const struct notify_watchdog *w)
{
	return w->interval_usec;
}

struct notify_watchdog *notify_watchdog_free(struct notify_watchdog *w)
{
	if (!w)
		return NULL;
	event_free(w->timer);
	free(w);
	return NULL;
}
