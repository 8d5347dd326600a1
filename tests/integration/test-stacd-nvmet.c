// SPDX-License-Identifier: Apache-2.0
/*
 * stacd for real against the kernel's nvmet in the test bed: stafd and
 * stacd as processes on a private dbus-daemon with the project's policies,
 * stafd told about the discovery port only, stacd following it. What a
 * client sees over D-Bus (and stacctl prints) is what is asserted. Every
 * test puts the target back.
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

#include "../unit/check-main.h"
#include "testbed-run.h"
#include "daemon-run.h"
#include "test-util.h"
#include "stas/cleanup.h"

#define TGT(n)	   "nqn.2014-08.org.example:tgt" #n
#define STAC_NAME  "org.nvmexpress.stac"
#define STAC_PATH  "/org/nvmexpress/stac"
#define STAC_IFACE "org.nvmexpress.stac"
#define STAC_DEBUG "org.nvmexpress.stac.debug"
#define STAC_STATE "org.nvmexpress.stac.state"

#define ONE_DC	   "[Controllers]\ncontroller = transport=tcp;traddr=198.51.100.2;trsvcid=8009\n"

static struct daemon_run f, c; /* stafd, stacd */

static void start_both(const char *stacd_conf)
{
	const char *const policies[] = { test_env("STAS_STAF_POLICY"), test_env("STAS_STAC_POLICY"),
					 NULL };
	int r;

	r = daemon_run_prepare(&f, "stafd", test_env("STAS_STAFD"), policies, ONE_DC);
	ck_assert_int_eq(r, 0);
	r = daemon_run_launch(&f);
	ck_assert_msg(r == 0, "stafd did not become ready (%d):\n%s", r, daemon_run_log(&f));
	r = daemon_run_join(&c, &f, "stacd", test_env("STAS_STACD"), stacd_conf);
	ck_assert_int_eq(r, 0);
	r = daemon_run_launch(&c);
	ck_assert_msg(r == 0, "stacd did not become ready (%d):\n%s", r, daemon_run_log(&c));
}

/* Change the target with a guest script; @back undoes it (testbed-run.h says who runs it). */
static void tb_change(const char *script, const char *back)
{
	testbed_change("ctl", script, "ctl", back);
}

static void teardown(void)
{
	daemon_run_cleanup(&c);
	daemon_run_cleanup(&f);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ---- stacd's typed state, as a client reads it ----------------------------------------------- */

struct ns {
	uint32_t nsid, grp;
	char ana[24];
};

struct ctl {
	char traddr[64], trsvcid[16], nqn[256], state[24], error[256];
	int connected;
	uint32_t reconnects, queues;
	size_t nns;
	struct ns ns[8];
};

#define MAX_CTLS 32

static int read_tid(sd_bus_message *m, struct ctl *x)
{
	const char *k, *v;
	int r = sd_bus_message_enter_container(m, 'a', "{ss}");

	while (r >= 0 && (r = sd_bus_message_read(m, "{ss}", &k, &v)) > 0) {
		if (!strcmp(k, "traddr"))
			snprintf(x->traddr, sizeof(x->traddr), "%s", v);
		else if (!strcmp(k, "trsvcid"))
			snprintf(x->trsvcid, sizeof(x->trsvcid), "%s", v);
		else if (!strcmp(k, "subsysnqn"))
			snprintf(x->nqn, sizeof(x->nqn), "%s", v);
	}
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

static int read_one(sd_bus_message *m, struct ctl *x)
{
	const char *state, *err;
	uint32_t nsid, grp;
	const char *ana;
	int r = sd_bus_message_enter_container(m, 'r', "a{ss}bssuua(uus)");

	if (r <= 0)
		return r;
	memset(x, 0, sizeof(*x));
	r = read_tid(m, x);
	if (r >= 0)
		r = sd_bus_message_read(m, "bssuu", &x->connected, &state, &err, &x->reconnects,
					&x->queues);
	if (r < 0)
		return r;
	snprintf(x->state, sizeof(x->state), "%s", state);
	snprintf(x->error, sizeof(x->error), "%s", err);
	r = sd_bus_message_enter_container(m, 'a', "(uus)");
	while (r >= 0 && (r = sd_bus_message_read(m, "(uus)", &nsid, &grp, &ana)) > 0)
		if (x->nns < 8) {
			x->ns[x->nns] = (struct ns){ nsid, grp, "" };
			snprintf(x->ns[x->nns++].ana, sizeof(x->ns[0].ana), "%s", ana);
		}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return r < 0 ? r : 1;
}

static size_t state(struct ctl *v)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	size_t n = 0;
	int r;

	long long t0 = now_ms();

	r = sd_bus_call_method(c.client, STAC_NAME, STAC_PATH, STAC_STATE, "controllers", &err,
			       &reply, "");
	ck_assert_msg(r >= 0, "controllers(): %s after %lld ms; stacd:\n%s", err.message,
		      now_ms() - t0, daemon_run_log(&c));
	sd_bus_error_free(&err);
	ck_assert_str_eq(sd_bus_message_get_signature(reply, 1), "a(a{ss}bssuua(uus))");
	ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "(a{ss}bssuua(uus))"), 0);
	while (n < MAX_CTLS && (r = read_one(reply, &v[n])) > 0)
		n++;
	ck_assert_int_ge(r, 0);
	return n;
}

