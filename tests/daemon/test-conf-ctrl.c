// SPDX-License-Identifier: Apache-2.0
/*
 * controller= and exclude= values: item splitting, keys, validation with
 * file:line, duplicates, exclusion matching and the reload diff.
 */
#include <check.h>
#include <string.h>

#include "check-main.h"
#include "test-util.h"

#define NQN_A	"nqn.2014-08.org.example:a"
#define NQN_B	"nqn.2014-08.org.example:b"
#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:2b0a5c3e-5c09-4c1e-9b8e-3f1f1f1f1f1f"

static struct stas_conf *ctrls(enum stas_daemon d, const char *lines)
{
	char *text = NULL;
	struct stas_conf *c;

	ck_assert_int_ge(asprintf(&text, "[Controllers]\n%s", lines), 0);
	c = load(d, text);
	free(text);
	return c;
}

START_TEST(test_all_keys)
{
	_cleanup_(conf_freep) struct stas_conf *c = ctrls(
		STAS_STACD,
		"controller = transport=tcp;traddr=192.0.2.1;trsvcid=4420;nqn=" NQN_A
		";host-traddr=192.0.2.200;host-iface=eth0;host-nqn=" HOSTNQN
		";dhchap-secret=DHHC-1:00:abc=:;dhchap-ctrl-secret=DHHC-1:01:def==:"
		";hdr-digest=true;data-digest=false;kato=20;reconnect-delay=3;ctrl-loss-tmo=-1"
		";disable-sqflow=true;nr-io-queues=4;nr-write-queues=2;nr-poll-queues=1"
		";queue-size=256\n");
	const struct conf_ctrl *e;

	assert_no_diags(&c->diags);
	ck_assert_uint_eq(c->controllers.n, 1);
	e = &c->controllers.v[0];
	ck_assert_str_eq(e->tid.transport, "tcp");
	ck_assert_str_eq(e->tid.traddr, "192.0.2.1");
	ck_assert_str_eq(e->tid.trsvcid, "4420");
	ck_assert_str_eq(e->tid.subsysnqn, NQN_A);
	ck_assert_str_eq(e->tid.host_traddr, "192.0.2.200");
	ck_assert_str_eq(e->tid.host_iface, "eth0");
	ck_assert_str_eq(e->tid.host_nqn, HOSTNQN);
	ck_assert_uint_eq(e->fields, (1u << TID_N_FIELDS) - 1);
	ck_assert_str_eq(e->dhchap_secret, "DHHC-1:00:abc=:");
	ck_assert_str_eq(e->dhchap_ctrl_secret, "DHHC-1:01:def==:");
	for (int t = 0; t < CONF_N_TUNABLES; t++)
		ck_assert_msg(e->tun.v[t].set, "%s", conf_tunable_name(t));
	ck_assert_int_eq(e->tun.v[CONF_HDR_DIGEST].value, 1);
	ck_assert_int_eq(e->tun.v[CONF_DATA_DIGEST].value, 0);
	ck_assert_int_eq(e->tun.v[CONF_KATO].value, 20);
	ck_assert_int_eq(e->tun.v[CONF_CTRL_LOSS_TMO].value, -1);
	ck_assert_int_eq(e->tun.v[CONF_QUEUE_SIZE].value, 256);
}
END_TEST

/* Each item is split on its first '=', blanks around items and '=' do not matter. */
START_TEST(test_splitting)
{
	_cleanup_(conf_freep) struct stas_conf *c = ctrls(
		STAS_STAFD, "controller =  transport = tcp ;; traddr=  192.0.2.1 ;"
			    " dhchap-secret = DHHC-1:02:a+b/c==: ; \n"
			    "controller = Transport=tcp;TRADDR=192.0.2.2;subsysnqn=" NQN_B "\n");

	assert_no_diags(&c->diags);
	ck_assert_uint_eq(c->controllers.n, 2);
	ck_assert_str_eq(c->controllers.v[0].tid.transport, "tcp");
	ck_assert_str_eq(c->controllers.v[0].tid.traddr, "192.0.2.1");
	ck_assert_str_eq(c->controllers.v[0].dhchap_secret, "DHHC-1:02:a+b/c==:");
	ck_assert_str_eq(c->controllers.v[1].tid.traddr, "192.0.2.2");
	ck_assert_str_eq(c->controllers.v[1].tid.subsysnqn, NQN_B);
}
END_TEST

