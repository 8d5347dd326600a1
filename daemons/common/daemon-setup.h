/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy both daemons share around their configuration: where the host
 * identity comes from, how a reload is refused, which controllers the
 * userspace host can and may reach.
 */
#ifndef STAS_DAEMON_SETUP_H
#define STAS_DAEMON_SETUP_H

#include <stdbool.h>

#include "common/bus-util.h"
#include "common/conf-view.h"
#include "common/conf.h"
#include "common/daemon-args.h"
#include "common/resolver.h"
#include "common/sys-conf.h"

/**
 * daemon_start() - what main() does before the loop: the command line,
 * logging, the daemon's configuration (diagnostics logged with file:line),
 * the log level, the host identity, and the event loop.
 *
 * Return: true to run, with *@conf, *@sys and *@base set and @a filled;
 * false to exit at once with *@exit_code (0 after --help or --version, 2
 * for a bad command line, 1 when the daemon cannot start; all said already).
 */
bool daemon_start(const struct daemon_info *info, enum stas_daemon daemon, int argc, char **argv,
		  struct daemon_args *a, struct stas_conf **conf, struct sys_conf **sys,
		  struct event_base **base, int *exit_code);

/**
 * daemon_finish() - what main() does after the loop and after the daemon
 * freed its own parts: the bus object and the bus, the loop, the
 * configuration, the identity and @state_dir go, and "stopped" is logged.
 *
 * Return: main()'s exit status for @r (the run's result).
 */
int daemon_finish(int r, struct bus_object *obj, struct bus_event *bus, struct event_base *base,
		  struct stas_conf *conf, struct sys_conf *sys, char *state_dir);

/**
 * daemon_sys_conf_load() - sys.conf ($STAS_SYS_CONF, else /etc/stas/sys.conf)
 * with its diagnostics logged. Without a usable host NQN or ID the daemon
 * still runs, with a fresh identity for this run, and says so: a service
 * that refuses to start helps nobody.
 */
int daemon_sys_conf_load(struct sys_conf **ret);

/**
 * daemon_conf_reload() - the first half of a reload: tell systemd
 * (RELOADING=1) and parse @path into a fresh configuration. A file that
 * cannot be read or has errors (logged with file:line) is refused: the
 * running configuration stays, and systemd is told READY=1 again.
 */
int daemon_conf_reload(enum stas_daemon daemon, const char *path, struct stas_conf **ret);

/**
 * daemon_conf_commit() - make @next the running configuration *@conf (the
 * old one is freed): @view, a view of the old one, is cleared; the log
 * level follows @next's tron, with PropertiesChanged on @obj's .debug
 * interface; and every host name is looked up again (DNS may have moved
 * too). The caller reconciles, then calls daemon_reload_done().
 */
void daemon_conf_commit(struct stas_conf **conf, struct stas_conf *next, struct conf_view *view,
			struct resolver *res, struct bus_object *obj);

/* daemon_reload_done() - the reload of @path is over: READY=1, and a log line. */
void daemon_reload_done(const char *path);

/**
 * daemon_tid_acceptable() - exclude=, the ip-family filter, and what the
 * userspace host can reach (tcp to an IP literal); says why not, naming
 * @what and the controller.
 */
bool daemon_tid_acceptable(const struct stas_conf *c, const struct tid *t, const char *what);

/*
 * daemon_warn_unused_secrets() - say that @e's DH-HMAC-CHAP secrets (if
 * any) go unused: the userspace host does not authenticate in-band. @desc
 * names the controller.
 */
void daemon_warn_unused_secrets(const struct conf_ctrl *e, const char *desc);

/**
 * daemon_ctrl_tid() - the identity of @c's controller= entry @e, as
 * conf_ctrl_tid() gives it, with a host name in traddr replaced by its
 * address in one of @c's IP families (through @res).
 *
 * Return: 0; -EAGAIN while the name's first lookup runs (@res calls its
 * owner back); another negative errno when the entry has no usable address
 * now (see resolver_get()).
 */
int daemon_ctrl_tid(struct resolver *res, const struct stas_conf *c, const struct conf_ctrl *e,
		    const char *host_nqn, struct tid *ret);

/**
 * daemon_ctrl_wanted() - whether to hold @c's controller= entry @e now:
 * daemon_ctrl_tid() gave an address (*@ret) and daemon_tid_acceptable()
 * accepts it. Sets *@unresolved when the entry waits for its name's first
 * answer (a reconcile must then not drop what the name may resolve to).
 */
bool daemon_ctrl_wanted(struct resolver *res, const struct stas_conf *c, const struct conf_ctrl *e,
			const char *host_nqn, struct tid *ret, bool *unresolved);

#endif
