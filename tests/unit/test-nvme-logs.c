// SPDX-License-Identifier: Apache-2.0
/* ANA log, Changed Namespace List and AEN completions. */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check-main.h"
#include "stas/cleanup.h"
#include "stas/nvme-decode.h"

/* Two groups as nvmet reports them through its second path. */
static size_t make_ana(uint8_t *buf, size_t size)
{
	struct nvme_ana_log_hdr *h = (void *)buf;
	struct nvme_ana_group_desc *d;
	size_t off = sizeof(*h);
	le32 nsid;

	memset(buf, 0, size);
	h->chgcnt = htole64(9);
	h->ngrps = htole16(2);
	d = (void *)(buf + off);
	d->grpid = htole32(1);
	d->nnsids = htole32(1);
	d->chgcnt = htole64(3);
	d->state = NVME_ANA_OPTIMIZED;
	off += sizeof(*d);
	nsid = htole32(1);
	memcpy(buf + off, &nsid, 4);
	off += 4;
	d = (void *)(buf + off);
	d->grpid = htole32(2);
	d->nnsids = htole32(2);
	d->state = NVME_ANA_NONOPTIMIZED;
	off += sizeof(*d);
	nsid = htole32(2);
	memcpy(buf + off, &nsid, 4);
	nsid = htole32(5);
	memcpy(buf + off + 4, &nsid, 4);
	return off + 8;
}

START_TEST(test_ana)
{
	uint8_t buf[256];
	size_t len = make_ana(buf, sizeof(buf));
	_cleanup_free_ struct nvme_ana_log *log = NULL;
	struct stas_error e = { 0 };

	ck_assert_int_eq(nvme_ana_log_decode(buf, len, false, &log, &e), 0);
	ck_assert_uint_eq(log->chgcnt, 9);
	ck_assert_uint_eq(log->ngrps, 2);
	ck_assert_uint_eq(log->groups[0].grpid, 1);
	ck_assert_uint_eq(log->groups[0].nnsids, 1);
	ck_assert_uint_eq(log->groups[0].nsids[0], 1);
	ck_assert_uint_eq(log->groups[1].state, NVME_ANA_NONOPTIMIZED);
	ck_assert_str_eq(nvme_ana_state_str(log->groups[1].state), "non-optimized");
	ck_assert_uint_eq(log->groups[1].nnsids, 2);
	ck_assert_uint_eq(log->groups[1].nsids[1], 5);
	/* Extra bytes after the last descriptor (a whole-page read) are fine. */
	free(log);
	log = NULL;
	ck_assert_int_eq(nvme_ana_log_decode(buf, sizeof(buf), false, &log, &e), 0);
}
END_TEST

START_TEST(test_ana_bad)
{
	uint8_t buf[256];
	size_t len = make_ana(buf, sizeof(buf));
	struct nvme_ana_log *log = NULL;
	struct nvme_ana_log_hdr *h = (void *)buf;
	struct nvme_ana_group_desc *d2 = (void *)(buf + 16 + 32 + 4);
	struct stas_error e = { 0 };

	ck_assert_int_eq(nvme_ana_log_decode(buf, len - 1, false, &log, &e), -EBADMSG);
	ck_assert_str_eq(e.msg, "ANA log: group 2 lists 2 NSIDs, more than the 7 bytes left");
	ck_assert_int_eq(nvme_ana_log_decode(buf, 10, false, &log, &e), -EBADMSG);
	h->ngrps = htole16(65535);
	ck_assert_int_eq(nvme_ana_log_decode(buf, len, false, &log, &e), -EBADMSG);
	ck_assert(strstr(e.msg, "descriptor 2 of 65535"));
	h->ngrps = htole16(2);
	d2->nnsids = htole32(0xffffffff);
	ck_assert_int_eq(nvme_ana_log_decode(buf, len, false, &log, &e), -EBADMSG);
	ck_assert(strstr(e.msg, "lists 4294967295 NSIDs"));
	d2->nnsids = htole32(2);
	d2->state = 7;
	ck_assert_int_eq(nvme_ana_log_decode(buf, len, false, &log, &e), -EBADMSG);
	ck_assert_str_eq(e.msg, "ANA log: group 2 has ANA state 0x7");
	ck_assert_ptr_null(log);
	ck_assert_str_eq(nvme_ana_state_str(7), "invalid");
}
END_TEST

