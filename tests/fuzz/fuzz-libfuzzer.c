// SPDX-License-Identifier: Apache-2.0
/* What a target needs besides LLVMFuzzerTestOneInput when libFuzzer drives it. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort(); /* libFuzzer saves the input */
}
