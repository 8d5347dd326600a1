/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signals a daemon answers, as libevent signal events on the daemon's
 * loop: SIGHUP reloads, SIGTERM and SIGINT stop. The callbacks run as normal
 * loop callbacks (not in signal context), so they may do anything.
 */
#ifndef STAS_DAEMON_SIGNALS_H
#define STAS_DAEMON_SIGNALS_H

#include <event2/event.h>

#include "stas/cleanup.h"

struct daemon_signal_ops {
	void (*reload)(void *userdata);		 /* SIGHUP */
	void (*stop)(int signo, void *userdata); /* SIGTERM, SIGINT */
};

struct daemon_signals;

/**
 * daemon_signals_new() - start answering the signals on @base. Also sets
 * SIGPIPE to be ignored, so a peer that goes away shows up as EPIPE on the
 * socket instead of killing the daemon.
 *
 * Return: 0; -ENOMEM; -EIO when libevent refuses a signal event.
 */
int daemon_signals_new(struct event_base *base, const struct daemon_signal_ops *ops, void *userdata,
		       struct daemon_signals **ret);

/** daemon_signals_free() - stop answering (default dispositions return). NULL-safe. */
struct daemon_signals *daemon_signals_free(struct daemon_signals *s);
DEFINE_CLEANUP_FUNC(struct daemon_signals *, daemon_signals_free)

#endif
