// SPDX-License-Identifier: Apache-2.0
/*
 * What stafd.conf and stacd.conf may contain: sections, rows and defaults
 * (nvme-stas 3.0's default_conf and OPTION_CHECKER, §2.3-2.7 of the
 * reference), and the small adapters between a row and a value syntax.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "common/conf-private.h"
#include "common/conf-value.h"
#include "common/timespan.h"

#define S_GLOBAL "Global"
#define S_SD	 "Service Discovery"
#define S_DCCM	 "Discovery controller connection management"
#define S_IOCCM	 "I/O controller connection management"
#define S_CTRLS	 "Controllers"

#define ROW(sec, k, fn, member, ...)                                                               \
	{                                                                                          \
		.section = sec, .key = k, .parse = fn,                                             \
		.offset = offsetof(struct stas_conf, member),                                      \
		.size = sizeof(((struct stas_conf *)0)->member), __VA_ARGS__                       \
	}
#define TUNABLE(t, k, ...) ROW(S_GLOBAL, k, row_tunable, global.v[t], .arg = t, __VA_ARGS__)
#define NOTE(sec, k, f, text)                                                                      \
	{                                                                                          \
		.section = sec, .key = k, .flags = f, .note = text                                 \
	}

/* ----- row adapters: the row's field type meets a value syntax ----- */

static int row_bool(struct conf_parse *p, const struct conf_row *row, const char *text, void *field)
{
	if (conf_parse_bool(text, field) < 0)
		return conf_why(p, -EINVAL, "not a boolean (true or false)");
	return 0;
}

static int row_enabled(struct conf_parse *p, const struct conf_row *row, const char *text,
		       void *field)
{
	if (conf_parse_enabled(text, field) < 0)
		return conf_why(p, -EINVAL, "expected 'enabled' or 'disabled'");
	return 0;
}

static int row_tunable(struct conf_parse *p, const struct conf_row *row, const char *text,
		       void *field)
{
	return conf_parse_tunable((enum conf_tunable)row->arg, text, field, p->why, sizeof(p->why));
}

/* log-pages-changed: on-change (stas) or every-fetch (what nvme-stas 3.0 does) */
static int row_signal_mode(struct conf_parse *p, const struct conf_row *row, const char *text,
			   void *field)
{
	bool *every = field;

	if (!strcasecmp(text, "on-change"))
		*every = false;
	else if (!strcasecmp(text, "every-fetch"))
		*every = true;
	else
		return conf_why(p, -EINVAL, "expected on-change or every-fetch");
	return 0;
}

static int row_ip_family(struct conf_parse *p, const struct conf_row *row, const char *text,
			 void *field)
{
	if (conf_parse_ip_family(text, field) < 0)
		return conf_why(p, -EINVAL, "expected ipv4, ipv6, ipv4+ipv6 or ipv6+ipv4");
	return 0;
}

static int row_scope(struct conf_parse *p, const struct conf_row *row, const char *text,
		     void *field)
{
	if (conf_parse_disconnect_scope(text, field) < 0)
		return conf_why(p, -EINVAL,
				"expected only-stas-connections, "
				"all-connections-matching-disconnect-trtypes or no-disconnect");
	return 0;
}

/* "tcp+rdma": unknown items are dropped with a warning; none left means the default. */
static int row_trtypes(struct conf_parse *p, const struct conf_row *row, const char *text,
		       void *field)
{
	unsigned bits = 0, bit;

	for (const char *s = text, *end; *s; s = *end ? end + 1 : end) {
		end = strchrnul(s, '+');
		bit = conf_trtype_bit(s, (size_t)(end - s));
		if (!bit)
			conf_diag(p, LOG_WARNING, p->pending_line,
				  "[%s] %s: '%.*s' is not tcp, rdma or fc; dropped", row->section,
				  row->key, (int)(end - s), s);
		bits |= bit;
	}
	if (!bits)
		return conf_why(p, -EINVAL, "no valid transport type left");
	*(unsigned *)field = bits;
	return 0;
}

static int row_ncc(struct conf_parse *p, const struct conf_row *row, const char *text, void *field)
{
	int v, r = conf_parse_int(text, 0, INT_MAX, &v);

	if (r == -EINVAL)
		return conf_why(p, r, "not an integer");
	if (r < 0)
		return conf_why(p, r, "must be 0 (never give up) or at least 2");
	if (v == 1) {
		conf_diag(p, LOG_WARNING, p->pending_line,
			  "[%s] %s = 1: at least 2 attempts are needed; using 2", row->section,
			  row->key);
		v = 2;
	}
	*(int *)field = v;
	return 0;
}

static int row_timespan(struct conf_parse *p, const struct conf_row *row, const char *text,
			void *field)
{
	int64_t sec;
	int r = timespan_parse(text, &sec);

	if (r == -ERANGE)
		return conf_why(p, r, "longer than %d seconds", TIMESPAN_MAX_SEC);
	if (r < 0)
		return conf_why(
			p, r, "not a time span (e.g. 3600, 72hours, 3 days 5 hours, 1:30:00, -1)");
	/* nvme-stas treats every negative value as "never purge". */
	*(int64_t *)field = sec < 0 ? -1 : sec;
	return 0;
}

