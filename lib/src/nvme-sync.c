// SPDX-License-Identifier: Apache-2.0
/*
 * Synchronous wrappers: one private event_base per controller, run until
 * the call's completion flag is set or the controller fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "stas/cleanup.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"
#include "nvme-sync-private.h"

/* One call in flight. */
struct waiter {
	bool done;
	struct nvme_result res;
	char msg[STAS_ERROR_MSG_MAX];
	struct nvmf_disc_log *log;
};

static void s_ready(void *arg)
{
	((struct nvme_sync *)arg)->ready = true;
}

static void s_failed(void *arg, int err, const char *msg)
{
	struct nvme_sync *s = arg;

	s->failed = err ? err : -EIO;
	snprintf(s->fail_msg, sizeof(s->fail_msg), "%s", msg ? msg : "controller failed");
}

static void s_aen(void *arg, uint32_t dw0)
{
	struct nvme_sync *s = arg;

	if (s->ev_count == EVENT_RING) {
		s->ev_dropped++;
		return;
	}
	s->events[(s->ev_head + s->ev_count++) % EVENT_RING] = dw0;
}

static const struct nvme_ctrl_ops sync_ops = { s_ready, s_failed, s_aen };

int sync_run_until(struct nvme_sync *s, const bool *flag)
{
	while (!*flag && !s->failed)
		if (event_base_loop(s->base, EVLOOP_ONCE) < 0)
			return -EIO;
	return *flag ? 0 : s->failed;
}

int nvme_sync_connect(const struct nvme_ctrl_config *cfg, struct nvme_sync **ret,
		      struct stas_error *e)
{
	struct nvme_sync *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return stas_error_set(e, -ENOMEM, "out of memory");
	s->base = event_base_new();
	if (!s->base) {
		free(s);
		return stas_error_set(e, -ENOMEM, "cannot create an event loop");
	}
	r = nvme_ctrl_new(s->base, cfg, &sync_ops, s, &s->ctrl, e);
	if (r == 0) {
		r = sync_run_until(s, &s->ready);
		if (r < 0)
			stas_error_set(e, r, "%s", s->fail_msg);
	}
	if (r < 0) {
		nvme_ctrl_free(s->ctrl);
		event_base_free(s->base);
		free(s);
		return r;
	}
	*ret = s;
	return 0;
}

static void shutdown_done(void *arg, int err)
{
	*(bool *)arg = true;
}

void nvme_sync_disconnect(struct nvme_sync *s)
{
	bool done = false;

	if (!s)
		return;
	if (!s->failed && nvme_ctrl_disconnect(s->ctrl, shutdown_done, &done) == 0)
		sync_run_until(s, &done);
	nvme_ctrl_free(s->ctrl);
	event_base_free(s->base);
	free(s);
}

struct nvme_ctrl *nvme_sync_ctrl(struct nvme_sync *s)
{
	return s->ctrl;
}

struct event_base *nvme_sync_base(struct nvme_sync *s)
{
	return s->base;
}

int nvme_sync_controller_info(struct nvme_sync *s, struct nvme_ctrl_info *ret)
{
	ret->cap = nvme_ctrl_cap(s->ctrl);
	ret->vs = nvme_ctrl_vs(s->ctrl);
	ret->cntlid = nvme_ctrl_cntlid(s->ctrl);
	ret->id = *nvme_ctrl_identity(s->ctrl);
	return 0;
}

/* ---- commands ----------------------------------------------------------------------------------
 */

static void cmd_done(void *arg, const struct nvme_result *res)
{
	struct waiter *w = arg;

	w->done = true;
	w->res = *res;
	snprintf(w->msg, sizeof(w->msg), "%s", res->msg ? res->msg : "");
	w->res.msg = w->msg;
}

/* Turn a finished call into the return convention; @what names the command. */
static int finish(struct nvme_sync *s, struct waiter *w, int submitted, const char *what,
		  struct stas_error *e)
{
	int r = submitted;

	if (r == 0)
		r = sync_run_until(s, &w->done);
	if (r < 0 && !w->done)
		return stas_error_set(e, r, "%s: %s", what, s->failed ? s->fail_msg : strerror(-r));
	if (w->res.err)
		return stas_error_set(e, w->res.err, "%s: %s", what, w->msg);
	if (w->res.status) {
		stas_error_set(e, -EREMOTEIO, "%s: %s", what, w->msg);
		if (e)
			e->status = w->res.status;
		return -EREMOTEIO;
	}
	return 0;
}

