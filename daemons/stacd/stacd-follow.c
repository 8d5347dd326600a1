// SPDX-License-Identifier: Apache-2.0
/*
 * stacd follows stafd (see stacd-follow.h): bus matches first, then the
 * name's owner, then get_all_log_pages after a soak. A failed or malformed
 * answer keeps the previous list and is retried.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "common/bus-event.h"
#include "common/log.h"
#include "common/pyrepr.h"
#include "common/soak.h"
#include "stacd-follow.h"
#include "stas/cleanup.h"
#include "stas/ntcp-conn.h"
#include "stas/nvme-decode.h"

#define STAF_NAME	"org.nvmexpress.staf"
#define STAF_PATH	"/org/nvmexpress/staf"
#define STAF_IFACE	"org.nvmexpress.staf"
#define CALL_TIMEOUT_US (10 * 1000000ull)
#define RETRY_MS	5000
#define MAX_IOCS	16384

struct follow {
	struct bus_event *be;
	sd_bus *bus;
	struct event_base *base;
	const struct follow_ops *ops;
	void *arg;
	sd_bus_slot *m_owner, *m_changed, *m_removed, *q_owner, *call;
	struct event *ev_soak;
	uint64_t soak_first_us;
	char owner[256]; /* stafd's unique name: only its signals count */
	bool present, was_present, answered;
	struct follow_ioc *iocs;
	size_t n;
	uint64_t fetches;
};

static void soak(struct follow *f, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	f->soak_first_us = stas_now_us();
	event_add(f->ev_soak, &tv);
}

/* ---- the answer ------------------------------------------------------------------------------ */

static const char *sget(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* One log entry of an NVM subsystem, with the DC's host side: an I/O controller. */
static int entry_ioc(json_object *dc, json_object *page, struct follow_ioc *ret)
{
	static const struct {
		enum tid_field f;
		bool from_dc;
		const char *key;
	} map[] = {
		{ TID_TRANSPORT, false, "trtype" },	  { TID_TRADDR, false, "traddr" },
		{ TID_TRSVCID, false, "trsvcid" },	  { TID_SUBSYSNQN, false, "subnqn" },
		{ TID_HOST_TRADDR, true, "host-traddr" }, { TID_HOST_IFACE, true, "host-iface" },
		{ TID_HOST_NQN, true, "host-nqn" },
	};
	const char *eflags = sget(page, "eflags");
	struct stas_error e;

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		const char *v = sget(map[i].from_dc ? dc : page, map[i].key);

		/* the entry's own fields name the controller: none may be empty */
		if (!v || (!map[i].from_dc && !v[0]) || tid_set(&ret->tid, map[i].f, v) < 0)
			return -EINVAL;
		/* what stafd says ends up in stacd's own replies: what the wire could say */
		if (nvme_text_check(v, strlen(v), strlen(v) + 1, map[i].key, &e) < 0)
			return -EINVAL;
	}
	ret->eflags = eflags ? (uint16_t)strtoul(eflags, NULL, 10) : 0;
	/* what nvme-stas's stacd shows: str() of the dict json.loads() made */
	ret->dlpe = py_repr(page, false);
	if (!ret->dlpe)
		return -ENOMEM;
	/* any other member of the entry is in that text too */
	if (nvme_text_check(ret->dlpe, strlen(ret->dlpe), strlen(ret->dlpe) + 1, "entry", &e) < 0) {
		free(ret->dlpe);
		ret->dlpe = NULL;
		return -EINVAL;
	}
	return 0;
}

void follow_iocs_free(struct follow_ioc *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].dlpe);
	free(v);
}

