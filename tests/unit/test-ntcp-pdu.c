// SPDX-License-Identifier: Apache-2.0
/*
 * NVMe/TCP PDU codec: receive-side header validation (one row per rule,
 * valid and malformed), ICReq/ICResp negotiation, and builders checked by
 * the receiver of the other side.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "check-main.h"
#include "stas/cleanup.h"
#include "stas/ntcp-pdu.h"

enum pset { P_NONE, P_PLAIN, P_DGST, P_CPDA, P_HPDA };

static const struct ntcp_params params[] = {
	[P_PLAIN] = { .maxh2cdata = 65536, .max_data = 1 << 20 },
	[P_DGST] = { .hdgst = true, .ddgst = true, .maxh2cdata = 65536, .max_data = 1 << 20 },
	[P_CPDA] = { .cpda = 3, .maxh2cdata = 65536, .max_data = 1 << 20 },
	[P_HPDA] = { .hpda = 7, .hdgst = true, .maxh2cdata = 65536, .max_data = 1 << 20 },
};

static const struct ntcp_params *pset(enum pset p)
{
	return p == P_NONE ? NULL : &params[p];
}

#define HD   NTCP_F_HDGST
#define DD   NTCP_F_DDGST
#define LAST NTCP_F_LAST_PDU
#define OK   0, 0, 0

struct ch_row {
	const char *name;
	enum ntcp_role role;
	enum pset p;
	uint8_t type, flags, hlen, pdo;
	uint32_t plen;
	int rc;
	uint16_t fes;
	uint32_t fei;
};

#define H	      NTCP_ROLE_HOST
#define C	      NTCP_ROLE_CONTROLLER
#define BAD(fes, fei) -EPROTO, fes, fei

static const struct ch_row ch_rows[] = {
	{ "ICResp before init", H, P_NONE, NTCP_ICRESP, 0, 128, 0, 128, OK },
	{ "ICResp PLEN 129", H, P_NONE, NTCP_ICRESP, 0, 128, 0, 129, BAD(1, 4) },
	{ "ICResp HLEN 24", H, P_NONE, NTCP_ICRESP, 0, 24, 0, 128, BAD(1, 2) },
	{ "ICResp FLAGS set", H, P_NONE, NTCP_ICRESP, HD, 128, 0, 128, BAD(1, 1) },
	{ "ICResp PDO set", H, P_NONE, NTCP_ICRESP, 0, 128, 8, 128, BAD(1, 3) },
	{ "second ICResp", H, P_PLAIN, NTCP_ICRESP, 0, 128, 0, 128, BAD(2, 0) },
	{ "CapsuleResp before ICResp", H, P_NONE, NTCP_CAPSULE_RESP, 0, 24, 0, 24, BAD(2, 0) },
	{ "CapsuleCmd sent to a host", H, P_PLAIN, NTCP_CAPSULE_CMD, 0, 72, 0, 72, BAD(1, 0) },
	{ "unused type 0x08", H, P_PLAIN, 0x08, 0, 24, 0, 24, BAD(1, 0) },
	{ "type 0xff", H, P_PLAIN, 0xff, 0, 24, 0, 24, BAD(1, 0) },
	{ "CapsuleResp", H, P_PLAIN, NTCP_CAPSULE_RESP, 0, 24, 0, 24, OK },
	{ "CapsuleResp PLEN 28 without digest", H, P_PLAIN, NTCP_CAPSULE_RESP, 0, 24, 0, 28,
	  BAD(1, 4) },
	{ "CapsuleResp HLEN 28", H, P_PLAIN, NTCP_CAPSULE_RESP, 0, 28, 0, 28, BAD(1, 2) },
	{ "CapsuleResp with digest", H, P_DGST, NTCP_CAPSULE_RESP, HD, 24, 0, 28, OK },
	{ "CapsuleResp HDGSTF missing", H, P_DGST, NTCP_CAPSULE_RESP, 0, 24, 0, 28, BAD(1, 1) },
	{ "CapsuleResp HDGSTF unasked", H, P_PLAIN, NTCP_CAPSULE_RESP, HD, 24, 0, 28, BAD(1, 1) },
	{ "CapsuleResp DDGSTF", H, P_DGST, NTCP_CAPSULE_RESP, HD | DD, 24, 0, 28, BAD(1, 1) },
	{ "CapsuleResp PDO without data", H, P_PLAIN, NTCP_CAPSULE_RESP, 0, 24, 24, 24, BAD(1, 3) },
	{ "C2HData", H, P_PLAIN, NTCP_C2H_DATA, LAST, 24, 24, 24 + 4096, OK },
	{ "C2HData not last", H, P_PLAIN, NTCP_C2H_DATA, 0, 24, 24, 24 + 4096, OK },
	{ "C2HData SUCCESS+LAST", H, P_PLAIN, NTCP_C2H_DATA, LAST | NTCP_F_SUCCESS, 24, 24, 25,
	  OK },
	{ "C2HData SUCCESS without LAST", H, P_PLAIN, NTCP_C2H_DATA, NTCP_F_SUCCESS, 24, 24, 24 + 8,
	  BAD(1, 1) },
	{ "C2HData without data", H, P_PLAIN, NTCP_C2H_DATA, LAST, 24, 0, 24, BAD(1, 4) },
	{ "C2HData PDO 28 without digest", H, P_PLAIN, NTCP_C2H_DATA, LAST, 24, 28, 28 + 64,
	  BAD(1, 3) },
	{ "C2HData PDO 0 with data", H, P_PLAIN, NTCP_C2H_DATA, LAST, 24, 0, 24 + 64, BAD(1, 3) },
	{ "C2HData PLEN below HLEN", H, P_PLAIN, NTCP_C2H_DATA, LAST, 24, 24, 10, BAD(1, 4) },
	{ "C2HData PLEN 0", H, P_PLAIN, NTCP_C2H_DATA, LAST, 24, 24, 0, BAD(1, 4) },
	{ "C2HData PLEN = PDO", H, P_PLAIN, NTCP_C2H_DATA, LAST, 24, 24, 24, BAD(1, 3) },
	{ "C2HData beyond max_data", H, P_PLAIN, NTCP_C2H_DATA, LAST, 24, 24, 24 + (2u << 20),
	  BAD(5, 4) },
	{ "C2HData PLEN 0xffffffff", H, P_PLAIN, NTCP_C2H_DATA, LAST, 24, 24, 0xffffffffu,
	  BAD(5, 4) },
	{ "C2HData with digests", H, P_DGST, NTCP_C2H_DATA, HD | DD | LAST, 24, 28, 28 + 4096 + 4,
	  OK },
	{ "C2HData DDGSTF missing", H, P_DGST, NTCP_C2H_DATA, HD | LAST, 24, 28, 28 + 4096,
	  BAD(1, 1) },
	{ "C2HData only digest, no data", H, P_DGST, NTCP_C2H_DATA, HD | DD | LAST, 24, 28, 32,
	  BAD(1, 4) },
	{ "C2HData HPDA 7 aligned", H, P_HPDA, NTCP_C2H_DATA, HD | LAST, 24, 32, 32 + 512, OK },
	{ "C2HData HPDA 7 unaligned", H, P_HPDA, NTCP_C2H_DATA, HD | LAST, 24, 28, 28 + 512,
	  BAD(1, 3) },
	{ "R2T", H, P_PLAIN, NTCP_R2T, 0, 24, 0, 24, OK },
	{ "R2T with digest", H, P_DGST, NTCP_R2T, HD, 24, 0, 28, OK },
	{ "R2T carrying data", H, P_PLAIN, NTCP_R2T, 0, 24, 24, 24 + 16, BAD(1, 4) },
	{ "C2HTermReq before init", H, P_NONE, NTCP_C2H_TERM_REQ, 0, 24, 0, 24, OK },
	{ "C2HTermReq with header copy", H, P_PLAIN, NTCP_C2H_TERM_REQ, 0, 24, 24, 24 + 72, OK },
	{ "C2HTermReq PLEN 200", H, P_PLAIN, NTCP_C2H_TERM_REQ, 0, 24, 24, 200, BAD(1, 4) },
	{ "C2HTermReq PLEN 20", H, P_PLAIN, NTCP_C2H_TERM_REQ, 0, 24, 0, 20, BAD(1, 4) },
	{ "C2HTermReq PDO 8", H, P_PLAIN, NTCP_C2H_TERM_REQ, 0, 24, 8, 30, BAD(1, 3) },
	{ "C2HTermReq HLEN 8", H, P_PLAIN, NTCP_C2H_TERM_REQ, 0, 8, 0, 24, BAD(1, 2) },

	{ "ICReq", C, P_NONE, NTCP_ICREQ, 0, 128, 0, 128, OK },
	{ "ICReq after init", C, P_PLAIN, NTCP_ICREQ, 0, 128, 0, 128, BAD(2, 0) },
	{ "ICResp sent to a controller", C, P_NONE, NTCP_ICRESP, 0, 128, 0, 128, BAD(1, 0) },
	{ "CapsuleCmd", C, P_PLAIN, NTCP_CAPSULE_CMD, 0, 72, 0, 72, OK },
	{ "CapsuleCmd in-capsule 1 KiB", C, P_PLAIN, NTCP_CAPSULE_CMD, 0, 72, 72, 72 + 1024, OK },
	{ "CapsuleCmd HLEN 24", C, P_PLAIN, NTCP_CAPSULE_CMD, 0, 24, 0, 24, BAD(1, 2) },
	{ "CapsuleCmd CPDA 3 aligned", C, P_CPDA, NTCP_CAPSULE_CMD, 0, 72, 80, 80 + 512, OK },
	{ "CapsuleCmd CPDA 3 unaligned", C, P_CPDA, NTCP_CAPSULE_CMD, 0, 72, 72, 72 + 512,
	  BAD(1, 3) },
	{ "CapsuleCmd digests + data", C, P_DGST, NTCP_CAPSULE_CMD, HD | DD, 72, 76, 76 + 1024 + 4,
	  OK },
	{ "CapsuleCmd digests, no data", C, P_DGST, NTCP_CAPSULE_CMD, HD, 72, 0, 76, OK },
	{ "CapsuleCmd DDGSTF without data", C, P_DGST, NTCP_CAPSULE_CMD, HD | DD, 72, 0, 76,
	  BAD(1, 1) },
	{ "H2CData", C, P_PLAIN, NTCP_H2C_DATA, LAST, 24, 24, 24 + 512, OK },
	{ "C2HData sent to a controller", C, P_PLAIN, NTCP_C2H_DATA, LAST, 24, 24, 24 + 512,
	  BAD(1, 0) },
	{ "H2CTermReq", C, P_PLAIN, NTCP_H2C_TERM_REQ, 0, 24, 0, 24, OK },
};

START_TEST(test_ch_check)
{
	const struct ch_row *r = &ch_rows[_i];
	struct ntcp_ch ch = { r->type, r->flags, r->hlen, r->pdo, htole32(r->plen) };
	struct ntcp_fault f = { 0 };
	int rc = ntcp_ch_check(&ch, r->role, pset(r->p), &f);

	ck_assert_msg(rc == r->rc, "%s: rc %d, want %d (%s)", r->name, rc, r->rc, f.what);
	if (rc < 0) {
		ck_assert_msg(f.fes == r->fes && f.fei == r->fei,
			      "%s: FES %u FEI %u, want FES %u FEI %u (%s)", r->name, f.fes, f.fei,
			      r->fes, r->fei, f.what);
		ck_assert_msg(f.what[0] != '\0', "%s: no description", r->name);
	}
}
END_TEST

/* The description names the PDU and the bad value so a user can act on it. */
START_TEST(test_fault_text)
{
	struct ntcp_ch ch = { NTCP_CAPSULE_RESP, 0, 24, 0, htole32(40) };
	struct ntcp_fault f;

	ck_assert_int_eq(ntcp_ch_check(&ch, NTCP_ROLE_HOST, &params[P_PLAIN], &f), -EPROTO);
	ck_assert_str_eq(f.what, "CapsuleResp: PLEN 40, expected 24");
}
END_TEST

