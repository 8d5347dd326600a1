// SPDX-License-Identifier: Apache-2.0
/* The controller identity tuple: fields, defaults, equality, hash, text, matching, family. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-main.h"
#include "common/tid-index.h"
#include "common/tid.h"
#include "stas/cleanup.h"

static struct tid make(const char *transport, const char *traddr, const char *trsvcid,
		       const char *subsysnqn, const char *host_traddr, const char *host_iface,
		       const char *host_nqn)
{
	const char *v[TID_N_FIELDS] = { transport,   traddr,	 trsvcid, subsysnqn,
					host_traddr, host_iface, host_nqn };
	struct tid t;

	memset(&t, 0, sizeof(t));
	for (int f = 0; f < TID_N_FIELDS; f++)
		ck_assert_int_eq(tid_set(&t, f, v[f] ? v[f] : ""), 0);
	return t;
}

START_TEST(test_fields)
{
	static const char *const names[] = { "transport",   "traddr",	  "trsvcid", "subsysnqn",
					     "host-traddr", "host-iface", "host-nqn" };
	struct tid t = make("tcp", "192.0.2.1", NULL, NULL, NULL, NULL, NULL);

	for (int f = 0; f < TID_N_FIELDS; f++)
		ck_assert_str_eq(tid_field_name(f), names[f]);
	ck_assert_ptr_null(tid_field_name(TID_N_FIELDS));
	ck_assert_str_eq(tid_get(&t, TID_TRADDR), "192.0.2.1");
	ck_assert_int_eq(tid_set(&t, TID_HOST_IFACE, "0123456789abcdef"), -ENAMETOOLONG);
	ck_assert_str_eq(t.host_iface, "");
	ck_assert_int_eq(tid_set(&t, TID_HOST_IFACE, "0123456789abcde"), 0);
	ck_assert_uint_eq(tid_field_size(TID_SUBSYSNQN), 224);
}
END_TEST

START_TEST(test_defaults)
{
	struct tid_defaults dc = { .discovery = true, .host_nqn = "nqn.2014-08.org.example:host" };
	struct tid_defaults ioc = { .ignore_iface = true };
	struct tid t;

	t = make("tcp", "192.0.2.1", NULL, NULL, NULL, "eth0", NULL);
	tid_apply_defaults(&t, &dc);
	ck_assert_str_eq(t.trsvcid, "8009");
	ck_assert_str_eq(t.subsysnqn, NVME_DISC_SUBSYS_NQN);
	ck_assert_str_eq(t.host_nqn, "nqn.2014-08.org.example:host");
	ck_assert_str_eq(t.host_iface, "eth0");

	/* stacd: tcp still defaults to 8009 (nvme-stas does the same) */
	t = make("tcp", "192.0.2.1", NULL, "nqn.2014-08.org.example:a", NULL, "eth0", NULL);
	tid_apply_defaults(&t, &ioc);
	ck_assert_str_eq(t.trsvcid, "8009");
	ck_assert_str_eq(t.subsysnqn, "nqn.2014-08.org.example:a");
	ck_assert_str_eq(t.host_iface, "");
	ck_assert_str_eq(t.host_nqn, "");

	t = make("rdma", "192.0.2.1", NULL, NULL, NULL, NULL, NULL);
	tid_apply_defaults(&t, &ioc);
	ck_assert_str_eq(t.trsvcid, "4420");
	t = make("tcp", "192.0.2.1", "4421", NULL, NULL, NULL, "nqn.2014-08.org.example:mine");
	tid_apply_defaults(&t, &dc);
	ck_assert_str_eq(t.trsvcid, "4421");
	ck_assert_str_eq(t.host_nqn, "nqn.2014-08.org.example:mine");
	t = make("fc", "nn-0x1:pn-0x2", "4420", NULL, NULL, NULL, NULL);
	tid_apply_defaults(&t, &ioc);
	ck_assert_str_eq(t.trsvcid, "");
}
END_TEST