static int row_controller(struct conf_parse *p, const struct conf_row *row, const char *text,
			  void *field)
{
	return conf_ctrl_parse(p, text, false, field);
}

static int row_exclude(struct conf_parse *p, const struct conf_row *row, const char *text,
		       void *field)
{
	return conf_ctrl_parse(p, text, true, field);
}

int conf_row_string(struct conf_parse *p, const struct conf_row *row, const char *text, void *field)
{
	size_t n = strlen(text);

	if (n >= row->size)
		return conf_why(p, -ENAMETOOLONG, "%zu bytes long, at most %zu accepted", n,
				row->size - 1);
	memcpy(field, text, n + 1);
	return 0;
}

/* ----- notes shared by both tables ----- */

#define N_PERSIST_LEGACY "legacy option, moved to [" S_DCCM "] in nvme-stas 2.1; ignored here"
#define N_UDEV_RULE                                                                                \
	"legacy option, deprecated in nvme-stas 2.1.3 (stafd always overrides nvme-cli's "         \
	"udev autoconnect rule while it runs); ignored"
#define N_STICKY                                                                                   \
	"legacy option, replaced in nvme-stas 2.0 by disconnect-scope and disconnect-trtypes "     \
	"in [" S_IOCCM "]; ignored"
#define N_DUPLICATE "legacy option, no longer used (nvme-stas 2.1); ignored"
#define N_BLACKLIST "legacy option, replaced by exclude= in nvme-stas 2.0; taken as exclude="

/* ----- stafd ----- */

static const struct stas_conf stafd_defaults = {
	.daemon = STAS_STAFD,
	.ip_family = TID_IPV4 | TID_IPV6,
	.pleo = true,
	.global.v[CONF_KATO] = { .set = true, .value = 30 },
	.zeroconf = true,
	.persistent_connections = true,
	.zeroconf_persistence_sec = 72 * 3600,
	.dc_poll_sec = 60,
	.disconnect_trtypes = CONF_TRTYPE_TCP,
};

static const struct conf_section stafd_sections[] = {
	{ S_GLOBAL, NULL },
	{ S_SD, NULL },
	{ S_DCCM, NULL },
	{ S_CTRLS, NULL },
	{ S_IOCCM, "is a stacd section" },
};

#define N_STACD_ONLY "used by stacd only; ignored"

static const struct conf_row stafd_rows[] = {
	ROW(S_GLOBAL, "tron", row_bool, tron, .dflt = "false"),
	TUNABLE(CONF_HDR_DIGEST, "hdr-digest", .dflt = "false"),
	TUNABLE(CONF_DATA_DIGEST, "data-digest", .dflt = "false"),
	TUNABLE(CONF_KATO, "kato", .dflt = "30"),
	TUNABLE(CONF_QUEUE_SIZE, "queue-size", .dflt = "unset"),
	TUNABLE(CONF_RECONNECT_DELAY, "reconnect-delay", .dflt = "unset"),
	TUNABLE(CONF_CTRL_LOSS_TMO, "ctrl-loss-tmo", .dflt = "unset"),
	TUNABLE(CONF_DISABLE_SQFLOW, "disable-sqflow", .dflt = "unset"),
	ROW(S_GLOBAL, "ignore-iface", row_bool, ignore_iface, .dflt = "false"),
	ROW(S_GLOBAL, "ip-family", row_ip_family, ip_family, .dflt = "ipv4+ipv6"),
	ROW(S_GLOBAL, "pleo", row_enabled, pleo, .dflt = "enabled"),
	NOTE(S_GLOBAL, "nr-io-queues", CONF_ROW_OTHER, N_STACD_ONLY),
	NOTE(S_GLOBAL, "nr-write-queues", CONF_ROW_OTHER, N_STACD_ONLY),
	NOTE(S_GLOBAL, "nr-poll-queues", CONF_ROW_OTHER, N_STACD_ONLY),
	NOTE(S_GLOBAL, "persistent-connections", CONF_ROW_LEGACY, N_PERSIST_LEGACY),
	NOTE(S_GLOBAL, "udev-rule", CONF_ROW_LEGACY, N_UDEV_RULE),
	NOTE(S_GLOBAL, "sticky-connections", CONF_ROW_LEGACY, N_STICKY),
	NOTE(S_GLOBAL, "duplicate-connect", CONF_ROW_LEGACY, N_DUPLICATE),
	ROW(S_SD, "zeroconf", row_enabled, zeroconf, .dflt = "enabled"),
	ROW(S_DCCM, "persistent-connections", row_bool, persistent_connections, .dflt = "true"),
	ROW(S_DCCM, "zeroconf-connections-persistence", row_timespan, zeroconf_persistence_sec,
	    .dflt = "72hours"),
	/* stas additions (nvme-stas has neither) */
	ROW(S_DCCM, "log-pages-changed", row_signal_mode, signal_every_fetch, .dflt = "on-change"),
	ROW(S_DCCM, "poll-interval", row_timespan, dc_poll_sec, .dflt = "60"),
	ROW(S_CTRLS, "controller", row_controller, controllers, .flags = CONF_ROW_MULTI),
	ROW(S_CTRLS, "exclude", row_exclude, excludes, .flags = CONF_ROW_MULTI),
	ROW(S_CTRLS, "blacklist", row_exclude, excludes, .flags = CONF_ROW_MULTI | CONF_ROW_LEGACY,
	    .note = N_BLACKLIST),
};

