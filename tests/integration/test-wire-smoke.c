// SPDX-License-Identifier: Apache-2.0
/*
 * The codec meets the kernel's nvmet target (run inside the test bed's
 * network namespace): ICReq/ICResp on every port with and without digests,
 * then Connect, Property Get/Set, Identify and Get Log Page over plain
 * sockets, decoded by the codec and compared with the test bed's topology
 * (doc/testbed.md).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/check-main.h"
#include "stas/cleanup.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-decode.h"
#include "wire-host.h"

#define TGT(n) "nqn.2014-08.org.example:tgt" #n

struct port {
	const char *addr, *svc;
};

static const struct port ports[] = {
	{ "198.51.100.2", "8009" }, { "198.51.100.2", "4420" }, { "198.51.100.3", "4421" },
	{ "2001:db8::2", "4420" },  { "198.51.100.2", "8010" },
};

static void connect_ok(struct wire_host *w, const char *addr, const char *svc, bool hd, bool dd)
{
	struct stas_error e = { 0 };
	int r = wire_connect(w, addr, svc, hd, dd, &e);

	ck_assert_msg(r == 0, "%s:%s: %s", addr, svc, e.msg);
}

static void admin_ok(struct wire_host *w, const char *subnqn)
{
	struct stas_error e = { 0 };
	int r = wire_admin_setup(w, subnqn, 0, &e);

	ck_assert_msg(r == 0, "%s: %s", subnqn, e.msg);
}

/* Rows: port index x digest setting. */
START_TEST(test_icreq)
{
	const struct port *p = &ports[_i / 2];
	bool dgst = _i % 2;
	struct wire_host w;

	connect_ok(&w, p->addr, p->svc, dgst, dgst);
	ck_assert_int_eq(w.p.hdgst, dgst);
	ck_assert_int_eq(w.p.ddgst, dgst);
	ck_assert_uint_ge(w.p.maxh2cdata, 4096);
	ck_assert_uint_eq(w.p.cpda, 0);
	wire_close(&w);
}
END_TEST

static void identify_ctrl(struct wire_host *w, struct nvme_ctrl_id *id)
{
	uint8_t buf[NVME_IDENTIFY_LEN];
	struct stas_error e = { 0 };
	struct nvme_sqe c;
	uint16_t status;

	nvme_cmd_identify(&c, NVME_CNS_CTRL, 0, 0);
	ck_assert_int_eq(wire_exec(w, &c, NULL, 0, buf, sizeof(buf), &status, NULL, NULL, &e), 0);
	ck_assert_uint_eq(status, 0);
	ck_assert_msg(nvme_id_ctrl_decode(buf, sizeof(buf), id, &e) == 0, "%s", e.msg);
}

static struct nvmf_disc_log *read_disc_log(struct wire_host *w)
{
	struct nvmf_disc_log_info h1, h2;
	struct nvmf_disc_log *log = NULL;
	struct stas_error e = { 0 };
	_cleanup_free_ uint8_t *buf = NULL;
	uint8_t hdr[1024];
	size_t len;

	ck_assert_msg(wire_get_log(w, NVME_LOG_DISCOVERY, 0, 0, hdr, sizeof(hdr), &e) == 0, "%s",
		      e.msg);
	ck_assert_msg(nvmf_disc_log_hdr_decode(hdr, sizeof(hdr), &h1, &e) == 0, "%s", e.msg);
	len = sizeof(hdr) + h1.numrec * 1024;
	buf = calloc(1, len);
	ck_assert_msg(wire_get_log(w, NVME_LOG_DISCOVERY, 0, 0, buf, len, &e) == 0, "%s", e.msg);
	ck_assert_msg(nvmf_disc_log_decode(buf, len, &log, &e) == 0, "%s", e.msg);
	ck_assert_msg(wire_get_log(w, NVME_LOG_DISCOVERY, 0, 0, hdr, sizeof(hdr), &e) == 0, "%s",
		      e.msg);
	ck_assert_int_eq(nvmf_disc_log_hdr_decode(hdr, sizeof(hdr), &h2, &e), 0);
	ck_assert_msg(h1.genctr == h2.genctr && log->hdr.genctr == h1.genctr,
		      "GENCTR moved while reading (%llu, %llu)", (unsigned long long)h1.genctr,
		      (unsigned long long)h2.genctr);
	return log;
}