int nvme_sync_admin(struct nvme_sync *s, const struct nvme_sqe *sqe, enum ntcp_dir dir, void *buf,
		    uint32_t len, uint32_t *ret_dw0, struct stas_error *e)
{
	struct waiter w = { 0 };
	int r;

	r = nvme_ctrl_admin(s->ctrl, sqe, dir, buf, len, 0, cmd_done, &w);
	r = finish(s, &w, r, "admin command", e);
	if (r == 0 && ret_dw0)
		*ret_dw0 = w.res.dw0;
	return r;
}

static int identify(struct nvme_sync *s, uint8_t cns, uint32_t nsid, void *buf, const char *what,
		    struct stas_error *e)
{
	struct waiter w = { 0 };
	struct nvme_sqe sqe;

	nvme_cmd_identify(&sqe, cns, nsid, 0);
	return finish(s, &w,
		      nvme_ctrl_admin(s->ctrl, &sqe, NTCP_DIR_C2H, buf, NVME_IDENTIFY_LEN, 0,
				      cmd_done, &w),
		      what, e);
}

int nvme_sync_identify_ctrl(struct nvme_sync *s, struct nvme_ctrl_id *ret, struct stas_error *e)
{
	uint8_t buf[NVME_IDENTIFY_LEN];
	int r = identify(s, NVME_CNS_CTRL, 0, buf, "Identify Controller", e);

	return r < 0 ? r : nvme_id_ctrl_decode(buf, sizeof(buf), ret, e);
}

int nvme_sync_identify_ns(struct nvme_sync *s, uint32_t nsid, struct nvme_ns_id *ret,
			  struct stas_error *e)
{
	uint8_t buf[NVME_IDENTIFY_LEN];
	int r = identify(s, NVME_CNS_NS, nsid, buf, "Identify Namespace", e);

	return r < 0 ? r : nvme_id_ns_decode(buf, sizeof(buf), ret, e);
}

int nvme_sync_ns_descs(struct nvme_sync *s, uint32_t nsid, struct nvme_ns_descs *ret,
		       struct stas_error *e)
{
	uint8_t buf[NVME_IDENTIFY_LEN];
	int r = identify(s, NVME_CNS_NS_DESC_LIST, nsid, buf,
			 "Identify Namespace Identification Descriptors", e);

	return r < 0 ? r : nvme_ns_descs_decode(buf, sizeof(buf), ret, e);
}

int nvme_sync_list_ns(struct nvme_sync *s, uint32_t **ret, size_t *ret_n, struct stas_error *e)
{
	_cleanup_free_ uint32_t *ids = NULL;
	uint8_t buf[NVME_IDENTIFY_LEN];
	size_t n = 0, got;
	uint32_t after = 0;
	bool more = true;
	int r;

	while (more) {
		uint32_t *grown = realloc(ids, (n + 1024) * sizeof(*ids));

		if (!grown)
			return stas_error_set(e, -ENOMEM, "out of memory");
		ids = grown;
		r = identify(s, NVME_CNS_NS_ACTIVE_LIST, after, buf,
			     "Identify Active Namespace List", e);
		if (r < 0)
			return r;
		r = nvme_ns_list_decode(buf, sizeof(buf), after, ids + n, 1024, &got, &more, e);
		if (r < 0)
			return r;
		n += got;
		if (got)
			after = ids[n - 1];
		if (n > 0xfffff)
			return stas_error_set(e, -EBADMSG, "more than a million namespaces listed");
	}
	*ret = TAKE_PTR(ids);
	*ret_n = n;
	return 0;
}

static int features(struct nvme_sync *s, const struct nvme_sqe *sqe, void *buf, uint32_t len,
		    uint32_t *ret_dw0, const char *what, struct stas_error *e)
{
	struct waiter w = { 0 };
	int r;

	r = finish(s, &w,
		   nvme_ctrl_admin(s->ctrl, sqe, len ? NTCP_DIR_C2H : NTCP_DIR_NONE, buf, len, 0,
				   cmd_done, &w),
		   what, e);
	if (r == 0 && ret_dw0)
		*ret_dw0 = w.res.dw0;
	return r;
}

/*
 * A controller without ONCS bit 4 may ignore SEL and SV rather than refuse them (nvmet 6.1
 * answers SEL 3 with the current value): only the current value is asked of it.
 */
static bool save_select(struct nvme_sync *s)
{
	return nvme_ctrl_identity(s->ctrl)->oncs & NVME_ONCS_SAVE_SELECT;
}

