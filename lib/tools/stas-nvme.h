/* SPDX-License-Identifier: Apache-2.0 */
/* stas-nvme: shared option block and helpers of the command files. */
#ifndef STAS_NVME_TOOL_H
#define STAS_NVME_TOOL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "stas/nvme-sync.h"

/* cmd_entry.flags */
#define CMD_STABLE_HOSTID 0x1 /* refuses a generated host identity */

struct opts {
	const char *traddr, *trsvcid, *subnqn, *host_traddr, *host_iface;
	const char *hostnqn, *hostid;
	bool hdgst, ddgst, json, follow, raw, deregister, nsid_given;
	const char *symname;
	uint32_t kato_s, timeout_ms, nsid, len, wait_s;
	int lid, lsp;
	uint64_t offset;
	int max_depth;
	/* I/O */
	uint64_t slba, blocks, crkey, nrkey, prkey;
	const char *in, *out, *action;
	int pattern, rtype, ptpl;
	bool iekey, deallocate;
	/* features */
	int fid, sel;
	uint32_t cdw11, value;
	bool value_given, save;
};

struct cmd_entry {
	const char *name;
	int (*run)(const struct opts *o, struct nvme_ctrl_config *cfg);
	const char *usage;
	unsigned flags;
};

void json_out(json_object *o);
json_object *json_hex(const uint8_t *buf, size_t len);
const char *endpoint(char *buf, size_t size, const char *addr, const char *svc);
int fail(const char *what, const struct stas_error *e);
int connect_or_fail(struct nvme_ctrl_config *cfg, struct nvme_sync **s);

/* nvme-feature-cmds.c */
int cmd_get_feature(const struct opts *o, struct nvme_ctrl_config *cfg);
int cmd_set_feature(const struct opts *o, struct nvme_ctrl_config *cfg);

/* nvme-io-cmds.c */
extern const struct cmd_entry io_commands[];
extern const unsigned io_commands_n;

#endif
