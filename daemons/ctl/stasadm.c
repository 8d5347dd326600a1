// SPDX-License-Identifier: Apache-2.0
/*
 * stasadm: sets the host's identity in sys.conf, with nvme-stas's stasadm
 * commands and options (hostnqn, hostid, set-symname, clear-symname, -f,
 * -c). Where it differs, on purpose: the file is edited, not rewritten, so
 * its comments stay; every write is atomic; a -f path is stored absolute; and
 * the result is read back through the daemons' own sys.conf reader before
 * sys.conf is replaced, so what it writes is what stafd and stacd will use.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/conf-edit.h"
#include "common/file-util.h"
#include "common/host-uuid.h"
#include "common/sys-conf.h"
#include "ctl-opt.h"
#include "stas/cleanup.h"

#define CONF_TEXT_MAX (1024 * 1024)
#define FILE_SCHEME   "file://"

enum { EXIT_USAGE = 2 };

struct job {
	const char *conf;  /* sys.conf */
	const char *key;   /* of [Host] */
	const char *value; /* NULL: remove the key */
	const char *file;  /* -f: the value goes there, sys.conf points to it */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: stasadm [-h] [-v] [-c FILE] "
		   "{hostnqn,hostid,set-symname,clear-symname} ...\n");
}

static void help(void)
{
	usage(stdout);
	printf("\nSet the host's identity in sys.conf, read by stafd and stacd.\n\n"
	       "options:\n"
	       "  -h, --help            show this help and exit\n"
	       "  -v, --version         print the version and exit\n"
	       "  -c, --conf-file FILE  the file to change (default %s)\n\n"
	       "commands:\n"
	       "  hostnqn [-f FILE]              a host NQN derived from this machine's ID\n"
	       "  hostid [-f FILE]               a random host ID\n"
	       "  set-symname [-f FILE] SYMNAME  the host's symbolic name\n"
	       "  clear-symname                  remove the symbolic name\n\n"
	       "With -f FILE the value is written to FILE and sys.conf points to it\n"
	       "(file://FILE). Comments and other keys of sys.conf are kept.\n",
	       SYS_CONF_FILE);
}

