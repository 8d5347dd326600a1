// SPDX-License-Identifier: Apache-2.0
/* Command builders: the bytes at the offsets the specification gives. */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "check-main.h"
#include "stas/nvme-cmd.h"

static uint32_t dw(const struct nvme_sqe *c, int n)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)c + n * 4, 4);
	return le32toh(v);
}

START_TEST(test_connect)
{
	struct nvme_sqe c;
	const uint8_t *b = (const uint8_t *)&c;
	struct nvmf_connect_data d;
	uint8_t hostid[16] = { 1, 2, 3 };

	nvmf_cmd_connect(&c, 0, 32, 30000, false);
	ck_assert_uint_eq(b[0], 0x7f);
	ck_assert_uint_eq(b[4], NVMF_FCTYPE_CONNECT);
	ck_assert_uint_eq(b[42] | b[43] << 8, 0);  /* QID */
	ck_assert_uint_eq(b[44] | b[45] << 8, 31); /* SQSIZE, 0's based */
	ck_assert_uint_eq(b[46], 0);
	ck_assert_uint_eq(dw(&c, 12), 30000); /* KATO at byte 48 */
	nvmf_cmd_connect(&c, 3, 128, 30000, true);
	ck_assert_uint_eq(b[42], 3);
	ck_assert_uint_eq(b[44], 127);
	ck_assert_uint_eq(b[46], NVMF_CONNECT_CATTR_DISSQFC);
	ck_assert_uint_eq(dw(&c, 12), 0); /* no KATO on I/O queues */

	ck_assert_int_eq(nvmf_connect_data_init(&d, hostid, 0xffff, "nqn.a:sub", "nqn.b:host"), 0);
	ck_assert_uint_eq(((uint8_t *)&d)[2], 3);
	ck_assert_uint_eq(((uint8_t *)&d)[16], 0xff);
	ck_assert_str_eq((char *)&d + 256, "nqn.a:sub");
	ck_assert_str_eq((char *)&d + 512, "nqn.b:host");
	char longnqn[300];
	memset(longnqn, 'q', sizeof(longnqn));
	longnqn[224] = '\0';
	ck_assert_int_eq(nvmf_connect_data_init(&d, hostid, 1, longnqn, "nqn.b"), -EINVAL);
	longnqn[223] = '\0';
	ck_assert_int_eq(nvmf_connect_data_init(&d, hostid, 1, longnqn, "nqn.b"), 0);
	ck_assert_int_eq(nvmf_connect_data_init(&d, hostid, 1, "", "nqn.b"), -EINVAL);
}
END_TEST

START_TEST(test_property)
{
	struct nvme_sqe c;
	const uint8_t *b = (const uint8_t *)&c;
	uint64_t v;

	nvmf_cmd_property_get(&c, NVME_REG_CAP, true);
	ck_assert_uint_eq(b[4], NVMF_FCTYPE_PROPERTY_GET);
	ck_assert_uint_eq(b[40], 1);
	ck_assert_uint_eq(dw(&c, 11), NVME_REG_CAP);
	nvmf_cmd_property_set(&c, NVME_REG_CC, 0x460001, false);
	ck_assert_uint_eq(b[4], NVMF_FCTYPE_PROPERTY_SET);
	ck_assert_uint_eq(b[40], 0);
	ck_assert_uint_eq(dw(&c, 11), NVME_REG_CC);
	memcpy(&v, b + 48, 8);
	ck_assert_uint_eq(le64toh(v), 0x460001);
}
END_TEST

START_TEST(test_get_log_page)
{
	struct nvme_sqe c;

	/* 1 MiB + 4 of discovery log at offset 1024, RAE set: NUMD = 262144 dwords - 1 */
	ck_assert_int_eq(
		nvme_cmd_get_log_page(&c, NVME_LOG_DISCOVERY, 0, 0, true, 1024, (1u << 20) + 4), 0);
	ck_assert_uint_eq(c.opcode, NVME_ADMIN_GET_LOG_PAGE);
	ck_assert_uint_eq(dw(&c, 10) & 0xff, 0x70);
	ck_assert(dw(&c, 10) & (1u << 15));
	ck_assert_uint_eq(dw(&c, 10) >> 16, 0);	   /* NUMDL: 0x40000 & 0xffff */
	ck_assert_uint_eq(dw(&c, 11) & 0xffff, 4); /* NUMDU */
	ck_assert_uint_eq(dw(&c, 12), 1024);
	ck_assert_uint_eq(dw(&c, 13), 0);
	ck_assert_int_eq(nvme_cmd_get_log_page(&c, NVME_LOG_ANA, 0, 1, false, 1ull << 32, 16), 0);
	ck_assert_uint_eq((dw(&c, 10) >> 8) & 0x7f, 1);
	ck_assert(!(dw(&c, 10) & (1u << 15)));
	ck_assert_uint_eq(dw(&c, 10) >> 16, 3);
	ck_assert_uint_eq(dw(&c, 13), 1);
	ck_assert_int_eq(nvme_cmd_get_log_page(&c, 2, 0, 0, false, 0, 0), -EINVAL);
	ck_assert_int_eq(nvme_cmd_get_log_page(&c, 2, 0, 0, false, 0, 6), -EINVAL);
	ck_assert_int_eq(nvme_cmd_get_log_page(&c, 2, 0, 0, false, 2, 8), -EINVAL);
}
END_TEST

