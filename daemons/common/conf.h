/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stafd.conf and stacd.conf, compatible with nvme-stas (every section, key,
 * value and default of its classic /etc/stas layout) but parsed on purpose:
 * every problem becomes a diagnostic with file:line, a bad value keeps the
 * default, nothing aborts. The file rules are in doc/daemon-common.md.
 *
 * A load always builds a fresh struct stas_conf, so a reload can parse the new
 * file beside the running configuration, compare the controller lists with
 * conf_ctrls_diff(), and swap.
 */
#ifndef STAS_DAEMON_CONF_H
#define STAS_DAEMON_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tid.h"
#include "stas/cleanup.h"

#define CONF_SECRET_MAX 256  /* a DH-HMAC-CHAP secret "DHHC-1:xx:<base64>:" */
#define CONF_CTRL_MAX	1024 /* controller= (and exclude=) entries kept per file */

enum stas_daemon {
	STAS_STAFD,
	STAS_STACD,
};

/* One thing the parse found worth telling, in file order. */
struct conf_diag {
	int level;     /* LOG_ERR, LOG_WARNING, LOG_NOTICE or LOG_DEBUG */
	unsigned line; /* 1-based; 0 when about the file as a whole */
	char *msg;     /* without the "file:line: " prefix */
};

struct conf_diags {
	char *path; /* the file (or the name given to a string) */
	struct conf_diag *v;
	size_t n;
	unsigned n_errors;
	unsigned n_warnings;
};

/** conf_diags_log() - log each diagnostic as "path:line: msg" at its level. */
void conf_diags_log(const struct conf_diags *d);

/** conf_diags_find() - the first diagnostic whose text contains @needle (tests, tools). */
const struct conf_diag *conf_diags_find(const struct conf_diags *d, const char *needle);

/* Tunables: [Global] values that a controller= entry may override. */
enum conf_tunable {
	CONF_HDR_DIGEST,
	CONF_DATA_DIGEST,
	CONF_KATO,
	CONF_RECONNECT_DELAY,
	CONF_CTRL_LOSS_TMO,
	CONF_DISABLE_SQFLOW,
	CONF_QUEUE_SIZE,
	CONF_NR_IO_QUEUES,
	CONF_NR_WRITE_QUEUES,
	CONF_NR_POLL_QUEUES,
	CONF_N_TUNABLES,
};

/* An optional value: unset means "let the driver decide" (nothing is passed). */
struct conf_opt {
	bool set;
	int value; /* booleans are 0/1 */
};

struct conf_tunables {
	struct conf_opt v[CONF_N_TUNABLES];
};

/** conf_tunable_name() - "hdr-digest", "kato", ...; NULL when out of range. */
const char *conf_tunable_name(enum conf_tunable t);

/**
 * conf_tunables_merge() - per-controller value, else [Global], else unset
 * (nvme-stas's precedence).
 */
void conf_tunables_merge(const struct conf_tunables *global, const struct conf_tunables *ctrl,
			 struct conf_tunables *ret);

/* One controller= or exclude= entry, as written (no defaults applied). */
struct conf_ctrl {
	struct tid tid;
	unsigned fields; /* TID_BIT()s of the fields the entry gave */
	char dhchap_secret[CONF_SECRET_MAX];
	char dhchap_ctrl_secret[CONF_SECRET_MAX];
	struct conf_tunables tun;
	unsigned line; /* where the entry starts in the file */
};

struct conf_ctrl_list {
	struct conf_ctrl *v;
	size_t n;
};

enum conf_disconnect_scope {
	CONF_DISCONNECT_ONLY_STAS,    /* only-stas-connections */
	CONF_DISCONNECT_ALL_MATCHING, /* all-connections-matching-disconnect-trtypes */
	CONF_DISCONNECT_NONE,	      /* no-disconnect */
};

enum conf_trtype {
	CONF_TRTYPE_TCP = 1u << 0,
	CONF_TRTYPE_RDMA = 1u << 1,
	CONF_TRTYPE_FC = 1u << 2,
};