START_TEST(test_lengths)
{
	struct ntcp_ch ch = { NTCP_C2H_DATA, HD | DD | LAST, 24, 28, htole32(28 + 4096 + 4) };

	ck_assert_int_eq(ntcp_ch_check(&ch, NTCP_ROLE_HOST, &params[P_DGST], NULL), 0);
	ck_assert_uint_eq(ntcp_header_len(&ch, &params[P_DGST]), 28);
	ck_assert_uint_eq(ntcp_data_len(&ch, &params[P_DGST]), 4096);
	ck_assert(ntcp_pdu_has_ddgst(&ch));
}
END_TEST

/* ---- ICReq / ICResp ------------------------------------------------------------------- */

struct ic_row {
	const char *name;
	bool ask_hd, ask_dd;
	uint16_t pfv;
	uint8_t cpda, dgst;
	uint32_t maxh2cdata;
	int rc;
	const char *msg; /* substring of the error */
};

static const struct ic_row ic_rows[] = {
	{ "plain", false, false, 0, 0, 0, 0x400000, 0, NULL },
	{ "both digests", true, true, 0, 0, 3, 65536, 0, NULL },
	{ "cpda 31", false, false, 0, 31, 0, 4096, 0, NULL },
	{ "pfv 1", false, false, 1, 0, 0, 65536, -EPROTO, "PFV 1" },
	{ "cpda 32", false, false, 0, 32, 0, 65536, -EPROTO, "CPDA 32" },
	{ "maxh2cdata 1024", false, false, 0, 0, 0, 1024, -EPROTO, "MAXH2CDATA 1024" },
	{ "maxh2cdata 4098", false, false, 0, 0, 0, 4098, -EPROTO, "MAXH2CDATA 4098" },
	{ "digest refused", true, false, 0, 0, 0, 65536, -EPROTO, "digests 0x0 granted, 0x1" },
	{ "digest not asked", false, false, 0, 0, 2, 65536, -EPROTO, "digests 0x2 granted" },
};

