// SPDX-License-Identifier: Apache-2.0
/*
 * stacd's I/O controller policy with the userspace backend against the
 * in-tree emulator on loopback: the cap on connects in flight, loss and
 * reconnect, NCC, ctrl-loss-tmo, controllers kept under disconnect-scope,
 * and namespaces/ANA states tracked through AENs. The emulator runs on its
 * own thread (emu-harness.h); the controllers on this thread's loop.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "check-main.h"
#include "emu-harness.h"
#include "stacd-ioc.h"
#include "stas/host-id.h"
#include "stas/ntcp-conn.h"
#include "stas/nvme-spec.h"

#define MAX_IOCS 48

struct watch {
	int connected, lost, changed;
	char reason[256];
	unsigned max_in_flight;
	struct ioc_slots *slots;
};

static struct harness h;
static struct event_base *base;
static struct ioc_slots *slots;
static struct watch w;
static struct ioc *iocs[MAX_IOCS];
static uint16_t port1;

static void on_connected(void *arg, struct ioc *ioc)
{
	((struct watch *)arg)->connected++;
}

static void on_lost(void *arg, struct ioc *ioc, const char *reason)
{
	struct watch *x = arg;

	x->lost++;
	snprintf(x->reason, sizeof(x->reason), "%s", reason);
}

static void on_changed(void *arg, struct ioc *ioc)
{
	((struct watch *)arg)->changed++;
}

static const struct ioc_ops ops = { on_connected, on_lost, on_changed };

static void setup(void)
{
	harness_init(&h);
	port1 = harness_port(&h, 1);
	for (unsigned i = 0; i < MAX_IOCS; i++) {
		char nqn[64];

		snprintf(nqn, sizeof(nqn), "nqn.2014-08.org.example:s%u", i);
		harness_subsys(&h, nqn, 1, 1, 1);
	}
	harness_start(&h);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	memset(&w, 0, sizeof(w));
	memset(iocs, 0, sizeof(iocs));
}

static void teardown(void)
{
	for (unsigned i = 0; i < MAX_IOCS; i++)
		ioc_free(iocs[i], false);
	ioc_slots_free(slots);
	slots = NULL;
	event_base_free(base);
	harness_stop(&h);
}

static void params(unsigned i, struct ioc_conn_params *p)
{
	struct stas_host host;
	char nqn[64], port[8];

	ck_assert_int_eq(stas_host_generate(&host), 0);
	memset(p, 0, sizeof(*p));
	snprintf(nqn, sizeof(nqn), "nqn.2014-08.org.example:s%u", i);
	snprintf(port, sizeof(port), "%u", port1);
	tid_set(&p->tid, TID_TRANSPORT, "tcp");
	tid_set(&p->tid, TID_TRADDR, "127.0.0.1");
	tid_set(&p->tid, TID_TRSVCID, port);
	tid_set(&p->tid, TID_SUBSYSNQN, nqn);
	tid_set(&p->tid, TID_HOST_NQN, host.nqn);
	memcpy(p->hostid, host.id, sizeof(p->hostid));
	p->kato_s = 10;
	p->nr_io_queues = 2;
	p->queue_size = 32;
}

static struct ioc *make(unsigned i, const struct ioc_policy *pol)
{
	struct ioc_conn_params p;

	params(i, &p);
	ck_assert_int_eq(ioc_new(base, &ioc_backend_userspace, slots, &p, pol,
				 IOC_ORIGIN_DISCOVERED, &ops, &w, &iocs[i]),
			 0);
	return iocs[i];
}

static void sample(evutil_socket_t fd, short what, void *arg)
{
	unsigned n = ioc_slots_in_use(slots);

	if (n > w.max_in_flight)
		w.max_in_flight = n;
}

/* Run the loop until @done holds or @ms pass; the cap is sampled all along. */
static bool run_until(bool (*done)(void), int ms)
{
	struct event *tick = event_new(base, -1, EV_PERSIST, sample, NULL);
	struct timeval tv = { 0, 1000 };
	uint64_t end = stas_now_us() + (uint64_t)ms * 1000;
	bool ok;

	event_add(tick, &tv);
	while (!(ok = done()) && stas_now_us() < end)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(tick);
	return ok;
}

