// SPDX-License-Identifier: Apache-2.0
/*
 * The configuration parsers: stafd.conf, stacd.conf and sys.conf from any
 * text, then the reload diff against a fixed configuration. The first byte
 * picks the file. Invariants: no crash, no leak; every diagnostic names a
 * line that exists; a parse either succeeds or says why.
 */
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/sys-conf.h"
#include "fuzz.h"

#define BASE_CONF                                                                                  \
	"[Global]\nkato = 30\n[Controllers]\n"                                                     \
	"controller = transport=tcp;traddr=192.0.2.1;trsvcid=8009\n"                               \
	"controller = transport=tcp;traddr=192.0.2.2;trsvcid=4420;nqn=nqn.2014-08.org.ex:a\n"

static void count_diff(enum conf_change what, const struct conf_ctrl *o, const struct conf_ctrl *n,
		       void *arg)
{
	(void)o;
	(void)n;
	(void)what;
	++*(unsigned *)arg;
}

static void check_diags(const struct conf_diags *d, const char *text)
{
	unsigned lines = 1;

	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	for (size_t i = 0; i < d->n; i++) {
		FUZZ_ASSERT(d->v[i].line <= lines);
		FUZZ_ASSERT(d->v[i].msg && d->v[i].msg[0]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1 || size > 256 * 1024)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
	case 1: {
		enum stas_daemon daemon = data[0] % 3 ? STAS_STACD : STAS_STAFD;
		struct stas_conf *c = NULL, *base = NULL;
		unsigned changes = 0;

		if (conf_load_string(daemon, text, "fuzz.conf", &c) == 0) {
			check_diags(&c->diags, text);
			FUZZ_ASSERT(c->controllers.n <= 1024);
			FUZZ_ASSERT(conf_load_string(daemon, BASE_CONF, "base.conf", &base) == 0);
			FUZZ_ASSERT(conf_ctrls_diff(base, c, count_diff, &changes) >= 0);
			FUZZ_ASSERT(conf_ctrls_diff(c, base, count_diff, &changes) >= 0);
		}
		conf_free(c);
		conf_free(base);
		break;
	}
	default: {
		struct sys_conf *s = NULL;

		if (sys_conf_load_string(text, "sys.conf", NULL, &s) == 0)
			check_diags(&s->diags, text);
		sys_conf_free(s);
		break;
	}
	}
	free(text);
	return 0;
}

static const char *const seeds[] = {
	BASE_CONF,
	("[Global]\ntron = true\nhdr-digest = true\ndata-digest = false\nkato = 120\n"
	 "ip-family = ipv6\nqueue-size = 128\nreconnect-delay = 10\nctrl-loss-tmo = 600\n"
	 "disable-sqflow = false\npleo = enabled\n[Service Discovery]\nzeroconf = disabled\n"
	 "[Discovery controller connection management]\npersistent-connections = true\n"
	 "zeroconf-connections-persistence = 72hours\n[Controllers]\n"
	 "controller = transport=tcp;traddr=2001:db8::20;trsvcid=8009;host-iface=eth0\n"
	 "controller=transport=tcp;traddr=array.example;dhchap-secret=DHHC-1:00:AAAA==:\n"
	 "exclude = transport=tcp;traddr=192.0.2.99\n"),
	("[Global]\nnr-io-queues = 8\nnr-write-queues = 2\nnr-poll-queues = 1\n"
	 "[I/O controller connection management]\ndisconnect-scope = all-connections-matching-"
	 "disconnect-trtypes\ndisconnect-trtypes = tcp+rdma\nconnect-attempts-on-ncc = 3\n"
	 "[Controllers]\ncontroller = transport=tcp;traddr=192.0.2.20;trsvcid=4420;"
	 "nqn=nqn.2014-08.org.example:array1 ; a comment\n"),
	("[Host]\nnqn = nqn.2014-08.org.nvmexpress:uuid:5a5a0000-0000-4000-8000-0000000a11ce\n"
	 "id = 5a5a0000-0000-4000-8000-0000000a11ce\nsymname = fuzz host\nkey = DHHC-1:00:AA==:\n"),
	"[Host]\nnqn = file:///nonexistent\nid = not-a-uuid\n",
	"\xef\xbb\xbf[Global]\r\nkato = 1\r\n  continued\n[Bogus]\nx = y\n=\n[\n",
};

void fuzz_seeds(fuzz_emit_fn emit, void *arg)
{
	static uint8_t buf[4096];

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		for (uint8_t which = 0; which < 3; which++) {
			size_t n = strlen(seeds[i]);

			buf[0] = which;
			memcpy(buf + 1, seeds[i], n);
			emit(buf, n + 1, arg);
		}
}
