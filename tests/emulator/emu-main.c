// SPDX-License-Identifier: Apache-2.0
/*
 * stas-target-emu: the emulator as a program, for the demo and benchmarks.
 * It builds a topology from its options, prints one "port <id> <addr>:<port>"
 * line per port and "READY", then serves until SIGTERM/SIGINT. A control
 * socket (--ctl) changes the topology and arms faults at run time.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <event2/event.h>

#include "emu-ctl.h"
#include "emu.h"

#define MAX_LIST     256
#define AUTO_NQN_FMT "nqn.2014-08.org.example:emu-p%u-s%u"

struct list {
	const char *v[MAX_LIST];
	unsigned n;
};

struct opts {
	const char *listen;
	unsigned base_port, disc_ports, io_ports;
	int per_port; /* -1: 1 unless --subsys was given */
	unsigned long long ns_size, mem_cap;
	bool null_data;
	int kato_enforce; /* -1: default */
	const char *ctl_path, *disc_nqn;
	int verbose;
	struct list subsys, knobs, referrals;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: stas-target-emu [OPTIONS]\n"
		"An NVMe/TCP target emulator (doc/emulator.md).\n\n"
		"  --listen ADDR            address of every port (default 127.0.0.1; ::1 works)\n"
		"  --discovery-ports N      ports 1..N, each with its own subsystems (default 1)\n"
		"  --base-port P            TCP port of port 1, then P+1, ... (default: any free)\n"
		"  --subsys-per-port K      K subsystems per discovery port, one namespace each\n"
		"                           (nqn.2014-08.org.example:emu-pP-sK; default 1 without\n"
		"                           --subsys)\n"
		"  --ns-size SIZE           their namespace size (default 64M)\n"
		"  --io-ports M             M more ports (N+1..N+M) linked to every subsystem\n"
		"  --subsys SPEC            "
		"NQN[,sn=S][,mn=M][,ns=NSID:SIZE[:LBA[:GRP]]]...[,null]\n"
		"                           [,ports=P+P|all|none]; repeatable (default ports: "
		"all)\n"
		"  --referral FROM:TO       a referral in port FROM's log to port TO; repeatable\n"
		"  --null-data              every namespace discards writes and reads zeroes\n"
		"  --kato-enforce on|off    tear associations down on keep-alive expiry (default "
		"on)\n"
		"  --knob NAME=VALUE        a knob on every port (maxh2cdata, mdts, ioccsz, "
		"r2t-chunk,\n"
		"                           c2h-chunk, kato-enforce, max-qid, dctype); repeatable\n"
		"  --disc-nqn NQN           a unique discovery NQN besides the well-known one\n"
		"  --mem-cap SIZE           RAM all namespaces may use together (default 1G)\n"
		"  --ctl PATH               control socket (unix stream, one command per line)\n"
		"  -v, --verbose            log to stderr (twice: debug)\n"
		"  -h, --help\n");
}

static int list_add(struct list *l, const char *v)
{
	if (l->n == MAX_LIST)
		return -E2BIG;
	l->v[l->n++] = v;
	return 0;
}