static const struct ctl *find(const struct ctl *v, size_t n, const char *traddr,
			      const char *trsvcid, const char *nqn)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].traddr, traddr) && !strcmp(v[i].trsvcid, trsvcid) &&
		    !strcmp(v[i].nqn, nqn))
			return &v[i];
	return NULL;
}

static const char *ana_of(const struct ctl *x, uint32_t nsid)
{
	for (size_t i = 0; x && i < x->nns; i++)
		if (x->ns[i].nsid == nsid)
			return x->ns[i].ana;
	return "";
}

/* Every I/O subsystem on every path: the log of each port names the port itself. */
static const struct {
	const char *traddr, *trsvcid, *nqn;
} all_paths[] = {
	{ "198.51.100.2", "8009", TGT(1) }, { "198.51.100.2", "8009", TGT(2) },
	{ "198.51.100.2", "4420", TGT(1) }, { "198.51.100.2", "4420", TGT(2) },
	{ "198.51.100.3", "4421", TGT(1) }, { "198.51.100.3", "4421", TGT(2) },
	{ "2001:db8::2", "4420", TGT(1) },  { "2001:db8::2", "4420", TGT(2) },
	{ "198.51.100.2", "8010", TGT(3) },
};

#define N_PATHS (sizeof(all_paths) / sizeof(all_paths[0]))

static bool all_live(const struct ctl *v, size_t n)
{
	for (size_t i = 0; i < N_PATHS; i++) {
		const struct ctl *x =
			find(v, n, all_paths[i].traddr, all_paths[i].trsvcid, all_paths[i].nqn);

		if (!x || !x->connected || !x->nns)
			return false;
	}
	return true;
}

static size_t dump(const struct ctl *v, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s:%s %s %s q=%u ns=%zu err=%s\n",
					v[i].traddr, v[i].trsvcid, v[i].nqn, v[i].state,
					v[i].queues, v[i].nns, v[i].error);
	return len;
}

static size_t wait_all_live(struct ctl *v, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	char buf[4096];
	size_t n;

	for (;;) {
		n = state(v);
		if (all_live(v, n))
			return n;
		if (now_ms() > end)
			break;
		daemon_run_pump(&c, 200);
	}
	dump(v, n, buf, sizeof(buf));
	ck_abort_msg("not every path came up:\n%s\nstacd:\n%s", buf, daemon_run_log(&c));
	return 0;
}

/* Poll until @pred holds for the controller at @traddr:@trsvcid @nqn (NULL when it is gone). */
static bool wait_for(const char *traddr, const char *trsvcid, const char *nqn,
		     bool (*pred)(const struct ctl *x, const void *arg), const void *arg,
		     int timeout_ms, struct ctl *last)
{
	long long end = now_ms() + timeout_ms;
	struct ctl v[MAX_CTLS];

	for (;;) {
		size_t n = state(v);
		const struct ctl *x = find(v, n, traddr, trsvcid, nqn);

		if (last) {
			if (x)
				*last = *x;
			else
				memset(last, 0, sizeof(*last));
		}
		if (pred(x, arg))
			return true;
		if (now_ms() > end)
			return false;
		daemon_run_pump(&c, 50); /* signals to the watchers too */
	}
}

static bool is_gone(const struct ctl *x, const void *arg)
{
	return !x;
}

static bool is_live(const struct ctl *x, const void *arg)
{
	return x && x->connected && x->nns;
}

static bool ns2_is(const struct ctl *x, const void *ana)
{
	return x && !strcmp(ana_of(x, 2), ana);
}