const struct conf_schema conf_schema_stafd = {
	.daemon = STAS_STAFD,
	.sections = stafd_sections,
	.n_sections = ARRAY_SIZE(stafd_sections),
	.rows = stafd_rows,
	.n_rows = ARRAY_SIZE(stafd_rows),
	.defaults = &stafd_defaults,
};

/* ----- stacd ----- */

static const struct stas_conf stacd_defaults = {
	.daemon = STAS_STACD,
	.ip_family = TID_IPV4 | TID_IPV6,
	.pleo = true,
	.zeroconf = true,
	.persistent_connections = true, /* stacd always keeps its I/O connections */
	.zeroconf_persistence_sec = 72 * 3600,
	.disconnect_scope = CONF_DISCONNECT_ONLY_STAS,
	.disconnect_trtypes = CONF_TRTYPE_TCP,
	.connect_attempts_on_ncc = 0,
};

static const struct conf_section stacd_sections[] = {
	{ S_GLOBAL, NULL },
	{ S_IOCCM, NULL },
	{ S_CTRLS, NULL },
	{ S_SD, "is a stafd section" },
	{ S_DCCM, "is a stafd section" },
};

static const struct conf_row stacd_rows[] = {
	ROW(S_GLOBAL, "tron", row_bool, tron, .dflt = "false"),
	TUNABLE(CONF_HDR_DIGEST, "hdr-digest", .dflt = "false"),
	TUNABLE(CONF_DATA_DIGEST, "data-digest", .dflt = "false"),
	TUNABLE(CONF_KATO, "kato", .dflt = "unset"),
	TUNABLE(CONF_NR_IO_QUEUES, "nr-io-queues", .dflt = "unset"),
	TUNABLE(CONF_NR_WRITE_QUEUES, "nr-write-queues", .dflt = "unset"),
	TUNABLE(CONF_NR_POLL_QUEUES, "nr-poll-queues", .dflt = "unset"),
	TUNABLE(CONF_QUEUE_SIZE, "queue-size", .dflt = "unset"),
	TUNABLE(CONF_RECONNECT_DELAY, "reconnect-delay", .dflt = "unset"),
	TUNABLE(CONF_CTRL_LOSS_TMO, "ctrl-loss-tmo", .dflt = "unset"),
	TUNABLE(CONF_DISABLE_SQFLOW, "disable-sqflow", .dflt = "unset"),
	ROW(S_GLOBAL, "ignore-iface", row_bool, ignore_iface, .dflt = "false"),
	ROW(S_GLOBAL, "ip-family", row_ip_family, ip_family, .dflt = "ipv4+ipv6"),
	NOTE(S_GLOBAL, "pleo", CONF_ROW_OTHER, "used by stafd only; ignored"),
	NOTE(S_GLOBAL, "persistent-connections", CONF_ROW_LEGACY, N_PERSIST_LEGACY),
	NOTE(S_GLOBAL, "udev-rule", CONF_ROW_LEGACY, N_UDEV_RULE),
	NOTE(S_GLOBAL, "sticky-connections", CONF_ROW_LEGACY, N_STICKY),
	NOTE(S_GLOBAL, "duplicate-connect", CONF_ROW_LEGACY, N_DUPLICATE),
	ROW(S_IOCCM, "disconnect-scope", row_scope, disconnect_scope,
	    .dflt = "only-stas-connections"),
	ROW(S_IOCCM, "disconnect-trtypes", row_trtypes, disconnect_trtypes, .dflt = "tcp"),
	ROW(S_IOCCM, "connect-attempts-on-ncc", row_ncc, connect_attempts_on_ncc, .dflt = "0"),
	ROW(S_CTRLS, "controller", row_controller, controllers, .flags = CONF_ROW_MULTI),
	ROW(S_CTRLS, "exclude", row_exclude, excludes, .flags = CONF_ROW_MULTI),
	ROW(S_CTRLS, "blacklist", row_exclude, excludes, .flags = CONF_ROW_MULTI | CONF_ROW_LEGACY,
	    .note = N_BLACKLIST),
};

const struct conf_schema conf_schema_stacd = {
	.daemon = STAS_STACD,
	.sections = stacd_sections,
	.n_sections = ARRAY_SIZE(stacd_sections),
	.rows = stacd_rows,
	.n_rows = ARRAY_SIZE(stacd_rows),
	.defaults = &stacd_defaults,
};
