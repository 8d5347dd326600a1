// SPDX-License-Identifier: Apache-2.0
/*
 * stafd finds a discovery controller through zeroconf, end to end: a real
 * avahi-daemon and avahi-publish in the mDNS test bed (tests/daemon/mdns-bed.h:
 * a network namespace of the test's own), the in-tree target emulator
 * (stas-target-emu) listening at the announced address and port, and stafd as
 * a process with no controller= at all. Avahi and stafd share one private
 * dbus-daemon whose policy is the system-like default plus the installed
 * policy files of both names. The test sees stafd only as a D-Bus client
 * would.
 *
 * Every process gets PR_SET_PDEATHSIG(SIGKILL), and everything on disk lives
 * under one directory that main() removes, so a failed assertion (which ends
 * Check's test process before any teardown) leaves nothing behind.
 *
 * stafd purges mDNS DCs from a reconcile: after a change (1.5 s soak), or on
 * its own when a DC's persistence runs out (its purge timer is set for that
 * moment). Where a test needs a reconcile at a given moment it sends SIGHUP
 * (a reload reconciles at once).
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon-run.h"
#include "emu-ctl-client.h"
#include "mdns-bed.h"
#include "stas/cleanup.h"
#include "test-util.h"

#define DISC_NQN      "nqn.2014-08.org.nvmexpress.discovery"
#define EMU_NQN	      "nqn.2014-08.org.example:emu-p1-s1" /* port 1's own subsystem */
#define DC_PORT	      "18009"
#define DC_NAME	      "stas-dc"
#define DC_TYPE	      "_nvme-disc._tcp"

#define STAF_NAME     "org.nvmexpress.staf"
#define STAF_PATH     "/org/nvmexpress/staf"
#define STAF_IFACE    "org.nvmexpress.staf"
#define STAF_DEBUG    "org.nvmexpress.staf.debug"

#define PERSISTENCE_S 3
#define CONF                                                                                       \
	"[Service Discovery]\n"                                                                    \
	"zeroconf = enabled\n"                                                                     \
	"[Discovery controller connection management]\n"                                           \
	"zeroconf-connections-persistence = 3\n"

static char *top_dir; /* made by main(), removed after all tests, whatever happened */

static struct {
	char *dir; /* this test's: the bed's logs, the emulator's socket, $TMPDIR */
	struct mdns_bed bed;
	struct daemon_run d;
	pid_t emu;
	int pub;
	int removed; /* dc_removed signals seen */
	sd_bus_slot *removed_slot;
} t;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

/* ---- logs ------------------------------------------------------------------------------------ */

