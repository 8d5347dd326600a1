// SPDX-License-Identifier: Apache-2.0
/*
 * stas-perf: load generator for the userspace NVMe/TCP core. One thread,
 * one event loop, the non-blocking I/O API: every completion submits the
 * next I/O on the same queue, so each queue keeps --qd commands in flight.
 * Reports IOPS, MiB/s, latency (avg/p50/p99/p99.9) and the client's CPU
 * time per I/O. `stas-perf baseline` measures the machine's plain-socket
 * loopback bandwidth and round trip, the ceiling to compare against.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "stas/cleanup.h"
#include "stas/host-id.h"
#include "stas/ntcp-conn.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"
#include "stas/nvme-sync.h"
#include "tool-num.h"

/* ---- latency histogram: 64 octaves x 32 linear sub-buckets, ~3% resolution -------------- */

#define SUB 32

struct hist {
	uint64_t n, sum_ns;
	uint64_t b[64 * SUB];
};

static unsigned hist_idx(uint64_t v)
{
	unsigned oct =
		v < SUB ? 0 : 63u - (unsigned)__builtin_clzll(v) - 5u; /* bits below the top 5 */

	if (v < SUB)
		return (unsigned)v;
	return (oct + 1) * SUB + (unsigned)((v >> oct) & (SUB - 1));
}

static uint64_t hist_value(unsigned idx)
{
	unsigned oct = idx / SUB;

	if (!oct)
		return idx;
	return (uint64_t)(SUB + idx % SUB) << (oct - 1);
}

static void hist_add(struct hist *h, uint64_t ns)
{
	h->n++;
	h->sum_ns += ns;
	h->b[hist_idx(ns)]++;
}

static double hist_pct(const struct hist *h, double p)
{
	uint64_t want = (uint64_t)ceil(p / 100.0 * (double)h->n), seen = 0;

	for (unsigned i = 0; i < 64 * SUB; i++) {
		seen += h->b[i];
		if (seen >= want && h->b[i])
			return (double)hist_value(i) / 1000.0;
	}
	return 0;
}

/* ---- the load -------------------------------------------------------------------------------- */

enum pattern { RANDREAD, RANDWRITE, SEQREAD, SEQWRITE, RANDRW };

static const char *const pattern_names[] = { "randread", "randwrite", "read", "write", "randrw" };

struct job {
	struct nvme_sync *s;
	struct nvme_ctrl *c;
	enum pattern pat;
	uint32_t nsid, bs, lba_size, qd, queues, rwmix;
	uint64_t nblocks_span, next_seq, rnd;
	uint64_t end_us;
	bool stopping;
	uint64_t ios, bytes, errors;
	uint32_t inflight;
	struct hist lat;
	char first_error[256];
};

