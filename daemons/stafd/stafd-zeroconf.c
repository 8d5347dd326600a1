// SPDX-License-Identifier: Apache-2.0
/*
 * Zeroconf through Avahi's D-Bus API, on the daemon's sd-bus connection.
 *
 * The signal subscriptions (browser ItemNew/ItemRemove/Failure, resolver
 * Found/Failure, NameOwnerChanged of org.freedesktop.Avahi) are made first;
 * only when the bus has confirmed all of them does zc look for Avahi, so no
 * event can fall between subscribing and browsing. Signals carry no path
 * filter: Avahi may emit ItemNew or Found before the reply that tells us the
 * new object's path, so a signal is accepted from our object's path, or from
 * any path while our creating call is still pending. Found is matched to the
 * service by its (interface, protocol, name, type, domain) key.
 *
 * Every call is asynchronous and owns its slot. When a service or browser is
 * dropped while its creating call is pending, the slot is orphaned: handed to
 * the bus with NULL userdata, so the late reply only frees Avahi's object.
 * When Avahi itself goes away, its objects went with it: slots are cancelled
 * and nothing is freed remotely.
 *
 * tcp services are reported only after a TCP connect to address:port worked
 * (CDCs may announce before they listen); a failed probe is retried on
 * nvme-stas's schedule. The reported list is rebuilt on a zero-delay timer so
 * a burst of signals makes one change notification.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/bus-event.h"
#include "common/log.h"
#include "stafd-zeroconf.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"

#define AVAHI_NAME		   "org.freedesktop.Avahi"
#define AVAHI_SERVER		   "org.freedesktop.Avahi.Server"
#define AVAHI_BROWSER		   "org.freedesktop.Avahi.ServiceBrowser"
#define AVAHI_RESOLVER		   "org.freedesktop.Avahi.ServiceResolver"

#define AVAHI_IF_UNSPEC		   (-1)
#define AVAHI_PROTO_UNSPEC	   (-1)
#define AVAHI_PROTO_INET	   0
#define AVAHI_PROTO_INET6	   1
#define AVAHI_LOOKUP_USE_MULTICAST 2u

#define ZC_MAX_SERVICES		   1024
#define ZC_RESOLVES_IN_FLIGHT	   32  /* ServiceResolverNew calls waiting for Avahi */
#define ZC_NAME_MAX		   64  /* an instance name is one DNS label: 63 bytes + NUL */
#define ZC_DOMAIN_MAX		   256 /* a DNS name: 255 bytes + NUL */
#define ZC_PATH_MAX		   256 /* Avahi's paths look like /Client1/ServiceResolver12 */
#define ZC_TXT_ITEMS_MAX	   256
#define ZC_TXT_ITEM_MAX		   255 /* one DNS character-string */
#define ZC_LABEL_MAX		   192
#define ZC_WAKE_SEC		   60
#define ZC_PROBE_SEC		   3

static const char *const stypes[] = { "_nvme-disc._tcp", "_nvme-disc._udp" };
#define N_STYPES ARRAY_SIZE(stypes)

/* nvme-stas's reachability re-check schedule; the last delay repeats. */
static const unsigned probe_backoff_sec[] = { 2, 5, 10, 30, 60, 300, 600 };

/* TXT p= values and the transport they stand for. */
static const struct {
	const char *p;
	const char *transport;
} txt_transports[] = {
	{ "tcp", "tcp" },
	{ "roce", "rdma" },
	{ "iwarp", "rdma" },
	{ "rdma", "rdma" },
};

enum svc_state {
	SVC_RESOLVING, /* resolver asked for, no usable Found yet */
	SVC_REJECTED,  /* Found, but the TXT or the address cannot be used */
	SVC_PROBING,   /* TCP connect in flight */
	SVC_WAITING,   /* the probe failed: retry timer armed */
	SVC_REACHABLE,
};

/* The key Avahi gives a service, as read from a signal. */
struct item {
	int32_t ifindex, proto;
	const char *name, *type, *domain;
	unsigned stype;
};

struct svc {
	TAILQ_ENTRY(svc) link;
	struct zc *z;
	int32_t ifindex, proto;
	unsigned stype;
	char name[ZC_NAME_MAX];
	char domain[ZC_DOMAIN_MAX];
	char ifname[IF_NAMESIZE];   /* "" when the index had no name */
	sd_bus_slot *resolver_call; /* ServiceResolverNew pending */
	bool resolve_queued;	    /* waiting for one of the ZC_RESOLVES_IN_FLIGHT */
	char *resolver;		    /* its object path, once known */
	enum svc_state state;
	int32_t aproto;
	char addr[INET6_ADDRSTRLEN]; /* as Avahi gave it (no zone) */
	uint16_t port;
	struct tid tid; /* valid from SVC_PROBING on */
	int probe_fd;
	struct event *probe_ev, *retry_ev;
	unsigned failures; /* failed probes in a row */
	bool dup_logged;
};

struct browser {
	struct zc *z;
	unsigned stype;
	sd_bus_slot *call; /* ServiceBrowserNew pending */
	char *path;
};

/* A reported list; replaced lists live until the next loop turn. */
struct svc_list {
	struct svc_list *next;
	size_t n;
	struct zc_service v[];
};

enum {
	M_ITEM_NEW,
	M_ITEM_REMOVE,
	M_BROWSER_FAILURE,
	M_FOUND,
	M_RESOLVER_FAILURE,
	M_OWNER,
	N_MATCHES,
};

