/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stas-emu: a small NVMe/TCP target (controller side) for tests, benchmarks
 * and the demo. It runs on the caller's libevent loop, serves a discovery
 * service and NVM subsystems with RAM namespaces, ANA groups, referrals,
 * asynchronous events and reservations, and misbehaves on command (see
 * enum emu_fault). doc/emulator.md describes what it does and does not do.
 *
 * Every function returns 0 or a negative errno. Nothing here blocks, calls
 * exit() or writes to stdout; messages go to the optional log callback.
 * Call everything from the thread that runs the event_base, and ignore
 * SIGPIPE in the process (hosts close sockets the emulator writes to).
 */
#ifndef STAS_EMU_H
#define STAS_EMU_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct emu;

/* ---- Lifetime and logging --------------------------------------------------- */

/**
 * emu_new() - an emulator with no ports and no subsystems.
 * @base: the caller's loop; the emulator adds events to it and never runs it
 *
 * Return: 0, or -ENOMEM.
 */
int emu_new(struct event_base *base, struct emu **ret);

/**
 * emu_free() - close every port and connection and free everything.
 * Accepts NULL.
 */
void emu_free(struct emu *emu);

/* syslog-like levels */
enum emu_log_level {
	EMU_LOG_ERR = 3,
	EMU_LOG_WARN = 4,
	EMU_LOG_INFO = 6,
	EMU_LOG_DEBUG = 7,
};

typedef void (*emu_log_fn)(void *arg, int level, const char *msg);

/**
 * emu_set_log() - send messages up to @max_level to @fn (NULL: silence).
 */
void emu_set_log(struct emu *emu, emu_log_fn fn, void *arg, int max_level);

/* ---- Subsystems and namespaces ----------------------------------------------- */

/**
 * emu_add_subsys() - an NVM subsystem that admits any host.
 * @serial/@model: Identify SN (<= 20 chars) and MN (<= 40); NULL for defaults
 *
 * Return: 0, -EEXIST, -EINVAL (bad NQN or text), -ENOMEM.
 */
int emu_add_subsys(struct emu *emu, const char *nqn, const char *serial, const char *model);

/**
 * emu_rm_subsys() - unlink it from every port, tear down its controllers
 * (their connections close) and free it.
 *
 * Return: 0 or -ENOENT.
 */
int emu_rm_subsys(struct emu *emu, const char *nqn);

#define EMU_NS_NULL_DATA 0x1 /* reads return zeroes, writes are discarded */

/**
 * emu_add_ns() - a RAM namespace, allocated in 1 MiB pieces on first write.
 * @size_bytes: a multiple of @lba_size
 * @lba_size: 512 or 4096
 * @ana_grpid: 1..EMU_ANAGRPMAX
 * @flags: EMU_NS_*
 *
 * Controllers of the subsystem get a Namespace Attribute Changed event.
 *
 * Return: 0, -ENOENT (subsystem), -EEXIST (NSID), -EINVAL.
 */
int emu_add_ns(struct emu *emu, const char *nqn, uint32_t nsid, uint64_t size_bytes,
	       uint32_t lba_size, uint32_t ana_grpid, unsigned flags);

/**
 * emu_rm_ns() - remove a namespace (Namespace Attribute Changed event).
 */
int emu_rm_ns(struct emu *emu, const char *nqn, uint32_t nsid);

/**
 * emu_set_mem_cap() - the most bytes all RAM namespaces may hold together
 * (default 1 GiB); a write that would need more fails with Capacity Exceeded.
 */
void emu_set_mem_cap(struct emu *emu, uint64_t bytes);

/* ---- Ports, links, referrals, discovery ------------------------------------------- */

#define EMU_ANAGRPMAX 128

/**
 * emu_add_port() - a TCP port listening on @traddr (numeric IPv4 or IPv6).
 * @tcp_port: 0 picks a free one
 * @ret_port: the port actually bound (may be NULL)
 *
 * Every port answers discovery (the well-known NQN and, when set, the
 * unique discovery NQN) and serves the subsystems linked to it.
 *
 * Return: 0, -EEXIST (portid), -EINVAL (address), or the bind/listen errno.
 */
int emu_add_port(struct emu *emu, uint16_t portid, const char *traddr, uint16_t tcp_port,
		 uint16_t *ret_port);

/**
 * emu_rm_port() - close the listener and every connection of the port.
 */
int emu_rm_port(struct emu *emu, uint16_t portid);

/**
 * emu_port_enable() - @up false: stop listening and drop every connection;
 * true: listen again on the same TCP port.
 */
int emu_port_enable(struct emu *emu, uint16_t portid, bool up);

/**
 * emu_link()/emu_unlink() - expose or hide a subsystem on a port. Both bump
 * the discovery generation counter and send a Discovery Log Page Change
 * event to the port's discovery controllers. Unlinking also tears down the
 * subsystem's controllers that came in through the port.
 *
 * Return: 0, -ENOENT, -EEXIST (already linked).
 */
int emu_link(struct emu *emu, uint16_t portid, const char *nqn);
int emu_unlink(struct emu *emu, uint16_t portid, const char *nqn);

/**
 * emu_add_referral() - a subtype 1 entry in @portid's discovery log that
 * points at another discovery service.
 */
int emu_add_referral(struct emu *emu, uint16_t portid, const char *traddr, uint16_t trsvcid,
		     uint16_t ref_portid);
int emu_rm_referral(struct emu *emu, uint16_t portid, const char *traddr, uint16_t trsvcid);

