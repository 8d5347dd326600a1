// SPDX-License-Identifier: Apache-2.0
/*
 * stas-nvme's data commands: read, write, compare, flush, write-zeroes,
 * deallocate, and the reservation commands. Each connects with one I/O
 * queue, checks the namespace geometry first, and names any NVMe status.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nvme-print.h"
#include "stas-nvme.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"

/* Usage, so checked before connecting: exit 2 rather than 1. */
static int check_nsid(const struct opts *o, bool all_ok)
{
	if (!o->nsid) {
		fprintf(stderr, "stas-nvme: --nsid is required\n");
		return 2;
	}
	if (o->nsid == NVME_NSID_ALL && !all_ok) {
		fprintf(stderr,
			"stas-nvme: --nsid 0xffffffff (all) is for flush and get-log only\n");
		return 2;
	}
	return 0;
}

static struct nvme_sync *io_connect(struct nvme_ctrl_config *cfg)
{
	struct nvme_sync *s = NULL;

	cfg->nr_io_queues = 1;
	cfg->io_queue_size = 64;
	if (connect_or_fail(cfg, &s))
		return NULL;
	return s;
}

static int done(struct nvme_sync *s, int r, const struct stas_error *e)
{
	nvme_sync_disconnect(s);
	return r < 0 ? fail("", e) : 0;
}

/* The message names the file; the return keeps errno from before the message. */
static int file_error(const char *name)
{
	int r = -errno;

	fprintf(stderr, "stas-nvme: %s: %s\n", name, strerror(-r));
	return r;
}

/* All of a regular file; of anything else (a pipe, a device) its first @len bytes. */
static int read_all(int fd, const char *name, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return file_error(name);
		if (n == 0) {
			fprintf(stderr, "stas-nvme: %s: %zu bytes, shorter than %zu\n", name, got,
				len);
			return -EIO;
		}
		got += (size_t)n;
	}
	return 0;
}

/*
 * How much to take from --in: --len, or a regular file's size. A pipe has no size to ask
 * for (ftell says -1), so it needs --len; a directory is no data at all.
 * Return: 0, -EINVAL for bad usage (exit 2), another negative errno for the file (exit 1).
 */
static int in_len(const struct opts *o, int fd, size_t *ret_len)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return file_error(o->in);
	if (S_ISDIR(st.st_mode)) {
		fprintf(stderr, "stas-nvme: %s: is a directory\n", o->in);
		return -EISDIR;
	}
	if (o->len) {
		*ret_len = o->len;
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "stas-nvme: %s: not a regular file: give --len BYTES\n", o->in);
		return -EINVAL;
	}
	if (st.st_size <= 0 || st.st_size > 64 << 20) {
		fprintf(stderr, "stas-nvme: %s: %lld bytes, not in 1..%d\n", o->in,
			(long long)st.st_size, 64 << 20);
		return -EFBIG;
	}
	*ret_len = (size_t)st.st_size;
	return 0;
}

static int load_file(const struct opts *o, uint8_t **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = open(o->in, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	if (fd < 0)
		return file_error(o->in);
	r = in_len(o, fd, &len);
	if (r < 0)
		return r;
	buf = malloc(len);
	if (!buf) {
		fprintf(stderr, "stas-nvme: %s: %zu bytes: %s\n", o->in, len, strerror(ENOMEM));
		return -ENOMEM;
	}
	r = read_all(fd, o->in, buf, len);
	if (r < 0)
		return r;
	*ret_buf = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

/* The data for write/compare: --in FILE (its size, or --len bytes of it) or --pattern. */
static int load_data(const struct opts *o, uint8_t **ret_buf, size_t *ret_len)
{
	uint8_t *buf;

	if (o->in)
		return load_file(o, ret_buf, ret_len);
	if (!o->len || o->pattern < 0) {
		fprintf(stderr, "stas-nvme: give --in FILE, or --len BYTES and --pattern BYTE\n");
		return -EINVAL;
	}
	buf = malloc(o->len);
	if (!buf) {
		fprintf(stderr, "stas-nvme: --len %u: %s\n", o->len, strerror(ENOMEM));
		return -ENOMEM;
	}
	memset(buf, o->pattern, o->len);
	*ret_buf = buf;
	*ret_len = o->len;
	return 0;
}

static void print_read_json(const struct opts *o, const uint8_t *buf)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "nsid", json_object_new_uint64(o->nsid));
	json_object_object_add(j, "slba", json_object_new_uint64(o->slba));
	json_object_object_add(j, "len", json_object_new_uint64(o->len));
	json_object_object_add(j, "data", json_hex(buf, o->len));
	json_out(j);
}

