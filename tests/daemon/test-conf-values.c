// SPDX-License-Identifier: Apache-2.0
/*
 * Every key of stafd.conf and stacd.conf with good and bad values, the
 * defaults of both daemons, and the legacy options. Table driven: one row per
 * (daemon, text, expected field value, expected diagnostic).
 */
#include <check.h>
#include <limits.h>
#include <stddef.h>

#include "check-main.h"
#include "test-util.h"

enum kind { K_BOOL, K_UINT, K_INT, K_I64, K_OPT };

#define UNSET INT64_MIN /* K_OPT: the option must be unset */

struct row {
	enum stas_daemon d;
	const char *text;
	size_t off;
	enum kind kind;
	int64_t want;
	int level; /* 0: no diagnostic at all */
	const char *diag;
	unsigned ndiag; /* diagnostics expected when level is set; 0 means 1 */
};

#define F(m)	   offsetof(struct stas_conf, m)
#define T(t)	   F(global.v[t])
#define G(k, v)	   "[Global]\n" k " = " v "\n"
#define IOC(k, v)  "[I/O controller connection management]\n" k " = " v "\n"
#define DCCM(k, v) "[Discovery controller connection management]\n" k " = " v "\n"
#define SD(k, v)   "[Service Discovery]\n" k " = " v "\n"
#define STAFD	   STAS_STAFD
#define STACD	   STAS_STACD

