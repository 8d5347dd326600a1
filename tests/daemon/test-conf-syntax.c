// SPDX-License-Identifier: Apache-2.0
/*
 * The file rules of stafd.conf/stacd.conf as our parser applies them
 * (doc/daemon-common.md): sections, key case, comments, continuation, long
 * lines, delimiters, diagnostics with file:line, and independence from how
 * the shared libinih was built.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <string.h>

#include "check-main.h"
#include "test-util.h"

#pragma weak ini_max_line
#pragma weak ini_allow_inline_comments

static const char *const full_stafd =
	"# stafd.conf as shipped, with values changed\n"
	"[Global]\n"
	"tron = true\n"
	"hdr-digest = true\n"
	"data-digest = false\n"
	"kato = 10\n"
	"queue-size = 64\n"
	"reconnect-delay = 5\n"
	"ctrl-loss-tmo = -1\n"
	"disable-sqflow = true\n"
	"ignore-iface = true\n"
	"ip-family = ipv6\n"
	"pleo = disabled\n"
	"\n"
	"[Service Discovery]\n"
	"zeroconf = disabled\n"
	"\n"
	"[Discovery controller connection management]\n"
	"persistent-connections = false\n"
	"zeroconf-connections-persistence = 1 day\n"
	"\n"
	"[Controllers]\n"
	"controller = transport=tcp;traddr=192.0.2.10;trsvcid=8009\n"
	"controller = transport=tcp;traddr=2001:db8::370:7334;host-iface=enp0s8\n"
	"exclude = host-iface=enp0s9\n";

START_TEST(test_full_file)
{
	_cleanup_(conf_freep) struct stas_conf *c = load(STAS_STAFD, full_stafd);

	assert_no_diags(&c->diags);
	ck_assert(c->tron);
	ck_assert(c->global.v[CONF_HDR_DIGEST].set && c->global.v[CONF_HDR_DIGEST].value == 1);
	ck_assert(c->global.v[CONF_DATA_DIGEST].set && c->global.v[CONF_DATA_DIGEST].value == 0);
	ck_assert_int_eq(c->global.v[CONF_KATO].value, 10);
	ck_assert_int_eq(c->global.v[CONF_QUEUE_SIZE].value, 64);
	ck_assert_int_eq(c->global.v[CONF_RECONNECT_DELAY].value, 5);
	ck_assert_int_eq(c->global.v[CONF_CTRL_LOSS_TMO].value, -1);
	ck_assert(c->global.v[CONF_DISABLE_SQFLOW].value);
	ck_assert(c->ignore_iface);
	ck_assert_uint_eq(c->ip_family, TID_IPV6);
	ck_assert(!c->pleo);
	ck_assert(!c->zeroconf);
	ck_assert(!c->persistent_connections);
	ck_assert_int_eq(c->zeroconf_persistence_sec, 86400);
	ck_assert_uint_eq(c->controllers.n, 2);
	ck_assert_str_eq(c->controllers.v[1].tid.traddr, "2001:db8::370:7334");
	ck_assert_uint_eq(c->controllers.v[1].line, 24);
	ck_assert_uint_eq(c->excludes.n, 1);
	ck_assert_str_eq(c->diags.path, "test.conf");
}
END_TEST

/* Section names are case-sensitive, key names are not (nvme-stas lower-cases them). */
START_TEST(test_case_rules)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		load(STAS_STAFD, "[Global]\nKATO = 11\nTron = TRUE\n[global]\nkato = 12\n");

	ck_assert_int_eq(c->global.v[CONF_KATO].value, 11);
	ck_assert(c->tron);
	assert_diag(&c->diags, 4, LOG_WARNING,
		    "unknown section [global] (section names are "
		    "case-sensitive: [Global])");
	ck_assert_uint_eq(c->diags.n, 1); /* the key inside is not reported again */
}
END_TEST

