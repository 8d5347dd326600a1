// SPDX-License-Identifier: Apache-2.0
/*
 * The CLI printers: Python repr()/pprint.pformat() of the values a daemon
 * sends, and the --json form. Each expected text was worked out from
 * pprint's rules (Lib/pprint.py: _format, _pprint_dict, _format_items,
 * _pprint_str; non-compact, keys sorted), not recorded from a run.
 */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check-main.h"
#include "ctl-common.h"
#include "ctl-state.h"
#include "stas/cleanup.h"

#define E10	 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
#define E50	 E10 E10 E10 E10 E10
#define UUID1	 "00000000-0000-0000-0000-000000000001"
#define HOSTNQN	 "nqn.2014-08.org.nvmexpress:uuid:" UUID1
#define DISC_NQN "nqn.2014-08.org.nvmexpress.discovery"

/* One DLPE as stafd sends it (every value a string). */
#define DLPE_JSON                                                                                  \
	"{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"subtype\": \"nvme\", "                      \
	"\"treq\": \"not specified\", \"portid\": \"1\", \"trsvcid\": \"4420\", "                  \
	"\"subnqn\": \"nqn.2014-08.org.example:tgt1\", \"traddr\": \"192.0.2.1\", "                \
	"\"tsas\": \"{'sectype': 'none'}\", \"cntlid\": \"65535\", \"asqsz\": \"32\", "            \
	"\"eflags\": \"0\"}"

#define CTRL_JSON                                                                                  \
	"\"transport\": \"tcp\", \"traddr\": \"192.0.2.1\", \"trsvcid\": \"8009\", "               \
	"\"subsysnqn\": \"" DISC_NQN "\", \"host-traddr\": \"\", \"host-iface\": \"\", "           \
	"\"host-nqn\": \"" HOSTNQN "\", \"device\": \"dc0\""

/* What nvme-stas's IOC detail 'dlpe' looks like: str() of a dict. */
#define DLPE_STR                                                                                   \
	"{'adrfam': 'ipv4', 'asqsz': '32', 'cntlid': '65535', 'eflags': '0', 'portid': '1', "      \
	"'subnqn': 'nqn.2014-08.org.example:tgt1', 'subtype': 'nvme', 'traddr': '192.0.2.3', "     \
	"'treq': 'not specified', 'trsvcid': '4420', 'trtype': 'tcp'}"