struct zc {
	struct bus_event *be;
	sd_bus *bus;
	struct event_base *base;
	const struct zc_ops *ops;
	void *arg;
	sd_bus_slot *matches[N_MATCHES];
	unsigned matches_ready;
	bool enabled;
	bool present;	    /* Avahi owns its name */
	char owner[256];    /* its unique name while present */
	bool absent_logged; /* "not available" said for this absence */
	bool limit_logged;
	sd_bus_slot *version_call;
	struct event *wake_ev;
	uint64_t wake_due; /* CLOCK_MONOTONIC usec; 0 when the wake timer is off */
	struct browser browsers[N_STYPES];
	TAILQ_HEAD(, svc) svcs;
	size_t n_svcs;
	unsigned resolves_in_flight;
	struct event *update_ev;
	bool dirty;	 /* services changed since the list was built */
	bool unnotified; /* the list changed since ops->changed was called */
	struct svc_list *list, *stale;
};

static const char *const svc_state_names[] = {
	[SVC_RESOLVING] = "resolving", [SVC_REJECTED] = "rejected",   [SVC_PROBING] = "probing",
	[SVC_WAITING] = "waiting",     [SVC_REACHABLE] = "reachable",
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Bus text for a log line: control bytes become '?', long text ends in "...". */
static const char *printable(char *buf, size_t size, const char *s, size_t len)
{
	size_t i, n = len < size - 1 ? len : size - 1;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	if (len > n && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

static const char *proto_name(int32_t proto)
{
	return proto == AVAHI_PROTO_INET6 ? "IPv6" : "IPv4";
}

/* The interface's name, or its index when it has none. */
static const char *svc_ifname(const struct svc *s, char *buf, size_t size)
{
	if (s->ifname[0])
		return s->ifname;
	snprintf(buf, size, "%d", (int)s->ifindex);
	return buf;
}

/* "'name' (_nvme-disc._tcp, eth0, IPv4)" */
static const char *svc_label(const struct svc *s, char *buf, size_t size)
{
	char name[ZC_NAME_MAX], ifname[16];

	snprintf(buf, size, "'%s' (%s, %s, %s)",
		 printable(name, sizeof(name), s->name, strlen(s->name)), stypes[s->stype],
		 svc_ifname(s, ifname, sizeof(ifname)), proto_name(s->proto));
	return buf;
}

static void kick(struct zc *z)
{
	if (z->be)
		bus_event_kick(z->be);
}

static void schedule_update(struct zc *z)
{
	static const struct timeval zero = { 0, 0 };

	z->dirty = true;
	if (z->update_ev && !evtimer_pending(z->update_ev, NULL))
		evtimer_add(z->update_ev, &zero);
}

/* Fire and forget: Avahi's objects live until freed or until we disconnect. */
static void avahi_free_object(sd_bus *bus, const char *path, const char *iface)
{
	int r;

	r = sd_bus_call_method_async(bus, NULL, AVAHI_NAME, path, iface, "Free", NULL, NULL, "");
	if (r < 0)
		log_debug_errno(r, "Failed to free Avahi object %s, ignoring: %m", path);
}

/* The creating call's reply will find NULL userdata and free what it created. */
static void orphan(sd_bus_slot *slot)
{
	if (!slot)
		return;
	sd_bus_slot_set_userdata(slot, NULL);
	if (sd_bus_slot_set_floating(slot, 1) < 0)
		log_debug("Failed to orphan an Avahi call, ignoring");
	sd_bus_slot_unref(slot);
}

static void free_orphaned(sd_bus_message *m, const char *iface)
{
	const char *path;

	if (!sd_bus_message_is_method_error(m, NULL) && sd_bus_message_read(m, "o", &path) > 0)
		avahi_free_object(sd_bus_message_get_bus(m), path, iface);
}

/* ---- reachability probe ---- */

static void probe_stop(struct svc *s)
{
	if (s->probe_ev) {
		event_free(s->probe_ev);
		s->probe_ev = NULL;
	}
	if (s->probe_fd >= 0) {
		close(s->probe_fd);
		s->probe_fd = -1;
	}
	if (s->retry_ev)
		evtimer_del(s->retry_ev);
}

static void probe_done(struct svc *s, int r)
{
	char label[ZC_LABEL_MAX];
	struct timeval tv = { 0, 0 };
	size_t i;

	if (r == 0) {
		log_info("mDNS: %s at %s:%s is reachable", svc_label(s, label, sizeof(label)),
			 s->tid.traddr, s->tid.trsvcid);
		s->state = SVC_REACHABLE;
		s->failures = 0;
		schedule_update(s->z);
		return;
	}
	i = s->failures < ARRAY_SIZE(probe_backoff_sec) ? s->failures
							: ARRAY_SIZE(probe_backoff_sec) - 1;
	tv.tv_sec = probe_backoff_sec[i];
	log_full_errno(s->failures ? LOG_DEBUG : LOG_INFO, r,
		       "mDNS: %s at %s:%s is not reachable (%m), next try in %u s",
		       svc_label(s, label, sizeof(label)), s->tid.traddr, s->tid.trsvcid,
		       probe_backoff_sec[i]);
	s->failures++;
	s->state = SVC_WAITING;
	evtimer_add(s->retry_ev, &tv);
}

static void on_probe(evutil_socket_t fd, short what, void *arg)
{
	struct svc *s = arg;
	socklen_t len = sizeof(int);
	int err = 0;

	if (what & EV_TIMEOUT)
		err = ETIMEDOUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	probe_stop(s);
	probe_done(s, -err);
}

static int probe_sockaddr(const struct svc *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	uint16_t port = s->port;

	memset(ss, 0, sizeof(*ss));
	if (s->aproto == AVAHI_PROTO_INET && inet_pton(AF_INET, s->addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return 0;
	}
	if (s->aproto == AVAHI_PROTO_INET6 && inet_pton(AF_INET6, s->addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		if (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr))
			in6->sin6_scope_id = (uint32_t)s->ifindex;
		*len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

/* Return: 0 when the probe is in flight or done, else the reason it could not start. */
static int probe_connect(struct svc *s)
{
	const struct timeval timeout = { ZC_PROBE_SEC, 0 };
	_cleanup_close_ int fd = -1;
	struct sockaddr_storage ss;
	socklen_t len;
	int r;

	r = probe_sockaddr(s, &ss, &len);
	if (r < 0)
		return r;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return -errno;
	if (s->tid.host_iface[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->tid.host_iface,
					       (socklen_t)strlen(s->tid.host_iface)) < 0)
		log_debug_errno(errno, "mDNS probe: SO_BINDTODEVICE %s, probing without it: %m",
				s->tid.host_iface);
	if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
		probe_done(s, 0);
		return 0;
	}
	if (errno != EINPROGRESS)
		return -errno;
	s->probe_ev = event_new(s->z->base, fd, EV_WRITE, on_probe, s);
	if (!s->probe_ev)
		return -ENOMEM;
	event_add(s->probe_ev, &timeout);
	s->probe_fd = TAKE_FD(fd);
	return 0;
}

static void probe_start(struct svc *s)
{
	int r;

	probe_stop(s);
	s->state = SVC_PROBING;
	r = probe_connect(s);
	if (r < 0)
		probe_done(s, r);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	probe_start(arg);
}

/* ---- services ---- */

static struct svc *svc_find(struct zc *z, const struct item *it)
{
	struct svc *s;

	TAILQ_FOREACH (s, &z->svcs, link)
		if (s->ifindex == it->ifindex && s->proto == it->proto && s->stype == it->stype &&
		    !strcmp(s->name, it->name) && !strcmp(s->domain, it->domain))
			return s;
	return NULL;
}

static struct svc *svc_by_resolver(struct zc *z, const char *path)
{
	struct svc *s;

	TAILQ_FOREACH (s, &z->svcs, link)
		if (s->resolver && path && !strcmp(s->resolver, path))
			return s;
	return NULL;
}

static void resolver_start(struct svc *s);

/* A ServiceResolverNew call ended: the next service waiting for one gets it. */
static void resolve_done(struct zc *z)
{
	struct svc *s;

	z->resolves_in_flight--;
	TAILQ_FOREACH (s, &z->svcs, link) {
		if (!s->resolve_queued)
			continue;
		s->resolve_queued = false;
		resolver_start(s);
		if (s->resolver_call)
			return;
	}
}

/* @tell: Avahi is there, so free the resolver we asked it for. */
static void svc_free(struct svc *s, bool tell)
{
	struct zc *z = s->z;
	bool calling = s->resolver_call;

	TAILQ_REMOVE(&z->svcs, s, link);
	z->n_svcs--;
	if (z->n_svcs < ZC_MAX_SERVICES)
		z->limit_logged = false;
	probe_stop(s);
	if (s->retry_ev)
		event_free(s->retry_ev);
	if (tell)
		orphan(s->resolver_call);
	else
		sd_bus_slot_unref(s->resolver_call);
	if (tell && s->resolver)
		avahi_free_object(z->bus, s->resolver, AVAHI_RESOLVER);
	free(s->resolver);
	free(s);
	if (calling)
		resolve_done(z);
	schedule_update(z);
}

static void services_drop(struct zc *z, bool tell)
{
	while (!TAILQ_EMPTY(&z->svcs))
		svc_free(TAILQ_FIRST(&z->svcs), tell);
}

static int on_resolver_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);
	struct svc *s = userdata;
	char label[ZC_LABEL_MAX];
	const char *path;

	if (!s) {
		free_orphaned(m, AVAHI_RESOLVER);
		return 0;
	}
	s->resolver_call = sd_bus_slot_unref(s->resolver_call);
	resolve_done(s->z);
	if (e) {
		log_error("mDNS: cannot resolve %s: %s", svc_label(s, label, sizeof(label)),
			  e->message ? e->message : e->name);
		return 0;
	}
	if (sd_bus_message_read(m, "o", &path) <= 0 || strlen(path) >= ZC_PATH_MAX) {
		log_error("mDNS: malformed ServiceResolverNew reply for %s, ignoring it",
			  svc_label(s, label, sizeof(label)));
		return 0;
	}
	s->resolver = strdup(path);
	if (!s->resolver)
		log_error("mDNS: out of memory; %s will not be followed",
			  svc_label(s, label, sizeof(label)));
	return 0;
}

/*
 * The address family asked for is the one the service was seen on: with
 * PROTO_UNSPEC Avahi picks A or AAAA at will (hosts publish AAAA over IPv4
 * mDNS by default), so one service would flip between families, and a CDC
 * listening on IPv4 only would look unreachable. Seen on both, a service
 * has two entries, one per family, for the ip-family filter to choose from.
 */
static void resolver_start(struct svc *s)
{
	char label[ZC_LABEL_MAX];
	int r;

	/*
	 * A burst of announcements must not become a burst of calls: the bus
	 * refuses more pending replies per connection than its limit (128 on
	 * many system buses), and a refused resolver is never asked again.
	 */
	if (s->z->resolves_in_flight >= ZC_RESOLVES_IN_FLIGHT) {
		s->resolve_queued = true;
		return;
	}
	s->z->resolves_in_flight++;
	r = sd_bus_call_method_async(s->z->bus, &s->resolver_call, AVAHI_NAME, "/", AVAHI_SERVER,
				     "ServiceResolverNew", on_resolver_reply, s, "iisssiu",
				     s->ifindex, s->proto, s->name, stypes[s->stype], s->domain,
				     s->proto, 0u);
	if (r < 0) {
		s->z->resolves_in_flight--;
		log_error_errno(r, "mDNS: cannot resolve %s: %m",
				svc_label(s, label, sizeof(label)));
	}
}

static struct svc *svc_new(struct zc *z, const struct item *it)
{
	struct svc *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->retry_ev = evtimer_new(z->base, on_retry, s);
	if (!s->retry_ev) {
		free(s);
		return NULL;
	}
	s->z = z;
	s->probe_fd = -1;
	s->ifindex = it->ifindex;
	s->proto = it->proto;
	s->stype = it->stype;
	snprintf(s->name, sizeof(s->name), "%s", it->name);
	snprintf(s->domain, sizeof(s->domain), "%s", it->domain);
	if (!if_indextoname((unsigned)it->ifindex, s->ifname))
		s->ifname[0] = '\0'; /* gone already: no host-iface, no zone */
	TAILQ_INSERT_TAIL(&z->svcs, s, link);
	z->n_svcs++;
	return s;
}

/* ---- what Found says ---- */

/* A malformed message: @why says how. Return: -EBADMSG. */
static int bad(const char **why, const char *text)
{
	*why = text;
	return -EBADMSG;
}

struct txt {
	char p[16];
	char nqn[NVMF_NQN_MAX_LEN + 1];
	int p_state, nqn_state; /* 0 absent, 1 read (raw bytes), -1 too long or holding a NUL */
};

/* One key=value string; keys are case-insensitive, the first occurrence wins (RFC 6763 6.4). */
static void txt_item(struct txt *t, const char *b, size_t len)
{
	const char *eq = memchr(b, '=', len);
	size_t klen, vlen;
	char *dst;
	int *state;
	size_t size;

	if (!eq || eq == b)
		return; /* a boolean attribute or no key: nothing we use */
	klen = (size_t)(eq - b);
	vlen = len - klen - 1;
	if (klen == 1 && tolower((unsigned char)b[0]) == 'p') {
		dst = t->p;
		size = sizeof(t->p);
		state = &t->p_state;
	} else if (klen == 3 && !strncasecmp(b, "nqn", 3)) {
		dst = t->nqn;
		size = sizeof(t->nqn);
		state = &t->nqn_state;
	} else {
		return;
	}
	if (*state)
		return;
	*state = vlen < size && !memchr(eq + 1, '\0', vlen) ? 1 : -1;
	if (*state > 0) {
		memcpy(dst, eq + 1, vlen); /* raw: the NQN check judges every byte */
		dst[vlen] = '\0';
	}
}

static int read_txt(sd_bus_message *m, struct txt *t, const char **why)
{
	const void *b;
	size_t len;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "ay");
	if (r <= 0)
		return bad(why, "not (iissssisqaayu)");
	for (unsigned n = 0;; n++) {
		r = sd_bus_message_read_array(m, 'y', &b, &len);
		if (r < 0)
			return bad(why, "unreadable TXT");
		if (r == 0)
			break;
		if (n >= ZC_TXT_ITEMS_MAX)
			return bad(why, "more than 256 TXT strings");
		if (len > ZC_TXT_ITEM_MAX)
			return bad(why, "a TXT string longer than 255 bytes");
		txt_item(t, b, len);
	}
	return sd_bus_message_exit_container(m) < 0 ? bad(why, "unreadable TXT") : 0;
}

/* Bounds and sanity of a signal's service key; -ENOENT for a type that is not ours. */
static int check_item(struct item *it, const char **why)
{
	size_t i;

	for (i = 0; i < N_STYPES && strcmp(it->type, stypes[i]); i++)
		;
	if (i == N_STYPES)
		return -ENOENT;
	it->stype = (unsigned)i;
	if (it->ifindex <= 0)
		return bad(why, "no interface index");
	if (it->proto != AVAHI_PROTO_INET && it->proto != AVAHI_PROTO_INET6)
		return bad(why, "an unknown protocol");
	if (!*it->name || strlen(it->name) >= ZC_NAME_MAX)
		return bad(why, "an empty name or one longer than 63 bytes");
	if (!*it->domain || strlen(it->domain) >= ZC_DOMAIN_MAX)
		return bad(why, "an empty domain or one longer than 255 bytes");
	return 0;
}

static int read_item(sd_bus_message *m, struct item *it, const char **why)
{
	uint32_t flags;

	if (sd_bus_message_read(m, "iisssu", &it->ifindex, &it->proto, &it->name, &it->type,
				&it->domain, &flags) <= 0)
		return bad(why, "not (iisssu)");
	return check_item(it, why);
}

struct found {
	struct item it;
	const char *host, *addr;
	int32_t aproto;
	uint16_t port;
	struct txt txt;
};

static int read_found(sd_bus_message *m, struct found *f, const char **why)
{
	uint32_t flags;
	int r;

	memset(f, 0, sizeof(*f));
	if (sd_bus_message_read(m, "iissssisq", &f->it.ifindex, &f->it.proto, &f->it.name,
				&f->it.type, &f->it.domain, &f->host, &f->aproto, &f->addr,
				&f->port) <= 0)
		return bad(why, "not (iissssisqaayu)");
	r = check_item(&f->it, why);
	if (r < 0)
		return r;
	r = read_txt(m, &f->txt, why);
	if (r < 0)
		return r;
	if (sd_bus_message_read(m, "u", &flags) <= 0)
		return bad(why, "not (iissssisqaayu)");
	if (strlen(f->addr) >= INET6_ADDRSTRLEN)
		return bad(why, "an address longer than an IP address");
	return 0;
}

static int reject(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Found describes a service we cannot use: @why says why. Return: -EINVAL. */
static int reject(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The TID Found describes; -EINVAL with @why when it cannot be used. */
static int found_tid(const struct svc *s, const struct found *f, struct tid *t, char *why,
		     size_t size)
{
	const char *transport = NULL, *nqn = NVME_DISC_SUBSYS_NQN;
	unsigned char a[sizeof(struct in6_addr)];
	char traddr[INET6_ADDRSTRLEN + IF_NAMESIZE + 1], port[8], text[16];
	struct stas_error e = { 0 };
	int family = f->aproto == AVAHI_PROTO_INET6 ? AF_INET6 : AF_INET;

	for (size_t i = 0; f->txt.p_state == 1 && i < ARRAY_SIZE(txt_transports); i++)
		if (!strcasecmp(f->txt.p, txt_transports[i].p))
			transport = txt_transports[i].transport;
	if (!transport && f->txt.p_state < 0)
		return reject(why, size, "TXT p= is too long or holds a NUL byte");
	if (!transport)
		return reject(why, size, "TXT p=%s is not tcp, roce, iwarp or rdma",
			      f->txt.p_state
				      ? printable(text, sizeof(text), f->txt.p, strlen(f->txt.p))
				      : "(absent)");
	if (f->txt.nqn_state < 0)
		return reject(why, size, "TXT nqn= is too long or holds a NUL byte");
	/* any NQN text the Connect command can carry, as for controller= entries */
	if (f->txt.nqn_state > 0 && stas_nqn_wire_check(f->txt.nqn, "TXT nqn", &e) < 0)
		return reject(why, size, "%s", e.msg);
	if (f->txt.nqn_state > 0)
		nqn = f->txt.nqn;
	if ((f->aproto != AVAHI_PROTO_INET && f->aproto != AVAHI_PROTO_INET6) ||
	    inet_pton(family, f->addr, a) != 1)
		return reject(why, size, "address '%s' is not an IP address", f->addr);
	if (f->port == 0)
		return reject(why, size, "port 0");
	/* a link-local address means nothing without its link */
	if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)a) && s->ifname[0])
		snprintf(traddr, sizeof(traddr), "%s%%%s", f->addr, s->ifname);
	else if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)a))
		snprintf(traddr, sizeof(traddr), "%s%%%d", f->addr, (int)s->ifindex);
	else
		snprintf(traddr, sizeof(traddr), "%s", f->addr);
	snprintf(port, sizeof(port), "%u", f->port);
	memset(t, 0, sizeof(*t));
	if (tid_set(t, TID_TRANSPORT, transport) < 0 || tid_set(t, TID_TRADDR, traddr) < 0 ||
	    tid_set(t, TID_TRSVCID, port) < 0 || tid_set(t, TID_SUBSYSNQN, nqn) < 0 ||
	    (!strcmp(transport, "tcp") && s->ifname[0] &&
	     tid_set(t, TID_HOST_IFACE, s->ifname) < 0))
		return reject(why, size, "a field does not fit");
	return 0;
}

