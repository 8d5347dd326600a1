/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /etc/stas/sys.conf: the host's identity, shared by both daemons.
 *
 *   [Host]
 *   nqn = file:///etc/nvme/hostnqn     (default; or the NQN itself)
 *   id = file:///etc/nvme/hostid       (default; or the UUID itself)
 *   key = file:///etc/nvme/hostkey     (default; optional DH-HMAC-CHAP secret)
 *   symname = <text> or file://PATH    (optional, for TP8010 registration)
 *
 * A file:// value is the first whitespace-delimited token of the file's first
 * line. Unlike nvme-stas, a missing or malformed NQN or ID does not end the
 * program here: it is an error diagnostic and sys_conf_check() says the
 * identity is unusable; the daemon decides.
 */
#ifndef STAS_DAEMON_SYS_CONF_H
#define STAS_DAEMON_SYS_CONF_H

#include <stdint.h>

#include "common/conf.h"
#include "stas/host-id.h"

#define SYS_CONF_FILE	 "/etc/stas/sys.conf"
#define SYS_HOSTKEY_FILE "/etc/nvme/hostkey"
#define SYS_SYMNAME_MAX	 256

struct sys_conf {
	char nqn[NVMF_NQN_MAX_LEN + 1]; /* "" when missing or invalid */
	char id[STAS_UUID_STR_LEN];	/* as written, "" when missing or invalid */
	uint8_t id_bytes[16];
	char key[CONF_SECRET_MAX];     /* "" when none */
	char symname[SYS_SYMNAME_MAX]; /* "" when none */
	int nqn_error; /* why nqn is "": -ENOENT missing or empty, -EINVAL malformed, or -errno */
	int id_error;  /* the same for id */
	struct conf_diags diags;
};

/* Where the defaults of nqn/id/key point; NULL members mean the standard files. */
struct sys_conf_files {
	const char *nqn; /* /etc/nvme/hostnqn */
	const char *id;	 /* /etc/nvme/hostid */
	const char *key; /* /etc/nvme/hostkey */
};

/**
 * sys_conf_load_file() - parse sys.conf and resolve the identity.
 * @path: NULL for SYS_CONF_FILE; a missing sys.conf means "all defaults"
 * @files: NULL for the standard default files
 *
 * Return: 0 with *@ret set (check sys_conf_check() and the diagnostics);
 * -ENOMEM; -errno when sys.conf exists but cannot be read.
 */
int sys_conf_load_file(const char *path, const struct sys_conf_files *files, struct sys_conf **ret);

/** sys_conf_load_string() - the same from text; @name stands for the file in messages. */
int sys_conf_load_string(const char *text, const char *name, const struct sys_conf_files *files,
			 struct sys_conf **ret);

/**
 * sys_conf_check() - whether the host identity can be used.
 *
 * Return: 0 when both the NQN and the ID are present and valid; -ENOENT when
 * one is missing or empty; -EINVAL when one is malformed; another -errno when
 * its file cannot be read (the diagnostics say which and why).
 */
int sys_conf_check(const struct sys_conf *sc);

/** sys_conf_free() - free (the key is wiped). Accepts NULL; returns NULL. */
struct sys_conf *sys_conf_free(struct sys_conf *sc);
DEFINE_CLEANUP_FUNC(struct sys_conf *, sys_conf_free)

#endif