static int cmd_read(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	struct stas_error e = { 0 };
	_cleanup_free_ uint8_t *buf = NULL;
	struct nvme_sync *s;
	int r;

	if (!o->len) {
		fprintf(stderr, "stas-nvme: read needs --len BYTES\n");
		return 2;
	}
	r = check_nsid(o, false);
	if (r)
		return r;
	/* before connecting, so that a failure has nothing to shut down */
	buf = malloc(o->len);
	if (!buf) {
		fprintf(stderr, "stas-nvme: --len %u: %s\n", o->len, strerror(ENOMEM));
		return 1;
	}
	s = io_connect(cfg);
	if (!s)
		return 1;
	r = nvme_sync_read(s, o->nsid, o->slba, buf, o->len, &e);
	nvme_sync_disconnect(s);
	if (r < 0)
		return fail("", &e);
	if (o->out) {
		_cleanup_fclose_ FILE *f = fopen(o->out, "we");

		if (!f || fwrite(buf, 1, o->len, f) != o->len) {
			fprintf(stderr, "stas-nvme: %s: %m\n", o->out);
			return 1;
		}
	} else if (o->raw) {
		fwrite(buf, 1, o->len, stdout);
	} else if (o->json) {
		print_read_json(o, buf);
	} else {
		print_hex(stdout, buf, o->len);
	}
	return 0;
}

static int write_like(const struct opts *o, struct nvme_ctrl_config *cfg, bool compare)
{
	struct stas_error e = { 0 };
	_cleanup_free_ uint8_t *buf = NULL;
	struct nvme_sync *s;
	size_t len = 0;
	int r;

	r = check_nsid(o, false);
	if (r)
		return r;
	r = load_data(o, &buf, &len);
	if (r < 0)
		return r == -EINVAL ? 2 : 1;
	s = io_connect(cfg);
	if (!s)
		return 1;
	r = compare ? nvme_sync_compare(s, o->nsid, o->slba, buf, len, &e)
		    : nvme_sync_write(s, o->nsid, o->slba, buf, len, &e);
	if (r == 0 && !o->json)
		printf("%s %zu bytes at block %" PRIu64 ": ok\n", compare ? "compared" : "wrote",
		       len, o->slba);
	return done(s, r, &e);
}

static int cmd_write(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	return write_like(o, cfg, false);
}

static int cmd_compare(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	return write_like(o, cfg, true);
}

static int cmd_flush(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	int rc = check_nsid(o, true);

	if (rc)
		return rc;
	s = io_connect(cfg);
	return s ? done(s, nvme_sync_flush(s, o->nsid, &e), &e) : 1;
}

static int cmd_write_zeroes(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	int rc = check_nsid(o, false);

	if (rc)
		return rc;
	s = io_connect(cfg);
	if (!s)
		return 1;
	return done(s, nvme_sync_write_zeroes(s, o->nsid, o->slba, o->blocks, o->deallocate, &e),
		    &e);
}

static int cmd_deallocate(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	int rc = check_nsid(o, false);

	if (rc)
		return rc;
	s = io_connect(cfg);
	return s ? done(s, nvme_sync_deallocate(s, o->nsid, o->slba, o->blocks, &e), &e) : 1;
}

/* ---- reservations -----------------------------------------------------------------------------
 */

static int action(const struct opts *o, const char *const *names, int n, int dflt)
{
	if (!o->action)
		return dflt;
	for (int i = 0; i < n; i++)
		if (!strcmp(o->action, names[i]))
			return i;
	fprintf(stderr, "stas-nvme: --action '%s' is not one of:", o->action);
	for (int i = 0; i < n; i++)
		fprintf(stderr, " %s", names[i]);
	fputc('\n', stderr);
	return -1;
}

static int cmd_resv_register(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	static const char *const names[] = { "register", "unregister", "replace" };
	int a = action(o, names, 3, 0);
	struct stas_error e = { 0 };
	struct nvme_sync *s;

	if (a < 0)
		return 2;
	if (check_nsid(o, false))
		return 2;
	if (!(s = io_connect(cfg)))
		return 1;
	return done(s,
		    nvme_sync_resv_register(s, o->nsid, (uint8_t)a, o->crkey, o->nrkey, o->iekey,
					    (uint8_t)o->ptpl, &e),
		    &e);
}

static int cmd_resv_acquire(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	static const char *const names[] = { "acquire", "preempt", "preempt-abort" };
	int a = action(o, names, 3, 0);
	struct stas_error e = { 0 };
	struct nvme_sync *s;

	if (a < 0 || !o->rtype) {
		fprintf(stderr, "stas-nvme: resv-acquire needs --rtype 1..6\n");
		return 2;
	}
	if (check_nsid(o, false))
		return 2;
	if (!(s = io_connect(cfg)))
		return 1;
	return done(s,
		    nvme_sync_resv_acquire(s, o->nsid, (uint8_t)a, (uint8_t)o->rtype, o->crkey,
					   o->prkey, o->iekey, &e),
		    &e);
}

