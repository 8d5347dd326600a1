// SPDX-License-Identifier: Apache-2.0
/*
 * TP8010 explicit registration of this host with a discovery controller.
 * Only DDCs and CDCs take it (DCTYPE), as libnvme decides too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "nvme-ctrl-private.h"
#include "stas/nvme-cmd.h"

#define DIM_BUF_MAX 4096

struct dim_req {
	nvme_cmd_done_fn done;
	void *arg;
	uint8_t buf[DIM_BUF_MAX];
};

bool nvme_ctrl_dim_supported(const struct nvme_ctrl *c)
{
	return c->id.dctype == NVME_DCTYPE_DDC || c->id.dctype == NVME_DCTYPE_CDC;
}

static void dim_done(void *arg, const struct nvme_result *res)
{
	struct dim_req *r = arg;

	if (r->done)
		r->done(r->arg, res);
	free(r);
}

int nvme_ctrl_dim(struct nvme_ctrl *c, uint8_t tas, const char *symname, nvme_cmd_done_fn done,
		  void *arg)
{
	char hostname[256] = "", ever[64];
	const char *local = nvme_ctrl_local_addr(c);
	struct utsname u;
	struct nvmf_dim_info info = {
		.hostnqn = c->hostnqn, .hostid = c->cfg.hostid, .hostname = hostname,
		.os_version = ever, .symname = symname, .trtype = NVMF_TRTYPE_TCP,
		.adrfam = strchr(local, ':') ? NVMF_ADRFAM_IPV6 : NVMF_ADRFAM_IPV4, .traddr = local,
	};
	struct nvme_sqe sqe;
	struct dim_req *r;
	int len, e;

	if (c->state != NVME_CTRL_LIVE)
		return -ENOTCONN;
	if (!nvme_ctrl_dim_supported(c))
		return -EOPNOTSUPP;
	gethostname(hostname, sizeof(hostname) - 1);
	if (uname(&u) == 0)
		snprintf(ever, sizeof(ever), "%.20s %.40s", u.sysname, u.release);
	else
		snprintf(ever, sizeof(ever), "Linux");
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->done = done;
	r->arg = arg;
	len = nvmf_dim_data_build(r->buf, sizeof(r->buf), &info);
	if (len < 0) {
		free(r);
		return len;
	}
	nvme_cmd_dim(&sqe, tas);
	e = nvme_ctrl_admin(c, &sqe, NTCP_DIR_H2C, r->buf, (uint32_t)len, 0, dim_done, r);
	if (e < 0)
		free(r);
	return e;
}
