// SPDX-License-Identifier: Apache-2.0
/*
 * stafctl: ask stafd over D-Bus what it has found. The commands, options
 * and output follow nvme-stas's stafctl; --json prints the same values as
 * JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/sys-conf.h"
#include "ctl-common.h"
#include "stas/cleanup.h"
#include "stas/nvme-spec.h"

#define STAF_NAME  "org.nvmexpress.staf"
#define STAF_PATH  "/org/nvmexpress/staf"
#define STAF_IFACE "org.nvmexpress.staf"
#define STAF_DEBUG "org.nvmexpress.staf.debug"

static inline void json_object_putp(struct json_object **o)
{
	json_object_put(*o);
}

static int status_log_pages(struct ctl *c, struct json_object *ctrl, const char *t[7])
{
	struct json_object *pages = NULL;
	int r;

	r = ctl_call_dicts(c, STAF_IFACE, "get_log_pages", &pages, "sssssss", t[0], t[1], t[2],
			   t[3], t[4], t[5], t[6]);
	if (r < 0)
		return r;
	if (json_object_object_add(ctrl, "log_pages", pages) < 0) {
		json_object_put(pages);
		return -ENOMEM;
	}
	return 0;
}

static int cmd_status(struct ctl *c, int argc, char **argv)
{
	return ctl_status(c, argc, argv, status_log_pages);
}

/* dlp: one discovery controller, named by its identity. */

enum {
	DLP_TRANSPORT,
	DLP_TRADDR,
	DLP_TRSVCID,
	DLP_NQN,
	DLP_HOST_TRADDR,
	DLP_HOST_IFACE,
	DLP_HOST_NQN,
	DLP_N
};

struct dlp_args {
	const char *v[DLP_N]; /* in get_log_pages() order */
	char host_nqn[NVMF_NQN_MAX_LEN + 1];
};

static const struct ctl_opt dlp_opts[] = {
	{ "transport", 't', "TRANSPORT", "tcp (the default), rdma, fc or loop" },
	{ "traddr", 'a', "TRADDR", "the discovery controller's address (required)" },
	{ "trsvcid", 's', "TRSVCID", "its transport service ID, the port for tcp (required)" },
	{ "host-traddr", 'w', "HOST_TRADDR",
	  "the local address of the connection (default: none)" },
	{ "host-iface", 'f', "HOST_IFACE",
	  "the local interface of the connection (default: none)" },
	{ "host-nqn", 'q', "HOST_NQN", "the host NQN (default: the one sys.conf gives)" },
	{ "nqn", 'n', "NQN", "the subsystem NQN (default: " NVME_DISC_SUBSYS_NQN ")" },
};

static int dlp_opt(struct ctl *c, int val, const char *arg, void *userdata)
{
	static const char *const transports[] = { "tcp", "rdma", "fc", "loop" };
	static const char letters[DLP_N] = { 't', 'a', 's', 'n', 'w', 'f', 'q' };
	struct dlp_args *a = userdata;

	for (int i = 0; i < DLP_N; i++)
		if (letters[i] == val)
			a->v[i] = arg;
	if (val != 't')
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(transports); i++)
		if (!strcmp(arg, transports[i]))
			return 0;
	return ctl_usage_error(c, "invalid transport '%s' (choose from tcp, rdma, fc, loop)", arg);
}

/*
 * The host NQN nvme-stas would default to: sys.conf's, else /etc/nvme/hostnqn. Without one,
 * an empty host NQN, which stafd replaces with its own (a made-up one included).
 */