/**
 * emu_set_disc_nqn() - a unique discovery NQN answered besides the
 * well-known one and listed as the current discovery subsystem; NULL clears.
 */
int emu_set_disc_nqn(struct emu *emu, const char *nqn);

/**
 * emu_set_ana() - ANA state (enum nvme_ana_state) of group @grpid as seen
 * through @portid. Groups never set read optimized. A change bumps the ANA
 * change count and sends an ANA Change event to controllers on that port.
 */
int emu_set_ana(struct emu *emu, uint16_t portid, uint32_t grpid, uint8_t state);

/* ---- Knobs: how an honest target may legitimately differ ------------------------ */

enum emu_knob {
	EMU_KNOB_MAXH2CDATA,   /* ICResp MAXH2CDATA, bytes (default 131072) */
	EMU_KNOB_MDTS,	       /* Identify MDTS, 2^n * 4 KiB, 0 = no limit (default 5) */
	EMU_KNOB_IOCCSZ,       /* Identify IOCCSZ, 16-byte units (default 1028) */
	EMU_KNOB_R2T_CHUNK,    /* bytes per R2T, 0 = one R2T per command (default 0) */
	EMU_KNOB_C2H_CHUNK,    /* bytes per C2HData PDU, 0 = one per command (default 0) */
	EMU_KNOB_KATO_ENFORCE, /* 1: tear down on keep-alive expiry (default 1) */
	EMU_KNOB_MAX_QID,      /* I/O queues per controller (default 128) */
	EMU_KNOB_DCTYPE,       /* Identify DCTYPE of discovery controllers (default 0) */
	EMU__KNOB_MAX
};

#define EMU_ALL_PORTS (-1)

/**
 * emu_set_knob() - set a knob on one port, or with EMU_ALL_PORTS on every
 * port and as the default for ports added later. Values are read when they
 * are used (MAXH2CDATA at ICReq, MDTS/IOCCSZ on every command, ...).
 *
 * Return: 0, -ENOENT, -EINVAL (value out of range).
 */
int emu_set_knob(struct emu *emu, int portid, enum emu_knob knob, uint32_t value);

const char *emu_knob_name(enum emu_knob knob);
int emu_knob_from_name(const char *name, enum emu_knob *ret);

/* ---- Faults: misbehaviour on command ------------------------------------------------ */

enum emu_fault {
	EMU_FAULT_REFUSE,	/* accept, then reset the connection at once */
	EMU_FAULT_DROP,		/* action: close every connection of the port now */
	EMU_FAULT_NO_ICRESP,	/* read the ICReq, never answer */
	EMU_FAULT_STALL_AFTER,	/* arg N: after N more commands stop reading and answering */
	EMU_FAULT_CLOSE_AFTER,	/* arg N: after N more commands close the connection */
	EMU_FAULT_BAD_HDGST,	/* corrupt the header digest of the next PDU that has one */
	EMU_FAULT_BAD_DDGST,	/* corrupt the data digest of the next PDU that has one */
	EMU_FAULT_TERM_REQ,	/* answer the next command with a C2HTermReq (arg FES) */
	EMU_FAULT_UNKNOWN_CID,	/* next CapsuleResp carries a CID nobody sent */
	EMU_FAULT_EXTRA_C2H,	/* next read returns arg (default 4) bytes more than asked */
	EMU_FAULT_BAD_R2T,	/* next R2T reaches past the end of the transfer */
	EMU_FAULT_MALFORMED,	/* next CapsuleResp is malformed: arg enum emu_malformed */
	EMU_FAULT_GENCTR_BUMP,	/* bump GENCTR right after a discovery log header read */
	EMU_FAULT_DISC_RESTART, /* next discovery log read fails with Discover Restart */
	EMU_FAULT_DELAY,	/* hold every PDU sent for arg ms */
	EMU__FAULT_MAX
};

enum emu_malformed {
	EMU_MALFORMED_HLEN = 1, /* HLEN 28 */
	EMU_MALFORMED_PLEN = 2, /* PLEN 40, 16 junk bytes follow */
	EMU_MALFORMED_PDO = 3,	/* PDO 24 on a PDU without data */
	EMU_MALFORMED_TYPE = 4, /* PDU type 0x0b */
};

#define EMU_FAULT_FOREVER UINT32_MAX

/**
 * emu_set_fault() - arm a fault on a port.
 * @arg: the fault's parameter (see enum emu_fault), 0 for the default
 * @times: how often it fires before it disarms itself; EMU_FAULT_FOREVER;
 *	   0 disarms it. EMU_FAULT_DROP acts at once and ignores @times.
 *
 * Return: 0, -ENOENT (port), -EINVAL.
 */
int emu_set_fault(struct emu *emu, uint16_t portid, enum emu_fault fault, int32_t arg,
		  uint32_t times);

/**
 * emu_fault_fired() - how often @fault fired on the port since it was armed.
 */
uint32_t emu_fault_fired(struct emu *emu, uint16_t portid, enum emu_fault fault);

const char *emu_fault_name(enum emu_fault fault);
int emu_fault_from_name(const char *name, enum emu_fault *ret);

/* ---- Introspection (tests, the control socket) ---------------------------------------- */

/**
 * emu_port_conns() - open connections on a port (or -ENOENT).
 */
int emu_port_conns(struct emu *emu, uint16_t portid);

/**
 * emu_ctrl_count() - live controllers (discovery ones included).
 */
int emu_ctrl_count(struct emu *emu);

/**
 * emu_genctr() - the discovery log generation counter.
 */
uint64_t emu_genctr(struct emu *emu);

#endif
