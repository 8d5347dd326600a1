/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal objects of the emulator, shared by its files. Ownership:
 * emu -> subsystems -> namespaces; emu -> ports -> connections, links,
 * referrals; emu -> controllers (each references a port, a subsystem or
 * the discovery service, and the connections of its queues).
 */
#ifndef STAS_EMU_PRIVATE_H
#define STAS_EMU_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "emu.h"
#include "stas/ntcp-pdu.h"
#include "stas/nvme-spec.h"
#include "stas/nvme-status.h"

/* glibc's <sys/queue.h> lacks the BSD one */
#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)                                                 \
	for ((var) = TAILQ_FIRST(head); (var) && ((tvar) = TAILQ_NEXT(var, field), 1);             \
	     (var) = (tvar))
#endif

struct event;
struct evbuffer;
struct bufferevent;

#define EMU_AERL	    3	 /* Identify AERL: 4 outstanding AERs */
#define EMU_MQES	    1023 /* CAP.MQES, 0's based */
#define EMU_ADMIN_ICD_MAX   8192 /* in-capsule bytes on the admin queue */
#define EMU_XFER_MAX	    (64u << 20)
#define EMU_DISC_KATO_MS    120000 /* nvmet's KATO for discovery hosts that ask for none */
#define EMU_MAX_REGISTRANTS 64
#define EMU_AEN_QUEUE	    8
#define EMU_ERROR_SLOTS	    16 /* Error Information log entries (Identify ELPE + 1) */
#define EMU_CHUNK_SHIFT	    20

/* Status with Do Not Retry */
#define DNR(s)			   ((uint16_t)((s) | NVME_STATUS_DNR))
#define NVME_SC_SGL_LEN_INVALID	   NVME_STATUS(0, 0x0f)
#define NVME_SC_SGL_TYPE_INVALID   NVME_STATUS(0, 0x11)
#define NVME_SC_SGL_OFFSET_INVALID NVME_STATUS(0, 0x16)
#define NVME_SC_INTERNAL	   NVME_STATUS(0, 0x06)

struct emu_knobs {
	uint32_t v[EMU__KNOB_MAX];
};

struct emu_fault_slot {
	int32_t arg;
	uint32_t times; /* left; EMU_FAULT_FOREVER */
	uint32_t fired;
	uint32_t count; /* commands seen, for STALL/CLOSE_AFTER */
};

/* ---- Reservations (emu-resv.c) ---- */

struct emu_registrant {
	uint8_t hostid[16];
	uint64_t rkey;
};

struct emu_resv {
	uint32_t gen;
	uint8_t rtype;	    /* 0: no reservation */
	uint8_t holder[16]; /* host ID of the holder (types 1-4) */
	unsigned nreg;
	struct emu_registrant reg[EMU_MAX_REGISTRANTS];
};

/* ---- Subsystems and namespaces ---- */

struct emu_ns {
	TAILQ_ENTRY(emu_ns) link;
	struct emu_subsys *subsys;
	uint32_t nsid;
	uint32_t anagrpid;
	uint8_t lba_shift;
	uint64_t nlb;
	bool null_data;
	uint8_t **chunks; /* 1 MiB pieces, NULL until written */
	size_t nchunks;
	uint8_t nguid[16];
	struct emu_resv resv;
	/* for the SMART log: commands and bytes served since the namespace was added */
	uint64_t host_reads, host_writes; /* Read + Compare; Write + Write Zeroes */
	uint64_t bytes_read, bytes_written;
};

struct emu_subsys {
	TAILQ_ENTRY(emu_subsys) link;
	struct emu *emu;
	char nqn[NVMF_NQN_SIZE];
	char sn[21];
	char mn[41];
	TAILQ_HEAD(, emu_ns) nss;
};

/* ---- Ports ---- */

struct emu_plink {
	TAILQ_ENTRY(emu_plink) link;
	struct emu_subsys *subsys;
};

struct emu_referral {
	TAILQ_ENTRY(emu_referral) link;
	char traddr[64];
	uint16_t trsvcid;
	uint16_t portid;
	uint8_t adrfam;
};

struct emu_conn;

struct emu_port {
	TAILQ_ENTRY(emu_port) link;
	struct emu *emu;
	uint16_t portid;
	char traddr[64];
	uint8_t adrfam;
	uint16_t tcp_port;
	bool any_addr; /* 0.0.0.0 or ::, the log then names the local address */
	int lfd;
	struct event *lev;
	TAILQ_HEAD(, emu_plink) links;
	TAILQ_HEAD(, emu_referral) referrals;
	TAILQ_HEAD(, emu_conn) conns;
	uint8_t ana[EMU_ANAGRPMAX + 1]; /* 0: never set, reads optimized */
	struct emu_knobs knobs;
	struct emu_fault_slot faults[EMU__FAULT_MAX];
};

/* ---- Controllers ---- */