static void dump_file(const char *name)
{
	char path[512], buf[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", t.dir, name);
	fprintf(stderr, "---- %s ----\n", name);
	f = fopen(path, "re");
	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(f);
}

static void dump_logs(void)
{
	static const char *const names[] = { "avahi.log", "publish.log", "emu.log", "setup.log" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		dump_file(names[i]);
	if (t.d.dir[0])
		fprintf(stderr, "---- stafd.log ----\n%s", daemon_run_log(&t.d));
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			dump_logs();                                                               \
			ck_abort_msg(__VA_ARGS__);                                                 \
		}                                                                                  \
	} while (0)

/* ---- the emulator ---------------------------------------------------------------------------- */

/* stas-target-emu with one discovery port at the address and port mDNS announces. */
static void emu_start(void)
{
	char ctl[512], log[512];
	uint64_t end = now_ms() + 10000;
	const char *emu = test_env("STAS_TARGET_EMU");

	snprintf(ctl, sizeof(ctl), "%s/emu.sock", t.dir);
	t.emu = mdns_spawn(&t.bed, "emu.log", false,
			   (char *const[]){ (char *)emu, "--listen", MDNS_ADDR, "--base-port",
					    DC_PORT, "--discovery-ports", "1", "--ctl", ctl, "-v",
					    NULL });
	snprintf(log, sizeof(log), "%s/emu.log", t.dir);
	for (;;) {
		_cleanup_free_ char *text = NULL;
		FILE *f = fopen(log, "re");
		size_t n = 0;
		ssize_t got = -1;

		if (f) {
			got = getdelim(&text, &n, '\0', f);
			ck_assert(got >= 0 ||
				  feof(f)); /* -1 while the emulator has written nothing */
			fclose(f);
		}
		if (got > 0 && strstr(text, "\nREADY\n"))
			return;
		CHECK(now_ms() < end, "stas-target-emu did not say READY within 10 s");
		usleep(20000);
	}
}

/* One line on the control socket; wants OK. */
static void emu_ctl(const char *cmd)
{
	char path[512], buf[4096];
	int r;

	snprintf(path, sizeof(path), "%s/emu.sock", t.dir);
	r = emu_ctl_send(path, cmd, buf, sizeof(buf));
	CHECK(r == 0, "emulator: '%s': %s (%s)", cmd, buf, strerror(-r));
}

/* ---- stafd over D-Bus ------------------------------------------------------------------------ */

/* list_controllers(true) as a JSON array of flat objects. */
static json_object *controllers(void)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	json_object *arr = json_object_new_array();
	const char *k, *v;
	int r;

	r = sd_bus_call_method(t.d.client, STAF_NAME, STAF_PATH, STAF_IFACE, "list_controllers",
			       &err, &reply, "b", 1);
	CHECK(r >= 0, "list_controllers: %s", err.message);
	ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "a{ss}"), 0);
	while ((r = sd_bus_message_enter_container(reply, 'a', "{ss}")) > 0) {
		json_object *o = json_object_new_object();

		while ((r = sd_bus_message_read(reply, "{ss}", &k, &v)) > 0)
			json_object_object_add(o, k, json_object_new_string(v));
		ck_assert_int_ge(r, 0);
		ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
		json_object_array_add(arr, o);
	}
	ck_assert_int_ge(r, 0);
	return arr;
}

static json_object *call_json(const char *iface, const char *method, const char *sig, ...)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	const char *text;
	json_object *o;
	va_list ap;
	int r;

	ck_assert_int_ge(sd_bus_message_new_method_call(t.d.client, &call, STAF_NAME, STAF_PATH,
							iface, method),
			 0);
	va_start(ap, sig);
	r = sd_bus_message_appendv(call, sig, ap);
	va_end(ap);
	ck_assert_int_ge(r, 0);
	r = sd_bus_call(t.d.client, call, 0, &err, &reply);
	CHECK(r >= 0, "%s: %s", method, err.message);
	ck_assert_int_ge(sd_bus_message_read(reply, "s", &text), 0);
	o = json_tokener_parse(text);
	CHECK(o, "%s: not JSON: %s", method, text);
	return o;
}

static const char *sget(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

/* The announced DC in a list of controller dicts (borrowed), or NULL. */
static json_object *our_dc(json_object *list)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *c = json_object_array_get_idx(list, i), *dc;

		/* get_all_log_pages nests the dict */
		if (json_object_object_get_ex(c, "discovery-controller", &dc))
			c = dc;
		if (!strcmp(sget(c, "traddr"), MDNS_ADDR) && !strcmp(sget(c, "trsvcid"), DC_PORT))
			return json_object_array_get_idx(list, i);
	}
	return NULL;
}

/* The log entries stafd holds for the DC (a new reference), or NULL. */
static json_object *our_log(void)
{
	_cleanup_(json_putp) json_object *all = call_json(STAF_IFACE, "get_all_log_pages", "b", 1);
	json_object *e = our_dc(all), *pages;

	if (!e || !json_object_object_get_ex(e, "log-pages", &pages))
		return NULL;
	return json_object_get(pages);
}

static bool log_has(json_object *pages, const char *subnqn)
{
	for (size_t i = 0; pages && i < json_object_array_length(pages); i++)
		if (!strcmp(sget(json_object_array_get_idx(pages, i), "subnqn"), subnqn))
			return true;
	return false;
}

/* Whether stafd's log of the announced DC lists @subnqn now. */
static bool our_log_has(const char *subnqn)
{
	_cleanup_(json_putp) json_object *pages = our_log();

	return log_has(pages, subnqn);
}