START_TEST(test_unknown_things)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		load(STAS_STAFD, "kato = 1\n[Global]\nfoo = 1\nzeroconf = disabled\n[Bogus]\n"
				 "kato = 2\n[Global]\n");

	assert_diag(&c->diags, 1, LOG_WARNING, "'kato' comes before any [section]; ignored");
	assert_diag(&c->diags, 3, LOG_WARNING, "[Global] unknown key 'foo'; ignored");
	assert_diag(&c->diags, 4, LOG_WARNING,
		    "[Global] zeroconf: this key belongs in [Service Discovery]; ignored");
	assert_diag(&c->diags, 5, LOG_WARNING, "unknown section [Bogus]; its keys are ignored");
	ck_assert_uint_eq(c->diags.n, 4);
	ck_assert_uint_eq(c->diags.n_warnings, 4);
	ck_assert_uint_eq(c->diags.n_errors, 0);
	ck_assert_int_eq(c->global.v[CONF_KATO].value, 30);
	ck_assert(c->zeroconf);
}
END_TEST

START_TEST(test_other_daemon_section)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		load(STAS_STACD, "[Service Discovery]\nzeroconf = disabled\n"
				 "[Discovery controller connection management]\n"
				 "persistent-connections = false\n");

	assert_diag(&c->diags, 1, LOG_WARNING, "[Service Discovery] is a stafd section");
	assert_diag(&c->diags, 3, LOG_WARNING, "is a stafd section; its keys are ignored");
	ck_assert_uint_eq(c->diags.n, 2);
}
END_TEST

/* Single-valued keys: the last occurrence wins, even when it is bad (then: the default). */
START_TEST(test_last_wins)
{
	_cleanup_(conf_freep) struct stas_conf *a =
		load(STAS_STAFD, "[Global]\nkato = 10\n[Service Discovery]\n[Global]\nkato = 20\n");
	_cleanup_(conf_freep) struct stas_conf *b =
		load(STAS_STAFD, "[Global]\nkato = 10\nkato = soon\n");

	assert_no_diags(&a->diags);
	ck_assert_int_eq(a->global.v[CONF_KATO].value, 20);
	ck_assert_int_eq(b->global.v[CONF_KATO].value, 30);
	assert_diag(&b->diags, 3, LOG_ERR,
		    "[Global] kato = 'soon': not an integer; using the default (30)");
}
END_TEST

START_TEST(test_comments)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		load(STAS_STAFD,
		     "# full line\n; full line too\n   # indented comment\n[Global] # header\n"
		     "kato = 12 # twelve\n"
		     "tron = true\t# tab before the hash\n"
		     "[Controllers]\n"
		     "controller = transport=tcp;traddr=192.0.2.1 # lab array\n"
		     "exclude = host-iface=eth#1\n"
		     "exclude = traddr= # nothing: the value is empty\n");

	ck_assert_int_eq(c->global.v[CONF_KATO].value, 12);
	ck_assert(c->tron);
	ck_assert_uint_eq(c->controllers.n, 1);
	ck_assert_str_eq(c->controllers.v[0].tid.traddr, "192.0.2.1");
	ck_assert_str_eq(c->excludes.v[0].tid.host_iface, "eth#1"); /* no blank before '#' */
	assert_diag(&c->diags, 10, LOG_WARNING, "traddr has an empty value");
	assert_diag(&c->diags, 10, LOG_ERR, "names no field");
	ck_assert_uint_eq(c->excludes.n, 1);
}
END_TEST

/* ';' never starts an inline comment: it separates controller= items, blanks or not. */
START_TEST(test_semicolon_is_data)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		load(STAS_STACD, "[Controllers]\ncontroller = transport=tcp ; traddr=192.0.2.1 ;"
				 "\ttrsvcid=4420 ;nqn=nqn.2014-08.org.example:a\n");

	assert_no_diags(&c->diags);
	ck_assert_uint_eq(c->controllers.n, 1);
	ck_assert_str_eq(c->controllers.v[0].tid.traddr, "192.0.2.1");
	ck_assert_str_eq(c->controllers.v[0].tid.trsvcid, "4420");
	ck_assert_str_eq(c->controllers.v[0].tid.subsysnqn, "nqn.2014-08.org.example:a");
}
END_TEST

/*
 * An indented line is another value of the key above (configparser joins the
 * lines with "\n", nvme-stas splits them again): for a single-valued key, a
 * repeat, so the last line wins.
 */