int nvme_sync_get_features(struct nvme_sync *s, uint8_t fid, uint32_t nsid, uint8_t sel,
			   uint32_t cdw11, uint32_t *ret_dw0, struct stas_error *e)
{
	return nvme_sync_get_features_data(s, fid, nsid, sel, cdw11, NULL, 0, ret_dw0, e);
}

int nvme_sync_get_features_data(struct nvme_sync *s, uint8_t fid, uint32_t nsid, uint8_t sel,
				uint32_t cdw11, void *buf, uint32_t len, uint32_t *ret_dw0,
				struct stas_error *e)
{
	struct nvme_sqe sqe;

	if (sel && !save_select(s))
		return stas_error_set(e, -EOPNOTSUPP,
				      "Get Features: the controller takes no SEL but current "
				      "(Identify ONCS bit 4 is clear); not sent");
	nvme_cmd_get_features(&sqe, fid, nsid, sel, cdw11);
	return features(s, &sqe, buf, len, ret_dw0, "Get Features", e);
}

int nvme_sync_set_features(struct nvme_sync *s, uint8_t fid, uint32_t nsid, uint32_t cdw11,
			   bool save, uint32_t *ret_dw0, struct stas_error *e)
{
	struct nvme_sqe sqe;

	if (save && !save_select(s))
		return stas_error_set(
			e, -EOPNOTSUPP,
			"Set Features: the controller saves no feature (Identify ONCS "
			"bit 4 is clear); not sent");
	nvme_cmd_set_features(&sqe, fid, nsid, cdw11, save);
	return features(s, &sqe, NULL, 0, ret_dw0, "Set Features", e);
}

int nvme_sync_get_log(struct nvme_sync *s, uint8_t lid, uint32_t nsid, uint8_t lsp, bool rae,
		      uint64_t offset, void *buf, uint32_t len, struct stas_error *e)
{
	struct waiter w = { 0 };
	int r;

	if (!len || len % 4 || offset % 4)
		return stas_error_set(
			e, -EINVAL,
			"Get Log Page: length %u and offset %llu must be multiples of 4", len,
			(unsigned long long)offset);
	r = nvme_ctrl_get_log(s->ctrl, lid, nsid, lsp, rae, offset, buf, len, cmd_done, &w);
	return finish(s, &w, r, "Get Log Page", e);
}

int nvme_sync_get_ana_log(struct nvme_sync *s, bool groups_only, struct nvme_ana_log **ret,
			  struct stas_error *e)
{
	const struct nvme_ctrl_id *id = nvme_ctrl_identity(s->ctrl);
	size_t len = (nvme_ana_log_max_len(id, groups_only) + 3) & ~(size_t)3;
	_cleanup_free_ uint8_t *buf = NULL;
	int r;

	if (!(id->cmic & 0x8) && !id->anacap)
		return stas_error_set(e, -EOPNOTSUPP, "the controller does not report ANA");
	if (len > (64u << 20))
		return stas_error_set(e, -EBADMSG, "ANA log of %zu bytes: NANAGRPID/NN too large",
				      len);
	buf = calloc(1, len);
	if (!buf)
		return stas_error_set(e, -ENOMEM, "out of memory");
	r = nvme_sync_get_log(s, NVME_LOG_ANA, 0, groups_only ? 1 : 0, false, 0, buf, (uint32_t)len,
			      e);
	if (r < 0)
		return r;
	return nvme_ana_log_decode(buf, len, groups_only, ret, e);
}

int nvme_sync_get_changed_ns(struct nvme_sync *s, uint32_t *ret, size_t max, size_t *ret_n,
			     bool *ret_overflow, struct stas_error *e)
{
	uint8_t buf[NVME_CHANGED_NS_MAX * 4];
	int r = nvme_sync_get_log(s, NVME_LOG_CHANGED_NS, 0, 0, false, 0, buf, sizeof(buf), e);

	if (r < 0)
		return r;
	return nvme_changed_ns_decode(buf, sizeof(buf), ret, max, ret_n, ret_overflow, e);
}

int nvme_sync_get_error_log(struct nvme_sync *s, struct nvme_error_log_entry **ret, size_t *ret_n,
			    struct stas_error *e)
{
	size_t n = (size_t)nvme_ctrl_identity(s->ctrl)->elpe + 1;
	_cleanup_free_ uint8_t *buf = malloc(n * NVME_ERROR_LOG_ENTRY_LEN);
	_cleanup_free_ struct nvme_error_log_entry *v = calloc(n, sizeof(*v));
	int r;

