// SPDX-License-Identifier: Apache-2.0
/*
 * Socket and timers for one NVMe/TCP queue on a libevent loop. Reads go
 * straight into the command's buffers when the queue is inside C2H data
 * (ntcp_queue_rx_direct), otherwise through a staging buffer. Writes are
 * batched: a submission only marks the write event active, so everything
 * queued in one loop turn leaves in one writev.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "stas/cleanup.h"
#include "stas/ntcp-conn.h"

#define STAGING_SIZE	(64 * 1024)
#define DIRECT_MIN	4096 /* below this a readv into the caller's buffer is not worth it */
#define READS_PER_EVENT 16
#define DIRECT_IOV_MAX	16

struct ntcp_conn {
	struct event_base *base;
	enum ntcp_conn_state state;
	struct ntcp_conn_config cfg;
	const struct ntcp_conn_ops *ops;
	void *arg;
	int fd;
	struct event *ev_read, *ev_write, *ev_timer;
	uint64_t timer_at; /* µs, UINT64_MAX when not armed */
	uint64_t connect_deadline;
	struct ntcp_queue *q;
	unsigned refs;
	bool freed;
	bool failed_reported;
	char local[INET6_ADDRSTRLEN];
	char traddr[INET6_ADDRSTRLEN + 8], trsvcid[16];
	char where[INET6_ADDRSTRLEN + 8 + 16 + 3]; /* "addr:port", "[v6addr]:port" in messages */
	uint8_t *staging; /* only when the thread's buffer is busy (a nested loop) */
};

/*
 * One staging buffer per thread, not per connection: ntcp_queue_rx()
 * consumes what it is given before it returns, so nothing lives in it
 * between reads, and a daemon with thousands of queues keeps 64 KiB
 * instead of 64 KiB each. A loop run from inside a callback (a nested
 * read on the same thread) gets a buffer of the connection's own.
 */
static __thread uint8_t thread_staging[STAGING_SIZE];
static __thread bool thread_staging_busy;

static const char *const state_names[] = {
	[NTCP_CONN_CONNECTING] = "CONNECTING",
	[NTCP_CONN_INITIALIZING] = "INITIALIZING",
	[NTCP_CONN_LIVE] = "LIVE",
	[NTCP_CONN_FAILED] = "FAILED",
};

