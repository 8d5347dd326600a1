// SPDX-License-Identifier: Apache-2.0
/*
 * State files: directory choice, atomic save, load back, damaged files, and
 * identities read back checked as the configuration and the wire are.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "check-main.h"
#include "common/state.h"
#include "common/tid.h"
#include "test-util.h"

static char *dir;

static void setup(void)
{
	dir = make_tmpdir();
	log_open("test", LOG_TARGET_STDERR);
}

static void teardown(void)
{
	remove_tree(dir);
}

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
	closedir(d);
	return n;
}

START_TEST(test_dir_from_environment)
{
	char want[512], env[1100];
	char *got = NULL;
	struct stat st;

	snprintf(want, sizeof(want), "%s/run/stafd", dir);
	snprintf(env, sizeof(env), "%s:%s/other", want, dir);
	setenv("RUNTIME_DIRECTORY", env, 1);
	ck_assert_int_eq(state_dir("stafd", &got), 0);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(stat(want, &st), 0); /* created, parents included */
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0755);
	free(got);
}
END_TEST

START_TEST(test_dir_default)
{
	char prog[64], want[128];
	char *got = NULL;

	unsetenv("RUNTIME_DIRECTORY");
	snprintf(prog, sizeof(prog), "stas-test-%d", (int)getpid());
	snprintf(want, sizeof(want), "/run/%s", prog);
	if (access("/run", W_OK) != 0)
		return; /* not root: /run is not ours to write */
	ck_assert_int_eq(state_dir(prog, &got), 0);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(rmdir(want), 0);
	free(got);
}
END_TEST

START_TEST(test_dir_cannot_create)
{
	char file[512], env[600];
	char *got = NULL;

	snprintf(file, sizeof(file), "%s/file", dir);
	write_file(file, "x");
	snprintf(env, sizeof(env), "%s/sub", file);
	setenv("RUNTIME_DIRECTORY", env, 1);
	ck_assert_int_eq(state_dir("stafd", &got), -ENOTDIR);
	ck_assert_ptr_null(got);
}
END_TEST

static struct json_object *sample(int generation)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "generation", json_object_new_int(generation));
	json_object_array_add(a, json_object_new_string("(tcp, 192.0.2.1, 8009)"));
	json_object_object_add(o, "controllers", a);
	return o;
}

START_TEST(test_round_trip)
{
	struct json_object *saved = sample(1), *loaded = NULL;
	char path[512];
	struct stat st;

	ck_assert_int_eq(state_save(dir, STATE_FILE, saved), 0);
	ck_assert_int_eq(state_load(dir, STATE_FILE, &loaded), 0);
	ck_assert(json_object_equal(saved, loaded));
	json_object_put(loaded);
	json_object_put(saved);
	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);

	/* a second save replaces the first; no temporary file is left behind */
	saved = sample(2);
	ck_assert_int_eq(state_save(dir, STATE_FILE, saved), 0);
	ck_assert_int_eq(state_load(dir, STATE_FILE, &loaded), 0);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(loaded, "generation")), 2);
	ck_assert_int_eq(count_entries(dir), 1);
	json_object_put(loaded);
	json_object_put(saved);
}
END_TEST

START_TEST(test_missing)
{
	struct json_object *loaded = NULL;

	ck_assert_int_eq(state_load(dir, STATE_FILE, &loaded), -ENOENT);
	ck_assert_ptr_null(loaded);
}
END_TEST

static const struct {
	const char *content;
	int r;
} damaged[] = {
	{ "{\"version\": 1, \"controllers\": [", -EBADMSG }, /* cut short by a crash elsewhere */
	{ "", -EBADMSG },
	{ "{} trailing", -EBADMSG },
	{ "{\"a\": nope}", -EBADMSG },
	{ "\n  [1, 2]  \n", 0 },
};

START_TEST(test_damaged)
{
	struct json_object *loaded = NULL;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	write_file(path, damaged[_i].content);
	ck_assert_int_eq(state_load(dir, STATE_FILE, &loaded), damaged[_i].r);
	ck_assert(damaged[_i].r ? !loaded : !!loaded);
	json_object_put(loaded);
}
END_TEST

START_TEST(test_save_fails)
{
	struct json_object *o = sample(1);
	char missing[512];

	snprintf(missing, sizeof(missing), "%s/nope", dir);
	ck_assert_int_eq(state_save(missing, STATE_FILE, o), -ENOENT);
	json_object_put(o);
}
END_TEST

/*
 * A TID read back: every row changes one field of a good one. What the configuration, the
 * wire and the Connect command refuse is refused, naming the field; the rest reads back.
 */