static int fail(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int r, const char *fmt, ...)
{
	va_list ap;

	fputs("stasadm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (r)
		fprintf(stderr, ": %s", strerror(-r));
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

/* What the daemons will read as [Host] @key from @text ("" when absent). */
static int read_back(const struct job *j, const char *text, char *out, size_t size)
{
	_cleanup_(sys_conf_freep) struct sys_conf *sc = NULL;
	const char *v;
	int r = sys_conf_load_string(text, j->conf, NULL, &sc);

	if (r < 0)
		return r;
	v = !strcmp(j->key, "nqn") ? sc->nqn : !strcmp(j->key, "id") ? sc->id : sc->symname;
	snprintf(out, size, "%s", v);
	return 0;
}

/* A value that the reader would not give back as written is refused, before anything is written. */
static int check_value(const struct job *j)
{
	_cleanup_free_ char *text = NULL;
	char got[SYS_SYMNAME_MAX + NVMF_NQN_MAX_LEN];
	int r;

	if (!j->value)
		return 0;
	if (strlen(j->value) >= SYS_SYMNAME_MAX)
		return fail(0, "%s: longer than %d bytes", j->key, SYS_SYMNAME_MAX - 1);
	if (j->file && (!*j->value || strpbrk(j->value, " \t")))
		return fail(0,
			    "'%s': a value kept in a file must be one word (the daemons read "
			    "a file's first word); set it without -f",
			    j->value);
	/* a literal file://PATH is a reference, read at start by the daemons */
	if (!j->file && !strncmp(j->value, FILE_SCHEME, strlen(FILE_SCHEME)))
		return 0;
	if (asprintf(&text, "[Host]\n%s = %s\n", j->key, j->value) < 0)
		return fail(-ENOMEM, "%s", j->key);
	r = read_back(j, text, got, sizeof(got));
	if (r < 0)
		return fail(r, "%s", j->key);
	if (strcmp(got, j->value))
		return fail(0,
			    "'%s' would be read back as '%s' (see sys.conf(5): blanks at the ends "
			    "and a '#' after a blank are not kept); nothing written",
			    j->value, got);
	return 0;
}

static int absolute(const char *path, char **ret)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return (*ret = strdup(path)) ? 0 : -ENOMEM;
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	return asprintf(ret, "%s/%s", cwd, path) < 0 ? -ENOMEM : 0;
}

/* -f FILE: the value and a newline, its directory made when it is missing (/etc/nvme). */
static int write_value_file(const char *path, const char *value)
{
	_cleanup_free_ char *dir = strdup(path), *text = NULL;
	char *slash;
	int r;

	if (!dir || asprintf(&text, "%s\n", value) < 0)
		return fail(-ENOMEM, "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash > dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return fail(-errno, "%s", dir);
	}
	r = file_replace(path, text, strlen(text), 0644);
	return r < 0 ? fail(r, "%s", path) : 0;
}

/* The -f file as it was, when what follows it fails: "nothing written" holds. */
static void restore_value_file(const char *path, const char *old)
{
	if (!old)
		unlink(path);
	else if (file_replace(path, old, strlen(old), 0644) < 0)
		fprintf(stderr, "stasadm: %s: could not be put back as it was\n", path);
}

/* sys.conf's new text, read back as the daemons will read it; 0, or the exit status. */
static int check_conf(const struct job *j, const char *conf_value, const char *text)
{
	char got[SYS_SYMNAME_MAX + NVMF_NQN_MAX_LEN];
	int r;

	/* a literal file://PATH symbolic name is a reference: read at start by the daemons */
	if (!j->file && conf_value && !strncmp(conf_value, FILE_SCHEME, strlen(FILE_SCHEME)))
		return 0;
	r = read_back(j, text, got, sizeof(got));
	if (r < 0)
		return fail(r, "%s", j->conf);
	if (strcmp(got, j->value ?: ""))
		return fail(0, "%s: [Host] %s would read as '%s', not '%s'; not changed", j->conf,
			    j->key, got, j->value ?: "");
	return 0;
}

static int run(const struct job *j)
{
	_cleanup_free_ char *old = NULL, *new = NULL, *file = NULL, *ref = NULL, *old_value = NULL;
	const char *conf_value = j->value;
	int r;

	r = check_value(j);
	if (r)
		return r;
	/* nvme-stas's stasadm with an empty -c writes the -f file only */
	if (!*j->conf)
		return j->file ? write_value_file(j->file, j->value) : EXIT_SUCCESS;
	r = file_read_text(j->conf, CONF_TEXT_MAX, &old, NULL);
	if (r < 0 && r != -ENOENT)
		return fail(r, "%s", j->conf);
	if (j->file) {
		r = absolute(j->file, &file);
		if (r < 0 || asprintf(&ref, FILE_SCHEME "%s", file) < 0)
			return fail(r < 0 ? r : -ENOMEM, "%s", j->file);
		conf_value = ref;
	}
	r = conf_edit(old, "Host", j->key, conf_value, &new);
	if (r < 0)
		return fail(r, "%s", j->conf);
	if (file) {
		r = file_read_text(file, CONF_TEXT_MAX, &old_value, NULL);
		if (r < 0 && r != -ENOENT)
			return fail(r, "%s", file);
		r = write_value_file(file, j->value);
		if (r)
			return r;
	}
	r = check_conf(j, conf_value, new);
	/* clear-symname where there is none: nothing to write, no file to create */
	if (!r && !strcmp(new, old ?: "") && (old || !j->value))
		return EXIT_SUCCESS;
	if (!r) {
		r = file_replace(j->conf, new, strlen(new), 0644);
		r = r < 0 ? fail(r, "%s", j->conf) : EXIT_SUCCESS;
	}
	if (r && file)
		restore_value_file(file, old_value);
	return r;
}

/* The options of a command: -f FILE where it takes one, and @n_args words. */
static int command_args(int argc, char **argv, bool with_file, int n_args, struct job *j,
			const char **arg)
{
	static const struct option lo[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int v;

	char buf[3];

	/* options may follow the symbolic name, as argparse allows */
	optind = 0;
	opterr = 0;
	while ((v = getopt_long(argc, argv, with_file ? ":f:h" : ":h", lo, NULL)) != -1) {
		if (v == 'f' && with_file) {
			j->file = ctl_opt_value(argv, optind, optarg);
		} else if (v == 'h') {
			printf("usage: stasadm %s%s%s\n", argv[0], with_file ? " [-f FILE]" : "",
			       n_args ? " SYMNAME" : "");
			return EXIT_SUCCESS;
		} else {
			fprintf(stderr, "stasadm %s: %s '%s'\n", argv[0],
				v == ':' ? "missing the value of" : "unknown option",
				ctl_bad_option(argv, optind, optopt, buf));
			return EXIT_USAGE;
		}
	}
	if (argc - optind != n_args) {
		fprintf(stderr, "stasadm %s: %s\n", argv[0],
			n_args ? "needs the symbolic name" : "takes no arguments");
		return EXIT_USAGE;
	}
	if (n_args)
		*arg = argv[optind];
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ "conf-file", required_argument, NULL, 'c' },
		{ 0 },
	};
	struct job j = { .conf = SYS_CONF_FILE };
	char uuid[STAS_UUID_STR_LEN], nqn[NVMF_NQN_MAX_LEN + 1];
	const char *cmd;
	char buf[3];
	int v, r;

	opterr = 0;
	while ((v = getopt_long(argc, argv, "+:hvc:", lo, NULL)) != -1) {
		if (v == 'h') {
			help();
			return EXIT_SUCCESS;
		} else if (v == 'v') {
			printf("stas %s\n", STAS_VERSION);
			return EXIT_SUCCESS;
		} else if (v == 'c') {
			j.conf = ctl_opt_value(argv, optind, optarg);
		} else {
			usage(stderr);
			fprintf(stderr, "stasadm: %s '%s'\n",
				v == ':' ? "missing the value of" : "unknown option",
				ctl_bad_option(argv, optind, optopt, buf));
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stdout); /* argparse's print_usage(), then exit 1 */
		return EXIT_FAILURE;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "hostnqn")) {
		r = command_args(argc, argv, true, 0, &j, NULL);
		if (r >= 0)
			return r;
		r = host_uuid_derive(NULL, uuid, NULL);
		if (r == -EACCES)
			return fail(0, "/etc/machine-id cannot be used, and only root may read the "
				       "system's UUID instead");
		if (r < 0)
			return fail(r, "no UUID for the host NQN");
		snprintf(nqn, sizeof(nqn), "nqn.2014-08.org.nvmexpress:uuid:%s", uuid);
		j.key = "nqn";
		j.value = nqn;
	} else if (!strcmp(cmd, "hostid")) {
		r = command_args(argc, argv, true, 0, &j, NULL);
		if (r >= 0)
			return r;
		r = host_uuid_random(uuid);
		if (r < 0)
			return fail(r, "no random UUID");
		j.key = "id";
		j.value = uuid;
	} else if (!strcmp(cmd, "set-symname")) {
		r = command_args(argc, argv, true, 1, &j, &j.value);
		if (r >= 0)
			return r;
		j.key = "symname";
	} else if (!strcmp(cmd, "clear-symname")) {
		r = command_args(argc, argv, false, 0, &j, NULL);
		if (r >= 0)
			return r;
		j.key = "symname";
	} else {
		usage(stderr);
		fprintf(stderr, "stasadm: unknown command '%s'\n", cmd);
		return EXIT_USAGE;
	}
	return run(&j);
}