START_TEST(test_continuation)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		load(STAS_STACD, "[Global]\n"
				 "  kato = 7\n"		 /* 2: first key of a section: a key line */
				 "nr-io-queues = 1\n"	 /* 3 */
				 "   2\n"		 /* 4: another nr-io-queues: 2 */
				 "queue-size: 32\n"	 /* 5: rejected ... */
				 "   64\n"		 /* 6: ... and its indented line with it */
				 "reconnect-delay =\n"	 /* 7: empty: nothing is lost below */
				 "    5\n"		 /* 8 */
				 "ctrl-loss-tmo = 600\n" /* 9 */
				 "\n"			 /* 10: blank lines ... */
				 "    # comment\n"	 /* 11: ... and comments do not end it */
				 "    x\n"		 /* 12: the last one wins, even a bad one */
				 "[Controllers]\n"	 /* 13 */
				 "tron = true\n");	 /* 14 */

	ck_assert_int_eq(c->global.v[CONF_KATO].value, 7);
	ck_assert_int_eq(c->global.v[CONF_NR_IO_QUEUES].value, 2);
	ck_assert_int_eq(c->global.v[CONF_RECONNECT_DELAY].value, 5);
	ck_assert(!c->global.v[CONF_CTRL_LOSS_TMO].set);
	assert_diag(&c->diags, 4, LOG_WARNING,
		    "[Global] nr-io-queues: an indented line is another 'nr-io-queues =' (as in "
		    "nvme-stas); the value of line 3 is not used");
	assert_diag(&c->diags, 5, LOG_ERR, "only '=' separates a key from its value");
	assert_diag(&c->diags, 12, LOG_WARNING, "the value of line 9 is not used");
	assert_diag(&c->diags, 12, LOG_ERR, "ctrl-loss-tmo = 'x': not an integer");
	assert_diag(&c->diags, 14, LOG_WARNING, "[Controllers] tron: this key belongs in [Global]");
	ck_assert_uint_eq(c->diags.n, 5);
}
END_TEST

struct want_diag {
	unsigned line;
	int level;
	const char *needle;
};

/* controller= / exclude= values spread over indented lines: "[Controllers]" is line 1. */
struct cont_case {
	enum stas_daemon d;
	const char *text;
	const char *ctrls;    /* each entry as "line:field=value;...", blank-separated */
	const char *excludes; /* the same */
	struct want_diag diags[2];
	size_t n_diags;
	const char *secrets[2]; /* the first controller's, when given */
};

#define SECRET1                                                                                    \
	"DHHC-1:03:Cg8QDoF8XExb0dpxSVSiqUhbcnN2QmlvSdsMRU1pkUqbU+FmdfOKyyLW0zGdwFzl8+bPvaVs4l7h:"
#define SECRET2                                                                                    \
	"DHHC-1:02:JyUE1dzKt32ypmK3X6UBAM+aHsvuGKsztUuFEb5A2uTwS0qZyKhVvpfDvVVuGKqW9j+Ffg==:"

