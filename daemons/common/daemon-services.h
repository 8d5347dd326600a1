/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What both daemons run beside their own work: the signals (SIGHUP reloads,
 * SIGTERM and SIGINT stop) answered through the loop, watchdog pings when
 * systemd asks for them, and the runtime directory for the state file.
 */
#ifndef STAS_DAEMON_SERVICES_H
#define STAS_DAEMON_SERVICES_H

#include "stas/cleanup.h"

struct event_base;
struct daemon_services;

struct daemon_services_ops {
	void (*reload)(void *userdata);
	void (*stop)(void *userdata); /* the signal is logged already */
};

/**
 * daemon_services_new() - start them on @base for @prog. *@runtime_dir is the
 * runtime directory, or NULL when there is none (logged: the daemon runs on,
 * without a last-known state); the caller frees it. No watchdog pings is
 * logged too, and not an error.
 *
 * Return: 0, or a negative errno when the signals cannot be answered (logged).
 */
int daemon_services_new(struct event_base *base, const char *prog,
			const struct daemon_services_ops *ops, void *userdata, char **runtime_dir,
			struct daemon_services **ret);

/** daemon_services_free() - stop them. NULL-safe. */
struct daemon_services *daemon_services_free(struct daemon_services *s);
DEFINE_CLEANUP_FUNC(struct daemon_services *, daemon_services_free)

#endif
