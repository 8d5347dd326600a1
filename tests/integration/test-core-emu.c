// SPDX-License-Identifier: Apache-2.0
/*
 * The host core against the in-tree emulator, for what nvmet cannot do:
 * a target that stalls, resets, lies or sends malformed PDUs (each must
 * end in an error that names it, never a hang or a crash), multi-PDU C2H
 * data and many R2Ts per write, GENCTR changing under a discovery read,
 * Compare, LBA Out of Range, reservations with two hosts, and SMART
 * counters that follow the I/O served.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "../unit/check-main.h"
#include "emu-harness.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"
#include "stas/ntcp-conn.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-ctrl.h"
#include "stas/nvme-status.h"
#include "stas/nvme-sync.h"

#define NQN "nqn.2014-08.org.example:emu1"

static struct harness h;
static char port_str[8];

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	harness_init(&h);
	snprintf(port_str, sizeof(port_str), "%u", harness_port(&h, 1));
	harness_subsys(&h, NQN, 2, 16, 1);
	harness_start(&h);
}

static void teardown(void)
{
	harness_stop(&h);
}

static struct nvme_ctrl_config config(const char *nqn, uint32_t queues, struct stas_host *host)
{
	struct nvme_ctrl_config c = {
		.traddr = "127.0.0.1",
		.trsvcid = port_str,
		.subsysnqn = nqn,
		.kato_ms = 10000,
		.nr_io_queues = queues,
		.io_queue_size = 32,
		.cmd_timeout_ms = 1500,
		.connect_timeout_ms = 1500,
		.io_timeout_ms = 1500,
	};

	ck_assert_int_eq(stas_host_generate(host), 0);
	c.hostnqn = host->nqn;
	memcpy(c.hostid, host->id, 16);
	return c;
}

static struct nvme_sync *connect_ok(const char *nqn, uint32_t queues, bool dgst)
{
	struct stas_host host;
	struct nvme_ctrl_config c = config(nqn, queues, &host);
	struct stas_error e = { 0 };
	struct nvme_sync *s = NULL;

	c.hdgst = c.ddgst = dgst;
	ck_assert_msg(nvme_sync_connect(&c, &s, &e) == 0, "%s", e.msg);
	return s;
}

static void fault(enum emu_fault f, int32_t arg, uint32_t times)
{
	ck_assert_int_eq(H_DO(&h, emu_set_fault(h.emu, 1, f, arg, times)), 0);
}

/* ---- connection faults: each ends in a named error, within its timeout ------------------- */

struct conn_fault {
	const char *name;
	enum emu_fault f;
	int32_t arg;
	const char *msg;
};

static const struct conn_fault connect_faults[] = {
	{ "refused", EMU_FAULT_REFUSE, 0, "connection reset by the controller" },
	{ "no ICResp", EMU_FAULT_NO_ICRESP, 0, "ICReq/ICResp timed out after 1500 ms" },
	{ "stalls during bring-up", EMU_FAULT_STALL_AFTER, 1, "timed out after 1500 ms" },
	{ "closes during bring-up", EMU_FAULT_CLOSE_AFTER, 2,
	  "connection closed by the controller" },
};

START_TEST(test_connect_fault)
{
	const struct conn_fault *cf = &connect_faults[_i];
	struct stas_host host;
	struct nvme_ctrl_config c = config(NQN, 0, &host);
	struct stas_error e = { 0 };
	struct nvme_sync *s = NULL;
	uint64_t t0 = stas_now_us();

	fault(cf->f, cf->arg, EMU_FAULT_FOREVER);
	ck_assert_int_lt(nvme_sync_connect(&c, &s, &e), 0);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(e.msg, cf->msg), "%s: '%s' lacks '%s'", cf->name, e.msg, cf->msg);
	ck_assert_uint_lt(stas_now_us() - t0, 5000000);
	fault(cf->f, 0, 0);
}
END_TEST

/* ---- addresses the socket layer cannot use: refused before any packet, by field ---------- */

struct bad_address {
	const char *traddr, *host_traddr, *host_iface;
	const char *msg;
};