START_TEST(test_ana_groups_only)
{
	uint8_t buf[16 + 2 * 32] = { 0 };
	struct nvme_ana_log_hdr *h = (void *)buf;
	struct nvme_ana_group_desc *d = (void *)(buf + 16);
	_cleanup_free_ struct nvme_ana_log *log = NULL;

	h->ngrps = htole16(2);
	d[0].grpid = htole32(1);
	d[0].nnsids = htole32(1000); /* ignored with RGO */
	d[0].state = NVME_ANA_OPTIMIZED;
	d[1].grpid = htole32(2);
	d[1].state = NVME_ANA_INACCESSIBLE;
	ck_assert_int_eq(nvme_ana_log_decode(buf, sizeof(buf), true, &log, NULL), 0);
	ck_assert_uint_eq(log->groups[0].nnsids, 0);
	ck_assert_uint_eq(log->groups[1].state, NVME_ANA_INACCESSIBLE);
}
END_TEST

START_TEST(test_changed_ns)
{
	le32 w[1024] = { 0 };
	uint32_t ids[8];
	size_t n;
	bool overflow;
	struct stas_error e = { 0 };

	w[0] = htole32(3);
	w[1] = htole32(9);
	ck_assert_int_eq(nvme_changed_ns_decode(w, sizeof(w), ids, 8, &n, &overflow, &e), 0);
	ck_assert(!overflow);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(ids[1], 9);
	w[0] = htole32(NVME_CHANGED_NS_OVERFLOW);
	ck_assert_int_eq(nvme_changed_ns_decode(w, sizeof(w), ids, 8, &n, &overflow, &e), 0);
	ck_assert(overflow);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(nvme_changed_ns_decode(w, 100, ids, 8, &n, &overflow, &e), -EBADMSG);
	for (int i = 0; i < 9; i++)
		w[i] = htole32(i + 1);
	ck_assert_int_eq(nvme_changed_ns_decode(w, sizeof(w), ids, 8, &n, &overflow, &e), -ENOSPC);
}
END_TEST

START_TEST(test_aen)
{
	char buf[96];
	/* nvmet's discovery change: type 2, info 0xf0, log 0x70 */
	struct nvme_aen a = nvme_aen_decode(0x00700002 | 0xf0 << 8);

	ck_assert_uint_eq(a.type, NVME_AER_NOTICE);
	ck_assert_uint_eq(a.info, NVME_AER_NOTICE_DISC_CHANGED);
	ck_assert_uint_eq(a.lid, NVME_LOG_DISCOVERY);
	ck_assert_str_eq(nvme_aen_describe(a, buf, sizeof(buf)),
			 "Notice: Discovery Log Page Change (log 0x70)");
	a = nvme_aen_decode(0x000c0302);
	ck_assert_str_eq(nvme_aen_describe(a, buf, sizeof(buf)),
			 "Notice: Asymmetric Namespace Access Change (log 0x0c)");
	a = nvme_aen_decode(0x00800006);
	ck_assert_str_eq(nvme_aen_describe(a, buf, sizeof(buf)),
			 "I/O Command Set Specific: info 0x00 (log 0x80)");
}
END_TEST

static Suite *logs_suite(void)
{
	Suite *s = suite_create("nvme-logs");
	TCase *tc = tcase_create("logs");

	tcase_add_test(tc, test_ana);
	tcase_add_test(tc, test_ana_bad);
	tcase_add_test(tc, test_ana_groups_only);
	tcase_add_test(tc, test_changed_ns);
	tcase_add_test(tc, test_aen);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(logs_suite)
