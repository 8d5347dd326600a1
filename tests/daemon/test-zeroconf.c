// SPDX-License-Identifier: Apache-2.0
/*
 * stafd's zeroconf (daemons/stafd/stafd-zeroconf.c) against a real
 * avahi-daemon, and against a scripted fake Avahi for what a real one never
 * sends (malformed signals, races, floods).
 *
 * Every test runs in Check's forked child, which first moves into the mDNS
 * test bed's network namespace (mdns-bed.h: a veth pair zc0/zc0p with
 * 198.51.100.254/24, avahi-daemon in a mount namespace of its own). A
 * private dbus-daemon (system-bus-like policy: only org.freedesktop.Avahi
 * may be owned) listens in a temporary directory. Every process we start
 * gets PR_SET_PDEATHSIG(SIGKILL): when the test process ends, passing or
 * failing, they end with it.
 *
 * zc logs to a file (stderr redirected) that the tests search; on a failed
 * wait the logs are printed (STAS_ZC_LOGS=1: after every test).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/bus-event.h"
#include "common/log.h"
#include "mdns-bed.h"
#include "stafd-zeroconf.h"
#include "test-dbus.h"
#include "test-util.h"

#define IFACE	       MDNS_IFACE
#define ADDR	       MDNS_ADDR
#define DC_NQN	       "nqn.2014-08.org.example:zc-dc"
#define TCP_TYPE       "_nvme-disc._tcp"
#define UDP_TYPE       "_nvme-disc._udp"
#define N_LISTEN       8

#define AVAHI_NAME     MDNS_AVAHI
#define AVAHI_SERVER   "org.freedesktop.Avahi.Server"
#define AVAHI_BROWSER  "org.freedesktop.Avahi.ServiceBrowser"
#define AVAHI_RESOLVER "org.freedesktop.Avahi.ServiceResolver"

#define NOT_AVAILABLE  "avahi-daemon not available, operating w/o mDNS discovery."

/* The fake Avahi: what zc asked of it. */
struct fake {
	sd_bus *bus;
	struct bus_event *be;
	int browsers, resolvers, frees;
	char browser_path[2][64]; /* [0] _tcp, [1] _udp */
	char resolver_name[2048][64];
	char freed[64][64];
	sd_bus_message *held; /* a ServiceResolverNew answered later */
	char held_path[64];
};

static struct ctx {
	char *dir;
	char bus_addr[500];
	int saved_stderr;
	pid_t dbus;
	struct mdns_bed bed; /* avahi-daemon and avahi-publish */
	int listeners[N_LISTEN];
	struct event_base *base;
	struct event *tick;
	sd_bus *bus, *ctl;
	struct bus_event *be;
	struct zc *zc;
	int changed;
	struct fake fake;
} ctx;

static char *top_dir; /* made by main(), removed after all tests, whatever happened */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- logs ---- */

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return strdup("");
	buf = calloc(1, 8 << 20);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, (8 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int log_count(const char *needle)
{
	char path[512], *text, *p;
	int n = 0;

	snprintf(path, sizeof(path), "%s/zc.log", ctx.dir);
	text = read_all(path);
	for (p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	free(text);
	return n;
}

static void dump_logs(void)
{
	static const char *const names[] = { "zc.log", "avahi.log", "dbus.log", "publish.log" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[512], *text;

		snprintf(path, sizeof(path), "%s/%s", ctx.dir, names[i]);
		text = read_all(path);
		dprintf(ctx.saved_stderr, "---- %s ----\n%s", names[i], text);
		free(text);
	}
}

/* ---- the loop ---- */

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
}

/* Run the loop until @cond holds; after @ms, print the logs and fail. */
#define WAIT_FOR(cond, ms, ...)                                                                    \
	do {                                                                                       \
		uint64_t _end = now_ms() + (ms);                                                   \
		while (!(cond)) {                                                                  \
			if (now_ms() > _end) {                                                     \
				dump_logs();                                                       \
				ck_abort_msg(__VA_ARGS__);                                         \
			}                                                                          \
			event_base_loop(ctx.base, EVLOOP_ONCE);                                    \
		}                                                                                  \
	} while (0)

static void run_for(unsigned ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end)
		event_base_loop(ctx.base, EVLOOP_ONCE);
}

static void on_changed(void *arg)
{
	ctx.changed++;
}

static const struct zc_ops zc_ops = { .changed = on_changed };

static void zc_start(void)
{
	ck_assert_int_eq(zc_new(ctx.be, ctx.base, &zc_ops, NULL, &ctx.zc), 0);
}

/* The reported service on @port, or NULL. */
static const struct zc_service *svc_on(unsigned port)
{
	const struct zc_service *v;
	size_t n = zc_services(ctx.zc, &v);
	char p[8];

	snprintf(p, sizeof(p), "%u", port);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].tid.trsvcid, p))
			return &v[i];
	return NULL;
}