static const struct ioc_policy quick = { .reconnect_delay_s = 1,
					 .reconnect_max_s = 2,
					 .ctrl_loss_tmo_s = -1 };

static unsigned n_made;

static bool all_connected(void)
{
	for (unsigned i = 0; i < n_made; i++)
		if (!ioc_connected(iocs[i]))
			return false;
	return true;
}

/* 48 controllers at once with a cap of 4: all connect, never more than 4 connects in flight. */
START_TEST(test_connect_cap)
{
	ck_assert_int_eq(ioc_slots_new(base, 4, &slots), 0);
	n_made = MAX_IOCS;
	for (unsigned i = 0; i < n_made; i++)
		make(i, &quick);
	ck_assert(run_until(all_connected, 20000));
	ck_assert_int_eq(w.connected, MAX_IOCS);
	ck_assert_uint_le(w.max_in_flight, 4);
	ck_assert_uint_ge(w.max_in_flight, 2); /* the cap was used, not one at a time */
	ck_assert_uint_eq(ioc_slots_in_use(slots), 0);
	for (unsigned i = 0; i < n_made; i++) {
		const struct ioc_ns_state *ns;

		ck_assert_uint_eq(ioc_io_queues(iocs[i]), 2);
		ck_assert_uint_eq(ioc_namespaces(iocs[i], &ns), 1);
		ck_assert_uint_eq(ns[0].nsid, 1);
		ck_assert_uint_eq(ns[0].ana_state, NVME_ANA_OPTIMIZED);
	}
}
END_TEST

static bool one_lost(void)
{
	return w.lost >= 1;
}

static bool first_live(void)
{
	return ioc_connected(iocs[0]);
}

static bool first_gave_up(void)
{
	return ioc_state(iocs[0]) == IOC_GAVE_UP;
}

/* A port that drops: the loss is told once, retries follow, the port's return is a reconnect. */
START_TEST(test_lost_and_back)
{
	ck_assert_int_eq(ioc_slots_new(base, 4, &slots), 0);
	n_made = 1;
	make(0, &quick);
	ck_assert(run_until(first_live, 5000));
	ck_assert_int_eq(H_DO(&h, emu_port_enable(h.emu, 1, false)), 0);
	ck_assert(run_until(one_lost, 5000));
	ck_assert_int_eq(ioc_state(iocs[0]) == IOC_RETRY_WAIT, 1);
	ck_assert_msg(strstr(w.reason, "127.0.0.1"), "%s", w.reason);
	ck_assert_str_eq(ioc_last_error(iocs[0]), w.reason);
	ck_assert_int_eq(H_DO(&h, emu_port_enable(h.emu, 1, true)), 0);
	ck_assert(run_until(first_live, 10000));
	ck_assert_uint_eq(ioc_reconnects(iocs[0]), 1);
	ck_assert_int_eq(w.lost, 1);
	ck_assert_int_eq(w.connected, 2);
	ck_assert_str_eq(ioc_last_error(iocs[0]), "");
}
END_TEST

/* NCC with connect-attempts-on-ncc 2: two failures and it gives up; NCC cleared, it tries again. */
START_TEST(test_ncc_gives_up_and_revives)
{
	struct ioc_policy pol = quick;

	pol.ncc_attempts = 2;
	ck_assert_int_eq(ioc_slots_new(base, 4, &slots), 0);
	ck_assert_int_eq(H_DO(&h, emu_port_enable(h.emu, 1, false)), 0);
	make(0, &pol);
	ioc_set_ncc(iocs[0], true, NVMF_EFLAGS_NCC);
	ck_assert(run_until(first_gave_up, 10000));
	ck_assert_msg(strstr(w.reason, "gave up") && strstr(w.reason, "NCC"), "%s", w.reason);
	/* it stays given up */
	run_until(first_live, 2500);
	ck_assert_int_eq(ioc_state(iocs[0]), IOC_GAVE_UP);
	ck_assert_int_eq(H_DO(&h, emu_port_enable(h.emu, 1, true)), 0);
	ioc_set_ncc(iocs[0], false, 0);
	ck_assert(run_until(first_live, 5000));
}
END_TEST

static bool lost_twice(void)
{
	return w.lost >= 2;
}