START_TEST(test_item_problems)
{
	_cleanup_(conf_freep) struct stas_conf *c = ctrls(
		STAS_STAFD,
		"controller = transport=tcp;traddr=192.0.2.1;colour=blue;trsvcid\n"	/* 2 */
		"controller = transport=tcp;traddr=192.0.2.2;traddr=192.0.2.3;kato=\n"	/* 3 */
		"controller = transport=tcp;traddr=192.0.2.4;kato=-3;nr-io-queues=2\n"	/* 4 */
		"controller = transport=tcp;traddr=192.0.2.5;dhchap-secret=secret!\n"); /* 5 */

	assert_diag(&c->diags, 2, LOG_WARNING,
		    "[Controllers] controller: unknown key 'colour'; "
		    "ignored");
	assert_diag(&c->diags, 2, LOG_ERR, "controller: 'trsvcid' is not key=value; ignored");
	assert_diag(&c->diags, 3, LOG_WARNING, "traddr given twice; the last one is used");
	assert_diag(&c->diags, 3, LOG_WARNING, "kato has an empty value; ignored");
	assert_diag(&c->diags, 4, LOG_ERR,
		    "kato=-3: out of range (0..4294967); ignored (the "
		    "[Global] value applies)");
	assert_diag(&c->diags, 4, LOG_WARNING, "nr-io-queues is not used by stafd; ignored");
	assert_diag(&c->diags, 5, LOG_ERR,
		    "dhchap-secret does not start with 'DHHC-1:'; the secret is ignored");
	ck_assert_ptr_null(conf_diags_find(&c->diags, "secret!"));
	ck_assert_uint_eq(c->diags.n, 7);
	/* all four entries are still used, without the refused items */
	ck_assert_uint_eq(c->controllers.n, 4);
	ck_assert_str_eq(c->controllers.v[1].tid.traddr, "192.0.2.3");
	ck_assert(!c->controllers.v[2].tun.v[CONF_KATO].set);
	ck_assert(!c->controllers.v[2].tun.v[CONF_NR_IO_QUEUES].set);
	ck_assert_str_eq(c->controllers.v[3].dhchap_secret, "");
}
END_TEST

struct bad_entry {
	enum stas_daemon d;
	const char *value;
	const char *diag;
};

static const struct bad_entry bad_entries[] = {
	{ STAS_STAFD, "traddr=192.0.2.1", "controller: no transport=; entry ignored" },
	{ STAS_STAFD, "transport=TCP;traddr=192.0.2.1",
	  "transport 'TCP' is not tcp, rdma, fc or loop; entry ignored" },
	{ STAS_STAFD, "transport=tcp", "no traddr=; entry ignored" },
	{ STAS_STACD, "transport=tcp;traddr=192.0.2.1",
	  "stacd needs nqn= in every controller= entry; entry ignored" },
	{ STAS_STAFD, "transport=tcp;traddr=192.0.2.1;trsvcid=http",
	  "trsvcid 'http' is not a port number (1..65535); entry ignored" },
	{ STAS_STAFD, "transport=tcp;traddr=192.0.2.1;trsvcid=65536", "not a port number" },
	{ STAS_STAFD, "transport=tcp;traddr=192.0.2.1;trsvcid=+80", "not a port number" },
	{ STAS_STACD, "transport=tcp;traddr=192.0.2.1;nqn=test\x01nqn",
	  "subsysnqn has byte 0x01 at offset 4 (not printable); entry ignored" },
	{ STAS_STACD, "transport=tcp;traddr=192.0.2.1;nqn=" NQN_A ";host-nqn=nqn.has space",
	  "host-nqn has byte 0x20 at offset 7 (not printable); entry ignored" },
	{ STAS_STAFD, "transport=tcp;traddr=192.0.2.1;host-iface=a-very-long-interface-name",
	  "the host-iface value is 26 bytes long, at most 15 accepted; entry ignored" },
};

