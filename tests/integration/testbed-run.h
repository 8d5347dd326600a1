/* SPDX-License-Identifier: Apache-2.0 */
/* The nvmet tests' hand on the test bed: `testbed.sh ctl SCRIPT` and `testbed.sh link up|down`. */
#ifndef STAS_TEST_TESTBED_RUN_H
#define STAS_TEST_TESTBED_RUN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* Run `testbed.sh VERB 'ARG'` (STAS_TB_SCRIPT, set by ctest); its exit status, 0 when it worked. */
static inline int testbed_run(const char *verb, const char *arg)
{
	const char *tb = getenv("STAS_TB_SCRIPT");
	char cmd[1024];

	ck_assert_msg(tb && *tb && getenv("STAS_TB_DIR"), "STAS_TB_SCRIPT/STAS_TB_DIR not set");
	ck_assert_uint_lt(
		(size_t)snprintf(cmd, sizeof(cmd), "'%s' %s '%s' >/dev/null", tb, verb, arg),
		sizeof(cmd));
	return system(cmd);
}

/* Run @script in the guest; the test fails if it does. */
static inline void testbed_ctl(const char *script)
{
	ck_assert_msg(testbed_run("ctl", script) == 0, "guest: '%s' failed", script);
}

#endif
