// SPDX-License-Identifier: Apache-2.0
/*
 * One table of (signal, what it means); libevent turns each into a loop event
 * through its self-pipe.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "common/daemon-signals.h"

enum action { ACT_RELOAD, ACT_STOP };

static const struct {
	int signo;
	enum action action;
} signal_table[] = {
	{ SIGHUP, ACT_RELOAD },
	{ SIGTERM, ACT_STOP },
	{ SIGINT, ACT_STOP },
};

#define N_SIGNALS (sizeof(signal_table) / sizeof(signal_table[0]))

struct daemon_signals {
	const struct daemon_signal_ops *ops;
	void *userdata;
	struct event *ev[N_SIGNALS];
};

static void on_signal(evutil_socket_t signo, short what, void *arg)
{
	struct daemon_signals *s = arg;

	for (size_t i = 0; i < N_SIGNALS; i++) {
		if (signal_table[i].signo != signo)
			continue;
		if (signal_table[i].action == ACT_RELOAD && s->ops->reload)
			s->ops->reload(s->userdata);
		else if (signal_table[i].action == ACT_STOP && s->ops->stop)
			s->ops->stop((int)signo, s->userdata);
		return;
	}
}

int daemon_signals_new(struct event_base *base, const struct daemon_signal_ops *ops, void *userdata,
		       struct daemon_signals **ret)
{
	struct daemon_signals *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->ops = ops;
	s->userdata = userdata;
	for (size_t i = 0; i < N_SIGNALS; i++) {
		s->ev[i] = evsignal_new(base, signal_table[i].signo, on_signal, s);
		if (!s->ev[i] || event_add(s->ev[i], NULL) < 0) {
			int r = s->ev[i] ? -EIO : -ENOMEM;

			daemon_signals_free(s);
			return r;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	*ret = s;
	return 0;
}

struct daemon_signals *daemon_signals_free(struct daemon_signals *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < N_SIGNALS; i++)
		if (s->ev[i])
			event_free(s->ev[i]);
	free(s);
	return NULL;
}