static const struct bad_address bad_addresses[] = {
	{ "example.invalid", NULL, NULL,
	  "traddr 'example.invalid': not a numeric IPv4/IPv6 address" },
	{ "fe80::1", NULL, NULL,
	  "traddr 'fe80::1' is link-local: give host-iface or 'fe80::1%IFACE'" },
	{ "127.0.0.1", NULL, "stas-no-such0", "host-iface 'stas-no-such0': No such device" },
	{ "127.0.0.1", "nowhere", NULL, "host-traddr 'nowhere': not a numeric IPv4/IPv6 address" },
	{ "127.0.0.1", "192.0.2.1", NULL, "host-traddr '192.0.2.1': bind: " },
};

START_TEST(test_bad_address)
{
	const struct bad_address *b = &bad_addresses[_i];
	struct stas_host host;
	struct nvme_ctrl_config c = config(NQN, 0, &host);
	struct stas_error e = { 0 };
	struct nvme_sync *s = NULL;

	c.traddr = b->traddr;
	c.host_traddr = b->host_traddr;
	c.host_iface = b->host_iface;
	ck_assert_int_lt(nvme_sync_connect(&c, &s, &e), 0);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(e.msg, b->msg), "'%s' lacks '%s'", e.msg, b->msg);
}
END_TEST

struct live_fault {
	const char *name;
	enum emu_fault f;
	int32_t arg;
	bool io; /* the fault hits a read on an I/O queue, not an admin command */
	int err;
	const char *msg;
	bool survives; /* only the command fails; the controller stays LIVE */
};

static const struct live_fault live_faults[] = {
	{ "stall", EMU_FAULT_STALL_AFTER, 0, false, -ETIMEDOUT, "timed out after 1500 ms", false },
	/* closed (FIN) or, when the host's next PDU was still unread there, reset (RST) */
	{ "close", EMU_FAULT_CLOSE_AFTER, 0, false, -ECONNRESET, "by the controller", false },
	{ "header digest", EMU_FAULT_BAD_HDGST, 0, false, -EPROTO, "header digest mismatch",
	  false },
	{ "data digest", EMU_FAULT_BAD_DDGST, 0, true, -EBADMSG, "data digest mismatch", true },
	{ "C2HTermReq", EMU_FAULT_TERM_REQ, 2, false, -ECONNRESET,
	  "controller terminated the connection: C2HTermReq: PDU Sequence Error", false },
	{ "unknown CID", EMU_FAULT_UNKNOWN_CID, 0, false, -EPROTO, "which no command in flight has",
	  false },
	{ "extra C2H data", EMU_FAULT_EXTRA_C2H, 8, true, -EPROTO,
	  "run past the 4096-byte transfer", false },
	{ "bad HLEN", EMU_FAULT_MALFORMED, EMU_MALFORMED_HLEN, false, -EPROTO,
	  "CapsuleResp: HLEN 28, expected 24", false },
	{ "bad PLEN", EMU_FAULT_MALFORMED, EMU_MALFORMED_PLEN, false, -EPROTO,
	  "CapsuleResp: PLEN 44, expected 28", false },
	{ "bad PDO", EMU_FAULT_MALFORMED, EMU_MALFORMED_PDO, false, -EPROTO,
	  "CapsuleResp: PDO 24 but the PDU has no data", false },
	{ "bad type", EMU_FAULT_MALFORMED, EMU_MALFORMED_TYPE, false, -EPROTO,
	  "PDU type 0x0b (unknown)", false },
};

