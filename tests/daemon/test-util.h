/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the daemons/common runners: config loading and diagnostics, temp dirs. */
#ifndef STAS_TEST_DAEMON_UTIL_H
#define STAS_TEST_DAEMON_UTIL_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/log.h"

static inline struct stas_conf *load(enum stas_daemon d, const char *text)
{
	struct stas_conf *c = NULL;
	int r = conf_load_string(d, text, "test.conf", &c);

	ck_assert_msg(r == 0, "conf_load_string: %d", r);
	return c;
}

static inline void dump_diags(const struct conf_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "  %s:%u: %s: %s\n", d->path, d->v[i].line,
			log_level_to_string(d->v[i].level), d->v[i].msg);
}

/* Exactly one diagnostic at @line containing @needle, with @level. */
static inline void assert_diag(const struct conf_diags *d, unsigned line, int level,
			       const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].line == line && strstr(d->v[i].msg, needle)) {
			ck_assert_msg(d->v[i].level == level, "line %u '%s': level %d, want %d",
				      line, d->v[i].msg, d->v[i].level, level);
			return;
		}
	dump_diags(d);
	ck_abort_msg("no diagnostic at line %u containing '%s'", line, needle);
}

static inline void assert_no_diags(const struct conf_diags *d)
{
	if (d->n)
		dump_diags(d);
	ck_assert_uint_eq(d->n, 0);
}

/* An environment variable the test cannot run without (ctest sets them). */
static inline const char *test_env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v && *v, "%s is not set", name);
	return v;
}

/* A new directory in $TMPDIR (else /tmp). */
static inline char *make_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = NULL;

	ck_assert_int_ge(asprintf(&dir, "%s/stas-test-XXXXXX", tmp && *tmp ? tmp : "/tmp"), 0);
	ck_assert_ptr_nonnull(dir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static inline int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static inline void remove_tree(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/*
 * run_in_fresh_dir() - main() of a runner whose tests share a directory:
 * *@dir is made from @template, @s runs (CK_VERBOSITY, CK_RUN_CASE,
 * CK_RUN_TEST are honoured), and the directory goes whatever a failed test
 * left in it. Returns the exit status; a run in which no test ran fails.
 */
static inline int run_in_fresh_dir(Suite *s, const char *template, char **dir)
{
	SRunner *sr;
	int failed, ran;

	*dir = strdup(template);
	if (!*dir || !mkdtemp(*dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	ran = srunner_ntests_run(sr);
	srunner_free(sr);
	remove_tree(*dir);
	*dir = NULL;
	if (ran == 0) {
		fprintf(stderr, "no test ran\n");
		return EXIT_FAILURE;
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static inline void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	ck_assert_msg(f, "%s: %m", path);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

#endif
