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
#include "common/bus-util.h"
#include "common/log.h"
#include "common/sys-conf.h"
#include "ctl-common.h"
#include "ctl-opt.h"
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

/*
 * What nvme-stas's IOC detail 'dlpe' looks like: str() of a dict, in libnvme's
 * order; escaped for a JSON string.
 */
#define DLPE_STR                                                                                   \
	"{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.0.2.3', 'trsvcid': '4420', "           \
	"'subnqn': 'nqn.2014-08.org.example:tgt1', 'subtype': 'nvme', 'treq': 'not specified', "   \
	"'tsas': \\\"{'sectype': 'none'}\\\", 'portid': '1', 'cntlid': '65535', 'asqsz': '32', "   \
	"'eflags': '0'}"

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
	  "{\"tron\": false, \"log-level\": \"INFO\", \"hostnqn\": \"" HOSTNQN "\", "
	  "\"hostid\": \"" UUID1 "\", \"hostkey\": null, \"symname\": null, "
	  "\"config soak timer\": \"1.5s [off]\", \"kernel support.TP8013\": \"True\", "
	  "\"terminator.audit timer\": null, "
	  "\"controllers\": [{" CTRL_JSON ", \"connected\": \"True\", "
	  "\"log_pages\": [" DLPE_JSON "]}]}",
	  120,
	  "{'config soak timer': '1.5s [off]',\n"
	  " 'controllers': [{'connected': 'True',\n"
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
	  " 'hostkey': None,\n"
	  " 'hostnqn': '" HOSTNQN "',\n"
	  " 'kernel support.TP8013': 'True',\n"
	  " 'log-level': 'INFO',\n"
	  " 'symname': None,\n"
	  " 'terminator.audit timer': None,\n"
	  " 'tron': False}" },
	{ "a long str() value split between blanks (stacctl ls -d)",
	  "[{\"dlpe\": \"" DLPE_STR "\", \"device\": \"nvme1\"}]", 120,
	  "[{'device': 'nvme1',\n"
	  "  'dlpe': \"{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.0.2.3', "
	  "'trsvcid': '4420', 'subnqn': \"\n"
	  "          \"'nqn.2014-08.org.example:tgt1', 'subtype': 'nvme', 'treq': 'not specified', "
	  "'tsas': \"\n"
	  "          '\"{\\'sectype\\': \\'none\\'}\", \\'portid\\': \\'1\\', "
	  "\\'cntlid\\': \\'65535\\', \\'asqsz\\': \\'32\\', \\'eflags\\': \\'0\\'}'}]" },
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

/* ---- status: what the daemons' process_info says, printed by both CLIs ----------------------- */

/* bus_process_info() as a client gets it (JSON text), with ctl_status()'s controller list. */
static struct json_object *status_of(int level)
{
	static const struct sys_conf sys = { .nqn = HOSTNQN, .id = UUID1 };
	struct bus_process_facts f = {
		.sys = &sys,
		.conf_path = "/etc/stas/stafd.conf",
		.state_dir = "/run/stafd",
		.soak_ms = 1500,
		.controllers = 0,
	};
	struct json_object *o, *v;

	log_set_level(level);
	o = bus_process_info(&f);
	v = parse(json_object_to_json_string(o));
	json_object_put(o);
	log_set_level(LOG_INFO);
	/* the two values that change from run to run */
	json_object_object_del(v, "pid");
	json_object_object_del(v, "uptime seconds");
	json_object_object_add(v, "controllers", json_object_new_array());
	return v;
}

START_TEST(test_status_pformat)
{
	struct json_object *v = status_of(LOG_INFO);
	_cleanup_free_ char *s = ctl_pformat(v, 120);

	ck_assert_str_eq(s, "{'config file': '/etc/stas/stafd.conf',\n"
			    " 'config soak timer': '1.5s [off]',\n"
			    " 'controller count': '0',\n"
			    " 'controllers': [],\n"
			    " 'hostid': '" UUID1 "',\n"
			    " 'hostkey': None,\n"
			    " 'hostnqn': '" HOSTNQN "',\n"
			    " 'kernel support.TP8013': 'True',\n"
			    " 'kernel support.host_iface': 'True',\n"
			    " 'last known config file': '/run/stafd/last-known-config.json',\n"
			    " 'log-level': 'INFO',\n"
			    " 'symname': None,\n"
			    " 'terminator.audit timer': None,\n"
			    " 'tron': False}");
	json_object_put(v);
}
END_TEST

