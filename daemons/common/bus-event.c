// SPDX-License-Identifier: Apache-2.0
/*
 * Three libevent events per bus: a persistent read watch, a persistent write
 * watch armed only while sd-bus has output queued, and one timer for
 * sd_bus_get_timeout() (also used, with a zero delay, to continue a batch and
 * for kicks). The bus_event may be detached from inside sd_bus_process()
 * callbacks; then the free waits until the processing round has returned.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "common/bus-event.h"

#define PROCESS_BATCH 64 /* messages per wake-up before yielding to the loop */

struct bus_event {
	sd_bus *bus;
	struct event *ev_read, *ev_write, *ev_timer;
	bus_event_disconnect_fn on_disconnect;
	void *userdata;
	bool busy;	   /* inside sd_bus_process() or on_disconnect */
	bool detached;	   /* bus_event_detach() was called while busy */
	bool disconnected; /* reported; nothing is watched any more */
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void destroy(struct bus_event *be)
{
	if (be->ev_read)
		event_free(be->ev_read);
	if (be->ev_write)
		event_free(be->ev_write);
	if (be->ev_timer)
		event_free(be->ev_timer);
	sd_bus_unref(be->bus);
	free(be);
}

static void unwatch(struct bus_event *be)
{
	event_del(be->ev_read);
	event_del(be->ev_write);
	event_del(be->ev_timer);
}

/* Report the end of the connection, once. Called with be->busy set. */
static void disconnected(struct bus_event *be, int reason)
{
	if (be->disconnected)
		return;
	be->disconnected = true;
	unwatch(be);
	if (be->on_disconnect)
		be->on_disconnect(be, reason, be->userdata);
}

static void arm_timer(struct bus_event *be, uint64_t delay_usec)
{
	struct timeval tv = {
		.tv_sec = (time_t)(delay_usec / 1000000u),
		.tv_usec = (suseconds_t)(delay_usec % 1000000u),
	};

	evtimer_add(be->ev_timer, &tv);
}

/* Watch what sd-bus asks for now. */
static int rearm(struct bus_event *be)
{
	uint64_t until, now;
	int events, r;

	events = sd_bus_get_events(be->bus);
	if (events < 0)
		return events;
	if (events & POLLIN)
		event_add(be->ev_read, NULL);
	else
		event_del(be->ev_read);
	if (events & POLLOUT)
		event_add(be->ev_write, NULL);
	else
		event_del(be->ev_write);
	r = sd_bus_get_timeout(be->bus, &until);
	if (r < 0)
		return r;
	if (until == UINT64_MAX) {
		event_del(be->ev_timer);
		return 0;
	}
	now = now_usec();
	/* Round up to the next millisecond: a coarse loop clock must not wake us early. */
	arm_timer(be, until > now ? (until - now + 999) / 1000 * 1000 : 0);
	return 0;
}

static void process(struct bus_event *be)
{
	bool more;
	int r = 0;

	if (be->disconnected)
		return;
	be->busy = true;
	for (int i = 0; i < PROCESS_BATCH && !be->detached; i++) {
		r = sd_bus_process(be->bus, NULL);
		if (r <= 0)
			break;
	}
	more = r > 0; /* the batch ended, not the work */
	if (r >= 0 && !be->detached && sd_bus_is_open(be->bus) <= 0)
		r = -ECONNRESET;
	if (r >= 0 && !be->detached)
		r = rearm(be);
	if (r < 0 && !be->detached)
		disconnected(be, r);
	else if (more && !be->detached)
		arm_timer(be, 0); /* continue after the loop's other events */
	be->busy = false;
	if (be->detached)
		destroy(be);
}

static void on_event(evutil_socket_t fd, short what, void *arg)
{
	process(arg);
}

int bus_event_attach(sd_bus *bus, struct event_base *base, bus_event_disconnect_fn on_disconnect,
		     void *userdata, struct bus_event **ret)
{
	struct bus_event *be;
	int fd, r;

	fd = sd_bus_get_fd(bus);
	if (fd < 0)
		return fd;
	be = calloc(1, sizeof(*be));
	if (!be)
		return -ENOMEM;
	be->bus = sd_bus_ref(bus);
	be->on_disconnect = on_disconnect;
	be->userdata = userdata;
	be->ev_read = event_new(base, fd, EV_READ | EV_PERSIST, on_event, be);
	be->ev_write = event_new(base, fd, EV_WRITE | EV_PERSIST, on_event, be);
	be->ev_timer = evtimer_new(base, on_event, be);
	if (!be->ev_read || !be->ev_write || !be->ev_timer) {
		destroy(be);
		return -ENOMEM;
	}
	/* A daemon reports a lost bus and carries on; sd-bus must not exit for it. */
	r = sd_bus_set_exit_on_disconnect(bus, 0);
	if (r < 0) {
		destroy(be);
		return r;
	}
	arm_timer(be, 0);
	*ret = be;
	return 0;
}

struct bus_event *bus_event_detach(struct bus_event *be)
{
	if (!be)
		return NULL;
	if (be->busy) {
		be->detached = true;
		unwatch(be);
		return NULL;
	}
	destroy(be);
	return NULL;
}

void bus_event_kick(struct bus_event *be)
{
	if (be && !be->disconnected && !be->detached)
		arm_timer(be, 0);
}

sd_bus *bus_event_bus(const struct bus_event *be)
{
	return be->bus;
}