START_TEST(test_icresp)
{
	const struct ic_row *r = &ic_rows[_i];
	struct ntcp_icreq req;
	struct ntcp_icresp resp;
	struct ntcp_params p = { 0 };
	struct stas_error e = { 0 };
	int rc;

	ntcp_icreq_init(&req, 0, r->ask_hd, r->ask_dd, 0);
	memset(&resp, 0, sizeof(resp));
	resp.ch = (struct ntcp_ch){ NTCP_ICRESP, 0, 128, 0, htole32(128) };
	resp.pfv = htole16(r->pfv);
	resp.cpda = r->cpda;
	resp.dgst = r->dgst;
	resp.maxh2cdata = htole32(r->maxh2cdata);
	rc = ntcp_icresp_parse(&resp, &req, &p, &e);
	ck_assert_msg(rc == r->rc, "%s: rc %d (%s)", r->name, rc, e.msg);
	if (rc == 0) {
		ck_assert_uint_eq(p.maxh2cdata, r->maxh2cdata);
		ck_assert_uint_eq(p.cpda, r->cpda);
		ck_assert_int_eq(p.hdgst, r->ask_hd);
		ck_assert_int_eq(p.ddgst, r->ask_dd);
	} else {
		ck_assert_msg(strstr(e.msg, r->msg), "%s: message '%s' lacks '%s'", r->name, e.msg,
			      r->msg);
	}
}
END_TEST

