/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tb-ping: is an NVMe/TCP endpoint of the test bed up? For each ADDR:PORT,
 * connect, send an ICReq and wait for a valid ICResp (stas' own codec checks
 * it), then close. Used by testbed.sh as the readiness probe.
 *
 *   tb-ping [-q] [-t MS] ADDR:PORT...      IPv6 as [ADDR]:PORT
 *
 * Before the first connect() it refuses to run outside an isolated network
 * namespace and refuses any address outside the test bed (tb-guard.h).
 *
 * Exit: 0 every endpoint answered; 1 at least one did not; 2 usage error;
 * 3 refused by the isolation guard.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "stas/ntcp-pdu.h"
#include "tb-guard.h"

#define TB_PING_TIMEOUT_MS 2000

struct target {
	const char *arg;
	struct sockaddr_storage sa;
	socklen_t salen;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tb-ping [-q] [-t MS] ADDR:PORT...   (IPv6: [ADDR]:PORT)\n"
		"  sends an NVMe/TCP ICReq to each endpoint and waits for the ICResp\n"
		"  -q     print only failures\n"
		"  -t MS  per-endpoint timeout (default %d)\n"
		"exit: 0 all answered, 1 some did not, 2 usage, 3 refused by the isolation guard\n",
		TB_PING_TIMEOUT_MS);
}

/* "198.51.100.2:8009" or "[2001:db8::2]:4420" -> numeric sockaddr */
static int parse_target(const char *arg, struct target *t)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port;
	size_t hlen;
	char *end;
	unsigned long p;

	if (arg[0] == '[') {
		const char *rb = strchr(arg, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		hlen = (size_t)(rb - arg - 1);
		if (hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, arg + 1, hlen);
		port = rb + 2;
	} else {
		const char *c = strchr(arg, ':');

		if (!c || strchr(c + 1, ':')) /* IPv6 needs brackets */
			return -EINVAL;
		hlen = (size_t)(c - arg);
		if (hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, arg, hlen);
		port = c + 1;
	}
	host[hlen] = '\0';
	errno = 0;
	p = strtoul(port, &end, 10);
	if (errno || !*port || *end || p == 0 || p > 65535)
		return -EINVAL;

	memset(t, 0, sizeof(*t));
	t->arg = arg;
	if (arg[0] != '[') {
		struct sockaddr_in *in = (struct sockaddr_in *)&t->sa;

		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return -EINVAL;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)p);
		t->salen = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&t->sa;

		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return -EINVAL;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		t->salen = sizeof(*in6);
	}
	return 0;
}

/* Wait for @events on @fd until @deadline; 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		int64_t left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int send_all(int fd, const void *buf, size_t len, int64_t deadline)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w > 0) {
			p += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN)
			return -errno;
		int r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Read exactly @len bytes; -ECONNRESET when the peer closes first. */
