// SPDX-License-Identifier: Apache-2.0
/*
 * sys.conf [Host]: literal and file:// values, the default files, what is
 * mandatory (NQN, ID) and what is optional (key, symname), with messages.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "check-main.h"
#include "common/sys-conf.h"
#include "test-util.h"

#define NQN  "nqn.2014-08.org.nvmexpress:uuid:2b0a5c3e-5c09-4c1e-9b8e-3f1f1f1f1f1f"
#define UUID "2b0a5c3e-5c09-4c1e-9b8e-3f1f1f1f1f1f"
#define KEY  "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:"

static char *dir;
static char f_nqn[256], f_id[256], f_key[256];
static struct sys_conf_files files;

static void setup(void)
{
	dir = make_tmpdir();
	snprintf(f_nqn, sizeof(f_nqn), "%s/hostnqn", dir);
	snprintf(f_id, sizeof(f_id), "%s/hostid", dir);
	snprintf(f_key, sizeof(f_key), "%s/hostkey", dir);
	files = (struct sys_conf_files){ .nqn = f_nqn, .id = f_id, .key = f_key };
}

static void teardown(void)
{
	remove_tree(dir);
}

static struct sys_conf *sys_load(const char *text)
{
	struct sys_conf *sc = NULL;

	ck_assert_int_eq(sys_conf_load_string(text, "sys.conf", &files, &sc), 0);
	return sc;
}

/* No sys.conf content at all: everything from the default files. */
START_TEST(test_default_files)
{
	struct sys_conf *sc;

	write_file(f_nqn, NQN "\n");
	write_file(f_id, UUID "   trailing words\nsecond line\n");
	write_file(f_key, KEY "\n");
	sc = sys_load("");
	ck_assert_int_eq(sys_conf_check(sc), 0);
	ck_assert_str_eq(sc->nqn, NQN);
	ck_assert_str_eq(sc->id, UUID);
	ck_assert_uint_eq(sc->id_bytes[0], 0x2b);
	ck_assert_uint_eq(sc->id_bytes[15], 0x1f);
	ck_assert_str_eq(sc->key, KEY);
	ck_assert_str_eq(sc->symname, "");
	assert_no_diags(&sc->diags);
	sys_conf_free(sc);
}
END_TEST

START_TEST(test_literals_and_file_urls)
{
	char text[1024], other[300];
	struct sys_conf *sc;

	snprintf(other, sizeof(other), "%s/symname", dir);
	write_file(other, "  array-host-7 extra\n");
	snprintf(text, sizeof(text),
		 "[Host]\nnqn = " NQN "\nid = " UUID "\nkey = " KEY "\nsymname = file://%s\n",
		 other);
	sc = sys_load(text);
	ck_assert_int_eq(sys_conf_check(sc), 0);
	ck_assert_str_eq(sc->nqn, NQN);
	ck_assert_str_eq(sc->id, UUID);
	ck_assert_str_eq(sc->key, KEY);
	ck_assert_str_eq(sc->symname, "array-host-7");
	assert_no_diags(&sc->diags);
	sys_conf_free(sc);

	sc = sys_load("[Host]\nnqn = " NQN "\nid = " UUID "\nsymname = my host 7\n");
	ck_assert_str_eq(sc->symname, "my host 7"); /* a literal is taken whole */
	sys_conf_free(sc);
}
END_TEST

START_TEST(test_missing_identity)
{
	char msg[512];
	struct sys_conf *sc = sys_load("");

	ck_assert_int_eq(sys_conf_check(sc), -ENOENT);
	ck_assert_str_eq(sc->nqn, "");
	ck_assert_int_eq(sc->nqn_error, -ENOENT);
	snprintf(msg, sizeof(msg), "host NQN (mandatory; see stasadm): %s: No such file", f_nqn);
	assert_diag(&sc->diags, 0, LOG_ERR, msg);
	snprintf(msg, sizeof(msg), "host ID (mandatory; see stasadm): %s: No such file", f_id);
	assert_diag(&sc->diags, 0, LOG_ERR, msg);
	/* no key where none was asked for: only a debug note */
	assert_diag(&sc->diags, 0, LOG_DEBUG, "host key");
	ck_assert_uint_eq(sc->diags.n_errors, 2);
	ck_assert_uint_eq(sc->diags.n_warnings, 0);
	sys_conf_free(sc);
}
END_TEST