START_TEST(test_icreq_bytes_and_parse)
{
	struct ntcp_icreq req;
	struct ntcp_params p = { 0 };
	struct ntcp_icresp resp;
	uint8_t *b = (uint8_t *)&req;

	ntcp_icreq_init(&req, 0, true, false, 0);
	ck_assert_uint_eq(b[0], 0x00);
	ck_assert_uint_eq(b[2], 128);
	ck_assert_uint_eq(b[4], 128);
	ck_assert_uint_eq(b[11], 0x01);
	for (size_t i = 16; i < sizeof(req); i++)
		ck_assert_uint_eq(b[i], 0);
	ck_assert_int_eq(ntcp_ch_check(&req.ch, NTCP_ROLE_CONTROLLER, NULL, NULL), 0);
	ck_assert_int_eq(ntcp_icreq_parse(&req, &p, NULL), 0);
	ck_assert(p.hdgst && !p.ddgst);
	req.hpda = 32;
	ck_assert_int_eq(ntcp_icreq_parse(&req, &p, NULL), -EPROTO);
	req.hpda = 0;

	/* The controller's answer, built from what it parsed, satisfies the host. */
	p.maxh2cdata = 131072;
	ntcp_icresp_init(&resp, &p);
	ck_assert_int_eq(ntcp_ch_check(&resp.ch, NTCP_ROLE_HOST, NULL, NULL), 0);
	ck_assert_int_eq(ntcp_icresp_parse(&resp, &req, &p, NULL), 0);
	ck_assert_uint_eq(p.maxh2cdata, 131072);
}
END_TEST