static int parse_uint(const char *s, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

enum {
	O_LISTEN = 256,
	O_DISC,
	O_BASE,
	O_PER,
	O_NSSIZE,
	O_IO,
	O_SUBSYS,
	O_REF,
	O_NULL,
	O_KATO,
	O_KNOB,
	O_DISCNQN,
	O_MEM,
	O_CTL
};

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "discovery-ports", required_argument, NULL, O_DISC },
	{ "base-port", required_argument, NULL, O_BASE },
	{ "subsys-per-port", required_argument, NULL, O_PER },
	{ "ns-size", required_argument, NULL, O_NSSIZE },
	{ "io-ports", required_argument, NULL, O_IO },
	{ "subsys", required_argument, NULL, O_SUBSYS },
	{ "referral", required_argument, NULL, O_REF },
	{ "null-data", no_argument, NULL, O_NULL },
	{ "kato-enforce", required_argument, NULL, O_KATO },
	{ "knob", required_argument, NULL, O_KNOB },
	{ "disc-nqn", required_argument, NULL, O_DISCNQN },
	{ "mem-cap", required_argument, NULL, O_MEM },
	{ "ctl", required_argument, NULL, O_CTL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int parse_one(struct opts *o, int c, const char *arg)
{
	unsigned v;

	switch (c) {
	case O_LISTEN:
		o->listen = arg;
		return 0;
	case O_DISC:
		return parse_uint(arg, 65000, &o->disc_ports);
	case O_BASE:
		return parse_uint(arg, 65535, &o->base_port);
	case O_PER:
		return parse_uint(arg, 1000, &v) < 0 ? -EINVAL : (o->per_port = (int)v, 0);
	case O_NSSIZE:
		return emu_ctl_parse_size(arg, &o->ns_size);
	case O_IO:
		return parse_uint(arg, 65000, &o->io_ports);
	case O_SUBSYS:
		return list_add(&o->subsys, arg);
	case O_REF:
		return list_add(&o->referrals, arg);
	case O_NULL:
		o->null_data = true;
		return 0;
	case O_KATO:
		o->kato_enforce = !strcmp(arg, "on") ? 1 : !strcmp(arg, "off") ? 0 : -2;
		return o->kato_enforce == -2 ? -EINVAL : 0;
	case O_KNOB:
		return list_add(&o->knobs, arg);
	case O_DISCNQN:
		o->disc_nqn = arg;
		return 0;
	case O_MEM:
		return emu_ctl_parse_size(arg, &o->mem_cap);
	case O_CTL:
		o->ctl_path = arg;
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	default:
		return -EINVAL;
	}
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	int c;

	*o = (struct opts){ .listen = "127.0.0.1",
			    .disc_ports = 1,
			    .per_port = -1,
			    .ns_size = 64ull << 20,
			    .mem_cap = 1ull << 30,
			    .kato_enforce = -1 };
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(EXIT_SUCCESS);
		}
		if (parse_one(o, c, optarg) < 0) {
			fprintf(stderr, "stas-target-emu: bad option %s%s\n",
				optarg ? "argument " : "", optarg ? optarg : argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc || !o->disc_ports || o->disc_ports + o->io_ports > 65000) {
		usage(stderr);
		return -EINVAL;
	}
	if (o->per_port < 0)
		o->per_port = o->subsys.n ? 0 : 1;
	return 0;
}

/* ---- Topology ----------------------------------------------------------------------------- */

static int add_ports(struct emu *emu, const struct opts *o, uint16_t *tcp)
{
	unsigned n = o->disc_ports + o->io_ports;
	int r;

	for (unsigned i = 1; i <= n; i++) {
		uint16_t want = o->base_port ? (uint16_t)(o->base_port + i - 1) : 0;

		r = emu_add_port(emu, (uint16_t)i, o->listen, want, &tcp[i]);
		if (r < 0) {
			fprintf(stderr, "stas-target-emu: port %u on %s:%u: %s\n", i, o->listen,
				want, strerror(-r));
			return r;
		}
	}
	return 0;
}

static int add_spec(struct emu *emu, const char *spec)
{
	char why[200];
	int r = emu_ctl_add_subsys(emu, spec, why, sizeof(why));

	if (r < 0)
		fprintf(stderr, "stas-target-emu: --subsys %s: %s\n", spec, why);
	return r;
}

/* Discovery port p gets its own subsystems, also linked to every I/O port. */
static int add_auto_subsystems(struct emu *emu, const struct opts *o)
{
	char spec[512], ports[64];
	int r;

	for (unsigned p = 1; p <= o->disc_ports; p++)
		for (unsigned k = 1; k <= (unsigned)o->per_port; k++) {
			int n = snprintf(ports, sizeof(ports), "%u", p);

			for (unsigned io = 1; io <= o->io_ports && n < (int)sizeof(ports) - 8; io++)
				n += snprintf(ports + n, sizeof(ports) - (size_t)n, "+%u",
					      o->disc_ports + io);
			snprintf(spec, sizeof(spec), AUTO_NQN_FMT ",ns=1:%llu%s,ports=%s", p, k,
				 o->ns_size, o->null_data ? ",null" : "", ports);
			r = add_spec(emu, spec);
			if (r < 0)
				return r;
		}
	return 0;
}

static int add_user_subsystems(struct emu *emu, const struct opts *o)
{
	char spec[1024];
	int r;

	for (unsigned i = 0; i < o->subsys.n; i++) {
		snprintf(spec, sizeof(spec), "%s%s", o->subsys.v[i], o->null_data ? ",null" : "");
		r = add_spec(emu, spec);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_referrals(struct emu *emu, const struct opts *o, const uint16_t *tcp)
{
	unsigned from, to, n = o->disc_ports + o->io_ports;

	for (unsigned i = 0; i < o->referrals.n; i++) {
		if (sscanf(o->referrals.v[i], "%u:%u", &from, &to) != 2 || !from || !to ||
		    from > n || to > n ||
		    emu_add_referral(emu, (uint16_t)from, o->listen, tcp[to], (uint16_t)to) < 0) {
			fprintf(stderr, "stas-target-emu: bad --referral %s\n", o->referrals.v[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int apply_knob(struct emu *emu, const char *s)
{
	const char *eq = strchr(s, '=');
	enum emu_knob k;
	char name[32];
	unsigned v;

	if (!eq || (size_t)(eq - s) >= sizeof(name))
		return -EINVAL;
	snprintf(name, sizeof(name), "%.*s", (int)(eq - s), s);
	if (emu_knob_from_name(name, &k) < 0 || parse_uint(eq + 1, UINT32_MAX, &v) < 0)
		return -EINVAL;
	return emu_set_knob(emu, EMU_ALL_PORTS, k, v);
}

static int apply_knobs(struct emu *emu, const struct opts *o)
{
	for (unsigned i = 0; i < o->knobs.n; i++)
		if (apply_knob(emu, o->knobs.v[i]) < 0) {
			fprintf(stderr, "stas-target-emu: bad --knob %s\n", o->knobs.v[i]);
			return -EINVAL;
		}
	if (o->kato_enforce >= 0)
		emu_set_knob(emu, EMU_ALL_PORTS, EMU_KNOB_KATO_ENFORCE, (uint32_t)o->kato_enforce);
	return 0;
}

static int build(struct emu *emu, const struct opts *o, uint16_t *tcp)
{
	int r;

	emu_set_mem_cap(emu, o->mem_cap);
	r = add_ports(emu, o, tcp);
	if (r >= 0)
		r = apply_knobs(emu, o);
	if (r >= 0)
		r = add_auto_subsystems(emu, o);
	if (r >= 0)
		r = add_user_subsystems(emu, o);
	if (r >= 0)
		r = add_referrals(emu, o, tcp);
	if (r >= 0 && o->disc_nqn && emu_set_disc_nqn(emu, o->disc_nqn) < 0) {
		fprintf(stderr, "stas-target-emu: bad --disc-nqn %s\n", o->disc_nqn);
		r = -EINVAL;
	}
	return r;
}

/* ---- Running -----------------------------------------------------------------------------------
 */

static void log_stderr(void *arg, int level, const char *msg)
{
	static const char *const names[] = { [EMU_LOG_ERR] = "error",
					     [EMU_LOG_WARN] = "warning",
					     [EMU_LOG_INFO] = "info",
					     [EMU_LOG_DEBUG] = "debug" };

	fprintf(stderr, "stas-target-emu: %s: %s\n", level < 8 && names[level] ? names[level] : "",
		msg);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(arg);
}

/* 1,000 ports and 1,000 connections need more than the usual 1,024 descriptors. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void announce(const struct opts *o, const uint16_t *tcp)
{
	bool v6 = strchr(o->listen, ':') != NULL;

	for (unsigned i = 1; i <= o->disc_ports + o->io_ports; i++)
		printf("port %u %s%s%s:%u\n", i, v6 ? "[" : "", o->listen, v6 ? "]" : "", tcp[i]);
	printf("READY\n");
	fflush(stdout);
}

static int run(const struct opts *o)
{
	struct event_base *base = event_base_new();
	struct event *sigterm = NULL, *sigint = NULL;
	struct emu_ctl *ctl = NULL;
	struct emu *emu = NULL;
	uint16_t *tcp = calloc(o->disc_ports + o->io_ports + 1u, sizeof(*tcp));
	int r = -ENOMEM;

	if (base && tcp)
		r = emu_new(base, &emu);
	if (r >= 0 && o->verbose)
		emu_set_log(emu, log_stderr, NULL, o->verbose > 1 ? EMU_LOG_DEBUG : EMU_LOG_INFO);
	if (r >= 0)
		r = build(emu, o, tcp);
	if (r >= 0 && o->ctl_path) {
		r = emu_ctl_new(emu, o->ctl_path, &ctl);
		if (r < 0)
			fprintf(stderr, "stas-target-emu: --ctl %s: %s\n", o->ctl_path,
				strerror(-r));
	}
	if (r >= 0) {
		sigterm = evsignal_new(base, SIGTERM, on_signal, base);
		sigint = evsignal_new(base, SIGINT, on_signal, base);
		if (!sigterm || !sigint || evsignal_add(sigterm, NULL) ||
		    evsignal_add(sigint, NULL))
			r = -ENOMEM;
	}
	if (r >= 0) {
		announce(o, tcp);
		event_base_dispatch(base);
	}
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	emu_ctl_free(ctl);
	emu_free(emu);
	if (base)
		event_base_free(base);
	free(tcp);
	return r;
}

int main(int argc, char **argv)
{
	struct opts o;

	if (parse_opts(&o, argc, argv) < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	return run(&o) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