/* Digests on so the digest faults have something to corrupt. */
START_TEST(test_live_fault)
{
	const struct live_fault *lf = &live_faults[_i];
	/* No I/O queue unless the fault hits one: the emulator closes all of a controller's
	 * connections, and the I/O queue's close could beat the admin queue's answer. */
	struct nvme_sync *s = connect_ok(NQN, lf->io ? 1 : 0, true);
	struct stas_error e = { 0 };
	struct nvme_ctrl_id id;
	uint8_t buf[4096];
	uint64_t t0;
	int r;

	fault(lf->f, lf->arg, 1);
	t0 = stas_now_us();
	if (lf->io)
		r = nvme_sync_read(s, 1, 0, buf, sizeof(buf), &e);
	else
		r = nvme_sync_identify_ctrl(s, &id, &e);
	ck_assert_msg(r == lf->err, "%s: %d (%s)", lf->name, r, e.msg);
	ck_assert_msg(strstr(e.msg, lf->msg), "%s: '%s' lacks '%s'", lf->name, e.msg, lf->msg);
	ck_assert_uint_lt(stas_now_us() - t0, 5000000);
	ck_assert_int_eq(nvme_ctrl_state(nvme_sync_ctrl(s)) == NVME_CTRL_LIVE, lf->survives);
	if (lf->survives)
		ck_assert_msg(nvme_sync_read(s, 1, 0, buf, sizeof(buf), &e) == 0, "%s", e.msg);
	else /* nothing works any more, and says why */
		ck_assert_int_lt(nvme_sync_identify_ctrl(s, &id, &e), 0);
	nvme_sync_disconnect(s);
}
END_TEST

/* A bad R2T: the write fails with the R2T named, the association ends. */
START_TEST(test_bad_r2t)
{
	struct nvme_sync *s = connect_ok(NQN, 1, false);
	struct stas_error e = { 0 };
	static uint8_t buf[65536];

	fault(EMU_FAULT_BAD_R2T, 0, 1);
	ck_assert_int_eq(nvme_sync_write(s, 1, 0, buf, sizeof(buf), &e), -EPROTO);
	ck_assert_msg(strstr(e.msg, "R2T CID") && strstr(e.msg, "run past the 65536-byte transfer"),
		      "%s", e.msg);
	nvme_sync_disconnect(s);
}
END_TEST

/* ---- discovery: GENCTR moving and Discover Restart are retried transparently ----------------- */

