// SPDX-License-Identifier: Apache-2.0
/*
 * stacd following stafd (stacd-follow.c) on a private dbus-daemon, with a
 * scripted stafd that owns org.nvmexpress.staf and counts the questions:
 * look-alike signals from anyone else change nothing; a steady stream of
 * stafd's own signals is fetched at least every FOLLOW_SOAK_MAX_MS; an
 * answer that is not the JSON expected is asked again.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include <event2/event.h>

#include "check-main.h"
#include "common/bus-event.h"
#include "stacd-follow.h"
#include "stas/ntcp-conn.h"
#include "test-dbus.h"

#define NAME  "org.nvmexpress.staf"
#define PATH  "/org/nvmexpress/staf"
#define IFACE "org.nvmexpress.staf"

/* get_all_log_pages(true): one DC, one I/O subsystem in its log */
static const char *answer_ok =
	"[{\"discovery-controller\":{\"transport\":\"tcp\",\"traddr\":\"192.0.2.1\","
	"\"trsvcid\":\"8009\",\"host-traddr\":\"\",\"host-iface\":\"\",\"subsysnqn\":"
	"\"nqn.2014-08.org.nvmexpress.discovery\",\"host-nqn\":\"nqn.2014-08.org.example:h\"},"
	"\"log-pages\":[{\"trtype\":\"tcp\",\"adrfam\":\"ipv4\",\"subtype\":\"nvme\","
	"\"portid\":\"1\",\"trsvcid\":\"4420\",\"subnqn\":\"nqn.2014-08.org.example:s1\","
	"\"traddr\":\"192.0.2.1\",\"eflags\":\"0\"}]}]";

static struct {
	struct test_dbus dbus;
	struct event_base *base;
	sd_bus *stafd, *stacd, *spoofer;
	struct bus_event *be_stafd, *be_stacd, *be_spoofer;
	struct follow *f;
	unsigned calls, changes;
	bool garbage; /* the next answer is not JSON */
	uint64_t call_us[64];
} t;

static int m_get_all(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	if (t.calls < 64)
		t.call_us[t.calls] = stas_now_us();
	t.calls++;
	if (t.garbage) {
		t.garbage = false;
		return sd_bus_reply_method_return(m, "s", "<html>garbage");
	}
	return sd_bus_reply_method_return(m, "s", answer_ok);
}

static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("get_all_log_pages", "b", "s", m_get_all, 0),
	SD_BUS_SIGNAL("dc_removed", "", 0),
	SD_BUS_VTABLE_END,
};

static void changed(void *arg)
{
	t.changes++;
}

static const struct follow_ops ops = { changed };

static void run_ms(unsigned ms)
{
	uint64_t end = stas_now_us() + (uint64_t)ms * 1000;

	while (stas_now_us() < end) {
		struct timeval tv = { 0, 20000 };

		event_base_loopexit(t.base, &tv);
		event_base_dispatch(t.base);
	}
}

static void send_dc_removed(sd_bus *bus, struct bus_event *be)
{
	ck_assert_int_ge(sd_bus_emit_signal(bus, PATH, IFACE, "dc_removed", ""), 0);
	bus_event_kick(be);
}