struct emu_ctrl {
	TAILQ_ENTRY(emu_ctrl) link;
	struct emu *emu;
	struct emu_subsys *subsys; /* NULL: discovery controller */
	struct emu_port *port;
	uint16_t cntlid;
	uint8_t hostid[16];
	char hostnqn[NVMF_NQN_SIZE];
	char subnqn[NVMF_NQN_SIZE]; /* as the host asked for it */
	uint16_t max_qid;
	struct emu_conn **sq; /* [0..max_qid], NULL where not connected */
	uint32_t cc, csts;
	uint32_t kato_ms;
	struct event *kato_ev;
	bool kato_frozen; /* a stalled queue: the target is "hung" */
	uint32_t aen_enabled, aen_masked;
	uint16_t aer_cid[EMU_AERL + 1];
	unsigned naer;
	uint32_t aen_queue[EMU_AEN_QUEUE];
	unsigned naen;
	uint32_t changed_ns[NVME_CHANGED_NS_MAX];
	unsigned nchanged;
	bool changed_overflow;
	/* Error Information log: a ring, the newest at errors[(nerrors - 1) % EMU_ERROR_SLOTS] */
	struct nvme_error_log_page_entry errors[EMU_ERROR_SLOTS];
	uint64_t nerrors;
};

/* ---- Connections and commands ---- */

enum conn_state {
	CONN_WAIT_ICREQ,   /* accepted, nothing received */
	CONN_IC_IGNORED,   /* fault: ICReq swallowed, input discarded */
	CONN_WAIT_CONNECT, /* ICResp sent, not bound to a controller */
	CONN_LIVE,	   /* a queue of a controller */
	CONN_STALLED,	   /* fault: neither reads nor answers */
	CONN_CLOSING,	   /* flushing output, then closed */
	CONN_CLOSED,	   /* on the reap list */
};

struct emu_r2t {
	uint16_t ttag;
	uint32_t off, len;
};

struct emu_cmd {
	TAILQ_ENTRY(emu_cmd) link; /* conn->xfers while waiting for H2C data */
	struct emu_conn *conn;
	struct nvme_sqe sqe;
	uint16_t cid;
	uint8_t dir;  /* 0 none, 1 host to controller, 2 controller to host */
	uint32_t len; /* transfer length from the SGL */
	uint8_t *data;
	uint32_t rcvd;	   /* H2C bytes received */
	uint32_t r2t_next; /* offset the next R2T starts at */
	struct emu_r2t r2t[4];
	unsigned nr2t;
	/* set by the command's check step, used by its exec step */
	struct emu_ns *ns;
	uint64_t slba;
	uint32_t nlb;
	/* completion */
	uint16_t status;
	uint32_t dw0, dw1;
	bool parked; /* taken over by an AER; no completion now */
};

struct emu_delayed;

struct emu_conn {
	TAILQ_ENTRY(emu_conn) link; /* port->conns, then emu->dead */
	struct emu *emu;
	struct emu_port *port;
	struct bufferevent *bev;
	enum conn_state state;
	struct ntcp_params p;
	bool ic_done;
	struct emu_ctrl *ctrl;
	uint16_t qid;
	uint16_t sqsize; /* entries, 1's based */
	uint16_t sqhd;
	bool sqfc_off;
	TAILQ_HEAD(, emu_cmd) xfers;
	uint16_t next_ttag;
	uint8_t *rx;
	uint32_t rxcap;
	TAILQ_HEAD(, emu_delayed) delayed;
	struct event *delay_ev;
	struct event *close_ev;
	struct event *hup_ev; /* stalled: notice the host closing */
	char peer[80];
	char local[64]; /* our address on this connection */
};

/* ---- The emulator ---- */

#define EMU_ZEROES_LEN (16u << 20)

struct emu {
	struct event_base *base;
	emu_log_fn log_fn;
	void *log_arg;
	int log_level;
	TAILQ_HEAD(, emu_subsys) subsystems;
	TAILQ_HEAD(, emu_port) ports;
	TAILQ_HEAD(, emu_ctrl) ctrls;
	TAILQ_HEAD(, emu_conn) dead;
	struct event *reap_ev;
	struct emu_knobs defaults;
	uint64_t genctr;
	uint64_t ana_chgcnt;
	uint8_t *zeroes; /* EMU_ZEROES_LEN shared zero bytes: null-data reads go out by reference */
	uint16_t next_cntlid;
	char disc_nqn[NVMF_NQN_SIZE];
	uint64_t mem_used, mem_cap;
	uint64_t start_ns; /* CLOCK_MONOTONIC at emu_new(): the SMART log's power-on time */
};

