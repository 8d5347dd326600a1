// SPDX-License-Identifier: Apache-2.0
/*
 * The control line protocol: a table of commands, each a small function
 * that parses its words, calls the emulator API and says OK or why not.
 * The socket that carries it is emu-ctl-sock.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "emu-ctl.h"
#include "emu-private.h"
#include "stas/cleanup.h"
#include "stas/nvme-decode.h"

#define MAX_WORDS 8

struct ctl_cmd {
	const char *name;
	int min_args, max_args;
	int (*fn)(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why);
	const char *usage;
};

#define WHY_LEN	 320
#define WHY(...) (snprintf(why, WHY_LEN, __VA_ARGS__), -EINVAL)

/* ---- Word parsers -------------------------------------------------------------------- */

static int parse_u32(const char *s, unsigned long max, uint32_t *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max || *s == '-')
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static int parse_portid(const char *s, uint16_t *ret)
{
	uint32_t v;
	int r = parse_u32(s, UINT16_MAX, &v);

	*ret = (uint16_t)v;
	return r;
}

int emu_ctl_parse_size(const char *s, unsigned long long *ret)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	if (*end) {
		u = strchr(units, *end);
		if (!u || end[1])
			return -EINVAL;
		for (long i = 0; i <= u - units; i++) {
			if (v > (~0ull >> 10))
				return -ERANGE;
			v <<= 10;
		}
	}
	*ret = v;
	return 0;
}

static const char *const ana_names[] = {
	[NVME_ANA_OPTIMIZED] = "optimized",
	[NVME_ANA_NONOPTIMIZED] = "non-optimized",
	[NVME_ANA_INACCESSIBLE] = "inaccessible",
	[NVME_ANA_PERSISTENT_LOSS] = "persistent-loss",
	[NVME_ANA_CHANGE] = "change",
};

static int parse_ana_state(const char *s, uint8_t *ret)
{
	for (unsigned i = 0; i < ARRAY_SIZE(ana_names); i++)
		if (ana_names[i] && !strcmp(s, ana_names[i])) {
			*ret = (uint8_t)i;
			return 0;
		}
	return -EINVAL;
}

/* ---- Subsystem specs -------------------------------------------------------------------- */

struct subsys_spec {
	char nqn[NVMF_NQN_SIZE];
	char sn[32], mn[64];
	bool has_sn, has_mn, null_data, any_ns;
	const char *ports; /* NULL: all */
};

/* ns=NSID:SIZE[:LBA[:GRP]] */
static int spec_ns(struct emu *emu, const struct subsys_spec *sp, char *v, char *why)
{
	char *nsid = strsep(&v, ":"), *size = strsep(&v, ":"), *lba = strsep(&v, ":"), *grp = v;
	unsigned long long bytes;
	uint32_t id, lbas = 512, g = 1;
	int r;

	if (!nsid || !size || parse_u32(nsid, 1024, &id) < 0 ||
	    emu_ctl_parse_size(size, &bytes) < 0 || (lba && parse_u32(lba, 4096, &lbas) < 0) ||
	    (grp && parse_u32(grp, EMU_ANAGRPMAX, &g) < 0))
		return WHY("bad namespace spec (NSID:SIZE[:LBA[:GRP]])");
	r = emu_add_ns(emu, sp->nqn, id, bytes, lbas, g, sp->null_data ? EMU_NS_NULL_DATA : 0);
	return r < 0 ? WHY("namespace %u: %s", id, strerror(-r)) : 0;
}

static int spec_link(struct emu *emu, const struct subsys_spec *sp, char *why)
{
	struct emu_port *port;
	char *list, *p, *tok;
	uint16_t id;
	int r;

	if (!sp->ports || !strcmp(sp->ports, "all")) {
		TAILQ_FOREACH (port, &emu->ports, link)
			emu_link(emu, port->portid, sp->nqn);
		return 0;
	}
	if (!strcmp(sp->ports, "none"))
		return 0;
	list = p = strdup(sp->ports);
	if (!list)
		return -ENOMEM;
	r = 0;
	while (r >= 0 && (tok = strsep(&p, "+")))
		r = parse_portid(tok, &id) < 0 ? WHY("bad port list '%s'", sp->ports)
					       : emu_link(emu, id, sp->nqn);
	free(list);
	return r < 0 && !why[0] ? WHY("link: %s", strerror(-r)) : r;
}