/* ---- signals --------------------------------------------------------------------------------- */

struct signals {
	int connected, lost;
	char last_reason[256];
};

static int on_connected(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	((struct signals *)ud)->connected++;
	return 0;
}

static int on_lost(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct signals *s = ud;
	const char *reason = "";

	sd_bus_message_skip(m, "a{ss}");
	sd_bus_message_read(m, "s", &reason);
	s->lost++;
	snprintf(s->last_reason, sizeof(s->last_reason), "%s", reason);
	return 0;
}

static void watch(struct signals *s, sd_bus_slot **a, sd_bus_slot **b)
{
	memset(s, 0, sizeof(*s));
	ck_assert_int_ge(sd_bus_match_signal(c.client, a, STAC_NAME, STAC_PATH, STAC_STATE,
					     "controller_connected", on_connected, s),
			 0);
	ck_assert_int_ge(sd_bus_match_signal(c.client, b, STAC_NAME, STAC_PATH, STAC_STATE,
					     "controller_lost", on_lost, s),
			 0);
	daemon_run_pump(&c, 100);
}

/*
 * A state read can overtake signals sd-bus has queued but not dispatched:
 * pump until the count is reached, so the assertion that follows is fair.
 */
static int signals_reach(const int *count, int want, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	while (*count < want && now_ms() < end)
		daemon_run_pump(&c, 50);
	return *count;
}

/* ---- stacctl --------------------------------------------------------------------------------- */

static char *stacctl(const char *args)
{
	static char out[65536];
	char cmd[1024];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "DBUS_SYSTEM_BUS_ADDRESS='%s' '%s' %s 2>&1", f.bus.address,
		 test_env("STAS_STACCTL"), args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	ck_assert_msg(pclose(p) == 0, "stacctl %s failed:\n%s", args, out);
	return out;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned k = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		k++;
	return k;
}

/* ---- tests ----------------------------------------------------------------------------------- */

/* Every subsystem on every path (IPv4 and IPv6) is live, with its queues and ANA states. */
START_TEST(test_every_path)
{
	struct ctl v[MAX_CTLS];
	size_t n;
	const char *out;

	start_both("[Global]\nnr-io-queues = 2\nqueue-size = 64\n");
	n = wait_all_live(v, 40000);
	ck_assert_uint_eq(n, N_PATHS);
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(v[i].state, "live");
		ck_assert_uint_eq(v[i].queues, 2);
		ck_assert_str_eq(v[i].error, "");
		ck_assert_str_eq(ana_of(&v[i], 1), "optimized");
	}
	/* tgt1's nsid 2 is in ANA group 2: non-optimized only on port 3 */
	ck_assert_str_eq(ana_of(find(v, n, "198.51.100.3", "4421", TGT(1)), 2), "non-optimized");
	ck_assert_str_eq(ana_of(find(v, n, "198.51.100.2", "4420", TGT(1)), 2), "optimized");
	ck_assert_str_eq(ana_of(find(v, n, "2001:db8::2", "4420", TGT(1)), 2), "optimized");
	ck_assert_uint_eq(find(v, n, "198.51.100.2", "8010", TGT(3))->nns, 1);

	/* what a script sees */
	out = stacctl("ls");
	ck_assert_uint_eq(count(out, "'subsysnqn'"), N_PATHS);
	ck_assert_msg(strstr(out, "2001:db8::2") && strstr(out, TGT(3)), "%s", out);
	/* nvme-stas's Ioc.details() keys: the controller's type and the log entry it came from */
	out = stacctl("ls -d");
	ck_assert_uint_eq(count(out, "'cntrltype': 'io'"), N_PATHS);
	ck_assert_uint_eq(count(out, "'dctype': 'none'"), N_PATHS);
	ck_assert_msg(count(out, "'dlpe': \"{'trtype': 'tcp', 'adrfam': 'ipv") == N_PATHS, "%s",
		      out);
	out = stacctl("state");
	ck_assert_uint_eq(count(out, " live "), N_PATHS);
	ck_assert_msg(strstr(out, "2:non-optimized"), "%s", out);
	out = stacctl("status");
	ck_assert_msg(strstr(out, "'stafd': 'present'"), "%s", out);
	ck_assert_int_eq(daemon_run_stop(&c), 0);
	ck_assert(daemon_run_wait_notify(&c, "STOPPING=1", 1000));
}
END_TEST

