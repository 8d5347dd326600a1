/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The UUID of a host NQN as nvme-stas's stasadm derives it, so that the two
 * tools give a machine the same NQN. In order: (1) HMAC-SHA256 keyed with
 * the application ID "$nvmexpress.org$" over the 16 bytes of
 * /etc/machine-id, the first 16 bytes of the digest made a version 4 UUID
 * (the scheme of systemd's sd_id128_get_machine_app_specific(), with key and
 * message the other way round, as nvme-stas has it); (2) the SMBIOS system
 * UUID, /sys/class/dmi/id/product_uuid, its first three fields byte-swapped
 * to network order (SMBIOS 3.0, 7.2.1; only root may read it); (3)
 * /proc/device-tree/ibm,partition-uuid; (4) a random UUID.
 */
#ifndef STAS_DAEMON_HOST_UUID_H
#define STAS_DAEMON_HOST_UUID_H

#include "stas/host-id.h"

#define HOST_UUID_APP_ID "$nvmexpress.org$"

/* Where the sources are read; NULL members mean the standard files. */
struct host_uuid_files {
	const char *machine_id;	    /* /etc/machine-id */
	const char *product_uuid;   /* /sys/class/dmi/id/product_uuid */
	const char *partition_uuid; /* /proc/device-tree/ibm,partition-uuid */
};

/** host_uuid_from_machine_id() - (1) from the 32 hex digits of a machine ID; -EINVAL otherwise. */
int host_uuid_from_machine_id(const char *machine_id, char out[STAS_UUID_STR_LEN]);

/** host_uuid_from_smbios() - (2) from the text of product_uuid; -EINVAL when it is no UUID. */
int host_uuid_from_smbios(const char *product_uuid, char out[STAS_UUID_STR_LEN]);

/** host_uuid_random() - (4) a random version 4 UUID. */
int host_uuid_random(char out[STAS_UUID_STR_LEN]);

/**
 * host_uuid_derive() - the first of the four that works.
 * @ret_source: set to the file used, or "random"
 *
 * Return: 0; -EACCES when the machine ID cannot be used and the caller is
 * not root (nvme-stas refuses then too, rather than invent a random one that
 * root would not get).
 */
int host_uuid_derive(const struct host_uuid_files *files, char out[STAS_UUID_STR_LEN],
		     const char **ret_source);

#endif
