// SPDX-License-Identifier: Apache-2.0
/*
 * stacd on D-Bus at /org/nvmexpress/stac: org.nvmexpress.stac and
 * org.nvmexpress.stac.debug as nvme-stas 3.0 has them, and
 * org.nvmexpress.stac.state, stas's typed view with its two signals
 * (dbus/org.nvmexpress.stac.xml). Nothing here changes a controller.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "common/bus-event.h"
#include "common/bus-tron.h"
#include "common/bus-util.h"
#include "common/log.h"
#include "stacd-follow.h"
#include "stacd.h"
#include "stas/cleanup.h"
#include "stas/nvme-decode.h"

#define STAC_STATE "org.nvmexpress.stac.state"

static json_object *ctrl_dict(const struct ioc *ioc, bool detailed)
{
	json_object *o = bus_tid_dict(ioc_tid(ioc));

	json_object_object_add(o, "device", json_object_new_string(ioc_device(ioc)));
	if (detailed) {
		json_object *d = ioc_details_json(ioc);

		json_object_object_foreach(d, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_put(d);
	}
	return o;
}

static int read_tid(struct stac *s, sd_bus_message *m, struct tid *t, sd_bus_error *error)
{
	struct tid_defaults d = { .ignore_iface = s->conf->ignore_iface, .host_nqn = s->sys->nqn };

	return bus_read_tid(m, &d, t, error);
}

/* ---- org.nvmexpress.stac --------------------------------------------------------------------- */

static int m_list_controllers(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	struct stac *s = ud;
	json_object *arr = json_object_new_array();
	int detailed, r;

	r = sd_bus_message_read(m, "b", &detailed);
	if (r < 0)
		return r;
	for (struct stac_ioc *e = TAILQ_FIRST(&s->iocs); e; e = TAILQ_NEXT(e, link))
		json_object_array_add(arr, ctrl_dict(e->ioc, detailed));
	return bus_reply_dicts(m, arr);
}

/* ---- org.nvmexpress.stac.debug --------------------------------------------------------------- */

static int m_process_info(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	struct stac *s = ud;
	struct bus_process_facts f = {
		.sys = s->sys,
		.conf_path = s->conf_path,
		.state_dir = s->state_dir,
		.soak = s->ev_soak,
		.soak_ms = STACD_SOAK_MS,
		.started_us = s->started_us,
		.controllers = s->n_iocs,
	};
	json_object *o = bus_process_info(&f);
	char buf[32];

	json_object_object_add(
		o, "stafd",
		json_object_new_string(follow_stafd_present(s->follow) ? "present" : "absent"));
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)follow_fetches(s->follow));
	json_object_object_add(o, "log page fetches", json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "%u of %u", ioc_slots_in_use(s->slots), STACD_CONNECT_CAP);
	json_object_object_add(o, "connects in flight", json_object_new_string(buf));
	return bus_reply_json(m, o);
}

static int m_controller_info(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	struct stac *s = ud;
	struct stac_ioc *e;
	struct tid t;
	int r = read_tid(s, m, &t, error);

	if (r < 0)
		return r;
	e = stac_find(s, &t);
	return bus_reply_json(m, e ? ctrl_dict(e->ioc, true) : json_object_new_object());
}

/* ---- org.nvmexpress.stac.state --------------------------------------------------------------- */

static int append_tid(sd_bus_message *m, const struct tid *t)
{
	json_object *o = bus_tid_dict(t);
	int r = bus_append_dict(m, o);

	json_object_put(o);
	return r;
}

static int append_ioc(sd_bus_message *m, const struct ioc *ioc)
{
	const struct ioc_ns_state *ns = NULL;
	size_t n = ioc_namespaces(ioc, &ns);
	int r = sd_bus_message_open_container(m, 'r', "a{ss}bssuua(uus)");

	if (r >= 0)
		r = append_tid(m, ioc_tid(ioc));
	if (r >= 0)
		r = sd_bus_message_append(m, "bssuu", ioc_connected(ioc),
					  ioc_state_name(ioc_state(ioc)), ioc_last_error(ioc),
					  ioc_reconnects(ioc), ioc_io_queues(ioc));
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(uus)");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = sd_bus_message_append(m, "(uus)", ns[i].nsid, ns[i].anagrpid,
					  ns[i].anagrpid ? nvme_ana_state_str(ns[i].ana_state)
							 : "unknown");
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	return r;
}

static int m_controllers(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	struct stac *s = ud;
	int r = sd_bus_message_new_method_return(m, &reply);

	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(a{ss}bssuua(uus))");
	for (struct stac_ioc *e = TAILQ_FIRST(&s->iocs); r >= 0 && e; e = TAILQ_NEXT(e, link))
		r = append_ioc(reply, e->ioc);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

#define TID_ARGS                                                                                   \
	"s", transport, "s", traddr, "s", trsvcid, "s", subsysnqn, "s", host_traddr, "s",          \
		host_iface, "s", host_nqn

static const sd_bus_vtable stac_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("list_controllers", SD_BUS_ARGS("b", detailed),
				SD_BUS_RESULT("aa{ss}", controller_list), m_list_controllers,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

static const sd_bus_vtable debug_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_WRITABLE_PROPERTY("tron", "b", bus_tron_get, bus_tron_set, 0,
				 SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("log_level", "s", bus_log_level_get, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("process_info", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", info_json),
				m_process_info, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("controller_info", SD_BUS_ARGS(TID_ARGS),
				SD_BUS_RESULT("s", info_json), m_controller_info,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

static const sd_bus_vtable state_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("controllers", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("a(a{ss}bssuua(uus))", controllers), m_controllers,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_ARGS("controller_connected", SD_BUS_ARGS("a{ss}", tid), 0),
	SD_BUS_SIGNAL_WITH_ARGS("controller_lost", SD_BUS_ARGS("a{ss}", tid, "s", reason), 0),
	SD_BUS_VTABLE_END,
};

/* ---- signals --------------------------------------------------------------------------------- */

static void emit(struct stac *s, const char *member, const struct ioc *ioc, const char *reason)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_signal(s->busobj.bus, &m, STAC_PATH, STAC_STATE, member);
	if (r >= 0)
		r = append_tid(m, ioc_tid(ioc));
	if (r >= 0 && reason)
		r = sd_bus_message_append(m, "s", reason);
	if (r >= 0)
		r = sd_bus_send(s->busobj.bus, m, NULL);
	if (r < 0)
		log_warning_errno(r, "cannot emit %s: %m", member);
	bus_event_kick(s->bus);
}

void stac_bus_connected(struct stac *s, struct ioc *ioc)
{
	if (s->busobj.bus)
		emit(s, "controller_connected", ioc, NULL);
}

void stac_bus_lost(struct stac *s, struct ioc *ioc, const char *reason)
{
	if (s->busobj.bus)
		emit(s, "controller_lost", ioc, reason ? reason : "");
}

/* ---- lifetime -------------------------------------------------------------------------------- */

static void name_owned(void *ud, int err)
{
	if (err < 0)
		stac_fatal(ud, err);
	else
		stac_ready(ud);
}

int stac_bus_publish(struct stac *s)
{
	static const struct bus_iface ifaces[] = {
		{ STAC_IFACE, stac_vtable },
		{ STAC_DEBUG, debug_vtable, true },
		{ STAC_STATE, state_vtable },
		{ NULL, NULL },
	};

	return bus_object_publish(&s->busobj, s->bus, STAC_PATH, ifaces, s, STAC_NAME, name_owned);
}
