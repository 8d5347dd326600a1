// SPDX-License-Identifier: Apache-2.0
/* State files: directory choice, atomic save, load back, and damaged files. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "check-main.h"
#include "common/state.h"
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
	return s;
}

STAS_CHECK_MAIN(state_suite)
