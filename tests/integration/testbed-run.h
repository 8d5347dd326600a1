/* SPDX-License-Identifier: Apache-2.0 */
/* The nvmet tests' hand on the test bed (testbed.sh ctl, link, reboot), and putting it back. */
#ifndef STAS_TEST_TESTBED_RUN_H
#define STAS_TEST_TESTBED_RUN_H

#include <check.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run `testbed.sh VERB 'ARG'` (STAS_TB_SCRIPT, set by ctest); its exit status, 0 when it worked. */
static inline int testbed_run(const char *verb, const char *arg)
{
	const char *tb = getenv("STAS_TB_SCRIPT");
	char cmd[1024];

	ck_assert_msg(tb && *tb && getenv("STAS_TB_DIR"), "STAS_TB_SCRIPT/STAS_TB_DIR not set");
	ck_assert_uint_lt(
		(size_t)snprintf(cmd, sizeof(cmd), "'%s' %s '%s' >/dev/null", tb, verb, arg),
		sizeof(cmd));
	return system(cmd);
}

/*
 * `testbed.sh VERB 'ARG'` in the background, for what takes long (a reboot): the test keeps
 * its bus connections served meanwhile and collects the status with testbed_done().
 */
static inline pid_t testbed_start(const char *verb, const char *arg)
{
	const char *tb = getenv("STAS_TB_SCRIPT");
	pid_t pid;

	ck_assert_msg(tb && *tb && getenv("STAS_TB_DIR"), "STAS_TB_SCRIPT/STAS_TB_DIR not set");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
		execl(tb, tb, verb, arg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Whether the testbed.sh started by testbed_start() has ended; its exit status in @status. */
static inline bool testbed_done(pid_t pid, int *status)
{
	int st = 0;
	pid_t r = waitpid(pid, &st, WNOHANG);

	ck_assert_int_ge(r, 0);
	if (r == 0)
		return false;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return true;
}

/*
 * A change a test must undo is written down first, in the run directory: Check runs each test
 * in a process of its own, and a failed assertion ends that process at once, so a checked
 * teardown never runs. Whoever comes next puts the test bed back: the test itself
 * (testbed_restore()), the next test's setup or the suite's end
 * (testbed_put_back_leftovers()).
 */
static inline void testbed_undo_path(char *buf, size_t len)
{
	const char *dir = getenv("STAS_TB_DIR");

	ck_assert_msg(dir && *dir, "STAS_TB_DIR not set");
	ck_assert_uint_lt((size_t)snprintf(buf, len, "%s/undo.pending", dir), len);
}

/* `testbed.sh VERB 'ARG'`, which `testbed.sh UNDO_VERB 'UNDO_ARG'` undoes. */
static inline void testbed_change(const char *verb, const char *arg, const char *undo_verb,
				  const char *undo_arg)
{
	char path[4096];
	FILE *f;

	testbed_undo_path(path, sizeof(path));
	f = fopen(path, "w");
	ck_assert_msg(f, "%s: cannot write", path);
	fprintf(f, "%s\n%s", undo_verb, undo_arg);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(testbed_run(verb, arg) == 0, "testbed.sh %s '%s' failed", verb, arg);
}

/* Undo what a change left, if anything: 0, or the failed undo's status (it is dropped). */
static inline int testbed_put_back(void)
{
	char path[4096], buf[2048], *arg;
	size_t n;
	FILE *f;

	testbed_undo_path(path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	unlink(path);
	buf[n] = '\0';
	arg = strchr(buf, '\n');
	if (!arg)
		return -1;
	*arg++ = '\0';
	return testbed_run(buf, arg);
}

/* The test wants the target back now; it fails if that does not work. */
static inline void testbed_restore(void)
{
	ck_assert_msg(testbed_put_back() == 0, "could not put the test bed back");
}

/* For tcase_add_checked_fixture() and tcase_add_unchecked_fixture(): leftovers of a failure. */
static inline void testbed_put_back_leftovers(void)
{
	if (testbed_put_back() != 0)
		fprintf(stderr, "could not put the test bed back after a failed test\n");
}

#endif