const char *ntcp_conn_state_name(enum ntcp_conn_state s)
{
	return s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

uint64_t stas_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- lifetime ------------------------------------------------------------------------ */

static void conn_destroy(struct ntcp_conn *c)
{
	if (c->ev_read)
		event_free(c->ev_read);
	if (c->ev_write)
		event_free(c->ev_write);
	if (c->ev_timer)
		event_free(c->ev_timer);
	if (c->fd >= 0)
		close(c->fd);
	ntcp_queue_free(c->q);
	free(c->staging);
	free(c);
}

static void enter(struct ntcp_conn *c)
{
	c->refs++;
}

static void leave(struct ntcp_conn *c)
{
	if (--c->refs == 0)
		conn_destroy(c);
}

static void close_socket(struct ntcp_conn *c)
{
	event_del(c->ev_read);
	event_del(c->ev_write);
	event_del(c->ev_timer);
	c->timer_at = UINT64_MAX;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Report the failure once; the owner decides when to free. */
static void report_failed(struct ntcp_conn *c, int err, const char *msg)
{
	c->state = NTCP_CONN_FAILED;
	close_socket(c);
	if (c->failed_reported || c->freed)
		return;
	c->failed_reported = true;
	if (c->ops && c->ops->failed)
		c->ops->failed(c->arg, err, msg);
}

__attribute__((format(printf, 3, 4))) static void conn_fail(struct ntcp_conn *c, int err,
							    const char *fmt, ...)
{
	char msg[STAS_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->q && ntcp_queue_state(c->q) != NTCP_Q_FAILED) {
		/* The queue completes its commands and calls q_failed() -> report_failed(). */
		ntcp_queue_fail(c->q, err, "%s", msg);
		return;
	}
	report_failed(c, err, msg);
}

void ntcp_conn_free(struct ntcp_conn *c)
{
	if (!c || c->freed)
		return;
	c->freed = true;
	close_socket(c);
	ntcp_queue_free(c->q); /* completes outstanding commands with -ECONNABORTED */
	c->q = NULL;
	leave(c);
}

/* ---- timers ---------------------------------------------------------------------------- */

static void arm_timer(struct ntcp_conn *c, uint64_t at)
{
	uint64_t now = stas_now_us();
	struct timeval tv;

	if (at == UINT64_MAX || c->fd < 0) {
		event_del(c->ev_timer);
		c->timer_at = UINT64_MAX;
		return;
	}
	at = at > now ? at - now : 0;
	tv.tv_sec = (time_t)(at / 1000000u);
	tv.tv_usec = (suseconds_t)(at % 1000000u);
	c->timer_at = now + at;
	event_add(c->ev_timer, &tv);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct ntcp_conn *c = arg;
	uint64_t next;

	enter(c);
	c->timer_at = UINT64_MAX;
	if (c->state == NTCP_CONN_CONNECTING || c->state == NTCP_CONN_INITIALIZING) {
		conn_fail(c, -ETIMEDOUT, "%s: %s timed out after %u ms", c->where,
			  c->state == NTCP_CONN_CONNECTING ? "TCP connect" : "ICReq/ICResp",
			  c->cfg.connect_timeout_ms);
	} else if (c->state == NTCP_CONN_LIVE) {
		next = ntcp_queue_expire(c->q, stas_now_us());
		if (c->state == NTCP_CONN_LIVE)
			arm_timer(c, next);
	}
	leave(c);
}

/* A socket error as the user should read it: a reset is the controller's doing. */
static void fail_errno(struct ntcp_conn *c, const char *op, int err)
{
	if (err == ECONNRESET || err == EPIPE)
		conn_fail(c, -ECONNRESET, "%s: connection reset by the controller", c->where);
	else
		conn_fail(c, -err, "%s: %s: %s", c->where, op, strerror(err));
}

/* ---- write ------------------------------------------------------------------------------ */

static void on_write(evutil_socket_t fd, short what, void *arg)
{
	struct ntcp_conn *c = arg;
	struct evbuffer *out;
	int n;

	if (c->fd < 0 || !c->q)
		return;
	out = ntcp_queue_output(c->q);
	enter(c);
	n = evbuffer_write(out, c->fd);
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		fail_errno(c, "send", errno);
	} else {
		ntcp_queue_tx_done(c->q); /* completions may free or fail the connection */
		if (c->fd >= 0 && c->q && evbuffer_get_length(ntcp_queue_output(c->q)))
			event_add(c->ev_write, NULL); /* the socket is full: wait for room */
		else if (c->fd >= 0)
			event_del(c->ev_write);
	}
	leave(c);
}

/* ---- read -------------------------------------------------------------------------------- */

/*
 * One read from the socket: directly into command buffers when worth it.
 * Returns bytes or <0; *@asked is what the read could have taken.
 */
static ssize_t read_once(struct ntcp_conn *c, size_t *asked)
{
	struct iovec iov[DIRECT_IOV_MAX];
	int n = ntcp_queue_rx_direct(c->q, iov, DIRECT_IOV_MAX);
	size_t want = 0;
	uint8_t *buf;
	ssize_t got;

	for (int i = 0; i < n; i++)
		want += iov[i].iov_len;
	if (n > 0 && want >= DIRECT_MIN) {
		*asked = want;
		got = readv(c->fd, iov, n);
		if (got > 0)
			ntcp_queue_rx_direct_done(c->q, (size_t)got);
		return got;
	}
	if (thread_staging_busy) {
		if (!c->staging && !(c->staging = malloc(STAGING_SIZE))) {
			errno = ENOMEM;
			return -1;
		}
		buf = c->staging;
	} else {
		buf = thread_staging;
		thread_staging_busy = true;
	}
	*asked = STAGING_SIZE;
	got = recv(c->fd, buf, STAGING_SIZE, 0);
	if (got > 0)
		ntcp_queue_rx(c->q, buf, (size_t)got);
	if (buf == thread_staging)
		thread_staging_busy = false;
	return got;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct ntcp_conn *c = arg;

	enter(c);
	for (int i = 0; i < READS_PER_EVENT && c->fd >= 0 && c->q; i++) {
		size_t asked = 0;
		ssize_t got = read_once(c, &asked);

		/*
		 * A short read drained the socket: stop rather than pay a recv()
		 * that only says EAGAIN. The loop is level-triggered, so bytes
		 * that arrive meanwhile wake us again.
		 */
		if (got > 0 && (size_t)got < asked)
			break;
		if (got > 0)
			continue;
		if (got == 0)
			conn_fail(c, -ECONNRESET, "%s: connection closed by the controller",
				  c->where);
		else if (errno != EAGAIN && errno != EINTR)
			fail_errno(c, "recv", errno);
		break;
	}
	leave(c);
}

/* ---- queue upcalls --------------------------------------------------------------------------- */

static void q_tx_ready(void *arg)
{
	struct ntcp_conn *c = arg;

	if (c->fd >= 0 && c->state != NTCP_CONN_CONNECTING)
		event_active(c->ev_write, EV_WRITE, 1);
}

static void q_live(void *arg)
{
	struct ntcp_conn *c = arg;

	c->state = NTCP_CONN_LIVE;
	arm_timer(c, UINT64_MAX);
	if (c->ops && c->ops->ready)
		c->ops->ready(c->arg);
}

static void q_failed(void *arg, int err, const char *msg)
{
	struct ntcp_conn *c = arg;
	struct evbuffer *out = ntcp_queue_output(c->q);

	/* Best effort: a TermReq the queue queued goes out before the socket closes. */
	if (c->fd >= 0 && evbuffer_get_length(out))
		evbuffer_write(out, c->fd);
	report_failed(c, err, msg);
}

static const struct ntcp_queue_ops queue_ops = { q_tx_ready, q_live, q_failed };

/* ---- connect --------------------------------------------------------------------------------- */

static void on_connected(evutil_socket_t fd, short what, void *arg)
{
	struct ntcp_conn *c = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int err = 0;
	socklen_t el = sizeof(err);

	enter(c);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err) {
		fail_errno(c, "connect", err);
		leave(c);
		return;
	}
	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0)
		getnameinfo((struct sockaddr *)&ss, sl, c->local, sizeof(c->local), NULL, 0,
			    NI_NUMERICHOST);
	event_free(c->ev_write);
	c->ev_write = event_new(c->base, c->fd, EV_WRITE, on_write, c);
	c->state = NTCP_CONN_INITIALIZING;
	event_add(c->ev_read, NULL);
	ntcp_queue_start(c->q); /* ICReq; the deadline timer keeps running */
	leave(c);
}

