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
		slba = j->next_seq;
		j->next_seq = (j->next_seq + nlb) % (j->nblocks_span - nlb + 1);
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

static void io_done(void *arg, const struct ntcp_cpl *cpl)
{
	struct slot *sl = arg;
	struct job *j = sl->j;
	uint64_t now = stas_now_us();

	j->inflight--;
	if (cpl->err || cpl->status) {
		char st[128];

		if (!j->errors++)
			snprintf(j->first_error, sizeof(j->first_error), "%s",
				 cpl->err ? cpl->msg
					  : nvme_status_format(cpl->status, NVME_CMD_IO, st,
							       sizeof(st)));
		if (cpl->err)
			j->stopping = true;
	} else {
		j->ios++;
		j->bytes += j->bs;
		hist_add(&j->lat, (now - sl->t0) * 1000u);
	}
	if (now >= j->end_us)
		j->stopping = true;
	if (!j->stopping && submit(sl) == 0)
		j->inflight++;
}

struct opts {
	const char *traddr, *trsvcid, *nqn;
	uint32_t nsid, bs, qd, queues, seconds, rwmix, span_mb;
	int cpu;
	bool dgst, json;
	enum pattern pat;
};

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
	struct job *j = calloc(1, sizeof(*j));
	struct slot *slots;
	struct nvme_ns_id ns;
	struct rusage r0, r1;
	uint64_t t0, t1;
	double secs, cpu_us;
	uint32_t n;

	if (stas_host_load(&host, NULL, NULL, &e) < 0)
		stas_host_generate(&host);
	cfg.hostnqn = host.nqn;
	memcpy(cfg.hostid, host.id, 16);
	if (nvme_sync_connect(&cfg, &j->s, &e) < 0 || nvme_sync_ns(j->s, o->nsid, &ns, &e) < 0) {
		fprintf(stderr, "stas-perf: %s\n", e.msg);
		return 1;
	}
	j->c = nvme_sync_ctrl(j->s);
	if (o->bs % ns.lba_size || nvme_ctrl_io_depth(j->c) < o->qd) {
		fprintf(stderr, "stas-perf: block size %u vs %u-byte blocks, or depth %u > %u\n",
			o->bs, ns.lba_size, o->qd, nvme_ctrl_io_depth(j->c));
		return 1;
	}
	j->pat = o->pat;
	j->nsid = o->nsid;
	j->bs = o->bs;
	j->lba_size = ns.lba_size;
	j->rwmix = o->rwmix;
	j->rnd = 0x2545f4914f6cdd1dull;
	j->nblocks_span = ns.nsze;
	if (o->span_mb && (uint64_t)o->span_mb * (1u << 20) / ns.lba_size < ns.nsze)
		j->nblocks_span = (uint64_t)o->span_mb * (1u << 20) / ns.lba_size;
	n = o->qd * nvme_ctrl_io_queues(j->c);
	slots = calloc(n, sizeof(*slots));
	for (uint32_t i = 0; i < n; i++) {
		slots[i] = (struct slot){ .j = j,
					  .qid = (uint16_t)(i % nvme_ctrl_io_queues(j->c) + 1) };
		if (posix_memalign((void **)&slots[i].buf, 4096, o->bs))
			return 1;
		memset(slots[i].buf, (int)i, o->bs);
		slots[i].iov = (struct iovec){ slots[i].buf, o->bs };
	}
	getrusage(RUSAGE_SELF, &r0);
	t0 = stas_now_us();
	j->end_us = t0 + (uint64_t)o->seconds * 1000000u;
	for (uint32_t i = 0; i < n; i++)
		if (submit(&slots[i]) == 0)
			j->inflight++;
	while (j->inflight)
		event_base_loop(nvme_sync_base(j->s), EVLOOP_ONCE);
	t1 = stas_now_us();
	getrusage(RUSAGE_SELF, &r1);
	secs = (double)(t1 - t0) / 1e6;
	cpu_us = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec + r1.ru_stime.tv_sec -
			  r0.ru_stime.tv_sec) *
			 1e6 +
		 (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec + r1.ru_stime.tv_usec -
			  r0.ru_stime.tv_usec);
	if (o->json)
		printf("{\"workload\":\"%s\",\"bs\":%u,\"qd\":%u,\"queues\":%u,\"seconds\":%.2f,"
		       "\"ios\":%" PRIu64 ",\"iops\":%.0f,\"mib_s\":%.1f,\"lat_avg_us\":%.1f,"
		       "\"lat_p50_us\":%.1f,\"lat_p99_us\":%.1f,\"lat_p999_us\":%.1f,"
		       "\"cpu_us_per_io\":%.2f,\"errors\":%" PRIu64 "}\n",
		       pattern_names[o->pat], o->bs, o->qd, nvme_ctrl_io_queues(j->c), secs, j->ios,
		       (double)j->ios / secs, (double)j->bytes / secs / (1 << 20),
		       j->lat.n ? (double)j->lat.sum_ns / (double)j->lat.n / 1000.0 : 0,
		       hist_pct(&j->lat, 50), hist_pct(&j->lat, 99), hist_pct(&j->lat, 99.9),
		       j->ios ? cpu_us / (double)j->ios : 0, j->errors);
	else
		printf("%s bs=%u qd=%u queues=%u: %.0f IOPS, %.1f MiB/s, latency avg %.1f us p50 "
		       "%.1f p99 %.1f p99.9 %.1f, client CPU %.2f us/IO (%.0f%% of a core), "
		       "%" PRIu64 " errors\n",
		       pattern_names[o->pat], o->bs, o->qd, nvme_ctrl_io_queues(j->c),
		       (double)j->ios / secs, (double)j->bytes / secs / (1 << 20),
		       j->lat.n ? (double)j->lat.sum_ns / (double)j->lat.n / 1000.0 : 0,
		       hist_pct(&j->lat, 50), hist_pct(&j->lat, 99), hist_pct(&j->lat, 99.9),
		       j->ios ? cpu_us / (double)j->ios : 0, cpu_us / (secs * 1e4), j->errors);
	if (j->errors)
		fprintf(stderr, "stas-perf: first error: %s\n", j->first_error);
	nvme_sync_disconnect(j->s);
	for (uint32_t i = 0; i < n; i++)
		free(slots[i].buf);
	free(slots);
	free(j);
	return 0;
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

