// SPDX-License-Identifier: Apache-2.0
/*
 * Shared pieces of the daemons' D-Bus objects (see bus-util.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/util.h>

#include "common/bus-event.h"
#include "common/bus-tron.h"
#include "common/bus-util.h"
#include "common/log.h"
#include "common/state.h"
#include "common/sys-conf.h"
#include "stas/cleanup.h"
#include "stas/ntcp-conn.h"

int bus_open_system(struct event_base *base, void (*gone)(struct bus_event *, int, void *),
		    void *ud, struct bus_event **ret)
{
	_cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
	int r;

	r = sd_bus_open_system(&bus);
	if (r < 0)
		return log_error_errno(r, "cannot connect to the system bus: %m");
	r = bus_event_attach(bus, base, gone, ud, ret);
	if (r < 0)
		return log_error_errno(r, "cannot attach the bus to the event loop: %m");
	return 0;
}

void bus_close_system(struct bus_event *be)
{
	sd_bus *bus;

	if (!be)
		return;
	bus = sd_bus_ref(bus_event_bus(be));
	bus_event_detach(be);
	sd_bus_flush_close_unref(bus);
}

json_object *bus_tid_dict(const struct tid *t)
{
	static const char *const keys[TID_N_FIELDS] = {
		[TID_TRANSPORT] = "transport",	   [TID_TRADDR] = "traddr",
		[TID_TRSVCID] = "trsvcid",	   [TID_SUBSYSNQN] = "subsysnqn",
		[TID_HOST_TRADDR] = "host-traddr", [TID_HOST_IFACE] = "host-iface",
		[TID_HOST_NQN] = "host-nqn",
	};
	json_object *o = json_object_new_object();

	for (int f = 0; f < TID_N_FIELDS; f++)
		json_object_object_add(o, keys[f], json_object_new_string(tid_get(t, f)));
	return o;
}

int bus_append_dict(sd_bus_message *m, json_object *o)
{
	int r = sd_bus_message_open_container(m, 'a', "{ss}");

	if (r < 0)
		return r;
	json_object_object_foreach(o, k, v)
	{
		r = sd_bus_message_append(m, "{ss}", k, json_object_get_string(v));
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(m);
}

int bus_reply_dicts(sd_bus_message *call, json_object *arr)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r = sd_bus_message_new_method_return(call, &reply);

	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "a{ss}");
	for (size_t i = 0; r >= 0 && i < json_object_array_length(arr); i++)
		r = bus_append_dict(reply, json_object_array_get_idx(arr, i));
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	json_object_put(arr);
	return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

int bus_reply_json(sd_bus_message *call, json_object *o)
{
	int r = sd_bus_reply_method_return(
		call, "s", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

	json_object_put(o);
	return r;
}

int bus_read_tid(sd_bus_message *m, const struct tid_defaults *d, struct tid *t,
		 sd_bus_error *error)
{
	const char *v[TID_N_FIELDS];
	int r = sd_bus_message_read(m, "sssssss", &v[TID_TRANSPORT], &v[TID_TRADDR],
				    &v[TID_TRSVCID], &v[TID_SUBSYSNQN], &v[TID_HOST_TRADDR],
				    &v[TID_HOST_IFACE], &v[TID_HOST_NQN]);

	if (r < 0)
		return r;
	memset(t, 0, sizeof(*t));
	for (int f = 0; f < TID_N_FIELDS; f++)
		if (tid_set(t, f, v[f]) < 0)
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
						 "%s is too long (%zu bytes)", tid_field_name(f),
						 strlen(v[f]));
	tid_apply_defaults(t, d);
	return 0;
}

/* A string, or JSON null where nvme-stas has None (an absent value). */
static void add(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v && *v ? json_object_new_string(v) : NULL);
}

/* nvme-stas's GTimer text: "<interval>s [<remaining>s]" while it runs, "<interval>s [off]". */
static const char *timer_text(char *buf, size_t n, unsigned interval_ms, const struct event *ev)
{
	struct timeval due, now;
	double left;

	if (!ev || !event_pending(ev, EV_TIMEOUT, &due)) {
		snprintf(buf, n, "%.1fs [off]", interval_ms / 1e3);
		return buf;
	}
	/* event_pending() gives the deadline on the wall clock */
	evutil_gettimeofday(&now, NULL);
	left = (double)(due.tv_sec - now.tv_sec) + (double)(due.tv_usec - now.tv_usec) / 1e6;
	snprintf(buf, n, "%.1fs [%.1fs]", interval_ms / 1e3, left > 0 ? left : 0.0);
	return buf;
}