/* A subsystem unlinked from a port is dropped after the soak; linked again, it comes back. */
START_TEST(test_unlink_drops)
{
	struct ctl v[MAX_CTLS], last;
	long long t0;

	start_both("");
	wait_all_live(v, 40000);
	tb_change("tgt unlink 2 " TGT(2), "tgt link 2 " TGT(2));
	t0 = now_ms();
	ck_assert_msg(wait_for("198.51.100.2", "4420", TGT(2), is_gone, NULL, 10000, &last),
		      "still held (%s):\n%s", last.state, daemon_run_log(&c));
	printf("unlinked subsystem dropped %lld ms after the unlink\n", now_ms() - t0);
	/* the same subsystem on the other paths is untouched */
	ck_assert(wait_for("198.51.100.3", "4421", TGT(2), is_live, NULL, 0, &last));
	ck_assert_uint_eq(last.reconnects, 0);
	testbed_restore();
	ck_assert_msg(wait_for("198.51.100.2", "4420", TGT(2), is_live, NULL, 10000, &last),
		      "not back (%s):\n%s", last.state, daemon_run_log(&c));
}
END_TEST

/*
 * A DC that goes away takes its subsystems out of stafd's logs: with the
 * default disconnect-scope they are dropped, with no-disconnect kept.
 */
static void referral_removed(const char *conf, bool kept)
{
	struct ctl v[MAX_CTLS], last;

	start_both(conf);
	wait_all_live(v, 40000);
	tb_change("tgt rm_referral 1 disc-8010", "tgt mk_referral 1 disc-8010 198.51.100.2 8010 5");
	if (kept) {
		/* dc_removed, the soak, the fetch: then it must still be there */
		daemon_run_pump(&c, 6000);
		ck_assert_msg(wait_for("198.51.100.2", "8010", TGT(3), is_live, NULL, 0, &last),
			      "not kept:\n%s", daemon_run_log(&c));
		ck_assert_msg(strstr(daemon_run_log(&c), "no longer wanted; kept"), "%s",
			      daemon_run_log(&c));
	} else {
		ck_assert_msg(wait_for("198.51.100.2", "8010", TGT(3), is_gone, NULL, 10000, &last),
			      "not dropped:\n%s", daemon_run_log(&c));
	}
	testbed_restore();
	ck_assert(wait_for("198.51.100.2", "8010", TGT(3), is_live, NULL, 15000, &last));
	if (kept) /* wanted again: the same connection */
		ck_assert_uint_eq(last.reconnects, 0);
}

START_TEST(test_scope_default_drops)
{
	referral_removed("", false);
}
END_TEST

START_TEST(test_scope_no_disconnect_keeps)
{
	referral_removed("[I/O controller connection management]\n"
			 "disconnect-scope = no-disconnect\n",
			 true);
}
END_TEST

/* An ANA group made inaccessible shows in stacd's state within a second. */
START_TEST(test_ana_flip)
{
	struct ctl v[MAX_CTLS], last;
	long long t0, ms;
	bool seen;

	start_both("");
	wait_all_live(v, 40000);
	tb_change("tgt mk_ana 2 2 inaccessible", "tgt mk_ana 2 2 optimized");
	t0 = now_ms();
	seen = wait_for("198.51.100.2", "4420", TGT(1), ns2_is, "inaccessible", 1000, &last);
	ms = now_ms() - t0;
	testbed_restore();
	ck_assert_msg(seen, "ns 2 still %s after 1 s:\n%s", ana_of(&last, 2), daemon_run_log(&c));
	printf("ANA change seen in stacd's state %lld ms after the guest made it\n", ms);
	/* the other paths keep their own state */
	ck_assert(wait_for("198.51.100.3", "4421", TGT(1), ns2_is, "non-optimized", 0, NULL));
	ck_assert(wait_for("198.51.100.2", "4420", TGT(1), ns2_is, "optimized", 2000, NULL));
}
END_TEST

/* How many of tgt2's four paths (it is on ports 1-4) list exactly @nns namespaces. */
static size_t tgt2_paths_with(size_t nns)
{
	struct ctl v[MAX_CTLS];
	size_t n = state(v), k = 0;

	for (size_t i = 0; i < n; i++)
		k += !strcmp(v[i].nqn, TGT(2)) && v[i].connected && v[i].nns == nns;
	return k;
}

