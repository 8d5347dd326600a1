// SPDX-License-Identifier: Apache-2.0
/* Identify controller/namespace/NSID list/descriptors: good data and lies. */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "check-main.h"
#include "stas/cleanup.h"
#include "stas/nvme-decode.h"

static void pad(char *dst, size_t width, const char *s)
{
	memset(dst, ' ', width);
	memcpy(dst, s, strlen(s));
}

static void make_ctrl(struct nvme_id_ctrl *c)
{
	memset(c, 0, sizeof(*c));
	c->vid = htole16(0x1b96);
	pad(c->sn, sizeof(c->sn), "SN-TGT1-0001");
	pad(c->mn, sizeof(c->mn), "Linux nvmet (qemu test)");
	pad(c->fr, sizeof(c->fr), "6.1.0");
	c->mdts = 5;
	c->cntlid = htole16(0x11);
	c->ver = htole32(0x00010300);
	c->oaes = htole32(NVME_AEC_ANA_CHANGE | NVME_AEC_NS_ATTR);
	c->cntrltype = NVME_CTRL_TYPE_IO;
	c->aerl = 3;
	c->kas = htole16(10);
	c->anacap = 0x1f;
	c->anagrpmax = htole32(128);
	c->nanagrpid = htole32(128);
	c->nn = htole32(1024);
	c->oncs = htole16(0x0c);
	c->sgls = htole32(0x100005);
	strcpy(c->subnqn, "nqn.2014-08.org.example:tgt1");
	c->ioccsz = htole32(1028);
	c->icdoff = htole16(0);
	c->dctype = NVME_DCTYPE_NONE;
}

START_TEST(test_ctrl)
{
	struct nvme_id_ctrl w;
	struct nvme_ctrl_id id;
	struct stas_error e = { 0 };

	make_ctrl(&w);
	ck_assert_int_eq(nvme_id_ctrl_decode(&w, sizeof(w), &id, &e), 0);
	ck_assert_str_eq(id.sn, "SN-TGT1-0001");
	ck_assert_str_eq(id.mn, "Linux nvmet (qemu test)");
	ck_assert_str_eq(id.fr, "6.1.0");
	ck_assert_str_eq(id.subnqn, "nqn.2014-08.org.example:tgt1");
	ck_assert_uint_eq(id.vid, 0x1b96);
	ck_assert_uint_eq(id.cntlid, 0x11);
	ck_assert_uint_eq(id.ver, 0x10300);
	ck_assert_uint_eq(id.cntrltype, NVME_CTRL_TYPE_IO);
	ck_assert_uint_eq(id.kas, 10);
	ck_assert_uint_eq(id.aerl, 3);
	ck_assert_uint_eq(id.nn, 1024);
	ck_assert_uint_eq(id.ioccsz, 1028);
	ck_assert_uint_eq(id.nanagrpid, 128);
	ck_assert_uint_eq(id.oaes, NVME_AEC_ANA_CHANGE | NVME_AEC_NS_ATTR);
	/* MDTS 5 with 4 KiB pages: 128 KiB */
	ck_assert_uint_eq(nvme_ctrl_id_max_xfer(&id, 0), 128 * 1024);
	id.mdts = 0;
	ck_assert_uint_eq(nvme_ctrl_id_max_xfer(&id, 0), 0);
	/* ANA log bound: header, 128 descriptors, 1024 NSIDs */
	ck_assert_uint_eq(nvme_ana_log_max_len(&id, false), 16 + 128 * 32 + 1024 * 4);
	ck_assert_uint_eq(nvme_ana_log_max_len(&id, true), 16 + 128 * 32);
	/* a sparse array: NSIDs up to 2^32-2, at most 256 attached (MNAN) */
	id.nn = 0xfffffffe;
	id.mnan = 256;
	ck_assert_uint_eq(nvme_ana_log_max_len(&id, false), 16 + 128 * 32 + 256 * 4);
	id.mnan = 0xffffffff; /* MNAN above NN is not believed: NN */
	id.nn = 1024;
	ck_assert_uint_eq(nvme_ana_log_max_len(&id, false), 16 + 128 * 32 + 1024 * 4);
}
END_TEST

