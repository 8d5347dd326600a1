// SPDX-License-Identifier: Apache-2.0
/*
 * stacctl: ask stacd over D-Bus which I/O controllers it holds. ls, status,
 * tron and troff follow nvme-stas's stacctl; state (ours) shows stacd's
 * typed view: connection state, queues, and each namespace's ANA state.
 */
#include <errno.h>
#include <stdio.h>

#include "ctl-common.h"
#include "ctl-state.h"
#include "stas/cleanup.h"

#define STAC_NAME  "org.nvmexpress.stac"
#define STAC_PATH  "/org/nvmexpress/stac"
#define STAC_IFACE "org.nvmexpress.stac"
#define STAC_DEBUG "org.nvmexpress.stac.debug"
#define STAC_STATE "org.nvmexpress.stac.state"

static inline void json_object_putp(struct json_object **o)
{
	json_object_put(*o);
}

static int cmd_status(struct ctl *c, int argc, char **argv)
{
	return ctl_status(c, argc, argv, NULL);
}

static int cmd_state(struct ctl *c, int argc, char **argv)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(json_object_putp) struct json_object *ctrls = NULL;
	int r;

	r = ctl_parse_opts(c, argc, argv, NULL, 0, NULL, NULL);
	if (r != 0)
		return r < 0 ? r : 0;
	r = ctl_call(c, STAC_STATE, "controllers", &reply, NULL);
	if (r < 0)
		return r;
	if (!sd_bus_message_has_signature(reply, CTL_STATE_SIGNATURE))
		return ctl_bad_reply(c, "controllers() returned '%s', expected '%s'",
				     sd_bus_message_get_signature(reply, true) ?: "",
				     CTL_STATE_SIGNATURE);
	r = ctl_state_read(reply, &ctrls);
	if (r == -EBADMSG)
		return ctl_bad_reply(c, "controllers(): cannot read the reply");
	if (r < 0)
		return r;
	return ctl_output_as(c, ctrls, ctl_state_table);
}

static const struct ctl_cmd stacctl_cmds[] = {
	{ "tron", "", "switch stacd's trace (debug logging) on", ctl_cmd_tron, false },
	{ "troff", "", "switch stacd's trace off", ctl_cmd_troff, false },
	{ "status", "", "show stacd's state and each I/O controller in detail", cmd_status, true },
	{ "ls", "[-d]", "list the I/O controllers", ctl_cmd_ls, true },
	{ "state", "",
	  "one line per I/O controller: connection, queues, namespaces and their ANA state",
	  cmd_state, true },
};

static const struct ctl_service stacctl = {
	.prog = "stacctl",
	.daemon = "stacd",
	.bus_name = STAC_NAME,
	.path = STAC_PATH,
	.iface = STAC_IFACE,
	.debug_iface = STAC_DEBUG,
	.cmds = stacctl_cmds,
	.n_cmds = ARRAY_SIZE(stacctl_cmds),
};

int main(int argc, char **argv)
{
	return ctl_main(&stacctl, argc, argv);
}