json_object *bus_process_info(const struct bus_process_facts *f)
{
	json_object *o = json_object_new_object();
	char buf[64], path[512];

	/* nvme-stas: {'tron': bool, 'log-level': logging's name} + ServiceABC.info() */
	json_object_object_add(o, "tron", json_object_new_boolean(log_get_level() >= LOG_DEBUG));
	add(o, "log-level", log_level_to_python(log_get_level()));
	add(o, "hostnqn", f->sys->nqn);
	add(o, "hostid", f->sys->id);
	/* nvme-stas returned the DH-HMAC-CHAP host key here, in clear; we never do */
	add(o, "hostkey", f->sys->key[0] ? "(set, not shown)" : NULL);
	add(o, "symname", f->sys->symname);
	add(o, "config file", f->conf_path);
	if (f->state_dir)
		snprintf(path, sizeof(path), "%s/%s", f->state_dir, STATE_FILE);
	add(o, "last known config file", f->state_dir ? path : NULL);
	add(o, "config soak timer", timer_text(buf, sizeof(buf), f->soak_ms, f->soak));
	/*
	 * nvme-stas says str() of what the kernel's /dev/nvme-fabrics offers. Our
	 * userspace host connects to a unique discovery NQN (TP8013) as a discovery
	 * controller and binds to host-iface (SO_BINDTODEVICE) on any kernel.
	 */
	add(o, "kernel support.TP8013", "True");
	add(o, "kernel support.host_iface", "True");
	/*
	 * nvme-stas's 30 s audit of controllers waiting to be disconnected; ours are
	 * taken down by their own state machine, so there is no such timer.
	 */
	add(o, "terminator.audit timer", NULL);
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	add(o, "pid", buf);
	snprintf(buf, sizeof(buf), "%.0f", (double)(stas_now_us() - f->started_us) / 1e6);
	add(o, "uptime seconds", buf);
	/* not "controllers": stafctl/stacctl status put the controller list under that key */
	snprintf(buf, sizeof(buf), "%u", f->controllers);
	add(o, "controller count", buf);
	return o;
}

struct own_name {
	char *name;
	void (*done)(void *ud, int err);
	void *ud;
};

static void own_name_free(void *p)
{
	struct own_name *o = p;

	free(o->name);
	free(o);
}

static int name_reply(sd_bus_message *m, void *p, sd_bus_error *unused)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);
	struct own_name *o = p;

	if (e) {
		log_error("cannot own %s on the system bus: %s", o->name, e->message);
		o->done(o->ud, -EADDRINUSE);
		return 0;
	}
	log_info("%s acquired", o->name);
	o->done(o->ud, 0);
	return 0;
}

int bus_own_name(sd_bus *bus, sd_bus_slot **slot, const char *name, void (*done)(void *ud, int err),
		 void *ud)
{
	struct own_name *o = calloc(1, sizeof(*o));
	int r;

	if (!o || !(o->name = strdup(name))) {
		free(o);
		return -ENOMEM;
	}
	o->done = done;
	o->ud = ud;
	r = sd_bus_request_name_async(bus, slot, name, 0, name_reply, o);
	if (r < 0) {
		own_name_free(o);
		return r;
	}
	sd_bus_slot_set_destroy_callback(*slot, own_name_free);
	return 0;
}

int bus_object_publish(struct bus_object *o, struct bus_event *be, const char *path,
		       const struct bus_iface *ifaces, void *ud, const char *name,
		       void (*owned)(void *ud, int err))
{
	int r = 0;

	memset(o, 0, sizeof(*o));
	o->be = be;
	o->bus = sd_bus_ref(bus_event_bus(be));
	o->path = path;
	for (size_t i = 0; r >= 0 && ifaces[i].name; i++) {
		r = i < BUS_OBJECT_MAX_IFACES
			    ? sd_bus_add_object_vtable(o->bus, &o->vt[i], path, ifaces[i].name,
						       ifaces[i].vtable, ud)
			    : -E2BIG;
		if (r >= 0 && ifaces[i].has_tron && !o->debug_iface) {
			o->debug_iface = ifaces[i].name;
			r = bus_tron_attach(o->bus, path, o->debug_iface, &o->tron);
		}
	}
	if (r >= 0)
		r = bus_own_name(o->bus, &o->name_slot, name, owned, ud);
	if (r < 0) {
		bus_object_unpublish(o);
		return log_error_errno(r, "cannot publish %s: %m", path);
	}
	bus_event_kick(be);
	return 0;
}

void bus_object_unpublish(struct bus_object *o)
{
	o->name_slot = sd_bus_slot_unref(o->name_slot);
	o->tron = bus_tron_detach(o->tron);
	for (size_t i = BUS_OBJECT_MAX_IFACES; i-- > 0;)
		o->vt[i] = sd_bus_slot_unref(o->vt[i]);
	o->bus = sd_bus_unref(o->bus);
}

void bus_object_tron_changed(struct bus_object *o)
{
	if (!o->bus || !o->debug_iface)
		return;
	sd_bus_emit_properties_changed(o->bus, o->path, o->debug_iface, "tron", "log_level", NULL);
	bus_event_kick(o->be);
}
