// SPDX-License-Identifier: Apache-2.0
/*
 * tron's asynchronous root check against a private dbus-daemon, at the edge
 * the daemons' own test cannot time: the daemon stops while the bus has not
 * yet said who the caller is. Both connections are driven by hand, one
 * message at a time, so the stop falls exactly between the Set and the
 * bus's answer.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "check-main.h"
#include "common/bus-event.h"
#include "common/bus-tron.h"
#include "common/bus-util.h"
#include "common/log.h"
#include "test-dbus.h"

#define NAME  "org.stas.TronTest"
#define PATH  "/org/stas/TronTest"
#define DEBUG "org.stas.TronTest.debug"

static const sd_bus_vtable debug_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_WRITABLE_PROPERTY("tron", "b", bus_tron_get, bus_tron_set, 0,
				 SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("log_level", "s", bus_log_level_get, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_VTABLE_END,
};

static struct {
	struct test_dbus dbus;
	struct event_base *base;
	sd_bus *server, *client;
	struct bus_event *be;
	struct bus_object obj;
	bool owned, saw_set, answered;
	char error[128];
} t;

static void owned(void *ud, int err)
{
	ck_assert_int_eq(err, 0);
	t.owned = true;
}

static int on_server_message(sd_bus_message *m, void *ud, sd_bus_error *unused)
{
	if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "Set"))
		t.saw_set = true;
	return 0;
}

static int on_set_reply(sd_bus_message *m, void *ud, sd_bus_error *unused)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);

	snprintf(t.error, sizeof(t.error), "%s", e ? e->name : "");
	t.answered = true;
	return 0;
}

/* One message at a time on @bus until *@flag, within 10 s. */
static void pump_until(sd_bus *bus, const bool *flag)
{
	time_t end = time(NULL) + 10;
	int r;

	while (!*flag) {
		ck_assert_msg(time(NULL) < end, "timed out");
		r = sd_bus_process(bus, NULL);
		ck_assert_int_ge(r, 0);
		if (r == 0)
			ck_assert_int_ge(sd_bus_wait(bus, 100000), 0);
	}
}

static void setup(void)
{
	static const struct bus_iface ifaces[] = {
		{ DEBUG, debug_vtable, true },
		{ NULL, NULL },
	};

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(test_dbus_start(&t.dbus, NULL), 0);
	t.base = event_base_new();
	ck_assert_ptr_nonnull(t.base);
	ck_assert_int_ge(test_dbus_connect(&t.dbus, &t.server), 0);
	ck_assert_int_ge(test_dbus_connect(&t.dbus, &t.client), 0);
	/* attached as in the daemons, but the loop never runs: the test drives the bus */
	ck_assert_int_eq(bus_event_attach(t.server, t.base, NULL, NULL, &t.be), 0);
	ck_assert_int_ge(sd_bus_add_filter(t.server, NULL, on_server_message, NULL), 0);
	ck_assert_int_eq(bus_object_publish(&t.obj, t.be, PATH, ifaces, NULL, NAME, owned), 0);
	pump_until(t.server, &t.owned);
}

static void teardown(void)
{
	sd_bus_flush_close_unref(t.client);
	event_base_free(t.base);
	test_dbus_stop(&t.dbus);
}

/*
 * The daemon stops (daemon_finish()'s order) with the uid query unanswered: the caller is
 * answered, and nothing is left holding the bus (LeakSanitizer would see the connection).
 */
START_TEST(test_stop_while_asking)
{
	ck_assert_int_ge(sd_bus_call_method_async(t.client, NULL, NAME, PATH,
						  "org.freedesktop.DBus.Properties", "Set",
						  on_set_reply, NULL, "ssv", DEBUG, "tron", "b", 1),
			 0);
	ck_assert_int_ge(sd_bus_flush(t.client), 0);
	pump_until(t.server, &t.saw_set);

	bus_object_unpublish(&t.obj);
	bus_close_system(t.be);
	t.server = sd_bus_unref(t.server);

	pump_until(t.client, &t.answered);
	ck_assert_str_eq(t.error, SD_BUS_ERROR_FAILED);
	ck_assert_int_eq(log_get_level(), LOG_INFO); /* tron unchanged */
}
END_TEST

/* The usual way, for contrast: the bus answers and root (the test) gets its way. */
START_TEST(test_answered)
{
	ck_assert_int_ge(sd_bus_call_method_async(t.client, NULL, NAME, PATH,
						  "org.freedesktop.DBus.Properties", "Set",
						  on_set_reply, NULL, "ssv", DEBUG, "tron", "b", 0),
			 0);
	ck_assert_int_ge(sd_bus_flush(t.client), 0);
	pump_until(t.server, &t.saw_set);
	for (time_t end = time(NULL) + 10; !t.answered;) {
		ck_assert_msg(time(NULL) < end, "timed out");
		ck_assert_int_ge(sd_bus_process(t.server, NULL), 0);
		ck_assert_int_ge(sd_bus_process(t.client, NULL), 0);
		ck_assert_int_ge(sd_bus_wait(t.client, 10000), 0);
	}
	ck_assert_msg(!*t.error || geteuid() != 0, "root refused: %s", t.error);
	bus_object_unpublish(&t.obj);
	bus_close_system(t.be);
	t.server = sd_bus_unref(t.server);
}
END_TEST

static Suite *bus_tron_suite(void)
{
	Suite *s = suite_create("bus-tron");
	TCase *tc = tcase_create("private dbus-daemon");

	test_dbus_require("bus-tron");
	log_set_level(LOG_INFO);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stop_while_asking);
	tcase_add_test(tc, test_answered);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(bus_tron_suite)
