// SPDX-License-Identifier: Apache-2.0
/*
 * stafd on D-Bus: org.nvmexpress.staf and org.nvmexpress.staf.debug at
 * /org/nvmexpress/staf, exactly nvme-stas 3.0's members and signatures,
 * plus PropertiesChanged for tron. Methods follow one order: read the
 * arguments, check them, act, reply. Nothing here touches a controller:
 * it reads what the manager holds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "common/bus-event.h"
#include "common/log.h"
#include "common/state.h"
#include "stafd-zeroconf.h"
#include "stafd.h"
#include "stas/cleanup.h"
#include "stas/ntcp-conn.h"

#define STAF_NAME  "org.nvmexpress.staf"
#define STAF_PATH  "/org/nvmexpress/staf"
#define STAF_IFACE "org.nvmexpress.staf"
#define STAF_DEBUG "org.nvmexpress.staf.debug"

struct staf_bus {
	struct staf *s;
	sd_bus *bus;
	sd_bus_slot *vt_main, *vt_debug, *name_slot;
};

/* ---- shapes -------------------------------------------------------------------------------- */

static json_object *tid_dict(const struct tid *t)
{
	json_object *o = json_object_new_object();

	/* nvme-stas's controller_id_dict() keys */
	static const char *const keys[TID_N_FIELDS] = {
		[TID_TRANSPORT] = "transport",	   [TID_TRADDR] = "traddr",
		[TID_TRSVCID] = "trsvcid",	   [TID_SUBSYSNQN] = "subsysnqn",
		[TID_HOST_TRADDR] = "host-traddr", [TID_HOST_IFACE] = "host-iface",
		[TID_HOST_NQN] = "host-nqn",
	};

	for (int f = 0; f < TID_N_FIELDS; f++)
		json_object_object_add(o, keys[f], json_object_new_string(tid_get(t, f)));
	return o;
}

static json_object *ctrl_dict(const struct dc *dc, bool detailed)
{
	json_object *o = tid_dict(dc_tid(dc));

	json_object_object_add(o, "device", json_object_new_string(dc_device(dc)));
	if (detailed) {
		json_object *d = dc_details_json(dc);

		json_object_object_foreach(d, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_put(d);
	}
	return o;
}

/* a{ss} from a flat JSON object whose values are strings */
static int append_dict(sd_bus_message *m, json_object *o)
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

static int reply_dicts(sd_bus_message *call, json_object *arr)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r = sd_bus_message_new_method_return(call, &reply);

	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "a{ss}");
	for (size_t i = 0; r >= 0 && i < json_object_array_length(arr); i++)
		r = append_dict(reply, json_object_array_get_idx(arr, i));
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	json_object_put(arr);
	return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

static int reply_json(sd_bus_message *call, json_object *o)
{
	int r = sd_bus_reply_method_return(
		call, "s", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

	json_object_put(o);
	return r;
}

/* The 7 strings of a TID, with nvme-stas's defaults, checked before anything is looked up. */
static int read_tid(struct staf *s, sd_bus_message *m, struct tid *t, sd_bus_error *error)
{
	const char *v[TID_N_FIELDS];
	struct tid_defaults d = { .discovery = true,
				  .ignore_iface = s->conf->ignore_iface,
				  .host_nqn = s->sys->nqn };
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
	tid_apply_defaults(t, &d);
	return 0;
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
			json_object_array_add(arr, ctrl_dict(e->dc, detailed));
	return reply_dicts(m, arr);
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
	return reply_dicts(m, e ? log_dicts(e->dc) : json_object_new_array());
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
		json_object_object_add(o, "discovery-controller", ctrl_dict(e->dc, detailed));
		json_object_object_add(o, "log-pages", log_dicts(e->dc));
		json_object_array_add(arr, o);
	}
	return reply_json(m, arr);
}

/* ---- org.nvmexpress.staf.debug ------------------------------------------------------------- */

static int p_tron_get(sd_bus *bus, const char *path, const char *iface, const char *prop,
		      sd_bus_message *reply, void *ud, sd_bus_error *error)
{
	return sd_bus_message_append(reply, "b", log_get_level() >= LOG_DEBUG);
}

static int p_tron_set(sd_bus *bus, const char *path, const char *iface, const char *prop,
		      sd_bus_message *value, void *ud, sd_bus_error *error)
{
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	struct staf *s = ud;
	uid_t euid;
	int on, r;

	r = sd_bus_message_read(value, "b", &on);
	if (r < 0)
		return r;
	/* The bus policy says the same; this holds also on a bus without our policy file. */
	r = sd_bus_query_sender_creds(sd_bus_get_current_message(bus), SD_BUS_CREDS_EUID, &creds);
	if (r >= 0)
		r = sd_bus_creds_get_euid(creds, &euid);
	if (r < 0 || euid != 0)
		return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
					"only root may change tron");
	log_set_level(on ? LOG_DEBUG : LOG_INFO);
	log_info("tron %s (over D-Bus)", on ? "on" : "off");
	(void)s;
	return 0;
}

static int p_log_level(sd_bus *bus, const char *path, const char *iface, const char *prop,
		       sd_bus_message *reply, void *ud, sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", log_level_to_string(log_get_level()));
}

