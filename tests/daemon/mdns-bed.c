// SPDX-License-Identifier: Apache-2.0
/*
 * The mDNS test bed (see mdns-bed.h). The namespace is anonymous
 * (unshare(CLONE_NEWNET)): it goes away with the last process in it, so a
 * crashed test cannot leave anything in `ip netns list`. mDNS multicast never
 * leaves it. avahi-daemon runs with --no-drop-root --no-chroot, IPv4 only, on
 * MDNS_IFACE only, without static services, and with a tmpfs on /run, so its
 * pid file and socket never meet the host's.
 */
#include <check.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mdns-bed.h"
#include "test-dbus.h"
#include "test-util.h"

static const char avahi_conf[] = "[server]\n"
				 "host-name=stas-zc\n"
				 "domain-name=local\n"
				 "use-ipv4=yes\n"
				 "use-ipv6=no\n"
				 "allow-interfaces=" MDNS_IFACE "\n"
				 "enable-dbus=yes\n"
				 "ratelimit-interval-usec=1000000\n"
				 "ratelimit-burst=1000\n"
				 "[wide-area]\n"
				 "enable-wide-area=no\n"
				 "[publish]\n"
				 "publish-addresses=yes\n"
				 "publish-hinfo=no\n"
				 "publish-workstation=no\n"
				 "publish-domain=no\n"
				 "[reflector]\n"
				 "enable-reflector=no\n";

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void dump(const struct mdns_bed *b)
{
	if (b->dump)
		b->dump();
}

const char *mdns_find_bin(const char *name)
{
	static const char *const dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };
	static char path[4][128];
	static int next;
	char *p = path[next++ % 4];

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(p, sizeof(path[0]), "%s/%s", dirs[i], name);
		if (access(p, X_OK) == 0)
			return p;
	}
	return NULL;
}

int mdns_preflight(const char *prog)
{
	static const char *const bins[] = { "avahi-daemon", "avahi-publish", "ip" };

	if (geteuid() != 0) {
		fprintf(stderr,
			"%s: must run as root (network and mount namespaces, avahi-daemon); "
			"run `ctest -L zeroconf` as root\n",
			prog);
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(bins); i++)
		if (!mdns_find_bin(bins[i])) {
			fprintf(stderr, "%s: %s not found: run scripts/deps.sh test\n", prog,
				bins[i]);
			return -1;
		}
	if (!test_dbus_binary()) {
		fprintf(stderr, "%s: dbus-daemon not found: run scripts/deps.sh\n", prog);
		return -1;
	}
	return 0;
}

/* avahi-daemon's own mount namespace: a tmpfs on /run and no static services. */
static int private_mounts(const struct mdns_bed *b)
{
	char empty[512];

	snprintf(empty, sizeof(empty), "%s/no-services", b->dir);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return -1;
	if (access("/etc/avahi/services", F_OK) == 0 &&
	    mount(empty, "/etc/avahi/services", NULL, MS_BIND, NULL) < 0)
		return -1;
	return 0;
}

pid_t mdns_spawn(const struct mdns_bed *b, const char *log, bool mounts, char *const argv[])
{
	pid_t parent = getpid(), pid;
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", b->dir, log);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid > 0)
		return pid;
	/* whatever ends the test process ends us too */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	if (mounts && private_mounts(b) < 0) {
		perror("private mounts");
		_exit(126);
	}
	if (b->bus_addr && b->bus_addr[0])
		setenv("DBUS_SYSTEM_BUS_ADDRESS", b->bus_addr, 1);
	execv(argv[0], argv);
	perror(argv[0]);
	_exit(127);
}

void mdns_reap(pid_t *pid, int sig)
{
	uint64_t end = now_ms() + 3000;

	if (*pid <= 0)
		return;
	kill(*pid, sig);
	while (waitpid(*pid, NULL, WNOHANG) == 0) {
		if (now_ms() > end) {
			kill(*pid, SIGKILL);
			waitpid(*pid, NULL, 0);
			break;
		}
		usleep(10000);
	}
	*pid = 0;
}

