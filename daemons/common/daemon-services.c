// SPDX-License-Identifier: Apache-2.0
#include "common/daemon-services.h"

#include <errno.h>
#include <stdlib.h>

#include "common/daemon-signals.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/state.h"

struct daemon_services {
	const struct daemon_services_ops *ops;
	void *userdata;
	struct daemon_signals *signals;
	struct notify_watchdog *watchdog;
};

static void on_reload(void *arg)
{
	struct daemon_services *s = arg;

	s->ops->reload(s->userdata);
}

static void on_stop(int signo, void *arg)
{
	struct daemon_services *s = arg;

	log_info("signal %d: stopping", signo);
	s->ops->stop(s->userdata);
}

static const struct daemon_signal_ops signal_ops = { on_reload, on_stop };

int daemon_services_new(struct event_base *base, const char *prog,
			const struct daemon_services_ops *ops, void *userdata, char **runtime_dir,
			struct daemon_services **ret)
{
	struct daemon_services *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return log_error_errno(-ENOMEM, "cannot start: %m");
	s->ops = ops;
	s->userdata = userdata;
	r = daemon_signals_new(base, &signal_ops, s, &s->signals);
	if (r < 0) {
		free(s);
		return log_error_errno(r, "cannot set up signals: %m");
	}
	r = notify_watchdog_new(base, &s->watchdog);
	if (r < 0)
		log_warning_errno(r, "watchdog pings are off: %m");
	*runtime_dir = NULL;
	r = state_dir(prog, runtime_dir);
	if (r < 0)
		log_warning_errno(r, "no runtime directory, the last-known state is not kept: %m");
	*ret = s;
	return 0;
}

struct daemon_services *daemon_services_free(struct daemon_services *s)
{
	if (!s)
		return NULL;
	daemon_signals_free(s->signals);
	notify_watchdog_free(s->watchdog);
	free(s);
	return NULL;
}
