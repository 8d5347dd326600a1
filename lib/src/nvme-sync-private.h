/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: the synchronous wrapper's state, shared by nvme-sync*.c. */
#ifndef STAS_NVME_SYNC_PRIVATE_H
#define STAS_NVME_SYNC_PRIVATE_H

#include "stas/nvme-sync.h"

#define EVENT_RING 64
#define NS_CACHE   64

struct ns_cache {
	bool valid;
	uint32_t nsid;
	struct nvme_ns_id id;
};

struct nvme_sync {
	struct event_base *base;
	struct nvme_ctrl *ctrl;
	bool ready;
	int failed; /* negative errno once the controller is gone */
	char fail_msg[STAS_ERROR_MSG_MAX];
	uint32_t events[EVENT_RING];
	unsigned ev_head, ev_count, ev_dropped;
	struct ns_cache ns[NS_CACHE];
};

/* Run the private loop until *flag or the controller fails. */
int sync_run_until(struct nvme_sync *s, const bool *flag);

static inline struct nvme_ctrl *s_ctrl(struct nvme_sync *s)
{
	return s->ctrl;
}

static inline const char *s_fail_msg(struct nvme_sync *s)
{
	return s->failed ? s->fail_msg : "interrupted";
}

#endif
