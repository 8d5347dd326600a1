/* SPDX-License-Identifier: Apache-2.0 */
/* Number parsing shared by stas-nvme and stas-perf: one message, one exit code (2). */
#ifndef STAS_TOOL_NUM_H
#define STAS_TOOL_NUM_H

#include <stdbool.h>
#include <stdint.h>

/**
 * tool_number() - parse @s (decimal, 0x hex or 0 octal) for option @what.
 * @prog: the tool's name for the message
 * @min/@max: the accepted range
 * @suffix: accept k, m, g (1024-based), as fio does for sizes
 *
 * Prints "PROG: WHAT: 'S' is not a number in MIN..MAX" on failure.
 * Return: 0, or -EINVAL (then @ret is untouched).
 */
int tool_number(const char *prog, const char *s, const char *what, uint64_t min, uint64_t max,
		bool suffix, uint64_t *ret);

#endif