/* ---- Builders, validated by the receiving side ------------------------------------------ */

START_TEST(test_builders_accepted)
{
	enum pset sets[] = { P_PLAIN, P_DGST, P_CPDA, P_HPDA };
	const struct ntcp_params *p = &params[sets[_i]];
	struct ntcp_capsule_cmd cmd;
	struct ntcp_capsule_resp resp;
	struct ntcp_data_hdr data;
	struct ntcp_r2t r2t;
	struct nvme_cqe cqe = { 0 };
	uint32_t plen;

	for (uint32_t icd = 0; icd <= 8192; icd += 4096) {
		memset(&cmd, 0, sizeof(cmd));
		plen = ntcp_capsule_cmd_init(&cmd, p, icd);
		ck_assert_uint_eq(plen, le32toh(cmd.ch.plen));
		ck_assert_int_eq(ntcp_ch_check(&cmd.ch, NTCP_ROLE_CONTROLLER, p, NULL), 0);
		ck_assert_uint_eq(ntcp_data_len(&cmd.ch, p), icd);
	}
	plen = ntcp_h2c_data_init(&data, p, 7, 3, 8192, 4096, true);
	ck_assert_int_eq(ntcp_ch_check(&data.ch, NTCP_ROLE_CONTROLLER, p, NULL), 0);
	ck_assert_uint_eq(ntcp_data_len(&data.ch, p), 4096);
	ck_assert_uint_eq(le16toh(data.ttag), 3);
	ck_assert(data.ch.flags & NTCP_F_LAST_PDU);

	ntcp_capsule_resp_init(&resp, p, &cqe);
	ck_assert_int_eq(ntcp_ch_check(&resp.ch, NTCP_ROLE_HOST, p, NULL), 0);
	ntcp_c2h_data_init(&data, p, 9, 0, 512, false, true);
	ck_assert_int_eq(ntcp_ch_check(&data.ch, NTCP_ROLE_HOST, p, NULL), 0);
	ck_assert_uint_eq(data.ch.flags & (NTCP_F_SUCCESS | NTCP_F_LAST_PDU),
			  NTCP_F_SUCCESS | NTCP_F_LAST_PDU);
	ntcp_r2t_init(&r2t, p, 9, 1, 0, 65536);
	ck_assert_int_eq(ntcp_ch_check(&r2t.ch, NTCP_ROLE_HOST, p, NULL), 0);
	ck_assert_uint_eq(le32toh(r2t.r2tl), 65536);
}
END_TEST