static const struct cont_case cont_cases[] = {
	/* each indented line is an entry of its own; "key =" alone opens the list */
	{ STAS_STAFD,
	  "controller =\n"
	  "    transport=tcp;traddr=192.0.2.1;trsvcid=8009\n"
	  "    transport=tcp;traddr=192.0.2.2;trsvcid=8009\n"
	  "exclude =\n"
	  "    traddr=192.0.2.9\n"
	  "    host-iface=eth9\n",
	  "3:transport=tcp;traddr=192.0.2.1;trsvcid=8009 "
	  "4:transport=tcp;traddr=192.0.2.2;trsvcid=8009",
	  "6:traddr=192.0.2.9 7:host-iface=eth9" },
	/* the key line's own value is the first entry */
	{ STAS_STAFD,
	  "controller = transport=tcp;traddr=192.0.2.1\n"
	  "\n"
	  "    # the second array\n"
	  "    transport=tcp;traddr=192.0.2.2   # lab\n"
	  "exclude = host-iface=eth8\n"
	  "\thost-iface=eth9\n",
	  "2:transport=tcp;traddr=192.0.2.1 5:transport=tcp;traddr=192.0.2.2",
	  "6:host-iface=eth8 7:host-iface=eth9" },
	/* one entry is not spread over lines (nvme-stas reads two entries here) */
	{ STAS_STAFD,
	  "controller = transport=tcp;\n"
	  "    traddr=192.0.2.1\n",
	  "",
	  "",
	  { { 2, LOG_ERR, "controller: no traddr=; entry ignored" },
	    { 3, LOG_ERR, "controller: no transport=; entry ignored" } },
	  2 },
	/* an indented line longer than inih's buffer: its pieces are glued as they are */
	{ STAS_STACD,
	  "controller =\n"
	  "    transport=tcp;traddr=192.0.2.1;nqn=nqn.2014-08.org.example:a;dhchap-secret=" SECRET1
	  ";dhchap-ctrl-secret=" SECRET2 ";trsvcid=4420\n"
	  "    transport=tcp;traddr=192.0.2.2;nqn=nqn.2014-08.org.example:a\n",
	  "3:transport=tcp;traddr=192.0.2.1;trsvcid=4420;subsysnqn=nqn.2014-08.org.example:a "
	  "4:transport=tcp;traddr=192.0.2.2;subsysnqn=nqn.2014-08.org.example:a",
	  "", .secrets = { SECRET1, SECRET2 } },
	/* "controller =" followed by a key line is still an empty entry */
	{ STAS_STAFD,
	  "controller =\n"
	  "controller = transport=tcp;traddr=192.0.2.1\n",
	  "3:transport=tcp;traddr=192.0.2.1",
	  "",
	  { { 2, LOG_ERR, "controller: no transport=; entry ignored" } },
	  1 },
	/* the legacy name: its note once per entry, none for the empty key line */
	{ STAS_STAFD,
	  "blacklist =\n"
	  "    traddr=192.0.2.9\n",
	  "",
	  "3:traddr=192.0.2.9",
	  { { 3, LOG_WARNING, "[Controllers] blacklist:" } },
	  1 },
	/* indented lines after a rejected key line go with it */
	{ STAS_STAFD,
	  "controller: transport=tcp;traddr=192.0.2.1\n"
	  "    transport=tcp;traddr=192.0.2.2\n",
	  "",
	  "",
	  { { 2, LOG_ERR, "only '=' separates a key from its value" } },
	  1 },
};

static void entries_text(const struct conf_ctrl_list *l, char *buf, size_t size)
{
	FILE *f;

	buf[0] = '\0'; /* fmemopen() writes no NUL when nothing is written */
	f = fmemopen(buf, size, "w");
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < l->n; i++) {
		const char *sep = "";

		fprintf(f, "%s%u:", i ? " " : "", l->v[i].line);
		for (int k = 0; k < TID_N_FIELDS; k++) {
			if (!(l->v[i].fields & TID_BIT(k)))
				continue;
			fprintf(f, "%s%s=%s", sep, tid_field_name(k), tid_get(&l->v[i].tid, k));
			sep = ";";
		}
	}
	ck_assert_int_eq(fclose(f), 0);
}

static void check_cont_case(const struct cont_case *k)
{
	char *text = NULL, got[1024];
	struct stas_conf *c;

	ck_assert_int_ge(asprintf(&text, "[Controllers]\n%s", k->text), 0);
	c = load(k->d, text);
	entries_text(&c->controllers, got, sizeof(got));
	ck_assert_str_eq(got, k->ctrls);
	entries_text(&c->excludes, got, sizeof(got));
	ck_assert_str_eq(got, k->excludes);
	for (size_t i = 0; i < k->n_diags; i++)
		assert_diag(&c->diags, k->diags[i].line, k->diags[i].level, k->diags[i].needle);
	if (c->diags.n != k->n_diags)
		dump_diags(&c->diags);
	ck_assert_uint_eq(c->diags.n, k->n_diags);
	if (k->secrets[0]) {
		ck_assert_str_eq(c->controllers.v[0].dhchap_secret, k->secrets[0]);
		ck_assert_str_eq(c->controllers.v[0].dhchap_ctrl_secret, k->secrets[1]);
	}
	conf_free(c);
	free(text);
}

/* Also with a 48-byte inih buffer, where the indented lines come in pieces too. */
START_TEST(test_continued_entries)
{
	check_cont_case(&cont_cases[_i]);
	if (!&ini_max_line)
		return; /* the knob exists only in Debian's build */
	ini_max_line = 48;
	check_cont_case(&cont_cases[_i]);
	ini_max_line = 200;
}
END_TEST