/* An NCC give-up, NCC cleared, then ctrl-loss-tmo runs out: that give-up is told too. */
START_TEST(test_ncc_then_loss_tmo_both_told)
{
	struct ioc_policy pol = quick;

	pol.ncc_attempts = 2;
	pol.ctrl_loss_tmo_s = 3;
	ck_assert_int_eq(ioc_slots_new(base, 4, &slots), 0);
	ck_assert_int_eq(H_DO(&h, emu_port_enable(h.emu, 1, false)), 0);
	make(0, &pol);
	ioc_set_ncc(iocs[0], true, NVMF_EFLAGS_NCC);
	ck_assert(run_until(first_gave_up, 10000));
	ck_assert_int_eq(w.lost, 1);
	ioc_set_ncc(iocs[0], false, 0);
	ck_assert(run_until(lost_twice, 10000));
	ck_assert_msg(strstr(w.reason, "ctrl-loss-tmo"), "%s", w.reason);
	ck_assert_int_eq(ioc_state(iocs[0]), IOC_GAVE_UP);
}
END_TEST

/*
 * ctrl-loss-tmo 1 s: given up after it (told once), then one attempt per
 * reconnect-max period, so the target's return is found without help; a kick
 * (reload, stafd listing it again) tries at once.
 */
START_TEST(test_ctrl_loss_tmo)
{
	struct ioc_policy pol = quick;
	uint64_t t0;

	pol.ctrl_loss_tmo_s = 1;
	ck_assert_int_eq(ioc_slots_new(base, 4, &slots), 0);
	ck_assert_int_eq(H_DO(&h, emu_port_enable(h.emu, 1, false)), 0);
	make(0, &pol);
	ck_assert(run_until(first_gave_up, 10000));
	ck_assert_msg(strstr(w.reason, "ctrl-loss-tmo"), "%s", w.reason);
	ck_assert(!run_until(first_live, 6000)); /* attempts every ~2 s, all failing */
	ck_assert_int_eq(w.lost, 1);
	/* the 6 s may end inside one of those attempts: it falls back to given up */
	ck_assert(run_until(first_gave_up, 2000));
	ck_assert_int_eq(H_DO(&h, emu_port_enable(h.emu, 1, true)), 0);
	t0 = stas_now_us();
	ck_assert(run_until(first_live, 5000));
	/* within one jittered period of 2 s (at most 2.5 s) and the connect itself */
	ck_assert_uint_le(stas_now_us() - t0, 3500000);

	/* lost and given up again: a kick does not wait for the period */
	ck_assert_int_eq(H_DO(&h, emu_port_enable(h.emu, 1, false)), 0);
	ck_assert(run_until(first_gave_up, 10000));
	ck_assert_int_eq(w.lost, 3); /* the live connection lost, then the give-up */
	ck_assert_int_eq(H_DO(&h, emu_port_enable(h.emu, 1, true)), 0);
	ioc_kick(iocs[0]);
	ck_assert(run_until(first_live, 1000));
}
END_TEST

static bool first_stopped(void)
{
	return ioc_state(iocs[0]) == IOC_STOPPED;
}

/* A controller kept only while it lives (disconnect-scope) is not connected again. */
START_TEST(test_unwanted_not_reconnected)
{
	ck_assert_int_eq(ioc_slots_new(base, 4, &slots), 0);
	make(0, &quick);
	ck_assert(run_until(first_live, 5000));
	ioc_set_unwanted(iocs[0], true);
	ck_assert_int_eq(H_DO(&h, emu_port_enable(h.emu, 1, false)), 0);
	ck_assert(run_until(first_stopped, 5000));
	ck_assert_int_eq(H_DO(&h, emu_port_enable(h.emu, 1, true)), 0);
	run_until(first_live, 2500);
	ck_assert_int_eq(ioc_state(iocs[0]), IOC_STOPPED);
	ck_assert_int_eq(w.connected, 1);
}
END_TEST

static bool ana_inaccessible(void)
{
	const struct ioc_ns_state *ns;

	return ioc_namespaces(iocs[0], &ns) == 1 && ns[0].ana_state == NVME_ANA_INACCESSIBLE;
}

static bool two_namespaces(void)
{
	const struct ioc_ns_state *ns;

	return ioc_namespaces(iocs[0], &ns) == 2;
}

