// SPDX-License-Identifier: Apache-2.0
/*
 * The data path against the kernel's nvmet: random-offset writes then
 * reads with per-block patterns (LBA + generation stamp) on every
 * namespace of the test bed, one and four I/O queues, digests off and on,
 * every transfer path nvmet exercises (in-capsule up to 16 KiB, R2T above,
 * transfers split by MDTS/NLB), the errors a user must be able to read, and
 * the SMART log nvmet fills from the block device's statistics.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/check-main.h"
#include "testbed-run.h"
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

/*
 * This controller's Error Information log: the two errors it just made, newest first, on an
 * I/O queue, namespace 1, with the statuses the completions carried (and the LBA of the read).
 */
static void error_log_names_last_two(struct nvme_sync *s, uint16_t older, uint64_t older_lba,
				     uint16_t newer)
{
	_cleanup_free_ struct nvme_error_log_entry *v = NULL;
	struct stas_error e = { 0 };
	char pel[32];
	size_t n;

	ck_assert_msg(nvme_sync_get_error_log(s, &v, &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_ge(n, 2);
	for (size_t i = 0; i < 2; i++)
		printf("error log [%zu]: count %llu sqid %u cid %u status 0x%x (%s) pel %s lba "
		       "%llu "
		       "nsid %u\n",
		       i, (unsigned long long)v[i].error_count, v[i].sqid, v[i].cid, v[i].status,
		       nvme_status_name(v[i].status, NVME_CMD_IO), nvme_pel_str(v[i].pel, pel, 32),
		       (unsigned long long)v[i].lba, v[i].nsid);
	/* the completions said More (there is an entry); the entries themselves do not */
	ck_assert(newer & older & NVME_STATUS_MORE);
	ck_assert_uint_eq(v[0].status, newer & ~NVME_STATUS_MORE);
	ck_assert_uint_eq(v[1].status, older & ~NVME_STATUS_MORE);
	ck_assert_uint_eq(v[1].lba, older_lba);
	ck_assert_uint_eq(v[0].error_count, v[1].error_count + 1);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_uint_ne(v[i].sqid, 0);
		ck_assert_uint_ne(v[i].sqid, 0xffff);
		ck_assert_uint_eq(v[i].nsid, 1);
	}
}

START_TEST(test_commands_and_errors)
{
	const struct target *t = &targets[0];
	struct nvme_sync *s = connect_io(t, 2, false);
	struct stas_error e = { 0 };
	struct nvme_ns_id ns;
	uint8_t buf[8192], zero[8192] = { 0 };
	struct nvme_sqe sqe;
	uint16_t read_status;

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
	read_status = e.status;

	/* The 6.1 nvmet has no reservations: the answer is named */
	ck_assert_int_eq(nvme_sync_resv_register(s, 1, NVME_RESV_REGISTER, 0, 0x1234, false, 0, &e),
			 -EREMOTEIO);
	ck_assert_msg(strstr(e.msg, "Reservation Register: ") &&
			      strstr(e.msg, "Invalid Command Opcode"),
		      "%s", e.msg);
	error_log_names_last_two(s, read_status, ns.nsze, e.status);
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

/* ---- SMART / Health log: what nvmet (6.1) reports -------------------------------------------- */

static struct nvme_smart_log smart(struct nvme_sync *s, uint32_t nsid)
{
	struct nvme_smart_log l;
	struct stas_error e = { 0 };

	ck_assert_msg(nvme_sync_get_smart_log(s, nsid, &l, &e) == 0, "nsid %#x: %s", nsid, e.msg);
	return l;
}

static uint64_t u64(struct nvme_u128 v, const char *what)
{
	char buf[NVME_U128_STR_LEN];

	ck_assert_msg(!v.hi, "%s: %s, not a count nvmet could have", what,
		      nvme_u128_str(v, buf, sizeof(buf)));
	return v.lo;
}

/*
 * What nvmet never fills (admin-cmd.c, nvmet_execute_get_log_page_smart): everything but the
 * four I/O counters (block-device namespaces only) and the controller's error count.
 */
static void smart_unfilled(const struct nvme_smart_log *l, const char *what)
{
	static const uint16_t no_sensors[8];

	ck_assert_msg(!l->critical_warning && !l->temperature && !l->avail_spare &&
			      !l->spare_thresh && !l->percent_used && !l->endu_grp_crit_warn,
		      "%s: warning %#x, %u K, spare %u/%u, used %u", what, l->critical_warning,
		      l->temperature, l->avail_spare, l->spare_thresh, l->percent_used);
	ck_assert_msg(!u64(l->ctrl_busy_time, what) && !u64(l->power_cycles, what) &&
			      !u64(l->power_on_hours, what) && !u64(l->unsafe_shutdowns, what) &&
			      !u64(l->media_errors, what),
		      "%s: busy time, power cycles/hours, unsafe shutdowns or media errors", what);
	ck_assert_msg(!memcmp(l->temp_sensor, no_sensors, sizeof(no_sensors)), "%s: sensors", what);
	ck_assert_msg(!l->warning_temp_time && !l->critical_temp_time && !l->thm_trans_count[0] &&
			      !l->thm_trans_count[1] && !l->thm_total_time[0] &&
			      !l->thm_total_time[1],
		      "%s: temperature times", what);
}

/*
 * null_blk (tgt1 nsid 1): nvmet reports the block device's own statistics, so N single-block
 * writes (each completes before the next: nothing merges) move host write commands by at
 * least N, 1000 more 512-byte blocks move data units written by at least 1, and reads count
 * apart. "At least": another test may use the same namespace at the same time.
 */
START_TEST(test_smart_log_block_ns)
{
	struct nvme_sync *s = connect_io(&targets[0], 1, false);
	struct nvme_smart_log a0, a1, n0, n1, n2;
	struct stas_error e = { 0 };
	struct nvme_ctrl_info info;
	struct nvme_sqe sqe;
	uint8_t buf[512000];
	uint64_t writes, errs;

	nvme_sync_controller_info(s, &info);
	ck_assert_msg(info.id.lpa & NVME_LPA_SMART_PER_NS, "LPA %#x", info.id.lpa);
	a0 = smart(s, NVME_NSID_ALL);
	n0 = smart(s, 1);
	smart_unfilled(&a0, "tgt1, controller");
	smart_unfilled(&n0, "tgt1 nsid 1");
	/* the controller-wide page sums nsid 1 and 2 (both null_blk) */
	ck_assert_uint_ge(u64(a0.host_writes, "all"), u64(n0.host_writes, "ns 1"));
	ck_assert_uint_ge(u64(a0.data_units_written, "all"), u64(n0.data_units_written, "ns 1"));

	memset(buf, 0x5a, sizeof(buf));
	for (uint64_t i = 0; i < 8; i++)
		ck_assert_msg(nvme_sync_write(s, 1, 4096 + i, buf, 512, &e) == 0, "%s", e.msg);
	for (uint64_t i = 0; i < 4; i++)
		ck_assert_msg(nvme_sync_read(s, 1, 4096 + i, buf, 512, &e) == 0, "%s", e.msg);
	n1 = smart(s, 1);
	writes = u64(n1.host_writes, "ns 1") - u64(n0.host_writes, "ns 1");
	ck_assert_msg(writes >= 8, "8 one-block writes: host write commands +%llu",
		      (unsigned long long)writes);
	ck_assert_uint_ge(u64(n1.host_reads, "ns 1") - u64(n0.host_reads, "ns 1"), 4);

	ck_assert_msg(nvme_sync_write(s, 1, 8192, buf, sizeof(buf), &e) == 0, "%s", e.msg);
	n2 = smart(s, 1);
	ck_assert_uint_ge(u64(n2.data_units_written, "ns 1") - u64(n1.data_units_written, "ns 1"),
			  1);
	ck_assert_uint_gt(u64(n2.host_writes, "ns 1"), u64(n1.host_writes, "ns 1"));
	printf("nvmet SMART, tgt1 nsid 1: 8 one-block writes +%llu write commands, 4 reads +%llu "
	       "read commands, 1000 blocks +%llu data units written\n",
	       (unsigned long long)writes,
	       (unsigned long long)(u64(n1.host_reads, "r") - u64(n0.host_reads, "r")),
	       (unsigned long long)(u64(n2.data_units_written, "w") -
				    u64(n1.data_units_written, "w")));
	a1 = smart(s, NVME_NSID_ALL);
	ck_assert_uint_ge(u64(a1.host_writes, "all") - u64(a0.host_writes, "all"), 9);
	ck_assert_uint_ge(u64(a1.data_units_written, "all"), u64(n2.data_units_written, "ns 1"));
	smart_unfilled(&a1, "tgt1, controller, after I/O");

	/* error log entries: this controller's count of failed commands, +1 for Invalid NS */
	errs = u64(a1.num_err_log_entries, "errors");
	nvme_cmd_rw(&sqe, NVME_IO_READ, 9, 0, 1, 0);
	ck_assert_int_eq(nvme_sync_io(s, &sqe, NTCP_DIR_C2H, buf, 512, NULL, &e), -EREMOTEIO);
	a1 = smart(s, NVME_NSID_ALL);
	ck_assert_uint_eq(u64(a1.num_err_log_entries, "errors"), errs + 1);

	/* an absent namespace, and NSID 0, which 6.1 does not take for "the controller" */
	ck_assert_int_eq(nvme_sync_get_smart_log(s, 9, &n2, &e), -EREMOTEIO);
	ck_assert_msg(strstr(e.msg, "Invalid Namespace"), "%s", e.msg);
	ck_assert_int_eq(nvme_sync_get_smart_log(s, 0, &n2, &e), -EREMOTEIO);
	printf("SMART log with NSID 0 from nvmet: %s\n", e.msg);
	ck_assert_msg(strstr(e.msg, "Invalid Namespace"), "%s", e.msg);
	nvme_sync_disconnect(s);
}
END_TEST

/* A file-backed namespace (tgt2): nvmet has no statistics for it, all counters stay 0. */
START_TEST(test_smart_log_file_ns)
{
	struct nvme_sync *s = connect_io(&targets[2], 1, false);
	struct stas_error e = { 0 };
	struct nvme_smart_log l;
	struct nvme_ns_id ns;
	uint8_t buf[16384];

	ck_assert_int_eq(nvme_sync_ns(s, 1, &ns, &e), 0);
	memset(buf, 0x3c, sizeof(buf));
	for (uint64_t i = 0; i < 4; i++)
		ck_assert_msg(nvme_sync_write(s, 1, i * 4, buf, 4 * ns.lba_size, &e) == 0, "%s",
			      e.msg);
	ck_assert_msg(nvme_sync_read(s, 1, 0, buf, 4 * ns.lba_size, &e) == 0, "%s", e.msg);
	for (int pass = 0; pass < 2; pass++) {
		l = smart(s, pass ? NVME_NSID_ALL : 1);
		smart_unfilled(&l, pass ? "tgt2, controller" : "tgt2 nsid 1");
		ck_assert_msg(!u64(l.host_writes, "w") && !u64(l.host_reads, "r") &&
				      !u64(l.data_units_written, "dw") &&
				      !u64(l.data_units_read, "dr"),
			      "file-backed, pass %d: I/O counters are not 0", pass);
	}
	nvme_sync_disconnect(s);
}
END_TEST

/* ANA: I/O through a path whose group turned inaccessible fails with that status, by name;
 * flipped back, the same I/O works (the test bed is put back either way). */
START_TEST(test_ana_inaccessible_io)
{
	const struct target *t = &targets[1]; /* tgt1 nsid 2 (ANA group 2) via 198.51.100.3:4421 */
	struct nvme_sync *s = connect_io(t, 1, false);
	struct stas_error e = { 0 };
	uint8_t buf[512];
	int r;

	ck_assert_int_eq(nvme_sync_read(s, 2, 0, buf, sizeof(buf), &e), 0);
	testbed_change("ctl", "tgt mk_ana 3 2 inaccessible", "ctl", "tgt mk_ana 3 2 non-optimized");
	r = nvme_sync_read(s, 2, 0, buf, sizeof(buf), &e);
	testbed_restore();
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
	tcase_add_checked_fixture(tc, testbed_put_back_leftovers, NULL);
	tcase_add_unchecked_fixture(tc, NULL, testbed_put_back_leftovers);
	tcase_add_loop_test(tc, test_integrity, 0, 4 * (int)(sizeof(targets) / sizeof(targets[0])));
	tcase_add_test(tc, test_commands_and_errors);
	tcase_add_test(tc, test_ana_inaccessible_io);
	tcase_add_test(tc, test_smart_log_block_ns);
	tcase_add_test(tc, test_smart_log_file_ns);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(io_suite)
