/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zeroconf for stafd: discovery controllers announced over mDNS/DNS-SD
 * (`_nvme-disc._tcp`), found through Avahi's D-Bus API on the system bus
 * (ServiceBrowserNew/ServiceResolverNew, TXT `nqn=` and `p=`), probed for
 * TCP reachability before they are reported, and followed when Avahi goes
 * away and comes back. The manager asks for the current list when told it
 * changed; it never blocks.
 */
#ifndef STAS_STAFD_ZEROCONF_H
#define STAS_STAFD_ZEROCONF_H

#include <json-c/json.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

#include "common/tid.h"

struct bus_event;
struct event_base;
struct zc;

/*
 * One reachable discovery controller announced by mDNS: transport, traddr,
 * trsvcid, host-iface (tcp only) and subsysnqn (the well-known discovery NQN
 * when the TXT has no nqn=) are set; the other fields are empty.
 */
struct zc_service {
	struct tid tid;
};

struct zc_ops {
	/*
	 * The set of reachable services changed: call zc_services() (soon, not
	 * necessarily now). Called from a loop callback of its own, never from
	 * inside zc_*(); it may call zc_free().
	 */
	void (*changed)(void *arg);
};

/**
 * zc_new() - start following Avahi on the system bus driven by @be.
 * @be: the daemon's bus glue; zc talks on bus_event_bus(@be) and kicks @be
 *	after sending from outside bus callbacks. Free zc before detaching @be.
 * @base: the loop @be runs on (probes and timers)
 *
 * zc starts enabled, but sends nothing to Avahi before its signal
 * subscriptions are confirmed, so a zc_enable(z, false) right after zc_new()
 * means Avahi is never asked for anything. Avahi being absent is not an
 * error: zc logs once and asks again every 60 s (which bus-activates it).
 *
 * Return: 0; -ENOMEM; or the sd-bus error of a subscription that failed.
 */
int zc_new(struct bus_event *be, struct event_base *base, const struct zc_ops *ops, void *arg,
	   struct zc **ret);

/** zc_free() - free Avahi's browsers and resolvers (when it is there) and zc. Accepts NULL. */
void zc_free(struct zc *z);

/**
 * zc_enable() - [Service Discovery] zeroconf: browsing on or off (reload).
 * Off frees the browsers and resolvers and drops every service (ops->changed
 * follows when the list was not empty). Return: 0.
 */
int zc_enable(struct zc *z, bool on);

/** zc_kick() - on SIGHUP: ask for Avahi now (and restart the 60 s timer) if it was missing. */
void zc_kick(struct zc *z);

/**
 * zc_services() - the reachable services now: tcp ones whose TCP probe
 * succeeded, rdma ones as soon as resolved (not probed; stafd does not
 * connect them). Each TID once; an address announced on several interfaces
 * (a misconfiguration, logged) is reported once, from the earliest announced
 * one that is reachable. At most 1024.
 * The array stays valid until the next loop turn.
 *
 * Return: the number of entries in *@ret.
 */
size_t zc_services(struct zc *z, const struct zc_service **ret);

/**
 * zc_status_json() - the "avahi" part of stafctl status (nvme-stas §1.2):
 * {"avahi wake up timer": "60s [off]", "avahi": unique name or "",
 *  "service types": [...], "services": {"(eth0, IPv4, name.local,
 *  _nvme-disc._tcp)": {"transport", "traddr", "trsvcid", "host-iface",
 *  "subsysnqn", "state", "reachable": "True"|"False"}}}. Caller owns it;
 * NULL on ENOMEM.
 */
json_object *zc_status_json(struct zc *z);

#endif
