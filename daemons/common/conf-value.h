/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scalar value syntaxes of the nvme-stas configuration files, as pure
 * functions: text in, value out, -EINVAL (not that kind of value) or -ERANGE
 * (the kind, but outside the allowed range). Matching follows nvme-stas:
 * booleans and enabled/disabled ignore case; ip-family, disconnect-scope and
 * the trtype names are exact.
 */
#ifndef STAS_DAEMON_CONF_VALUE_H
#define STAS_DAEMON_CONF_VALUE_H

#include <stdbool.h>

#include "common/conf.h"

/* How a tunable is written and checked; shared by [Global] and controller=. */
struct conf_tunable_desc {
	const char *name;
	bool is_bool;
	int min, max;	 /* integers */
	bool stafd_uses; /* stafd accepts it in controller= (stacd takes them all) */
};

extern const struct conf_tunable_desc conf_tunable_descs[CONF_N_TUNABLES];

/** conf_parse_bool() - "true" or "false", any case. */
int conf_parse_bool(const char *s, bool *ret);

/** conf_parse_enabled() - "enabled" or "disabled", any case. */
int conf_parse_enabled(const char *s, bool *ret);

/** conf_parse_int() - an optionally signed decimal integer within [@min, @max]. */
int conf_parse_int(const char *s, int min, int max, int *ret);

/** conf_parse_ip_family() - ipv4, ipv6, ipv4+ipv6 or ipv6+ipv4 to TID_IPV4/TID_IPV6 bits. */
int conf_parse_ip_family(const char *s, unsigned *ret);

/** conf_parse_disconnect_scope() - one of the three disconnect-scope words. */
int conf_parse_disconnect_scope(const char *s, enum conf_disconnect_scope *ret);

/** conf_trtype_bit() - "tcp", "rdma" or "fc" to its enum conf_trtype bit, else 0. */
unsigned conf_trtype_bit(const char *name, size_t len);

/** conf_transport_valid() - tcp, rdma, fc or loop (the transports controller= takes). */
bool conf_transport_valid(const char *s);

/**
 * conf_parse_tunable() - a tunable's value (bool or ranged int, per its desc).
 * @why/@why_size: what is wrong, on failure
 */
int conf_parse_tunable(enum conf_tunable t, const char *s, struct conf_opt *ret, char *why,
		       size_t why_size);

#endif