static const struct {
	const char *name;
	const char *json;
	int width;
	const char *expect;
} rows[] = {
	/* scalars and repr() */
	{ "empty list", "[]", 120, "[]" },
	{ "empty dict", "{}", 120, "{}" },
	{ "str", "\"abc\"", 120, "'abc'" },
	{ "empty str", "\"\"", 120, "''" },
	{ "apostrophe: double quotes", "\"it's\"", 120, "\"it's\"" },
	{ "both quotes: escaped apostrophe", "\"it's \\\"q\\\"\"", 120, "'it\\'s \"q\"'" },
	{ "tab, newline, CR, backslash", "\"a\\tb\\nc\\rd\\\\\"", 120, "'a\\tb\\nc\\rd\\\\'" },
	{ "C0 and DEL as \\x", "\"\\u0000\\u001b\\u007f\"", 120, "'\\x00\\x1b\\x7f'" },
	{ "C1, NBSP, soft hyphen as \\x", "\"\\u0085\\u00a0\\u00ad\"", 120, "'\\x85\\xa0\\xad'" },
	{ "printable non-ASCII kept", "\"caf\\u00e9 \\u00fc \\ud83d\\ude00\"", 120,
	  "'caf\xc3\xa9 \xc3\xbc \xf0\x9f\x98\x80'" },
	{ "format and line separators as \\u", "\"\\u200b\\u2028\\ufeff\"", 120,
	  "'\\u200b\\u2028\\ufeff'" },
	{ "private use as \\u and \\U", "\"\\ue000\\udb80\\udc00\"", 120, "'\\ue000\\U000f0000'" },
	{ "JSON scalars", "[true, false, null, 0, -2, 9223372036854775807]", 120,
	  "[True, False, None, 0, -2, 9223372036854775807]" },
	{ "floats", "[1.5, 100.0, 0.1, 1e16, 1e15, 0.0001, 1e-05, 0.00012, -0.0, 1.5e300, 5e-324]",
	  120,
	  "[1.5, 100.0, 0.1, 1e+16, 1000000000000000.0, 0.0001, 1e-05, 0.00012, -0.0, 1.5e+300, "
	  "5e-324]" },
	{ "keys sorted by code point",
	  "{\"b\": \"2\", \"a\": \"1\", \"_\": \"\", \"B\": \"\", "
	  "\"\xc3\xa9\": \"\"}",
	  120, "{'B': '', '_': '', 'a': '1', 'b': '2', '\xc3\xa9': ''}" },
	{ "key with an apostrophe", "{\"a'b\": \"1\"}", 120, "{\"a'b\": '1'}" },
	{ "nested, fits", "{\"a\": [], \"b\": {}, \"c\": [{\"d\": \"e\"}]}", 120,
	  "{'a': [], 'b': {}, 'c': [{'d': 'e'}]}" },

	/* where lines break */
	{ "list exactly at the width", "[\"aaa\", \"bbb\"]", 14, "['aaa', 'bbb']" },
	{ "list one over", "[\"aaa\", \"bbb\"]", 13, "['aaa',\n 'bbb']" },
	{ "two dicts, one per line", "[{\"a\": \"" E50 "\"}, {\"b\": \"" E50 "\"}]", 120,
	  "[{'a': '" E50 "'},\n {'b': '" E50 "'}]" },
	{ "width counts code points, not bytes", "{\"k\": \"" E50 " " E50 E10 "\"}", 120,
	  "{'k': '" E50 " " E50 E10 "'}" },
	{ "one code point over: the string splits", "{\"k\": \"" E50 " " E50 E10 "\xc3\xa9\"}", 120,
	  "{'k': '" E50 " '\n      '" E50 E10 "\xc3\xa9'}" },
	{ "no blank to split at: wider than the width", "[{\"a\": \"bbbbbbbbbb\"}]", 20,
	  "[{'a': 'bbbbbbbbbb'}]" },
	{ "inner string split, allowance of two closers", "[{\"a\": \"bbbbb bbbb\"}]", 20,
	  "[{'a': 'bbbbb '\n       'bbbb'}]" },
	{ "string in a list in a dict",
	  "{\"key\": [\"short\", \"a b c d e f g h i j k l m n o p\"]}", 30,
	  "{'key': ['short',\n"
	  "         'a b c d e f g h i '\n"
	  "         'j k l m n o p']}" },

	/* top-level strings get parentheses */
	{ "top-level words", "\"aaa bbb ccc ddd eee fff\"", 20,
	  "('aaa bbb ccc ddd '\n 'eee fff')" },
	{ "top-level without blanks", "\"abcdefghijklmnopqrstuvwxyz\"", 20,
	  "'abcdefghijklmnopqrstuvwxyz'" },
	{ "top-level lines", "\"line one\\nline two\\n\"", 20, "('line one\\n'\n 'line two\\n')" },
	{ "CR LF is one line break", "\"ab\\r\\ncd\"", 9, "('ab\\r\\n'\n 'cd')" },
	{ "CR LF fits", "\"ab\\r\\ncd\"", 10, "'ab\\r\\ncd'" },
	{ "U+2028 breaks a line", "\"a\\u2028b\"", 5, "('a\\u2028'\n 'b')" },
	{ "each chunk picks its own quotes", "\"it's here and \\\"there\\\" now\"", 20,
	  "(\"it's here and \"\n '\"there\" now')" },

	/* the shapes stafctl prints */
	{ "ls", "[{" CTRL_JSON "}]", 120,
	  "[{'device': 'dc0',\n"
	  "  'host-iface': '',\n"
	  "  'host-nqn': '" HOSTNQN "',\n"
	  "  'host-traddr': '',\n"
	  "  'subsysnqn': '" DISC_NQN "',\n"
	  "  'traddr': '192.0.2.1',\n"
	  "  'transport': 'tcp',\n"
	  "  'trsvcid': '8009'}]" },
	{ "dlp", "[" DLPE_JSON "]", 120,
	  "[{'adrfam': 'ipv4',\n"
	  "  'asqsz': '32',\n"
	  "  'cntlid': '65535',\n"
	  "  'eflags': '0',\n"
	  "  'portid': '1',\n"
	  "  'subnqn': 'nqn.2014-08.org.example:tgt1',\n"
	  "  'subtype': 'nvme',\n"
	  "  'traddr': '192.0.2.1',\n"
	  "  'treq': 'not specified',\n"
	  "  'trsvcid': '4420',\n"
	  "  'trtype': 'tcp',\n"
	  "  'tsas': \"{'sectype': 'none'}\"}]" },
	{ "adlp, empty log page list",
	  "[{\"discovery-controller\": {\"transport\": \"tcp\", \"traddr\": \"192.0.2.1\"}, "
	  "\"log-pages\": []}]",
	  120,
	  "[{'discovery-controller': {'traddr': '192.0.2.1', 'transport': 'tcp'}, 'log-pages': "
	  "[]}]" },
	{ "status",
	  "{\"tron\": \"False\", \"log-level\": \"INFO\", \"hostnqn\": \"" HOSTNQN "\", "
	  "\"hostid\": \"" UUID1 "\", \"hostkey\": \"\", \"symname\": \"\", "
	  "\"controllers\": [{" CTRL_JSON ", \"connected\": \"True\", "
	  "\"log_pages\": [" DLPE_JSON "]}]}",
	  120,
	  "{'controllers': [{'connected': 'True',\n"
	  "                  'device': 'dc0',\n"
	  "                  'host-iface': '',\n"
	  "                  'host-nqn': '" HOSTNQN "',\n"
	  "                  'host-traddr': '',\n"
	  "                  'log_pages': [{'adrfam': 'ipv4',\n"
	  "                                 'asqsz': '32',\n"
	  "                                 'cntlid': '65535',\n"
	  "                                 'eflags': '0',\n"
	  "                                 'portid': '1',\n"
	  "                                 'subnqn': 'nqn.2014-08.org.example:tgt1',\n"
	  "                                 'subtype': 'nvme',\n"
	  "                                 'traddr': '192.0.2.1',\n"
	  "                                 'treq': 'not specified',\n"
	  "                                 'trsvcid': '4420',\n"
	  "                                 'trtype': 'tcp',\n"
	  "                                 'tsas': \"{'sectype': 'none'}\"}],\n"
	  "                  'subsysnqn': '" DISC_NQN "',\n"
	  "                  'traddr': '192.0.2.1',\n"
	  "                  'transport': 'tcp',\n"
	  "                  'trsvcid': '8009'}],\n"
	  " 'hostid': '" UUID1 "',\n"
	  " 'hostkey': '',\n"
	  " 'hostnqn': '" HOSTNQN "',\n"
	  " 'log-level': 'INFO',\n"
	  " 'symname': '',\n"
	  " 'tron': 'False'}" },
	{ "a long str() value split between blanks (stacctl ls -d)",
	  "[{\"dlpe\": \"" DLPE_STR "\", \"device\": \"nvme1\"}]", 120,
	  "[{'device': 'nvme1',\n"
	  "  'dlpe': \"{'adrfam': 'ipv4', 'asqsz': '32', 'cntlid': '65535', 'eflags': '0', "
	  "'portid': '1', 'subnqn': \"\n"
	  "          \"'nqn.2014-08.org.example:tgt1', 'subtype': 'nvme', 'traddr': '192.0.2.3', "
	  "'treq': 'not specified', \"\n"
	  "          \"'trsvcid': '4420', 'trtype': 'tcp'}\"}]" },
};