static const struct {
	const char *field;
	const char *raw;  /* the value as JSON text; NULL: the key is left out */
	size_t long_len;  /* instead of @raw: a string of this many 'a's */
	const char *want; /* NULL: accepted */
} tid_rows[] = {
	{ NULL, NULL, 0, NULL },
	{ "trsvcid", "\"\"", 0, NULL },
	{ "host-nqn", "\"\"", 0, NULL },
	{ "transport", "\"fc\"", 0, NULL }, /* another transport: acceptable() decides */
	{ "subsysnqn", "\"testnqn\"", 0, NULL },
	{ "transport", "\"xyz\"", 0, "transport: 'xyz' is not tcp, rdma, fc or loop" },
	{ "transport", "\"\"", 0, "transport: '' is not tcp, rdma, fc or loop" },
	{ "transport", "\"TCP\"", 0, "transport: 'TCP' is not tcp, rdma, fc or loop" },
	{ "transport", NULL, 8, "transport: 8 bytes long, at most 7 allowed" },
	{ "traddr", "\"\"", 0, "traddr: empty" },
	{ "traddr", "\"192.0.2.\xff\"", 0, "traddr: byte 0xff at offset 8 is not printable ASCII" },
	{ "traddr", NULL, 256, "traddr: 256 bytes long, at most 255 allowed" },
	{ "trsvcid", "\"80\\t09\"", 0, "trsvcid: byte 0x09 at offset 2" },
	{ "host-iface", "\"eth\\u00000\"", 0, "host-iface: byte 0x00 at offset 3" },
	{ "host-iface", NULL, 16, "host-iface: 16 bytes long, at most 15 allowed" },
	{ "host-traddr", "\"\\u00e9\"", 0, "host-traddr: byte 0xc3 at offset 0" },
	{ "host-traddr", "1", 0, "host-traddr: not a string" },
	{ "subsysnqn", "\"nqn.x:\xff\"", 0, "subsysnqn: byte 0xff at offset 6" },
	{ "subsysnqn", "\"\"", 0, "subsysnqn is empty" },
	{ "subsysnqn", "\"nqn.x y\"", 0, "subsysnqn has byte 0x20 at offset 5" },
	{ "subsysnqn", NULL, 224, "subsysnqn: 224 bytes long, at most 223 allowed" },
	{ "host-nqn", "\"nqn.host\\u001b[31m\"", 0, "host-nqn: byte 0x1b at offset 8" },
	{ "host-nqn", "\" nqn.host\"", 0, "host-nqn has byte 0x20 at offset 0" },
	{ "host-nqn", "null", 0, "host-nqn: not a string" },
	{ "traddr", NULL, 0, "traddr: missing" },
};

static const char *const tid_good[][2] = {
	{ "transport", "\"tcp\"" },
	{ "traddr", "\"192.0.2.1\"" },
	{ "trsvcid", "\"8009\"" },
	{ "subsysnqn", "\"nqn.2014-08.org.nvmexpress.discovery\"" },
	{ "host-traddr", "\"192.0.2.100\"" },
	{ "host-iface", "\"eth0\"" },
	{ "host-nqn", "\"nqn.2014-08.org.nvmexpress:uuid:1\"" },
};

START_TEST(test_tid_from_json)
{
	char text[2048] = "{", *raw = NULL;
	struct stas_error e = { 0 };
	struct json_object *o;
	struct tid t;
	int r;

	if (tid_rows[_i].long_len) {
		raw = malloc(tid_rows[_i].long_len + 3);
		memset(raw, 'a', tid_rows[_i].long_len + 2);
		raw[0] = raw[tid_rows[_i].long_len + 1] = '"';
		raw[tid_rows[_i].long_len + 2] = '\0';
	}
	for (size_t f = 0; f < ARRAY_SIZE(tid_good); f++) {
		bool mine = tid_rows[_i].field && !strcmp(tid_rows[_i].field, tid_good[f][0]);
		const char *v = mine ? (raw ? raw : tid_rows[_i].raw) : tid_good[f][1];

		if (v)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s\"%s\": %s",
				 text[1] ? ", " : "", tid_good[f][0], v);
	}
	strcat(text, "}");
	free(raw);
	o = json_tokener_parse(text);
	ck_assert_msg(o, "not JSON: %s", text);
	r = state_tid_from_json(o, &t, &e);
	json_object_put(o);
	if (!tid_rows[_i].want) {
		ck_assert_msg(r == 0, "%s: refused: %s", text, e.msg);
		ck_assert_str_eq(t.traddr, "192.0.2.1");
		return;
	}
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_msg(strstr(e.msg, tid_rows[_i].want), "'%s', want '%s'", e.msg,
		      tid_rows[_i].want);
}
END_TEST

/* What stafd and stacd write reads back as it was; a TID that is not an object is refused. */
START_TEST(test_tid_round_trip)
{
	struct tid t = { .transport = "tcp",
			 .traddr = "fe80::1%eth0",
			 .trsvcid = "4420",
			 .subsysnqn = "nqn.2014-08.org.example:a~b",
			 .host_iface = "eth0",
			 .host_nqn = "nqn.2014-08.org.nvmexpress:uuid:1" },
		   back;
	struct json_object *o = state_tid_json(&t), *s = json_object_new_string("tcp");
	struct stas_error e = { 0 };

	ck_assert_int_eq(state_tid_from_json(o, &back, &e), 0);
	ck_assert(tid_equal(&t, &back));
	ck_assert_int_eq(state_tid_from_json(s, &back, &e), -EINVAL);
	ck_assert_str_eq(e.msg, "tid: not an object");
	ck_assert_int_eq(state_tid_from_json(NULL, &back, NULL), -EINVAL);
	json_object_put(o);
	json_object_put(s);
}
END_TEST

static Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("files");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dir_from_environment);
	tcase_add_test(tc, test_dir_default);
	tcase_add_test(tc, test_dir_cannot_create);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_missing);
	tcase_add_loop_test(tc, test_damaged, 0, ARRAY_SIZE(damaged));
	tcase_add_test(tc, test_save_fails);
	suite_add_tcase(s, tc);
	tc = tcase_create("read back");
	tcase_add_loop_test(tc, test_tid_from_json, 0, ARRAY_SIZE(tid_rows));
	tcase_add_test(tc, test_tid_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(state_suite)
