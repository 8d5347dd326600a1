// SPDX-License-Identifier: Apache-2.0
/*
 * The .debug interface's tron and log_level (see bus-tron.h).
 *
 * Only root may set tron, and on dbus-daemon a message carries no
 * credentials: the caller's uid is a question to the bus. An sd-bus property
 * setter must answer before it returns, so asking there would block the
 * loop. Instead an object callback at the path, which sd-bus runs before its
 * vtables, takes Properties.Set of tron, asks GetConnectionUnixUser without
 * waiting, and answers the caller when the bus has answered.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/bus-tron.h"
#include "common/log.h"
#include "stas/cleanup.h"

/* dbus-daemon answers at once; this only bounds a bus that has stopped answering. */
#define UID_QUERY_TIMEOUT_US 5000000u

struct tron_set {
	sd_bus_message *call; /* the Properties.Set to answer */
	char *iface;
	bool on;
};

static void tron_set_free(void *p)
{
	struct tron_set *t = p;

	if (!t)
		return;
	sd_bus_message_unref(t->call);
	free(t->iface);
	free(t);
}

static void tron_set_freep(struct tron_set **t)
{
	tron_set_free(*t);
}

static int tron_uid_known(sd_bus_message *reply, void *ud, sd_bus_error *unused)
{
	struct tron_set *t = ud;
	sd_bus *bus = sd_bus_message_get_bus(t->call);
	uint32_t uid;
	int r;

	if (sd_bus_message_is_method_error(reply, NULL) ||
	    sd_bus_message_read(reply, "u", &uid) < 0 || uid != 0) {
		r = sd_bus_reply_method_errorf(t->call, SD_BUS_ERROR_ACCESS_DENIED,
					       "only root may change tron");
		if (r < 0)
			log_warning_errno(r, "cannot answer the setting of tron: %m");
		return 0;
	}
	log_set_level(t->on ? LOG_DEBUG : LOG_INFO);
	log_info("tron %s (over D-Bus)", t->on ? "on" : "off");
	r = sd_bus_reply_method_return(t->call, NULL);
	if (r < 0)
		log_warning_errno(r, "cannot answer the setting of tron: %m");
	r = sd_bus_emit_properties_changed(bus, sd_bus_message_get_path(t->call), t->iface, "tron",
					   "log_level", NULL);
	if (r < 0)
		log_warning_errno(r, "cannot emit PropertiesChanged for tron: %m");
	return 0;
}

/* Properties.Set(@iface, "tron", <b>), or 0 to leave the message to sd-bus. */
static int read_tron_set(sd_bus_message *m, const char *iface, int *on)
{
	const char *i, *prop;

	if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "Set"))
		return 0;
	if (sd_bus_message_read(m, "ss", &i, &prop) >= 0 && !strcmp(i, iface) &&
	    !strcmp(prop, "tron") && sd_bus_message_read(m, "v", "b", on) >= 0)
		return 1;
	/* sd-bus answers the rest, a wrong type or a missing argument included */
	sd_bus_message_rewind(m, true);
	return 0;
}

static int on_object_call(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	const char *iface = ud;
	const char *sender = sd_bus_message_get_sender(m);
	sd_bus *bus = sd_bus_message_get_bus(m);
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *q = NULL;
	_cleanup_(tron_set_freep) struct tron_set *t = NULL;
	sd_bus_slot *slot = NULL;
	int on, r;

	r = read_tron_set(m, iface, &on);
	if (r <= 0)
		return r;
	if (!sender)
		return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
					"only root may change tron (no sender on this bus)");
	t = calloc(1, sizeof(*t));
	if (!t || !(t->iface = strdup(iface)))
		return -ENOMEM;
	t->on = on;
	t->call = sd_bus_message_ref(m);
	r = sd_bus_message_new_method_call(bus, &q, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					   "org.freedesktop.DBus", "GetConnectionUnixUser");
	if (r >= 0)
		r = sd_bus_message_append(q, "s", sender);
	if (r >= 0)
		r = sd_bus_call_async(bus, &slot, q, tron_uid_known, t, UID_QUERY_TIMEOUT_US);
	if (r < 0)
		return r;
	/* the bus owns the pending call now; its end, answered or not, frees t */
	sd_bus_slot_set_destroy_callback(slot, tron_set_free);
	sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
	t = NULL;
	return 1;
}

int bus_tron_attach(sd_bus *bus, sd_bus_slot **slot, const char *path, const char *debug_iface)
{
	return sd_bus_add_object(bus, slot, path, on_object_call, (void *)debug_iface);
}

int bus_tron_get(sd_bus *bus, const char *path, const char *iface, const char *prop,
		 sd_bus_message *reply, void *ud, sd_bus_error *error)
{
	return sd_bus_message_append(reply, "b", log_get_level() >= LOG_DEBUG);
}

int bus_tron_set(sd_bus *bus, const char *path, const char *iface, const char *prop,
		 sd_bus_message *value, void *ud, sd_bus_error *error)
{
	/* on_object_call() answers every Set of tron first; refuse whatever gets past it */
	return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
				"tron is set through the object's own handler only");
}

int bus_log_level_get(sd_bus *bus, const char *path, const char *iface, const char *prop,
		      sd_bus_message *reply, void *ud, sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", log_level_to_python(log_get_level()));
}