	*ret = NULL;
	*ret_n = 0;
	if (!buf || !v)
		return stas_error_set(e, -ENOMEM, "error log: out of memory");
	r = nvme_sync_get_log(s, NVME_LOG_ERROR, NVME_NSID_ALL, 0, false, 0, buf,
			      (uint32_t)(n * NVME_ERROR_LOG_ENTRY_LEN), e);
	if (r >= 0)
		r = nvme_error_log_decode(buf, n * NVME_ERROR_LOG_ENTRY_LEN, v, n, ret_n, e);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}

int nvme_sync_get_smart_log(struct nvme_sync *s, uint32_t nsid, struct nvme_smart_log *ret,
			    struct stas_error *e)
{
	const struct nvme_ctrl_id *id = nvme_ctrl_identity(s->ctrl);
	uint8_t buf[NVME_SMART_LOG_LEN];
	int r;

	/* NSID 0 means the controller too since NVMe 2.0; older controllers refuse it */
	if (nsid != NVME_NSID_ALL && nsid && !(id->lpa & NVME_LPA_SMART_PER_NS))
		return stas_error_set(
			e, -EOPNOTSUPP,
			"the controller keeps no SMART log per namespace (LPA bit 0)");
	/* RAE clear, as nvme-cli reads it: reading the log re-arms SMART/Health events */
	r = nvme_sync_get_log(s, NVME_LOG_SMART, nsid, 0, false, 0, buf, sizeof(buf), e);
	if (r < 0)
		return r;
	return nvme_smart_log_decode(buf, sizeof(buf), ret, e);
}

static void disc_done(void *arg, int err, const char *msg, struct nvmf_disc_log *log)
{
	struct waiter *w = arg;

	w->done = true;
	w->res.err = err;
	snprintf(w->msg, sizeof(w->msg), "%s", msg ? msg : "");
	w->log = log;
}

int nvme_sync_get_discovery_log(struct nvme_sync *s, struct nvmf_disc_log **ret,
				struct stas_error *e)
{
	struct waiter w = { 0 };
	int r;

	r = nvme_ctrl_get_discovery_log(s->ctrl, 0, disc_done, &w);
	r = finish(s, &w, r, "discovery log", e);
	if (r < 0) {
		free(w.log);
		return r;
	}
	*ret = w.log;
	return 0;
}

int nvme_sync_keep_alive(struct nvme_sync *s, struct stas_error *e)
{
	struct nvme_sqe sqe;

	nvme_cmd_keep_alive(&sqe);
	return features(s, &sqe, NULL, 0, NULL, "Keep Alive", e);
}

int nvme_sync_dim(struct nvme_sync *s, uint8_t tas, const char *symname, struct stas_error *e)
{
	struct waiter w = { 0 };
	int r = nvme_ctrl_dim(s->ctrl, tas, symname, cmd_done, &w);

	if (r == -EOPNOTSUPP)
		return stas_error_set(e, r,
				      "%s does not take explicit registrations (DCTYPE %u: neither "
				      "a direct nor a central discovery controller)",
				      nvme_ctrl_subsysnqn(s->ctrl),
				      nvme_ctrl_identity(s->ctrl)->dctype);
	return finish(s, &w, r, tas == NVMF_DIM_TAS_DEREGISTER ? "deregistration" : "registration",
		      e);
}

static void wait_timeout(evutil_socket_t fd, short what, void *arg)
{
	*(bool *)arg = true;
}

int nvme_sync_wait_event(struct nvme_sync *s, uint32_t timeout_ms, uint32_t *ret_dw0,
			 struct stas_error *e)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	bool expired = false;
	struct event *t;

	if (!s->ev_count && !s->failed) {
		t = evtimer_new(s->base, wait_timeout, &expired);
		if (!t)
			return stas_error_set(e, -ENOMEM, "out of memory");
		evtimer_add(t, &tv);
		while (!s->ev_count && !expired && !s->failed)
			event_base_loop(s->base, EVLOOP_ONCE);
		event_free(t);
	}
	if (s->ev_count) {
		*ret_dw0 = s->events[s->ev_head];
		s->ev_head = (s->ev_head + 1) % EVENT_RING;
		s->ev_count--;
		return 0;
	}
	if (s->failed)
		return stas_error_set(e, s->failed, "%s", s->fail_msg);
	return stas_error_set(e, -ETIMEDOUT, "no asynchronous event within %u ms", timeout_ms);
}
