// SPDX-License-Identifier: Apache-2.0
/*
 * The data path against the kernel's nvmet: random-offset writes then
 * reads with per-block patterns (LBA + generation stamp) on every
 * namespace of the test bed, one and four I/O queues, digests off and on,
 * every transfer path nvmet exercises (in-capsule up to 16 KiB, R2T above,
 * transfers split by MDTS/NLB), and the errors a user must be able to read.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/check-main.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"
#include "stas/ntcp-conn.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"
#include "stas/nvme-sync.h"

#define TGT(n) "nqn.2014-08.org.example:tgt" #n

struct target {
	const char *addr, *svc, *nqn;
	uint32_t nsid;
};

static const struct target targets[] = {
	{ "198.51.100.2", "4420", TGT(1), 1 }, /* null_blk, 512-byte blocks */
	{ "198.51.100.3", "4421", TGT(1), 2 }, /* null_blk through the second path */
	{ "2001:db8::2", "4420", TGT(2), 1 },  /* file-backed, IPv6 */
	{ "198.51.100.2", "8010", TGT(3), 1 }, /* file-backed, second discovery port */
};

static struct nvme_sync *connect_io(const struct target *t, uint32_t queues, bool dgst)
{
	struct stas_host host;
	struct nvme_ctrl_config c = {
		.traddr = t->addr,
		.trsvcid = t->svc,
		.subsysnqn = t->nqn,
		.kato_ms = 10000,
		.hdgst = dgst,
		.ddgst = dgst,
		.nr_io_queues = queues,
		.io_queue_size = 64,
	};
	struct stas_error e = { 0 };
	struct nvme_sync *s = NULL;