static void print_log(const char *where, const struct nvmf_disc_log *log)
{
	printf("discovery log of %s: genctr %llu, %zu records\n", where,
	       (unsigned long long)log->hdr.genctr, log->nr);
	for (size_t i = 0; i < log->nr; i++) {
		const struct nvmf_disc_entry *d = &log->entries[i];

		printf("  [%zu] %-27s %-4s %-4s %s:%s portid %u subnqn %s\n", i,
		       nvmf_subtype_str(d->subtype), nvmf_trtype_str(d->trtype),
		       nvmf_adrfam_str(d->adrfam), d->traddr, d->trsvcid, d->portid, d->subnqn);
	}
}

static bool has_entry(const struct nvmf_disc_log *log, uint8_t subtype, uint8_t adrfam,
		      const char *traddr, const char *svc, const char *nqn, uint16_t portid)
{
	for (size_t i = 0; i < log->nr; i++) {
		const struct nvmf_disc_entry *d = &log->entries[i];

		if (d->subtype == subtype && d->trtype == NVMF_TRTYPE_TCP && d->adrfam == adrfam &&
		    !strcmp(d->traddr, traddr) && !strcmp(d->trsvcid, svc) &&
		    !strcmp(d->subnqn, nqn) && d->portid == portid)
			return true;
	}
	return false;
}

#define V4   NVMF_ADRFAM_IPV4
#define V6   NVMF_ADRFAM_IPV6
#define DISC NVME_DISC_SUBSYS_NQN

/* The discovery port's log, with and without digests. */
START_TEST(test_discovery_log)
{
	bool dgst = _i;
	struct wire_host w;
	struct nvme_ctrl_id id;
	_cleanup_free_ struct nvmf_disc_log *log = NULL;

	connect_ok(&w, "198.51.100.2", "8009", dgst, dgst);
	admin_ok(&w, DISC);
	identify_ctrl(&w, &id);
	ck_assert_str_eq(id.subnqn, DISC);
	log = read_disc_log(&w);
	wire_close(&w);
	print_log("198.51.100.2:8009", log);
	ck_assert_uint_eq(log->nr, 7);
	ck_assert(has_entry(log, NVMF_SUBTYPE_CURRENT_DISC, V4, "198.51.100.2", "8009", DISC, 1));
	ck_assert(has_entry(log, NVMF_SUBTYPE_NVME, V4, "198.51.100.2", "8009", TGT(1), 1));
	ck_assert(has_entry(log, NVMF_SUBTYPE_NVME, V4, "198.51.100.2", "8009", TGT(2), 1));
	ck_assert(has_entry(log, NVMF_SUBTYPE_REFERRAL, V4, "198.51.100.2", "4420", DISC, 2));
	ck_assert(has_entry(log, NVMF_SUBTYPE_REFERRAL, V4, "198.51.100.3", "4421", DISC, 3));
	ck_assert(has_entry(log, NVMF_SUBTYPE_REFERRAL, V6, "2001:db8::2", "4420", DISC, 4));
	ck_assert(has_entry(log, NVMF_SUBTYPE_REFERRAL, V4, "198.51.100.2", "8010", DISC, 5));
}
END_TEST

/* The second discovery port only knows tgt3, at its own address. */
START_TEST(test_second_discovery_port)
{
	struct wire_host w;
	_cleanup_free_ struct nvmf_disc_log *log = NULL;

	connect_ok(&w, "198.51.100.2", "8010", false, false);
	admin_ok(&w, DISC);
	log = read_disc_log(&w);
	wire_close(&w);
	print_log("198.51.100.2:8010", log);
	ck_assert(has_entry(log, NVMF_SUBTYPE_NVME, V4, "198.51.100.2", "8010", TGT(3), 5));
	for (size_t i = 0; i < log->nr; i++)
		ck_assert_str_ne(log->entries[i].subnqn, TGT(1));
}
END_TEST

struct ident_row {
	const char *addr, *svc, *nqn, *sn;
};

static const struct ident_row ident_rows[] = {
	{ "198.51.100.2", "4420", TGT(1), "SN-TGT1-0001" },
	{ "2001:db8::2", "4420", TGT(2), "SN-TGT2-0001" },
	{ "198.51.100.2", "8010", TGT(3), "SN-TGT3-0001" },
};

START_TEST(test_identify_io)
{
	const struct ident_row *r = &ident_rows[_i];
	struct wire_host w;
	struct nvme_ctrl_id id;

	connect_ok(&w, r->addr, r->svc, true, true);
	admin_ok(&w, r->nqn);
	identify_ctrl(&w, &id);
	wire_close(&w);
	ck_assert_str_eq(id.sn, r->sn);
	ck_assert_str_eq(id.subnqn, r->nqn);
	ck_assert_uint_eq(id.cntrltype, NVME_CTRL_TYPE_IO);
	ck_assert_uint_eq(id.cntlid, w.cntlid);
	ck_assert_uint_gt(id.ioccsz, 4);
}
END_TEST