static char *long_controller_line(void)
{
	char *text = NULL;

	ck_assert_int_ge(
		asprintf(&text,
			 "[Controllers]\n"
			 "controller = transport=tcp;traddr=2001:db8:ffff:ffff:ffff:ffff:ffff:2;"
			 "trsvcid=4420;nqn=nqn.2014-08.org.example:storage-array-0001:subsystem-"
			 "with-a-long-name;host-nqn=nqn.2014-08.org.nvmexpress:uuid:"
			 "2b0a5c3e-5c09-4c1e-9b8e-3f1f1f1f1f1f;"
			 "dhchap-secret=%s;  dhchap-ctrl-secret  =  %s  ;kato=15\n"
			 "exclude = traddr=192.0.2.99\n",
			 SECRET1, SECRET2),
		0);
	ck_assert_int_gt(strlen(text), 400); /* Debian's inih takes 199 bytes a line */
	return text;
}

static void check_long_controller(const struct stas_conf *c)
{
	const struct conf_ctrl *e;

	assert_no_diags(&c->diags);
	ck_assert_uint_eq(c->controllers.n, 1);
	e = &c->controllers.v[0];
	ck_assert_str_eq(e->tid.traddr, "2001:db8:ffff:ffff:ffff:ffff:ffff:2");
	ck_assert_str_eq(e->tid.subsysnqn,
			 "nqn.2014-08.org.example:storage-array-0001:subsystem-with-a-long-name");
	ck_assert_str_eq(e->tid.host_nqn,
			 "nqn.2014-08.org.nvmexpress:uuid:2b0a5c3e-5c09-4c1e-9b8e-3f1f1f1f1f1f");
	ck_assert_str_eq(e->dhchap_secret, SECRET1);
	ck_assert_str_eq(e->dhchap_ctrl_secret, SECRET2); /* the trailing "==:" survives */
	ck_assert_int_eq(e->tun.v[CONF_KATO].value, 15);
	ck_assert_uint_eq(c->excludes.n, 1);
	ck_assert_uint_eq(c->excludes.v[0].line, 3);
}

/* Far longer than Debian's 200-byte inih line buffer: carried in pieces, glued back. */
START_TEST(test_long_line)
{
	_cleanup_free_ char *text = long_controller_line();
	_cleanup_(conf_freep) struct stas_conf *c = load(STAS_STACD, text);

	check_long_controller(c);
}
END_TEST

/* The same result whatever the library's line buffer and inline-comment setting. */
START_TEST(test_independent_of_inih_build)
{
	_cleanup_free_ char *text = long_controller_line();

	if (!&ini_max_line)
		return;	   /* these knobs exist only in Debian's build */
	ini_max_line = 48; /* the longest key, zeroconf-connections-persistence=, needs 34 */
	ini_allow_inline_comments = false;
	{
		_cleanup_(conf_freep) struct stas_conf *c = load(STAS_STACD, text);

		check_long_controller(c);
	}
	{
		_cleanup_(conf_freep) struct stas_conf *c = load(STAS_STAFD, full_stafd);

		assert_no_diags(&c->diags);
		ck_assert_uint_eq(c->controllers.n, 2);
	}
	ini_max_line = 200;
	ini_allow_inline_comments = true;
}
END_TEST

START_TEST(test_too_long_line)
{
	size_t n = 70000;
	char *text = malloc(n + 64);
	struct stas_conf *c;

	strcpy(text, "[Global]\nkato = ");
	memset(text + strlen(text), '1', n);
	strcpy(text + 16 + n, "\nkato = 9\n");
	c = load(STAS_STAFD, text);
	assert_diag(&c->diags, 2, LOG_ERR, "line is 70007 bytes long, at most 65536 accepted");
	ck_assert_int_eq(c->global.v[CONF_KATO].value, 9);
	ck_assert_uint_eq(c->diags.n, 1);
	conf_free(c);
	free(text);
}
END_TEST

START_TEST(test_malformed_lines)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		load(STAS_STAFD, "[Global]\njunk\n= 5\nkato: 5\n[Controllers\nkato = 1\n"
				 "[Global] trailing\ntron = true\n");

	assert_diag(&c->diags, 2, LOG_ERR, "'junk' is not a 'key = value' line; ignored");
	assert_diag(&c->diags, 3, LOG_ERR, "'= 5' has no key before '='");
	assert_diag(&c->diags, 4, LOG_ERR, "'kato: 5': only '=' separates a key from its value");
	assert_diag(&c->diags, 5, LOG_ERR, "'[Controllers' has no closing ']'");
	assert_diag(&c->diags, 7, LOG_WARNING, "text after [Global] ignored");
	ck_assert_uint_eq(c->diags.n, 5);
	ck_assert_int_eq(c->global.v[CONF_KATO].value, 30);
	ck_assert(c->tron);
}
END_TEST