/* Changing any one of the seven fields makes another controller. */
START_TEST(test_equal_per_field)
{
	struct tid a = make("tcp", "192.0.2.1", "8009", "nqn.a", "192.0.2.9", "eth0", "nqn.h");
	struct tid b = a;

	ck_assert(tid_equal(&a, &b));
	ck_assert_uint_eq(tid_hash(&a), tid_hash(&b));
	tid_set(&b, _i, "x");
	ck_assert(!tid_equal(&a, &b));
	ck_assert_uint_ne(tid_hash(&a), tid_hash(&b));
}
END_TEST

START_TEST(test_hash)
{
	struct tid a = make("tcp", "192.0.2.1", "8009", NULL, NULL, NULL, NULL);
	struct tid x = make("ab", "c", NULL, NULL, NULL, NULL, NULL);
	struct tid y = make("a", "bc", NULL, NULL, NULL, NULL, NULL);

	/* FNV-1a 64 of "tcp\0192.0.2.1\08009\0\0\0\0\0": fixed, so it can key saved state */
	ck_assert_uint_eq(tid_hash(&a), 0x5c194fcd1a127a66ull);
	ck_assert_uint_ne(tid_hash(&x), tid_hash(&y));
}
END_TEST

START_TEST(test_to_string)
{
	struct tid t = make("tcp", "192.168.1.10", "8009", "nqn.2014-08.org.example:a", "10.0.0.1",
			    "enp0s8", "nqn.2014-08.org.example:host");
	char buf[TID_STR_MAX], small[12];

	ck_assert_str_eq(tid_to_string(&t, buf, sizeof(buf)),
			 "(tcp, 192.168.1.10, 8009, nqn.2014-08.org.example:a, enp0s8, 10.0.0.1)");
	t = make("fc", "nn-0x1:pn-0x2", NULL, NULL, NULL, NULL, NULL);
	ck_assert_str_eq(tid_to_string(&t, buf, sizeof(buf)), "(fc, nn-0x1:pn-0x2)");
	t = make(NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	ck_assert_str_eq(tid_to_string(&t, buf, sizeof(buf)), "()");
	t = make("tcp", "192.168.1.10", "8009", NULL, NULL, NULL, NULL);
	ck_assert_str_eq(tid_to_string(&t, small, sizeof(small)), "(tcp, 192.1");
}
END_TEST

START_TEST(test_matches)
{
	struct tid t = make("tcp", "192.0.2.1", "8009", "nqn.a", "", "eth0", "nqn.h");
	struct tid p = make("tcp", "192.0.2.1", "4420", "", "", "eth1", "");

	ck_assert(tid_matches(&p, TID_BIT(TID_TRANSPORT) | TID_BIT(TID_TRADDR), &t));
	ck_assert(!tid_matches(&p, TID_BIT(TID_TRADDR) | TID_BIT(TID_TRSVCID), &t));
	ck_assert(!tid_matches(&p, TID_BIT(TID_HOST_IFACE), &t));
	ck_assert(!tid_matches(&p, 0, &t)); /* nvme-stas would say "excluded" */
}
END_TEST

static const struct {
	const char *transport, *traddr;
	unsigned families;
	enum tid_family_verdict want;
} family_rows[] = {
	{ "tcp", "192.0.2.1", TID_IPV4, TID_FAMILY_OK },
	{ "tcp", "192.0.2.1", TID_IPV6, TID_FAMILY_DISABLED },
	{ "tcp", "2001:db8::1", TID_IPV6, TID_FAMILY_OK },
	{ "rdma", "2001:db8::1", TID_IPV4, TID_FAMILY_DISABLED },
	{ "tcp", "fe80::1%eth0", TID_IPV6, TID_FAMILY_OK },
	{ "tcp", "fe80::1%", TID_IPV6, TID_FAMILY_HOSTNAME },
	{ "tcp", "::ffff:192.0.2.1", TID_IPV4, TID_FAMILY_DISABLED },
	{ "tcp", "array.example.com", TID_IPV4, TID_FAMILY_HOSTNAME },
	{ "tcp", "1.2.3", TID_IPV4 | TID_IPV6, TID_FAMILY_HOSTNAME },
	{ "fc", "nn-0x1:pn-0x2", 0, TID_FAMILY_OK },
	{ "loop", "", TID_IPV4, TID_FAMILY_OK },
};

START_TEST(test_family)
{
	struct tid t = make(family_rows[_i].transport, family_rows[_i].traddr, NULL, NULL, NULL,
			    NULL, NULL);

	ck_assert_msg(tid_family_check(&t, family_rows[_i].families) == family_rows[_i].want,
		      "%s %s", family_rows[_i].transport, family_rows[_i].traddr);
}
END_TEST

/* ---- the index the reconciles look identities up in ---------------------------------------- */

struct tid_array {
	struct tid *v;
	size_t n;
};

static const struct tid *array_key(const void *ctx, size_t pos)
{
	return &((const struct tid_array *)ctx)->v[pos];
}

static void port_tid(struct tid *t, unsigned port, const char *nqn)
{
	char buf[16];

	memset(t, 0, sizeof(*t));
	snprintf(buf, sizeof(buf), "%u", port);
	tid_set(t, TID_TRANSPORT, "tcp");
	tid_set(t, TID_TRADDR, "192.0.2.1");
	tid_set(t, TID_TRSVCID, buf);
	tid_set(t, TID_SUBSYSNQN, nqn);
}

START_TEST(test_index)
{
	struct tid_array a = { 0 };
	struct tid_index x;
	struct tid t;

	/* both ways to reach the keys: a callback, and the array's address and stride */
	if (_i)
		tid_index_init_strided(&x, (const void *const *)&a.v, sizeof(*a.v), 0);
	else
		tid_index_init(&x, array_key, &a);
	port_tid(&t, 1, "nqn.x");
	ck_assert_int_eq(tid_index_find(&x, &t), -1); /* empty */
	/* the array moves while it grows: the index holds positions, not pointers */
	for (unsigned i = 0; i < 3000; i++) {
		a.v = realloc(a.v, (a.n + 1) * sizeof(*a.v));
		ck_assert_ptr_nonnull(a.v);
		port_tid(&a.v[a.n], 1000 + i, i % 2 ? "nqn.odd" : "nqn.even");
		ck_assert_int_eq(tid_index_add(&x, &a.v[a.n], a.n), 0);
		a.n++;
	}
	for (unsigned i = 0; i < 3000; i++) {
		port_tid(&t, 1000 + i, i % 2 ? "nqn.odd" : "nqn.even");
		ck_assert_int_eq(tid_index_find(&x, &t), (long)i);
		/* one field different is another controller */
		port_tid(&t, 1000 + i, i % 2 ? "nqn.even" : "nqn.odd");
		ck_assert_int_eq(tid_index_find(&x, &t), -1);
	}
	/* the same identity twice: the first position is found */
	a.v = realloc(a.v, (a.n + 1) * sizeof(*a.v));
	ck_assert_ptr_nonnull(a.v);
	port_tid(&a.v[a.n], 1005, "nqn.odd");
	ck_assert_int_eq(tid_index_add(&x, &a.v[a.n], a.n), 0);
	a.n++;
	ck_assert_int_eq(tid_index_find(&x, &a.v[5]), 5);
	tid_index_clear(&x);
	ck_assert_int_eq(tid_index_find(&x, &a.v[5]), -1);
	ck_assert_int_eq(tid_index_add(&x, &a.v[5], 5), 0); /* usable again */
	ck_assert_int_eq(tid_index_find(&x, &a.v[5]), 5);
	tid_index_clear(&x);
	free(a.v);
}
END_TEST

static Suite *tid_suite(void)
{
	Suite *s = suite_create("tid");
	TCase *tc = tcase_create("identity");

	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_equal_per_field, 0, TID_N_FIELDS);
	tcase_add_test(tc, test_hash);
	tcase_add_test(tc, test_to_string);
	tcase_add_test(tc, test_matches);
	tcase_add_loop_test(tc, test_family, 0, ARRAY_SIZE(family_rows));
	tcase_add_loop_test(tc, test_index, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(tid_suite)