static bool one_namespace(void)
{
	const struct ioc_ns_state *ns;

	return ioc_namespaces(iocs[0], &ns) == 1;
}

/*
 * The ANA-change and namespace-change AENs are followed by a re-read, again and again: the
 * target masks the namespace event until the Changed Namespace List is read (RAE clear).
 */
START_TEST(test_ana_and_namespaces_tracked)
{
	ck_assert_int_eq(ioc_slots_new(base, 4, &slots), 0);
	make(0, &quick);
	ck_assert(run_until(first_live, 5000));
	/* harness_subsys puts namespace 1 in ANA group 1 */
	ck_assert_int_eq(H_DO(&h, emu_set_ana(h.emu, 1, 1, NVME_ANA_INACCESSIBLE)), 0);
	ck_assert(run_until(ana_inaccessible, 3000));
	ck_assert_int_ge(w.changed, 1);
	ck_assert_int_eq(
		H_DO(&h, emu_add_ns(h.emu, "nqn.2014-08.org.example:s0", 2, 1 << 20, 512, 2, 0)),
		0);
	ck_assert(run_until(two_namespaces, 3000));
	ck_assert_int_eq(H_DO(&h, emu_rm_ns(h.emu, "nqn.2014-08.org.example:s0", 2)), 0);
	ck_assert(run_until(one_namespace, 3000));
	ck_assert_int_eq(
		H_DO(&h, emu_add_ns(h.emu, "nqn.2014-08.org.example:s0", 3, 1 << 20, 512, 1, 0)),
		0);
	ck_assert(run_until(two_namespaces, 3000));
	ck_assert_int_eq(w.lost, 0);
}
END_TEST

static const char *detail(json_object *o, const char *k)
{
	json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, k, &v), "no '%s' in the details", k);
	ck_assert(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

/*
 * The details carry every key of nvme-stas's Ioc.details() beyond the
 * identity: the udev attributes (empty without a device, as nvme-stas gives
 * them; the controller's own once connected) and 'dlpe', str(None) until
 * stafd's log names the controller.
 */
START_TEST(test_details_keys)
{
	static const char *const keys[] = { "connect attempts",
					    "retry connect timer",
					    "hostid",
					    "hostnqn",
					    "model",
					    "serial",
					    "dctype",
					    "cntrltype",
					    "connected",
					    "dlpe",
					    "dlpe.eflags.ncc" };
	struct ioc *ioc;
	json_object *o;

	ck_assert_int_eq(ioc_slots_new(base, 4, &slots), 0);
	ioc = make(0, &quick);
	o = ioc_details_json(ioc);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		detail(o, keys[i]);
	ck_assert_str_eq(detail(o, "dlpe"), "None");
	ck_assert_str_eq(detail(o, "dctype"), "");
	ck_assert_str_eq(detail(o, "cntrltype"), "");
	ck_assert_str_eq(detail(o, "connected"), "False");
	json_object_put(o);

	ck_assert_int_eq(ioc_set_dlpe(ioc, "{'trtype': 'tcp', 'eflags': '0'}"), 0);
	ck_assert(run_until(first_live, 5000));
	o = ioc_details_json(ioc);
	ck_assert_str_eq(detail(o, "dlpe"), "{'trtype': 'tcp', 'eflags': '0'}");
	ck_assert_str_eq(detail(o, "dctype"), "none");
	ck_assert_str_eq(detail(o, "cntrltype"), "io");
	ck_assert_str_eq(detail(o, "connected"), "True");
	json_object_put(o);

	ck_assert_int_eq(ioc_set_dlpe(ioc, NULL), 0);
	o = ioc_details_json(ioc);
	ck_assert_str_eq(detail(o, "dlpe"), "None");
	json_object_put(o);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("stacd-ioc");
	TCase *tc = tcase_create("ioc");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_connect_cap);
	tcase_add_test(tc, test_lost_and_back);
	tcase_add_test(tc, test_ncc_gives_up_and_revives);
	tcase_add_test(tc, test_ncc_then_loss_tmo_both_told);
	tcase_add_test(tc, test_ctrl_loss_tmo);
	tcase_add_test(tc, test_unwanted_not_reconnected);
	tcase_add_test(tc, test_ana_and_namespaces_tracked);
	tcase_add_test(tc, test_details_keys);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(suite)