START_TEST(test_bad_identity)
{
	struct sys_conf *sc;

	write_file(f_id, "\n");
	sc = sys_load("[Host]\nnqn = iqn.2001-04.com.example:host\n");
	ck_assert_int_eq(sys_conf_check(sc), -EINVAL);
	assert_diag(&sc->diags, 2, LOG_ERR,
		    "host NQN 'iqn.2001-04.com.example:host' does not start with 'nqn.'");
	assert_diag(&sc->diags, 0, LOG_ERR, "is empty");
	ck_assert_int_eq(sc->id_error, -ENOENT);
	sys_conf_free(sc);

	sc = sys_load("[Host]\nnqn = " NQN "\nid = not-a-uuid\n");
	ck_assert_int_eq(sys_conf_check(sc), -EINVAL);
	assert_diag(&sc->diags, 3, LOG_ERR, "host ID 'not-a-uuid' is not a UUID");
	sys_conf_free(sc);
}
END_TEST

START_TEST(test_long_nqn)
{
	char text[1024] = "[Host]\nid = " UUID "\nnqn = nqn.2014-08.org.example:";
	struct sys_conf *sc;

	while (strlen(text) < 300)
		strcat(text, "x");
	strcat(text, "\n");
	sc = sys_load(text);
	ck_assert_int_eq(sys_conf_check(sc), -EINVAL);
	assert_diag(&sc->diags, 3, LOG_ERR, "host NQN");
	sys_conf_free(sc);
}
END_TEST

START_TEST(test_optional_parts)
{
	char text[1024];
	struct sys_conf *sc;

	write_file(f_nqn, NQN);
	write_file(f_id, UUID);
	write_file(f_key, "not-a-key\n");
	snprintf(text, sizeof(text), "[Host]\nsymname = file://%s/nope\ncolour = blue\n[Other]\n",
		 dir);
	sc = sys_load(text);
	ck_assert_int_eq(sys_conf_check(sc), 0);
	assert_diag(&sc->diags, 0, LOG_ERR, "host key in");
	assert_diag(&sc->diags, 0, LOG_ERR, "does not start with 'DHHC-1:'; ignored");
	ck_assert_ptr_null(conf_diags_find(&sc->diags, "not-a-key"));
	ck_assert_str_eq(sc->key, "");
	assert_diag(&sc->diags, 2, LOG_WARNING, "host symbolic name (left undefined)");
	assert_diag(&sc->diags, 3, LOG_WARNING, "[Host] unknown key 'colour'");
	assert_diag(&sc->diags, 4, LOG_WARNING, "unknown section [Other]");
	sys_conf_free(sc);

	/* an explicitly named key file that is missing deserves a warning */
	snprintf(text, sizeof(text), "[Host]\nkey = file://%s/nokey\n", dir);
	sc = sys_load(text);
	assert_diag(&sc->diags, 2, LOG_WARNING, "host key:");
	sys_conf_free(sc);
}
END_TEST

START_TEST(test_files)
{
	char path[300];
	struct sys_conf *sc = NULL;

	write_file(f_nqn, NQN);
	write_file(f_id, UUID);
	snprintf(path, sizeof(path), "%s/sys.conf", dir);
	ck_assert_int_eq(sys_conf_load_file(path, &files, &sc), 0); /* absent: all defaults */
	ck_assert_int_eq(sys_conf_check(sc), 0);
	assert_diag(&sc->diags, 0, LOG_DEBUG, "no such file; using the defaults");
	sys_conf_free(sc);

	write_file(path, "[Host]\nsymname = lab\n");
	ck_assert_int_eq(sys_conf_load_file(path, &files, &sc), 0);
	ck_assert_str_eq(sc->diags.path, path);
	ck_assert_str_eq(sc->symname, "lab");
	sys_conf_free(sc);

	sc = NULL;
	ck_assert_int_lt(sys_conf_load_file(dir, &files, &sc), 0);
	ck_assert_ptr_null(sc);
}
END_TEST

static Suite *sys_conf_suite(void)
{
	Suite *s = suite_create("sys.conf");
	TCase *tc = tcase_create("host");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_default_files);
	tcase_add_test(tc, test_literals_and_file_urls);
	tcase_add_test(tc, test_missing_identity);
	tcase_add_test(tc, test_bad_identity);
	tcase_add_test(tc, test_long_nqn);
	tcase_add_test(tc, test_optional_parts);
	tcase_add_test(tc, test_files);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(sys_conf_suite)
