// SPDX-License-Identifier: Apache-2.0
/*
 * sd-bus on libevent against a private dbus-daemon: every test is driven
 * entirely by event_base_dispatch(). A server connection exports a small
 * object; a client connection calls it and listens for its signal.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check-main.h"
#include "common/bus-event.h"
#include "common/bus-tron.h"
#include "common/bus-util.h"
#include "common/log.h"
#include "common/sys-conf.h"
#include "stas/cleanup.h"
#include "test-dbus.h"

#define NAME  "org.stas.Test"
#define PATH  "/org/stas/Test"
#define IFACE "org.stas.Test"
#define DEBUG "org.stas.Test.debug"

struct ctx {
	struct test_dbus dbus;
	struct event_base *base;
	struct event *guard, *timer;
	sd_bus *server, *client;
	struct bus_event *be_server, *be_client;
	int replies, signals, disconnects, timeouts;
	int last_reason;
	char echoed[64];
	bool detach_in_echo;
	uint64_t call_started;
	uint64_t call_ended;
	void (*after_name)(struct ctx *c);
	char log_level[32];
	json_object *info;
};

static struct ctx ctx;

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int method_echo(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctx *c = userdata;
	const char *s;
	int r;

	r = sd_bus_message_read(m, "s", &s);
	if (r < 0)
		return r;
	r = sd_bus_reply_method_return(m, "s", s);
	if (r < 0)
		return r;
	r = sd_bus_emit_signal(sd_bus_message_get_bus(m), PATH, IFACE, "Pinged", "s", s);
	if (c->detach_in_echo)
		c->be_server = bus_event_detach(c->be_server);
	return r;
}

/* Never answers: the caller's timeout must fire. */
static int method_silent(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return 1;
}

static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Echo", "s", "s", method_echo, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Silent", "", "", method_silent, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("Pinged", "s", 0),
	SD_BUS_VTABLE_END,
};

static void on_guard(evutil_socket_t fd, short what, void *arg)
{
	ck_abort_msg("the loop did not finish within 10 s");
}

static void on_disconnect(struct bus_event *be, int reason, void *userdata)
{
	struct ctx *c = userdata;

	c->disconnects++;
	c->last_reason = reason;
	/* detaching from inside the callback must be safe */
	if (be == c->be_client)
		c->be_client = bus_event_detach(be);
	else
		c->be_server = bus_event_detach(be);
	if (c->disconnects == 2)
		event_base_loopexit(c->base, NULL);
}

static void maybe_done(struct ctx *c)
{
	if (c->replies >= 1 && c->signals >= 1)
		event_base_loopexit(c->base, NULL);
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctx *c = userdata;
	const char *s;

	ck_assert_msg(!sd_bus_message_is_method_error(m, NULL), "Echo failed: %s",
		      sd_bus_message_get_error(m)->message);
	ck_assert_int_ge(sd_bus_message_read(m, "s", &s), 0);
	snprintf(c->echoed, sizeof(c->echoed), "%s", s);
	c->replies++;
	maybe_done(c);
	return 0;
}

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctx *c = userdata;
	const char *s;

	ck_assert_int_ge(sd_bus_message_read(m, "s", &s), 0);
	if (!strcmp(s, "hello"))
		c->signals++;
	else
		c->signals += 1000; /* the flood test counts by thousands */
	maybe_done(c);
	return 0;
}

/* The client's first steps; from a server callback, so the client bus needs a kick. */
static void start_echo(struct ctx *c)
{
	ck_assert_int_ge(sd_bus_match_signal_async(c->client, NULL, NULL, PATH, IFACE, "Pinged",
						   on_signal, NULL, c),
			 0);
	ck_assert_int_ge(sd_bus_call_method_async(c->client, NULL, NAME, PATH, IFACE, "Echo",
						  on_reply, c, "s", "hello"),
			 0);
	bus_event_kick(c->be_client);
}

