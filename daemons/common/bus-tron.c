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

struct bus_tron {
	sd_bus_slot *object;
	const char *iface;
	struct tron_set *pending; /* Sets waiting for the bus's answer */
};

/*
 * One Set waiting for the caller's uid. Its reply slot is ours, not floating: a floating
 * slot would hold the call, and the call the bus, which then could never be freed.
 */
struct tron_set {
	struct bus_tron *owner;
	struct tron_set *next, **pprev;
	sd_bus_slot *slot;
	sd_bus_message *call; /* the Properties.Set to answer */
	bool on;
};

static void tron_set_free(struct tron_set *t)
{
	if (!t)
		return;
	if (t->pprev) {
		*t->pprev = t->next;
		if (t->next)
			t->next->pprev = t->pprev;
	}
	sd_bus_slot_unref(t->slot); /* inside its own callback too: sd-bus holds a ref there */
	sd_bus_message_unref(t->call);
	free(t);
}

static void tron_set_freep(struct tron_set **t)
{
	tron_set_free(*t);
}

static int tron_uid_known(sd_bus_message *reply, void *ud, sd_bus_error *unused)
{
	_cleanup_(tron_set_freep) struct tron_set *t = ud;
	sd_bus *bus = sd_bus_message_get_bus(t->call);
	uint32_t uid;
	int r;

	if (sd_bus_message_is_method_error(reply, NULL) ||
	    sd_bus_message_read(reply, "u", &uid) < 0 || uid != 0) {
		const sd_bus_error *why = sd_bus_message_get_error(reply);

		/* refused either way; a bus that did not say who asked is named as such */
		r = why ? sd_bus_reply_method_errorf(t->call, SD_BUS_ERROR_ACCESS_DENIED,
						     "only root may change tron, and the bus did "
						     "not say who the caller is: %s",
						     why->message ?: why->name)
			: sd_bus_reply_method_errorf(t->call, SD_BUS_ERROR_ACCESS_DENIED,
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
	r = sd_bus_emit_properties_changed(bus, sd_bus_message_get_path(t->call), t->owner->iface,
					   "tron", "log_level", NULL);
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
	struct bus_tron *bt = ud;
	const char *sender = sd_bus_message_get_sender(m);
	sd_bus *bus = sd_bus_message_get_bus(m);
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *q = NULL;
	_cleanup_(tron_set_freep) struct tron_set *t = NULL;
	int on, r;

	r = read_tron_set(m, bt->iface, &on);
	if (r <= 0)
		return r;
	if (!sender)
		return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
					"only root may change tron (no sender on this bus)");
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->owner = bt;
	t->on = on;
	t->call = sd_bus_message_ref(m);
	r = sd_bus_message_new_method_call(bus, &q, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					   "org.freedesktop.DBus", "GetConnectionUnixUser");
	if (r >= 0)
		r = sd_bus_message_append(q, "s", sender);
	if (r >= 0)
		r = sd_bus_call_async(bus, &t->slot, q, tron_uid_known, t, UID_QUERY_TIMEOUT_US);
	if (r < 0)
		return r;
	/* the reply callback, or bus_tron_detach(), frees t */
	t->next = bt->pending;
	if (t->next)
		t->next->pprev = &t->next;
	t->pprev = &bt->pending;
	bt->pending = t;
	t = NULL;
	return 1;
}

int bus_tron_attach(sd_bus *bus, const char *path, const char *debug_iface, struct bus_tron **ret)
{
	struct bus_tron *bt = calloc(1, sizeof(*bt));
	int r;

	if (!bt)
		return -ENOMEM;
	bt->iface = debug_iface;
	r = sd_bus_add_object(bus, &bt->object, path, on_object_call, bt);
	if (r < 0) {
		free(bt);
		return r;
	}
	*ret = bt;
	return 0;
}

struct bus_tron *bus_tron_detach(struct bus_tron *bt)
{
	if (!bt)
		return NULL;
	bt->object = sd_bus_slot_unref(bt->object);
	while (bt->pending) {
		struct tron_set *t = bt->pending;

		/* queued before the bus is closed, so a flush still delivers it */
		sd_bus_reply_method_errorf(t->call, SD_BUS_ERROR_FAILED,
					   "stopping before the bus said who the caller is; "
					   "tron unchanged");
		tron_set_free(t);
	}
	free(bt);
	return NULL;
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
