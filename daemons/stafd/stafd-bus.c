// SPDX-License-Identifier: Apache-2.0
/*
 * stafd on D-Bus: org.nvmexpress.staf and org.nvmexpress.staf.debug at
 * /org/nvmexpress/staf, exactly nvme-stas 3.0's members and signatures,
 * plus PropertiesChanged for tron. Methods follow one order: read the
 * arguments, check them, act, reply. Nothing here touches a controller:
 * it reads what the manager holds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "common/bus-event.h"
#include "common/bus-tron.h"
#include "common/bus-util.h"
#include "common/log.h"
#include "stafd-zeroconf.h"
#include "stafd.h"
#include "stas/cleanup.h"
#include "stas/ntcp-conn.h"

/* ---- shapes -------------------------------------------------------------------------------- */

static json_object *ctrl_dict(const struct staf *s, const struct dc *dc, bool detailed)
{
	json_object *o = bus_tid_dict(dc_tid(dc));

	json_object_object_add(o, "device", json_object_new_string(dc_device(dc)));
	if (detailed) {
		json_object *d = dc_details_json(dc, s->conf->zeroconf_persistence_sec);

		json_object_object_foreach(d, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_put(d);
	}
	return o;
}

static int read_tid(struct staf *s, sd_bus_message *m, struct tid *t, sd_bus_error *error)
{
	struct tid_defaults d = { .discovery = true,
				  .ignore_iface = s->conf->ignore_iface,
				  .host_nqn = s->sys->nqn };

	return bus_read_tid(m, &d, t, error);
}

/* ---- org.nvmexpress.staf ------------------------------------------------------------------ */

static int m_list_controllers(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	struct staf *s = ud;
	json_object *arr = json_object_new_array();
	int detailed, r;

	r = sd_bus_message_read(m, "b", &detailed);
	if (r < 0)
		return r;
	for (struct staf_dc *e = TAILQ_FIRST(&s->dcs); e; e = TAILQ_NEXT(e, link))
		if (!e->stopping)
			json_object_array_add(arr, ctrl_dict(s, e->dc, detailed));
	return bus_reply_dicts(m, arr);
}

static json_object *log_dicts(const struct dc *dc)
{
	const struct nvmf_disc_log *log = dc_log(dc);
	json_object *arr = json_object_new_array();

	for (size_t i = 0; log && i < log->nr; i++)
		json_object_array_add(arr, dc_entry_json(&log->entries[i]));
	return arr;
}

static int m_get_log_pages(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	struct staf *s = ud;
	struct staf_dc *e;
	struct tid t;
	int r = read_tid(s, m, &t, error);

	if (r < 0)
		return r;
	e = staf_find(s, &t);
	return bus_reply_dicts(m, e ? log_dicts(e->dc) : json_object_new_array());
}

static int m_get_all_log_pages(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	struct staf *s = ud;
	json_object *arr = json_object_new_array();
	int detailed, r;

	r = sd_bus_message_read(m, "b", &detailed);
	if (r < 0)
		return r;
	for (struct staf_dc *e = TAILQ_FIRST(&s->dcs); e; e = TAILQ_NEXT(e, link)) {
		json_object *o = json_object_new_object();

		if (e->stopping) {
			json_object_put(o);
			continue;
		}
		json_object_object_add(o, "discovery-controller", ctrl_dict(s, e->dc, detailed));
		json_object_object_add(o, "log-pages", log_dicts(e->dc));
		json_object_array_add(arr, o);
	}
	return bus_reply_json(m, arr);
}

/* ---- org.nvmexpress.staf.debug ------------------------------------------------------------- */

static int m_process_info(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	struct staf *s = ud;
	struct bus_process_facts f = {
		.sys = s->sys,
		.conf_path = s->conf_path,
		.state_dir = s->state_dir,
		.soak = s->ev_soak,
		.soak_ms = STAFD_SOAK_MS,
		.started_us = s->started_us,
		.controllers = s->n_dcs,
	};
	json_object *o = bus_process_info(&f);

	if (s->zc)
		json_object_object_add(o, "avahi", zc_status_json(s->zc));
	return bus_reply_json(m, o);
}

static int m_controller_info(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	struct staf *s = ud;
	struct staf_dc *e;
	struct tid t;
	int r = read_tid(s, m, &t, error);

	if (r < 0)
		return r;
	e = staf_find(s, &t);
	return bus_reply_json(m, e ? ctrl_dict(s, e->dc, true) : json_object_new_object());
}

#define TID_ARGS                                                                                   \
	"s", transport, "s", traddr, "s", trsvcid, "s", subsysnqn, "s", host_traddr, "s",          \
		host_iface, "s", host_nqn

static const sd_bus_vtable staf_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("list_controllers", SD_BUS_ARGS("b", detailed),
				SD_BUS_RESULT("aa{ss}", controller_list), m_list_controllers,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("get_log_pages", SD_BUS_ARGS(TID_ARGS),
				SD_BUS_RESULT("aa{ss}", log_pages), m_get_log_pages,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("get_all_log_pages", SD_BUS_ARGS("b", detailed),
				SD_BUS_RESULT("s", log_pages_json), m_get_all_log_pages,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_ARGS("log_pages_changed", SD_BUS_ARGS(TID_ARGS, "s", device), 0),
	SD_BUS_SIGNAL_WITH_ARGS("dc_removed", SD_BUS_NO_ARGS, 0),
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

/* ---- signals --------------------------------------------------------------------------------- */

void staf_bus_log_pages_changed(struct staf *s, struct dc *dc)
{
	const struct tid *t = dc_tid(dc);
	int r;

	if (!s->busobj.bus)
		return;
	r = sd_bus_emit_signal(s->busobj.bus, STAF_PATH, STAF_IFACE, "log_pages_changed",
			       "ssssssss", t->transport, t->traddr, t->trsvcid, t->subsysnqn,
			       t->host_traddr, t->host_iface, t->host_nqn, dc_device(dc));
	if (r < 0)
		log_warning_errno(r, "cannot emit log_pages_changed: %m");
	bus_event_kick(s->bus);
}

void staf_bus_dc_removed(struct staf *s)
{
	if (!s->busobj.bus)
		return;
	if (sd_bus_emit_signal(s->busobj.bus, STAF_PATH, STAF_IFACE, "dc_removed", "") < 0)
		log_warning("cannot emit dc_removed");
	bus_event_kick(s->bus);
}

/* ---- lifetime
 * ------------------------------------------------------------------------------------- */

static void name_owned(void *ud, int err)
{
	if (err < 0)
		staf_fatal(ud, err);
	else
		staf_ready(ud);
}

int staf_bus_publish(struct staf *s)
{
	static const struct bus_iface ifaces[] = {
		{ STAF_IFACE, staf_vtable },
		{ STAF_DEBUG, debug_vtable, true },
		{ NULL, NULL },
	};

	return bus_object_publish(&s->busobj, s->bus, STAF_PATH, ifaces, s, STAF_NAME, name_owned);
}
