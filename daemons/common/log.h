/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Daemon logging. One call per message, filtered by a run-time level, sent to
 * the journal (structured: PRIORITY, SYSLOG_IDENTIFIER, CODE_FILE/LINE/FUNC,
 * ERRNO) when the daemon runs under systemd, otherwise to stderr with a level
 * prefix. Never to stdout: stdout belongs to --help and --version.
 *
 * The _errno variants follow systemd: `return log_error_errno(r, "open %s", p);`
 * logs "open /x: No such file or directory" and returns r (always negative).
 * A format that contains %m gets strerror(-r) there instead of at the end.
 */
#ifndef STAS_DAEMON_LOG_H
#define STAS_DAEMON_LOG_H

#include <stdbool.h>
#include <syslog.h> /* LOG_ERR .. LOG_DEBUG */

enum log_target {
	LOG_TARGET_AUTO,    /* the journal when stderr is connected to it, else stderr */
	LOG_TARGET_STDERR,  /* always stderr */
	LOG_TARGET_JOURNAL, /* sd_journal_send, if journald runs (else, or if sending fails: stderr)
			     */
};

/**
 * log_open() - choose the identifier and the sink.
 * @ident: SYSLOG_IDENTIFIER (e.g. "stafd"); the string must outlive logging
 * @target: see enum log_target
 *
 * Without a call, messages go to stderr with identifier "stas".
 */
void log_open(const char *ident, enum log_target target);

/** log_uses_journal() - true when messages currently go to the journal. */
bool log_uses_journal(void);

/**
 * log_stderr_is_journal() - whether $JOURNAL_STREAM names our stderr.
 *
 * Return: true when $JOURNAL_STREAM is "<dev>:<inode>" of file descriptor 2.
 */
bool log_stderr_is_journal(void);

/** log_set_level() - keep messages up to @level (LOG_ERR..LOG_DEBUG); default LOG_INFO. */
void log_set_level(int level);
int log_get_level(void);

/**
 * log_level_from_string() - "emerg"/"emergency", "alert", "crit"/"critical"/"fatal",
 * "err"/"error", "warning"/"warn", "notice", "info", "debug" (any case, so also
 * Python's "CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG") or a number 0..7.
 *
 * Return: the level, or -EINVAL.
 */
int log_level_from_string(const char *s);

/** log_level_to_string() - "error", "warning", ... ; "?" for an unknown level. */
const char *log_level_to_string(int level);

/**
 * log_level_to_python() - the name of Python's logging level that nvme-stas
 * reports for @level (D-Bus log_level, process_info's log-level): "DEBUG",
 * "INFO" (info, notice), "WARNING", "ERROR", "CRITICAL" (crit, alert, emerg).
 */
const char *log_level_to_python(int level);

/**
 * log_internal() - the one function behind every macro below.
 * @error: 0, or an errno value (either sign) whose text is appended
 *
 * errno is preserved.
 *
 * Return: -abs(@error), so callers can `return log_error_errno(r, ...)`.
 */
int log_internal(int level, int error, const char *file, int line, const char *func,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#define log_full_errno(level, error, ...)                                                          \
	log_internal((level), (error), __FILE__, __LINE__, __func__, __VA_ARGS__)

#define log_error(...)		      log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_warning(...)	      log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_notice(...)		      log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_info(...)		      log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...)		      log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)

#define log_error_errno(error, ...)   log_full_errno(LOG_ERR, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, (error), __VA_ARGS__)
#define log_notice_errno(error, ...)  log_full_errno(LOG_NOTICE, (error), __VA_ARGS__)
#define log_info_errno(error, ...)    log_full_errno(LOG_INFO, (error), __VA_ARGS__)
#define log_debug_errno(error, ...)   log_full_errno(LOG_DEBUG, (error), __VA_ARGS__)

#endif