/* The same address seen on another interface: a misconfiguration, said once per service. */
static void dup_check(struct svc *s)
{
	char label[ZC_LABEL_MAX], other[ZC_LABEL_MAX];
	struct svc *o;

	TAILQ_FOREACH (o, &s->z->svcs, link) {
		if (s->dup_logged || o == s || o->ifindex == s->ifindex || o->state < SVC_PROBING ||
		    strcmp(o->tid.traddr, s->tid.traddr))
			continue;
		log_error("mDNS: %s and %s both announce %s on different interfaces "
			  "(misconfiguration?); only one of them is used",
			  svc_label(o, other, sizeof(other)), svc_label(s, label, sizeof(label)),
			  s->tid.traddr);
		s->dup_logged = true;
	}
}

static void svc_found(struct svc *s, const struct found *f)
{
	char label[ZC_LABEL_MAX], why[STAS_ERROR_MSG_MAX + 32];
	struct tid t;

	if (found_tid(s, f, &t, why, sizeof(why)) < 0) {
		log_error("mDNS: %s: %s; ignoring it", svc_label(s, label, sizeof(label)), why);
		probe_stop(s);
		memset(&s->tid, 0, sizeof(s->tid));
		s->state = SVC_REJECTED;
		schedule_update(s->z);
		return;
	}
	if (s->state >= SVC_PROBING && tid_equal(&s->tid, &t))
		return; /* the same data again */
	log_debug("mDNS: %s resolved: %s %s:%s nqn %s", svc_label(s, label, sizeof(label)),
		  t.transport, t.traddr, t.trsvcid, t.subsysnqn);
	s->tid = t;
	s->aproto = f->aproto;
	snprintf(s->addr, sizeof(s->addr), "%s", f->addr);
	s->port = f->port;
	s->failures = 0;
	dup_check(s);
	schedule_update(s->z);
	if (!strcmp(t.transport, "tcp")) {
		probe_start(s);
		return;
	}
	probe_stop(s);
	s->state = SVC_REACHABLE; /* nvme-stas probes tcp only */
}

