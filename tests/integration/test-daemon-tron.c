// SPDX-License-Identifier: Apache-2.0
/*
 * tron over D-Bus, stafd and stacd as processes on a private bus: root sets
 * it and everyone hears PropertiesChanged for tron and log_level; any other
 * user is refused by the daemon itself, on a bus whose policy would let the
 * Set through; a Set of the wrong type or of log_level gets sd-bus's own
 * error. The daemon asks the bus who the caller is without blocking, so it
 * keeps answering others meanwhile. Needs root (to be another user too);
 * skips without it.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon-run.h"
#include "stas/cleanup.h"
#include "test-util.h"

#define NOBODY 65534

struct daemon_case {
	const char *prog, *binary_env, *policy_env;
	const char *name, *path, *debug_iface;
};

static const struct daemon_case cases[] = {
	{ "stafd", "STAS_STAFD", "STAS_STAF_POLICY", "org.nvmexpress.staf", "/org/nvmexpress/staf",
	  "org.nvmexpress.staf.debug" },
	{ "stacd", "STAS_STACD", "STAS_STAC_POLICY", "org.nvmexpress.stac", "/org/nvmexpress/stac",
	  "org.nvmexpress.stac.debug" },
};

static struct {
	struct daemon_run d;
	char dir[64];
	bool tron_heard;
	int heard_tron;
	char heard_level[16];
} t;

static void setup(void)
{
	char *dir = make_tmpdir();

	memset(&t, 0, sizeof(t));
	snprintf(t.dir, sizeof(t.dir), "%s", dir);
	free(dir);
}

static void teardown(void)
{
	daemon_run_cleanup(&t.d);
	remove_tree(strdup(t.dir));
}

/* Start the daemon of @c on a bus with @policy_file, reachable by every user. */
static void start(const struct daemon_case *c, const char *policy_file)
{
	const char *const policies[] = { policy_file, NULL };

	ck_assert_int_eq(
		daemon_run_prepare(&t.d, c->prog, test_env(c->binary_env), policies, "[Global]\n"),
		0);
	ck_assert_int_eq(chmod(t.d.bus.dir, 0755), 0);
	ck_assert_int_eq(daemon_run_launch(&t.d), 0);
}

/* A policy like the system bus's with the daemon's name open to everyone, Set included. */
static const char *open_policy(const struct daemon_case *c)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/open.conf", t.dir);
	f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"<busconfig>\n  <policy context=\"default\">\n    <allow own=\"%s\"/>\n"
		"    <allow send_destination=\"%s\"/>\n  </policy>\n</busconfig>\n",
		c->name, c->name);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static int set_tron(sd_bus *bus, const struct daemon_case *c, int on, sd_bus_error *err)
{
	return sd_bus_set_property(bus, c->name, c->path, c->debug_iface, "tron", err, "b", on);
}

static int get_tron(const struct daemon_case *c)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int on = -1;

	ck_assert_msg(sd_bus_get_property_trivial(t.d.client, c->name, c->path, c->debug_iface,
						  "tron", &err, 'b', &on) >= 0,
		      "%s", err.message);
	return on;
}

/* PropertiesChanged: note the values of tron and log_level it carries. */
static int on_changed(sd_bus_message *m, void *ud, sd_bus_error *unused)
{
	const char *iface, *prop, *level;
	int r;

	ck_assert_int_ge(sd_bus_message_read(m, "s", &iface), 0);
	ck_assert_int_ge(sd_bus_message_enter_container(m, 'a', "{sv}"), 0);
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		ck_assert_int_ge(sd_bus_message_read(m, "s", &prop), 0);
		if (!strcmp(prop, "tron")) {
			ck_assert_int_ge(sd_bus_message_read(m, "v", "b", &t.heard_tron), 0);
			t.tron_heard = true;
		} else if (!strcmp(prop, "log_level")) {
			ck_assert_int_ge(sd_bus_message_read(m, "v", "s", &level), 0);
			snprintf(t.heard_level, sizeof(t.heard_level), "%s", level);
		} else {
			ck_assert_int_ge(sd_bus_message_skip(m, "v"), 0);
		}
		ck_assert_int_ge(sd_bus_message_exit_container(m), 0);
	}
	ck_assert_int_ge(r, 0);
	return 0;
}

