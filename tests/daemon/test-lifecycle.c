// SPDX-License-Identifier: Apache-2.0
/* The shared command line and the signal events. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "check-main.h"
#include "common/daemon-args.h"
#include "common/daemon-signals.h"
#include "common/log.h"
#include "stas/cleanup.h"

static const struct daemon_info info = {
	.prog = "stafd",
	.summary = "STorage Appliance Finder",
	.version = "0.1.0",
	.default_conf = "/etc/stas/stafd.conf",
};

struct args_row {
	const char *argv[6];
	int r;
	const char *conf;
	bool syslog, tron;
	int level;
	const char *out, *err; /* substrings expected in stdout / stderr */
};

static const struct args_row args_rows[] = {
	{ { NULL }, 0, "/etc/stas/stafd.conf", false, false, -1 },
	{ { "-f", "/tmp/x.conf", NULL }, 0, "/tmp/x.conf", false, false, -1 },
	{ { "--conf-file=/tmp/y.conf", "-s", NULL }, 0, "/tmp/y.conf", true, false, -1 },
	{ { "--syslog", "--tron", NULL }, 0, "/etc/stas/stafd.conf", true, true, -1 },
	{ { "--log-level", "debug", NULL }, 0, "/etc/stas/stafd.conf", false, false, LOG_DEBUG },
	{ { "--log-level=3", "-sf", "/a", NULL }, 0, "/a", true, false, LOG_ERR },
	{ { "-v", NULL }, 1, .out = "stafd (stas) 0.1.0\ncompatible with nvme-stas 3.0\n" },
	{ { "--version", NULL }, 1, .out = "compatible with nvme-stas 3.0" },
	{ { "-h", NULL },
	  1,
	  .out = "-f, --conf-file FILE   configuration file (default: "
		 "/etc/stas/stafd.conf)" },
	{ { "--help", NULL }, 1, .out = "Usage: stafd [OPTION]..." },
	{ { "-x", NULL },
	  -EINVAL,
	  .err = "stafd: unknown option '-x'\n"
		 "Try 'stafd --help' for more information.\n" },
	{ { "--idl=x", NULL }, -EINVAL, .err = "unknown option '--idl=x'" },
	{ { "-f", NULL }, -EINVAL, .err = "option '-f' needs an argument" },
	{ { "--log-level", NULL }, -EINVAL, .err = "option '--log-level' needs an argument" },
	{ { "--log-level", "loud", NULL }, -EINVAL, .err = "--log-level: unknown level 'loud'" },
	{ { "extra", NULL }, -EINVAL, .err = "unexpected argument 'extra'" },
};

START_TEST(test_args)
{
	const struct args_row *row = &args_rows[_i];
	char *argv[8] = { "stafd" }, *out_text = NULL, *err_text = NULL;
	size_t out_len = 0, err_len = 0;
	struct daemon_args a = { .conf_file = "unset" };
	FILE *out = open_memstream(&out_text, &out_len), *err = open_memstream(&err_text, &err_len);
	int argc = 1, r;

	for (int i = 0; row->argv[i]; i++)
		argv[argc++] = (char *)row->argv[i];
	r = daemon_args_parse(&info, argc, argv, out, err, &a);
	fclose(out);
	fclose(err);
	ck_assert_int_eq(r, row->r);
	if (r == 0) {
		ck_assert_str_eq(a.conf_file, row->conf);
		ck_assert_int_eq(a.syslog, row->syslog);
		ck_assert_int_eq(a.tron, row->tron);
		ck_assert_int_eq(a.log_level, row->level);
	} else {
		ck_assert_str_eq(a.conf_file, "unset"); /* untouched unless it returns 0 */
	}
	if (row->out)
		ck_assert_msg(strstr(out_text, row->out), "stdout: '%s'", out_text);
	else
		ck_assert_str_eq(out_text, "");
	if (row->err)
		ck_assert_msg(strstr(err_text, row->err), "stderr: '%s'", err_text);
	else
		ck_assert_str_eq(err_text, "");
	free(out_text);
	free(err_text);
}
END_TEST

START_TEST(test_log_level_choice)
{
	struct daemon_args a = { .log_level = -1 };

	ck_assert_int_eq(daemon_args_log_level(&a, false), LOG_INFO);
	ck_assert_int_eq(daemon_args_log_level(&a, true), LOG_DEBUG);
	a.tron = true;
	ck_assert_int_eq(daemon_args_log_level(&a, false), LOG_DEBUG);
	a.log_level = LOG_WARNING;
	ck_assert_int_eq(daemon_args_log_level(&a, true), LOG_WARNING);
}
END_TEST

struct sig_seen {
	int reloads;
	int stops;
	int last_signo;
};

static void on_reload(void *userdata)
{
	((struct sig_seen *)userdata)->reloads++;
}

static void on_stop(int signo, void *userdata)
{
	struct sig_seen *s = userdata;

	s->stops++;
	s->last_signo = signo;
}

static const struct daemon_signal_ops ops = { .reload = on_reload, .stop = on_stop };

static void run_until_handled(struct event_base *base, int signo)
{
	struct timeval t = { 2, 0 };

	ck_assert_int_eq(raise(signo), 0);
	/* the signal goes through libevent's self-pipe: one loop turn delivers it */
	event_base_loopexit(base, &t);
	ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
}

START_TEST(test_signals)
{
	struct event_base *base = event_base_new();
	struct daemon_signals *s = NULL;
	struct sig_seen seen = { 0 };
	struct sigaction sa;

	ck_assert_int_eq(daemon_signals_new(base, &ops, &seen, &s), 0);
	run_until_handled(base, SIGHUP);
	ck_assert_int_eq(seen.reloads, 1);
	ck_assert_int_eq(seen.stops, 0);
	run_until_handled(base, SIGTERM);
	ck_assert_int_eq(seen.stops, 1);
	ck_assert_int_eq(seen.last_signo, SIGTERM);
	run_until_handled(base, SIGINT);
	ck_assert_int_eq(seen.stops, 2);
	ck_assert_int_eq(seen.last_signo, SIGINT);
	ck_assert_int_eq(seen.reloads, 1);
	ck_assert_int_eq(sigaction(SIGPIPE, NULL, &sa), 0);
	ck_assert_ptr_eq(sa.sa_handler, SIG_IGN);
	ck_assert_ptr_null(daemon_signals_free(s));
	event_base_free(base);
}
END_TEST

static Suite *lifecycle_suite(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *tc = tcase_create("args and signals");

	tcase_add_loop_test(tc, test_args, 0, ARRAY_SIZE(args_rows));
	tcase_add_test(tc, test_log_level_choice);
	tcase_add_test(tc, test_signals);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(lifecycle_suite)
