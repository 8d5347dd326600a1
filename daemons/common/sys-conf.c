// SPDX-License-Identifier: Apache-2.0
/*
 * sys.conf in two steps: the [Host] keys are read as raw text through the
 * same table-driven parse as the daemon files (conf.c), then each is resolved
 * (literal, file://PATH, or its default file) and validated.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf-private.h"
#include "common/sys-conf.h"

struct raw_item {
	bool set;
	unsigned line;
	char v[PATH_MAX + 8];
};

struct sys_raw {
	struct raw_item nqn, id, key, symname;
};

static int row_raw(struct conf_parse *p, const struct conf_row *row, const char *text, void *field)
{
	struct raw_item *it = field;
	int r = conf_row_string(p, row, text, it->v);

	if (r < 0)
		return r;
	it->set = true;
	it->line = p->pending_line;
	return 0;
}

#define RAW(k, member, ...)                                                                        \
	{                                                                                          \
		.section = "Host", .key = k, .parse = row_raw,                                     \
		.offset = offsetof(struct sys_raw, member),                                        \
		.size = sizeof(((struct sys_raw *)0)->member), .arg = 0, __VA_ARGS__               \
	}

static const struct sys_raw raw_defaults;

static const struct conf_section sys_sections[] = { { "Host", NULL } };

static const struct conf_row sys_rows[] = {
	RAW("nqn", nqn, .dflt = "file://" STAS_HOSTNQN_FILE),
	RAW("id", id, .dflt = "file://" STAS_HOSTID_FILE),
	RAW("key", key, .flags = CONF_ROW_SECRET, .dflt = "file://" SYS_HOSTKEY_FILE),
	RAW("symname", symname, .dflt = "none"),
};

static const struct conf_schema sys_schema = {
	.sections = sys_sections,
	.n_sections = ARRAY_SIZE(sys_sections),
	.rows = sys_rows,
	.n_rows = ARRAY_SIZE(sys_rows),
	.defaults = &raw_defaults,
};

/* The first whitespace-delimited token of the file's first line. */
static int read_token(const char *path, char *buf, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *line = NULL, *tok, *save = NULL;
	size_t cap = 0;
	int r = 0;

	if (!f)
		return -errno;
	if (getline(&line, &cap, f) < 0)
		r = ferror(f) ? -EIO : -ENODATA;
	tok = r ? NULL : strtok_r(line, " \t\r\n\v\f", &save);
	if (!r && !tok)
		r = -ENODATA;
	else if (!r && strlen(tok) >= size)
		r = -ENAMETOOLONG;
	else if (!r)
		strcpy(buf, tok);
	if (line)
		explicit_bzero(line, cap); /* it may be the host key */
	free(line);
	return r;
}

/*
 * One [Host] value: the literal text, or the token of file://PATH, or of the
 * default file when the key is absent. *ret_path names the file used (NULL
 * for a literal); -ENOENT with *ret_path NULL means "absent, no default".
 */
static int resolve(const struct raw_item *it, const char *dflt_file, char *buf, size_t size,
		   const char **ret_path)
{
	*ret_path = NULL;
	if (it->set && strncmp(it->v, "file://", 7)) {
		if (strlen(it->v) >= size)
			return -ENAMETOOLONG;
		strcpy(buf, it->v);
		return 0;
	}
	*ret_path = it->set ? it->v + 7 : dflt_file;
	if (!*ret_path)
		return -ENOENT;
	return read_token(*ret_path, buf, size);
}

/* "host NQN: /etc/nvme/hostnqn: No such file or directory" and friends. */
static void report(struct conf_parse *p, int level, const struct raw_item *it, const char *what,
		   const char *path, int r)
{
	unsigned line = it->set ? it->line : 0;

	if (r == -ENODATA)
		conf_diag(p, level, line, "%s: %s is empty", what, path);
	else if (r == -ENAMETOOLONG)
		conf_diag(p, level, line, "%s%s%s: value too long", what, path ? ": " : "",
			  path ?: "");
	else if (path)
		conf_diag(p, level, line, "%s: %s: %s", what, path, strerror(-r));
	else
		conf_diag(p, level, line, "%s: %s", what, strerror(-r));
}

static void resolve_nqn(struct conf_parse *p, const struct sys_raw *raw,
			const struct sys_conf_files *files, struct sys_conf *sc)
{
	char buf[NVMF_NQN_MAX_LEN + 64];
	struct stas_error err;
	const char *path;
	int r;

	r = resolve(&raw->nqn, files->nqn ?: STAS_HOSTNQN_FILE, buf, sizeof(buf), &path);
	if (r < 0) {
		sc->nqn_error = r == -ENODATA ? -ENOENT : r == -ENAMETOOLONG ? -EINVAL : r;
		report(p, LOG_ERR, &raw->nqn, "host NQN (mandatory; see stasadm)", path, r);
		return;
	}
	if (stas_nqn_check(buf, "host NQN", &err) < 0) {
		sc->nqn_error = -EINVAL;
		conf_diag(p, LOG_ERR, raw->nqn.set ? raw->nqn.line : 0, "%s%s%s", err.msg,
			  path ? " in " : "", path ?: "");
		return;
	}
	strcpy(sc->nqn, buf);
}