struct slot {
	struct job *j;
	uint16_t qid;
	uint64_t t0;
	struct iovec iov;
	uint8_t *buf;
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void io_done(void *arg, const struct ntcp_cpl *cpl);

static int submit(struct slot *sl)
{
	struct job *j = sl->j;
	uint32_t nlb = j->bs / j->lba_size;
	uint64_t slba;
	bool read;
	struct ntcp_cmd cmd = {
		.len = j->bs, .iov = &sl->iov, .iovcnt = 1, .done = io_done, .arg = sl
	};

	switch (j->pat) {
	case SEQREAD:
	case SEQWRITE:
		/* wrap to 0, never to a misaligned block, when the next I/O would pass the span */
		slba = j->next_seq + nlb > j->nblocks_span ? 0 : j->next_seq;
		j->next_seq = slba + nlb;
		read = j->pat == SEQREAD;
		break;
	default:
		slba = xorshift(&j->rnd) % (j->nblocks_span / nlb) * nlb;
		read = j->pat == RANDREAD ||
		       (j->pat == RANDRW && xorshift(&j->rnd) % 100 < j->rwmix);
	}
	cmd.dir = read ? NTCP_DIR_C2H : NTCP_DIR_H2C;
	nvme_cmd_rw(&cmd.sqe, read ? NVME_IO_READ : NVME_IO_WRITE, j->nsid, slba, nlb, 0);
	sl->t0 = stas_now_us();
	return nvme_ctrl_io(j->c, sl->qid, &cmd);
}

static void job_error(struct job *j, const char *msg)
{
	if (!j->errors++)
		snprintf(j->first_error, sizeof(j->first_error), "%s", msg);
}

/* A submit the controller refuses is an error too: it would otherwise go uncounted. */
static void start(struct slot *sl)
{
	struct job *j = sl->j;
	int r = submit(sl);

	if (r < 0) {
		char msg[128];

		snprintf(msg, sizeof(msg), "submit: %s", strerror(-r));
		job_error(j, msg);
		j->stopping = true;
		return;
	}
	j->inflight++;
}

static void io_done(void *arg, const struct ntcp_cpl *cpl)
{
	struct slot *sl = arg;
	struct job *j = sl->j;
	uint64_t now = stas_now_us();

	j->inflight--;
	if (cpl->err || cpl->status) {
		char st[128];

		job_error(j,
			  cpl->err ? cpl->msg
				   : nvme_status_format(cpl->status, NVME_CMD_IO, st, sizeof(st)));
		if (cpl->err)
			j->stopping = true;
	} else {
		j->ios++;
		j->bytes += j->bs;
		hist_add(&j->lat, (now - sl->t0) * 1000u);
	}
	if (now >= j->end_us)
		j->stopping = true;
	if (!j->stopping)
		start(sl);
}

struct opts {
	const char *traddr, *trsvcid, *nqn;
	uint32_t nsid, bs, qd, queues, seconds, rwmix, span_mb;
	int cpu;
	bool dgst, json;
	enum pattern pat;
};

static void report(const struct opts *o, const struct job *j, double secs, double cpu_us)
{
	double avg = j->lat.n ? (double)j->lat.sum_ns / (double)j->lat.n / 1000.0 : 0;

	if (o->json)
		printf("{\"workload\":\"%s\",\"bs\":%u,\"qd\":%u,\"queues\":%u,\"seconds\":%.2f,"
		       "\"ios\":%" PRIu64 ",\"iops\":%.0f,\"mib_s\":%.1f,\"lat_avg_us\":%.1f,"
		       "\"lat_p50_us\":%.1f,\"lat_p99_us\":%.1f,\"lat_p999_us\":%.1f,"
		       "\"cpu_us_per_io\":%.2f,\"errors\":%" PRIu64 "}\n",
		       pattern_names[o->pat], o->bs, o->qd, nvme_ctrl_io_queues(j->c), secs, j->ios,
		       (double)j->ios / secs, (double)j->bytes / secs / (1 << 20), avg,
		       hist_pct(&j->lat, 50), hist_pct(&j->lat, 99), hist_pct(&j->lat, 99.9),
		       j->ios ? cpu_us / (double)j->ios : 0, j->errors);
	else
		printf("%s bs=%u qd=%u queues=%u: %.0f IOPS, %.1f MiB/s, latency avg %.1f us p50 "
		       "%.1f p99 %.1f p99.9 %.1f, client CPU %.2f us/IO (%.0f%% of a core), "
		       "%" PRIu64 " errors\n",
		       pattern_names[o->pat], o->bs, o->qd, nvme_ctrl_io_queues(j->c),
		       (double)j->ios / secs, (double)j->bytes / secs / (1 << 20), avg,
		       hist_pct(&j->lat, 50), hist_pct(&j->lat, 99), hist_pct(&j->lat, 99.9),
		       j->ios ? cpu_us / (double)j->ios : 0, cpu_us / (secs * 1e4), j->errors);
}

/* Refuse what the controller or the namespace cannot do before any I/O is sent. */
static int check_geometry(const struct opts *o, struct job *j, const struct nvme_ns_id *ns)
{
	uint64_t span = ns->nsze;

	if (o->span_mb && (uint64_t)o->span_mb * (1u << 20) / ns->lba_size < span)
		span = (uint64_t)o->span_mb * (1u << 20) / ns->lba_size;
	if (o->bs % ns->lba_size) {
		fprintf(stderr, "stas-perf: --bs %u is not a multiple of the %u-byte block\n",
			o->bs, ns->lba_size);
		return -EINVAL;
	}
	if (o->bs > nvme_ctrl_max_xfer(j->c)) {
		fprintf(stderr, "stas-perf: --bs %u is above the controller's max transfer (%u)\n",
			o->bs, nvme_ctrl_max_xfer(j->c));
		return -EMSGSIZE;
	}
	if (nvme_ctrl_io_depth(j->c) < o->qd) {
		fprintf(stderr, "stas-perf: --qd %u is above the queue depth %u\n", o->qd,
			nvme_ctrl_io_depth(j->c));
		return -EINVAL;
	}
	if (span * ns->lba_size < o->bs) {
		fprintf(stderr, "stas-perf: --bs %u is larger than the span (%" PRIu64 " bytes)\n",
			o->bs, span * ns->lba_size);
		return -ERANGE;
	}
	j->nblocks_span = span;
	j->lba_size = ns->lba_size;
	return 0;
}

static void free_slots(struct slot *slots, uint32_t n)
{
	for (uint32_t i = 0; slots && i < n; i++)
		free(slots[i].buf);
	free(slots);
}

static struct slot *new_slots(struct job *j, uint32_t n)
{
	struct slot *slots = calloc(n, sizeof(*slots));

