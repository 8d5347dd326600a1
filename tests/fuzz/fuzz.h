/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fuzz target: one entry point that takes any bytes (libFuzzer's
 * LLVMFuzzerTestOneInput) and a generator of valid inputs to start from.
 * The same source builds against libFuzzer (STAS_FUZZ=ON, clang) and
 * against fuzz-main.c, the driver CTest runs: seeds, then deterministic
 * mutations of them.
 */
#ifndef STAS_TEST_FUZZ_H
#define STAS_TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_seeds() - call @emit with each seed input; they must all pass through the target. */
typedef void (*fuzz_emit_fn)(const uint8_t *data, size_t size, void *arg);
void fuzz_seeds(fuzz_emit_fn emit, void *arg);

/* The target found a broken invariant: report and abort (a crash to both drivers). */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__FILE__, __LINE__, #cond);                                      \
	} while (0)

_Noreturn void fuzz_fail(const char *file, int line, const char *what);

#endif