START_TEST(test_admin)
{
	struct nvme_sqe c;

	nvme_cmd_identify(&c, NVME_CNS_NS_ACTIVE_LIST, 7, 0);
	ck_assert_uint_eq(c.opcode, 0x06);
	ck_assert_uint_eq(le32toh(c.nsid), 7);
	ck_assert_uint_eq(dw(&c, 10), 2);
	ck_assert_uint_eq(c.flags, NVME_CMD_FLAGS_SGL_METABUF);
	nvme_cmd_set_features(&c, NVME_FEAT_ASYNC_EVENT, 0, NVME_AEC_DISC_CHANGE, false);
	ck_assert_uint_eq(dw(&c, 10), 0x0b);
	ck_assert_uint_eq(dw(&c, 11), 0x80000000u);
	nvme_cmd_set_features(&c, NVME_FEAT_NUM_QUEUES, 0, 3 | 3 << 16, true);
	ck_assert_uint_eq(dw(&c, 10), 0x80000007u);
	nvme_cmd_get_features(&c, NVME_FEAT_KATO, 0, 3, 0);
	ck_assert_uint_eq(c.opcode, 0x0a);
	ck_assert_uint_eq(dw(&c, 10), 0x30f);
	nvme_cmd_keep_alive(&c);
	ck_assert_uint_eq(c.opcode, 0x18);
	nvme_cmd_async_event(&c);
	ck_assert_uint_eq(c.opcode, 0x0c);
	nvme_sgl_inline(&c, 1024);
	ck_assert_uint_eq(c.dptr.type, 0x01);
	ck_assert_uint_eq(le32toh(c.dptr.length), 1024);
	nvme_sgl_transport(&c, 4096);
	ck_assert_uint_eq(((uint8_t *)&c)[39], 0x5a);
	ck_assert_uint_eq(dw(&c, 8), 4096);
}
END_TEST

START_TEST(test_dim)
{
	static uint8_t buf[4096];
	uint8_t hostid[16];
	struct nvmf_dim_info info = {
		.hostnqn = "nqn.2014-08.org.nvmexpress:uuid:1", .hostid = hostid, .hostname = "h1",
		.os_version = "Linux 6.1", .symname = "rack7", .trtype = NVMF_TRTYPE_TCP,
		.adrfam = NVMF_ADRFAM_IPV4, .traddr = "198.51.100.1",
	};
	struct nvme_sqe c;
	uint32_t v32;
	uint16_t v16;
	int n;

	memset(hostid, 0xee, sizeof(hostid));
	n = nvmf_dim_data_build(buf, sizeof(buf), &info);
	/* header 1024 + DIE 1032 + HOSTID exat 4+16 + SYMNAME exat 4+8 */
	ck_assert_int_eq(n, 1024 + 1032 + 20 + 12);
	memcpy(&v32, buf, 4);
	ck_assert_uint_eq(le32toh(v32), (uint32_t)n); /* TDL */
	ck_assert_uint_eq(buf[8], 1);		      /* NUMENT */
	ck_assert_uint_eq(buf[16], 2);		      /* ENTFMT extended */
	ck_assert_uint_eq(buf[18], 1);		      /* ETYPE host */
	ck_assert_str_eq((char *)buf + 24, info.hostnqn);
	ck_assert_str_eq((char *)buf + 280, "h1");
	ck_assert_str_eq((char *)buf + 536, "Linux 6.1");
	ck_assert_uint_eq(buf[1024], NVMF_TRTYPE_TCP);
	ck_assert_str_eq((char *)buf + 1024 + 512, "198.51.100.1");
	memcpy(&v32, buf + 1024 + 1024, 4);
	ck_assert_uint_eq(le32toh(v32), 1032 + 20 + 12); /* TEL */
	memcpy(&v16, buf + 1024 + 1028, 2);
	ck_assert_uint_eq(le16toh(v16), 2); /* NUMEXAT */
	ck_assert_uint_eq(buf[2056], NVMF_EXATTYPE_HOSTID);
	ck_assert_uint_eq(buf[2058], 16);
	ck_assert_uint_eq(buf[2060], 0xee);
	ck_assert_uint_eq(buf[2076], NVMF_EXATTYPE_SYMNAME);
	ck_assert_uint_eq(buf[2078], 5);
	ck_assert_mem_eq(buf + 2080, "rack7\0\0\0", 8);
	ck_assert_int_eq(nvmf_dim_data_build(buf, 2000, &info), -ENOSPC);
	nvme_cmd_dim(&c, NVMF_DIM_TAS_DEREGISTER);
	ck_assert_uint_eq(c.opcode, 0x21);
	ck_assert_uint_eq(dw(&c, 10), 1);
}
END_TEST

static Suite *cmd_suite(void)
{
	Suite *s = suite_create("nvme-cmd");
	TCase *tc = tcase_create("builders");

	tcase_add_test(tc, test_connect);
	tcase_add_test(tc, test_property);
	tcase_add_test(tc, test_get_log_page);
	tcase_add_test(tc, test_admin);
	tcase_add_test(tc, test_dim);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(cmd_suite)