static long long wait_tgt2_paths_with(size_t nns, int timeout_ms)
{
	long long t0 = now_ms();

	while (tgt2_paths_with(nns) != 4 && now_ms() - t0 < timeout_ms)
		daemon_run_pump(&c, 50);
	return tgt2_paths_with(nns) == 4 ? now_ms() - t0 : -1;
}

/*
 * A namespace added to a subsystem and removed again: the namespace-change AEN of every
 * controller of it is followed by a re-read, on every path, without a reconnect.
 */
START_TEST(test_namespace_added_removed)
{
	struct ctl v[MAX_CTLS];
	long long ms;
	size_t n;

	start_both("");
	wait_all_live(v, 40000);
	ck_assert_uint_eq(tgt2_paths_with(1), 4);
	tb_change("dd if=/dev/zero of=/tmp/tgt2-ns2.img bs=1M count=0 seek=16 2>/dev/null && "
		  "tgt add_ns " TGT(2) " 2 /tmp/tgt2-ns2.img 1",
		  "tgt rm_ns " TGT(2) " 2; rm -f /tmp/tgt2-ns2.img");
	ms = wait_tgt2_paths_with(2, 3000);
	ck_assert_msg(ms >= 0, "namespace 2 not seen on all 4 paths:\n%s", daemon_run_log(&c));
	printf("namespace added: on all 4 paths of tgt2 %lld ms after the guest made it\n", ms);
	testbed_restore();
	ms = wait_tgt2_paths_with(1, 3000);
	ck_assert_msg(ms >= 0, "namespace 2 still listed:\n%s", daemon_run_log(&c));
	printf("namespace removed: gone from all 4 paths %lld ms after the guest removed it\n", ms);
	n = state(v);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(v[i].reconnects, 0);
}
END_TEST

/* How many times stacd asked stafd for the logs (its process_info says). */
static unsigned long long fetches(void)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const char *json;
	json_object *o, *v;
	unsigned long long n = 0;

	ck_assert_int_ge(sd_bus_call_method(c.client, STAC_NAME, STAC_PATH, STAC_DEBUG,
					    "process_info", NULL, &reply, ""),
			 0);
	ck_assert_int_ge(sd_bus_message_read(reply, "s", &json), 0);
	o = json_tokener_parse(json);
	ck_assert_msg(o && json_object_object_get_ex(o, "log page fetches", &v), "%s", json);
	n = strtoull(json_object_get_string(v), NULL, 10);
	json_object_put(o);
	return n;
}

/* stafd away: every controller stays; stafd back: re-synced without a single reconnect. */
START_TEST(test_stafd_restart_no_churn)
{
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *a = NULL, *b = NULL;
	struct ctl v[MAX_CTLS], w[MAX_CTLS];
	struct signals sig;
	unsigned long long before;
	size_t n;
	bool synced = false;

	start_both("");
	wait_all_live(v, 40000);
	watch(&sig, &a, &b);
	before = fetches();
	ck_assert_int_eq(daemon_run_stop(&f), 0);
	daemon_run_pump(&c, 3000);
	n = state(w);
	ck_assert_uint_eq(n, N_PATHS);
	ck_assert(all_live(w, n));
	ck_assert_int_eq(daemon_run_restart(&f), 0);
	/* stacd waits 10 s for a returning stafd to refill its cache, then asks */
	for (int i = 0; i < 100 && !synced; i++) {
		daemon_run_pump(&c, 250);
		synced = fetches() > before;
	}
	ck_assert_msg(synced, "stacd never asked the returning stafd:\n%s", daemon_run_log(&c));
	daemon_run_pump(&c, 500);
	n = state(w);
	ck_assert_uint_eq(n, N_PATHS);
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(w[i].state, "live");
		ck_assert_uint_eq(w[i].reconnects, 0);
	}
	ck_assert_int_eq(sig.lost, 0);
	ck_assert_int_eq(sig.connected, 0);
	ck_assert_msg(!strstr(daemon_run_log(&c), "releasing"), "%s", daemon_run_log(&c));
}
END_TEST

/* Retries spread by the backoff: each wait longer than the one before. */
static unsigned retry_waits(const char *log, const char *who, double *v, unsigned max)
{
	unsigned n = 0;

	for (const char *p = log; n < max && (p = strstr(p, who)); p += strlen(who)) {
		const char *eol = strchr(p, '\n'), *in = strstr(p, "retrying in ");

		if (in && (!eol || in < eol))
			v[n++] = strtod(in + strlen("retrying in "), NULL);
	}
	return n;
}