static struct json_object *parse(const char *text)
{
	enum json_tokener_error err;
	struct json_object *o = json_tokener_parse_verbose(text, &err);

	ck_assert_msg(err == json_tokener_success, "test input is not JSON: %s", text);
	return o;
}

START_TEST(test_pformat)
{
	struct json_object *v = parse(rows[_i].json);
	_cleanup_free_ char *s = ctl_pformat(v, rows[_i].width);

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(!strcmp(s, rows[_i].expect), "%s:\n--- got\n%s\n--- expected\n%s",
		      rows[_i].name, s, rows[_i].expect);
	json_object_put(v);
}
END_TEST

/* Wide enough, pformat() is repr(). */
START_TEST(test_repr_is_one_line)
{
	struct json_object *v = parse(rows[_i].json);
	_cleanup_free_ char *r = ctl_pyrepr(v);
	_cleanup_free_ char *p = ctl_pformat(v, 100000);

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(strchr(r, '\n') ? NULL : r);
	ck_assert_str_eq(r, p);
	json_object_put(v);
}
END_TEST

START_TEST(test_json)
{
	struct json_object *v = parse("[{\"b\": \"x/\xc3\xa9\\n\", \"a\": [1, null], \"e\": [], "
				      "\"o\": {}}, true]");
	_cleanup_free_ char *s = ctl_json_format(v);

	ck_assert_str_eq(s, "[\n"
			    "  {\n"
			    "    \"b\": \"x/\xc3\xa9\\n\",\n"
			    "    \"a\": [\n"
			    "      1,\n"
			    "      null\n"
			    "    ],\n"
			    "    \"e\": [],\n"
			    "    \"o\": {}\n"
			    "  },\n"
			    "  true\n"
			    "]");
	json_object_put(v);
}
END_TEST