static void setup(void)
{
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(test_dbus_start(&t.dbus, NULL), 0);
	t.base = event_base_new();
	ck_assert_int_ge(test_dbus_connect(&t.dbus, &t.stafd), 0);
	ck_assert_int_ge(test_dbus_connect(&t.dbus, &t.stacd), 0);
	ck_assert_int_ge(test_dbus_connect(&t.dbus, &t.spoofer), 0);
	ck_assert_int_ge(sd_bus_add_object_vtable(t.stafd, NULL, PATH, IFACE, vtable, NULL), 0);
	ck_assert_int_ge(sd_bus_request_name(t.stafd, NAME, 0), 0);
	ck_assert_int_ge(sd_bus_add_object_vtable(t.spoofer, NULL, PATH, IFACE, vtable, NULL), 0);
	ck_assert_int_eq(bus_event_attach(t.stafd, t.base, NULL, NULL, &t.be_stafd), 0);
	ck_assert_int_eq(bus_event_attach(t.stacd, t.base, NULL, NULL, &t.be_stacd), 0);
	ck_assert_int_eq(bus_event_attach(t.spoofer, t.base, NULL, NULL, &t.be_spoofer), 0);
	ck_assert_int_eq(follow_new(t.be_stacd, t.base, &ops, NULL, &t.f), 0);
	/* the first question comes one soak after stafd is seen */
	run_ms(FOLLOW_SOAK_MS + 500);
	ck_assert_uint_eq(t.calls, 1);
	ck_assert_uint_eq(t.changes, 1);
}

static void teardown(void)
{
	follow_free(t.f);
	bus_event_detach(t.be_stafd);
	bus_event_detach(t.be_stacd);
	bus_event_detach(t.be_spoofer);
	sd_bus_flush_close_unref(t.stafd);
	sd_bus_flush_close_unref(t.stacd);
	sd_bus_flush_close_unref(t.spoofer);
	event_base_free(t.base);
	test_dbus_stop(&t.dbus);
}

START_TEST(test_look_alike_signals_ignored)
{
	const struct follow_ioc *v;

	ck_assert_uint_eq(follow_iocs(t.f, &v), 1);
	for (int i = 0; i < 12; i++) {
		send_dc_removed(t.spoofer, t.be_spoofer);
		run_ms(250);
	}
	run_ms(FOLLOW_SOAK_MS + 500);
	ck_assert_uint_eq(t.calls, 1);
	send_dc_removed(t.stafd, t.be_stafd);
	run_ms(FOLLOW_SOAK_MS + 500);
	ck_assert_uint_eq(t.calls, 2);
}
END_TEST

START_TEST(test_steady_stream_still_fetched)
{
	uint64_t t0 = stas_now_us();

	/* a signal every 0.5 s for 7 s: each one alone would push the soak past it */
	while (stas_now_us() - t0 < 7000000) {
		send_dc_removed(t.stafd, t.be_stafd);
		run_ms(500);
	}
	ck_assert_uint_ge(t.calls, 2);
	for (unsigned i = 2; i < t.calls && i < 64; i++)
		ck_assert_uint_le(t.call_us[i] - t.call_us[i - 1],
				  FOLLOW_SOAK_MAX_MS * 1000 + 300000);
}
END_TEST

START_TEST(test_garbage_answer_asked_again)
{
	const struct follow_ioc *v;

	t.garbage = true;
	send_dc_removed(t.stafd, t.be_stafd);
	run_ms(FOLLOW_SOAK_MS + 500);
	ck_assert_uint_eq(t.calls, 2);
	ck_assert_uint_eq(t.changes, 1); /* the previous list is kept */
	ck_assert_uint_eq(follow_iocs(t.f, &v), 1);
	run_ms(6000); /* the retry, without any signal */
	ck_assert_uint_eq(t.calls, 3);
	ck_assert_uint_eq(t.changes, 2);
}
END_TEST

/*
 * Each I/O controller keeps its entry as nvme-stas's stacd shows it in
 * list_controllers(true): str() of the dict json.loads() made, members in
 * the order stafd sent them, values of any JSON type.
 */
