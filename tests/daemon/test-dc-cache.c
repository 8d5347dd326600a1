// SPDX-License-Identifier: Apache-2.0
/*
 * stafd's budget for cached discovery logs (doc/stafd.md, DC_MAX_CACHED_ENTRIES): all DCs
 * together keep at most 262,144 entries; a new log of a DC found by referral or mDNS that
 * would go past that is not kept (an error names the DC, its "last error" says why) and its
 * previous log stays; a configured DC's log is always kept.
 *
 * The budget is filled with seeded logs of 4096 entries (the most one log holds), allocated
 * with calloc and never written, so 256 MiB of address space costs next to no memory. Those
 * DCs live on an event base that never runs: they never connect. The fetch test then runs a
 * referral DC and a configured DC against the emulator on loopback.
 */
#include <check.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-main.h"
#include "common/log.h"
#include "emu-harness.h"
#include "stafd-dc.h"
#include "stas/nvme-spec.h"
#include "stas/ntcp-conn.h"

#define FULL	 NVMF_DISC_LOG_MAX_RECORDS
#define N_FILLER (DC_MAX_CACHED_ENTRIES / FULL) /* 64 full logs are the whole budget */

static struct event_base *idle_base; /* never dispatched */
static struct dc *filler[N_FILLER];

static struct nvmf_disc_log *new_log(size_t nr)
{
	struct nvmf_disc_log *log = calloc(1, sizeof(*log) + nr * sizeof(log->entries[0]));

	ck_assert_ptr_nonnull(log);
	log->nr = nr;
	return log;
}

static void params(struct dc_params *p, const char *traddr, unsigned port)
{
	char svc[8];

	memset(p, 0, sizeof(*p));
	snprintf(svc, sizeof(svc), "%u", port);
	tid_set(&p->tid, TID_TRANSPORT, "tcp");
	tid_set(&p->tid, TID_TRADDR, traddr);
	tid_set(&p->tid, TID_TRSVCID, svc);
	tid_set(&p->tid, TID_SUBSYSNQN, NVME_DISC_SUBSYS_NQN);
	tid_set(&p->tid, TID_HOST_NQN,
		"nqn.2014-08.org.nvmexpress:uuid:6d3d5e8c-6f2b-4c8e-9d0c-0b5c3f1a2b4c");
	p->hostid[0] = 0x6d;
	p->retry_base_s = 3;
	p->retry_max_s = 60;
}

static const struct dc_ops no_ops = { 0 };

/* A DC on the idle base (198.51.100.1:@port, never contacted). */
static struct dc *idle_dc(unsigned port, enum dc_origin origin)
{
	struct dc_params p;
	struct dc *dc;

	params(&p, "198.51.100.1", port);
	ck_assert_int_eq(dc_new(idle_base, &p, origin, &no_ops, NULL, &dc), 0);
	return dc;
}

static size_t nr(const struct dc *dc)
{
	const struct nvmf_disc_log *log = dc_log(dc);

	return log ? log->nr : 0;
}

/* The "last error" of the D-Bus details, copied out. */
static void last_error(const struct dc *dc, char *buf, size_t size)
{
	json_object *o = dc_details_json(dc, -1), *v;

	ck_assert(json_object_object_get_ex(o, "last error", &v));
	snprintf(buf, size, "%s", json_object_get_string(v));
	json_object_put(o);
}

static void assert_refused(const struct dc *dc)
{
	char err[256];

	ck_assert_ptr_null(dc_log(dc));
	last_error(dc, err, sizeof(err));
	ck_assert_msg(strstr(err, "not kept") && strstr(err, "262144"), "last error: '%s'", err);
}

/* stderr into a file, to see what the DC logs */
static int capture_fd = -1, saved_stderr = -1;

static void capture_start(void)
{
	char path[] = "/tmp/stas-dc-cache-XXXXXX";

	capture_fd = mkostemp(path, O_CLOEXEC);
	ck_assert_int_ge(capture_fd, 0);
	unlink(path);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(dup2(capture_fd, STDERR_FILENO), 0);
}

static const char *capture_stop(void)
{
	static char buf[8192];
	ssize_t n;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	n = pread(capture_fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(capture_fd);
	return buf;
}

static void setup(void)
{
	log_open("test-dc-cache", LOG_TARGET_STDERR);
	idle_base = event_base_new();
	ck_assert_ptr_nonnull(idle_base);
}

static void teardown(void)
{
	for (unsigned i = 0; i < N_FILLER; i++) {
		dc_free(filler[i]);
		filler[i] = NULL;
	}
	event_base_free(idle_base);
}

/* Referral DCs 20000.. with @n full logs, each kept. */
static void fill(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		filler[i] = idle_dc(20000 + i, DC_ORIGIN_REFERRAL);
		dc_seed_cache(filler[i], new_log(FULL));
		ck_assert_uint_eq(nr(filler[i]), FULL);
	}
}