/* First pass: the flags (they apply to every namespace, wherever they stand). */
static int spec_scan(struct subsys_spec *sp, char *s, char *why)
{
	char *tok;

	snprintf(sp->nqn, sizeof(sp->nqn), "%s", strsep(&s, ","));
	while ((tok = strsep(&s, ","))) {
		if (!strncmp(tok, "sn=", 3))
			sp->has_sn = snprintf(sp->sn, sizeof(sp->sn), "%s", tok + 3) > 0;
		else if (!strncmp(tok, "mn=", 3))
			sp->has_mn = snprintf(sp->mn, sizeof(sp->mn), "%s", tok + 3) > 0;
		else if (!strcmp(tok, "null"))
			sp->null_data = true;
		else if (!strncmp(tok, "ports=", 6))
			sp->ports = tok + 6;
		else if (!strncmp(tok, "ns=", 3))
			sp->any_ns = true;
		else
			return WHY("unknown subsystem option '%s'", tok);
	}
	return 0;
}

static int spec_namespaces(struct emu *emu, struct subsys_spec *sp, char *s, char *why)
{
	char *tok;
	int r = 0;

	strsep(&s, ",");
	while (r >= 0 && (tok = strsep(&s, ",")))
		if (!strncmp(tok, "ns=", 3))
			r = spec_ns(emu, sp, tok + 3, why);
	if (r >= 0 && !sp->any_ns)
		r = emu_add_ns(emu, sp->nqn, 1, 64ull << 20, 512, 1,
			       sp->null_data ? EMU_NS_NULL_DATA : 0);
	return r;
}

int emu_ctl_add_subsys(struct emu *emu, const char *spec, char *why, size_t len)
{
	struct subsys_spec sp = { 0 };
	_cleanup_free_ char *a = strdup(spec), *b = strdup(spec);
	char w[WHY_LEN] = "";
	bool created = false;
	int r;

	if (!a || !b)
		return -ENOMEM;
	r = spec_scan(&sp, a, w);
	if (r >= 0) {
		r = emu_add_subsys(emu, sp.nqn, sp.has_sn ? sp.sn : NULL, sp.has_mn ? sp.mn : NULL);
		created = r >= 0;
		if (r < 0)
			snprintf(w, sizeof(w), "subsystem %s: %s", sp.nqn, strerror(-r));
	}
	if (r >= 0)
		r = spec_namespaces(emu, &sp, b, w);
	if (r >= 0)
		r = spec_link(emu, &sp, w);
	if (r < 0 && created)
		emu_rm_subsys(emu, sp.nqn); /* all or nothing */
	if (r < 0)
		snprintf(why, len, "%s", w[0] ? w : strerror(-r));
	return r;
}

/* ---- Commands ---------------------------------------------------------------------------- */

static int c_ana(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	uint16_t port;
	uint32_t grp;
	uint8_t state;
	int r;

	if (parse_portid(argv[0], &port) < 0 || parse_u32(argv[1], EMU_ANAGRPMAX, &grp) < 0 ||
	    parse_ana_state(argv[2], &state) < 0)
		return WHY("usage: ana PORT GRP "
			   "optimized|non-optimized|inaccessible|persistent-loss|change");
	r = emu_set_ana(emu, port, grp, state);
	return r < 0 ? WHY("%s", strerror(-r)) : 0;
}