/* A port that goes away: controllers retried with growing delays, recovered when it is back. */
START_TEST(test_port_down_backoff)
{
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *a = NULL, *b = NULL;
	struct ctl v[MAX_CTLS], last;
	struct signals sig;
	double waits[16];
	unsigned nw = 0;

	start_both("[Global]\nreconnect-delay = 1\n");
	wait_all_live(v, 40000);
	watch(&sig, &a, &b);
	/*
	 * Port 3 listens only while something is linked to it. tgt1 goes
	 * first: port 3's log changes and stafd reads it, so tgt1 is dropped.
	 * tgt2 goes last, with the listener: the log cannot be read any more
	 * and stafd keeps the cached one, so stacd keeps trying tgt2.
	 */
	tb_change("tgt unlink 3 " TGT(1) "; tgt unlink 3 " TGT(2),
		  "tgt link 3 " TGT(1) "; tgt link 3 " TGT(2));
	for (int i = 0; i < 200 && nw < 4; i++) {
		daemon_run_pump(&c, 100);
		nw = retry_waits(daemon_run_log(&c), "(tcp, 198.51.100.3, 4421, " TGT(2) ")", waits,
				 16);
	}
	ck_assert_msg(nw >= 4, "too few retries:\n%s", daemon_run_log(&c));
	for (unsigned i = 1; i < nw; i++)
		ck_assert_msg(waits[i] > waits[i - 1], "wait %u (%.1f s) not longer than %.1f s", i,
			      waits[i], waits[i - 1]);
	ck_assert(wait_for("198.51.100.3", "4421", TGT(2), is_live, NULL, 0, &last) == false);
	ck_assert_str_eq(last.state, "retry-wait");
	ck_assert_str_ne(last.error, "");
	ck_assert_int_ge(signals_reach(&sig.lost, 2, 2000), 2);
	/* the other paths never noticed */
	ck_assert(wait_for("198.51.100.2", "4420", TGT(1), is_live, NULL, 0, &last));
	ck_assert_uint_eq(last.reconnects, 0);
	testbed_restore();
	ck_assert_msg(wait_for("198.51.100.3", "4421", TGT(2), is_live, NULL, 30000, &last),
		      "not recovered (%s, %s):\n%s", last.state, last.error, daemon_run_log(&c));
	ck_assert_uint_eq(last.reconnects, 1);
	ck_assert_str_eq(last.error, "");
	/* tgt1 is in port 3's log again once stafd reads it: a new controller */
	ck_assert(wait_for("198.51.100.3", "4421", TGT(1), is_live, NULL, 30000, &last));
	ck_assert_int_ge(signals_reach(&sig.connected, 2, 2000), 2);
}
END_TEST

static bool state_is(const struct ctl *x, const void *state)
{
	return x && !strcmp(x->state, state);
}

static size_t count_connected(const struct ctl *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += v[i].connected != 0;
	return k;
}

/*
 * A cut cable: the target neither answers nor closes. Only keep-alive can
 * tell, so every controller is lost within KATO and a half, stays listed
 * (stafd's cache is kept, not read as "nothing discovered"), and is back
 * once the link is.
 */
START_TEST(test_link_cut)
{
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *a = NULL, *b = NULL;
	struct ctl v[MAX_CTLS];
	struct signals sig;
	char buf[4096];
	long long t0;
	size_t n;

	start_both("[Global]\nreconnect-delay = 1\nkato = 4\n");
	wait_all_live(v, 40000);
	watch(&sig, &a, &b);
	testbed_change("link", "down", "link", "up");
	t0 = now_ms();
	do {
		daemon_run_pump(&c, 200);
		n = state(v);
	} while (count_connected(v, n) && now_ms() - t0 < 12000);
	dump(v, n, buf, sizeof(buf));
	ck_assert_msg(!count_connected(v, n), "still connected after 12 s:\n%s\nstacd:\n%s", buf,
		      daemon_run_log(&c));
	ck_assert_uint_eq(n, N_PATHS);
	ck_assert_int_ge(signals_reach(&sig.lost, N_PATHS, 2000), (int)N_PATHS);
	ck_assert_msg(strstr(sig.last_reason, "Keep Alive"), "%s", sig.last_reason);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_ne(v[i].error, "");
	printf("link cut: all %zu controllers lost after %lld ms (kato 4 s)\n", n, now_ms() - t0);

	testbed_restore();
	t0 = now_ms();
	n = wait_all_live(v, 40000);
	printf("link mended: all %zu controllers live after %lld ms\n", n, now_ms() - t0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_ge(v[i].reconnects, 1);
		ck_assert_str_eq(v[i].error, "");
	}
	ck_assert_int_ge(signals_reach(&sig.connected, N_PATHS, 2000), (int)N_PATHS);
}
END_TEST