/* ---- signals ---- */

/* Return: 0, what a signal handler returns for a message it ignores. */
static int ignore_malformed(const char *what, const char *why)
{
	log_error("Ignoring a malformed %s signal from Avahi: %s", what, why);
	return 0;
}

/* A browser signal comes from our browser, or from any path while ours is being created. */
static bool browser_owns(struct zc *z, unsigned stype, const char *path)
{
	const struct browser *b = &z->browsers[stype];

	return b->path ? path && !strcmp(b->path, path) : b->call != NULL;
}

static int on_item_new(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct zc *z = userdata;
	const char *why = NULL;
	struct item it;
	struct svc *s;
	int r;

	r = read_item(m, &it, &why);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return ignore_malformed("ItemNew", why);
	if (!z->enabled || !z->present || !browser_owns(z, it.stype, sd_bus_message_get_path(m)) ||
	    svc_find(z, &it))
		return 0;
	if (z->n_svcs >= ZC_MAX_SERVICES) {
		if (!z->limit_logged)
			log_error("mDNS: more than %u services announced; ignoring the rest",
				  ZC_MAX_SERVICES);
		z->limit_logged = true;
		return 0;
	}
	s = svc_new(z, &it);
	if (!s) {
		log_error("mDNS: out of memory; ignoring a service");
		return 0;
	}
	resolver_start(s);
	return 0;
}