struct stas_conf {
	enum stas_daemon daemon;

	/* [Global] */
	bool tron;
	bool ignore_iface;
	unsigned ip_family; /* TID_IPV4 | TID_IPV6 */
	bool pleo;	    /* stafd */
	struct conf_tunables global;

	/* [Service Discovery] (stafd) */
	bool zeroconf;

	/* [Discovery controller connection management] (stafd) */
	bool persistent_connections;
	int64_t zeroconf_persistence_sec; /* -1: never purge */
	bool signal_every_fetch;	  /* log-pages-changed = every-fetch (nvme-stas 3.0) */
	int64_t dc_poll_sec;		  /* refresh of DCs without the AEN; <= 0: never */

	/* [I/O controller connection management] (stacd) */
	enum conf_disconnect_scope disconnect_scope;
	unsigned disconnect_trtypes; /* enum conf_trtype bits */
	int connect_attempts_on_ncc; /* 0: never give up, else >= 2 */

	/* [Controllers], in file order (blacklist= entries are in excludes) */
	struct conf_ctrl_list controllers;
	struct conf_ctrl_list excludes;

	struct conf_diags diags;
};

/**
 * conf_load_file() - parse @path for @daemon into a new configuration.
 *
 * A file that does not exist gives the defaults and a notice, as in
 * nvme-stas. Problems inside the file are diagnostics in (*ret)->diags.
 *
 * Return: 0; -ENOMEM; or -errno when the file exists but cannot be read
 * (then nothing is returned).
 */
int conf_load_file(enum stas_daemon daemon, const char *path, struct stas_conf **ret);

/**
 * conf_load_string() - the same from text in memory.
 * @name: used for messages in place of a file name
 */
int conf_load_string(enum stas_daemon daemon, const char *text, const char *name,
		     struct stas_conf **ret);

/** conf_free() - free a configuration (secrets are wiped). Accepts NULL; returns NULL. */
struct stas_conf *conf_free(struct stas_conf *c);
DEFINE_CLEANUP_FUNC(struct stas_conf *, conf_free)

/**
 * conf_ctrl_tid() - @e's identity as @c's daemon sees it: the TID with the
 * nvme-stas defaults (trsvcid, the discovery NQN for stafd, ignore-iface)
 * and @host_nqn for an absent host-nqn (NULL: left empty).
 */
void conf_ctrl_tid(const struct stas_conf *c, const struct conf_ctrl *e, const char *host_nqn,
		   struct tid *ret);

/**
 * conf_excluded() - whether some exclude= entry of @c matches @t (a TID with
 * defaults applied, see tid_matches()).
 */
bool conf_excluded(const struct stas_conf *c, const struct tid *t);

enum conf_change {
	CONF_CTRL_ADDED,     /* only in the new configuration */
	CONF_CTRL_REMOVED,   /* only in the old one */
	CONF_CTRL_CHANGED,   /* same identity, other tunables or secrets */
	CONF_CTRL_UNCHANGED, /* same identity, same everything */
};

typedef void (*conf_diff_fn)(enum conf_change what, const struct conf_ctrl *old_entry,
			     const struct conf_ctrl *new_entry, void *userdata);

/**
 * conf_ctrls_diff() - compare the controller= lists of two configurations.
 *
 * Entries are matched by conf_ctrl_tid() identity (without a host NQN), so
 * "traddr=x" and "traddr=x;trsvcid=8009" are the same controller. @fn is
 * called once per entry: first for each entry of @new_conf in order (ADDED,
 * CHANGED or UNCHANGED), then for each REMOVED entry of @old_conf. @old_conf
 * may be NULL (everything is ADDED).
 *
 * Return: the number of ADDED + REMOVED + CHANGED entries.
 */
int conf_ctrls_diff(const struct stas_conf *old_conf, const struct stas_conf *new_conf,
		    conf_diff_fn fn, void *userdata);

#endif
