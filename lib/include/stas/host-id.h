/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host identity (host NQN and host ID), read the way nvme-cli reads it:
 * the first token of /etc/nvme/hostnqn and /etc/nvme/hostid. The same host
 * ID goes on every queue of a controller.
 */
#ifndef STAS_HOST_ID_H
#define STAS_HOST_ID_H

#include <stdint.h>

#include "stas/error.h"
#include "stas/nvme-spec.h"

#define STAS_HOSTNQN_FILE "/etc/nvme/hostnqn"
#define STAS_HOSTID_FILE  "/etc/nvme/hostid"
#define STAS_UUID_STR_LEN 37

struct stas_host {
	char nqn[NVMF_NQN_MAX_LEN + 1];
	uint8_t id[16];
};

/** stas_uuid_parse() - "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" to bytes; -EINVAL otherwise. */
int stas_uuid_parse(const char *s, uint8_t out[16]);
void stas_uuid_format(const uint8_t id[16], char out[STAS_UUID_STR_LEN]);

/**
 * stas_nqn_check() - an NQN is "nqn." followed by at most 219 more bytes
 * of printable ASCII. Return: 0 or -EINVAL with @e saying why.
 */
int stas_nqn_check(const char *nqn, const char *what, struct stas_error *e);

/**
 * stas_nqn_wire_check() - what the Connect command needs of an NQN: 1 to 223
 * bytes of printable ASCII without blanks. The "nqn." prefix is not required:
 * the kernel and nvme-stas accept any such text, and targets use names like
 * "testnqn". Return: 0 or -EINVAL with @e saying why.
 */
int stas_nqn_wire_check(const char *nqn, const char *what, struct stas_error *e);

/**
 * stas_host_load() - read the host NQN and host ID files.
 * @nqn_file/@id_file: NULL for the defaults
 *
 * A missing host ID is taken from a "...:uuid:<uuid>" host NQN. A missing
 * host NQN is made from the host ID.
 *
 * Return: 0; -ENOENT when neither file exists; -EINVAL (with file:line
 * style detail in @e) for malformed content.
 */
int stas_host_load(struct stas_host *h, const char *nqn_file, const char *id_file,
		   struct stas_error *e);

/**
 * stas_host_generate() - a fresh random host ID and the NQN made from it.
 */
int stas_host_generate(struct stas_host *h);

#endif