START_TEST(test_parse_keeps_entry_text)
{
	static const char *answer =
		"[{\"discovery-controller\": {\"host-traddr\": \"\", \"host-iface\": \"\", "
		"\"host-nqn\": \"nqn.2014-08.org.example:h\"}, \"log-pages\": ["
		"{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"192.0.2.3\", "
		"\"trsvcid\": \"4420\", \"subnqn\": \"nqn.2014-08.org.example:s1\", "
		"\"subtype\": \"nvme\", \"treq\": \"it's\", \"tsas\": \"{'sectype': 'none'}\", "
		"\"portid\": \"1\", \"cntlid\": 65535, \"asqsz\": \"32\", \"eflags\": \"4\"}]}]";
	/* what Python prints for str(json.loads(answer)[0]['log-pages'][0]) */
	static const char *expect =
		"{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.0.2.3', 'trsvcid': '4420', "
		"'subnqn': 'nqn.2014-08.org.example:s1', 'subtype': 'nvme', 'treq': \"it's\", "
		"'tsas': \"{'sectype': 'none'}\", 'portid': '1', 'cntlid': 65535, 'asqsz': '32', "
		"'eflags': '4'}";
	struct follow_ioc *v = NULL;
	size_t n = 0, bad = 0;

	ck_assert_int_eq(follow_parse(answer, &v, &n, &bad), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(v[0].eflags, 4);
	ck_assert_str_eq(v[0].dlpe, expect);
	follow_iocs_free(v, n);
}
END_TEST

/* The text of stafd's answer reaches follow_iocs(), for stacd's IOC details. */
START_TEST(test_answer_keeps_entry_text)
{
	static const char *expect =
		"{'trtype': 'tcp', 'adrfam': 'ipv4', 'subtype': 'nvme', 'portid': '1', "
		"'trsvcid': '4420', 'subnqn': 'nqn.2014-08.org.example:s1', 'traddr': '192.0.2.1', "
		"'eflags': '0'}";
	const struct follow_ioc *v;

	ck_assert_uint_eq(follow_iocs(t.f, &v), 1);
	ck_assert_str_eq(v[0].dlpe, expect);
}
END_TEST

/* Text stafd sends ends up in stacd's replies: an entry with a byte the wire cannot carry goes. */
START_TEST(test_unprintable_entry_skipped)
{
	static const char *answer =
		"[{\"discovery-controller\":{\"host-traddr\":\"\",\"host-iface\":\"\","
		"\"host-nqn\":\"nqn.2014-08.org.example:h\"},\"log-pages\":["
		"{\"trtype\":\"tcp\",\"subtype\":\"nvme\",\"trsvcid\":\"4420\",\"subnqn\":"
		"\"nqn.2014-08.org.example:s\\u0001\",\"traddr\":\"192.0.2.1\"},"
		"{\"trtype\":\"tcp\",\"subtype\":\"nvme\",\"trsvcid\":\"4420\",\"subnqn\":"
		"\"nqn.2014-08.org.example:s\u00e9\",\"traddr\":\"192.0.2.1\"},"
		"{\"trtype\":\"tcp\",\"subtype\":\"nvme\",\"trsvcid\":\"4420\",\"subnqn\":"
		"\"nqn.2014-08.org.example:s2\",\"traddr\":\"192.0.2.1\"}]}]";
	struct follow_ioc *v = NULL;
	size_t n = 0, bad = 0;

	ck_assert_int_eq(follow_parse(answer, &v, &n, &bad), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(bad, 2);
	ck_assert_str_eq(v[0].tid.subsysnqn, "nqn.2014-08.org.example:s2");
	follow_iocs_free(v, n);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("follow");
	TCase *tc = tcase_create("follow");
	TCase *parse = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_look_alike_signals_ignored);
	tcase_add_test(tc, test_steady_stream_still_fetched);
	tcase_add_test(tc, test_garbage_answer_asked_again);
	tcase_add_test(tc, test_answer_keeps_entry_text);
	suite_add_tcase(s, tc);
	tcase_add_test(parse, test_parse_keeps_entry_text);
	tcase_add_test(parse, test_unprintable_entry_skipped);
	suite_add_tcase(s, parse);
	return s;
}

static Suite *suite_if_bus(void)
{
	test_dbus_require("follow");
	return suite();
}

STAS_CHECK_MAIN(suite_if_bus)
