// SPDX-License-Identifier: Apache-2.0
#include "common/file-util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stas/cleanup.h"

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sync_dir(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/* @owner: NULL, or the uid/gid the new file must have (when they are not ours). */
static int write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			const struct stat *owner)
{
	_cleanup_free_ char *copy = strdup(path), *tmp = NULL;
	_cleanup_close_ int fd = -1;
	const char *dir, *base;
	int r;

	if (!copy)
		return -ENOMEM;
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	dir = dirname(copy);
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r >= 0 && owner && (owner->st_uid != geteuid() || owner->st_gid != getegid()) &&
	    fchown(fd, owner->st_uid, owner->st_gid) < 0)
		r = -errno;
	if (r >= 0 && (fchmod(fd, mode) < 0 || fsync(fd) < 0))
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	return sync_dir(dir) < 0 ? 1 : 0;
}

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	return write_atomic(path, data, len, mode, NULL);
}

static int write_in_place(const char *path, const void *data, size_t len)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	return r;
}

int file_replace(const char *path, const void *data, size_t len, mode_t mode_if_new)
{
	_cleanup_free_ char *real = realpath(path, NULL);
	const char *target = real ? real : path;
	struct stat st;
	int r;

	if (stat(target, &st) < 0)
		return write_atomic(target, data, len, mode_if_new, NULL);
	r = write_atomic(target, data, len, st.st_mode & 07777, &st);
	/* a writable file in a directory we may not create in (or not chown in): as an editor would
	 */
	if (r == -EACCES || r == -EROFS || r == -EPERM)
		r = write_in_place(target, data, len);
	return r;
}

int file_read_text(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((size_t)st.st_size > max)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}