static size_t n_services(void)
{
	const struct zc_service *v;

	return zc_services(ctx.zc, &v);
}

/* A field of a service in zc_status_json(), "" when absent; @out gets a copy. */
static const char *status_field(const char *key, const char *field, char *out, size_t size)
{
	json_object *o = zc_status_json(ctx.zc), *svcs, *svc, *v;

	ck_assert_ptr_nonnull(o);
	out[0] = '\0';
	if (json_object_object_get_ex(o, "services", &svcs) &&
	    json_object_object_get_ex(svcs, key, &svc) && json_object_object_get_ex(svc, field, &v))
		snprintf(out, size, "%s", json_object_get_string(v));
	json_object_put(o);
	return out;
}

/* ---- processes ---- */

static void write_text(const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", ctx.dir, name);
	write_file(path, text);
}

static void dbus_start(void)
{
	char conf[2048], arg[600];
	struct test_dbus d = { 0 };
	sd_bus *probe = NULL;
	uint64_t end;

	snprintf(conf, sizeof(conf),
		 "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
		 "1.0//EN\"\n \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
		 "<busconfig>\n  <type>system</type>\n  <listen>unix:path=%s/bus</listen>\n"
		 "  <auth>EXTERNAL</auth>\n  <policy context=\"default\">\n"
		 "    <allow user=\"*\"/>\n    <deny own=\"*\"/>\n"
		 "    <allow own=\"" AVAHI_NAME "\"/>\n"
		 "    <allow send_destination=\"*\"/>\n    <allow receive_sender=\"*\"/>\n"
		 "  </policy>\n</busconfig>\n",
		 ctx.dir);
	write_text("bus.conf", conf);
	snprintf(arg, sizeof(arg), "--config-file=%s/bus.conf", ctx.dir);
	ck_assert_msg(test_dbus_binary(), "no dbus-daemon: run scripts/deps.sh test");
	ctx.dbus = mdns_spawn(&ctx.bed, "dbus.log", false,
			      (char *const[]){ (char *)test_dbus_binary(), arg, "--nofork",
					       "--nopidfile", "--nosyslog", NULL });
	snprintf(ctx.bus_addr, sizeof(ctx.bus_addr), "unix:path=%s/bus", ctx.dir);
	snprintf(d.address, sizeof(d.address), "%s", ctx.bus_addr);
	for (end = now_ms() + 5000; test_dbus_connect(&d, &probe) < 0; usleep(20000))
		if (now_ms() > end) {
			dump_logs();
			ck_abort_msg("the private dbus-daemon did not start");
		}
	sd_bus_flush_close_unref(probe);
	ck_assert_int_ge(test_dbus_connect(&d, &ctx.bus), 0);
	ck_assert_int_ge(test_dbus_connect(&d, &ctx.ctl), 0);
	ctx.bed.ctl = ctx.ctl;
}

static void listen_on(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd, one = 1, i;

	for (i = 0; i < N_LISTEN && ctx.listeners[i] >= 0; i++)
		;
	ck_assert_int_lt(i, N_LISTEN);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ck_assert_msg(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "bind %u: %m", port);
	ck_assert_int_eq(listen(fd, 64), 0);
	ctx.listeners[i] = fd;
}

/* ---- fixtures ---- */

