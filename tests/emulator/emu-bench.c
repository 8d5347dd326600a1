// SPDX-License-Identifier: Apache-2.0
/*
 * emu-bench: the simplest load there is against a running stas-target-emu
 * (or any NVMe/TCP target on 127.0.0.1): one I/O queue, queue depth 1,
 * fixed-size reads of NSID 1 in a loop, sequential and wrapping. It prints
 * IOPS, throughput and the mean latency. Not a test; a yardstick.
 *
 *   stas-target-emu --null-data &   # prints "port 1 127.0.0.1:PORT"
 *   emu-bench PORT nqn.2014-08.org.example:emu-p1-s1 5 4096
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu-client.h"
#include "stas/nvme-status.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int attach(struct ec *adm, struct ec *io, unsigned port, const char *nqn)
{
	uint16_t st = 0;

	if (ec_attach(adm, (uint16_t)port, nqn, 0, NULL) < 0) {
		fprintf(stderr, "emu-bench: admin queue: %s\n", adm->why);
		return -1;
	}
	if (ec_connect(io, (uint16_t)port, NULL) < 0 ||
	    ec_io_connect(io, nqn, 1, adm->cntlid, &st) < 0 || st) {
		fprintf(stderr, "emu-bench: I/O queue: %s\n", io->why);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned port, secs = argc > 3 ? (unsigned)atoi(argv[3]) : 5;
	uint32_t bs = argc > 4 ? (uint32_t)atoi(argv[4]) : 4096;
	struct ec adm, io;
	uint64_t n = 0, lba = 0;
	double t0, t;
	uint8_t *buf;
	uint16_t st;

	if (argc < 3 || sscanf(argv[1], "%u", &port) != 1 || !bs || bs % 512) {
		fprintf(stderr, "usage: emu-bench PORT NQN [SECONDS] [BLOCK_BYTES]\n");
		return 2;
	}
	buf = malloc(bs);
	ec_init(&adm);
	ec_init(&io);
	if (!buf || attach(&adm, &io, port, argv[2]) < 0)
		return 1;
	t0 = now_s();
	do {
		for (int i = 0; i < 256; i++, n++) {
			if (ec_rw(&io, NVME_IO_READ, 1, lba, bs / 512, buf, bs, false, &st) < 0 ||
			    st) {
				fprintf(stderr, "emu-bench: read: %s status 0x%x\n", io.why, st);
				return 1;
			}
			lba = (lba + bs / 512) % 2048;
		}
		t = now_s() - t0;
	} while (t < secs);
	printf("%llu reads of %u bytes in %.2f s: %.0f IOPS, %.1f MiB/s, %.1f us mean latency\n",
	       (unsigned long long)n, bs, t, (double)n / t, (double)n * bs / t / (1 << 20),
	       t / (double)n * 1e6);
	ec_close(&io);
	ec_close(&adm);
	free(buf);
	return 0;
}