/*
 * ctrl-loss-tmo: a controller without a connection for that long is given
 * up (controller_lost says why); stafd listing it again in a fresh log
 * page brings it back.
 */
START_TEST(test_ctrl_loss_tmo)
{
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *a = NULL, *b = NULL;
	struct ctl v[MAX_CTLS], last;
	struct signals sig;

	start_both("[Global]\nreconnect-delay = 1\nctrl-loss-tmo = 4\n");
	wait_all_live(v, 40000);
	watch(&sig, &a, &b);
	/* as in test_port_down_backoff: tgt2 is the one stafd keeps listing on port 3 */
	tb_change("tgt unlink 3 " TGT(1) "; tgt unlink 3 " TGT(2),
		  "tgt link 3 " TGT(1) "; tgt link 3 " TGT(2));
	ck_assert(wait_for("198.51.100.3", "4421", TGT(2), state_is, "retry-wait", 3000, &last));
	ck_assert_msg(wait_for("198.51.100.3", "4421", TGT(2), state_is, "gave-up", 10000, &last),
		      "still %s:\n%s", last.state, daemon_run_log(&c));
	/* the state can be read before the signal sent with it is dispatched here */
	for (int i = 0; i < 40 && !strstr(sig.last_reason, "gave up"); i++)
		daemon_run_pump(&c, 50);
	ck_assert_msg(strstr(sig.last_reason, "gave up") &&
			      strstr(sig.last_reason, "ctrl-loss-tmo"),
		      "%s", sig.last_reason);
	/* the port back: port 3's log changes, stafd signals, stacd's fresh answer lists it */
	testbed_restore();
	ck_assert_msg(wait_for("198.51.100.3", "4421", TGT(2), is_live, NULL, 30000, &last),
		      "not revived (%s):\n%s", last.state, daemon_run_log(&c));
	ck_assert_uint_eq(last.reconnects, 1); /* the same controller, not a new one */
}
END_TEST

static bool all_reconnected(const struct ctl *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i].reconnects)
			return false;
	return true;
}

/*
 * The target loses power and boots again (a fresh nvmet: new controllers, new log
 * counters), with the daemons on their defaults (KATO 30 s). Every controller comes back on
 * its own, the same controller object (reconnects counted), ANA states as before.
 */
START_TEST(test_target_reboot)
{
	struct ctl v[MAX_CTLS];
	char buf[4096];
	long long t0;
	pid_t reboot;
	size_t n;
	int st;

	start_both("");
	wait_all_live(v, 40000);
	t0 = now_ms();
	reboot = testbed_start("reboot", "");
	while (!testbed_done(reboot, &st))
		daemon_run_pump(&c, 200);
	ck_assert_int_eq(st, 0);
	printf("target rebooted in %lld ms\n", now_ms() - t0);
	/* until keep-alive finds each old association gone, the controllers look live */
	t0 = now_ms();
	do {
		daemon_run_pump(&c, 500);
		n = state(v);
	} while (!(all_live(v, n) && all_reconnected(v, n)) && now_ms() - t0 < 100000);
	dump(v, n, buf, sizeof(buf));
	ck_assert_msg(all_live(v, n) && all_reconnected(v, n), "not all back:\n%s\nstacd:\n%s", buf,
		      daemon_run_log(&c));
	printf("target rebooted: all %zu controllers reconnected %lld ms after it was back\n", n,
	       now_ms() - t0);
	ck_assert_uint_eq(n, N_PATHS);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(v[i].error, "");
	ck_assert_str_eq(ana_of(find(v, n, "198.51.100.3", "4421", TGT(1)), 2), "non-optimized");
	ck_assert_str_eq(ana_of(find(v, n, "198.51.100.2", "4420", TGT(1)), 2), "optimized");
}
END_TEST

static bool all_one_queue(void)
{
	struct ctl v[MAX_CTLS];
	size_t n = state(v);

	for (size_t i = 0; i < n; i++)
		if (v[i].queues != 1)
			return false;
	return all_live(v, n);
}

/*
 * Broken lines: file:line, the daemon runs; a host name in traddr is
 * resolved. A reload with new settings reconnects with them; a broken
 * reload keeps the running configuration.
 */
