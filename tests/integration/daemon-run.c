// SPDX-License-Identifier: Apache-2.0
/*
 * A stas daemon run for real under a test (see daemon-run.h). The bus
 * policy is a system-bus-like default (everyone connects, nobody owns
 * names or calls methods unless allowed) plus the project's policy file
 * for the daemon's name (and any other the test names, e.g. Avahi's), so a
 * test sees what the installed policies allow. The daemon gets
 * PR_SET_PDEATHSIG(SIGKILL): it ends with the test process, also when a
 * failed assertion ends that before any cleanup ran.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon-run.h"

static const char *const system_like =
	"  <policy context=\"default\">\n"
	"    <allow user=\"*\"/>\n"
	"    <deny own=\"*\"/>\n"
	"    <deny send_type=\"method_call\"/>\n"
	"    <allow send_type=\"signal\"/>\n"
	"    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
	"    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
	"    <allow receive_type=\"method_call\"/>\n"
	"    <allow receive_type=\"method_return\"/>\n"
	"    <allow receive_type=\"error\"/>\n"
	"    <allow receive_type=\"signal\"/>\n"
	"    <allow send_destination=\"org.freedesktop.DBus\"/>\n"
	"  </policy>\n";

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -errno;
}

int daemon_run_write_conf(struct daemon_run *r, const char *conf)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/%s.conf", r->dir, r->prog);
	return write_file(path, conf);
}

static int notify_socket(struct daemon_run *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	r->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->notify_fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", r->dir);
	if (bind(r->notify_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

static int spawn(struct daemon_run *r)
{
	char conf[320], log[320], notify[320], run[320], sys[320], addr[600];
	pid_t parent = getpid();

	snprintf(conf, sizeof(conf), "%s/%s.conf", r->dir, r->prog);
	snprintf(log, sizeof(log), "%s/%s.log", r->dir, r->prog);
	snprintf(notify, sizeof(notify), "%s/notify", r->dir);
	snprintf(run, sizeof(run), "%s/run", r->dir);
	snprintf(sys, sizeof(sys), "%s/sys.conf", r->dir);
	snprintf(addr, sizeof(addr), "%s", r->bus.address);
	r->pid = fork();
	if (r->pid < 0)
		return -errno;
	if (r->pid == 0) {
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
		setenv("NOTIFY_SOCKET", notify, 1);
		setenv("RUNTIME_DIRECTORY", run, 1);
		setenv("STAS_SYS_CONF", sys, 1);
		unsetenv("JOURNAL_STREAM");
		execl(r->binary, r->prog, "-f", conf, (char *)NULL);
		_exit(127);
	}
	return daemon_run_wait_notify(r, "READY=1", 10000) ? 0 : -ETIMEDOUT;
}

/* The bus configuration's policy: system-like, then an <include> per file. */
static int bus_policy(const char *const policy_files[], char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "%s", system_like);

	for (size_t i = 0; policy_files && policy_files[i] && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "  <include>%s</include>\n",
					policy_files[i]);
	return len < size ? 0 : -ENAMETOOLONG;
}