START_TEST(test_bad_entries)
{
	const struct bad_entry *b = &bad_entries[_i];
	char line[512];
	_cleanup_(conf_freep) struct stas_conf *c = NULL;

	snprintf(line, sizeof(line), "controller = %s\n", b->value);
	c = ctrls(b->d, line);
	assert_diag(&c->diags, 2, LOG_ERR, b->diag);
	ck_assert_uint_eq(c->diags.n_errors, 1);
	ck_assert_uint_eq(c->controllers.n, 0);
}
END_TEST

/* Kept, with one warning: an NQN needs no "nqn." prefix (nvme-stas and the kernel take any). */
struct warned_entry {
	enum stas_daemon d;
	const char *value;
	const char *diag;
	enum tid_field field;
	const char *want;
};

static const struct warned_entry warned_entries[] = {
	{ STAS_STACD, "transport=tcp;traddr=192.0.2.1;nqn=testnqn",
	  "controller: subsysnqn 'testnqn' does not start with 'nqn.'; used as written",
	  TID_SUBSYSNQN, "testnqn" },
	{ STAS_STAFD, "transport=tcp;traddr=192.0.2.1;nqn=iqn.2001-04.com.example",
	  "subsysnqn 'iqn.2001-04.com.example' does not start with 'nqn.'", TID_SUBSYSNQN,
	  "iqn.2001-04.com.example" },
	{ STAS_STACD, "transport=tcp;traddr=192.0.2.1;nqn=" NQN_A ";host-nqn=host-1",
	  "host-nqn 'host-1' does not start with 'nqn.'; used as written", TID_HOST_NQN, "host-1" },
};

START_TEST(test_warned_entries)
{
	const struct warned_entry *w = &warned_entries[_i];
	char line[512];
	_cleanup_(conf_freep) struct stas_conf *c = NULL;

	snprintf(line, sizeof(line), "controller = %s\n", w->value);
	c = ctrls(w->d, line);
	assert_diag(&c->diags, 2, LOG_WARNING, w->diag);
	ck_assert_uint_eq(c->diags.n, 1);
	ck_assert_uint_eq(c->controllers.n, 1);
	ck_assert_str_eq(tid_get(&c->controllers.v[0].tid, w->field), w->want);
}
END_TEST

START_TEST(test_fc_port_ignored)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		ctrls(STAS_STAFD, "controller = transport=fc;traddr=nn-0x204600a098cbcac6:pn-"
				  "0x204700a098cbcac6;trsvcid=4420\n");

	assert_diag(&c->diags, 2, LOG_WARNING, "trsvcid is not used with fc; ignored");
	ck_assert_uint_eq(c->controllers.n, 1);
	ck_assert_str_eq(c->controllers.v[0].tid.trsvcid, "");
}
END_TEST

/* nvme-stas keys controllers by TID: a repeat (after defaults) replaces the earlier entry. */
START_TEST(test_duplicates)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		ctrls(STAS_STAFD, "controller = transport=tcp;traddr=192.0.2.1;kato=5\n"
				  "controller = transport=tcp;traddr=192.0.2.2\n"
				  "controller = transport=tcp;traddr=192.0.2.1;trsvcid=8009;kato=7;"
				  "nqn=nqn.2014-08.org.nvmexpress.discovery\n");

	assert_diag(&c->diags, 4, LOG_WARNING, "same controller as line 2; this entry replaces it");
	ck_assert_uint_eq(c->controllers.n, 2);
	ck_assert_str_eq(c->controllers.v[0].tid.traddr, "192.0.2.2");
	ck_assert_int_eq(c->controllers.v[1].tun.v[CONF_KATO].value, 7);
	ck_assert_uint_eq(c->controllers.v[1].line, 4);
}
END_TEST