static int on_item_remove(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct zc *z = userdata;
	char label[ZC_LABEL_MAX];
	const char *why = NULL;
	struct item it;
	struct svc *s;
	int r;

	r = read_item(m, &it, &why);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return ignore_malformed("ItemRemove", why);
	if (!browser_owns(z, it.stype, sd_bus_message_get_path(m)))
		return 0;
	s = svc_find(z, &it);
	if (!s)
		return 0;
	log_info("mDNS: %s removed", svc_label(s, label, sizeof(label)));
	svc_free(s, true);
	return 0;
}

static int on_browser_failure(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const char *path = sd_bus_message_get_path(m), *err;
	struct zc *z = userdata;
	char text[128];

	if (sd_bus_message_read(m, "s", &err) <= 0)
		return ignore_malformed("ServiceBrowser.Failure", "not (s)");
	for (size_t i = 0; i < N_STYPES; i++)
		if (z->browsers[i].path && path && !strcmp(z->browsers[i].path, path))
			log_error("mDNS: browsing %s failed: %s", stypes[i],
				  printable(text, sizeof(text), err, strlen(err)));
	return 0;
}

static int on_found(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const char *path = sd_bus_message_get_path(m), *why = NULL;
	struct zc *z = userdata;
	struct found f;
	struct svc *s;
	int r;

	r = read_found(m, &f, &why);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return ignore_malformed("ServiceResolver.Found", why);
	s = svc_find(z, &f.it);
	/* ours: from our resolver, or from any path while we wait for its path */
	if (!s || (s->resolver ? !path || strcmp(s->resolver, path) : !s->resolver_call))
		return 0;
	svc_found(s, &f);
	return 0;
}

