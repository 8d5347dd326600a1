// SPDX-License-Identifier: Apache-2.0
/*
 * Scalar value syntaxes. Word lists are tables; a value either matches a row
 * exactly (or case-insensitively where nvme-stas lower-cases) or is refused.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf-value.h"
#include "stas/cleanup.h"

const struct conf_tunable_desc conf_tunable_descs[CONF_N_TUNABLES] = {
	[CONF_HDR_DIGEST] = { "hdr-digest", true, 0, 1, true },
	[CONF_DATA_DIGEST] = { "data-digest", true, 0, 1, true },
	/* Connect carries KATO in milliseconds, 32 bits: 4294967 s is the most it can say. */
	[CONF_KATO] = { "kato", false, 0, 4294967, true },
	/* The kernel refuses reconnect_delay <= 0 and nr_*_queues <= 0. */
	[CONF_RECONNECT_DELAY] = { "reconnect-delay", false, 1, INT_MAX, true },
	/* -1 (any negative, for the kernel) means "reconnect forever". */
	[CONF_CTRL_LOSS_TMO] = { "ctrl-loss-tmo", false, -1, INT_MAX, true },
	[CONF_DISABLE_SQFLOW] = { "disable-sqflow", true, 0, 1, true },
	[CONF_QUEUE_SIZE] = { "queue-size", false, 16, 1024, false },
	[CONF_NR_IO_QUEUES] = { "nr-io-queues", false, 1, INT_MAX, false },
	[CONF_NR_WRITE_QUEUES] = { "nr-write-queues", false, 1, INT_MAX, false },
	[CONF_NR_POLL_QUEUES] = { "nr-poll-queues", false, 1, INT_MAX, false },
};

static const struct {
	const char *name;
	unsigned bits;
} ip_families[] = {
	{ "ipv4", TID_IPV4 },
	{ "ipv6", TID_IPV6 },
	{ "ipv4+ipv6", TID_IPV4 | TID_IPV6 },
	{ "ipv6+ipv4", TID_IPV4 | TID_IPV6 },
};

static const char *const disconnect_scopes[] = {
	[CONF_DISCONNECT_ONLY_STAS] = "only-stas-connections",
	[CONF_DISCONNECT_ALL_MATCHING] = "all-connections-matching-disconnect-trtypes",
	[CONF_DISCONNECT_NONE] = "no-disconnect",
};

static const struct {
	const char *name;
	unsigned bit;
} trtypes[] = {
	{ "tcp", CONF_TRTYPE_TCP },
	{ "rdma", CONF_TRTYPE_RDMA },
	{ "fc", CONF_TRTYPE_FC },
};

static const char *const transports[] = { "tcp", "rdma", "fc", "loop" };

const char *conf_tunable_name(enum conf_tunable t)
{
	return (unsigned)t < CONF_N_TUNABLES ? conf_tunable_descs[t].name : NULL;
}

void conf_tunables_merge(const struct conf_tunables *global, const struct conf_tunables *ctrl,
			 struct conf_tunables *ret)
{
	for (int t = 0; t < CONF_N_TUNABLES; t++)
		ret->v[t] = ctrl && ctrl->v[t].set ? ctrl->v[t] : global->v[t];
}

static int parse_word_pair(const char *s, const char *yes, const char *no, bool *ret)
{
	if (!strcasecmp(s, yes))
		*ret = true;
	else if (!strcasecmp(s, no))
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

int conf_parse_bool(const char *s, bool *ret)
{
	return parse_word_pair(s, "true", "false", ret);
}

int conf_parse_enabled(const char *s, bool *ret)
{
	return parse_word_pair(s, "enabled", "disabled", ret);
}

int conf_parse_int(const char *s, int min, int max, int *ret)
{
	const char *d = s + (*s == '+' || *s == '-');
	char *end;
	long v;

	/* strtol() alone would take leading blanks and "0x"-less junk like "12abc"'s prefix. */
	if (!isdigit((unsigned char)*d))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

int conf_parse_ip_family(const char *s, unsigned *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(ip_families); i++)
		if (!strcmp(s, ip_families[i].name)) {
			*ret = ip_families[i].bits;
			return 0;
		}
	return -EINVAL;
}

int conf_parse_disconnect_scope(const char *s, enum conf_disconnect_scope *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(disconnect_scopes); i++)
		if (!strcmp(s, disconnect_scopes[i])) {
			*ret = (enum conf_disconnect_scope)i;
			return 0;
		}
	return -EINVAL;
}

unsigned conf_trtype_bit(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(trtypes); i++)
		if (strlen(trtypes[i].name) == len && !strncmp(name, trtypes[i].name, len))
			return trtypes[i].bit;
	return 0;
}

bool conf_transport_valid(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(transports); i++)
		if (!strcmp(s, transports[i]))
			return true;
	return false;
}

int conf_parse_tunable(enum conf_tunable t, const char *s, struct conf_opt *ret, char *why,
		       size_t why_size)
{
	const struct conf_tunable_desc *d = &conf_tunable_descs[t];
	bool b;
	int v, r;

	if (d->is_bool) {
		r = conf_parse_bool(s, &b);
		if (r < 0) {
			snprintf(why, why_size, "not a boolean (true or false)");
			return r;
		}
		*ret = (struct conf_opt){ .set = true, .value = b };
		return 0;
	}
	r = conf_parse_int(s, d->min, d->max, &v);
	if (r == -EINVAL)
		snprintf(why, why_size, "not an integer");
	else if (r < 0 && d->max == INT_MAX)
		snprintf(why, why_size, "out of range (at least %d)", d->min);
	else if (r < 0)
		snprintf(why, why_size, "out of range (%d..%d)", d->min, d->max);
	if (r < 0)
		return r;
	*ret = (struct conf_opt){ .set = true, .value = v };
	return 0;
}
