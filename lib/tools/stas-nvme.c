// SPDX-License-Identifier: Apache-2.0
/*
 * stas-nvme: try the userspace NVMe/TCP core without writing code.
 * Every command connects with the synchronous API, does one thing, shuts
 * the controller down in order and prints text or --json.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme-print.h"
#include "stas-nvme.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"
#include "stas/nvme-status.h"
#include "stas/nvme-sync.h"
#include "tool-num.h"

#define MAX_REFERRAL_DEPTH 8
#define MAX_VISITED	   256

void json_out(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int fail(const char *what, const struct stas_error *e)
{
	fprintf(stderr, "stas-nvme: %s%s%s\n", what, *what ? ": " : "", e->msg);
	return 1;
}

/* "addr:port", with brackets around an IPv6 address as in a URL */
const char *endpoint(char *buf, size_t size, const char *addr, const char *svc)
{
	snprintf(buf, size, strchr(addr, ':') ? "[%s]:%s" : "%s:%s", addr, svc);
	return buf;
}

json_object *json_hex(const uint8_t *buf, size_t len)
{
	_cleanup_free_ char *hex = malloc(len * 2 + 1);

	if (!hex)
		return json_object_new_string("");
	for (size_t i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", buf[i]);
	hex[2 * len] = 0;
	return json_object_new_string(hex);
}

int connect_or_fail(struct nvme_ctrl_config *cfg, struct nvme_sync **s)
{
	struct stas_error e = { 0 };

	if (nvme_sync_connect(cfg, s, &e) < 0)
		return fail("", &e);
	return 0;
}

/* ---- discover ---------------------------------------------------------------------------- */

struct visit {
	char key[320];
};

static bool visited(struct visit *v, int *n, const char *addr, const char *svc, const char *nqn)
{
	char key[320];

	snprintf(key, sizeof(key), "%s|%s|%s", addr, svc, nqn);
	for (int i = 0; i < *n; i++)
		if (!strcmp(v[i].key, key))
			return true;
	if (*n < MAX_VISITED)
		snprintf(v[(*n)++].key, sizeof(key), "%s", key);
	return false;
}

/* One discovery controller; with --follow-referrals, its referrals too (depth-first, guarded). */
static int discover_one(const struct opts *o, struct nvme_ctrl_config cfg, int depth,
			struct visit *v, int *nv, json_object *all)
{
	_cleanup_free_ struct nvmf_disc_log *log = NULL;
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	char where[320];
	int rc = 0;

	endpoint(where, sizeof(where), cfg.traddr, cfg.trsvcid);
	if (connect_or_fail(&cfg, &s))
		return 1;
	if (nvme_sync_get_discovery_log(s, &log, &e) < 0) {
		nvme_sync_disconnect(s);
		return fail(where, &e);
	}
	nvme_sync_disconnect(s);
	if (o->json) {
		json_object *j = json_disc_log(log);

		json_object_object_add(j, "traddr", json_object_new_string(cfg.traddr));
		json_object_object_add(j, "trsvcid", json_object_new_string(cfg.trsvcid));
		json_object_array_add(all, j);
	} else {
		print_disc_log(stdout, where, log);
	}
	if (!o->follow)
		return 0;
	/* depth first, so "where" is free again */
	for (size_t i = 0; i < log->nr; i++) {
		const struct nvmf_disc_entry *d = &log->entries[i];
		struct nvme_ctrl_config next = cfg;

		if (d->subtype != NVMF_SUBTYPE_REFERRAL || d->trtype != NVMF_TRTYPE_TCP)
			continue;
		/*
		 * Depth first, then mark: a referral marked but not followed here would be
		 * skipped later where it is a direct referral of a shallower controller.
		 */
		if (depth + 1 > o->max_depth) {
			fprintf(stderr, "stas-nvme: not following %s: referral depth %d reached\n",
				endpoint(where, sizeof(where), d->traddr, d->trsvcid),
				o->max_depth);
			continue;
		}
		if (visited(v, nv, d->traddr, d->trsvcid, d->subnqn))
			continue;
		next.traddr = d->traddr;
		next.trsvcid = d->trsvcid;
		next.subsysnqn = d->subnqn;
		rc |= discover_one(o, next, depth + 1, v, nv, all);
	}
	return rc;
}

static int cmd_discover(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	struct visit *v = calloc(MAX_VISITED, sizeof(*v));
	json_object *all = json_object_new_array();
	int nv = 0, rc;

	if (!cfg->trsvcid)
		cfg->trsvcid = "8009";
	visited(v, &nv, cfg->traddr, cfg->trsvcid,
		cfg->subsysnqn ? cfg->subsysnqn : NVME_DISC_SUBSYS_NQN);
	rc = discover_one(o, *cfg, 0, v, &nv, all);
	if (o->json)
		json_out(all);
	else
		json_object_put(all);
	free(v);
	return rc;
}

/* ---- identify, list-ns, ana, smart-log, error-log, get-log, wait-event ---------------------- */

static int cmd_identify(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	struct stas_error e = { 0 };
	struct nvme_ctrl_info info;
	struct nvme_ns_id ns;
	struct nvme_sync *s;

	if (connect_or_fail(cfg, &s))
		return 1;
	if (o->nsid) {
		if (nvme_sync_identify_ns(s, o->nsid, &ns, &e) < 0) {
			nvme_sync_disconnect(s);
			return fail("", &e);
		}
		o->json ? json_out(json_ns(o->nsid, &ns)) : print_ns(stdout, o->nsid, &ns);
	} else {
		nvme_sync_controller_info(s, &info);
		o->json ? json_out(json_ctrl_info(&info)) : print_ctrl_info(stdout, &info);
	}
	nvme_sync_disconnect(s);
	return 0;
}

static int cmd_list_ns(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	_cleanup_free_ uint32_t *ids = NULL;
	struct stas_error e = { 0 };
	json_object *arr = json_object_new_array();
	struct nvme_sync *s;
	struct nvme_ns_id ns;
	size_t n = 0;
	int rc = 0;

	if (connect_or_fail(cfg, &s)) {
		json_object_put(arr);
		return 1;
	}
	if (nvme_sync_list_ns(s, &ids, &n, &e) < 0)
		rc = fail("", &e);
	for (size_t i = 0; !rc && i < n; i++) {
		if (nvme_sync_identify_ns(s, ids[i], &ns, &e) < 0) {
			rc = fail("", &e);
			break;
		}
		if (o->json)
			json_object_array_add(arr, json_ns(ids[i], &ns));
		else
			print_ns(stdout, ids[i], &ns);
	}
	nvme_sync_disconnect(s);
	if (o->json && !rc)
		json_out(arr);
	else
		json_object_put(arr);
	return rc;
}

static int cmd_ana(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	_cleanup_free_ struct nvme_ana_log *log = NULL;
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	int rc = 0;

	if (connect_or_fail(cfg, &s))
		return 1;
	if (nvme_sync_get_ana_log(s, false, &log, &e) < 0)
		rc = fail("", &e);
	nvme_sync_disconnect(s);
	if (!rc)
		o->json ? json_out(json_ana_log(log)) : print_ana_log(stdout, log);
	return rc;
}

static int cmd_smart_log(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	uint32_t nsid = o->nsid_given ? o->nsid : NVME_NSID_ALL;
	struct nvme_smart_log log;
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	int rc = 0;

	if (connect_or_fail(cfg, &s))
		return 1;
	if (nvme_sync_get_smart_log(s, nsid, &log, &e) < 0)
		rc = fail("", &e);
	nvme_sync_disconnect(s);
	if (!rc)
		o->json ? json_out(json_smart_log(nsid, &log))
			: print_smart_log(stdout, nsid, &log);
	return rc;
}

static int cmd_error_log(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	_cleanup_free_ struct nvme_error_log_entry *v = NULL;
	struct stas_error e = { 0 };
	struct nvme_ctrl_info info;
	struct nvme_sync *s;
	size_t n = 0, slots;
	int rc = 0;

	if (connect_or_fail(cfg, &s))
		return 1;
	nvme_sync_controller_info(s, &info);
	slots = (size_t)info.id.elpe + 1;
	if (nvme_sync_get_error_log(s, &v, &n, &e) < 0)
		rc = fail("", &e);
	nvme_sync_disconnect(s);
	if (!rc)
		o->json ? json_out(json_error_log(v, n, slots))
			: print_error_log(stdout, v, n, slots);
	return rc;
}

static int cmd_get_log(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	_cleanup_free_ uint8_t *buf = NULL;
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	int rc = 0;

	if (o->lid < 0 || !o->len) {
		fprintf(stderr, "stas-nvme: get-log needs --lid and --len\n");
		return 2;
	}
	buf = calloc(1, o->len);
	if (!buf || connect_or_fail(cfg, &s))
		return 1;
	/* as nvme-cli's get-log: all namespaces unless --nsid says otherwise */
	if (nvme_sync_get_log(s, (uint8_t)o->lid, o->nsid_given ? o->nsid : NVME_NSID_ALL,
			      (uint8_t)(o->lsp > 0 ? o->lsp : 0), false, o->offset, buf, o->len,
			      &e) < 0)
		rc = fail("", &e);
	nvme_sync_disconnect(s);
	if (rc)
		return rc;
	if (o->raw) {
		fwrite(buf, 1, o->len, stdout);
	} else if (o->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "lid", json_object_new_int(o->lid));
		json_object_object_add(j, "offset", json_object_new_uint64(o->offset));
		json_object_object_add(j, "data", json_hex(buf, o->len));
		json_out(j);
	} else {
		print_hex(stdout, buf, o->len);
	}
	return 0;
}

