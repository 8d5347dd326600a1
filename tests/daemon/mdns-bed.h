/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An mDNS test bed for Check tests: a network namespace of the test's own
 * with a veth pair (MDNS_IFACE carries MDNS_ADDR/24), a real avahi-daemon
 * on a private bus in a mount namespace of its own, and avahi-publish runs.
 * Every process started here gets PR_SET_PDEATHSIG(SIGKILL), so it ends with
 * the test process whether the test passed or failed. Needs root.
 *
 * The helpers that can fail print the bed's logs (through ->dump) and abort
 * the running test with ck_abort_msg().
 */
#ifndef STAS_TEST_MDNS_BED_H
#define STAS_TEST_MDNS_BED_H

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#define MDNS_IFACE   "zc0"
#define MDNS_ADDR    "198.51.100.254"
#define MDNS_AVAHI   "org.freedesktop.Avahi"
#define MDNS_PUB_MAX 8

struct mdns_bed {
	const char *dir;      /* the test's temporary directory: configs and logs go here */
	const char *bus_addr; /* DBUS_SYSTEM_BUS_ADDRESS of what is started ("" or NULL: none) */
	sd_bus *ctl;	      /* a client on that bus: tells when Avahi owns its name */
	void (*dump)(void);   /* prints the logs before a failed step aborts the test */
	pid_t avahi;
	pid_t pub[MDNS_PUB_MAX];
};

/** mdns_find_bin() - @name in the usual sbin and bin directories, or NULL. */
const char *mdns_find_bin(const char *name);

/**
 * mdns_preflight() - root, avahi-daemon, avahi-publish, ip and dbus-daemon
 * are there; otherwise says what is missing on stderr (as @prog).
 * Return: 0 or -1.
 */
int mdns_preflight(const char *prog);

/**
 * mdns_spawn() - start @argv[0] (a path) with stdout and stderr appended to
 * @log in the bed's directory; @mounts: in a mount namespace of its own with
 * a tmpfs on /run and no static Avahi services.
 */
pid_t mdns_spawn(const struct mdns_bed *b, const char *log, bool mounts, char *const argv[]);

/** mdns_reap() - send @sig, SIGKILL after 3 s, reap; *@pid becomes 0. Accepts 0. */
void mdns_reap(pid_t *pid, int sig);

/** mdns_run() - run a command line (split on blanks, program looked up) and want exit 0. */
void mdns_run(const struct mdns_bed *b, const char *cmd);

/** mdns_netns() - move the calling process into a new network namespace with the veth pair. */
void mdns_netns(const struct mdns_bed *b);

/** mdns_avahi_start() - avahi-daemon with our configuration; returns once it owns its name. */
void mdns_avahi_start(struct mdns_bed *b);

/** mdns_avahi_on_bus() - Avahi owns its bus name now. */
bool mdns_avahi_on_bus(const struct mdns_bed *b);

/**
 * mdns_publish() - avahi-publish -s @name @type @port @txt1 @txt2 (either may
 * be NULL). Return: its slot in ->pub, for mdns_reap(&b->pub[slot], ...).
 */
int mdns_publish(struct mdns_bed *b, const char *name, const char *type, unsigned port,
		 const char *txt1, const char *txt2);

/** mdns_stop() - end every avahi-publish and avahi-daemon (SIGTERM first). */
void mdns_stop(struct mdns_bed *b);

#endif
