/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The controller identity: the 7-tuple nvme-stas calls a TID (transport,
 * traddr, trsvcid, subsysnqn, host-traddr, host-iface, host-nqn). Two
 * controllers are the same controller exactly when all seven fields are
 * equal; tunables (kato, digests, ...) are not part of the identity.
 *
 * Fields are fixed-size strings ("" = absent) so a TID is a plain value:
 * copied by assignment, compared field by field, never allocated.
 */
#ifndef STAS_DAEMON_TID_H
#define STAS_DAEMON_TID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stas/nvme-spec.h"

#define TID_DISC_PORT "8009" /* tcp default when trsvcid is absent (also for stacd) */
#define TID_RDMA_PORT "4420"
#define TID_STR_MAX   1024 /* enough for tid_to_string() of any TID */

enum tid_field {
	TID_TRANSPORT,
	TID_TRADDR,
	TID_TRSVCID,
	TID_SUBSYSNQN,
	TID_HOST_TRADDR,
	TID_HOST_IFACE,
	TID_HOST_NQN,
	TID_N_FIELDS,
};

#define TID_BIT(f) (1u << (f))

struct tid {
	char transport[8]; /* tcp, rdma, fc, loop */
	char traddr[256];  /* IP literal, host name, or FC nn-0x..:pn-0x.. */
	char trsvcid[32];  /* port; "" for fc and loop */
	char subsysnqn[NVMF_NQN_MAX_LEN + 1];
	char host_traddr[256];
	char host_iface[16]; /* IFNAMSIZ */
	char host_nqn[NVMF_NQN_MAX_LEN + 1];
};

/* IP families, as a bit set (the ip-family option). */
enum tid_family {
	TID_IPV4 = 1u << 0,
	TID_IPV6 = 1u << 1,
};

/* What the ip-family filter says about one TID. */
enum tid_family_verdict {
	TID_FAMILY_OK,	     /* an IP literal of an enabled family, or not an IP transport */
	TID_FAMILY_DISABLED, /* an IP literal of a disabled family: drop it */
	TID_FAMILY_HOSTNAME, /* not an IP literal: the daemon resolves it first */
};

struct tid_defaults {
	bool discovery;	      /* stafd: an absent subsysnqn becomes the discovery NQN */
	bool ignore_iface;    /* [Global] ignore-iface: host-iface is blanked */
	const char *host_nqn; /* sys.conf NQN for an absent host-nqn; NULL leaves it empty */
};

/** tid_field_name() - "transport", "traddr", ..., "host-nqn"; NULL when out of range. */
const char *tid_field_name(enum tid_field f);

/** tid_get() - the field's current value ("" when absent). */
const char *tid_get(const struct tid *t, enum tid_field f);

/**
 * tid_set() - copy @value into a field.
 *
 * Return: 0; -ENAMETOOLONG when it does not fit (the field is then unchanged).
 */
int tid_set(struct tid *t, enum tid_field f, const char *value);

/** tid_field_size() - the field's capacity including the terminating NUL. */
size_t tid_field_size(enum tid_field f);

/**
 * tid_apply_defaults() - fill what nvme-stas fills in: trsvcid 8009 (tcp) or
 * 4420 (rdma) when absent and cleared for fc/loop, the discovery NQN for a
 * discovery controller without subsysnqn, the host NQN, and host-iface
 * blanked when ignore-iface is set.
 */
void tid_apply_defaults(struct tid *t, const struct tid_defaults *d);

/** tid_equal() - all seven fields equal (exact string compare). */
bool tid_equal(const struct tid *a, const struct tid *b);

/**
 * tid_hash() - 64-bit FNV-1a over the seven fields, each followed by a NUL.
 * Stable across runs and machines, so it can key persisted state.
 */
uint64_t tid_hash(const struct tid *t);

/**
 * tid_to_string() - nvme-stas's printable form,
 * "(tcp, 192.168.1.10, 8009, nqn..., enp0s8, 10.0.0.1)": transport, traddr,
 * trsvcid, subsysnqn, host-iface, host-traddr, empty ones left out. Like
 * nvme-stas it does not print host-nqn.
 *
 * Return: @buf.
 */
char *tid_to_string(const struct tid *t, char *buf, size_t size);

/**
 * tid_matches() - exclude= minimal matching: every field named in @fields
 * (TID_BIT() set) has in @pattern exactly the value it has in @t. Apply the
 * defaults to @t first, as nvme-stas compares against the completed TID.
 * An empty @fields matches nothing (nvme-stas would match everything).
 */
bool tid_matches(const struct tid *pattern, unsigned fields, const struct tid *t);

/**
 * tid_family_check() - the ip-family filter for @t's traddr.
 * @families: TID_IPV4 | TID_IPV6 bits enabled
 *
 * Only tcp and rdma carry IP addresses. An IPv6 literal may carry a zone
 * ("fe80::1%eth0"). IPv4-mapped IPv6 addresses count as IPv6.
 */
enum tid_family_verdict tid_family_check(const struct tid *t, unsigned families);

/** tid_ip_family() - TID_IPV4 or TID_IPV6 for an IP literal, 0 otherwise. */
unsigned tid_ip_family(const char *addr);

#endif
