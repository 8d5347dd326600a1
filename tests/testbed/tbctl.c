/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tbctl: run a shell script inside the test-bed guest over its control
 * channel (the guest's second serial port, a unix socket on the host) and
 * print what it printed.
 *
 *   tbctl [-t SECONDS] SOCKET SCRIPT...    (the words are joined by spaces;
 *                                           SCRIPT "-" reads it from stdin)
 *
 * Wire format (see guest/tb-ctl-serve): the request is one line
 * "TB1 TOKEN SECONDS BASE64(script)"; the reply is the script's output
 * followed by "\n@@TB-END TOKEN rc=N@@\n". A random TOKEN per request keeps
 * a late reply to an abandoned request from being taken for ours.
 *
 * Exit: the script's exit status in the guest; 124 when no reply came in
 * time (the guest kills the script after the same time); 2 on usage errors,
 * when the socket cannot be reached, or when it closes before the reply.
 *
 * Only one client can use the channel at a time; tbctl serialises itself
 * with flock() on SOCKET.lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define TBCTL_DEFAULT_TIMEOUT 60
#define TBCTL_RC_TIMEOUT      124
#define TBCTL_RC_ERROR	      2
#define TBCTL_END	      "@@TB-END "

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + len + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tbctl [-t SECONDS] SOCKET SCRIPT...   (SCRIPT '-': read stdin)\n"
		"  runs SCRIPT with sh in the test-bed guest, prints its output and exits\n"
		"  with its status; 124: no reply within SECONDS (default %d); 2: usage\n"
		"  or connection error\n",
		TBCTL_DEFAULT_TIMEOUT);
}

