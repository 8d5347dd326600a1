// SPDX-License-Identifier: Apache-2.0
/*
 * The core (controller layer through the synchronous API) against the
 * kernel's nvmet in the test bed: discovery with referrals over IPv4 and
 * IPv6, Identify of every subsystem on every path, AENs for a discovery
 * log change and an ANA change (driven through the test bed's control
 * channel, and put back), keep-alive holding an idle association past KATO
 * (and nvmet dropping one that stays silent), digests on and off.
 *
 * Runs inside the test bed's network namespace; STAS_TB_SCRIPT and
 * STAS_TB_DIR say how to reach the control channel.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../unit/check-main.h"
#include "testbed-run.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"
#include "stas/ntcp-conn.h"
#include "stas/nvme-status.h"
#include "stas/nvme-sync.h"
#include "wire-host.h"

#define TGT(n) "nqn.2014-08.org.example:tgt" #n

static struct stas_host host;

static void host_setup(void)
{
	ck_assert_int_eq(stas_host_generate(&host), 0);
}

static struct nvme_ctrl_config cfg_for(const char *addr, const char *svc, const char *nqn,
				       uint32_t kato_ms, bool dgst)
{
	struct nvme_ctrl_config c = {
		.traddr = addr,
		.trsvcid = svc,
		.subsysnqn = nqn,
		.hostnqn = host.nqn,
		.kato_ms = kato_ms,
		.hdgst = dgst,
		.ddgst = dgst,
	};

	memcpy(c.hostid, host.id, sizeof(c.hostid));
	return c;
}

static struct nvme_sync *connect_ok(const char *addr, const char *svc, const char *nqn,
				    uint32_t kato_ms, bool dgst)
{
	struct nvme_ctrl_config c = cfg_for(addr, svc, nqn, kato_ms, dgst);
	struct stas_error e = { 0 };
	struct nvme_sync *s = NULL;

	ck_assert_msg(nvme_sync_connect(&c, &s, &e) == 0, "%s:%s %s: %s", addr, svc, nqn, e.msg);
	return s;
}

static struct nvmf_disc_log *disc_log(struct nvme_sync *s)
{
	struct nvmf_disc_log *log = NULL;
	struct stas_error e = { 0 };

	ck_assert_msg(nvme_sync_get_discovery_log(s, &log, &e) == 0, "%s", e.msg);
	return log;
}

static bool log_has(const struct nvmf_disc_log *log, const char *nqn)
{
	for (size_t i = 0; i < log->nr; i++)
		if (!strcmp(log->entries[i].subnqn, nqn))
			return true;
	return false;
}

/* ---- discovery, referrals, identify everything ------------------------------------------- */

struct found {
	char addr[64], svc[16], nqn[224];
	uint8_t adrfam;
};

static const char *serial_of(const char *nqn)
{
	if (!strcmp(nqn, TGT(1)))
		return "SN-TGT1-0001";
	if (!strcmp(nqn, TGT(2)))
		return "SN-TGT2-0001";
	if (!strcmp(nqn, TGT(3)))
		return "SN-TGT3-0001";
	return "?";
}

/* Follow every referral from the discovery port: all 5 DCs, 9 I/O controllers, every one
 * identified with the serial the test bed configured; digests per loop row. */
