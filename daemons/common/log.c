// SPDX-License-Identifier: Apache-2.0
/*
 * Level filter and the two sinks. A message is formatted once into a fixed
 * buffer (no allocation on the logging path, so logging an ENOMEM works) and
 * written with a single write(2), so lines from two processes sharing a
 * terminal never interleave mid-line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "common/log.h"
#include "stas/cleanup.h"

#define LOG_MSG_MAX    4096
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static const char *log_ident = "stas";
static int log_max_level = LOG_INFO;
static bool log_journal;

static const char *const level_names[] = {
	[LOG_EMERG] = "emergency", [LOG_ALERT] = "alert",     [LOG_CRIT] = "critical",
	[LOG_ERR] = "error",	   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",	   [LOG_DEBUG] = "debug",
};

/* Extra spellings accepted on the command line; "fatal" is Python's other CRITICAL. */
static const struct {
	const char *name;
	int level;
} level_aliases[] = {
	{ "err", LOG_ERR },	{ "warn", LOG_WARNING }, { "crit", LOG_CRIT },
	{ "emerg", LOG_EMERG }, { "fatal", LOG_CRIT },
};

bool log_stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int n = 0;

	if (!e || sscanf(e, "%llu:%llu%n", &dev, &ino, &n) != 2 || e[n] != '\0')
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_open(const char *ident, enum log_target target)
{
	if (ident)
		log_ident = ident;
	log_journal = target == LOG_TARGET_JOURNAL ||
		      (target == LOG_TARGET_AUTO && log_stderr_is_journal());
	/*
	 * sd_journal_send() reports success when there is no journald at all
	 * (it drops the message), so without its socket stderr is the only sink.
	 */
	if (log_journal && access(JOURNAL_SOCKET, F_OK) < 0)
		log_journal = false;
}

bool log_uses_journal(void)
{
	return log_journal;
}

void log_set_level(int level)
{
	if (level < LOG_EMERG)
		level = LOG_EMERG;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	log_max_level = level;
}

int log_get_level(void)
{
	return log_max_level;
}

const char *log_level_to_string(int level)
{
	if (level < 0 || (size_t)level >= ARRAY_SIZE(level_names))
		return "?";
	return level_names[level];
}

const char *log_level_to_python(int level)
{
	if (level >= LOG_DEBUG)
		return "DEBUG";
	if (level >= LOG_NOTICE)
		return "INFO";
	if (level == LOG_WARNING)
		return "WARNING";
	if (level == LOG_ERR)
		return "ERROR";
	return "CRITICAL";
}

int log_level_from_string(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	v = strtol(s, &end, 10);
	if (*end == '\0')
		return v >= LOG_EMERG && v <= LOG_DEBUG ? (int)v : -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++)
		if (!strcasecmp(s, level_names[i]))
			return (int)i;
	for (size_t i = 0; i < ARRAY_SIZE(level_aliases); i++)
		if (!strcasecmp(s, level_aliases[i].name))
			return level_aliases[i].level;
	return -EINVAL;
}

static void write_stderr(int level, const char *msg)
{
	char line[LOG_MSG_MAX + 32];
	int n;

	n = snprintf(line, sizeof(line), "%s: %s\n", log_level_to_string(level), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* Nothing sensible to do when stderr itself fails. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

static int write_journal(int level, int error, const char *file, int line, const char *func,
			 const char *msg)
{
	char code_file[256], code_line[32];

	snprintf(code_file, sizeof(code_file), "CODE_FILE=%s", file);
	snprintf(code_line, sizeof(code_line), "CODE_LINE=%d", line);
	/* A NULL format ends the field list, so ERRNO= is only sent with an error. */
	return sd_journal_send_with_location(code_file, code_line, func, "MESSAGE=%s", msg,
					     "PRIORITY=%i", level, "SYSLOG_IDENTIFIER=%s",
					     log_ident, error ? "ERRNO=%i" : NULL, error, NULL);
}

int log_internal(int level, int error, const char *file, int line, const char *func,
		 const char *fmt, ...)
{
	int saved_errno = errno;
	char msg[LOG_MSG_MAX];
	va_list ap;
	int n;

	error = abs(error);
	if (level > log_max_level)
		goto out;
	/* %m in the format prints strerror(error), as systemd's log_*_errno() do. */
	errno = error;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(msg) && error && !strstr(fmt, "%m"))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(error));
	if (!log_journal || write_journal(level, error, file, line, func, msg) < 0)
		write_stderr(level, msg);
out:
	errno = saved_errno;
	return -error;
}