#define NOT_NUMERIC "not a numeric IPv4/IPv6 address (host names are not looked up)"

static int resolve(const struct ntcp_conn_config *cfg, struct sockaddr_storage *ss, socklen_t *sl,
		   struct stas_error *e)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	int r;

	r = getaddrinfo(cfg->traddr, cfg->trsvcid, &hints, &ai);
	/* gai's "Name or service not known" names neither the field nor the rule */
	if (r == EAI_NONAME && cfg->traddr) {
		bool addr_ok = getaddrinfo(cfg->traddr, NULL, &hints, &ai) == 0;

		if (ai)
			freeaddrinfo(ai);
		if (!addr_ok)
			return stas_error_set(e, -EINVAL, "traddr '%s': %s", cfg->traddr,
					      NOT_NUMERIC);
		return stas_error_set(e, -EINVAL, "trsvcid '%s': not a port number",
				      cfg->trsvcid ? cfg->trsvcid : "");
	}
	if (r)
		return stas_error_set(e, -EINVAL, "traddr '%s' trsvcid '%s': %s",
				      cfg->traddr ? cfg->traddr : "",
				      cfg->trsvcid ? cfg->trsvcid : "", gai_strerror(r));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sl = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* The kernel's bare EINVAL would not say that the interface is what is missing. */
static bool link_local_without_scope(const struct sockaddr_storage *ss,
				     const struct ntcp_conn_config *cfg)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	return ss->ss_family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr) &&
	       !in6->sin6_scope_id && !(cfg->host_iface && *cfg->host_iface);
}

static int bind_source(int fd, int family, const struct ntcp_conn_config *cfg, struct stas_error *e)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST,
				  .ai_family = family,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	int r;

	if (cfg->host_iface && *cfg->host_iface &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, cfg->host_iface,
		       (socklen_t)strlen(cfg->host_iface)) < 0)
		return stas_error_set(e, -errno, "host-iface '%s': %m", cfg->host_iface);
	if (!cfg->host_traddr || !*cfg->host_traddr)
		return 0;
	r = getaddrinfo(cfg->host_traddr, NULL, &hints, &ai);
	if (r)
		return stas_error_set(e, -EINVAL, "host-traddr '%s': %s", cfg->host_traddr,
				      r == EAI_NONAME ? NOT_NUMERIC : gai_strerror(r));
	r = bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ? -errno : 0;
	freeaddrinfo(ai);
	if (r < 0)
		return stas_error_set(e, r, "host-traddr '%s': bind: %s", cfg->host_traddr,
				      strerror(-r));
	return 0;
}

