// SPDX-License-Identifier: Apache-2.0
/*
 * stafd's cached discovery logs read back from its state file: an entry
 * that is not what stafd writes (text the discovery log decoder would
 * refuse, a wrong type, a number out of range) is left out with one warning
 * naming the entry and the field, and the entries next to it are kept.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>

#include "check-main.h"
#include "common/log.h"
#include "stafd-log-json.h"
#include "stas/cleanup.h"

static int capture_fd = -1, saved_stderr = -1;

static void capture_start(void)
{
	char path[] = "/tmp/stas-state-log-XXXXXX";

	log_open("test", LOG_TARGET_STDERR);
	capture_fd = mkostemp(path, O_CLOEXEC);
	ck_assert_int_ge(capture_fd, 0);
	unlink(path);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	dup2(capture_fd, STDERR_FILENO);
}

/* What was logged since capture_start(); stderr is back in place. */
static char *capture_stop(void)
{
	static char buf[8192];
	ssize_t n;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	n = pread(capture_fd, buf, sizeof(buf) - 1, 0);
	close(capture_fd);
	buf[n > 0 ? n : 0] = '\0';
	fputs(buf, stderr); /* shown too, for whoever reads a failure */
	return buf;
}

static const char *const keys[] = { "trtype", "adrfam", "subtype", "treq",    "portid", "cntlid",
				    "asqsz",  "eflags", "sectype", "trsvcid", "traddr", "subnqn" };

/* A good entry as stafd writes it, numbered by @n, with @key's value @raw (NULL: absent). */
static void append_entry(char *buf, size_t size, int n, const char *key, const char *raw)
{
	size_t used = strlen(buf);

	used += (size_t)snprintf(buf + used, size - used, "{");
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char good[64];

		if (!strcmp(keys[i], "traddr"))
			snprintf(good, sizeof(good), "\"192.0.2.%d\"", n);
		else if (!strcmp(keys[i], "subnqn"))
			snprintf(good, sizeof(good), "\"nqn.2014-08.org.example:s%d\"", n);
		else if (!strcmp(keys[i], "trsvcid"))
			snprintf(good, sizeof(good), "\"4420\"");
		else
			snprintf(good, sizeof(good), "%d", n);
		if (key && !strcmp(key, keys[i]) && !raw)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s\"%s\": %s",
					 buf[used - 1] == '{' ? "" : ", ", keys[i],
					 key && !strcmp(key, keys[i]) ? raw : good);
	}
	snprintf(buf + used, size - used, "}");
}

static const struct {
	const char *key;   /* NULL: @raw is the whole entry */
	const char *raw;   /* the value as JSON text; NULL: the key is left out */
	size_t long_len;   /* instead of @raw: a string of this many 'a's */
	const char *field; /* the warning names it, with what is wrong */
} hostile[] = {
	/* text the wire could not carry */
	{ "subnqn", "\"nqn.x:\xff\"", 0, "subnqn: byte 0xff at offset 6 is not printable ASCII" },
	{ "traddr", "\"192.0.2.\xc3\x28\"", 0, "traddr: byte 0xc3 at offset 8" },
	{ "traddr", "\"caf\\u00e9\"", 0, "traddr: byte 0xc3 at offset 3" }, /* UTF-8, not ASCII */
	{ "traddr", "\"192.0.2.\\u0001\"", 0, "traddr: byte 0x01 at offset 8" },
	{ "subnqn", "\"nqn.x\\ny\"", 0, "subnqn: byte 0x0a at offset 5" },
	{ "subnqn", "\"nqn.x\\u0000y\"", 0, "subnqn: byte 0x00 at offset 5" },
	{ "trsvcid", "\"44\\u007f\"", 0, "trsvcid: byte 0x7f at offset 2" },
	{ "trsvcid", NULL, 33, "trsvcid: 33 bytes long, at most 32 allowed" },
	{ "traddr", NULL, 256, "traddr: 256 bytes long, at most 255 allowed" },
	{ "subnqn", NULL, 224, "subnqn: 224 bytes long, at most 223 allowed" },
	{ "subnqn", NULL, 5000, "subnqn: 5000 bytes long" },
	/* wrong types and ranges */
	{ "subnqn", "42", 0, "subnqn: not a string" },
	{ "traddr", "null", 0, "traddr: not a string" },
	{ "trsvcid", "[\"4420\"]", 0, "trsvcid: not a string" },
	{ "subnqn", NULL, 0, "subnqn: missing" },
	{ "trtype", "\"3\"", 0, "trtype: not an integer" },
	{ "asqsz", "32.5", 0, "asqsz: not an integer" },
	{ "eflags", "true", 0, "eflags: not an integer" },
	{ "portid", "70000", 0, "portid: 70000 is not in 0..65535" },
	{ "adrfam", "-1", 0, "adrfam: -1 is not in 0..255" },
	{ "cntlid", "99999999999", 0, "cntlid: 99999999999 is not in 0..65535" },
	{ "sectype", NULL, 0, "sectype: missing" },
	{ NULL, "\"an entry\"", 0, "not an object" },
	{ NULL, "null", 0, "not an object" },
	{ NULL, "[]", 0, "not an object" },
};