/* The daemon's directory and files: config, sys.conf, run/, the notify socket. */
static int prepare_files(struct daemon_run *r, const char *prog, const char *binary,
			 const char *conf)
{
	const char *tmp = getenv("TMPDIR");
	char path[320];
	int e;

	memset(r, 0, sizeof(*r));
	r->prog = prog;
	r->notify_fd = -1;
	snprintf(r->binary, sizeof(r->binary), "%s", binary);
	if ((size_t)snprintf(r->dir, sizeof(r->dir), "%s/stas-%s-XXXXXX",
			     tmp && *tmp ? tmp : "/tmp", prog) >= sizeof(r->dir))
		return -ENAMETOOLONG;
	if (!mkdtemp(r->dir))
		return -errno;
	snprintf(path, sizeof(path), "%s/run", r->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys.conf", r->dir);
	/* a fixed identity: the test knows what the daemon says about itself */
	e = write_file(path, "[Host]\n"
			     "nqn = nqn.2014-08.org.nvmexpress:uuid:5a5a0000-0000-4000-8000-"
			     "0000000a11ce\n"
			     "id = 5a5a0000-0000-4000-8000-0000000a11ce\n"
			     "symname = stas-test\n");
	if (e < 0)
		return e;
	e = daemon_run_write_conf(r, conf);
	if (e < 0)
		return e;
	return notify_socket(r);
}

int daemon_run_prepare(struct daemon_run *r, const char *prog, const char *binary,
		       const char *const policy_files[], const char *conf)
{
	char policy[2048];
	int e = prepare_files(r, prog, binary, conf);

	if (e < 0)
		return e;
	e = bus_policy(policy_files, policy, sizeof(policy));
	if (e < 0)
		return e;
	e = test_dbus_start(&r->bus, policy);
	if (e < 0)
		return e;
	return test_dbus_connect(&r->bus, &r->client);
}

int daemon_run_join(struct daemon_run *r, const struct daemon_run *host, const char *prog,
		    const char *binary, const char *conf)
{
	int e = prepare_files(r, prog, binary, conf);

	if (e < 0)
		return e;
	/* the address only: pid 0 and no directory, so cleaning up leaves the bus alone */
	snprintf(r->bus.address, sizeof(r->bus.address), "%s", host->bus.address);
	return test_dbus_connect(&r->bus, &r->client);
}

int daemon_run_launch(struct daemon_run *r)
{
	return spawn(r);
}

int daemon_run_start(struct daemon_run *r, const char *prog, const char *binary,
		     const char *policy_file, const char *conf)
{
	const char *const files[] = { policy_file, NULL };
	int e = daemon_run_prepare(r, prog, binary, files, conf);

	return e < 0 ? e : daemon_run_launch(r);
}

void daemon_run_signal(struct daemon_run *r, int sig)
{
	if (r->pid > 0)
		kill(r->pid, sig);
}

bool daemon_run_alive(struct daemon_run *r)
{
	return r->pid > 0 && waitpid(r->pid, NULL, WNOHANG) == 0;
}

int daemon_run_stop(struct daemon_run *r)
{
	int status = 0;

	if (r->pid <= 0)
		return -1;
	kill(r->pid, SIGTERM);
	for (int i = 0; i < 200; i++) {
		pid_t p = waitpid(r->pid, &status, WNOHANG);

		if (p == r->pid) {
			r->pid = 0;
			daemon_run_wait_notify(r, "STOPPING=1", 10);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(50000);
	}
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	r->pid = 0;
	return -1;
}

int daemon_run_restart(struct daemon_run *r)
{
	daemon_run_stop(r);
	r->notified[0] = '\0';
	return spawn(r);
}

void daemon_run_cleanup(struct daemon_run *r)
{
	char cmd[300];

	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		r->pid = 0;
	}
	if (r->client)
		sd_bus_flush_close_unref(r->client);
	r->client = NULL;
	test_dbus_stop(&r->bus);
	if (r->notify_fd >= 0)
		close(r->notify_fd);
	r->notify_fd = -1;
	if (r->dir[0] && !getenv("STAS_TEST_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", r->dir);
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void drain_notify(struct daemon_run *r)
{
	char buf[1024];
	ssize_t n;

	while ((n = recv(r->notify_fd, buf, sizeof(buf) - 1, 0)) > 0) {
		size_t have = strlen(r->notified);

		buf[n] = '\0';
		if (have + (size_t)n + 2 < sizeof(r->notified))
			snprintf(r->notified + have, sizeof(r->notified) - have, "%s\n", buf);
	}
}

bool daemon_run_wait_notify(struct daemon_run *r, const char *what, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd p = { .fd = r->notify_fd, .events = POLLIN };

		drain_notify(r);
		if (strstr(r->notified, what))
			return true;
		if (now_ms() >= end)
			return false;
		poll(&p, 1, 50);
	}
}

const char *daemon_run_log(struct daemon_run *r)
{
	static char buf[65536];
	char path[320];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s.log", r->dir, r->prog);
	f = fopen(path, "re");
	if (!f)
		return "";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

void daemon_run_pump(struct daemon_run *r, int ms)
{
	long long end = now_ms() + ms;

	for (long long left; (left = end - now_ms()) > 0;) {
		int e = sd_bus_process(r->client, NULL);

		if (e > 0)
			continue;
		/* left, not end - now: a millisecond gone since would wrap to "wait forever" */
		sd_bus_wait(r->client, (uint64_t)left * 1000);
	}
}
