/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run a stas daemon for real in a test: a private dbus-daemon with the
 * project's own bus policy, the daemon as a child process with its config,
 * sys.conf and runtime directory in a temporary directory, a NOTIFY_SOCKET
 * the test reads, and a client connection to the bus.
 */
#ifndef STAS_TEST_DAEMON_RUN_H
#define STAS_TEST_DAEMON_RUN_H

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "test-dbus.h"

struct daemon_run {
	const char *prog; /* "stafd" */
	char binary[512];
	char dir[64]; /* temp dir: conf, sys.conf, run/, notify, log */
	struct test_dbus bus;
	int notify_fd;
	pid_t pid;
	sd_bus *client;
	char notified[4096]; /* every notification so far, one per line */
};

/**
 * daemon_run_start() - bus, files, daemon; waits for READY=1 (10 s).
 * @binary: the daemon's path
 * @policy_file: the project's bus policy file for its name
 * @conf: the daemon's config file text
 *
 * The temporary directory goes into $TMPDIR (else /tmp).
 */
int daemon_run_start(struct daemon_run *r, const char *prog, const char *binary,
		     const char *policy_file, const char *conf);

/**
 * daemon_run_prepare() - daemon_run_start() up to the daemon: files, bus
 * (with every file of the NULL-terminated @policy_files included), client.
 * Other programs can then join the bus (r->bus.address) before
 * daemon_run_launch() starts the daemon.
 */
int daemon_run_prepare(struct daemon_run *r, const char *prog, const char *binary,
		       const char *const policy_files[], const char *conf);

/**
 * daemon_run_join() - daemon_run_prepare() for a second daemon on @host's
 * bus (its own directory, files and client; the bus stays @host's).
 */
int daemon_run_join(struct daemon_run *r, const struct daemon_run *host, const char *prog,
		    const char *binary, const char *conf);

/** daemon_run_launch() - start the prepared daemon; waits for READY=1 (10 s). */
int daemon_run_launch(struct daemon_run *r);

/** daemon_run_stop() - SIGTERM, wait for it; returns its exit status (or -1). */
int daemon_run_stop(struct daemon_run *r);

/** daemon_run_cleanup() - kill what is left, remove the directory. */
void daemon_run_cleanup(struct daemon_run *r);

/** daemon_run_restart() - stop the daemon (keeping bus and files) and start it again. */
int daemon_run_restart(struct daemon_run *r);

/** daemon_run_write_conf() - replace the config file. */
int daemon_run_write_conf(struct daemon_run *r, const char *conf);

/** daemon_run_signal() - send a signal to the daemon. */
void daemon_run_signal(struct daemon_run *r, int sig);

/** daemon_run_wait_notify() - wait until a notification containing @what arrived. */
bool daemon_run_wait_notify(struct daemon_run *r, const char *what, int timeout_ms);

/** daemon_run_log() - what the daemon wrote to stderr so far (static buffer). */
const char *daemon_run_log(struct daemon_run *r);

/** daemon_run_alive() - the daemon process still runs. */
bool daemon_run_alive(struct daemon_run *r);

/** daemon_run_pump() - process bus traffic on the client for up to @ms. */
void daemon_run_pump(struct daemon_run *r, int ms);

#endif
