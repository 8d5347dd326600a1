/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Last-known state across restarts, as JSON files in the daemon's runtime
 * directory (nvme-stas keeps a Python pickle there; ours is JSON). Writes are
 * atomic: a reader sees the old file or the new one, never a mix. A state
 * file that cannot be read back is reported and treated as absent: losing
 * it costs a re-discovery, never the daemon.
 */
#ifndef STAS_DAEMON_STATE_H
#define STAS_DAEMON_STATE_H

#include <json-c/json.h>

#include "stas/error.h"

#define STATE_FILE     "last-known-config.json"
#define STATE_FILE_MAX (16 * 1024 * 1024) /* larger files are refused when read */

/**
 * state_dir() - the directory for @prog's state: the first entry of
 * $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=), else /run/<prog>;
 * created (0755, parents included) when missing.
 *
 * Return: 0 with *@ret (malloc'ed) set; -ENOMEM; -errno from mkdir (logged
 * with the path).
 */
int state_dir(const char *prog, char **ret);

/**
 * state_save() - write @obj as @dir/@name atomically: a temporary file in
 * @dir, fsync, rename over @name, fsync of @dir.
 *
 * Return: 0, or -errno (logged with the path).
 */
int state_save(const char *dir, const char *name, struct json_object *obj);

/**
 * state_load() - read @dir/@name back.
 *
 * Return: 0 with *@ret set (the caller puts it); -ENOENT when there is no
 * file (not logged); for an unreadable, oversized or corrupt file a warning
 * naming the path and the problem is logged and -EIO, -EFBIG or -EBADMSG
 * returned; the caller starts without state in every error case.
 */
int state_load(const char *dir, const char *name, struct json_object **ret);

/*
 * Reading a state file back, strictly: whatever is in it is checked as text
 * off the wire is, since it goes where such text goes (D-Bus replies, the
 * Connect command). Each function says what is wrong in @e (NULL is fine),
 * naming the key, so the caller can skip the entry with one warning.
 */
struct tid;

/** state_tid_json() - a controller identity as {field name: string}. */
struct json_object *state_tid_json(const struct tid *t);

/**
 * state_tid_from_json() - back from state_tid_json(): every field present, a
 * string, printable ASCII and fitting its field (state_json_str()); the
 * transport one controller= takes; traddr not empty; subsysnqn, and host-nqn
 * when not empty, NQNs the Connect command takes.
 *
 * Return: 0, or -EINVAL (and @t is not to be used).
 */
int state_tid_from_json(struct json_object *o, struct tid *t, struct stas_error *e);

/** state_json_int() - @o[@k] as an integer in 0..@max, or -EINVAL. */
int state_json_int(struct json_object *o, const char *k, int max, struct stas_error *e);

/**
 * state_json_str() - copy @o[@k] into @dst (@size with the NUL) when it is a
 * string that nvme_text_check() accepts: printable ASCII (no NUL, no control
 * character, no byte above 0x7e, so no invalid UTF-8 either) that fits.
 *
 * Return: 0, or -EINVAL with @dst unchanged.
 */
int state_json_str(struct json_object *o, const char *k, char *dst, size_t size,
		   struct stas_error *e);

#endif