static int base64_encode(const struct buf *in, struct buf *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint8_t *s = (const uint8_t *)in->p;
	size_t i;

	for (i = 0; i < in->len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		size_t left = in->len - i;
		char q[4];

		if (left > 1)
			v |= (uint32_t)s[i + 1] << 8;
		if (left > 2)
			v |= s[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = left > 1 ? tab[(v >> 6) & 63] : '=';
		q[3] = left > 2 ? tab[v & 63] : '=';
		if (buf_add(out, q, 4) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int read_script(int argc, char **argv, struct buf *script)
{
	int i;

	if (argc == 1 && strcmp(argv[0], "-") == 0) {
		char chunk[4096];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
			if (buf_add(script, chunk, n) < 0)
				return -ENOMEM;
		return ferror(stdin) ? -EIO : 0;
	}
	for (i = 0; i < argc; i++) {
		if ((i && buf_add(script, " ", 1) < 0) ||
		    buf_add(script, argv[i], strlen(argv[i])) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* flock SOCKET.lock, polling until @deadline: 0, -ETIMEDOUT or -errno */
static int lock_channel(const char *sock, int64_t deadline, int *lockfd)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", sock);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = -errno;

			close(fd);
			return e;
		}
		if (now_ms() >= deadline) {
			close(fd);
			return -ETIMEDOUT;
		}
		usleep(50 * 1000);
	}
	*lockfd = fd;
	return 0;
}

/* throw away whatever the guest sent before our request (bounded: 1 s) */
static void drain(int fd)
{
	int64_t stop = now_ms() + 1000;
	char junk[4096];

	while (now_ms() < stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 100) <= 0)
			return;
		if (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) <= 0)
			return;
	}
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* memmem() from @from to the end of @b */
static const char *find_in(const struct buf *b, const char *from, const char *needle)
{
	return memmem(from, (size_t)(b->p + b->len - from), needle, strlen(needle));
}

/*
 * Find our end marker in @b (which may hold any bytes, NULs included). On
 * success return 0 and set @out/@outlen to our output (after any earlier
 * reply's marker line) and @rc to the status.
 */
static int find_reply(const struct buf *b, const char *tok, const char **out, size_t *outlen,
		      int *rc)
{
	char marker[64];
	const char *m, *start, *prev, *q, *eol;
	int n;

	if (!b->len)
		return -EAGAIN;
	n = snprintf(marker, sizeof(marker), "\n" TBCTL_END "%s rc=", tok);
	m = find_in(b, b->p, marker);
	if (!m)
		return -EAGAIN;
	q = m + n;
	eol = find_in(b, q, "@@\n");
	if (!eol)
		return -EAGAIN; /* marker line not complete yet */
	*rc = atoi(q);

	/* skip output and markers of earlier requests, if any came in */
	start = b->p;
	for (prev = find_in(b, b->p, TBCTL_END); prev && prev < m;
	     prev = find_in(b, prev + 1, TBCTL_END)) {
		eol = find_in(b, prev, "@@\n");
		if (eol && eol < m)
			start = eol + 3;
	}
	*out = start;
	*outlen = (size_t)(m - start);
	return 0;
}

/* file scope: reachable until exit, so leak checkers stay quiet on early exits */
static struct buf script, line, reply;

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *sock, *out = NULL;
	size_t outlen = 0;
	int64_t deadline;
	long timeout = TBCTL_DEFAULT_TIMEOUT;
	char tok[17], hdr[96];
	uint8_t rnd[8];
	int opt, fd, lockfd = -1, r, rc = 0;
	char *end;

	while ((opt = getopt(argc, argv, "+ht:")) != -1) {
		switch (opt) {
		case 't':
			errno = 0;
			timeout = strtol(optarg, &end, 10);
			if (errno || *end || timeout <= 0 || timeout > 86400) {
				fprintf(stderr, "tbctl: bad timeout '%s'\n", optarg);
				return TBCTL_RC_ERROR;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return TBCTL_RC_ERROR;
		}
	}
	if (argc - optind < 2) {
		usage(stderr);
		return TBCTL_RC_ERROR;
	}
	deadline = now_ms() + timeout * 1000;
	sock = argv[optind];
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "tbctl: socket path too long: %s\n", sock);
		return TBCTL_RC_ERROR;
	}
	strcpy(sun.sun_path, sock);
	if (read_script(argc - optind - 1, argv + optind + 1, &script) < 0) {
		fprintf(stderr, "tbctl: cannot read the script\n");
		return TBCTL_RC_ERROR;
	}

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		uint64_t v = (uint64_t)now_ms() ^ ((uint64_t)getpid() << 32);

		memcpy(rnd, &v, sizeof(rnd));
	}
	for (r = 0; r < 8; r++)
		snprintf(tok + 2 * r, 3, "%02x", rnd[r]);

	r = lock_channel(sock, deadline, &lockfd);
	if (r == -ETIMEDOUT) {
		fprintf(stderr, "tbctl: control channel busy for %ld s (%s.lock)\n", timeout, sock);
		return TBCTL_RC_TIMEOUT;
	}
	if (r < 0) {
		fprintf(stderr, "tbctl: cannot lock %s.lock: %s\n", sock, strerror(-r));
		return TBCTL_RC_ERROR;
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "tbctl: cannot connect to %s: %s (is the test bed running?)\n",
			sock, strerror(errno));
		return TBCTL_RC_ERROR;
	}
	drain(fd);

	/* the leading newline ends any fragment an earlier client left behind */
	snprintf(hdr, sizeof(hdr), "\nTB1 %s %ld ", tok, timeout);
	if (buf_add(&line, hdr, strlen(hdr)) < 0 || base64_encode(&script, &line) < 0 ||
	    buf_add(&line, "\n", 1) < 0) {
		fprintf(stderr, "tbctl: out of memory\n");
		return TBCTL_RC_ERROR;
	}
	r = send_all(fd, line.p, line.len);
	if (r < 0) {
		fprintf(stderr, "tbctl: send to %s: %s\n", sock, strerror(-r));
		return TBCTL_RC_ERROR;
	}

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		char chunk[8192];
		ssize_t n;

		if (find_reply(&reply, tok, &out, &outlen, &rc) == 0)
			break;
		if (left <= 0) {
			fprintf(stderr, "tbctl: no reply from the guest within %ld s\n", timeout);
			if (reply.len)
				fwrite(reply.p, 1, reply.len, stdout);
			return TBCTL_RC_TIMEOUT;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno != EINTR) {
			perror("tbctl: poll");
			return TBCTL_RC_ERROR;
		}
		if (r <= 0)
			continue;
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "tbctl: %s closed before the reply\n", sock);
			return TBCTL_RC_ERROR;
		}
		if (buf_add(&reply, chunk, (size_t)n) < 0) {
			fprintf(stderr, "tbctl: out of memory\n");
			return TBCTL_RC_ERROR;
		}
	}
	close(fd);
	if (outlen && fwrite(out, 1, outlen, stdout) != outlen)
		return TBCTL_RC_ERROR;
	if (fflush(stdout) != 0)
		return TBCTL_RC_ERROR;
	close(lockfd);
	return rc;
}