static void resolve_id(struct conf_parse *p, const struct sys_raw *raw,
		       const struct sys_conf_files *files, struct sys_conf *sc)
{
	char buf[128];
	const char *path;
	int r;

	r = resolve(&raw->id, files->id ?: STAS_HOSTID_FILE, buf, sizeof(buf), &path);
	if (r < 0) {
		sc->id_error = r == -ENODATA ? -ENOENT : r == -ENAMETOOLONG ? -EINVAL : r;
		report(p, LOG_ERR, &raw->id, "host ID (mandatory; see stasadm)", path, r);
		return;
	}
	if (stas_uuid_parse(buf, sc->id_bytes) < 0) {
		sc->id_error = -EINVAL;
		conf_diag(p, LOG_ERR, raw->id.set ? raw->id.line : 0,
			  "host ID '%.64s'%s%s is not a UUID", buf, path ? " in " : "", path ?: "");
		return;
	}
	strcpy(sc->id, buf);
}

static void resolve_optional(struct conf_parse *p, const struct sys_raw *raw,
			     const struct sys_conf_files *files, struct sys_conf *sc)
{
	const char *path;
	int r;

	r = resolve(&raw->key, files->key ?: SYS_HOSTKEY_FILE, sc->key, sizeof(sc->key), &path);
	/* No key file where none was asked for is the normal case. */
	if (r < 0)
		report(p, raw->key.set ? LOG_WARNING : LOG_DEBUG, &raw->key, "host key", path, r);
	if (r == 0 && strncmp(sc->key, "DHHC-1:", 7)) {
		conf_diag(p, LOG_ERR, raw->key.set ? raw->key.line : 0,
			  "host key%s%s does not start with 'DHHC-1:'; ignored", path ? " in " : "",
			  path ?: "");
		explicit_bzero(sc->key, sizeof(sc->key));
	}
	if (!raw->symname.set)
		return;
	r = resolve(&raw->symname, NULL, sc->symname, sizeof(sc->symname), &path);
	if (r < 0)
		report(p, LOG_WARNING, &raw->symname, "host symbolic name (left undefined)", path,
		       r);
}

static int sys_conf_load(FILE *file, const char *text, const char *name,
			 const struct sys_conf_files *files, struct sys_conf **ret)
{
	static const struct sys_conf_files std_files;
	_cleanup_(sys_conf_freep) struct sys_conf *sc = calloc(1, sizeof(*sc));
	_cleanup_free_ struct sys_raw *raw = calloc(1, sizeof(*raw));
	struct conf_parse p = { 0 };
	int r = 0;

	if (!sc || !raw)
		return -ENOMEM;
	sc->diags.path = strdup(name);
	if (!sc->diags.path)
		return -ENOMEM;
	p.diags = &sc->diags;
	if (file || text)
		r = conf_run(&sys_schema, raw, &sc->diags, file, text);
	else
		conf_diag(&p, LOG_DEBUG, 0, "no such file; using the defaults");
	files = files ?: &std_files;
	if (r >= 0) {
		resolve_nqn(&p, raw, files, sc);
		resolve_id(&p, raw, files, sc);
		resolve_optional(&p, raw, files, sc);
		r = p.error;
	}
	explicit_bzero(&raw->key, sizeof(raw->key));
	if (r < 0)
		return r;
	*ret = TAKE_PTR(sc);
	return 0;
}

int sys_conf_load_string(const char *text, const char *name, const struct sys_conf_files *files,
			 struct sys_conf **ret)
{
	return sys_conf_load(NULL, text, name ?: "<string>", files, ret);
}

int sys_conf_load_file(const char *path, const struct sys_conf_files *files, struct sys_conf **ret)
{
	_cleanup_fclose_ FILE *f = NULL;

	path = path ?: SYS_CONF_FILE;
	f = fopen(path, "re");
	if (!f && errno != ENOENT)
		return -errno;
	return sys_conf_load(f, NULL, path, files, ret);
}

int sys_conf_check(const struct sys_conf *sc)
{
	return sc->nqn_error ?: sc->id_error;
}

struct sys_conf *sys_conf_free(struct sys_conf *sc)
{
	if (!sc)
		return NULL;
	conf_diags_clear(&sc->diags);
	explicit_bzero(sc, sizeof(*sc));
	free(sc);
	return NULL;
}