static int on_name(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctx *c = userdata;

	ck_assert_msg(!sd_bus_message_is_method_error(m, NULL), "RequestName failed");
	c->after_name(c);
	return 0;
}

static void setup(void)
{
	struct timeval ten = { 10, 0 };

	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(test_dbus_start(&ctx.dbus, NULL), 0);
	ctx.base = event_base_new();
	ck_assert_ptr_nonnull(ctx.base);
	ctx.guard = evtimer_new(ctx.base, on_guard, NULL);
	evtimer_add(ctx.guard, &ten);
	ck_assert_int_ge(test_dbus_connect(&ctx.dbus, &ctx.server), 0);
	ck_assert_int_ge(test_dbus_connect(&ctx.dbus, &ctx.client), 0);
	ck_assert_int_ge(sd_bus_add_object_vtable(ctx.server, NULL, PATH, IFACE, vtable, &ctx), 0);
	ck_assert_int_ge(sd_bus_request_name_async(ctx.server, NULL, NAME, 0, on_name, &ctx), 0);
	ck_assert_int_eq(
		bus_event_attach(ctx.server, ctx.base, on_disconnect, &ctx, &ctx.be_server), 0);
	ck_assert_int_eq(
		bus_event_attach(ctx.client, ctx.base, on_disconnect, &ctx, &ctx.be_client), 0);
}

static void teardown(void)
{
	bus_event_detach(ctx.be_server);
	bus_event_detach(ctx.be_client);
	sd_bus_flush_close_unref(ctx.server);
	sd_bus_flush_close_unref(ctx.client);
	if (ctx.timer)
		event_free(ctx.timer);
	event_free(ctx.guard);
	event_base_free(ctx.base);
	test_dbus_stop(&ctx.dbus);
}

START_TEST(test_round_trip_and_signal)
{
	ctx.after_name = start_echo;
	ck_assert_int_eq(event_base_dispatch(ctx.base), 0);
	ck_assert_int_eq(ctx.replies, 1);
	ck_assert_int_eq(ctx.signals, 1);
	ck_assert_str_eq(ctx.echoed, "hello");
	ck_assert_int_eq(ctx.disconnects, 0);
	ck_assert_ptr_eq(bus_event_bus(ctx.be_client), ctx.client);
}
END_TEST

/* The server detaches its glue inside its own method handler: reply still delivered. */
START_TEST(test_detach_inside_callback)
{
	ctx.detach_in_echo = true;
	ctx.after_name = start_echo;
	ck_assert_int_eq(event_base_dispatch(ctx.base), 0);
	ck_assert_int_eq(ctx.replies, 1);
	ck_assert_ptr_null(ctx.be_server);
}
END_TEST

static int on_silent_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctx *c = userdata;

	ck_assert(sd_bus_message_is_method_error(m, SD_BUS_ERROR_NO_REPLY));
	c->call_ended = now_usec();
	c->timeouts++;
	event_base_loopexit(c->base, NULL);
	return 0;
}

/* From a plain libevent timer: the call's 200 ms timeout only fires if the glue re-arms. */
static void call_silent(evutil_socket_t fd, short what, void *arg)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	struct ctx *c = arg;

	ck_assert_int_ge(sd_bus_message_new_method_call(c->client, &m, NAME, PATH, IFACE, "Silent"),
			 0);
	c->call_started = now_usec();
	ck_assert_int_ge(sd_bus_call_async(c->client, NULL, m, on_silent_reply, c, 200000), 0);
	bus_event_kick(c->be_client);
}

static void schedule_silent(struct ctx *c)
{
	struct timeval zero = { 0, 0 };

	c->timer = evtimer_new(c->base, call_silent, c);
	evtimer_add(c->timer, &zero);
}

START_TEST(test_call_timeout_after_kick)
{
	ctx.after_name = schedule_silent;
	ck_assert_int_eq(event_base_dispatch(ctx.base), 0);
	ck_assert_int_eq(ctx.timeouts, 1);
	ck_assert_uint_ge(ctx.call_ended - ctx.call_started, 200000);
	ck_assert_uint_lt(ctx.call_ended - ctx.call_started, 2000000);
}
END_TEST