static const struct row rows[] = {
	{ STAFD, G("tron", "true"), F(tron), K_BOOL, 1 },
	{ STAFD, G("tron", "TRUE"), F(tron), K_BOOL, 1 },
	{ STACD, G("tron", "False"), F(tron), K_BOOL, 0 },
	{ STAFD, G("tron", "yes"), F(tron), K_BOOL, 0, LOG_ERR,
	  "tron = 'yes': not a boolean (true or false); using the default (false)" },
	{ STAFD, G("tron", ""), F(tron), K_BOOL, 0, LOG_ERR, "not a boolean" },
	{ STAFD, G("ignore-iface", "true"), F(ignore_iface), K_BOOL, 1 },
	{ STAFD, G("pleo", "disabled"), F(pleo), K_BOOL, 0 },
	{ STAFD, G("pleo", "Enabled"), F(pleo), K_BOOL, 1 },
	{ STAFD, G("pleo", "true"), F(pleo), K_BOOL, 1, LOG_ERR,
	  "expected 'enabled' or 'disabled'; using the default (enabled)" },
	{ STACD, G("pleo", "disabled"), F(pleo), K_BOOL, 1, LOG_WARNING,
	  "pleo: used by stafd only; ignored" },
	{ STAFD, SD("zeroconf", "DISABLED"), F(zeroconf), K_BOOL, 0 },
	{ STAFD, G("ip-family", "ipv4"), F(ip_family), K_UINT, TID_IPV4 },
	{ STACD, G("ip-family", "ipv6"), F(ip_family), K_UINT, TID_IPV6 },
	{ STAFD, G("ip-family", "ipv4+ipv6"), F(ip_family), K_UINT, TID_IPV4 | TID_IPV6 },
	{ STAFD, G("ip-family", "ipv6+ipv4"), F(ip_family), K_UINT, TID_IPV4 | TID_IPV6 },
	{ STAFD, G("ip-family", "IPv4"), F(ip_family), K_UINT, TID_IPV4 | TID_IPV6, LOG_ERR,
	  "expected ipv4, ipv6, ipv4+ipv6 or ipv6+ipv4; using the default (ipv4+ipv6)" },
	{ STAFD, G("ip-family", "ipv4+"), F(ip_family), K_UINT, TID_IPV4 | TID_IPV6, LOG_ERR,
	  "ip-family" },
	{ STAFD, G("hdr-digest", "true"), T(CONF_HDR_DIGEST), K_OPT, 1 },
	{ STAFD, G("data-digest", "false"), T(CONF_DATA_DIGEST), K_OPT, 0 },
	{ STACD, G("disable-sqflow", "maybe"), T(CONF_DISABLE_SQFLOW), K_OPT, UNSET, LOG_ERR,
	  "disable-sqflow = 'maybe': not a boolean (true or false); using the default (unset)" },
	{ STAFD, G("kato", "0"), T(CONF_KATO), K_OPT, 0 },
	{ STAFD, G("kato", "-1"), T(CONF_KATO), K_OPT, 30, LOG_ERR,
	  "kato = '-1': out of range (0..4294967); using the default (30)" },
	{ STAFD, G("kato", "12abc"), T(CONF_KATO), K_OPT, 30, LOG_ERR, "not an integer" },
	{ STAFD, G("kato", "99999999999"), T(CONF_KATO), K_OPT, 30, LOG_ERR, "out of range" },
	{ STAFD, G("kato", "4294967"), T(CONF_KATO), K_OPT, 4294967 },
	{ STAFD, G("kato", "4294968"), T(CONF_KATO), K_OPT, 30, LOG_ERR,
	  "kato = '4294968': out of range (0..4294967); using the default (30)" },
	{ STACD, G("kato", "+120"), T(CONF_KATO), K_OPT, 120 },
	{ STACD, G("kato", "x"), T(CONF_KATO), K_OPT, UNSET, LOG_ERR, "(unset)" },
	{ STAFD, G("queue-size", "16"), T(CONF_QUEUE_SIZE), K_OPT, 16 },
	{ STACD, G("queue-size", "1024"), T(CONF_QUEUE_SIZE), K_OPT, 1024 },
	{ STACD, G("queue-size", "1025"), T(CONF_QUEUE_SIZE), K_OPT, UNSET, LOG_ERR,
	  "out of range (16..1024)" },
	{ STAFD, G("queue-size", "15"), T(CONF_QUEUE_SIZE), K_OPT, UNSET, LOG_ERR,
	  "out of range (16..1024)" },
	{ STACD, G("reconnect-delay", "1"), T(CONF_RECONNECT_DELAY), K_OPT, 1 },
	{ STACD, G("reconnect-delay", "0"), T(CONF_RECONNECT_DELAY), K_OPT, UNSET, LOG_ERR,
	  "out of range (at least 1)" },
	{ STAFD, G("ctrl-loss-tmo", "-1"), T(CONF_CTRL_LOSS_TMO), K_OPT, -1 },
	{ STACD, G("ctrl-loss-tmo", "600"), T(CONF_CTRL_LOSS_TMO), K_OPT, 600 },
	{ STACD, G("ctrl-loss-tmo", "-2"), T(CONF_CTRL_LOSS_TMO), K_OPT, UNSET, LOG_ERR,
	  "out of range (at least -1)" },
	{ STACD, G("nr-io-queues", "4"), T(CONF_NR_IO_QUEUES), K_OPT, 4 },
	{ STACD, G("nr-write-queues", "2"), T(CONF_NR_WRITE_QUEUES), K_OPT, 2 },
	{ STACD, G("nr-poll-queues", "0"), T(CONF_NR_POLL_QUEUES), K_OPT, UNSET, LOG_ERR,
	  "out of range (at least 1)" },
	{ STAFD, G("nr-io-queues", "4"), T(CONF_NR_IO_QUEUES), K_OPT, UNSET, LOG_WARNING,
	  "[Global] nr-io-queues: used by stacd only; ignored" },
	{ STAFD, DCCM("persistent-connections", "false"), F(persistent_connections), K_BOOL, 0 },
	{ STAFD, DCCM("zeroconf-connections-persistence", "72hours"), F(zeroconf_persistence_sec),
	  K_I64, 259200 },
	{ STAFD, DCCM("zeroconf-connections-persistence", "3 days 5 hours"),
	  F(zeroconf_persistence_sec), K_I64, 277200 },
	{ STAFD, DCCM("zeroconf-connections-persistence", "1:30"), F(zeroconf_persistence_sec),
	  K_I64, 90 },
	{ STAFD, DCCM("zeroconf-connections-persistence", "-1"), F(zeroconf_persistence_sec), K_I64,
	  -1 },
	{ STAFD, DCCM("zeroconf-connections-persistence", "-5 min"), F(zeroconf_persistence_sec),
	  K_I64, -1 },
	{ STAFD, DCCM("zeroconf-connections-persistence", "0"), F(zeroconf_persistence_sec), K_I64,
	  0 },
	{ STAFD, DCCM("zeroconf-connections-persistence", "soon"), F(zeroconf_persistence_sec),
	  K_I64, 259200, LOG_ERR, "not a time span" },
	{ STAFD, DCCM("zeroconf-connections-persistence", "100000 days"),
	  F(zeroconf_persistence_sec), K_I64, 259200, LOG_ERR, "longer than 2147483647 seconds" },
	{ STACD, IOC("disconnect-scope", "no-disconnect"), F(disconnect_scope), K_UINT,
	  CONF_DISCONNECT_NONE },
	{ STACD, IOC("disconnect-scope", "all-connections-matching-disconnect-trtypes"),
	  F(disconnect_scope), K_UINT, CONF_DISCONNECT_ALL_MATCHING },
	{ STACD, IOC("disconnect-scope", "only-stas-connections"), F(disconnect_scope), K_UINT,
	  CONF_DISCONNECT_ONLY_STAS },
	{ STACD, IOC("disconnect-scope", "none"), F(disconnect_scope), K_UINT,
	  CONF_DISCONNECT_ONLY_STAS, LOG_ERR, "using the default (only-stas-connections)" },
	{ STACD, IOC("disconnect-trtypes", "tcp+rdma"), F(disconnect_trtypes), K_UINT,
	  CONF_TRTYPE_TCP | CONF_TRTYPE_RDMA },
	{ STACD, IOC("disconnect-trtypes", "fc"), F(disconnect_trtypes), K_UINT, CONF_TRTYPE_FC },
	{ STACD, IOC("disconnect-trtypes", "tcp+loop+fc"), F(disconnect_trtypes), K_UINT,
	  CONF_TRTYPE_TCP | CONF_TRTYPE_FC, LOG_WARNING,
	  "disconnect-trtypes: 'loop' is not tcp, rdma or fc; dropped" },
	{ STACD, IOC("disconnect-trtypes", "TCP"), F(disconnect_trtypes), K_UINT, CONF_TRTYPE_TCP,
	  LOG_ERR, "no valid transport type left; using the default (tcp)", 2 },
	{ STACD, IOC("connect-attempts-on-ncc", "0"), F(connect_attempts_on_ncc), K_INT, 0 },
	{ STACD, IOC("connect-attempts-on-ncc", "5"), F(connect_attempts_on_ncc), K_INT, 5 },
	{ STACD, IOC("connect-attempts-on-ncc", "1"), F(connect_attempts_on_ncc), K_INT, 2,
	  LOG_WARNING, "at least 2 attempts are needed; using 2" },
	{ STACD, IOC("connect-attempts-on-ncc", "-1"), F(connect_attempts_on_ncc), K_INT, 0,
	  LOG_ERR, "must be 0 (never give up) or at least 2" },
	/* legacy options: accepted, with what replaced them */
	{ STAFD, G("persistent-connections", "false"), F(persistent_connections), K_BOOL, 1,
	  LOG_WARNING, "moved to [Discovery controller connection management] in nvme-stas 2.1" },
	{ STACD, G("sticky-connections", "enabled"), F(disconnect_scope), K_UINT,
	  CONF_DISCONNECT_ONLY_STAS, LOG_WARNING,
	  "replaced in nvme-stas 2.0 by disconnect-scope and disconnect-trtypes" },
	{ STACD, G("udev-rule", "disabled"), F(tron), K_BOOL, 0, LOG_WARNING,
	  "deprecated in nvme-stas 2.1.3" },
	{ STAFD, G("duplicate-connect", "true"), F(tron), K_BOOL, 0, LOG_WARNING,
	  "no longer used" },
};