static int link_cmd(struct emu *emu, char **argv, bool add, char *why)
{
	uint16_t port;
	int r;

	if (parse_portid(argv[0], &port) < 0)
		return WHY("bad port '%s'", argv[0]);
	r = add ? emu_link(emu, port, argv[1]) : emu_unlink(emu, port, argv[1]);
	return r < 0 ? WHY("%s", strerror(-r)) : 0;
}

static int c_link(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	return link_cmd(emu, argv, true, why);
}

static int c_unlink(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	return link_cmd(emu, argv, false, why);
}

static int c_add_subsys(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	return emu_ctl_add_subsys(emu, argv[0], why, WHY_LEN);
}

static int c_rm_subsys(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	int r = emu_rm_subsys(emu, argv[0]);

	return r < 0 ? WHY("%s", strerror(-r)) : 0;
}

static int c_add_ns(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	struct subsys_spec sp = { .null_data = argc > 2 && !strcmp(argv[2], "null") };

	if (argc > 2 && !sp.null_data)
		return WHY("usage: add-ns NQN NSID:SIZE[:LBA[:GRP]] [null]");
	snprintf(sp.nqn, sizeof(sp.nqn), "%s", argv[0]);
	return spec_ns(emu, &sp, argv[1], why);
}

static int c_rm_ns(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	uint32_t nsid;
	int r;

	if (parse_u32(argv[1], UINT32_MAX, &nsid) < 0)
		return WHY("bad NSID '%s'", argv[1]);
	r = emu_rm_ns(emu, argv[0], nsid);
	return r < 0 ? WHY("%s", strerror(-r)) : 0;
}

static int c_referral(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	bool add = !strcmp(argv[0], "add");
	uint16_t port, svc, ref = 0;
	int r;

	if ((!add && strcmp(argv[0], "rm")) || argc != (add ? 5 : 4) ||
	    parse_portid(argv[1], &port) < 0 || parse_portid(argv[3], &svc) < 0 ||
	    (add && parse_portid(argv[4], &ref) < 0))
		return WHY("usage: referral add PORT TRADDR TRSVCID PORTID | referral rm PORT "
			   "TRADDR TRSVCID");
	r = add ? emu_add_referral(emu, port, argv[2], svc, ref)
		: emu_rm_referral(emu, port, argv[2], svc);
	return r < 0 ? WHY("%s", strerror(-r)) : 0;
}

/* fault PORT NAME [ARG [TIMES|forever|off]]: one shot by default, delay forever */
static int c_fault(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	enum emu_fault f;
	uint16_t port;
	uint32_t arg = 0, times;
	int r;

	if (parse_portid(argv[0], &port) < 0 || emu_fault_from_name(argv[1], &f) < 0)
		return WHY("usage: fault PORT NAME [ARG [TIMES|forever|off]] (see help)");
	times = f == EMU_FAULT_DELAY ? EMU_FAULT_FOREVER : 1;
	if (argc > 2 && parse_u32(argv[2], INT32_MAX, &arg) < 0)
		return WHY("bad ARG '%s'", argv[2]);
	if (argc > 3 && !strcmp(argv[3], "forever"))
		times = EMU_FAULT_FOREVER;
	else if (argc > 3 && !strcmp(argv[3], "off"))
		times = 0;
	else if (argc > 3 && parse_u32(argv[3], UINT32_MAX - 1, &times) < 0)
		return WHY("bad TIMES '%s'", argv[3]);
	r = emu_set_fault(emu, port, f, (int32_t)arg, times);
	return r < 0 ? WHY("%s", strerror(-r)) : 0;
}

static int c_knob(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	enum emu_knob k;
	uint16_t port = 0;
	uint32_t v;
	bool all = !strcmp(argv[0], "all");
	int r;

	if ((!all && parse_portid(argv[0], &port) < 0) || emu_knob_from_name(argv[1], &k) < 0 ||
	    parse_u32(argv[2], UINT32_MAX, &v) < 0)
		return WHY("usage: knob PORT|all NAME VALUE (see help)");
	r = emu_set_knob(emu, all ? EMU_ALL_PORTS : port, k, v);
	return r < 0 ? WHY("%s", strerror(-r)) : 0;
}