START_TEST(test_excludes)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		ctrls(STAS_STAFD, "exclude = host-iface=enp0s8\n"			     /* 2 */
				  "exclude = transport=tcp;traddr=192.0.2.1;host-traddr=x\n" /* 3 */
				  "exclude = nqn=" NQN_A ";kato=5\n"			     /* 4 */
				  "exclude = traddr=192.0.2.7;trsvcid\n"		     /* 5 */
				  "exclude = colour=blue\n"				     /* 6 */
				  "exclude =\n"						     /* 7 */
				  "exclude = trsvcid=8009\n");				     /* 8 */

	assert_diag(&c->diags, 3, LOG_WARNING, "host-traddr is not matched by exclude=");
	assert_diag(&c->diags, 4, LOG_ERR,
		    "exclude: kato is not part of a controller's identity; "
		    "entry ignored");
	assert_diag(&c->diags, 5, LOG_ERR, "'trsvcid' is not key=value; entry ignored");
	assert_diag(&c->diags, 6, LOG_ERR, "unknown key 'colour'; entry ignored");
	assert_diag(&c->diags, 7, LOG_ERR, "names no field, so it would exclude every controller");
	ck_assert_uint_eq(c->excludes.n, 3);
	ck_assert_uint_eq(c->excludes.v[0].fields, TID_BIT(TID_HOST_IFACE));
	ck_assert_uint_eq(c->excludes.v[1].fields, TID_BIT(TID_TRANSPORT) | TID_BIT(TID_TRADDR));
	ck_assert_uint_eq(c->excludes.v[2].line, 8);
}
END_TEST

static void tid_of(const char *transport, const char *traddr, const char *iface, struct tid *t)
{
	struct tid_defaults d = { .discovery = true };

	memset(t, 0, sizeof(*t));
	tid_set(t, TID_TRANSPORT, transport);
	tid_set(t, TID_TRADDR, traddr);
	tid_set(t, TID_HOST_IFACE, iface);
	tid_apply_defaults(t, &d);
}

START_TEST(test_excluded)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		ctrls(STAS_STAFD, "exclude = host-iface=enp0s8\n"
				  "exclude = transport=tcp;traddr=192.0.2.1;trsvcid=8009\n");
	struct tid t;

	tid_of("tcp", "192.0.2.1", "", &t); /* trsvcid 8009 by default: matches entry 2 */
	ck_assert(conf_excluded(c, &t));
	tid_of("rdma", "192.0.2.1", "", &t); /* port 4420 and another transport */
	ck_assert(!conf_excluded(c, &t));
	tid_of("tcp", "192.0.2.2", "enp0s8", &t);
	ck_assert(conf_excluded(c, &t));
	tid_of("tcp", "192.0.2.2", "enp0s9", &t);
	ck_assert(!conf_excluded(c, &t));
}
END_TEST

START_TEST(test_ctrl_tid)
{
	_cleanup_(conf_freep) struct stas_conf *f =
		load(STAS_STAFD, "[Global]\nignore-iface=true\n[Controllers]\n"
				 "controller = transport=tcp;traddr=192.0.2.1;host-iface=eth0\n");
	_cleanup_(conf_freep) struct stas_conf *s =
		ctrls(STAS_STACD, "controller = transport=rdma;traddr=192.0.2.1;nqn=" NQN_A "\n");
	struct tid t;

	conf_ctrl_tid(f, &f->controllers.v[0], HOSTNQN, &t);
	ck_assert_str_eq(t.trsvcid, "8009");
	ck_assert_str_eq(t.subsysnqn, "nqn.2014-08.org.nvmexpress.discovery");
	ck_assert_str_eq(t.host_iface, "");
	ck_assert_str_eq(t.host_nqn, HOSTNQN);
	conf_ctrl_tid(s, &s->controllers.v[0], NULL, &t);
	ck_assert_str_eq(t.trsvcid, "4420");
	ck_assert_str_eq(t.subsysnqn, NQN_A);
	ck_assert_str_eq(t.host_nqn, "");
}
END_TEST

