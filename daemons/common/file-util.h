/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole-file reads and atomic whole-file writes: the daemons' state files and
 * stasadm's edits of sys.conf and the host identity files.
 */
#ifndef STAS_DAEMON_FILE_UTIL_H
#define STAS_DAEMON_FILE_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/**
 * file_write_atomic() - replace @path with @len bytes of @data: a temporary
 * file beside it (rename() is only atomic within one file system, and O_EXCL
 * keeps two writers apart), @mode, fsync, rename, fsync of the directory. A
 * reader sees the old file or the new one, never a mix.
 *
 * Return: 0; -errno when the file was not replaced (the temporary file is
 * removed); 1 when it was, but syncing the directory failed.
 */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/**
 * file_replace() - file_write_atomic() for a file a person owns: a symbolic
 * link is followed (the file it names is replaced, the link stays), the old
 * file's mode and owner are kept (@mode_if_new for a new file), and where
 * no file may be created beside it (a read-only directory, a bind-mounted
 * file) it is rewritten in place, as an editor would.
 *
 * Return: as file_write_atomic().
 */
int file_replace(const char *path, const void *data, size_t len, mode_t mode_if_new);

/**
 * file_read_text() - the whole of @path, NUL-terminated (*@ret_len without
 * the NUL; may be NULL). Return: 0; -EFBIG beyond @max bytes; -ENOMEM; -errno.
 */
int file_read_text(const char *path, size_t max, char **ret, size_t *ret_len);

#endif