static int cmd_resv_release(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	static const char *const names[] = { "release", "clear" };
	int a = action(o, names, 2, 0);
	struct stas_error e = { 0 };
	struct nvme_sync *s;

	if (a < 0)
		return 2;
	if (check_nsid(o, false))
		return 2;
	if (!(s = io_connect(cfg)))
		return 1;
	return done(s,
		    nvme_sync_resv_release(s, o->nsid, (uint8_t)a, (uint8_t)o->rtype, o->crkey,
					   o->iekey, &e),
		    &e);
}

static int cmd_resv_report(const struct opts *o, struct nvme_ctrl_config *cfg)
{
	_cleanup_free_ struct nvme_resv_status *st = NULL;
	struct stas_error e = { 0 };
	struct nvme_sync *s;
	char id[STAS_UUID_STR_LEN];
	json_object *j, *regs;
	int r = check_nsid(o, false);

	if (r)
		return r;
	s = io_connect(cfg);
	if (!s)
		return 1;
	r = nvme_sync_resv_report(s, o->nsid, &st, &e);
	nvme_sync_disconnect(s);
	if (r < 0)
		return fail("", &e);
	if (!o->json) {
		printf("generation %u, reservation %s, %u registrant(s)%s\n", st->gen,
		       nvme_resv_type_str(st->rtype), st->regctl, st->ptpls ? ", PTPL" : "");
		for (size_t i = 0; i < st->nr; i++) {
			stas_uuid_format(st->regs[i].hostid, id);
			printf("  cntlid %u hostid %s rkey %#" PRIx64 "%s\n", st->regs[i].cntlid,
			       id, st->regs[i].rkey, st->regs[i].holds ? " (holder)" : "");
		}
		return 0;
	}
	j = json_object_new_object();
	regs = json_object_new_array();
	json_object_object_add(j, "gen", json_object_new_uint64(st->gen));
	json_object_object_add(j, "rtype", json_object_new_string(nvme_resv_type_str(st->rtype)));
	json_object_object_add(j, "ptpls", json_object_new_boolean(st->ptpls));
	for (size_t i = 0; i < st->nr; i++) {
		json_object *r1 = json_object_new_object();

		stas_uuid_format(st->regs[i].hostid, id);
		json_object_object_add(r1, "cntlid", json_object_new_int(st->regs[i].cntlid));
		json_object_object_add(r1, "hostid", json_object_new_string(id));
		json_object_object_add(r1, "rkey", json_object_new_uint64(st->regs[i].rkey));
		json_object_object_add(r1, "holder", json_object_new_boolean(st->regs[i].holds));
		json_object_array_add(regs, r1);
	}
	json_object_object_add(j, "registrants", regs);
	json_out(j);
	return 0;
}

const struct cmd_entry io_commands[] = {
	{ "read", cmd_read, "-n NQN --nsid N --slba B --len BYTES [--out FILE|--raw|--json]" },
	{ "write", cmd_write,
	  "-n NQN --nsid N --slba B (--in FILE [--len BYTES] | --len BYTES --pattern X)" },
	{ "compare", cmd_compare,
	  "-n NQN --nsid N --slba B (--in FILE | --len BYTES --pattern X)" },
	{ "flush", cmd_flush, "-n NQN --nsid N (0xffffffff: all)" },
	{ "write-zeroes", cmd_write_zeroes, "-n NQN --nsid N --slba B --blocks N [--deallocate]" },
	{ "deallocate", cmd_deallocate, "-n NQN --nsid N --slba B --blocks N" },
	{ "resv-register", cmd_resv_register,
	  "-n NQN --nsid N [--action register|unregister|replace] [--crkey K] [--nrkey K] "
	  "[--iekey] [--ptpl on|off]",
	  CMD_STABLE_HOSTID },
	{ "resv-acquire", cmd_resv_acquire,
	  "-n NQN --nsid N --rtype 1..6 [--action acquire|preempt|preempt-abort] --crkey K "
	  "[--prkey K]",
	  CMD_STABLE_HOSTID },
	{ "resv-release", cmd_resv_release,
	  "-n NQN --nsid N [--action release|clear] [--rtype 1..6] --crkey K", CMD_STABLE_HOSTID },
	{ "resv-report", cmd_resv_report, "-n NQN --nsid N", CMD_STABLE_HOSTID },
};

const unsigned io_commands_n = sizeof(io_commands) / sizeof(io_commands[0]);
