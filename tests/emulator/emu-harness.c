// SPDX-License-Identifier: Apache-2.0
/*
 * The emulator on a loop thread for tests (see emu-harness.h).
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "emu-harness.h"

static void log_stderr(void *arg, int level, const char *msg)
{
	fprintf(stderr, "emu[%d]: %s\n", level, msg);
}

void harness_init(struct harness *h)
{
	const char *v = getenv("EMU_TEST_LOG");

	signal(SIGPIPE, SIG_IGN); /* the emulator writes to sockets hosts may have closed */
	ck_assert_int_eq(evthread_use_pthreads(), 0);
	h->base = event_base_new();
	ck_assert_ptr_nonnull(h->base);
	ck_assert_int_eq(emu_new(h->base, &h->emu), 0);
	if (v && *v == '1')
		emu_set_log(h->emu, log_stderr, NULL, EMU_LOG_DEBUG);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	h->running = false;
	h->paused = 0;
}

static void *loop_main(void *arg)
{
	struct harness *h = arg;

	event_base_loop(h->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

void harness_start(struct harness *h)
{
	ck_assert_int_eq(pthread_create(&h->thread, NULL, loop_main, h), 0);
	h->running = true;
}

static void break_cb(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(arg);
}

void harness_stop(struct harness *h)
{
	if (h->running) {
		/*
		 * From inside the loop: event_base_loop() clears a break made
		 * before it started, which a short test can do.
		 */
		ck_assert_int_eq(event_base_once(h->base, -1, EV_TIMEOUT, break_cb, h->base, NULL),
				 0);
		pthread_join(h->thread, NULL);
		h->running = false;
	}
	emu_free(h->emu);
	event_base_free(h->base);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
}

/* Runs on the loop thread: park until the test thread is done. */
static void park_cb(evutil_socket_t fd, short what, void *arg)
{
	struct harness *h = arg;

	pthread_mutex_lock(&h->lock);
	h->paused = 1;
	pthread_cond_broadcast(&h->cond);
	while (h->paused != 2)
		pthread_cond_wait(&h->cond, &h->lock);
	h->paused = 0;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

void harness_pause(struct harness *h)
{
	if (!h->running)
		return;
	ck_assert_int_eq(event_base_once(h->base, -1, EV_TIMEOUT, park_cb, h, NULL), 0);
	pthread_mutex_lock(&h->lock);
	while (h->paused != 1)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
}

void harness_resume(struct harness *h)
{
	if (!h->running)
		return;
	pthread_mutex_lock(&h->lock);
	h->paused = 2;
	pthread_cond_broadcast(&h->cond);
	while (h->paused != 0)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
}

uint16_t harness_port(struct harness *h, uint16_t portid)
{
	uint16_t port = 0;

	ck_assert_int_eq(H_DO(h, emu_add_port(h->emu, portid, "127.0.0.1", 0, &port)), 0);
	ck_assert_uint_ne(port, 0);
	return port;
}

void harness_subsys(struct harness *h, const char *nqn, unsigned nns, unsigned mib, uint16_t portid)
{
	ck_assert_int_eq(H_DO(h, emu_add_subsys(h->emu, nqn, NULL, NULL)), 0);
	for (unsigned i = 1; i <= nns; i++)
		ck_assert_int_eq(
			H_DO(h, emu_add_ns(h->emu, nqn, i, (uint64_t)mib << 20, 512, i, 0)), 0);
	ck_assert_int_eq(H_DO(h, emu_link(h->emu, portid, nqn)), 0);
}