static void kill_bus(struct ctx *c)
{
	test_dbus_kill(&c->dbus);
}

/* The dbus-daemon dies: both connections report it once, nothing crashes or exits. */
START_TEST(test_disconnect)
{
	ctx.after_name = kill_bus;
	ck_assert_int_eq(event_base_dispatch(ctx.base), 0);
	ck_assert_int_eq(ctx.disconnects, 2);
	ck_assert_int_lt(ctx.last_reason, 0);
	ck_assert_ptr_null(ctx.be_client);
	ck_assert_ptr_null(ctx.be_server);
	/* a kick on a dead bus is harmless */
	bus_event_kick(NULL);
}
END_TEST

#define FLOOD 300

static void flood(evutil_socket_t fd, short what, void *arg)
{
	struct ctx *c = arg;

	for (int i = 0; i < FLOOD; i++)
		ck_assert_int_ge(sd_bus_emit_signal(c->server, PATH, IFACE, "Pinged", "s", "x"), 0);
	bus_event_kick(c->be_server);
}

static int on_match_installed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctx *c = userdata;
	struct timeval zero = { 0, 0 };

	c->timer = evtimer_new(c->base, flood, c);
	evtimer_add(c->timer, &zero);
	return 0;
}

static int on_flood_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctx *c = userdata;

	if (++c->signals == FLOOD)
		event_base_loopexit(c->base, NULL);
	return 0;
}

static void start_flood(struct ctx *c)
{
	ck_assert_int_ge(sd_bus_match_signal_async(c->client, NULL, NULL, PATH, IFACE, "Pinged",
						   on_flood_signal, on_match_installed, c),
			 0);
	bus_event_kick(c->be_client);
}

/* More messages than one processing batch: all arrive, in later loop turns. */
START_TEST(test_flood)
{
	ctx.after_name = start_flood;
	ck_assert_int_eq(event_base_dispatch(ctx.base), 0);
	ck_assert_int_eq(ctx.signals, FLOOD);
}
END_TEST

/* ---- the .debug interface as stafd and stacd publish it (bus-util.c) ------------------------- */

static const struct sys_conf debug_sys = {
	.nqn = "nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-000000000001",
	.id = "00000000-0000-0000-0000-000000000001",
};

static int method_process_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctx *c = userdata;
	struct bus_process_facts f = {
		.sys = &debug_sys,
		.conf_path = "/etc/stas/stafd.conf",
		.state_dir = "/run/stafd",
		.soak = c->timer,
		.soak_ms = 1500,
		.controllers = 2,
	};

	return bus_reply_json(m, bus_process_info(&f));
}