static json_object *str(const char *v)
{
	return json_object_new_string(v ? v : "");
}

static int m_process_info(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	struct staf *s = ud;
	json_object *o = json_object_new_object();
	char buf[64], path[512];

	json_object_object_add(o, "tron", str(log_get_level() >= LOG_DEBUG ? "True" : "False"));
	json_object_object_add(o, "log-level", str(log_level_to_string(log_get_level())));
	json_object_object_add(o, "hostnqn", str(s->sys->nqn));
	json_object_object_add(o, "hostid", str(s->sys->id));
	/* nvme-stas returned the DH-HMAC-CHAP host key here, in clear; stafd never does */
	json_object_object_add(o, "hostkey", str(s->sys->key[0] ? "(set, not shown)" : ""));
	json_object_object_add(o, "symname", str(s->sys->symname));
	json_object_object_add(o, "config file", str(s->conf_path));
	snprintf(path, sizeof(path), "%s/%s", s->state_dir ? s->state_dir : "(none)", STATE_FILE);
	json_object_object_add(o, "last known config file", str(path));
	json_object_object_add(
		o, "config soak timer",
		str(event_pending(s->ev_soak, EV_TIMEOUT, NULL) ? "1.5s [on]" : "1.5s [off]"));
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	json_object_object_add(o, "pid", str(buf));
	snprintf(buf, sizeof(buf), "%.0f", (double)(stas_now_us() - s->started_us) / 1e6);
	json_object_object_add(o, "uptime seconds", str(buf));
	snprintf(buf, sizeof(buf), "%u", s->n_dcs);
	json_object_object_add(o, "controllers", str(buf));
	if (s->zc)
		json_object_object_add(o, "avahi", zc_status_json(s->zc));
	return reply_json(m, o);
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
	return reply_json(m, e ? ctrl_dict(e->dc, true) : json_object_new_object());
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
	SD_BUS_WRITABLE_PROPERTY("tron", "b", p_tron_get, p_tron_set, 0,
				 SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("log_level", "s", p_log_level, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("process_info", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", info_json),
				m_process_info, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("controller_info", SD_BUS_ARGS(TID_ARGS),
				SD_BUS_RESULT("s", info_json), m_controller_info,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

/* ---- signals -----------------------------------------------------------------------------------
 */

void staf_bus_log_pages_changed(struct staf_bus *b, struct dc *dc)
{
	const struct tid *t = dc_tid(dc);
	int r;

	if (!b)
		return;
	r = sd_bus_emit_signal(b->bus, STAF_PATH, STAF_IFACE, "log_pages_changed", "ssssssss",
			       t->transport, t->traddr, t->trsvcid, t->subsysnqn, t->host_traddr,
			       t->host_iface, t->host_nqn, dc_device(dc));
	if (r < 0)
		log_warning_errno(r, "cannot emit log_pages_changed: %m");
	bus_event_kick(b->s->bus);
}

void staf_bus_dc_removed(struct staf_bus *b)
{
	if (!b)
		return;
	if (sd_bus_emit_signal(b->bus, STAF_PATH, STAF_IFACE, "dc_removed", "") < 0)
		log_warning("cannot emit dc_removed");
	bus_event_kick(b->s->bus);
}

void staf_bus_tron_changed(struct staf_bus *b)
{
	if (!b)
		return;
	sd_bus_emit_properties_changed(b->bus, STAF_PATH, STAF_DEBUG, "tron", "log_level", NULL);
	bus_event_kick(b->s->bus);
}

/* ---- lifetime
 * ------------------------------------------------------------------------------------- */

static int name_acquired(sd_bus_message *m, void *ud, sd_bus_error *error)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);

	struct staf *s = ud;

	if (e) {
		log_error("cannot own %s on the system bus: %s", STAF_NAME, e->message);
		staf_fatal(s, -EADDRINUSE);
		return 0;
	}
	log_info("%s acquired", STAF_NAME);
	staf_ready(s);
	return 0;
}

int staf_bus_new(struct staf *s, struct staf_bus **ret)
{
	struct staf_bus *b = calloc(1, sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	b->s = s;
	b->bus = sd_bus_ref(bus_event_bus(s->bus));
	r = sd_bus_add_object_vtable(b->bus, &b->vt_main, STAF_PATH, STAF_IFACE, staf_vtable, s);
	if (r >= 0)
		r = sd_bus_add_object_vtable(b->bus, &b->vt_debug, STAF_PATH, STAF_DEBUG,
					     debug_vtable, s);
	if (r >= 0)
		r = sd_bus_request_name_async(b->bus, &b->name_slot, STAF_NAME, 0, name_acquired,
					      s);
	if (r < 0) {
		staf_bus_free(b);
		return log_error_errno(r, "cannot publish %s: %m", STAF_PATH);
	}
	bus_event_kick(s->bus);
	*ret = b;
	return 0;
}

void staf_bus_free(struct staf_bus *b)
{
	if (!b)
		return;
	sd_bus_slot_unref(b->name_slot);
	sd_bus_slot_unref(b->vt_debug);
	sd_bus_slot_unref(b->vt_main);
	sd_bus_unref(b->bus);
	free(b);
}