	for (uint32_t i = 0; slots && i < n; i++) {
		slots[i] = (struct slot){ .j = j,
					  .qid = (uint16_t)(i % nvme_ctrl_io_queues(j->c) + 1) };
		if (posix_memalign((void **)&slots[i].buf, 4096, j->bs)) {
			free_slots(slots, i);
			return NULL;
		}
		memset(slots[i].buf, (int)i, j->bs);
		slots[i].iov = (struct iovec){ slots[i].buf, j->bs };
	}
	return slots;
}

static double cpu_delta_us(const struct rusage *r0, const struct rusage *r1)
{
	return (double)(r1->ru_utime.tv_sec - r0->ru_utime.tv_sec + r1->ru_stime.tv_sec -
			r0->ru_stime.tv_sec) *
		       1e6 +
	       (double)(r1->ru_utime.tv_usec - r0->ru_utime.tv_usec + r1->ru_stime.tv_usec -
			r0->ru_stime.tv_usec);
}

/* The load itself: every slot submits, every completion resubmits until the time is up. */
static void load(const struct opts *o, struct job *j, struct slot *slots, uint32_t n)
{
	struct rusage r0, r1;
	uint64_t t0;

	getrusage(RUSAGE_SELF, &r0);
	t0 = stas_now_us();
	j->end_us = t0 + (uint64_t)o->seconds * 1000000u;
	for (uint32_t i = 0; i < n && !j->stopping; i++)
		start(&slots[i]);
	while (j->inflight)
		event_base_loop(nvme_sync_base(j->s), EVLOOP_ONCE);
	getrusage(RUSAGE_SELF, &r1);
	report(o, j, (double)(stas_now_us() - t0) / 1e6, cpu_delta_us(&r0, &r1));
}

/* Exit status: 1 when anything failed or nothing completed, so scripts see a broken run. */
static int run(const struct opts *o)
{
	struct stas_host host;
	struct nvme_ctrl_config cfg = {
		.traddr = o->traddr,
		.trsvcid = o->trsvcid,
		.subsysnqn = o->nqn,
		.kato_ms = 30000,
		.hdgst = o->dgst,
		.ddgst = o->dgst,
		.nr_io_queues = o->queues,
		.io_queue_size = o->qd + 1,
	};
	struct stas_error e = { 0 };
	_cleanup_free_ struct job *j = calloc(1, sizeof(*j));
	struct slot *slots = NULL;
	struct nvme_ns_id ns;
	uint32_t n = 0;
	int rc = 1;

	if (!j) {
		fprintf(stderr, "stas-perf: %s\n", strerror(ENOMEM));
		return 1;
	}
	if (stas_host_load(&host, NULL, NULL, &e) < 0)
		stas_host_generate(&host);
	cfg.hostnqn = host.nqn;
	memcpy(cfg.hostid, host.id, 16);
	if (nvme_sync_connect(&cfg, &j->s, &e) < 0) {
		fprintf(stderr, "stas-perf: %s\n", e.msg);
		return 1;
	}
	j->c = nvme_sync_ctrl(j->s);
	if (nvme_sync_ns(j->s, o->nsid, &ns, &e) < 0) {
		fprintf(stderr, "stas-perf: %s\n", e.msg);
		goto out;
	}
	j->pat = o->pat;
	j->nsid = o->nsid;
	j->bs = o->bs;
	j->rwmix = o->rwmix;
	j->rnd = 0x2545f4914f6cdd1dull;
	if (check_geometry(o, j, &ns) < 0)
		goto out;
	n = o->qd * nvme_ctrl_io_queues(j->c);
	slots = new_slots(j, n);
	if (!slots) {
		fprintf(stderr, "stas-perf: %u buffers of %u bytes: %s\n", n, o->bs,
			strerror(ENOMEM));
		goto out;
	}
	load(o, j, slots, n);
	if (j->errors)
		fprintf(stderr, "stas-perf: first error: %s\n", j->first_error);
	else if (!j->ios)
		fprintf(stderr, "stas-perf: no I/O completed\n");
	else
		rc = 0;
out:
	nvme_sync_disconnect(j->s);
	free_slots(slots, n);
	return rc;
}

/* ---- plain-socket baseline --------------------------------------------------------------------
 */

struct peer {
	int fd;
	size_t msg;
	bool pingpong;
	volatile bool stop;
};

static void *sink(void *arg)
{
	struct peer *p = arg;
	_cleanup_free_ uint8_t *buf = malloc(p->msg);
	size_t got = 0, in = p->pingpong ? 72 : p->msg; /* a ping is a 72-byte capsule */
	ssize_t n;

	if (!buf) {
		shutdown(p->fd, SHUT_RDWR); /* the sender sees an error instead of blocking */
		return NULL;
	}
	while ((n = recv(p->fd, buf, in - (p->pingpong ? got : 0), 0)) > 0) {
		if (!p->pingpong)
			continue;
		got += (size_t)n;
		if (got == in) {
			got = 0;
			if (send(p->fd, buf, p->msg, MSG_NOSIGNAL) < 0)
				break;
		}
	}
	return NULL;
}

/* A connected loopback pair; on failure every descriptor it opened is closed again. */
static int tcp_pair(int fds[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	_cleanup_close_ int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	_cleanup_close_ int c = -1;
	int one = 1, r;

	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (void *)&a, &al))
		return -errno;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (void *)&a, sizeof(a)))
		return -errno;
	r = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (r < 0)
		return -errno;
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(r, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fds[0] = TAKE_FD(c);
	fds[1] = r;
	return 0;
}

