// SPDX-License-Identifier: Apache-2.0
/*
 * JSON state files. The temporary file is created in the target directory
 * (rename() is only atomic within one file system) with O_EXCL, so two
 * writers can never share it; it is removed on every failure path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/state.h"
#include "common/tid.h"
#include "stas/cleanup.h"

DEFINE_CLEANUP_FUNC(struct json_tokener *, json_tokener_free)

static int mkdir_parents(char *path, mode_t mode)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, mode) < 0 && errno != EEXIST) {
			int r = -errno;

			*s = '/';
			return r;
		}
		*s = '/';
	}
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int state_dir(const char *prog, char **ret)
{
	const char *env = getenv("RUNTIME_DIRECTORY");
	_cleanup_free_ char *dir = NULL;
	int r;

	/* systemd separates several RuntimeDirectory= entries with ':'; ours is the first. */
	if (env && *env && *env != ':')
		dir = strndup(env, strcspn(env, ":"));
	else if (asprintf(&dir, "/run/%s", prog) < 0)
		dir = NULL;
	if (!dir)
		return -ENOMEM;
	r = mkdir_parents(dir, 0755);
	if (r < 0)
		return log_warning_errno(r, "state directory %s: cannot create it", dir);
	*ret = TAKE_PTR(dir);
	return 0;
}

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

int state_save(const char *dir, const char *name, struct json_object *obj)
{
	_cleanup_free_ char *path = NULL, *tmp = NULL;
	_cleanup_close_ int fd = -1;
	const char *text;
	int r;

	if (asprintf(&path, "%s/%s", dir, name) < 0 ||
	    asprintf(&tmp, "%s/.%s.XXXXXX", dir, name) < 0)
		return log_warning_errno(-ENOMEM, "state %s/%s: cannot save", dir, name);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return log_warning_errno(-errno, "state %s: cannot create a temporary file", path);
	text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	r = text ? write_all(fd, text, strlen(text)) : -ENOMEM;
	if (r >= 0)
		r = write_all(fd, "\n", 1);
	if (r >= 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return log_warning_errno(r, "state %s: cannot save", path);
	}
	r = sync_dir(dir);
	if (r < 0) /* the rename happened; only its durability is in doubt */
		log_warning_errno(r, "state %s: saved, but syncing %s failed", path, dir);
	return 0;
}

static int read_text(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size > STATE_FILE_MAX)
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
	*ret_len = len;
	return 0;
}

int state_load(const char *dir, const char *name, struct json_object **ret)
{
	_cleanup_(json_tokener_freep) struct json_tokener *tok = NULL;
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct json_object *obj;
	size_t len = 0, end;
	int r;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	r = read_text(path, &text, &len);
	if (r == -ENOENT || r == -ENOMEM)
		return r;
	if (r == -EFBIG)
		return log_warning_errno(r, "state %s: larger than %d bytes; ignoring it", path,
					 STATE_FILE_MAX);
	if (r < 0) {
		log_warning_errno(r, "state %s: cannot read it; ignoring it", path);
		return -EIO;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	obj = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		log_warning("state %s: not valid JSON (%s, at byte %zu); ignoring it", path,
			    e == json_tokener_continue ? "it ends too early"
						       : json_tokener_error_desc(e),
			    end);
		json_object_put(obj);
		return -EBADMSG;
	}
	if (text[end + strspn(text + end, " \t\r\n")]) {
		log_warning("state %s: unexpected data after the JSON value at byte %zu; "
			    "ignoring it",
			    path, end);
		json_object_put(obj);
		return -EBADMSG;
	}
	*ret = obj;
	return 0;
}

json_object *state_tid_json(const struct tid *t)
{
	json_object *o = json_object_new_object();

	for (int f = 0; f < TID_N_FIELDS; f++)
		json_object_object_add(o, tid_field_name(f), json_object_new_string(tid_get(t, f)));
	return o;
}

int state_tid_from_json(json_object *o, struct tid *t)
{
	memset(t, 0, sizeof(*t));
	for (int f = 0; f < TID_N_FIELDS; f++) {
		json_object *v;

		if (!json_object_object_get_ex(o, tid_field_name(f), &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    tid_set(t, f, json_object_get_string(v)) < 0)
			return -EINVAL;
	}
	return 0;
}

int state_json_int(json_object *o, const char *k, int max)
{
	json_object *v;
	int i;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	i = json_object_get_int(v);
	return i < 0 || i > max ? -1 : i;
}

int state_json_str(json_object *o, const char *k, char *dst, size_t size)
{
	json_object *v;
	const char *str;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return -1;
	str = json_object_get_string(v);
	if (strlen(str) >= size)
		return -1;
	memcpy(dst, str, strlen(str) + 1);
	return 0;
}