static int recv_all(int fd, void *buf, size_t len, int64_t deadline)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		int r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One ICReq/ICResp exchange; 0 or -1 with @msg filled in. */
static int ping_one(const struct target *t, int timeout_ms, char *msg, size_t msglen)
{
	int64_t t0 = now_ms(), deadline = t0 + timeout_ms;
	struct ntcp_icreq req;
	union {
		struct ntcp_icresp resp;
		uint8_t raw[NTCP_IC_LEN];
	} u;
	struct ntcp_params params = { 0 };
	struct ntcp_fault fault = { 0 };
	struct stas_error err = { 0 };
	const char *step = "socket";
	int fd, r, soerr;
	socklen_t sl = sizeof(soerr);

	fd = socket(t->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	step = "connect";
	if (connect(fd, (const struct sockaddr *)&t->sa, t->salen) < 0) {
		if (errno != EINPROGRESS) {
			r = -errno;
			goto fail;
		}
		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) {
			r = -errno;
			goto fail;
		}
		if (soerr) {
			r = -soerr;
			goto fail;
		}
	}

	step = "send ICReq";
	ntcp_icreq_init(&req, 0, false, false, 0);
	r = send_all(fd, &req, sizeof(req), deadline);
	if (r < 0)
		goto fail;

	step = "receive ICResp header";
	r = recv_all(fd, u.raw, NTCP_CH_LEN, deadline);
	if (r < 0)
		goto fail;
	if (ntcp_ch_check(&u.resp.ch, NTCP_ROLE_HOST, NULL, &fault) < 0) {
		snprintf(msg, msglen, "%s: bad PDU header: %s", t->arg, fault.what);
		close(fd);
		return -1;
	}
	if (u.resp.ch.type != NTCP_ICRESP) {
		/* e.g. a C2HTermReq: valid PDU, but not the answer we want */
		snprintf(msg, msglen, "%s: got %s instead of ICResp", t->arg,
			 ntcp_pdu_type_name(u.resp.ch.type));
		close(fd);
		return -1;
	}
	step = "receive ICResp";
	r = recv_all(fd, u.raw + NTCP_CH_LEN, NTCP_IC_LEN - NTCP_CH_LEN, deadline);
	if (r < 0)
		goto fail;
	if (ntcp_icresp_parse(&u.resp, &req, &params, &err) < 0) {
		snprintf(msg, msglen, "%s: bad ICResp: %s", t->arg, err.msg);
		close(fd);
		return -1;
	}
	close(fd);
	snprintf(msg, msglen, "%s: ICResp cpda %u maxh2cdata %u hdgst %d ddgst %d (%.1f ms)",
		 t->arg, params.cpda, params.maxh2cdata, params.hdgst, params.ddgst,
		 (double)(now_ms() - t0));
	return 0;

fail:
	if (fd >= 0)
		close(fd);
	snprintf(msg, msglen, "%s: %s: %s", t->arg, step,
		 r == -ETIMEDOUT ? "timed out" : strerror(-r));
	return -1;
}

int main(int argc, char **argv)
{
	struct target *targets;
	bool quiet = false;
	int timeout_ms = TB_PING_TIMEOUT_MS;
	char why[256], msg[512];
	int opt, i, n, failed = 0;

	while ((opt = getopt(argc, argv, "hqt:")) != -1) {
		switch (opt) {
		case 'q':
			quiet = true;
			break;
		case 't':
			timeout_ms = atoi(optarg);
			if (timeout_ms <= 0 || timeout_ms > 600000) {
				fprintf(stderr, "tb-ping: bad timeout '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	n = argc - optind;
	if (n <= 0) {
		usage(stderr);
		return 2;
	}

	/* 1. where we are, before anything touches the network */
	if (tb_guard_netns(why, sizeof(why)) < 0) {
		fprintf(stderr, "tb-ping: refusing: %s\n", why);
		return 3;
	}

	/* 2. every address, before the first connect() */
	targets = calloc((size_t)n, sizeof(*targets));
	if (!targets) {
		perror("tb-ping");
		return 2;
	}
	for (i = 0; i < n; i++) {
		const char *arg = argv[optind + i];

		if (parse_target(arg, &targets[i]) < 0) {
			fprintf(stderr,
				"tb-ping: bad endpoint '%s' (want ADDR:PORT or [ADDR6]:PORT)\n",
				arg);
			free(targets);
			return 2;
		}
		if (tb_guard_addr((struct sockaddr *)&targets[i].sa, why, sizeof(why)) < 0) {
			fprintf(stderr, "tb-ping: refusing %s: %s\n", arg, why);
			free(targets);
			return 3;
		}
	}

	/* 3. ping */
	for (i = 0; i < n; i++) {
		if (ping_one(&targets[i], timeout_ms, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "tb-ping: FAIL %s\n", msg);
			failed++;
		} else if (!quiet) {
			printf("tb-ping: OK %s\n", msg);
		}
	}
	free(targets);
	return failed ? 1 : 0;
}