static int on_resolver_failure(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct zc *z = userdata;
	char label[ZC_LABEL_MAX], text[128];
	const char *err;
	struct svc *s;

	if (sd_bus_message_read(m, "s", &err) <= 0)
		return ignore_malformed("ServiceResolver.Failure", "not (s)");
	s = svc_by_resolver(z, sd_bus_message_get_path(m));
	if (!s)
		return 0;
	/* A resolver times out when the service went quiet; nvme-stas ignores that too. */
	log_full_errno(strstr(err, "TimeoutError") ? LOG_DEBUG : LOG_ERR, 0,
		       "mDNS: resolving %s failed: %s", svc_label(s, label, sizeof(label)),
		       printable(text, sizeof(text), err, strlen(err)));
	return 0;
}

/* ---- browsers ---- */

static int on_browser_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);
	struct browser *b = userdata;
	const char *path;

	if (!b) {
		free_orphaned(m, AVAHI_BROWSER);
		return 0;
	}
	b->call = sd_bus_slot_unref(b->call);
	if (e) {
		log_error("mDNS: Avahi cannot browse %s: %s", stypes[b->stype],
			  e->message ? e->message : e->name);
		return 0;
	}
	if (sd_bus_message_read(m, "o", &path) <= 0 || strlen(path) >= ZC_PATH_MAX) {
		log_error("mDNS: malformed ServiceBrowserNew reply for %s, ignoring it",
			  stypes[b->stype]);
		return 0;
	}
	b->path = strdup(path);
	if (!b->path)
		log_error("mDNS: out of memory; not browsing %s", stypes[b->stype]);
	else
		log_debug("mDNS: browsing %s (%s)", stypes[b->stype], path);
	return 0;
}

static void browsers_create(struct zc *z)
{
	for (size_t i = 0; i < N_STYPES; i++) {
		struct browser *b = &z->browsers[i];
		int r;

		if (b->call || b->path)
			continue;
		r = sd_bus_call_method_async(z->bus, &b->call, AVAHI_NAME, "/", AVAHI_SERVER,
					     "ServiceBrowserNew", on_browser_reply, b, "iissu",
					     AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, stypes[i],
					     "local", AVAHI_LOOKUP_USE_MULTICAST);
		if (r < 0)
			log_error_errno(r, "mDNS: cannot browse %s: %m", stypes[i]);
	}
	kick(z);
}

static void browsers_drop(struct zc *z, bool tell)
{
	for (size_t i = 0; i < N_STYPES; i++) {
		struct browser *b = &z->browsers[i];

		if (tell)
			orphan(b->call);
		else
			sd_bus_slot_unref(b->call);
		b->call = NULL;
		if (tell && b->path)
			avahi_free_object(z->bus, b->path, AVAHI_BROWSER);
		free(b->path);
		b->path = NULL;
	}
}

/* ---- Avahi coming and going ---- */

static void wake_stop(struct zc *z)
{
	event_del(z->wake_ev);
	z->wake_due = 0;
}

static void wake_start(struct zc *z)
{
	const struct timeval tv = { ZC_WAKE_SEC, 0 };

	event_add(z->wake_ev, &tv);
	z->wake_due = now_usec() + ZC_WAKE_SEC * 1000000ull;
}

static void avahi_absent(struct zc *z)
{
	if (!z->enabled)
		return;
	if (!z->absent_logged)
		log_notice("avahi-daemon not available, operating w/o mDNS discovery.");
	z->absent_logged = true;
	if (!z->wake_due)
		wake_start(z);
}