/* ---- stacctl state: the typed reply, the identity text and the table ------------------------- */

#define TID_A                                                                                      \
	"{\"transport\": \"tcp\", \"traddr\": \"192.0.2.3\", \"trsvcid\": \"4420\", "              \
	"\"subsysnqn\": \"nqn.x:a\", \"host-traddr\": \"\", \"host-iface\": \"\", "                \
	"\"host-nqn\": \"" HOSTNQN "\"}"
#define TID_B                                                                                      \
	"{\"transport\": \"tcp\", \"traddr\": \"2001:db8::3\", \"trsvcid\": \"4420\", "            \
	"\"subsysnqn\": \"nqn.x:b\", \"host-traddr\": \"2001:db8::9\", \"host-iface\": \"eth1\", " \
	"\"host-nqn\": \"" HOSTNQN "\"}"
#define STATE_HEADER "CONTROLLER  CONNECTED  STATE  RECONNECTS  QUEUES  NAMESPACES  LAST ERROR"

static const struct {
	const char *name;
	const char *json;
	const char *expect;
} tid_rows[] = {
	{ "every field; host-iface before host-traddr; no host-nqn",
	  "{\"transport\": \"tcp\", \"traddr\": \"fe80::1%eth0\", \"trsvcid\": \"4420\", "
	  "\"subsysnqn\": \"nqn.x:a\", \"host-traddr\": \"fe80::2\", \"host-iface\": \"eth0\", "
	  "\"host-nqn\": \"nqn.h\"}",
	  "(tcp, fe80::1%eth0, 4420, nqn.x:a, eth0, fe80::2)" },
	{ "empty fields left out",
	  "{\"transport\": \"fc\", \"traddr\": \"nn-0x1:pn-0x2\", \"trsvcid\": \"\", "
	  "\"subsysnqn\": \"nqn.x:a\", \"host-traddr\": \"nn-0x3:pn-0x4\", \"host-iface\": \"\"}",
	  "(fc, nn-0x1:pn-0x2, nqn.x:a, nn-0x3:pn-0x4)" },
	{ "nothing", "{}", "()" },
	{ "a value that is not a string counts as empty", "{\"transport\": 5, \"traddr\": \"a\"}",
	  "(a)" },
};

START_TEST(test_tid_text)
{
	struct json_object *v = parse(tid_rows[_i].json);
	_cleanup_free_ char *s = ctl_tid_text(v);

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(!strcmp(s, tid_rows[_i].expect), "%s: got '%s'", tid_rows[_i].name, s);
	json_object_put(v);
}
END_TEST