static int tcp_pair(int fds[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (void *)&a, &al))
		return -1;
	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fds[0], (void *)&a, sizeof(a)))
		return -1;
	fds[1] = accept(l, NULL, NULL);
	close(l);
	setsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fds[1] < 0 ? -1 : 0;
}

static double bandwidth(uint32_t seconds)
{
	size_t msg = 128 * 1024;
	_cleanup_free_ uint8_t *buf = calloc(1, msg);
	struct peer p = { .msg = msg };
	pthread_t t;
	int fds[2];
	uint64_t t0, bytes = 0, end;

	if (tcp_pair(fds))
		return 0;
	p.fd = fds[1];
	pthread_create(&t, NULL, sink, &p);
	t0 = stas_now_us();
	end = t0 + (uint64_t)seconds * 1000000u;
	while (stas_now_us() < end) {
		ssize_t n = send(fds[0], buf, msg, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		bytes += (uint64_t)n;
	}
	shutdown(fds[0], SHUT_WR);
	pthread_join(t, NULL);
	close(fds[0]);
	close(fds[1]);
	return (double)bytes / ((double)(stas_now_us() - t0) / 1e6) / (1 << 20);
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
static double round_trip(uint32_t seconds, size_t msg, struct hist *h)
{
	_cleanup_free_ uint8_t *buf = calloc(1, msg);
	struct peer p = { .msg = msg, .pingpong = true };
	pthread_t t;
	int fds[2];
	uint64_t end;
	double cpu0;

	if (tcp_pair(fds))
		return 0;
	p.fd = fds[1];
	pthread_create(&t, NULL, sink, &p);
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
	cpu0 = h->n ? (thread_cpu_us() - cpu0) / (double)h->n : 0;
	shutdown(fds[0], SHUT_WR);
	pthread_join(t, NULL);
	close(fds[0]);
	close(fds[1]);
	return cpu0;
}

static int baseline(const struct opts *o)
{
	struct hist *h72 = calloc(1, sizeof(*h72)), *h4k = calloc(1, sizeof(*h4k));
	double bw = bandwidth(o->seconds), cpu72, cpu4k;

	cpu72 = round_trip(o->seconds, 72, h72);
	cpu4k = round_trip(o->seconds, 4096 + 24, h4k);
	printf("plain TCP loopback: %.0f MiB/s (128 KiB sends, one sender and one receiver "
	       "thread)\n",
	       bw);
	printf("plain TCP round trip, 72 bytes out, 72 back: %.1f us avg, p50 %.1f; sender CPU "
	       "%.2f us per exchange\n",
	       h72->n ? (double)h72->sum_ns / (double)h72->n / 1000 : 0, hist_pct(h72, 50), cpu72);
	printf("plain TCP round trip, 72 bytes out, 4 KiB + 24 back: %.1f us avg, p50 %.1f; "
	       "sender CPU %.2f us per exchange (the kernel's TCP cost of one 4 KiB read)\n",
	       h4k->n ? (double)h4k->sum_ns / (double)h4k->n / 1000 : 0, hist_pct(h4k, 50), cpu4k);
	free(h72);
	free(h4k);
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
		"PATTERN: randread (default), randwrite, read, write, randrw (--rwmix %% reads)\n");
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
		switch (c) {
		case 'a':
			o.traddr = optarg;
			break;
		case 's':
			o.trsvcid = optarg;
			break;
		case 'n':
			o.nqn = optarg;
			break;
		case 'N':
			o.nsid = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'w':
			for (unsigned i = 0; i < ARRAY_SIZE(pattern_names); i++)
				if (!strcmp(optarg, pattern_names[i]))
					o.pat = i;
			break;
		case 'b':
			o.bs = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'q':
			o.qd = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'Q':
			o.queues = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 't':
			o.seconds = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'm':
			o.rwmix = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'S':
			o.span_mb = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			o.cpu = atoi(optarg);
			break;
		case 'g':
			o.dgst = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
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
	if (!o.traddr || !o.nqn || !o.bs || !o.qd || !o.queues || !o.seconds) {
		usage(stderr);
		return 2;
	}
	return run(&o);
}
