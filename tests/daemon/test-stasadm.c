// SPDX-License-Identifier: Apache-2.0
/*
 * stasadm and its parts: SHA-256/HMAC against published vectors, the host
 * UUID as nvme-stas derives it (vectors computed with nvme-stas's algorithm:
 * Python's hmac over the machine ID, uuid version 4), the config editor, and
 * the stasadm program run on files in a temporary directory, read back with
 * the daemons' sys.conf reader.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-main.h"
#include "common/conf-edit.h"
#include "common/file-util.h"
#include "common/host-uuid.h"
#include "common/sha256.h"
#include "common/sys-conf.h"
#include "test-util.h"

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void check_sha(const void *msg, size_t len, const char *want)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char got[2 * SHA256_DIGEST_LEN + 1];
	struct sha256 s;

	sha256_init(&s);
	/* in uneven pieces, so blocks are filled across calls */
	for (size_t off = 0, step = 1; off < len; off += step, step = step * 3 + 1)
		sha256_update(&s, (const uint8_t *)msg + off, step < len - off ? step : len - off);
	sha256_final(&s, d);
	hex(d, sizeof(d), got);
	ck_assert_str_eq(got, want);
}

START_TEST(test_sha256_vectors)
{
	static char million[1000000];
	char x[65];

	/* FIPS 180-2 appendix B, and the padding edges at 55, 56 and 64 bytes */
	check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', sizeof(million));
	check_sha(million, sizeof(million),
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	memset(x, 'x', sizeof(x));
	check_sha(x, 55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072");
	check_sha(x, 56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e");
	check_sha(x, 64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
}
END_TEST

START_TEST(test_hmac_rfc4231)
{
	static const char *msg6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	uint8_t key[131], d[SHA256_DIGEST_LEN];
	char got[2 * SHA256_DIGEST_LEN + 1];

	memset(key, 0x0b, 20);
	hmac_sha256(key, 20, "Hi There", 8, d);
	hex(d, sizeof(d), got);
	ck_assert_str_eq(got, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	hex(d, sizeof(d), got);
	ck_assert_str_eq(got, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key)); /* a key longer than a block is hashed first */
	hmac_sha256(key, sizeof(key), msg6, strlen(msg6), d);
	hex(d, sizeof(d), got);
	ck_assert_str_eq(got, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}
END_TEST

START_TEST(test_uuid_like_nvme_stas)
{
	char u[STAS_UUID_STR_LEN];

	ck_assert_int_eq(host_uuid_from_machine_id("0123456789abcdef0123456789abcdef", u), 0);
	ck_assert_str_eq(u, "f2782346-4809-484a-9a8b-952a04b57ba4");
	ck_assert_int_eq(host_uuid_from_machine_id("D2E5AB34CF6E4F0DB1C2A9F0E8B7C6D5", u), 0);
	ck_assert_str_eq(u, "08991451-dbce-4829-a5a8-9b5ee85ca758");
	ck_assert_int_eq(host_uuid_from_machine_id("uninitialized\n", u), -EINVAL);
	ck_assert_int_eq(host_uuid_from_machine_id("0123456789abcdef0123456789abcdeg", u), -EINVAL);
	/* SMBIOS: the first three fields are little-endian on the wire */
	ck_assert_int_eq(host_uuid_from_smbios("4c4c4544-0051-3010-8052-b4c04f4e4d32", u), 0);
	ck_assert_str_eq(u, "44454c4c-5100-1030-8052-b4c04f4e4d32");
	ck_assert_int_eq(host_uuid_from_smbios("Not Settable", u), -EINVAL);
	for (int i = 0; i < 32; i++) {
		ck_assert_int_eq(host_uuid_random(u), 0);
		ck_assert_int_eq(u[14], '4');
		ck_assert_ptr_nonnull(strchr("89ab", u[19]));
	}
}
END_TEST

static char *dir;

static char *path_in(const char *name)
{
	char *p = NULL;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

START_TEST(test_uuid_sources_in_order)
{
	_cleanup_free_ char *mid = path_in("machine-id"), *prod = path_in("product_uuid"),
			    *part = path_in("partition-uuid");
	struct host_uuid_files files = { mid, prod, part };
	char u[STAS_UUID_STR_LEN];
	const char *src;

	if (geteuid() != 0) {
		/* without the machine ID, only root may go on (as in nvme-stas) */
		ck_assert_int_eq(host_uuid_derive(&files, u, &src), -EACCES);
		return;
	}
	write_file(part, "0e5c1a6e-29c4-4f5e-9d8a-3f1b2c4d5e6f\n");
	write_file(prod, "4c4c4544-0051-3010-8052-b4c04f4e4d32\n");
	write_file(mid, "0123456789abcdef0123456789abcdef\n");
	ck_assert_int_eq(host_uuid_derive(&files, u, &src), 0);
	ck_assert_str_eq(u, "f2782346-4809-484a-9a8b-952a04b57ba4");
	ck_assert_str_eq(src, mid);
	write_file(mid, "uninitialized\n"); /* systemd's first boot */
	ck_assert_int_eq(host_uuid_derive(&files, u, &src), 0);
	ck_assert_str_eq(u, "44454c4c-5100-1030-8052-b4c04f4e4d32");
	ck_assert_str_eq(src, prod);
	unlink(prod);
	ck_assert_int_eq(host_uuid_derive(&files, u, &src), 0);
	ck_assert_str_eq(u, "0e5c1a6e-29c4-4f5e-9d8a-3f1b2c4d5e6f");
	ck_assert_str_eq(src, part);
	unlink(part);
	ck_assert_int_eq(host_uuid_derive(&files, u, &src), 0);
	ck_assert_str_eq(src, "random");
}
END_TEST

static const struct edit_case {
	const char *name, *in, *key, *value, *out;
} edit_cases[] = {
	{ "new file", "", "nqn", "N", "[Host]\nnqn = N\n" },
	{ "replaced in place, comments kept", "# c\n[Host]\n; c2\nnqn = old # why\nid = I\n", "nqn",
	  "N", "# c\n[Host]\n; c2\nnqn = N\nid = I\n" },
	{ "key names are case-insensitive", "[Host]\nNQN=old\n", "nqn", "N", "[Host]\nnqn = N\n" },
	{ "section names are not", "[host]\nnqn = old\n", "nqn", "N",
	  "[host]\nnqn = old\n\n[Host]\nnqn = N\n" },
	{ "added after the section's last line",
	  "[Host]\nid = I\n   more\n\n# about Other\n[Other]\nnqn = x\n", "nqn", "N",
	  "[Host]\nid = I\n   more\nnqn = N\n\n# about Other\n[Other]\nnqn = x\n" },
	{ "repeats and their continuations go",
	  "[Host]\nsymname = a\n  b\n\n  c\nid = I\n[Host]\nsymname = d\n", "symname", "S",
	  "[Host]\nsymname = S\n\nid = I\n[Host]\n" },
	{ "removed", "[Host]\nsymname = a\n  b\nid = I\n", "symname", NULL, "[Host]\nid = I\n" },
	{ "removing what is absent changes nothing", "[Host]\nid = I\n", "symname", NULL,
	  "[Host]\nid = I\n" },
	{ "an indented first key is a key", "[Host]\n  nqn = old\n", "nqn", "N",
	  "[Host]\nnqn = N\n" },
	{ "a continuation that looks like the key is not the key", "[Host]\nid = I\n  nqn = x\n",
	  "nqn", "N", "[Host]\nid = I\n  nqn = x\nnqn = N\n" },
	{ "a bad line's continuation is not the key", "[Host]\nkato: 3\n  nqn = x\n", "nqn", "N",
	  "[Host]\nkato: 3\n  nqn = x\nnqn = N\n" },
	{ "no newline at the end", "[Host]\nid = I", "nqn", "N", "[Host]\nid = I\nnqn = N\n" },
	{ "CRLF kept", "[Host]\r\nid = I\r\n", "nqn", "N", "[Host]\r\nid = I\r\nnqn = N\r\n" },
	{ "BOM kept", "\xef\xbb\xbf[Host]\nnqn = old\n", "nqn", "N",
	  "\xef\xbb\xbf[Host]\nnqn = N\n" },
	{ "text after ] ignored as the reader does", "[Host] # me\nnqn = old\n", "nqn", "N",
	  "[Host] # me\nnqn = N\n" },
};

START_TEST(test_conf_edit)
{
	const struct edit_case *c = &edit_cases[_i];
	_cleanup_free_ char *out = NULL;

	ck_assert_msg(conf_edit(c->in, "Host", c->key, c->value, &out) == 0, "%s", c->name);
	ck_assert_msg(!strcmp(out, c->out), "%s: got\n%s", c->name, out);
}
END_TEST

START_TEST(test_conf_edit_refuses_line_breaks)
{
	char *out = NULL;

	ck_assert_int_eq(conf_edit("", "Host", "symname", "a\nnqn = evil", &out), -EINVAL);
	ck_assert_ptr_null(out);
}
END_TEST

/* stasadm ARGS... in dir; returns its exit status. */
static int stasadm(const char *args)
{
	_cleanup_free_ char *cmd = NULL;
	int st;

	ck_assert_int_ge(asprintf(&cmd, "cd '%s' && '%s' %s 2>stderr", dir, STASADM_PATH, args), 0);
	st = system(cmd);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static char *slurp(const char *name)
{
	_cleanup_free_ char *p = path_in(name);
	char *text = NULL;

	ck_assert_int_eq(file_read_text(p, 1 << 20, &text, NULL), 0);
	return text;
}

static struct sys_conf *load_conf(void)
{
	_cleanup_free_ char *p = path_in("sys.conf"), *nqn = path_in("no-nqn"),
			    *id = path_in("no-id");
	struct sys_conf_files files = { nqn, id, NULL };
	struct sys_conf *sc = NULL;

	ck_assert_int_eq(sys_conf_load_file(p, &files, &sc), 0);
	return sc;
}

START_TEST(test_stasadm_program)
{
	static const char *conf = "# the host\n[Host]\nsymname = old\n\n[Extra]\nkeep = me\n";
	_cleanup_free_ char *p = path_in("sys.conf"), *text = NULL, *err = NULL, *want = NULL;
	_cleanup_(sys_conf_freep) struct sys_conf *sc = NULL;
	char uuid[STAS_UUID_STR_LEN], mid[40] = "";
	FILE *f;

	write_file(p, conf);
	chmod(p, 0600);
	ck_assert_int_eq(stasadm("-c sys.conf hostnqn -f nvme/hostnqn"), 0);
	ck_assert_int_eq(stasadm("-c sys.conf hostid --file nvme/hostid"), 0);
	ck_assert_int_eq(stasadm("-c sys.conf set-symname 'rack 7, slot 3'"), 0);
	sc = load_conf();
	ck_assert_int_eq(sys_conf_check(sc), 0);
	ck_assert_str_eq(sc->symname, "rack 7, slot 3");
	ck_assert_int_eq(strncmp(sc->nqn, "nqn.2014-08.org.nvmexpress:uuid:", 32), 0);
	/* on a machine with a machine ID, the NQN is nvme-stas's */
	f = fopen("/etc/machine-id", "re");
	if (f && fgets(mid, sizeof(mid), f) && host_uuid_from_machine_id(mid, uuid) == 0)
		ck_assert_str_eq(sc->nqn + 32, uuid);
	if (f)
		fclose(f);
	text = slurp("sys.conf");
	ck_assert_int_ge(
		asprintf(&want,
			 "# the host\n[Host]\nsymname = rack 7, slot 3\nnqn = file://%s/"
			 "nvme/hostnqn\nid = file://%s/nvme/hostid\n\n[Extra]\nkeep = me\n",
			 dir, dir),
		0);
	ck_assert_str_eq(text, want);
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600); /* its mode is kept */
	free(text);
	text = slurp("nvme/hostid");
	ck_assert_int_eq(strlen(text), 37); /* the ID and a newline */
	ck_assert_int_eq(strncmp(text, sc->id, 36), 0);

	/* refused values leave the file as it was */
	free(text);
	text = slurp("sys.conf");
	ck_assert_int_eq(stasadm("-c sys.conf set-symname 'a # b'"), 1);
	err = slurp("stderr");
	ck_assert_ptr_nonnull(strstr(err, "would be read back as 'a'"));
	ck_assert_int_eq(stasadm("-c sys.conf set-symname -f sym 'two words'"), 1);
	ck_assert_int_eq(stasadm("-c sys.conf set-symname ' padded'"), 1);
	free(want);
	want = slurp("sys.conf");
	ck_assert_str_eq(want, text);

	ck_assert_int_eq(stasadm("-c sys.conf clear-symname"), 0);
	sys_conf_free(TAKE_PTR(sc));
	sc = load_conf();
	ck_assert_str_eq(sc->symname, "");
	ck_assert_int_eq(sys_conf_check(sc), 0);

	/* as argparse reads them: options after the name, "-c=FILE", "--" before a name */
	ck_assert_int_eq(stasadm("-c=sys.conf set-symname box1 -f sym"), 0);
	sys_conf_free(TAKE_PTR(sc));
	sc = load_conf();
	ck_assert_str_eq(sc->symname, "box1");
	ck_assert_int_eq(stasadm("-c sys.conf set-symname -- -dash"), 0);
	sys_conf_free(TAKE_PTR(sc));
	sc = load_conf();
	ck_assert_str_eq(sc->symname, "-dash");
	ck_assert_int_eq(stasadm("-c sys.conf clear-symname"), 0);

	/* an empty -c: the -f file only (nvme-stas's save() skips the conf) */
	ck_assert_int_eq(stasadm("-c '' hostid -f only-file"), 0);
	free(text);
	text = slurp("only-file");
	ck_assert_int_eq(strlen(text), 37);
	/* nothing to clear, no file to make */
	ck_assert_int_eq(stasadm("-c none.conf clear-symname"), 0);
	{
		_cleanup_free_ char *none = path_in("none.conf");

		ck_assert_int_eq(access(none, F_OK), -1);
	}

	/* a symbolic link stays one: the file it names is what changes */
	{
		_cleanup_free_ char *real = path_in("real.conf"), *link = path_in("link.conf");
		struct stat lst;

		write_file(real, "[Host]\n");
		ck_assert_int_eq(symlink(real, link), 0);
		ck_assert_int_eq(stasadm("-c link.conf set-symname linked"), 0);
		ck_assert_int_eq(lstat(link, &lst), 0);
		ck_assert(S_ISLNK(lst.st_mode));
		free(text);
		text = slurp("real.conf");
		ck_assert_str_eq(text, "[Host]\nsymname = linked\n");
	}

	/* usage */
	ck_assert_int_eq(stasadm(""), 1);
	ck_assert_int_eq(stasadm("bogus"), 2);
	ck_assert_int_eq(stasadm("hostid -x"), 2);
	free(err);
	err = slurp("stderr");
	ck_assert_ptr_nonnull(strstr(err, "unknown option '-x'"));
	ck_assert_int_eq(stasadm("set-symname -qx name"), 2);
	free(err);
	err = slurp("stderr");
	ck_assert_ptr_nonnull(strstr(err, "unknown option '-q'"));
	ck_assert_int_eq(stasadm("clear-symname -f x"), 2);
	ck_assert_int_eq(stasadm("set-symname"), 2);
	ck_assert_int_eq(stasadm("-c missing-dir/sys.conf hostid"), 1);
	free(err);
	err = slurp("stderr");
	ck_assert_ptr_nonnull(strstr(err, "missing-dir/sys.conf: No such file or directory"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("stasadm");
	TCase *tc = tcase_create("stasadm");

	tcase_add_test(tc, test_sha256_vectors);
	tcase_add_test(tc, test_hmac_rfc4231);
	tcase_add_test(tc, test_uuid_like_nvme_stas);
	tcase_add_test(tc, test_uuid_sources_in_order);
	tcase_add_loop_test(tc, test_conf_edit, 0, sizeof(edit_cases) / sizeof(edit_cases[0]));
	tcase_add_test(tc, test_conf_edit_refuses_line_breaks);
	tcase_add_test(tc, test_stasadm_program);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_in_fresh_dir(suite(), "/tmp/stas-stasadm-XXXXXX", &dir);
}