static const struct {
	const char *name;
	const char *json;
	const char *expect;
} table_rows[] = {
	{ "no controllers: the header alone", "[]", STATE_HEADER },
	{ "not an array: the header alone", "{}", STATE_HEADER },
	{ "one live controller with two namespaces",
	  "[{\"tid\": " TID_A ", \"connected\": true, \"state\": \"live\", \"last_error\": \"\", "
	  "\"reconnects\": 0, \"io_queues\": 4, \"namespaces\": ["
	  "{\"nsid\": 1, \"anagrpid\": 1, \"ana_state\": \"optimized\"}, "
	  "{\"nsid\": 2, \"anagrpid\": 2, \"ana_state\": \"inaccessible\"}]}]",
	  "CONTROLLER                       CONNECTED  STATE  RECONNECTS  QUEUES  NAMESPACES       "
	  " "
	  "          LAST ERROR\n"
	  "(tcp, 192.0.2.3, 4420, nqn.x:a)  yes        live   0           4       "
	  "1:optimized,2:inaccessible  -" },
	{ "sorted by identity; controls escaped; widths in code points",
	  "[{\"tid\": " TID_B ", \"connected\": false, \"state\": \"retry-wait\", "
	  "\"last_error\": \"Connect: CONNECT_INVALID_HOST\\nnext\\t\\u007f\\u0085 caf\\u00e9\", "
	  "\"reconnects\": 12, \"io_queues\": 0, \"namespaces\": []}, "
	  "{\"tid\": " TID_A ", \"connected\": true, \"state\": \"live\\u00e9\", "
	  "\"last_error\": \"\", \"reconnects\": 0, \"io_queues\": 4, \"namespaces\": ["
	  "{\"nsid\": 7, \"anagrpid\": 3, \"ana_state\": \"change\"}]}]",
	  "CONTROLLER                                            CONNECTED  STATE       "
	  "RECONNECTS  QUEUES  NAMESPACES  LAST ERROR\n"
	  "(tcp, 192.0.2.3, 4420, nqn.x:a)                       yes        live\xc3\xa9       "
	  "0           4       7:change    -\n"
	  "(tcp, 2001:db8::3, 4420, nqn.x:b, eth1, 2001:db8::9)  no         retry-wait  "
	  "12          0       -           "
	  "Connect: CONNECT_INVALID_HOST\\x0anext\\x09\\x7f\\x85 caf\xc3\xa9" },
	{ "missing members", "[{}]",
	  STATE_HEADER "\n"
		       "()          no         -      0           0       -           -" },
};

START_TEST(test_state_table)
{
	struct json_object *v = parse(table_rows[_i].json);
	_cleanup_free_ char *s = ctl_state_table(v);

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(!strcmp(s, table_rows[_i].expect), "%s:\n--- got\n%s\n--- expected\n%s",
		      table_rows[_i].name, s, table_rows[_i].expect);
	json_object_put(v);
}
END_TEST

/* A message to read, built on a bus that never talks to anyone. */
static sd_bus_message *new_message(sd_bus **bus, int fds[2])
{
	sd_bus_message *m = NULL;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
	ck_assert_int_ge(sd_bus_new(bus), 0);
	ck_assert_int_ge(sd_bus_set_fd(*bus, fds[0], fds[0]), 0);
	ck_assert_int_ge(sd_bus_start(*bus), 0);
	ck_assert_int_ge(sd_bus_message_new_signal(*bus, &m, "/org/nvmexpress/stac",
						   "org.nvmexpress.stac.state", "test"),
			 0);
	return m;
}

static void append_tid(sd_bus_message *m, const char *traddr, const char *nqn, const char *iface)
{
	ck_assert_int_ge(sd_bus_message_append(m, "a{ss}", 7, "transport", "tcp", "traddr", traddr,
					       "trsvcid", "4420", "subsysnqn", nqn, "host-traddr",
					       "", "host-iface", iface, "host-nqn", HOSTNQN),
			 0);
}

