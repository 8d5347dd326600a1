// SPDX-License-Identifier: Apache-2.0
/*
 * stafd as a process against stas-target-emu on 127.0.0.1, for what nvmet
 * cannot be made to do: a discovery log that lists 300 referrals. stafd
 * follows the first STAFD_MAX_REFERRALS of them and says so; a lying log
 * does not become hundreds of DCs. No network namespace, no VM, no root.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon-run.h"
#include "emu-ctl-client.h"
#include "stas/cleanup.h"
#include "test-util.h"

#define STAF_NAME     "org.nvmexpress.staf"
#define STAF_PATH     "/org/nvmexpress/staf"
#define STAF_IFACE    "org.nvmexpress.staf"
#define MAX_REFERRALS 256 /* STAFD_MAX_REFERRALS */
#define N_REFERRALS   300

static struct {
	struct daemon_run d;
	char dir[64];
	char sock[128];
	pid_t emu;
	unsigned port;
} t;

/* stas-target-emu with one discovery port; returns once it said READY with the port. */
static void emu_start(void)
{
	char *text = NULL, *p;
	int fds[2];

	snprintf(t.sock, sizeof(t.sock), "%s/emu.sock", t.dir);
	ck_assert_int_eq(pipe(fds), 0);
	t.emu = fork();
	ck_assert_int_ge(t.emu, 0);
	if (t.emu == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fds[1], STDOUT_FILENO);
		execl(test_env("STAS_TARGET_EMU"), "stas-target-emu", "--listen", "127.0.0.1",
		      "--discovery-ports", "1", "--ctl", t.sock, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	{
		FILE *f = fdopen(fds[0], "r");
		size_t n = 0;

		ck_assert_ptr_nonnull(f);
		/* "port 1 127.0.0.1:PORT", then "READY" */
		ck_assert_int_gt(getline(&text, &n, f), 0);
		p = strrchr(text, ':');
		ck_assert_ptr_nonnull(p);
		t.port = (unsigned)atoi(p + 1);
		ck_assert_int_gt(getline(&text, &n, f), 0);
		ck_assert_str_eq(text, "READY\n");
		free(text);
		fclose(f);
	}
}

static void emu_ctl(const char *cmd)
{
	char buf[4096];
	int r = emu_ctl_send(t.sock, cmd, buf, sizeof(buf));

	ck_assert_msg(r == 0, "emulator: '%s': %s (%s)", cmd, buf, strerror(-r));
}

static size_t n_controllers(void)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	size_t n = 0;
	int r;

	r = sd_bus_call_method(t.d.client, STAF_NAME, STAF_PATH, STAF_IFACE, "list_controllers",
			       &err, &reply, "b", 0);
	ck_assert_msg(r >= 0, "list_controllers: %s", err.message);
	ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "a{ss}"), 0);
	while ((r = sd_bus_message_skip(reply, "a{ss}")) > 0)
		n++;
	ck_assert_int_ge(r, 0);
	return n;
}

static void setup(void)
{
	char *dir = make_tmpdir();

	memset(&t, 0, sizeof(t));
	snprintf(t.dir, sizeof(t.dir), "%s", dir);
	free(dir);
	emu_start();
}

static void teardown(void)
{
	daemon_run_cleanup(&t.d);
	if (t.emu > 0) {
		kill(t.emu, SIGTERM);
		waitpid(t.emu, NULL, 0);
	}
	remove_tree(strdup(t.dir));
}

START_TEST(test_referral_fan_out)
{
	char cmd[128], conf[256];
	size_t n = 0;

	/* referrals to ports nobody listens on: each one a DC stafd would hold */
	for (unsigned i = 0; i < N_REFERRALS; i++) {
		snprintf(cmd, sizeof(cmd), "referral add 1 127.0.0.1 %u %u", 700 + i, 10 + i);
		emu_ctl(cmd);
	}
	snprintf(conf, sizeof(conf),
		 "[Controllers]\ncontroller = transport=tcp;traddr=127.0.0.1;trsvcid=%u\n", t.port);
	ck_assert_int_eq(daemon_run_start(&t.d, "stafd", test_env("STAS_STAFD"),
					  test_env("STAS_STAF_POLICY"), conf),
			 0);
	for (int i = 0; i < 100 && n != 1 + MAX_REFERRALS; i++) {
		daemon_run_pump(&t.d, 100);
		n = n_controllers();
	}
	daemon_run_pump(&t.d, 2000); /* a reconcile or two later: still the same */
	ck_assert_uint_eq(n_controllers(), 1 + MAX_REFERRALS);
	ck_assert_msg(strstr(daemon_run_log(&t.d), "lists 44 more referrals than the 256 followed"),
		      "%s", daemon_run_log(&t.d));
	ck_assert(daemon_run_alive(&t.d));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("stafd-emu");
	TCase *tc = tcase_create("stafd-emu");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_referral_fan_out);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *suite_if_bus(void)
{
	test_dbus_require("stafd-emu");
	return suite();
}

#include "../unit/check-main.h"
STAS_CHECK_MAIN(suite_if_bus)