static const sd_bus_vtable debug_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_WRITABLE_PROPERTY("tron", "b", bus_tron_get, bus_tron_set, 0,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("log_level", "s", bus_log_level_get, 0, 0),
	SD_BUS_METHOD("process_info", "", "s", method_process_info, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

static int on_process_info(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctx *c = userdata;
	enum json_tokener_error err;
	const char *s;

	ck_assert_msg(!sd_bus_message_is_method_error(m, NULL), "process_info failed: %s",
		      sd_bus_message_get_error(m)->message);
	ck_assert_int_ge(sd_bus_message_read(m, "s", &s), 0);
	c->info = json_tokener_parse_verbose(s, &err);
	ck_assert_msg(err == json_tokener_success, "not JSON: %s", s);
	event_base_loopexit(c->base, NULL);
	return 0;
}

static int on_log_level(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctx *c = userdata;
	const char *s;

	ck_assert_msg(!sd_bus_message_is_method_error(m, NULL), "Get log_level failed: %s",
		      sd_bus_message_get_error(m)->message);
	ck_assert_int_ge(sd_bus_message_read(m, "v", "s", &s), 0);
	snprintf(c->log_level, sizeof(c->log_level), "%s", s);
	ck_assert_int_ge(sd_bus_call_method_async(c->client, NULL, NAME, PATH, DEBUG,
						  "process_info", on_process_info, c, ""),
			 0);
	return 0;
}

static void nop(evutil_socket_t fd, short what, void *arg)
{
}

static void start_debug(struct ctx *c)
{
	struct timeval soak = { 1, 500000 };

	/* a config soak timer that runs */
	c->timer = evtimer_new(c->base, nop, c);
	evtimer_add(c->timer, &soak);
	ck_assert_int_ge(sd_bus_call_method_async(c->client, NULL, NAME, PATH,
						  "org.freedesktop.DBus.Properties", "Get",
						  on_log_level, c, "ss", DEBUG, "log_level"),
			 0);
	bus_event_kick(c->be_client);
}

static const char *info_str(const char *key)
{
	json_object *v;

	ck_assert_msg(json_object_object_get_ex(ctx.info, key, &v), "no '%s'", key);
	ck_assert_msg(json_object_is_type(v, json_type_string), "'%s' is not a string", key);
	return json_object_get_string(v);
}

static void info_null(const char *key)
{
	json_object *v = (json_object *)1;

	ck_assert_msg(json_object_object_get_ex(ctx.info, key, &v), "no '%s'", key);
	ck_assert_msg(v == NULL, "'%s' is %s, not null", key, json_object_to_json_string(v));
}

/* nvme-stas's types: tron a boolean, Python's level names, null for what is absent. */
START_TEST(test_debug_iface)
{
	json_object *v;
	const char *timer;

	log_set_level(LOG_NOTICE);
	ck_assert_int_ge(
		sd_bus_add_object_vtable(ctx.server, NULL, PATH, DEBUG, debug_vtable, &ctx), 0);
	ctx.after_name = start_debug;
	ck_assert_int_eq(event_base_dispatch(ctx.base), 0);
	log_set_level(LOG_INFO);
	ck_assert_str_eq(ctx.log_level, "INFO");
	ck_assert_ptr_nonnull(ctx.info);

	ck_assert(json_object_object_get_ex(ctx.info, "tron", &v));
	ck_assert_msg(json_object_is_type(v, json_type_boolean), "tron: %s",
		      json_object_to_json_string(v));
	ck_assert(!json_object_get_boolean(v));
	ck_assert_str_eq(info_str("log-level"), "INFO");
	ck_assert_str_eq(info_str("hostnqn"), debug_sys.nqn);
	ck_assert_str_eq(info_str("hostid"), debug_sys.id);
	info_null("hostkey");
	info_null("symname");
	ck_assert_str_eq(info_str("last known config file"), "/run/stafd/last-known-config.json");
	timer = info_str("config soak timer");
	ck_assert_msg(!strncmp(timer, "1.5s [1.", 8) && !strcmp(timer + strlen(timer) - 2, "s]"),
		      "config soak timer: %s", timer);
	ck_assert_str_eq(info_str("kernel support.TP8013"), "True");
	ck_assert_str_eq(info_str("kernel support.host_iface"), "True");
	info_null("terminator.audit timer");
	/* the CLIs' status puts the controller list under "controllers" */
	ck_assert(!json_object_object_get_ex(ctx.info, "controllers", NULL));
	ck_assert_str_eq(info_str("controller count"), "2");
	json_object_put(ctx.info);
}
END_TEST

static Suite *bus_event_suite(void)
{
	Suite *s = suite_create("bus-event");
	TCase *tc = tcase_create("private dbus-daemon");

	test_dbus_require("bus-event");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip_and_signal);
	tcase_add_test(tc, test_detach_inside_callback);
	tcase_add_test(tc, test_call_timeout_after_kick);
	tcase_add_test(tc, test_disconnect);
	tcase_add_test(tc, test_flood);
	tcase_add_test(tc, test_debug_iface);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(bus_event_suite)
