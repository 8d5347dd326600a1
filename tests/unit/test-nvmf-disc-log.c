// SPDX-License-Identifier: Apache-2.0
/* Discovery log page: a log like nvmet's, and the ways a target can lie. */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check-main.h"
#include "stas/cleanup.h"
#include "stas/nvme-decode.h"

struct wire_log {
	struct nvmf_disc_log_hdr hdr;
	struct nvmf_disc_log_entry e[3];
};

static void pad(char *dst, size_t width, const char *s)
{
	memset(dst, ' ', width);
	memcpy(dst, s, strlen(s));
}

static void make_entry(struct nvmf_disc_log_entry *w, uint8_t subtype, const char *traddr,
		       const char *svc, const char *nqn, uint16_t portid)
{
	memset(w, 0, sizeof(*w));
	w->trtype = NVMF_TRTYPE_TCP;
	w->adrfam = strchr(traddr, ':') ? NVMF_ADRFAM_IPV6 : NVMF_ADRFAM_IPV4;
	w->subtype = subtype;
	w->treq = NVMF_TREQ_DISABLE_SQFLOW | 2;
	w->portid = htole16(portid);
	w->cntlid = htole16(NVMF_CNTLID_DYNAMIC);
	w->asqsz = htole16(32);
	w->eflags = htole16(NVMF_EFLAGS_EPCSD);
	pad(w->trsvcid, sizeof(w->trsvcid), svc);
	strcpy(w->subnqn, nqn);
	pad(w->traddr, sizeof(w->traddr), traddr);
}

static struct wire_log *make_log(void)
{
	struct wire_log *l = calloc(1, sizeof(*l));

	l->hdr.genctr = htole64(16);
	l->hdr.numrec = htole64(3);
	make_entry(&l->e[0], NVMF_SUBTYPE_CURRENT_DISC, "198.51.100.2", "8009",
		   NVME_DISC_SUBSYS_NQN, 1);
	make_entry(&l->e[1], NVMF_SUBTYPE_NVME, "198.51.100.2", "8009",
		   "nqn.2014-08.org.example:tgt1", 1);
	make_entry(&l->e[2], NVMF_SUBTYPE_REFERRAL, "2001:db8::2", "4420", NVME_DISC_SUBSYS_NQN, 4);
	return l;
}

START_TEST(test_decode)
{
	_cleanup_free_ struct wire_log *w = make_log();
	_cleanup_free_ struct nvmf_disc_log *log = NULL;
	struct stas_error e = { 0 };
	const struct nvmf_disc_entry *d;

	ck_assert_int_eq(nvmf_disc_log_decode(w, sizeof(*w), &log, &e), 0);
	ck_assert_uint_eq(log->hdr.genctr, 16);
	ck_assert_uint_eq(log->nr, 3);
	d = &log->entries[1];
	ck_assert_str_eq(d->traddr, "198.51.100.2");
	ck_assert_str_eq(d->trsvcid, "8009");
	ck_assert_str_eq(d->subnqn, "nqn.2014-08.org.example:tgt1");
	ck_assert_str_eq(nvmf_subtype_str(d->subtype), "nvme subsystem");
	ck_assert_str_eq(nvmf_trtype_str(d->trtype), "tcp");
	ck_assert_str_eq(nvmf_adrfam_str(d->adrfam), "ipv4");
	ck_assert_str_eq(nvmf_treq_str(d->treq), "not required");
	ck_assert_uint_eq(d->treq & NVMF_TREQ_DISABLE_SQFLOW, NVMF_TREQ_DISABLE_SQFLOW);
	ck_assert_uint_eq(d->portid, 1);
	ck_assert_uint_eq(d->cntlid, 0xffff);
	ck_assert_uint_eq(d->asqsz, 32);
	ck_assert_uint_eq(d->eflags, NVMF_EFLAGS_EPCSD);
	d = &log->entries[2];
	ck_assert_str_eq(nvmf_subtype_str(d->subtype), "referral");
	ck_assert_str_eq(nvmf_adrfam_str(d->adrfam), "ipv6");
	ck_assert_str_eq(d->traddr, "2001:db8::2");
	ck_assert_uint_eq(d->portid, 4);
	ck_assert_str_eq(nvmf_subtype_str(0), "unrecognized");
	ck_assert_str_eq(nvmf_trtype_str(200), "unrecognized");
	ck_assert_str_eq(nvmf_sectype_str(2), "tls1.3");
}
END_TEST

