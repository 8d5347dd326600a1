// SPDX-License-Identifier: Apache-2.0
/*
 * Every decoder of data a controller returns: Identify (controller,
 * namespace, namespace list, descriptors), the discovery log, the ANA log,
 * the changed-namespace list, the reservation report, the SMART log, AEN
 * completions.
 * The first byte picks the decoder and whether the rest is used as is (the
 * length checks) or zero-padded to the length the decoder wants (the
 * content checks). Invariants: no crash, no leak, an error always comes
 * with a message, and what a decoder returns is bounded by its input.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "stas/error.h"
#include "stas/nvme-decode.h"

enum {
	D_ID_CTRL,
	D_ID_NS,
	D_NS_LIST,
	D_NS_DESCS,
	D_DISC_LOG,
	D_ANA,
	D_ANA_RGO,
	D_CHANGED,
	D_RESV,
	D_AEN,
	D_SMART,
	D_ERRLOG,
	N_DECODERS
};

#define PAD 0x80 /* pad to the decoder's natural length */

static uint8_t page[64 * 1024];

static void check_error(int r, const struct stas_error *e)
{
	if (r < 0)
		FUZZ_ASSERT(e->msg[0]);
}

static void decode(unsigned which, const uint8_t *buf, size_t len)
{
	struct stas_error e = { 0 };
	int r = 0;

	switch (which) {
	case D_ID_CTRL: {
		struct nvme_ctrl_id id;

		r = nvme_id_ctrl_decode(buf, len, &id, &e);
		if (!r)
			(void)nvme_ctrl_id_max_xfer(&id, ~0ull);
		break;
	}
	case D_ID_NS: {
		struct nvme_ns_id ns;

		r = nvme_id_ns_decode(buf, len, &ns, &e);
		break;
	}
	case D_NS_LIST: {
		uint32_t ids[1024];
		size_t n = 0;
		bool more = false;

		r = nvme_ns_list_decode(buf, len, 0, ids, 1024, &n, &more, &e);
		if (!r)
			FUZZ_ASSERT(n <= len / 4);
		break;
	}
	case D_NS_DESCS: {
		struct nvme_ns_descs d;

		r = nvme_ns_descs_decode(buf, len, &d, &e);
		break;
	}
	case D_DISC_LOG: {
		struct nvmf_disc_log *log = NULL;

		r = nvmf_disc_log_decode(buf, len, &log, &e);
		if (!r) {
			FUZZ_ASSERT(log);
			FUZZ_ASSERT(log->nr <= len / 1024);
			for (size_t i = 0; i < log->nr; i++) {
				(void)nvmf_trtype_str(log->entries[i].trtype);
				(void)nvmf_adrfam_str(log->entries[i].adrfam);
				(void)nvmf_subtype_str(log->entries[i].subtype);
				FUZZ_ASSERT(strlen(log->entries[i].traddr) <
					    sizeof(log->entries[i].traddr));
				FUZZ_ASSERT(strlen(log->entries[i].subnqn) <
					    sizeof(log->entries[i].subnqn));
			}
		}
		free(log);
		break;
	}
	case D_ANA:
	case D_ANA_RGO: {
		struct nvme_ana_log *log = NULL;

		r = nvme_ana_log_decode(buf, len, which == D_ANA_RGO, &log, &e);
		if (!r) {
			FUZZ_ASSERT(log);
			FUZZ_ASSERT((size_t)log->ngrps * 32 <= len);
			for (size_t i = 0; i < log->ngrps; i++)
				(void)nvme_ana_state_str(log->groups[i].state);
		}
		free(log);
		break;
	}
	case D_CHANGED: {
		uint32_t ids[1024];
		size_t n = 0;
		bool overflow = false;

		r = nvme_changed_ns_decode(buf, len, ids, 1024, &n, &overflow, &e);
		if (!r)
			FUZZ_ASSERT(n <= 1024);
		break;
	}
	case D_RESV: {
		struct nvme_resv_status *st = NULL;

		r = nvme_resv_report_decode(buf, len, &st, &e);
		if (!r) {
			FUZZ_ASSERT(st);
			FUZZ_ASSERT(64 + st->nr * 64 <= len);
			(void)nvme_resv_type_str(st->rtype);
		}
		free(st);
		break;
	}
	case D_SMART: {
		struct nvme_smart_log log;
		char num[NVME_U128_STR_LEN], cw[128];

		r = nvme_smart_log_decode(buf, len, &log, &e);
		if (!r) {
			FUZZ_ASSERT(len == NVME_SMART_LOG_LEN);
			nvme_u128_str(log.data_units_read, num, sizeof(num));
			FUZZ_ASSERT(num[0] >= '0' && num[0] <= '9' && strlen(num) < sizeof(num));
			nvme_smart_cw_describe(log.critical_warning, cw, sizeof(cw));
			FUZZ_ASSERT(strlen(cw) < sizeof(cw));
		}
		break;
	}
	case D_ERRLOG: {
		struct nvme_error_log_entry v[4];
		char pel[32];
		size_t n = 99;

		r = nvme_error_log_decode(buf, len, v, 4, &n, &e);
		FUZZ_ASSERT(n <= 4 && (r == 0 || n == 0));
		for (size_t i = 0; i < n; i++) {
			FUZZ_ASSERT(v[i].error_count != 0);
			nvme_pel_str(v[i].pel, pel, sizeof(pel));
			FUZZ_ASSERT(strlen(pel) < sizeof(pel));
		}
		break;
	}
	default: {
		char text[128];
		uint32_t dw0 = 0;

		memcpy(&dw0, buf, len < 4 ? len : 4);
		nvme_aen_describe(nvme_aen_decode(dw0), text, sizeof(text));
		FUZZ_ASSERT(strlen(text) < sizeof(text));
		break;
	}
	}
	check_error(r, &e);
}