static void setup_plain(void)
{
	const struct timeval tick = { 0, 20000 };
	char path[512];
	int fd;

	memset(&ctx, 0, sizeof(ctx));
	for (int i = 0; i < N_LISTEN; i++)
		ctx.listeners[i] = -1;
	snprintf(path, sizeof(path), "%s/test-XXXXXX", top_dir);
	ctx.dir = strdup(path);
	ck_assert_ptr_nonnull(mkdtemp(ctx.dir));
	ctx.bed.dir = ctx.dir;
	ctx.bed.bus_addr = ctx.bus_addr;
	ctx.bed.dump = dump_logs;

	/* zc's log goes to a file we can search */
	ctx.saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	snprintf(path, sizeof(path), "%s/zc.log", ctx.dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log_open("test-zeroconf", LOG_TARGET_STDERR);
	log_set_level(LOG_DEBUG);

	mdns_netns(&ctx.bed);

	dbus_start();
	ctx.base = event_base_new();
	ck_assert_ptr_nonnull(ctx.base);
	ctx.tick = event_new(ctx.base, -1, EV_PERSIST, on_tick, NULL);
	event_add(ctx.tick, &tick);
	ck_assert_int_eq(bus_event_attach(ctx.bus, ctx.base, NULL, NULL, &ctx.be), 0);
}

static void setup_avahi(void)
{
	setup_plain();
	mdns_avahi_start(&ctx.bed);
	zc_start();
}

static void teardown(void)
{
	if (getenv("STAS_ZC_LOGS")) /* the logs of passing tests too */
		dump_logs();
	zc_free(ctx.zc);
	ctx.zc = NULL;
	if (ctx.fake.be)
		bus_event_detach(ctx.fake.be);
	sd_bus_message_unref(ctx.fake.held);
	sd_bus_flush_close_unref(ctx.fake.bus);
	bus_event_detach(ctx.be);
	sd_bus_flush_close_unref(ctx.bus);
	sd_bus_flush_close_unref(ctx.ctl);
	mdns_stop(&ctx.bed);
	mdns_reap(&ctx.dbus, SIGTERM);
	for (int i = 0; i < N_LISTEN; i++)
		if (ctx.listeners[i] >= 0)
			close(ctx.listeners[i]);
	event_free(ctx.tick);
	event_base_free(ctx.base);
	dup2(ctx.saved_stderr, STDERR_FILENO);
	close(ctx.saved_stderr);
	remove_tree(ctx.dir);
}

/* ---- against avahi-daemon ---- */

START_TEST(test_found_then_removed)
{
	const struct zc_service *s;
	char v[256];
	int pub;

	listen_on(18009);
	pub = mdns_publish(&ctx.bed, "zc-dc", TCP_TYPE, 18009, "p=tcp", "nqn=" DC_NQN);
	WAIT_FOR(svc_on(18009), 15000, "zc-dc was not reported within 15 s");
	s = svc_on(18009);
	ck_assert_str_eq(s->tid.transport, "tcp");
	ck_assert_str_eq(s->tid.traddr, ADDR);
	ck_assert_str_eq(s->tid.trsvcid, "18009");
	ck_assert_str_eq(s->tid.host_iface, IFACE);
	ck_assert_str_eq(s->tid.subsysnqn, DC_NQN);
	ck_assert_str_eq(s->tid.host_traddr, "");
	ck_assert_str_eq(s->tid.host_nqn, "");
	ck_assert_uint_eq(n_services(), 1);
	WAIT_FOR(ctx.changed >= 1, 1000, "ops->changed was not called");
	ck_assert_str_eq(status_field("(zc0, IPv4, zc-dc.local, _nvme-disc._tcp)", "reachable", v,
				      sizeof(v)),
			 "True");
	ck_assert_str_eq(status_field("(zc0, IPv4, zc-dc.local, _nvme-disc._tcp)", "subsysnqn", v,
				      sizeof(v)),
			 DC_NQN);

	ctx.changed = 0;
	mdns_reap(&ctx.bed.pub[pub], SIGTERM); /* avahi-publish withdraws: a goodbye */
	WAIT_FOR(n_services() == 0, 10000, "zc-dc still reported 10 s after avahi-publish ended");
	WAIT_FOR(ctx.changed >= 1, 1000, "ops->changed was not called on removal");
	ck_assert_str_eq(status_field("(zc0, IPv4, zc-dc.local, _nvme-disc._tcp)", "reachable", v,
				      sizeof(v)),
			 "");
	ck_assert_int_ge(log_count("'zc-dc' (_nvme-disc._tcp, zc0, IPv4) removed"), 1);
}
END_TEST

/* A CDC that announces before it listens is reported only once it listens. */
START_TEST(test_unreachable_until_listening)
{
	static const char key[] = "(zc0, IPv4, zc-late.local, _nvme-disc._tcp)";
	char v[64];
	uint64_t t0;

	mdns_publish(&ctx.bed, "zc-late", TCP_TYPE, 18010, "p=tcp", "nqn=" DC_NQN);
	WAIT_FOR(!strcmp(status_field(key, "state", v, sizeof(v)), "waiting"), 15000,
		 "zc-late was not resolved and probed within 15 s");
	ck_assert_str_eq(status_field(key, "reachable", v, sizeof(v)), "False");
	ck_assert_str_eq(status_field(key, "traddr", v, sizeof(v)), ADDR);
	ck_assert_ptr_null(svc_on(18010));
	run_for(500);
	ck_assert_ptr_null(svc_on(18010));
	ck_assert_int_eq(ctx.changed, 0);

	listen_on(18010);
	t0 = now_ms();
	/* the first retry is 2 s after the first failure, the second 5 s after that */
	WAIT_FOR(svc_on(18010), 10000, "zc-late not reported 10 s after it started listening");
	ck_assert_uint_le(now_ms() - t0, 9000); /* the third retry would be 10 s later */
	ck_assert_str_eq(status_field(key, "reachable", v, sizeof(v)), "True");
	WAIT_FOR(ctx.changed >= 1, 1000, "ops->changed was not called");
}
END_TEST

/* p= decides the transport; a bad or missing one is an error and the service is ignored. */
START_TEST(test_txt_transport)
{
	const struct zc_service *s;

	listen_on(18011);
	listen_on(18012);
	listen_on(18013);
	mdns_publish(&ctx.bed, "zc-foo", TCP_TYPE, 18011, "p=foo", "nqn=" DC_NQN);
	mdns_publish(&ctx.bed, "zc-nop", TCP_TYPE, 18012, "nqn=" DC_NQN, "x=y");
	mdns_publish(&ctx.bed, "zc-roce", UDP_TYPE, 4420, "P=RoCE", "NQN=" DC_NQN);
	mdns_publish(&ctx.bed, "zc-good", TCP_TYPE, 18013, "p=tcp", "junk");
	WAIT_FOR(svc_on(18013) && svc_on(4420), 15000, "zc-good and zc-roce not both reported");
	WAIT_FOR(log_count("'zc-foo'") >= 1 && log_count("'zc-nop'") >= 1, 5000,
		 "the bad services were not logged");
	ck_assert_int_ge(log_count("error: mDNS: 'zc-foo' (_nvme-disc._tcp, zc0, IPv4): "
				   "TXT p=foo is not tcp, roce, iwarp or rdma; ignoring it"),
			 1);
	ck_assert_int_ge(log_count("error: mDNS: 'zc-nop' (_nvme-disc._tcp, zc0, IPv4): "
				   "TXT p=(absent)"),
			 1);
	run_for(500);
	ck_assert_uint_eq(n_services(), 2);

	s = svc_on(4420);
	ck_assert_str_eq(s->tid.transport, "rdma");
	ck_assert_str_eq(s->tid.traddr, ADDR);
	ck_assert_str_eq(s->tid.host_iface, ""); /* host-iface is a tcp thing */
	ck_assert_str_eq(s->tid.subsysnqn, DC_NQN);
	s = svc_on(18013);
	ck_assert_str_eq(s->tid.transport, "tcp");
	ck_assert_str_eq(s->tid.subsysnqn, "nqn.2014-08.org.nvmexpress.discovery");
}
END_TEST

/* avahi-daemon dies and comes back: services are dropped, then browsed for again. */
START_TEST(test_avahi_restart)
{
	json_object *o, *v;
	int pub;

	listen_on(18014);
	pub = mdns_publish(&ctx.bed, "zc-dc", TCP_TYPE, 18014, "p=tcp", "nqn=" DC_NQN);
	WAIT_FOR(svc_on(18014), 15000, "zc-dc was not reported within 15 s");
	ck_assert_int_eq(log_count(NOT_AVAILABLE), 0);

	mdns_reap(&ctx.bed.avahi, SIGKILL);
	WAIT_FOR(n_services() == 0, 5000, "services still reported after avahi-daemon died");
	WAIT_FOR(log_count(NOT_AVAILABLE) == 1, 2000, "'%s' not logged", NOT_AVAILABLE);
	o = zc_status_json(ctx.zc);
	ck_assert(json_object_object_get_ex(o, "avahi wake up timer", &v));
	ck_assert_msg(!strstr(json_object_get_string(v), "off"), "wake timer: %s",
		      json_object_get_string(v));
	json_object_put(o);
	/* SIGHUP's kick asks again at once; still absent, and said only once */
	zc_kick(ctx.zc);
	run_for(500);
	ck_assert_int_eq(log_count(NOT_AVAILABLE), 1);
	mdns_reap(&ctx.bed.pub[pub], SIGTERM);

	mdns_avahi_start(&ctx.bed);
	mdns_publish(&ctx.bed, "zc-dc", TCP_TYPE, 18014, "p=tcp", "nqn=" DC_NQN);
	WAIT_FOR(svc_on(18014), 15000, "zc-dc not found again after avahi-daemon restarted");
	ck_assert_int_eq(log_count("avahi-daemon is available"), 2);
	o = zc_status_json(ctx.zc);
	ck_assert(json_object_object_get_ex(o, "avahi wake up timer", &v));
	ck_assert_str_eq(json_object_get_string(v), "60s [off]");
	json_object_put(o);
}
END_TEST

/* Avahi absent when zc starts: said once, then followed when it appears. */
START_TEST(test_avahi_late)
{
	zc_start();
	WAIT_FOR(log_count(NOT_AVAILABLE) == 1, 5000, "'%s' not logged", NOT_AVAILABLE);
	run_for(300);
	ck_assert_int_eq(log_count(NOT_AVAILABLE), 1);
	listen_on(18015);
	mdns_avahi_start(&ctx.bed);
	mdns_publish(&ctx.bed, "zc-dc", TCP_TYPE, 18015, "p=tcp", "nqn=" DC_NQN);
	WAIT_FOR(svc_on(18015), 15000, "zc-dc not found after avahi-daemon started");
	ck_assert_int_eq(log_count(NOT_AVAILABLE), 1);
}
END_TEST

START_TEST(test_disable_drops_everything)
{
	json_object *o, *v;

	listen_on(18016);
	mdns_publish(&ctx.bed, "zc-dc", TCP_TYPE, 18016, "p=tcp", "nqn=" DC_NQN);
	WAIT_FOR(svc_on(18016), 15000, "zc-dc was not reported within 15 s");
	WAIT_FOR(ctx.changed >= 1, 1000, "ops->changed was not called");
	ctx.changed = 0;

	ck_assert_int_eq(zc_enable(ctx.zc, false), 0);
	ck_assert_uint_eq(n_services(), 0);
	WAIT_FOR(ctx.changed == 1, 1000, "ops->changed was not called after zc_enable(false)");
	o = zc_status_json(ctx.zc);
	ck_assert(json_object_object_get_ex(o, "services", &v));
	ck_assert_int_eq(json_object_object_length(v), 0);
	ck_assert(json_object_object_get_ex(o, "service types", &v));
	ck_assert_int_eq(json_object_array_length(v), 0);
	json_object_put(o);
	run_for(1500); /* nothing comes back while disabled */
	ck_assert_uint_eq(n_services(), 0);

	ck_assert_int_eq(zc_enable(ctx.zc, true), 0);
	WAIT_FOR(svc_on(18016), 15000, "zc-dc not reported again after zc_enable(true)");
}
END_TEST

/* ---- against a fake Avahi ---- */

static int fake_version(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return sd_bus_reply_method_return(m, "s", "avahi 0.8 (fake)");
}

static int fake_browser_new(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fake *f = userdata;
	const char *type, *domain;
	int32_t ifindex, proto;
	char path[64];
	uint32_t flags;

	ck_assert_int_gt(sd_bus_message_read(m, "iissu", &ifindex, &proto, &type, &domain, &flags),
			 0);
	ck_assert_int_eq(ifindex, -1);
	ck_assert_int_eq(proto, -1);
	ck_assert_str_eq(domain, "local");
	snprintf(path, sizeof(path), "/Client1/ServiceBrowser%d", ++f->browsers);
	snprintf(f->browser_path[!strcmp(type, UDP_TYPE)], sizeof(f->browser_path[0]), "%s", path);
	return sd_bus_reply_method_return(m, "o", path);
}

static void fake_found(const char *path, int32_t ifindex, const char *name, const char *addr,
		       uint16_t port, const char *const *txt, size_t n);

static int fake_resolver_new(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fake *f = userdata;
	const char *name, *type, *domain;
	int32_t ifindex, proto, aproto;
	char path[64];
	uint32_t flags;

	ck_assert_int_gt(sd_bus_message_read(m, "iisssiu", &ifindex, &proto, &name, &type, &domain,
					     &aproto, &flags),
			 0);
	ck_assert_int_eq(aproto, proto); /* the family the service was seen on */
	ck_assert_uint_eq(flags, 0);
	ck_assert_int_lt(f->resolvers, (int)ARRAY_SIZE(f->resolver_name));
	snprintf(f->resolver_name[f->resolvers], sizeof(f->resolver_name[0]), "%s", name);
	snprintf(path, sizeof(path), "/Client1/ServiceResolver%d", ++f->resolvers);
	if (!strcmp(name, "fake-early")) {
		/* Found before the reply: the client does not know the path yet */
		const char *txt[] = { "p=tcp" };

		fake_found(path, 1, name, "127.0.0.2", 18020, txt, 1);
	}
	if (!strcmp(name, "fake-held")) {
		f->held = sd_bus_message_ref(m);
		snprintf(f->held_path, sizeof(f->held_path), "%s", path);
		return 1;
	}
	return sd_bus_reply_method_return(m, "o", path);
}

static int fake_object(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fake *f = userdata;

	if (!sd_bus_message_is_method_call(m, NULL, "Free"))
		return 0;
	if (f->frees < (int)ARRAY_SIZE(f->freed))
		snprintf(f->freed[f->frees], sizeof(f->freed[0]), "%s", sd_bus_message_get_path(m));
	f->frees++;
	return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable fake_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("GetVersionString", "", "s", fake_version, 0),
	SD_BUS_METHOD("ServiceBrowserNew", "iissu", "o", fake_browser_new, 0),
	SD_BUS_METHOD("ServiceResolverNew", "iisssiu", "o", fake_resolver_new, 0),
	SD_BUS_VTABLE_END,
};

static bool freed(const char *path)
{
	for (int i = 0; i < ctx.fake.frees && i < (int)ARRAY_SIZE(ctx.fake.freed); i++)
		if (!strcmp(ctx.fake.freed[i], path))
			return true;
	return false;
}

static void fake_send(sd_bus_message *m)
{
	ck_assert_int_ge(sd_bus_send(ctx.fake.bus, m, NULL), 0);
	sd_bus_message_unref(m);
	bus_event_kick(ctx.fake.be);
}

static void fake_item(const char *member, const char *path, int32_t ifindex, const char *name,
		      const char *type)
{
	sd_bus_message *m = NULL;

	ck_assert_int_ge(sd_bus_message_new_signal(ctx.fake.bus, &m, path, AVAHI_BROWSER, member),
			 0);
	ck_assert_int_ge(sd_bus_message_append(m, "iisssu", ifindex, 0, name, type, "local", 0u),
			 0);
	fake_send(m);
}

static void fake_found_txt(const char *path, int32_t ifindex, const char *name, const char *addr,
			   uint16_t port, const char *const *txt, const size_t *len, size_t n)
{
	sd_bus_message *m = NULL;

	ck_assert_int_ge(sd_bus_message_new_signal(ctx.fake.bus, &m, path, AVAHI_RESOLVER, "Found"),
			 0);
	ck_assert_int_ge(sd_bus_message_append(m, "iissssisq", ifindex, 0, name, TCP_TYPE, "local",
					       "fake.local", 0, addr, port),
			 0);
	ck_assert_int_ge(sd_bus_message_open_container(m, 'a', "ay"), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_ge(
			sd_bus_message_append_array(m, 'y', txt[i], len ? len[i] : strlen(txt[i])),
			0);
	ck_assert_int_ge(sd_bus_message_close_container(m), 0);
	ck_assert_int_ge(sd_bus_message_append(m, "u", 0u), 0);
	fake_send(m);
}

static void fake_found(const char *path, int32_t ifindex, const char *name, const char *addr,
		       uint16_t port, const char *const *txt, size_t n)
{
	fake_found_txt(path, ifindex, name, addr, port, txt, NULL, n);
}

static void fake_raw(const char *path, const char *iface, const char *member)
{
	sd_bus_message *m = NULL;

	ck_assert_int_ge(sd_bus_message_new_signal(ctx.fake.bus, &m, path, iface, member), 0);
	ck_assert_int_ge(sd_bus_message_append(m, "s", "junk"), 0);
	fake_send(m);
}

/* The resolver path zc got for @name, or NULL. */
static const char *resolver_of(const char *name)
{
	static char path[64];

	for (int i = 0; i < ctx.fake.resolvers; i++)
		if (!strcmp(ctx.fake.resolver_name[i], name)) {
			snprintf(path, sizeof(path), "/Client1/ServiceResolver%d", i + 1);
			return path;
		}
	return NULL;
}

static void setup_fake(void)
{
	struct fake *f = &ctx.fake;
	struct test_dbus d = { 0 };

	setup_plain();
	snprintf(d.address, sizeof(d.address), "%s", ctx.bus_addr);
	ck_assert_int_ge(test_dbus_connect(&d, &f->bus), 0);
	ck_assert_int_ge(sd_bus_add_object_vtable(f->bus, NULL, "/", AVAHI_SERVER, fake_vtable, f),
			 0);
	ck_assert_int_ge(sd_bus_add_fallback(f->bus, NULL, "/Client1", fake_object, f), 0);
	ck_assert_int_ge(sd_bus_request_name(f->bus, AVAHI_NAME, 0), 0);
	ck_assert_int_eq(bus_event_attach(f->bus, ctx.base, NULL, NULL, &f->be), 0);
	zc_start();
	WAIT_FOR(f->browsers == 2, 5000, "zc did not create its two browsers");
	run_for(200); /* and has their paths */
	ck_assert_str_eq(f->browser_path[0], "/Client1/ServiceBrowser1");
}

START_TEST(test_fake_malformed)
{
	const char *tcp = ctx.fake.browser_path[0];
	char longname[100], big[300], badnqn[64];
	const char *txt[300];
	size_t len[300];
	const char *r;

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	fake_raw(tcp, AVAHI_BROWSER, "ItemNew");	     /* wrong signature */
	fake_item("ItemNew", tcp, 1, longname, TCP_TYPE);    /* name too long */
	fake_item("ItemNew", tcp, 0, "fake-noif", TCP_TYPE); /* no interface */
	fake_item("ItemNew", "/Client9/ServiceBrowser1", 1, "fake-other", TCP_TYPE); /* not ours */
	fake_item("ItemNew", tcp, 1, "fake-other-type", "_http._tcp");		     /* not ours */
	fake_item("ItemNew", tcp, 1, "fake-a", TCP_TYPE);
	WAIT_FOR(resolver_of("fake-a"), 3000, "no ServiceResolverNew for fake-a");
	ck_assert_int_eq(ctx.fake.resolvers, 1); /* none of the ones before */
	ck_assert_int_eq(log_count("Ignoring a malformed ItemNew signal from Avahi: not (iisssu)"),
			 1);
	ck_assert_int_eq(log_count("malformed ItemNew signal from Avahi: an empty name or one "
				   "longer than 63 bytes"),
			 1);
	ck_assert_int_eq(log_count("malformed ItemNew signal from Avahi: no interface index"), 1);
	r = resolver_of("fake-a");
	listen_on(18019);

	/* Found: wrong signature, too many strings, a too long string, a bad NQN */
	fake_raw(r, AVAHI_RESOLVER, "Found");
	for (size_t i = 0; i < ARRAY_SIZE(txt); i++)
		txt[i] = "p=tcp";
	fake_found(r, 1, "fake-a", "127.0.0.1", 18019, txt, 300);
	memset(big, 'x', sizeof(big));
	memcpy(big, "nqn=", 4);
	txt[0] = big;
	len[0] = sizeof(big);
	fake_found_txt(r, 1, "fake-a", "127.0.0.1", 18019, txt, len, 1);
	txt[0] = "p=tcp";
	txt[1] = "nqn=nqn.bad name";
	fake_found(r, 1, "fake-a", "127.0.0.1", 18019, txt, 2);
	snprintf(badnqn, sizeof(badnqn), "nqn=nqn.x%cy", 0);
	txt[1] = badnqn;
	len[0] = strlen(txt[0]);
	len[1] = 12; /* with the NUL inside */
	fake_found_txt(r, 1, "fake-a", "127.0.0.1", 18019, txt, len, 2);
	txt[1] = "nqn=nqn.x\001y"; /* a control byte is judged, not cleaned up */
	fake_found(r, 1, "fake-a", "127.0.0.1", 18019, txt, 2);
	txt[0] = "p=t\001p";
	fake_found(r, 1, "fake-a", "127.0.0.1", 18019, txt, 1);
	txt[0] = "p=tcp";
	fake_found(r, 1, "fake-a", "not-an-address", 18019, txt, 1);
	/* and finally a good one, keys in other cases */
	txt[0] = "P=TCP";
	txt[1] = "Nqn=" DC_NQN;
	fake_found(r, 1, "fake-a", "127.0.0.1", 18019, txt, 2);
	WAIT_FOR(svc_on(18019), 5000, "fake-a was not reported");
	ck_assert_str_eq(svc_on(18019)->tid.host_iface, "lo");
	ck_assert_str_eq(svc_on(18019)->tid.subsysnqn, DC_NQN);
	ck_assert_int_eq(log_count("malformed ServiceResolver.Found signal from Avahi: not "
				   "(iissssisqaayu)"),
			 1);
	ck_assert_int_eq(log_count("from Avahi: more than 256 TXT strings"), 1);
	ck_assert_int_eq(log_count("from Avahi: a TXT string longer than 255 bytes"), 1);
	ck_assert_int_eq(log_count("TXT nqn has byte 0x20 at offset 7"), 1);
	ck_assert_int_eq(log_count("TXT nqn= is too long or holds a NUL byte"), 1);
	ck_assert_int_eq(log_count("address 'not-an-address' is not an IP address"), 1);
	ck_assert_int_eq(log_count("TXT nqn has byte 0x01 at offset 5"), 1);
	ck_assert_int_eq(log_count("TXT p=t?p is not tcp"), 1);
	ck_assert_uint_eq(n_services(), 1);
}
END_TEST

/* Found before ServiceResolverNew returns; ItemRemove before it returns; Free on the way out. */
START_TEST(test_fake_races_and_free)
{
	const char *tcp = ctx.fake.browser_path[0];
	const char *txt[] = { "p=tcp" };
	char held[64];
	sd_bus_message *reply = NULL;

	listen_on(18020);
	fake_item("ItemNew", tcp, 1, "fake-early", TCP_TYPE);
	WAIT_FOR(svc_on(18020), 5000, "a Found sent before the resolver's path was lost");

	/* ItemRemove while ServiceResolverNew is pending: the late reply's resolver is freed */
	fake_item("ItemNew", tcp, 1, "fake-held", TCP_TYPE);
	WAIT_FOR(ctx.fake.held, 3000, "no ServiceResolverNew for fake-held");
	snprintf(held, sizeof(held), "%s", ctx.fake.held_path);
	fake_item("ItemRemove", tcp, 1, "fake-held", TCP_TYPE);
	run_for(200);
	ck_assert_int_ge(sd_bus_message_new_method_return(ctx.fake.held, &reply), 0);
	ck_assert_int_ge(sd_bus_message_append(reply, "o", held), 0);
	fake_send(reply);
	WAIT_FOR(freed(held), 3000, "the orphaned resolver %s was not freed", held);

	/* the same address from another interface: an error, the first one stays */
	fake_item("ItemNew", tcp, (int32_t)if_nametoindex(IFACE), "fake-dup", TCP_TYPE);
	WAIT_FOR(resolver_of("fake-dup"), 3000, "no ServiceResolverNew for fake-dup");
	fake_found(resolver_of("fake-dup"), (int32_t)if_nametoindex(IFACE), "fake-dup", "127.0.0.2",
		   18020, txt, 1);
	WAIT_FOR(log_count("both announce 127.0.0.2 on different interfaces") == 1, 3000,
		 "the duplicate address was not logged");
	run_for(300);
	ck_assert_uint_eq(n_services(), 1);
	ck_assert_str_eq(svc_on(18020)->tid.host_iface, "lo");

	/* disabling frees both browsers and every resolver */
	ck_assert_int_eq(zc_enable(ctx.zc, false), 0);
	WAIT_FOR(freed("/Client1/ServiceBrowser1") && freed("/Client1/ServiceBrowser2") &&
			 freed(resolver_of("fake-early")) && freed(resolver_of("fake-dup")),
		 3000, "zc_enable(false) did not free Avahi's objects");
	ck_assert_uint_eq(n_services(), 0);
}
END_TEST

/* 1100 announcements: 1024 followed, each resolved, the excess logged once. */
START_TEST(test_fake_limit)
{
	const char *tcp = ctx.fake.browser_path[0];
	char name[32];

	for (int i = 0; i < 1100; i++) {
		snprintf(name, sizeof(name), "fake-%d", i);
		fake_item("ItemNew", tcp, 1, name, TCP_TYPE);
		if (i % 100 == 99)
			run_for(10);
	}
	WAIT_FOR(ctx.fake.resolvers == 1024 && log_count("more than 1024 services") == 1, 10000,
		 "resolvers %d", ctx.fake.resolvers);
	run_for(300);
	ck_assert_int_eq(ctx.fake.resolvers, 1024);
	ck_assert_int_eq(log_count("more than 1024 services"), 1);
	/* resolver calls go out a few at a time: the bus never refuses one */
	ck_assert_int_eq(log_count("cannot resolve"), 0);
}
END_TEST

/* The fake gives up its name: zc drops everything, says so once, and needs no Free. */
START_TEST(test_fake_name_lost)
{
	const char *txt[] = { "p=tcp" };

	listen_on(18021);
	fake_item("ItemNew", ctx.fake.browser_path[0], 1, "fake-a", TCP_TYPE);
	WAIT_FOR(resolver_of("fake-a"), 3000, "no ServiceResolverNew for fake-a");
	fake_found(resolver_of("fake-a"), 1, "fake-a", "127.0.0.1", 18021, txt, 1);
	WAIT_FOR(svc_on(18021), 3000, "fake-a was not reported");
	ck_assert_int_ge(sd_bus_release_name(ctx.fake.bus, AVAHI_NAME), 0);
	bus_event_kick(ctx.fake.be); /* a synchronous call may have queued messages */
	WAIT_FOR(n_services() == 0 && log_count(NOT_AVAILABLE) == 1, 3000,
		 "the loss of Avahi was not noticed");
	ck_assert_int_eq(ctx.fake.frees, 0);
	/* back: browsers again */
	ck_assert_int_ge(sd_bus_request_name(ctx.fake.bus, AVAHI_NAME, 0), 0);
	bus_event_kick(ctx.fake.be);
	WAIT_FOR(ctx.fake.browsers == 4, 3000, "browsers not recreated");
}
END_TEST

static Suite *zeroconf_suite(void)
{
	Suite *s = suite_create("zeroconf");
	TCase *real = tcase_create("avahi-daemon");
	TCase *fake = tcase_create("fake avahi");

	tcase_add_checked_fixture(real, setup_avahi, teardown);
	tcase_set_timeout(real, 90);
	tcase_add_test(real, test_found_then_removed);
	tcase_add_test(real, test_unreachable_until_listening);
	tcase_add_test(real, test_txt_transport);
	tcase_add_test(real, test_avahi_restart);
	tcase_add_test(real, test_disable_drops_everything);
	suite_add_tcase(s, real);

	TCase *late = tcase_create("avahi-daemon late");
	tcase_add_checked_fixture(late, setup_plain, teardown);
	tcase_set_timeout(late, 90);
	tcase_add_test(late, test_avahi_late);
	suite_add_tcase(s, late);

	tcase_add_checked_fixture(fake, setup_fake, teardown);
	tcase_set_timeout(fake, 60);
	tcase_add_test(fake, test_fake_malformed);
	tcase_add_test(fake, test_fake_races_and_free);
	tcase_add_test(fake, test_fake_limit);
	tcase_add_test(fake, test_fake_name_lost);
	suite_add_tcase(s, fake);
	return s;
}

int main(void)
{
	/* fails (never skips) without root or without the programs it drives */
	if (mdns_preflight("test-zeroconf") < 0)
		return EXIT_FAILURE;
	return run_in_fresh_dir(zeroconf_suite(), "/tmp/stas-zc-XXXXXX", &top_dir);
}
