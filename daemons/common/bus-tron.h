/* SPDX-License-Identifier: Apache-2.0 */
/*
 * org.nvmexpress.sta?.debug's tron (read-write, only root may write) and
 * log_level, the same in both daemons.
 */
#ifndef STAS_DAEMON_BUS_TRON_H
#define STAS_DAEMON_BUS_TRON_H

#include <systemd/sd-bus.h>

struct bus_tron;

/**
 * bus_tron_attach() - answer Properties.Set of @debug_iface's tron at @path
 * without blocking: the caller's uid is asked of the bus, and the answer
 * (AccessDenied unless root; else the level changes and PropertiesChanged
 * names tron and log_level) follows when it comes. @debug_iface must outlive
 * the returned object.
 */
int bus_tron_attach(sd_bus *bus, const char *path, const char *debug_iface, struct bus_tron **ret);

/**
 * bus_tron_detach() - stop answering, before the bus is closed: a Set still
 * waiting for the bus is answered with an error (tron unchanged) and dropped,
 * with its hold on the connection. Accepts NULL; returns NULL.
 */
struct bus_tron *bus_tron_detach(struct bus_tron *bt);

/* The vtable's accessors; the setter refuses, as bus_tron_attach()'s callback answers first. */
int bus_tron_get(sd_bus *bus, const char *path, const char *iface, const char *prop,
		 sd_bus_message *reply, void *ud, sd_bus_error *error);
int bus_tron_set(sd_bus *bus, const char *path, const char *iface, const char *prop,
		 sd_bus_message *value, void *ud, sd_bus_error *error);
int bus_log_level_get(sd_bus *bus, const char *path, const char *iface, const char *prop,
		      sd_bus_message *reply, void *ud, sd_bus_error *error);

#endif