START_TEST(test_ctrl_bad)
{
	struct nvme_id_ctrl w;
	struct nvme_ctrl_id id;
	struct stas_error e = { 0 };

	make_ctrl(&w);
	ck_assert_int_eq(nvme_id_ctrl_decode(&w, 4095, &id, &e), -EBADMSG);
	ck_assert_str_eq(e.msg, "Identify Controller: 4095 bytes, expected 4096");
	w.sn[3] = 0x01;
	ck_assert_int_eq(nvme_id_ctrl_decode(&w, sizeof(w), &id, &e), -EBADMSG);
	ck_assert_str_eq(e.msg,
			 "Identify Controller SN: byte 0x01 at offset 3 is not printable ASCII");
	make_ctrl(&w);
	memset(w.subnqn, 'a', sizeof(w.subnqn)); /* 256 bytes, no terminator */
	ck_assert_int_eq(nvme_id_ctrl_decode(&w, sizeof(w), &id, &e), -EBADMSG);
	ck_assert(strstr(e.msg, "SUBNQN: 256 bytes long, at most 223 allowed"));
	/* NUL padding instead of spaces is fine. */
	make_ctrl(&w);
	memset(w.sn, 0, sizeof(w.sn));
	memcpy(w.sn, "ABC", 3);
	ck_assert_int_eq(nvme_id_ctrl_decode(&w, sizeof(w), &id, &e), 0);
	ck_assert_str_eq(id.sn, "ABC");
}
END_TEST

static void make_ns(struct nvme_id_ns *n)
{
	memset(n, 0, sizeof(*n));
	n->nsze = htole64(131072);
	n->ncap = htole64(131072);
	n->nuse = htole64(131072);
	n->nlbaf = 1;
	n->flbas = 1;
	n->lbaf[0].ds = 9;
	n->lbaf[1].ds = 12;
	n->anagrpid = htole32(2);
	n->nmic = 1;
	n->nguid[0] = 0xaa;
}