/* The announced DC's dict now (a new reference), or NULL when stafd does not hold it. */
static json_object *dc_now(void)
{
	_cleanup_(json_putp) json_object *list = controllers();
	json_object *c = our_dc(list);

	return c ? json_object_get(c) : NULL;
}

static bool connected(void)
{
	_cleanup_(json_putp) json_object *c = dc_now();

	return c && !strcmp(sget(c, "connected"), "True");
}

static bool held(void)
{
	_cleanup_(json_putp) json_object *c = dc_now();

	return c != NULL;
}

/* How many services stafd's zeroconf reports in process_info. */
static size_t mdns_services(void)
{
	_cleanup_(json_putp) json_object *info = call_json(STAF_DEBUG, "process_info", "");
	json_object *avahi, *svcs;

	if (!json_object_object_get_ex(info, "avahi", &avahi) ||
	    !json_object_object_get_ex(avahi, "services", &svcs))
		return 0;
	return (size_t)json_object_object_length(svcs);
}

/* Pump the bus (signals) while waiting for @cond, at most @ms; returns the time it took. */
#define WAIT_FOR(cond, ms, ...)                                                                    \
	({                                                                                         \
		uint64_t _t0 = now_ms();                                                           \
		while (!(cond)) {                                                                  \
			CHECK(now_ms() - _t0 < (ms), __VA_ARGS__);                                 \
			daemon_run_pump(&t.d, 100);                                                \
		}                                                                                  \
		now_ms() - _t0;                                                                    \
	})

static int on_dc_removed(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	t.removed++;
	return 0;
}

/* SIGHUP: a reload reconciles at once, which is when stafd purges. */
static void reconcile(void)
{
	t.d.notified[0] = '\0';
	daemon_run_signal(&t.d, SIGHUP);
	CHECK(daemon_run_wait_notify(&t.d, "RELOADING=1", 5000), "no RELOADING=1");
	CHECK(daemon_run_wait_notify(&t.d, "READY=1", 5000), "no READY=1 after the reload");
	daemon_run_pump(&t.d, 200);
}

/* Wait until stafd purges the DC on its own, @due_in_ms from now. */
static void expect_purge(unsigned due_in_ms)
{
	uint64_t took = WAIT_FOR(!held(), due_in_ms + 2000, "the DC was not purged");

	printf("purged %.2f s after it became due\n", ((double)took - due_in_ms) / 1000.0);
	/* it became unreachable up to one poll (100 ms) before the caller noticed */
	CHECK(took + 200 >= due_in_ms, "purged %.1f s early", ((double)due_in_ms - took) / 1000.0);
	WAIT_FOR(t.removed >= 1, 1000, "no dc_removed signal");
}

/* ---- the bed --------------------------------------------------------------------------------- */

static const char *avahi_policy(void)
{
	static const char *const where[] = { "/usr/share/dbus-1/system.d/avahi-dbus.conf",
					     "/etc/dbus-1/system.d/avahi-dbus.conf" };

	for (size_t i = 0; i < ARRAY_SIZE(where); i++)
		if (access(where[i], R_OK) == 0)
			return where[i];
	return NULL;
}

static void setup(void)
{
	char path[512];

	memset(&t, 0, sizeof(t));
	t.pub = -1;
	snprintf(path, sizeof(path), "%s/test-XXXXXX", top_dir);
	t.dir = strdup(path);
	ck_assert_ptr_nonnull(mkdtemp(t.dir));
	setenv("TMPDIR", t.dir, 1); /* daemon_run's and the bus's directories go in here */
	t.bed.dir = t.dir;
	t.bed.dump = dump_logs;
	mdns_netns(&t.bed);
	emu_start();
}

static void teardown(void)
{
	sd_bus_slot_unref(t.removed_slot);
	daemon_run_cleanup(&t.d);
	mdns_stop(&t.bed);
	mdns_reap(&t.emu, SIGTERM);
	free(t.dir);
}

/*
 * Bus, avahi-daemon, the announcement, then stafd; returns once stafd holds
 * the DC, connected, with the emulator's log.
 */
