// SPDX-License-Identifier: Apache-2.0
/* Number parsing shared by the command-line tools (tool-num.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool-num.h"

/* The shift of a k/m/g suffix, 0 for none, -1 for anything else after the digits. */
static int suffix_shift(const char *end)
{
	static const char units[] = "kmg";
	const char *u;

	if (!*end)
		return 0;
	u = strchr(units, end[0] | 0x20);
	if (!u || end[1])
		return -1;
	return 10 * (int)(u - units + 1);
}

int tool_number(const char *prog, const char *s, const char *what, uint64_t min, uint64_t max,
		bool suffix, uint64_t *ret)
{
	unsigned long long v;
	char *end;
	int shift;

	errno = 0;
	v = strtoull(s, &end, 0);
	shift = suffix ? suffix_shift(end) : (*end ? -1 : 0);
	/* strtoull takes "-1" as ULLONG_MAX: refuse the sign instead of wrapping */
	if (errno || !*s || end == s || strchr(s, '-') || shift < 0 ||
	    (shift && v > (max >> shift)) || (v << shift) < min || (v << shift) > max) {
		fprintf(stderr, "%s: %s: '%s' is not a number in %llu..%llu%s\n", prog, what, s,
			(unsigned long long)min, (unsigned long long)max,
			suffix ? " (k, m, g: KiB, MiB, GiB)" : "");
		return -EINVAL;
	}
	*ret = v << shift;
	return 0;
}
