// SPDX-License-Identifier: Apache-2.0
/*
 * The driver CTest runs a fuzz target with (gcc, no libFuzzer): every seed,
 * then --runs mutations of them drawn from a fixed --seed, so a failure
 * reproduces; the input that failed is written to --crash-dir first.
 * --write-seeds DIR writes the seeds as files (a corpus for libFuzzer).
 * Files and directories on the command line are run too.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define FUZZ_MAX_INPUT (64 * 1024)
#define MAX_SEEDS      256

struct input {
	uint8_t *data;
	size_t size;
};

static struct input seeds[MAX_SEEDS];
static size_t n_seeds;
static const char *crash_dir = ".";
static const uint8_t *current;
static size_t current_size;

static void save_current(void)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/crash-input", crash_dir);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(current, 1, current_size, f);
	fclose(f);
	fprintf(stderr, "the input is in %s (%zu bytes)\n", path, current_size);
}

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	save_current();
	abort();
}

static void run(const uint8_t *data, size_t size)
{
	current = data;
	current_size = size;
	LLVMFuzzerTestOneInput(data, size);
}

static void keep_seed(const uint8_t *data, size_t size, void *arg)
{
	(void)arg;
	if (n_seeds == MAX_SEEDS || size > FUZZ_MAX_INPUT)
		return;
	seeds[n_seeds].data = malloc(size ? size : 1);
	if (!seeds[n_seeds].data)
		return;
	memcpy(seeds[n_seeds].data, data, size);
	seeds[n_seeds++].size = size;
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed sequence per --seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/* Values that sit on the edges of length and count fields. */
static const uint32_t interesting[] = { 0,     1,	   2,	       3,	  4,	7,    8,
					23,    24,	   64,	       127,	  128,	255,  256,
					1023,  1024,	   4095,       4096,	  8191, 8192, 65535,
					65536, 0x7fffffff, 0x80000000, 0xffffffff };

static size_t mutate(uint8_t *buf, size_t size, size_t cap)
{
	unsigned rounds = 1 + (unsigned)rnd_below(8);

	for (unsigned r = 0; r < rounds; r++) {
		size_t at = rnd_below(size ? size : 1);

		switch (rnd_below(8)) {
		case 0: /* flip a bit */
			if (size)
				buf[at] ^= (uint8_t)(1u << rnd_below(8));
			break;
		case 1: /* a random byte */
			if (size)
				buf[at] = (uint8_t)rnd();
			break;
		case 2: { /* an interesting 1, 2 or 4-byte little-endian value */
			uint32_t v = interesting[rnd_below(sizeof(interesting) /
							   sizeof(interesting[0]))];
			size_t w = (size_t)1 << rnd_below(3);

			for (size_t k = 0; k < w && at + k < size; k++)
				buf[at + k] = (uint8_t)(v >> (8 * k));
			break;
		}
		case 3: /* cut the tail */
			size = at;
			break;
		case 4: { /* delete a run */
			size_t n = 1 + rnd_below(16);

			if (at + n <= size) {
				memmove(buf + at, buf + at + n, size - at - n);
				size -= n;
			}
			break;
		}
		case 5: { /* insert random bytes */
			size_t n = 1 + rnd_below(16);

			if (size + n <= cap) {
				memmove(buf + at + n, buf + at, size - at);
				for (size_t k = 0; k < n; k++)
					buf[at + k] = (uint8_t)rnd();
				size += n;
			}
			break;
		}
		case 6: { /* duplicate a run (a PDU sent twice, say) */
			size_t n = 1 + rnd_below(128);

			if (at + n <= size && size + n <= cap) {
				memmove(buf + at + n, buf + at, size - at);
				size += n;
			}
			break;
		}
		default: { /* splice in a piece of another seed */
			const struct input *o = &seeds[rnd_below(n_seeds)];
			size_t from = rnd_below(o->size), n = rnd_below(o->size - from + 1);

			if (at + n <= cap) {
				memcpy(buf + at, o->data + from, n);
				if (at + n > size)
					size = at + n;
			}
			break;
		}
		}
	}
	return size;
}

static int run_file(const char *path)
{
	static uint8_t buf[FUZZ_MAX_INPUT];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	run(buf, n);
	return 0;
}

static int run_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	char sub[4096];
	int r = 0;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return run_file(path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			r |= run_file(sub);
		}
	closedir(d);
	return r;
}

static int write_seeds(const char *dir)
{
	char path[4096];

	mkdir(dir, 0755);
	for (size_t i = 0; i < n_seeds; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/seed-%03zu", dir, i);
		f = fopen(path, "wb");
		if (!f) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			return 1;
		}
		fwrite(seeds[i].data, 1, seeds[i].size, f);
		fclose(f);
	}
	printf("%zu seeds in %s\n", n_seeds, dir);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t buf[FUZZ_MAX_INPUT];
	unsigned long runs = 10000;
	uint64_t seed = 1;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
		if (i + 1 >= argc) {
			fprintf(stderr, "%s needs a value\n", argv[i]);
			return 2;
		}
		if (!strcmp(argv[i], "--runs"))
			runs = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--crash-dir"))
			crash_dir = argv[i + 1];
		else if (!strcmp(argv[i], "--write-seeds")) {
			fuzz_seeds(keep_seed, NULL);
			return write_seeds(argv[i + 1]);
		} else {
			fprintf(stderr,
				"usage: %s [--runs N] [--seed S] [--crash-dir DIR] "
				"[--write-seeds DIR] [FILE|DIR...]\n",
				argv[0]);
			return 2;
		}
	}
	fuzz_seeds(keep_seed, NULL);
	if (!n_seeds) {
		fprintf(stderr, "the target has no seeds\n");
		return 1;
	}
	for (size_t k = 0; k < n_seeds; k++)
		run(seeds[k].data, seeds[k].size);
	for (; i < argc; i++)
		if (run_path(argv[i]) < 0)
			return 1;
	rng_state = seed ? seed : 1;
	for (unsigned long r = 0; r < runs; r++) {
		const struct input *s = &seeds[rnd_below(n_seeds)];
		size_t n = s->size;

		memcpy(buf, s->data, n);
		n = mutate(buf, n, sizeof(buf));
		run(buf, n);
	}
	printf("%zu seeds and %lu mutations (seed %llu): no crash, no broken invariant\n", n_seeds,
	       runs, (unsigned long long)seed);
	for (size_t k = 0; k < n_seeds; k++)
		free(seeds[k].data);
	return 0;
}