START_TEST(test_discover_all_and_identify)
{
	bool dgst = _i;
	struct found dcs[16] = { { "198.51.100.2", "8009", NVME_DISC_SUBSYS_NQN, 1 } };
	struct found ios[32];
	int ndc = 1, nio = 0, v6 = 0;
	uint64_t t0 = stas_now_us();

	for (int d = 0; d < ndc; d++) {
		struct nvme_sync *s = connect_ok(dcs[d].addr, dcs[d].svc, dcs[d].nqn, 0, dgst);
		_cleanup_free_ struct nvmf_disc_log *log = disc_log(s);

		nvme_sync_disconnect(s);
		for (size_t i = 0; i < log->nr; i++) {
			const struct nvmf_disc_entry *e = &log->entries[i];
			struct found *f = NULL;
			bool dup = false;

			if (e->subtype == NVMF_SUBTYPE_REFERRAL) {
				for (int k = 0; k < ndc; k++)
					dup |= !strcmp(dcs[k].addr, e->traddr) &&
					       !strcmp(dcs[k].svc, e->trsvcid);
				if (!dup && ndc < 16)
					f = &dcs[ndc++];
			} else if (e->subtype == NVMF_SUBTYPE_NVME && nio < 32) {
				f = &ios[nio++];
			}
			if (!f)
				continue;
			snprintf(f->addr, sizeof(f->addr), "%s", e->traddr);
			snprintf(f->svc, sizeof(f->svc), "%s", e->trsvcid);
			snprintf(f->nqn, sizeof(f->nqn), "%s", e->subnqn);
			f->adrfam = e->adrfam;
		}
	}
	ck_assert_int_eq(ndc, 5);
	ck_assert_int_eq(nio, 9);
	for (int i = 0; i < nio; i++) {
		struct nvme_sync *s = connect_ok(ios[i].addr, ios[i].svc, ios[i].nqn, 5000, dgst);
		struct nvme_ctrl_id id;
		struct stas_error e = { 0 };

		ck_assert_msg(nvme_sync_identify_ctrl(s, &id, &e) == 0, "%s", e.msg);
		ck_assert_str_eq(id.sn, serial_of(ios[i].nqn));
		ck_assert_str_eq(id.subnqn, ios[i].nqn);
		v6 += ios[i].adrfam == NVMF_ADRFAM_IPV6;
		nvme_sync_disconnect(s);
	}
	ck_assert_int_eq(v6, 2); /* tgt1 and tgt2 through the IPv6 port */
	printf("discover (5 DCs via referrals) + identify of 9 I/O controllers, digests %s: "
	       "%.1f ms\n",
	       dgst ? "on" : "off", (double)(stas_now_us() - t0) / 1000.0);
}
END_TEST