/* Avahi went away: its objects went with it, so nothing is freed remotely. */
static void avahi_down(struct zc *z)
{
	log_info("avahi-daemon left the bus (%s); forgetting %zu mDNS services", z->owner,
		 z->n_svcs);
	z->present = false;
	z->owner[0] = '\0';
	browsers_drop(z, false);
	services_drop(z, false);
	avahi_absent(z);
}

static void avahi_up(struct zc *z, const char *owner)
{
	if (z->present && !strcmp(z->owner, owner))
		return;
	if (z->present)
		avahi_down(z); /* another instance took over */
	if (strlen(owner) >= sizeof(z->owner))
		return;
	strcpy(z->owner, owner);
	z->present = true;
	z->absent_logged = false;
	wake_stop(z);
	log_info("avahi-daemon is available (%s)", owner);
	if (z->enabled)
		browsers_create(z);
}

static int on_version_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);
	const char *sender = sd_bus_message_get_sender(m), *version;
	struct zc *z = userdata;

	z->version_call = sd_bus_slot_unref(z->version_call);
	if (e) {
		log_debug("Avahi GetVersionString: %s", e->message ? e->message : e->name);
		if (!z->present)
			avahi_absent(z);
		return 0;
	}
	if (!sender || sd_bus_message_read(m, "s", &version) <= 0)
		return ignore_malformed("GetVersionString reply", "not (s)");
	avahi_up(z, sender);
	return 0;
}

/* GetVersionString both tells whether Avahi is there and bus-activates it. */
static void avahi_check(struct zc *z)
{
	int r;

	if (z->version_call || z->matches_ready < N_MATCHES)
		return;
	r = sd_bus_call_method_async(z->bus, &z->version_call, AVAHI_NAME, "/", AVAHI_SERVER,
				     "GetVersionString", on_version_reply, z, "");
	if (r < 0) {
		log_error_errno(r, "Failed to call Avahi: %m");
		avahi_absent(z);
	}
	kick(z);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct zc *z = arg;

	z->wake_due = now_usec() + ZC_WAKE_SEC * 1000000ull;
	avahi_check(z);
}

static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const char *name, *old, *new;
	struct zc *z = userdata;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) <= 0)
		return ignore_malformed("NameOwnerChanged", "not (sss)");
	if (strcmp(name, AVAHI_NAME))
		return 0;
	if (*new)
		avahi_up(z, new);
	else if (z->present)
		avahi_down(z);
	return 0;
}

static int on_match_installed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);
	struct zc *z = userdata;

	if (e) {
		log_error("Failed to subscribe to Avahi's signals: %s; no mDNS discovery",
			  e->message ? e->message : e->name);
		return 0;
	}
	if (++z->matches_ready == N_MATCHES && z->enabled)
		avahi_check(z);
	return 0;
}

static int matches_add(struct zc *z)
{
	static const struct {
		const char *iface, *member;
		sd_bus_message_handler_t fn;
	} sig[] = {
		[M_ITEM_NEW] = { AVAHI_BROWSER, "ItemNew", on_item_new },
		[M_ITEM_REMOVE] = { AVAHI_BROWSER, "ItemRemove", on_item_remove },
		[M_BROWSER_FAILURE] = { AVAHI_BROWSER, "Failure", on_browser_failure },
		[M_FOUND] = { AVAHI_RESOLVER, "Found", on_found },
		[M_RESOLVER_FAILURE] = { AVAHI_RESOLVER, "Failure", on_resolver_failure },
	};
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(sig); i++) {
		r = sd_bus_match_signal_async(z->bus, &z->matches[i], AVAHI_NAME, NULL,
					      sig[i].iface, sig[i].member, sig[i].fn,
					      on_match_installed, z);
		if (r < 0)
			return log_error_errno(r, "Failed to subscribe to Avahi's %s: %m",
					       sig[i].member);
	}
	r = sd_bus_add_match_async(z->bus, &z->matches[M_OWNER],
				   "type='signal',sender='org.freedesktop.DBus',"
				   "path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
				   "member='NameOwnerChanged',arg0='" AVAHI_NAME "'",
				   on_owner_changed, on_match_installed, z);
	if (r < 0)
		return log_error_errno(r, "Failed to follow %s on the bus: %m", AVAHI_NAME);
	return 0;
}

/* ---- the reported list ---- */

static bool list_equal(const struct svc_list *a, const struct svc_list *b)
{
	size_t na = a ? a->n : 0, nb = b ? b->n : 0;

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!tid_equal(&a->v[i].tid, &b->v[i].tid))
			return false;
	return true;
}

/*
 * Reachable services in arrival order, each TID once; an address already taken
 * from another interface is left out (the first one wins). Return: whether the
 * list changed; the old one waits in z->stale for the next loop turn.
 */
static bool list_rebuild(struct zc *z)
{
	_cleanup_free_ const struct svc **picked = calloc(z->n_svcs + 1, sizeof(*picked));
	struct svc_list *l;
	const struct svc *s;
	size_t n = 0;

	l = calloc(1, sizeof(*l) + (z->n_svcs + 1) * sizeof(l->v[0]));
	if (!l || !picked) {
		free(l);
		log_error("mDNS: out of memory; the service list is not updated");
		return false;
	}
	TAILQ_FOREACH (s, &z->svcs, link) {
		bool skip = s->state != SVC_REACHABLE;

		for (size_t i = 0; i < n && !skip; i++)
			skip = tid_equal(&picked[i]->tid, &s->tid) ||
			       (picked[i]->ifindex != s->ifindex &&
				!strcmp(picked[i]->tid.traddr, s->tid.traddr));
		if (!skip)
			picked[n++] = s;
	}
	for (size_t i = 0; i < n; i++)
		l->v[i].tid = picked[i]->tid;
	l->n = n;
	if (list_equal(l, z->list)) {
		free(l);
		return false;
	}
	if (z->list) {
		z->list->next = z->stale;
		z->stale = z->list;
	}
	z->list = l;
	return true;
}