static void ns_identify(struct wire_host *w, uint32_t nsid, struct nvme_ns_id *ns)
{
	uint8_t buf[NVME_IDENTIFY_LEN];
	struct stas_error e = { 0 };
	struct nvme_sqe c;
	uint16_t status;

	nvme_cmd_identify(&c, NVME_CNS_NS, nsid, 0);
	ck_assert_int_eq(wire_exec(w, &c, NULL, 0, buf, sizeof(buf), &status, NULL, NULL, &e), 0);
	ck_assert_uint_eq(status, 0);
	ck_assert_msg(nvme_id_ns_decode(buf, sizeof(buf), ns, &e) == 0, "%s", e.msg);
}

/* tgt1 through both paths: namespaces, their groups, and ANA group 2's state per port. */
START_TEST(test_namespaces_and_ana)
{
	static const struct {
		const char *addr, *svc;
		uint8_t grp2;
	} paths[] = {
		{ "198.51.100.2", "4420", NVME_ANA_OPTIMIZED },
		{ "198.51.100.3", "4421", NVME_ANA_NONOPTIMIZED },
	};
	struct wire_host w;
	struct nvme_ctrl_id id;
	struct nvme_ns_id ns;
	struct stas_error e = { 0 };
	uint8_t list[NVME_IDENTIFY_LEN];
	uint32_t nsids[16];
	size_t n;
	bool more;
	struct nvme_sqe c;
	uint16_t status;
	_cleanup_free_ uint8_t *ana = NULL;
	_cleanup_free_ struct nvme_ana_log *log = NULL;
	size_t ana_len;

	connect_ok(&w, paths[_i].addr, paths[_i].svc, false, false);
	admin_ok(&w, TGT(1));
	identify_ctrl(&w, &id);
	nvme_cmd_identify(&c, NVME_CNS_NS_ACTIVE_LIST, 0, 0);
	ck_assert_int_eq(wire_exec(&w, &c, NULL, 0, list, sizeof(list), &status, NULL, NULL, &e),
			 0);
	ck_assert_int_eq(nvme_ns_list_decode(list, sizeof(list), 0, nsids, 16, &n, &more, &e), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(nsids[0], 1);
	ck_assert_uint_eq(nsids[1], 2);
	ns_identify(&w, 1, &ns);
	ck_assert(ns.active);
	ck_assert_uint_eq(ns.nsze * ns.lba_size, 64ull << 20);
	ck_assert_uint_eq(ns.anagrpid, 1);
	ns_identify(&w, 2, &ns);
	ck_assert_uint_eq(ns.anagrpid, 2);

	ana_len = nvme_ana_log_max_len(&id, false);
	ana_len = (ana_len + 3) & ~(size_t)3;
	ana = calloc(1, ana_len);
	ck_assert_msg(wire_get_log(&w, NVME_LOG_ANA, 0, 0, ana, (uint32_t)ana_len, &e) == 0, "%s",
		      e.msg);
	wire_close(&w);
	ck_assert_msg(nvme_ana_log_decode(ana, ana_len, false, &log, &e) == 0, "%s", e.msg);
	for (uint16_t g = 0; g < log->ngrps; g++) {
		const struct nvme_ana_group *grp = &log->groups[g];

		printf("%s:%s ANA group %u: %s, %u namespace(s)\n", paths[_i].addr, paths[_i].svc,
		       grp->grpid, nvme_ana_state_str(grp->state), grp->nnsids);
		if (grp->grpid == 1)
			ck_assert_uint_eq(grp->state, NVME_ANA_OPTIMIZED);
		if (grp->grpid == 2) {
			ck_assert_uint_eq(grp->state, paths[_i].grp2);
			ck_assert_uint_eq(grp->nnsids, 1);
			ck_assert_uint_eq(grp->nsids[0], 2);
		}
	}
}
END_TEST

static Suite *smoke_suite(void)
{
	Suite *s = suite_create("wire-smoke");
	TCase *tc = tcase_create("nvmet");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_icreq, 0, 2 * ARRAY_SIZE(ports));
	tcase_add_loop_test(tc, test_discovery_log, 0, 2);
	tcase_add_test(tc, test_second_discovery_port);
	tcase_add_loop_test(tc, test_identify_io, 0, ARRAY_SIZE(ident_rows));
	tcase_add_loop_test(tc, test_namespaces_and_ana, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(smoke_suite)