static void check_good(const struct nvmf_disc_entry *e, int n)
{
	char traddr[32], subnqn[64];

	snprintf(traddr, sizeof(traddr), "192.0.2.%d", n);
	snprintf(subnqn, sizeof(subnqn), "nqn.2014-08.org.example:s%d", n);
	ck_assert_str_eq(e->traddr, traddr);
	ck_assert_str_eq(e->subnqn, subnqn);
	ck_assert_str_eq(e->trsvcid, "4420");
	ck_assert_uint_eq(e->trtype, n);
	ck_assert_uint_eq(e->portid, n);
	ck_assert_uint_eq(e->tsas[0], n);
}

START_TEST(test_hostile_entry_skipped)
{
	_cleanup_free_ char *text = malloc(16384), *raw = NULL;
	struct nvmf_disc_log *log = NULL;
	struct stas_error e = { 0 };
	char want[256], *out;
	json_object *arr;

	if (hostile[_i].long_len) {
		raw = malloc(hostile[_i].long_len + 3);
		memset(raw, 'a', hostile[_i].long_len + 2);
		raw[0] = raw[hostile[_i].long_len + 1] = '"';
		raw[hostile[_i].long_len + 2] = '\0';
	}
	strcpy(text, "[");
	append_entry(text, 16384, 1, NULL, NULL);
	strcat(text, ", ");
	if (hostile[_i].key)
		append_entry(text, 16384, 2, hostile[_i].key, raw ? raw : hostile[_i].raw);
	else
		strcat(text, hostile[_i].raw);
	strcat(text, ", ");
	append_entry(text, 16384, 3, NULL, NULL);
	strcat(text, "]");
	arr = json_tokener_parse(text);
	ck_assert_msg(arr, "not JSON: %s", text);

	capture_start();
	ck_assert_int_eq(log_from_state_json(arr, "S: controller 0", &log, &e), 0);
	out = capture_stop();
	json_object_put(arr);

	/* the bad entry is gone, its neighbours are intact */
	ck_assert_uint_eq(log->nr, 2);
	check_good(&log->entries[0], 1);
	check_good(&log->entries[1], 3);
	free(log);
	/* one warning: the file, the entry, the field and what is wrong */
	snprintf(want, sizeof(want), "warning: S: controller 0, log entry 1: %s",
		 hostile[_i].field);
	ck_assert_msg(!strncmp(out, want, strlen(want)), "logged '%s', want '%s...'", out, want);
	ck_assert_msg(strstr(out, "; skipped\n") && !strchr(out, '\n')[1], "logged '%s'", out);
}
END_TEST

/* What stafd writes reads back as it was, with no warning. */
START_TEST(test_round_trip)
{
	struct nvmf_disc_log *log = calloc(1, sizeof(*log) + 2 * sizeof(log->entries[0])), *back;
	json_object *j;
	char *out;

	log->nr = 2;
	log->entries[0] =
		(struct nvmf_disc_entry){ .trtype = 3,
					  .portid = 65535,
					  .eflags = 4,
					  .trsvcid = "8009",
					  .traddr = "2001:db8::2",
					  .subnqn = "nqn.2014-08.org.nvmexpress.discovery" };
	log->entries[0].tsas[0] = 2;
	log->entries[1] =
		(struct nvmf_disc_entry){ .trtype = 3, .traddr = "a b ~ !", .subnqn = "testnqn" };
	j = log_state_json(log);
	capture_start();
	ck_assert_int_eq(log_from_state_json(j, "S", &back, NULL), 0);
	out = capture_stop();
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(back->nr, 2);
	ck_assert(!memcmp(back->entries, log->entries, 2 * sizeof(log->entries[0])));
	json_object_put(j);
	free(back);
	free(log);
}
END_TEST

/* The list itself: the DC is skipped, and the caller says so with this message. */
START_TEST(test_not_a_log)
{
	struct nvmf_disc_log *log = NULL;
	struct stas_error e = { 0 };
	json_object *big = json_object_new_array();

	for (const char *const *t = (const char *const[]){ "{}", "\"[]\"", "7", "null", NULL }; *t;
	     t++) {
		json_object *o = json_tokener_parse(*t);

		ck_assert_int_eq(log_from_state_json(o, "S", &log, &e), -EINVAL);
		ck_assert_str_eq(e.msg, "log_pages: not a list");
		ck_assert_ptr_null(log);
		json_object_put(o);
	}
	for (int i = 0; i <= NVMF_DISC_LOG_MAX_RECORDS; i++)
		json_object_array_add(big, json_object_new_object());
	ck_assert_int_eq(log_from_state_json(big, "S", &log, &e), -EINVAL);
	ck_assert_str_eq(e.msg, "log_pages: 4097 entries, at most 4096");
	ck_assert_ptr_null(log);
	json_object_put(big);
}
END_TEST

static Suite *state_log_suite(void)
{
	Suite *s = suite_create("state-log");
	TCase *tc = tcase_create("read back");

	tcase_add_loop_test(tc, test_hostile_entry_skipped, 0, ARRAY_SIZE(hostile));
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_not_a_log);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(state_log_suite)
