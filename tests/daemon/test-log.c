// SPDX-License-Identifier: Apache-2.0
/* Levels, the stderr sink's format, the _errno variants, and the journal detection. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-main.h"
#include "common/log.h"
#include "stas/cleanup.h"

static int capture_fd = -1, saved_stderr = -1;

/* Point fd 2 at an unlinked temporary file for the test's duration. */
static void capture_start(void)
{
	char path[] = "/tmp/stas-log-XXXXXX";

	capture_fd = mkostemp(path, O_CLOEXEC);
	ck_assert_int_ge(capture_fd, 0);
	unlink(path);
	saved_stderr = dup(STDERR_FILENO);
	dup2(capture_fd, STDERR_FILENO);
}

static const char *captured(void)
{
	static char buf[8192];
	ssize_t n = pread(capture_fd, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void capture_stop(void)
{
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(capture_fd);
}

/* The last rows are the names of Python's logging levels (nvme-stas's log_level). */
static const struct {
	const char *text;
	int level;
} level_rows[] = {
	{ "error", LOG_ERR },	    { "err", LOG_ERR },
	{ "ERROR", LOG_ERR },	    { "warning", LOG_WARNING },
	{ "warn", LOG_WARNING },    { "notice", LOG_NOTICE },
	{ "info", LOG_INFO },	    { "Debug", LOG_DEBUG },
	{ "7", LOG_DEBUG },	    { "0", LOG_EMERG },
	{ "8", -EINVAL },	    { "-1", -EINVAL },
	{ "loud", -EINVAL },	    { "", -EINVAL },
	{ "3x", -EINVAL },	    { "CRITICAL", LOG_CRIT },
	{ "FATAL", LOG_CRIT },	    { "WARNING", LOG_WARNING },
	{ "INFO", LOG_INFO },	    { "DEBUG", LOG_DEBUG },
	{ "crit", LOG_CRIT },	    { "alert", LOG_ALERT },
	{ "emergency", LOG_EMERG },
};

/* nvme-stas's log.level(): logging.getLevelName() of the root logger's level. */
static const struct {
	int level;
	const char *python;
} python_rows[] = {
	{ LOG_DEBUG, "DEBUG" },	    { LOG_INFO, "INFO" },      { LOG_NOTICE, "INFO" },
	{ LOG_WARNING, "WARNING" }, { LOG_ERR, "ERROR" },      { LOG_CRIT, "CRITICAL" },
	{ LOG_ALERT, "CRITICAL" },  { LOG_EMERG, "CRITICAL" },
};

START_TEST(test_python_names)
{
	const char *name = log_level_to_python(python_rows[_i].level);

	ck_assert_str_eq(name, python_rows[_i].python);
	/* read back as itself, but notice, alert and emerg: INFO and CRITICAL mean another level */
	if (python_rows[_i].level != LOG_NOTICE && python_rows[_i].level >= LOG_CRIT)
		ck_assert_int_eq(log_level_from_string(name), python_rows[_i].level);
}
END_TEST

START_TEST(test_level_names)
{
	ck_assert_int_eq(log_level_from_string(level_rows[_i].text), level_rows[_i].level);
}
END_TEST

START_TEST(test_stderr_format)
{
	capture_start();
	log_open("test", LOG_TARGET_STDERR);
	ck_assert(!log_uses_journal());
	log_set_level(LOG_INFO);
	log_error("disk %d is on fire", 3);
	log_warning("w");
	log_notice("n");
	log_info("i");
	log_debug("not shown at level info");
	ck_assert_str_eq(captured(), "error: disk 3 is on fire\nwarning: w\nnotice: n\ninfo: i\n");
	capture_stop();
	ck_assert_str_eq(log_level_to_string(LOG_DEBUG), "debug");
	ck_assert_str_eq(log_level_to_string(42), "?");
}
END_TEST

START_TEST(test_levels)
{
	capture_start();
	log_open("test", LOG_TARGET_STDERR);
	log_set_level(LOG_WARNING);
	ck_assert_int_eq(log_get_level(), LOG_WARNING);
	log_notice("hidden");
	log_set_level(LOG_DEBUG); /* what tron selects */
	log_debug("shown");
	log_set_level(99);
	ck_assert_int_eq(log_get_level(), LOG_DEBUG);
	ck_assert_str_eq(captured(), "debug: shown\n");
	capture_stop();
}
END_TEST

START_TEST(test_errno_variants)
{
	capture_start();
	log_open("test", LOG_TARGET_STDERR);
	log_set_level(LOG_INFO);
	errno = EAGAIN;
	ck_assert_int_eq(log_error_errno(-ENOENT, "open %s", "/x"), -ENOENT);
	ck_assert_int_eq(errno, EAGAIN); /* preserved */
	ck_assert_int_eq(log_warning_errno(EACCES, "positive works too"), -EACCES);
	ck_assert_int_eq(log_info_errno(-EIO, "with %%m: %m, done"), -EIO);
	/* filtered messages still return the error */
	ck_assert_int_eq(log_debug_errno(-EPIPE, "hidden"), -EPIPE);
	ck_assert_int_eq(log_error("no error"), 0);
	ck_assert_str_eq(captured(), "error: open /x: No such file or directory\n"
				     "warning: positive works too: Permission denied\n"
				     "info: with %m: Input/output error, done\n"
				     "error: no error\n");
	capture_stop();
}
END_TEST

START_TEST(test_journal_stream_detection)
{
	struct stat st;
	char env[64];

	capture_start();
	ck_assert_int_eq(fstat(STDERR_FILENO, &st), 0);
	unsetenv("JOURNAL_STREAM");
	ck_assert(!log_stderr_is_journal());
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	ck_assert(log_stderr_is_journal());
	log_open("test", LOG_TARGET_AUTO);
	/* the journal is used when journald is there to take the messages */
	ck_assert(log_uses_journal() == (access("/run/systemd/journal/socket", F_OK) == 0));
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", env, 1);
	ck_assert(!log_stderr_is_journal());
	log_open("test", LOG_TARGET_AUTO);
	ck_assert(!log_uses_journal());
	setenv("JOURNAL_STREAM", "garbage", 1);
	ck_assert(!log_stderr_is_journal());
	setenv("JOURNAL_STREAM", "1:2:3", 1);
	ck_assert(!log_stderr_is_journal());
	capture_stop();
}
END_TEST

/* Without a journald to talk to, a journal-bound message still reaches stderr. */
START_TEST(test_journal_fallback)
{
	if (access("/run/systemd/journal/socket", F_OK) == 0)
		return; /* a real journal would take the message; nothing to check here */
	capture_start();
	log_open("test", LOG_TARGET_JOURNAL);
	ck_assert(!log_uses_journal());
	log_set_level(LOG_INFO);
	log_warning("to the journal, or else");
	ck_assert_str_eq(captured(), "warning: to the journal, or else\n");
	capture_stop();
}
END_TEST

START_TEST(test_long_message)
{
	char big[6000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	capture_start();
	log_open("test", LOG_TARGET_STDERR);
	log_set_level(LOG_INFO);
	log_error("%s", big);
	ck_assert_uint_gt(strlen(captured()), 4000);
	ck_assert_int_eq(captured()[strlen(captured()) - 1], '\n');
	capture_stop();
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("sinks");

	tcase_add_loop_test(tc, test_level_names, 0, ARRAY_SIZE(level_rows));
	tcase_add_loop_test(tc, test_python_names, 0, ARRAY_SIZE(python_rows));
	tcase_add_test(tc, test_stderr_format);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_errno_variants);
	tcase_add_test(tc, test_journal_stream_detection);
	tcase_add_test(tc, test_journal_fallback);
	tcase_add_test(tc, test_long_message);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(log_suite)