static void start(const char *conf)
{
	const char *const policies[] = { test_env("STAS_STAF_POLICY"), avahi_policy(), NULL };
	_cleanup_(json_putp) json_object *c = NULL, *pages = NULL;
	uint64_t took;
	int r;

	r = daemon_run_prepare(&t.d, "stafd", test_env("STAS_STAFD"), policies, conf);
	ck_assert_msg(r == 0, "bus and files: %s", strerror(-r));
	t.bed.bus_addr = t.d.bus.address;
	t.bed.ctl = t.d.client;
	mdns_avahi_start(&t.bed);
	t.pub = mdns_publish(&t.bed, DC_NAME, DC_TYPE, atoi(DC_PORT), "p=tcp", "nqn=" DISC_NQN);
	r = daemon_run_launch(&t.d);
	CHECK(r == 0, "stafd did not become ready (%d)", r);
	ck_assert_int_ge(sd_bus_match_signal(t.d.client, &t.removed_slot, STAF_NAME, STAF_PATH,
					     STAF_IFACE, "dc_removed", on_dc_removed, NULL),
			 0);

	took = WAIT_FOR(connected() && our_log_has(EMU_NQN), 20000,
			"stafd did not connect to the announced DC and fetch its log within 20 s");
	pages = our_log();
	printf("READY to DC connected with its log: %.1f s\n", took / 1000.0);
	c = dc_now();
	ck_assert_str_eq(sget(c, "origin"), "discovered");
	ck_assert_str_eq(sget(c, "connected"), "True");
	ck_assert_str_eq(sget(c, "transport"), "tcp");
	ck_assert_str_eq(sget(c, "subsysnqn"), DISC_NQN);
	ck_assert_str_eq(sget(c, "host-iface"), MDNS_IFACE);
	ck_assert_str_eq(sget(c, "cntrltype"), "discovery");
	/* nvme-stas's Dc.info() for a discovered DC: no countdown while it answers */
	ck_assert_str_eq(sget(c, "unresponsive timer"), "0.0s [off]");
	ck_assert_str_eq(sget(c, "unresponsive timeout"), "3 sec");
	ck_assert_str_eq(sget(c, "unresponsive time"), "---");
	/* the emulator's log: the port itself (subtype 3) and its subsystem */
	ck_assert_uint_eq(json_object_array_length(pages), 2);
	for (size_t i = 0; i < 2; i++) {
		json_object *e = json_object_array_get_idx(pages, i);

		ck_assert_str_eq(sget(e, "traddr"), MDNS_ADDR);
		ck_assert_str_eq(sget(e, "trsvcid"), DC_PORT);
		ck_assert_str_eq(sget(e, "trtype"), "tcp");
	}
	ck_assert(log_has(pages, DISC_NQN));
	daemon_run_pump(&t.d, 100); /* the dc_removed match is in place */
}

/* The emulator stops listening at the announced port; stafd notices. */
static void port_down(void)
{
	_cleanup_(json_putp) json_object *c = NULL, *pages = NULL;

	emu_ctl("port down 1");
	WAIT_FOR(!connected(), 5000, "stafd still connected 5 s after the port went down");
	c = dc_now();
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(sget(c, "origin"), "discovered");
	/* the countdown to the purge runs from the loss: "3.0s [2.9s]", asctime() of the loss */
	ck_assert_msg(!strncmp(sget(c, "unresponsive timer"), "3.0s [", 6) &&
			      !strstr(sget(c, "unresponsive timer"), "off"),
		      "unresponsive timer: %s", sget(c, "unresponsive timer"));
	ck_assert_str_eq(sget(c, "unresponsive timeout"), "3 sec");
	ck_assert_msg(strlen(sget(c, "unresponsive time")) == 24 &&
			      sget(c, "unresponsive time")[3] == ' ',
		      "unresponsive time: %s", sget(c, "unresponsive time"));
	pages = our_log();
	ck_assert(log_has(pages, EMU_NQN)); /* the cache stays */
}

/* ---- tests ----------------------------------------------------------------------------------- */

/*
 * Still announced but unreachable for longer than the persistence: kept.
 * Then the announcement goes: purged by the reconcile that follows.
 */