START_TEST(test_empty)
{
	struct nvmf_disc_log_hdr h = { .genctr = htole64(1) };
	_cleanup_free_ struct nvmf_disc_log *log = NULL;

	ck_assert_int_eq(nvmf_disc_log_decode(&h, sizeof(h), &log, NULL), 0);
	ck_assert_uint_eq(log->nr, 0);
}
END_TEST

/* Malformed logs: each row damages a good log one way. */
struct bad_row {
	const char *name;
	void (*damage)(struct wire_log *w, size_t *len);
	const char *msg;
};

static void absurd_numrec(struct wire_log *w, size_t *len)
{
	w->hdr.numrec = htole64(0x100000000ull);
}

static void numrec_beyond_data(struct wire_log *w, size_t *len)
{
	w->hdr.numrec = htole64(4);
}

static void truncated(struct wire_log *w, size_t *len)
{
	*len -= 1;
}

static void short_header(struct wire_log *w, size_t *len)
{
	*len = 1000;
}

static void binary_traddr(struct wire_log *w, size_t *len)
{
	w->e[1].traddr[3] = (char)0x80;
}

static void unterminated_subnqn(struct wire_log *w, size_t *len)
{
	memset(w->e[2].subnqn, 'n', sizeof(w->e[2].subnqn));
}

static void long_subnqn(struct wire_log *w, size_t *len)
{
	memset(w->e[0].subnqn, 'n', 224);
}

static void newline_in_trsvcid(struct wire_log *w, size_t *len)
{
	w->e[0].trsvcid[1] = '\n';
}

static const struct bad_row bad_rows[] = {
	{ "absurd NUMREC", absurd_numrec, "NUMREC 4294967296 exceeds the limit of 4096" },
	{ "NUMREC beyond data", numrec_beyond_data, "NUMREC 4 needs 5120 bytes, only 4096 read" },
	{ "truncated entry", truncated, "NUMREC 3 needs 4096 bytes, only 4095 read" },
	{ "short header", short_header, "header: 1000 bytes, expected 1024" },
	{ "binary TRADDR", binary_traddr,
	  "entry 1: TRADDR: byte 0x80 at offset 3 is not printable ASCII" },
	{ "unterminated SUBNQN", unterminated_subnqn,
	  "entry 2: SUBNQN: 256 bytes long, at most 223 allowed" },
	{ "SUBNQN of 224 bytes", long_subnqn, "entry 0: SUBNQN: 224 bytes long" },
	{ "control character", newline_in_trsvcid, "entry 0: TRSVCID: byte 0x0a at offset 1" },
};

START_TEST(test_bad)
{
	const struct bad_row *r = &bad_rows[_i];
	_cleanup_free_ struct wire_log *w = make_log();
	struct nvmf_disc_log *log = NULL;
	struct stas_error e = { 0 };
	size_t len = sizeof(*w);

	r->damage(w, &len);
	ck_assert_int_eq(nvmf_disc_log_decode(w, len, &log, &e), -EBADMSG);
	ck_assert_ptr_null(log);
	ck_assert_msg(strstr(e.msg, r->msg), "%s: '%s' lacks '%s'", r->name, e.msg, r->msg);
}
END_TEST

static Suite *dlp_suite(void)
{
	Suite *s = suite_create("nvmf-disc-log");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_decode);
	tcase_add_test(tc, test_empty);
	tcase_add_loop_test(tc, test_bad, 0, ARRAY_SIZE(bad_rows));
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(dlp_suite)