	ck_assert_int_eq(stas_host_generate(&host), 0);
	c.hostnqn = host.nqn;
	memcpy(c.hostid, host.id, 16);
	ck_assert_msg(nvme_sync_connect(&c, &s, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(nvme_ctrl_io_queues(nvme_sync_ctrl(s)), queues);
	return s;
}

/* Every block: its LBA, a generation stamp, then bytes derived from both. */
static void stamp(uint8_t *buf, uint64_t slba, size_t nblocks, uint32_t bs, uint64_t gen)
{
	for (size_t b = 0; b < nblocks; b++) {
		uint8_t *p = buf + b * bs;
		uint64_t lba = htole64(slba + b), g = htole64(gen);

		memcpy(p, &lba, 8);
		memcpy(p + 8, &g, 8);
		for (uint32_t i = 16; i < bs; i++)
			p[i] = (uint8_t)((slba + b) * 131 + gen * 7 + i);
	}
}

static uint64_t rnd(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Sizes that cross nvmet's paths: in-capsule (<=16 KiB), R2T (>16 KiB), split (>MDTS/NLB). */
static const size_t sizes[] = { 512,   4096,   16384,	16384 + 512,
				65536, 131072, 1 << 20, (1 << 20) + 4096 };

/* Rows: target x (queues 1|4) x (digests off|on). */
START_TEST(test_integrity)
{
	const struct target *t = &targets[_i / 4];
	uint32_t queues = _i & 1 ? 4 : 1;
	bool dgst = _i & 2;
	struct nvme_sync *s = connect_io(t, queues, dgst);
	struct stas_error e = { 0 };
	struct nvme_ns_id ns;
	_cleanup_free_ uint8_t *wbuf = malloc(2 << 20), *rbuf = malloc(2 << 20);
	_cleanup_free_ uint64_t *gens = NULL;
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)_i, span;
	uint64_t t0 = stas_now_us(), bytes = 0;

	ck_assert_int_eq(nvme_sync_ns(s, t->nsid, &ns, &e), 0);
	/* Work in the first 16 MiB so blocks get rewritten with new generations. */
	span = (16u << 20) / ns.lba_size;
	gens = calloc(span, sizeof(*gens));
	for (int it = 1; it <= 48; it++) {
		size_t len = sizes[rnd(&seed) % (sizeof(sizes) / sizeof(sizes[0]))];
		size_t nb = (len + ns.lba_size - 1) / ns.lba_size; /* 4 KiB namespaces round up */
		len = nb * ns.lba_size;
		uint64_t slba = rnd(&seed) % (span - nb);

		stamp(wbuf, slba, nb, ns.lba_size, (uint64_t)it);
		ck_assert_msg(nvme_sync_write(s, t->nsid, slba, wbuf, len, &e) == 0, "%s", e.msg);
		for (size_t b = 0; b < nb; b++)
			gens[slba + b] = (uint64_t)it;
		ck_assert_msg(nvme_sync_read(s, t->nsid, slba, rbuf, len, &e) == 0, "%s", e.msg);
		ck_assert_msg(!memcmp(wbuf, rbuf, len), "iteration %d: %zu bytes at %llu differ",
			      it, len, (unsigned long long)slba);
		bytes += 2 * len;
	}
	/* The whole span once more in 1 MiB reads: every block holds its last generation. */
	for (uint64_t blk = 0; blk < span; blk += (1u << 20) / ns.lba_size) {
		size_t nb = (1u << 20) / ns.lba_size;

		ck_assert_msg(nvme_sync_read(s, t->nsid, blk, rbuf, 1u << 20, &e) == 0, "%s",
			      e.msg);
		for (size_t b = 0; b < nb; b++) {
			if (!gens[blk + b])
				continue;
			stamp(wbuf, blk + b, 1, ns.lba_size, gens[blk + b]);
			ck_assert_msg(!memcmp(wbuf, rbuf + b * ns.lba_size, ns.lba_size),
				      "block %llu lost generation %llu",
				      (unsigned long long)(blk + b),
				      (unsigned long long)gens[blk + b]);
		}
		bytes += 1u << 20;
	}
	printf("%s ns %u via %s:%s, %u queue(s), digests %s: %.1f MiB verified in %.2f s\n", t->nqn,
	       t->nsid, t->addr, t->svc, queues, dgst ? "on" : "off", (double)bytes / (1 << 20),
	       (double)(stas_now_us() - t0) / 1e6);
	nvme_sync_disconnect(s);
}
END_TEST

START_TEST(test_commands_and_errors)
{
	const struct target *t = &targets[0];
	struct nvme_sync *s = connect_io(t, 2, false);
	struct stas_error e = { 0 };
	struct nvme_ns_id ns;
	uint8_t buf[8192], zero[8192] = { 0 };
	struct nvme_sqe sqe;

	ck_assert_int_eq(nvme_sync_ns(s, 1, &ns, &e), 0);
	/* Write Zeroes: the blocks read back as zeroes */
	memset(buf, 0xa5, sizeof(buf));
	ck_assert_int_eq(nvme_sync_write(s, 1, 100, buf, sizeof(buf), &e), 0);
	ck_assert_msg(nvme_sync_write_zeroes(s, 1, 100, sizeof(buf) / ns.lba_size, false, &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(nvme_sync_read(s, 1, 100, buf, sizeof(buf), &e), 0);
	ck_assert_mem_eq(buf, zero, sizeof(buf));
	ck_assert_msg(nvme_sync_deallocate(s, 1, 0, 64, &e) == 0, "%s", e.msg);
	ck_assert_msg(nvme_sync_flush(s, 1, &e) == 0, "%s", e.msg);

	/* Refused before sending: beyond the namespace, not a block multiple */
	ck_assert_int_eq(nvme_sync_read(s, 1, ns.nsze - 1, buf, 2 * ns.lba_size, &e), -ERANGE);
	ck_assert_msg(strstr(e.msg, "LBA Out of Range") && strstr(e.msg, "not sent"), "%s", e.msg);
	ck_assert_int_eq(nvme_sync_write(s, 1, 0, buf, 1000, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "not a non-zero multiple of the 512-byte block"), "%s", e.msg);
	ck_assert_int_eq(nvme_sync_read(s, 9, 0, buf, 512, &e), -ENODEV);

	/* Sent anyway (raw): nvmet's block backend refuses it with an error of its own */
	nvme_cmd_rw(&sqe, NVME_IO_READ, 1, ns.nsze, 1, 0);
	ck_assert_int_eq(nvme_sync_io(s, &sqe, NTCP_DIR_C2H, buf, 512, NULL, &e), -EREMOTEIO);
	ck_assert_msg(e.status && strstr(e.msg, nvme_status_name(e.status, NVME_CMD_IO)), "%s",
		      e.msg);
	printf("raw read past the end of a null_blk namespace: %s\n", e.msg);

	/* The 6.1 nvmet has no reservations: the answer is named */
	ck_assert_int_eq(nvme_sync_resv_register(s, 1, NVME_RESV_REGISTER, 0, 0x1234, false, 0, &e),
			 -EREMOTEIO);
	ck_assert_msg(strstr(e.msg, "Reservation Register: ") &&
			      strstr(e.msg, "Invalid Command Opcode"),
		      "%s", e.msg);
	nvme_sync_disconnect(s);

	/* nvmet's file backend checks the range itself and says Capacity Exceeded, by name */
	s = connect_io(&targets[2], 1, false);
	ck_assert_int_eq(nvme_sync_ns(s, 1, &ns, &e), 0);
	nvme_cmd_rw(&sqe, NVME_IO_READ, 1, ns.nsze, 1, 0);
	ck_assert_int_eq(nvme_sync_io(s, &sqe, NTCP_DIR_C2H, buf, ns.lba_size, NULL, &e),
			 -EREMOTEIO);
	printf("raw read past the end of a file namespace: %s\n", e.msg);
	ck_assert_uint_eq(e.status & 0x7ff, NVME_SC_CAP_EXCEEDED);
	ck_assert_msg(strstr(e.msg, "Capacity Exceeded"), "%s", e.msg);
	nvme_sync_disconnect(s);
}
END_TEST

/* ANA: I/O through a path whose group turned inaccessible fails with that status, by name;
 * flipped back, the same I/O works (the test bed is put back either way). */
START_TEST(test_ana_inaccessible_io)
{
	const struct target *t = &targets[1]; /* tgt1 nsid 2 (ANA group 2) via 198.51.100.3:4421 */
	struct nvme_sync *s = connect_io(t, 1, false);
	const char *tb = getenv("STAS_TB_SCRIPT");
	struct stas_error e = { 0 };
	uint8_t buf[512];
	char cmd[512];
	int r;

	ck_assert_msg(tb, "STAS_TB_SCRIPT not set");
	ck_assert_int_eq(nvme_sync_read(s, 2, 0, buf, sizeof(buf), &e), 0);
	snprintf(cmd, sizeof(cmd), "'%s' ctl 'tgt mk_ana 3 2 inaccessible' >/dev/null", tb);
	ck_assert_int_eq(system(cmd), 0);
	r = nvme_sync_read(s, 2, 0, buf, sizeof(buf), &e);
	snprintf(cmd, sizeof(cmd), "'%s' ctl 'tgt mk_ana 3 2 non-optimized' >/dev/null", tb);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(r, -EREMOTEIO);
	ck_assert_msg(nvme_status_is_ana(e.status), "status 0x%x: %s", e.status, e.msg);
	ck_assert_msg(strstr(e.msg, "Asymmetric Access Inaccessible"), "%s", e.msg);
	/* the other namespace (group 1) was never affected, and ns 2 works again */
	ck_assert_int_eq(nvme_sync_read(s, 1, 0, buf, sizeof(buf), &e), 0);
	ck_assert_msg(nvme_sync_read(s, 2, 0, buf, sizeof(buf), &e) == 0, "%s", e.msg);
	nvme_sync_disconnect(s);
}
END_TEST

static Suite *io_suite(void)
{
	Suite *s = suite_create("io-nvmet");
	TCase *tc = tcase_create("integrity");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_integrity, 0, 4 * (int)(sizeof(targets) / sizeof(targets[0])));
	tcase_add_test(tc, test_commands_and_errors);
	tcase_add_test(tc, test_ana_inaccessible_io);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(io_suite)