/* The pair and the sink thread on its far end; 0 or a negative errno, nothing left open. */
static int start_sink(struct peer *p, int fds[2], pthread_t *t)
{
	int r = tcp_pair(fds);

	if (r < 0)
		return r;
	p->fd = fds[1];
	r = -pthread_create(t, NULL, sink, p);
	if (r < 0) {
		close(fds[0]);
		close(fds[1]);
	}
	return r;
}

static void stop_sink(int fds[2], pthread_t t)
{
	shutdown(fds[0], SHUT_WR);
	pthread_join(t, NULL);
	close(fds[0]);
	close(fds[1]);
}

/* Return: 0 with the bandwidth in @ret_mib_s, or a negative errno. */
static int bandwidth(uint32_t seconds, double *ret_mib_s)
{
	size_t msg = 128 * 1024;
	_cleanup_free_ uint8_t *buf = calloc(1, msg);
	struct peer p = { .msg = msg };
	pthread_t t;
	int fds[2], r;
	uint64_t t0, bytes = 0, end;

	if (!buf)
		return -ENOMEM;
	r = start_sink(&p, fds, &t);
	if (r < 0)
		return r;
	t0 = stas_now_us();
	end = t0 + (uint64_t)seconds * 1000000u;
	while (stas_now_us() < end) {
		ssize_t n = send(fds[0], buf, msg, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		bytes += (uint64_t)n;
	}
	stop_sink(fds, t);
	*ret_mib_s = (double)bytes / ((double)(stas_now_us() - t0) / 1e6) / (1 << 20);
	return 0;
}

static double thread_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/*
 * Ping-pong: send 72 bytes (a command capsule's size), get @msg back (a
 * response with its data). The sender's CPU per exchange is what the
 * kernel's TCP alone costs a host per I/O.
 */
static int round_trip(uint32_t seconds, size_t msg, struct hist *h, double *ret_cpu_us)
{
	_cleanup_free_ uint8_t *buf = calloc(1, msg);
	struct peer p = { .msg = msg, .pingpong = true };
	pthread_t t;
	int fds[2], r;
	uint64_t end;
	double cpu0;

	if (!buf)
		return -ENOMEM;
	r = start_sink(&p, fds, &t);
	if (r < 0)
		return r;
	end = stas_now_us() + (uint64_t)seconds * 1000000u;
	cpu0 = thread_cpu_us();
	while (stas_now_us() < end) {
		uint64_t t0 = stas_now_us();
		size_t got = 0;

		if (send(fds[0], buf, 72, MSG_NOSIGNAL) <= 0)
			break;
		while (got < msg) {
			ssize_t n = recv(fds[0], buf, msg - got, 0);

			if (n <= 0)
				goto out;
			got += (size_t)n;
		}
		hist_add(h, (stas_now_us() - t0) * 1000u);
	}
out:
	*ret_cpu_us = h->n ? (thread_cpu_us() - cpu0) / (double)h->n : 0;
	stop_sink(fds, t);
	return 0;
}

static int baseline(const struct opts *o)
{
	_cleanup_free_ struct hist *h72 = calloc(1, sizeof(*h72));
	_cleanup_free_ struct hist *h4k = calloc(1, sizeof(*h4k));
	double bw, cpu72, cpu4k;
	int r = h72 && h4k ? 0 : -ENOMEM;

	if (r == 0)
		r = bandwidth(o->seconds, &bw);
	if (r == 0)
		r = round_trip(o->seconds, 72, h72, &cpu72);
	if (r == 0)
		r = round_trip(o->seconds, 4096 + 24, h4k, &cpu4k);
	if (r < 0) {
		fprintf(stderr, "stas-perf: baseline: %s\n", strerror(-r));
		return 1;
	}
	printf("plain TCP loopback: %.0f MiB/s (128 KiB sends, one sender and one receiver "
	       "thread)\n",
	       bw);
	printf("plain TCP round trip, 72 bytes out, 72 back: %.1f us avg, p50 %.1f; sender CPU "
	       "%.2f us per exchange\n",
	       h72->n ? (double)h72->sum_ns / (double)h72->n / 1000 : 0, hist_pct(h72, 50), cpu72);
	printf("plain TCP round trip, 72 bytes out, 4 KiB + 24 back: %.1f us avg, p50 %.1f; "
	       "sender CPU %.2f us per exchange (the kernel's TCP cost of one 4 KiB read)\n",
	       h4k->n ? (double)h4k->sum_ns / (double)h4k->n / 1000 : 0, hist_pct(h4k, 50), cpu4k);
	return 0;
}

/* ---- options
 * ------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: stas-perf -a ADDR [-s PORT] -n NQN [--nsid N] [--rw PATTERN] [--bs BYTES]\n"
		"                 [--qd N] [--queues N] [--time S] [--rwmix PCT] [--span-mb N]\n"
		"                 [--cpu N] [--digests] [--json]\n"
		"       stas-perf baseline [--time S]\n"
		"BYTES takes k, m, g (KiB, MiB, GiB); --span-mb 0 (default): the whole namespace\n"
		"PATTERN: randread (default), randwrite, read, write, randrw (--rwmix %% reads)\n");
}

static int num(const char *s, const char *what, uint64_t min, uint64_t max, uint32_t *ret)
{
	uint64_t v;

	if (tool_number("stas-perf", s, what, min, max, false, &v) < 0)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static int parse_pattern(const char *s, enum pattern *ret)
{
	for (unsigned i = 0; i < ARRAY_SIZE(pattern_names); i++)
		if (!strcmp(s, pattern_names[i])) {
			*ret = i;
			return 0;
		}
	fprintf(stderr,
		"stas-perf: --rw '%s' is not one of randread, randwrite, read, write, "
		"randrw\n",
		s);
	return -EINVAL;
}

/* One option; 0, or -EINVAL after a message naming it (exit 2). */
static int parse_one(int c, const char *arg, struct opts *o)
{
	uint64_t v;
	uint32_t u;

	switch (c) {
	case 'a':
		o->traddr = arg;
		return 0;
	case 's':
		o->trsvcid = arg;
		return num(arg, "--trsvcid", 1, 65535, &u);
	case 'n':
		o->nqn = arg;
		return 0;
	case 'N':
		return num(arg, "--nsid", 1, 0xfffffffe, &o->nsid);
	case 'w':
		return parse_pattern(arg, &o->pat);
	case 'b':
		/* a size, so 4k works as in fio */
		if (tool_number("stas-perf", arg, "--bs", 512, 1u << 30, true, &v) < 0)
			return -EINVAL;
		o->bs = (uint32_t)v;
		return 0;
	case 'q':
		return num(arg, "--qd", 1, 65535, &o->qd);
	case 'Q':
		return num(arg, "--queues", 1, 65535, &o->queues);
	case 't':
		return num(arg, "--time", 1, 86400, &o->seconds);
	case 'm':
		return num(arg, "--rwmix", 0, 100, &o->rwmix);
	case 'S':
		return num(arg, "--span-mb", 0, UINT32_MAX, &o->span_mb);
	case 'c':
		if (num(arg, "--cpu", 0, CPU_SETSIZE - 1, &u) < 0)
			return -EINVAL;
		o->cpu = (int)u;
		return 0;
	case 'g':
		o->dgst = true;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	default:
		return -EINVAL;
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "traddr", 1, NULL, 'a' },  { "trsvcid", 1, NULL, 's' },
		{ "nqn", 1, NULL, 'n' },     { "nsid", 1, NULL, 'N' },
		{ "rw", 1, NULL, 'w' },	     { "bs", 1, NULL, 'b' },
		{ "qd", 1, NULL, 'q' },	     { "queues", 1, NULL, 'Q' },
		{ "time", 1, NULL, 't' },    { "rwmix", 1, NULL, 'm' },
		{ "span-mb", 1, NULL, 'S' }, { "cpu", 1, NULL, 'c' },
		{ "digests", 0, NULL, 'g' }, { "json", 0, NULL, 'j' },
		{ "help", 0, NULL, 'h' },    { 0 },
	};
	struct opts o = { .trsvcid = "4420",
			  .nsid = 1,
			  .bs = 4096,
			  .qd = 32,
			  .queues = 1,
			  .seconds = 10,
			  .rwmix = 70,
			  .cpu = -1 };
	bool base = argc > 1 && !strcmp(argv[1], "baseline");
	int c;

	if (base) {
		argc--;
		argv++;
	}
	while ((c = getopt_long(argc, argv, "a:s:n:h", lo, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (parse_one(c, optarg, &o) < 0) {
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "stas-perf: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			perror("stas-perf: sched_setaffinity");
	}
	if (base)
		return baseline(&o);
	if (!o.traddr || !o.nqn) {
		fprintf(stderr, "stas-perf: -a/--traddr and -n/--nqn are required\n");
		usage(stderr);
		return 2;
	}
	return run(&o);
}
