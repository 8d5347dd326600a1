/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What stafd's and stacd's D-Bus objects have in common: nvme-stas's
 * controller dicts (a{ss}) and JSON strings, the 7-string controller
 * identity as method arguments, the .debug interface's tron and log_level,
 * and owning the well-known name.
 */
#ifndef STAS_DAEMON_BUS_UTIL_H
#define STAS_DAEMON_BUS_UTIL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "common/tid.h"

struct bus_event;
struct bus_tron;
struct event;
struct event_base;
struct sys_conf;

/** bus_open_system() - the system bus, driven by @base; @gone is called if it goes away. */
int bus_open_system(struct event_base *base, void (*gone)(struct bus_event *, int, void *),
		    void *ud, struct bus_event **ret);

/** bus_close_system() - flush what is queued, then close; accepts NULL. */
void bus_close_system(struct bus_event *be);

/** bus_tid_dict() - nvme-stas's controller_id_dict(): the 7 identity strings by its keys. */
json_object *bus_tid_dict(const struct tid *t);

/** bus_append_dict() - a{ss} from a flat JSON object whose values are strings. */
int bus_append_dict(sd_bus_message *m, json_object *o);

/** bus_reply_dicts() - reply aa{ss} from an array of flat objects; takes @arr. */
int bus_reply_dicts(sd_bus_message *call, json_object *arr);

/** bus_reply_json() - reply s: @o as compact JSON text; takes @o. */
int bus_reply_json(sd_bus_message *call, json_object *o);

/**
 * bus_read_tid() - read the 7 strings of a controller identity (transport,
 * traddr, trsvcid, subsysnqn, host_traddr, host_iface, host_nqn) and apply
 * @d. A string longer than its field is an InvalidArgs error naming it.
 */
int bus_read_tid(sd_bus_message *m, const struct tid_defaults *d, struct tid *t,
		 sd_bus_error *error);

/*
 * What process_info says in both daemons: nvme-stas's keys and types (tron a
 * boolean, log-level a Python logging name, null for an absent value), plus
 * stas's own (config file, pid, uptime seconds, controller count).
 */
struct bus_process_facts {
	const struct sys_conf *sys;
	const char *conf_path;
	const char *state_dir;
	const struct event *soak; /* the config soak timer, NULL when there is none */
	unsigned soak_ms;
	uint64_t started_us;
	unsigned controllers;
};

json_object *bus_process_info(const struct bus_process_facts *f);

/**
 * bus_own_name() - ask for @name; @done gets 0 once it is ours, or
 * -EADDRINUSE (logged) when the bus refuses.
 */
int bus_own_name(sd_bus *bus, sd_bus_slot **slot, const char *name, void (*done)(void *ud, int err),
		 void *ud);

/* A daemon's object: its interfaces at one path, and its well-known name. */
#define BUS_OBJECT_MAX_IFACES 4

struct bus_iface {
	const char *name;
	const sd_bus_vtable *vtable;
	bool has_tron; /* the .debug interface: its tron is set through bus_tron_attach() */
};

struct bus_object {
	struct bus_event *be;
	sd_bus *bus;
	const char *path;
	const char *debug_iface; /* the interface with has_tron, if any */
	sd_bus_slot *vt[BUS_OBJECT_MAX_IFACES];
	sd_bus_slot *name_slot;
	struct bus_tron *tron; /* with has_tron */
};

/**
 * bus_object_publish() - add @ifaces (NULL-name terminated) at @path with
 * @ud as their userdata, then ask for @name (bus_own_name()).
 *
 * Return: 0, or -errno (logged); on error nothing stays published.
 */
int bus_object_publish(struct bus_object *o, struct bus_event *be, const char *path,
		       const struct bus_iface *ifaces, void *ud, const char *name,
		       void (*owned)(void *ud, int err));

/** bus_object_unpublish() - remove it all; accepts an object never published. */
void bus_object_unpublish(struct bus_object *o);

/** bus_object_tron_changed() - PropertiesChanged for the .debug interface's tron and log_level. */
void bus_object_tron_changed(struct bus_object *o);

#endif
