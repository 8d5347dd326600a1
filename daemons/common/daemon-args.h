/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command line both daemons take (nvme-stas's, plus --log-level):
 *
 *   -f, --conf-file FILE   configuration file (default: the daemon's)
 *   -s, --syslog           log to the journal (nvme-stas compatibility; by
 *                          default the journal is used when stderr is
 *                          connected to it, which is the case under systemd)
 *       --tron             trace on: log level debug (OR'ed with [Global] tron)
 *       --log-level LEVEL  error, warning, notice, info, debug or 0..7
 *   -v, --version          print the version and exit
 *   -h, --help             print this help and exit
 */
#ifndef STAS_DAEMON_ARGS_H
#define STAS_DAEMON_ARGS_H

#include <stdbool.h>
#include <stdio.h>

struct daemon_info {
	const char *prog;	  /* "stafd" */
	const char *summary;	  /* one line for --help */
	const char *version;	  /* stas version */
	const char *default_conf; /* "/etc/stas/stafd.conf" */
};

struct daemon_args {
	const char *conf_file; /* points into argv or at info->default_conf */
	bool syslog;
	bool tron;
	int log_level; /* -1 when not given */
};

/**
 * daemon_args_parse() - parse @argv.
 * @out: where --help and --version print (stdout)
 * @err: where usage errors print (stderr)
 *
 * Return: 0 to run; 1 when --help or --version was printed (exit 0);
 * -EINVAL for bad usage, after a message on @err (exit 2).
 */
int daemon_args_parse(const struct daemon_info *info, int argc, char **argv, FILE *out, FILE *err,
		      struct daemon_args *ret);

/**
 * daemon_args_log_level() - the level to run at: --log-level if given, else
 * debug when --tron or [Global] tron (@conf_tron), else info.
 */
int daemon_args_log_level(const struct daemon_args *a, bool conf_tron);

#endif