void mdns_run(const struct mdns_bed *b, const char *cmd)
{
	char line[256], *argv[16], *save = NULL;
	int status, n = 0;
	pid_t pid;

	snprintf(line, sizeof(line), "%s", cmd);
	for (char *t = strtok_r(line, " ", &save); t && n < 15; t = strtok_r(NULL, " ", &save))
		argv[n++] = t;
	argv[n] = NULL;
	argv[0] = (char *)mdns_find_bin(argv[0]);
	ck_assert_msg(argv[0], "'%s': command not found", cmd);
	pid = mdns_spawn(b, "setup.log", false, argv);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		dump(b);
		ck_abort_msg("'%s' failed (status %d)", cmd, status);
	}
}

void mdns_netns(const struct mdns_bed *b)
{
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): %m");
	mdns_run(b, "ip link set lo up");
	mdns_run(b, "ip link add " MDNS_IFACE " type veth peer name " MDNS_IFACE "p");
	mdns_run(b, "ip link set " MDNS_IFACE "p up");
	mdns_run(b, "ip link set " MDNS_IFACE " multicast on up");
	mdns_run(b, "ip addr add " MDNS_ADDR "/24 dev " MDNS_IFACE);
}

bool mdns_avahi_on_bus(const struct mdns_bed *b)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int has = 0;

	if (sd_bus_call_method(b->ctl, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", "NameHasOwner", &e, &reply, "s",
			       MDNS_AVAHI) >= 0)
		sd_bus_message_read(reply, "b", &has);
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
	return has;
}

/* Our avahi-daemon.conf and the empty directory hidden over /etc/avahi/services. */
static void avahi_files(const struct mdns_bed *b, char *conf, size_t size)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/no-services", b->dir);
	if (mkdir(path, 0755) < 0)
		ck_assert_msg(access(path, F_OK) == 0, "%s: %m", path);
	snprintf(conf, size, "%s/avahi-daemon.conf", b->dir);
	write_file(conf, avahi_conf);
}

void mdns_avahi_start(struct mdns_bed *b)
{
	char conf[512];
	uint64_t end;

	avahi_files(b, conf, sizeof(conf));
	b->avahi = mdns_spawn(b, "avahi.log", true,
			      (char *const[]){ (char *)mdns_find_bin("avahi-daemon"),
					       "--no-drop-root", "--no-chroot", "-f", conf, NULL });
	/* avahi-publish needs the name */
	for (end = now_ms() + 10000; !mdns_avahi_on_bus(b); usleep(20000)) {
		int status;

		if (waitpid(b->avahi, &status, WNOHANG) == b->avahi) {
			b->avahi = 0;
			dump(b);
			ck_abort_msg("avahi-daemon exited (status %d)", status);
		}
		if (now_ms() > end) {
			dump(b);
			ck_abort_msg("avahi-daemon did not take its bus name in 10 s");
		}
	}
}

int mdns_publish(struct mdns_bed *b, const char *name, const char *type, unsigned port,
		 const char *txt1, const char *txt2)
{
	char p[8];
	int i;

	for (i = 0; i < MDNS_PUB_MAX && b->pub[i]; i++)
		;
	ck_assert_int_lt(i, MDNS_PUB_MAX);
	snprintf(p, sizeof(p), "%u", port);
	b->pub[i] = mdns_spawn(b, "publish.log", false,
			       (char *const[]){ (char *)mdns_find_bin("avahi-publish"), "-s",
						(char *)name, (char *)type, p, (char *)txt1,
						(char *)txt2, NULL });
	return i;
}

void mdns_stop(struct mdns_bed *b)
{
	for (int i = 0; i < MDNS_PUB_MAX; i++)
		mdns_reap(&b->pub[i], SIGTERM);
	mdns_reap(&b->avahi, SIGTERM);
}