static int open_socket(struct ntcp_conn *c, const struct ntcp_conn_config *cfg,
		       struct stas_error *e)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	int one = 1, r;

	r = resolve(cfg, &ss, &sl, e);
	if (r < 0)
		return r;
	if (link_local_without_scope(&ss, cfg))
		return stas_error_set(e, -EINVAL,
				      "traddr '%s' is link-local: give host-iface or '%s%%IFACE'",
				      c->traddr, c->traddr);
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return stas_error_set(e, -errno, "socket: %m");
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r = bind_source(c->fd, ss.ss_family, cfg, e);
	if (r < 0)
		return r;
	if (connect(c->fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS)
		return stas_error_set(e, -errno, "%s: connect: %m", c->where);
	return 0;
}

int ntcp_conn_new(struct event_base *base, const struct ntcp_conn_config *cfg,
		  const struct ntcp_conn_ops *ops, void *arg, struct ntcp_conn **ret,
		  struct stas_error *e)
{
	struct ntcp_conn *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return stas_error_set(e, -ENOMEM, "out of memory");
	c->base = base;
	c->cfg = *cfg;
	c->ops = ops;
	c->arg = arg;
	c->fd = -1;
	c->refs = 1;
	c->timer_at = UINT64_MAX;
	snprintf(c->traddr, sizeof(c->traddr), "%s", cfg->traddr ? cfg->traddr : "");
	snprintf(c->trsvcid, sizeof(c->trsvcid), "%s", cfg->trsvcid ? cfg->trsvcid : "");
	snprintf(c->where, sizeof(c->where), strchr(c->traddr, ':') ? "[%s]:%s" : "%s:%s",
		 c->traddr, c->trsvcid);
	/* The caller's strings are only borrowed for this call. */
	c->cfg.traddr = c->traddr;
	c->cfg.trsvcid = c->trsvcid;
	c->cfg.host_traddr = c->cfg.host_iface = NULL;
	if (!c->cfg.connect_timeout_ms)
		c->cfg.connect_timeout_ms = 10000;
	r = ntcp_queue_new(&cfg->queue, &queue_ops, c, &c->q);
	if (r < 0) {
		stas_error_set(e, r, "queue: %s", strerror(-r));
		conn_destroy(c);
		return r;
	}
	r = open_socket(c, cfg, e);
	if (r < 0) {
		conn_destroy(c);
		return r;
	}
	c->ev_read = event_new(base, c->fd, EV_READ | EV_PERSIST, on_read, c);
	c->ev_write = event_new(base, c->fd, EV_WRITE, on_connected, c);
	c->ev_timer = evtimer_new(base, on_timer, c);
	if (!c->ev_read || !c->ev_write || !c->ev_timer) {
		conn_destroy(c);
		return stas_error_set(e, -ENOMEM, "out of memory");
	}
	event_add(c->ev_write, NULL);
	c->connect_deadline = stas_now_us() + (uint64_t)c->cfg.connect_timeout_ms * 1000u;
	arm_timer(c, c->connect_deadline);
	*ret = c;
	return 0;
}

int ntcp_conn_submit(struct ntcp_conn *c, const struct ntcp_cmd *cmd)
{
	uint64_t now = stas_now_us();
	int r;

	if (c->state != NTCP_CONN_LIVE)
		return -ENOTCONN;
	ntcp_queue_set_now(c->q, now);
	r = ntcp_queue_submit(c->q, cmd);
	if (r == 0 && cmd->timeout_us && now + cmd->timeout_us < c->timer_at)
		arm_timer(c, now + cmd->timeout_us);
	return r;
}

enum ntcp_conn_state ntcp_conn_state(const struct ntcp_conn *c)
{
	return c->state;
}

struct ntcp_queue *ntcp_conn_queue(struct ntcp_conn *c)
{
	return c->q;
}

const char *ntcp_conn_local_addr(const struct ntcp_conn *c)
{
	return c->local;
}