static int c_port(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	uint16_t port, tcp = 0;
	int r;

	if (argc < 2 || parse_portid(argv[1], &port) < 0)
		return WHY("usage: port down|up|rm PORTID | port add PORTID ADDR TCPPORT");
	if (!strcmp(argv[0], "add")) {
		if (argc != 4 || parse_portid(argv[3], &tcp) < 0)
			return WHY("usage: port add PORTID ADDR TCPPORT");
		r = emu_add_port(emu, port, argv[2], tcp, &tcp);
		if (r >= 0)
			evbuffer_add_printf(out, "port %u %s:%u\n", port, argv[2], tcp);
	} else if (!strcmp(argv[0], "rm")) {
		r = emu_rm_port(emu, port);
	} else if (!strcmp(argv[0], "down") || !strcmp(argv[0], "up")) {
		r = emu_port_enable(emu, port, !strcmp(argv[0], "up"));
	} else {
		return WHY("usage: port down|up|rm PORTID | port add PORTID ADDR TCPPORT");
	}
	return r < 0 ? WHY("%s", strerror(-r)) : 0;
}

static int c_disc_nqn(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	int r = emu_set_disc_nqn(emu, strcmp(argv[0], "none") ? argv[0] : NULL);

	return r < 0 ? WHY("%s", strerror(-r)) : 0;
}

static void show_port(struct emu_port *p, struct evbuffer *out)
{
	struct emu_plink *l;
	struct emu_referral *ref;
	struct emu_conn *c;
	unsigned n = 0;

	TAILQ_FOREACH (c, &p->conns, link)
		n++;
	evbuffer_add_printf(out, "port %u %s%s%s:%u %s conns %u\n", p->portid,
			    p->adrfam == NVMF_ADRFAM_IPV6 ? "[" : "", p->traddr,
			    p->adrfam == NVMF_ADRFAM_IPV6 ? "]" : "", p->tcp_port,
			    p->lev ? "up" : "down", n);
	TAILQ_FOREACH (l, &p->links, link)
		evbuffer_add_printf(out, "  link %s\n", l->subsys->nqn);
	TAILQ_FOREACH (ref, &p->referrals, link)
		evbuffer_add_printf(out, "  referral %s %u portid %u\n", ref->traddr, ref->trsvcid,
				    ref->portid);
	for (unsigned g = 1; g <= EMU_ANAGRPMAX; g++)
		if (p->ana[g])
			evbuffer_add_printf(out, "  ana %u %s\n", g, nvme_ana_state_str(p->ana[g]));
	for (unsigned f = 0; f < EMU__FAULT_MAX; f++) {
		const struct emu_fault_slot *fs = &p->faults[f];
		char left[16] = "forever";

		if (!fs->times && !fs->fired)
			continue;
		if (fs->times != EMU_FAULT_FOREVER)
			snprintf(left, sizeof(left), "%u", fs->times);
		evbuffer_add_printf(out, "  fault %s arg %d left %s fired %u\n", emu_fault_name(f),
				    fs->arg, left, fs->fired);
	}
}

static int c_show(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	struct emu_subsys *s;
	struct emu_port *p;
	struct emu_ns *ns;
	struct emu_ctrl *ctrl;

	TAILQ_FOREACH (p, &emu->ports, link)
		show_port(p, out);
	TAILQ_FOREACH (s, &emu->subsystems, link) {
		evbuffer_add_printf(out, "subsys %s sn %s\n", s->nqn, s->sn);
		TAILQ_FOREACH (ns, &s->nss, link)
			evbuffer_add_printf(out, "  ns %u size %llu lba %u grp %u%s\n", ns->nsid,
					    (unsigned long long)(ns->nlb << ns->lba_shift),
					    1u << ns->lba_shift, ns->anagrpid,
					    ns->null_data ? " null" : "");
	}
	TAILQ_FOREACH (ctrl, &emu->ctrls, link)
		evbuffer_add_printf(out, "ctrl %u %s port %u host %s kato %u\n", ctrl->cntlid,
				    ctrl->subnqn, ctrl->port->portid, ctrl->hostnqn, ctrl->kato_ms);
	evbuffer_add_printf(out, "genctr %llu mem %llu\n", (unsigned long long)emu->genctr,
			    (unsigned long long)emu->mem_used);
	return 0;
}