static size_t natural_len(unsigned which, size_t len)
{
	switch (which) {
	case D_DISC_LOG:
		return len <= 1024 ? 1024 : (len + 1023) / 1024 * 1024;
	case D_ANA:
	case D_ANA_RGO:
	case D_RESV:
		return len;
	case D_SMART:
		return NVME_SMART_LOG_LEN;
	case D_ERRLOG:
		return len ? (len + 63) / 64 * 64 : 64;
	default:
		return 4096;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned which;
	size_t n;

	if (size < 1 || size - 1 > sizeof(page))
		return 0;
	which = (data[0] & ~PAD) % N_DECODERS;
	n = size - 1;
	if (data[0] & PAD) {
		size_t want = natural_len(which, n);

		if (want > sizeof(page))
			return 0;
		memset(page, 0, want);
		memcpy(page, data + 1, n);
		decode(which, page, want);
	} else {
		/* a copy of exactly @n bytes, so that a read past the end is caught */
		uint8_t *exact = malloc(n ? n : 1);

		if (!exact)
			return 0;
		memcpy(exact, data + 1, n);
		decode(which, exact, n);
		free(exact);
	}
	return 0;
}

/* ---- seeds: well-formed pages ------------------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void emit_as(fuzz_emit_fn emit, void *arg, uint8_t sel, const uint8_t *buf, size_t len)
{
	static uint8_t out[1 + sizeof(page)];

	out[0] = sel;
	memcpy(out + 1, buf, len);
	emit(out, len + 1, arg);
}

static size_t disc_entry(uint8_t *e, uint8_t subtype, const char *addr, const char *port,
			 const char *nqn)
{
	memset(e, 0, 1024);
	e[0] = 3; /* tcp */
	e[1] = strchr(addr, ':') ? 2 : 1;
	e[2] = subtype;
	put16(e + 4, 1);
	put16(e + 6, 0xffff);
	put16(e + 8, 128);
	memcpy(e + 32, port, strlen(port));
	memcpy(e + 256, nqn, strlen(nqn));
	memcpy(e + 512, addr, strlen(addr));
	return 1024;
}