static int count_in_log(const char *what)
{
	int n = 0;

	for (const char *p = daemon_run_log(&c); (p = strstr(p, what)); p++)
		n++;
	return n;
}

START_TEST(test_config_and_reload)
{
	struct ctl v[MAX_CTLS];
	bool done = false;
	int changed;
	size_t n;

	start_both("[Global]\nkato = ten\n[Controllers]\n"
		   "controller = transport=tcp;traddr=198.51.100.2;trsvcid=8010\n"
		   "controller = transport=tcp;traddr=target2.stas.test;trsvcid=4421;nqn=" TGT(
			   1) "\n");
	ck_assert(daemon_run_alive(&c));
	ck_assert_msg(strstr(daemon_run_log(&c), "stacd.conf:2") &&
			      strstr(daemon_run_log(&c), "kato"),
		      "%s", daemon_run_log(&c));
	ck_assert_msg(strstr(daemon_run_log(&c), "stacd.conf:4") &&
			      strstr(daemon_run_log(&c), "nqn="),
		      "%s", daemon_run_log(&c));
	n = wait_all_live(v, 40000);
	ck_assert_uint_eq(n, N_PATHS);
	/* the host name became the address stafd also lists: one controller, configured */
	ck_assert_msg(strstr(daemon_run_log(&c),
			     "holding (tcp, 198.51.100.3, 4421, " TGT(1) ") (configured)"),
		      "%s", daemon_run_log(&c));
	ck_assert_int_eq(daemon_run_write_conf(&c, "[Global]\nnr-io-queues = 1\n"), 0);
	c.notified[0] = '\0';
	daemon_run_signal(&c, SIGHUP);
	ck_assert(daemon_run_wait_notify(&c, "RELOADING=1", 5000));
	ck_assert(daemon_run_wait_notify(&c, "READY=1", 5000));
	for (int i = 0; i < 150 && !done; i++) {
		daemon_run_pump(&c, 200);
		done = all_one_queue();
	}
	ck_assert_msg(done, "not reconnected with 1 I/O queue:\n%s", daemon_run_log(&c));
	/* only how they would retry changes: no controller is touched */
	changed = count_in_log("its settings changed");
	ck_assert_int_eq(daemon_run_write_conf(&c, "[Global]\nnr-io-queues = 1\n"
						   "reconnect-delay = 3\nctrl-loss-tmo = 900\n"),
			 0);
	c.notified[0] = '\0';
	daemon_run_signal(&c, SIGHUP);
	ck_assert(daemon_run_wait_notify(&c, "READY=1", 5000));
	daemon_run_pump(&c, 1500);
	ck_assert_int_eq(count_in_log("its settings changed"), changed);
	ck_assert(all_one_queue());
	ck_assert_int_eq(daemon_run_write_conf(&c, "[Global]\nnr-io-queues = many\n"), 0);
	daemon_run_signal(&c, SIGHUP);
	daemon_run_pump(&c, 1500);
	ck_assert(daemon_run_alive(&c));
	ck_assert_msg(strstr(daemon_run_log(&c), "stacd.conf:2") &&
			      strstr(daemon_run_log(&c), "keeping the running configuration"),
		      "%s", daemon_run_log(&c));
	ck_assert(all_one_queue());
}
END_TEST

static Suite *stacd_suite(void)
{
	Suite *s = suite_create("stacd-nvmet");
	TCase *tc = tcase_create("stacd");

	tcase_add_checked_fixture(tc, testbed_put_back_leftovers, teardown);
	tcase_add_unchecked_fixture(tc, NULL, testbed_put_back_leftovers);
	tcase_set_timeout(tc, 240); /* a target reboot boots a guest under TCG */
	tcase_add_test(tc, test_every_path);
	tcase_add_test(tc, test_unlink_drops);
	tcase_add_test(tc, test_scope_default_drops);
	tcase_add_test(tc, test_scope_no_disconnect_keeps);
	tcase_add_test(tc, test_ana_flip);
	tcase_add_test(tc, test_namespace_added_removed);
	tcase_add_test(tc, test_stafd_restart_no_churn);
	tcase_add_test(tc, test_port_down_backoff);
	tcase_add_test(tc, test_ctrl_loss_tmo);
	tcase_add_test(tc, test_link_cut);
	tcase_add_test(tc, test_target_reboot);
	tcase_add_test(tc, test_config_and_reload);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(stacd_suite)