START_TEST(test_rows)
{
	const struct row *r = &rows[_i];
	_cleanup_(conf_freep) struct stas_conf *c = load(r->d, r->text);
	const char *field = (const char *)c + r->off;
	int64_t got = 0;

	switch (r->kind) {
	case K_BOOL:
		got = *(const bool *)field;
		break;
	case K_UINT:
		got = *(const unsigned *)field;
		break;
	case K_INT:
		got = *(const int *)field;
		break;
	case K_I64:
		got = *(const int64_t *)field;
		break;
	case K_OPT:
		got = ((const struct conf_opt *)field)->set
			      ? ((const struct conf_opt *)field)->value
			      : UNSET;
		break;
	}
	ck_assert_msg(got == r->want, "row %d '%s': got %lld, want %lld", _i, r->text,
		      (long long)got, (long long)r->want);
	if (!r->level) {
		assert_no_diags(&c->diags);
		return;
	}
	assert_diag(&c->diags, 2, r->level, r->diag);
	ck_assert_uint_eq(c->diags.n, r->ndiag ? r->ndiag : 1);
}
END_TEST

START_TEST(test_defaults_stafd)
{
	_cleanup_(conf_freep) struct stas_conf *c = load(STAS_STAFD, "");

	assert_no_diags(&c->diags);
	ck_assert_int_eq(c->daemon, STAS_STAFD);
	ck_assert(!c->tron && !c->ignore_iface && c->pleo && c->zeroconf);
	ck_assert_uint_eq(c->ip_family, TID_IPV4 | TID_IPV6);
	ck_assert(c->global.v[CONF_KATO].set);
	ck_assert_int_eq(c->global.v[CONF_KATO].value, 30);
	for (int t = 0; t < CONF_N_TUNABLES; t++)
		ck_assert(t == CONF_KATO || !c->global.v[t].set);
	ck_assert(c->persistent_connections);
	ck_assert_int_eq(c->zeroconf_persistence_sec, 72 * 3600);
	ck_assert_uint_eq(c->controllers.n, 0);
	ck_assert_uint_eq(c->excludes.n, 0);
}
END_TEST