int follow_parse(const char *json, struct follow_ioc **ret, size_t *ret_n, size_t *ret_bad)
{
	struct follow_ioc *v = NULL;
	json_object *root = json_tokener_parse(json);
	size_t n = 0, cap = 0, bad = 0;
	int r = 0;

	if (!root || !json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return -EBADMSG;
	}
	for (size_t i = 0; !r && i < json_object_array_length(root); i++) {
		json_object *e = json_object_array_get_idx(root, i), *dc, *pages;

		if (!json_object_object_get_ex(e, "discovery-controller", &dc) ||
		    !json_object_object_get_ex(e, "log-pages", &pages) ||
		    !json_object_is_type(pages, json_type_array)) {
			bad++;
			continue;
		}
		for (size_t k = 0; !r && k < json_object_array_length(pages); k++) {
			json_object *p = json_object_array_get_idx(pages, k);
			const char *subtype = sget(p, "subtype");
			struct follow_ioc *grown;

			if (!subtype || strcmp(subtype, "nvme"))
				continue;
			if (n == MAX_IOCS) {
				bad++;
				continue;
			}
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				grown = realloc(v, cap * sizeof(*v));
				if (!grown) {
					r = -ENOMEM;
					continue;
				}
				v = grown;
			}
			r = entry_ioc(dc, p, &v[n]);
			if (r == -EINVAL) {
				bad++;
				r = 0;
			} else if (r == 0) {
				n++;
			}
		}
	}
	json_object_put(root);
	if (r < 0 || !n) {
		follow_iocs_free(v, n);
		v = NULL;
	}
	if (r < 0)
		return r;
	*ret = v;
	*ret_n = n;
	*ret_bad = bad;
	return 0;
}

static int parse_answer(struct follow *f, const char *json)
{
	struct follow_ioc *v = NULL;
	size_t n = 0, bad = 0;
	int r = follow_parse(json, &v, &n, &bad);

	if (r < 0)
		return r;
	if (bad)
		log_warning("stafd's answer had %zu malformed or excess entries; skipped", bad);
	follow_iocs_free(f->iocs, f->n);
	f->iocs = v;
	f->n = n;
	return 0;
}

static void fetch(struct follow *f);

static int got_answer(sd_bus_message *m, void *ud, sd_bus_error *unused)
{
	struct follow *f = ud;
	const sd_bus_error *e = sd_bus_message_get_error(m);
	const char *json;

	f->call = sd_bus_slot_unref(f->call);
	if (e) {
		/* keep what stafd said last; ask again while it is there */
		log_warning("get_all_log_pages: %s; keeping the previous %zu I/O controller(s)",
			    e->message, f->n);
		if (f->present)
			soak(f, RETRY_MS);
		return 0;
	}
	if (sd_bus_message_read(m, "s", &json) < 0 || parse_answer(f, json) < 0) {
		log_warning("get_all_log_pages: not the JSON list expected; keeping the previous "
			    "answer");
		if (f->present)
			soak(f, RETRY_MS);
		return 0;
	}
	f->answered = true;
	f->fetches++;
	log_debug("stafd lists %zu I/O controller(s)", f->n);
	if (f->ops->changed)
		f->ops->changed(f->arg);
	return 0;
}

static void fetch(struct follow *f)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	int r;

	if (!f->present || f->call)
		return;
	r = sd_bus_message_new_method_call(f->bus, &m, STAF_NAME, STAF_PATH, STAF_IFACE,
					   "get_all_log_pages");
	if (r >= 0)
		r = sd_bus_message_append(m, "b", 1);
	if (r >= 0)
		r = sd_bus_call_async(f->bus, &f->call, m, got_answer, f, CALL_TIMEOUT_US);
	if (r < 0) {
		log_warning_errno(r, "cannot ask stafd: %m");
		soak(f, RETRY_MS);
		return;
	}
	bus_event_kick(f->be);
}

static void on_soak(evutil_socket_t fd, short what, void *arg)
{
	fetch(arg);
}

/* ---- stafd coming and going
 * ----------------------------------------------------------------------- */

static void set_present(struct follow *f, const char *owner)
{
	bool present = owner && *owner;

	snprintf(f->owner, sizeof(f->owner), "%s", present ? owner : "");
	if (present == f->present)
		return;
	f->present = present;
	if (!present) {
		log_notice("stafd left the bus; keeping %zu I/O controller(s) until it is back",
			   f->n);
		f->call = sd_bus_slot_unref(f->call);
		event_del(f->ev_soak);
		return;
	}
	log_info("stafd is on the bus");
	/* back after a restart: give it time to refill its cache */
	soak(f, f->was_present ? FOLLOW_LONG_SOAK_MS : FOLLOW_SOAK_MS);
	f->was_present = true;
}

