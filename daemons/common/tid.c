// SPDX-License-Identifier: Apache-2.0
/*
 * The TID value type. Every per-field operation goes through one table of
 * (name, offset, size), so adding a field is one row.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/tid.h"
#include "stas/cleanup.h"

static const struct {
	const char *name;
	size_t offset;
	size_t size;
} tid_fields[TID_N_FIELDS] = {
#define FIELD(e, n, m) [e] = { n, offsetof(struct tid, m), sizeof(((struct tid *)0)->m) }
	FIELD(TID_TRANSPORT, "transport", transport),
	FIELD(TID_TRADDR, "traddr", traddr),
	FIELD(TID_TRSVCID, "trsvcid", trsvcid),
	FIELD(TID_SUBSYSNQN, "subsysnqn", subsysnqn),
	FIELD(TID_HOST_TRADDR, "host-traddr", host_traddr),
	FIELD(TID_HOST_IFACE, "host-iface", host_iface),
	FIELD(TID_HOST_NQN, "host-nqn", host_nqn),
#undef FIELD
};

/* The order nvme-stas prints them in (host-nqn is not printed). */
static const enum tid_field print_order[] = {
	TID_TRANSPORT, TID_TRADDR, TID_TRSVCID, TID_SUBSYSNQN, TID_HOST_IFACE, TID_HOST_TRADDR,
};

const char *tid_field_name(enum tid_field f)
{
	return (unsigned)f < TID_N_FIELDS ? tid_fields[f].name : NULL;
}

size_t tid_field_size(enum tid_field f)
{
	return (unsigned)f < TID_N_FIELDS ? tid_fields[f].size : 0;
}

const char *tid_get(const struct tid *t, enum tid_field f)
{
	return (const char *)t + tid_fields[f].offset;
}

int tid_set(struct tid *t, enum tid_field f, const char *value)
{
	size_t n = strlen(value);

	if (n >= tid_fields[f].size)
		return -ENAMETOOLONG;
	memcpy((char *)t + tid_fields[f].offset, value, n + 1);
	return 0;
}

void tid_apply_defaults(struct tid *t, const struct tid_defaults *d)
{
	if (!strcmp(t->transport, "tcp") || !strcmp(t->transport, "rdma")) {
		if (!t->trsvcid[0])
			tid_set(t, TID_TRSVCID,
				!strcmp(t->transport, "tcp") ? TID_DISC_PORT : TID_RDMA_PORT);
	} else {
		/* nvme-stas keeps no port for fc and loop, whatever was configured. */
		t->trsvcid[0] = '\0';
	}
	if (d->discovery && !t->subsysnqn[0])
		tid_set(t, TID_SUBSYSNQN, NVME_DISC_SUBSYS_NQN);
	if (d->host_nqn && !t->host_nqn[0])
		tid_set(t, TID_HOST_NQN, d->host_nqn); /* too long cannot happen: same size */
	if (d->ignore_iface)
		t->host_iface[0] = '\0';
}

bool tid_equal(const struct tid *a, const struct tid *b)
{
	for (int f = 0; f < TID_N_FIELDS; f++)
		if (strcmp(tid_get(a, f), tid_get(b, f)))
			return false;
	return true;
}

uint64_t tid_hash(const struct tid *t)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (int f = 0; f < TID_N_FIELDS; f++) {
		const unsigned char *s = (const unsigned char *)tid_get(t, f);

		/* The NUL is hashed too, so ("ab","c") and ("a","bc") differ. */
		do {
			h ^= *s;
			h *= 0x100000001b3ull;
		} while (*s++);
	}
	return h;
}

char *tid_to_string(const struct tid *t, char *buf, size_t size)
{
	size_t used = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	used += (size_t)snprintf(buf, size, "(");
	for (size_t i = 0; i < ARRAY_SIZE(print_order); i++) {
		const char *v = tid_get(t, print_order[i]);

		if (!v[0] || used >= size)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used > 1 ? ", " : "", v);
	}
	if (used < size)
		snprintf(buf + used, size - used, ")");
	return buf;
}

bool tid_matches(const struct tid *pattern, unsigned fields, const struct tid *t)
{
	if (!fields)
		return false;
	for (int f = 0; f < TID_N_FIELDS; f++)
		if ((fields & TID_BIT(f)) && strcmp(tid_get(pattern, f), tid_get(t, f)))
			return false;
	return true;
}

unsigned tid_ip_family(const char *addr)
{
	unsigned char buf[sizeof(struct in6_addr)];
	char plain[INET6_ADDRSTRLEN];
	const char *zone;

	if (inet_pton(AF_INET, addr, buf) == 1)
		return TID_IPV4;
	/* inet_pton() does not take a zone ("fe80::1%eth0"); check the address part. */
	zone = strchr(addr, '%');
	if (zone) {
		if ((size_t)(zone - addr) >= sizeof(plain) || !zone[1])
			return 0;
		memcpy(plain, addr, (size_t)(zone - addr));
		plain[zone - addr] = '\0';
		addr = plain;
	}
	return inet_pton(AF_INET6, addr, buf) == 1 ? TID_IPV6 : 0;
}

enum tid_family_verdict tid_family_check(const struct tid *t, unsigned families)
{
	unsigned fam;

	if (strcmp(t->transport, "tcp") && strcmp(t->transport, "rdma"))
		return TID_FAMILY_OK;
	fam = tid_ip_family(t->traddr);
	if (!fam)
		return TID_FAMILY_HOSTNAME;
	return (fam & families) ? TID_FAMILY_OK : TID_FAMILY_DISABLED;
}