START_TEST(test_discovery_retries)
{
	struct nvme_sync *s = connect_ok(NVME_DISC_SUBSYS_NQN, 0, false);
	_cleanup_free_ struct nvmf_disc_log *log = NULL, *log2 = NULL;
	struct stas_error e = { 0 };

	fault(EMU_FAULT_GENCTR_BUMP, 0, 2);
	ck_assert_msg(nvme_sync_get_discovery_log(s, &log, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(H_DO(&h, emu_fault_fired(h.emu, 1, EMU_FAULT_GENCTR_BUMP)), 2);
	ck_assert_uint_eq(log->hdr.genctr, H_DO(&h, emu_genctr(h.emu)));
	fault(EMU_FAULT_DISC_RESTART, 0, 1);
	ck_assert_msg(nvme_sync_get_discovery_log(s, &log2, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(log2->nr, log->nr);
	nvme_sync_disconnect(s);
}
END_TEST

/* ---- data paths nvmet does not use ---------------------------------------------------------- */

/* C2H data in 4 KiB PDUs, R2Ts of 8 KiB, H2CData of at most 4 KiB; digests per row. */
START_TEST(test_multi_pdu_transfers)
{
	bool dgst = _i;
	struct nvme_sync *s;
	struct stas_error e = { 0 };
	size_t len = 256 * 1024;
	_cleanup_free_ uint8_t *w = malloc(len), *r = malloc(len);

	ck_assert_int_eq(H_DO(&h, emu_set_knob(h.emu, 1, EMU_KNOB_C2H_CHUNK, 4096)), 0);
	ck_assert_int_eq(H_DO(&h, emu_set_knob(h.emu, 1, EMU_KNOB_R2T_CHUNK, 8192)), 0);
	ck_assert_int_eq(H_DO(&h, emu_set_knob(h.emu, 1, EMU_KNOB_MAXH2CDATA, 4096)), 0);
	ck_assert_int_eq(H_DO(&h, emu_set_knob(h.emu, 1, EMU_KNOB_MDTS, 7)), 0);
	s = connect_ok(NQN, 2, dgst);
	for (size_t i = 0; i < len; i++)
		w[i] = (uint8_t)(i * 7 + (i >> 9));
	ck_assert_msg(nvme_sync_write(s, 2, 7, w, len, &e) == 0, "%s", e.msg);
	ck_assert_msg(nvme_sync_read(s, 2, 7, r, len, &e) == 0, "%s", e.msg);
	ck_assert(!memcmp(w, r, len));
	/* in-capsule: one block */
	ck_assert_msg(nvme_sync_write(s, 2, 1000, w, 512, &e) == 0, "%s", e.msg);
	ck_assert_msg(nvme_sync_read(s, 2, 1000, r, 512, &e) == 0, "%s", e.msg);
	ck_assert(!memcmp(w, r, 512));
	nvme_sync_disconnect(s);
}
END_TEST

START_TEST(test_compare_and_range)
{
	_cleanup_free_ struct nvme_error_log_entry *errs = NULL;
	struct nvme_sync *s = connect_ok(NQN, 1, false);
	size_t n;
	struct stas_error e = { 0 };
	struct nvme_ns_id ns;
	struct nvme_sqe sqe;
	uint8_t buf[4096];

	memset(buf, 0x3c, sizeof(buf));
	ck_assert_int_eq(nvme_sync_write(s, 1, 64, buf, sizeof(buf), &e), 0);
	ck_assert_msg(nvme_sync_compare(s, 1, 64, buf, sizeof(buf), &e) == 0, "%s", e.msg);
	buf[100] ^= 1;
	ck_assert_int_eq(nvme_sync_compare(s, 1, 64, buf, sizeof(buf), &e), -EREMOTEIO);
	ck_assert_uint_eq(e.status & 0x7ff, NVME_SC_COMPARE_FAILED);
	ck_assert_msg(strstr(e.msg, "Compare: Compare Failure"), "%s", e.msg);
	ck_assert_int_eq(nvme_sync_ns(s, 1, &ns, &e), 0);
	nvme_cmd_rw(&sqe, NVME_IO_READ, 1, ns.nsze, 1, 0);
	ck_assert_int_eq(nvme_sync_io(s, &sqe, NTCP_DIR_C2H, buf, 512, NULL, &e), -EREMOTEIO);
	ck_assert_msg(strstr(e.msg, "LBA Out of Range"), "%s", e.msg);
	/* both errors in this controller's Error Information log, newest first */
	ck_assert_msg(nvme_sync_get_error_log(s, &errs, &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(errs[0].status & 0x7ff, NVME_SC_LBA_RANGE);
	ck_assert_uint_eq(errs[0].lba, ns.nsze);
	ck_assert_uint_eq(errs[0].opcode, NVME_IO_READ);
	ck_assert_uint_eq(errs[1].status & 0x7ff, NVME_SC_COMPARE_FAILED);
	ck_assert_uint_eq(errs[1].lba, 64);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(errs[i].error_count, n - i);
		ck_assert_uint_eq(errs[i].sqid, 1);
		ck_assert_uint_eq(errs[i].nsid, 1);
		ck_assert_uint_eq(errs[i].pel, 0xffff);
	}
	nvme_sync_disconnect(s);
}
END_TEST

/* ---- SMART / Health log: the emulator counts the I/O it served ------------------------------- */

struct smart_step {
	uint32_t nsid;
	bool write;
	uint32_t blocks; /* per call; nvme_sync_* splits by MDTS */
	unsigned calls;
};

static const struct smart_step smart_steps[] = {
	{ 1, true, 1, 3 },     /* 1536 bytes: 3 commands, rounded up to 1 data unit */
	{ 1, true, 997, 1 },   /* with the above, exactly 1000 x 512 bytes: still 1 unit */
	{ 1, true, 1, 1 },     /* one byte-block past it: 2 units */
	{ 2, true, 2048, 2 },  /* 2 MiB, split by MDTS into several commands per call */
	{ 2, false, 8, 4 },    /* reads count apart from writes */
	{ 1, false, 1000, 1 }, /* one data unit read */
};

struct smart_tally {
	uint64_t writes, reads, wbytes, rbytes;
};

static uint64_t units(uint64_t bytes)
{
	return (bytes + 511999) / 512000;
}

static void smart_expect(struct nvme_sync *s, uint32_t nsid, const struct smart_tally *t,
			 const char *when)
{
	struct nvme_smart_log l;
	struct stas_error e = { 0 };

	ck_assert_msg(nvme_sync_get_smart_log(s, nsid, &l, &e) == 0, "%s", e.msg);
	ck_assert_msg(l.host_writes.lo == t->writes && !l.host_writes.hi,
		      "%s, nsid %#x: %llu host write commands, want %llu", when, nsid,
		      (unsigned long long)l.host_writes.lo, (unsigned long long)t->writes);
	ck_assert_msg(l.host_reads.lo == t->reads && !l.host_reads.hi,
		      "%s, nsid %#x: %llu host read commands, want %llu", when, nsid,
		      (unsigned long long)l.host_reads.lo, (unsigned long long)t->reads);
	ck_assert_msg(l.data_units_written.lo == units(t->wbytes) && !l.data_units_written.hi,
		      "%s, nsid %#x: %llu data units written, want %llu", when, nsid,
		      (unsigned long long)l.data_units_written.lo,
		      (unsigned long long)units(t->wbytes));
	ck_assert_msg(l.data_units_read.lo == units(t->rbytes) && !l.data_units_read.hi,
		      "%s, nsid %#x: %llu data units read, want %llu", when, nsid,
		      (unsigned long long)l.data_units_read.lo,
		      (unsigned long long)units(t->rbytes));
	ck_assert_uint_eq(l.temperature, 313);
	ck_assert_uint_eq(l.temp_sensor[0], 313);
	ck_assert_uint_eq(l.avail_spare, 100);
	ck_assert_uint_eq(l.critical_warning, 0);
	ck_assert_uint_eq(l.power_cycles.lo, 1);
	ck_assert_uint_eq(l.power_on_hours.lo, 0); /* the emulator started moments ago */
}

/* Write and read N blocks at a time; the per-namespace and controller-wide counters follow. */
START_TEST(test_smart_counts_io)
{
	struct nvme_sync *s = connect_ok(NQN, 2, false);
	struct smart_tally ns[3] = { { 0 } }, all;
	struct stas_error e = { 0 };
	struct nvme_ctrl_info info;
	struct nvme_smart_log l;
	uint64_t max;
	_cleanup_free_ uint8_t *buf = calloc(2048, 512);

	nvme_sync_controller_info(s, &info);
	max = nvme_ctrl_id_max_xfer(&info.id, info.cap);
	ck_assert_uint_gt(max, 0);
	ck_assert(info.id.lpa & NVME_LPA_SMART_PER_NS);
	smart_expect(s, NVME_NSID_ALL, &ns[0], "before any I/O");
	for (size_t i = 0; i < ARRAY_SIZE(smart_steps); i++) {
		const struct smart_step *st = &smart_steps[i];
		size_t len = (size_t)st->blocks * 512;
		struct smart_tally *t = &ns[st->nsid];
		char when[32];

		for (unsigned c = 0; c < st->calls; c++) {
			int r = st->write ? nvme_sync_write(s, st->nsid, 64, buf, len, &e)
					  : nvme_sync_read(s, st->nsid, 64, buf, len, &e);

			ck_assert_msg(r == 0, "step %zu: %s", i, e.msg);
			*(st->write ? &t->writes : &t->reads) += (len + max - 1) / max;
			*(st->write ? &t->wbytes : &t->rbytes) += len;
		}
		snprintf(when, sizeof(when), "after step %zu", i);
		smart_expect(s, st->nsid, t, when);
		all = (struct smart_tally){ ns[1].writes + ns[2].writes, ns[1].reads + ns[2].reads,
					    ns[1].wbytes + ns[2].wbytes,
					    ns[1].rbytes + ns[2].rbytes };
		smart_expect(s, NVME_NSID_ALL, &all, when);
	}
	/* the 2 MiB writes really were split, so commands and units are counted apart */
	ck_assert_uint_gt(ns[2].writes, 2);
	ck_assert_int_eq(nvme_sync_get_smart_log(s, 9, &l, &e), -EREMOTEIO);
	ck_assert_msg(strstr(e.msg, "Invalid Namespace"), "%s", e.msg);
	nvme_sync_disconnect(s);
}
END_TEST

/* Two hosts, one namespace: register, acquire, conflict by name, report, preempt, clear. */
START_TEST(test_reservations)
{
	struct nvme_sync *a = connect_ok(NQN, 1, false), *b = connect_ok(NQN, 1, false);
	_cleanup_free_ struct nvme_resv_status *st = NULL, *st2 = NULL;
	struct stas_error e = { 0 };
	uint8_t buf[512] = { 0 };

	ck_assert_msg(nvme_sync_resv_register(a, 1, NVME_RESV_REGISTER, 0, 0xaaaa, false, 0, &e) ==
			      0,
		      "%s", e.msg);
	ck_assert_int_eq(nvme_sync_resv_register(b, 1, NVME_RESV_REGISTER, 0, 0xbbbb, false, 0, &e),
			 0);
	ck_assert_msg(nvme_sync_resv_acquire(a, 1, NVME_RESV_ACQUIRE, NVME_RESV_WRITE_EXCLUSIVE,
					     0xaaaa, 0, false, &e) == 0,
		      "%s", e.msg);
	/* b may read, not write */
	ck_assert_int_eq(nvme_sync_read(b, 1, 0, buf, sizeof(buf), &e), 0);
	ck_assert_int_eq(nvme_sync_write(b, 1, 0, buf, sizeof(buf), &e), -EREMOTEIO);
	ck_assert_msg(strstr(e.msg, "Reservation Conflict"), "%s", e.msg);
	ck_assert_int_eq(nvme_sync_write(a, 1, 0, buf, sizeof(buf), &e), 0);
	/* a wrong key is refused by name too */
	ck_assert_int_eq(nvme_sync_resv_release(b, 1, NVME_RESV_RELEASE, NVME_RESV_WRITE_EXCLUSIVE,
						0x1111, false, &e),
			 -EREMOTEIO);
	ck_assert_msg(strstr(e.msg, "Reservation Conflict"), "%s", e.msg);
	ck_assert_msg(nvme_sync_resv_report(b, 1, &st, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(st->rtype, NVME_RESV_WRITE_EXCLUSIVE);
	ck_assert_uint_eq(st->nr, 2);
	ck_assert(st->regs[0].holds != st->regs[1].holds);
	/* b takes it over */
	ck_assert_msg(nvme_sync_resv_acquire(b, 1, NVME_RESV_PREEMPT, NVME_RESV_EXCLUSIVE_ACCESS,
					     0xbbbb, 0xaaaa, false, &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(nvme_sync_read(a, 1, 0, buf, sizeof(buf), &e), -EREMOTEIO);
	ck_assert_int_eq(nvme_sync_resv_report(a, 1, &st2, &e), 0);
	ck_assert_uint_eq(st2->rtype, NVME_RESV_EXCLUSIVE_ACCESS);
	ck_assert_uint_eq(st2->nr, 1); /* a's registration was preempted */
	ck_assert_msg(nvme_sync_resv_release(b, 1, NVME_RESV_CLEAR, 0, 0xbbbb, false, &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(nvme_sync_read(a, 1, 0, buf, sizeof(buf), &e), 0);
	nvme_sync_disconnect(a);
	nvme_sync_disconnect(b);
}
END_TEST

/* A discovery controller with a unique NQN (TP8013) is reached by that NQN. */
START_TEST(test_unique_discovery_nqn)
{
	const char *dnqn = "nqn.2014-08.org.example:unique-dc";
	_cleanup_free_ struct nvmf_disc_log *log = NULL;
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	bool self = false;

	ck_assert_int_eq(H_DO(&h, emu_set_disc_nqn(h.emu, dnqn)), 0);
	s = connect_ok(dnqn, 0, false);
	ck_assert_str_eq(nvme_ctrl_identity(nvme_sync_ctrl(s))->subnqn, dnqn);
	ck_assert_msg(nvme_sync_get_discovery_log(s, &log, &e) == 0, "%s", e.msg);
	for (size_t i = 0; i < log->nr; i++)
		self |= log->entries[i].subtype == NVMF_SUBTYPE_CURRENT_DISC &&
			!strcmp(log->entries[i].subnqn, dnqn);
	ck_assert(self);
	nvme_sync_disconnect(s);
}
END_TEST

/* TP8010: a DC that says it is a DDC gets the DIM command (the emulator has no DIM: named). */
START_TEST(test_dim_sent_to_ddc)
{
	struct nvme_sync *s;
	struct stas_error e = { 0 };

	ck_assert_int_eq(H_DO(&h, emu_set_knob(h.emu, 1, EMU_KNOB_DCTYPE, NVME_DCTYPE_DDC)), 0);
	s = connect_ok(NVME_DISC_SUBSYS_NQN, 0, false);
	ck_assert(nvme_ctrl_dim_supported(nvme_sync_ctrl(s)));
	ck_assert_int_eq(nvme_sync_dim(s, NVMF_DIM_TAS_REGISTER, "rack-1", &e), -EREMOTEIO);
	ck_assert_msg(strstr(e.msg, "registration: ") && strstr(e.msg, "Invalid Command Opcode"),
		      "%s", e.msg);
	nvme_sync_disconnect(s);
}
END_TEST

/* ---- the non-blocking API: an owner that lets go from inside its callbacks ---- */

struct owner {
	struct event_base *base;
	struct nvme_ctrl *c;
	int mode;  /* 0: free in ready; 1: disconnect in ready; 2: read, then disconnect */
	bool done; /* the loop may stop */
	int shut_err, io_err, ready_keep_alives;
	uint8_t buf[4096];
	struct iovec iov;
};

static void owner_shut(void *arg, int err)
{
	struct owner *o = arg;

	o->shut_err = err;
	o->done = true;
}

/* A read's completion frees the controller while nvme_ctrl_disconnect() runs. */
static void owner_io_done(void *arg, const struct ntcp_cpl *cpl)
{
	struct owner *o = arg;

	o->io_err = cpl->err;
	nvme_ctrl_free(o->c);
	o->c = NULL;
	o->done = true;
}

static void owner_ready(void *arg)
{
	struct owner *o = arg;
	struct ntcp_cmd cmd = { .dir = NTCP_DIR_C2H, .len = 4096, .done = owner_io_done, .arg = o };

	o->ready_keep_alives = (int)nvme_ctrl_keep_alives(o->c);
	if (o->mode == 0) {
		nvme_ctrl_free(o->c);
		o->c = NULL;
		o->done = true;
	} else if (o->mode == 1) {
		ck_assert_int_eq(nvme_ctrl_disconnect(o->c, owner_shut, o), 0);
	} else if (o->mode == 2) {
		o->iov = (struct iovec){ o->buf, sizeof(o->buf) };
		cmd.iov = &o->iov;
		cmd.iovcnt = 1;
		nvme_cmd_rw(&cmd.sqe, NVME_IO_READ, 1, 0, 7, 0);
		ck_assert_int_eq(nvme_ctrl_io(o->c, 1, &cmd), 0);
		ck_assert_int_eq(nvme_ctrl_disconnect(o->c, owner_shut, o), 0);
	} else {
		o->done = true;
	}
}

static void owner_failed(void *arg, int err, const char *msg)
{
	ck_abort_msg("controller failed: %s", msg);
}

static const struct nvme_ctrl_ops owner_ops = { owner_ready, owner_failed, NULL };

static void owner_run(struct owner *o, const struct nvme_ctrl_config *cfg)
{
	struct stas_error e = { 0 };

	o->base = event_base_new();
	o->shut_err = o->io_err = 1;
	ck_assert_msg(nvme_ctrl_new(o->base, cfg, &owner_ops, o, &o->c, &e) == 0, "%s", e.msg);
	while (!o->done)
		event_base_loop(o->base, EVLOOP_ONCE);
	nvme_ctrl_free(o->c);
	event_base_free(o->base);
}

/* The ready callback of a controller with I/O queues frees it, disconnects it, or a completion
 * frees it mid-disconnect. */
START_TEST(test_owner_lets_go_in_callbacks)
{
	struct stas_host host;
	struct nvme_ctrl_config cfg = config(NQN, 2, &host);
	struct owner o = { .mode = _i };

	owner_run(&o, &cfg);
	if (_i == 1)
		ck_assert_int_eq(o.shut_err, 0);
	if (_i == 2)
		ck_assert_int_eq(o.io_err, -ECONNABORTED);
}
END_TEST

/*
 * Keep-alive starts before the I/O queues are connected (nvmet does not count
 * their Connects as traffic), and a Keep Alive answered later than KATO/2 is
 * followed by the next one at once: with every answer of the target held for
 * 1.1 s and a KATO of 2 s, the association lives on (it used to die: the next
 * Keep Alive waited for the next period, KATO after the last).
 */
START_TEST(test_keep_alive_on_a_slow_target)
{
	struct stas_host host;
	struct nvme_ctrl_config cfg = config(NQN, 2, &host);
	struct owner o = { .mode = 3 };
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	uint32_t dw0;

	/* every answer of the target held 0.6 s: KATO/2 passes while the I/O queues connect */
	ck_assert_int_eq(H_DO(&h, emu_set_fault(h.emu, 1, EMU_FAULT_DELAY, 600, EMU_FAULT_FOREVER)),
			 0);
	cfg.kato_ms = 1000;
	cfg.cmd_timeout_ms = cfg.connect_timeout_ms = 5000;
	owner_run(&o, &cfg);
	ck_assert_int_ge(o.ready_keep_alives, 1);

	ck_assert_int_eq(H_DO(&h, emu_set_fault(h.emu, 1, EMU_FAULT_DELAY, 0, 0)), 0);
	cfg.nr_io_queues = 0;
	cfg.kato_ms = 2000;
	ck_assert_msg(nvme_sync_connect(&cfg, &s, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(
		H_DO(&h, emu_set_fault(h.emu, 1, EMU_FAULT_DELAY, 1100, EMU_FAULT_FOREVER)), 0);
	ck_assert_int_eq(nvme_sync_wait_event(s, 6000, &dw0, &e), -ETIMEDOUT);
	ck_assert_int_ge(nvme_ctrl_keep_alives(nvme_sync_ctrl(s)), 4);
	ck_assert_int_eq(H_DO(&h, emu_set_fault(h.emu, 1, EMU_FAULT_DELAY, 0, 0)), 0);
	nvme_sync_disconnect(s);
}
END_TEST

static Suite *emu_suite(void)
{
	Suite *s = suite_create("core-emu");
	TCase *tc = tcase_create("faults");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_connect_fault, 0, ARRAY_SIZE(connect_faults));
	tcase_add_loop_test(tc, test_bad_address, 0, ARRAY_SIZE(bad_addresses));
	tcase_add_loop_test(tc, test_live_fault, 0, ARRAY_SIZE(live_faults));
	tcase_add_test(tc, test_bad_r2t);
	tcase_add_test(tc, test_discovery_retries);
	suite_add_tcase(s, tc);
	tc = tcase_create("data");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_multi_pdu_transfers, 0, 2);
	tcase_add_test(tc, test_compare_and_range);
	tcase_add_test(tc, test_smart_counts_io);
	tcase_add_test(tc, test_reservations);
	tcase_add_test(tc, test_dim_sent_to_ddc);
	tcase_add_test(tc, test_unique_discovery_nqn);
	suite_add_tcase(s, tc);
	tc = tcase_create("lifetime");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_owner_lets_go_in_callbacks, 0, 3);
	tcase_add_test(tc, test_keep_alive_on_a_slow_target);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(emu_suite)