static void dlp_default_host_nqn(struct ctl *c, struct dlp_args *a)
{
	_cleanup_(sys_conf_freep) struct sys_conf *sc = NULL;
	int r = sys_conf_load_file(NULL, NULL, &sc);
	const char *why;

	if (r >= 0 && sc->nqn[0]) {
		strcpy(a->host_nqn, sc->nqn);
		a->v[DLP_HOST_NQN] = a->host_nqn;
		return;
	}
	why = r < 0			 ? strerror(-r)
	      : sc->nqn_error == -ENOENT ? NULL
	      : sc->nqn_error == -EINVAL ? "not a valid NQN"
					 : strerror(-sc->nqn_error);
	fprintf(stderr, "%s: no host NQN in %s or %s%s%s; asking for stafd's own (see -q)\n",
		ctl_service(c)->prog, SYS_CONF_FILE, STAS_HOSTNQN_FILE, why ? ": " : "",
		why ? why : "");
	a->v[DLP_HOST_NQN] = "";
}

static int cmd_dlp(struct ctl *c, int argc, char **argv)
{
	_cleanup_(json_object_putp) struct json_object *pages = NULL;
	struct dlp_args a = { .v = { [DLP_TRANSPORT] = "tcp",
				     [DLP_NQN] = NVME_DISC_SUBSYS_NQN,
				     [DLP_HOST_TRADDR] = "",
				     [DLP_HOST_IFACE] = "" } };
	int r;

	r = ctl_parse_opts(c, argc, argv, dlp_opts, ARRAY_SIZE(dlp_opts), dlp_opt, &a);
	if (r != 0)
		return r < 0 ? r : 0;
	if (!a.v[DLP_TRADDR] || !a.v[DLP_TRSVCID])
		return ctl_usage_error(c, "-a/--traddr and -s/--trsvcid are required");
	if (!a.v[DLP_HOST_NQN])
		dlp_default_host_nqn(c, &a);
	r = ctl_call_dicts(c, STAF_IFACE, "get_log_pages", &pages, "sssssss", a.v[0], a.v[1],
			   a.v[2], a.v[3], a.v[4], a.v[5], a.v[6]);
	if (r < 0)
		return r;
	return ctl_output(c, pages);
}

static int cmd_adlp(struct ctl *c, int argc, char **argv)
{
	static const struct ctl_opt opts[] = {
		{ "detailed", 'd', NULL, "describe each discovery controller in detail" },
	};
	_cleanup_(json_object_putp) struct json_object *all = NULL;
	bool detailed = false;
	int r;

	r = ctl_parse_opts(c, argc, argv, opts, ARRAY_SIZE(opts), ctl_flag_opt, &detailed);
	if (r != 0)
		return r < 0 ? r : 0;
	r = ctl_call_json(c, STAF_IFACE, "get_all_log_pages", json_type_array, &all, "b",
			  (int)detailed);
	if (r < 0)
		return r;
	return ctl_output(c, all);
}

static const struct ctl_cmd stafctl_cmds[] = {
	{ "tron", "", "switch stafd's trace (debug logging) on", ctl_cmd_tron, false },
	{ "troff", "", "switch stafd's trace off", ctl_cmd_troff, false },
	{ "status", "", "show stafd's state, each discovery controller with its log pages",
	  cmd_status, true },
	{ "ls", "[-d]", "list the discovery controllers", ctl_cmd_ls, true },
	{ "dlp",
	  "[-t TRANSPORT] -a TRADDR -s TRSVCID [-w HOST_TRADDR] [-f HOST_IFACE] [-q HOST_NQN] "
	  "[-n NQN]",
	  "show the cached discovery log page entries of one discovery controller", cmd_dlp, true },
	{ "adlp", "[-d]", "show the cached discovery log pages of every discovery controller",
	  cmd_adlp, true },
};

static const struct ctl_service stafctl = {
	.prog = "stafctl",
	.daemon = "stafd",
	.bus_name = STAF_NAME,
	.path = STAF_PATH,
	.iface = STAF_IFACE,
	.debug_iface = STAF_DEBUG,
	.cmds = stafctl_cmds,
	.n_cmds = ARRAY_SIZE(stafctl_cmds),
};

int main(int argc, char **argv)
{
	return ctl_main(&stafctl, argc, argv);
}