START_TEST(test_state_read)
{
	struct json_object *got = NULL, *want;
	sd_bus *bus = NULL;
	int fds[2];
	sd_bus_message *m = new_message(&bus, fds);

	ck_assert_int_ge(sd_bus_message_open_container(m, 'a', "(a{ss}bssuua(uus))"), 0);
	ck_assert_int_ge(sd_bus_message_open_container(m, 'r', "a{ss}bssuua(uus)"), 0);
	append_tid(m, "192.0.2.3", "nqn.x:a", "");
	ck_assert_int_ge(sd_bus_message_append(m, "bssuua(uus)", 1, "live", "", 0, 4, 2, 1, 1,
					       "optimized", 4294967295u, 2, "non-optimized"),
			 0);
	ck_assert_int_ge(sd_bus_message_close_container(m), 0);
	ck_assert_int_ge(sd_bus_message_open_container(m, 'r', "a{ss}bssuua(uus)"), 0);
	append_tid(m, "2001:db8::3", "nqn.x:b", "eth1");
	ck_assert_int_ge(sd_bus_message_append(m, "bssuua(uus)", 0, "retry-wait",
					       "Connect: CONNECT_INVALID_HOST", 3, 0, 0),
			 0);
	ck_assert_int_ge(sd_bus_message_close_container(m), 0);
	ck_assert_int_ge(sd_bus_message_close_container(m), 0);
	ck_assert_int_ge(sd_bus_message_seal(m, 1, 0), 0);

	ck_assert_int_eq(ctl_state_read(m, &got), 0);
	want = parse("[{\"tid\": " TID_A ", \"connected\": true, \"state\": \"live\", "
		     "\"last_error\": \"\", \"reconnects\": 0, \"io_queues\": 4, \"namespaces\": ["
		     "{\"nsid\": 1, \"anagrpid\": 1, \"ana_state\": \"optimized\"}, "
		     "{\"nsid\": 4294967295, \"anagrpid\": 2, \"ana_state\": \"non-optimized\"}]}, "
		     "{\"tid\": {\"transport\": \"tcp\", \"traddr\": \"2001:db8::3\", "
		     "\"trsvcid\": \"4420\", \"subsysnqn\": \"nqn.x:b\", \"host-traddr\": \"\", "
		     "\"host-iface\": \"eth1\", \"host-nqn\": \"" HOSTNQN "\"}, "
		     "\"connected\": false, \"state\": \"retry-wait\", "
		     "\"last_error\": \"Connect: CONNECT_INVALID_HOST\", \"reconnects\": 3, "
		     "\"io_queues\": 0, \"namespaces\": []}]");
	ck_assert_msg(json_object_equal(got, want), "got %s",
		      json_object_to_json_string_ext(got, JSON_C_TO_STRING_PLAIN));
	json_object_put(got);
	json_object_put(want);
	sd_bus_message_unref(m);
	sd_bus_close_unref(bus);
	close(fds[1]);
}
END_TEST

START_TEST(test_state_read_refuses)
{
	struct json_object *got = NULL;
	sd_bus *bus = NULL;
	int fds[2];
	sd_bus_message *m = new_message(&bus, fds);

	/* The signature of the version without the ANA group ID. */
	ck_assert_int_ge(sd_bus_message_append(m, "a(a{ss}bssuua(us))", 0), 0);
	ck_assert_int_ge(sd_bus_message_seal(m, 1, 0), 0);
	ck_assert_int_eq(ctl_state_read(m, &got), -EBADMSG);
	ck_assert_ptr_null(got);
	sd_bus_message_unref(m);
	sd_bus_close_unref(bus);
	close(fds[1]);
}
END_TEST

static Suite *ctl_print_suite(void)
{
	Suite *s = suite_create("ctl-print");
	TCase *tc = tcase_create("pprint");

	tcase_add_loop_test(tc, test_pformat, 0, ARRAY_SIZE(rows));
	tcase_add_loop_test(tc, test_repr_is_one_line, 0, ARRAY_SIZE(rows));
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);

	tc = tcase_create("state");
	tcase_add_loop_test(tc, test_tid_text, 0, ARRAY_SIZE(tid_rows));
	tcase_add_loop_test(tc, test_state_table, 0, ARRAY_SIZE(table_rows));
	tcase_add_test(tc, test_state_read);
	tcase_add_test(tc, test_state_read_refuses);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(ctl_print_suite)
