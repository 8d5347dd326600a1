// SPDX-License-Identifier: Apache-2.0
/* CRC32C against the published iSCSI (RFC 3720 B.4) vectors, on both code paths. */
#include <check.h>
#include <string.h>

#include "check-main.h"
#include "stas/crc32c.h"

struct vector {
	const char *name;
	uint8_t data[48];
	size_t len;
	uint32_t crc;
};

static struct vector vectors[6];

static void vectors_init(void)
{
	struct vector *v = vectors;

	v[0] = (struct vector){ .name = "32 zero bytes", .len = 32, .crc = 0x8a9136aa };
	v[1] = (struct vector){ .name = "32 0xff bytes", .len = 32, .crc = 0x62a8ab43 };
	memset(v[1].data, 0xff, 32);
	v[2] = (struct vector){ .name = "0..31", .len = 32, .crc = 0x46dd794e };
	v[3] = (struct vector){ .name = "31..0", .len = 32, .crc = 0x113fdb5c };
	for (int i = 0; i < 32; i++) {
		v[2].data[i] = (uint8_t)i;
		v[3].data[i] = (uint8_t)(31 - i);
	}
	/* An iSCSI SCSI Read (10) command PDU, from the same appendix. */
	static const uint8_t iscsi[48] = {
		0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
		0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	v[4] = (struct vector){ .name = "iSCSI read PDU", .len = 48, .crc = 0xd9963a56 };
	memcpy(v[4].data, iscsi, sizeof(iscsi));
	v[5] = (struct vector){ .name = "\"123456789\"", .len = 9, .crc = 0xe3069283 };
	memcpy(v[5].data, "123456789", 9);
}

static void check_vector(int i, int portable)
{
	const struct vector *v = &vectors[i];

	crc32c_force_portable(portable);
	ck_assert_msg(crc32c(v->data, v->len) == v->crc, "%s (%s): got 0x%08x, want 0x%08x",
		      v->name, portable ? "portable" : "native", crc32c(v->data, v->len), v->crc);
}

START_TEST(test_vectors_native)
{
	vectors_init();
	check_vector(_i, 0);
}
END_TEST

START_TEST(test_vectors_portable)
{
	vectors_init();
	check_vector(_i, 1);
}
END_TEST

/* Split points and misaligned starts must not change the result. */
START_TEST(test_incremental_and_unaligned)
{
	uint8_t buf[4096 + 16];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (int portable = 0; portable < 2; portable++) {
		crc32c_force_portable(portable);
		for (size_t off = 0; off < 9; off++) {
			uint32_t whole = crc32c(buf + off, 4096);

			for (size_t split = 0; split <= 4096; split += 511) {
				uint32_t c = crc32c_update(CRC32C_INIT, buf + off, split);

				c = crc32c_update(c, buf + off + split, 4096 - split);
				ck_assert_uint_eq(crc32c_final(c), whole);
			}
		}
	}
	crc32c_force_portable(0);
	ck_assert_uint_eq(crc32c(buf, 4096), (crc32c_force_portable(1), crc32c(buf, 4096)));
}
END_TEST

static Suite *crc_suite(void)
{
	Suite *s = suite_create("crc32c");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vectors_native, 0, 6);
	tcase_add_loop_test(tc, test_vectors_portable, 0, 6);
	tcase_add_test(tc, test_incremental_and_unaligned);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(crc_suite)