/* emu.c */
void emu_log(struct emu *emu, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct emu_subsys *emu_subsys_find(struct emu *emu, const char *nqn);
struct emu_ns *emu_ns_find(struct emu_subsys *s, uint32_t nsid);
bool emu_is_disc_nqn(struct emu *emu, const char *nqn);
void emu_disc_changed(struct emu *emu, struct emu_port *port);

/* emu-port.c */
struct emu_port *emu_port_find(struct emu *emu, uint16_t portid);
bool emu_port_has_subsys(struct emu_port *port, struct emu_subsys *s);
uint8_t emu_port_ana(struct emu_port *port, uint32_t grpid);
uint32_t emu_knob(struct emu_port *port, enum emu_knob k);
void emu_port_free(struct emu_port *port);

/* emu-fault.c */
bool emu_fault_take(struct emu_port *port, enum emu_fault f, int32_t *ret_arg);
bool emu_fault_armed(const struct emu_port *port, enum emu_fault f);
bool emu_fault_count(struct emu_port *port, enum emu_fault f, int32_t *ret_arg);

/* emu-conn.c */
int emu_conn_new(struct emu_port *port, int fd);
void emu_conn_close(struct emu_conn *c, bool flush, const char *why);
void emu_conn_reap(struct emu *emu);
void emu_conn_stall(struct emu_conn *c);
void emu_conn_bound(struct emu_conn *c);
void emu_conn_drained(struct emu_conn *c);
void emu_conn_protocol_error(struct emu_conn *c, uint16_t fes, uint32_t fei, const void *hdr,
			     uint32_t hdr_len, const char *what);

/* emu-send.c */
void emu_send_resp(struct emu_conn *c, uint16_t cid, uint16_t status, uint32_t dw0, uint32_t dw1);
void emu_send_c2h(struct emu_conn *c, struct emu_cmd *cmd);
void emu_send_r2t(struct emu_conn *c, struct emu_cmd *cmd, const struct emu_r2t *r2t);
void emu_send_term_req(struct emu_conn *c, uint16_t fes, uint32_t fei, const void *hdr,
		       uint32_t hdr_len);
void emu_send_icresp(struct emu_conn *c);
void emu_send_flush_delayed(struct emu_conn *c);
void emu_send_delay_cb(int fd, short what, void *arg);
void emu_delayed_free_all(struct emu_conn *c);
bool emu_send_idle(struct emu_conn *c);

/* emu-xfer.c */
void emu_xfer_capsule(struct emu_conn *c, const uint8_t *pdu, uint32_t plen);
int emu_xfer_h2c_data(struct emu_conn *c, const uint8_t *pdu, uint32_t plen);
void emu_cmd_complete(struct emu_cmd *cmd);
void emu_ctrl_log_error(struct emu_ctrl *ctrl, const struct emu_cmd *cmd);
void emu_cmd_free(struct emu_cmd *cmd);

/* emu-ctrl.c */
int emu_ctrl_new(struct emu_conn *admin, struct emu_subsys *s, const struct nvmf_connect_data *d,
		 uint32_t kato_ms, struct emu_ctrl **ret);
void emu_ctrl_destroy(struct emu_ctrl *ctrl, const char *why);
void emu_ctrl_queue_gone(struct emu_ctrl *ctrl, uint16_t qid);
void emu_ctrl_traffic(struct emu_ctrl *ctrl);
void emu_ctrl_kato_set(struct emu_ctrl *ctrl, uint32_t kato_ms);
void emu_ctrl_freeze(struct emu_ctrl *ctrl);
uint16_t emu_ctrl_aer(struct emu_ctrl *ctrl, uint16_t cid);
void emu_ctrl_event(struct emu_ctrl *ctrl, unsigned aen_bit, uint8_t info, uint8_t lid);
void emu_ctrl_rearm(struct emu_ctrl *ctrl, unsigned aen_bit);
void emu_ctrl_ns_changed(struct emu_ctrl *ctrl, uint32_t nsid);
bool emu_ctrl_is_disc(const struct emu_ctrl *ctrl);

/* emu-fabrics.c */
void emu_fabrics_exec(struct emu_cmd *cmd);
uint16_t emu_fabrics_check(struct emu_cmd *cmd);

/* emu-admin.c */
uint16_t emu_admin_check(struct emu_cmd *cmd);
void emu_admin_exec(struct emu_cmd *cmd);

/* emu-identify.c */
void emu_identify(struct emu_cmd *cmd);

/* emu-logs.c, emu-disc.c */
void emu_get_log_page(struct emu_cmd *cmd);
int emu_disc_log(struct emu_conn *c, uint8_t **ret, uint32_t *ret_len);

/* emu-io.c */
uint16_t emu_io_check(struct emu_cmd *cmd);
void emu_io_exec(struct emu_cmd *cmd);

/* emu-ns.c */
int emu_ns_new(struct emu_subsys *s, uint32_t nsid, uint64_t size, uint32_t lba_size,
	       uint32_t grpid, unsigned flags, struct emu_ns **ret);
void emu_ns_free(struct emu_ns *ns);
void emu_ns_read(struct emu_ns *ns, uint64_t off, void *buf, uint32_t len);
int emu_ns_write(struct emu_ns *ns, uint64_t off, const void *buf, uint32_t len);
void emu_ns_zero(struct emu_ns *ns, uint64_t off, uint64_t len);
bool emu_ns_compare(struct emu_ns *ns, uint64_t off, const void *buf, uint32_t len);

/* emu-resv.c */
uint16_t emu_resv_check_io(struct emu_ns *ns, const uint8_t hostid[16], bool write);
void emu_resv_exec(struct emu_cmd *cmd);
uint16_t emu_resv_check(struct emu_cmd *cmd);

#endif