/* --json keeps the daemon's order and JSON's own types. */
START_TEST(test_status_json)
{
	struct json_object *v = status_of(LOG_DEBUG);
	_cleanup_free_ char *s = ctl_json_format(v);

	ck_assert_str_eq(s, "{\n"
			    "  \"tron\": true,\n"
			    "  \"log-level\": \"DEBUG\",\n"
			    "  \"hostnqn\": \"" HOSTNQN "\",\n"
			    "  \"hostid\": \"" UUID1 "\",\n"
			    "  \"hostkey\": null,\n"
			    "  \"symname\": null,\n"
			    "  \"config file\": \"/etc/stas/stafd.conf\",\n"
			    "  \"last known config file\": \"/run/stafd/last-known-config.json\",\n"
			    "  \"config soak timer\": \"1.5s [off]\",\n"
			    "  \"kernel support.TP8013\": \"True\",\n"
			    "  \"kernel support.host_iface\": \"True\",\n"
			    "  \"terminator.audit timer\": null,\n"
			    "  \"controller count\": \"0\",\n"
			    "  \"controllers\": []\n"
			    "}");
	json_object_put(v);
}
END_TEST

/* The key a process_info reader such as nvme-stas's tools looks at, at every level. */
START_TEST(test_status_levels)
{
	static const struct {
		int level;
		bool tron;
		const char *name;
	} want[] = {
		{ LOG_DEBUG, true, "DEBUG" },	  { LOG_INFO, false, "INFO" },
		{ LOG_NOTICE, false, "INFO" },	  { LOG_WARNING, false, "WARNING" },
		{ LOG_ERR, false, "ERROR" },	  { LOG_CRIT, false, "CRITICAL" },
		{ LOG_EMERG, false, "CRITICAL" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct json_object *v = status_of(want[i].level), *t, *l;

		ck_assert(json_object_object_get_ex(v, "tron", &t));
		ck_assert(json_object_object_get_ex(v, "log-level", &l));
		ck_assert(json_object_is_type(t, json_type_boolean));
		ck_assert_int_eq(json_object_get_boolean(t), want[i].tron);
		ck_assert_str_eq(json_object_get_string(l), want[i].name);
		json_object_put(v);
	}
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
	{ "bidirectional overrides and line separators escaped as repr() escapes them",
	  "[{\"tid\": " TID_A ", \"connected\": false, \"state\": \"retry-wait\", "
	  "\"last_error\": \"a\u202eb\u2028c\", \"reconnects\": 0, \"io_queues\": 0, "
	  "\"namespaces\": []}]",
	  "CONTROLLER                       CONNECTED  STATE       RECONNECTS  QUEUES  NAMESPACES  "
	  "LAST ERROR\n"
	  "(tcp, 192.0.2.3, 4420, nqn.x:a)  no         retry-wait  0           0       -           "
	  "a\\u202eb\\u2028c" },
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

/* argparse reads "-a=x" as "x"; getopt leaves the "=". */
START_TEST(test_opt_value)
{
	char a0[] = "stafctl", a1[] = "-a=192.0.2.1", a2[] = "--traddr=x", a3[] = "-a", a4[] = "=y",
	     a5[] = "-da=z";
	char *argv[] = { a0, a1, a2, a3, a4, a5, NULL };
	char buf[3];

	ck_assert_str_eq(ctl_opt_value(argv, 2, a1 + 2), "192.0.2.1");
	ck_assert_str_eq(ctl_opt_value(argv, 3, a2 + 9), "x"); /* getopt's own */
	ck_assert_str_eq(ctl_opt_value(argv, 5, a4), "=y");    /* a separate word is as typed */
	ck_assert_str_eq(ctl_opt_value(argv, 6, a5 + 3),
			 "=z"); /* after a flag: as getopt gives it */
	ck_assert_ptr_null(ctl_opt_value(argv, 1, NULL));
	ck_assert_str_eq(ctl_bad_option(argv, 6, 'd', buf), "-d");
	ck_assert_str_eq(ctl_bad_option(argv, 3, 0, buf), "--traddr=x");
}
END_TEST

static Suite *ctl_print_suite(void)
{
	Suite *s = suite_create("ctl-print");
	TCase *tc = tcase_create("pprint");

	tcase_add_loop_test(tc, test_pformat, 0, ARRAY_SIZE(rows));
	tcase_add_loop_test(tc, test_repr_is_one_line, 0, ARRAY_SIZE(rows));
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_status_pformat);
	tcase_add_test(tc, test_status_json);
	tcase_add_test(tc, test_status_levels);
	suite_add_tcase(s, tc);

	tc = tcase_create("state");
	tcase_add_loop_test(tc, test_tid_text, 0, ARRAY_SIZE(tid_rows));
	tcase_add_loop_test(tc, test_state_table, 0, ARRAY_SIZE(table_rows));
	tcase_add_test(tc, test_opt_value);
	tcase_add_test(tc, test_state_read);
	tcase_add_test(tc, test_state_read_refuses);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(ctl_print_suite)