START_TEST(test_bom_crlf)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		load(STAS_STAFD, "\xef\xbb\xbf[Global]\r\nkato = 13\r\n\r\ntron = true\r\n");

	assert_no_diags(&c->diags);
	ck_assert_int_eq(c->global.v[CONF_KATO].value, 13);
	ck_assert(c->tron);
}
END_TEST

/* Diagnostics come out in line order even though a value is judged after later lines. */
START_TEST(test_diag_order)
{
	_cleanup_(conf_freep) struct stas_conf *c =
		load(STAS_STAFD, "[Global]\nkato = x\n[Nope]\n[Global]\nqueue-size = 4\n");

	ck_assert_uint_eq(c->diags.n, 3);
	ck_assert_uint_eq(c->diags.v[0].line, 2);
	ck_assert_uint_eq(c->diags.v[1].line, 3);
	ck_assert_uint_eq(c->diags.v[2].line, 5);
	assert_diag(&c->diags, 5, LOG_ERR,
		    "queue-size = '4': out of range (16..1024); using "
		    "the default (unset)");
}
END_TEST

START_TEST(test_files)
{
	char *dir = make_tmpdir(), path[256];
	struct stas_conf *c = NULL;
	FILE *f;

	/* absent: the defaults, and a notice */
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	ck_assert_int_eq(conf_load_file(STAS_STAFD, path, &c), 0);
	ck_assert_str_eq(c->diags.path, path);
	assert_diag(&c->diags, 0, LOG_NOTICE, "no such file; using the defaults");
	ck_assert_int_eq(c->global.v[CONF_KATO].value, 30);
	c = conf_free(c);

	/* a NUL byte in a line */
	snprintf(path, sizeof(path), "%s/nul.conf", dir);
	f = fopen(path, "we");
	fwrite("[Global]\nkato = 14\0junk\ntron = true\n", 1, 36, f);
	fclose(f);
	ck_assert_int_eq(conf_load_file(STAS_STAFD, path, &c), 0);
	assert_diag(&c->diags, 2, LOG_ERR, "line contains a NUL byte");
	ck_assert_int_eq(c->global.v[CONF_KATO].value, 14);
	ck_assert(c->tron);
	c = conf_free(c);

	/* exists but cannot be read as a file */
	ck_assert_int_lt(conf_load_file(STAS_STAFD, dir, &c), 0);
	ck_assert_ptr_null(c);
	remove_tree(dir);
}
END_TEST

START_TEST(test_diags_log)
{
	char *dir = make_tmpdir(), path[256], buf[512] = "";
	_cleanup_(conf_freep) struct stas_conf *c = load(STAS_STAFD, "[Global]\nfoo = 1\n");
	int fd, saved = dup(STDERR_FILENO);
	ssize_t n;

	snprintf(path, sizeof(path), "%s/err", dir);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0600);
	dup2(fd, STDERR_FILENO);
	log_open("test", LOG_TARGET_STDERR);
	conf_diags_log(&c->diags);
	dup2(saved, STDERR_FILENO);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf, "warning: test.conf:2: [Global] unknown key 'foo'; ignored\n");
	close(fd);
	close(saved);
	remove_tree(dir);
}
END_TEST

static Suite *conf_syntax_suite(void)
{
	Suite *s = suite_create("conf syntax");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, test_full_file);
	tcase_add_test(tc, test_case_rules);
	tcase_add_test(tc, test_unknown_things);
	tcase_add_test(tc, test_other_daemon_section);
	tcase_add_test(tc, test_last_wins);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_semicolon_is_data);
	tcase_add_test(tc, test_continuation);
	tcase_add_loop_test(tc, test_continued_entries, 0, ARRAY_SIZE(cont_cases));
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_independent_of_inih_build);
	tcase_add_test(tc, test_too_long_line);
	tcase_add_test(tc, test_malformed_lines);
	tcase_add_test(tc, test_bom_crlf);
	tcase_add_test(tc, test_diag_order);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_diags_log);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(conf_syntax_suite)