struct seen {
	char what[8][16];
	char traddr[8][256];
	int n;
};

static const char *const change_names[] = { "added", "removed", "changed", "unchanged" };

static void record(enum conf_change what, const struct conf_ctrl *o, const struct conf_ctrl *n,
		   void *userdata)
{
	struct seen *s = userdata;

	ck_assert_int_lt(s->n, 8);
	ck_assert(what == CONF_CTRL_ADDED ? !o && n : what == CONF_CTRL_REMOVED ? o && !n : o && n);
	snprintf(s->what[s->n], sizeof(s->what[0]), "%s", change_names[what]);
	snprintf(s->traddr[s->n], sizeof(s->traddr[0]), "%s", (n ? n : o)->tid.traddr);
	s->n++;
}

START_TEST(test_diff)
{
	_cleanup_(conf_freep) struct stas_conf *old_conf =
		ctrls(STAS_STAFD, "controller = transport=tcp;traddr=192.0.2.1\n"
				  "controller = transport=tcp;traddr=192.0.2.2;kato=10\n"
				  "controller = transport=tcp;traddr=192.0.2.3\n");
	_cleanup_(conf_freep) struct stas_conf *new_conf =
		ctrls(STAS_STAFD, "controller = transport=tcp;traddr=192.0.2.2;kato=20\n"
				  "controller = transport=tcp;traddr=192.0.2.1;trsvcid=8009\n"
				  "controller = transport=tcp;traddr=192.0.2.4\n");
	struct seen s = { 0 };

	ck_assert_int_eq(conf_ctrls_diff(old_conf, new_conf, record, &s), 3);
	ck_assert_int_eq(s.n, 4);
	ck_assert_str_eq(s.what[0], "changed");
	ck_assert_str_eq(s.traddr[0], "192.0.2.2");
	ck_assert_str_eq(s.what[1], "unchanged");
	ck_assert_str_eq(s.traddr[1], "192.0.2.1");
	ck_assert_str_eq(s.what[2], "added");
	ck_assert_str_eq(s.traddr[2], "192.0.2.4");
	ck_assert_str_eq(s.what[3], "removed");
	ck_assert_str_eq(s.traddr[3], "192.0.2.3");

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(conf_ctrls_diff(NULL, new_conf, record, &s), 3);
	ck_assert_str_eq(s.what[2], "added");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(conf_ctrls_diff(new_conf, new_conf, record, &s), 0);
}
END_TEST

START_TEST(test_limit)
{
	size_t size = (CONF_CTRL_MAX + 2) * 64;
	char *text = malloc(size), *p = text;
	struct stas_conf *c;

	p += sprintf(p, "[Controllers]\n");
	for (int i = 0; i <= CONF_CTRL_MAX; i++)
		p += sprintf(p, "controller = transport=tcp;traddr=10.0.%d.%d\n", i / 256, i % 256);
	c = load(STAS_STAFD, text);
	ck_assert_uint_eq(c->controllers.n, CONF_CTRL_MAX);
	assert_diag(&c->diags, CONF_CTRL_MAX + 2, LOG_ERR, "more than 1024 entries; ignored");
	conf_free(c);
	free(text);
}
END_TEST

static Suite *conf_ctrl_suite(void)
{
	Suite *s = suite_create("conf controller= and exclude=");
	TCase *tc = tcase_create("entries");

	tcase_add_test(tc, test_all_keys);
	tcase_add_test(tc, test_splitting);
	tcase_add_test(tc, test_item_problems);
	tcase_add_loop_test(tc, test_bad_entries, 0, ARRAY_SIZE(bad_entries));
	tcase_add_loop_test(tc, test_warned_entries, 0, ARRAY_SIZE(warned_entries));
	tcase_add_test(tc, test_fc_port_ignored);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_excludes);
	tcase_add_test(tc, test_excluded);
	tcase_add_test(tc, test_ctrl_tid);
	tcase_add_test(tc, test_diff);
	tcase_add_test(tc, test_limit);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(conf_ctrl_suite)