START_TEST(test_announced_unreachable_kept)
{
	_cleanup_(json_putp) json_object *before = NULL, *after = NULL;
	uint64_t took;

	start(CONF);
	port_down();
	before = dc_now();
	/* longer than zeroconf-connections-persistence, then a reconcile */
	daemon_run_pump(&t.d, PERSISTENCE_S * 1000 + 1000);
	reconcile();
	after = dc_now();
	CHECK(after, "the DC was purged while mDNS still announces it");
	/* the same DC all along: not released and held again */
	CHECK(!strcmp(sget(after, "device"), sget(before, "device")) && t.removed == 0,
	      "the DC was released (%d dc_removed) and held again as %s (was %s)", t.removed,
	      sget(after, "device"), sget(before, "device"));
	ck_assert_uint_eq(mdns_services(), 1);

	mdns_reap(&t.bed.pub[t.pub], SIGTERM); /* a goodbye */
	took = WAIT_FOR(!held(), 10000, "the DC was not purged after its announcement went");
	printf("purged %.1f s after the announcement was withdrawn\n", took / 1000.0);
	WAIT_FOR(t.removed >= 1, 1000, "no dc_removed signal");
	ck_assert_uint_eq(mdns_services(), 0);
	CHECK(daemon_run_stop(&t.d) == 0, "stafd did not exit cleanly");
}
END_TEST

/*
 * The announcement goes while the DC is reachable: kept, still connected.
 * Then it becomes unreachable: kept until the persistence has passed, then
 * purged.
 */
START_TEST(test_withdrawn_kept_until_unreachable)
{
	_cleanup_(json_putp) json_object *c = NULL;
	uint64_t took, lost_ms;

	start(CONF);
	mdns_reap(&t.bed.pub[t.pub], SIGTERM);
	took = WAIT_FOR(mdns_services() == 0, 10000, "stafd's zeroconf still lists the service");
	printf("zeroconf dropped the service %.1f s after the goodbye\n", took / 1000.0);
	/* past the soak, and longer than the persistence */
	daemon_run_pump(&t.d, PERSISTENCE_S * 1000 + 1000);
	c = dc_now();
	CHECK(c, "the DC was dropped when its announcement went");
	ck_assert_str_eq(sget(c, "connected"), "True");
	ck_assert_str_eq(sget(c, "origin"), "discovered");
	ck_assert_int_eq(t.removed, 0);

	port_down(); /* returns once stafd has seen the loss */
	lost_ms = now_ms();
	reconcile(); /* unreachable for less than the persistence: kept */
	CHECK(held(), "the DC was purged before the persistence had passed");
	ck_assert_int_eq(t.removed, 0);
	/* no SIGHUP from here: stafd's purge timer is set for when the persistence runs out */
	expect_purge(PERSISTENCE_S * 1000 - (unsigned)(now_ms() - lost_ms));
	CHECK(daemon_run_stop(&t.d) == 0, "stafd did not exit cleanly");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("stafd-zeroconf");
	TCase *tc = tcase_create("avahi-daemon");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_announced_unreachable_kept);
	tcase_add_test(tc, test_withdrawn_kept_until_unreachable);
	suite_add_tcase(s, tc);
	return s;
}

/* Fails (never skips) without root, the programs, the policy files or the binaries. */
static int preflight(void)
{
	static const char *const vars[] = { "STAS_STAFD", "STAS_STAF_POLICY", "STAS_TARGET_EMU" };

	if (mdns_preflight("test-stafd-zeroconf") < 0)
		return -1;
	if (!avahi_policy()) {
		fprintf(stderr, "test-stafd-zeroconf: no avahi-dbus.conf: install avahi-daemon\n");
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++)
		if (!getenv(vars[i]) || access(getenv(vars[i]), R_OK) < 0) {
			fprintf(stderr, "test-stafd-zeroconf: %s is not set or not there\n",
				vars[i]);
			return -1;
		}
	return 0;
}

int main(void)
{
	if (preflight() < 0)
		return EXIT_FAILURE;
	return run_in_fresh_dir(suite(), "/tmp/stas-zcd-XXXXXX", &top_dir);
}