/* The kernel's sysfs names, which nvme-stas shows: stafd's and stacd's detailed dicts use them. */
START_TEST(test_type_names)
{
	static const struct {
		uint8_t v;
		const char *cntrltype, *dctype;
	} rows[] = {
		{ 0, "reserved", "none" },     { 1, "io", "ddc" },
		{ 2, "discovery", "cdc" },     { 3, "admin", "reserved" },
		{ 4, "reserved", "reserved" }, { 255, "reserved", "reserved" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		ck_assert_str_eq(nvme_cntrltype_str(rows[i].v), rows[i].cntrltype);
		ck_assert_str_eq(nvme_dctype_str(rows[i].v), rows[i].dctype);
	}
}
END_TEST

START_TEST(test_ns)
{
	struct nvme_id_ns w;
	struct nvme_ns_id ns;
	struct stas_error e = { 0 };

	make_ns(&w);
	ck_assert_int_eq(nvme_id_ns_decode(&w, sizeof(w), &ns, &e), 0);
	ck_assert(ns.active);
	ck_assert_uint_eq(ns.nsze, 131072);
	ck_assert_uint_eq(ns.lba_size, 4096);
	ck_assert_uint_eq(ns.lbaf, 1);
	ck_assert_uint_eq(ns.nlbaf, 2);
	ck_assert_uint_eq(ns.anagrpid, 2);
	ck_assert_uint_eq(ns.nguid[0], 0xaa);

	/* An inactive NSID reads as zeroes: decoded, not an error. */
	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(nvme_id_ns_decode(&w, sizeof(w), &ns, &e), 0);
	ck_assert(!ns.active);
}
END_TEST

START_TEST(test_ns_bad)
{
	struct nvme_id_ns w;
	struct nvme_ns_id ns;
	struct stas_error e = { 0 };

	make_ns(&w);
	w.flbas = 2; /* format 2 with NLBAF 1 (two formats) */
	ck_assert_int_eq(nvme_id_ns_decode(&w, sizeof(w), &ns, &e), -EBADMSG);
	ck_assert_str_eq(e.msg, "Identify Namespace: FLBAS format 2 beyond NLBAF 1");
	make_ns(&w);
	w.lbaf[1].ds = 40;
	ck_assert_int_eq(nvme_id_ns_decode(&w, sizeof(w), &ns, &e), -EBADMSG);
	ck_assert(strstr(e.msg, "LBADS 40"));
	make_ns(&w);
	w.lbaf[1].ds = 0;
	ck_assert_int_eq(nvme_id_ns_decode(&w, sizeof(w), &ns, &e), -EBADMSG);
	make_ns(&w);
	w.nlbaf = 64;
	ck_assert_int_eq(nvme_id_ns_decode(&w, sizeof(w), &ns, &e), -EBADMSG);
	ck_assert_int_eq(nvme_id_ns_decode(&w, 100, &ns, &e), -EBADMSG);
}
END_TEST

START_TEST(test_ns_list)
{
	le32 w[1024] = { 0 };
	uint32_t ids[1024];
	size_t n;
	bool more;
	struct stas_error e = { 0 };

	w[0] = htole32(1);
	w[1] = htole32(2);
	w[2] = htole32(7);
	ck_assert_int_eq(nvme_ns_list_decode(w, sizeof(w), 0, ids, 1024, &n, &more, &e), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert(!more);
	ck_assert_uint_eq(ids[2], 7);
	ck_assert_int_eq(nvme_ns_list_decode(w, sizeof(w), 0, ids, 2, &n, &more, &e), -ENOSPC);
	/* must be above the NSID asked for */
	ck_assert_int_eq(nvme_ns_list_decode(w, sizeof(w), 1, ids, 1024, &n, &more, &e), -EBADMSG);
	w[2] = htole32(2); /* not ascending */
	ck_assert_int_eq(nvme_ns_list_decode(w, sizeof(w), 0, ids, 1024, &n, &more, &e), -EBADMSG);
	ck_assert(strstr(e.msg, "entry 2 is NSID 2 after 2"));
	for (uint32_t i = 0; i < 1024; i++)
		w[i] = htole32(i + 1);
	ck_assert_int_eq(nvme_ns_list_decode(w, sizeof(w), 0, ids, 1024, &n, &more, &e), 0);
	ck_assert(more);
	ck_assert_uint_eq(n, 1024);
}
END_TEST

START_TEST(test_ns_descs)
{
	uint8_t w[4096] = { 0 };
	struct nvme_ns_descs d;
	struct stas_error e = { 0 };
	size_t off = 0;

	w[off] = NVME_NIDT_NGUID;
	w[off + 1] = 16;
	memset(&w[off + 4], 0x11, 16);
	off += 20;
	w[off] = 0x7f; /* unknown type: skipped */
	w[off + 1] = 4;
	off += 8;
	w[off] = NVME_NIDT_UUID;
	w[off + 1] = 16;
	memset(&w[off + 4], 0x22, 16);
	off += 20;
	w[off] = NVME_NIDT_CSI;
	w[off + 1] = 1;
	w[off + 4] = 0;
	ck_assert_int_eq(nvme_ns_descs_decode(w, sizeof(w), &d, &e), 0);
	ck_assert(d.has_nguid && d.has_uuid && d.has_csi && !d.has_eui64);
	ck_assert_uint_eq(d.nguid[15], 0x11);
	ck_assert_uint_eq(d.uuid[0], 0x22);

	w[0] = NVME_NIDT_EUI64; /* EUI64 must be 8 bytes, says 16 */
	ck_assert_int_eq(nvme_ns_descs_decode(w, sizeof(w), &d, &e), -EBADMSG);
	ck_assert_str_eq(e.msg, "Namespace Identification Descriptor at byte 0: NIDT 1 with "
				"NIDL 16");
	/* Empty unknown descriptors up to the last 4 bytes, then one that overruns. */
	memset(w, 0, sizeof(w));
	for (size_t o = 0; o < 4092; o += 4)
		w[o] = 0x7f;
	w[4092] = 0x7f;
	w[4093] = 200;
	ck_assert_int_eq(nvme_ns_descs_decode(w, sizeof(w), &d, &e), -EBADMSG);
	ck_assert(strstr(e.msg, "runs past"));
}
END_TEST

static Suite *identify_suite(void)
{
	Suite *s = suite_create("nvme-identify");
	TCase *tc = tcase_create("identify");

	tcase_add_test(tc, test_ctrl);
	tcase_add_test(tc, test_ctrl_bad);
	tcase_add_test(tc, test_type_names);
	tcase_add_test(tc, test_ns);
	tcase_add_test(tc, test_ns_bad);
	tcase_add_test(tc, test_ns_list);
	tcase_add_test(tc, test_ns_descs);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(identify_suite)
