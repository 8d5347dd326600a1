// SPDX-License-Identifier: Apache-2.0
#include "emu-ctl-client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "stas/cleanup.h"

int emu_ctl_send(const char *path, const char *cmd, char *reply, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (strlen(path) >= sizeof(sa.sun_path) || size < 2)
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || dprintf(fd, "%s\n", cmd) < 0)
		return -errno;
	reply[0] = '\0';
	while (!strstr(reply, "OK\n") && !strstr(reply, "ERR") && len < size - 1 &&
	       (n = read(fd, reply + len, size - 1 - len)) > 0) {
		len += (size_t)n;
		reply[len] = '\0';
	}
	return strstr(reply, "OK\n") ? 0 : -EREMOTEIO;
}