static void wait_heard(void)
{
	for (int i = 0; i < 50 && !t.tron_heard; i++)
		daemon_run_pump(&t.d, 100);
	ck_assert_msg(t.tron_heard, "no PropertiesChanged for tron");
}

/* Root sets tron; the change is heard as PropertiesChanged with both values. */
START_TEST(test_root_sets_tron)
{
	const struct daemon_case *c = &cases[_i];
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	sd_bus_error err = SD_BUS_ERROR_NULL;

	start(c, test_env(c->policy_env));
	ck_assert_int_ge(sd_bus_match_signal(t.d.client, &slot, c->name, c->path,
					     "org.freedesktop.DBus.Properties", "PropertiesChanged",
					     on_changed, NULL),
			 0);
	ck_assert_int_eq(get_tron(c), 0);
	ck_assert_msg(set_tron(t.d.client, c, 1, &err) >= 0, "%s", err.message);
	ck_assert_int_eq(get_tron(c), 1); /* the answer came after the change */
	wait_heard();
	ck_assert_int_eq(t.heard_tron, 1);
	ck_assert_str_eq(t.heard_level, "DEBUG");

	t.tron_heard = false;
	ck_assert_msg(set_tron(t.d.client, c, 0, &err) >= 0, "%s", err.message);
	wait_heard();
	ck_assert_int_eq(t.heard_tron, 0);
	ck_assert_str_eq(t.heard_level, "INFO");
	ck_assert_msg(strstr(daemon_run_log(&t.d), "tron on (over D-Bus)"), "%s",
		      daemon_run_log(&t.d));
	/* a clean exit: under the sanitizers that is also "nothing leaked" */
	ck_assert_int_eq(daemon_run_stop(&t.d), 0);
}
END_TEST

/* As another user, on a bus that lets Set through: the daemon itself says no. */
static int child_set_tron(const struct daemon_case *c)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int on = -1;

	if (setgid(NOBODY) || setuid(NOBODY))
		return 10;
	if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, t.d.bus.address) < 0 ||
	    sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0)
		return 11;
	if (set_tron(bus, c, 1, &err) >= 0)
		return 12;
	if (!sd_bus_error_has_name(&err, SD_BUS_ERROR_ACCESS_DENIED) ||
	    !strstr(err.message, "only root may change tron")) {
		fprintf(stderr, "refused with %s: %s\n", err.name, err.message);
		return 13;
	}
	sd_bus_error_free(&err);
	/* reading stays open */
	if (sd_bus_get_property_trivial(bus, c->name, c->path, c->debug_iface, "tron", &err, 'b',
					&on) < 0 ||
	    on != 0)
		return 14;
	return 0;
}

START_TEST(test_other_user_refused_by_daemon)
{
	const struct daemon_case *c = &cases[_i];
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int status;
	pid_t pid;

	start(c, open_policy(c));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(child_set_tron(c));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);
	ck_assert_int_eq(get_tron(c), 0);
	ck_assert_ptr_null(strstr(daemon_run_log(&t.d), "tron on"));

	/* what is not a Set of tron as a boolean is sd-bus's to refuse */
	ck_assert_int_lt(sd_bus_set_property(t.d.client, c->name, c->path, c->debug_iface, "tron",
					     &err, "s", "yes"),
			 0);
	ck_assert_msg(sd_bus_error_has_name(&err, SD_BUS_ERROR_INVALID_ARGS), "%s", err.name);
	sd_bus_error_free(&err);
	ck_assert_int_lt(sd_bus_set_property(t.d.client, c->name, c->path, c->debug_iface,
					     "log_level", &err, "s", "DEBUG"),
			 0);
	ck_assert_msg(sd_bus_error_has_name(&err, SD_BUS_ERROR_PROPERTY_READ_ONLY), "%s", err.name);
	sd_bus_error_free(&err);
	ck_assert_int_eq(get_tron(c), 0);
	ck_assert_int_eq(daemon_run_stop(&t.d), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-tron");
	TCase *tc = tcase_create("tron");
	SRunner *sr;
	int failed;

	test_dbus_require("daemon-tron");
	if (geteuid() != 0) {
		printf("skipped: being another user takes root\n");
		return 77;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_root_sets_tron, 0, ARRAY_SIZE(cases));
	tcase_add_loop_test(tc, test_other_user_refused_by_daemon, 0, ARRAY_SIZE(cases));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
