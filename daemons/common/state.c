// SPDX-License-Identifier: Apache-2.0
/*
 * JSON state files, written atomically through file_write_atomic().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/conf-value.h"
#include "common/file-util.h"
#include "common/log.h"
#include "common/state.h"
#include "common/tid.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"
#include "stas/nvme-decode.h"

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

int state_save(const char *dir, const char *name, struct json_object *obj)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	const char *json;
	int r;

	json = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (asprintf(&path, "%s/%s", dir, name) < 0 || !json || asprintf(&text, "%s\n", json) < 0)
		return log_warning_errno(-ENOMEM, "state %s/%s: cannot save", dir, name);
	r = file_write_atomic(path, text, strlen(text), 0644);
	if (r < 0)
		return log_warning_errno(r, "state %s: cannot save", path);
	if (r > 0) /* the rename happened; only its durability is in doubt */
		log_warning("state %s: saved, but syncing %s failed", path, dir);
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
	r = file_read_text(path, STATE_FILE_MAX, &text, &len);
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

/*
 * What every path into a TID makes sure of, for a TID read back: the fields as
 * text the wire could carry, a transport controller= takes, an address, and
 * NQNs the Connect command takes (host-nqn may be empty: the host's is used).
 */
int state_tid_from_json(json_object *o, struct tid *t, struct stas_error *e)
{
	char v[sizeof(*t)];
	int r;

	memset(t, 0, sizeof(*t));
	if (!json_object_is_type(o, json_type_object))
		return stas_error_set(e, -EINVAL, "tid: not an object");
	for (int f = 0; f < TID_N_FIELDS; f++) {
		r = state_json_str(o, tid_field_name(f), v, tid_field_size(f), e);
		if (r < 0)
			return r;
		tid_set(t, f, v); /* it fits: checked against the field's size */
	}
	if (!conf_transport_valid(t->transport))
		return stas_error_set(e, -EINVAL, "transport: '%s' is not tcp, rdma, fc or loop",
				      t->transport);
	if (!t->traddr[0])
		return stas_error_set(e, -EINVAL, "traddr: empty");
	r = stas_nqn_wire_check(t->subsysnqn, tid_field_name(TID_SUBSYSNQN), e);
	if (r < 0)
		return r;
	if (t->host_nqn[0])
		return stas_nqn_wire_check(t->host_nqn, tid_field_name(TID_HOST_NQN), e);
	return 0;
}

int state_json_int(json_object *o, const char *k, int max, struct stas_error *e)
{
	json_object *v;
	int64_t i;

	if (!json_object_object_get_ex(o, k, &v))
		return stas_error_set(e, -EINVAL, "%s: missing", k);
	if (!json_object_is_type(v, json_type_int))
		return stas_error_set(e, -EINVAL, "%s: not an integer", k);
	i = json_object_get_int64(v);
	if (i < 0 || i > max)
		return stas_error_set(e, -EINVAL, "%s: %lld is not in 0..%d", k, (long long)i, max);
	return (int)i;
}

/* Text as the wire could carry it: printable ASCII, so an sd-bus reply takes it too. */
int state_json_str(json_object *o, const char *k, char *dst, size_t size, struct stas_error *e)
{
	json_object *v;
	const char *str;
	size_t len;
	int r;

	if (!json_object_object_get_ex(o, k, &v))
		return stas_error_set(e, -EINVAL, "%s: missing", k);
	if (!json_object_is_type(v, json_type_string))
		return stas_error_set(e, -EINVAL, "%s: not a string", k);
	str = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v); /* past a NUL inside, which is refused */
	r = nvme_text_check(str, len, size, k, e);
	if (r < 0)
		return -EINVAL;
	memcpy(dst, str, len);
	dst[len] = '\0';
	return 0;
}
