// SPDX-License-Identifier: Apache-2.0
/*
 * What Debian 12's shared libinih (55) does, measured. These tests call inih
 * directly, without our line source, and pin down the behaviour that made
 * conf-reader.c necessary. If a future libinih changes any of it, a test here
 * fails and doc/daemon-common.md needs a look; our parser itself does not
 * depend on it (test-conf-syntax checks that).
 */
#include <check.h>
#include <ini.h>
#include <string.h>

#include "check-main.h"
#include "stas/cleanup.h"

/* Debian's build exports its compile-time settings as variables; upstream does not. */
#pragma weak ini_max_line
#pragma weak ini_allow_multiline
#pragma weak ini_allow_inline_comments
#pragma weak ini_inline_comment_prefixes

struct call {
	char name[64];
	char value[512];
};

struct calls {
	struct call v[16];
	int n;
};

static int record(void *user, const char *section, const char *name, const char *value)
{
	struct calls *c = user;

	if (c->n < (int)ARRAY_SIZE(c->v)) {
		snprintf(c->v[c->n].name, sizeof(c->v[c->n].name), "%s", name);
		snprintf(c->v[c->n].value, sizeof(c->v[c->n].value), "%s",
			 value ? value : "(null)");
		c->n++;
	}
	return 1;
}

static int parse(const char *text, struct calls *c)
{
	memset(c, 0, sizeof(*c));
	return ini_parse_string(text, record, c);
}

START_TEST(test_builtin_settings)
{
	if (!&ini_max_line)
		return; /* not Debian's build: nothing to read */
	ck_assert_int_eq(ini_max_line, 200);
	ck_assert(ini_allow_multiline);
	ck_assert(ini_allow_inline_comments);
	ck_assert_str_eq(ini_inline_comment_prefixes, ";");
}
END_TEST

/* A 300-byte value: cut at 195 bytes, the rest read as a line of its own. */
START_TEST(test_long_line_truncated)
{
	char text[512] = "[A]\nk = ";
	struct calls c;
	int r;

	for (int i = 0; i < 300; i++)
		text[strlen(text)] = (char)('a' + i % 26);
	strcat(text, "\nnext = 1\n");
	r = parse(text, &c);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(strlen(c.v[0].value), 195); /* 199 bytes read: "k = " + 195 */
	ck_assert_str_eq(c.v[1].name, "next");
	/* The remainder has no '=': an error, numbered as if it were line 3. */
	ck_assert_int_eq(r, 3);
}
END_TEST

/* Worse: when the remainder contains '=', it silently becomes a key of its own. */
START_TEST(test_long_line_remainder_becomes_key)
{
	char text[600] = "[Controllers]\ncontroller = transport=tcp;traddr=192.0.2.1;nqn=";
	struct calls c;
	int r;

	while (strlen(text) < 14 + 210)
		strcat(text, "x");
	strcat(text, ";dhchap-secret=DHHC-1:00:abc=:\n");
	r = parse(text, &c);
	ck_assert_int_eq(r, 0); /* no error reported at all */
	ck_assert_int_eq(c.n, 2);
	ck_assert_str_eq(c.v[0].name, "controller");
	ck_assert_ptr_null(strstr(c.v[0].value, "dhchap"));
	ck_assert_ptr_nonnull(strstr(c.v[1].name, ";dhchap-secret"));
	ck_assert_str_eq(c.v[1].value, "DHHC-1:00:abc=:");
}
END_TEST

/* Indented lines continue the previous key: the handler is called again with its name. */
START_TEST(test_continuation)
{
	struct calls c;

	ck_assert_int_eq(parse("[A]\nk = one\n  two\n\n\tthree\nm = x\n", &c), 0);
	ck_assert_int_eq(c.n, 4);
	ck_assert_str_eq(c.v[1].name, "k");
	ck_assert_str_eq(c.v[1].value, "two");
	/* a blank line does not end the continuation */
	ck_assert_str_eq(c.v[2].name, "k");
	ck_assert_str_eq(c.v[2].value, "three");
}
END_TEST

START_TEST(test_inline_comments)
{
	struct calls c;

	ck_assert_int_eq(parse("[A]\na = v ; c\nb = v;c\nc = v # c\nd = v#c\n"
			       "e = transport=tcp ; traddr=192.0.2.1\nf = x\n  y ; z\n",
			       &c),
			 0);
	ck_assert_int_eq(c.n, 7);
	ck_assert_str_eq(c.v[0].value, "v");	 /* ';' after whitespace: comment */
	ck_assert_str_eq(c.v[1].value, "v;c");	 /* ';' without whitespace: data */
	ck_assert_str_eq(c.v[2].value, "v # c"); /* '#' is never an inline comment */
	ck_assert_str_eq(c.v[3].value, "v#c");
	ck_assert_str_eq(c.v[4].value, "transport=tcp"); /* a controller= entry cut short */
	ck_assert_str_eq(c.v[6].value, "y ; z");	 /* not stripped in continuations */
}
END_TEST

START_TEST(test_colon_delimiter)
{
	struct calls c;

	ck_assert_int_eq(parse("[A]\nkato: 30\nx = a:b\n", &c), 0);
	ck_assert_int_eq(c.n, 2);
	ck_assert_str_eq(c.v[0].name, "kato");
	ck_assert_str_eq(c.v[0].value, "30");
	ck_assert_str_eq(c.v[1].value, "a:b");
}
END_TEST

START_TEST(test_line_without_delimiter)
{
	struct calls c;

	ck_assert_int_eq(parse("[A]\njunk\nk = 1\n", &c), 2);
	ck_assert_int_eq(c.n, 1);
}
END_TEST

START_TEST(test_sections)
{
	struct calls c;

	/* A header without ']' is an error and the keys stay in the previous section. */
	ck_assert_int_eq(parse("[A]\nk = 1\n[B\nk = 2\n", &c), 3);
	ck_assert_int_eq(c.n, 2);
}
END_TEST

static Suite *inih_suite(void)
{
	Suite *s = suite_create("inih as shipped");
	TCase *tc = tcase_create("measured");

	tcase_add_test(tc, test_builtin_settings);
	tcase_add_test(tc, test_long_line_truncated);
	tcase_add_test(tc, test_long_line_remainder_becomes_key);
	tcase_add_test(tc, test_continuation);
	tcase_add_test(tc, test_inline_comments);
	tcase_add_test(tc, test_colon_delimiter);
	tcase_add_test(tc, test_line_without_delimiter);
	tcase_add_test(tc, test_sections);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(inih_suite)