static int cmd_wait_event(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	uint32_t dw0;
	char text[128];
	int r;

	if (connect_or_fail(cfg, &s))
		return 1;
	r = nvme_sync_wait_event(s, o->wait_s * 1000, &dw0, &e);
	nvme_sync_disconnect(s);
	if (r < 0)
		return fail("", &e);
	if (o->json)
		json_out(json_aen(dw0));
	else
		printf("%s\n", nvme_aen_describe(nvme_aen_decode(dw0), text, sizeof(text)));
	return 0;
}

static int cmd_register(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	int r;

	if (connect_or_fail(cfg, &s))
		return 1;
	r = nvme_sync_dim(s, o->deregister ? NVMF_DIM_TAS_DEREGISTER : NVMF_DIM_TAS_REGISTER,
			  o->symname, &e);
	nvme_sync_disconnect(s);
	if (r < 0)
		return fail("", &e);
	if (!o->json) {
		char where[320];

		printf("%s with %s\n", o->deregister ? "deregistered" : "registered",
		       endpoint(where, sizeof(where), cfg->traddr,
				cfg->trsvcid ? cfg->trsvcid : "8009"));
	}
	return 0;
}

static const struct cmd_entry commands[] = {
	{ "discover", cmd_discover,
	  "-a ADDR [-s 8009] [-n NQN] [--follow-referrals [--max-depth 0..8 (default 4)]]" },
	{ "identify", cmd_identify, "-a ADDR [-s 4420] -n NQN [--nsid N]" },
	{ "list-ns", cmd_list_ns, "-a ADDR [-s 4420] -n NQN" },
	{ "ana", cmd_ana, "-a ADDR [-s 4420] -n NQN" },
	{ "smart-log", cmd_smart_log,
	  "-a ADDR [-s 4420] -n NQN [--nsid N (default 0xffffffff: the controller)]\n"
	  "                SMART / Health log; a data unit is 1000 x 512 bytes" },
	{ "error-log", cmd_error_log,
	  "-a ADDR [-s 4420] -n NQN   the controller's last errors, newest first" },
	{ "get-feature", cmd_get_feature,
	  "-a ADDR -n NQN --fid ID [--sel current|default|saved|supported] [--cdw11 V] "
	  "[--nsid N]" },
	{ "set-feature", cmd_set_feature, "-a ADDR -n NQN --fid ID --value V [--save] [--nsid N]" },
	{ "get-log", cmd_get_log,
	  "-a ADDR -n NQN --lid ID --len BYTES [--offset B] [--lsp N] "
	  "[--nsid N (default 0xffffffff)] [--raw]" },
	{ "wait-event", cmd_wait_event, "-a ADDR -n NQN [--wait SECONDS]" },
	{ "register", cmd_register, "-a ADDR [-s 8009] [--deregister] [--symname NAME] (TP8010)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: stas-nvme COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].usage);
	for (size_t i = 0; i < io_commands_n; i++)
		fprintf(f, "  %-13s %s\n", io_commands[i].name, io_commands[i].usage);
	fprintf(f, "\noptions for every command:\n"
		   "  -a, --traddr ADDR        numeric IPv4/IPv6 address of the controller "
		   "(required)\n"
		   "  -s, --trsvcid PORT       default 8009 for discovery, 4420 otherwise\n"
		   "  -n, --nqn NQN            subsystem NQN (default: the discovery NQN)\n"
		   "  -w, --host-traddr ADDR   source address; -f, --host-iface IFACE\n"
		   "  -q, --hostnqn NQN, -I, --hostid UUID   (default: /etc/nvme/hostnqn, hostid)\n"
		   "  -g, --hdr-digest, -G, --data-digest\n"
		   "  -k, --kato SECONDS       keep-alive timeout (default 0 for discovery, 30)\n"
		   "  -t, --timeout MS         bounds the connect and every admin and I/O command\n"
		   "                           (default: connect and admin 10000, I/O 30000)\n"
		   "  -j, --json               JSON output\n");
}

/* long-only options: above any character, so that a message names the long form */
enum { OPT_FID = 0x100, OPT_SEL, OPT_CDW11, OPT_VALUE, OPT_SAVE };

static const struct option long_opts[] = {
	{ "traddr", required_argument, NULL, 'a' },
	{ "trsvcid", required_argument, NULL, 's' },
	{ "nqn", required_argument, NULL, 'n' },
	{ "host-traddr", required_argument, NULL, 'w' },
	{ "host-iface", required_argument, NULL, 'f' },
	{ "hostnqn", required_argument, NULL, 'q' },
	{ "hostid", required_argument, NULL, 'I' },
	{ "hdr-digest", no_argument, NULL, 'g' },
	{ "data-digest", no_argument, NULL, 'G' },
	{ "kato", required_argument, NULL, 'k' },
	{ "timeout", required_argument, NULL, 't' },
	{ "json", no_argument, NULL, 'j' },
	{ "follow-referrals", no_argument, NULL, 'r' },
	{ "max-depth", required_argument, NULL, 'D' },
	{ "nsid", required_argument, NULL, 'N' },
	{ "lid", required_argument, NULL, 'L' },
	{ "lsp", required_argument, NULL, 'P' },
	{ "len", required_argument, NULL, 'l' },
	{ "offset", required_argument, NULL, 'o' },
	{ "raw", no_argument, NULL, 'R' },
	{ "wait", required_argument, NULL, 'W' },
	{ "deregister", no_argument, NULL, 'X' },
	{ "symname", required_argument, NULL, 'Y' },
	{ "slba", required_argument, NULL, 'B' },
	{ "blocks", required_argument, NULL, 'K' },
	{ "in", required_argument, NULL, 'i' },
	{ "out", required_argument, NULL, 'O' },
	{ "pattern", required_argument, NULL, 'p' },
	{ "action", required_argument, NULL, 'A' },
	{ "rtype", required_argument, NULL, 'T' },
	{ "crkey", required_argument, NULL, 'C' },
	{ "nrkey", required_argument, NULL, 'E' },
	{ "prkey", required_argument, NULL, 'F' },
	{ "iekey", no_argument, NULL, 'Z' },
	{ "ptpl", required_argument, NULL, 'U' },
	{ "deallocate", no_argument, NULL, 'V' },
	{ "fid", required_argument, NULL, OPT_FID },
	{ "sel", required_argument, NULL, OPT_SEL },
	{ "cdw11", required_argument, NULL, OPT_CDW11 },
	{ "value", required_argument, NULL, OPT_VALUE },
	{ "save", no_argument, NULL, OPT_SAVE },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int number(const char *s, const char *what, uint64_t max, uint64_t *ret)
{
	return tool_number("stas-nvme", s, what, 0, max, false, ret);
}

/* The core takes numeric addresses only: a host name is bad usage, said before connecting. */
static bool numeric_addr(const char *opt, const char *addr)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;

	if (getaddrinfo(addr, NULL, &hints, &ai) == 0) {
		freeaddrinfo(ai);
		return true;
	}
	fprintf(stderr,
		"stas-nvme: %s '%s' is not a numeric IPv4/IPv6 address (host names are not looked "
		"up)\n",
		opt, addr);
	return false;
}

/* Whether @word, "--name[=value]" (name perhaps abbreviated), names a long option of @val. */
static bool long_opt_is(const char *word, int val)
{
	size_t n = strcspn(word + 2, "=");

	for (const struct option *lo = long_opts; lo->name; lo++)
		if (lo->val == val && n && !strncmp(lo->name, word + 2, n))
			return true;
	return false;
}

/*
 * The option getopt_long() refused: "-x" for a short one, the word itself for a long one.
 * argv[optind - 1] is the word just finished, which for a short option inside a bundle
 * ("-xj") is still the one before it: a long option there is not the culprit unless it names
 * @optopt.
 */
static const char *bad_option(char **argv, char buf[3])
{
	const char *word = argv[optind - 1];
	bool short_opt = optopt > 0 && optopt < 256;

	if (short_opt && (strncmp(word, "--", 2) || !long_opt_is(word, optopt))) {
		snprintf(buf, 3, "-%c", optopt);
		return buf;
	}
	return word;
}

/* --sel: a name, or the number nvme-cli takes */
static int parse_sel(const char *arg, int *ret)
{
	static const char *const names[] = { "current", "default", "saved", "supported" };
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(arg, names[i])) {
			*ret = (int)i;
			return 0;
		}
	if (tool_number("stas-nvme", arg, "--sel (current, default, saved, supported or 0..3)", 0,
			3, false, &v))
		return -1;
	*ret = (int)v;
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	char buf[3];
	uint64_t v;
	int c;

	*o = (struct opts){ .lid = -1,
			    .lsp = -1,
			    .kato_s = UINT32_MAX,
			    .max_depth = 4,
			    .wait_s = 30,
			    .nsid = 0,
			    .pattern = -1,
			    .rtype = 0,
			    .ptpl = 0,
			    .fid = -1 };
	opterr = 0; /* getopt would name the command, not the program: "discover: invalid ..." */
	while ((c = getopt_long(argc, argv, ":a:s:n:w:f:q:I:gGk:t:jrh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->traddr = optarg;
			break;
		case 's':
			if (tool_number("stas-nvme", optarg, "--trsvcid", 1, 65535, false, &v))
				return -1;
			o->trsvcid = optarg;
			break;
		case 'n':
			o->subnqn = optarg;
			break;
		case 'w':
			o->host_traddr = optarg;
			break;
		case 'f':
			o->host_iface = optarg;
			break;
		case 'q':
			o->hostnqn = optarg;
			break;
		case 'I':
			o->hostid = optarg;
			break;
		case 'g':
			o->hdgst = true;
			break;
		case 'G':
			o->ddgst = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'r':
			o->follow = true;
			break;
		case 'R':
			o->raw = true;
			break;
		case 'X':
			o->deregister = true;
			break;
		case 'B':
			if (number(optarg, "--slba", UINT64_MAX, &o->slba))
				return -1;
			break;
		case 'K':
			if (number(optarg, "--blocks", UINT64_MAX, &o->blocks))
				return -1;
			break;
		case 'C':
			if (number(optarg, "--crkey", UINT64_MAX, &o->crkey))
				return -1;
			break;
		case 'E':
			if (number(optarg, "--nrkey", UINT64_MAX, &o->nrkey))
				return -1;
			break;
		case 'F':
			if (number(optarg, "--prkey", UINT64_MAX, &o->prkey))
				return -1;
			break;
		case 'p':
			if (number(optarg, "--pattern", 255, &v))
				return -1;
			o->pattern = (int)v;
			break;
		case 'T':
			if (number(optarg, "--rtype", 6, &v))
				return -1;
			o->rtype = (int)v;
			break;
		case 'U':
			o->ptpl = !strcmp(optarg, "on") ? 3 : !strcmp(optarg, "off") ? 2 : -1;
			if (o->ptpl < 0) {
				fprintf(stderr, "stas-nvme: --ptpl on|off\n");
				return -1;
			}
			break;
		case 'i':
			o->in = optarg;
			break;
		case 'O':
			o->out = optarg;
			break;
		case 'A':
			o->action = optarg;
			break;
		case 'Z':
			o->iekey = true;
			break;
		case 'V':
			o->deallocate = true;
			break;
		case 'Y':
			o->symname = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'k':
			if (number(optarg, "--kato", 3600, &v))
				return -1;
			o->kato_s = (uint32_t)v;
			break;
		case 't':
			if (number(optarg, "--timeout", 600000, &v))
				return -1;
			o->timeout_ms = (uint32_t)v;
			break;
		case 'D':
			if (number(optarg, "--max-depth", MAX_REFERRAL_DEPTH, &v))
				return -1;
			o->max_depth = (int)v;
			break;
		case 'N':
			/* 0xffffffff (all) only where a command takes it: see its checks */
			if (number(optarg, "--nsid", NVME_NSID_ALL, &v))
				return -1;
			o->nsid = (uint32_t)v;
			o->nsid_given = true;
			break;
		case 'L':
			if (number(optarg, "--lid", 255, &v))
				return -1;
			o->lid = (int)v;
			break;
		case 'P':
			if (number(optarg, "--lsp", 127, &v))
				return -1;
			o->lsp = (int)v;
			break;
		case 'l':
			if (number(optarg, "--len", 64u << 20, &v))
				return -1;
			o->len = (uint32_t)v;
			break;
		case 'o':
			if (number(optarg, "--offset", UINT64_MAX, &v))
				return -1;
			o->offset = v;
			break;
		case 'W':
			if (number(optarg, "--wait", 86400, &v))
				return -1;
			o->wait_s = (uint32_t)v;
			break;
		case OPT_FID:
			if (number(optarg, "--fid", 255, &v))
				return -1;
			o->fid = (int)v;
			break;
		case OPT_SEL:
			if (parse_sel(optarg, &o->sel))
				return -1;
			break;
		case OPT_CDW11:
			if (number(optarg, "--cdw11", UINT32_MAX, &v))
				return -1;
			o->cdw11 = (uint32_t)v;
			break;
		case OPT_VALUE:
			if (number(optarg, "--value", UINT32_MAX, &v))
				return -1;
			o->value = (uint32_t)v;
			o->value_given = true;
			break;
		case OPT_SAVE:
			o->save = true;
			break;
		case ':':
			fprintf(stderr, "stas-nvme %s: option '%s' needs an argument\n", argv[0],
				bad_option(argv, buf));
			return -1;
		default:
			fprintf(stderr, "stas-nvme %s: unknown option '%s'; see stas-nvme --help\n",
				argv[0], bad_option(argv, buf));
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "stas-nvme: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o->traddr) {
		fprintf(stderr, "stas-nvme: -a/--traddr is required\n");
		return -1;
	}
	if (!numeric_addr("-a/--traddr", o->traddr) ||
	    (o->host_traddr && *o->host_traddr &&
	     !numeric_addr("-w/--host-traddr", o->host_traddr)))
		return -1;
	return 0;
}

/* -q and -I first: a bad one is bad usage whatever the files hold. */
static int check_host_opts(const struct opts *o, uint8_t id[16])
{
	struct stas_error e = { 0 };

	if (o->hostnqn && stas_nqn_check(o->hostnqn, "--hostnqn", &e) < 0) {
		fprintf(stderr, "stas-nvme: %s\n", e.msg);
		return 2;
	}
	if (o->hostid && stas_uuid_parse(o->hostid, id) < 0) {
		fprintf(stderr, "stas-nvme: --hostid '%s' is not a UUID\n", o->hostid);
		return 2;
	}
	return 0;
}

/*
 * The identity: -q/-I over /etc/nvme/hostnqn and hostid, or a generated one (reported in
 * @ret_generated) when neither file exists. With both -q and -I the files are not read, so a
 * malformed file there cannot stop an explicit identity. Return: 0, or the exit status.
 */
static int host_identity(const struct opts *o, struct stas_host *h, bool *ret_generated)
{
	struct stas_error e = { 0 };
	bool generated = false;
	uint8_t id[16];
	int rc = check_host_opts(o, id);

	if (rc)
		return rc;
	if (!o->hostnqn || !o->hostid) {
		if (stas_host_load(h, NULL, NULL, &e) < 0) {
			if (e.code != -ENOENT)
				return fail("host identity", &e);
			stas_host_generate(h);
			generated = true;
		}
	}
	if (o->hostid) {
		char uuid[STAS_UUID_STR_LEN];

		memcpy(h->id, id, sizeof(h->id));
		/* no files: the NQN follows the given ID rather than the random one */
		stas_uuid_format(id, uuid);
		if (generated)
			snprintf(h->nqn, sizeof(h->nqn), "nqn.2014-08.org.nvmexpress:uuid:%s",
				 uuid);
	}
	if (o->hostnqn)
		snprintf(h->nqn, sizeof(h->nqn), "%s", o->hostnqn);
	*ret_generated = generated && !o->hostid;
	return 0;
}

int main(int argc, char **argv)
{
	const struct cmd_entry *cmd = NULL;
	struct nvme_ctrl_config cfg = { 0 };
	struct stas_host host;
	struct opts o;
	bool disc, generated = false;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			cmd = &commands[i];
	for (size_t i = 0; i < io_commands_n; i++)
		if (!strcmp(argv[1], io_commands[i].name))
			cmd = &io_commands[i];
	if (!cmd) {
		fprintf(stderr, "stas-nvme: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	if (parse(argc - 1, argv + 1, &o) < 0)
		return 2;
	rc = host_identity(&o, &host, &generated);
	if (rc)
		return rc;
	/* a random ID per run could never release what an earlier run registered */
	if (generated && (cmd->flags & CMD_STABLE_HOSTID)) {
		fprintf(stderr, "stas-nvme: reservations need a stable host ID: give -I UUID, or "
				"create /etc/nvme/hostid (stasadm hostid -f /etc/nvme/hostid)\n");
		return 2;
	}
	disc = !o.subnqn || !strcmp(o.subnqn, NVME_DISC_SUBSYS_NQN);
	cfg = (struct nvme_ctrl_config){
		.traddr = o.traddr,
		.trsvcid = o.trsvcid,
		.subsysnqn = o.subnqn,
		.host_traddr = o.host_traddr,
		.host_iface = o.host_iface,
		.hostnqn = host.nqn,
		.hdgst = o.hdgst,
		.ddgst = o.ddgst,
		/* -t bounds everything that can wait: 0 keeps each default */
		.connect_timeout_ms = o.timeout_ms,
		.cmd_timeout_ms = o.timeout_ms,
		.io_timeout_ms = o.timeout_ms,
		.kato_ms = (o.kato_s == UINT32_MAX ? (disc ? 0 : 30) : o.kato_s) * 1000,
	};
	memcpy(cfg.hostid, host.id, sizeof(cfg.hostid));
	return cmd->run(&o, &cfg);
}