static int c_help(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why);

static const struct ctl_cmd cmds[] = {
	{ "show", 0, 0, c_show, "show" },
	{ "ana", 3, 3, c_ana, "ana PORT GRP STATE" },
	{ "link", 2, 2, c_link, "link PORT NQN" },
	{ "unlink", 2, 2, c_unlink, "unlink PORT NQN" },
	{ "add-subsys", 1, 1, c_add_subsys,
	  "add-subsys "
	  "NQN[,sn=S][,mn=M][,ns=NSID:SIZE[:LBA[:GRP]]]...[,null][,ports=P+P|all|none]" },
	{ "rm-subsys", 1, 1, c_rm_subsys, "rm-subsys NQN" },
	{ "add-ns", 2, 3, c_add_ns, "add-ns NQN NSID:SIZE[:LBA[:GRP]] [null]" },
	{ "rm-ns", 2, 2, c_rm_ns, "rm-ns NQN NSID" },
	{ "referral", 4, 5, c_referral,
	  "referral add PORT TRADDR TRSVCID PORTID | rm PORT TRADDR TRSVCID" },
	{ "fault", 2, 4, c_fault, "fault PORT NAME [ARG [TIMES|forever|off]]" },
	{ "knob", 3, 3, c_knob, "knob PORT|all NAME VALUE" },
	{ "port", 2, 4, c_port, "port down|up|rm PORTID | port add PORTID ADDR TCPPORT" },
	{ "disc-nqn", 1, 1, c_disc_nqn, "disc-nqn NQN|none" },
	{ "help", 0, 0, c_help, "help" },
};

static int c_help(struct emu *emu, char **argv, int argc, struct evbuffer *out, char *why)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
		evbuffer_add_printf(out, "%s\n", cmds[i].usage);
	evbuffer_add_printf(out, "faults:");
	for (unsigned i = 0; i < EMU__FAULT_MAX; i++)
		evbuffer_add_printf(out, " %s", emu_fault_name(i));
	evbuffer_add_printf(out, "\nknobs:");
	for (unsigned i = 0; i < EMU__KNOB_MAX; i++)
		evbuffer_add_printf(out, " %s", emu_knob_name(i));
	evbuffer_add_printf(out, "\n");
	return 0;
}

int emu_ctl_exec(struct emu *emu, const char *line, struct evbuffer *out)
{
	_cleanup_free_ char *copy = strdup(line);
	char *words[MAX_WORDS + 1], *p = copy, *w;
	char why[WHY_LEN] = "";
	int n = 0, r = -EINVAL;

	if (!copy)
		return -ENOMEM;
	while ((w = strsep(&p, " \t\r")))
		if (*w && n <= MAX_WORDS)
			words[n++] = w;
	if (!n) {
		evbuffer_add_printf(out, "ERR empty command\n");
		return -EINVAL;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(words[0], cmds[i].name))
			continue;
		if (n - 1 < cmds[i].min_args || n - 1 > cmds[i].max_args)
			r = WHY("usage: %s", cmds[i].usage);
		else
			r = cmds[i].fn(emu, words + 1, n - 1, out, why);
		break;
	}
	if (r == -EINVAL && !why[0])
		snprintf(why, sizeof(why), "unknown command '%s' (try help)", words[0]);
	if (r < 0)
		evbuffer_add_printf(out, "ERR %s\n", why[0] ? why : strerror(-r));
	else
		evbuffer_add_printf(out, "OK\n");
	return r;
}