START_TEST(test_budget)
{
	struct dc *ref, *mdns, *conf;
	char name[TID_STR_MAX];
	const char *out;

	/* 64 full logs reach the budget exactly: "at most" includes it */
	fill(N_FILLER);

	ref = idle_dc(9001, DC_ORIGIN_REFERRAL);
	mdns = idle_dc(9002, DC_ORIGIN_DISCOVERED);
	conf = idle_dc(9003, DC_ORIGIN_CONFIGURED);

	/* one entry more is not kept for a referral or an mDNS DC; the error names the DC */
	capture_start();
	dc_seed_cache(ref, new_log(1));
	out = capture_stop();
	assert_refused(ref);
	tid_to_string(dc_tid(ref), name, sizeof(name));
	ck_assert_msg(strstr(out, name) && strstr(out, "not kept"), "logged: '%s'", out);
	dc_seed_cache(mdns, new_log(1));
	assert_refused(mdns);

	/* a configured DC keeps its log over the budget */
	dc_seed_cache(conf, new_log(FULL));
	ck_assert_uint_eq(nr(conf), FULL);

	/* what a freed DC held is free again; the configured DC's log counts while held */
	dc_free(filler[0]);
	filler[0] = NULL;
	dc_seed_cache(ref, new_log(1));
	ck_assert_ptr_null(dc_log(ref));
	dc_free(conf);
	dc_seed_cache(ref, new_log(1));
	ck_assert_uint_eq(nr(ref), 1);

	dc_free(ref);
	dc_free(mdns);
}
END_TEST

START_TEST(test_previous_log_stays)
{
	const struct nvmf_disc_log *old;
	struct dc *dc, *one;

	/* 63 full logs, a DC with 4095 entries and one with 1: the budget, exactly */
	fill(N_FILLER - 1);
	dc = idle_dc(9001, DC_ORIGIN_REFERRAL);
	dc_seed_cache(dc, new_log(FULL - 1));
	one = idle_dc(9002, DC_ORIGIN_REFERRAL);
	dc_seed_cache(one, new_log(1));
	ck_assert_uint_eq(nr(one), 1);

	/* a new log as large as the DC's own: its old log does not count against it */
	dc_seed_cache(dc, new_log(FULL - 1));
	ck_assert_uint_eq(nr(dc), FULL - 1);

	/* one entry larger goes past the budget: refused, and the previous log stays */
	old = dc_log(dc);
	dc_seed_cache(dc, new_log(FULL));
	ck_assert_ptr_eq(dc_log(dc), old);
	ck_assert_uint_eq(nr(dc), FULL - 1);

	/* once the 1-entry DC is gone it fits */
	dc_free(one);
	dc_seed_cache(dc, new_log(FULL));
	ck_assert_uint_eq(nr(dc), FULL);
	dc_free(dc);
}
END_TEST

/* The daemon's own path: a log fetched from a DC goes through the same budget. */
struct counts {
	unsigned changed;
};

static void on_log_changed(void *arg, struct dc *dc)
{
	((struct counts *)arg)->changed++;
}

static const struct dc_ops count_ops = { .log_changed = on_log_changed };

static void nothing(evutil_socket_t fd, short what, void *arg)
{
}

/* Run @base until @dc is live with a log or an error (kept or not), or @ms pass. */
static bool settled(struct event_base *base, struct dc *dc, int ms)
{
	uint64_t end = stas_now_us() + (uint64_t)ms * 1000;
	char err[256];

	for (;;) {
		last_error(dc, err, sizeof(err));
		if (dc_state(dc) == DC_LIVE && (dc_log(dc) || err[0]))
			return true;
		if (stas_now_us() >= end)
			return false;
		event_base_loop(base, EVLOOP_ONCE);
	}
}

START_TEST(test_fetched_log)
{
	struct counts c_ref = { 0 }, c_conf = { 0 };
	struct event_base *base;
	struct harness h;
	struct dc_params p;
	struct dc *ref, *conf;
	struct event *tick;
	struct timeval tv = { 0, 20000 };
	uint16_t port;

	harness_init(&h);
	port = harness_port(&h, 1);
	harness_subsys(&h, "nqn.2014-08.org.example:budget", 1, 1, 1);
	harness_start(&h);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	/* the loop wakes at least every 20 ms, so the deadlines below are checked */
	tick = event_new(base, -1, EV_PERSIST, nothing, NULL);
	ck_assert_ptr_nonnull(tick);
	event_add(tick, &tv);

	fill(N_FILLER);
	params(&p, "127.0.0.1", port);
	ck_assert_int_eq(dc_new(base, &p, DC_ORIGIN_REFERRAL, &count_ops, &c_ref, &ref), 0);
	ck_assert_msg(settled(base, ref, 20000), "the referral DC never fetched its log");
	assert_refused(ref);
	ck_assert_uint_eq(c_ref.changed, 0);

	ck_assert_int_eq(dc_new(base, &p, DC_ORIGIN_CONFIGURED, &count_ops, &c_conf, &conf), 0);
	ck_assert_msg(settled(base, conf, 20000), "the configured DC never fetched its log");
	ck_assert_uint_eq(nr(conf), 2); /* the port's own entry and the subsystem */
	ck_assert_uint_eq(c_conf.changed, 1);

	dc_free(ref);
	dc_free(conf);
	event_free(tick);
	event_base_free(base);
	harness_stop(&h);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dc-cache");
	TCase *tc = tcase_create("budget");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_budget);
	tcase_add_test(tc, test_previous_log_stays);
	tcase_add_test(tc, test_fetched_log);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(suite)
