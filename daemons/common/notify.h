/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The systemd service-manager protocol (sd_notify). Every call is harmless
 * when the daemon is not started by systemd ($NOTIFY_SOCKET unset): it
 * returns 0 and does nothing.
 */
#ifndef STAS_DAEMON_NOTIFY_H
#define STAS_DAEMON_NOTIFY_H

#include <event2/event.h>
#include <stdint.h>

#include "stas/cleanup.h"

/*
 * Return for the senders: > 0 sent, 0 no service manager listening,
 * negative errno when sending failed.
 */

/** notify_ready() - READY=1: start-up (or a reload) is complete. */
int notify_ready(void);

/**
 * notify_reloading() - RELOADING=1 with MONOTONIC_USEC=<now>, as systemd's
 * Type=notify-reload protocol wants it (older systemd ignores the extra field).
 */
int notify_reloading(void);

/** notify_stopping() - STOPPING=1. */
int notify_stopping(void);

/** notify_status() - STATUS=<text> (shown by systemctl status). */
int notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct notify_watchdog;

/**
 * notify_watchdog_new() - send WATCHDOG=1 from a timer on @base at half the
 * interval systemd asked for (WatchdogSec=, through sd_watchdog_enabled()).
 *
 * Return: 0 with *@ret set, or with *@ret NULL when systemd wants no pings;
 * -ENOMEM; the error of sd_watchdog_enabled() for a malformed environment.
 */
int notify_watchdog_new(struct event_base *base, struct notify_watchdog **ret);

/** notify_watchdog_interval_usec() - the ping period in µs. */
uint64_t notify_watchdog_interval_usec(const struct notify_watchdog *w);

/** notify_watchdog_free() - stop pinging. Accepts NULL; returns NULL. */
struct notify_watchdog *notify_watchdog_free(struct notify_watchdog *w);
DEFINE_CLEANUP_FUNC(struct notify_watchdog *, notify_watchdog_free)

#endif
