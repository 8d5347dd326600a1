/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test harness: the emulator on its own event loop thread, so a test can
 * talk to it with the blocking client. Build the topology before
 * harness_start(); afterwards touch the emulator only inside H_DO(), which
 * parks the loop thread in a callback while the expression runs.
 */
#ifndef STAS_EMU_HARNESS_H
#define STAS_EMU_HARNESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

struct harness {
	struct event_base *base;
	struct emu *emu;
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int paused; /* 0 running, 1 loop parked, 2 released */
};

/* Set EMU_TEST_LOG=1 to see the emulator's messages on stderr. */
void harness_init(struct harness *h);
void harness_start(struct harness *h);
void harness_stop(struct harness *h);
void harness_pause(struct harness *h);
void harness_resume(struct harness *h);

/* Evaluate @expr on the emulator while its loop is parked. */
#define H_DO(h, expr)                                                                              \
	({                                                                                         \
		harness_pause(h);                                                                  \
		__typeof__(expr) _h_r = (expr);                                                    \
		harness_resume(h);                                                                 \
		_h_r;                                                                              \
	})

/**
 * harness_port() - add a port on 127.0.0.1 with a kernel-chosen TCP port.
 * Return: the TCP port (the test fails on error).
 */
uint16_t harness_port(struct harness *h, uint16_t portid);

/**
 * harness_subsys() - a subsystem with @nns namespaces of @mib MiB
 * (512-byte blocks, ANA group = NSID), linked to @portid.
 */
void harness_subsys(struct harness *h, const char *nqn, unsigned nns, unsigned mib,
		    uint16_t portid);

#endif