static int on_owner_changed(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	const char *name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0 || strcmp(name, STAF_NAME))
		return 0;
	set_present(ud, new);
	return 0;
}

static int on_owner_known(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct follow *f = ud;

	const char *owner = NULL;

	f->q_owner = sd_bus_slot_unref(f->q_owner);
	if (!sd_bus_message_is_method_error(m, NULL) && sd_bus_message_read(m, "s", &owner) < 0)
		owner = NULL;
	set_present(f, owner);
	return 0;
}

/* Anyone may send a look-alike signal on the system bus: only stafd's count. */
static int on_log_event(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct follow *f = ud;
	const char *sender = sd_bus_message_get_sender(m);

	if (f->present && sender && !strcmp(sender, f->owner))
		soak_arm(f->ev_soak, &f->soak_first_us, FOLLOW_SOAK_MS, FOLLOW_SOAK_MAX_MS);
	return 0;
}

int follow_new(struct bus_event *be, struct event_base *base, const struct follow_ops *ops,
	       void *arg, struct follow **ret)
{
	struct follow *f = calloc(1, sizeof(*f));
	int r;

	if (!f)
		return -ENOMEM;
	f->be = be;
	f->bus = bus_event_bus(be);
	f->base = base;
	f->ops = ops;
	f->arg = arg;
	f->ev_soak = evtimer_new(base, on_soak, f);
	if (!f->ev_soak) {
		free(f);
		return -ENOMEM;
	}
	/* matches before the question, so no change between them is missed */
	r = sd_bus_match_signal(f->bus, &f->m_owner, "org.freedesktop.DBus",
				"/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
				on_owner_changed, f);
	if (r >= 0)
		/* signals carry stafd's unique name: on_log_event() checks it */
		r = sd_bus_match_signal(f->bus, &f->m_changed, NULL, STAF_PATH, STAF_IFACE,
					"log_pages_changed", on_log_event, f);
	if (r >= 0)
		r = sd_bus_match_signal(f->bus, &f->m_removed, NULL, STAF_PATH, STAF_IFACE,
					"dc_removed", on_log_event, f);
	if (r >= 0)
		r = sd_bus_call_method_async(f->bus, &f->q_owner, "org.freedesktop.DBus",
					     "/org/freedesktop/DBus", "org.freedesktop.DBus",
					     "GetNameOwner", on_owner_known, f, "s", STAF_NAME);
	if (r < 0) {
		follow_free(f);
		return r;
	}
	bus_event_kick(be);
	*ret = f;
	return 0;
}

void follow_free(struct follow *f)
{
	if (!f)
		return;
	sd_bus_slot_unref(f->m_owner);
	sd_bus_slot_unref(f->m_changed);
	sd_bus_slot_unref(f->m_removed);
	sd_bus_slot_unref(f->q_owner);
	sd_bus_slot_unref(f->call);
	event_free(f->ev_soak);
	follow_iocs_free(f->iocs, f->n);
	free(f);
}

size_t follow_iocs(struct follow *f, const struct follow_ioc **ret)
{
	*ret = f->iocs;
	return f->n;
}

int follow_restore(struct follow *f, const struct follow_ioc *v, size_t n)
{
	struct follow_ioc *copy;

	if (f->answered)
		return 0; /* stafd already said more recently */
	copy = calloc(n ? n : 1, sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		copy[i] = (struct follow_ioc){ .tid = v[i].tid, .eflags = v[i].eflags };
		if (v[i].dlpe && !(copy[i].dlpe = strdup(v[i].dlpe))) {
			follow_iocs_free(copy, i);
			return -ENOMEM;
		}
	}
	follow_iocs_free(f->iocs, f->n);
	f->iocs = copy;
	f->n = n;
	return 0;
}

bool follow_stafd_present(const struct follow *f)
{
	return f->present;
}

uint64_t follow_fetches(const struct follow *f)
{
	return f->fetches;
}