START_TEST(test_defaults_stacd)
{
	_cleanup_(conf_freep) struct stas_conf *c = load(STAS_STACD, "[Global]\n");

	assert_no_diags(&c->diags);
	ck_assert_int_eq(c->daemon, STAS_STACD);
	ck_assert(!c->tron && !c->ignore_iface);
	ck_assert_uint_eq(c->ip_family, TID_IPV4 | TID_IPV6);
	for (int t = 0; t < CONF_N_TUNABLES; t++)
		ck_assert(!c->global.v[t].set); /* kato too: "let the driver decide" */
	ck_assert_int_eq(c->disconnect_scope, CONF_DISCONNECT_ONLY_STAS);
	ck_assert_uint_eq(c->disconnect_trtypes, CONF_TRTYPE_TCP);
	ck_assert_int_eq(c->connect_attempts_on_ncc, 0);
}
END_TEST

START_TEST(test_blacklist)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		load(STAS_STAFD, "[Controllers]\nexclude = traddr=192.0.2.1\n"
				 "blacklist = transport=tcp;traddr=192.0.2.9\n");

	assert_diag(&c->diags, 3, LOG_WARNING, "replaced by exclude= in nvme-stas 2.0");
	ck_assert_uint_eq(c->excludes.n, 2);
	ck_assert_str_eq(c->excludes.v[1].tid.traddr, "192.0.2.9");
}
END_TEST

START_TEST(test_tunables_merge)
{
	struct conf_tunables g = { 0 }, e = { 0 }, out;

	g.v[CONF_KATO] = (struct conf_opt){ true, 30 };
	g.v[CONF_HDR_DIGEST] = (struct conf_opt){ true, 1 };
	e.v[CONF_KATO] = (struct conf_opt){ true, 5 };
	e.v[CONF_QUEUE_SIZE] = (struct conf_opt){ true, 64 };
	conf_tunables_merge(&g, &e, &out);
	ck_assert_int_eq(out.v[CONF_KATO].value, 5);
	ck_assert(out.v[CONF_HDR_DIGEST].set && out.v[CONF_HDR_DIGEST].value == 1);
	ck_assert_int_eq(out.v[CONF_QUEUE_SIZE].value, 64);
	ck_assert(!out.v[CONF_CTRL_LOSS_TMO].set);
	conf_tunables_merge(&g, NULL, &out);
	ck_assert_int_eq(out.v[CONF_KATO].value, 30);
	ck_assert_str_eq(conf_tunable_name(CONF_NR_POLL_QUEUES), "nr-poll-queues");
	ck_assert_ptr_null(conf_tunable_name(CONF_N_TUNABLES));
}
END_TEST

static Suite *conf_values_suite(void)
{
	Suite *s = suite_create("conf values");
	TCase *tc = tcase_create("keys");

	tcase_add_loop_test(tc, test_rows, 0, ARRAY_SIZE(rows));
	tcase_add_test(tc, test_defaults_stafd);
	tcase_add_test(tc, test_defaults_stacd);
	tcase_add_test(tc, test_blacklist);
	tcase_add_test(tc, test_tunables_merge);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(conf_values_suite)
