/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared main() for the Check runners: runs one suite and fails when a test
 * fails *or when no test ran at all*, so an empty or mis-registered suite
 * can never pass.
 */
#ifndef STAS_CHECK_MAIN_H
#define STAS_CHECK_MAIN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define STAS_CHECK_MAIN(suite_fn)                                                                  \
	int main(void)                                                                             \
	{                                                                                          \
		SRunner *sr = srunner_create(suite_fn());                                          \
		int failed, ran;                                                                   \
                                                                                                   \
		srunner_run_all(sr, CK_NORMAL);                                                    \
		failed = srunner_ntests_failed(sr);                                                \
		ran = srunner_ntests_run(sr);                                                      \
		srunner_free(sr);                                                                  \
		if (ran == 0) {                                                                    \
			fprintf(stderr, "no test ran\n");                                          \
			return EXIT_FAILURE;                                                       \
		}                                                                                  \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                       \
	}

#endif
