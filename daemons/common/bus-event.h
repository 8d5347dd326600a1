/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sd-bus driven by a libevent loop. The glue watches sd_bus_get_fd() for the
 * events sd_bus_get_events() asks for, arms a timer from sd_bus_get_timeout(),
 * and on any wake-up calls sd_bus_process() until it returns 0 (in batches,
 * so a flood of messages cannot starve the rest of the loop), then re-arms.
 *
 * sd-bus has no hook that tells the glue when *other* code queued output or
 * started a call with a timeout, so code that talks on the bus outside a bus
 * callback (from a timer, say) calls bus_event_kick() afterwards. Inside bus
 * callbacks this is not needed: the glue re-arms after every round.
 *
 * When the connection ends (peer gone, I/O error, dbus-daemon restarted), the
 * glue stops watching and calls on_disconnect once; it never exits or aborts.
 */
#ifndef STAS_DAEMON_BUS_EVENT_H
#define STAS_DAEMON_BUS_EVENT_H

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "stas/cleanup.h"

struct bus_event;

/* @reason: negative errno that ended the connection. */
typedef void (*bus_event_disconnect_fn)(struct bus_event *be, int reason, void *userdata);

/**
 * bus_event_attach() - drive @bus from @base.
 * @bus: a started bus (sd_bus_open_system(), or sd_bus_new() + sd_bus_start());
 *	 a reference is taken, and exit-on-disconnect is turned off
 * @on_disconnect: may be NULL; may call bus_event_detach()
 *
 * Pending work (queued messages, a call made before attaching) is processed
 * on the first loop turn.
 *
 * Return: 0; -ENOMEM; or the sd-bus error for a bus that cannot be watched.
 */
int bus_event_attach(sd_bus *bus, struct event_base *base, bus_event_disconnect_fn on_disconnect,
		     void *userdata, struct bus_event **ret);

/**
 * bus_event_detach() - stop driving the bus and drop the reference. The bus
 * is not closed (sd_bus_flush_close_unref() is the owner's call). Accepts NULL;
 * may be called from any callback the bus runs. Return: NULL.
 */
struct bus_event *bus_event_detach(struct bus_event *be);
DEFINE_CLEANUP_FUNC(struct bus_event *, bus_event_detach)

/**
 * bus_event_kick() - re-read what the bus needs (output to flush, a new call
 * timeout) and process it on the next loop turn. Cheap; coalesced.
 */
void bus_event_kick(struct bus_event *be);

/** bus_event_bus() - the bus being driven (borrowed). */
sd_bus *bus_event_bus(const struct bus_event *be);

#endif