START_TEST(test_namespaces_and_features)
{
	struct nvme_sync *s = connect_ok("2001:db8::2", "4420", TGT(1), 5000, false);
	_cleanup_free_ uint32_t *ids = NULL;
	struct stas_error e = { 0 };
	struct nvme_ns_id ns;
	struct nvme_ns_descs d;
	uint32_t dw0 = 0;
	size_t n = 0;

	ck_assert_int_eq(nvme_sync_list_ns(s, &ids, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(nvme_sync_identify_ns(s, 2, &ns, &e), 0);
	ck_assert_uint_eq(ns.anagrpid, 2);
	ck_assert_uint_eq(ns.nsze * ns.lba_size, 64u << 20);
	ck_assert_msg(nvme_sync_ns_descs(s, 1, &d, &e) == 0, "%s", e.msg);
	ck_assert(d.has_uuid || d.has_nguid);
	/* KATO as negotiated at Connect */
	ck_assert_int_eq(nvme_sync_get_features(s, NVME_FEAT_KATO, 0, 0, 0, &dw0, &e), 0);
	ck_assert_uint_eq(dw0, 5000);
	/* an inactive namespace reads as zeroes; a bad NSID is refused by name */
	ck_assert_int_eq(nvme_sync_identify_ns(s, 77, &ns, &e), 0);
	ck_assert(!ns.active);
	ck_assert_int_eq(nvme_sync_identify_ns(s, 0xffffffff, &ns, &e), -EREMOTEIO);
	ck_assert_msg(strstr(e.msg, "Identify Namespace: ") && e.status, "%s", e.msg);
	/* a log page nvmet does not have: the status is named */
	{
		uint8_t b[512];

		ck_assert_int_eq(nvme_sync_get_log(s, 0xc0, 0, 0, false, 0, b, sizeof(b), &e),
				 -EREMOTEIO);
		ck_assert_msg(strstr(e.msg, "Invalid Field in Command") ||
				      strstr(e.msg, "Invalid Log Page"),
			      "%s", e.msg);
	}
	nvme_sync_disconnect(s);
}
END_TEST

/* ---- events ------------------------------------------------------------------------------- */

static void expect_event(struct nvme_sync *s, uint8_t info, uint8_t lid)
{
	struct stas_error e = { 0 };
	struct nvme_aen a;
	uint32_t dw0;

	ck_assert_msg(nvme_sync_wait_event(s, 10000, &dw0, &e) == 0, "%s", e.msg);
	a = nvme_aen_decode(dw0);
	ck_assert_uint_eq(a.type, NVME_AER_NOTICE);
	ck_assert_uint_eq(a.info, info);
	ck_assert_uint_eq(a.lid, lid);
}

/* Unlinking a subsystem from the discovery port raises a discovery-log-change AEN; the
 * re-read log reflects it; relinking (the test bed put back) raises another. */
START_TEST(test_discovery_aen)
{
	struct nvme_sync *s =
		connect_ok("198.51.100.2", "8009", NVME_DISC_SUBSYS_NQN, 30000, false);
	_cleanup_free_ struct nvmf_disc_log *before = disc_log(s);
	_cleanup_free_ struct nvmf_disc_log *during = NULL, *after = NULL;

	ck_assert(log_has(before, TGT(2)));
	testbed_change("ctl", "tgt unlink 1 " TGT(2), "ctl", "tgt link 1 " TGT(2));
	expect_event(s, NVME_AER_NOTICE_DISC_CHANGED, NVME_LOG_DISCOVERY);
	during = disc_log(s);
	testbed_restore();
	ck_assert(!log_has(during, TGT(2)));
	ck_assert_uint_gt(during->hdr.genctr, before->hdr.genctr);
	expect_event(s, NVME_AER_NOTICE_DISC_CHANGED, NVME_LOG_DISCOVERY);
	after = disc_log(s);
	ck_assert(log_has(after, TGT(2)));
	nvme_sync_disconnect(s);
}
END_TEST

static uint8_t group_state(struct nvme_sync *s, uint32_t grp)
{
	_cleanup_free_ struct nvme_ana_log *log = NULL;
	struct stas_error e = { 0 };

	ck_assert_msg(nvme_sync_get_ana_log(s, false, &log, &e) == 0, "%s", e.msg);
	for (uint16_t g = 0; g < log->ngrps; g++)
		if (log->groups[g].grpid == grp)
			return log->groups[g].state;
	return 0;
}

/* The second path shows group 2 non-optimized; flipping it raises an ANA-change AEN. */
START_TEST(test_ana_aen)
{
	struct nvme_sync *s = connect_ok("198.51.100.3", "4421", TGT(1), 30000, true);

	ck_assert_uint_eq(group_state(s, 2), NVME_ANA_NONOPTIMIZED);
	ck_assert_uint_eq(group_state(s, 1), NVME_ANA_OPTIMIZED);
	testbed_change("ctl", "tgt mk_ana 3 2 inaccessible", "ctl", "tgt mk_ana 3 2 non-optimized");
	expect_event(s, NVME_AER_NOTICE_ANA, NVME_LOG_ANA);
	ck_assert_uint_eq(group_state(s, 2), NVME_ANA_INACCESSIBLE);
	testbed_restore();
	expect_event(s, NVME_AER_NOTICE_ANA, NVME_LOG_ANA);
	ck_assert_uint_eq(group_state(s, 2), NVME_ANA_NONOPTIMIZED);
	nvme_sync_disconnect(s);
}
END_TEST

/* ---- keep-alive ---------------------------------------------------------------------------- */

/* KATO 3 s, idle for 9 s: keep-alives (every 1.5 s) hold the association. */
START_TEST(test_keep_alive_holds)
{
	struct nvme_sync *s = connect_ok("198.51.100.2", "4420", TGT(2), 3000, false);
	struct stas_error e = { 0 };
	struct nvme_ctrl_id id;
	uint32_t dw0;

	ck_assert_int_eq(nvme_sync_wait_event(s, 9000, &dw0, &e), -ETIMEDOUT);
	ck_assert_int_eq(nvme_ctrl_state(nvme_sync_ctrl(s)), NVME_CTRL_LIVE);
	ck_assert_uint_ge(nvme_ctrl_keep_alives(nvme_sync_ctrl(s)), 5);
	ck_assert_msg(nvme_sync_identify_ctrl(s, &id, &e) == 0, "%s", e.msg);
	nvme_sync_disconnect(s);
}
END_TEST

/* The same KATO and silence: nvmet ends the association (the plain-socket host sends no
 * keep-alive), which is what the keep-alives above prevent. */
START_TEST(test_no_keep_alive_dropped)
{
	struct wire_host w;
	struct stas_error e = { 0 };
	uint64_t t0;
	uint8_t b;
	ssize_t n;

	ck_assert_msg(wire_connect(&w, "198.51.100.2", "4420", false, false, &e) == 0, "%s", e.msg);
	ck_assert_msg(wire_admin_setup(&w, TGT(2), 3000, &e) == 0, "%s", e.msg);
	t0 = stas_now_us();
	do
		n = recv(w.fd, &b, 1, 0); /* SO_RCVTIMEO is 10 s */
	while (n < 0 && errno == EINTR);
	ck_assert_int_le(n, 0);
	ck_assert_msg(n == 0 || errno == ECONNRESET, "recv: %s", strerror(errno));
	ck_assert_uint_lt(stas_now_us() - t0, 9500000);
	wire_close(&w);
}
END_TEST

/* The source address and interface are honoured, and a bad one is named. */
START_TEST(test_source_address)
{
	struct nvme_ctrl_config c = cfg_for("198.51.100.2", "8009", NVME_DISC_SUBSYS_NQN, 0, false);
	struct stas_error e = { 0 };
	struct nvme_sync *s = NULL;

	c.host_traddr = "198.51.100.1";
	c.host_iface = "tap0";
	ck_assert_msg(nvme_sync_connect(&c, &s, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(nvme_ctrl_local_addr(nvme_sync_ctrl(s)), "198.51.100.1");
	nvme_sync_disconnect(s);
	c.host_iface = NULL;
	c.host_traddr = "198.51.100.77"; /* not an address of this namespace */
	ck_assert_int_lt(nvme_sync_connect(&c, &s, &e), 0);
	ck_assert_msg(strstr(e.msg, "host-traddr '198.51.100.77': bind"), "%s", e.msg);
	c.host_traddr = NULL;
	c.host_iface = "nosuch0";
	ck_assert_int_lt(nvme_sync_connect(&c, &s, &e), 0);
	ck_assert_msg(strstr(e.msg, "host-iface 'nosuch0'"), "%s", e.msg);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core-nvmet");
	TCase *tc = tcase_create("discovery");

	tcase_add_checked_fixture(tc, host_setup, NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_discover_all_and_identify, 0, 2);
	tcase_add_test(tc, test_namespaces_and_features);
	tcase_add_test(tc, test_source_address);
	suite_add_tcase(s, tc);
	tc = tcase_create("events");
	tcase_add_checked_fixture(tc, host_setup, NULL);
	tcase_add_checked_fixture(tc, testbed_put_back_leftovers, NULL);
	tcase_add_unchecked_fixture(tc, NULL, testbed_put_back_leftovers);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_discovery_aen);
	tcase_add_test(tc, test_ana_aen);
	suite_add_tcase(s, tc);
	tc = tcase_create("keep-alive");
	tcase_add_checked_fixture(tc, host_setup, NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_keep_alive_holds);
	tcase_add_test(tc, test_no_keep_alive_dropped);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(core_suite)