void fuzz_seeds(fuzz_emit_fn emit, void *arg)
{
	static uint8_t b[8192];
	size_t n;

	/* Identify Controller with printable text fields */
	memset(b, 0, 4096);
	memset(b + 4, ' ', 20 + 40 + 8);
	memcpy(b + 4, "SN-1", 4);
	memcpy(b + 24, "stas fuzz", 9);
	b[77] = 5; /* MDTS */
	memcpy(b + 768, "nqn.2014-08.org.example:tgt1", 28);
	emit_as(emit, arg, D_ID_CTRL, b, 4096);

	/* Identify Namespace: 1 GiB of 512-byte blocks */
	memset(b, 0, 4096);
	put64(b, 1u << 21);
	put64(b + 8, 1u << 21);
	b[25] = 1; /* NLBAF: two formats */
	put32(b + 128, 9u << 16);
	put32(b + 132, 12u << 16);
	emit_as(emit, arg, D_ID_NS, b, 4096);
	emit_as(emit, arg, D_ID_NS | PAD, b, 136);

	/* active namespace list 1, 2, 7 */
	memset(b, 0, 4096);
	put32(b, 1);
	put32(b + 4, 2);
	put32(b + 8, 7);
	emit_as(emit, arg, D_NS_LIST, b, 4096);
	emit_as(emit, arg, D_NS_LIST | PAD, b, 12);

	/* descriptors: EUI-64, NGUID, UUID, CSI */
	memset(b, 0, 4096);
	n = 0;
	b[n] = 1, b[n + 1] = 8, n += 4 + 8;
	b[n] = 2, b[n + 1] = 16, n += 4 + 16;
	b[n] = 3, b[n + 1] = 16, n += 4 + 16;
	b[n] = 4, b[n + 1] = 1, n += 4 + 1;
	emit_as(emit, arg, D_NS_DESCS, b, 4096);

	/* discovery log: a subsystem, a referral, an IPv6 subsystem */
	memset(b, 0, 1024);
	put64(b, 7);
	put64(b + 8, 3);
	n = 1024;
	n += disc_entry(b + n, 2, "198.51.100.2", "4420", "nqn.2014-08.org.example:tgt1");
	n += disc_entry(b + n, 1, "198.51.100.2", "8010", "nqn.2014-08.org.nvmexpress.discovery");
	emit_as(emit, arg, D_DISC_LOG, b, n);
	put64(b + 8, 2);
	emit_as(emit, arg, D_DISC_LOG | PAD, b, n - 100);

	/* ANA log: group 1 optimized with NSIDs 1 and 2, group 2 inaccessible with none */
	memset(b, 0, 4096);
	put64(b, 3);
	put16(b + 8, 2);
	n = 16;
	put32(b + n, 1), put32(b + n + 4, 2), b[n + 16] = 0x01, n += 32;
	put32(b + n, 1), put32(b + n + 4, 2), n += 8;
	put32(b + n, 2), put32(b + n + 4, 0), b[n + 16] = 0x03, n += 32;
	emit_as(emit, arg, D_ANA, b, n);
	memset(b + 16, 0, 64);
	put32(b + 16, 1), b[32] = 0x02;
	put32(b + 48, 2), b[64] = 0x04;
	emit_as(emit, arg, D_ANA_RGO, b, 16 + 64);

	/* changed namespace list: 3 and 9; then the overflow marker */
	memset(b, 0, 4096);
	put32(b, 3);
	put32(b + 4, 9);
	emit_as(emit, arg, D_CHANGED, b, 4096);
	put32(b, 0xffffffff);
	emit_as(emit, arg, D_CHANGED | PAD, b, 8);

	/* reservation report (extended): write-exclusive, two registrants, one holds */
	memset(b, 0, 64 + 128);
	put32(b, 5);
	b[4] = 1;
	put16(b + 5, 2);
	put16(b + 64, 1), b[66] = 1, put64(b + 72, 0xabcd);
	put16(b + 128, 2), put64(b + 136, 0x1234);
	emit_as(emit, arg, D_RESV, b, 64 + 128);

	/* AEN: discovery log change, ANA change, namespace attribute change */
	put32(b, 0x00f00002);
	emit_as(emit, arg, D_AEN, b, 4);
	put32(b, 0x000c0302);
	emit_as(emit, arg, D_AEN, b, 4);
	put32(b, 0x00040002);
	emit_as(emit, arg, D_AEN, b, 4);
}
