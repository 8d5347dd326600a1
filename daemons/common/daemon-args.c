// SPDX-License-Identifier: Apache-2.0
/*
 * getopt_long over one option table. Nothing here exits: the caller maps the
 * return value to an exit status, so the parser can be tested in-process.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "common/daemon-args.h"
#include "common/log.h"

#define NVME_STAS_COMPAT "3.0" /* the nvme-stas version whose interfaces are kept */

enum { OPT_TRON = 0x100, OPT_LOG_LEVEL };

static const struct option long_options[] = {
	{ "conf-file", required_argument, NULL, 'f' },
	{ "syslog", no_argument, NULL, 's' },
	{ "tron", no_argument, NULL, OPT_TRON },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "version", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void help(const struct daemon_info *info, FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTION]...\n"
		"%s\n\n"
		"  -f, --conf-file FILE   configuration file (default: %s)\n"
		"  -s, --syslog           log to the journal\n"
		"      --tron             trace on (log level debug)\n"
		"      --log-level LEVEL  error, warning, notice, info or debug (or 0..7)\n"
		"  -v, --version          print the version and exit\n"
		"  -h, --help             print this help and exit\n",
		info->prog, info->summary, info->default_conf);
}

static void version(const struct daemon_info *info, FILE *out)
{
	fprintf(out, "%s (stas) %s\ncompatible with nvme-stas %s\n", info->prog, info->version,
		NVME_STAS_COMPAT);
}

static int usage_error(const struct daemon_info *info, FILE *err, const char *what)
{
	fprintf(err, "%s: %s\nTry '%s --help' for more information.\n", info->prog, what,
		info->prog);
	return -EINVAL;
}

int daemon_args_parse(const struct daemon_info *info, int argc, char **argv, FILE *out, FILE *err,
		      struct daemon_args *ret)
{
	struct daemon_args a = { .conf_file = info->default_conf, .log_level = -1 };
	char what[256];
	int c;

	optind = 0; /* glibc: a full re-initialisation, so the parser can run again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:svh", long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			a.conf_file = optarg;
			break;
		case 's':
			a.syslog = true;
			break;
		case OPT_TRON:
			a.tron = true;
			break;
		case OPT_LOG_LEVEL:
			a.log_level = log_level_from_string(optarg);
			if (a.log_level < 0) {
				snprintf(what, sizeof(what), "--log-level: unknown level '%s'",
					 optarg);
				return usage_error(info, err, what);
			}
			break;
		case 'v':
			version(info, out);
			return 1;
		case 'h':
			help(info, out);
			return 1;
		case ':':
			snprintf(what, sizeof(what), "option '%s' needs an argument",
				 argv[optind - 1]);
			return usage_error(info, err, what);
		default:
			/* optopt is the letter of an unknown short option, 0 for a long one */
			if (optopt > 0 && optopt < 0x100)
				snprintf(what, sizeof(what), "unknown option '-%c'", optopt);
			else
				snprintf(what, sizeof(what), "unknown option '%s'",
					 argv[optind - 1]);
			return usage_error(info, err, what);
		}
	}
	if (optind < argc) {
		snprintf(what, sizeof(what), "unexpected argument '%s'", argv[optind]);
		return usage_error(info, err, what);
	}
	*ret = a;
	return 0;
}

int daemon_args_log_level(const struct daemon_args *a, bool conf_tron)
{
	if (a->log_level >= 0)
		return a->log_level;
	return a->tron || conf_tron ? LOG_DEBUG : LOG_INFO;
}
