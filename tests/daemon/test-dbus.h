/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A private dbus-daemon for tests: its own config in a temporary directory,
 * listening on a socket there, started for one test and killed after it.
 */
#ifndef STAS_TEST_DBUS_H
#define STAS_TEST_DBUS_H

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

struct test_dbus {
	pid_t pid;
	char *dir;
	char address[512];
};

/** test_dbus_binary() - the dbus-daemon to run, or NULL when none is installed. */
const char *test_dbus_binary(void);

/** test_dbus_require() - without a dbus-daemon, say that @suite is skipped and exit 77 (CTest's
 * skip). */
void test_dbus_require(const char *suite);

/**
 * test_dbus_start() - start a bus.
 * @policy: the <policy> elements of the config; NULL allows everything
 *
 * Return: 0, or a negative errno (the reason is printed).
 */
int test_dbus_start(struct test_dbus *d, const char *policy);

/** test_dbus_kill() - end the daemon now (SIGKILL), as a crash would. */
void test_dbus_kill(struct test_dbus *d);

/** test_dbus_stop() - end the daemon and remove its directory. */
void test_dbus_stop(struct test_dbus *d);

/** test_dbus_connect() - a started client connection to the bus. */
int test_dbus_connect(const struct test_dbus *d, sd_bus **ret);

#endif
