// SPDX-License-Identifier: Apache-2.0
/*
 * A private dbus-daemon: --nofork so it stays our child, --print-address on
 * a pipe so we learn where it listens only once it does.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-dbus.h"
#include "test-util.h"

static const char *const allow_all = "  <policy context=\"default\">\n"
				     "    <allow user=\"*\"/>\n"
				     "    <allow own=\"*\"/>\n"
				     "    <allow send_destination=\"*\"/>\n"
				     "    <allow receive_sender=\"*\"/>\n"
				     "  </policy>\n";

const char *test_dbus_binary(void)
{
	static const char *const where[] = { "/usr/bin/dbus-daemon", "/bin/dbus-daemon",
					     "/usr/local/bin/dbus-daemon" };

	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

void test_dbus_require(const char *suite)
{
	if (test_dbus_binary())
		return;
	printf("no dbus-daemon installed: %s skipped\n", suite);
	exit(77);
}

static int write_config(struct test_dbus *d, const char *policy, char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/bus.conf", d->dir);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fprintf(f,
		"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
		"1.0//EN\"\n"
		" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
		"<busconfig>\n"
		"  <type>session</type>\n"
		"  <listen>unix:path=%s/bus</listen>\n"
		"  <auth>EXTERNAL</auth>\n"
		"%s"
		"</busconfig>\n",
		d->dir, policy ? policy : allow_all);
	return fclose(f) == 0 ? 0 : -errno;
}

/* The address line from the daemon, within 10 s. */
static int read_address(int fd, char *buf, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;

	while (len < size - 1) {
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0)
			return -ETIMEDOUT;
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			return -EIO;
		len += (size_t)n;
		buf[len] = '\0';
		if (strchr(buf, '\n')) {
			*strchr(buf, '\n') = '\0';
			return 0;
		}
	}
	return -E2BIG;
}

int test_dbus_start(struct test_dbus *d, const char *policy)
{
	const char *bin = test_dbus_binary();
	char conf[600], conf_arg[640], fd_arg[32];
	int pipefd[2], r;

	memset(d, 0, sizeof(*d));
	if (!bin)
		return -ENOENT;
	d->dir = make_tmpdir();
	r = write_config(d, policy, conf, sizeof(conf));
	if (r < 0 || pipe2(pipefd, O_CLOEXEC) < 0)
		return r < 0 ? r : -errno;
	snprintf(conf_arg, sizeof(conf_arg), "--config-file=%s", conf);
	d->pid = fork();
	if (d->pid == 0) {
		/* ends with the test process, even when a failed assertion skips the cleanup */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* the write end survives exec as fd 3 (dup2 onto itself would keep CLOEXEC) */
		if (pipefd[1] == 3)
			fcntl(3, F_SETFD, 0);
		else
			dup2(pipefd[1], 3);
		snprintf(fd_arg, sizeof(fd_arg), "--print-address=3");
		execl(bin, "dbus-daemon", conf_arg, "--nofork", "--nopidfile", "--nosyslog", fd_arg,
		      (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	r = d->pid < 0 ? -errno : read_address(pipefd[0], d->address, sizeof(d->address));
	close(pipefd[0]);
	if (r < 0)
		fprintf(stderr, "dbus-daemon did not start: %s\n", strerror(-r));
	return r;
}

void test_dbus_kill(struct test_dbus *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
		d->pid = 0;
	}
}

void test_dbus_stop(struct test_dbus *d)
{
	test_dbus_kill(d);
	if (d->dir)
		remove_tree(d->dir);
	d->dir = NULL;
}

int test_dbus_connect(const struct test_dbus *d, sd_bus **ret)
{
	sd_bus *b = NULL;
	int r;

	r = sd_bus_new(&b);
	if (r >= 0)
		r = sd_bus_set_address(b, d->address);
	if (r >= 0)
		r = sd_bus_set_bus_client(b, 1);
	if (r >= 0)
		r = sd_bus_start(b);
	if (r < 0) {
		sd_bus_unref(b);
		return r;
	}
	*ret = b;
	return 0;
}