static void stale_free(struct zc *z)
{
	while (z->stale) {
		struct svc_list *l = z->stale;

		z->stale = l->next;
		free(l);
	}
}

static void on_update(evutil_socket_t fd, short what, void *arg)
{
	struct zc *z = arg;

	if (z->dirty) {
		z->dirty = false;
		if (list_rebuild(z))
			z->unnotified = true;
	}
	stale_free(z);
	if (!z->unnotified)
		return;
	z->unnotified = false;
	if (z->ops && z->ops->changed)
		z->ops->changed(z->arg); /* last: it may free z */
}

/* ---- API ---- */

void zc_free(struct zc *z)
{
	bool tell;

	if (!z)
		return;
	tell = z->present; /* Avahi frees nothing it no longer holds */
	browsers_drop(z, tell);
	services_drop(z, tell);
	for (size_t i = 0; i < N_MATCHES; i++)
		sd_bus_slot_unref(z->matches[i]);
	sd_bus_slot_unref(z->version_call);
	kick(z);
	if (z->wake_ev)
		event_free(z->wake_ev);
	if (z->update_ev)
		event_free(z->update_ev);
	stale_free(z);
	free(z->list);
	free(z);
}

DEFINE_CLEANUP_FUNC(struct zc *, zc_free)

int zc_new(struct bus_event *be, struct event_base *base, const struct zc_ops *ops, void *arg,
	   struct zc **ret)
{
	_cleanup_(zc_freep) struct zc *z = calloc(1, sizeof(*z));
	int r;

	if (!z)
		return -ENOMEM;
	z->be = be;
	z->bus = bus_event_bus(be);
	z->base = base;
	z->ops = ops;
	z->arg = arg;
	z->enabled = true;
	TAILQ_INIT(&z->svcs);
	for (size_t i = 0; i < N_STYPES; i++)
		z->browsers[i] = (struct browser){ .z = z, .stype = (unsigned)i };
	z->wake_ev = event_new(base, -1, EV_PERSIST, on_wake, z);
	z->update_ev = evtimer_new(base, on_update, z);
	if (!z->wake_ev || !z->update_ev)
		return -ENOMEM;
	r = matches_add(z);
	if (r < 0)
		return r;
	kick(z);
	*ret = TAKE_PTR(z);
	return 0;
}

int zc_enable(struct zc *z, bool on)
{
	if (on == z->enabled)
		return 0;
	z->enabled = on;
	if (on) {
		log_info("mDNS discovery enabled");
		if (z->present)
			browsers_create(z);
		else
			avahi_check(z);
		return 0;
	}
	log_info("mDNS discovery disabled");
	browsers_drop(z, z->present);
	services_drop(z, z->present);
	wake_stop(z);
	z->absent_logged = false;
	kick(z);
	return 0;
}

void zc_kick(struct zc *z)
{
	if (!z->enabled || z->present)
		return;
	wake_stop(z);
	wake_start(z);
	avahi_check(z);
}

size_t zc_services(struct zc *z, const struct zc_service **ret)
{
	if (z->dirty) {
		z->dirty = false;
		if (list_rebuild(z))
			z->unnotified = true;
	}
	*ret = z->list ? z->list->v : NULL;
	return z->list ? z->list->n : 0;
}

static json_object *svc_json(const struct svc *s)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "transport", json_object_new_string(s->tid.transport));
	json_object_object_add(o, "traddr", json_object_new_string(s->tid.traddr));
	json_object_object_add(o, "trsvcid", json_object_new_string(s->tid.trsvcid));
	json_object_object_add(o, "host-iface", json_object_new_string(s->tid.host_iface));
	json_object_object_add(o, "subsysnqn", json_object_new_string(s->tid.subsysnqn));
	json_object_object_add(o, "state", json_object_new_string(svc_state_names[s->state]));
	json_object_object_add(
		o, "reachable",
		json_object_new_string(s->state == SVC_REACHABLE ? "True" : "False"));
	return o;
}

json_object *zc_status_json(struct zc *z)
{
	json_object *o = json_object_new_object(), *types, *svcs;
	char timer[64], key[ZC_LABEL_MAX + ZC_DOMAIN_MAX], name[ZC_NAME_MAX], ifname[16];
	uint64_t now = now_usec();
	const struct svc *s;

	if (!o)
		return NULL;
	if (z->wake_due)
		snprintf(timer, sizeof(timer), "%us [%.1fs]", ZC_WAKE_SEC,
			 z->wake_due > now ? (double)(z->wake_due - now) / 1e6 : 0.0);
	else
		snprintf(timer, sizeof(timer), "%us [off]", ZC_WAKE_SEC);
	json_object_object_add(o, "avahi wake up timer", json_object_new_string(timer));
	json_object_object_add(o, "avahi", json_object_new_string(z->present ? z->owner : ""));
	types = json_object_new_array();
	for (size_t i = 0; types && z->enabled && i < N_STYPES; i++)
		json_object_array_add(types, json_object_new_string(stypes[i]));
	json_object_object_add(o, "service types", types);
	svcs = json_object_new_object();
	TAILQ_FOREACH (s, &z->svcs, link) {
		if (!svcs)
			break;
		snprintf(key, sizeof(key), "(%s, %s, %s.%s, %s)",
			 svc_ifname(s, ifname, sizeof(ifname)), proto_name(s->proto),
			 printable(name, sizeof(name), s->name, strlen(s->name)), s->domain,
			 stypes[s->stype]);
		json_object_object_add(svcs, key, svc_json(s));
	}
	json_object_object_add(o, "services", svcs);
	return o;
}
