// SPDX-License-Identifier: Apache-2.0
#include "common/host-uuid.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/sha256.h"
#include "stas/cleanup.h"

#define MACHINE_ID_FILE	    "/etc/machine-id"
#define PRODUCT_UUID_FILE   "/sys/class/dmi/id/product_uuid"
#define PARTITION_UUID_FILE "/proc/device-tree/ibm,partition-uuid"

static void make_v4(uint8_t b[16])
{
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
}

static int hex_nibble(char c)
{
	return isdigit((unsigned char)c)    ? c - '0'
	       : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10
					    : -1;
}

int host_uuid_from_machine_id(const char *machine_id, char out[STAS_UUID_STR_LEN])
{
	uint8_t id[16], digest[SHA256_DIGEST_LEN];

	for (unsigned i = 0; i < 16; i++) {
		int hi = hex_nibble(machine_id[2 * i]),
		    lo = hi < 0 ? -1 : hex_nibble(machine_id[2 * i + 1]);

		if (lo < 0)
			return -EINVAL;
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	hmac_sha256(HOST_UUID_APP_ID, strlen(HOST_UUID_APP_ID), id, sizeof(id), digest);
	make_v4(digest);
	stas_uuid_format(digest, out);
	return 0;
}

int host_uuid_from_smbios(const char *product_uuid, char out[STAS_UUID_STR_LEN])
{
	static const unsigned order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t le[16], be[16];

	if (stas_uuid_parse(product_uuid, le) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < 16; i++)
		be[i] = le[order[i]];
	stas_uuid_format(be, out);
	return 0;
}

int host_uuid_random(char out[STAS_UUID_STR_LEN])
{
	uint8_t b[16];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return -errno;
	make_v4(b);
	stas_uuid_format(b, out);
	return 0;
}

/* The first @len bytes of @path, NUL-terminated; -ENODATA when it is shorter. */
static int read_head(const char *path, char *buf, size_t len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -errno;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		got += (size_t)n;
	}
	buf[len] = '\0';
	return 0;
}

int host_uuid_derive(const struct host_uuid_files *files, char out[STAS_UUID_STR_LEN],
		     const char **ret_source)
{
	static const struct host_uuid_files std_files;
	const char *path;
	uint8_t b[16];
	char buf[40];
	int r;

	files = files ?: &std_files;
	path = files->machine_id ?: MACHINE_ID_FILE;
	if (read_head(path, buf, 32) == 0 && host_uuid_from_machine_id(buf, out) == 0)
		goto found;
	if (geteuid() != 0)
		return -EACCES;
	path = files->product_uuid ?: PRODUCT_UUID_FILE;
	if (read_head(path, buf, 36) == 0 && host_uuid_from_smbios(buf, out) == 0)
		goto found;
	path = files->partition_uuid ?: PARTITION_UUID_FILE;
	if (read_head(path, buf, 36) == 0 && stas_uuid_parse(buf, b) == 0) {
		stas_uuid_format(b, out);
		goto found;
	}
	path = "random";
	r = host_uuid_random(out);
	if (r < 0)
		return r;
found:
	if (ret_source)
		*ret_source = path;
	return 0;
}