START_TEST(test_term_req)
{
	struct ntcp_term_req t;
	char text[128];

	ck_assert_uint_eq(ntcp_term_req_init(&t, NTCP_ROLE_HOST, NTCP_FES_INVALID_HEADER, 4, 24),
			  48);
	ck_assert_uint_eq(t.ch.type, NTCP_H2C_TERM_REQ);
	ck_assert_int_eq(ntcp_ch_check(&t.ch, NTCP_ROLE_CONTROLLER, &params[P_PLAIN], NULL), 0);
	ck_assert_uint_eq(ntcp_term_req_init(&t, NTCP_ROLE_CONTROLLER, NTCP_FES_HDGST, 0, 4000),
			  24 + 128);
	ck_assert_int_eq(ntcp_ch_check(&t.ch, NTCP_ROLE_HOST, &params[P_PLAIN], NULL), 0);
	ntcp_term_req_describe(&t, text, sizeof(text));
	ck_assert_str_eq(text, "C2HTermReq: Header Digest Error (FES 0x3, FEI 0x0)");
	ntcp_term_req_init(&t, NTCP_ROLE_CONTROLLER, NTCP_FES_INVALID_HEADER, 2, 0);
	ntcp_term_req_describe(&t, text, sizeof(text));
	ck_assert_str_eq(text, "C2HTermReq: Invalid PDU Header Field at byte 2");
	ck_assert_str_eq(ntcp_fes_name(0x77), "Unknown Fatal Error Status");
}
END_TEST

START_TEST(test_header_digest)
{
	struct {
		struct ntcp_capsule_resp r;
		uint8_t dgst[4];
	} __attribute__((packed)) pdu = { 0 };

	ntcp_capsule_resp_init(&pdu.r, &params[P_DGST], &(struct nvme_cqe){ .cid = htole16(5) });
	ntcp_hdgst_set(&pdu, 24);
	ck_assert(ntcp_hdgst_ok(&pdu, 24));
	pdu.r.cqe.dw0 ^= htole32(1);
	ck_assert(!ntcp_hdgst_ok(&pdu, 24));
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(ntcp_pdu_type_name(NTCP_R2T), "R2T");
	ck_assert_str_eq(ntcp_pdu_type_name(0x08), "unknown");
	ck_assert_str_eq(ntcp_pdu_type_name(0xee), "unknown");
	ck_assert(ntcp_has_hdgst(NTCP_CAPSULE_CMD));
	ck_assert(!ntcp_has_hdgst(NTCP_ICREQ));
	ck_assert(!ntcp_has_hdgst(NTCP_C2H_TERM_REQ));
	ck_assert_uint_eq(ntcp_data_offset(72, true, 0), 76);
	ck_assert_uint_eq(ntcp_data_offset(72, false, 3), 80);
	ck_assert_uint_eq(ntcp_data_offset(24, true, 31), 128);
}
END_TEST

static Suite *pdu_suite(void)
{
	Suite *s = suite_create("ntcp-pdu");
	TCase *tc = tcase_create("receive");

	tcase_add_loop_test(tc, test_ch_check, 0, ARRAY_SIZE(ch_rows));
	tcase_add_test(tc, test_fault_text);
	tcase_add_test(tc, test_lengths);
	suite_add_tcase(s, tc);
	tc = tcase_create("init");
	tcase_add_loop_test(tc, test_icresp, 0, ARRAY_SIZE(ic_rows));
	tcase_add_test(tc, test_icreq_bytes_and_parse);
	suite_add_tcase(s, tc);
	tc = tcase_create("build");
	tcase_add_loop_test(tc, test_builders_accepted, 0, 4);
	tcase_add_test(tc, test_term_req);
	tcase_add_test(tc, test_header_digest);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(pdu_suite)
